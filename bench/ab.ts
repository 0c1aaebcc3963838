/**
 * A/B of two checkouts: runs the benchmark harness (`bench/run.ts --json --no-write --no-startup`, plus any harness
 * options given) alternately in a baseline checkout and in this one, round after round, so both see the same
 * machine load, and prints per benchmark the median Kiln/native ratio of each side and the change, then the geometric
 * means; and the same for Kiln's milliseconds alone. Each run measures native WebAssembly beside Kiln, so a ratio
 * discounts the machine's speed of the moment, but it also carries native's own noise: read both.
 *
 * Run: `deno run -A bench/ab.ts --base ../kiln-old --rounds 3 -- --quick` (Deno) or
 * `bun bench/ab.ts --base ../kiln-old --rounds 3 -- --quick` (Bun; each side runs under the runtime running this).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import type { BenchReport } from "./run.ts";
import { geomean, median } from "./stats.ts";

const USAGE = `Usage: deno run -A bench/ab.ts --base DIR [--rounds N] [-- HARNESS_OPTIONS...]

Runs bench/run.ts alternately in DIR (the baseline checkout) and in this checkout, N rounds (default 3), under the
runtime that runs this script, and prints median Kiln/native ratios per benchmark, the change, and geomeans.`;

interface Side {
  readonly label: string;
  readonly dir: string;
  /** Per benchmark, the ratio of each round (only benchmarks the harness counts in its geomean). */
  readonly ratios: Map<string, number[]>;
  /** Per benchmark, Kiln's median milliseconds of each round. */
  readonly kilnMs: Map<string, number[]>;
  readonly commits: Set<string>;
}

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

function runHarness(side: Side, harnessArgs: readonly string[]): void {
  const runtime = isBun ? [process.execPath] : [process.execPath, "run", "-A"];
  const args = [...runtime.slice(1), "bench/run.ts", "--json", "--no-write", "--no-startup", ...harnessArgs];
  const r = spawnSync(runtime[0]!, args, { cwd: side.dir, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${side.label}: bench/run.ts exited ${r.status}\n${r.stderr}`);
  const report = JSON.parse(r.stdout) as BenchReport;
  side.commits.add(report.commit);
  const kiln = report.comparisons.find((c) => c.candidateLabel !== undefined)!;
  for (const row of kiln.rows) {
    if (!row.inGeomean || !(row.ratio > 0)) continue;
    let list = side.ratios.get(row.name);
    if (list === undefined) side.ratios.set(row.name, list = []);
    list.push(row.ratio);
    let ms = side.kilnMs.get(row.name);
    if (ms === undefined) side.kilnMs.set(row.name, ms = []);
    ms.push(row.candidate!.benchMs);
  }
}

function main(argv: readonly string[]): void {
  const dash = argv.indexOf("--");
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const harnessArgs = dash < 0 ? [] : argv.slice(dash + 1);
  let base: string | undefined, rounds = 3;
  for (let i = 0; i < own.length; i++) {
    if (own[i] === "--base") base = own[++i];
    else if (own[i] === "--rounds") rounds = Number(own[++i]);
    else if (own[i] === "--help" || own[i] === "-h") return console.log(USAGE);
    else throw new Error(`unknown option ${own[i]}\n${USAGE}`);
  }
  if (base === undefined || !(rounds >= 1)) throw new Error(USAGE);
  const here = fileURLToPath(new URL("../", import.meta.url));
  const sides: Side[] = [
    { label: "base", dir: resolve(base), ratios: new Map(), kilnMs: new Map(), commits: new Set() },
    { label: "new", dir: here, ratios: new Map(), kilnMs: new Map(), commits: new Set() },
  ];
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so neither always runs on a machine the other just warmed or loaded.
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      console.error(`round ${round + 1}/${rounds}: ${side.label} (${side.dir})`);
      runHarness(side, harnessArgs);
    }
  }
  const [a, b] = sides as [Side, Side];
  const names = [...a.ratios.keys()].filter((n) => b.ratios.has(n));
  const pct = (x: number, y: number) => `${((y / x - 1) * 100).toFixed(1)}%`;
  console.log(`runtime: ${isBun ? "bun" : "deno"}; base ${[...a.commits]} (${a.dir}), new ${[...b.commits]}`);
  console.log(`rounds: ${rounds}; median and minimum over rounds`);
  for (const [what, pick] of [["Kiln ms / native ms in the same run", "ratios"], ["Kiln ms", "kilnMs"]] as const) {
    const rows = names.map((n) => {
      const ra = a[pick].get(n)!, rb = b[pick].get(n)!;
      return { n, base: median(ra), now: median(rb), baseMin: Math.min(...ra), nowMin: Math.min(...rb) };
    });
    console.log(`\n${what}\nbenchmark | base median | new median | change | base min | new min | change`);
    const line = (n: string, x: number, y: number, xm: number, ym: number) =>
      console.log(
        `${n} | ${x.toFixed(2)} | ${y.toFixed(2)} | ${pct(x, y)} | ${xm.toFixed(2)} | ${ym.toFixed(2)} | ${
          pct(xm, ym)
        }`,
      );
    for (const r of rows) line(r.n, r.base, r.now, r.baseMin, r.nowMin);
    const g = (f: (r: typeof rows[number]) => number) => geomean(rows.map(f));
    line("geomean", g((r) => r.base), g((r) => r.now), g((r) => r.baseMin), g((r) => r.nowMin));
  }
}

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
main(args);
