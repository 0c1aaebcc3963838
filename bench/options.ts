/**
 * Command-line options of the benchmark harness (`deno task bench [FILTER...] [options]`).
 *
 * @module
 */

/** The parsed command line. */
export interface BenchOptions {
  /** Substrings selecting benchmarks by name; empty means all. */
  readonly filters: string[];
  /** Repetitions per benchmark and configuration; the median is reported. */
  readonly reps: number;
  /** Fuel budget for Kiln, or undefined for fuel off. */
  readonly fuel?: number;
  /** fuelYieldInterval for Kiln (implies fuel), or undefined. */
  readonly yieldInterval?: number;
  /** Print one JSON document instead of tables. */
  readonly json: boolean;
  /** Run only the quick subset (for CI smoke runs). */
  readonly quick: boolean;
  /** Compare Kiln with fuel off and fuel on. */
  readonly compareFuel: boolean;
  /** Compare Kiln with fuel on, without and with a yield interval. */
  readonly compareYield: boolean;
  /** Which engines the main comparison runs. */
  readonly engines: ("native" | "kiln")[];
  /** WASI mode used for Kiln runs (native always uses "sync"). */
  readonly kilnWasiMode: "sync" | "async";
  /** The engine of Kiln's stores (`--kiln-engine`). */
  readonly kilnEngine: "interpreter" | "native";
  /** Per-run Kiln time limit in milliseconds (an AbortSignal; the run traps "interrupt"). */
  readonly timeoutMs?: number;
  /** Whether to measure start-up (decode + validate throughput, hello start-up). */
  readonly startup: boolean;
  /** Whether to run the Sightglass programs. */
  readonly programs: boolean;
  /** Write BENCHMARKS.md: "auto" = only for a full run (no filter, not --quick, not --json). */
  readonly write: "auto" | "yes" | "no";
  /** Print usage and exit. */
  readonly help: boolean;
}

/** The fuel budget `--fuel` uses when given no number: large enough never to run out in these programs. */
export const DEFAULT_FUEL = 1e15;

/** The yield interval `--compare-yield` uses when `--yield` is not given. */
export const DEFAULT_YIELD_INTERVAL = 10_000;

/** Usage text for `--help`. */
export const USAGE = `Usage: deno task bench [FILTER...] [options]     (or: bun bench/run.ts ...)

Runs the Sightglass programs in ../shared/benchmarks/sightglass on the host's native WebAssembly and on Kiln (same
WASI layer, folder preopened as ".", empty stdin, output checked) and prints native ms, Kiln ms, the ratio and Kiln's
compile+instantiate ms per benchmark, then the geometric mean of the ratios; then start-up measurements.

  FILTER               run benchmarks whose name contains FILTER (several allowed)
  --reps N             repetitions per benchmark; the median is reported (default 1)
  --fuel[=N]           Kiln runs with fuel metering on (default budget ${DEFAULT_FUEL})
  --yield N            Kiln runs with fuelYieldInterval N (implies --fuel)
  --compare-fuel       Kiln with fuel off vs on: overhead per benchmark and geomean
  --compare-yield      Kiln with fuel on, without vs with --yield N (default ${DEFAULT_YIELD_INTERVAL})
  --quick              a subset that finishes in under 3 minutes (CI smoke)
  --json               print one JSON document instead of tables
  --engine E           native | kiln | both (default both)
  --kiln-wasi MODE     WASI mode for Kiln: sync (default) or async
  --kiln-engine E      Kiln's engine: interpreter (default) or native (the host's WebAssembly, instrumented)
  --timeout S          abort a Kiln run after S seconds (it then counts as failed)
  --no-startup         skip the start-up measurements
  --startup-only       only the start-up measurements
  --write / --no-write force / suppress writing BENCHMARKS.md (default: written only by a full, unfiltered run)
  --help               this text`;

function positiveNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value === "" || !Number.isFinite(n) || n <= 0) {
    throw new Error(`Invalid value for ${flag}: expected a positive number, got ${JSON.stringify(value ?? "")}`);
  }
  return n;
}

/**
 * Parses the harness's command line.
 *
 * @param argv arguments after the script name
 * @returns the options
 * @throws Error on an unknown flag or a bad value
 * @example
 * ```ts
 * import { parseBenchArgs } from "./options.ts";
 * const o = parseBenchArgs(["shootout", "--reps", "3", "--fuel"]);
 * console.log(o.filters, o.reps, o.fuel); // [ "shootout" ] 3 1000000000000000
 * ```
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const filters: string[] = [];
  let reps = 1;
  let fuel: number | undefined;
  let yieldInterval: number | undefined;
  let json = false;
  let quick = false;
  let compareFuel = false;
  let compareYield = false;
  let engines: ("native" | "kiln")[] = ["native", "kiln"];
  let kilnWasiMode: "sync" | "async" = "sync";
  let kilnEngine: "interpreter" | "native" = "interpreter";
  let timeoutMs: number | undefined;
  let startup = true;
  let programs = true;
  let write: "auto" | "yes" | "no" = "auto";
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--reps":
        reps = positiveNumber(flag, value());
        if (!Number.isInteger(reps)) throw new Error(`Invalid value for --reps: expected an integer, got ${reps}`);
        break;
      case "--fuel":
        fuel = inline !== undefined ? positiveNumber(flag, inline) : DEFAULT_FUEL;
        break;
      case "--yield":
        yieldInterval = positiveNumber(flag, value());
        break;
      case "--json":
        json = true;
        break;
      case "--quick":
        quick = true;
        break;
      case "--compare-fuel":
        compareFuel = true;
        break;
      case "--compare-yield":
        compareYield = true;
        break;
      case "--kiln-engine": {
        const e = value();
        if (e !== "interpreter" && e !== "native") {
          throw new Error(`Invalid value for --kiln-engine: expected interpreter or native, got ${JSON.stringify(e)}`);
        }
        kilnEngine = e;
        break;
      }
      case "--engine": {
        const e = value();
        if (e === "both") engines = ["native", "kiln"];
        else if (e === "native" || e === "kiln") engines = [e];
        else throw new Error(`Invalid value for --engine: expected native, kiln or both, got ${JSON.stringify(e)}`);
        break;
      }
      case "--kiln-wasi": {
        const m = value();
        if (m !== "sync" && m !== "async") {
          throw new Error(`Invalid value for --kiln-wasi: expected sync or async, got ${JSON.stringify(m)}`);
        }
        kilnWasiMode = m;
        break;
      }
      case "--timeout":
        timeoutMs = positiveNumber(flag, value()) * 1000;
        break;
      case "--no-startup":
        startup = false;
        break;
      case "--startup-only":
        programs = false;
        break;
      case "--write":
        write = "yes";
        break;
      case "--no-write":
        write = "no";
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        if (arg.startsWith("-")) throw new Error(`Unknown option: ${arg}`);
        filters.push(arg);
    }
  }
  if (yieldInterval !== undefined && fuel === undefined && !compareYield) fuel = DEFAULT_FUEL;
  return {
    filters,
    reps,
    fuel,
    yieldInterval,
    json,
    quick,
    compareFuel,
    compareYield,
    engines,
    kilnWasiMode,
    kilnEngine,
    timeoutMs,
    startup,
    programs,
    write,
    help,
  };
}
