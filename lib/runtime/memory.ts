/**
 * Linear memory (spec §4.2.8): one `ArrayBuffer`, replaced on growth (via `ArrayBuffer.prototype.transfer` where
 * the host has it, else by copying), with a `DataView` the machine reads after every call that could have grown it.
 *
 * @module
 */

import { RuntimeError } from "../errors.ts";

/** Bytes per WebAssembly page. */
export const PAGE_SIZE = 65536;
/** Largest page count a 32-bit memory can have. */
export const MAX_PAGES = 65536;

/** Descriptor of a new memory: sizes in 64 KiB pages. */
export interface MemoryDescriptor {
  initial: number;
  maximum?: number;
}

type Transfer = (this: ArrayBuffer, length: number) => ArrayBuffer;
const transfer = (ArrayBuffer.prototype as unknown as { transfer?: Transfer }).transfer;

/**
 * A linear memory. `buffer` is the current `ArrayBuffer`; after `grow` the previous buffer is detached (where the
 * host supports it) or stale, as in the standard JS API.
 *
 * @example
 * ```ts
 * import { Memory } from "./mod.ts";
 * const memory = new Memory({ initial: 1, maximum: 2 });
 * console.log(memory.buffer.byteLength); // 65536
 * console.log(memory.grow(1)); // 1
 * ```
 */
export class Memory {
  /** Current buffer. */
  buffer: ArrayBuffer;
  /** Little-endian access view of `buffer`, refreshed on growth. */
  view: DataView;
  /** Byte view of `buffer`, refreshed on growth. */
  bytes: Uint8Array;
  /** Maximum size in pages, if declared. */
  readonly maximum: number | undefined;
  /** Byte limit from the store's `maxMemoryBytes` (growth beyond it fails). */
  byteLimit = Infinity;
  /** Growth failure traps instead of returning -1 (StoreOptions.trapOnGrowFailure). */
  trapOnGrowFailure = false;

  /**
   * @param desc Initial and maximum size in pages.
   */
  constructor(desc: MemoryDescriptor) {
    const initial = desc.initial;
    if (!Number.isInteger(initial) || initial < 0 || initial > MAX_PAGES) {
      throw new RangeError("Memory: initial size out of range");
    }
    if (desc.maximum !== undefined && (desc.maximum < initial || desc.maximum > MAX_PAGES)) {
      throw new RangeError("Memory: maximum size out of range");
    }
    this.maximum = desc.maximum;
    this.buffer = new ArrayBuffer(initial * PAGE_SIZE);
    this.view = new DataView(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
  }

  /** Current size in pages. */
  get pages(): number {
    return this.buffer.byteLength / PAGE_SIZE;
  }

  /**
   * Grows by `deltaPages` pages (zero-filled).
   *
   * @param deltaPages Pages to add.
   * @returns The previous size in pages.
   * @throws RangeError when the memory cannot grow (the JS API's behaviour; wasm's `memory.grow` returns -1).
   */
  grow(deltaPages: number): number {
    const old = this.growPages(deltaPages);
    if (old < 0) throw new RangeError("Memory.grow: failed to grow memory");
    return old;
  }

  /** `memory.grow` semantics: the previous size in pages, or -1 on failure (never throws a JS error). */
  growPages(deltaPages: number): number {
    const old = this.pages;
    if (deltaPages === 0) return old;
    const next = old + deltaPages;
    const max = this.maximum ?? MAX_PAGES;
    if (deltaPages < 0 || next > max || next > MAX_PAGES || next * PAGE_SIZE > this.byteLimit) {
      return this.growFailed();
    }
    let buffer: ArrayBuffer;
    try {
      if (transfer) {
        buffer = transfer.call(this.buffer, next * PAGE_SIZE);
      } else {
        buffer = new ArrayBuffer(next * PAGE_SIZE);
        new Uint8Array(buffer).set(this.bytes);
      }
    } catch {
      return this.growFailed();
    }
    this.buffer = buffer;
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    return old;
  }

  private growFailed(): number {
    if (this.trapOnGrowFailure) throw new RuntimeError("forcing trap when growing memory");
    return -1;
  }
}
