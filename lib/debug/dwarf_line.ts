/**
 * A reader for DWARF line tables (`.debug_line`, DWARF 4 and 5 §6.2) as clang and rustc emit them for wasm32 and
 * wasm64: it runs each line-number program and keeps the rows as a sorted table from code address to
 * `file:line:column`. In wasm DWARF an address is a byte offset from the start of the Code section's contents (its
 * payload, after the section id and size), so a module offset is converted with {@link codeSectionStart} first.
 *
 * Zero dependencies: the backtrace code (`exec/`) parses a module's table lazily, once, when a store asks for
 * source lines.
 *
 * @module
 */

import { DwarfError, Reader } from "./_reader.ts";

export { DwarfError };

/** A source position: the file's path (directory joined when the table gives one), 1-based line, column (0: none). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One row of a line table: from `address` up to the next row's address, code belongs to `file:line:column`. */
export interface LineRow {
  readonly address: number;
  /** Index into {@link LineTable.files}, or -1 for the gap after an `end_sequence`. */
  readonly file: number;
  readonly line: number;
  readonly column: number;
}

/** Every line program of a `.debug_line` section, merged into one table sorted by address. */
export interface LineTable {
  /** File paths; each row's `file` indexes this. */
  readonly files: readonly string[];
  /** Rows sorted by address; a row with file -1 marks the end of a sequence. */
  readonly rows: readonly LineRow[];
}

/** The string at `offset` in a string section (`.debug_line_str`, `.debug_str`). */
function stringAt(section: Uint8Array | undefined, offset: number, name: string): string {
  if (section === undefined) throw new DwarfError(`read line table: a path refers to ${name}, which is missing`);
  return new Reader(section, offset).cstring();
}

// DW_LNCT_* content types and DW_FORM_* forms of DWARF 5 entry formats (§6.2.4.1, §7.5.6).
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;
const DW_FORM_block = 0x09, DW_FORM_block1 = 0x0a, DW_FORM_data1 = 0x0b, DW_FORM_data2 = 0x05;
const DW_FORM_data4 = 0x06, DW_FORM_data8 = 0x07, DW_FORM_data16 = 0x1e, DW_FORM_string = 0x08;
const DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f, DW_FORM_line_strp = 0x1f, DW_FORM_sdata = 0x0d;

/** What {@link parseDebugLine} may use besides `.debug_line`: string sections, compilation directories. */
export interface LineTableContext extends DwarfSections {
  /** `DW_AT_comp_dir` of each unit by its line table's offset (`dwarf_info.ts`), for DWARF 4's directory 0. */
  readonly compDirs?: ReadonlyMap<number, string>;
}

/** A module's DWARF sections (custom sections named `.debug_*`), those a reader needs. */
export interface DwarfSections {
  readonly info?: Uint8Array;
  readonly abbrev?: Uint8Array;
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
  readonly strOffsets?: Uint8Array;
  readonly addr?: Uint8Array;
}

/** Reads one attribute of a DWARF 5 directory or file entry: a string for paths, a number otherwise. */
function readForm(r: Reader, form: number, offsetSize: number, strings: DwarfSections): string | number {
  switch (form) {
    case DW_FORM_string:
      return r.cstring();
    case DW_FORM_line_strp:
      return stringAt(strings.lineStr, r.unsigned(offsetSize), ".debug_line_str");
    case DW_FORM_strp:
      return stringAt(strings.str, r.unsigned(offsetSize), ".debug_str");
    case DW_FORM_udata:
      return r.uleb();
    case DW_FORM_sdata:
      return r.sleb();
    case DW_FORM_data1:
      return r.u8();
    case DW_FORM_data2:
      return r.u16();
    case DW_FORM_data4:
      return r.u32();
    case DW_FORM_data8:
      return r.unsigned(8);
    case DW_FORM_data16:
      r.need(16);
      r.pos += 16;
      return 0;
    case DW_FORM_block:
    case DW_FORM_block1: {
      const n = form === DW_FORM_block ? r.uleb() : r.u8();
      r.need(n);
      r.pos += n;
      return 0;
    }
    default:
      throw new DwarfError(`read line table: unsupported entry form 0x${form.toString(16)}`);
  }
}

/** Reads a DWARF 5 directory or file name list: its entry format, then the entries (path, directory index). */
function readEntries(r: Reader, offsetSize: number, strings: DwarfSections): { path: string; dir: number }[] {
  const formatCount = r.u8();
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) format.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  const entries: { path: string; dir: number }[] = [];
  for (let i = 0; i < count; i++) {
    let path = "", dir = 0;
    for (const [content, form] of format) {
      const value = readForm(r, form, offsetSize, strings);
      if (content === DW_LNCT_path) path = String(value);
      else if (content === DW_LNCT_directory_index) dir = Number(value);
    }
    entries.push({ path, dir });
  }
  return entries;
}

