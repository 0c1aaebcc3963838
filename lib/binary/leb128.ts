/**
 * LEB128 readers and writers (spec §5.2.2). Readers work on a {@link ByteReader} cursor and throw
 * `CompileError` with the spec's malformed-module wording: "unexpected end" when the bytes run out,
 * "integer representation too long" when a value uses more bytes than its width allows, and
 * "integer too large" when the unused bits of the final byte are not a sign or zero extension.
 *
 * @module
 */
import { CompileError, UnexpectedEndError } from "../errors.ts";

/** A cursor over bytes; `pos` advances as values are read. `end` bounds the readable range. */
export class ByteReader {
  pos: number;
  end: number;
  constructor(readonly bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.pos = pos;
    this.end = end;
  }

  /** Reads one byte, or throws "unexpected end". */
  u8(): number {
    if (this.pos >= this.end) throw new UnexpectedEndError(this.pos);
    return this.bytes[this.pos++]!;
  }

  /** Unsigned 32-bit LEB128, returned as a non-negative number. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const start = this.pos;
      const byte = this.u8();
      if (i === 4) {
        if (byte & 0x80) throw new CompileError("integer representation too long", start);
        if (byte & 0x70) throw new CompileError("integer too large", start);
      }
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
    throw new CompileError("integer representation too long", this.pos);
  }

  /**
   * Unsigned 64-bit LEB128 (memory and table limits, memarg offsets), returned as a number: exact below 2^53,
   * rounded above, which is enough for the range checks it feeds.
   */
  u64(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const start = this.pos;
      const byte = this.u8();
      if (i === 9) {
        if (byte & 0x80) throw new CompileError("integer representation too long", start);
        if (byte & 0x7e) throw new CompileError("integer too large", start);
      }
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new CompileError("integer representation too long", this.pos);
  }

  /** Signed 32-bit LEB128, returned as an int32 number. */
  s32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const start = this.pos;
      const byte = this.u8();
      if (i === 4) {
        if (byte & 0x80) throw new CompileError("integer representation too long", start);
        // The top 4 payload bits must all equal the sign bit (bit 3 of this byte's payload).
        const top = byte & 0x78;
        if (top !== 0 && top !== 0x78) throw new CompileError("integer too large", start);
        return (result | (byte << 28)) | 0;
      }
      result |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        return shift < 32 ? (result << (32 - shift)) >> (32 - shift) : result | 0;
      }
    }
    throw new CompileError("integer representation too long", this.pos);
  }

  /** Signed 33-bit LEB128 (block types' type index), returned as a number in [-2^32, 2^32). */
  s33(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const start = this.pos;
      const byte = this.u8();
      if (i === 4) {
        if (byte & 0x80) throw new CompileError("integer representation too long", start);
        const top = byte & 0x70;
        if (top !== 0 && top !== 0x70) throw new CompileError("integer too large", start);
      }
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - mul : result;
    }
    throw new CompileError("integer representation too long", this.pos);
  }

  /** Signed 64-bit LEB128, returned as a BigInt (cold path: constants only). */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const start = this.pos;
      const byte = this.u8();
      if (i === 9) {
        if (byte & 0x80) throw new CompileError("integer representation too long", start);
        if (byte !== 0 && byte !== 0x7f) throw new CompileError("integer too large", start);
      }
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return BigInt.asIntN(64, byte & 0x40 ? result - (1n << shift) : result);
    }
    throw new CompileError("integer representation too long", this.pos);
  }

  /** Little-endian 32-bit word (f32 bits), as an int32. */
  i32le(): number {
    if (this.pos + 4 > this.end) throw new UnexpectedEndError(this.pos);
    const b = this.bytes, p = this.pos;
    this.pos += 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  /** Little-endian 64-bit word (f64 bits), as a BigInt of the raw bits. */
  i64le(): bigint {
    const lo = this.i32le() >>> 0;
    const hi = this.i32le() >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `n` raw bytes as a view (no copy). */
  bytesView(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new UnexpectedEndError(this.pos);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }
}

/** A growable byte buffer with LEB128 writers, for encoders. */
export class ByteWriter {
  #buf: Uint8Array;
  length = 0;

  /** @param capacity the bytes to make room for at first (it grows as needed) */
  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
  }

  #ensure(extra: number): void {
    if (this.length + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
  }

  u8(byte: number): this {
    this.#ensure(1);
    this.#buf[this.length++] = byte;
    return this;
  }

  bytes(data: ArrayLike<number>): this {
    this.#ensure(data.length);
    this.#buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  u32(value: number): this {
    do {
      let byte = value % 128;
      value = Math.floor(value / 128);
      if (value !== 0) byte |= 0x80;
      this.u8(byte);
    } while (value !== 0);
    return this;
  }

  /** Signed LEB128 of a safe integer (covers s32 and s33). */
  s32(value: number): this {
    for (;;) {
      const byte = ((value % 128) + 128) % 128;
      value = Math.floor(value / 128);
      const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
      this.u8(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  /** Signed LEB128 of a 64-bit BigInt. */
  s64(value: bigint): this {
    value = BigInt.asIntN(64, value);
    for (;;) {
      const byte = Number(value & 0x7fn);
      value >>= 7n;
      const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
      this.u8(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  /** A UTF-8 name with its length prefix (spec §5.2.4). */
  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}
