/**
 * Kiln's own random module generator, for what binaryen's translate-to-fuzz emits rarely: typed and untyped
 * `select`, multi-value blocks with parameters, big `br_table`s, every numeric operator of the opcode table
 * (picked by its stack signature, so sign-extension, saturating truncation and reinterpretations come for free),
 * bulk memory and table operations with passive and dropped segments, `memory.grow`/`table.grow`, and
 * `call_indirect` through a table with null and mistyped entries; of WebAssembly 3.0, `return_call`, `call_ref` (of
 * `ref.func`, rarely of null), exceptions (a tag, `throw` under conditions, `try_table` catching it) in half of
 * them, and a second memory in about a third of the modules (every memory instruction then picks memory 0 or 1). Modules are valid by
 * construction and terminate (loops are counted, calls and tail calls only go to lower-numbered functions; so no
 * `return_call_indirect`, which could loop forever in constant stack through the table: binaryen's modules have
 * it, with their own hang limits). Deterministic from the {@link Rng}.
 *
 * With `simd: true` (the fuzzer's `--simd`), functions also compute with `v128`: every fixed-width SIMD operator of
 * the opcode table (picked by its stack signature), `v128.const` with NaN lanes among others, splats, every SIMD
 * load (extending, splat, zero) and store, lane loads/stores and extract/replace_lane with random lanes,
 * `i8x16.shuffle` with random lane indices, and `v128` locals; vectors reach the comparison through memory, scalar
 * extracts, bitmasks and any/all_true, and logging of their two `i64` lanes. Signatures and globals stay scalar
 * (no `v128` crosses the JS boundary), and these modules have no tag and no `call_ref`, so binaryen's `--denan`
 * can read them (NaN lanes differ legitimately between engines, and only a module `--denan` can rewrite has its
 * NaN-only differences told apart from bugs). Relaxed SIMD is left out (its results are engine-dependent).
 *
 * With `gc: true` (the fuzzer's `--gc`), the type section starts with struct and array types, GC globals (exported)
 * follow the scalar ones, and expressions and statements use them (tools/_fuzz_own_gc.ts: packed fields, casts,
 * i31, `array.new_data`/`new_elem`, `array.fill`/`copy`/`init_data`/`init_elem`, extern conversions).
 *
 * @module
 */
import { ByteWriter } from "../lib/binary/leb128.ts";
import { OPCODES, OPS_BY_NAME } from "../lib/binary/opcodes.ts";
import type { Rng } from "./_fuzz_rng.ts";
import { GC_GLOBALS, GC_TYPES, GcGen, writeGcGlobals, writeGcTypes } from "./_fuzz_own_gc.ts";

type T = "i" | "I" | "f" | "F" | "V";
const VALTYPE: Record<T, number> = { i: 0x7f, I: 0x7e, f: 0x7d, F: 0x7c, V: 0x7b };
const TYPES: T[] = ["i", "I", "f", "F"];

/** Numeric operators by result type letter: [name, param letters]. */
const NUMERIC: Record<T, [string, string][]> = { i: [], I: [], f: [], F: [], V: [] };
for (const op of OPCODES) {
  if (op.feature !== "core" || op.sig === null || op.imm !== "none") continue;
  const [params, results] = op.sig.split(":") as [string, string];
  if (results.length === 1 && params.length > 0 && /^[iIfF]+$/.test(params + results)) {
    NUMERIC[results as T].push([op.name, params]);
  }
}

/** Fixed-width SIMD operators without immediates, by result type letter: [name, param letters] (`V` is v128). */
const SIMD_NUMERIC: Record<T, [string, string][]> = { i: [], I: [], f: [], F: [], V: [] };
/** SIMD operators with a lane immediate (extract_lane, replace_lane): [name, param letters, result, lanes]. */
const SIMD_LANE: [string, string, T, number][] = [];
/** SIMD loads and stores: [name, natural alignment (log2), lanes for `*_lane`, or 0]. */
const SIMD_LOADS: [string, number, number][] = [];
const SIMD_STORES: [string, number, number][] = [];
/** The lane count of a SIMD mnemonic's shape (`i8x16.…` 16) or of a lane memory access (`v128.load8_lane` 16). */
function laneCount(name: string): number {
  const shape = /^[if](\d+)x(\d+)\./.exec(name);
  if (shape) return Number(shape[2]);
  const bits = /(\d+)_lane$/.exec(name);
  return bits ? 128 / Number(bits[1]) : 0;
}
/** Natural alignment (log2 of the bytes accessed) of a SIMD load or store. */
function simdAlign(name: string): number {
  if (name === "v128.load" || name === "v128.store") return 4;
  if (/\d+x\d+_[su]$/.test(name)) return 3;
  return Math.log2(Number(/(\d+)_(splat|zero|lane)$/.exec(name)![1]) / 8);
}
for (const op of OPCODES) {
  if (op.feature !== "simd") continue;
  if (op.imm === "memarg" || op.imm === "memarg_lane") {
    const entry: [string, number, number] = [
      op.name,
      simdAlign(op.name),
      op.imm === "memarg_lane" ? laneCount(op.name) : 0,
    ];
    (op.name.includes("store") ? SIMD_STORES : SIMD_LOADS).push(entry);
    continue;
  }
  if (op.sig === null) continue;
  const [params, results] = op.sig.split(":") as [string, string];
  if (results.length !== 1 || params.length === 0) continue;
  if (op.imm === "none") SIMD_NUMERIC[results as T].push([op.name, params]);
  else if (op.imm === "lane") SIMD_LANE.push([op.name, params, results as T, laneCount(op.name)]);
}

