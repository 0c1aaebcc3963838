/**
 * Kiln's fuzzers, one entry point (`deno task fuzz …`):
 *
 * - `--target diff` (default): differential fuzzing of Kiln against the host's native WebAssembly on modules
 *   from binaryen's translate-to-fuzz and from Kiln's own generator (tools/_fuzz_own_gen.ts). Each module runs
 *   on both engines in worker threads under a time limit (Kiln also under fuel); results, traps (by kind),
 *   logged values, exported globals/tables and memory hashes are compared. A divergence that disappears after
 *   binaryen's `--denan` is counted as NaN nondeterminism; any other is saved (module + seed + report) and
 *   reduced.
 * - `--target engines`: differential fuzzing of Kiln's two engines, the native engine (`StoreOptions.engine:
 *   "native"`, lib/native/) against the interpreter, on the same modules, rounds and three configurations as `diff`.
 *   Both are metered, so besides everything `diff` compares, the store's fuel (`fuelConsumed` and `getFuel()`) is
 *   compared after every step and whenever the guest calls an import (what a host function observes), and running
 *   out of fuel is a trap like any other: both must trap at the same step with the same fuel, memory and state, and
 *   the round goes on. Half the rounds get a small budget (1–300 or 1–30,000 units per call, from the round's seed)
 *   so that fuel traps happen often; the others get `--fuel` (default 100,000 for this target). Both engines run at once (no native step limit is
 *   needed). Stack exhaustion on either side ends the round's comparison (depths differ by design), as in `diff`;
 *   the summary says on which side. A divergence that is a known host bug ({@link knownGap}) is counted by kind in
 *   the summary, not saved or reduced.
 * - `--target decoder|parser`: mutation fuzzing of `new Module`/the decoder and of `parseWat`; every input must
 *   give success or a CompileError within the time limit.
 * - `--soak N`: create, run and drop N instances and check that memory returns to its baseline.
 * - `--check FILE.wasm [--seed S] [--mode plain|yield|async] [--target engines --fuel N]`: run one module on both
 *   engines and print the comparison (for reproducing a finding; the report gives the command).
 * - `--simd` (with `--target diff`): modules use fixed-width SIMD. binaryen generates with `--enable-simd`; the
 *   own generator adds `v128` expressions and statements (lane loads/stores, shuffles with random lanes, extmul,
 *   dot, q15mulr, narrow/extend, float rounding, …) inside functions whose signatures stay scalar. A `v128` cannot
 *   cross the JS API, so every module is first rewritten the same way for both engines (tools/_fuzz_v128.ts):
 *   exports with `v128` parameters or results get wrappers taking and returning each `v128` as two `i64` lanes,
 *   and binaryen's `log-v128` import logs the two lanes; these, results, memory hashes and the rest are compared
 *   bit for bit, and a divergence that `--denan` (which also clears NaN lanes) removes counts as NaN
 *   nondeterminism, as for scalars. Relaxed SIMD is not fuzzed: engines may legitimately differ on it. Until Kiln
 *   implements SIMD, every such module stops at instantiation as "unsupported" and counts as no execution.
 * - `--gc` (with `--target diff`): modules use WebAssembly GC. binaryen generates with `--enable-gc` (structs,
 *   arrays, i31, casts, `br_on_cast*`, recursive and sub types, typed function references, GC-typed globals,
 *   tables, params and results); the own generator adds struct and array types, GC globals and GC code
 *   (tools/_fuzz_own_gc.ts: packed fields, `array.new_data`/`new_elem`, `array.fill`/`copy`/`init_*`, extern
 *   conversions, which binaryen emits rarely or never). References
 *   cross the JS boundary as they are: arguments are null, numbers (i31 or host), strings, exported functions or
 *   GC objects seen before in the round, as the parameter's hierarchy allows (and sometimes not: both sides must
 *   reject alike); results, logs, globals and tables show a reference by kind (null, number, function by index,
 *   extern string) and a struct or array, opaque on every engine, by identity (`gc#N`, N its first appearance in
 *   the round). The summary counts executions on GC-using modules (GC types, any-hierarchy references or GC
 *   instructions: tools/_fuzz_wasm_info.ts) apart. A divergence that is a known host difference
 *   ({@link knownHostGap}) is counted by kind.
 *
 * Each module runs in several rounds (`--rounds`, default 6): a fresh instance each, with its own argument seed,
 * every exported function called once per round. Kiln runs a round in one of three configurations, cycling
 * round by round: plain; fuel with a yield every 997 units; every import returning a Promise (so the machine
 * suspends at each host call). Kiln runs first; native then runs exactly the steps Kiln finished, so a native
 * engine never starts an infinite loop. One **execution** is one compared step: an instantiation or one export
 * call of one round, run natively and on Kiln (in that round's configuration) and found equal; the summary line
 * `TOTAL diff: N executions …` counts them.
 *
 * Options: `--seconds N` (default 60), `--iterations N` (modules), `--executions N` (stop after N executions),
 * `--seed S` (default: time-based, printed), `--out DIR` (default: a temp dir), `--fuel N` (per top-level export
 * call, default 1,000,000; `engines`: 100,000), `--rounds N`, `--lanes N` (modules in flight at once, default 2), `--no-reduce`,
 * `--native-only` (compare native against native: a self-test of the harness), `--own-ratio R` (share of
 * own-generator modules, default 0.5), `--simd`, `--gc`, `--quiet`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "./_fuzz_rng.ts";
import { type JobResult, JobWorker } from "./_fuzz_pool.ts";
import { compareRounds, type Divergence, divergenceKey, type RoundsComparison } from "./_fuzz_compare.ts";
import { binaryenFuzzModule, denan, genStats, removeScratch } from "./_fuzz_gen.ts";
import { ownModule, ownText } from "./_fuzz_own_gen.ts";
import { reduceModule } from "./_fuzz_reduce.ts";
import { FUZZ_MEMORY_LIMIT, loadKiln } from "./_fuzz_engines.ts";
import { loadDecoder, loadParser, type TargetName } from "./_fuzz_targets.ts";
import { extractModules } from "./_fuzz_mutate.ts";
import { runMutationCampaign } from "./_fuzz_batch.ts";
import type { Round } from "./_fuzz_worker.ts";
import { runSoak } from "./_fuzz_soak.ts";
import { readWasmInfo } from "./_fuzz_wasm_info.ts";

/** Parsed command line. */
export interface FuzzArgs {
  target: "diff" | "engines" | "decoder" | "parser";
  seconds: number;
  iterations: number;
  /** Differential fuzzing stops once this many executions (compared steps) are reached. */
  executions: number;
  seed: number;
  out?: string;
  fuel: number;
  reduce: boolean;
  nativeOnly: boolean;
  ownRatio: number;
  /** Rounds per module (fresh instance, own argument seed and Kiln configuration each). */
  rounds: number;
  /** Modules in flight at once (each lane has its two workers). */
  lanes: number;
  soak?: number;
  check?: string;
  /** Kiln configuration for --check: plain, fuel yields, or Promise-returning imports. */
  mode: "plain" | "yield" | "async";
  quiet: boolean;
  /** `--simd`: generate fixed-width SIMD modules (differential fuzzing). */
  simd: boolean;
  /** `--gc`: generate WebAssembly GC modules (differential fuzzing). */
  gc: boolean;
  /** `--help`: print {@link USAGE} and do nothing else. */
  help: boolean;
}

