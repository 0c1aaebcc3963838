// Wide arithmetic (i64.add128, i64.sub128, i64.mul_wide_s, i64.mul_wide_u): two i64 halves of a 128-bit result,
// low half first, in the slots the translator gives them, usable by the instructions after.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ExportedFunction, instantiate, parseWat, Store } from "../../mod.ts";

const WIDE = `(module
  (func (export "add") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_s") (param i64 i64) (result i64 i64) (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_u") (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; The halves feed the next instructions, the low one staying on the stack under others for a while.
  (func (export "mix") (param $n i64) (result i64) (local $acc i64) (local $x i64)
    (loop $l
      (i64.mul_wide_u (local.get $n) (i64.const 0x9e3779b97f4a7c15))
      (local.set $x (i64.xor (local.get $x)))
      (local.set $acc (i64.add (local.get $acc) (i64.sub (local.get $x))))
      (br_if $l (i64.ne (local.tee $n (i64.sub (local.get $n) (i64.const 1))) (i64.const 0))))
    (local.get $acc)))`;

const MIN = -(2n ** 63n);

test("wide arithmetic: carries, borrows and signed and unsigned products", async () => {
  const { instance } = await instantiate(parseWat(WIDE));
  const e = instance.exports as Record<string, ExportedFunction>;
  assert.deepEqual(e.add!.callSync(-1n, 0n, 1n, 0n), [0n, 1n]); // (2^64 - 1) + 1 = 2^64
  assert.deepEqual(e.add!.callSync(-1n, -1n, 1n, 0n), [0n, 0n]); // 2^128 - 1 + 1 wraps to 0
  assert.deepEqual(e.sub!.callSync(0n, 0n, 1n, 0n), [-1n, -1n]); // 0 - 1 = 2^128 - 1
  assert.deepEqual(e.sub!.callSync(0n, 1n, 1n, 0n), [-1n, 0n]); // 2^64 - 1
  assert.deepEqual(e.mul_s!.callSync(-1n, -1n), [1n, 0n]);
  assert.deepEqual(e.mul_s!.callSync(MIN, -1n), [MIN, 0n]); // 2^63
  assert.deepEqual(e.mul_s!.callSync(MIN, MIN), [0n, 2n ** 62n]); // 2^126
  assert.deepEqual(e.mul_u!.callSync(-1n, -1n), [1n, -2n]); // (2^64 - 1)^2 = 2^128 - 2^65 + 1
  assert.deepEqual(e.mul_u!.callSync(MIN, 2n), [0n, 1n]); // 2^63 * 2 = 2^64
});

test("wide arithmetic: results feed later instructions, and each op costs one unit of fuel", async () => {
  const store = new Store({ fuel: 1e9 });
  const { instance } = await instantiate(parseWat(WIDE), {}, { store });
  const mix = instance.exports.mix as ExportedFunction;
  // Reference, written from the spec independently of the machine. The loop leaves the product's low half on the
  // stack under its high half: $x = hi ^ $x; then $acc = lo + ($acc - $x), with lo from under the other operands.
  let acc = 0n, x = 0n, n = 1000n;
  do {
    const p = BigInt.asUintN(64, n) * 0x9e3779b97f4a7c15n;
    const lo = BigInt.asIntN(64, p), hi = BigInt.asIntN(64, p >> 64n);
    x = hi ^ x;
    acc = BigInt.asIntN(64, lo + (acc - x));
    n--;
  } while (n !== 0n);
  const before = store.fuelConsumed;
  assert.equal(mix.callSync(1000n), acc); // 209726980078337926n, as V8 with --experimental-wasm-wide-arithmetic
  const perIteration = 3 /* get, const, mul_wide_u */ + 3 /* get, xor, set */ + 5 /* get, get, sub, add, set */ +
    7; /* get, const, sub, tee, const, ne, br_if */
  assert.equal(store.fuelConsumed - before, 1000 * perIteration + 1 /* the final local.get */);
});
