// How v128 values move through the interpreter: two slots per value in locals (params and declared, mixed with
// scalars), blocks, branches, br_table, loops, calls (direct, indirect, tail, multi-value), select, drop, globals,
// exception payloads and memory; results compared with the host's native WebAssembly. Then the JS boundary: a v128
// parameter, result, global value or payload is the JS API's TypeError, and the raw form carries 16 bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import wabtInit from "wabt";
import { Global, instantiate, type RuntimeError } from "../../mod.ts";

const wabt = await wabtInit();

function wat(text: string): Uint8Array {
  const m = wabt.parseWat("simd.wat", text, { simd: true, exceptions: true, tail_call: true, multi_value: true });
  try {
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}

const MODULE = wat(`(module
  (memory (export "mem") 1)
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (global $k v128 (v128.const i64x2 5 6))
  (type $bin (func (param v128 v128) (result v128)))
  (table 2 funcref)
  (elem (i32.const 0) $addv $swap)
  (tag $t (param i32 v128 i64))
  (func $mk (param i64 i64) (result v128) (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
  (func $sum (param v128) (result i64)
    (i64.add (i64.mul (i64x2.extract_lane 0 (local.get 0)) (i64.const 1000003)) (i64x2.extract_lane 1 (local.get 0))))
  (func $addv (type $bin) (i64x2.add (local.get 0) (local.get 1)))
  (func $swap (type $bin)
    (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get 0) (local.get 1)))
  (func $multi (param i32 v128 i64 v128) (result v128 i32 v128)
    (i64x2.add (local.get 1) (i64x2.splat (local.get 2))) (i32.add (local.get 0) (i32.const 1)) (local.get 3))

  (func (export "locals") (param i64 i64 i32) (result i64)
    (local $a v128) (local $x i32) (local $b v128) (local $y i64)
    (local.set $a (call $mk (local.get 0) (local.get 1)))
    (local.set $x (local.get 2))
    (local.set $b (local.tee $a (i64x2.add (local.get $a) (local.get $a))))
    (local.set $y (i64.extend_i32_s (local.get $x)))
    (local.set $a (i64x2.sub (local.get $a) (local.get $b)))
    (i64.add (call $sum (local.get $b)) (i64.add (local.get $y) (call $sum (local.get $a)))))

  (func (export "swap_locals") (param i64 i64) (result i64)
    (local $a v128) (local $b v128)
    (local.set $a (call $mk (local.get 0) (local.get 1)))
    (local.set $b (call $mk (local.get 1) (local.get 0)))
    ;; the deferred reads of $a and $b must survive their overwrites
    (local.get $a) (local.get $b) (local.set $a) (local.set $b)
    (i64.sub (call $sum (local.get $a)) (call $sum (local.get $b))))

  (func (export "blocks") (param i64 i64 i32) (result i64)
    (local $v v128) (local $n i32)
    (local.set $v (call $mk (local.get 0) (local.get 1)))
    (block $out (result v128 i32 v128)
      (local.get $v) (local.get 2) (i64x2.splat (local.get 1))
      (br_if $out (i32.lt_s (local.get 2) (i32.const 10)))
      (drop) (drop)
      (i32.const 7) (i64x2.splat (local.get 0)))
    (local.set $v)
    (local.set $n)
    (call $sum)
    (i64.add (call $sum (local.get $v)))
    (i64.add (i64.extend_i32_s (local.get $n))))

  (func (export "br_table") (param i32 i64) (result i64)
    (block $a (result v128)
      (block $b (result v128)
        (block $c (result v128)
          (br_table $a $b $c (call $mk (local.get 1) (i64.const 3)) (local.get 0)))
        (return (i64.add (call $sum) (i64.const 100))))
      (return (i64.add (call $sum) (i64.const 200))))
    (i64.add (call $sum) (i64.const 300)))

  (func (export "loop") (param i64 i32) (result i64)
    (i64x2.splat (local.get 0))
    (loop $l (param v128) (result v128)
      (i64x2.add (i64x2.splat (i64.const 3)))
      (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
      (br_if $l (local.get 1)))
    (call $sum))

  (func (export "if") (param i32 i64) (result i64)
    (call $mk (local.get 1) (i64.const 9))
    (if (param v128) (result v128) (local.get 0)
      (then (i64x2.mul (i64x2.splat (i64.const 2))))
      (else (i64x2.neg)))
    (call $sum))

  (func (export "calls") (param i64 i64 i32) (result i64)
    (local $p v128) (local $q v128) (local $n i32)
    (call $multi (local.get 2) (call $mk (local.get 0) (local.get 1)) (local.get 1) (call $mk (local.get 1) (local.get 0)))
    (local.set $q) (local.set $n) (local.set $p)
    (i64.add (call $sum (local.get $p)) (i64.add (call $sum (local.get $q)) (i64.extend_i32_u (local.get $n)))))

  (func (export "indirect") (param i32 i64 i64) (result i64)
    (call $sum (call_indirect (type $bin)
      (call $mk (local.get 1) (local.get 2)) (call $mk (local.get 2) (i64.const 11)) (local.get 0))))

  (func $tail (param v128 v128) (result v128) (return_call $addv (local.get 1) (local.get 0)))
  (func (export "tail") (param i64 i64) (result i64)
    (call $sum (call $tail (call $mk (local.get 0) (local.get 1)) (call $mk (local.get 1) (i64.const 1)))))

  (func (export "select") (param i32 i64 i64) (result i64)
    (i64.add
      (call $sum (select (call $mk (local.get 1) (local.get 2)) (call $mk (local.get 2) (local.get 1)) (local.get 0)))
      (call $sum (select (result v128) (i64x2.splat (local.get 1)) (i64x2.splat (local.get 2)) (local.get 0)))))

  (func (export "globals") (param i64) (result i64)
    (global.set $g (i64x2.add (global.get $g) (i64x2.splat (local.get 0))))
    (i64.add (call $sum (global.get $g)) (call $sum (global.get $k))))

  (func (export "memory") (param i32 i64 i64) (result i64)
    (v128.store offset=3 (local.get 0) (call $mk (local.get 1) (local.get 2)))
    (call $sum (v128.load offset=3 (local.get 0))))

  (func $thrower (param i64 i64) (throw $t (i32.const 5) (call $mk (local.get 0) (local.get 1)) (local.get 1)))
  (func (export "exception") (param i64 i64) (result i64)
    (local $v v128) (local $n i32) (local $w i64)
    (try
      (do (call $thrower (local.get 0) (local.get 1)))
      (catch $t (local.set $w) (local.set $v) (local.set $n)))
    (i64.add (call $sum (local.get $v)) (i64.add (local.get $w) (i64.extend_i32_u (local.get $n)))))

  (func (export "v128_in") (param v128) (result i32) (i32x4.extract_lane 0 (local.get 0)))
  (func (export "v128_out") (param i32) (result v128) (i32x4.splat (local.get 0)))
  (func (export "v128_id") (param v128 i32 v128) (result v128 i32) (i8x16.add (local.get 0) (local.get 2)) (local.get 1))
)`);

const CASES: [string, unknown[]][] = [
  ["locals", [3n, -7n, 5]],
  ["locals", [0x7fffffffffffffffn, 1n, -1]],
  ["swap_locals", [12n, 5n]],
  ["blocks", [3n, 4n, 2]],
  ["blocks", [3n, 4n, 20]],
  ["br_table", [0, 5n]],
  ["br_table", [1, 5n]],
  ["br_table", [2, 5n]],
  ["br_table", [9, 5n]],
  ["loop", [4n, 10]],
  ["if", [1, 6n]],
  ["if", [0, 6n]],
  ["calls", [2n, 3n, 4]],
  ["indirect", [0, 2n, 3n]],
  ["indirect", [1, 2n, 3n]],
  ["tail", [40n, 2n]],
  ["select", [1, 8n, 9n]],
  ["select", [0, 8n, 9n]],
  ["globals", [10n]],
  ["globals", [20n]],
  ["memory", [65520, 1n, 2n]],
  ["memory", [65530, 1n, 2n]], // out of bounds
  ["exception", [17n, 19n]],
];

type Exports = Record<string, (...a: unknown[]) => unknown>;

test("SIMD plumbing: v128 values through locals, blocks, branches, calls, globals, payloads and memory, as native", async () => {
  const { instance } = await instantiate(MODULE);
  const kiln = instance.exports as unknown as Exports;
  const native = new WebAssembly.Instance(new WebAssembly.Module(MODULE as BufferSource)).exports as unknown as Exports;
  for (const [name, args] of CASES) {
    let expected: unknown, actual: unknown;
    try {
      expected = native[name]!(...args);
    } catch (e) {
      expected = e instanceof WebAssembly.RuntimeError ? "trap" : e;
    }
    try {
      actual = await kiln[name]!(...args);
    } catch (e) {
      actual = (e as RuntimeError).name === "RuntimeError" ? "trap" : e;
    }
    assert.deepEqual(actual, expected, `${name}(${args.join(", ")})`);
  }
});

test("SIMD at the JS boundary: v128 parameters, results and globals are TypeErrors in JS form, bytes in raw form", async () => {
  const { instance } = await instantiate(MODULE);
  const e = instance.exports as unknown as Record<
    string,
    ((...a: unknown[]) => Promise<unknown>) & {
      callSync(...a: unknown[]): unknown;
      callRaw(a: unknown[]): Promise<unknown[]>;
    }
  >;
  const native = new WebAssembly.Instance(new WebAssembly.Module(MODULE as BufferSource)).exports as unknown as Exports;
  // The host's own WebAssembly agrees that these are TypeErrors.
  assert.throws(() => native.v128_in!(1), TypeError);
  assert.throws(() => native.v128_out!(1), TypeError);
  await assert.rejects(e.v128_in!(1), TypeError);
  await assert.rejects(e.v128_out!(1), TypeError);
  assert.throws(() => e.v128_out!.callSync(1), TypeError);
  // Raw form: a Uint8Array of 16 bytes, lane 0 first.
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  assert.deepEqual(await e.v128_in!.callRaw([bytes]), [0x33221100]);
  assert.deepEqual(await e.v128_out!.callRaw([0x01020304]), [
    Uint8Array.from([4, 3, 2, 1, 4, 3, 2, 1, 4, 3, 2, 1, 4, 3, 2, 1]),
  ]);
  const [sum, n] = await e.v128_id!.callRaw([bytes, 9, bytes]);
  assert.deepEqual(sum, bytes.map((b) => (2 * b) & 0xff));
  assert.equal(n, 9);
  await assert.rejects(e.v128_in!.callRaw([new Uint8Array(8)]), TypeError);
  // A v128 global: its value is a TypeError from JS, its raw value the bytes.
  const g = (instance.exports as unknown as { g: Global }).g;
  assert.throws(() => g.value, TypeError);
  assert.deepEqual(g.getRaw(), Uint8Array.from([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]));
  assert.throws(() => new Global({ value: "v128" as "i32", mutable: true }), TypeError);
});

test("SIMD at the JS boundary: calling a host import of a v128 type is a TypeError, before the host function runs", async () => {
  const bytes = wat(`(module
    (import "env" "f" (func $f (param i32) (result v128)))
    (import "env" "g" (func $g (param v128)))
    (func (export "callF") (result i32) (i32x4.extract_lane 0 (call $f (i32.const 1))))
    (func (export "callG") (call $g (v128.const i32x4 1 2 3 4))))`);
  let called = 0;
  const env = { f: () => called++, g: () => called++ };
  const { instance } = await instantiate(bytes, { env });
  const e = instance.exports as unknown as Record<string, () => Promise<unknown>>;
  await assert.rejects(e.callF!(), TypeError);
  await assert.rejects(e.callG!(), TypeError);
  assert.equal(called, 0);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env })
    .exports as unknown as Exports;
  assert.throws(() => native.callF!(), TypeError);
  assert.throws(() => native.callG!(), TypeError);
  assert.equal(called, 0);
});

