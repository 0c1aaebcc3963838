/**
 * Helpers the SIMD modules share: the writers of float results (a NaN becomes the positive canonical NaN) and a
 * scratch area for instructions whose result would overwrite an operand lane before it is read.
 *
 * @module
 */

import { V128Views } from "./views.ts";

/** Bits of the positive canonical f32 NaN, what every NaN-producing float instruction yields in Kiln. */
export const F32_NAN = 0x7fc00000;
/** High word of the positive canonical f64 NaN (the low word is 0). */
export const F64_NAN_HI = 0x7ff80000;

/**
 * Stores an f32 arithmetic result at i32/f32 index `i`: `x` rounded to f32, or the positive canonical NaN if `x` is
 * a NaN (the deterministic profile's choice, also allowed by the full profile's `nans{…}`).
 */
export function putF32(v: V128Views, i: number, x: number): void {
  if (x === x) v.f32[i] = x;
  else v.i32[i] = F32_NAN;
}

/** Stores an f64 arithmetic result at f64 index `i` (word `2 * i`), canonicalizing a NaN as {@link putF32}. */
export function putF64(v: V128Views, i: number, x: number): void {
  if (x === x) v.f64[i] = x;
  else {
    v.i32[i << 1] = 0;
    v.i32[(i << 1) + 1] = F64_NAN_HI;
  }
}

/**
 * Scratch for instructions that read lanes at other positions than they write (narrow, extend, extmul, swizzle,
 * shuffle, promote, conversions): operands are copied here first, at words 0 (`a`), 4 (`b`) and 8 (`c`).
 */
export const scratch: V128Views = new V128Views(new ArrayBuffer(48));

/** Copies the v128 at word `from` of `v` to word `to` of the scratch area. */
export function toScratch(v: V128Views, from: number, to: number): void {
  const s = scratch.i32, x = v.i32;
  s[to] = x[from];
  s[to + 1] = x[from + 1];
  s[to + 2] = x[from + 2];
  s[to + 3] = x[from + 3];
}
