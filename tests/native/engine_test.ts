// The native engine (lib/native/engine.ts) behind Kiln's API: calls, async imports through JSPI, re-entry, fuel
// exactly as the interpreter counts it, yields, interrupts, traps with codes, exported memory, and WASI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  type EngineName,
  type ExportedFunction,
  Global,
  instantiate,
  Memory,
  parseWat,
  RuntimeError,
  Store,
  type StoreOptions,
  synchronous,
  Table,
  TrapCode,
} from "../../mod.ts";
import { MemoryFs, runWasi } from "../../wasi.ts";

const HAS_JSPI = typeof (WebAssembly as { Suspending?: unknown }).Suspending === "function";
const IS_BUN = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const ENGINES: readonly EngineName[] = ["interpreter", "native"];

const MODULE = parseWat(`(module
  (import "env" "get" (func $get (param i32) (result i32)))
  (memory (export "mem") 1 4)
  (global (export "g") (mut i64) (i64.const 5))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "callget") (param i32) (result i32) (i32.add (call $get (local.get 0)) (i32.const 1)))
  (func $spin (export "spin") (param i32) (result i32) (local i32)
    (loop (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "oob") (result i32) (i32.load (i32.const 0x7fffffff)))
  (func (export "boom") unreachable)
  (func $deep (export "deep") (param i32) (result i32) (i32.add (i32.const 1) (call $deep (local.get 0))))
  (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0))))`);

type Exports = Record<string, ExportedFunction>;

async function make(engine: EngineName, get: (x: number) => unknown, options: StoreOptions = {}) {
  const store = new Store({ ...options, engine });
  const { instance } = await instantiate(MODULE, { env: { get } }, { store });
  return { store, instance, e: instance.exports as Exports };
}

test("native engine: store.engine names the engine, and a bad name is a TypeError", () => {
  // "auto", the default: native where the host has WebAssembly, JSPI and wasm offsets in its stack traces (Deno 2.9
  // here), else the interpreter (Bun 1.4: JavaScriptCore gives no offsets; Node 20: no JSPI).
  const auto = HAS_JSPI && !IS_BUN ? "native" : "interpreter";
  assert.equal(new Store().engine, auto, "the default, auto");
  assert.equal(new Store({ engine: "native" }).engine, "native");
  assert.throws(() => new Store({ engine: "jit" as EngineName }), TypeError);
  assert.equal(new Store({ engine: "auto" }).engine, auto);
  assert.equal(new Store({ engine: "auto" }).options.engine, "auto");
});

test("native engine: calls in JS and raw form, sync and async, i64 as BigInt", async () => {
  const { e } = await make("native", (x) => x * 2);
  assert.equal(await e.add(2, 3), 5);
  assert.equal(e.add.callSync(-1, 1), 0);
  assert.equal(await e.add64(1n, 2n ** 63n - 1n), -(2n ** 63n));
  assert.deepEqual(await e.add.callRaw([4, 5]), [9]);
  assert.deepEqual(e.add64.callRawSync([1n, 1n]), [2n]);
  assert.equal(await e.callget(20), 41);
  assert.equal(e.callget.callSync(1), 3);
  await assert.rejects(async () => await e.add64(1, 2), TypeError);
});

test("native engine: an import returning a Promise suspends an async call (JSPI) and is refused by callSync", {
  skip: !HAS_JSPI && "the host has no JSPI",
}, async () => {
  const { e } = await make("native", async (x) => {
    await new Promise((r) => setTimeout(r, 1));
    return x + 100;
  });
  assert.equal(await e.callget(1), 102);
  // Two calls suspended at once.
  assert.deepEqual(await Promise.all([e.callget(1), e.callget(2)]), [102, 103]);
  assert.throws(
    () => e.callget.callSync(1),
    (x: unknown) => x instanceof RuntimeError && x.code === TrapCode.CannotSuspend,
  );
  // Still usable afterwards, synchronously too.
  assert.equal(e.add.callSync(1, 1), 2);
});

