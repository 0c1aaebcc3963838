/**
 * Per-call interruption (`callWith({ signal, timeoutMs })`) and a store signal without any yield option: both must
 * stop a busy guest, and stop a guest awaiting a host Promise that never settles. A synchronous call, which no
 * signal can abort from outside, is refused where a signal is the store's only limit, as `callWith` refuses a limit
 * it cannot enforce.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, parseWat, RuntimeError, Store, type StoreOptions } from "../../mod.ts";

const SPIN = parseWat(`(module (func (export "spin") (loop (br 0))))`);
const SPIN_OR_ONE = parseWat(`(module
  (import "host" "tick" (func $tick))
  (func (export "one") (result i32) (i32.const 1))
  (func (export "spin") (loop (call $tick) (br 0))))`);
const WAIT = parseWat(`(module
  (import "host" "never" (func $never))
  (func (export "wait") (call $never)))`);

type Exported = ((...a: unknown[]) => Promise<unknown>) & {
  callWith(options: { signal?: AbortSignal; timeoutMs?: number }, ...args: unknown[]): Promise<unknown>;
  callSync(...args: unknown[]): unknown;
  callRawSync(args: unknown[]): unknown[];
};
const isInterrupt = (e: unknown) => e instanceof RuntimeError && e.message === "interrupt";

test("a store signal stops a busy loop even without fuelYieldInterval or yieldEveryMs", async () => {
  const store = new Store({ signal: AbortSignal.timeout(30) });
  const { instance } = await instantiate(SPIN, {}, { store });
  await assert.rejects((instance.exports.spin as Exported)(), isInterrupt);
});

test("callWith({ signal }) stops one call; other calls of the store go on", async () => {
  const store = new Store({ yieldEveryMs: 2 });
  const { instance } = await instantiate(SPIN, {}, { store });
  const spin = instance.exports.spin as Exported;
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(spin.callWith({ signal: controller.signal }), isInterrupt);
  // The store is not poisoned: a later call with its own limit runs until that limit.
  const t0 = performance.now();
  await assert.rejects(spin.callWith({ timeoutMs: 30 }), isInterrupt);
  assert.ok(performance.now() - t0 >= 25, "the second call ran until its own timeout");
});

test("callWith({ timeoutMs }) stops a call awaiting a host Promise that never settles", async () => {
  const store = new Store({ yieldEveryMs: 5 });
  const { instance } = await instantiate(WAIT, { host: { never: () => new Promise(() => {}) } }, { store });
  await assert.rejects((instance.exports.wait as Exported).callWith({ timeoutMs: 20 }), isInterrupt);
});

test("callWith({ signal }) stops a call awaiting a host Promise when the signal aborts", async () => {
  const store = new Store({ yieldEveryMs: 5 });
  const { instance } = await instantiate(WAIT, { host: { never: () => new Promise(() => {}) } }, { store });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 10);
  await assert.rejects((instance.exports.wait as Exported).callWith({ signal: controller.signal }), isInterrupt);
});

test("callWith() refuses limits it could never enforce, and bad timeouts", async () => {
  const { instance } = await instantiate(SPIN); // no checkpoints in this store
  const spin = instance.exports.spin as Exported;
  await assert.rejects(spin.callWith({ signal: new AbortController().signal }), /no checkpoints/);
  const { instance: ticking } = await instantiate(SPIN, {}, { yieldEveryMs: 5 });
  await assert.rejects((ticking.exports.spin as Exported).callWith({ timeoutMs: -1 }), RangeError);
  await assert.rejects((ticking.exports.spin as Exported).callWith({ signal: AbortSignal.abort() }), isInterrupt);
});

/** SPIN_OR_ONE's exports in a new store; `tick` runs on every turn of the spin loop. */
async function spinOrOne(options: StoreOptions, tick: () => void = () => {}): Promise<Record<string, Exported>> {
  const { instance } = await instantiate(SPIN_OR_ONE, { host: { tick } }, { store: new Store(options) });
  return instance.exports as Record<string, Exported>;
}
const isRefusal = (e: unknown) =>
  e instanceof Error && !(e instanceof RuntimeError) && /^Cannot stop this call: a synchronous call/.test(e.message);

test("callSync refuses up front a store whose only limit is its signal; async calls still run", async () => {
  const controller = new AbortController();
  const { one, spin } = await spinOrOne({ signal: controller.signal });
  assert.throws(() => one!.callSync(), isRefusal); // even a call that would return at once: the rule is the store's
  assert.throws(() => one!.callRawSync([]), isRefusal);
  assert.throws(() => spin!.callSync(), isRefusal); // no longer a loop nothing can stop
  assert.equal(await one!(), 1);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(spin!(), isInterrupt);
  // Aborted now: a synchronous call traps "interrupt" before it starts, in this store as in any other.
  assert.throws(() => spin!.callSync(), isInterrupt);
  const { one: bounded } = await spinOrOne({ signal: AbortSignal.abort(), fuel: 1000 });
  assert.throws(() => bounded!.callSync(), isInterrupt);
});

test("callSync runs in a signal store that also has fuel, callTimeoutMs or fuelYieldInterval, each of which stops it", async () => {
  const signal = new AbortController().signal;
  const fuel = await spinOrOne({ signal, fuel: 10_000 });
  assert.equal(fuel.one!.callSync(), 1);
  assert.throws(() => fuel.spin!.callSync(), (e) => e instanceof RuntimeError && /fuel/.test(e.message));
  const timed = await spinOrOne({ signal, callTimeoutMs: 20 });
  assert.equal(timed.one!.callSync(), 1);
  assert.throws(() => timed.spin!.callSync(), isInterrupt);
  const yielding = await spinOrOne({ signal, fuelYieldInterval: 1000 });
  assert.equal(yielding.one!.callSync(), 1);
  assert.throws(() => yielding.spin!.callSync(), (e) => e instanceof RuntimeError && /cannot suspend/.test(e.message));
});

test("callSync honours a store signal aborted by the guest's own host import", async () => {
  const controller = new AbortController();
  let ticks = 0;
  // callTimeoutMs is only the backstop that lets callSync run here; the abort must stop the call long before it.
  const { spin } = await spinOrOne({ signal: controller.signal, callTimeoutMs: 60_000 }, () => {
    if (++ticks === 100) controller.abort();
  });
  const started = performance.now();
  assert.throws(() => spin!.callSync(), isInterrupt);
  assert.ok(performance.now() - started < 30_000, "stopped by the signal, not by the timeout");
  assert.ok(ticks >= 100 && ticks < 1000, `${ticks} ticks`);
});
