/**
 * Adapts Kiln's WASI layer (`lib/wasi/`) to the harness's {@link BenchWasi}: the program's folder preopened as `.`,
 * empty stdin, no environment, stdout and stderr captured in memory. The same layer serves both engines; the
 * native engine needs its "sync" mode (native WebAssembly imports cannot return Promises).
 *
 * @module
 */
import type { BenchWasi, WasiProvider, WasiSettings } from "./runner.ts";

interface WasiInstanceLike {
  getImportObject(): Record<string, Record<string, unknown>>;
  start(instance: { exports: Record<string, unknown> }): Promise<number> | number;
}

type WasiClass = new (options: Record<string, unknown>) => WasiInstanceLike;

let wasiClass: Promise<WasiClass> | undefined;

/** Loads the `Wasi` class from lib/wasi (once). */
function loadWasiClass(): Promise<WasiClass> {
  wasiClass ??= (async () => {
    const mod = await import(new URL("../lib/wasi/wasi.ts", import.meta.url).href) as { Wasi?: WasiClass };
    if (typeof mod.Wasi !== "function") throw new Error("lib/wasi/wasi.ts does not export a Wasi class");
    return mod.Wasi;
  })();
  return wasiClass;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Creates a Kiln WASI instance for one benchmark run.
 *
 * @param settings the folder to preopen as `.`, argv and the WASI mode
 * @returns the import object, a `start` that runs `_start` and returns the exit code, and the captured output
 * @throws Error when lib/wasi cannot be loaded
 * @example
 * ```ts
 * import { kilnWasiProvider } from "./wasi_provider.ts";
 * const wasi = await kilnWasiProvider({ dir: "/tmp", args: ["prog.wasm"], mode: "sync" });
 * console.log(Object.keys(wasi.imports));
 * ```
 */
export const kilnWasiProvider: WasiProvider = async (settings: WasiSettings): Promise<BenchWasi> => {
  const Wasi = await loadWasiClass();
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const wasi = new Wasi({
    args: [...settings.args],
    env: {},
    preopens: { ".": settings.dir },
    stdin: "",
    // Why copy: the layer may hand out a view into guest memory that the next call overwrites.
    stdout: (data: Uint8Array) => {
      stdout.push(data.slice());
    },
    stderr: (data: Uint8Array) => {
      stderr.push(data.slice());
    },
    mode: settings.mode,
  });
  const decoder = new TextDecoder();
  return {
    imports: wasi.getImportObject(),
    start: async (instance) => await wasi.start(instance),
    output: () => ({ stdout: decoder.decode(concat(stdout)), stderr: decoder.decode(concat(stderr)) }),
  };
};
