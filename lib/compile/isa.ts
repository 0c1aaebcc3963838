/**
 * The interpreter's instruction set: the one place that numbers the machine's internal operations. The machine
 * (`lib/exec/machine.ts`) switches over these numbers as literal case labels (a test checks that its labels and
 * this table agree).
 *
 * Code is a flat `Int32Array` per function. Each record is an op number followed by a fixed number of immediates
 * (`imms` below). Where a wasm instruction maps one-to-one, its internal number is the wasm opcode byte
 * (`0xfc`-prefixed ops are `0xe0 + subopcode`), so numeric semantics read the same in both worlds.
 *
 * Stack form: operands live on the machine's value stack (8-byte slots); `height` immediates are frame-relative
 * slot indexes (locals occupy slots `0 .. localCount-1` of a frame, the operand stack starts above them).
 *
 * @module
 */

/** One internal operation: its name, number and the count of int32 immediates that follow it in code. */
export interface IsaOp {
  readonly name: string;
  readonly code: number;
  /** Number of immediates, or -1 for `br_table` (variable: count, then (count+1) × 3 words). */
  readonly imms: number;
}

const ROWS: readonly (readonly [string, number, number])[] = [
  ["unreachable", 0x00, 0],
  ["fuel", 0x02, 1], // cost: charge a straight-line run
  ["fuel_check", 0x03, 1], // cost: charge, then check fuel/interrupt (function entry, loop headers)
  ["br_unless", 0x04, 1], // target: pop i32, jump when zero
  ["jump", 0x05, 1], // target
  ["br_if_copy", 0x06, 3], // target height arity: pop i32, when nonzero move `arity` results to `height`, jump
  ["global_get_ref", 0x07, 1], // globalidx (reference-typed global)
  ["global_set_ref", 0x08, 1], // globalidx (reference-typed global)
  ["br", 0x0c, 3], // target height arity: move `arity` results down to frame slot `height`, jump
  ["br_if", 0x0d, 1], // target: pop i32, jump when nonzero (no values to move)
  ["br_table", 0x0e, -1], // count, then count+1 entries of (target height arity)
  ["return", 0x0f, 0],
  ["call", 0x10, 1], // funcidx
  ["call_indirect", 0x11, 2], // typeidx tableidx
  ["drop", 0x1a, 0],
  ["select", 0x1b, 0],
  ["local.get", 0x20, 1],
  ["local.set", 0x21, 1],
  ["local.tee", 0x22, 1],
  ["global.get", 0x23, 1],
  ["global.set", 0x24, 1],
  ["table.get", 0x25, 1],
  ["table.set", 0x26, 1],
];

const MEMORY_OPS = [
  "i32.load",
  "i64.load",
  "f32.load",
  "f64.load",
  "i32.load8_s",
  "i32.load8_u",
  "i32.load16_s",
  "i32.load16_u",
  "i64.load8_s",
  "i64.load8_u",
  "i64.load16_s",
  "i64.load16_u",
  "i64.load32_s",
  "i64.load32_u",
  "i32.store",
  "i64.store",
  "f32.store",
  "f64.store",
  "i32.store8",
  "i32.store16",
  "i64.store8",
  "i64.store16",
  "i64.store32",
];

const NUMERIC_FIRST = 0x45;
const NUMERIC_LAST = 0xc4;

import { FC_OPS, SINGLE_BYTE_OPS } from "../binary/opcodes.ts";

/**
 * Superinstructions (fused by the translator's peephole, see translate.ts): i32 binary operators whose operands are
 * locals or a constant, optionally storing the result into a local, and compare+br_if. Why: each fusion saves one
 * to three dispatches; measured in bench/micro/interp_bench.ts.
 */
