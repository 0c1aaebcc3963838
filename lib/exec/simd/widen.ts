/**
 * Integer instructions whose result lanes differ in width from their operand lanes (spec 2.0 §4.4.3 Vector
 * Instructions): extend_low/high, narrow, extmul_low/high, extadd_pairwise and i32x4.dot_i16x8_s. Where a result lane
 * would overwrite operand bytes still to be read (the result may alias an operand), the operands are first copied to
 * the scratch area of `_shared.ts`; extadd_pairwise and dot read exactly the bytes they write, so they work in place.
 *
 * @module
 */

import { mulHighU32 } from "./i64x2.ts";
import { scratch, toScratch } from "./_shared.ts";
import type { V128Views } from "./views.ts";

// ---- extend: `half` is 0 (low) or 8/4/2 (the first lane of the high half) ----

/** `i16x8.extend_low/high_i8x16_s`: lanes `half`…`half + 7` sign-extended. */
export function i16x8ExtendS(v: V128Views, d: number, a: number, half: number): void {
  toScratch(v, a, 0);
  const s = scratch.i8, x = v.i16, o = d << 1;
  for (let i = 0; i < 8; i++) x[o + i] = s[half + i]!;
}

/** `i16x8.extend_low/high_i8x16_u`. */
export function i16x8ExtendU(v: V128Views, d: number, a: number, half: number): void {
  toScratch(v, a, 0);
  const s = scratch.u8, x = v.i16, o = d << 1;
  for (let i = 0; i < 8; i++) x[o + i] = s[half + i]!;
}

/** `i32x4.extend_low/high_i16x8_s`. */
export function i32x4ExtendS(v: V128Views, d: number, a: number, half: number): void {
  toScratch(v, a, 0);
  const s = scratch.i16, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = s[half + i]!;
}

/** `i32x4.extend_low/high_i16x8_u`. */
export function i32x4ExtendU(v: V128Views, d: number, a: number, half: number): void {
  toScratch(v, a, 0);
  const s = scratch.u16, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = s[half + i]!;
}

/** `i64x2.extend_low/high_i32x4_s`. */
export function i64x2ExtendS(v: V128Views, d: number, a: number, half: number): void {
  const x = v.i32, l0 = x[a + half]!, l1 = x[a + half + 1]!;
  x[d] = l0;
  x[d + 1] = l0 >> 31;
  x[d + 2] = l1;
  x[d + 3] = l1 >> 31;
}

/** `i64x2.extend_low/high_i32x4_u`. */
export function i64x2ExtendU(v: V128Views, d: number, a: number, half: number): void {
  const x = v.i32, l0 = x[a + half]!, l1 = x[a + half + 1]!;
  x[d] = l0;
  x[d + 1] = 0;
  x[d + 2] = l1;
  x[d + 3] = 0;
}

// ---- narrow ----

/** `i8x16.narrow_i16x8_s`: the 8 lanes of `a` then of `b`, each saturated to i8. */
export function i8x16NarrowS(v: V128Views, d: number, a: number, b: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.i16, x = v.i8, o = d << 2;
  for (let i = 0; i < 16; i++) {
    const r = s[i]!;
    x[o + i] = r > 127 ? 127 : r < -128 ? -128 : r;
  }
}

/** `i8x16.narrow_i16x8_u`: signed i16 lanes saturated to 0…255. */
export function i8x16NarrowU(v: V128Views, d: number, a: number, b: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.i16, x = v.u8, o = d << 2;
  for (let i = 0; i < 16; i++) {
    const r = s[i]!;
    x[o + i] = r > 255 ? 255 : r < 0 ? 0 : r;
  }
}

/** `i16x8.narrow_i32x4_s`. */
export function i16x8NarrowS(v: V128Views, d: number, a: number, b: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.i32, x = v.i16, o = d << 1;
  for (let i = 0; i < 8; i++) {
    const r = s[i]!;
    x[o + i] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
  }
}

/** `i16x8.narrow_i32x4_u`. */
export function i16x8NarrowU(v: V128Views, d: number, a: number, b: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.i32, x = v.u16, o = d << 1;
  for (let i = 0; i < 8; i++) {
    const r = s[i]!;
    x[o + i] = r > 65535 ? 65535 : r < 0 ? 0 : r;
  }
}

// ---- extmul: products of lanes `half`… of a and b, extended to twice the width ----

