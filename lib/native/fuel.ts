/**
 * The native engine's fuel, yields and interrupts: the bookkeeping between the store's fuel and the counter global
 * of each instrumented instance (`instrument.ts`, read and written through its access function), and the checkpoint
 * hook.
 *
 * The counter holds `fuel - limit`. `store.fuel` is the truth while JS runs; while wasm runs, the counter of the
 * instance that runs is ("live"). {@link FuelState.load} hands the fuel to an instance as it starts or resumes
 * (a call's entry, a host import's return, a yield's end) and {@link FuelState.flush} takes it back whenever JS runs
 * (a host import, a return, a checkpoint, a trap): lazily, so a call that returns leaves its counter live until the
 * next flush, and a later entry of any instance flushes first. One budget is shared by all instances of a store.
 *
 * The limit: the next yield mark (`fuel - interval`, once per slice) or 0, so a checkpoint whose run does not fit
 * in the fuel left, or that reaches the mark, calls the hook, exactly where the interpreter's `fuel < limit` leaves
 * its fast path. To deliver an interrupt the limit is `fuel + 1`: the next checkpoint calls the hook, which stops
 * the guest. The hook decides: stop (out of fuel, an interrupt, a deadline, a yield a synchronous call cannot make)
 * by returning 1, whereupon the instrumented code executes `unreachable` and the call reports the trap recorded in
 * its {@link CallContext}; yield (a Promise, which JSPI's `Suspending` awaits, resolving to 0 or 1); or carry on.
 * A stop decided in JS elsewhere (a host import's return in uninstrumented code, a host Promise given up) is thrown
 * into the guest as a host trap, which no guest `catch_all` catches either ({@link stopGuest}); or, where the guest
 * awaited in a Suspending import, as {@link STOP_SUSPENDED}, on which the import's dispatcher traps in wasm, so that
 * the trap's backtrace has the guest's frames. Either way the guest runs no further instruction.
 *
 * Checks for the clock only (`callTimeoutMs`, `yieldEveryMs`, a signal) come every `interval` fuel units, adapted
 * per store so the clock is read about every millisecond (see `CLOCK_READ_MS`); checks for `fuelYieldInterval`
 * come exactly every that many units, as on the interpreter.
 *
 * @module
 */

import { awaitHostWithin, now, yieldMacrotask } from "../engine/await_host.ts";
import { RuntimeError } from "../errors.ts";
import type { SampledStack } from "../profile/guest_profiler.ts";
import type { Store } from "../runtime/store.ts";
import { UNMETERED_FUEL } from "../runtime/store.ts";
import { trap, TRAP_MESSAGES, TrapCode, trapWithMessage } from "../trap_codes.ts";
import { Access, ACCESS_EXPORT } from "./instrument.ts";

/**
 * Fuel units between clock reads when only `yieldEveryMs`, `callTimeoutMs` or a signal need them. Why not the
 * interpreter's 10,000: native code runs about 16-20 billion units a second, so 10,000 would call the hook every
 * microsecond; 2^22 units are a fraction of a millisecond.
 */
export const NATIVE_CHECK_INTERVAL = 2 ** 22;

/**
 * The wall time aimed at between clock reads. Why adaptive: 2^22 units take a fraction of a millisecond in a tight
 * loop, but seconds in a guest that calls a host import every few units (each call costs the host 0.1-2 µs), which
 * made a 20 ms `callTimeoutMs` or an aborted signal land 1-9 s late. Each store's interval (fuel units between
 * reads, learnt across its calls) shrinks in proportion when reads come further apart than this, and doubles (up to
 * {@link NATIVE_CHECK_INTERVAL}) when they come less than half as far apart.
 */
const CLOCK_READ_MS = 1;
/** The smallest interval between clock reads, in fuel units, and the first (a store learns its guest's speed). */
const MIN_CLOCK_INTERVAL = 1000;

