/**
 * Function instances (spec §4.2.6) and their exported JS form.
 *
 * A `FuncInst` is either a wasm function (its instance, its index in the module, its lazily translated code) or a
 * host function (a JS function). Its `typeId` is a structural id (`validate/subtyping.ts`): equivalent function
 * types get the same id, in every module, which is what `call_indirect` compares.
 *
 * @module
 */

import { type FuncType, type Module, ValType } from "../binary/module.ts";
import type { CompiledFunc } from "../compile/translate.ts";
import type { Engine } from "../engine/engine.ts";
import type { Global } from "./global.ts";
import type { Memory } from "./memory.ts";
import type { Store } from "./store.ts";
import type { Table } from "./table.ts";
import type { Tag } from "./tag.ts";
import { type FuncTypeDesc, v128TypeError } from "./values.ts";
import { canonicalFuncType, typeIdOf, typeIdsOf } from "../validate/subtyping.ts";

/** A module instance (spec §4.2.5) as linking builds it and engines run it. */
export interface InstanceState {
  readonly module: Module;
  readonly store: Store;
  /** Module name from the name section, for backtraces. */
  readonly moduleName: string | undefined;
  readonly funcs: FuncInst[];
  readonly tables: Table[];
  readonly memories: Memory[];
  readonly globals: Global[];
  /** Tags in the tag index space (imports first); a `catch` clause matches an exception's tag by identity. */
  readonly tags: Tag[];
  /** Structural type id of each type index. */
  readonly typeIds: readonly number[];
  /** Data segments' bytes; a dropped segment is empty. */
  readonly datas: Uint8Array[];
  /** Element segments' internal values; a dropped segment is empty. */
  readonly elems: unknown[][];
  /** The engine that runs the instance's functions (its store's). */
  readonly engine: Engine;
  /** The engine's own part of the instance, set by `Engine.instantiate` (the interpreter's: its `ModuleCode`). */
  engineState: unknown;
}

/**
 * A new instance of `module` in `store`, run by `engine`, with no entities yet (linking adds them in order).
 *
 * @param module the decoded module
 * @param store the store the instance lives in
 * @param engine the engine that will run it
 * @returns the instance state
 */
export function newInstanceState(module: Module, store: Store, engine: Engine): InstanceState {
  return {
    module,
    store,
    moduleName: module.names.module,
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
    typeIds: typeIdsOf(module),
    datas: module.datas.map((s) => s.bytes),
    elems: [],
    engine,
    engineState: undefined,
  };
}

/** A host function as imported: called with JS-form arguments. */
export type HostFunction = (...args: never[]) => unknown;

/** A function instance. */
export interface FuncInst {
  readonly type: FuncType;
  readonly typeId: number;
  /** The defining instance, or null for a host function. */
  readonly instance: InstanceState | null;
  /** Index in the defining module's function index space (-1 for host functions). */
  readonly index: number;
  readonly host: HostFunction | null;
  /** Whether its type has a v128 parameter or result: it cannot be called with JS values (the JS API's TypeError). */
  readonly v128: boolean;
  /**
   * The interpreter's translated code, set on the function's first call there (null for host functions and for
   * other engines' functions). Why on the shared entity: the machine's call reads it on every call.
   */
  compiled: CompiledFunc | null;
  /** The exported JS function, created on demand. */
  js: ExportedFunction | null;
  /** funcref handle in `handleStore` (see store.ts). */
  handle: number;
  handleStore: Store | null;
}

/**
 * An exported wasm function: an async JS function plus synchronous and raw-value variants.
 *
 * A host import may call back into an export (re-entry: wasm -> host -> wasm -> ...), synchronously or not, up to
 * 1,000 levels deep, about what native WebAssembly allows on V8; the call that would go deeper traps "call stack
 * exhausted", and so does one that finds the JS stack full earlier (an embedder calling in from deep JS recursion).
 */
