/**
 * Micro-benchmark: nanoseconds per wasm→JS import call. A wasm loop calls an imported `(i32) -> i32` function N
 * times; the time per call (loop included, which is small next to the call) is reported for: the host's native
 * WebAssembly; Kiln's `callSync`; Kiln's async export (the default API) with an import returning a plain value; and
 * Kiln's async export with an import returning a Promise (every call suspends the wasm stack and resumes it); and the
 * same on Kiln's native engine (`engine: "native"`), also with the imports declared `synchronous()` (called without
 * JSPI: a Suspending import always suspends, even when it returns a plain value).
 * A second table does the same with a `(i32, i32, i32) -> i32` import and a `() -> ()` import.
 *
 * Run: `deno run -A bench/micro/host_call_bench.ts` and `bun bench/micro/host_call_bench.ts`.
 *
 * @module
 */

import { type EngineName, type ExportedFunction, instantiate, parseWat, synchronous } from "../../mod.ts";

const N = 1_000_000;
const N_PROMISE = 100_000;
const REPS = 5;

const SOURCE = `(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "g" (func $g (param i32 i32 i32) (result i32)))
  (import "env" "h" (func $h))
  (func (export "one") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $f (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "three") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $g (local.get $i) (local.get $acc) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "none") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (call $h)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))`;

const bytes = parseWat(SOURCE);
const f = (x: number) => (x + 1) | 0;
const g = (x: number, y: number, z: number) => (x ^ y) + z | 0;
const h = () => {};
const plain = { env: { f, g, h } };
const promised = {
  env: {
    f: (x: number) => Promise.resolve(f(x)),
    g: (x: number, y: number, z: number) => Promise.resolve(g(x, y, z)),
    h: () => Promise.resolve(),
  },
};

type Run = (name: string, n: number) => Promise<unknown>;

function nativeRunner(): Promise<Run> {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), plain);
  const e = instance.exports as Record<string, (n: number) => number>;
  const run: Run = (name, n) => Promise.resolve(e[name]!(n));
  return Promise.resolve(run);
}

const declared = { env: { f: synchronous(f), g: synchronous(g), h: synchronous(h) } };

async function kilnRunner(
  mode: "sync" | "async" | "promise" | "declared",
  engine: EngineName = "interpreter",
): Promise<Run> {
  const imports = mode === "promise" ? promised : mode === "declared" ? declared : plain;
  const { instance } = await instantiate(bytes, imports, { engine });
  const e = instance.exports as Record<string, ExportedFunction>;
  if (mode === "sync") return (name, n) => Promise.resolve(e[name]!.callSync(n));
  return (name, n) => e[name]!(n);
}

/** Median ns per call over REPS runs (after one warm-up run). */
async function measure(run: Run, name: string, n: number): Promise<number> {
  const expected = await run(name, n);
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    const out = await run(name, n);
    times.push(performance.now() - t);
    if (out !== expected) throw new Error(`${name}: result changed (${out} vs ${expected})`);
  }
  times.sort((a, b) => a - b);
  return times[REPS >> 1]! * 1e6 / n;
}

const configs: [string, () => Promise<Run>, number][] = [
  ["native WebAssembly", nativeRunner, N],
  ["Kiln callSync", () => kilnRunner("sync"), N],
  ["Kiln async export, plain import", () => kilnRunner("async"), N],
  ["Kiln async export, Promise import", () => kilnRunner("promise"), N_PROMISE],
  ["native engine callSync", () => kilnRunner("sync", "native"), N],
  ["native engine async, plain import", () => kilnRunner("async", "native"), N_PROMISE],
  ["native engine async, synchronous()", () => kilnRunner("declared", "native"), N],
  ["native engine async, Promise import", () => kilnRunner("promise", "native"), N_PROMISE],
];
const kinds: [string, string][] = [["one", "(i32)->i32"], ["three", "(i32,i32,i32)->i32"], ["none", "()->()"]];

const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "Node";
const runners: Run[] = [];
for (const [, make] of configs) runners.push(await make());
// A first pass over every configuration warms the engine's JIT for all of them (its numbers are discarded).
for (let c = 0; c < configs.length; c++) {
  for (const [name] of kinds) await measure(runners[c]!, name, configs[c]![2] / 10);
}
console.log(`${runtime}: ns per wasm→JS import call (median of ${REPS})`);
console.log(["configuration".padEnd(34), ...kinds.map(([, k]) => k.padStart(20))].join(""));
for (let c = 0; c < configs.length; c++) {
  const cells: string[] = [];
  for (const [name] of kinds) cells.push((await measure(runners[c]!, name, configs[c]![2])).toFixed(1).padStart(20));
  console.log([configs[c]![0].padEnd(34), ...cells].join(""));
}
