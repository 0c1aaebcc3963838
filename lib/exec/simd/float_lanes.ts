/**
 * Lane-wise float instructions of the f32x4 and f64x2 shapes (spec 2.0 §4.3.3 Floating-Point Operations, lifted to
 * lanes): add, sub, mul, div, sqrt, min, max, pmin, pmax, ceil, floor, trunc, nearest, abs, neg and the comparisons.
 *
 * NaNs: every instruction that computes a float and yields a NaN writes the positive canonical NaN (what the
 * deterministic profile prescribes, and one of the results the full profile allows). abs, neg, pmin and pmax are
 * bit operations or selections: they keep NaN payloads bit-exact. f32 arithmetic is done in double and rounded
 * once on the Float32Array store, which is exact for + - * / and sqrt (53 ≥ 2·24 + 2).
 *
 * Each lane is read before it is written at the same position, so the result may alias an operand.
 *
 * @module
 */

import { nearest } from "../float.ts";
import { putF32, putF64 } from "./_shared.ts";
import type { V128Views } from "./views.ts";

// ---- f32x4 ----

/** `f32x4.add`. */
export function f32x4Add(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, f[a + i]! + f[b + i]!);
}

/** `f32x4.sub`. */
export function f32x4Sub(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, f[a + i]! - f[b + i]!);
}

/** `f32x4.mul`. */
export function f32x4Mul(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, f[a + i]! * f[b + i]!);
}

/** `f32x4.div`. */
export function f32x4Div(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, f[a + i]! / f[b + i]!);
}

/** `f32x4.sqrt`. */
export function f32x4Sqrt(v: V128Views, d: number, a: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, Math.sqrt(f[a + i]!));
}

/**
 * `f32x4.min` (and the deterministic `relaxed_min`): a NaN operand gives NaN, and -0 is below +0 — both as
 * `Math.min` does; whatever NaN bits Math.min yields, putF32 writes the canonical NaN.
 */
export function f32x4Min(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) {
    const x = f[a + i]!, y = f[b + i]!;
    putF32(v, d + i, Math.min(x, y));
  }
}

/** `f32x4.max` (and the deterministic `relaxed_max`). */
export function f32x4Max(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) {
    const x = f[a + i]!, y = f[b + i]!;
    putF32(v, d + i, Math.max(x, y));
  }
}

/** `f32x4.pmin`: `b < a ? b : a`, selecting the operand's bits. */
export function f32x4Pmin(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[b + i]! < f[a + i]! ? x[b + i]! : x[a + i]!;
}

/** `f32x4.pmax`: `a < b ? b : a`, selecting the operand's bits. */
export function f32x4Pmax(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i]! < f[b + i]! ? x[b + i]! : x[a + i]!;
}

/** `f32x4.ceil`. */
export function f32x4Ceil(v: V128Views, d: number, a: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, Math.ceil(f[a + i]!));
}

/** `f32x4.floor`. */
export function f32x4Floor(v: V128Views, d: number, a: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, Math.floor(f[a + i]!));
}

/** `f32x4.trunc`. */
export function f32x4Trunc(v: V128Views, d: number, a: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, Math.trunc(f[a + i]!));
}

/** `f32x4.nearest` (ties to even). */
export function f32x4Nearest(v: V128Views, d: number, a: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, nearest(f[a + i]!));
}

/** `f32x4.abs`: clears each sign bit. */
export function f32x4Abs(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! & 0x7fffffff;
}

/** `f32x4.neg`: flips each sign bit. */
export function f32x4Neg(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = x[a + i]! ^ 0x80000000;
}

/** `f32x4.eq`. */
export function f32x4Eq(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i] === f[b + i] ? -1 : 0;
}

/** `f32x4.ne`. */
export function f32x4Ne(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i] !== f[b + i] ? -1 : 0;
}

/** `f32x4.lt`. */
export function f32x4Lt(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i]! < f[b + i]! ? -1 : 0;
}

/** `f32x4.gt`. */
export function f32x4Gt(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i]! > f[b + i]! ? -1 : 0;
}

/** `f32x4.le`. */
export function f32x4Le(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i]! <= f[b + i]! ? -1 : 0;
}

/** `f32x4.ge`. */
export function f32x4Ge(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = f[a + i]! >= f[b + i]! ? -1 : 0;
}

