/**
 * Typed views over the bytes that hold v128 values (the machine's value stack), and the helpers every SIMD module
 * shares: the positive canonical NaN writers and a scratch area for instructions whose result would overwrite an
 * operand lane before it is read.
 *
 * Addressing (the contract of `exec.ts`): a value sits at a WORD offset `w` (4-byte units, always even). A v128 is
 * the 16 bytes from byte `w << 2`: u8/i8 index `(w << 2) + lane`, u16/i16 `(w << 1) + lane`, u32/i32/f32 `w + lane`,
 * f64/i64 `(w >> 1) + lane`. Lane 0 is at the lowest address; typed arrays use the host's byte order, which is
 * little-endian on every platform Kiln runs on, as WebAssembly's is.
 *
 * @module
 */

/** Typed views over one ArrayBuffer (the interpreter's value stack), all at offset 0 of the same bytes. */
export class V128Views {
  /** The viewed bytes. */
  readonly buffer: ArrayBuffer;
  /** Unsigned bytes. */
  readonly u8: Uint8Array;
  /** Signed bytes. */
  readonly i8: Int8Array;
  /** Unsigned 16-bit lanes. */
  readonly u16: Uint16Array;
  /** Signed 16-bit lanes. */
  readonly i16: Int16Array;
  /** Unsigned 32-bit lanes. */
  readonly u32: Uint32Array;
  /** Signed 32-bit lanes (also the raw bits of f32 lanes and the halves of i64 lanes). */
  readonly i32: Int32Array;
  /** f32 lanes as numbers (arithmetic only: a NaN read here may lose its payload bits). */
  readonly f32: Float32Array;
  /** f64 lanes as numbers (arithmetic only, as {@link V128Views.f32}). */
  readonly f64: Float64Array;
  /** Signed 64-bit lanes (cold paths only). */
  readonly i64: BigInt64Array;

  /**
   * Views over `buffer`, whose byte length must be a multiple of 8.
   *
   * @param buffer the bytes to view
   * @example Splatting an i32 into the v128 at word 4
   * ```ts
   * import { simdOp, V128Views } from "./exec.ts";
   * const v = new V128Views(new ArrayBuffer(64));
   * v.i32[0] = 7;
   * simdOp(0x11, v, 4, 0, 0, 0, 0); // i32x4.splat
   * console.log(Array.from(v.i32.subarray(4, 8))); // [7, 7, 7, 7]
   * ```
   */
  constructor(buffer: ArrayBuffer) {
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.i8 = new Int8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i64 = new BigInt64Array(buffer);
  }
}

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

/** Copies the v128 at word `from` to word `to` (both in `v`). */
export function copyV128(v: V128Views, to: number, from: number): void {
  const x = v.i32;
  x[to] = x[from];
  x[to + 1] = x[from + 1];
  x[to + 2] = x[from + 2];
  x[to + 3] = x[from + 3];
}
