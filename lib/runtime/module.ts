/**
 * The public `Module`: a decoded and validated binary (every function body validated eagerly). What runs it is an
 * engine's business (engine/engine.ts): the interpreter translates each function on its first call, once per module.
 *
 * @module
 */

import type { ExternKind, Module as DecodedModule, ValType } from "../binary/module.ts";
import { decodeModule } from "../binary/decoder.ts";
import { validateModule } from "../validate/module_validator.ts";
import { CompileError } from "../errors.ts";
import { parseWat } from "../text/parse_wat.ts";
import { type FuncTypeDesc, valTypeToName } from "./values.ts";
import { attachEntry, type CompileCache, openEntry } from "./compile_cache.ts";

/** Kinds of external values, in the public API's spelling. */
export type ExternKindName = "function" | "table" | "memory" | "global" | "tag";

const KIND_NAMES: Record<ExternKind, ExternKindName> = {
  func: "function",
  table: "table",
  memory: "memory",
  global: "global",
  tag: "tag",
};

/**
 * What a module can be made from: its binary, or its text (a string is always the text format, as Wasmtime's
 * `Module::new` accepts both; a binary never arrives as a string). The binary is a `BufferSource`, spelled out so that
 * the published types need no DOM library.
 */
export type ModuleSource = ArrayBuffer | ArrayBufferView | string;

function toBytes(source: ModuleSource): Uint8Array {
  if (typeof source === "string") return parseWat(source);
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new TypeError("module source must be a BufferSource or a text-format string");
}

/**
 * How a module is compiled: `cache`, a compile cache (Wasmtime's `Config::cache`) that keeps, between runs, that
 * these bytes validated and the native engine's rewritten forms of them, so a later compile of the same bytes skips
 * both. See {@link CompileCache}.
 */
export interface ModuleOptions {
  /** Where validated modules and their native forms are kept between runs (none by default). */
  readonly cache?: CompileCache;
}

function typeDesc(params: readonly ValType[], results: readonly ValType[]): FuncTypeDesc {
  return { params: params.map(valTypeToName), results: results.map(valTypeToName) };
}

/**
 * A compiled WebAssembly module. `new Module(bytes)` decodes and validates synchronously.
 *
 * @example Decoding a module and listing its exports
 * ```ts
 * import { Module, parseWat } from "../../mod.ts";
 * const module = new Module(parseWat(`(module (func (export "f")))`));
 * console.log(Module.exports(module)); // [{ name: "f", kind: "function", type: { params: [], results: [] } }]
 * ```
 */
export class Module {
  /**
   * The decoded module.
   *
   * @internal
   */
  readonly decoded: DecodedModule;

  /**
   * Decodes and validates a module binary synchronously (function bodies are translated later, on first call).
   *
   * @param bytes The module binary, or its text format as a string.
   * @param options A compile cache: validation is skipped for bytes it holds (see {@link ModuleOptions}).
   * @throws CompileError when the module is malformed or invalid (a WatParseError, also a CompileError, for text).
   */
  constructor(bytes: ModuleSource, options: ModuleOptions = {}) {
    // Why: copy, so later changes to the caller's buffer cannot alter a validated module.
    const copy = toBytes(bytes).slice();
    const cached = options.cache === undefined ? undefined : openEntry(options.cache, copy);
    try {
      // Bytes a cache holds decoded and validated before: neither their bodies' instructions nor types are checked.
      this.decoded = decodeModule(copy, { bodiesKnown: cached?.found });
      if (cached?.found !== true) validateModule(this.decoded);
      if (cached !== undefined) attachEntry(this.decoded, cached);
    } catch (e) {
      if (e instanceof CompileError) throw e;
      if (e instanceof RangeError || e instanceof TypeError) throw new CompileError(`malformed module: ${e.message}`);
      throw e;
    }
  }

  /**
   * Lists a module's imports (like `WebAssembly.Module.imports`).
   *
   * @param m A module.
   * @returns Its imports, in order.
   */
  static imports(m: Module): { module: string; name: string; kind: ExternKindName }[] {
    return m.decoded.imports.map((i) => ({ module: i.module, name: i.name, kind: KIND_NAMES[i.desc.kind]! }));
  }

  /**
   * Lists a module's exports (like `WebAssembly.Module.exports`), with the type of each exported function.
   *
   * @param m A module.
   * @returns Its exports, in order; functions with their type.
   */
  static exports(m: Module): { name: string; kind: ExternKindName; type?: FuncTypeDesc }[] {
    const d = m.decoded;
    return d.exports.map((e) => {
      if (e.kind !== "func") return { name: e.name, kind: KIND_NAMES[e.kind]! };
      const t = canonicalFuncType(d, funcTypeIndexOf(d, e.index)); // canonical: a concrete type is named by its kind
      return { name: e.name, kind: "function" as const, type: typeDesc(t.params, t.results) };
    });
  }

  /**
   * Reads a module's custom sections of one name (like `WebAssembly.Module.customSections`).
   *
   * @param m A module.
   * @param name Custom section name.
   * @returns Copies of the contents of every custom section with that name.
   */
  static customSections(m: Module, name: string): ArrayBuffer[] {
    return m.decoded.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer as ArrayBuffer);
  }
}

import { funcTypeIndexOf } from "../binary/module.ts";
import { canonicalFuncType } from "../validate/subtyping.ts";

/**
 * Compiles (decodes and validates) a module.
 *
 * @example Compiling a module and listing its exports
 * ```ts
 * import { compile, Module, parseWat } from "../../mod.ts";
 * const module = await compile(parseWat(`(module (memory (export "m") 1))`));
 * console.log(Module.exports(module)); // [{ name: "m", kind: "memory" }]
 * ```
 *
 * @param bytes The module binary, or its text format as a string.
 * @param options A compile cache (see {@link ModuleOptions}).
 * @returns The module; rejects with CompileError.
 */
export function compile(bytes: ModuleSource, options: ModuleOptions = {}): Promise<Module> {
  try {
    return Promise.resolve(new Module(bytes, options));
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Checks whether bytes are a valid module (like `WebAssembly.validate`), without keeping the result.
 *
 * @example Validating module bytes
 * ```ts
 * import { parseWat, validate } from "../../mod.ts";
 * console.log(validate(parseWat(`(module (func (result i32) i32.const 1))`))); // true
 * console.log(validate(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0]))); // false: unknown binary version
 * ```
 *
 * @param bytes A module binary, or its text format as a string.
 * @returns Whether it decodes and validates.
 */
export function validate(bytes: ModuleSource): boolean {
  try {
    new Module(bytes);
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}