/** Generator options. */
export interface OwnGenOptions {
  /** Compute with fixed-width SIMD too (see the module doc). */
  simd?: boolean;
  /** Use GC too: structs, arrays, i31, casts (tools/_fuzz_own_gc.ts; see the module doc). */
  gc?: boolean;
}

interface Sig {
  params: T[];
  results: T[];
}

class FuncGen {
  readonly w = new ByteWriter();
  readonly locals: T[];
  budget: number;
  /** GC code (GC modules only). */
  readonly gc: GcGen | undefined;
  constructor(
    readonly rng: Rng,
    readonly mod: ModGen,
    readonly sig: Sig,
    extraLocals: T[],
    readonly index: number,
  ) {
    this.locals = [...sig.params, ...extraLocals];
    this.budget = 40 + rng.int(300);
    this.gc = mod.gc
      ? new GcGen(this, {
        globalBase: mod.globals.length,
        funcs: mod.sigs.length,
        firstFunc: mod.importCount,
        dataSegment: 1,
        elemSegment: 1,
      })
      : undefined;
  }

  op(name: string): void {
    const info = OPS_BY_NAME.get(name);
    if (!info) throw new Error(`no opcode ${name}`);
    if (info.prefix) this.w.u8(info.prefix).u32(info.code);
    else this.w.u8(info.code);
  }

  memarg(align: number): void {
    const mem = this.memIndex();
    if (mem !== 0) this.w.u32(this.rng.int(align + 1) | 0x40).u32(mem);
    else this.w.u32(this.rng.int(align + 1));
    this.w.u32(
      this.rng.chance(0.8) ? this.rng.int(64) : this.rng.pick([0, 65535, 65536, 0xfffffff0]),
    );
  }

  /** A memory index: 0, or 1 in a module with two memories (multi-memory). */
  memIndex(): number {
    return this.mod.memories > 1 && this.rng.chance(0.4) ? 1 : 0;
  }

  address(): void {
    if (this.rng.chance(0.85)) {
      this.expr("i", 1);
      this.w.u8(0x41).s32(0x1fff); // i32.const
      this.op("i32.and");
    } else this.w.u8(0x41).s32(this.rng.pick([0, 65532, 65535, 65536, 131068, -1, -4]));
  }

  constant(t: T): void {
    const r = this.rng;
    if (t === "V") {
      // Random bits, lanes of one float edge value (NaNs, infinities, zeros of both signs, integer edges), or
      // bytes of integer edges.
      const bytes = r.bytes(16);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
      const kind = r.int(10);
      if (kind < 3) {
        const f32 = r.chance(0.5);
        const v = r.pick([NaN, -0, 0, 1, -1, Infinity, -Infinity, 0.5, 2147483648, -2147483904, 4294967296, 1e-40]);
        for (let i = 0; i < 16; i += f32 ? 4 : 8) f32 ? view.setFloat32(i, v, true) : view.setFloat64(i, v, true);
      } else if (kind < 5) { for (let i = 0; i < 16; i++) bytes[i] = r.pick([0, 0x7f, 0x80, 0xff, 1]); }
      this.op("v128.const");
      this.w.bytes(bytes);
      return;
    }
    if (t === "i") {
      this.w.u8(0x41).s32(r.chance(0.5) ? r.pick([0, 1, -1, 0x7fffffff, -0x80000000, 31, 32, 255]) : r.u32() | 0);
    } else if (t === "I") {
      this.w.u8(0x42).s64(
        r.chance(0.5)
          ? r.pick([0n, 1n, -1n, 63n, 64n, 0x7fffffffffffffffn, -0x8000000000000000n])
          : BigInt.asIntN(64, (BigInt(r.u32()) << 32n) | BigInt(r.u32())),
      );
    } else if (t === "f") {
      const v = r.chance(0.5) ? r.pick([0, -0, 1, -1, 0.5, Infinity, -Infinity, 2147483648, 3e38, 1e-45]) : NaN;
      const bytes = new Uint8Array(new Float32Array([v]).buffer);
      if (Number.isNaN(v)) new DataView(bytes.buffer).setUint32(0, r.u32(), true);
      this.w.u8(0x43).bytes(bytes);
    } else {
      const v = r.chance(0.6)
        ? r.pick([0, -0, 1, -1, 0.5, Infinity, -Infinity, 9223372036854775807, 1e308, 5e-324])
        : (r.u32() - 2 ** 31) / 7;
      this.w.u8(0x44).bytes(new Uint8Array(new Float64Array([v]).buffer));
    }
  }

