import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { codeSectionStart, DwarfError, lookupLine, parseDebugLine } from "../../lib/debug/dwarf_line.ts";
import { sourceLocationOf } from "../../lib/debug/source_lines.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";
import type { Module } from "../../lib/binary/module.ts";

const TESTDATA = join(import.meta.dirname!, "..", "..", "testdata");

const u16 = (n: number) => [n & 0xff, n >> 8];
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const cstr = (s: string) => [...new TextEncoder().encode(s), 0];

/** min_inst_length 1, max_ops 1, default_is_stmt 1, line_base -5, line_range 14, opcode_base 13, and the lengths. */
const COMMON = [1, 1, 1, 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** One line-number program unit: header fields of `version`, then `tables` (directories and files), `program`. */
function unit(version: 4 | 5, tables: number[], program: number[]): number[] {
  const header = [...COMMON, ...tables];
  const rest = [...u16(version), ...(version === 5 ? [4, 0] : []), ...u32(header.length), ...header, ...program];
  return [...u32(rest.length), ...rest];
}

/** The program both versions run, `fileA`/`fileB` being the file numbers of a.c and b's header. */
function program(fileA: number, fileB: number): number[] {
  return [
    ...[0, 5, 2, ...u32(0x10)], // DW_LNE_set_address 0x10
    ...[4, fileA, 5, 3, 1], // set_file, set_column 3, copy: row 0x10 line 1
    49, // special opcode: address +2, line +3: row 0x12 line 4
    ...[3, 0x7e, 2, 5, 1], // advance_line -2, advance_pc 5, copy: row 0x17 line 2
    8, // const_add_pc: address +17 = 0x28
    ...[4, fileB, 9, 0x00, 0x01], // set_file, fixed_advance_pc 0x100: address 0x128
    18, // special opcode: address +0, line +0: row 0x128 line 2 in file b
    ...[2, 4, 0, 1, 1], // advance_pc 4, end_sequence at 0x12c
    // A function the linker removed, left at address 0: its rows overlap live code and must not show up.
    ...[0, 5, 2, ...u32(0), 1, 2, 0x14, 1, 0, 1, 1],
    // One at wasm-ld's tombstone address.
    ...[0, 5, 2, ...u32(0xffffffff), 1, 2, 1, 0, 1, 1],
  ];
}

function checkTable(
  bytes: number[],
  fileA: string,
  fileB: string,
  lineStr?: Uint8Array,
  compDirs?: ReadonlyMap<number, string>,
): void {
  const table = parseDebugLine(new Uint8Array(bytes), { lineStr, compDirs });
  assert.equal(table.rows.length, 5);
  const at = (address: number) => {
    const found = lookupLine(table, address);
    return found && `${found.file}:${found.line}:${found.column}`;
  };
  assert.equal(at(0x0f), undefined);
  assert.equal(at(0x10), `${fileA}:1:3`);
  assert.equal(at(0x11), `${fileA}:1:3`);
  assert.equal(at(0x12), `${fileA}:4:3`);
  assert.equal(at(0x14), `${fileA}:4:3`, "the dead sequence at address 0 is dropped");
  assert.equal(at(0x17), `${fileA}:2:3`);
  assert.equal(at(0x127), `${fileA}:2:3`);
  assert.equal(at(0x128), `${fileB}:2:3`);
  assert.equal(at(0x12b), `${fileB}:2:3`);
  assert.equal(at(0x12c), undefined, "end_sequence ends the range");
  assert.equal(at(0xffffffff), undefined, "tombstoned sequences are dropped");
}

test("parseDebugLine() runs a DWARF 4 line program: include_directories and file_names, numbered from 1", () => {
  const tables = [
    ...cstr("src"),
    0, // include_directories: "src", end
    ...cstr("a.c"),
    1,
    0,
    0, // a.c in directory 1
    ...cstr("/abs/b.c"),
    0,
    0,
    0, // an absolute path keeps its directory
    0, // end of file_names
  ];
  checkTable(unit(4, tables, program(1, 2)), "src/a.c", "/abs/b.c");
});

test("parseDebugLine() runs a DWARF 5 line program: entry formats, line_strp paths, MD5s, files from 0", () => {
  const lineStr = new Uint8Array([...cstr("/work"), ...cstr("inc")]);
  const tables = [
    ...[1, 1, 0x1f], // directory format: path as DW_FORM_line_strp
    ...[2, ...u32(0), ...u32(6)], // "/work" (the compilation directory), "inc" (relative to it)
    ...[3, 1, 0x08, 2, 0x0b, 5, 0x1e], // file format: path string, directory data1, MD5 data16
    2,
    ...cstr("a.c"),
    0,
    ...new Array(16).fill(0xaa),
    ...cstr("b.h"),
    1,
    ...new Array(16).fill(0xbb),
  ];
  checkTable(unit(5, tables, program(0, 1)), "/work/a.c", "/work/inc/b.h", lineStr);
});

test("parseDebugLine() joins a DWARF 4 unit's compilation directory (from .debug_info) to directory 0 and relative ones", () => {
  const tables = [...cstr("inc"), 0, ...cstr("a.c"), 0, 0, 0, ...cstr("b.h"), 1, 0, 0, 0];
  const bytes = unit(4, tables, program(1, 2));
  checkTable(bytes, "/work/a.c", "/work/inc/b.h", undefined, new Map([[0, "/work"]]));
  checkTable(bytes, "a.c", "inc/b.h", undefined, new Map([[4, "/elsewhere"]])); // another unit's directory
});

test("parseDebugLine() throws DwarfError on a truncated unit, an unknown version or a missing string section", () => {
  const good = unit(4, [0, ...cstr("a.c"), 0, 0, 0, 0], program(1, 1));
  assert.throws(() => parseDebugLine(new Uint8Array(good.slice(0, 30))), DwarfError);
  const v9 = good.slice();
  v9[4] = 9;
  assert.throws(() => parseDebugLine(new Uint8Array(v9)), /unsupported DWARF version 9/);
  const v5 = unit(5, [1, 1, 0x1f, 1, ...u32(0), 1, 1, 0x1f, 0], []);
  assert.throws(() => parseDebugLine(new Uint8Array(v5)), /\.debug_line_str, which is missing/);
});

function moduleOf(name: string): Module {
  return decodeModule(new Uint8Array(readFileSync(join(TESTDATA, name))));
}

/**
 * Where `divide`'s `i32.div_s` and its callers' `call`s are in the trap_lines fixtures (both builds share the code
 * section; the backtrace of the trap reports these offsets, tests/api/backtrace_lines_test.ts).
 */
const CALL_CHAIN = [308, 531, 671, 778];

function callChainOffsets(module: Module): number[] {
  assert.deepEqual(CALL_CHAIN.map((at) => module.bytes[at]), [0x6d, 0x10, 0x10, 0x10], "i32.div_s, then calls");
  return CALL_CHAIN;
}

// DWARF 4 leaves the compilation directory (`testdata`, from -fdebug-prefix-map) to .debug_info: the same paths.
for (const name of ["trap_lines.wasm", "trap_lines_dwarf4.wasm"]) {
  const file = "testdata/trap_lines.c";
  test(`sourceLocationOf() maps ${name}'s code to trap_lines.c lines (clang-19, as llvm-dwarfdump reads them)`, () => {
    const module = moduleOf(name);
    const lines = callChainOffsets(module).map((offset) => sourceLocationOf(module, offset));
    assert.deepEqual(lines, [
      { file, line: 4, column: 16 }, // return total / count;
      { file, line: 10, column: 10 }, // return divide(total, count);
      { file, line: 15, column: 10 }, // return average(values, count);
      { file, line: 20, column: 10 }, // return report(argc - 1);
    ]);
  });
}

test("codeSectionStart() finds the Code section's contents; sourceLocationOf() is undefined without DWARF", () => {
  const bytes = readFileSync(join(TESTDATA, "trap_lines.wasm"));
  const start = codeSectionStart(bytes);
  assert.equal(bytes[start - 1 - 2], 10, "the id, then a 2-byte LEB128 size"); // 0x3xxx bytes of code
  assert.equal(codeSectionStart(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), -1);
  const module = moduleOf("trap.wasm"); // built without -g: its .debug_line covers only wasi-libc's crt1
  const trapInner = [...module.names.functions].find(([, name]) => name === "trap_inner")![0];
  assert.equal(sourceLocationOf(module, module.codes[trapInner - module.importedFuncs]!.start), undefined);
});
