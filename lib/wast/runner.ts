/**
 * The WAST runner: executes the commands of a script against a {@link WastEngine} and reports, per command,
 * pass, fail, or unsupported (with the feature). Results are compared bit-exactly on raw values; expected errors
 * pass when the engine's error is of the right class and (when the engine {@link WastEngine.checksMessages})
 * its message contains the expected text, as Wasmtime's runner does.
 *
 * @module
 */

import { printable } from "../_printable.ts";
import { UnsupportedFeatureError } from "../errors.ts";
import { moduleToBinary } from "../text/parse_wat.ts";
import { type SExpr, WatParseError } from "../text/sexpr.ts";
import { V128_SHAPES } from "../text/numbers.ts";
import { parseWast, type WastAction, type WastCommand, type WastModule, type WastValue } from "../text/wast_parser.ts";
import type { ErrorKind, RawValue, WastEngine, WastInstance } from "./engine.ts";

/** The outcome of one command. */
export interface CommandResult {
  readonly line: number;
  readonly command: string;
  readonly status: "pass" | "fail" | "unsupported";
  /** Why it failed, or the unsupported feature. */
  readonly detail?: string;
}

/** Per-script totals and the individual results. */
export interface ScriptResult {
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
  /** Unsupported command counts by feature. */
  readonly features: Record<string, number>;
  readonly results: CommandResult[];
}

/** Options of {@link runWast}. */
export interface RunOptions {
  /**
   * Wrap every function import (spectest and other instances' exports) so that it returns a Promise. Not applied
   * to `assert_unlinkable` modules: a JS wrapper would hide the import type mismatch they test.
   */
  readonly asyncImports?: boolean;
  /** Called after each command (for progress output). */
  readonly onResult?: (r: CommandResult) => void;
}

class Unsupported extends Error {
  constructor(readonly feature: string) {
    super(`unsupported: ${feature}`);
  }
}

class Failure extends Error {}

type Slot = WastInstance | Unsupported;

/**
 * Runs a WAST script against an engine.
 *
 * @param text The script source.
 * @param engine The engine adapter.
 * @param options Async-import wrapping and a progress callback.
 * @returns Totals and per-command results.
 * @example
 * ```ts
 * import { runWast } from "./runner.ts";
 * import { nativeEngine } from "./native_engine.ts";
 * const r = await runWast(`(module (func (export "f") (result i32) i32.const 7))
 *   (assert_return (invoke "f") (i32.const 7))`, nativeEngine());
 * console.log(r.passed); // 2
 * ```
 */
export async function runWast(text: string, engine: WastEngine, options: RunOptions = {}): Promise<ScriptResult> {
  const commands = parseWast(text);
  const runner = new Runner(engine, options);
  const results: CommandResult[] = [];
  for (const cmd of commands) {
    const r = await runner.run(cmd);
    results.push(r);
    options.onResult?.(r);
  }
  const features: Record<string, number> = {};
  let passed = 0, failed = 0, unsupported = 0;
  for (const r of results) {
    if (r.status === "pass") passed++;
    else if (r.status === "fail") failed++;
    else {
      unsupported++;
      features[r.detail!] = (features[r.detail!] ?? 0) + 1;
    }
  }
  return { passed, failed, unsupported, features, results };
}

class Runner {
  instances = new Map<string, Slot>();
  definitions = new Map<string, unknown | Unsupported>();
  last: Slot | undefined;
  registry: Record<string, Record<string, unknown>> = {};
  /** Names registered from modules that were unsupported: importing from them is unsupported too. */
  poisoned = new Map<string, string>();
  /** Instances by registered name. */
  registered = new Map<string, WastInstance>();
  /** Instances an unsupported module imported from, with that module's feature. */
  tainted = new Map<WastInstance, string>();

  constructor(readonly engine: WastEngine, readonly options: RunOptions) {
    this.registry.spectest = engine.spectest();
  }

