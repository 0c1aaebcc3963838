/**
 * The guest profiler (Wasmtime's `GuestProfiler`, `wasmtime run --profile=guest`): samples the wasm call stack while
 * a store's code runs and writes what it saw as a Firefox Profiler profile (`firefox_profile.ts`) or as collapsed
 * stacks for flamegraph tools (`collapsed.ts`).
 *
 * Where samples are taken: at the fuel checkpoints (function entries and loop headers), which the interpreter
 * leaves for this profiler through the same slow path that ends its time slices (`Machine.runSlice`), and the
 * native engine's instrumented code through its checkpoint hook (`native/sampler.ts`), so a store without a
 * profiler pays nothing. Two clocks:
 * - **fuel** (`fuelInterval`): a sample each time the store has consumed another `fuelInterval` units, taken at the
 *   first checkpoint after the mark. The same program then gives the same samples on every run, host and engine —
 *   a deterministic profile, which no wall-clock sampler can give. Its timeline counts fuel: 1 unit shows as 1 µs.
 * - **wall clock** (`intervalMs`, Wasmtime's default of 10 ms): the clock is read every {@link CLOCK_CHECK_FUEL}
 *   units, and a sample is taken when an interval has passed.
 *
 * A sample holds the frames of the call that is running; frames of an outer call that re-entered wasm through a
 * host import belong to another activation and are not included. Time spent in host imports is not sampled.
 *
 * @module
 */

import type { Module } from "../binary/module.ts";
import type { FuncInst } from "../runtime/func.ts";

/** How often a wall-clock profiler reads the clock, in fuel units (about 15-50 µs of interpretation). */
export const CLOCK_CHECK_FUEL = 20_000;
/** The same on the native engine, which runs 16-20 billion units a second: about 0.2-0.3 ms. */
export const NATIVE_CLOCK_CHECK_FUEL = 2 ** 22;

/** Options of a {@link GuestProfiler}. Give one of the two intervals; with neither, 10 ms of wall-clock time. */
export interface GuestProfilerOptions {
  /** Sample every this many units of fuel: a deterministic profile (a positive integer). */
  fuelInterval?: number;
  /** Sample every this many milliseconds of wall-clock time (Wasmtime's default: 10). */
  intervalMs?: number;
  /** The name of the profiled program, shown as the profile's process and thread name (default `"wasm"`). */
  name?: string;
}

/** One distinct frame: a function of a module at a code offset. */
export interface ProfileFrame {
  /** The module (decoded) the function belongs to. */
  readonly module: Module;
  /** The instance's module name (`Linker`/`--preload` name), when it has one. */
  readonly moduleName: string | undefined;
  /** Function index in the module's function index space. */
  readonly funcIndex: number;
  /** Byte offset in the module binary of the frame's instruction (a call, a loop header, a function entry), or -1. */
  readonly offset: number;
}

/** The wasm stack of a sampled call, as the machine gives it to {@link GuestProfiler.sample}. */
export interface SampledStack {
  /** Visits the frames outermost first: each function and the pc of its current instruction in compiled code. */
  forEachFrame(visit: (func: FuncInst, pc: number) => void): void;
  /** The byte offset in the module binary of compiled position `pc` of `func` (-1 when unknown). */
  offsetOf(func: FuncInst, pc: number): number;
}

/** What a profiler recorded: interned frames and stacks, and the samples. Read by the output formats. */
export interface ProfileData {
  /** The profile's name. */
  readonly name: string;
  /** Whether the timeline counts fuel (1 unit as 1 µs) rather than wall-clock milliseconds. */
  readonly byFuel: boolean;
  /** The sampling interval in the timeline's milliseconds. */
  readonly intervalMs: number;
  /** Wall-clock start (ms since the epoch), 0 for a fuel profile (which must not depend on when it ran). */
  readonly startTime: number;
  /** Distinct frames. */
  readonly frames: readonly ProfileFrame[];
  /** Stack tree: the frame of each stack node. */
  readonly stackFrame: readonly number[];
  /** Stack tree: each node's caller node, or null for an outermost frame. */
  readonly stackPrefix: readonly (number | null)[];
  /** Per sample: its stack node. */
  readonly sampleStack: readonly number[];
  /** Per sample: its time on the timeline, in ms since the start. */
  readonly sampleTime: readonly number[];
  /** Per sample: how many intervals it stands for (a checkpoint reached only after several marks counts them all). */
  readonly sampleWeight: readonly number[];
}

/**
 * Samples the wasm stack of the code a store runs. Give it to one store (`StoreOptions.profiler`); read the result
 * with `toFirefoxProfile` (`firefox_profile.ts`) or `toCollapsedStacks` (`collapsed.ts`), both exported by `mod.ts`.
 *
 * @example A deterministic profile: one sample every 1,000 units of fuel
 * ```ts
 * import { GuestProfiler, instantiate, parseWat, toCollapsedStacks } from "../../mod.ts";
 * const profiler = new GuestProfiler({ fuelInterval: 1000 });
 * const { instance } = await instantiate(parseWat(`(module
 *   (func $spin (param i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
 *   (func (export "main") (call $spin (i32.const 10000))))`), {}, { profiler });
 * await (instance.exports.main as () => Promise<void>)();
 * console.log(toCollapsedStacks(profiler)); // "wasm-function[1];spin 50\n"
 * ```
 */
export class GuestProfiler {
  /**
   * The store fuel level below which the next checkpoint calls {@link GuestProfiler.sample} (read by the machine).
   *
   * @internal
   */
  mark = -Infinity;
  private readonly fuelInterval: number;
  private readonly intervalMs: number;
  private readonly name: string;
  private attached = false;
  private fuelAtStart = 0;
  private readonly clockStart: number;
  private readonly startTime: number;
  private nextSampleAt = 0;
  private clockCheckFuel = CLOCK_CHECK_FUEL;

