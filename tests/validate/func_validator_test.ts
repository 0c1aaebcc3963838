import { test } from "node:test";
import assert from "node:assert/strict";
import { assertInvalid, assertUnsupported, assertValid, compileBytes } from "./_helpers.ts";
import { CompileError } from "../../lib/errors.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** A module with one `[] -> []` function whose body (after the local declarations) is `code`. */
function withBody(code: number[], extra: number[][] = []): Uint8Array {
  const body = [0x00, ...code];
  return new Uint8Array([
    ...HEADER,
    ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
    ...[0x03, 0x02, 0x01, 0x00],
    ...extra.flat(),
    ...[0x0a, body.length + 2, 0x01, body.length, ...body],
  ]);
}

test("FuncValidator checks operand types of numeric instructions", async () => {
  await assertValid(`(module (func (result i32) (i32.add (i32.const 1) (i32.const 2))))`);
  await assertValid(`(module (func (result f64) (f64.promote_f32 (f32.const 1))))`);
  await assertValid(`(module (func (result i32) (i32.trunc_sat_f64_s (f64.const 1))))`);
  await assertInvalid(`(module (func (result i32) (i32.add (i64.const 1) (i32.const 2))))`, "type mismatch");
  await assertInvalid(`(module (func (result i32) (i64.const 0)))`, "type mismatch");
  await assertInvalid(`(module (func (i32.eqz)))`, "type mismatch");
  await assertInvalid(`(module (func (i32.const 1)))`, "type mismatch");
});

test("FuncValidator makes the stack polymorphic after unreachable, br, br_table and return", async () => {
  await assertValid(`(module (func (result i32) unreachable))`);
  await assertValid(`(module (func (result i32) unreachable i32.add))`);
  await assertValid(`(module (func (result i64) (return (i64.const 1)) i32.add drop))`);
  await assertValid(`(module (func (result i32) (block (result i32) (br 0 (i32.const 1)) i64.add drop)))`);
  await assertValid(`(module (func (block (br_table 0 0 (i32.const 1)) (i32.const 1) (drop))))`);
  await assertInvalid(`(module (func unreachable (i32.add (i64.const 0))))`, "type mismatch");
  await assertInvalid(`(module (func (result i32) unreachable (i64.const 0)))`, "type mismatch");
  // Below a block the polymorphic stack of the enclosing frame is not visible.
  await assertInvalid(`(module (func unreachable (block (drop))))`, "type mismatch");
});

test("FuncValidator types blocks, loops and if, including multi-value type indices", async () => {
  await assertValid(`(module (type $t (func (param i32) (result i32 i32)))
    (func (result i32 i32) (i32.const 1) (block (type $t) (param i32) (result i32 i32) (i32.const 2))))`);
  await assertValid(`(module (func (param i32) (result i32)
    (local.get 0) (loop (param i32) (result i32) (br_if 0 (i32.const 0)))))`);
  await assertValid(`(module (func (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))`);
  await assertValid(`(module (func (param i32) (result i32)
    (i32.const 7) (local.get 0) (if (param i32) (result i32) (then (i32.const 1) (i32.add)))))`);
  await assertInvalid(
    `(module (func (result i32) (i32.const 1) (if (result i32) (then (i32.const 1)))))`,
    "type mismatch",
  );
  await assertInvalid(`(module (func (if (i64.const 1) (then))))`, "type mismatch");
  await assertInvalid(`(module (func (block (result i32) (i64.const 1))))`, "type mismatch");
  await assertInvalid(`(module (func (block (i32.const 1))))`, "type mismatch");
  // A branch to a loop carries the loop's parameters, not its results.
  await assertValid(`(module (func (loop (result i32) (br 0 (i32.const 1))) drop))`);
  await assertInvalid(`(module (func (i32.const 0) (loop (param i32) (br 0 (i64.const 1)))))`, "type mismatch");
  // A block type naming type 5 of a one-type module (hand-encoded: wabt rewrites it).
  assert.throws(
    () => compileBytes(withBody([0x02, 0x05, 0x0b, 0x0b])),
    (e: unknown) => e instanceof CompileError && e.message === "unknown type 5",
  );
});

