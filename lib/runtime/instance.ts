/**
 * Instantiation (spec §4.5.4): import matching, globals from constant expressions, tables and memories, the
 * exports object, active element then data segments in order (each bounds-checked on its own: a failing segment
 * traps and earlier writes stay), declarative segments dropped, then the start function.
 *
 * @module
 */

import type { ConstExpr, ConstInstr, FuncType, Limits } from "../binary/module.ts";
import { funcTypeIndexOf, isRefType, ValType } from "../binary/module.ts";
import { printable } from "../_printable.ts";
import { LinkError } from "../errors.ts";
import {
  arrayElement,
  defaultField,
  externalize,
  GcArray,
  GcStruct,
  internalize,
  newElements,
  packField,
  setElement,
  structFields,
  tooLarge,
} from "./gc_objects.ts";
import { trap, TrapCode, trapWithMessage } from "../trap_codes.ts";
import { engineOf, fallbackEngine, loadEngine } from "../engine/engines.ts";
import type { Engine } from "../engine/engine.ts";
import { type FuncInst, hostFunc, type InstanceState, newInstanceState, wasmFunc } from "./func.ts";
import { callFunction, exportedFunction } from "./exported_function.ts";
import { Global } from "./global.ts";
import { Memory } from "./memory.ts";
import type { Module } from "./module.ts";
import type { Store } from "./store.ts";
import { MAX_TABLE_ELEMENTS, Table } from "./table.ts";
import { funcOfJs, jsToRaw, readWords, toRef, valTypeToName, writeWords } from "./values.ts";
import { canonicalFuncType, canonicalType, isIdSubtype, isSubtype } from "../validate/subtyping.ts";
import { Tag } from "./tag.ts";
import type { ExportedFunction } from "./func.ts";

/** An export value: an exported function, a memory, a table, a global or a tag. */
export type ExportValue = ExportedFunction | Memory | Table | Global | Tag;

/** Imports: `{ [module]: { [name]: value } }`. */
export type Imports = Record<string, Record<string, unknown>>;

/**
 * An instance of a module.
 *
 * @example Calling an exported function
 * ```ts
 * import { instantiate, parseWat } from "../../mod.ts";
 * const { instance } = await instantiate(parseWat(`(module (func (export "one") (result i32) i32.const 1))`));
 * console.log(await (instance.exports.one as () => Promise<number>)()); // 1
 * ```
 */
export class Instance {
  /** The module this is an instance of. */
  readonly module: Module;
  /** The store that owns this instance's functions, memories, tables and globals. */
  readonly store: Store;
  /** The exports by name: functions as {@link ExportedFunction}s, and memories, tables and globals. */
  readonly exports: Record<string, ExportValue>;
  /**
   * The instance's entities and its engine's part, as engines see them.
   *
   * @internal
   */
  readonly state: InstanceState;

  /**
   * Wraps an instantiated module; use {@link instantiate} to create one.
   *
   * @internal
   */
  constructor(module: Module, store: Store, state: InstanceState, exports: Record<string, ExportValue>) {
    this.module = module;
    this.store = store;
    this.state = state;
    this.exports = exports;
  }

  /**
   * The name of the engine this instance runs on: its store's ({@link Store.engine}), except where `"auto"` chose
   * the native engine and the host's WebAssembly cannot run this module (a feature it lacks), which runs on the
   * interpreter instead.
   *
   * @example
   * ```ts
   * import { instantiate, parseWat, Store } from "../../mod.ts";
   * const store = new Store({ engine: "interpreter" });
   * const { instance } = await instantiate(parseWat(`(module)`), {}, { store });
   * console.log(instance.engine); // "interpreter"
   * ```
   */
  get engine(): string {
    return this.state.engine.name;
  }
}

function signature(t: FuncType): string {
  const list = (ts: readonly number[]) => ts.map(valTypeToName).join(", ");
  return `(${list(t.params)}) -> (${list(t.results)})`;
}

/** An import's `module::name` for a message; both come from the module's binary, so they are escaped. */
function importName(module: string, name: string): string {
  return `${printable(module)}::${printable(name)}`;
}