  private readonly frames: ProfileFrame[] = [];
  private readonly frameIds = new Map<FuncInst, Map<number, number>>();
  private readonly stackFrame: number[] = [];
  private readonly stackPrefix: (number | null)[] = [];
  /** Children of each stack node by frame id; `rootStacks` for outermost frames. */
  private readonly stackChildren: Map<number, number>[] = [];
  private readonly rootStacks = new Map<number, number>();
  private readonly sampleStack: number[] = [];
  private readonly sampleTime: number[] = [];
  private readonly sampleWeight: number[] = [];

  /**
   * Creates a profiler.
   *
   * @param options The interval (fuel or wall clock) and the profile's name.
   * @throws RangeError for an interval that is not a positive number (a fuel interval must be an integer), or when
   *   both intervals are given.
   */
  constructor(options: GuestProfilerOptions = {}) {
    const { fuelInterval, intervalMs } = options;
    if (fuelInterval !== undefined && intervalMs !== undefined) {
      throw new RangeError("give a GuestProfiler either fuelInterval or intervalMs, not both");
    }
    if (fuelInterval !== undefined && !(Number.isSafeInteger(fuelInterval) && fuelInterval > 0)) {
      throw new RangeError(`fuelInterval must be a positive integer, got ${String(fuelInterval)}`);
    }
    if (intervalMs !== undefined && !(typeof intervalMs === "number" && intervalMs > 0 && intervalMs < Infinity)) {
      throw new RangeError(`intervalMs must be a positive number, got ${String(intervalMs)}`);
    }
    this.fuelInterval = fuelInterval ?? 0;
    this.intervalMs = fuelInterval === undefined ? intervalMs ?? 10 : fuelInterval / 1000;
    this.name = options.name ?? "wasm";
    this.clockStart = performance.now();
    this.startTime = this.fuelInterval > 0 ? 0 : performance.timeOrigin + this.clockStart;
  }

  /** Samples taken so far. */
  get sampleCount(): number {
    return this.sampleStack.length;
  }

  /**
   * Binds the profiler to the store whose fuel it follows (called by `Store`; a profiler serves one store).
   *
   * @internal
   * @param fuel The store's fuel now.
   * @param clockCheckFuel How often a wall-clock profiler reads the clock, in fuel units (by engine).
   * @throws Error when the profiler already has a store.
   */
  attach(fuel: number, clockCheckFuel: number = CLOCK_CHECK_FUEL): void {
    if (this.attached) throw new Error("a GuestProfiler can profile only one store");
    this.attached = true;
    this.fuelAtStart = fuel;
    this.clockCheckFuel = clockCheckFuel;
    this.mark = fuel - (this.fuelInterval > 0 ? this.fuelInterval : clockCheckFuel);
    this.nextSampleAt = this.intervalMs;
  }

  /**
   * Called by the machine at a checkpoint once the store's fuel went below {@link GuestProfiler.mark}: takes a
   * sample when one is due, and sets the next mark.
   *
   * @internal
   * @param fuel The store's fuel now.
   * @param stack The running call's stack.
   */
  sample(fuel: number, stack: SampledStack): void {
    if (this.fuelInterval > 0) {
      const intervals = Math.floor((this.mark - fuel) / this.fuelInterval) + 1;
      this.mark -= intervals * this.fuelInterval;
      this.record(stack, (this.fuelAtStart - fuel) / 1000, intervals);
      return;
    }
    this.mark = fuel - this.clockCheckFuel;
    const t = performance.now() - this.clockStart;
    if (t < this.nextSampleAt) return;
    const intervals = Math.floor((t - this.nextSampleAt) / this.intervalMs) + 1;
    this.nextSampleAt += intervals * this.intervalMs;
    this.record(stack, t, intervals);
  }

  /**
   * The recorded data, for the output formats.
   *
   * @internal
   */
  data(): ProfileData {
    return {
      name: this.name,
      byFuel: this.fuelInterval > 0,
      intervalMs: this.intervalMs,
      startTime: this.startTime,
      frames: this.frames,
      stackFrame: this.stackFrame,
      stackPrefix: this.stackPrefix,
      sampleStack: this.sampleStack,
      sampleTime: this.sampleTime,
      sampleWeight: this.sampleWeight,
    };
  }

  /** Interns the stack's frames and stack nodes, outermost first, and appends a sample of its innermost node. */
  private record(stack: SampledStack, time: number, weight: number): void {
    let node = -1;
    stack.forEachFrame((func, pc) => {
      const frame = this.frameId(func, stack.offsetOf(func, pc));
      const children = node < 0 ? this.rootStacks : this.stackChildren[node]!;
      let child = children.get(frame);
      if (child === undefined) {
        child = this.stackFrame.length;
        this.stackFrame.push(frame);
        this.stackPrefix.push(node < 0 ? null : node);
        this.stackChildren.push(new Map());
        children.set(frame, child);
      }
      node = child;
    });
    if (node < 0) return; // no wasm frame (cannot happen at a checkpoint; kept safe)
    this.sampleStack.push(node);
    this.sampleTime.push(time);
    this.sampleWeight.push(weight);
  }

  /** The id of the frame of `func` at `offset`, made on first sight. */
  private frameId(func: FuncInst, offset: number): number {
    let byOffset = this.frameIds.get(func);
    if (byOffset === undefined) this.frameIds.set(func, byOffset = new Map());
    let id = byOffset.get(offset);
    if (id === undefined) {
      const inst = func.instance!;
      id = this.frames.length;
      this.frames.push({ module: inst.module, moduleName: inst.moduleName, funcIndex: func.index, offset });
      byOffset.set(offset, id);
    }
    return id;
  }
}
