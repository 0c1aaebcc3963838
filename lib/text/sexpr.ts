/**
 * The S-expression tree of the text format, and the error type of every text-format stage.
 *
 * @module
 */

import { printable } from "../_printable.ts";
import { CompileError } from "../errors.ts";

/** A position in the source text, 1-based. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** A parenthesised list. */
export interface SList extends Pos {
  readonly kind: "list";
  readonly items: SExpr[];
  /** The annotations written directly inside this list, in text order (absent when there are none). */
  readonly annots?: SAnnot[];
  /** Whether annotations are written in this list or in any list inside it: who looks for them skips the rest. */
  readonly annotated?: boolean;
}

/**
 * An annotation `(@name item*)` (the annotations proposal). It is kept beside the list it was written in, not among
 * its items, so every reader of the tree that does not look for annotations ignores them, as the proposal asks.
 */
export interface SAnnot extends Pos {
  readonly kind: "annot";
  /** The annotation's id, without the `@`. */
  readonly name: string;
  readonly items: SExpr[];
  /** The index in the enclosing list's items of the item that follows the annotation (`items.length` if none). */
  readonly index: number;
}

/** A keyword, number, identifier (`$x`, text includes the `$`) or other idchar run. */
export interface SAtom extends Pos {
  readonly kind: "atom";
  readonly text: string;
}

/** A string literal, as its bytes (escapes decoded). */
export interface SString extends Pos {
  readonly kind: "string";
  readonly bytes: Uint8Array;
}

/** One node of the tree. */
export type SExpr = SList | SAtom | SString;

/**
 * A malformed text-format input: the message carries the spec's `assert_malformed` wording ("unknown operator",
 * "unexpected token", "constant out of range", …) followed by the line and column.
 *
 * @example A parse error with its position
 * ```ts
 * import { WatParseError } from "./sexpr.ts";
 * const e = new WatParseError("unexpected token", { line: 1, col: 2 });
 * console.log(e.message); // "unexpected token at 1:2"
 * ```
 */
export class WatParseError extends CompileError {
  /** 1-based line of the offending token. */
  readonly line: number;
  /** 1-based column of the offending token. */
  readonly column: number;
  /** The message without the position. */
  readonly reason: string;
  constructor(reason: string, pos: Pos | undefined) {
    // Reasons quote identifiers, and a quoted identifier (`$"\1b[2J"`) can hold any character: escaped here, once
    // for every text-format stage.
    const safe = printable(reason);
    super(pos ? `${safe} at ${pos.line}:${pos.col}` : safe);
    this.name = "WatParseError";
    this.reason = safe;
    this.line = pos?.line ?? 0;
    this.column = pos?.col ?? 0;
  }
}

/**
 * A custom annotation the text format gives a meaning (`@custom`, `@name`, `@metadata.code.branch_hint`) that cannot
 * be encoded. `kind` says which: `"malformed"` for an ill-formed or misplaced annotation (the reference interpreter's
 * "custom annotation syntax error", what `assert_malformed_custom` expects), `"invalid"` for a well-formed one that
 * breaks a rule of what it annotates (its "custom validation error", what `assert_invalid_custom` expects).
 *
 * @example A misplaced `@custom` annotation
 * ```ts
 * import { parseWat } from "../../mod.ts";
 * import { CustomAnnotationError } from "./sexpr.ts";
 * let error: unknown;
 * try {
 *   parseWat(`(module (func (@custom "x" "bytes")))`);
 * } catch (e) {
 *   error = e;
 * }
 * if (!(error instanceof CustomAnnotationError) || error.kind !== "malformed") throw new Error("not rejected");
 * if (error.reason !== "misplaced @custom annotation") throw new Error(error.reason);
 * console.log(error.message); // "misplaced @custom annotation at 1:15"
 * ```
 */
export class CustomAnnotationError extends WatParseError {
  /** Whether the annotation is malformed (or misplaced) or invalid for what it annotates. */
  readonly kind: "malformed" | "invalid";
  constructor(reason: string, pos: Pos | undefined, kind: "malformed" | "invalid" = "malformed") {
    super(reason, pos);
    this.name = "CustomAnnotationError";
    this.kind = kind;
  }
}

declare const matched: unique symbol;
/**
 * Brand on the narrowed type of {@link isAtom} and {@link isList}: a failed test for one word must not narrow
 * the node away from being an atom or list in the false branch.
 */
export type Matched = { readonly [matched]: true };

/** Whether `e` is an identifier atom (`$name`). */
export function isId(e: SExpr | undefined): e is SAtom & Matched {
  return e !== undefined && e.kind === "atom" && e.text.startsWith("$");
}

/** Whether `e` is the atom `word`. */
export function isAtom(e: SExpr | undefined, word?: string): e is SAtom & Matched {
  return e !== undefined && e.kind === "atom" && (word === undefined || e.text === word);
}

/** Whether `e` is a list whose head is the atom `word` (any keyword head when `word` is omitted). */
export function isList(e: SExpr | undefined, word?: string): e is SList & Matched {
  if (e === undefined || e.kind !== "list") return false;
  if (word === undefined) return true;
  const head = e.items[0];
  return head !== undefined && head.kind === "atom" && head.text === word;
}

/** The head keyword of a list, or `""`. */
export function headOf(e: SExpr | undefined): string {
  if (e === undefined || e.kind !== "list") return "";
  const head = e.items[0];
  return head !== undefined && head.kind === "atom" ? head.text : "";
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes a string literal's bytes as a UTF-8 name; throws "malformed UTF-8 encoding". */
export function stringText(s: SString): string {
  try {
    return utf8.decode(s.bytes);
  } catch {
    throw new WatParseError("malformed UTF-8 encoding", s);
  }
}
