/**
 * The error classes every layer throws. Names and shapes follow the standard WebAssembly JS API
 * (`CompileError`, `LinkError`, `RuntimeError`) so code written for it reads the same; messages follow Wasmtime's
 * wording (DESIGN.md).
 *
 * @module
 */

import type { TrapCode } from "./trap_codes.ts";
import { collapseRepeats, repeatsLine } from "./_repeats.ts";

/**
 * A module is malformed (cannot be decoded) or invalid (fails validation). `offset` is the byte offset in the
 * binary where the problem was found, when known.
 *
 * @example Catching a compile error
 * ```ts
 * import { CompileError, compile } from "../mod.ts";
 * try {
 *   await compile(new Uint8Array([0, 1, 2]));
 * } catch (e) {
 *   if (!(e instanceof CompileError)) throw e;
 * }
 * ```
 */
export class CompileError extends Error {
  /** Byte offset in the module binary, or -1 when unknown. */
  readonly offset: number;
  /**
   * Creates a compile error.
   * @param message What is malformed or invalid, in the spec's wording.
   * @param offset Byte offset in the module binary, or -1 when unknown.
   */
  constructor(message: string, offset = -1) {
    super(message);
    this.name = "CompileError";
    this.offset = offset;
  }
}

/**
 * The bytes ran out in the middle of something (the spec's "unexpected end"). A {@link CompileError}; the decoder
 * and validator tell it apart by class to report "unexpected end of section or function" inside a section.
 *
 * @example
 * ```ts
 * import { CompileError, UnexpectedEndError } from "./errors.ts";
 * const e = new UnexpectedEndError(8);
 * console.log(e instanceof CompileError, e.message); // true "unexpected end"
 * ```
 */
export class UnexpectedEndError extends CompileError {
  /**
   * Creates the error.
   * @param offset Where the bytes ran out.
   */
  constructor(offset: number) {
    super("unexpected end", offset);
  }
}

/**
 * Instantiation failed to resolve or match an import: which import and why, in Wasmtime's wording
 * ("unknown import: `env::f` has not been defined", "incompatible import type for `env::f`").
 *
 * @example
 * ```ts
 * import { LinkError } from "../mod.ts";
 * const e = new LinkError("unknown import: `env::f` has not been defined");
 * console.log(e.name); // "LinkError"
 * ```
 */
export class LinkError extends Error {
  /**
   * Creates a link error.
   * @param message Which import failed to link and why.
   */
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}

/** One frame of a wasm backtrace, innermost first. */
export interface WasmFrame {
  /** Function index in the module's function index space. */
  readonly funcIndex: number;
  /** Function name from the `name` section, if any. */
  readonly funcName?: string;
  /** Module name from the `name` section, if any. */
  readonly moduleName?: string;
  /** Byte offset of the trapping or calling instruction in the module binary, or -1 when unknown. */
  readonly offset: number;
  /**
   * Source file of the instruction, from the module's DWARF line table; set only in a store created with
   * `debugInfo: true` (Wasmtime's `WASMTIME_BACKTRACE_DETAILS`) and when the table covers the instruction.
   */
  readonly file?: string;
  /** Source line (1-based) of the instruction, set with {@link WasmFrame.file}. */
  readonly line?: number;
  /** Source column (1-based) of the instruction, set with {@link WasmFrame.file} when the table gives one (not 0). */
  readonly column?: number;
}

/**
 * A trap: WebAssembly code stopped at a runtime error. `message` is Wasmtime's text for the trap
 * ("integer divide by zero", "out of bounds memory access", "all fuel consumed by WebAssembly", …) and
 * `backtrace` lists the wasm frames that were active, innermost first.
 *
 * `stack` reads as a JS stack: `RuntimeError [code]: message` (the code as Node prints its errors' codes), then
 * one `at` line per wasm frame, innermost first, with a run of repeating frames (recursion) shown once and a
 * line counting the rest, then the host's JS frames. `backtrace` keeps every frame.
 *
 * @example
 * ```ts
 * import { RuntimeError } from "../mod.ts";
 * const trap = new RuntimeError("unreachable");
 * console.log(trap.message); // "unreachable"
 * ```
 *
 * @example A deep recursion's stack is a screenful
 * ```ts
 * import { RuntimeError } from "../mod.ts";
 * const frames = Array.from({ length: 1000 }, () => ({ funcIndex: 1, funcName: "f", offset: 0x30 }));
 * const trap = new RuntimeError("call stack exhausted", frames, "StackOverflow");
 * const lines = trap.stack!.split("\n");
 * if (lines[0] !== "RuntimeError [StackOverflow]: call stack exhausted") throw new Error(lines[0]);
 * if (lines[2] !== "    … 999 more frames repeating the frame above …") throw new Error(lines[2]);
 * ```
 */
