/**
 * Batched mutation fuzzing of the decoder and the parser. A long-lived worker generates and runs the mutants
 * itself (mutant `k` of seed `S` is a pure function of `S`, `k` and the corpus, so the parent can rebuild any
 * input), and writes the number of the input it is on into a shared `Int32Array`. The parent polls that number:
 * an input that stays current longer than the time bound is a hang -- the worker is terminated, the input saved,
 * and the batch rerun from its start without it (so no count is lost). No message per input is needed.
 *
 * @module
 */
import { Rng } from "./_fuzz_rng.ts";
import { mutateBinary, mutateText } from "./_fuzz_mutate.ts";
import { runTargetOnce, type TargetName } from "./_fuzz_targets.ts";

/** Sent once to each fresh worker. */
export interface BatchInit {
  target: TargetName;
  corpus: Uint8Array[];
  /** Two int32 slots: [0] the input being run, [1] how many inputs were started (wraps). */
  progress: SharedArrayBuffer;
}

/** One batch: inputs `from` … `from + count - 1` of `seed`, except those in `skip` (known hangs or crashes). */
export interface BatchJob {
  seed: number;
  from: number;
  count: number;
  skip: number[];
  /** Return at most this many inputs that decoded fine (the decoder fuzzer runs them differentially). */
  keepValid: number;
}

/** What a batch produced. */
export interface BatchSummary {
  /** Outcome heads ("ok", "compile-error", "bad:TypeError", …) and how often each occurred. */
  counts: Record<string, number>;
  /** Inputs whose outcome is bad or disagrees with the host engine. */
  findings: { k: number; outcome: string; input: Uint8Array }[];
  valid: { k: number; input: Uint8Array }[];
  ran: number;
}

const texts = new Map<Uint8Array, string>();

/** Mutant `k` of `seed`: the same bytes in the parent and in any worker. */
export function mutant(target: TargetName, corpus: readonly Uint8Array[], seed: number, k: number): Uint8Array {
  if (target === "self-test") return corpus[k % corpus.length]!;
  const rng = new Rng(Rng.derive(seed, k));
  const base = rng.pick(corpus);
  if (target !== "parser") return mutateBinary(rng, base, corpus);
  let text = texts.get(base);
  if (text === undefined) texts.set(base, text = new TextDecoder().decode(base));
  return new TextEncoder().encode(mutateText(rng, text));
}

/** The first line of an outcome, with a JS error reduced to its class ("bad:TypeError"). */
export function outcomeHead(outcome: string): string {
  return outcome.split("\n")[0]!.replace(/^(bad:[A-Za-z]+).*/, "$1");
}

/** Whether an outcome must be saved: a bad one, or a disagreement with the host's validator. */
export function isFinding(outcome: string): boolean {
  return outcome.startsWith("bad:") || outcome.includes("(native");
}

let init: BatchInit | undefined;

/** Worker side: stores `job` if it is an init, otherwise runs the batch and summarises it. */
export async function runBatch(job: BatchInit | BatchJob): Promise<BatchSummary | undefined> {
  if ("corpus" in job) {
    init = job;
    return undefined;
  }
  if (!init) throw new Error("batch before batch-init");
  const progress = new Int32Array(init.progress);
  const skip = new Set(job.skip);
  const summary: BatchSummary = { counts: {}, findings: [], valid: [], ran: 0 };
  for (let k = job.from; k < job.from + job.count; k++) {
    if (skip.has(k)) continue;
    Atomics.store(progress, 0, k);
    Atomics.add(progress, 1, 1);
    const input = mutant(init.target, init.corpus, job.seed, k);
    const outcome = await runTargetOnce(init.target, input);
    const head = outcomeHead(outcome);
    summary.counts[head] = (summary.counts[head] ?? 0) + 1;
    summary.ran++;
    if (isFinding(outcome)) summary.findings.push({ k, outcome, input });
    else if (outcome === "ok" && summary.valid.length < job.keepValid) summary.valid.push({ k, input });
  }
  return summary;
}