test("native engine: a synchronous() import is called directly, also from callSync", async () => {
  let calls = 0;
  const { e } = await make("native", synchronous((x: number) => (calls++, x)));
  assert.equal(e.callget.callSync(5), 6);
  assert.equal(await e.callget(6), 7);
  assert.equal(calls, 2);
});

test("native engine: a host import calls back into the instance (re-entry), sync and async", async () => {
  const self: { e?: Exports } = {};
  const { e } = await make("native", (x) => (x > 0 ? (self.e!.callget.callSync(x - 1) as number) : 10));
  self.e = e;
  assert.equal(await e.callget(3), 14);
  if (HAS_JSPI) {
    const r = await make("native", (x) => (x > 0 ? r.e.callget(x - 1) : 10));
    assert.equal(await r.e.callget(3), 14);
  }
});

test("native engine: fuel consumed and the fuel trap equal the interpreter's", async () => {
  for (const budget of [50, 1_000, 12_345]) {
    const seen: unknown[] = [];
    for (const engine of ENGINES) {
      const fuelInHost: number[] = [];
      const { store, e } = await make(engine, (x) => (fuelInHost.push(store.getFuel()), x), { fuel: budget });
      const out: unknown[] = [];
      for (const n of [3, 10, 100, 1000]) {
        try {
          out.push(await e.spin(n), store.fuelConsumed);
          out.push(await e.callget(n), store.fuelConsumed);
          out.push(await e.fill(n), store.fuelConsumed);
        } catch (x) {
          out.push((x as RuntimeError).code, store.fuelConsumed, store.getFuel());
        }
      }
      seen.push([out, fuelInHost]);
    }
    assert.deepEqual(seen[1], seen[0], `budget ${budget}`);
  }
});

test("native engine: setFuel inside a host import is honoured, one budget for all instances of a store", async () => {
  const store = new Store({ engine: "native", fuel: 1_000_000 });
  const { instance: a } = await instantiate(MODULE, { env: { get: (x: number) => (store.setFuel(5), x) } }, { store });
  const { instance: b } = await instantiate(MODULE, { env: { get: (x: number) => x } }, { store });
  const before = store.fuelConsumed;
  await (b.exports.spin as ExportedFunction)(10);
  const spent = store.fuelConsumed - before;
  await (a.exports.spin as ExportedFunction)(10);
  assert.equal(store.fuelConsumed - before, 2 * spent);
  await assert.rejects(
    (a.exports.callget as ExportedFunction)(0).then(() => (a.exports.spin as ExportedFunction)(100)),
    (x: unknown) => x instanceof RuntimeError && x.code === TrapCode.OutOfFuel,
  );
});

test("native engine: calls between instances of a store (import, table) charge its one budget exactly", async () => {
  const callee = parseWat(`(module (func (export "sum") (param i32) (result i32) (local i32)
    (loop (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1)) (table (export "t") 1 funcref) (elem (i32.const 0) 0))`);
  const caller = parseWat(`(module (import "a" "sum" (func $sum (param i32) (result i32)))
    (import "a" "t" (table 1 funcref)) (type $s (func (param i32) (result i32)))
    (func (export "both") (param i32) (result i32)
      (i32.add (call $sum (local.get 0)) (call_indirect (type $s) (local.get 0) (i32.const 0)))))`);
  const seen: unknown[] = [];
  for (const engine of ENGINES) {
    for (const fuel of [1_000_000, 120]) {
      const store = new Store({ engine, fuel });
      const { instance: a } = await instantiate(callee, {}, { store });
      const { instance: b } = await instantiate(caller, { a: a.exports }, { store });
      try {
        seen.push(await (b.exports.both as ExportedFunction)(10), store.fuelConsumed);
      } catch (x) {
        seen.push((x as RuntimeError).code, store.fuelConsumed);
      }
    }
  }
  assert.deepEqual(seen.slice(seen.length / 2), seen.slice(0, seen.length / 2));
});

