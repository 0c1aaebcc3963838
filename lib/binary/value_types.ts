/**
 * Readers of value and reference types (spec §5.3): shared by the decoder's sections and the instruction reader's
 * immediates (`select t*`, `ref.null`, block types).
 *
 * @module
 */
import { CompileError, UnsupportedFeatureError } from "../errors.ts";
import type { ByteReader } from "./leb128.ts";
import {
  concreteHeap,
  type HeapType,
  heapTypeIndex,
  heapTypeOf,
  isNullable,
  isRefType,
  refType,
  type ValType,
} from "./module.ts";

/**
 * Whether a byte is an abstract heap type (spec 3.0 §5.3.3): func, extern, exn, their bottoms, and GC's any, eq,
 * i31, struct, array and none.
 */
function isAbstractHeap(byte: number): boolean {
  return byte >= 0x69 && byte <= 0x74;
}

/** The decoder's bound on type indices (and on the type section's length), as in the JS API's limits. */
export const MAX_TYPES = 1_000_000;

/**
 * Reads a heap type (an s33) after `ref` / `ref null`, or as the immediate of `ref.null`: an abstract heap type's
 * byte, or a concrete one (`$t`) as {@link concreteHeap}. Whether the type index exists is the validator's question.
 */
export function readHeapType(r: ByteReader): HeapType {
  const at = r.pos;
  const v = r.s33();
  if (v >= 0) {
    if (v >= MAX_TYPES) throw new CompileError(`unknown type ${v}`, at);
    return concreteHeap(v);
  }
  const byte = v + 0x80;
  if (v >= -0x40 && isAbstractHeap(byte)) return byte;
  if (byte === 0x62) throw new UnsupportedFeatureError("custom-descriptors", at); // `exact`
  throw new CompileError("malformed reference type", at);
}

/**
 * Reads a reference type given its first byte: an abbreviation (`funcref`, `externref`, `nullfuncref`, …) or the
 * `(ref null? ht)` forms. Returns `undefined` when `byte` starts no reference type.
 */
function refTypeFrom(r: ByteReader, byte: number): ValType | undefined {
  if (isAbstractHeap(byte)) return byte;
  if (byte === 0x63 || byte === 0x64) return refType(readHeapType(r), byte === 0x63);
  return undefined;
}

/** Reads a value type (spec §5.3.1). */
export function readValType(r: ByteReader): ValType {
  const at = r.pos;
  const byte = r.u8();
  if (byte >= 0x7b && byte <= 0x7f) return byte; // i32, i64, f32, f64, v128
  const ref = refTypeFrom(r, byte);
  if (ref !== undefined) return ref;
  throw new CompileError("malformed value type", at);
}

/** Reads a reference type (spec §5.3.2). */
export function readRefType(r: ByteReader): ValType {
  const at = r.pos;
  const byte = r.u8();
  const ref = refTypeFrom(r, byte);
  if (ref !== undefined) return ref;
  throw new CompileError("malformed reference type", at);
}

/** Appends a heap type's encoding (an s33: an abstract type's byte, or a type index) to `out`. */
export function encodeHeapType(heap: HeapType, out: number[]): void {
  const index = heapTypeIndex(heap);
  if (index < 0) {
    out.push(heap);
    return;
  }
  let v = index;
  for (;;) {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    // A non-negative s33 ends when the rest is zero and the sign bit of the last byte is clear.
    if (v === 0 && (byte & 0x40) === 0) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/**
 * A value type's binary encoding (spec §5.3): one byte for numeric types and nullable abstract references, else
 * `0x63 heap` (`ref null`) or `0x64 heap` (`ref`).
 *
 * @example Encodings
 * ```ts
 * import { encodeValTypes } from "./value_types.ts";
 * import { concreteHeap, refType, ValType } from "./module.ts";
 * console.log(encodeValTypes([ValType.i32, refType(concreteHeap(2), false)])); // [127, 100, 2]
 * ```
 */
export function encodeValTypes(types: readonly ValType[]): number[] {
  const out: number[] = [];
  for (const t of types) {
    if (!isRefType(t) || (isNullable(t) && heapTypeIndex(t) < 0)) out.push(t);
    else {
      out.push(isNullable(t) ? 0x63 : 0x64);
      encodeHeapType(heapTypeOf(t), out);
    }
  }
  return out;
}