/** The text `--help` prints. */
export const USAGE =
  `Kiln's fuzzers: differential (Kiln against the host's native WebAssembly), decoder and parser mutation, soak.

Usage: deno task fuzz [OPTIONS]
       deno run -A tools/fuzz.ts [OPTIONS]
       bun tools/fuzz.ts [OPTIONS]

Options:
  --target <T>        diff (default): differential fuzzing on binaryen and own-generator modules
                      engines: the same modules on Kiln's native engine against its interpreter, fuel compared
                      decoder: mutated binaries through new Module; parser: mutated WAT through parseWat
  --seconds <N>       Stop after N seconds (default 60)
  --iterations <N>    Stop after N modules or mutants
  --executions <N>    Stop after N compared executions (diff)
  --seed <S>          Random seed (default: time-based, printed)
  --out <DIR>         Where findings are saved (default: a fresh temporary directory)
  --fuel <N>          Kiln fuel per top-level export call (default 1000000; engines: 100000)
  --rounds <N>        Rounds per module: a fresh instance and Kiln configuration each (default 6)
  --lanes <N>         Modules in flight at once (default 2)
  --own-ratio <R>     Share of modules from Kiln's own generator (default 0.5)
  --simd              Modules with fixed-width SIMD (diff): binaryen with --enable-simd, v128 in the own
                      generator; v128 values cross the JS boundary as two i64 lanes (tools/_fuzz_v128.ts)
  --gc                Modules with WebAssembly GC (diff): binaryen with --enable-gc, GC code in the own
                      generator; references compared by kind, structs and arrays by identity; executions on
                      GC-using modules counted apart
  --no-reduce         Do not reduce divergent modules
  --native-only       Compare native against native (a self-test of the harness)
  --soak <N>          Create, run and drop N instances; memory must return to its baseline
  --check <FILE>      Run one module on both engines and print the comparison (with --target engines: Kiln's)
  --mode <M>          With --check: plain, yield or async (default plain)
  --quiet             Less output
  -h, --help          Print this help

Ends with one line: TOTAL <target>: N executions (or mutated inputs) … Exit status: 0 when nothing diverged,
1 on a divergence or a failed soak, 2 on a usage error.`;

/** A command-line mistake: reported with the usage, exit status 2. */
export class FuzzUsageError extends Error {}

/** The Kiln configurations the differential fuzzer cycles through, module by module. */
const MODES = ["plain", "yield", "async"] as const;

