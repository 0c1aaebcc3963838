/**
 * Kiln's fuzzers, one entry point (`deno task fuzz …`):
 *
 * - `--target diff` (default): differential fuzzing of Kiln against the host's native WebAssembly on modules
 *   from binaryen's translate-to-fuzz and from Kiln's own generator (tools/_fuzz_own_gen.ts). Each module runs
 *   on both engines in worker threads under a time limit (Kiln also under fuel); results, traps (by kind),
 *   logged values, exported globals/tables and memory hashes are compared. A divergence that disappears after
 *   binaryen's `--denan` is counted as NaN nondeterminism; any other is saved (module + seed + report) and
 *   reduced.
 * - `--target decoder|parser`: mutation fuzzing of `new Module`/the decoder and of `parseWat`; every input must
 *   give success or a CompileError within the time limit.
 * - `--soak N`: create, run and drop N instances and check that memory returns to its baseline.
 * - `--check FILE.wasm [--seed S] [--mode plain|yield|async]`: run one module on both engines and print the
 *   comparison (for reproducing a finding; the report gives the command).
 *
 * Kiln runs each module in one of three configurations, cycling module by module: plain; fuel with a yield
 * every 997 units; every import returning a Promise (so the machine suspends at each host call).
 *
 * Options: `--seconds N` (default 60), `--iterations N`, `--seed S` (default: time-based, printed), `--out DIR`
 * (default: a temp dir), `--fuel N` (per top-level export call, default 5,000,000), `--no-reduce`, `--native-only`
 * (compare native against native: a self-test of the harness), `--own-ratio R` (share of own-generator modules,
 * default 0.25), `--quiet`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "./_fuzz_rng.ts";
import { type JobResult, JobWorker } from "./_fuzz_pool.ts";
import { compareRuns, type Comparison, divergenceKey } from "./_fuzz_compare.ts";
import { binaryenFuzzModule, denan } from "./_fuzz_gen.ts";
import { ownModule, ownText } from "./_fuzz_own_gen.ts";
import { reduceModule } from "./_fuzz_reduce.ts";
import { loadKiln } from "./_fuzz_engines.ts";
import { loadDecoder, loadParser, type TargetName } from "./_fuzz_targets.ts";
import { extractModules, mutateBinary, mutateText } from "./_fuzz_mutate.ts";
import { runSoak } from "./_fuzz_soak.ts";

/** Parsed command line. */
export interface FuzzArgs {
  target: "diff" | "decoder" | "parser";
  seconds: number;
  iterations: number;
  seed: number;
  out?: string;
  fuel: number;
  reduce: boolean;
  nativeOnly: boolean;
  ownRatio: number;
  soak?: number;
  check?: string;
  /** Kiln configuration for --check: plain, fuel yields, or Promise-returning imports. */
  mode: "plain" | "yield" | "async";
  quiet: boolean;
}

/** The Kiln configurations the differential fuzzer cycles through, module by module. */
const MODES = ["plain", "yield", "async"] as const;

