/**
 * Liveness: yielding by fuel and by time, interruption (AbortSignal, `store.interrupt()`) and the per-call timeout.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, parseWat, RuntimeError, Store } from "../../mod.ts";

const SPIN = parseWat(`(module
  (global $n (export "n") (mut i32) (i32.const 0))
  ;; Per iteration: global.get, i32.const, i32.add, global.set, br = 5 units.
  (func (export "spin") (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1))) (br $l)))
  ;; Counts to the argument: per iteration local.get, i32.const, i32.add, local.tee, local.get, i32.lt_u, br_if = 7.
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
    (local.get 1)))`);

type Spin = () => Promise<void>;
const isInterrupt = (e: unknown) => e instanceof RuntimeError && e.message === "interrupt";

test("yielding: setInterval keeps ticking during (loop (br 0)); an AbortSignal stops it within one interval", async () => {
  const interval = 10_000;
  const controller = new AbortController();
  const store = new Store({ fuel: 2 ** 50, fuelYieldInterval: interval, signal: controller.signal });
  const { instance } = await instantiate(parseWat(`(module (func (export "spin") (loop (br 0))))`), {}, { store });
  let ticks = 0;
  let consumedAtAbort = -1;
  const timer = setInterval(() => {
    if (++ticks === 5) {
      consumedAtAbort = store.fuelConsumed;
      controller.abort();
    }
  }, 1);
  try {
    await assert.rejects((instance.exports.spin as Spin)(), isInterrupt);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 5, `ticked ${ticks} times`);
  const after = store.fuelConsumed - consumedAtAbort;
  assert.ok(after >= 0 && after <= interval, `ran ${after} units after the abort (interval ${interval})`);
});

test("yielding: an already aborted signal traps at function entry, before any fuel is used", async () => {
  const store = new Store({ fuel: 1000, signal: AbortSignal.abort() });
  const { instance } = await instantiate(SPIN, {}, { store });
  await assert.rejects((instance.exports.spin as Spin)(), isInterrupt);
  assert.equal(store.fuelConsumed, 0);
  assert.equal((instance.exports.n as { value: number }).value, 0);
});

test("yielding: the trap 'interrupt' carries a wasm backtrace", async () => {
  const controller = new AbortController();
  const { instance } = await instantiate(SPIN, {}, { fuelYieldInterval: 1000, signal: controller.signal });
  setTimeout(() => controller.abort(), 5);
  await assert.rejects((instance.exports.spin as Spin)(), (e) => {
    assert.ok(isInterrupt(e));
    const bt = (e as RuntimeError).backtrace;
    assert.equal(bt.length, 1);
    assert.equal(bt[0]!.funcIndex, 0);
    return true;
  });
});

test("yielding: store.interrupt() from a timer stops a yielding loop; the store stays usable", async () => {
  const store = new Store({ fuelYieldInterval: 5_000 });
  const { instance } = await instantiate(SPIN, {}, { store });
  setTimeout(() => store.interrupt(), 5);
  await assert.rejects((instance.exports.spin as Spin)(), isInterrupt);
  // The interrupt was consumed by the trap: the next call runs normally.
  assert.equal(await (instance.exports.count as (n: number) => Promise<number>)(1000), 1000);
});

test("yielding: without any yield option a busy loop cannot be interrupted by a timer (documented limit)", async () => {
  // The guest never returns to the event loop, so the timer runs only after the call ends: proof that yields are
  // what makes timers run (the counter-case of the tests above).
  const { instance } = await instantiate(SPIN);
  let fired = false;
  const t = setTimeout(() => (fired = true), 0);
  const started = Date.now();
  await (instance.exports.count as (n: number) => Promise<number>)(3_000_000);
  const ranFor = Date.now() - started;
  clearTimeout(t);
  if (ranFor >= 5) assert.equal(fired, false);
});

test("yieldEveryMs: timers keep running during a busy loop, and it consumes the same fuel as without", async () => {
  const n = 3_000_000; // 7n + 1 units
  const metered = new Store({ fuel: 2 ** 50, yieldEveryMs: 2 });
  const { instance } = await instantiate(SPIN, {}, { store: metered });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = Date.now();
  try {
    assert.equal(await (instance.exports.count as (n: number) => Promise<number>)(n), n);
  } finally {
    clearInterval(timer);
  }
  const ms = Date.now() - started;
  assert.equal(metered.fuelConsumed, 7 * n + 1);
  // A tick every millisecond is possible only between slices; demand a few per 10 ms of running (loose for CI).
  if (ms >= 20) assert.ok(ticks >= Math.floor(ms / 20), `${ticks} ticks in ${ms} ms`);
});

test("yieldEveryMs: a synchronous call runs to the end without yielding", () => {
  const store = new Store({ yieldEveryMs: 1 });
  return instantiate(SPIN, {}, { store }).then(({ instance }) => {
    const count = instance.exports.count as unknown as { callSync(n: number): number };
    assert.equal(count.callSync(2_000_000), 2_000_000);
  });
});

test("fuelYieldInterval: a synchronous call that would yield throws 'cannot suspend'", async () => {
  const { instance } = await instantiate(SPIN, {}, { fuelYieldInterval: 100 });
  const count = instance.exports.count as unknown as { callSync(n: number): number };
  assert.throws(() => count.callSync(1000), (e) => e instanceof RuntimeError && /cannot suspend/.test(e.message));
  assert.equal(count.callSync(5), 5); // 36 units: no yield point reached
});

test("callTimeoutMs: a runaway call traps 'interrupt' after the timeout, async and sync", async () => {
  const { instance } = await instantiate(SPIN, {}, { callTimeoutMs: 30 });
  let started = performance.now();
  await assert.rejects((instance.exports.spin as Spin)(), isInterrupt);
  let took = performance.now() - started;
  assert.ok(took >= 30 && took < 2000, `async call stopped after ${took} ms`);
  const spin = instance.exports.spin as unknown as { callSync(): void };
  started = performance.now();
  assert.throws(() => spin.callSync(), isInterrupt);
  took = performance.now() - started;
  assert.ok(took >= 30 && took < 2000, `sync call stopped after ${took} ms`);
  // Calls that finish in time are unaffected.
  assert.equal(await (instance.exports.count as (n: number) => Promise<number>)(1000), 1000);
});

test("callTimeoutMs with fuelYieldInterval: yields every interval and still times out", async () => {
  const store = new Store({ fuel: 2 ** 50, fuelYieldInterval: 1000, callTimeoutMs: 20 });
  const { instance } = await instantiate(SPIN, {}, { store });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await assert.rejects((instance.exports.spin as Spin)(), isInterrupt);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 1, `${ticks} ticks`);
});

test("callTimeoutMs: the start function is a call too", async () => {
  const bytes = parseWat(`(module (func $s (loop (br 0))) (start $s))`);
  await assert.rejects(instantiate(bytes, {}, { callTimeoutMs: 10 }), isInterrupt);
});

test("StoreOptions: bad yieldEveryMs, callTimeoutMs and fuel amounts are RangeErrors", () => {
  assert.throws(() => new Store({ yieldEveryMs: 0 }), RangeError);
  assert.throws(() => new Store({ callTimeoutMs: -1 }), RangeError);
  assert.throws(() => new Store({ callTimeoutMs: NaN }), RangeError);
  assert.throws(() => new Store({ fuel: -1 }), RangeError);
  assert.throws(() => new Store({ fuel: 1.5 }), RangeError);
  assert.throws(() => new Store({ fuel: 10 }).setFuel(NaN), RangeError);
});

test("store.interrupt() stops every call of the store that is awaiting a yield or a host Promise, and only those", async () => {
  const store = new Store({ fuelYieldInterval: 1000 });
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const bytes = parseWat(`(module (import "env" "wait" (func $wait))
    (func (export "spin") (loop $l (br $l)))
    (func (export "waitThenSpin") (call $wait) (loop $l (br $l))))`);
  const instances = [];
  for (let i = 0; i < 10; i++) {
    instances.push((await instantiate(bytes, { env: { wait: () => gate } }, { store })).instance);
  }
  const spinning = instances.map((inst) => (inst.exports.spin as Spin)());
  const waiting = instances.map((inst) => (inst.exports.waitThenSpin as Spin)());
  await new Promise((r) => setTimeout(r, 10));
  store.interrupt();
  const outcomes = await Promise.allSettled(spinning);
  for (const o of outcomes) assert.ok(o.status === "rejected" && isInterrupt(o.reason), String(o));
  release();
  const waited = await Promise.allSettled(waiting);
  for (const o of waited) assert.ok(o.status === "rejected" && isInterrupt(o.reason), String(o));
  // Calls started afterwards run normally.
  const other = await instantiate(SPIN, {}, { store });
  assert.equal(await (other.instance.exports.count as (n: number) => Promise<number>)(10_000), 10_000);
});
