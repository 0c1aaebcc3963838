/**
 * The translator's tables for folding operands and fusing instructions (`translate.ts`): which wasm ops take a
 * constant operand, how compares mirror and fuse into branches, which ops commute, how xor and rotate fuse. Each
 * fusion here is backed by a benchmark (see the commits that added its isa.ts op).
 *
 * @module
 */
import { I32_XOR_ROTL_I, I64_IMM_BASE, I64_XOR_ROTL_I } from "./isa.ts";

/** Virtual stack entry kinds of the translator: a temporary slot, a local, an i32 or an i64 constant. */
export const TEMP = 0, LOCAL = 1, CONST32 = 2, CONST64 = 3;

/** Wasm opcode → k of the i32 constant-operand ops (`I32_IMM_BASE + k`, see isa.ts), or -1. */
export const I32_IMM_INDEX: Int8Array = (() => {
  const index = new Int8Array(256).fill(-1);
  [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78].forEach((op, k) => (index[op] = k));
  for (let op = 0x46; op <= 0x4f; op++) index[op] = 11 + op - 0x46;
  return index;
})();
/** Wasm opcode → j of the i64 constant-operand ops (`I64_IMM_BASE + j`), or -1. */
export const I64_IMM_INDEX: Int8Array = (() => {
  const index = new Int8Array(256).fill(-1);
  [0x7c, 0x7d, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a].forEach((op, j) => (index[op] = j));
  return index;
})();
/** The internal number of `i64.xor_i` (a NOT when its constant is -1). */
export const I64_XOR_NOT = I64_IMM_BASE + I64_IMM_INDEX[0x85]!;
/** i32 compare opcode (0x46..0x4f) - 0x46 → index in `BR_CMPS`. */
export const BR_INDEX = [0, 1, 2, 4, 6, 8, 7, 9, 3, 5];
/** i32 compare opcode → the compare with swapped operands (a < b ⇔ b > a). */
export const MIRROR: Record<number, number> = {
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
export const COMMUTATIVE = new Set([0x6a, 0x6c, 0x71, 0x72, 0x73]);

/** Rotate opcode → how `xor; const k; rotate` fuses: the xor it must follow, the fused op, width, direction. */
export const XOR_ROTATE: Record<
  number,
  { xor: number; fused: number; constKind: number; bits: number; left: boolean }
> = {
  0x77: { xor: 0x73, fused: I32_XOR_ROTL_I, constKind: CONST32, bits: 32, left: true }, // i32.rotl
  0x78: { xor: 0x73, fused: I32_XOR_ROTL_I, constKind: CONST32, bits: 32, left: false }, // i32.rotr
  0x89: { xor: 0x85, fused: I64_XOR_ROTL_I, constKind: CONST64, bits: 64, left: true }, // i64.rotl
  0x8a: { xor: 0x85, fused: I64_XOR_ROTL_I, constKind: CONST64, bits: 64, left: false }, // i64.rotr
};
