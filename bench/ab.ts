/**
 * A/B of two checkouts: runs the benchmark harness (`bench/run.ts --json --no-write --no-startup`, plus any harness
 * options given) alternately in a baseline checkout and in this one, round after round, so both see the same
 * machine load, and prints per benchmark the median Kiln/native ratio of each side and the change, then the geometric
 * means. Each run measures native WebAssembly beside Kiln, so a ratio already discounts the machine's speed of the
 * moment.
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
    { label: "base", dir: resolve(base), ratios: new Map(), commits: new Set() },
    { label: "new", dir: here, ratios: new Map(), commits: new Set() },
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
  const rows = names.map((n) => {
    const ra = a.ratios.get(n)!, rb = b.ratios.get(n)!;
    return { n, base: median(ra), now: median(rb), baseMin: Math.min(...ra), nowMin: Math.min(...rb) };
  });
  const pct = (x: number, y: number) => `${((y / x - 1) * 100).toFixed(1)}%`;
  console.log(`runtime: ${isBun ? "bun" : "deno"}; base ${[...a.commits]} (${a.dir}), new ${[...b.commits]}`);
  console.log(`rounds: ${rounds}; ratio = Kiln ms / native ms in the same run; median and minimum over rounds`);
  console.log("benchmark | base median | new median | change | base min | new min | change");
  for (const r of rows) {
    console.log(
      `${r.n} | ${r.base.toFixed(2)} | ${r.now.toFixed(2)} | ${pct(r.base, r.now)} | ${r.baseMin.toFixed(2)} | ${
        r.nowMin.toFixed(2)
      } | ${pct(r.baseMin, r.nowMin)}`,
    );
  }
  const gBase = geomean(rows.map((r) => r.base)), gNow = geomean(rows.map((r) => r.now));
  const gBaseMin = geomean(rows.map((r) => r.baseMin)), gNowMin = geomean(rows.map((r) => r.nowMin));
  console.log(
    `geomean | ${gBase.toFixed(2)} | ${gNow.toFixed(2)} | ${pct(gBase, gNow)} | ${gBaseMin.toFixed(2)} | ${
      gNowMin.toFixed(2)
    } | ${pct(gBaseMin, gNowMin)}`,
  );
}

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
main(args);
