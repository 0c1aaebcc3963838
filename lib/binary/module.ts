/**
 * The decoded shape of a WebAssembly module (spec §2.5), as the decoder produces it and every later stage
 * (validator, translator, runtime, encoder) reads it. Function bodies stay as byte ranges into `Module.bytes`:
 * the validator walks them eagerly, the translator lazily on a function's first call.
 *
 * Value types are numbers: a numeric type is its binary encoding byte (spec §5.3.1), a reference type packs its heap
 * type and nullability ({@link ValType}), so every stage compares them as integers.
 *
 * @module
 */

/**
 * A value type as one number. Numeric types and the nullable abstract references are their binary encoding byte
 * (`i32` 0x7f, `funcref` 0x70, …); the other reference types pack a heap type and a nullability bit above it:
 *
 * - a heap type ({@link HeapType}) is an abstract heap type's byte (0x69–0x74), or {@link CONCRETE_HEAP} plus the
 *   type index times 1024 for `$t`;
 * - a reference type is its heap type, plus {@link NON_NULL} when not nullable: `(ref null func)` is 0x70,
 *   `(ref func)` 0x170, `(ref null 3)` 0xe00, `(ref 3)` 0xf00.
 *
 * Type indices stay below 2^20 (the decoder's limit on types), so every value type is a small non-negative integer
 * that fits an Int32Array; 0 is never a value type (the validator uses it for the unknown type). See
 * {@link ValType} for the constants.
 */
export type ValType = number;

/** The value types that have a one-byte encoding (spec §5.3). */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
  exnref: 0x69,
  nullfuncref: 0x73,
  nullexternref: 0x72,
  nullexnref: 0x74,
} as const;

/** A heap type: an abstract heap type's byte, or {@link CONCRETE_HEAP} + 1024 × a type index. */
export type HeapType = number;

/** The abstract heap types (spec §2.3.3), as their encoding bytes. */
export const HeapType = {
  func: 0x70,
  extern: 0x6f,
  exn: 0x69,
  nofunc: 0x73,
  noextern: 0x72,
  noexn: 0x74,
  any: 0x6e,
  eq: 0x6d,
  i31: 0x6c,
  struct: 0x6b,
  array: 0x6a,
  none: 0x71,
} as const;

/** The bit a non-nullable reference type adds to its heap type. */
export const NON_NULL = 0x100;
/** The bit a concrete heap type (a type index) carries; the index is the number divided by 1024. */
export const CONCRETE_HEAP = 0x200;

/** The heap type `$index`. */
export function concreteHeap(index: number): HeapType {
  return CONCRETE_HEAP + index * 1024;
}

/** The reference type `(ref null? heap)`. */
export function refType(heap: HeapType, nullable: boolean): ValType {
  return nullable ? heap : heap + NON_NULL;
}

/** Whether a value type is a reference type. */
export function isRefType(t: ValType): boolean {
  return t !== 0 && (t < 0x7b || t > 0x7f);
}

/** A reference type's heap type. */
export function heapTypeOf(t: ValType): HeapType {
  return t & ~NON_NULL;
}

/** Whether a reference type admits null. */
export function isNullable(t: ValType): boolean {
  return (t & NON_NULL) === 0;
}

/** The type index of a concrete heap type, or -1 for an abstract one. */
export function heapTypeIndex(heap: HeapType): number {
  return heap & CONCRETE_HEAP ? (heap - CONCRETE_HEAP) / 1024 : -1;
}

/**
 * How values of type `t` are stored and cross the JS boundary: `t` itself for numeric types, else the top of the
 * reference's hierarchy (funcref for function references, externref, exnref).
 */
export function storageType(t: ValType): ValType {
  if (!isRefType(t)) return t;
  const heap = heapTypeOf(t);
  if (heap & CONCRETE_HEAP) return ValType.funcref;
  switch (heap) {
    case HeapType.nofunc:
      return ValType.funcref;
    case HeapType.noextern:
      return ValType.externref;
    case HeapType.noexn:
      return ValType.exnref;
  }
  return heap;
}

