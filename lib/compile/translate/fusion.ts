/**
 * Instruction fusion and operand forms: how a numeric instruction becomes one machine op, using a deferred
 * constant as an immediate (`i32.add_i`), a compare as a branch condition, and the fused ops of `isa.ts`
 * (`xor; const; rotl`, `xor -1; and`, `xor; xor`). Each fusion is backed by a benchmark (`bench/micro`).
 *
 * Fusions look at the op the previous instruction emitted (`Emitter.prevOp`) and rewrite it in place when its
 * result is the operand they consume and nothing was emitted after it.
 *
 * @module
 */
import type { OpInfo } from "../../binary/opcodes.ts";
import {
  I32_IMM_BASE,
  I32_XOR_ROTL_I,
  I64_ANDN,
  I64_ANDN_XOR,
  I64_IMM_BASE,
  I64_XOR3,
  I64_XOR_ROTL_I,
  isIdentityOp,
} from "../isa.ts";
import type { Cond } from "./control.ts";
import type { Emitter } from "./emitter.ts";
import { CONST32, CONST64, LOCAL, TEMP } from "./slots.ts";

/** Wasm opcode → k of the i32 constant-operand ops (`I32_IMM_BASE + k`, see isa.ts), or -1. */
const I32_IMM_INDEX: Int8Array = (() => {
  const index = new Int8Array(256).fill(-1);
  [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78].forEach((op, k) => (index[op] = k));
  for (let op = 0x46; op <= 0x4f; op++) index[op] = 11 + op - 0x46;
  return index;
})();
/** Wasm opcode → j of the i64 constant-operand ops (`I64_IMM_BASE + j`), or -1. */
const I64_IMM_INDEX: Int8Array = (() => {
  const index = new Int8Array(256).fill(-1);
  [0x7c, 0x7d, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a].forEach((op, j) => (index[op] = j));
  return index;
})();
/** The internal number of `i64.xor_i` (a NOT when its constant is -1). */
const I64_XOR_NOT = I64_IMM_BASE + I64_IMM_INDEX[0x85]!;
/** i32 compare opcode → the compare with swapped operands (a < b ⇔ b > a). */
const MIRROR: Record<number, number> = {
  0x46: 0x46,
  0x47: 0x47,
  0x48: 0x4a,
  0x49: 0x4b,
  0x4a: 0x48,
  0x4b: 0x49,
  0x4c: 0x4e,
  0x4d: 0x4f,
  0x4e: 0x4c,
  0x4f: 0x4d,
};
/** i32 operators whose operands may be swapped. */
const COMMUTATIVE = new Set([0x6a, 0x6c, 0x71, 0x72, 0x73]);

/** Rotate opcode → how `xor; const k; rotate` fuses: the xor it must follow, the fused op, width, direction. */
const XOR_ROTATE: Record<number, { xor: number; fused: number; constKind: number; bits: number; left: boolean }> = {
  0x77: { xor: 0x73, fused: I32_XOR_ROTL_I, constKind: CONST32, bits: 32, left: true }, // i32.rotl
  0x78: { xor: 0x73, fused: I32_XOR_ROTL_I, constKind: CONST32, bits: 32, left: false }, // i32.rotr
  0x89: { xor: 0x85, fused: I64_XOR_ROTL_I, constKind: CONST64, bits: 64, left: true }, // i64.rotl
  0x8a: { xor: 0x85, fused: I64_XOR_ROTL_I, constKind: CONST64, bits: 64, left: false }, // i64.rotr
};

