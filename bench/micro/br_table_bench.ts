/**
 * Micro-benchmark: what one `br_table` dispatch costs in Kiln. A loop of N iterations picks one of 8 cases with
 * `br_table` on `i & 7` (each case adds a different constant); the same loop with the case chosen arithmetically
 * (no branch) is the baseline. The difference per iteration is the br_table's cost (dispatch plus the jump back
 * into the loop body's join point). Native WebAssembly is shown for scale.
 *
 * Run: `deno run -A bench/micro/br_table_bench.ts` and `bun bench/micro/br_table_bench.ts`.
 *
 * @module
 */

import { type ExportedFunction, instantiate, parseWat } from "../../mod.ts";

const N = 5_000_000;
const REPS = 5;

const cases = Array.from({ length: 8 }, (_, k) => `(block $b${k}`).join(" ");
const arms = Array.from(
  { length: 8 },
  (_, j) => `) (local.set $acc (i32.add (local.get $acc) (i32.const ${(7 - j) * 3 + 1}))) (br $join)`, // closes $b(7-j)
).join("\n        ");
const SOURCE = `(module
  (func (export "table") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (block $join
        ${cases}
        (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 (i32.and (local.get $i) (i32.const 7)))
        ${arms})
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "plain") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.add (i32.mul (i32.and (local.get $i) (i32.const 7)) (i32.const 3)) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

const bytes = parseWat(SOURCE);

function median(run: () => unknown): { ms: number; out: unknown } {
  const out = run();
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    if (run() !== out) throw new Error("result changed");
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[REPS >> 1]!, out };
}

const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports as Record<
  string,
  (n: number) => number
>;
const { instance } = await instantiate(bytes);
const kiln = instance.exports as Record<string, ExportedFunction>;
const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "Node";
console.log(`${runtime}: ns per loop iteration (median of ${REPS}, ${N} iterations)`);
for (
  const [label, call] of [
    ["native", (name: string) => native[name]!(N)],
    ["Kiln", (name: string) => kiln[name]!.callSync(N)],
  ] as const
) {
  const t = median(() => call("table")), p = median(() => call("plain"));
  if (t.out !== p.out) throw new Error(`${label}: the two loops disagree (${t.out} vs ${p.out})`);
  const ns = (ms: number) => (ms * 1e6 / N).toFixed(2);
  console.log(
    `${label.padEnd(8)} br_table loop ${ns(t.ms)}  arithmetic loop ${ns(p.ms)}  difference ${ns(t.ms - p.ms)}`,
  );
}
