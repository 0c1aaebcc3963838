/**
 * The GC instructions (`0xfb`) of the interpreter, executed from the machine's cold path (records in `isa.ts`'s
 * {@link GC_BASE}). Objects are `runtime/gc_objects.ts`'s; a reference in a slot is a handle the machine gives
 * ({@link GcSlots}); a field or element moves between its field form and a slot by its storage type.
 *
 * @module
 */
import { type Module, PackedType, ValType } from "../binary/module.ts";
import type { InstanceState } from "../runtime/func.ts";
import {
  arrayElement,
  copyElements,
  defaultField,
  elementsFromBytes,
  externalize,
  fillElements,
  GcArray,
  GcStruct,
  getElement,
  internalize,
  newElements,
  packField,
  refIsOf,
  setElement,
  storageBytes,
  structFields,
  tooLarge,
} from "../runtime/gc_objects.ts";
import { trap, TrapCode, trapWithMessage } from "../trap_codes.ts";
import { GC_BASE } from "../compile/isa.ts";

/** What the GC ops need of the machine: its value stack and its reference handles. */
export interface GcSlots {
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly buffer: ArrayBuffer;
  /** The slot handle of internal reference `v` of reference type `t` (0 for null). */
  refHandle(t: number, v: unknown): number;
  /** The internal reference of slot handle `h`. */
  refValue(t: number, h: number): unknown;
}

/** Reads slot word `w` as a value of storage type `t` in field form. */
function readSlot(m: GcSlots, t: number, w: number): unknown {
  switch (t) {
    case ValType.i32:
    case ValType.f32:
      return m.i32[w]!;
    case PackedType.i8:
      return m.i32[w]! & 0xff;
    case PackedType.i16:
      return m.i32[w]! & 0xffff;
    case ValType.i64:
    case ValType.f64:
      return m.i64[w >> 1]!;
    case ValType.v128:
      return new Uint8Array(m.buffer, w << 2, 16).slice();
  }
  return m.refValue(t, m.i32[w]!);
}

/** Writes field-form value `v` of storage type `t` to slot word `w` (`signed`: packed values sign-extended). */
function writeSlot(m: GcSlots, t: number, w: number, v: unknown, signed: boolean): void {
  switch (t) {
    case ValType.i32:
    case ValType.f32:
      m.i32[w] = v as number;
      return;
    case PackedType.i8:
      m.i32[w] = signed ? ((v as number) << 24) >> 24 : v as number;
      return;
    case PackedType.i16:
      m.i32[w] = signed ? ((v as number) << 16) >> 16 : v as number;
      return;
    case ValType.i64:
    case ValType.f64:
      m.i64[w >> 1] = v as bigint;
      return;
    case ValType.v128:
      new Uint8Array(m.buffer, w << 2, 16).set(v as Uint8Array);
      return;
  }
  m.i32[w] = m.refHandle(t, v);
}

/** Words a value of storage type `t` takes in slots (a v128 two slots). */
function wordsOf(t: number): number {
  return t === ValType.v128 ? 4 : 2;
}

/** The struct of handle `h`, or the trap "null structure reference". */
function structOf(m: GcSlots, h: number): GcStruct {
  if (h === 0) throw trapWithMessage(TrapCode.NullReference, "null structure reference");
  return m.refValue(ValType.externref, h) as GcStruct;
}

/** The array of handle `h`, or the trap "null array reference". */
function arrayOf(m: GcSlots, h: number): GcArray {
  if (h === 0) throw trapWithMessage(TrapCode.NullReference, "null array reference");
  return m.refValue(ValType.externref, h) as GcArray;
}

/** Traps "out of bounds array access" unless [i, i + n) lies within `a` (unsigned i, n). */
function checkRange(a: GcArray, i: number, n: number): void {
  if (i + n > a.length) throw trap(TrapCode.ArrayOutOfBounds);
}

/** A new array of `n` default elements of type `typeIndex` (n unsigned), or the trap "allocation size too large". */
function newArray(inst: InstanceState, typeIndex: number, t: number, n: number): GcArray {
  if (tooLarge(t, n)) throw trap(TrapCode.AllocationTooLarge);
  return new GcArray(inst.typeIds[typeIndex]!, newElements(t, n), n);
}

/** Whether the handle `h` (not null) is of the module's heap type `heap`. */
function test(m: GcSlots, inst: InstanceState, h: number, heap: number): boolean {
  return refIsOf(m.refValue(ValType.externref, h), heap, inst.typeIds);
}

/**
 * Executes GC op `op` (`GC_BASE + sub`) whose immediates start at `code[pc]`, in the frame at word `fp`; returns
 * the fuel to charge beyond the op's own: 1 per element an array operation allocates, fills, copies or initializes
 * (as `memory.fill` and `memory.copy` charge per byte).
 */
