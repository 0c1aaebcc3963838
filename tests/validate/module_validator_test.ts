import { test } from "node:test";
import assert from "node:assert/strict";
import { assertInvalid, assertUnsupported, assertValid, wat } from "./_helpers.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { ByteReader } from "../../lib/binary/leb128.ts";
import { validateModule } from "../../lib/validate/module_validator.ts";
import { blockTypeOf, EMPTY_FUNC_TYPE, readBlockType } from "../../lib/validate/block_type.ts";
import { CompileError } from "../../lib/errors.ts";

test("validateModule() checks memory and table limits", async () => {
  await assertValid(`(module (memory 0 65536) (table 0 0xffffffff funcref))`);
  await assertInvalid(`(module (memory 65537))`, "memory size must be at most 65536 pages (4GiB)");
  await assertInvalid(`(module (memory 0 65537))`, "memory size must be at most 65536 pages (4GiB)");
  await assertInvalid(`(module (memory 2 1))`, "size minimum must not be greater than maximum");
  await assertInvalid(`(module (table 2 1 funcref))`, "size minimum must not be greater than maximum");
  await assertInvalid(`(module (import "m" "mem" (memory 70000)))`, "memory size");
});

test("validateModule() checks global initializers as constant expressions", async () => {
  await assertValid(`(module (global $a i32 (i32.const 1)) (global i32 (global.get $a)))`);
  await assertValid(`(module (import "m" "g" (global $g i64)) (global i64 (global.get $g)))`);
  await assertValid(`(module (func $f) (global funcref (ref.func $f)) (global externref (ref.null extern)))`);
  await assertInvalid(`(module (global i32 (f32.const 0)))`, "type mismatch");
  await assertInvalid(`(module (global i32 (i32.const 0) (i32.const 0)))`, "type mismatch");
  await assertInvalid(`(module (global i32))`, "type mismatch");
  await assertInvalid(`(module (global i32 (global.get 0)))`, "unknown global");
  await assertInvalid(`(module (global i32 (global.get 1)) (global i32 (i32.const 0)))`, "unknown global");
  await assertInvalid(
    `(module (import "m" "g" (global (mut i32))) (global i32 (global.get 0)))`,
    "constant expression required",
  );
  await assertInvalid(`(module (global i32 (i32.ctz (i32.const 0))))`, "constant expression required");
  await assertInvalid(`(module (global funcref (ref.func 3)))`, "unknown function 3");
});

test("validateModule() checks element and data segments", async () => {
  await assertValid(`(module (table 1 funcref) (func $f) (elem (i32.const 0) $f) (elem funcref (ref.null func)))`);
  await assertInvalid(`(module (func $f) (elem (i32.const 0) $f))`, "unknown table 0");
  await assertInvalid(`(module (table 1 externref) (func $f) (elem (table 0) (i32.const 0) func $f))`, "type mismatch");
  await assertInvalid(`(module (table 1 funcref) (func $f) (elem (i64.const 0) $f))`, "type mismatch");
  await assertInvalid(`(module (elem externref (ref.null func)))`, "type mismatch");
  await assertValid(`(module (memory 1) (data (i32.const 0) "a") (data "b"))`);
  await assertInvalid(`(module (data (i32.const 0) "a"))`, "unknown memory 0");
  await assertInvalid(`(module (memory 1) (data (i64.const 0) "a"))`, "type mismatch");
  await assertInvalid(
    `(module (memory 1) (global (mut i32) (i32.const 0)) (data (global.get 0) "a"))`,
    "constant expression required",
  );
});

