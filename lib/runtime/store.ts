/**
 * The store (spec §4.2.3, Wasmtime's `Store`): fuel, limits and the interrupt flag shared by every instance created
 * in it, plus the per-store registries that give reference values their integer handles on the value stack.
 *
 * Reference handles: the machine keeps references as int32 handles in value-stack slots, `0` being null. A funcref
 * handle `h` names `funcs[h - 1]` (a function instance); an externref handle `h` names `externs[h - 1]` (any JS
 * value). Handles are assigned on first use and stay valid for the store's lifetime.
 *
 * @module
 */

import type { FuncInst } from "./func.ts";

/** Options of a store (see mod.ts for the contract). */
export interface StoreOptions {
  /** Enables fuel metering with this much fuel; trap "all fuel consumed by WebAssembly" when exhausted. */
  fuel?: number;
  /** Yield to the event loop (a macrotask) every N units of fuel. */
  fuelYieldInterval?: number;
  /** Aborts running code with the trap "interrupt". */
  signal?: AbortSignal;
  maxMemoryBytes?: number;
  maxTableElements?: number;
  maxInstances?: number;
  maxTables?: number;
  maxMemories?: number;
  /** Bytes of wasm stack (frames and values); beyond it the trap "call stack exhausted". Default 512 KiB. */
  maxWasmStack?: number;
  /** Memory and table growth failures trap instead of returning -1. */
  trapOnGrowFailure?: boolean;
}

/** Internal fuel value when metering is off: large enough never to run out, small enough to stay exact. */
export const UNMETERED_FUEL = 2 ** 52;

/**
 * Holds fuel, limits and the interrupt flag; instances created in one store share them.
 *
 * @example
 * ```ts
 * import { Store } from "../../mod.ts";
 * const store = new Store({ fuel: 1000 });
 * store.setFuel(500);
 * console.log(store.getFuel()); // 500
 * ```
 */
export class Store {
  /** Remaining fuel (internal; may go below zero between checkpoints). */
  fuel: number;
  readonly fuelEnabled: boolean;
  readonly yieldInterval: number;
  readonly signal: AbortSignal | undefined;
  readonly options: StoreOptions;
  /** Set by `interrupt()`; honoured (and cleared) at the next checkpoint. */
  interrupted = false;
  /** Stack limit in bytes. */
  readonly maxWasmStack: number;
  /** Counts of created entities, for the limits. */
  instanceCount = 0;
  tableCount = 0;
  memoryCount = 0;
  /** funcref handle registry: handle h ↔ funcs[h - 1]. */
  readonly funcs: FuncInst[] = [];
  /** externref handle registry: handle h ↔ externs[h - 1]. */
  readonly externs: unknown[] = [];
  readonly externHandles: Map<unknown, number> = new Map();
  /** Idle machines for reuse (internal). */
  readonly machinePool: unknown[] = [];

  /**
   * @param options Fuel, yield interval, abort signal and limits.
   */
  constructor(options: StoreOptions = {}) {
    this.options = options;
    this.fuelEnabled = options.fuel !== undefined;
    this.fuel = options.fuel ?? UNMETERED_FUEL;
    this.yieldInterval = options.fuelYieldInterval !== undefined && options.fuelYieldInterval > 0
      ? options.fuelYieldInterval
      : 0;
    this.signal = options.signal;
    this.maxWasmStack = options.maxWasmStack ?? 512 * 1024;
  }

  /**
   * @returns The remaining fuel.
   * @throws Error when fuel metering is off.
   */
  getFuel(): number {
    if (!this.fuelEnabled) throw new Error("fuel is not configured in this store");
    return Math.max(0, this.fuel);
  }

  /**
   * @param n New amount of fuel.
   * @throws Error when fuel metering is off.
   */
  setFuel(n: number): void {
    if (!this.fuelEnabled) throw new Error("fuel is not configured in this store");
    this.fuel = n;
  }

  /** Running code traps with "interrupt" at its next checkpoint (function entry or loop header). */
  interrupt(): void {
    this.interrupted = true;
  }

  /** The funcref handle of a function instance (assigned on first use). */
  funcHandle(f: FuncInst | null): number {
    if (f === null) return 0;
    if (f.handleStore === this) return f.handle;
    if (f.handleStore === null) {
      this.funcs.push(f);
      f.handleStore = this;
      f.handle = this.funcs.length;
      return f.handle;
    }
    // A function of another store: registered here too (rare; linear lookup is acceptable).
    const i = this.funcs.indexOf(f);
    if (i >= 0) return i + 1;
    this.funcs.push(f);
    return this.funcs.length;
  }

  /** The externref handle of a JS value (`null` is 0). */
  externHandle(v: unknown): number {
    if (v === null) return 0;
    let h = this.externHandles.get(v);
    if (h === undefined) {
      this.externs.push(v);
      h = this.externs.length;
      this.externHandles.set(v, h);
    }
    return h;
  }
}