  /** Emits code pushing exactly one value of type `t`. */
  expr(t: T, depth: number): void {
    const r = this.rng;
    if (t === "V") return this.vexpr(depth);
    this.budget--;
    if (depth > 6 || this.budget <= 0) {
      const ls = this.locals.map((l, i) => (l === t ? i : -1)).filter((i) => i >= 0);
      if (ls.length && r.chance(0.5)) this.op("local.get"), this.w.u32(r.pick(ls));
      else this.constant(t);
      return;
    }
    if (this.gc && r.chance(0.2)) return this.gc.scalar(t, depth);
    switch (r.int(16)) {
      case 0:
        return this.constant(t);
      case 1: {
        const ls = this.locals.map((l, i) => (l === t ? i : -1)).filter((i) => i >= 0);
        if (!ls.length) return this.constant(t);
        this.op("local.get");
        this.w.u32(r.pick(ls));
        return;
      }
      case 2: {
        this.op("global.get");
        this.w.u32(this.mod.globalOf(t));
        return;
      }
      case 3: { // load
        const loads: Record<Exclude<T, "V">, [string, number][]> = {
          i: [["i32.load", 2], ["i32.load8_s", 0], ["i32.load8_u", 0], ["i32.load16_s", 1], ["i32.load16_u", 1]],
          I: [["i64.load", 3], ["i64.load8_s", 0], ["i64.load16_u", 1], ["i64.load32_s", 2], ["i64.load32_u", 2]],
          f: [["f32.load", 2]],
          F: [["f64.load", 3]],
        };
        const [name, align] = r.pick(loads[t as Exclude<T, "V">]);
        this.address();
        this.op(name);
        this.memarg(align);
        return;
      }
      case 4: { // select, untyped or typed
        this.expr(t, depth + 1);
        this.expr(t, depth + 1);
        this.expr("i", depth + 1);
        if (r.chance(0.5)) this.w.u8(0x1b);
        else this.w.u8(0x1c).u32(1).u8(VALTYPE[t]);
        return;
      }
      case 5: { // if with result
        this.expr("i", depth + 1);
        this.op("if");
        this.w.u8(VALTYPE[t]);
        this.stmts(depth + 1, 2);
        this.expr(t, depth + 1);
        this.op("else");
        this.expr(t, depth + 1);
        this.op("end");
        return;
      }
      case 6: { // multi-value block with parameters: [t, i32] -> [t]
        this.expr(t, depth + 1);
        this.expr("i", depth + 1);
        this.op("block");
        this.w.s32(this.mod.typeIndex({ params: [t, "i"], results: [t] }));
        this.op("if");
        this.w.s32(this.mod.typeIndex({ params: [t], results: [t] }));
        this.op("drop");
        this.expr(t, depth + 1);
        this.op("end");
        this.op("end");
        return;
      }
      case 7: { // br_table over nested empty blocks, each exit yields a different constant
        const n = 1 + r.int(r.chance(0.2) ? 12 : 4);
        this.op("block");
        this.w.u8(VALTYPE[t]);
        for (let i = 0; i < n; i++) this.op("block"), this.w.u8(0x40);
        this.expr("i", depth + 1);
        this.op("br_table");
        const count = r.chance(0.1) ? 1000 + r.int(3000) : r.int(10);
        this.w.u32(count);
        for (let i = 0; i < count; i++) this.w.u32(r.int(n));
        this.w.u32(r.int(n));
        for (let i = 0; i < n; i++) {
          this.op("end");
          this.constant(t);
          this.op("br");
          this.w.u32(n - 1 - i);
        }
        this.op("end");
        return;
      }
      case 8: { // call a lower function returning t
        const callee = this.mod.calleeReturning(t, this.index);
        if (callee === undefined) return this.constant(t);
        for (const p of this.mod.sigs[callee]!.params) this.expr(p, depth + 1);
        const how = r.int(8);
        // SIMD mode: no call_ref, so that binaryen (without GC enabled) can read the module for --denan.
        if (how >= 2 || this.mod.simd) {
          this.op("call");
          this.w.u32(callee + this.mod.importCount);
          return;
        }
        // call_ref (typed function references): of `ref.func callee`, or rarely of a null `(ref null $t)` (a trap).
        const type = this.mod.typeIndex(this.mod.sigs[callee]!);
        if (how === 1 && r.chance(0.2)) this.op("ref.null"), this.w.s32(type);
        else this.op("ref.func"), this.w.u32(callee + this.mod.importCount);
        this.op("call_ref");
        this.w.u32(type);
        return;
      }
      case 9: { // call_indirect of a [] -> [t] type through the table (may trap)
        this.w.u8(0x41).s32(r.int(12));
        this.op("call_indirect");
        this.w.u32(this.mod.typeIndex({ params: [], results: [t] })).u32(0);
        return;
      }
      case 10: {
        if (t === "i") {
          const which = r.int(5);
          if (which === 0) this.op("memory.size"), this.w.u32(this.memIndex());
          else if (which === 1) {
            this.w.u8(0x41).s32(r.pick([0, 1, 2, 65536, -1]));
            this.op("memory.grow");
            this.w.u32(this.memIndex());
          } else if (which === 2) this.op("table.size"), this.w.u32(0);
          else if (which === 3) {
            this.op("ref.null");
            this.w.u8(0x70);
            this.w.u8(0x41).s32(r.pick([0, 1, 5, -1]));
            this.op("table.grow");
            this.w.u32(0);
          } else {
            this.w.u8(0x41).s32(r.int(12));
            this.op("table.get");
            this.w.u32(0);
            this.op("ref.is_null");
          }
          return;
        }
        return this.constant(t);
      }
      default: { // numeric operator
        if (this.mod.simd && r.chance(0.25)) return this.fromVector(t, depth);
        const [name, params] = r.pick(NUMERIC[t]);
        for (const p of params) this.expr(p as T, depth + 1);
        this.op(name);
      }
    }
  }

