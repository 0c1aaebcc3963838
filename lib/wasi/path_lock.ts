/**
 * The process-wide lock that serializes path calls on asynchronous backends. Why: with an asynchronous backend a
 * syscall can suspend between resolving a path and acting on it, and another guest sharing the directory could swap
 * a checked directory for a symlink in that gap; holding the lock makes check and use one step for every guest in
 * this process. (Synchronous backends never interleave.) A call gives the lock back early before a host call that may
 * block for long (opening a FIFO waits for a writer), so one guest never stalls another's unrelated calls: what it
 * resolved stays safe meanwhile because the lookup holds the directories it went through (`path.ts`, on hosts with
 * directory aliases) and `path_open` checks the opened file is the one it resolved.
 *
 * @module
 */
import { wait } from "./_drive.ts";

/** Tail of the queue: resolves when the last holder or waiter lets go. */
let tail: Promise<void> = Promise.resolve();
/** Path calls that hold or wait for the lock. */
let users = 0;

/**
 * Takes the lock, waiting (as a syscall generator) for the calls before this one.
 *
 * @returns the function that gives it back (calling it again does nothing)
 */
export function* acquirePathLock(): Generator<unknown, () => void, unknown> {
  const previous = tail;
  let resolve!: () => void;
  tail = new Promise<void>((r) => resolve = r);
  // Why: when no other path call holds or awaits the lock, `previous` is already released; skipping the await
  // lets a path call whose backend calls all complete synchronously (NodeFs async mode: metadata calls, node_fs.ts)
  // return a plain errno instead of suspending the guest for nothing.
  const contended = users++ > 0;
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    users--;
    resolve();
  };
  try {
    if (contended) yield* wait(previous);
  } catch (e) {
    release();
    throw e;
  }
  return release;
}
