import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, parseWat } from "../../mod.ts";
import { translateFunction } from "../../lib/compile/translate.ts";
import { ISA_NAMES, recordLength } from "../../lib/compile/isa.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";

// Each export exercises a form of the slot-addressed translation (locals read in place, constant operands as
// immediates, results written into locals, pending local reads saved before a local is overwritten, values moved
// at branches); results are compared with the host's native WebAssembly on edge-case inputs.
const I64_OPS = ["add", "sub", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"];
const I32_OPS = ["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "eq", "ne", "lt_s", "lt_u", "gt_s"];
/** Functions of (param i32 i32) (result i32) (local i32). */
const HAZARDS: Record<string, string> = {
  set_pending: "(local.get 0) (local.set 0 (i32.const 5)) (local.get 0) (i32.sub)",
  set_retarget_pending: "(local.get 0) (local.set 0 (i32.add (local.get 0) (i32.const 1))) (local.get 0) (i32.sub)",
  tee_pending: "(local.get 0) (local.tee 0 (i32.add (local.get 0) (local.get 1))) (i32.mul)",
  tee_retarget: "(i32.add (local.tee 2 (i32.mul (local.get 0) (i32.const 3))) (local.get 2))",
  block_locals: "(local.get 0) (block (result i32) (local.set 0 (local.get 1)) (local.get 0)) (i32.sub)",
  if_local: "(local.get 0) (if (local.get 1) (then (local.set 0 (i32.const 100)))) (local.get 0) (i32.sub)",
  if_else_consts: "(if (result i32) (i32.lt_s (local.get 0) (local.get 1)) (then (i32.const 1)) (else (local.get 1)))",
  eqz_if: "(if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (i32.const 2)))",
  br_if_moves: "(block (result i32) (i32.const 7) (local.get 0) (br_if 0 (local.get 1)) (drop) (drop) (i32.const 9))",
  br_if_cmp_moves:
    "(block (result i32) (local.get 1) (br_if 0 (i32.gt_u (local.get 0) (i32.const 3))) (i32.const 2) (i32.mul))",
  br_table_values: `(i32.add (block (result i32) (block (result i32) (i32.const 10) (local.get 0)
    (br_table 0 1 2 (i32.and (local.get 1) (i32.const 3)))) (i32.const 100) (i32.add)) (i32.const 1000))`,
  select_consts: "(select (i32.const 3) (local.get 0) (local.get 1))",
  const_left: "(i32.sub (i32.const 3) (local.get 0)) (i32.ge_u (i32.const 8) (local.get 1)) (i32.add)",
  call_args: "(call $sub3 (local.get 1) (i32.const 7) (local.get 0))",
  loop_params: `(i32.const 0) (i32.and (local.get 0) (i32.const 15))
    (loop $l (param i32 i32) (result i32)
      (local.set 0) (i32.add (local.get 0)) (i32.sub (local.get 0) (i32.const 1))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 1))) (drop))`,
  return_local: "(local.set 2 (local.get 1)) (if (local.get 0) (then (return (local.get 2)))) (local.get 0)",
};

const SOURCE = `(module
  (memory 1)
  (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\08")
  ${
  I64_OPS.map((op) => `
  (func (export "i64_${op}_c") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const 0x12345678_9abcdef0)))
  (func (export "i64_${op}_c33") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const 33)))
  (func (export "i64_${op}_sl") (param i64 i64) (result i64) (local i64)
    (local.set 2 (local.get 0)) (i64.${op} (i64.add (local.get 2) (i64.const 0)) (local.get 1)))`).join("")
}
  ${
  I32_OPS.map((op) => `
  (func (export "i32_${op}_sl") (param i32 i32) (result i32) (i32.${op} (i32.add (local.get 0) (i32.const 0)) (local.get 1)))
  (func (export "i32_${op}_ll") (param i32 i32) (result i32) (i32.${op} (local.get 0) (local.get 1)))`).join("")
}
  (func (export "rotl_c") (param i32) (result i32) (i32.rotl (local.get 0) (i32.const 7)))
  (func (export "rotr_c") (param i32) (result i32) (i32.rotr (local.get 0) (i32.const 39)))
  (func (export "tee_get") (param i32 i32) (result i32) (local i32)
    (i32.sub (local.tee 2 (i32.add (local.get 0) (i32.const 1))) (local.get 1)) (local.get 2) (i32.mul))
  (func (export "get2_store") (param i32 i32) (result i32) (i32.store (local.get 0) (local.get 1)) (i32.load (local.get 0)))
  (func (export "xor_rotl") (param i32 i32) (result i32) (i32.rotl (i32.xor (local.get 0) (i32.add (local.get 1) (i32.const 0))) (i32.const 7)))
  (func (export "xor_rotr") (param i32 i32) (result i32) (i32.rotr (i32.xor (local.get 0) (i32.add (local.get 1) (i32.const 0))) (i32.const 45)))
  (func (export "shl_xor") (param i32 i32) (result i32) (i32.xor (local.get 0) (i32.shl (local.get 1) (i32.const 35))))
  (func (export "shl_add") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3))))
  (func (export "load_set") (param i32) (result i32) (local i32)
    (local.set 1 (i32.load offset=1 (local.get 0))) (local.get 1))
  (func (export "load_c") (result i32) (i32.load offset=2 (i32.const 16)))
  (func (export "load_c_oob") (result i32) (i32.load offset=65533 (i32.const 0)))
  (func $sub3 (param i32 i32 i32) (result i32) (i32.sub (i32.sub (local.get 0) (local.get 1)) (local.get 2)))
  ${
  Object.entries(HAZARDS).map(([name, body]) => `
  (func (export "${name}") (param i32 i32) (result i32) (local i32) ${body})`).join("")
}
  (func (export "multi") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
  (func (export "i64_xor_rotl") (param i64 i64) (result i64) (i64.rotl (i64.xor (local.get 0) (local.get 1)) (i64.const 13)))
  (func (export "i64_xor_rotr") (param i64 i64) (result i64) (i64.rotr (i64.xor (local.get 0) (local.get 1)) (i64.const 40)))
  (func (export "i64_wrap") (param i64) (result i32) (i32.wrap_i64 (i64.add (local.get 0) (i64.const 0x100000001))))
  (func (export "xor3_l") (param i64 i64) (result i64) (i64.xor (i64.xor (local.get 0) (local.get 1)) (local.get 0)))
  (func (export "xor3_r") (param i64 i64) (result i64) (i64.xor (local.get 1) (i64.xor (local.get 0) (i64.const 5))))
  (func (export "xor3_t") (param i64 i64) (result i64)
    (i64.xor (i64.add (local.get 0) (local.get 1)) (i64.xor (local.get 1) (i64.add (local.get 0) (local.get 0)))))
  (func (export "andn_xor") (param i64 i64) (result i64)
    (i64.xor (local.get 0) (i64.and (i64.xor (local.get 1) (i64.const -1)) (local.get 0))))
  (func (export "andn_xor_set") (param i64 i64) (result i64) (local i64)
    (local.set 2 (local.get 1))
    (local.set 2 (i64.xor (i64.and (i64.xor (local.get 2) (i64.const -1)) (local.get 0)) (local.get 2))) (local.get 2))
  (func (export "andn_l") (param i64 i64) (result i64) (i64.and (i64.xor (local.get 0) (i64.const -1)) (local.get 1)))
  (func (export "andn_r") (param i64 i64) (result i64) (i64.and (local.get 1) (i64.xor (local.get 0) (i64.const -1))))
  (func (export "andn_t") (param i64 i64) (result i64)
    (i64.and (i64.add (local.get 1) (local.get 1)) (i64.xor (local.get 0) (i64.const -1))))
  (func (export "andn_self") (param i64 i64) (result i64) (local i64)
    (local.set 2 (local.get 0)) (local.set 2 (i64.and (i64.xor (local.get 2) (i64.const -1)) (local.get 2))) (local.get 2))
  (func (export "not_and_c") (param i64 i64) (result i64) (i64.and (i64.xor (local.get 0) (i64.const -1)) (i64.const 0xff00ff)))
)`;

