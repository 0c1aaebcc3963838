/**
 * The one instruction reader (STYLE.md): decodes an instruction of a function body and its immediates (spec §5.4)
 * into fields of one reusable record. The decoder's well-formedness scan, the validator, the fuel plan and the
 * translator all read bodies through it; nothing else parses an immediate.
 *
 * Immediates follow the WebAssembly 3.0 binary format: a memory index (`memory.size`, `memory.grow`,
 * `memory.fill`, `memory.copy`, `memory.init`) is a LEB128 u32, not a single reserved byte; a `memarg` is an
 * alignment flags u32 (bit 6: a memory index follows) and a u64 offset, which validation limits to 2^32 - 1 for a
 * 32-bit memory. An opcode Kiln does not know is "illegal opcode"; one of a proposal it does not implement is an
 * `UnsupportedFeatureError`, before any of its immediates is read.
 *
 * @module
 */
import { CompileError, UnexpectedEndError, UnsupportedFeatureError } from "../errors.ts";
import type { ByteReader } from "./leb128.ts";
import { EMPTY_BLOCK_TYPE, refType, type ValType } from "./module.ts";
import {
  FB_OPS,
  FC_OPS,
  FD_OPS,
  FRONT_END_FEATURES,
  type Imm,
  type OpInfo,
  prefixFeature,
  SINGLE_BYTE_OPS,
} from "./opcodes.ts";
import { readHeapType, readValType } from "./value_types.ts";

// How each opcode's immediates are read. Why: plain numbers in a byte table, since the reader switches on them per
// instruction and a TS enum is a property load per use.
const READ_INVALID = 0;
const READ_NONE = 1;
const READ_BLOCKTYPE = 2;
const READ_U32 = 3;
const READ_U32_U32 = 4;
const READ_BR_TABLE = 5;
const READ_MEMARG = 6;
const READ_I32 = 7;
const READ_I64 = 8;
const READ_F32 = 9;
const READ_F64 = 10;
const READ_SELECT_T = 11;
const READ_REFTYPE = 12;
const READ_TRY_TABLE = 13;
const READ_BYTES16 = 14;
const READ_LANE = 15;
const READ_MEMARG_LANE = 16;
const READ_HEAPTYPE = 17;
const READ_BR_ON_CAST = 18;

const READ_BY_IMM: Readonly<Record<Imm, number>> = {
  none: READ_NONE,
  blocktype: READ_BLOCKTYPE,
  label: READ_U32,
  br_table: READ_BR_TABLE,
  func: READ_U32,
  call_indirect: READ_U32_U32,
  local: READ_U32,
  global: READ_U32,
  table: READ_U32,
  memarg: READ_MEMARG,
  memory: READ_U32,
  i32: READ_I32,
  i64: READ_I64,
  f32: READ_F32,
  f64: READ_F64,
  select_t: READ_SELECT_T,
  reftype: READ_REFTYPE,
  "memory.init": READ_U32_U32,
  data: READ_U32,
  "memory.copy": READ_U32_U32,
  "table.init": READ_U32_U32,
  elem: READ_U32,
  "table.copy": READ_U32_U32,
  type: READ_U32,
  try_table: READ_TRY_TABLE,
  tag: READ_U32,
  v128: READ_BYTES16,
  shuffle: READ_BYTES16,
  lane: READ_LANE,
  memarg_lane: READ_MEMARG_LANE,
  type_field: READ_U32_U32,
  type_u32: READ_U32_U32,
  type_data: READ_U32_U32,
  type_elem: READ_U32_U32,
  type_type: READ_U32_U32,
  heaptype: READ_HEAPTYPE,
  br_on_cast: READ_BR_ON_CAST,
};

/** Reading kind per single-byte opcode; only implemented (`core`) instructions get one. */
const SINGLE_READ: Uint8Array = (() => {
  const kinds = new Uint8Array(256);
  SINGLE_BYTE_OPS.forEach((info, op) => {
    if (info !== undefined && FRONT_END_FEATURES.has(info.feature)) kinds[op] = READ_BY_IMM[info.imm];
  });
  return kinds;
})();

