/**
 * Exception tags and exception objects (spec 3.0 §4.2.11 and §4.2.12; JS API `WebAssembly.Tag` and
 * `WebAssembly.Exception`).
 *
 * A {@link Tag} is a tag instance: its identity is the object, its type the list of its parameters. An
 * {@link Exception} is an exception instance: its tag and its payload. The payload is held as the machine holds
 * values: numeric values as raw words (two int32 per value, so f32/f64 NaN payloads survive), references as their
 * internal values (a function instance or null for funcref, any JS value for externref, an Exception or null for
 * exnref). The guest's `throw` makes one from its slots without converting anything to JS; `getArg` converts on the
 * way out as the JS API's ToJSValue does.
 *
 * @module
 */

import { type FuncType, isRefType, ValType } from "../binary/module.ts";
import { typeIdOf } from "../validate/subtyping.ts";
import {
  jsToRaw,
  payloadWords,
  rawToJs,
  readWords,
  refToJs,
  roundTrip,
  toFuncref,
  valTypeFromName,
  type ValTypeName,
  valTypeToName,
  writeWords,
} from "./values.ts";

/** The type of a tag in the JS API: its parameter types (a tag has no results). */
export interface TagType {
  /** Parameter types, in order. */
  parameters: ValTypeName[];
}

/**
 * An exception tag: what a `catch` clause matches (by identity) and the types of an exception's payload.
 *
 * @example A tag made in JS, imported by a module that throws with it
 * ```ts
 * import { Exception, instantiate, parseWat, Tag } from "../../mod.ts";
 * const tag = new Tag({ parameters: ["i32"] });
 * const { instance } = await instantiate(parseWat(`(module (tag $t (import "env" "t") (param i32))
 *   (func (export "f") (throw $t (i32.const 42))))`), { env: { t: tag } });
 * try {
 *   await (instance.exports.f as () => Promise<void>)();
 * } catch (e) {
 *   if (!(e instanceof Exception) || e.getArg(tag, 0) !== 42) throw new Error("expected the exception");
 * }
 * ```
 */
export class Tag {
  /**
   * Parameter types (value type numbers).
   *
   * @internal
   */
  readonly params: readonly ValType[];
  /**
   * The type id of the tag's function type (`validate/subtyping.ts`): tag imports match when the ids are equal,
   * which tells apart equal signatures of different recursion groups.
   *
   * @internal
   */
  readonly typeId: number;

  /**
   * Creates a tag.
   *
   * @param type The parameter types, by name (`"i32"`, `"i64"`, `"f32"`, `"f64"`, `"funcref"`, `"externref"`,
   *   `"exnref"`).
   * @throws TypeError for an unknown type name or a missing `parameters` list.
   */
  constructor(type: TagType) {
    const parameters = type?.parameters;
    if (parameters === undefined || parameters === null || typeof parameters !== "object") {
      throw new TypeError("Tag: parameters must be a list of value types");
    }
    this.params = [...parameters].map((name) => valTypeFromName(String(name)));
    this.typeId = typeIdOf({ params: this.params, results: [] });
  }

  /**
   * A tag of a module's tag section (instantiation), of type `type` whose type id is `typeId`.
   *
   * @internal
   */
  static ofType(type: FuncType, typeId: number): Tag {
    const tag = Object.create(Tag.prototype) as { params: readonly ValType[]; typeId: number };
    tag.params = type.params;
    tag.typeId = typeId;
    return tag as Tag;
  }

  /**
   * The tag's type, as the JS API's type reflection reports it.
   *
   * @returns `{ parameters }`, by name.
   */
  type(): TagType {
    return { parameters: this.params.map(valTypeToName) };
  }
}

/** Options of a new {@link Exception}. */
export interface ExceptionOptions {
  /** Record a JS stack trace in `stack` (the JS API's `traceStack`). */
  traceStack?: boolean;
}

/**
 * An exception: a tag and a payload. Thrown by the guest's `throw` (an uncaught one reaches the JS caller as this
 * object), or made in JS and thrown by a host function, where the guest's `catch` clauses can catch it.
 *
 * @example A host function throws an exception the guest catches
 * ```ts
 * import { Exception, instantiate, parseWat, Tag } from "../../mod.ts";
 * const tag = new Tag({ parameters: ["i32"] });
 * const { instance } = await instantiate(parseWat(`(module
 *   (tag $t (import "env" "t") (param i32))
 *   (func $fail (import "env" "fail"))
 *   (func (export "f") (result i32)
 *     (block $h (result i32) (try_table (catch $t $h) (call $fail)) (i32.const 0))))`),
 *   { env: { t: tag, fail: () => { throw new Exception(tag, [7]); } } });
 * const got = await (instance.exports.f as () => Promise<number>)();
 * if (got !== 7) throw new Error("the guest caught the payload 7");
 * ```
 */
