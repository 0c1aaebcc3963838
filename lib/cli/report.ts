/**
 * Error reports in Wasmtime's shape: an error with its chain of causes, printed as anyhow's `{:?}` does
 * (`Error: …`, a blank line, `Caused by:`, then the causes, numbered when there are several), with a wasm trap's
 * backtrace as one cause (`error while executing at wasm backtrace:` and one line per frame) followed by
 * `wasm trap: <message>`.
 *
 * @module
 */

import type { WasmFrame } from "../errors.ts";
import { printable } from "../_printable.ts";
import { collapseRepeats, repeatsLine } from "../_repeats.ts";
import { demangle } from "../debug/demangle.ts";

/**
 * An error message with the context it happened in: `message` is the outermost context (what failed) and
 * `causes` the chain below it, innermost last. Each entry may span several lines.
 */
export class ReportedError extends Error {
  /** Causes, outermost first. */
  readonly causes: readonly string[];
  /** Exit status the CLI uses for this error (1 for errors, 134 for traps). */
  readonly exitCode: number;
  constructor(message: string, causes: readonly string[] = [], exitCode = 1) {
    super(message);
    this.name = "ReportedError";
    this.causes = causes;
    this.exitCode = exitCode;
  }
}

/**
 * Formats an error chain exactly as Rust's anyhow prints `Error: {e:?}`, with the characters a terminal
 * would act on escaped (`lib/_printable.ts`): the last line of defence for whatever a message quotes.
 *
 * @param message The outermost message.
 * @param causes The causes, outermost first.
 * @returns The text for stderr, ending with a newline.
 * @example
 * ```ts
 * import { formatChain } from "./report.ts";
 * console.log(formatChain("failed to read file: x.wasm", ["No such file or directory (os error 2)"]));
 * // Error: failed to read file: x.wasm
 * //
 * // Caused by:
 * //     No such file or directory (os error 2)
 * ```
 */
export function formatChain(message: string, causes: readonly string[]): string {
  message = printable(message, { lineBreaks: true });
  causes = causes.map((c) => printable(c, { lineBreaks: true }));
  let out = `Error: ${message}\n`;
  if (causes.length === 0) return out;
  out += "\nCaused by:\n";
  if (causes.length === 1) {
    out += causes[0].split("\n").map((line) => `    ${line}`).join("\n") + "\n";
    return out;
  }
  causes.forEach((cause, n) => {
    const lines = cause.split("\n");
    out += `${String(n).padStart(5)}: ${lines[0]}\n`;
    for (const line of lines.slice(1)) out += `       ${line}\n`;
  });
  return out;
}

/** Wasmtime's last line of a backtrace of a module with DWARF when source lines are off. */
export const DETAILS_HINT =
  "note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information";

/**
 * Formats a wasm backtrace as Wasmtime's `WasmBacktrace` displays it: a header line, then per frame
 * `  {index:>3}: {offset:#6x} - {module}!{function}`. The module is the name in its `name` section (wasm-ld writes
 * the output file's name there; rustc's link does not), `<unknown>` without one; the function is its `name`
 * section name (Rust symbols demangled), `<wasm function N>` without one. A frame with a source position
 * (`StoreOptions.debugInfo`) is shown as Wasmtime shows it with `WASMTIME_BACKTRACE_DETAILS=1`: the function without
 * its module, then a line `                    at file:line:column`.
 *
 * Unlike Wasmtime, a run of frames that repeats (deep recursion: one frame, or a cycle of up to 8 frames;
 * `lib/_repeats.ts`) is shown once, followed by one line counting the frames it stands for, so a stack
 * overflow is a screenful, not thousands of lines. `RuntimeError.backtrace` keeps every frame.
 *
 * @param frames The frames, innermost first.
 * @param defaultModuleName Shown for frames whose module has no name, `<unknown>` as in Wasmtime by default.
 * @param options `hintDetails`: end with Wasmtime's note that `WASMTIME_BACKTRACE_DETAILS=1` may show more (given
 *   when a module has DWARF that was not read).
 * @returns The text, without a final newline.
 * @example
 * ```ts
 * import { formatBacktrace } from "./report.ts";
 * console.log(formatBacktrace([{ funcIndex: 3, funcName: "main", offset: 0x1a2 }]));
 * // error while executing at wasm backtrace:
 * //     0:  0x1a2 - <unknown>!main
 * ```
 */