const HEAP_NAMES: Record<number, string> = {
  0x70: "func",
  0x6f: "extern",
  0x69: "exn",
  0x73: "nofunc",
  0x72: "noextern",
  0x74: "noexn",
  0x6e: "any",
  0x6d: "eq",
  0x6c: "i31",
  0x6b: "struct",
  0x6a: "array",
  0x71: "none",
};

/** The text-format name of a heap type: `func`, `3`, … */
export function heapTypeName(heap: HeapType): string {
  const index = heapTypeIndex(heap);
  return index >= 0 ? String(index) : HEAP_NAMES[heap] ?? `<heap 0x${heap.toString(16)}>`;
}

/** The block type `[] -> []`, the byte 0x40 in a `blocktype`. */
export const EMPTY_BLOCK_TYPE = 0x40;

/** The text-format name of a value type, for messages: `i32`, `funcref`, `(ref 3)`, … */
export function valTypeName(t: ValType): string {
  switch (t) {
    case 0x7f:
      return "i32";
    case 0x7e:
      return "i64";
    case 0x7d:
      return "f32";
    case 0x7c:
      return "f64";
    case 0x7b:
      return "v128";
    case 0x70:
      return "funcref";
    case 0x6f:
      return "externref";
    case 0x69:
      return "exnref";
  }
  if (!isRefType(t)) return `<type 0x${t.toString(16)}>`;
  return `(ref ${isNullable(t) ? "null " : ""}${heapTypeName(heapTypeOf(t))})`;
}

/** A function type `[params] -> [results]` (spec §2.3.5). */
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** The packed storage types of struct and array fields (spec 3.0 §2.3.6), as their encoding bytes. */
export const PackedType = { i8: 0x78, i16: 0x77 } as const;

/** A field of a struct or an array's element: a value type or a {@link PackedType}, and its mutability. */
export interface FieldType {
  readonly type: number;
  readonly mutable: boolean;
}

/** A composite type (spec 3.0 §2.3.6): a function, struct or array type. */
export type CompType =
  | { readonly kind: "func"; readonly type: FuncType }
  | { readonly kind: "struct"; readonly fields: readonly FieldType[] }
  | { readonly kind: "array"; readonly element: FieldType };

/**
 * A defined type (spec 3.0 §2.3.7): a composite type with its declared supertypes (at most one is valid), its
 * finality (`(type (func))` is `(sub final (func))`), and the recursion group it belongs to, as the index of the
 * group's first type and the group's size.
 */
export interface SubType {
  readonly comp: CompType;
  readonly final: boolean;
  readonly supertypes: readonly number[];
  readonly recStart: number;
  readonly recSize: number;
}

/**
 * What {@link Module.types} holds at the index of a struct or array type: a function type no value can have, so
 * code that reads a function type where the validator guarantees one never meets it.
 */
export const NOT_A_FUNC_TYPE: FuncType = Object.freeze({ params: Object.freeze([]), results: Object.freeze([]) });

/** The function type at type index `index`, or `undefined` when there is no such type or it is no function type. */
export function funcTypeAt(module: Module, index: number): FuncType | undefined {
  const sub = module.subtypes[index];
  return sub?.comp.kind === "func" ? sub.comp.type : undefined;
}

/**
 * Size limits of a memory (in 64 KiB pages) or a table (in elements) (spec §2.3.7). Numbers: a 64-bit table's
 * limits are u64s, exact below 2^53 (larger ones only ever meet validation's bound and "cannot allocate").
 */
export interface Limits {
  readonly min: number;
  readonly max?: number;
}

/**
 * The address type of a memory or table (spec 3.0 §2.3.7, memory64): `i64` for 64-bit addresses and indices. The
 * JS API calls it the same (`new Memory({ address: "i64", … })`).
 */
export type AddressType = "i32" | "i64";