export class RuntimeError extends Error {
  /** The wasm frames that were active when the trap happened, innermost first. */
  backtrace: readonly WasmFrame[];
  /** The kind of trap (`trap_codes.ts`); undefined for a RuntimeError made by host code. */
  readonly code: TrapCode | undefined;
  /**
   * Creates a trap.
   * @param message The trap's message, in Wasmtime's wording.
   * @param backtrace The active wasm frames, innermost first.
   * @param code The kind of trap, when Kiln raises it (see `TrapCode`).
   */
  constructor(message: string, backtrace: readonly WasmFrame[] = [], code?: TrapCode) {
    super(message);
    this.name = "RuntimeError";
    this.backtrace = backtrace;
    this.code = code;
    // Why an accessor: engines fill `backtrace` after construction, and the text is only composed when read.
    const host = Object.getOwnPropertyDescriptor(this, "stack");
    let assigned: string | undefined;
    Object.defineProperty(this, "stack", {
      configurable: true,
      enumerable: false,
      get: () => assigned ?? trapStack(this, host?.get !== undefined ? host.get.call(this) : host?.value),
      set: (text: string) => (assigned = text),
    });
  }
}

/** `RuntimeError.stack`'s text: header, collapsed wasm frames, then the host's JS frames from `hostStack`. */
function trapStack(trap: RuntimeError, hostStack: unknown): string {
  const header = `${trap.name}${trap.code !== undefined ? ` [${trap.code}]` : ""}: ${trap.message}`;
  const text = trap.backtrace.map((frame) => {
    const func = frame.funcName ?? `wasm-function[${frame.funcIndex}]`;
    const offset = frame.offset >= 0 ? `:0x${frame.offset.toString(16)}` : "";
    const source = frame.file !== undefined
      ? ` ${frame.file}${frame.line !== undefined ? `:${frame.line}` : ""}${
        frame.column !== undefined ? `:${frame.column}` : ""
      }`
      : "";
    return `    at ${func} (${frame.moduleName ?? "wasm"}:wasm-function[${frame.funcIndex}]${offset})${source}`;
  });
  const lines = [header];
  for (const run of collapseRepeats(text)) {
    lines.push(...text.slice(run.start, run.start + run.period));
    if (run.repeats > 1) lines.push(`    ${repeatsLine(run)}`);
  }
  // V8 starts its stack with "Name: message" (possibly several lines); JavaScriptCore lists only frames.
  let host = typeof hostStack === "string" ? hostStack : "";
  const own = `${trap.name}: ${trap.message}`;
  if (host.startsWith(own)) host = host.slice(own.length).replace(/^\n/, "");
  if (host !== "") lines.push(...host.split("\n").map((line) => line.startsWith(" ") ? line : `    at ${line}`));
  return lines.join("\n");
}

/**
 * Whether `e` is the host engine's JS stack overflow: a RangeError "Maximum call stack size exceeded" (V8's wording;
 * JavaScriptCore adds a final period). Why a message test: engines throw no distinct class or code for it.
 *
 * @internal
 */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.startsWith("Maximum call stack size exceeded");
}

/** Alias of {@link RuntimeError}, under Wasmtime's name for it. */
export const Trap: typeof RuntimeError = RuntimeError;
/** Alias of {@link RuntimeError}, under Wasmtime's name for it. */
export type Trap = RuntimeError;

/**
 * Thrown through the wasm stack by WASI `proc_exit`: not an error for the CLI, which exits with `code`.
 *
 * @example
 * ```ts
 * import { WasiExit } from "../mod.ts";
 * const exit = new WasiExit(3);
 * console.log(exit.code); // 3
 * ```
 */
export class WasiExit extends Error {
  /** The exit code the guest passed to `proc_exit`. */
  readonly code: number;
  /**
   * Creates the exit signal.
   * @param code The exit code the guest passed to `proc_exit`.
   */
  constructor(code: number) {
    super(`exit with code ${code}`);
    this.name = "WasiExit";
    this.code = code;
  }
}

/**
 * A module uses a WebAssembly feature Kiln does not implement: WebAssembly 3.0's GC, or a later proposal (threads,
 * …). A {@link CompileError} whose message is always `unsupported: <feature>`, so conformance runners can count it
 * apart from failures.
 *
 * @example
 * ```ts
 * import { UnsupportedFeatureError } from "./errors.ts";
 * const e = new UnsupportedFeatureError("gc");
 * console.log(e.message); // "unsupported: gc"
 * ```
 */
export class UnsupportedFeatureError extends CompileError {
  /** The feature's name as in `lib/binary/opcodes.ts` (`gc`, `threads`, …). */
  readonly feature: string;
  /**
   * Creates the error for one unsupported feature.
   * @param feature The feature's name.
   * @param offset Byte offset in the module binary, or -1 when unknown.
   */
  constructor(feature: string, offset = -1) {
    super(`unsupported: ${feature}`, offset);
    this.name = "UnsupportedFeatureError";
    this.feature = feature;
  }
}
