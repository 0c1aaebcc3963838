/**
 * `parseWat`: WebAssembly text (a `(module …)` or bare module fields) to a binary module.
 *
 * @module
 */

import { checkAnnotationsUsed } from "./annotations.ts";
import { parseSExprRoot } from "./lexer.ts";
import { isAtom, isId, isList, type SExpr, type SList, WatParseError } from "./sexpr.ts";
import { encodeModuleList } from "./to_binary.ts";

/**
 * Converts WebAssembly text format to the binary format. Accepts one `(module …)` (also the `binary` and `quote`
 * forms) or a sequence of bare module fields. Malformed text throws {@link WatParseError} (a CompileError with
 * line and column); a construct of a proposal Kiln does not implement throws UnsupportedFeatureError
 * (`unsupported: <feature>`).
 *
 * @param text The module text.
 * @returns The binary module.
 * @example Parse a module
 * ```ts
 * import { parseWat } from "../../mod.ts";
 * const bytes = parseWat(`(module (func (export "add") (param i32 i32) (result i32)
 *   local.get 0 local.get 1 i32.add))`);
 * console.log(bytes[0]); // 0
 * ```
 */
export function parseWat(text: string): Uint8Array {
  return guarded(() => parseWatUnguarded(text));
}

function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    // Why: nesting deep enough to exhaust the JS stack (or any other engine limit) must still surface as a
    // parse error, never as a RangeError.
    if (e instanceof RangeError) {
      throw new WatParseError(`text too deeply nested or too large: ${e.message}`, undefined);
    }
    throw e;
  }
}

function parseWatUnguarded(text: string): Uint8Array {
  const root = parseSExprRoot(text);
  const top = root.items;
  if (top.length === 1 && isList(top[0], "module")) {
    // Annotations around the module mean nothing: a `@custom` or `@name` one there is misplaced.
    if (root.annots) checkAnnotationsUsed({ ...root, items: [] }, new Set());
    return moduleToBinaryUnguarded(top[0]);
  }
  for (const e of top) if (isList(e, "module")) throw new WatParseError("unexpected token", e);
  return encodeModuleList(root, 0);
}

/** Encodes a `(module $id? …)` list, including its `binary` and `quote` forms. */
export function moduleToBinary(m: SList): Uint8Array {
  return guarded(() => moduleToBinaryUnguarded(m));
}

function moduleToBinaryUnguarded(m: SList): Uint8Array {
  let i = 1;
  if (isId(m.items[1])) i++;
  if (isAtom(m.items[i], "binary") || isAtom(m.items[i], "quote")) {
    const quote = (m.items[i] as SExpr & { text: string }).text === "quote";
    const parts: Uint8Array[] = [];
    for (const s of m.items.slice(i + 1)) {
      if (s.kind !== "string") throw new WatParseError("unexpected token", s);
      parts.push(s.bytes);
    }
    const bytes = concat(parts);
    if (!quote) return bytes;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new WatParseError("malformed UTF-8 encoding", m);
    }
    return parseWatUnguarded(text);
  }
  return encodeModuleList(m, i, isId(m.items[1]) ? m.items[1].text : undefined);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}