/** A table's type: address type, element reference type and limits; a defined table may have an initializer (3.0). */
export interface TableType {
  readonly address: AddressType;
  readonly elem: ValType;
  readonly limits: Limits;
  /** The value every element starts with (`ref.null` of the element type when absent). */
  readonly init?: ConstExpr;
}

/** A memory's type. `shared` is part of the threads proposal, decoded so it can be reported as unsupported. */
export interface MemoryType {
  readonly address: AddressType;
  readonly limits: Limits;
  readonly shared: boolean;
}

/** A global's type. */
export interface GlobalType {
  readonly type: ValType;
  readonly mutable: boolean;
}

/** The five kinds of external values (spec §2.5.10; `tag` since 3.0's exception handling). */
export type ExternKind = "func" | "table" | "memory" | "global" | "tag";

/** What an import asks for. */
export type ImportDesc =
  | { readonly kind: "func"; readonly typeIndex: number }
  | { readonly kind: "table"; readonly type: TableType }
  | { readonly kind: "memory"; readonly type: MemoryType }
  | { readonly kind: "global"; readonly type: GlobalType }
  | { readonly kind: "tag"; readonly typeIndex: number };

/** One entry of the import section. */
export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}

/** One entry of the export section; `index` is into the index space of `kind`. */
export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}

/**
 * One instruction of a constant expression (spec §3.3.10). Floats keep their raw bits so NaN payloads survive, a
 * `v128.const` its 16 bytes (lane 0 first, a copy of the module's bytes);
 * i64 is a BigInt here (cold path, decoded once). Extended-const arithmetic (`i32.add` etc.) is decoded as `binary`
 * so the validator can report it as an unsupported feature or accept it once implemented.
 */
export type ConstInstr =
  | { readonly op: "i32.const"; readonly value: number }
  | { readonly op: "i64.const"; readonly value: bigint }
  | { readonly op: "f32.const"; readonly bits: number }
  | { readonly op: "f64.const"; readonly bits: bigint }
  | { readonly op: "v128.const"; readonly bytes: Uint8Array }
  | { readonly op: "ref.null"; readonly type: ValType }
  | { readonly op: "ref.func"; readonly funcIndex: number }
  | { readonly op: "global.get"; readonly globalIndex: number }
  | { readonly op: "binary"; readonly opcode: number; readonly name: string }
  | {
    /** A constant GC instruction (`0xfb` `sub`): `typeIndex` for the allocations, `count` for `array.new_fixed`. */
    readonly op: "gc";
    readonly sub: number;
    readonly name: string;
    readonly typeIndex: number;
    readonly count: number;
  };

/** A constant expression: its instructions (without the final `end`) and the byte offset where it starts. */
export interface ConstExpr {
  readonly instrs: readonly ConstInstr[];
  readonly offset: number;
}

/** A defined global: its type and initializer. */
export interface Global {
  readonly type: GlobalType;
  readonly init: ConstExpr;
}

/** An element segment (spec §2.5.7). Function-index forms are decoded as `ref.func` expressions. */
export interface ElemSegment {
  readonly mode: "active" | "passive" | "declarative";
  /** Table index, for active segments. */
  readonly table: number;
  /** Offset expression, for active segments. */
  readonly offset?: ConstExpr;
  readonly type: ValType;
  readonly init: readonly ConstExpr[];
}

/** A data segment (spec §2.5.8). `bytes` is a view into the module's bytes. */
export interface DataSegment {
  readonly mode: "active" | "passive";
  readonly memory: number;
  readonly offset?: ConstExpr;
  readonly bytes: Uint8Array;
}

/** A run of locals of one type, as the code section declares them. */
export interface LocalRun {
  readonly count: number;
  readonly type: ValType;
}

