/**
 * The benchmark harness: `deno task bench [FILTER...] [options]` or `node_modules/.bin/bun bench/run.ts ...`.
 * Runs the Sightglass programs on native WebAssembly and on Kiln, the start-up measurements, prints tables (or
 * JSON) and updates this runtime's sections of BENCHMARKS.md. `--help` lists the options.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  compareProgram,
  type ComparisonRow,
  geomeanOfRows,
  MIN_BASE_MS,
  QUICK_SET,
  type RunConfig,
} from "./compare.ts";
import { type BenchOptions, DEFAULT_FUEL, DEFAULT_YIELD_INTERVAL, parseBenchArgs, USAGE } from "./options.ts";
import { gitCommit, machineInfo, markdownTable, replaceSection, runtimeInfo, textTable } from "./report.ts";
import { type Instantiator, loadKilnInstantiator, nativeInstantiator, type WasiProvider } from "./runner.ts";
import {
  HELLO_WASM,
  type HelloStartup,
  LARGEST_CODE_WASM,
  largestWasmFiles,
  loadKilnFrontEnd,
  measureHello,
  measureThroughput,
  megabytesPerSecond,
  type ThroughputResult,
  WASI_TESTSUITE_DIR,
} from "./startup.ts";
import { formatMs, formatRatio } from "./stats.ts";
import { filterBenchmarks, listBenchmarks, REPO_ROOT, SIGHTGLASS_DIR } from "./suite.ts";
import { kilnWasiProvider } from "./wasi_provider.ts";

/** One comparison table: what was compared, and the rows. */
export interface ComparisonReport {
  /** "main", "compare-fuel" or "compare-yield". */
  readonly kind: string;
  readonly title: string;
  readonly baseLabel: string;
  readonly candidateLabel?: string;
  readonly rows: ComparisonRow[];
  readonly geomean: number;
}

/** Start-up results. */
export interface StartupReport {
  readonly throughput: ThroughputResult[];
  readonly hello: HelloStartup[];
  readonly notes: string[];
}

/** Everything one harness run measured (the `--json` document). */
export interface BenchReport {
  readonly date: string;
  readonly runtime: string;
  /**
   * The repository commit when the run started, "+changes" when the working tree differed. (With `--timeout`, each
   * run loads Kiln afresh in a worker, so a long run picks up engine changes committed meanwhile.)
   */
  readonly commit: string;
  readonly machine: { nproc: number; cpuModel: string; loadAverage: number };
  readonly options: BenchOptions;
  readonly notes: string[];
  readonly comparisons: ComparisonReport[];
  readonly startup?: StartupReport;
}

/** Replaceable dependencies of {@link runBench} (tests inject small ones). */
export interface BenchDeps {
  readonly wasi?: WasiProvider;
  /** Kiln's instantiator, or a loader for it (default: `instantiate` from mod.ts). */
  readonly kiln?: () => Promise<Instantiator>;
  /** Where the Sightglass programs live (default ../shared/benchmarks/sightglass). */
  readonly sightglassDir?: string;
  /** Where BENCHMARKS.md is written (default the repository root). */
  readonly benchmarksFile?: string;
  /** Progress output (default stderr). */
  readonly log?: (line: string) => void;
  /** Table output (default stdout). */
  readonly print?: (text: string) => void;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}

function comparisonCells(report: ComparisonReport): { headers: string[]; rows: string[][] } {
  const withCandidate = report.candidateLabel !== undefined;
  const headers = [
    "benchmark",
    `${report.baseLabel} ms`,
    ...(withCandidate ? [`${report.candidateLabel} ms`, "ratio", `${report.candidateLabel} load ms`] : [
      `${report.baseLabel} load ms`,
    ]),
    "status",
  ];
  const rows = report.rows.map((r) => {
    const problems = [...(r.base?.problems ?? []), ...(r.candidate?.problems ?? [])];
    const status = problems.length > 0
      ? `FAIL: ${problems[0]}`
      : withCandidate && !r.inGeomean
      ? `ok (native < ${MIN_BASE_MS} ms, not in geomean)`
      : "ok";
    return [
      r.name,
      formatMs(r.base?.benchMs ?? NaN),
      ...(withCandidate
        ? [formatMs(r.candidate?.benchMs ?? NaN), formatRatio(r.ratio), formatMs(r.candidate?.loadMs ?? NaN)]
        : [formatMs(r.base?.loadMs ?? NaN)]),
      status,
    ];
  });
  return { headers, rows };
}

function comparisonGeomeanLine(report: ComparisonReport): string {
  if (report.candidateLabel === undefined) return "";
  const n = report.rows.filter((r) => r.inGeomean).length;
  return `Geometric mean of ${report.candidateLabel}/${report.baseLabel} ratios: ${formatRatio(report.geomean)} ` +
    `(${n} of ${report.rows.length} benchmarks)`;
}

