/**
 * The async driver: calls a function instance from JS, running the machine and awaiting what it asks for (a host
 * Promise, or a macrotask yield at a fuel checkpoint), and the synchronous variant that refuses to suspend.
 *
 * Every call from JS (including a host import calling back into an export: re-entry) gets its own machine from the
 * store's pool, so a call suspended in an await never shares state with another.
 *
 * @module
 */

import { RuntimeError } from "../errors.ts";
import { DONE, Machine, SUSPEND } from "../exec/machine.ts";
import type { FuncInst } from "./func.ts";
import type { Store } from "./store.ts";
import { jsToRaw, rawToJs } from "./values.ts";

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

function acquire(store: Store): Machine {
  return (store.machinePool.pop() as Machine | undefined) ?? new Machine(store);
}

function release(store: Store, m: Machine): void {
  if (store.machinePool.length < 8) store.machinePool.push(m);
}

function collect(m: Machine, f: FuncInst, raw: boolean): unknown {
  const results = f.type.results;
  if (raw) return results.map((t, i) => m.read(t, i, true));
  if (results.length === 0) return undefined;
  if (results.length === 1) return m.read(results[0]!, 0, false);
  return results.map((t, i) => m.read(t, i, false));
}

function cannotSuspend(m: Machine, why: string): RuntimeError {
  if (m.pending) Promise.resolve(m.pending).catch(() => {});
  m.reset();
  return new RuntimeError(`function cannot suspend in a synchronous call: ${why}`);
}

function callHostDirect(f: FuncInst, args: unknown[], raw: boolean, sync: boolean): unknown {
  const params = f.type.params, results = f.type.results;
  const jsArgs = params.map((t, i) => raw ? rawToJs(t, args[i]) : args[i]);
  const out = (f.host as (...a: unknown[]) => unknown)(...jsArgs);
  const finish = (v: unknown): unknown => {
    if (!raw) return v;
    if (results.length === 0) return [];
    if (results.length === 1) return [jsToRaw(results[0]!, v)];
    return Array.from(v as Iterable<unknown>).map((x, i) => jsToRaw(results[i]!, x));
  };
  if (sync) {
    if (out !== null && typeof (out as { then?: unknown })?.then === "function") {
      throw new RuntimeError("function cannot suspend in a synchronous call: a host import returned a Promise");
    }
    return finish(out);
  }
  return Promise.resolve(out).then(finish);
}

/**
 * Calls `f` with JS-form (or raw-form) arguments.
 *
 * @param f The function instance.
 * @param args Arguments; missing ones are `undefined` (converted like the standard JS API).
 * @param raw Raw-form values in and out (results always an array).
 * @param sync Run synchronously (returns the results, or throws if the call would need to suspend).
 * @returns The results (JS form: undefined, one value or an array), or a Promise of them when `sync` is false.
 */
export function invoke(f: FuncInst, args: unknown[], raw: boolean, sync: boolean): unknown {
  if (f.host !== null) return callHostDirect(f, args, raw, sync);
  const store = f.instance!.store;
  const m = acquire(store);
  let status: number;
  try {
    m.begin(f);
    const params = f.type.params;
    for (let i = 0; i < params.length; i++) m.write(params[i]!, i, args[i], raw);
    status = m.run();
  } catch (e) {
    m.reset();
    release(store, m);
    if (sync) throw e;
    return Promise.reject(e);
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
  return drive(store, m, f, raw, status);
}

async function drive(store: Store, m: Machine, f: FuncInst, raw: boolean, status: number): Promise<unknown> {
  try {
    while (status !== DONE) {
      if (status === SUSPEND) {
        const value = await m.pending!;
        status = m.resume(value);
      } else {
        await yieldMacrotask();
        status = m.continueAfterYield();
      }
    }
  } catch (e) {
    m.reset();
    release(store, m);
    throw e;
  }
  const out = collect(m, f, raw);
  release(store, m);
  return out;
}