/** Parses `argv` (without the program name). */
export function parseArgs(argv: readonly string[]): FuzzArgs {
  const a: FuzzArgs = {
    target: "diff",
    seconds: 60,
    iterations: Infinity,
    seed: (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0,
    fuel: 5_000_000,
    reduce: true,
    nativeOnly: false,
    ownRatio: 0.25,
    mode: "plain",
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${flag}`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`bad number for ${flag}`);
      return n;
    };
    switch (flag) {
      case "--target": {
        const t = value();
        if (t !== "diff" && t !== "decoder" && t !== "parser") throw new Error(`unknown target: ${t}`);
        a.target = t;
        break;
      }
      case "--seconds":
        a.seconds = num();
        break;
      case "--iterations":
        a.iterations = num();
        break;
      case "--seed":
        a.seed = num() >>> 0;
        break;
      case "--out":
        a.out = value();
        break;
      case "--fuel":
        a.fuel = num();
        break;
      case "--no-reduce":
        a.reduce = false;
        break;
      case "--native-only":
        a.nativeOnly = true;
        break;
      case "--own-ratio":
        a.ownRatio = num();
        break;
      case "--soak":
        a.soak = num();
        break;
      case "--check":
        a.check = value();
        break;
      case "--mode": {
        const m = value();
        if (m !== "plain" && m !== "yield" && m !== "async") throw new Error(`unknown mode: ${m}`);
        a.mode = m;
        break;
      }
      case "--quiet":
        a.quiet = true;
        break;
      default:
        throw new Error(`unknown option: ${flag}`);
    }
  }
  return a;
}

/** The two workers of a differential run and how to run a module on both. */
export class DiffRunner {
  readonly #a = new JobWorker(10);
  readonly #b = new JobWorker(10);
  constructor(readonly engineB: "kiln" | "native", readonly fuel: number) {}

  /** Runs `wasm` on native (a) and on engine b with the same argument seed; compares. */
  async run(
    wasm: Uint8Array,
    seed: number,
    mode: "plain" | "yield" | "async" = "plain",
  ): Promise<{ a: JobResult; b: JobResult; cmp: Comparison }> {
    const native = this.#a.run({ type: "module", engine: "native", wasm, seed, fuel: this.fuel }, 5_000);
    const other = this.#b.run({ type: "module", engine: this.engineB, wasm, seed, fuel: this.fuel, mode }, 60_000);
    // When native hangs, the comparison stops there anyway: give the other engine a short grace, then stop it.
    const otherId = this.#b.currentId;
    native.then((r) => {
      if (r.timedOut) setTimeout(() => this.#b.abort(otherId), 2_000);
    });
    const [a, b] = await Promise.all([native, other]);
    return { a, b, cmp: compareRuns(a, b) };
  }

  /** Stops both workers. */
  close(): void {
    this.#a.terminate();
    this.#b.terminate();
  }
}

function describe(cmp: Comparison): string {
  const d = cmp.divergence!;
  return `${d.label}: ${d.field} differs\n    native: ${d.a}\n    ${"other"}:  ${d.b}`;
}

interface Stats {
  modules: number;
  binaryen: number;
  own: number;
  steps: number;
  stopped: Record<string, number>;
  nanOnly: number;
  divergences: { dir: string; key: string; summary: string }[];
  errors: string[];
}

async function diffMain(args: FuzzArgs, log: (s: string) => void): Promise<number> {
  const kiln = args.nativeOnly ? undefined : await loadKiln();
  const engineB = kiln ? "kiln" : "native";
  if (!kiln) {
    log(
      args.nativeOnly
        ? "native vs native (harness self-test)"
        : "Kiln (mod.ts) is not available: running native vs native (harness self-test)",
    );
  }
  const out = args.out ?? mkdtempSync(join(tmpdir(), "kiln-fuzz-"));
  mkdirSync(out, { recursive: true });
  log(`differential fuzzing: seed ${args.seed}, ${args.seconds} s, native vs ${engineB}, findings in ${out}`);
  const runner = new DiffRunner(engineB, args.fuel);
  const stats: Stats = {
    modules: 0,
    binaryen: 0,
    own: 0,
    steps: 0,
    stopped: {},
    nanOnly: 0,
    divergences: [],
    errors: [],
  };
  const deadline = Date.now() + args.seconds * 1000;
  const makeModule = async (k: number): Promise<{ k: number; wasm?: Uint8Array; source: string; error?: string }> => {
    const rng = new Rng(Rng.derive(args.seed, k));
    if (rng.chance(args.ownRatio)) return { k, wasm: ownModule(rng), source: "own" };
    try {
      return {
        k,
        wasm: await binaryenFuzzModule(rng.bytes(500 + rng.int(rng.chance(0.2) ? 60_000 : 12_000))),
        source: "binaryen",
      };
    } catch (e) {
      return { k, source: "binaryen", error: String(e) };
    }
  };
  let next = makeModule(0);
  let lastProgress = Date.now();
  try {
    for (let k = 0; k < args.iterations && Date.now() < deadline; k++) {
      const cur = await next;
      next = makeModule(k + 1); // generate the next module while this one runs
      if (!cur.wasm) {
        stats.errors.push(`module ${k}: ${cur.error}`);
        continue;
      }
      if (!args.quiet && Date.now() - lastProgress > 30_000) {
        lastProgress = Date.now();
        const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
        log(
          `  … ${stats.modules} modules, ${stats.steps} steps, ${stats.divergences.length} divergences, rss ${rss} MiB`,
        );
      }
      const argSeed = Rng.derive(args.seed ^ 0x5eed, k);
      stats.modules++;
      if (cur.source === "own") stats.own++;
      else stats.binaryen++;
      const mode = MODES[k % 3]!;
      const { cmp } = await runner.run(cur.wasm, argSeed, mode);
      stats.steps += cmp.compared;
      if (cmp.stopped) {
        stats.stopped[cmp.stopped.replace(/:.*/s, "")] = (stats.stopped[cmp.stopped.replace(/:.*/s, "")] ?? 0) + 1;
      }
      if (cmp.stopped?.startsWith("harness")) stats.errors.push(`module ${k}: ${cmp.stopped}`);
      if (!cmp.divergence) continue;
      // NaN payloads are nondeterministic; if the divergence goes away without NaNs it is not a bug.
      if (cur.source === "binaryen") {
        try {
          const clean = await denan(cur.wasm);
          const again = await runner.run(clean, argSeed, mode);
          if (!again.cmp.divergence && !again.cmp.stopped) {
            stats.nanOnly++;
            continue;
          }
        } catch { /* keep the divergence */ }
      }
      const key = divergenceKey(cmp.divergence);
      const dir = join(out, `seed-${args.seed}-module-${k}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "module.wasm"), cur.wasm);
      const summary = describe(cmp);
      log(`DIVERGENCE in module ${k} (${cur.source}, kiln ${mode}): ${summary}`);
      let reducedSize = cur.wasm.length;
      if (args.reduce) {
        const reduced = await reduceModule(cur.wasm, async (cand) => {
          const r = await runner.run(cand, argSeed, mode);
          return r.cmp.divergence !== undefined && divergenceKey(r.cmp.divergence) === key;
        }, { budgetMs: 90_000, log: args.quiet ? undefined : log });
        writeFileSync(join(dir, "reduced.wasm"), reduced);
        reducedSize = reduced.length;
        const r = await runner.run(reduced, argSeed, mode);
        writeFileSync(join(dir, "reduced.json"), JSON.stringify(r, null, 1));
      }
      writeFileSync(
        join(dir, "report.json"),
        JSON.stringify(
          {
            seed: args.seed,
            module: k,
            source: cur.source,
            argSeed,
            mode,
            divergence: cmp.divergence,
            sizes: { original: cur.wasm.length, reduced: reducedSize },
            reproduce: `deno task fuzz --check ${
              join(dir, args.reduce ? "reduced.wasm" : "module.wasm")
            } --seed ${argSeed} --mode ${mode}`,
          },
          null,
          1,
        ),
      );
      stats.divergences.push({ dir, key, summary });
    }
  } finally {
    runner.close();
  }
  log(
    `done: ${stats.modules} modules (${stats.binaryen} binaryen, ${stats.own} own), ${stats.steps} steps compared, ` +
      `stopped early: ${JSON.stringify(stats.stopped)}, NaN-only differences: ${stats.nanOnly}, ` +
      `divergences: ${stats.divergences.length}, generator/harness errors: ${stats.errors.length}`,
  );
  for (const e of stats.errors.slice(0, 10)) log(`  error: ${e}`);
  for (const d of stats.divergences) log(`  ${d.key}: ${d.dir}`);
  return stats.divergences.length > 0 ? 1 : 0;
}

