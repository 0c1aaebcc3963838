/**
 * Control flow in translation: the control frames, and the code of returns, branches and conditional jumps. Branch
 * targets are resolved here: a loop's start is known when a branch to it is emitted; a block's or `if`'s end is
 * patched into the recorded fixups when its `end` is reached.
 *
 * @module
 */
import type { ValType } from "../../binary/module.ts";
import { BR_CMP_BASE, BR_CMP_I_BASE } from "../isa.ts";
import type { Emitter } from "./emitter.ts";
import { TEMP } from "./slots.ts";

/** One open block of the function being translated. */
export interface Control {
  /**
   * `try` is a legacy try in its body; it becomes `catch` at its first handler, whose body (and the next ones')
   * has the caught exception's exnref in the try's first slot, under the handler's values (for `rethrow`).
   */
  kind: "block" | "loop" | "if" | "func" | "try" | "catch";
  /** Virtual stack height below the block's params (in slots, as every count here). */
  height: number;
  params: number;
  results: number;
  /** The types of the block's params and results (a v128 takes two slots). */
  paramTypes: readonly ValType[];
  resultTypes: readonly ValType[];
  /** Code position of a loop's start (its branch target); for other blocks, of their first code. */
  start: number;
  /** Code positions of immediates to patch with the end position. */
  fixups: number[];
  /** For `if`: code position of the branch-to-else target immediate, until an `else` patches it. */
  elseFixup: number;
  /** Whether the rest of this block is unreachable. */
  dead: boolean;
  /** For `try_table`: its catch clauses, as (kind, tagidx, target label) triples; null for other blocks. */
  catches: (number | Control)[] | null;
  /**
   * Positions in the handler table (`Emitter.handlers`) of handler targets that land where a branch to this block
   * lands: patched at its end (a block, an `if`), or with the function's return landing.
   */
  handlerFixups: number[];
  /** For a legacy `try`: the code position where its body ends (at its first handler), -1 before. */
  bodyEnd: number;
  /**
   * Positions in the handler table of `delegate` records' continuation indices that name this block: patched with
   * the index of this try's own records (when delegated to while in its body), or else of the records after it.
   */
  delegatesAtBodyEnd: number[];
  delegatesAtEnd: number[];
}

/** A branch condition: a compare still to be emitted (fused into the branch), or a slot tested for nonzero. */
export interface Cond {
  /** Wasm i32 compare opcode (0x46..0x4f), or 0x45 for eqz, or -1 for a plain slot test. */
  cmp: number;
  a: number;
  b: number;
  /** Whether `b` is a constant rather than a slot. */
  imm: boolean;
}

/** The values a branch to `target` carries: a loop's params, another block's results. */
export function branchArity(target: Control): number {
  return target.kind === "loop" ? target.params : target.results;
}

/** i32 compare opcode (0x46..0x4f) - 0x46 → index in `BR_CMPS` (isa.ts). */
const BR_INDEX = [0, 1, 2, 4, 6, 8, 7, 9, 3, 5];

/**
 * Emits a jump taken when `cond` holds (or fails, with `negate`); returns the target immediate's position. The
 * record ends with a charge immediate: the fuel of the run that falls through (see `fuel_runs.ts`).
 */
export function condJump(e: Emitter, cond: Cond, negate: boolean): number {
  const out = e.out;
  let at: number;
  if (cond.cmp < 0 || cond.cmp === 0x45) {
    // eqz: jump when the operand is zero, i.e. a plain test negated.
    out.push((cond.cmp === 0x45) !== negate ? 0x04 : 0x0d);
    out.push(cond.a);
    at = out.push(0);
  } else {
    const j = BR_INDEX[cond.cmp - 0x46]! ^ (negate ? 1 : 0);
    out.push((cond.imm ? BR_CMP_I_BASE : BR_CMP_BASE) + j);
    out.push(cond.a);
    out.push(cond.b);
    at = out.push(0);
  }
  e.runs.chargeAt = out.push(0);
  return at;
}

/** Emits the return sequence for the function's results on top of the virtual stack. */
export function emitReturn(e: Emitter): void {
  const out = e.out, stack = e.stack;
  const r = e.resultCount;
  const n = stack.n;
  if (r === 0) {
    out.push(0x0f);
    out.push(0);
    out.push(0);
  } else if (r === 1) {
    const s = stack.slotOf(n - 1);
    out.push(0x0f);
    out.push(s);
    out.push(1);
  } else {
    stack.materializeFrom(n - r);
    out.push(0x0f);
    out.push(stack.canon(n - r));
    out.push(r);
  }
}

/** Whether a branch to `target` finds its values in place (temps at the target's slots). */
export function inPlace(e: Emitter, target: Control, arity: number): boolean {
  const stack = e.stack;
  const n = stack.n;
  if (n - arity !== target.height) return false;
  for (let i = n - arity; i < n; i++) if (stack.kind[i] !== TEMP) return false;
  return true;
}

/** Records that the jump immediate at code position `at` goes to `target`'s branch destination. */
export function jumpTo(e: Emitter, target: Control, at: number): void {
  if (target.kind === "loop") e.out.code[at] = target.start;
  else target.fixups.push(at);
}

/** Emits the moves of a branch's values to `target`'s slots and the jump. */
export function emitBranch(e: Emitter, target: Control, arity: number): void {
  if (target.kind === "func") {
    emitReturn(e);
    return;
  }
  const stack = e.stack;
  const n = stack.n;
  for (let j = 0; j < arity; j++) stack.storeTo(stack.canon(target.height + j), n - arity + j);
  e.out.push(0x05);
  jumpTo(e, target, e.out.push(0));
}

/**
 * A conditional branch to `target` (`br_if`, `br_on_null`, `br_on_non_null`): one jump when the values are already
 * in the target's slots, else a jump over the moves and the branch.
 */
export function condBranch(e: Emitter, target: Control, arity: number, cond: Cond): void {
  if (target.kind !== "func" && inPlace(e, target, arity)) {
    jumpTo(e, target, condJump(e, cond, false));
  } else {
    const over = condJump(e, cond, true);
    emitBranch(e, target, arity);
    e.out.code[over] = e.out.length;
  }
}
