/**
 * What a profile shows for a frame: the function's name and, where the module carries DWARF, its source position.
 * One place for both output formats (`firefox_profile.ts`, `collapsed.ts`).
 *
 * @module
 */

import { demangle } from "../debug/demangle.ts";
import { functionNameOf, sourceLocationOf } from "../debug/source_lines.ts";
import type { SourceLocation } from "../debug/dwarf_line.ts";
import type { ProfileFrame } from "./guest_profiler.ts";

/**
 * The function name of a frame: the `name` section's (Rust symbols demangled), else `.debug_info`'s, else
 * `wasm-function[N]` as V8 names unnamed functions.
 *
 * @param frame A profiled frame.
 * @returns The name to show.
 * @example
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { frameFunctionName } from "./frame_names.ts";
 * const module = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * console.log(frameFunctionName({ module, moduleName: undefined, funcIndex: 3, offset: -1 })); // "wasm-function[3]"
 * ```
 */
export function frameFunctionName(frame: ProfileFrame): string {
  const named = frame.module.names.functions.get(frame.funcIndex);
  if (named !== undefined) return demangle(named);
  const debugName = frame.offset >= 0 ? functionNameOf(frame.module, frame.offset) : undefined;
  return debugName !== undefined ? demangle(debugName) : `wasm-function[${frame.funcIndex}]`;
}

/**
 * The source position of a frame's instruction from the module's DWARF line table, if it has one.
 *
 * @param frame A profiled frame.
 * @returns File, line and column (0 when unknown), or undefined.
 * @example
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { frameSource } from "./frame_names.ts";
 * const module = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * console.log(frameSource({ module, moduleName: undefined, funcIndex: 0, offset: 8 })); // undefined
 * ```
 */
export function frameSource(frame: ProfileFrame): SourceLocation | undefined {
  return frame.offset >= 0 ? sourceLocationOf(frame.module, frame.offset) : undefined;
}
