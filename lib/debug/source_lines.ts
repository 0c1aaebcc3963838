/**
 * Source positions and function names of a module's code from its DWARF (`.debug_line`, `.debug_info`), for trap
 * backtraces: each is parsed the first time a backtrace of the module asks for it, and kept per module.
 *
 * @module
 */

import type { Module } from "../binary/module.ts";
import {
  codeSectionStart,
  DwarfError,
  type DwarfSections,
  type LineTable,
  lookupLine,
  parseDebugLine,
  type SourceLocation,
} from "./dwarf_line.ts";
import { functionNameAt, type FunctionRange, parseFunctionNames } from "./dwarf_info.ts";

interface ModuleLines {
  readonly table: LineTable;
  /** Where the Code section's contents start in the module binary: DWARF addresses count from there. */
  readonly codeStart: number;
}

/** Each module's parsed line table, or null when it has none or it is malformed. */
const cache = new WeakMap<Module, ModuleLines | null>();

function sectionOf(module: Module, name: string): Uint8Array | undefined {
  return module.customs.find((c) => c.name === name)?.bytes;
}

function sectionsOf(module: Module): DwarfSections {
  return {
    info: sectionOf(module, ".debug_info"),
    abbrev: sectionOf(module, ".debug_abbrev"),
    str: sectionOf(module, ".debug_str"),
    lineStr: sectionOf(module, ".debug_line_str"),
    strOffsets: sectionOf(module, ".debug_str_offsets"),
    addr: sectionOf(module, ".debug_addr"),
  };
}

/** Each module's functions from `.debug_info`, or null when it has none or they are malformed. */
const functionCache = new WeakMap<Module, FunctionRange[] | null>();

/**
 * The name `.debug_info` gives the function whose code contains `offset` (for functions the `name` section does
 * not name; the linkage name when there is one, as Wasmtime's symbolizer shows it).
 *
 * @param module A decoded module.
 * @param offset Byte offset of an instruction in the module binary.
 * @returns The name, or undefined.
 * @example
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { functionNameOf } from "./source_lines.ts";
 * const module = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * if (functionNameOf(module, 8) !== undefined) throw new Error("a module without DWARF has no names");
 * ```
 */
export function functionNameOf(module: Module, offset: number): string | undefined {
  let functions = functionCache.get(module);
  if (functions === undefined) {
    functions = null;
    try {
      const found = parseFunctionNames(sectionsOf(module));
      if (found.length > 0) functions = found;
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
    }
    functionCache.set(module, functions);
  }
  const codeStart = codeSectionStart(module.bytes);
  if (functions === null || codeStart < 0 || offset < codeStart) return undefined;
  return functionNameAt(functions, offset - codeStart);
}

function linesOf(module: Module): ModuleLines | null {
  let lines = cache.get(module);
  if (lines !== undefined) return lines;
  lines = null;
  const debugLine = sectionOf(module, ".debug_line");
  const codeStart = codeSectionStart(module.bytes);
  if (debugLine !== undefined && codeStart >= 0) {
    try {
      const table = parseDebugLine(debugLine, sectionsOf(module));
      lines = { table, codeStart };
    } catch (e) {
      // As Wasmtime: custom sections may hold anything, and a malformed one only costs the source lines.
      if (!(e instanceof DwarfError)) throw e;
    }
  }
  cache.set(module, lines);
  return lines;
}

/**
 * The source position of the instruction at `offset` in a module binary, from the module's `.debug_line`.
 *
 * @param module A decoded module.
 * @param offset Byte offset of an instruction in the module binary (`WasmFrame.offset`).
 * @returns The position, or undefined when the module has no (readable) line table or it does not cover `offset`.
 * @example
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { sourceLocationOf } from "./source_lines.ts";
 * const module = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * if (sourceLocationOf(module, 8) !== undefined) throw new Error("a module without DWARF has no lines");
 * ```
 */
export function sourceLocationOf(module: Module, offset: number): SourceLocation | undefined {
  const lines = linesOf(module);
  if (lines === null || offset < lines.codeStart) return undefined;
  return lookupLine(lines.table, offset - lines.codeStart);
}
