/**
 * A {@link WastEngine} over the host's native `WebAssembly` (V8 in Deno and Node, JSC in Bun): the reference
 * the WAST runner and the text parser are checked against.
 *
 * Calls are bit-exact: for an export whose signature has floats or `v128`s, a small trampoline module (built with
 * `parseWat`) imports the function and exports a version taking and returning the floats' bit patterns as
 * integers, so NaN payloads survive the JS boundary, and each `v128` (which cannot cross it at all) as two i64
 * halves (`i64x2.replace_lane` / `i64x2.extract_lane`); on the JS side a `v128` is 16 bytes, lane 0 first. Exported
 * f32, f64 and v128 globals are read the same way.
 *
 * @module
 */

import { printable } from "../_printable.ts";
import { decodeModule } from "../binary/decoder.ts";
import { funcTypeOf } from "../binary/module.ts";
import { validateModule } from "../validate/module_validator.ts";
import { gcRuntimeUse } from "../runtime/gc.ts";
import { UnsupportedFeatureError } from "../errors.ts";
import { rawCaller, rawGlobal } from "../native/trampolines.ts";
import { type ErrorKind, type RawValue, spectestModule, type WastEngine, type WastInstance } from "./engine.ts";

type WA = typeof WebAssembly;
const WA: WA = (globalThis as unknown as { WebAssembly: WA }).WebAssembly;
/** `WebAssembly.Exception` where the host has it (the TS library does not declare it yet). */
const WA_EXCEPTION = (WA as unknown as { Exception?: abstract new (...a: never[]) => unknown }).Exception;

const TYPE_NAMES: Record<number, string> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
  0x69: "exnref",
};

interface ExportInfo {
  kind: number;
  params?: string[];
  results?: string[];
  global?: { type: string; mutable: boolean };
}

/** Whether a module the host compiled is valid for Kiln too and needs GC objects at run time (`runtime/gc.ts`). */
function needsGc(bytes: Uint8Array): boolean {
  try {
    const m = decodeModule(bytes);
    validateModule(m);
    return gcRuntimeUse(m) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Reads the signatures of a module's exported functions and globals (enough for the trampolines), with Kiln's
 * decoder; a value type without a name here (GC's and typed references) is "other" and crosses as itself.
 */
function exportInfo(bytes: Uint8Array): Map<string, ExportInfo> {
  const m = decodeModule(bytes);
  const name = (t: number) => TYPE_NAMES[t] ?? "other";
  const globals: { type: string; mutable: boolean }[] = [];
  for (const imp of m.imports) {
    if (imp.desc.kind === "global") globals.push({ type: name(imp.desc.type.type), mutable: imp.desc.type.mutable });
  }
  for (const g of m.globals) globals.push({ type: name(g.type.type), mutable: g.type.mutable });
  const out = new Map<string, ExportInfo>();
  for (const e of m.exports) {
    if (e.kind === "func") {
      const type = funcTypeOf(m, e.index);
      out.set(e.name, { kind: 0, params: type.params.map(name), results: type.results.map(name) });
    } else if (e.kind === "global") out.set(e.name, { kind: 3, global: globals[e.index] });
    else out.set(e.name, { kind: ["func", "table", "memory", "global", "tag"].indexOf(e.kind) });
  }
  return out;
}

class NativeInstance implements WastInstance {
  constructor(readonly instance: WebAssembly.Instance, readonly info: Map<string, ExportInfo>) {}

  get exports(): Record<string, unknown> {
    return this.instance.exports as Record<string, unknown>;
  }

  invoke(field: string, args: RawValue[]): Promise<RawValue[]> {
    const fn = this.instance.exports[field];
    const info = this.info.get(field);
    if (typeof fn !== "function" || !info?.params) {
      return Promise.reject(new Error(`no exported function ${printable(field)}`));
    }
    return Promise.resolve(rawCaller(fn, { params: info.params, results: info.results! })(args));
  }

  get(field: string): RawValue {
    const g = this.instance.exports[field];
    const info = this.info.get(field);
    if (!(g instanceof WA.Global) || !info?.global) throw new Error(`no exported global ${printable(field)}`);
    return rawGlobal(g, info.global.type, info.global.mutable);
  }
}

/**
 * The native `WebAssembly` engine adapter.
 *
 * @returns A fresh adapter (its `spectest` module and extern references are its own).
 * @example
 * ```ts
 * import { nativeEngine } from "./native_engine.ts";
 * console.log(nativeEngine().name); // "native"
 * ```
 */
export function nativeEngine(): WastEngine {
  const externs = new Map<number, object>();
  const bytesOf = new WeakMap<WebAssembly.Module, Uint8Array>();
  return {
    name: "native",
    checksMessages: false,
    compile(bytes: Uint8Array): Promise<unknown> {
      const m = new WA.Module(bytes as BufferSource);
      // Why: the trampolines and value conversions here do not know GC's values yet; report such modules as
      // unsupported, as Kiln does, rather than fail on the runner's side (the host's verdict on invalid ones stands).
      if (needsGc(bytes)) throw new UnsupportedFeatureError("gc");
      bytesOf.set(m, bytes);
      return Promise.resolve(m);
    },
    instantiate(module: unknown, imports: Record<string, Record<string, unknown>>): Promise<WastInstance> {
      const m = module as WebAssembly.Module;
      const inst = new WA.Instance(m, imports as WebAssembly.Imports);
      let info: Map<string, ExportInfo>;
      try {
        info = exportInfo(bytesOf.get(m)!);
      } catch {
        info = new Map();
      }
      return Promise.resolve(new NativeInstance(inst, info));
    },
    spectest(): Record<string, unknown> {
      return spectestModule(WA);
    },
    classify(e: unknown): ErrorKind {
      const message = e instanceof Error ? e.message : String(e);
      const flag = /--experimental-wasm-([a-z_-]+)/.exec(message);
      if (flag) return { kind: "unsupported", message, feature: flag[1].replaceAll("_", "-") };
      if (e instanceof WA.CompileError) return { kind: "compile", message };
      if (e instanceof WA.LinkError || e instanceof TypeError) return { kind: "link", message };
      if (e instanceof RangeError && /call stack|recursion/i.test(message)) return { kind: "exhaustion", message };
      if (e instanceof WA.RuntimeError) return { kind: "trap", message };
      if (WA_EXCEPTION !== undefined && e instanceof WA_EXCEPTION) {
        return { kind: "exception", message: "uncaught exception" };
      }
      return { kind: "other", message };
    },
    externRef(n: number): unknown {
      let o = externs.get(n);
      if (!o) externs.set(n, o = { "ref.extern": n });
      return o;
    },
    isFuncRef(v: unknown): boolean {
      return typeof v === "function";
    },
  };
}