/** Pops the condition of a branch: a fused compare when the previous instruction computed it, else a slot. */
export function popCond(e: Emitter): Cond {
  const stack = e.stack, out = e.out;
  const top = stack.n - 1;
  if (stack.kind[top] === TEMP && e.lastWrites(top)) {
    const op = out.code[e.prevOp]!;
    const cmp = op === 0x45 || (op >= 0x46 && op <= 0x4f)
      ? op
      : op >= I32_IMM_BASE + 11 && op <= I32_IMM_BASE + 20
      ? op - I32_IMM_BASE - 11 + 0x46
      : -1;
    if (cmp >= 0) {
      const prev = e.prevOp;
      const cond = { cmp, a: out.code[prev + 2]!, b: cmp === 0x45 ? 0 : out.code[prev + 3]!, imm: op >= 256 };
      out.length = prev;
      stack.n--;
      return cond;
    }
  }
  const a = stack.slotOf(top);
  stack.n--;
  return { cmp: -1, a, b: 0, imm: false };
}

/**
 * `local.set x` / `local.tee x` (`tee`): when the previous op's result is the top temp, retargets that op to write
 * the local directly (no copy); otherwise stores the top entry into the local.
 */
export function setLocal(e: Emitter, x: number, tee: boolean): void {
  const stack = e.stack;
  const top = stack.n - 1;
  if (stack.kind[top] === LOCAL && stack.val[top] === x) {
    if (!tee) stack.n--;
    return;
  }
  if (stack.kind[top] === TEMP && e.lastWrites(top) && !stack.hasReadsOf(x, top)) {
    e.out.code[e.prevOp + 1] = x << 1;
    if (!tee) stack.n--;
    else {
      stack.kind[top] = LOCAL;
      stack.val[top] = x;
    }
    return;
  }
  stack.saveReadsOf(x, top);
  stack.storeTo(x << 1, top);
  if (!tee) stack.n--;
}

/**
 * `local.set`/`local.tee` of the v128 local whose first slot is s: the SIMD op that computed the value is retargeted
 * to the local when it can be (as {@link setLocal}), else the two halves are stored as two slots.
 */
export function setLocalV128(e: Emitter, s: number, tee: boolean): void {
  const stack = e.stack;
  const lo = stack.n - 2;
  if (
    stack.kind[lo] === TEMP && e.lastWrites(lo) && !stack.hasReadsOf(s, lo) && !stack.hasReadsOf(s + 1, lo)
  ) {
    // The SIMD op that computed the value writes the local directly (both slots: its destination is the first).
    e.out.code[e.prevOp + 1] = s << 1;
    if (!tee) stack.n -= 2;
    else {
      stack.kind[lo] = LOCAL;
      stack.val[lo] = s;
      stack.kind[lo + 1] = LOCAL;
      stack.val[lo + 1] = s + 1;
    }
    return;
  }
  if (!(stack.kind[lo] === LOCAL && stack.val[lo] === s)) {
    stack.saveReadsOf(s, lo);
    stack.saveReadsOf(s + 1, lo);
    stack.storeTo(s << 1, lo);
    stack.storeTo((s + 1) << 1, lo + 1);
  }
  if (!tee) stack.n -= 2;
}

