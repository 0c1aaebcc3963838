/**
 * Kiln's `Memory`, `Table` and `Global` backed by the host's `WebAssembly.Memory`, `Table` and `Global`, so that the
 * native engine's guest, host code (WASI, the embedder) and other instances see one truth.
 *
 * How: the runtime model's object keeps its identity (the embedder may hold it, other instances may have imported
 * it); backing it installs own properties that shadow the class's fields and methods and delegate to the host
 * object. Why not a field and a branch in the classes: the interpreter reads `memory.view`/`bytes` and
 * `table.elements` in its hot loop, and a backed object must not change the shape or code the interpreter runs on
 * its own memories (they are never backed). A backed memory's `buffer`, `view` and `bytes` re-read the host's
 * buffer on every access, since the guest may have grown it; its growth, limits included, goes through the host.
 *
 * Store limits: growth from JS checks `maxMemoryBytes`, `maxTableElements` and `trapOnGrowFailure` here, as Kiln's
 * classes do; growth inside the guest meets the same limits because the host objects carry them as their maximum
 * (the ones made here, and the instance's own through `instrument.ts` `InstrumentOptions.limits`), and a failure
 * traps by the instrumenter's guard (`InstrumentOptions.trapOnGrow`).
 *
 * Gaps (documented, not hidden): a backed table's `elements` is a snapshot (reads are right, writes through it are
 * lost), and a backed global's `cell` is not kept current, so an interpreter instance (another store) importing a
 * table or global of a native store sees stale values; memories work across engines.
 *
 * @module
 */

import { isRefType, storageType, ValType } from "../binary/module.ts";
import type { FuncInst } from "../runtime/func.ts";
import type { Global } from "../runtime/global.ts";
import { MAX_PAGES, type Memory, PAGE_SIZE } from "../runtime/memory.ts";
import { MAX_TABLE_ELEMENTS, type Table } from "../runtime/table.ts";
import { funcToJs, jsToRaw, rawToJs, refToJs, toI32, toI64, toRef, valTypeToName } from "../runtime/values.ts";
import { trap, TrapCode } from "../trap_codes.ts";
import { RAW_TYPES, rawGlobal, trampolineModule, v128Halves } from "./trampolines.ts";
import { isHostGcObject } from "./imports.ts";

/** How funcrefs cross between Kiln's function instances and the host's functions (set by `native/engine.ts`). */
export interface FuncBridge {
  /** The host function that stands for a function instance (a wasm function the host can put in a table). */
  toHost(f: FuncInst | null): unknown;
  /** The function instance of a host function taken from the guest (a table, a global, an argument). */
  fromHost(v: unknown): FuncInst | null;
}

let bridge: FuncBridge | null = null;

/** Installs the funcref bridge (the native engine does, when loaded). */
export function setFuncBridge(b: FuncBridge): void {
  bridge = b;
}

function funcs(): FuncBridge {
  if (bridge === null) throw new Error("internal: the native engine was not loaded");
  return bridge;
}

const hostMemories = new WeakMap<Memory, WebAssembly.Memory>();
const hostTables = new WeakMap<Table, WebAssembly.Table>();
const hostGlobals = new WeakMap<Global, WebAssembly.Global>();

/** A memory's internal fields, as backing rewrites them. */
type MemoryFields = { byteSize: number };

/**
 * Backs `memory` with `host` (whose contents win: a memory the guest defined and initialized). Idempotent.
 *
 * @param memory Kiln's memory
 * @param host the host memory standing for it from now on
 */
export function adoptHostMemory(memory: Memory, host: WebAssembly.Memory): void {
  if (hostMemories.get(memory) === host) return;
  hostMemories.set(memory, host);
  const wide = memory.address === "i64";
  let buffer = host.buffer, view = new DataView(buffer), bytes = new Uint8Array(buffer);
  const refresh = () => {
    if (host.buffer !== buffer) {
      buffer = host.buffer;
      view = new DataView(buffer);
      bytes = new Uint8Array(buffer);
    }
    (memory as unknown as MemoryFields).byteSize = buffer.byteLength;
  };
  refresh();
  Object.defineProperties(memory, {
    buffer: { get: () => (refresh(), buffer), set: () => {}, configurable: true },
    view: { get: () => (refresh(), view), set: () => {}, configurable: true },
    bytes: { get: () => (refresh(), bytes), set: () => {}, configurable: true },
    intact: { value: () => true, configurable: true },
    pages: { get: () => (refresh(), buffer.byteLength / PAGE_SIZE), configurable: true },
    growPages: {
      configurable: true,
      value: (delta: number): number => {
        refresh();
        const old = buffer.byteLength / PAGE_SIZE;
        if (delta === 0) return old;
        const next = old + delta;
        const max = memory.maximum ?? MAX_PAGES;
        if (delta < 0 || next > max || next > MAX_PAGES || next * PAGE_SIZE > memory.byteLimit) return failed();
        try {
          host.grow((wide ? BigInt(delta) : delta) as number);
        } catch {
          return failed();
        }
        refresh();
        return old;
      },
    },
  });
  function failed(): number {
    if (memory.trapOnGrowFailure) throw trap(TrapCode.MemoryGrowFailed);
    return -1;
  }
}

