/**
 * The entry of Kiln's SIMD lane semantics: one call per executed SIMD instruction. {@link simdOp} runs every
 * 0xfd instruction that neither touches memory nor carries a v128/shuffle immediate, {@link simdShuffle} runs
 * i8x16.shuffle, {@link simdLoad}/{@link simdStore} the memory ones. Relaxed SIMD runs as the deterministic profile
 * prescribes (table in `relaxed.ts`); float results that are NaN are the positive canonical NaN.
 *
 * Operands and results live in one ArrayBuffer (the interpreter's value stack) seen through {@link V128Views} and
 * are addressed by word offsets; see {@link simdOp} for the layout. The dispatch is one `switch` over numeric
 * literal sub-opcodes (as in `machine.ts`) calling one small function per instruction; nothing allocates.
 *
 * @example i32x4.add of two vectors in a value-stack buffer
 * ```ts
 * import { simdOp, V128Views } from "./exec.ts";
 * const v = new V128Views(new ArrayBuffer(64));
 * v.i32.set([1, 2, 3, 4, 10, 20, 30, 40]);
 * simdOp(0xae, v, 8, 0, 4, 0, 0); // i32x4.add: words 8..11 = words 0..3 + words 4..7
 * console.log(Array.from(v.i32.subarray(8, 12))); // [11, 22, 33, 44]
 * ```
 *
 * @module
 */

