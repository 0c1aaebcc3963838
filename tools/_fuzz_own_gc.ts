/**
 * GC code for Kiln's own module generator (`tools/_fuzz_own_gen.ts`, the fuzzer's `--gc`): what binaryen's
 * translate-to-fuzz emits rarely or never (measured on 60 of its GC modules: no `array.new_data`,
 * `array.new_elem`, `array.init_data`, `array.init_elem`, `any.convert_extern` or `extern.convert_any`, and few
 * packed accesses, `array.fill`/`array.copy` or `struct.set`).
 *
 * A GC module starts its type section with {@link GC_TYPES}: a non-final struct `$s` with a field of every storage
 * type (i32, i8, i16, i64, f32, f64 and a reference to `$s`), a final sub type `$sub` of it with one more field, and
 * arrays of i8, i16, i32, i64, f64, funcref and `(ref null $s)`. Its globals after the scalar ones are
 * {@link GC_GLOBALS}, all exported (the harness shows their objects by identity): one `(ref null $s)`, one per
 * array type, and one `anyref`. Struct and array references are built in expression trees (`struct.new*`,
 * `array.new*` of the passive data and element segments, casts of `anyref`s, field and element reads, globals);
 * scalars come out of them through field and element reads (packed ones signed and unsigned), `array.len`,
 * `ref.test`, `br_on_cast`/`br_on_cast_fail` blocks, `ref.eq`, `ref.is_null` and `i31.get_*`; statements write fields and elements, fill, copy and
 * initialise arrays from segments, and set the globals. Lengths and indices are mostly small, sometimes out of
 * bounds; no array is allocated between Kiln's size limit (2^27 bytes) and the hosts' (larger, see ROBUSTNESS.md).
 *
 * @module
 */
import type { ByteWriter } from "../lib/binary/leb128.ts";
import type { Rng } from "./_fuzz_rng.ts";

/** A scalar type letter of the own generator. */
type Scalar = "i" | "I" | "f" | "F";

/** What the GC code needs of the own generator's function generator. */
export interface GcHost {
  readonly w: ByteWriter;
  readonly rng: Rng;
  /** Emits code pushing one value of scalar type `t`. */
  expr(t: Scalar, depth: number): void;
  /** Emits code pushing a constant of scalar type `t`. */
  constant(t: Scalar): void;
}

/** Where the module generator put what the GC code refers to. */
export interface GcLayout {
  /** The index of the first of {@link GC_GLOBALS}. */
  globalBase: number;
  /** Function indices that `ref.func` may name (declared by an element segment). */
  funcs: number;
  /** The first function index of the module's own functions (after the imports). */
  firstFunc: number;
  /** A passive data segment (for `array.new_data`, `array.init_data`). */
  dataSegment: number;
  /** A passive funcref element segment (for `array.new_elem`, `array.init_elem`). */
  elemSegment: number;
}

/** Type indices of the GC types (the first of the type section). */
const S = 0, SUB = 1, A8 = 2, A16 = 3, A32 = 4, A64 = 5, AF64 = 6, AFUNC = 7, AREF = 8;
/** The array types, and the scalar each element reads as (undefined: a reference). */
const ARRAYS: readonly { type: number; elem?: Scalar; packed?: boolean }[] = [
  { type: A8, elem: "i", packed: true },
  { type: A16, elem: "i", packed: true },
  { type: A32, elem: "i" },
  { type: A64, elem: "I" },
  { type: AF64, elem: "F" },
  { type: AFUNC },
  { type: AREF },
];
/** Heap types casts and tests go to: the concrete GC types and the abstract ones below `any`. */
const CAST_TARGETS: readonly number[] = [S, SUB, A8, AREF, 0x6c, 0x6b, 0x6a, 0x6d, 0x71];

/** `$s`'s fields: the scalar each reads as, whether packed; field 6 is `(ref null $s)`. */
const S_FIELDS: readonly (Scalar | undefined)[] = ["i", "i", "i", "I", "f", "F", undefined];
const PACKED_FIELDS = new Set([1, 2]);

/** The number of GC types at the start of the type section. */
export const GC_TYPES = 9;

