/**
 * Runs the WASI testsuite (`../shared/wasi-testsuite/tests/<lang>/wasm32-wasip1/`) per its specification
 * (doc/specification.md): args, env, the `root` directory preopened as "/", expected exit code, stdout and stderr.
 * A test's directory is copied to a temporary folder first (the suite is read-only and tests write into it).
 *
 * Usage: `deno task wasi [--engine native|kiln|kiln-native] [--fs host|memory] [FILTER]` (`--help` prints {@link USAGE}).
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Wasi } from "../lib/wasi/wasi.ts";
import { MemoryFs } from "../lib/wasi/fs/memory_fs.ts";

/** Root of the repository. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The WASI testsuite's tests folder (absent on machines without /work/shared). */
export const SUITE_DIR = path.resolve(REPO_ROOT, "..", "shared", "wasi-testsuite", "tests");

/** One test of the suite. */
export interface WasiTestCase {
  language: string;
  name: string;
  wasmPath: string;
  spec: {
    args: string[];
    env: Record<string, string>;
    root: string | null;
    exit_code: number;
    stdout?: string;
    stderr?: string;
  };
}

/** Lists every wasip1 test, in a stable order. */
export function listTests(): WasiTestCase[] {
  const out: WasiTestCase[] = [];
  if (!fs.existsSync(SUITE_DIR)) return out;
  for (const language of fs.readdirSync(SUITE_DIR).sort()) {
    const dir = path.join(SUITE_DIR, language, "wasm32-wasip1");
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (!file.endsWith(".wasm")) continue;
      const name = file.slice(0, -5);
      const jsonPath = path.join(dir, `${name}.json`);
      const json = fs.existsSync(jsonPath) ? JSON.parse(fs.readFileSync(jsonPath, "utf8")) : {};
      out.push({
        language,
        name,
        wasmPath: path.join(dir, file),
        spec: {
          args: json.args ?? [],
          env: json.env ?? {},
          root: json.root ?? null,
          exit_code: json.exit_code ?? 0,
          stdout: json.stdout,
          stderr: json.stderr,
        },
      });
    }
  }
  return out;
}

/**
 * Copies a directory tree and makes the copy writable (the suite's files are read-only). `*.cleanup` artifacts a
 * previous run may have left are dropped from the copy, as the specification's preparation step asks.
 */
function copyWritable(src: string, dst: string): void {
  fs.cpSync(src, dst, { recursive: true, verbatimSymlinks: true });
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (p.endsWith(".cleanup")) {
      fs.rmSync(p, { recursive: true, force: true });
      return;
    }
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) { for (const n of fs.readdirSync(p)) walk(path.join(p, n)); }
  };
  walk(dst);
}

/** Copies a host directory tree into a MemoryFs under `dst`. */
function copyIntoMemory(src: string, mem: MemoryFs, dst: string): void {
  mem.mkdirp(dst);
  for (const n of fs.readdirSync(src)) {
    if (n.endsWith(".cleanup")) continue;
    const s = path.join(src, n), d = `${dst}/${n}`;
    const st = fs.lstatSync(s);
    if (st.isDirectory()) copyIntoMemory(s, mem, d);
    else if (st.isSymbolicLink()) mem.symlink(fs.readlinkSync(s), d);
    else mem.writeFile(d, fs.readFileSync(s));
  }
}