export interface ExportedFunction {
  (...args: unknown[]): Promise<unknown>;
  /**
   * Calls synchronously; throws a RuntimeError if a host import returns a Promise or a fuel yield is needed.
   *
   * Nothing else runs while it does (no timer, no I/O callback), so an `AbortSignal` cannot abort it from outside:
   * in a store whose only way to stop a busy guest is its `signal` (no `fuel`, `callTimeoutMs` or
   * `fuelYieldInterval`), it throws an Error up front instead of risking a call that never ends; call
   * asynchronously there. A store signal that is already aborted traps "interrupt", and `callTimeoutMs` is
   * honoured (the clock is read at the checkpoints). `yieldEveryMs` never makes it yield.
   */
  callSync(...args: unknown[]): unknown;
  /**
   * Calls with per-call options: an `AbortSignal` and/or a wall-clock `timeoutMs`, either of which stops the call
   * with the trap "interrupt" at its next checkpoint. Checkpoints exist when the store has `fuelYieldInterval`,
   * `yieldEveryMs`, `callTimeoutMs` or `signal`; on a store without any, this throws an Error up front, since a
   * busy guest could never be stopped (the rule `callSync` applies to a store's signal). There is no synchronous
   * variant: a signal can only abort while the event loop runs.
   */
  callWith(options: CallOptions, ...args: unknown[]): Promise<unknown>;
  /** Raw values in and out; results always an array. */
  callRaw(args: unknown[]): Promise<unknown[]>;
  /** Raw values in and out, synchronously (refused in the stores where `callSync` is). */
  callRawSync(args: unknown[]): unknown[];
  /** The function's parameter and result types. */
  readonly type: FuncTypeDesc;
  /** The function's index in its module's function index space (imports first). */
  readonly funcIndex: number;
}

/** Options of one call ({@link ExportedFunction.callWith}). */
export interface CallOptions {
  /** Stops the call with the trap "interrupt" when aborted. */
  readonly signal?: AbortSignal;
  /** Wall-clock limit of the call in milliseconds (time awaiting host Promises counts). */
  readonly timeoutMs?: number;
}

function hasV128(type: FuncType): boolean {
  return type.params.includes(ValType.v128) || type.results.includes(ValType.v128);
}

/** Creates a wasm function instance; `typeIndex` is its type's index in the instance's module. */
export function wasmFunc(instance: InstanceState, index: number, typeIndex: number): FuncInst {
  return {
    type: canonicalFuncType(instance.module, typeIndex),
    typeId: instance.typeIds[typeIndex]!,
    instance,
    index,
    host: null,
    v128: hasV128(instance.module.types[typeIndex]!),
    compiled: null,
    js: null,
    handle: 0,
    handleStore: null,
  };
}

/**
 * Creates a host function instance of the given type; `typeId` is the type's id (see `subtyping.ts`), which a type
 * that refers to other types of a module must be given.
 */
export function hostFunc(fn: HostFunction, type: FuncType, typeId: number = typeIdOf(type)): FuncInst {
  return {
    type,
    typeId,
    instance: null,
    index: -1,
    // Why a wrapper: the JS API's "run a host function" throws a TypeError before calling a function of such a type.
    host: hasV128(type)
      ? () => {
        throw v128TypeError();
      }
      : fn,
    v128: hasV128(type),
    compiled: null,
    js: null,
    handle: 0,
    handleStore: null,
  };
}

/** Host functions declared synchronous ({@link synchronous}). */
const synchronousFunctions = new WeakSet<object>();

/**
 * Declares that a host function never returns a Promise, so an engine need not prepare it to suspend. On the
 * native engine an import that may suspend is called through JSPI's `WebAssembly.Suspending` (about 141 ns a call
 * on V8 and 629 ns on JavaScriptCore, against 6 and 12 ns for a plain call); a declared one is called directly.
 * The interpreter needs no declaration (it costs nothing there). A declared function that returns a Promise anyway
 * traps with "function cannot suspend in a synchronous call" (`TrapCode.CannotSuspend`). Kiln's WASI in `sync`
 * mode declares its functions.
 *
 * @param fn The host function.
 * @returns The same function, now declared.
 *
 * @example An import that never suspends
 * ```ts
 * import { instantiate, parseWat, synchronous } from "../../mod.ts";
 * const { instance } = await instantiate(
 *   parseWat(`(module (import "env" "two" (func $two (result i32))) (func (export "f") (result i32) (call $two)))`),
 *   { env: { two: synchronous(() => 2) } },
 *   { engine: "native" },
 * );
 * console.log(await (instance.exports.f as () => Promise<number>)()); // 2
 * ```
 */
export function synchronous<F extends (...args: never[]) => unknown>(fn: F): F {
  if (typeof fn !== "function") throw new TypeError("synchronous: expected a function");
  synchronousFunctions.add(fn);
  return fn;
}

/** Whether a host function was declared synchronous ({@link synchronous}). */
export function isSynchronous(fn: unknown): boolean {
  return typeof fn === "function" && synchronousFunctions.has(fn);
}
