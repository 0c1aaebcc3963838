import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A project whose node_modules/kiln holds what `files` in package.json ships, with dist/ from the build. */
function installedPackage(): string {
  const dist = buildDist();
  const project = mkdtempSync(join(tmpdir(), "kiln-pkg-"));
  const pkg = join(project, "node_modules/kiln");
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  for (const entry of manifest.files as string[]) {
    const from = entry === "dist/" ? dist : join(ROOT, entry);
    if (existsSync(from)) cpSync(from, join(pkg, entry), { recursive: true });
  }
  cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
  return project;
}

const PACKAGE_SCRIPT = `
import { instantiate, parseWat } from "kiln";
import { MemoryFs, runWasi } from "kiln/wasi";
import { readFileSync } from "node:fs";
const { instance } = await instantiate(parseWat('(module (import "env" "f" (func $f (result i32)))' +
  ' (func (export "g") (result i32) (i32.add (call $f) (i32.const 1))))'), { env: { f: async () => 41 } });
let out = "";
const code = await runWasi(readFileSync(process.argv[2]), {
  fs: new MemoryFs(), stdin: "null", stdout: (d) => void (out += new TextDecoder().decode(d)),
});
console.log(await instance.exports.g(), code, JSON.stringify(out));
`;

test("package.json exports resolve under Node (dist/) and Bun (.ts source) in an installed package", {
  skip: skip ?? false,
  timeout: 120_000,
}, () => {
  const project = installedPackage();
  try {
    const script = join(project, "main.mjs");
    writeFileSync(script, PACKAGE_SCRIPT);
    const hello = join(ROOT, "testdata/hello.wasm");
    const runners: [string, string[]][] = [["node", [script, hello]]];
    const bun = join(ROOT, "node_modules/.bin/bun");
    if (existsSync(bun)) runners.push([bun, [script, hello]]);
    for (const [command, args] of runners) {
      const r = spawnSync(command, args, { cwd: project, encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 0, `${command}: ${r.stdout}\n${r.stderr}`);
      assert.equal(r.stdout, '42 0 "Hello, world!\\n"\n', command);
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
