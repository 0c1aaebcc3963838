/**
 * What the host offers the engines: its own WebAssembly, and JSPI (`WebAssembly.Suspending`, `promising`), which
 * the native engine needs for imports that return Promises. Read through `globalThis`, so this loads where
 * `WebAssembly` is missing (V8 `--jitless`, locked-down pages). One place for these facts; `"auto"` engine choices
 * (`StoreOptions.engine`, the CLI's `-C engine=auto`) read them here.
 *
 * @module
 */

import type { EngineName } from "./engine.ts";

const HOST = (globalThis as { WebAssembly?: Record<string, unknown> }).WebAssembly;

/** Whether the host has its own WebAssembly. */
export const HAS_WEBASSEMBLY: boolean = typeof HOST === "object" && HOST !== null;

/** Whether the host has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export const HAS_JSPI: boolean = HAS_WEBASSEMBLY && typeof HOST!.Suspending === "function" &&
  typeof HOST!.promising === "function";

/** What the host's traps look like, probed once (see {@link hostTraps}). */
export interface HostTraps {
  /** The host's stack traces give wasm code offsets (V8 does; JavaScriptCore names frames only). */
  readonly givesOffsets: boolean;
  /** The host words a `call_indirect` to a null entry like a signature mismatch (JavaScriptCore does). */
  readonly confusesNullEntries: boolean;
}

let traps: HostTraps | undefined;

/**
 * What the host's traps look like, read off one trap of a tiny module (a `call_indirect` to a null entry): the native
 * engine guards what the host words ambiguously, and maps offsets where the host gives them. Needs WebAssembly.
 *
 * @returns the facts
 * @example
 * ```ts
 * import { hostTraps } from "./host.ts";
 * console.log(hostTraps().givesOffsets); // true on Deno (V8), false on Bun (JavaScriptCore)
 * ```
 */
export function hostTraps(): HostTraps {
  if (traps !== undefined) return traps;
  // (module (type (func)) (table 1 funcref) (func (export "f") (call_indirect (type 0) (i32.const 0))))
  const probe = new Uint8Array([
    ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...[1, 4, 1, 0x60, 0, 0],
    ...[3, 2, 1, 0],
    ...[4, 4, 1, 0x70, 0, 1],
    ...[7, 5, 1, 1, 0x66, 0, 0],
    ...[10, 9, 1, 7, 0, 0x41, 0, 0x11, 0, 0, 0x0b],
  ]);
  const WA = HOST as unknown as typeof WebAssembly;
  // Why one frame: the probe's is the top one, and formatting the whole stack under it (deep at a CLI's start-up)
  // cost more than the probe; and an embedder's `Error.stackTraceLimit = 0` would hide it.
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = 1;
  try {
    (new WA.Instance(new WA.Module(probe)).exports.f as () => void)();
    traps = { givesOffsets: true, confusesNullEntries: false };
  } catch (e) {
    traps = {
      givesOffsets: /wasm-function\[\d+\]:0x/.test(String((e as { stack?: unknown }).stack)),
      confusesNullEntries: !/null/i.test(e instanceof Error ? e.message : String(e)),
    };
  } finally {
    E.stackTraceLimit = limit;
  }
  return traps;
}

/**
 * The engine `"auto"` stands for: the native engine where the host has WebAssembly, JSPI (so any import may return
 * a Promise, as Kiln's API allows) and wasm offsets in its stack traces (so trap backtraces are the interpreter's);
 * else the interpreter. Why JavaScriptCore (Bun) gets the interpreter: its traps name frames without offsets, and
 * a `return_call` to a host import there loses JSPI's stack (a known host gap, `tools/fuzz.ts` knownGap); its users
 * choose `"native"` for speed.
 *
 * @returns the engine's name
 * @example
 * ```ts
 * import { autoEngine } from "./host.ts";
 * console.log(autoEngine()); // "native" on Deno 2.9, Chromium 137+, Node 25+; "interpreter" on Bun 1.4, Node 20
 * ```
 */
export function autoEngine(): EngineName {
  return HAS_JSPI && hostTraps().givesOffsets ? "native" : "interpreter";
}
