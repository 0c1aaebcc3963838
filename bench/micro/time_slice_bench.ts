/**
 * Micro-benchmark: what the time-slicing and timeout options cost on a CPU-bound loop (a counting loop of 7 units
 * per iteration, 30M iterations), compared with no option at all:
 * - `fuel` (metering on, for reference), `fuelYieldInterval` 10,000 and 100,000 (a macrotask yield each time);
 * - `yieldEveryMs` 5 and 50 (clock read every 10,000 units; a macrotask yield only when the slice is over);
 * - `callTimeoutMs` (clock read every 10,000 units, never a yield).
 * Then the cost of one clock check, amplified: `yieldEveryMs` with a clock read every 20 units, against metering
 * alone. On a loaded 2-core machine (2026-11-24) the variants were within run-to-run noise of each other; the
 * amplified check cost was about 220 ns on Deno and 120-360 ns on Bun, against 40-110 µs for 10,000 units: under 1%.
 *
 * Run: `deno run -A bench/micro/time_slice_bench.ts` and `bun bench/micro/time_slice_bench.ts`.
 *
 * @module
 */

import { instantiate, parseWat, type StoreOptions } from "../../mod.ts";

const N = 30_000_000;
const BYTES = parseWat(`(module
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
    (local.get 1)))`);

const variants: [string, StoreOptions][] = [
  ["none", {}],
  ["fuel", { fuel: 2 ** 50 }],
  ["fuelYieldInterval 10000", { fuelYieldInterval: 10_000 }],
  ["fuelYieldInterval 100000", { fuelYieldInterval: 100_000 }],
  ["yieldEveryMs 5", { yieldEveryMs: 5 }],
  ["yieldEveryMs 50", { yieldEveryMs: 50 }],
  ["callTimeoutMs 60000", { callTimeoutMs: 60_000 }],
  ["yieldEveryMs 5 + fuelYieldInterval 100000", { yieldEveryMs: 5, fuelYieldInterval: 100_000 }],
];

async function time(options: StoreOptions): Promise<number> {
  const { instance } = await instantiate(BYTES, {}, options);
  const count = instance.exports.count as (n: number) => Promise<number>;
  await count(1_000_000); // warm-up
  const t = performance.now();
  if ((await count(N)) !== N) throw new Error("wrong result");
  return performance.now() - t;
}

const results = new Map<string, number[]>();
for (let round = 0; round < 5; round++) {
  for (const [name, options] of variants) {
    const list = results.get(name) ?? [];
    list.push(await time(options));
    results.set(name, list);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = median(results.get("none")!);
for (const [name, list] of results) {
  const ms = median(list);
  console.log(
    `${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${((ms / base - 1) * 100).toFixed(1).padStart(6)} %`,
  );
}

const checkBase = median(results.get("fuel")!);
const { instance } = await instantiate(BYTES, {}, { fuel: 2 ** 50, fuelYieldInterval: 20, yieldEveryMs: 60_000 });
const count = instance.exports.count as (n: number) => Promise<number>;
await count(1_000_000);
const runs: number[] = [];
for (let round = 0; round < 5; round++) {
  const t = performance.now();
  await count(N);
  runs.push(performance.now() - t);
}
const checks = (7 * N + 1) / 21;
console.log(`clock check: ${((median(runs) - checkBase) * 1e6 / checks).toFixed(0)} ns each (every 20 units)`);
