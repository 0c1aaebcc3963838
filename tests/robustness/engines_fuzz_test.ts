// The fuzzer's `engines` target (Kiln's native engine against its interpreter, both metered): a CI-sized run with a
// fixed seed finds no divergence and compares fuel traps; and the comparison does fail when the two sides' fuel
// differs, whether in the step's state, in what an import observes, or in where the fuel runs out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../tools/_fuzz_rng.ts";
import { ownModule } from "../../tools/_fuzz_own_gen.ts";
import { type Engine, runModule, type Step } from "../../tools/_fuzz_exec.ts";
import { compareRuns } from "../../tools/_fuzz_compare.ts";
import { type KilnApi, kilnEngine, type KilnEngineOptions } from "../../tools/_fuzz_engines.ts";
import { compareEngines, ENGINES_FUEL, EnginesRunner, knownGap, parseArgs, roundsFor } from "../../tools/fuzz.ts";
import type { JobResult } from "../../tools/_fuzz_pool.ts";
import { kiln, skipWithoutKiln as skip } from "./_kiln.ts";

const SEED = 20261206;
const MODULES = 12;

test("parseArgs() accepts `--target engines`, with its own default fuel", () => {
  assert.equal(parseArgs(["--target", "engines"]).target, "engines");
  assert.equal(parseArgs(["--target", "engines"]).fuel, ENGINES_FUEL);
  assert.equal(parseArgs(["--fuel", "7", "--target", "engines"]).fuel, 7);
  assert.equal(parseArgs([]).fuel, 1_000_000);
});

test("knownGap() names JavaScriptCore's JSPI failure after a return_call and a hang past the memory limit", () => {
  const d = { step: 3, label: "call f()", field: "outcome", a: "trap:fuel", b: "ok" };
  assert.equal(knownGap(d), undefined);
  const jsc = "js:Error:JSPI stack scan failed: unrecognized type of Wasm frame: RestoreFrameMode";
  assert.equal(knownGap({ ...d, a: jsc }), "jsc-jspi-return-call");
  // A hang after the native engine's memory outgrew the interpreter's limit (maxMemoryBytes not enforced yet).
  const hang = { ...d, field: "hang", a: "timed out", b: "trap:fuel" };
  const grown = (bytes: number) => ({
    steps: [],
    rounds: [[{ label: "call g()", outcome: "ok", logs: [], state: [`mem=mem ${bytes} 0`] }]],
    done: false,
    timedOut: true,
  });
  assert.equal(knownGap(hang, grown(371064832)), "native-max-memory");
  assert.equal(knownGap(hang, grown(65536)), undefined);
  assert.equal(knownGap(hang), undefined);
});

test("roundsFor() gives `engines` rounds all three configurations and small fuel budgets, `diff` rounds none", () => {
  const args = { seed: SEED, rounds: 6, target: "engines" as const, fuel: 1_000_000 };
  const rounds = Array.from({ length: 20 }, (_, k) => roundsFor(args, k)).flat();
  assert.deepEqual(new Set(rounds.map((r) => r.mode)), new Set(["plain", "yield", "async"]));
  assert.ok(rounds.some((r) => r.fuel === 1_000_000));
  assert.ok(rounds.some((r) => r.fuel! <= 300), "no round with a budget of at most 300");
  assert.ok(rounds.every((r) => r.fuel! >= 1 && r.fuel! <= 1_000_000));
  assert.ok(roundsFor({ ...args, target: "diff" }, 0).every((r) => r.fuel === undefined));
});

test(
  `the engines target: Kiln's native engine agrees with its interpreter on ${MODULES} modules (seed ${SEED})`,
  { skip, timeout: 300_000 },
  async () => {
    const runner = new EnginesRunner(1_000_000);
    const args = { seed: SEED, rounds: 6, target: "engines" as const, fuel: 1_000_000 };
    const problems: string[] = [];
    let compared = 0;
    let fuelTraps = 0;
    let fuelReadings = 0;
    try {
      for (let k = 0; k < MODULES; k++) {
        const wasm = ownModule(new Rng(Rng.derive(SEED, k)));
        const { a, cmp } = await runner.run(wasm, roundsFor(args, k));
        compared += cmp.compared;
        const steps = (a.rounds ?? []).flat();
        fuelTraps += steps.filter((s) => s.outcome === "trap:fuel").length;
        fuelReadings += steps.filter((s) => s.state.some((e) => e.startsWith("fuel consumed "))).length;
        if (cmp.divergence) {
          const d = cmp.divergence;
          problems.push(
            `module ${k} round ${cmp.round}: ${d.label}: ${d.field}: native engine ${d.a} / interpreter ${d.b}`,
          );
        }
      }
    } finally {
      runner.close();
    }
    assert.deepEqual(problems, []);
    assert.ok(compared > MODULES * 6, `only ${compared} steps compared`);
    assert.ok(fuelTraps > 0, "no step ran out of fuel: the small budgets are not exercised");
    assert.ok(fuelReadings > 0, "no step recorded the store's fuel");
  },
);

/** A loop that logs each iteration (the import observes the fuel) and stores to memory, then an infinite loop. */
const LOOPS = `(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "count") (result i32) (local i32)
    (loop $l
      (i32.store (local.get 0) (local.get 0))
      (call $log (local.get 0))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 50))))
    (global.set $g (local.get 0))
    (local.get 0))
  (func (export "spin") (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1))) (br $l))))`;

