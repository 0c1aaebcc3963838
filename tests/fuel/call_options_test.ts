/**
 * Per-call interruption (`callWith({ signal, timeoutMs })`) and a store signal without any yield option: both must
 * stop a busy guest, and stop a guest awaiting a host Promise that never settles.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, parseWat, RuntimeError, Store } from "../../mod.ts";

const SPIN = parseWat(`(module (func (export "spin") (loop (br 0))))`);
const WAIT = parseWat(`(module
  (import "host" "never" (func $never))
  (func (export "wait") (call $never)))`);

type Exported = ((...a: unknown[]) => Promise<unknown>) & {
  callWith(options: { signal?: AbortSignal; timeoutMs?: number }, ...args: unknown[]): Promise<unknown>;
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
