// Backtraces on the native engine equal the interpreter's: the same frames, and on V8 the same original byte
// offsets, also where the instrumenter added code before the trapping instruction (fuel charges, checkpoints, the
// NaN guard of truncations) and for stacks deeper than the host's default 10 captured frames. On JavaScriptCore,
// whose wasm call sites carry no offsets, the same functions with offset -1 (lib/native/traps.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, instantiate, parseWat, RuntimeError, type StoreOptions } from "../../mod.ts";

const V8_OFFSETS = !("Bun" in globalThis);

const MODULE = parseWat(`(module $m
  (memory 1)
  (func $nan (export "nan") (result i32) (i32.trunc_f64_s (f64.div (f64.const 0) (f64.const 0))))
  (func $overflow (export "overflow") (result i32) (i32.trunc_f32_u (f32.const -5)))
  (func $loop (export "loop") (param i32) (result i32) (local i32)
    (loop (local.set 1 (i32.add (local.get 1) (i32.const 4)))
      (drop (i32.load (local.get 1)))
      (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
    (i32.const 0))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.div_u (i32.const 1) (local.get 0)))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func $wide (export "wide") (result i32) (call $down (i32.const 3)))
  (func $spin (export "spin") (loop (br 0))))`);

type Frame = [number, string | undefined, number];

async function framesOf(engine: EngineName, name: string, args: number[], store: StoreOptions = {}): Promise<{
  message: string;
  frames: Frame[];
}> {
  const { instance } = await instantiate(MODULE, {}, { engine, ...store });
  const f = instance.exports[name] as (...a: number[]) => Promise<unknown>;
  const e = await f(...args).then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof RuntimeError, `${engine} ${name}: ${e}`);
  return { message: e.message, frames: e.backtrace.map((f) => [f.funcIndex, f.funcName, f.offset]) };
}

const CASES: [string, number[], StoreOptions][] = [
  ["nan", [], {}], // the instrumenter's NaN guard traps before the truncation
  ["overflow", [], {}],
  ["loop", [1 << 20], {}], // out of bounds in a loop whose header is a checkpoint
  ["down", [40], {}], // 41 frames: more than the host's default Error.stackTraceLimit of 10
  ["wide", [], {}],
  // maxWasmStack: the native engine counts frames in each function's prologue (code moved again).
  ["down", [40], { maxWasmStack: 1 << 20 }],
  ["nan", [], { maxWasmStack: 1 << 20 }],
];

for (const fuel of [undefined, 1e9]) {
  for (const [name, args, store] of CASES) {
    const limit = store.maxWasmStack ? ", maxWasmStack" : "";
    test(`native engine${fuel ? " with fuel" : ""}${limit}: the backtrace of "${name}" is the interpreter's`, async () => {
      const options = { ...store, fuel };
      const want = await framesOf("interpreter", name, args, options);
      const got = await framesOf("native", name, args, options);
      assert.equal(got.message, want.message);
      const expected = V8_OFFSETS ? want.frames : want.frames.map(([i, n]): Frame => [i, n, -1]);
      assert.deepEqual(got.frames, expected);
      assert.ok(want.frames.every(([, , offset]) => offset > 0));
    });
  }
}

test("native engine: an out-of-fuel trap names the spinning function; V8's offset is in the function", async () => {
  const want = await framesOf("interpreter", "spin", [], { fuel: 10_000 });
  const got = await framesOf("native", "spin", [], { fuel: 10_000 });
  assert.equal(got.message, "all fuel consumed by WebAssembly");
  assert.deepEqual(got.frames.map(([i, n]) => [i, n]), want.frames.map(([i, n]) => [i, n]));
  if (V8_OFFSETS) assert.ok(got.frames[0]![2] > 0);
});

test("native engine: Error.stackTraceLimit is the embedder's again after a call", async () => {
  const before = Error.stackTraceLimit;
  await framesOf("native", "down", [40]);
  assert.equal(Error.stackTraceLimit, before);
});

test("native engine: frames of two modules each name their own module, function and offset", async () => {
  const lib = parseWat(`(module $lib (table 2 funcref)
    (func $pick (export "pick") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))`);
  const app = parseWat(`(module $app (import "lib" "pick" (func $pick (param i32) (result i32)))
    (func $main (export "main") (param i32) (result i32) (i32.add (i32.const 1) (call $pick (local.get 0)))))`);
  const frames = async (engine: EngineName, arg: number) => {
    const { instance: l } = await instantiate(lib, {}, { engine });
    const { instance: a } = await instantiate(app, { lib: l.exports }, { store: l.store });
    const e = await (a.exports.main as (x: number) => Promise<number>)(arg).then(() => undefined, (e) => e);
    assert.ok(e instanceof RuntimeError);
    return { message: e.message, frames: e.backtrace.map((f) => [f.moduleName, f.funcName, f.offset]) };
  };
  for (const arg of [1, 5]) { // a null entry ("uninitialized element 1"), an index past the end ("undefined element")
    const want = await frames("interpreter", arg);
    assert.deepEqual(want.frames.map(([m, n]) => [m, n]), [["lib", "pick"], ["app", "main"]]);
    const got = await frames("native", arg);
    assert.equal(got.message, want.message);
    // JavaScriptCore's frames do not say their module: a frame of another module than the called one is left out
    // (its name is not one of the called module's functions).
    const onJsc = want.frames.filter(([m]) => m === "app").map(([m, n]) => [m, n, -1]);
    assert.deepEqual(got.frames, V8_OFFSETS ? want.frames : onJsc);
  }
});