/** One call from JS into a native instance: its limits, and the trap a checkpoint decided on. */
export interface CallContext {
  readonly store: Store;
  readonly sync: boolean;
  /** Wall-clock deadline (`callTimeoutMs`, `timeoutMs`), or Infinity. */
  readonly deadline: number;
  /** When the current time slice ends (`yieldEveryMs`), or Infinity. */
  slice: number;
  readonly signal: AbortSignal | undefined;
  /** `store.interruptEpoch` when the call started. */
  readonly epoch: number;
  /** The fuel level of the next yield mark, or -Infinity. */
  yieldMark: number;
  /** The trap a checkpoint stopped the call with. */
  stop: RuntimeError | null;
  /** A host import's error unwinding the guest as a host trap ({@link throwThroughGuest}), to report as it is. */
  thrown: { readonly error: unknown } | null;
  /** Whether checks are for the clock only (no `fuelYieldInterval`): their interval adapts ({@link CLOCK_READ_MS}). */
  readonly byClock: boolean;
  /** When the clock was last read at a checkpoint of this call. */
  clockReadAt: number;
  /** The store's fuel when the call started (for {@link settleFuel}). */
  readonly fuelAtStart: number;
}

/** A fuel counter as the host sees it: fuel above the limit, in fuel units (exact below 2^53). */
export interface FuelCounter {
  value: number;
}

/** What has a counter: an instrumented instance. */
export interface Metered {
  readonly counter: FuelCounter;
}

/** The counter of an instance with its own (a global of its module, behind its access function). */
export function instanceCounter(exports: WebAssembly.Exports): FuelCounter {
  const access = exports[ACCESS_EXPORT] as (op: number, value: number) => number;
  return {
    get value() {
      return access(Access.ReadFuel, 0);
    },
    set value(fuel: number) {
      access(Access.WriteFuel, fuel);
    },
  };
}

/** The fuel interval of a store's checkpoints on the native engine (0: none). */
export function checkInterval(store: Store): number {
  const byFuel = store.options.fuelYieldInterval;
  if (byFuel !== undefined && byFuel > 0) return store.yieldInterval;
  return store.yieldInterval > 0 ? NATIVE_CHECK_INTERVAL : 0;
}

/**
 * A new call context.
 *
 * @param store the store of the call
 * @param sync whether the call is synchronous
 * @param options the call's own signal and timeout
 */
export function newContext(
  store: Store,
  sync: boolean,
  options: { signal?: AbortSignal; timeoutMs?: number } | undefined,
): CallContext {
  const timeoutMs = options?.timeoutMs ?? 0;
  const clock = store.callTimeoutMs > 0 || store.yieldEveryMs > 0 || timeoutMs > 0;
  const start = clock ? now() : 0;
  const byClock = checkInterval(store) > 0 && !((store.options.fuelYieldInterval ?? 0) > 0);
  const interval = byClock ? fuelState(store).clockInterval : checkInterval(store);
  return {
    store,
    sync,
    deadline: Math.min(
      store.callTimeoutMs > 0 ? start + store.callTimeoutMs : Infinity,
      timeoutMs > 0 ? start + timeoutMs : Infinity,
    ),
    slice: !sync && store.yieldEveryMs > 0 ? start + store.yieldEveryMs : Infinity,
    signal: options?.signal,
    epoch: store.interruptEpoch,
    yieldMark: interval > 0 ? store.fuel - interval : -Infinity,
    stop: null,
    thrown: null,
    fuelAtStart: store.fuel,
    byClock,
    clockReadAt: start,
  };
}

/** Whether the call must stop with "interrupt" at its next checkpoint. */
function interrupting(ctx: CallContext): boolean {
  const store = ctx.store;
  return ctx.stop !== null || store.interrupted || store.signal?.aborted === true || ctx.signal?.aborted === true ||
    store.interruptEpoch !== ctx.epoch;
}

/** The fuel bookkeeping of one store on the native engine. */
export class FuelState {
  readonly store: Store;
  /** The store's fuel counter, imported by every instrumented instance of the store (`sharedCounter`). */
  readonly global: WebAssembly.Global = new WebAssembly.Global({ value: "i64", mutable: true }, 0n);
  /** {@link global} as a {@link FuelCounter}. */
  readonly shared: FuelCounter = ((global) => ({
    get value() {
      return Number(global.value);
    },
    set value(fuel: number) {
      global.value = BigInt(fuel);
    },
  }))(this.global);
  /** The instance whose counter holds the store's fuel now, or null when `store.fuel` does. */
  live: Metered | null = null;
  /** The limit the live counter is relative to. */
  limit = 0;
  /** Fuel units between clock reads of clock-only checks, adapted ({@link CLOCK_READ_MS}). */
  clockInterval = MIN_CLOCK_INTERVAL;

