/**
 * The interpreter's SIMD unit: runs SIMD records of a function's code (`compile/isa.ts`'s `SIMD_BASE`) on the
 * machine's value stack, reading their immediates and calling the lane semantics of `exec/simd/`. Why a unit of its
 * own: SIMD ops reach it through `run()`'s default case, so the hot switch of scalar code does not grow.
 *
 * Speed (measured with `bench/simd_vs_scalar.ts` and per-op loops on Deno and Bun): a call out of `run()` costs more
 * than a SIMD op itself, and so does each call layer (about 8–10 ns apiece), so {@link SimdUnit.run} executes a
 * whole straight-line stretch per call from `run()`, in one flat loop, with `v128.load`/`v128.store`/`v128.const`
 * inline and the hottest lane operations (by the op histogram of autovectorized code, `bench/micro/op_pairs.ts`)
 * called directly; every other instruction goes through `simdOp`, `simdLoad` or `simdStore`, the one place that
 * maps sub-opcodes to lane semantics.
 *
 * @module
 */
import { I32_IMM_BASE, I32_IMM_OPS, SIMD_BASE, simdImms } from "../compile/isa.ts";
import type { InstanceState } from "../runtime/func.ts";
import { trap, TrapCode } from "../trap_codes.ts";
import { v128And, v128Or, v128Xor } from "./simd/bitwise.ts";
import { simdLoad, simdOp, simdShuffle, simdStore, V128Views } from "./simd/exec.ts";
import { f32x4Add, f32x4Mul, f32x4Sub, f64x2Add, f64x2Mul } from "./simd/float_lanes.ts";
import { i16x8Add, i32x4Add, i32x4Mul, i32x4Sub, i8x16Add } from "./simd/integer.ts";
import { i64x2Add } from "./simd/i64x2.ts";
import { i32x4ExtractLane, i32x4ReplaceLane, i32x4Splat } from "./simd/lanes.ts";

const I32_ADD_I = I32_IMM_BASE + I32_IMM_OPS.indexOf("add");
const I32_SHL_I = I32_IMM_BASE + I32_IMM_OPS.indexOf("shl");

/** Immediate count of each SIMD op by sub-opcode. */
const IMMS: Uint8Array = (() => {
  const imms = new Uint8Array(0x200);
  for (let sub = 0; sub < imms.length; sub++) imms[sub] = simdImms(sub);
  return imms;
})();

/** Runs SIMD records on one machine's value stack. */
export class SimdUnit {
  views: V128Views;
  /**
   * After {@link SimdUnit.run} threw (a trap of a SIMD memory access): the code position inside the record that
   * threw, for the machine's backtrace; else -1.
   */
  trapPc = -1;
  /** The 16 lane indices of the shuffle being executed. */
  private readonly lanes = new Uint8Array(16);
  private readonly laneWords = new Int32Array(this.lanes.buffer);

  constructor(buffer: ArrayBuffer) {
    this.views = new V128Views(buffer);
  }

  /** Follows the machine to a new value stack buffer (after it grew). */
  attach(buffer: ArrayBuffer): void {
    this.views = new V128Views(buffer);
  }

