/**
 * Fast paths over {@link ByteReader} for the hot loops of the decoder and the validator: reading a one-byte u32 and
 * skipping LEB128 integers whose value is not needed. Anything that is not trivially well-formed falls back to the
 * exact reader, which checks the encoding and throws the spec's errors; this is not a second LEB128 decoder.
 *
 * @module
 */
import type { ByteReader } from "./leb128.ts";

/** Length of the LEB128 at `r.pos` if it ends within `max` bytes (all of them available), else 0. */
function shortLength(r: ByteReader, max: number): number {
  const bytes = r.bytes;
  const p = r.pos;
  if (p + max > r.end) return 0;
  for (let i = 0; i < max; i++) if (bytes[p + i]! < 0x80) return i + 1;
  return 0;
}

/** Reads a u32; values of up to 4 bytes (28 bits) are read inline, longer ones by the exact reader. */
export function readU32(r: ByteReader): number {
  const b = r.bytes;
  const p = r.pos;
  if (p + 5 <= r.end) {
    let x = b[p]!;
    if (x < 0x80) {
      r.pos = p + 1;
      return x;
    }
    let result = x & 0x7f;
    x = b[p + 1]!;
    result |= (x & 0x7f) << 7;
    if (x < 0x80) {
      r.pos = p + 2;
      return result;
    }
    x = b[p + 2]!;
    result |= (x & 0x7f) << 14;
    if (x < 0x80) {
      r.pos = p + 3;
      return result;
    }
    x = b[p + 3]!;
    result |= (x & 0x7f) << 21;
    if (x < 0x80) {
      r.pos = p + 4;
      return result;
    }
    // Five bytes (linkers pad indices to five): valid when the last has no continuation and no bits above 32.
    x = b[p + 4]!;
    if (x < 0x10) {
      r.pos = p + 5;
      return result + x * 0x10000000;
    }
  }
  return r.u32();
}

/** Skips a u32 (up to 4 bytes always fit in 32 bits). */
export function skipU32(r: ByteReader): void {
  const b = r.bytes;
  const p = r.pos;
  if (p + 4 <= r.end) {
    if (b[p]! < 0x80) {
      r.pos = p + 1;
      return;
    }
    if (b[p + 1]! < 0x80) {
      r.pos = p + 2;
      return;
    }
  }
  const n = shortLength(r, 4);
  if (n) r.pos += n;
  else readU32(r);
}

/** Skips an s32 (up to 4 bytes, 28 bits, always fit). */
export function skipS32(r: ByteReader): void {
  const n = shortLength(r, 4);
  if (n) r.pos += n;
  else r.s32();
}

/** Skips an s64 (up to 9 bytes, 63 bits, always fit). */
export function skipS64(r: ByteReader): void {
  const n = shortLength(r, 9);
  if (n) r.pos += n;
  else r.s64();
}

/** Skips a u64 (up to 9 bytes always fit). */
export function skipU64(r: ByteReader): void {
  const n = shortLength(r, 9);
  if (n) r.pos += n;
  else r.u64();
}

/** Skips `n` raw bytes (float immediates), or throws "unexpected end" through the reader. */
export function skipBytes(r: ByteReader, n: number): void {
  if (r.end - r.pos >= n) r.pos += n;
  else r.bytesView(n);
}
