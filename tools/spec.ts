/**
 * The spec-testsuite scoreboard: `deno task spec [FILTER] [--config plain|fuel|async] [--all] [--engine kiln|native]`.
 *
 * Runs every `.wast` under `../shared/spec-testsuite` (top level, `legacy/`, `custom/`, `proposals/**`) whose
 * path contains FILTER, prints per file and in total the commands passed / failed / unsupported (with the
 * feature), and exits non-zero on any unexpected failure. `--all` runs the three configurations. An unfiltered
 * Kiln run writes `tests/spec/SCOREBOARD.md`.
 *
 * @module
 */

import { type Align, markdownTable } from "./_markdown_table.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  CONFIG_NAMES,
  type ConfigName,
  type EngineName,
  type FileResult,
  listWastFiles,
  REPO_ROOT,
  runSpecFile,
  specRoot,
} from "./_spec_suite.ts";
import { KNOWN_FAILURES } from "../tests/spec/known_failures.ts";

/** The text `--help` prints. */
export const USAGE = `Runs the spec testsuite (../shared/spec-testsuite) and prints the scoreboard.

Usage: deno task spec [FILTER] [OPTIONS]
       bun tools/spec.ts [FILTER] [OPTIONS]

Arguments:
  FILTER                Run only .wast files whose path contains FILTER

Options:
  --config <C>          plain (default), fuel (a yield every 100 units), async (every import returns a Promise),
                        native or native-fuel (plain and fuel on Kiln's native engine)
  --all                 All three configurations
  --engine <E>          kiln (default) or native (the host's WebAssembly)
  -v, --verbose         Print every failing command
  -h, --help            Print this help

An unfiltered Kiln run writes tests/spec/SCOREBOARD.md. Exit status: 0 when nothing failed unexpectedly, 1 otherwise,
2 on a usage error.`;

/** A command-line mistake: reported with the usage, exit status 2. */
class UsageError extends Error {}

interface Args {
  help?: boolean;
  filter: string;
  configs: ConfigName[];
  engine: EngineName;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { filter: "", configs: ["plain"], engine: "kiln", verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") args.help = true;
    else if (a === "--all") args.configs = ["plain", "fuel", "async"];
    else if (a === "--config") args.configs = [argv[++i] as ConfigName];
    else if (a.startsWith("--config=")) args.configs = [a.slice(9) as ConfigName];
    else if (a === "--engine") args.engine = argv[++i] as EngineName;
    else if (a.startsWith("--engine=")) args.engine = a.slice(9) as EngineName;
    else if (a === "-v" || a === "--verbose") args.verbose = true;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else args.filter = a;
  }
  for (const c of args.configs) {
    if (!CONFIG_NAMES.includes(c)) throw new UsageError(`unknown configuration ${c}`);
  }
  if (!["kiln", "native"].includes(args.engine)) throw new UsageError(`unknown engine ${args.engine}`);
  return args;
}