function incompatible(module: string, name: string, detail: string): LinkError {
  return new LinkError(`incompatible import type for \`${importName(module, name)}\`\n\nCaused by:\n    ${detail}`);
}

function limitsMatch(actualMin: number, actualMax: number | undefined, wanted: Limits): boolean {
  if (actualMin < wanted.min) return false;
  if (wanted.max !== undefined) return actualMax !== undefined && actualMax <= wanted.max;
  return true;
}

function kindOf(v: unknown): string {
  if (v instanceof Memory) return "memory";
  if (v instanceof Table) return "table";
  if (v instanceof Global) return "global";
  if (v instanceof Tag) return "tag";
  if (typeof v === "function") return "func";
  return typeof v;
}

/**
 * A constant GC instruction (spec 3.0 §3.3.10: `struct.new*`, `array.new*`, `ref.i31`, the conversions) on the
 * evaluation stack, whose values are in field form already (`gc_objects.ts`).
 */
function evalGc(ins: ConstInstr & { op: "gc" }, stack: unknown[], state: InstanceState): unknown {
  const module = state.module;
  const id = state.typeIds[ins.typeIndex]!;
  switch (ins.sub) {
    case 0: { // struct.new
      const types = structFields(module, ins.typeIndex);
      const fields = stack.splice(stack.length - types.length).map((v, j) => packField(types[j]!.type, v));
      return new GcStruct(id, fields);
    }
    case 1: // struct.new_default
      return new GcStruct(id, structFields(module, ins.typeIndex).map((f) => defaultField(f.type)));
    case 6: // array.new
    case 7: // array.new_default
    case 8: { // array.new_fixed
      const t = arrayElement(module, ins.typeIndex).type;
      let values: unknown[];
      if (ins.sub === 8) values = stack.splice(stack.length - ins.count);
      else {
        const n = (stack.pop() as number) >>> 0;
        const v = ins.sub === 6 ? stack.pop() : defaultField(t);
        if (tooLarge(t, n)) throw trap(TrapCode.AllocationTooLarge);
        values = new Array<unknown>(n).fill(v);
      }
      const a = new GcArray(id, newElements(t, values.length), values.length);
      values.forEach((v, k) => setElement(a, t, k, packField(t, v)));
      return a;
    }
    case 26: { // any.convert_extern
      const v = stack.pop();
      return v === null ? null : internalize(v);
    }
    case 27: { // extern.convert_any
      const v = stack.pop();
      return v === null ? null : externalize(v);
    }
    case 28: // ref.i31
      return ((stack.pop() as number) << 1) >> 1;
  }
  throw new Error(`internal: ${ins.name} in a constant expression`);
}

/** Evaluates a constant expression to a raw-ish internal value (numbers as int32/BigInt bits, refs internal). */
function evalConst(expr: ConstExpr, state: InstanceState): unknown {
  const stack: unknown[] = [];
  for (const ins of expr.instrs) {
    switch (ins.op) {
      case "i32.const":
        stack.push(ins.value | 0);
        break;
      case "i64.const":
        stack.push(ins.value);
        break;
      case "f32.const":
        stack.push(ins.bits | 0);
        break;
      case "f64.const":
        stack.push(ins.bits);
        break;
      case "v128.const":
        stack.push(ins.bytes);
        break;
      case "ref.null":
        stack.push(null);
        break;
      case "ref.func":
        stack.push(state.funcs[ins.funcIndex]!);
        break;
      case "global.get": {
        const g = state.globals[ins.globalIndex]!;
        if (isRefType(g.type)) stack.push(g.ref);
        else stack.push(readWords(g.type, g.cell, 0));
        break;
      }
      case "gc":
        stack.push(evalGc(ins, stack, state));
        break;
      case "binary": {
        const b = stack.pop(), a = stack.pop();
        if (typeof a === "bigint") {
          const x = a, y = b as bigint;
          stack.push(BigInt.asIntN(64, ins.name.endsWith("add") ? x + y : ins.name.endsWith("sub") ? x - y : x * y));
        } else {
          const x = a as number, y = b as number;
          stack.push(ins.name.endsWith("add") ? (x + y) | 0 : ins.name.endsWith("sub") ? (x - y) | 0 : Math.imul(x, y));
        }
        break;
      }
    }
  }
  return stack[0];
}

