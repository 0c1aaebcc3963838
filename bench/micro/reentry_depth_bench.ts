/**
 * Measurement: how much of the JS stack re-entry (wasm -> host import -> export -> ...) uses at the deepest level
 * allowed, `MAX_NESTING` (1,000) in lib/engine/engine.ts, and how many levels the host's default stack could hold.
 *
 * A host import probes the JS stack left (frames of a one-line recursive function until the RangeError) at nesting
 * levels 1 and 1,000: the stack still free at level 1,000 is the safety margin, and the difference over 999 levels
 * is one level's cost, from which the levels that fit follow. It does so for `callSync` and for async calls, first
 * on cold code (the first deep call of the process) and then warm.
 *
 * Run: `deno run -A bench/micro/reentry_depth_bench.ts` and `bun bench/micro/reentry_depth_bench.ts`.
 *
 * @module
 */

import { type ExportedFunction, instantiate, parseWat } from "../../mod.ts";

const DEEPEST = 1000;
const BYTES = parseWat(`(module (import "env" "re" (func $re (param i32) (result i32)))
  (func (export "f") (param i32) (result i32) (call $re (i32.add (local.get 0) (i32.const 1)))))`);

let frames = 0;
function down(): void {
  frames++;
  down();
}
/** Frames of `down` that fit in the JS stack left. */
function headroom(): number {
  frames = 0;
  try {
    down();
  } catch { /* the stack overflow ends the probe */ }
  return frames;
}

async function measure(sync: boolean): Promise<{ free: number; fit: number }> {
  const left = new Map<number, number>();
  const self: { f?: ExportedFunction } = {};
  const re = (n: number): unknown => {
    if (n === 1 || n === DEEPEST) left.set(n, headroom());
    if (n >= DEEPEST) return n;
    return sync ? self.f!.callSync(n) : self.f!(n);
  };
  const { instance } = await instantiate(BYTES, { env: { re } });
  self.f = instance.exports.f as ExportedFunction;
  await (sync ? self.f.callSync(0) : self.f(0));
  const top = left.get(1)!, deepest = left.get(DEEPEST)!;
  const perLevel = (top - deepest) / (DEEPEST - 1);
  return { free: deepest / top, fit: Math.floor(DEEPEST + deepest / perLevel) };
}

for (let i = 0; i < 3; i++) headroom(); // the probe itself warm, so its frames have one size
const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "this runtime";
console.log(`${runtime}: JS stack still free at re-entry level ${DEEPEST}, and the levels that would fit`);
for (const round of ["cold", "warm", "warm"]) {
  for (const sync of [true, false]) {
    const { free, fit } = await measure(sync);
    console.log(`${round} ${sync ? "callSync" : "async   "}: ${(free * 100).toFixed(0)}% free, ${fit} levels fit`);
  }
}