  async run(cmd: WastCommand): Promise<CommandResult> {
    const result = await this.runCommand(cmd);
    if (result.status === "unsupported" && "module" in cmd && typeof cmd.module === "object") {
      // An unsupported module may have changed the state of instances it imported from (tables, memories):
      // later failures of those instances are consequences, not engine bugs.
      for (const name of importedModules(cmd.module.expr)) {
        const inst = this.registered.get(name);
        if (inst) this.tainted.set(inst, result.detail!);
      }
    }
    if (result.status === "fail" && "action" in cmd && cmd.action) {
      const slot = cmd.action.module === undefined ? this.last : this.instances.get(cmd.action.module);
      const feature = slot instanceof Unsupported ? undefined : slot && this.tainted.get(slot);
      if (feature) return { ...result, status: "unsupported", detail: feature };
    }
    return result;
  }

  async runCommand(cmd: WastCommand): Promise<CommandResult> {
    const base = { line: cmd.line, command: cmd.type };
    try {
      await this.execute(cmd);
      return { ...base, status: "pass" };
    } catch (e) {
      if (e instanceof Unsupported) return { ...base, status: "unsupported", detail: e.feature };
      if (e instanceof UnsupportedFeatureError) return { ...base, status: "unsupported", detail: e.feature };
      const kind = e instanceof Failure ? null : this.engine.classify(e);
      if (kind?.kind === "unsupported") return { ...base, status: "unsupported", detail: kind.feature };
      const msg = e instanceof Error ? e.message : String(e);
      return { ...base, status: "fail", detail: kind ? `unexpected ${kind.kind} error: ${msg}` : msg };
    }
  }

  /** Encodes a script module to bytes; parse errors propagate. */
  encode(m: WastModule): Uint8Array {
    return moduleToBinary(m.expr);
  }