/** Reading kind per `0xfc` sub-opcode (0 for unknown or unimplemented ones). */
const FC_READ: Uint8Array = (() => {
  const kinds = new Uint8Array(FC_OPS.length);
  FC_OPS.forEach((info, sub) => {
    if (info !== undefined && FRONT_END_FEATURES.has(info.feature)) kinds[sub] = READ_BY_IMM[info.imm];
  });
  return kinds;
})();

/** Reading kind per `0xfb` (GC) sub-opcode (0 for unknown ones). */
const FB_READ: Uint8Array = (() => {
  const kinds = new Uint8Array(FB_OPS.length);
  FB_OPS.forEach((info, sub) => {
    if (info !== undefined && FRONT_END_FEATURES.has(info.feature)) kinds[sub] = READ_BY_IMM[info.imm];
  });
  return kinds;
})();

/** Reading kind per `0xfd` (SIMD) sub-opcode (0 for unknown or unimplemented ones). */
const FD_READ: Uint8Array = (() => {
  const kinds = new Uint8Array(FD_OPS.length);
  FD_OPS.forEach((info, sub) => {
    if (info !== undefined && FRONT_END_FEATURES.has(info.feature)) kinds[sub] = READ_BY_IMM[info.imm];
  });
  return kinds;
})();

/** The `0xfc` prefix byte. */
export const PREFIX_FC = 0xfc;
/** The `0xfb` (GC) prefix byte. */
export const PREFIX_FB = 0xfb;
/** The `0xfd` (SIMD) prefix byte. */
export const PREFIX_FD = 0xfd;

/**
 * Reads instructions one at a time from a {@link ByteReader}, sharing its position. After {@link next} the fields
 * describe the instruction just read; which fields are meaningful depends on its immediate kind (`info.imm`):
 *
 * | immediate | fields |
 * |---|---|
 * | `blocktype` | `blockType`: 0x40 (empty), a value-type byte, or `-1 - typeidx` |
 * | `label`, `func`, `local`, `global`, `table`, `memory`, `data`, `elem`, `type` | `index` |
 * | `call_indirect` | `index` typeidx, `index2` tableidx |
 * | `memory.init` / `table.init` | `index` dataidx / elemidx, `index2` memidx / tableidx |
 * | `memory.copy` / `table.copy` | `index` destination, `index2` source |
 * | `br_table` | `targets[0 .. index)` the labels, `index2` the default label |
 * | `memarg` | `align` (log2), `memory`, `offset` (exact below 2^53) |
 * | `i32` / `f32` | `value`: the constant / the raw bits, as an int32 |
 * | `i64` / `f64` | `value` low and `high` high word, as int32s |
 * | `select_t` | `index` the count of types, `valType` the first |
 * | `reftype` | `valType`: the heap type, which is also the nullable reference type `ref.null` gives |
 * | `tag` | `index` tagidx |
 * | `type_field`, `type_u32`, `type_data`, `type_elem`, `type_type` (GC) | `index` typeidx, `index2` the second |
 * | `heaptype` (`ref.test`, `ref.cast`) | `valType`: the heap type (the sub-opcode says whether nullable) |
 * | `br_on_cast` | `index` labelidx, `valType` and `valType2` the two reference types |
 * | `v128` / `shuffle` | `bytes16`: the 16 bytes of the constant / the 16 lane indices |
 * | `lane` | `lane` |
 * | `memarg_lane` | as `memarg`, and `lane` |
 * | `try_table` | `blockType`, `index` the count of catch clauses, `catches[0 .. 3 × index)` per clause its kind (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref), tagidx (0 for the `_all` kinds) and labelidx |
 *
 * @example Reading `i32.const 7; memory.grow 0 (index written 0x80 0x00); end`
 * ```ts
 * import { ByteReader } from "./leb128.ts";
 * import { InstructionReader } from "./instruction_reader.ts";
 * const body = new ByteReader(new Uint8Array([0x41, 7, 0x40, 0x80, 0x00, 0x0b]));
 * const reader = new InstructionReader(body);
 * reader.next();
 * if (reader.value !== 7) throw new Error("i32.const reads its value");
 * reader.next();
 * if (reader.info.name !== "memory.grow" || reader.index !== 0 || body.pos !== 5) throw new Error("memidx is a u32");
 * ```
 */
