/**
 * The native engine behind the engine seam (`engine/engine.ts`, DESIGN.md "Two engines behind one seam"): runs
 * modules on the host's own WebAssembly (V8 in Deno and Node, JavaScriptCore in Bun).
 *
 * - Compiling rewrites the module once per module and variant (`instrument.ts`): with fuel when the store meters
 *   (or yields), else the original code; in both, every defined function, table, memory and global is exported
 *   under a `kiln:` name and the start section dropped (Kiln runs the start function as a call, which may suspend).
 *   A store's limits make a variant of their own: defined memories and tables get the store's `maxMemoryBytes` and
 *   `maxTableElements` as their maximum, and grows of memories and tables that trap on failure are guarded, so
 *   the guest's own `memory.grow`/`table.grow` answer as the interpreter's ({@link variantOf}). A store that sets
 *   `maxWasmStack` gets code that counts frames in its store's depth global as the interpreter does (reset at each
 *   call from JS); without it, recursion depth is the host's.
 * - Stack limits: wasm -> host -> wasm re-entry is capped at the interpreter's 1,000 levels; the host's stack may end
 *   first (V8's default holds about 600 synchronous levels, JavaScriptCore's all), with the same trap.
 * - Instantiating gives the host instance Kiln's resolved imports: memories, tables and globals through their
 *   host-backed form (`backing.ts`: Kiln's objects keep their identity and delegate to the host's), functions as in
 *   `imports.ts`; then it backs the instance's own memories, tables and globals with the host's. The host instance
 *   writes the active segments itself, so the engine tells `link` to skip them ({@link Engine.writesSegments}).
 * - Calls run the host export directly when synchronous, through `WebAssembly.promising` when async (JSPI);
 *   values convert as the JS API says, funcrefs through the bridge below, raw calls of float and v128 signatures
 *   through trampolines (`trampolines.ts`), as do `exnref` values (the JS API refuses them). Fuel, yields and
 *   interrupts: `fuel.ts`. Traps: `traps.ts`.
 * - GC runs on the host's own collector: structs and arrays are the host's objects, which cross to JS as they are
 *   (opaque, as the interpreter's views of its own). The instrumenter guards the array instructions whose checks
 *   hosts order or word otherwise, so traps are the interpreter's (`gc_guards.ts`).
 *
 * Fuel: a metered instance that may call or be called by another instance's code directly (imports, tables: see
 * {@link needsSharedCounter}) imports the store's one counter global (`sharedCounter`), so those calls are direct
 * wasm calls charging the same budget; a lone instance keeps its own, faster counter, and calls into it from another
 * instance go through JS (each entry hands over the store's fuel). So does a function of an own-counter instance
 * that reaches other code as a reference (JS puts it in a shared table with `Table.set`, passes it as an argument
 * or a global): its host form is then a trampoline to its JS entry, never its bare export (`toHost`). Still a gap:
 * an import whose type has typed references (no text form for a trampoline) calls such a function directly.
 *
 * @module
 */

import type { ConstExpr, Module as DecodedModule } from "../binary/module.ts";
import { heapTypeIndex, heapTypeOf, isRefType, ValType, valTypeName } from "../binary/module.ts";
import { type CallMode, type CompileOptions, type Engine, MAX_NESTING } from "../engine/engine.ts";
import { hostTraps } from "../engine/host.ts";
import { isStackOverflow, RuntimeError, UnsupportedFeatureError } from "../errors.ts";
import { trap, TrapCode } from "../trap_codes.ts";
import type { FuncInst, InstanceState } from "../runtime/func.ts";
import { hostFunc, isSynchronous } from "../runtime/func.ts";
import { Exception, type Tag } from "../runtime/tag.ts";
import { funcOfJs, funcToJs, valTypeToName } from "../runtime/values.ts";
import { MAX_PAGES, PAGE_SIZE } from "../runtime/memory.ts";
import { typeIdOf } from "../validate/subtyping.ts";
import {
  adoptHostGlobal,
  adoptHostMemory,
  adoptHostTable,
  hostImportOfGlobal,
  hostMemoryFor,
  hostTableFor,
  setFuncBridge,
} from "./backing.ts";
import {
  awaitHost,
  type CallContext,
  checkpoint,
  currentCall,
  type FuelCounter,
  type FuelState,
  fuelState,
  instanceCounter,
  newContext,
  setCurrentCall,
  settleFuel,
  stopGuest,
  stopping,
  stopSuspended,
  throwThroughGuest,
  trappedAtCheckpoint,
} from "./fuel.ts";
import {
  argConverter,
  asyncFlag,
  cannotSuspend,
  crossesAsFunc,
  dispatcher,
  HAS_JSPI,
  isHostGcObject,
  isThenable,
  promising,
  type RefBridge,
  refFromHost,
  refToHost,
  resultConverter,
  type Resumption,
} from "./imports.ts";
import {
  Access,
  ACCESS_EXPORT,
  COUNTER_IMPORT,
  DEFINITION_EXPORT,
  DEPTH_IMPORT,
  GuardTrap,
  HOOK_MODULE,
  HOOK_NAME,
  instrument,
  type InstrumentOptions,
} from "./instrument.ts";
import { isExnType, rawCaller, trampolineModule } from "./trampolines.ts";
import { holdFullStacks, mapHostError } from "./traps.ts";
import { hookCallerStack } from "./sampler.ts";
import { type CompiledCode, forgetModuleName, moduleNameFor, registerModuleName } from "./offsets.ts";
import { cachedForm, keepForm } from "../runtime/compile_cache.ts";