export function formatBacktrace(
  frames: readonly WasmFrame[],
  defaultModuleName = "<unknown>",
  options: { hintDetails?: boolean } = {},
): string {
  const text = frames.map((frame) => {
    const module = frame.moduleName ?? defaultModuleName;
    const func = frame.funcName !== undefined ? demangle(frame.funcName) : `<wasm function ${frame.funcIndex}>`;
    const offset = frame.offset >= 0 ? `${("0x" + frame.offset.toString(16)).padStart(6)} - ` : "";
    if (frame.file === undefined) return `${offset}${module}!${func}`;
    // With a source position, Wasmtime names the function without its module and adds an `at` line.
    const column = frame.column !== undefined ? `:${frame.column}` : "";
    return `${offset}${func}\n                    at ${frame.file}:${frame.line}${column}`;
  });
  const lines = ["error while executing at wasm backtrace:"];
  for (const run of collapseRepeats(text)) {
    for (let k = run.start; k < run.start + run.period; k++) lines.push(`  ${String(k).padStart(3)}: ${text[k]}`);
    if (run.repeats > 1) lines.push(`       ${repeatsLine(run)}`);
  }
  if (options.hintDetails) lines.push(DETAILS_HINT);
  return lines.join("\n");
}

/** Wasmtime's text for traps whose short names differ from its `Display` of the trap code. */
const WASMTIME_TRAP_TEXT: Record<string, string> = {
  "unreachable": "wasm `unreachable` instruction executed",
  "unreachable executed": "wasm `unreachable` instruction executed",
  "out of bounds table access": "undefined element: out of bounds table access",
};

/**
 * The last line of a trap report: `wasm trap: ` and Wasmtime's description of the trap.
 *
 * @param message The RuntimeError's message (Kiln uses Wasmtime's wording; a few short spec names are expanded).
 * @returns For example `wasm trap: wasm \`unreachable\` instruction executed`.
 * @example
 * ```ts
 * import { trapLine } from "./report.ts";
 * console.log(trapLine("integer divide by zero")); // "wasm trap: integer divide by zero"
 * ```
 */
export function trapLine(message: string): string {
  return `wasm trap: ${WASMTIME_TRAP_TEXT[message] ?? message}`;
}

const OS_ERRORS: Record<string, [number, string]> = {
  EPERM: [1, "Operation not permitted"],
  ENOENT: [2, "No such file or directory"],
  EIO: [5, "Input/output error"],
  EACCES: [13, "Permission denied"],
  EEXIST: [17, "File exists"],
  ENOTDIR: [20, "Not a directory"],
  EISDIR: [21, "Is a directory"],
  EINVAL: [22, "Invalid argument"],
  EMFILE: [24, "Too many open files"],
  ENOSPC: [28, "No space left on device"],
  ELOOP: [40, "Too many levels of symbolic links"],
  EADDRINUSE: [98, "Address already in use"],
  EADDRNOTAVAIL: [99, "Cannot assign requested address"],
};

/**
 * Describes a host I/O error as Rust's `std::io::Error` displays it, e.g. `No such file or directory (os error 2)`.
 *
 * @param e An error from `node:fs` (with a `code` such as `ENOENT`), or anything else.
 * @returns The description.
 * @example
 * ```ts
 * import { describeOsError } from "./report.ts";
 * console.log(describeOsError(Object.assign(new Error("x"), { code: "ENOENT" })));
 * ```
 */
export function describeOsError(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && Object.hasOwn(OS_ERRORS, code)) {
    const [errno, text] = OS_ERRORS[code];
    return `${text} (os error ${errno})`;
  }
  return e instanceof Error ? e.message : String(e);
}
