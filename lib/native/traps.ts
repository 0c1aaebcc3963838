/**
 * The native engine's traps: a host `WebAssembly.RuntimeError` (V8's or JavaScriptCore's wording) becomes Kiln's
 * {@link RuntimeError} with the trap code of `trap_codes.ts`, a host stack overflow (`RangeError`) becomes "call
 * stack exhausted", and the backtrace is read from the host's stack text where it names wasm frames.
 *
 * Backtraces: V8 writes `wasm-function[i]:0xOFFSET` per wasm frame; the offset says which function body of the
 * compiled binary the frame is in, hence the original function index and its name-section name, and where in the
 * body, which `offsets.ts` maps back to the original instruction (so source lines and offsets are the
 * interpreter's, also for instrumented code).
 * JavaScriptCore's stack text (Bun 1.4) shows each wasm frame as `at unknown`, but its call sites, which
 * `Error.prepareStackTrace` receives, name the function: `.wasm-function[i]` (its index) or `.wasm-function[name]`
 * (its name-section name). So traps on Bun have every frame of the called module with its function, but no
 * offset (-1), hence no source line (measured on Bun 1.4.5); a frame whose name is none of that module's defined
 * functions (another module's) is left out. On V8 each frame's script names its module (`offsets.ts`), so frames
 * of several modules (a call through an import or a table) each name their own.
 * Where the host's wording is ambiguous, the instrumenter's guards record the trap (`instrument.ts` Access.TakeTrap).
 *
 * @module
 */

import { isStackOverflow, RuntimeError, type WasmFrame } from "../errors.ts";
import { trap, TrapCode, trapWithMessage } from "../trap_codes.ts";
import type { Module as DecodedModule } from "../binary/module.ts";
import { wasmFrame } from "../debug/source_lines.ts";
import { GuardTrap, originalFuncIndex } from "./instrument.ts";
import { GcGuardTrap } from "./gc_guards.ts";
import { bodyAt, codeOfScript, type CompiledCode, originalOffset } from "./offsets.ts";

/** Host trap messages (V8, then JavaScriptCore), in the order they are tried, and Kiln's code for each. */
const HOST_MESSAGES: readonly [RegExp, TrapCode][] = [
  [/^unreachable|unreachable code/i, TrapCode.UnreachableCodeReached],
  // GC (V8, then JavaScriptCore), before the generic "out of bounds" and null patterns below.
  [/illegal cast|failed to cast/i, TrapCode.CastFailure],
  [/array element access out of bounds|out of bounds array/i, TrapCode.ArrayOutOfBounds],
  [/requested new array is too large|failed to allocate new array/i, TrapCode.AllocationTooLarge],
  [/integer overflow|divide result unrepresentable/i, TrapCode.IntegerOverflow],
  [/divide by zero|remainder by zero|division by zero/i, TrapCode.IntegerDivisionByZero],
  [/unrepresentable|out of bounds trunc/i, TrapCode.BadConversionToInteger],
  [/memory access out of bounds|out of bounds memory access|data segment/i, TrapCode.MemoryOutOfBounds],
  [/null function|null table entry|uninitialized/i, TrapCode.IndirectCallToNull],
  [/signature mismatch|does not match|type mismatch/i, TrapCode.BadSignature],
  [/out of bounds call_indirect/i, TrapCode.UndefinedElement],
  [/table index is out of bounds|out of bounds table|element segment/i, TrapCode.TableOutOfBounds],
  [/dereferencing a null|null reference|null pointer|null value/i, TrapCode.NullReference],
  [/out of bounds/i, TrapCode.MemoryOutOfBounds],
];

/** `call_indirect` and `return_call_indirect`: V8 says "table index is out of bounds" for their undefined element. */
const CALL_INDIRECT = new Set([0x11, 0x13]);
/** `call_ref` and `return_call_ref`, whose null trap the interpreter words "null function reference". */
const CALL_REF = new Set([0x14, 0x15]);

