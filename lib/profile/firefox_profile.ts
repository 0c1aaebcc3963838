/**
 * Writes a guest profile in the Firefox Profiler's *processed* format, version 48 (the format
 * profiler.firefox.com loads and upgrades; `docs-developer/processed-profile-format.md` and
 * `CHANGELOG-formats.md` in firefox-devtools/profiler), as Wasmtime's guest profiler does through the
 * fxprof-processed-profile crate: one process with one thread, whose samples reference a stack tree of wasm frames.
 *
 * Every table is a structure of arrays with a `length`; strings are indices into the thread's `stringArray`. Each
 * wasm function is a `funcTable` row (its module is a resource), each distinct (function, code offset) a
 * `frameTable` row with the code offset as its address and, from DWARF, its line and column. A fuel profile holds
 * nothing that depends on the host or the time it ran, so it is byte-identical across runs, hosts and runtimes.
 *
 * @module
 */

import { frameFunctionName, frameSource } from "./frame_names.ts";
import type { GuestProfiler } from "./guest_profiler.ts";

/** The processed-profile format version written. */
export const PROCESSED_PROFILE_VERSION = 48;

/** Category of wasm frames in the profile's category list (index 0 is the required grey default). */
const WASM_CATEGORY = 1;

/** A table of the format: columns of equal length. */
type Table = Record<string, unknown[] | number | string> & { length: number };

/** Interns strings into a `stringArray`. */
class StringArray {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
}

/**
 * The profile a {@link GuestProfiler} recorded, as a Firefox Profiler processed profile (a JSON-ready object; write
 * it with `JSON.stringify`, open it at https://profiler.firefox.com with "Load a profile from file").
 *
 * @param profiler A profiler that has sampled a store's code.
 * @returns The profile object.
 * @example Writing a profile of a call
 * ```ts
 * import { GuestProfiler, instantiate, parseWat, toFirefoxProfile } from "../../mod.ts";
 * const profiler = new GuestProfiler({ fuelInterval: 100 });
 * const { instance } = await instantiate(parseWat(`(module (func (export "f") (local i32)
 *   (loop (br_if 0 (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 1000))))))`), {}, {
 *   profiler,
 * });
 * await (instance.exports.f as () => Promise<void>)();
 * const profile = toFirefoxProfile(profiler) as { meta: { preprocessedProfileVersion: number } };
 * console.log(profile.meta.preprocessedProfileVersion); // 48
 * ```
 */
export function toFirefoxProfile(profiler: GuestProfiler): unknown {
  const data = profiler.data();
  const strings = new StringArray();

  // Resources (one per module) and functions (one per module function).
  const resources = { lib: [] as null[], name: [] as number[], host: [] as null[], type: [] as number[], length: 0 };
  const resourceOf = new Map<string, number>();
  const funcs = {
    isJS: [] as boolean[],
    relevantForJS: [] as boolean[],
    name: [] as number[],
    resource: [] as number[],
    fileName: [] as (number | null)[],
    lineNumber: [] as null[],
    columnNumber: [] as null[],
    length: 0,
  };
  const funcOf = new Map<unknown, Map<number, number>>();
  const frames = {
    address: [] as number[],
    inlineDepth: [] as number[],
    category: [] as number[],
    subcategory: [] as number[],
    func: [] as number[],
    nativeSymbol: [] as null[],
    innerWindowID: [] as null[],
    implementation: [] as null[],
    line: [] as (number | null)[],
    column: [] as (number | null)[],
    length: 0,
  };
  for (const frame of data.frames) {
    const source = frameSource(frame);
    const resourceName = frame.moduleName ?? data.name;
    let resource = resourceOf.get(resourceName);
    if (resource === undefined) {
      resource = resources.length++;
      resources.lib.push(null);
      resources.name.push(strings.id(resourceName));
      resources.host.push(null);
      resources.type.push(0); // unknown: a wasm module is neither a native library nor a web page
      resourceOf.set(resourceName, resource);
    }
    let byIndex = funcOf.get(frame.module);
    if (byIndex === undefined) funcOf.set(frame.module, byIndex = new Map());
    let func = byIndex.get(frame.funcIndex);
    if (func === undefined) {
      func = funcs.length++;
      funcs.isJS.push(false);
      funcs.relevantForJS.push(false);
      funcs.name.push(strings.id(frameFunctionName(frame)));
      funcs.resource.push(resource);
      funcs.fileName.push(source !== undefined ? strings.id(source.file) : null);
      funcs.lineNumber.push(null);
      funcs.columnNumber.push(null);
      byIndex.set(frame.funcIndex, func);
    } else if (funcs.fileName[func] === null && source !== undefined) {
      funcs.fileName[func] = strings.id(source.file);
    }
    frames.length++;
    frames.address.push(frame.offset);
    frames.inlineDepth.push(0);
    frames.category.push(WASM_CATEGORY);
    frames.subcategory.push(0);
    frames.func.push(func);
    frames.nativeSymbol.push(null);
    frames.innerWindowID.push(null);
    frames.implementation.push(null);
    frames.line.push(source !== undefined ? source.line : null);
    frames.column.push(source !== undefined && source.column !== 0 ? source.column : null);
  }

  const n = data.stackFrame.length;
  const stackTable = {
    frame: [...data.stackFrame],
    category: new Array<number>(n).fill(WASM_CATEGORY),
    subcategory: new Array<number>(n).fill(0),
    prefix: [...data.stackPrefix],
    length: n,
  };
  const samples = {
    stack: [...data.sampleStack],
    time: [...data.sampleTime],
    weight: [...data.sampleWeight],
    weightType: "samples",
    length: data.sampleStack.length,
  };
  const end = samples.length > 0 ? samples.time[samples.length - 1]! + data.intervalMs : 0;
  const emptyTable = (...columns: string[]): Table => {
    const t: Table = { length: 0 };
    for (const c of columns) t[c] = [];
    return t;
  };

  const thread = {
    processType: "default",
    processName: data.name,
    processStartupTime: 0,
    processShutdownTime: end,
    registerTime: 0,
    unregisterTime: null,
    pausedRanges: [],
    name: data.name,
    isMainThread: true,
    pid: "0",
    tid: 0,
    samples,
    markers: emptyTable("data", "name", "startTime", "endTime", "phase", "category"),
    stackTable,
    frameTable: frames,
    funcTable: funcs,
    resourceTable: resources,
    nativeSymbols: emptyTable("libIndex", "address", "name", "functionSize"),
    stringArray: strings.strings,
  };
  return {
    meta: {
      interval: data.intervalMs,
      startTime: data.startTime,
      abi: "",
      misc: "",
      oscpu: "",
      platform: "",
      processType: 0,
      extensions: { id: [], name: [], baseURL: [], length: 0 },
      categories: [
        { name: "Other", color: "grey", subcategories: ["Other"] },
        { name: "WebAssembly", color: "blue", subcategories: ["Other"] },
      ],
      product: data.byFuel ? `Kiln: ${data.name} (fuel profile: 1 µs = 1 unit of fuel)` : `Kiln: ${data.name}`,
      stackwalk: 0,
      toolkit: "",
      version: 29,
      preprocessedProfileVersion: PROCESSED_PROFILE_VERSION,
      appBuildID: "",
      sourceURL: "",
      physicalCPUs: 0,
      logicalCPUs: 0,
      CPUName: "",
      symbolicated: true,
      markerSchema: [],
    },
    libs: [],
    pages: [],
    threads: [thread],
  };
}
