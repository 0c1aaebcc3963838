/**
 * The engine-neutral half of the differential fuzzer: instantiate a module with binaryen's `fuzzing-support`
 * logging imports, call every exported function with seed-chosen arguments, and record one {@link Step} per
 * action (results or trap kind, the logged values, exported globals, tables and a memory hash). The same code runs
 * against native `WebAssembly` and against Kiln; only {@link Engine} differs.
 *
 * @module
 */
import { Rng } from "./_fuzz_rng.ts";
import {
  type FuncSig,
  isNullableName,
  readWasmInfo,
  refHierarchy,
  type TypeKind,
  type ValName,
  type WasmInfo,
} from "./_fuzz_wasm_info.ts";

/** What one engine must provide to the harness. */
export interface Engine {
  /** "native" or "kiln". */
  readonly name: string;
  /** Compiles and instantiates; the start function runs here. */
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** Called before every top-level export call (Kiln refills fuel here). */
  beforeCall?(): void;
  /**
   * The store's fuel as a comparable string (Kiln with `observeFuel`): recorded in each step's state and, in the
   * step's logs, whenever the guest calls an import (what a host function observes of the fuel).
   */
  fuelReading?(): string;
}

/** The record of one action: instantiation or one export call. */
export interface Step {
  /** "instantiate" or "call <export name>(args)". */
  label: string;
  /** "ok:<values>", "trap:<kind>", "host:<message>", "compile-error", "link-error" or "js:<name>:<message>". */
  outcome: string;
  /** Values logged through the logging imports during the action, in order. */
  logs: string[];
  /** Exported globals, tables and memory hashes after the action. */
  state: string[];
  /**
   * Set when the comparison cannot go on past this step: "stack", "fuel" (not when both sides are metered:
   * {@link RunOptions.fuelConclusive}) or "interrupt".
   */
  inconclusive?: string;
}

/** A host-side error thrown by the fuzzing imports; its message is compared, not its stack. */
export class FuzzHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuzzHostError";
  }
}

/**
 * Maps a trap message of Kiln (Wasmtime wording), V8 or JavaScriptCore to a common kind: "stack", "fuel",
 * "interrupt", "conversion", "div-zero", "int-overflow", "unreachable", "indirect", "memory", "table", "null",
 * "cast", "array" (an array access out of bounds), "alloc" (an array too large to allocate), "segment-or-alloc"
 * (JavaScriptCore: `array.new_data`/`new_elem` out of the segment or too large), "array-or-segment"
 * (JavaScriptCore: `array.init_data`/`init_elem` out of the array or of the segment; compareRuns relates both), or
 * `undefined` when the error is not a trap.
 */
export function trapKind(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  // Kiln's traps carry a code (lib/trap_codes.ts): no message is read. The host engines' have only messages.
  const code = (e as { code?: unknown }).code;
  if (e.name === "RuntimeError" && typeof code === "string") return KIND_OF_CODE[code] ?? `other(${code})`;
  const m = e.message.toLowerCase();
  const isTrap = e.name === "RuntimeError" || e instanceof WebAssembly.RuntimeError;
  if (e instanceof RangeError && /maximum call stack|call stack size/.test(m)) return "stack";
  if (!isTrap) return undefined;
  if (/call stack exhausted|stack overflow|maximum call stack|stack size/.test(m)) return "stack";
  if (m.includes("fuel")) return "fuel";
  if (m.includes("interrupt")) return "interrupt";
  // V8 and JSC use one message for NaN and out-of-range float-to-int; Wasmtime splits them into
  // "invalid conversion to integer" (NaN) and "integer overflow" (out of range). compareRuns relates them.
  if (/float unrepresentable|out of bounds trunc/.test(m)) return "float-to-int";
  // GC (V8, then JavaScriptCore; the words lib/native/traps.ts reads), before "element" and "out of bounds" below.
  // JavaScriptCore has one message for array.new_data/new_elem out of the segment and too large to allocate.
  if (/out of bounds or failed to allocate in array\.new_(data|elem)/.test(m)) return "segment-or-alloc";
  // … and one for array.init_data/init_elem out of the array's range or out of the segment's.
  if (/out of bounds array\.init_(data|elem)/.test(m)) return "array-or-segment";
  if (/illegal cast|failed to cast/.test(m)) return "cast";
  if (/array element access out of bounds|out of bounds array/.test(m)) return "array";
  if (/requested new array is too large|failed to allocate new array/.test(m)) return "alloc";
  if (/invalid conversion|conversion to integer/.test(m)) return "conversion";
  if (/divide by zero|division by zero|remainder by zero/.test(m)) return "div-zero";
  if (/integer overflow|divide result unrepresentable/.test(m)) return "int-overflow";
  if (m.includes("unreachable")) return "unreachable";
  if (/out of bounds call_indirect|undefined element|invalid index into function table/.test(m)) return "table";
  // A null reference (call_ref, ref.as_non_null): V8's "dereferencing a null pointer", JSC's "... null reference".
  if (/null pointer|null reference|null function reference/.test(m)) return "null";
  if (/indirect|signature|null function|uninitialized element|null table entry/.test(m)) return "indirect";
  if (/memory|data segment/.test(m)) return "memory";
  if (/table|element/.test(m)) return "table";
  return `other(${e.message})`;
}

