/**
 * Lane-wise integer instructions of the i8x16, i16x8 and i32x4 shapes (spec 2.0 §4.3.2 Integer Operations, lifted to
 * lanes): add/sub/mul, saturating add/sub, min/max, avgr_u, q15mulr_sat_s, abs, neg, popcnt, comparisons, shifts,
 * all_true and bitmask. (i64x2 lives in `i64x2.ts`, width-changing instructions in `widen.ts`.)
 *
 * Each lane is read and written at the same position, so the result may alias an operand. Wrapping comes from the
 * typed array store (an Int8Array store keeps the value modulo 2^8, etc.). Word-offset addressing as in
 * `views.ts`.
 *
 * @module
 */

import type { V128Views } from "./views.ts";

// ---- i8x16 ----

/** `i8x16.add`. */
export function i8x16Add(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! + x[q + i]!;
}

/** `i8x16.sub`. */
export function i8x16Sub(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! - x[q + i]!;
}

/** `i8x16.add_sat_s`. */
export function i8x16AddSatS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const r = x[p + i]! + x[q + i]!;
    x[o + i] = r > 127 ? 127 : r < -128 ? -128 : r;
  }
}

/** `i8x16.add_sat_u`. */
export function i8x16AddSatU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const r = x[p + i]! + x[q + i]!;
    x[o + i] = r > 255 ? 255 : r;
  }
}

/** `i8x16.sub_sat_s`. */
export function i8x16SubSatS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const r = x[p + i]! - x[q + i]!;
    x[o + i] = r > 127 ? 127 : r < -128 ? -128 : r;
  }
}

/** `i8x16.sub_sat_u`. */
export function i8x16SubSatU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const r = x[p + i]! - x[q + i]!;
    x[o + i] = r < 0 ? 0 : r;
  }
}

/** `i8x16.min_s`. */
export function i8x16MinS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s < t ? s : t;
  }
}

/** `i8x16.min_u`. */
export function i8x16MinU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s < t ? s : t;
  }
}

/** `i8x16.max_s`. */
export function i8x16MaxS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s > t ? s : t;
  }
}

/** `i8x16.max_u`. */
export function i8x16MaxU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s > t ? s : t;
  }
}

/** `i8x16.avgr_u`: (a + b + 1) / 2, rounding down, unsigned. */
export function i8x16AvgrU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = (x[p + i]! + x[q + i]! + 1) >> 1;
}

/** `i8x16.abs` (-128 stays -128). */
export function i8x16Abs(v: V128Views, d: number, a: number): void {
  const x = v.i8, o = d << 2, p = a << 2;
  for (let i = 0; i < 16; i++) {
    const s = x[p + i]!;
    x[o + i] = s < 0 ? -s : s;
  }
}

/** `i8x16.neg`. */
export function i8x16Neg(v: V128Views, d: number, a: number): void {
  const x = v.i8, o = d << 2, p = a << 2;
  for (let i = 0; i < 16; i++) x[o + i] = -x[p + i]!;
}

/** Bit counts of the bytes 0..255. */
const POPCNT8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** `i8x16.popcnt`. */
export function i8x16Popcnt(v: V128Views, d: number, a: number): void {
  const x = v.u8, o = d << 2, p = a << 2;
  for (let i = 0; i < 16; i++) x[o + i] = POPCNT8[x[p + i]!]!;
}

/** `i8x16.shl` by the i32 at word `b`, modulo 8. */
export function i8x16Shl(v: V128Views, d: number, a: number, b: number): void {
  const k = v.i32[b]! & 7, x = v.u8, o = d << 2, p = a << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! << k;
}

/** `i8x16.shr_s`. */
export function i8x16ShrS(v: V128Views, d: number, a: number, b: number): void {
  const k = v.i32[b]! & 7, x = v.i8, o = d << 2, p = a << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! >> k;
}

/** `i8x16.shr_u`. */
export function i8x16ShrU(v: V128Views, d: number, a: number, b: number): void {
  const k = v.i32[b]! & 7, x = v.u8, o = d << 2, p = a << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! >>> k;
}

/** `i8x16.eq`: all ones where equal, else zero. */
export function i8x16Eq(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i] === x[q + i] ? 255 : 0;
}

/** `i8x16.ne`. */
export function i8x16Ne(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i] !== x[q + i] ? 255 : 0;
}

/** `i8x16.lt_s`. */
export function i8x16LtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! < x[q + i]! ? -1 : 0;
}

/** `i8x16.lt_u`. */
export function i8x16LtU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! < x[q + i]! ? 255 : 0;
}

/** `i8x16.gt_s`. */
export function i8x16GtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! > x[q + i]! ? -1 : 0;
}

/** `i8x16.gt_u`. */
export function i8x16GtU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! > x[q + i]! ? 255 : 0;
}

/** `i8x16.le_s`. */
export function i8x16LeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! <= x[q + i]! ? -1 : 0;
}

/** `i8x16.le_u`. */
export function i8x16LeU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! <= x[q + i]! ? 255 : 0;
}

