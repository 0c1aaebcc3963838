/**
 * The fuel instrumenter of the native engine (DESIGN.md, "Two engines behind one seam"): rewrites a validated module
 * so that the host's own WebAssembly charges fuel exactly where and as much as Kiln's interpreter does. It follows
 * the one fuel plan (`compile/fuel_plan.ts`): at the start of every straight-line run the run's cost is subtracted
 * from a fuel counter; at a checkpoint (function entry, loop header) the code then tests the counter and, below 0,
 * calls a host hook, as the machine's `fuel_check` does (`fuel -= cost; if (fuel < limit) ...`). The hook returns
 * nonzero to stop the guest (out of fuel, an interrupt): the instrumented code then executes `unreachable`, a real
 * wasm trap, which no `catch_all` of the guest can catch (a JS exception thrown by the hook could be caught). The
 * embedder knows why it asked to stop and reports that trap instead.
 * Bulk memory and table operations charge one unit per byte or element after they succeed, and `table.grow` one
 * per element added, as the machine's cold paths do.
 *
 * What the rewritten module has besides the original:
 * - one mutable `i64` global, appended after the module's own (so no global index moves): the counter of fuel
 *   *above the limit* (the machine's `fuel - limit`, where the limit is the
 *   next yield mark, 0, or +∞ to deliver an interrupt). The host keeps the limit and adds it back to read the fuel;
 *   folding it in lets a checkpoint compare with the constant 0 (as Wasmtime's fuel check does), and an `i64` keeps
 *   the added code small (one-byte constants), which matters to the host's inlining of small functions;
 * - a function import `{@link HOOK_MODULE}.{@link HOOK_NAME}` of type `[] -> [i32]`, the last import. Being an import,
 *   it takes a function index: every defined function's index grows by one, and the instrumenter remaps `call`,
 *   `return_call`, `ref.func`, element segments, global initializers, exports, the start function and the name section's function
 *   indices accordingly (a function's original index is its new index minus one when it is defined);
 * - scratch locals per function, after its own (so no local index moves): two `i32` for the bulk-op charges and two
 *   `i64`, for the checkpoint and for the bulk-op charges on 64-bit memories and tables (memory64), whose counts and
 *   `table.grow` deltas and results are `i64`; one `f32` and one `f64` for the truncation guard below; with fuel one
 *   `i64` for the counter (below);
 * - one mutable `i64` global after those, the element index, which each `call_indirect` sets to its table index
 *   first (for the message of a null entry's trap);
 * - one mutable `i32` global after those, the trap code, and guards that set it to a trap code
 *   before their `unreachable`: before each trapping float-to-integer truncation (a NaN operand: "invalid conversion
 *   to integer", which hosts word like "integer overflow"), and with `guardIndirect` before each `call_indirect`
 *   (an index past the end, a null entry), and with `trapOnGrow` after each `memory.grow` and `table.grow` of a
 *   memory or table whose failed growth traps (a result of -1). Guards are written without fuel too
 *   (`InstrumentOptions.fuel` false): then the only changes to code.
 * - in a module with array types, one mutable `i32` global per data and element segment after the element-index
 *   global: its current length, for the guards of the bulk array instructions (`gc_guards.ts`), which check null,
 *   the array's range and the segment's in Wasmtime's order (hosts check them in another order, or word them alike);
 * - with `limits`, each defined memory's and table's maximum lowered to the store's limit, so that growth inside the
 *   guest fails where the interpreter's does;
 * - one function after the module's own (and the padding's), exported as {@link ACCESS_EXPORT}: the host's only way
 *   to the globals above, which are not exported. Why: JavaScriptCore keeps an exported (or imported) mutable global
 *   behind a pointer, so every charge of an exported counter cost a load and a store more (a recursive fib with the
 *   counter in a local: 425 ms exported, 291 ms not, 177 ms plain, Bun 1.4); V8 reads either alike.
 *
 * While a function runs, the counter lives in a local of its own (scratch local 6, an `i64`; what Wasmtime does),
 * and the global is exact wherever JS or a trap can observe it: a trap leaves no chance to write a local back, so
 * - the entry's checkpoint loads the local from the global; a run whose instructions can neither trap nor run other
 *   code (locals, globals, constants, arithmetic that cannot trap, branches: {@link cannotTrap}) charges the local
 *   only, in a register; every other run (a memory access, a division, a trapping truncation, a call, `throw`,
 *   `unreachable`, a bulk or GC op, anything not listed) charges the local and sets the global to it at its start,
 *   so the global is exact through the whole run (a bulk op's charge inside it sets both);
 * - after each `call`, `call_indirect` and `call_ref` the local reads the global back (the callee charged it, a host
 *   import or the hook may have refuelled it); tail calls are in runs that set the global;
 * - `return`, the function's `end` and a branch to the function's label write the local back first, unless in a
 *   run that set the global; a checkpoint writes it back only before calling the hook (and reads it back after);
 * - a function with `try_table` or a legacy `try` keeps every charge on the global (a caught exception would land
 *   with the local as it was at the call or `throw`).
 * So the fuel a host import, the hook, a trap's embedder or the caller of an export reads is the same as with every
 * charge on the global. What it buys: a loop-carried counter in a register instead of a store and a reload through
 * memory each run (V8 and JavaScriptCore keep a mutable global in memory: every `global.get` is a load, and a
 * `global.set` a store the next run's load waits for); a loop of loads and stores still stores the counter once per
 * run, but no longer reloads it. Measured on a recursive fib with a checkpoint at its entry and loop header: 3.4x of
 * plain with the counter in the global, 1.3x in the local on V8 (4.5x and 2.4x on JavaScriptCore).
 * {@link InstrumentOptions.fuelInLocal} false keeps every charge on the global, for A/B measurement.
 *
 * The checkpoints' and guards' `if`s are hinted "not taken" (the branch hinting proposal's
 * `metadata.code.branch_hint` section, before the code section), so the host may lay the hook's call and the traps
 * out of line ({@link InstrumentOptions.branchHints}); no effect measured yet on V8 (fib2, sieve).
 *
 * The added code takes many small functions past 50 bytes, and V8 sizes the inlining budget of a whole module by its
 * share of such bodies (a tenth of it below 25%): the rewrite appends tiny functions that nothing calls to keep the
 * share the original's ({@link InstrumentOptions.padSmallFunctions}). Measured: Sightglass fib2 went from 45% to 18%
 * small functions, and from 2.7x to 1.3x of plain native with the padding (Deno, loaded machine).
 *
 * @module
 */

import { readLength, readName } from "../binary/decoder.ts";
import { InstructionReader, PREFIX_FB, PREFIX_FC, PREFIX_FD } from "../binary/instruction_reader.ts";
import { ByteReader, ByteWriter } from "../binary/leb128.ts";
import { concreteHeap, type Module, refType, type WideAddresses, wideAddresses } from "../binary/module.ts";
import { type FuelPlan, planFuel } from "../compile/fuel_plan.ts";
import { encodeValTypes, readRefType, readValType } from "../binary/value_types.ts";
import {
  BULK_ARRAY_OPS,
  type GuardContext,
  needsSegmentLengths,
  NULL_CHECKED_OPS,
  segmentLengthInits,
  type SegmentLengths,
  writeDropLength,
  writeGcGuard,
} from "./gc_guards.ts";

/**
 * Export name of the access function, `(op: i32, value: f64) -> f64`: the host reads and writes the globals the
 * rewrite adds through it ({@link Access}), never through exported globals (see the module doc). Values pass as
 * `f64`: exact below 2^53 (fuel is a JS number anyway), and no BigInt on either side.
 */
export const ACCESS_EXPORT = "kiln:access";

/** The operations of the access function ({@link ACCESS_EXPORT}); `value` is read by `WriteFuel` only. */
export const Access = {
  /** The fuel counter (fuel above the limit; a checkpoint below 0 calls the hook); 0 without fuel. */
  ReadFuel: 0,
  /** Sets the fuel counter to `value` (truncated to an integer); returns 0. */
  WriteFuel: 1,
  /** The {@link GuardTrap} code a guard recorded before trapping (0: none), cleared as it is read. */
  TakeTrap: 2,
  /** The table index of the last `call_indirect` (for the message of a null entry's trap). */
  ReadElem: 3,
} as const;
/** Import module of the checkpoint hook. */
export const HOOK_MODULE = "kiln";
/** Import name of the checkpoint hook (`[] -> [i32]`: nonzero stops the guest with a trap). */
export const HOOK_NAME = "checkpoint";

// Section ids (spec §5.5.2), in the order the binary format requires (custom sections anywhere).
const TYPE = 1,
  IMPORT = 2,
  FUNCTION = 3,
  TABLE = 4,
  MEMORY = 5,
  GLOBAL = 6,
  EXPORT = 7,
  START = 8,
  ELEMENT = 9,
  CODE = 10,
  DATA = 11;
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