// ---- f64x2: f64 index is the word offset >> 1 ----

/** `f64x2.add`. */
export function f64x2Add(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, f[p + i]! + f[q + i]!);
}

/** `f64x2.sub`. */
export function f64x2Sub(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, f[p + i]! - f[q + i]!);
}

/** `f64x2.mul`. */
export function f64x2Mul(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, f[p + i]! * f[q + i]!);
}

/** `f64x2.div`. */
export function f64x2Div(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, f[p + i]! / f[q + i]!);
}

/** `f64x2.sqrt`. */
export function f64x2Sqrt(v: V128Views, d: number, a: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, Math.sqrt(f[p + i]!));
}

/** `f64x2.min` (and the deterministic `relaxed_min`). */
export function f64x2Min(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1;
  for (let i = 0; i < 2; i++) {
    const x = f[p + i]!, y = f[q + i]!;
    putF64(v, o + i, Math.min(x, y));
  }
}

/** `f64x2.max` (and the deterministic `relaxed_max`). */
export function f64x2Max(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1;
  for (let i = 0; i < 2; i++) {
    const x = f[p + i]!, y = f[q + i]!;
    putF64(v, o + i, Math.max(x, y));
  }
}

/** `f64x2.pmin`: `b < a ? b : a`, selecting the operand's bits. */
export function f64x2Pmin(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const from = f[(b + i) >> 1]! < f[(a + i) >> 1]! ? b : a;
    const lo = x[from + i]!, hi = x[from + i + 1]!;
    x[d + i] = lo;
    x[d + i + 1] = hi;
  }
}

/** `f64x2.pmax`: `a < b ? b : a`, selecting the operand's bits. */
export function f64x2Pmax(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const from = f[(a + i) >> 1]! < f[(b + i) >> 1]! ? b : a;
    const lo = x[from + i]!, hi = x[from + i + 1]!;
    x[d + i] = lo;
    x[d + i + 1] = hi;
  }
}

/** `f64x2.ceil`. */
export function f64x2Ceil(v: V128Views, d: number, a: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, Math.ceil(f[p + i]!));
}

/** `f64x2.floor`. */
export function f64x2Floor(v: V128Views, d: number, a: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, Math.floor(f[p + i]!));
}

/** `f64x2.trunc`. */
export function f64x2Trunc(v: V128Views, d: number, a: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, Math.trunc(f[p + i]!));
}

/** `f64x2.nearest` (ties to even). */
export function f64x2Nearest(v: V128Views, d: number, a: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, nearest(f[p + i]!));
}

/** `f64x2.abs`: clears each sign bit (in the lane's high word). */
export function f64x2Abs(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = x[a]!;
  x[d + 1] = x[a + 1]! & 0x7fffffff;
  x[d + 2] = x[a + 2]!;
  x[d + 3] = x[a + 3]! & 0x7fffffff;
}

/** `f64x2.neg`: flips each sign bit. */
export function f64x2Neg(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = x[a]!;
  x[d + 1] = x[a + 1]! ^ 0x80000000;
  x[d + 2] = x[a + 2]!;
  x[d + 3] = x[a + 3]! ^ 0x80000000;
}

/** `f64x2.eq`. */
export function f64x2Eq(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = f[(a + i) >> 1] === f[(b + i) >> 1] ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `f64x2.ne`. */
export function f64x2Ne(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = f[(a + i) >> 1] !== f[(b + i) >> 1] ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `f64x2.lt`. */
export function f64x2Lt(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = f[(a + i) >> 1]! < f[(b + i) >> 1]! ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `f64x2.gt`. */
export function f64x2Gt(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = f[(a + i) >> 1]! > f[(b + i) >> 1]! ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `f64x2.le`. */
export function f64x2Le(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = f[(a + i) >> 1]! <= f[(b + i) >> 1]! ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}

/** `f64x2.ge`. */
export function f64x2Ge(v: V128Views, d: number, a: number, b: number): void {
  const f = v.f64, x = v.i32;
  for (let i = 0; i < 4; i += 2) {
    const r = f[(a + i) >> 1]! >= f[(b + i) >> 1]! ? -1 : 0;
    x[d + i] = r;
    x[d + i + 1] = r;
  }
}