function throughputCells(rows: readonly ThroughputResult[]): { headers: string[]; rows: string[][] } {
  const mbps = (bytes: number, ms: number) => {
    const v = megabytesPerSecond(bytes, ms);
    return Number.isFinite(v) ? v.toFixed(1) : "-";
  };
  return {
    headers: [
      "file",
      "MB",
      "code MB",
      "Kiln decode ms",
      "Kiln decode+validate ms",
      "MB/s",
      "code MB/s",
      "native compile ms",
      "MB/s",
      "note",
    ],
    rows: rows.map((r) => [
      r.file.includes("sightglass") ? `sightglass/${basename(join(r.file, ".."))}` : basename(r.file),
      (r.bytes / 1e6).toFixed(2),
      (r.codeBytes / 1e6).toFixed(2),
      formatMs(r.decodeMs),
      formatMs(r.compileMs),
      mbps(r.bytes, r.compileMs),
      mbps(r.codeBytes, r.compileMs),
      formatMs(r.nativeMs),
      mbps(r.bytes, r.nativeMs),
      r.error ?? "",
    ]),
  };
}

function helloCells(rows: readonly HelloStartup[]): { headers: string[]; rows: string[][] } {
  return {
    headers: [
      "engine",
      "cold: ready ms",
      "cold: first WASI call ms",
      "cold: exit ms",
      "warm: ready ms",
      "warm: first WASI call ms",
      "warm: exit ms",
      "note",
    ],
    rows: rows.map((h) => [
      h.engine,
      formatMs(h.cold?.readyMs ?? NaN),
      formatMs(h.cold?.firstCallMs ?? NaN),
      formatMs(h.cold?.exitMs ?? NaN),
      formatMs(h.warm?.readyMs ?? NaN),
      formatMs(h.warm?.firstCallMs ?? NaN),
      formatMs(h.warm?.exitMs ?? NaN),
      h.error ?? "",
    ]),
  };
}

const HELLO_NOTE = "Hello start-up: times from the module bytes in memory. ready = compile + instantiate done " +
  "(`_start` about to be called); first WASI call = the guest has run `_start` up to its first system call; " +
  "exit = `_start` returned. Cold is the first run in the process, warm the median of 5 more.";

const THROUGHPUT_NOTE = "Decode/validate throughput on the largest .wasm files of the WASI testsuite and the " +
  "Sightglass program with the most code (median of 5 after a warm-up). The Rust test binaries are ~2.2 MB but " +
  "mostly DWARF custom sections (~0.1 MB of code), so both whole-file and code-section MB/s are shown. " +
  "Kiln keeps function bodies as byte ranges while decoding, so decode alone is fast; " +
  "decode+validate checks every body. Native compile is `new WebAssembly.Module`, for scale (V8 and JSC " +
  "validate and compile lazily or in the background, so it is not the same work).";

/**
 * Renders a report as plain text for the terminal.
 *
 * @param report the measurements
 * @returns the text
 * @example
 * ```ts
 * import { renderText, runBench } from "./run.ts";
 * console.log(renderText(await runBench(["noop", "--no-write"])));
 * ```
 */
export function renderText(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `${report.runtime} on ${m.nproc} x ${m.cpuModel} (load average ${m.loadAverage.toFixed(1)}), ${report.date}`,
  ];
  for (const n of report.notes) out.push(`note: ${n}`);
  for (const c of report.comparisons) {
    const t = comparisonCells(c);
    out.push("", c.title, textTable(t.headers, t.rows));
    const g = comparisonGeomeanLine(c);
    if (g) out.push(g);
  }
  if (report.startup) {
    const s = report.startup;
    for (const n of s.notes) out.push(`note: ${n}`);
    if (s.hello.length > 0) {
      const t = helloCells(s.hello);
      out.push("", "Start-up: hello.wasm", textTable(t.headers, t.rows));
    }
    if (s.throughput.length > 0) {
      const t = throughputCells(s.throughput);
      out.push("", "Start-up: decode + validate throughput", textTable(t.headers, t.rows));
    }
  }
  return out.join("\n");
}

/**
 * Renders the Markdown sections of BENCHMARKS.md for a report: the main section (comparison and start-up) keyed by
 * runtime, and one per `--compare-*` table.
 *
 * @param report the measurements
 * @returns section keys and bodies
 * @example
 * ```ts
 * import { renderSections, runBench } from "./run.ts";
 * for (const s of renderSections(await runBench(["noop", "--no-write"]))) console.log(s.key);
 * ```
 */
