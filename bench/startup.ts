/**
 * Start-up measurements: decode + validate throughput on the largest `.wasm` files of the WASI testsuite, and the
 * time from bytes in memory to the start of `_start` for `testdata/hello.wasm`, on Kiln and on the host's native
 * `WebAssembly` for reference.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { BenchWasi, Instantiator, WasiProvider } from "./runner.ts";
import { REPO_ROOT, SHARED_DIR } from "./suite.ts";
import { ByteReader } from "../lib/binary/leb128.ts";
import { median } from "./stats.ts";

/** The WASI testsuite folder inside the shared data. */
export const WASI_TESTSUITE_DIR: string = join(SHARED_DIR, "wasi-testsuite", "tests");

/** The Sightglass program with the largest code section in the shared data (1.2 MB file, 350 KB of code). */
export const LARGEST_CODE_WASM: string = join(SHARED_DIR, "benchmarks", "sightglass", "hashset", "benchmark.wasm");

/** The hello-world fixture the CLI engineer builds. */
export const HELLO_WASM: string = join(REPO_ROOT, "testdata", "hello.wasm");

/** One file's decode (+ validate) throughput. */
export interface ThroughputResult {
  readonly file: string;
  readonly bytes: number;
  /** Size of the code section (function bodies): what validation works through; the rest is mostly debug info. */
  readonly codeBytes: number;
  /** Median ms of Kiln's decode alone (`decodeModule`), NaN when unavailable. */
  readonly decodeMs: number;
  /** Median ms of Kiln's decode + validate (`new Module(bytes)` from mod.ts, else decode + `validateModule`). */
  readonly compileMs: number;
  /** Median ms of `new WebAssembly.Module(bytes)` (V8/JSC: decode, validate and baseline compile as the host does). */
  readonly nativeMs: number;
  /** Why a Kiln measurement is missing, when it is. */
  readonly error?: string;
}

/**
 * The size in bytes of a module's code section (0 when it has none or the header is not a wasm header).
 *
 * @param bytes the module binary
 * @returns the code section's payload size
 * @example
 * ```ts
 * import { codeSectionSize } from "./startup.ts";
 * console.log(codeSectionSize(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))); // 0
 * ```
 */
export function codeSectionSize(bytes: Uint8Array): number {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return 0;
  const r = new ByteReader(bytes, 8);
  try {
    while (r.pos < r.end) {
      const id = r.u8();
      const size = r.u32();
      if (id === 10) return size;
      r.pos += size;
    }
  } catch {
    // A malformed module has no measurable code section.
  }
  return 0;
}

/** Converts a byte count and milliseconds to megabytes (10^6 bytes) per second. */
export function megabytesPerSecond(bytes: number, ms: number): number {
  return ms > 0 && Number.isFinite(ms) ? bytes / 1e6 / (ms / 1000) : NaN;
}

/**
 * The `n` largest `.wasm` files under a folder, searched recursively, largest first.
 *
 * @param dir the folder to search
 * @param n how many to return
 * @returns absolute paths
 * @example
 * ```ts
 * import { largestWasmFiles, WASI_TESTSUITE_DIR } from "./startup.ts";
 * console.log(largestWasmFiles(WASI_TESTSUITE_DIR, 3));
 * ```
 */
export function largestWasmFiles(dir: string, n: number): string[] {
  const found: { path: string; size: number }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e.endsWith(".wasm")) found.push({ path: p, size: st.size });
    }
  };
  walk(dir);
  found.sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
  return found.slice(0, n).map((f) => f.path);
}

/** Kiln's front-end entry points, loaded lazily since they may not exist yet in a partial checkout. */
export interface KilnFrontEnd {
  decode?: (bytes: Uint8Array) => unknown;
  /** Decode + validate. */
  compile?: (bytes: Uint8Array) => unknown;
  /** Why something is missing. */
  missing: string[];
}

