/**
 * Collapsing of repeated backtrace frames, shared by the CLI's trap report (`lib/cli/report.ts`) and
 * `RuntimeError.stack` (`lib/errors.ts`): deep recursion (one frame repeating) or mutual recursion (a cycle of up to
 * {@link MAX_CYCLE} frames) is shown once, followed by one line counting the frames it stands for, so a stack
 * overflow is a screenful, not thousands of lines.
 *
 * @module
 */

/** Longest cycle of frames that is collapsed. */
export const MAX_CYCLE = 8;
/** Fewest back-to-back repetitions of a cycle that are collapsed (fewer are shown as they are). */
export const MIN_REPEATS = 4;

/** A stretch of frames: `period` frames from `start` shown, standing for `repeats` back-to-back copies of them. */
export interface FrameRun {
  /** Index of the first frame shown. */
  readonly start: number;
  /** How many frames are shown (the cycle's length; 1 for a single frame). */
  readonly period: number;
  /** How many times the shown frames repeat back to back (1: not collapsed). */
  readonly repeats: number;
}

/**
 * Splits frames (compared by their printed text) into runs: a cycle of 1 to {@link MAX_CYCLE} frames repeating at
 * least {@link MIN_REPEATS} times is one run; every other frame is a run of its own.
 *
 * @param text Each frame's printed text, innermost first.
 * @returns The runs in order; together they cover every frame.
 */
export function collapseRepeats(text: readonly string[]): FrameRun[] {
  const runs: FrameRun[] = [];
  for (let i = 0; i < text.length;) {
    const run = repetition(text, i);
    runs.push(run);
    i += run.period * run.repeats;
  }
  return runs;
}

/**
 * The line that stands for a collapsed run's hidden frames, e.g. `… 99,999 more frames repeating the frame above …`.
 *
 * @param run A run with `repeats > 1`.
 * @returns The line, without indentation.
 */
export function repeatsLine(run: FrameRun): string {
  const more = (run.repeats - 1) * run.period;
  const what = run.period === 1 ? "the frame above" : `the ${run.period} frames above`;
  return `… ${more.toLocaleString("en-US")} more frames repeating ${what} …`;
}

/** The shortest cycle starting at `i` that repeats often enough, or a single frame. */
function repetition(text: readonly string[], i: number): FrameRun {
  for (let period = 1; period <= MAX_CYCLE && i + 2 * period <= text.length; period++) {
    let repeats = 1;
    while (i + (repeats + 1) * period <= text.length && sameRun(text, i, i + repeats * period, period)) repeats++;
    if (repeats >= MIN_REPEATS) return { start: i, period, repeats };
  }
  return { start: i, period: 1, repeats: 1 };
}

function sameRun(text: readonly string[], a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (text[a + k] !== text[b + k]) return false;
  return true;
}
