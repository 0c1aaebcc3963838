/**
 * The interpreter's async driver: calls a wasm function from JS, running the machine and awaiting what it asks for (a
 * host Promise, or a macrotask yield at a fuel checkpoint), and the synchronous variant that refuses to suspend. It
 * owns the machines (a pool per store) and their warm-up (`warm_up.ts`, before the first machine runs).
 *
 * Every call from JS (including a host import calling back into an export: re-entry) gets its own machine from the
 * store's pool, so a call suspended in an await never shares state with another.
 *
 * At a YIELD (every `store.yieldInterval` units of fuel) the driver decides: with `fuelYieldInterval` alone it
 * always yields a macrotask; with `yieldEveryMs` it yields only when that much time has passed since the call began
 * or last yielded; with `callTimeoutMs` it traps "interrupt" once the call's deadline has passed. Otherwise it
 * continues at once, synchronously.
 *
 * @module
 */

import { awaitHostWithin, now, yieldMacrotask } from "../engine/await_host.ts";
import { MAX_NESTING } from "../engine/engine.ts";
import { isStackOverflow, RuntimeError } from "../errors.ts";
import { trap, TRAP_MESSAGES, TrapCode, trapWithMessage } from "../trap_codes.ts";
import type { CallMode } from "../engine/engine.ts";
import { DONE, Machine, SUSPEND, YIELD } from "./machine.ts";
import type { FuncInst } from "../runtime/func.ts";
import type { Store } from "../runtime/store.ts";
import { warmUpOnce } from "./warm_up.ts";
import { Exception } from "../runtime/tag.ts";
import { ValType } from "../binary/module.ts";

/**
 * The trap of a call that was awaiting while `store.interrupt()` was called. No machine runs while a driver
 * resumes, so the pending flag can only be meant for the calls that were running: it is cleared, or a call started
 * later would trap at its entry.
 */
function interrupted(store: Store, m: Machine): RuntimeError {
  store.interrupted = false;
  return interruptTrap(m);
}

/** The trap "interrupt" of a call stopped by the driver, with the wasm backtrace of where it stopped. */
function interruptTrap(m: Machine): RuntimeError {
  const e = trap(TrapCode.Interrupt);
  if (m.func !== null) e.backtrace = m.backtrace(m.func, m.pc, m.depth);
  m.reset();
  return e;
}

/**
 * Continues a call that returned YIELD without yielding to the event loop (a synchronous call, or a clock check
 * that found no reason to yield). Returns the next status that needs the driver: DONE, SUSPEND, or a YIELD that
 * must be a macrotask yield. Throws the timeout trap past `deadline`.
 */
function continueSync(
  m: Machine,
  status: number,
  deadline: number,
  slice: number,
  signal: AbortSignal | undefined,
): number {
  while (status === YIELD) {
    const t = now();
    if (t >= deadline || signal?.aborted) throw interruptTrap(m);
    if (t >= slice) return YIELD;
    status = m.continueAfterYield();
  }
  return status;
}

/**
 * Synchronous nesting of wasm calls through host imports (wasm -> host -> wasm ...), across all stores.
 *
 * Why a count: every level holds JS frames (this driver, the machine's `run()`, the host function), and the JS
 * stack is small: Deno's default is about 1 MB. A re-entered call makes its host calls outside the interpreter
 * loop's 4 KB frame (`Machine.hostCallsOutside`), so a level costs about 0.7 KB. Measured with default stacks and
 * no cap (2 cores, loaded): the JS stack overflows at about 1,380 levels on Deno with cold code, 1,700 warm, and
 * 10,600 on Bun; at {@link MAX_NESTING} levels, 16-43% of Deno's stack is still free and about 90% of Bun's
 * (`deno run -A bench/micro/reentry_depth_bench.ts`, `bun bench/micro/reentry_depth_bench.ts`). One cap for every
 * runtime, so a guest meets the same limit everywhere.
 */
let nesting = 0;

/**
 * A JS stack overflow as the trap "call stack exhausted"; any other error unchanged. Why here as well as in the
 * machine: the overflow can strike in the driver or in a host import's code, outside any machine's `run()`. If the
 * conversion itself overflows, the next level out tries again with more stack.
 */