  imports(wrap: boolean): Record<string, Record<string, unknown>> {
    if (!wrap || !this.options.asyncImports) return this.registry;
    const out: Record<string, Record<string, unknown>> = {};
    for (const [mod, ns] of Object.entries(this.registry)) {
      const copy: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(ns)) {
        copy[name] = typeof v === "function"
          ? async (...args: unknown[]) => {
            await Promise.resolve();
            return (v as (...a: unknown[]) => unknown)(...args);
          }
          : v;
      }
      out[mod] = copy;
    }
    return out;
  }

  async instantiateModule(m: WastModule): Promise<WastInstance> {
    const bytes = this.encode(m);
    const compiled = await this.engine.compile(bytes);
    try {
      return await this.engine.instantiate(compiled, this.imports(true));
    } catch (e) {
      this.checkPoisoned(m, e);
      throw e;
    }
  }

  /** Turns a link error caused by importing from an unsupported registered module into "unsupported". */
  checkPoisoned(m: WastModule, e: unknown): void {
    if (this.poisoned.size === 0 || e instanceof Failure || this.engine.classify(e).kind !== "link") return;
    for (const name of importedModules(m.expr)) {
      const feature = this.poisoned.get(name);
      if (feature) throw new Unsupported(feature);
    }
  }

  instance(name: string | undefined): WastInstance {
    const slot = name === undefined ? this.last : this.instances.get(name);
    if (slot === undefined) throw new Failure(`no module ${printable(name ?? "(latest)")}`);
    if (slot instanceof Unsupported) throw slot;
    return slot;
  }

  async action(a: WastAction): Promise<RawValue[]> {
    const inst = this.instance(a.module);
    const args = a.args.map((v) => this.raw(v));
    if (a.type === "get") return [inst.get(a.field)];
    return await inst.invoke(a.field, args);
  }

  raw(v: WastValue): RawValue {
    switch (v.type) {
      case "ref.null":
        return null;
      case "ref.extern":
        return this.engine.externRef(v.value ?? 0);
      case "unsupported":
        throw new Unsupported(v.feature);
      case "either":
      case "ref.func":
      case "ref.gc":
        throw new Failure("pattern used as an argument");
      case "v128":
        if (v.bytes === undefined) throw new Failure("NaN pattern used as an argument");
        return v.bytes.slice();
      default:
        if (typeof v.value === "string") throw new Failure("NaN pattern used as an argument");
        return v.value;
    }
  }

  /** Checks that `e` is of the expected kind with the expected text; rethrows unsupported features. */
  expectError(e: unknown, kinds: string[], text: string): void {
    if (e instanceof Unsupported || e instanceof UnsupportedFeatureError) throw e;
    if (e instanceof Failure) throw e;
    const k: ErrorKind = e instanceof WatParseError ? { kind: "compile", message: e.message } : this.engine.classify(e);
    if (k.kind === "unsupported") throw new Unsupported(k.feature ?? "unknown");
    if (!kinds.includes(k.kind)) throw new Failure(`expected ${kinds[0]} error "${text}", got ${k.kind}: ${k.message}`);
    // Why: the text parser is Kiln's own, so its wording is checked whichever engine runs the modules.
    if ((this.engine.checksMessages || e instanceof WatParseError) && !k.message.includes(text)) {
      throw new Failure(`expected ${kinds[0]} error "${text}", got: ${k.message}`);
    }
  }

  async execute(cmd: WastCommand): Promise<void> {
    switch (cmd.type) {
      case "module": {
        const m = cmd.module;
        if (m.definition) {
          let compiled: unknown;
          try {
            compiled = await this.engine.compile(this.encode(m));
          } catch (e) {
            const feature = this.unsupportedFeature(e);
            if (feature && m.name) this.definitions.set(m.name, new Unsupported(feature));
            throw e;
          }
          if (m.name) this.definitions.set(m.name, compiled);
          return;
        }
        try {
          const inst = await this.instantiateModule(m);
          this.last = inst;
          if (m.name) this.instances.set(m.name, inst);
        } catch (e) {
          const feature = this.unsupportedFeature(e);
          const slot = new Unsupported(feature ?? "previous module failed");
          this.last = slot;
          if (m.name) this.instances.set(m.name, slot);
          throw e;
        }
        return;
      }
      case "module_instance": {
        const def = cmd.module === undefined ? undefined : this.definitions.get(cmd.module);
        if (def === undefined) throw new Failure(`no module definition ${printable(String(cmd.module))}`);
        if (def instanceof Unsupported) {
          this.last = def;
          if (cmd.instance) this.instances.set(cmd.instance, def);
          throw def;
        }
        const inst = await this.engine.instantiate(def, this.imports(true));
        this.last = inst;
        if (cmd.instance) this.instances.set(cmd.instance, inst);
        return;
      }
      case "register": {
        const slot = cmd.module === undefined ? this.last : this.instances.get(cmd.module);
        if (slot instanceof Unsupported) {
          this.poisoned.set(cmd.as, slot.feature);
          throw slot;
        }
        if (!slot) throw new Failure(`no module ${printable(cmd.module ?? "(latest)")}`);
        this.registry[cmd.as] = slot.exports;
        this.registered.set(cmd.as, slot);
        this.poisoned.delete(cmd.as);
        return;
      }
      case "action":
        await this.action(cmd.action);
        return;
      case "assert_return": {
        for (const v of cmd.expected) this.checkSupported(v);
        const got = await this.action(cmd.action);
        if (got.length !== cmd.expected.length) {
          throw new Failure(`expected ${cmd.expected.length} results, got ${got.length}`);
        }
        cmd.expected.forEach((v, i) => {
          if (!this.matches(v, got[i])) {
            throw new Failure(`result ${i}: expected ${show(v)}, got ${showRaw(got[i], v)}`);
          }
        });
        return;
      }
      case "assert_trap":
      case "assert_exhaustion": {
        const kinds = cmd.type === "assert_trap" ? ["trap"] : ["exhaustion", "trap"];
        try {
          if (cmd.type === "assert_trap" && cmd.module) {
            const inst = await this.instantiateModule(cmd.module);
            void inst;
          } else await this.action(cmd.action!);
        } catch (e) {
          this.expectError(e, kinds, cmd.text);
          return;
        }
        throw new Failure(`expected trap "${cmd.text}", got none`);
      }
      case "assert_exception": {
        try {
          await this.action(cmd.action);
        } catch (e) {
          this.expectError(e, ["exception"], "");
          return;
        }
        throw new Failure("expected an exception, got none");
      }
      case "assert_invalid":
      case "assert_malformed": {
        let bytes: Uint8Array;
        try {
          bytes = this.encode(cmd.module);
        } catch (e) {
          this.expectError(e, ["compile"], cmd.text);
          return;
        }
        try {
          await this.engine.compile(bytes);
        } catch (e) {
          this.expectError(e, ["compile"], cmd.text);
          return;
        }
        throw new Failure(`expected ${cmd.type.slice(7)} module "${cmd.text}", but it compiled`);
      }
      case "assert_unlinkable":
      case "assert_uninstantiable": {
        const compiled = await this.engine.compile(this.encode(cmd.module));
        try {
          await this.engine.instantiate(compiled, this.imports(cmd.type === "assert_uninstantiable"));
        } catch (e) {
          this.checkPoisoned(cmd.module, e);
          this.expectError(e, cmd.type === "assert_unlinkable" ? ["link"] : ["trap"], cmd.text);
          return;
        }
        throw new Failure(`expected ${cmd.type.slice(7)} "${cmd.text}", but it instantiated`);
      }
      case "unsupported":
        throw new Unsupported(cmd.feature);
    }
  }

  unsupportedFeature(e: unknown): string | undefined {
    if (e instanceof UnsupportedFeatureError || e instanceof Unsupported) return e.feature;
    if (e instanceof WatParseError || e instanceof Failure) return undefined;
    const k = this.engine.classify(e);
    return k.kind === "unsupported" ? k.feature : undefined;
  }

  checkSupported(v: WastValue): void {
    if (v.type === "unsupported") throw new Unsupported(v.feature);
    if (v.type === "either") v.options.forEach((o) => this.checkSupported(o));
  }

  matches(v: WastValue, got: RawValue): boolean {
    switch (v.type) {
      case "i32":
        return typeof got === "number" && (got | 0) === v.value;
      case "i64":
        return typeof got === "bigint" && BigInt.asIntN(64, got) === v.value;
      case "f32": {
        if (typeof got !== "number") return false;
        const bits = got | 0;
        if (v.value === "nan:canonical") return (bits & 0x7fffffff) === 0x7fc00000;
        if (v.value === "nan:arithmetic") return (bits & 0x7fc00000) === 0x7fc00000;
        return bits === (v.value | 0);
      }
      case "f64": {
        if (typeof got !== "bigint") return false;
        const bits = BigInt.asUintN(64, got);
        if (v.value === "nan:canonical") return (bits & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
        if (v.value === "nan:arithmetic") return (bits & 0x7ff8000000000000n) === 0x7ff8000000000000n;
        return bits === BigInt.asUintN(64, v.value);
      }
      case "ref.null":
        return got === null;
      case "ref.extern":
        return v.value === null ? got !== null && got !== undefined : got === this.engine.externRef(v.value);
      case "ref.func":
        return got !== null && this.engine.isFuncRef(got);
      case "ref.gc": {
        if (got === null || got === undefined) return false;
        const kind = typeof got === "number" ? "i31" : this.engine.gcKind?.(got);
        return v.kind === "any" || v.kind === kind || (v.kind === "eq" && kind !== undefined);
      }
      case "either":
        return v.options.some((o) => this.matches(o, got));
      case "v128":
        return got instanceof Uint8Array && got.length === 16 &&
          v.lanes.every((lane, i) => laneMatches(v, lane, got, i));
      default:
        return false;
    }
  }
}

