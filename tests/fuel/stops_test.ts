/**
 * Stops the guest cannot escape, on every engine (the interpreter, and the native engine where the host has
 * WebAssembly and JSPI): running out of fuel and an interrupt are traps no `catch_all` catches, a host Promise
 * given up leaves the guest stopped where it awaited (it writes no more memory), and a function of another instance
 * reached through a table charges the store's one budget.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, instantiate, Module, parseWat, RuntimeError, Store, TrapCode } from "../../mod.ts";

const JSPI = typeof WebAssembly === "object" && "Suspending" in WebAssembly && "promising" in WebAssembly;
const ENGINES: readonly EngineName[] = JSPI ? ["interpreter", "native"] : ["interpreter"];

/**
 * `run` spins in a loop that calls `tick` every iteration, inside try_table with catch_all (and catch_all_ref): a
 * stop that the guest could catch would make it return 1. `wait` calls `hang` (a host Promise), then writes 42 to
 * address 0.
 */
const GUEST = new Module(parseWat(`(module
  (import "env" "tick" (func $tick))
  (import "env" "hang" (func $hang (result i32)))
  (memory (export "mem") 1)
  (func (export "run") (result i32)
    (block $caught
      (block $caughtRef (result exnref)
        (try_table (catch_all $caught) (catch_all_ref $caughtRef)
          (loop $l (call $tick) (br $l)))
        (unreachable))
      (drop))
    (i32.const 1))
  (func $wait (export "wait") (result i32)
    (block $caught
      (try_table (catch_all $caught)
        (drop (call $hang))
        (i32.store (i32.const 0) (i32.const 42))
        (return (i32.const 0))))
    (i32.store (i32.const 4) (i32.const 1))
    (i32.const 1)))`));

type Exports = { run(): Promise<number>; wait(): Promise<number>; mem: WebAssembly.Memory };

async function guest(
  engine: EngineName,
  options: Record<string, unknown>,
  tick: (store: Store) => void = () => {},
  hang: () => unknown = () => new Promise(() => {}),
): Promise<{ store: Store; e: Exports }> {
  const store = new Store({ engine, ...options });
  const { instance } = await instantiate(GUEST, { env: { tick: () => tick(store), hang } }, { store });
  return { store, e: instance.exports as unknown as Exports };
}

const trapped = (code: string) => (e: unknown) => e instanceof RuntimeError && e.code === code;

