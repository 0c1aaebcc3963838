/**
 * Resource limits (Wasmtime's `StoreLimits`): memory bytes, table elements, counts of instances, memories and
 * tables, growth failure as -1 or as a trap, the wasm stack limit and the re-entry cap: the same assertions on every
 * engine (the interpreter, and the native engine where the host has WebAssembly), unless a test says otherwise.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, instantiate, Module, parseWat, RuntimeError, Store } from "../../mod.ts";
import { UnsupportedFeatureError } from "../../lib/errors.ts";

const GROW = new Module(parseWat(`(module
  (memory (export "mem") 1)
  (table (export "tab") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "growTable") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "pages") (result i32) (memory.size)))`));

type Fn = (...a: number[]) => Promise<number>;
const ENGINES: readonly EngineName[] = typeof WebAssembly === "object" ? ["interpreter", "native"] : ["interpreter"];

for (const engine of ENGINES) {
  test(`limits (${engine}): maxMemoryBytes makes memory.grow return -1 beyond it, and the memory keeps its size`, async () => {
    const { instance } = await instantiate(GROW, {}, { engine, maxMemoryBytes: 4 * 65536 });
    const grow = instance.exports.grow as Fn, pages = instance.exports.pages as Fn;
    assert.equal(await grow(2), 1); // 1 -> 3 pages
    assert.equal(await grow(2), -1); // 5 pages > 4
    assert.equal(await pages(), 3);
    assert.equal(await grow(1), 3); // exactly 4 pages is allowed
    assert.equal(await grow(1), -1);
    assert.equal(await pages(), 4);
  });
}

for (const engine of ENGINES) {
  test(`limits (${engine}): trapOnGrowFailure turns a failed memory.grow or table.grow into a trap`, async () => {
    const { instance } = await instantiate(GROW, {}, {
      engine,
      maxMemoryBytes: 2 * 65536,
      maxTableElements: 3,
      trapOnGrowFailure: true,
    });
    assert.equal(await (instance.exports.grow as Fn)(1), 1);
    await assert.rejects(
      (instance.exports.grow as Fn)(1),
      (e) => e instanceof RuntimeError && e.message === "forcing trap when growing memory",
    );
    assert.equal(await (instance.exports.growTable as Fn)(2), 1);
    await assert.rejects(
      (instance.exports.growTable as Fn)(1),
      (e) => e instanceof RuntimeError && e.message === "forcing trap when growing table",
    );
    // The declared maximum also counts as a growth failure.
    const capped = await instantiate(
      parseWat(`(module (memory 1 1) (func (export "g") (result i32)
    (memory.grow (i32.const 1))))`),
      {},
      { engine, trapOnGrowFailure: true },
    );
    await assert.rejects((capped.instance.exports.g as Fn)(), /forcing trap when growing memory/);
  });
}

for (const engine of ENGINES) {
  test(`limits (${engine}): maxTableElements makes table.grow return -1 beyond it`, async () => {
    const { instance } = await instantiate(GROW, {}, { engine, maxTableElements: 10 });
    const growTable = instance.exports.growTable as Fn;
    assert.equal(await growTable(9), 1);
    assert.equal(await growTable(1), -1);
    assert.equal((instance.exports.tab as { length: number }).length, 10);
  });
}

// The same on 64-bit memories and tables (memory64): an i64 delta and result.
const GROW64 = new Module(parseWat(`(module
  (memory i64 1)
  (table i64 1 funcref)
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "growTable") (param i64) (result i64) (table.grow (ref.null func) (local.get 0))))`));

for (const engine of ENGINES) {
  test(`limits (${engine}): the limits and trapOnGrowFailure hold for 64-bit memories and tables`, async (t) => {
    type Fn64 = (n: bigint) => Promise<bigint>;
    let limited;
    try {
      limited = (await instantiate(GROW64, {}, { engine, maxMemoryBytes: 3 * 65536, maxTableElements: 4 }))
        .instance.exports;
    } catch (e) {
      if (!(e instanceof UnsupportedFeatureError)) throw e;
      return t.skip(`the host lacks ${e.feature} (JavaScriptCore in Bun 1.4)`);
    }
    assert.equal(await (limited.grow as Fn64)(2n), 1n);
    assert.equal(await (limited.grow as Fn64)(1n), -1n);
    assert.equal(await (limited.growTable as Fn64)(3n), 1n);
    assert.equal(await (limited.growTable as Fn64)(1n), -1n);
    const trapping = (await instantiate(GROW64, {}, { engine, maxMemoryBytes: 65536, trapOnGrowFailure: true }))
      .instance.exports;
    await assert.rejects(
      (trapping.grow as Fn64)(1n),
      (e) => e instanceof RuntimeError && e.code === "MemoryGrowFailed",
    );
    assert.equal(await (trapping.growTable as Fn64)(1n), 1n);
  });

  test(`limits (${engine}): trapOnGrowFailure is the growing memory's, set by the store that defined it`, async () => {
    // A memory made by a store without the option, imported by one with it: its failed growth returns -1, as on
    // the interpreter (the flag belongs to the memory). And the other way round it traps.
    const importer = new Module(parseWat(`(module (import "m" "mem" (memory 1 2))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`));
    const plain = (await instantiate(parseWat(`(module (memory (export "mem") 1 2))`), {}, { engine })).instance;
    const viaPlain = (await instantiate(importer, { m: { mem: plain.exports.mem } }, {
      engine,
      trapOnGrowFailure: true,
    })).instance.exports.grow as Fn;
    assert.equal(await viaPlain(5), -1);
    const strict = (await instantiate(parseWat(`(module (memory (export "mem") 1 2))`), {}, {
      engine,
      trapOnGrowFailure: true,
    })).instance;
    const viaStrict = (await instantiate(importer, { m: { mem: strict.exports.mem } }, { engine })).instance.exports
      .grow as Fn;
    await assert.rejects(viaStrict(5), (e) => e instanceof RuntimeError && e.code === "MemoryGrowFailed");
    assert.equal(await viaStrict(1), 1);
  });
}

for (const engine of ENGINES) {
  test(`limits (${engine}): a module whose minimum sizes exceed the limits fails to instantiate`, async () => {
    await assert.rejects(
      instantiate(parseWat(`(module (memory 3))`), {}, { engine, maxMemoryBytes: 2 * 65536 }),
      (e) => e instanceof RuntimeError && e.message === "memory minimum size of 3 pages exceeds memory limits",
    );
    await assert.rejects(
      instantiate(parseWat(`(module (table 11 funcref))`), {}, { engine, maxTableElements: 10 }),
      (e) => e instanceof RuntimeError && e.message === "table minimum size of 11 elements exceeds table limits",
    );
  });
}

for (const engine of ENGINES) {
  test(`limits (${engine}): maxInstances, maxMemories and maxTables count across a store`, async () => {
    const store = new Store({ engine, maxInstances: 2 });
    await instantiate(GROW, {}, { store });
    await instantiate(GROW, {}, { store });
    await assert.rejects(
      instantiate(GROW, {}, { store }),
      (e) => e instanceof RuntimeError && /^resource limit exceeded: instance count too high/.test(e.message),
    );

    const memories = new Store({ engine, maxMemories: 1 });
    await instantiate(GROW, {}, { store: memories });
    await assert.rejects(
      instantiate(GROW, {}, { store: memories }),
      (e) => e instanceof RuntimeError && e.message === "resource limit exceeded: memory count too high",
    );
    // A module without memories still instantiates.
    await instantiate(parseWat(`(module (func))`), {}, { store: memories });

    const tables = new Store({ engine, maxTables: 1 });
    await instantiate(GROW, {}, { store: tables });
    await assert.rejects(
      instantiate(GROW, {}, { store: tables }),
      (e) => e instanceof RuntimeError && e.message === "resource limit exceeded: table count too high",
    );
  });
}

const isStackTrap = (e: unknown) => e instanceof RuntimeError && e.message === "call stack exhausted";

const RECURSE = new Module(parseWat(`(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func (export "forever") (param i32) (result i32) (call $host (local.get 0))))`));

for (const engine of ENGINES) {
  test(`limits (${engine}): maxWasmStack bounds recursion depth with the trap 'call stack exhausted'`, async () => {
    const host = () => 0;
    const depthOk = async (maxWasmStack: number, depth: number) => {
      const { instance } = await instantiate(RECURSE, { env: { host } }, { engine, maxWasmStack });
      try {
        return (await (instance.exports.down as Fn)(depth)) === depth;
      } catch (e) {
        assert.ok(e instanceof RuntimeError && e.message === "call stack exhausted", String(e));
        return false;
      }
    };
    assert.equal(await depthOk(512 * 1024, 1000), true);
    assert.equal(await depthOk(8 * 1024, 1000), false);
    // Monotonic: a bigger stack allows at least as deep a recursion.
    let last = 0;
    for (const kib of [4, 16, 64]) {
      let lo = 0, hi = 100_000;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (await depthOk(kib * 1024, mid)) lo = mid;
        else hi = mid - 1;
      }
      assert.ok(lo > last, `${kib} KiB allows depth ${lo}, less than ${last}`);
      last = lo;
    }
  });
}

// `wide` recurses with 16 i64 locals (a frame of 32 + 8 * 17 bytes as the limit counts it).
const FRAMES = new Module(parseWat(`(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $wide (export "wide") (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
    i64 i64)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (call $wide (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $tail (export "tail") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
      (else (return_call $tail (i32.sub (local.get 0) (i32.const 1)))))))`));

test("limits: under maxWasmStack both engines reach the same recursion depth (frames of params and locals)", async () => {
  // The deepest call of each function that returns, per engine, with a 64 KiB limit (well inside the host's stack).
  const deepest: Record<string, number[]> = { down: [], wide: [] };
  for (const engine of ENGINES) {
    const { instance } = await instantiate(FRAMES, {}, { engine, maxWasmStack: 64 * 1024 });
    for (const name of ["down", "wide"]) {
      const f = instance.exports[name] as Fn;
      let lo = 0, hi = 100_000;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        const ok = await f(mid).then(() => true, (e) => {
          assert.ok(isStackTrap(e), String(e));
          return false;
        });
        if (ok) lo = mid;
        else hi = mid - 1;
      }
      deepest[name]!.push(lo);
    }
    // A tail call replaces its frame: a million of them fit.
    assert.equal(await (instance.exports.tail as Fn)(1_000_000), 7, engine);
  }
  assert.deepEqual(deepest, { down: ENGINES.map(() => 1637), wide: ENGINES.map(() => 389) });
});

if (ENGINES.includes("native")) {
  test("limits (native): without maxWasmStack recursion is bounded by the host's stack, with the same trap", async () => {
    const { instance } = await instantiate(RECURSE, { env: { host: () => 0 } }, { engine: "native" });
    const down = instance.exports.down as Fn;
    assert.equal(await down(1000), 1000);
    await assert.rejects(down(10_000_000), isStackTrap);
    assert.equal(await down(10), 10);
  });

  test("limits (native): an exception caught across frames leaves maxWasmStack's count right", async () => {
    // $deep throws from 100 frames down; the catch in $run is repeated 1,000 times: were the unwound frames still
    // counted, the depth would pass the limit.
    const { instance } = await instantiate(
      parseWat(`(module
      (tag $e)
      (func $deep (param i32)
        (if (local.get 0) (then (call $deep (i32.sub (local.get 0) (i32.const 1)))) (else (throw $e))))
      (func (export "run") (result i32) (local $i i32)
        (loop $l
          (block $caught (try_table (catch $e $caught) (call $deep (i32.const 100))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))
        (local.get $i)))`),
      {},
      { engine: "native", maxWasmStack: 16 * 1024 },
    );
    assert.equal(await (instance.exports.run as Fn)(), 1000);
  });
}

for (const engine of ENGINES) {
  test(`limits (${engine}): unbounded wasm -> host -> wasm re-entry ends in 'call stack exhausted', not a JS RangeError`, async () => {
    const ref: { forever?: { callSync(n: number): number } } = {};
    const { instance } = await instantiate(RECURSE, { env: { host: (n: number) => ref.forever!.callSync(n + 1) } }, {
      engine,
    });
    ref.forever = instance.exports.forever as unknown as { callSync(n: number): number };
    assert.throws(
      () => ref.forever!.callSync(0),
      (e) => e instanceof RuntimeError && e.message === "call stack exhausted",
    );
    // The instance still works afterwards.
    assert.equal(await (instance.exports.down as Fn)(10), 10);
  });
}

// nest(n) calls host(n), which calls nest(n - 1) until n is 0: n + 1 levels of wasm -> host -> wasm; returns n + 1.
const NEST = new Module(parseWat(`(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func (export "nest") (param i32) (result i32) (i32.add (call $host (local.get 0)) (i32.const 1))))`));

type Nest = ((n: number) => Promise<number>) & { callSync(n: number): number };

/** An instance of NEST whose host import re-enters through `callSync` or the async call. */
async function nesting(engine: EngineName, sync: boolean, onEnter: (n: number) => void = () => {}): Promise<Nest> {
  const ref: { nest?: Nest } = {};
  const host = (n: number) => {
    onEnter(n);
    return n === 0 ? 0 : sync ? ref.nest!.callSync(n - 1) : ref.nest!(n - 1);
  };
  const { instance } = await instantiate(NEST, { env: { host } }, { engine });
  return ref.nest = instance.exports.nest as Nest;
}