test("FuncValidator checks branch labels and br_table arities", async () => {
  await assertInvalid(`(module (func (br 1)))`, "unknown label");
  await assertInvalid(`(module (func (block (br_if 2 (i32.const 1)))))`, "unknown label");
  await assertInvalid(`(module (func (block (br_table 0 3 (i32.const 1)))))`, "unknown label");
  await assertInvalid(
    `(module (func (block (result i32) (block (br_table 0 1 (i32.const 0) (i32.const 0)))) drop))`,
    "type mismatch",
  );
  await assertInvalid(
    `(module (func (block (result i32) (block (result i64) (br_table 0 1 (i32.const 0) (i32.const 0))) drop) drop))`,
    "type mismatch",
  );
  await assertInvalid(`(module (func (block (br_if 0 (i64.const 1)))))`, "type mismatch");
});

test("FuncValidator checks calls, locals and globals", async () => {
  await assertValid(`(module (func $f (param i32) (result i64) (i64.const 1))
    (func (result i64) (call $f (i32.const 1))))`);
  await assertInvalid(`(module (func $f (param i32)) (func (call $f (i64.const 1))))`, "type mismatch");
  await assertInvalid(`(module (func (call 9)))`, "unknown function 9");
  await assertValid(`(module (table 1 funcref) (type $t (func (result i32)))
    (func (result i32) (call_indirect (type $t) (i32.const 0))))`);
  await assertInvalid(`(module (type $t (func)) (func (call_indirect (type $t) (i32.const 0))))`, "unknown table");
  await assertInvalid(
    `(module (table 1 externref) (type $t (func)) (func (call_indirect (type $t) (i32.const 0))))`,
    "type mismatch",
  );
  await assertInvalid(`(module (table 1 funcref) (func (call_indirect (type 7) (i32.const 0))))`, "unknown type");
  await assertValid(
    `(module (func (param i32) (local i64 f32) (local.set 1 (i64.const 1)) (drop (local.tee 2 (f32.const 1)))))`,
  );
  await assertInvalid(`(module (func (param i32) (local.set 0 (i64.const 1))))`, "type mismatch");
  await assertInvalid(`(module (func (param i32) (local i64) (drop (local.get 2))))`, "unknown local 2");
  await assertValid(`(module (global $g (mut i32) (i32.const 0)) (func (global.set $g (i32.const 1))))`);
  await assertInvalid(
    `(module (global $g i32 (i32.const 0)) (func (global.set $g (i32.const 1))))`,
    "immutable global",
  );
  await assertInvalid(`(module (func (drop (global.get 0))))`, "unknown global 0");
});

test("FuncValidator checks select typing", async () => {
  await assertValid(`(module (func (result i64) (select (i64.const 1) (i64.const 2) (i32.const 0))))`);
  await assertValid(
    `(module (func (result funcref) (select (result funcref) (ref.null func) (ref.null func) (i32.const 0))))`,
  );
  await assertInvalid(`(module (func (drop (select (ref.null func) (ref.null func) (i32.const 0)))))`, "type mismatch");
  await assertInvalid(`(module (func (drop (select (i32.const 1) (i64.const 2) (i32.const 0)))))`, "type mismatch");
  await assertInvalid(`(module (func (drop (select (i32.const 1) (i32.const 2) (i64.const 0)))))`, "type mismatch");
  // Typed select with zero or two types: hand-encoded, wabt would not write it.
  const arity = (n: number) =>
    withBody([0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c, n, ...Array(n).fill(0x7f), 0x1a, 0x0b]);
  for (const n of [0, 2]) {
    assert.throws(
      () => compileBytes(arity(n)),
      (e: unknown) => e instanceof CompileError && e.message.includes("invalid result arity"),
    );
  }
});

test("FuncValidator checks memory instructions: memory index, alignment, offset", async () => {
  await assertValid(
    `(module (memory 1) (func (i64.store offset=8 align=8 (i32.const 0) (i64.load8_u (i32.const 1)))))`,
  );
  await assertValid(`(module (memory 1) (func (drop (memory.grow (memory.size)))))`);
  await assertInvalid(`(module (func (drop (i32.load (i32.const 0)))))`, "unknown memory 0");
  await assertInvalid(`(module (func (drop (memory.size))))`, "unknown memory");
  await assertInvalid(
    `(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))`,
    "alignment must not be larger than natural",
  );
  await assertInvalid(
    `(module (memory 1) (func (i32.store16 align=4 (i32.const 0) (i32.const 0))))`,
    "alignment must not be larger than natural",
  );
  await assertInvalid(`(module (memory 1) (func (f32.store (i32.const 0) (f64.const 0))))`, "type mismatch");
  await assertInvalid(`(module (memory 1) (func (drop (i32.load (i64.const 0)))))`, "type mismatch");
  // i32.load with a memidx flag (bit 6) naming memory 1 of a single-memory module.
  const mem = [0x05, 0x03, 0x01, 0x00, 0x01];
  assert.throws(
    () => compileBytes(withBody([0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x1a, 0x0b], [mem])),
    (e: unknown) => e instanceof CompileError && e.message === "unknown memory 1",
  );
  // An offset of 2^32 does not fit a 32-bit memory.
  assert.throws(
    () => compileBytes(withBody([0x41, 0x00, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1a, 0x0b], [mem])),
    (e: unknown) => e instanceof CompileError && e.message === "offset out of range",
  );
});

