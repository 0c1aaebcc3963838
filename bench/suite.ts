/**
 * Finds the Sightglass benchmark programs in the shared data folder (`../shared` beside the repository root) and
 * describes each: its `.wasm`, its folder (preopened as `.` when it runs) and its expected stdout/stderr.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One Sightglass program. */
export interface BenchmarkProgram {
  /** Display name: the folder name for `benchmark.wasm`, else the file stem (`shootout-fib2`). */
  readonly name: string;
  /** Absolute path of the `.wasm` file. */
  readonly wasmPath: string;
  /** Absolute path of its folder, preopened as `.` and used as the working directory. */
  readonly dir: string;
  /** Expected stdout, or undefined when the suite provides no `<stem>.stdout.expected`. */
  readonly expectedStdout?: string;
  /** Expected stderr, or undefined when the suite provides no `<stem>.stderr.expected`. */
  readonly expectedStderr?: string;
}

/** The repository root (the parent of `bench/`). */
export const REPO_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The shared read-only data folder, `../shared` relative to the repository root. */
export const SHARED_DIR: string = resolve(REPO_ROOT, "..", "shared");

/** The Sightglass benchmarks folder inside {@link SHARED_DIR}. */
export const SIGHTGLASS_DIR: string = join(SHARED_DIR, "benchmarks", "sightglass");

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/**
 * Lists the benchmark programs under a Sightglass folder: every `.wasm` file one level down, sorted by name.
 *
 * @param root the folder holding one sub-folder per benchmark (defaults to {@link SIGHTGLASS_DIR})
 * @returns the programs, with their expected outputs read
 * @throws Error when `root` does not exist
 * @example Listing the suite
 * ```ts
 * import { listBenchmarks } from "./suite.ts";
 * for (const b of listBenchmarks()) console.log(b.name);
 * ```
 */
export function listBenchmarks(root: string = SIGHTGLASS_DIR): BenchmarkProgram[] {
  if (!existsSync(root)) throw new Error(`Benchmark folder not found: ${root}`);
  const out: BenchmarkProgram[] = [];
  for (const entry of readdirSync(root).sort()) {
    const dir = join(root, entry);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".wasm")) continue;
      const stem = file.slice(0, -".wasm".length);
      out.push({
        name: stem === "benchmark" ? entry : stem,
        wasmPath: join(dir, file),
        dir,
        expectedStdout: readIfExists(join(dir, `${stem}.stdout.expected`)),
        expectedStderr: readIfExists(join(dir, `${stem}.stderr.expected`)),
      });
    }
  }
  return out;
}

/**
 * Keeps the programs whose name contains any of the filters (case-insensitive); all of them when there is none.
 *
 * @param programs the full list
 * @param filters substrings to look for
 * @returns the matching programs, in their original order
 * @example
 * ```ts
 * import { filterBenchmarks, listBenchmarks } from "./suite.ts";
 * console.log(filterBenchmarks(listBenchmarks(), ["shootout"]).length);
 * ```
 */
export function filterBenchmarks(
  programs: readonly BenchmarkProgram[],
  filters: readonly string[],
): BenchmarkProgram[] {
  if (filters.length === 0) return [...programs];
  const lower = filters.map((f) => f.toLowerCase());
  return programs.filter((p) => lower.some((f) => p.name.toLowerCase().includes(f)));
}
