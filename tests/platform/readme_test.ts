// Runs every ```ts block of README.md as a script (imports of ./mod.ts and ./wasi.ts pointed at the repository),
// from the repository root, and checks that each `console.log(...); // EXPECTED` prints EXPECTED, in order.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";
import { ROOT } from "./_build.ts";

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
