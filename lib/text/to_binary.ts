/**
 * Module text → binary (spec §6.6 resolved to §5): parses the fields of a `(module …)` S-expression, resolves
 * symbolic names in every index space, expands all abbreviations (inline imports/exports, inline and implicit
 * type uses, inline `elem`/`data` in tables and memories, offset abbreviations) and encodes the binary module.
 * Instructions are encoded straight from the tree with the opcode table (`OPS_BY_NAME`); nothing re-lists opcodes.
 *
 * Numeric indices are encoded as written even when out of range: that is the validator's business.
 *
 * @module
 */

import { ByteWriter } from "../binary/leb128.ts";
import { concreteHeap, HeapType, heapTypeOf, isNullable, isRefType, refType } from "../binary/module.ts";
import { encodeHeapType, encodeValTypes } from "../binary/value_types.ts";
import { FRONT_END_FEATURES, mnemonicFeature, type OpInfo, OPS_BY_NAME } from "../binary/opcodes.ts";
import { UnsupportedFeatureError } from "../errors.ts";
import {
  AFTER_LAST,
  annotationsOf,
  BRANCH_HINT,
  checkAnnotationsUsed,
  CUSTOM,
  type CustomSection,
  NAME,
  readBranchHint,
  readCustomAnnotation,
  readNameAnnotation,
  writeSections,
} from "./annotations.ts";
import {
  parseF32,
  parseF64,
  parseInt,
  parseLane,
  parseNat,
  parseU32,
  RangeLiteralError,
  setLane,
  V128_SHAPES,
} from "./numbers.ts";
import {
  CustomAnnotationError,
  headOf,
  isAtom,
  isId,
  isList,
  type Matched,
  type Pos,
  type SAnnot,
  type SAtom,
  type SExpr,
  type SList,
  type SString,
  stringText,
  WatParseError,
} from "./sexpr.ts";

type Space = "func" | "table" | "memory" | "global" | "type" | "elem" | "data" | "tag";

interface FuncSig {
  params: number[];
  results: number[];
}

/** One defined type: its function signature (empty for struct and array types), and how it encodes. */
interface TypeDef {
  /** The encoded `subtype` (spec 3.0 §5.3.7). */
  bytes: number[];
  /** At a recursion group's first type, the group's size; 0 for its other types. */
  recSize: number;
  /** Whether the type was written inside `(rec …)`: its group is encoded with the `rec` prefix. */
  inRec: boolean;
  /** A final function type without supertypes, alone in its group: what an inline type use may reuse. */
  plain: boolean;
}

interface TypeUse {
  index: number;
  paramNames: (string | undefined)[];
  paramCount: number;
}

interface FuncDef {
  type: TypeUse;
  locals: number[];
  localNames: (string | undefined)[];
  body: SExpr[];
  pos: Pos;
  /** The `(func …)` list, for its branch hint annotations. */
  list: SList;
}

interface ElemSeg {
  mode: "active" | "passive" | "declare";
  table: number;
  offset: SExpr[] | null;
  refType: number;
  /** Function indices (funcidx form) or expressions (expr form). */
  funcs: (SAtom)[] | null;
  exprs: SExpr[][] | null;
  pos: Pos;
}

interface DataSeg {
  active: boolean;
  memory: number;
  offset: SExpr[] | null;
  bytes: Uint8Array;
}

const VALTYPES: Record<string, number> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
  nullfuncref: 0x73,
  nullexternref: 0x72,
  exnref: 0x69,
  nullexnref: 0x74,
};
/** GC's reference type abbreviations (spec 3.0 §6.4.3). */
const GC_REFTYPES: Record<string, number> = {
  anyref: HeapType.any,
  eqref: HeapType.eq,
  i31ref: HeapType.i31,
  structref: HeapType.struct,
  arrayref: HeapType.array,
  nullref: HeapType.none,
};
/** The abstract heap types, by text name. */
const HEAP_TYPES: Record<string, number> = Object.fromEntries(
  (["func", "extern", "exn", "nofunc", "noextern", "noexn", "any", "eq", "i31", "struct", "array", "none"] as const)
    .map((name) => [name, HeapType[name]]),
);

const SPACE_WORD: Record<Space, string> = {
  func: "function",
  table: "table",
  memory: "memory",
  global: "global",
  type: "type",
  elem: "elem segment",
  data: "data segment",
  tag: "tag",
};

function fail(reason: string, at: Pos | undefined): never {
  throw new WatParseError(reason, at);
}

function unsupported(feature: string): never {
  throw new UnsupportedFeatureError(feature);
}

function u32Of(a: SExpr | undefined, what = "unexpected token"): number {
  if (!isAtom(a)) fail(what, a);
  try {
    const n = parseU32(a.text);
    if (n === null) fail(what, a);
    return n;
  } catch (e) {
    if (e instanceof RangeLiteralError) fail("constant out of range", a);
    throw e;
  }
}

/** A u64 literal (limits, offsets, alignments): validation, not the parser, judges their range. */
function u64Of(a: SExpr | undefined, what = "unexpected token"): bigint {
  if (!isAtom(a)) fail(what, a);
  const n = parseNat(a.text);
  if (n === null) fail(what, a);
  if (n > 0xffff_ffff_ffff_ffffn) fail("constant out of range", a);
  return n;
}

/** Writes an unsigned LEB128 of a u64 (the `ByteWriter.u32` covers only safe integers). */
function writeU64(w: ByteWriter, n: bigint): void {
  if (n <= BigInt(Number.MAX_SAFE_INTEGER)) {
    w.u32(Number(n));
    return;
  }
  do {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    w.u8(n !== 0n ? byte | 0x80 : byte);
  } while (n !== 0n);
}

function isIndexAtom(e: SExpr | undefined): e is SAtom & Matched {
  return isAtom(e) && (e.text.startsWith("$") || /^(0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/.test(e.text));
}

/**
 * The offset expression `(i32.const 0)` of inline `elem`/`data` abbreviations; `(i64.const 0)` in a table or memory
 * of the 64-bit address type (memory64).
 */
function zeroOffset(at: Pos, address64 = false): SList {
  const pos = { line: at.line, col: at.col };
  return {
    kind: "list",
    items: [{ kind: "atom", text: address64 ? "i64.const" : "i32.const", ...pos }, { kind: "atom", text: "0", ...pos }],
    ...pos,
  };
}

/**
 * The natural alignment in bytes of a load or store mnemonic (`i64.load16_s` → 2; SIMD: `v128.load` 16,
 * `v128.load8x8_s` 8, `v128.load32_splat`/`_zero`/`_lane` 4).
 */
function natAlign(name: string): number {
  if (name.startsWith("v128.")) {
    const n = /(?:load|store)(8|16|32|64)_/.exec(name);
    if (n) return Number(n[1]) / 8;
    return /x/.test(name.slice(5)) ? 8 : 16;
  }
  const m = /\.(?:load|store)(8|16|32)/.exec(name);
  if (m) return Number(m[1]) / 8;
  return name.startsWith("i64") || name.startsWith("f64") ? 8 : 4;
}

/** Appends `n` as an unsigned LEB128 to `out`. */
function writeU32(out: number[], n: number): void {
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? byte : byte | 0x80);
  } while (n !== 0);
}

/** A function type's encoding (`0x60 params results`). */
function funcTypeBytes(sig: FuncSig): number[] {
  const bytes = [0x60];
  writeU32(bytes, sig.params.length);
  bytes.push(...encodeValTypes(sig.params));
  writeU32(bytes, sig.results.length);
  bytes.push(...encodeValTypes(sig.results));
  return bytes;
}

function sameSig(a: FuncSig, b: FuncSig): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((t, i) => t === b.params[i]) && a.results.every((t, i) => t === b.results[i]);
}

/**
 * Encodes one module to binary: the fields are `list.items` from `first` on (after `module` and its optional name),
 * and `list.annots` holds the module's own annotations.
 */
export function encodeModuleList(list: SList, first: number, moduleName?: string): Uint8Array {
  const encoder = new ModuleEncoder(list);
  encoder.moduleName = moduleName;
  return encoder.encode(list, first);
}

/** The name section's subsection id of each index space `@name` may name (extended name section). */
const NAME_SUBSECTION: Partial<Record<Space, number>> = {
  type: 4,
  table: 5,
  memory: 6,
  global: 7,
  elem: 8,
  data: 9,
  tag: 11,
};

/**
 * The `name` custom section's contents (spec §7.4.2), or null when nothing is named: module, function and local
 * names from identifiers, each replaced by its `@name` annotation when there is one, and the names `@name`
 * annotations give in the other index spaces.
 */
function nameSection(m: ModuleEncoder): Uint8Array | null {
  const body = new ByteWriter();
  const sub = (id: number, content: ByteWriter) => {
    const bytes = content.finish();
    body.u8(id).u32(bytes.length).bytes(bytes);
  };
  const nameMap = (names: Map<number, string>) => {
    const w = new ByteWriter().u32(names.size);
    for (const [index, name] of [...names].sort((a, b) => a[0] - b[0])) w.u32(index).name(name);
    return w;
  };
  const idName = (id: string) => id.slice(1);
  const moduleName = m.annotNames.module ?? (m.moduleName && idName(m.moduleName));
  if (moduleName !== undefined) sub(0, new ByteWriter().name(moduleName));
  const funcs = new Map([...m.names.func].map(([id, index]) => [index, idName(id)]));
  for (const [index, name] of m.annotNames.spaces.func ?? []) funcs.set(index, name);
  if (funcs.size) sub(1, nameMap(funcs));
  const imported = m.counts.func - m.funcs.length;
  const locals = new Map<number, Map<number, string>>();
  m.funcs.forEach((f, i) => {
    const names = new Map<number, string>();
    f.localNames.forEach((n, local) => n !== undefined && names.set(local, idName(n)));
    for (const [local, name] of m.annotNames.locals.get(imported + i) ?? []) names.set(local, name);
    if (names.size) locals.set(imported + i, names);
  });
  if (locals.size) {
    const w = new ByteWriter().u32(locals.size);
    for (const [index, names] of locals) w.u32(index).bytes(nameMap(names).finish());
    sub(2, w);
  }
  const spaces = Object.entries(NAME_SUBSECTION).sort((a, b) => a[1] - b[1]) as [Space, number][];
  for (const [space, id] of spaces) {
    const names = m.annotNames.spaces[space];
    if (names?.size) sub(id, nameMap(names));
  }
  return body.length === 0 ? null : body.finish();
}