const I64_VALUES = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x1234n, -0x98765432123n, 0xffffffffn];
const I32_VALUES = [0, 1, -1, 31, 32, 0x7fffffff, -0x80000000, 12345, -7];

test("fused forms compute what native WebAssembly computes", async () => {
  const bytes = parseWat(SOURCE);
  const { instance } = await instantiate(bytes);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  const kiln = instance.exports as unknown as Record<string, { callSync(...a: unknown[]): unknown }>;
  for (const op of I64_OPS) {
    for (const a of I64_VALUES) {
      for (const name of [`i64_${op}_c`, `i64_${op}_c33`]) {
        assert.equal(kiln[name]!.callSync(a), native[name]!(a), `${name}(${a})`);
      }
      for (const b of [...I64_VALUES, 31n, 32n, 63n, 64n]) {
        assert.equal(kiln[`i64_${op}_sl`]!.callSync(a, b), native[`i64_${op}_sl`]!(a, b), `i64_${op}_sl(${a}, ${b})`);
      }
    }
  }
  for (const op of I32_OPS) {
    for (const a of I32_VALUES) {
      for (const b of I32_VALUES) {
        for (const name of [`i32_${op}_sl`, `i32_${op}_ll`]) {
          assert.equal(kiln[name]!.callSync(a, b), native[name]!(a, b), `${name}(${a}, ${b})`);
        }
      }
    }
  }
  for (const a of I32_VALUES) {
    assert.equal(kiln.rotl_c!.callSync(a), native.rotl_c!(a));
    assert.equal(kiln.rotr_c!.callSync(a), native.rotr_c!(a));
    assert.equal(kiln.tee_get!.callSync(a, 5), native.tee_get!(a, 5));
    for (const b of I32_VALUES) {
      for (const name of ["xor_rotl", "xor_rotr", "shl_xor", "shl_add"]) {
        assert.equal(kiln[name]!.callSync(a, b), native[name]!(a, b), `${name}(${a}, ${b})`);
      }
    }
  }
  for (const name of Object.keys(HAZARDS)) {
    for (const a of I32_VALUES) {
      for (const b of I32_VALUES) assert.equal(kiln[name]!.callSync(a, b), native[name]!(a, b), `${name}(${a}, ${b})`);
    }
  }
  assert.deepEqual(kiln.multi!.callSync(1, 2), [2, 1]);
  for (const a of I64_VALUES) {
    assert.equal(kiln.i64_wrap!.callSync(a), native.i64_wrap!(a), `i64_wrap(${a})`);
    assert.equal(kiln.not_and_c!.callSync(a, 0n), native.not_and_c!(a, 0n), `not_and_c(${a})`);
    for (const b of I64_VALUES) {
      for (const name of ["xor3_l", "xor3_r", "xor3_t", "andn_xor", "andn_xor_set"]) {
        assert.equal(kiln[name]!.callSync(a, b), native[name]!(a, b), `${name}(${a}, ${b})`);
      }
      for (const name of ["andn_l", "andn_r", "andn_t", "andn_self"]) {
        assert.equal(kiln[name]!.callSync(a, b), native[name]!(a, b), `${name}(${a}, ${b})`);
      }
      for (const name of ["i64_xor_rotl", "i64_xor_rotr"]) {
        assert.equal(kiln[name]!.callSync(a, b), native[name]!(a, b), `${name}(${a}, ${b})`);
      }
    }
  }
  assert.equal(kiln.get2_store!.callSync(100, -5), -5);
  assert.equal(kiln.load_c!.callSync(), native.load_c!());
  assert.throws(() => kiln.load_c_oob!.callSync(), /out of bounds memory access/);
  assert.equal(kiln.load_set!.callSync(15), native.load_set!(15));
  // The fused load+set traps with the load's offset in the backtrace.
  const loadSetAt = [...bytes].findIndex((_, i) => bytes[i] === 0x28 && bytes[i + 2] === 1 && bytes[i + 3] === 0x21);
  assert.ok(loadSetAt > 0);
  assert.throws(() => kiln.load_set!.callSync(65535), (e: unknown) => {
    assert.match(String(e), /out of bounds memory access/);
    assert.equal((e as { backtrace: { offset: number }[] }).backtrace[0]!.offset, loadSetAt);
    return true;
  });
});

test("the translator emits the constant-operand and compare-and-branch forms", () => {
  const bytes = parseWat(SOURCE);
  const module = decodeModule(bytes);
  const names = new Set<string>();
  for (let f = 0; f < module.codes.length; f++) {
    const { code } = translateFunction(module, f, false);
    for (let pc = 0; pc < code.length; pc += recordLength(code, pc)) names.add(ISA_NAMES.get(code[pc]!)!);
  }
  for (
    const expected of [
      "i32.rotl_i",
      "i32.rotr_i",
      "i32.xor_rotl_i",
      "i64.xor_rotl_i",
      "i64.andn",
      "i64.xor3",
      "i64.andn_xor",
      "i64.rotl_i",
      "i64.xor_i",
      "i64.xor",
      "i32.add_i",
      "i32.le_u_i",
      "br_i32.le_u_i",
      "br_i32.ge_s",
      "copy",
      "i32.load",
    ]
  ) {
    assert.ok(names.has(expected), `${expected} not emitted`);
  }
  assert.ok(!names.has("i32.wrap_i64"));
});
