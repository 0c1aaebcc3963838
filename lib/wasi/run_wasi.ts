/**
 * `runWasi`: compile, instantiate on Kiln with a WASI environment, run `_start`, return the exit code. The one-call
 * form of `new Wasi(…)` + `instantiate(…)` + `wasi.start(…)` (DESIGN.md's API sketch).
 *
 * @module
 */
import { instantiate } from "../runtime/api.ts";
import type { Module, ModuleSource } from "../runtime/module.ts";
import type { Store, StoreOptions } from "../runtime/store.ts";
import { Wasi, type WasiOptions } from "./wasi.ts";

/**
 * A compiled `Module` or a `Store` of the engine (mod.ts). Why `object`: naming the engine's classes here would make
 * `wasi.ts` re-export them; `instantiate` checks at run time what it is given.
 */
export type EngineObject = object;

/** Options of {@link runWasi}: the WASI environment (always async mode), plus store options for the engine. */
export interface RunWasiOptions extends Omit<WasiOptions, "mode"> {
  /** Store options (fuel, yield interval, time slicing, signal, limits), or an existing mod.ts `Store` as `store`. */
  engine?: StoreOptions & { store?: EngineObject };
  /** Extra imports next to WASI's, e.g. `{ env: { … } }`. */
  imports?: Record<string, Record<string, unknown>>;
}

/**
 * Runs a WASI command on Kiln and returns its exit code (0 when `_start` returns, the `proc_exit` code
 * otherwise). Traps and host exceptions reject.
 *
 * @param source module bytes or a compiled `Module` (mod.ts)
 * @param options WASI environment and engine options
 * @returns the exit code
 *
 * @example Running a command that exits with a status
 * ```ts
 * import { parseWat } from "../../mod.ts";
 * import { MemoryFs, runWasi } from "../../wasi.ts";
 * const bytes = parseWat(`(module
 *   (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 *   (memory (export "memory") 1)
 *   (func (export "_start") (call $exit (i32.const 3))))`);
 * const code = await runWasi(bytes, { args: ["app"], fs: new MemoryFs(), stdin: "null" });
 * console.log(code); // 3
 * ```
 */
export async function runWasi(
  source: ArrayBuffer | ArrayBufferView | EngineObject,
  options: RunWasiOptions = {},
): Promise<number> {
  const { engine, imports, ...wasiOptions } = options;
  const wasi = new Wasi({ ...wasiOptions, mode: "async" });
  const { instance } = await instantiate(
    source as ModuleSource | Module,
    { ...imports, ...wasi.getImportObject() },
    engine as StoreOptions & { store?: Store } | undefined,
  );
  return await wasi.start(instance as unknown as { exports: Record<string, unknown> });
}
