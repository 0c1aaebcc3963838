/**
 * The spec-testsuite plumbing shared by `tools/spec.ts` and `tests/spec/spec_test.ts`: where the suite is, which
 * `.wast` files it has, and running one file against an engine in one configuration (with the known-failure
 * list applied).
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";
import type { WastEngine } from "../lib/wast/engine.ts";
import { type CommandResult, runWast } from "../lib/wast/runner.ts";
import { nativeEngine } from "../lib/wast/native_engine.ts";
import { knownFailure } from "../tests/spec/known_failures.ts";

/** An engine and configuration of a spec run. */
export type EngineName = "kiln" | "native";
/**
 * A configuration: `plain`, `fuel` (metering with a small yield interval) or `async` (Promise-returning imports) on
 * the interpreter; `native` and `native-fuel` (plain and fuel on Kiln's native engine).
 */
export type ConfigName = "plain" | "fuel" | "async" | "native" | "native-fuel";

/** Every configuration's name. */
export const CONFIG_NAMES: readonly ConfigName[] = ["plain", "fuel", "async", "native", "native-fuel"];

/** The repository root. */
export const REPO_ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** `../shared/spec-testsuite` beside the repository, or `null` when absent. */
export function specRoot(): string | null {
  const dir = join(REPO_ROOT, "..", "shared", "spec-testsuite");
  return existsSync(dir) ? dir : null;
}

/** Every `.wast` file of the suite (top level, `legacy/`, `custom/`, `proposals/**`), relative and sorted. */
export function listWastFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, recurse: boolean) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (recurse) walk(path, true);
      } else if (name.endsWith(".wast")) out.push(relative(root, path).replaceAll("\\", "/"));
    }
  };
  walk(root, false);
  for (const sub of ["legacy", "custom", "proposals"]) if (existsSync(join(root, sub))) walk(join(root, sub), true);
  return out;
}

/** The outcome of one file in one configuration. */
export interface FileResult {
  readonly file: string;
  readonly passed: number;
  readonly failed: number;
  /** Failures on the known-failure list (not counted in `failed`). */
  readonly known: number;
  readonly unsupported: number;
  readonly features: Record<string, number>;
  /** The unexpected failures. */
  readonly failures: CommandResult[];
  readonly ms: number;
  /** Set when the script itself could not be parsed or the runner crashed. */
  readonly error?: string;
}

async function makeEngine(engine: EngineName, config: ConfigName): Promise<WastEngine> {
  if (engine === "native") return nativeEngine();
  // Why: loaded lazily so that the native run works even while the engine is being changed.
  const { kilnEngine } = await import("../lib/wast/kiln_engine.ts");
  return kilnEngine(config);
}

/** Runs one `.wast` file (path relative to `root`). */
export async function runSpecFile(
  root: string,
  file: string,
  engine: EngineName,
  config: ConfigName,
): Promise<FileResult> {
  const start = performance.now();
  const text = readFileSync(join(root, file), "utf8");
  try {
    const r = await runWast(text, await makeEngine(engine, config), { asyncImports: config === "async" });
    const failures: CommandResult[] = [];
    let known = 0;
    for (const c of r.results) {
      if (c.status !== "fail") continue;
      if (knownFailure(file, c.line, engine)) known++;
      else failures.push(c);
    }
    return {
      file,
      passed: r.passed,
      failed: failures.length,
      known,
      unsupported: r.unsupported,
      features: r.features,
      failures,
      ms: performance.now() - start,
    };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return {
      file,
      passed: 0,
      failed: 1,
      known: 0,
      unsupported: 0,
      features: {},
      failures: [{ line: 0, command: "script", status: "fail", detail: error }],
      ms: performance.now() - start,
      error,
    };
  }
}