export function gcOp(m: GcSlots, op: number, code: Int32Array, pc: number, fp: number, inst: InstanceState): number {
  const i32 = m.i32;
  const module: Module = inst.module;
  switch (op - GC_BASE) {
    case 0: { // struct.new base typeidx
      const base = fp + code[pc]!, x = code[pc + 1]!;
      const types = structFields(module, x);
      const fields: unknown[] = new Array(types.length);
      for (let j = 0, w = base; j < types.length; j++) {
        const t = types[j]!.type;
        fields[j] = readSlot(m, t, w);
        w += wordsOf(t);
      }
      i32[base] = m.refHandle(ValType.externref, new GcStruct(inst.typeIds[x]!, fields));
      return 0;
    }
    case 1: { // struct.new_default d typeidx
      const x = code[pc + 1]!;
      const fields = structFields(module, x).map((f) => defaultField(f.type));
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, new GcStruct(inst.typeIds[x]!, fields));
      return 0;
    }
    case 2: // struct.get d a typeidx fieldidx
    case 3: // struct.get_s
    case 4: { // struct.get_u
      const s = structOf(m, i32[fp + code[pc + 1]!]!);
      const j = code[pc + 3]!;
      const t = structFields(module, code[pc + 2]!)[j]!.type;
      writeSlot(m, t, fp + code[pc]!, s.fields[j], op - GC_BASE === 3);
      return 0;
    }
    case 5: { // struct.set a v typeidx fieldidx
      const s = structOf(m, i32[fp + code[pc]!]!);
      const j = code[pc + 3]!;
      const t = structFields(module, code[pc + 2]!)[j]!.type;
      s.fields[j] = readSlot(m, t, fp + code[pc + 1]!);
      return 0;
    }
    case 6: { // array.new d v n typeidx
      const x = code[pc + 3]!;
      const t = arrayElement(module, x).type;
      const v = packField(t, readSlot(m, t, fp + code[pc + 1]!));
      const n = i32[fp + code[pc + 2]!]! >>> 0;
      const a = newArray(inst, x, t, n);
      fillElements(a, t, 0, n, v);
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, a);
      return n;
    }
    case 7: { // array.new_default d n typeidx
      const x = code[pc + 2]!;
      const n = i32[fp + code[pc + 1]!]! >>> 0;
      const a = newArray(inst, x, arrayElement(module, x).type, n);
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, a);
      return n;
    }
    case 8: { // array.new_fixed base typeidx count
      const base = fp + code[pc]!, x = code[pc + 1]!, n = code[pc + 2]!;
      const t = arrayElement(module, x).type;
      const a = newArray(inst, x, t, n);
      for (let k = 0, w = base; k < n; k++, w += wordsOf(t)) setElement(a, t, k, readSlot(m, t, w));
      i32[base] = m.refHandle(ValType.externref, a);
      return n;
    }
    case 9: { // array.new_data d s n typeidx dataidx
      const x = code[pc + 3]!;
      const t = arrayElement(module, x).type;
      const s = i32[fp + code[pc + 1]!]! >>> 0, n = i32[fp + code[pc + 2]!]! >>> 0;
      const data = inst.datas[code[pc + 4]!]!;
      if (s + n * storageBytes(t) > data.length) throw trap(TrapCode.MemoryOutOfBounds);
      const a = newArray(inst, x, t, n);
      elementsFromBytes(a, 0, data.subarray(s), t, n);
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, a);
      return n;
    }
    case 10: { // array.new_elem d s n typeidx elemidx
      const x = code[pc + 3]!;
      const t = arrayElement(module, x).type;
      const s = i32[fp + code[pc + 1]!]! >>> 0, n = i32[fp + code[pc + 2]!]! >>> 0;
      const elem = inst.elems[code[pc + 4]!]!;
      if (s + n > elem.length) throw trap(TrapCode.TableOutOfBounds);
      const a = newArray(inst, x, t, n);
      for (let k = 0; k < n; k++) (a.elements as unknown[])[k] = elem[s + k];
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, a);
      return n;
    }
    case 11: // array.get d a i typeidx
    case 12: // array.get_s
    case 13: { // array.get_u
      const a = arrayOf(m, i32[fp + code[pc + 1]!]!);
      const i = i32[fp + code[pc + 2]!]! >>> 0;
      if (i >= a.length) throw trap(TrapCode.ArrayOutOfBounds);
      const t = arrayElement(module, code[pc + 3]!).type;
      writeSlot(m, t, fp + code[pc]!, getElement(a, t, i), op - GC_BASE === 12);
      return 0;
    }
    case 14: { // array.set a i v typeidx
      const a = arrayOf(m, i32[fp + code[pc]!]!);
      const i = i32[fp + code[pc + 1]!]! >>> 0;
      if (i >= a.length) throw trap(TrapCode.ArrayOutOfBounds);
      const t = arrayElement(module, code[pc + 3]!).type;
      setElement(a, t, i, readSlot(m, t, fp + code[pc + 2]!));
      return 0;
    }
    case 15: // array.len d a
      i32[fp + code[pc]!] = arrayOf(m, i32[fp + code[pc + 1]!]!).length;
      return 0;
    case 16: { // array.fill base typeidx: a i v n
      const base = fp + code[pc]!;
      const t = arrayElement(module, code[pc + 1]!).type;
      const a = arrayOf(m, i32[base]!);
      const i = i32[base + 2]! >>> 0;
      const v = readSlot(m, t, base + 4);
      const n = i32[base + 4 + wordsOf(t)]! >>> 0;
      checkRange(a, i, n);
      fillElements(a, t, i, n, v);
      return n;
    }
    case 17: { // array.copy base dsttype srctype: a1 i1 a2 i2 n
      const base = fp + code[pc]!;
      const t = arrayElement(module, code[pc + 1]!).type;
      const d = arrayOf(m, i32[base]!), s = arrayOf(m, i32[base + 4]!);
      const di = i32[base + 2]! >>> 0, si = i32[base + 6]! >>> 0, n = i32[base + 8]! >>> 0;
      checkRange(d, di, n);
      checkRange(s, si, n);
      copyElements(d, di, s, si, n, t);
      return n;
    }
    case 18: { // array.init_data base typeidx dataidx: a d s n
      const base = fp + code[pc]!;
      const t = arrayElement(module, code[pc + 1]!).type;
      const a = arrayOf(m, i32[base]!);
      const d = i32[base + 2]! >>> 0, s = i32[base + 4]! >>> 0, n = i32[base + 6]! >>> 0;
      const data = inst.datas[code[pc + 2]!]!;
      checkRange(a, d, n);
      if (s + n * storageBytes(t) > data.length) throw trap(TrapCode.MemoryOutOfBounds);
      elementsFromBytes(a, d, data.subarray(s), t, n);
      return n;
    }
    case 19: { // array.init_elem base typeidx elemidx: a d s n
      const base = fp + code[pc]!;
      const a = arrayOf(m, i32[base]!);
      const d = i32[base + 2]! >>> 0, s = i32[base + 4]! >>> 0, n = i32[base + 6]! >>> 0;
      const elem = inst.elems[code[pc + 2]!]!;
      checkRange(a, d, n);
      if (s + n > elem.length) throw trap(TrapCode.TableOutOfBounds);
      for (let k = 0; k < n; k++) (a.elements as unknown[])[d + k] = elem[s + k];
      return n;
    }
    case 20: // ref.test d a heaptype
    case 21: { // ref.test_null
      const h = i32[fp + code[pc + 1]!]!;
      i32[fp + code[pc]!] = (h === 0 ? op - GC_BASE === 21 : test(m, inst, h, code[pc + 2]!)) ? 1 : 0;
      return 0;
    }
    case 22: // ref.cast a heaptype
    case 23: { // ref.cast_null
      const h = i32[fp + code[pc]!]!;
      if (h === 0 ? op - GC_BASE === 22 : !test(m, inst, h, code[pc + 1]!)) throw trap(TrapCode.CastFailure);
      return 0;
    }
    case 26: { // any.convert_extern d a
      const v = m.refValue(ValType.externref, i32[fp + code[pc + 1]!]!);
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, v === null ? null : internalize(v));
      return 0;
    }
    case 27: { // extern.convert_any d a
      const v = m.refValue(ValType.externref, i32[fp + code[pc + 1]!]!);
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, v === null ? null : externalize(v));
      return 0;
    }
    case 28: // ref.i31 d a
      i32[fp + code[pc]!] = m.refHandle(ValType.externref, (i32[fp + code[pc + 1]!]! << 1) >> 1);
      return 0;
    case 29: // i31.get_s d a
    case 30: { // i31.get_u
      const h = i32[fp + code[pc + 1]!]!;
      if (h === 0) throw trapWithMessage(TrapCode.NullReference, "null i31 reference");
      const v = m.refValue(ValType.externref, h) as number;
      i32[fp + code[pc]!] = op - GC_BASE === 29 ? v : v & 0x7fffffff;
      return 0;
    }
    case 31: { // ref.eq d a b: the same object, or i31s of one value (handles differ for one value read twice)
      const a = i32[fp + code[pc + 1]!]!, b = i32[fp + code[pc + 2]!]!;
      const eq = a === b ||
        (a !== 0 && b !== 0 && m.refValue(ValType.externref, a) === m.refValue(ValType.externref, b));
      i32[fp + code[pc]!] = eq ? 1 : 0;
      return 0;
    }
  }
  throw new Error(`machine: unknown GC op ${op}`);
}