type AnyFn = (...args: unknown[]) => unknown;

/** A module compiled for the host. */
export interface NativeModule extends CompiledCode {
  readonly module: WebAssembly.Module;
  readonly metered: boolean;
  /** Whether its counter is the store's shared one (imported), else the instance's own. */
  readonly shared: boolean;
  /** Whether it imports its store's depth global (`maxWasmStack`, `instrument.ts` DEPTH_IMPORT). */
  readonly countsDepth: boolean;
}

/** The native engine's part of an instance. */
export interface NativeInstance {
  readonly state: InstanceState;
  readonly compiled: NativeModule;
  readonly host: WebAssembly.Instance;
  /** The fuel counter (metered modules), else undefined. */
  readonly counter: FuelCounter;
  readonly fuel: FuelState;
  /** Callers per function index and call form, made on first use. */
  readonly callers: Map<string, (args: readonly unknown[]) => unknown>;
}

/** What a compiled form of a module depends on besides the module: its metering and the store's limits. */
interface Variant {
  readonly metered: boolean;
  /** Whether its checkpoints trap rather than call the hook (`instrument.ts` `checkpointsTrap`). */
  readonly checkpointsTrap?: boolean;
  /** Whether the counter is the store's (imported); see {@link needsSharedCounter}. */
  readonly shared: boolean;
  readonly limits?: InstrumentOptions["limits"];
  readonly trapOnGrow?: InstrumentOptions["trapOnGrow"];
  /** The store's `maxWasmStack`, when it sets one. */
  readonly stackLimit?: number;
}

/** Each module's compiled forms, by variant. */
const compiledModules = new WeakMap<DecodedModule, Map<string, NativeModule>>();

/** `module` compiled as `variant`, once per module and variant. */
function compiledFor(module: DecodedModule, variant: Variant): NativeModule {
  let forms = compiledModules.get(module);
  if (forms === undefined) compiledModules.set(module, forms = new Map());
  const key = JSON.stringify(variant);
  let c = forms.get(key);
  if (c === undefined) forms.set(key, c = compile(module, variant));
  return c;
}

/**
 * The variant an instance needs: its store's limits on the memories and tables it defines, and which of its
 * memories and tables trap on a failed growth (a property of each memory and table, set by the store that defined
 * it, as the interpreter reads it).
 */
function variantOf(own: NativeModule, state: InstanceState): Variant {
  const opts = state.store.options;
  const shared = own.metered && needsSharedCounter(state);
  const d = state.module;
  const memoryPages = opts.maxMemoryBytes === undefined ? undefined : Math.floor(opts.maxMemoryBytes / PAGE_SIZE);
  const limits = (memoryPages !== undefined && lowersMemories(d, memoryPages)) ||
      (opts.maxTableElements !== undefined && d.tables.length > 0)
    ? { memoryPages, tableElements: opts.maxTableElements }
    : undefined;
  const memories = state.memories.map((m) => m.trapOnGrowFailure);
  const tables = state.tables.map((t) => t.trapOnGrowFailure);
  const trapOnGrow = memories.includes(true) || tables.includes(true) ? { memories, tables } : undefined;
  const checkpointsTrap = own.metered && state.store.checkpointsOnlyStop;
  return { metered: own.metered, checkpointsTrap, shared, limits, trapOnGrow, stackLimit: opts.maxWasmStack };
}

/**
 * Whether a store limit of `pages` changes the maximum of a memory the module defines. Why: a limit at or above
 * the 32-bit architectural maximum (the CLI's default 4 GiB) leaves every 32-bit memory as the host has it, so
 * the module needs no variant of its own (one rewrite and one host compile at start-up, not two).
 */
function lowersMemories(d: DecodedModule, pages: number): boolean {
  return d.memories.some((m) => m.address === "i64" || pages < MAX_PAGES);
}

/** Host functions ↔ Kiln function instances (the funcref bridge). */
const instOfHostFunc = new WeakMap<object, FuncInst>();
const hostFuncOfInst = new WeakMap<FuncInst, unknown>();

/** The host function that stands for a function instance: a native instance's own, or an import trampoline. */
function toHost(f: FuncInst | null): unknown {
  if (f === null) return null;
  if (isHostGcObject(f)) return f; // a struct or array (see fromHost)
  const known = hostFuncOfInst.get(f);
  if (known !== undefined) return known;
  const ni = f.instance?.engine === native ? f.instance.engineState as NativeInstance | undefined : undefined;
  let h: unknown;
  if (ni !== undefined && !ownCounter(ni)) {
    h = ni.host.exports[DEFINITION_EXPORT.func + f.index];
  } else {
    // A host function, a function of the interpreter, or one of a native instance with its own fuel counter (called
    // directly from another instance's code, it would charge that counter, not the store's): a wasm function
    // importing its JS form, called synchronously (a table's functions cannot suspend: they may be called from any
    // call), whose entry hands it the store's fuel.
    const js = f.host !== null ? f.host : (funcToJs(f) as unknown as { callSync: AnyFn }).callSync;
    h = reexport(f, importFunction(f, js as AnyFn, null, false));
  }
  if (h === undefined) throw new Error("internal: no host function for a function instance");
  hostFuncOfInst.set(f, h);
  instOfHostFunc.set(h as object, f);
  return h;
}

/** Whether a native instance charges a counter of its own (metered, not sharing its store's). */
function ownCounter(ni: NativeInstance): boolean {
  return ni.compiled.metered && !ni.compiled.shared;
}

