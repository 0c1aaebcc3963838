/**
 * Typed views over the bytes that hold v128 values (the machine's value stack).
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
