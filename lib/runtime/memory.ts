/**
 * Linear memory (spec §4.2.8): one `ArrayBuffer`, with a `DataView` the machine reads after every call that could
 * have grown it.
 *
 * Growth (measured in bench/micro/memory_bench.ts, 512 single-page grows): a resizable ArrayBuffer's `resize` takes
 * 1–20 ms, `transfer` 0.7–1.8 s, copying 1.3–8 s. But the machine runs slower on resizable buffers: on V8, heapsort
 * 9.5 → 15.2 s, sieve 7.0 → 9.1 s, base64 3.7 → 4.4 s (slot machine, Deno 2.9; typed arrays and DataViews on resizable
 * buffers are a distinct, less optimized kind). So a memory starts as a fixed ArrayBuffer, replaced on growth
 * (`transfer` where available, else a copy), and only a memory that keeps growing — more than
 * {@link FIXED_GROWTHS} times — moves to a resizable buffer reserving `min(maximum, max(2 × size, 64 MiB))`,
 * re-allocated with double the reservation beyond it. Without that switch, n single-page grows copy O(n²) bytes
 * (robustness finding 6: 2,047 grows to 128 MiB took 70 s on Deno). `buffer.byteLength` is always exactly the
 * memory's size; a resizable memory keeps its `buffer` object across growth (it is not detached).
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
type ResizableBuffer = ArrayBuffer & {
  readonly resizable?: boolean;
  readonly maxByteLength: number;
  resize(n: number): void;
};
/** Whether the host has resizable ArrayBuffers. */
const RESIZABLE = typeof (ArrayBuffer.prototype as unknown as { resize?: unknown }).resize === "function";
/** Growths a memory takes as fixed buffers before it moves to a resizable one (see the module doc). */
const FIXED_GROWTHS = 8;
/** Minimum reservation of a resizable memory: 1024 pages (64 MiB). */
const MIN_RESERVED_PAGES = 1024;

/** A resizable buffer of `pages` pages reserving room to grow geometrically (up to `maxPages`). */
function allocateResizable(pages: number, maxPages: number): ArrayBuffer {
  const reserve = Math.min(maxPages, Math.max(pages * 2, MIN_RESERVED_PAGES));
  const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
  return new Ctor(pages * PAGE_SIZE, { maxByteLength: reserve * PAGE_SIZE });
}

/**
 * An empty view of the same kind as memories' views (for instances without a memory). Why: V8 gives DataViews on
 * resizable buffers their own instance type, and mixing kinds needlessly makes the machine's accesses polymorphic.
 */
export const EMPTY_MEMORY_VIEW: DataView = new DataView(new ArrayBuffer(0));

/**
 * A linear memory. `buffer` is the current `ArrayBuffer`; after `grow` the previous buffer is detached (where the
 * host supports it) or stale, as in the standard JS API.
 *
 * @example Creating and growing a memory
 * ```ts
 * import { Memory } from "../../mod.ts";
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
  byteLimit: number = Infinity;
  /** Growth failure traps instead of returning -1 (StoreOptions.trapOnGrowFailure). */
  trapOnGrowFailure = false;
  /** Successful growths so far (a memory moves to a resizable buffer after {@link FIXED_GROWTHS}). */
  private growths = 0;

  /**
   * Creates a zero-filled memory.
   *
   * @param desc Initial and maximum size in pages.
   * @throws RangeError when a size is out of range.
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
      const current = this.buffer as ResizableBuffer;
      if (current.resizable === true && current.maxByteLength >= next * PAGE_SIZE) {
        current.resize(next * PAGE_SIZE); // `view` and `bytes` track the length
        this.growths++;
        return old;
      }
      if (RESIZABLE && (current.resizable === true || this.growths >= FIXED_GROWTHS)) {
        buffer = allocateResizable(next, max);
        new Uint8Array(buffer).set(this.bytes);
        if (transfer) transfer.call(this.buffer, 0); // detach the old buffer, as the JS API does on growth
      } else if (transfer && deltaPages <= old) {
        buffer = transfer.call(this.buffer, next * PAGE_SIZE);
      } else {
        // Why: V8's `transfer` zero-fills the added bytes and so commits them (growing by 1 GiB on Deno: 490 ms and
        // +1025 MiB resident); a fresh buffer's pages stay untouched until used, and the copy costs only the old
        // size, which is the smaller part when a memory more than doubles (same grow: 4 ms, +1 MiB resident).
        buffer = new ArrayBuffer(next * PAGE_SIZE);
        new Uint8Array(buffer).set(this.bytes);
        if (transfer) transfer.call(this.buffer, 0); // detach the old buffer, as the JS API does on growth
      }
    } catch {
      return this.growFailed();
    }
    this.growths++;
    this.buffer = buffer;
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    return old;
  }

  /** Fails a growth: traps when `trapOnGrowFailure`, else returns -1. */
  private growFailed(): number {
    if (this.trapOnGrowFailure) throw new RuntimeError("forcing trap when growing memory");
    return -1;
  }
}