export class InstructionReader {
  /** The byte stream; its `pos` is the start of the next instruction. */
  readonly bytes: ByteReader;
  /** Byte offset of the instruction just read. */
  at = 0;
  /** Its opcode byte (`0xfc` or `0xfd` for the prefixed ones). */
  op = 0;
  /** Its sub-opcode after a `0xfc` or `0xfd` prefix; -1 for single-byte opcodes. */
  sub = -1;
  /** Its row in the opcode table. */
  info: OpInfo = SINGLE_BYTE_OPS[0x01]!;
  index = 0;
  index2 = 0;
  blockType = EMPTY_BLOCK_TYPE;
  align = 0;
  memory = 0;
  offset = 0;
  value = 0;
  high = 0;
  valType: ValType = 0;
  /** `br_on_cast`'s second reference type (the first is `valType`). */
  valType2: ValType = 0;
  /** `br_table` labels; only the first `index` entries belong to the current instruction. */
  targets: number[] = [];
  /** `try_table` catch clauses as (kind, tagidx, labelidx) triples; the first `3 × index` entries are current. */
  catches: number[] = [];
  /** `v128.const`'s 16 bytes, or `i8x16.shuffle`'s 16 lane indices. */
  readonly bytes16: Uint8Array = new Uint8Array(16);
  /** The lane index of `extract_lane`, `replace_lane` and the `load*_lane`/`store*_lane` instructions. */
  lane = 0;

  /**
   * @param bytes Positioned at an instruction; {@link next} reads up to its `end` (the caller bounds it).
   */
  constructor(bytes: ByteReader) {
    this.bytes = bytes;
  }

