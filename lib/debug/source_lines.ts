/**
 * Source positions and function names of a module's code from its DWARF (`.debug_line`, `.debug_info`), for trap
 * backtraces: each is parsed the first time a backtrace of the module asks for it, and kept per module.
 *
 * @module
 */

import type { Module } from "../binary/module.ts";
import type { WasmFrame } from "../errors.ts";
import {
  codeSectionStart,
  DwarfError,
  type DwarfSections,
  type LineTable,
  lookupLine,
  parseDebugLine,
  type SourceLocation,
} from "./dwarf_line.ts";
import { type DebugInfo, functionNameAt, parseDebugInfo } from "./dwarf_info.ts";

/** What is known of one module's DWARF; `null` when a section is missing or malformed, undefined until parsed. */
interface ModuleDebug {
  /** Where the Code section's contents start in the module binary: DWARF addresses count from there. */
  readonly codeStart: number;
  info?: DebugInfo | null;
  lines?: LineTable | null;
}

const cache = new WeakMap<Module, ModuleDebug>();

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

/** Runs a DWARF reader; malformed DWARF gives null. As Wasmtime: custom sections may hold anything. */
function tryRead<T>(read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof DwarfError)) throw e;
    return null;
  }
}

function debugOf(module: Module): ModuleDebug {
  let debug = cache.get(module);
  if (debug === undefined) {
    debug = { codeStart: codeSectionStart(module.bytes) };
    cache.set(module, debug);
  }
  return debug;
}

function infoOf(module: Module, debug: ModuleDebug): DebugInfo | null {
  if (debug.info === undefined) debug.info = tryRead(() => parseDebugInfo(sectionsOf(module)));
  return debug.info;
}

function linesOf(module: Module, debug: ModuleDebug): LineTable | null {
  if (debug.lines === undefined) {
    const debugLine = sectionOf(module, ".debug_line");
    const compDirs = infoOf(module, debug)?.compDirs;
    debug.lines = debugLine === undefined
      ? null
      : tryRead(() => parseDebugLine(debugLine, { ...sectionsOf(module), compDirs }));
  }
  return debug.lines;
}

/**
 * The source position of the instruction at `offset` in a module binary, from the module's `.debug_line` (with
 * the compilation directories of `.debug_info` for DWARF 4 tables, as Wasmtime's symbolizer joins them).
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
  const debug = debugOf(module);
  if (debug.codeStart < 0 || offset < debug.codeStart) return undefined;
  const lines = linesOf(module, debug);
  return lines === null ? undefined : lookupLine(lines, offset - debug.codeStart);
}

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
  const debug = debugOf(module);
  if (debug.codeStart < 0 || offset < debug.codeStart) return undefined;
  const info = infoOf(module, debug);
  return info === null ? undefined : functionNameAt(info.functions, offset - debug.codeStart);
}

/**
 * A backtrace frame of function `funcIndex` at `offset`, as both engines make it: its name from the `name` section,
 * and with `debugInfo` (Wasmtime's `WASMTIME_BACKTRACE_DETAILS`) its source position, and its `.debug_info` name
 * where the `name` section lacks one.
 *
 * @param module The module the function belongs to.
 * @param funcIndex The function's index in the module's function index space.
 * @param offset Byte offset of the trapping or calling instruction in the module binary, or -1.
 * @param moduleName The module name the frame shows.
 * @param debugInfo Whether to read the module's DWARF.
 * @returns The frame.
 * @example
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { wasmFrame } from "./source_lines.ts";
 * const module = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * const frame = wasmFrame(module, 3, -1, "m", true);
 * if (frame.funcIndex !== 3 || frame.file !== undefined) throw new Error("no DWARF, no position");
 * ```
 */
export function wasmFrame(
  module: Module,
  funcIndex: number,
  offset: number,
  moduleName: string | undefined,
  debugInfo: boolean,
): WasmFrame {
  const frame: { -readonly [K in keyof WasmFrame]: WasmFrame[K] } = { funcIndex, offset };
  const name = module.names.functions.get(funcIndex);
  if (name !== undefined) frame.funcName = name;
  if (moduleName !== undefined) frame.moduleName = moduleName;
  if (offset >= 0 && debugInfo) {
    const at = sourceLocationOf(module, offset);
    if (at !== undefined) {
      frame.file = at.file;
      frame.line = at.line;
      if (at.column !== 0) frame.column = at.column;
    }
    if (name === undefined) {
      const debugName = functionNameOf(module, offset);
      if (debugName !== undefined) frame.funcName = debugName;
    }
  }
  return frame;
}
