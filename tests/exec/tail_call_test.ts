// Tail calls (return_call, return_call_indirect): the callee's frame replaces the caller's, so mutual tail recursion
// runs in constant machine stack; a host callee is called and its results returned; results agree with the host's
// WebAssembly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ExportedFunction, instantiate, parseWat, Store } from "../../mod.ts";

const EVEN_ODD = `(module
  (type $pred (func (param i64) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even $odd)
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
      (else (return_call_indirect (type $pred) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0))))))`;

test("tail calls: 1,000,000-deep mutual tail recursion runs in a 16 KiB wasm stack", async () => {
  // 16 KiB holds a few hundred frames at most: only constant stack passes.
  const { instance } = await instantiate(parseWat(EVEN_ODD), {}, { maxWasmStack: 16 * 1024 });
  const even = instance.exports.even as ExportedFunction;
  assert.equal(even.callSync(1_000_000n), 1);
  assert.equal(await even(999_999n), 0);
  assert.equal((instance.exports.odd as ExportedFunction).callSync(1_000_001n), 1);
});

test("tail calls: the same recursion with fuel costs what it runs, and the results match the host's", async () => {
  const bytes = parseWat(EVEN_ODD);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports;
  const store = new Store({ fuel: 1e9 });
  const { instance } = await instantiate(bytes, {}, { store });
  for (const n of [0n, 1n, 2n, 7n, 100n]) {
    assert.equal((instance.exports.even as ExportedFunction).callSync(n), (native.even as (n: bigint) => number)(n));
  }
  const before = store.fuelConsumed;
  (instance.exports.even as ExportedFunction).callSync(10n);
  // Per level: i64.eqz's run (local.get, i64.eqz, if = 3), then the else run (local.get, i64.const, i64.sub, the
  // call = 4; return_call_indirect's table index adds 1 on odd levels); the last level's then-run is 1.
  assert.equal(store.fuelConsumed - before, 5 * (3 + 4) + 5 * (3 + 5) + 3 + 1);
});

test("tail calls: to a host import (sync and async) return its results; across instances too", async () => {
  const text = `(module
    (import "env" "twice" (func $twice (param i32) (result i32)))
    (import "env" "later" (func $later (param i32) (result i32)))
    (import "other" "inc" (func $inc (param i32) (result i32)))
    (type $t (func (param i32) (result i32)))
    (table funcref (elem $twice $later $inc))
    (func (export "viaTwice") (param i32) (result i32) (return_call $twice (i32.add (local.get 0) (i32.const 1))))
    (func (export "viaLater") (param i32) (result i32) (return_call $later (local.get 0)))
    (func (export "viaInc") (param i32) (result i32) (return_call $inc (local.get 0)))
    (func (export "viaTable") (param i32 i32) (result i32)
      (return_call_indirect (type $t) (local.get 0) (local.get 1))))`;
  const { instance: other } = await instantiate(
    parseWat(`(module (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))`),
  );
  const env = { twice: (x: number) => 2 * x, later: (x: number) => Promise.resolve(x + 100) };
  const { instance } = await instantiate(parseWat(text), { env, other: { inc: other.exports.inc } });
  const e = instance.exports as Record<string, ExportedFunction>;
  assert.equal(e.viaTwice!.callSync(4), 10);
  assert.equal(await e.viaLater!(1), 101);
  assert.equal(e.viaInc!.callSync(41), 42);
  assert.deepEqual([await e.viaTable!(5, 0), await e.viaTable!(5, 1), await e.viaTable!(5, 2)], [10, 105, 6]);
});

test("tail calls: a trap in the tail callee has the callee, not the replaced caller, on top of the backtrace", async () => {
  const { instance } = await instantiate(parseWat(`(module
    (func $boom (unreachable))
    (func $mid (return_call $boom))
    (func (export "top") (call $mid)))`));
  await assert.rejects(
    (instance.exports.top as ExportedFunction)(),
    (e: Error & { backtrace?: { funcName?: string }[] }) => {
      assert.deepEqual(e.backtrace!.map((f) => f.funcName), ["boom", undefined]);
      return true;
    },
  );
});