test("FuncValidator checks bulk memory, table and reference instructions", async () => {
  await assertValid(`(module (memory 1) (data "x") (func
    (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop 0)
    (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))`);
  await assertInvalid(`(module (memory 1) (func (data.drop 0)))`, "unknown data segment 0");
  await assertInvalid(
    `(module (memory 1) (data "x") (func (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 1))))`,
    "unknown data segment 1",
  );
  await assertInvalid(
    `(module (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))))`,
    "unknown memory 0",
  );
  await assertValid(`(module (table $t 1 funcref) (elem $e func 0) (func
    (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $e)
    (table.copy (i32.const 0) (i32.const 0) (i32.const 0))
    (drop (table.grow $t (ref.null func) (i32.const 1))) (drop (table.size $t))
    (table.fill $t (i32.const 0) (ref.null func) (i32.const 0))
    (table.set $t (i32.const 0) (table.get $t (i32.const 0)))))`);
  await assertInvalid(`(module (table 1 funcref) (func (elem.drop 0)))`, "unknown elem segment 0");
  await assertInvalid(
    `(module (elem func) (func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 0))))`,
    "unknown table 0",
  );
  await assertInvalid(
    `(module (table 1 externref) (elem func) (func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 0))))`,
    "type mismatch",
  );
  await assertInvalid(
    `(module (table $a 1 externref) (table $b 1 funcref) (func (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))))`,
    "type mismatch",
  );
  await assertInvalid(
    `(module (table 1 externref) (func (table.set 0 (i32.const 0) (ref.null func))))`,
    "type mismatch",
  );
  await assertInvalid(`(module (func (drop (table.size 0))))`, "unknown table 0");
  await assertValid(`(module (func (result i32) (ref.is_null (ref.null extern))))`);
  await assertInvalid(`(module (func (result i32) (ref.is_null (i32.const 0))))`, "type mismatch");
  await assertValid(`(module (func $f) (elem declare func $f) (func (result funcref) (ref.func $f)))`);
  await assertValid(`(module (func $f (export "f")) (func (result funcref) (ref.func $f)))`);
  await assertInvalid(`(module (func $f) (func (result funcref) (ref.func $f)))`, "undeclared function reference");
  await assertInvalid(`(module (func (result funcref) (ref.func 5)))`, "unknown function 5");
});

test("FuncValidator reports proposals Kiln does not implement as unsupported", async () => {
  await assertUnsupported(`(module (memory 1 1 shared) (func))`, "threads");
  await assertUnsupported(`(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))`, "threads");
});

test("FuncValidator checks tail calls: the callee's results must be the function's", async () => {
  await assertValid(`(module (func $f (param i32) (result i32) (return_call $f (local.get 0))))`);
  await assertValid(`(module (type $t (func (result i64))) (table 1 funcref)
    (func (result i64) (return_call_indirect (type $t) (i32.const 0)) (i32.const 1) (drop)))`);
  await assertInvalid(`(module (func (result i32) (return_call 1)) (func))`, "type mismatch");
  await assertInvalid(`(module (func (return_call 1)) (func (result i32) (i32.const 0)))`, "type mismatch");
  await assertInvalid(
    `(module (type $t (func (param i32))) (table 1 funcref)
    (func (return_call_indirect (type $t) (i32.const 0))))`,
    "type mismatch",
  );
  await assertInvalid(`(module (func (return_call 5)))`, "unknown function 5");
});

test("FuncValidator rejects a body that ends before its last end", () => {
  // The decoder's check: a body whose `end` falls inside the next function.
  assert.throws(() => compileBytes(withBody([0x02, 0x40, 0x0b])), (e: unknown) => e instanceof CompileError);
});