test("validateModule() checks the start function and exports", async () => {
  await assertValid(`(module (func $s) (start $s))`);
  await assertInvalid(`(module (func $s (param i32)) (start $s))`, "start function");
  await assertInvalid(`(module (func $s (result i32) (i32.const 0)) (start $s))`, "start function");
  await assertInvalid(`(module (start 2))`, "unknown function 2");
  await assertValid(`(module (func (export "a")) (memory (export "b") 1) (global (export "c") i32 (i32.const 0)))`);
  await assertInvalid(`(module (func (export "a")) (func (export "a")))`, "duplicate export name");
  await assertInvalid(`(module (func) (export "a" (func 1)))`, "unknown function 1");
  await assertInvalid(`(module (export "a" (memory 0)))`, "unknown memory 0");
  await assertInvalid(`(module (export "a" (table 0)))`, "unknown table 0");
  await assertInvalid(`(module (export "a" (global 0)))`, "unknown global 0");
});

test("validateModule() checks function type indices", () => {
  // Hand-encoded: function 0 names type 3 of a one-type module.
  const bytes = new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    0x01,
    0x04,
    0x01,
    0x60,
    0x00,
    0x00,
    0x03,
    0x02,
    0x01,
    0x03,
    0x0a,
    0x04,
    0x01,
    0x02,
    0x00,
    0x0b,
  ]); // deno-fmt-ignore
  assert.throws(() => validateModule(decodeModule(bytes)), (e: unknown) => e instanceof CompileError && e.message === "unknown type 3");
});

test("validateModule() reports threads as unsupported, and checks multi-memory indices", async () => {
  await assertUnsupported(`(module (import "m" "a" (memory 1 2 shared)))`, "threads");
  await assertValid(
    `(module (import "m" "a" (memory 1)) (memory 1) (func (i32.store8 1 (i32.const 0) (i32.const 1))))`,
  );
  await assertInvalid(`(module (memory 1) (memory 1) (func (drop (i32.load 2 (i32.const 0)))))`, "unknown memory 2");
});

test("validateModule() types extended constant expressions (i32/i64 add, sub, mul)", async () => {
  await assertValid(`(module (memory 1) (data (i32.add (i32.const 0) (i32.const 1)) "a"))`);
  await assertValid(
    `(module (global $g i64 (i64.const 2)) (global i64 (i64.mul (global.get $g) (i64.sub (i64.const 9) (i64.const 1)))))`,
  );
  await assertInvalid(`(module (global i32 (i32.add (i32.const 1) (i64.const 2))))`, "type mismatch");
  await assertInvalid(`(module (global i64 (i32.mul (i32.const 1) (i32.const 2))))`, "type mismatch");
  await assertInvalid(`(module (global i32 (i32.sub (i32.const 1))))`, "type mismatch");
});

test("validateModule() returns the context, with declared function references", async () => {
  const ctx = validateModule(decodeModule(
    await wat(`(module (func $a) (func $b) (func $c (export "c"))
    (elem declare func $b))`),
  ));
  assert.equal(ctx.funcs.length, 3);
  assert.deepEqual([...ctx.refs], [0, 1, 1]);
});

test("blockTypeOf() and readBlockType() decode every block type form", async () => {
  const m = decodeModule(await wat(`(module (type (func (param i32) (result i64 f32))))`));
  assert.equal(blockTypeOf(m, 0x40), EMPTY_FUNC_TYPE);
  assert.deepEqual(blockTypeOf(m, 0x7c), { params: [], results: [0x7c] });
  assert.deepEqual(blockTypeOf(m, -1), { params: [0x7f], results: [0x7e, 0x7d] });
  assert.throws(() => blockTypeOf(m, -2), (e: unknown) => e instanceof CompileError && e.message === "unknown type 1");
  const r = new ByteReader(new Uint8Array([0x40, 0x7f, 0x00, 0x6f]));
  assert.deepEqual(readBlockType(r, m).results, []);
  assert.deepEqual(readBlockType(r, m).results, [0x7f]);
  assert.deepEqual(readBlockType(r, m).params, [0x7f]);
  assert.deepEqual(readBlockType(r, m).results, [0x6f]);
  assert.equal(r.pos, 4);
});
