/**
 * WebAssembly GC objects as the runtime holds them (spec 3.0 §4.2.5): a struct is a {@link GcStruct}, an array a
 * {@link GcArray}, an `i31ref` the JS number itself (-2^30 .. 2^30-1), and a host value taken into the `any`
 * hierarchy (`any.convert_extern`, or a JS value passed as `anyref`) the value itself, except a number that is not
 * an i31, which is boxed in a {@link HostRef} so that it never passes for one.
 *
 * Field and element values ("field form"): i32, i8 and i16 as numbers (packed ones wrapped to 8/16 bits, unsigned),
 * f32 as its int32 bits, i64 and f64 as BigInt (the f64 as its bits), v128 as 16 bytes, references as internal values
 * (a function instance, a GC object, an extern value, an Exception, or null). Arrays of numbers keep their elements
 * in a typed array.
 *
 * @module
 */
import {
  type FieldType,
  HeapType,
  heapTypeIndex,
  isRefType,
  type Module,
  PackedType,
  ValType,
} from "../binary/module.ts";
import { isIdSubtype } from "../validate/subtyping.ts";
import { gcObjectOfView, gcView } from "./gc_views.ts";

/** A GC object: its iso-recursive type id (`subtyping.ts`), which casts compare. */
export class GcObject {
  constructor(readonly typeId: number) {}
}

/** A struct: its fields in field form (see the module doc). */
export class GcStruct extends GcObject {
  constructor(typeId: number, readonly fields: unknown[]) {
    super(typeId);
  }
}

/** The elements of an array: a typed array by element type (v128: 16 bytes each), or references. */
export type ArrayElements = Uint8Array | Uint16Array | Int32Array | BigInt64Array | unknown[];

/** An array: `length` elements (see {@link ArrayElements}). */
export class GcArray extends GcObject {
  constructor(typeId: number, readonly elements: ArrayElements, readonly length: number) {
    super(typeId);
  }
}

/** A JS number in the `any` hierarchy that is not an i31 (a host reference; `extern.convert_any` unwraps it). */
export class HostRef {
  constructor(readonly value: unknown) {}
}

/**
 * The bytes one array's elements may take, exclusive (at or past it, `array.new*` traps "allocation size too
 * large"): 2^27, Wasmtime's limit (the size field of its GC header), counting a reference as 4 bytes as it does.
 */
export const MAX_ARRAY_BYTES = 2 ** 27;

/** Whether an array of `n` elements of storage type `t` is too large to allocate (see {@link MAX_ARRAY_BYTES}). */
export function tooLarge(t: number, n: number): boolean {
  return n * (storageBytes(t) || 4) >= MAX_ARRAY_BYTES;
}

/** Bytes of one element of storage type `t` in a data segment (`array.new_data`, `array.init_data`). */
export function storageBytes(t: number): number {
  switch (t) {
    case PackedType.i8:
      return 1;
    case PackedType.i16:
      return 2;
    case ValType.i32:
    case ValType.f32:
      return 4;
    case ValType.i64:
    case ValType.f64:
      return 8;
    case ValType.v128:
      return 16;
  }
  return 0; // references: not in data segments
}

/** The default value (field form) of storage type `t`. */
export function defaultField(t: number): unknown {
  if (t === ValType.i64 || t === ValType.f64) return 0n;
  if (t === ValType.v128) return new Uint8Array(16);
  return isRefType(t) ? null : 0;
}

/** A new array's element storage of `n` elements of storage type `t`, all default. */
export function newElements(t: number, n: number): ArrayElements {
  switch (t) {
    case PackedType.i8:
      return new Uint8Array(n);
    case PackedType.i16:
      return new Uint16Array(n);
    case ValType.i32:
    case ValType.f32:
      return new Int32Array(n);
    case ValType.i64:
    case ValType.f64:
      return new BigInt64Array(n);
    case ValType.v128:
      return new Uint8Array(16 * n);
  }
  return new Array<unknown>(n).fill(null);
}

/** Element `i` of an array of storage type `t`, in field form. */
export function getElement(a: GcArray, t: number, i: number): unknown {
  if (t === ValType.v128) return (a.elements as Uint8Array).slice(16 * i, 16 * i + 16);
  return a.elements[i];
}

/** Sets element `i` of an array of storage type `t` to `v` (field form). */
export function setElement(a: GcArray, t: number, i: number, v: unknown): void {
  if (t === ValType.v128) (a.elements as Uint8Array).set(v as Uint8Array, 16 * i);
  else (a.elements as unknown[])[i] = v;
}

