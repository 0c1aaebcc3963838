// The hand-written GC programs of testdata/gc/ (a linked list, binary trees, closures, a splay-tree-like workload)
// run on both of Kiln's engines (the native one where the host runs GC: V8 on Deno, JSC on Bun) with the results of
// the host's own WebAssembly, plain and with fuel yields, and consume the same fuel on both; and objects held only
// by the machine's slots (or the host's, natively) survive a suspension.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { instantiate, parseWat, Store } from "../../mod.ts";
import { NATIVE_GC } from "./_native_gc.ts";

/** [program, argument of its `run` export]. */
const PROGRAMS: [string, number][] = [
  ["linked_list", 2000],
  ["binary_tree", 10],
  ["closures", 3000],
  ["splay_tree", 5000],
];

const nativeGc = NATIVE_GC;

function wasmOf(name: string): Uint8Array {
  return parseWat(readFileSync(new URL(`../../testdata/gc/${name}.wat`, import.meta.url), "utf8"));
}

const engines = nativeGc ? ["interpreter", "native"] as const : ["interpreter"] as const;

for (const [name, arg] of PROGRAMS) {
  test(`testdata/gc/${name}.wat: both engines' results equal the host's, plain and with fuel yields`, async () => {
    const bytes = wasmOf(name);
    const results: number[] = [];
    for (const engine of engines) {
      for (const options of [{}, { fuel: 1e12, fuelYieldInterval: 1000 }]) {
        const { instance } = await instantiate(bytes, {}, { store: new Store({ ...options, engine }) });
        results.push(await (instance.exports.run as (n: number) => Promise<number>)(arg));
      }
    }
    for (const r of results) assert.equal(r, results[0], `every engine and configuration: ${results.join(", ")}`);
    if (nativeGc) {
      const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
      assert.equal(results[0], (native.exports.run as (n: number) => number)(arg), "the host's WebAssembly");
    }
  });

  test(`testdata/gc/${name}.wat: the native engine consumes the interpreter's fuel`, { skip: !nativeGc }, async () => {
    const bytes = wasmOf(name);
    const consumed: number[] = [];
    for (const engine of engines) {
      const store = new Store({ engine, fuel: 1e12 });
      const { instance } = await instantiate(bytes, {}, { store });
      const before = store.fuelConsumed;
      await (instance.exports.run as (n: number) => Promise<number>)(arg);
      consumed.push(store.fuelConsumed - before);
    }
    assert.ok(consumed[0]! > 1000, `the interpreter consumed ${consumed[0]}`);
    assert.equal(consumed[1], consumed[0]);
  });
}

for (const engine of engines) {
  test(`${engine}: objects only slots hold survive async imports and sweeps of the handle table`, async () => {
    const bytes = parseWat(`(module
    (type $node (struct (field $v i32) (field $next (ref null $node))))
    (import "env" "pause" (func $pause (param i32)))
    (func (export "run") (param $n i32) (result i32)
      (local $head (ref null $node)) (local $i i32) (local $s i32)
      (loop $l
        (local.set $head (struct.new $node (local.get $i) (local.get $head)))
        (drop (struct.new $node (i32.const -1) (ref.null $node))) ;; garbage between the live nodes
        (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 500))) (then (call $pause (local.get $i))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (block $done
        (loop $w
          (br_if $done (ref.is_null (local.get $head)))
          (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $head))))
          (local.set $head (struct.get $node $next (local.get $head)))
          (br $w)))
      (local.get $s)))`);
    let pauses = 0;
    const pause = () => new Promise<void>((resolve) => setTimeout(() => (pauses++, resolve()), 0));
    const store = new Store({ fuelYieldInterval: 500, engine });
    const { instance } = await instantiate(bytes, { env: { pause } }, { store });
    const n = 20_000;
    assert.equal(await (instance.exports.run as (n: number) => Promise<number>)(n), (n * (n - 1)) / 2 % 2 ** 32 | 0);
    assert.equal(pauses, n / 500);
  });
}