/**
 * `wrapped`, the JS function that calls `f`, as a wasm function of type `f.type`: re-exported as it is, or (`body`)
 * through a wasm function that calls it, whose identity a `ref.func` in the importing instance keeps on V8 and
 * JavaScriptCore alike (JavaScriptCore's `ref.func` of a re-exported JS import gives a new wrapper).
 */
function reexport(f: FuncInst, wrapped: AnyFn, body = false): unknown {
  const params = f.type.params.map(valTypeToName), results = f.type.results.map(valTypeToName);
  const sig = `(param ${params.join(" ")}) (result ${results.join(" ")})`;
  const args = params.map((_, i) => `(local.get ${i})`).join(" ");
  const wat = body
    ? `(module (import "t" "f" (func $f ${sig})) (func (export "f") ${sig} (call $f ${args})))`
    : `(module (import "t" "f" (func $f ${sig})) (export "f" (func $f)))`;
  const inst = new WebAssembly.Instance(
    trampolineModule(`${body ? "forward" : "reexport"} ${params}->${results}`, wat),
    { t: { f: wrapped } } as WebAssembly.Imports,
  );
  return inst.exports.f;
}

/**
 * The imported functions whose reference the module's code can take: `ref.func` is valid only for a function
 * named outside the bodies (element segments, global initializers, exports: spec 3.0 §3.4.11, `C.refs`).
 */
function referencedImports(d: DecodedModule): Set<number> {
  const out = new Set<number>();
  const scan = (e: ConstExpr | undefined) => {
    for (const i of e?.instrs ?? []) if (i.op === "ref.func" && i.funcIndex < d.importedFuncs) out.add(i.funcIndex);
  };
  for (const s of d.elems) s.init.forEach(scan);
  for (const g of d.globals) scan(g.init);
  for (const e of d.exports) if (e.kind === "func" && e.index < d.importedFuncs) out.add(e.index);
  return out;
}

function fromHost(v: unknown): FuncInst | null {
  if (v === null || v === undefined) return null;
  // A struct or array of a concrete type (stored as funcrefs are): the host's object is the value.
  if (isHostGcObject(v)) return v as FuncInst;
  let f = instOfHostFunc.get(v as object);
  if (f === undefined) {
    if (typeof v !== "function") throw new TypeError("a function reference must be a function");
    // A function of an instance whose instantiation failed after its segments were written (the spec's partial
    // initialization): Kiln never saw its instance, so it becomes a host function of unknown type, calling it.
    f = hostFunc(v as AnyFn, { params: [], results: [] } as never, -1);
    instOfHostFunc.set(v as object, f);
    hostFuncOfInst.set(f, v);
  }
  return f;
}

const bridge: RefBridge = { toHost, fromHost };
setFuncBridge(bridge);

/**
 * The JS function native code calls for import `f` of instance `ni` (null when called from a table trampoline):
 * fuel handed back to the store around the call, values converted, a Promise refused (`plain`) or awaited by JSPI.
 */
function importFunction(f: FuncInst, target: AnyFn, ni: NativeInstance | null, suspending: boolean): AnyFn {
  const args = argConverter(f.type, bridge);
  const result = resultConverter(f.type, bridge);
  const finish = (v: unknown) => (result === null ? v : result(v));
  return (...a: unknown[]) => {
    const ctx = currentCall();
    const fuel = ni?.fuel ?? (ctx !== null ? fuelState(ctx.store) : null);
    // Whose counter charges when the call returns: the importing instance's; for a table's function (`ni` null:
    // any instance may call it) the instance whose counter was live, the caller's. Why: the callee may be a wasm
    // function entered through JS, whose return leaves no counter live, and the caller's charges from then on
    // would count nowhere (fuzzer, seed 8201 module 10608).
    const caller = ni ?? (fuel?.live as NativeInstance | null | undefined) ?? null;
    fuel?.flush();
    let out: unknown;
    try {
      out = target(...(args === null ? a : args(a)));
    } catch (e) {
      resume(caller, ctx, false);
      throw unwind(ctx, e);
    }
    if (isThenable(out) && !suspending) {
      resume(caller, ctx, false);
      throw unwind(ctx, cannotSuspend(out, HAS_JSPI ? "a host import returned a Promise" : "the host has no JSPI"));
    }
    if (suspending) {
      // Why a Promise even for a plain value: a Suspending import always suspends (V8 and JSC await its result), so
      // the guest resumes from a microtask, after other JS may have run: the call's state is restored then.
      const pending = isThenable(out) ? awaitHost(ctx, out) : Promise.resolve(out);
      const back = pending.then((v) => {
        resume(caller, ctx, true);
        stopAfterAwait(ctx);
        return finish(v);
      }, (e) => {
        resume(caller, ctx, true);
        stopAfterAwait(ctx);
        throw unwind(ctx, e);
      });
      // Why: where the host cannot suspend after all (its stack is exhausted), JSPI drops the Promise unawaited.
      back.catch(() => {});
      return back;
    }
    resume(caller, ctx, suspending);
    stopUnmetered(ni, ctx);
    return finish(out);
  };
}

/**
 * Uninstrumented code has no checkpoints: an interrupt asked for while its host import ran (`store.interrupt()`, an
 * aborted signal) is raised as the import returns, as a host trap the guest cannot catch ({@link stopGuest}).
 */
