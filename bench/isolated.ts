/**
 * Runs a program in a Web Worker with a hard time limit: when the limit passes, the worker is terminated, even if
 * the guest is in the middle of a synchronous run that would never look at an AbortSignal. Used for `--timeout`.
 *
 * @module
 */
import type { BenchmarkProgram } from "./suite.ts";
import type { EngineName, KilnSettings, RunResult } from "./runner.ts";

/** What the worker is asked to run (structured-cloneable). */
export interface IsolatedRequest extends KilnSettings {
  readonly program: BenchmarkProgram;
  readonly engine: EngineName;
  readonly wasiMode: "sync" | "async";
}

function failed(request: IsolatedRequest, problem: string): RunResult {
  return {
    name: request.program.name,
    engine: request.engine,
    benchMs: NaN,
    loadMs: NaN,
    runMs: NaN,
    exitCode: undefined,
    stdout: "",
    stderr: "",
    problems: [problem],
  };
}

/**
 * Runs one program in a fresh worker (default engines and Kiln's WASI layer) and resolves with its result, or
 * with a failed result saying "timed out after N s" when `timeoutMs` passes first.
 *
 * @param request the program, engine and settings
 * @param options `timeoutMs`: the time limit for the whole run, worker start-up included
 * @returns the run's result
 * @example
 * ```ts
 * import { runProgramInWorker } from "./isolated.ts";
 * import { listBenchmarks } from "./suite.ts";
 * const [noop] = listBenchmarks().filter((b) => b.name === "noop");
 * const r = await runProgramInWorker({ program: noop, engine: "native", wasiMode: "sync" }, { timeoutMs: 60_000 });
 * console.log(r.problems);
 * ```
 */
export function runProgramInWorker(request: IsolatedRequest, options: { timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./_run_worker.ts", import.meta.url).href, { type: "module" });
    const finish = (r: RunResult) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish(failed(request, `timed out after ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
    worker.onmessage = (e: MessageEvent<{ result?: RunResult; error?: string }>) =>
      finish(e.data.result ?? failed(request, e.data.error ?? "worker sent no result"));
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      finish(failed(request, `worker failed: ${e.message}`));
    };
    worker.postMessage(request);
  });
}
