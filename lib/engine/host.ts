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

/**
 * The engine `"auto"` stands for: the native engine where the host has WebAssembly and JSPI (so any import may
 * return a Promise, as Kiln's API allows), else the interpreter.
 *
 * @returns the engine's name
 * @example
 * ```ts
 * import { autoEngine } from "./host.ts";
 * console.log(autoEngine()); // "native" on Deno 2.9, Bun 1.4, Chromium 137+, Node 25+; "interpreter" on Node 20
 * ```
 */
export function autoEngine(): EngineName {
  return HAS_JSPI ? "native" : "interpreter";
}
