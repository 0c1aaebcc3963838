// tools/wasi.ts command line: --help prints the usage (it was once taken as a test filter), bad options exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const TOOL = fileURLToPath(new URL("../../tools/wasi.ts", import.meta.url));

function runTool(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const argv = isBun ? [TOOL, ...args] : ["run", "-A", "--no-check", TOOL, ...args];
  const r = spawnSync(process.execPath, argv, { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("`tools/wasi.ts --help` and `-h` print the usage and exit 0", () => {
  for (const flag of ["--help", "-h"]) {
    const r = runTool(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: deno run -A tools\/wasi\.ts \[OPTIONS\] \[FILTER\]$/m);
    assert.match(r.stdout, /--engine <ENGINE>/);
    assert.doesNotMatch(r.stdout, /no test matches/);
  }
});

test("`tools/wasi.ts` rejects an unknown option, a missing value and an unknown engine with exit 2", () => {
  for (
    const [args, message] of [
      [["--bogus"], /unknown option: --bogus/],
      [["--engine"], /--engine needs a value/],
      [["--engine", "v8"], /unknown engine: v8/],
      [["--fs=disk"], /unknown fs: disk/],
    ] as const
  ) {
    const r = runTool(...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, message);
  }
});
