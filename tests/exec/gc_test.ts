// WebAssembly GC programs written by hand: a linked list, a binary tree built and walked, packed arrays, casts and
// i31. Kiln's front end (text format, decoder, validator) reads them, the host's own WebAssembly runs them (which
// checks the encoding Kiln produces and the expected results), and so do both of Kiln's engines (the native engine
// where the host runs GC), with the same fuel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { validateModule } from "../../lib/validate/module_validator.ts";
import { instantiate, parseWat, Store } from "../../mod.ts";
import { NATIVE_GC } from "../gc/_native_gc.ts";

const LIST = `(module
  (type $node (struct (field $value i32) (field $next (ref null $node))))
  (func $build (param $n i32) (result (ref null $node))
    (local $head (ref null $node))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $head (struct.new $node (local.get $n) (local.get $head)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $head))
  (func (export "sum") (param $n i32) (result i32)
    (local $cur (ref null $node)) (local $sum i32)
    (local.set $cur (call $build (local.get $n)))
    (block $done
      (loop $l
        (br_if $done (ref.is_null (local.get $cur)))
        (local.set $sum (i32.add (local.get $sum) (struct.get $node $value (local.get $cur))))
        (local.set $cur (struct.get $node $next (local.get $cur)))
        (br $l)))
    (local.get $sum)))`;

const TREE = `(module
  (rec (type $tree (struct (field $left (ref null $tree)) (field $right (ref null $tree)) (field $value i32))))
  (func $make (param $depth i32) (param $v i32) (result (ref null $tree))
    (if (result (ref null $tree)) (i32.eqz (local.get $depth))
      (then (ref.null $tree))
      (else
        (struct.new $tree
          (call $make (i32.sub (local.get $depth) (i32.const 1)) (i32.mul (local.get $v) (i32.const 2)))
          (call $make (i32.sub (local.get $depth) (i32.const 1))
            (i32.add (i32.mul (local.get $v) (i32.const 2)) (i32.const 1)))
          (local.get $v)))))
  (func $walk (param $t (ref null $tree)) (result i32)
    (if (result i32) (ref.is_null (local.get $t))
      (then (i32.const 0))
      (else
        (i32.add (struct.get $tree $value (local.get $t))
          (i32.add (call $walk (struct.get $tree $left (local.get $t)))
            (call $walk (struct.get $tree $right (local.get $t))))))))
  (func (export "check") (param $depth i32) (result i32)
    (call $walk (call $make (local.get $depth) (i32.const 1)))))`;

const MIXED = `(module
  (type $bytes (array (mut i8)))
  (type $point (sub (struct (field $x i32))))
  (type $point3 (sub final $point (struct (field $x i32) (field $z i32))))
  (global $origin (ref $point) (struct.new $point (i32.const 0)))
  (func (export "arrays") (param $n i32) (result i32)
    (local $a (ref $bytes)) (local $i i32) (local $s i32)
    (local.set $a (array.new $bytes (i32.const 200) (local.get $n)))
    (array.set $bytes (local.get $a) (i32.const 0) (i32.const -1))
    (loop $l
      (local.set $s (i32.add (local.get $s) (array.get_u $bytes (local.get $a) (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (array.len (local.get $a)))))
    (i32.add (local.get $s) (array.get_s $bytes (local.get $a) (i32.const 0))))
  (func (export "casts") (result i32)
    (local $p (ref null $point))
    (local.set $p (struct.new $point3 (i32.const 3) (i32.const 4)))
    (i32.add
      (i32.add (ref.test (ref $point3) (local.get $p))
        (struct.get $point3 $z (ref.cast (ref $point3) (local.get $p))))
      (i32.add (i31.get_s (ref.i31 (i32.const -100)))
        (i32.add (ref.test (ref $point3) (global.get $origin)) (ref.eq (local.get $p) (local.get $p))))))
  (func (export "brOnCast") (param $i i32) (result i32)
    (local $p (ref $point))
    (local.set $p (select (result (ref $point)) (struct.new $point3 (i32.const 1) (i32.const 2)) (global.get $origin)
      (local.get $i)))
    (block $is3 (result (ref $point3))
      (br_on_cast $is3 (ref $point) (ref $point3) (local.get $p))
      (return (i32.const -1)))
    (struct.get $point3 $z)))`;

/** [program, export, arguments, expected result]. */
const CASES: [string, string, number[], number][] = [
  [LIST, "sum", [1000], 500500],
  [TREE, "check", [10], (1023 * 1024) / 2],
  [MIXED, "arrays", [10], 255 + 9 * 200 - 1],
  [MIXED, "casts", [], 1 + 4 - 100 + 0 + 1],
  [MIXED, "brOnCast", [1], 2],
  [MIXED, "brOnCast", [0], -1],
];

const nativeGc = NATIVE_GC;

test("parseWat() and validateModule() accept the GC programs", () => {
  for (const program of [LIST, TREE, MIXED]) validateModule(decodeModule(parseWat(program)));
});

test("the host's WebAssembly runs Kiln's encoding of the GC programs", { skip: !nativeGc }, () => {
  for (const [program, name, args, expected] of CASES) {
    const module = new WebAssembly.Module(parseWat(program) as BufferSource);
    const f = new WebAssembly.Instance(module).exports[name] as (...a: number[]) => number;
    assert.equal(f(...args), expected, `${name}(${args.join(", ")})`);
  }
});

const engines = nativeGc ? ["interpreter", "native"] as const : ["interpreter"] as const;

for (const engine of engines) {
  const label = engine === "native" ? "native engine" : engine;
  test(`the ${label} runs the GC programs with the host's results, plain and with fuel yields`, async () => {
    for (const options of [{}, { fuel: 1e9, fuelYieldInterval: 100 }]) {
      for (const [program, name, args, expected] of CASES) {
        const { instance } = await instantiate(parseWat(program), {}, { store: new Store({ ...options, engine }) });
        const f = instance.exports[name] as (...a: number[]) => Promise<number>;
        assert.equal(await f(...args), expected, `${name}(${args.join(", ")})`);
      }
    }
  });
}

test("the native engine charges the GC programs the interpreter's fuel", { skip: !nativeGc }, async () => {
  for (const [program, name, args] of CASES) {
    const consumed = [];
    for (const engine of engines) {
      const store = new Store({ engine, fuel: 1e9 });
      const { instance } = await instantiate(parseWat(program), {}, { store });
      const before = store.fuelConsumed;
      await (instance.exports[name] as (...a: number[]) => Promise<number>)(...args);
      consumed.push(store.fuelConsumed - before);
    }
    assert.ok(consumed[0]! > 0);
    assert.equal(consumed[1], consumed[0], `${name}(${args.join(", ")})`);
  }
});
