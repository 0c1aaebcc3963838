// Hostile guests: each must end in the documented trap or error -- never a JS RangeError/TypeError, a hang or a
// crash -- and the host must keep serving afterwards. Findings that fail today are in regressions_test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteWriter } from "../../lib/binary/leb128.ts";
import { CompileError, RuntimeError } from "../../lib/errors.ts";
import { wat } from "../api/_wat.ts";
import { kiln, skipWithoutKiln as skip } from "./_kiln.ts";

type Fn = ((...a: unknown[]) => Promise<unknown>) & { callSync(...a: unknown[]): unknown };
const fn = (exports: Record<string, unknown>, name: string) => exports[name] as Fn;

async function rejectsWith(p: Promise<unknown>, cls: new (...a: never[]) => Error, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    if (message) assert.match((e as Error).message, message);
    return true;
  });
}

const GROW = wat(`(module (memory (export "m") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) memory.size)
  (func (export "poke") (param i32) (result i32) (i32.store (local.get 0) (i32.const 7)) (i32.load (local.get 0))))`);

test("memory.grow by 65536 pages returns -1 and the memory keeps working", { skip }, async () => {
  const { instance } = await kiln!.instantiate(GROW);
  assert.equal(await fn(instance.exports, "grow")(65536), -1);
  assert.equal(await fn(instance.exports, "grow")(-1), -1);
  assert.equal(await fn(instance.exports, "size")(), 1);
  assert.equal(await fn(instance.exports, "poke")(65532), 7);
  await rejectsWith(fn(instance.exports, "poke")(65533), RuntimeError, /^out of bounds memory access$/);
});

test(
  "maxMemoryBytes bounds memory.grow (-1, or a trap with trapOnGrowFailure) and initial sizes",
  { skip },
  async () => {
    const limit = { maxMemoryBytes: 4 * 65536 };
    const a = (await kiln!.instantiate(GROW, {}, limit)).instance;
    assert.equal(await fn(a.exports, "grow")(3), 1);
    assert.equal(await fn(a.exports, "grow")(1), -1);
    assert.equal(await fn(a.exports, "size")(), 4);
    const b = (await kiln!.instantiate(GROW, {}, { ...limit, trapOnGrowFailure: true })).instance;
    await rejectsWith(fn(b.exports, "grow")(1000), RuntimeError);
    await rejectsWith(
      kiln!.instantiate(wat(`(module (memory 65536))`), {}, limit),
      RuntimeError,
      /exceeds memory limits/,
    );
    // The host keeps serving.
    assert.equal(await fn((await kiln!.instantiate(GROW, {}, limit)).instance.exports, "grow")(1), 1);
  },
);

test("table.grow by huge amounts returns -1; maxTableElements bounds growth and initial sizes", { skip }, async () => {
  const src = wat(`(module (table (export "t") 1 funcref)
    (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))`);
  const a = (await kiln!.instantiate(src)).instance;
  assert.equal(await fn(a.exports, "grow")(-1), -1);
  assert.equal(await fn(a.exports, "grow")(0x7fffffff), -1);
  const b = (await kiln!.instantiate(src, {}, { maxTableElements: 100 })).instance;
  assert.equal(await fn(b.exports, "grow")(99), 1);
  assert.equal(await fn(b.exports, "grow")(1), -1);
  await rejectsWith(
    kiln!.instantiate(wat(`(module (table 10000000 funcref))`), {}, { maxTableElements: 100 }),
    RuntimeError,
    /exceeds table limits/,
  );
});

const RECURSION = wat(`(module
  (global $depth (mut i32) (i32.const 0))
  (func $f (export "f") (param i32) (result i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (call $f (i32.add (local.get 0) (i32.const 1))))
  (func $ping (export "ping") (param i32) (result i32) (call $pong (local.get 0)))
  (func $pong (param i32) (result i32) (call $ping (i32.add (local.get 0) (i32.const 1))))
  (func $fat (export "fat") (param i32) (result i32)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    (call $fat (local.get 0)))
  (func (export "depth") (result i32) (global.get $depth))
  (func (export "reset") (global.set $depth (i32.const 0)))
  (func (export "ok") (result i32) (i32.const 42)))`);

test(
  'deep, mutual and fat-frame recursion trap with "call stack exhausted", then calls work again',
  { skip },
  async () => {
    const { instance } = await kiln!.instantiate(RECURSION);
    const e = instance.exports;
    for (const name of ["f", "ping", "fat"]) {
      await rejectsWith(fn(e, name)(0), RuntimeError, /^call stack exhausted$/);
      assert.throws(() => fn(e, name).callSync(0), (x: unknown) => x instanceof RuntimeError);
      assert.equal(await fn(e, "ok")(), 42);
    }
  },
);