function joinPath(dir: string | undefined, name: string): string {
  if (dir === undefined || dir === "" || name.startsWith("/") || /^[A-Za-z]:[\\/]/.test(name)) return name;
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

/** Addresses a linker writes for code it removed (wasm-ld's tombstones), and 0, which no wasm function starts at. */
function isDeadAddress(address: number, addressSize: number): boolean {
  const max = addressSize === 8 ? 2 ** 64 : 2 ** 32;
  return address === 0 || address >= max - 2;
}

/**
 * Parses every line program of a `.debug_line` section (DWARF versions 2 to 5, 32- and 64-bit DWARF) into one
 * table sorted by address. Sequences at address 0 or a linker tombstone (code removed at link time) are dropped.
 *
 * @param debugLine The `.debug_line` section's contents.
 * @param strings The `.debug_line_str` and `.debug_str` sections, which DWARF 5 file names may point into, and
 *   the compilation directories from `.debug_info`, which DWARF 4 tables leave out.
 * @returns The merged table.
 * @throws {DwarfError} When the section is malformed or uses a form this reader does not know.
 * @example Reading a module's line table
 * ```ts
 * import { lookupLine, parseDebugLine } from "./dwarf_line.ts";
 * // A DWARF 4 unit: no directories, one file "a.c", a program mapping addresses 5 to 7 to line 3.
 * const program = [0, 5, 2, 5, 0, 0, 0, 0x14, 2, 3, 0, 1, 1];
 * const header = [1, 1, 1, 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0x61, 0x2e, 0x63, 0, 0, 0, 0, 0];
 * const unit = [4, 0, header.length, 0, 0, 0, ...header, ...program];
 * const table = parseDebugLine(new Uint8Array([unit.length, 0, 0, 0, ...unit]));
 * const at = lookupLine(table, 6);
 * if (at?.file !== "a.c" || at.line !== 3 || lookupLine(table, 8) !== undefined) throw new Error("wrong lookup");
 * ```
 */
export function parseDebugLine(debugLine: Uint8Array, strings: LineTableContext = {}): LineTable {
  const files: string[] = [];
  const rows: LineRow[] = [];
  const r = new Reader(debugLine);
  while (r.pos < debugLine.length) {
    const unitStart = r.pos;
    let unitLength = r.u32();
    let offsetSize = 4;
    if (unitLength === 0xffffffff) {
      unitLength = r.unsigned(8);
      offsetSize = 8;
    }
    const unitEnd = r.pos + unitLength;
    if (unitEnd > debugLine.length) throw new DwarfError(`read line table: unit at ${r.pos} overruns the section`);
    const compDir = strings.compDirs?.get(unitStart);
    readUnit(new Reader(debugLine, r.pos, unitEnd), offsetSize, strings, compDir, files, rows);
    r.pos = unitEnd;
  }
  // Stable sort: at one address an end-of-sequence row comes before the next sequence's first row.
  rows.sort((a, b) => a.address - b.address || (a.file === -1 ? -1 : 0) - (b.file === -1 ? -1 : 0));
  return { files, rows };
}

/** Runs one unit's line-number program (§6.2.5), appending its rows and files. */
function readUnit(
  r: Reader,
  offsetSize: number,
  strings: DwarfSections,
  compDir: string | undefined,
  files: string[],
  out: LineRow[],
): void {
  const version = r.u16();
  if (version < 2 || version > 5) throw new DwarfError(`read line table: unsupported DWARF version ${version}`);
  let addressSize = 4;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment_selector_size
  }
  const headerLength = r.unsigned(offsetSize);
  const programStart = r.pos + headerLength;
  const minInstLength = r.u8();
  if (version >= 4) r.u8(); // maximum_operations_per_instruction: 1 outside VLIW targets
  r.u8(); // default_is_stmt: rows are kept whether or not they are statements
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new DwarfError("read line table: line_range is 0");
  const opcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) opcodeLengths.push(r.u8());

  // File paths of this unit, mapped to indexes in `files`. DWARF 5 numbers files from 0, earlier versions from 1.
  const fileIds: number[] = [];
  const addFile = (path: string) => {
    let id = files.indexOf(path);
    if (id < 0) id = files.push(path) - 1;
    fileIds.push(id);
  };
  // DWARF 4 directory 0 is the compilation directory, which only .debug_info knows (without it, paths stay
  // relative); the include directories may be relative to it.
  const dirs4: (string | undefined)[] = [compDir];
  if (version >= 5) {
    // Directory 0 is the compilation directory; the others may be relative to it.
    const dirs = readEntries(r, offsetSize, strings).map((d, i, all) =>
      i === 0 ? d.path : joinPath(all[0]!.path, d.path)
    );
    for (const f of readEntries(r, offsetSize, strings)) addFile(joinPath(dirs[f.dir], f.path));
  } else {
    for (let dir = r.cstring(); dir !== ""; dir = r.cstring()) dirs4.push(joinPath(compDir, dir));
    fileIds.push(-1);
    for (let name = r.cstring(); name !== ""; name = r.cstring()) {
      const dir = r.uleb();
      r.uleb(); // modification time
      r.uleb(); // length
      addFile(joinPath(dirs4[dir], name));
    }
  }
  r.pos = programStart;

  let address = 0, file = 1, line = 1, column = 0;
  let sequence: LineRow[] = [];
  const emit = () => sequence.push({ address, file: fileIds[file] ?? -1, line, column });
  const endSequence = () => {
    sequence.push({ address, file: -1, line: 0, column: 0 });
    if (!isDeadAddress(sequence[0]!.address, addressSize)) { for (const row of sequence) out.push(row); }
    sequence = [];
    address = 0, file = 1, line = 1, column = 0;
  };
  while (r.pos < r.end) {
    const opcode = r.u8();
    if (opcode >= opcodeBase) {
      // Special opcode (§6.2.5.1).
      const adjusted = opcode - opcodeBase;
      address += Math.floor(adjusted / lineRange) * minInstLength;
      line += lineBase + (adjusted % lineRange);
      emit();
    } else if (opcode === 0) {
      // Extended opcode (§6.2.5.3).
      const length = r.uleb();
      const end = r.pos + length;
      if (length === 0) continue;
      const sub = r.u8();
      if (sub === 1) endSequence();
      else if (sub === 2) address = r.unsigned(end - r.pos);
      else if (sub === 3) {
        const name = r.cstring(); // DW_LNE_define_file (DWARF 4 and earlier)
        const dir = r.uleb();
        addFile(joinPath(dirs4[dir], name));
      }
      r.pos = end;
    } else {
      // Standard opcode (§6.2.5.2).
      switch (opcode) {
        case 1: // DW_LNS_copy
          emit();
          break;
        case 2: // DW_LNS_advance_pc
          address += r.uleb() * minInstLength;
          break;
        case 3: // DW_LNS_advance_line
          line += r.sleb();
          break;
        case 4: // DW_LNS_set_file
          file = r.uleb();
          break;
        case 5: // DW_LNS_set_column
          column = r.uleb();
          break;
        case 8: // DW_LNS_const_add_pc
          address += Math.floor((255 - opcodeBase) / lineRange) * minInstLength;
          break;
        case 9: // DW_LNS_fixed_advance_pc
          address += r.u16();
          break;
        case 6: // DW_LNS_negate_stmt
        case 7: // DW_LNS_set_basic_block
        case 10: // DW_LNS_set_prologue_end
        case 11: // DW_LNS_set_epilogue_begin
          break;
        default: // DW_LNS_set_isa and opcodes this reader does not know: skip their LEB128 operands
          for (let i = 0; i < opcodeLengths[opcode - 1]!; i++) r.uleb();
      }
    }
  }
}

