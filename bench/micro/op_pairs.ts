/**
 * Dynamic op and op-pair histogram of the interpreter's slot code on a WASI program (e.g. a Sightglass benchmark):
 * which internal ops run most, and which op follows which — the candidates for fusions that remove dispatches.
 *
 * It copies `lib/` and `wasi.ts`/`mod.ts` to a temporary folder, instruments that copy's dispatch loop (a counter
 * per (previous op, op) pair), runs the program there and prints the top ops and pairs. The real machine is never
 * touched.
 *
 * Run: `deno run -A bench/micro/op_pairs.ts <program.wasm> [top]` (or `bun bench/micro/op_pairs.ts …`); the
 * program's folder is preopened as "." and its `bench.start`/`bench.end` imports are provided.
 *
 * @module
 */

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
if (args.length < 1) {
  console.error("usage: op_pairs.ts <program.wasm> [top]");
  process.exit(2);
}
const program = resolve(args[0]!);
const top = Number(args[1] ?? 30);

const dir = mkdtempSync(join(tmpdir(), "kiln-op-pairs-"));
try {
  cpSync(join(root, "lib"), join(dir, "lib"), { recursive: true });
  for (const f of ["mod.ts", "wasi.ts"]) cpSync(join(root, f), join(dir, f));
  const machinePath = join(dir, "lib", "exec", "machine.ts");
  let src = readFileSync(machinePath, "utf8");
  const patch = (from: string, to: string) => {
    if (!src.includes(from)) throw new Error(`op_pairs: machine.ts no longer contains ${JSON.stringify(from)}`);
    src = src.replace(from, to);
  };
  patch(
    "const NO_MEMORY = EMPTY_MEMORY_VIEW;\n",
    "const NO_MEMORY = EMPTY_MEMORY_VIEW;\nexport const PAIRS = new Float64Array(2048 * 2048);\n",
  );
  patch(
    "    try {\n      for (;;) {\n        const op = code[pc++]!;\n",
    "    let prevOp = 0;\n    try {\n      for (;;) {\n        const op = code[pc++]!;\n        PAIRS[prevOp * 2048 + op]++;\n        prevOp = op;\n",
  );
  writeFileSync(machinePath, src);

  const { PAIRS } = await import(join(dir, "lib", "exec", "machine.ts")) as { PAIRS: Float64Array };
  const { ISA_NAMES } = await import(join(dir, "lib", "compile", "isa.ts")) as { ISA_NAMES: Map<number, string> };
  const { runWasi } = await import(join(dir, "wasi.ts")) as typeof import("../../wasi.ts");
  const t = performance.now();
  const code = await runWasi(readFileSync(program), {
    args: [basename(program)],
    preopens: { ".": dirname(program) },
    stdout: () => {},
    stderr: () => {},
    imports: { bench: { start: () => {}, end: () => {} } },
  });
  console.log(`${basename(program)}: exit ${code}, ${(performance.now() - t).toFixed(0)} ms (instrumented)`);

  const N = 2048; // op numbers are below it (SIMD ops from isa.ts's SIMD_BASE, 1024)
  const name = (c: number) => ISA_NAMES.get(c) ?? `#${c}`;
  const singles = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < PAIRS.length; i++) {
    total += PAIRS[i]!;
    singles[i % N]! += PAIRS[i]!;
  }
  const pct = (x: number) => `${(100 * x / total).toFixed(2).padStart(6)}%`;
  console.log(`${total.toExponential(3)} dispatches\ntop ops:`);
  for (const c of [...singles.keys()].sort((a, b) => singles[b]! - singles[a]!).slice(0, top)) {
    if (singles[c]! > 0) console.log(`  ${pct(singles[c]!)}  ${name(c)}`);
  }
  console.log("top pairs (op -> next op):");
  const pairs = [...PAIRS.keys()].filter((i) => PAIRS[i]! > 0).sort((a, b) => PAIRS[b]! - PAIRS[a]!);
  for (const i of pairs.slice(0, top)) {
    console.log(`  ${pct(PAIRS[i]!)}  ${name(Math.floor(i / N))} -> ${name(i % N)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