  /** Emits code pushing one `v128` (SIMD mode). */
  vexpr(depth: number): void {
    const r = this.rng;
    this.budget--;
    const vlocals = this.locals.map((l, i) => (l === "V" ? i : -1)).filter((i) => i >= 0);
    if (depth > 6 || this.budget <= 0) {
      if (vlocals.length && r.chance(0.5)) this.op("local.get"), this.w.u32(r.pick(vlocals));
      else this.constant("V");
      return;
    }
    switch (r.int(12)) {
      case 0:
        return this.constant("V");
      case 1: {
        if (!vlocals.length) return this.constant("V");
        const v = r.pick(vlocals);
        if (r.chance(0.7)) this.op("local.get"), this.w.u32(v);
        else this.vexpr(depth + 1), this.op("local.tee"), this.w.u32(v);
        return;
      }
      case 2: { // splat of a scalar
        const [name, params] = r.pick(SIMD_NUMERIC.V.filter(([, p]) => /^[iIfF]$/.test(p)));
        this.expr(params as T, depth + 1);
        this.op(name);
        return;
      }
      case 3: { // load: full, extending, splat or zero-filling
        const [name, align] = r.pick(SIMD_LOADS.filter(([, , lanes]) => lanes === 0));
        this.address();
        this.op(name);
        this.memarg(align);
        return;
      }
      case 4: { // load one lane into a vector
        const [name, align, lanes] = r.pick(SIMD_LOADS.filter(([, , l]) => l > 0));
        this.address();
        this.vexpr(depth + 1);
        this.op(name);
        this.memarg(align);
        this.w.u8(r.int(lanes));
        return;
      }
      case 5: { // replace_lane
        const [name, params, , lanes] = r.pick(SIMD_LANE.filter(([, , result]) => result === "V"));
        this.vexpr(depth + 1);
        this.expr(params[1] as T, depth + 1);
        this.op(name);
        this.w.u8(r.int(lanes));
        return;
      }
      case 6: { // shuffle with random lane indices (0-31 select from both operands)
        this.vexpr(depth + 1);
        this.vexpr(depth + 1);
        this.op("i8x16.shuffle");
        const pattern = r.int(3);
        for (let i = 0; i < 16; i++) {
          this.w.u8(pattern === 0 ? r.int(32) : pattern === 1 ? (i + r.int(2) * 16) : 15 - i);
        }
        return;
      }
      default: { // an operator: unary, binary, shift (v128 i32), bitselect (v128 v128 v128)
        const [name, params] = r.pick(SIMD_NUMERIC.V.filter(([, p]) => p.includes("V")));
        for (const p of params) this.expr(p as T, depth + 1);
        this.op(name);
      }
    }
  }

