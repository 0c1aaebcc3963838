/**
 * The decoded shape of a WebAssembly module (spec §2.5), as the decoder produces it and every later stage
 * (validator, translator, runtime, encoder) reads it. Function bodies stay as byte ranges into `Module.bytes`:
 * the validator walks them eagerly, the translator lazily on a function's first call.
 *
 * Value types are kept as their binary encoding byte (spec §5.3.1), so no stage needs a mapping table.
 *
 * @module
 */

/** A value type, as its binary encoding byte. See {@link ValType} for the constants. */
export type ValType = number;

/** The value-type bytes of the binary format (spec §5.3). */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
} as const;

/** Block type `[] -> []`, the byte 0x40 in a `blocktype`. */
export const EMPTY_BLOCK_TYPE = 0x40;

/** Whether a value type is a reference type (funcref or externref). */
export function isRefType(t: ValType): boolean {
  return t === ValType.funcref || t === ValType.externref;
}

/** The text-format name of a value type, for messages: `i32`, `funcref`, … */
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
    default:
      return `<type 0x${t.toString(16)}>`;
  }
}

/** A function type `[params] -> [results]` (spec §2.3.5). */
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** Size limits of a memory (in 64 KiB pages) or a table (in elements) (spec §2.3.7). */
export interface Limits {
  readonly min: number;
  readonly max?: number;
}

/** A table's type: element reference type and limits. */
export interface TableType {
  readonly elem: ValType;
  readonly limits: Limits;
}

/** A memory's type. `shared` is part of the threads proposal, decoded so it can be reported as unsupported. */
export interface MemoryType {
  readonly limits: Limits;
  readonly shared: boolean;
}

/** A global's type. */
export interface GlobalType {
  readonly type: ValType;
  readonly mutable: boolean;
}

/** The four kinds of external values (spec §2.5.10). */
export type ExternKind = "func" | "table" | "memory" | "global";

/** What an import asks for. */
export type ImportDesc =
  | { readonly kind: "func"; readonly typeIndex: number }
  | { readonly kind: "table"; readonly type: TableType }
  | { readonly kind: "memory"; readonly type: MemoryType }
  | { readonly kind: "global"; readonly type: GlobalType };

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
 * One instruction of a constant expression (spec §3.3.10). Floats keep their raw bits so NaN payloads survive;
 * i64 is a BigInt here (cold path, decoded once). Extended-const arithmetic (`i32.add` etc.) is decoded as `binary`
 * so the validator can report it as an unsupported feature or accept it once implemented.
 */
export type ConstInstr =
  | { readonly op: "i32.const"; readonly value: number }
  | { readonly op: "i64.const"; readonly value: bigint }
  | { readonly op: "f32.const"; readonly bits: number }
  | { readonly op: "f64.const"; readonly bits: bigint }
  | { readonly op: "ref.null"; readonly type: ValType }
  | { readonly op: "ref.func"; readonly funcIndex: number }
  | { readonly op: "global.get"; readonly globalIndex: number }
  | { readonly op: "binary"; readonly opcode: number; readonly name: string };

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
  readonly types: readonly FuncType[];
  readonly imports: readonly Import[];
  /** Type index of each defined (non-imported) function. */
  readonly funcs: readonly number[];
  readonly tables: readonly TableType[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly Global[];
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
}

/** The type of function `index` in the module's function index space (imports first). */
export function funcTypeOf(module: Module, index: number): FuncType {
  if (index < module.importedFuncs) {
    let seen = 0;
    for (const imp of module.imports) {
      if (imp.desc.kind === "func") {
        if (seen === index) return module.types[imp.desc.typeIndex]!;
        seen++;
      }
    }
  }
  return module.types[module.funcs[index - module.importedFuncs]!]!;
}