/** The `metadata.code.branch_hint` section's contents (branch hinting proposal), or null without hints. */
function branchHintSection(hints: [number, [number, number][]][]): Uint8Array | null {
  if (hints.length === 0) return null;
  const w = new ByteWriter().u32(hints.length);
  for (const [func, list] of hints) {
    w.u32(func).u32(list.length);
    // Each hint: the instruction's offset from the function body's start, the payload size (1), the hint byte.
    for (const [offset, value] of list) w.u32(offset).u32(1).u8(value);
  }
  return w.finish();
}

class ModuleEncoder {
  types: FuncSig[] = [];
  typeDefs: TypeDef[] = [];
  /** Empty `(rec)` groups: they define no type, but are encoded. */
  emptyRecs = 0;
  /** Struct types' field names: type index → name → field index. */
  fieldNames = new Map<number, Map<string, number>>();
  typeNames = new Map<string, number>();
  /** Explicit types' parameter names (ignored for locals, kept for completeness). */
  names: Record<Space, Map<string, number>> = {
    func: new Map(),
    table: new Map(),
    memory: new Map(),
    global: new Map(),
    type: this.typeNames,
    elem: new Map(),
    data: new Map(),
    tag: new Map(),
  };
  counts: Record<Space, number> = { func: 0, table: 0, memory: 0, global: 0, type: 0, elem: 0, data: 0, tag: 0 };
  imports = new ByteWriter();
  importCount = 0;
  funcs: FuncDef[] = [];
  /** Table entries, each written once all names are known (an initializer may name a later function). */
  tables: (() => Uint8Array | number[])[] = [];
  tableCount = 0;
  memories = new ByteWriter();
  memoryCount = 0;
  globals: { type: Uint8Array; init: SExpr[] }[] = [];
  /** Type indices of the defined tags. */
  tags: number[] = [];
  exports = new ByteWriter();
  exportCount = 0;
  /** Exports in text order, resolved after all fields so that they may name later definitions. */
  pendingExports: { name: SString; kind: number; index: number | SAtom }[] = [];
  start: SAtom | null = null;
  elems: ElemSeg[] = [];
  datas: DataSeg[] = [];
  usesDataCount = false;
  lastDefinition: string | null = null;
  funcTypeIndices: number[] = [];

  /** The module's `$name`, for the name section. */
  moduleName: string | undefined;

  /** The annotations given a meaning so far; any other `@custom`, `@name` or branch hint one is misplaced. */
  used = new Set<SAnnot>();
  /** The `@custom` sections, in text order. */
  customs: CustomSection[] = [];
  /** Names from `@name` annotations: the module's, locals' by function index, the other spaces' by index. */
  annotNames = {
    module: undefined as string | undefined,
    locals: new Map<number, Map<number, string>>(),
    spaces: {} as Partial<Record<Space, Map<number, string>>>,
  };
  /** Branch hints by function index: [offset from the body's start, hint]. */
  branchHints: [number, [number, number][]][] = [];

  constructor(readonly at: Pos) {}

  encode(list: SList, first: number): Uint8Array {
    const fields = list.items.slice(first);
    this.moduleAnnotations(list, first);
    // Type names first: a type may refer to a later one (`(ref $t)`), and so may anything else.
    let typeCount = 0;
    for (const f of fields) {
      if (!isList(f)) fail("unexpected token", f);
      if (headOf(f) === "type") {
        this.nameAnnotation(f as SList, "type", typeCount);
        this.bind("type", isId(f.items[1]) ? f.items[1] : undefined, typeCount++);
      }
      if (headOf(f) === "rec") {
        for (const t of (f as SList).items.slice(1)) {
          if (!isList(t, "type")) fail("unexpected token", t);
          this.nameAnnotation(t, "type", typeCount);
          this.bind("type", isId(t.items[1]) ? t.items[1] : undefined, typeCount++);
        }
      }
    }
    for (const f of fields) {
      if (headOf(f) === "type") this.typeField(f as SList, 1, false);
      else if (headOf(f) === "rec") {
        const group = (f as SList).items.slice(1) as SList[];
        if (group.length === 0) this.emptyRecs++;
        group.forEach((t, k) => this.typeField(t, k === 0 ? group.length : 0, true));
      }
    }
    for (const f of fields) this.field(f as SList);
    for (const e of this.pendingExports) {
      const space = (["func", "table", "memory", "global", "tag"] as const)[e.kind]!;
      const index = typeof e.index === "number" ? e.index : this.index(space, e.index);
      stringText(e.name);
      this.exports.u32(e.name.bytes.length).bytes(e.name.bytes).u8(e.kind).u32(index);
      this.exportCount++;
    }
    const code = new ByteWriter();
    code.u32(this.funcs.length);
    const imported = this.counts.func - this.funcs.length;
    this.funcs.forEach((fn, i) => code.bytes(this.funcBody(fn, imported + i)));
    const elemBytes = this.elemSection();
    const dataBytes = this.dataSection();
    const globalBytes = this.globalSection();
    const startIdx = this.start ? this.index("func", this.start) : -1;

    const sections = new Map<number, Uint8Array>();
    const section = (id: number, body: ByteWriter | Uint8Array) => {
      sections.set(id, body instanceof ByteWriter ? body.finish() : body);
    };
    const vec = (count: number, body: ByteWriter) => {
      const w = new ByteWriter();
      w.u32(count).bytes(body.finish());
      return w;
    };
    if (this.types.length || this.emptyRecs) {
      const w = new ByteWriter();
      w.u32(this.typeDefs.filter((t) => t.recSize > 0).length + this.emptyRecs);
      for (let n = 0; n < this.emptyRecs; n++) w.u8(0x4e).u8(0);
      for (const t of this.typeDefs) {
        if (t.recSize > 0 && t.inRec) w.u8(0x4e).u32(t.recSize);
        w.bytes(t.bytes);
      }
      section(1, w);
    }
    if (this.importCount) section(2, vec(this.importCount, this.imports));
    if (this.funcs.length) {
      const w = new ByteWriter();
      w.u32(this.funcs.length);
      for (const fn of this.funcs) w.u32(fn.type.index);
      section(3, w);
    }
    if (this.tableCount) {
      const w = new ByteWriter();
      for (const entry of this.tables) w.bytes(entry());
      section(4, vec(this.tableCount, w));
    }
    if (this.memoryCount) section(5, vec(this.memoryCount, this.memories));
    if (this.tags.length) {
      const w = new ByteWriter().u32(this.tags.length);
      for (const t of this.tags) w.u8(0).u32(t);
      section(13, w);
    }
    if (this.globals.length) section(6, globalBytes);
    if (this.exportCount) section(7, vec(this.exportCount, this.exports));
    if (startIdx >= 0) section(8, new ByteWriter().u32(startIdx));
    if (this.elems.length) section(9, elemBytes);
    if (this.usesDataCount) section(12, new ByteWriter().u32(this.datas.length));
    if (this.funcs.length) section(10, code);
    if (this.datas.length) section(11, dataBytes);
    if (list.annotated) checkAnnotationsUsed(list, this.used);
    // Generated sections follow the `@custom` ones of their place: branch hints before the code, names last.
    const customs = [...this.customs];
    const hints = branchHintSection(this.branchHints);
    if (hints) customs.push({ name: BRANCH_HINT, content: hints, place: { before: true, section: "code" } });
    const names = nameSection(this);
    if (names) customs.push({ name: "name", content: names, place: AFTER_LAST });
    const out = new ByteWriter();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    writeSections(out, sections, customs);
    return out.finish();
  }

  // ---- annotations ----

  /** Reads the module's `@custom` annotations, and its `@name` (written before its first field). */
  moduleAnnotations(list: SList, first: number): void {
    for (const a of annotationsOf(list, CUSTOM)) {
      this.customs.push(readCustomAnnotation(a));
      this.used.add(a);
    }
    for (const a of annotationsOf(list, NAME)) {
      if (a.index > first) continue; // after a field: misplaced
      const name = readNameAnnotation(a);
      if (this.annotNames.module !== undefined) {
        throw new CustomAnnotationError("@name annotation: multiple module names", a);
      }
      this.annotNames.module = name;
      this.used.add(a);
    }
  }

  /**
   * Reads the `@name` annotation of a definition (`def` is its list, such as `(func $f? (@name "…") …)`): the only
   * place it may be written is right after the optional identifier.
   */
  nameAnnotation(def: SList, space: Space, index: number): void {
    const at = isId(def.items[1]) ? 2 : 1;
    for (const a of annotationsOf(def, NAME)) {
      if (a.index !== at) continue;
      const name = readNameAnnotation(a);
      const names = this.annotNames.spaces[space] ??= new Map();
      if (names.has(index)) throw new CustomAnnotationError("@name annotation: multiple names", a);
      names.set(index, name);
      this.used.add(a);
    }
  }

