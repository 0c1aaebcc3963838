// Runs every ```ts block of README.md as a script (imports of ./mod.ts and ./wasi.ts pointed at the repository),
// from the repository root, and checks that each `console.log(...); // EXPECTED` prints EXPECTED, in order. Runs the
// README's shell commands of the CLI (`node_modules/.bin/deno run -A cli.ts …`) as written, and checks the output and
// exit status their comments state.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const heading = (code: string) => {
  const before = readme.slice(0, readme.indexOf(code));
  return [...before.matchAll(/^#+ (.*)$/gm)].at(-1)?.[1] ?? "top";
};

/** The command that runs a TypeScript file in the runtime running this test. */
function runner(file: string): [string, string[]] {
  if ("Deno" in globalThis) return [process.execPath, ["run", "-A", "--no-check", file]];
  return [process.execPath, [file]]; // Bun
}

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, args] = runner(file);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => stdout += d);
    child.stderr.on("data", (d) => stderr += d);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("README.md has TypeScript examples", () => {
  assert.ok(blocks.length >= 5, `found ${blocks.length} ts blocks`);
});

for (const [i, code] of blocks.entries()) {
  test(`README example ${i + 1} (${heading(code)}) runs and prints what its comments say`, {
    timeout: 60_000,
  }, async () => {
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1]);
    assert.ok(expected.length > 0, "the example states its output in a // comment after console.log");
    const dir = mkdtempSync(join(tmpdir(), "kiln-readme-"));
    try {
      const file = join(dir, `example_${i + 1}.ts`);
      const source = code
        .replaceAll('"./mod.ts"', JSON.stringify(pathToFileURL(join(ROOT, "mod.ts")).href))
        .replaceAll('"./wasi.ts"', JSON.stringify(pathToFileURL(join(ROOT, "wasi.ts")).href));
      writeFileSync(file, source);
      const r = await run(file);
      assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      let at = 0;
      for (const line of expected) {
        const found = r.stdout.indexOf(line, at);
        assert.ok(found >= 0, `expected ${JSON.stringify(line)} after offset ${at} in:\n${r.stdout}`);
        at = found + line.length;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * The CLI commands of the README's ```sh blocks, each with what its `#` comment promises: "prints X" (stdout holds
 * X) and "exits with status N" (else 0). A leading `npm ci && ` is left out: the test runs in an installed checkout.
 */
const cliCommands = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
  .flatMap((m) => m[1].split("\n"))
  .map((line) => line.replace(/^npm ci && /, ""))
  .filter((line) => line.startsWith("node_modules/.bin/deno run -A cli.ts "))
  .map((line) => {
    const [command, comment = ""] = line.split(/\s+#\s*/, 2);
    const prints = comment.match(/prints "?([^";]+?)"?(?:;|$)/)?.[1];
    const status = Number(comment.match(/exits with status (\d+)/)?.[1] ?? 0);
    return { command, prints, status };
  });

test("README.md has CLI commands", () => {
  assert.ok(cliCommands.length >= 5, `found ${cliCommands.length} cli.ts commands`);
});

const underDeno = "Deno" in globalThis;
const cliSkip: string | false = !underDeno
  ? "runs once, under Deno (the commands name node_modules/.bin/deno)"
  : existsSync(DENO)
  ? false
  : "node_modules/.bin/deno is missing (run npm ci)";

for (const { command, prints, status } of cliCommands) {
  test(`README command \`${command}\` runs as written`, { skip: cliSkip, timeout: 60_000 }, async () => {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn("sh", ["-c", command], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "", stderr = "";
      child.stdout.on("data", (d) => stdout += d);
      child.stderr.on("data", (d) => stderr += d);
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, status, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    if (prints !== undefined) {
      assert.ok(r.stdout.includes(prints), `expected ${JSON.stringify(prints)} in:\n${r.stdout}`);
    }
  });
}
