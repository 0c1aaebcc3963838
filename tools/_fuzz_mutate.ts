/**
 * Mutators for the decoder and parser fuzzers: byte-level edits of module binaries (bit flips, LEB128 edge
 * values, section-size lies, splices, truncation) and token-level edits of WAT text (edge numbers, dropped or
 * duplicated tokens, unbalanced parentheses, odd strings). All choices come from the given {@link Rng}.
 *
 * @module
 */
import type { Rng } from "./_fuzz_rng.ts";

const LEB_EDGES: number[][] = [
  [0x80, 0x80, 0x80, 0x80, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0x7f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80],
  [0x7f],
  [0x00],
  [0xe5, 0x8e, 0x26],
];

/** One random edit of a module binary. */
export function mutateBinary(rng: Rng, input: Uint8Array, corpus: readonly Uint8Array[] = []): Uint8Array {
  const b = Array.from(input);
  const at = (extra = 0) => rng.int(b.length + extra);
  const edits = 1 + rng.int(rng.chance(0.3) ? 8 : 2);
  for (let k = 0; k < edits; k++) {
    switch (rng.int(10)) {
      case 0: { // flip one bit
        if (b.length) b[at()] ^= 1 << rng.int(8);
        break;
      }
      case 1: { // random byte
        if (b.length) b[at()] = rng.int(256);
        break;
      }
      case 2: { // interesting byte (opcode-ish / type bytes / LEB continuation)
        if (b.length) {
          b[at()] = rng.pick([0x00, 0x01, 0x0b, 0x40, 0x60, 0x6f, 0x70, 0x7f, 0x7e, 0x80, 0xfc, 0xff, 0x41]);
        }
        break;
      }
      case 3: { // insert a LEB128 edge encoding
        b.splice(at(1), 0, ...rng.pick(LEB_EDGES));
        break;
      }
      case 4: { // delete a range
        if (b.length > 8) b.splice(8 + rng.int(b.length - 8), 1 + rng.int(16));
        break;
      }
      case 5: { // duplicate a range
        if (b.length > 8) {
          const s = 8 + rng.int(b.length - 8);
          b.splice(at(1), 0, ...b.slice(s, s + 1 + rng.int(32)));
        }
        break;
      }
      case 6: { // truncate
        b.length = rng.int(b.length + 1);
        break;
      }
      case 7: { // lie about a section size: the byte after a section id
        const s = findSectionStart(b, rng);
        if (s >= 0 && s + 1 < b.length) b[s + 1] = rng.pick([0, 1, 0x7f, b[s + 1]! + 1, Math.max(0, b[s + 1]! - 1)]);
        break;
      }
      case 8: { // splice in a piece of another corpus module
        if (corpus.length) {
          const o = rng.pick(corpus);
          const s = rng.int(o.length);
          b.splice(at(1), rng.int(8), ...o.subarray(s, s + 1 + rng.int(64)));
        }
        break;
      }
      default: { // random bytes
        b.splice(at(1), 0, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)));
      }
    }
  }
  return new Uint8Array(b);
}