  /**
   * Reads the `@name` annotations of a function's parameters and locals, `(param $x? (@name "…") t)` and
   * `(local $x? (@name "…") t)`: one value type per annotated declaration.
   */
  localNameAnnotations(items: SExpr[], funcIndex: number, paramCount: number): void {
    let params = 0, locals = 0;
    for (const d of items) {
      const head = headOf(d);
      if (head !== "param" && head !== "local") continue;
      const l = d as SList;
      const types = l.items.length - (isId(l.items[1]) ? 2 : 1);
      const first = head === "param" ? params : paramCount + locals;
      if (head === "param") params += types;
      else locals += types;
      const at = isId(l.items[1]) ? 2 : 1;
      for (const a of annotationsOf(l, NAME)) {
        if (a.index !== at || types !== 1) continue;
        const name = readNameAnnotation(a);
        const names = this.annotNames.locals.get(funcIndex) ?? new Map<number, string>();
        this.annotNames.locals.set(funcIndex, names);
        if (names.has(first)) throw new CustomAnnotationError("@name annotation: multiple local names", a);
        names.set(first, name);
        this.used.add(a);
      }
    }
  }

  /**
   * Maps each instruction of a function body that a branch hint annotation precedes to that annotation (reading
   * its value). Two hints for one instruction are malformed.
   */
  branchHintTargets(f: SList): Map<SExpr, [SAnnot, number]> {
    const targets = new Map<SExpr, [SAnnot, number]>();
    const walk = (l: SList) => {
      for (const a of annotationsOf(l, BRANCH_HINT)) {
        const target = l.items[a.index];
        if (target === undefined) continue; // no instruction follows: misplaced
        if (targets.has(target)) {
          throw new CustomAnnotationError(`@${BRANCH_HINT} annotation: duplicate annotation`, a);
        }
        targets.set(target, [a, readBranchHint(a)]);
      }
      for (const e of l.items) if (e.kind === "list" && e.annotated) walk(e);
    };
    walk(f);
    return targets;
  }

  // ---- names and indices ----

  bind(space: Space, id: SExpr | undefined, index: number): boolean {
    if (!isId(id)) return false;
    const map = this.names[space];
    if (map.has(id.text)) fail(`duplicate ${space} ${id.text}`, id);
    map.set(id.text, index);
    return true;
  }

  index(space: Space, a: SExpr | undefined): number {
    if (!isAtom(a)) fail("unexpected token", a);
    if (a.text.startsWith("$")) {
      const i = this.names[space].get(a.text);
      if (i === undefined) fail(`unknown ${SPACE_WORD[space]} ${a.text}`, a);
      return i;
    }
    return u32Of(a, "unknown operator");
  }

