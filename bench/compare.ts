/**
 * Runs benchmark programs under two configurations (a baseline and a candidate: native vs Kiln, Kiln fuel off vs
 * on, …), repeats them, and summarises medians, ratios and their geometric mean.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { runProgramInWorker } from "./isolated.ts";
import type { BenchmarkProgram } from "./suite.ts";
import { type EngineName, type Instantiator, type KilnSettings, runProgram, type WasiProvider } from "./runner.ts";
import { geomean, median } from "./stats.ts";

/** A way to run a program: an engine, its settings and the WASI mode. */
export interface RunConfig extends KilnSettings {
  /** Column title, e.g. "native", "Kiln", "Kiln+fuel". */
  readonly label: string;
  readonly engine: EngineName;
  readonly instantiate: Instantiator;
  readonly wasiMode: "sync" | "async";
  /**
   * Time limit per run. When set, each run happens in a Web Worker with the default engine for `engine` and Kiln's
   * WASI layer (the `instantiate` and WASI provider given here are not used), terminated at the limit.
   */
  readonly timeoutMs?: number;
}

/** Medians for one program under one configuration. */
export interface ConfigResult {
  /** Median `bench.start`→`bench.end` milliseconds; NaN when any repetition failed. */
  readonly benchMs: number;
  /** Median compile+instantiate milliseconds. */
  readonly loadMs: number;
  /** Every repetition's bench milliseconds, in order. */
  readonly samples: readonly number[];
  /** Problems of the first failing repetition (empty when all passed). */
  readonly problems: readonly string[];
}

/** One program compared under a baseline and (optionally) a candidate configuration. */
export interface ComparisonRow {
  readonly name: string;
  readonly base?: ConfigResult;
  readonly candidate?: ConfigResult;
  /** candidate.benchMs / base.benchMs; NaN when either is missing or failed. */
  readonly ratio: number;
  /** Whether the ratio enters the geometric mean (both passed and the baseline is at least {@link MIN_BASE_MS}). */
  readonly inGeomean: boolean;
}

/** Baseline times below this many milliseconds give meaningless ratios and stay out of the geometric mean. */
export const MIN_BASE_MS = 0.1;

/**
 * Programs of the `--quick` subset: those that take at most ~20 ms natively, so even a slow interpreter finishes
 * the whole subset within the 3-minute budget of a CI smoke run.
 */
export const QUICK_SET: readonly string[] = [
  "noop",
  "blake3-scalar",
  "bz2",
  "quicksort",
  "richards",
  "shootout-ackermann",
  "shootout-gimli",
  "shootout-keccak",
  "shootout-memmove",
  "shootout-xblabla20",
  "shootout-xchacha20",
];

/**
 * Builds a row from the two configurations' results.
 *
 * @param name the program's name
 * @param results the baseline's and the candidate's results, each if run
 * @returns the row, with ratio and geomean eligibility
 * @example
 * ```ts
 * import { makeRow } from "./compare.ts";
 * const r = (ms: number) => ({ benchMs: ms, loadMs: 1, samples: [ms], problems: [] });
 * console.log(makeRow("x", { base: r(2), candidate: r(30) }).ratio); // 15
 * ```
 */
export function makeRow(name: string, results: { base?: ConfigResult; candidate?: ConfigResult }): ComparisonRow {
  const { base, candidate } = results;
  const ratio = base && candidate ? candidate.benchMs / base.benchMs : NaN;
  const inGeomean = Number.isFinite(ratio) && ratio > 0 && (base?.benchMs ?? 0) >= MIN_BASE_MS;
  return { name, base, candidate, ratio, inGeomean };
}

/**
 * The geometric mean of the ratios of the rows that qualify ({@link ComparisonRow.inGeomean}).
 *
 * @param rows comparison rows
 * @returns the geometric mean, or NaN when no row qualifies
 * @example
 * ```ts
 * import { geomeanOfRows, makeRow } from "./compare.ts";
 * const r = (ms: number) => ({ benchMs: ms, loadMs: 1, samples: [ms], problems: [] });
 * console.log(geomeanOfRows([makeRow("a", { base: r(1), candidate: r(2) }), makeRow("b", { base: r(1), candidate: r(8) })])); // 4
 * ```
 */