  constructor(store: Store) {
    this.store = store;
  }

  /** Takes the fuel back from the live counter into `store.fuel`. */
  flush(): void {
    const live = this.live;
    if (live === null) return;
    this.store.fuel = live.counter.value + this.limit;
    this.live = null;
  }

  /** Hands the store's fuel to `m`'s counter for the call `ctx`. */
  load(m: Metered, ctx: CallContext | null): void {
    this.flush();
    // No counter: an instance whose instantiation failed (its functions still run from a table it wrote); its
    // code charges a counter Kiln cannot reach.
    if (m.counter === undefined) return;
    const fuel = this.store.fuel;
    // The guest profiler's next sample is a mark too (`sampler.ts`), as in the interpreter's slices.
    const mark = Math.max(ctx?.yieldMark ?? 0, this.store.profiler?.mark ?? 0, 0);
    this.limit = ctx !== null && interrupting(ctx) ? fuel + 1 : mark;
    m.counter.value = fuel - this.limit;
    this.live = m;
  }
}

const states = new WeakMap<Store, FuelState>();

/** The fuel state of a store (made on first use). */
export function fuelState(store: Store): FuelState {
  let s = states.get(store);
  if (s === undefined) states.set(store, s = new FuelState(store));
  return s;
}

/** The call running now (innermost), as the hook and host imports see it; set at every entry into wasm. */
let current: CallContext | null = null;

/** The call running now. */
export function currentCall(): CallContext | null {
  return current;
}

/** Sets the call running now (at an entry into wasm: a call, a resumption). */
export function setCurrentCall(ctx: CallContext | null): void {
  current = ctx;
}

/**
 * Awaits a host Promise for the call `ctx`, but gives up as soon as its signal (or the store's) aborts or its
 * deadline passes, as the interpreter's driver does: the guest must not outlive its call's limits while a host
 * import hangs. Giving up records the trap "interrupt" and rejects with {@link STOP_SUSPENDED}, on which the
 * import's dispatcher, where the guest awaited, traps: the guest runs no further instruction (and no guest
 * `catch_all` can swallow it), and the trap's backtrace is the guest's.
 *
 * @param ctx the call
 * @param pending the host's Promise
 * @returns the host's value
 */
export function awaitHost(ctx: CallContext | null, pending: PromiseLike<unknown>): Promise<unknown> {
  if (ctx === null) return Promise.resolve(pending);
  return awaitHostWithin(pending, [ctx.signal, ctx.store.signal], ctx.deadline, () => {
    throw stopSuspended(ctx, trap(TrapCode.Interrupt));
  });
}

/**
 * What stops a guest that awaited in a Suspending import: thrown into it where it resumes, caught there by the
 * import's dispatcher (`imports.ts`), which asks {@link stopping} and executes `unreachable`. Why not a host trap
 * made here ({@link stopGuest}): an error's stack is taken where it is made, and here, in JS after the guest
 * suspended, the guest's frames are not on the stack; the dispatcher's trap is made among them. A plain object,
 * because wasm cannot catch a trap's error.
 */
export const STOP_SUSPENDED: object = Object.freeze({ stop: "kiln" });

/**
 * Stops the guest of call `ctx`, which awaited in a Suspending import and is about to resume: records `e` as the
 * call's trap and returns {@link STOP_SUSPENDED} to throw into it.
 *
 * @param ctx the call
 * @param e the trap the call ends with
 * @returns the value to throw
 */
export function stopSuspended(ctx: CallContext, e: RuntimeError): object {
  ctx.stop = e;
  return STOP_SUSPENDED;
}

/** Whether the running call has been stopped (asked by a dispatcher that caught {@link STOP_SUSPENDED}). */
export function stopping(): number {
  return current !== null && current.stop !== null ? 1 : 0;
}

