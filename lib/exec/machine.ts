/**
 * The machine: a resumable interpreter over the code of `lib/compile/translate.ts`.
 *
 * State lives here, never on the JS stack: a value stack (one `ArrayBuffer` of 8-byte slots viewed as
 * Int32Array/Float32Array/Float64Array/BigInt64Array) and a frame stack (callee function, return pc, frame base).
 * A frame's slots are its locals (params first) followed by its operand stack. i32 values sit in a slot's low word
 * (kept `|0`); i64 as low and high words; f32 as raw bits in the low word; f64 as the slot's 8 bytes; references as
 * int32 handles (see `lib/runtime/store.ts`).
 *
 * `run()` is synchronous and returns a status: {@link DONE} when the outermost frame returned (results in slots
 * 0..n-1), {@link SUSPEND} when a host import returned a thenable (`pending`), {@link YIELD} at a fuel checkpoint
 * asking the driver to yield a macrotask. Traps are thrown as RuntimeError with a wasm backtrace; exceptions of host
 * functions propagate unchanged.
 *
 * @module
 */

import { RuntimeError, type WasmFrame } from "../errors.ts";
import { translateFunction } from "../compile/translate.ts";
import type { CompiledFunc } from "../compile/translate.ts";
import { funcFromJs, type FuncInst, funcToJs, type InstanceState } from "../runtime/func.ts";
import { EMPTY_MEMORY_VIEW, type Memory } from "../runtime/memory.ts";
import type { Store } from "../runtime/store.ts";
import { ValType } from "../binary/module.ts";
import {
  f32ConvertI64S,
  f32ConvertI64U,
  f64ConvertI64U,
  nearest,
  truncI32S,
  truncI32U,
  truncI64S,
  truncI64U,
  truncSatI32S,
  truncSatI32U,
  truncSatI64S,
  truncSatI64U,
} from "./float.ts";
import { warmUp } from "./warm_up.ts";
import { clz as clz64, ctz as ctz64, divS, divU, popcnt32, remS, remU } from "./i64.ts";

/** `run()` status: the outermost frame returned. */
export const DONE = 0;
/** `run()` status: a host import returned a thenable, now in `pending`. */
export const SUSPEND = 1;
/** `run()` status: a fuel checkpoint asks the driver to yield to the event loop. */
export const YIELD = 2;

/** Accounting cost of one frame, in bytes of the stack limit (besides its slots). */
const FRAME_BYTES = 32;
const INITIAL_SLOTS = 1024;
const NO_MEMORY = EMPTY_MEMORY_VIEW;

function trap(message: string): RuntimeError {
  return new RuntimeError(message);
}

