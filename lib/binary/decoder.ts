/**
 * The binary decoder (spec §5): bytes → {@link Module}. Every section is decoded here; function bodies stay as
 * byte ranges that the validator walks (it reports malformed instructions inside them).
 *
 * Errors are `CompileError`s with the byte offset and the spec interpreter's wording, since the spec testsuite's
 * `assert_malformed` texts come from it. Like the spec interpreter, sections are read from one stream over the whole
 * file and their declared size is checked when they end ("section size mismatch"); a length that exceeds the rest
 * of the file is "length out of bounds"; running off the end of the file is "unexpected end of section or
 * function". Encodings of proposals Kiln does not implement throw `UnsupportedFeatureError`.
 *
 * @module
 */
import { CompileError, UnexpectedEndError, UnsupportedFeatureError } from "../errors.ts";
import { ByteReader } from "./leb128.ts";
import { InstructionReader, PREFIX_FC } from "./instruction_reader.ts";
import {
  type CompType,
  type ConstExpr,
  type ConstInstr,
  type CustomSection,
  type DataSegment,
  type ElemSegment,
  type Export,
  type ExternKind,
  type FieldType,
  type FuncBody,
  type FuncType,
  type Global,
  type GlobalType,
  type Import,
  type LocalRun,
  type MemoryType,
  type Module,
  type NameSection,
  NOT_A_FUNC_TYPE,
  PackedType,
  type SubType,
  type TableType,
  type ValType,
} from "./module.ts";
import { FC_OPS, IMPLEMENTED_FEATURES, prefixFeature, SINGLE_BYTE_OPS } from "./opcodes.ts";
import { MAX_TYPES, readRefType, readValType } from "./value_types.ts";

/** Section ids (spec §5.5.2); `tag` (13) came with exception handling. */
const enum SectionId {
  custom = 0,
  type = 1,
  import = 2,
  func = 3,
  table = 4,
  memory = 5,
  global = 6,
  export = 7,
  start = 8,
  elem = 9,
  code = 10,
  data = 11,
  dataCount = 12,
  tag = 13,
}

/** Position of each non-custom section in the required order (tag sits between memory and global). */
const SECTION_ORDER: readonly number[] = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6];

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes a binary module. Performs every check of the binary format (spec §5) but not validation (spec §3):
 * call `validateModule` from `lib/validate/module_validator.ts` next.
 *
 * @param bytes The module binary. Function bodies and data segments are views into it (not copied).
 * @param options `bodiesKnown`: these bytes decoded and validated before (a compile cache's entry holds them), so
 *   function bodies are not read instruction by instruction, only their bounds and locals.
 * @returns The decoded module.
 * @throws CompileError when the bytes are malformed, `UnsupportedFeatureError` (a CompileError) when they encode a
 *   proposal Kiln does not implement.
 *
 * @example Decoding the empty module
 * ```ts
 * import { decodeModule } from "./decoder.ts";
 * const m = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * console.log(m.funcs.length); // 0
 * ```
 */
export function decodeModule(bytes: Uint8Array, options: { bodiesKnown?: boolean } = {}): Module {
  if (bytes.length < 4) throw new UnexpectedEndError(bytes.length);
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new CompileError("magic header not detected", 0);
  }
  if (bytes.length < 8) throw new UnexpectedEndError(bytes.length);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new CompileError("unknown binary version", 4);
  }
  try {
    return new Decoder(bytes, options.bodiesKnown === true).module();
  } catch (e) {
    // The spec interpreter reports any read past the end of the file this way; "unexpected end" is a prefix.
    if (e instanceof UnexpectedEndError) {
      throw new CompileError("unexpected end of section or function", e.offset);
    }
    throw e;
  }
}

/** Reads a length (a count or byte size) that must not exceed the bytes left in the reader (spec `len32`). */
export function readLength(r: ByteReader): number {
  const at = r.pos;
  const n = r.u32();
  if (n > r.end - r.pos) throw new CompileError("length out of bounds", at);
  return n;
}

