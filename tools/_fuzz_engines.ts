/**
 * The engines of the differential fuzzers: the host's native `WebAssembly`, and Kiln (loaded lazily from `mod.ts`,
 * so the harness works before and without it) on either of its engines, the interpreter or the native engine
 * (`StoreOptions.engine`).
 *
 * @module
 */
import type { Engine } from "./_fuzz_exec.ts";

/**
 * The compiled module of the bytes compiled last, per engine: the fuzzer instantiates one module several times
 * (rounds), and compiling once is what makes a round cheap. Keyed by the identity of the byte array.
 */
const compiled = new Map<string, { bytes: Uint8Array; module: unknown }>();

async function compileOnce<T>(engine: string, bytes: Uint8Array, compile: () => T | Promise<T>): Promise<T> {
  const hit = compiled.get(engine);
  if (hit?.bytes === bytes) return hit.module as T;
  compiled.delete(engine);
  const module = await compile();
  compiled.set(engine, { bytes, module });
  return module;
}

/** The host's own WebAssembly implementation (V8 under Deno and Node, JavaScriptCore under Bun). */
export function nativeEngine(): Engine {
  return {
    name: "native",
    async instantiate(bytes, imports) {
      const module = await compileOnce("native", bytes, () => WebAssembly.compile(bytes as BufferSource));
      const instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
      return instance.exports as Record<string, unknown>;
    },
  };
}

/** The subset of Kiln's public API the fuzzer uses (see the contract in mod.ts). */
export interface KilnApi {
  instantiate(
    source: Uint8Array | object,
    imports?: Record<string, Record<string, unknown>>,
    options?: Record<string, unknown>,
  ): Promise<{ instance: { exports: Record<string, unknown>; store: KilnStore } }>;
  Module: new (bytes: Uint8Array) => unknown;
  Store: new (options: Record<string, unknown>) => KilnStore;
  Global: new (desc: { value: string; mutable?: boolean }, v?: unknown) => unknown;
}

/** The part of Kiln's `Store` the fuzzer uses. */
export interface KilnStore {
  setFuel(n: number): void;
  getFuel(): number;
  readonly fuelConsumed: number;
}

/** Loads Kiln's `mod.ts`, or returns `undefined` when it does not exist yet or fails to load. */
export async function loadKiln(): Promise<KilnApi | undefined> {
  try {
    const url = new URL("../mod.ts", import.meta.url).href;
    const mod = await import(url);
    return typeof mod.instantiate === "function" ? mod as KilnApi : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kiln's memory limit in the fuzzer (`maxMemoryBytes`). Growth beyond it fails in Kiln but may succeed natively;
 * compareRuns stops at the first step after which a native memory is larger (memory.grow success is one of the
 * nondeterminisms Wasmtime's differential fuzzing also normalises). Keeps guests from committing gigabytes.
 */
export const FUZZ_MEMORY_LIMIT = 128 * 2 ** 20;

/** Options of {@link kilnEngine}. */
export interface KilnEngineOptions {
  /** Fuel given before every top-level export call (and for the start function). */
  fuel: number;
  /** Optional yield interval, to exercise the suspending driver as well. */
  fuelYieldInterval?: number;
  /** Which of Kiln's engines runs the instances (`StoreOptions.engine`; default the interpreter). */
  engine?: "interpreter" | "native";
  /**
   * Report the store's fuel ({@link Engine.fuelReading}), for comparing two metered engines (the `engines` target):
   * the harness then records it after every step and whenever an import is called.
   */
  observeFuel?: boolean;
}

/** Kiln behind the harness's {@link Engine} interface, with fuel so that no guest can hang it. */
export function kilnEngine(kiln: KilnApi, options: KilnEngineOptions): Engine {
  let store: KilnStore | undefined;
  const engine: Engine = {
    name: options.engine === "native" ? "kiln-native" : "kiln",
    async instantiate(bytes, imports) {
      const storeOptions: Record<string, unknown> = { fuel: options.fuel, maxMemoryBytes: FUZZ_MEMORY_LIMIT };
      if (options.fuelYieldInterval) storeOptions.fuelYieldInterval = options.fuelYieldInterval;
      // Why always named: the store's default is "auto", which is the native engine on some hosts.
      storeOptions.engine = options.engine ?? "interpreter";
      const module = await compileOnce("kiln", bytes, () => new kiln.Module(bytes));
      // The store first, so that its fuel can be read also after an instantiation that trapped.
      store = new kiln.Store(storeOptions);
      const { instance } = await kiln.instantiate(module as object, imports, { store });
      return instance.exports;
    },
    beforeCall() {
      store?.setFuel(options.fuel);
    },
  };
  if (options.observeFuel) {
    engine.fuelReading = () =>
      store === undefined ? "no store" : `consumed ${store.fuelConsumed} left ${store.getFuel()}`;
  }
  return engine;
}