async function corpusFor(target: TargetName, rng: Rng): Promise<Uint8Array[]> {
  const corpus: Uint8Array[] = [];
  if (target === "parser") {
    const spec = new URL("../../shared/spec-testsuite/", import.meta.url);
    try {
      const { readdirSync } = await import("node:fs");
      for (const f of readdirSync(spec).filter((n) => n.endsWith(".wast")).sort()) {
        for (const m of extractModules(readFileSync(new URL(f, spec), "utf8"), 20)) {
          corpus.push(new TextEncoder().encode(m));
        }
      }
    } catch { /* no spec suite: own texts only */ }
    for (let i = 0; i < 20; i++) corpus.push(new TextEncoder().encode(ownText(rng)));
    return corpus;
  }
  for (let i = 0; i < 12; i++) corpus.push(ownModule(rng));
  for (let i = 0; i < 6; i++) {
    try {
      corpus.push(await binaryenFuzzModule(rng.bytes(300 + rng.int(4000))));
    } catch { /* generator failure: fewer seeds */ }
  }
  return corpus;
}

async function targetMain(args: FuzzArgs, log: (s: string) => void): Promise<number> {
  let target: TargetName = args.target as TargetName;
  if (target === "decoder" && (args.nativeOnly || !(await loadDecoder()))) target = "native-decoder";
  if (target === "parser" && !(await loadParser())) {
    log("parseWat is not available yet (mod.ts or lib/text): nothing to fuzz");
    return 2;
  }
  const rng = new Rng(args.seed);
  const corpus = await corpusFor(target, rng);
  const out = args.out ?? mkdtempSync(join(tmpdir(), `kiln-fuzz-${target}-`));
  mkdirSync(out, { recursive: true });
  log(`${target} fuzzing: seed ${args.seed}, ${args.seconds} s, ${corpus.length} seed inputs, findings in ${out}`);
  const worker = new JobWorker();
  // Mutants that still validate are odd but legal code: run them on both engines too.
  const kiln = target === "decoder" ? await loadKiln() : undefined;
  const diff = kiln ? new DiffRunner("kiln", args.fuel) : undefined;
  const counts: Record<string, number> = {};
  const findings: string[] = [];
  const deadline = Date.now() + args.seconds * 1000;
  try {
    for (let k = 0; k < args.iterations && Date.now() < deadline; k++) {
      const base = rng.pick(corpus);
      const input = target === "parser"
        ? new TextEncoder().encode(mutateText(rng, new TextDecoder().decode(base)))
        : mutateBinary(rng, base, corpus);
      const r = await worker.run({ type: "target", target, input }, 10_000);
      const outcome = r.timedOut ? "bad:hang (over 10 s)" : r.error ? `bad:${r.error}` : r.result!;
      const head = outcome.split("\n")[0]!.replace(/^(bad:[A-Za-z]+).*/, "$1");
      counts[head] = (counts[head] ?? 0) + 1;
      if (outcome.startsWith("bad:") || outcome.includes("(native")) {
        const name = `${target}-${args.seed}-${k}.${target === "parser" ? "wat" : "wasm"}`;
        writeFileSync(join(out, name), input);
        writeFileSync(join(out, `${name}.txt`), outcome);
        if (findings.length < 20) log(`FINDING ${name}: ${outcome.split("\n")[0]}`);
        findings.push(name);
      }
      if (diff && outcome === "ok") {
        const mode = MODES[k % 3]!;
        const { cmp } = await diff.run(input, k, mode);
        counts["ran"] = (counts["ran"] ?? 0) + 1;
        if (cmp.divergence) {
          const name = `${target}-${args.seed}-${k}-divergence.wasm`;
          writeFileSync(join(out, name), input);
          writeFileSync(join(out, `${name}.txt`), `bad:divergence (kiln ${mode}, --seed ${k}): ${describe(cmp)}`);
          log(`DIVERGENCE ${name}: ${describe(cmp)}`);
          findings.push(name);
        }
      }
    }
  } finally {
    worker.terminate();
    diff?.close();
  }
  log(`done: ${JSON.stringify(counts)}; findings: ${findings.length}`);
  return findings.some((f) => readFileSync(join(out, `${f}.txt`), "utf8").startsWith("bad:")) ? 1 : 0;
}

