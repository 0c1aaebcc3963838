// The command-line tools print their usage for --help/-h (exit 0) and reject an unknown option with the usage
// (exit 2): `deno task fuzz --help` once printed nothing (issue 13, item 11). tools/wasi.ts has its own test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

function runTool(tool: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const path = fileURLToPath(new URL(`../../tools/${tool}`, import.meta.url));
  const argv = isBun ? [path, ...args] : ["run", "-A", "--no-check", path, ...args];
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TOOLS = [
  { tool: "fuzz.ts", options: ["--target", "--seconds", "--seed", "--soak", "--check", "--mode", "--lanes", "--simd"] },
  { tool: "spec.ts", options: ["--config", "--all", "--engine", "--verbose"] },
];

for (const { tool, options } of TOOLS) {
  test(`\`tools/${tool} --help\` and \`-h\` print a usage that lists every option, exit 0`, () => {
    for (const flag of ["--help", "-h"]) {
      const r = runTool(tool, flag);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Usage: /m);
      for (const option of options) assert.ok(r.stdout.includes(option), `${option} missing from:\n${r.stdout}`);
    }
  });

  test(`\`tools/${tool}\` rejects an unknown option with the usage, exit 2`, () => {
    const r = runTool(tool, "--bogus");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown option:? --bogus/);
    assert.match(r.stderr, /^Usage: /m);
  });
}
