/**
 * Guards the instrumenter writes before GC array and struct instructions (`instrument.ts`), so that a trap has
 * Wasmtime's code and message on every host, whatever the host checks first and however it words it:
 *
 * - the bulk array instructions (`array.fill`, `array.copy`, `array.init_data`, `array.init_elem`,
 *   `array.new_data`, `array.new_elem`) check their operands in Wasmtime's order, as the interpreter does
 *   (`exec/gc_ops.ts`): a null array ("null array reference"), then the array's range ("out of bounds array
 *   access"), then the segment's ("out of bounds memory access" for data, "out of bounds table access" for
 *   elements). Why: V8 checks an element segment's range before the array's, and JavaScriptCore words a segment's
 *   range like the array's. A segment's current length lives in a global of its own ({@link SegmentLengths}: its
 *   size while passive, 0 once dropped or when active or declarative), which `data.drop` and `elem.drop` clear;
 * - with `nulls` (hosts without code offsets in their backtraces, which `traps.ts` reads the trapping instruction
 *   from otherwise), `struct.get*`, `struct.set`, `array.get*`, `array.set` and `array.len` check for null first,
 *   so "null structure reference" and "null array reference" are told apart from other null traps.
 *
 * Each guard keeps the operands in scratch locals of their types, checks, and pushes them back; the instruction
 * itself then cannot trap on what was checked.
 *
 * @module
 */

import type { ByteWriter } from "../binary/leb128.ts";
import { concreteHeap, type FieldType, type Module, PackedType, refType, ValType } from "../binary/module.ts";
import { encodeValTypes } from "../binary/value_types.ts";
import { storageBytes } from "../runtime/gc_objects.ts";

/** The trap codes the GC guards record (continuing `instrument.ts` GuardTrap). */
export const GcGuardTrap = {
  NullStruct: 8,
  NullArray: 9,
  ArrayOutOfBounds: 10,
  DataOutOfBounds: 11,
  ElemOutOfBounds: 12,
} as const;

/** What a guard writes with: the code, scratch locals, the trap, and where segment lengths are. */
export interface GuardContext {
  readonly w: ByteWriter;
  readonly module: Module;
  /** A scratch local of the encoded value type `type`, the `slot`-th of that type in the function. */
  local(type: readonly number[], slot?: number): number;
  /** `kiln:trap = code; unreachable`. */
  trap(code: number): void;
  /** The lengths of segments, or undefined when the module has none to guard. */
  readonly segments: SegmentLengths | undefined;
}

/** Global indices of the segments' current lengths (`i32`, mutable), by data and element segment index. */
export interface SegmentLengths {
  readonly data: readonly number[];
  readonly elem: readonly number[];
}

// Opcodes.
const IF = 0x04, END = 0x0b, LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22, GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24, I32_CONST = 0x41, I64_CONST = 0x42, I64_GT_U = 0x56, I64_ADD = 0x7c, I64_MUL = 0x7e;
const I64_EXTEND_I32_U = 0xad, REF_IS_NULL = 0xd1, EMPTY = 0x40, PREFIX_FB = 0xfb;
const ARRAY_LEN = 15, DATA_DROP = 9, ELEM_DROP = 13;
const I32 = [ValType.i32];
/** The slot of a value operand's local: apart from the i32 operands' slots 0-3 (an i32 field's value is an i32 too). */
const VALUE_SLOT = 4;

/** The GC sub-opcodes guarded on every host: array.new_data, new_elem, fill, copy, init_data, init_elem. */
export const BULK_ARRAY_OPS: ReadonlySet<number> = new Set([9, 10, 16, 17, 18, 19]);
/** The GC sub-opcodes guarded with `nulls`: struct.get, get_s, get_u, set, array.get, get_s, get_u, set, len. */
export const NULL_CHECKED_OPS: ReadonlySet<number> = new Set([2, 3, 4, 5, 11, 12, 13, 14, 15]);

/** Whether a module needs segment-length globals: it has an array type (so code may read segments into arrays). */
export function needsSegmentLengths(module: Module): boolean {
  return module.subtypes.some((s) => s.comp.kind === "array");
}