  /** Emits code pushing one scalar of type `t` computed from vectors: extract_lane, bitmask, any/all_true. */
  fromVector(t: T, depth: number): void {
    const r = this.rng;
    const lanes = SIMD_LANE.filter(([, , result]) => result === t);
    const plain = SIMD_NUMERIC[t].filter(([, p]) => p.includes("V"));
    if (plain.length && r.chance(0.4)) {
      const [name, params] = r.pick(plain);
      for (const p of params) this.expr(p as T, depth + 1);
      this.op(name);
      return;
    }
    const [name, , , count] = r.pick(lanes);
    this.vexpr(depth + 1);
    this.op(name);
    this.w.u8(r.int(count));
  }

  /** Emits a SIMD statement: a store, a lane store, a `v128` local set, or logging a vector's two `i64` lanes. */
  vstmt(depth: number): void {
    const r = this.rng;
    const which = r.int(4);
    if (which <= 1) {
      const [name, align, lanes] = r.pick(SIMD_STORES);
      this.address();
      this.vexpr(depth + 1);
      this.op(name);
      this.memarg(align);
      if (lanes) this.w.u8(r.int(lanes));
      return;
    }
    const v = this.mod.vectorLocal(this);
    this.vexpr(depth + 1);
    this.op(which === 2 ? "local.set" : "local.tee");
    this.w.u32(v);
    if (which === 2) return;
    for (const lane of [0, 1]) {
      if (lane) this.op("local.get"), this.w.u32(v);
      this.op("i64x2.extract_lane");
      this.w.u8(lane);
      this.op("call");
      this.w.u32(1); // log-i64
    }
  }

  stmts(depth: number, max: number): void {
    const n = this.rng.int(max + 1);
    for (let i = 0; i < n; i++) this.stmt(depth);
  }