  /**
   * Registers, in text order, the implicit types of a function body's block types and `call_indirect`s, so that
   * they interleave with later functions' signatures as the spec (and wabt) order them. Bodies are encoded
   * only after all fields, once every name is known.
   */
  prescanTypes(items: SExpr[]): void {
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (x.kind === "atom") {
        if (["block", "loop", "if", "try_table", "try"].includes(x.text)) {
          let j = i + 1;
          if (isId(items[j])) j++;
          this.prescanBlockType(items, j);
        } else if (x.text === "call_indirect") {
          let j = i + 1;
          if (isIndexAtom(items[j])) j++;
          this.typeUse(items, j, false);
        }
      } else if (x.kind === "list") {
        const head = headOf(x);
        if (["block", "loop", "if", "try_table", "try"].includes(head)) {
          let j = 1;
          if (isId(x.items[j])) j++;
          this.prescanBlockType(x.items, j);
        } else if (head === "call_indirect") {
          let j = 1;
          if (isIndexAtom(x.items[j])) j++;
          this.typeUse(x.items, j, false);
        }
        if (head !== "type" && head !== "param" && head !== "result") this.prescanTypes(x.items);
      }
    }
  }

  prescanBlockType(items: SExpr[], j: number): void {
    const first = items[j];
    if (isList(first, "type")) return;
    let results = 0;
    let k = j;
    for (; isList(items[k], "param") || isList(items[k], "result"); k++) {
      if (isList(items[k], "param")) {
        results = 2; // any parameter needs a type index
      } else results += (items[k] as SList).items.length - 1;
    }
    if (results > 1) {
      try {
        this.typeUse(items, j, true);
      } catch (e) {
        // Malformed block types are reported where the body is encoded.
        if (!(e instanceof WatParseError)) throw e;
      }
    }
  }

  // ---- types ----

  valType(e: SExpr | undefined): number {
    if (isAtom(e)) {
      const t = VALTYPES[e.text];
      if (t !== undefined) return t;
      const gc = GC_REFTYPES[e.text];
      if (gc !== undefined) return gc;
      fail(/^[a-z]/.test(e.text) ? `unknown operator ${e.text}` : "unexpected token", e);
    }
    if (isList(e, "ref")) return this.refList(e);
    fail("unexpected token", e);
  }

  refList(e: SList): number {
    const nullable = isAtom(e.items[1], "null");
    const end = nullable ? 3 : 2;
    if (e.items.length !== end) fail("unexpected token", e.items[end] ?? e);
    return refType(this.heapType(e.items[end - 1]), nullable);
  }

  refType(e: SExpr | undefined): number {
    const t = this.valType(e);
    if (!isRefType(t)) fail("unexpected token", e);
    return t;
  }

  heapType(e: SExpr | undefined): number {
    if (isList(e, "exact")) unsupported("custom-descriptors");
    if (isAtom(e)) {
      const abstract = HEAP_TYPES[e.text];
      if (abstract !== undefined) return abstract;
      if (isIndexAtom(e)) return concreteHeap(this.index("type", e));
    }
    fail("unexpected token", e);
  }

  /** Reads `(param …)*` `(result …)*` from `items[i…]`; returns the next index. */
  sigParts(items: SExpr[], i: number, sig: FuncSig, names: (string | undefined)[] | null): number {
    while (isList(items[i], "param")) {
      const p = items[i] as SList;
      if (isId(p.items[1])) {
        if (p.items.length !== 3) fail("unexpected token", p);
        if (names === null) fail("unexpected token", p.items[1]);
        if (names.includes(p.items[1].text)) fail(`duplicate local ${p.items[1].text}`, p.items[1]);
        names.push(p.items[1].text);
        sig.params.push(this.valType(p.items[2]));
      } else {
        for (const t of p.items.slice(1)) {
          sig.params.push(this.valType(t));
          names?.push(undefined);
        }
      }
      i++;
    }
    while (isList(items[i], "result")) {
      for (const t of (items[i] as SList).items.slice(1)) sig.results.push(this.valType(t));
      i++;
    }
    if (isList(items[i], "param")) fail("unexpected token", items[i]);
    return i;
  }

  /**
   * Parses `(type $id? deftype)` (spec 3.0 §6.4.9): `(sub final? $super* comptype)` or a bare composite type.
   * `recSize` is the group's size at its first type (0 for the others), `inRec` whether it was written in `(rec …)`.
   */
  typeField(f: SList, recSize: number, inRec: boolean): void {
    let i = 1;
    const id = f.items[i];
    if (isId(id)) i++;
    let def = f.items[i];
    if (isList(def, "descriptor") || isList(def, "describes")) unsupported("custom-descriptors");
    if (f.items.length !== i + 1) fail("unexpected token", f.items[i + 1]);
    const bytes: number[] = [];
    let plain = true;
    if (isList(def, "sub")) {
      plain = false;
      let j = 1;
      const final = isAtom(def.items[j], "final");
      if (final) j++;
      const supers: number[] = [];
      while (isIndexAtom(def.items[j])) supers.push(this.index("type", def.items[j++]));
      const desc = def.items[j];
      if (isList(desc, "descriptor") || isList(desc, "describes")) unsupported("custom-descriptors");
      if (j !== def.items.length - 1) fail("unexpected token", def.items[j]);
      bytes.push(final ? 0x4f : 0x50);
      writeU32(bytes, supers.length);
      for (const x of supers) writeU32(bytes, x);
      def = def.items[j];
    }
    if (isList(def, "descriptor") || isList(def, "describes")) unsupported("custom-descriptors");
    let sig: FuncSig = { params: [], results: [] };
    if (isList(def, "func")) {
      const end = this.sigParts(def.items, 1, sig, []);
      if (end !== def.items.length) fail("unexpected token", def.items[end]);
      bytes.push(...funcTypeBytes(sig));
    } else if (isList(def, "struct")) {
      plain = false;
      sig = { params: [], results: [] };
      const fields: number[][] = [];
      const names = new Map<string, number>();
      for (const field of def.items.slice(1)) {
        if (!isList(field, "field")) fail("unexpected token", field);
        if (isId(field.items[1])) {
          if (field.items.length !== 3) fail("unexpected token", field);
          if (names.has(field.items[1].text)) fail(`duplicate field ${field.items[1].text}`, field.items[1]);
          names.set(field.items[1].text, fields.length);
          fields.push(this.fieldType(field.items[2]));
        } else for (const t of field.items.slice(1)) fields.push(this.fieldType(t));
      }
      this.fieldNames.set(this.typeDefs.length, names);
      bytes.push(0x5f);
      writeU32(bytes, fields.length);
      for (const field of fields) bytes.push(...field);
    } else if (isList(def, "array")) {
      plain = false;
      if (def.items.length !== 2) fail("unexpected token", def.items[2] ?? def);
      bytes.push(0x5e, ...this.fieldType(def.items[1]));
    } else fail("unexpected token", def);
    this.types.push(sig);
    this.typeDefs.push({ bytes, recSize, inRec, plain: plain && !inRec });
    this.counts.type++;
  }

  /** Encodes a field type: `storagetype` or `(mut storagetype)`, a storage type being a value type, i8 or i16. */
  fieldType(e: SExpr | undefined): number[] {
    const mutable = isList(e, "mut");
    if (isList(e, "mut")) {
      if (e.items.length !== 2) fail("unexpected token", e.items[2] ?? e);
      e = e.items[1];
    }
    let storage: number[];
    if (isAtom(e, "i8")) storage = [0x78];
    else if (isAtom(e, "i16")) storage = [0x77];
    else storage = encodeValTypes([this.valType(e)]);
    return [...storage, mutable ? 1 : 0];
  }

  /** The index of a type with this signature, appending an implicit one if none exists. */
  implicitType(sig: FuncSig): number {
    const found = this.types.findIndex((t, i) => this.typeDefs[i]?.plain !== false && sameSig(t, sig));
    if (found >= 0) return found;
    this.types.push(sig);
    this.typeDefs.push({ bytes: funcTypeBytes(sig), recSize: 1, inRec: false, plain: true });
    return this.types.length - 1;
  }

  /** Parses a type use at `items[i]`; returns it and the next index. */
  typeUse(items: SExpr[], i: number, withNames: boolean): [TypeUse, number] {
    let explicit = -1;
    const first = items[i];
    if (isList(first, "exact")) unsupported("custom-descriptors");
    if (isList(first, "type")) {
      if (first.items.length !== 2) fail("unexpected token", first);
      explicit = this.index("type", first.items[1]);
      i++;
    }
    const sig: FuncSig = { params: [], results: [] };
    const names: (string | undefined)[] = [];
    const start = i;
    i = this.sigParts(items, i, sig, withNames ? names : null);
    const inline = i > start;
    const after = headOf(items[i]);
    if (after === "type" || after === "param" || after === "result") fail("unexpected token", items[i]);
    if (explicit >= 0) {
      const def = this.types[explicit];
      if (inline && def) {
        if (!def || !sameSig(def, sig)) fail("inline function type", first);
        return [{ index: explicit, paramNames: names, paramCount: sig.params.length }, i];
      }
      return [{ index: explicit, paramNames: [], paramCount: def ? def.params.length : 0 }, i];
    }
    return [{ index: this.implicitType(sig), paramNames: names, paramCount: sig.params.length }, i];
  }

  // ---- module fields ----

  /** Reads inline `(export "…")*` and `(import "…" "…")?`; returns [import names or null, next index]. */
  inlineExports(items: SExpr[], i: number, kind: number, index: number): [SString[] | null, number] {
    while (isList(items[i], "export")) {
      const e = items[i] as SList;
      if (e.items.length !== 2 || e.items[1].kind !== "string") fail("unexpected token", e);
      this.addExport(e.items[1], kind, index);
      i++;
    }
    if (isList(items[i], "import")) {
      const imp = items[i] as SList;
      if (imp.items.length !== 3 || imp.items[1].kind !== "string" || imp.items[2].kind !== "string") {
        fail("unexpected token", imp);
      }
      return [[imp.items[1], imp.items[2]], i + 1];
    }
    return [null, i];
  }

  /** Records an export; a symbolic index is resolved once all fields are known. */
  addExport(name: SString, kind: number, index: number | SAtom): void {
    this.pendingExports.push({ name, kind, index });
  }

  beginImport(names: SString[], what: string, at: Pos): void {
    if (this.lastDefinition) fail(`import after ${this.lastDefinition}`, at);
    for (const n of names) {
      stringText(n);
      this.imports.u32(n.bytes.length).bytes(n.bytes);
    }
    this.importCount++;
    void what;
  }

  /** Limits with an optional address type (`i32`, or `i64` for memory64: flag bit 2). */
  limits(items: SExpr[], i: number, w: ByteWriter, isMemory: boolean): number {
    let flags = 0;
    if (isAtom(items[i], "i64")) {
      flags = 4;
      i++;
    } else if (isAtom(items[i], "i32")) i++;
    const min = u64Of(items[i]);
    i++;
    let max: bigint | null = null;
    if (isAtom(items[i]) && isIndexAtom(items[i]) && !(items[i] as SAtom).text.startsWith("$")) {
      max = u64Of(items[i]);
      i++;
    }
    let shared = false;
    if (isMemory && isAtom(items[i], "shared")) {
      shared = true;
      i++;
    }
    if (isMemory && isList(items[i], "pagesize")) unsupported("custom-page-sizes");
    if (shared) unsupported("threads");
    w.u8(flags | (max === null ? 0 : 1));
    writeU64(w, min);
    if (max !== null) writeU64(w, max);
    return i;
  }

  field(f: SList): void {
    const head = headOf(f);
    const space = NAMED_FIELDS[head];
    if (space) this.nameAnnotation(f, space, this.counts[space]);
    switch (head) {
      case "type":
        return; // read before the other fields
      case "import":
        return this.importField(f);
      case "func":
        return this.funcField(f);
      case "table":
        return this.tableField(f);
      case "memory":
        return this.memoryField(f);
      case "global":
        return this.globalField(f);
      case "export":
        return this.exportField(f);
      case "start":
        if (this.start) fail("multiple start sections", f);
        if (f.items.length !== 2) fail("unexpected token", f);
        this.start = f.items[1] as SAtom;
        return;
      case "elem":
        return this.elemField(f);
      case "data":
        return this.dataField(f);
      case "tag":
        return this.tagField(f);
      case "rec":
        return; // read with the types, before the other fields
      default:
        fail(head ? "unknown operator" : "unexpected token", f.items[0] ?? f);
    }
  }

  importField(f: SList): void {
    const [, mod, name, desc] = f.items;
    if (mod?.kind !== "string" || name?.kind !== "string" || !isList(desc) || f.items.length !== 4) {
      fail("unexpected token", f);
    }
    const kind = headOf(desc);
    const id = isId(desc.items[1]) ? desc.items[1] : undefined;
    let i = id ? 2 : 1;
    const space = NAMED_FIELDS[kind];
    if (space) this.nameAnnotation(desc, space, this.counts[space]);
    this.beginImport([mod, name], kind, f);
    switch (kind) {
      case "func": {
        const [use, next] = this.typeUse(desc.items, i, true);
        if (next !== desc.items.length) fail("unexpected token", desc.items[next]);
        this.imports.u8(0).u32(use.index);
        this.bind("func", id, this.counts.func++);
        this.funcTypeIndices.push(use.index);
        return;
      }
      case "table": {
        i = this.tableImport(desc.items, i);
        if (i !== desc.items.length) fail("unexpected token", desc.items[i]);
        this.bind("table", id, this.counts.table++);
        return;
      }
      case "memory": {
        i = this.limits(desc.items, i, this.imports.u8(2), true);
        if (i !== desc.items.length) fail("unexpected token", desc.items[i]);
        this.bind("memory", id, this.counts.memory++);
        return;
      }
      case "global": {
        const gt = this.globalType(desc.items[i]);
        if (i + 1 !== desc.items.length) fail("unexpected token", desc.items[i + 1]);
        this.imports.u8(3).bytes(gt);
        this.bind("global", id, this.counts.global++);
        return;
      }
      case "tag": {
        const [use, next] = this.typeUse(desc.items, i, false);
        if (next !== desc.items.length) fail("unexpected token", desc.items[next]);
        this.imports.u8(4).u8(0).u32(use.index);
        this.bind("tag", id, this.counts.tag++);
        return;
      }
      default:
        fail("unexpected token", desc);
    }
  }

  /** Writes a table import description: `0x01 reftype limits`. */
  tableImport(items: SExpr[], i: number): number {
    const lim = new ByteWriter();
    i = this.limits(items, i, lim, false);
    this.imports.u8(1).bytes(encodeValTypes([this.refType(items[i])])).bytes(lim.finish());
    return i + 1;
  }

  globalType(e: SExpr | undefined): Uint8Array {
    if (isList(e, "mut")) {
      if (e.items.length !== 2) fail("unexpected token", e);
      return Uint8Array.from([...encodeValTypes([this.valType(e.items[1])]), 1]);
    }
    return Uint8Array.from([...encodeValTypes([this.valType(e)]), 0]);
  }

  funcField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const index = this.counts.func;
    const [imp, next] = this.inlineExports(f.items, i, 0, index);
    i = next;
    if (imp) {
      this.beginImport(imp, "func", f);
      const [use, end] = this.typeUse(f.items, i, true);
      if (end !== f.items.length) fail("unexpected token", f.items[end]);
      this.imports.u8(0).u32(use.index);
      this.bind("func", id, this.counts.func++);
      this.funcTypeIndices.push(use.index);
      return;
    }
    const [use, after] = this.typeUse(f.items, i, true);
    const declStart = i;
    i = after;
    const locals: number[] = [];
    const localNames = [...use.paramNames];
    while (localNames.length < use.paramCount) localNames.push(undefined);
    while (isList(f.items[i], "local")) {
      const l = f.items[i] as SList;
      if (isId(l.items[1])) {
        if (l.items.length !== 3) fail("unexpected token", l);
        if (localNames.includes(l.items[1].text)) fail(`duplicate local ${l.items[1].text}`, l.items[1]);
        localNames.push(l.items[1].text);
        locals.push(this.valType(l.items[2]));
      } else {
        for (const t of l.items.slice(1)) {
          locals.push(this.valType(t));
          localNames.push(undefined);
        }
      }
      i++;
    }
    this.lastDefinition = "function";
    this.localNameAnnotations(f.items.slice(declStart, i), this.counts.func, use.paramCount);
    this.bind("func", id, this.counts.func++);
    this.funcTypeIndices.push(use.index);
    const fn: FuncDef = { type: use, locals, localNames, body: f.items.slice(i), pos: f, list: f };
    this.funcs.push(fn);
    this.prescanTypes(fn.body);
  }

  tableField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const index = this.counts.table;
    const [imp, next] = this.inlineExports(f.items, i, 1, index);
    i = next;
    if (imp) {
      this.beginImport(imp, "table", f);
      i = this.tableImport(f.items, i);
      if (i !== f.items.length) fail("unexpected token", f.items[i]);
      this.bind("table", id, this.counts.table++);
      return;
    }
    this.lastDefinition = "table";
    this.bind("table", id, this.counts.table++);
    const address64 = isAtom(f.items[i], "i64");
    const typeAt = address64 || isAtom(f.items[i], "i32") ? i + 1 : i;
    if (!isIndexAtom(f.items[typeAt])) {
      // `(table i64? reftype (elem …))`
      i = typeAt;
      const t = this.refType(f.items[i]);
      const elem = f.items[i + 1];
      if (!isList(elem, "elem") || f.items.length !== i + 2) fail("unexpected token", elem ?? f);
      const seg: ElemSeg = {
        mode: "active",
        table: index,
        offset: [zeroOffset(elem, address64)],
        refType: t,
        funcs: null,
        exprs: null,
        pos: elem,
      };
      let n: number;
      if (elem.items.length > 1 && elem.items.slice(1).every((x) => isList(x))) {
        seg.exprs = elem.items.slice(1).map((x) => (isList(x, "item") ? (x as SList).items.slice(1) : [x]));
        n = seg.exprs.length;
      } else {
        seg.funcs = elem.items.slice(1) as SAtom[];
        for (const a of seg.funcs) if (!isIndexAtom(a)) fail("unexpected token", a);
        n = seg.funcs.length;
        if (t !== 0x70) {
          // The function-index form means `(ref func)`: a table of another type gets `(ref.func x)` items.
          seg.exprs = seg.funcs.map((
            a,
          ) => [{ kind: "list", items: [{ ...a, text: "ref.func" }, a], line: a.line, col: a.col }]);
          seg.funcs = null;
        }
      }
      this.tables.push(() => new ByteWriter().bytes(encodeValTypes([t])).u8(address64 ? 5 : 1).u32(n).u32(n).finish());
      this.tableCount++;
      this.elems.push(seg);
      this.counts.elem++;
      return;
    }
    const lim = new ByteWriter();
    i = this.limits(f.items, i, lim, false);
    const t = this.refType(f.items[i]);
    if (i + 1 !== f.items.length) {
      // `(table limits reftype expr)`: a table with an initializer, `0x40 0x00 tabletype expr`.
      if (!isList(f.items[i + 1])) fail("unexpected token", f.items[i + 1]);
      const init = f.items.slice(i + 1);
      this.tables.push(() =>
        new ByteWriter().u8(0x40).u8(0x00).bytes(encodeValTypes([t])).bytes(lim.finish())
          .bytes(this.constExpr(init)).finish()
      );
      this.tableCount++;
      return;
    }
    this.tables.push(() => new ByteWriter().bytes(encodeValTypes([t])).bytes(lim.finish()).finish());
    this.tableCount++;
  }

  memoryField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const index = this.counts.memory;
    const [imp, next] = this.inlineExports(f.items, i, 2, index);
    i = next;
    if (imp) {
      this.beginImport(imp, "memory", f);
      this.imports.u8(2);
      i = this.limits(f.items, i, this.imports, true);
      if (i !== f.items.length) fail("unexpected token", f.items[i]);
      this.bind("memory", id, this.counts.memory++);
      return;
    }
    this.lastDefinition = "memory";
    this.bind("memory", id, this.counts.memory++);
    if (f.items.some((x) => isList(x, "pagesize"))) unsupported("custom-page-sizes");
    const address64 = isAtom(f.items[i], "i64");
    if ((address64 || isAtom(f.items[i], "i32")) && isList(f.items[i + 1], "data")) i++;
    if (isList(f.items[i], "data")) {
      const d = f.items[i] as SList;
      if (f.items.length !== i + 1) fail("unexpected token", f.items[i + 1]);
      const bytes = this.strings(d.items, 1);
      const pages = Math.ceil(bytes.length / 65536);
      this.memories.u8(address64 ? 5 : 1).u32(pages).u32(pages);
      this.memoryCount++;
      this.datas.push({
        active: true,
        memory: index,
        offset: [zeroOffset(d, address64)],
        bytes,
      });
      this.counts.data++;
      return;
    }
    i = this.limits(f.items, i, this.memories, true);
    if (i !== f.items.length) fail("unexpected token", f.items[i]);
    this.memoryCount++;
  }

  strings(items: SExpr[], i: number): Uint8Array {
    const parts: Uint8Array[] = [];
    for (; i < items.length; i++) {
      const s = items[i];
      if (s.kind !== "string") fail("unexpected token", s);
      parts.push(s.bytes);
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let k = 0;
    for (const p of parts) {
      out.set(p, k);
      k += p.length;
    }
    return out;
  }

  globalField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const index = this.counts.global;
    const [imp, next] = this.inlineExports(f.items, i, 3, index);
    i = next;
    const gt = this.globalType(f.items[i]);
    if (imp) {
      this.beginImport(imp, "global", f);
      if (i + 1 !== f.items.length) fail("unexpected token", f.items[i + 1]);
      this.imports.u8(3).bytes(gt);
      this.bind("global", id, this.counts.global++);
      return;
    }
    this.lastDefinition = "global";
    this.bind("global", id, this.counts.global++);
    this.globals.push({ type: gt, init: f.items.slice(i + 1) });
  }

  exportField(f: SList): void {
    const [, name, desc] = f.items;
    if (name?.kind !== "string" || !isList(desc) || f.items.length !== 3 || desc.items.length !== 2) {
      fail("unexpected token", f);
    }
    const kinds: Record<string, [number, Space]> = {
      func: [0, "func"],
      table: [1, "table"],
      memory: [2, "memory"],
      global: [3, "global"],
      tag: [4, "tag"],
    };
    const k = kinds[headOf(desc)];
    if (!k) fail("unexpected token", desc);
    const target = desc.items[1];
    if (!isAtom(target)) fail("unexpected token", target);
    this.addExport(name, k[0], target);
  }

  /** `(tag $id? (export …)* (import …)? typeuse)`: an exception tag (a type use whose results must be empty). */
  tagField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const [imp, next] = this.inlineExports(f.items, i, 4, this.counts.tag);
    i = next;
    const [use, end] = this.typeUse(f.items, i, false);
    if (end !== f.items.length) fail("unexpected token", f.items[end]);
    if (imp) {
      this.beginImport(imp, "tag", f);
      this.imports.u8(4).u8(0).u32(use.index);
    } else {
      this.lastDefinition = "tag";
      this.tags.push(use.index);
    }
    this.bind("tag", id, this.counts.tag++);
  }

  elemField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const seg: ElemSeg = { mode: "passive", table: 0, offset: null, refType: 0x70, funcs: null, exprs: null, pos: f };
    const items = f.items;
    if (isAtom(items[i], "declare")) {
      seg.mode = "declare";
      i++;
    } else {
      if (isList(items[i], "table")) {
        seg.table = this.index("table", (items[i] as SList).items[1]);
        seg.mode = "active";
        i++;
      } else if (isIndexAtom(items[i]) && isList(items[i + 1])) {
        seg.table = this.index("table", items[i]);
        seg.mode = "active";
        i++;
      }
      if (isList(items[i], "offset")) {
        seg.offset = (items[i] as SList).items.slice(1);
        seg.mode = "active";
        i++;
      } else if (isList(items[i]) && !isList(items[i], "item") && !isList(items[i], "ref")) {
        seg.offset = [items[i]];
        seg.mode = "active";
        i++;
      } else if (seg.mode === "active") fail("unexpected token", items[i] ?? f);
    }
    if (isAtom(items[i], "func")) {
      i++;
      seg.funcs = [];
    } else if (
      isAtom(items[i]) && !isIndexAtom(items[i]) || isList(items[i], "ref")
    ) {
      seg.refType = this.refType(items[i]);
      i++;
      seg.exprs = [];
    } else if (seg.mode === "active" && seg.offset) {
      seg.funcs = [];
    } else fail("unexpected token", items[i] ?? f);
    for (; i < items.length; i++) {
      const x = items[i];
      if (seg.funcs) {
        if (!isIndexAtom(x)) fail("unexpected token", x);
        seg.funcs.push(x);
      } else if (isList(x, "item")) seg.exprs!.push(x.items.slice(1));
      else if (isList(x)) seg.exprs!.push([x]);
      else fail("unexpected token", x);
    }
    this.bind("elem", id, this.counts.elem++);
    this.elems.push(seg);
  }

  dataField(f: SList): void {
    let i = 1;
    const id = isId(f.items[1]) ? f.items[1] : undefined;
    if (id) i++;
    const items = f.items;
    const seg: DataSeg = { active: false, memory: 0, offset: null, bytes: new Uint8Array() };
    if (isList(items[i], "memory")) {
      seg.memory = this.index("memory", (items[i] as SList).items[1]);
      seg.active = true;
      i++;
    } else if (isIndexAtom(items[i]) && isList(items[i + 1])) {
      seg.memory = this.index("memory", items[i]);
      seg.active = true;
      i++;
    }
    if (isList(items[i], "offset")) {
      seg.offset = (items[i] as SList).items.slice(1);
      seg.active = true;
      i++;
    } else if (isList(items[i])) {
      seg.offset = [items[i]];
      seg.active = true;
      i++;
    } else if (seg.active) fail("unexpected token", items[i] ?? f);
    seg.bytes = this.strings(items, i);
    this.bind("data", id, this.counts.data++);
    this.datas.push(seg);
  }

  // ---- sections built after all fields ----

  globalSection(): Uint8Array {
    const w = new ByteWriter();
    w.u32(this.globals.length);
    for (const g of this.globals) w.bytes(g.type).bytes(this.constExpr(g.init));
    return w.finish();
  }

  constExpr(items: SExpr[]): Uint8Array {
    const body = new BodyEncoder(this, [], this.at);
    body.seq(items, 0, null);
    body.w.u8(0x0b);
    return body.w.finish();
  }

  elemSection(): Uint8Array {
    const w = new ByteWriter();
    w.u32(this.elems.length);
    for (const seg of this.elems) {
      // Items that are all `(ref.func x)` of type `(ref func)` use the function-index form, as wabt does (that form
      // means `(ref func)` in 3.0, so a `funcref` segment keeps its expressions).
      if (seg.exprs && seg.refType === 0x170 && seg.exprs.every((e) => e.length === 1 && isList(e[0], "ref.func"))) {
        seg.funcs = seg.exprs.map((e) => (e[0] as SList).items[1] as SAtom);
        seg.exprs = null;
      }
      const exprs = seg.exprs !== null;
      const explicitTable = seg.table !== 0 || (exprs && seg.refType !== 0x70);
      let flags = 0;
      if (seg.mode === "passive") flags = 1;
      else if (seg.mode === "declare") flags = 3;
      else if (explicitTable) flags = 2;
      if (exprs) flags |= 4;
      w.u32(flags);
      if (seg.mode === "active") {
        if (explicitTable) w.u32(seg.table);
        w.bytes(this.constExpr(seg.offset!));
      }
      if (flags & 3) w.bytes(exprs ? encodeValTypes([seg.refType]) : [0x00]);
      if (exprs) {
        w.u32(seg.exprs!.length);
        for (const e of seg.exprs!) w.bytes(this.constExpr(e));
      } else {
        w.u32(seg.funcs!.length);
        for (const a of seg.funcs!) w.u32(this.index("func", a));
      }
    }
    return w.finish();
  }

  dataSection(): Uint8Array {
    const w = new ByteWriter();
    w.u32(this.datas.length);
    for (const d of this.datas) {
      if (!d.active) w.u32(1);
      else if (d.memory === 0) w.u32(0).bytes(this.constExpr(d.offset!));
      else w.u32(2).u32(d.memory).bytes(this.constExpr(d.offset!));
      w.u32(d.bytes.length).bytes(d.bytes);
    }
    return w.finish();
  }

  funcBody(fn: FuncDef, funcIndex: number): Uint8Array {
    const body = new BodyEncoder(this, fn.localNames, fn.pos);
    if (fn.list.annotated) body.hintTargets = this.branchHintTargets(fn.list);
    body.seq(fn.body, 0, null);
    body.w.u8(0x0b);
    const code = body.w.finish();
    const w = new ByteWriter();
    const groups: [number, number][] = [];
    for (const t of fn.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    w.u32(groups.length);
    for (const [n, t] of groups) w.u32(n).bytes(encodeValTypes([t]));
    if (body.hints.length) this.branchHints.push([funcIndex, body.hints.map(([at, hint]) => [w.length + at, hint])]);
    w.bytes(code);
    const out = new ByteWriter();
    out.u32(w.length).bytes(w.finish());
    return out.finish();
  }
}

