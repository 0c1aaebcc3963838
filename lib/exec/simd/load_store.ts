/**
 * The SIMD memory instructions (spec 2.0 §4.4.7 Memory Instructions): v128.load/store, the extending loads (load8x8_s
 * …), the splat loads, load32/64_zero, and load/store*_lane. `mem` is the memory's bytes and `ea` the effective address
 * (address + offset, a JS number that may exceed 2^32). An access of `n` bytes traps with "out of bounds memory access"
 * when `ea + n > mem.length`, before anything is written. Bytes are copied one by one: `mem` comes as a Uint8Array per
 * call and a wider view over it would allocate.
 *
 * @module
 */

import { trap, TrapCode } from "../../trap_codes.ts";
import type { V128Views } from "./views.ts";

function outOfBounds(): never {
  throw trap(TrapCode.MemoryOutOfBounds);
}

/**
 * Executes SIMD load `sub` (0x00–0x0a, 0x54–0x57, 0x5c, 0x5d): the result goes to the v128 at word `d`; for
 * load*_lane, the v128 at word `src` is the vector whose lane `lane` is replaced. Traps with
 * {@link TrapCode.MemoryOutOfBounds} when `ea` + the access width exceeds `mem.length`, writing nothing.
 *
 * @param sub the sub-opcode after the 0xfd prefix
 * @param v views over the value stack
 * @param mem the memory's bytes
 * @param ea the effective address (address + offset, may exceed 2^32)
 * @param d word offset of the result
 * @param src word offset of the vector a load*_lane inserts into (ignored by the other loads)
 * @param lane the lane immediate of load*_lane (0 otherwise)
 * @example v128.load16_splat
 * ```ts
 * import { simdLoad, V128Views } from "./exec.ts";
 * const v = new V128Views(new ArrayBuffer(16));
 * simdLoad(0x08, v, new Uint8Array([0x34, 0x12]), 0, 0, 0, 0);
 * console.log(v.u16[7].toString(16)); // "1234"
 * ```
 */