  /**
   * Runs the straight-line stretch of code from position `pc` (a SIMD op) in the frame at word `fp`: SIMD records,
   * and the scalar moves and address arithmetic between them (`copy`, `i32.const`, `i32.add`, `i32.add_i`,
   * `i32.shl_i`), up to the first other op, whose position it returns. None of these charges fuel, branches or
   * calls, so fuel and control stay with `run()`; the scalar ones do exactly what `run()` does. A trap (an
   * out-of-bounds SIMD memory access) leaves its position in {@link SimdUnit.trapPc}.
   */
  run(code: Int32Array, pc: number, fp: number, inst: InstanceState): number {
    const v = this.views, i32 = v.i32;
    try {
      for (;;) {
        const op = code[pc]!;
        switch (op) {
          case 6: { // copy d s
            const d = fp + code[pc + 1]!, s = fp + code[pc + 2]!;
            i32[d] = i32[s]!;
            i32[d + 1] = i32[s + 1]!;
            pc += 3;
            continue;
          }
          case 65: // i32.const d value
            i32[fp + code[pc + 1]!] = code[pc + 2]!;
            pc += 3;
            continue;
          case 106: // i32.add d a b
            i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0;
            pc += 4;
            continue;
          case I32_ADD_I: // i32.add_i d a c
            i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0;
            pc += 4;
            continue;
          case I32_SHL_I: // i32.shl_i d a c
            i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! << code[pc + 3]!;
            pc += 4;
            continue;
          case 1024: { // v128.load d a offset memidx (four 32-bit reads of the memory's DataView)
            const dv = inst.memories[code[pc + 4]!]!.view;
            const ea = (i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0);
            if (ea + 16 > dv.byteLength) throw trap(TrapCode.MemoryOutOfBounds);
            const d = fp + code[pc + 1]!;
            i32[d] = dv.getInt32(ea, true);
            i32[d + 1] = dv.getInt32(ea + 4, true);
            i32[d + 2] = dv.getInt32(ea + 8, true);
            i32[d + 3] = dv.getInt32(ea + 12, true);
            pc += 5;
            continue;
          }
          case 1035: { // v128.store a v offset memidx
            const dv = inst.memories[code[pc + 4]!]!.view;
            const ea = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0);
            if (ea + 16 > dv.byteLength) throw trap(TrapCode.MemoryOutOfBounds);
            const s = fp + code[pc + 2]!;
            dv.setInt32(ea, i32[s]!, true);
            dv.setInt32(ea + 4, i32[s + 1]!, true);
            dv.setInt32(ea + 8, i32[s + 2]!, true);
            dv.setInt32(ea + 12, i32[s + 3]!, true);
            pc += 5;
            continue;
          }
          case 1036: { // v128.const d w0 w1 w2 w3
            const d = fp + code[pc + 1]!;
            i32[d] = code[pc + 2]!;
            i32[d + 1] = code[pc + 3]!;
            i32[d + 2] = code[pc + 4]!;
            i32[d + 3] = code[pc + 5]!;
            pc += 6;
            continue;
          }
          case 1037: // i8x16.shuffle d a b l0 l1 l2 l3
            this.laneWords.set(code.subarray(pc + 4, pc + 8));
            simdShuffle(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!, this.lanes);
            pc += 8;
            continue;
          // The hottest lane operations, called directly (records `d a b c lane`).
          case 1041: // i32x4.splat
            i32x4Splat(v, fp + code[pc + 1]!, fp + code[pc + 2]!);
            pc += 6;
            continue;
          case 1051: // i32x4.extract_lane
            i32x4ExtractLane(v, fp + code[pc + 1]!, fp + code[pc + 2]!, code[pc + 5]!);
            pc += 6;
            continue;
          case 1055: // f32x4.extract_lane (the lane's bits, as i32x4's)
            i32x4ExtractLane(v, fp + code[pc + 1]!, fp + code[pc + 2]!, code[pc + 5]!);
            pc += 6;
            continue;
          case 1056: // f32x4.replace_lane (as i32x4's)
            i32x4ReplaceLane(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!, code[pc + 5]!);
            pc += 6;
            continue;
          case 1102: // v128.and
            v128And(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1104: // v128.or
            v128Or(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1105: // v128.xor
            v128Xor(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1134: // i8x16.add
            i8x16Add(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1166: // i16x8.add
            i16x8Add(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1198: // i32x4.add
            i32x4Add(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1201: // i32x4.sub
            i32x4Sub(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1205: // i32x4.mul
            i32x4Mul(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1230: // i64x2.add
            i64x2Add(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1252: // f32x4.add
            f32x4Add(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1253: // f32x4.sub
            f32x4Sub(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1254: // f32x4.mul
            f32x4Mul(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1264: // f64x2.add
            f64x2Add(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          case 1266: // f64x2.mul
            f64x2Mul(v, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!);
            pc += 6;
            continue;
          default: {
            if (op < SIMD_BASE) return pc;
            const sub = op - SIMD_BASE;
            if (sub <= 0x0a || sub >= 0x54 && sub <= 0x5d) this.memory(sub, code, pc + 1, fp, inst);
            else {
              simdOp(
                sub,
                v,
                fp + code[pc + 1]!,
                fp + code[pc + 2]!,
                fp + code[pc + 3]!,
                fp + code[pc + 4]!,
                code[pc + 5]!,
              );
            }
            pc += 1 + IMMS[sub]!;
          }
        }
      }
    } catch (e) {
      this.trapPc = pc + 1;
      throw e;
    }
  }

  /** The SIMD memory accesses other than `v128.load` and `v128.store`, immediates from `code[pc]`. */
  private memory(sub: number, code: Int32Array, pc: number, fp: number, inst: InstanceState): void {
    const v = this.views;
    if (sub >= 0x58 && sub <= 0x5b) { // store*_lane a v offset memidx lane
      const bytes = inst.memories[code[pc + 3]!]!.bytes;
      const ea = (v.i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
      simdStore(sub, v, bytes, ea, fp + code[pc + 1]!, code[pc + 4]!);
    } else if (sub >= 0x54 && sub <= 0x57) { // load*_lane d a v offset memidx lane
      const bytes = inst.memories[code[pc + 4]!]!.bytes;
      const ea = (v.i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0);
      simdLoad(sub, v, bytes, ea, fp + code[pc]!, fp + code[pc + 2]!, code[pc + 5]!);
    } else { // the other loads: d a offset memidx
      const bytes = inst.memories[code[pc + 3]!]!.bytes;
      const ea = (v.i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
      simdLoad(sub, v, bytes, ea, fp + code[pc]!, 0, 0);
    }
  }
}
