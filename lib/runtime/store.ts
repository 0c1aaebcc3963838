/**
 * The store (spec §4.2.3, Wasmtime's `Store`): fuel, limits and the interrupt flag shared by every instance created
 * in it, plus the per-store registries that give reference values their integer handles on the value stack.
 *
 * Reference handles: the machine keeps references as int32 handles in value-stack slots, `0` being null. A funcref
 * handle `h` names `funcs[h - 1]` (a function instance), assigned on first use and valid for the store's lifetime;
 * every other reference (externref, exnref, GC objects) has a handle of the running activation only
 * (`exec/machine.ts`), so the store keeps no JS value alive.
 *
 * @module
 */

import { ENGINE_NAMES, type EngineChoice, type EngineName } from "../engine/engine.ts";
import { autoEngine } from "../engine/host.ts";
import type { FuncInst } from "./func.ts";
import { CLOCK_CHECK_FUEL, type GuestProfiler, NATIVE_CLOCK_CHECK_FUEL } from "../profile/guest_profiler.ts";

/** Options of a store (see mod.ts for the contract). */
export interface StoreOptions {
  /** Enables fuel metering with this much fuel; trap "all fuel consumed by WebAssembly" when exhausted. */
  fuel?: number;
  /**
   * Yield to the event loop (a macrotask) every N units of fuel (Wasmtime's `fuel_async_yield_interval`). Works
   * with or without `fuel`: without it, code is metered only to count the interval. Deterministic: the same program
   * yields at the same points on every run. With `yieldEveryMs` also set, this is only how often the clock is read.
   */
  fuelYieldInterval?: number;
  /**
   * Time slicing: yield to the event loop when at least this many milliseconds of wasm execution have passed since
   * the call started or last yielded (the non-deterministic counterpart of `fuelYieldInterval`, like Wasmtime's
   * epoch-based yielding). The driver reads the clock every `fuelYieldInterval` units (default
   * {@link DEFAULT_CHECK_INTERVAL}). Synchronous calls (`callSync`) never yield for it.
   */
  yieldEveryMs?: number;
  /**
   * Wall-clock limit, in milliseconds, of each call from JS into this store (an export call, or the start function
   * during instantiation): beyond it the call traps with "interrupt". Checked every `fuelYieldInterval` units
   * (default {@link DEFAULT_CHECK_INTERVAL}), also in synchronous calls; time spent awaiting a host Promise counts.
   */
  callTimeoutMs?: number;
  /**
   * Aborts running code with the trap "interrupt" (honoured at the next checkpoint). Why a signal also turns on time
   * slicing: an abort can only be delivered while the event loop runs, so without `fuelYieldInterval` or
   * `yieldEveryMs` a store with a signal yields every {@link SIGNAL_YIELD_MS} ms of wasm execution. For the same
   * reason a synchronous call (`callSync`), which cannot yield, is refused up front in a store whose only way to
   * stop a busy guest is its signal (no `fuel`, `callTimeoutMs` or `fuelYieldInterval`).
   */
  signal?: AbortSignal;
  /** Bytes of linear memory per memory defined in the store; `memory.grow` beyond it returns -1 (or traps). */
  maxMemoryBytes?: number;
  /** Elements per table defined in the store; `table.grow` beyond it returns -1 (or traps). */
  maxTableElements?: number;
  /** Instances in the store; instantiating one more fails with "resource limit exceeded". */
  maxInstances?: number;
  /** Tables defined in the store. */
  maxTables?: number;
  /** Memories defined in the store. */
  maxMemories?: number;
  /** Bytes of wasm stack (frames and values); beyond it the trap "call stack exhausted". Default 512 KiB. */
  maxWasmStack?: number;
  /** Memory and table growth failures trap instead of returning -1. */
  trapOnGrowFailure?: boolean;
  /**
   * Trap backtraces name the source `file`, `line` and `column` of each frame, from the module's DWARF line table
   * (`.debug_line`, as `clang -g` and rustc write it), like Wasmtime's `WASMTIME_BACKTRACE_DETAILS=1`. The table is
   * parsed once per module, at its first trap; off by default, at no cost.
   */
  debugInfo?: boolean;
  /**
   * Samples the wasm call stack of the store's code (`wasmtime run --profile=guest`; see {@link GuestProfiler}).
   * The store's code is then metered (samples are taken at fuel checkpoints, the same on both engines). A profiler
   * serves one store.
   */
  profiler?: GuestProfiler;
  /**
   * The engine that runs the instances created in the store (Wasmtime's `Config::strategy`): `"interpreter"`,
   * Kiln's own; `"native"`, the host's own WebAssembly with the code instrumented for fuel and JSPI
   * (`WebAssembly.Suspending`/`promising`) for imports that return Promises; or `"auto"`, the default: native where
   * the host has WebAssembly, JSPI and wasm offsets in its stack traces (V8: Deno, Chromium, Node 25+), else the
   * interpreter (Bun, Node 20, `--jitless`); {@link Store.engine} says which. In an `"auto"` store a module the
   * host's WebAssembly cannot compile (a feature it lacks) runs on the interpreter. `"native"` needs the host's
   * `WebAssembly` (a TypeError otherwise); a call that may suspend also needs JSPI (a TypeError at that call).
   */
  engine?: EngineChoice;
}

