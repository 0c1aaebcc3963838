/**
 * The native engine's function imports: how a host function (or a function of another engine or instance) is
 * called by native guest code, with values converted, fuel handed over, and JSPI only where it can be needed.
 *
 * What is wrapped in `WebAssembly.Suspending`, and why: a Suspending import costs ~141 ns a call on V8 and ~629 ns
 * on JSC even when it returns a plain value, and calling one outside `WebAssembly.promising` throws a SuspendError
 * whatever it returns. So an import declared synchronous (`synchronous()`, Kiln's WASI in sync mode) is a plain
 * import; any other import is given through a dispatcher: a tiny wasm function that calls the Suspending form
 * when the running call is async (a process-wide flag global the engine sets at every entry) and the plain form
 * otherwise, so synchronous calls (`callSync`) work on the same instance. The checkpoint hook is dispatched the same
 * way (it yields only in async calls).
 *
 * @module
 */

import { isRefType, storageType, ValType } from "../binary/module.ts";
import type { FuncType } from "../binary/module.ts";
import type { FuncInst } from "../runtime/func.ts";
import { funcToJs, hostResultList, toRef, valTypeToName } from "../runtime/values.ts";
import { gcObjectOfView } from "../runtime/gc_views.ts";
import { TRAP_MESSAGES, TrapCode, trapWithMessage } from "../trap_codes.ts";
import { trampolineModule } from "./trampolines.ts";
import { HAS_JSPI } from "../engine/host.ts";

// Why through globalThis: this module is loaded on hosts without WebAssembly too (V8 --jitless, locked-down pages),
// where the bare name throws; the native engine is refused there before any of this runs.
const HOST = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;

/** Whether the host has JSPI (`engine/host.ts`). */
export { HAS_JSPI };

type AnyFn = (...args: unknown[]) => unknown;
const WA = HOST as unknown as {
  Suspending: new (fn: AnyFn) => unknown;
  promising: (fn: AnyFn) => (...args: unknown[]) => Promise<unknown>;
};

/** `WebAssembly.promising` (JSPI). */
export function promising(fn: AnyFn): (...args: unknown[]) => Promise<unknown> {
  return WA.promising(fn);
}

/** 1 while the innermost running call is async (so dispatched imports may suspend), 0 otherwise. */
export const asyncFlag: WebAssembly.Global = HOST !== undefined
  ? new HOST.Global({ value: "i32", mutable: true }, 0)
  : { value: 0 } as unknown as WebAssembly.Global;

/** Whether a value is a thenable (what makes a call suspend). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/** A type's name in the text format, for the dispatcher modules (typed references cross as their storage type). */
function typeText(t: number): string {
  return valTypeToName(t);
}

/** What a dispatcher calls around a suspension (`native/engine.ts` makes one per instance). */
export interface Resumption {
  /** Records the running call; returns its token. */
  token(): number;
  /** Restores the call of a token. */
  resumed(token: number): void;
  /** 1 when the running call has been stopped while it awaited (`fuel.ts` `STOP_SUSPENDED`), else 0. */
  stopping(): number;
}

/**
 * The dispatcher of an import of type `type`: calls `suspending` in async calls, `plain` in sync ones.
 *
 * Why `token` and `resumed`: a Suspending import always suspends, and the guest resumes from a microtask of JSPI's
 * own, after other calls' continuations may have run (and set the running call and the live fuel counter to
 * theirs). So before suspending the dispatcher takes a token (`token()`: the JS side records the running call under
 * it) and right after resuming hands it back (`resumed(token)`: the JS side puts that call's state back), in wasm,
 * where nothing can come between the resumption and the guest's next instruction: after a return and after an
 * exception alike (caught with `catch_all_ref`, then rethrown as it was by `throw_ref`).
 *
 * Why `stopping`: a call stopped while it awaited (a deadline, an abort) resumes with an exception; the dispatcher
 * then executes `unreachable` itself, a trap among the guest's frames (so its backtrace is the guest's) that no
 * guest `catch_all` can catch. The function is named (`kiln_dispatch`) so that JavaScriptCore's frames, which do not
 * say their module, never pass for one of the guest's.
 *
 * @param type the import's type
 * @param suspending the Suspending-wrapped form
 * @param plain the plain form
 * @param resumption the running call's bookkeeping around a suspension
 * @returns the wasm function to import
 */