import { v128And, v128AndNot, v128AnyTrue, v128Bitselect, v128Not, v128Or, v128Xor } from "./bitwise.ts";
import {
  f32x4ConvertI32x4S,
  f32x4ConvertI32x4U,
  f32x4DemoteF64x2Zero,
  f64x2ConvertLowI32x4S,
  f64x2ConvertLowI32x4U,
  f64x2PromoteLowF32x4,
  i32x4TruncSatF32x4S,
  i32x4TruncSatF32x4U,
  i32x4TruncSatF64x2SZero,
  i32x4TruncSatF64x2UZero,
} from "./convert.ts";
import {
  f32x4Abs,
  f32x4Add,
  f32x4Ceil,
  f32x4Div,
  f32x4Eq,
  f32x4Floor,
  f32x4Ge,
  f32x4Gt,
  f32x4Le,
  f32x4Lt,
  f32x4Max,
  f32x4Min,
  f32x4Mul,
  f32x4Ne,
  f32x4Nearest,
  f32x4Neg,
  f32x4Pmax,
  f32x4Pmin,
  f32x4Sqrt,
  f32x4Sub,
  f32x4Trunc,
  f64x2Abs,
  f64x2Add,
  f64x2Ceil,
  f64x2Div,
  f64x2Eq,
  f64x2Floor,
  f64x2Ge,
  f64x2Gt,
  f64x2Le,
  f64x2Lt,
  f64x2Max,
  f64x2Min,
  f64x2Mul,
  f64x2Ne,
  f64x2Nearest,
  f64x2Neg,
  f64x2Pmax,
  f64x2Pmin,
  f64x2Sqrt,
  f64x2Sub,
  f64x2Trunc,
} from "./float_lanes.ts";
import {
  i64x2Abs,
  i64x2Add,
  i64x2AllTrue,
  i64x2Bitmask,
  i64x2Eq,
  i64x2GeS,
  i64x2GtS,
  i64x2LeS,
  i64x2LtS,
  i64x2Mul,
  i64x2Ne,
  i64x2Neg,
  i64x2Shl,
  i64x2ShrS,
  i64x2ShrU,
  i64x2Sub,
} from "./i64x2.ts";
import {
  i16x8Abs,
  i16x8Add,
  i16x8AddSatS,
  i16x8AddSatU,
  i16x8AllTrue,
  i16x8AvgrU,
  i16x8Bitmask,
  i16x8Eq,
  i16x8GeS,
  i16x8GeU,
  i16x8GtS,
  i16x8GtU,
  i16x8LeS,
  i16x8LeU,
  i16x8LtS,
  i16x8LtU,
  i16x8MaxS,
  i16x8MaxU,
  i16x8MinS,
  i16x8MinU,
  i16x8Mul,
  i16x8Ne,
  i16x8Neg,
  i16x8Q15mulrSatS,
  i16x8Shl,
  i16x8ShrS,
  i16x8ShrU,
  i16x8Sub,
  i16x8SubSatS,
  i16x8SubSatU,
  i32x4Abs,
  i32x4Add,
  i32x4AllTrue,
  i32x4Bitmask,
  i32x4Eq,
  i32x4GeS,
  i32x4GeU,
  i32x4GtS,
  i32x4GtU,
  i32x4LeS,
  i32x4LeU,
  i32x4LtS,
  i32x4LtU,
  i32x4MaxS,
  i32x4MaxU,
  i32x4MinS,
  i32x4MinU,
  i32x4Mul,
  i32x4Ne,
  i32x4Neg,
  i32x4Shl,
  i32x4ShrS,
  i32x4ShrU,
  i32x4Sub,
  i8x16Abs,
  i8x16Add,
  i8x16AddSatS,
  i8x16AddSatU,
  i8x16AllTrue,
  i8x16AvgrU,
  i8x16Bitmask,
  i8x16Eq,
  i8x16GeS,
  i8x16GeU,
  i8x16GtS,
  i8x16GtU,
  i8x16LeS,
  i8x16LeU,
  i8x16LtS,
  i8x16LtU,
  i8x16MaxS,
  i8x16MaxU,
  i8x16MinS,
  i8x16MinU,
  i8x16Ne,
  i8x16Neg,
  i8x16Popcnt,
  i8x16Shl,
  i8x16ShrS,
  i8x16ShrU,
  i8x16Sub,
  i8x16SubSatS,
  i8x16SubSatU,
} from "./integer.ts";
import {
  i16x8ExtractLaneS,
  i16x8ExtractLaneU,
  i16x8ReplaceLane,
  i16x8Splat,
  i32x4ExtractLane,
  i32x4ReplaceLane,
  i32x4Splat,
  i64x2ExtractLane,
  i64x2ReplaceLane,
  i64x2Splat,
  i8x16ExtractLaneS,
  i8x16ExtractLaneU,
  i8x16ReplaceLane,
  i8x16Shuffle,
  i8x16Splat,
  i8x16Swizzle,
} from "./lanes.ts";
import {
  f32x4RelaxedMadd,
  f32x4RelaxedNmadd,
  f64x2RelaxedMadd,
  f64x2RelaxedNmadd,
  i16x8RelaxedDot,
  i32x4RelaxedDotAdd,
} from "./relaxed.ts";
import {
  i16x8ExtaddPairwiseS,
  i16x8ExtaddPairwiseU,
  i16x8ExtendS,
  i16x8ExtendU,
  i16x8ExtmulS,
  i16x8ExtmulU,
  i16x8NarrowS,
  i16x8NarrowU,
  i32x4DotI16x8S,
  i32x4ExtaddPairwiseS,
  i32x4ExtaddPairwiseU,
  i32x4ExtendS,
  i32x4ExtendU,
  i32x4ExtmulS,
  i32x4ExtmulU,
  i64x2ExtendS,
  i64x2ExtendU,
  i64x2ExtmulS,
  i64x2ExtmulU,
  i8x16NarrowS,
  i8x16NarrowU,
} from "./widen.ts";
import type { V128Views } from "./views.ts";

export { V128Views } from "./views.ts";
export { simdLoad, simdStore } from "./load_store.ts";

/**
 * Executes the SIMD instruction with 0xfd sub-opcode `sub` that does not access memory and is not v128.const or
 * i8x16.shuffle. Operands and result are addressed by WORD offsets (4-byte units) into the buffer: `d` the result,
 * `a`, `b`, `c` the operands in wasm order (unused ones are ignored). Offsets are always even (values live in 8-byte
 * slots), so an f64/i64 at word w is Float64Array/BigInt64Array index w >> 1. A v128 occupies the 16 bytes from its
 * word offset (lane 0 at the lowest address, little-endian). A scalar operand/result uses its own slot: i32 one
 * word (signed int32), i64 two words (low word first), f32 the bits as one word, f64 8 bytes. The result may be the
 * same slot as any operand: all operands are read before the result is written.
 *
 * @param sub the sub-opcode after the 0xfd prefix (0x0e–0xff except memory ones, 0x100–0x113)
 * @param v views over the value stack
 * @param d word offset of the result
 * @param a word offset of the first operand
 * @param b word offset of the second operand (or 0)
 * @param c word offset of the third operand (or 0)
 * @param lane the lane immediate of extract_lane/replace_lane (0 otherwise)
 * @example f32x4.abs keeps a NaN's payload
 * ```ts
 * import { simdOp, V128Views } from "./exec.ts";
 * const v = new V128Views(new ArrayBuffer(32));
 * v.u32[0] = 0xffc0_1234; // -NaN with a payload
 * simdOp(0xe0, v, 4, 0, 0, 0, 0); // f32x4.abs
 * console.log(v.u32[4].toString(16)); // "7fc01234"
 * ```
 */
