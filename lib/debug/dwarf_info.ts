/**
 * Function names from DWARF (`.debug_info` with `.debug_abbrev`, DWARF 2 to 5 §3.3): each `DW_TAG_subprogram` that
 * has code (`DW_AT_low_pc`, `DW_AT_high_pc`) and a name, its own or its declaration's (`DW_AT_specification`,
 * `DW_AT_abstract_origin`), the linkage name first as Wasmtime's symbolizer does. A backtrace uses them for functions
 * the `name` section does not name. Addresses are offsets in the Code section's contents, as in `dwarf_line.ts`.
 *
 * @module
 */

import { DwarfError, Reader } from "./_reader.ts";
import type { DwarfSections } from "./dwarf_line.ts";

/** A function's code range (`low` inclusive, `high` exclusive) and its name. */
export interface FunctionRange {
  readonly low: number;
  readonly high: number;
  readonly name: string;
}

const DW_TAG_subprogram = 0x2e;
const DW_AT_name = 0x03, DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12, DW_AT_abstract_origin = 0x31;
const DW_AT_specification = 0x47, DW_AT_linkage_name = 0x6e, DW_AT_MIPS_linkage_name = 0x2007;
const DW_AT_str_offsets_base = 0x72, DW_AT_addr_base = 0x73, DW_AT_stmt_list = 0x10, DW_AT_comp_dir = 0x1b;

/**
 * An attribute value as read: a number, a string, an offset in `.debug_str` or `.debug_line_str` (decoded only
 * when a name is used), or an index into `.debug_str_offsets` or `.debug_addr`.
 */
type Value =
  | number
  | string
  | { readonly strp: number }
  | { readonly lineStrp: number }
  | { readonly strx: number }
  | { readonly addrx: number };

interface Abbrev {
  readonly tag: number;
  readonly hasChildren: boolean;
  /** Attribute, form and, for DW_FORM_implicit_const, the value. */
  readonly specs: readonly [number, number, number][];
}

function readAbbrevs(abbrev: Uint8Array, offset: number): Map<number, Abbrev> {
  const r = new Reader(abbrev, offset);
  const table = new Map<number, Abbrev>();
  for (let code = r.uleb(); code !== 0; code = r.uleb()) {
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const specs: [number, number, number][] = [];
    for (;;) {
      const at = r.uleb(), form = r.uleb();
      if (at === 0 && form === 0) break;
      specs.push([at, form, form === 0x21 ? r.sleb() : 0]);
    }
    table.set(code, { tag, hasChildren, specs });
  }
  return table;
}

interface Unit {
  readonly version: number;
  readonly offsetSize: number;
  readonly addressSize: number;
}

