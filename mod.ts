/**
 * Kiln: a WebAssembly runtime in TypeScript — an async-first interpreter where a host import may return a
 * Promise and the whole wasm stack suspends without blocking the event loop; fuel metering in Wasmtime's cost
 * model; limits; interrupts.
 *
 * @example Instantiate and call
 * ```ts
 * import { instantiate, parseWat } from "./mod.ts";
 * const bytes = parseWat(`(module
 *   (import "env" "get" (func $get (result i32)))
 *   (func (export "add") (param i32) (result i32) (i32.add (local.get 0) (call $get))))`);
 * const { instance } = await instantiate(bytes, { env: { get: async () => 41 } });
 * const add = instance.exports.add as (x: number) => Promise<number>;
 * console.log(await add(1)); // 42
 * ```
 *
 * @module
 */

export {
  /**
   * Compiles (decodes and validates) module bytes or text; rejects with a CompileError.
   *
   * @example Compiling a module
   * ```ts
   * import { compile, Module, parseWat } from "./mod.ts";
   * const module = await compile(parseWat(`(module (func (export "f")))`));
   * console.log(Module.exports(module)[0].name); // "f"
   * ```
   */
  compile,
  /**
   * A compiled module.
   *
   * @example Listing a module's exports
   * ```ts
   * import { Module, parseWat } from "./mod.ts";
   * const module = new Module(parseWat(`(module (memory (export "m") 1))`));
   * console.log(Module.exports(module)[0].kind); // "memory"
   * ```
   */
  Module,
  /**
   * Whether bytes are a valid module.
   *
   * @example Validating bytes
   * ```ts
   * import { validate } from "./mod.ts";
   * console.log(validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))); // true
   * ```
   */
  validate,
} from "./lib/runtime/module.ts";
export type {
  /**
   * Kinds of external values: "function", "table", "memory" or "global".
   *
   * @example Counting a module's imported functions
   * ```ts
   * import { type ExternKindName, Module, parseWat } from "./mod.ts";
   * const module = new Module(parseWat(`(module (import "env" "f" (func)))`));
   * const kind: ExternKindName = "function";
   * console.log(Module.imports(module).filter((i) => i.kind === kind).length); // 1
   * ```
   */
  ExternKindName,
  /**
   * How `new Module` and `compile` compile: with a compile cache, or not.
   *
   * @example Compiling with a cache kept in memory
   * ```ts
   * import { compile, type ModuleOptions } from "./mod.ts";
   * const entries = new Map<string, Uint8Array>();
   * const options: ModuleOptions = { cache: { get: (k) => entries.get(k), set: (k, v) => void entries.set(k, v) } };
   * await compile(`(module (func (export "f")))`, options);
   * console.log(entries.size); // 1
   * ```
   */
  ModuleOptions,
  /**
   * What `compile`, `instantiate` and `new Module` accept: a binary, or a string in the text format.
   *
   * @example Compiling module text
   * ```ts
   * import { compile, type ModuleSource } from "./mod.ts";
   * const source: ModuleSource = `(module (func (export "f")))`;
   * const module = await compile(source);
   * ```
   */
  ModuleSource,
} from "./lib/runtime/module.ts";
export type {
  /**
   * Where compiled code is kept between runs (Wasmtime's `CacheStore`): a key-value store of bytes. A later compile of
   * the same bytes skips validation, and the native engine skips rewriting them.
   *
   * @example A cache in memory
   * ```ts
   * import { type CompileCache, Module } from "./mod.ts";
   * const entries = new Map<string, Uint8Array>();
   * const cache: CompileCache = { get: (k) => entries.get(k), set: (k, v) => void entries.set(k, v) };
   * new Module(`(module)`, { cache });
   * console.log(entries.size); // 1
   * ```
   */
  CompileCache,
} from "./lib/runtime/compile_cache.ts";
export {
  /**
   * Compiles (if needed) and instantiates a module.
   *
   * @example Instantiating with an async import
   * ```ts
   * import { instantiate, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(
   *   parseWat(`(module (import "env" "get" (func $get (result i32))) (func (export "f") (result i32) (call $get)))`),
   *   { env: { get: () => Promise.resolve(7) } },
   * );
   * console.log(await (instance.exports.f as () => Promise<number>)()); // 7
   * ```
   */
  instantiate,
} from "./lib/runtime/api.ts";
export {
  /**
   * An instance of a module.
   *
   * @example Reading an instance's exports
   * ```ts
   * import { Global, Instance, instantiate, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (global (export "g") i32 (i32.const 7)))`));
   * console.log(instance instanceof Instance, (instance.exports.g as Global).value); // true 7
   * ```
   */
  Instance,
} from "./lib/runtime/instance.ts";
export type {
  /**
   * One export of an instance: an exported function, a Memory, a Table or a Global.
   *
   * @example Narrowing an export
   * ```ts
   * import { type ExportValue, instantiate, Memory, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (memory (export "mem") 1))`));
   * const mem: ExportValue = instance.exports.mem;
   * if (mem instanceof Memory) console.log(mem.pages); // 1
   * ```
   */
  ExportValue,
  /**
   * The import object: module name, then field name, then a JS function, Memory, Table, Global or value.
   *
   * @example An import object
   * ```ts
   * import { type Imports, instantiate, parseWat } from "./mod.ts";
   * const imports: Imports = { env: { log: (x: number) => console.log(x) } };
   * await instantiate(parseWat(`(module (import "env" "log" (func (param i32))))`), imports);
   * ```
   */
  Imports,
} from "./lib/runtime/instance.ts";
export {
  /**
   * A store: fuel, limits, interrupts.
   *
   * @example A store with fuel
   * ```ts
   * import { Store } from "./mod.ts";
   * const store = new Store({ fuel: 10_000 });
   * console.log(store.getFuel()); // 10000
   * ```
   */
  Store,
} from "./lib/runtime/store.ts";
export type {
  /**
   * Options of a store: fuel, yielding to the event loop, timeouts, an abort signal and limits.
   *
   * @example Time-slicing options
   * ```ts
   * import { Store, type StoreOptions } from "./mod.ts";
   * const options: StoreOptions = { fuel: 1_000_000, fuelYieldInterval: 10_000 };
   * const store = new Store(options);
   * ```
   */
  StoreOptions,
} from "./lib/runtime/store.ts";
export type {
  /**
   * What `StoreOptions.engine` accepts: an engine's name, or `"auto"`, the native engine where the host has
   * WebAssembly and JSPI and the interpreter elsewhere (`store.engine` says which it was).
   *
   * @example Letting the host decide
   * ```ts
   * import { type EngineChoice, Store } from "./mod.ts";
   * const engine: EngineChoice = "auto";
   * console.log(new Store({ engine }).engine); // "native" on Deno 2.9 and Bun 1.4, "interpreter" on Node 20
   * ```
   */
  EngineChoice,
  /**
   * The name of an execution engine (`StoreOptions.engine`): `"interpreter"` (the default) or `"native"` (the host's
   * WebAssembly).
   *
   * @example Naming a store's engine
   * ```ts
   * import { type EngineName, Store } from "./mod.ts";
   * const engine: EngineName = "interpreter";
   * console.log(new Store({ engine }).options.engine); // "interpreter"
   * ```
   */
  EngineName,
} from "./lib/engine/engine.ts";
export {
  /**
   * An exception: a tag and a payload, thrown by the guest (an uncaught one reaches the caller as this object) or by
   * a host function (the guest's `catch` clauses catch it).
   *
   * @example Reading the payload of an exception the guest threw
   * ```ts
   * import { Exception, instantiate, parseWat, Tag } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (tag (export "t") (param i64))
   *   (func (export "f") (throw 0 (i64.const 5))))`));
   * const tag = instance.exports.t as Tag;
   * try {
   *   await (instance.exports.f as () => Promise<void>)();
   * } catch (e) {
   *   console.log((e as Exception).getArg(tag, 0)); // 5n
   * }
   * ```
   */
  Exception,
  /**
   * An exception tag, importable and exportable like `WebAssembly.Tag`.
   *
   * @example A tag and its type
   * ```ts
   * import { Tag } from "./mod.ts";
   * const tag = new Tag({ parameters: ["i32", "f64"] });
   * console.log(tag.type().parameters); // ["i32", "f64"]
   * ```
   */
  Tag,
} from "./lib/runtime/tag.ts";
export type {
  /**
   * Options of a new Exception: `traceStack` records a JS stack trace.
   *
   * @example
   * ```ts
   * import { Exception, type ExceptionOptions, Tag } from "./mod.ts";
   * const options: ExceptionOptions = { traceStack: true };
   * console.log(typeof new Exception(new Tag({ parameters: [] }), [], options).stack); // "string"
   * ```
   */
  ExceptionOptions,
  /**
   * The type of a tag: its parameter types.
   *
   * @example
   * ```ts
   * import { Tag, type TagType } from "./mod.ts";
   * const type: TagType = { parameters: ["i32"] };
   * console.log(new Tag(type).type().parameters.length); // 1
   * ```
   */
  TagType,
} from "./lib/runtime/tag.ts";
export {
  /**
   * Samples the wasm call stack of a store's code, by fuel (deterministic) or by wall-clock time: Wasmtime's
   * `GuestProfiler`. Give it to a store with `StoreOptions.profiler`.
   *
   * @example Profiling a call every 1,000 units of fuel
   * ```ts
   * import { GuestProfiler, instantiate, parseWat } from "./mod.ts";
   * const profiler = new GuestProfiler({ fuelInterval: 1000 });
   * const { instance } = await instantiate(parseWat(`(module (func (export "f") (local i32)
   *   (loop (br_if 0 (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 5000))))))`), {}, {
   *   profiler,
   * });
   * await (instance.exports.f as () => Promise<void>)();
   * console.log(profiler.sampleCount); // 34
   * ```
   */
  GuestProfiler,
} from "./lib/profile/guest_profiler.ts";
export type {
  /**
   * Options of a {@link GuestProfiler}: `fuelInterval` or `intervalMs`, and a name.
   *
   * @example A wall-clock profiler sampling every millisecond
   * ```ts
   * import { GuestProfiler, type GuestProfilerOptions } from "./mod.ts";
   * const options: GuestProfilerOptions = { intervalMs: 1, name: "app.wasm" };
   * console.log(new GuestProfiler(options).sampleCount); // 0
   * ```
   */
  GuestProfilerOptions,
} from "./lib/profile/guest_profiler.ts";
export {
  /**
   * A guest profile in the Firefox Profiler's processed format (a JSON-ready object for profiler.firefox.com).
   *
   * @example Serializing a profile
   * ```ts
   * import { GuestProfiler, toFirefoxProfile } from "./mod.ts";
   * const json = JSON.stringify(toFirefoxProfile(new GuestProfiler({ fuelInterval: 10 })));
   * console.log(json.startsWith('{"meta":')); // true
   * ```
   */
  toFirefoxProfile,
} from "./lib/profile/firefox_profile.ts";
export {
  /**
   * A guest profile as collapsed stacks (`outer;inner weight` lines), for flamegraph tools.
   *
   * @example A profiler with no samples yet
   * ```ts
   * import { GuestProfiler, toCollapsedStacks } from "./mod.ts";
   * console.log(JSON.stringify(toCollapsedStacks(new GuestProfiler()))); // ""
   * ```
   */
  toCollapsedStacks,
} from "./lib/profile/collapsed.ts";
export {
  /**
   * A linear memory.
   *
   * @example Creating a memory
   * ```ts
   * import { Memory } from "./mod.ts";
   * const memory = new Memory({ initial: 1 });
   * console.log(memory.buffer.byteLength); // 65536
   * ```
   */
  Memory,
} from "./lib/runtime/memory.ts";
export type {
  /**
   * The address type of a memory or table: `"i64"` for memory64's 64-bit memories and tables, whose sizes, indices
   * and deltas are BigInts in the JS API.
   *
   * @example Creating a 64-bit memory
   * ```ts
   * import { type AddressType, Memory } from "./mod.ts";
   * const address: AddressType = "i64";
   * console.log(new Memory({ address, initial: 1n }).address); // "i64"
   * ```
   */
  AddressType,
} from "./lib/binary/module.ts";
export {
  /**
   * A table of references.
   *
   * @example Creating a funcref table
   * ```ts
   * import { Table } from "./mod.ts";
   * const table = new Table({ element: "funcref", initial: 1 });
   * console.log(table.get(0)); // null
   * ```
   */
  Table,
} from "./lib/runtime/table.ts";
export {
  /**
   * A global variable.
   *
   * @example Creating a mutable f64 global
   * ```ts
   * import { Global } from "./mod.ts";
   * const g = new Global({ value: "f64", mutable: true }, 1.5);
   * console.log(g.value); // 1.5
   * ```
   */
  Global,
} from "./lib/runtime/global.ts";
export {
  /**
   * Declares a host function synchronous: it never returns a Promise, so the native engine calls it without JSPI.
   *
   * @example Declaring an import synchronous
   * ```ts
   * import { synchronous } from "./mod.ts";
   * const imports = { env: { now: synchronous(() => Date.now()) } };
   * console.log(typeof imports.env.now); // "function"
   * ```
   */
  synchronous,
} from "./lib/runtime/func.ts";
export type {
  /**
   * Options of one call: an abort signal and a wall-clock timeout.
   *
   * @example Calling with a timeout
   * ```ts
   * import { type CallOptions, type ExportedFunction, instantiate, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (func (export "f") (result i32) i32.const 1))`), {}, {
   *   yieldEveryMs: 5,
   * });
   * const options: CallOptions = { timeoutMs: 1000 };
   * console.log(await (instance.exports.f as ExportedFunction).callWith(options)); // 1
   * ```
   */
  CallOptions,
  /**
   * An exported wasm function: an async JS function plus synchronous and raw-value variants.
   *
   * @example Calling synchronously
   * ```ts
   * import { type ExportedFunction, instantiate, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (func (export "f") (result i32) i32.const 2))`));
   * const f = instance.exports.f as ExportedFunction;
   * console.log(f.callSync(), f.type); // 2 { params: [], results: ["i32"] }
   * ```
   */
  ExportedFunction,
} from "./lib/runtime/func.ts";
export type {
  /**
   * A function's parameter and result types, by name.
   *
   * @example The type of an exported function
   * ```ts
   * import { type FuncTypeDesc, Module, parseWat } from "./mod.ts";
   * const module = new Module(parseWat(`(module (func (export "f") (param i64) (result f32) f32.const 0))`));
   * const type: FuncTypeDesc | undefined = Module.exports(module)[0].type;
   * console.log(type); // { params: ["i64"], results: ["f32"] }
   * ```
   */
  FuncTypeDesc,
  /**
   * A value type's name: "i32", "i64", "f32", "f64", "funcref" or "externref".
   *
   * @example Parameter types of a function
   * ```ts
   * import { Module, parseWat, type ValTypeName } from "./mod.ts";
   * const module = new Module(parseWat(`(module (func (export "f") (param i32 f64)))`));
   * const params: ValTypeName[] = Module.exports(module)[0].type!.params;
   * console.log(params); // ["i32", "f64"]
   * ```
   */
  ValTypeName,
} from "./lib/runtime/values.ts";
export {
  /**
   * A module failed to decode or validate; `offset` is the byte offset of the problem, when known.
   *
   * @example Compiling malformed bytes
   * ```ts
   * import { CompileError, compile } from "./mod.ts";
   * try {
   *   await compile(new Uint8Array([0, 97, 115, 109]));
   * } catch (e) {
   *   console.log(e instanceof CompileError); // true
   * }
   * ```
   */
  CompileError,
  /**
   * Instantiation failed: an import is missing or has the wrong type.
   *
   * @example A missing import
   * ```ts
   * import { instantiate, LinkError, parseWat } from "./mod.ts";
   * try {
   *   await instantiate(parseWat(`(module (import "env" "f" (func)))`));
   * } catch (e) {
   *   console.log(e instanceof LinkError && e.message); // "unknown import: `env::f` has not been defined"
   * }
   * ```
   */
  LinkError,
  /**
   * A trap, with Wasmtime's message and the wasm backtrace.
   *
   * @example Catching a trap
   * ```ts
   * import { instantiate, parseWat, RuntimeError } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (func (export "f") unreachable))`));
   * try {
   *   await (instance.exports.f as () => Promise<void>)();
   * } catch (e) {
   *   console.log(e instanceof RuntimeError && e.message); // "unreachable"
   * }
   * ```
   */
  RuntimeError,
  /**
   * Alias of {@link RuntimeError} (Wasmtime's name).
   *
   * @example Trap is RuntimeError
   * ```ts
   * import { RuntimeError, Trap } from "./mod.ts";
   * console.log(new Trap("unreachable") instanceof RuntimeError); // true
   * ```
   */
  Trap,
  /**
   * Thrown through the wasm stack by WASI `proc_exit`, carrying the exit code.
   *
   * @example An exit code
   * ```ts
   * import { WasiExit } from "./mod.ts";
   * console.log(new WasiExit(3).code); // 3
   * ```
   */
  WasiExit,
} from "./lib/errors.ts";
export type {
  /**
   * One frame of a trap's wasm backtrace, innermost first.
   *
   * @example Printing a backtrace
   * ```ts
   * import { instantiate, parseWat, RuntimeError, type WasmFrame } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (func $boom (export "f") unreachable))`));
   * try {
   *   await (instance.exports.f as () => Promise<void>)();
   * } catch (e) {
   *   const frames: readonly WasmFrame[] = (e as RuntimeError).backtrace;
   *   console.log(frames[0].funcIndex); // 0
   * }
   * ```
   *
   * @example Source lines from the module's DWARF (a C program built with `clang -g`; `StoreOptions.debugInfo`)
   * ```ts
   * import { RuntimeError } from "./mod.ts";
   * import { runWasi } from "./wasi.ts";
   * const bytes = await (await fetch(new URL("./testdata/trap_lines.wasm", import.meta.url))).arrayBuffer();
   * let where = "no trap";
   * try {
   *   await runWasi(bytes, { args: ["trap_lines"], stdin: "null", engine: { debugInfo: true } });
   * } catch (e) {
   *   const { funcName, file, line, column } = (e as RuntimeError).backtrace[0];
   *   where = `${funcName} at ${file}:${line}:${column}`;
   * }
   * if (where !== "divide at testdata/trap_lines.c:4:16") throw new Error(where);
   * ```
   */
  WasmFrame,
} from "./lib/errors.ts";
export {
  /**
   * Each trap kind's message, in Wasmtime's wording.
   *
   * @example Reading a trap's message
   * ```ts
   * import { TRAP_MESSAGES } from "./mod.ts";
   * console.log(TRAP_MESSAGES.IntegerDivisionByZero); // "integer divide by zero"
   * ```
   */
  TRAP_MESSAGES,
  /**
   * The kinds of trap, named after Wasmtime's; a {@link RuntimeError} raised by Kiln carries one as `.code`.
   *
   * @example Telling a fuel trap from other traps
   * ```ts
   * import { instantiate, type RuntimeError, Store, TrapCode } from "./mod.ts";
   * const store = new Store({ fuel: 1000 });
   * const { instance } = await instantiate(`(module (func (export "spin") (loop (br 0))))`, {}, { store });
   * try {
   *   await (instance.exports.spin as () => Promise<void>)();
   * } catch (e) {
   *   console.log((e as RuntimeError).code === TrapCode.OutOfFuel); // true
   * }
   * ```
   */
  TrapCode,
} from "./lib/trap_codes.ts";
export {
  /**
   * Parses WebAssembly text into a module binary.
   *
   * @example Parsing module text
   * ```ts
   * import { parseWat } from "./mod.ts";
   * const bytes = parseWat(`(module)`);
   * console.log(bytes.length); // 8
   * ```
   */
  parseWat,
} from "./lib/text/mod.ts";
