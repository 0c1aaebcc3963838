import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, RuntimeError } from "../../mod.ts";
import { wat } from "./_wat.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const HOST = wat(`(module
  (import "env" "fetch" (func $fetch (param i32) (result i32)))
  (func (export "twice") (param i32) (result i32)
    (i32.add (call $fetch (local.get 0)) (call $fetch (i32.add (local.get 0) (i32.const 1)))))
  (func (export "plain") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))`);

test("an async host import suspends the wasm stack while a timer fires mid-call", async () => {
  const events: string[] = [];
  const { instance } = await instantiate(HOST, {
    env: {
      fetch: async (x: number) => {
        events.push(`fetch ${x}`);
        await sleep(15);
        return x * 10;
      },
    },
  });
  const timer = sleep(5).then(() => events.push("timer"));
  const twice = instance.exports.twice as (x: number) => Promise<number>;
  const result = await twice(2);
  await timer;
  assert.equal(result, 50);
  assert.deepEqual(events, ["fetch 2", "timer", "fetch 3"]);
});

test("callSync throws a RuntimeError when a host import returns a Promise", async () => {
  const { instance } = await instantiate(HOST, { env: { fetch: (x: number) => Promise.resolve(x) } });
  const twice = instance.exports.twice as unknown as { callSync(x: number): number };
  assert.throws(() => twice.callSync(1), (e: unknown) => e instanceof RuntimeError && /cannot suspend/.test(e.message));
  // The instance still works afterwards.
  const plain = instance.exports.plain as unknown as { callSync(x: number): number };
  assert.equal(plain.callSync(4), 12);
});

test("a host import may call back into an export (re-entry), also while another call is suspended", async () => {
  const bytes = wat(`(module
    (import "env" "cb" (func $cb (param i32) (result i32)))
    (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "outer") (param i32) (result i32) (i32.mul (call $cb (local.get 0)) (i32.const 2))))`);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let exports: Record<string, unknown> = {};
  const { instance } = await instantiate(bytes, {
    env: {
      cb: async (x: number) => {
        const inc = exports.inc as (x: number) => Promise<number>;
        if (x === 100) await gate; // the first call stays suspended here
        return await inc(x) + await inc(x);
      },
    },
  });
  exports = instance.exports;
  const outer = instance.exports.outer as (x: number) => Promise<number>;
  const first = outer(100);
  await sleep(1);
  // A second call runs to completion while the first is suspended.
  assert.equal(await outer(5), (6 + 6) * 2);
  release();
  assert.equal(await first, (101 + 101) * 2);
});

test("a synchronous host import calling an export via callSync works without awaits", async () => {
  const bytes = wat(`(module
    (import "env" "cb" (func $cb (param i32) (result i32)))
    (func $sq (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func (export "outer") (param i32) (result i32) (call $cb (local.get 0))))`);
  const holder: { sq?: { callSync(x: number): number } } = {};
  const { instance } = await instantiate(bytes, { env: { cb: (x: number) => holder.sq!.callSync(x) + 1 } });
  holder.sq = instance.exports.sq as unknown as { callSync(x: number): number };
  const outer = instance.exports.outer as unknown as { callSync(x: number): number };
  assert.equal(outer.callSync(7), 50);
});

test("1,000 concurrent instances awaiting host Promises do not cross-talk", async () => {
  const bytes = wat(`(module
    (import "env" "id" (func $id (result i32)))
    (import "env" "wait" (func $wait (param i32) (result i32)))
    (global $acc (mut i32) (i32.const 0))
    (func (export "run") (result i32)
      (global.set $acc (call $id))
      (global.set $acc (i32.add (global.get $acc) (call $wait (global.get $acc))))
      (global.set $acc (i32.add (global.get $acc) (call $wait (global.get $acc))))
      (global.get $acc)))`);
  const runs: Promise<number>[] = [];
  for (let i = 0; i < 1000; i++) {
    const { instance } = await instantiate(bytes, {
      env: {
        id: () => i,
        wait: async (x: number) => {
          await sleep((i * 7) % 5);
          return x + 1;
        },
      },
    });
    runs.push((instance.exports.run as () => Promise<number>)());
  }
  const results = await Promise.all(runs);
  // acc = i; acc = i + (i + 1); acc = 2i+1 + (2i+2)
  results.forEach((r, i) => assert.equal(r, 4 * i + 3));
});

test("an exception thrown by a host import propagates unchanged through the wasm frames", async () => {
  const bytes = wat(`(module
    (import "env" "boom" (func $boom))
    (func $mid (call $boom))
    (func (export "run") (result i32) (call $mid) (i32.const 1)))`);
  class Custom extends Error {}
  const err = new Custom("host failure");
  const { instance } = await instantiate(bytes, {
    env: {
      boom: () => {
        throw err;
      },
    },
  });
  await assert.rejects((instance.exports.run as () => Promise<number>)(), (e) => e === err);
  const { instance: i2 } = await instantiate(bytes, { env: { boom: () => Promise.reject(err) } });
  await assert.rejects((i2.exports.run as () => Promise<number>)(), (e) => e === err);
});

test("value conversion: i64 as BigInt, floats as numbers, multi-value results as arrays", async () => {
  const bytes = wat(`(module
    (func (export "swap") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))
    (func (export "none")))`);
  const { instance } = await instantiate(bytes);
  const swap = instance.exports.swap as (a: bigint, b: number) => Promise<[number, bigint]>;
  assert.deepEqual(await swap(-5n, 1.5), [1.5, -5n]);
  assert.equal(await (instance.exports.none as () => Promise<unknown>)(), undefined);
  const raw = instance.exports.swap as unknown as { callRawSync(a: unknown[]): unknown[] };
  // f64 raw bits in and out, NaN payload preserved.
  assert.deepEqual(raw.callRawSync([1n, 0x7ff4000000000001n]), [0x7ff4000000000001n, 1n]);
});
