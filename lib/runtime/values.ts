/**
 * Value conversions across the JS boundary: the one place a JS value becomes a WebAssembly value or back. Two forms:
 * - JS form, exactly the standard WebAssembly JS API's ToWebAssemblyValue and ToJSValue (JS API §3, "Conversions"):
 *   i32 a signed number (in: ToInt32), i64 a BigInt (in: ToBigInt64, so a Number is a TypeError), f32/f64 a number
 *   (in: ToNumber, so a BigInt is a TypeError; f32 rounded to nearest, ties to even), funcref an exported function or
 *   null, externref any JS value (null being the null reference, undefined a value like any other), and with GC
 *   (`anyref` and its subtypes): a struct or array its opaque view (`gc_views.ts`; it comes back as the object), an
 *   `i31ref` a number, any other JS value a host reference that comes back as itself (in: a number that is an
 *   integer in the i31 range becomes an `i31ref`; a value not of the parameter's type, e.g. a string for an `eqref`,
 *   is a TypeError).
 * - Raw form (for the wast runner, the CLI and `callRaw`, where NaN payloads matter): i32 number, i64 BigInt, f32 its
 *   int32 bit pattern, f64 its 64-bit pattern as a BigInt, v128 a `Uint8Array` of its 16 bytes (lane 0 first; the
 *   JS form has no v128: a TypeError, as the JS API says), references as in the JS form. A raw value converts like
 *   the integer it is: i32 and f32 bits with ToInt32, i64 and f64 bits with ToBigInt64.
 *
 * The one ToJSValue case made elsewhere is funcref's: the exported function of a function instance calls into the
 * driver, so `exported_function.ts` makes it and installs itself here ({@link setFuncWrapper}); {@link funcToJs} is
 * what the machine, tables and globals call.
 *
 * @module
 */

import {
  HeapType,
  heapTypeIndex,
  heapTypeOf,
  isNullable,
  isRefType,
  storageType,
  ValType,
  valTypeName,
} from "../binary/module.ts";
import type { ExportedFunction, FuncInst } from "./func.ts";
import { externalize, GcObject, internalize, refIsOf } from "./gc_objects.ts";
import { gcObjectOfView, gcView } from "./gc_views.ts";
import { isFuncTypeId, isIdSubtype } from "../validate/subtyping.ts";

/** A value type's name in the public API. */
export type ValTypeName = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref" | "exnref" | "anyref";

/** `{ params, results }` of a function, by type name. */
export interface FuncTypeDesc {
  /** Parameter types, in order. */
  params: ValTypeName[];
  /** Result types, in order. */
  results: ValTypeName[];
}

const scratch = new DataView(new ArrayBuffer(8));

/** The type byte of a type name (`anyfunc` accepted for funcref). */
export function valTypeFromName(name: string): number {
  switch (name) {
    case "i32":
      return ValType.i32;
    case "i64":
      return ValType.i64;
    case "f32":
      return ValType.f32;
    case "f64":
      return ValType.f64;
    case "funcref":
    case "anyfunc":
      return ValType.funcref;
    case "externref":
      return ValType.externref;
    case "exnref":
      return ValType.exnref;
    case "anyref":
      return HeapType.any;
    default:
      throw new TypeError(`unknown value type: ${name}`);
  }
}

/**
 * The public name of a value type. A typed reference is named by its JS form (`funcref` for every function
 * reference, `externref`), which says what values cross, not which ones are accepted: `(ref $t)` is a `funcref`
 * that must be a non-null function of type `$t`.
 */
export function valTypeToName(t: number): ValTypeName {
  const id = isRefType(t) ? heapTypeIndex(heapTypeOf(t)) : -1;
  if (id >= 0 && !isFuncTypeId(id)) return "anyref"; // a struct or array type (canonical: the index is its id)
  switch (isRefType(t) ? storageType(t) : t) {
    case ValType.i32:
      return "i32";
    case ValType.i64:
      return "i64";
    case ValType.f32:
      return "f32";
    case ValType.f64:
      return "f64";
    case ValType.v128:
      return "v128";
    case ValType.funcref:
      return "funcref";
    case ValType.externref:
      return "externref";
    case ValType.exnref:
      return "exnref";
    case HeapType.any:
    case HeapType.eq:
    case HeapType.i31:
    case HeapType.struct:
    case HeapType.array:
    case HeapType.none:
      return "anyref";
    default:
      throw new TypeError(`value type 0x${t.toString(16)} has no name in the JS API`);
  }
}

/**
 * ToWebAssemblyValue for i32: ToInt32(v). A BigInt or a Symbol is a TypeError; an object converts through its
 * `valueOf`/`toString`; a string is parsed as a number (`"0x10"` is 16, `"abc"` is 0).
 */
export function toI32(v: unknown): number {
  // Why: `|` applies ToNumeric to `v` and throws a TypeError when it is a BigInt, which is ToInt32 exactly.
  return (v as number) | 0;
}