// Opcodes the instrumenter writes or rewrites.
const OP_UNREACHABLE = 0x00,
  OP_LOOP = 0x03,
  OP_IF = 0x04,
  OP_ELSE = 0x05,
  OP_END = 0x0b,
  OP_CALL = 0x10,
  OP_RETURN_CALL = 0x12,
  OP_LOCAL_GET = 0x20,
  OP_LOCAL_SET = 0x21,
  OP_LOCAL_TEE = 0x22;
const OP_GLOBAL_GET = 0x23, OP_GLOBAL_SET = 0x24, OP_I32_CONST = 0x41, OP_I64_CONST = 0x42, OP_I32_GE_S = 0x4e;
const OP_F64_CONST = 0x44, OP_F64_CONVERT_I32_U = 0xb8;
const OP_F64_CONVERT_I64_S = 0xb9, OP_F64_CONVERT_I64_U = 0xba;
const OP_I64_LT_S = 0x53,
  OP_I64_GE_S = 0x59,
  OP_I64_SUB = 0x7d,
  OP_I64_EXTEND_I32_U = 0xad,
  OP_REF_FUNC = 0xd2,
  EMPTY = 0x40;
const I64 = 0x7e, I32 = 0x7f, F32 = 0x7d, F64 = 0x7c;
/** The trapping float-to-integer truncations, and whether each takes an f64 (else an f32). */
const TRUNC = new Map([[0xa8, false], [0xa9, false], [0xaa, true], [0xab, true], [0xae, false], [0xaf, false], [
  0xb0,
  true,
], [0xb1, true]]);
const OP_F32_NE = 0x5c, OP_F64_NE = 0x62;
const OP_RETURN = 0x0f;
const OP_CALL_INDIRECT = 0x11, OP_RETURN_CALL_INDIRECT = 0x13, OP_TABLE_GET = 0x25, OP_REF_IS_NULL = 0xd1;
const OP_I32_GE_U = 0x4f, OP_I64_GE_U = 0x5a, TABLE_SIZE = 16;
// 0xfc sub-opcodes charged per byte or element: memory.init, memory.copy, memory.fill, table.init, table.copy,
// table.fill (the count is their last operand); table.grow charges its delta when it succeeds.
const PER_UNIT = new Set([8, 10, 11, 12, 14, 17]);
const TABLE_GROW = 15, DATA_DROP = 9, ELEM_DROP = 13;
// 0xfb (GC) sub-opcodes charged per element: array.new, new_default, new_fixed, new_data, new_elem, fill, copy,
// init_data, init_elem.
const GC_PER_ELEMENT = new Set([6, 7, 8, 9, 10, 16, 17, 18, 19]);
const ARRAY_NEW_FIXED = 8;
const OP_MEMORY_GROW = 0x40, OP_I32_EQ = 0x46, OP_I64_EQ = 0x51;
const OP_I32_ADD = 0x6a, OP_I32_SUB = 0x6b, OP_I32_GT_U = 0x4b, OP_CALL_REF = 0x14, OP_RETURN_CALL_REF = 0x15;
const OP_BLOCK = 0x02, OP_BR = 0x0c, OP_BR_IF = 0x0d, OP_BR_TABLE = 0x0e, OP_BR_ON_NULL = 0xd5;
const OP_BR_ON_NON_NULL = 0xd6, OP_TRY = 0x06, OP_TRY_TABLE = 0x1f, OP_DELEGATE = 0x18;

/**
 * The single-byte opcodes that can neither trap nor run other code (1), for {@link Instrumenter}'s fuel local: a run
 * of only these charges the local alone. Everything else (memory and table accesses, division, trapping
 * truncations, calls, `throw`, `unreachable`, `ref.as_non_null`, `memory.grow`, GC ops, atomics, an opcode not
 * listed) keeps the global exact from the run's start. `return`, the function's `end` and branches to the
 * function's label are listed: they write the local back themselves.
 */
const CANNOT_TRAP = (() => {
  const t = new Uint8Array(256);
  const mark = (from: number, to: number) => t.fill(1, from, to + 1);
  mark(0x01, 0x05); // nop, block, loop, if, else
  mark(0x0b, 0x0f); // end, br, br_if, br_table, return
  mark(0x1a, 0x1c); // drop, select, select t
  mark(0x20, 0x24); // local.get/set/tee, global.get/set
  mark(0x3f, 0x3f); // memory.size
  mark(0x41, 0x6c); // constants, comparisons, i32 clz..mul
  mark(0x71, 0x7e); // i32 and..rotr, i64 clz..mul
  mark(0x83, 0xa7); // i64 and..rotr, f32 and f64 arithmetic, i32.wrap_i64
  mark(0xac, 0xad); // i64.extend_i32_s/u
  mark(0xb2, 0xc4); // conversions to floats, demote, promote, reinterpret, sign extension
  mark(0xd0, 0xd3); // ref.null, ref.is_null, ref.func, ref.eq
  mark(0xd5, 0xd6); // br_on_null, br_on_non_null
  return t;
})();

/** Whether `op` (as {@link CANNOT_TRAP}, with the 0xfc and 0xfd sub-opcodes) can neither trap nor run other code. */
function cannotTrap(op: number, sub: number): boolean {
  if (op === PREFIX_FC) return sub <= 7 || sub === TABLE_SIZE; // trunc_sat, table.size
  // SIMD: all but the loads and stores (0x00-0x0b, and the lane and zero-extending ones 0x54-0x5d).
  if (op === PREFIX_FD) return sub > 0x5d || (sub > 0x0b && sub < 0x54);
  return CANNOT_TRAP[op] === 1;
}

/**
 * Rewrites a module for the host's WebAssembly with Kiln's fuel accounting (see the module doc).
 *
 * @param module A decoded module that has passed validation.
 * @returns The instrumented binary.
 *
 * @example Counting the fuel of a call on the host's WebAssembly
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { parseWat } from "../../mod.ts";
 * import { Access, ACCESS_EXPORT, instrument } from "./instrument.ts";
 * const bytes = instrument(decodeModule(parseWat(`(module (func (export "f") (result i32) (i32.add (i32.const 1) (i32.const 2))))`)));
 * const module = new WebAssembly.Module(bytes as BufferSource);
 * const { exports } = new WebAssembly.Instance(module, { kiln: { checkpoint() {} } });
 * const access = exports[ACCESS_EXPORT] as (op: number, value: number) => number;
 * access(Access.WriteFuel, 100);
 * (exports.f as () => number)();
 * console.log(100 - access(Access.ReadFuel, 0)); // 3
 * ```
 */
export function instrument(module: Module, options: InstrumentOptions = {}): Uint8Array {
  return new Instrumenter(module, options).run();
}

/**
 * What the native engine asks of the rewrite besides fuel (`native/engine.ts`). Why here: the rewrite that remaps
 * indices is the one place that can add exports and drop the start section without a second pass over the binary.
 */
