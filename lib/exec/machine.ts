/**
 * The machine: a resumable interpreter over the slot-addressed code of `lib/compile/translate.ts` (see `isa.ts`).
 *
 * State lives here, never on the JS stack. This layout is the single source of truth for wasm state:
 * - The value stack: one `ArrayBuffer` of 8-byte slots viewed as Int32Array/Float32Array/Float64Array/
 *   BigInt64Array. A frame's slots are its locals (params first) followed by its operand stack; the value at
 *   operand-stack height h of a frame lives in slot `localCount + h` (its canonical slot). i32 values sit in a slot's
 *   low word (kept `|0`, the high word is garbage); i64 as low and high words; f32 as raw bits in the low word; f64
 *   as the slot's 8 bytes; references as int32 handles (see `lib/runtime/store.ts`).
 * - Frame pointers and code immediates are **word** offsets (2 × slot index): `fp` is the frame's first word, and an
 *   op's slot operand `s` is the value at `i32[fp + s]` (`f64[(fp + s) >> 1]`).
 * - The frame stack: per suspended caller, its function, resume pc and fp (`frameFunc`, `framePc`, `frameFp`,
 *   and for speed its code and instance `frameCode`, `frameInst`), indexed by depth. A callee's frame starts at its caller's canonical slot of the first argument, so
 *   arguments become the callee's first locals and results are left at the same place.
 *
 * `run()` is synchronous and returns a status: {@link DONE} when the outermost frame returned (results in slots
 * 0..n-1), {@link SUSPEND} when a host import returned a thenable (`pending`), {@link YIELD} at a fuel checkpoint
 * asking the driver to yield a macrotask. Traps are thrown as RuntimeError with a wasm backtrace; errors of host
 * functions propagate unchanged (the guest cannot catch them, nor any trap).
 *
 * Exceptions (`throw`, `throw_ref`, or an {@link Exception} a host function throws or its Promise rejects with):
 * the op throws the Exception as a JS value; the interpreter loop's `catch` (never entered otherwise, so the hot
 * loop pays nothing) looks the thrower's pc up in its function's handler table, then each caller's return pc in
 * theirs ({@link Machine.catchException}). The first matching clause gets the payload (and the exnref) in its
 * label's slots, becomes the current frame with the frames above it dropped, and the loop restarts there; with no
 * match in this activation's frames, the Exception leaves `run()` to the JS caller (or to the host function that
 * called in, and so to an outer activation's handlers).
 *
 * References in slots: a funcref is a positive handle into the store's `funcs` (functions are few and live as long
 * as their instance); every other reference (an externref's JS value, an exnref's Exception, a GC struct or array,
 * an i31 number, a host value in the `any` hierarchy) is a negative handle into this activation's object table
 * {@link Machine.objs} (handle -k is `objs[k - 1]`, 0 is null). A value may have several handles (each read of a
 * field makes one, with no lookup), so `ref.eq` compares the values; the table is dropped when the activation ends,
 * and is swept for handles no slot holds when it grows (conservatively: every word of the value stack counts), so a
 * long call allocating many objects keeps only the live ones; globals, tables, struct fields, array elements, payloads and the JS side hold the values themselves. Why
 * handles and not a parallel `refs` array of values beside the slots (`runtime/gc.ts`'s first plan, 3.4x faster on
 * a struct-walking micro-benchmark): the translator moves slots without knowing their types (block results,
 * branches, `select`, locals), so every move would need a typed twin; handles keep all of that code unchanged and
 * scalar code byte-identical.
 *
 * @module
 */

import { isStackOverflow, RuntimeError, type WasmFrame } from "../errors.ts";
import { wasmFrame } from "../debug/source_lines.ts";
import { trap, TrapCode, trapWithMessage } from "../trap_codes.ts";
import { type CompiledFunc, HANDLER_WORDS, translateFunction } from "../compile/translate.ts";
import type { FuncInst, InstanceState } from "../runtime/func.ts";
import {
  funcToJs,
  hostResultList,
  payloadWords,
  toF32,
  toF64,
  toFuncref,
  toI32,
  toI64,
  toRef,
  toV128,
  v128TypeError,
} from "../runtime/values.ts";
import { EMPTY_MEMORY_VIEW, type Memory } from "../runtime/memory.ts";
import type { Store } from "../runtime/store.ts";
import { storageType, ValType } from "../binary/module.ts";
import { Exception } from "../runtime/tag.ts";
import { isIdSubtype } from "../validate/subtyping.ts";
import {
  ceil,
  f32ConvertI64S,
  f32ConvertI64U,
  f64ConvertI64U,
  floor,
  fmax,
  fmin,
  nearest,
  trunc,
  truncI32S,
  truncI32U,
  truncI64S,
  truncI64U,
  truncSatI32S,
  truncSatI32U,
  truncSatI64S,
  truncSatI64U,
} from "./float.ts";
import { ADDR64_TRAPS, GC_BASE, ISA, MEMORY_GROW_MEM, SIMD_BASE } from "../compile/isa.ts";
import { gcOp } from "./gc_ops.ts";
import { externalize, GcObject } from "../runtime/gc_objects.ts";
import { SimdUnit } from "./simd_dispatch.ts";
import { ModuleCode } from "./module_code.ts";
import { clz as clz64, ctz as ctz64, divS, divU, popcnt32, remS, remU } from "./i64.ts";

/** `run()` status: the outermost frame returned. */
export const DONE = 0;
/** `run()` status: a host import returned a thenable, now in `pending`. */
export const SUSPEND = 1;
/** `run()` status: a fuel checkpoint asks the driver to yield to the event loop. */
export const YIELD = 2;
/** `runSlice()` status, never seen outside the machine: a slice ended, call `runSlice()` again. */
const RESTART = 3;
/** `runSlice()` status, never seen outside the machine: call the host import in `pendingFunc` from `run()`. */
const HOST_CALL = 4;
/** Fuel units between two re-entries of the interpreter loop (see `Machine.runSlice`). */
const SLICE_FUEL = 1 << 16;

/** Accounting cost of one frame, in bytes of the stack limit (besides its slots): 4 slots. */
const FRAME_BYTES = 32;
const INITIAL_SLOTS = 1024;
const NO_MEMORY = EMPTY_MEMORY_VIEW;

/** The translated code of a wasm function of an interpreter instance (translating it on first use). */
export function compiledOf(f: FuncInst): CompiledFunc {
  if (f.compiled) return f.compiled;
  const code = f.instance!.engineState as ModuleCode;
  const defined = f.index - code.module.importedFuncs;
  const c = code.funcs[defined] ??= translateFunction(code.module, f.index, code.meter);
  f.compiled = c;
  return c;
}

/**
 * Whether the machine calls `f` as it calls a host function: `f` is one, or belongs to another engine's instance
 * (called through its exported form; engine/engine.ts).
 */