/** The common kind of each of Kiln's trap codes (the names of lib/trap_codes.ts's `TrapCode`). */
const KIND_OF_CODE: Readonly<Record<string, string>> = {
  StackOverflow: "stack",
  OutOfFuel: "fuel",
  Interrupt: "interrupt",
  BadConversionToInteger: "conversion",
  IntegerDivisionByZero: "div-zero",
  IntegerOverflow: "int-overflow",
  UnreachableCodeReached: "unreachable",
  UndefinedElement: "table",
  TableOutOfBounds: "table",
  IndirectCallToNull: "indirect",
  BadSignature: "indirect",
  NullReference: "null",
  MemoryOutOfBounds: "memory",
  CastFailure: "cast",
  ArrayOutOfBounds: "array",
  AllocationTooLarge: "alloc",
};

/** The class of a thrown object: `WebAssembly.Exception` for the host's exceptions, else its constructor's name. */
function exceptionName(e: object): string {
  const host = (WebAssembly as unknown as { Exception?: new (...a: never[]) => object }).Exception;
  if (host !== undefined && e instanceof host) return "WebAssembly.Exception";
  return (e as { constructor?: { name?: string } }).constructor?.name ?? "";
}

/** The outcome string of a thrown value. */
export function describeError(e: unknown): string {
  const kind = trapKind(e);
  if (kind !== undefined) return `trap:${kind}`;
  if (e instanceof FuzzHostError) return `host:${e.message}`;
  // An uncaught wasm exception: the host's WebAssembly.Exception, or Kiln's Exception (lib/runtime/tag.ts).
  if (e !== null && typeof e === "object" && /^(WebAssembly\.)?Exception$/.test(exceptionName(e))) return "exception";
  // A TypeError from the JS API (a v128 reaching JavaScript through a funcref, a bad conversion): engines word
  // it differently, so only its class is compared.
  if (e instanceof TypeError) return "js:TypeError";
  if (e instanceof Error) {
    // Kiln's UnsupportedFeatureError (a CompileError): the host implements proposals Kiln does not.
    const feature = (e as { feature?: unknown }).feature;
    if (e.name === "UnsupportedFeatureError" && typeof feature === "string") return `unsupported:${feature}`;
    if (e.name === "CompileError") return "compile-error";
    if (e.name === "LinkError") return "link-error";
    return `js:${e.name}:${e.message}`;
  }
  return `js:thrown:${String(e)}`;
}

/** Number of imported functions of the module being run: references to them print as `func:import`. */
let importedFuncs = 0;

/**
 * The function index of a function reached through a funcref: Kiln's `funcIndex` (-1 for a host function); V8
 * and JavaScriptCore name an exported wasm function after its index. A host (imported JS) function has index -1
 * in Kiln, its import index in V8, and the name "" (NaN here) in JavaScriptCore.
 */
function funcIndexOf(f: unknown): number {
  return (f as { funcIndex?: number }).funcIndex ?? Number((f as { name: string }).name);
}

