/**
 * Linear memory (spec §4.2.8): one `ArrayBuffer`, with a `DataView` the machine reads after every call that could
 * have grown it.
 *
 * Growth (measured in bench/micro/memory_bench.ts, 512 single-page grows): a resizable ArrayBuffer's `resize` takes
 * 1–20 ms, `transfer` 0.7–1.8 s, copying 1.3–8 s; DataView access on a resizable buffer matches a fixed one on V8
 * once optimized (TurboFan) and is up to 1.5x slower on JSC, but V8's Maglev tier deoptimizes on it (see
 * `USE_RESIZABLE`). So memories are fixed ArrayBuffers replaced on growth (`transfer` where available, else a copy);
 * the resizable variant (reserving `min(maximum, max(2 × size, 64 MiB))`, re-allocating with double the
 * reservation beyond it) is kept behind `USE_RESIZABLE`. `buffer.byteLength` is always exactly the memory's size.
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
type ResizableBuffer = ArrayBuffer & { readonly maxByteLength: number; resize(n: number): void };
/**
 * Whether memories use resizable ArrayBuffers. Off: V8's Maglev tier deoptimizes the machine on every DataView
 * access to a resizable buffer ("wrong instance type", a distinct instance type), which cost the bz2 benchmark's
 * first run about 1 s; fixed buffers grown by `transfer` keep the JIT stable. The resizable path stays for hosts or
 * V8 versions where that changes.
 */
const USE_RESIZABLE: boolean = false;
const RESIZABLE = USE_RESIZABLE &&
  typeof (ArrayBuffer.prototype as unknown as { resize?: unknown }).resize === "function";
/** Minimum reservation of a resizable memory: 1024 pages (64 MiB). */
const MIN_RESERVED_PAGES = 1024;

function allocate(pages: number, maxPages: number): ArrayBuffer {
  if (!RESIZABLE) return new ArrayBuffer(pages * PAGE_SIZE);
  const reserve = Math.min(maxPages, Math.max(pages * 2, MIN_RESERVED_PAGES));
  const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
  return new Ctor(pages * PAGE_SIZE, { maxByteLength: reserve * PAGE_SIZE });
}

/**
 * An empty view of the same kind as memories' views (for instances without a memory). Why: V8 gives DataViews on
 * resizable buffers their own instance type, and mixing the two kinds deoptimizes the machine.
 */
export const EMPTY_MEMORY_VIEW: DataView = new DataView(allocate(0, 0));

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
    this.buffer = allocate(initial, desc.maximum ?? MAX_PAGES);
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
      const resizable = this.buffer as ResizableBuffer;
      if (RESIZABLE && resizable.maxByteLength >= next * PAGE_SIZE) {
        resizable.resize(next * PAGE_SIZE);
        return old;
      }
      if (RESIZABLE) {
        buffer = allocate(next, max);
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