/** Start of a random section (its id byte), walking the section headers; -1 if the binary is too broken. */
function findSectionStart(b: number[], rng: Rng): number {
  const starts: number[] = [];
  let p = 8;
  while (p < b.length && starts.length < 64) {
    starts.push(p);
    let size = 0;
    let shift = 0;
    let q = p + 1;
    while (q < b.length && shift < 35) {
      const byte = b[q++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    p = q + size;
  }
  return starts.length ? rng.pick(starts) : -1;
}

const WAT_NUMBERS = [
  "0",
  "-0",
  "4294967295",
  "4294967296",
  "-2147483649",
  "18446744073709551616",
  "0x",
  "0x_1",
  "1__0",
  "nan:0x0",
  "nan:0x7fffff",
  "nan:0x10000000000000",
  "-nan:0x1",
  "inf",
  "-inf",
  "0x1p+1024",
  "1e400",
  "0x1.fffffefffffffp127",
  "99999999999999999999999999999999",
  "1e-400",
  "0x1p-1075",
  "+",
  "-",
];
const WAT_WORDS = [
  "(",
  ")",
  "(module",
  "(func",
  "(param i32)",
  "(result i64 i64)",
  "(local $x f32)",
  "(block",
  "(loop $l",
  "(if (then",
  "(else",
  "end",
  "br_table 0 0 0 0",
  "br 4294967295",
  "local.get 100000",
  "$undefined",
  "$",
  "(type 99)",
  "(memory 65536)",
  "(memory 1 0)",
  "(table 0 funcref)",
  "(elem (i32.const 0) func 0)",
  '(data (i32.const 0) "\\ff")',
  '"\\u{110000}"',
  '"\\u{d800}"',
  '"\\x"',
  '"unterminated',
  ";;",
  "(;",
  ";)",
  "offset=4294967296",
  "align=3",
  "i32.const",
  "call_indirect (type 0)",
  "select (result i32)",
  "ref.null extern",
  '(export "a" (func 0))',
  '(import "m" "f" (func))',
  "(start 0)",
];

/**
 * One random token-level edit of a WAT text. `deepNesting: false` leaves out the edit that inserts thousands
 * of open parentheses (a known parser stack-depth issue has its own regression test).
 */
export function mutateText(rng: Rng, text: string, options: { deepNesting?: boolean } = {}): string {
  // Tokens: parentheses, strings, and runs of other non-space characters, with the whitespace kept between them.
  const tokens = text.match(/\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+|\s+/g) ?? [];
  const edits = 1 + rng.int(rng.chance(0.3) ? 6 : 2);
  for (let k = 0; k < edits; k++) {
    const i = rng.int(tokens.length + 1);
    switch (rng.int(8)) {
      case 0:
        tokens.splice(i, 1);
        break;
      case 1:
        if (tokens.length) tokens.splice(i, 0, tokens[rng.int(tokens.length)]!);
        break;
      case 2: { // replace a number
        const nums = tokens.map((t, j) => (/^[-+]?(?:0x)?[0-9a-f]/i.test(t) ? j : -1)).filter((j) => j >= 0);
        if (nums.length) tokens[rng.pick(nums)] = rng.pick(WAT_NUMBERS);
        break;
      }
      case 3:
        tokens.splice(i, 0, " ", rng.pick(WAT_WORDS), " ");
        break;
      case 4: // truncate
        tokens.length = rng.int(tokens.length + 1);
        break;
      case 5: { // swap two tokens
        const j = rng.int(tokens.length);
        if (i < tokens.length) [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
        break;
      }
      case 6: { // corrupt characters inside a token
        if (tokens.length && i < tokens.length) {
          const t = tokens[i]!;
          const p = rng.int(t.length + 1);
          tokens[i] = t.slice(0, p) + rng.pick(["\\", '"', "\u0000", "\uffff", "é", "$", "_", "=", ".", "0"]) +
            t.slice(p);
        }
        break;
      }
      default: // nesting
        tokens.splice(i, 0, "(".repeat(1 + rng.int(rng.chance(0.1) && options.deepNesting !== false ? 5000 : 20)));
    }
  }
  return tokens.join("");
}

/** The `(module …)` forms of a `.wast` script, by parenthesis matching (strings and comments respected). */
export function extractModules(wast: string, limit = 200): string[] {
  const out: string[] = [];
  let i = 0;
  while (out.length < limit) {
    const start = wast.indexOf("(module", i);
    if (start < 0) break;
    let depth = 0;
    let j = start;
    for (; j < wast.length; j++) {
      const c = wast[j];
      if (c === '"') {
        for (j++; j < wast.length && wast[j] !== '"'; j++) if (wast[j] === "\\") j++;
      } else if (c === ";" && wast[j + 1] === ";") {
        while (j < wast.length && wast[j] !== "\n") j++;
      } else if (c === "(" && wast[j + 1] === ";") {
        const e = wast.indexOf(";)", j + 2);
        j = e < 0 ? wast.length : e + 1;
      } else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) break;
    }
    const text = wast.slice(start, j + 1);
    // Only text modules: binary/quote forms are for the decoder and the wast runner.
    if (!/^\(module\s+(\$\S+\s+)?(binary|quote|definition|instance)\b/.test(text)) out.push(text);
    i = j + 1;
  }
  return out;
}