/** Encodes instruction sequences of one function body or constant expression. */
class BodyEncoder {
  w = new ByteWriter();
  labels: (string | undefined)[] = [];
  /** The immediates of nullable `ref.test`/`ref.cast` types (their opcode is the next one; folded operands between). */
  readonly castNullable: WeakSet<ByteWriter> = new WeakSet();

  /** The instructions of a function body that a branch hint annotation precedes: the annotation and its hint. */
  hintTargets: Map<SExpr, [SAnnot, number]> | undefined;
  /** The branch hints met: the offset of the hinted instruction in `w`, and the hint. */
  hints: [number, number][] = [];

  constructor(readonly m: ModuleEncoder, readonly localNames: (string | undefined)[], readonly pos: Pos) {}

  /** The branch hint of the instruction written as `x` (named `name`), which must be an `if` or a `br_if`. */
  hintFor(x: SExpr, name: string): number | undefined {
    const target = this.hintTargets?.get(x);
    if (target === undefined) return undefined;
    this.m.used.add(target[0]);
    if (name !== "if" && name !== "br_if") {
      throw new CustomAnnotationError(`@${BRANCH_HINT} annotation: invalid target`, target[0], "invalid");
    }
    return target[1];
  }

  /** Records a hint for the instruction about to be written. */
  markHint(hint: number | undefined): void {
    if (hint !== undefined) this.hints.push([this.w.length, hint]);
  }

