import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { translateFunction } from "../../lib/compile/translate.ts";
import { ISA_NAMES, recordLength } from "../../lib/compile/isa.ts";
import { wat } from "../api/_wat.ts";

/** Disassembles code into records `name imm imm ...`. */
function records(code: Int32Array): string[] {
  const out: string[] = [];
  for (let pc = 0; pc < code.length;) {
    const n = recordLength(code, pc);
    out.push([ISA_NAMES.get(code[pc]!)!, ...code.subarray(pc + 1, pc + n)].join(" "));
    pc += n;
  }
  return out;
}

function ops(code: Int32Array): string[] {
  return records(code).map((r) => r.split(" ")[0]!);
}

function translate(body: string, meter = true) {
  const module = decodeModule(wat(`(module ${body})`));
  return translateFunction(module, 0, meter);
}

// Slot immediates are word offsets (2 × slot): local 0 is 0, local 1 is 2, the first temp of a frame with two
// locals is 4.

test("translateFunction() reads locals in place, writes results into locals and fuses compare+br_if", () => {
  const c = translate(`(func (param i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (i32.mul (local.get 0) (i32.const 3)) (i32.const 0)))))`);
  assert.deepEqual(records(c.code), [
    "fuel_check 0",
    "fuel_check 14",
    "i32.add 2 2 0",
    "i32.sub_i 0 0 1",
    "i32.mul_i 4 0 3",
    "br_i32.gt_s_i 4 0 2 0",
    "return 0 0",
  ]);
  assert.equal(c.localCount, 2);
  assert.equal(c.maxHeight, 4);
});

test("translateFunction() moves branch values to the target's slots and skips unreachable code", () => {
  const c = translate(`(func (result i32)
    (block (result i32) (i32.const 1) (i32.const 2) (br 0) (i32.const 3) (drop))
    (return) (i32.const 4))`);
  assert.deepEqual(records(c.code), ["fuel_check 3", "i32.const 0 2", "jump 7", "return 0 1"]);
});

test("translateFunction() maps every code word to the byte offset of its instruction", () => {
  const bytes = wat(`(module (func (result i32) (i32.div_s (i32.const 1) (i32.const 0))))`);
  const c = translateFunction(decodeModule(bytes), 0);
  assert.deepEqual(ops(c.code), ["fuel_check", "i32.const", "i32.const", "i32.div_s", "return"]);
  const div = ops(c.code).indexOf("i32.div_s");
  let pc = 0;
  for (let i = 0; i < div; i++) pc += recordLength(c.code, pc);
  assert.equal(bytes[c.offsets[pc]!], 0x6d);
  assert.equal(bytes[c.offsets[pc + 3]!], 0x6d);
});

test("translateFunction() addresses loads and stores by slot", () => {
  const c = translate(`(memory 1) (func (param i32 i64) (result i64)
    (i64.store offset=8 (local.get 0) (local.get 1))
    (i64.load offset=8 (local.get 0)))`);
  assert.deepEqual(records(c.code), ["fuel_check 5", "i64.store 0 2 8", "i64.load 4 0 8", "return 4 1"]);
});

test("translateFunction() without metering leaves out per-run fuel charges but keeps checkpoints", () => {
  const body = `(func (param i32) (block (br_if 0 (local.get 0)) (nop)) (loop (br_if 0 (local.get 0))))`;
  assert.deepEqual(records(translate(body, false).code), [
    "fuel_check 2",
    "br_if 0 6 0",
    "fuel_check 2",
    "br_if 0 6 0",
    "return 0 0",
  ]);
  assert.ok(ops(translate(body).code).includes("fuel_check"));
});

test("translateFunction() fuses compares into br_if and if (negated for if); branches charge the run falling through", () => {
  const c = translate(`(func (param i32 i32) (result i32)
    (block (br_if 0 (i32.lt_u (local.get 0) (local.get 1))))
    (if (result i32) (i32.ge_s (local.get 0) (i32.const 10)) (then (i32.const 1)) (else (i32.const 2))))`);
  assert.deepEqual(records(c.code), [
    "fuel_check 4",
    "br_i32.lt_u 0 2 7 0",
    "fuel 4", // the block's end is a label: its run has its own fuel op
    "br_i32.lt_s_i 0 10 19 1", // the then-run (i32.const 1) is charged when the branch falls through
    "i32.const 4 1",
    "jump 24",
    "fuel 1",
    "i32.const 4 2",
    "return 4 1",
  ]);
});

test("translateFunction() swaps a constant first operand and mirrors compares", () => {
  const c = translate(`(func (param i32) (result i32)
    (i32.add (i32.const 7) (local.get 0)) (i32.lt_s (i32.const 3) (local.get 0)) (i32.sub))`);
  assert.deepEqual(records(c.code), [
    "fuel_check 7",
    "i32.add_i 2 0 7",
    "i32.gt_s_i 4 0 3",
    "i32.sub 2 2 4",
    "return 2 1",
  ]);
});

test("translateFunction() copies a pending local.get before local.set overwrites the local", () => {
  const c = translate(`(func (param i32) (result i32)
    (local.get 0) (local.set 0 (i32.const 5)) (local.get 0) (i32.sub))`);
  assert.deepEqual(records(c.code), ["fuel_check 5", "copy 2 0", "i32.const 0 5", "i32.sub 2 2 0", "return 2 1"]);
});

test("translateFunction(): wrap and reinterpret cost fuel but emit no op", () => {
  const c = translate(`(func (param i64) (result i32) (i32.add (i32.wrap_i64 (local.get 0)) (i32.const 1)))`);
  assert.deepEqual(records(c.code), ["fuel_check 4", "i32.add_i 2 0 1", "return 2 1"]);
});
