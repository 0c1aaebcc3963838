/**
 * WAST scripts (the spec testsuite's format): the script is lexed once into S-expressions, and each top-level
 * list becomes a {@link WastCommand}. Modules stay as S-expressions until the runner encodes them, so that a
 * module of an unsupported proposal only fails its own command.
 *
 * @module
 */

import { parseSExprRoot } from "./lexer.ts";
import { parseF32, parseF64, parseInt as parseIntLit, parseLane, setLane, V128_SHAPES } from "./numbers.ts";
import {
  headOf,
  isAtom,
  isId,
  isList,
  type SAtom,
  type SExpr,
  type SList,
  stringText,
  WatParseError,
} from "./sexpr.ts";

/** A module as written in a script: its optional name and its S-expression (`(module …)`). */
export interface WastModule {
  readonly name?: string;
  /** `true` for `(module definition …)`: compiled, not instantiated. */
  readonly definition: boolean;
  readonly expr: SList;
}

/** An action: call an export or read an exported global. */
export interface WastAction {
  readonly type: "invoke" | "get";
  /** Instance name; the latest instance when absent. */
  readonly module?: string;
  readonly field: string;
  readonly args: WastValue[];
}

/**
 * A value in a script. Numbers are raw: f32 as its 32-bit pattern, f64 as its 64-bit pattern (BigInt); a `v128`
 * keeps its shape and each lane's bits (unsigned BigInts, lane 0 first), and `bytes`, its 16 bytes (lane 0 first),
 * when no lane is a pattern. Expected results may be patterns (`nan:canonical`, `nan:arithmetic`, also per lane of
 * an `f32x4`/`f64x2` `v128`; any non-null `ref.func`/`ref.extern`; `either`).
 */
export type WastValue =
  | { readonly type: "i32"; readonly value: number }
  | { readonly type: "i64"; readonly value: bigint }
  | { readonly type: "f32"; readonly value: number | "nan:canonical" | "nan:arithmetic" }
  | { readonly type: "f64"; readonly value: bigint | "nan:canonical" | "nan:arithmetic" }
  | {
    readonly type: "v128";
    readonly shape: string;
    readonly lanes: readonly (bigint | "nan:canonical" | "nan:arithmetic")[];
    readonly bytes?: Uint8Array;
  }
  | { readonly type: "ref.null"; readonly heap: string }
  | { readonly type: "ref.extern"; readonly value: number | null }
  | { readonly type: "ref.func"; readonly value: null }
  /** A GC result pattern: any non-null reference of that kind (`ref.i31`, `ref.struct`, … in the spec scripts). */
  | { readonly type: "ref.gc"; readonly kind: "i31" | "struct" | "array" | "eq" | "any" }
  | { readonly type: "either"; readonly options: WastValue[] }
  | { readonly type: "unsupported"; readonly feature: string };

/** One command of a script, with its 1-based source line. */
export type WastCommand =
  & { readonly line: number }
  & (
    | { readonly type: "module"; readonly module: WastModule }
    | { readonly type: "module_instance"; readonly instance?: string; readonly module?: string }
    | { readonly type: "register"; readonly as: string; readonly module?: string }
    | { readonly type: "action"; readonly action: WastAction }
    | { readonly type: "assert_return"; readonly action: WastAction; readonly expected: WastValue[] }
    | {
      readonly type: "assert_trap";
      readonly action?: WastAction;
      readonly module?: WastModule;
      readonly text: string;
    }
    | { readonly type: "assert_exhaustion"; readonly action: WastAction; readonly text: string }
    | { readonly type: "assert_exception"; readonly action: WastAction }
    | {
      readonly type: "assert_invalid" | "assert_malformed" | "assert_unlinkable" | "assert_uninstantiable";
      readonly module: WastModule;
      readonly text: string;
      /**
       * Set for `assert_malformed_custom` and `assert_invalid_custom` (read as `assert_malformed` and
       * `assert_invalid`): the error expected is a CustomAnnotationError of that kind.
       */
      readonly custom?: true;
    }
    | { readonly type: "unsupported"; readonly feature: string; readonly what: string }
  );

/**
 * Parses a WAST script into commands. A malformed script (as opposed to a malformed module inside an
 * `assert_malformed`) throws {@link WatParseError}.
 *
 * @param text The script.
 * @returns The commands in order.
 * @example Parsing a script into commands
 * ```ts
 * import { parseWast } from "./wast_parser.ts";
 * const cmds = parseWast(`(module (func (export "f") (result i32) i32.const 1))
 *   (assert_return (invoke "f") (i32.const 1))`);
 * console.log(cmds.length); // 2
 * ```
 */
