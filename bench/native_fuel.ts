/**
 * The fuel instrumenter (`lib/native/instrument.ts`) on real programs: runs Sightglass programs on Kiln's interpreter
 * with fuel metering, on Kiln's native engine with fuel (`StoreOptions.engine` "native") and on the host's WebAssembly
 * with the instrumented binary, checks all three consume exactly the same fuel (and produce the verified output),
 * and prints how much slower the instrumented binary runs than the plain one on the host (the cost of counting fuel
 * this way, before the native engine's other work).
 *
 * Run: `deno run -A bench/native_fuel.ts [FILTER...] [--all] [--reps N]` or `bun bench/native_fuel.ts …`. Without
 * `--all` or a filter: the quick set (`bench/compare.ts`).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { decodeModule } from "../lib/binary/decoder.ts";
import { HOOK_MODULE, HOOK_NAME, instrument } from "../lib/native/instrument.ts";
import { type FuelCounter, instanceCounter } from "../lib/native/fuel.ts";
import { instantiate } from "../mod.ts";
import { QUICK_SET } from "./compare.ts";
import { type Instantiator, nativeInstantiator, runProgram, type WasiProvider } from "./runner.ts";
import { geomean, median } from "./stats.ts";
import { listBenchmarks } from "./suite.ts";
import { kilnWasiProvider } from "./wasi_provider.ts";

const BUDGET = 2 ** 52;

/**
 * {@link kilnWasiProvider} with a clock that reads the same in every run: each `clock_time_get` gives one
 * microsecond more than the last, from the epoch. Why: a program that reads the clock (hashset seeds its hash
 * function with it) may take other paths in each run, so its fuel differs between two runs on one engine as on two.
 */
const steadyClock: WasiProvider = async (settings) => {
  const wasi = await kilnWasiProvider(settings);
  let memory: { buffer: ArrayBuffer } | undefined;
  let now = 0n;
  const clock_time_get = (_id: number, _precision: bigint, out: number) => {
    new DataView(memory!.buffer).setBigUint64(out, now += 1000n, true);
    return 0;
  };
  return {
    ...wasi,
    imports: { ...wasi.imports, wasi_snapshot_preview1: { ...wasi.imports.wasi_snapshot_preview1, clock_time_get } },
    start: (instance) => {
      memory = instance.exports.memory as { buffer: ArrayBuffer };
      return wasi.start(instance);
    },
  };
};

/** Kiln with fuel on (the interpreter, or the native engine); remembers the fuel its last store consumed. */
function interpreter(engine: "interpreter" | "native" = "interpreter"): { run: Instantiator; consumed: () => number } {
  let store: { fuelConsumed: number } | undefined;
  return {
    run: async (bytes, imports) => {
      const { instance } = await instantiate(bytes, imports, { fuel: BUDGET, engine });
      store = instance.store;
      return instance as unknown as { exports: Record<string, unknown> };
    },
    consumed: () => store!.fuelConsumed,
  };
}

/** The host's WebAssembly on the instrumented binary; remembers its last counter. */
function instrumented(): { run: Instantiator; consumed: () => number; instrumentMs: () => number } {
  let counter: FuelCounter | undefined;
  let ms = 0;
  return {
    run: async (bytes, imports) => {
      const t0 = performance.now();
      const out = instrument(decodeModule(bytes));
      ms = performance.now() - t0;
      const hook = {
        // Nonzero stops the guest (a trap) when the fuel ran out.
        [HOOK_NAME]: () => (counter!.value < 0 ? 1 : 0),
      };
      const module = await WebAssembly.compile(out as BufferSource);
      const instance = await WebAssembly.instantiate(
        module,
        { ...imports, [HOOK_MODULE]: hook } as WebAssembly.Imports,
      );
      counter = instanceCounter(instance.exports);
      counter.value = BUDGET; // the limit is 0: the counter is the fuel
      return instance as unknown as { exports: Record<string, unknown> };
    },
    consumed: () => BUDGET - counter!.value,
    instrumentMs: () => ms,
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let reps = 3, all = false;
  const filters: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--reps") reps = Number(argv[++i]);
    else if (argv[i] === "--all") all = true;
    else filters.push(argv[i]!);
  }
  let programs = listBenchmarks();
  if (filters.length > 0) programs = programs.filter((p) => filters.some((f) => p.name.includes(f)));
  else if (!all) programs = programs.filter((p) => QUICK_SET.includes(p.name));
  let failures = 0;
  const ratios: number[] = [];
  console.log(
    "program | interpreter fuel | instrumented fuel | same | native ms | instrumented ms | ratio | instrument ms/MB",
  );
  for (const program of programs) {
    const bytes = new Uint8Array(readFileSync(program.wasmPath));
    const interp = interpreter(), native = instrumented();
    const a = await runProgram(program, { engine: "kiln", instantiate: interp.run, wasi: steadyClock, bytes });
    const fuelA = interp.consumed();
    // The native engine behind Kiln's API (lib/native/engine.ts) must count the same.
    const viaEngine = interpreter("native");
    const c = await runProgram(program, { engine: "kiln", instantiate: viaEngine.run, wasi: steadyClock, bytes });
    const fuelC = viaEngine.consumed();
    const plain: number[] = [], inst: number[] = [];
    let fuelB = NaN;
    const problems = [...a.problems, ...c.problems];
    if (fuelC !== fuelA) problems.push(`native engine consumed ${fuelC}`);
    for (let k = 0; k < reps; k++) {
      const p = await runProgram(program, {
        engine: "native",
        instantiate: nativeInstantiator,
        wasi: steadyClock,
        bytes,
      });
      const b = await runProgram(program, { engine: "native", instantiate: native.run, wasi: steadyClock, bytes });
      problems.push(...p.problems, ...b.problems);
      plain.push(p.benchMs);
      inst.push(b.benchMs);
      fuelB = native.consumed();
    }
    const same = fuelA === fuelB && problems.length === 0;
    if (!same) failures++;
    const ratio = median(inst) / median(plain);
    if (ratio > 0) ratios.push(ratio);
    const msPerMb = native.instrumentMs() / (bytes.length / 2 ** 20);
    console.log(
      `${program.name} | ${fuelA} | ${fuelB} | ${same ? "yes" : `NO ${problems.join("; ")}`} | ${
        median(plain).toFixed(1)
      } | ${median(inst).toFixed(1)} | ${ratio.toFixed(2)} | ${msPerMb.toFixed(0)}`,
    );
  }
  console.log(`geomean instrumented/native: ${geomean(ratios).toFixed(2)}x over ${ratios.length} programs`);
  console.log(`${programs.length - failures} programs with equal fuel, ${failures} differing`);
  return failures === 0 ? 0 : 1;
}

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
process.exitCode = await main(args);
