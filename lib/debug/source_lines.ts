/**
 * Source positions of a module's code from its DWARF (`.debug_line`), for trap backtraces: the line table is parsed
 * the first time a backtrace of the module asks for one, and kept per module.
 *
 * @module
 */

import type { Module } from "../binary/module.ts";
import {
  codeSectionStart,
  DwarfError,
  type LineTable,
  lookupLine,
  parseDebugLine,
  type SourceLocation,
} from "./dwarf_line.ts";

interface ModuleLines {
  readonly table: LineTable;
  /** Where the Code section's contents start in the module binary: DWARF addresses count from there. */
  readonly codeStart: number;
}

/** Each module's parsed line table, or null when it has none or it is malformed. */
const cache = new WeakMap<Module, ModuleLines | null>();

function linesOf(module: Module): ModuleLines | null {
  let lines = cache.get(module);
  if (lines !== undefined) return lines;
  lines = null;
  const section = (name: string) => module.customs.find((c) => c.name === name)?.bytes;
  const debugLine = section(".debug_line");
  const codeStart = codeSectionStart(module.bytes);
  if (debugLine !== undefined && codeStart >= 0) {
    try {
      const table = parseDebugLine(debugLine, { lineStr: section(".debug_line_str"), str: section(".debug_str") });
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
