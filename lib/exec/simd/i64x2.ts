/**
 * The i64x2 shape's lane-wise instructions, computed on 32-bit halves (low word first) so that no BigInt is
 * needed: add, sub, mul, neg, abs, shifts, comparisons, all_true, bitmask. Each lane is read before it is written,
 * so the result may alias an operand. Word-offset addressing as in `views.ts`.
 *
 * @module
 */

import type { V128Views } from "./views.ts";

/** High 32 bits (as an int32) of the unsigned 64-bit product of the uint32 patterns of `x` and `y`. */
export function mulHighU32(x: number, y: number): number {
  const x0 = x & 0xffff, x1 = x >>> 16, y0 = y & 0xffff, y1 = y >>> 16;
  const p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0, p11 = x1 * y1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** `i64x2.add`. */
export function i64x2Add(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const alo = x[a + i]!, blo = x[b + i]!, hi = x[a + i + 1]! + x[b + i + 1]!;
    const lo = (alo + blo) | 0;
    x[d + i] = lo;
    x[d + i + 1] = (lo >>> 0) < (alo >>> 0) ? hi + 1 : hi;
  }
}

/** `i64x2.sub`. */
export function i64x2Sub(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const alo = x[a + i]!, blo = x[b + i]!, hi = x[a + i + 1]! - x[b + i + 1]!;
    x[d + i] = alo - blo;
    x[d + i + 1] = (alo >>> 0) < (blo >>> 0) ? hi - 1 : hi;
  }
}

/** `i64x2.mul` (low 64 bits of the product). */
export function i64x2Mul(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const alo = x[a + i]!, ahi = x[a + i + 1]!, blo = x[b + i]!, bhi = x[b + i + 1]!;
    x[d + i] = Math.imul(alo, blo);
    x[d + i + 1] = mulHighU32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo);
  }
}

/** `i64x2.neg`. */
export function i64x2Neg(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const lo = x[a + i]!, hi = x[a + i + 1]!;
    x[d + i] = -lo;
    x[d + i + 1] = lo === 0 ? -hi : ~hi;
  }
}

/** `i64x2.abs`. */
export function i64x2Abs(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const lo = x[a + i]!, hi = x[a + i + 1]!;
    if (hi < 0) {
      x[d + i] = -lo;
      x[d + i + 1] = lo === 0 ? -hi : ~hi;
    } else {
      x[d + i] = lo;
      x[d + i + 1] = hi;
    }
  }
}

/** `i64x2.shl` by the i32 at word `b`, modulo 64. */
export function i64x2Shl(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32, k = x[b]! & 63;
  for (let i = 0; i < 4; i += 2) {
    const lo = x[a + i]!, hi = x[a + i + 1]!;
    if (k === 0) {
      x[d + i] = lo;
      x[d + i + 1] = hi;
    } else if (k < 32) {
      x[d + i] = lo << k;
      x[d + i + 1] = hi << k | lo >>> (32 - k);
    } else {
      x[d + i] = 0;
      x[d + i + 1] = lo << (k - 32);
    }
  }
}

/** `i64x2.shr_s`. */
export function i64x2ShrS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32, k = x[b]! & 63;
  for (let i = 0; i < 4; i += 2) {
    const lo = x[a + i]!, hi = x[a + i + 1]!;
    if (k === 0) {
      x[d + i] = lo;
      x[d + i + 1] = hi;
    } else if (k < 32) {
      x[d + i] = lo >>> k | hi << (32 - k);
      x[d + i + 1] = hi >> k;
    } else {
      x[d + i] = hi >> (k - 32);
      x[d + i + 1] = hi >> 31;
    }
  }
}

/** `i64x2.shr_u`. */
export function i64x2ShrU(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32, k = x[b]! & 63;
  for (let i = 0; i < 4; i += 2) {
    const lo = x[a + i]!, hi = x[a + i + 1]!;
    if (k === 0) {
      x[d + i] = lo;
      x[d + i + 1] = hi;
    } else if (k < 32) {
      x[d + i] = lo >>> k | hi << (32 - k);
      x[d + i + 1] = hi >>> k;
    } else {
      x[d + i] = hi >>> (k - 32);
      x[d + i + 1] = 0;
    }
  }
}

/** `i64x2.eq`. */
export function i64x2Eq(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = x[a + i] === x[b + i] && x[a + i + 1] === x[b + i + 1] ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `i64x2.ne`. */
export function i64x2Ne(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = x[a + i] !== x[b + i] || x[a + i + 1] !== x[b + i + 1] ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** Signed comparison of two i64 given as halves: negative, zero or positive. */
function compare(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return ahi < bhi ? -1 : 1;
  const ul = alo >>> 0, vl = blo >>> 0;
  return ul === vl ? 0 : ul < vl ? -1 : 1;
}

/** `i64x2.lt_s`. */
export function i64x2LtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = compare(x[a + i]!, x[a + i + 1]!, x[b + i]!, x[b + i + 1]!) < 0 ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `i64x2.gt_s`. */
export function i64x2GtS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = compare(x[a + i]!, x[a + i + 1]!, x[b + i]!, x[b + i + 1]!) > 0 ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `i64x2.le_s`. */
export function i64x2LeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = compare(x[a + i]!, x[a + i + 1]!, x[b + i]!, x[b + i + 1]!) <= 0 ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `i64x2.ge_s`. */
export function i64x2GeS(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = compare(x[a + i]!, x[a + i + 1]!, x[b + i]!, x[b + i + 1]!) >= 0 ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `i64x2.all_true`. */
export function i64x2AllTrue(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = (x[a]! | x[a + 1]!) !== 0 && (x[a + 2]! | x[a + 3]!) !== 0 ? 1 : 0;
}

/** `i64x2.bitmask`. */
export function i64x2Bitmask(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = x[a + 1]! >>> 31 | (x[a + 3]! >>> 31) << 1;
}
