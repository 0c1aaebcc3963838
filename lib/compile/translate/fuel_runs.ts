/**
 * How the translator charges the runs of a {@link FuelPlan}: a run at a checkpoint opens with a `fuel_check`
 * carrying its cost (always, so interrupts are checked even without metering); another run, when metering, is
 * charged by a `fuel` op at its first instruction that costs fuel, or, when nothing has been emitted since the
 * conditional branch it falls through from, by that branch's charge immediate (no dispatch). A run that costs
 * nothing gets no op.
 *
 * @module
 */
import type { FuelPlan } from "../fuel_plan.ts";
import type { CodeBuffer } from "./code_buffer.ts";

/** Emits the fuel charges of one function's runs, following its plan in body order. */
export class RunCharges {
  /** Code position of the last conditional branch's charge immediate, or -1 after a label. */
  chargeAt = -1;
  #next = 0;
  #pending = false;
  #cost = 0;

  constructor(readonly out: CodeBuffer, readonly plan: FuelPlan, readonly meter: boolean) {}

  /**
   * Opens the run that the plan starts at byte offset `at`, if any.
   *
   * @param label Whether the run begins at a label (after `else` or `end`), which jumps enter too: a branch's
   *   charge immediate cannot pay for it then.
   */
  openAt(at: number, label: boolean): void {
    const plan = this.plan;
    const next = this.#next;
    if (next >= plan.count || plan.starts[next] !== at) return;
    this.#next = next + 1;
    const cost = plan.costs[next]!;
    this.#pending = false;
    if (plan.checkpoints[next]) {
      this.out.push(0x03); // fuel_check cost
      this.out.push(cost);
      return;
    }
    if (label) this.chargeAt = -1;
    this.#pending = this.meter && cost > 0;
    this.#cost = cost;
  }

  /** Called before each instruction with its cost: the first one that costs fuel pays for the pending run. */
  charge(cost: number): void {
    if (cost === 0 || !this.#pending) return;
    this.#pending = false;
    const out = this.out;
    if (this.chargeAt >= 0 && this.chargeAt === out.length - 1) out.code[this.chargeAt] = this.#cost;
    else {
      out.push(0x02); // fuel cost
      out.push(this.#cost);
    }
  }
}