test("SIMD: a trap inside a stretch of SIMD code reports the trapping instruction's offset, as V8 does", async () => {
  const bytes = wat(`(module (memory 1)
    (func (export "f") (param i32)
      (local $v v128)
      (local.set $v (v128.load (i32.const 0)))
      (local.set $v (i32x4.add (local.get $v) (local.get $v)))
      (v128.store (i32.const 16) (i32x4.mul (local.get $v) (v128.load offset=8 (local.get 0))))))`);
  const { instance } = await instantiate(bytes);
  const f = instance.exports.f as unknown as (n: number) => Promise<void>;
  const e = await f(65530).then(() => null, (e: RuntimeError) => e);
  assert.equal(e?.message, "out of bounds memory access");
  const offset = e!.backtrace[0]!.offset;
  // The second v128.load: the last `fd 00` (prefix, sub-opcode) before its memarg.
  let expected = -1;
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0x00) expected = i;
  assert.equal(offset, expected);
  await f(0); // in bounds: runs
  try {
    (new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports.f as (n: number) => void)(65530);
    assert.fail("native should trap");
  } catch (n) {
    const at = /wasm-function\[0\]:0x([0-9a-f]+)/.exec(String((n as Error).stack));
    if (at) assert.equal(parseInt(at[1]!, 16), expected); // V8 names wasm frames with offsets; JSC does not
  }
});
