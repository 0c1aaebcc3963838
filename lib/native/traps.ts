/**
 * The native engine's traps: a host `WebAssembly.RuntimeError` (V8's or JavaScriptCore's wording) becomes Kiln's
 * {@link RuntimeError} with the trap code of `trap_codes.ts`, a host stack overflow (`RangeError`) becomes "call
 * stack exhausted", and the backtrace is read from the host's stack text where it names wasm frames.
 *
 * Backtraces: V8 writes `wasm-function[i]:0xOFFSET` per wasm frame; the offset says which function body of the
 * compiled binary the frame is in, hence the original function index and its name-section name. The frame's offset
 * is the original one for uninstrumented code, and -1 (unknown) for instrumented code, whose offsets have moved.
 * JavaScriptCore's stacks (Bun 1.4) show each wasm frame as `at unknown`, with neither index nor offset: traps there
 * have an empty backtrace (measured; a `<?>.wasm-function[i]` form, where a JSC build gives one, maps by index).
 * Where the host's wording is ambiguous, the instrumenter's guards record the trap (`instrument.ts` TRAP_EXPORT).
 *
 * @module
 */

import type { Module as DecodedModule } from "../binary/module.ts";
import { isStackOverflow, RuntimeError, type WasmFrame } from "../errors.ts";
import { trap, TrapCode, trapWithMessage } from "../trap_codes.ts";
import { ByteReader } from "../binary/leb128.ts";
import { GuardTrap, originalFuncIndex } from "./instrument.ts";

/** Host trap messages (V8, then JavaScriptCore), in the order they are tried, and Kiln's code for each. */
const HOST_MESSAGES: readonly [RegExp, TrapCode][] = [
  [/^unreachable|unreachable code/i, TrapCode.UnreachableCodeReached],
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

/** Names a module's functions had in the stack text: `wasm-function[i]` and V8's offset, when present. */
const FRAME = /wasm-function\[(\d+)\](?::0x([0-9a-f]+))?/g;

/**
 * The wasm frames of a host error's stack text, innermost first.
 *
 * @param stack the host's `error.stack`
 * @param module the module whose code ran (frames of other modules are read as if they were its own)
 * @param instrumented whether the code was instrumented (its function indices and offsets moved)
 * @returns the frames
 */
export function hostBacktrace(
  stack: string,
  module: DecodedModule,
  instrumented: boolean,
  bytes: Uint8Array,
): WasmFrame[] {
  const frames: WasmFrame[] = [];
  const withOffsets = /wasm-function\[\d+\]:0x/.test(stack);
  for (const m of stack.matchAll(FRAME)) {
    if (withOffsets && m[2] === undefined) continue; // not a frame line
    let funcIndex: number, offset = -1;
    if (m[2] !== undefined) {
      // Why the offset and not V8's index: V8 numbers wasm-function[] by its own scheme; the offset is exact.
      const at = parseInt(m[2], 16);
      const body = bodyAt(bytes, at);
      if (body < 0) continue; // a frame of another module (a trampoline, another instance)
      funcIndex = module.importedFuncs + body;
      // Uninstrumented bodies are copied unchanged, only moved (the added exports): the same place in the original.
      if (!instrumented) offset = rangesOf(module.bytes)[2 * body]! + at - rangesOf(bytes)[2 * body]!;
    } else {
      const index = Number(m[1]);
      if (instrumented && index === module.importedFuncs) continue; // the checkpoint hook
      funcIndex = instrumented ? originalFuncIndex(module, index) : index;
    }
    frames.push({
      funcIndex,
      funcName: module.names.functions.get(funcIndex),
      moduleName: module.names.module,
      offset,
    });
  }
  return frames;
}

/** Code-section body ranges per compiled binary (read on the first trap). */
const bodies = new WeakMap<Uint8Array, Uint32Array>();

/** The defined-function position whose body holds `offset` in `bytes`, or -1. */
function bodyAt(bytes: Uint8Array, offset: number): number {
  const ranges = rangesOf(bytes);
  for (let i = 0; i < ranges.length; i += 2) if (offset >= ranges[i]! && offset < ranges[i + 1]!) return i / 2;
  return -1;
}

function rangesOf(bytes: Uint8Array): Uint32Array {
  let ranges = bodies.get(bytes);
  if (ranges === undefined) bodies.set(bytes, ranges = codeRanges(bytes));
  return ranges;
}

/** The [start, end) of every function body of a binary, in order. */
function codeRanges(bytes: Uint8Array): Uint32Array {
  const r = new ByteReader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    if (id !== 10) {
      r.pos += size;
      continue;
    }
    const n = r.u32();
    const out = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const len = r.u32();
      out[2 * i] = r.pos;
      out[2 * i + 1] = r.pos + len;
      r.pos += len;
    }
    return out;
  }
  return new Uint32Array(0);
}

