/**
 * Summarises a V8 CPU profile (`deno run --cpu-prof …` writes `*.cpuprofile`): the functions with the most self
 * time, with their share of all samples. Used to point the engine's authors at the hot spots of a benchmark.
 *
 * Usage: `deno run -A bench/profile_summary.ts PROFILE.cpuprofile [--top N] [--lines]`; `--lines` adds the hottest
 * source lines (V8's per-line ticks), which inside the machine's big `switch` point at single opcodes.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The parts of a `.cpuprofile` document the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    positionTicks?: { line: number; ticks: number }[];
  }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** One function's share of the profile. */
export interface SelfTimeEntry {
  /** `name (file:line)`; nodes of the same function at different call sites are merged. */
  readonly fn: string;
  readonly selfMs: number;
  /** Percent of all sampled time. */
  readonly percent: number;
}

function shortUrl(url: string): string {
  const i = url.indexOf("/main/");
  if (i >= 0) return url.slice(i + "/main/".length);
  return url.replace(/^file:\/\//, "");
}

/**
 * Computes self time per function. Each sample is charged the interval up to the next sample (the last one the
 * mean interval), so the total equals the sampled duration.
 *
 * @param profile a parsed `.cpuprofile`
 * @returns entries sorted by self time, largest first
 * @example
 * ```ts
 * import { selfTimes } from "./profile_summary.ts";
 * const p = { nodes: [{ id: 1, callFrame: { functionName: "run", url: "", lineNumber: 0, columnNumber: 0 } }],
 *   samples: [1, 1], timeDeltas: [0, 1000], startTime: 0, endTime: 2000 };
 * console.log(selfTimes(p)[0].fn); // "run"
 * ```
 */
export function selfTimes(profile: CpuProfile): SelfTimeEntry[] {
  const keyOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const name = f.functionName || "(anonymous)";
    keyOf.set(n.id, f.url ? `${name} (${shortUrl(f.url)}:${f.lineNumber + 1})` : name);
  }
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0) {
    const mean = (profile.endTime - profile.startTime) / samples.length;
    for (let i = 0; i < samples.length; i++) {
      const us = i + 1 < deltas.length ? Math.max(0, deltas[i + 1]) : mean;
      const k = keyOf.get(samples[i]) ?? "(unknown)";
      totals.set(k, (totals.get(k) ?? 0) + us);
    }
  } else {
    // Profiles without a sample list carry hit counts only.
    const hits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
    const per = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
    for (const n of profile.nodes) {
      const k = keyOf.get(n.id)!;
      totals.set(k, (totals.get(k) ?? 0) + (n.hitCount ?? 0) * per);
    }
  }
  let sum = 0;
  for (const v of totals.values()) sum += v;
  return [...totals.entries()]
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: sum > 0 ? (100 * us) / sum : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** One source line's share of the samples that carry line positions. */
export interface LineTicks {
  readonly url: string;
  /** 1-based line number. */
  readonly line: number;
  readonly ticks: number;
  /** Percent of all line-attributed ticks. */
  readonly percent: number;
}

/**
 * Sums V8's per-line ticks (`positionTicks`) over all nodes, per source line.
 *
 * @param profile a parsed `.cpuprofile`
 * @returns lines sorted by ticks, most first (empty when the profile has no line positions)
 * @example
 * ```ts
 * import { lineTicks } from "./profile_summary.ts";
 * const frame = { functionName: "run", url: "file:///m.ts", lineNumber: 0, columnNumber: 0 };
 * const p = { nodes: [{ id: 1, callFrame: frame, positionTicks: [{ line: 7, ticks: 3 }] }], startTime: 0, endTime: 1 };
 * console.log(lineTicks(p)[0].line); // 7
 * ```
 */
export function lineTicks(profile: CpuProfile): LineTicks[] {
  const totals = new Map<string, { url: string; line: number; ticks: number }>();
  let sum = 0;
  for (const n of profile.nodes) {
    for (const t of n.positionTicks ?? []) {
      const key = `${n.callFrame.url}:${t.line}`;
      const e = totals.get(key) ?? { url: n.callFrame.url, line: t.line, ticks: 0 };
      e.ticks += t.ticks;
      totals.set(key, e);
      sum += t.ticks;
    }
  }
  return [...totals.values()]
    .map((e) => ({ ...e, percent: sum > 0 ? (100 * e.ticks) / sum : 0 }))
    .sort((a, b) => b.ticks - a.ticks);
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Maps generated (JavaScript) lines to original (TypeScript) lines from a source map's `mappings` string: each
 * generated line maps to the original line of its first segment that names a source.
 *
 * @param mappings the source map's `mappings` (base64 VLQ, `;` between generated lines, `,` between segments)
 * @returns for each 0-based generated line, the 0-based original line, or -1 when unmapped
 * @example
 * ```ts
 * import { sourceMapLines } from "./profile_summary.ts";
 * console.log(sourceMapLines("AAAA;AACA;;AAEA")); // [0, 1, -1, 3]
 * ```
 */
export function sourceMapLines(mappings: string): number[] {
  const out: number[] = [];
  let originalLine = 0;
  for (const lineText of mappings.split(";")) {
    let mapped = -1;
    for (const segment of lineText.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        originalLine += fields[2];
        if (mapped < 0) mapped = originalLine;
      }
    }
    out.push(mapped);
  }
  return out;
}