function asTrap(e: unknown): unknown {
  return isStackOverflow(e) ? trap(TrapCode.StackOverflow) : e;
}

/** Idle machines of each store, for reuse by its next calls (the driver owns them; a store knows nothing of them). */
const machinePools = new WeakMap<Store, Machine[]>();

function acquire(f: FuncInst): Machine {
  const { store, engine } = f.instance!;
  const m = machinePools.get(store)?.pop();
  if (m !== undefined) return m;
  // Why: see warm_up.ts (feedback for every machine op before V8 optimizes run()); before the first code runs.
  warmUpOnce(engine);
  return new Machine(store);
}

function release(store: Store, m: Machine): void {
  m.forgetObjects(); // an idle machine keeps no guest object alive
  let pool = machinePools.get(store);
  if (pool === undefined) machinePools.set(store, pool = []);
  if (pool.length < 8) pool.push(m);
}

function collect(m: Machine, f: FuncInst, raw: boolean): unknown {
  const results = f.type.results;
  if (raw) {
    const out: unknown[] = [];
    for (let i = 0, s = 0; i < results.length; i++) {
      const t = results[i]!;
      out.push(m.read(t, s, true));
      s += t === ValType.v128 ? 2 : 1; // a v128 takes two slots
    }
    return out;
  }
  if (results.length === 0) return undefined;
  if (results.length === 1) return m.read(results[0]!, 0, false);
  return results.map((t, i) => m.read(t, i, false));
}

function cannotSuspend(m: Machine, why: string): RuntimeError {
  if (m.pending) Promise.resolve(m.pending).catch(() => {});
  m.reset();
  return trapWithMessage(TrapCode.CannotSuspend, `${TRAP_MESSAGES.CannotSuspend}: ${why}`);
}

/**
 * Calls wasm function `f` of an interpreter instance from JS (the interpreter's `Engine.call`), after the store's
 * call policy has accepted the call (`runtime/exported_function.ts`).
 *
 * @param f The function instance.
 * @param args Arguments; missing ones are `undefined` (converted like the standard JS API).
 * @param mode Value form, synchrony and per-call limits.
 * @returns The results (JS form: undefined, one value or an array; raw form: an array), or a Promise of them when
 *   `mode.sync` is false.
 */
export function callWasm(f: FuncInst, args: readonly unknown[], mode: CallMode): unknown {
  const { raw, sync, options } = mode;
  const store = f.instance!.store;
  if (nesting >= MAX_NESTING) {
    const e = trap(TrapCode.StackOverflow);
    if (sync) throw e;
    return Promise.reject(e);
  }
  const signal = options?.signal;
  const timeoutMs = options?.timeoutMs ?? 0;
  const m = acquire(f);
  m.hostCallsOutside = nesting > 0;
  m.syncCall = sync;
  const fuelAtStart = store.fuel;
  const epoch = store.interruptEpoch;
  const start = store.callTimeoutMs > 0 || store.yieldEveryMs > 0 || timeoutMs > 0 ? now() : 0;
  const deadline = Math.min(
    store.callTimeoutMs > 0 ? start + store.callTimeoutMs : Infinity,
    timeoutMs > 0 ? start + timeoutMs : Infinity,
  );
  let status: number;
  nesting++;
  try {
    m.begin(f);
    const params = f.type.params;
    for (let i = 0, s = 0; i < params.length; i++) {
      const t = params[i]!;
      m.write(t, s, args[i], raw);
      s += t === ValType.v128 ? 2 : 1;
    }
    status = m.run();
    if (status === YIELD && (!store.yieldsByFuel || signal !== undefined || timeoutMs > 0)) {
      // Clock checks only: a synchronous call never yields for `yieldEveryMs`.
      status = continueSync(
        m,
        status,
        deadline,
        firstSlice(store, sync, start),
        signal,
      );
    }
  } catch (thrown) {
    const e = asTrap(thrown);
    m.reset();
    release(store, m);
    settleFuel(store, e, fuelAtStart);
    if (sync) throw e;
    return Promise.reject(e);
  } finally {
    nesting--;
  }
  if (sync) {
    if (status !== DONE) {
      const e = cannotSuspend(m, status === SUSPEND ? "a host import returned a Promise" : "a fuel yield is needed");
      release(store, m);
      throw e;
    }
    const out = collect(m, f, raw);
    release(store, m);
    return out;
  }
  if (status === DONE) {
    const out = collect(m, f, raw);
    release(store, m);
    return Promise.resolve(out);
  }
  return drive(store, m, f, raw, status, deadline, start, fuelAtStart, epoch, signal);
}