  /**
   * Reads the instruction at the reader's position and its immediates.
   *
   * @returns The opcode byte (also in `op`).
   * @throws CompileError "unexpected end" past the end, "illegal opcode …" for an unknown opcode, the spec's
   *   message for a malformed immediate; `UnsupportedFeatureError` for an instruction of an unimplemented proposal.
   */
  next(): number {
    const r = this.bytes;
    const at = r.pos;
    if (at >= r.end) throw new UnexpectedEndError(at);
    const op = r.bytes[at]!;
    r.pos = at + 1;
    this.at = at;
    this.op = op;
    let kind = SINGLE_READ[op]!;
    if (op === PREFIX_FC || op === PREFIX_FD || op === PREFIX_FB) {
      const sub = readU32(r);
      const info = (op === PREFIX_FC ? FC_OPS : op === PREFIX_FD ? FD_OPS : FB_OPS)[sub];
      if (info === undefined) throw new CompileError(`illegal opcode ${op.toString(16)} ${sub.toString(16)}`, at);
      if (!FRONT_END_FEATURES.has(info.feature)) throw new UnsupportedFeatureError(info.feature, at);
      this.sub = sub;
      this.info = info;
      kind = (op === PREFIX_FC ? FC_READ : op === PREFIX_FD ? FD_READ : FB_READ)[sub]!;
    } else {
      this.sub = -1;
      if (kind === READ_INVALID) unknownOpcode(op, at);
      this.info = SINGLE_BYTE_OPS[op]!;
    }
    switch (kind) {
      case READ_NONE:
        break;
      case READ_BLOCKTYPE:
        this.blockType = readBlockTypeEncoding(r);
        break;
      case READ_U32:
        this.index = readU32(r);
        break;
      case READ_U32_U32:
        this.index = readU32(r);
        this.index2 = readU32(r);
        break;
      case READ_BR_TABLE: {
        const count = r.u32();
        const targets = this.targets;
        // Why: the count is not checked against the body's size yet; grow as labels are actually read.
        for (let i = 0; i < count; i++) targets[i] = readU32(r);
        this.index = count;
        this.index2 = readU32(r);
        break;
      }
      case READ_MEMARG:
        this.#memarg(r);
        break;
      case READ_I32:
        this.value = readS32(r);
        break;
      case READ_I64:
        this.#s64(r);
        break;
      case READ_F32:
        this.value = r.i32le();
        break;
      case READ_F64:
        this.value = r.i32le();
        this.high = r.i32le();
        break;
      case READ_SELECT_T: {
        const count = r.u32();
        this.index = count;
        for (let i = 0; i < count; i++) {
          const t = readValType(r);
          if (i === 0) this.valType = t;
        }
        break;
      }
      case READ_REFTYPE:
      case READ_HEAPTYPE:
        this.valType = readHeapType(r);
        break;
      case READ_BR_ON_CAST: {
        const flagsAt = r.pos;
        const flags = r.u8();
        if (flags > 3) throw new CompileError("malformed cast flags", flagsAt);
        this.index = readU32(r);
        this.valType = refType(readHeapType(r), (flags & 1) !== 0);
        this.valType2 = refType(readHeapType(r), (flags & 2) !== 0);
        break;
      }
      case READ_BYTES16: {
        if (r.pos + 16 > r.end) throw new UnexpectedEndError(r.end);
        this.bytes16.set(r.bytes.subarray(r.pos, r.pos + 16));
        r.pos += 16;
        break;
      }
      case READ_MEMARG_LANE:
        this.#memarg(r);
        this.lane = r.u8();
        break;
      case READ_LANE:
        this.lane = r.u8();
        break;
      case READ_TRY_TABLE: {
        this.blockType = readBlockTypeEncoding(r);
        const count = r.u32();
        const catches = this.catches;
        for (let i = 0; i < count; i++) {
          const kindAt = r.pos;
          const kind = r.u8();
          if (kind > 3) throw new CompileError("malformed catch clause", kindAt);
          catches[3 * i] = kind;
          catches[3 * i + 1] = kind < 2 ? readU32(r) : 0;
          catches[3 * i + 2] = readU32(r);
        }
        this.index = count;
        break;
      }
    }
    return op;
  }

  /** `memarg` (spec 3.0 §5.4.7): flags u32 (below 2^6: alignment; below 2^7: alignment + 2^6, memidx follows), u64. */
  #memarg(r: ByteReader): void {
    const flagsAt = r.pos;
    const flags = readU32(r);
    if (flags < 0x40) {
      this.align = flags;
      this.memory = 0;
    } else if (flags < 0x80) {
      this.align = flags - 0x40;
      this.memory = readU32(r);
    } else {
      throw new CompileError("malformed memop flags", flagsAt);
    }
    this.offset = readU64(r);
  }

  /** An s64 into `value` (low word) and `high`; short encodings without BigInt. */
  #s64(r: ByteReader): void {
    const b = r.bytes;
    const p = r.pos;
    if (p + 4 <= r.end) {
      let result = 0;
      for (let i = 0, shift = 0; i < 4; i++, shift += 7) {
        const x = b[p + i]!;
        result |= (x & 0x7f) << shift;
        if (x < 0x80) {
          r.pos = p + i + 1;
          const unused = 25 - shift; // sign-extend from bit shift + 6
          this.value = (result << unused) >> unused;
          this.high = this.value >> 31;
          return;
        }
      }
    }
    const v = r.s64();
    this.value = Number(BigInt.asIntN(32, v));
    this.high = Number(BigInt.asIntN(32, v >> 32n));
  }
}