/** Reads one attribute value of `form` (§7.5.6), or skips it (undefined) when a name or address cannot use it. */
function readValue(r: Reader, form: number, unit: Unit, strings: DwarfSections, implicit: number): Value | undefined {
  const { offsetSize, addressSize } = unit;
  const skip = (n: number) => {
    r.need(n);
    r.pos += n;
    return undefined;
  };
  switch (form) {
    case 0x01: // addr
      return r.unsigned(addressSize);
    case 0x03: // block2
      return skip(r.u16());
    case 0x04: // block4
      return skip(r.u32());
    case 0x05: // data2
    case 0x12: // ref2
      return r.u16();
    case 0x06: // data4
    case 0x13: // ref4
      return r.u32();
    case 0x07: // data8
    case 0x14: // ref8
      return r.unsigned(8);
    case 0x08: // string
      return r.cstring();
    case 0x09: // block
    case 0x18: // exprloc
      return skip(r.uleb());
    case 0x0a: // block1
      return skip(r.u8());
    case 0x0b: // data1
    case 0x0c: // flag
    case 0x11: // ref1
      return r.u8();
    case 0x0d: // sdata
      return r.sleb();
    case 0x0e: // strp
      return { strp: r.unsigned(offsetSize) };
    case 0x0f: // udata
    case 0x15: // ref_udata
      return r.uleb();
    case 0x10: // ref_addr: refers to another unit, which this reader does not follow
      return skip(unit.version <= 2 ? addressSize : offsetSize);
    case 0x16: // indirect
      return readValue(r, r.uleb(), unit, strings, implicit);
    case 0x17: // sec_offset
      return r.unsigned(offsetSize);
    case 0x19: // flag_present
      return 1;
    case 0x1a: // strx
      return { strx: r.uleb() };
    case 0x1b: // addrx
      return { addrx: r.uleb() };
    case 0x1c: // ref_sup4
      return skip(4);
    case 0x1d: // strp_sup
    case 0x1f20: // GNU_ref_alt
    case 0x1f21: // GNU_strp_alt
      return skip(offsetSize);
    case 0x1e: // data16
      return skip(16);
    case 0x1f: // line_strp
      return { lineStrp: r.unsigned(offsetSize) };
    case 0x20: // ref_sig8
    case 0x24: // ref_sup8
      return skip(8);
    case 0x21: // implicit_const
      return implicit;
    case 0x22: // loclistx
    case 0x23: // rnglistx
    case 0x1f01: // GNU_addr_index
    case 0x1f02: // GNU_str_index
      r.uleb();
      return undefined;
    case 0x25: // strx1
    case 0x26: // strx2
    case 0x27: // strx3
    case 0x28: // strx4
      return { strx: r.unsigned3(form - 0x24) };
    case 0x29: // addrx1
    case 0x2a: // addrx2
    case 0x2b: // addrx3
    case 0x2c: // addrx4
      return { addrx: r.unsigned3(form - 0x28) };
    default:
      throw new DwarfError(`read debug info: unsupported attribute form 0x${form.toString(16)}`);
  }
}

function stringAt(section: Uint8Array | undefined, offset: number): string | undefined {
  return section === undefined || offset >= section.length ? undefined : new Reader(section, offset).cstring();
}

interface Subprogram {
  low?: Value;
  high?: Value;
  highIsOffset: boolean;
  name?: Value;
  linkageName?: Value;
  /** Unit-relative reference to the declaration or abstract instance that carries the name. */
  origin?: number;
}

/**
 * Reads the functions of a `.debug_info` section: each subprogram with code and a name, sorted by address.
 *
 * @param sections `.debug_info` and `.debug_abbrev`, plus the string and address sections DWARF 5 indexes into.
 * @returns The function ranges, sorted by `low`.
 * @throws {DwarfError} When the data is malformed or uses a form this reader does not know.
 * @example
 * ```ts
 * import { parseFunctionNames } from "./dwarf_info.ts";
 * // One DWARF 4 compile unit with one subprogram "f" at [2, 9).
 * const abbrev = new Uint8Array([1, 0x11, 1, 0, 0, 2, 0x2e, 0, 0x03, 0x08, 0x11, 0x01, 0x12, 0x06, 0, 0, 0]);
 * const body = [4, 0, 0, 0, 0, 0, 4, 1, 2, 0x66, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0];
 * const info = new Uint8Array([body.length, 0, 0, 0, ...body]);
 * const [f] = parseFunctionNames({ info, abbrev });
 * if (f.name !== "f" || f.low !== 2 || f.high !== 9) throw new Error("wrong function");
 * ```
 */
export function parseFunctionNames(sections: DwarfSections): readonly FunctionRange[] {
  return parseDebugInfo(sections).functions;
}

/** What a backtrace needs from `.debug_info`: see {@link parseDebugInfo}. */
export interface DebugInfo {
  /** Functions with code and a name, sorted by `low` ({@link parseFunctionNames}). */
  readonly functions: readonly FunctionRange[];
  /** Each compilation unit's `DW_AT_comp_dir`, by its `DW_AT_stmt_list` (the offset of its line table). */
  readonly compDirs: ReadonlyMap<number, string>;
}

