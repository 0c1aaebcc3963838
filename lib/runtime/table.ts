/**
 * Tables (spec §4.2.7). Elements are held as internal values: for `funcref`, a function instance (`FuncInst`) or
 * `null`; for `externref`, any JS value, `null` being the null reference. The public `get`/`set` convert function
 * instances to and from their exported JS functions.
 *
 * @module
 */

import { trap, TrapCode } from "../trap_codes.ts";
import { ValType } from "../binary/module.ts";
import type { FuncInst } from "./func.ts";
import { defaultValue, funcToJs, toFuncref } from "./values.ts";

/** Largest table size Kiln allows. */
export const MAX_TABLE_ELEMENTS = 10_000_000;

/** Descriptor of a new table. */
export interface TableDescriptor {
  element: "funcref" | "anyfunc" | "externref";
  initial: number;
  maximum?: number;
}

/**
 * A table of references.
 *
 * @example An externref table
 * ```ts
 * import { Table } from "../../mod.ts";
 * const table = new Table({ element: "externref", initial: 2 });
 * table.set(0, "hello");
 * console.log(table.get(0), table.length); // "hello" 2
 * ```
 */
export class Table {
  /** Internal element values (see the module doc). */
  elements: unknown[];
  /** Element type as its value-type byte. */
  readonly elemType: number;
  /** Maximum length, if declared. */
  readonly maximum: number | undefined;
  /** Element limit from the store's `maxTableElements`. */
  elementLimit: number = Infinity;
  /** Growth failure traps instead of returning -1 (StoreOptions.trapOnGrowFailure). */
  trapOnGrowFailure = false;

  /**
   * Creates a table.
   *
   * @param desc Element type and sizes.
   * @param init Initial value of every element (converted like `set`). Missing or undefined: null for funcref,
   *   undefined for externref (the JS API's default value).
   * @throws TypeError when `init` is neither null nor an exported function for a funcref table.
   */
  constructor(desc: TableDescriptor, init?: unknown) {
    this.elemType = desc.element === "externref" ? ValType.externref : ValType.funcref;
    if (!Number.isInteger(desc.initial) || desc.initial < 0 || desc.initial > MAX_TABLE_ELEMENTS) {
      throw new RangeError("Table: initial size out of range");
    }
    this.maximum = desc.maximum;
    this.elements = new Array(desc.initial).fill(this.toInternal(init === undefined ? [] : [init]));
  }

  /** Creates a table from internal values (instantiation). */
  static fromType(elemType: number, initial: number, maximum: number | undefined): Table {
    const table = new Table({ element: elemType === ValType.funcref ? "funcref" : "externref", initial: 0, maximum });
    // Other reference types (exnref) hold their internal values (an Exception or null) as externref tables do.
    (table as { elemType: number }).elemType = elemType;
    table.elements = new Array(initial).fill(null);
    return table;
  }

  /** Number of elements. */
  get length(): number {
    return this.elements.length;
  }

  /**
   * Reads an element.
   *
   * @param i Element index.
   * @returns The element as a JS value (an exported function, any externref value, or null).
   */
  get(i: number): unknown {
    if (!(i >= 0 && i < this.elements.length)) throw new RangeError("Table.get: index out of bounds");
    return this.toJs(this.elements[i]);
  }

  /**
   * Writes an element.
   *
   * @param i Element index.
   * @param value New value: an exported function or null for funcref tables (anything else, undefined included, is
   *   a TypeError), any value for externref tables. Missing: the default value (null, or undefined for externref).
   */
  set(i: number, ...value: [value?: unknown]): void {
    if (!(i >= 0 && i < this.elements.length)) throw new RangeError("Table.set: index out of bounds");
    this.elements[i] = this.toInternal(value);
  }

  /**
   * Grows the table.
   *
   * @param delta Elements to add.
   * @param init Value of the new elements, converted like `set`'s (missing: the default value).
   * @returns The previous length.
   */
  grow(delta: number, ...init: [init?: unknown]): number {
    const old = this.growBy(delta, this.toInternal(init));
    if (old < 0) throw new RangeError("Table.grow: failed to grow table");
    return old;
  }

  /** `table.grow` semantics with an internal value: the old length or -1. */
  growBy(delta: number, value: unknown): number {
    const old = this.elements.length;
    const next = old + delta;
    if (next > (this.maximum ?? 0xffffffff) || next > MAX_TABLE_ELEMENTS || next > this.elementLimit) {
      if (this.trapOnGrowFailure) throw trap(TrapCode.TableGrowFailed);
      return -1;
    }
    for (let i = old; i < next; i++) this.elements.push(value);
    return old;
  }

  /** Converts an internal element value to its JS form. */
  private toJs(v: unknown): unknown {
    return this.elemType === ValType.funcref ? funcToJs(v as FuncInst | null) : v;
  }

  /**
   * Converts an optional JS value (an empty list when missing) to an internal element value: the JS API's
   * ToWebAssemblyValue, or DefaultValue when missing. Why a list: `set(0)` and `set(0, undefined)` differ for a
   * funcref table (null, and a TypeError), as in V8 and JavaScriptCore.
   */
  private toInternal(value: [value?: unknown]): unknown {
    const v = value.length === 0 ? defaultValue(this.elemType) : value[0];
    return this.elemType === ValType.funcref ? toFuncref(v) : v;
  }
}