function stopUnmetered(ni: NativeInstance | null, ctx: CallContext | null): void {
  if (ni === null || ni.compiled.metered || ctx === null) return;
  const store = ctx.store;
  if (store.interrupted || store.interruptEpoch !== ctx.epoch || store.signal?.aborted || ctx.signal?.aborted) {
    store.interrupted = false;
    throw stopGuest(ctx, trap(TrapCode.Interrupt));
  }
}

/**
 * As the interpreter's driver: a call that awaited a host Promise traps "interrupt" as it resumes when
 * `interrupt()` was called meanwhile or its signal (or the store's) aborted, metered or not, and whether the Promise
 * fulfilled or rejected. Thrown as {@link STOP_SUSPENDED}, on which the import's dispatcher traps among the guest's
 * frames.
 */
function stopAfterAwait(ctx: CallContext | null): void {
  if (ctx === null) return;
  const store = ctx.store;
  if (store.interruptEpoch !== ctx.epoch || store.signal?.aborted || ctx.signal?.aborted) {
    store.interrupted = false;
    throw stopSuspended(ctx, trap(TrapCode.Interrupt));
  }
}

/** Calls suspended in a dispatched import, by token (`imports.ts` dispatcher). */
const suspended = new Map<number, { ni: NativeInstance; ctx: CallContext | null }>();
let nextToken = 0;

/** The token and resumption functions of an instance's dispatchers. */
function resumption(ni: NativeInstance): Resumption {
  return {
    stopping,
    token: () => {
      const t = nextToken = (nextToken + 1) | 0;
      suspended.set(t, { ni, ctx: currentCall() });
      return t;
    },
    resumed: (t) => {
      const s = suspended.get(t);
      suspended.delete(t);
      if (s !== undefined) resume(s.ni, s.ctx, true);
    },
  };
}

/** Before native code continues after JS ran: the call state and the fuel back in place. */
function resume(ni: NativeInstance | null, ctx: CallContext | null, async: boolean): void {
  setCurrentCall(ctx);
  if (async) asyncFlag.value = 1;
  // No counter: an instance whose instantiation failed, whose functions still run from a table it wrote.
  if (ni !== null && ni.compiled.metered && ni.counter !== undefined) ni.fuel.load(ni, ctx);
}

function compile(module: DecodedModule, variant: Variant): NativeModule {
  const { metered, shared } = variant;
  const rewrite = {
    fuel: metered,
    checkpointsTrap: variant.checkpointsTrap,
    exportDefinitions: true,
    dropStart: true,
    guardIndirect: hostTraps().confusesNullEntries,
    guardCallRef: !hostTraps().givesOffsets,
    guardGcNulls: !hostTraps().givesOffsets,
    tailCallImportsAsCalls: !hostTraps().givesOffsets,
    sharedCounter: shared,
    limits: variant.limits,
    trapOnGrow: variant.trapOnGrow,
    stackLimit: variant.stackLimit,
  };
  const moduleName = moduleNameFor(module.bytes, JSON.stringify(rewrite));
  const options = { ...rewrite, moduleName };
  // The name is part of the key: it is in the rewritten bytes, and names are given per process (offsets.ts).
  const formKey = JSON.stringify(options);
  const bytes = cachedForm(module, formKey) ?? instrument(module, options);
  let host: WebAssembly.Module;
  try {
    host = new WebAssembly.Module(bytes as BufferSource);
  } catch (e) {
    forgetModuleName(moduleName);
    // Kiln validated the module: the host lacks a feature it uses (V8 names the flag that would enable it).
    const message = e instanceof Error ? e.message : String(e);
    // V8 names the flag that would enable it; JavaScriptCore says "<Feature> is not enabled".
    const flag = /--experimental-wasm-([a-z_-]+)/.exec(message) ?? /(\w+) is not enabled/.exec(message);
    // JavaScriptCore (Bun 1.4) refuses a legacy `delegate` to a label other than a `try`, which the proposal allows.
    const delegate = /delegate target isn't a try block/.test(message)
      ? "legacy-exceptions (the host refuses `delegate` to a non-try label)"
      : undefined;
    throw new UnsupportedFeatureError(
      delegate ?? (flag !== null ? flag[1]!.replaceAll("_", "-").toLowerCase() : `native engine: ${message}`),
    );
  }
  keepForm(module, formKey, bytes);
  const countsDepth = variant.stackLimit !== undefined;
  const compiled = { decoded: module, module: host, bytes, options, metered, shared, countsDepth };
  registerModuleName(moduleName, compiled);
  return compiled;
}

/**
 * Whether a metered instance must share its store's counter: when its code may call another instance's directly
 * (it imports a wasm function of a native instance of the store, or a table) or be called so (it exports a table).
 * Why not always: an imported counter is a global behind an indirection, which V8 optimizes less in tight loops
 * (richards 1.31x of plain native with its own counter, 2.9x with an imported one); a lone instance keeps its own.
 */
function needsSharedCounter(state: InstanceState): boolean {
  const d = state.module;
  if (d.imports.some((i) => i.desc.kind === "table") || d.exports.some((e) => e.kind === "table")) return true;
  for (let i = 0; i < d.importedFuncs; i++) {
    const inst = state.funcs[i]!.instance;
    if (inst !== null && inst.engine === native && inst.store === state.store) return true;
  }
  return false;
}

/**
 * The native engine: the host's own WebAssembly, instrumented for fuel, with JSPI for imports that return Promises
 * (`StoreOptions.engine` `"native"`).
 *
 * @example Running on the host's WebAssembly with exact fuel
 * ```ts
 * import { instantiate, parseWat, Store } from "../../mod.ts";
 * const store = new Store({ engine: "native", fuel: 1000 });
 * const { instance } = await instantiate(
 *   parseWat(`(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`),
 *   {},
 *   { store },
 * );
 * console.log(await (instance.exports.add as (a: number, b: number) => Promise<number>)(1, 2), store.fuelConsumed); // 3 3
 * ```
 */
