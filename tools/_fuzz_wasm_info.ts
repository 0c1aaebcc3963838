/**
 * Reads just enough of a module binary for the fuzz harness: function types, imports and exports. The native
 * engine has no type reflection, so the harness needs this to choose arguments for exports and funcrefs.
 * Built on the project's {@link ByteReader}; malformed input throws its `CompileError`.
 *
 * @module
 */
import { ByteReader } from "../lib/binary/leb128.ts";
import { valTypeName } from "../lib/binary/module.ts";

/** Value type names as the harness uses them. */
export type ValName = "i32" | "i64" | "f32" | "f64" | "funcref" | "externref" | "v128";

/** A function type with named value types. */
export interface FuncSig {
  params: ValName[];
  results: ValName[];
}

/** What the harness knows about a module. */
export interface WasmInfo {
  /** Signature of every function in the function index space (imports first). */
  funcs: FuncSig[];
  /** Imports in order. */
  imports: { module: string; name: string; kind: number; sig?: FuncSig }[];
  /** Exports in order; `index` is into the index space of `kind` (0 func, 1 table, 2 memory, 3 global). */
  exports: { name: string; kind: number; index: number }[];
}

function valType(r: ByteReader): ValName {
  return valTypeName(r.u8()) as ValName;
}

function readName(r: ByteReader, dec: TextDecoder): string {
  const len = r.u32();
  const name = dec.decode(r.bytes.subarray(r.pos, r.pos + len));
  r.pos += len;
  return name;
}

function skipLimits(r: ByteReader): void {
  const flags = r.u8();
  r.u32();
  if (flags & 1) r.u32();
}

/** Parses the type, import, function and export sections of `bytes`. */
export function readWasmInfo(bytes: Uint8Array): WasmInfo {
  const r = new ByteReader(bytes);
  r.pos = 8;
  const types: FuncSig[] = [];
  const info: WasmInfo = { funcs: [], imports: [], exports: [] };
  while (r.pos < r.end) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.u8(); // 0x60
        const params = Array.from({ length: r.u32() }, () => valType(r));
        const results = Array.from({ length: r.u32() }, () => valType(r));
        types.push({ params, results });
      }
    } else if (id === 2) {
      const n = r.u32();
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) {
        const module = readName(r, dec);
        const name = readName(r, dec);
        const kind = r.u8();
        if (kind === 0) {
          const sig = types[r.u32()]!;
          info.imports.push({ module, name, kind, sig });
          info.funcs.push(sig);
        } else {
          if (kind === 1) {
            r.u8();
            skipLimits(r);
          } else if (kind === 2) skipLimits(r);
          else {
            r.u8();
            r.u8();
          }
          info.imports.push({ module, name, kind });
        }
      }
    } else if (id === 3) {
      const n = r.u32();
      for (let i = 0; i < n; i++) info.funcs.push(types[r.u32()]!);
    } else if (id === 7) {
      const n = r.u32();
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) {
        const name = readName(r, dec);
        const kind = r.u8();
        info.exports.push({ name, kind, index: r.u32() });
      }
    }
    r.pos = end;
  }
  return info;
}
