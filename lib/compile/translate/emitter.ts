/**
 * The state one function's translation shares among its parts (`slots.ts`, `control.ts`, `fusion.ts`): the code,
 * the operand stack, the fuel charges, and which op produced the last result (for fusions and retargeting).
 *
 * @module
 */
import type { FuelPlan } from "../fuel_plan.ts";
import { CodeBuffer } from "./code_buffer.ts";
import { RunCharges } from "./fuel_runs.ts";
import { OperandStack } from "./slots.ts";

/** Translation state of one function. */
export class Emitter {
  readonly out: CodeBuffer = new CodeBuffer();
  readonly stack: OperandStack;
  readonly runs: RunCharges;
  /**
   * The op emitted by the previous wasm instruction (not counting local.get and constants) whose first immediate
   * is its destination: its code position, and the code length right after it; -1 when none.
   */
  prevOp = -1;
  prevEnd = -1;
  /** The current instruction's result op, or -1. */
  curOp = -1;
  /** The handler table under construction: records of {@link HANDLER_WORDS} words (see `CompiledFunc.handlers`). */
  readonly handlers: number[] = [];

  constructor(localCount: number, readonly resultCount: number, plan: FuelPlan, meter: boolean) {
    this.stack = new OperandStack(this.out, localCount);
    this.runs = new RunCharges(this.out, plan, meter);
  }

  /** Whether the last op emitted is the previous instruction's and writes entry i's canonical slot. */
  lastWrites(i: number): boolean {
    return this.prevOp >= 0 && this.out.length === this.prevEnd &&
      this.out.code[this.prevOp + 1] === this.stack.canon(i);
  }

  /** Emits op with destination = a new temp; marks it as the instruction's result op. */
  emitResult(op: number): void {
    this.curOp = this.out.push(op);
    this.out.push(this.stack.pushTemp());
  }
}