export const native: Engine<NativeModule> = {
  name: "native",
  writesSegments: true,

  compileModule(module: DecodedModule, options: CompileOptions): NativeModule {
    const checkpointsTrap = options.meter && options.checkpointsOnlyStop === true;
    return compiledFor(module, { metered: options.meter, checkpointsTrap, shared: false });
  },

  instantiate(own: NativeModule, state: InstanceState): void {
    const d = state.module;
    const compiled = compiledFor(d, variantOf(own, state));
    const imports: Record<string, Record<string, unknown>> = {};
    const fuel = fuelState(state.store);
    // The instance is needed by import wrappers before the host instance exists: filled in below.
    const counter = compiled.shared ? fuel.shared : undefined;
    const ni = { state, compiled, fuel, counter, callers: new Map() } as unknown as {
      -readonly [K in keyof NativeInstance]: NativeInstance[K];
    };
    let funcIndex = 0, tableIndex = 0, memoryIndex = 0, globalIndex = 0, tagIndex = 0;
    const referenced = referencedImports(d);
    for (const imp of d.imports) {
      let v: unknown;
      switch (imp.desc.kind) {
        case "func": {
          const f = state.funcs[funcIndex]!;
          v = importOf(f, ni as NativeInstance, imp.desc.typeIndex, referenced.has(funcIndex++));
          // A reference the guest takes to its import reaches JS (and other instances) as the import's function
          // instance, with its type, as on the interpreter: a wasm function (dispatcher, re-export, another
          // instance's) keeps its identity through `ref.func`.
          if (!instOfHostFunc.has(v as object)) instOfHostFunc.set(v as object, f);
          break;
        }
        case "table":
          v = hostTableFor(state.tables[tableIndex++]!);
          break;
        case "memory":
          v = hostMemoryFor(state.memories[memoryIndex++]!);
          break;
        case "global":
          v = hostImportOfGlobal(state.globals[globalIndex++]!);
          break;
        case "tag":
          v = hostTagFor(state.tags[tagIndex++]!);
          knowHostTag(v as object);
          break;
      }
      (imports[imp.module] ??= Object.create(null))[imp.name] = v;
    }
    if (compiled.metered) {
      const m = ni as NativeInstance;
      const stack = () => hookCallerStack(state, compiled);
      const hook = () => checkpoint(m, fuel, (ctx) => resume(m, ctx, true), stack);
      // In an async call the hook is a Suspending import, which always suspends: state restored on resumption.
      const asyncHook = () => {
        const ctx = currentCall();
        return Promise.resolve(hook()).then((stop) => {
          resume(m, ctx, true);
          return stop;
        });
      };
      (imports[HOOK_MODULE] ??= Object.create(null))[HOOK_NAME] = HAS_JSPI
        ? dispatcher({ params: [], results: [ValType.i32] } as never, asyncHook, hook, resumption(m))
        : hook;
      if (compiled.shared) imports[HOOK_MODULE]![COUNTER_IMPORT] = fuel.global;
    }
    if (compiled.countsDepth) (imports[HOOK_MODULE] ??= Object.create(null))[DEPTH_IMPORT] = depthOf(state.store);
    let host: WebAssembly.Instance;
    try {
      host = new WebAssembly.Instance(compiled.module, imports as WebAssembly.Imports);
    } catch (e) {
      throw hostError(e, compiled, state.store.options.debugInfo === true);
    }
    ni.host = host;
    if (compiled.metered && !compiled.shared) ni.counter = instanceCounter(host.exports);
    const access = host.exports[ACCESS_EXPORT] as AccessFunction;
    let latest = latestAccess.get(state.store);
    if (latest === undefined) latestAccess.set(state.store, latest = new Map());
    latest.set(compiled, access);
    let all = accessOfStore.get(state.store);
    if (all === undefined) accessOfStore.set(state.store, all = new Set());
    all.add(access);
    // The instance's own entities, backed by the host's.
    for (let i = d.importedTables; i < state.tables.length; i++) {
      adoptHostTable(state.tables[i]!, host.exports[DEFINITION_EXPORT.table + i] as WebAssembly.Table);
    }
    for (let i = d.importedMemories; i < state.memories.length; i++) {
      adoptHostMemory(state.memories[i]!, host.exports[DEFINITION_EXPORT.memory + i] as WebAssembly.Memory);
    }
    for (let i = d.importedGlobals; i < state.globals.length; i++) {
      adoptHostGlobal(state.globals[i]!, host.exports[DEFINITION_EXPORT.global + i] as WebAssembly.Global);
    }
    for (let i = d.importedTags; i < state.tags.length; i++) {
      const h = host.exports[DEFINITION_EXPORT.tag + i] as object;
      pairTags(state.tags[i]!, h);
      knowHostTag(h);
    }
    for (let i = d.importedFuncs; i < state.funcs.length; i++) {
      const h = host.exports[DEFINITION_EXPORT.func + i] as object;
      instOfHostFunc.set(h, state.funcs[i]!);
      // With its own counter, a function given to other code goes through its JS entry (`toHost`).
      if (!ownCounter(ni as NativeInstance)) hostFuncOfInst.set(state.funcs[i]!, h);
    }
    state.engineState = ni;
  },

  call(f: FuncInst, args: readonly unknown[], mode: CallMode): unknown {
    if (nesting >= MAX_NESTING) {
      const e = trap(TrapCode.StackOverflow);
      if (mode.sync) throw e;
      return Promise.reject(e);
    }
    const ni = f.instance!.engineState as NativeInstance;
    const store = ni.state.store;
    const sync = mode.sync || !HAS_JSPI;
    const nested = nesting > 0;
    const ctx = newContext(store, sync, mode.options);
    const prevCall = currentCall(), prevFlag = asyncFlag.value;
    let out: unknown;
    setCurrentCall(ctx);
    asyncFlag.value = sync ? 0 : 1;
    const release = holdFullStacks();
    nesting++;
    try {
      if (ni.compiled.metered) ni.fuel.load(ni, ctx);
      // Each call from JS starts a stack of its own, as on the interpreter (a machine per call).
      if (ni.compiled.countsDepth) depthOf(store).value = 0;
      out = callerOf(ni, f, mode.raw, sync)(args);
    } catch (e) {
      release();
      let err: unknown;
      try {
        err = finish(ni, ctx, e);
      } catch (inner) {
        // Mapping needs stack too: at the bottom of an overflow it may fail (V8 throws a SyntaxError compiling a
        // regular expression). If the trap cannot be made either, the level outside maps the RangeError again.
        if (!isStackOverflow(e)) throw inner;
        err = trap(TrapCode.StackOverflow);
      }
      if (mode.sync) throw err;
      return Promise.reject(err);
    } finally {
      nesting--;
      setCurrentCall(prevCall);
      asyncFlag.value = prevFlag;
    }
    if (sync) release();
    if (mode.sync) {
      if (ni.compiled.metered) ni.fuel.flush();
      return out;
    }
    if (sync) {
      if (ni.compiled.metered) ni.fuel.flush();
      return Promise.resolve(out);
    }
    const settled = (out as Promise<unknown>).then((v) => {
      release();
      if (ni.compiled.metered) ni.fuel.flush();
      // Stopped while awaiting its host, the guest ran on to its return without meeting a checkpoint.
      if (ctx.stop !== null) throw ctx.stop;
      return v;
    }, (e) => {
      release();
      throw finish(ni, ctx, e);
    });
    // Why: a call made inside a host import hands its Promise to that import's wrapper, which can fail to take it
    // when the JS stack is exhausted (the overflow surfaces there as the trap); its rejection is not unhandled.
    if (nested) settled.catch(() => {});
    return settled;
  },
};