export class Exception {
  /**
   * The exception's tag.
   *
   * @internal
   */
  readonly tag: Tag;
  /**
   * Raw words of the payload: value i at words 2i, 2i + 1 (numeric values; 0 for references).
   *
   * @internal
   */
  readonly words: Int32Array;
  /**
   * Internal values of the payload's references (by value index), or null when the payload has none.
   *
   * @internal
   */
  readonly refs: unknown[] | null;
  /** A JS stack trace, when created with `traceStack: true`. */
  readonly stack?: string;

  /**
   * Creates an exception.
   *
   * @param tag Its tag.
   * @param payload One value per tag parameter, converted as the JS API's ToWebAssemblyValue.
   * @param options `traceStack` to record a stack trace.
   * @throws TypeError when `tag` is not a Tag, the payload has the wrong length, or a value does not convert.
   */
  constructor(tag: Tag, payload: Iterable<unknown>, options?: ExceptionOptions) {
    if (!(tag instanceof Tag)) throw new TypeError("Exception: tag must be a Tag");
    const values = [...payload];
    const params = tag.params;
    if (values.length !== params.length) {
      throw new TypeError(`Exception: the tag has ${params.length} parameters, got ${values.length} values`);
    }
    const words = new Int32Array(params.length * 2);
    let refs: unknown[] | null = null;
    for (let i = 0; i < params.length; i++) {
      const t = params[i]!;
      if (isRefType(t)) {
        refs ??= new Array(params.length).fill(null);
        refs[i] = t === ValType.funcref ? toFuncref(values[i]) : toExnref(t, values[i]);
      } else writeWords(t, words, 2 * i, jsToRaw(t, values[i]));
    }
    this.tag = tag;
    this.words = words;
    this.refs = refs;
    if (options?.traceStack) this.stack = new Error().stack;
  }

  /**
   * An exception the guest threw: its payload already in internal form (not converted).
   *
   * @internal
   */
  static fromWasm(tag: Tag, words: Int32Array, refs: unknown[] | null): Exception {
    const e = Object.create(Exception.prototype) as { tag: Tag; words: Int32Array; refs: unknown[] | null };
    e.tag = tag;
    e.words = words;
    e.refs = refs;
    return e as Exception;
  }

  /**
   * Whether this exception has tag `tag`.
   *
   * @param tag A tag.
   * @returns true when it is this exception's tag (identity).
   */
  is(tag: Tag): boolean {
    if (!(tag instanceof Tag)) throw new TypeError("Exception.is: tag must be a Tag");
    return this.tag === tag;
  }

  /**
   * One value of the payload, converted as the JS API's ToJSValue (i64 a BigInt, funcref an exported function).
   *
   * @param tag The exception's tag (a TypeError for another tag, as the JS API says).
   * @param index The value's position in the payload.
   * @returns The value.
   * @throws TypeError for another tag; RangeError for an index past the payload.
   */
  getArg(tag: Tag, index: number): unknown {
    if (!(tag instanceof Tag) || this.tag !== tag) throw new TypeError("Exception.getArg: not this exception's tag");
    const params = this.tag.params;
    const i = Number(index);
    if (!Number.isInteger(i) || i < 0 || i >= params.length) {
      throw new RangeError(`Exception.getArg: index ${String(index)} out of range`);
    }
    const t = params[i]!;
    // Why: the payload's words are laid out as slots, where a v128 takes four words (whose getArg is a TypeError).
    if (!isRefType(t)) return rawToJs(t, readWords(t, this.words, payloadWords(params.slice(0, i))));
    const ref = this.refs![i];
    return refToJs(t, ref);
  }
}

/** ToWebAssemblyValue for externref (any value) and exnref (an Exception or null). */
function toExnref(t: ValType, v: unknown): unknown {
  if (t === ValType.exnref && v !== null && !(v instanceof Exception)) {
    throw new TypeError("exnref value must be an Exception or null");
  }
  return roundTrip(ValType.externref, v);
}
