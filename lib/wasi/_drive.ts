/**
 * Runs a WASI syscall written once as a generator against a sync or an async backend. A syscall yields only
 * thenables (through {@link wait}); with a sync backend nothing is ever yielded and the syscall completes in one
 * `next()`, with an async backend the driver awaits each yielded Promise and resumes the generator.
 *
 * @module
 */
import type { MaybePromise } from "./fs/fs_backend.ts";
import { Errno, WasiError } from "./errno.ts";
import type { RuntimeError } from "../errors.ts";
import { trap, TrapCode } from "../trap_codes.ts";

/** The trap for a guest pointer outside its memory. */
export function outOfBounds(): RuntimeError {
  return trap(TrapCode.MemoryOutOfBounds);
}

/** A syscall body: yields thenables, returns an errno. */
export type Syscall = Generator<unknown, number, unknown>;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * Awaits a value inside a syscall generator (`const st = yield* wait(backend.lstat(p))`); plain values pass
 * through without suspending.
 *
 * @param v a value or a Promise of it
 * @returns the value
 */
export function* wait<T>(v: MaybePromise<T>): Generator<unknown, T, unknown> {
  if (isThenable(v)) return (yield v) as T;
  return v as T;
}

/**
 * Maps what a syscall threw to its errno; anything that is not a WASI error (WasiExit, host exceptions) rethrows.
 *
 * @param e the thrown value
 * @returns the errno
 */
export function errnoOf(e: unknown): number {
  if (e instanceof WasiError) return e.errno;
  // Why: a DataView access outside guest memory is a bad guest pointer, which traps (witx: "If an out-of-bounds
  // pointer is passed to a function and the function needs to dereference it, the function shall trap").
  if (e instanceof RangeError) throw outOfBounds();
  throw e;
}

/**
 * Runs a syscall to completion: synchronously while nothing suspends, then asynchronously.
 *
 * @param gen the syscall generator
 * @param allowAsync whether a Promise may be returned (async mode); otherwise suspending is an error
 * @returns the errno, or a Promise of it
 */
export function drive(gen: Syscall, allowAsync: boolean): number | Promise<number> {
  let r: IteratorResult<unknown, number>;
  try {
    r = gen.next();
  } catch (e) {
    return errnoOf(e);
  }
  if (r.done) return r.value;
  if (!allowAsync) {
    gen.return(Errno.IO);
    throw new Error("WASI call cannot suspend in sync mode: the backend returned a Promise");
  }
  return continueAsync(gen, r.value as PromiseLike<unknown>);
}

async function continueAsync(gen: Syscall, pending: PromiseLike<unknown>): Promise<number> {
  for (;;) {
    let r: IteratorResult<unknown, number>;
    let value: unknown, failed = false;
    try {
      value = await pending;
    } catch (e) {
      value = e;
      failed = true;
    }
    try {
      r = failed ? gen.throw(value) : gen.next(value);
    } catch (e) {
      return errnoOf(e);
    }
    if (r.done) return r.value;
    pending = r.value as PromiseLike<unknown>;
  }
}