/** Parses `argv` (without the program name). */
export function parseArgs(argv: readonly string[]): FuzzArgs {
  const a: FuzzArgs = {
    target: "diff",
    seconds: 60,
    iterations: Infinity,
    executions: Infinity,
    seed: (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0,
    fuel: 1_000_000,
    reduce: true,
    nativeOnly: false,
    ownRatio: 0.5,
    rounds: 6,
    lanes: 2,
    mode: "plain",
    quiet: false,
    simd: false,
    gc: false,
    help: false,
  };
  let fuelGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new FuzzUsageError(`missing value for ${flag}`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new FuzzUsageError(`bad number for ${flag}`);
      return n;
    };
    switch (flag) {
      case "--target": {
        const t = value();
        if (t !== "diff" && t !== "engines" && t !== "decoder" && t !== "parser") {
          throw new FuzzUsageError(`unknown target: ${t}`);
        }
        a.target = t;
        break;
      }
      case "--seconds":
        a.seconds = num();
        break;
      case "--iterations":
        a.iterations = num();
        break;
      case "--executions":
        a.executions = num();
        break;
      case "--seed":
        a.seed = num() >>> 0;
        break;
      case "--out":
        a.out = value();
        break;
      case "--fuel":
        a.fuel = num();
        fuelGiven = true;
        break;
      case "--no-reduce":
        a.reduce = false;
        break;
      case "--native-only":
        a.nativeOnly = true;
        break;
      case "--own-ratio":
        a.ownRatio = num();
        break;
      case "--rounds":
        a.rounds = Math.max(1, Math.floor(num()));
        break;
      case "--lanes":
        a.lanes = Math.max(1, Math.floor(num()));
        break;
      case "--soak":
        a.soak = num();
        break;
      case "--check":
        a.check = value();
        break;
      case "--mode": {
        const m = value();
        if (m !== "plain" && m !== "yield" && m !== "async") throw new FuzzUsageError(`unknown mode: ${m}`);
        a.mode = m;
        break;
      }
      case "--quiet":
        a.quiet = true;
        break;
      case "--simd":
        a.simd = true;
        break;
      case "--gc":
        a.gc = true;
        break;
      case "-h":
      case "--help":
        a.help = true;
        break;
      default:
        throw new FuzzUsageError(`unknown option: ${flag}`);
    }
  }
  if (a.target === "engines" && !fuelGiven) a.fuel = ENGINES_FUEL;
  return a;
}

/**
 * The `engines` target's default fuel per call: both sides run out of it (no native step limit), and a guest that
 * loops forever costs the interpreter about 25 ms and both sides about 100 yields at this amount (1,000,000: ten
 * times that), while a call that finishes rarely needs more.
 */
export const ENGINES_FUEL = 100_000;

/**
 * The native engine's known gaps and host bugs that a divergence of the `engines` target is, or undefined.
 *
 * @param d the divergence
 * @param a the native engine's side of the job, if at hand
 */
export function knownGap(d: Divergence, a?: JobResult): string | undefined {
  // JavaScriptCore (Bun 1.4.5): a `return_call` to a wasm function of another instance (the native engine's import
  // dispatcher, lib/native/imports.ts) that then suspends fails JSPI's stack scan; V8 runs it.
  if (/JSPI stack scan failed: unrecognized type of Wasm frame/.test(`${d.a}\n${d.b}`)) return "jsc-jspi-return-call";
  // The native engine does not enforce `maxMemoryBytes` yet: its memory grows past the interpreter's 128 MiB, and a
  // guest that keeps growing it (seed 3101, module 7359: to 354 MiB a round) can outlast the job's time limit.
  const grown = (a?.rounds ?? []).flat().some((s) =>
    s.state.some((e) => Number(/=mem (\d+) /.exec(e)?.[1] ?? 0) > FUZZ_MEMORY_LIMIT)
  );
  if (d.field === "hang" && grown) return "native-max-memory";
  return undefined;
}

/**
 * The host difference a divergence of the `diff` target is (a host bug, or a difference the spec allows), or
 * undefined.
 *
 * @param d the divergence (a: native, b: Kiln)
 * @param host the runtime, as {@link runtimeName} names it
 */
export function knownHostGap(d: Divergence, host: string = runtimeName()): string | undefined {
  // JavaScriptCore words a `ref.cast` of null to a concrete non-nullable type "access to a null reference" (a
  // null trap; `ref.cast` to an abstract type, e.g. (ref any), says "failed to cast"); V8 and Wasmtime, and so
  // Kiln, say cast failure. The spec does not name trap kinds; V8 still checks Kiln's kind for this case.
  if (/^Bun /.test(host) && d.field === "outcome" && d.a === "trap:null" && d.b === "trap:cast") {
    return "jsc-null-cast-trap";
  }
  // How large an array may be is an implementation limit: Kiln allocates up to 2^27 bytes of elements (Wasmtime's
  // limit), V8 up to about 2^29 and JavaScriptCore 2^30 (array.new_default of i8 and i64, measured on Deno 2.9.5 and
  // Bun 1.4.5); and the hosts check their limit before `array.new_data`/`new_elem`'s segment bounds (a trap the
  // spec has), Kiln after. Where one side stops at its size limit, the other's outcome is not comparable.
  if (d.field === "outcome" && (d.a === "trap:alloc") !== (d.b === "trap:alloc")) return "array-size-limit";
  // When two trap conditions of a GC array instruction hold at once, the spec's reduction rule is one trap (for
  // array.init_data/init_elem: "d + n > |array| ∨ s + n > |segment|"), and engines check in different orders: V8's
  // array.copy checks the destination's range before the source's null, its array.init_data/init_elem the segment
  // before the array; Kiln follows the spec's prose order (nulls, the array, the segment). Only a mismatch of
  // trap kinds where one side names an array range ("array") and the other a null, memory or table one.
  const traps = new Set([d.a, d.b]);
  if (
    d.field === "outcome" && d.a !== d.b && traps.has("trap:array") &&
    [...traps].every((t) => /^trap:(array|null|memory|table|segment-or-alloc)$/.test(t))
  ) return "gc-trap-order";
  return undefined;
}

/** Whether a module uses GC (`WasmInfo.usesGc`, function bodies scanned too); false if it cannot be read. */
function usesGc(wasm: Uint8Array): boolean {
  try {
    return readWasmInfo(wasm, { code: true }).usesGc;
  } catch {
    return false;
  }
}

