/**
 * The npm package as a user gets it: `npm pack` (whose `prepack` builds `dist/`) on a copy of the repository's
 * package files, `npm install` of the tarball into a fresh project, and from there the library under Node, Deno and
 * Bun, its types under `tsc` and `deno check`, and the `kiln` bin with only one runtime on PATH.
 *
 * Each check runs its runtime as a child process, so the same checks run whichever runner (Deno or Bun) runs this
 * file.
 *
 * @module
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import process from "node:process";
import { gunzipSync } from "node:zlib";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";

const NAME = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).name as string;
const BUN = join(ROOT, "node_modules/.bin/bun");
const TSC = join(ROOT, "node_modules/.bin/tsc");
const HELLO = join(ROOT, "testdata/hello.wasm");
const EXIT_CODE = join(ROOT, "testdata/exit_code.wasm");

/** The first executable called `name` on PATH, with symlinks resolved, or null. */
function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const path = join(dir, name);
    if (dir !== "" && existsSync(path) && statSync(path).isFile()) return realpathSync(path);
  }
  return null;
}

/** The real Node on PATH (Bun can put a `node` of its own there), or null. */
function realNode(): string | null {
  const node = onPath("node");
  if (node === null) return null;
  const r = spawnSync(node, ["-p", "typeof Bun + typeof Deno + ' ' + process.versions.node"], { encoding: "utf8" });
  const m = /^undefinedundefined (\d+)\./.exec(r.stdout ?? "");
  return m && +m[1] >= 20 ? node : null;
}

const NODE = realNode();
const NPM = onPath("npm");
const NPX = onPath("npx");
const SH = onPath("sh");
const ENV = onPath("env");

const skip = !existsSync(DENO) || !existsSync(BUN)
  ? "node_modules/.bin/deno or bun is missing (run npm ci)"
  : !existsSync(TSC)
  ? "node_modules/.bin/tsc is missing (run npm ci)"
  : NODE === null || NPM === null || NPX === null || SH === null || ENV === null
  ? "Node 20+, npm, npx, sh and env must be on PATH"
  : null;

const temp = mkdtempSync(join(tmpdir(), "kiln-tarball-"));
after(() => rmSync(temp, { recursive: true, force: true }));

