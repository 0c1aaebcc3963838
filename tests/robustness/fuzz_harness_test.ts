// The fuzz harness itself: trap-kind mapping, comparison rules, determinism, generator validity, and that a
// divergence is actually detected (a deliberately faulty engine) -- so a quiet fuzz run means something.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RuntimeError } from "../../lib/errors.ts";
import { Rng } from "../../tools/_fuzz_rng.ts";
import { ownModule } from "../../tools/_fuzz_own_gen.ts";
import { type Engine, runModule, type Step, trapKind } from "../../tools/_fuzz_exec.ts";
import { trap, TrapCode } from "../../lib/trap_codes.ts";
import { compareRounds, compareRuns, sameOutcome } from "../../tools/_fuzz_compare.ts";
import { runMutationCampaign } from "../../tools/_fuzz_batch.ts";
import { nativeEngine } from "../../tools/_fuzz_engines.ts";
import { mutateBinary, mutateText } from "../../tools/_fuzz_mutate.ts";
import { readWasmInfo } from "../../tools/_fuzz_wasm_info.ts";

async function run(engine: Engine, wasm: Uint8Array, seed: number) {
  const steps: Step[] = [];
  await runModule(engine, wasm, { seed, onStep: (s) => steps.push(s) });
  return { steps, done: true, timedOut: false };
}

test("trapKind() maps Kiln, V8 and JavaScriptCore trap messages to common kinds", () => {
  const cases: [string, string][] = [
    ["integer divide by zero", "div-zero"],
    ["divide by zero", "div-zero"],
    ["Division by zero", "div-zero"],
    ["integer overflow", "int-overflow"],
    ["divide result unrepresentable", "int-overflow"],
    ["invalid conversion to integer", "conversion"],
    ["float unrepresentable in integer range", "float-to-int"],
    ["out of bounds memory access", "memory"],
    ["memory access out of bounds", "memory"],
    ["Out of bounds memory access", "memory"],
    ["undefined element", "table"],
    ["table index is out of bounds", "table"],
    ["out of bounds table access", "table"],
    ["uninitialized element", "indirect"],
    ["indirect call type mismatch", "indirect"],
    ["null function or function signature mismatch", "indirect"],
    ["unreachable", "unreachable"],
    ["Unreachable code should not be executed", "unreachable"],
    ["call stack exhausted", "stack"],
    ["all fuel consumed by WebAssembly", "fuel"],
    ["interrupt", "interrupt"],
  ];
  for (const [message, kind] of cases) {
    assert.equal(trapKind(new RuntimeError(message)), kind, message);
    assert.equal(trapKind(new WebAssembly.RuntimeError(message)), kind, message);
  }
  // Kiln's traps are told apart by their code, whatever the message says.
  assert.equal(trapKind(new RuntimeError("unreachable", [], TrapCode.MemoryOutOfBounds)), "memory");
  assert.equal(trapKind(trap(TrapCode.OutOfFuel)), "fuel");
  assert.equal(trapKind(trap(TrapCode.IndirectCallToNull)), "indirect");
  assert.equal(trapKind(trap(TrapCode.UndefinedElement)), "table");
  assert.equal(trapKind(trap(TrapCode.CannotSuspend)), "other(CannotSuspend)");
  assert.equal(trapKind(new RangeError("Maximum call stack size exceeded")), "stack");
  assert.equal(trapKind(new TypeError("unreachable")), undefined);
  assert.ok(sameOutcome("trap:float-to-int", "trap:int-overflow"));
  assert.ok(!sameOutcome("trap:div-zero", "trap:int-overflow"));
});

test("Rng and the mutators are deterministic from the seed", () => {
  const a = new Rng(42), b = new Rng(42);
  assert.deepEqual(a.bytes(64), b.bytes(64));
  const base = ownModule(new Rng(7));
  assert.deepEqual(mutateBinary(new Rng(9), base), mutateBinary(new Rng(9), base));
  assert.equal(mutateText(new Rng(9), "(module (func))"), mutateText(new Rng(9), "(module (func))"));
  assert.notDeepEqual(ownModule(new Rng(1)), ownModule(new Rng(2)));
});

test("ownModule() yields valid modules that the harness can run on native WebAssembly", async () => {
  for (let seed = 0; seed < 40; seed++) {
    const wasm = ownModule(new Rng(seed));
    assert.ok(WebAssembly.validate(wasm as BufferSource), `seed ${seed} produced an invalid module`);
    const info = readWasmInfo(wasm);
    assert.ok(info.exports.some((e) => e.kind === 0));
  }
  const r = await run(nativeEngine(), ownModule(new Rng(3)), 1);
  assert.equal(r.steps[0]!.label, "instantiate");
  assert.ok(r.steps.length >= 2);
});

test("compareRuns() finds no divergence between two identical engines", async () => {
  for (let seed = 0; seed < 10; seed++) {
    const wasm = ownModule(new Rng(seed));
    const a = await run(nativeEngine(), wasm, seed);
    const b = await run(nativeEngine(), wasm, seed);
    const cmp = compareRuns(a, b);
    assert.equal(cmp.divergence, undefined, JSON.stringify(cmp.divergence));
  }
});

/** Native, except that every i32 result of an exported function is off by one. */
function faultyEngine(): Engine {
  const inner = nativeEngine();
  return {
    ...inner,
    async instantiate(bytes, imports) {
      const exports = await inner.instantiate(bytes, imports);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(exports)) {
        out[k] = typeof v === "function"
          ? (...args: unknown[]) => {
            const r = (v as (...a: unknown[]) => unknown)(...args);
            return typeof r === "number" && Number.isInteger(r) ? (r + 1) | 0 : r;
          }
          : v;
      }
      return out;
    },
  };
}