  /** Encodes instructions from `items[i]` until the end or a terminator keyword; returns the index reached. */
  seq(items: SExpr[], i: number, stop: Set<string> | null): number {
    while (i < items.length) {
      const x = items[i];
      if (stop && isAtom(x) && stop.has(x.text)) return i;
      i = this.instr(items, i);
    }
    return i;
  }

  label(items: SExpr[], i: number): [string | undefined, number] {
    return isId(items[i]) ? [(items[i] as SAtom).text, i + 1] : [undefined, i];
  }

  blockType(items: SExpr[], i: number, w: ByteWriter): number {
    const first = items[i];
    if (!isList(first, "type")) {
      // Only results (at most one) need no type index.
      let j = i;
      const results: number[] = [];
      while (isList(items[j], "result")) {
        for (const t of (items[j] as SList).items.slice(1)) results.push(this.m.valType(t));
        j++;
      }
      if (!isList(items[j], "param") && results.length <= 1) {
        if (isList(items[j], "result")) fail("unexpected token", items[j]);
        w.bytes(results.length ? encodeValTypes(results) : [0x40]);
        return j;
      }
    }
    const [use, next] = this.m.typeUse(items, i, true);
    if (use.paramNames.some((n) => n !== undefined)) fail("unexpected token", items[i]);
    const t = this.m.types[use.index];
    // A type `[] -> [t?]` is written in the short form, as wabt does.
    if (t && t.params.length === 0 && t.results.length <= 1) {
      w.bytes(t.results.length ? encodeValTypes(t.results) : [0x40]);
    } else w.s32(use.index);
    return next;
  }

  endLabel(items: SExpr[], i: number, label: string | undefined): number {
    const x = items[i];
    if (isId(x)) {
      if (x.text !== label) fail("mismatching label", x);
      return i + 1;
    }
    return i;
  }

  /** Encodes one instruction (flat, with its immediates, or folded) at `items[i]`; returns the next index. */
  instr(items: SExpr[], i: number): number {
    const x = items[i];
    if (isList(x)) {
      if (NOT_INSTR.has(headOf(x))) fail("unexpected token", x);
      this.folded(x);
      return i + 1;
    }
    if (!isAtom(x)) fail("unexpected token", x);
    const name = x.text;
    const hint = this.hintFor(x, name);
    if (CATCH_KEYWORDS.has(name)) fail("unexpected token", x);
    if (name === "try") return this.flatTry(items, i);
    if (name === "try_table") {
      const [label, j] = this.label(items, i + 1);
      this.w.u8(0x1f);
      let k = this.blockType(items, j, this.w);
      k = this.catchClauses(items, k);
      this.labels.push(label);
      k = this.seq(items, k, END);
      if (!isAtom(items[k], "end")) fail("unexpected end", items[k - 1] ?? x);
      this.labels.pop();
      this.w.u8(0x0b);
      return this.endLabel(items, k + 1, label);
    }
    if (name === "block" || name === "loop" || name === "if") {
      const [label, j] = this.label(items, i + 1);
      this.markHint(hint);
      this.w.u8(name === "block" ? 0x02 : name === "loop" ? 0x03 : 0x04);
      let k = this.blockType(items, j, this.w);
      this.labels.push(label);
      k = this.seq(items, k, name === "if" ? END_ELSE : END);
      if (isAtom(items[k], "else")) {
        k = this.endLabel(items, k + 1, label);
        const mark = this.w.length;
        this.w.u8(0x05);
        k = this.seq(items, k, END);
        if (this.w.length === mark + 1) this.w.length = mark; // an empty else is omitted, as wabt does
      }
      if (!isAtom(items[k], "end")) fail("unexpected end", items[k - 1] ?? x);
      this.labels.pop();
      this.w.u8(0x0b);
      return this.endLabel(items, k + 1, label);
    }
    const op = this.op(x);
    const imm = this.scratch();
    const next = this.immediates(op, x, items, i + 1, imm);
    this.markHint(hint);
    this.emit(op, imm);
    return next;
  }

  /** Reusable writers for immediates, one per folded nesting level. */
  pool: ByteWriter[] = [];
  depth = 0;

  // Why: a fresh ByteWriter per instruction dominated parse time (each allocates 256 bytes).
  scratch(): ByteWriter {
    const w = this.pool[this.depth] ??= new ByteWriter();
    w.length = 0;
    return w;
  }

  op(x: SAtom): OpInfo {
    const op = OPS_BY_NAME.get(x.text);
    if (!op) {
      // Custom descriptors' instructions (`ref.get_desc`, `ref.cast_desc_eq`, `struct.new_desc`, …).
      if (/^(ref|struct|br_on_cast)\..*desc|^br_on_cast_desc/.test(x.text)) unsupported("custom-descriptors");
      const feature = mnemonicFeature(x.text);
      if (feature && !FRONT_END_FEATURES.has(feature)) unsupported(feature);
      fail(`unknown operator ${x.text}`, x);
    }
    if (!FRONT_END_FEATURES.has(op.feature)) unsupported(op.feature);
    return op;
  }