/** Reads a UTF-8 name (spec §5.2.4). */
export function readName(r: ByteReader): string {
  const n = readLength(r);
  const at = r.pos;
  const view = r.bytesView(n);
  // Why: most names are short ASCII, which is much cheaper to build by hand than through TextDecoder.
  if (n <= 64) {
    let ascii = "";
    let i = 0;
    for (; i < n; i++) {
      const c = view[i]!;
      if (c >= 0x80) break;
      ascii += String.fromCharCode(c);
    }
    if (i === n) return ascii;
  }
  try {
    return utf8.decode(view);
  } catch {
    throw new CompileError("malformed UTF-8 encoding", at);
  }
}

class Decoder {
  readonly r: ByteReader;
  /** Reads the instructions of function bodies and constant expressions from `r`. */
  readonly instructions: InstructionReader;
  readonly types: FuncType[] = [];
  readonly subtypes: SubType[] = [];
  readonly imports: Import[] = [];
  readonly funcs: number[] = [];
  readonly tables: TableType[] = [];
  readonly memories: MemoryType[] = [];
  readonly globals: Global[] = [];
  readonly tags: number[] = [];
  readonly exports: Export[] = [];
  start: number | undefined;
  readonly elems: ElemSegment[] = [];
  readonly datas: DataSegment[] = [];
  dataCount: number | undefined;
  readonly codes: FuncBody[] = [];
  /** Contents of the `name` custom section, parsed lazily by `Module.names`. */
  nameBytes: Uint8Array | undefined;
  readonly customs: CustomSection[] = [];
  importedFuncs = 0;
  importedTables = 0;
  importedMemories = 0;
  importedGlobals = 0;
  importedTags = 0;
  sawFuncSection = false;
  sawCodeSection = false;
  sawDataSection = false;
  /** Whether a body uses `memory.init` or `data.drop`, which need a data count section before the code. */
  usesDataIndex = false;

  constructor(readonly bytes: Uint8Array, readonly bodiesKnown = false) {
    this.r = new ByteReader(bytes, 8);
    this.instructions = new InstructionReader(this.r);
  }

  module(): Module {
    const r = this.r;
    let lastOrder = 0;
    while (r.pos < r.end) {
      const idAt = r.pos;
      const id = r.u8();
      if (id > SectionId.tag) throw new CompileError("malformed section id", idAt);
      const size = readLength(r);
      const start = r.pos;
      const end = start + size;
      if (id === SectionId.custom) {
        this.customSection(start, end);
        r.pos = end;
        continue;
      }
      const order = SECTION_ORDER[id]!;
      if (order <= lastOrder) throw new CompileError("unexpected content after last section", idAt);
      lastOrder = order;
      this.section(id);
      if (r.pos !== end) throw new CompileError("section size mismatch", start);
    }
    if (this.sawFuncSection || this.sawCodeSection) {
      if (this.funcs.length !== this.codes.length) {
        throw new CompileError("function and code section have inconsistent lengths", r.pos);
      }
    }
    // A body that names data segments needs the data count section (spec §5.5.13). Without any data section
    // the module is kept, and validation reports the index as "unknown data segment".
    if (this.usesDataIndex && this.dataCount === undefined && this.sawDataSection) {
      throw new CompileError("data count section required", r.pos);
    }
    if (this.dataCount !== undefined && this.dataCount !== this.datas.length) {
      throw new CompileError("data count and data section have inconsistent lengths", r.pos);
    }
    const nameBytes = this.nameBytes;
    let names: NameSection | undefined;
    return {
      bytes: this.bytes,
      types: this.types,
      subtypes: this.subtypes,
      imports: this.imports,
      funcs: this.funcs,
      tables: this.tables,
      memories: this.memories,
      globals: this.globals,
      tags: this.tags,
      exports: this.exports,
      start: this.start,
      elems: this.elems,
      datas: this.datas,
      dataCount: this.dataCount,
      codes: this.codes,
      get names(): NameSection {
        // Parsed on first use (backtraces, tools): most runs never need it.
        return names ??= (nameBytes && parseNameSection(nameBytes)) || { functions: new Map(), locals: new Map() };
      },
      customs: this.customs,
      importedFuncs: this.importedFuncs,
      importedTables: this.importedTables,
      importedMemories: this.importedMemories,
      importedGlobals: this.importedGlobals,
      importedTags: this.importedTags,
    };
  }