export function renderSections(report: BenchReport): { key: string; body: string }[] {
  const runtimeKey = report.runtime.split(" ")[0].toLowerCase();
  const header = [
    `- Date: ${report.date}, commit ${report.commit}`,
    `- Machine: ${report.machine.nproc} x ${report.machine.cpuModel}, load average ${
      report.machine.loadAverage.toFixed(1)
    } at start (a loaded machine slows both engines and adds noise)`,
    `- Options: reps ${report.options.reps}` +
    (report.options.fuel !== undefined ? `, fuel ${report.options.fuel}` : ", fuel off") +
    (report.options.yieldInterval !== undefined ? `, yield every ${report.options.yieldInterval}` : "") +
    `, Kiln WASI mode ${report.options.kilnWasiMode}`,
    ...report.notes.map((n) => `- Note: ${n}`),
  ].join("\n");
  const sections: { key: string; body: string }[] = [];
  const main: string[] = [];
  for (const c of report.comparisons) {
    const t = comparisonCells(c);
    const md = [`### ${c.title}`, "", markdownTable(t.headers, t.rows)];
    const g = comparisonGeomeanLine(c);
    if (g) md.push("", `**${g}**`);
    if (c.kind === "main") main.push(...md, "");
    else {sections.push({
        key: `${runtimeKey}-${c.kind}`,
        body: [`## ${report.runtime}: ${c.kind}`, "", header, "", ...md].join("\n"),
      });}
  }
  if (report.startup) {
    const s = report.startup;
    if (s.hello.length > 0) {
      const t = helloCells(s.hello);
      main.push("### Start-up: hello.wasm", "", HELLO_NOTE, "", markdownTable(t.headers, t.rows), "");
    }
    if (s.throughput.length > 0) {
      const t = throughputCells(s.throughput);
      main.push(
        "### Start-up: decode + validate throughput",
        "",
        THROUGHPUT_NOTE,
        "",
        markdownTable(t.headers, t.rows),
        "",
      );
    }
    for (const n of s.notes) main.push(`- Note: ${n}`);
  }
  if (main.length > 0) {
    sections.unshift({ key: runtimeKey, body: [`## ${report.runtime}`, "", header, "", ...main].join("\n") });
  }
  return sections;
}

/**
 * Runs the harness as the command line describes and returns what it measured; prints progress and the tables
 * and writes BENCHMARKS.md as the options say.
 *
 * @param argv command-line arguments (after the script name)
 * @param deps replaceable dependencies (WASI provider, Kiln loader, paths, output)
 * @returns the report; `failed` is true when any program failed or its output did not match
 * @example
 * ```ts
 * import { runBench } from "./run.ts";
 * const report = await runBench(["shootout-fib2", "--reps", "3", "--no-write"]);
 * console.log(report.comparisons[0].geomean);
 * ```
 */