/** The initial value of each segment-length global: data segments first, then element segments. */
export function segmentLengthInits(module: Module): number[] {
  return [
    ...module.datas.map((d) => (d.mode === "passive" ? d.bytes.length : 0)),
    ...module.elems.map((e) => (e.mode === "passive" ? e.init.length : 0)),
  ];
}

/** The element type of array type `x` (validated). */
function arrayElement(module: Module, x: number): FieldType {
  const comp = module.subtypes[x]!.comp;
  if (comp.kind !== "array") throw new Error(`internal: type ${x} is not an array type`);
  return comp.element;
}

/** The type of field `y` of struct type `x` (validated). */
function structField(module: Module, x: number, y: number): FieldType {
  const comp = module.subtypes[x]!.comp;
  if (comp.kind !== "struct") throw new Error(`internal: type ${x} is not a struct type`);
  return comp.fields[y]!;
}

/** `(ref null $x)`, encoded. */
function refNull(x: number): number[] {
  return encodeValTypes([refType(concreteHeap(x), true)]);
}

/** A field's value type as a local holds it (packed types unpacked to i32), encoded. */
function fieldLocal(type: number): number[] {
  return type === PackedType.i8 || type === PackedType.i16 ? I32 : encodeValTypes([type]);
}

/**
 * Writes the guard of GC instruction `sub` (immediates `x`, `y`) and the pushes of its operands back; the caller
 * writes the instruction after it.
 *
 * @returns the local holding the instruction's element count (for its fuel), or -1 when it has none
 */