  section(id: number): void {
    const r = this.r;
    switch (id) {
      case SectionId.type:
        for (let n = r.u32(); n > 0; n--) this.recType();
        return;
      case SectionId.import:
        for (let n = r.u32(); n > 0; n--) this.imports.push(this.import());
        return;
      case SectionId.func:
        this.sawFuncSection = true;
        for (let n = r.u32(); n > 0; n--) this.funcs.push(r.u32());
        return;
      case SectionId.table:
        for (let n = r.u32(); n > 0; n--) this.tables.push(this.tableType(true));
        return;
      case SectionId.memory:
        for (let n = r.u32(); n > 0; n--) this.memories.push(this.memoryType());
        return;
      case SectionId.global:
        for (let n = r.u32(); n > 0; n--) {
          const type = this.globalType();
          this.globals.push({ type, init: this.constExpr() });
        }
        return;
      case SectionId.export:
        for (let n = r.u32(); n > 0; n--) this.exports.push(this.export());
        return;
      case SectionId.start:
        this.start = r.u32();
        return;
      case SectionId.elem:
        for (let n = r.u32(); n > 0; n--) this.elems.push(this.elemSegment());
        return;
      case SectionId.dataCount:
        this.dataCount = r.u32();
        return;
      case SectionId.code:
        this.sawCodeSection = true;
        for (let n = r.u32(); n > 0; n--) this.codes.push(this.funcBody());
        return;
      case SectionId.data:
        this.sawDataSection = true;
        for (let n = r.u32(); n > 0; n--) this.datas.push(this.dataSegment());
        return;
      case SectionId.tag:
        for (let n = r.u32(); n > 0; n--) this.tags.push(this.tagType());
        return;
    }
  }

  /** A tag type (spec §5.5.6): the attribute byte 0 (an exception), then a type index. */
  tagType(): number {
    const r = this.r;
    const at = r.pos;
    if (r.u8() !== 0x00) throw new CompileError("malformed tag attribute", at);
    return r.u32();
  }

  customSection(start: number, end: number): void {
    // Custom sections are read within their declared size, so a bad name length reports "unexpected end".
    const r = new ByteReader(this.bytes, start, end);
    const name = readName(r);
    const bytes = this.bytes.subarray(r.pos, end);
    this.customs.push({ name, bytes });
    if (name === "name") this.nameBytes = bytes;
  }

  /** Reads one `rectype` (spec 3.0 §5.3.7): a `rec` group of subtypes, or one subtype as a group of its own. */
  recType(): void {
    const r = this.r;
    const recStart = this.subtypes.length;
    let recSize = 1;
    if (r.pos < r.end && r.bytes[r.pos] === 0x4e) {
      r.pos++;
      recSize = r.u32();
    }
    if (recStart + recSize > MAX_TYPES) throw new CompileError("too many types", r.pos);
    for (let k = 0; k < recSize; k++) {
      const sub = this.subType(recStart, recSize);
      this.subtypes.push(sub);
      this.types.push(sub.comp.kind === "func" ? sub.comp.type : NOT_A_FUNC_TYPE);
    }
  }

  /** Reads a `subtype`: `sub`/`sub final` with supertype indices, or a bare composite type (final, no supertype). */
  subType(recStart: number, recSize: number): SubType {
    const r = this.r;
    const form = r.pos < r.end ? r.bytes[r.pos] : -1;
    let final = true;
    const supertypes: number[] = [];
    if (form === 0x50 || form === 0x4f) {
      r.pos++;
      final = form === 0x4f;
      for (let n = r.u32(); n > 0; n--) supertypes.push(r.u32());
    }
    return { comp: this.compType(), final, supertypes, recStart, recSize };
  }

