/**
 * Fairness: many instances running CPU-bound loops at once all make progress when they yield.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, Module, parseWat, RuntimeError, Store, type StoreOptions } from "../../mod.ts";

const SPIN = new Module(parseWat(`(module
  (global $n (export "n") (mut i32) (i32.const 0))
  (func (export "spin") (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1))) (br $l))))`));

/** Runs `count` spinning instances in one store for `ms` milliseconds; returns each one's iteration count. */
async function race(count: number, ms: number, options: StoreOptions): Promise<number[]> {
  const controller = new AbortController();
  const store = new Store({ ...options, signal: controller.signal });
  const instances = [];
  for (let i = 0; i < count; i++) instances.push((await instantiate(SPIN, {}, { store })).instance);
  const runs = instances.map((inst) => (inst.exports.spin as () => Promise<void>)());
  setTimeout(() => controller.abort(), ms);
  const outcomes = await Promise.allSettled(runs);
  for (const o of outcomes) {
    assert.equal(o.status, "rejected");
    const e = (o as PromiseRejectedResult).reason;
    assert.ok(e instanceof RuntimeError && e.message === "interrupt", String(e));
  }
  return instances.map((inst) => (inst.exports.n as { value: number }).value);
}

function summary(progress: number[]): string {
  const min = Math.min(...progress), max = Math.max(...progress);
  const total = progress.reduce((a, b) => a + b, 0);
  return `min ${min}, max ${max}, max/min ${(max / Math.max(min, 1)).toFixed(2)}, total ${total}`;
}

test("fairness: 100 instances spinning with fuelYieldInterval all advance", async () => {
  const progress = await race(100, 300, { fuelYieldInterval: 10_000 });
  console.log(`fuelYieldInterval 10000, 100 instances, 300 ms: ${summary(progress)}`);
  const min = Math.min(...progress), max = Math.max(...progress);
  // Every instance ran at least one full interval (5 units per iteration: 2000 iterations).
  assert.ok(min >= 2000, summary(progress));
  // Round-robin through the macrotask queue: no instance gets more than a few slices more than another.
  assert.ok(max - min <= 4 * 2000 + 1, summary(progress));
});

test("fairness: 100 instances spinning with yieldEveryMs all advance", async () => {
  const progress = await race(100, 300, { yieldEveryMs: 1 });
  console.log(`yieldEveryMs 1, 100 instances, 300 ms: ${summary(progress)}`);
  assert.ok(Math.min(...progress) > 0, summary(progress));
});

test("fairness: with 100 instances sharing a metered store, its fuel is exactly their summed work", async () => {
  // Same loop, fuel on: each instance's store-wide share is visible through its own counter only, so check that
  // the store's total fuel equals 5 units per iteration summed over all instances (plus nothing else).
  const controller = new AbortController();
  const store = new Store({ fuel: 2 ** 50, fuelYieldInterval: 5_000, signal: controller.signal });
  const instances = [];
  for (let i = 0; i < 100; i++) instances.push((await instantiate(SPIN, {}, { store })).instance);
  const runs = instances.map((inst) => (inst.exports.spin as () => Promise<void>)());
  setTimeout(() => controller.abort(), 100);
  await Promise.allSettled(runs);
  const progress = instances.map((inst) => (inst.exports.n as { value: number }).value);
  const total = progress.reduce((a, b) => a + b, 0);
  // Each iteration: global.get, i32.const, i32.add, global.set, br = 5. A stopped loop may have paid for one more
  // header run (the loop's first run) than it completed: at most 5 units per instance.
  const consumed = store.fuelConsumed;
  assert.ok(consumed >= 5 * total && consumed <= 5 * total + 5 * 100, `consumed ${consumed}, 5 x ${total}`);
  assert.ok(Math.min(...progress) >= 1000, summary(progress));
});
