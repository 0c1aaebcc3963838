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

/** The exception references' type texts (exact, as function types match nominally), and whether each is nullable. */
const EXN_NULLABLE: Record<string, boolean> = {
  "exnref": true,
  "(ref null exn)": true,
  "(ref exn)": false,
  "nullexnref": true,
  "(ref null noexn)": true,
};
/** Whether values of the type named `t` are exception references (which the JS API refuses at the boundary). */
export function isExnType(t: string): boolean {
  return EXN_NULLABLE[t] !== undefined;
}
/** How exception references cross a trampoline: an argument as an `externref` (a result as whether it is null). */
const EXN_TYPES: Record<string, string[]> = Object.fromEntries(
  Object.keys(EXN_NULLABLE).map((t) => [t, ["externref"]]),
);

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

/** How {@link rawCaller} converts: which values cross as raw bits, and how `exnref` values cross. */
export interface RawCallOptions {
  /** Wraps the function JS calls (`WebAssembly.promising` for an async call). */
  readonly wrap?: (w: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown;
  /** Floats and `v128`s as raw bits (the default); false: floats as JS numbers, as the JS API converts them. */
  readonly rawFloats?: boolean;
  /** An exception the guest threw (a host `WebAssembly.Exception`) as the caller's exception value. */
  readonly fromHostException?: (e: unknown) => unknown;
  /** The caller's exception value as the host's `WebAssembly.Exception`, to be thrown. */
  readonly toHostException?: (v: unknown) => unknown;
}

/**
 * A function taking and returning raw values (its results as a list), wrapping an export of the given signature.
 *
 * `exnref` values cannot cross the JS boundary at all (the JS API throws a TypeError): where the signature has one,
 * the trampoline takes an `exnref` argument as an `externref` (null, or the exception value: it calls back into JS
 * to throw that as the host's exception, and catches it with `catch_all_ref`), and keeps an `exnref` result in a
 * global of its own, returning whether it is null; a non-null one is then thrown to JS by `throw_ref` (a function
 * of the trampoline) and arrives as the host's exception, which `fromHostException` maps to the caller's value.
 *
 * @param fn the host's exported function
 * @param type its parameter and result type names (`valTypeToName`)
 * @param options how values convert
 * @returns the caller
 */
export function rawCaller(
  fn: unknown,
  type: { readonly params: readonly string[]; readonly results: readonly string[] },
  options: RawCallOptions = {},
): (args: unknown[]) => unknown[] {
  const { params, results } = type;
  const { wrap, rawFloats = true } = options;
  const f = fn as (...args: unknown[]) => unknown;
  const table: Record<string, string[]> = rawFloats ? { ...RAW_TYPES, ...EXN_TYPES } : EXN_TYPES;
  const special = [...params, ...results].some((t) => table[t] !== undefined);
  if (!special) {
    const g = wrap !== undefined ? wrap(f) : f;
    const list = (r: unknown) => results.length === 0 ? [] : results.length === 1 ? [r] : r as unknown[];
    return (args) => {
      const r = g(...args);
      return r instanceof Promise ? r.then(list) as unknown as unknown[] : list(r);
    };
  }
  const key = `${rawFloats ? "raw" : "js"} ${params.join(",")}->${results.join(",")}`;
  const raw = (types: readonly string[], result: boolean) =>
    types.flatMap((t) => (isExnType(t) && result ? ["i32"] : table[t] ?? [t]));
  const rawParams = raw(params, false), rawResults = raw(results, true);
  const body: string[] = [];
  let k = 0;
  for (const t of params) {
    body.push(isExnType(t) ? exnFromExtern(t, k) : rawFloats ? fromRaw(t, k) : `local.get ${k}`);
    k += table[t]?.length ?? 1;
  }
  body.push("call $f");
  // Results come back on the stack in order; convert them through locals, the last popped first.
  const base = rawParams.length;
  for (let i = results.length - 1; i >= 0; i--) body.push(`local.set ${base + i}`);
  results.forEach((t, i) => {
    if (isExnType(t)) body.push(`local.get ${base + i} global.set $x${i} local.get ${base + i} ref.is_null i32.eqz`);
    else body.push(rawFloats ? toRaw(t, base + i) : `local.get ${base + i}`);
  });
  const exnResults = results.flatMap((t, i) => (isExnType(t) ? [i] : []));
  const wat = `(module (import "t" "f" (func $f (param ${params.join(" ")}) (result ${results.join(" ")})))
    (import "t" "throw" (func $throw (param externref)))
    ${exnResults.map((i) => `(global $x${i} (mut exnref) (ref.null exn))`).join(" ")}
    (func (export "w") (param ${rawParams.join(" ")}) (result ${rawResults.join(" ")}) (local ${results.join(" ")})
      ${body.join(" ")})
    ${
    exnResults.map((i) => `(func (export "x${i}") global.get $x${i} ref.null exn global.set $x${i} throw_ref)`)
      .join(" ")
  })`;
  const toHost = options.toHostException ?? ((v: unknown) => v);
  let inst: WebAssembly.Instance;
  try {
    inst = new WA.Instance(trampolineModule(key, wat), {
      t: {
        f: fn,
        throw: (v: unknown) => {
          throw toHost(v);
        },
      },
    } as WebAssembly.Imports);
  } catch (e) {
    // A function whose type is not the plain final type the trampoline imports (GC's `sub` types, recursion
    // groups) does not link: floats then cross as JS numbers (a NaN's payload is the host's), v128 and exnref not.
    const crossing = [...params, ...results];
    if (!(e instanceof WA.LinkError) || crossing.includes("v128") || crossing.some(isExnType)) throw e;
    return floatsThroughJs(f, params, results, wrap);
  }
  let w = inst.exports.w as (...args: unknown[]) => unknown;
  if (wrap !== undefined) w = wrap(w);
  const fromHost = options.fromHostException ?? ((e: unknown) => e);
  const convert = (r: unknown): unknown[] => {
    const list = rawResults.length === 0 ? [] : rawResults.length === 1 ? [r] : r as unknown[];
    const out: unknown[] = [];
    let j = 0;
    results.forEach((t, i) => {
      if (t === "v128" && rawFloats) {
        out.push(v128FromHalves(list[j] as bigint, list[j + 1] as bigint));
        j += 2;
      } else if (isExnType(t)) {
        out.push(list[j++] === 0 ? null : caught(inst.exports[`x${i}`] as () => void, fromHost));
      } else out.push(list[j++]);
    });
    return out;
  };
  return (args) => {
    const rawArgs = params.flatMap((t, i) => (t === "v128" && rawFloats ? v128Halves(args[i]) : [args[i]]));
    const r = w(...rawArgs);
    // A wrapped (promising) trampoline returns a Promise of the results: converted when it settles.
    if (r instanceof Promise) return r.then(convert) as unknown as unknown[];
    return convert(r);
  };
}

/**
 * The instructions that turn the `externref` argument in local `k` into an exception reference of type `t`: null as
 * null, else thrown (by the imported `$throw`, as the host's exception) and caught (a `(ref exn)`).
 */
function exnFromExtern(t: string, k: number): string {
  if (t === "nullexnref" || t === "(ref null noexn)") return "ref.null noexn";
  const caught = `(block $h${k} (result (ref exn))
    (try_table (catch_all_ref $h${k}) (call $throw (local.get ${k}))) unreachable)`;
  if (!EXN_NULLABLE[t]) return caught;
  return `(if (result exnref) (ref.is_null (local.get ${k})) (then (ref.null exn)) (else ${caught}))`;
}

/** What calling `throwRef` throws (a trampoline's `throw_ref` of a kept `exnref`), mapped by `fromHost`. */
function caught(throwRef: () => void, fromHost: (e: unknown) => unknown): unknown {
  try {
    throwRef();
  } catch (e) {
    return fromHost(e);
  }
  throw new Error("internal: a kept exnref did not throw");
}

const bits = new DataView(new ArrayBuffer(8));

/** {@link rawCaller} without a trampoline: raw float bits converted to and from JS numbers around the call. */
function floatsThroughJs(
  f: (...args: unknown[]) => unknown,
  params: readonly string[],
  results: readonly string[],
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