  /** Reads a `comptype`: `func`, `struct` or `array` (spec 3.0 §5.3.6). */
  compType(): CompType {
    const r = this.r;
    const at = r.pos;
    const form = r.u8();
    switch (form) {
      case 0x60: {
        const params: ValType[] = [];
        for (let n = r.u32(); n > 0; n--) params.push(readValType(r));
        const results: ValType[] = [];
        for (let n = r.u32(); n > 0; n--) results.push(readValType(r));
        return { kind: "func", type: { params, results } };
      }
      case 0x5f: {
        const fields: FieldType[] = [];
        for (let n = r.u32(); n > 0; n--) fields.push(this.fieldType());
        return { kind: "struct", fields };
      }
      case 0x5e:
        return { kind: "array", element: this.fieldType() };
    }
    // The spec reads the form as a signed LEB128 of 7 bits: a continuation bit makes it too long.
    if (form & 0x80) throw new CompileError("integer representation too long", at);
    // Custom descriptors' `descriptor` (0x4d) and `describes` (0x4c) prefixes.
    if (form === 0x4d || form === 0x4c) throw new UnsupportedFeatureError("custom-descriptors", at);
    throw new CompileError("malformed function type", at);
  }

  /** Reads a `fieldtype`: a storage type (a value type, `i8` 0x78 or `i16` 0x77) and its mutability. */
  fieldType(): FieldType {
    const r = this.r;
    const byte = r.pos < r.end ? r.bytes[r.pos] : -1;
    let type: number;
    if (byte === PackedType.i8 || byte === PackedType.i16) {
      r.pos++;
      type = byte;
    } else {
      const start = r.pos;
      try {
        type = readValType(r);
      } catch (e) {
        if (e instanceof CompileError && e.message === "malformed value type") {
          throw new CompileError("malformed storage type", start);
        }
        throw e;
      }
    }
    const at = r.pos;
    const mut = r.u8();
    if (mut > 1) throw new CompileError("malformed mutability", at);
    return { type, mutable: mut === 1 };
  }