/**
 * A wasm frame in the stack text: `wasm-function[i]` and V8's offset, when present; JavaScriptCore's call sites
 * write `.wasm-function[i]`, or `.wasm-function[name]` with the function's name-section name.
 */
const FRAME = /([^\s(]*?)[:.]?wasm-function\[([^\]]*)\](?::0x([0-9a-f]+))?/g;

/** A wasm frame read from a host's stack text: its module, function and original offset (-1: unknown). */
export interface HostFrame {
  readonly code: CompiledCode;
  readonly funcIndex: number;
  readonly offset: number;
  /** The frame's script as the host names it (V8: `wasm://wasm/NAME-HASH`, one per module), or "". */
  readonly script: string;
}

/**
 * The wasm frames of a host's stack text, innermost first. On V8 each frame's script names its module
 * (`offsets.ts` {@link codeOfScript}); frames of modules Kiln did not compile (trampolines, dispatchers) are left
 * out. JavaScriptCore's frames do not say: they are read as frames of `code`'s module.
 *
 * @param stack the host's stack text ({@link stackText})
 * @param code the module whose code ran, as compiled
 * @returns the frames
 */
export function hostFrames(stack: string, code: CompiledCode): HostFrame[] {
  const frames: HostFrame[] = [];
  const withOffsets = /wasm-function\[\d+\]:0x/.test(stack);
  for (const m of stack.matchAll(FRAME)) {
    if (withOffsets && m[3] === undefined) continue; // not a frame line
    const script = m[1]!;
    const own = codeOfScript(script);
    if (own === undefined) continue; // not a module Kiln compiled
    const c = own ?? code;
    const module = c.decoded;
    if (m[3] !== undefined) {
      // Why the offset and not V8's index: V8 numbers wasm-function[] by its own scheme; the offset is exact.
      const at = parseInt(m[3], 16);
      const body = bodyAt(c.bytes, at);
      if (body < 0) continue;
      frames.push({ code: c, funcIndex: module.importedFuncs + body, offset: originalOffset(c, body, at), script });
    } else if (/^\d+$/.test(m[2]!)) {
      const index = Number(m[2]);
      const metered = c.options.fuel ?? true;
      if (metered && index === module.importedFuncs) continue; // the checkpoint hook
      frames.push({ code: c, funcIndex: metered ? originalFuncIndex(module, index) : index, offset: -1, script });
    } else {
      const index = funcIndexOfName(module, m[2]!);
      if (index >= 0) frames.push({ code: c, funcIndex: index, offset: -1, script }); // else: another module's
    }
  }
  return frames;
}

/**
 * The wasm frames of a host error's stack text, innermost first, as a trap's backtrace.
 *
 * @param stack the host's stack text ({@link stackText})
 * @param code the module whose code ran, as compiled
 * @param debugInfo whether frames carry source positions (`StoreOptions.debugInfo`)
 * @returns the frames
 */
export function hostBacktrace(stack: string, code: CompiledCode, debugInfo: boolean): WasmFrame[] {
  return hostFrames(stack, code).map((f) => {
    const module = f.code.decoded;
    return wasmFrame(module, f.funcIndex, f.offset, module.names.module, debugInfo);
  });
}

/** Defined function index by name-section name, per module (the first of a name), for JSC's frames' names. */
const byName = new WeakMap<DecodedModule, Map<string, number>>();

function funcIndexOfName(module: DecodedModule, name: string): number {
  let names = byName.get(module);
  if (names === undefined) {
    byName.set(module, names = new Map());
    // Defined functions only: an import's name (often its export's) is never a frame of this module.
    for (const [index, n] of module.names.functions) {
      if (index >= module.importedFuncs && !names.has(n)) names.set(n, index);
    }
  }
  return names.get(name) ?? -1;
}

/**
 * The host's stack text of an error (a trap, or one made to sample the stack), read the first time with every call site on a line as the host prints it. Why:
 * V8 and JavaScriptCore (Bun) both format a stack when it is first read, through `Error.prepareStackTrace` when
 * set, and JSC's call sites name wasm frames (`.wasm-function[i]`) where its default text says `at unknown`.
 */
