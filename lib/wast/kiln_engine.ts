/**
 * A {@link WastEngine} over Kiln's public API (`mod.ts`), in the three configurations the spec suite runs:
 * `plain`; `fuel` (metering on with a huge budget and a small `fuelYieldInterval`, so every loop yields to the
 * event loop now and then); `async` (the runner wraps every function import so it returns a Promise — see
 * `RunOptions.asyncImports`; the engine side is the same as plain).
 *
 * @module
 */

import { printable } from "../_printable.ts";
import { compile, Exception, Global, instantiate, Memory, parseWat, Store, Table } from "../../mod.ts";
import type { Instance, Module } from "../../mod.ts";
import { CompileError, LinkError, RuntimeError, UnsupportedFeatureError } from "../errors.ts";
import { TrapCode } from "../trap_codes.ts";
import { GcArray, GcStruct } from "../runtime/gc_objects.ts";
import { gcObjectOfView } from "../runtime/gc_views.ts";
import { isHostGcObject } from "../native/imports.ts";
import { type ErrorKind, type RawValue, spectestModule, type WastEngine, type WastInstance } from "./engine.ts";

/**
 * A configuration of the spec run against Kiln: the three on the interpreter, and `native` / `native-fuel` (plain
 * and fuel, on the native engine: the host's WebAssembly behind Kiln's API).
 */
export type KilnConfig = "plain" | "fuel" | "async" | "native" | "native-fuel";

/** The fuel budget of the `fuel` configuration: large enough for every spec script. */
export const FUEL_BUDGET = 2 ** 50;
/** The yield interval of the `fuel` configuration. */
export const FUEL_YIELD_INTERVAL = 100;

class KilnInstance implements WastInstance {
  constructor(readonly instance: Instance) {}

  get exports(): Record<string, unknown> {
    return this.instance.exports as Record<string, unknown>;
  }

  invoke(field: string, args: RawValue[]): Promise<RawValue[]> {
    const f = this.instance.exports[field] as { callRaw?: (a: unknown[]) => Promise<unknown[]> } | undefined;
    if (typeof f?.callRaw !== "function") return Promise.reject(new Error(`no exported function ${printable(field)}`));
    return f.callRaw(args);
  }

  get(field: string): RawValue {
    const g = this.instance.exports[field];
    if (!(g instanceof Global)) throw new Error(`no exported global ${printable(field)}`);
    return g.getRaw();
  }
}

/**
 * Kiln as a WAST engine.
 *
 * @param config `plain`, `fuel` or `async` (for `async`, also pass `asyncImports: true` to the runner).
 * @returns A fresh adapter with its own store.
 * @example
 * ```ts
 * import { kilnEngine } from "./kiln_engine.ts";
 * console.log(kilnEngine("plain").name); // "kiln"
 * ```
 */
export function kilnEngine(config: KilnConfig = "plain"): WastEngine {
  const externs = new Map<number, object>();
  const engine = config === "native" || config === "native-fuel" ? "native" : "interpreter";
  const store = config === "fuel" || config === "native-fuel"
    ? new Store({ engine, fuel: FUEL_BUDGET, fuelYieldInterval: FUEL_YIELD_INTERVAL })
    : new Store({ engine });
  return {
    name: "kiln",
    checksMessages: true,
    compile(bytes: Uint8Array): Promise<unknown> {
      return compile(bytes as BufferSource);
    },
    async instantiate(module: unknown, imports: Record<string, Record<string, unknown>>): Promise<WastInstance> {
      const { instance } = await instantiate(module as Module, imports as never, { store });
      return new KilnInstance(instance);
    },
    spectest(): Record<string, unknown> {
      return spectestModule({ Global, Table, Memory });
    },
    classify(e: unknown): ErrorKind {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof UnsupportedFeatureError) return { kind: "unsupported", message, feature: e.feature };
      if (e instanceof CompileError) return { kind: "compile", message };
      if (e instanceof LinkError) return { kind: "link", message };
      if (e instanceof Exception) return { kind: "exception", message: "uncaught exception" };
      if (e instanceof RuntimeError) {
        return { kind: e.code === TrapCode.StackOverflow ? "exhaustion" : "trap", message };
      }
      return { kind: "other", message: e instanceof Error ? `${e.name}: ${message}` : message };
    },
    externRef(n: number): unknown {
      let o = externs.get(n);
      if (!o) externs.set(n, o = { "ref.extern": n });
      return o;
    },
    isFuncRef(v: unknown): boolean {
      return typeof v === "function";
    },
    gcKind(v: unknown): "struct" | "array" | undefined {
      const gc = gcObjectOfView(v);
      if (gc instanceof GcStruct) return "struct";
      if (gc instanceof GcArray) return "array";
      return isHostGcObject(v) ? hostGcKind(v) : undefined;
    },
  };
}

let classify: ((v: unknown) => number) | undefined;

/** What a host GC object (the native engine's) is, asked of the host's own `ref.test`: JS cannot tell. */
function hostGcKind(v: unknown): "struct" | "array" | undefined {
  classify ??= new WebAssembly.Instance(
    new WebAssembly.Module(
      parseWat(`(module (func (export "k") (param anyref) (result i32)
        (if (result i32) (ref.test (ref struct) (local.get 0)) (then (i32.const 1))
          (else (if (result i32) (ref.test (ref array) (local.get 0)) (then (i32.const 2)) (else (i32.const 0)))))))`) as BufferSource,
    ),
  ).exports.k as (v: unknown) => number;
  const kind = classify(v);
  return kind === 1 ? "struct" : kind === 2 ? "array" : undefined;
}
