/**
 * Runs one Sightglass program once on one engine — the host's native `WebAssembly` or Kiln — with a WASI layer,
 * timing the span between its `bench.start` and `bench.end` calls and the time to compile and instantiate it.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { BenchmarkProgram } from "./suite.ts";
import { verifyOutput } from "./verify.ts";

/** The engines the harness compares. */
export type EngineName = "native" | "kiln";

/** Kiln store settings for a run (ignored by the native engine). */
export interface KilnSettings {
  /** Fuel budget; enables metering when set. */
  readonly fuel?: number;
  /** Yield to the event loop every N units of fuel (requires fuel). */
  readonly fuelYieldInterval?: number;
  /** Kiln's engine (`StoreOptions.engine`); the interpreter when unset. */
  readonly kilnEngine?: "interpreter" | "native";
}

/** A WASI instance as the harness needs it, whatever library provides it. */
export interface BenchWasi {
  /** The import object to merge with `bench.start`/`bench.end` (`{ wasi_snapshot_preview1: {...}, ... }`). */
  readonly imports: Record<string, Record<string, unknown>>;
  /** Runs `_start` and resolves to the exit code (0 when `_start` returns, the code given to `proc_exit`). */
  start(instance: { exports: Record<string, unknown> }): Promise<number>;
  /** Everything the guest wrote to stdout and stderr so far, decoded as UTF-8. */
  output(): { stdout: string; stderr: string };
}

/** Settings for {@link BenchWasi} creation. */
export interface WasiSettings {
  /** The program's folder, preopened as `.`. */
  readonly dir: string;
  /** argv, starting with the program name. */
  readonly args: readonly string[];
  /** "sync" for the native engine (its imports cannot return Promises); either for Kiln. */
  readonly mode: "sync" | "async";
}

/** Creates a WASI instance with empty stdin and captured stdout/stderr. */
export type WasiProvider = (settings: WasiSettings) => BenchWasi | Promise<BenchWasi>;

/** Instantiates a module with imports: the engine-specific part of a run. */
export type Instantiator = (
  bytes: Uint8Array,
  imports: Record<string, Record<string, unknown>>,
  settings: KilnSettings & { signal?: AbortSignal },
) => Promise<{ exports: Record<string, unknown> }>;

/** The outcome of one run. */
export interface RunResult {
  readonly name: string;
  readonly engine: EngineName;
  /** Milliseconds between `bench.start` and `bench.end`; NaN when the run failed. */
  readonly benchMs: number;
  /** Milliseconds to compile and instantiate (bytes already in memory). */
  readonly loadMs: number;
  /** Milliseconds from the call of `_start` to its return. */
  readonly runMs: number;
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Why the run does not count: a thrown error, a nonzero exit, missing markers, an output mismatch. */
  readonly problems: readonly string[];
}

/** The native engine: the host's `WebAssembly.instantiate`. */
export const nativeInstantiator: Instantiator = async (bytes, imports) => {
  const module = await WebAssembly.compile(bytes as BufferSource);
  const instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
  return instance as unknown as { exports: Record<string, unknown> };
};

/**
 * Loads Kiln's `instantiate` from the repository's `mod.ts` and adapts it to an {@link Instantiator}.
 *
 * @returns the Kiln instantiator
 * @throws Error when `mod.ts` cannot be loaded or has no `instantiate`
 * @example
 * ```ts
 * import { loadKilnInstantiator } from "./runner.ts";
 * const kiln = await loadKilnInstantiator();
 * ```
 */