for (const engine of ENGINES) {
  test(`limits (${engine}): wasm -> host -> wasm re-entry runs 1,000 levels deep, and level 1,001 traps`, async () => {
    // Where the JS stack holds 1,000 levels (the interpreter's are small; JavaScriptCore's stack is big), level
    // 1,000 returns; the native engine on V8 usually runs out of stack first (about 600 levels sync, 800 async on
    // Deno 2.9), with the same trap.
    const holds = engine === "interpreter" || "Bun" in globalThis;
    const deep = async (call: () => number | Promise<number>) => {
      if (holds) return assert.equal(await call(), 1000);
      // Either, depending on how much stack the JIT's frames take.
      await Promise.resolve().then(call).then(
        (v) => assert.equal(v, 1000),
        (e) => assert.ok(isStackTrap(e), String(e)),
      );
    };
    const sync = await nesting(engine, true);
    await deep(() => sync.callSync(999));
    assert.throws(() => sync.callSync(1000), isStackTrap);
    await deep(() => sync.callSync(999)); // the nesting count was restored
    assert.equal(sync.callSync(99), 100);
    const async = await nesting(engine, false);
    await deep(() => async(999));
    await assert.rejects(async(1000), isStackTrap);
    await deep(() => async(999));
    assert.equal(await async(99), 100);
  });
}