/** Worker jobs before a worker is replaced (bounding what a runtime keeps per worker). */
const RECYCLE_AFTER = 2_000;

/** How a differential lane runs a module on its two engines: {@link DiffRunner} or {@link EnginesRunner}. */
export interface Runner {
  /** The two sides' names, as the reports print them. */
  readonly names: readonly [string, string];
  run(wasm: Uint8Array, rounds: readonly Round[]): Promise<{ a: JobResult; b: JobResult; cmp: RoundsComparison }>;
  close(): void;
}

/** The two workers of a differential lane and how to run a module on both. */
export class DiffRunner implements Runner {
  readonly names = ["native", "kiln"] as const;
  readonly #a = new JobWorker(RECYCLE_AFTER);
  readonly #b = new JobWorker(RECYCLE_AFTER);
  constructor(readonly engineB: "kiln" | "native", readonly fuel: number) {}

  /**
   * Runs `wasm` for each of `rounds` (a fresh instance each) on Kiln (b) first, then on native (a) with the same
   * argument seeds; compares round by round. Native runs each round only up to the step where Kiln ran out of
   * fuel or stack, so an infinite loop is never started natively (no native timeouts to wait for, and no
   * worker terminated while spinning in native code). A round Kiln did not finish in time is run natively in
   * full: if native completes the step Kiln hung on, that is a `hang` divergence.
   */
  async run(
    wasm: Uint8Array,
    rounds: readonly Round[],
  ): Promise<{ a: JobResult; b: JobResult; cmp: RoundsComparison }> {
    const b = await this.#b.run(
      { type: "module", engine: this.engineB, wasm, rounds: [...rounds], fuel: this.fuel },
      this.engineB === "kiln" ? 60_000 : 5_000,
    );
    const br = b.rounds ?? [b.steps];
    const timedOutRound = b.timedOut || !b.done ? br.length - 1 : -1;
    // Native runs exactly the steps Kiln finished (Kiln may also have stopped a round early on purpose, before
    // an export that ran out of fuel in an earlier round); the round Kiln did not finish in time runs in full.
    const limits = rounds.slice(0, Math.max(1, br.length)).map((_, r) => {
      const steps = br[r] ?? [];
      if (r === timedOutRound) return undefined;
      return steps.at(-1)?.inconclusive ? steps.length - 1 : steps.length;
    });
    const a = await this.#a.run({
      type: "module",
      engine: "native",
      wasm,
      rounds: limits.map((maxSteps, r) => ({ ...rounds[r]!, maxSteps })),
      fuel: this.fuel,
    }, 10_000);
    return { a, b, cmp: compareRounds(a, b, limits) };
  }

  /** Stops both workers. */
  close(): void {
    this.#a.terminate();
    this.#b.terminate();
  }
}

function describe(cmp: RoundsComparison, names: readonly [string, string] = ["native", "other"]): string {
  const d = cmp.divergence!;
  const w = Math.max(names[0].length, names[1].length) + 1;
  return `${d.label}: ${d.field} differs\n    ${`${names[0]}:`.padEnd(w)} ${d.a}\n    ${
    `${names[1]}:`.padEnd(w)
  } ${d.b}`;
}

/**
 * The two workers of an `engines` lane: Kiln's native engine (a) and its interpreter (b), both metered, both run
 * every round in full at the same time (fuel ends every loop on both), then compared round by round.
 */
export class EnginesRunner implements Runner {
  readonly names = ["native engine", "interpreter"] as const;
  readonly #a = new JobWorker(RECYCLE_AFTER);
  readonly #b = new JobWorker(RECYCLE_AFTER);
  constructor(readonly fuel: number) {}