test("maxWasmStack bounds the recursion depth", { skip }, async () => {
  const depthWith = async (maxWasmStack?: number) => {
    const { instance } = await kiln!.instantiate(RECURSION, {}, maxWasmStack ? { maxWasmStack } : {});
    await rejectsWith(fn(instance.exports, "f")(0), RuntimeError, /^call stack exhausted$/);
    return await fn(instance.exports, "depth")() as number;
  };
  const small = await depthWith(16 * 1024);
  const big = await depthWith(1024 * 1024);
  assert.ok(small > 10, `depth ${small}`);
  assert.ok(big > small * 8, `depth ${big} with 1 MiB versus ${small} with 16 KiB`);
});

/** A module whose exported `f(i32) -> i32` is a br_table with `n` targets mapping index i to i % 7. */
function brTableModule(n: number): Uint8Array {
  const w = new ByteWriter().bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const section = (id: number, body: Uint8Array) => w.u8(id).u32(body.length).bytes(body);
  section(1, new ByteWriter().u32(1).u8(0x60).u32(1).u8(0x7f).u32(1).u8(0x7f).finish());
  section(3, new ByteWriter().u32(1).u32(0).finish());
  section(7, new ByteWriter().u32(1).name("f").u8(0).u32(0).finish());
  const code = new ByteWriter().u32(0);
  code.u8(0x02).u8(0x7f); // block (result i32): the exit with the answer
  for (let i = 0; i < 8; i++) code.u8(0x02).u8(0x40); // 8 empty blocks: targets 0..7
  code.u8(0x20).u32(0).u8(0x0e).u32(n); // local.get 0; br_table
  for (let i = 0; i < n; i++) code.u32(i % 7);
  code.u32(7); // default
  for (let depth = 0; depth < 8; depth++) {
    code.u8(0x0b).u8(0x41).s32(depth === 7 ? -1 : depth).u8(0x0c).u32(7 - depth); // end; i32.const; br to exit
  }
  code.u8(0x0b).u8(0x0b);
  const body = code.finish();
  section(10, new ByteWriter().u32(1).u32(body.length).bytes(body).finish());
  return w.finish();
}

test("a br_table with 200,000 targets compiles and branches correctly", { skip, timeout: 60_000 }, async () => {
  const { instance } = await kiln!.instantiate(brTableModule(200_000));
  const f = fn(instance.exports, "f");
  for (const i of [0, 1, 6, 7, 12345, 199_999]) assert.equal(await f(i), i % 7, `index ${i}`);
  assert.equal(await f(200_000), -1);
  assert.equal(await f(-1), -1);
});

/** One function `() -> i64` with `locals` i64 locals and a body of `ops` (local.get; i64.add) pairs. */
function bigFunction(locals: number, ops: number, nesting: number): Uint8Array {
  const w = new ByteWriter().bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const section = (id: number, body: Uint8Array) => w.u8(id).u32(body.length).bytes(body);
  section(1, new ByteWriter().u32(1).u8(0x60).u32(0).u32(1).u8(0x7e).finish());
  section(3, new ByteWriter().u32(1).u32(0).finish());
  section(7, new ByteWriter().u32(1).name("f").u8(0).u32(0).finish());
  const code = new ByteWriter().u32(1).u32(locals).u8(0x7e);
  code.u8(0x20).u32(locals - 1).u8(0x42).s64(1n).u8(0x7c).u8(0x21).u32(locals - 1); // last local += 1
  for (let i = 0; i < nesting; i++) code.u8(0x02).u8(0x40);
  for (let i = 0; i < nesting; i++) code.u8(0x0b);
  code.u8(0x42).s64(0n);
  for (let i = 0; i < ops; i++) code.u8(0x20).u32((i * 7919) % (locals - 1)).u8(0x7c); // zero-valued locals
  code.u8(0x20).u32(locals - 1).u8(0x7c).u8(0x0b);
  const body = code.finish();
  section(10, new ByteWriter().u32(1).u32(body.length).bytes(body).finish());
  return w.finish();
}

test(
  "many locals, a huge body and deep block nesting run correctly or fail with a CompileError",
  { skip },
  async () => {
    for (const [locals, ops, nesting] of [[50_000, 10, 0], [10, 300_000, 0], [10, 10, 50_000]] as const) {
      const bytes = bigFunction(locals, ops, nesting);
      let exports: Record<string, unknown>;
      try {
        exports = (await kiln!.instantiate(bytes)).instance.exports;
      } catch (e) {
        assert.ok(
          e instanceof CompileError,
          `${locals}/${ops}/${nesting}: ${(e as Error).name}: ${(e as Error).message}`,
        );
        continue;
      }
      assert.equal(await fn(exports, "f")(), 1n, `${locals} locals, ${ops} ops, ${nesting} nested blocks`);
    }
  },
);