test("compareRuns() reports a divergence against a faulty engine", async () => {
  let found = 0;
  for (let seed = 0; seed < 20; seed++) {
    const wasm = ownModule(new Rng(seed));
    const cmp = compareRuns(await run(nativeEngine(), wasm, seed), await run(faultyEngine(), wasm, seed));
    if (cmp.divergence) {
      found++;
      assert.equal(cmp.divergence.field, "outcome");
    }
  }
  assert.ok(found > 0, "the faulty engine was never caught");
});

test("compareRuns() stops at inconclusive steps and compares logs and state", () => {
  const step = (outcome: string, logs: string[] = [], state: string[] = [], inconclusive?: string): Step => ({
    label: "call f()",
    outcome,
    logs,
    state,
    ...(inconclusive ? { inconclusive } : {}),
  });
  const res = (...steps: Step[]) => ({ steps, done: true, timedOut: false });
  assert.equal(compareRuns(res(step("trap:stack", [], [], "stack")), res(step("ok"))).stopped, "stack");
  assert.equal(compareRuns(res(step("ok", ["i32:1"])), res(step("ok", ["i32:2"]))).divergence?.field, "logs");
  assert.equal(compareRuns(res(step("ok", [], ["m=1"])), res(step("ok", [], ["m=2"]))).divergence?.field, "state");
  assert.equal(
    compareRuns(res(step("ok"), step("ok")), { steps: [step("ok")], done: false, timedOut: true }).divergence?.field,
    "hang",
  );
});

test("compareRuns() stops where a native memory outgrew Kiln's fuzzing limit", () => {
  const step = (state: string[]): Step => ({ label: "call g()", outcome: "ok", logs: [], state });
  const a = { steps: [step(["m=mem 65536 1"]), step([`m=mem ${256 * 2 ** 20} 2`])], done: true, timedOut: false };
  const b = { steps: [step(["m=mem 65536 1"]), step(["m=mem 65536 1"])], done: true, timedOut: false };
  const cmp = compareRuns(a, b);
  assert.equal(cmp.divergence, undefined);
  assert.equal(cmp.stopped, "memory-limit");
  assert.equal(cmp.compared, 1);
});

test("compareRounds() compares round by round and stops where native was limited before Kiln's fuel ran out", () => {
  const step = (outcome: string, inconclusive?: string): Step => ({
    label: "call f()",
    outcome,
    logs: [],
    state: [],
    ...(inconclusive ? { inconclusive } : {}),
  });
  const job = (...rounds: Step[][]) => ({ steps: rounds[0]!, rounds, done: true, timedOut: false });
  // Round 0 equal (2 steps); round 1: Kiln ran out of fuel at step 1, native was limited to 1 step.
  const kiln = job([step("ok"), step("ok")], [step("ok"), step("trap:fuel", "fuel")], [step("ok"), step("ok:1")]);
  const native = job([step("ok"), step("ok")], [step("ok")], [step("ok"), step("ok:2")]);
  const cmp = compareRounds(native, kiln, [undefined, 1, undefined]);
  assert.equal(cmp.compared, 4);
  assert.deepEqual(cmp.stopped, ["fuel"]);
  assert.equal(cmp.round, 2);
  assert.equal(cmp.divergence?.field, "outcome");
  // Without the limit, a missing native step is a divergence.
  assert.equal(compareRounds(job([step("ok")]), job([step("ok"), step("ok")])).divergence?.field, "missing-step");
});

test("the batched mutation runner bounds each input's time and keeps every count", async () => {
  // Self-test target: byte 1 never finishes, byte 2 gives a TypeError, anything else is ok.
  const corpus = [[0], [1], [2], [0], [0]].map((a) => new Uint8Array(a));
  const found: string[] = [];
  const r = await runMutationCampaign({
    target: "self-test",
    corpus,
    seed: 1,
    deadline: Date.now() + 60_000,
    iterations: 23,
    limitMs: 300,
    batch: 10,
    onFinding: (k, input, outcome) => found.push(`${k}:${input[0]}:${outcome.split("\n")[0]}`),
  });
  assert.equal(r.total, 23);
  assert.deepEqual(r.counts, { ok: 13, "bad:hang": 5, "bad:TypeError": 5 });
  assert.ok(found.includes("1:1:bad:hang (over 0.3 s)"), found.join(" "));
  assert.ok(found.includes("22:2:bad:TypeError: self-test"), found.join(" "));
});

test("a host function reached through a funcref is called with the same arguments on every engine", async () => {
  // JavaScriptCore names the wrapper of an imported JS function "" where V8 names it by its import index; the
  // harness once read the signature from that name, so under Bun `table-set` got one argument (seed 13, module 413
  // of an earlier campaign). Now every engine uses the one imported signature with the wrapper's arity.
  const { wat } = await import("../api/_wat.ts");
  const wasm = wat(`(module
    (import "fuzzing-support" "table-get" (func $get (param i32) (result funcref)))
    (import "fuzzing-support" "table-set" (func $set (param i32 funcref)))
    (import "fuzzing-support" "call-ref-catch" (func $callRef (param funcref) (result i32)))
    (elem declare func $set)
    (func (export "f") (result i32) (call $callRef (ref.func $set))))`);
  const r = await run(nativeEngine(), wasm, 1);
  assert.equal(r.steps[1]!.outcome, "ok:i32:0");
  assert.deepEqual(r.steps[1]!.logs, ["table-set(num:0,null)"]);
});
