/**
 * Tables (spec §4.2.7). Elements are held as internal values: for `funcref`, a function instance (`FuncInst`) or
 * `null`; for `externref`, any JS value, `null` being the null reference. The public `get`/`set` convert function
 * instances to and from their exported JS functions.
 *
 * @module
 */

import { trap, TrapCode } from "../trap_codes.ts";
import { type AddressType, HeapType, storageType, ValType } from "../binary/module.ts";
import { addressValue } from "./memory.ts";
import { defaultValue, refToJs, toRef } from "./values.ts";

/** Largest table size Kiln allows. */
export const MAX_TABLE_ELEMENTS = 10_000_000;

/**
 * Descriptor of a new table. With `address: "i64"` (table64), `initial` and `maximum` are BigInts, as in the JS API.
 */
export interface TableDescriptor {
  element: "funcref" | "anyfunc" | "externref" | "anyref";
  address?: AddressType;
  initial: number | bigint;
  maximum?: number | bigint;
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
 *
 * @example A 64-bit table (table64): indices, sizes and deltas are BigInts
 * ```ts
 * import { Table } from "../../mod.ts";
 * const table = new Table({ element: "externref", address: "i64", initial: 1n });
 * table.set(0n, "x");
 * console.log(table.grow(2n), table.length, table.get(0n)); // 1n 3n "x"
 * ```
 */
export class Table {
  /** Internal element values (see the module doc). */
  elements: unknown[];
  /** Element type, in canonical form (a concrete heap type as its type id, see `subtyping.ts`). */
  readonly elemType: number;
  /** How elements are held: funcref (function instances) or externref (JS values); see `storageType`. */
  readonly storage: number;
  /** Address type: `i64` for a 64-bit table (table64), whose indices are i64 values. */
  readonly address: AddressType;
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
   * @throws TypeError when `init` is neither null nor an exported function for a funcref table, or a size has the
   *   wrong type for the address type (a BigInt for i64) or is out of its range.
   * @throws RangeError when the initial size exceeds the maximum or Kiln's {@link MAX_TABLE_ELEMENTS}.
   */
  constructor(desc: TableDescriptor | { type: number; initial: number }, init?: unknown) {
    this.elemType = "type" in desc
      ? desc.type
      : desc.element === "externref"
      ? ValType.externref
      : desc.element === "anyref"
      ? HeapType.any
      : ValType.funcref;
    this.storage = storageType(this.elemType);
    const address = "type" in desc ? undefined : desc.address;
    if (address !== undefined && address !== "i32" && address !== "i64") {
      throw new TypeError('Table: address must be "i32" or "i64"');
    }
    this.address = address ?? "i32";
    const initial = addressValue(desc.initial, this.address, "Table");
    const max = "type" in desc ? undefined : desc.maximum;
    const maximum = max === undefined ? undefined : addressValue(max, this.address, "Table");
    if (maximum !== undefined && maximum < initial) throw new RangeError("Table: maximum size out of range");
    if (initial > MAX_TABLE_ELEMENTS) throw new RangeError("Table: initial size out of range");
    this.maximum = maximum;
    // Internal construction (`fromType`, with a type) fills the elements itself.
    const internal = "type" in desc ? null : this.toInternal(init === undefined ? [] : [init]);
    this.elements = new Array(initial).fill(internal);
  }

  /**
   * Creates a table from internal values (instantiation).
   *
   * @param elemType canonical element type
   * @param init internal value of every element
   */
  static fromType(
    elemType: number,
    initial: number,
    maximum: number | undefined,
    address: AddressType = "i32",
    init: unknown = null,
  ): Table {
    const table = new Table({ type: elemType, initial: 0 });
    (table as { address: AddressType }).address = address;
    (table as { maximum: number | undefined }).maximum = maximum;
    table.elements = new Array(initial).fill(init);
    return table;
  }

  /** Number of elements (a BigInt for a 64-bit table, as in the JS API). */
  get length(): number | bigint {
    return this.address === "i64" ? BigInt(this.elements.length) : this.elements.length;
  }

  /**
   * Reads an element.
   *
   * @param i Element index (a BigInt for a 64-bit table).
   * @returns The element as a JS value (an exported function, any externref value, or null).
   */
  get(i: number | bigint): unknown {
    const k = addressValue(i, this.address, "Table.get");
    if (!(k < this.elements.length)) throw new RangeError("Table.get: index out of bounds");
    return this.toJs(this.elements[k]);
  }

  /**
   * Writes an element.
   *
   * @param i Element index (a BigInt for a 64-bit table).
   * @param value New value: an exported function or null for funcref tables (anything else, undefined included, is
   *   a TypeError), any value for externref tables. Missing: the default value (null, or undefined for externref).
   */
  set(i: number | bigint, ...value: [value?: unknown]): void {
    const k = addressValue(i, this.address, "Table.set");
    if (!(k < this.elements.length)) throw new RangeError("Table.set: index out of bounds");
    this.elements[k] = this.toInternal(value);
  }

  /**
   * Grows a 32-bit table.
   *
   * @param delta Elements to add.
   * @param init Value of the new elements, converted like `set`'s (missing: the default value).
   * @returns The previous length.
   * @throws RangeError when the table cannot grow; TypeError when it is 64-bit (it takes a BigInt).
   */
  grow(delta: number, ...init: [init?: unknown]): number;
  /**
   * Grows a 64-bit table (table64).
   *
   * @param delta Elements to add, a BigInt.
   * @param init Value of the new elements, converted like `set`'s (missing: the default value).
   * @returns The previous length, a BigInt.
   * @throws RangeError when the table cannot grow; TypeError when it is 32-bit (it takes a number).
   */
  grow(delta: bigint, ...init: [init?: unknown]): bigint;
  grow(delta: number | bigint, ...init: [init?: unknown]): number | bigint {
    const n = addressValue(delta, this.address, "Table.grow");
    const old = this.growBy(n, this.toInternal(init));
    if (old < 0) throw new RangeError("Table.grow: failed to grow table");
    return this.address === "i64" ? BigInt(old) : old;
  }

  /** `table.grow` semantics with an internal value: the old length or -1 (also for a negative delta). */
  growBy(delta: number, value: unknown): number {
    const old = this.elements.length;
    const next = old + delta;
    if (delta < 0 || next > (this.maximum ?? Infinity) || next > MAX_TABLE_ELEMENTS || next > this.elementLimit) {
      if (this.trapOnGrowFailure) throw trap(TrapCode.TableGrowFailed);
      return -1;
    }
    for (let i = old; i < next; i++) this.elements.push(value);
    return old;
  }

  /** Converts an internal element value to its JS form. */
  private toJs(v: unknown): unknown {
    return refToJs(this.elemType, v);
  }

  /**
   * Converts an optional JS value (an empty list when missing) to an internal element value: the JS API's
   * ToWebAssemblyValue, or DefaultValue when missing. Why a list: `set(0)` and `set(0, undefined)` differ for a
   * funcref table (null, and a TypeError), as in V8 and JavaScriptCore.
   */
  private toInternal(value: [value?: unknown]): unknown {
    const v = value.length === 0 ? defaultValue(this.elemType) : value[0];
    return toRef(this.elemType, v);
  }
}