export async function loadKilnInstantiator(): Promise<Instantiator> {
  const kiln = await import("../mod.ts");
  const instantiate = kiln.instantiate as
    | ((b: Uint8Array, i: unknown, o: Record<string, unknown>) => Promise<{ instance: unknown }>)
    | undefined;
  if (typeof instantiate !== "function") throw new Error("Kiln's mod.ts does not export instantiate");
  return async (bytes, imports, settings) => {
    const options: Record<string, unknown> = {};
    if (settings.fuel !== undefined) options.fuel = settings.fuel;
    if (settings.fuelYieldInterval !== undefined) options.fuelYieldInterval = settings.fuelYieldInterval;
    if (settings.kilnEngine !== undefined) options.engine = settings.kilnEngine;
    if (settings.signal !== undefined) options.signal = settings.signal;
    const { instance } = await instantiate(bytes, imports, options);
    return instance as { exports: Record<string, unknown> };
  };
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Options for {@link runProgram}. */
export interface RunOptions extends KilnSettings {
  readonly engine: EngineName;
  readonly instantiate: Instantiator;
  readonly wasi: WasiProvider;
  /** WASI mode for this run; "sync" unless told otherwise. */
  readonly wasiMode?: "sync" | "async";
  /** Abort (Kiln only: trap "interrupt") after this many milliseconds. */
  readonly timeoutMs?: number;
  /** The module bytes, when already read (else read from `program.wasmPath`). */
  readonly bytes?: Uint8Array;
}

/**
 * Runs a program once: builds WASI (folder preopened as `.`, empty stdin, captured output), adds the
 * `bench.start`/`bench.end` imports, instantiates, runs `_start`, and checks markers, exit code and output.
 * Never throws for a failing guest: failures are listed in `problems`.
 *
 * @param program the benchmark
 * @param options the engine, its instantiator, the WASI provider and Kiln settings
 * @returns timings, captured output and problems
 * @example Running a program on the native engine
 * ```ts
 * import { listBenchmarks } from "./suite.ts";
 * import { nativeInstantiator, runProgram } from "./runner.ts";
 * import { kilnWasiProvider } from "./wasi_provider.ts";
 * const [noop] = listBenchmarks().filter((b) => b.name === "noop");
 * const r = await runProgram(noop, { engine: "native", instantiate: nativeInstantiator, wasi: kilnWasiProvider });
 * console.log(r.benchMs, r.problems);
 * ```
 */
export async function runProgram(program: BenchmarkProgram, options: RunOptions): Promise<RunResult> {
  const problems: string[] = [];
  let startAt = NaN;
  let endAt = NaN;
  let starts = 0;
  let ends = 0;
  let loadMs = NaN;
  let runMs = NaN;
  let exitCode: number | undefined;
  let wasi: BenchWasi | undefined;
  const signal = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
  try {
    const bytes = options.bytes ?? new Uint8Array(readFileSync(program.wasmPath));
    const args = [program.wasmPath.slice(program.dir.length + 1)];
    wasi = await options.wasi({ dir: program.dir, args, mode: options.wasiMode ?? "sync" });
    const imports: Record<string, Record<string, unknown>> = {
      ...wasi.imports,
      bench: {
        start: () => {
          starts++;
          startAt = performance.now();
        },
        end: () => {
          endAt = performance.now();
          ends++;
        },
      },
    };
    const t0 = performance.now();
    const instance = await options.instantiate(bytes, imports, {
      fuel: options.fuel,
      fuelYieldInterval: options.fuelYieldInterval,
      kilnEngine: options.kilnEngine,
      signal,
    });
    const t1 = performance.now();
    exitCode = await wasi.start(instance);
    const t2 = performance.now();
    loadMs = t1 - t0;
    runMs = t2 - t1;
    if (exitCode !== 0) problems.push(`exit code ${exitCode}`);
  } catch (e) {
    problems.push(describeError(e));
  }
  if (starts !== 1 || ends !== 1) {
    problems.push(`bench.start called ${starts} times and bench.end ${ends} times (expected once each)`);
  }
  const captured = wasi?.output() ?? { stdout: "", stderr: "" };
  if (problems.length === 0) problems.push(...verifyOutput(program, captured));
  return {
    name: program.name,
    engine: options.engine,
    benchMs: problems.length === 0 ? endAt - startAt : NaN,
    loadMs,
    runMs,
    exitCode,
    stdout: captured.stdout,
    stderr: captured.stderr,
    problems,
  };
}