/**
 * Calls from JS into native code that are running on the JS stack now (wasm -> host -> wasm ... re-entry): capped
 * at the interpreter's {@link MAX_NESTING}, so a guest meets the same limit on both engines where the host's stack
 * holds that many levels (JavaScriptCore's does; V8's default stack ends sooner: "call stack exhausted" either way).
 * A suspended call that resumes (JSPI) runs on its own stack and is not counted.
 */
let nesting = 0;

/** Each store's depth global (`maxWasmStack`: bytes of wasm frames of the running call, `instrument.ts`). */
const depthGlobals = new WeakMap<object, WebAssembly.Global>();

function depthOf(store: object): WebAssembly.Global {
  let g = depthGlobals.get(store);
  if (g === undefined) depthGlobals.set(store, g = new WebAssembly.Global({ value: "i32", mutable: true }, 0));
  return g;
}

/** The error a call ends with: the trap its checkpoint decided, or the host's error mapped to Kiln's. */
function finish(ni: NativeInstance, ctx: CallContext, e: unknown): unknown {
  if (ni.compiled.metered) ni.fuel.flush();
  if (ctx.thrown !== null && e instanceof WebAssembly.RuntimeError) {
    // As the interpreter's driver: a JS stack overflow in the host is the trap, anything else is reported as is.
    const thrown = isStackOverflow(ctx.thrown.error) ? trap(TrapCode.StackOverflow) : ctx.thrown.error;
    settleFuel(ctx, thrown);
    return thrown;
  }
  const debugInfo = ni.state.store.options.debugInfo === true;
  const guard = guardOf(ni);
  if (guard.code === GuardTrap.Checkpoint && ctx.stop === null && e instanceof WebAssembly.RuntimeError) {
    trappedAtCheckpoint(ctx);
  }
  let err = ctx.stop !== null && e instanceof WebAssembly.RuntimeError
    ? withBacktrace(ctx.stop, hostError(e, ni.compiled, debugInfo, ni, guard))
    : hostError(e, ni.compiled, debugInfo, ni, guard);
  if (ctx.stop !== null && !(err instanceof RuntimeError)) err = ctx.stop;
  settleFuel(ctx, err);
  return err;
}

function withBacktrace(t: RuntimeError, mapped: unknown): RuntimeError {
  if (mapped instanceof RuntimeError) t.backtrace = mapped.backtrace;
  return t;
}

function hostError(
  e: unknown,
  compiled: NativeModule,
  debugInfo: boolean,
  ni?: NativeInstance,
  guard: Guard = guardOf(ni),
): unknown {
  return fromHostException(mapHostError(e, compiled, debugInfo, guard.code, elementIndexFor(ni, guard)));
}

/** An instance's access function (`instrument.ts` ACCESS_EXPORT): its trap code, element index and counter. */
type AccessFunction = (op: number, value: number) => number;

