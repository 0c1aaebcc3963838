/**
 * The exported-function API: the JS function that stands for a function instance (what `instance.exports.f`,
 * `table.get(i)` and a funcref result give), with `callSync`, `callWith`, `callRaw` and `callRawSync`; and the one
 * path of every call from JS. A host function is called here; a wasm function is called by its instance's engine
 * (engine/engine.ts), once the store's call policy below has accepted the call. Loading this module installs it as
 * the funcref conversion of `values.ts`, which engines, tables and globals use without importing it.
 *
 * @module
 */
import type { CallMode } from "../engine/engine.ts";
import { trap, TRAP_MESSAGES, TrapCode, trapWithMessage } from "../trap_codes.ts";
import type { CallOptions, ExportedFunction, FuncInst } from "./func.ts";
import type { Store } from "./store.ts";
import {
  type FuncTypeDesc,
  hostResultList,
  jsToRaw,
  rawToJs,
  registerExportedFunction,
  roundTrip,
  setFuncWrapper,
  v128TypeError,
  valTypeToName,
} from "./values.ts";

/**
 * Calls `f` from JS: a host function directly, a wasm function through its instance's engine.
 *
 * @param f The function instance.
 * @param args Arguments; missing ones are `undefined` (converted like the standard JS API).
 * @param mode Value form, synchrony and per-call limits.
 * @returns The results (JS form: undefined, one value or an array; raw form: an array), or a Promise of them when
 *   `mode.sync` is false.
 */
export function callFunction(f: FuncInst, args: readonly unknown[], mode: CallMode): unknown {
  if (f.host !== null) return callHostDirect(f, args, mode.raw, mode.sync);
  const refused = refusal(f, mode);
  if (refused !== undefined) return fail(refused, mode.sync);
  return f.instance!.engine.call(f, args, mode);
}

/** Why the store's call policy refuses a call of wasm function `f`, or undefined when it may run. */
function refusal(f: FuncInst, mode: CallMode): Error | undefined {
  const instance = f.instance!;
  if (f.v128 && !mode.raw) return v128TypeError();
  if (!memoriesIntact(instance.memories)) return trap(TrapCode.MemoryTampered);
  if (mode.sync) return checkSyncCall(instance.store);
  if (mode.options !== undefined) return checkCallOptions(instance.store, mode.options);
  return undefined;
}

/** A refused call's error: thrown by a synchronous call, a rejected Promise of an async one. */
function fail(e: Error, sync: boolean): unknown {
  if (sync) throw e;
  return Promise.reject(e);
}

/**
 * The JS function that calls `f` in one mode: {@link callFunction}, written out. Why: every level of re-entry
 * (wasm -> host -> export -> wasm) holds this frame, and one more small frame per level was measured to overflow
 * Deno's default stack before 1,000 levels (bench/micro/reentry_depth_bench.ts).
 */
function caller(f: FuncInst, mode: CallMode): (...args: unknown[]) => unknown {
  if (f.host !== null) return (...args) => callHostDirect(f, args, mode.raw, mode.sync);
  return (...args) => {
    const refused = refusal(f, mode);
    return refused !== undefined ? fail(refused, mode.sync) : f.instance!.engine.call(f, args, mode);
  };
}

const ASYNC: CallMode = { raw: false, sync: false };
const SYNC: CallMode = { raw: false, sync: true };
const RAW: CallMode = { raw: true, sync: false };
const RAW_SYNC: CallMode = { raw: true, sync: true };

/**
 * Makes the exported JS function of a wasm or host function instance (once; later calls return the same one).
 *
 * @param f the function instance
 * @returns its exported function
 */
export function exportedFunction(f: FuncInst): ExportedFunction {
  if (f.js) return f.js;
  const fn = caller(f, ASYNC) as unknown as ExportedFunction;
  const desc: FuncTypeDesc = { params: f.type.params.map(valTypeToName), results: f.type.results.map(valTypeToName) };
  Object.defineProperties(fn, {
    callSync: { value: caller(f, SYNC) },
    callWith: {
      value: (options: CallOptions, ...args: unknown[]) => callFunction(f, args, { raw: false, sync: false, options }),
    },
    callRaw: { value: (args: unknown[]) => callFunction(f, args, RAW) },
    callRawSync: { value: (args: unknown[]) => callFunction(f, args, RAW_SYNC) },
    type: { value: desc, enumerable: true },
    funcIndex: { value: f.index, enumerable: true },
    // As the standard JS API: the name is the function index, the length the parameter count.
    name: { value: String(f.index) },
    length: { value: f.type.params.length },
  });
  registerExportedFunction(fn, f);
  f.js = fn;
  return fn;
}

