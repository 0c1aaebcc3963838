/**
 * Type equivalence and subtyping (spec 3.0 §3.3.2, §3.3.3, §3.3.5): iso-recursive, as GC defines them.
 *
 * Every defined type gets a **type id**: a number shared by all equivalent types, in every module of the process
 * (Wasmtime's type registry does the same job). Two concrete heap types are equivalent when their ids are equal,
 * which is what validation, `call_indirect`, `call_ref`'s callers and import matching compare. Equivalence is that
 * of recursion groups: a group's key spells each member (finality, supertypes, composite type), with each reference
 * into the group written as its position in the group (`rec.k`, or `rec` in a group of one) and each reference
 * outside as that type's id, so keys stay short however deep types nest; member `k` of a group is `{key}.k`. A
 * final function type without supertypes alone in its group keeps the key it had before GC (`params:results`),
 * so host functions' types ({@link typeIdOf}) meet modules' ones.
 *
 * The registry also keeps, per id, its kind (func, struct, array) and its declared supertype's id, so that
 * {@link isHeapSubtype} answers for concrete types of any module by walking the supertype chain, and places the
 * concrete types under the abstract hierarchy (`func`; `any` ⊇ `eq` ⊇ `struct`, `array`, `i31`; `none`,
 * `nofunc` below).
 *
 * @module
 */
import {
  type CompType,
  type FieldType,
  type FuncType,
  HeapType,
  heapTypeIndex,
  heapTypeOf,
  isNullable,
  isRefType,
  type Module,
  NON_NULL,
  type SubType,
  type ValType,
} from "../binary/module.ts";

/** The validator's bottom heap type: what `ref.as_non_null` of an unknown operand gives; below every heap type. */
export const BOTTOM_HEAP = 0x01;

/** The validator's unknown value type (the polymorphic stack's bottom): matches every value type. */
export const UNKNOWN = 0;

/** The kind of a registered type id. */
const enum Kind {
  func = 0,
  struct = 1,
  array = 2,
}

// Why: one registry for the process, so ids compare across modules; it holds one short string per distinct type.
const registry = new Map<string, number>();
/** Per id: its kind and its declared supertype's id (0 for none). Index 0 is unused. */
const kinds: Kind[] = [Kind.func];
const supers: number[] = [0];

function intern(key: string, kind: Kind, superId: number): number {
  let id = registry.get(key);
  if (id === undefined) {
    id = registry.size + 1;
    registry.set(key, id);
    kinds[id] = kind;
    supers[id] = superId;
  }
  return id;
}

/** A reference to type `index` from inside the group starting at `start` of `size` types, as a key part. */
function indexPart(index: number, start: number, size: number, ids: readonly number[]): string {
  if (index >= start && index < start + size) return size === 1 ? "rec" : `rec.${index - start}`;
  return `#${ids[index]}`;
}

function keyPart(t: number, start: number, size: number, ids: readonly number[]): string {
  const index = isRefType(t) ? heapTypeIndex(heapTypeOf(t)) : -1;
  if (index < 0) return String(t);
  return `${isNullable(t) ? "null " : ""}${indexPart(index, start, size, ids)}`;
}

function compKey(c: CompType, part: (t: number) => string): string {
  const field = (f: FieldType) => (f.mutable ? "mut " : "") + part(f.type);
  switch (c.kind) {
    case "func":
      return c.type.params.map(part).join(",") + ":" + c.type.results.map(part).join(",");
    case "struct":
      return "struct " + c.fields.map(field).join(",");
    case "array":
      return "array " + field(c.element);
  }
}

function subKey(sub: SubType, ids: readonly number[]): string {
  const part = (t: number) => keyPart(t, sub.recStart, sub.recSize, ids);
  const comp = compKey(sub.comp, part);
  if (sub.final && sub.supertypes.length === 0) return comp;
  const heads = sub.supertypes.map((x) => indexPart(x, sub.recStart, sub.recSize, ids));
  return `${sub.final ? "sub final" : "sub"} ${heads.join(" ")}|${comp}`;
}

const KIND: Record<CompType["kind"], Kind> = { func: Kind.func, struct: Kind.struct, array: Kind.array };

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
  return intern(type.params.join(",") + ":" + type.results.join(","), Kind.func, 0);
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
    const subs = module.subtypes;
    for (let start = 0; start < subs.length;) {
      const size = subs[start]!.recSize;
      const keys = subs.slice(start, start + size).map((sub) => subKey(sub, out));
      const group = size === 1 ? undefined : `{${keys.join(";")}}`;
      for (let k = 0; k < size; k++) {
        const sub = subs[start + k]!;
        const key = group === undefined ? keys[0]! : `${group}.${k}`;
        // A supertype precedes its subtype (checked by the validator), so its id exists unless the module is invalid.
        const superIndex = sub.supertypes[0];
        out.push(intern(key, KIND[sub.comp.kind], superIndex === undefined ? 0 : out[superIndex] ?? 0));
      }
      start += size;
    }
    moduleIds.set(module, out);
    ids = out;
  }
  return ids;
}