/** Whether a function index from {@link funcIndexOf} denotes an imported host function (NaN counts as one). */
function isHostIndex(k: number): boolean {
  return !(k >= importedFuncs);
}

function funcId(f: unknown): string {
  const k = funcIndexOf(f);
  return isHostIndex(k) ? "func:import" : `func:${k}`;
}

/**
 * The GC objects (structs and arrays: opaque JS objects on every engine) the current run has shown, by first
 * appearance: an object is shown as `gc#<its number>`, so that identity is compared (the same struct returned
 * twice is the same object on both sides) without looking inside. Reset by {@link runModule}.
 */
let gcObjects: object[] = [];
let gcIds = new WeakMap<object, number>();

/**
 * A value as a comparable string; floats compare as numbers with every NaN equal (payloads may differ). References
 * by kind: null, a number (an i31ref, or a number that went through `anyref`/`externref`), a function (by index),
 * a struct or array (any object: the harness passes no other, so by identity, `gc#N`), an extern string by value.
 */
export function showValue(v: unknown, type?: ValName): string {
  if (v === null) return "null";
  if (typeof v === "object") {
    let id = gcIds.get(v);
    if (id === undefined) gcIds.set(v, id = gcObjects.push(v) - 1);
    return `gc#${id}`;
  }
  if (typeof v === "bigint") return `i64:${v}`;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return `${type ?? "num"}:nan`;
    return `${type ?? "num"}:${Object.is(v, -0) ? "-0" : String(v)}`;
  }
  if (typeof v === "function") return funcId(v);
  if (v === undefined) return "undefined";
  return `extern:${String(v)}`;
}

/** A `v128` given as its two `i64` lanes, as 32 hex digits, most significant first. */
export function showV128(lo: bigint, hi: bigint): string {
  const hex = (x: bigint) => BigInt.asUintN(64, x).toString(16).padStart(16, "0");
  return `v128:${hex(hi)}${hex(lo)}`;
}

function showResult(v: unknown, sig: FuncSig): string {
  if (sig.results.length === 0) return v === undefined ? "ok" : `ok:unexpected ${showValue(v)}`;
  if (sig.results.length === 1) return `ok:${showValue(v, sig.results[0])}`;
  if (!Array.isArray(v)) return `ok:not an array ${showValue(v)}`;
  return `ok:${v.map((x, i) => showValue(x, sig.results[i])).join(",")}`;
}

const I32_EDGES = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 255, 65536, 8];
const I64_EDGES = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x80000000n, 4294967295n];
const F_EDGES = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2147483648, -2147483649, 1e300, 1.5e-45];

/** Numbers passed as references: i31 values at and around the edges of the range, and others (host numbers). */
const REF_NUMBERS = [0, 1, -1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 0.5, -0, 2 ** 31];

/**
 * What reference arguments are chosen from: the module's type kinds, the instance's exported functions (in
 * export order) and the GC objects shown so far in the run (in order of appearance).
 */
export interface RefPool {
  kinds: readonly TypeKind[];
  funcs: readonly unknown[];
  objects: readonly object[];
}

/**
 * A reference argument of type `t`: null (where nullable, and sometimes where not: a TypeError on both sides), a
 * number (an i31ref when in range, else a host reference), a string, an exported function or a GC object seen
 * before, as the type's hierarchy allows (and sometimes not: the engines must agree on what they reject).
 */
function chooseRef(rng: Rng, t: ValName, pool: RefPool | undefined): unknown {
  const hierarchy = refHierarchy(t, pool?.kinds ?? []);
  if (pool === undefined) return hierarchy === "extern" && rng.chance(0.5) ? "arg-extern" : null;
  if (rng.int(20) < (isNullableName(t) ? 6 : 1) || hierarchy === "exn") return null;
  const c = rng.int(14);
  const object = () => pool.objects.length ? pool.objects[rng.int(pool.objects.length)] : null;
  const func = () => pool.funcs.length ? pool.funcs[rng.int(pool.funcs.length)] : null;
  if (hierarchy === "func") return c < 12 ? func() : rng.pick(REF_NUMBERS);
  if (hierarchy === "extern") return c < 4 ? "arg-extern" : c < 7 ? rng.pick(REF_NUMBERS) : c < 12 ? object() : func();
  return c < 5 ? rng.pick(REF_NUMBERS) : c < 6 ? "arg-any" : c < 13 ? object() : func();
}