function callsOut(f: FuncInst): boolean {
  return f.host !== null || !(f.instance!.engineState instanceof ModuleCode);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/** i64 rotate left by k (0..63) of (lo, hi) into words d, d+1. */
function rotl64(i32: Int32Array, d: number, lo: number, hi: number, k: number): void {
  if (k >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    k -= 32;
  }
  if (k !== 0) {
    const nlo = (lo << k) | (hi >>> (32 - k));
    hi = (hi << k) | (lo >>> (32 - k));
    lo = nlo;
  }
  i32[d] = lo;
  i32[d + 1] = hi;
}

/**
 * An empty array already of the elements kind that holds objects. Why: a `[]` starts as small-integer elements and
 * transitions on its first object store; a machine created later then hands run()'s optimized code an array map it
 * has not seen ("wrong map" deopt, and a TurboFan recompile of run() costing ~0.2 s).
 */
function objectArray<T>(): T[] {
  const a = [null as T];
  a.length = 0;
  return a;
}

/** Whether reference type `t` is an exception reference (`exnref`, `nullexnref`, their non-null forms). */

const EMPTY_HANDLERS = new Int32Array(0);

/** Size of an activation's object handle table before its first sweep (`Machine.sweepObjects`). */
const OBJ_SWEEP_MIN = 1024;

/** Whether code position `p` of wasm function `f` belongs to a tail call (`return_call`, `return_call_indirect`, `return_call_ref`). */
function isTailCallAt(f: FuncInst, p: number): boolean {
  const op = f.instance!.module.bytes[compiledOf(f).offsets[p]!];
  return op === 0x12 || op === 0x13 || op === 0x15;
}

/** Immediate count of each op executed by `Machine.cold()` (the others are handled in run()). */
const COLD_IMMS: Int8Array = (() => {
  const imms = new Int8Array(SIMD_BASE + 0x200);
  for (const op of ISA) if (op.imms > 0) imms[op.code] = op.imms;
  return imms;
})();

/** One activation's interpreter state (see the module doc). */
export class Machine {
  readonly store: Store;
  buffer!: ArrayBuffer;
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  i64!: BigInt64Array;
  /** Executes the SIMD ops (over the same buffer). */
  simd!: SimdUnit;
  /** Value stack capacity in slots. */
  capacity = 0;
  frameFunc: FuncInst[] = objectArray();
  framePc: number[] = [];
  /** Callers' frame pointers (words). */
  frameFp: number[] = [];
  /** Callers' code (so a return needs no lookup). */
  frameCode: Int32Array[] = objectArray();
  /** Callers' instances (so a return reads no property of the function). */
  frameInst: InstanceState[] = objectArray();
  depth = 0;
  func: FuncInst | null = null;
  pc = 0;
  /** Frame pointer of the current frame, in words (2 × slot). */
  fp = 0;
  /** Where a suspended host call's results go (a slot index). */
  sp = 0;
  /** The thenable a host import returned (status SUSPEND), and that import. */
  pending: PromiseLike<unknown> | null = null;
  pendingFunc: FuncInst | null = null;
  /** Fuel level below which the next checkpoint yields. */
  yieldMark = -Infinity;
  /** Fuel level below which the next checkpoint ends the current slice of `runSlice()`. */
  sliceMark = -Infinity;
  /**
   * Whether host imports are called from `run()` after `runSlice()` returned, instead of from inside it. Why: the
   * interpreter loop's frame is about 4 KB of JS stack (503 registers on V8), held under every host call made from
   * it; a host import that calls back into wasm (re-entry) nests one such frame per level, and Deno's default stack
   * (about 1 MB) then overflows at about 210 levels. The driver sets this for re-entered calls, so a level costs
   * under 1 KB, while the common top-level call keeps the cheaper inline host call (measured: leaving and
   * re-entering `runSlice()` adds 5-10 ns to a host call of 35-40 ns, on Deno and Bun).
   */
  hostCallsOutside = false;
  /** Whether the driver runs this call synchronously: another engine's function is then called with `callSync`. */
  syncCall = false;
  /**
   * The values object handles name (handle -k is `objs[k - 1]`, null once freed) during this activation; cleared
   * when it ends, and swept for handles no slot holds when it grows (see {@link Machine.objHandle}).
   */
  objs: unknown[] = objectArray();
  /** Handles freed by the last sweep, for reuse (as indices k, the handle being -k). */
  private freeObjs: number[] = [];
  /** The length of `objs` at which, with no handle free, the next new handle first sweeps. */
  private objSweepAt = OBJ_SWEEP_MIN;

  constructor(store: Store) {
    this.store = store;
    this.allocate(INITIAL_SLOTS);
  }

  private allocate(slots: number): void {
    const old = this.i32;
    this.buffer = new ArrayBuffer(slots * 8);
    this.i32 = new Int32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.i64 = new BigInt64Array(this.buffer);
    if (this.simd === undefined) this.simd = new SimdUnit(this.buffer);
    else this.simd.attach(this.buffer);
    if (old) this.i32.set(old);
    this.capacity = slots;
  }

  /** Makes room for `slots` slots, or traps "call stack exhausted" beyond the store's limit. */
  reserve(slots: number, depth: number): void {
    if (slots * 8 + depth * FRAME_BYTES > this.store.maxWasmStack) throw trap(TrapCode.StackOverflow);
    if (slots > this.capacity) {
      let n = this.capacity * 2;
      while (n < slots) n *= 2;
      this.allocate(n);
    }
  }

  /**
   * The bound of a call's fast stack check: a callee whose frame ends at slot `top`, called at `depth`, fits
   * (within the store's limit and the buffer) when `top + 4 * depth <= stackTop()`.
   */
  private stackTop(): number {
    return Math.min(Math.floor(this.store.maxWasmStack / 8) - 5, this.capacity - 1);
  }

  /** Slow path of the call's stack check: traps beyond the limit, else grows the buffer; returns the new bound. */
  private growStack(top: number, depth: number): number {
    this.reserve(top + 1, depth + 1);
    const need = top + 4 * depth + 1;
    if (need > this.capacity) {
      let n = this.capacity * 2;
      while (n < need) n *= 2;
      this.allocate(n);
    }
    return this.stackTop();
  }

  /** Prepares a call of wasm function `f` with its arguments already written at slots 0..params-1. */
  begin(f: FuncInst): void {
    const c = compiledOf(f);
    this.reserve(c.maxHeight + 1, 0);
    this.i32.fill(0, c.paramCount << 1, c.localCount << 1);
    this.func = f;
    this.pc = 0;
    this.fp = 0;
    this.sp = c.localCount;
    this.depth = 0;
    this.pending = null;
    this.pendingFunc = null;
    this.forgetObjects();
    this.yieldMark = this.store.yieldInterval > 0 ? this.store.fuel - this.store.yieldInterval : -Infinity;
  }
  /**
   * Writes a JS-form (or raw-form) value of type `t` into slot `s`, converted as the JS API's ToWebAssemblyValue
   * (see `lib/runtime/values.ts`): a value of the wrong kind throws its TypeError before anything runs.
   */
  write(t: number, s: number, v: unknown, raw: boolean): void {
    switch (t) {
      case ValType.i32:
        this.i32[s << 1] = toI32(v);
        return;
      case ValType.i64:
        this.i64[s] = toI64(v);
        return;
      case ValType.f32:
        if (raw) this.i32[s << 1] = toI32(v);
        else this.f32[s << 1] = toF32(v);
        return;
      case ValType.f64:
        if (raw) this.i64[s] = toI64(v);
        else this.f64[s] = toF64(v);
        return;
      case ValType.funcref:
        this.i32[s << 1] = this.store.funcHandle(toFuncref(v));
        return;
      case ValType.externref:
        this.i32[s << 1] = this.objHandle(v);
        return;
      case ValType.v128: // raw form only: 16 bytes, lane 0 first (JS form: the JS API's TypeError)
        new Uint8Array(this.buffer, s << 3, 16).set(toV128(v, raw));
        return;
      default: // the typed references (checked), exnref and the bottom types
        if (storageType(t) === ValType.exnref && v !== null && !(v instanceof Exception)) {
          throw new TypeError("exnref value must be an Exception or null");
        }
        this.i32[s << 1] = this.refHandle(t, toRef(t, v));
        return;
    }
  }

  /** Reads slot `s` as a JS-form (or raw-form) value of type `t`. */
  read(t: number, s: number, raw: boolean): unknown {
    switch (t) {
      case ValType.i32:
        return this.i32[s << 1];
      case ValType.i64:
        return this.i64[s];
      case ValType.f32:
        return raw ? this.i32[s << 1] : this.f32[s << 1];
      case ValType.f64:
        return raw ? this.i64[s] : this.f64[s];
      case ValType.v128:
        if (!raw) throw v128TypeError();
        return new Uint8Array(this.buffer.slice(s << 3, (s << 3) + 16));
      default: {
        const h = this.i32[s << 1]!;
        if (h === 0) return null;
        return h > 0 ? funcToJs(this.store.funcs[h - 1]!) : externalize(this.objs[-h - 1]);
      }
    }
  }

  /** Calls host function `f` (or another engine's function) with the arguments in slots base.. (JS form). */
  callHost(f: FuncInst, base: number): unknown {
    const params = f.type.params;
    const host = (f.host ?? this.foreign(f)) as (...a: unknown[]) => unknown;
    // Why: 0–3 parameters (most imports) are passed directly, with i32 read inline, not through an array and a
    // spread call (bench/micro/host_call_bench.ts).
    switch (params.length) {
      case 0:
        return host();
      case 1:
        return host(this.arg(params[0]!, base));
      case 2:
        return host(this.arg(params[0]!, base), this.arg(params[1]!, base + 1));
      case 3:
        return host(this.arg(params[0]!, base), this.arg(params[1]!, base + 1), this.arg(params[2]!, base + 2));
    }
    const args = new Array(params.length);
    for (let i = 0; i < params.length; i++) args[i] = this.read(params[i]!, base + i, false);
    return host(...args);
  }

  /** How the machine calls a function of another engine's instance: its exported form, sync or async as this call. */
  private foreign(f: FuncInst): unknown {
    const js = funcToJs(f) as unknown as { callSync: unknown };
    return this.syncCall ? js.callSync : js;
  }

  /** Reads slot `s` as a JS-form argument of type `t` (i32 inline). */
  private arg(t: number, s: number): unknown {
    return t === ValType.i32 ? this.i32[s << 1] : this.read(t, s, false);
  }

  /** Writes a host function's result(s) at slots base.. */
  pushHostResults(f: FuncInst, result: unknown, base: number): void {
    const results = f.type.results;
    if (results.length === 0) return;
    if (results.length === 1) {
      if (results[0] === ValType.i32 && typeof result === "number") this.i32[base << 1] = result | 0;
      else this.write(results[0]!, base, result, false);
      return;
    }
    const values = hostResultList(result, results.length);
    for (let i = 0; i < results.length; i++) this.write(results[i]!, base + i, values[i], false);
  }

  /** After a SUSPEND: stores the awaited host result and continues. */
  resume(result: unknown): number {
    const f = this.pendingFunc!;
    this.pending = null;
    this.pendingFunc = null;
    this.pushHostResults(f, result, this.sp);
    this.sp += f.type.results.length;
    return this.run();
  }

  /**
   * After a SUSPEND whose host Promise rejected with `e`: an {@link Exception} is thrown into the guest at the call
   * (caught by a handler, or leaving `run()`); anything else ends the activation and is rethrown.
   */
  resumeThrow(e: unknown): number {
    this.pending = null;
    this.pendingFunc = null;
    if (e instanceof Exception && this.catchException(e, this.func!, this.pc - 1, this.fp, this.depth)) {
      return this.run();
    }
    throw this.unwind(e, this.func!, this.pc, this.depth);
  }

  /** After a YIELD: sets the next yield mark and continues. */
  continueAfterYield(): number {
    this.yieldMark = this.store.fuel - this.store.yieldInterval;
    return this.run();
  }

  /** The fuel level below which a checkpoint leaves the fast path. */
  private limit(): number {
    const store = this.store;
    if (store.interrupted || (store.signal !== undefined && store.signal.aborted)) return Infinity;
    const mark = this.yieldMark > this.sliceMark ? this.yieldMark : this.sliceMark;
    return mark > 0 ? mark : 0;
  }

  /** Slow path of a checkpoint: traps, or returns YIELD, or DONE (meaning: carry on). */
  private checkpoint(fuel: number): number {
    const store = this.store;
    if (store.interrupted || (store.signal !== undefined && store.signal.aborted)) {
      store.interrupted = false;
      throw trap(TrapCode.Interrupt);
    }
    if (fuel < 0) {
      if (store.fuelEnabled) throw trap(TrapCode.OutOfFuel);
      store.fuel = fuel = 2 ** 52;
      this.yieldMark = store.yieldInterval > 0 ? fuel - store.yieldInterval : -Infinity;
    }
    if (fuel < this.yieldMark) return YIELD;
    if (fuel < this.sliceMark) return RESTART;
    return DONE;
  }

  /**
   * Visits the frames of the saved state (after `runSlice()` returned), outermost first: what the guest profiler
   * samples (`profile/guest_profiler.ts` `SampledStack`).
   */
  forEachFrame(visit: (func: FuncInst, pc: number) => void): void {
    for (let d = 0; d < this.depth; d++) visit(this.frameFunc[d]!, this.framePc[d]!);
    visit(this.func!, this.pc);
  }

  /** The byte offset in the module binary of compiled position `pc` of `func`: the instruction before `pc`. */
  offsetOf(func: FuncInst, pc: number): number {
    return codeOffset(func, pc);
  }

  /** The wasm backtrace, innermost first. */
  backtrace(func: FuncInst, pc: number, depth: number): WasmFrame[] {
    const frames: WasmFrame[] = [frameOf(func, pc)];
    for (let d = depth - 1; d >= 0; d--) frames.push(frameOf(this.frameFunc[d]!, this.framePc[d]!));
    return frames;
  }

  /** Runs until the outermost frame returns, a host import suspends, a checkpoint yields, or a trap. */
  run(): number {
    for (;;) {
      const status = this.runSlice();
      if (status === RESTART || status === YIELD) {
        // A sample is due at the first checkpoint below the profiler's mark, whether it yields or not (so the
        // samples are the same whatever the time slicing, on both engines: `native/fuel.ts` does the same).
        const profiler = this.store.profiler;
        if (profiler !== undefined && this.store.fuel < profiler.mark) profiler.sample(this.store.fuel, this);
        if (status === RESTART) continue;
      }
      if (status !== HOST_CALL) return status;
      // The host import runSlice() stopped at (see `hostCallsOutside`), its arguments at slots sp..: called here,
      // in this small frame, not in a helper's, since this frame is what every level of re-entry costs.
      const f = this.pendingFunc!;
      try {
        const result = this.callHost(f, this.sp);
        if (isThenable(result)) {
          this.pending = result;
          return SUSPEND;
        }
        this.pendingFunc = null;
        this.pushHostResults(f, result, this.sp);
      } catch (e) {
        this.pendingFunc = null;
        if (e instanceof Exception && this.catchException(e, this.func!, this.pc - 1, this.fp, this.depth)) continue;
        throw this.unwind(e, this.func!, this.pc, this.depth);
      }
      this.sp += f.type.results.length;
    }
  }

  /**
   * Forgets the activation after a trap or a host exception, and returns what to throw: a trap gets the backtrace
   * of where it stopped; a JS stack overflow becomes the trap "call stack exhausted"; anything else is unchanged.
   */
  private unwind(e: unknown, func: FuncInst, pc: number, depth: number): unknown {
    if (e instanceof RuntimeError && e.backtrace.length === 0) e.backtrace = this.backtrace(func, pc, depth);
    else if (isStackOverflow(e)) {
      const t = trap(TrapCode.StackOverflow);
      t.backtrace = this.backtrace(func, pc, depth);
      e = t;
    }
    this.reset();
    return e;
  }

  /**
   * The interpreter loop: {@link run} without its re-entry. Returns `RESTART` (state saved) after about
   * `SLICE_FUEL` units. Why: V8 starts a regular optimizing compile it has scheduled for a function only when the
   * function is entered; a loop that never returns then keeps running its Maglev code for the rest of a long call
   * (shootout-base64 and -matrix on Deno: 2-3x slower runs, --trace-opt shows "marked for optimization to
   * TURBOFAN_JS" with the compile starting only after the call returned). The slice rides on the fuel checkpoints,
   * so it costs nothing on the fast path. Why so short (2^16 units, about 0.1 ms): the loop's OSR code deoptimizes
   * as cold ops are first met ("insufficient type feedback"), and V8 then takes long to OSR again; re-entering often
   * lets the next regular compile in. A cold `-W fuel` run of the CLI on Deno (user CPU, 3 interleaved runs under
   * load): richards 1.7-2.0 s with 2^24 units, 1.1-1.2 s with 2^16; blake3-scalar 1.3-1.5 s -> 0.9 s; quicksort and
   * bz2 unchanged; Bun unchanged. A re-entry costs well under a microsecond.
   */
  runSlice(): number {
    const store = this.store;
    const frameFunc = this.frameFunc, framePc = this.framePc, frameFp = this.frameFp, frameCode = this.frameCode;
    const frameInst = this.frameInst;
    let i32 = this.i32, f32 = this.f32, f64 = this.f64;
    let func = this.func!;
    let code = compiledOf(func).code;
    let pc = this.pc, fp = this.fp, depth = this.depth;
    let inst = func.instance!;
    let funcs = inst.funcs;
    let globals = inst.globals;
    let memory: Memory | undefined = inst.memories[0];
    let dv = memory ? memory.view : NO_MEMORY;
    let memLen = dv.byteLength;
    let fuel = store.fuel;
    // A guest profiler's next sample ends the slice too (it samples between slices, in `run()`).
    const profiler = store.profiler;
    this.sliceMark = profiler === undefined || profiler.mark < fuel - SLICE_FUEL ? fuel - SLICE_FUEL : profiler.mark;
    let limit = this.limit();
    let stackTop = this.stackTop();
    // Why: while a host import runs, `store.fuel` is the truth (a nested call from the host may consume fuel); if the
    // import throws, the stale local `fuel` must not be written back over it.
    let inHost = false;
    try {
      for (;;) {
        const op = code[pc++]!;
        switch (op) {
          case 0: // unreachable
            throw trap(TrapCode.UnreachableCodeReached);
          case 2: // fuel
            fuel -= code[pc++]!;
            break;
          case 3: // fuel_check
            fuel -= code[pc++]!;
            if (fuel < limit) {
              const status = this.checkpoint(fuel);
              if (fuel < 0) fuel = store.fuel; // unmetered counter wrapped (metered: checkpoint threw)
              limit = this.limit();
              if (status !== DONE) { // YIELD or RESTART
                store.fuel = fuel;
                this.save(func, pc, fp, 0, depth);
                return status;
              }
            }
            break;
          case 4: // br_unless
            if (i32[fp + code[pc]!] === 0) pc = code[pc + 1]!;
            else {
              fuel -= code[pc + 2]!;
              pc += 3;
            }
            break;
          case 5: // jump
            pc = code[pc]!;
            break;
          case 6: { // copy
            const d = fp + code[pc]!, s = fp + code[pc + 1]!;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            pc += 2;
            break;
          }
          case 13: // br_if
            if (i32[fp + code[pc]!] !== 0) pc = code[pc + 1]!;
            else {
              fuel -= code[pc + 2]!;
              pc += 3;
            }
            break;
          case 14: { // br_table
            const n = code[pc + 2]!;
            let i = i32[fp + code[pc]!]! >>> 0;
            if (i > n) i = n;
            const e = pc + 3 + i * 3;
            const arity = code[e + 2]!;
            if (arity !== 0) {
              const from = fp + code[pc + 1]!, to = fp + code[e + 1]!;
              if (arity === 1) {
                i32[to] = i32[from]!;
                i32[to + 1] = i32[from + 1]!;
              } else if (from !== to) {
                i32.copyWithin(to, from, from + 2 * arity);
              }
            }
            pc = code[e]!;
            break;
          }
          case 15: { // return
            const n = code[pc + 1]!;
            if (n === 1) {
              const s = fp + code[pc]!;
              i32[fp] = i32[s]!;
              i32[fp + 1] = i32[s + 1]!;
            } else if (n !== 0) {
              const s = fp + code[pc]!;
              if (s !== fp) i32.copyWithin(fp, s, s + 2 * n);
            }
            if (depth === 0) {
              store.fuel = fuel;
              this.save(func, pc, fp, (fp >> 1) + n, depth);
              return DONE;
            }
            depth--;
            func = frameFunc[depth]!;
            pc = framePc[depth]!;
            fp = frameFp[depth]!;
            code = frameCode[depth]!;
            if (frameInst[depth] !== inst) {
              inst = frameInst[depth]!;
              funcs = inst.funcs;
              globals = inst.globals;
              memory = inst.memories[0];
            }
            // Why: a callee may have grown the memory (also a shared one), so views are refreshed on every return.
            dv = memory ? memory.view : NO_MEMORY;
            memLen = dv.byteLength;
            break;
          }
          case 11: // call_ref
          case 16: // call
          case 17: // call_indirect
          case 18: // return_call
          case 19: // return_call_indirect
          case 21: { // return_call_ref
            let callee: FuncInst;
            let base: number;
            if ((op & 1) === 0) {
              callee = funcs[code[pc]!]!;
              base = fp + code[pc + 1]!;
              pc += 2;
            } else if (op === 11 || op === 21) {
              base = fp + code[pc]!;
              const h = i32[fp + code[pc + 1]!]!;
              pc += 2;
              if (h === 0) throw trapWithMessage(TrapCode.NullReference, "null function reference");
              callee = store.funcs[h - 1]!;
            } else {
              const typeIndex = code[pc]!;
              const table = inst.tables[code[pc + 1]!]!;
              base = fp + code[pc + 2]!;
              const i = i32[fp + code[pc + 3]!]! >>> 0;
              pc += 4;
              if (i >= table.elements.length) throw trap(TrapCode.UndefinedElement);
              const f = table.elements[i] as FuncInst | null;
              if (f === null) throw trap(TrapCode.IndirectCallToNull, String(i));
              const want = inst.typeIds[typeIndex]!;
              if (f.typeId !== want && !isIdSubtype(f.typeId, want)) throw trap(TrapCode.BadSignature);
              callee = f;
            }
            let c = callee.compiled;
            if (c === null) {
              if (callsOut(callee)) {
                const b = base >> 1;
                store.fuel = fuel;
                this.save(func, pc, fp, b, depth);
                if (this.hostCallsOutside) {
                  this.pendingFunc = callee;
                  return HOST_CALL;
                }
                inHost = true;
                const result = this.callHost(callee, b);
                if (isThenable(result)) {
                  this.pending = result;
                  this.pendingFunc = callee;
                  return SUSPEND;
                }
                // Why after the results: converting them can throw, and store.fuel (not the stale local) is right.
                this.pushHostResults(callee, result, b);
                inHost = false;
                fuel = store.fuel;
                limit = this.limit();
                dv = memory ? memory.view : NO_MEMORY;
                memLen = dv.byteLength;
                break;
              }
              c = compiledOf(callee);
            }
            if (op >= 18) {
              // A tail call: the callee's frame replaces this one. Its arguments move down to this frame's base.
              for (let i = 0, n = c.paramCount << 1; i < n; i++) i32[fp + i] = i32[base + i]!;
              base = fp;
            }
            const top = (base >> 1) + c.maxHeight;
            if (top + (depth << 2) > stackTop) {
              stackTop = this.growStack(top, depth);
              i32 = this.i32;
              f32 = this.f32;
              f64 = this.f64;
            }
            if (op < 18) {
              frameFunc[depth] = func;
              framePc[depth] = pc;
              frameFp[depth] = fp;
              frameCode[depth] = code;
              frameInst[depth] = inst;
              depth++;
            }
            const z = base + (c.paramCount << 1), e = base + (c.localCount << 1);
            if (e - z > 16) i32.fill(0, z, e);
            else for (let i = z; i < e; i++) i32[i] = 0;
            func = callee;
            code = c.code;
            fp = base;
            if (callee.instance !== inst) {
              inst = callee.instance!;
              funcs = inst.funcs;
              globals = inst.globals;
              memory = inst.memories[0];
              dv = memory ? memory.view : NO_MEMORY;
              memLen = dv.byteLength;
            }
            // The callee's first record is its entry `fuel_check`, executed here (one dispatch less per call).
            fuel -= code[1]!;
            pc = 2;
            if (fuel < limit) {
              const status = this.checkpoint(fuel);
              if (fuel < 0) fuel = store.fuel;
              limit = this.limit();
              if (status !== DONE) { // YIELD or RESTART
                store.fuel = fuel;
                this.save(func, pc, fp, 0, depth);
                return status;
              }
            }
            break;
          }
          case 27: { // select
            const s = i32[fp + code[pc + 3]!] !== 0 ? fp + code[pc + 1]! : fp + code[pc + 2]!;
            const d = fp + code[pc]!;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            pc += 4;
            break;
          }
          case 35: { // global.get
            const g = globals[code[pc + 1]!]!.cell, d = fp + code[pc]!;
            i32[d] = g[0]!;
            i32[d + 1] = g[1]!;
            pc += 2;
            break;
          }
          case 36: { // global.set
            const g = globals[code[pc]!]!.cell, s = fp + code[pc + 1]!;
            g[0] = i32[s]!;
            g[1] = i32[s + 1]!;
            pc += 2;
            break;
          }
          case 63: // memory.size
            i32[fp + code[pc++]!] = memLen / 65536;
            break;
          case 64: { // memory.grow
            const r = memory!.growPages(i32[fp + code[pc + 1]!]! >>> 0);
            i32[fp + code[pc]!] = r;
            dv = memory!.view;
            memLen = dv.byteLength;
            pc += 2;
            break;
          }
          case 65: // i32.const
            i32[fp + code[pc]!] = code[pc + 1]!;
            pc += 2;
            break;
          case 66: { // i64.const
            const d = fp + code[pc]!;
            i32[d] = code[pc + 1]!;
            i32[d + 1] = code[pc + 2]!;
            pc += 3;
            break;
          }
          case 67: // f32.const
            i32[fp + code[pc]!] = code[pc + 1]!;
            pc += 2;
            break;
          case 68: { // f64.const
            const d = fp + code[pc]!;
            i32[d] = code[pc + 1]!;
            i32[d + 1] = code[pc + 2]!;
            pc += 3;
            break;
          }
          case 70: { // i32.eq
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x === y ? 1 : 0;
            pc += 3;
            break;
          }
          case 71: { // i32.ne
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x !== y ? 1 : 0;
            pc += 3;
            break;
          }
          case 72: { // i32.lt_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x < y ? 1 : 0;
            pc += 3;
            break;
          }
          case 73: { // i32.lt_u
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x >>> 0) < (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 74: { // i32.gt_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x > y ? 1 : 0;
            pc += 3;
            break;
          }
          case 75: { // i32.gt_u
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x >>> 0) > (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 76: { // i32.le_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x <= y ? 1 : 0;
            pc += 3;
            break;
          }
          case 77: { // i32.le_u
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x >>> 0) <= (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 78: { // i32.ge_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x >= y ? 1 : 0;
            pc += 3;
            break;
          }
          case 79: { // i32.ge_u
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x >>> 0) >= (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 106: { // i32.add
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x + y) | 0;
            pc += 3;
            break;
          }
          case 107: { // i32.sub
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x - y) | 0;
            pc += 3;
            break;
          }
          case 108: { // i32.mul
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = Math.imul(x, y);
            pc += 3;
            break;
          }
          case 113: { // i32.and
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x & y;
            pc += 3;
            break;
          }
          case 114: { // i32.or
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x | y;
            pc += 3;
            break;
          }
          case 115: { // i32.xor
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x ^ y;
            pc += 3;
            break;
          }
          case 116: { // i32.shl
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x << y;
            pc += 3;
            break;
          }
          case 117: { // i32.shr_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = x >> y;
            pc += 3;
            break;
          }
          case 118: { // i32.shr_u
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x >>> y) | 0;
            pc += 3;
            break;
          }
          case 119: { // i32.rotl
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x << y) | (x >>> (32 - (y & 31)));
            pc += 3;
            break;
          }
          case 120: { // i32.rotr
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            i32[fp + code[pc]!] = (x >>> y) | (x << (32 - (y & 31)));
            pc += 3;
            break;
          }
          case 109: { // i32.div_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            if (y === 0) throw trap(TrapCode.IntegerDivisionByZero);
            if (x === -2147483648 && y === -1) throw trap(TrapCode.IntegerOverflow);
            i32[fp + code[pc]!] = (x / y) | 0;
            pc += 3;
            break;
          }
          case 110: { // i32.div_u
            const x = i32[fp + code[pc + 1]!]! >>> 0, y = i32[fp + code[pc + 2]!]! >>> 0;
            if (y === 0) throw trap(TrapCode.IntegerDivisionByZero);
            i32[fp + code[pc]!] = (x / y) | 0;
            pc += 3;
            break;
          }
          case 111: { // i32.rem_s
            const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
            if (y === 0) throw trap(TrapCode.IntegerDivisionByZero);
            i32[fp + code[pc]!] = y === -1 ? 0 : (x % y) | 0;
            pc += 3;
            break;
          }
          case 112: { // i32.rem_u
            const x = i32[fp + code[pc + 1]!]! >>> 0, y = i32[fp + code[pc + 2]!]! >>> 0;
            if (y === 0) throw trap(TrapCode.IntegerDivisionByZero);
            i32[fp + code[pc]!] = (x % y) | 0;
            pc += 3;
            break;
          }
          case 69: { // i32.eqz
            const x = i32[fp + code[pc + 1]!]!;
            i32[fp + code[pc]!] = x === 0 ? 1 : 0;
            pc += 2;
            break;
          }
          case 192: { // i32.extend8_s
            const x = i32[fp + code[pc + 1]!]!;
            i32[fp + code[pc]!] = (x << 24) >> 24;
            pc += 2;
            break;
          }
          case 193: { // i32.extend16_s
            const x = i32[fp + code[pc + 1]!]!;
            i32[fp + code[pc]!] = (x << 16) >> 16;
            pc += 2;
            break;
          }
          case 256: { // i32.add_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x + y) | 0;
            pc += 3;
            break;
          }
          case 257: { // i32.sub_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x - y) | 0;
            pc += 3;
            break;
          }
          case 258: { // i32.mul_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = Math.imul(x, y);
            pc += 3;
            break;
          }
          case 259: { // i32.and_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x & y;
            pc += 3;
            break;
          }
          case 260: { // i32.or_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x | y;
            pc += 3;
            break;
          }
          case 261: { // i32.xor_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x ^ y;
            pc += 3;
            break;
          }
          case 262: { // i32.shl_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x << y;
            pc += 3;
            break;
          }
          case 263: { // i32.shr_s_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x >> y;
            pc += 3;
            break;
          }
          case 264: { // i32.shr_u_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x >>> y) | 0;
            pc += 3;
            break;
          }
          case 265: { // i32.rotl_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x << y) | (x >>> (32 - (y & 31)));
            pc += 3;
            break;
          }
          case 266: { // i32.rotr_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x >>> y) | (x << (32 - (y & 31)));
            pc += 3;
            break;
          }
          case 267: { // i32.eq_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x === y ? 1 : 0;
            pc += 3;
            break;
          }
          case 268: { // i32.ne_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x !== y ? 1 : 0;
            pc += 3;
            break;
          }
          case 269: { // i32.lt_s_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x < y ? 1 : 0;
            pc += 3;
            break;
          }
          case 270: { // i32.lt_u_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x >>> 0) < (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 271: { // i32.gt_s_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x > y ? 1 : 0;
            pc += 3;
            break;
          }
          case 272: { // i32.gt_u_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x >>> 0) > (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 273: { // i32.le_s_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x <= y ? 1 : 0;
            pc += 3;
            break;
          }
          case 274: { // i32.le_u_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x >>> 0) <= (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 275: { // i32.ge_s_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = x >= y ? 1 : 0;
            pc += 3;
            break;
          }
          case 276: { // i32.ge_u_i
            const x = i32[fp + code[pc + 1]!]!, y = code[pc + 2]!;
            i32[fp + code[pc]!] = (x >>> 0) >= (y >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 80: { // i64.eqz
            const a = fp + code[pc + 1]!;
            i32[fp + code[pc]!] = (i32[a]! | i32[a + 1]!) === 0 ? 1 : 0;
            pc += 2;
            break;
          }
          case 81: { // i64.eq
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            i32[fp + code[pc]!] = i32[a] === i32[b] && i32[a + 1] === i32[b + 1] ? 1 : 0;
            pc += 3;
            break;
          }
          case 82: { // i64.ne
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            i32[fp + code[pc]!] = i32[a] !== i32[b] || i32[a + 1] !== i32[b + 1] ? 1 : 0;
            pc += 3;
            break;
          }
          case 83: { // i64.lt_s
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]!, bl = i32[b]! >>> 0, bh = i32[b + 1]!;
            i32[fp + code[pc]!] = ah < bh || (ah === bh && al < bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 84: { // i64.lt_u
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]! >>> 0, bl = i32[b]! >>> 0, bh = i32[b + 1]! >>> 0;
            i32[fp + code[pc]!] = ah < bh || (ah === bh && al < bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 85: { // i64.gt_s
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]!, bl = i32[b]! >>> 0, bh = i32[b + 1]!;
            i32[fp + code[pc]!] = ah > bh || (ah === bh && al > bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 86: { // i64.gt_u
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]! >>> 0, bl = i32[b]! >>> 0, bh = i32[b + 1]! >>> 0;
            i32[fp + code[pc]!] = ah > bh || (ah === bh && al > bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 87: { // i64.le_s
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]!, bl = i32[b]! >>> 0, bh = i32[b + 1]!;
            i32[fp + code[pc]!] = ah < bh || (ah === bh && al <= bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 88: { // i64.le_u
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]! >>> 0, bl = i32[b]! >>> 0, bh = i32[b + 1]! >>> 0;
            i32[fp + code[pc]!] = ah < bh || (ah === bh && al <= bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 89: { // i64.ge_s
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]!, bl = i32[b]! >>> 0, bh = i32[b + 1]!;
            i32[fp + code[pc]!] = ah > bh || (ah === bh && al >= bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 90: { // i64.ge_u
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const al = i32[a]! >>> 0, ah = i32[a + 1]! >>> 0, bl = i32[b]! >>> 0, bh = i32[b + 1]! >>> 0;
            i32[fp + code[pc]!] = ah > bh || (ah === bh && al >= bl) ? 1 : 0;
            pc += 3;
            break;
          }
          case 91: { // f32.eq
            i32[fp + code[pc]!] = f32[fp + code[pc + 1]!]! === f32[fp + code[pc + 2]!]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 92: { // f32.ne
            i32[fp + code[pc]!] = f32[fp + code[pc + 1]!]! !== f32[fp + code[pc + 2]!]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 93: { // f32.lt
            i32[fp + code[pc]!] = f32[fp + code[pc + 1]!]! < f32[fp + code[pc + 2]!]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 94: { // f32.gt
            i32[fp + code[pc]!] = f32[fp + code[pc + 1]!]! > f32[fp + code[pc + 2]!]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 95: { // f32.le
            i32[fp + code[pc]!] = f32[fp + code[pc + 1]!]! <= f32[fp + code[pc + 2]!]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 96: { // f32.ge
            i32[fp + code[pc]!] = f32[fp + code[pc + 1]!]! >= f32[fp + code[pc + 2]!]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 97: { // f64.eq
            i32[fp + code[pc]!] = f64[(fp + code[pc + 1]!) >> 1]! === f64[(fp + code[pc + 2]!) >> 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 98: { // f64.ne
            i32[fp + code[pc]!] = f64[(fp + code[pc + 1]!) >> 1]! !== f64[(fp + code[pc + 2]!) >> 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 99: { // f64.lt
            i32[fp + code[pc]!] = f64[(fp + code[pc + 1]!) >> 1]! < f64[(fp + code[pc + 2]!) >> 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 100: { // f64.gt
            i32[fp + code[pc]!] = f64[(fp + code[pc + 1]!) >> 1]! > f64[(fp + code[pc + 2]!) >> 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 101: { // f64.le
            i32[fp + code[pc]!] = f64[(fp + code[pc + 1]!) >> 1]! <= f64[(fp + code[pc + 2]!) >> 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 102: { // f64.ge
            i32[fp + code[pc]!] = f64[(fp + code[pc + 1]!) >> 1]! >= f64[(fp + code[pc + 2]!) >> 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 124: { // i64.add
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!, bh = i32[b + 1]!;
            const lo = (al >>> 0) + (bl >>> 0);
            i32[d + 1] = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
            i32[d] = lo | 0;
            pc += 3;
            break;
          }
          case 125: { // i64.sub
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!, bh = i32[b + 1]!;
            const lo = (al >>> 0) - (bl >>> 0);
            i32[d + 1] = (ah - bh - (lo < 0 ? 1 : 0)) | 0;
            i32[d] = lo | 0;
            pc += 3;
            break;
          }
          case 126: { // i64.mul
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!, bh = i32[b + 1]!;
            // Why inlined: i64.ts `mul64` is the reference (unit-tested); a call here costs a hot op (bench/micro/
            // i64_bench.ts). 16-bit pieces keep every partial product exact in a double.
            const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
            const t = a0 * b0;
            const m = a1 * b0 + a0 * b1 + (t >>> 16);
            i32[d + 1] = (a1 * b1 + Math.floor(m / 65536) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
            i32[d] = ((m & 0xffff) << 16) | (t & 0xffff);
            pc += 3;
            break;
          }
          case 131: { // i64.and
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!, bh = i32[b + 1]!;
            i32[d] = al & bl;
            i32[d + 1] = ah & bh;
            pc += 3;
            break;
          }
          case 132: { // i64.or
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!, bh = i32[b + 1]!;
            i32[d] = al | bl;
            i32[d + 1] = ah | bh;
            pc += 3;
            break;
          }
          case 133: { // i64.xor
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!, bh = i32[b + 1]!;
            i32[d] = al ^ bl;
            i32[d + 1] = ah ^ bh;
            pc += 3;
            break;
          }
          case 134: { // i64.shl
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[d + 1] = al << (k - 32);
              i32[d] = 0;
            } else if (k !== 0) {
              i32[d + 1] = (ah << k) | (al >>> (32 - k));
              i32[d] = al << k;
            } else {
              i32[d] = al;
              i32[d + 1] = ah;
            }
            pc += 3;
            break;
          }
          case 135: { // i64.shr_s
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[d] = ah >> (k - 32);
              i32[d + 1] = ah >> 31;
            } else if (k !== 0) {
              i32[d] = (al >>> k) | (ah << (32 - k));
              i32[d + 1] = ah >> k;
            } else {
              i32[d] = al;
              i32[d + 1] = ah;
            }
            pc += 3;
            break;
          }
          case 136: { // i64.shr_u
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[d] = ah >>> (k - 32);
              i32[d + 1] = 0;
            } else if (k !== 0) {
              i32[d] = (al >>> k) | (ah << (32 - k));
              i32[d + 1] = ah >>> k;
            } else {
              i32[d] = al;
              i32[d + 1] = ah;
            }
            pc += 3;
            break;
          }
          case 137: { // i64.rotl
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!;
            rotl64(i32, d, al, ah, bl & 63);
            pc += 3;
            break;
          }
          case 138: { // i64.rotr
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = i32[b]!;
            rotl64(i32, d, al, ah, (64 - (bl & 63)) & 63);
            pc += 3;
            break;
          }
          case 280: { // i64.add_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!, bh = code[pc + 3]!;
            const lo = (al >>> 0) + (bl >>> 0);
            i32[d + 1] = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
            i32[d] = lo | 0;
            pc += 4;
            break;
          }
          case 281: { // i64.sub_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!, bh = code[pc + 3]!;
            const lo = (al >>> 0) - (bl >>> 0);
            i32[d + 1] = (ah - bh - (lo < 0 ? 1 : 0)) | 0;
            i32[d] = lo | 0;
            pc += 4;
            break;
          }
          case 282: { // i64.and_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!, bh = code[pc + 3]!;
            i32[d] = al & bl;
            i32[d + 1] = ah & bh;
            pc += 4;
            break;
          }
          case 283: { // i64.or_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!, bh = code[pc + 3]!;
            i32[d] = al | bl;
            i32[d + 1] = ah | bh;
            pc += 4;
            break;
          }
          case 284: { // i64.xor_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!, bh = code[pc + 3]!;
            i32[d] = al ^ bl;
            i32[d + 1] = ah ^ bh;
            pc += 4;
            break;
          }
          case 285: { // i64.shl_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[d + 1] = al << (k - 32);
              i32[d] = 0;
            } else if (k !== 0) {
              i32[d + 1] = (ah << k) | (al >>> (32 - k));
              i32[d] = al << k;
            } else {
              i32[d] = al;
              i32[d + 1] = ah;
            }
            pc += 4;
            break;
          }
          case 286: { // i64.shr_s_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[d] = ah >> (k - 32);
              i32[d + 1] = ah >> 31;
            } else if (k !== 0) {
              i32[d] = (al >>> k) | (ah << (32 - k));
              i32[d + 1] = ah >> k;
            } else {
              i32[d] = al;
              i32[d + 1] = ah;
            }
            pc += 4;
            break;
          }
          case 287: { // i64.shr_u_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[d] = ah >>> (k - 32);
              i32[d + 1] = 0;
            } else if (k !== 0) {
              i32[d] = (al >>> k) | (ah << (32 - k));
              i32[d + 1] = ah >>> k;
            } else {
              i32[d] = al;
              i32[d + 1] = ah;
            }
            pc += 4;
            break;
          }
          case 288: { // i64.rotl_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!;
            rotl64(i32, d, al, ah, bl & 63);
            pc += 4;
            break;
          }
          case 289: { // i64.rotr_i
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const al = i32[a]!, ah = i32[a + 1]!, bl = code[pc + 2]!;
            rotl64(i32, d, al, ah, (64 - (bl & 63)) & 63);
            pc += 4;
            break;
          }
          case 139: { // f32.abs
            i32[fp + code[pc]!] = i32[fp + code[pc + 1]!]! & 0x7fffffff;
            pc += 2;
            break;
          }
          case 140: { // f32.neg
            i32[fp + code[pc]!] = i32[fp + code[pc + 1]!]! ^ -2147483648;
            pc += 2;
            break;
          }
          case 146: { // f32.add
            const x = f32[fp + code[pc + 1]!]!, y = f32[fp + code[pc + 2]!]!;
            f32[fp + code[pc]!] = x + y;
            pc += 3;
            break;
          }
          case 147: { // f32.sub
            const x = f32[fp + code[pc + 1]!]!, y = f32[fp + code[pc + 2]!]!;
            f32[fp + code[pc]!] = x - y;
            pc += 3;
            break;
          }
          case 148: { // f32.mul
            const x = f32[fp + code[pc + 1]!]!, y = f32[fp + code[pc + 2]!]!;
            f32[fp + code[pc]!] = x * y;
            pc += 3;
            break;
          }
          case 149: { // f32.div
            const x = f32[fp + code[pc + 1]!]!, y = f32[fp + code[pc + 2]!]!;
            f32[fp + code[pc]!] = x / y;
            pc += 3;
            break;
          }
          case 153: { // f64.abs
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const hi = i32[a + 1]! & 0x7fffffff;
            i32[d] = i32[a]!;
            i32[d + 1] = hi;
            pc += 2;
            break;
          }
          case 154: { // f64.neg
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const hi = i32[a + 1]! ^ -2147483648;
            i32[d] = i32[a]!;
            i32[d + 1] = hi;
            pc += 2;
            break;
          }
          case 160: { // f64.add
            const x = f64[(fp + code[pc + 1]!) >> 1]!, y = f64[(fp + code[pc + 2]!) >> 1]!;
            f64[(fp + code[pc]!) >> 1] = x + y;
            pc += 3;
            break;
          }
          case 161: { // f64.sub
            const x = f64[(fp + code[pc + 1]!) >> 1]!, y = f64[(fp + code[pc + 2]!) >> 1]!;
            f64[(fp + code[pc]!) >> 1] = x - y;
            pc += 3;
            break;
          }
          case 162: { // f64.mul
            const x = f64[(fp + code[pc + 1]!) >> 1]!, y = f64[(fp + code[pc + 2]!) >> 1]!;
            f64[(fp + code[pc]!) >> 1] = x * y;
            pc += 3;
            break;
          }
          case 163: { // f64.div
            const x = f64[(fp + code[pc + 1]!) >> 1]!, y = f64[(fp + code[pc + 2]!) >> 1]!;
            f64[(fp + code[pc]!) >> 1] = x / y;
            pc += 3;
            break;
          }
          case 172: { // i64.extend_i32_s
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            const x = i32[a]!;
            i32[d] = x;
            i32[d + 1] = x >> 31;
            pc += 2;
            break;
          }
          case 173: { // i64.extend_i32_u
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            i32[d] = i32[a]!;
            i32[d + 1] = 0;
            pc += 2;
            break;
          }
          case 183: { // f64.convert_i32_s
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            f64[d >> 1] = i32[a]!;
            pc += 2;
            break;
          }
          case 184: { // f64.convert_i32_u
            const a = fp + code[pc + 1]!, d = fp + code[pc]!;
            f64[d >> 1] = i32[a]! >>> 0;
            pc += 2;
            break;
          }
          case 40: { // i32.load
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt32(a, true);
            pc += 3;
            break;
          }
          case 41: { // i64.load
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 8 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt32(a, true);
            i32[d + 1] = dv.getInt32(a + 4, true);
            pc += 3;
            break;
          }
          case 42: { // f32.load
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt32(a, true);
            pc += 3;
            break;
          }
          case 43: { // f64.load
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 8 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt32(a, true);
            i32[d + 1] = dv.getInt32(a + 4, true);
            pc += 3;
            break;
          }
          case 44: { // i32.load8_s
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 1 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt8(a);
            pc += 3;
            break;
          }
          case 45: { // i32.load8_u
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 1 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getUint8(a);
            pc += 3;
            break;
          }
          case 46: { // i32.load16_s
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 2 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt16(a, true);
            pc += 3;
            break;
          }
          case 47: { // i32.load16_u
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 2 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getUint16(a, true);
            pc += 3;
            break;
          }
          case 48: { // i64.load8_s
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 1 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            const x = dv.getInt8(a);
            i32[d] = x;
            i32[d + 1] = x >> 31;
            pc += 3;
            break;
          }
          case 49: { // i64.load8_u
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 1 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getUint8(a);
            i32[d + 1] = 0;
            pc += 3;
            break;
          }
          case 50: { // i64.load16_s
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 2 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            const x = dv.getInt16(a, true);
            i32[d] = x;
            i32[d + 1] = x >> 31;
            pc += 3;
            break;
          }
          case 51: { // i64.load16_u
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 2 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getUint16(a, true);
            i32[d + 1] = 0;
            pc += 3;
            break;
          }
          case 52: { // i64.load32_s
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            const x = dv.getInt32(a, true);
            i32[d] = x;
            i32[d + 1] = x >> 31;
            pc += 3;
            break;
          }
          case 53: { // i64.load32_u
            const a = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc]!;
            i32[d] = dv.getInt32(a, true);
            i32[d + 1] = 0;
            pc += 3;
            break;
          }
          case 54: { // i32.store
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt32(a, i32[v]!, true);
            pc += 3;
            break;
          }
          case 55: { // i64.store
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 8 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt32(a, i32[v]!, true);
            dv.setInt32(a + 4, i32[v + 1]!, true);
            pc += 3;
            break;
          }
          case 56: { // f32.store
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt32(a, i32[v]!, true);
            pc += 3;
            break;
          }
          case 57: { // f64.store
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 8 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt32(a, i32[v]!, true);
            dv.setInt32(a + 4, i32[v + 1]!, true);
            pc += 3;
            break;
          }
          case 58: { // i32.store8
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 1 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt8(a, i32[v]!);
            pc += 3;
            break;
          }
          case 59: { // i32.store16
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 2 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt16(a, i32[v]!, true);
            pc += 3;
            break;
          }
          case 60: { // i64.store8
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 1 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt8(a, i32[v]!);
            pc += 3;
            break;
          }
          case 61: { // i64.store16
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 2 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt16(a, i32[v]!, true);
            pc += 3;
            break;
          }
          case 62: { // i64.store32
            const a = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
            if (a + 4 > memLen) throw trap(TrapCode.MemoryOutOfBounds);
            const v = fp + code[pc + 1]!;
            dv.setInt32(a, i32[v]!, true);
            pc += 3;
            break;
          }
          case 320: { // i32.xor_rotl_i
            const v = i32[fp + code[pc + 1]!]! ^ i32[fp + code[pc + 2]!]!, k = code[pc + 3]!;
            i32[fp + code[pc]!] = (v << k) | (v >>> (32 - k));
            pc += 4;
            break;
          }
          case 323: { // i64.xor3
            const d = fp + code[pc]!, a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, c = fp + code[pc + 3]!;
            const lo = i32[a]! ^ i32[b]! ^ i32[c]!, hi = i32[a + 1]! ^ i32[b + 1]! ^ i32[c + 1]!;
            i32[d] = lo;
            i32[d + 1] = hi;
            pc += 4;
            break;
          }
          case 324: { // i64.andn_xor
            const d = fp + code[pc]!, a = fp + code[pc + 1]!, b = fp + code[pc + 2]!, c = fp + code[pc + 3]!;
            const lo = (~i32[a]! & i32[b]!) ^ i32[c]!, hi = (~i32[a + 1]! & i32[b + 1]!) ^ i32[c + 1]!;
            i32[d] = lo;
            i32[d + 1] = hi;
            pc += 4;
            break;
          }
          case 322: { // i64.andn
            const d = fp + code[pc]!, a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            const lo = ~i32[a]! & i32[b]!, hi = ~i32[a + 1]! & i32[b + 1]!;
            i32[d] = lo;
            i32[d + 1] = hi;
            pc += 3;
            break;
          }
          case 321: { // i64.xor_rotl_i
            const a = fp + code[pc + 1]!, b = fp + code[pc + 2]!;
            rotl64(i32, fp + code[pc]!, i32[a]! ^ i32[b]!, i32[a + 1]! ^ i32[b + 1]!, code[pc + 3]!);
            pc += 4;
            break;
          }
          case 300: { // br_i32.eq
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if (x === y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 310: { // br_i32.eq_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if (x === y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 301: { // br_i32.ne
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if (x !== y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 311: { // br_i32.ne_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if (x !== y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 302: { // br_i32.lt_s
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if (x < y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 312: { // br_i32.lt_s_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if (x < y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 303: { // br_i32.ge_s
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if (x >= y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 313: { // br_i32.ge_s_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if (x >= y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 304: { // br_i32.lt_u
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if ((x >>> 0) < (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 314: { // br_i32.lt_u_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if ((x >>> 0) < (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 305: { // br_i32.ge_u
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if ((x >>> 0) >= (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 315: { // br_i32.ge_u_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if ((x >>> 0) >= (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 306: { // br_i32.gt_s
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if (x > y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 316: { // br_i32.gt_s_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if (x > y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 307: { // br_i32.le_s
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if (x <= y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 317: { // br_i32.le_s_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if (x <= y) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 308: { // br_i32.gt_u
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if ((x >>> 0) > (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 318: { // br_i32.gt_u_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if ((x >>> 0) > (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 309: { // br_i32.le_u
            const x = i32[fp + code[pc]!]!, y = i32[fp + code[pc + 1]!]!;
            if ((x >>> 0) <= (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          case 319: { // br_i32.le_u_i
            const x = i32[fp + code[pc]!]!, y = code[pc + 1]!;
            if ((x >>> 0) <= (y >>> 0)) pc = code[pc + 2]!;
            else {
              fuel -= code[pc + 3]!;
              pc += 4;
            }
            break;
          }
          default:
            if (op >= SIMD_BASE) {
              // This op and the SIMD stretch after it. Why `| 0`: pc must stay a known int32 for the whole loop
              // (a call's result is of unknown type to the JIT; without it V8 ran scalar code 6-9 % slower).
              pc = this.simd.run(code, pc - 1, fp, inst) | 0;
              break;
            }
            // The rarely hot ops (see `cold()`): one call instead of code in this function.
            fuel -= this.cold(op, code, pc, fp, inst, memory);
            pc += COLD_IMMS[op]!;
            // Another memory index may name memory 0 again (one memory imported twice): its view may have moved.
            if (op === MEMORY_GROW_MEM) {
              dv = memory ? memory.view : NO_MEMORY;
              memLen = dv.byteLength;
            }
            break;
        }
      }
    } catch (e) {
      if (!inHost) store.fuel = fuel;
      if (this.simd.trapPc >= 0) { // a trap in a SIMD stretch, at its own position
        pc = this.simd.trapPc | 0;
        this.simd.trapPc = -1;
      }
      // An exception: `pc - 1` is inside the record that threw (a throw op's first word, a call's last immediate).
      if (e instanceof Exception && this.catchException(e, func, pc - 1, fp, depth)) return RESTART;
      throw this.unwind(e, func, pc, depth);
    }
  }

  /**
   * Finds the handler of exception `exn` thrown at code position `p` of `func` (frame at `fp`, at `depth`): the
   * first matching clause of the handler table (innermost `try_table` first) whose range holds `p`, else the same in
   * each caller at its call's position. Delivers the payload to the clause's slots and makes its frame current
   * (state saved for `runSlice()` to load). Returns false when no frame of this activation catches it.
   */
  catchException(exn: Exception, func: FuncInst, p: number, fp: number, depth: number): boolean {
    // A host function called by a tail call (return_call*) has logically replaced the frame: its handlers are gone.
    let skip = isTailCallAt(func, p);
    for (;;) {
      const h = skip ? EMPTY_HANDLERS : compiledOf(func).handlers;
      skip = false;
      for (let i = 0; i < h.length; i += HANDLER_WORDS) {
        if (p < h[i]! || p >= h[i + 1]!) continue;
        const kind = h[i + 2]!;
        if (kind === 4) { // legacy delegate: on from another position and record
          p = h[i + 5]!;
          i = h[i + 4]! - HANDLER_WORDS;
          continue;
        }
        if ((kind < 2 || kind === 5) && func.instance!.tags[h[i + 3]!] !== exn.tag) continue;
        let s = (fp + h[i + 5]!) >> 1;
        if (kind >= 5) { // legacy catch, catch_all: the exnref (for rethrow) under the payload
          this.i32[s << 1] = this.objHandle(exn);
          if (kind === 5) this.writePayload(exn, s + 1);
        } else {
          if (kind < 2) s = this.writePayload(exn, s);
          if (kind & 1) this.i32[s << 1] = this.objHandle(exn);
        }
        this.save(func, h[i + 4]!, fp, 0, depth);
        this.pending = null;
        return true;
      }
      if (depth === 0) return false;
      depth--;
      func = this.frameFunc[depth]!;
      p = this.framePc[depth]! - 1;
      fp = this.frameFp[depth]!;
    }
  }

  /**
   * Writes an exception's payload at slots s..; returns the slot after it. The payload's words are laid out as its
   * slots (a v128 takes four words); a reference's word is 0 there, its value in `refs`.
   */
  private writePayload(exn: Exception, s: number): number {
    const params = exn.tag.params;
    const words = exn.words, refs = exn.refs, i32 = this.i32;
    i32.set(words, s << 1);
    for (let j = 0, w = 0; j < params.length; j++) {
      const t = params[j]!;
      if (t < 0x7b || t > 0x7f) i32[(s << 1) + w] = this.refHandle(t, refs![j]);
      w += t === ValType.v128 ? 4 : 2;
    }
    return s + (words.length >> 1);
  }

  /** The exception `throw tagidx` makes of the payload at slots s.. (raw words; references as internal values). */
  private newException(inst: InstanceState, tagIndex: number, s: number): Exception {
    const tag = inst.tags[tagIndex]!;
    const params = tag.params;
    const words = this.i32.slice(s << 1, (s << 1) + payloadWords(params));
    let refs: unknown[] | null = null;
    for (let j = 0, w = 0; j < params.length; j++) {
      const t = params[j]!;
      if (t < 0x7b || t > 0x7f) {
        refs ??= new Array(params.length).fill(null);
        refs[j] = this.refValue(t, words[w]!);
        words[w] = 0;
      }
      w += t === ValType.v128 ? 4 : 2;
    }
    return Exception.fromWasm(tag, words, refs);
  }

  /**
   * A new object handle of a value in this activation (see the module doc; 0 for null). So that a long call that
   * makes many objects does not hold them all, a new handle past {@link Machine.objSweepAt} first sweeps.
   */
  objHandle(v: unknown): number {
    if (v === null) return 0;
    if (this.freeObjs.length === 0 && this.objs.length >= this.objSweepAt) this.sweepObjects();
    const k = this.freeObjs.pop();
    if (k !== undefined) {
      this.objs[k - 1] = v;
      return -k;
    }
    return -this.objs.push(v);
  }

  /**
   * Frees the object handles that no word of the value stack holds. Conservative: the whole buffer is scanned and
   * every word is taken for a possible handle (slots carry no types), so a number that happens to equal a handle,
   * or a stale word above the live frames, only keeps that value a little longer; a handle any slot holds is never
   * freed. Handles live nowhere else (globals, tables, objects, payloads and JS hold the values themselves). The next
   * sweep waits until the freed handles are used up, and the table has doubled when few were freed, and it is a
   * quarter of the value stack's words long (so a sweep scans at most 4 words per handle made since the last one).
   */
  private sweepObjects(): void {
    const objs = this.objs, n = objs.length, i32 = this.i32;
    const held = new Uint8Array(n + 1);
    for (let w = 0; w < i32.length; w++) {
      const v = i32[w]!;
      if (v < 0 && v >= -n) held[-v] = 1;
    }
    for (let k = 1; k <= n; k++) {
      if (held[k] || objs[k - 1] === null) continue;
      objs[k - 1] = null;
      this.freeObjs.push(k);
    }
    this.objSweepAt = Math.max(this.freeObjs.length < n / 2 ? 2 * n : n, i32.length >> 2);
  }

  /** Drops the activation's object handles. */
  forgetObjects(): void {
    if (this.objs.length === 0) return;
    this.objs.length = 0;
    this.freeObjs.length = 0;
    this.objSweepAt = OBJ_SWEEP_MIN;
  }

  /**
   * The slot handle of reference `v` (internal form) of reference type `t`: a function's (a concrete type's value
   * may be a GC object instead), else an object handle.
   */
  refHandle(t: number, v: unknown): number {
    if (v === null) return 0;
    if (storageType(t) === ValType.funcref && !(v instanceof GcObject)) return this.store.funcHandle(v as FuncInst);
    return this.objHandle(v);
  }

  /**
   * The ops that are rarely hot (conversions, float rounding, i64 division, bit counts, references, tables, bulk
   * memory), executed by a call from run(). Why: every case in run() adds to the time TurboFan takes to compile it
   * (~0.5 s for the whole switch on a loaded 2-core machine, inside the first run of every short program); these
   * cases cost one call each instead. Returns the fuel to charge beyond the op's own (bulk operations).
   */
  private cold(
    op: number,
    code: Int32Array,
    pc: number,
    fp: number,
    inst: InstanceState,
    memory: Memory | undefined,
  ): number {
    const i32 = this.i32, f32 = this.f32, f64 = this.f64, i64 = this.i64;
    switch (op) {
      case 7: { // global_get_ref
        const g = inst.globals[code[pc + 1]!]!;
        i32[fp + code[pc]!] = this.refHandle(g.type, g.ref);
        break;
      }
      case 8: { // global_set_ref
        const g = inst.globals[code[pc]!]!;
        g.ref = this.refValue(g.type, i32[fp + code[pc + 1]!]!);
        break;
      }
      case 37: { // table.get
        const table = inst.tables[code[pc + 2]!]!;
        const i = i32[fp + code[pc + 1]!]! >>> 0;
        if (i >= table.elements.length) throw trap(TrapCode.TableOutOfBounds);
        i32[fp + code[pc]!] = this.refHandle(table.elemType, table.elements[i]);
        break;
      }
      case 38: { // table.set
        const table = inst.tables[code[pc]!]!;
        const i = i32[fp + code[pc + 1]!]! >>> 0;
        if (i >= table.elements.length) throw trap(TrapCode.TableOutOfBounds);
        table.elements[i] = this.refValue(table.storage, i32[fp + code[pc + 2]!]!);
        break;
      }
      case 208: // ref.null
        i32[fp + code[pc]!] = 0;
        break;
      case 209: // ref.is_null
        i32[fp + code[pc]!] = i32[fp + code[pc + 1]!] === 0 ? 1 : 0;
        break;
      case 210: // ref.func
        i32[fp + code[pc]!] = this.store.funcHandle(inst.funcs[code[pc + 1]!]!);
        break;
      case 212: // ref.as_non_null
        if (i32[fp + code[pc]!] === 0) throw trap(TrapCode.NullReference);
        break;
      case 232: // memory.init
        return this.memoryInit(inst, code[pc]!, (fp + code[pc + 1]!) >> 1);
      case 233: // data.drop
        inst.datas[code[pc]!] = EMPTY_BYTES;
        break;
      case 234: // memory.copy
        return this.memoryCopy(memory!, (fp + code[pc]!) >> 1);
      case 235: // memory.fill
        return this.memoryFill(memory!, (fp + code[pc]!) >> 1);
      case 236: // table.init
        return this.tableInit(inst, code[pc]!, code[pc + 1]!, (fp + code[pc + 2]!) >> 1);
      case 237: // elem.drop
        inst.elems[code[pc]!] = [];
        break;
      case 238: // table.copy
        return this.tableCopy(inst, code[pc]!, code[pc + 1]!, (fp + code[pc + 2]!) >> 1);
      case 239: { // table.grow
        const table = inst.tables[code[pc]!]!;
        const a = fp + code[pc + 1]!;
        // A 64-bit table's delta of 2^32 or more can never be granted (growBy with -1 fails as any failure does).
        const delta = table.address === "i64" && i32[a + 3] !== 0 ? -1 : i32[a + 2]! >>> 0;
        const r = table.growBy(delta, this.refValue(table.storage, i32[a]!));
        i32[a] = r;
        i32[a + 1] = r >> 31; // the i64 result of a 64-bit table
        return r >= 0 ? delta : 0; // Wasmtime's model: 1 unit per element added
      }
      case 240: { // table.size
        const d = fp + code[pc]!;
        i32[d] = inst.tables[code[pc + 1]!]!.elements.length;
        i32[d + 1] = 0; // the i64 result of a 64-bit table
        break;
      }
      case 241: // table.fill
        return this.tableFill(inst.tables[code[pc]!]!, (fp + code[pc + 1]!) >> 1);
      case 330: // load_mem
        loadFrom(
          inst.memories[code[pc + 3]!]!.view,
          code[pc + 4]!,
          i32,
          fp + code[pc]!,
          addressOf(i32, fp, code, pc + 1),
        );
        break;
      case 331: // store_mem
        storeTo(
          inst.memories[code[pc + 3]!]!.view,
          code[pc + 4]!,
          i32,
          fp + code[pc + 1]!,
          addressOf(i32, fp, code, pc, pc + 2),
        );
        break;
      case 332: { // memory.size_mem
        const d = fp + code[pc]!;
        i32[d] = inst.memories[code[pc + 1]!]!.pages;
        i32[d + 1] = 0; // the i64 result of a 64-bit memory
        break;
      }
      case 333: { // memory.grow_mem
        const m = inst.memories[code[pc + 2]!]!, a = fp + code[pc + 1]!, d = fp + code[pc]!;
        // A 64-bit memory's delta of 2^32 pages or more can never be granted (growPages(-1) fails as any failure).
        const r = m.growPages(m.address === "i64" && i32[a + 1] !== 0 ? -1 : i32[a]! >>> 0);
        i32[d] = r;
        i32[d + 1] = r >> 31; // the i64 result of a 64-bit memory
        break;
      }
      case 337: // addr64
        if (i32[fp + code[pc]! + 1] !== 0) throw trap(ADDR64_TRAPS[code[pc + 1]!]!);
        break;
      case 334: // memory.fill_mem
        return this.memoryFill(inst.memories[code[pc + 1]!]!, (fp + code[pc]!) >> 1);
      case 335: // memory.copy_mem
        return this.memoryCopy(inst.memories[code[pc + 1]!]!, (fp + code[pc]!) >> 1, inst.memories[code[pc + 2]!]!);
      case 336: // memory.init_mem
        return this.memoryInit(inst, code[pc]!, (fp + code[pc + 1]!) >> 1, code[pc + 2]!);
      case 243: // i64.add128
      case 244: // i64.sub128
      case 245: // i64.mul_wide_s
      case 246: // i64.mul_wide_u
        wide(i64, op, (fp + code[pc]!) >> 1);
        break;
      case 103: { // i32.clz
        const x = i32[fp + code[pc + 1]!]!;
        i32[fp + code[pc]!] = Math.clz32(x);
        break;
      }
      case 104: { // i32.ctz
        const x = i32[fp + code[pc + 1]!]!;
        i32[fp + code[pc]!] = x === 0 ? 32 : 31 - Math.clz32(x & -x);
        break;
      }
      case 105: { // i32.popcnt
        const x = i32[fp + code[pc + 1]!]!;
        i32[fp + code[pc]!] = popcnt32(x);
        break;
      }
      case 121: { // i64.clz
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const r = clz64(i32[a]!, i32[a + 1]!);
        i32[d] = r;
        i32[d + 1] = 0;
        break;
      }
      case 122: { // i64.ctz
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const r = ctz64(i32[a]!, i32[a + 1]!);
        i32[d] = r;
        i32[d + 1] = 0;
        break;
      }
      case 123: { // i64.popcnt
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const r = popcnt32(i32[a]!) + popcnt32(i32[a + 1]!);
        i32[d] = r;
        i32[d + 1] = 0;
        break;
      }
      case 127: { // i64.div_s
        i64[(fp + code[pc]!) >> 1] = divS(i64[(fp + code[pc + 1]!) >> 1]!, i64[(fp + code[pc + 2]!) >> 1]!);
        break;
      }
      case 128: { // i64.div_u
        i64[(fp + code[pc]!) >> 1] = divU(i64[(fp + code[pc + 1]!) >> 1]!, i64[(fp + code[pc + 2]!) >> 1]!);
        break;
      }
      case 129: { // i64.rem_s
        i64[(fp + code[pc]!) >> 1] = remS(i64[(fp + code[pc + 1]!) >> 1]!, i64[(fp + code[pc + 2]!) >> 1]!);
        break;
      }
      case 130: { // i64.rem_u
        i64[(fp + code[pc]!) >> 1] = remU(i64[(fp + code[pc + 1]!) >> 1]!, i64[(fp + code[pc + 2]!) >> 1]!);
        break;
      }
      case 141: { // f32.ceil
        const x = f32[fp + code[pc + 1]!]!;
        f32[fp + code[pc]!] = Math.ceil(x);
        break;
      }
      case 142: { // f32.floor
        const x = f32[fp + code[pc + 1]!]!;
        f32[fp + code[pc]!] = Math.floor(x);
        break;
      }
      case 143: { // f32.trunc
        const x = f32[fp + code[pc + 1]!]!;
        f32[fp + code[pc]!] = Math.trunc(x);
        break;
      }
      case 144: { // f32.nearest
        const x = f32[fp + code[pc + 1]!]!;
        f32[fp + code[pc]!] = nearest(x);
        break;
      }
      case 145: { // f32.sqrt
        const x = f32[fp + code[pc + 1]!]!;
        f32[fp + code[pc]!] = Math.sqrt(x);
        break;
      }
      case 150: { // f32.min
        const x = f32[fp + code[pc + 1]!]!, y = f32[fp + code[pc + 2]!]!;
        f32[fp + code[pc]!] = fmin(x, y);
        break;
      }
      case 151: { // f32.max
        const x = f32[fp + code[pc + 1]!]!, y = f32[fp + code[pc + 2]!]!;
        f32[fp + code[pc]!] = fmax(x, y);
        break;
      }
      case 152: { // f32.copysign
        const x = i32[fp + code[pc + 1]!]!, y = i32[fp + code[pc + 2]!]!;
        i32[fp + code[pc]!] = (x & 0x7fffffff) | (y & -2147483648);
        break;
      }
      case 155: { // f64.ceil
        const x = f64[(fp + code[pc + 1]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = ceil(x);
        break;
      }
      case 156: { // f64.floor
        const x = f64[(fp + code[pc + 1]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = floor(x);
        break;
      }
      case 157: { // f64.trunc
        const x = f64[(fp + code[pc + 1]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = trunc(x);
        break;
      }
      case 158: { // f64.nearest
        const x = f64[(fp + code[pc + 1]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = x !== x ? NaN : nearest(x); // canonical NaN: nearest keeps a payload
        break;
      }
      case 159: { // f64.sqrt
        const x = f64[(fp + code[pc + 1]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = Math.sqrt(x);
        break;
      }
      case 164: { // f64.min
        const x = f64[(fp + code[pc + 1]!) >> 1]!, y = f64[(fp + code[pc + 2]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = fmin(x, y);
        break;
      }
      case 165: { // f64.max
        const x = f64[(fp + code[pc + 1]!) >> 1]!, y = f64[(fp + code[pc + 2]!) >> 1]!;
        f64[(fp + code[pc]!) >> 1] = fmax(x, y);
        break;
      }
      case 166: { // f64.copysign
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const hi = (i32[a + 1]! & 0x7fffffff) | (i32[fp + code[pc + 2]! + 1]! & -2147483648);
        i32[d] = i32[a]!;
        i32[d + 1] = hi;
        break;
      }
      case 168: { // i32.trunc_f32_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncI32S(f32[a]!);
        break;
      }
      case 169: { // i32.trunc_f32_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncI32U(f32[a]!);
        break;
      }
      case 170: { // i32.trunc_f64_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncI32S(f64[a >> 1]!);
        break;
      }
      case 171: { // i32.trunc_f64_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncI32U(f64[a >> 1]!);
        break;
      }
      case 174: { // i64.trunc_f32_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncI64S(f32[a]!);
        break;
      }
      case 175: { // i64.trunc_f32_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncI64U(f32[a]!);
        break;
      }
      case 176: { // i64.trunc_f64_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncI64S(f64[a >> 1]!);
        break;
      }
      case 177: { // i64.trunc_f64_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncI64U(f64[a >> 1]!);
        break;
      }
      case 178: { // f32.convert_i32_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f32[d] = i32[a]!;
        break;
      }
      case 179: { // f32.convert_i32_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f32[d] = i32[a]! >>> 0;
        break;
      }
      case 180: { // f32.convert_i64_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f32[d] = f32ConvertI64S(i64[a >> 1]!);
        break;
      }
      case 181: { // f32.convert_i64_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f32[d] = f32ConvertI64U(i64[a >> 1]!);
        break;
      }
      case 182: { // f32.demote_f64
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f32[d] = f64[a >> 1]!;
        break;
      }
      case 185: { // f64.convert_i64_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f64[d >> 1] = Number(i64[a >> 1]!);
        break;
      }
      case 186: { // f64.convert_i64_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f64[d >> 1] = f64ConvertI64U(i64[a >> 1]!);
        break;
      }
      case 187: { // f64.promote_f32
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        f64[d >> 1] = f32[a]!;
        break;
      }
      case 194: { // i64.extend8_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const x = (i32[a]! << 24) >> 24;
        i32[d] = x;
        i32[d + 1] = x >> 31;
        break;
      }
      case 195: { // i64.extend16_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const x = (i32[a]! << 16) >> 16;
        i32[d] = x;
        i32[d + 1] = x >> 31;
        break;
      }
      case 196: { // i64.extend32_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        const x = i32[a]!;
        i32[d] = x;
        i32[d + 1] = x >> 31;
        break;
      }
      case 224: { // i32.trunc_sat_f32_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncSatI32S(f32[a]!);
        break;
      }
      case 225: { // i32.trunc_sat_f32_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncSatI32U(f32[a]!);
        break;
      }
      case 226: { // i32.trunc_sat_f64_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncSatI32S(f64[a >> 1]!);
        break;
      }
      case 227: { // i32.trunc_sat_f64_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i32[d] = truncSatI32U(f64[a >> 1]!);
        break;
      }
      case 228: { // i64.trunc_sat_f32_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncSatI64S(f32[a]!);
        break;
      }
      case 229: { // i64.trunc_sat_f32_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncSatI64U(f32[a]!);
        break;
      }
      case 230: { // i64.trunc_sat_f64_s
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncSatI64S(f64[a >> 1]!);
        break;
      }
      case 231: { // i64.trunc_sat_f64_u
        const a = fp + code[pc + 1]!, d = fp + code[pc]!;
        i64[d >> 1] = truncSatI64U(f64[a >> 1]!);
        break;
      }
      case 340: { // global_get_v128 d globalidx
        const g = inst.globals[code[pc + 1]!]!.cell;
        i32.set(g, fp + code[pc]!);
        break;
      }
      case 341: { // global_set_v128 globalidx s
        const g = inst.globals[code[pc]!]!.cell, s = fp + code[pc + 1]!;
        g.set(i32.subarray(s, s + 4));
        break;
      }
      case 338: // throw tagidx base
        throw this.newException(inst, code[pc]!, (fp + code[pc + 1]!) >> 1);
      case 339: { // throw_ref s
        const h = i32[fp + code[pc]!]!;
        if (h === 0) throw trap(TrapCode.NullReference);
        throw this.objs[-h - 1]!;
      }
      default: // (SIMD ops never come here: run() hands them to the SIMD unit)
        if (op >= GC_BASE) return gcOp(this, op, code, pc, fp, inst);
        throw new Error(`machine: unknown internal op ${op}`);
    }
    return 0;
  }

  /** Saves the registers of run(); `sp` is where a suspended host call's results go (a slot index). */
  private save(func: FuncInst, pc: number, fp: number, sp: number, depth: number): void {
    this.func = func;
    this.pc = pc;
    this.fp = fp;
    this.sp = sp;
    this.depth = depth;
  }
  /** Forgets the activation (after a trap or exception). */
  reset(): void {
    this.depth = 0;
    this.pending = null;
    this.pendingFunc = null;
    this.frameFunc.length = 0;
    this.forgetObjects();
  }

  /**
   * The internal value (function instance, JS value, Exception, GC object, i31 number, or null) of handle `h`; the
   * handle says which (see the module doc), `t` is for the reader.
   */
  refValue(_t: number, h: number): unknown {
    if (h === 0) return null;
    return h > 0 ? this.store.funcs[h - 1]! : this.objs[-h - 1];
  }

  /** `memory.init` with d, s, n at slots sp..sp+2; returns the fuel to charge. */
  private memoryInit(inst: InstanceState, dataIndex: number, sp: number, memoryIndex = 0): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const data = inst.datas[dataIndex]!;
    const memory = inst.memories[memoryIndex]!;
    if (s + n > data.length || d + n > memory.bytes.length) throw trap(TrapCode.MemoryOutOfBounds);
    memory.bytes.set(data.subarray(s, s + n), d);
    return n;
  }

  /** `memory.copy` with d, s, n at slots sp..sp+2; returns the fuel to charge. */
  private memoryCopy(memory: Memory, sp: number, from: Memory = memory): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    if (s + n > from.bytes.length || d + n > memory.bytes.length) throw trap(TrapCode.MemoryOutOfBounds);
    if (from === memory) memory.bytes.copyWithin(d, s, s + n);
    else memory.bytes.set(from.bytes.subarray(s, s + n), d);
    return n;
  }

  /** `memory.fill` with d, v, n at slots sp..sp+2; returns the fuel to charge. */
  private memoryFill(memory: Memory, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, v = i32[(sp + 1) << 1]! & 0xff, n = i32[(sp + 2) << 1]! >>> 0;
    if (d + n > memory.bytes.length) throw trap(TrapCode.MemoryOutOfBounds);
    memory.bytes.fill(v, d, d + n);
    return n;
  }

  private tableInit(inst: InstanceState, elemIndex: number, tableIndex: number, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const elem = inst.elems[elemIndex]!;
    const table = inst.tables[tableIndex]!;
    if (s + n > elem.length || d + n > table.elements.length) throw trap(TrapCode.TableOutOfBounds);
    for (let i = 0; i < n; i++) table.elements[d + i] = elem[s + i];
    return n;
  }

  private tableCopy(inst: InstanceState, dstIndex: number, srcIndex: number, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const dst = inst.tables[dstIndex]!.elements, src = inst.tables[srcIndex]!.elements;
    if (s + n > src.length || d + n > dst.length) throw trap(TrapCode.TableOutOfBounds);
    if (dst === src && d > s) { for (let i = n - 1; i >= 0; i--) dst[d + i] = src[s + i]; }
    else for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
    return n;
  }

  private tableFill(table: { elements: unknown[]; storage: number }, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    if (d + n > table.elements.length) throw trap(TrapCode.TableOutOfBounds);
    const v = this.refValue(table.storage, i32[(sp + 1) << 1]!);
    for (let i = 0; i < n; i++) table.elements[d + i] = v;
    return n;
  }
}

/** The effective address of a memory op: the address slot named at code[at], plus the offset at code[offsetAt]. */
function addressOf(i32: Int32Array, fp: number, code: Int32Array, at: number, offsetAt = at + 1): number {
  return (i32[fp + code[at]!]! >>> 0) + (code[offsetAt]! >>> 0);
}

/** Bytes accessed by each load and store opcode (0x28..0x3e). */
const ACCESS_BYTES = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4];

/** A load of opcode `kind` at address `a` of a memory other than 0 into the slot at word `d` (load_mem). */
function loadFrom(dv: DataView, kind: number, i32: Int32Array, d: number, a: number): void {
  if (a + ACCESS_BYTES[kind - 0x28]! > dv.byteLength) throw trap(TrapCode.MemoryOutOfBounds);
  let lo: number, hi = 0;
  switch (kind) {
    case 0x29: // i64.load
    case 0x2b: // f64.load
      lo = dv.getInt32(a, true);
      hi = dv.getInt32(a + 4, true);
      break;
    case 0x2c: // i32.load8_s
    case 0x30: // i64.load8_s
      lo = dv.getInt8(a);
      hi = lo >> 31;
      break;
    case 0x2d: // i32.load8_u
    case 0x31: // i64.load8_u
      lo = dv.getUint8(a);
      break;
    case 0x2e: // i32.load16_s
    case 0x32: // i64.load16_s
      lo = dv.getInt16(a, true);
      hi = lo >> 31;
      break;
    case 0x2f: // i32.load16_u
    case 0x33: // i64.load16_u
      lo = dv.getUint16(a, true);
      break;
    case 0x34: // i64.load32_s
      lo = dv.getInt32(a, true);
      hi = lo >> 31;
      break;
    default: // i32.load, f32.load, i64.load32_u
      lo = dv.getInt32(a, true);
  }
  i32[d] = lo;
  // Why the high word for i32 loads too: a slot's high word is unspecified for 32-bit values, so writing it is free.
  i32[d + 1] = kind <= 0x2f && kind !== 0x29 && kind !== 0x2b ? 0 : hi;
}

/** A store of opcode `kind` of the slot at word `v` to address `a` of a memory other than 0 (store_mem). */
function storeTo(dv: DataView, kind: number, i32: Int32Array, v: number, a: number): void {
  if (a + ACCESS_BYTES[kind - 0x28]! > dv.byteLength) throw trap(TrapCode.MemoryOutOfBounds);
  switch (kind) {
    case 0x37: // i64.store
    case 0x39: // f64.store
      dv.setInt32(a, i32[v]!, true);
      dv.setInt32(a + 4, i32[v + 1]!, true);
      return;
    case 0x3a: // i32.store8
    case 0x3c: // i64.store8
      dv.setInt8(a, i32[v]!);
      return;
    case 0x3b: // i32.store16
    case 0x3d: // i64.store16
      dv.setInt16(a, i32[v]!, true);
      return;
    default: // i32.store, f32.store, i64.store32
      dv.setInt32(a, i32[v]!, true);
  }
}

/**
 * The wide-arithmetic ops on slots sp..: `i64.add128`/`sub128` read (lo, hi) pairs at sp, sp+1 and sp+2, sp+3;
 * `mul_wide_s`/`_u` read two i64 at sp, sp+1; all write the 128-bit result's low and high halves at sp, sp+1.
 * BigInt: cold code, exact by construction (see `exec/i64.ts` for why the hot i64 ops avoid it).
 */
function wide(i64: BigInt64Array, op: number, sp: number): void {
  let r: bigint;
  if (op <= 244) {
    const x = (BigInt.asUintN(64, i64[sp + 1]!) << 64n) | BigInt.asUintN(64, i64[sp]!);
    const y = (BigInt.asUintN(64, i64[sp + 3]!) << 64n) | BigInt.asUintN(64, i64[sp + 2]!);
    r = op === 243 ? x + y : x - y;
  } else if (op === 245) {
    r = i64[sp]! * i64[sp + 1]!;
  } else {
    r = BigInt.asUintN(64, i64[sp]!) * BigInt.asUintN(64, i64[sp + 1]!);
  }
  i64[sp] = BigInt.asIntN(64, r);
  i64[sp + 1] = BigInt.asIntN(64, r >> 64n);
}

const EMPTY_BYTES = new Uint8Array(0);

/** The module offset of the instruction before compiled position `pc` of `f`, or -1. */
function codeOffset(f: FuncInst, pc: number): number {
  const c = f.compiled;
  return c && pc > 0 && pc - 1 < c.offsets.length ? c.offsets[pc - 1]! : -1;
}

function frameOf(f: FuncInst, pc: number): WasmFrame {
  const inst = f.instance!;
  return wasmFrame(inst.module, f.index, codeOffset(f, pc), inst.moduleName, inst.store.options.debugInfo === true);
}