/**
 * The index of the first type that refers to a type after its own recursion group (or to a supertype that is not
 * before it), which is "unknown", or -1.
 */
export function firstForwardReference(module: Module): number {
  return module.subtypes.findIndex((sub, i) => {
    const end = sub.recStart + sub.recSize;
    return typeRefs(sub).some((x) => x >= end) || sub.supertypes.some((x) => x >= i);
  });
}

/** The type indices a defined type's composite type refers to. */
export function typeRefs(sub: SubType): number[] {
  const c = sub.comp;
  const types = c.kind === "func"
    ? [...c.type.params, ...c.type.results]
    : c.kind === "struct"
    ? c.fields.map((f) => f.type)
    : [c.element.type];
  return types.filter((t) => isRefType(t)).map((t) => heapTypeIndex(heapTypeOf(t))).filter((x) => x >= 0);
}

/**
 * Whether type id `a` is id `b` or declares it as a supertype, directly or not: what `call_indirect` and import
 * matching check when the ids differ.
 */
export function isIdSubtype(a: number, b: number): boolean {
  for (let id = a; id !== 0; id = supers[id]!) if (id === b) return true;
  return false;
}

/** Whether type id `id` is a function type's (not a struct's or an array's). */
export function isFuncTypeId(id: number): boolean {
  return kinds[id] === Kind.func;
}

/** The abstract heap type a concrete type of kind `kind` is below: func, struct or array. */
function kindHeap(kind: Kind): HeapType {
  return kind === Kind.func ? HeapType.func : kind === Kind.struct ? HeapType.struct : HeapType.array;
}

/** Whether abstract heap type `a` is below abstract heap type `b` (`a` ≠ `b`). */
function isAbstractSubtype(a: HeapType, b: HeapType): boolean {
  switch (b) {
    case HeapType.any:
      return a === HeapType.eq || a === HeapType.i31 || a === HeapType.struct || a === HeapType.array ||
        a === HeapType.none;
    case HeapType.eq:
      return a === HeapType.i31 || a === HeapType.struct || a === HeapType.array || a === HeapType.none;
    case HeapType.i31:
    case HeapType.struct:
    case HeapType.array:
      return a === HeapType.none;
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
 * Whether heap type `a` is a subtype of `b`. Concrete types are compared by id and their declared supertypes: `ids`
 * maps a module's type indices to ids, or is `null` for canonical types ({@link canonicalType}), whose concrete heap
 * types hold ids already.
 */
export function isHeapSubtype(a: HeapType, b: HeapType, ids: readonly number[] | null): boolean {
  if (a === b || a === BOTTOM_HEAP) return true;
  const ia = heapTypeIndex(a), ib = heapTypeIndex(b);
  if (ia >= 0) {
    const idA = ids === null ? ia : ids[ia];
    if (idA === undefined) return false;
    if (ib >= 0) {
      const idB = ids === null ? ib : ids[ib];
      return idB !== undefined && isIdSubtype(idA, idB);
    }
    const above = kindHeap(kinds[idA]!);
    return b === above || isAbstractSubtype(above, b);
  }
  if (ib >= 0) {
    const idB = ids === null ? ib : ids[ib];
    if (idB === undefined) return false;
    const kind = kinds[idB]!;
    return a === (kind === Kind.func ? HeapType.nofunc : HeapType.none);
  }
  return isAbstractSubtype(a, b);
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

function fieldMatches(a: FieldType, b: FieldType, ids: readonly number[]): boolean {
  if (a.mutable !== b.mutable) return false;
  if (!isSubtype(a.type, b.type, ids)) return false;
  return !a.mutable || isSubtype(b.type, a.type, ids);
}

/** Whether composite type `a` matches `b` (spec 3.0 §3.3.5): functions contra/covariantly, fields by prefix. */
function compMatches(a: CompType, b: CompType, ids: readonly number[]): boolean {
  if (a.kind === "func" && b.kind === "func") {
    return areSubtypes(b.type.params, a.type.params, ids) && areSubtypes(a.type.results, b.type.results, ids);
  }
  if (a.kind === "struct" && b.kind === "struct") {
    return a.fields.length >= b.fields.length && b.fields.every((f, i) => fieldMatches(a.fields[i]!, f, ids));
  }
  if (a.kind === "array" && b.kind === "array") return fieldMatches(a.element, b.element, ids);
  return false;
}

/**
 * The index of the first type whose declared supertypes are invalid (spec 3.0 §3.2.10): more than one, a final
 * one, or one its composite type does not match; or -1. Supertype indices are known to precede their subtypes
 * ({@link firstForwardReference}).
 */
export function firstBadSubtype(module: Module): number {
  const ids = typeIdsOf(module);
  return module.subtypes.findIndex((sub) => {
    if (sub.supertypes.length > 1) return true;
    const x = sub.supertypes[0];
    if (x === undefined) return false;
    const sup = module.subtypes[x]!;
    return sup.final || !compMatches(sub.comp, sup.comp, ids);
  });
}
