import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, RuntimeError, Store } from "../../mod.ts";
import { wat } from "./_wat.ts";

// Fuel model (Wasmtime): 1 per operator except nop, drop, block, loop, unreachable, return, else, end (0).
const PROGRAMS = wat(`(module
  ;; i32.const, i32.const, i32.add = 3 (end is free)
  (func (export "three") (result i32) (i32.add (i32.const 1) (i32.const 2)))
  ;; Per iteration: local.get, i32.const, i32.add, local.set, local.get, local.get, i32.lt_s, br_if = 8
  ;; (loop is free), then the final local.get = 1: total 8n + 1 for n >= 1.
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get 1) (local.get 0))))
    (local.get 1))
  ;; call (1) + callee "three" (3) + drop (0) + nop (0) + block (0) + i32.const (1) = 5
  (func (export "calls") (result i32) (drop (call 0)) (nop) (block (result i32) (i32.const 9)))
  ;; memory.fill: i32.const x3 (3) + memory.fill (1) + 1 per byte (10) = 14
  (memory 1)
  (func (export "fill") (memory.fill (i32.const 0) (i32.const 7) (i32.const 10)))
  (func (export "spin") (loop $l (br $l))))`);

async function fuelUsed(name: string, args: number[], options: { fuelYieldInterval?: number } = {}) {
  const store = new Store({ fuel: 1_000_000, ...options });
  const { instance } = await instantiate(PROGRAMS, {}, { store });
  const f = instance.exports[name] as (...a: number[]) => Promise<unknown>;
  await f(...args);
  return 1_000_000 - store.getFuel();
}

test("fuel: straight-line code costs one unit per operator", async () => {
  assert.equal(await fuelUsed("three", []), 3);
});

test("fuel: a loop costs exactly 8n + 1", async () => {
  assert.equal(await fuelUsed("count", [10]), 81);
  assert.equal(await fuelUsed("count", [1000]), 8001);
});

test("fuel: calls, free operators and bulk memory bytes", async () => {
  assert.equal(await fuelUsed("calls", []), 5);
  assert.equal(await fuelUsed("fill", []), 14);
});

test("fuel: the same program consumes the same fuel with and without yielding", async () => {
  for (const interval of [1, 7, 100]) {
    assert.equal(await fuelUsed("count", [500], { fuelYieldInterval: interval }), 4001);
  }
});

test("fuel: running out traps with Wasmtime's message at a checkpoint", async () => {
  // count(10) has charged 80 units at its 10th loop header: 79 units run out there.
  const store = new Store({ fuel: 79 });
  const { instance } = await instantiate(PROGRAMS, {}, { store });
  await assert.rejects(
    (instance.exports.count as (n: number) => Promise<number>)(10),
    (e) => e instanceof RuntimeError && e.message === "all fuel consumed by WebAssembly",
  );
  const enough = new Store({ fuel: 81 });
  const { instance: i2 } = await instantiate(PROGRAMS, {}, { store: enough });
  assert.equal(await (i2.exports.count as (n: number) => Promise<number>)(10), 10);
  assert.equal(enough.getFuel(), 0);
});

test("fuel: getFuel/setFuel throw when metering is off", () => {
  const store = new Store();
  assert.throws(() => store.getFuel());
  assert.throws(() => store.setFuel(1));
});

test("yielding: a setInterval keeps ticking during (loop (br 0)) and an AbortSignal stops it", async () => {
  const controller = new AbortController();
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    if (ticks === 3) controller.abort();
  }, 2);
  try {
    const { instance } = await instantiate(PROGRAMS, {}, { fuelYieldInterval: 10_000, signal: controller.signal });
    await assert.rejects(
      (instance.exports.spin as () => Promise<void>)(),
      (e) => e instanceof RuntimeError && e.message === "interrupt",
    );
    assert.ok(ticks >= 3, `interval ticked ${ticks} times`);
  } finally {
    clearInterval(timer);
  }
});

test("store.interrupt() stops running code at its next checkpoint", async () => {
  const bytes = wat(`(module (import "env" "tick" (func $tick))
    (func (export "spin") (loop $l (call $tick) (br $l))))`);
  const store = new Store();
  let n = 0;
  const { instance } = await instantiate(bytes, {
    env: {
      tick: () => {
        if (++n === 100) store.interrupt();
      },
    },
  }, {
    store,
  });
  await assert.rejects((instance.exports.spin as () => Promise<void>)(), /interrupt/);
  assert.equal(n, 100);
});

test("deep recursion traps with 'call stack exhausted', never a JS RangeError", async () => {
  const bytes = wat(`(module
    (func $f (export "f") (param i32) (result i32) (i32.add (call $f (local.get 0)) (i32.const 1)))
    (func $g (export "depth") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (call $g (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))`);
  const { instance } = await instantiate(bytes);
  await assert.rejects(
    (instance.exports.f as (x: number) => Promise<number>)(0),
    (e) => e instanceof RuntimeError && e.message === "call stack exhausted" && e.backtrace.length > 100,
  );
  assert.equal(await (instance.exports.depth as (x: number) => Promise<number>)(5000), 5000);
  // A smaller configured limit.
  const { instance: small } = await instantiate(bytes, {}, { maxWasmStack: 4096 });
  await assert.rejects((small.exports.depth as (x: number) => Promise<number>)(5000), /call stack exhausted/);
});