/**
 * The host memory of `memory`, backing it with a new one (its contents copied) the first time.
 *
 * @param memory Kiln's memory
 * @returns its host memory
 */
export function hostMemoryFor(memory: Memory): WebAssembly.Memory {
  const known = hostMemories.get(memory);
  if (known !== undefined) return known;
  const wide = memory.address === "i64";
  const n = (v: number) => (wide ? BigInt(v) : v) as number;
  const limit = Math.min(memory.maximum ?? MAX_PAGES, Math.floor(memory.byteLimit / PAGE_SIZE));
  const desc = { initial: n(memory.pages), maximum: n(Math.max(limit, memory.pages)), address: memory.address };
  const host = new WebAssembly.Memory(desc as WebAssembly.MemoryDescriptor);
  new Uint8Array(host.buffer).set(memory.bytes);
  adoptHostMemory(memory, host);
  return host;
}

/**
 * Backs `table` with `host` (whose contents win). Idempotent.
 *
 * @param table Kiln's table
 * @param host the host table standing for it from now on
 */
export function adoptHostTable(table: Table, host: WebAssembly.Table): void {
  if (hostTables.get(table) === host) return;
  hostTables.set(table, host);
  const wide = table.address === "i64";
  const func = table.storage === ValType.funcref;
  const index = (i: number) => (wide ? BigInt(i) : i) as number;
  const size = () => Number(host.length);
  const toInternal = (v: unknown) => (func ? funcs().fromHost(v) : v);
  const toHost = (v: unknown) => (func ? funcs().toHost(v as FuncInst | null) : v);
  const proto = Object.getPrototypeOf(table) as Table;
  Object.defineProperties(table, {
    elements: {
      configurable: true,
      get: () => Array.from({ length: size() }, (_, i) => toInternal(host.get(index(i)))),
      set: () => {},
    },
    length: { configurable: true, get: () => (wide ? BigInt(size()) : size()) },
    get: {
      configurable: true,
      value: (i: number | bigint): unknown => {
        // Kiln's checks and conversions (a RangeError or TypeError as the JS API says), then the host's value.
        const k = Number(i);
        proto.get.call(plainTable(table, size()), i);
        const v = toInternal(host.get(index(k)));
        return func ? funcToJs(v as FuncInst | null) : v;
      },
    },
    set: {
      configurable: true,
      value: (i: number | bigint, ...value: [value?: unknown]): void => {
        const probe = plainTable(table, size());
        proto.set.call(probe, i, ...value);
        const k = Number(i);
        host.set(index(k), toHost(probe.elements[k]) as never);
      },
    },
    growBy: {
      configurable: true,
      value: (delta: number, value: unknown): number => {
        const old = size();
        const next = old + delta;
        if (delta < 0 || next > (table.maximum ?? Infinity) || next > MAX_TABLE_ELEMENTS || next > table.elementLimit) {
          if (table.trapOnGrowFailure) throw trap(TrapCode.TableGrowFailed);
          return -1;
        }
        try {
          (host.grow as (n: number, v: unknown) => number)(index(delta), toHost(value));
        } catch {
          if (table.trapOnGrowFailure) throw trap(TrapCode.TableGrowFailed);
          return -1;
        }
        return old;
      },
    },
  });
}

/** A throwaway plain table of `length` null elements with `table`'s type and address, to reuse Kiln's checks. */
function plainTable(table: Table, length: number): Table {
  const probe = Object.create(Object.getPrototypeOf(table)) as Table;
  Object.assign(probe, {
    elemType: table.elemType,
    storage: table.storage,
    address: table.address,
    maximum: table.maximum,
    elements: new Array(length).fill(null),
  });
  return probe;
}

/**
 * The host table of `table`, backing it with a new one (its elements copied) the first time.
 *
 * @param table Kiln's table
 * @returns its host table
 */
export function hostTableFor(table: Table): WebAssembly.Table {
  const known = hostTables.get(table);
  if (known !== undefined) return known;
  const wide = table.address === "i64";
  const n = (v: number) => (wide ? BigInt(v) : v) as number;
  const elements = table.elements;
  const func = table.storage === ValType.funcref;
  const desc: Record<string, unknown> = {
    element: func ? "anyfunc" : "externref",
    initial: n(elements.length),
    address: table.address,
  };
  // The host's own `table.grow` in the guest then fails where Kiln's would (`maxTableElements`).
  const limit = Math.min(table.maximum ?? Infinity, table.elementLimit);
  if (limit !== Infinity) desc.maximum = n(Math.max(limit, elements.length));
  const host = new WebAssembly.Table(desc as unknown as WebAssembly.TableDescriptor);
  for (let i = 0; i < elements.length; i++) {
    const v = elements[i];
    host.set(n(i), (func ? funcs().toHost(v as FuncInst | null) : v) as never);
  }
  adoptHostTable(table, host);
  return host;
}

