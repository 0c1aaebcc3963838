/**
 * The engine seam: all that the runtime model (`Store`, `Instance`, `Memory`, `Table`, `Global`, the exported-function
 * API) knows of the code that runs a module. The interpreter (`interpreter.ts`) is the first implementation and the
 * reference; the host's native WebAssembly, instrumented for fuel, is meant to be the second. Modelled on wazero's
 * `internal/wasm/engine.go`: an engine compiles a validated module once, makes its part of each instance that shared
 * linking has built, and runs calls from JS.
 *
 * Shared by every engine, and not an engine's business: decoding and validation (`runtime/module.ts`), import
 * resolution and instance creation (`link` in `runtime/instance.ts`: import matching, globals, tables, memories,
 * segments, exports), value conversion at the JS boundary (`runtime/values.ts`), calls of host functions through their
 * exported form and the store's call policy (`runtime/exported_function.ts`), and the store's run state.
 *
 * Fuel and interrupts are the store's, as in Wasmtime (its fuel counter and epoch live in the store, and compiled code
 * of any kind reads them). Every engine must:
 * - with `CompileOptions.meter`, charge `store.fuel` along the one fuel plan (`compile/fuel_plan.ts`: the same runs,
 *   costs and checkpoints as the interpreter), trap "all fuel consumed by WebAssembly" at a checkpoint whose run
 *   does not fit, and refill the counter of a store that meters only for yields (`fuelEnabled` false) instead;
 * - keep `store.fuel` current whenever JS runs (a host import, a return to JS, a yield), and read it back after a
 *   host import returns (the host may have called `setFuel`, or made a nested call);
 * - at each checkpoint, trap "interrupt" when `store.interrupted` is set (clearing it) or `store.signal` is aborted,
 *   and yield to the event loop as `store.yieldInterval`, `yieldEveryMs` and `callTimeoutMs` say;
 * - trap "interrupt" when a call that awaited resumes after `store.interruptEpoch` changed, and settle the fuel of a
 *   call that ran out as `Store.fuelConsumed` documents;
 * - call a function of another engine's instance (an import, a table element) through its exported form
 *   (`runtime/values.ts` `funcToJs`), as it calls a host function.
 *
 * @module
 */

import type { Module as DecodedModule } from "../binary/module.ts";
import type { CallOptions, FuncInst, InstanceState } from "../runtime/func.ts";

/**
 * The name of an engine: `"interpreter"` (Kiln's own, the reference, runs everywhere) or `"native"` (the host's
 * WebAssembly, instrumented for fuel, with JSPI for imports that return Promises: `native/engine.ts`).
 */
export type EngineName = "interpreter" | "native";

/**
 * Maximum nesting of wasm calls through host imports (wasm -> host -> wasm -> ...), on every engine, like native
 * WebAssembly's capacity of about 1,000 levels on V8: the call that would be level 1,001 traps "call stack
 * exhausted". A JS stack overflow before that (an embedder that calls in from deep JS recursion, a host import that
 * uses much stack) becomes the same trap. Why 1,000: `exec/driver.ts` (the interpreter's cost per level).
 */
export const MAX_NESTING = 1000;

/** The engines a store can be given by name (`StoreOptions.engine`). */
export const ENGINE_NAMES: readonly EngineName[] = ["interpreter", "native"];

/** What `StoreOptions.engine` accepts: an engine's name, or `"auto"` (`host.ts` `autoEngine`). */
export type EngineChoice = EngineName | "auto";

/** How an engine compiles a module. */
export interface CompileOptions {
  /** Whether the code charges fuel: the store meters fuel, or yields by fuel or by the clock. */
  readonly meter: boolean;
  /**
   * Whether a failed fuel check can only stop the guest (`Store.checkpointsOnlyStop`): an engine may then stop
   * there without calling out, as the native engine does (`instrument.ts` `checkpointsTrap`).
   */
  readonly checkpointsOnlyStop?: boolean;
}

/** How a call from JS passes values and whether it may suspend. */
export interface CallMode {
  /** Raw-form values in and out, results always an array (see `runtime/values.ts`). */
  readonly raw: boolean;
  /** Run to completion synchronously: return the results, or throw if the call would need to suspend. */
  readonly sync: boolean;
  /** Per-call limits (`ExportedFunction.callWith`). */
  readonly options?: CallOptions;
}

/**
 * An engine: compiles validated modules, makes its part of their instances, and calls their functions from JS. A
 * store runs every instance created in it on one engine (`StoreOptions.engine` names it; `engines.ts`).
 *
 * @example An engine that counts the calls it forwards to the interpreter
 * ```ts
 * import type { Engine } from "./engine.ts";
 * import { interpreter } from "./interpreter.ts";
 * import { setStoreEngine } from "./engines.ts";
 * import { instantiate, parseWat, Store } from "../../mod.ts";
 * let calls = 0;
 * const counting: Engine = { ...interpreter, name: "counting", call: (f, a, m) => (calls++, interpreter.call(f, a, m)) };
 * const store = new Store();
 * setStoreEngine(store, counting);
 * const { instance } = await instantiate(parseWat(`(module (func (export "f")))`), {}, { store });
 * await (instance.exports.f as () => Promise<void>)();
 * console.log(calls); // 1
 * ```
 *
 * @typeParam Compiled The engine's compiled form of one module (opaque to everyone else).
 */
export interface Engine<Compiled = unknown> {
  /** A short name for messages and reports (`interpreter`). */
  readonly name: string;

  /**
   * Whether {@link Engine.instantiate} writes the instance's active element and data segments itself (the host's
   * WebAssembly does, in order, trapping at the first that does not fit); `link` then skips them.
   */
  readonly writesSegments?: boolean;

  /**
   * Compiles a decoded and validated module. Called at each instantiation: the engine caches its result per module
   * and options, and may defer per-function work to a function's first call.
   *
   * @param module The decoded module; it has passed validation.
   * @param options Whether the code charges fuel.
   * @returns The engine's compiled module, passed back to {@link Engine.instantiate}.
   */
  compileModule(module: DecodedModule, options: CompileOptions): Compiled;

  /**
   * Makes the engine's part of an instance: `instance` holds its resolved imports and the functions, tables,
   * memories and globals linking created; its segments are not written yet and no code has run. The engine sets
   * `instance.engineState`, and must not run guest code here.
   *
   * @param compiled What {@link Engine.compileModule} returned for the instance's module.
   * @param instance The instance being created.
   */
  instantiate(compiled: Compiled, instance: InstanceState): void;

  /**
   * Calls a wasm function of an instance this engine made, from JS: an export, the start function, a function taken
   * from a table or a global. Host functions never get here (their exported form calls them directly), and the
   * store's call policy has already been applied (`runtime/exported_function.ts`).
   *
   * @param f The function instance (`f.instance.engine` is this engine).
   * @param args Arguments in the form `mode.raw` says; missing ones are `undefined`.
   * @param mode Value form, synchrony and per-call limits.
   * @returns The results (JS form: undefined, one value or an array; raw form: an array), or a Promise of them when
   *   `mode.sync` is false. Errors are thrown when `mode.sync` is true, else rejected.
   */
  call(f: FuncInst, args: readonly unknown[], mode: CallMode): unknown;
}
