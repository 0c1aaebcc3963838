// The project's quality gates, run from the repository root with the npm-installed Deno: formatting, lint, the
// documentation lint of the public entry points, a JSR publish dry run and the type check of the entry points.
// They check the whole tree, so they run once, under Deno only (Bun runs the same files and would repeat them).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";

const underDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const skip: string | false = !underDeno
  ? "runs once, under Deno"
  : existsSync(DENO)
  ? false
  : "node_modules/.bin/deno is missing (run npm ci)";

/**
 * Runs `deno <args>` in the repository root and asserts exit code 0, showing the tool's output otherwise.
 * Returns what it printed (stdout, then stderr).
 */
function gate(args: readonly string[]): string {
  const r = spawnSync(DENO, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `deno ${args.join(" ")} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

test("deno fmt --check passes over the whole tree", { skip, timeout: 120_000 }, () => {
  gate(["fmt", "--check"]);
});

test("deno lint passes over the whole tree", { skip, timeout: 120_000 }, () => {
  gate(["lint"]);
});

test("deno doc --lint mod.ts wasi.ts finds no documentation problems and warns of nothing", {
  skip,
  timeout: 120_000,
}, () => {
  const output = gate(["doc", "--lint", "mod.ts", "wasi.ts"]);
  assert.doesNotMatch(output, /warning|error/i, output);
});

test("deno publish --dry-run --allow-dirty succeeds", { skip, timeout: 180_000 }, () => {
  gate(["publish", "--dry-run", "--allow-dirty"]);
});

test("deno check mod.ts cli.ts wasi.ts passes", { skip, timeout: 180_000 }, () => {
  gate(["check", "mod.ts", "cli.ts", "wasi.ts"]);
});