/**
 * Instantiates a module in a store.
 *
 * @param module A compiled module.
 * @param imports The import object.
 * @param store The store the instance lives in.
 * @returns The instance, after its start function ran.
 * @throws LinkError for missing or mismatched imports; RuntimeError when a segment is out of bounds or the start
 *   function traps.
 */
export async function instantiateModule(module: Module, imports: Imports | undefined, store: Store): Promise<Instance> {
  const engine = await loadEngine(store);
  let linked: { instance: Instance; start: FuncInst | null };
  try {
    linked = link(module, imports, store, engine);
  } catch (e) {
    const fallback = fallbackEngine(store, engine, e);
    if (fallback === undefined) throw e;
    linked = link(module, imports, store, await fallback);
  }
  const { instance, start } = linked;
  if (start) await callFunction(start, [], { raw: false, sync: false });
  return instance;
}

/**
 * The synchronous part of instantiation: everything but the start function (returned for the caller to run), on
 * `engine` (the store's, which must be loaded: `loadEngine`).
 */
export function link(
  module: Module,
  imports: Imports | undefined,
  store: Store,
  engine: Engine = engineOf(store),
): { instance: Instance; start: FuncInst | null } {
  const d = module.decoded;
  const opts = store.options;
  if (opts.maxInstances !== undefined && store.instanceCount >= opts.maxInstances) {
    throw trapWithMessage(
      TrapCode.ResourceLimitExceeded,
      `resource limit exceeded: instance count too high at ${store.instanceCount + 1}`,
    );
  }
  // Why before linking: an engine that cannot compile the module fails before the store counts anything.
  const compiled = engine.compileModule(d, { meter: store.metered, checkpointsOnlyStop: store.checkpointsOnlyStop });
  const state = newInstanceState(d, store, engine);
  // 1. Imports, in order.
  for (const imp of d.imports) {
    const ns = imports?.[imp.module];
    const v = ns === undefined || ns === null ? undefined : (ns as Record<string, unknown>)[imp.name];
    if (v === undefined) {
      throw new LinkError(`unknown import: \`${importName(imp.module, imp.name)}\` has not been defined`);
    }
    const desc = imp.desc;
    switch (desc.kind) {
      case "func": {
        const type = d.types[desc.typeIndex]!;
        const inner = funcOfJs(v);
        if (inner) {
          if (!isIdSubtype(inner.typeId, state.typeIds[desc.typeIndex]!)) {
            throw incompatible(
              imp.module,
              imp.name,
              `function types incompatible: expected func of type \`${signature(type)}\`, found func of type \`${
                signature(inner.type)
              }\``,
            );
          }
          state.funcs.push(inner);
        } else if (typeof v === "function") {
          const canonical = canonicalFuncType(d, desc.typeIndex);
          state.funcs.push(hostFunc(v as (...a: never[]) => unknown, canonical, state.typeIds[desc.typeIndex]));
        } else {
          throw incompatible(imp.module, imp.name, `expected func, found ${kindOf(v)}`);
        }
        break;
      }
      case "table": {
        if (!(v instanceof Table)) throw incompatible(imp.module, imp.name, `expected table, found ${kindOf(v)}`);
        if (v.elemType !== canonicalType(desc.type.elem, state.typeIds)) {
          throw incompatible(imp.module, imp.name, "table types incompatible: element types differ");
        }
        if (v.address !== desc.type.address) {
          throw incompatible(imp.module, imp.name, "table types incompatible: address types differ");
        }
        if (!limitsMatch(v.elements.length, v.maximum, desc.type.limits)) {
          throw incompatible(imp.module, imp.name, "table types incompatible: limits do not match");
        }
        state.tables.push(v);
        break;
      }
      case "memory": {
        if (!(v instanceof Memory)) throw incompatible(imp.module, imp.name, `expected memory, found ${kindOf(v)}`);
        if (v.address !== desc.type.address) {
          throw incompatible(imp.module, imp.name, "memory types incompatible: address types differ");
        }
        if (!limitsMatch(v.pages, v.maximum, desc.type.limits)) {
          throw incompatible(imp.module, imp.name, "memory types incompatible: limits do not match");
        }
        state.memories.push(v);
        break;
      }
      case "global": {
        const gt = { type: canonicalType(desc.type.type, state.typeIds), mutable: desc.type.mutable };
        if (v instanceof Global) {
          // An immutable global may be of a subtype; a mutable one's type must be the same.
          const typeOk = gt.mutable ? v.type === gt.type : isSubtype(v.type, gt.type, null);
          if (!typeOk || v.mutable !== gt.mutable) {
            throw incompatible(
              imp.module,
              imp.name,
              `global types incompatible: expected ${gt.mutable ? "mut " : ""}${valTypeToName(gt.type)}, found ${
                v.mutable ? "mut " : ""
              }${valTypeToName(v.type)}`,
            );
          }
          state.globals.push(v);
        } else if (!gt.mutable && isPlainGlobalValue(gt.type, v)) {
          const g = new Global({ type: gt.type, mutable: false });
          g.setRaw(jsToRaw(gt.type, v));
          state.globals.push(g);
        } else {
          throw incompatible(imp.module, imp.name, `expected global, found ${kindOf(v)}`);
        }
        break;
      }
      case "tag": {
        if (!(v instanceof Tag)) throw incompatible(imp.module, imp.name, `expected tag, found ${kindOf(v)}`);
        if (v.typeId !== state.typeIds[desc.typeIndex]) {
          throw incompatible(imp.module, imp.name, "tag types incompatible: parameter types differ");
        }
        state.tags.push(v);
        break;
      }
    }
  }
  // Tags defined by the module: each instantiation makes new ones (spec §4.5.3.9, alloctag).
  for (const typeIndex of d.tags) {
    state.tags.push(Tag.ofType(canonicalFuncType(d, typeIndex), state.typeIds[typeIndex]!));
  }
  // 2. Functions defined by the module.
  for (let i = 0; i < d.funcs.length; i++) {
    const index = d.importedFuncs + i;
    state.funcs.push(wasmFunc(state, index, funcTypeIndexOf(d, index)));
  }
  // 3. Globals, in order (an initializer may read imported and earlier globals).
  for (const g of d.globals) {
    const global = new Global({ type: canonicalType(g.type.type, state.typeIds), mutable: g.type.mutable });
    const v = evalConst(g.init, state);
    if (isRefType(g.type.type)) global.ref = v;
    else writeWords(g.type.type, global.cell, 0, v);
    state.globals.push(global);
  }
  // 4. Tables and memories.
  const trapOnGrow = opts.trapOnGrowFailure ?? false;
  for (const t of d.tables) {
    if (opts.maxTables !== undefined && store.tableCount >= opts.maxTables) {
      throw trapWithMessage(TrapCode.ResourceLimitExceeded, "resource limit exceeded: table count too high");
    }
    // Why: a table's minimum is a u32; filling 4e9 slots would hang, so Kiln's implementation limit applies first.
    if (t.limits.min > Math.min(opts.maxTableElements ?? Infinity, MAX_TABLE_ELEMENTS)) {
      throw trapWithMessage(
        TrapCode.ResourceLimitExceeded,
        `table minimum size of ${t.limits.min} elements exceeds table limits`,
      );
    }
    const init = t.init ? evalConst(t.init, state) : null;
    const table = Table.fromType(canonicalType(t.elem, state.typeIds), t.limits.min, t.limits.max, t.address, init);
    if (opts.maxTableElements !== undefined) table.elementLimit = opts.maxTableElements;
    table.trapOnGrowFailure = trapOnGrow;
    store.tableCount++;
    state.tables.push(table);
  }
  for (const m of d.memories) {
    if (opts.maxMemories !== undefined && store.memoryCount >= opts.maxMemories) {
      throw trapWithMessage(TrapCode.ResourceLimitExceeded, "resource limit exceeded: memory count too high");
    }
    if (opts.maxMemoryBytes !== undefined && m.limits.min * 65536 > opts.maxMemoryBytes) {
      throw trapWithMessage(
        TrapCode.ResourceLimitExceeded,
        `memory minimum size of ${m.limits.min} pages exceeds memory limits`,
      );
    }
    let memory: Memory;
    try {
      memory = m.address === "i64"
        ? new Memory({
          address: "i64",
          initial: BigInt(m.limits.min),
          maximum: m.limits.max === undefined ? undefined : BigInt(m.limits.max),
        })
        : new Memory({ initial: m.limits.min, maximum: m.limits.max });
    } catch {
      throw trapWithMessage(TrapCode.ResourceLimitExceeded, `failed to allocate a memory of ${m.limits.min} pages`);
    }
    if (opts.maxMemoryBytes !== undefined) memory.byteLimit = opts.maxMemoryBytes;
    memory.trapOnGrowFailure = trapOnGrow;
    store.memoryCount++;
    state.memories.push(memory);
  }
  // 5. Element segment values.
  for (const seg of d.elems) state.elems.push(seg.init.map((e) => evalConst(e, state)));
  // 6. The engine's part (it runs no code).
  engine.instantiate(compiled, state);
  // 7. Exports.
  const exports: Record<string, ExportValue> = Object.create(null);
  for (const e of d.exports) {
    switch (e.kind) {
      case "func":
        exports[e.name] = exportedFunction(state.funcs[e.index]!);
        break;
      case "table":
        exports[e.name] = state.tables[e.index]!;
        break;
      case "memory":
        exports[e.name] = state.memories[e.index]!;
        break;
      case "global":
        exports[e.name] = state.globals[e.index]!;
        break;
      case "tag":
        exports[e.name] = state.tags[e.index]!;
        break;
    }
  }
  store.instanceCount++;
  const instance = new Instance(module, store, state, Object.freeze(exports) as Record<string, ExportValue>);
  // 8. Active element segments (then dropped), declarative ones dropped; unless the engine wrote them (and 9).
  if (engine.writesSegments) {
    const start = d.start !== undefined ? state.funcs[d.start]! : null;
    return { instance, start };
  }
  d.elems.forEach((seg, i) => {
    if (seg.mode === "passive") return;
    if (seg.mode === "active") {
      const offset = addressOf(evalConst(seg.offset!, state));
      const table = state.tables[seg.table]!;
      const values = state.elems[i]!;
      if (offset + values.length > table.elements.length) throw trap(TrapCode.TableOutOfBounds);
      for (let k = 0; k < values.length; k++) table.elements[offset + k] = values[k];
    }
    state.elems[i] = [];
  });
  // 9. Active data segments (then dropped).
  d.datas.forEach((seg, i) => {
    if (seg.mode !== "active") return;
    const offset = addressOf(evalConst(seg.offset!, state));
    const memory = state.memories[seg.memory]!;
    if (offset + seg.bytes.length > memory.bytes.length) throw trap(TrapCode.MemoryOutOfBounds);
    memory.bytes.set(seg.bytes, offset);
    state.datas[i] = new Uint8Array(0);
  });
  const start = d.start !== undefined ? state.funcs[d.start]! : null;
  return { instance, start };
}

/**
 * An active segment's offset as a number: an i32 offset as unsigned, an i64 one (a 64-bit memory or table) as a u64,
 * inexact only beyond 2^53, far past any memory or table.
 */
function addressOf(v: unknown): number {
  return typeof v === "bigint" ? Number(BigInt.asUintN(64, v)) : (v as number) >>> 0;
}

function isPlainGlobalValue(type: number, v: unknown): boolean {
  switch (type) {
    case ValType.i32:
    case ValType.f32:
    case ValType.f64:
      return typeof v === "number";
    case ValType.i64:
      return typeof v === "bigint";
    default:
      try {
        toRef(type, v);
        return true;
      } catch {
        return false;
      }
  }
}
