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
import { ByteReader } from "../binary/leb128.ts";
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

/** Reads the signatures of a module's exported functions and globals (enough for the trampolines). */
function exportInfo(bytes: Uint8Array): Map<string, ExportInfo> {
  const r = new ByteReader(bytes, 8);
  const types: { params: string[]; results: string[] }[] = [];
  const funcs: number[] = [];
  const globals: { type: string; mutable: boolean }[] = [];
  const out = new Map<string, ExportInfo>();
  const name = () => new TextDecoder("utf-8", { ignoreBOM: true }).decode(r.bytesView(r.u32()));
  const valType = () => TYPE_NAMES[r.u8()] ?? "other";
  const limits = () => {
    const flags = r.u8();
    r.u64(); // u64s: a 64-bit memory's or table's limits (memory64) may exceed 2^32
    if (flags & 1) r.u64();
  };
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.u8() !== 0x60) return out;
        const params = Array.from({ length: r.u32() }, valType);
        const results = Array.from({ length: r.u32() }, valType);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        name();
        name();
        const kind = r.u8();
        if (kind === 0) funcs.push(r.u32());
        else if (kind === 1) {
          r.u8();
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) globals.push({ type: valType(), mutable: r.u8() === 1 });
        else if (kind === 4) {
          r.u8(); // tag attribute
          r.u32();
        } else return out;
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcs.push(r.u32());
    } else if (id === 6) {
      // Global definitions: type, mutability, then an init expression we skip by re-reading from the end.
      // Why: only exported globals' types are needed; stop parsing precisely by scanning each const expr.
      for (let n = r.u32(); n > 0; n--) {
        globals.push({ type: valType(), mutable: r.u8() === 1 });
        skipConstExpr(r);
      }
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const field = name();
        const kind = r.u8();
        const index = r.u32();
        if (kind === 0) out.set(field, { kind, ...types[funcs[index]] });
        else if (kind === 3) out.set(field, { kind, global: globals[index] });
        else out.set(field, { kind });
      }
    }
    r.pos = end;
  }
  return out;
}

function skipConstExpr(r: ByteReader): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x23 || op === 0xd2) r.u32();
    else if (op === 0x42) r.s64();
    else if (op === 0x43) r.bytesView(4);
    else if (op === 0x44) r.bytesView(8);
    else if (op === 0xd0) r.u8();
    else if (op === 0xfd && r.u32() === 0x0c) r.bytesView(16); // v128.const
    else if (op === 0x6a || op === 0x6b || op === 0x6c || op === 0x7c || op === 0x7d || op === 0x7e) continue;
    else throw new Error(`cannot skip constant expression opcode 0x${op.toString(16)}`);
  }
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