/** Each store's access functions, one per native instance (for the trap code a guard recorded). */
const accessOfStore = new WeakMap<object, Set<AccessFunction>>();
/**
 * Each store's access functions by compiled module: the last instance's (the calling instance's own is read
 * first, so only a trap in another instance of a module instantiated twice in the store could read the wrong one).
 */
const latestAccess = new WeakMap<object, Map<CompiledCode, AccessFunction>>();

/** What a guard recorded before its `unreachable` (0: none), and the access function of its instance. */
interface Guard {
  readonly code: number;
  readonly access?: AccessFunction;
}

/**
 * The element index the last `call_indirect` of `code`'s instance left (for the trap of a null entry): the
 * guard's instance's where a guard trapped, else the calling instance's or the store's last of that module.
 */
function elementIndexFor(ni: NativeInstance | undefined, guard: Guard): (code: CompiledCode) => bigint | undefined {
  return (code) => {
    const own = ni !== undefined && ni.compiled === code ? ni.host?.exports[ACCESS_EXPORT] : undefined;
    const access =
      (guard.access ?? own ?? (ni === undefined ? undefined : latestAccess.get(ni.state.store)?.get(code))) as
        | AccessFunction
        | undefined;
    return access === undefined ? undefined : BigInt(access(Access.ReadElem, 0));
  };
}

/**
 * What a guard recorded before its `unreachable`, read once and cleared: the calling instance's, else that of
 * another instance of the store (a guard in a function reached through a table or an import).
 */
function guardOf(ni: NativeInstance | undefined): Guard {
  if (ni === undefined) return { code: 0 };
  const own = ni.host?.exports[ACCESS_EXPORT] as AccessFunction | undefined;
  for (const access of [own, ...(accessOfStore.get(ni.state.store) ?? [])]) {
    const code = access?.(Access.TakeTrap, 0) ?? 0;
    if (code !== 0) return { code, access };
  }
  return { code: 0 };
}

/**
 * What the host instance imports for function import `f`; a wasm function when the guest can take its reference
 * (`referenced`), so that the reference can be told as `f`'s.
 */
function importOf(f: FuncInst, ni: NativeInstance, typeIndex: number, referenced: boolean): unknown {
  const other = f.instance?.engine === native ? f.instance.engineState as NativeInstance : undefined;
  // Another native instance of the same metering: called directly (unmetered; or metered in the same store, whose
  // instances share one counter).
  if (other !== undefined && ni.compiled.metered === other.compiled.metered) {
    if (!ni.compiled.metered) return toHost(f);
    if (ni.compiled.shared && other.compiled.shared && other.state.store === ni.state.store) return toHost(f);
  }
  // A type in a recursion group or with typed references has no plain text form for a dispatcher: called directly
  // (in a metering store a callee with its own counter then charges that counter: a known gap).
  if (other !== undefined && ni.state.typeIds[typeIndex] !== typeIdOf(f.type)) {
    return other.host.exports[DEFINITION_EXPORT.func + f.index];
  }
  // A host function as it is; a function of another instance through its exported form (its own entry).
  const js = f.host;
  if (js !== null && (isSynchronous(js) || !HAS_JSPI)) {
    const plain = importFunction(f, js as AnyFn, ni, false);
    return referenced ? reexport(f, plain, true) : plain;
  }
  const resumes = resumption(ni);
  if (js !== null) {
    const [a, s] = [importFunction(f, js as AnyFn, ni, true), importFunction(f, js as AnyFn, ni, false)];
    return dispatcher(f.type, a, s, resumes);
  }
  const exported = funcToJs(f) as unknown as AnyFn & { callSync: AnyFn };
  if (!HAS_JSPI) {
    const plain = importFunction(f, exported.callSync, ni, false);
    return referenced ? reexport(f, plain, true) : plain;
  }
  const [a, s] = [importFunction(f, exported, ni, true), importFunction(f, exported.callSync, ni, false)];
  return dispatcher(f.type, a, s, resumes);
}

/** The function that calls `f` in one form, made once per instance, function and form. */
function callerOf(ni: NativeInstance, f: FuncInst, raw: boolean, sync: boolean): (args: readonly unknown[]) => unknown {
  const key = `${f.index}${raw ? "r" : "j"}${sync ? "s" : "a"}`;
  let c = ni.callers.get(key);
  if (c !== undefined) return c;
  const hostFn = ni.host.exports[DEFINITION_EXPORT.func + f.index] as AnyFn;
  const params = f.type.params, results = f.type.results;
  const refParams = params.map(crossesAsFunc);
  const refResults = results.map(crossesAsFunc);
  const inArgs = refParams.includes(true)
    ? (a: readonly unknown[]) => params.map((t, i) => (refParams[i] ? refToHost(bridge, t, a[i]) : a[i]))
    : (a: readonly unknown[]) => a.length === params.length ? a : params.map((_, i) => a[i]);
  const outOne = (v: unknown, i: number) => (refResults[i] ? refFromHost(bridge, v) : v);
  const wrap = sync ? undefined : promising;
  const names = { params: params.map(trampolineTypeName), results: results.map(trampolineTypeName) };
  // Why a trampoline for exnref even in a JS call: the JS API refuses exnref values at the boundary (a TypeError).
  if (raw || [...names.params, ...names.results].some(isExnType)) {
    const call = rawCaller(hostFn, names, { wrap, rawFloats: raw, fromHostException, toHostException });
    const outList = (r: unknown[]) => r.map(outOne);
    const out = (r: unknown[]) =>
      raw ? outList(r) : results.length === 0 ? undefined : results.length === 1 ? outOne(r[0], 0) : outList(r);
    c = (a) => {
      const r = call(inArgs(a) as unknown[]);
      return r instanceof Promise ? r.then(out) : out(r);
    };
  } else {
    const g = wrap !== undefined ? wrap(hostFn) : hostFn;
    const out = (r: unknown) =>
      results.length === 0 ? undefined : results.length === 1 ? outOne(r, 0) : (r as unknown[]).map(outOne);
    c = (a) => {
      const r = g(...inArgs(a));
      return r instanceof Promise ? r.then(out) : out(r);
    };
  }
  ni.callers.set(key, c);
  return c;
}

