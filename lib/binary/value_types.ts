/**
 * Readers of value and reference types (spec §5.3): shared by the decoder's sections and the instruction reader's
 * immediates (`select t*`, `ref.null`, block types).
 *
 * @module
 */
import { CompileError, UnsupportedFeatureError } from "../errors.ts";
import type { ByteReader } from "./leb128.ts";
import type { ValType } from "./module.ts";

/** The feature of a one-byte abstract heap type other than func/extern, or `undefined` if none is known. */
function abstractHeapFeature(byte: number): string | undefined {
  switch (byte) {
    case 0x6e: // any
    case 0x6d: // eq
    case 0x6c: // i31
    case 0x6b: // struct
    case 0x6a: // array
    case 0x71: // none
    case 0x72: // noextern
    case 0x73: // nofunc
      return "gc";
    default:
      return undefined;
  }
}

/** Whether an abstract heap type byte is one Kiln implements: func, extern, exn (0x69) and noexn (0x74). */
function isKnownHeap(byte: number): boolean {
  return byte === 0x70 || byte === 0x6f || byte === 0x69 || byte === 0x74;
}

/**
 * Reads a heap type (an s33) after `ref` / `ref null`, or as the immediate of `ref.null`. Returns its byte for
 * `func`, `extern`, `exn` and `noexn` (the nullable reference type of that heap type); throws unsupported for GC
 * heap types and type indices.
 */
export function readHeapType(r: ByteReader): ValType {
  const at = r.pos;
  const v = r.s33();
  if (v >= 0) throw new UnsupportedFeatureError("function-references", at);
  const byte = v + 0x80;
  if (isKnownHeap(byte)) return byte;
  const feature = v >= -0x40 ? abstractHeapFeature(byte) : undefined;
  if (feature) throw new UnsupportedFeatureError(feature, at);
  throw new CompileError("malformed reference type", at);
}

/**
 * Reads a reference type given its first byte: `funcref`, `externref`, or the `(ref null? ht)` forms. Returns
 * `undefined` when `byte` starts no reference type.
 */
function refTypeFrom(r: ByteReader, byte: number, at: number): ValType | undefined {
  if (isKnownHeap(byte)) return byte;
  if (byte === 0x63 || byte === 0x64) {
    const heap = readHeapType(r);
    // `(ref null func)` is funcref spelled long; non-nullable references need function-references.
    if (byte === 0x64) throw new UnsupportedFeatureError("function-references", at);
    return heap;
  }
  const feature = abstractHeapFeature(byte);
  if (feature) throw new UnsupportedFeatureError(feature, at);
  return undefined;
}

/** Reads a value type (spec §5.3.1). */
export function readValType(r: ByteReader): ValType {
  const at = r.pos;
  const byte = r.u8();
  if (byte >= 0x7c && byte <= 0x7f) return byte;
  if (byte === 0x7b) throw new UnsupportedFeatureError("simd", at);
  const ref = refTypeFrom(r, byte, at);
  if (ref !== undefined) return ref;
  throw new CompileError("malformed value type", at);
}

/** Reads a reference type (spec §5.3.2). */
export function readRefType(r: ByteReader): ValType {
  const at = r.pos;
  const byte = r.u8();
  const ref = refTypeFrom(r, byte, at);
  if (ref !== undefined) return ref;
  throw new CompileError("malformed reference type", at);
}
