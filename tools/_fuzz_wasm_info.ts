/**
 * Reads just enough of a module binary for the fuzz harness: types, imports, exports, and whether the module uses
 * GC. The native engine has no type reflection, so the harness needs this to choose arguments for exports and
 * funcrefs and to show results by type. Built on the project's {@link ByteReader} and value type reader (which
 * read the GC proposal's type forms: `rec` groups, `sub` types, struct and array types, `(ref null? ht)`);
 * malformed input throws their `CompileError`.
 *
 * @module
 */
import { ByteReader } from "../lib/binary/leb128.ts";
import { HeapType, heapTypeIndex, heapTypeOf, isRefType, valTypeName } from "../lib/binary/module.ts";
import { readRefType, readValType } from "../lib/binary/value_types.ts";
import { InstructionReader } from "../lib/binary/instruction_reader.ts";

/**
 * Value type names as the harness uses them: the numeric types, the reference abbreviations `funcref`,
 * `externref` and `exnref`, and every other reference type in Kiln's text form (`(ref null any)`, `(ref 3)`, …).
 */
export type ValName = "i32" | "i64" | "f32" | "f64" | "funcref" | "externref" | "exnref" | "v128" | `(ref ${string})`;

/** A function type with named value types. */
export interface FuncSig {
  params: ValName[];
  results: ValName[];
}

/** What a type index defines: its composite type's kind. */
export type TypeKind = "func" | "struct" | "array";

/** The hierarchy a reference type belongs to, by its heap type: what JS values it can take (see `chooseArgs`). */
export type RefHierarchy = "func" | "extern" | "exn" | "any";

/** What the harness knows about a module. */
export interface WasmInfo {
  /** The kind of each type index (GC modules define struct and array types between function types). */
  typeKinds: TypeKind[];
  /** Signature of every function in the function index space (imports first). */
  funcs: FuncSig[];
  /** Imports in order; a global import has its value type. */
  imports: { module: string; name: string; kind: number; sig?: FuncSig; global?: ValName }[];
  /** Exports in order; `index` is into the index space of `kind` (0 func, 1 table, 2 memory, 3 global). */
  exports: { name: string; kind: number; index: number }[];
  /**
   * Whether the module uses GC: a struct or array type, a reference type of the `any` hierarchy (anyref, eqref,
   * i31ref, structref, arrayref, nullref, concrete struct and array references) anywhere in a type, an import, a
   * table, a global or a local, or an instruction of the GC proposal in a function body.
   */
  usesGc: boolean;
}

/** Whether the value type byte pattern `t` (Kiln's encoding) is a reference into the `any` hierarchy. */
function isAnyHierarchy(t: number, kinds: readonly TypeKind[]): boolean {
  if (!isRefType(t)) return false;
  const heap = heapTypeOf(t);
  const index = heapTypeIndex(heap);
  if (index >= 0) return kinds[index] !== undefined && kinds[index] !== "func";
  return heap === HeapType.any || heap === HeapType.eq || heap === HeapType.i31 || heap === HeapType.struct ||
    heap === HeapType.array || heap === HeapType.none;
}

/** The hierarchy of reference type `name` ({@link ValName}), given the module's type kinds; undefined if numeric. */
export function refHierarchy(name: ValName, kinds: readonly TypeKind[]): RefHierarchy | undefined {
  if (name === "funcref") return "func";
  if (name === "externref") return "extern";
  if (name === "exnref") return "exn";
  if (!name.startsWith("(ref ")) return undefined;
  const heap = name.slice(5, -1).replace(/^null /, "");
  if (/^\d+$/.test(heap)) return kinds[Number(heap)] === "func" ? "func" : "any";
  if (heap === "func" || heap === "nofunc") return "func";
  if (heap === "extern" || heap === "noextern") return "extern";
  if (heap === "exn" || heap === "noexn") return "exn";
  return "any";
}

/** Whether reference type `name` admits null (numeric types: false). */
export function isNullableName(name: ValName): boolean {
  return name === "funcref" || name === "externref" || name === "exnref" || name.startsWith("(ref null ");
}

function readName(r: ByteReader, dec: TextDecoder): string {
  const len = r.u32();
  const name = dec.decode(r.bytes.subarray(r.pos, r.pos + len));
  r.pos += len;
  return name;
}

function skipLimits(r: ByteReader): void {
  const flags = r.u8();
  r.u32();
  if (flags & 1) r.u32();
}

/**
 * Reads instructions from `r` and sets `info.usesGc` at the first one of the GC proposal: up to the first `end`
 * (a constant expression, `constExpr`) or to the reader's end (a function body, stopping early at a GC
 * instruction). The reader of a constant expression is left after its `end`.
 */