/** Default `yieldEveryMs` of a store that has a `signal` but no other yielding configured. */
export const SIGNAL_YIELD_MS = 10;

/** Internal fuel value when metering is off: large enough never to run out, small enough to stay exact. */
export const UNMETERED_FUEL = 2 ** 52;

/**
 * Fuel units between two clock reads when `yieldEveryMs` or `callTimeoutMs` is set without `fuelYieldInterval`.
 * Measured (bench/micro/time_slice_bench.ts): a check costs about 0.1-0.4 µs on Deno and Bun, and 10,000 units run
 * in 40-110 µs, so the checks cost under 1%.
 */
export const DEFAULT_CHECK_INTERVAL = 10_000;

/** Validates an amount of fuel; amounts above 2^52 (exact doubles end there) are clamped to it. */
function fuelAmount(n: number): number {
  if (typeof n !== "number" || !(n >= 0) || (Number.isFinite(n) && !Number.isInteger(n))) {
    throw new RangeError(`fuel must be a non-negative integer, got ${String(n)}`);
  }
  return Math.min(n, UNMETERED_FUEL);
}

function checkPositive(name: string, n: number | undefined): void {
  if (n !== undefined && !(typeof n === "number" && n > 0 && Number.isFinite(n))) {
    throw new RangeError(`${name} must be a positive number, got ${String(n)}`);
  }
}

function checkEngine(engine: EngineChoice | undefined): void {
  if (engine !== undefined && engine !== "auto" && !ENGINE_NAMES.includes(engine)) {
    const names = [...ENGINE_NAMES, "auto"].map((n) => `"${n}"`).join(", ");
    throw new TypeError(`engine must be one of ${names}, got ${String(engine)}`);
  }
  if (engine === "native" && typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== "object") {
    throw new TypeError('engine "native" needs the host\'s WebAssembly, which this host lacks (use "interpreter")');
  }
}

/**
 * Holds fuel, limits and the interrupt flag; instances created in one store share them.
 *
 * Fuel follows Wasmtime's cost model (1 per operator; nop, drop, block, loop, unreachable, return, else and end
 * free; memory.copy/fill/init 1 more per byte, table.copy/fill/init 1 more per element, and in the same way the GC
 * array operations 1 more per element they allocate, fill, copy or initialize: `array.new*`, `array.fill`,
 * `array.copy`, `array.init_*`), charged per straight-line run and checked at function entry, loop headers and calls. Differences from Wasmtime, on purpose or pending:
 * - Kiln charges operators only; Wasmtime also charges 1 per function entry and 2 per call from the host (its
 *   `tests/all/fuel.wast` numbers are Kiln's plus those; see tests/fuel/exactness_test.ts).
 * - At a checkpoint (function entry, loop header) Kiln charges the run starting there and traps "all fuel consumed
 *   by WebAssembly" if it does not fit, before running it; runs after a block, if or call are charged unchecked.
 *   So a call given exactly the fuel it needs succeeds, and the fuel may dip below 0 until the next checkpoint
 *   (`getFuel()` clamps at 0; `fuelConsumed` counts the overshoot). Wasmtime charges after the fact and traps at a
 *   checkpoint once the fuel is at or below 0: it also overshoots, by up to the code between two checkpoints.
 * - `table.grow` costs 1 (Wasmtime: 1 + 1 per element).
 *
 * @example Fuel metering
 * ```ts
 * import { Store } from "../../mod.ts";
 * const store = new Store({ fuel: 1000 });
 * store.setFuel(500);
 * console.log(store.getFuel()); // 500
 * ```
 *
 * @example Fuel consumed by a call
 * ```ts
 * import { instantiate, parseWat, Store } from "../../mod.ts";
 * const store = new Store({ fuel: 1_000_000 });
 * const { instance } = await instantiate(
 *   parseWat(`(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`),
 *   {},
 *   { store },
 * );
 * const before = store.fuelConsumed;
 * await (instance.exports.add as (a: number, b: number) => Promise<number>)(1, 2);
 * console.log(store.fuelConsumed - before); // 3: local.get, local.get, i32.add
 * ```
 *
 * @example Time slicing and a wall-clock limit
 * ```ts
 * import { instantiate, parseWat, RuntimeError } from "../../mod.ts";
 * const { instance } = await instantiate(parseWat(`(module (func (export "spin") (loop (br 0))))`), {}, {
 *   yieldEveryMs: 5, // timers and I/O run at least every 5 ms
 *   callTimeoutMs: 50, // each call traps with "interrupt" after 50 ms
 * });
 * try {
 *   await (instance.exports.spin as () => Promise<void>)();
 * } catch (e) {
 *   console.log(e instanceof RuntimeError && e.message); // "interrupt"
 * }
 * ```
 */