/** The GC globals' names, in index order from {@link GcLayout.globalBase} (exported under these names). */
export const GC_GLOBALS: readonly string[] = [
  "g_s",
  ...ARRAYS.map((a) => `g_a${a.type}`),
  "g_any",
];

/** Writes {@link GC_TYPES} type entries (the caller counts them in the section's length). */
export function writeGcTypes(w: ByteWriter): void {
  const sFields = (out: ByteWriter) => {
    for (const b of [0x7f, 0x78, 0x77, 0x7e, 0x7d, 0x7c]) out.u8(b).u8(1);
    out.u8(0x63).u8(S).u8(1); // (mut (ref null $s))
  };
  w.u8(0x50).u32(0).u8(0x5f).u32(7); // $s: (sub (struct …)), open to sub types
  sFields(w);
  w.u8(0x4f).u32(1).u32(S).u8(0x5f).u32(8); // $sub: (sub final $s (struct … (field i32)))
  sFields(w);
  w.u8(0x7f).u8(0);
  for (const b of [[0x78], [0x77], [0x7f], [0x7e], [0x7c], [0x70], [0x63, S]]) w.u8(0x5e).bytes(b).u8(1);
}

/** Writes the {@link GC_GLOBALS} entries (the caller counts them) with constant initialisers, some GC ones. */
export function writeGcGlobals(w: ByteWriter, rng: Rng): void {
  w.u8(0x63).u8(S).u8(1);
  if (rng.chance(0.5)) w.u8(0xfb).u32(1).u32(S).u8(0x0b); // struct.new_default $s
  else w.u8(0xd0).u8(S).u8(0x0b);
  for (const a of ARRAYS) {
    w.u8(0x63).u8(a.type).u8(1);
    if (rng.chance(0.6)) w.u8(0x41).s32(rng.int(6)).u8(0xfb).u32(7).u32(a.type).u8(0x0b); // array.new_default
    else w.u8(0xd0).u8(a.type).u8(0x0b);
  }
  w.u8(0x6e).u8(1).u8(0x41).s32(rng.u32() | 0).u8(0xfb).u32(28).u8(0x0b); // (mut anyref) (ref.i31 …)
}

/** Emits GC code into one function body. */
export class GcGen {
  constructor(readonly h: GcHost, readonly layout: GcLayout) {}