/**
 * The source position of the code at `address` (an offset in the Code section's contents): the last row at or
 * before it, unless that row ends a sequence.
 *
 * @param table A table from {@link parseDebugLine}.
 * @param address The code address.
 * @returns The position, or undefined when no sequence covers the address or its row has line 0 (no source line).
 * @example
 * ```ts
 * import { lookupLine } from "./dwarf_line.ts";
 * const table = { files: ["a.c"], rows: [{ address: 4, file: 0, line: 7, column: 2 }, { address: 9, file: -1, line: 0, column: 0 }] };
 * const at = lookupLine(table, 6);
 * if (at?.file !== "a.c" || at.line !== 7 || lookupLine(table, 9) !== undefined) throw new Error("wrong lookup");
 * ```
 */
export function lookupLine(table: LineTable, address: number): SourceLocation | undefined {
  const rows = table.rows;
  let lo = 0, hi = rows.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.address <= address) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return undefined;
  const row = rows[found]!;
  if (row.file < 0 || row.line === 0) return undefined;
  return { file: table.files[row.file]!, line: row.line, column: row.column };
}

/**
 * The offset in a module binary where the Code section's contents start (after its id and size), the origin of
 * wasm DWARF addresses.
 *
 * @param bytes A wasm module binary.
 * @returns The offset, or -1 when the module has no Code section or its section headers are malformed.
 * @example
 * ```ts
 * import { codeSectionStart } from "./dwarf_line.ts";
 * const module = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 10, 1, 0]);
 * if (codeSectionStart(module) !== 10) throw new Error("wrong start");
 * ```
 */
export function codeSectionStart(bytes: Uint8Array): number {
  const r = new Reader(bytes, 8);
  try {
    while (r.pos < bytes.length) {
      const id = r.u8();
      const size = r.uleb();
      if (id === 10) return r.pos;
      r.pos += size;
    }
  } catch (e) {
    if (!(e instanceof DwarfError)) throw e;
  }
  return -1;
}