/** `(module (func (export "t") unreachable))`: a host trap on demand. */
const TRAPPER = new Uint8Array([
  ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  ...[1, 4, 1, 0x60, 0, 0],
  ...[3, 2, 1, 0],
  ...[7, 5, 1, 1, 0x74, 0, 0],
  ...[10, 5, 1, 3, 0, 0, 0x0b],
]);
let trapper: (() => void) | undefined;

/**
 * Stops the guest of call `ctx` from JS (a host import's return, a give-up): records `e` as the call's trap and
 * returns an error to throw into the guest that the guest cannot catch. Why a host trap: V8 and JavaScriptCore let
 * a guest's `catch_all` catch any JS exception thrown through wasm, but never a trap's own error object, even
 * rethrown by JS (measured on Deno 2.9 and Bun 1.4); the call then reports `e` (`engine.ts` `finish`).
 *
 * @param ctx the call
 * @param e the trap the call ends with
 * @returns the host trap to throw
 */
export function stopGuest(ctx: CallContext, e: RuntimeError): Error {
  ctx.stop = e;
  return hostTrap();
}

/**
 * Unwinds the guest of call `ctx` with a host import's error, as on the interpreter, where the guest cannot catch
 * what its host throws (a wasm `Exception` aside): returns a host trap to throw instead, and the call reports
 * `error` unchanged (`engine.ts` `finish`).
 *
 * @param ctx the call
 * @param error what the host import threw
 * @returns the host trap to throw (the error itself where the JS stack is exhausted)
 */
export function throwThroughGuest(ctx: CallContext, error: unknown): unknown {
  // Why one trap object for all: its stack is never read (the call reports `error`), and making one per throw cost
  // ~50 µs per level of a deep re-entry that unwinds (each level rethrows).
  try {
    sharedTrap ??= hostTrap();
  } catch {
    return error; // no stack left to make the trap with (the level outside maps a stack overflow)
  }
  ctx.thrown = { error };
  return sharedTrap;
}

let sharedTrap: Error | undefined;

/** A fresh host trap, its stack starting at the guest's innermost frame. */
function hostTrap(): Error {
  trapper ??= new WebAssembly.Instance(new WebAssembly.Module(TRAPPER)).exports.t as () => void;
  try {
    trapper();
  } catch (hostTrap) {
    // The trapper's own frame is not the guest's: its line is dropped, so the backtrace starts in the guest.
    const t = hostTrap as Error;
    if (typeof t.stack === "string") t.stack = t.stack.replace(/\n[^\n]*wasm-function\[0\][^\n]*/, "");
    return t;
  }
  throw new Error("internal: the trapper did not trap");
}

/** Records why the guest stops and tells the instrumented code to trap. */
function stop(ctx: CallContext, e: RuntimeError): number {
  ctx.stop = e;
  return 1;
}

/**
 * What a checkpoint that trapped instead of calling the hook (`instrument.ts` `checkpointsTrap`, in a store whose
 * checks can only stop) stopped the call for, decided as {@link checkpoint} would have: an interrupt, else running
 * out of fuel (a counter below 0 with fuel left means the limit was raised to deliver an interrupt).
 *
 * @param ctx the call, whose fuel was flushed from the counter the checkpoint wrote back before trapping
 */
export function trappedAtCheckpoint(ctx: CallContext): void {
  stop(ctx, stopAtCheckpoint(ctx) ?? trap(TrapCode.Interrupt));
}

/**
 * The trap a checkpoint stops the call `ctx` with, or null to go on: an interrupt first (the store's flag is
 * cleared as it is delivered), then running out of fuel in a store that meters it. One rule for the hook and for
 * checkpoints that trap.
 */
function stopAtCheckpoint(ctx: CallContext): RuntimeError | null {
  const store = ctx.store;
  if (interrupting(ctx)) {
    store.interrupted = false;
    return ctx.stop ?? trap(TrapCode.Interrupt);
  }
  return store.fuel < 0 && store.fuelEnabled ? trap(TrapCode.OutOfFuel) : null;
}