  #fb(sub: number): ByteWriter {
    return this.h.w.u8(0xfb).u32(sub);
  }

  /** An i32 length or index: mostly small, sometimes out of bounds (never a size between the hosts' limits). */
  #count(depth: number): void {
    const r = this.h.rng;
    if (r.chance(0.2)) {
      this.h.expr("i", depth + 1);
      this.h.w.u8(0x41).s32(15).u8(0x71); // i32.and 15
    } else this.h.w.u8(0x41).s32(r.chance(0.9) ? r.int(9) : r.pick([-1, 0x7fffffff, -0x80000000, 64]));
  }

  #global(k: number, set: boolean): void {
    this.h.w.u8(set ? 0x24 : 0x23).u32(this.layout.globalBase + k);
  }

  /** Pushes a `(ref null $s)` (sometimes a `$sub`, sometimes null). */
  struct(depth: number): void {
    const { w, rng: r } = this.h;
    if (depth > 5) {
      if (r.chance(0.5)) this.#global(0, false);
      else w.u8(0xd0).u8(S);
      return;
    }
    switch (r.int(9)) {
      case 0:
        w.u8(0xd0).u8(S);
        return;
      case 1:
      case 2:
        this.#global(0, false);
        return;
      case 3:
      case 4: { // struct.new $s or $sub with every field
        const sub = r.chance(0.3);
        for (const f of S_FIELDS) f ? this.h.expr(f, depth + 1) : this.struct(depth + 1);
        if (sub) this.h.expr("i", depth + 1);
        this.#fb(0).u32(sub ? SUB : S);
        return;
      }
      case 5:
        this.#fb(1).u32(r.chance(0.7) ? S : SUB);
        return;
      case 6: // the struct's reference field
        this.struct(depth + 1);
        this.#fb(2).u32(S).u32(6);
        return;
      case 7: // an element of an array of structs
        this.array(AREF, depth + 1);
        this.#count(depth);
        this.#fb(11).u32(AREF);
        return;
      default: // a cast of any reference (traps unless it is a $s or null)
        this.any(depth + 1);
        this.#fb(23).u8(S);
    }
  }

  /** Pushes a `(ref null $a)` for array type `type`. */
  array(type: number, depth: number): void {
    const { w, rng: r } = this.h;
    const a = ARRAYS.find((x) => x.type === type)!;
    const k = ARRAYS.indexOf(a);
    if (depth > 5) {
      this.#global(1 + k, false);
      return;
    }
    switch (r.int(9)) {
      case 0:
        w.u8(0xd0).u8(type);
        return;
      case 1:
      case 2:
        this.#global(1 + k, false);
        return;
      case 3: // array.new: a value, a length
        this.#element(a, depth);
        this.#count(depth);
        this.#fb(6).u32(type);
        return;
      case 4:
        this.#count(depth);
        this.#fb(7).u32(type);
        return;
      case 5: { // array.new_fixed
        const n = r.int(5);
        for (let i = 0; i < n; i++) this.#element(a, depth);
        this.#fb(8).u32(type).u32(n);
        return;
      }
      case 6:
      case 7: // from a segment: data for numeric arrays, elements for funcref ones
        if (type === AREF) return this.array(type, depth + 1);
        this.#count(depth);
        this.#count(depth);
        if (type === AFUNC) this.#fb(10).u32(type).u32(this.layout.elemSegment);
        else this.#fb(9).u32(type).u32(this.layout.dataSegment);
        return;
      default: // a cast of any reference
        this.any(depth + 1);
        this.#fb(23).u8(type);
    }
  }

  #element(a: (typeof ARRAYS)[number], depth: number): void {
    const { w, rng: r } = this.h;
    if (a.elem) return this.h.expr(a.elem, depth + 1);
    if (a.type === AREF) return this.struct(depth + 1);
    if (r.chance(0.3)) w.u8(0xd0).u8(0x70);
    else w.u8(0xd2).u32(this.layout.firstFunc + r.int(this.layout.funcs));
  }

  /** Pushes an `eqref`: a struct, an array or an i31. */
  #eq(depth: number): void {
    const r = this.h.rng;
    const c = r.int(3);
    if (c === 0) this.struct(depth + 1);
    else if (c === 1) this.array(r.pick(ARRAYS).type, depth + 1);
    else this.h.expr("i", depth + 1), this.#fb(28);
  }

  /** Pushes an `anyref`: an eqref, the anyref global, null, or one that went through `externref` and back. */
  any(depth: number): void {
    const { w, rng: r } = this.h;
    const c = depth > 5 ? 0 : r.int(6);
    if (c === 0) this.#global(GC_GLOBALS.length - 1, false);
    else if (c === 1) w.u8(0xd0).u8(0x6e);
    else if (c === 2) {
      this.any(depth + 1);
      this.#fb(27); // extern.convert_any
      this.#fb(26); // any.convert_extern
    } else this.#eq(depth);
  }

  /** Pushes a scalar of type `t` read out of GC objects. */
  scalar(t: Scalar, depth: number): void {
    const { w, rng: r } = this.h;
    if (t === "f") { // only $s has an f32
      this.struct(depth + 1);
      this.#fb(2).u32(S).u32(4);
      return;
    }
    const fromArray = ARRAYS.filter((a) => a.elem === t);
    const fields = S_FIELDS.map((f, i) => f === t ? i : -1).filter((i) => i >= 0);
    const c = t === "i" ? r.int(10) : r.int(2);
    if (c === 0) { // a field
      const f = r.pick(fields);
      this.struct(depth + 1);
      this.#fb(PACKED_FIELDS.has(f) ? r.pick([3, 4]) : 2).u32(S).u32(f);
    } else if (c === 1) { // an element
      const a = r.pick(fromArray);
      this.array(a.type, depth + 1);
      this.#count(depth);
      this.#fb(a.packed ? r.pick([12, 13]) : 11).u32(a.type);
    } else if (c === 2) {
      this.array(r.pick(ARRAYS).type, depth + 1);
      this.#fb(15); // array.len
    } else if (c === 3) { // ref.test (nullable or not) against a concrete or abstract type
      this.any(depth + 1);
      this.#fb(r.pick([20, 21])).u8(r.pick(CAST_TARGETS));
    } else if (c === 4) {
      this.#eq(depth);
      this.#eq(depth);
      w.u8(0xd3); // ref.eq
    } else if (c === 5) {
      this.any(depth + 1);
      w.u8(0xd1); // ref.is_null
    } else if (c === 6) { // i31.get of an i31, or of a cast of any reference (traps unless an i31)
      if (r.chance(0.5)) this.h.expr("i", depth + 1), this.#fb(28);
      else this.any(depth + 1), this.#fb(23).u8(0x6c);
      this.#fb(r.pick([29, 30]));
    } else if (c === 7) { // the struct's own type: a $sub reads its extra field
      this.struct(depth + 1);
      this.#fb(22).u8(SUB);
      this.#fb(2).u32(SUB).u32(7);
    } else if (c === 8) this.#branchOnCast(depth);
    else this.h.constant("i");
  }

  /**
   * Pushes an i32 from `br_on_cast` or `br_on_cast_fail` of an `anyref` to a concrete or abstract type, nullable or
   * not: the block's result (the branch's value or the fallthrough's) tested by `ref.test`.
   */
  #branchOnCast(depth: number): void {
    const { w, rng: r } = this.h;
    const target = r.pick(CAST_TARGETS);
    const nullable = r.chance(0.5);
    const fail = r.chance(0.5);
    // br_on_cast: the block gives (ref null target), taken or a null after the fallthrough's drop.
    // br_on_cast_fail: the block gives anyref, the failed value or the fallthrough's cast one.
    w.u8(0x02).u8(fail ? 0x6e : 0x63);
    if (!fail) w.u8(target);
    this.any(depth + 1);
    this.#fb(fail ? 25 : 24).u8(1 | (nullable ? 2 : 0)).u32(0).u8(0x6e).u8(target);
    if (!fail) w.u8(0x1a).u8(0xd0).u8(target); // drop; ref.null target
    w.u8(0x0b);
    this.#fb(r.pick([20, 21])).u8(r.pick(CAST_TARGETS));
  }

  /** Emits a GC statement (no net stack effect). */
  stmt(depth: number): void {
    const r = this.h.rng;
    const c = r.int(8);
    if (c === 0) { // struct.set
      const f = r.int(S_FIELDS.length);
      this.struct(depth + 1);
      const t = S_FIELDS[f];
      t ? this.h.expr(t, depth + 1) : this.struct(depth + 1);
      this.#fb(5).u32(S).u32(f);
      return;
    }
    const a = r.pick(ARRAYS);
    if (c === 1) { // array.set
      this.array(a.type, depth + 1);
      this.#count(depth);
      this.#element(a, depth);
      this.#fb(14).u32(a.type);
    } else if (c === 2) { // array.fill
      this.array(a.type, depth + 1);
      this.#count(depth);
      this.#element(a, depth);
      this.#count(depth);
      this.#fb(16).u32(a.type);
    } else if (c === 3) { // array.copy within one type (possibly the same array: overlapping)
      this.array(a.type, depth + 1);
      this.#count(depth);
      this.array(a.type, depth + 1);
      this.#count(depth);
      this.#count(depth);
      this.#fb(17).u32(a.type).u32(a.type);
    } else if (c === 4 && a.type !== AREF) { // array.init_data / array.init_elem
      this.array(a.type, depth + 1);
      this.#count(depth);
      this.#count(depth);
      this.#count(depth);
      if (a.type === AFUNC) this.#fb(19).u32(a.type).u32(this.layout.elemSegment);
      else this.#fb(18).u32(a.type).u32(this.layout.dataSegment);
    } else if (c === 5) {
      this.struct(depth + 1);
      this.#global(0, true);
    } else if (c === 6) {
      this.array(a.type, depth + 1);
      this.#global(1 + ARRAYS.indexOf(a), true);
    } else {
      this.any(depth + 1);
      this.#global(GC_GLOBALS.length - 1, true);
    }
  }
}