test("native engine: fuelYieldInterval yields to the event loop, and a sync call refuses the yield", {
  skip: !HAS_JSPI && "the host has no JSPI",
}, async () => {
  const { e } = await make("native", (x) => x, { fuelYieldInterval: 1000 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    let n = 0;
    for (let i = 0; i < 50 && ticks === 0; i++) n += await e.spin(200_000) as number;
    assert.ok(ticks > 0, "timers ran while the guest was busy");
    assert.ok(n > 0);
  } finally {
    clearInterval(timer);
  }
  assert.throws(
    () => e.spin.callSync(100_000),
    (x: unknown) => x instanceof RuntimeError && x.code === TrapCode.CannotSuspend,
  );
});

test("native engine: interrupt() from a host import, a signal and a timeout stop the guest with 'interrupt'", {
  skip: !HAS_JSPI && "the host has no JSPI",
}, async () => {
  const self: { store?: Store } = {};
  const r = await make("native", (x) => (self.store!.interrupt(), x), { fuelYieldInterval: 10_000 });
  self.store = r.store;
  await assert.rejects(r.e.callget(1).then(() => r.e.spin(1e9)), (x: unknown) => {
    return x instanceof RuntimeError && x.code === TrapCode.Interrupt;
  });
  // A pending interrupt is cleared by the call it stopped.
  assert.equal(await r.e.add(1, 2), 3);
  const controller = new AbortController();
  const s = await make("native", (x) => x, { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(s.e.spin(2 ** 31), (x: unknown) => x instanceof RuntimeError && x.code === TrapCode.Interrupt);
  const t = await make("native", (x) => x, { callTimeoutMs: 30 });
  await assert.rejects(t.e.spin(2 ** 31), (x: unknown) => x instanceof RuntimeError && x.message === "interrupt");
  // A host import that never settles does not outlive the call's time limit.
  const h = await make("native", () => new Promise(() => {}), { callTimeoutMs: 30 });
  await assert.rejects(h.e.callget(1), (x: unknown) => x instanceof RuntimeError && x.code === TrapCode.Interrupt);
});

test("native engine: host traps become Kiln's RuntimeError with codes and Wasmtime's messages", async () => {
  const { e } = await make("native", (x) => x);
  const trapOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (x) {
      assert.ok(x instanceof RuntimeError, String(x));
      return [x.code, x.message];
    }
    return "no trap";
  };
  assert.deepEqual(await trapOf(e.div(1, 0)), [TrapCode.IntegerDivisionByZero, "integer divide by zero"]);
  assert.deepEqual(await trapOf(e.div(-(2 ** 31), -1)), [TrapCode.IntegerOverflow, "integer overflow"]);
  assert.deepEqual(await trapOf(e.oob()), [TrapCode.MemoryOutOfBounds, "out of bounds memory access"]);
  assert.deepEqual(await trapOf(e.boom()), [TrapCode.UnreachableCodeReached, "unreachable"]);
  assert.deepEqual(await trapOf(e.deep(0)), [TrapCode.StackOverflow, "call stack exhausted"]);
  try {
    e.boom.callSync();
    assert.fail("no trap");
  } catch (x) {
    assert.ok(x instanceof RuntimeError && x.code === TrapCode.UnreachableCodeReached);
    if (typeof (globalThis as { Deno?: unknown }).Deno === "object") {
      assert.equal(x.backtrace[0]?.funcIndex, 9, "V8 names the trapping function");
    }
  }
});

test("native engine: exported memory and globals are the guest's, as the host sees them", async () => {
  const { e, instance } = await make("native", (x) => x);
  const mem = instance.exports.mem as Memory;
  await e.poke(8, 0x01020304);
  assert.equal(new DataView(mem.buffer).getInt32(8, true), 0x01020304);
  mem.bytes[12] = 9;
  assert.equal(await e.grow(1), 1);
  assert.equal(mem.buffer.byteLength, 2 * 65536);
  assert.equal(mem.pages, 2);
  assert.equal(mem.bytes[12], 9);
  assert.equal(mem.grow(1), 2);
  assert.equal(await e.grow(0), 3);
  assert.throws(() => mem.grow(5), RangeError);
  const g = instance.exports.g as Global;
  assert.equal(g.value, 5n);
  g.value = 7n;
  assert.equal(g.value, 7n);
});

test("native engine: imported memory, table and global are shared with the host and other instances", async () => {
  const memory = new Memory({ initial: 1 });
  memory.bytes[0] = 42;
  const table = new Table({ element: "anyfunc", initial: 2 });
  const global = new Global({ value: "i32", mutable: true }, 3);
  const source = parseWat(`(module
    (import "m" "mem" (memory 1)) (import "m" "t" (table 2 funcref)) (import "m" "g" (global (mut i32)))
    (type $r (func (result i32)))
    (func $seven (result i32) (i32.const 7)) (elem (i32.const 1) $seven)
    (func (export "first") (result i32) (i32.load8_u (i32.const 0)))
    (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1))))
    (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))`);
  const { instance } = await instantiate(source, { m: { mem: memory, t: table, g: global } }, { engine: "native" });
  const e = instance.exports as Exports;
  assert.equal(await e.first(), 42);
  memory.bytes[0] = 43;
  assert.equal(await e.first(), 43);
  await e.bump();
  assert.equal(global.value, 4);
  assert.equal(await (table.get(1) as ExportedFunction)(), 7);
  table.set(0, table.get(1));
  assert.equal(await e.call(0), 7);
  const host = (await instantiate(
    parseWat(`(module (func (export "nine") (result i32) (i32.const 9)))`),
  )).instance.exports.nine;
  table.set(0, host);
  assert.equal(await e.call(0), 9);
});

test("native engine: WASI hello.wasm through runWasi", async () => {
  const bytes = readFileSync(new URL("../../testdata/hello.wasm", import.meta.url));
  let out = "";
  const code = await runWasi(bytes, {
    args: ["hello"],
    fs: new MemoryFs(),
    stdin: "null",
    stdout: (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
    },
    engine: { engine: "native", fuel: 10_000_000 },
  });
  assert.equal(code, 0);
  assert.match(out, /hello/i);
});

test("native engine: concurrent calls that yield each resume with their own state (fuel, call), and all stop", {
  skip: !HAS_JSPI && "the host has no JSPI",
}, async () => {
  for (const options of [{ yieldEveryMs: 1 }, { fuelYieldInterval: 10_000 }] as StoreOptions[]) {
    const controller = new AbortController();
    const store = new Store({ ...options, engine: "native", signal: controller.signal });
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const { instance } = await instantiate(MODULE, { env: { get: (x: number) => x } }, { store });
      runs.push((instance.exports.spin as ExportedFunction)(-1));
    }
    setTimeout(() => controller.abort(), 50);
    for (const r of await Promise.allSettled(runs)) {
      assert.equal(r.status, "rejected");
      const e = (r as PromiseRejectedResult).reason;
      assert.ok(e instanceof RuntimeError && e.code === TrapCode.Interrupt, String(e));
    }
  }
});

test("native engine: store.interrupt() from a host import stops uninstrumented code when the import returns", async () => {
  const self: { store?: Store } = {};
  const r = await make("native", (x) => (self.store!.interrupt(), x));
  self.store = r.store;
  await assert.rejects(r.e.callget(1), (x: unknown) => x instanceof RuntimeError && x.code === TrapCode.Interrupt);
  assert.equal(await r.e.add(1, 1), 2);
});

test(
  "native engine: in an auto store, a module the host cannot compile runs on the interpreter, linked to native ones",
  {
    skip: (!HAS_JSPI || IS_BUN) && "auto is the interpreter on this host",
  },
  async () => {
    // Wide arithmetic (V8 lacks it) and a 64-bit memory (JavaScriptCore lacks it): no host here compiles both.
    const lacking = parseWat(
      `(module (import "a" "inc" (func $inc (param i64) (result i64))) (memory (export "m") i64 1)
    (func (export "wide") (param i64 i64) (result i64 i64)
      (i64.store (i64.const 8) (local.get 0)) (i64.mul_wide_u (call $inc (local.get 0)) (local.get 1))))`,
    );
    const plain = parseWat(
      `(module (func (export "inc") (param i64) (result i64) (i64.add (local.get 0) (i64.const 1))))`,
    );
    const store = new Store({ engine: "auto", fuel: 10_000 });
    const a = await instantiate(plain, {}, { store });
    const b = await instantiate(lacking, { a: { inc: a.instance.exports.inc } }, { store });
    assert.deepEqual([a.instance.engine, b.instance.engine], ["native", "interpreter"]);
    const wide = (i: { instance: { exports: Record<string, unknown> } }) =>
      i.instance.exports.wide as (x: bigint, y: bigint) => Promise<bigint[]>;
    assert.deepEqual(await wide(b)(2n ** 63n - 1n, 4n), [0n, 2n]); // (2^63) * 4 = 2^65
    // One budget: the interpreter's instance and the native one both charged the store.
    const reference = new Store({ engine: "interpreter", fuel: 10_000 });
    const ra = await instantiate(plain, {}, { store: reference });
    const rb = await instantiate(lacking, { a: { inc: ra.instance.exports.inc } }, { store: reference });
    await wide(rb)(2n ** 63n - 1n, 4n);
    assert.equal(store.fuelConsumed, reference.fuelConsumed);
    // A store that names the native engine does not fall back.
    await assert.rejects(
      instantiate(lacking, { a: { inc: a.instance.exports.inc } }, { engine: "native" }),
      /unsupported/i,
    );
  },
);

test("native engine: an immutable global import of a type no host Global names, given a plain value, links", async () => {
  // `(ref extern)` and `anyref` have no JS API descriptor for a host Global: the host takes the value itself.
  const wat = parseWat(`(module (import "m" "e" (global $e (ref extern))) (import "m" "a" (global $a anyref))
    (func (export "e") (result externref) (global.get $e)) (func (export "a") (result anyref) (global.get $a)))`);
  const o = { x: 1 };
  for (const engine of ENGINES) {
    const { instance } = await instantiate(wat, { m: { e: o, a: 5 } }, { engine });
    const e = instance.exports as Record<string, ExportedFunction>;
    assert.deepEqual([e.e!.callSync(), e.a!.callSync()], [o, 5], engine);
  }
});

test("native engine: after a table's function that goes through JS (own counter) returns, its caller's charges count", async () => {
  // `run` puts the function it is given in its table and calls it twice, with work before, between and after: on the
  // native engine the function is this instance's own `g` through its JS entry (the instance has its own counter),
  // whose return once left the caller charging a counter Kiln no longer read (fuzzer, seed 8201 module 10608).
  // The charges that count are those of code after a return: `$h`'s second entry, the loop after it.
  const wat = parseWat(`(module (type $v (func)) (table 1 funcref) (global $n (mut i32) (i32.const 0))
    (func $g (export "g") (global.set $n (i32.add (global.get $n) (i32.const 1))))
    (func $h (global.set $n (i32.mul (global.get $n) (i32.const 3))) (call_indirect (type $v) (i32.const 0)))
    (func (export "run") (param $f funcref) (result i32) (local $i i32)
      (table.set (i32.const 0) (local.get $f))
      (call $h)
      (call $h)
      (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 10))))
      (global.get $n)))`);
  const consumed: Record<string, [number, number]> = {};
  for (const engine of ENGINES) {
    const store = new Store({ engine, fuel: 10_000 });
    const { instance } = await instantiate(wat, {}, { store });
    const e = instance.exports as Record<string, ExportedFunction>;
    const before = store.fuelConsumed;
    const result = e.run!.callSync(e.g) as number;
    consumed[engine] = [result, store.fuelConsumed - before];
  }
  assert.deepEqual(consumed.native, consumed.interpreter);
});