async function run(engine: Engine, wasm: Uint8Array, asyncImports = false) {
  const steps: Step[] = [];
  await runModule(engine, wasm, { seed: 1, asyncImports, fuelConclusive: true, onStep: (s) => steps.push(s) });
  return { steps, done: true, timedOut: false };
}

function engineOf(options: KilnEngineOptions): Engine {
  return kilnEngine(kiln as unknown as KilnApi, { observeFuel: true, ...options });
}

test("both engines run out of fuel at the same step with the same fuel, memory and logs", { skip }, async () => {
  const wasm = kiln!.parseWat(LOOPS);
  for (const mode of ["plain", "yield", "async"] as const) {
    const options = { fuel: 300, fuelYieldInterval: mode === "yield" ? 7 : undefined };
    const a = await run(engineOf({ ...options, engine: "native" }), wasm, mode === "async");
    const b = await run(engineOf(options), wasm, mode === "async");
    assert.deepEqual(compareRuns(a, b), { compared: 3 }, mode);
    assert.deepEqual(b.steps.map((s) => s.outcome), ["ok", "trap:fuel", "trap:fuel"]);
    // The trap is compared, not an inconclusive stop; the import saw the fuel fall.
    assert.equal(b.steps[1]!.inconclusive, undefined);
    assert.match(b.steps[1]!.logs[0]!, /^fuel at log-i32: consumed \d+ left \d+$/);
    assert.ok(b.steps[1]!.state.some((e) => /^mem=mem 65536 /.test(e)));
  }
});

test("the engines comparison fails on a wrong fuel record", { skip }, async () => {
  const wasm = kiln!.parseWat(LOOPS);
  const a = await run(engineOf({ fuel: 300, engine: "native" }), wasm);
  // One more unit of fuel: noticed at once, in the fuel left after instantiation.
  const d1 = compareRuns(a, await run(engineOf({ fuel: 301 }), wasm)).divergence;
  assert.ok(d1 !== undefined, "a budget of 301 against 300 was not noticed");
  assert.deepEqual([d1.step, d1.field], [0, "state"]);

  // The same fuel, but the interpreter's reading is off by one after instantiation: noticed in what the import
  // observes.
  const honest = engineOf({ fuel: 300 });
  let readings = 0;
  const lying: Engine = {
    ...honest,
    fuelReading: () => honest.fuelReading!().replace(/\d+$/, (n) => `${+n + (readings++ > 0 ? 1 : 0)}`),
  };
  const d2 = compareRuns(a, await run(lying, wasm)).divergence;
  assert.ok(d2 !== undefined, "a wrong fuel reading was not noticed");
  assert.deepEqual([d2.step, d2.field], [1, "logs"]);
  assert.match(d2.b, /fuel at log-i32/);

  // A wrong reading after the step only (state): the first step, instantiation, already differs.
  const steps = (await run(engineOf({ fuel: 300 }), wasm)).steps;
  const tampered = steps.map((s) => ({
    ...s,
    state: s.state.map((e) => e.replace(/^fuel consumed 0 /, "fuel consumed 1 ")),
  }));
  const d3 = compareRuns(a, { steps: tampered, done: true, timedOut: false }).divergence;
  assert.ok(d3 !== undefined, "a wrong fuel record in the state was not noticed");
  assert.deepEqual([d3.step, d3.field], [0, "state"]);
});

test("compareEngines() names the side of a stack stop, and a step missing after a one-sided one is no divergence", () => {
  const step = (outcome: string, inconclusive?: string): Step => ({
    label: "call f()",
    outcome,
    logs: [],
    state: [],
    ...(inconclusive ? { inconclusive } : {}),
  });
  const job = (rounds: Step[][], timedOut = false): JobResult => ({
    steps: rounds[0]!,
    rounds,
    done: !timedOut,
    timedOut,
  });
  const ok = step("ok");
  // Round 0: the native engine's stack ran out where the interpreter finished; so only the native engine capped
  // round 1 before that step.
  const a = job([[ok, ok, step("trap:stack", "stack")], [ok, ok]]);
  const b = job([[ok, ok, ok, ok], [ok, ok, ok, ok]]);
  assert.deepEqual(compareEngines(a, b), {
    compared: 4,
    rounds: 2,
    stopped: ["stack(native engine)", "missing-step after a one-sided stack stop"],
  });
  // Without that stop, a missing step is a divergence.
  const c = compareEngines(job([[ok, ok, ok], [ok, ok]]), job([[ok, ok, ok], [ok, ok, ok]]));
  assert.equal(c.divergence?.field, "missing-step");
  // Both sides' stacks ran out.
  const both = compareEngines(job([[ok, step("trap:stack", "stack")]]), job([[ok, step("trap:stack", "stack")]]));
  assert.deepEqual(both.stopped, ["stack(both)"]);
  // A metered native engine that did not finish a step the interpreter finished: a hang.
  const hang = compareEngines(job([[ok]], true), job([[ok, step("trap:fuel")]]));
  assert.deepEqual([hang.divergence?.field, hang.divergence?.a, hang.divergence?.b], [
    "hang",
    "timed out",
    "trap:fuel",
  ]);
});