export function stackText(e: Error): string {
  const E = Error as { prepareStackTrace?: unknown };
  const saved = E.prepareStackTrace;
  E.prepareStackTrace = (_: unknown, sites: unknown[]) => sites.map((s) => `    at ${String(s)}`).join("\n");
  try {
    const stack = (e as { stack?: unknown }).stack;
    return typeof stack === "string" ? stack : "";
  } catch {
    return "";
  } finally {
    E.prepareStackTrace = saved;
  }
}

/**
 * A host error thrown out of native code, as Kiln's error: a host trap as a {@link RuntimeError} with its code, a
 * stack overflow as "call stack exhausted"; anything else (a host import's own error, Kiln's errors) unchanged.
 *
 * @param e what the host threw
 * @param code the module of the call, as compiled
 * @param debugInfo whether frames carry source positions (`StoreOptions.debugInfo`)
 * @param guard the code an instrumented guard recorded before trapping (`instrument.ts` Access.TakeTrap), or 0
 * @param elementIndex the index the last `call_indirect` of an instance of a module used (`instrument.ts`
 *   Access.ReadElem), for the message of a null entry's trap
 * @returns the error to throw
 */
export function mapHostError(
  e: unknown,
  code: CompiledCode,
  debugInfo: boolean,
  guard = 0,
  elementIndex?: (code: CompiledCode) => bigint | undefined,
): unknown {
  if (e instanceof RuntimeError) return e;
  if (isStackOverflow(e)) return withFrames(trap(TrapCode.StackOverflow), stackText(e as Error), code, debugInfo);
  if (e instanceof WebAssembly.RuntimeError) {
    const message = e.message;
    let trapCode = HOST_MESSAGES.find(([re]) => re.test(message))?.[1];
    if (trapCode === undefined) return e;
    const stack = stackText(e);
    const site = trapSite(stack, code);
    const { op, code: own } = site;
    if (trapCode === TrapCode.BadConversionToInteger) trapCode = TrapCode.IntegerOverflow; // NaN met the guard first
    if (trapCode === TrapCode.UnreachableCodeReached && guard !== 0) {
      const message = GUARD_MESSAGES[guard];
      if (message !== undefined) {
        return withFrames(trapWithMessage(GUARD_CODES[guard]!, message), stack, code, debugInfo);
      }
      trapCode = GUARD_CODES[guard] ?? trapCode;
    }
    if (trapCode === TrapCode.TableOutOfBounds && CALL_INDIRECT.has(op)) trapCode = TrapCode.UndefinedElement;
    const gcNull = trapCode === TrapCode.NullReference ? gcNullMessage(site, message) : undefined;
    if (gcNull !== undefined) return withFrames(trapWithMessage(trapCode, gcNull), stack, code, debugInfo);
    if (trapCode === TrapCode.NullReference && CALL_REF.has(op) || guard === GuardTrap.NullFunctionReference) {
      return withFrames(trapWithMessage(trapCode, "null function reference"), stack, code, debugInfo);
    }
    // The interpreter's message of a null entry names the element: the index the call left in the element-index global.
    const detail = trapCode === TrapCode.IndirectCallToNull ? elementIndex?.(own) : undefined;
    return withFrames(trap(trapCode, detail === undefined ? undefined : String(detail)), stack, code, debugInfo);
  }
  return e;
}

