/**
 * Cross-check against wabt (npm dev dependency, tests only): every module of a set of spec `.wast` files is
 * encoded by `parseWat` and by wabt; the binaries must be byte-identical (Kiln orders implicit types, writes
 * block types and element segments in the forms wabt picks). Modules wabt rejects are skipped (other
 * proposals); a module wabt accepts but `parseWat` rejects with a parse error fails the test.
 *
 * Excluded: `data0.wast` (wabt without multi-memory drops the memory index of `(data (memory 1) …)`) and
 * `token.wast` (wabt.js re-encodes non-ASCII string literal characters).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseWat } from "../../lib/text/mod.ts";
import { parseSExprs } from "../../lib/text/lexer.ts";
import { UnsupportedFeatureError } from "../../lib/errors.ts";

const SPEC = fileURLToPath(new URL("../../../shared/spec-testsuite/", import.meta.url));

const FILES = [
  "address",
  "align",
  "binary",
  "block",
  "br",
  "br_if",
  "br_table",
  "bulk",
  "call",
  "call_indirect",
  "comments",
  "const",
  "conversions",
  "custom",
  "data",
  "elem",
  "endianness",
  "exports",
  "f32",
  "f32_bitwise",
  "f32_cmp",
  "f64",
  "f64_bitwise",
  "f64_cmp",
  "fac",
  "float_exprs",
  "float_literals",
  "float_memory",
  "float_misc",
  "forward",
  "func",
  "func_ptrs",
  "global",
  "i32",
  "i64",
  "if",
  "imports",
  "int_exprs",
  "int_literals",
  "labels",
  "left-to-right",
  "linking",
  "load",
  "local_get",
  "local_set",
  "local_tee",
  "loop",
  "memory",
  "memory_copy",
  "memory_fill",
  "memory_grow",
  "memory_init",
  "memory_redundancy",
  "memory_size",
  "memory_trap",
  "names",
  "nop",
  "ref_func",
  "ref_is_null",
  "ref_null",
  "return",
  "select",
  "skip-stack-guard-page",
  "stack",
  "start",
  "store",
  "switch",
  "table",
  "table_copy",
  "table_fill",
  "table_get",
  "table_grow",
  "table_init",
  "table_set",
  "table_size",
  "traps",
  "type",
  "unreachable",
  "unreached-invalid",
  "unreached-valid",
  "unwind",
  "utf8-custom-section-id",
  "utf8-import-field",
  "utf8-import-module",
];

const FEATURES = {
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  sign_extension: true,
  sat_float_to_int: true,
  mutable_globals: true,
};

/** The source text of every plain `(module …)` command of a script. */
function moduleTexts(src: string): string[] {
  const lineStart = [0];
  for (const l of src.split("\n")) lineStart.push(lineStart[lineStart.length - 1] + l.length + 1);
  const out: string[] = [];
  for (const e of parseSExprs(src)) {
    if (e.kind !== "list" || e.items[0]?.kind !== "atom" || e.items[0].text !== "module") continue;
    const second = e.items[1]?.kind === "atom" && e.items[1].text;
    if (second === "binary" || second === "quote" || second === "definition" || second === "instance") continue;
    if (e.items.some((x, i) => i === 2 && x.kind === "atom" && (x.text === "binary" || x.text === "quote"))) continue;
    const start = lineStart[e.line - 1] + e.col - 1;
    out.push(src.slice(start, closingParen(src, start)));
  }
  return out;
}

/** The index after the parenthesis that closes the one at `i` (strings and comments skipped). */
function closingParen(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      for (i++; s[i] !== '"'; i++) if (s[i] === "\\") i++;
    } else if (c === ";" && s[i + 1] === ";") {
      while (i < s.length && s[i] !== "\n") i++;
    } else if (c === "(" && s[i + 1] === ";") {
      let d = 1;
      for (i += 2; d > 0; i++) {
        if (s[i] === "(" && s[i + 1] === ";") d++, i++;
        else if (s[i] === ";" && s[i + 1] === ")") d--, i++;
      }
      continue;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
    i++;
  }
  return i;
}

/** The binary without its trailing `name` custom section (wabt writes none without debug names). */
function withoutNameSection(bytes: Uint8Array): Uint8Array {
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    let size = 0, shift = 0, b: number;
    do {
      b = bytes[pos++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (id === 0 && bytes[pos] === 4 && String.fromCharCode(...bytes.subarray(pos + 1, pos + 5)) === "name") {
      return bytes.slice(0, start);
    }
    pos += size;
  }
  return bytes;
}

/** An element segment declared `funcref` whose items are `ref.func`s, or none (see the comparison below). */
const FUNCREF_ITEMS = /funcref\s+(\(item\s+)?\(ref\.func|\(elem\s+funcref\)/;

type Wabt = {
  parseWat(name: string, text: string, f: object): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
};

let wabt: Wabt | null = null;
let wabtError = "";
try {
  wabt = await (await import("wabt")).default() as unknown as Wabt;
} catch (e) {
  wabtError = String(e);
}

if (!existsSync(SPEC)) {
  test("parseWat() matches wabt on spec modules", { skip: "../shared/spec-testsuite is absent" }, () => {});
} else if (!wabt) {
  test("parseWat() matches wabt on spec modules", { skip: `wabt cannot load: ${wabtError}` }, () => {});
} else {
  const w = wabt;
  test("parseWat() matches wabt byte for byte on the modules of 84 spec files", () => {
    let same = 0, keptExpressions = 0;
    const problems: string[] = [];
    for (const name of FILES) {
      const path = `${SPEC}${name}.wast`;
      if (!existsSync(path)) continue;
      for (const text of moduleTexts(readFileSync(path, "utf8"))) {
        let theirs: Uint8Array;
        try {
          const m = w.parseWat("x.wat", text, FEATURES);
          theirs = m.toBinary({}).buffer;
          m.destroy();
        } catch {
          continue; // another proposal, or wabt's own limits
        }
        let mine: Uint8Array;
        try {
          mine = parseWat(text);
        } catch (e) {
          if (!(e instanceof UnsupportedFeatureError)) problems.push(`${name}: parseWat rejects: ${e}`);
          continue;
        }
        mine = withoutNameSection(mine);
        if (mine.length === theirs.length && mine.every((b, i) => b === theirs[i])) same++;
        // wabt writes a `funcref` segment of `(ref.func x)` items in the function-index form, which 3.0 types
        // `(ref func)`; Kiln keeps the expressions, so the segment keeps its declared type.
        else if (FUNCREF_ITEMS.test(text)) keptExpressions++;
        else problems.push(`${name}: binaries differ for ${text.slice(0, 80).replaceAll("\n", " ")}…`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), []);
    assert.ok(same > 950, `expected more than 950 identical modules, got ${same}`);
    assert.ok(keptExpressions < 120, `${keptExpressions} modules differ by funcref segments' form`);
  });
}