function featureText(features: Record<string, number>): string {
  return Object.entries(features).sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} ${n}`).join(", ");
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const root = specRoot();
  if (!root) {
    console.error("spec: ../shared/spec-testsuite not found beside the repository");
    return 2;
  }
  const files = listWastFiles(root).filter((f) => f.includes(args.filter));
  const started = performance.now();
  const byConfig = new Map<ConfigName, FileResult[]>();
  let anyFailure = false;
  for (const config of args.configs) {
    const results: FileResult[] = [];
    console.log(`\n== ${args.engine} / ${config}: ${files.length} files`);
    for (const file of files) {
      const r = await runSpecFile(root, file, args.engine, config);
      results.push(r);
      const extra = r.known ? ` known ${r.known}` : "";
      const unsup = r.unsupported ? ` (${featureText(r.features)})` : "";
      console.log(
        `${
          r.failed ? "FAIL" : "ok  "
        } ${file}: passed ${r.passed} failed ${r.failed}${extra} unsupported ${r.unsupported}${unsup}`,
      );
      for (const f of r.failures.slice(0, args.verbose ? Infinity : 5)) {
        console.log(`       ${file}:${f.line} ${f.command}: ${f.detail}`);
      }
      if (r.failures.length > 5 && !args.verbose) console.log(`       … ${r.failures.length - 5} more (-v)`);
    }
    byConfig.set(config, results);
    const t = totals(results);
    anyFailure ||= t.failed > 0;
    console.log(
      `TOTAL ${args.engine}/${config}: passed ${t.passed} failed ${t.failed} known ${t.known} unsupported ${t.unsupported}` +
        (t.unsupported ? ` (${featureText(t.features)})` : ""),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`time ${seconds.toFixed(1)} s`);
  if (!args.filter && args.engine === "kiln" && args.configs.every((c) => !c.startsWith("native"))) {
    // The host's native engine on the same scripts, as a reference row (its text parsing is Kiln's own).
    const native: FileResult[] = [];
    for (const file of files) native.push(await runSpecFile(root, file, "native", "plain"));
    const path = join(REPO_ROOT, "tests", "spec", "SCOREBOARD.md");
    writeFileSync(path, scoreboard(byConfig, seconds, native));
    console.log(`wrote ${path}`);
  }
  return anyFailure ? 1 : 0;
}

function totals(results: FileResult[]) {
  const t = { passed: 0, failed: 0, known: 0, unsupported: 0, features: {} as Record<string, number> };
  for (const r of results) {
    t.passed += r.passed;
    t.failed += r.failed;
    t.known += r.known;
    t.unsupported += r.unsupported;
    for (const [f, n] of Object.entries(r.features)) t.features[f] = (t.features[f] ?? 0) + n;
  }
  return t;
}

function scoreboard(byConfig: Map<ConfigName, FileResult[]>, seconds: number, native: FileResult[]): string {
  const configs = [...byConfig.keys()];
  const lines: string[] = [];
  lines.push("# Spec testsuite scoreboard (Kiln)", "");
  lines.push(
    `Generated by \`deno task spec${configs.length > 1 ? " --all" : ""}\` on ${new Date().toISOString()} ` +
      `(${seconds.toFixed(1)} s, ${typeof Deno !== "undefined" ? `Deno ${Deno.version.deno}` : "Node"}), ` +
      "against `../shared/spec-testsuite` (see its SOURCE file for the commit).",
    "",
    "Counts are WAST commands. _unsupported_ commands need a proposal Kiln does not implement (named below); " +
      "they are never counted as passed. _known_ failures are listed with their reason in " +
      "`tests/spec/known_failures.ts`. Configurations: **plain**; **fuel** (metering on, huge budget, " +
      "`fuelYieldInterval` 100); **async** (every function import — spectest and other instances' exports — " +
      "returns a Promise).",
    "",
    "The default test run (`npm test`: `deno test` and `bun test`) runs every file in all three configurations, " +
      "and in the native engine's two (`--config native|native-fuel`: Kiln's native engine, plain and with fuel " +
      "and yields) where the host has JSPI, one test per file and configuration (`tests/spec/spec_test.ts`).",
    "",
    "## Totals",
    "",
  );
  const totalRows: [string, ReturnType<typeof totals>][] = [...byConfig].map(([c, results]) => [c, totals(results)]);
  totalRows.push(["_native WebAssembly (reference), plain_", totals(native)]);
  lines.push(
    markdownTable(
      ["configuration", "passed", "failed", "known", "unsupported"],
      totalRows.map(([name, t]) => [name, `${t.passed}`, `${t.failed}`, `${t.known}`, `${t.unsupported}`]),
      ["l", "r", "r", "r", "r"],
    ),
    "",
    "The native row runs the same scripts (parsed and encoded by Kiln's text parser) on the host's own engine; " +
      "it does not check error message texts, only error classes.",
  );
  const first = byConfig.get(configs[0])!;
  const ft = totals(first).features;
  const featureRows = Object.entries(ft).sort((a, b) => b[1] - a[1]).map(([f, n]) => [f, `${n}`]);
  lines.push(
    "",
    `## Unsupported features (${configs[0]})`,
    "",
    markdownTable(["feature", "commands"], featureRows, ["l", "r"]),
  );
  const fileRows = first.map((r, i) => {
    const cells = configs.map((c) => {
      const x = byConfig.get(c)![i]!;
      return `${x.passed} / ${x.failed}${x.known ? ` (+${x.known} known)` : ""}`;
    });
    return [r.file, ...cells, `${r.unsupported}`, featureText(r.features)];
  });
  lines.push(
    "",
    "## Per file",
    "",
    markdownTable(
      ["file", ...configs.map((c) => `${c} passed / failed`), "unsupported", "features"],
      fileRows,
      ["l", ...configs.map((): Align => "r"), "r", "l"],
    ),
  );
  const failures = configs.flatMap((c) => byConfig.get(c)!.flatMap((r) => r.failures.map((f) => ({ c, r, f }))));
  if (failures.length) {
    lines.push("", "## Failures", "");
    for (const { c, r, f } of failures) lines.push(`- ${c} ${r.file}:${f.line} ${f.command}: ${f.detail}`);
  }
  const known = Object.entries(KNOWN_FAILURES).flatMap(([file, entries]) =>
    Object.entries(entries).map(([line, k]) => `- ${file}:${line} (${k.engines.join(", ")}): ${k.reason}`)
  );
  lines.push("", "## Known failures", "", ...known, "");
  return lines.join("\n");
}

process.exitCode = await main();
