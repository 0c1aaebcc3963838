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

import type { AddressType } from "../binary/module.ts";
import { trap, TrapCode } from "../trap_codes.ts";

/** Bytes per WebAssembly page. */
export const PAGE_SIZE = 65536;
/**
 * Largest page count a 32-bit memory can have; also the most pages Kiln allocates for a 64-bit memory (memory64),
 * whose type may declare up to 2^48. Why: an ArrayBuffer beyond 4 GiB is not reliably available on V8 and JSC, and
 * with this bound an address whose high word is not zero is out of bounds, which the machine checks in one compare.
 */
export const MAX_PAGES = 65536;

/**
 * Descriptor of a new memory: sizes in 64 KiB pages. With `address: "i64"` (memory64), `initial` and `maximum` are
 * BigInts, as in the JS API (converted by ToBigInt: a number is a TypeError).
 */
export interface MemoryDescriptor {
  address?: AddressType;
  initial: number | bigint;
  maximum?: number | bigint;
}

/**
 * The JS API's AddressValueToU64: a size, index or delta of a memory or table of address type `address`, as a number.
 * An i32 value is a number in [0, 2^32) (ToNumber with EnforceRange); an i64 value goes through ToBigInt and must be
 * in [0, 2^64) (a number larger than 2^53 is then inexact, and beyond any memory or table Kiln allocates).
 *
 * @throws TypeError when the value has the wrong type or is out of range.
 */
export function addressValue(v: unknown, address: AddressType, what: string): number {
  if (address === "i64") {
    let n: bigint;
    try {
      n = BigInt(v as bigint);
    } catch {
      throw new TypeError(`${what}: expected a BigInt for a 64-bit address type`);
    }
    if (typeof v === "number") throw new TypeError(`${what}: expected a BigInt for a 64-bit address type`);
    if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new TypeError(`${what}: value out of range`);
    return Number(n);
  }
  const n = Number(v);
  if (typeof v === "bigint" || !Number.isFinite(n)) throw new TypeError(`${what}: expected a number`);
  const t = Math.trunc(n);
  if (t < 0 || t > 0xffffffff) throw new TypeError(`${what}: value out of range`);
  return t;
}

type Transfer = (this: ArrayBuffer, length: number) => ArrayBuffer;
const transfer = (ArrayBuffer.prototype as unknown as { transfer?: Transfer }).transfer;
type ResizableBuffer = ArrayBuffer & {
  readonly resizable?: boolean;
  readonly maxByteLength: number;
  resize(n: number): void;
};
/** `ArrayBuffer.prototype.resize`, where the host has resizable ArrayBuffers (captured: see {@link guard}). */
const resizeBuffer = (ArrayBuffer.prototype as unknown as { resize?: (this: ArrayBuffer, n: number) => void }).resize;
/** Whether the host has resizable ArrayBuffers. */
const RESIZABLE = typeof resizeBuffer === "function";

/** What a host that tries to resize or detach a memory's buffer gets. */
function refuse(): never {
  throw new TypeError("a WebAssembly memory's buffer cannot be resized or transferred: use Memory.grow");
}

/**
 * Makes a memory's buffer refuse `resize`, `transfer` and `transferToFixedLength`, as the buffer of a native
 * WebAssembly.Memory does (it is not detachable, and not resizable): the embedder gets the guest's memory, not the
 * power to change its size behind the guest's back. Kiln itself uses the captured prototype methods. What a
 * deliberate `ArrayBuffer.prototype.resize.call` does anyway is caught at the next call into the guest
 * ({@link Memory.intact}).
 */
function guard(buffer: ArrayBuffer): ArrayBuffer {
  for (const name of ["resize", "transfer", "transferToFixedLength"]) {
    Object.defineProperty(buffer, name, { value: refuse, writable: false, configurable: false, enumerable: false });
  }
  return buffer;
}
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