/** The bits of lane `i` of a `v128` (16 bytes, lane 0 first) with lanes `bits` wide, unsigned. */
function laneBits(bytes: Uint8Array, bits: number, i: number): bigint {
  let v = 0n;
  for (let b = bits / 8 - 1; b >= 0; b--) v = (v << 8n) | BigInt(bytes[(i * bits) / 8 + b]!);
  return v;
}

/** Whether lane `i` of `got` matches the expected lane (exact bits, or a NaN pattern in a float shape). */
function laneMatches(v: { readonly shape: string }, lane: bigint | string, got: Uint8Array, i: number): boolean {
  const bits = V128_SHAPES[v.shape]!.bits;
  const actual = laneBits(got, bits, i);
  if (typeof lane === "bigint") return actual === lane;
  // A NaN: exponent all ones; canonical: only the quiet bit of the payload set; arithmetic: the quiet bit set.
  const mant = bits === 32 ? 23n : 52n;
  const quiet = 1n << (mant - 1n);
  const exponent = ((1n << (BigInt(bits) - 1n)) - 1n) ^ ((1n << mant) - 1n);
  const magnitude = actual & ((1n << (BigInt(bits) - 1n)) - 1n);
  if (lane === "nan:canonical") return magnitude === (exponent | quiet);
  return (magnitude & (exponent | quiet)) === (exponent | quiet);
}