let framesReached = 0;
/** Calls `fn` under `n` frames of JS recursion (an embedder that calls wasm from deep in its own code). */
function atDepth(n: number, fn: () => unknown): unknown {
  framesReached++;
  const result = n === 0 ? fn() : atDepth(n - 1, fn);
  // Why the decrement: without code after it, JavaScriptCore (Bun) runs the recursion as a tail call in a single
  // frame, and atDepth(Infinity) never ends. An overflow skips it, so `framesReached` keeps the deepest count.
  framesReached--;
  return result;
}

for (const engine of ENGINES) {
  test(`limits (${engine}): re-entry from an embedder already deep in JS recursion ends in the trap, never a RangeError`, async () => {
    let stackFrames = 0;
    for (let i = 0; i < 3; i++) { // warm: atDepth's frames keep one size from now on
      framesReached = 0;
      try {
        atDepth(Infinity, () => 0);
      } catch { /* the JS stack overflowed */ }
      stackFrames = framesReached;
    }
    // Every depth from the top to the stack's end, coarsely, and the last 64 frames one by one.
    const depths: number[] = [];
    for (let d = 0; d < stackFrames - 64; d += Math.ceil(stackFrames / 200)) depths.push(d);
    for (let d = Math.max(0, stackFrames - 64); d <= stackFrames; d++) depths.push(d);
    for (const sync of [true, false]) {
      let entered = false, deepest = 0;
      const nest = await nesting(engine, sync, (n) => {
        entered = true;
        deepest = Math.max(deepest, 1_000_000 - n);
      });
      let cutShort = 0;
      for (const d of depths) {
        entered = false;
        deepest = 0;
        let outcome: unknown = "returned";
        try {
          await atDepth(d, () => sync ? nest.callSync(1_000_000) : nest(1_000_000));
        } catch (e) {
          outcome = e;
        }
        // Before the guest ran, a RangeError is the embedder's own overflow; once it ran, only the trap may come out.
        if (entered) assert.ok(isStackTrap(outcome), `${sync ? "sync" : "async"} at depth ${d}: ${outcome}`);
        if (entered && deepest < 999) cutShort++;
      }
      // The JS stack, not the level count, ended some of those calls: the overflow path was taken.
      assert.ok(cutShort > 0, `${sync ? "sync" : "async"}: no call ran out of JS stack`);
    }
  });
}
