/**
 * Awaiting a host import's Promise within a call's limits, for every engine: the guest must not outlive its call's
 * deadline or signals while a host import hangs.
 *
 * @module
 */

/**
 * The clock deadlines are measured on: `performance.now()` where the host has it, else `Date.now()`.
 *
 * @returns milliseconds since an arbitrary origin
 */
export function now(): number {
  clock ??= typeof performance === "object" && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now();
  return clock();
}
// Why chosen on first use: on Node 20, reading the global `performance` loads its perf_hooks (about 1 ms of every
// start), and most runs never need a deadline.
let clock: (() => number) | undefined;

/**
 * Awaits a host Promise, but gives up as soon as one of `signals` aborts or `deadline` passes: then `giveUp` decides
 * the outcome (its value resolves the result, an error it throws rejects it). The abandoned Promise's rejection is
 * swallowed.
 *
 * @param pending What the host import returned.
 * @param signals Signals that end the wait (undefined entries are ignored).
 * @param deadline A time on {@link now}'s clock, or Infinity.
 * @param giveUp Called once, on giving up.
 * @returns The host's value, or `giveUp`'s.
 * @example
 * ```ts
 * import { awaitHostWithin, now } from "./await_host.ts";
 * const hung = new Promise(() => {});
 * console.log(await awaitHostWithin(hung, [], now() + 10, () => "gave up")); // "gave up"
 * ```
 */
export function awaitHostWithin(
  pending: unknown,
  signals: readonly (AbortSignal | undefined)[],
  deadline: number,
  giveUp: () => unknown,
): Promise<unknown> {
  const host = Promise.resolve(pending);
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (live.length === 0 && deadline === Infinity) return host;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      cleanup();
      host.then(undefined, () => {});
      try {
        resolve(giveUp());
      } catch (e) {
        reject(e);
      }
    };
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const signal of live) signal.removeEventListener("abort", stop);
    };
    if (deadline !== Infinity) timer = setTimeout(stop, Math.max(0, deadline - now()));
    for (const signal of live) signal.addEventListener("abort", stop, { once: true });
    host.then((v) => {
      cleanup();
      resolve(v);
    }, (e) => {
      cleanup();
      reject(e);
    });
  });
}

type Scheduler = (fn: () => void) => void;
const g = globalThis as unknown as { setImmediate?: Scheduler };

function messageChannelYield(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  (channel.port1 as unknown as { unref?: () => void }).unref?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(0);
    });
}

/**
 * Yields one macrotask (timers and I/O run). Measured (bench/micro/yield_bench.ts): setImmediate 15 µs on Deno,
 * 1.5 µs on Bun; MessageChannel about the same; setTimeout(0) 1–2 ms. So setImmediate where the host has it, else
 * MessageChannel (browsers), else setTimeout(0).
 */
export const yieldMacrotask: () => Promise<void> = typeof g.setImmediate === "function"
  ? () => new Promise<void>((resolve) => g.setImmediate!(resolve))
  : typeof MessageChannel === "function"
  ? messageChannelYield()
  : () => new Promise<void>((resolve) => setTimeout(resolve, 0));