/** The trampoline that sets a mutable host global of a float or v128 type from its raw form. */
function rawSetter(host: WebAssembly.Global, type: string): (v: unknown) => void {
  const raw = RAW_TYPES[type]!;
  const from = type === "v128"
    ? "v128.const i64x2 0 0 local.get 0 i64x2.replace_lane 0 local.get 1 i64x2.replace_lane 1"
    : `local.get 0 ${type}.reinterpret_${raw[0]}`;
  const wat = `(module (import "t" "g" (global $g (mut ${type})))
    (func (export "w") (param ${raw.join(" ")}) ${from} global.set $g))`;
  const inst = new WebAssembly.Instance(trampolineModule(`set ${type}`, wat), { t: { g: host } });
  const w = inst.exports.w as (...a: unknown[]) => void;
  return (v) => (type === "v128" ? w(...v128Halves(v)) : w(v));
}

/**
 * Backs `global` with `host` (whose value wins). Idempotent.
 *
 * @param global Kiln's global
 * @param host the host global standing for it from now on
 */
export function adoptHostGlobal(global: Global, host: WebAssembly.Global): void {
  if (hostGlobals.get(global) === host) return;
  hostGlobals.set(global, host);
  const type = global.type;
  const ref = isRefType(type);
  const func = ref && storageType(type) === ValType.funcref;
  const name = ref ? "" : valTypeToName(type);
  let setter: ((v: unknown) => void) | undefined;
  const getRaw = (): unknown => {
    if (func) {
      const v = host.value;
      return isHostGcObject(v) ? v : funcToJs(funcs().fromHost(v)); // a struct or array of a concrete type
    }
    if (ref) return host.value;
    return RAW_TYPES[name] ? rawGlobal(host, name, global.mutable) : host.value;
  };
  const setRaw = (v: unknown): void => {
    if (ref) {
      const internal = func && isHostGcObject(v) ? v : toRef(type, v);
      host.value = func ? funcs().toHost(internal as FuncInst | null) : internal;
    } else if (!RAW_TYPES[name]) {
      host.value = jsToRaw(type, v);
    } else {
      setter ??= rawSetter(host, name);
      setter(name === "v128" ? v : name === "f32" ? toI32(v) : toI64(v));
    }
  };
  Object.defineProperties(global, {
    getRaw: { value: getRaw, configurable: true },
    setRaw: { value: setRaw, configurable: true },
    value: {
      configurable: true,
      get: () => rawToJs(type, getRaw()),
      set: (v: unknown) => {
        if (!global.mutable) throw new TypeError("Global: cannot set an immutable global");
        setRaw(jsToRaw(type, v));
      },
    },
  });
}

/**
 * The host global of `global`, backing it with a new one (its value copied) the first time.
 *
 * @param global Kiln's global
 * @returns its host global
 */
/**
 * What native code imports for global `global`: its host global ({@link hostGlobalFor}), except for an immutable
 * global of a reference type a host global's descriptor cannot name (`(ref extern)`, `anyref`, a concrete type):
 * then its value, which the host converts to the import's own type as the JS API says for a plain value.
 *
 * @param global the global
 * @returns the host global, or the value
 */
export function hostImportOfGlobal(global: Global): unknown {
  const type = global.type;
  if (global.mutable || !isRefType(type) || type === ValType.externref || type === ValType.funcref) {
    return hostGlobalFor(global);
  }
  const ref = global.ref;
  if (ref === null || isHostGcObject(ref)) return ref;
  return storageType(type) === ValType.funcref ? funcs().toHost(ref as FuncInst) : refToJs(type, ref);
}

export function hostGlobalFor(global: Global): WebAssembly.Global {
  const known = hostGlobals.get(global);
  if (known !== undefined) return known;
  const type = global.type;
  const ref = isRefType(type);
  const func = ref && storageType(type) === ValType.funcref;
  const name = func ? "anyfunc" : ref ? "externref" : valTypeToName(type);
  const desc = { value: name, mutable: global.mutable } as WebAssembly.GlobalDescriptor;
  let host: WebAssembly.Global;
  if (func) host = new WebAssembly.Global(desc, funcs().toHost(global.ref as FuncInst | null));
  else if (ref) host = new WebAssembly.Global(desc, global.ref);
  else if (!RAW_TYPES[name]) host = new WebAssembly.Global(desc, global.getRaw());
  else if (global.mutable) {
    // Created with zero, then set bit-exactly (NaN payloads, v128) through a trampoline.
    host = new WebAssembly.Global(desc);
    const raw = global.getRaw();
    rawSetter(host, name)(name === "v128" ? raw : name === "f32" ? toI32(raw) : toI64(raw));
  } else {
    // An immutable float global can only be given its value as a JS number (a NaN payload may not survive).
    host = new WebAssembly.Global(desc, global.value as number);
  }
  adoptHostGlobal(global, host);
  return host;
}
