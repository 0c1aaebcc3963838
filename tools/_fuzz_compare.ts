/**
 * Compares the step records of two engines on one module and names the first divergence.
 *
 * Normalisations (the ones Wasmtime's differential fuzzing also makes): every NaN compares equal to every NaN
 * (values are shown as JS numbers, so payloads are already gone); a step where either engine exhausted its stack,
 * its fuel or was interrupted ends the comparison (stack depth and fuel are engine-specific); a native run that
 * timed out ends the comparison at the step it was in. `memory.grow` success: Kiln runs with `maxMemoryBytes`
 * {@link FUZZ_MEMORY_LIMIT}; the comparison ends at the first step after which a native memory is larger.
 *
 * @module
 */
import type { JobResult } from "./_fuzz_pool.ts";
import type { Step } from "./_fuzz_exec.ts";
import { FUZZ_MEMORY_LIMIT } from "./_fuzz_engines.ts";

/** The first difference between two runs. */
export interface Divergence {
  /** Index of the step. */
  step: number;
  /** The step's label (instantiate / call …). */
  label: string;
  /** Which part differs: "outcome", "logs", "state", "missing-step" or "harness". */
  field: string;
  /** The two sides, in the order given to {@link compareRuns}. */
  a: string;
  b: string;
}

/** Result of {@link compareRuns}. */
export interface Comparison {
  divergence?: Divergence;
  /** Steps compared and found equal. */
  compared: number;
  /** Why the comparison stopped early, if it did: "stack", "fuel", "timeout(a)", "native-compile-error", … */
  stopped?: string;
}

function firstDiff(a: readonly string[], b: readonly string[]): [string, string] | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return [`#${i} ${a[i] ?? "<none>"} (of ${a.length})`, `#${i} ${b[i] ?? "<none>"} (of ${b.length})`];
    }
  }
  return undefined;
}

/**
 * Whether two outcomes agree. V8/JSC report NaN and out-of-range float-to-int conversions with one message
 * ("float-to-int"); Wasmtime, and so Kiln, distinguish "invalid conversion to integer" from "integer overflow".
 * JavaScriptCore reports `array.new_data`/`array.new_elem` out of the segment's bounds and an array too large to
 * allocate with one message ("segment-or-alloc"), and `array.init_data`/`init_elem` out of the array's range or
 * the segment's with another ("array-or-segment"); Kiln says "memory" (data), "table" (elements), "alloc" or
 * "array".
 */
export function sameOutcome(a: string, b: string): boolean {
  if (a === b) return true;
  const related = (x: string, y: string) =>
    (x === "trap:float-to-int" && (y === "trap:conversion" || y === "trap:int-overflow")) ||
    (x === "trap:segment-or-alloc" && (y === "trap:memory" || y === "trap:table" || y === "trap:alloc")) ||
    (x === "trap:array-or-segment" && (y === "trap:array" || y === "trap:memory" || y === "trap:table"));
  return related(a, b) || related(b, a);
}

/** One engine's run of one round; `limit` is set when the run was told to stop before step `limit`. */
export type RoundResult = Pick<JobResult, "steps" | "timedOut" | "error"> & Partial<JobResult> & { limit?: number };

