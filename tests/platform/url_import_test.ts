import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";
import { serveStatic } from "../../examples/browser/serve.ts";

const skip = !("Deno" in globalThis)
  ? "URL imports are a Deno feature (Bun cannot import modules from http: URLs)"
  : !existsSync(DENO)
  ? "node_modules/.bin/deno is missing (run npm ci)"
  : null;

/** Runs `deno run` on a URL with a fresh DENO_DIR (so nothing comes from a cache) and collects its output. */
function denoRun(args: string[], denoDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Why a temporary cwd: the repository's deno.json and node_modules must not make the remote import work.
    const child = spawn(DENO, ["run", "-A", "--reload", "--no-config", ...args], {
      cwd: denoDir,
      env: { ...process.env, DENO_DIR: join(denoDir, "cache"), NO_COLOR: "1" },
    });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => stdout += d);
    child.stderr.on("data", (d) => stderr += d);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("the CLI runs from an http: URL: deno run http://127.0.0.1:PORT/cli.ts testdata/hello.wasm", {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const server = await serveStatic(ROOT);
  const dir = mkdtempSync(join(tmpdir(), "kiln-url-"));
  try {
    const r = await denoRun([`${server.url}cli.ts`, join(ROOT, "testdata/hello.wasm")], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Hello, world!\n");
    assert.match(r.stderr, new RegExp(`Download ${server.url}lib/`), "the modules came from the server");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("mod.ts and wasi.ts import from an http: URL and run a module with an async import", {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const server = await serveStatic(ROOT);
  const dir = mkdtempSync(join(tmpdir(), "kiln-url-"));
  try {
    const script = join(dir, "main.ts");
    writeFileSync(
      script,
      `import { instantiate, parseWat } from "${server.url}mod.ts";
import { MemoryFs, runWasi } from "${server.url}wasi.ts";
const { instance } = await instantiate(parseWat(\`(module
  (import "env" "later" (func $later (param i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (i32.mul (call $later (local.get 0)) (i32.const 2))))\`), {
  env: { later: (x: number) => new Promise((r) => setTimeout(() => r(x + 1), 1)) },
});
console.log("twice", await (instance.exports.twice as (x: number) => Promise<number>)(20));
let out = "";
const code = await runWasi(await Deno.readFile(${JSON.stringify(join(ROOT, "testdata/hello.wasm"))}), {
  fs: new MemoryFs(), stdin: "null", stdout: (d) => void (out += new TextDecoder().decode(d)),
});
console.log("wasi", code, JSON.stringify(out));
`,
    );
    const r = await denoRun([script], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'twice 42\nwasi 0 "Hello, world!\\n"\n');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
