// A CI-sized differential run: modules from Kiln's own generator (fixed seed, terminating by construction) run
// on native WebAssembly and on Kiln in its three configurations (plain, fuel yields, Promise-returning imports);
// results, traps, logs, globals, tables and memory must agree. The full fuzzer is `deno task fuzz`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../tools/_fuzz_rng.ts";
import { ownModule } from "../../tools/_fuzz_own_gen.ts";
import { type Engine, runModule, type Step } from "../../tools/_fuzz_exec.ts";
import { compareRuns } from "../../tools/_fuzz_compare.ts";
import { type KilnApi, kilnEngine, nativeEngine } from "../../tools/_fuzz_engines.ts";
import { kiln, skipWithoutKiln as skip } from "./_kiln.ts";

const SEED = 20261124;
const MODULES = 45;

async function run(engine: Engine, wasm: Uint8Array, seed: number, asyncImports = false) {
  const steps: Step[] = [];
  await runModule(engine, wasm, { seed, asyncImports, onStep: (s) => steps.push(s) });
  return { steps, done: true, timedOut: false };
}

test(
  `Kiln agrees with native WebAssembly on ${MODULES} generated modules (seed ${SEED})`,
  { skip, timeout: 120_000 },
  async () => {
    const problems: string[] = [];
    let compared = 0;
    for (let k = 0; k < MODULES; k++) {
      const seed = Rng.derive(SEED, k);
      const wasm = ownModule(new Rng(seed));
      const mode = (["plain", "yield", "async"] as const)[k % 3];
      const other = kilnEngine(kiln as unknown as KilnApi, {
        fuel: 5_000_000,
        fuelYieldInterval: mode === "yield" ? 997 : undefined,
      });
      const cmp = compareRuns(await run(nativeEngine(), wasm, seed), await run(other, wasm, seed, mode === "async"));
      compared += cmp.compared;
      if (cmp.divergence) {
        const d = cmp.divergence;
        problems.push(`module ${k} (seed ${seed}, ${mode}): ${d.label}: ${d.field}: native ${d.a} / kiln ${d.b}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(compared > MODULES * 2, `only ${compared} steps compared`);
  },
);

test(
  "DiffRunner runs rounds on Kiln first; native never starts the step where Kiln's fuel ran out, later rounds stop before it",
  { skip, timeout: 60_000 },
  async () => {
    const { DiffRunner } = await import("../../tools/fuzz.ts");
    const wasm = kiln!.parseWat(`(module
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "spin") (loop $l (br $l)))
      (func (export "never") (result i32) (i32.const 1)))`);
    const runner = new DiffRunner("kiln", 200_000);
    try {
      const rounds = [{ seed: 1, mode: "plain" as const }, { seed: 2, mode: "yield" as const }, {
        seed: 3,
        mode: "async" as const,
      }];
      const { a, b, cmp } = await runner.run(wasm, rounds);
      assert.equal(cmp.divergence, undefined, JSON.stringify(cmp.divergence));
      assert.equal(a.timedOut, false);
      assert.equal(b.timedOut, false);
      assert.equal(cmp.rounds, 3);
      assert.equal(cmp.compared, 6); // instantiate + add, in each round
      assert.deepEqual(cmp.stopped, ["fuel"]);
      assert.deepEqual(b.rounds!.map((r) => r.length), [3, 2, 2]); // round 0 ran out of fuel in "spin"
      assert.deepEqual(a.rounds!.map((r) => r.length), [2, 2, 2]);
    } finally {
      runner.close();
    }
  },
);