export interface InstrumentOptions {
  /** Charge fuel (the default). Without it, code is copied unchanged and no hook or counter is added. */
  readonly fuel?: boolean;
  /**
   * Export every defined function, table, memory, global and tag under `kiln:f<i>`, `kiln:t<i>`, `kiln:m<i>`,
   * `kiln:g<i>`, `kiln:e<i>` (`i` its original index), so the engine can reach each entity Kiln's runtime model
   * stands for.
   */
  readonly exportDefinitions?: boolean;
  /** Drop the start section (the engine calls the start function itself, exported as `kiln:f<i>`). */
  readonly dropStart?: boolean;
  /**
   * Guard `call_indirect` and `return_call_indirect`: an index past the table's end or a null entry records its
   * trap code in the trap-code global ({@link Access}.TakeTrap) and traps, for hosts whose message does not tell them from a type mismatch
   * (JavaScriptCore says "call_indirect to a signature that does not match" for a null entry).
   */
  readonly guardIndirect?: boolean;
  /**
   * Guard `call_ref` and `return_call_ref`: a null reference records its trap code in the trap-code global ({@link Access}.TakeTrap) and traps,
   * for hosts whose backtraces give no offsets to tell the call's null trap from others (JavaScriptCore).
   */
  readonly guardCallRef?: boolean;
  /**
   * Guard `struct.get*`, `struct.set`, `array.get*`, `array.set` and `array.len`: a null reference records its trap
   * code ("null structure reference", "null array reference") in the trap-code global ({@link Access}.TakeTrap) and traps, for hosts whose
   * backtraces give no offsets to read the trapping instruction from (JavaScriptCore). The bulk array instructions
   * are guarded on every host (`gc_guards.ts`).
   */
  readonly guardGcNulls?: boolean;
  /**
   * Write `return_call` of an imported function as `call` and `return`: JavaScriptCore (Bun 1.4) fails a JSPI
   * suspension after a tail call to an import ("JSPI stack scan failed: unrecognized type of Wasm frame"). The
   * guest's stack then holds one more frame until the import returns.
   */
  readonly tailCallImportsAsCalls?: boolean;
  /**
   * The module name the host shows (the name section's module name, added where the module has none): V8 writes
   * it into each frame's script URL (`wasm://wasm/NAME-HASH`), which tells a backtrace's frames of different modules
   * apart (`offsets.ts`).
   */
  readonly moduleName?: string;
  /**
   * Import the fuel counter (`{@link HOOK_MODULE}.{@link COUNTER_IMPORT}`, a mutable `i64` global) instead of
   * defining it, so that every instance of a store charges one counter, also when one calls another's functions
   * directly (an import, a table). The import is the last global import: every defined global's index grows by one,
   * and every global index in code, constant expressions, exports and the name section is remapped.
   */
  readonly sharedCounter?: boolean;
  /**
   * The store's limits on the module's own memories and tables (`maxMemoryBytes` in pages, `maxTableElements`):
   * each defined memory's and table's maximum is lowered to it (never below its minimum), so the host's own
   * `memory.grow` and `table.grow` fail (-1) exactly where the interpreter's do.
   */
  readonly limits?: { readonly memoryPages?: number; readonly tableElements?: number };
  /**
   * The memories and tables (by index) whose failed growth traps (`StoreOptions.trapOnGrowFailure`): a
   * `memory.grow` or `table.grow` on one is followed by a guard that records {@link GuardTrap} `MemoryGrowFailed` or
   * `TableGrowFailed` and traps when it returned -1. Code that grows no such memory or table is unchanged.
   */
  readonly trapOnGrow?: { readonly memories: readonly boolean[]; readonly tables: readonly boolean[] };
  /**
   * `maxWasmStack` in bytes: import a depth global (`{@link HOOK_MODULE}.{@link DEPTH_IMPORT}`, a mutable `i32`,
   * the last import) and count each frame as the interpreter's stack limit does, `32 + 8 × (params + locals)` bytes.
   * A function's entry adds its frame to the depth its caller left there, and records {@link GuardTrap}
   * `StackOverflow` and traps beyond the limit; each call sets the global to the caller's depth plus its frame
   * (a tail call: without it) first. Why set by the caller and never undone: an exception or a trap that unwinds
   * frames leaves nothing to repair, and the embedder sets it to 0 at each entry from JS.
   */
  readonly stackLimit?: number;
  /**
   * Whether a checkpoint below its limit can only stop the guest (a store that meters fuel without yields, clock
   * checks or a profiler: the hook's every answer would be "stop"). Then it records {@link GuardTrap}
   * `Checkpoint` and traps instead of calling the hook. Why: a call in a loop, even one never taken, makes
   * JavaScriptCore keep the loop's values in memory rather than registers (its register allocator spills a value
   * live across a call at every use); a trap clobbers nothing. Sightglass sieve on Bun: 2.4x of plain native with
   * the hook's call, 1.3-1.6x with the trap.
   */
  readonly checkpointsTrap?: boolean;
  /**
   * Keep the counter in a function-local while a function runs (the default; see the module doc). False keeps
   * every charge on the global, as before: for A/B measurement.
   */
  readonly fuelInLocal?: boolean;
  /**
   * Tell the host which added branches are cold (the default): a `metadata.code.branch_hint` section marks each
   * checkpoint's and guard's `if` "not taken", so the host lays the hook's call and the traps out of line. False
   * writes none: for A/B measurement.
   */
  readonly branchHints?: boolean;
  /**
   * Append tiny functions that nothing calls so that the module's share of functions under 50 bytes stays what it
   * was before the rewrite (the default; V8 sizes its inlining budget by that share, see `#rewriteBodies`). False
   * appends none: for A/B measurement.
   */
  readonly padSmallFunctions?: boolean;
}

/** Import name of the depth global ({@link InstrumentOptions.stackLimit}). */
export const DEPTH_IMPORT = "depth";

/** Import name of the shared fuel counter ({@link InstrumentOptions.sharedCounter}). */
export const COUNTER_IMPORT = "fuel";

/**
 * The trap codes guards record in the trap-code global (read by {@link Access}.TakeTrap; 0: none), always added: a
 * guard the instrumenter writes sets it just before its `unreachable`, so the engine tells the guard's trap from
 * the guest's own `unreachable` on every host (with or without offsets in its stack traces).
 */
export const GuardTrap = {
  BadConversion: 1,
  UndefinedElement: 2,
  IndirectCallToNull: 3,
  MemoryGrowFailed: 4,
  TableGrowFailed: 5,
  StackOverflow: 6,
  NullFunctionReference: 7,
  /**
   * A checkpoint below its limit ({@link InstrumentOptions.checkpointsTrap}): the embedder decides, as the hook
   * would have, whether the guest ran out of fuel or was interrupted. Not a trap of its own (13: after gc_guards.ts's).
   */
  Checkpoint: 13,
} as const;

/** Export name prefixes of {@link InstrumentOptions.exportDefinitions}: function, table, memory, global. */
export const DEFINITION_EXPORT = {
  func: "kiln:f",
  table: "kiln:t",
  memory: "kiln:m",
  global: "kiln:g",
  tag: "kiln:e",
} as const;

/** The original index of a function in the instrumented module, for reading backtraces and names. */
export function originalFuncIndex(module: Module, index: number): number {
  return index < module.importedFuncs ? index : index - 1;
}

/**
 * Where the rewrite put each instruction of one function: pairs `[rewritten, original]`, in order, where
 * `rewritten` is an offset in the rewritten body (from its locals, as hosts' body ranges count) at which the
 * instruction's rewrite starts (its charge, check or guard first) and `original` the instruction's offset in
 * `module.bytes`. The rewrite is deterministic, so this redoes it for the one function instead of keeping a map of
 * every function from compile time (read when a trap's backtrace is made: `offsets.ts`).
 *
 * @param module The module that was instrumented.
 * @param options The options it was instrumented with.
 * @param defined The function's position among the defined functions.
 * @param start The offset in `module.bytes` of the function's body (its locals, after the body's size).
 * @returns The pairs, flattened.
 */
export function instrumentedOffsets(
  module: Module,
  options: InstrumentOptions,
  defined: number,
  start: number,
): Uint32Array {
  return new Instrumenter(module, options).offsets(defined, start);
}

class Instrumenter {
  readonly #module: Module;
  /** Which memories and tables are 64-bit (their bulk counts are i64). */
  readonly #addressTypes: WideAddresses;
  readonly #out: ByteWriter;
  /** Index of the hook's type (appended to the type section). */
  readonly #hookType: number;
  /** Function index of the hook (the last import). */
  readonly #hook: number;
  /** Global index of the counter (appended after the module's globals). */
  readonly #fuel: number;
  /** Global index of the trap-code global (after the counter, or after the module's globals without fuel). */
  readonly #trap: number;
  /** Global index of the element-index global (read by {@link Access}.ReadElem), after the trap-code global. */
  readonly #elem: number;
  readonly #options: InstrumentOptions;
  /** Whether fuel is charged (hook import, counter global, rewritten code). */
  readonly #metered: boolean;
  /** Whether the counter is imported (InstrumentOptions.sharedCounter, with fuel). */
  readonly #shared: boolean;
  /**
   * The function being rewritten: its scratch locals of guards (`call_ref`, GC), by encoded type and slot, each
   * with its index, in the order they are declared.
   */
  readonly #scratchLocals = new Map<string, { index: number; type: readonly number[] }>();
  /** Index of the first scratch local of {@link #scratchLocals} in the function being rewritten. */
  #firstScratch = 0;
  /** Global indices of each segment's current length (GC guards), after the element-index global, or undefined. */
  readonly #segments: SegmentLengths | undefined;
  /** Global index of the imported depth global (InstrumentOptions.stackLimit), or -1. */
  readonly #depth: number;
  /** How far the module's defined globals move (the imported counter and depth globals come before them). */
  readonly #globalShift: number;