/** Fills elements [i, i + n) of an array of storage type `t` with `v` (field form). */
export function fillElements(a: GcArray, t: number, i: number, n: number, v: unknown): void {
  if (t === ValType.v128) {
    for (let k = 0; k < n; k++) (a.elements as Uint8Array).set(v as Uint8Array, 16 * (i + k));
  } else (a.elements as unknown[] & { fill(v: unknown, s: number, e: number): void }).fill(v, i, i + n);
}

/** Copies n elements from `src` at s to `dst` at d (overlapping ranges as `memmove`); same storage type `t`. */
export function copyElements(dst: GcArray, d: number, src: GcArray, s: number, n: number, t: number): void {
  const w = t === ValType.v128 ? 16 : 1;
  const from = src.elements, to = dst.elements;
  if (Array.isArray(to)) {
    if (to === from && s < d) { for (let k = n - 1; k >= 0; k--) to[d + k] = (from as unknown[])[s + k]; }
    else for (let k = 0; k < n; k++) to[d + k] = (from as unknown[])[s + k];
  } else (to as Uint8Array).set((from as Uint8Array).subarray(s * w, (s + n) * w), d * w);
}

/** Writes n elements read from bytes (little-endian, as a data segment holds them) at element d of `a`. */
export function elementsFromBytes(a: GcArray, d: number, bytes: Uint8Array, t: number, n: number): void {
  const size = storageBytes(t);
  const el = a.elements as Uint8Array;
  // Why a byte view: every typed array here is little-endian on the hosts Kiln runs on, as wasm data is.
  new Uint8Array(el.buffer, el.byteOffset, el.byteLength).set(bytes.subarray(0, n * size), d * size);
}

/** Wraps a number stored into a packed field (i8, i16); other values unchanged. */
export function packField(t: number, v: unknown): unknown {
  if (t === PackedType.i8) return (v as number) & 0xff;
  if (t === PackedType.i16) return (v as number) & 0xffff;
  return v;
}

/** A JS number as an `i31ref`: the number itself when it is one, else a {@link HostRef}. */
function anyOfNumber(v: number): unknown {
  return Number.isInteger(v) && v >= -(2 ** 30) && v < 2 ** 30 && !Object.is(v, -0) ? v : new HostRef(v);
}

/**
 * `any.convert_extern` (and the JS API's ToWebAssemblyValue for `anyref`): an extern value in the any hierarchy (the
 * JS view of a struct or array, `gc_views.ts`, is that struct or array again).
 */
export function internalize(v: unknown): unknown {
  return typeof v === "number" ? anyOfNumber(v) : gcObjectOfView(v) ?? v;
}

/**
 * `extern.convert_any` (and ToJSValue for `anyref`): an any-hierarchy value as an extern value (a struct or array as
 * its opaque JS view).
 */
export function externalize(v: unknown): unknown {
  if (v instanceof HostRef) return v.value;
  return v instanceof GcObject ? gcView(v) : v;
}

/**
 * Whether internal reference value `v` (not null) is of heap type `heap`, a module's heap type with concrete types
 * as type indices into `typeIds` (the instance's type ids): the run-time test of `ref.test`, `ref.cast` and
 * `br_on_cast`.
 */
export function refIsOf(v: unknown, heap: number, typeIds: readonly number[]): boolean {
  const index = heapTypeIndex(heap);
  if (index >= 0) {
    const id = typeIds[index]!;
    const own = (v as { typeId?: number }).typeId;
    return own !== undefined && (own === id || isIdSubtype(own, id));
  }
  switch (heap) {
    case HeapType.any:
    case HeapType.func:
    case HeapType.extern:
    case HeapType.exn:
      return true;
    case HeapType.eq:
      return v instanceof GcObject || typeof v === "number";
    case HeapType.i31:
      return typeof v === "number";
    case HeapType.struct:
      return v instanceof GcStruct;
    case HeapType.array:
      return v instanceof GcArray;
  }
  return false; // none, nofunc, noextern, noexn: only null
}

/** The field types of struct type `typeIndex`, or the element type of array type `typeIndex`, of a module. */
export function structFields(module: Module, typeIndex: number): readonly FieldType[] {
  const comp = module.subtypes[typeIndex]!.comp;
  return comp.kind === "struct" ? comp.fields : [];
}

/** The element's field type of array type `typeIndex`. */
export function arrayElement(module: Module, typeIndex: number): FieldType {
  const comp = module.subtypes[typeIndex]!.comp;
  if (comp.kind !== "array") throw new Error(`internal: type ${typeIndex} is not an array type`);
  return comp.element;
}