/** A function body: its declared locals and the byte range of its instructions (up to and including `end`). */
export interface FuncBody {
  readonly locals: readonly LocalRun[];
  /** Total number of declared locals (sum of the runs), checked to fit in 32 bits by the decoder. */
  readonly localCount: number;
  /** Offset in `Module.bytes` of the first instruction. */
  readonly start: number;
  /** Offset in `Module.bytes` just past the final `end`. */
  readonly end: number;
}

/** The `name` custom section, where present and well-formed (spec appendix 7.4). */
export interface NameSection {
  module?: string;
  readonly functions: Map<number, string>;
  readonly locals: Map<number, Map<number, string>>;
}

/** A custom section, kept as raw bytes. */
export interface CustomSection {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A decoded module. Index spaces (funcs, tables, memories, globals) start with the imports of that kind. */
export interface Module {
  readonly bytes: Uint8Array;
  /**
   * The function type of each type index ({@link NOT_A_FUNC_TYPE} at a struct or array type's); see `subtypes` for
   * the full definitions.
   */
  readonly types: readonly FuncType[];
  /** Each type index's definition: composite type, supertypes, finality, recursion group (GC). */
  readonly subtypes: readonly SubType[];
  readonly imports: readonly Import[];
  /** Type index of each defined (non-imported) function. */
  readonly funcs: readonly number[];
  readonly tables: readonly TableType[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly Global[];
  /** Type index of each defined (non-imported) tag (spec §2.5.6); the type is a function type without results. */
  readonly tags: readonly number[];
  readonly exports: readonly Export[];
  readonly start?: number;
  readonly elems: readonly ElemSegment[];
  readonly datas: readonly DataSegment[];
  /** The data count section's value, where present. */
  readonly dataCount?: number;
  /** One body per defined function, in the same order as `funcs`. */
  readonly codes: readonly FuncBody[];
  readonly names: NameSection;
  readonly customs: readonly CustomSection[];
  /** Counts of imported entities per kind, so `index - importedFuncs` is a defined function's position. */
  readonly importedFuncs: number;
  readonly importedTables: number;
  readonly importedMemories: number;
  readonly importedGlobals: number;
  readonly importedTags: number;
}

/** The type index of import or definition `index` of a function or tag index space (imports first). */
function spaceTypeIndex(module: Module, kind: "func" | "tag", index: number): number {
  const imported = kind === "func" ? module.importedFuncs : module.importedTags;
  if (index >= imported) return (kind === "func" ? module.funcs : module.tags)[index - imported]!;
  let seen = 0;
  for (const imp of module.imports) {
    if (imp.desc.kind === kind && seen++ === index) return imp.desc.typeIndex;
  }
  throw new RangeError(`no ${kind} ${index}`);
}

/** The type index of tag `index` in the module's tag index space (imports first). */
export function tagTypeIndexOf(module: Module, index: number): number {
  return spaceTypeIndex(module, "tag", index);
}

/** The type index of function `index` in the module's function index space (imports first). */
export function funcTypeIndexOf(module: Module, index: number): number {
  return spaceTypeIndex(module, "func", index);
}

/** The type of function `index` in the module's function index space (imports first). */
export function funcTypeOf(module: Module, index: number): FuncType {
  return module.types[funcTypeIndexOf(module, index)]!;
}

/** Which memories and tables of a module have the 64-bit address type (memory64), by index (imports first). */
export interface WideAddresses {
  readonly memories: readonly boolean[];
  readonly tables: readonly boolean[];
}

/** The {@link WideAddresses} of a module: what the translator and the fuel instrumenter ask per memory and table. */
export function wideAddresses(module: Module): WideAddresses {
  const memories: boolean[] = [], tables: boolean[] = [];
  for (const imp of module.imports) {
    if (imp.desc.kind === "memory") memories.push(imp.desc.type.address === "i64");
    else if (imp.desc.kind === "table") tables.push(imp.desc.type.address === "i64");
  }
  for (const m of module.memories) memories.push(m.address === "i64");
  for (const t of module.tables) tables.push(t.address === "i64");
  return { memories, tables };
}
