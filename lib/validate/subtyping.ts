/**
 * Type equivalence and subtyping (spec 3.0 §3.3.2, §3.3.3), as far as WebAssembly 3.0 needs them without GC.
 *
 * Every function type gets a **type id**: a number shared by all structurally equivalent types, in every module
 * of the process (Wasmtime's type registry does the same job). Two concrete heap types are equivalent when their
 * ids are equal, which is what validation, `call_indirect`, `call_ref`'s callers and import matching compare.
 * A type's key spells its parameters and results, with each reference to another type replaced by that type's id
 * and a reference to itself by `rec` (each type is its own recursion group until GC's `rec` exists), so keys stay
 * short however deep types nest.
 *
 * GC will add declared supertypes (`sub`), struct and array types and the `any` hierarchy: it extends
 * {@link isHeapSubtype} and the key, not the callers.
 *
 * @module
 */
import {
  type FuncType,
  HeapType,
  heapTypeIndex,
  heapTypeOf,
  isNullable,
  isRefType,
  type Module,
  NON_NULL,
  type ValType,
} from "../binary/module.ts";

/** The validator's bottom heap type: what `ref.as_non_null` of an unknown operand gives; below every heap type. */
export const BOTTOM_HEAP = 0x01;

/** The validator's unknown value type (the polymorphic stack's bottom): matches every value type. */
export const UNKNOWN = 0;

// Why: one registry for the process, so ids compare across modules; it holds one short string per distinct type.
const registry = new Map<string, number>();

function intern(key: string): number {
  let id = registry.get(key);
  if (id === undefined) {
    id = registry.size + 1;
    registry.set(key, id);
  }
  return id;
}

function keyPart(t: ValType, self: number, ids: readonly number[]): string {
  const index = isRefType(t) ? heapTypeIndex(heapTypeOf(t)) : -1;
  if (index < 0) return String(t);
  const target = index === self ? "rec" : `#${ids[index]}`;
  return `${isNullable(t) ? "null " : ""}${target}`;
}

/**
 * The type id of a function type that refers to no other type (a host function's, `new Func`'s): the same id as
 * an equivalent type of any module gets from {@link typeIdsOf}.
 *
 * @example Equal shapes, equal ids
 * ```ts
 * import { typeIdOf } from "./subtyping.ts";
 * console.log(typeIdOf({ params: [0x7f], results: [] }) === typeIdOf({ params: [0x7f], results: [] })); // true
 * ```
 */
export function typeIdOf(type: FuncType): number {
  return intern(type.params.join(",") + ":" + type.results.join(","));
}

const moduleIds = new WeakMap<Module, readonly number[]>();

/**
 * The type id of each of a module's types, by type index. The module must be valid: every type refers only to
 * itself and earlier types ({@link checkTypeReferences}).
 *
 * @example Two spellings of one type
 * ```ts
 * import { typeIdsOf } from "./subtyping.ts";
 * import { decodeModule } from "../binary/decoder.ts";
 * // (type (func (param i32))) (type (func (param i32)))
 * const m = decodeModule(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 9, 2, 96, 1, 127, 0, 96, 1, 127, 0]));
 * const [a, b] = typeIdsOf(m);
 * console.log(a === b); // true
 * ```
 */
export function typeIdsOf(module: Module): readonly number[] {
  let ids = moduleIds.get(module);
  if (ids === undefined) {
    const out: number[] = [];
    module.types.forEach((t, i) => {
      const part = (v: ValType) => keyPart(v, i, out);
      out.push(intern(t.params.map(part).join(",") + ":" + t.results.map(part).join(",")));
    });
    moduleIds.set(module, out);
    ids = out;
  }
  return ids;
}

/**
 * The index of the first type that refers to a later type (which is "unknown" until GC's recursion groups allow
 * it), or -1.
 */
export function firstForwardReference(module: Module): number {
  return module.types.findIndex((t, i) =>
    [...t.params, ...t.results].some((v) => isRefType(v) && heapTypeIndex(heapTypeOf(v)) > i)
  );
}

/**
 * Whether heap type `a` is a subtype of `b`. Concrete types are compared by id: `ids` maps a module's type indices
 * to ids, or is `null` for canonical types ({@link canonicalType}), whose concrete heap types hold ids already.
 * Every concrete type is a function type until GC.
 */
export function isHeapSubtype(a: HeapType, b: HeapType, ids: readonly number[] | null): boolean {
  if (a === b || a === BOTTOM_HEAP) return true;
  const ia = heapTypeIndex(a), ib = heapTypeIndex(b);
  if (ia >= 0) return ib >= 0 ? ids !== null && ids[ia] === ids[ib] : b === HeapType.func;
  if (ib >= 0) return a === HeapType.nofunc;
  switch (b) {
    case HeapType.func:
      return a === HeapType.nofunc;
    case HeapType.extern:
      return a === HeapType.noextern;
    case HeapType.exn:
      return a === HeapType.noexn;
  }
  return false;
}

/**
 * Whether value type `a` matches `b` (`a <: b`): equal numeric types, or references whose nullability and heap
 * types match. {@link UNKNOWN} matches everything.
 *
 * @example A non-null reference where a nullable one is expected
 * ```ts
 * import { isSubtype } from "./subtyping.ts";
 * import { HeapType, refType, ValType } from "../binary/module.ts";
 * console.log(isSubtype(refType(HeapType.func, false), ValType.funcref, [])); // true
 * console.log(isSubtype(ValType.funcref, refType(HeapType.func, false), [])); // false
 * ```
 */
export function isSubtype(a: ValType, b: ValType, ids: readonly number[] | null): boolean {
  if (a === b || a === UNKNOWN || b === UNKNOWN) return true;
  if (!isRefType(a) || !isRefType(b)) return false;
  if ((a & NON_NULL) === 0 && (b & NON_NULL) !== 0) return false;
  return isHeapSubtype(heapTypeOf(a), heapTypeOf(b), ids);
}

/** Whether every type of `a` matches the one at the same position in `b`, and the lengths are equal. */
export function areSubtypes(a: readonly ValType[], b: readonly ValType[], ids: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!isSubtype(a[i]!, b[i]!, ids)) return false;
  return true;
}

/**
 * The canonical form of a module's value type: a concrete heap type's type index replaced by the type's id, so
 * that types of different modules compare as numbers. Function instances, globals and tables keep these.
 */
export function canonicalType(t: ValType, ids: readonly number[]): ValType {
  const index = isRefType(t) ? heapTypeIndex(heapTypeOf(t)) : -1;
  return index < 0 ? t : t + (ids[index]! - index) * 1024;
}

const canonicalFuncTypes = new WeakMap<Module, FuncType[]>();

/** The canonical form ({@link canonicalType}) of a module's function type `index`. */
export function canonicalFuncType(module: Module, index: number): FuncType {
  let types = canonicalFuncTypes.get(module);
  if (types === undefined) {
    const ids = typeIdsOf(module);
    const canon = (ts: readonly ValType[]) => ts.map((t) => canonicalType(t, ids));
    types = module.types.map((t) => {
      const params = canon(t.params), results = canon(t.results);
      const same = params.every((p, i) => p === t.params[i]) && results.every((r, i) => r === t.results[i]);
      return same ? t : { params, results };
    });
    canonicalFuncTypes.set(module, types);
  }
  return types[index]!;
}