/**
 * Reads the functions of a `.debug_info` section and each compilation unit's directory (which DWARF 4 line tables
 * leave out: their directory 0).
 *
 * @param sections `.debug_info` and `.debug_abbrev`, plus the string and address sections DWARF 5 indexes into.
 * @returns The functions and the compilation directories.
 * @throws {DwarfError} When the data is malformed or uses a form this reader does not know.
 * @example
 * ```ts
 * import { parseDebugInfo } from "./dwarf_info.ts";
 * // One DWARF 4 compile unit: comp_dir "/src", stmt_list 0.
 * const abbrev = new Uint8Array([1, 0x11, 0, 0x1b, 0x08, 0x10, 0x06, 0, 0, 0]);
 * const body = [4, 0, 0, 0, 0, 0, 4, 1, 0x2f, 0x73, 0x72, 0x63, 0, 0, 0, 0, 0];
 * const { compDirs } = parseDebugInfo({ info: new Uint8Array([body.length, 0, 0, 0, ...body]), abbrev });
 * if (compDirs.get(0) !== "/src") throw new Error("wrong directory");
 * ```
 */
export function parseDebugInfo(sections: DwarfSections): DebugInfo {
  const { info, abbrev } = sections;
  const compDirs = new Map<number, string>();
  if (info === undefined || abbrev === undefined) return { functions: [], compDirs };
  const out: FunctionRange[] = [];
  const r = new Reader(info);
  while (r.pos < info.length) {
    const unitStart = r.pos;
    let length = r.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = r.unsigned(8);
      offsetSize = 8;
    }
    const end = r.pos + length;
    if (end > info.length) throw new DwarfError(`read debug info: unit at ${unitStart} overruns the section`);
    const version = r.u16();
    if (version < 2 || version > 5) throw new DwarfError(`read debug info: unsupported DWARF version ${version}`);
    let addressSize: number, abbrevOffset: number;
    if (version >= 5) {
      const unitType = r.u8();
      addressSize = r.u8();
      abbrevOffset = r.unsigned(offsetSize);
      if (unitType === 4 || unitType === 5) r.unsigned(8); // skeleton and split units: dwo_id
      if (unitType !== 1 && unitType !== 3) { // only full and partial units hold the code's subprograms
        r.pos = end;
        continue;
      }
    } else {
      abbrevOffset = r.unsigned(offsetSize);
      addressSize = r.u8();
    }
    readUnitFunctions(
      new Reader(info, r.pos, end),
      unitStart,
      { version, offsetSize, addressSize },
      sections,
      readAbbrevs(abbrev, abbrevOffset),
      out,
      compDirs,
    );
    r.pos = end;
  }
  return { functions: out.sort((a, b) => a.low - b.low), compDirs };
}

