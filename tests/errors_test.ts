import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, RuntimeError, TrapCode, type WasmFrame } from "../mod.ts";
import { collapseRepeats, repeatsLine } from "../lib/_repeats.ts";

const frame = (funcIndex: number, offset: number): WasmFrame => ({ funcIndex, funcName: `f${funcIndex}`, offset });

test("collapseRepeats() makes one run of a frame repeating, and of cycles of 2 to 4 frames", () => {
  const one = ["a", ...Array(1000).fill("b"), "c"];
  assert.deepEqual(collapseRepeats(one), [
    { start: 0, period: 1, repeats: 1 },
    { start: 1, period: 1, repeats: 1000 },
    { start: 1001, period: 1, repeats: 1 },
  ]);
  for (const period of [2, 3, 4]) {
    const cycle = Array.from({ length: period * 500 }, (_, i) => `g${i % period}`);
    assert.deepEqual(collapseRepeats(["main", ...cycle]), [
      { start: 0, period: 1, repeats: 1 },
      { start: 1, period, repeats: 500 },
    ], `period ${period}`);
  }
});

test("collapseRepeats() leaves short repetitions and distinct frames as they are", () => {
  assert.deepEqual(collapseRepeats(["a", "a", "a", "b"]).map((r) => r.repeats), [1, 1, 1, 1]);
  assert.deepEqual(collapseRepeats(["a", "b", "c"]).length, 3);
  assert.deepEqual(collapseRepeats([]), []);
});

test("repeatsLine() counts the hidden frames", () => {
  assert.equal(
    repeatsLine({ start: 0, period: 1, repeats: 16_381 }),
    "… 16,380 more frames repeating the frame above …",
  );
  assert.equal(repeatsLine({ start: 0, period: 2, repeats: 5 }), "… 8 more frames repeating the 2 frames above …");
});

test("RuntimeError.stack puts the code and message first and collapses repeating frames; backtrace keeps all", () => {
  const frames = [frame(1, 0x20), ...Array.from({ length: 100_000 }, () => frame(1, 0x30)), frame(0, 0x10)];
  const trap = new RuntimeError("call stack exhausted", frames, TrapCode.StackOverflow);
  const lines = trap.stack!.split("\n");
  assert.deepEqual(lines.slice(0, 5), [
    "RuntimeError [StackOverflow]: call stack exhausted",
    "    at f1 (wasm:wasm-function[1]:0x20)",
    "    at f1 (wasm:wasm-function[1]:0x30)",
    "    … 99,999 more frames repeating the frame above …",
    "    at f0 (wasm:wasm-function[0]:0x10)",
  ]);
  assert.ok(lines.length < 50, trap.stack);
  assert.ok(lines.slice(5).every((line) => line.startsWith("    at ")), trap.stack);
  assert.equal(trap.backtrace.length, 100_002);
  // A host-made trap has no code; a stack assigned by host code is kept as assigned.
  assert.match(new RuntimeError("boom").stack!, /^RuntimeError: boom\n/);
  trap.stack = "replaced";
  assert.equal(trap.stack, "replaced");
});

test("RuntimeError.stack of a real 10,000+ deep mutual recursion is under 50 lines", async () => {
  const { instance } = await instantiate(
    `(module
      (func $even (export "even") (param i32) (result i32) (call $odd (i32.add (local.get 0) (i32.const 1))))
      (func $odd (param i32) (result i32) (call $even (i32.add (local.get 0) (i32.const 1)))))`,
    {},
  );
  const trap = await (instance.exports.even as (n: number) => Promise<number>)(0).then(
    () => assert.fail("no trap"),
    (e: unknown) => e as RuntimeError,
  );
  assert.ok(trap instanceof RuntimeError);
  assert.equal(trap.code, TrapCode.StackOverflow);
  assert.ok(trap.backtrace.length > 10_000, String(trap.backtrace.length));
  const lines = trap.stack!.split("\n");
  assert.ok(lines.length < 50, trap.stack);
  assert.match(trap.stack!, /\n {4}… [\d,]+ more frames repeating the 2 frames above …\n/);
});
