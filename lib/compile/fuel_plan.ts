/**
 * The fuel plan of a function (Wasmtime's model: every instruction costs its opcode table `fuel`, 0 for nop, drop,
 * block, loop, unreachable, return, else, end and 1 otherwise): where its straight-line runs start, what each run
 * costs, and which runs begin at a checkpoint. An engine charges each run's cost once, when the run is entered, and
 * checks fuel, interrupts and yields at checkpoints only; totals equal charging every instruction, and every engine
 * that follows the plan traps and yields at the same points with the same fuel left.
 *
 * Boundaries, in the order the body is read:
 * - the function's entry starts a run at a checkpoint, and so does each `loop`'s header (the instruction after it);
 * - a run starts after every `if`, `br_if` (and `br_on_null`, `br_on_non_null`, `br_on_cast`, `br_on_cast_fail`),
 *   `else`, and `end` of a block or `if` (where branches land), and after the `end` of a loop whose end is
 *   unreachable (the loop's run goes on past a reachable `end`: nothing branches to a loop's end);
 * - code after `unreachable`, `br`, `br_table`, `return`, a tail call, `throw` or `throw_ref` up to the `end` or
 *   `else` of its block is unreachable:
 *   it belongs to no run and costs nothing.
 * Calls do not end a run: a host import observes the fuel of its caller's run as charged at the run's start.
 * `try_table` is a block: its catch clauses branch to labels, whose runs start where every branch lands. So an
 * exception caught by a handler has cost the whole run it was thrown in (and each unwound caller's whole run, as
 * charged when the run began), plus the runs from the handler's label on.
 *
 * Legacy exceptions (which Wasmtime does not run; Kiln's choice, each of their instructions costs 1): `try` is a
 * block; `catch` and `catch_all` start a run, as `else` does, and their unit is charged in that run (the handler's,
 * where they are entered); `delegate` ends the `try` as `end` does, its unit charged with the run it ends when that
 * is reachable; `rethrow` makes the rest of its block unreachable.
 *
 * @module
 */
import { InstructionReader } from "../binary/instruction_reader.ts";
import { ByteReader } from "../binary/leb128.ts";
import type { FuncBody, Module } from "../binary/module.ts";

/** The straight-line runs of one function body, in body order. */
export interface FuelPlan {
  /** Number of runs. */
  readonly count: number;
  /** Byte offset in the module of each run's first instruction, ascending. */
  readonly starts: Int32Array;
  /** Fuel of each run: the sum of its instructions' costs. */
  readonly costs: Int32Array;
  /** 1 where the run begins at a checkpoint (the function's entry, a loop header), else 0. */
  readonly checkpoints: Uint8Array;
}

/** Control frames of the plan's walk, as kept on its stack. */
const FUNC = 0, BLOCK = 1, LOOP = 2, IF = 3;

/**
 * Computes the fuel plan of a validated function body.
 *
 * @param module The module the body belongs to (its bytes are read).
 * @param body One of `module.codes`.
 * @returns The body's runs.
 *
 * @example Two runs: the entry, and the loop header
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { planFuel } from "./fuel_plan.ts";
 * // (func (local i32) i32.const 1 drop (loop local.get 0 br_if 0))
 * const m = decodeModule(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 16, 1,
 *   14, 1, 1, 0x7f, 0x41, 1, 0x1a, 0x03, 0x40, 0x20, 0, 0x0d, 0, 0x0b, 0x0b]));
 * const plan = planFuel(m, m.codes[0]!);
 * if (plan.count !== 3 || [...plan.costs].join() !== "1,2,0") throw new Error("runs: entry, loop, after br_if");
 * ```
 */
export function planFuel(module: Module, body: FuncBody): FuelPlan {
  const reader = new InstructionReader(new ByteReader(module.bytes, body.start, body.end));
  const starts: number[] = [body.start];
  const costs: number[] = [0];
  const checkpoints: number[] = [1];
  const open = (at: number, checkpoint: number) => {
    starts.push(at);
    costs.push(0);
    checkpoints.push(checkpoint);
  };
  const kinds: number[] = [FUNC];
  let dead = false;
  let reached = true; // false for the `else`/`end`/`catch`/`delegate` after unreachable code
  for (;;) {
    const op = reader.next();
    const cost = reader.info.fuel;
    if (op !== 0x07 && op !== 0x19 && op !== 0x18) costs[costs.length - 1]! += cost;
    switch (op) {
      case 0x00: // unreachable
      case 0x0c: // br
      case 0x0e: // br_table
      case 0x0f: // return
      case 0x12: // return_call
      case 0x13: // return_call_indirect
      case 0x15: // return_call_ref
      case 0x08: // throw
      case 0x0a: // throw_ref
      case 0x09: // rethrow
        dead = true;
        break;
      case 0x07: // catch
      case 0x19: // catch_all
        dead = false;
        open(reader.bytes.pos, 0);
        costs[costs.length - 1]! += cost;
        break;
      case 0x18: // delegate
        if (reached) costs[costs.length - 1]! += cost;
        kinds.pop();
        open(reader.bytes.pos, 0);
        dead = false;
        break;
      case 0x02: // block
      case 0x1f: // try_table
      case 0x06: // try
        kinds.push(BLOCK);
        break;
      case 0x03: // loop
        kinds.push(LOOP);
        open(reader.bytes.pos, 1);
        break;
      case 0x04: // if
        kinds.push(IF);
        open(reader.bytes.pos, 0);
        break;
      case 0x0d: // br_if
      case 0xd5: // br_on_null
      case 0xd6: // br_on_non_null
        open(reader.bytes.pos, 0);
        break;
      case 0xfb: // br_on_cast, br_on_cast_fail (GC): conditional branches as br_if
        if (reader.sub === 24 || reader.sub === 25) open(reader.bytes.pos, 0);
        break;
      case 0x05: // else
        dead = false;
        open(reader.bytes.pos, 0);
        break;
      case 0x0b: { // end
        const kind = kinds.pop();
        if (kind === FUNC) {
          return {
            count: starts.length,
            starts: Int32Array.from(starts),
            costs: Int32Array.from(costs),
            checkpoints: Uint8Array.from(checkpoints),
          };
        }
        if (kind !== LOOP || dead) open(reader.bytes.pos, 0);
        dead = false;
        break;
      }
    }
    reached = true;
    if (dead) {
      // Unreachable code up to the `else` or `end` of this block: read it (it is no run's), then go on with that
      // instruction as if reached by a branch.
      const at = skipUnreachable(reader);
      reader.bytes.pos = at;
      reached = false;
    }
  }
}

/**
 * Reads past unreachable code up to the `else` or `end` that closes the current block (for a legacy `try`, also its
 * next `catch`, `catch_all` or its `delegate`); returns that instruction's offset (the reader is left after it).
 */
export function skipUnreachable(reader: InstructionReader): number {
  let depth = 0;
  for (;;) {
    const op = reader.next();
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x1f || op === 0x06) depth++;
    else if (op === 0x0b || op === 0x18) {
      if (depth === 0) return reader.at;
      depth--;
    } else if ((op === 0x05 || op === 0x07 || op === 0x19) && depth === 0) return reader.at;
  }
}