  constructor(module: Module, options: InstrumentOptions) {
    this.#module = module;
    this.#out = new ByteWriter(module.bytes.length + 1024); // the rewrite adds little: room for it all at once
    this.#options = options;
    this.#metered = options.fuel ?? true;
    this.#addressTypes = wideAddresses(module);
    this.#hookType = module.types.length;
    this.#hook = module.importedFuncs;
    this.#shared = this.#metered && (options.sharedCounter ?? false);
    const depth = options.stackLimit !== undefined;
    this.#depth = depth ? module.importedGlobals + (this.#shared ? 1 : 0) : -1;
    this.#globalShift = (this.#shared ? 1 : 0) + (depth ? 1 : 0);
    const defined = module.importedGlobals + this.#globalShift + module.globals.length;
    this.#fuel = this.#shared ? module.importedGlobals : defined;
    this.#trap = defined + (this.#metered && !this.#shared ? 1 : 0);
    this.#elem = this.#trap + 1;
    if (needsSegmentLengths(module)) {
      const first = this.#elem + 1;
      this.#segments = {
        data: module.datas.map((_, i) => first + i),
        elem: module.elems.map((_, i) => first + module.datas.length + i),
      };
    }
  }

  /** A global index of the original module, in the instrumented one (defined ones move after the shared counter). */
  #global(index: number): number {
    return index >= this.#module.importedGlobals ? index + this.#globalShift : index;
  }

  /** A function index of the original module, in the instrumented one. */
  #func(index: number): number {
    return index < this.#hook || !this.#metered ? index : index + 1;
  }

  run(): Uint8Array {
    const bytes = this.#module.bytes;
    const r = new ByteReader(bytes, 8);
    this.#out.bytes(bytes.subarray(0, 8));
    if (this.#metered && (this.#options.padSmallFunctions ?? true)) this.#rewriteBodies();
    // Sections the instrumenter adds to, created (empty, then extended) where the module lacks them.
    const missing = new Set([TYPE, FUNCTION, GLOBAL, EXPORT, CODE]);
    if (this.#metered || this.#depth >= 0) missing.add(IMPORT);
    let placed = -1; // rank in SECTION_ORDER of the last section written
    const createUpTo = (rank: number) => {
      for (const id of [TYPE, IMPORT, FUNCTION, GLOBAL, EXPORT, CODE]) {
        const at = SECTION_ORDER.indexOf(id);
        if (missing.has(id) && at > placed && at < rank) {
          missing.delete(id);
          this.#section(id, new ByteReader(EMPTY_VEC));
        }
      }
      placed = Math.max(placed, rank);
    };
    while (r.pos < r.end) {
      const id = r.u8();
      const size = readLength(r);
      const body = new ByteReader(bytes, r.pos, r.pos + size);
      r.pos += size;
      if (id === 0) {
        if (this.#metered || this.#options.moduleName !== undefined) this.#custom(body);
        else this.#out.u8(0).u32(size).bytes(bytes.subarray(body.pos, body.end));
        continue;
      }
      createUpTo(SECTION_ORDER.indexOf(id));
      missing.delete(id);
      if (id === START && this.#options.dropStart) continue;
      this.#section(id, body);
    }
    createUpTo(SECTION_ORDER.length);
    if (this.#options.moduleName !== undefined && !this.#named) {
      const names = new ByteWriter().name("name");
      this.#moduleName(names);
      const payload = names.finish();
      this.#out.u8(0).u32(payload.length).bytes(payload);
    }
    return this.#out.finish();
  }

  /** Whether a name section was written (with {@link InstrumentOptions.moduleName} in it). */
  #named = false;

  /** The name section's module-name subsection (0) of {@link InstrumentOptions.moduleName}. */
  #moduleName(w: ByteWriter): void {
    const sub = new ByteWriter().name(this.#options.moduleName!).finish();
    w.u8(0).u32(sub.length).bytes(sub);
    this.#named = true;
  }

  /** Writes section `id` from the original payload `r` (empty for a section the module lacks). */
  #section(id: number, r: ByteReader): void {
    const w = new ByteWriter(r.end - r.pos + 64);
    const limited = id === TABLE || id === MEMORY; // maxima lowered (store limits, host limits)
    const moved = (id === IMPORT || id === TABLE || id === ELEMENT || id === DATA) && this.#depth >= 0;
    const added = id === TYPE || id === FUNCTION || id === CODE || id === GLOBAL || id === EXPORT;
    if (!this.#metered && !added && !limited && !moved) {
      w.bytes(r.bytes.subarray(r.pos, r.end));
      const payload = w.finish();
      this.#out.u8(id).u32(payload.length).bytes(payload);
      return;
    }
    switch (id) {
      case TYPE: {
        const n = r.pos < r.end ? r.u32() : 0;
        // The hook's type (also the padding's), then the access function's.
        w.u32(n + 2).bytes(r.bytes.subarray(r.pos, r.end)).bytes([0x60, 0, 1, I32]).bytes(ACCESS_TYPE);
        break;
      }
      case IMPORT: {
        const n = r.pos < r.end ? r.u32() : 0;
        const added = (this.#metered ? 1 : 0) + (this.#shared ? 1 : 0) + (this.#depth >= 0 ? 1 : 0);
        w.u32(n + added).bytes(r.bytes.subarray(r.pos, r.end));
        if (this.#metered) w.name(HOOK_MODULE).name(HOOK_NAME).u8(0).u32(this.#hookType);
        if (this.#shared) w.name(HOOK_MODULE).name(COUNTER_IMPORT).u8(3).u8(I64).u8(1);
        if (this.#depth >= 0) w.name(HOOK_MODULE).name(DEPTH_IMPORT).u8(3).u8(I32).u8(1);
        break;
      }
      case GLOBAL: {
        const n = r.pos < r.end ? r.u32() : 0;
        const lengths = this.#segments !== undefined ? segmentLengthInits(this.#module) : [];
        w.u32(n + (this.#metered && !this.#shared ? 3 : 2) + lengths.length);
        for (let i = 0; i < n; i++) {
          const start = r.pos;
          readValType(r);
          r.u8(); // mutability
          w.bytes(r.bytes.subarray(start, r.pos));
          this.#constExpr(r, w);
        }
        if (this.#metered && !this.#shared) w.u8(I64).u8(1).u8(OP_I64_CONST).u8(0).u8(OP_END);
        w.u8(I32).u8(1).u8(OP_I32_CONST).u8(0).u8(OP_END);
        w.u8(I64).u8(1).u8(OP_I64_CONST).u8(0).u8(OP_END);
        for (const length of lengths) w.u8(I32).u8(1).u8(OP_I32_CONST).s32(length).u8(OP_END);
        break;
      }
      case EXPORT: {
        const n = r.pos < r.end ? r.u32() : 0;
        const extra = this.#definitionExports();
        w.u32(n + extra.length + 1);
        for (let i = 0; i < n; i++) {
          copyName(r, w);
          const kind = r.u8();
          const index = r.u32();
          w.u8(kind).u32(kind === 0 ? this.#func(index) : kind === 3 ? this.#global(index) : index);
        }
        for (const [name, kind, index] of extra) w.name(name).u8(kind).u32(index);
        w.name(ACCESS_EXPORT).u8(0).u32(this.#accessFunc);
        break;
      }
      case START:
        w.u32(this.#func(r.u32()));
        break;
      case TABLE:
        this.#tables(r, w);
        break;
      case MEMORY: {
        const n = r.u32();
        w.u32(n);
        for (let i = 0; i < n; i++) {
          // Why: hosts refuse to compile a maximum above their own limit, which Kiln's validation allows.
          const host = r.bytes[r.pos]! & 4 ? HOST_MAX_MEMORY64_PAGES : undefined;
          this.#limits(r, w, minCap(this.#options.limits?.memoryPages, host));
        }
        break;
      }
      case ELEMENT:
        this.#elements(r, w);
        break;
      case DATA:
        if (this.#globalShift > 0) this.#datas(r, w);
        else w.bytes(r.bytes.subarray(r.pos, r.end));
        break;
      case CODE:
        this.#code(r, w);
        break;
      case FUNCTION: {
        // The padding's functions ({@link #rewriteBodies}) have the hook's type; the access function is last.
        const n = r.u32();
        w.u32(n + this.#padding + 1).bytes(r.bytes.subarray(r.pos, r.end));
        for (let k = 0; k < this.#padding; k++) w.u32(this.#hookType);
        w.u32(this.#hookType + 1);
        break;
      }
      default:
        w.bytes(r.bytes.subarray(r.pos, r.end));
    }
    const payload = w.finish();
    if (id === CODE && this.#hintFuncs > 0) {
      // Custom sections of code metadata come before the code section (branch hinting proposal).
      const hints = new ByteWriter().name("metadata.code.branch_hint").u32(this.#hintFuncs);
      hints.bytes(this.#hints.finish());
      const section = hints.finish();
      this.#out.u8(0).u32(section.length).bytes(section);
    }
    this.#out.u8(id).u32(payload.length).bytes(payload);
  }

  /** The exports {@link InstrumentOptions.exportDefinitions} adds: name, kind and (new) index. */
  #definitionExports(): [string, number, number][] {
    if (!this.#options.exportDefinitions) return [];
    const m = this.#module;
    const out: [string, number, number][] = [];
    for (let i = m.importedFuncs; i < m.importedFuncs + m.funcs.length; i++) {
      out.push([DEFINITION_EXPORT.func + i, 0, this.#func(i)]);
    }
    for (let i = m.importedTables; i < m.importedTables + m.tables.length; i++) {
      out.push([DEFINITION_EXPORT.table + i, 1, i]);
    }
    for (let i = m.importedMemories; i < m.importedMemories + m.memories.length; i++) {
      out.push([DEFINITION_EXPORT.memory + i, 2, i]);
    }
    for (let i = m.importedGlobals; i < m.importedGlobals + m.globals.length; i++) {
      out.push([DEFINITION_EXPORT.global + i, 3, this.#global(i)]);
    }
    for (let i = m.importedTags; i < m.importedTags + m.tags.length; i++) {
      out.push([DEFINITION_EXPORT.tag + i, 4, i]);
    }
    return out;
  }

  /** Element segments (spec §5.5.12, flags 0-7), with every function index remapped. */
  #elements(r: ByteReader, w: ByteWriter): void {
    const n = r.u32();
    w.u32(n);
    for (let i = 0; i < n; i++) {
      const flags = r.u32();
      w.u32(flags);
      if ((flags & 3) === 2) w.u32(r.u32()); // explicit table index
      if ((flags & 1) === 0) this.#constExpr(r, w); // active: offset
      if ((flags & 3) !== 0) { // elemkind (0x00) or reftype
        const start = r.pos;
        if (flags & 4) readRefType(r);
        else r.u8();
        w.bytes(r.bytes.subarray(start, r.pos));
      }
      const count = r.u32();
      w.u32(count);
      for (let k = 0; k < count; k++) {
        if (flags & 4) this.#constExpr(r, w);
        else w.u32(this.#func(r.u32()));
      }
    }
  }

  /** Data segments (spec §5.5.14, flags 0-2), with the global indices of their offsets remapped. */
  #datas(r: ByteReader, w: ByteWriter): void {
    const n = r.u32();
    w.u32(n);
    for (let i = 0; i < n; i++) {
      const flags = r.u32();
      w.u32(flags);
      if (flags === 2) w.u32(r.u32()); // memory index
      if (flags !== 1) this.#constExpr(r, w);
      const start = r.pos;
      const size = r.u32();
      r.pos += size;
      w.bytes(r.bytes.subarray(start, r.pos));
    }
  }

  /** Tables (spec 3.0 §5.5.6): an initializer's `ref.func` is remapped; the types and limits are copied. */
  #tables(r: ByteReader, w: ByteWriter): void {
    const n = r.u32();
    w.u32(n);
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const withInit = r.bytes[r.pos] === 0x40;
      if (withInit) r.pos += 2; // 0x40 0x00
      readRefType(r);
      w.bytes(r.bytes.subarray(start, r.pos));
      this.#limits(r, w, minCap(this.#options.limits?.tableElements, HOST_MAX_TABLE_ELEMENTS));
      if (withInit) this.#constExpr(r, w);
    }
  }

  /**
   * Limits (spec 3.0 §5.3.7: flags, min, max when flag bit 0), copied, with the maximum lowered to `cap` (never
   * below the minimum: a store limit under it fails instantiation before the host sees the module).
   */
  #limits(r: ByteReader, w: ByteWriter, cap: number | undefined): void {
    const start = r.pos;
    const flags = r.u8();
    const min = r.u64();
    const max = flags & 1 ? r.u64() : undefined;
    if (cap === undefined || (max !== undefined && max <= cap)) {
      w.bytes(r.bytes.subarray(start, r.pos));
      return;
    }
    w.u8(flags | 1).u32(min).u32(Math.max(cap, min)); // u32 writes any integer below 2^53 (memory64 limits)
  }

  /** A constant expression, copied up to and including its `end`, with `ref.func` remapped. */
  #constExpr(r: ByteReader, w: ByteWriter): void {
    const reader = new InstructionReader(r);
    for (;;) {
      const op = reader.next();
      if (op === OP_REF_FUNC) w.u8(op).u32(this.#func(reader.index));
      else if (op === OP_GLOBAL_GET && this.#globalShift > 0) w.u8(op).u32(this.#global(reader.index));
      else w.bytes(r.bytes.subarray(reader.at, r.pos));
      if (op === OP_END) return;
    }
  }

  /** The branch hints section's entries so far ({@link #unlikelyIf}), and how many functions they cover. */
  readonly #hints = new ByteWriter();
  #hintFuncs = 0;

  #code(r: ByteReader, w: ByteWriter): void {
    const n = r.u32();
    w.u32(n + this.#padding + 1);
    for (let i = 0; i < n; i++) {
      const size = r.u32();
      const end = r.pos + size;
      const bytes = this.#bodies?.[i] ?? this.#function(i, r);
      r.pos = end;
      w.u32(bytes.length).bytes(bytes);
    }
    for (let k = 0; k < this.#padding; k++) w.u32(PAD_BODY.length).bytes(PAD_BODY);
    const access = this.#accessBody();
    w.u32(access.length).bytes(access);
  }

  /** The function index of the access function ({@link ACCESS_EXPORT}): after the defined ones and the padding. */
  get #accessFunc(): number {
    return this.#func(this.#module.importedFuncs + this.#module.funcs.length) + this.#padding;
  }

  /**
   * The access function's body: `op` (local 0) picks a case of {@link Access}, as a chain of `if`s, each leaving an
   * `f64` (the last case, `ReadElem`, is the chain's final `else`).
   */
  #accessBody(): Uint8Array {
    const w = new ByteWriter().u32(0); // no locals
    const cases: [number, number[]][] = [];
    if (this.#metered) {
      cases.push([Access.ReadFuel, [OP_GLOBAL_GET, ...leb(this.#fuel), OP_F64_CONVERT_I64_S]]);
      const write = [OP_LOCAL_GET, 1, 0xfc, 6, /* i64.trunc_sat_f64_s */ OP_GLOBAL_SET, ...leb(this.#fuel)];
      cases.push([Access.WriteFuel, [...write, OP_F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0]]);
    }
    const trap = leb(this.#trap);
    cases.push([Access.TakeTrap, [
      OP_GLOBAL_GET,
      ...trap,
      OP_F64_CONVERT_I32_U,
      OP_I32_CONST,
      0,
      OP_GLOBAL_SET,
      ...trap,
    ]]);
    for (const [op, code] of cases) {
      w.u8(OP_LOCAL_GET).u8(0).u8(OP_I32_CONST).s32(op).u8(OP_I32_EQ).u8(OP_IF).u8(F64).bytes(code).u8(OP_ELSE);
    }
    w.u8(OP_GLOBAL_GET).u32(this.#elem).u8(OP_F64_CONVERT_I64_U);
    for (let k = 0; k < cases.length; k++) w.u8(OP_END);
    return w.u8(OP_END).finish();
  }

  /** The rewritten bodies when made ahead of the sections ({@link #rewriteBodies}). */
  #bodies: Uint8Array[] | undefined;
  /** How many functions {@link #rewriteBodies} appends. */
  #padding = 0;

  /**
   * Rewrites every body ahead of the sections, to count the small ones. Why: V8 reads the share of a module's
   * bodies under 50 bytes as a sign of whether its toolchain inlined already, and gives Turbofan a tenth of the
   * inlining budget below 25% (the full one from 50%, interpolated between: `InliningTree`'s budget scale factor).
   * The added charges and checkpoints take many small functions past 50 bytes (Sightglass fib2: 45% to 18%), which
   * cut the inlining of the whole module, call-heavy code most. So the rewrite appends as many tiny functions that
   * nothing calls (`i32.const 0`, of the hook's type) as it takes to bring the share back to the original's (or
   * 50%), and V8 budgets the module as it would the original.
   */
  #rewriteBodies(): void {
    const bytes = this.#module.bytes;
    const r = new ByteReader(bytes, 8);
    while (r.pos < bytes.length) {
      const id = r.u8();
      const size = readLength(r);
      if (id !== CODE) {
        r.pos += size;
        continue;
      }
      const n = r.u32();
      const bodies: Uint8Array[] = [];
      let small = 0, smallAfter = 0;
      for (let i = 0; i < n; i++) {
        const length = r.u32();
        const end = r.pos + length;
        const body = this.#function(i, r);
        r.pos = end;
        bodies.push(body);
        if (length < V8_SMALL_FUNCTION) small++;
        if (body.length < V8_SMALL_FUNCTION) smallAfter++;
      }
      this.#bodies = bodies;
      const share = Math.min(small / n, 0.5);
      // (smallAfter + k) / (n + 1 + k) >= share, where the 1 is the access function (not small).
      const total = n + 1;
      if (smallAfter < share * total) this.#padding = Math.ceil((share * total - smallAfter) / (1 - share));
      return;
    }
  }

  /**
   * Defined function `i`'s rewritten body (locals and instructions), read from `r` at its locals; with `offsets`,
   * also records, for each original instruction, where its rewrite starts in the body and where it was.
   */
  #function(i: number, r: ByteReader, offsets?: number[]): Uint8Array {
    const module = this.#module;
    const body = module.codes[i]!;
    const params = module.types[module.funcs[i]!]!.params.length;
    // The instructions first: they decide the scratch locals of reference types (`call_ref` guards).
    this.#scratchLocals.clear();
    this.#unlikely.length = 0;
    // The fixed scratch locals (6), the counter's (with fuel), the depth's (with a stack limit), then these.
    this.#firstScratch = params + body.localCount + 6 + (this.#metered ? 1 : 0) + (this.#depth >= 0 ? 1 : 0);
    const code = new ByteWriter();
    const at: number[] | undefined = offsets === undefined ? undefined : [];
    this.#body(body, params + body.localCount, code, at);
    const f = new ByteWriter();
    // Locals: the original runs, then the scratch locals (two i32, two i64, one f32, one f64, with fuel one i64
    // for the counter, with a stack limit one i32, then those of guards: a `(ref null $t)` per type a guarded
    // `call_ref` calls, the operands of GC guards).
    const runs = r.u32();
    const depth = this.#depth >= 0;
    f.u32(runs + 4 + (this.#metered ? 1 : 0) + (depth ? 1 : 0) + this.#scratchLocals.size);
    for (let k = 0; k < runs; k++) {
      f.u32(r.u32());
      const start = r.pos;
      readValType(r);
      f.bytes(r.bytes.subarray(start, r.pos));
    }
    f.u32(2).u8(I32).u32(2).u8(I64).u32(1).u8(F32).u32(1).u8(F64);
    if (this.#metered) f.u32(1).u8(I64); // scratch + 6: the counter, in the local mode
    if (depth) f.u32(1).u8(I32); // the depth this frame's callees start at
    for (const { type } of this.#scratchLocals.values()) f.u32(1).bytes(type);
    if (at !== undefined) {
      for (let k = 0; k < at.length; k += 2) offsets!.push(at[k]! + f.length, at[k + 1]!);
    }
    if (this.#unlikely.length > 0 && (this.#options.branchHints ?? true)) {
      // Branch hints (metadata.code.branch_hint): per function its index, then per `if` its offset in the body
      // (from the locals), the hint's size (1) and 0, "not taken".
      this.#hintFuncs++;
      this.#hints.u32(this.#func(module.importedFuncs + i)).u32(this.#unlikely.length);
      for (const off of this.#unlikely) this.#hints.u32(off + f.length).u8(1).u8(0);
    }
    f.bytes(code.finish());
    return f.finish();
  }

  /** {@link instrumentedOffsets} of defined function `i`, whose original body starts (at its locals) at `start`. */
  offsets(i: number, start: number): Uint32Array {
    const offsets: number[] = [];
    this.#function(i, new ByteReader(this.#module.bytes, start), offsets);
    return Uint32Array.from(offsets);
  }

  /** One function's instructions with the fuel plan's charges and checks and the bulk-op charges. */
  #body(body: Module["codes"][number], scratch: number, w: ByteWriter, offsets?: number[]): void {
    const plan = this.#metered ? planFuel(this.#module, body) : NO_PLAN;
    const r = new ByteReader(this.#module.bytes, body.start, body.end);
    const reader = new InstructionReader(r);
    let run = 0;
    const metered = this.#metered;
    let loopAt = -1; // the offset of the `loop` just read, whose header checkpoint comes next
    // The frame as the interpreter's stack limit counts it (`exec/machine.ts` FRAME_BYTES, and an 8-byte slot per
    // param and local: `scratch`, the index of the first scratch local, is their number).
    const frame = 32 + 8 * scratch;
    const depthLocal = scratch + (metered ? 7 : 6);
    // The local mode (module doc): which runs may trap or run other code, or null to keep the counter global.
    const mayTrap = metered && (this.#options.fuelInLocal ?? true) ? this.#runsThatMayTrap(body, plan) : null;
    this.#local = mayTrap === null ? -1 : scratch + 6;
    this.#exact = true;
    let blocks = 0; // blocks open inside the function: a branch to label `blocks` leaves the function
    if (this.#depth >= 0) this.#enterFrame(w, frame, depthLocal);
    while (r.pos < r.end) {
      const at = r.pos;
      // Before the run's charge: a trap in the charge's checkpoint, or in a guard, is the instruction's own; a loop
      // header's checkpoint is the `loop`'s, as the interpreter's backtraces and profiles place it.
      while (metered && run < plan.count && plan.starts[run]! < at) run++;
      const starts = metered && run < plan.count && plan.starts[run] === at;
      const header = starts && loopAt >= 0 && plan.checkpoints[run] === 1;
      offsets?.push(w.length, header ? loopAt : at);
      if (starts) {
        if (mayTrap !== null) this.#exact = mayTrap[run] === 1;
        if (plan.checkpoints[run]) this.#check(w, plan.costs[run]!, scratch + 2, run === 0);
        else this.#charge(w, plan.costs[run]!);
        run++;
        if (header) offsets?.push(w.length, at);
      }
      const op = reader.next();
      loopAt = op === OP_LOOP ? at : -1;
      if (this.#depth >= 0) this.#passDepth(w, op, frame, depthLocal);
      if (op === OP_BLOCK || op === OP_LOOP || op === OP_IF || op === OP_TRY || op === OP_TRY_TABLE) blocks++;
      else if (op === OP_DELEGATE || (op === OP_END && blocks > 0)) blocks--;
      else if (!this.#exact && this.#leaves(op, reader, blocks)) this.#writeBack(w); // return, the end, a branch
      const wideTrunc = TRUNC.get(op);
      if (wideTrunc !== undefined) {
        // Why: hosts word a NaN and an out-of-range truncation alike ("float unrepresentable in integer range");
        // Wasmtime, and the interpreter, say "invalid conversion to integer" for NaN and "integer overflow" for the
        // rest. A NaN operand meets this `unreachable` first (`traps.ts` recognizes the sequence by its bytes).
        const t = wideTrunc ? scratch + 5 : scratch + 4;
        w.u8(OP_LOCAL_TEE).u32(t).u8(OP_LOCAL_GET).u32(t).u8(OP_LOCAL_GET).u32(t);
        w.u8(wideTrunc ? OP_F64_NE : OP_F32_NE);
        this.#unlikelyIf(w);
        this.#guardTrap(w, GuardTrap.BadConversion);
        w.u8(OP_END).u8(op);
      } else if ((op === OP_CALL_REF || op === OP_RETURN_CALL_REF) && this.#options.guardCallRef) {
        // The reference is on top: a null one records its trap first (a scratch local of its type holds it).
        const local = this.#scratchLocal(encodeValTypes([refType(concreteHeap(reader.index), true)]));
        w.u8(OP_LOCAL_TEE).u32(local).u8(OP_REF_IS_NULL);
        this.#unlikelyIf(w);
        this.#guardTrap(w, GuardTrap.NullFunctionReference);
        w.u8(OP_END).u8(OP_LOCAL_GET).u32(local).bytes(r.bytes.subarray(reader.at, r.pos));
      } else if (op === OP_RETURN_CALL && reader.index < this.#hook && this.#options.tailCallImportsAsCalls) {
        w.u8(OP_CALL).u32(reader.index).u8(OP_RETURN);
      } else if ((op === OP_CALL_INDIRECT || op === OP_RETURN_CALL_INDIRECT) && this.#options.guardIndirect) {
        // The index is on top: past the table's end, or a null entry, records its trap before the host's check.
        const table = reader.index2, wide = this.#addressTypes.tables[table]!;
        const i = wide ? scratch + 2 : scratch;
        w.u8(OP_LOCAL_TEE).u32(i).u8(OP_LOCAL_GET).u32(i).u8(PREFIX_FC).u32(TABLE_SIZE).u32(table);
        w.u8(wide ? OP_I64_GE_U : OP_I32_GE_U);
        this.#unlikelyIf(w);
        this.#guardTrap(w, GuardTrap.UndefinedElement);
        w.u8(OP_END).u8(OP_LOCAL_GET).u32(i).u8(OP_TABLE_GET).u32(table).u8(OP_REF_IS_NULL);
        this.#unlikelyIf(w);
        w.u8(OP_LOCAL_GET).u32(i);
        if (!wide) w.u8(OP_I64_EXTEND_I32_U);
        w.u8(OP_GLOBAL_SET).u32(this.#elem);
        this.#guardTrap(w, GuardTrap.IndirectCallToNull);
        w.u8(OP_END);
        w.bytes(r.bytes.subarray(reader.at, r.pos));
      } else if (op === OP_CALL_INDIRECT || op === OP_RETURN_CALL_INDIRECT) {
        // The index is on top: kept in the element-index global for the message of a null entry's trap.
        const wide = this.#addressTypes.tables[reader.index2]!;
        const i = wide ? scratch + 2 : scratch;
        w.u8(OP_LOCAL_TEE).u32(i);
        if (!wide) w.u8(OP_I64_EXTEND_I32_U);
        w.u8(OP_GLOBAL_SET).u32(this.#elem).u8(OP_LOCAL_GET).u32(i);
        w.bytes(r.bytes.subarray(reader.at, r.pos));
      } else if ((op === OP_GLOBAL_GET || op === OP_GLOBAL_SET) && this.#globalShift > 0) {
        w.u8(op).u32(this.#global(reader.index));
      } else if (op === OP_CALL || op === OP_RETURN_CALL || op === OP_REF_FUNC) {
        w.u8(op).u32(this.#func(reader.index));
      } else if (
        op === PREFIX_FB && (BULK_ARRAY_OPS.has(reader.sub) ||
          (this.#options.guardGcNulls === true && NULL_CHECKED_OPS.has(reader.sub)))
      ) {
        // Checked in Wasmtime's order before the host's own checks (`gc_guards.ts`); then charged per element.
        const count = writeGcGuard(this.#guardContext(w), reader.sub, reader.index, reader.index2);
        w.bytes(r.bytes.subarray(reader.at, r.pos));
        if (metered && count >= 0) this.#chargeLocal(w, count, false);
      } else if (
        op === PREFIX_FC && this.#segments !== undefined && (reader.sub === DATA_DROP || reader.sub === ELEM_DROP)
      ) {
        w.bytes(r.bytes.subarray(reader.at, r.pos));
        writeDropLength(w, this.#segments, reader.sub, reader.index);
      } else if (metered && op === PREFIX_FB && GC_PER_ELEMENT.has(reader.sub)) {
        // GC array ops charge one per element after they succeed, as the machine does (`exec/gc_ops.ts`); the
        // count is their last operand (an i32), or array.new_fixed's immediate.
        if (reader.sub === ARRAY_NEW_FIXED) {
          w.bytes(r.bytes.subarray(reader.at, r.pos));
          this.#charge(w, reader.index2);
        } else {
          w.u8(OP_LOCAL_TEE).u32(scratch).bytes(r.bytes.subarray(reader.at, r.pos));
          this.#chargeLocal(w, scratch, false);
        }
      } else if (metered && op === PREFIX_FC && (PER_UNIT.has(reader.sub) || reader.sub === TABLE_GROW)) {
        // The count (or delta) is the last operand: an i32, or an i64 on 64-bit memories and tables (memory64), kept
        // in the i64 scratch locals (the checkpoint's temp is free between run starts).
        const wide = this.#wideCount(reader);
        const count = wide ? scratch + 2 : scratch, result = wide ? scratch + 3 : scratch + 1;
        w.u8(OP_LOCAL_TEE).u32(count);
        w.bytes(r.bytes.subarray(reader.at, r.pos));
        if (reader.sub === TABLE_GROW) {
          // Charged only when the table grew (the result is not -1).
          w.u8(OP_LOCAL_TEE).u32(result);
          if (wide) w.u8(OP_I64_CONST).u8(0).u8(OP_I64_GE_S);
          else w.u8(OP_I32_CONST).u8(0).u8(OP_I32_GE_S);
          w.u8(OP_IF).u8(EMPTY);
          this.#chargeLocal(w, count, wide);
          w.u8(OP_END).u8(OP_LOCAL_GET).u32(result);
          if (this.#options.trapOnGrow?.tables[reader.index]) {
            this.#growGuard(w, result, wide, GuardTrap.TableGrowFailed);
          }
        } else {
          this.#chargeLocal(w, count, wide);
        }
      } else if (this.#trapsOnGrow(op, reader)) {
        // `memory.grow`, or an unmetered `table.grow`, whose failure traps (InstrumentOptions.trapOnGrow).
        const table = op !== OP_MEMORY_GROW;
        const wide = (table ? this.#addressTypes.tables : this.#addressTypes.memories)[reader.index]!;
        w.bytes(r.bytes.subarray(reader.at, r.pos));
        this.#growGuard(
          w,
          wide ? scratch + 3 : scratch + 1,
          wide,
          table ? GuardTrap.TableGrowFailed : GuardTrap.MemoryGrowFailed,
        );
      } else {
        w.bytes(r.bytes.subarray(reader.at, r.pos));
      }
      // A callee charged the global (and a host import or the hook may have refuelled): the local reads it back.
      if (this.#local >= 0 && (op === OP_CALL || op === OP_CALL_INDIRECT || op === OP_CALL_REF)) this.#reload(w);
    }
  }

  /** A scratch local of the encoded value type `type` (the `slot`-th of it) in the function being rewritten. */
  #scratchLocal(type: readonly number[], slot = 0): number {
    const key = `${type.join(",")}/${slot}`;
    let local = this.#scratchLocals.get(key);
    if (local === undefined) {
      local = { index: this.#firstScratch + this.#scratchLocals.size, type };
      this.#scratchLocals.set(key, local);
    }
    return local.index;
  }

  /** What the GC guards write with (`gc_guards.ts`). */
  #guardContext(w: ByteWriter): GuardContext {
    return {
      w,
      module: this.#module,
      local: (type, slot) => this.#scratchLocal(type, slot),
      trap: (code) => this.#guardTrap(w, code),
      segments: this.#segments,
    };
  }

  /**
   * The local mode's counter: the index of the local that holds it while the function runs, or -1 when the function
   * keeps it in the global (the local mode off, or exception handling in the function).
   */
  #local = -1;
  /** Whether the global equals the local from here to the current run's end (always, without the local mode). */
  #exact = true;

  /**
   * Per run of `plan`, 1 when it holds an instruction that may trap or run other code ({@link cannotTrap}); null
   * when the function has `try_table` or a legacy `try`: a caught exception lands at a label with the local as it
   * was at the call or `throw`, so such a function keeps the counter in the global.
   */
  #runsThatMayTrap(body: Module["codes"][number], plan: FuelPlan): Uint8Array | null {
    const r = new ByteReader(this.#module.bytes, body.start, body.end);
    const reader = new InstructionReader(r);
    const out = new Uint8Array(plan.count);
    let run = 0;
    while (r.pos < r.end) {
      while (run + 1 < plan.count && plan.starts[run + 1]! <= r.pos) run++;
      const op = reader.next();
      if (op === OP_TRY || op === OP_TRY_TABLE) return null;
      // Code after a `br` up to its block's end belongs to no run: counted with the run before it, which is safe.
      if (!cannotTrap(op, reader.sub)) out[run] = 1;
    }
    return out;
  }

  /** Whether `op` leaves the function: `return`, the function's `end`, a branch that may target its label. */
  #leaves(op: number, reader: InstructionReader, blocks: number): boolean {
    switch (op) {
      case OP_RETURN:
      case OP_END: // with no block open: the function's
        return true;
      case OP_BR:
      case OP_BR_IF:
      case OP_BR_ON_NULL:
      case OP_BR_ON_NON_NULL:
        return reader.index === blocks;
      case OP_BR_TABLE:
        if (reader.index2 === blocks) return true;
        for (let k = 0; k < reader.index; k++) if (reader.targets[k] === blocks) return true;
        return false;
      default:
        return false;
    }
  }

  /** `global = local` (the local mode). */
  #writeBack(w: ByteWriter): void {
    w.u8(OP_LOCAL_GET).u32(this.#local).u8(OP_GLOBAL_SET).u32(this.#fuel);
  }

  /** `local = global` (the local mode). */
  #reload(w: ByteWriter): void {
    w.u8(OP_GLOBAL_GET).u32(this.#fuel).u8(OP_LOCAL_SET).u32(this.#local);
  }

  /** Whether `op` is a grow the caller has not written whose failure must trap (InstrumentOptions.trapOnGrow). */
  #trapsOnGrow(op: number, reader: InstructionReader): boolean {
    const t = this.#options.trapOnGrow;
    if (t === undefined) return false;
    if (op === OP_MEMORY_GROW) return t.memories[reader.index] ?? false;
    return op === PREFIX_FC && reader.sub === TABLE_GROW && (t.tables[reader.index] ?? false);
  }

  /** `if ((local = result) == -1) { kiln:trap = code; unreachable }`, leaving the result on the stack. */
  #growGuard(w: ByteWriter, local: number, wide: boolean, code: number): void {
    w.u8(OP_LOCAL_TEE).u32(local);
    if (wide) w.u8(OP_I64_CONST).u8(0x7f).u8(OP_I64_EQ);
    else w.u8(OP_I32_CONST).u8(0x7f).u8(OP_I32_EQ);
    this.#unlikelyIf(w);
    this.#guardTrap(w, code);
    w.u8(OP_END).u8(OP_LOCAL_GET).u32(local);
  }

  /** `if ((next = depth + frame) > limit) { kiln:trap = StackOverflow; unreachable }` (InstrumentOptions.stackLimit). */
  #enterFrame(w: ByteWriter, frame: number, next: number): void {
    w.u8(OP_GLOBAL_GET).u32(this.#depth).u8(OP_I32_CONST).s32(frame).u8(OP_I32_ADD).u8(OP_LOCAL_TEE).u32(next);
    w.u8(OP_I32_CONST).s32(Math.min(this.#options.stackLimit!, 0x7fffffff)).u8(OP_I32_GT_U);
    this.#unlikelyIf(w);
    this.#guardTrap(w, GuardTrap.StackOverflow);
    w.u8(OP_END);
  }

  /** Before a call, `depth = next`; before a tail call, `depth = next - frame` (the frame goes away). */
  #passDepth(w: ByteWriter, op: number, frame: number, next: number): void {
    if (op === OP_CALL || op === OP_CALL_INDIRECT || op === OP_CALL_REF) {
      w.u8(OP_LOCAL_GET).u32(next).u8(OP_GLOBAL_SET).u32(this.#depth);
    } else if (op === OP_RETURN_CALL || op === OP_RETURN_CALL_INDIRECT || op === OP_RETURN_CALL_REF) {
      w.u8(OP_LOCAL_GET).u32(next).u8(OP_I32_CONST).s32(frame).u8(OP_I32_SUB).u8(OP_GLOBAL_SET).u32(this.#depth);
    }
  }

  /**
   * An `if` (empty block type) the host should expect not to be taken: a checkpoint's call of the hook, a guard's
   * trap. Recorded for the branch hints section ({@link InstrumentOptions.branchHints}).
   */
  #unlikelyIf(w: ByteWriter): void {
    this.#unlikely.push(w.length);
    w.u8(OP_IF).u8(EMPTY);
  }

  /** The offsets in the code being written of the function's {@link #unlikelyIf}s. */
  readonly #unlikely: number[] = [];

  /** `kiln:trap = code; unreachable` (a guard's trap). */
  #guardTrap(w: ByteWriter, code: number): void {
    w.u8(OP_I32_CONST).s32(code).u8(OP_GLOBAL_SET).u32(this.#trap).u8(OP_UNREACHABLE);
  }

  /**
   * `counter -= cost`: the global's (nothing for a run that costs nothing); in the local mode the local's, and the
   * global set to it where the run may trap ({@link #exact}), also for a run that costs nothing.
   */
  #charge(w: ByteWriter, cost: number): void {
    if (this.#local < 0) {
      if (cost === 0) return;
      w.u8(OP_GLOBAL_GET).u32(this.#fuel).u8(OP_I64_CONST).s32(cost).u8(OP_I64_SUB).u8(OP_GLOBAL_SET).u32(this.#fuel);
    } else if (cost !== 0) {
      w.u8(OP_LOCAL_GET).u32(this.#local).u8(OP_I64_CONST).s32(cost).u8(OP_I64_SUB);
      if (this.#exact) w.u8(OP_LOCAL_TEE).u32(this.#local).u8(OP_GLOBAL_SET).u32(this.#fuel);
      else w.u8(OP_LOCAL_SET).u32(this.#local);
    } else if (this.#exact) {
      this.#writeBack(w);
    }
  }

  /**
   * `counter -= local` (an unsigned i32 count, or an i64 one when `wide`); in the local mode both the local and the
   * global (bulk operations may trap, so their runs keep the global exact).
   */
  #chargeLocal(w: ByteWriter, local: number, wide: boolean): void {
    w.u8(this.#local < 0 ? OP_GLOBAL_GET : OP_LOCAL_GET).u32(this.#local < 0 ? this.#fuel : this.#local);
    w.u8(OP_LOCAL_GET).u32(local);
    if (!wide) w.u8(OP_I64_EXTEND_I32_U);
    w.u8(OP_I64_SUB);
    if (this.#local >= 0) w.u8(OP_LOCAL_TEE).u32(this.#local);
    w.u8(OP_GLOBAL_SET).u32(this.#fuel);
  }

  /**
   * Whether a bulk op's count (or `table.grow`'s delta and result) is an i64 (memory64): `memory.fill`, `table.fill`
   * and `table.grow` on a 64-bit memory or table, `memory.copy` and `table.copy` between two 64-bit ones (the
   * count has the smaller address type); `memory.init` and `table.init` count segment bytes and elements in i32.
   */
  #wideCount(reader: InstructionReader): boolean {
    const { memories, tables } = this.#addressTypes;
    switch (reader.sub) {
      case 10: // memory.copy dst src
        return memories[reader.index]! && memories[reader.index2]!;
      case 11: // memory.fill
        return memories[reader.index]!;
      case 14: // table.copy dst src
        return tables[reader.index]! && tables[reader.index2]!;
      case 15: // table.grow
      case 17: // table.fill
        return tables[reader.index]!;
      default:
        return false;
    }
  }

  /**
   * `if ((counter -= cost) < 0) { if (hook()) unreachable }`, the new counter kept in local `t` to save a second
   * load. In the local mode the function's `entry` loads the local from the global; the global is set where the run
   * may trap ({@link #exact}), else only before the hook, which may refuel: the local reads the global back after.
   */
  #check(w: ByteWriter, cost: number, t: number, entry: boolean): void {
    const local = this.#local;
    if (local < 0) {
      w.u8(OP_GLOBAL_GET).u32(this.#fuel);
      if (cost !== 0) {
        w.u8(OP_I64_CONST).s32(cost).u8(OP_I64_SUB).u8(OP_LOCAL_TEE).u32(t).u8(OP_GLOBAL_SET).u32(this.#fuel);
        w.u8(OP_LOCAL_GET).u32(t);
      }
    } else {
      // The global is exact at the entry of a run that costs nothing.
      const setGlobal = this.#exact && !(entry && cost === 0);
      if (entry) w.u8(OP_GLOBAL_GET).u32(this.#fuel);
      else w.u8(OP_LOCAL_GET).u32(local);
      if (cost !== 0) w.u8(OP_I64_CONST).s32(cost).u8(OP_I64_SUB);
      if (cost !== 0 || entry) w.u8(OP_LOCAL_TEE).u32(local);
      if (setGlobal) w.u8(OP_GLOBAL_SET).u32(this.#fuel).u8(OP_LOCAL_GET).u32(local);
    }
    w.u8(OP_I64_CONST).u8(0).u8(OP_I64_LT_S);
    this.#unlikelyIf(w);
    if (local >= 0 && !this.#exact) this.#writeBack(w);
    if (this.#options.checkpointsTrap) {
      this.#guardTrap(w, GuardTrap.Checkpoint);
      w.u8(OP_END);
      return;
    }
    w.u8(OP_CALL).u32(this.#hook);
    this.#unlikelyIf(w);
    w.u8(OP_UNREACHABLE).u8(OP_END);
    if (local >= 0) this.#reload(w);
    w.u8(OP_END);
  }

  /**
   * The name section with function indices remapped (subsections 1 function, 2 local and 3 label names), and the
   * module name of {@link InstrumentOptions.moduleName}.
   */
  #custom(r: ByteReader): void {
    const name = readName(r);
    const w = new ByteWriter().name(name);
    if (name !== "name") {
      w.bytes(r.bytes.subarray(r.pos, r.end));
    } else {
      try {
        this.#names(r, w);
      } catch {
        this.#named = false;
        return; // a malformed name section is ignored by decoding too: drop it rather than remap it wrongly
      }
    }
    const payload = w.finish();
    this.#out.u8(0).u32(payload.length).bytes(payload);
  }

  #names(r: ByteReader, w: ByteWriter): void {
    if (this.#options.moduleName !== undefined) this.#moduleName(w);
    while (r.pos < r.end) {
      const id = r.u8();
      const size = r.u32();
      const sub = new ByteReader(r.bytes, r.pos, r.pos + size);
      r.pos += size;
      const s = new ByteWriter();
      // Function indices move with the hook's import (with fuel); defined global indices with the imported globals.
      const moves = id === 1 || id === 2 || id === 3 ? this.#metered : id === 7 && this.#globalShift > 0;
      if (id === 0 && this.#options.moduleName !== undefined) {
        continue; // replaced
      } else if (moves && (id === 1 || id === 7)) {
        // Function names; global names (subsection 7).
        const n = sub.u32();
        s.u32(n);
        for (let i = 0; i < n; i++) {
          const index = sub.u32();
          s.u32(id === 1 ? this.#func(index) : this.#global(index));
          copyName(sub, s);
        }
      } else if (moves) {
        // Local and label names (subsections 2 and 3), by function.
        const n = sub.u32();
        s.u32(n);
        for (let i = 0; i < n; i++) {
          s.u32(this.#func(sub.u32()));
          const m = sub.u32();
          s.u32(m);
          for (let k = 0; k < m; k++) {
            s.u32(sub.u32());
            copyName(sub, s);
          }
        }
      } else {
        s.bytes(sub.bytes.subarray(sub.pos, sub.end));
      }
      const payload = s.finish();
      w.u8(id).u32(payload.length).bytes(payload);
    }
  }
}

const EMPTY_VEC = new Uint8Array([0]);
/** The access function's type ({@link ACCESS_EXPORT}): `(i32, f64) -> f64`. */
const ACCESS_TYPE = [0x60, 2, I32, F64, 1, F64];

/** Copies a name (its length and bytes) from `r` to `w` as it is: no need to decode what is written back. */
function copyName(r: ByteReader, w: ByteWriter): void {
  const start = r.pos;
  const n = readLength(r); // before the `+=`, which would read `r.pos` first
  r.pos += n;
  w.bytes(r.bytes.subarray(start, r.pos));
}

/** An unsigned LEB128 (an index inside a hand-written body). */
function leb(n: number): number[] {
  return [...new ByteWriter().u32(n).finish()];
}
/** V8's "small function": a body (from its locals) under this many bytes (`kSmallFunctionThreshold`). */
const V8_SMALL_FUNCTION = 50;
/** A padding function's body ({@link InstrumentOptions.padSmallFunctions}): no locals, `i32.const 0`, `end`. */
const PAD_BODY = new Uint8Array([0, OP_I32_CONST, 0, OP_END]);
/**
 * The largest maxima hosts compile (V8 15: "larger than implementation limit"): a 64-bit memory's in pages
 * (16 GiB) and a table's in elements. A larger declared maximum is lowered to them: growth past them fails on the
 * host anyway, and Kiln's objects keep the declared types.
 */
const HOST_MAX_MEMORY64_PAGES = 2 ** 18, HOST_MAX_TABLE_ELEMENTS = 10_000_000;

/** The smaller of two optional caps. */
function minCap(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
/** The plan of code that charges no fuel. */
const NO_PLAN: FuelPlan = {
  count: 0,
  starts: new Int32Array(0),
  costs: new Int32Array(0),
  checkpoints: new Uint8Array(0),
};