/**
 * For a `file://` module run by Deno, reads the JavaScript Deno emitted for it (in `$DENO_DIR/gen`, where the
 * profile's line numbers point) and returns its generated-to-original line map from the inline source map.
 *
 * @param url the module URL from the profile
 * @returns the line map, or undefined when the emitted file or its source map is not found
 * @example
 * ```ts
 * import { denoEmitLineMap } from "./profile_summary.ts";
 * console.log(denoEmitLineMap("file:///work/main/lib/exec/machine.ts")?.length);
 * ```
 */
export function denoEmitLineMap(url: string): number[] | undefined {
  if (!url.startsWith("file://")) return undefined;
  const denoDir =
    (globalThis as { Deno?: { env: { get(k: string): string | undefined } } }).Deno?.env.get("DENO_DIR") ??
      join(homedir(), ".cache", "deno");
  const emitted = join(denoDir, "gen", "file", `${new URL(url).pathname}.js`);
  if (!existsSync(emitted)) return undefined;
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)/.exec(
    readFileSync(emitted, "utf8"),
  );
  if (!m) return undefined;
  const map = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0))));
  return typeof map.mappings === "string" ? sourceMapLines(map.mappings) : undefined;
}

/**
 * Formats the top entries as lines `  12.3%   456.7 ms  name (file:line)`.
 *
 * @param entries from {@link selfTimes}
 * @param options `top`: how many lines (default 20)
 * @returns the text
 * @example
 * ```ts
 * import { formatSelfTimes } from "./profile_summary.ts";
 * console.log(formatSelfTimes([{ fn: "run", selfMs: 5, percent: 100 }]));
 * ```
 */
export function formatSelfTimes(entries: readonly SelfTimeEntry[], options: { top?: number } = {}): string {
  return entries.slice(0, options.top ?? 20).map((e) =>
    `${e.percent.toFixed(1).padStart(6)}%  ${e.selfMs.toFixed(1).padStart(9)} ms  ${e.fn}`
  ).join("\n");
}

if (import.meta.main) {
  const argv = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
    (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
  let top = 20;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--top") top = Number(argv[++i]);
    else files.push(argv[i]);
  }
  const lines = files.includes("--lines");
  const sourceCache = new Map<string, string[]>();
  const lineMaps = new Map<string, number[] | undefined>();
  // Deno profiles count lines of the emitted JavaScript; map them back to the TypeScript source when possible.
  const originalLine = (url: string, line: number) => {
    if (!lineMaps.has(url)) lineMaps.set(url, denoEmitLineMap(url));
    const mapped = lineMaps.get(url)?.[line - 1];
    return mapped !== undefined && mapped >= 0 ? mapped + 1 : undefined;
  };
  const sourceLine = (url: string, line: number) => {
    if (!url.startsWith("file://")) return "";
    if (!sourceCache.has(url)) {
      try {
        sourceCache.set(url, readFileSync(new URL(url), "utf8").split("\n"));
      } catch {
        sourceCache.set(url, []);
      }
    }
    return (sourceCache.get(url)![line - 1] ?? "").trim().slice(0, 100);
  };
  for (const file of files.filter((f) => f !== "--lines")) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    console.log(`${file}\n${formatSelfTimes(selfTimes(profile), { top })}`);
    if (lines) {
      console.log("hottest lines:");
      for (const l of lineTicks(profile).slice(0, top)) {
        const ts = originalLine(l.url, l.line);
        const where = ts !== undefined ? `${shortUrl(l.url)}:${ts}` : `${shortUrl(l.url)}:${l.line} (emitted JS)`;
        console.log(`${l.percent.toFixed(1).padStart(6)}%  ${where}  ${ts !== undefined ? sourceLine(l.url, ts) : ""}`);
      }
    }
  }
}