  import(): Import {
    const r = this.r;
    const module = readName(r);
    const name = readName(r);
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case 0x00:
        this.importedFuncs++;
        return { module, name, desc: { kind: "func", typeIndex: r.u32() } };
      case 0x01:
        this.importedTables++;
        return { module, name, desc: { kind: "table", type: this.tableType(false) } };
      case 0x02:
        this.importedMemories++;
        return { module, name, desc: { kind: "memory", type: this.memoryType() } };
      case 0x03:
        this.importedGlobals++;
        return { module, name, desc: { kind: "global", type: this.globalType() } };
      case 0x04:
        this.importedTags++;
        return { module, name, desc: { kind: "tag", typeIndex: this.tagType() } };
      case 0x20: // exact function import
        r.u32();
        throw new UnsupportedFeatureError("custom-descriptors", at);
      default:
        throw new CompileError("malformed import kind", at);
    }
  }

  /** A table type; in the table section, `0x40 0x00` introduces a table with an initializer (function-references). */
  tableType(inSection: boolean): TableType {
    const r = this.r;
    if (inSection && r.pos < r.end && this.bytes[r.pos] === 0x40) {
      const at = r.pos;
      r.u8();
      if (r.u8() !== 0x00) throw new CompileError("malformed table type", at);
      const elem = readRefType(r);
      const { address, limits } = this.limits(false);
      return { address, elem, limits, init: this.constExpr() };
    }
    const elem = readRefType(r);
    const { address, limits } = this.limits(false);
    return { address, elem, limits };
  }

  memoryType(): MemoryType {
    return this.limits(true);
  }

  /**
   * Reads limits (spec 3.0 §5.3.7): a flags byte (bit 0 max present, bit 1 shared, bit 2 64-bit address type, bit 3
   * custom page size), then u64 minimum and maximum (validation bounds them by the address type). Flags of proposals Kiln does not implement are reported as
   * unsupported only when the rest of the encoding is well-formed; otherwise they are malformed.
   */
  limits(memory: boolean): MemoryType {
    const r = this.r;
    const at = r.pos;
    const flags = r.u8();
    const allowed = memory ? 0x0f : 0x05;
    if ((flags & ~allowed) !== 0) throw new CompileError("malformed limits flags", at);
    if (flags & 0x08) {
      // custom-page-sizes: min, [max], log2 of the page size. Malformed unless all of it is there.
      try {
        r.u64();
        if (flags & 1) r.u64();
        r.u32();
      } catch {
        throw new CompileError("malformed limits flags", at);
      }
      throw new UnsupportedFeatureError("custom-page-sizes", at);
    }
    const address = flags & 0x04 ? "i64" : "i32";
    const minAt = r.pos;
    const min = r.u64();
    const maxAt = r.pos;
    let max = flags & 1 ? r.u64() : undefined;
    // Above 2^53 the numbers are rounded: where that makes a larger minimum equal to the maximum, the maximum becomes
    // the double just below, so that validation still sees minimum > maximum (table64 limits go up to 2^64 - 1).
    if (max === min && min > Number.MAX_SAFE_INTEGER && exactU64(this.bytes, minAt) > exactU64(this.bytes, maxAt)) {
      max = min - 2 ** (Math.floor(Math.log2(min)) - 52);
    }
    // A shared memory (threads) keeps its shape; the validator reports it as unsupported.
    return { address, limits: max === undefined ? { min } : { min, max }, shared: (flags & 0x02) !== 0 };
  }

  globalType(): GlobalType {
    const r = this.r;
    const type = readValType(r);
    const at = r.pos;
    const mut = r.u8();
    if (mut > 1) throw new CompileError("malformed mutability", at);
    return { type, mutable: mut === 1 };
  }

  export(): Export {
    const r = this.r;
    const name = readName(r);
    const at = r.pos;
    const kindByte = r.u8();
    let kind: ExternKind;
    switch (kindByte) {
      case 0x00:
        kind = "func";
        break;
      case 0x01:
        kind = "table";
        break;
      case 0x02:
        kind = "memory";
        break;
      case 0x03:
        kind = "global";
        break;
      case 0x04:
        kind = "tag";
        break;
      default:
        throw new CompileError("malformed export kind", at);
    }
    return { name, kind, index: r.u32() };
  }

  /**
   * A constant expression up to its `end` (spec §3.3.10). Instructions that can never be constant are rejected
   * here with "constant expression required"; typing and index checks are the validator's.
   */
  constExpr(): ConstExpr {
    const r = this.r;
    const reader = this.instructions;
    const offset = r.pos;
    const instrs: ConstInstr[] = [];
    for (;;) {
      const at = r.pos;
      const op = r.bytes[at]!;
      if (at >= r.end) r.u8(); // throws "unexpected end"
      switch (op) {
        case 0x0b:
          r.pos = at + 1;
          return { instrs, offset };
        case 0x41:
          reader.next();
          instrs.push({ op: "i32.const", value: reader.value });
          break;
        case 0x42:
          reader.next();
          instrs.push({ op: "i64.const", value: BigInt.asIntN(64, wordsToBigInt(reader.value, reader.high)) });
          break;
        case 0x43:
          reader.next();
          instrs.push({ op: "f32.const", bits: reader.value });
          break;
        case 0x44:
          reader.next();
          instrs.push({ op: "f64.const", bits: wordsToBigInt(reader.value, reader.high) });
          break;
        case 0xd0:
          reader.next();
          instrs.push({ op: "ref.null", type: reader.valType });
          break;
        case 0xd2:
          reader.next();
          instrs.push({ op: "ref.func", funcIndex: reader.index });
          break;
        case 0x23:
          reader.next();
          instrs.push({ op: "global.get", globalIndex: reader.index });
          break;
        case 0xfb: { // GC: the allocations, ref.i31 and the extern/any conversions are constant
          reader.next();
          const sub = reader.sub;
          if (!GC_CONSTANT.has(sub)) {
            r.pos = at;
            skipToEnd(reader);
            throw new CompileError("constant expression required", at);
          }
          const typeIndex = sub >= 26 ? 0 : reader.index, count = sub === 8 ? reader.index2 : 0;
          instrs.push({ op: "gc", sub, name: reader.info.name, typeIndex, count });
          break;
        }
        case 0xfd: // SIMD: only v128.const is constant
          reader.next();
          if (reader.info.name !== "v128.const") {
            r.pos = at;
            skipToEnd(reader);
            throw new CompileError("constant expression required", at);
          }
          instrs.push({ op: "v128.const", bytes: reader.bytes16.slice() });
          break;
        case 0x6a:
        case 0x6b:
        case 0x6c:
        case 0x7c:
        case 0x7d:
        case 0x7e:
          reader.next();
          instrs.push({ op: "binary", opcode: op, name: reader.info.name });
          break;
        default:
          if (SINGLE_BYTE_OPS[op] !== undefined && IMPLEMENTED_FEATURES.has(SINGLE_BYTE_OPS[op]!.feature)) {
            // Like the spec interpreter, read the expression to its `end` first: a missing `end` is malformed.
            r.pos = at;
            skipToEnd(reader);
            throw new CompileError("constant expression required", at);
          }
          r.pos = at + 1;
          throw constExprError(r, op, at);
      }
    }
  }

  elemSegment(): ElemSegment {
    const r = this.r;
    const at = r.pos;
    const flags = r.u32();
    if (flags > 7) throw new CompileError("malformed elements segment kind", at);
    const passiveOrDeclarative = (flags & 1) !== 0;
    const explicitTable = (flags & 2) !== 0;
    const usesExprs = (flags & 4) !== 0;
    const mode = !passiveOrDeclarative ? "active" : explicitTable ? "declarative" : "passive";
    let table = 0;
    let offset: ConstExpr | undefined;
    if (mode === "active") {
      if (explicitTable) table = r.u32();
      offset = this.constExpr();
    }
    // The function-index forms (elemkind 0x00, or none in form 0) are `(ref func)` in 3.0; forms 0 and 4 have
    // neither elemkind nor reftype.
    let type: ValType = usesExprs ? 0x70 : 0x170;
    if (passiveOrDeclarative || explicitTable) {
      if (usesExprs) type = readRefType(r);
      else {
        const kindAt = r.pos;
        if (r.u8() !== 0x00) throw new CompileError("malformed elements segment kind", kindAt);
      }
    }
    const init: ConstExpr[] = [];
    for (let n = r.u32(); n > 0; n--) {
      if (usesExprs) init.push(this.constExpr());
      else {
        const exprAt = r.pos;
        init.push({ instrs: [{ op: "ref.func", funcIndex: r.u32() }], offset: exprAt });
      }
    }
    return offset ? { mode, table, offset, type, init } : { mode, table, type, init };
  }

  dataSegment(): DataSegment {
    const r = this.r;
    const at = r.pos;
    const flags = r.u32();
    let memory = 0;
    let offset: ConstExpr | undefined;
    switch (flags) {
      case 0:
        offset = this.constExpr();
        break;
      case 1:
        break;
      case 2:
        memory = r.u32();
        offset = this.constExpr();
        break;
      default:
        throw new CompileError("malformed data segment kind", at);
    }
    // Not `readLength`: the spec interpreter reports a short data segment as an unexpected end.
    const bytes = r.bytesView(r.u32());
    return offset ? { mode: "active", memory, offset, bytes } : { mode: "passive", memory, bytes };
  }

  funcBody(): FuncBody {
    const r = this.r;
    const size = readLength(r);
    const start = r.pos;
    const end = start + size;
    const locals: LocalRun[] = [];
    let localCount = 0;
    const countAt = r.pos;
    for (let n = r.u32(); n > 0; n--) {
      const count = r.u32();
      const type = readValType(r);
      localCount += count;
      locals.push({ count, type });
    }
    if (localCount >= 2 ** 32) throw new CompileError("too many locals", countAt);
    const bodyStart = r.pos;
    if (this.bodiesKnown) r.pos = end;
    else if (scanInstructions(this.instructions)) this.usesDataIndex = true;
    if (r.pos !== end) throw new CompileError("section size mismatch", start);
    return { locals, localCount, start: bodyStart, end };
  }
}