/** Translates a numeric instruction with a fixed signature (`info.sig`): every one has one result. */
export function emitNumeric(e: Emitter, op: number, info: OpInfo): void {
  const stack = e.stack, out = e.out;
  const kind = stack.kind, val = stack.val;
  let n = stack.n;
  if (isIdentityOp(op)) {
    // i32.wrap_i64 (the low word is the result) and the reinterprets (raw bits): the operand stays in place.
    if (kind[n - 1] === CONST64 && op === 0xa7) kind[n - 1] = CONST32;
    return;
  }
  if (info.sig!.indexOf(":") === 1) {
    const a = stack.slotOf(n - 1);
    stack.n--;
    e.emitResult(op);
    out.push(a);
    return;
  }
  const k = I32_IMM_INDEX[op]!;
  if (k >= 0 && kind[n - 2] === CONST32 && kind[n - 1] !== CONST32 && (COMMUTATIVE.has(op) || op in MIRROR)) {
    // Constant first operand: swapped second (a compare mirrored).
    const c = val[n - 2]!;
    const a = stack.slotOf(n - 1);
    stack.n -= 2;
    e.emitResult(I32_IMM_BASE + I32_IMM_INDEX[MIRROR[op] ?? op]!);
    out.push(a);
    out.push(c);
    return;
  }
  const xr = XOR_ROTATE[op];
  if (
    xr !== undefined && kind[n - 1] === xr.constKind && kind[n - 2] === TEMP && e.lastWrites(n - 2) &&
    out.code[e.prevOp] === xr.xor
  ) {
    // xor; const k; rotl|rotr  →  xor_rotl_i (the xor's record grows by the left-rotate count).
    const mask = xr.bits - 1;
    const c = val[n - 1]! & mask;
    out.code[e.prevOp] = xr.fused;
    out.push(xr.left ? c : (xr.bits - c) & mask);
    e.curOp = e.prevOp;
    stack.n--;
    return;
  }
  const prev = e.prevOp;
  if (
    op === 0x83 && prev >= 0 && out.length === e.prevEnd && out.code[prev] === I64_XOR_NOT &&
    out.code[prev + 3] === -1 && out.code[prev + 4] === -1
  ) {
    // i64.xor_i x -1 (a NOT) feeding either operand of i64.and  →  i64.andn (the xor's record is rewritten).
    const left = kind[n - 2] === TEMP && out.code[prev + 1] === stack.canon(n - 2);
    const right = !left && kind[n - 1] === TEMP && out.code[prev + 1] === stack.canon(n - 1);
    const other = left ? n - 1 : n - 2;
    if ((left || right) && (kind[other] === LOCAL || kind[other] === TEMP)) {
      const b = stack.slotOf(other);
      out.code[prev] = I64_ANDN;
      out.code[prev + 1] = stack.canon(n - 2);
      out.code[prev + 3] = b;
      out.length = prev + 4;
      e.curOp = prev;
      n = --stack.n;
      kind[n - 1] = TEMP; // the result's entry (it held the local read when the NOT was the right operand)
      return;
    }
  }
  if (
    op === 0x85 && prev >= 0 && out.length === e.prevEnd && (out.code[prev] === 0x85 || out.code[prev] === I64_ANDN)
  ) {
    // i64.xor (or i64.andn) feeding either operand of i64.xor  →  i64.xor3 (i64.andn_xor): the first record grows
    // by the other operand.
    const left = kind[n - 2] === TEMP && out.code[prev + 1] === stack.canon(n - 2);
    const right = !left && kind[n - 1] === TEMP && out.code[prev + 1] === stack.canon(n - 1);
    const other = left ? n - 1 : n - 2;
    if ((left || right) && (kind[other] === LOCAL || kind[other] === TEMP)) {
      out.push(stack.slotOf(other));
      out.code[prev] = out.code[prev] === 0x85 ? I64_XOR3 : I64_ANDN_XOR;
      out.code[prev + 1] = stack.canon(n - 2);
      e.curOp = prev;
      n = --stack.n;
      kind[n - 1] = TEMP;
      return;
    }
  }
  if (k >= 0 && kind[n - 1] === CONST32) {
    const c = val[n - 1]!;
    const a = stack.slotOf(n - 2);
    stack.n -= 2;
    e.emitResult(I32_IMM_BASE + k);
    out.push(a);
    out.push(c);
    return;
  }
  const j = I64_IMM_INDEX[op]!;
  if (j >= 0 && kind[n - 1] === CONST64) {
    const lo = val[n - 1]!, hi = stack.high[n - 1]!;
    const a = stack.slotOf(n - 2);
    stack.n -= 2;
    e.emitResult(I64_IMM_BASE + j);
    out.push(a);
    out.push(lo);
    out.push(hi);
    return;
  }
  const b = stack.slotOf(n - 1), a = stack.slotOf(n - 2);
  stack.n -= 2;
  e.emitResult(op);
  out.push(a);
  out.push(b);
}