export function parseWast(text: string): WastCommand[] {
  const root = parseSExprRoot(text);
  const top = root.items;
  // A script made of bare module fields is one module (spec interpreter's "inline module").
  if (top.length > 0 && MODULE_FIELDS.has(headOf(top[0]))) {
    const first = top[0] as SList;
    const expr: SList = {
      kind: "list",
      items: [{ kind: "atom", text: "module", line: 1, col: 1 }, ...top],
      line: first.line,
      col: first.col,
      // The script's annotations are the module's, one item later.
      annots: root.annots?.map((a) => ({ ...a, index: a.index + 1 })),
      annotated: root.annotated,
    };
    return [{ line: first.line, type: "module", module: { definition: false, expr } }];
  }
  return top.map(command);
}

const MODULE_FIELDS = new Set([
  "type",
  "import",
  "func",
  "table",
  "memory",
  "global",
  "export",
  "start",
  "elem",
  "data",
]);

function str(e: SExpr | undefined): string {
  if (e?.kind !== "string") throw new WatParseError("unexpected token", e);
  return stringText(e);
}

function moduleOf(e: SExpr | undefined): WastModule {
  if (!isList(e, "module")) throw new WatParseError("unexpected token", e);
  let i = 1;
  let definition = false;
  if (isAtom(e.items[1], "definition")) {
    definition = true;
    i++;
  }
  const name = isId(e.items[i]) ? e.items[i] as SExpr & { text: string } : undefined;
  if (definition) {
    // Re-shape `(module definition $m …)` to `(module $m …)` for the encoder (annotations keep their place).
    const items = [e.items[0], ...e.items.slice(2)];
    const annots = e.annots?.map((a) => ({ ...a, index: a.index > 1 ? a.index - 1 : a.index }));
    return { name: name?.text, definition, expr: { ...e, items, annots } };
  }
  return { name: name?.text, definition, expr: e };
}

function action(e: SExpr | undefined): WastAction {
  if (!isList(e, "invoke") && !isList(e, "get")) throw new WatParseError("unexpected token", e);
  let i = 1;
  const module = isId(e.items[1]) ? (e.items[1] as SExpr & { text: string }).text : undefined;
  if (module) i++;
  const field = str(e.items[i]);
  const args = e.items.slice(i + 1).map(value);
  return { type: headOf(e) as "invoke" | "get", module, field, args };
}

const NUM_TYPES = new Set(["i32.const", "i64.const", "f32.const", "f64.const"]);

/** Parses a constant or result pattern. */
function value(e: SExpr): WastValue {
  if (!isList(e)) throw new WatParseError("unexpected token", e);
  const head = headOf(e);
  const arg = e.items[1];
  if (NUM_TYPES.has(head)) {
    if (!isAtom(arg)) throw new WatParseError("unexpected token", e);
    return numeric(head.slice(0, 3) as "i32" | "i64" | "f32" | "f64", arg.text, e);
  }
  switch (head) {
    case "ref.null":
      if (isAtom(arg, "func") || isAtom(arg, "extern") || isAtom(arg, "exn")) {
        return { type: "ref.null", heap: arg.text as "func" | "extern" | "exn" };
      }
      if (isAtom(arg, "noexn")) return { type: "ref.null", heap: "exn" };
      if (arg === undefined) return { type: "ref.null", heap: "func" };
      if (isAtom(arg)) return { type: "ref.null", heap: arg.text };
      return { type: "unsupported", feature: "gc" };
    case "ref.i31":
    case "ref.struct":
    case "ref.array":
    case "ref.eq":
    case "ref.any":
      if (arg !== undefined) return { type: "unsupported", feature: "gc" };
      return { type: "ref.gc", kind: head.slice(4) as "i31" | "struct" | "array" | "eq" | "any" };
    case "ref.host": // a host reference in the any hierarchy: the same host value as `ref.extern n`
    case "ref.extern":
      return { type: "ref.extern", value: arg === undefined ? null : Number((arg as { text: string }).text) };
    case "ref.func":
      return { type: "ref.func", value: null };
    case "either":
      return { type: "either", options: e.items.slice(1).map(value) };
    case "v128.const":
      return v128(e);
    default:
      if (head.startsWith("ref.")) return { type: "unsupported", feature: "gc" };
      throw new WatParseError("unexpected token", e);
  }
}