/**
 * Reads one function body's instructions up to the `end` that closes it, checking that they are well-formed
 * (spec §5.4): known opcodes, well-formed immediates (read by the {@link InstructionReader}), `else` only inside
 * `if`. Like the spec interpreter it reads from the whole stream, so a body whose declared size is wrong is caught
 * as "section size mismatch" by the caller. Typing is left to the validator. Returns whether the body uses
 * `memory.init` or `data.drop`.
 */
function scanInstructions(reader: InstructionReader): boolean {
  // Kinds of the open blocks: 1 for `if`, 0 otherwise. Depth 0 is the function's own block.
  let kinds = new Uint8Array(16);
  let depth = 0;
  let usesDataIndex = false;
  for (;;) {
    switch (reader.next()) {
      case 0x0b: // end
        if (depth === 0) return usesDataIndex;
        depth--;
        break;
      case 0x05: // else
        if (depth === 0 || kinds[depth] !== 1) throw new CompileError("END opcode expected", reader.at);
        kinds[depth] = 0;
        break;
      case 0x18: // delegate: ends a legacy `try` (the validator checks that it is one)
        if (depth === 0) throw new CompileError("END opcode expected", reader.at);
        depth--;
        break;
      case 0x02: // block
      case 0x03: // loop
      case 0x04: // if
      case 0x1f: // try_table
      case 0x06: // try (legacy exceptions)
        if (++depth === kinds.length) {
          const grown = new Uint8Array(kinds.length * 2);
          grown.set(kinds);
          kinds = grown;
        }
        kinds[depth] = reader.op === 0x04 ? 1 : 0;
        break;
      case PREFIX_FC:
        if (reader.sub === 8 || reader.sub === 9) usesDataIndex = true; // memory.init, data.drop
        break;
    }
  }
}