async function checkMain(args: FuzzArgs, log: (s: string) => void): Promise<number> {
  const kiln = args.nativeOnly ? undefined : await loadKiln();
  const runner = new DiffRunner(kiln ? "kiln" : "native", args.fuel);
  try {
    const wasm = new Uint8Array(readFileSync(args.check!));
    const { a, b, cmp } = await runner.run(wasm, args.seed, args.mode);
    for (const [name, r] of [["native", a], [kiln ? "kiln" : "native#2", b]] as const) {
      log(`== ${name}${r.timedOut ? " (timed out)" : ""}${r.error ? ` (error: ${r.error})` : ""}`);
      for (const s of r.steps) log(`  ${s.label} -> ${s.outcome}${s.logs.length ? ` logs=[${s.logs.join(" ")}]` : ""}`);
    }
    log(
      cmp.divergence
        ? `DIVERGENCE: ${describe(cmp)}`
        : `equal (${cmp.compared} steps${cmp.stopped ? `, stopped: ${cmp.stopped}` : ""})`,
    );
    return cmp.divergence ? 1 : 0;
  } finally {
    runner.close();
  }
}

/** Runs the fuzzer CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const log = (s: string) => console.log(s);
  if (args.check) return await checkMain(args, log);
  if (args.soak !== undefined) {
    const r = await runSoak({ instances: args.soak, log });
    return r.ok ? 0 : 1;
  }
  return args.target === "diff" ? await diffMain(args, log) : await targetMain(args, log);
}

function argvHasSoak(): boolean {
  return ((globalThis as unknown as { Deno?: { args: string[] } }).Deno?.args ?? process.argv).includes("--soak");
}

if (import.meta.main) {
  main((globalThis as unknown as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2)).then(
    // Soak runs end by themselves: a leaked timer would keep the process alive, and that must be visible.
    (code) => (argvHasSoak() ? (process.exitCode = code) : process.exit(code)),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(2);
    },
  );
}