function readUnitFunctions(
  r: Reader,
  unitStart: number,
  unit: Unit,
  sections: DwarfSections,
  abbrevs: Map<number, Abbrev>,
  out: FunctionRange[],
  compDirs: Map<number, string>,
): void {
  let compDir: Value | undefined, stmtList: number | undefined;
  let strOffsetsBase = 8, addrBase = 8; // DWARF 5 defaults: just past each section's header
  const names = new Map<number, Value>(); // DIE offset (unit-relative) -> its name, for origins
  const origins = new Map<number, number>(); // DIE offset -> the DIE it takes its name from
  const subprograms: Subprogram[] = [];
  let first = true;
  while (r.pos < r.end) {
    const dieOffset = r.pos - unitStart;
    const code = r.uleb();
    if (code === 0) continue;
    const abbrev = abbrevs.get(code);
    if (abbrev === undefined) throw new DwarfError(`read debug info: unknown abbreviation ${code}`);
    const sub: Subprogram = { highIsOffset: false };
    for (const [at, form, implicit] of abbrev.specs) {
      const value = readValue(r, form, unit, sections, implicit);
      if (value === undefined) continue;
      if (first && at === DW_AT_str_offsets_base && typeof value === "number") strOffsetsBase = value;
      else if (first && at === DW_AT_addr_base && typeof value === "number") addrBase = value;
      else if (first && at === DW_AT_comp_dir) compDir = value;
      else if (first && at === DW_AT_stmt_list && typeof value === "number") stmtList = value;
      else if (at === DW_AT_name) sub.name = value;
      else if (at === DW_AT_linkage_name || at === DW_AT_MIPS_linkage_name) sub.linkageName = value;
      else if (at === DW_AT_low_pc) sub.low = value;
      else if (at === DW_AT_high_pc) {
        sub.high = value;
        // A constant class form gives the size (DWARF 4 §2.17.2); an address form the end.
        sub.highIsOffset = form !== 0x01 && !(form >= 0x29 && form <= 0x2c) && form !== 0x1b;
      } else if ((at === DW_AT_specification || at === DW_AT_abstract_origin) && typeof value === "number") {
        sub.origin = value;
      }
    }
    first = false;
    const name = sub.linkageName ?? sub.name;
    if (name !== undefined) names.set(dieOffset, name);
    if (sub.origin !== undefined) origins.set(dieOffset, sub.origin);
    if (abbrev.tag === DW_TAG_subprogram && sub.low !== undefined && sub.high !== undefined) {
      subprograms.push(sub);
    }
  }
  const str = (v: Value | undefined): string | undefined => {
    if (typeof v === "string" || v === undefined) return v;
    if (typeof v === "number") return undefined;
    if ("strp" in v) return stringAt(sections.str, v.strp);
    if ("lineStrp" in v) return stringAt(sections.lineStr, v.lineStrp);
    if (!("strx" in v) || sections.strOffsets === undefined || sections.str === undefined) return undefined;
    const at = strOffsetsBase + v.strx * unit.offsetSize;
    if (at + unit.offsetSize > sections.strOffsets.length) return undefined;
    return stringAt(sections.str, new Reader(sections.strOffsets, at).unsigned(unit.offsetSize));
  };
  const addr = (v: Value): number | undefined => {
    if (typeof v === "number") return v;
    if (typeof v === "string" || !("addrx" in v) || sections.addr === undefined) return undefined;
    const at = addrBase + v.addrx * unit.addressSize;
    if (at + unit.addressSize > sections.addr.length) return undefined;
    return new Reader(sections.addr, at).unsigned(unit.addressSize);
  };
  const dir = str(compDir);
  if (dir !== undefined && stmtList !== undefined) compDirs.set(stmtList, dir);
  for (const sub of subprograms) {
    const own = sub.linkageName ?? sub.name;
    const name = str(own ?? (sub.origin !== undefined ? resolveOrigin(sub.origin, names, origins) : undefined));
    const low = addr(sub.low!);
    const highValue = sub.highIsOffset ? (typeof sub.high === "number" ? sub.high : undefined) : addr(sub.high!);
    if (name === undefined || low === undefined || highValue === undefined) continue;
    // Code the linker removed: left at 0 or at wasm-ld's tombstone (-1, or -2 in .debug_ranges and .debug_loc).
    if (low === 0 || low >= 2 ** (8 * unit.addressSize) - 2) continue;
    const high = sub.highIsOffset ? low + highValue : highValue;
    if (high > low) out.push({ low, high, name });
  }
}

/** The name of the declaration or abstract instance a subprogram refers to (following at most 8 references). */
function resolveOrigin(offset: number, names: Map<number, Value>, origins: Map<number, number>): Value | undefined {
  for (let hops = 0; hops < 8; hops++) {
    const name = names.get(offset);
    if (name !== undefined) return name;
    const next = origins.get(offset);
    if (next === undefined) return undefined;
    offset = next;
  }
  return undefined;
}

/**
 * The function whose code contains `address`.
 *
 * @param functions Ranges from {@link parseFunctionNames}, sorted by `low`.
 * @param address A code address (offset in the Code section's contents).
 * @returns The function's name, or undefined.
 * @example
 * ```ts
 * import { functionNameAt } from "./dwarf_info.ts";
 * if (functionNameAt([{ low: 2, high: 9, name: "f" }], 5) !== "f") throw new Error("wrong name");
 * ```
 */
export function functionNameAt(functions: readonly FunctionRange[], address: number): string | undefined {
  let lo = 0, hi = functions.length - 1, found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = functions[mid]!;
    if (f.low <= address) {
      if (address < f.high) found = f.name;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