export function dispatcher(type: FuncType, suspending: AnyFn, plain: AnyFn, resumption: Resumption): unknown {
  const params = type.params.map(typeText), results = type.results.map(typeText);
  const key = `dispatch ${params.join(",")}->${results.join(",")}`;
  const sig = `(param ${params.join(" ")}) (result ${results.join(" ")})`;
  const args = params.map((_, i) => `(local.get ${i})`).join(" ");
  const t = params.length;
  const wat = `(module (import "d" "flag" (global $flag (mut i32)))
    (import "d" "a" (func $a ${sig})) (import "d" "s" (func $s ${sig}))
    (import "d" "token" (func $token (result i32))) (import "d" "resumed" (func $resumed (param i32)))
    (import "d" "stopping" (func $stopping (result i32)))
    (func $kiln_dispatch (export "f") ${sig} (local i32 exnref)
      (if (result ${results.join(" ")}) (global.get $flag)
        (then
          (local.set ${t} (call $token))
          (local.set ${t + 1} (block $thrown (result exnref)
            (try_table (result ${results.join(" ")}) (catch_all_ref $thrown) (call $a ${args}))
            (call $resumed (local.get ${t}))
            (return)))
          (call $resumed (local.get ${t}))
          (if (call $stopping) (then unreachable))
          (throw_ref (local.get ${t + 1})))
        (else (call $s ${args})))))`;
  const { token, resumed, stopping } = resumption;
  const inst = new WebAssembly.Instance(trampolineModule(key, wat), {
    d: { flag: asyncFlag, a: new WA.Suspending(suspending), s: plain, token, resumed, stopping },
  } as WebAssembly.Imports);
  return inst.exports.f;
}

/** How function references cross (`native/engine.ts`'s bridge). */
export interface RefBridge {
  toHost(f: FuncInst | null): unknown;
  fromHost(v: unknown): FuncInst | null;
}

/**
 * Whether `v` is one of the host's own GC objects (a struct or an array made by native code): V8's and
 * JavaScriptCore's are opaque, with a null prototype, and not extensible (measured on Deno 2.9 and Bun 1.4), as
 * the interpreter's views of its own are (`runtime/gc_views.ts`), which are not the host's.
 */
export function isHostGcObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === null && !Object.isExtensible(v) &&
    gcObjectOfView(v) === undefined;
}

/**
 * Whether values of type `t` cross as function references (Kiln's function instances on one side, the host's
 * functions on the other). A concrete type is stored as a funcref (`storageType`) whether it names a function or
 * a struct or array type; the host's GC objects pass through {@link refFromHost} and {@link refToHost} as they are.
 */
export function crossesAsFunc(t: number): boolean {
  return isRefType(t) && storageType(t) === ValType.funcref;
}

/** A reference of a funcref-stored type from native code, for JS: a function as Kiln's, a GC object as it is. */
export function refFromHost(bridge: RefBridge, v: unknown): unknown {
  return isHostGcObject(v) ? v : funcToJs(bridge.fromHost(v));
}

/** A reference of a funcref-stored type `t` from JS, for native code: a function as the host's, a GC object as is. */
export function refToHost(bridge: RefBridge, t: number, v: unknown): unknown {
  return isHostGcObject(v) ? v : bridge.toHost(toRef(t, v) as FuncInst | null);
}

/** Converts the arguments a host function receives from native code (funcrefs to Kiln's exported functions). */
export function argConverter(type: FuncType, bridge: RefBridge): ((args: unknown[]) => unknown[]) | null {
  const refs = type.params.map(crossesAsFunc);
  if (!refs.includes(true)) return null;
  return (args) => args.map((v, i) => (refs[i] ? refFromHost(bridge, v) : v));
}

/** Converts a host function's result for native code (funcrefs to host functions), or null when none need it. */
export function resultConverter(type: FuncType, bridge: RefBridge): ((v: unknown) => unknown) | null {
  const results = type.results;
  const conv = (t: number, v: unknown) => crossesAsFunc(t) ? refToHost(bridge, t, v) : v;
  if (!results.some(crossesAsFunc)) return null;
  if (results.length === 1) return (v) => conv(results[0]!, v);
  return (v) => hostResultList(v, results.length).map((x, i) => conv(results[i]!, x));
}

/** The trap of a Promise returned where the call cannot suspend. */
export function cannotSuspend(v: PromiseLike<unknown>, why: string): Error {
  Promise.resolve(v).then(undefined, () => {});
  return trapWithMessage(TrapCode.CannotSuspend, `${TRAP_MESSAGES.CannotSuspend}: ${why}`);
}