for (const engine of ENGINES) {
  test(`stops (${engine}): running out of fuel inside try_table catch_all is not caught`, async () => {
    const { store, e } = await guest(engine, { fuel: 10_000 });
    await assert.rejects(e.run(), trapped(TrapCode.OutOfFuel));
    assert.equal(store.getFuel(), 0);
  });

  test(`stops (${engine}): an interrupt inside try_table catch_all is not caught (metered and not)`, async () => {
    let ticks = 0;
    const interruptAt100 = (store: Store) => void (++ticks === 100 && store.interrupt());
    // Without fuel or yields the native engine runs uninstrumented code: the stop comes as the import returns.
    for (const options of [{}, { fuel: 1e9 }, { fuelYieldInterval: 1000 }]) {
      ticks = 0;
      const { e } = await guest(engine, options, interruptAt100);
      await assert.rejects(e.run(), trapped(TrapCode.Interrupt), JSON.stringify(options));
    }
    // Promptly, also in a guest that spends its time in host calls (the native engine once read the clock every
    // 2^22 fuel units, 1-9 s of such a guest; now about as often as the interpreter: 20-60 ms here).
    const controller = new AbortController();
    const { e } = await guest(engine, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    let start = performance.now();
    await assert.rejects(e.run(), trapped(TrapCode.Interrupt));
    assert.ok(performance.now() - start < 1000, `signal honoured after ${performance.now() - start} ms`);
    const timed = await guest(engine, { callTimeoutMs: 20 });
    start = performance.now();
    await assert.rejects(timed.e.run(), trapped(TrapCode.Interrupt));
    assert.ok(performance.now() - start < 1000, `timeout honoured after ${performance.now() - start} ms`);
  });

  test(`stops (${engine}): a host Promise given up stops the guest where it awaited; it writes no memory`, async () => {
    for (const options of [{ callTimeoutMs: 20 }, { callTimeoutMs: 20, fuel: 1e9 }]) {
      const { e } = await guest(engine, options);
      await assert.rejects(e.wait(), trapped(TrapCode.Interrupt), JSON.stringify(options));
      await new Promise((r) => setTimeout(r, 10));
      const words = new Int32Array(e.mem.buffer, 0, 2);
      assert.deepEqual([...words], [0, 0], JSON.stringify(options));
    }
    const controller = new AbortController();
    const { e } = await guest(engine, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(e.wait(), trapped(TrapCode.Interrupt));
    assert.deepEqual([...new Int32Array(e.mem.buffer, 0, 2)], [0, 0]);
  });

  test(`stops (${engine}): a guest stopped where it awaited has its own frames in the trap's backtrace`, async () => {
    // Given up (a deadline), or interrupted while the host's Promise settled (uninstrumented code: the stop comes as
    // the import returns), metered or not: the trap is the guest's, at `wait` (function 3), with the offset of its
    // call on hosts that give offsets (JavaScriptCore names frames only, hence `$wait`).
    let current: Store | undefined;
    const interruptThenResolve = () => (current!.interrupt(), Promise.resolve(7));
    const cases: [Record<string, unknown>, (() => unknown) | undefined][] = [
      [{ callTimeoutMs: 20 }, undefined],
      [{ callTimeoutMs: 20, fuel: 1e9 }, undefined],
      [{}, interruptThenResolve],
      [{ fuel: 1e9 }, interruptThenResolve],
    ];
    const offsets = new Set<number>();
    for (const [options, hang] of cases) {
      const { store, e } = await guest(engine, options, undefined, hang);
      current = store;
      const err = await e.wait().then(() => undefined, (x: unknown) => x);
      assert.ok(trapped(TrapCode.Interrupt)(err), `${JSON.stringify(options)}: ${err}`);
      const frames = (err as RuntimeError).backtrace;
      assert.deepEqual(frames.map((f) => f.funcIndex), [3], JSON.stringify(options));
      offsets.add(frames[0]!.offset);
      assert.deepEqual([...new Int32Array(e.mem.buffer, 0, 2)], [0, 0]);
    }
    assert.equal(offsets.size, 1, `one offset, the call's: ${[...offsets]}`);
  });
}

for (const engine of ENGINES) {
  test(`stops (${engine}): an error a host import throws unwinds the guest past its catch_all, unchanged`, async () => {
    const boom = new Error("boom");
    for (const options of [{}, { fuel: 1e9 }]) {
      for (const call of ["run", "wait"] as const) {
        const { e } = await guest(engine, options, () => {
          throw boom;
        }, () => Promise.reject(boom));
        await assert.rejects(e[call](), (x) => x === boom, `${call} ${JSON.stringify(options)}`);
        assert.deepEqual([...new Int32Array(e.mem.buffer, 0, 2)], [0, 0]);
      }
    }
  });
}

// `spin(n)` costs 5n + 3 fuel in a lone instance (no imports, no tables: on the native engine it keeps a counter of
// its own); `viaTable` calls table entry 0 of a table its module exports.
const SPIN = new Module(parseWat(`(module
  (func (export "spin") (param i32) (result i32)
    (loop $l (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if $l (local.get 0)))
    (local.get 0)))`));
const CALLER = new Module(parseWat(`(module
  (type $t (func (param i32) (result i32)))
  (table (export "table") 1 funcref)
  (func (export "viaTable") (param i32) (result i32) (call_indirect (type $t) (local.get 0) (i32.const 0))))`));

test("stops: a lone instance's function that JS puts in another's table charges the store's budget", async () => {
  const consumed: number[] = [];
  for (const engine of ENGINES) {
    const store = new Store({ engine, fuel: 1_000_000 });
    const spin = (await instantiate(SPIN, {}, { store })).instance.exports.spin;
    const caller = (await instantiate(CALLER, {}, { store })).instance.exports;
    (caller.table as WebAssembly.Table).set(0, spin as never);
    assert.equal(await (caller.viaTable as (n: number) => Promise<number>)(1000), 0);
    consumed.push(1_000_000 - store.getFuel());
    // Running out of it there is the same trap.
    store.setFuel(100);
    await assert.rejects((caller.viaTable as (n: number) => Promise<number>)(1000), trapped(TrapCode.OutOfFuel));
  }
  assert.ok(consumed[0]! > 4000, `interpreter consumed ${consumed[0]}`);
  assert.deepEqual(consumed, consumed.map(() => consumed[0]), `fuel per engine ${ENGINES}: ${consumed}`);
});