export function simdOp(sub: number, v: V128Views, d: number, a: number, b: number, c: number, lane: number): void {
  switch (sub) {
    case 0x0e: // i8x16.swizzle
      return i8x16Swizzle(v, d, a, b);
    case 0x0f: // i8x16.splat
      return i8x16Splat(v, d, a);
    case 0x10: // i16x8.splat
      return i16x8Splat(v, d, a);
    case 0x11: // i32x4.splat
      return i32x4Splat(v, d, a);
    case 0x12: // i64x2.splat
      return i64x2Splat(v, d, a);
    case 0x13: // f32x4.splat
      return i32x4Splat(v, d, a);
    case 0x14: // f64x2.splat
      return i64x2Splat(v, d, a);
    case 0x15: // i8x16.extract_lane_s
      return i8x16ExtractLaneS(v, d, a, lane);
    case 0x16: // i8x16.extract_lane_u
      return i8x16ExtractLaneU(v, d, a, lane);
    case 0x17: // i8x16.replace_lane
      return i8x16ReplaceLane(v, d, a, b, lane);
    case 0x18: // i16x8.extract_lane_s
      return i16x8ExtractLaneS(v, d, a, lane);
    case 0x19: // i16x8.extract_lane_u
      return i16x8ExtractLaneU(v, d, a, lane);
    case 0x1a: // i16x8.replace_lane
      return i16x8ReplaceLane(v, d, a, b, lane);
    case 0x1b: // i32x4.extract_lane
      return i32x4ExtractLane(v, d, a, lane);
    case 0x1c: // i32x4.replace_lane
      return i32x4ReplaceLane(v, d, a, b, lane);
    case 0x1d: // i64x2.extract_lane
      return i64x2ExtractLane(v, d, a, lane);
    case 0x1e: // i64x2.replace_lane
      return i64x2ReplaceLane(v, d, a, b, lane);
    case 0x1f: // f32x4.extract_lane
      return i32x4ExtractLane(v, d, a, lane);
    case 0x20: // f32x4.replace_lane
      return i32x4ReplaceLane(v, d, a, b, lane);
    case 0x21: // f64x2.extract_lane
      return i64x2ExtractLane(v, d, a, lane);
    case 0x22: // f64x2.replace_lane
      return i64x2ReplaceLane(v, d, a, b, lane);
    case 0x23: // i8x16.eq
      return i8x16Eq(v, d, a, b);
    case 0x24: // i8x16.ne
      return i8x16Ne(v, d, a, b);
    case 0x25: // i8x16.lt_s
      return i8x16LtS(v, d, a, b);
    case 0x26: // i8x16.lt_u
      return i8x16LtU(v, d, a, b);
    case 0x27: // i8x16.gt_s
      return i8x16GtS(v, d, a, b);
    case 0x28: // i8x16.gt_u
      return i8x16GtU(v, d, a, b);
    case 0x29: // i8x16.le_s
      return i8x16LeS(v, d, a, b);
    case 0x2a: // i8x16.le_u
      return i8x16LeU(v, d, a, b);
    case 0x2b: // i8x16.ge_s
      return i8x16GeS(v, d, a, b);
    case 0x2c: // i8x16.ge_u
      return i8x16GeU(v, d, a, b);
    case 0x2d: // i16x8.eq
      return i16x8Eq(v, d, a, b);
    case 0x2e: // i16x8.ne
      return i16x8Ne(v, d, a, b);
    case 0x2f: // i16x8.lt_s
      return i16x8LtS(v, d, a, b);
    case 0x30: // i16x8.lt_u
      return i16x8LtU(v, d, a, b);
    case 0x31: // i16x8.gt_s
      return i16x8GtS(v, d, a, b);
    case 0x32: // i16x8.gt_u
      return i16x8GtU(v, d, a, b);
    case 0x33: // i16x8.le_s
      return i16x8LeS(v, d, a, b);
    case 0x34: // i16x8.le_u
      return i16x8LeU(v, d, a, b);
    case 0x35: // i16x8.ge_s
      return i16x8GeS(v, d, a, b);
    case 0x36: // i16x8.ge_u
      return i16x8GeU(v, d, a, b);
    case 0x37: // i32x4.eq
      return i32x4Eq(v, d, a, b);
    case 0x38: // i32x4.ne
      return i32x4Ne(v, d, a, b);
    case 0x39: // i32x4.lt_s
      return i32x4LtS(v, d, a, b);
    case 0x3a: // i32x4.lt_u
      return i32x4LtU(v, d, a, b);
    case 0x3b: // i32x4.gt_s
      return i32x4GtS(v, d, a, b);
    case 0x3c: // i32x4.gt_u
      return i32x4GtU(v, d, a, b);
    case 0x3d: // i32x4.le_s
      return i32x4LeS(v, d, a, b);
    case 0x3e: // i32x4.le_u
      return i32x4LeU(v, d, a, b);
    case 0x3f: // i32x4.ge_s
      return i32x4GeS(v, d, a, b);
    case 0x40: // i32x4.ge_u
      return i32x4GeU(v, d, a, b);
    case 0x41: // f32x4.eq
      return f32x4Eq(v, d, a, b);
    case 0x42: // f32x4.ne
      return f32x4Ne(v, d, a, b);
    case 0x43: // f32x4.lt
      return f32x4Lt(v, d, a, b);
    case 0x44: // f32x4.gt
      return f32x4Gt(v, d, a, b);
    case 0x45: // f32x4.le
      return f32x4Le(v, d, a, b);
    case 0x46: // f32x4.ge
      return f32x4Ge(v, d, a, b);
    case 0x47: // f64x2.eq
      return f64x2Eq(v, d, a, b);
    case 0x48: // f64x2.ne
      return f64x2Ne(v, d, a, b);
    case 0x49: // f64x2.lt
      return f64x2Lt(v, d, a, b);
    case 0x4a: // f64x2.gt
      return f64x2Gt(v, d, a, b);
    case 0x4b: // f64x2.le
      return f64x2Le(v, d, a, b);
    case 0x4c: // f64x2.ge
      return f64x2Ge(v, d, a, b);
    case 0x4d: // v128.not
      return v128Not(v, d, a);
    case 0x4e: // v128.and
      return v128And(v, d, a, b);
    case 0x4f: // v128.andnot
      return v128AndNot(v, d, a, b);
    case 0x50: // v128.or
      return v128Or(v, d, a, b);
    case 0x51: // v128.xor
      return v128Xor(v, d, a, b);
    case 0x52: // v128.bitselect
      return v128Bitselect(v, d, a, b, c);
    case 0x53: // v128.any_true
      return v128AnyTrue(v, d, a);
    case 0x5e: // f32x4.demote_f64x2_zero
      return f32x4DemoteF64x2Zero(v, d, a);
    case 0x5f: // f64x2.promote_low_f32x4
      return f64x2PromoteLowF32x4(v, d, a);
    case 0x60: // i8x16.abs
      return i8x16Abs(v, d, a);
    case 0x61: // i8x16.neg
      return i8x16Neg(v, d, a);
    case 0x62: // i8x16.popcnt
      return i8x16Popcnt(v, d, a);
    case 0x63: // i8x16.all_true
      return i8x16AllTrue(v, d, a);
    case 0x64: // i8x16.bitmask
      return i8x16Bitmask(v, d, a);
    case 0x65: // i8x16.narrow_i16x8_s
      return i8x16NarrowS(v, d, a, b);
    case 0x66: // i8x16.narrow_i16x8_u
      return i8x16NarrowU(v, d, a, b);
    case 0x67: // f32x4.ceil
      return f32x4Ceil(v, d, a);
    case 0x68: // f32x4.floor
      return f32x4Floor(v, d, a);
    case 0x69: // f32x4.trunc
      return f32x4Trunc(v, d, a);
    case 0x6a: // f32x4.nearest
      return f32x4Nearest(v, d, a);
    case 0x6b: // i8x16.shl
      return i8x16Shl(v, d, a, b);
    case 0x6c: // i8x16.shr_s
      return i8x16ShrS(v, d, a, b);
    case 0x6d: // i8x16.shr_u
      return i8x16ShrU(v, d, a, b);
    case 0x6e: // i8x16.add
      return i8x16Add(v, d, a, b);
    case 0x6f: // i8x16.add_sat_s
      return i8x16AddSatS(v, d, a, b);
    case 0x70: // i8x16.add_sat_u
      return i8x16AddSatU(v, d, a, b);
    case 0x71: // i8x16.sub
      return i8x16Sub(v, d, a, b);
    case 0x72: // i8x16.sub_sat_s
      return i8x16SubSatS(v, d, a, b);
    case 0x73: // i8x16.sub_sat_u
      return i8x16SubSatU(v, d, a, b);
    case 0x74: // f64x2.ceil
      return f64x2Ceil(v, d, a);
    case 0x75: // f64x2.floor
      return f64x2Floor(v, d, a);
    case 0x76: // i8x16.min_s
      return i8x16MinS(v, d, a, b);
    case 0x77: // i8x16.min_u
      return i8x16MinU(v, d, a, b);
    case 0x78: // i8x16.max_s
      return i8x16MaxS(v, d, a, b);
    case 0x79: // i8x16.max_u
      return i8x16MaxU(v, d, a, b);
    case 0x7a: // f64x2.trunc
      return f64x2Trunc(v, d, a);
    case 0x7b: // i8x16.avgr_u
      return i8x16AvgrU(v, d, a, b);
    case 0x7c: // i16x8.extadd_pairwise_i8x16_s
      return i16x8ExtaddPairwiseS(v, d, a);
    case 0x7d: // i16x8.extadd_pairwise_i8x16_u
      return i16x8ExtaddPairwiseU(v, d, a);
    case 0x7e: // i32x4.extadd_pairwise_i16x8_s
      return i32x4ExtaddPairwiseS(v, d, a);
    case 0x7f: // i32x4.extadd_pairwise_i16x8_u
      return i32x4ExtaddPairwiseU(v, d, a);
    case 0x80: // i16x8.abs
      return i16x8Abs(v, d, a);
    case 0x81: // i16x8.neg
      return i16x8Neg(v, d, a);
    case 0x82: // i16x8.q15mulr_sat_s
      return i16x8Q15mulrSatS(v, d, a, b);
    case 0x83: // i16x8.all_true
      return i16x8AllTrue(v, d, a);
    case 0x84: // i16x8.bitmask
      return i16x8Bitmask(v, d, a);
    case 0x85: // i16x8.narrow_i32x4_s
      return i16x8NarrowS(v, d, a, b);
    case 0x86: // i16x8.narrow_i32x4_u
      return i16x8NarrowU(v, d, a, b);
    case 0x87: // i16x8.extend_low_i8x16_s
      return i16x8ExtendS(v, d, a, 0);
    case 0x88: // i16x8.extend_high_i8x16_s
      return i16x8ExtendS(v, d, a, 8);
    case 0x89: // i16x8.extend_low_i8x16_u
      return i16x8ExtendU(v, d, a, 0);
    case 0x8a: // i16x8.extend_high_i8x16_u
      return i16x8ExtendU(v, d, a, 8);
    case 0x8b: // i16x8.shl
      return i16x8Shl(v, d, a, b);
    case 0x8c: // i16x8.shr_s
      return i16x8ShrS(v, d, a, b);
    case 0x8d: // i16x8.shr_u
      return i16x8ShrU(v, d, a, b);
    case 0x8e: // i16x8.add
      return i16x8Add(v, d, a, b);
    case 0x8f: // i16x8.add_sat_s
      return i16x8AddSatS(v, d, a, b);
    case 0x90: // i16x8.add_sat_u
      return i16x8AddSatU(v, d, a, b);
    case 0x91: // i16x8.sub
      return i16x8Sub(v, d, a, b);
    case 0x92: // i16x8.sub_sat_s
      return i16x8SubSatS(v, d, a, b);
    case 0x93: // i16x8.sub_sat_u
      return i16x8SubSatU(v, d, a, b);
    case 0x94: // f64x2.nearest
      return f64x2Nearest(v, d, a);
    case 0x95: // i16x8.mul
      return i16x8Mul(v, d, a, b);
    case 0x96: // i16x8.min_s
      return i16x8MinS(v, d, a, b);
    case 0x97: // i16x8.min_u
      return i16x8MinU(v, d, a, b);
    case 0x98: // i16x8.max_s
      return i16x8MaxS(v, d, a, b);
    case 0x99: // i16x8.max_u
      return i16x8MaxU(v, d, a, b);
    case 0x9b: // i16x8.avgr_u
      return i16x8AvgrU(v, d, a, b);
    case 0x9c: // i16x8.extmul_low_i8x16_s
      return i16x8ExtmulS(v, d, a, b, 0);
    case 0x9d: // i16x8.extmul_high_i8x16_s
      return i16x8ExtmulS(v, d, a, b, 8);
    case 0x9e: // i16x8.extmul_low_i8x16_u
      return i16x8ExtmulU(v, d, a, b, 0);
    case 0x9f: // i16x8.extmul_high_i8x16_u
      return i16x8ExtmulU(v, d, a, b, 8);
    case 0xa0: // i32x4.abs
      return i32x4Abs(v, d, a);
    case 0xa1: // i32x4.neg
      return i32x4Neg(v, d, a);
    case 0xa3: // i32x4.all_true
      return i32x4AllTrue(v, d, a);
    case 0xa4: // i32x4.bitmask
      return i32x4Bitmask(v, d, a);
    case 0xa7: // i32x4.extend_low_i16x8_s
      return i32x4ExtendS(v, d, a, 0);
    case 0xa8: // i32x4.extend_high_i16x8_s
      return i32x4ExtendS(v, d, a, 4);
    case 0xa9: // i32x4.extend_low_i16x8_u
      return i32x4ExtendU(v, d, a, 0);
    case 0xaa: // i32x4.extend_high_i16x8_u
      return i32x4ExtendU(v, d, a, 4);
    case 0xab: // i32x4.shl
      return i32x4Shl(v, d, a, b);
    case 0xac: // i32x4.shr_s
      return i32x4ShrS(v, d, a, b);
    case 0xad: // i32x4.shr_u
      return i32x4ShrU(v, d, a, b);
    case 0xae: // i32x4.add
      return i32x4Add(v, d, a, b);
    case 0xb1: // i32x4.sub
      return i32x4Sub(v, d, a, b);
    case 0xb5: // i32x4.mul
      return i32x4Mul(v, d, a, b);
    case 0xb6: // i32x4.min_s
      return i32x4MinS(v, d, a, b);
    case 0xb7: // i32x4.min_u
      return i32x4MinU(v, d, a, b);
    case 0xb8: // i32x4.max_s
      return i32x4MaxS(v, d, a, b);
    case 0xb9: // i32x4.max_u
      return i32x4MaxU(v, d, a, b);
    case 0xba: // i32x4.dot_i16x8_s
      return i32x4DotI16x8S(v, d, a, b);
    case 0xbc: // i32x4.extmul_low_i16x8_s
      return i32x4ExtmulS(v, d, a, b, 0);
    case 0xbd: // i32x4.extmul_high_i16x8_s
      return i32x4ExtmulS(v, d, a, b, 4);
    case 0xbe: // i32x4.extmul_low_i16x8_u
      return i32x4ExtmulU(v, d, a, b, 0);
    case 0xbf: // i32x4.extmul_high_i16x8_u
      return i32x4ExtmulU(v, d, a, b, 4);
    case 0xc0: // i64x2.abs
      return i64x2Abs(v, d, a);
    case 0xc1: // i64x2.neg
      return i64x2Neg(v, d, a);
    case 0xc3: // i64x2.all_true
      return i64x2AllTrue(v, d, a);
    case 0xc4: // i64x2.bitmask
      return i64x2Bitmask(v, d, a);
    case 0xc7: // i64x2.extend_low_i32x4_s
      return i64x2ExtendS(v, d, a, 0);
    case 0xc8: // i64x2.extend_high_i32x4_s
      return i64x2ExtendS(v, d, a, 2);
    case 0xc9: // i64x2.extend_low_i32x4_u
      return i64x2ExtendU(v, d, a, 0);
    case 0xca: // i64x2.extend_high_i32x4_u
      return i64x2ExtendU(v, d, a, 2);
    case 0xcb: // i64x2.shl
      return i64x2Shl(v, d, a, b);
    case 0xcc: // i64x2.shr_s
      return i64x2ShrS(v, d, a, b);
    case 0xcd: // i64x2.shr_u
      return i64x2ShrU(v, d, a, b);
    case 0xce: // i64x2.add
      return i64x2Add(v, d, a, b);
    case 0xd1: // i64x2.sub
      return i64x2Sub(v, d, a, b);
    case 0xd5: // i64x2.mul
      return i64x2Mul(v, d, a, b);
    case 0xd6: // i64x2.eq
      return i64x2Eq(v, d, a, b);
    case 0xd7: // i64x2.ne
      return i64x2Ne(v, d, a, b);
    case 0xd8: // i64x2.lt_s
      return i64x2LtS(v, d, a, b);
    case 0xd9: // i64x2.gt_s
      return i64x2GtS(v, d, a, b);
    case 0xda: // i64x2.le_s
      return i64x2LeS(v, d, a, b);
    case 0xdb: // i64x2.ge_s
      return i64x2GeS(v, d, a, b);
    case 0xdc: // i64x2.extmul_low_i32x4_s
      return i64x2ExtmulS(v, d, a, b, 0);
    case 0xdd: // i64x2.extmul_high_i32x4_s
      return i64x2ExtmulS(v, d, a, b, 2);
    case 0xde: // i64x2.extmul_low_i32x4_u
      return i64x2ExtmulU(v, d, a, b, 0);
    case 0xdf: // i64x2.extmul_high_i32x4_u
      return i64x2ExtmulU(v, d, a, b, 2);
    case 0xe0: // f32x4.abs
      return f32x4Abs(v, d, a);
    case 0xe1: // f32x4.neg
      return f32x4Neg(v, d, a);
    case 0xe3: // f32x4.sqrt
      return f32x4Sqrt(v, d, a);
    case 0xe4: // f32x4.add
      return f32x4Add(v, d, a, b);
    case 0xe5: // f32x4.sub
      return f32x4Sub(v, d, a, b);
    case 0xe6: // f32x4.mul
      return f32x4Mul(v, d, a, b);
    case 0xe7: // f32x4.div
      return f32x4Div(v, d, a, b);
    case 0xe8: // f32x4.min
      return f32x4Min(v, d, a, b);
    case 0xe9: // f32x4.max
      return f32x4Max(v, d, a, b);
    case 0xea: // f32x4.pmin
      return f32x4Pmin(v, d, a, b);
    case 0xeb: // f32x4.pmax
      return f32x4Pmax(v, d, a, b);
    case 0xec: // f64x2.abs
      return f64x2Abs(v, d, a);
    case 0xed: // f64x2.neg
      return f64x2Neg(v, d, a);
    case 0xef: // f64x2.sqrt
      return f64x2Sqrt(v, d, a);
    case 0xf0: // f64x2.add
      return f64x2Add(v, d, a, b);
    case 0xf1: // f64x2.sub
      return f64x2Sub(v, d, a, b);
    case 0xf2: // f64x2.mul
      return f64x2Mul(v, d, a, b);
    case 0xf3: // f64x2.div
      return f64x2Div(v, d, a, b);
    case 0xf4: // f64x2.min
      return f64x2Min(v, d, a, b);
    case 0xf5: // f64x2.max
      return f64x2Max(v, d, a, b);
    case 0xf6: // f64x2.pmin
      return f64x2Pmin(v, d, a, b);
    case 0xf7: // f64x2.pmax
      return f64x2Pmax(v, d, a, b);
    case 0xf8: // i32x4.trunc_sat_f32x4_s
      return i32x4TruncSatF32x4S(v, d, a);
    case 0xf9: // i32x4.trunc_sat_f32x4_u
      return i32x4TruncSatF32x4U(v, d, a);
    case 0xfa: // f32x4.convert_i32x4_s
      return f32x4ConvertI32x4S(v, d, a);
    case 0xfb: // f32x4.convert_i32x4_u
      return f32x4ConvertI32x4U(v, d, a);
    case 0xfc: // i32x4.trunc_sat_f64x2_s_zero
      return i32x4TruncSatF64x2SZero(v, d, a);
    case 0xfd: // i32x4.trunc_sat_f64x2_u_zero
      return i32x4TruncSatF64x2UZero(v, d, a);
    case 0xfe: // f64x2.convert_low_i32x4_s
      return f64x2ConvertLowI32x4S(v, d, a);
    case 0xff: // f64x2.convert_low_i32x4_u
      return f64x2ConvertLowI32x4U(v, d, a);
    case 0x100: // i8x16.relaxed_swizzle = i8x16.swizzle
      return i8x16Swizzle(v, d, a, b);
    case 0x101: // i32x4.relaxed_trunc_f32x4_s = trunc_sat
      return i32x4TruncSatF32x4S(v, d, a);
    case 0x102: // i32x4.relaxed_trunc_f32x4_u = trunc_sat
      return i32x4TruncSatF32x4U(v, d, a);
    case 0x103: // i32x4.relaxed_trunc_f64x2_s_zero = trunc_sat
      return i32x4TruncSatF64x2SZero(v, d, a);
    case 0x104: // i32x4.relaxed_trunc_f64x2_u_zero = trunc_sat
      return i32x4TruncSatF64x2UZero(v, d, a);
    case 0x105: // f32x4.relaxed_madd
      return f32x4RelaxedMadd(v, d, a, b, c);
    case 0x106: // f32x4.relaxed_nmadd
      return f32x4RelaxedNmadd(v, d, a, b, c);
    case 0x107: // f64x2.relaxed_madd
      return f64x2RelaxedMadd(v, d, a, b, c);
    case 0x108: // f64x2.relaxed_nmadd
      return f64x2RelaxedNmadd(v, d, a, b, c);
    case 0x109: // i8x16.relaxed_laneselect = bitselect
      return v128Bitselect(v, d, a, b, c);
    case 0x10a: // i16x8.relaxed_laneselect = bitselect
      return v128Bitselect(v, d, a, b, c);
    case 0x10b: // i32x4.relaxed_laneselect = bitselect
      return v128Bitselect(v, d, a, b, c);
    case 0x10c: // i64x2.relaxed_laneselect = bitselect
      return v128Bitselect(v, d, a, b, c);
    case 0x10d: // f32x4.relaxed_min = min
      return f32x4Min(v, d, a, b);
    case 0x10e: // f32x4.relaxed_max = max
      return f32x4Max(v, d, a, b);
    case 0x10f: // f64x2.relaxed_min = min
      return f64x2Min(v, d, a, b);
    case 0x110: // f64x2.relaxed_max = max
      return f64x2Max(v, d, a, b);
    case 0x111: // i16x8.relaxed_q15mulr_s = q15mulr_sat_s
      return i16x8Q15mulrSatS(v, d, a, b);
    case 0x112: // i16x8.relaxed_dot_i8x16_i7x16_s
      return i16x8RelaxedDot(v, d, a, b);
    case 0x113: // i32x4.relaxed_dot_i8x16_i7x16_add_s
      return i32x4RelaxedDotAdd(v, d, a, b, c);
  }
  throw new Error(`Cannot execute SIMD instruction 0xfd ${sub}: not an operator of simdOp`);
}

/**
 * i8x16.shuffle: d = lanes chosen from a‖b by the 16 lane indices `lanes` (each below 32).
 *
 * @param v views over the value stack
 * @param d word offset of the result
 * @param a word offset of the first operand
 * @param b word offset of the second operand
 * @param lanes the instruction's 16 lane indices
 * @example Reversing a vector's bytes
 * ```ts
 * import { simdShuffle, V128Views } from "./exec.ts";
 * const v = new V128Views(new ArrayBuffer(48));
 * v.u8.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
 * simdShuffle(v, 8, 0, 4, new Uint8Array([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]));
 * console.log(v.u8[32], v.u8[47]); // 15 0
 * ```
 */
export function simdShuffle(v: V128Views, d: number, a: number, b: number, lanes: Uint8Array): void {
  i8x16Shuffle(v, d, a, b, lanes);
}
