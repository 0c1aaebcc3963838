/**
 * The layout of a frame's slots during translation: the virtual operand stack (module doc of `translate.ts`) and
 * where each of its entries lives. Every slot decision goes through here: a value's canonical slot, when a deferred
 * entry is materialized, and the moves that put a value into a given slot.
 *
 * Slots are 8 bytes (two int32 words) and slot immediates are word offsets. A value takes one slot, except a
 * 16-byte `v128`, which takes two adjacent ones and so two entries: its low half, then its high half (marked in
 * {@link OperandStack.hi}). Heights, arities and local indices in the translator all count slots; a deferred
 * `local.get` of a v128 local is two LOCAL entries naming its two slots, which are always materialized together.
 *
 * @module
 */
import { ValType } from "../../binary/module.ts";
import type { CodeBuffer } from "./code_buffer.ts";

/** Virtual stack entry kinds. */
export const TEMP = 0, LOCAL = 1, CONST32 = 2, CONST64 = 3;

/** How many slots values of the given types take. */
export function slotCount(types: readonly ValType[]): number {
  let n = 0;
  for (const t of types) n += t === ValType.v128 ? 2 : 1;
  return n;
}

/**
 * The virtual operand stack of one function: per entry its kind, and the local's slot index or the constant's low
 * and high words. Entry `i`'s canonical slot is `localCount + i` (`localCount` counting slots).
 */
export class OperandStack {
  readonly kind: number[] = [];
  readonly val: number[] = [];
  readonly high: number[] = [];
  /** 1 for the entry of a v128's high half (so `drop` and `select` know the width of the value on top), else 0. */
  readonly hi: number[] = [];
  /** Number of entries. */
  n = 0;
  /** Highest slot count reached (locals plus operand stack). */
  maxHeight: number;

  constructor(readonly out: CodeBuffer, readonly localCount: number) {
    this.maxHeight = localCount;
  }

  /** Canonical slot (word offset) of entry i. */
  canon(i: number): number {
    return (this.localCount + i) << 1;
  }

  push(k: number, v: number, h: number): void {
    const n = this.n;
    this.kind[n] = k;
    this.val[n] = v;
    this.high[n] = h;
    this.hi[n] = 0;
    this.n = n + 1;
    if (this.localCount + n + 1 > this.maxHeight) this.maxHeight = this.localCount + n + 1;
  }

  /** Pushes a temp; returns its slot. */
  pushTemp(): number {
    this.push(TEMP, 0, 0);
    return this.canon(this.n - 1);
  }

  /** Pushes a v128 temp (two entries); returns its first slot. */
  pushV128Temp(): number {
    this.push(TEMP, 0, 0);
    this.push(TEMP, 0, 0);
    this.hi[this.n - 1] = 1;
    return this.canon(this.n - 2);
  }

  /** Pushes a deferred `local.get` of the v128 local whose first slot is s. */
  pushV128Local(s: number): void {
    this.push(LOCAL, s, 0);
    this.push(LOCAL, s + 1, 0);
    this.hi[this.n - 1] = 1;
  }

  /** The first slot of the v128 whose entries are i and i + 1: its local's, or else its canonical slots. */
  slotOfV128(i: number): number {
    if (this.kind[i] === LOCAL) return this.val[i]! << 1;
    this.materialize(i);
    this.materialize(i + 1);
    return this.canon(i);
  }

  /** Whether the value on top is a v128 (its two entries). */
  topIsV128(): boolean {
    return this.hi[this.n - 1] === 1;
  }

  /** Puts entry i into its canonical slot. */
  materialize(i: number): void {
    const k = this.kind[i];
    if (k === TEMP) return;
    const out = this.out;
    if (k === LOCAL) {
      out.push(0x06);
      out.push(this.canon(i));
      out.push(this.val[i]! << 1);
    } else if (k === CONST32) {
      out.push(0x41);
      out.push(this.canon(i));
      out.push(this.val[i]!);
    } else {
      out.push(0x42);
      out.push(this.canon(i));
      out.push(this.val[i]!);
      out.push(this.high[i]!);
    }
    this.kind[i] = TEMP;
  }

  materializeFrom(from: number): void {
    for (let i = from; i < this.n; i++) this.materialize(i);
  }

  /** The slot holding entry i (a local's own slot for a deferred local.get). */
  slotOf(i: number): number {
    if (this.kind[i] === LOCAL) return this.val[i]! << 1;
    this.materialize(i);
    return this.canon(i);
  }

  /** Materializes the deferred reads of local x among entries 0..below-1 (before x is overwritten). */
  saveReadsOf(x: number, below: number): void {
    for (let i = 0; i < below; i++) {
      if (this.kind[i] === LOCAL && this.val[i] === x) this.materialize(i);
    }
  }

  hasReadsOf(x: number, below: number): boolean {
    for (let i = 0; i < below; i++) if (this.kind[i] === LOCAL && this.val[i] === x) return true;
    return false;
  }

  /** Writes the value of entry i into slot d (a local, or a branch target's slot). */
  storeTo(d: number, i: number): void {
    const k = this.kind[i];
    const out = this.out;
    if (k === CONST32) {
      out.push(0x41);
      out.push(d);
      out.push(this.val[i]!);
    } else if (k === CONST64) {
      out.push(0x42);
      out.push(d);
      out.push(this.val[i]!);
      out.push(this.high[i]!);
    } else {
      const s = k === LOCAL ? this.val[i]! << 1 : this.canon(i);
      if (s !== d) {
        out.push(0x06);
        out.push(d);
        out.push(s);
      }
    }
  }

  /**
   * Makes the values of the given types temps from entry `from` on (results of a call or a block, a handler's
   * values) and the stack as high as they reach.
   */
  setTemps(from: number, types: readonly ValType[]): void {
    let i = from;
    for (const t of types) {
      this.kind[i] = TEMP;
      this.hi[i++] = 0;
      if (t === ValType.v128) {
        this.kind[i] = TEMP;
        this.hi[i++] = 1;
      }
    }
    this.n = i;
    if (this.localCount + i > this.maxHeight) this.maxHeight = this.localCount + i;
  }
}
