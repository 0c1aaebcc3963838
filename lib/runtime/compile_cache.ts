/**
 * Kiln's compilation cache, as Wasmtime's: what compiling a module produced (that it validated; the native
 * engine's rewritten binaries) kept in a store the embedder gives ({@link CompileCache}), so a later run of the same
 * bytes skips validation and rewriting. The CLI keeps one in Kiln's cache directory (`-C cache`).
 *
 * One entry per module: its key names Kiln's code ({@link CODE_ID}) and a hash of the bytes; its value holds the
 * bytes themselves, compared in full before anything in it is used (so a hash collision or a damaged entry costs a
 * miss, never a wrong module), and each rewritten form by the options it was made with. Trust: an entry is taken as
 * Kiln wrote it, as Wasmtime trusts its cache directory; whatever an entry holds still runs in the host's sandbox
 * (the host validates every binary it compiles) and under Kiln's WASI.
 *
 * @module
 */

import type { Module as DecodedModule } from "../binary/module.ts";
import { CODE_ID } from "../version.ts";

/**
 * Where compiled code is kept between runs (Wasmtime's `CacheStore`): any key-value store of bytes, such as a
 * directory, IndexedDB or a `Map`. Kiln reads an entry when it compiles a module and writes one after compiling
 * what it did not find.
 *
 * @example A cache in memory, shared by two compilations of one module
 * ```ts
 * import { type CompileCache, Module, parseWat } from "../../mod.ts";
 * const entries = new Map<string, Uint8Array>();
 * const cache: CompileCache = { get: (k) => entries.get(k), set: (k, v) => void entries.set(k, v) };
 * const bytes = parseWat(`(module (func (export "f")))`);
 * new Module(bytes, { cache }); // validates, and keeps that it did
 * new Module(bytes, { cache }); // found: not validated again
 * console.log(entries.size); // 1
 * ```
 */
export interface CompileCache {
  /**
   * The value stored under `key`, or undefined.
   *
   * @param key a name of letters, digits, `-`, `_` and `.`
   */
  get(key: string): Uint8Array | undefined;
  /**
   * Stores `value` under `key`, replacing what was there (or does nothing: a cache may drop anything).
   *
   * @param key a name of letters, digits, `-`, `_` and `.`
   * @param value the bytes to keep (the caller does not change them afterwards)
   */
  set(key: string, value: Uint8Array): void;
}

/** A module's entry: its store and key, and the rewritten forms found or made, by their options. */
interface Entry {
  readonly cache: CompileCache;
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly forms: Map<string, Uint8Array>;
}

const MAGIC = 0x434e_4c4b; // "KLNC", little-endian
const FORMAT = 1;

const entries = new WeakMap<DecodedModule, Entry>();

/**
 * Looks `bytes` up in `cache`.
 *
 * @param cache the store
 * @param bytes the module binary
 * @returns whether the entry holds these bytes (so they validated before), and the entry to give to
 *   {@link attachEntry} once the module is decoded
 */
export function openEntry(cache: CompileCache, bytes: Uint8Array): { found: boolean; entry: Entry } {
  const key = `${CODE_ID}-${fingerprint(bytes)}`;
  let stored: Uint8Array | undefined;
  try {
    stored = cache.get(key);
  } catch {
    // A store that cannot read is a store without the entry.
  }
  const forms = stored === undefined ? undefined : decodeEntry(stored, bytes);
  return { found: forms !== undefined, entry: { cache, key, bytes, forms: forms ?? new Map() } };
}

/**
 * Ties an entry to its decoded module (for the engines' {@link cachedForm}), and writes it when it was not found.
 *
 * @param module the decoded (and, when not found, validated) module
 * @param opened what {@link openEntry} returned
 */
export function attachEntry(module: DecodedModule, opened: { found: boolean; entry: Entry }): void {
  entries.set(module, opened.entry);
  if (!opened.found) write(opened.entry);
}

/**
 * A rewritten form of `module` kept in its cache, or undefined.
 *
 * @param module the decoded module
 * @param options the rewrite's options, as text (one key per distinct form)
 * @returns the form's bytes
 */
