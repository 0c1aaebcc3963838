/**
 * Conversions between lane types (spec 2.0 §4.3.4 Conversions, lifted to lanes): trunc_sat (f32x4 and the low f64x2
 * lanes to i32x4), convert (i32x4 to f32x4, the low two i32 lanes to f64x2), demote (f64x2 to the low f32 lanes, upper
 * lanes zero) and promote (the low two f32 lanes to f64x2). A NaN result is the positive canonical NaN. The operands
 * are copied to scratch first where result and operand lanes differ in width.
 *
 * @module
 */

import { truncSatI32S, truncSatI32U } from "../float.ts";
import { putF32, putF64, scratch, toScratch } from "./_shared.ts";
import type { V128Views } from "./views.ts";

/** `i32x4.trunc_sat_f32x4_s` (and the deterministic `relaxed_trunc_f32x4_s`): NaN → 0, out of range saturates. */
export function i32x4TruncSatF32x4S(v: V128Views, d: number, a: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = truncSatI32S(f[a + i]!);
}

/** `i32x4.trunc_sat_f32x4_u` (and the deterministic `relaxed_trunc_f32x4_u`). */
export function i32x4TruncSatF32x4U(v: V128Views, d: number, a: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) x[d + i] = truncSatI32U(f[a + i]!);
}

/** `i32x4.trunc_sat_f64x2_s_zero` (and the deterministic `relaxed_trunc_f64x2_s_zero`): upper lanes 0. */
export function i32x4TruncSatF64x2SZero(v: V128Views, d: number, a: number): void {
  truncF64x2Zero(v, d, a, truncSatI32S);
}

/** `i32x4.trunc_sat_f64x2_u_zero` (and the deterministic `relaxed_trunc_f64x2_u_zero`). */
export function i32x4TruncSatF64x2UZero(v: V128Views, d: number, a: number): void {
  truncF64x2Zero(v, d, a, truncSatI32U);
}

/** The two f64 lanes at word a truncated by `trunc` into lanes 0 and 1 at word d, lanes 2 and 3 zero. */
function truncF64x2Zero(v: V128Views, d: number, a: number, trunc: (x: number) => number): void {
  const f = v.f64, x = v.i32, p = a >> 1;
  const r0 = trunc(f[p]!), r1 = trunc(f[p + 1]!); // both read before d (which may be a) is written
  x[d] = r0;
  x[d + 1] = r1;
  x[d + 2] = 0;
  x[d + 3] = 0;
}

/** `f32x4.convert_i32x4_s` (one rounding: the int32 is exact in a double, Float32Array rounds it to f32). */
export function f32x4ConvertI32x4S(v: V128Views, d: number, a: number): void {
  const f = v.f32, x = v.i32;
  for (let i = 0; i < 4; i++) f[d + i] = x[a + i]!;
}

/** `f32x4.convert_i32x4_u`. */
export function f32x4ConvertI32x4U(v: V128Views, d: number, a: number): void {
  const f = v.f32, x = v.u32;
  for (let i = 0; i < 4; i++) f[d + i] = x[a + i]!;
}

/** `f64x2.convert_low_i32x4_s` (exact). */
export function f64x2ConvertLowI32x4S(v: V128Views, d: number, a: number): void {
  const x = v.i32, l0 = x[a]!, l1 = x[a + 1]!, f = v.f64;
  f[d >> 1] = l0;
  f[(d >> 1) + 1] = l1;
}

/** `f64x2.convert_low_i32x4_u` (exact). */
export function f64x2ConvertLowI32x4U(v: V128Views, d: number, a: number): void {
  const x = v.u32, l0 = x[a]!, l1 = x[a + 1]!, f = v.f64;
  f[d >> 1] = l0;
  f[(d >> 1) + 1] = l1;
}

/** `f32x4.demote_f64x2_zero`: each f64 lane rounded to f32 (ties to even), upper two lanes +0. */
export function f32x4DemoteF64x2Zero(v: V128Views, d: number, a: number): void {
  const f = v.f64, p = a >> 1, l0 = f[p]!, l1 = f[p + 1]!;
  putF32(v, d, l0);
  putF32(v, d + 1, l1);
  v.i32[d + 2] = 0;
  v.i32[d + 3] = 0;
}

/** `f64x2.promote_low_f32x4`: the low two f32 lanes, exactly. */
export function f64x2PromoteLowF32x4(v: V128Views, d: number, a: number): void {
  toScratch(v, a, 0);
  const s = scratch.f32;
  putF64(v, d >> 1, s[0]!);
  putF64(v, (d >> 1) + 1, s[1]!);
}