/**
 * ToWebAssemblyValue for i64: ToBigInt64(v). A BigInt, a boolean or a string (`"7"`, `"0x10"`; SyntaxError if not an
 * integer) converts; a Number, undefined, null or a Symbol is a TypeError. Wraps modulo 2^64.
 */
export function toI64(v: unknown): bigint {
  // Why: BigInt.asIntN applies ToBigInt to its operand (ToPrimitive with hint number, then the ToBigInt table).
  return BigInt.asIntN(64, v as bigint);
}

/** ToWebAssemblyValue for f32: ToNumber(v) (a BigInt or a Symbol is a TypeError) rounded to the nearest f32. */
export function toF32(v: unknown): number {
  return Math.fround(v as number);
}

/** ToWebAssemblyValue for f64: ToNumber(v) (a BigInt or a Symbol is a TypeError, unlike `Number(v)`). */
export function toF64(v: unknown): number {
  return +(v as number);
}

/** Makes a function instance's exported function; installed by `exported_function.ts` when it loads. */
let funcWrapper: ((f: FuncInst) => ExportedFunction) | null = null;

/**
 * Installs the maker of exported functions (`exported_function.ts` does, when loaded).
 *
 * @param wrap makes (once) the exported function of a function instance
 */
export function setFuncWrapper(wrap: (f: FuncInst) => ExportedFunction): void {
  funcWrapper = wrap;
}

/** ToJSValue for funcref: the exported JS function of a function instance (made once), or null. */
export function funcToJs(f: FuncInst | null): ExportedFunction | null {
  if (f === null) return null;
  if (f.js) return f.js;
  if (funcWrapper === null) throw new Error("internal: exported_function.ts was not loaded");
  return funcWrapper(f);
}

/** Exported functions and their function instances (filled by `exported_function.ts`). */
const exportedFunctions = new WeakMap<object, FuncInst>();

/** Records the exported function of a function instance, so that it converts back to that instance. */
export function registerExportedFunction(js: object, f: FuncInst): void {
  exportedFunctions.set(js, f);
}

/** The function instance behind an exported function, or undefined for any other JS value. */
export function funcOfJs(v: unknown): FuncInst | undefined {
  return typeof v === "function" ? exportedFunctions.get(v) : undefined;
}

/** ToWebAssemblyValue for funcref: null, or an exported function's instance. Anything else (undefined too) throws. */
export function toFuncref(v: unknown): FuncInst | null {
  if (v === null) return null;
  const f = funcOfJs(v);
  if (f === undefined) throw new TypeError("funcref value must be an exported WebAssembly function or null");
  return f;
}

/**
 * ToWebAssemblyValue for any reference type in canonical form (`subtyping.ts`'s `canonicalType`): its internal
 * value, a function instance or null for function references, the JS value itself for external ones.
 *
 * @throws TypeError for null where the type is not nullable, or a function that is not of the required type.
 */
export function toRef(type: number, v: unknown): unknown {
  if (type === ValType.funcref) return toFuncref(v);
  if (type === ValType.externref) return v;
  if (v === null) {
    if (!isNullable(type)) throw new TypeError(`a ${valTypeName(type)} value must not be null`);
    return null;
  }
  const heap = heapTypeOf(type);
  if (heap === HeapType.nofunc || heap === HeapType.noextern || heap === HeapType.noexn || heap === HeapType.none) {
    throw new TypeError(`a ${valTypeName(type)} value must be null`);
  }
  const id = heapTypeIndex(heap);
  const gc = gcObjectOfView(v);
  if (id >= 0 && gc !== undefined) {
    if (gc.typeId !== id && !isIdSubtype(gc.typeId, id)) {
      throw new TypeError(`a ${valTypeName(type)} value is expected`);
    }
    return gc;
  }
  switch (storageType(type)) {
    case ValType.funcref: {
      const f = toFuncref(v)!;
      if (id >= 0 && f.typeId !== id && !isIdSubtype(f.typeId, id)) {
        throw new TypeError("function reference of the wrong type");
      }
      return f;
    }
    case ValType.externref:
    case ValType.exnref:
      return v;
  }
  // The any hierarchy (JS API: a number in the i31 range is an i31ref, another value a host reference).
  const internal = internalize(v);
  if (!refIsOf(internal, heap, [])) throw new TypeError(`a ${valTypeName(type)} value is expected`);
  return internal;
}

/** ToJSValue of an internal reference of type `t` (a function's exported function; an i31 its number). */
export function refToJs(t: number, internal: unknown): unknown {
  if (internal === null) return null;
  if (internal instanceof GcObject) return gcView(internal);
  return storageType(t) === ValType.funcref ? funcToJs(internal as FuncInst) : externalize(internal);
}

/**
 * The JS API's DefaultValue: the value of a global or table element created from JS without one (0, 0n, null for
 * funcref, undefined for externref), in JS form.
 */