export function writeGcGuard(g: GuardContext, sub: number, x: number, y: number): number {
  const { w, module } = g;
  const set = (l: number) => w.u8(LOCAL_SET).u32(l);
  const get = (l: number) => w.u8(LOCAL_GET).u32(l);
  const ifThenTrap = (code: number) => {
    w.u8(IF).u8(EMPTY);
    g.trap(code);
    w.u8(END);
  };
  const nullCheck = (ref: number, code: number) => {
    get(ref).u8(REF_IS_NULL);
    ifThenTrap(code);
  };
  /** Traps with `code` when `start + count × scale` (all unsigned) exceeds the i32 `length()` pushes. */
  const rangeCheck = (start: number, count: number, scale: number, length: () => void, code: number) => {
    get(start).u8(I64_EXTEND_I32_U);
    get(count).u8(I64_EXTEND_I32_U);
    if (scale !== 1) w.u8(I64_CONST).s32(scale).u8(I64_MUL);
    w.u8(I64_ADD);
    length();
    w.u8(I64_EXTEND_I32_U).u8(I64_GT_U);
    ifThenTrap(code);
  };
  const arrayLength = (ref: number) => () => get(ref).u8(PREFIX_FB).u32(ARRAY_LEN);
  const segmentLength = (global: number) => () => w.u8(GLOBAL_GET).u32(global);
  const i32s = [0, 1, 2, 3].map((k) => () => g.local(I32, k));

  switch (sub) {
    case 2: // struct.get x y: [ref]
    case 3:
    case 4: {
      const ref = g.local(refNull(x));
      w.u8(LOCAL_TEE).u32(ref);
      w.u8(REF_IS_NULL);
      ifThenTrap(GcGuardTrap.NullStruct);
      get(ref);
      return -1;
    }
    case 5: { // struct.set x y: [ref, v]
      const v = g.local(fieldLocal(structField(module, x, y).type), VALUE_SLOT);
      const ref = g.local(refNull(x));
      set(v);
      set(ref);
      nullCheck(ref, GcGuardTrap.NullStruct);
      get(ref);
      get(v);
      return -1;
    }
    case 11: // array.get x: [ref, i]
    case 12:
    case 13:
    case 15: { // array.len: [arrayref]
      const ref = g.local(sub === 15 ? [0x6a] : refNull(x));
      const i = sub === 15 ? -1 : i32s[0]!();
      if (sub !== 15) set(i);
      set(ref);
      nullCheck(ref, GcGuardTrap.NullArray);
      get(ref);
      if (sub !== 15) get(i);
      return -1;
    }
    case 14: { // array.set x: [ref, i, v]
      const v = g.local(fieldLocal(arrayElement(module, x).type), VALUE_SLOT);
      const ref = g.local(refNull(x)), i = i32s[0]!();
      set(v);
      set(i);
      set(ref);
      nullCheck(ref, GcGuardTrap.NullArray);
      get(ref);
      get(i);
      get(v);
      return -1;
    }
    case 16: { // array.fill x: [ref, i, v, n]
      const v = g.local(fieldLocal(arrayElement(module, x).type), VALUE_SLOT);
      const ref = g.local(refNull(x)), i = i32s[0]!(), n = i32s[1]!();
      set(n);
      set(v);
      set(i);
      set(ref);
      nullCheck(ref, GcGuardTrap.NullArray);
      rangeCheck(i, n, 1, arrayLength(ref), GcGuardTrap.ArrayOutOfBounds);
      get(ref);
      get(i);
      get(v);
      get(n);
      return n;
    }
    case 17: { // array.copy x y: [dst, di, src, si, n]
      const dst = g.local(refNull(x)), src = g.local(refNull(y), 1); // x may be y
      const di = i32s[0]!(), si = i32s[1]!(), n = i32s[2]!();
      set(n);
      set(si);
      set(src);
      set(di);
      set(dst);
      nullCheck(dst, GcGuardTrap.NullArray);
      nullCheck(src, GcGuardTrap.NullArray);
      rangeCheck(di, n, 1, arrayLength(dst), GcGuardTrap.ArrayOutOfBounds);
      rangeCheck(si, n, 1, arrayLength(src), GcGuardTrap.ArrayOutOfBounds);
      for (const l of [dst, di, src, si, n]) get(l);
      return n;
    }
    case 18: // array.init_data x y: [ref, d, s, n]
    case 19: { // array.init_elem x y
      const ref = g.local(refNull(x)), d = i32s[0]!(), s = i32s[1]!(), n = i32s[2]!();
      set(n);
      set(s);
      set(d);
      set(ref);
      nullCheck(ref, GcGuardTrap.NullArray);
      rangeCheck(d, n, 1, arrayLength(ref), GcGuardTrap.ArrayOutOfBounds);
      segmentCheck(sub === 18, s, n);
      for (const l of [ref, d, s, n]) get(l);
      return n;
    }
    case 9: // array.new_data x y: [s, n]
    case 10: { // array.new_elem x y
      const s = i32s[0]!(), n = i32s[1]!();
      set(n);
      set(s);
      segmentCheck(sub === 9, s, n);
      get(s);
      get(n);
      return n;
    }
    default:
      throw new Error(`internal: no GC guard for 0xfb ${sub}`);
  }

  /** The range `[s, s + n)` of segment `y` (data: in bytes of the array's elements), else its trap. */
  function segmentCheck(data: boolean, s: number, n: number): void {
    const lengths = g.segments!;
    if (data) {
      const scale = storageBytes(arrayElement(module, x).type);
      rangeCheck(s, n, scale, segmentLength(lengths.data[y]!), GcGuardTrap.DataOutOfBounds);
    } else {
      rangeCheck(s, n, 1, segmentLength(lengths.elem[y]!), GcGuardTrap.ElemOutOfBounds);
    }
  }
}

/**
 * After `data.drop` or `elem.drop` (`0xfc` sub-opcode `sub`, segment `index`): the segment's length global set to 0.
 *
 * @returns whether `sub` was a drop
 */
export function writeDropLength(w: ByteWriter, segments: SegmentLengths, sub: number, index: number): boolean {
  const global = sub === DATA_DROP ? segments.data[index] : sub === ELEM_DROP ? segments.elem[index] : undefined;
  if (global === undefined) return false;
  w.u8(I32_CONST).u8(0).u8(GLOBAL_SET).u32(global);
  return true;
}