async function importOptional(rel: string): Promise<Record<string, unknown> | string> {
  try {
    return await import(new URL(rel, import.meta.url).href) as Record<string, unknown>;
  } catch (e) {
    return `${rel}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
  }
}

/**
 * Loads Kiln's decoder (`lib/binary/decoder.ts`) and its compile entry (`Module` from `mod.ts`, else
 * `decodeModule` + `validateModule` from `lib/validate/module_validator.ts`).
 *
 * @returns the functions found and the reasons for those not found
 * @example
 * ```ts
 * import { loadKilnFrontEnd } from "./startup.ts";
 * const fe = await loadKilnFrontEnd();
 * console.log(fe.missing);
 * ```
 */
export async function loadKilnFrontEnd(): Promise<KilnFrontEnd> {
  const fe: KilnFrontEnd = { missing: [] };
  const decoder = await importOptional("../lib/binary/decoder.ts");
  if (typeof decoder === "string") fe.missing.push(decoder);
  else if (typeof decoder.decodeModule === "function") fe.decode = decoder.decodeModule as (b: Uint8Array) => unknown;
  const mod = await importOptional("../mod.ts");
  if (typeof mod !== "string" && typeof mod.Module === "function") {
    const Module = mod.Module as new (b: Uint8Array) => unknown;
    fe.compile = (b) => new Module(b);
    return fe;
  }
  if (typeof mod === "string") fe.missing.push(mod);
  const validator = await importOptional("../lib/validate/module_validator.ts");
  if (typeof validator === "string") fe.missing.push(validator);
  else if (fe.decode && typeof validator.validateModule === "function") {
    const decode = fe.decode;
    const validateModule = validator.validateModule as (m: unknown) => unknown;
    fe.compile = (b) => validateModule(decode(b));
  }
  return fe;
}

function timeMedian(reps: number, f: () => unknown): number {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/**
 * Times decode and decode + validate of each file (median of `reps`, after one warm-up), plus native compilation.
 *
 * @param files `.wasm` paths
 * @param options `frontEnd`: Kiln's entry points ({@link loadKilnFrontEnd}); `reps`: repetitions per measurement
 * @returns one result per file
 * @example
 * ```ts
 * import { largestWasmFiles, loadKilnFrontEnd, measureThroughput, WASI_TESTSUITE_DIR } from "./startup.ts";
 * const rows = measureThroughput(largestWasmFiles(WASI_TESTSUITE_DIR, 2), { frontEnd: await loadKilnFrontEnd(), reps: 3 });
 * console.log(rows[0].compileMs);
 * ```
 */
export function measureThroughput(
  files: readonly string[],
  options: { frontEnd: KilnFrontEnd; reps: number },
): ThroughputResult[] {
  const { frontEnd, reps } = options;
  return files.map((file) => {
    const bytes = new Uint8Array(readFileSync(file));
    let error: string | undefined;
    const kiln = (f: ((b: Uint8Array) => unknown) | undefined) => {
      if (!f || error !== undefined) return NaN;
      try {
        f(bytes); // warm-up; also surfaces a CompileError before timing
        return timeMedian(reps, () => f(bytes));
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        return NaN;
      }
    };
    const decodeMs = kiln(frontEnd.decode);
    const compileMs = kiln(frontEnd.compile);
    new WebAssembly.Module(bytes);
    const nativeMs = timeMedian(reps, () => new WebAssembly.Module(bytes));
    return { file, bytes: bytes.length, codeBytes: codeSectionSize(bytes), decodeMs, compileMs, nativeMs, error };
  });
}

/** Start-up timings of one hello run, all from the moment the bytes are in memory. */
export interface HelloTiming {
  /** Compile + instantiate done: `_start` is about to be called. */
  readonly readyMs: number;
  /** The guest's first WASI call (its first instructions in `_start` have run). */
  readonly firstCallMs: number;
  /** `_start` returned or `proc_exit` unwound. */
  readonly exitMs: number;
  readonly exitCode: number;
  readonly stdout: string;
}

/**
 * Runs hello once, timing compile + instantiate, the first WASI call and the exit. Every WASI import is wrapped to
 * note the first call, so the times include the guest's start-up code up to its first system call (for a C
 * program: `_start` → constructors → `main` → the first `fd_write` or `args`/`environ` query).
 *
 * @param bytes the module
 * @param options the engine, the WASI provider and its mode, the folder to preopen
 * @returns the timings and stdout
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { nativeInstantiator } from "./runner.ts";
 * import { HELLO_WASM, timeHello } from "./startup.ts";
 * import { kilnWasiProvider } from "./wasi_provider.ts";
 * const bytes = readFileSync(HELLO_WASM);
 * const t = await timeHello(bytes, { instantiate: nativeInstantiator, wasi: kilnWasiProvider, dir: "/tmp" });
 * console.log(t.firstCallMs);
 * ```
 */
export async function timeHello(bytes: Uint8Array, options: HelloOptions & { dir: string }): Promise<HelloTiming> {
  const { instantiate, wasi, dir } = options;
  const w: BenchWasi = await wasi({ dir, args: ["hello.wasm"], mode: options.mode ?? "sync" });
  let firstCall = NaN;
  const imports: Record<string, Record<string, unknown>> = {};
  for (const [module, fields] of Object.entries(w.imports)) {
    imports[module] = {};
    for (const [name, value] of Object.entries(fields)) {
      imports[module][name] = typeof value !== "function" ? value : (...args: unknown[]) => {
        if (Number.isNaN(firstCall)) firstCall = performance.now();
        return (value as (...a: unknown[]) => unknown)(...args);
      };
    }
  }
  const t0 = performance.now();
  const instance = await instantiate(bytes, imports, {});
  const t1 = performance.now();
  const exitCode = await w.start(instance);
  const t2 = performance.now();
  return { readyMs: t1 - t0, firstCallMs: firstCall - t0, exitMs: t2 - t0, exitCode, stdout: w.output().stdout };
}

/** How to run hello. */
export interface HelloOptions {
  readonly instantiate: Instantiator;
  readonly wasi: WasiProvider;
  /** WASI mode (default "sync"; native needs "sync"). */
  readonly mode?: "sync" | "async";
}

/** Cold (first in this process) and warm (median) hello start-up of one engine. */
export interface HelloStartup {
  readonly engine: string;
  readonly cold?: HelloTiming;
  /** Medians over the warm repetitions. */
  readonly warm?: { readyMs: number; firstCallMs: number; exitMs: number };
  readonly error?: string;
}

/**
 * Measures hello's start-up on one engine: one cold run, then `reps` warm runs (medians).
 *
 * @param engine label for the report
 * @param options the engine, WASI provider and mode, `reps` warm repetitions, `path` of the module (default
 *   {@link HELLO_WASM})
 * @returns the timings, or an error when hello is missing or fails
 * @example
 * ```ts
 * import { nativeInstantiator } from "./runner.ts";
 * import { measureHello } from "./startup.ts";
 * import { kilnWasiProvider } from "./wasi_provider.ts";
 * console.log(await measureHello("native", { instantiate: nativeInstantiator, wasi: kilnWasiProvider, reps: 5 }));
 * ```
 */
export async function measureHello(
  engine: string,
  options: HelloOptions & { reps: number; path?: string },
): Promise<HelloStartup> {
  const path = options.path ?? HELLO_WASM;
  const run = { ...options, dir: join(path, "..") };
  if (!existsSync(path)) return { engine, error: `${basename(path)} not found at ${path}` };
  const bytes = new Uint8Array(readFileSync(path));
  try {
    const cold = await timeHello(bytes, run);
    if (cold.exitCode !== 0) return { engine, cold, error: `exit code ${cold.exitCode}` };
    if (cold.stdout.length === 0) return { engine, cold, error: "hello printed nothing" };
    const warm: HelloTiming[] = [];
    for (let i = 0; i < options.reps; i++) warm.push(await timeHello(bytes, run));
    return {
      engine,
      cold,
      warm: {
        readyMs: median(warm.map((t) => t.readyMs)),
        firstCallMs: median(warm.map((t) => t.firstCallMs)),
        exitMs: median(warm.map((t) => t.exitMs)),
      },
    };
  } catch (e) {
    return { engine, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