export const FUSED_BINOPS: readonly string[] = [
  "add",
  "sub",
  "mul",
  "and",
  "or",
  "xor",
  "shl",
  "shr_s",
  "shr_u",
  "eq",
  "ne",
  "lt_s",
  "lt_u",
  "gt_s",
  "gt_u",
  "le_s",
  "le_u",
  "ge_s",
  "ge_u",
];
/** Compares fused with a following `br_if`, in this order from {@link BR_IF_COMPARE_BASE}. */
export const FUSED_COMPARES: readonly string[] = [
  "eqz",
  "eq",
  "ne",
  "lt_s",
  "lt_u",
  "gt_s",
  "gt_u",
  "le_s",
  "le_u",
  "ge_s",
  "ge_u",
];
/** First number of the fused binary operators: `FUSED_BASE + 5 * k + variant` (ll, lc, c, ll_set, lc_set). */
export const FUSED_BASE = 256;
/** First number of the fused compare+br_if ops. */
export const BR_IF_COMPARE_BASE = 352;
/** `local.get a; <load>` fused: `LOAD_LOCAL_BASE + (opcode - 0x28)`. */
export const LOAD_LOCAL_BASE = 400;
/** `local.get a; local.get v; <store>` fused: `STORE_LOCALS_BASE + (opcode - 0x36)`. */
export const STORE_LOCALS_BASE = 416;
/**
 * A fused compare on locals (`i32.<cmp>_ll` / `_lc`, cmp from eq to ge_u) followed by `br_if` or `if`:
 * `BR_COMPARE_LOCAL_BASE + ((cmp - 1) * 2 + variant) * 2 + (0 for br_if, 1 for the if's jump-when-false)`.
 */
export const BR_COMPARE_LOCAL_BASE = 440;
/** A plain compare followed by `if`: jump to the else/end when false. `BR_UNLESS_COMPARE_BASE + cmp`. */
export const BR_UNLESS_COMPARE_BASE = 480;
/** `local.get a; local.set b` fused. */
export const LOCAL_COPY = 9;