/** Bytes compared at a time by {@link copyTouched}: 4 KiB, the host's page. */
const CHUNK = 4096;

/**
 * Copies `src` into the zero-filled `dst`, skipping 4 KiB chunks that are all zero: writing them would commit host
 * memory for pages nothing ever wrote (reading an untouched page maps the shared zero page and commits nothing).
 */
function copyTouched(src: Uint8Array, dst: Uint8Array): void {
  const words = new Int32Array(src.buffer, src.byteOffset, src.byteLength >> 2);
  const perChunk = CHUNK >> 2;
  for (let w = 0; w < words.length; w += perChunk) {
    const end = Math.min(w + perChunk, words.length);
    let i = w;
    while (i < end && words[i] === 0) i++;
    if (i < end) dst.set(src.subarray(w << 2, end << 2), w << 2);
  }
}

/**
 * An empty view of the same kind as memories' views (for instances without a memory). Why: V8 gives DataViews on
 * resizable buffers their own instance type, and mixing kinds needlessly makes the machine's accesses polymorphic.
 */
export const EMPTY_MEMORY_VIEW: DataView = new DataView(new ArrayBuffer(0));

/**
 * A linear memory. `buffer` is the current `ArrayBuffer`; after `grow` the previous buffer is detached (where the
 * host supports it) or stale, as in the standard JS API. The buffer refuses `resize` and `transfer` (TypeError), as
 * a native memory's does: only `grow` (the guest's or the host's) changes a memory's size.
 *
 * @example Creating and growing a memory
 * ```ts
 * import { Memory } from "../../mod.ts";
 * const memory = new Memory({ initial: 1, maximum: 2 });
 * console.log(memory.buffer.byteLength); // 65536
 * console.log(memory.grow(1)); // 1
 * ```
 *
 * @example A 64-bit memory (memory64): sizes and deltas are BigInts
 * ```ts
 * import { Memory } from "../../mod.ts";
 * const memory = new Memory({ address: "i64", initial: 1n, maximum: 4n });
 * console.log(memory.address, memory.grow(2n)); // "i64" 1n
 * ```
 */
export class Memory {
  /** Current buffer. */
  buffer: ArrayBuffer;
  /** Little-endian access view of `buffer`, refreshed on growth. */
  view: DataView;
  /** Byte view of `buffer`, refreshed on growth. */
  bytes: Uint8Array;
  /** Address type: `i64` for a 64-bit memory (memory64). */
  readonly address: AddressType;
  /** Maximum size in pages, if declared. */
  readonly maximum: number | undefined;
  /** Byte limit from the store's `maxMemoryBytes` (growth beyond it fails). */
  byteLimit: number = Infinity;
  /** Growth failure traps instead of returning -1 (StoreOptions.trapOnGrowFailure). */
  trapOnGrowFailure = false;
  /** Successful growths so far (a memory moves to a resizable buffer after {@link FIXED_GROWTHS}). */
  private growths = 0;
  /** The size in bytes, as Kiln grew it (the buffer's own length must agree: {@link intact}). */
  private byteSize: number;