export class Store {
  /** Remaining fuel (internal; may go below zero between checkpoints). */
  fuel: number;
  /** Whether fuel metering is on (`fuel` given in the options). */
  readonly fuelEnabled: boolean;
  /**
   * Fuel units between the machine's returns to the driver (0: never): `fuelYieldInterval`, or
   * {@link DEFAULT_CHECK_INTERVAL} when only `yieldEveryMs`/`callTimeoutMs` need the driver to read the clock.
   */
  readonly yieldInterval: number;
  /** Whether every return to the driver yields a macrotask (`fuelYieldInterval` set, no `yieldEveryMs`). */
  readonly yieldsByFuel: boolean;
  /** `yieldEveryMs`, or 0. */
  readonly yieldEveryMs: number;
  /** `callTimeoutMs`, or 0. */
  readonly callTimeoutMs: number;
  /** `signal`: aborting it stops every call in this store with the trap "interrupt". */
  readonly signal: AbortSignal | undefined;
  /** `profiler`: samples the store's code at fuel checkpoints. */
  readonly profiler: GuestProfiler | undefined;
  /** The options the store was created with. */
  readonly options: StoreOptions;
  /**
   * The engine that runs this store's instances, as `StoreOptions.engine` chose it (for `"auto"`, the default, the
   * engine it stands for on this host).
   *
   * @example Running a store on the host's WebAssembly
   * ```ts
   * import { instantiate, parseWat, Store } from "../../mod.ts";
   * const store = new Store({ engine: "native" });
   * const { instance } = await instantiate(parseWat(`(module (func (export "f") (result i32) i32.const 7))`), {}, {
   *   store,
   * });
   * console.log(store.engine, await (instance.exports.f as () => Promise<number>)()); // "native" 7
   * ```
   */
  readonly engine: EngineName;
  /** Set by `interrupt()`; honoured (and cleared) by the first machine to reach a checkpoint. */
  interrupted = false;
  /** Counts `interrupt()` calls: a call suspended or yielded across a change traps when it resumes. */
  interruptEpoch = 0;
  /** Stack limit in bytes. */
  readonly maxWasmStack: number;
  /** Count of created instances, for the limits. */
  instanceCount = 0;
  /** Count of created tables, for the limits. */
  tableCount = 0;
  /** Count of created memories, for the limits. */
  memoryCount = 0;
  /**
   * funcref handle registry: handle h ↔ funcs[h - 1].
   *
   * @internal
   */
  readonly funcs: FuncInst[] = [];
  /** Fuel given to the store so far (the initial fuel, adjusted by every `setFuel`). */
  private fuelGiven: number;

