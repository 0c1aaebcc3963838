import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDist, buildSkipReason, ROOT } from "./_build.ts";

const nodeVersion = spawnSync("node", ["--version"], { encoding: "utf8" });
const skip = buildSkipReason() ?? (nodeVersion.status === 0 ? null : "node is not on PATH");

test("dist/ build runs under Node: async import, fuel, WASI hello and files on MemoryFs, NodeFs", {
  skip: skip ?? false,
  timeout: 120_000,
}, () => {
  const dist = buildDist();
  const r = spawnSync("node", [join(ROOT, "tests/platform/fixtures/node_smoke.mjs"), dist, ROOT], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `node smoke script failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok async host import: run\(4\) = 50$/m);
  assert.match(r.stdout, /^ok fuel trap: all fuel consumed by WebAssembly$/m);
  assert.match(r.stdout, /^ok WASI hello with MemoryFs: "Hello, world!\\n"$/m);
  assert.match(r.stdout, /^ok WASI file_io with MemoryFs/m);
  assert.match(r.stdout, /^ok WASI hello with NodeFs$/m);
  assert.match(r.stdout, /^all checks passed$/m);
});

test("dist/ build is small ESM without a node: import in the browser flavour", { skip: skip ?? false }, async () => {
  const dist = buildDist();
  const { readdirSync, statSync } = await import("node:fs");
  const browserJs = readdirSync(join(dist, "browser")).filter((f) => f.endsWith(".js"));
  assert.ok(browserJs.includes("mod.js") && browserJs.includes("wasi.js"), `browser files: ${browserJs}`);
  let total = 0;
  for (const f of browserJs) {
    const text = readFileSync(join(dist, "browser", f), "utf8");
    assert.doesNotMatch(text, /from\s*"node:|import\("node:/, `${f} imports a node: module`);
    total += statSync(join(dist, "browser", f)).size;
  }
  assert.ok(total < 400_000, `browser bundle is ${total} bytes`);
});

test("dist/ CLI: an ordinary run loads cli.js and one chunk, with the native engine and without the interpreter", {
  skip: skip ?? false,
}, () => {
  const dist = buildDist();
  // The files an ordinary run loads: cli.js and what it imports statically (`from"./_cli-…"`), transitively.
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    const text = readFileSync(join(dist, file), "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*"\.\/(_cli-[\w-]+\.js)"/g)) visit(m[1]!);
  };
  visit("cli.js");
  const sources = [...loaded].flatMap((f) =>
    (JSON.parse(readFileSync(join(dist, f + ".map"), "utf8")) as { sources: string[] }).sources
  );
  assert.equal(loaded.size, 2, `files: ${[...loaded]}`);
  assert.ok(sources.some((s) => s.endsWith("native/engine.ts")), "the native engine (the default) is loaded");
  assert.ok(!sources.some((s) => s.endsWith("exec/machine.ts")), "the interpreter is not");
  assert.ok(!sources.some((s) => s.endsWith("wast/runner.ts")), "nor the spec-test runner");
});

// Node 22.1+ has a compile cache of its own (module.enableCompileCache), which bin/kiln.mjs turns on instead.
const nodeMajorMinor = /^v(\d+)\.(\d+)/.exec(nodeVersion.stdout ?? "");
const ownCompileCache = nodeMajorMinor !== null &&
  Number(nodeMajorMinor[1]) * 100 + Number(nodeMajorMinor[2]) >= 2201;

test("bin/kiln.mjs on Node before 22.1: dist/cli.cjs with V8's code cache, kept in KILN_CACHE_DIR", {
  skip: skip ?? (ownCompileCache ? "this Node has a compile cache of its own" : false),
  timeout: 120_000,
}, () => {
  // The package's layout, bin/ beside a fresh build of dist/.
  const dir = mkdtempSync(join(tmpdir(), "kiln-code-cache-"));
  try {
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin/kiln.mjs"), readFileSync(join(ROOT, "bin/kiln.mjs")));
    symlinkSync(buildDist(), join(dir, "dist"), "dir");
    const run = (cache: string, env: Record<string, string> = {}) => {
      const r = spawnSync("node", [join(dir, "bin/kiln.mjs"), join(ROOT, "testdata/hello.wasm")], {
        encoding: "utf8",
        env: { ...process.env, KILN_CACHE_DIR: cache, NODE_DISABLE_COMPILE_CACHE: "", ...env },
      });
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, "Hello, world!\n", ""]);
    };
    const cache = join(dir, "cache");
    const files = () => {
      try {
        return readdirSync(join(cache, "js"));
      } catch {
        return [];
      }
    };
    run(cache);
    assert.equal(files().length, 1, "the first run writes the cache");
    const file = join(cache, "js", files()[0]!);
    assert.match(files()[0]!, /^cli-[0-9a-f]{32}-v[\d.]+-\w+\.v8$/);
    // Written files are renamed into place: a new inode each time.
    const written = statSync(file).ino;
    run(cache);
    assert.equal(statSync(file).ino, written, "a run that V8 took the cache from leaves it as it is");
    // A damaged cache (V8 refuses it): the run is as good, and the file is replaced by one V8 takes.
    writeFileSync(file, "not a code cache");
    run(cache);
    assert.ok(statSync(file).size > 1000, "the damaged cache is replaced");
    const replaced = statSync(file).ino;
    run(cache);
    assert.equal(statSync(file).ino, replaced, "and V8 takes the new one");
    // Off as on Node 22, and a directory that cannot be made: the run is as good, nothing is written.
    rmSync(cache, { recursive: true });
    run(cache, { NODE_DISABLE_COMPILE_CACHE: "1" });
    assert.deepEqual(files(), []);
    writeFileSync(join(dir, "a-file"), "");
    run(join(dir, "a-file", "cache"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
