/**
 * Worker entry of the fuzz harness. Three kinds of job:
 *
 * - `module`: one module on one engine, in one or more rounds (a fresh instance each, with its own argument seed
 *   and, for Kiln, its own configuration); every step is posted back as it completes, so a hang still leaves the
 *   earlier steps. The module is compiled once per job.
 * - `target`: one decode/parse attempt (kept for single inputs).
 * - `batch`: many mutants generated and run in the worker (see tools/_fuzz_batch.ts); the worker writes the
 *   number of the input it is on into a shared array, so the parent can bound each input's time without a
 *   message per input.
 *
 * The parent enforces every time limit by terminating the worker.
 *
 * @module
 */
import { runModule, type Step } from "./_fuzz_exec.ts";
import { kilnEngine, loadKiln, nativeEngine } from "./_fuzz_engines.ts";
import { runTargetOnce, type TargetName } from "./_fuzz_targets.ts";
import { type BatchInit, type BatchJob, runBatch } from "./_fuzz_batch.ts";

/** A Kiln configuration: plain, with a small fuel yield interval, or with every import returning a Promise. */
export type KilnMode = "plain" | "yield" | "async";

/** One round of a module job: a fresh instance, an argument seed and (Kiln only) a configuration. */
export interface Round {
  seed: number;
  mode?: KilnMode;
  /** Kiln's fuel per top-level call in this round (default: the job's). */
  fuel?: number;
  /** Run at most this many steps of the round (see RunOptions.maxSteps). */
  maxSteps?: number;
}

/** A message to the worker. */
export type WorkerJob =
  | {
    id: number;
    type: "module";
    /** The host's WebAssembly, Kiln's interpreter ("kiln") or Kiln's native engine ("kiln-native"). */
    engine: "native" | "kiln" | "kiln-native";
    wasm: Uint8Array;
    rounds: Round[];
    fuel: number;
    /**
     * Both sides are metered (the `engines` target): record Kiln's fuel after every step and at every import call,
     * and compare running out of fuel like any trap (see RunOptions.fuelConclusive).
     */
    observeFuel?: boolean;
  }
  | { id: number; type: "target"; target: TargetName; input: Uint8Array }
  | ({ id: number; type: "batch-init" } & BatchInit)
  | ({ id: number; type: "batch" } & BatchJob);

/** A message from the worker. */
export type WorkerReply =
  | { id: number; type: "round"; round: number }
  | { id: number; type: "step"; round: number; step: Step }
  | { id: number; type: "done"; result?: string; batch?: unknown }
  | { id: number; type: "error"; message: string };

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<WorkerJob>) => void) | null;
  postMessage(m: WorkerReply): void;
};

scope.onmessage = async (event: MessageEvent<WorkerJob>) => {
  const job = event.data;
  try {
    if (job.type === "module") {
      const kiln = job.engine !== "native" ? await loadKiln() : undefined;
      if (job.engine !== "native" && kiln === undefined) throw new Error("Kiln (mod.ts) is not available");
      // After a round ran out of fuel at step i, later rounds stop before step i: the same export most likely
      // loops again, and burning the whole fuel in every round would cost most of the fuzzer's time. With both
      // sides metered, only a round with the job's full fuel sets the cap (a small budget runs out anywhere), and
      // both sides set it alike unless they already diverged in that round or only one side's stack ran out.
      let cap = Infinity;
      for (let r = 0; r < job.rounds.length; r++) {
        const round = job.rounds[r]!;
        const steps: Step[] = [];
        const fuel = round.fuel ?? job.fuel;
        const engine = kiln
          ? kilnEngine(kiln, {
            fuel,
            fuelYieldInterval: round.mode === "yield" ? 997 : undefined,
            engine: job.engine === "kiln-native" ? "native" : undefined,
            observeFuel: job.observeFuel,
          })
          : nativeEngine();
        scope.postMessage({ id: job.id, type: "round", round: r });
        await runModule(engine, job.wasm, {
          seed: round.seed,
          asyncImports: kiln !== undefined && round.mode === "async",
          maxSteps: Math.min(round.maxSteps ?? Infinity, cap),
          fuelConclusive: job.observeFuel,
          onStep: (step) => {
            steps.push(step);
            scope.postMessage({ id: job.id, type: "step", round: r, step });
          },
        });
        const last = steps.at(-1);
        // Both metered: a full-budget fuel trap, or the stack (so that a side whose stack ran out where the other's
        // fuel did caps alike; see EnginesRunner for the other case).
        const outOfFuel = job.observeFuel
          ? (fuel >= job.fuel && last?.outcome === "trap:fuel") || last?.inconclusive === "stack"
          : last?.inconclusive === "fuel";
        if (outOfFuel) cap = Math.min(cap, steps.length - 1);
      }
      scope.postMessage({ id: job.id, type: "done" });
    } else if (job.type === "target") {
      const result = await runTargetOnce(job.target, job.input);
      scope.postMessage({ id: job.id, type: "done", result });
    } else if (job.type === "batch-init") {
      await runBatch(job);
      scope.postMessage({ id: job.id, type: "done" });
    } else {
      const batch = await runBatch(job);
      scope.postMessage({ id: job.id, type: "done", batch });
    }
  } catch (e) {
    scope.postMessage({
      id: job.id,
      type: "error",
      message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    });
  }
};