/**
 * When the first time slice of a call ends: at once when every yield is a macrotask yield (`fuelYieldInterval`),
 * never for a synchronous call or a store without `yieldEveryMs`, else `yieldEveryMs` after the start.
 */
function firstSlice(store: Store, sync: boolean, start: number): number {
  if (sync || store.yieldEveryMs === 0) return store.yieldsByFuel && !sync ? start : Infinity;
  return start + store.yieldEveryMs;
}

/**
 * Awaits a host Promise, but gives up with the trap "interrupt" as soon as a signal aborts or `deadline` passes
 * (`engine/await_host.ts`).
 */
function awaitHost(
  m: Machine,
  pending: unknown,
  signals: readonly (AbortSignal | undefined)[],
  deadline: number,
): Promise<unknown> {
  return awaitHostWithin(pending, signals, deadline, () => {
    throw interruptTrap(m);
  });
}

/**
 * After a trap "all fuel consumed by WebAssembly": the machine has subtracted the cost of the run that did not fit
 * (and never ran), so the store's fuel is below 0 by more than was used. The call consumed all the fuel it had:
 * the fuel becomes 0, or stays at the (already negative) level the call started with.
 */
function settleFuel(store: Store, e: unknown, fuelAtStart: number): void {
  if (store.fuelEnabled && store.fuel < 0 && e instanceof RuntimeError && e.code === TrapCode.OutOfFuel) {
    store.fuel = Math.max(store.fuel, Math.min(0, fuelAtStart));
  }
}

function resumeWith(m: Machine, value: unknown): number {
  nesting++;
  try {
    return m.resume(value);
  } finally {
    nesting--;
  }
}

function resumeThrowWith(m: Machine, e: unknown): number {
  nesting++;
  try {
    return m.resumeThrow(e);
  } finally {
    nesting--;
  }
}

function continueWith(m: Machine): number {
  nesting++;
  try {
    return m.continueAfterYield();
  } finally {
    nesting--;
  }
}

async function drive(
  store: Store,
  m: Machine,
  f: FuncInst,
  raw: boolean,
  status: number,
  deadline: number,
  start: number,
  fuelAtStart: number,
  epoch: number,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const clock = !store.yieldsByFuel;
  const storeSignal = store.signal;
  const every = store.yieldEveryMs;
  let slice = every > 0 ? start + every : Infinity;
  try {
    while (status !== DONE) {
      if (status === SUSPEND) {
        let value: unknown, rejected = false;
        try {
          value = await awaitHost(m, m.pending, [signal, storeSignal], deadline);
        } catch (e) {
          // A host Promise rejected with an Exception: thrown into the guest at the call (below). Anything else
          // (an interrupt, a JS error) ends the call.
          if (!(e instanceof Exception)) throw e;
          value = e;
          rejected = true;
        }
        if (store.interruptEpoch !== epoch) throw interrupted(store, m);
        if (signal?.aborted || storeSignal?.aborted) throw interruptTrap(m);
        // Why: awaiting a host Promise also lets timers and I/O run, so it starts a new time slice.
        if (every > 0) slice = now() + every;
        status = rejected ? resumeThrowWith(m, value) : resumeWith(m, value);
      } else {
        if (deadline !== Infinity && now() >= deadline) throw interruptTrap(m);
        await yieldMacrotask();
        if (store.interruptEpoch !== epoch) throw interrupted(store, m);
        if (signal?.aborted) throw interruptTrap(m);
        if (every > 0) slice = now() + every;
        status = continueWith(m);
      }
      if (clock && status === YIELD) {
        nesting++;
        try {
          status = continueSync(m, status, deadline, slice, signal);
        } finally {
          nesting--;
        }
      }
    }
  } catch (thrown) {
    const e = asTrap(thrown);
    m.reset();
    release(store, m);
    settleFuel(store, e, fuelAtStart);
    throw e;
  }
  const out = collect(m, f, raw);
  release(store, m);
  return out;
}