  emit(op: OpInfo, imm: ByteWriter): void {
    if (op.name === "select" && imm.length > 0) this.w.u8(0x1c);
    else if (op.prefix) this.w.u8(op.prefix).u32(op.code + (this.castNullable.has(imm) ? 1 : 0));
    else this.w.u8(op.code);
    if (op.name === "memory.init" || op.name === "data.drop") this.m.usesDataCount = true;
    this.w.bytes(imm.finish());
  }

  folded(x: SList): void {
    if (NOT_INSTR.has(headOf(x))) fail("unexpected token", x);
    const head = x.items[0];
    if (!isAtom(head)) fail("unexpected token", head ?? x);
    const name = head.text;
    const items = x.items;
    const hint = this.hintFor(x, name);
    if (CATCH_KEYWORDS.has(name)) fail("unexpected token", head);
    if (name === "try") return this.foldedTry(x);
    if (name === "try_table") {
      const [label, j] = this.label(items, 1);
      this.w.u8(0x1f);
      const k = this.catchClauses(items, this.blockType(items, j, this.w));
      this.labels.push(label);
      this.seq(items, k, null);
      this.labels.pop();
      this.w.u8(0x0b);
      return;
    }
    if (name === "block" || name === "loop") {
      const [label, j] = this.label(items, 1);
      this.w.u8(name === "block" ? 0x02 : 0x03);
      const k = this.blockType(items, j, this.w);
      this.labels.push(label);
      this.seq(items, k, null);
      this.labels.pop();
      this.w.u8(0x0b);
      return;
    }
    if (name === "if") {
      const [label, j] = this.label(items, 1);
      const bt = this.scratch();
      let k = this.blockType(items, j, bt);
      this.depth++;
      try {
        while (k < items.length && isList(items[k]) && !isList(items[k], "then")) {
          this.folded(items[k] as SList);
          k++;
        }
      } finally {
        this.depth--;
      }
      const then = items[k];
      if (!isList(then, "then")) fail("unexpected token", then ?? x);
      this.markHint(hint);
      this.w.u8(0x04).bytes(bt.finish());
      this.labels.push(label);
      this.seq(then.items, 1, null);
      k++;
      const els = items[k];
      if (els !== undefined) {
        if (!isList(els, "else")) fail("unexpected token", els);
        const mark = this.w.length;
        this.w.u8(0x05);
        this.seq(els.items, 1, null);
        if (this.w.length === mark + 1) this.w.length = mark; // an empty else is omitted, as wabt does
        k++;
      }
      if (k !== items.length) fail("unexpected token", items[k]);
      this.labels.pop();
      this.w.u8(0x0b);
      return;
    }
    const op = this.op(head);
    const imm = this.scratch();
    let k = this.immediates(op, head, items, 1, imm);
    this.depth++;
    try {
      for (; k < items.length; k++) {
        const operand = items[k];
        if (!isList(operand)) fail("unexpected token", operand);
        this.folded(operand);
      }
    } finally {
      this.depth--;
    }
    this.markHint(hint);
    this.emit(op, imm);
  }

  /**
   * A legacy `try` (flat): `try $l? bt instr* (catch x instr* | catch_all instr*)* end $l?`, or `… delegate l`
   * (whose label is counted outside the try). At most one `catch_all`, last. Returns the next index.
   */
  flatTry(items: SExpr[], i: number): number {
    this.op(items[i] as SAtom); // the opcode table's row: unsupported while its feature is not implemented
    const [label, j] = this.label(items, i + 1);
    this.w.u8(0x06);
    let k = this.blockType(items, j, this.w);
    this.labels.push(label);
    k = this.seq(items, k, TRY_STOP);
    let handlers = 0, sawAll = false;
    while (isAtom(items[k], "catch") || isAtom(items[k], "catch_all")) {
      const all = (items[k] as SAtom).text === "catch_all";
      if (sawAll) fail("unexpected token", items[k]);
      this.w.u8(all ? 0x19 : 0x07);
      k++;
      if (!all) this.w.u32(this.m.index("tag", items[k++]));
      sawAll = all;
      handlers++;
      k = this.seq(items, k, TRY_STOP);
    }
    if (isAtom(items[k], "delegate")) {
      if (handlers > 0) fail("unexpected token", items[k]);
      this.labels.pop();
      this.w.u8(0x18).u32(this.labelIndex(items[k + 1]));
      return k + 2;
    }
    if (!isAtom(items[k], "end")) fail("unexpected end", items[k - 1] ?? items[i]);
    this.labels.pop();
    this.w.u8(0x0b);
    return this.endLabel(items, k + 1, label);
  }

  /** A legacy `try` (folded): `(try $l? bt (do instr*) (catch x instr*)* (catch_all instr*)?)` or `… (delegate l))`. */
  foldedTry(x: SList): void {
    const items = x.items;
    this.op(items[0] as SAtom);
    const [label, j] = this.label(items, 1);
    this.w.u8(0x06);
    let k = this.blockType(items, j, this.w);
    const body = items[k];
    if (!isList(body, "do")) fail("unexpected token", body ?? x);
    this.labels.push(label);
    this.seq(body.items, 1, null);
    let handlers = 0, sawAll = false;
    for (k++; k < items.length; k++) {
      const h = items[k];
      if (isList(h, "catch") && !sawAll) {
        this.w.u8(0x07).u32(this.m.index("tag", h.items[1]));
        this.seq(h.items, 2, null);
      } else if (isList(h, "catch_all") && !sawAll) {
        this.w.u8(0x19);
        this.seq(h.items, 1, null);
        sawAll = true;
      } else if (isList(h, "delegate") && handlers === 0 && k === items.length - 1 && h.items.length === 2) {
        this.labels.pop();
        this.w.u8(0x18).u32(this.labelIndex(h.items[1]));
        return;
      } else fail("unexpected token", h);
      handlers++;
    }
    this.labels.pop();
    this.w.u8(0x0b);
  }

  /**
   * Encodes the catch clauses of a `try_table` from `items[i…]` (their labels resolve outside the `try_table`, as
   * in the binary format); returns the next index.
   */
  catchClauses(items: SExpr[], i: number): number {
    const clauses: SList[] = [];
    while (isList(items[i]) && CATCH_CLAUSES[headOf(items[i] as SList)] !== undefined) {
      clauses.push(items[i++] as SList);
    }
    this.w.u32(clauses.length);
    for (const c of clauses) {
      const kind = CATCH_CLAUSES[headOf(c)]!;
      const withTag = kind < 2;
      if (c.items.length !== (withTag ? 3 : 2)) fail("unexpected token", c);
      this.w.u8(kind);
      if (withTag) this.w.u32(this.m.index("tag", c.items[1]));
      this.w.u32(this.labelIndex(c.items[withTag ? 2 : 1]));
    }
    return i;
  }

  labelIndex(a: SExpr | undefined): number {
    if (!isAtom(a)) fail("unexpected token", a);
    if (a.text.startsWith("$")) {
      for (let d = this.labels.length - 1; d >= 0; d--) {
        if (this.labels[d] === a.text) return this.labels.length - 1 - d;
      }
      fail(`unknown label ${a.text}`, a);
    }
    return u32Of(a, "unknown operator");
  }

  localIndex(a: SExpr | undefined): number {
    if (!isAtom(a)) fail("unexpected token", a);
    if (a.text.startsWith("$")) {
      const i = this.localNames.indexOf(a.text);
      if (i < 0) fail(`unknown local ${a.text}`, a);
      return i;
    }
    return u32Of(a, "unknown operator");
  }

  /** The memarg at `items[i…]` (`offset=`, `align=`) after memory index `mem`, into `w`; returns the next index. */
  memarg(op: OpInfo, items: SExpr[], i: number, mem: number, w: ByteWriter): number {
    let offset = 0n;
    let align = BigInt(natAlign(op.name));
    if (isAtom(items[i]) && (items[i] as SAtom).text.startsWith("offset=")) {
      const a = items[i++] as SAtom;
      offset = u64Of({ ...a, text: a.text.slice(7) }, "unknown operator");
    }
    if (isAtom(items[i]) && (items[i] as SAtom).text.startsWith("align=")) {
      const a = items[i++] as SAtom;
      align = u64Of({ ...a, text: a.text.slice(6) }, "unknown operator");
      if (align === 0n || (align & (align - 1n)) !== 0n) fail("alignment must be a power of two", a);
    }
    const log = align.toString(2).length - 1;
    if (mem !== 0) w.u32(log | 0x40).u32(mem);
    else w.u32(log);
    writeU64(w, offset);
    return i;
  }

  /** A lane index (`extract_lane`, `replace_lane`, `load*_lane`, `store*_lane`): an unsigned literal below 256. */
  laneIndex(a: SExpr | undefined): number {
    if (!isAtom(a) || !/^[0-9]/.test(a.text)) fail("unexpected token", a);
    const n = parseNat(a.text);
    if (n === null) fail("unexpected token", a);
    if (n > 255n) fail("i8 constant out of range", a);
    return Number(n);
  }

  constant<T>(a: SExpr | undefined, parse: (t: string) => T | null): T {
    if (!isAtom(a)) fail("unexpected token", a);
    if (/^[+-]?nan:[a-z]/.test(a.text)) fail("unexpected token", a);
    try {
      const v = parse(a.text);
      if (v === null) fail("unknown operator", a);
      return v;
    } catch (e) {
      if (e instanceof RangeLiteralError) fail("constant out of range", a);
      throw e;
    }
  }