/** Compares run `a` (the reference, native) against run `b` (Kiln). */
export function compareRuns(a: RoundResult, b: RoundResult): Comparison {
  if (a.error !== undefined) return { compared: 0, stopped: `harness error (a): ${a.error}` };
  if (b.error !== undefined) {
    return { compared: 0, divergence: { step: 0, label: "harness", field: "harness", a: "no error", b: b.error } };
  }
  const n = Math.min(a.steps.length, b.steps.length);
  let compared = 0;
  for (let i = 0; i < n; i++) {
    const x = a.steps[i]!;
    const y = b.steps[i]!;
    if (x.inconclusive || y.inconclusive) return { compared, stopped: x.inconclusive ?? y.inconclusive };
    if (x.state.some((e) => Number(/=mem (\d+) /.exec(e)?.[1] ?? 0) > FUZZ_MEMORY_LIMIT)) {
      return { compared, stopped: "memory-limit" };
    }
    if (i === 0 && x.outcome === "compile-error") return { compared, stopped: "native-compile-error" };
    // binaryen sometimes emits an instruction of a later proposal (e.g. ref.as_non_null): out of Kiln's scope.
    if (i === 0 && y.outcome.startsWith("unsupported:")) return { compared, stopped: y.outcome };
    const div = (field: string, p: string, q: string): Comparison => ({
      compared,
      divergence: { step: i, label: x.label, field, a: p, b: q },
    });
    if (x.label !== y.label) return div("label", x.label, y.label);
    if (!sameOutcome(x.outcome, y.outcome)) return div("outcome", x.outcome, y.outcome);
    const logs = firstDiff(x.logs, y.logs);
    if (logs) return div("logs", ...logs);
    const state = firstDiff(x.state, y.state);
    if (state) return div("state", ...state);
    compared++;
  }
  // Native was stopped before the step where Kiln ran out of fuel or stack (it could loop forever there).
  if (a.limit !== undefined && a.steps.length === a.limit && n === a.limit && b.steps[n]?.inconclusive) {
    return { compared, stopped: b.steps[n]!.inconclusive };
  }
  if (a.timedOut) {
    // Kiln finished the step native did not: with Kiln run first, native only runs steps Kiln completed within
    // its fuel, so this is suspicious (or a very slow native step); it is reported as its own stop reason.
    return { compared, stopped: b.steps.length > n ? "timeout(a) where kiln finished" : "timeout(a)" };
  }
  if (b.timedOut) {
    if (b.steps.length < a.steps.length) {
      return {
        compared,
        divergence: { step: n, label: a.steps[n]!.label, field: "hang", a: a.steps[n]!.outcome, b: "timed out" },
      };
    }
    return { compared, stopped: "timeout(b)" };
  }
  if (a.steps.length !== b.steps.length) {
    const longer = a.steps.length > b.steps.length ? a : b;
    const s = longer.steps[n]!;
    return {
      compared,
      divergence: {
        step: n,
        label: s.label,
        field: "missing-step",
        a: a.steps[n]?.outcome ?? "<none>",
        b: b.steps[n]?.outcome ?? "<none>",
      },
    };
  }
  return { compared };
}

/** A short key naming where a divergence is, used by the reducer to keep "the same" bug while shrinking. */
export function divergenceKey(d: Divergence): string {
  const name = d.label.startsWith("call ") ? d.label.slice(5, d.label.indexOf("(")) : d.label;
  return `${name}/${d.field}`;
}

/** Result of {@link compareRounds}: totals over the rounds, and the first divergence with its round. */
export interface RoundsComparison {
  /** Steps compared and found equal, over all rounds. */
  compared: number;
  /** Rounds compared (fully or up to a stop). */
  rounds: number;
  /** Why rounds stopped early, one entry per such round. */
  stopped: string[];
  divergence?: Divergence;
  /** The round of the divergence. */
  round?: number;
}

/**
 * Compares multi-round jobs round by round. `limits[r]` is the step limit native ran round `r` with. A round
 * missing on one side (its job timed out earlier, or was not asked to run it) ends the comparison.
 */
export function compareRounds(
  a: JobResult,
  b: JobResult,
  limits: readonly (number | undefined)[] = [],
): RoundsComparison {
  const ar = a.rounds ?? [a.steps];
  const br = b.rounds ?? [b.steps];
  const out: RoundsComparison = { compared: 0, rounds: 0, stopped: [] };
  const n = Math.min(ar.length, br.length);
  for (let r = 0; r < n; r++) {
    const last = (x: JobResult, rounds: Step[][]) => (x.timedOut || !x.done) && r === rounds.length - 1;
    const cmp = compareRuns(
      { steps: ar[r]!, timedOut: last(a, ar), error: a.error, limit: limits[r] },
      { steps: br[r]!, timedOut: last(b, br), error: b.error },
    );
    out.compared += cmp.compared;
    out.rounds++;
    if (cmp.stopped) out.stopped.push(cmp.stopped);
    if (cmp.divergence) return { ...out, divergence: cmp.divergence, round: r };
    if (a.error !== undefined || b.error !== undefined) break;
  }
  return out;
}