/** `i8x16.ge_s`. */
export function i8x16GeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! >= x[q + i]! ? -1 : 0;
}

/** `i8x16.ge_u`. */
export function i8x16GeU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u8, o = d << 2, p = a << 2, q = b << 2;
  for (let i = 0; i < 16; i++) x[o + i] = x[p + i]! >= x[q + i]! ? 255 : 0;
}

/** `i8x16.all_true`: 1 if no lane is zero, as the i32 at word `d`. */
export function i8x16AllTrue(v: V128Views, d: number, a: number): void {
  const x = v.u8, p = a << 2;
  let r = 1;
  for (let i = 0; i < 16; i++) if (x[p + i] === 0) r = 0;
  v.i32[d] = r;
}

/** `i8x16.bitmask`: bit i of the i32 result is the sign bit of lane i. */
export function i8x16Bitmask(v: V128Views, d: number, a: number): void {
  const x = v.u8, p = a << 2;
  let r = 0;
  for (let i = 0; i < 16; i++) r |= (x[p + i]! >> 7) << i;
  v.i32[d] = r;
}

// ---- i16x8 ----

/** `i16x8.add`. */
export function i16x8Add(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! + x[q + i]!;
}

/** `i16x8.sub`. */
export function i16x8Sub(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! - x[q + i]!;
}

/** `i16x8.mul` (low 16 bits of the product). */
export function i16x8Mul(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = Math.imul(x[p + i]!, x[q + i]!);
}

/** `i16x8.add_sat_s`. */
export function i16x8AddSatS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const r = x[p + i]! + x[q + i]!;
    x[o + i] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
  }
}

/** `i16x8.add_sat_u`. */
export function i16x8AddSatU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const r = x[p + i]! + x[q + i]!;
    x[o + i] = r > 65535 ? 65535 : r;
  }
}

/** `i16x8.sub_sat_s`. */
export function i16x8SubSatS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const r = x[p + i]! - x[q + i]!;
    x[o + i] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
  }
}

/** `i16x8.sub_sat_u`. */
export function i16x8SubSatU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const r = x[p + i]! - x[q + i]!;
    x[o + i] = r < 0 ? 0 : r;
  }
}

/** `i16x8.min_s`. */
export function i16x8MinS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s < t ? s : t;
  }
}

/** `i16x8.min_u`. */
export function i16x8MinU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s < t ? s : t;
  }
}

/** `i16x8.max_s`. */
export function i16x8MaxS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s > t ? s : t;
  }
}

/** `i16x8.max_u`. */
export function i16x8MaxU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const s = x[p + i]!, t = x[q + i]!;
    x[o + i] = s > t ? s : t;
  }
}

/** `i16x8.avgr_u`. */
export function i16x8AvgrU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = (x[p + i]! + x[q + i]! + 1) >> 1;
}

/**
 * `i16x8.q15mulr_sat_s` (and the deterministic `i16x8.relaxed_q15mulr_s`): (a·b + 2^14) >> 15, saturated; only
 * -32768 · -32768 overflows, to 32767.
 */
export function i16x8Q15mulrSatS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) {
    const r = (x[p + i]! * x[q + i]! + 0x4000) >> 15;
    x[o + i] = r > 32767 ? 32767 : r;
  }
}

/** `i16x8.abs`. */
export function i16x8Abs(v: V128Views, d: number, a: number): void {
  const x = v.i16, o = d << 1, p = a << 1;
  for (let i = 0; i < 8; i++) {
    const s = x[p + i]!;
    x[o + i] = s < 0 ? -s : s;
  }
}

/** `i16x8.neg`. */
export function i16x8Neg(v: V128Views, d: number, a: number): void {
  const x = v.i16, o = d << 1, p = a << 1;
  for (let i = 0; i < 8; i++) x[o + i] = -x[p + i]!;
}

/** `i16x8.shl` by the i32 at word `b`, modulo 16. */
export function i16x8Shl(v: V128Views, d: number, a: number, b: number): void {
  const k = v.i32[b]! & 15, x = v.u16, o = d << 1, p = a << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! << k;
}

/** `i16x8.shr_s`. */
export function i16x8ShrS(v: V128Views, d: number, a: number, b: number): void {
  const k = v.i32[b]! & 15, x = v.i16, o = d << 1, p = a << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! >> k;
}

/** `i16x8.shr_u`. */
export function i16x8ShrU(v: V128Views, d: number, a: number, b: number): void {
  const k = v.i32[b]! & 15, x = v.u16, o = d << 1, p = a << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! >>> k;
}

/** `i16x8.eq`. */
export function i16x8Eq(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i] === x[q + i] ? 0xffff : 0;
}

/** `i16x8.ne`. */
export function i16x8Ne(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i] !== x[q + i] ? 0xffff : 0;
}

/** `i16x8.lt_s`. */
export function i16x8LtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! < x[q + i]! ? -1 : 0;
}

/** `i16x8.lt_u`. */
export function i16x8LtU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! < x[q + i]! ? 0xffff : 0;
}

