/**
 * Value conversions between JS and WebAssembly, in two forms:
 * - JS form (like the standard JS API): i32 number (signed), i64 BigInt, f32/f64 number, funcref an exported
 *   function or null, externref any JS value (null is the null reference).
 * - Raw form (for the wast runner and the CLI, where NaN payloads matter): i32 number, i64 BigInt, f32 its int32
 *   bit pattern, f64 its 64-bit pattern as a BigInt, references as in the JS form.
 *
 * @module
 */

import { ValType } from "../binary/module.ts";

/** A value type's name in the public API. */
export type ValTypeName = "i32" | "i64" | "f32" | "f64" | "funcref" | "externref";

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
    default:
      throw new TypeError(`unknown value type: ${name}`);
  }
}

/** The public name of a type byte. */
export function valTypeToName(t: number): ValTypeName {
  switch (t) {
    case ValType.i32:
      return "i32";
    case ValType.i64:
      return "i64";
    case ValType.f32:
      return "f32";
    case ValType.f64:
      return "f64";
    case ValType.funcref:
      return "funcref";
    default:
      return "externref";
  }
}

/** A JS-form value to its raw form. */
export function jsToRaw(type: number, v: unknown): unknown {
  switch (type) {
    case ValType.i32:
      return Number(v) | 0;
    case ValType.i64:
      return BigInt.asIntN(64, typeof v === "bigint" ? v : BigInt(v as number));
    case ValType.f32:
      scratch.setFloat32(0, Number(v), true);
      return scratch.getInt32(0, true);
    case ValType.f64:
      scratch.setFloat64(0, Number(v), true);
      return scratch.getBigInt64(0, true);
    default:
      return v === undefined && type === ValType.funcref ? null : v;
  }
}

/** A raw-form value to its JS form. */
export function rawToJs(type: number, v: unknown): unknown {
  switch (type) {
    case ValType.f32:
      scratch.setInt32(0, v as number, true);
      return scratch.getFloat32(0, true);
    case ValType.f64:
      scratch.setBigInt64(0, v as bigint, true);
      return scratch.getFloat64(0, true);
    default:
      return v;
  }
}

/** Reads a raw numeric value from words `i`, `i + 1` of an Int32Array. */
export function readWords(type: number, words: Int32Array, i: number): unknown {
  if (type === ValType.i32 || type === ValType.f32) return words[i]!;
  return (BigInt(words[i + 1]!) << 32n) | BigInt(words[i]! >>> 0);
}

/** Writes a raw numeric value into words `i`, `i + 1` of an Int32Array. */
export function writeWords(type: number, words: Int32Array, i: number, v: unknown): void {
  if (type === ValType.i32 || type === ValType.f32) {
    words[i] = Number(v) | 0;
    words[i + 1] = 0;
    return;
  }
  const b = typeof v === "bigint" ? v : BigInt(v as number);
  words[i] = Number(BigInt.asIntN(32, b));
  words[i + 1] = Number(BigInt.asIntN(32, b >> 32n));
}