/**
 * A host error thrown out of native code, as Kiln's error: a host trap as a {@link RuntimeError} with its code, a
 * stack overflow as "call stack exhausted"; anything else (a host import's own error, Kiln's errors) unchanged.
 *
 * @param e what the host threw
 * @param module the module of the call
 * @param instrumented whether its code was instrumented
 * @param bytes the binary the host compiled
 * @param guard the code an instrumented guard recorded before trapping (`instrument.ts` TRAP_EXPORT), or 0
 * @returns the error to throw
 */
export function mapHostError(
  e: unknown,
  module: DecodedModule,
  instrumented: boolean,
  bytes: Uint8Array,
  guard = 0,
): unknown {
  if (e instanceof RuntimeError) return e;
  if (isStackOverflow(e)) return withFrames(trap(TrapCode.StackOverflow), e, module, instrumented, bytes);
  if (e instanceof WebAssembly.RuntimeError) {
    const message = e.message;
    let code = HOST_MESSAGES.find(([re]) => re.test(message))?.[1];
    if (code === undefined) return e;
    const at = trapOffset(e);
    const op = bytes[at] ?? -1;
    if (code === TrapCode.BadConversionToInteger) code = TrapCode.IntegerOverflow; // NaN met the guard first
    if (code === TrapCode.UnreachableCodeReached && guard !== 0) code = GUARD_CODES[guard] ?? code;
    if (code === TrapCode.TableOutOfBounds && CALL_INDIRECT.has(op)) code = TrapCode.UndefinedElement;
    if (code === TrapCode.NullReference && CALL_REF.has(op)) {
      return withFrames(trapWithMessage(code, "null function reference"), e, module, instrumented, bytes);
    }
    return withFrames(trap(code), e, module, instrumented, bytes);
  }
  return e;
}

/** The trap of each guard code (`instrument.ts` {@link GuardTrap}). */
const GUARD_CODES: Record<number, TrapCode> = {
  [GuardTrap.BadConversion]: TrapCode.BadConversionToInteger,
  [GuardTrap.UndefinedElement]: TrapCode.UndefinedElement,
  [GuardTrap.IndirectCallToNull]: TrapCode.IndirectCallToNull,
  [GuardTrap.MemoryGrowFailed]: TrapCode.MemoryGrowFailed,
  [GuardTrap.TableGrowFailed]: TrapCode.TableGrowFailed,
  [GuardTrap.StackOverflow]: TrapCode.StackOverflow,
};

/** V8's offset of the innermost wasm frame of a host error (in the bytes the host compiled), or -1. */
function trapOffset(e: Error): number {
  const m = /wasm-function\[\d+\]:0x([0-9a-f]+)/.exec(String(e.stack));
  return m === null ? -1 : parseInt(m[1]!, 16);
}

function withFrames(
  t: RuntimeError,
  host: unknown,
  module: DecodedModule,
  instrumented: boolean,
  bytes: Uint8Array,
): RuntimeError {
  const stack = (host as { stack?: unknown }).stack;
  if (typeof stack === "string") t.backtrace = hostBacktrace(stack, module, instrumented, bytes);
  return t;
}