test("FuncValidator types throw, throw_ref, try_table's catch clauses and the legacy try", async () => {
  const { parseWat } = await import("../../lib/text/parse_wat.ts");
  const valid = (text: string) => compileBytes(parseWat(text));
  const invalid = (text: string, message: string) =>
    assert.throws(() => compileBytes(parseWat(text)), (e: unknown) => {
      assert.ok(e instanceof CompileError, `expected a CompileError, got ${e}`);
      assert.ok(e.message.includes(message), `expected "${message}", got "${e.message}" for ${text}`);
      return true;
    });
  valid(`(module (tag $e (param i32 i64))
    (func (result i32 i64) (block $h (result i32 i64) (try_table (catch $e $h) (throw $e (i32.const 1) (i64.const 2)))
      (unreachable))))`);
  valid(`(module (tag $e (param i32))
    (func (result i32 exnref) (block $h (result i32 exnref) (try_table (catch_ref $e $h)) (unreachable))))`);
  valid(`(module (func (param exnref) (throw_ref (local.get 0))))`);
  // A clause's values must be its label's: catch_ref adds the exnref; catch_all passes nothing.
  invalid(
    `(module (tag $e (param i32)) (func (block $h (result i32) (try_table (catch_ref $e $h)) (unreachable)) drop))`,
    "type mismatch",
  );
  invalid(`(module (func (block $h (result exnref) (try_table (catch_all $h)) (unreachable)) drop))`, "type mismatch");
  invalid(`(module (func (throw 0)))`, "unknown tag 0");
  invalid(
    `(module (tag (param i32)) (func (i64.const 5) (throw 0)))`,
    "instruction requires [i32] but stack has [i64]",
  );
  invalid(`(module (func (throw_ref (ref.null extern))))`, "type mismatch");
  invalid(`(module (type (func (result i32))) (tag (type 0)))`, "non-empty tag result type");
  // The label of a try_table's clause is counted outside it.
  invalid(`(module (tag) (func (try_table (catch 0 1))))`, "unknown label");
  // Legacy: rethrow names a handler; delegate names a label outside its try.
  valid(`(module (tag) (func (try (do (throw 0)) (catch 0 (rethrow 0)))))`);
  invalid(`(module (func (try (do) (catch_all) ) (block (rethrow 0))))`, "invalid rethrow label");
  invalid(`(module (func (try (do) (delegate 1))))`, "unknown label");
});

test("FuncValidator types v128 wherever a value type may appear, and SIMD instructions by the table's signatures", async () => {
  const zero = "(v128.const i32x4 0 0 0 0)";
  await assertValid(`(module (global $g (mut v128) ${zero}) (tag (param v128))
    (func (param v128) (result v128) (local v128)
      (local.set 1 (block (result v128) (global.get $g)))
      (global.set $g (select (local.get 0) (local.get 1) (i32.const 1)))
      (select (result v128) (local.get 0) (local.get 1) (i32.const 0))))`);
  await assertValid(`(module (func (result i32) (v128.any_true (i32x4.add ${zero} (i32x4.splat (i32.const 1))))))`);
  await assertValid(`(module (func (result v128) (f32x4.relaxed_madd ${zero} ${zero} ${zero})))`);
  await assertValid(`(module (func (result i64) (i64x2.extract_lane 1 (i64x2.replace_lane 0 ${zero} (i64.const 7)))))`);
  await assertInvalid(`(module (func (result v128) (i32x4.add ${zero} (i32.const 0))))`, "type mismatch");
  await assertInvalid(`(module (func (result v128) (i8x16.splat (i64.const 0))))`, "type mismatch");
  await assertInvalid(`(module (func (result v128) (i8x16.shl ${zero} ${zero})))`, "type mismatch");
  await assertInvalid(`(module (func (result i32) (i32x4.extract_lane 0 (i32.const 0))))`, "type mismatch");
  await assertInvalid(`(module (func (result v128) (select (i32.const 0) ${zero} (i32.const 0))))`, "type mismatch");
});