/** The trap of each guard code (`instrument.ts` {@link GuardTrap}). */
const GUARD_CODES: Record<number, TrapCode> = {
  [GuardTrap.NullFunctionReference]: TrapCode.NullReference,
  [GuardTrap.BadConversion]: TrapCode.BadConversionToInteger,
  [GuardTrap.UndefinedElement]: TrapCode.UndefinedElement,
  [GuardTrap.IndirectCallToNull]: TrapCode.IndirectCallToNull,
  [GuardTrap.MemoryGrowFailed]: TrapCode.MemoryGrowFailed,
  [GuardTrap.TableGrowFailed]: TrapCode.TableGrowFailed,
  [GuardTrap.StackOverflow]: TrapCode.StackOverflow,
  [GcGuardTrap.NullStruct]: TrapCode.NullReference,
  [GcGuardTrap.NullArray]: TrapCode.NullReference,
  [GcGuardTrap.ArrayOutOfBounds]: TrapCode.ArrayOutOfBounds,
  [GcGuardTrap.DataOutOfBounds]: TrapCode.MemoryOutOfBounds,
  [GcGuardTrap.ElemOutOfBounds]: TrapCode.TableOutOfBounds,
};

/** The whole message of a guard's trap where it is not its code's table message (the interpreter's wording). */
const GUARD_MESSAGES: Record<number, string> = {
  [GcGuardTrap.NullStruct]: "null structure reference",
  [GcGuardTrap.NullArray]: "null array reference",
};

/** Where a trap happened: its module, and the offset and opcode there (-1 without an offset). */
interface TrapSite {
  readonly code: CompiledCode;
  readonly at: number;
  readonly op: number;
}

/** Where a trap happened, from V8's offset of the innermost wasm frame: its module (by the frame's script). */
function trapSite(stack: string, code: CompiledCode): TrapSite {
  const m = /(\S*?)[:.]wasm-function\[\d+\]:0x([0-9a-f]+)/.exec(stack);
  if (m === null) return { code, at: -1, op: -1 };
  const own = codeOfScript(m[1]!.replace(/^\(/, "")) ?? code;
  const at = parseInt(m[2]!, 16);
  return { code: own, at, op: own.bytes[at] ?? -1 };
}

/** GC's `0xfb` sub-opcodes that trap on a null struct, array or i31 reference (the interpreter's wording of each). */
const GC_NULL: Record<number, string> = {};
for (const sub of [2, 3, 4, 5]) GC_NULL[sub] = "null structure reference"; // struct.get*, struct.set
for (const sub of [11, 12, 13, 14, 15, 16, 17, 18, 19]) GC_NULL[sub] = "null array reference"; // array.get* … init
for (const sub of [29, 30]) GC_NULL[sub] = "null i31 reference"; // i31.get_s, i31.get_u

/**
 * The interpreter's message for a null-reference trap of a GC instruction: read from the trapping instruction on V8
 * (its `0xfb` sub-opcode; array.copy's null operand is the array's), from JavaScriptCore's wording of i31.get; else
 * undefined (the generic "null reference").
 */
function gcNullMessage(site: TrapSite, message: string): string | undefined {
  if (/^i31\.get/.test(message)) return GC_NULL[29];
  const bytes = site.code.bytes;
  return site.op === 0xfb ? GC_NULL[bytes[site.at + 1]!] : undefined; // sub-opcodes below 128: one byte
}

function withFrames(t: RuntimeError, stack: string, code: CompiledCode, debugInfo: boolean): RuntimeError {
  t.backtrace = hostBacktrace(stack, code, debugInfo);
  return t;
}

/** Native calls running (or suspended), and the embedder's `Error.stackTraceLimit` from before the first began. */
let running = 0, embedderLimit: number | undefined;

/**
 * Raises `Error.stackTraceLimit` to all frames while a native call runs, so a trap's backtrace has every wasm frame
 * as the interpreter's has (hosts capture 10 frames by default, when the host error is made); restored when the
 * last call running or suspended ends. While a guest is suspended, the embedder's own errors get full stacks too.
 *
 * @returns the function that ends the hold (once)
 */
export function holdFullStacks(): () => void {
  const E = Error as { stackTraceLimit?: number };
  if (running++ === 0) {
    embedderLimit = E.stackTraceLimit;
    E.stackTraceLimit = Infinity;
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--running === 0) E.stackTraceLimit = embedderLimit;
  };
}