function numeric(type: "i32" | "i64" | "f32" | "f64", text: string, at: SList): WastValue {
  if ((type === "f32" || type === "f64") && (text === "nan:canonical" || text === "nan:arithmetic")) {
    return { type, value: text } as WastValue;
  }
  try {
    switch (type) {
      case "i32": {
        const v = parseIntLit(text, 32);
        if (v !== null) return { type, value: Number(v) };
        break;
      }
      case "i64": {
        const v = parseIntLit(text, 64);
        if (v !== null) return { type, value: v };
        break;
      }
      case "f32": {
        const v = parseF32(text);
        if (v !== null) return { type, value: v | 0 };
        break;
      }
      case "f64": {
        const v = parseF64(text);
        if (v !== null) return { type, value: v };
        break;
      }
    }
  } catch {
    throw new WatParseError("constant out of range", at);
  }
  throw new WatParseError("unknown operator", at);
}

/** `(v128.const shape lane*)`: an argument, or an expected result whose float lanes may be NaN patterns. */
function v128(e: SList): WastValue {
  const shapeAt = e.items[1];
  const shape = isAtom(shapeAt) ? V128_SHAPES[shapeAt.text] : undefined;
  if (shape === undefined) throw new WatParseError("unexpected token", shapeAt ?? e);
  const atoms = e.items.slice(2);
  if (atoms.length !== shape.lanes) throw new WatParseError("wrong number of lane literals", e);
  const lanes = atoms.map((a): bigint | "nan:canonical" | "nan:arithmetic" => {
    if (!isAtom(a)) throw new WatParseError("unexpected token", a);
    if (shape.float && (a.text === "nan:canonical" || a.text === "nan:arithmetic")) return a.text;
    let bits: bigint | null;
    try {
      bits = parseLane(shape, a.text);
    } catch {
      throw new WatParseError("constant out of range", a);
    }
    if (bits === null) throw new WatParseError("unknown operator", a);
    return bits;
  });
  const name = (shapeAt as SAtom).text;
  if (lanes.some((l) => typeof l === "string")) return { type: "v128", shape: name, lanes };
  const bytes = new Uint8Array(16);
  lanes.forEach((l, i) => setLane(bytes, shape.bits, i, l as bigint));
  return { type: "v128", shape: name, lanes, bytes };
}

function command(e: SExpr): WastCommand {
  if (!isList(e)) throw new WatParseError("unexpected token", e);
  const line = e.line;
  const head = headOf(e);
  const it = e.items;
  switch (head) {
    case "module":
      if (isAtom(it[1], "instance")) {
        const ids = it.slice(2).filter(isId).map((a) => a.text);
        return { line, type: "module_instance", instance: ids[0], module: ids[1] ?? ids[0] };
      }
      return { line, type: "module", module: moduleOf(e) };
    case "register":
      return {
        line,
        type: "register",
        as: str(it[1]),
        module: isId(it[2]) ? (it[2] as SExpr & { text: string }).text : undefined,
      };
    case "invoke":
    case "get":
      return { line, type: "action", action: action(e) };
    case "assert_return":
      return { line, type: "assert_return", action: action(it[1]), expected: it.slice(2).map(value) };
    case "assert_trap":
      if (isList(it[1], "module")) return { line, type: "assert_trap", module: moduleOf(it[1]), text: str(it[2]) };
      return { line, type: "assert_trap", action: action(it[1]), text: str(it[2]) };
    case "assert_exhaustion":
      return { line, type: "assert_exhaustion", action: action(it[1]), text: str(it[2]) };
    case "assert_invalid":
    case "assert_malformed":
    case "assert_unlinkable":
    case "assert_uninstantiable":
      return { line, type: head, module: moduleOf(it[1]), text: str(it[2]) };
    case "assert_exception":
      return { line, type: "assert_exception", action: action(it[1]) };
    case "assert_suspension":
      return { line, type: "unsupported", feature: "stack-switching", what: head };
    case "thread":
    case "wait":
      return { line, type: "unsupported", feature: "threads", what: head };
    case "assert_malformed_custom":
    case "assert_invalid_custom": {
      // The module's custom annotations are what fails, malformed (or misplaced) or invalid for what they annotate.
      const type = head === "assert_malformed_custom" ? "assert_malformed" : "assert_invalid";
      return { line, type, module: moduleOf(it[1]), text: str(it[2]), custom: true };
    }
    default:
      throw new WatParseError(`unknown command ${head}`, e);
  }
}