/**
 * A value type's text in a trampoline's import of a function (`trampolines.ts`): exact for an abstract reference
 * type (function types match by name, not by structure: `[] -> [nullexnref]` is no `[] -> [exnref]`), a concrete
 * one as its storage type (no text outside its module names it: such an import does not link).
 */
function trampolineTypeName(t: ValType): string {
  return isRefType(t) && heapTypeIndex(heapTypeOf(t)) < 0 ? valTypeName(t) : valTypeToName(t);
}

/** Kiln's tags ↔ the host's (`WebAssembly.Tag`). */
const hostTags = new WeakMap<Tag, object>();
const kilnTags = new WeakMap<object, Tag>();

/** Records that `host` is Kiln tag `tag`'s host tag. */
function pairTags(tag: Tag, host: object): void {
  hostTags.set(tag, host);
  kilnTags.set(host, tag);
}

type HostTagClass = new (d: unknown) => object;
type HostException = { is(tag: object): boolean; getArg(tag: object, i: number): unknown };
const HostTag = (globalThis as unknown as { WebAssembly?: { Tag?: HostTagClass } }).WebAssembly?.Tag;
const HostException = (globalThis as unknown as {
  WebAssembly?: { Exception?: new (tag: object, payload: unknown[]) => object };
}).WebAssembly?.Exception;

/** The host tag of a Kiln tag (made once), where the host has `WebAssembly.Tag`. */
function hostTagFor(tag: Tag): object {
  let t = hostTags.get(tag);
  if (t === undefined) {
    if (HostTag === undefined) throw new UnsupportedFeatureError("exceptions (the host has no WebAssembly.Tag)");
    t = new HostTag({ parameters: tag.params.map(valTypeToName) });
    pairTags(tag, t);
  }
  return t;
}

/**
 * An exception the guest threw, leaving native code (a `WebAssembly.Exception`), as Kiln's {@link Exception} of
 * the same tag and payload; anything else unchanged.
 */
function fromHostException(e: unknown): unknown {
  if (HostException === undefined || !(e instanceof HostException)) return e;
  const x = e as unknown as HostException;
  for (const [host, tag] of tagPairs(x)) {
    const payload = tag.params.map((t, i) => {
      const v = x.getArg(host, i);
      return crossesAsFunc(t) ? refFromHost(bridge, v) : v;
    });
    return new Exception(tag, payload);
  }
  return e;
}

/** The (host, Kiln) tag pair an exception has, searched among the tags known so far. */
function* tagPairs(x: HostException): Generator<[object, Tag]> {
  for (const ref of knownHostTags) {
    const host = ref.deref();
    const tag = host === undefined ? undefined : kilnTags.get(host);
    if (tag !== undefined && x.is(host!)) yield [host!, tag];
  }
}

/**
 * Host tags paired so far, held weakly. Why: a tag an instance defines keeps that instance alive on V8 (its memory
 * and all), so a strong set kept every instance that defined a tag for the life of the process (the soak of 300
 * native instances grew the heap by 26 KB per instance).
 */
const knownHostTags = new Set<WeakRef<object>>();
const knownRefs = new WeakMap<object, WeakRef<object>>();
const forgetHostTag = new FinalizationRegistry<WeakRef<object>>((ref) => knownHostTags.delete(ref));

/** Adds host tag `host` to {@link knownHostTags}, once. */
function knowHostTag(host: object): void {
  if (knownRefs.has(host)) return;
  const ref = new WeakRef(host);
  knownRefs.set(host, ref);
  knownHostTags.add(ref);
  forgetHostTag.register(host, ref);
}

/**
 * What a host import's error becomes as it is thrown into native code: a Kiln {@link Exception} (and a host
 * `WebAssembly.Exception`) stays a wasm exception the guest may catch; anything else unwinds the guest uncaught, as
 * on the interpreter ({@link throwThroughGuest}).
 */
function unwind(ctx: CallContext | null, e: unknown): unknown {
  const x = toHostException(e);
  if (x !== e || ctx === null || (HostException !== undefined && e instanceof HostException)) return x;
  if (ctx.stop !== null) return e; // the host trap of a stop already decided (a host Promise given up)
  if (isStackOverflow(e)) return e; // out of JS stack: each level out maps it to "call stack exhausted"
  return throwThroughGuest(ctx, e);
}

/** Kiln's {@link Exception} thrown by a host import into native code, as the host's exception. */
function toHostException(e: unknown): unknown {
  if (!(e instanceof Exception) || HostException === undefined) return e;
  const host = hostTagFor(e.tag);
  knowHostTag(host);
  const payload = e.tag.params.map((t, i) => {
    const v = e.getArg(e.tag, i);
    return crossesAsFunc(t) ? refToHost(bridge, t, v) : v;
  });
  return new HostException(host, payload);
}

/** The function instance of an exported function (re-exported for tests of the bridge). */
export const functionOf: (v: unknown) => FuncInst | undefined = funcOfJs;
