/**
 * `kiln wast FILE…`: runs WebAssembly spec scripts through the wast runner in `lib/wast/` and prints one line per
 * file with its counts, exiting 1 if any command failed (like `wasmtime wast`).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import type { RunOptions } from "./args.ts";
import type { RunIo } from "./run.ts";
import { describeOsError, formatChain } from "./report.ts";

// Held in a constant so the CLI loads while the wast runner is being written.
const WAST_PATH = "../wast/mod.ts";

/** The shape of the wast runner's per-script result that the CLI reads. */
interface WastResult {
  passed: number;
  failed: number;
  unsupported?: number;
  failures?: { line?: number; message: string }[];
}

/**
 * Runs each script and reports failures on stderr in Wasmtime's shape.
 *
 * @param files Paths of `.wast` files.
 * @param _opts `-W` options (fuel, stack limits) applied to every module the scripts create.
 * @param io Output sinks.
 * @returns 0 when every command of every script passed, 1 otherwise.
 * @example
 * ```ts
 * import { runWastFiles } from "./wast.ts";
 * const status = await runWastFiles(["test.wast"], { module: "", args: [], dirs: [], env: [], inheritEnv: false,
 *   preloads: [], wasi: true }, { stdout: console.log, stderr: console.error });
 * ```
 */
export async function runWastFiles(files: string[], _opts: RunOptions, io: RunIo): Promise<number> {
  let runner: Record<string, unknown>;
  try {
    runner = await import(WAST_PATH);
  } catch {
    io.stderr(formatChain("the wast runner (lib/wast/) is not available in this build", []));
    return 1;
  }
  const run = (runner.runWastText ?? runner.runWast) as
    | ((text: string, options: { filename: string }) => Promise<WastResult>)
    | undefined;
  if (typeof run !== "function") {
    io.stderr(formatChain("the wast runner (lib/wast/) exports no runWast function", []));
    return 1;
  }
  let status = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      io.stderr(formatChain(`failed to read wast script: ${file}`, [describeOsError(e)]));
      status = 1;
      continue;
    }
    const result = await run(text, { filename: file });
    for (const f of result.failures ?? []) io.stderr(`${file}:${f.line ?? "?"}: ${f.message}\n`);
    io.stdout(`${file}: ${result.passed} passed, ${result.failed} failed, ${result.unsupported ?? 0} unsupported\n`);
    if (result.failed > 0) status = 1;
  }
  return status;
}