/** The lanes of a `v128` in a shape, for messages. */
function showLanes(shape: string, bytes: Uint8Array): string {
  const { lanes, bits, float } = V128_SHAPES[shape]!;
  const out: string[] = [];
  for (let i = 0; i < lanes; i++) {
    const b = laneBits(bytes, bits, i);
    out.push(float ? `0x${b.toString(16)}` : String(BigInt.asIntN(bits, b)));
  }
  return `v128 ${shape} ${out.join(" ")}`;
}

/** The module names a script module imports from (`(import "m" …)` anywhere in it). */
function importedModules(expr: SExpr): string[] {
  const out: string[] = [];
  const visit = (x: SExpr): void => {
    if (x.kind !== "list") return;
    const head = x.items[0];
    const mod = x.items[1];
    if (head?.kind === "atom" && head.text === "import" && mod?.kind === "string") {
      out.push(new TextDecoder().decode(mod.bytes));
    }
    x.items.forEach(visit);
  };
  visit(expr);
  return out;
}

function show(v: WastValue): string {
  switch (v.type) {
    case "f32":
      return typeof v.value === "string" ? `f32 ${v.value}` : `f32 0x${(v.value >>> 0).toString(16)}`;
    case "f64":
      return typeof v.value === "string" ? `f64 ${v.value}` : `f64 0x${BigInt.asUintN(64, v.value).toString(16)}`;
    case "either":
      return `either(${v.options.map(show).join(", ")})`;
    case "v128": {
      const { bits, float } = V128_SHAPES[v.shape]!;
      const lanes = v.lanes.map((l) =>
        typeof l === "string" ? l : float ? `0x${l.toString(16)}` : String(BigInt.asIntN(bits, l))
      );
      return `v128 ${v.shape} ${lanes.join(" ")}`;
    }
    case "unsupported":
      return v.feature;
    case "ref.null":
      return `ref.null ${v.heap}`;
    default:
      return `${v.type} ${"value" in v ? String(v.value) : ""}`;
  }
}

function showRaw(got: RawValue, like: WastValue): string {
  if (like.type === "f32" && typeof got === "number") return `f32 0x${(got >>> 0).toString(16)}`;
  if (like.type === "f64" && typeof got === "bigint") return `f64 0x${BigInt.asUintN(64, got).toString(16)}`;
  if (like.type === "v128" && got instanceof Uint8Array && got.length === 16) return showLanes(like.shape, got);
  if (like.type === "either" && got instanceof Uint8Array && got.length === 16) {
    const v128 = like.options.find((o) => o.type === "v128");
    if (v128?.type === "v128") return showLanes(v128.shape, got);
  }
  if (got === null) return "null";
  if (typeof got === "function") return "function";
  if (typeof got === "object") return JSON.stringify(got) ?? "object";
  return `${typeof got} ${String(got)}`;
}
