/**
 * The space account of a `MemoryFs`: what a disk's size and its inode table are to a real filesystem. Every change
 * that would take space asks here first and is refused with ENOSPC before anything is modified, so a refused call
 * leaves the tree as it was.
 *
 * @module
 */
import { Errno, WasiError } from "../errno.ts";

/** Default `maxBytes` of a `MemoryFs`: 256 MiB of file contents and symlink targets. */
export const MEMORY_FS_DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Default `maxEntries` of a `MemoryFs`: 65,536 names. */
export const MEMORY_FS_DEFAULT_MAX_ENTRIES = 65_536;

/** Bytes and names in use, against their limits. */
export class MemoryQuota {
  /** Bytes held by regular files (their sizes, holes included) and symlinks (their targets). */
  usedBytes = 0;
  /** Names in directories (the root has none; a hard link is one more). */
  usedEntries = 0;
  /**
   * Host memory holding file contents, spare capacity included; no limit of its own. It stays below `usedBytes`
   * where files have holes and at most about twice it otherwise (see `MemoryFileHandle.materialize`).
   */
  allocatedBytes = 0;

  /**
   * @param maxBytes the most `usedBytes` may reach
   * @param maxEntries the most `usedEntries` may reach
   */
  constructor(readonly maxBytes: number, readonly maxEntries: number) {}

  /** Throws ENOSPC unless `delta` more bytes fit (a negative or zero delta always does). Changes nothing. */
  checkBytes(delta: number): void {
    if (delta > 0 && this.usedBytes + delta > this.maxBytes) {
      throw new WasiError(Errno.NOSPC, `no space left on device: the filesystem holds at most ${this.maxBytes} bytes`);
    }
  }

  /** Adds `delta` bytes (negative gives them back), after the same check as `checkBytes`. */
  chargeBytes(delta: number): void {
    this.checkBytes(delta);
    this.usedBytes += delta;
  }

  /**
   * Throws ENOSPC unless one more name fits. ENOSPC and not EDQUOT: the limit is the filesystem's own, as tmpfs's
   * `nr_inodes=`, not a per-user quota. Changes nothing.
   */
  checkEntry(): void {
    if (this.usedEntries + 1 > this.maxEntries) {
      throw new WasiError(
        Errno.NOSPC,
        `no space left on device: the filesystem holds at most ${this.maxEntries} names`,
      );
    }
  }

  /** Counts one more name, after `checkEntry`'s check. */
  chargeEntry(): void {
    this.checkEntry();
    this.usedEntries++;
  }

  /** Gives back one name. */
  releaseEntry(): void {
    this.usedEntries--;
  }
}

/** Validates a limit option: a number >= 0 (Infinity disables the limit), else `fallback` when undefined. */
export function quotaLimit(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`${name} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}
