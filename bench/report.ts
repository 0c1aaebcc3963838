/**
 * Presentation for the benchmark harness: runtime and machine description, plain-text and Markdown tables, and the
 * per-runtime sections of BENCHMARKS.md.
 *
 * @module
 */
import { markdownTable as paddedMarkdownTable } from "../tools/_markdown_table.ts";
import { availableParallelism, cpus, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** The JavaScript runtime running the harness. */
export interface RuntimeInfo {
  /** "deno", "bun" or "node": also the key of this runtime's sections in BENCHMARKS.md. */
  readonly name: "deno" | "bun" | "node";
  /** e.g. "Deno 2.9.6 (V8 15.0.245.2-rusty)". */
  readonly description: string;
}

/** The machine the harness runs on. */
export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  /** 1-minute load average when the run started: other work on the machine makes timings noisy. */
  readonly loadAverage: number;
}

interface RuntimeGlobals {
  Deno?: { version: { deno: string; v8: string } };
  Bun?: { version: string; revision?: string };
  process?: { version: string; versions: Record<string, string | undefined> };
}

/**
 * Identifies the runtime and its JavaScript engine version.
 *
 * @returns the runtime's key and a readable description
 * @example
 * ```ts
 * import { runtimeInfo } from "./report.ts";
 * console.log(runtimeInfo().description);
 * ```
 */
export function runtimeInfo(): RuntimeInfo {
  const g = globalThis as RuntimeGlobals;
  if (g.Deno) return { name: "deno", description: `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})` };
  if (g.Bun) {
    const webkit = g.process?.versions.webkit;
    return {
      name: "bun",
      description: `Bun ${g.Bun.version} (JavaScriptCore, WebKit ${webkit ? webkit.slice(0, 12) : "unknown"})`,
    };
  }
  const p = g.process;
  return { name: "node", description: `Node ${p?.version ?? "?"} (V8 ${p?.versions.v8 ?? "?"})` };
}

/**
 * Describes the machine: processor count (as `nproc` reports it) and CPU model from /proc/cpuinfo.
 *
 * @returns processor count and model name ("unknown" when /proc/cpuinfo is unreadable)
 * @example
 * ```ts
 * import { machineInfo } from "./report.ts";
 * const m = machineInfo();
 * console.log(`${m.nproc} x ${m.cpuModel}`);
 * ```
 */
export function machineInfo(): MachineInfo {
  let cpuModel = "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpuModel = m[1].trim();
  } catch {
    cpuModel = cpus()[0]?.model ?? "unknown";
  }
  let nproc: number;
  try {
    nproc = availableParallelism();
  } catch {
    nproc = cpus().length;
  }
  let loadAverage = NaN;
  try {
    loadAverage = loadavg()[0];
  } catch {
    // Not every runtime implements os.loadavg.
  }
  return { nproc, cpuModel, loadAverage };
}

/**
 * The repository's commit (`git rev-parse --short HEAD`), with "+changes" when the working tree differs from it.
 *
 * @param cwd a folder inside the repository
 * @returns e.g. "b6a4395+changes", or "unknown" when git is unavailable
 * @example
 * ```ts
 * import { gitCommit } from "./report.ts";
 * console.log(gitCommit("."));
 * ```
 */
export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8" });
    return dirty.trim() === "" ? head : `${head}+changes`;
  } catch {
    return "unknown";
  }
}

/** Column alignment: "l" left, "r" right. */
export type Align = "l" | "r";

/**
 * Renders rows as a padded plain-text table with a header rule.
 *
 * @param headers column titles
 * @param rows cells, already formatted
 * @param options `align`: per-column alignment (default: first and last columns left, others right)
 * @returns the table, lines joined with "\n"
 * @example
 * ```ts
 * import { textTable } from "./report.ts";
 * console.log(textTable(["name", "ms"], [["noop", "0.1"]]));
 * ```
 */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { align?: Align[] } = {},
): string {
  const al = options.align ?? headers.map((_, i) => (i === 0 || i === headers.length - 1 ? "l" : "r"));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (al[i] === "l" ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * Renders rows as a GitHub Markdown table (pipes in cells escaped).
 *
 * @param headers column titles
 * @param rows cells, already formatted
 * @param options `align`: per-column alignment (default: first and last columns left, others right)
 * @returns the table, lines joined with "\n"
 * @example
 * ```ts
 * import { markdownTable } from "./report.ts";
 * console.log(markdownTable(["name", "ms"], [["noop", "0.1"]]));
 * ```
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { align?: Align[] } = {},
): string {
  const al = options.align ?? headers.map((_, i) => (i === 0 || i === headers.length - 1 ? "l" : "r"));
  // Why: laid out as `deno fmt` would, so BENCHMARKS.md stays fmt-clean whichever runtime writes it.
  return paddedMarkdownTable(headers, rows, al);
}

/** The heading BENCHMARKS.md starts with when the harness creates it. */
export const BENCHMARKS_HEADER = `# Kiln benchmarks

Written by \`deno task bench\` and \`node_modules/.bin/bun bench/run.ts\` (see \`bench/run.ts --help\`). Each runtime
keeps its own sections, replaced on every full run; text outside the marked sections is kept.

- Programs: the Sightglass candidates in \`../shared/benchmarks/sightglass\`, each run on the host's native
  \`WebAssembly\` and on Kiln in the same process, with Kiln's WASI layer for both (the program's folder preopened as
  \`.\`, empty stdin, stdout and stderr checked against the \`*.expected\` files where the suite has them).
- Times are the span between the program's \`bench.start\` and \`bench.end\` calls (median of the repetitions);
  "Kiln load" is compile + instantiate from bytes in memory (Kiln translates function bodies lazily, so translation
  is counted in the run time). Ratio = Kiln / native. The geometric mean leaves out failed runs and programs whose
  native time is below 0.1 ms (noop, loops V8 optimizes away), where a ratio means nothing.
`;

/**
 * Replaces the section marked `key` in a BENCHMARKS.md text, or appends it when absent. Sections are delimited by
 * `<!-- bench:KEY -->` and `<!-- /bench:KEY -->` lines; everything else in the document is kept.
 *
 * @param doc the current document ("" when the file does not exist yet: the standard header is added)
 * @param section `key`: the section's key, e.g. "deno" or "bun-compare-fuel"; `body`: its Markdown content
 * @returns the new document
 * @example
 * ```ts
 * import { replaceSection } from "./report.ts";
 * const doc = replaceSection("", { key: "deno", body: "## Deno\n..." });
 * console.log(replaceSection(doc, { key: "deno", body: "## Deno (new)\n" }).includes("(new)")); // true
 * ```
 */
export function replaceSection(doc: string, section: { key: string; body: string }): string {
  const { key, body } = section;
  const open = `<!-- bench:${key} -->`;
  const close = `<!-- /bench:${key} -->`;
  // Why: blank lines around the body keep the document `deno fmt`-clean (it separates HTML comments from headings).
  const block = `${open}\n\n${body.trim()}\n\n${close}`;
  const base = doc.trim() === "" ? BENCHMARKS_HEADER : doc;
  const start = base.indexOf(open);
  const end = start < 0 ? -1 : base.indexOf(close, start);
  if (start >= 0 && end >= 0) return base.slice(0, start) + block + base.slice(end + close.length);
  return `${base.trimEnd()}\n\n${block}\n`;
}