  /** Emits code with no net stack effect. */
  stmt(depth: number): void {
    const r = this.rng;
    this.budget--;
    if (depth > 5 || this.budget <= 0) return;
    if (this.mod.simd && r.chance(0.2)) return this.vstmt(depth);
    if (this.gc && r.chance(0.25)) return this.gc.stmt(depth);
    switch (r.int(this.mod.tag ? 14 : 12)) {
      case 12: { // try_table catching the tag: the payload (or a constant when nothing throws) is logged
        this.op("block");
        this.w.u8(VALTYPE.i);
        this.op("try_table");
        this.w.u8(0x40).u32(1).u8(0x00).u32(0).u32(0); // (catch $tag 0): to the block, with the i32 payload
        this.stmts(depth + 1, 3);
        this.op("end");
        this.constant("i");
        this.op("end");
        this.op("call");
        this.w.u32(0); // log-i32
        return;
      }
      case 13: { // throw the tag under a condition (callers' try_tables, or the export's caller, see it)
        this.expr("i", depth + 1);
        this.op("if");
        this.w.u8(0x40);
        this.expr("i", depth + 1);
        this.op("throw");
        this.w.u32(0);
        this.op("end");
        return;
      }
      case 0: {
        const i = r.int(this.locals.length);
        if (!this.locals.length) return;
        this.expr(this.locals[i]!, depth + 1);
        this.op("local.set");
        this.w.u32(i);
        return;
      }
      case 1: {
        const t = r.pick(TYPES);
        this.expr(t, depth + 1);
        this.op("global.set");
        this.w.u32(this.mod.globalOf(t));
        return;
      }
      case 2: { // store
        const stores: [string, T, number][] = [
          ["i32.store", "i", 2],
          ["i32.store8", "i", 0],
          ["i32.store16", "i", 1],
          ["i64.store", "I", 3],
          ["i64.store32", "I", 2],
          ["f32.store", "f", 2],
          ["f64.store", "F", 3],
        ];
        const [name, t, align] = r.pick(stores);
        this.address();
        this.expr(t, depth + 1);
        this.op(name);
        this.memarg(align);
        return;
      }
      case 3: { // log
        const t = r.chance(0.6) ? "i" : "I";
        this.expr(t, depth + 1);
        this.op("call");
        this.w.u32(t === "i" ? 0 : 1);
        return;
      }
      case 4: { // bulk memory
        const which = r.int(4);
        const len = () => this.w.u8(0x41).s32(r.chance(0.8) ? r.int(64) : r.pick([65536, 0x7fffffff, -1]));
        if (which === 0) {
          this.address(), this.expr("i", depth + 1), len();
          this.op("memory.fill");
          this.w.u32(this.memIndex());
        } else if (which === 1) {
          this.address(), this.address(), len();
          this.op("memory.copy");
          this.w.u32(this.memIndex()).u32(this.memIndex());
        } else if (which === 2) {
          this.address(), this.w.u8(0x41).s32(r.int(10)), len();
          this.op("memory.init");
          this.w.u32(1).u32(this.memIndex());
        } else {
          this.op("data.drop");
          this.w.u32(r.int(2));
        }
        return;
      }
      case 5: { // table ops
        const which = r.int(4);
        const idx = () => this.w.u8(0x41).s32(r.chance(0.85) ? r.int(10) : r.pick([-1, 100]));
        if (which === 0) {
          idx();
          this.op("ref.func");
          this.w.u32(this.mod.importCount + r.int(this.mod.sigs.length));
          this.op("table.set");
          this.w.u32(0);
        } else if (which === 1) {
          idx(), idx(), idx();
          this.op("table.copy");
          this.w.u32(0).u32(0);
        } else if (which === 2) {
          idx(), this.w.u8(0x41).s32(r.int(3)), this.w.u8(0x41).s32(r.int(4));
          this.op("table.init");
          this.w.u32(1).u32(0);
        } else {
          this.op("elem.drop");
          this.w.u32(1);
        }
        return;
      }
      case 6: { // counted loop
        const counter = this.mod.counterLocal(this);
        this.w.u8(0x41).s32(r.int(r.chance(0.1) ? 200 : 8));
        this.op("local.set");
        this.w.u32(counter);
        this.op("loop");
        this.w.u8(0x40);
        this.stmts(depth + 1, 3);
        this.op("local.get");
        this.w.u32(counter);
        this.w.u8(0x41).s32(1);
        this.op("i32.sub");
        this.op("local.tee");
        this.w.u32(counter);
        this.w.u8(0x41).s32(0);
        this.op("i32.gt_s");
        this.op("br_if");
        this.w.u32(0);
        this.op("end");
        return;
      }
      case 7: { // block with a conditional early exit
        this.op("block");
        this.w.u8(0x40);
        this.stmts(depth + 1, 2);
        this.expr("i", depth + 1);
        this.op("br_if");
        this.w.u32(0);
        this.stmts(depth + 1, 2);
        this.op("end");
        return;
      }
      case 8: { // if without result
        this.expr("i", depth + 1);
        this.op("if");
        this.w.u8(0x40);
        this.stmts(depth + 1, 2);
        if (r.chance(0.5)) this.op("else"), this.stmts(depth + 1, 2);
        this.op("end");
        return;
      }
      case 9: { // drop a value (possibly trapping computation)
        this.expr(r.pick(TYPES), depth + 1);
        this.op("drop");
        return;
      }
      case 10: { // rare unreachable / return / tail call under a condition
        this.expr("i", depth + 1);
        this.op("if");
        this.w.u8(0x40);
        const which = r.int(3);
        const callee = which === 2 ? this.mod.calleeWithResults(this.sig.results, this.index) : undefined;
        if (which === 0) this.op("unreachable");
        else if (callee !== undefined) { // return_call a lower function (so calls still terminate)
          for (const p of this.mod.sigs[callee]!.params) this.expr(p, depth + 1);
          this.op("return_call");
          this.w.u32(callee + this.mod.importCount);
        } else {
          for (const t of this.sig.results) this.expr(t, depth + 1);
          this.op("return");
        }
        this.op("end");
        return;
      }
      default:
        this.expr(r.pick(TYPES), depth + 1);
        this.op("drop");
    }
  }
}

class ModGen {
  readonly types: Sig[] = [];
  readonly sigs: Sig[] = [];
  readonly importCount = 2;
  readonly globals: T[] = ["i", "I", "f", "F"];
  readonly counters = new Map<FuncGen, number>();
  /** Memories in the module: 1, or 2 (multi-memory) in about a third of the modules. */
  readonly memories: number;
  /** Whether the module has a tag `(param i32)` (exception handling), which half of the modules have (none in SIMD mode). */
  readonly tag: boolean;
  readonly vectors = new Map<FuncGen, number>();
  /** Function types follow the GC types ({@link GC_TYPES} in GC modules). */
  readonly typeBase: number;
  constructor(readonly rng: Rng, readonly simd = false, readonly gc = false) {
    this.typeBase = gc ? GC_TYPES : 0;
    this.memories = rng.chance(0.3) ? 2 : 1;
    this.tag = rng.chance(0.5) && !simd;
  }

  /** A `v128` local of `f` for statements (added on first use). */
  vectorLocal(f: FuncGen): number {
    let v = this.vectors.get(f);
    if (v === undefined) {
      v = f.locals.length;
      f.locals.push("V");
      this.vectors.set(f, v);
    }
    return v;
  }

