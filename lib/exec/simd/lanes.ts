/**
 * Lane moves of WebAssembly SIMD (spec 2.0 §4.4.3 Vector Instructions): splat, extract_lane, replace_lane,
 * i8x16.swizzle and i8x16.shuffle. They move raw bits (an f32 or f64 lane's NaN payload is kept bit-exact: lanes go
 * through the integer views, never through a JS number). Word-offset addressing as in `views.ts`.
 *
 * @module
 */

import { scratch, toScratch } from "./_shared.ts";
import type { V128Views } from "./views.ts";

/** `i8x16.splat`: the low byte of the i32 at word `a` in all 16 lanes. */
export function i8x16Splat(v: V128Views, d: number, a: number): void {
  const x = v.i32[a]! & 0xff;
  const w = x | x << 8 | x << 16 | x << 24;
  const i32 = v.i32;
  i32[d] = w;
  i32[d + 1] = w;
  i32[d + 2] = w;
  i32[d + 3] = w;
}

/** `i16x8.splat`: the low 16 bits of the i32 at word `a` in all 8 lanes. */
export function i16x8Splat(v: V128Views, d: number, a: number): void {
  const x = v.i32[a]! & 0xffff;
  const w = x | x << 16;
  const i32 = v.i32;
  i32[d] = w;
  i32[d + 1] = w;
  i32[d + 2] = w;
  i32[d + 3] = w;
}

/** `i32x4.splat` and `f32x4.splat` (the f32's bits). */
export function i32x4Splat(v: V128Views, d: number, a: number): void {
  const i32 = v.i32, x = i32[a]!;
  i32[d] = x;
  i32[d + 1] = x;
  i32[d + 2] = x;
  i32[d + 3] = x;
}

/** `i64x2.splat` and `f64x2.splat` (the f64's bits). */
export function i64x2Splat(v: V128Views, d: number, a: number): void {
  const i32 = v.i32, lo = i32[a]!, hi = i32[a + 1]!;
  i32[d] = lo;
  i32[d + 1] = hi;
  i32[d + 2] = lo;
  i32[d + 3] = hi;
}

/** `i8x16.extract_lane_s`: lane `lane` sign-extended to the i32 at word `d`. */
export function i8x16ExtractLaneS(v: V128Views, d: number, a: number, lane: number): void {
  v.i32[d] = v.i8[(a << 2) + lane]!;
}

/** `i8x16.extract_lane_u`. */
export function i8x16ExtractLaneU(v: V128Views, d: number, a: number, lane: number): void {
  v.i32[d] = v.u8[(a << 2) + lane]!;
}

/** `i16x8.extract_lane_s`. */
export function i16x8ExtractLaneS(v: V128Views, d: number, a: number, lane: number): void {
  v.i32[d] = v.i16[(a << 1) + lane]!;
}

/** `i16x8.extract_lane_u`. */
export function i16x8ExtractLaneU(v: V128Views, d: number, a: number, lane: number): void {
  v.i32[d] = v.u16[(a << 1) + lane]!;
}

/** `i32x4.extract_lane` and `f32x4.extract_lane` (bits). */
export function i32x4ExtractLane(v: V128Views, d: number, a: number, lane: number): void {
  v.i32[d] = v.i32[a + lane]!;
}

/** `i64x2.extract_lane` and `f64x2.extract_lane` (bits, low word first). */
export function i64x2ExtractLane(v: V128Views, d: number, a: number, lane: number): void {
  const i32 = v.i32, lo = i32[a + 2 * lane]!, hi = i32[a + 2 * lane + 1]!;
  i32[d] = lo;
  i32[d + 1] = hi;
}

/** `i8x16.replace_lane`: the v128 at `a` with lane `lane` set to the low byte of the i32 at `b`. */
export function i8x16ReplaceLane(v: V128Views, d: number, a: number, b: number, lane: number): void {
  const i32 = v.i32, x = i32[b]!;
  i32[d] = i32[a]!;
  i32[d + 1] = i32[a + 1]!;
  i32[d + 2] = i32[a + 2]!;
  i32[d + 3] = i32[a + 3]!;
  v.u8[(d << 2) + lane] = x;
}

/** `i16x8.replace_lane`. */
export function i16x8ReplaceLane(v: V128Views, d: number, a: number, b: number, lane: number): void {
  const i32 = v.i32, x = i32[b]!;
  i32[d] = i32[a]!;
  i32[d + 1] = i32[a + 1]!;
  i32[d + 2] = i32[a + 2]!;
  i32[d + 3] = i32[a + 3]!;
  v.u16[(d << 1) + lane] = x;
}

/** `i32x4.replace_lane` and `f32x4.replace_lane` (bits). */
export function i32x4ReplaceLane(v: V128Views, d: number, a: number, b: number, lane: number): void {
  const i32 = v.i32, x = i32[b]!;
  i32[d] = i32[a]!;
  i32[d + 1] = i32[a + 1]!;
  i32[d + 2] = i32[a + 2]!;
  i32[d + 3] = i32[a + 3]!;
  i32[d + lane] = x;
}

/** `i64x2.replace_lane` and `f64x2.replace_lane` (bits). */
export function i64x2ReplaceLane(v: V128Views, d: number, a: number, b: number, lane: number): void {
  const i32 = v.i32, lo = i32[b]!, hi = i32[b + 1]!;
  i32[d] = i32[a]!;
  i32[d + 1] = i32[a + 1]!;
  i32[d + 2] = i32[a + 2]!;
  i32[d + 3] = i32[a + 3]!;
  i32[d + 2 * lane] = lo;
  i32[d + 2 * lane + 1] = hi;
}

/**
 * `i8x16.swizzle` (and the deterministic `i8x16.relaxed_swizzle`): lane i is `a[b[i]]`, or 0 where the index
 * `b[i]` (unsigned) is 16 or more.
 */
export function i8x16Swizzle(v: V128Views, d: number, a: number, b: number): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.u8, u8 = v.u8, o = d << 2;
  for (let i = 0; i < 16; i++) {
    const j = s[16 + i]!;
    u8[o + i] = j < 16 ? s[j]! : 0;
  }
}

/** `i8x16.shuffle`: lane i is byte `lanes[i]` of a‖b (each index below 32, as validation ensures). */
export function i8x16Shuffle(v: V128Views, d: number, a: number, b: number, lanes: Uint8Array): void {
  toScratch(v, a, 0);
  toScratch(v, b, 4);
  const s = scratch.u8, u8 = v.u8, o = d << 2;
  for (let i = 0; i < 16; i++) u8[o + i] = s[lanes[i]! & 31]!;
}