export function geomeanOfRows(rows: readonly ComparisonRow[]): number {
  return geomean(rows.filter((r) => r.inGeomean).map((r) => r.ratio));
}

/** Options for {@link compareProgram}. */
export interface CompareOptions {
  readonly reps: number;
  readonly wasi: WasiProvider;
  /** Called after each single run (for progress output). */
  readonly onRun?: (program: string, label: string, rep: number, benchMs: number, problems: readonly string[]) => void;
}

/**
 * Runs one program `reps` times under each configuration (interleaved, so slow drift hits both alike) and
 * builds its row. The first configuration is the baseline, the second (if any) the candidate.
 *
 * @param program the benchmark
 * @param configs one or two configurations
 * @param options repetitions, WASI provider, progress callback
 * @returns the program's row
 * @example
 * ```ts
 * import { compareProgram } from "./compare.ts";
 * import { nativeInstantiator } from "./runner.ts";
 * import { listBenchmarks } from "./suite.ts";
 * import { kilnWasiProvider } from "./wasi_provider.ts";
 * const native = { label: "native", engine: "native" as const, instantiate: nativeInstantiator, wasiMode: "sync" as const };
 * const row = await compareProgram(listBenchmarks()[0], [native], { reps: 3, wasi: kilnWasiProvider });
 * console.log(row.base?.benchMs);
 * ```
 */
export async function compareProgram(
  program: BenchmarkProgram,
  configs: readonly RunConfig[],
  options: CompareOptions,
): Promise<ComparisonRow> {
  const bytes = new Uint8Array(readFileSync(program.wasmPath));
  const samples = configs.map(() => ({ bench: [] as number[], load: [] as number[], problems: [] as string[] }));
  // Each configuration's last instance, kept until its next run has compiled. Why: V8 reuses a compiled module for
  // the same bytes while one is alive, with the optimized code its earlier runs tiered up to; once the collector
  // has freed it (after a run that left much garbage: yields, async WASI), the next run starts again in V8's
  // baseline tier, and a program whose hot loop is one long call never leaves it (wasm tiers up on function entry).
  // Seen: plain native seqhash 16 s in every rep of a --yield run, 2.5 s in the --fuel runs.
  const kept: unknown[] = configs.map(() => undefined);
  const keeping = configs.map((cfg, c): Instantiator => async (...args) => kept[c] = await cfg.instantiate(...args));
  for (let rep = 0; rep < options.reps; rep++) {
    for (let c = 0; c < configs.length; c++) {
      const s = samples[c];
      if (s.problems.length > 0) continue; // a failing configuration is not retried
      const cfg = configs[c];
      // Why a worker: only a terminated worker stops a guest that runs synchronously past its time limit.
      const r = cfg.timeoutMs !== undefined
        ? await runProgramInWorker({
          program,
          engine: cfg.engine,
          wasiMode: cfg.wasiMode,
          fuel: cfg.fuel,
          fuelYieldInterval: cfg.fuelYieldInterval,
          kilnEngine: cfg.kilnEngine,
        }, { timeoutMs: cfg.timeoutMs })
        : await runProgram(program, {
          engine: cfg.engine,
          instantiate: keeping[c]!,
          wasi: options.wasi,
          wasiMode: cfg.wasiMode,
          fuel: cfg.fuel,
          fuelYieldInterval: cfg.fuelYieldInterval,
          kilnEngine: cfg.kilnEngine,
          bytes,
        });
      options.onRun?.(program.name, cfg.label, rep, r.benchMs, r.problems);
      if (r.problems.length > 0) s.problems.push(...r.problems);
      s.bench.push(r.benchMs);
      s.load.push(r.loadMs);
    }
  }
  const results: ConfigResult[] = samples.map((s) => ({
    benchMs: s.problems.length > 0 ? NaN : median(s.bench),
    loadMs: median(s.load.filter(Number.isFinite)),
    samples: s.bench,
    problems: s.problems,
  }));
  return makeRow(program.name, { base: results[0], candidate: results[1] });
}