/** The translated code of a wasm function (translating it on first use). */
export function compiledOf(f: FuncInst): CompiledFunc {
  if (f.compiled) return f.compiled;
  const inst = f.instance!;
  const defined = f.index - inst.module.importedFuncs;
  let c = inst.compiled[defined];
  if (!c) {
    c = translateFunction(inst.module, f.index, inst.meter);
    inst.compiled[defined] = c;
  }
  f.compiled = c;
  return c;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

let warmedUp = false;

/** One activation's interpreter state (see the module doc). */
export class Machine {
  readonly store: Store;
  buffer!: ArrayBuffer;
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  i64!: BigInt64Array;
  /** Value stack capacity in slots. */
  capacity = 0;
  frameFunc: FuncInst[] = [];
  framePc: number[] = [];
  frameFp: number[] = [];
  depth = 0;
  func: FuncInst | null = null;
  pc = 0;
  fp = 0;
  sp = 0;
  /** The thenable a host import returned (status SUSPEND), and that import. */
  pending: PromiseLike<unknown> | null = null;
  pendingFunc: FuncInst | null = null;
  /** Fuel level below which the next checkpoint yields. */
  yieldMark = -Infinity;

  constructor(store: Store) {
    this.store = store;
    this.allocate(INITIAL_SLOTS);
    if (!warmedUp) {
      // Why: see warm_up.ts (feedback for every case before V8 optimizes run()).
      warmedUp = true;
      warmUp((s) => new Machine(s));
    }
  }

  private allocate(slots: number): void {
    const old = this.i32;
    this.buffer = new ArrayBuffer(slots * 8);
    this.i32 = new Int32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.i64 = new BigInt64Array(this.buffer);
    if (old) this.i32.set(old);
    this.capacity = slots;
  }

  /** Makes room for `slots` slots, or traps "call stack exhausted" beyond the store's limit. */
  reserve(slots: number, depth: number): void {
    if (slots * 8 + depth * FRAME_BYTES > this.store.maxWasmStack) throw trap("call stack exhausted");
    if (slots > this.capacity) {
      let n = this.capacity * 2;
      while (n < slots) n *= 2;
      this.allocate(n);
    }
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
    this.yieldMark = this.store.yieldInterval > 0 ? this.store.fuel - this.store.yieldInterval : -Infinity;
  }

  /** Writes a JS-form (or raw-form) value of type `t` into slot `s`. */
  write(t: number, s: number, v: unknown, raw: boolean): void {
    switch (t) {
      case ValType.i32:
        this.i32[s << 1] = Number(v) | 0;
        return;
      case ValType.i64:
        if (typeof v !== "bigint") {
          if (typeof v === "number" && Number.isInteger(v)) v = BigInt(v);
          else throw new TypeError("i64 value must be a BigInt");
        }
        this.i64[s] = v as bigint;
        return;
      case ValType.f32:
        if (raw) this.i32[s << 1] = Number(v) | 0;
        else this.f32[s << 1] = Number(v);
        return;
      case ValType.f64:
        if (raw) this.i64[s] = BigInt.asIntN(64, BigInt(v as bigint));
        else this.f64[s] = Number(v);
        return;
      case ValType.funcref:
        this.i32[s << 1] = this.store.funcHandle(funcFromJs(v));
        return;
      default:
        this.i32[s << 1] = this.store.externHandle(v === undefined ? undefined : v);
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
      case ValType.funcref: {
        const h = this.i32[s << 1]!;
        return h === 0 ? null : funcToJs(this.store.funcs[h - 1]!);
      }
      default: {
        const h = this.i32[s << 1]!;
        return h === 0 ? null : this.store.externs[h - 1];
      }
    }
  }

  /** Calls host function `f` with the arguments in slots base.. (JS form). */
  callHost(f: FuncInst, base: number): unknown {
    const params = f.type.params;
    const args = new Array(params.length);
    for (let i = 0; i < params.length; i++) args[i] = this.read(params[i]!, base + i, false);
    return (f.host as (...a: unknown[]) => unknown)(...args);
  }

  /** Writes a host function's result(s) at slots base.. */
  pushHostResults(f: FuncInst, result: unknown, base: number): void {
    const results = f.type.results;
    if (results.length === 0) return;
    if (results.length === 1) {
      this.write(results[0]!, base, result, false);
      return;
    }
    const values = Array.from(result as Iterable<unknown>);
    if (values.length !== results.length) throw new TypeError("host function returned the wrong number of results");
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

  /** After a YIELD: sets the next yield mark and continues. */
  continueAfterYield(): number {
    this.yieldMark = this.store.fuel - this.store.yieldInterval;
    return this.run();
  }

  /** The fuel level below which a checkpoint leaves the fast path. */
  private limit(): number {
    const store = this.store;
    if (store.interrupted || (store.signal !== undefined && store.signal.aborted)) return Infinity;
    return this.yieldMark > 0 ? this.yieldMark : 0;
  }

  /** Slow path of a checkpoint: traps, or returns YIELD, or DONE (meaning: carry on). */
  private checkpoint(fuel: number): number {
    const store = this.store;
    if (store.interrupted || (store.signal !== undefined && store.signal.aborted)) {
      store.interrupted = false;
      throw trap("interrupt");
    }
    if (fuel < 0) {
      if (store.fuelEnabled) throw trap("all fuel consumed by WebAssembly");
      store.fuel = fuel = 2 ** 52;
      this.yieldMark = store.yieldInterval > 0 ? fuel - store.yieldInterval : -Infinity;
    }
    if (fuel < this.yieldMark) return YIELD;
    return DONE;
  }

  /** The wasm backtrace, innermost first. */
  backtrace(func: FuncInst, pc: number, depth: number): WasmFrame[] {
    const frames: WasmFrame[] = [frameOf(func, pc)];
    for (let d = depth - 1; d >= 0; d--) frames.push(frameOf(this.frameFunc[d]!, this.framePc[d]!));
    return frames;
  }

  /** Runs until the outermost frame returns, a host import suspends, a checkpoint yields, or a trap. */
  run(): number {
    const store = this.store;
    let i32 = this.i32, f32 = this.f32, f64 = this.f64, i64 = this.i64;
    let func = this.func!;
    let compiled = compiledOf(func);
    let code = compiled.code;
    let pc = this.pc, fp = this.fp, sp = this.sp, depth = this.depth;
    let inst = func.instance!;
    let funcs = inst.funcs;
    let globals = inst.globals;
    let memory: Memory | undefined = inst.memories[0];
    let dv = memory ? memory.view : NO_MEMORY;
    let memLen = dv.byteLength;
    let fuel = store.fuel;
    let limit = this.limit();
    const stackLimit = store.maxWasmStack;
    // Why: while a host import runs, `store.fuel` is the truth (a nested call from the host may consume fuel); if the
    // import throws, the stale local `fuel` must not be written back over it.
    let inHost = false;
    try {
      for (;;) {
        const op = code[pc++]!;
        switch (op) {
          case 0: // unreachable
            throw trap("unreachable");
          case 2: // fuel
            fuel -= code[pc++]!;
            break;
          case 3: // fuel_check
            fuel -= code[pc++]!;
            if (fuel < limit) {
              const status = this.checkpoint(fuel);
              if (fuel < 0) fuel = store.fuel; // unmetered counter wrapped (metered: checkpoint threw)
              limit = this.limit();
              if (status === YIELD) {
                store.fuel = fuel;
                this.save(func, pc, fp, sp, depth);
                return YIELD;
              }
            }
            break;
          case 4: // br_unless
            if (i32[--sp << 1] === 0) pc = code[pc]!;
            else pc++;
            break;
          case 5: // jump
            pc = code[pc]!;
            break;
          case 6: { // br_if_copy
            if (i32[--sp << 1] === 0) {
              pc += 3;
              break;
            }
            const to = fp + code[pc + 1]!, arity = code[pc + 2]!;
            if (arity === 1) {
              const d = to << 1, f = (sp - 1) << 1;
              i32[d] = i32[f]!;
              i32[d + 1] = i32[f + 1]!;
            } else {
              i32.copyWithin(to << 1, (sp - arity) << 1, sp << 1);
            }
            sp = to + arity;
            pc = code[pc]!;
            break;
          }
          case 7: { // global_get_ref
            const g = globals[code[pc++]!]!;
            i32[sp << 1] = g.type === 0x70 ? store.funcHandle(g.ref as FuncInst | null) : store.externHandle(g.ref);
            sp++;
            break;
          }
          case 8: { // global_set_ref
            const g = globals[code[pc++]!]!;
            const h = i32[--sp << 1]!;
            g.ref = h === 0 ? null : g.type === 0x70 ? store.funcs[h - 1]! : store.externs[h - 1];
            break;
          }
          case 12: { // br
            const to = fp + code[pc + 1]!, arity = code[pc + 2]!;
            if (arity === 1) {
              const d = to << 1, f = (sp - 1) << 1;
              i32[d] = i32[f]!;
              i32[d + 1] = i32[f + 1]!;
            } else {
              i32.copyWithin(to << 1, (sp - arity) << 1, sp << 1);
            }
            sp = to + arity;
            pc = code[pc]!;
            break;
          }
          case 13: // br_if
            if (i32[--sp << 1] !== 0) pc = code[pc]!;
            else pc++;
            break;
          case 14: { // br_table
            const n = code[pc]!;
            let i = i32[--sp << 1]! >>> 0;
            if (i > n) i = n;
            const e = pc + 1 + i * 3;
            const to = fp + code[e + 1]!, arity = code[e + 2]!;
            if (sp - arity !== to) {
              if (arity === 1) {
                const d = to << 1, f = (sp - 1) << 1;
                i32[d] = i32[f]!;
                i32[d + 1] = i32[f + 1]!;
              } else {
                i32.copyWithin(to << 1, (sp - arity) << 1, sp << 1);
              }
            }
            sp = to + arity;
            pc = code[e]!;
            break;
          }
          case 15: { // return
            const n = compiled.resultCount;
            if (n === 1) {
              const f = (sp - 1) << 1, d = fp << 1;
              i32[d] = i32[f]!;
              i32[d + 1] = i32[f + 1]!;
            } else if (n !== 0 && sp - n !== fp) {
              i32.copyWithin(fp << 1, (sp - n) << 1, sp << 1);
            }
            sp = fp + n;
            if (depth === 0) {
              store.fuel = fuel;
              this.save(func, pc, fp, sp, depth);
              return DONE;
            }
            depth--;
            func = this.frameFunc[depth]!;
            pc = this.framePc[depth]!;
            fp = this.frameFp[depth]!;
            compiled = func.compiled!;
            code = compiled.code;
            if (func.instance !== inst) {
              inst = func.instance!;
              funcs = inst.funcs;
              globals = inst.globals;
              memory = inst.memories[0];
            }
            // Why: a callee may have grown the memory (also a shared one), so views are refreshed on every return.
            dv = memory ? memory.view : NO_MEMORY;
            memLen = dv.byteLength;
            break;
          }
          case 16: // call
          case 17: { // call_indirect
            let callee: FuncInst;
            if (op === 16) {
              callee = funcs[code[pc++]!]!;
            } else {
              const typeIndex = code[pc++]!;
              const table = inst.tables[code[pc++]!]!;
              const i = i32[--sp << 1]! >>> 0;
              if (i >= table.elements.length) throw trap("undefined element");
              const f = table.elements[i] as FuncInst | null;
              if (f === null) throw trap(`uninitialized element ${i}`);
              if (f.typeId !== inst.typeIds[typeIndex]) throw trap("indirect call type mismatch");
              callee = f;
            }
            if (callee.host !== null) {
              const base = sp - callee.type.params.length;
              store.fuel = fuel;
              this.save(func, pc, fp, base, depth);
              inHost = true;
              const result = this.callHost(callee, base);
              inHost = false;
              if (isThenable(result)) {
                this.pending = result;
                this.pendingFunc = callee;
                return SUSPEND;
              }
              this.pushHostResults(callee, result, base);
              sp = base + callee.type.results.length;
              fuel = store.fuel;
              limit = this.limit();
              dv = memory ? memory.view : NO_MEMORY;
              memLen = dv.byteLength;
              break;
            }
            const c = callee.compiled ?? compiledOf(callee);
            const nfp = sp - c.paramCount;
            if (nfp + c.maxHeight >= this.capacity || (nfp + c.maxHeight) * 8 + depth * FRAME_BYTES > stackLimit) {
              this.reserve(nfp + c.maxHeight + 1, depth + 1);
              i32 = this.i32;
              f32 = this.f32;
              f64 = this.f64;
              i64 = this.i64;
            }
            this.frameFunc[depth] = func;
            this.framePc[depth] = pc;
            this.frameFp[depth] = fp;
            depth++;
            for (let i = (nfp + c.paramCount) << 1, e = (nfp + c.localCount) << 1; i < e; i++) i32[i] = 0;
            func = callee;
            compiled = c;
            code = c.code;
            pc = 0;
            fp = nfp;
            sp = nfp + c.localCount;
            if (callee.instance !== inst) {
              inst = callee.instance!;
              funcs = inst.funcs;
              globals = inst.globals;
              memory = inst.memories[0];
              dv = memory ? memory.view : NO_MEMORY;
              memLen = dv.byteLength;
            }
            break;
          }
          case 26: // drop
            sp--;
            break;
          case 27: { // select
            sp -= 2;
            if (i32[(sp + 1) << 1] === 0) {
              const d = (sp - 1) << 1, s = sp << 1;
              i32[d] = i32[s]!;
              i32[d + 1] = i32[s + 1]!;
            }
            break;
          }
          case 32: { // local.get
            const s = (fp + code[pc++]!) << 1, d = sp << 1;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            sp++;
            break;
          }
          case 33: { // local.set
            const d = (fp + code[pc++]!) << 1, s = --sp << 1;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            break;
          }
          case 34: { // local.tee
            const d = (fp + code[pc++]!) << 1, s = (sp - 1) << 1;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            break;
          }
          case 35: { // global.get
            const g = globals[code[pc++]!]!.cell, d = sp << 1;
            i32[d] = g[0]!;
            i32[d + 1] = g[1]!;
            sp++;
            break;
          }
          case 36: { // global.set
            const g = globals[code[pc++]!]!.cell, s = --sp << 1;
            g[0] = i32[s]!;
            g[1] = i32[s + 1]!;
            break;
          }
          case 37: { // table.get
            const table = inst.tables[code[pc++]!]!;
            const a = (sp - 1) << 1;
            const i = i32[a]! >>> 0;
            if (i >= table.elements.length) throw trap("out of bounds table access");
            const v = table.elements[i];
            i32[a] = table.elemType === 0x70 ? store.funcHandle(v as FuncInst | null) : store.externHandle(v);
            break;
          }
          case 38: { // table.set
            const table = inst.tables[code[pc++]!]!;
            sp -= 2;
            const i = i32[sp << 1]! >>> 0;
            if (i >= table.elements.length) throw trap("out of bounds table access");
            table.elements[i] = this.refValue(table.elemType, i32[(sp + 1) << 1]!);
            break;
          }
          case 40: { // i32.load
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt32(a, true);
            break;
          }
          case 41: { // i64.load
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = dv.getInt32(a + 4, true);
            break;
          }
          case 42: { // f32.load
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt32(a, true);
            break;
          }
          case 43: { // f64.load
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = dv.getInt32(a + 4, true);
            break;
          }
          case 44: { // i32.load8_s
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt8(a);
            break;
          }
          case 45: { // i32.load8_u
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getUint8(a);
            break;
          }
          case 46: { // i32.load16_s
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt16(a, true);
            break;
          }
          case 47: { // i32.load16_u
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getUint16(a, true);
            break;
          }
          case 48: { // i64.load8_s
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt8(a);
            i32[s + 1] = i32[s]! >> 31;
            break;
          }
          case 49: { // i64.load8_u
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getUint8(a);
            i32[s + 1] = 0;
            break;
          }
          case 50: { // i64.load16_s
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt16(a, true);
            i32[s + 1] = i32[s]! >> 31;
            break;
          }
          case 51: { // i64.load16_u
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getUint16(a, true);
            i32[s + 1] = 0;
            break;
          }
          case 52: { // i64.load32_s
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = i32[s]! >> 31;
            break;
          }
          case 53: { // i64.load32_u
            const s = (sp - 1) << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = 0;
            break;
          }
          case 54: { // i32.store
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[s + 2]!, true);
            break;
          }
          case 55: { // i64.store
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[s + 2]!, true);
            dv.setInt32(a + 4, i32[s + 3]!, true);
            break;
          }
          case 56: { // f32.store
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[s + 2]!, true);
            break;
          }
          case 57: { // f64.store
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[s + 2]!, true);
            dv.setInt32(a + 4, i32[s + 3]!, true);
            break;
          }
          case 58: { // i32.store8
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            dv.setInt8(a, i32[s + 2]!);
            break;
          }
          case 59: { // i32.store16
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            dv.setInt16(a, i32[s + 2]!, true);
            break;
          }
          case 60: { // i64.store8
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            dv.setInt8(a, i32[s + 2]!);
            break;
          }
          case 61: { // i64.store16
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            dv.setInt16(a, i32[s + 2]!, true);
            break;
          }
          case 62: { // i64.store32
            sp -= 2;
            const s = sp << 1;
            const a = (i32[s]! >>> 0) + (code[pc++]! >>> 0);
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[s + 2]!, true);
            break;
          }
          case 63: // memory.size
            i32[sp++ << 1] = memLen / 65536;
            break;
          case 64: { // memory.grow
            const a = (sp - 1) << 1;
            i32[a] = memory!.growPages(i32[a]! >>> 0);
            dv = memory!.view;
            memLen = dv.byteLength;
            break;
          }
          case 65: // i32.const
            i32[sp++ << 1] = code[pc++]!;
            break;
          case 66: { // i64.const
            const d = sp++ << 1;
            i32[d] = code[pc++]!;
            i32[d + 1] = code[pc++]!;
            break;
          }
          case 67: // f32.const
            i32[sp++ << 1] = code[pc++]!;
            break;
          case 68: { // f64.const
            const d = sp++ << 1;
            i32[d] = code[pc++]!;
            i32[d + 1] = code[pc++]!;
            break;
          }
          case 69: { // i32.eqz
            const a = (sp - 1) << 1;
            i32[a] = i32[a] === 0 ? 1 : 0;
            break;
          }
          case 70: { // i32.eq
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] === i32[b] ? 1 : 0;
            break;
          }
          case 71: { // i32.ne
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] !== i32[b] ? 1 : 0;
            break;
          }
          case 72: { // i32.lt_s
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] < i32[b] ? 1 : 0;
            break;
          }
          case 73: { // i32.lt_u
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] >>> 0) < (i32[b] >>> 0) ? 1 : 0;
            break;
          }
          case 74: { // i32.gt_s
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] > i32[b] ? 1 : 0;
            break;
          }
          case 75: { // i32.gt_u
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] >>> 0) > (i32[b] >>> 0) ? 1 : 0;
            break;
          }
          case 76: { // i32.le_s
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] <= i32[b] ? 1 : 0;
            break;
          }
          case 77: { // i32.le_u
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] >>> 0) <= (i32[b] >>> 0) ? 1 : 0;
            break;
          }
          case 78: { // i32.ge_s
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] >= i32[b] ? 1 : 0;
            break;
          }
          case 79: { // i32.ge_u
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] >>> 0) >= (i32[b] >>> 0) ? 1 : 0;
            break;
          }
          case 80: { // i64.eqz
            const a = (sp - 1) << 1;
            i32[a] = (i32[a] | i32[a + 1]) === 0 ? 1 : 0;
            break;
          }
          case 81: { // i64.eq
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] === i32[b] && i32[a + 1] === i32[b + 1] ? 1 : 0;
            break;
          }
          case 82: { // i64.ne
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] !== i32[b] || i32[a + 1] !== i32[b + 1] ? 1 : 0;
            break;
          }
          case 83: { // i64.lt_s
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1], bh = i32[b + 1];
            i32[a] = ah < bh || (ah === bh && (i32[a] >>> 0) < (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 84: { // i64.lt_u
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1] >>> 0, bh = i32[b + 1] >>> 0;
            i32[a] = ah < bh || (ah === bh && (i32[a] >>> 0) < (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 85: { // i64.gt_s
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1], bh = i32[b + 1];
            i32[a] = ah > bh || (ah === bh && (i32[a] >>> 0) > (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 86: { // i64.gt_u
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1] >>> 0, bh = i32[b + 1] >>> 0;
            i32[a] = ah > bh || (ah === bh && (i32[a] >>> 0) > (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 87: { // i64.le_s
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1], bh = i32[b + 1];
            i32[a] = ah < bh || (ah === bh && (i32[a] >>> 0) <= (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 88: { // i64.le_u
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1] >>> 0, bh = i32[b + 1] >>> 0;
            i32[a] = ah < bh || (ah === bh && (i32[a] >>> 0) <= (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 89: { // i64.ge_s
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1], bh = i32[b + 1];
            i32[a] = ah > bh || (ah === bh && (i32[a] >>> 0) >= (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 90: { // i64.ge_u
            const b = --sp << 1, a = b - 2;
            const ah = i32[a + 1] >>> 0, bh = i32[b + 1] >>> 0;
            i32[a] = ah > bh || (ah === bh && (i32[a] >>> 0) >= (i32[b] >>> 0)) ? 1 : 0;
            break;
          }
          case 91: { // f32.eq
            const b = --sp << 1, a = b - 2;
            i32[a] = f32[a] === f32[b] ? 1 : 0;
            break;
          }
          case 92: { // f32.ne
            const b = --sp << 1, a = b - 2;
            i32[a] = f32[a] !== f32[b] ? 1 : 0;
            break;
          }
          case 93: { // f32.lt
            const b = --sp << 1, a = b - 2;
            i32[a] = f32[a] < f32[b] ? 1 : 0;
            break;
          }
          case 94: { // f32.gt
            const b = --sp << 1, a = b - 2;
            i32[a] = f32[a] > f32[b] ? 1 : 0;
            break;
          }
          case 95: { // f32.le
            const b = --sp << 1, a = b - 2;
            i32[a] = f32[a] <= f32[b] ? 1 : 0;
            break;
          }
          case 96: { // f32.ge
            const b = --sp << 1, a = b - 2;
            i32[a] = f32[a] >= f32[b] ? 1 : 0;
            break;
          }
          case 97: { // f64.eq
            const b = --sp, a = b - 1;
            i32[a << 1] = f64[a] === f64[b] ? 1 : 0;
            break;
          }
          case 98: { // f64.ne
            const b = --sp, a = b - 1;
            i32[a << 1] = f64[a] !== f64[b] ? 1 : 0;
            break;
          }
          case 99: { // f64.lt
            const b = --sp, a = b - 1;
            i32[a << 1] = f64[a] < f64[b] ? 1 : 0;
            break;
          }
          case 100: { // f64.gt
            const b = --sp, a = b - 1;
            i32[a << 1] = f64[a] > f64[b] ? 1 : 0;
            break;
          }
          case 101: { // f64.le
            const b = --sp, a = b - 1;
            i32[a << 1] = f64[a] <= f64[b] ? 1 : 0;
            break;
          }
          case 102: { // f64.ge
            const b = --sp, a = b - 1;
            i32[a << 1] = f64[a] >= f64[b] ? 1 : 0;
            break;
          }
          case 103: { // i32.clz
            const a = (sp - 1) << 1;
            i32[a] = Math.clz32(i32[a]);
            break;
          }
          case 104: { // i32.ctz
            const a = (sp - 1) << 1;
            i32[a] = i32[a] === 0 ? 32 : 31 - Math.clz32(i32[a] & -i32[a]);
            break;
          }
          case 105: { // i32.popcnt
            const a = (sp - 1) << 1;
            i32[a] = popcnt32(i32[a]);
            break;
          }
          case 106: { // i32.add
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] + i32[b]) | 0;
            break;
          }
          case 107: { // i32.sub
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] - i32[b]) | 0;
            break;
          }
          case 108: { // i32.mul
            const b = --sp << 1, a = b - 2;
            i32[a] = Math.imul(i32[a], i32[b]);
            break;
          }
          case 109: { // i32.div_s
            const b = --sp << 1, a = b - 2;
            const x = i32[a], y = i32[b];
            if (y === 0) throw trap("integer divide by zero");
            if (x === -2147483648 && y === -1) throw trap("integer overflow");
            i32[a] = (x / y) | 0;
            break;
          }
          case 110: { // i32.div_u
            const b = --sp << 1, a = b - 2;
            const y = i32[b] >>> 0;
            if (y === 0) throw trap("integer divide by zero");
            i32[a] = ((i32[a] >>> 0) / y) | 0;
            break;
          }
          case 111: { // i32.rem_s
            const b = --sp << 1, a = b - 2;
            const y = i32[b];
            if (y === 0) throw trap("integer divide by zero");
            i32[a] = y === -1 ? 0 : (i32[a] % y) | 0;
            break;
          }
          case 112: { // i32.rem_u
            const b = --sp << 1, a = b - 2;
            const y = i32[b] >>> 0;
            if (y === 0) throw trap("integer divide by zero");
            i32[a] = ((i32[a] >>> 0) % y) | 0;
            break;
          }
          case 113: { // i32.and
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] & i32[b];
            break;
          }
          case 114: { // i32.or
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] | i32[b];
            break;
          }
          case 115: { // i32.xor
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] ^ i32[b];
            break;
          }
          case 116: { // i32.shl
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] << i32[b];
            break;
          }
          case 117: { // i32.shr_s
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a] >> i32[b];
            break;
          }
          case 118: { // i32.shr_u
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] >>> i32[b]) | 0;
            break;
          }
          case 119: { // i32.rotl
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] << (i32[b] & 31)) | (i32[a] >>> (32 - (i32[b] & 31)));
            break;
          }
          case 120: { // i32.rotr
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] >>> (i32[b] & 31)) | (i32[a] << (32 - (i32[b] & 31)));
            break;
          }
          case 121: { // i64.clz
            const a = (sp - 1) << 1;
            i32[a] = clz64(i32[a], i32[a + 1]);
            i32[a + 1] = 0;
            break;
          }
          case 122: { // i64.ctz
            const a = (sp - 1) << 1;
            i32[a] = ctz64(i32[a], i32[a + 1]);
            i32[a + 1] = 0;
            break;
          }
          case 123: { // i64.popcnt
            const a = (sp - 1) << 1;
            i32[a] = popcnt32(i32[a]) + popcnt32(i32[a + 1]);
            i32[a + 1] = 0;
            break;
          }
          case 124: { // i64.add
            const b = --sp << 1, a = b - 2;
            const lo = (i32[a] >>> 0) + (i32[b] >>> 0);
            i32[a + 1] = (i32[a + 1] + i32[b + 1] + (lo > 0xffffffff ? 1 : 0)) | 0;
            i32[a] = lo | 0;
            break;
          }
          case 125: { // i64.sub
            const b = --sp << 1, a = b - 2;
            const lo = (i32[a] >>> 0) - (i32[b] >>> 0);
            i32[a + 1] = (i32[a + 1] - i32[b + 1] - (lo < 0 ? 1 : 0)) | 0;
            i32[a] = lo | 0;
            break;
          }
          case 126: { // i64.mul
            const b = --sp << 1, a = b - 2;
            // Why: 16-bit pieces keep every partial product exact in a double (two halves beat BigInt; see bench/micro).
            const alo = i32[a], blo = i32[b];
            const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
            const t = a0 * b0;
            const m = a1 * b0 + a0 * b1 + (t >>> 16);
            i32[a + 1] = (a1 * b1 + Math.floor(m / 65536) + Math.imul(alo, i32[b + 1]) + Math.imul(i32[a + 1], blo)) |
              0;
            i32[a] = ((m & 0xffff) << 16) | (t & 0xffff);
            break;
          }
          case 127: { // i64.div_s
            const b = --sp, a = b - 1;
            i64[a] = divS(i64[a], i64[b]);
            break;
          }
          case 128: { // i64.div_u
            const b = --sp, a = b - 1;
            i64[a] = divU(i64[a], i64[b]);
            break;
          }
          case 129: { // i64.rem_s
            const b = --sp, a = b - 1;
            i64[a] = remS(i64[a], i64[b]);
            break;
          }
          case 130: { // i64.rem_u
            const b = --sp, a = b - 1;
            i64[a] = remU(i64[a], i64[b]);
            break;
          }
          case 137: // i64.rotl
          case 138: { // i64.rotr
            const b = --sp << 1, a = b - 2;
            let k = op === 137 ? i32[b]! & 63 : (64 - (i32[b]! & 63)) & 63;
            let lo = i32[a]!, hi = i32[a + 1]!;
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
            i32[a] = lo;
            i32[a + 1] = hi;
            break;
          }
          case 131: { // i64.and
            const b = --sp << 1, a = b - 2;
            i32[a] &= i32[b];
            i32[a + 1] &= i32[b + 1];
            break;
          }
          case 132: { // i64.or
            const b = --sp << 1, a = b - 2;
            i32[a] |= i32[b];
            i32[a + 1] |= i32[b + 1];
            break;
          }
          case 133: { // i64.xor
            const b = --sp << 1, a = b - 2;
            i32[a] ^= i32[b];
            i32[a + 1] ^= i32[b + 1];
            break;
          }
          case 134: { // i64.shl
            const b = --sp << 1, a = b - 2;
            const k = i32[b] & 63;
            if (k >= 32) {
              i32[a + 1] = i32[a] << (k - 32);
              i32[a] = 0;
            } else if (k !== 0) {
              i32[a + 1] = (i32[a + 1] << k) | (i32[a] >>> (32 - k));
              i32[a] = i32[a] << k;
            }
            break;
          }
          case 135: { // i64.shr_s
            const b = --sp << 1, a = b - 2;
            const k = i32[b] & 63;
            if (k >= 32) {
              i32[a] = i32[a + 1] >> (k - 32);
              i32[a + 1] = i32[a + 1] >> 31;
            } else if (k !== 0) {
              i32[a] = (i32[a] >>> k) | (i32[a + 1] << (32 - k));
              i32[a + 1] = i32[a + 1] >> k;
            }
            break;
          }
          case 136: { // i64.shr_u
            const b = --sp << 1, a = b - 2;
            const k = i32[b] & 63;
            if (k >= 32) {
              i32[a] = i32[a + 1] >>> (k - 32);
              i32[a + 1] = 0;
            } else if (k !== 0) {
              i32[a] = (i32[a] >>> k) | (i32[a + 1] << (32 - k));
              i32[a + 1] = i32[a + 1] >>> k;
            }
            break;
          }
          case 139: { // f32.abs
            const a = (sp - 1) << 1;
            i32[a] = i32[a] & 0x7fffffff;
            break;
          }
          case 140: { // f32.neg
            const a = (sp - 1) << 1;
            i32[a] = i32[a] ^ -2147483648;
            break;
          }
          case 141: { // f32.ceil
            const a = (sp - 1) << 1;
            f32[a] = Math.ceil(f32[a]);
            break;
          }
          case 142: { // f32.floor
            const a = (sp - 1) << 1;
            f32[a] = Math.floor(f32[a]);
            break;
          }
          case 143: { // f32.trunc
            const a = (sp - 1) << 1;
            f32[a] = Math.trunc(f32[a]);
            break;
          }
          case 144: { // f32.nearest
            const a = (sp - 1) << 1;
            f32[a] = nearest(f32[a]);
            break;
          }
          case 145: { // f32.sqrt
            const a = (sp - 1) << 1;
            f32[a] = Math.sqrt(f32[a]);
            break;
          }
          case 146: { // f32.add
            const b = --sp << 1, a = b - 2;
            f32[a] = f32[a] + f32[b];
            break;
          }
          case 147: { // f32.sub
            const b = --sp << 1, a = b - 2;
            f32[a] = f32[a] - f32[b];
            break;
          }
          case 148: { // f32.mul
            const b = --sp << 1, a = b - 2;
            f32[a] = f32[a] * f32[b];
            break;
          }
          case 149: { // f32.div
            const b = --sp << 1, a = b - 2;
            f32[a] = f32[a] / f32[b];
            break;
          }
          case 150: { // f32.min
            const b = --sp << 1, a = b - 2;
            const x = f32[a]!, y = f32[b]!;
            // Why: optimized Math.min may yield a non-canonical NaN (all ones); wasm wants a canonical one.
            f32[a] = x !== x || y !== y ? NaN : Math.min(x, y);
            break;
          }
          case 151: { // f32.max
            const b = --sp << 1, a = b - 2;
            const x = f32[a]!, y = f32[b]!;
            // Why: optimized Math.max may yield a non-canonical NaN (all ones); wasm wants a canonical one.
            f32[a] = x !== x || y !== y ? NaN : Math.max(x, y);
            break;
          }
          case 152: { // f32.copysign
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a] & 0x7fffffff) | (i32[b] & -2147483648);
            break;
          }
          case 153: { // f64.abs
            const a = ((sp - 1) << 1) + 1;
            i32[a] &= 0x7fffffff;
            break;
          }
          case 154: { // f64.neg
            const a = ((sp - 1) << 1) + 1;
            i32[a] ^= -2147483648;
            break;
          }
          case 155: { // f64.ceil
            const a = sp - 1;
            const x = f64[a];
            f64[a] = x !== x ? NaN : Math.ceil(x);
            break;
          }
          case 156: { // f64.floor
            const a = sp - 1;
            const x = f64[a];
            f64[a] = x !== x ? NaN : Math.floor(x);
            break;
          }
          case 157: { // f64.trunc
            const a = sp - 1;
            const x = f64[a];
            f64[a] = x !== x ? NaN : Math.trunc(x);
            break;
          }
          case 158: { // f64.nearest
            const a = sp - 1;
            const x = f64[a];
            f64[a] = x !== x ? NaN : nearest(x);
            break;
          }
          case 159: { // f64.sqrt
            const a = sp - 1;
            f64[a] = Math.sqrt(f64[a]);
            break;
          }
          case 160: { // f64.add
            const b = --sp, a = b - 1;
            f64[a] = f64[a] + f64[b];
            break;
          }
          case 161: { // f64.sub
            const b = --sp, a = b - 1;
            f64[a] = f64[a] - f64[b];
            break;
          }
          case 162: { // f64.mul
            const b = --sp, a = b - 1;
            f64[a] = f64[a] * f64[b];
            break;
          }
          case 163: { // f64.div
            const b = --sp, a = b - 1;
            f64[a] = f64[a] / f64[b];
            break;
          }
          case 164: { // f64.min
            const b = --sp, a = b - 1;
            const x = f64[a]!, y = f64[b]!;
            // Why: optimized Math.min may yield a non-canonical NaN (all ones); wasm wants a canonical one.
            f64[a] = x !== x || y !== y ? NaN : Math.min(x, y);
            break;
          }
          case 165: { // f64.max
            const b = --sp, a = b - 1;
            const x = f64[a]!, y = f64[b]!;
            // Why: optimized Math.max may yield a non-canonical NaN (all ones); wasm wants a canonical one.
            f64[a] = x !== x || y !== y ? NaN : Math.max(x, y);
            break;
          }
          case 166: { // f64.copysign
            const b = (--sp << 1) + 1, a = b - 2;
            i32[a] = (i32[a] & 0x7fffffff) | (i32[b] & -2147483648);
            break;
          }
          case 167: { // i32.wrap_i64
            // The low word already is the result.
            break;
          }
          case 168: { // i32.trunc_f32_s
            const a = (sp - 1) << 1;
            i32[a] = truncI32S(f32[a]);
            break;
          }
          case 169: { // i32.trunc_f32_u
            const a = (sp - 1) << 1;
            i32[a] = truncI32U(f32[a]);
            break;
          }
          case 170: { // i32.trunc_f64_s
            const a = sp - 1;
            i32[a << 1] = truncI32S(f64[a]);
            break;
          }
          case 171: { // i32.trunc_f64_u
            const a = sp - 1;
            i32[a << 1] = truncI32U(f64[a]);
            break;
          }
          case 172: { // i64.extend_i32_s
            const a = (sp - 1) << 1;
            i32[a + 1] = i32[a] >> 31;
            break;
          }
          case 173: { // i64.extend_i32_u
            i32[((sp - 1) << 1) + 1] = 0;
            break;
          }
          case 174: { // i64.trunc_f32_s
            const a = sp - 1;
            i64[a] = truncI64S(f32[a << 1]);
            break;
          }
          case 175: { // i64.trunc_f32_u
            const a = sp - 1;
            i64[a] = truncI64U(f32[a << 1]);
            break;
          }
          case 176: { // i64.trunc_f64_s
            const a = sp - 1;
            i64[a] = truncI64S(f64[a]);
            break;
          }
          case 177: { // i64.trunc_f64_u
            const a = sp - 1;
            i64[a] = truncI64U(f64[a]);
            break;
          }
          case 178: { // f32.convert_i32_s
            const a = (sp - 1) << 1;
            f32[a] = i32[a];
            break;
          }
          case 179: { // f32.convert_i32_u
            const a = (sp - 1) << 1;
            f32[a] = i32[a] >>> 0;
            break;
          }
          case 180: { // f32.convert_i64_s
            const a = sp - 1;
            f32[a << 1] = f32ConvertI64S(i64[a]);
            break;
          }
          case 181: { // f32.convert_i64_u
            const a = sp - 1;
            f32[a << 1] = f32ConvertI64U(i64[a]);
            break;
          }
          case 182: { // f32.demote_f64
            const a = sp - 1;
            f32[a << 1] = f64[a];
            break;
          }
          case 183: { // f64.convert_i32_s
            const a = sp - 1;
            f64[a] = i32[a << 1];
            break;
          }
          case 184: { // f64.convert_i32_u
            const a = sp - 1;
            f64[a] = i32[a << 1] >>> 0;
            break;
          }
          case 185: { // f64.convert_i64_s
            const a = sp - 1;
            f64[a] = Number(i64[a]);
            break;
          }
          case 186: { // f64.convert_i64_u
            const a = sp - 1;
            f64[a] = f64ConvertI64U(i64[a]);
            break;
          }
          case 187: { // f64.promote_f32
            const a = sp - 1;
            f64[a] = f32[a << 1];
            break;
          }
          case 188: { // i32.reinterpret_f32
            // Raw bits already.
            break;
          }
          case 189: { // i64.reinterpret_f64
            // Raw bits already.
            break;
          }
          case 190: { // f32.reinterpret_i32
            // Raw bits already.
            break;
          }
          case 191: { // f64.reinterpret_i64
            // Raw bits already.
            break;
          }
          case 192: { // i32.extend8_s
            const a = (sp - 1) << 1;
            i32[a] = (i32[a] << 24) >> 24;
            break;
          }
          case 193: { // i32.extend16_s
            const a = (sp - 1) << 1;
            i32[a] = (i32[a] << 16) >> 16;
            break;
          }
          case 194: { // i64.extend8_s
            const a = (sp - 1) << 1;
            i32[a] = (i32[a] << 24) >> 24;
            i32[a + 1] = i32[a] >> 31;
            break;
          }
          case 195: { // i64.extend16_s
            const a = (sp - 1) << 1;
            i32[a] = (i32[a] << 16) >> 16;
            i32[a + 1] = i32[a] >> 31;
            break;
          }
          case 196: { // i64.extend32_s
            const a = (sp - 1) << 1;
            i32[a + 1] = i32[a] >> 31;
            break;
          }
          case 224: { // i32.trunc_sat_f32_s
            const a = sp - 1;
            i32[a << 1] = truncSatI32S(f32[a << 1]);
            break;
          }
          case 225: { // i32.trunc_sat_f32_u
            const a = sp - 1;
            i32[a << 1] = truncSatI32U(f32[a << 1]);
            break;
          }
          case 226: { // i32.trunc_sat_f64_s
            const a = sp - 1;
            i32[a << 1] = truncSatI32S(f64[a]);
            break;
          }
          case 227: { // i32.trunc_sat_f64_u
            const a = sp - 1;
            i32[a << 1] = truncSatI32U(f64[a]);
            break;
          }
          case 228: { // i64.trunc_sat_f32_s
            const a = sp - 1;
            i64[a] = truncSatI64S(f32[a << 1]);
            break;
          }
          case 229: { // i64.trunc_sat_f32_u
            const a = sp - 1;
            i64[a] = truncSatI64U(f32[a << 1]);
            break;
          }
          case 230: { // i64.trunc_sat_f64_s
            const a = sp - 1;
            i64[a] = truncSatI64S(f64[a]);
            break;
          }
          case 231: { // i64.trunc_sat_f64_u
            const a = sp - 1;
            i64[a] = truncSatI64U(f64[a]);
            break;
          }
          case 208: // ref.null
            i32[sp++ << 1] = 0;
            break;
          case 209: { // ref.is_null
            const a = (sp - 1) << 1;
            i32[a] = i32[a] === 0 ? 1 : 0;
            break;
          }
          case 210: // ref.func
            i32[sp++ << 1] = store.funcHandle(funcs[code[pc++]!]!);
            break;
          case 232: // memory.init
            sp -= 3;
            fuel -= this.memoryInit(inst, code[pc++]!, sp);
            break;
          case 233: // data.drop
            inst.datas[code[pc++]!] = EMPTY_BYTES;
            break;
          case 234: // memory.copy
            sp -= 3;
            fuel -= this.memoryCopy(memory!, sp);
            break;
          case 235: // memory.fill
            sp -= 3;
            fuel -= this.memoryFill(memory!, sp);
            break;
          case 236: // table.init
            sp -= 3;
            fuel -= this.tableInit(inst, code[pc++]!, code[pc++]!, sp);
            break;
          case 237: // elem.drop
            inst.elems[code[pc++]!] = [];
            break;
          case 238: // table.copy
            sp -= 3;
            fuel -= this.tableCopy(inst, code[pc++]!, code[pc++]!, sp);
            break;
          case 239: { // table.grow
            const table = inst.tables[code[pc++]!]!;
            sp--;
            const a = (sp - 1) << 1;
            const delta = i32[sp << 1]! >>> 0;
            i32[a] = table.growBy(delta, this.refValue(table.elemType, i32[a]!));
            if (i32[a]! >= 0) fuel -= delta; // Wasmtime's model: 1 unit per element added
            break;
          }
          case 240: // table.size
            i32[sp++ << 1] = inst.tables[code[pc++]!]!.elements.length;
            break;
          case 241: // table.fill
            sp -= 3;
            fuel -= this.tableFill(inst.tables[code[pc++]!]!, sp);
            break;
          case 256: { // i32.add_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! + i32[(fp + code[pc + 1]!) << 1]!) | 0;
            pc += 2;
            break;
          }
          case 257: { // i32.add_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! + code[pc + 1]!) | 0;
            pc += 2;
            break;
          }
          case 258: { // i32.add_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! + code[pc++]!) | 0;
            break;
          }
          case 259: { // i32.add_ll_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! + i32[(fp + code[pc + 1]!) << 1]!) | 0;
            pc += 3;
            break;
          }
          case 260: { // i32.add_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! + code[pc + 1]!) | 0;
            pc += 3;
            break;
          }
          case 261: { // i32.sub_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! - i32[(fp + code[pc + 1]!) << 1]!) | 0;
            pc += 2;
            break;
          }
          case 262: { // i32.sub_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! - code[pc + 1]!) | 0;
            pc += 2;
            break;
          }
          case 263: { // i32.sub_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! - code[pc++]!) | 0;
            break;
          }
          case 264: { // i32.sub_ll_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! - i32[(fp + code[pc + 1]!) << 1]!) | 0;
            pc += 3;
            break;
          }
          case 265: { // i32.sub_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! - code[pc + 1]!) | 0;
            pc += 3;
            break;
          }
          case 266: { // i32.mul_ll
            i32[sp++ << 1] = Math.imul(i32[(fp + code[pc]!) << 1]!, i32[(fp + code[pc + 1]!) << 1]!);
            pc += 2;
            break;
          }
          case 267: { // i32.mul_lc
            i32[sp++ << 1] = Math.imul(i32[(fp + code[pc]!) << 1]!, code[pc + 1]!);
            pc += 2;
            break;
          }
          case 268: { // i32.mul_c
            const a = (sp - 1) << 1;
            i32[a] = Math.imul(i32[a]!, code[pc++]!);
            break;
          }
          case 269: { // i32.mul_ll_set
            i32[(fp + code[pc + 2]!) << 1] = Math.imul(i32[(fp + code[pc]!) << 1]!, i32[(fp + code[pc + 1]!) << 1]!);
            pc += 3;
            break;
          }
          case 270: { // i32.mul_lc_set
            i32[(fp + code[pc + 2]!) << 1] = Math.imul(i32[(fp + code[pc]!) << 1]!, code[pc + 1]!);
            pc += 3;
            break;
          }
          case 271: { // i32.and_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! & i32[(fp + code[pc + 1]!) << 1]!;
            pc += 2;
            break;
          }
          case 272: { // i32.and_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! & code[pc + 1]!;
            pc += 2;
            break;
          }
          case 273: { // i32.and_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! & code[pc++]!;
            break;
          }
          case 274: { // i32.and_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! & i32[(fp + code[pc + 1]!) << 1]!;
            pc += 3;
            break;
          }
          case 275: { // i32.and_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! & code[pc + 1]!;
            pc += 3;
            break;
          }
          case 276: { // i32.or_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! | i32[(fp + code[pc + 1]!) << 1]!;
            pc += 2;
            break;
          }
          case 277: { // i32.or_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! | code[pc + 1]!;
            pc += 2;
            break;
          }
          case 278: { // i32.or_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! | code[pc++]!;
            break;
          }
          case 279: { // i32.or_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! | i32[(fp + code[pc + 1]!) << 1]!;
            pc += 3;
            break;
          }
          case 280: { // i32.or_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! | code[pc + 1]!;
            pc += 3;
            break;
          }
          case 281: { // i32.xor_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! ^ i32[(fp + code[pc + 1]!) << 1]!;
            pc += 2;
            break;
          }
          case 282: { // i32.xor_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! ^ code[pc + 1]!;
            pc += 2;
            break;
          }
          case 283: { // i32.xor_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! ^ code[pc++]!;
            break;
          }
          case 284: { // i32.xor_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! ^ i32[(fp + code[pc + 1]!) << 1]!;
            pc += 3;
            break;
          }
          case 285: { // i32.xor_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! ^ code[pc + 1]!;
            pc += 3;
            break;
          }
          case 286: { // i32.shl_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! << i32[(fp + code[pc + 1]!) << 1]!;
            pc += 2;
            break;
          }
          case 287: { // i32.shl_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! << code[pc + 1]!;
            pc += 2;
            break;
          }
          case 288: { // i32.shl_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! << code[pc++]!;
            break;
          }
          case 289: { // i32.shl_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! << i32[(fp + code[pc + 1]!) << 1]!;
            pc += 3;
            break;
          }
          case 290: { // i32.shl_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! << code[pc + 1]!;
            pc += 3;
            break;
          }
          case 291: { // i32.shr_s_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! >> i32[(fp + code[pc + 1]!) << 1]!;
            pc += 2;
            break;
          }
          case 292: { // i32.shr_s_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! >> code[pc + 1]!;
            pc += 2;
            break;
          }
          case 293: { // i32.shr_s_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! >> code[pc++]!;
            break;
          }
          case 294: { // i32.shr_s_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! >> i32[(fp + code[pc + 1]!) << 1]!;
            pc += 3;
            break;
          }
          case 295: { // i32.shr_s_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! >> code[pc + 1]!;
            pc += 3;
            break;
          }
          case 296: { // i32.shr_u_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> i32[(fp + code[pc + 1]!) << 1]!) | 0;
            pc += 2;
            break;
          }
          case 297: { // i32.shr_u_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> code[pc + 1]!) | 0;
            pc += 2;
            break;
          }
          case 298: { // i32.shr_u_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> code[pc++]!) | 0;
            break;
          }
          case 299: { // i32.shr_u_ll_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! >>> i32[(fp + code[pc + 1]!) << 1]!) | 0;
            pc += 3;
            break;
          }
          case 300: { // i32.shr_u_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! >>> code[pc + 1]!) | 0;
            pc += 3;
            break;
          }
          case 301: { // i32.eq_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! === i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 302: { // i32.eq_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! === code[pc + 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 303: { // i32.eq_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! === code[pc++]! ? 1 : 0;
            break;
          }
          case 304: { // i32.eq_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! === i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 305: { // i32.eq_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! === code[pc + 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 306: { // i32.ne_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! !== i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 307: { // i32.ne_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! !== code[pc + 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 308: { // i32.ne_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! !== code[pc++]! ? 1 : 0;
            break;
          }
          case 309: { // i32.ne_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! !== i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 310: { // i32.ne_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! !== code[pc + 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 311: { // i32.lt_s_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! < i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 312: { // i32.lt_s_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! < code[pc + 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 313: { // i32.lt_s_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! < code[pc++]! ? 1 : 0;
            break;
          }
          case 314: { // i32.lt_s_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! < i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 315: { // i32.lt_s_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! < code[pc + 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 316: { // i32.lt_u_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) < (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 317: { // i32.lt_u_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) < (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 318: { // i32.lt_u_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) < (code[pc++]! >>> 0) ? 1 : 0;
            break;
          }
          case 319: { // i32.lt_u_ll_set
            i32[(fp + code[pc + 2]!) << 1] =
              (i32[(fp + code[pc]!) << 1]! >>> 0) < (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 320: { // i32.lt_u_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) < (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 321: { // i32.gt_s_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! > i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 322: { // i32.gt_s_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! > code[pc + 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 323: { // i32.gt_s_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! > code[pc++]! ? 1 : 0;
            break;
          }
          case 324: { // i32.gt_s_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! > i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 325: { // i32.gt_s_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! > code[pc + 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 326: { // i32.gt_u_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) > (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 327: { // i32.gt_u_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) > (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 328: { // i32.gt_u_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) > (code[pc++]! >>> 0) ? 1 : 0;
            break;
          }
          case 329: { // i32.gt_u_ll_set
            i32[(fp + code[pc + 2]!) << 1] =
              (i32[(fp + code[pc]!) << 1]! >>> 0) > (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 330: { // i32.gt_u_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) > (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 331: { // i32.le_s_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! <= i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 332: { // i32.le_s_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! <= code[pc + 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 333: { // i32.le_s_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! <= code[pc++]! ? 1 : 0;
            break;
          }
          case 334: { // i32.le_s_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! <= i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 335: { // i32.le_s_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! <= code[pc + 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 336: { // i32.le_u_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) <= (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 337: { // i32.le_u_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) <= (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 338: { // i32.le_u_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) <= (code[pc++]! >>> 0) ? 1 : 0;
            break;
          }
          case 339: { // i32.le_u_ll_set
            i32[(fp + code[pc + 2]!) << 1] =
              (i32[(fp + code[pc]!) << 1]! >>> 0) <= (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 340: { // i32.le_u_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) <= (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 341: { // i32.ge_s_ll
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! >= i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 342: { // i32.ge_s_lc
            i32[sp++ << 1] = i32[(fp + code[pc]!) << 1]! >= code[pc + 1]! ? 1 : 0;
            pc += 2;
            break;
          }
          case 343: { // i32.ge_s_c
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! >= code[pc++]! ? 1 : 0;
            break;
          }
          case 344: { // i32.ge_s_ll_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! >= i32[(fp + code[pc + 1]!) << 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 345: { // i32.ge_s_lc_set
            i32[(fp + code[pc + 2]!) << 1] = i32[(fp + code[pc]!) << 1]! >= code[pc + 1]! ? 1 : 0;
            pc += 3;
            break;
          }
          case 346: { // i32.ge_u_ll
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) >= (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 347: { // i32.ge_u_lc
            i32[sp++ << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) >= (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 2;
            break;
          }
          case 348: { // i32.ge_u_c
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) >= (code[pc++]! >>> 0) ? 1 : 0;
            break;
          }
          case 349: { // i32.ge_u_ll_set
            i32[(fp + code[pc + 2]!) << 1] =
              (i32[(fp + code[pc]!) << 1]! >>> 0) >= (i32[(fp + code[pc + 1]!) << 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 350: { // i32.ge_u_lc_set
            i32[(fp + code[pc + 2]!) << 1] = (i32[(fp + code[pc]!) << 1]! >>> 0) >= (code[pc + 1]! >>> 0) ? 1 : 0;
            pc += 3;
            break;
          }
          case 352: { // br_if_i32.eqz
            if (i32[--sp << 1] === 0) pc = code[pc]!;
            else pc++;
            break;
          }
          case 353: { // br_if_i32.eq
            sp -= 2;
            const a = sp << 1;
            if (i32[a]! === i32[a + 2]!) pc = code[pc]!;
            else pc++;
            break;
          }
          case 354: { // br_if_i32.ne
            sp -= 2;
            const a = sp << 1;
            if (i32[a]! !== i32[a + 2]!) pc = code[pc]!;
            else pc++;
            break;
          }
          case 355: { // br_if_i32.lt_s
            sp -= 2;
            const a = sp << 1;
            if (i32[a]! < i32[a + 2]!) pc = code[pc]!;
            else pc++;
            break;
          }
          case 356: { // br_if_i32.lt_u
            sp -= 2;
            const a = sp << 1;
            if ((i32[a]! >>> 0) < (i32[a + 2]! >>> 0)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 357: { // br_if_i32.gt_s
            sp -= 2;
            const a = sp << 1;
            if (i32[a]! > i32[a + 2]!) pc = code[pc]!;
            else pc++;
            break;
          }
          case 358: { // br_if_i32.gt_u
            sp -= 2;
            const a = sp << 1;
            if ((i32[a]! >>> 0) > (i32[a + 2]! >>> 0)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 359: { // br_if_i32.le_s
            sp -= 2;
            const a = sp << 1;
            if (i32[a]! <= i32[a + 2]!) pc = code[pc]!;
            else pc++;
            break;
          }
          case 360: { // br_if_i32.le_u
            sp -= 2;
            const a = sp << 1;
            if ((i32[a]! >>> 0) <= (i32[a + 2]! >>> 0)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 361: { // br_if_i32.ge_s
            sp -= 2;
            const a = sp << 1;
            if (i32[a]! >= i32[a + 2]!) pc = code[pc]!;
            else pc++;
            break;
          }
          case 362: { // br_if_i32.ge_u
            sp -= 2;
            const a = sp << 1;
            if ((i32[a]! >>> 0) >= (i32[a + 2]! >>> 0)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 9: { // local_copy
            const s = (fp + code[pc]!) << 1, d = (fp + code[pc + 1]!) << 1;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            pc += 2;
            break;
          }
          case 400: { // i32.load_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt32(a, true);
            break;
          }
          case 401: { // i64.load_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = dv.getInt32(a + 4, true);
            break;
          }
          case 402: { // f32.load_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt32(a, true);
            break;
          }
          case 403: { // f64.load_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = dv.getInt32(a + 4, true);
            break;
          }
          case 404: { // i32.load8_s_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt8(a);
            break;
          }
          case 405: { // i32.load8_u_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getUint8(a);
            break;
          }
          case 406: { // i32.load16_s_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt16(a, true);
            break;
          }
          case 407: { // i32.load16_u_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getUint16(a, true);
            break;
          }
          case 408: { // i64.load8_s_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt8(a);
            i32[s + 1] = i32[s]! >> 31;
            break;
          }
          case 409: { // i64.load8_u_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getUint8(a);
            i32[s + 1] = 0;
            break;
          }
          case 410: { // i64.load16_s_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt16(a, true);
            i32[s + 1] = i32[s]! >> 31;
            break;
          }
          case 411: { // i64.load16_u_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getUint16(a, true);
            i32[s + 1] = 0;
            break;
          }
          case 412: { // i64.load32_s_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = i32[s]! >> 31;
            break;
          }
          case 413: { // i64.load32_u_l
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            pc += 2;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            const s = sp++ << 1;
            i32[s] = dv.getInt32(a, true);
            i32[s + 1] = 0;
            break;
          }
          case 416: { // i32.store_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[v]!, true);
            break;
          }
          case 417: { // i64.store_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[v]!, true);
            dv.setInt32(a + 4, i32[v + 1]!, true);
            break;
          }
          case 418: { // f32.store_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[v]!, true);
            break;
          }
          case 419: { // f64.store_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 8 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[v]!, true);
            dv.setInt32(a + 4, i32[v + 1]!, true);
            break;
          }
          case 420: { // i32.store8_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            dv.setInt8(a, i32[v]!);
            break;
          }
          case 421: { // i32.store16_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            dv.setInt16(a, i32[v]!, true);
            break;
          }
          case 422: { // i64.store8_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 1 > memLen) throw trap("out of bounds memory access");
            dv.setInt8(a, i32[v]!);
            break;
          }
          case 423: { // i64.store16_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 2 > memLen) throw trap("out of bounds memory access");
            dv.setInt16(a, i32[v]!, true);
            break;
          }
          case 424: { // i64.store32_ll
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 2]! >>> 0);
            const v = (fp + code[pc + 1]!) << 1;
            pc += 3;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            dv.setInt32(a, i32[v]!, true);
            break;
          }
          case 440: { // br_if_i32.eq_ll
            if (i32[(fp + code[pc]!) << 1]! === i32[(fp + code[pc + 1]!) << 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 441: { // br_unless_i32.eq_ll
            if (!(i32[(fp + code[pc]!) << 1]! === i32[(fp + code[pc + 1]!) << 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 442: { // br_if_i32.eq_lc
            if (i32[(fp + code[pc]!) << 1]! === code[pc + 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 443: { // br_unless_i32.eq_lc
            if (!(i32[(fp + code[pc]!) << 1]! === code[pc + 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 444: { // br_if_i32.ne_ll
            if (i32[(fp + code[pc]!) << 1]! !== i32[(fp + code[pc + 1]!) << 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 445: { // br_unless_i32.ne_ll
            if (!(i32[(fp + code[pc]!) << 1]! !== i32[(fp + code[pc + 1]!) << 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 446: { // br_if_i32.ne_lc
            if (i32[(fp + code[pc]!) << 1]! !== code[pc + 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 447: { // br_unless_i32.ne_lc
            if (!(i32[(fp + code[pc]!) << 1]! !== code[pc + 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 448: { // br_if_i32.lt_s_ll
            if (i32[(fp + code[pc]!) << 1]! < i32[(fp + code[pc + 1]!) << 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 449: { // br_unless_i32.lt_s_ll
            if (!(i32[(fp + code[pc]!) << 1]! < i32[(fp + code[pc + 1]!) << 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 450: { // br_if_i32.lt_s_lc
            if (i32[(fp + code[pc]!) << 1]! < code[pc + 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 451: { // br_unless_i32.lt_s_lc
            if (!(i32[(fp + code[pc]!) << 1]! < code[pc + 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 452: { // br_if_i32.lt_u_ll
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) < (i32[(fp + code[pc + 1]!) << 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 453: { // br_unless_i32.lt_u_ll
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) < (i32[(fp + code[pc + 1]!) << 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 454: { // br_if_i32.lt_u_lc
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) < (code[pc + 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 455: { // br_unless_i32.lt_u_lc
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) < (code[pc + 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 456: { // br_if_i32.gt_s_ll
            if (i32[(fp + code[pc]!) << 1]! > i32[(fp + code[pc + 1]!) << 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 457: { // br_unless_i32.gt_s_ll
            if (!(i32[(fp + code[pc]!) << 1]! > i32[(fp + code[pc + 1]!) << 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 458: { // br_if_i32.gt_s_lc
            if (i32[(fp + code[pc]!) << 1]! > code[pc + 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 459: { // br_unless_i32.gt_s_lc
            if (!(i32[(fp + code[pc]!) << 1]! > code[pc + 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 460: { // br_if_i32.gt_u_ll
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) > (i32[(fp + code[pc + 1]!) << 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 461: { // br_unless_i32.gt_u_ll
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) > (i32[(fp + code[pc + 1]!) << 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 462: { // br_if_i32.gt_u_lc
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) > (code[pc + 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 463: { // br_unless_i32.gt_u_lc
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) > (code[pc + 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 464: { // br_if_i32.le_s_ll
            if (i32[(fp + code[pc]!) << 1]! <= i32[(fp + code[pc + 1]!) << 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 465: { // br_unless_i32.le_s_ll
            if (!(i32[(fp + code[pc]!) << 1]! <= i32[(fp + code[pc + 1]!) << 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 466: { // br_if_i32.le_s_lc
            if (i32[(fp + code[pc]!) << 1]! <= code[pc + 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 467: { // br_unless_i32.le_s_lc
            if (!(i32[(fp + code[pc]!) << 1]! <= code[pc + 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 468: { // br_if_i32.le_u_ll
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) <= (i32[(fp + code[pc + 1]!) << 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 469: { // br_unless_i32.le_u_ll
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) <= (i32[(fp + code[pc + 1]!) << 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 470: { // br_if_i32.le_u_lc
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) <= (code[pc + 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 471: { // br_unless_i32.le_u_lc
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) <= (code[pc + 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 472: { // br_if_i32.ge_s_ll
            if (i32[(fp + code[pc]!) << 1]! >= i32[(fp + code[pc + 1]!) << 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 473: { // br_unless_i32.ge_s_ll
            if (!(i32[(fp + code[pc]!) << 1]! >= i32[(fp + code[pc + 1]!) << 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 474: { // br_if_i32.ge_s_lc
            if (i32[(fp + code[pc]!) << 1]! >= code[pc + 1]!) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 475: { // br_unless_i32.ge_s_lc
            if (!(i32[(fp + code[pc]!) << 1]! >= code[pc + 1]!)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 476: { // br_if_i32.ge_u_ll
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) >= (i32[(fp + code[pc + 1]!) << 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 477: { // br_unless_i32.ge_u_ll
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) >= (i32[(fp + code[pc + 1]!) << 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 478: { // br_if_i32.ge_u_lc
            if ((i32[(fp + code[pc]!) << 1]! >>> 0) >= (code[pc + 1]! >>> 0)) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 479: { // br_unless_i32.ge_u_lc
            if (!((i32[(fp + code[pc]!) << 1]! >>> 0) >= (code[pc + 1]! >>> 0))) pc = code[pc + 2]!;
            else pc += 3;
            break;
          }
          case 480: { // br_unless_i32.eqz
            if (i32[--sp << 1] !== 0) pc = code[pc]!;
            else pc++;
            break;
          }
          case 481: { // br_unless_i32.eq
            sp -= 2;
            const a = sp << 1;
            if (!(i32[a]! === i32[a + 2]!)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 482: { // br_unless_i32.ne
            sp -= 2;
            const a = sp << 1;
            if (!(i32[a]! !== i32[a + 2]!)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 483: { // br_unless_i32.lt_s
            sp -= 2;
            const a = sp << 1;
            if (!(i32[a]! < i32[a + 2]!)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 484: { // br_unless_i32.lt_u
            sp -= 2;
            const a = sp << 1;
            if (!((i32[a]! >>> 0) < (i32[a + 2]! >>> 0))) pc = code[pc]!;
            else pc++;
            break;
          }
          case 485: { // br_unless_i32.gt_s
            sp -= 2;
            const a = sp << 1;
            if (!(i32[a]! > i32[a + 2]!)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 486: { // br_unless_i32.gt_u
            sp -= 2;
            const a = sp << 1;
            if (!((i32[a]! >>> 0) > (i32[a + 2]! >>> 0))) pc = code[pc]!;
            else pc++;
            break;
          }
          case 487: { // br_unless_i32.le_s
            sp -= 2;
            const a = sp << 1;
            if (!(i32[a]! <= i32[a + 2]!)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 488: { // br_unless_i32.le_u
            sp -= 2;
            const a = sp << 1;
            if (!((i32[a]! >>> 0) <= (i32[a + 2]! >>> 0))) pc = code[pc]!;
            else pc++;
            break;
          }
          case 489: { // br_unless_i32.ge_s
            sp -= 2;
            const a = sp << 1;
            if (!(i32[a]! >= i32[a + 2]!)) pc = code[pc]!;
            else pc++;
            break;
          }
          case 490: { // br_unless_i32.ge_u
            sp -= 2;
            const a = sp << 1;
            if (!((i32[a]! >>> 0) >= (i32[a + 2]! >>> 0))) pc = code[pc]!;
            else pc++;
            break;
          }
          case 500: { // tee_get
            const t = (sp - 1) << 1, x = (fp + code[pc]!) << 1, y = (fp + code[pc + 1]!) << 1;
            i32[x] = i32[t]!;
            i32[x + 1] = i32[t + 1]!;
            i32[t + 2] = i32[y]!;
            i32[t + 3] = i32[y + 1]!;
            sp++;
            pc += 2;
            break;
          }
          case 501: { // get2
            const d = sp << 1, a = (fp + code[pc]!) << 1, b = (fp + code[pc + 1]!) << 1;
            i32[d] = i32[a]!;
            i32[d + 1] = i32[a + 1]!;
            i32[d + 2] = i32[b]!;
            i32[d + 3] = i32[b + 1]!;
            sp += 2;
            pc += 2;
            break;
          }
          case 502: { // i32.add_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! + i32[(fp + code[pc++]!) << 1]!) | 0;
            break;
          }
          case 503: { // i32.sub_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! - i32[(fp + code[pc++]!) << 1]!) | 0;
            break;
          }
          case 504: { // i32.mul_sl
            const a = (sp - 1) << 1;
            i32[a] = Math.imul(i32[a]!, i32[(fp + code[pc++]!) << 1]!);
            break;
          }
          case 505: { // i32.and_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! & i32[(fp + code[pc++]!) << 1]!;
            break;
          }
          case 506: { // i32.or_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! | i32[(fp + code[pc++]!) << 1]!;
            break;
          }
          case 507: { // i32.xor_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! ^ i32[(fp + code[pc++]!) << 1]!;
            break;
          }
          case 508: { // i32.shl_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! << i32[(fp + code[pc++]!) << 1]!;
            break;
          }
          case 509: { // i32.shr_s_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! >> i32[(fp + code[pc++]!) << 1]!;
            break;
          }
          case 510: { // i32.shr_u_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> i32[(fp + code[pc++]!) << 1]!) | 0;
            break;
          }
          case 511: { // i32.eq_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! === i32[(fp + code[pc++]!) << 1]! ? 1 : 0;
            break;
          }
          case 512: { // i32.ne_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! !== i32[(fp + code[pc++]!) << 1]! ? 1 : 0;
            break;
          }
          case 513: { // i32.lt_s_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! < i32[(fp + code[pc++]!) << 1]! ? 1 : 0;
            break;
          }
          case 514: { // i32.lt_u_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) < (i32[(fp + code[pc++]!) << 1]! >>> 0) ? 1 : 0;
            break;
          }
          case 515: { // i32.gt_s_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! > i32[(fp + code[pc++]!) << 1]! ? 1 : 0;
            break;
          }
          case 516: { // i32.gt_u_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) > (i32[(fp + code[pc++]!) << 1]! >>> 0) ? 1 : 0;
            break;
          }
          case 517: { // i32.le_s_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! <= i32[(fp + code[pc++]!) << 1]! ? 1 : 0;
            break;
          }
          case 518: { // i32.le_u_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) <= (i32[(fp + code[pc++]!) << 1]! >>> 0) ? 1 : 0;
            break;
          }
          case 519: { // i32.ge_s_sl
            const a = (sp - 1) << 1;
            i32[a] = i32[a]! >= i32[(fp + code[pc++]!) << 1]! ? 1 : 0;
            break;
          }
          case 520: { // i32.ge_u_sl
            const a = (sp - 1) << 1;
            i32[a] = (i32[a]! >>> 0) >= (i32[(fp + code[pc++]!) << 1]! >>> 0) ? 1 : 0;
            break;
          }
          case 521: { // i32.rotl_c
            const a = (sp - 1) << 1, k = code[pc++]! & 31;
            i32[a] = (i32[a]! << k) | (i32[a]! >>> (32 - k));
            break;
          }
          case 522: { // i32.rotr_c
            const a = (sp - 1) << 1, k = code[pc++]! & 31;
            i32[a] = (i32[a]! >>> k) | (i32[a]! << (32 - k));
            break;
          }
          case 523: { // i64.add_c
            const a = (sp - 1) << 1, bl = code[pc]!, bh = code[pc + 1]!;
            pc += 2;
            const lo = (i32[a]! >>> 0) + (bl >>> 0);
            i32[a + 1] = (i32[a + 1]! + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
            i32[a] = lo | 0;
            break;
          }
          case 533: { // i64.add_sl
            const a = (sp - 1) << 1, b = (fp + code[pc++]!) << 1, bl = i32[b]!, bh = i32[b + 1]!;
            const lo = (i32[a]! >>> 0) + (bl >>> 0);
            i32[a + 1] = (i32[a + 1]! + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
            i32[a] = lo | 0;
            break;
          }
          case 524: { // i64.sub_c
            const a = (sp - 1) << 1, bl = code[pc]!, bh = code[pc + 1]!;
            pc += 2;
            const lo = (i32[a]! >>> 0) - (bl >>> 0);
            i32[a + 1] = (i32[a + 1]! - bh - (lo < 0 ? 1 : 0)) | 0;
            i32[a] = lo | 0;
            break;
          }
          case 534: { // i64.sub_sl
            const a = (sp - 1) << 1, b = (fp + code[pc++]!) << 1, bl = i32[b]!, bh = i32[b + 1]!;
            const lo = (i32[a]! >>> 0) - (bl >>> 0);
            i32[a + 1] = (i32[a + 1]! - bh - (lo < 0 ? 1 : 0)) | 0;
            i32[a] = lo | 0;
            break;
          }
          case 525: { // i64.and_c
            const a = (sp - 1) << 1, bl = code[pc]!, bh = code[pc + 1]!;
            pc += 2;
            i32[a] &= bl;
            i32[a + 1] &= bh;
            break;
          }
          case 535: { // i64.and_sl
            const a = (sp - 1) << 1, b = (fp + code[pc++]!) << 1, bl = i32[b]!, bh = i32[b + 1]!;
            i32[a] &= bl;
            i32[a + 1] &= bh;
            break;
          }
          case 526: { // i64.or_c
            const a = (sp - 1) << 1, bl = code[pc]!, bh = code[pc + 1]!;
            pc += 2;
            i32[a] |= bl;
            i32[a + 1] |= bh;
            break;
          }
          case 536: { // i64.or_sl
            const a = (sp - 1) << 1, b = (fp + code[pc++]!) << 1, bl = i32[b]!, bh = i32[b + 1]!;
            i32[a] |= bl;
            i32[a + 1] |= bh;
            break;
          }
          case 527: { // i64.xor_c
            const a = (sp - 1) << 1, bl = code[pc]!, bh = code[pc + 1]!;
            pc += 2;
            i32[a] ^= bl;
            i32[a + 1] ^= bh;
            break;
          }
          case 537: { // i64.xor_sl
            const a = (sp - 1) << 1, b = (fp + code[pc++]!) << 1, bl = i32[b]!, bh = i32[b + 1]!;
            i32[a] ^= bl;
            i32[a + 1] ^= bh;
            break;
          }
          case 528: { // i64.shl_c
            const a = (sp - 1) << 1, bl = code[pc]!;
            pc += 2;
            const k = bl & 63;
            if (k >= 32) {
              i32[a + 1] = i32[a]! << (k - 32);
              i32[a] = 0;
            } else if (k !== 0) {
              i32[a + 1] = (i32[a + 1]! << k) | (i32[a]! >>> (32 - k));
              i32[a] = i32[a]! << k;
            }
            break;
          }
          case 538: { // i64.shl_sl
            const a = (sp - 1) << 1, bl = i32[(fp + code[pc++]!) << 1]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[a + 1] = i32[a]! << (k - 32);
              i32[a] = 0;
            } else if (k !== 0) {
              i32[a + 1] = (i32[a + 1]! << k) | (i32[a]! >>> (32 - k));
              i32[a] = i32[a]! << k;
            }
            break;
          }
          case 529: { // i64.shr_s_c
            const a = (sp - 1) << 1, bl = code[pc]!;
            pc += 2;
            const k = bl & 63;
            if (k >= 32) {
              i32[a] = i32[a + 1]! >> (k - 32);
              i32[a + 1] = i32[a + 1]! >> 31;
            } else if (k !== 0) {
              i32[a] = (i32[a]! >>> k) | (i32[a + 1]! << (32 - k));
              i32[a + 1] = i32[a + 1]! >> k;
            }
            break;
          }
          case 539: { // i64.shr_s_sl
            const a = (sp - 1) << 1, bl = i32[(fp + code[pc++]!) << 1]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[a] = i32[a + 1]! >> (k - 32);
              i32[a + 1] = i32[a + 1]! >> 31;
            } else if (k !== 0) {
              i32[a] = (i32[a]! >>> k) | (i32[a + 1]! << (32 - k));
              i32[a + 1] = i32[a + 1]! >> k;
            }
            break;
          }
          case 530: { // i64.shr_u_c
            const a = (sp - 1) << 1, bl = code[pc]!;
            pc += 2;
            const k = bl & 63;
            if (k >= 32) {
              i32[a] = i32[a + 1]! >>> (k - 32);
              i32[a + 1] = 0;
            } else if (k !== 0) {
              i32[a] = (i32[a]! >>> k) | (i32[a + 1]! << (32 - k));
              i32[a + 1] = i32[a + 1]! >>> k;
            }
            break;
          }
          case 540: { // i64.shr_u_sl
            const a = (sp - 1) << 1, bl = i32[(fp + code[pc++]!) << 1]!;
            const k = bl & 63;
            if (k >= 32) {
              i32[a] = i32[a + 1]! >>> (k - 32);
              i32[a + 1] = 0;
            } else if (k !== 0) {
              i32[a] = (i32[a]! >>> k) | (i32[a + 1]! << (32 - k));
              i32[a + 1] = i32[a + 1]! >>> k;
            }
            break;
          }
          case 531: { // i64.rotl_c
            const a = (sp - 1) << 1, bl = code[pc]!;
            pc += 2;
            let k = bl & 63;
            let lo = i32[a]!, hi = i32[a + 1]!;
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
            i32[a] = lo;
            i32[a + 1] = hi;
            break;
          }
          case 541: { // i64.rotl_sl
            const a = (sp - 1) << 1, bl = i32[(fp + code[pc++]!) << 1]!;
            let k = bl & 63;
            let lo = i32[a]!, hi = i32[a + 1]!;
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
            i32[a] = lo;
            i32[a + 1] = hi;
            break;
          }
          case 532: { // i64.rotr_c
            const a = (sp - 1) << 1, bl = code[pc]!;
            pc += 2;
            let k = (64 - (bl & 63)) & 63;
            let lo = i32[a]!, hi = i32[a + 1]!;
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
            i32[a] = lo;
            i32[a + 1] = hi;
            break;
          }
          case 542: { // i64.rotr_sl
            const a = (sp - 1) << 1, bl = i32[(fp + code[pc++]!) << 1]!;
            let k = (64 - (bl & 63)) & 63;
            let lo = i32[a]!, hi = i32[a + 1]!;
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
            i32[a] = lo;
            i32[a + 1] = hi;
            break;
          }
          case 543: { // i32.load_c
            const a = code[pc++]!;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            i32[sp++ << 1] = dv.getInt32(a, true);
            break;
          }
          case 544: { // i32.load_l_set
            const a = (i32[(fp + code[pc]!) << 1]! >>> 0) + (code[pc + 1]! >>> 0);
            const d = (fp + code[pc + 2]!) << 1;
            pc += 3;
            if (a + 4 > memLen) throw trap("out of bounds memory access");
            i32[d] = dv.getInt32(a, true);
            break;
          }
          case 545: { // i32.xor_rotl_c
            const b = --sp << 1, a = b - 2, k = code[pc++]!;
            const v = i32[a]! ^ i32[b]!;
            i32[a] = (v << k) | (v >>> (32 - k));
            break;
          }
          case 546: { // i32.shl_c_xor
            const b = --sp << 1, a = b - 2;
            i32[a] = i32[a]! ^ (i32[b]! << code[pc++]!);
            break;
          }
          case 547: { // i32.shl_c_add
            const b = --sp << 1, a = b - 2;
            i32[a] = (i32[a]! + (i32[b]! << code[pc++]!)) | 0;
            break;
          }
          default:
            throw new Error(`machine: unknown internal op ${op}`);
        }
      }
    } catch (e) {
      if (!inHost) store.fuel = fuel;
      if (e instanceof RuntimeError && e.backtrace.length === 0) e.backtrace = this.backtrace(func, pc, depth);
      else if (e instanceof RangeError && /call stack/i.test(e.message)) {
        const t = trap("call stack exhausted");
        t.backtrace = this.backtrace(func, pc, depth);
        this.reset();
        throw t;
      }
      this.reset();
      throw e;
    }
  }

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
  }

  /** The internal table value of a reference handle. */
  refValue(elemType: number, h: number): unknown {
    if (h === 0) return null;
    return elemType === ValType.funcref ? this.store.funcs[h - 1]! : this.store.externs[h - 1];
  }

  /** `memory.init` with d, s, n at slots sp..sp+2; returns the fuel to charge. */
  private memoryInit(inst: InstanceState, dataIndex: number, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const data = inst.datas[dataIndex]!;
    const memory = inst.memories[0]!;
    if (s + n > data.length || d + n > memory.bytes.length) throw trap("out of bounds memory access");
    memory.bytes.set(data.subarray(s, s + n), d);
    return n;
  }

  private memoryCopy(memory: Memory, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const len = memory.bytes.length;
    if (s + n > len || d + n > len) throw trap("out of bounds memory access");
    memory.bytes.copyWithin(d, s, s + n);
    return n;
  }

  private memoryFill(memory: Memory, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, v = i32[(sp + 1) << 1]! & 0xff, n = i32[(sp + 2) << 1]! >>> 0;
    if (d + n > memory.bytes.length) throw trap("out of bounds memory access");
    memory.bytes.fill(v, d, d + n);
    return n;
  }

  private tableInit(inst: InstanceState, elemIndex: number, tableIndex: number, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const elem = inst.elems[elemIndex]!;
    const table = inst.tables[tableIndex]!;
    if (s + n > elem.length || d + n > table.elements.length) throw trap("out of bounds table access");
    for (let i = 0; i < n; i++) table.elements[d + i] = elem[s + i];
    return n;
  }

  private tableCopy(inst: InstanceState, dstIndex: number, srcIndex: number, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, s = i32[(sp + 1) << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    const dst = inst.tables[dstIndex]!.elements, src = inst.tables[srcIndex]!.elements;
    if (s + n > src.length || d + n > dst.length) throw trap("out of bounds table access");
    if (dst === src && d > s) { for (let i = n - 1; i >= 0; i--) dst[d + i] = src[s + i]; }
    else for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
    return n;
  }

  private tableFill(table: { elements: unknown[]; elemType: number }, sp: number): number {
    const i32 = this.i32;
    const d = i32[sp << 1]! >>> 0, n = i32[(sp + 2) << 1]! >>> 0;
    if (d + n > table.elements.length) throw trap("out of bounds table access");
    const v = this.refValue(table.elemType, i32[(sp + 1) << 1]!);
    for (let i = 0; i < n; i++) table.elements[d + i] = v;
    return n;
  }
}

const EMPTY_BYTES = new Uint8Array(0);

function frameOf(f: FuncInst, pc: number): WasmFrame {
  const inst = f.instance!;
  const c = f.compiled;
  const offset = c && pc > 0 && pc - 1 < c.offsets.length ? c.offsets[pc - 1]! : -1;
  const frame: { funcIndex: number; funcName?: string; moduleName?: string; offset: number } = {
    funcIndex: f.index,
    offset,
  };
  const name = inst.module.names.functions.get(f.index);
  if (name !== undefined) frame.funcName = name;
  if (inst.moduleName !== undefined) frame.moduleName = inst.moduleName;
  return frame;
}
