/**
 * SIMD against scalar in the interpreter (issue 16): `testdata/simd_auto.c` built twice from the same source, at
 * `-O3 -msimd128` (`simd_auto.wasm`, autovectorized) and at `-O3` (`simd_auto_scalar.wasm`), each run in process on
 * Kiln's interpreter and on the host's native WebAssembly, interleaved, after one warm-up run of each. Prints the
 * median and minimum milliseconds per run and the ratio SIMD / scalar (below 1: the SIMD build is faster). Both
 * builds must print the same output, checked on every run.
 *
 * Usage: `deno task bench:simd [--passes N] [--rounds N]` (or `deno run -A bench/simd_vs_scalar.ts …`, `bun
 * bench/simd_vs_scalar.ts …`)
 * (`--passes` is the program's own argument: how many times it repeats its kernels; default 40).
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemoryFs, runWasi } from "../wasi.ts";
import { REPO_ROOT } from "./suite.ts";
import { median } from "./stats.ts";
import { gitCommit, machineInfo, textTable } from "./report.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const passes = flag("--passes", 40);
const rounds = flag("--rounds", 7);

const BUILDS = ["simd_auto", "simd_auto_scalar"] as const;
const bytes: Record<string, Uint8Array> = Object.fromEntries(
  BUILDS.map((b) => [b, new Uint8Array(readFileSync(join(REPO_ROOT, "testdata", `${b}.wasm`)))]),
);

/** One run on Kiln: milliseconds and stdout. */
async function kiln(wasm: Uint8Array): Promise<[number, string]> {
  let out = "";
  const decoder = new TextDecoder();
  const t0 = performance.now();
  const code = await runWasi(wasm, {
    args: ["simd_auto", String(passes)],
    fs: new MemoryFs(),
    stdin: "null",
    stdout: (d) => void (out += decoder.decode(d, { stream: true })),
  });
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`exit code ${code}`);
  return [ms, out];
}

/** One run on the host's WebAssembly with a minimal WASI (args, fd_write, proc_exit): milliseconds and stdout. */
function native(wasm: Uint8Array): [number, string] {
  let out = "";
  const state: { memory?: WebAssembly.Memory } = {};
  const argv = ["simd_auto", String(passes)].map((s) => new TextEncoder().encode(s + "\0"));
  class Exit {
    constructor(readonly code: number) {}
  }
  const wasi = {
    args_sizes_get: (pc: number, ps: number) => {
      const dv = new DataView(state.memory!.buffer);
      dv.setUint32(pc, argv.length, true);
      dv.setUint32(ps, argv.reduce((n, a) => n + a.length, 0), true);
      return 0;
    },
    args_get: (pv: number, pb: number) => {
      const dv = new DataView(state.memory!.buffer);
      for (const [i, a] of argv.entries()) {
        dv.setUint32(pv + 4 * i, pb, true);
        new Uint8Array(state.memory!.buffer, pb, a.length).set(a);
        pb += a.length;
      }
      return 0;
    },
    fd_write: (fd: number, iovs: number, n: number, nw: number) => {
      const dv = new DataView(state.memory!.buffer);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = dv.getUint32(iovs + 8 * i, true), len = dv.getUint32(iovs + 8 * i + 4, true);
        if (fd === 1) out += new TextDecoder().decode(new Uint8Array(state.memory!.buffer, p, len));
        total += len;
      }
      dv.setUint32(nw, total, true);
      return 0;
    },
    proc_exit: (code: number) => {
      throw new Exit(code);
    },
  };
  const module = new WebAssembly.Module(wasm as BufferSource);
  const imports: Record<string, Record<string, unknown>> = { wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module]![imp.name] = (wasi as Record<string, unknown>)[imp.name] ?? (() => 52); // ENOSYS
  }
  const t0 = performance.now();
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  state.memory = instance.exports.memory as WebAssembly.Memory;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof Exit) || e.code !== 0) throw e;
  }
  return [performance.now() - t0, out];
}

const times: Record<string, number[]> = {};
let expected: string | undefined;
for (let round = -1; round < rounds; round++) { // round -1: warm-up, not counted
  for (const b of BUILDS) {
    for (const [engine, run] of [["kiln", kiln], ["native", native]] as const) {
      const [ms, out] = await run(bytes[b]);
      expected ??= out;
      if (out !== expected) throw new Error(`${engine} ${b}: output differs`);
      if (round >= 0) (times[`${engine} ${b}`] ??= []).push(ms);
    }
  }
}

const row = (engine: string) => {
  const simd = times[`${engine} simd_auto`]!, scalar = times[`${engine} simd_auto_scalar`]!;
  return [
    engine,
    median(simd).toFixed(1),
    Math.min(...simd).toFixed(1),
    median(scalar).toFixed(1),
    Math.min(...scalar).toFixed(1),
    (median(simd) / median(scalar)).toFixed(2),
    (Math.min(...simd) / Math.min(...scalar)).toFixed(2),
  ];
};
const m = machineInfo();
console.log(
  `simd_auto, ${passes} passes, ${rounds} interleaved rounds; ${m.nproc} × ${m.cpuModel}; commit ${
    gitCommit(REPO_ROOT)
  }`,
);
console.log(textTable(
  ["engine", "SIMD median ms", "SIMD min", "scalar median ms", "scalar min", "ratio (median)", "ratio (min)"],
  [row("kiln"), row("native")],
));
