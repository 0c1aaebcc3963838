/**
 * The one table of trap kinds: every way WebAssembly code (or Kiln running it) can stop with a {@link RuntimeError},
 * its code and its message. Messages are Wasmtime's wording where the spec testsuite and Wasmtime agree (DESIGN.md),
 * and codes are named after Wasmtime's `Trap` enum; code that reacts to a trap tests `e.code`, never the message.
 *
 * @example Telling a fuel trap from other traps
 * ```ts
 * import { instantiate, type RuntimeError, Store, TrapCode } from "../mod.ts";
 * const store = new Store({ fuel: 1000 });
 * const { instance } = await instantiate(`(module (func (export "spin") (loop (br 0))))`, {}, { store });
 * try {
 *   await (instance.exports.spin as () => Promise<void>)();
 * } catch (e) {
 *   console.log((e as RuntimeError).code === TrapCode.OutOfFuel); // true
 * }
 * ```
 *
 * @module
 */
import { RuntimeError } from "./errors.ts";

/** The kinds of trap (values are their names, stable across versions). */
export const TrapCode = {
  /** The wasm call stack (or the host's JS stack under it) ran out: deep recursion or re-entry. */
  StackOverflow: "StackOverflow",
  /** A load, store or bulk memory operation outside the memory (also a data segment at instantiation). */
  MemoryOutOfBounds: "MemoryOutOfBounds",
  /** `table.get`/`set`/`fill`/`copy`/`init` outside the table (also an element segment at instantiation). */
  TableOutOfBounds: "TableOutOfBounds",
  /** `call_indirect` with an index past the table's end (Wasmtime folds this into TableOutOfBounds). */
  UndefinedElement: "UndefinedElement",
  /** `call_indirect` to a null table entry. */
  IndirectCallToNull: "IndirectCallToNull",
  /** `ref.as_non_null` or `throw_ref` of null, or `call_ref` of a null function reference. */
  NullReference: "NullReference",
  /** `call_indirect` to a function of another type. */
  BadSignature: "BadSignature",
  /** Signed division or truncation overflowed. */
  IntegerOverflow: "IntegerOverflow",
  /** Integer division or remainder by zero. */
  IntegerDivisionByZero: "IntegerDivisionByZero",
  /** A float-to-integer truncation of NaN or infinity. */
  BadConversionToInteger: "BadConversionToInteger",
  /** An `unreachable` instruction. */
  UnreachableCodeReached: "UnreachableCodeReached",
  /** Stopped by an `AbortSignal`, a timeout or `store.interrupt()`. */
  Interrupt: "Interrupt",
  /** The store's fuel ran out. */
  OutOfFuel: "OutOfFuel",
  /** `memory.grow` failed in a store with `trapOnGrowFailure`. */
  MemoryGrowFailed: "MemoryGrowFailed",
  /** `table.grow` failed in a store with `trapOnGrowFailure`. */
  TableGrowFailed: "TableGrowFailed",
  /** A store limit (instances, tables, memories, sizes) refused an instantiation. */
  ResourceLimitExceeded: "ResourceLimitExceeded",
  /** A host import returned a Promise in a synchronous call, or the call could never be stopped. */
  CannotSuspend: "CannotSuspend",
  /** Host code resized or detached a memory's buffer behind the guest (Kiln's own check). */
  MemoryTampered: "MemoryTampered",
  /** `ref.cast` of a value not of the target type (GC). */
  CastFailure: "CastFailure",
  /** An `array.*` access or bulk operation outside the array (GC). */
  ArrayOutOfBounds: "ArrayOutOfBounds",
  /** `array.new*` of more elements than Kiln allocates for one array (GC). */
  AllocationTooLarge: "AllocationTooLarge",
} as const;

/** One of {@link TrapCode}'s values. */
export type TrapCode = typeof TrapCode[keyof typeof TrapCode];

/** Each trap kind's message (a detail may follow it, after a space or a colon). */
export const TRAP_MESSAGES: Readonly<Record<TrapCode, string>> = {
  StackOverflow: "call stack exhausted",
  MemoryOutOfBounds: "out of bounds memory access",
  TableOutOfBounds: "out of bounds table access",
  UndefinedElement: "undefined element",
  IndirectCallToNull: "uninitialized element",
  BadSignature: "indirect call type mismatch",
  NullReference: "null reference",
  IntegerOverflow: "integer overflow",
  IntegerDivisionByZero: "integer divide by zero",
  BadConversionToInteger: "invalid conversion to integer",
  UnreachableCodeReached: "unreachable",
  Interrupt: "interrupt",
  OutOfFuel: "all fuel consumed by WebAssembly",
  MemoryGrowFailed: "forcing trap when growing memory",
  TableGrowFailed: "forcing trap when growing table",
  ResourceLimitExceeded: "resource limit exceeded",
  CannotSuspend: "function cannot suspend in a synchronous call",
  MemoryTampered: "memory was resized or detached outside WebAssembly",
  CastFailure: "cast failure",
  ArrayOutOfBounds: "out of bounds array access",
  AllocationTooLarge: "allocation size too large",
};

/**
 * A trap of kind `code`: its table message, then `detail` (after a space, e.g. the element index) if given.
 *
 * @param code the kind
 * @param detail what follows the message
 * @returns the error to throw
 */
export function trap(code: TrapCode, detail?: string): RuntimeError {
  const message = TRAP_MESSAGES[code];
  return new RuntimeError(detail === undefined ? message : `${message} ${detail}`, [], code);
}

/**
 * A trap of kind `code` whose whole message is given (instantiation limits say which limit and how far).
 *
 * @param code the kind
 * @param message the message
 * @returns the error to throw
 */
export function trapWithMessage(code: TrapCode, message: string): RuntimeError {
  return new RuntimeError(message, [], code);
}
