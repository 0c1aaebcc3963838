/**
 * Pure 64-bit integer semantics of WebAssembly (spec §4.3.2) on BigInt: the machine's cold i64 operations
 * (division, remainder, rotations, bit counts). Hot ones (add, sub, logic, shifts, compares, mul) run inline on two
 * 32-bit halves in the machine. Operands and results are signed 64-bit patterns.
 *
 * @module
 */

import { trap, TrapCode } from "../trap_codes.ts";

const MIN = -9223372036854775808n;

/** `i64.div_s`: traps on a zero divisor and on MIN / -1. */
export function divS(a: bigint, b: bigint): bigint {
  if (b === 0n) throw trap(TrapCode.IntegerDivisionByZero);
  if (a === MIN && b === -1n) throw trap(TrapCode.IntegerOverflow);
  return a / b;
}

/** `i64.div_u`. */
export function divU(a: bigint, b: bigint): bigint {
  if (b === 0n) throw trap(TrapCode.IntegerDivisionByZero);
  return BigInt.asIntN(64, BigInt.asUintN(64, a) / BigInt.asUintN(64, b));
}

/** `i64.rem_s`: MIN % -1 is 0, not a trap. */
export function remS(a: bigint, b: bigint): bigint {
  if (b === 0n) throw trap(TrapCode.IntegerDivisionByZero);
  if (b === -1n) return 0n;
  return a % b;
}

/** `i64.rem_u`. */
export function remU(a: bigint, b: bigint): bigint {
  if (b === 0n) throw trap(TrapCode.IntegerDivisionByZero);
  return BigInt.asIntN(64, BigInt.asUintN(64, a) % BigInt.asUintN(64, b));
}

/** `i64.rotl`. */
export function rotl(a: bigint, b: bigint): bigint {
  const k = b & 63n;
  const u = BigInt.asUintN(64, a);
  return BigInt.asIntN(64, (u << k) | (u >> ((64n - k) & 63n)));
}

/** `i64.rotr`. */
export function rotr(a: bigint, b: bigint): bigint {
  const k = b & 63n;
  const u = BigInt.asUintN(64, a);
  return BigInt.asIntN(64, (u >> k) | (u << ((64n - k) & 63n)));
}

/** `i64.clz` on halves: count of leading zero bits. */
export function clz(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** `i64.ctz` on halves. */
export function ctz(lo: number, hi: number): number {
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  if (hi !== 0) return 63 - Math.clz32(hi & -hi);
  return 64;
}

/** `i32.popcnt` on one word. */
export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The low word of the 64-bit product of two 64-bit values given as halves; the high word is left in `mulHigh`. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  // Why: 16-bit pieces keep every partial product exact in a double.
  const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
  const t = a0 * b0;
  const m = a1 * b0 + a0 * b1 + (t >>> 16);
  mulHigh = (a1 * b1 + Math.floor(m / 65536) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  return ((m & 0xffff) << 16) | (t & 0xffff);
}

/** High word of the last {@link mul64} result. */
export let mulHigh = 0;