/**
 * The checkpoint hook of an instance (`kiln.checkpoint`): called when its counter went below 0.
 *
 * @param m the instance
 * @param fuel its store's fuel state
 * @param afterYield called when a yield ends, before the guest continues (sets the instance's call state)
 * @param stack the wasm stack of the hook's caller, for the guest profiler (`sampler.ts`)
 * @returns 0 to continue, 1 to stop, or a Promise of either (a yield; only in an async call)
 */
export function checkpoint(
  m: Metered,
  fuel: FuelState,
  afterYield: (ctx: CallContext) => void,
  stack: () => SampledStack,
): number | Promise<number> {
  const ctx = current;
  const store = fuel.store;
  fuel.flush();
  if (ctx === null) {
    // Not a call Kiln made (cannot happen: every entry sets it); refuel and continue.
    if (store.fuel < 0 && !store.fuelEnabled) store.fuel = UNMETERED_FUEL;
    fuel.load(m, null);
    return 0;
  }
  const stopped = stopAtCheckpoint(ctx);
  if (stopped !== null) return stop(ctx, stopped);
  let interval = ctx.byClock ? fuel.clockInterval : checkInterval(store);
  if (store.fuel < 0) {
    // A store that meters only for yields and clocks: refilled.
    store.fuel = UNMETERED_FUEL;
    ctx.yieldMark = interval > 0 ? store.fuel - interval : -Infinity;
  }
  // A sample is due at the first checkpoint below the profiler's mark, yielding or not (as the interpreter's).
  const profiler = store.profiler;
  if (profiler !== undefined && store.fuel < profiler.mark) profiler.sample(store.fuel, stack());
  if (store.fuel < ctx.yieldMark) {
    ctx.yieldMark = store.fuel - interval;
    const t = ctx.deadline !== Infinity || ctx.slice !== Infinity ? now() : 0;
    if (t >= ctx.deadline) return stop(ctx, trap(TrapCode.Interrupt));
    if (ctx.byClock && t !== 0) {
      const apart = t - ctx.clockReadAt;
      ctx.clockReadAt = t;
      if (apart > CLOCK_READ_MS) interval = Math.max(MIN_CLOCK_INTERVAL, Math.floor(interval * CLOCK_READ_MS / apart));
      else if (apart < CLOCK_READ_MS / 2) interval = Math.min(NATIVE_CHECK_INTERVAL, interval * 2);
      fuel.clockInterval = interval;
      ctx.yieldMark = store.fuel - interval;
    }
    const byFuel = store.yieldsByFuel && ctx.signal === undefined && ctx.deadline === Infinity;
    if (ctx.sync && byFuel) {
      return stop(
        ctx,
        trapWithMessage(TrapCode.CannotSuspend, `${TRAP_MESSAGES.CannotSuspend}: a fuel yield is needed`),
      );
    }
    if (!ctx.sync && (store.yieldsByFuel || t >= ctx.slice)) {
      return yieldMacrotask().then(() => {
        afterYield(ctx);
        if (interrupting(ctx)) {
          store.interrupted = false;
          return stop(ctx, trap(TrapCode.Interrupt));
        }
        if (store.yieldEveryMs > 0) ctx.slice = now() + store.yieldEveryMs;
        if (ctx.byClock) ctx.clockReadAt = now(); // the yield's time is not the guest's
        // Why at resumption (as the interpreter's continueAfterYield): other calls of the store ran meanwhile.
        ctx.yieldMark = store.fuel - interval;
        fuel.load(m, ctx);
        return 0;
      });
    }
  }
  fuel.load(m, ctx);
  return 0;
}

/**
 * After a call stopped for lack of fuel: the run that did not fit was charged but never ran, so the call consumed
 * all the fuel it had, as the interpreter settles it (`exec/driver.ts`).
 *
 * @param ctx the call
 * @param e its error
 */
export function settleFuel(ctx: CallContext, e: unknown): void {
  const store = ctx.store;
  if (store.fuelEnabled && store.fuel < 0 && e instanceof RuntimeError && e.code === TrapCode.OutOfFuel) {
    store.fuel = Math.max(store.fuel, Math.min(0, ctx.fuelAtStart));
  }
}