test("a value stack of 100,000 entries works", { skip, timeout: 60_000 }, async () => {
  const w = new ByteWriter().bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const section = (id: number, body: Uint8Array) => w.u8(id).u32(body.length).bytes(body);
  section(1, new ByteWriter().u32(1).u8(0x60).u32(0).u32(1).u8(0x7f).finish());
  section(3, new ByteWriter().u32(1).u32(0).finish());
  section(7, new ByteWriter().u32(1).name("f").u8(0).u32(0).finish());
  const n = 100_000;
  const code = new ByteWriter().u32(0);
  for (let i = 0; i < n; i++) code.u8(0x41).s32(1);
  for (let i = 1; i < n; i++) code.u8(0x6a);
  code.u8(0x0b);
  const body = code.finish();
  section(10, new ByteWriter().u32(1).u32(body.length).bytes(body).finish());
  try {
    const { instance } = await kiln!.instantiate(w.finish());
    assert.equal(await fn(instance.exports, "f")(), n);
  } catch (e) {
    // A stack limit is acceptable if it is reported as a trap or a compile error.
    assert.ok(e instanceof RuntimeError || e instanceof CompileError, `${(e as Error).name}: ${(e as Error).message}`);
  }
});

const LOOP = wat(`(module (func (export "loop") (loop $l (br $l))))`);

test("an infinite loop ends with the fuel trap, an AbortSignal or store.interrupt()", { skip }, async () => {
  const fuel = (await kiln!.instantiate(LOOP, {}, { fuel: 100_000 })).instance;
  await rejectsWith(fn(fuel.exports, "loop")(), RuntimeError, /^all fuel consumed by WebAssembly$/);
  assert.throws(() => fn(fuel.exports, "loop").callSync(), (e: unknown) => e instanceof RuntimeError);

  const signal = AbortSignal.timeout(100);
  const aborted = (await kiln!.instantiate(LOOP, {}, { fuelYieldInterval: 10_000, signal })).instance;
  await rejectsWith(fn(aborted.exports, "loop")(), RuntimeError, /^interrupt$/);

  const store = new kiln!.Store({ fuelYieldInterval: 10_000 });
  const interrupted = (await kiln!.instantiate(LOOP, {}, { store })).instance;
  const timer = setTimeout(() => store.interrupt(), 100);
  try {
    await rejectsWith(fn(interrupted.exports, "loop")(), RuntimeError, /^interrupt$/);
  } finally {
    clearTimeout(timer);
  }
});

test("a healthy guest finishes while a hostile one spins beside it", { skip, timeout: 60_000 }, async () => {
  const hostile = (await kiln!.instantiate(LOOP, {}, {
    fuel: 1e12,
    fuelYieldInterval: 5_000,
    signal: AbortSignal.timeout(3_000),
  })).instance;
  const healthy = (await kiln!.instantiate(
    wat(`(module (import "env" "tick" (func $tick (param i32) (result i32)))
      (func (export "sum") (param $n i32) (result i32) (local $acc i32)
        (loop $l
          (local.set $acc (i32.add (local.get $acc) (call $tick (local.get $n))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc)))`),
    { env: { tick: async (n: number) => await Promise.resolve(n) } },
  )).instance;
  let hostileEnded = 0;
  const spinning = fn(hostile.exports, "loop")().catch((e) => {
    hostileEnded = Date.now();
    return e;
  });
  await new Promise((r) => setTimeout(r, 20)); // the hostile guest is running
  assert.equal(await fn(healthy.exports, "sum")(100), 5050);
  const healthyEnded = Date.now();
  assert.equal(hostileEnded, 0, "the hostile guest ended before the healthy one finished");
  const trap = await spinning;
  assert.ok(trap instanceof RuntimeError && trap.message === "interrupt", String(trap));
  assert.ok(hostileEnded >= healthyEnded);
});

test("fuel 0 traps at once and a later call with refilled fuel runs", { skip }, async () => {
  const src = wat(`(module (func (export "one") (result i32) (i32.const 1)))`);
  const { instance } = await kiln!.instantiate(src, {}, { fuel: 0 });
  await rejectsWith(fn(instance.exports, "one")(), RuntimeError, /^all fuel consumed by WebAssembly$/);
  instance.store.setFuel(10);
  assert.equal(await fn(instance.exports, "one")(), 1);
});