/**
 * The constant GC instructions (spec 3.0 §3.3.10), by `0xfb` sub-opcode: struct.new(_default), array.new(_default,
 * _fixed), any.convert_extern, extern.convert_any, ref.i31.
 */
const GC_CONSTANT: ReadonlySet<number> = new Set([0, 1, 6, 7, 8, 26, 27, 28]);

/** Reads instructions up to the `end` that closes the current expression (nested blocks included). */
function skipToEnd(reader: InstructionReader): void {
  let depth = 0;
  for (;;) {
    const op = reader.next();
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x1f || op === 0x06) depth++;
    else if ((op === 0x0b || op === 0x18) && depth-- === 0) return;
  }
}

/** The unsigned 64-bit value of two int32 words. */
function wordsToBigInt(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

/** The error for a byte that cannot start a constant expression instruction. */
function constExprError(r: ByteReader, op: number, at: number): CompileError {
  const feature = prefixFeature(op);
  if (feature) {
    return new UnsupportedFeatureError(feature, at);
  }
  if (op === 0xfc) {
    const sub = r.u32();
    if (FC_OPS[sub] === undefined) return new CompileError(`illegal opcode fc ${sub.toString(16)}`, at);
    return new CompileError("constant expression required", at);
  }
  const info = SINGLE_BYTE_OPS[op];
  if (info === undefined) return new CompileError(`illegal opcode ${op.toString(16).padStart(2, "0")}`, at);
  if (!IMPLEMENTED_FEATURES.has(info.feature)) return new UnsupportedFeatureError(info.feature, at);
  return new CompileError("constant expression required", at);
}

/**
 * Parses the `name` custom section (spec appendix 7.4): module name (0), function names (1), local names (2);
 * other subsections are skipped. Returns `undefined` when the section is malformed, which engines ignore.
 */
export function parseNameSection(bytes: Uint8Array): NameSection | undefined {
  const names: NameSection = { functions: new Map(), locals: new Map() };
  try {
    const r = new ByteReader(bytes);
    let lastId = -1;
    while (r.pos < r.end) {
      const id = r.u8();
      if (id <= lastId) return undefined;
      lastId = id;
      const size = readLength(r);
      const end = r.pos + size;
      const sub = new ByteReader(bytes, r.pos, end);
      if (id === 0) names.module = readName(sub);
      else if (id === 1) readNameMap(sub, names.functions);
      else if (id === 2) {
        for (let n = readLength(sub); n > 0; n--) {
          const func = sub.u32();
          const map = new Map<number, string>();
          readNameMap(sub, map);
          names.locals.set(func, map);
        }
      } else sub.pos = end;
      if (sub.pos !== end) return undefined;
      r.pos = end;
    }
  } catch (e) {
    if (e instanceof CompileError) return undefined;
    throw e;
  }
  return names;
}

function readNameMap(r: ByteReader, into: Map<number, string>): void {
  for (let n = readLength(r); n > 0; n--) {
    const index = r.u32();
    into.set(index, readName(r));
  }
}

/** The exact value of the well-formed u64 LEB128 at `pos` (the decoder has read it once as a number). */
function exactU64(bytes: Uint8Array, pos: number): bigint {
  let result = 0n;
  for (let shift = 0n;; shift += 7n) {
    const b = bytes[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return result;
  }
}