/**
 * Calls a host function through its exported form (an import re-exported, or a table's host function), as the JS API
 * does: arguments and results cross into wasm and back, so they are converted and checked exactly as for a wasm
 * function (see `values.ts`). In an async call every error, a host exception included, rejects the Promise.
 */
function callHostDirect(f: FuncInst, args: readonly unknown[], raw: boolean, sync: boolean): unknown {
  const params = f.type.params, results = f.type.results;
  const finish = (v: unknown): unknown => {
    const convert = raw ? jsToRaw : roundTrip;
    if (results.length === 0) return raw ? [] : undefined;
    if (results.length === 1) return raw ? [convert(results[0]!, v)] : convert(results[0]!, v);
    return hostResultList(v, results.length).map((x, i) => convert(results[i]!, x));
  };
  if (sync) {
    const out = (f.host as (...a: unknown[]) => unknown)(...params.map((t, i) => hostArg(t, args[i], raw)));
    if (out !== null && typeof (out as { then?: unknown })?.then === "function") {
      Promise.resolve(out).catch(() => {});
      throw trapWithMessage(
        TrapCode.CannotSuspend,
        `${TRAP_MESSAGES.CannotSuspend}: a host import returned a Promise`,
      );
    }
    return finish(out);
  }
  try {
    const out = (f.host as (...a: unknown[]) => unknown)(...params.map((t, i) => hostArg(t, args[i], raw)));
    return Promise.resolve(out).then(finish);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** An argument of a host function called through its exported form, in the JS form the host function receives. */
function hostArg(type: number, v: unknown, raw: boolean): unknown {
  return raw ? rawToJs(type, v) : roundTrip(type, v);
}

/** Whether every memory still has the size Kiln gave it (host code cannot resize one behind the guest: memory.ts). */
function memoriesIntact(memories: readonly { intact(): boolean }[]): boolean {
  for (let i = 0; i < memories.length; i++) if (!memories[i]!.intact()) return false;
  return true;
}

/** Why a call's options are refused, or undefined when they are usable. */
function checkCallOptions(store: Store, options: CallOptions): Error | undefined {
  const t = options.timeoutMs;
  if (t !== undefined && !(typeof t === "number" && t > 0)) {
    return new RangeError(`Invalid timeoutMs: expected a positive number, got ${String(t)}`);
  }
  if ((options.signal !== undefined || t !== undefined) && store.yieldInterval === 0) {
    return new Error(
      "Cannot stop this call: its store has no checkpoints (create it with signal, fuelYieldInterval, yieldEveryMs " +
        "or callTimeoutMs)",
    );
  }
  if (options.signal?.aborted) return trap(TrapCode.Interrupt);
  return undefined;
}

/**
 * Why a synchronous call is refused, or undefined when it may run.
 *
 * A synchronous call holds the event loop until it returns: no timer, I/O callback or message runs meanwhile, so a
 * store's `signal` can abort during it only if the guest's own host imports abort it. Honouring the signal is then
 * impossible for a busy guest, and ignoring it would hang the embedder forever. So, as `callWith` refuses a limit it
 * cannot enforce, and as Wasmtime refuses a synchronous call in a store configured for async yielding, a store whose
 * only way to stop a busy guest is its signal refuses synchronous calls up front. Fuel, `callTimeoutMs` (the clock
 * is read synchronously) and `fuelYieldInterval` (a synchronous call throws at its first yield) each bound a
 * synchronous call, so with any of them it runs. An already aborted signal traps "interrupt" in every store.
 */
function checkSyncCall(store: Store): Error | undefined {
  const signal = store.signal;
  if (signal === undefined) return undefined;
  if (signal.aborted) return trap(TrapCode.Interrupt);
  if (store.fuelEnabled || store.callTimeoutMs > 0 || store.yieldsByFuel) return undefined;
  return new Error(
    "Cannot stop this call: a synchronous call cannot see its store's signal abort (call it asynchronously, or " +
      "create the store with fuel, callTimeoutMs or fuelYieldInterval)",
  );
}

setFuncWrapper(exportedFunction);