/**
 * Arguments for a call of `sig`, chosen from edge values and random bits by `rng`; references from `pool` (without
 * it: null, or a string for an externref).
 */
export function chooseArgs(rng: Rng, sig: FuncSig, pool?: RefPool): unknown[] {
  return sig.params.map((t) => {
    switch (t) {
      case "i32":
        return rng.chance(0.6) ? rng.pick(I32_EDGES) : rng.u32() | 0;
      case "i64":
        return rng.chance(0.6)
          ? rng.pick(I64_EDGES)
          : BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
      case "f32":
        return rng.chance(0.6)
          ? Math.fround(rng.pick(F_EDGES))
          : new Float32Array(new Uint32Array([rng.u32()]).buffer)[0];
      case "f64":
        return rng.chance(0.6) ? rng.pick(F_EDGES) : (rng.u32() - 0x80000000) / (rng.u32() + 1);
      case "v128":
        return null;
      default:
        return chooseRef(rng, t, pool);
    }
  });
}

/** The zero arguments binaryen's harness passes to `call-export`/`call-ref` callees. */
function zeroArgs(sig: FuncSig): unknown[] {
  return sig.params.map((t) => (t === "i64" ? 0n : t === "i32" || t === "f32" || t === "f64" ? 0 : null));
}

function hashBytes(bytes: Uint8Array): string {
  let h = 0x811c9dc5 ^ bytes.length;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  for (let i = words.length << 2; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16);
}

function snapshot(info: WasmInfo, exports: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const e of info.exports) {
    const v = exports[e.name] as Record<string, unknown> | undefined;
    if (v === undefined) {
      out.push(`${e.name}=missing`);
    } else if (e.kind === 3) {
      let value: unknown;
      try {
        value = v.value;
      } catch (err) {
        value = `error ${describeError(err)}`;
      }
      out.push(`${e.name}=${showValue(value)}`);
    } else if (e.kind === 2) {
      const buf = v.buffer as ArrayBuffer;
      out.push(`${e.name}=mem ${buf.byteLength} ${hashBytes(new Uint8Array(buf))}`);
    } else if (e.kind === 1) {
      // A 64-bit table (table64) has a BigInt length and takes BigInt indices, in the JS API and so in Kiln.
      const t = v as { length: number | bigint; get(i: number | bigint): unknown };
      const wide = typeof t.length === "bigint";
      const cells: string[] = [];
      for (let i = 0; i < Math.min(Number(t.length), 256); i++) cells.push(showValue(t.get(wide ? BigInt(i) : i)));
      out.push(`${e.name}=table ${t.length} [${cells.join(" ")}]`);
    }
  }
  return out;
}

/** Options of {@link runModule}. */
export interface RunOptions {
  /** Seed for argument choice; both engines must get the same. */
  seed: number;
  /** Receives each step as soon as it completes (so a hang later still leaves the earlier steps). */
  onStep(step: Step): void;
  /** Every import returns its result through a Promise (Kiln only: exercises suspension everywhere). */
  asyncImports?: boolean;
  /** At most this many nested `call-export` levels before the import throws (keeps native and Kiln alike). */
  maxNesting?: number;
  /**
   * Run at most this many steps (instantiation is step 0). The native side is limited to the steps before the one
   * where Kiln ran out of fuel or stack, so that an infinite loop is never started natively.
   */
  maxSteps?: number;
  /**
   * Running out of fuel is a result like any trap, to be compared, not an inconclusive end of the round: both
   * engines meter the same fuel (the `engines` target, Kiln's native engine against its interpreter).
   */
  fuelConclusive?: boolean;
}

/**
 * Instantiates `bytes` on `engine` and calls every exported function once, reporting a {@link Step} for the
 * instantiation and for each call. Stops after an inconclusive step (stack exhaustion, fuel).
 */
