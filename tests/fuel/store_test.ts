/**
 * The fuel API of a store: getFuel, setFuel (also from inside a host import), fuelConsumed, running out and
 * refuelling, fuel shared by every instance of a store.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, parseWat, RuntimeError, Store } from "../../mod.ts";

const isOutOfFuel = (e: unknown) => e instanceof RuntimeError && e.message === "all fuel consumed by WebAssembly";

// add: local.get, local.get, i32.add = 3 units.
// count(n): per iteration local.get, i32.const, i32.add, local.tee, local.get, i32.lt_u, br_if = 7; then local.get:
// 7n + 1 units for n >= 1.
const BYTES = parseWat(`(module
  (import "env" "probe" (func $probe))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $count (export "count") (param i32) (result i32) (local i32)
    (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
    (local.get 1))
  ;; call (probe), i32.const, call (count) = 3 units, charged as one run on entry; then count's 7 x 100 + 1.
  (func (export "probeThenCount") (result i32) (call $probe) (call $count (i32.const 100))))`);

type Fn = (...a: number[]) => Promise<number>;

async function setup(options: ConstructorParameters<typeof Store>[0], probe: () => void = () => {}) {
  const store = new Store(options);
  const { instance } = await instantiate(BYTES, { env: { probe } }, { store });
  return { store, exports: instance.exports as Record<string, Fn> };
}

test("store: fuelConsumed counts every call and survives setFuel", async () => {
  const { store, exports } = await setup({ fuel: 1000 });
  assert.equal(store.fuelConsumed, 0);
  assert.equal(await exports.add!(1, 2), 3);
  assert.equal(store.fuelConsumed, 3);
  assert.equal(store.getFuel(), 997);
  store.setFuel(50);
  assert.equal(store.fuelConsumed, 3);
  assert.equal(await exports.count!(5), 5); // 36
  assert.equal(store.fuelConsumed, 39);
  assert.equal(store.getFuel(), 14);
});

test("store: running out traps, leaves the fuel at 0, and a refuelled store runs again", async () => {
  const { store, exports } = await setup({ fuel: 100 });
  await assert.rejects(exports.count!(1000), isOutOfFuel);
  assert.equal(store.getFuel(), 0);
  assert.equal(store.fuelConsumed, 100);
  await assert.rejects(exports.add!(1, 2), isOutOfFuel); // 3 units do not fit in 0
  assert.equal(store.fuelConsumed, 100);
  store.setFuel(7 * 1000 + 1);
  assert.equal(await exports.count!(1000), 1000);
  assert.equal(store.getFuel(), 0);
  assert.equal(store.fuelConsumed, 100 + 7001);
});

test("store: a call given exactly the fuel it needs succeeds and leaves 0", async () => {
  const { store, exports } = await setup({ fuel: 7 * 50 + 1 });
  assert.equal(await exports.count!(50), 50);
  assert.equal(store.getFuel(), 0);
  assert.equal(store.fuelConsumed, 351);
  // One unit short: the loop's runs are checked at its header and all fit; the final local.get runs after the loop,
  // unchecked, and overshoots by 1. getFuel() clamps at 0 (like Wasmtime's), fuelConsumed counts the real work,
  // and the next call traps at its entry checkpoint without consuming anything.
  const short = await setup({ fuel: 7 * 50 });
  assert.equal(await short.exports.count!(50), 50);
  assert.equal(short.store.getFuel(), 0);
  assert.equal(short.store.fuelConsumed, 351);
  await assert.rejects(short.exports.add!(1, 2), isOutOfFuel);
  assert.equal(short.store.fuelConsumed, 351);
  // Two units short: the last loop-header run does not fit.
  const shorter = await setup({ fuel: 7 * 50 - 1 });
  await assert.rejects(shorter.exports.count!(50), isOutOfFuel);
  assert.equal(shorter.store.getFuel(), 0);
  assert.equal(shorter.store.fuelConsumed, 349);
});

test("store: a host import sees the fuel charged so far and its setFuel takes effect", async () => {
  let seen = -1;
  const store = new Store({ fuel: 10_000 });
  const probe = () => {
    seen = store.getFuel();
    store.setFuel(100); // not enough for count(100): 701 units
  };
  const { instance } = await instantiate(BYTES, { env: { probe } }, { store });
  await assert.rejects((instance.exports.probeThenCount as Fn)(), isOutOfFuel);
  // The entry run (call, i32.const, call = 3 units) was charged before the probe ran.
  assert.equal(seen, 10_000 - 3);
  assert.ok(store.getFuel() <= 100);
});

test("store: instances of one store share its fuel", async () => {
  const store = new Store({ fuel: 10 });
  const a = (await instantiate(BYTES, { env: { probe: () => {} } }, { store })).instance;
  const b = (await instantiate(BYTES, { env: { probe: () => {} } }, { store })).instance;
  assert.equal(await (a.exports.add as Fn)(1, 1), 2);
  assert.equal(await (b.exports.add as Fn)(1, 1), 2);
  assert.equal(await (a.exports.add as Fn)(1, 1), 2);
  assert.equal(store.getFuel(), 1);
  await assert.rejects((b.exports.add as Fn)(1, 1), isOutOfFuel);
});

// Regression: when a host import ran a nested wasm call and then threw, the outer machine's catch wrote back the
// fuel it held before the host call, refunding the nested call.
test("store: fuel used by a nested call stays consumed when the host import then throws", async () => {
  const store = new Store({ fuel: 100_000 });
  const ref: { count?: { callSync(n: number): number } } = {};
  const h = () => {
    ref.count!.callSync(1000);
    throw new Error("boom");
  };
  const bytes = parseWat(`(module (import "env" "h" (func $h))
    (func (export "count") (param i32) (result i32) (local i32)
      (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
      (local.get 1))
    (func (export "outer") (call $h)))`);
  const { instance } = await instantiate(bytes, { env: { h } }, { store });
  ref.count = instance.exports.count as unknown as { callSync(n: number): number };
  await assert.rejects((instance.exports.outer as Fn)(), /boom/);
  assert.equal(store.fuelConsumed, 1 + 7001); // outer's call + count(1000)
});

// Regression: the same when the host import returns a value that cannot be converted (a TypeError raised while
// the machine writes the results back).
test("store: fuel used by a nested call stays consumed when the host import's result fails to convert", async () => {
  const store = new Store({ fuel: 100_000 });
  const ref: { count?: { callSync(n: number): number } } = {};
  const h = () => {
    ref.count!.callSync(1000);
    return Symbol("not a number");
  };
  const bytes = parseWat(`(module (import "env" "h" (func $h (result i32)))
    (func (export "count") (param i32) (result i32) (local i32)
      (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
      (local.get 1))
    (func (export "outer") (result i32) (call $h)))`);
  const { instance } = await instantiate(bytes, { env: { h } }, { store });
  ref.count = instance.exports.count as unknown as { callSync(n: number): number };
  await assert.rejects((instance.exports.outer as Fn)(), TypeError);
  assert.equal(store.fuelConsumed, 1 + 7001); // outer's call + count(1000)
});

test("store: fuel amounts above 2^52 are clamped, and fuel APIs throw without metering", () => {
  const store = new Store({ fuel: Number.MAX_VALUE });
  assert.equal(store.getFuel(), 2 ** 52);
  store.setFuel(Infinity);
  assert.equal(store.getFuel(), 2 ** 52);
  const off = new Store();
  assert.throws(() => off.getFuel(), /fuel is not configured/);
  assert.throws(() => off.setFuel(1), /fuel is not configured/);
  assert.throws(() => off.fuelConsumed, /fuel is not configured/);
});
