/**
 * The interpreter's SIMD unit: executes one SIMD record of a function's code (`compile/isa.ts`'s `SIMD_BASE`)
 * by reading its immediates and calling the lane semantics of `exec/simd/` on the machine's value stack. Why a unit
 * of its own: SIMD ops reach it through `run()`'s default case, so the hot switch of scalar code does not grow.
 *
 * @module
 */
import type { InstanceState } from "../runtime/func.ts";
import { trap, TrapCode } from "../trap_codes.ts";
import { simdLoad, simdOp, simdShuffle, simdStore, V128Views } from "./simd/exec.ts";

/** Executes SIMD records on one machine's value stack. */
export class SimdUnit {
  views: V128Views;
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
   * Executes the record of `0xfd` sub-opcode `sub` whose immediates start at `code[pc]`, in the frame at word `fp`.
   * Throws the trap of an out-of-bounds memory access.
   */
  exec(sub: number, code: Int32Array, pc: number, fp: number, inst: InstanceState): void {
    const v = this.views;
    // Why v128.load and v128.store here, through the memory's DataView: they are most of the SIMD ops a program
    // runs, and four 32-bit accesses beat sixteen byte copies.
    if (sub === 0x00) { // v128.load d a offset memidx
      const dv = inst.memories[code[pc + 3]!]!.view, i32 = v.i32;
      const ea = (i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
      if (ea + 16 > dv.byteLength) throw trap(TrapCode.MemoryOutOfBounds);
      const d = fp + code[pc]!;
      i32[d] = dv.getInt32(ea, true);
      i32[d + 1] = dv.getInt32(ea + 4, true);
      i32[d + 2] = dv.getInt32(ea + 8, true);
      i32[d + 3] = dv.getInt32(ea + 12, true);
      return;
    }
    if (sub === 0x0b) { // v128.store a v offset memidx
      const dv = inst.memories[code[pc + 3]!]!.view, i32 = v.i32;
      const ea = (i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
      if (ea + 16 > dv.byteLength) throw trap(TrapCode.MemoryOutOfBounds);
      const s = fp + code[pc + 1]!;
      dv.setInt32(ea, i32[s]!, true);
      dv.setInt32(ea + 4, i32[s + 1]!, true);
      dv.setInt32(ea + 8, i32[s + 2]!, true);
      dv.setInt32(ea + 12, i32[s + 3]!, true);
      return;
    }
    if (sub <= 0x0b || (sub >= 0x54 && sub <= 0x5d)) {
      if (sub === 0x0b || (sub >= 0x58 && sub <= 0x5b)) { // v128.store, store*_lane: a v offset memidx (lane)
        const bytes = inst.memories[code[pc + 3]!]!.bytes;
        const ea = (v.i32[fp + code[pc]!]! >>> 0) + (code[pc + 2]! >>> 0);
        simdStore(sub, v, bytes, ea, fp + code[pc + 1]!, sub === 0x0b ? 0 : code[pc + 4]!);
        return;
      }
      if (sub >= 0x54 && sub <= 0x57) { // load*_lane: d a v offset memidx lane
        const bytes = inst.memories[code[pc + 4]!]!.bytes;
        const ea = (v.i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0);
        simdLoad(sub, v, bytes, ea, fp + code[pc]!, fp + code[pc + 2]!, code[pc + 5]!);
        return;
      }
      // the other loads: d a offset memidx
      const bytes = inst.memories[code[pc + 3]!]!.bytes;
      const ea = (v.i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 2]! >>> 0);
      simdLoad(sub, v, bytes, ea, fp + code[pc]!, 0, 0);
      return;
    }
    if (sub === 0x0c) { // v128.const d w0 w1 w2 w3
      v.i32.set(code.subarray(pc + 1, pc + 5), fp + code[pc]!);
      return;
    }
    if (sub === 0x0d) { // i8x16.shuffle d a b l0 l1 l2 l3
      this.laneWords.set(code.subarray(pc + 3, pc + 7));
      simdShuffle(v, fp + code[pc]!, fp + code[pc + 1]!, fp + code[pc + 2]!, this.lanes);
      return;
    }
    simdOp(sub, v, fp + code[pc]!, fp + code[pc + 1]!, fp + code[pc + 2]!, fp + code[pc + 3]!, code[pc + 4]!);
  }
}
