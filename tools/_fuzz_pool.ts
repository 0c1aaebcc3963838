/**
 * A restartable worker that runs fuzz jobs under a wall-clock limit: a job that does not finish in time is a
 * hang, the worker is terminated and a fresh one serves the next job.
 *
 * @module
 */
import type { Step } from "./_fuzz_exec.ts";
import type { WorkerJob, WorkerReply } from "./_fuzz_worker.ts";

/** Distributes `Omit<T, "id">` over a union. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** What a job produced. */
export interface JobResult {
  /** Steps of round 0 (a single-round job). */
  steps: Step[];
  /** Steps of every round started, in order (the last may be incomplete if the job timed out). */
  rounds?: Step[][];
  /** The job finished (normally or with a reported error) within its time. */
  done: boolean;
  timedOut: boolean;
  /** A harness-level failure inside the worker (e.g. Kiln failed to load). */
  error?: string;
  /** Target jobs: the outcome string. */
  result?: string;
  /** Batch jobs: the worker's summary. */
  batch?: unknown;
}

/** One worker thread, recreated after a timeout and every `recycleAfter` jobs (bounding its memory). */
export class JobWorker {
  #worker: Worker | undefined;
  #jobsOnWorker = 0;
  constructor(readonly recycleAfter = 200) {}

  #nextId = 1;
  #abortCurrent: (() => void) | undefined;
  #currentId = 0;

  /** The id of the job started last (for {@link abort}). */
  get currentId(): number {
    return this.#currentId;
  }

  #ensure(): Worker {
    if (this.#jobsOnWorker >= this.recycleAfter) this.terminate();
    this.#jobsOnWorker++;
    this.#worker ??= new Worker(new URL("./_fuzz_worker.ts", import.meta.url).href, { type: "module" });
    return this.#worker;
  }

  /** Runs `job`, resolving when it is done or after `timeoutMs` (then the worker is replaced). */
  run(job: WithoutId<WorkerJob>, timeoutMs: number): Promise<JobResult> {
    const worker = this.#ensure();
    const id = this.#nextId++;
    this.#currentId = id;
    const rounds: Step[][] = [[]];
    return new Promise((resolve) => {
      const finish = (r: Omit<JobResult, "steps">) => {
        this.#abortCurrent = undefined;
        clearTimeout(timer);
        worker.removeEventListener("message", onMessage);
        worker.removeEventListener("error", onError);
        resolve({ steps: rounds[0]!, rounds, ...r });
      };
      const onMessage = (event: MessageEvent<WorkerReply>) => {
        const m = event.data;
        if (m.id !== id) return;
        if (m.type === "round") rounds[m.round] ??= [];
        else if (m.type === "step") (rounds[m.round] ??= []).push(m.step);
        else if (m.type === "done") finish({ done: true, timedOut: false, result: m.result, batch: m.batch });
        else finish({ done: true, timedOut: false, error: m.message });
      };
      const onError = (event: ErrorEvent) => {
        event.preventDefault?.();
        this.terminate();
        finish({ done: false, timedOut: false, error: `worker crashed: ${event.message}` });
      };
      const timer = setTimeout(() => {
        this.terminate();
        finish({ done: false, timedOut: true });
      }, timeoutMs);
      this.#abortCurrent = () => {
        this.terminate();
        finish({ done: false, timedOut: true });
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", onError);
      worker.postMessage({ ...job, id } as WorkerJob);
    });
  }

  /** Ends job `id` now if it is still running, as if it had timed out (its steps so far are kept). */
  abort(id: number): void {
    if (id === this.#currentId) this.#abortCurrent?.();
  }

  /** Stops the worker thread (a new one starts on the next job). */
  terminate(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#jobsOnWorker = 0;
  }
}