/**
 * Runs a command with NO_COLOR and no update checks, merging `env` into the environment; with `clean`, `env` is the
 * child's whole environment.
 */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; clean?: boolean },
): SpawnSyncReturns<string> {
  if (options.clean) {
    // Why `env -i`: Deno's spawnSync adds the parent's environment to an `env` option (Node's replaces it).
    const vars = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    return spawnSync(ENV!, ["-i", ...vars, command, ...args], { cwd: options.cwd, encoding: "utf8", timeout: 180_000 });
  }
  const env = {
    ...process.env,
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    ...options.env,
  };
  return spawnSync(command, args, { cwd: options.cwd, env, encoding: "utf8", timeout: 180_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The files of a `.tgz` (ustar) with their sizes. */
function tarEntries(tgz: string): Map<string, number> {
  const tar = gunzipSync(readFileSync(tgz));
  const entries = new Map<string, number>();
  const text = (from: number, to: number) => tar.subarray(from, to).toString("latin1").replace(/\0.*$/s, "");
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const size = parseInt(text(at + 124, at + 136).trim() || "0", 8);
    const prefix = text(at + 345, at + 500);
    const name = (prefix ? prefix + "/" : "") + text(at, at + 100);
    if (tar[at + 156] === 0x30 || tar[at + 156] === 0) entries.set(name, size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

interface Installed {
  /** The packed tarball. */
  tgz: string;
  /** A project with the tarball installed (its package.json has `"type": "module"`). */
  project: string;
}

let installed: Installed | Error | null = null;

/**
 * Packs a copy of the package's files (with the repository's node_modules linked in, for `prepack`'s build) and
 * installs the tarball into a fresh project; once per process (a failure too, so each test reports it quickly).
 */
function install(): Installed {
  if (installed === null) {
    try {
      installed = packAndInstall();
    } catch (e) {
      installed = e instanceof Error ? e : new Error(String(e));
    }
  }
  if (installed instanceof Error) throw installed;
  return installed;
}

function packAndInstall(): Installed {
  const stage = join(temp, "stage");
  mkdirSync(join(stage, "tools"), { recursive: true });
  const sources = ["package.json", "deno.json", "README.md", "LICENSE", "CHANGELOG.md", "mod.ts", "wasi.ts", "cli.ts"];
  for (const entry of [...sources, "lib", "bin", "tools/build.ts"]) {
    cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(stage, "node_modules"), "dir");
  const packs = join(temp, "packs");
  mkdirSync(packs);
  ok(run(NPM!, ["pack", "--pack-destination", packs], { cwd: stage }), "npm pack");
  const [file] = readdirSync(packs).filter((f) => f.endsWith(".tgz"));
  assert.ok(file, `npm pack wrote no tarball into ${packs}`);
  const project = join(temp, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const tgz = join(packs, file);
  ok(run(NPM!, ["install", "--offline", "--no-package-lock", tgz], { cwd: project }), "npm install of the tarball");
  return { tgz, project };
}

test("npm pack: dist/ with types for every entry, no source maps or TypeScript sources, a modest size", {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  const { tgz } = install();
  const entries = tarEntries(tgz);
  const files = [...entries.keys()].map((f) => f.replace(/^package\//, ""));
  const bundles = [
    "dist/mod.js",
    "dist/wasi.js",
    "dist/cli.js",
    "dist/cli.cjs",
    "dist/browser/mod.js",
    "dist/browser/wasi.js",
  ];
  for (const f of bundles) {
    assert.ok(files.includes(f), `${f} is missing from the tarball`);
  }
  for (const f of ["dist/types/mod.d.ts", "dist/types/wasi.d.ts", "dist/types/cli.d.ts", "bin/kiln.mjs"]) {
    assert.ok(files.includes(f), `${f} is missing from the tarball`);
  }
  assert.deepEqual(files.filter((f) => f.endsWith(".map")), [], "source maps in the tarball");
  assert.deepEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), [], ".ts sources in the tarball");
  const packed = statSync(tgz).size;
  const unpacked = [...entries.values()].reduce((a, b) => a + b, 0);
  console.log(`${NAME}: ${files.length} files, packed ${packed} bytes, unpacked ${unpacked} bytes`);
  // Bounds with room for growth, not targets: 370 kB packed once the native engine, the guest profiler and GC's
  // front end landed (each dist/ bundle carries the whole runtime); 230 kB before; 526 kB once dist/cli.js got a
  // build of its own (a second copy of the runtime, so that `kiln app.wasm` loads two files at start-up, not eight);
  // 660 kB with dist/cli.cjs, the CLI as a classic script for Node before 22.1, which runs it with V8's code cache.
  assert.ok(packed < 750_000, `the tarball is ${packed} bytes`);
  assert.ok(unpacked < 2_500_000, `the package unpacks to ${unpacked} bytes`);
});

/** A consumer of the library: an async host import and a WASI program with its stdout captured. */
const LIBRARY_SCRIPT = (specifier: string) => `
import { instantiate, parseWat } from "${specifier}";
import { MemoryFs, runWasi } from "${specifier}/wasi";
import { readFileSync } from "node:fs";
const { instance } = await instantiate(parseWat(\`(module
  (import "env" "later" (func $later (param i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (i32.mul (call $later (local.get 0)) (i32.const 2))))\`), {
  env: { later: (x) => new Promise((resolve) => setTimeout(() => resolve(x + 1), 5)) },
});
let out = "";
const code = await runWasi(readFileSync(process.argv[2]), {
  args: ["hello"], fs: new MemoryFs(), stdin: "null", stdout: (d) => void (out += new TextDecoder().decode(d)),
});
console.log("twice", await instance.exports.twice(20), "wasi", code, JSON.stringify(out));
`;
const LIBRARY_OUTPUT = 'twice 42 wasi 0 "Hello, world!\\n"\n';

test("the installed package runs an async import and a WASI program under Node, Deno and Bun", {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  const { project } = install();
  writeFileSync(join(project, "main.mjs"), LIBRARY_SCRIPT(NAME));
  writeFileSync(join(project, "main_npm.mjs"), LIBRARY_SCRIPT(`npm:${NAME}`));
  const runners: [string, string, string[]][] = [
    ["Node", NODE!, ["main.mjs"]],
    ["Deno (node_modules)", DENO, ["run", "-A", "main.mjs"]],
    ["Deno (npm: specifier)", DENO, ["run", "-A", "main_npm.mjs"]],
    ["Bun", BUN, ["main.mjs"]],
  ];
  for (const [label, command, args] of runners) {
    const r = run(command, [...args, HELLO], { cwd: project });
    assert.equal(ok(r, label), LIBRARY_OUTPUT, label);
  }
});

/** A TypeScript consumer: every entry's types, and a check that none of them is `any`. */
const CONSUMER_TS = `
import { instantiate, type Instance, parseWat, Trap } from "${NAME}";
import { MemoryFs, runWasi, type WasiOptions } from "${NAME}/wasi";
import { runCli } from "${NAME}/cli";

type IsAny<T> = 0 extends 1 & T ? true : false;
/** Compiles only when \`value\`'s type is not \`any\`. */
export function notAny<T>(_value: T, _proof: IsAny<T> extends false ? true : never): void {}

const { module, instance } = await instantiate(parseWat("(module (func (export \\"f\\") (result i32) i32.const 1))"), {
  env: { later: async (x: number) => x + 1 },
}, { fuel: 1000 });
const typed: Instance = instance;
const options: WasiOptions = { args: ["app"], env: { A: "1" }, fs: new MemoryFs() };
const code: number = await runWasi(new Uint8Array(8), { ...options, stdout: (d: Uint8Array) => void d });
notAny(instantiate, true);
notAny(module, true);
notAny(typed.exports, true);
notAny(typed.exports.f, true);
notAny(code, true);
notAny(runWasi, true);
notAny(runCli, true);
notAny(new Trap("unreachable"), true);
`;

/** Wrong calls the types must reject, one per line, with the line each error is expected on. */
const WRONG_TS = `
import { instantiate } from "${NAME}";
import { runWasi } from "${NAME}/wasi";
await instantiate(42);
await runWasi(new Uint8Array(8), { args: [1] });
await instantiate(new Uint8Array(8), {}, { fuel: "lots" });
`;

test("the package's types check a TypeScript consumer under tsc and deno check, and reject wrong calls", {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  const { project } = install();
  mkdirSync(join(project, "src"), { recursive: true });
  writeFileSync(join(project, "src/consumer.ts"), CONSUMER_TS);
  writeFileSync(join(project, "src/wrong.ts"), WRONG_TS);
  // Why no DOM library and skipLibCheck off: the declarations must stand on ES2022 and @types/node alone, and
  // any error inside them must show (skipLibCheck would turn an unresolved type into a silent `any`).
  const tsconfig = (file: string) => ({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      lib: ["es2022"],
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules/@types")],
      skipLibCheck: false,
    },
    files: [file],
  });
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig("src/consumer.ts")));
  writeFileSync(join(project, "tsconfig.wrong.json"), JSON.stringify(tsconfig("src/wrong.ts")));

  const good = run(TSC, ["-p", "tsconfig.json", "--pretty", "false"], { cwd: project });
  assert.equal(ok(good, "tsc on the consumer"), "");
  const bad = run(TSC, ["-p", "tsconfig.wrong.json", "--pretty", "false"], { cwd: project });
  assert.notEqual(bad.status, 0, "tsc accepted wrong calls");
  const lines = [...bad.stdout.matchAll(/^src\/wrong\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => +m[1]);
  assert.deepEqual([...new Set(lines)], [4, 5, 6], bad.stdout);

  ok(run(DENO, ["check", "src/consumer.ts"], { cwd: project }), "deno check on the consumer");
  const denoBad = run(DENO, ["check", "src/wrong.ts"], { cwd: project });
  assert.notEqual(denoBad.status, 0, "deno check accepted wrong calls");
  assert.match(denoBad.stderr, /TS2345/);

  // `any` written in a declaration the entries' types reach (not in a comment, not as a property name) is a hole
  // in the public types. tsc keeps in a .d.ts only the imports its types use, so its import graph is what they reach.
  const typesDir = join(project, "node_modules", NAME, "dist/types");
  const holes: string[] = [];
  const seen = new Set<string>();
  const queue = ["mod.d.ts", "wasi.d.ts", "cli.d.ts"].map((f) => join(typesDir, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    for (const m of code.matchAll(/(?:from\s*|import\()"(\.{1,2}\/[^"]+)\.ts"/g)) {
      queue.push(join(dirname(file), `${m[1]}.d.ts`));
    }
    const types = code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
    for (const m of types.matchAll(/(?<![\w$.])any(?![\w$]|\s*\??:)/g)) {
      const at = `…${types.slice(Math.max(0, m.index - 40), m.index + 10).replace(/\s+/g, " ")}`;
      holes.push(`${relative(typesDir, file)}: ${at}`);
    }
  }
  assert.ok(seen.size > 10, `only ${seen.size} declaration files reached from the entries`);
  assert.deepEqual(holes, [], "`any` in the public declarations");
});

/**
 * The whole environment of a machine whose PATH is `path` (run with `clean: true`). Why nothing else: under `npm test` npm sets
 * `NODE` and `npm_node_execpath`, and `bun x` then runs a bin's `#!/usr/bin/env node` with a Node it cannot find.
 */
function onlyOn(path: string): Record<string, string> {
  return { PATH: path, HOME: process.env.HOME ?? temp, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
}

/** A directory holding links to only the given executables, to be the whole PATH of a child. */
function pathOf(name: string, executables: Record<string, string>): string {
  const dir = join(temp, `path-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [link, target] of Object.entries(executables)) symlinkSync(realpathSync(target), join(dir, link));
  return dir;
}

test("the kiln bin runs with only Node, only Deno or only Bun on PATH", {
  skip: skip ?? false,
  timeout: 300_000,
}, () => {
  const { project } = install();
  const bin = join(project, "node_modules/.bin/kiln");
  // npx and the shebang's `env node` find node on PATH; npm runs the bin through sh.
  const nodeOnly = pathOf("node", { node: NODE!, npx: NPX!, sh: SH! });
  const denoOnly = pathOf("deno", { deno: DENO });
  const bunOnly = pathOf("bun", { bun: BUN });
  const cases: [string, string, string, string[]][] = [
    ["Node: node_modules/.bin/kiln", nodeOnly, bin, []],
    ["Node: npx", nodeOnly, "npx", ["--offline", "--no-install", NAME]],
    ["Deno: deno run npm:", denoOnly, "deno", ["run", "-A", `npm:${NAME}`]],
    ["Bun: bun x", bunOnly, "bun", ["x", NAME]],
    ["Bun: bun node_modules/.bin/kiln", bunOnly, "bun", [bin]],
  ];
  for (const [label, path, command, args] of cases) {
    const command_ = command.includes("/") ? command : join(path, command);
    const hello = run(command_, [...args, HELLO], { cwd: project, env: onlyOn(path), clean: true });
    assert.equal(ok(hello, label), "Hello, world!\n", label);
    const exit = run(command_, [...args, EXIT_CODE, "7"], { cwd: project, env: onlyOn(path), clean: true });
    assert.deepEqual([exit.status, exit.stdout], [7, "exiting with 7\n"], `${label}: ${exit.stderr}`);
  }
  // Without a runtime the bin cannot start at all: the PATH really does hold only the runtime named.
  const none = run(bin, [HELLO], { cwd: project, env: onlyOn(bunOnly), clean: true });
  assert.notEqual(none.status, 0, "the bin ran with only Bun on PATH although its shebang names node");
});
