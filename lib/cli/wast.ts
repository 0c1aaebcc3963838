/**
 * `kiln wast FILE…`: runs WebAssembly spec scripts through the wast runner (`lib/wast/`) against Kiln. Like
 * `wasmtime wast`, a script with a failing command is an error (status 1) reported in Wasmtime's shape; Kiln also
 * prints one summary line per script, and lists commands that need an unsupported proposal without failing.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { printable } from "../_printable.ts";
import type { RunOptions } from "./args.ts";
import type { RunIo } from "./run.ts";
import { describeOsError, formatChain } from "./report.ts";
import { kilnEngine } from "../wast/kiln_engine.ts";
import { runWast, type ScriptResult } from "../wast/runner.ts";

/**
 * Runs each script and reports failures on stderr.
 *
 * @param files Paths of `.wast` files.
 * @param opts `-W fuel=N` selects the runner's metered configuration (fuel on, frequent yields).
 * @param io Output sinks.
 * @returns 0 when no command of any script failed, 1 otherwise.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { runWastFiles } from "./wast.ts";
 * const cmd = parseArgs(["wast", "script.wast"]);
 * if (cmd.kind === "wast") await runWastFiles(cmd.files, cmd.options, { stdout: console.log, stderr: console.error });
 * ```
 */
export async function runWastFiles(files: string[], opts: RunOptions, io: RunIo): Promise<number> {
  let status = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      io.stderr(formatChain(`failed to read script file '${file}'`, [describeOsError(e)]));
      status = 1;
      continue;
    }
    let result: ScriptResult;
    try {
      result = await runWast(text, kilnEngine(opts.fuel !== undefined ? "fuel" : "plain"));
    } catch (e) {
      io.stderr(formatChain(`failed to run script file '${file}'`, [e instanceof Error ? e.message : String(e)]));
      status = 1;
      continue;
    }
    const failures = result.results.filter((r) => r.status === "fail");
    if (failures.length > 0) {
      status = 1;
      io.stderr(formatChain(
        `failed to run script file '${file}'`,
        failures.map((f) => `failed directive on ${file}:${f.line}: ${f.command}${f.detail ? `: ${f.detail}` : ""}`),
      ));
    }
    io.stdout(
      `${printable(file)}: ${result.passed} passed, ${result.failed} failed, ${result.unsupported} unsupported\n`,
    );
  }
  return status;
}