  /** Parses the immediates of `op` from `items[i…]` into `w`; returns the next index. */
  immediates(op: OpInfo, at: SAtom, items: SExpr[], i: number, w: ByteWriter): number {
    const m = this.m;
    const optIndex = (space: Space): number | null => {
      if (isIndexAtom(items[i])) return m.index(space, items[i++]);
      return null;
    };
    switch (op.name === "select" ? "select_t" : op.imm) {
      case "none":
        return i;
      case "label":
        w.u32(this.labelIndex(items[i]));
        return i + 1;
      case "br_table": {
        const labels: number[] = [];
        while (isIndexAtom(items[i])) labels.push(this.labelIndex(items[i++]));
        if (labels.length === 0) fail(isAtom(items[i]) ? "unknown operator" : "unexpected token", items[i] ?? at);
        w.u32(labels.length - 1);
        for (const l of labels) w.u32(l);
        return i;
      }
      case "func":
        w.u32(m.index("func", items[i]));
        return i + 1;
      case "type": // call_ref, return_call_ref, struct.new, array.get, …
        w.u32(m.index("type", items[i]));
        return i + 1;
      case "type_field": {
        const type = m.index("type", items[i]);
        w.u32(type);
        const f = items[i + 1];
        if (isId(f)) {
          const index = m.fieldNames.get(type)?.get(f.text);
          if (index === undefined) fail(`unknown field ${f.text}`, f);
          w.u32(index);
        } else w.u32(u32Of(f, "unknown operator"));
        return i + 2;
      }
      case "type_u32":
        w.u32(m.index("type", items[i])).u32(u32Of(items[i + 1], "unknown operator"));
        return i + 2;
      case "type_data":
        w.u32(m.index("type", items[i])).u32(m.index("data", items[i + 1]));
        m.usesDataCount = true;
        return i + 2;
      case "type_elem":
        w.u32(m.index("type", items[i])).u32(m.index("elem", items[i + 1]));
        return i + 2;
      case "type_type":
        w.u32(m.index("type", items[i])).u32(m.index("type", items[i + 1]));
        return i + 2;
      case "heaptype": { // ref.test, ref.cast: a reference type; a nullable one is the next opcode
        const t = m.refType(items[i]);
        if (isNullable(t)) this.castNullable.add(w);
        const heap: number[] = [];
        encodeHeapType(heapTypeOf(t), heap);
        w.bytes(heap);
        return i + 1;
      }
      case "br_on_cast": {
        const label = this.labelIndex(items[i]);
        const t1 = m.refType(items[i + 1]), t2 = m.refType(items[i + 2]);
        w.u8((isNullable(t1) ? 1 : 0) | (isNullable(t2) ? 2 : 0)).u32(label);
        const heaps: number[] = [];
        encodeHeapType(heapTypeOf(t1), heaps);
        encodeHeapType(heapTypeOf(t2), heaps);
        w.bytes(heaps);
        return i + 3;
      }
      case "call_indirect": {
        const table = optIndex("table") ?? 0;
        const [use, next] = m.typeUse(items, i, false);
        w.u32(use.index).u32(table);
        return next;
      }
      case "local":
        w.u32(this.localIndex(items[i]));
        return i + 1;
      case "global":
        w.u32(m.index("global", items[i]));
        return i + 1;
      case "table":
        w.u32(optIndex("table") ?? 0);
        return i;
      case "memory":
        w.u32(optIndex("memory") ?? 0);
        return i;
      case "memarg": {
        const mem = optIndex("memory") ?? 0;
        return this.memarg(op, items, i, mem, w);
      }
      case "memarg_lane": {
        // `memidx? offset=? align=? laneidx` (spec 3.0 §6.5.7): a leading number is the memory index only when
        // another number or a memarg field follows it (`v128.load8_lane 1 2`: memory 1, lane 2; `… 1`: lane 1).
        let mem = 0;
        const next = items[i + 1];
        if (isId(items[i]) || (isIndexAtom(items[i]) && isAtom(next) && /^(offset=|align=|[0-9])/.test(next.text))) {
          mem = m.index("memory", items[i++]);
        }
        i = this.memarg(op, items, i, mem, w);
        w.u8(this.laneIndex(items[i]));
        return i + 1;
      }
      case "lane":
        w.u8(this.laneIndex(items[i]));
        return i + 1;
      case "v128": {
        const shapeAt = items[i];
        const shape = isAtom(shapeAt) ? V128_SHAPES[shapeAt.text] : undefined;
        if (shape === undefined) fail("unexpected token", shapeAt ?? at);
        const lanes = numberAtoms(items, i + 1);
        if (lanes.length !== shape.lanes) fail("wrong number of lane literals", shapeAt);
        const bytes = new Uint8Array(16);
        lanes.forEach((a, k) => setLane(bytes, shape.bits, k, this.constant(a, (t) => parseLane(shape, t))));
        w.bytes(bytes);
        return i + 1 + lanes.length;
      }
      case "shuffle": {
        const lanes = numberAtoms(items, i);
        if (lanes.length !== 16) fail("invalid lane length", items[i] ?? at);
        for (const a of lanes) {
          const n = /^[0-9]/.test(a.text) ? parseNat(a.text) : null;
          if (n === null || n > 255n) fail("i8 constant out of range", a);
          w.u8(Number(n));
        }
        return i + 16;
      }
      case "i32":
        w.s32(Number(this.constant(items[i], (t) => parseInt(t, 32))));
        return i + 1;
      case "i64":
        w.s64(this.constant(items[i], (t) => parseInt(t, 64)));
        return i + 1;
      case "f32": {
        const bits = this.constant(items[i], parseF32);
        w.u8(bits & 0xff).u8((bits >>> 8) & 0xff).u8((bits >>> 16) & 0xff).u8(bits >>> 24);
        return i + 1;
      }
      case "f64": {
        let bits = this.constant(items[i], parseF64);
        for (let b = 0; b < 8; b++, bits >>= 8n) w.u8(Number(bits & 0xffn));
        return i + 1;
      }
      case "select_t": {
        const types: number[] = [];
        let typed = false;
        while (isList(items[i], "result")) {
          for (const t of (items[i] as SList).items.slice(1)) types.push(m.valType(t));
          i++;
          typed = true;
        }
        if (typed) w.u32(types.length).bytes(encodeValTypes(types));
        return i;
      }
      case "reftype": {
        const heap: number[] = [];
        encodeHeapType(m.heapType(items[i]), heap);
        w.bytes(heap);
        return i + 1;
      }
      case "memory.init": {
        const a = m.index("data", items[i + 1] && isIndexAtom(items[i + 1]) ? items[i + 1] : items[i]);
        const mem = isIndexAtom(items[i + 1]) ? m.index("memory", items[i]) : 0;
        w.u32(a).u32(mem);
        return isIndexAtom(items[i + 1]) ? i + 2 : i + 1;
      }
      case "data":
        w.u32(m.index("data", items[i]));
        return i + 1;
      case "memory.copy": {
        const a = optIndex("memory");
        const b = a === null ? null : optIndex("memory");
        w.u32(a ?? 0).u32(b ?? 0);
        return i;
      }
      case "table.init": {
        if (isIndexAtom(items[i + 1])) {
          const t = m.index("table", items[i]);
          w.u32(m.index("elem", items[i + 1])).u32(t);
          return i + 2;
        }
        w.u32(m.index("elem", items[i])).u32(0);
        return i + 1;
      }
      case "elem":
        w.u32(m.index("elem", items[i]));
        return i + 1;
      case "tag":
        w.u32(m.index("tag", items[i]));
        return i + 1;
      case "table.copy": {
        const a = optIndex("table");
        const b = a === null ? null : optIndex("table");
        w.u32(a ?? 0).u32(b ?? 0);
        return i;
      }
      default:
        unsupported(op.feature);
    }
  }
}

/**
 * The atoms from `items[i]` on that stand where numeric literals may (anything but an identifier or a keyword;
 * `inf` and `nan…` count as numbers): the lanes of `v128.const` and `i8x16.shuffle`, counted before they are
 * parsed, as the reference parser does.
 */
function numberAtoms(items: SExpr[], i: number): SAtom[] {
  const out: SAtom[] = [];
  for (let a = items[i]; isAtom(a) && !/^(\$|(?![+-]?(inf|nan))[+-]?[a-zA-Z])/.test(a.text); a = items[++i]) {
    out.push(a);
  }
  return out;
}

const END = new Set(["end"]);
/** Where a legacy `try`'s body or handler ends. */
const TRY_STOP = new Set(["end", "catch", "catch_all", "delegate"]);
/** The catch clauses of `try_table` and their kind byte. */
const CATCH_CLAUSES: Record<string, number> = { catch: 0, catch_ref: 1, catch_all: 2, catch_all_ref: 3 };
/**
 * Words that are no instruction on their own: `catch` and `catch_all` only follow a legacy `try`'s body, `delegate`
 * ends one.
 */
const CATCH_KEYWORDS = new Set(["catch", "catch_all", "delegate", "catch_ref", "catch_all_ref"]);
/** The fields that define an index space's entry, which a `@name` annotation may name. */
const NAMED_FIELDS: Partial<Record<string, Space>> = {
  func: "func",
  table: "table",
  memory: "memory",
  global: "global",
  tag: "tag",
  elem: "elem",
  data: "data",
};
const NOT_INSTR = new Set(["type", "param", "result", "local", "export", "import"]);
const END_ELSE = new Set(["end", "else"]);