  typeIndex(sig: Sig): number {
    const key = `${sig.params.join("")}:${sig.results.join("")}`;
    const i = this.types.findIndex((s) => `${s.params.join("")}:${s.results.join("")}` === key);
    if (i >= 0) return this.typeBase + i;
    this.types.push(sig);
    return this.typeBase + this.types.length - 1;
  }

  globalOf(t: T): number {
    return this.globals.indexOf(t);
  }

  /** A lower-numbered function whose results are `results` (a tail call's callee), if any. */
  calleeWithResults(results: readonly T[], below: number): number | undefined {
    const key = results.join("");
    const c = this.sigs.slice(0, below).map((s, i) => (s.results.join("") === key ? i : -1)).filter((i) => i >= 0);
    return c.length ? this.rng.pick(c) : undefined;
  }

  calleeReturning(t: T, below: number): number | undefined {
    const c = this.sigs.slice(0, below).map((s, i) => (s.results.length === 1 && s.results[0] === t ? i : -1))
      .filter((i) => i >= 0);
    return c.length ? this.rng.pick(c) : undefined;
  }

  counterLocal(f: FuncGen): number {
    let c = this.counters.get(f);
    if (c === undefined) {
      c = f.locals.length;
      f.locals.push("i");
      this.counters.set(f, c);
    }
    return c;
  }
}

function section(w: ByteWriter, id: number, body: ByteWriter): void {
  const bytes = body.finish();
  w.u8(id).u32(bytes.length).bytes(bytes);
}

/**
 * A random valid, terminating module (what Kiln implements) with the `fuzzing-support` log imports; with
 * `options.simd`, computing with `v128` too (see the module doc).
 */