export async function runBench(
  argv: readonly string[],
  deps: BenchDeps = {},
): Promise<BenchReport & { failed: boolean }> {
  const options = parseBenchArgs(argv);
  const log = deps.log ?? ((line: string) => console.error(line));
  const print = deps.print ?? ((text: string) => console.log(text));
  const wasi = deps.wasi ?? kilnWasiProvider;
  const notes: string[] = [];
  const runtime = runtimeInfo();
  const machine = machineInfo();
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const commit = gitCommit(REPO_ROOT);

  let kiln: Instantiator | undefined;
  const wantKiln = options.engines.includes("kiln") || options.compareFuel || options.compareYield;
  if (wantKiln) {
    try {
      kiln = await (deps.kiln ?? loadKilnInstantiator)();
    } catch (e) {
      notes.push(`Kiln is unavailable (${errorText(e)}); only native results are shown`);
    }
  }

  const comparisons: ComparisonReport[] = [];
  let failed = false;
  if (options.programs) {
    let programs = filterBenchmarks(listBenchmarks(deps.sightglassDir ?? SIGHTGLASS_DIR), options.filters);
    if (options.quick) programs = programs.filter((p) => QUICK_SET.includes(p.name));
    const kilnConfig = (label: string, fuel?: number, fuelYieldInterval?: number): RunConfig => ({
      label: options.kilnEngine === "native" ? label.replace("Kiln", "Kiln/native") : label,
      engine: "kiln",
      instantiate: kiln!,
      wasiMode: options.kilnWasiMode,
      fuel,
      fuelYieldInterval,
      kilnEngine: options.kilnEngine,
      timeoutMs: options.timeoutMs,
    });
    const plans: { kind: string; title: string; configs: RunConfig[] }[] = [];
    if (options.compareFuel && kiln) {
      plans.push({
        kind: "compare-fuel",
        title: "Fuel overhead: Kiln with fuel off vs on",
        configs: [kilnConfig("Kiln"), kilnConfig("Kiln+fuel", options.fuel ?? DEFAULT_FUEL)],
      });
    }
    if (options.compareYield && kiln) {
      const interval = options.yieldInterval ?? DEFAULT_YIELD_INTERVAL;
      const fuel = options.fuel ?? DEFAULT_FUEL;
      plans.push({
        kind: "compare-yield",
        title: `Yield overhead: Kiln with fuel on, without vs with a yield every ${interval} units`,
        configs: [kilnConfig("Kiln+fuel", fuel), kilnConfig(`Kiln+yield`, fuel, interval)],
      });
    }
    if (!options.compareFuel && !options.compareYield) {
      const configs: RunConfig[] = [];
      if (options.engines.includes("native")) {
        // With --timeout, native runs in a worker too, so both engines are measured the same way.
        configs.push({
          label: "native",
          engine: "native",
          instantiate: nativeInstantiator,
          wasiMode: "sync",
          timeoutMs: options.timeoutMs,
        });
      }
      if (kiln && options.engines.includes("kiln")) {
        const label = options.yieldInterval !== undefined
          ? "Kiln+yield"
          : options.fuel !== undefined
          ? "Kiln+fuel"
          : "Kiln";
        configs.push(kilnConfig(label, options.fuel, options.yieldInterval));
      }
      if (configs.length > 0) {
        plans.push({
          kind: "main",
          title: configs.map((c) => c.label).join(" vs ") + " (ms between bench.start and bench.end)",
          configs,
        });
      }
    }
    for (const plan of plans) {
      const rows: ComparisonRow[] = [];
      for (const program of programs) {
        const row = await compareProgram(program, plan.configs, {
          reps: options.reps,
          wasi,
          onRun: (name, label, rep, ms, problems) =>
            log(
              `  ${name} [${label}] rep ${rep + 1}/${options.reps}: ` +
                (problems.length > 0 ? `FAIL: ${problems.join("; ")}` : `${formatMs(ms)} ms`),
            ),
        });
        if ((row.base?.problems.length ?? 0) > 0 || (row.candidate?.problems.length ?? 0) > 0) failed = true;
        rows.push(row);
      }
      comparisons.push({
        kind: plan.kind,
        title: plan.title,
        baseLabel: plan.configs[0].label,
        candidateLabel: plan.configs[1]?.label,
        rows,
        geomean: geomeanOfRows(rows),
      });
    }
  }

  let startup: StartupReport | undefined;
  if (options.startup) {
    log("  start-up measurements…");
    const startupNotes: string[] = [];
    const hello: HelloStartup[] = [];
    if (!existsSync(HELLO_WASM)) startupNotes.push(`hello start-up skipped: ${HELLO_WASM} not found`);
    else {
      if (kiln) {
        hello.push(await measureHello("Kiln", { instantiate: kiln, wasi, reps: 5, mode: options.kilnWasiMode }));
      }
      hello.push(await measureHello("native", { instantiate: nativeInstantiator, wasi, reps: 5 }));
    }
    let throughput: ThroughputResult[] = [];
    if (!existsSync(WASI_TESTSUITE_DIR)) startupNotes.push(`throughput skipped: ${WASI_TESTSUITE_DIR} not found`);
    else {
      const frontEnd = await loadKilnFrontEnd();
      for (const m of frontEnd.missing) startupNotes.push(`Kiln front end partly unavailable: ${m}`);
      const files = largestWasmFiles(WASI_TESTSUITE_DIR, 3);
      if (existsSync(LARGEST_CODE_WASM)) files.push(LARGEST_CODE_WASM);
      throughput = measureThroughput(files, { frontEnd, reps: 5 });
    }
    startup = { throughput, hello, notes: startupNotes };
  }

  const report = {
    date,
    runtime: runtime.description,
    commit,
    machine,
    options,
    notes,
    comparisons,
    startup,
    failed,
  };
  if (options.json) {
    print(JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2));
  } else print(renderText(report));

  const full = options.filters.length === 0 && !options.quick && !options.json && options.programs && options.startup;
  if (options.write === "yes" || (options.write === "auto" && full)) {
    const file = deps.benchmarksFile ?? join(REPO_ROOT, "BENCHMARKS.md");
    let doc = existsSync(file) ? readFileSync(file, "utf8") : "";
    for (const section of renderSections(report)) doc = replaceSection(doc, section);
    writeFileSync(file, doc);
    log(`  wrote ${file}`);
  }
  return report;
}

if (import.meta.main) {
  const argv = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
    (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
  let code = 0;
  try {
    if (parseBenchArgs(argv).help) console.log(USAGE);
    else code = (await runBench(argv)).failed ? 1 : 0;
  } catch (e) {
    console.error(`bench: ${errorText(e)}`);
    code = 2;
  }
  (globalThis as unknown as { process: { exitCode: number } }).process.exitCode = code;
}
