import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { planFuel } from "../../lib/compile/fuel_plan.ts";
import { wat } from "../api/_wat.ts";

/** The runs of the first function of `(module body)`: `cost` or `!cost` for a checkpoint, with start offsets. */
function runs(body: string): { costs: string; starts: number[] } {
  const module = decodeModule(wat(`(module ${body})`));
  const code = module.codes[0]!;
  const plan = planFuel(module, code);
  const costs = [...plan.costs].map((c, i) => (plan.checkpoints[i] ? `!${c}` : `${c}`)).join(" ");
  return { costs, starts: [...plan.starts].map((s) => s - code.start) };
}

test("planFuel() charges a straight-line function as one run at its entry checkpoint", () => {
  const r = runs(`(func (result i32) (i32.add (i32.const 1) (i32.const 2)) (nop) (call 1) (drop) (i32.const 4))
    (func)`);
  assert.equal(r.costs, "!5"); // const const add call const; nop, drop, end are free; a call does not end a run
  assert.deepEqual(r.starts, [0]);
});

test("planFuel() starts a checkpoint after each loop and a run after if, br_if, else and end of a block", () => {
  const r = runs(`(func (param i32)
    (block (br_if 0 (local.get 0)) (drop (i32.const 1)))
    (if (local.get 0) (then (drop (i32.const 2))) (else (drop (i32.const 3)) (drop (i32.const 4))))
    (loop (br_if 0 (local.get 0)) (drop (i32.const 5)))
    (drop (i32.const 6)))`);
  // entry: local.get br_if | const | end(block) local.get if | then: const | else: const const | end: loop |
  // loop header: local.get br_if | const, past the loop's reachable end: const
  assert.equal(r.costs, "!2 1 2 1 2 0 !2 2");
});

test("planFuel() leaves unreachable code out of every run and restarts after its block", () => {
  const r = runs(`(func (result i32)
    (block (br 0) (drop (i32.const 1)) (drop (i32.const 2)))
    (loop (br 1 (i32.const 7)) (nop) (i32.const 8) (drop))
    (i32.const 9))`);
  // entry: br | after the block: loop | loop header: const br (dead: nop const drop) | after the dead loop: const
  assert.equal(r.costs, "!1 0 !2 1");
});

test("planFuel() totals equal one unit per instruction that costs fuel, and starts ascend", () => {
  const r = runs(`(func (param i32) (result i32)
    (local.get 0) (if (result i32) (then (i32.const 1)) (else (i32.const 2)))
    (br_table 0 0 (i32.const 3)) )`);
  const total = r.costs.split(" ").reduce((sum, c) => sum + Number(c.replace("!", "")), 0);
  assert.equal(total, 6); // local.get if const const const br_table
  for (let i = 1; i < r.starts.length; i++) assert.ok(r.starts[i]! > r.starts[i - 1]!);
});
