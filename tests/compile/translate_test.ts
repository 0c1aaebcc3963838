import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { translateFunction } from "../../lib/compile/translate.ts";
import { ISA_NAMES } from "../../lib/compile/isa.ts";
import { ISA } from "../../lib/compile/isa.ts";
import { wat } from "../api/_wat.ts";

/** Disassembles code into op names (immediates skipped using the ISA's counts). */
function ops(code: Int32Array): string[] {
  const imms = new Map(ISA.map((op) => [op.code, op.imms]));
  const names: string[] = [];
  for (let pc = 0; pc < code.length;) {
    const op = code[pc]!;
    names.push(ISA_NAMES.get(op)!);
    const n = imms.get(op)!;
    pc += 1 + (n >= 0 ? n : 1 + (code[pc + 1]! + 1) * 3);
  }
  return names;
}

function translate(body: string) {
  const module = decodeModule(wat(`(module ${body})`));
  return translateFunction(module, 0);
}

test("translateFunction() fuses local/const operands, stores into locals and compare+br_if", () => {
  const c = translate(`(func (param i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (i32.mul (local.get 0) (i32.const 3)) (i32.const 0)))))`);
  assert.deepEqual(ops(c.code), [
    "fuel_check",
    "fuel_check",
    "i32.add_ll_set",
    "i32.sub_lc_set",
    "i32.mul_lc",
    "i32.gt_s_c",
    "br_if",
    "fuel",
    "return",
  ]);
  assert.equal(c.localCount, 2);
});

test("translateFunction() resolves branches with value moves and skips unreachable code", () => {
  const c = translate(`(func (result i32)
    (block (result i32) (i32.const 1) (i32.const 2) (br 0) (i32.const 3) (drop))
    (return) (i32.const 4))`);
  assert.deepEqual(ops(c.code), ["fuel_check", "i32.const", "i32.const", "br", "fuel", "return", "return"]);
  // br moves 1 value down to frame slot 0, and jumps to the block's end.
  const br = ops(c.code).indexOf("br");
  const at = [...c.code].indexOf(12);
  assert.equal(br >= 0 && at >= 0, true);
  assert.deepEqual([c.code[at + 2], c.code[at + 3]], [0, 1]);
  assert.equal(ISA_NAMES.get(c.code[c.code[at + 1]!]!), "fuel");
});

test("translateFunction() maps every code word to the byte offset of its instruction", () => {
  const bytes = wat(`(module (func (result i32) (i32.div_s (i32.const 1) (i32.const 0))))`);
  const c = translateFunction(decodeModule(bytes), 0);
  const div = [...c.code].indexOf(0x6d);
  assert.equal(bytes[c.offsets[div]!], 0x6d);
});

test("translateFunction() fuses a local address into loads and local address+value into stores", () => {
  const c = translate(`(memory 1) (func (param i32 i64) (result i64)
    (i64.store offset=8 (local.get 0) (local.get 1))
    (i64.load offset=8 (local.get 0)))`);
  assert.deepEqual(ops(c.code), ["fuel_check", "i64.store_ll", "i64.load_l", "return"]);
  const store = c.code.indexOf(416 + 1);
  assert.deepEqual([...c.code.subarray(store + 1, store + 4)], [0, 1, 8]);
});

test("translateFunction() without metering leaves out per-run fuel charges but keeps checkpoints", () => {
  const module = decodeModule(wat(`(module (func (param i32)
    (block (br_if 0 (local.get 0)) (nop)) (loop (br_if 0 (local.get 0)))))`));
  assert.deepEqual(ops(translateFunction(module, 0, false).code), [
    "fuel_check",
    "local.get",
    "br_if",
    "fuel_check",
    "local.get",
    "br_if",
    "return",
  ]);
  assert.ok(ops(translateFunction(module, 0, true).code).includes("fuel"));
});

test("translateFunction() fuses compares on locals into br_if and if", () => {
  const c = translate(`(func (param i32 i32) (result i32)
    (block (br_if 0 (i32.lt_u (local.get 0) (local.get 1))))
    (if (result i32) (i32.ge_s (local.get 0) (i32.const 10)) (then (i32.const 1)) (else (i32.const 2))))`);
  assert.deepEqual(ops(c.code), [
    "fuel_check",
    "br_if_i32.lt_u_ll",
    "fuel",
    "fuel",
    "br_unless_i32.ge_s_lc",
    "fuel",
    "i32.const",
    "jump",
    "fuel",
    "i32.const",
    "fuel",
    "return",
  ]);
});
