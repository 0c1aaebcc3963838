import { test } from "node:test";
import assert from "node:assert/strict";
import { type ExportedFunction, instantiate } from "../../mod.ts";
import { wat } from "../api/_wat.ts";

// The machine passes 0–3 arguments to a host import directly and more through an array; i32 arguments and an i32
// result have an inline path. Every arity and value type must still arrive converted as the JS API says.
const SOURCE = `(module
  (import "env" "h0" (func $h0 (result i32)))
  (import "env" "h1" (func $h1 (param i64) (result i64)))
  (import "env" "h2" (func $h2 (param i32 f32) (result f32)))
  (import "env" "h3" (func $h3 (param i32 f64 externref) (result i32)))
  (import "env" "h5" (func $h5 (param i32 i64 f32 f64 i32) (result f64)))
  (import "env" "r" (func $r (param i32) (result i32)))
  (func (export "c0") (result i32) (call $h0))
  (func (export "c1") (param i64) (result i64) (call $h1 (local.get 0)))
  (func (export "c2") (param i32 f32) (result f32) (call $h2 (local.get 0) (local.get 1)))
  (func (export "c3") (param i32 f64 externref) (result i32) (call $h3 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "c5") (result f64)
    (call $h5 (i32.const -1) (i64.const -2) (f32.const 1.5) (f64.const 2.25) (i32.const 7)))
  (func (export "r") (param i32) (result i32) (call $r (local.get 0))))`;

test("host imports of 0, 1, 2, 3 and 5 parameters receive converted arguments and return converted results", async () => {
  const seen: unknown[][] = [];
  const env = {
    h0: () => 3_000_000_000, // wraps to an i32
    h1: (x: bigint) => (seen.push([x]), x * 2n),
    h2: (x: number, y: number) => (seen.push([x, y]), y * x),
    h3: (x: number, y: number, z: unknown) => (seen.push([x, y, z]), "12"), // a string converts with ToInt32
    h5: (...a: unknown[]) => (seen.push(a), a.length + 0.5),
    r: (x: number) => Promise.resolve(x + 1),
  };
  const { instance } = await instantiate(wat(SOURCE), { env });
  const e = instance.exports as Record<string, ExportedFunction>;
  assert.equal(e.c0!.callSync(), 3_000_000_000 | 0);
  assert.equal(e.c1!.callSync(-21n), -42n);
  assert.equal(e.c2!.callSync(-3, 0.5), -1.5);
  const ref = { tag: 1 };
  assert.equal(e.c3!.callSync(5, 0.25, ref), 12);
  assert.equal(e.c5!.callSync(), 5.5);
  assert.equal(await e.r!(41), 42);
  assert.deepEqual(seen, [[-21n], [-3, 0.5], [5, 0.25, ref], [-1, -2n, 1.5, 2.25, 7]]);
});

test("a host import's wrong result type is a TypeError, not a corrupted value", async () => {
  const { instance } = await instantiate(wat(SOURCE), {
    env: { h0: () => 0, h1: () => 1.5, h2: () => 0, h3: () => 0, h5: () => 0, r: (x: number) => x },
  });
  const e = instance.exports as Record<string, ExportedFunction>;
  assert.throws(() => e.c1!.callSync(1n), TypeError);
  assert.equal(e.r!.callSync(-7), -7);
});

test("in a re-entered call, host imports get arguments, return results, throw and suspend as at top level", async () => {
  // A call made from inside a host import calls its own host imports from outside the interpreter loop (see
  // Machine.hostCallsOutside): conversions, exceptions and suspension must be the same there.
  const seen: unknown[][] = [];
  const boom = new Error("boom");
  let h1: (x: bigint) => unknown = (x) => x * 2n;
  const ref: { e?: Record<string, ExportedFunction> } = {};
  const env = {
    h0: () => 0,
    h1: (x: bigint) => h1(x),
    h2: () => 0,
    h3: () => 0,
    h5: (...a: unknown[]) => (seen.push(a), a.length + 0.5),
    // r re-enters c1 (one i64 parameter) or, for 0, c5 (five parameters, through an argument array).
    r: (x: number): unknown => {
      const e = ref.e!;
      if (x === 0) return e.c5!.callSync();
      const sync = x > 0, n = BigInt(Math.abs(x));
      return sync ? Number(e.c1!.callSync(n)) : (e.c1!(n) as Promise<bigint>).then(Number);
    },
  };
  const { instance } = await instantiate(wat(SOURCE), { env });
  const e = ref.e = instance.exports as Record<string, ExportedFunction>;
  const r = e.r!;
  assert.equal(r.callSync(21), 42);
  assert.equal(r.callSync(0), 5); // 5.5 from h5, then ToInt32 in r's i32 result
  assert.deepEqual(seen, [[-1, -2n, 1.5, 2.25, 7]]);
  h1 = () => {
    throw boom;
  };
  assert.throws(() => r.callSync(21), (x) => x === boom);
  h1 = () => 1.5; // not an i64
  assert.throws(() => r.callSync(21), TypeError);
  h1 = (x) => Promise.resolve(x * 3n); // the inner call suspends
  assert.equal(await r(-21), 63);
  h1 = (x) => x * 2n;
  assert.equal(r.callSync(21), 42); // nothing left behind
});
