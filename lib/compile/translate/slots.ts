/**
 * The layout of a frame's slots during translation: the virtual operand stack (module doc of `translate.ts`) and
 * where each of its entries lives. Every slot decision goes through here: a value's canonical slot, when a deferred
 * entry is materialized, and the moves that put a value into a given slot.
 *
 * Slots are 8 bytes (two int32 words) and slot immediates are word offsets; today every value takes one slot. A
 * 16-byte `v128` would take two: only {@link OperandStack.canon} and the copies here would change.
 *
 * @module
 */
import type { CodeBuffer } from "./code_buffer.ts";

/** Virtual stack entry kinds. */
export const TEMP = 0, LOCAL = 1, CONST32 = 2, CONST64 = 3;

/**
 * The virtual operand stack of one function: per entry its kind, and the local index or the constant's low and
 * high words. Entry `i`'s canonical slot is `localCount + i`.
 */
export class OperandStack {
  readonly kind: number[] = [];
  readonly val: number[] = [];
  readonly high: number[] = [];
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
    this.n = n + 1;
    if (this.localCount + n + 1 > this.maxHeight) this.maxHeight = this.localCount + n + 1;
  }

  /** Pushes a temp; returns its slot. */
  pushTemp(): number {
    this.push(TEMP, 0, 0);
    return this.canon(this.n - 1);
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

  /** Makes entries from..to-1 temps (results of a call or a block) and the stack `to` high. */
  setTemps(from: number, to: number): void {
    for (let i = from; i < to; i++) this.kind[i] = TEMP;
    this.n = to;
    if (this.localCount + to > this.maxHeight) this.maxHeight = this.localCount + to;
  }
}
