/**
 * Worker entry of the fuzz harness: runs one job (a module on one engine, or one decode/parse attempt) and posts
 * each step back as it completes. The parent enforces the time limit by terminating the worker.
 *
 * @module
 */
import { runModule, type Step } from "./_fuzz_exec.ts";
import { kilnEngine, loadKiln, nativeEngine } from "./_fuzz_engines.ts";
import { runTargetOnce, type TargetName } from "./_fuzz_targets.ts";

/** A message to the worker. */
export type WorkerJob =
  | {
    id: number;
    type: "module";
    engine: "native" | "kiln";
    wasm: Uint8Array;
    seed: number;
    fuel: number;
    /** Kiln configuration: plain, with a small fuel yield interval, or with every import returning a Promise. */
    mode?: "plain" | "yield" | "async";
  }
  | { id: number; type: "target"; target: TargetName; input: Uint8Array };

/** A message from the worker. */
export type WorkerReply =
  | { id: number; type: "step"; step: Step }
  | { id: number; type: "done"; result?: string }
  | { id: number; type: "error"; message: string };

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<WorkerJob>) => void) | null;
  postMessage(m: WorkerReply): void;
};

scope.onmessage = async (event: MessageEvent<WorkerJob>) => {
  const job = event.data;
  try {
    if (job.type === "module") {
      let engine;
      if (job.engine === "native") engine = nativeEngine();
      else {
        const kiln = await loadKiln();
        if (kiln === undefined) throw new Error("Kiln (mod.ts) is not available");
        engine = kilnEngine(kiln, { fuel: job.fuel, fuelYieldInterval: job.mode === "yield" ? 997 : undefined });
      }
      await runModule(engine, job.wasm, {
        seed: job.seed,
        asyncImports: job.type === "module" && job.engine === "kiln" && job.mode === "async",
        onStep: (step) => scope.postMessage({ id: job.id, type: "step", step }),
      });
      scope.postMessage({ id: job.id, type: "done" });
    } else {
      const result = await runTargetOnce(job.target, job.input);
      scope.postMessage({ id: job.id, type: "done", result });
    }
  } catch (e) {
    scope.postMessage({
      id: job.id,
      type: "error",
      message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    });
  }
};