  /**
   * Creates a zero-filled memory.
   *
   * @param desc Address type, initial and maximum size in pages.
   * @throws TypeError when a size has the wrong type for the address type, or is not a u32 (i32) or u64 (i64).
   * @throws RangeError when the maximum is below the initial size, a 32-bit size exceeds 65536 pages or a 64-bit one
   *   2^48, or the initial size cannot be allocated (more than {@link MAX_PAGES}).
   */
  constructor(desc: MemoryDescriptor) {
    const address: AddressType = desc.address === "i64" ? "i64" : "i32";
    if (desc.address !== undefined && desc.address !== "i32" && desc.address !== "i64") {
      throw new TypeError('Memory: address must be "i32" or "i64"');
    }
    const initial = addressValue(desc.initial, address, "Memory");
    const maximum = desc.maximum === undefined ? undefined : addressValue(desc.maximum, address, "Memory");
    const bound = address === "i64" ? 2 ** 48 : MAX_PAGES;
    if (maximum !== undefined && (maximum < initial || maximum > bound)) {
      throw new RangeError("Memory: maximum size out of range");
    }
    if (initial > MAX_PAGES) throw new RangeError("Memory: initial size out of range");
    this.address = address;
    this.maximum = maximum;
    this.byteSize = initial * PAGE_SIZE;
    this.buffer = guard(new ArrayBuffer(this.byteSize));
    this.view = new DataView(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
  }

  /** Current size in pages. */
  get pages(): number {
    return this.byteSize / PAGE_SIZE;
  }

  /**
   * Whether the buffer still has the memory's size: false once host code resized or detached it anyway (through
   * the ArrayBuffer prototype, or `structuredClone` with a transfer list). Calls into the guest check it and trap.
   */
  intact(): boolean {
    return this.buffer.byteLength === this.byteSize;
  }

  /**
   * Grows a 32-bit memory by `deltaPages` pages (zero-filled).
   *
   * @param deltaPages Pages to add.
   * @returns The previous size in pages.
   * @throws RangeError when the memory cannot grow (the JS API's behaviour; wasm's `memory.grow` returns -1).
   * @throws TypeError when the memory is 64-bit (it takes a BigInt).
   */
  grow(deltaPages: number): number;
  /**
   * Grows a 64-bit memory (memory64) by `deltaPages` pages (zero-filled).
   *
   * @param deltaPages Pages to add, a BigInt.
   * @returns The previous size in pages, a BigInt.
   * @throws RangeError when the memory cannot grow.
   * @throws TypeError when the memory is 32-bit (it takes a number).
   */
  grow(deltaPages: bigint): bigint;
  grow(deltaPages: number | bigint): number | bigint {
    const delta = addressValue(deltaPages, this.address, "Memory.grow");
    const old = delta > MAX_PAGES ? -1 : this.growPages(delta);
    if (old < 0) throw new RangeError("Memory.grow: failed to grow memory");
    return this.address === "i64" ? BigInt(old) : old;
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
        resizeBuffer!.call(current, next * PAGE_SIZE);
        this.growths++;
        this.setSize(next * PAGE_SIZE);
        return old;
      }
      // Why never `transfer(newLength)`: V8's zero-fills the added bytes and so commits them (growing by 1 GiB on
      // Deno: 490 ms and +1025 MiB resident). A fresh buffer's pages stay uncommitted until used, and copyTouched
      // copies only the pages that hold something, so untouched memory costs the host nothing across growths
      // (issue 13: 16 grows to 1 GiB cost +520 MiB resident on Deno and +1031 MiB on Bun).
      buffer = RESIZABLE && (current.resizable === true || this.growths >= FIXED_GROWTHS)
        ? allocateResizable(next, max)
        : new ArrayBuffer(next * PAGE_SIZE);
      copyTouched(this.bytes, new Uint8Array(buffer));
      if (transfer) transfer.call(this.buffer, 0); // detach the old buffer, as the JS API does on growth
    } catch {
      return this.growFailed();
    }
    this.growths++;
    this.buffer = guard(buffer);
    this.setSize(next * PAGE_SIZE);
    return old;
  }

  /**
   * Records the new size and makes views of exactly that length. Why fixed-length views on a resizable buffer:
   * a length-tracking view would follow a resize Kiln did not make, and the guest would see memory it never grew.
   */
  private setSize(bytes: number): void {
    this.byteSize = bytes;
    this.view = new DataView(this.buffer, 0, bytes);
    this.bytes = new Uint8Array(this.buffer, 0, bytes);
  }

  /** Fails a growth: traps when `trapOnGrowFailure`, else returns -1. */
  private growFailed(): number {
    if (this.trapOnGrowFailure) throw trap(TrapCode.MemoryGrowFailed);
    return -1;
  }
}