export function defaultValue(type: number): unknown {
  switch (type) {
    case ValType.i64:
      return 0n;
    case ValType.externref:
      return undefined;
    default:
      return isRefType(type) ? null : 0;
  }
}

/**
 * ToJSValue(ToWebAssemblyValue(v)): what a JS value becomes after crossing into wasm and back (an exported function
 * is its own JS value, so funcref values come back unchanged once checked).
 */
export function roundTrip(type: number, v: unknown): unknown {
  switch (type) {
    case ValType.i32:
      return toI32(v);
    case ValType.i64:
      return toI64(v);
    case ValType.f32:
      return toF32(v);
    case ValType.f64:
      return toF64(v);
    case ValType.funcref:
      toFuncref(v);
      return v;
    case ValType.externref:
      return v;
    case ValType.v128:
      throw v128TypeError();
    default:
      toRef(type, v);
      return v;
  }
}

/**
 * The results of a host function of a type with several results, as the JS API's "run a host function" reads them:
 * an iterable of exactly `count` values, else a TypeError.
 */
export function hostResultList(result: unknown, count: number): unknown[] {
  if (result === null || result === undefined) {
    throw new TypeError(`host function must return an iterable of ${count} values, got ${String(result)}`);
  }
  // Spread is IterableToList: a TypeError when the value has no @@iterator (an array-like is not enough).
  const values = [...(result as Iterable<unknown>)];
  if (values.length !== count) {
    throw new TypeError(`host function returned ${values.length} values, expected ${count}`);
  }
  return values;
}

/**
 * The JS API's error for a v128 crossing the JS boundary: a v128 parameter or result of an exported or imported
 * function, a v128 global's value or an exception's v128 payload read or written from JS.
 */
export function v128TypeError(): TypeError {
  return new TypeError("a v128 value cannot cross the JS boundary (WebAssembly JS API); use the raw form");
}

/**
 * A v128 value in raw form (a `Uint8Array` of its 16 bytes, lane 0 first), checked; in JS form there is none (the
 * JS API's TypeError).
 */
export function toV128(v: unknown, raw: boolean): Uint8Array {
  if (!raw) throw v128TypeError();
  if (!(v instanceof Uint8Array) || v.length !== 16) {
    throw new TypeError("a raw v128 value is a Uint8Array of 16 bytes");
  }
  return v;
}

/** The number of int32 words a payload of the given types takes laid out as slots (a v128 four, others two). */
export function payloadWords(types: readonly number[]): number {
  let n = 0;
  for (const t of types) n += t === ValType.v128 ? 4 : 2;
  return n;
}

/** A JS-form value to its raw form (converted with ToWebAssemblyValue; TypeError as the JS API says). */
export function jsToRaw(type: number, v: unknown): unknown {
  switch (type) {
    case ValType.i32:
      return toI32(v);
    case ValType.i64:
      return toI64(v);
    case ValType.f32:
      scratch.setFloat32(0, toF32(v), true);
      return scratch.getInt32(0, true);
    case ValType.f64:
      scratch.setFloat64(0, toF64(v), true);
      return scratch.getBigInt64(0, true);
    case ValType.v128:
      throw v128TypeError();
    default:
      return roundTrip(type, v);
  }
}

/** A raw-form value to its JS form (converted as the module doc says; TypeError for a value of the wrong kind). */
export function rawToJs(type: number, v: unknown): unknown {
  switch (type) {
    case ValType.f32:
      scratch.setInt32(0, toI32(v), true);
      return scratch.getFloat32(0, true);
    case ValType.f64:
      scratch.setBigInt64(0, toI64(v), true);
      return scratch.getFloat64(0, true);
    case ValType.v128:
      throw v128TypeError();
    default:
      return roundTrip(type, v);
  }
}

/** Reads a raw numeric value from words `i`, `i + 1` (a v128: `i` to `i + 3`) of an Int32Array. */
export function readWords(type: number, words: Int32Array, i: number): unknown {
  if (type === ValType.i32 || type === ValType.f32) return words[i]!;
  if (type === ValType.v128) {
    return new Uint8Array(words.buffer.slice(words.byteOffset + 4 * i, words.byteOffset + 4 * i + 16));
  }
  return (BigInt(words[i + 1]!) << 32n) | BigInt(words[i]! >>> 0);
}

/** Writes a raw numeric value (i32 and f32 bits converted with ToInt32, i64 and f64 bits with ToBigInt64). */
export function writeWords(type: number, words: Int32Array, i: number, v: unknown): void {
  if (type === ValType.v128) {
    new Uint8Array(words.buffer, words.byteOffset + 4 * i, 16).set(toV128(v, true));
    return;
  }
  if (type === ValType.i32 || type === ValType.f32) {
    words[i] = toI32(v);
    words[i + 1] = 0;
    return;
  }
  const b = toI64(v);
  words[i] = Number(BigInt.asIntN(32, b));
  words[i + 1] = Number(BigInt.asIntN(32, b >> 32n));
}
