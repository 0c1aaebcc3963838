/**
 * Trampolines between the host's WebAssembly and raw values (`runtime/values.ts`): a small module (built with
 * `parseWat`, cached per signature) imports a function or global and exports a version taking and returning floats
 * as their bit patterns, so NaN payloads survive the JS boundary, and each `v128` (which cannot cross it at all) as
 * two i64 halves (`i64x2.replace_lane` / `i64x2.extract_lane`); on the JS side a `v128` is 16 bytes, lane 0 first.
 * Used by the native engine's raw calls and globals, and by the spec runner's native reference engine.
 *
 * @module
 */

import { parseWat } from "../text/parse_wat.ts";

type WA = typeof WebAssembly;
const WA: WA = (globalThis as unknown as { WebAssembly: WA }).WebAssembly;
type RawValue = unknown;

/** The types a value of each type crosses the JS boundary as (the others cross as themselves). */
export const RAW_TYPES: Record<string, string[]> = { f32: ["i32"], f64: ["i64"], v128: ["i64", "i64"] };
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
export function v128Halves(v: unknown): [bigint, bigint] {
  if (!(v instanceof Uint8Array) || v.length !== 16) throw new TypeError("a v128 argument must be 16 bytes");
  const view = new DataView(v.buffer, v.byteOffset, 16);
  return [view.getBigInt64(0, true), view.getBigInt64(8, true)];
}

/** Two i64 halves, low first, as a `v128` raw value. */
export function v128FromHalves(low: bigint, high: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigInt64(0, low, true);
  view.setBigInt64(8, high, true);
  return bytes;
}

const trampolines = new Map<string, WebAssembly.Module>();

export function trampolineModule(key: string, wat: string): WebAssembly.Module {
  let m = trampolines.get(key);
  if (!m) {
    m = new WA.Module(parseWat(wat) as BufferSource);
    trampolines.set(key, m);
  }
  return m;
}

/** A function taking and returning raw values (its results as a list), wrapping an export of the given signature. */
export function rawCaller(
  fn: unknown,
  params: string[],
  results: string[],
  wrap?: (w: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): (args: unknown[]) => unknown[] {
  const f = fn as (...args: unknown[]) => unknown;
  const special = [...params, ...results].some((t) => RAW_TYPES[t] !== undefined);
  if (!special) {
    const g = wrap !== undefined ? wrap(f) : f;
    const list = (r: unknown) => results.length === 0 ? [] : results.length === 1 ? [r] : r as unknown[];
    return (args) => {
      const r = g(...args);
      return r instanceof Promise ? r.then(list) as unknown as unknown[] : list(r);
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
  let inst: WebAssembly.Instance;
  try {
    inst = new WA.Instance(trampolineModule(key, wat), { t: { f: fn } } as WebAssembly.Imports);
  } catch (e) {
    // A function whose type is not the plain final type the trampoline imports (GC's `sub` types, recursion
    // groups) does not link: floats then cross as JS numbers (a NaN's payload is the host's), v128 not at all.
    if (!(e instanceof WA.LinkError) || [...params, ...results].includes("v128")) throw e;
    return floatsThroughJs(f, params, results, wrap);
  }
  let w = inst.exports.w as (...args: unknown[]) => unknown;
  if (wrap !== undefined) w = wrap(w);
  const convert = (r: unknown): unknown[] => {
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
  return (args) => {
    const raw = params.flatMap((t, i) => (t === "v128" ? v128Halves(args[i]) : [args[i]]));
    const r = w(...raw);
    // A wrapped (promising) trampoline returns a Promise of the results: converted when it settles.
    if (r instanceof Promise) return r.then(convert) as unknown as unknown[];
    return convert(r);
  };
}

const bits = new DataView(new ArrayBuffer(8));

/** {@link rawCaller} without a trampoline: raw float bits converted to and from JS numbers around the call. */
function floatsThroughJs(
  f: (...args: unknown[]) => unknown,
  params: string[],
  results: string[],
  wrap?: (w: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): (args: unknown[]) => unknown[] {
  const g = wrap !== undefined ? wrap(f) : f;
  const toJs = (t: string, v: unknown): unknown => {
    if (t === "f32") bits.setInt32(0, v as number);
    else if (t === "f64") bits.setBigInt64(0, v as bigint);
    else return v;
    return t === "f32" ? bits.getFloat32(0) : bits.getFloat64(0);
  };
  const fromJs = (t: string, v: unknown): unknown => {
    if (t === "f32") bits.setFloat32(0, v as number);
    else if (t === "f64") bits.setFloat64(0, v as number);
    else return v;
    return t === "f32" ? bits.getInt32(0) : bits.getBigInt64(0);
  };
  const convert = (r: unknown): unknown[] => {
    const list = results.length === 0 ? [] : results.length === 1 ? [r] : r as unknown[];
    return results.map((t, i) => fromJs(t, list[i]));
  };
  return (args) => {
    const r = g(...params.map((t, i) => toJs(t, args[i])));
    return r instanceof Promise ? r.then(convert) as unknown as unknown[] : convert(r);
  };
}

export function rawGlobal(g: WebAssembly.Global, type: string, mutable: boolean): RawValue {
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