export async function runModule(engine: Engine, bytes: Uint8Array, options: RunOptions): Promise<void> {
  const info = readWasmInfo(bytes);
  importedFuncs = info.imports.filter((i) => i.kind === 0).length;
  gcObjects = [];
  gcIds = new WeakMap();
  const rng = new Rng(options.seed);
  const maxNesting = options.maxNesting ?? 8;
  let logs: string[] = [];
  let inconclusive: string | undefined;
  let exports: Record<string, unknown> | undefined;
  let nesting = 0;
  const funcExports = info.exports.filter((e) => e.kind === 0);

  const noteCaught = (e: unknown): void => {
    const k = trapKind(e);
    if (k === "stack" || (k === "fuel" && !options.fuelConclusive) || k === "interrupt") inconclusive ??= k;
  };
  const callNested = (f: unknown, sig: FuncSig | undefined): unknown => {
    if (typeof f !== "function") throw new FuzzHostError("call of a non-function");
    if (sig === undefined) throw new FuzzHostError("call of an unknown function");
    if (nesting >= maxNesting) throw new FuzzHostError("nesting limit");
    nesting++;
    return attempt(() => f(...zeroArgs(sig)), () => void nesting--, (e) => {
      nesting--;
      throw e;
    });
  };
  const exportAt = (index: number): [unknown, FuncSig | undefined] => {
    if (exports === undefined) throw new FuzzHostError("call-export before instantiation");
    const e = funcExports[index >>> 0];
    if (e === undefined) throw new FuzzHostError("call-export index out of range");
    return [exports[e.name], info.funcs[e.index]];
  };
  const refSig = (f: unknown): FuncSig | undefined => {
    if (typeof f !== "function") return undefined;
    const type = (f as { type?: FuncSig }).type;
    const k = funcIndexOf(f);
    if (!isHostIndex(k)) return type && Array.isArray(type.params) ? type : info.funcs[k];
    // A host function: the engines do not agree on how to tell which import it is (JavaScriptCore names every
    // such wrapper ""), so every engine uses the same rule: the one imported signature with that many params
    // (the JS API makes `length` the parameter count), else "unknown".
    const arity = type?.params.length ?? (f as { length: number }).length;
    const sigs = new Map<string, FuncSig>();
    for (const imp of info.imports) {
      if (imp.kind === 0 && imp.sig!.params.length === arity) sigs.set(JSON.stringify(imp.sig), imp.sig!);
    }
    return sigs.size === 1 ? [...sigs.values()][0] : undefined;
  };

  const support: Record<string, unknown> = {
    "log-i32": (v: number) => void logs.push(showValue(v, "i32")),
    "log-i64": (v: bigint) => void logs.push(showValue(v, "i64")),
    "log-f32": (v: number) => void logs.push(showValue(v, "f32")),
    "log-f64": (v: number) => void logs.push(showValue(v, "f64")),
    // binaryen's `log-v128`, as the SIMD mode's boundary rewrite imports it: the vector's two i64 lanes
    // (tools/_fuzz_v128.ts). The bits are compared exactly: a NaN lane's payload may differ (see --denan).
    "log-v128": (lo: bigint, hi: bigint) => void logs.push(showV128(lo, hi)),
    "log": (...args: unknown[]) => void logs.push(`log(${args.map((a) => showValue(a)).join(",")})`),
    "throw": () => {
      throw new FuzzHostError("thrown by the throw import");
    },
    "call-export": (index: number, flags: number) =>
      attempt(() => {
        const [f, sig] = exportAt(index);
        return callNested(f, sig);
      }, () =>
        undefined, (e) => {
        noteCaught(e);
        // Bit 0 of flags asks for the exception to propagate (binaryen's fuzz_shell.js).
        if (flags & 1) {
          throw e;
        }
      }),
    "call-export-catch": (index: number) =>
      attempt(() => {
        const [f, sig] = exportAt(index);
        return callNested(f, sig);
      }, () =>
        0, (e) => {
        noteCaught(e);
        return 1;
      }),
    "call-ref": (f: unknown, flags: number) =>
      attempt(() => callNested(f, refSig(f)), () => undefined, (e) => {
        noteCaught(e);
        if (flags & 1) throw e;
      }),
    "call-ref-catch": (f: unknown) =>
      attempt(() => callNested(f, refSig(f)), () => 0, (e) => {
        noteCaught(e);
        return 1;
      }),
  };

  if (options.asyncImports) {
    for (const [name, f] of Object.entries(support)) {
      const g = f as (...a: unknown[]) => unknown;
      support[name] = (...args: unknown[]) => Promise.resolve().then(() => g(...args));
    }
  }

  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of info.imports) {
    const mod = (imports[imp.module] ??= {});
    if (imp.kind === 0) {
      mod[imp.name] = imp.module === "fuzzing-support" && imp.name in support
        ? support[imp.name]
        : (...args: unknown[]) => {
          logs.push(`${imp.name}(${args.map((a) => showValue(a)).join(",")})`);
          const zeros = zeroArgs({ params: imp.sig!.results, results: [] });
          return zeros.length === 0 ? undefined : zeros.length === 1 ? zeros[0] : zeros;
        };
    } else if (imp.kind === 3) {
      // A plain value: the JS API makes an immutable global of the import's type of it (binaryen imports
      // immutable externref and (ref extern) globals; a mutable import fails to link on both sides).
      const t = imp.global!;
      mod[imp.name] = t === "i64"
        ? 0n
        : t === "i32" || t === "f32" || t === "f64"
        ? 0
        : refHierarchy(t, info.typeKinds) === "extern"
        ? "fuzz-extern"
        : null;
    }
  }
  const fuelReading = engine.fuelReading;
  if (fuelReading !== undefined) {
    // What a host function sees of the fuel when the guest calls it (before an async import's Promise).
    for (const imp of info.imports) {
      if (imp.kind !== 0) continue;
      const f = imports[imp.module]![imp.name] as (...a: unknown[]) => unknown;
      imports[imp.module]![imp.name] = (...args: unknown[]) => {
        logs.push(`fuel at ${imp.name}: ${fuelReading()}`);
        return f(...args);
      };
    }
  }

  const maxSteps = options.maxSteps ?? Infinity;
  let stepCount = 0;
  const report = (label: string, outcome: string): boolean => {
    const state = exports === undefined ? [] : snapshot(info, exports);
    if (fuelReading !== undefined) state.push(`fuel ${fuelReading()}`);
    options.onStep({ label, outcome, logs, state, ...(inconclusive ? { inconclusive } : {}) });
    logs = [];
    stepCount++;
    return inconclusive === undefined && stepCount < maxSteps;
  };

  if (maxSteps <= 0) return;
  try {
    exports = await engine.instantiate(bytes, imports);
    if (!report("instantiate", "ok")) return;
  } catch (e) {
    noteCaught(e);
    report("instantiate", describeError(e));
    return;
  }
  for (const e of funcExports) {
    const sig = info.funcs[e.index]!;
    const funcs = funcExports.map((f) => exports![f.name]);
    const args = chooseArgs(rng, sig, { kinds: info.typeKinds, funcs, objects: gcObjects });
    const label = `call ${e.name}(${args.map((a) => showValue(a)).join(", ")})`;
    let outcome: string;
    try {
      engine.beforeCall?.();
      const f = exports[e.name] as (...a: unknown[]) => unknown;
      outcome = showResult(await f(...args), sig);
    } catch (err) {
      noteCaught(err);
      outcome = describeError(err);
    }
    if (!report(label, outcome)) return;
  }
}

/**
 * Runs `run`, then `ok` on its value or `fail` on its exception -- synchronously when `run` returns a plain value
 * (native exports), through `.then` when it returns a thenable (Kiln exports are async). One import body thus
 * serves both engines, and Kiln sees a Promise-returning import exactly when a nested wasm call suspends.
 */
function attempt(run: () => unknown, ok: (v: unknown) => unknown, fail: (e: unknown) => unknown): unknown {
  let r: unknown;
  try {
    r = run();
  } catch (e) {
    return fail(e);
  }
  if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
    return (r as PromiseLike<unknown>).then(ok, fail);
  }
  return ok(r);
}
