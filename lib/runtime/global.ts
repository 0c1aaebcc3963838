/**
 * Globals (spec §4.2.9). A numeric global's value lives in an 8-byte cell as raw bits (so f32/f64 NaN payloads
 * survive); a reference global keeps its internal value in `ref` (a function instance or null for funcref, any JS
 * value for externref).
 *
 * @module
 */

import { isRefType } from "../binary/module.ts";
import {
  defaultValue,
  jsToRaw,
  rawToJs,
  readWords,
  refToJs,
  toRef,
  valTypeFromName,
  type ValTypeName,
  writeWords,
} from "./values.ts";

/** Descriptor of a new global. */
export interface GlobalDescriptor {
  value: ValTypeName;
  mutable?: boolean;
}

/**
 * A global variable.
 *
 * @example Reading and writing a mutable i64 global
 * ```ts
 * import { Global } from "../../mod.ts";
 * const g = new Global({ value: "i64", mutable: true }, 5n);
 * g.value = 6n;
 * console.log(g.value); // 6n
 * ```
 */
export class Global {
  /** Raw bits: i32/f32 in word 0; i64/f64 low word then high word; v128 four words, lane 0's bytes first. */
  readonly cell: Int32Array = new Int32Array(4);
  /** Internal value of a reference-typed global. */
  ref: unknown = null;
  /** Value type, in canonical form (a concrete heap type as its type id, see `subtyping.ts`). */
  readonly type: number;
  /** Whether the value may be changed through `value`. */
  readonly mutable: boolean;

  /**
   * Creates a global.
   *
   * @param desc Value type and mutability.
   * @param v Initial value, converted as the standard JS API's ToWebAssemblyValue (a Number for an i64 global, or a
   *   BigInt for an i32, f32 or f64 one, is a TypeError). Missing or undefined: the JS API's default value, zero, null
   *   for funcref, undefined for externref.
   * @throws TypeError when the value does not convert to the global's type.
   */
  constructor(desc: GlobalDescriptor | { type: number; mutable: boolean }, v?: unknown) {
    this.type = "value" in desc ? valTypeFromName(desc.value) : desc.type;
    this.mutable = desc.mutable ?? false;
    // Internal construction (with a type and no value) leaves the value for instantiation to set.
    if ("value" in desc || v !== undefined) {
      this.setRaw(jsToRaw(this.type, v === undefined ? defaultValue(this.type) : v));
    }
  }

  /** The value, converted to JS (i64 as BigInt, funcref as an exported function). */
  get value(): unknown {
    return rawToJs(this.type, this.getRaw());
  }

  /** Sets the value, converted as the constructor's (TypeError if immutable, or if the value does not convert). */
  set value(v: unknown) {
    if (!this.mutable) throw new TypeError("Global: cannot set an immutable global");
    this.setRaw(jsToRaw(this.type, v));
  }

  /**
   * Reads the value in raw form (bit-exact for floats, NaN payloads included).
   *
   * @returns The raw value: f32 as int32 bits, f64 as BigInt bits, i64 BigInt, i32 number, references as JS values.
   */
  getRaw(): unknown {
    if (isRefType(this.type)) {
      return refToJs(this.type, this.ref);
    }
    return readWords(this.type, this.cell, 0);
  }

  /**
   * Sets the raw value (see `getRaw`), regardless of mutability (for the embedder).
   *
   * @param v Raw value: i32 and f32 bits converted with ToInt32, i64 and f64 bits with ToBigInt64.
   * @throws TypeError when the value does not convert.
   */
  setRaw(v: unknown): void {
    if (isRefType(this.type)) this.ref = toRef(this.type, v);
    else writeWords(this.type, this.cell, 0, v);
  }
}
