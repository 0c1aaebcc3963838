/**
 * Summarises a V8 CPU profile (`deno run --cpu-prof …` writes `*.cpuprofile`): the functions with the most self
 * time, with their share of all samples. Used to point the engine's authors at the hot spots of a benchmark.
 *
 * Usage: `deno run -A bench/profile_summary.ts PROFILE.cpuprofile [--top N]`
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** The parts of a `.cpuprofile` document the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
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
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    console.log(`${file}\n${formatSelfTimes(selfTimes(profile), { top })}`);
  }
}
