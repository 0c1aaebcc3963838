/**
 * The text-format lexer (spec §6.2), which builds the S-expression tree directly: comments (`;; …`, nested
 * `(; … ;)`) are dropped, annotations (`(@name …)`) are kept beside the list they were written in (`SList.annots`,
 * out of its items), strings are decoded to bytes, quoted identifiers (`$"…"`) become ordinary `$name` atoms. A run of idchars glued to a string is a reserved token and
 * is rejected as "unknown operator", as the reference interpreter does.
 *
 * @module
 */

import { type SAnnot, type SExpr, type SList, type SString, WatParseError } from "./sexpr.ts";

/** `ID_CHAR[code]` is 1 for the idchars of spec §6.3.5 (ASCII letters, digits and these symbols). */
const ID_CHAR = (() => {
  const table = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1;
  for (const c of "!#$%&'*+-./:<=>?@\\^_`|~") table[c.charCodeAt(0)] = 1;
  return table;
})();

function isIdChar(c: string): boolean {
  return c !== undefined && c.length === 1 && ID_CHAR[c.charCodeAt(0)] === 1;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Lexes and parses `text` into its top-level S-expressions (top-level annotations are dropped). */
export function parseSExprs(text: string): SExpr[] {
  return parseSExprRoot(text).items;
}

/**
 * Lexes and parses `text` into one list at 1:1 holding its top-level S-expressions, with the annotations written
 * between them as the list's `annots`.
 */
export function parseSExprRoot(text: string): SList {
  return new Lexer(text).top();
}

class Lexer {
  pos = 0;
  line = 1;
  lineStart = 0;
  constructor(readonly text: string) {}

  here() {
    return { line: this.line, col: this.pos - this.lineStart + 1 };
  }

  fail(reason: string, at = this.here()): never {
    throw new WatParseError(reason, at);
  }

  advance(): void {
    if (this.text[this.pos] === "\n") {
      this.line++;
      this.lineStart = this.pos + 1;
    }
    this.pos++;
  }

  /** Skips whitespace and comments. */
  skip(): void {
    const t = this.text;
    for (;;) {
      const code = t.charCodeAt(this.pos);
      if (code === 0x20 || code === 0x09 || code === 0x0d) {
        this.pos++;
        continue;
      }
      if (code === 0x0a) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        continue;
      }
      const c = t[this.pos];
      if (c === ";" && t[this.pos + 1] === ";") {
        while (this.pos < t.length && t[this.pos] !== "\n" && t[this.pos] !== "\r") this.pos++;
      } else if (c === "(" && t[this.pos + 1] === ";") {
        const start = this.here();
        this.pos += 2;
        let depth = 1;
        while (depth > 0) {
          if (this.pos >= t.length) this.fail("unclosed comment", start);
          if (t[this.pos] === "(" && t[this.pos + 1] === ";") {
            depth++;
            this.pos += 2;
          } else if (t[this.pos] === ";" && t[this.pos + 1] === ")") {
            depth--;
            this.pos += 2;
          } else this.advance();
        }
      } else return;
    }
  }

  top(): SList {
    const root: SList = { kind: "list", items: [], line: 1, col: 1 };
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) return root;
      const e = this.expr();
      if (e.kind === "annot") this.annotate(root, e);
      else root.items.push(e);
      if (e.kind === "list" && e.annotated === true) (root as { annotated?: boolean }).annotated = true;
    }
  }

  /** Adds an annotation to `list`, before its next item. */
  annotate(list: SList, a: SAnnot): void {
    const l = list as { annots?: SAnnot[]; annotated?: boolean };
    (l.annots ??= []).push({ ...a, index: list.items.length });
    l.annotated = true;
  }

  /** One expression, or an annotation (at depth 0: inside an annotation, `(@…)` is an ordinary list). */
  expr(): SExpr | SAnnot {
    const t = this.text;
    const at = this.here();
    const c = t[this.pos];
    if (c === "(") {
      this.pos++;
      if (t[this.pos] === "@" && this.annotationDepth === 0) return this.annotation(at);
      const list: SList = { kind: "list", items: [], line: at.line, col: at.col };
      for (;;) {
        this.skip();
        if (this.pos >= t.length) this.fail(this.annotationDepth > 0 ? "unclosed annotation" : "unexpected end", at);
        if (t[this.pos] === ")") {
          this.pos++;
          return list;
        }
        const e = this.expr();
        if (e.kind === "annot") this.annotate(list, e);
        else {
          list.items.push(e);
          if (e.kind === "list" && e.annotated === true) (list as { annotated?: boolean }).annotated = true;
        }
      }
    }
    if (c === ")") this.fail("unexpected token");
    return this.token();
  }

  annotation(at: { line: number; col: number }): SAnnot {
    this.annotationDepth++;
    try {
      return this.annotationBody(at);
    } finally {
      this.annotationDepth--;
    }
  }

  annotationDepth = 0;

  /** The rest of an annotation after its `(`; its `index` is set by the list that receives it. */
  annotationBody(at: { line: number; col: number }): SAnnot {
    this.pos++; // '@'
    const t = this.text;
    let name: string;
    if (t[this.pos] === '"') {
      let s: SString;
      try {
        s = this.string();
      } catch {
        this.fail("empty annotation id", at);
      }
      if (s.bytes.length === 0) this.fail("empty annotation id", at);
      try {
        name = strictUtf8.decode(s.bytes);
      } catch {
        this.fail("malformed UTF-8 encoding", at);
      }
    } else {
      const start = this.pos;
      while (this.pos < t.length && isIdChar(t[this.pos])) this.pos++;
      if (this.pos === start) this.fail("empty annotation id", at);
      name = t.slice(start, this.pos);
    }
    const items: SExpr[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= t.length) this.fail("unclosed annotation", at);
      if (t[this.pos] === ")") {
        this.pos++;
        return { kind: "annot", name, items, index: -1, line: at.line, col: at.col };
      }
      items.push(this.expr() as SExpr); // no annotation inside one
    }
  }

  /** A string literal starting at the current `"`. */
  string(): SString {
    const t = this.text;
    const at = this.here();
    this.pos++;
    const bytes: number[] = [];
    for (;;) {
      if (this.pos >= t.length) this.fail("unclosed string", at);
      const c = t[this.pos];
      const code = c.charCodeAt(0);
      if (c === '"') {
        this.pos++;
        return { kind: "string", bytes: Uint8Array.from(bytes), line: at.line, col: at.col };
      }
      if (c === "\n") this.fail("unclosed string", at);
      if (code < 0x20 || code === 0x7f) this.fail("illegal character");
      if (c === "\\") {
        const e = t[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case "t":
            bytes.push(9);
            break;
          case "n":
            bytes.push(10);
            break;
          case "r":
            bytes.push(13);
            break;
          case '"':
            bytes.push(0x22);
            break;
          case "'":
            bytes.push(0x27);
            break;
          case "\\":
            bytes.push(0x5c);
            break;
          case "u": {
            const m = /^\{([0-9a-fA-F](?:_?[0-9a-fA-F])*)\}/.exec(t.slice(this.pos, this.pos + 16));
            if (!m) this.fail("malformed escape");
            const cp = parseInt(m[1].replaceAll("_", ""), 16);
            if (cp >= 0x110000 || (cp >= 0xd800 && cp < 0xe000)) this.fail("malformed escape");
            this.pos += m[0].length;
            bytes.push(...encoder.encode(String.fromCodePoint(cp)));
            break;
          }
          default: {
            const h = t.slice(this.pos - 1, this.pos + 1);
            if (!/^[0-9a-fA-F]{2}$/.test(h)) this.fail("illegal escape");
            bytes.push(parseInt(h, 16));
            this.pos++;
          }
        }
        continue;
      }
      if (code < 0x80) {
        bytes.push(code);
        this.pos++;
        continue;
      }
      // A code point (possibly a surrogate pair) as UTF-8.
      const cp = t.codePointAt(this.pos)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      this.pos += ch.length;
    }
  }

  /** An atom, string or quoted identifier, rejecting glued (reserved) tokens. */
  token(): SExpr {
    const t = this.text;
    const at = this.here();
    const start = this.pos;
    let strings = 0;
    let result: SExpr | null = null;
    let quotedId: string | null = null;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '"') {
        let s: SString;
        const bareDollar = this.pos - start === 1 && t[start] === "$";
        try {
          s = this.string();
        } catch (e) {
          // Why: `$` followed by a broken string is an empty identifier, as the reference lexer reports.
          if (bareDollar) this.fail("empty identifier", at);
          throw e;
        }
        strings++;
        result = s;
      } else if (ID_CHAR[c.charCodeAt(0)] === 1) this.pos++;
      else break;
    }
    if (this.annotationDepth > 0 && strings === 0) {
      // Inside annotations any run of non-delimiters is a (reserved) token.
      for (let c = t.charCodeAt(this.pos); c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x22;) {
        c = t.charCodeAt(++this.pos);
      }
    }
    const raw = t.slice(start, this.pos);
    if (this.pos === start) {
      const c = t[this.pos];
      const code = c.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f || code > 0x7f) this.fail("illegal character");
      this.fail("unexpected token");
    }
    if (strings === 0) {
      if (raw === "$") this.fail("empty identifier", at);
      return { kind: "atom", text: raw, line: at.line, col: at.col };
    }
    if (strings === 1 && raw[0] === '"' && raw[raw.length - 1] === '"' && result!.kind === "string") {
      return result!;
    }
    if (strings === 1 && raw.startsWith('$"') && raw.endsWith('"') && result!.kind === "string") {
      const s = result as SString;
      if (s.bytes.length === 0) this.fail("empty identifier", at);
      try {
        quotedId = strictUtf8.decode(s.bytes);
      } catch {
        this.fail("malformed UTF-8 encoding", at);
      }
      return { kind: "atom", text: "$" + quotedId, line: at.line, col: at.col };
    }
    if (this.annotationDepth > 0) return { kind: "atom", text: raw, line: at.line, col: at.col };
    this.fail("unknown operator", at);
  }
}
