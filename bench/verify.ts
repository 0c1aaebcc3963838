/**
 * Checks a benchmark's captured output against the files the suite expects.
 *
 * @module
 */

/** What a run printed. */
export interface CapturedOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** What the suite expects; an undefined stream is not checked. */
export interface ExpectedOutput {
  readonly expectedStdout?: string;
  readonly expectedStderr?: string;
}

/**
 * Describes where two strings first differ, with a short excerpt of each side around that point.
 *
 * @param expected the expected text
 * @param actual the produced text
 * @returns undefined when equal, else e.g. `at byte 12: expected "foo", got "fob"`
 * @example
 * ```ts
 * import { describeDifference } from "./verify.ts";
 * console.log(describeDifference("abc", "abd")); // at byte 2: expected "c", got "d"
 * ```
 */
export function describeDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const excerpt = (s: string) => JSON.stringify(s.slice(i, i + 40));
  return `at byte ${i}: expected ${excerpt(expected)}, got ${excerpt(actual)}` +
    (expected.length !== actual.length ? ` (lengths ${expected.length} and ${actual.length})` : "");
}

/**
 * Compares captured stdout and stderr against the expected files.
 *
 * @param expected the expected streams (a missing one is not checked)
 * @param actual the captured streams
 * @returns one message per mismatching stream; empty when the output is as expected
 * @example A mismatch on stdout
 * ```ts
 * import { verifyOutput } from "./verify.ts";
 * const problems = verifyOutput({ expectedStdout: "ok\n" }, { stdout: "no\n", stderr: "" });
 * console.log(problems); // [ 'stdout differs at byte 0: expected "ok\\n", got "no\\n"' ]
 * ```
 */
export function verifyOutput(expected: ExpectedOutput, actual: CapturedOutput): string[] {
  const problems: string[] = [];
  const check = (stream: "stdout" | "stderr", want: string | undefined, got: string) => {
    if (want === undefined) return;
    const diff = describeDifference(want, got);
    if (diff !== undefined) problems.push(`${stream} differs ${diff}`);
  };
  check("stdout", expected.expectedStdout, actual.stdout);
  check("stderr", expected.expectedStderr, actual.stderr);
  return problems;
}