/** `i16x8.extmul_low/high_i8x16_s`. */
export function i16x8ExtmulS(v: V128Views, d: number, a: number, b: number, half: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.i8, x = v.i16, o = d << 1;
  for (let i = 0; i < 8; i++) x[o + i] = s[half + i]! * s[16 + half + i]!;
}

/** `i16x8.extmul_low/high_i8x16_u`. */
export function i16x8ExtmulU(v: V128Views, d: number, a: number, b: number, half: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.u8, x = v.u16, o = d << 1;
  for (let i = 0; i < 8; i++) x[o + i] = s[half + i]! * s[16 + half + i]!;
}

/** `i32x4.extmul_low/high_i16x8_s`. */
export function i32x4ExtmulS(v: V128Views, d: number, a: number, b: number, half: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.i16, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = s[half + i]! * s[8 + half + i]!;
}

/** `i32x4.extmul_low/high_i16x8_u` (a product up to 2^32 - 2^17 + 1, exact in a double, wraps on store). */
export function i32x4ExtmulU(v: V128Views, d: number, a: number, b: number, half: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.u16, x = v.u32;
  for (let i = 0; i < 4; i++) x[d + i] = s[half + i]! * s[8 + half + i]!;
}

/** `i64x2.extmul_low/high_i32x4_s`: full 64-bit signed products, computed on halves. */
export function i64x2ExtmulS(v: V128Views, d: number, a: number, b: number, half: number): void {
  const x = v.i32;
  const a0 = x[a + half]!, a1 = x[a + half + 1]!, b0 = x[b + half]!, b1 = x[b + half + 1]!;
  x[d] = Math.imul(a0, b0);
  // Why: the signed high word is the unsigned one minus each operand where the other is negative (mod 2^32).
  x[d + 1] = mulHighU32(a0, b0) - (a0 < 0 ? b0 : 0) - (b0 < 0 ? a0 : 0);
  x[d + 2] = Math.imul(a1, b1);
  x[d + 3] = mulHighU32(a1, b1) - (a1 < 0 ? b1 : 0) - (b1 < 0 ? a1 : 0);
}

/** `i64x2.extmul_low/high_i32x4_u`. */
export function i64x2ExtmulU(v: V128Views, d: number, a: number, b: number, half: number): void {
  const x = v.i32;
  const a0 = x[a + half]!, a1 = x[a + half + 1]!, b0 = x[b + half]!, b1 = x[b + half + 1]!;
  x[d] = Math.imul(a0, b0);
  x[d + 1] = mulHighU32(a0, b0);
  x[d + 2] = Math.imul(a1, b1);
  x[d + 3] = mulHighU32(a1, b1);
}

// ---- pairwise ----

/** `i16x8.extadd_pairwise_i8x16_s`. */
export function i16x8ExtaddPairwiseS(v: V128Views, d: number, a: number): void {
  const s = v.i8, x = v.i16, p = a << 2, o = d << 1;
  for (let i = 0; i < 8; i++) x[o + i] = s[p + 2 * i]! + s[p + 2 * i + 1]!;
}

/** `i16x8.extadd_pairwise_i8x16_u`. */
export function i16x8ExtaddPairwiseU(v: V128Views, d: number, a: number): void {
  const s = v.u8, x = v.i16, p = a << 2, o = d << 1;
  for (let i = 0; i < 8; i++) x[o + i] = s[p + 2 * i]! + s[p + 2 * i + 1]!;
}

/** `i32x4.extadd_pairwise_i16x8_s`. */
export function i32x4ExtaddPairwiseS(v: V128Views, d: number, a: number): void {
  const s = v.i16, x = v.i32, p = a << 1;
  for (let i = 0; i < 4; i++) x[d + i] = s[p + 2 * i]! + s[p + 2 * i + 1]!;
}

/** `i32x4.extadd_pairwise_i16x8_u`. */
export function i32x4ExtaddPairwiseU(v: V128Views, d: number, a: number): void {
  const s = v.u16, x = v.i32, p = a << 1;
  for (let i = 0; i < 4; i++) x[d + i] = s[p + 2 * i]! + s[p + 2 * i + 1]!;
}

/** `i32x4.dot_i16x8_s`: lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1], wrapping (only -32768 everywhere overflows). */
export function i32x4DotI16x8S(v: V128Views, d: number, a: number, b: number): void {
  const s = v.i16, x = v.i32, p = a << 1, q = b << 1;
  for (let i = 0; i < 4; i++) {
    x[d + i] = s[p + 2 * i]! * s[q + 2 * i]! + s[p + 2 * i + 1]! * s[q + 2 * i + 1]!;
  }
}