export function cachedForm(module: DecodedModule, options: string): Uint8Array | undefined {
  return entries.get(module)?.forms.get(options);
}

/**
 * Keeps a rewritten form of `module` in its cache (when it has one).
 *
 * @param module the decoded module
 * @param options the rewrite's options, as text
 * @param form the rewritten binary
 */
export function keepForm(module: DecodedModule, options: string, form: Uint8Array): void {
  const entry = entries.get(module);
  if (entry === undefined || entry.forms.get(options) === form) return;
  entry.forms.set(options, form);
  write(entry);
}

function write(entry: Entry): void {
  try {
    entry.cache.set(entry.key, encodeEntry(entry));
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

/**
 * A hash of the bytes and their length, as text: where to look, not proof of a match (the bytes are compared, so
 * two modules that share a key only take turns in one entry). MurmurHash-style mixing of 32-bit words. Why so
 * little: a start-up runs this loop once, not yet optimized; why words in the host's byte order: one load a word is a
 * quarter of the work of four (the key only has to be the same on the same machine).
 */
function fingerprint(bytes: Uint8Array): string {
  const aligned = bytes.byteOffset % 4 === 0;
  const words = new Int32Array(
    aligned ? bytes.buffer : bytes.slice().buffer,
    aligned ? bytes.byteOffset : 0,
    bytes.length >> 2,
  );
  let h = 0x9747_b28c;
  for (let i = 0; i < words.length; i++) {
    h = Math.imul(h ^ words[i]!, 0x5bd1_e995);
    h ^= h >>> 15;
  }
  for (let i = words.length * 4; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x5bd1_e995);
  h = Math.imul(h ^ h >>> 13, 0x85eb_ca6b);
  return `${bytes.length.toString(36)}-${((h ^ h >>> 16) >>> 0).toString(16).padStart(8, "0")}`;
}

// An entry: MAGIC, FORMAT, the module's length and bytes, the number of forms, then each form's options (length,
// UTF-8) and binary (length, bytes); lengths are u32 little-endian.

function encodeEntry(entry: Entry): Uint8Array {
  const text = new TextEncoder();
  const forms = [...entry.forms].map(([k, v]) => [text.encode(k), v] as const);
  const size = 16 + entry.bytes.length + forms.reduce((n, [k, v]) => n + 8 + k.length + v.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u32 = (v: number) => {
    view.setUint32(at, v, true);
    at += 4;
  };
  const blob = (b: Uint8Array) => {
    u32(b.length);
    out.set(b, at);
    at += b.length;
  };
  u32(MAGIC);
  u32(FORMAT);
  blob(entry.bytes);
  u32(forms.length);
  for (const [k, v] of forms) {
    blob(k);
    blob(v);
  }
  return out;
}

/** The forms of a stored entry that holds exactly `bytes`; undefined for any other entry, or a damaged one. */
function decodeEntry(stored: Uint8Array, bytes: Uint8Array): Map<string, Uint8Array> | undefined {
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  let at = 0;
  const u32 = () => {
    if (at + 4 > stored.length) throw new RangeError("truncated");
    at += 4;
    return view.getUint32(at - 4, true);
  };
  const blob = () => {
    const n = u32();
    if (at + n > stored.length) throw new RangeError("truncated");
    at += n;
    return stored.subarray(at - n, at);
  };
  try {
    if (u32() !== MAGIC || u32() !== FORMAT || !equalBytes(blob(), bytes)) return undefined;
    const forms = new Map<string, Uint8Array>();
    const text = new TextDecoder("utf-8", { fatal: true });
    for (let n = u32(); n > 0; n--) forms.set(text.decode(blob()), blob().slice());
    return at === stored.length ? forms : undefined;
  } catch {
    return undefined;
  }
}

const latin1 = new TextDecoder("latin1");

/** Whether two byte strings are equal. Why as text: decoding and comparing strings is the host's native code. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && latin1.decode(a) === latin1.decode(b);
}
