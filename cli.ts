#!/usr/bin/env -S deno run -A
/**
 * Kiln's command line, in the manner of `wasmtime run`:
 *
 * ```sh
 * deno run -A cli.ts [run] [OPTIONS] <WASM> [ARGS...]   # or: bun cli.ts ...
 * deno run -A cli.ts wast FILE...
 * ```
 *
 * @example Run a WASI program
 * ```sh
 * deno run -A cli.ts --dir .::/work testdata/hello.wasm
 * ```
 *
 * @module
 */

import process from "node:process";
import { main } from "./lib/cli/main.ts";

/**
 * Runs the CLI on `process.argv` and exits with its status, after the CLI's own output has been flushed.
 *
 * @returns Never returns: the process exits.
 */
export async function runCli(): Promise<never> {
  const status = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
  process.exit(status);
}

if (import.meta.main) await runCli();