  async run(
    wasm: Uint8Array,
    rounds: readonly Round[],
  ): Promise<{ a: JobResult; b: JobResult; cmp: RoundsComparison }> {
    const job = (engine: "kiln" | "kiln-native") => ({
      type: "module" as const,
      engine,
      wasm,
      rounds: [...rounds],
      fuel: this.fuel,
      observeFuel: true,
    });
    const [a, b] = await Promise.all([this.#a.run(job("kiln-native"), 60_000), this.#b.run(job("kiln"), 60_000)]);
    return { a, b, cmp: compareEngines(a, b) };
  }

  /** Stops both workers. */
  close(): void {
    this.#a.terminate();
    this.#b.terminate();
  }
}

/**
 * Compares an `engines` job (a: the native engine, b: the interpreter) round by round as {@link compareRounds} does,
 * then: names the side of each stack stop, accepts a missing step after a one-sided stack stop, and makes a
 * native-engine timeout on a step the interpreter finished a `hang` divergence.
 */
export function compareEngines(a: JobResult, b: JobResult): RoundsComparison {
  const cmp = compareRounds(a, b);
  labelStackStops(cmp, a, b);
  // After a round where only one side's stack ran out (inconclusive), the sides may cap later rounds at different
  // steps (see the worker): a step missing on one side then is that, not a divergence.
  if (
    cmp.divergence?.field === "missing-step" &&
    cmp.stopped.some((s) => /^stack\((native engine|interpreter)\)$/.test(s))
  ) {
    cmp.stopped.push("missing-step after a one-sided stack stop");
    delete cmp.divergence;
    delete cmp.round;
  }
  // Metered, the native engine cannot loop forever: not finishing a step the interpreter finished is a hang.
  const hung = cmp.stopped.indexOf("timeout(a) where kiln finished");
  if (hung >= 0 && !cmp.divergence) {
    const round = cmp.rounds - 1;
    const steps = (a.rounds ?? [a.steps])[round] ?? [];
    const other = (b.rounds ?? [b.steps])[round]?.[steps.length];
    cmp.divergence = {
      step: steps.length,
      label: other?.label ?? "?",
      field: "hang",
      a: "timed out",
      b: other?.outcome ?? "<none>",
    };
    cmp.round = round;
  }
  return cmp;
}

/**
 * Names the side of each "stack" stop ("stack(native engine)", "stack(interpreter)", "stack(both)"): the engines'
 * stack depths differ by design, and the report counts on which side the stack ran out.
 */
function labelStackStops(cmp: RoundsComparison, a: JobResult, b: JobResult): void {
  const ar = a.rounds ?? [a.steps], br = b.rounds ?? [b.steps];
  let next = 0;
  for (let r = 0; r < cmp.rounds; r++) {
    const x = ar[r] ?? [], y = br[r] ?? [];
    // As compareRuns: the first step, within both runs, where either side is inconclusive.
    const n = Math.min(x.length, y.length);
    let j = 0;
    while (j < n && x[j]!.inconclusive === undefined && y[j]!.inconclusive === undefined) j++;
    if (j === n || (x[j]!.inconclusive ?? y[j]!.inconclusive) !== "stack") continue;
    const k = cmp.stopped.indexOf("stack", next);
    if (k < 0) return;
    const side = x[j]!.inconclusive === "stack"
      ? y[j]!.inconclusive === "stack" ? "both" : "native engine"
      : "interpreter";
    cmp.stopped[k] = `stack(${side})`;
    next = k + 1;
  }
}

/** The runtime executing the fuzzer, with its version (for the summary line). */
export function runtimeName(): string {
  const g = globalThis as unknown as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Bun) return `Bun ${g.Bun.version} (JavaScriptCore)`;
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8)`;
  return `Node ${process.versions.node} (V8)`;
}

interface Stats {
  modules: number;
  binaryen: number;
  own: number;
  rounds: number;
  /** Compared steps (executions), in total and by module source. */
  steps: number;
  stepsBinaryen: number;
  stepsOwn: number;
  /** Modules that use GC, and the executions on them (see `WasmInfo.usesGc`). */
  modulesGc: number;
  stepsGc: number;
  stopped: Record<string, number>;
  nanOnly: number;
  /** Divergences that are known gaps of the native engine or host bugs ({@link knownGap}), by kind. */
  known: Record<string, number>;
  divergences: { dir: string; key: string; summary: string }[];
  errors: string[];
}

/**
 * The Kiln configuration of round `r` of module `k`: over the rounds of a module, all three occur. With both
 * engines metered (`engines`), half the rounds get a small fuel budget per call, so that fuel traps are frequent.
 */
export function roundsFor(args: Pick<FuzzArgs, "seed" | "rounds" | "target" | "fuel">, k: number): Round[] {
  const base = Rng.derive(args.seed ^ 0x5eed, k);
  return Array.from({ length: args.rounds }, (_, r) => {
    const round: Round = { seed: Rng.derive(base, r), mode: MODES[(k + r) % 3]! };
    if (args.target === "engines") {
      const rng = new Rng(Rng.derive(round.seed, 0xf0e1));
      round.fuel = rng.chance(0.5) ? args.fuel : 1 + rng.int(rng.chance(0.5) ? 300 : 30_000);
    }
    return round;
  });
}

async function diffMain(args: FuzzArgs, log: (s: string) => void): Promise<number> {
  const engines = args.target === "engines";
  const kiln = args.nativeOnly && !engines ? undefined : await loadKiln();
  if (engines && !kiln) {
    log("Kiln (mod.ts) is not available: nothing to compare");
    return 2;
  }
  const engineB = kiln ? "kiln" : "native";
  const newRunner = (): Runner => engines ? new EnginesRunner(args.fuel) : new DiffRunner(engineB, args.fuel);
  if (!kiln) {
    log(
      args.nativeOnly
        ? "native vs native (harness self-test)"
        : "Kiln (mod.ts) is not available: running native vs native (harness self-test)",
    );
  }
  const out = args.out ?? mkdtempSync(join(tmpdir(), "kiln-fuzz-"));
  mkdirSync(out, { recursive: true });
  log(
    `differential fuzzing${args.simd ? " with SIMD" : ""}${
      args.gc ? " with GC" : ""
    }: seed ${args.seed}, ${args.seconds} s, ` +
      `${engines ? "Kiln's native engine vs its interpreter" : `native vs ${engineB}`} on ${runtimeName()}, ` +
      `${args.rounds} rounds a module, ${args.lanes} lanes, findings in ${out}`,
  );
  const stats: Stats = {
    modules: 0,
    binaryen: 0,
    own: 0,
    rounds: 0,
    steps: 0,
    stepsBinaryen: 0,
    stepsOwn: 0,
    modulesGc: 0,
    stepsGc: 0,
    stopped: {},
    nanOnly: 0,
    known: {},
    divergences: [],
    errors: [],
  };
  const started = Date.now();
  const deadline = started + args.seconds * 1000;
  const gen = { simd: args.simd, gc: args.gc };
  const makeModule = async (k: number): Promise<{ k: number; wasm?: Uint8Array; source: string; error?: string }> => {
    const rng = new Rng(Rng.derive(args.seed, k));
    if (rng.chance(args.ownRatio)) return { k, wasm: ownModule(rng, gen), source: "own" };
    try {
      return {
        k,
        wasm: await binaryenFuzzModule(rng.bytes(500 + rng.int(rng.chance(0.2) ? 60_000 : 12_000)), gen),
        source: "binaryen",
      };
    } catch (e) {
      return { k, source: "binaryen", error: String(e) };
    }
  };
  let nextK = 0;
  let lastProgress = Date.now();
  const progress = () => {
    if (args.quiet || Date.now() - lastProgress < 30_000) return;
    lastProgress = Date.now();
    const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
    const rate = (stats.steps / ((Date.now() - started) / 1000)).toFixed(0);
    log(
      `  … ${stats.modules} modules, ${stats.steps} executions (${rate}/s)` +
        `${args.gc ? `, ${stats.stepsGc} on GC-using modules` : ""}, ${stats.divergences.length} divergences, ` +
        `rss ${rss} MiB`,
    );
  };

  const handleDivergence = async (
    runner: Runner,
    k: number,
    cur: { wasm?: Uint8Array; source: string },
    round: Round,
    cmp: RoundsComparison,
  ): Promise<void> => {
    const wasm = cur.wasm!;
    const one = [{ seed: round.seed, mode: round.mode, fuel: round.fuel }];
    // NaN signs and payloads are nondeterministic (the spec lets an operation that returns a NaN pick either sign
    // and, from NaN inputs, any arithmetic NaN); if the divergence goes away without NaNs it is not a bug. Own
    // modules too: f64.min of a NaN, then stored, shows V8's negative default NaN against Kiln's positive one.
    try {
      const again = await runner.run(await denan(wasm, gen), one);
      // Equal past the step that diverged (a later normalised stop, e.g. fuel, does not matter).
      if (!again.cmp.divergence && (again.cmp.stopped.length === 0 || again.cmp.compared > cmp.divergence!.step)) {
        stats.nanOnly++;
        return;
      }
    } catch { /* keep the divergence */ }
    const key = divergenceKey(cmp.divergence!);
    const dir = join(out, `seed-${args.seed}-module-${k}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "module.wasm"), wasm);
    const summary = describe(cmp, runner.names);
    const fuelNote = round.fuel !== undefined ? `, fuel ${round.fuel}` : "";
    log(`DIVERGENCE in module ${k} (${cur.source}, round ${cmp.round}, kiln ${round.mode}${fuelNote}): ${summary}`);
    let reducedSize = wasm.length;
    // A hang costs Kiln's whole time limit per reduction step: save it unreduced.
    const reduce = args.reduce && cmp.divergence!.field !== "hang";
    if (reduce) {
      const reduced = await reduceModule(wasm, async (cand) => {
        const r = await runner.run(cand, one);
        return r.cmp.divergence !== undefined && divergenceKey(r.cmp.divergence) === key;
      }, { budgetMs: 90_000, log: args.quiet ? undefined : log, ...gen });
      writeFileSync(join(dir, "reduced.wasm"), reduced);
      reducedSize = reduced.length;
      const r = await runner.run(reduced, one);
      writeFileSync(join(dir, "reduced.json"), JSON.stringify(r, null, 1));
    }
    writeFileSync(
      join(dir, "report.json"),
      JSON.stringify(
        {
          seed: args.seed,
          module: k,
          round: cmp.round,
          source: cur.source,
          argSeed: round.seed,
          mode: round.mode,
          fuel: round.fuel ?? args.fuel,
          runtime: runtimeName(),
          divergence: cmp.divergence,
          sizes: { original: wasm.length, reduced: reducedSize },
          reproduce: `deno task fuzz${engines ? " --target engines" : ""} --check ${
            join(dir, reduce ? "reduced.wasm" : "module.wasm")
          } --seed ${round.seed} --mode ${round.mode}${engines ? ` --fuel ${round.fuel ?? args.fuel}` : ""}`,
        },
        null,
        1,
      ),
    );
    stats.divergences.push({ dir, key, summary });
  };

  const saveNativeTimeout = (k: number, wasm: Uint8Array, rounds: readonly Round[]) => {
    const dir = join(out, `seed-${args.seed}-module-${k}-native-timeout`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "module.wasm"), wasm);
    writeFileSync(join(dir, "rounds.json"), JSON.stringify(rounds));
    log(`native timeout on a step Kiln finished: module ${k}, saved in ${dir}`);
  };

  const lane = async () => {
    const runner = newRunner();
    try {
      while (Date.now() < deadline && stats.steps < args.executions) {
        const k = nextK++;
        if (k >= args.iterations) break;
        const cur = await makeModule(k);
        if (!cur.wasm) {
          stats.errors.push(`module ${k}: ${cur.error}`);
          continue;
        }
        progress();
        stats.modules++;
        if (cur.source === "own") stats.own++;
        else stats.binaryen++;
        const gc = usesGc(cur.wasm);
        if (gc) stats.modulesGc++;
        const rounds = roundsFor(args, k);
        const { a, cmp } = await runner.run(cur.wasm, rounds);
        stats.steps += cmp.compared;
        if (gc) stats.stepsGc += cmp.compared;
        stats.rounds += cmp.rounds;
        if (cur.source === "own") stats.stepsOwn += cmp.compared;
        else stats.stepsBinaryen += cmp.compared;
        for (const why of cmp.stopped) {
          const head = why.replace(/:.*/s, "");
          stats.stopped[head] = (stats.stopped[head] ?? 0) + 1;
          if (why.startsWith("harness")) stats.errors.push(`module ${k}: ${why}`);
          // Native did not finish, within its time limit, a step Kiln finished within its fuel: a slow native step
          // or a native loop Kiln left (a bug): the module is kept to tell which (`--check` runs one round).
          if (why === "timeout(a) where kiln finished") saveNativeTimeout(k, cur.wasm, rounds);
        }
        const gap = !cmp.divergence ? undefined : engines ? knownGap(cmp.divergence, a) : knownHostGap(cmp.divergence);
        if (gap !== undefined) {
          if (!stats.known[gap]) log(`known gap ${gap} (first in module ${k}): ${describe(cmp, runner.names)}`);
          stats.known[gap] = (stats.known[gap] ?? 0) + 1;
        } else if (cmp.divergence) await handleDivergence(runner, k, cur, rounds[cmp.round!]!, cmp);
      }
    } finally {
      runner.close();
    }
  };
  await Promise.all(Array.from({ length: args.lanes }, lane));
  const seconds = (Date.now() - started) / 1000;
  log(
    `done: ${stats.modules} modules (${stats.binaryen} binaryen, ${stats.own} own), ${stats.rounds} rounds, ` +
      `stopped early: ${JSON.stringify(stats.stopped)}, NaN-only differences: ${stats.nanOnly}, ` +
      `known gaps: ${JSON.stringify(stats.known)}, ` +
      `divergences: ${stats.divergences.length}, generator/harness errors: ${stats.errors.length}, ` +
      `binaryen generation: ${JSON.stringify(genStats)}`,
  );
  log(
    `TOTAL ${args.target}: ${stats.steps} executions (${stats.stepsBinaryen} on binaryen modules, ${stats.stepsOwn} on own` +
      `${args.gc ? `; ${stats.stepsGc} on GC-using modules` : ""}) ` +
      `in ${seconds.toFixed(0)} s = ${(stats.steps / seconds).toFixed(0)}/s; ${stats.modules} modules ` +
      `(${stats.binaryen} binaryen, ${stats.own} own${args.gc ? `; ${stats.modulesGc} GC-using` : ""}); ` +
      `${runtimeName()}; seed ${args.seed}; ${stats.divergences.length} divergences` +
      (engines || args.gc ? `; ${Object.values(stats.known).reduce((x, y) => x + y, 0)} known gaps` : ""),
  );
  const unsupported = stats.stopped["unsupported"] ?? 0;
  if (unsupported > 0) {
    log(
      `  ${unsupported} of ${stats.rounds} rounds stopped at instantiation: Kiln reported an unsupported feature ` +
        `(${args.simd ? "SIMD not implemented yet?" : "a proposal binaryen emitted"}); they count as no execution`,
    );
  }
  for (const e of stats.errors.slice(0, 10)) log(`  error: ${e}`);
  for (const d of stats.divergences) log(`  ${d.key}: ${d.dir}`);
  return stats.divergences.length > 0 ? 1 : 0;
}

