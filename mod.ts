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
   * Compiles module bytes.
   *
   * @example
   * ```ts
   * import { compile, parseWat } from "./mod.ts";
   * const module = await compile(parseWat(`(module)`));
   * ```
   */
  compile,
  /**
   * A compiled module.
   *
   * @example
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
   * @example
   * ```ts
   * import { validate } from "./mod.ts";
   * console.log(validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))); // true
   * ```
   */
  validate,
} from "./lib/runtime/module.ts";
export type { ExternKindName, ModuleSource } from "./lib/runtime/module.ts";
export {
  /**
   * Compiles (if needed) and instantiates a module.
   *
   * @example
   * ```ts
   * import { instantiate, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module (global (export "g") i32 (i32.const 7)))`));
   * ```
   */
  instantiate,
} from "./lib/runtime/api.ts";
export {
  /**
   * An instance of a module.
   *
   * @example
   * ```ts
   * import { Instance, instantiate, parseWat } from "./mod.ts";
   * const { instance } = await instantiate(parseWat(`(module)`));
   * console.log(instance instanceof Instance); // true
   * ```
   */
  Instance,
} from "./lib/runtime/instance.ts";
export type { ExportValue, Imports } from "./lib/runtime/instance.ts";
export {
  /**
   * A store: fuel, limits, interrupts.
   *
   * @example
   * ```ts
   * import { Store } from "./mod.ts";
   * const store = new Store({ fuel: 10_000 });
   * console.log(store.getFuel()); // 10000
   * ```
   */
  Store,
} from "./lib/runtime/store.ts";
export type { StoreOptions } from "./lib/runtime/store.ts";
export {
  /**
   * A linear memory.
   *
   * @example
   * ```ts
   * import { Memory } from "./mod.ts";
   * const memory = new Memory({ initial: 1 });
   * ```
   */
  Memory,
} from "./lib/runtime/memory.ts";
export {
  /**
   * A table of references.
   *
   * @example
   * ```ts
   * import { Table } from "./mod.ts";
   * const table = new Table({ element: "funcref", initial: 1 });
   * ```
   */
  Table,
} from "./lib/runtime/table.ts";
export {
  /**
   * A global variable.
   *
   * @example
   * ```ts
   * import { Global } from "./mod.ts";
   * const g = new Global({ value: "f64", mutable: true }, 1.5);
   * ```
   */
  Global,
} from "./lib/runtime/global.ts";
export type { CallOptions, ExportedFunction } from "./lib/runtime/func.ts";
export type { FuncTypeDesc, ValTypeName } from "./lib/runtime/values.ts";
export {
  /**
   * Error classes: CompileError, LinkError, RuntimeError (alias Trap), WasiExit.
   *
   * @example
   * ```ts
   * import { RuntimeError } from "./mod.ts";
   * console.log(new RuntimeError("unreachable").message); // "unreachable"
   * ```
   */
  CompileError,
  LinkError,
  RuntimeError,
  Trap,
  WasiExit,
} from "./lib/errors.ts";
export type { WasmFrame } from "./lib/errors.ts";
export {
  /**
   * Parses WebAssembly text into a module binary.
   *
   * @example
   * ```ts
   * import { parseWat } from "./mod.ts";
   * const bytes = parseWat(`(module)`);
   * ```
   */
  parseWat,
} from "./lib/text/mod.ts";