function scanInstructions(r: ByteReader, info: WasmInfo, constExpr: boolean): void {
  const reader = new InstructionReader(r);
  try {
    while (r.pos < r.end) {
      const op = reader.next();
      if (reader.info.feature === "gc") info.usesGc = true;
      if (constExpr ? op === 0x0b : info.usesGc) return;
    }
  } catch {
    // An instruction Kiln does not read (a later proposal): the module is classified by what was read.
    if (constExpr) throw new Error("readWasmInfo: unreadable constant expression");
  }
}

/** Options of {@link readWasmInfo}. */
export interface WasmInfoOptions {
  /** Also scan function bodies for GC instructions (for {@link WasmInfo.usesGc}; the harness does not need it). */
  code?: boolean;
}

/**
 * Parses the type, import, function, table, global and export sections of `bytes`, and with `options.code` the
 * function bodies (see {@link WasmInfo.usesGc}).
 */
export function readWasmInfo(bytes: Uint8Array, options: WasmInfoOptions = {}): WasmInfo {
  const r = new ByteReader(bytes);
  r.pos = 8;
  const types: (FuncSig | undefined)[] = [];
  const info: WasmInfo = { typeKinds: [], funcs: [], imports: [], exports: [], usesGc: false };
  const kinds = info.typeKinds;
  // Value types are checked for the any hierarchy once all types are known (a type may refer to a later one).
  const valTypes: number[] = [];
  const valType = (): ValName => {
    const t = readValType(r);
    valTypes.push(t);
    return valTypeName(t) as ValName;
  };
  const noSig: FuncSig = { params: [], results: [] };
  while (r.pos < r.end) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        let group = 1;
        if (r.bytes[r.pos] === 0x4e) {
          r.pos++;
          group = r.u32();
          info.usesGc = true;
        }
        for (let g = 0; g < group; g++) {
          const form = r.bytes[r.pos];
          if (form === 0x50 || form === 0x4f) {
            r.pos++;
            for (let s = r.u32(); s > 0; s--) r.u32();
            info.usesGc = true;
          }
          const comp = r.u8();
          if (comp === 0x60) {
            const params = Array.from({ length: r.u32() }, valType);
            const results = Array.from({ length: r.u32() }, valType);
            types.push({ params, results });
            kinds.push("func");
            continue;
          }
          // A struct (its fields) or an array (one field): storage types are value types or packed i8/i16.
          const fields = comp === 0x5f ? r.u32() : 1;
          for (let f = 0; f < fields; f++) {
            if (r.bytes[r.pos] === 0x78 || r.bytes[r.pos] === 0x77) r.pos++;
            else valType();
            r.u8(); // mutability
          }
          types.push(undefined);
          kinds.push(comp === 0x5f ? "struct" : "array");
          info.usesGc = true;
        }
      }
    } else if (id === 2) {
      const n = r.u32();
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) {
        const module = readName(r, dec);
        const name = readName(r, dec);
        const kind = r.u8();
        if (kind === 0) {
          const sig = types[r.u32()] ?? noSig;
          info.imports.push({ module, name, kind, sig });
          info.funcs.push(sig);
        } else if (kind === 3) {
          const global = valType();
          r.u8();
          info.imports.push({ module, name, kind, global });
        } else {
          if (kind === 1) {
            valTypes.push(readRefType(r));
            skipLimits(r);
          } else if (kind === 2) skipLimits(r);
          else {
            r.u8();
            r.u32();
          }
          info.imports.push({ module, name, kind });
        }
      }
    } else if (id === 3) {
      const n = r.u32();
      for (let i = 0; i < n; i++) info.funcs.push(types[r.u32()] ?? noSig);
    } else if (id === 4) {
      // Tables: the element type (a table with an initializer starts 0x40 0x00); the rest is not needed.
      for (let n = r.u32(); n > 0; n--) {
        const init = r.bytes[r.pos] === 0x40;
        if (init) r.pos += 2;
        valTypes.push(readRefType(r));
        skipLimits(r);
        if (init) scanInstructions(r, info, true);
      }
    } else if (id === 6) {
      for (let n = r.u32(); n > 0; n--) {
        valType();
        r.u8();
        scanInstructions(r, info, true);
      }
    } else if (id === 7) {
      const n = r.u32();
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) {
        const name = readName(r, dec);
        const kind = r.u8();
        info.exports.push({ name, kind, index: r.u32() });
      }
    } else if (id === 10 && options.code) {
      for (let n = r.u32(); n > 0 && !info.usesGc; n--) {
        const bodyEnd = r.u32() + r.pos;
        for (let runs = r.u32(); runs > 0; runs--) {
          r.u32();
          valType();
        }
        const body = new ByteReader(bytes.subarray(0, bodyEnd));
        body.pos = r.pos;
        scanInstructions(body, info, false);
        r.pos = bodyEnd;
      }
    }
    if (!info.usesGc) info.usesGc = valTypes.some((t) => isAnyHierarchy(t, kinds));
    r.pos = end;
  }
  return info;
}
