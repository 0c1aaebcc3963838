/**
 * Relaxed SIMD (WebAssembly 3.0, sub-opcodes 0x100–0x113) as Kiln runs it: always the result of the spec's
 * **deterministic profile**. Each relaxed operator is specified as `relaxed(R)[A_0, …, A_n]` over a global parameter R
 * (spec 3.0, Execution › Numerics › "Relaxed Operations", `document/core/exec/numerics.rst`); the deterministic profile
 * excludes the rule that picks `A_R` and so always yields `A_0` (SpecTec `3.0-numerics.relaxed.spectec`: `$relaxed2(i,
 * …) = (X_1 X_2)[0]` unless `$ND`). Kiln being deterministic, it picks `A_0` everywhere:
 *
 * | instruction (sub-opcode)                         | deterministic result (`A_0`), and where Kiln computes it       |
 * | ------------------------------------------------ | -------------------------------------------------------------- |
 * | i8x16.relaxed_swizzle (0x100)                    | i8x16.swizzle: an index ≥ 16 (unsigned) gives 0 (`lanes.ts`)   |
 * | i32x4.relaxed_trunc_f32x4_s/u (0x101/0x102)      | i32x4.trunc_sat_f32x4_s/u: NaN → 0, out of range saturates     |
 * | i32x4.relaxed_trunc_f64x2_s/u_zero (0x103/0x104) | i32x4.trunc_sat_f64x2_s/u_zero (`convert.ts`)                  |
 * | f32x4/f64x2.relaxed_madd (0x105/0x107)           | unfused fadd(fmul(a, b), c): two roundings (here)              |
 * | f32x4/f64x2.relaxed_nmadd (0x106/0x108)          | relaxed_madd(-a, b, c) = fadd(fmul(-a, b), c), unfused (here)  |
 * | i8x16/…/i64x2.relaxed_laneselect (0x109–0x10c)   | v128.bitselect(a, b, c): every mask bit counts (`bitwise.ts`)  |
 * | f32x4/f64x2.relaxed_min (0x10d/0x10f)            | fmin: NaN if either is NaN, -0 < +0 (`float_lanes.ts`)         |
 * | f32x4/f64x2.relaxed_max (0x10e/0x110)            | fmax (`float_lanes.ts`)                                        |
 * | i16x8.relaxed_q15mulr_s (0x111)                  | i16x8.q15mulr_sat_s: -32768 · -32768 gives 32767 (`integer.ts`)|
 * | i16x8.relaxed_dot_i8x16_i7x16_s (0x112)          | b read signed too; pair sums saturate to i16, iadd_sat_s (here)|
 * | i32x4.relaxed_dot_i8x16_i7x16_add_s (0x113)      | that i16x8 dot, extadd_pairwise_s to i32, then i32.add c (here)|
 *
 * Why these: `numerics.rst` lists A_0 first in each definition — `frelaxed_madd = relaxed(R_fmadd)[fadd(fmul(z1,
 * z2), z3), fma(z1, z2, z3)]` ("In the deterministic profile, the unfused behaviour is used"), `frelaxed_min/max
 * = relaxed(R)[fmin/fmax(z1, z2), …]`, `irelaxed_dot_mul = relaxed(R_idot)[imul(extend_s(i1), extend_s(i2)), …]`,
 * `irelaxed_q15mulr_s = relaxed(R)[2^(N-1) - 1, …]` for the overflow case, `relaxed_trunc = relaxed(R)[trunc_sat,
 * …]`, `irelaxed_swizzle_lane = relaxed(R_swizzle)[0, i[j mod n]]`, `irelaxed_laneselect = bitselect(i1, i2,
 * relaxed(R)[i3, …])`. The relaxed dot is `$ivdot_sat_` (products summed pairwise with `iadd_sat_s`) in
 * `3.2-numerics.vector.spectec`, and the `_add` form is that dot, then `EXTADD_PAIRWISE S`, then `ADD`.
 *
 * Note: Wasmtime's `relaxed_simd_deterministic` and the spec's reference interpreter compute relaxed_madd fused
 * (one rounding), as the relaxed-simd proposal's own draft did; the 3.0 spec text chooses the unfused result, and
 * that is what Kiln does.
 *
 * NaN results are the positive canonical NaN, as everywhere in Kiln's float instructions.
 *
 * @module
 */

import { putF32, putF64 } from "./_shared.ts";
import type { V128Views } from "./views.ts";

/** `f32x4.relaxed_madd`, deterministic: round(round(a·b) + c) in f32. */
export function f32x4RelaxedMadd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, Math.fround(f[a + i]! * f[b + i]!) + f[c + i]!);
}

/** `f32x4.relaxed_nmadd`, deterministic: round(round(-a·b) + c) in f32. */
export function f32x4RelaxedNmadd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const f = v.f32;
  for (let i = 0; i < 4; i++) putF32(v, d + i, Math.fround(-f[a + i]! * f[b + i]!) + f[c + i]!);
}

/** `f64x2.relaxed_madd`, deterministic: (a·b rounded) + c rounded (JS never fuses). */
export function f64x2RelaxedMadd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1, r = c >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, f[p + i]! * f[q + i]! + f[r + i]!);
}

/** `f64x2.relaxed_nmadd`, deterministic: (-a·b rounded) + c rounded. */
export function f64x2RelaxedNmadd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const f = v.f64, o = d >> 1, p = a >> 1, q = b >> 1, r = c >> 1;
  for (let i = 0; i < 2; i++) putF64(v, o + i, -f[p + i]! * f[q + i]! + f[r + i]!);
}

/**
 * `i16x8.relaxed_dot_i8x16_i7x16_s`, deterministic: lane i = sat_s16(a[2i]·b[2i] + a[2i+1]·b[2i+1]), all lanes
 * signed. Lane i reads exactly the bytes it writes, so the result may alias an operand.
 */
export function i16x8RelaxedDot(v: V128Views, d: number, a: number, b: number): void {
  const s = v.i8, x = v.i16, p = a << 2, q = b << 2, o = d << 1;
  for (let i = 0; i < 8; i++) {
    const r = s[p + 2 * i]! * s[q + 2 * i]! + s[p + 2 * i + 1]! * s[q + 2 * i + 1]!;
    x[o + i] = r > 32767 ? 32767 : r;
  }
}

/**
 * `i32x4.relaxed_dot_i8x16_i7x16_add_s`, deterministic: lane i = c[i] + the two saturated i16 pair sums of bytes
 * 4i…4i+3 (sign-extended), wrapping in i32.
 */
export function i32x4RelaxedDotAdd(v: V128Views, d: number, a: number, b: number, c: number): void {
  const s = v.i8, x = v.i32, p = a << 2, q = b << 2;
  for (let i = 0; i < 4; i++) {
    const k = 4 * i;
    const r0 = s[p + k]! * s[q + k]! + s[p + k + 1]! * s[q + k + 1]!;
    const r1 = s[p + k + 2]! * s[q + k + 2]! + s[p + k + 3]! * s[q + k + 3]!;
    x[d + i] = (r0 > 32767 ? 32767 : r0) + (r1 > 32767 ? 32767 : r1) + x[c + i]!;
  }
}