/** The outcome of one test. */
export interface WasiTestResult {
  passed: boolean;
  failures: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** What runs the tests: the host's WebAssembly, Kiln's interpreter, or Kiln's native engine. */
export type WasiEngine = "native" | "kiln" | "kiln-native";

/**
 * Runs one test case.
 *
 * @param t the test
 * @param options `engine`: "native" (WebAssembly, sync WASI), "kiln" (mod.ts, async WASI) or "kiln-native" (mod.ts on
 *   its native engine, async WASI); `fs`: "host" or "memory"
 * @returns whether it passed, and why not
 */
export async function runTestCase(
  t: WasiTestCase,
  options: { engine?: WasiEngine; fs?: "host" | "memory" } = {},
): Promise<WasiTestResult> {
  const engine = options.engine ?? "native";
  const stdoutChunks: Uint8Array[] = [], stderrChunks: Uint8Array[] = [];
  let tmp: string | null = null;
  let backend: MemoryFs | "host" = "host";
  const preopens: Record<string, string> = {};
  if (t.spec.root !== null) {
    const src = path.join(path.dirname(t.wasmPath), t.spec.root);
    if (options.fs === "memory") {
      backend = new MemoryFs();
      copyIntoMemory(src, backend, "/root");
      preopens["/"] = "/root";
    } else {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `kiln-wasi-${t.name}-`));
      const root = path.join(tmp, "root");
      copyWritable(src, root);
      preopens["/"] = root;
    }
  }
  const failures: string[] = [];
  let exitCode: number | null = null;
  try {
    const wasi = new Wasi({
      args: [path.basename(t.wasmPath), ...t.spec.args],
      env: t.spec.env,
      preopens,
      fs: backend,
      mode: engine === "native" ? "sync" : "async",
      stdin: "null",
      stdout: (d) => void stdoutChunks.push(d.slice()),
      stderr: (d) => void stderrChunks.push(d.slice()),
    });
    const bytes = fs.readFileSync(t.wasmPath);
    let instance: { exports: Record<string, unknown> };
    if (engine === "native") {
      instance = (await WebAssembly.instantiate(bytes, wasi.getImportObject() as WebAssembly.Imports)).instance;
    } else {
      const kiln = await import(path.join(REPO_ROOT, "mod.ts"));
      const store = engine === "kiln-native" ? { engine: "native" } : {};
      instance = (await kiln.instantiate(bytes, wasi.getImportObject(), store)).instance;
    }
    exitCode = await wasi.start(instance);
  } catch (e) {
    failures.push(`threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const dec = new TextDecoder();
  const join = (cs: Uint8Array[]) => dec.decode(Uint8Array.from(cs.flatMap((c) => [...c])));
  const stdout = join(stdoutChunks), stderr = join(stderrChunks);
  if (exitCode !== null && exitCode !== t.spec.exit_code) {
    failures.push(`exit code ${exitCode}, expected ${t.spec.exit_code}`);
  }
  if (t.spec.stdout !== undefined && stdout !== t.spec.stdout) {
    failures.push(`stdout ${JSON.stringify(stdout)}, expected ${JSON.stringify(t.spec.stdout)}`);
  }
  if (t.spec.stderr !== undefined && stderr !== t.spec.stderr) {
    failures.push(`stderr ${JSON.stringify(stderr)}, expected ${JSON.stringify(t.spec.stderr)}`);
  }
  return { passed: failures.length === 0, failures, exitCode, stdout, stderr };
}

/** The text `--help` prints. */
export const USAGE = `Runs the WASI testsuite (wasm32-wasip1 tests of ../shared/wasi-testsuite) on Kiln's WASI layer.

Usage: deno run -A tools/wasi.ts [OPTIONS] [FILTER]
       bun tools/wasi.ts [OPTIONS] [FILTER]
       deno task wasi [OPTIONS] [FILTER]

Arguments:
  FILTER              Run only tests whose "<language>/<name>" contains FILTER (e.g. "rust/fd_", "c/")

Options:
  --engine <ENGINE>   native: the host's WebAssembly with WASI in sync mode (default)
                      kiln: Kiln's engine (mod.ts) with WASI in async mode
                      kiln-native: Kiln's native engine (mod.ts, engine "native") with WASI in async mode
  --fs <FS>           host: the host filesystem (node:fs) on a temporary copy of each test's directory (default)
                      memory: an in-memory filesystem (MemoryFs) holding a copy of it
  -h, --help          Print this help

Prints one line per test ("ok" or "FAIL" with the reasons), then passed/failed per language and in total.
Exit status: 0 when every selected test passed, 1 otherwise, 2 on a usage error.`;

/** A command-line mistake: reported with the usage hint, exit status 2. */
class UsageError extends Error {}

/** Parses the command line; null means `--help`. */
function parseArgs(argv: string[]): { engine: WasiEngine; fsKind: "host" | "memory"; filter: string } | null {
  let engine = "native", fsKind = "host", filter: string | null = null;
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith("-")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") return null;
    else if (a === "--engine") engine = value(++i, a);
    else if (a.startsWith("--engine=")) engine = a.slice(9);
    else if (a === "--fs") fsKind = value(++i, a);
    else if (a.startsWith("--fs=")) fsKind = a.slice(5);
    else if (a.startsWith("-")) throw new UsageError(`unknown option: ${a}`);
    else if (filter !== null) throw new UsageError(`only one FILTER may be given (got "${filter}" and "${a}")`);
    else filter = a;
  }
  if (engine !== "native" && engine !== "kiln" && engine !== "kiln-native") {
    throw new UsageError(`unknown engine: ${engine} (native, kiln or kiln-native)`);
  }
  if (fsKind !== "host" && fsKind !== "memory") throw new UsageError(`unknown fs: ${fsKind} (host or memory)`);
  return { engine, fsKind, filter: filter ?? "" };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\nRun with --help for usage.`);
    return 2;
  }
  if (parsed === null) {
    console.log(USAGE);
    return 0;
  }
  const { engine, fsKind, filter } = parsed;
  const tests = listTests().filter((t) => `${t.language}/${t.name}`.includes(filter));
  if (tests.length === 0) {
    console.log(fs.existsSync(SUITE_DIR) ? "no test matches" : `WASI testsuite not found at ${SUITE_DIR}`);
    return 1;
  }
  const perLang = new Map<string, { passed: number; failed: number }>();
  for (const t of tests) {
    const r = await runTestCase(t, { engine, fs: fsKind });
    const c = perLang.get(t.language) ?? { passed: 0, failed: 0 };
    if (r.passed) c.passed++;
    else c.failed++;
    perLang.set(t.language, c);
    console.log(`${r.passed ? "ok  " : "FAIL"} ${t.language}/${t.name}${r.passed ? "" : `: ${r.failures.join("; ")}`}`);
    if (!r.passed && r.stderr) {
      console.log(`     stderr: ${r.stderr.trim().split("\n").slice(-3).join("\n             ")}`);
    }
  }
  let passed = 0, failed = 0;
  for (const [lang, c] of perLang) {
    console.log(`${lang}: ${c.passed} passed, ${c.failed} failed`);
    passed += c.passed;
    failed += c.failed;
  }
  console.log(`total (${engine}, ${fsKind} fs): ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