/** `local.tee x; local.get y` fused. */
export const TEE_GET = 500;
/** `local.get a; local.get b` fused (pushes both). */
export const GET2 = 501;
/** `local.get b; <i32 op k>` with the other operand on the stack: `I32_SL_BASE + k` (k as in FUSED_BINOPS). */
export const I32_SL_BASE = 502;
/** `i32.const c; i32.rotl` / `i32.rotr` fused. */
export const I32_ROTL_C = 521;
/** The i64 binary operators fused with a constant or local second operand, in this order. */
export const FUSED_I64: readonly string[] = ["add", "sub", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"];
/** `i64.const c; <i64 op j>`: `I64_C_BASE + j` (imms: low word, high word). */
export const I64_C_BASE = 523;
/** `local.get b; <i64 op j>`: `I64_L_BASE + j` (imm: local). */
export const I64_L_BASE = 533;
/** `i32.const c; i32.load offset` fused: the immediate is the effective address (when it fits in 31 bits). */
export const I32_LOAD_C = 543;

/** `local.get a; i32.load offset; local.set x` fused (imms: a, offset, x). */
export const I32_LOAD_L_SET = 544;
/** `i32.xor; i32.const k; i32.rotl` fused (rotr folded to rotl). */
export const XOR_ROTL_C = 545;
/** `i32.const k; i32.shl; i32.xor` fused: second-from-top ^= top << k. */
export const SHL_C_XOR = 546;
/** `i32.const k; i32.shl; i32.add` fused: second-from-top += top << k. */
export const SHL_C_ADD = 547;

/** Internal number of a `0xfc`-prefixed op. */
export const FC_BASE = 0xe0;

/** The full instruction set, sorted by number. */
export const ISA: readonly IsaOp[] = (() => {
  const ops: IsaOp[] = ROWS.map(([name, code, imms]) => ({ name, code, imms }));
  MEMORY_OPS.forEach((name, i) => ops.push({ name, code: 0x28 + i, imms: 1 })); // offset
  ops.push({ name: "memory.size", code: 0x3f, imms: 0 });
  ops.push({ name: "memory.grow", code: 0x40, imms: 0 });
  ops.push({ name: "i32.const", code: 0x41, imms: 1 });
  ops.push({ name: "i64.const", code: 0x42, imms: 2 }); // low word, high word
  ops.push({ name: "f32.const", code: 0x43, imms: 1 }); // bits
  ops.push({ name: "f64.const", code: 0x44, imms: 2 }); // low word, high word of the bits
  for (let code = NUMERIC_FIRST; code <= NUMERIC_LAST; code++) {
    ops.push({ name: SINGLE_BYTE_OPS[code]!.name, code, imms: 0 });
  }
  ops.push({ name: "ref.null", code: 0xd0, imms: 0 });
  ops.push({ name: "ref.is_null", code: 0xd1, imms: 0 });
  ops.push({ name: "ref.func", code: 0xd2, imms: 1 });
  const fcImms = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 2, 1, 2, 1, 1, 1];
  for (let sub = 0; sub <= 17; sub++) {
    ops.push({ name: FC_OPS[sub]!.name, code: FC_BASE + sub, imms: fcImms[sub]! });
  }
  ops.push({ name: "local_copy", code: LOCAL_COPY, imms: 2 }); // from to
  FUSED_BINOPS.forEach((name, k) => {
    const base = FUSED_BASE + k * 5;
    ops.push({ name: `i32.${name}_ll`, code: base, imms: 2 }); // local local: push result
    ops.push({ name: `i32.${name}_lc`, code: base + 1, imms: 2 }); // local const: push result
    ops.push({ name: `i32.${name}_c`, code: base + 2, imms: 1 }); // top-of-stack op const
    ops.push({ name: `i32.${name}_ll_set`, code: base + 3, imms: 3 }); // local local, result to local
    ops.push({ name: `i32.${name}_lc_set`, code: base + 4, imms: 3 }); // local const, result to local
  });
  MEMORY_OPS.forEach((name, i) => {
    if (i < 14) ops.push({ name: `${name}_l`, code: LOAD_LOCAL_BASE + i, imms: 2 }); // local offset: push
    else ops.push({ name: `${name}_ll`, code: STORE_LOCALS_BASE + i - 14, imms: 3 }); // address-local value-local offset
  });
  FUSED_COMPARES.slice(1).forEach((name, j) => {
    ["ll", "lc"].forEach((variant, v) => {
      const code = BR_COMPARE_LOCAL_BASE + (j * 2 + v) * 2;
      ops.push({ name: `br_if_i32.${name}_${variant}`, code, imms: 3 }); // a (b | c) target: jump when true
      ops.push({ name: `br_unless_i32.${name}_${variant}`, code: code + 1, imms: 3 }); // jump when false
    });
  });
  FUSED_COMPARES.forEach((name, j) =>
    ops.push({ name: `br_unless_i32.${name}`, code: BR_UNLESS_COMPARE_BASE + j, imms: 1 })
  );
  FUSED_COMPARES.forEach((name, j) => ops.push({ name: `br_if_i32.${name}`, code: BR_IF_COMPARE_BASE + j, imms: 1 }));
  ops.push({ name: "tee_get", code: TEE_GET, imms: 2 }); // tee-local get-local
  ops.push({ name: "get2", code: GET2, imms: 2 }); // local local
  FUSED_BINOPS.forEach((name, k) => ops.push({ name: `i32.${name}_sl`, code: I32_SL_BASE + k, imms: 1 })); // local
  ops.push({ name: "i32.rotl_c", code: I32_ROTL_C, imms: 1 });
  ops.push({ name: "i32.rotr_c", code: I32_ROTL_C + 1, imms: 1 });
  FUSED_I64.forEach((name, j) => {
    ops.push({ name: `i64.${name}_c`, code: I64_C_BASE + j, imms: 2 }); // low high
    ops.push({ name: `i64.${name}_sl`, code: I64_L_BASE + j, imms: 1 }); // local
  });
  ops.push({ name: "i32.load_c", code: I32_LOAD_C, imms: 1 }); // address
  ops.push({ name: "i32.load_l_set", code: I32_LOAD_L_SET, imms: 3 }); // address-local offset local
  ops.push({ name: "i32.xor_rotl_c", code: XOR_ROTL_C, imms: 1 }); // k
  ops.push({ name: "i32.shl_c_xor", code: SHL_C_XOR, imms: 1 }); // k
  ops.push({ name: "i32.shl_c_add", code: SHL_C_ADD, imms: 1 }); // k
  return ops.sort((a, b) => a.code - b.code);
})();

/** Op name by internal number, for disassembly and tests. */
export const ISA_NAMES: ReadonlyMap<number, string> = new Map(ISA.map((op) => [op.code, op.name]));