export function ownModule(rng: Rng, options: OwnGenOptions = {}): Uint8Array {
  const m = new ModGen(rng, options.simd ?? false, options.gc ?? false);
  m.typeIndex({ params: ["i"], results: [] }); // log-i32
  m.typeIndex({ params: ["I"], results: [] }); // log-i64
  const nFuncs = 2 + rng.int(5);
  for (let i = 0; i < nFuncs; i++) {
    const params = Array.from({ length: rng.int(4) }, () => rng.pick(TYPES));
    const results = Array.from({ length: rng.chance(0.2) ? 2 + rng.int(2) : rng.int(2) }, () => rng.pick(TYPES));
    m.sigs.push(i < 3 && rng.chance(0.5) ? { params: [], results: [rng.pick(TYPES)] } : { params, results });
  }
  const bodies: Uint8Array[] = [];
  const funcTypes: number[] = [];
  for (let i = 0; i < nFuncs; i++) {
    const sig = m.sigs[i]!;
    funcTypes.push(m.typeIndex(sig));
    const extra = Array.from({ length: rng.int(rng.chance(0.05) ? 300 : 5) }, () => rng.pick(TYPES));
    if (m.simd) extra.push(...Array.from({ length: rng.int(3) }, (): T => "V"));
    const f = new FuncGen(rng, m, sig, extra, i);
    f.stmts(0, 6);
    for (const t of sig.results) f.expr(t, 0);
    f.op("end");
    const code = f.w.finish();
    const declared = f.locals.slice(sig.params.length);
    const body = new ByteWriter().u32(declared.length);
    for (const t of declared) body.u32(1).u8(VALTYPE[t]);
    const full = body.bytes(code).finish();
    bodies.push(new ByteWriter().u32(full.length).bytes(full).finish());
  }

  const w = new ByteWriter().bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const types = new ByteWriter().u32(m.typeBase + m.types.length);
  if (m.gc) writeGcTypes(types);
  for (const s of m.types) {
    types.u8(0x60).u32(s.params.length);
    for (const p of s.params) types.u8(VALTYPE[p]);
    types.u32(s.results.length);
    for (const p of s.results) types.u8(VALTYPE[p]);
  }
  section(w, 1, types);
  const imports = new ByteWriter().u32(2);
  imports.name("fuzzing-support").name("log-i32").u8(0).u32(m.typeBase);
  imports.name("fuzzing-support").name("log-i64").u8(0).u32(m.typeBase + 1);
  section(w, 2, imports);
  const funcs = new ByteWriter().u32(nFuncs);
  for (const t of funcTypes) funcs.u32(t);
  section(w, 3, funcs);
  const maxTable = rng.chance(0.5);
  section(w, 4, new ByteWriter().u32(1).u8(0x70).u8(maxTable ? 1 : 0).u32(10).bytes(maxTable ? [20] : []));
  const maxPages = rng.int(4);
  const memories = new ByteWriter().u32(m.memories).u8(maxPages ? 1 : 0).u32(1).bytes(maxPages ? [maxPages] : []);
  if (m.memories > 1) memories.u8(1).u32(1).u32(1 + rng.int(3));
  section(w, 5, memories);
  if (m.tag) section(w, 13, new ByteWriter().u32(1).u8(0).u32(m.typeBase)); // tag 0 of type [i32] -> []
  const globals = new ByteWriter().u32(4 + (m.gc ? GC_GLOBALS.length : 0));
  for (const t of m.globals) {
    globals.u8(VALTYPE[t]).u8(1);
    if (t === "i") globals.u8(0x41).s32(rng.u32() | 0);
    else if (t === "I") globals.u8(0x42).s64(BigInt(rng.u32()));
    else if (t === "f") globals.u8(0x43).bytes(new Uint8Array(new Float32Array([rng.u32() / 3]).buffer));
    else globals.u8(0x44).bytes(new Uint8Array(new Float64Array([-rng.u32() / 7]).buffer));
    globals.u8(0x0b);
  }
  if (m.gc) writeGcGlobals(globals, rng);
  section(w, 6, globals);
  const gcGlobals = m.gc ? GC_GLOBALS : [];
  const exports = new ByteWriter().u32(nFuncs + 2 + 4 + (m.memories - 1) + gcGlobals.length);
  for (let i = 0; i < nFuncs; i++) exports.name(`f${i}`).u8(0).u32(m.importCount + i);
  exports.name("mem").u8(2).u32(0);
  if (m.memories > 1) exports.name("mem1").u8(2).u32(1);
  exports.name("tab").u8(1).u32(0);
  m.globals.forEach((t, i) =>
    exports.name(`g_${t === "I" ? "i64" : t === "i" ? "i32" : t === "f" ? "f32" : "f64"}`).u8(3).u32(i)
  );
  gcGlobals.forEach((name, i) => exports.name(name).u8(3).u32(m.globals.length + i));
  section(w, 7, exports);
  // Elements: active (funcs at 0..), passive (for table.init), declarative (for ref.func of any function).
  const elems = new ByteWriter().u32(3);
  const active = Array.from({ length: 1 + rng.int(6) }, () => m.importCount + rng.int(nFuncs));
  elems.u32(0).u8(0x41).s32(rng.int(3)).u8(0x0b).u32(active.length);
  for (const f of active) elems.u32(f);
  elems.u32(1).u8(0).u32(3);
  for (let i = 0; i < 3; i++) elems.u32(m.importCount + rng.int(nFuncs));
  elems.u32(3).u8(0).u32(nFuncs);
  for (let i = 0; i < nFuncs; i++) elems.u32(m.importCount + i);
  section(w, 9, elems);
  section(w, 12, new ByteWriter().u32(2)); // data count
  const code = new ByteWriter().u32(nFuncs);
  for (const b of bodies) code.bytes(b);
  section(w, 10, code);
  const data = new ByteWriter().u32(2);
  const bytes = rng.bytes(1 + rng.int(40));
  data.u8(0).u8(0x41).s32(rng.int(1000)).u8(0x0b).u32(bytes.length).bytes(bytes);
  data.u8(1).u32(8).bytes(rng.bytes(8));
  section(w, 11, data);
  return w.finish();
}

/** A small random WAT module text (for the parser fuzzer's seed corpus when the spec suite is absent). */
export function ownText(rng: Rng): string {
  const n = rng.int(1000);
  return `(module
  (type $t (func (param i32 i64) (result i32)))
  (import "env" "f" (func $imp (param i32)))
  (memory $m 1 ${1 + rng.int(3)})
  (table $tab 4 funcref)
  (global $g (mut i32) (i32.const ${n}))
  (func $add (export "add") (type $t) (local $x f64)
    local.get 0
    local.get 1
    i32.wrap_i64
    i32.add
    block $b (result i32)
      i32.const ${rng.u32() | 0}
      br_if $b (i32.eqz (local.get 0))
      drop
      f64.const ${rng.pick(["nan", "-inf", "0x1p-1022", "1.5e10", "-0"])}
      local.set $x
      (i32.trunc_sat_f64_s (local.get $x))
    end
    select
  )
  (func (export "loop") (param $n i32) (result i32)
    (loop $l (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (call $imp (global.get $g))
    (call_indirect (type $t) (i32.const 1) (i64.const ${n}) (i32.const 0)))
  (elem (i32.const 0) func $add $add)
  (data (i32.const ${n}) "\\00\\ff${String.fromCharCode(97 + rng.int(26))}")
)`;
}
