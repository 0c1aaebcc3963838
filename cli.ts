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

import { runCli } from "./lib/cli/main.ts";

export { runCli };

if (import.meta.main) await runCli();
