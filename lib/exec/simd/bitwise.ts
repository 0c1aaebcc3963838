/**
 * The shape-less v128 instructions (spec 2.0 §4.4.3 Vector Instructions: `vvunop`, `vvbinop`, `vvternop`, `vvtestop`):
 * not, and, andnot, or, xor, bitselect, any_true. They work word by word on the i32 view; lanes never cross a word, so
 * the result may alias any operand.
 *
 * @module
 */

import type { V128Views } from "./views.ts";

/** `v128.not`. */
export function v128Not(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = ~x[a]!;
  x[d + 1] = ~x[a + 1]!;
  x[d + 2] = ~x[a + 2]!;
  x[d + 3] = ~x[a + 3]!;
}

/** `v128.and`. */
export function v128And(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  x[d] = x[a]! & x[b]!;
  x[d + 1] = x[a + 1]! & x[b + 1]!;
  x[d + 2] = x[a + 2]! & x[b + 2]!;
  x[d + 3] = x[a + 3]! & x[b + 3]!;
}

/** `v128.andnot`: `a & ~b`. */
export function v128AndNot(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  x[d] = x[a]! & ~x[b]!;
  x[d + 1] = x[a + 1]! & ~x[b + 1]!;
  x[d + 2] = x[a + 2]! & ~x[b + 2]!;
  x[d + 3] = x[a + 3]! & ~x[b + 3]!;
}

/** `v128.or`. */
export function v128Or(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  x[d] = x[a]! | x[b]!;
  x[d + 1] = x[a + 1]! | x[b + 1]!;
  x[d + 2] = x[a + 2]! | x[b + 2]!;
  x[d + 3] = x[a + 3]! | x[b + 3]!;
}

/** `v128.xor`. */
export function v128Xor(v: V128Views, d: number, a: number, b: number): void {
  const x = v.i32;
  x[d] = x[a]! ^ x[b]!;
  x[d + 1] = x[a + 1]! ^ x[b + 1]!;
  x[d + 2] = x[a + 2]! ^ x[b + 2]!;
  x[d + 3] = x[a + 3]! ^ x[b + 3]!;
}

/**
 * `v128.bitselect` (and the deterministic `relaxed_laneselect` of every shape): bits of `a` where the mask `c` has
 * a 1, bits of `b` elsewhere.
 */
export function v128Bitselect(v: V128Views, d: number, a: number, b: number, c: number): void {
  const x = v.i32;
  for (let i = 0; i < 4; i++) {
    const m = x[c + i]!;
    x[d + i] = x[a + i]! & m | x[b + i]! & ~m;
  }
}

/** `v128.any_true`: 1 if any bit of the v128 at `a` is set, as the i32 at word `d`. */
export function v128AnyTrue(v: V128Views, d: number, a: number): void {
  const x = v.i32;
  x[d] = (x[a]! | x[a + 1]! | x[a + 2]! | x[a + 3]!) !== 0 ? 1 : 0;
}
