/**
 * Offsets in the binary the host compiled, read back as offsets in the module Kiln decoded: a backtrace's frame
 * (V8 writes `wasm-function[i]:0xOFFSET`) names a place in the rewritten code, and Kiln's frames, source lines
 * (DWARF) and profiles speak of the original. The instrumenter moves code (charges, checkpoints, guards, remapped
 * indices whose LEB128 grows), so the map comes from the rewrite itself ({@link instrumentedOffsets}), made for a
 * function the first time one of its frames is read and kept per compiled binary.
 *
 * @module
 */

import type { Module } from "../binary/module.ts";
import { ByteReader } from "../binary/leb128.ts";
import { instrumentedOffsets, type InstrumentOptions } from "./instrument.ts";

/** A module as the host compiled it: the decoded original, the rewritten bytes, and how they were rewritten. */
export interface CompiledCode {
  readonly decoded: Module;
  readonly bytes: Uint8Array;
  readonly options: InstrumentOptions;
}

/** Compiled modules by the module name they were given (`InstrumentOptions.moduleName`), held weakly. */
const byName = new Map<string, WeakRef<CompiledCode>>();
/** The names given so far, by the content they stand for ({@link moduleNameFor}), and that content by name. */
const nameOfContent = new Map<string, string>();
const contentOfName = new Map<string, string>();
let nextName = 0;
const forget = new FinalizationRegistry<string>((name) => {
  if (byName.get(name)?.deref() === undefined) forgetModuleName(name);
});
const latin1 = new TextDecoder("latin1");

/**
 * The module name for a module about to be compiled: V8 shows it in each frame's script URL, so a frame names its
 * module. Equal modules rewritten alike get equal names. Why: the name is part of the bytes V8 compiles, and V8
 * reuses the optimized code of bytes it compiled before (the same module in a new store); a name of its own per
 * compile defeated that cache, and short runs stayed in baseline code (measured: the Sightglass native+fuel
 * geomean went from 1.5x to 2.6x of plain native on Deno). Why the content itself as a Map key, not a hash of it
 * computed here: the Map hashes and compares it natively, where a hash loop over the bytes cost milliseconds of
 * not-yet-optimized code at start-up; and different modules never share a name.
 *
 * @param bytes the original module's bytes
 * @param variant the rewrite's options, as a string
 * @returns the name
 */
export function moduleNameFor(bytes: Uint8Array, variant: string): string {
  const content = `${variant}\n${latin1.decode(bytes)}`;
  let name = nameOfContent.get(content);
  if (name === undefined) {
    name = `kiln${(nextName++).toString(16)}x${bytes.length.toString(16)}`;
    nameOfContent.set(content, name);
    contentOfName.set(name, content);
  }
  return name;
}

/**
 * Forgets a name: its module is gone, or failed to compile.
 *
 * @param name a name from {@link moduleNameFor}
 */
export function forgetModuleName(name: string): void {
  byName.delete(name);
  const content = contentOfName.get(name);
  contentOfName.delete(name);
  if (content !== undefined) nameOfContent.delete(content);
}

/**
 * Records the compiled module that was given `name`.
 *
 * @param name the name given to the host ({@link moduleNameFor})
 * @param code the compiled module
 */
export function registerModuleName(name: string, code: CompiledCode): void {
  byName.set(name, new WeakRef(code));
  forget.register(code, name);
}

/**
 * The compiled module of a frame's script: for V8's `wasm://wasm/NAME-HASH`, the module named NAME; `undefined`
 * for a script of no module Kiln compiled (a trampoline) or one no longer alive; `null` when the script does not
 * say (JavaScriptCore's frames).
 *
 * @param script the script of a frame (`traps.ts` HostFrame.script)
 * @returns the module, undefined or null
 */
export function codeOfScript(script: string): CompiledCode | undefined | null {
  const m = /^\(?wasm:\/\/wasm\/(?:(kiln[0-9a-f]+x[0-9a-f]+)-)?[0-9a-f]+$/.exec(script);
  if (m === null) return null;
  return m[1] === undefined ? undefined : byName.get(m[1])?.deref();
}

/** Code-section body ranges per binary, read on the first trap: `[start, end)` per body, `start` at its locals. */
const bodies = new WeakMap<Uint8Array, Uint32Array>();
/** Per compiled binary, the offset pairs of each function read so far ({@link instrumentedOffsets}). */
const maps = new WeakMap<Uint8Array, Map<number, Uint32Array>>();

/**
 * The defined-function position whose body holds `offset` in `bytes`, or -1.
 *
 * @param bytes a module binary
 * @param offset a byte offset in it
 * @returns the function's position among the defined functions, or -1
 */
export function bodyAt(bytes: Uint8Array, offset: number): number {
  const ranges = rangesOf(bytes);
  let lo = 0, hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < ranges[2 * mid]!) hi = mid - 1;
    else if (offset >= ranges[2 * mid + 1]!) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * The offset in the original module of the instruction at `offset` of the compiled bytes (inside defined function
 * `body`): the instruction whose rewrite holds it, so a trap in an added guard or checkpoint is its instruction's.
 *
 * @param code the compiled module
 * @param body the defined function's position ({@link bodyAt} of `offset`)
 * @param offset a byte offset in `code.bytes`
 * @returns the original offset, or -1 before the function's first instruction
 */
export function originalOffset(code: CompiledCode, body: number, offset: number): number {
  let byBody = maps.get(code.bytes);
  if (byBody === undefined) maps.set(code.bytes, byBody = new Map());
  let pairs = byBody.get(body);
  if (pairs === undefined) {
    const start = rangesOf(code.decoded.bytes)[2 * body]!;
    byBody.set(body, pairs = instrumentedOffsets(code.decoded, code.options, body, start));
  }
  const rel = offset - rangesOf(code.bytes)[2 * body]!;
  // The last pair whose rewrite starts at or before `rel`.
  let lo = 0, hi = pairs.length / 2 - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[2 * mid]! <= rel) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? -1 : pairs[2 * found + 1]!;
}

function rangesOf(bytes: Uint8Array): Uint32Array {
  let ranges = bodies.get(bytes);
  if (ranges === undefined) bodies.set(bytes, ranges = codeRanges(bytes));
  return ranges;
}

/** The [start, end) of every function body of a binary, in order. */
function codeRanges(bytes: Uint8Array): Uint32Array {
  const r = new ByteReader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    if (id !== 10) {
      r.pos += size;
      continue;
    }
    const n = r.u32();
    const out = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const len = r.u32();
      out[2 * i] = r.pos;
      out[2 * i + 1] = r.pos + len;
      r.pos += len;
    }
    return out;
  }
  return new Uint32Array(0);
}
