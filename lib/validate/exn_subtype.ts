/**
 * The subtyping of the exception references (spec 3.0 §3.3.3), until the general subtyping of typed references
 * replaces it: `nullexnref` (`(ref null noexn)`) and the non-null forms are subtypes of `exnref`, and `(ref noexn)`
 * of `(ref exn)`. Every other pair of types matches only when equal (the caller checks that first).
 *
 * @module
 */
import type { ValType } from "../binary/module.ts";

/**
 * Whether `actual` is a strict subtype of `expected` among the exception reference types.
 *
 * @param actual The type found.
 * @param expected The type required.
 * @returns true for `nullexnref`, `(ref exn)` or `(ref noexn)` where `exnref` is expected, and for `(ref noexn)`
 *   where `(ref exn)` is.
 *
 * @example
 * ```ts
 * import { isExnSubtype } from "./exn_subtype.ts";
 * if (!isExnSubtype(0x74, 0x69) || isExnSubtype(0x69, 0x74)) throw new Error("nullexnref <: exnref only");
 * ```
 */
export function isExnSubtype(actual: ValType, expected: ValType): boolean {
  if (expected === 0x69) return actual === 0x74 || actual === 0x169 || actual === 0x174;
  if (expected === 0x169) return actual === 0x174;
  return false;
}