  /**
   * Creates a store.
   *
   * @param options Fuel, yield interval, abort signal and limits.
   * @throws RangeError when `yieldEveryMs` or `callTimeoutMs` is not a positive number; TypeError for an engine the
   *   host cannot run.
   */
  constructor(options: StoreOptions = {}) {
    checkPositive("yieldEveryMs", options.yieldEveryMs);
    checkPositive("callTimeoutMs", options.callTimeoutMs);
    checkEngine(options.engine);
    this.options = options;
    this.engine = (options.engine ?? "auto") === "auto" ? autoEngine() : options.engine as EngineName;
    this.fuelEnabled = options.fuel !== undefined;
    this.fuel = options.fuel !== undefined ? fuelAmount(options.fuel) : UNMETERED_FUEL;
    this.fuelGiven = this.fuel;
    const byFuel = options.fuelYieldInterval !== undefined && options.fuelYieldInterval > 0
      ? Math.ceil(options.fuelYieldInterval)
      : 0;
    this.yieldEveryMs = options.yieldEveryMs ??
      (options.signal !== undefined && byFuel === 0 ? SIGNAL_YIELD_MS : 0);
    this.callTimeoutMs = options.callTimeoutMs ?? 0;
    const byClock = this.yieldEveryMs > 0 || this.callTimeoutMs > 0;
    this.yieldInterval = byFuel > 0 ? byFuel : byClock ? DEFAULT_CHECK_INTERVAL : 0;
    this.yieldsByFuel = byFuel > 0 && this.yieldEveryMs === 0;
    this.signal = options.signal;
    this.maxWasmStack = options.maxWasmStack ?? 512 * 1024;
    this.profiler = options.profiler;
    this.profiler?.attach(this.fuel, this.engine === "native" ? NATIVE_CLOCK_CHECK_FUEL : CLOCK_CHECK_FUEL);
  }

  /** Whether the store's code charges fuel: fuel metering, yields by fuel or by the clock, or a profiler. */
  get metered(): boolean {
    return this.fuelEnabled || this.yieldInterval > 0 || this.profiler !== undefined;
  }

  /**
   * Whether a fuel check that fails can only stop the guest: the store meters fuel without yields, clock checks or
   * a profiler, so the check's only outcomes are "out of fuel" and "interrupt" (`CompileOptions.checkpointsOnlyStop`).
   */
  get checkpointsOnlyStop(): boolean {
    return this.fuelEnabled && this.yieldInterval === 0 && this.profiler === undefined;
  }

  /**
   * Reads the remaining fuel (Wasmtime's `Store::get_fuel`).
   *
   * @returns The remaining fuel.
   * @throws Error when fuel metering is off.
   */
  getFuel(): number {
    if (!this.fuelEnabled) throw new Error("fuel is not configured in this store");
    return Math.max(0, this.fuel);
  }

  /**
   * Sets the remaining fuel (Wasmtime's `Store::set_fuel`); also between the yields of a running call.
   *
   * @param n New amount of fuel, a non-negative integer (clamped to 2^52).
   * @throws Error when fuel metering is off; RangeError for a bad amount.
   */
  setFuel(n: number): void {
    if (!this.fuelEnabled) throw new Error("fuel is not configured in this store");
    n = fuelAmount(n);
    this.fuelGiven += n - this.fuel;
    this.fuel = n;
  }

  /**
   * Total fuel consumed by WebAssembly in this store since it was created: the fuel given (initial fuel and every
   * `setFuel` adjustment) minus the fuel left. Subtract two readings for the fuel of one call. It includes an
   * overshoot below 0 between checkpoints (which `getFuel()` hides); a call that ran out of fuel consumed all the
   * fuel it had.
   *
   * @throws Error when fuel metering is off.
   */
  get fuelConsumed(): number {
    if (!this.fuelEnabled) throw new Error("fuel is not configured in this store");
    return this.fuelGiven - this.fuel;
  }

  /**
   * Stops the wasm code running in this store with the trap "interrupt": the call executing now (from inside a host
   * import) at its next checkpoint (function entry or loop header), and every call of the store that is awaiting a
   * host Promise or a yield when it resumes. If no call is running, the next call traps at its entry.
   * To interrupt a busy guest from a timer or another task, the store must yield to the event loop
   * (`fuelYieldInterval`, `yieldEveryMs` or `signal`), as Wasmtime's interruption needs epochs or fuel configured.
   */
  interrupt(): void {
    this.interrupted = true;
    this.interruptEpoch++;
  }

  /**
   * The funcref handle of a function instance (assigned on first use).
   *
   * @internal
   */
  funcHandle(f: FuncInst | null): number {
    if (f === null) return 0;
    if (f.handleStore === this) return f.handle;
    if (f.handleStore === null) {
      this.funcs.push(f);
      f.handleStore = this;
      f.handle = this.funcs.length;
      return f.handle;
    }
    // A function of another store: registered here too (rare; linear lookup is acceptable).
    const i = this.funcs.indexOf(f);
    if (i >= 0) return i + 1;
    this.funcs.push(f);
    return this.funcs.length;
  }
}