/**
 * Reads a `blocktype` (spec §5.4.1): 0x40 (empty), a value type, or a non-negative s33 type index.
 *
 * @param r Positioned at the block type; advanced past it.
 * @returns {@link EMPTY_BLOCK_TYPE} (0x40), the value-type byte, or `-1 - typeIndex` for a type index.
 * @throws CompileError "malformed value type" for a negative index or an unknown type byte.
 *
 * @example The three forms
 * ```ts
 * import { ByteReader } from "./leb128.ts";
 * import { readBlockTypeEncoding } from "./instruction_reader.ts";
 * const read = (...b: number[]) => readBlockTypeEncoding(new ByteReader(new Uint8Array(b)));
 * if (read(0x40) !== 0x40 || read(0x7f) !== 0x7f || read(0x02) !== -3) throw new Error("block types");
 * ```
 */
export function readBlockTypeEncoding(r: ByteReader): number {
  const at = r.pos;
  const byte = r.bytes[at];
  if (byte === EMPTY_BLOCK_TYPE && at < r.end) {
    r.pos = at + 1;
    return EMPTY_BLOCK_TYPE;
  }
  if (byte !== undefined && at < r.end && (byte & 0xc0) === 0x40) return readValType(r);
  const index = r.s33();
  if (index < 0) throw new CompileError("malformed value type", at);
  return -1 - index;
}

function unknownOpcode(op: number, at: number): never {
  const feature = SINGLE_BYTE_OPS[op]?.feature ?? prefixFeature(op);
  if (feature !== undefined && !FRONT_END_FEATURES.has(feature)) throw new UnsupportedFeatureError(feature, at);
  throw new CompileError(`illegal opcode ${op.toString(16).padStart(2, "0")}`, at);
}

// ---- LEB128 fast paths: short, well-formed encodings inline; anything else goes to ByteReader's exact reader,
// which checks the encoding and throws the spec's errors (this is not a second LEB128 decoder). ----

/** A u32; up to four bytes inline, plus the five-byte form linkers pad indices to. */
function readU32(r: ByteReader): number {
  const b = r.bytes;
  const p = r.pos;
  if (p + 5 <= r.end) {
    let x = b[p]!;
    if (x < 0x80) {
      r.pos = p + 1;
      return x;
    }
    let result = x & 0x7f;
    x = b[p + 1]!;
    result |= (x & 0x7f) << 7;
    if (x < 0x80) {
      r.pos = p + 2;
      return result;
    }
    x = b[p + 2]!;
    result |= (x & 0x7f) << 14;
    if (x < 0x80) {
      r.pos = p + 3;
      return result;
    }
    x = b[p + 3]!;
    result |= (x & 0x7f) << 21;
    if (x < 0x80) {
      r.pos = p + 4;
      return result;
    }
    // Five bytes: valid when the last has no continuation and no bits above 32.
    x = b[p + 4]!;
    if (x < 0x10) {
      r.pos = p + 5;
      return result + x * 0x10000000;
    }
  }
  return r.u32();
}

/** An s32; up to four bytes (28 bits) inline. */
function readS32(r: ByteReader): number {
  const b = r.bytes;
  const p = r.pos;
  if (p + 4 <= r.end) {
    let result = 0;
    for (let i = 0, shift = 0; i < 4; i++, shift += 7) {
      const x = b[p + i]!;
      result |= (x & 0x7f) << shift;
      if (x < 0x80) {
        r.pos = p + i + 1;
        const unused = 25 - shift; // sign-extend from bit shift + 6
        return (result << unused) >> unused;
      }
    }
  }
  return r.s32();
}

/** A u64 (memarg offsets) as a number, exact below 2^53; up to four bytes inline. */
function readU64(r: ByteReader): number {
  const b = r.bytes;
  const p = r.pos;
  if (p + 4 <= r.end) {
    let result = 0;
    for (let i = 0, shift = 0; i < 4; i++, shift += 7) {
      const x = b[p + i]!;
      result |= (x & 0x7f) << shift;
      if (x < 0x80) {
        r.pos = p + i + 1;
        return result;
      }
    }
  }
  return r.u64();
}