/** `i16x8.gt_s`. */
export function i16x8GtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! > x[q + i]! ? -1 : 0;
}

/** `i16x8.gt_u`. */
export function i16x8GtU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! > x[q + i]! ? 0xffff : 0;
}

/** `i16x8.le_s`. */
export function i16x8LeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! <= x[q + i]! ? -1 : 0;
}

/** `i16x8.le_u`. */
export function i16x8LeU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! <= x[q + i]! ? 0xffff : 0;
}

/** `i16x8.ge_s`. */
export function i16x8GeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! >= x[q + i]! ? -1 : 0;
}

/** `i16x8.ge_u`. */
export function i16x8GeU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u16, o = d << 1, p = a << 1, q = b << 1;
  for (let i = 0; i < 8; i++) x[o + i] = x[p + i]! >= x[q + i]! ? 0xffff : 0;
}

/** `i16x8.all_true`. */
export function i16x8AllTrue(v: V128Views, d: number, a: number): void {
  const x = v.u16, p = a << 1;
  let r = 1;
  for (let i = 0; i < 8; i++) if (x[p + i] === 0) r = 0;
  v.i32[d] = r;
}

/** `i16x8.bitmask`. */
export function i16x8Bitmask(v: V128Views, d: number, a: number): void {
  const x = v.u16, p = a << 1;
  let r = 0;
  for (let i = 0; i < 8; i++) r |= (x[p + i]! >> 15) << i;
  v.i32[d] = r;
}

// ---- i32x4 ----

/** `i32x4.add`. */
export function i32x4Add(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! + x[b + i]!;
}

/** `i32x4.sub`. */
export function i32x4Sub(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! - x[b + i]!;
}

/** `i32x4.mul`. */
export function i32x4Mul(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = Math.imul(x[a + i]!, x[b + i]!);
}

/** `i32x4.min_s`. */
export function i32x4MinS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) {
    const s = x[a + i]!, t = x[b + i]!;
    x[d + i] = s < t ? s : t;
  }
}

/** `i32x4.min_u`. */
export function i32x4MinU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u32;
  for (let i = 0; i < 4; i++) {
    const s = x[a + i]!, t = x[b + i]!;
    x[d + i] = s < t ? s : t;
  }
}

/** `i32x4.max_s`. */
export function i32x4MaxS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) {
    const s = x[a + i]!, t = x[b + i]!;
    x[d + i] = s > t ? s : t;
  }
}

/** `i32x4.max_u`. */
export function i32x4MaxU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u32;
  for (let i = 0; i < 4; i++) {
    const s = x[a + i]!, t = x[b + i]!;
    x[d + i] = s > t ? s : t;
  }
}

/** `i32x4.abs`. */
export function i32x4Abs(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) {
    const s = x[a + i]!;
    x[d + i] = s < 0 ? -s : s;
  }
}

/** `i32x4.neg`. */
export function i32x4Neg(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = -x[a + i]!;
}

/** `i32x4.shl` by the i32 at word `b`, modulo 32. */
export function i32x4Shl(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32, k = x[b]! & 31;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! << k;
}

/** `i32x4.shr_s`. */
export function i32x4ShrS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32, k = x[b]! & 31;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! >> k;
}

/** `i32x4.shr_u`. */
export function i32x4ShrU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32, k = x[b]! & 31;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! >>> k;
}

/** `i32x4.eq`. */
export function i32x4Eq(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i] === x[b + i] ? -1 : 0;
}

/** `i32x4.ne`. */
export function i32x4Ne(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i] !== x[b + i] ? -1 : 0;
}

/** `i32x4.lt_s`. */
export function i32x4LtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! < x[b + i]! ? -1 : 0;
}

/** `i32x4.lt_u`. */
export function i32x4LtU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! < x[b + i]! ? 0xffffffff : 0;
}

/** `i32x4.gt_s`. */
export function i32x4GtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! > x[b + i]! ? -1 : 0;
}

/** `i32x4.gt_u`. */
export function i32x4GtU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! > x[b + i]! ? 0xffffffff : 0;
}

/** `i32x4.le_s`. */
export function i32x4LeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! <= x[b + i]! ? -1 : 0;
}

/** `i32x4.le_u`. */
export function i32x4LeU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! <= x[b + i]! ? 0xffffffff : 0;
}

/** `i32x4.ge_s`. */
export function i32x4GeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! >= x[b + i]! ? -1 : 0;
}

/** `i32x4.ge_u`. */
export function i32x4GeU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.u32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! >= x[b + i]! ? 0xffffffff : 0;
}

/** `i32x4.all_true`. */
export function i32x4AllTrue(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  v.i32[d] = x[a] !== 0 && x[a + 1] !== 0 && x[a + 2] !== 0 && x[a + 3] !== 0 ? 1 : 0;
}

/** `i32x4.bitmask`. */
export function i32x4Bitmask(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = x[a]! >>> 31 | (x[a + 1]! >>> 31) << 1 | (x[a + 2]! >>> 31) << 2 | (x[a + 3]! >>> 31) << 3;
}
