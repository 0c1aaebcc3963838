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
import { parseWat } from "../text/parse_wat.ts";
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

/** The types a value of each type crosses the JS boundary as (the others cross as themselves). */
const RAW_TYPES: Record<string, string[]> = { f32: ["i32"], f64: ["i64"], v128: ["i64", "i64"] };
const TO_FLOAT: Record<string, string> = { f32: "f32.reinterpret_i32", f64: "f64.reinterpret_i64" };
const FROM_FLOAT: Record<string, string> = { f32: "i32.reinterpret_f32", f64: "i64.reinterpret_f64" };

const rawTypes = (types: string[]): string[] => types.flatMap((t) => RAW_TYPES[t] ?? [t]);

/** The instructions that turn the raw form of a value of type `t`, in locals from `k`, into the value. */
function fromRaw(t: string, k: number): string {
  if (t === "v128") {
    return `v128.const i64x2 0 0 local.get ${k} i64x2.replace_lane 0 local.get ${k + 1} i64x2.replace_lane 1`;
  }
  return `local.get ${k}` + (TO_FLOAT[t] ? ` ${TO_FLOAT[t]}` : "");
}

/** The instructions that push the raw form of the value of type `t` in local `k`. */
function toRaw(t: string, k: number): string {
  if (t === "v128") return `local.get ${k} i64x2.extract_lane 0 local.get ${k} i64x2.extract_lane 1`;
  return `local.get ${k}` + (FROM_FLOAT[t] ? ` ${FROM_FLOAT[t]}` : "");
}

/** A `v128` raw value (16 bytes, lane 0 first) as its two i64 halves, low first. */
function v128Halves(v: unknown): [bigint, bigint] {
  if (!(v instanceof Uint8Array) || v.length !== 16) throw new TypeError("a v128 argument must be 16 bytes");
  const view = new DataView(v.buffer, v.byteOffset, 16);
  return [view.getBigInt64(0, true), view.getBigInt64(8, true)];
}

/** Two i64 halves, low first, as a `v128` raw value. */
function v128FromHalves(low: bigint, high: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigInt64(0, low, true);
  view.setBigInt64(8, high, true);
  return bytes;
}

const trampolines = new Map<string, WebAssembly.Module>();

function trampolineModule(key: string, wat: string): WebAssembly.Module {
  let m = trampolines.get(key);
  if (!m) {
    m = new WA.Module(parseWat(wat) as BufferSource);
    trampolines.set(key, m);
  }
  return m;
}

/** A function taking and returning raw values (its results as a list), wrapping an export of the given signature. */
function rawCaller(fn: unknown, params: string[], results: string[]): (args: unknown[]) => unknown[] {
  const f = fn as (...args: unknown[]) => unknown;
  const special = [...params, ...results].some((t) => RAW_TYPES[t] !== undefined);
  if (!special) {
    return (args) => {
      const r = f(...args);
      return results.length === 0 ? [] : results.length === 1 ? [r] : r as unknown[];
    };
  }
  const key = `${params.join(",")}->${results.join(",")}`;
  const rawParams = rawTypes(params), rawResults = rawTypes(results);
  const body: string[] = [];
  let k = 0;
  for (const t of params) {
    body.push(fromRaw(t, k));
    k += RAW_TYPES[t]?.length ?? 1;
  }
  body.push("call $f");
  // Results come back on the stack in order; convert them through locals, the last popped first.
  const base = rawParams.length;
  for (let i = results.length - 1; i >= 0; i--) body.push(`local.set ${base + i}`);
  results.forEach((t, i) => body.push(toRaw(t, base + i)));
  const wat = `(module (import "t" "f" (func $f (param ${params.join(" ")}) (result ${results.join(" ")})))
    (func (export "w") (param ${rawParams.join(" ")}) (result ${rawResults.join(" ")}) (local ${results.join(" ")})
      ${body.join(" ")}))`;
  const inst = new WA.Instance(trampolineModule(key, wat), { t: { f: fn } } as WebAssembly.Imports);
  const w = inst.exports.w as (...args: unknown[]) => unknown;
  return (args) => {
    const raw = params.flatMap((t, i) => (t === "v128" ? v128Halves(args[i]) : [args[i]]));
    const r = w(...raw);
    const list = rawResults.length === 0 ? [] : rawResults.length === 1 ? [r] : r as unknown[];
    const out: unknown[] = [];
    let j = 0;
    for (const t of results) {
      if (t === "v128") {
        out.push(v128FromHalves(list[j] as bigint, list[j + 1] as bigint));
        j += 2;
      } else out.push(list[j++]);
    }
    return out;
  };
}

function rawGlobal(g: WebAssembly.Global, type: string, mutable: boolean): RawValue {
  if (!RAW_TYPES[type]) return g.value;
  const key = `global ${type} ${mutable}`;
  const gt = mutable ? `(mut ${type})` : type;
  const wat = `(module (import "t" "g" (global $g ${gt}))
    (func (export "w") (result ${rawTypes([type]).join(" ")}) (local ${type}) global.get $g local.set 0
      ${toRaw(type, 0)}))`;
  const inst = new WA.Instance(trampolineModule(key, wat), { t: { g } } as WebAssembly.Imports);
  const r = (inst.exports.w as () => unknown)();
  if (type === "v128") return v128FromHalves((r as bigint[])[0]!, (r as bigint[])[1]!);
  return r;
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
    return Promise.resolve(rawCaller(fn, info.params, info.results!)(args));
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
