/**
 * `runWasi`: compile, instantiate on Kiln with a WASI environment, run `_start`, return the exit code. The one-call
 * form of `new Wasi(…)` + `instantiate(…)` + `wasi.start(…)` (DESIGN.md's API sketch).
 *
 * @module
 */
import { instantiate } from "../runtime/api.ts";
import type { Module } from "../runtime/module.ts";
import type { Store, StoreOptions } from "../runtime/store.ts";
import { Wasi, type WasiOptions } from "./wasi.ts";

/** Options of {@link runWasi}: the WASI environment (always async mode), plus store options for the engine. */
export interface RunWasiOptions extends Omit<WasiOptions, "mode"> {
  /** Store options (fuel, yield interval, signal, limits) or an existing `store`. */
  engine?: StoreOptions & { store?: Store };
  /** Extra imports next to WASI's, e.g. `{ env: { … } }`. */
  imports?: Record<string, Record<string, unknown>>;
}

/**
 * Runs a WASI command on Kiln and returns its exit code (0 when `_start` returns, the `proc_exit` code
 * otherwise). Traps and host exceptions reject.
 *
 * @param source module bytes or a compiled Module
 * @param options WASI environment and engine options
 * @returns the exit code
 *
 * @example Running a command with a preopened directory
 * ```ts
 * import { runWasi } from "./run_wasi.ts";
 * // const code = await runWasi(await Deno.readFile("app.wasm"), { args: ["app"], preopens: { "/data": "./data" } });
 * console.log(typeof runWasi); // "function"
 * ```
 */
export async function runWasi(
  source: BufferSource | Uint8Array | Module,
  options: RunWasiOptions = {},
): Promise<number> {
  const { engine, imports, ...wasiOptions } = options;
  const wasi = new Wasi({ ...wasiOptions, mode: "async" });
  const { instance } = await instantiate(source, { ...imports, ...wasi.getImportObject() }, engine);
  return await wasi.start(instance as unknown as { exports: Record<string, unknown> });
}