async function corpusFor(target: TargetName, rng: Rng): Promise<Uint8Array[]> {
  const corpus: Uint8Array[] = [];
  if (target === "parser") {
    const spec = new URL("../../shared/spec-testsuite/", import.meta.url);
    try {
      const { readdirSync } = await import("node:fs");
      for (const f of readdirSync(spec).filter((n) => n.endsWith(".wast")).sort()) {
        for (const m of extractModules(readFileSync(new URL(f, spec), "utf8"), 20)) {
          corpus.push(new TextEncoder().encode(m));
        }
      }
    } catch { /* no spec suite: own texts only */ }
    for (let i = 0; i < 20; i++) corpus.push(new TextEncoder().encode(ownText(rng)));
    return corpus;
  }
  for (let i = 0; i < 12; i++) corpus.push(ownModule(rng));
  for (let i = 0; i < 6; i++) {
    try {
      corpus.push(await binaryenFuzzModule(rng.bytes(300 + rng.int(4000))));
    } catch { /* generator failure: fewer seeds */ }
  }
  return corpus;
}

/** Inputs per batch of the mutation fuzzers (about half a second of work). */
const BATCH = 1_000;
/** The time bound of one mutated input. */
const INPUT_LIMIT_MS = 10_000;

async function targetMain(args: FuzzArgs, log: (s: string) => void): Promise<number> {
  let target: TargetName = args.target as TargetName;
  if (target === "decoder" && (args.nativeOnly || !(await loadDecoder()))) target = "native-decoder";
  if (target === "parser" && !(await loadParser())) {
    log("parseWat is not available yet (mod.ts or lib/text): nothing to fuzz");
    return 2;
  }
  const corpus = await corpusFor(target, new Rng(args.seed));
  const out = args.out ?? mkdtempSync(join(tmpdir(), `kiln-fuzz-${target}-`));
  mkdirSync(out, { recursive: true });
  log(
    `${target} fuzzing: seed ${args.seed}, ${args.seconds} s, ${corpus.length} seed inputs, ${runtimeName()}, ` +
      `findings in ${out}`,
  );
  // Mutants that still validate are odd but legal code: a sample of them runs on both engines too.
  const kiln = target === "decoder" ? await loadKiln() : undefined;
  const diff = kiln ? new DiffRunner("kiln", args.fuel) : undefined;
  const findings: string[] = [];
  let diffSteps = 0;
  let diffRuns = 0;
  const started = Date.now();
  let lastLog = Date.now();
  const save = (k: number, input: Uint8Array, outcome: string) => {
    const name = `${target}-${args.seed}-${k}.${target === "parser" ? "wat" : "wasm"}`;
    writeFileSync(join(out, name), input);
    writeFileSync(join(out, `${name}.txt`), outcome);
    if (findings.length < 20) log(`FINDING ${name}: ${outcome.split("\n")[0]}`);
    findings.push(name);
  };
  let result;
  try {
    result = await runMutationCampaign({
      target,
      corpus,
      seed: args.seed,
      deadline: started + args.seconds * 1000,
      iterations: args.iterations,
      limitMs: INPUT_LIMIT_MS,
      batch: BATCH,
      keepValid: diff ? 2 : 0,
      onFinding: save,
      onValid: async (k, input) => {
        const rounds = [{ seed: k, mode: MODES[k % 3]! }];
        const { cmp } = await diff!.run(input, rounds);
        diffRuns++;
        diffSteps += cmp.compared;
        if (cmp.divergence) {
          const name = `${target}-${args.seed}-${k}-divergence.wasm`;
          writeFileSync(join(out, name), input);
          writeFileSync(
            join(out, `${name}.txt`),
            `bad:divergence (kiln ${rounds[0]!.mode}, --seed ${k}): ${describe(cmp)}`,
          );
          log(`DIVERGENCE ${name}: ${describe(cmp)}`);
          findings.push(name);
        }
      },
      onProgress: (total) => {
        if (args.quiet || Date.now() - lastLog < 30_000) return;
        lastLog = Date.now();
        const rate = (total / ((Date.now() - started) / 1000)).toFixed(0);
        log(`  … ${total} inputs (${rate}/s), ${findings.length} findings`);
      },
    });
  } finally {
    diff?.close();
  }
  const { counts, total } = result;
  if (diffRuns) counts["ran differentially"] = diffRuns;
  const seconds = (Date.now() - started) / 1000;
  log(`done: ${JSON.stringify(counts)}; findings: ${findings.length}`);
  const hangs = counts["bad:hang"] ?? 0;
  const bad = Object.entries(counts).filter(([h]) => h.startsWith("bad:")).reduce((n, [, c]) => n + c, 0);
  log(
    `TOTAL ${target}: ${total} mutated inputs in ${seconds.toFixed(0)} s = ${(total / seconds).toFixed(0)}/s; ` +
      `${bad} non-Kiln exceptions or crashes (${hangs} hangs); ${findings.length} findings; ` +
      `${diffRuns} valid mutants run differentially (${diffSteps} executions); ` +
      `${runtimeName()}; seed ${args.seed}`,
  );
  return findings.some((f) => readFileSync(join(out, `${f}.txt`), "utf8").startsWith("bad:")) ? 1 : 0;
}