export function simdLoad(
  sub: number,
  v: V128Views,
  mem: Uint8Array,
  ea: number,
  d: number,
  src: number,
  lane: number,
): void {
  const u8 = v.u8, o = d << 2;
  switch (sub) {
    case 0x00: { // v128.load
      if (ea + 16 > mem.length) outOfBounds();
      for (let i = 0; i < 16; i++) u8[o + i] = mem[ea + i]!;
      return;
    }
    case 0x01: { // v128.load8x8_s
      if (ea + 8 > mem.length) outOfBounds();
      const x = v.i16, h = d << 1;
      for (let i = 0; i < 8; i++) x[h + i] = mem[ea + i]! << 24 >> 24;
      return;
    }
    case 0x02: { // v128.load8x8_u
      if (ea + 8 > mem.length) outOfBounds();
      const x = v.u16, h = d << 1;
      for (let i = 0; i < 8; i++) x[h + i] = mem[ea + i]!;
      return;
    }
    case 0x03: { // v128.load16x4_s
      if (ea + 8 > mem.length) outOfBounds();
      const x = v.i32;
      for (let i = 0; i < 4; i++) x[d + i] = (mem[ea + 2 * i]! | mem[ea + 2 * i + 1]! << 8) << 16 >> 16;
      return;
    }
    case 0x04: { // v128.load16x4_u
      if (ea + 8 > mem.length) outOfBounds();
      const x = v.i32;
      for (let i = 0; i < 4; i++) x[d + i] = mem[ea + 2 * i]! | mem[ea + 2 * i + 1]! << 8;
      return;
    }
    case 0x05: // v128.load32x2_s
    case 0x06: { // v128.load32x2_u
      if (ea + 8 > mem.length) outOfBounds();
      const x = v.i32;
      for (let i = 0; i < 2; i++) {
        const k = ea + 4 * i;
        const w = mem[k]! | mem[k + 1]! << 8 | mem[k + 2]! << 16 | mem[k + 3]! << 24;
        x[d + 2 * i] = w;
        x[d + 2 * i + 1] = sub === 0x05 ? w >> 31 : 0;
      }
      return;
    }
    case 0x07: { // v128.load8_splat
      if (ea + 1 > mem.length) outOfBounds();
      const b = mem[ea]!;
      for (let i = 0; i < 16; i++) u8[o + i] = b;
      return;
    }
    case 0x08: { // v128.load16_splat
      if (ea + 2 > mem.length) outOfBounds();
      const b0 = mem[ea]!, b1 = mem[ea + 1]!;
      for (let i = 0; i < 16; i += 2) {
        u8[o + i] = b0;
        u8[o + i + 1] = b1;
      }
      return;
    }
    case 0x09: { // v128.load32_splat
      if (ea + 4 > mem.length) outOfBounds();
      const w = mem[ea]! | mem[ea + 1]! << 8 | mem[ea + 2]! << 16 | mem[ea + 3]! << 24, x = v.i32;
      x[d] = w;
      x[d + 1] = w;
      x[d + 2] = w;
      x[d + 3] = w;
      return;
    }
    case 0x0a: { // v128.load64_splat
      if (ea + 8 > mem.length) outOfBounds();
      for (let i = 0; i < 8; i++) u8[o + i] = u8[o + 8 + i] = mem[ea + i]!;
      return;
    }
    case 0x54: // v128.load8_lane
    case 0x55: // v128.load16_lane
    case 0x56: // v128.load32_lane
    case 0x57: { // v128.load64_lane
      const n = 1 << (sub - 0x54);
      if (ea + n > mem.length) outOfBounds();
      const x = v.i32;
      x[d] = x[src]!;
      x[d + 1] = x[src + 1]!;
      x[d + 2] = x[src + 2]!;
      x[d + 3] = x[src + 3]!;
      const at = o + lane * n;
      for (let i = 0; i < n; i++) u8[at + i] = mem[ea + i]!;
      return;
    }
    case 0x5c: { // v128.load32_zero
      if (ea + 4 > mem.length) outOfBounds();
      const x = v.i32;
      x[d] = mem[ea]! | mem[ea + 1]! << 8 | mem[ea + 2]! << 16 | mem[ea + 3]! << 24;
      x[d + 1] = 0;
      x[d + 2] = 0;
      x[d + 3] = 0;
      return;
    }
    case 0x5d: { // v128.load64_zero
      if (ea + 8 > mem.length) outOfBounds();
      for (let i = 0; i < 8; i++) u8[o + i] = mem[ea + i]!;
      v.i32[d + 2] = 0;
      v.i32[d + 3] = 0;
      return;
    }
  }
  throw new Error(`Cannot execute a SIMD load: 0xfd ${sub} is not one`);
}

/**
 * Executes SIMD store `sub` (0x0b, 0x58–0x5b) of the v128 at word `src` (its lane `lane` for store*_lane). Traps
 * as {@link simdLoad} does, writing nothing.
 *
 * @param sub the sub-opcode after the 0xfd prefix
 * @param v views over the value stack
 * @param mem the memory's bytes
 * @param ea the effective address (address + offset, may exceed 2^32)
 * @param src word offset of the stored v128
 * @param lane the lane immediate of store*_lane (0 otherwise)
 * @example v128.store8_lane 3
 * ```ts
 * import { simdStore, V128Views } from "./exec.ts";
 * const v = new V128Views(new ArrayBuffer(16));
 * v.u8.set([10, 11, 12, 13]);
 * const mem = new Uint8Array(4);
 * simdStore(0x58, v, mem, 1, 0, 3);
 * console.log(Array.from(mem)); // [0, 13, 0, 0]
 * ```
 */
export function simdStore(sub: number, v: V128Views, mem: Uint8Array, ea: number, src: number, lane: number): void {
  const u8 = v.u8, o = src << 2;
  switch (sub) {
    case 0x0b: { // v128.store
      if (ea + 16 > mem.length) outOfBounds();
      for (let i = 0; i < 16; i++) mem[ea + i] = u8[o + i]!;
      return;
    }
    case 0x58: // v128.store8_lane
    case 0x59: // v128.store16_lane
    case 0x5a: // v128.store32_lane
    case 0x5b: { // v128.store64_lane
      const n = 1 << (sub - 0x58);
      if (ea + n > mem.length) outOfBounds();
      const at = o + lane * n;
      for (let i = 0; i < n; i++) mem[ea + i] = u8[at + i]!;
      return;
    }
  }
  throw new Error(`Cannot execute a SIMD store: 0xfd ${sub} is not one`);
}