/** Options of {@link runMutationCampaign}. */
export interface CampaignOptions {
  target: TargetName;
  corpus: Uint8Array[];
  seed: number;
  /** Stop starting batches after this time (ms since the epoch). */
  deadline: number;
  /** Inputs in total (default: unbounded). */
  iterations?: number;
  /** Time bound of one input (default 10 s). */
  limitMs?: number;
  /** Inputs per batch (default 1,000). */
  batch?: number;
  /** Valid inputs per batch handed to `onValid` (default 0). */
  keepValid?: number;
  /** A saved finding: input number, bytes and outcome. */
  onFinding(k: number, input: Uint8Array, outcome: string): void;
  /** A sample of the inputs that decoded fine. */
  onValid?(k: number, input: Uint8Array): Promise<void>;
  /** Called after every batch with the running total. */
  onProgress?(total: number): void;
}

/** Parent side: runs batches in one long-lived worker until the deadline; returns the outcome counts and total. */
export async function runMutationCampaign(
  o: CampaignOptions,
): Promise<{ counts: Record<string, number>; total: number }> {
  // Imported here: the worker side of this module must not load the pool (it starts workers).
  const { JobWorker } = await import("./_fuzz_pool.ts");
  const limitMs = o.limitMs ?? 10_000;
  const batchSize = o.batch ?? 1_000;
  const iterations = o.iterations ?? Infinity;
  const worker = new JobWorker(Infinity);
  const progressBuffer = new SharedArrayBuffer(8);
  const progress = new Int32Array(progressBuffer);
  const counts: Record<string, number> = {};
  const skip: number[] = [];
  let total = 0;
  let ready = false;
  let k = 0;
  try {
    while (k < iterations && Date.now() < o.deadline) {
      if (!ready) {
        const init = { type: "batch-init" as const, target: o.target, corpus: o.corpus, progress: progressBuffer };
        const r = await worker.run(init, 60_000);
        if (r.error !== undefined || r.timedOut) throw new Error(`mutation worker failed to start: ${r.error}`);
        ready = true;
      }
      const count = Math.min(batchSize, iterations - k);
      Atomics.store(progress, 0, k);
      let seen = Atomics.load(progress, 1);
      let since = Date.now();
      const job = { type: "batch" as const, seed: o.seed, from: k, count, skip, keepValid: o.keepValid ?? 0 };
      const run = worker.run(job, 24 * 3_600_000);
      const jobId = worker.currentId;
      const poll = setInterval(() => {
        const now = Atomics.load(progress, 1);
        if (now !== seen) {
          seen = now;
          since = Date.now();
        } else if (Date.now() - since > limitMs) worker.abort(jobId);
      }, Math.min(200, limitMs / 4));
      const r = await run;
      clearInterval(poll);
      if (r.timedOut || (r.error ?? "").startsWith("worker crashed")) {
        // The input the worker was on hung or crashed it: save it, then redo the batch without it.
        const bad = Atomics.load(progress, 0);
        const outcome = r.timedOut ? `bad:hang (over ${limitMs / 1000} s)` : `bad:${r.error}`;
        o.onFinding(bad, mutant(o.target, o.corpus, o.seed, bad), outcome);
        const head = outcome.startsWith("bad:hang") ? "bad:hang" : "bad:crash";
        counts[head] = (counts[head] ?? 0) + 1;
        total++;
        skip.push(bad);
        ready = false;
        continue;
      }
      if (r.error !== undefined) throw new Error(`mutation worker: ${r.error}`);
      const summary = r.batch as BatchSummary;
      total += summary.ran;
      for (const [head, n] of Object.entries(summary.counts)) counts[head] = (counts[head] ?? 0) + n;
      for (const f of summary.findings) o.onFinding(f.k, f.input, f.outcome);
      for (const v of summary.valid) await o.onValid?.(v.k, v.input);
      k += count;
      o.onProgress?.(total);
    }
  } finally {
    worker.terminate();
  }
  return { counts, total };
}