async function checkMain(args: FuzzArgs, log: (s: string) => void): Promise<number> {
  const engines = args.target === "engines";
  const kiln = args.nativeOnly && !engines ? undefined : await loadKiln();
  const runner: Runner = engines ? new EnginesRunner(args.fuel) : new DiffRunner(kiln ? "kiln" : "native", args.fuel);
  try {
    const wasm = new Uint8Array(readFileSync(args.check!));
    const { a, b, cmp } = await runner.run(wasm, [{ seed: args.seed, mode: args.mode }]);
    const names = engines || kiln ? runner.names : ["native", "native#2"] as const;
    for (const [name, r] of [[names[0], a], [names[1], b]] as const) {
      log(`== ${name}${r.timedOut ? " (timed out)" : ""}${r.error ? ` (error: ${r.error})` : ""}`);
      for (const s of r.steps) log(`  ${s.label} -> ${s.outcome}${s.logs.length ? ` logs=[${s.logs.join(" ")}]` : ""}`);
    }
    log(
      cmp.divergence
        ? `DIVERGENCE: ${describe(cmp, names)}`
        : `equal (${cmp.compared} steps${cmp.stopped.length ? `, stopped: ${cmp.stopped.join(", ")}` : ""})`,
    );
    return cmp.divergence ? 1 : 0;
  } finally {
    runner.close();
  }
}

/** Runs the fuzzer CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: FuzzArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof FuzzUsageError)) throw e;
    console.error(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (s: string) => console.log(s);
  if (args.check) return await checkMain(args, log);
  if (args.soak !== undefined) {
    const r = await runSoak({ instances: args.soak, log });
    return r.ok ? 0 : 1;
  }
  try {
    return args.target === "diff" || args.target === "engines"
      ? await diffMain(args, log)
      : await targetMain(args, log);
  } finally {
    removeScratch();
  }
}

function argvHasSoak(): boolean {
  return ((globalThis as unknown as { Deno?: { args: string[] } }).Deno?.args ?? process.argv).includes("--soak");
}

if (import.meta.main) {
  main((globalThis as unknown as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2)).then(
    // Soak runs end by themselves: a leaked timer would keep the process alive, and that must be visible.
    (code) => (argvHasSoak() ? (process.exitCode = code) : process.exit(code)),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(2);
    },
  );
}
