/**
 * Soak test: create, run and drop many instances (sync calls, async host imports, fuel yields, traps) and check
 * that the heap returns to its baseline after garbage collection. Used by `tools/fuzz.ts --soak N` and by
 * tests/robustness/soak_test.ts. Runs on Kiln when mod.ts exists, else on native WebAssembly (harness check).
 *
 * @module
 */
import { Rng } from "./_fuzz_rng.ts";
import { ownModule } from "./_fuzz_own_gen.ts";
import { type KilnApi, loadKiln } from "./_fuzz_engines.ts";
import { describeError } from "./_fuzz_exec.ts";
import { readWasmInfo } from "./_fuzz_wasm_info.ts";

/** Options of {@link runSoak}. */
export interface SoakOptions {
  instances: number;
  log?: (line: string) => void;
  /** Allowed heap growth over the baseline, in bytes (default 16 MiB). */
  toleranceBytes?: number;
  /** Force the native engine even if Kiln is available. */
  native?: boolean;
  /** Kiln's engine (`StoreOptions.engine`; default: the store's default). */
  engine?: "interpreter" | "native";
}

/** Result of {@link runSoak}. */
export interface SoakResult {
  ok: boolean;
  engine: string;
  baselineBytes: number;
  finalBytes: number;
  peakBytes: number;
  gcAvailable: boolean;
  outcomes: Record<string, number>;
}

/** A garbage-collection function if the runtime offers one (Bun.gc, --expose-gc, or node:v8 flag + vm). */
export async function findGc(): Promise<(() => void) | undefined> {
  const g = globalThis as unknown as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) return () => g.Bun!.gc(true);
  if (typeof g.gc === "function") return g.gc;
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as (() => void) | undefined;
    return typeof gc === "function" ? gc : undefined;
  } catch {
    return undefined;
  }
}

async function settle(gc: (() => void) | undefined): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 5));
  }
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

/** Runs the soak; see the module doc. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const kiln: KilnApi | undefined = options.native ? undefined : await loadKiln();
  const gc = await findGc();
  const rng = new Rng(0x50a6);
  const modules = Array.from({ length: 8 }, () => ownModule(rng));
  const outcomes: Record<string, number> = {};
  const count = (k: string) => void (outcomes[k] = (outcomes[k] ?? 0) + 1);

  const runOne = async (i: number) => {
    const wasm = modules[i % modules.length]!;
    const info = readWasmInfo(wasm);
    let logged = 0;
    const imports = {
      "fuzzing-support": {
        // Every other instance gets Promise-returning host imports, to exercise suspension.
        "log-i32": i % 2 ? () => void logged++ : () => Promise.resolve().then(() => void logged++),
        "log-i64": () => void logged++,
      },
    };
    let exports: Record<string, unknown>;
    try {
      if (kiln) {
        const engine = options.engine === undefined ? {} : { engine: options.engine };
        const opts = i % 3 === 0
          ? { fuel: 200_000, fuelYieldInterval: 1_000, ...engine }
          : { fuel: 200_000, ...engine };
        exports = (await kiln.instantiate(wasm, imports, opts)).instance.exports;
      } else {
        const module = await WebAssembly.compile(wasm as BufferSource);
        exports = (await WebAssembly.instantiate(module, imports as WebAssembly.Imports)).exports;
      }
    } catch (e) {
      count(`instantiate ${describeError(e)}`);
      return;
    }
    for (const e of info.exports) {
      if (e.kind !== 0) continue;
      const sig = info.funcs[e.index]!;
      const args = sig.params.map((t) => (t === "i64" ? 1n : 1));
      try {
        await (exports[e.name] as (...a: unknown[]) => unknown)(...args);
        count("ok");
      } catch (err) {
        count(describeError(err));
      }
    }
  };

  for (let i = 0; i < Math.min(50, options.instances); i++) await runOne(i); // warm up code caches
  const baseline = await settle(gc);
  let peak = baseline;
  for (let i = 0; i < options.instances; i++) {
    await runOne(i);
    if (i % 500 === 499) {
      const now = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      peak = Math.max(peak, now);
      log(`  ${i + 1} instances, heap+buffers ${(now / 2 ** 20).toFixed(1)} MiB`);
    }
  }
  const final = await settle(gc);
  peak = Math.max(peak, final);
  const tolerance = options.toleranceBytes ?? 16 * 2 ** 20;
  const ok = final - baseline <= tolerance;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  log(
    `soak (${kiln ? "kiln" : "native"}, gc ${gc ? "forced" : "unavailable"}): ${options.instances} instances, ` +
      `baseline ${mib(baseline)}, final ${mib(final)}, peak ${mib(peak)}: ${ok ? "ok" : "LEAK"}; ${
        JSON.stringify(outcomes)
      }`,
  );
  return {
    ok,
    engine: kiln ? "kiln" : "native",
    baselineBytes: baseline,
    finalBytes: final,
    peakBytes: peak,
    gcAvailable: gc !== undefined,
    outcomes,
  };
}
