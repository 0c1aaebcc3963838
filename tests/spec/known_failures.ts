/**
 * Spec commands known to fail for a reason outside the engine under test, by file (relative to the testsuite
 * root) and line. They are reported apart ("known") in the scoreboard and do not fail the spec tests; any
 * other failure does. Every entry names its reason; remove an entry when its cause is fixed.
 *
 * @module
 */

/** Why a command is expected to fail. */
export interface KnownFailure {
  readonly engines: readonly ("kiln" | "native")[];
  readonly reason: string;
}

const STALE_MVP = "stale assertion from the threads proposal's MVP base (lifted in WebAssembly 2.0/3.0)";

const CAST_NULLABILITY = "custom descriptors (not implemented) lets br_on_cast's target type be nullable when the " +
  "operand's is not; Kiln and V8 implement 3.0's rule, which the top-level br_on_cast.wast asserts";

const TRAMPOLINE_TYPES = "the native runner's trampolines (f32/f64 results as raw bits) import the export as a " +
  "final function type of their own; the host rightly refuses a non-final or recursion-group type there";

/** `file` → `line` → reason. */
export const KNOWN_FAILURES: Record<string, Record<number, KnownFailure>> = {
  "proposals/threads/imports.wast": {
    309: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple tables"` },
    313: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple tables"` },
    317: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple tables"` },
    404: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple memories"` },
    408: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple memories"` },
    412: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple memories"` },
    501: {
      engines: ["kiln"],
      reason: "needs `spectest::shared_memory` (threads), which Kiln's spectest module cannot provide",
    },
  },
  "proposals/threads/memory.wast": {
    14: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple memories"` },
    15: { engines: ["kiln", "native"], reason: `${STALE_MVP}: "multiple memories"` },
    83: { engines: ["kiln", "native"], reason: `${STALE_MVP}: memory limits are u64 literals in the 3.0 text format` },
    87: { engines: ["kiln", "native"], reason: `${STALE_MVP}: memory limits are u64 literals in the 3.0 text format` },
    91: { engines: ["kiln", "native"], reason: `${STALE_MVP}: memory limits are u64 literals in the 3.0 text format` },
  },
  "proposals/custom-descriptors/br_on_cast.wast": {
    211: { engines: ["kiln", "native"], reason: CAST_NULLABILITY },
  },
  "proposals/custom-descriptors/br_on_cast_fail.wast": {
    226: { engines: ["kiln", "native"], reason: CAST_NULLABILITY },
  },
  "type-subtyping.wast": Object.fromEntries(
    [971, 972, 973, 974, 975, 976].map((line) => [line, { engines: ["native"], reason: TRAMPOLINE_TYPES }]),
  ),
  "table.wast": {
    9: { engines: ["native"], reason: "V8/JSC implementation limit on table size (10,000,000 elements)" },
  },
};

/** The known-failure reason of a command, or `undefined`. */
export function knownFailure(file: string, line: number, engine: "kiln" | "native"): string | undefined {
  const entry = KNOWN_FAILURES[file]?.[line];
  return entry && entry.engines.includes(engine) ? entry.reason : undefined;
}