test("FuncValidator bounds lane indices by the shape, and shuffle lanes below 32", async () => {
  const { parseWat } = await import("../../lib/text/parse_wat.ts");
  const zero = "(v128.const i32x4 0 0 0 0)";
  const invalidLane = (text: string) =>
    assert.throws(
      () => compileBytes(parseWat(`(module (memory 1) (func ${text}))`)),
      (e: unknown) => e instanceof CompileError && e.message === "invalid lane index",
      text,
    );
  const valid = (text: string) => compileBytes(parseWat(`(module (memory 1) (func ${text}))`));
  for (const [shape, lanes] of [["i8x16", 16], ["i16x8", 8], ["i32x4", 4], ["i64x2", 2]] as const) {
    const extract = shape === "i8x16" || shape === "i16x8" ? `${shape}.extract_lane_u` : `${shape}.extract_lane`;
    valid(`(drop (${extract} ${lanes - 1} ${zero}))`);
    invalidLane(`(drop (${extract} ${lanes} ${zero}))`);
  }
  valid(`(drop (f64x2.replace_lane 1 ${zero} (f64.const 0)))`);
  invalidLane(`(drop (f64x2.replace_lane 2 ${zero} (f64.const 0)))`);
  invalidLane(`(drop (f32x4.extract_lane 255 ${zero}))`);
  const shuffle = (last: number) => `(drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 ${last} ${zero} ${zero}))`;
  valid(shuffle(31));
  invalidLane(shuffle(32));
  valid(`(drop (v128.load16_lane 7 (i32.const 0) ${zero}))`);
  invalidLane(`(drop (v128.load16_lane 8 (i32.const 0) ${zero}))`);
  valid(`(v128.store64_lane 1 (i32.const 0) ${zero})`);
  invalidLane(`(v128.store64_lane 2 (i32.const 0) ${zero})`);
});

test("FuncValidator checks SIMD loads and stores: natural alignment, memory index, address type", async () => {
  const { parseWat } = await import("../../lib/text/parse_wat.ts");
  const zero = "(v128.const i32x4 0 0 0 0)";
  const compile = (text: string) => compileBytes(parseWat(text));
  // [instruction, natural alignment in bytes, operands after the address]
  const accesses: [string, number, string][] = [
    ["v128.load", 16, ""],
    ["v128.store", 16, zero],
    ["v128.load8x8_s", 8, ""],
    ["v128.load32x2_u", 8, ""],
    ["v128.load8_splat", 1, ""],
    ["v128.load64_splat", 8, ""],
    ["v128.load32_zero", 4, ""],
    ["v128.load64_zero", 8, ""],
    ["v128.load16_lane", 2, zero],
    ["v128.store32_lane", 4, zero],
  ];
  for (const [name, natural, rest] of accesses) {
    const lane = name.endsWith("_lane") ? " 0" : "";
    const access = (align: number) =>
      `(module (memory 1) (func (${name} align=${align}${lane} (i32.const 0) ${rest}) ${
        name.includes("store") ? "" : "drop"
      }))`;
    compile(access(natural));
    assert.throws(
      () => compile(access(natural * 2)),
      (e: unknown) => e instanceof CompileError && e.message === "alignment must not be larger than natural",
      name,
    );
  }
  await assertInvalid(`(module (memory 1) (func (v128.store (i32.const 0) (i32.const 0))))`, "type mismatch");
  await assertInvalid(`(module (memory 1) (func (drop (v128.load (i64.const 0)))))`, "type mismatch");
  await assertInvalid(`(module (func (drop (v128.load (i32.const 0)))))`, "unknown memory 0");
  compile(`(module (memory i64 1) (func (drop (v128.load offset=0x1_0000_0000 (i64.const 0)))))`);
  compile(`(module (memory 1) (memory $m 1) (func (drop (v128.load8_lane $m 1 (i32.const 0) ${zero}))))`);
  assert.throws(
    () => compile(`(module (memory 1) (func (drop (v128.load offset=0x1_0000_0000 (i32.const 0)))))`),
    (e: unknown) => e instanceof CompileError && e.message === "offset out of range",
  );
});

test("FuncValidator accepts v128.const in constant expressions, and no other SIMD instruction", async () => {
  await assertValid(`(module (global v128 (v128.const i64x2 1 2)) (global v128 (global.get 0)))`);
  await assertInvalid(`(module (global i32 (v128.const i64x2 1 2)))`, "type mismatch");
  await assertInvalid(`(module (global v128 (i32x4.splat (i32.const 0))))`, "constant expression required");
  await assertInvalid(`(module (memory 1) (data (offset (v128.const i64x2 0 0))))`, "type mismatch");
});
