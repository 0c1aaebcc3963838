/**
 * Pure floating-point semantics of WebAssembly (spec §4.3.3): one small function per operation that JavaScript's
 * own arithmetic does not already give exactly. Used by the machine's cold paths and by unit tests.
 *
 * Values are JS numbers (f32 values are numbers exactly representable as f32). Where NaN bit patterns matter the
 * machine works on raw bits itself; these functions may return the canonical NaN.
 *
 * @module
 */

import { trap, TrapCode } from "../trap_codes.ts";

/** `fN.nearest`: round to the nearest integer, ties to even, keeping the sign of zero. */
export function nearest(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const floor = Math.floor(x);
  const diff = x - floor;
  let r: number;
  if (diff < 0.5) r = floor;
  else if (diff > 0.5) r = floor + 1;
  else r = floor % 2 === 0 ? floor : floor + 1;
  // Why: results of zero keep the operand's sign (nearest(-0.4) is -0).
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}

/**
 * `fN.min`: the canonical NaN if either operand is NaN, and -0 is less than +0. Why not bare Math.min: optimized
 * Math.min may yield a non-canonical NaN (all ones), and wasm wants the canonical one.
 */
export function fmin(a: number, b: number): number {
  return a !== a || b !== b ? NaN : Math.min(a, b);
}

/** `fN.max`: the canonical NaN if either operand is NaN, and +0 is greater than -0 (see {@link fmin}). */
export function fmax(a: number, b: number): number {
  return a !== a || b !== b ? NaN : Math.max(a, b);
}

/** `f64.ceil`, with the canonical NaN for a NaN operand (Math.ceil would keep its payload). */
export function ceil(x: number): number {
  return x !== x ? NaN : Math.ceil(x);
}

/** `f64.floor`, with the canonical NaN for a NaN operand. */
export function floor(x: number): number {
  return x !== x ? NaN : Math.floor(x);
}

/** `f64.trunc`, with the canonical NaN for a NaN operand. */
export function trunc(x: number): number {
  return x !== x ? NaN : Math.trunc(x);
}

function invalid(): never {
  throw trap(TrapCode.BadConversionToInteger);
}

function overflow(): never {
  throw trap(TrapCode.IntegerOverflow);
}

/** `i32.trunc_fN_s`: traps on NaN ("invalid conversion to integer") or out of range ("integer overflow"). */
export function truncI32S(x: number): number {
  if (x !== x) invalid();
  const t = Math.trunc(x);
  if (t < -2147483648 || t > 2147483647) overflow();
  return t | 0;
}

/** `i32.trunc_fN_u`, returned as the int32 bit pattern. */
export function truncI32U(x: number): number {
  if (x !== x) invalid();
  const t = Math.trunc(x);
  if (t < 0 && t !== 0 || t > 4294967295) overflow();
  return t | 0;
}

/** `i64.trunc_fN_s`. */
export function truncI64S(x: number): bigint {
  if (x !== x) invalid();
  const t = Math.trunc(x);
  if (t < -9223372036854775808 || t >= 9223372036854775808) overflow();
  return BigInt(t);
}

/** `i64.trunc_fN_u`, returned as the signed 64-bit pattern. */
export function truncI64U(x: number): bigint {
  if (x !== x) invalid();
  const t = Math.trunc(x);
  if (t <= -1 || t >= 18446744073709551616) overflow();
  return BigInt.asIntN(64, BigInt(t));
}

/** `i32.trunc_sat_fN_s`. */
export function truncSatI32S(x: number): number {
  if (x !== x) return 0;
  if (x <= -2147483648) return -2147483648;
  if (x >= 2147483647) return 2147483647;
  return Math.trunc(x) | 0;
}

/** `i32.trunc_sat_fN_u`, as the int32 bit pattern. */
export function truncSatI32U(x: number): number {
  if (x !== x || x <= 0) return 0;
  if (x >= 4294967295) return -1;
  return Math.trunc(x) | 0;
}

/** `i64.trunc_sat_fN_s`. */
export function truncSatI64S(x: number): bigint {
  if (x !== x) return 0n;
  if (x <= -9223372036854775808) return -9223372036854775808n;
  if (x >= 9223372036854775808) return 9223372036854775807n;
  return BigInt(Math.trunc(x));
}

/** `i64.trunc_sat_fN_u`, as the signed 64-bit pattern. */
export function truncSatI64U(x: number): bigint {
  if (x !== x || x <= 0) return 0n;
  if (x >= 18446744073709551616) return -1n;
  return BigInt.asIntN(64, BigInt(Math.trunc(x)));
}

/**
 * An integer (given as a BigInt, any size) rounded once to the nearest f32, ties to even. `Number(big)` followed by
 * `Math.fround` would round twice and can be off by one ulp.
 */
export function bigintToF32(v: bigint): number {
  const negative = v < 0n;
  let m = negative ? -v : v;
  if (m < 9007199254740992n) {
    const f = Math.fround(Number(m));
    return negative ? -f : f;
  }
  const bits = m.toString(2).length;
  const shift = bits - 26;
  let w = m >> BigInt(shift);
  if ((m & ((1n << BigInt(shift)) - 1n)) !== 0n) w |= 1n; // sticky bit
  m = w;
  const f = Math.fround(Number(m) * 2 ** shift);
  return negative ? -f : f;
}

/** `f32.convert_i64_s`. */
export function f32ConvertI64S(v: bigint): number {
  return bigintToF32(v);
}

/** `f32.convert_i64_u` (operand given as its signed 64-bit pattern). */
export function f32ConvertI64U(v: bigint): number {
  return bigintToF32(BigInt.asUintN(64, v));
}

/** `f64.convert_i64_s` (Number(bigint) rounds once, ties to even). */
export function f64ConvertI64S(v: bigint): number {
  return Number(v);
}

/** `f64.convert_i64_u`. */
export function f64ConvertI64U(v: bigint): number {
  return Number(BigInt.asUintN(64, v));
}
