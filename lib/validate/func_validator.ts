/**
 * Validation of function bodies: the spec's validation algorithm (spec appendix "Validation Algorithm") with an
 * operand stack and a control stack, the polymorphic stack after `unreachable`, `br`, `br_table` and `return`.
 *
 * Each rule lives in one place: the fixed signatures of numeric instructions come from the opcode table
 * (`OpInfo.sig`); the instructions whose typing depends on immediates are handled by hand below.
 * One {@link FuncValidator} is reused for every function of a module, so validation allocates almost nothing per
 * instruction.
 *
 * @module
 */
import { CompileError, UnexpectedEndError } from "../errors.ts";
import { InstructionReader, PREFIX_FB, PREFIX_FC, PREFIX_FD } from "../binary/instruction_reader.ts";
import { ByteReader } from "../binary/leb128.ts";
import {
  concreteHeap,
  type FieldType,
  type FuncBody,
  type FuncType,
  HeapType,
  heapTypeIndex,
  heapTypeOf,
  isNullable,
  isRefType,
  type Module,
  NON_NULL,
  PackedType,
  refType,
  type ValType,
  valTypeName,
} from "../binary/module.ts";
import { FC_OPS, FD_OPS, IMPLEMENTED_FEATURES, type OpInfo, SINGLE_BYTE_OPS } from "../binary/opcodes.ts";
import { blockTypeOf } from "./block_type.ts";
import { checkValType, funcTypeOfIndex, type ValidationContext } from "./context.ts";
import { areSubtypes, BOTTOM_HEAP, isSubtype, UNKNOWN } from "./subtyping.ts";

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, FUNCREF = 0x70, EXNREF = 0x69, EQREF = 0x6d;

// Why a set beside the module: the runtime refuses to instantiate GC code until the machine runs it (runtime/gc.ts).
const GC_CODE = new WeakSet<Module>();

/** Whether a validated module's function bodies use a GC instruction (`ref.eq` or a `0xfb` one). */
export function usesGcInstructions(module: Module): boolean {
  return GC_CODE.has(module);
}

/** Whether a storage type is packed (`i8`, `i16`). */
const isPacked = (t: number): boolean => t === PackedType.i8 || t === PackedType.i16;
/** The value type a storage type's values have on the stack: i32 for the packed ones. */
const unpacked = (t: number): ValType => (isPacked(t) ? I32 : t);
/** Whether a field of storage type `t` has a default value (spec 3.0 §3.2.4): numeric, packed or nullable. */
const defaultable = (t: number): boolean => !isRefType(t) || isNullable(t);

/** Opcodes that open or restructure blocks, as kept in the control stack (the last three: legacy exceptions). */
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, TRY = 0x06, CATCH = 0x07, CATCH_ALL = 0x19;

/** A fixed signature, parsed once from the opcode table's `sig` string. */
interface Sig {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  /** The first and second parameter (0 when absent), for the inline fast path. */
  readonly p0: ValType;
  readonly p1: ValType;
}

const LETTER: Record<string, ValType> = { i: I32, I: I64, f: F32, F: F64, V: V128 };

function parseSig(info: OpInfo | undefined): Sig | undefined {
  if (info === undefined || info.sig === null || !IMPLEMENTED_FEATURES.has(info.feature)) return undefined;
  const [p, r] = info.sig.split(":") as [string, string];
  const params = [...p].map((c) => LETTER[c]!);
  const results = [...r].map((c) => LETTER[c]!);
  return { params, results, p0: params[0] ?? 0, p1: params[1] ?? 0 };
}

// Why: indexing an array beats parsing the table's strings per instruction. Why built by the first validator, not
// as the module loads: a run whose modules a compile cache already validated never needs them.
let SINGLE_SIGS: readonly (Sig | undefined)[] = [];
let FC_SIGS: readonly (Sig | undefined)[] = [];
let FD_SIGS: readonly (Sig | undefined)[] = [];
/**
 * Per `0xfd` sub-opcode: the number of lanes its lane immediate indexes (`extract_lane`, `replace_lane`: the shape's;
 * `load*_lane`, `store*_lane`: 128 / the access size), 0 for the others. From the mnemonics in the opcode table.
 */
let FD_LANES: Uint8Array = new Uint8Array(0);
/**
 * Natural alignment (log2 of the access size, spec §3.3.7) of the SIMD loads and stores, by `0xfd` sub-opcode;
 * 255 for the others. `v128.load`/`store` 16 bytes; `load8x8_*` … `load32x2_*` 8; `loadN_splat`, `loadN_lane`,
 * `storeN_lane` N/8; `load32_zero` 4, `load64_zero` 8.
 */
let FD_NATURAL_ALIGN: Uint8Array = new Uint8Array(0);

function buildTables(): void {
  SINGLE_SIGS = SINGLE_BYTE_OPS.map(parseSig);
  FC_SIGS = FC_OPS.map(parseSig);
  FD_SIGS = FD_OPS.map(parseSig);
  FD_LANES = new Uint8Array(FD_OPS.length);
  FD_OPS.forEach((info, sub) => {
    if (info?.imm === "lane") FD_LANES[sub] = Number(/^[if]\d+x(\d+)\./.exec(info.name)![1]);
    else if (info?.imm === "memarg_lane") FD_LANES[sub] = 128 / Number(/(\d+)_lane$/.exec(info.name)![1]);
  });
  FD_NATURAL_ALIGN = new Uint8Array(FD_OPS.length).fill(255);
  FD_OPS.forEach((info, sub) => {
    if (info?.imm !== "memarg" && info?.imm !== "memarg_lane") return;
    const bits = /(?:load|store)(\d+)(?:_splat|_lane|_zero)$/.exec(info.name);
    FD_NATURAL_ALIGN[sub] = bits ? Math.log2(Number(bits[1]) / 8) : /x/.test(info.name) ? 3 : 4;
  });
}

/** Natural alignment (log2 of the access size) of each load and store, indexed by `opcode - 0x28`. */
const NATURAL_ALIGN = Uint8Array.of(2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 3, 2, 3, 0, 1, 0, 1, 2);
/** Value type each load produces or each store consumes, indexed by `opcode - 0x28`. */
const MEMORY_TYPE = Uint8Array.of(
  I32,
  I64,
  F32,
  F64,
  I32,
  I32,
  I32,
  I32,
  I64,
  I64,
  I64,
  I64,
  I64,
  I64, // loads
  I32,
  I64,
  F32,
  F64,
  I32,
  I32,
  I64,
  I64,
  I64, // stores
);

const typeName = (t: number): string => (t === UNKNOWN ? "unknown" : valTypeName(t));

/** Whether a local of type `t` has a default value (every type but a non-nullable reference). */
const isDefaultable = (t: ValType): boolean => !isRefType(t) || isNullable(t);

/**
 * Validates function bodies of one module. Reusable: call {@link FuncValidator.validate} once per function.
 *
 * @example Validating a function body
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { buildContext } from "./context.ts";
 * import { FuncValidator } from "./func_validator.ts";
 * // (module (func))
 * const m = decodeModule(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 11]));
 * new FuncValidator(buildContext(m)).validate(0);
 * ```
 */
export class FuncValidator {
  readonly #ctx: ValidationContext;
  // Operand stack of value types (UNKNOWN for the bottom type).
  #vals = new Int32Array(64);
  #height = 0;
  // Control stack, one entry per open block, as parallel arrays.
  #ctrlOp = new Uint8Array(16);
  #ctrlType: FuncType[] = [];
  #ctrlHeight = new Int32Array(16);
  #ctrlUnreachable = new Uint8Array(16);
  #ctrlInits = new Int32Array(16);
  #depth = 0;
  // Local types: params then declared locals, expanded when few, else looked up in the runs.
  #locals = new Int32Array(256);
  #localCount = 0;
  #runEnds: number[] = [];
  #runTypes: ValType[] = [];
  #expanded = true;
  // Non-defaultable locals (spec 3.0 §3.4.11): which are set, and in which order, so a block's end can unset them.
  #checkInits = false;
  #paramCount = 0;
  #inited = new Set<number>();
  #initOrder: number[] = [];
  #at = 0;

  // Why: one reader per module, re-aimed at each body, instead of an allocation per function.
  readonly #reader: InstructionReader;

  constructor(ctx: ValidationContext) {
    if (SINGLE_SIGS.length === 0) buildTables();
    this.#ctx = ctx;
    this.#reader = new InstructionReader(new ByteReader(ctx.module.bytes));
  }

  /**
   * Validates the body of defined function `definedIndex` (0 is the first non-imported function).
   *
   * @param definedIndex Position in `module.funcs` / `module.codes`.
   * @throws CompileError with the spec's message and the offending instruction's offset.
   */
  validate(definedIndex: number): void {
    const ctx = this.#ctx;
    const module = ctx.module;
    const body = module.codes[definedIndex]!;
    const type = ctx.funcs[module.importedFuncs + definedIndex]!;
    this.#setLocals(type, body);
    this.#height = 0;
    this.#depth = 0;
    this.#pushCtrl(BLOCK, { params: [], results: type.results });
    const r = this.#reader;
    r.bytes.pos = body.start;
    r.bytes.end = body.end;
    try {
      this.#run(r, type);
    } catch (e) {
      if (e instanceof UnexpectedEndError) {
        throw new CompileError("unexpected end of section or function", e.offset);
      }
      throw e;
    }
  }

  #setLocals(type: FuncType, body: FuncBody): void {
    const total = type.params.length + body.localCount;
    this.#localCount = total;
    this.#paramCount = type.params.length;
    this.#checkInits = false;
    this.#inited.clear();
    this.#initOrder.length = 0;
    for (const run of body.locals) {
      checkValType(this.#ctx, run.type, body.start);
      if (!isDefaultable(run.type)) this.#checkInits = true;
    }
    this.#expanded = total <= 65536;
    if (this.#expanded) {
      if (this.#locals.length < total) this.#locals = new Int32Array(Math.max(total, this.#locals.length * 2));
      const locals = this.#locals;
      let i = 0;
      for (const p of type.params) locals[i++] = p;
      for (const run of body.locals) {
        locals.fill(run.type, i, i + run.count);
        i += run.count;
      }
      return;
    }
    const ends: number[] = [];
    const types: ValType[] = [];
    let end = 0;
    for (const p of type.params) {
      ends.push(++end);
      types.push(p);
    }
    for (const run of body.locals) {
      if (run.count === 0) continue;
      end += run.count;
      ends.push(end);
      types.push(run.type);
    }
    this.#runEnds = ends;
    this.#runTypes = types;
  }

  #localType(index: number): ValType {
    if (index >= this.#localCount) throw new CompileError(`unknown local ${index}`, this.#at);
    if (this.#expanded) return this.#locals[index]!;
    const ends = this.#runEnds;
    let lo = 0, hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > index) hi = mid;
      else lo = mid + 1;
    }
    return this.#runTypes[lo]!;
  }

  // ---- Operand stack (spec appendix: push_val, pop_val, pop_vals) ----

  #push(t: ValType): void {
    if (this.#height === this.#vals.length) {
      const grown = new Int32Array(this.#vals.length * 2);
      grown.set(this.#vals);
      this.#vals = grown;
    }
    this.#vals[this.#height++] = t;
  }

  #pop(): ValType {
    const d = this.#depth - 1;
    if (this.#height === this.#ctrlHeight[d]) {
      if (this.#ctrlUnreachable[d]) return UNKNOWN;
      throw new CompileError("type mismatch: instruction requires a value but the stack is empty", this.#at);
    }
    return this.#vals[--this.#height]!;
  }

  #popExpect(expected: ValType): ValType {
    const actual = this.#pop();
    if (actual !== expected && !isSubtype(actual, expected, this.#ctx.typeIds)) {
      throw new CompileError(`type mismatch: expected ${typeName(expected)} but found ${typeName(actual)}`, this.#at);
    }
    return actual === UNKNOWN ? expected : actual;
  }

  #popVals(types: ArrayLike<ValType>): void {
    for (let i = types.length - 1; i >= 0; i--) this.#popExpect(types[i]!);
  }

  #pushVals(types: ArrayLike<ValType>): void {
    for (let i = 0; i < types.length; i++) this.#push(types[i]!);
  }

  /** Checks that the top of the stack matches `types` without changing it (for `br_table`'s targets). */
  #peekVals(types: readonly ValType[]): void {
    const d = this.#depth - 1;
    const base = this.#ctrlHeight[d]!;
    for (let i = 0; i < types.length; i++) {
      const pos = this.#height - types.length + i;
      let actual: number;
      if (pos < base) {
        if (!this.#ctrlUnreachable[d]) {
          throw new CompileError("type mismatch: instruction requires more values than the stack has", this.#at);
        }
        actual = UNKNOWN;
      } else actual = this.#vals[pos]!;
      const expected = types[i]!;
      if (actual !== expected && !isSubtype(actual, expected, this.#ctx.typeIds)) {
        throw new CompileError(`type mismatch: expected ${typeName(expected)} but found ${typeName(actual)}`, this.#at);
      }
    }
  }

  /** Applies a fixed signature; the common case (operands present and of the right types) is inline. */
  #applySig(sig: Sig): void {
    const n = sig.params.length;
    const h = this.#height;
    const v = this.#vals;
    if (
      h - n >= this.#ctrlHeight[this.#depth - 1]! &&
      (n === 0 || (n === 1 && v[h - 1] === sig.p0) || (n === 2 && v[h - 2] === sig.p0 && v[h - 1] === sig.p1))
    ) {
      this.#height = h - n;
    } else {
      this.#popVals(sig.params);
    }
    this.#pushVals(sig.results);
  }

  // ---- Control stack (push_ctrl, pop_ctrl, label_types, unreachable) ----

  #pushCtrl(op: number, type: FuncType): void {
    const d = this.#depth;
    if (d === this.#ctrlOp.length) {
      const n = d * 2;
      const op2 = new Uint8Array(n), h2 = new Int32Array(n), u2 = new Uint8Array(n), i2 = new Int32Array(n);
      op2.set(this.#ctrlOp);
      h2.set(this.#ctrlHeight);
      u2.set(this.#ctrlUnreachable);
      i2.set(this.#ctrlInits);
      this.#ctrlOp = op2;
      this.#ctrlHeight = h2;
      this.#ctrlUnreachable = u2;
      this.#ctrlInits = i2;
    }
    this.#ctrlInits[d] = this.#initOrder.length;
    this.#ctrlOp[d] = op;
    this.#ctrlType[d] = type;
    this.#ctrlHeight[d] = this.#height;
    this.#ctrlUnreachable[d] = 0;
    this.#depth = d + 1;
    this.#pushVals(type.params);
  }

  /** Pops the innermost frame's results and checks that nothing else is left in it. */
  #popCtrl(): number {
    const d = this.#depth - 1;
    this.#popVals(this.#ctrlType[d]!.results);
    if (this.#height !== this.#ctrlHeight[d]) {
      throw new CompileError("type mismatch: values remaining on stack at end of block", this.#at);
    }
    this.#resetInits(d);
    this.#depth = d;
    return d;
  }

  /** Unsets the locals first set inside frame `d` (they are initialized only within it). */
  #resetInits(d: number): void {
    if (!this.#checkInits) return;
    const order = this.#initOrder;
    while (order.length > this.#ctrlInits[d]!) this.#inited.delete(order.pop()!);
  }

  /** `local.get`'s type of local `index`, which must be initialized if it has no default. */
  #getLocal(index: number): ValType {
    const t = this.#localType(index);
    if (this.#checkInits && index >= this.#paramCount && !isDefaultable(t) && !this.#inited.has(index)) {
      throw new CompileError("uninitialized local", this.#at);
    }
    return t;
  }

  /** `local.set`'s and `local.tee`'s type of local `index`, which they initialize. */
  #setLocal(index: number): ValType {
    const t = this.#localType(index);
    if (this.#checkInits && !isDefaultable(t) && !this.#inited.has(index)) {
      this.#inited.add(index);
      this.#initOrder.push(index);
    }
    return t;
  }

  /** Pops a reference (spec appendix `pop_ref`): an unknown operand is `(ref bot)`. */
  #popRef(): ValType {
    const t = this.#pop();
    if (t === UNKNOWN) return BOTTOM_HEAP + NON_NULL;
    this.#mismatchUnless(isRefType(t), `expected a reference but found ${typeName(t)}`);
    return t;
  }

  #isLegacyFrame(): boolean {
    const op = this.#ctrlOp[this.#depth - 1];
    return op === TRY || op === CATCH || op === CATCH_ALL;
  }

  /**
   * `#popCtrl` for the frames of legacy exceptions, with the reference interpreter's wording (the spec suite
   * asserts it): "block requires [] but stack has [i32]", "instruction requires [i32] but stack has [i64]".
   */
  #popCtrlLegacy(): number {
    const d = this.#depth - 1;
    const results = this.#ctrlType[d]!.results;
    const base = this.#ctrlHeight[d]!;
    const have = this.#height - base;
    let ok = have === results.length || (have < results.length && this.#ctrlUnreachable[d] === 1);
    for (let i = 1; ok && i <= Math.min(have, results.length); i++) {
      const actual = this.#vals[this.#height - i]!, expected = results[results.length - i]!;
      ok = actual === expected || actual === UNKNOWN || isSubtype(actual, expected, this.#ctx.typeIds);
    }
    if (!ok) {
      const found = Array.from(this.#vals.subarray(base, this.#height), typeName).join(" ");
      const what = have > results.length ? "block" : "instruction";
      throw new CompileError(
        `type mismatch: ${what} requires [${results.map(typeName).join(" ")}] but stack has [${found}]`,
        this.#at,
      );
    }
    this.#height = base;
    this.#resetInits(d);
    this.#depth = d;
    return d;
  }

  #labelTypes(d: number): readonly ValType[] {
    const type = this.#ctrlType[d]!;
    return this.#ctrlOp[d] === LOOP ? type.params : type.results;
  }

  /** The frame index a label refers to, or "unknown label". */
  #label(index: number): number {
    if (index >= this.#depth) throw new CompileError(`unknown label ${index}`, this.#at);
    return this.#depth - 1 - index;
  }

  #unreachable(): void {
    const d = this.#depth - 1;
    this.#height = this.#ctrlHeight[d]!;
    this.#ctrlUnreachable[d] = 1;
  }

  // ---- Index-space lookups ----

  #table(index: number): ValType {
    const t = this.#ctx.tables[index];
    if (t === undefined) throw new CompileError(`unknown table ${index}`, this.#at);
    return t.elem;
  }

  /** The value type of table `index`'s indices (its address type, memory64): i32 or i64. */
  #tableAddress(index: number): ValType {
    return this.#ctx.tables[index]!.address === "i64" ? I64 : I32;
  }

  /** Checks memory `index` exists; returns the value type of its addresses (its address type): i32 or i64. */
  #memory(index: number): ValType {
    const m = this.#ctx.memories[index];
    if (m === undefined) throw new CompileError(`unknown memory ${index}`, this.#at);
    return m.address === "i64" ? I64 : I32;
  }

  #dataSegment(index: number): void {
    // Without a data count section the decoder has made sure there is no data section either.
    const count = this.#ctx.module.dataCount ?? 0;
    if (index >= count) throw new CompileError(`unknown data segment ${index}`, this.#at);
  }

  #elemSegment(index: number): ValType {
    const e = this.#ctx.module.elems[index];
    if (e === undefined) throw new CompileError(`unknown elem segment ${index}`, this.#at);
    return e.type;
  }

  #mismatchUnless(ok: boolean, what: string): void {
    if (!ok) throw new CompileError(`type mismatch: ${what}`, this.#at);
  }

  // ---- The instruction loop ----

  #run(r: InstructionReader, funcType: FuncType): void {
    const ctx = this.#ctx;
    const bytes = r.bytes;
    for (;;) {
      if (bytes.pos >= bytes.end) throw new CompileError("END opcode expected", bytes.pos);
      const op = r.next();
      const at = r.at;
      this.#at = at;
      const sig = SINGLE_SIGS[op];
      if (sig !== undefined) {
        // Numeric instruction with a fixed signature.
        this.#applySig(sig);
        continue;
      }
      switch (op) {
        case 0x00: // unreachable
          this.#unreachable();
          break;
        case 0x01: // nop
          break;
        case 0x02: // block
        case 0x03: // loop
          this.#pushCtrlChecked(op, this.#blockType(r.blockType));
          break;
        case 0x04: { // if
          const type = this.#blockType(r.blockType);
          this.#popExpect(I32);
          this.#pushCtrlChecked(IF, type);
          break;
        }
        case 0x05: { // else
          const d = this.#depth - 1;
          if (this.#ctrlOp[d] !== IF) throw new CompileError("END opcode expected", at);
          this.#popCtrl();
          this.#pushCtrl(ELSE, this.#ctrlType[d]!);
          break;
        }
        case 0x0b: { // end
          const d = this.#isLegacyFrame() ? this.#popCtrlLegacy() : this.#popCtrl();
          const type = this.#ctrlType[d]!;
          if (this.#ctrlOp[d] === IF && !areSubtypes(type.params, type.results, ctx.typeIds)) {
            throw new CompileError("type mismatch: if without else must leave its parameters unchanged", at);
          }
          if (d === 0) {
            if (bytes.pos !== bytes.end) throw new CompileError("operators remaining after end of function", bytes.pos);
            return;
          }
          this.#pushVals(type.results);
          break;
        }
        case 0x0c: { // br
          const d = this.#label(r.index);
          this.#popVals(this.#labelTypes(d));
          this.#unreachable();
          break;
        }
        case 0x0d: { // br_if
          const d = this.#label(r.index);
          this.#popExpect(I32);
          const types = this.#labelTypes(d);
          this.#popVals(types);
          this.#pushVals(types);
          break;
        }
        case 0x0e: { // br_table
          const n = r.index;
          const defaultDepth = this.#label(r.index2);
          this.#popExpect(I32);
          const arity = this.#labelTypes(defaultDepth).length;
          for (let i = 0; i < n; i++) {
            const types = this.#labelTypes(this.#label(r.targets[i]!));
            this.#mismatchUnless(types.length === arity, "br_table targets have different arities");
            this.#peekVals(types);
          }
          this.#popVals(this.#labelTypes(defaultDepth));
          this.#unreachable();
          break;
        }
        case 0x0f: // return
          this.#popVals(funcType.results);
          this.#unreachable();
          break;
        case 0x10: { // call
          const index = r.index;
          const type = ctx.funcs[index];
          if (type === undefined) throw new CompileError(`unknown function ${index}`, at);
          this.#popVals(type.params);
          this.#pushVals(type.results);
          break;
        }
        case 0x11: { // call_indirect
          const typeIndex = r.index;
          const elem = this.#table(r.index2);
          const type = funcTypeOfIndex(ctx, typeIndex, at);
          this.#mismatchUnless(isSubtype(elem, FUNCREF, ctx.typeIds), "call_indirect needs a funcref table");
          this.#popExpect(this.#tableAddress(r.index2));
          this.#popVals(type.params);
          this.#pushVals(type.results);
          break;
        }
        case 0x12: { // return_call: a call whose results are the function's, then nothing after it runs
          const index = r.index;
          const type = ctx.funcs[index];
          if (type === undefined) throw new CompileError(`unknown function ${index}`, at);
          this.#mismatchUnless(
            areSubtypes(type.results, funcType.results, ctx.typeIds),
            "return_call callee's results differ",
          );
          this.#popVals(type.params);
          this.#unreachable();
          break;
        }
        case 0x13: { // return_call_indirect
          const typeIndex = r.index;
          const elem = this.#table(r.index2);
          const type = funcTypeOfIndex(ctx, typeIndex, at);
          this.#mismatchUnless(isSubtype(elem, FUNCREF, ctx.typeIds), "return_call_indirect needs a funcref table");
          this.#mismatchUnless(
            areSubtypes(type.results, funcType.results, ctx.typeIds),
            "return_call_indirect callee's results differ",
          );
          this.#popExpect(this.#tableAddress(r.index2));
          this.#popVals(type.params);
          this.#unreachable();
          break;
        }
        case 0x14: // call_ref
        case 0x15: { // return_call_ref
          const typeIndex = r.index;
          const type = funcTypeOfIndex(ctx, typeIndex, at);
          this.#popExpect(refType(concreteHeap(typeIndex), true));
          this.#popVals(type.params);
          if (op === 0x14) this.#pushVals(type.results);
          else {
            this.#mismatchUnless(
              areSubtypes(type.results, funcType.results, ctx.typeIds),
              "return_call_ref callee's results differ",
            );
            this.#unreachable();
          }
          break;
        }
        case 0x08: // throw
          this.#popTagParams(this.#tag(r.index).params);
          this.#unreachable();
          break;
        case 0x06: // try (legacy exceptions)
          this.#pushCtrlChecked(TRY, this.#blockType(r.blockType));
          break;
        case 0x07: // catch (legacy): the handler's body starts with the tag's parameters
        case 0x19: { // catch_all (legacy)
          const d = this.#depth - 1;
          if (this.#ctrlOp[d] !== TRY && this.#ctrlOp[d] !== CATCH) throw new CompileError("END opcode expected", at);
          const params = op === 0x07 ? this.#tag(r.index).params : [];
          const type = this.#ctrlType[d]!;
          this.#popCtrlLegacy();
          this.#pushCtrl(op === 0x07 ? CATCH : CATCH_ALL, { params: [], results: type.results });
          this.#pushVals(params);
          break;
        }
        case 0x18: { // delegate (legacy): ends a try; the label is counted from outside it
          const d = this.#depth - 1;
          if (this.#ctrlOp[d] !== TRY) throw new CompileError("END opcode expected", at);
          this.#popCtrlLegacy();
          this.#label(r.index);
          this.#pushVals(this.#ctrlType[d]!.results);
          break;
        }
        case 0x09: { // rethrow (legacy): the label must be a catch handler's
          const d = this.#label(r.index);
          if (this.#ctrlOp[d] !== CATCH && this.#ctrlOp[d] !== CATCH_ALL) {
            throw new CompileError("invalid rethrow label", at);
          }
          this.#unreachable();
          break;
        }
        case 0x0a: // throw_ref
          this.#popExpect(EXNREF);
          this.#unreachable();
          break;
        case 0x1f: { // try_table: a block whose catch clauses branch to labels outside it
          const type = this.#blockType(r.blockType);
          for (let i = 0; i < r.index; i++) {
            this.#catchClause(r.catches[3 * i]!, r.catches[3 * i + 1]!, r.catches[3 * i + 2]!);
          }
          this.#pushCtrlChecked(BLOCK, type);
          break;
        }
        case 0x1a: // drop
          this.#pop();
          break;
        case 0x1b: { // select
          this.#popExpect(I32);
          const t1 = this.#pop();
          const t2 = this.#pop();
          this.#mismatchUnless(
            !isRefType(t1) && !isRefType(t2),
            "select without a type needs numeric or vector operands",
          );
          this.#mismatchUnless(t1 === t2 || t1 === UNKNOWN || t2 === UNKNOWN, "select operands differ");
          this.#push(t1 === UNKNOWN ? t2 : t1);
          break;
        }
        case 0x1c: { // select t*
          if (r.index !== 1) throw new CompileError("invalid result arity", at);
          const t = r.valType;
          checkValType(ctx, t, at);
          this.#popExpect(I32);
          this.#popExpect(t);
          this.#popExpect(t);
          this.#push(t);
          break;
        }
        case 0x20: // local.get
          this.#push(this.#getLocal(r.index));
          break;
        case 0x21: // local.set
          this.#popExpect(this.#setLocal(r.index));
          break;
        case 0x22: { // local.tee
          const t = this.#setLocal(r.index);
          this.#popExpect(t);
          this.#push(t);
          break;
        }
        case 0x23: { // global.get
          const index = r.index;
          const g = ctx.globals[index];
          if (g === undefined) throw new CompileError(`unknown global ${index}`, at);
          this.#push(g.type);
          break;
        }
        case 0x24: { // global.set
          const index = r.index;
          const g = ctx.globals[index];
          if (g === undefined) throw new CompileError(`unknown global ${index}`, at);
          if (!g.mutable) throw new CompileError("immutable global: global.set of an immutable global", at);
          this.#popExpect(g.type);
          break;
        }
        case 0x25: { // table.get
          const t = this.#table(r.index);
          this.#popExpect(this.#tableAddress(r.index));
          this.#push(t);
          break;
        }
        case 0x26: { // table.set
          const t = this.#table(r.index);
          this.#popExpect(t);
          this.#popExpect(this.#tableAddress(r.index));
          break;
        }
        case 0x3f: // memory.size
          this.#push(this.#memory(r.index));
          break;
        case 0x40: { // memory.grow
          const at = this.#memory(r.index);
          this.#popExpect(at);
          this.#push(at);
          break;
        }
        case 0xd0: // ref.null
          checkValType(ctx, r.valType, at);
          this.#push(r.valType);
          break;
        case 0xd1: { // ref.is_null
          const t = this.#pop();
          this.#mismatchUnless(t === UNKNOWN || isRefType(t), "ref.is_null needs a reference");
          this.#push(I32);
          break;
        }
        case 0xd2: { // ref.func
          const index = r.index;
          if (index >= ctx.funcs.length) throw new CompileError(`unknown function ${index}`, at);
          if (!ctx.refs[index]) throw new CompileError("undeclared function reference", at);
          this.#push(refType(concreteHeap(ctx.funcTypeIndices[index]!), false));
          break;
        }
        case 0xd4: // ref.as_non_null
          this.#push(heapTypeOf(this.#popRef()) + NON_NULL);
          break;
        case 0xd5: { // br_on_null: [t* (ref null ht)] -> [t* (ref ht)], branching with t* on null
          const d = this.#label(r.index);
          const ref = this.#popRef();
          const types = this.#labelTypes(d);
          this.#popVals(types);
          this.#pushVals(types);
          this.#push(heapTypeOf(ref) + NON_NULL);
          break;
        }
        case 0xd6: { // br_on_non_null: [t* (ref null ht)] -> [t*], branching with t* (ref ht) on non-null
          const d = this.#label(r.index);
          const ref = this.#popRef();
          const types = this.#labelTypes(d);
          const last = types[types.length - 1];
          this.#mismatchUnless(
            last !== undefined && isSubtype(heapTypeOf(ref) + NON_NULL, last, ctx.typeIds),
            "br_on_non_null's label needs a matching reference last",
          );
          const rest = types.slice(0, -1);
          this.#popVals(rest);
          this.#pushVals(rest);
          break;
        }
        case 0xd3: // ref.eq
          GC_CODE.add(ctx.module);
          this.#popExpect(EQREF);
          this.#popExpect(EQREF);
          this.#push(I32);
          break;
        case PREFIX_FB:
          this.#gc(r);
          break;
        case PREFIX_FC:
          this.#prefixed(r);
          break;
        case PREFIX_FD:
          this.#simd(r);
          break;
        default:
          // The reader has rejected every opcode that is not implemented; what is left are loads and stores.
          this.#memoryAccess(r, op);
      }
    }
  }

  #blockType(encoding: number): FuncType {
    if (encoding >= 0) checkValType(this.#ctx, encoding, this.#at);
    return blockTypeOf(this.#ctx.module, encoding, this.#at);
  }

  #tag(index: number): FuncType {
    const t = this.#ctx.tags[index];
    if (t === undefined) throw new CompileError(`unknown tag ${index}`, this.#at);
    return t;
  }

  /**
   * Pops a tag's parameters for `throw`. Why not `#popVals`: the spec suite asserts the reference interpreter's
   * wording here, "instruction requires [i32] but stack has [i64]".
   */
  #popTagParams(params: readonly ValType[]): void {
    const d = this.#depth - 1;
    const base = this.#ctrlHeight[d]!;
    const n = params.length;
    const available = Math.min(n, this.#height - base);
    let ok = available === n || this.#ctrlUnreachable[d] === 1;
    for (let i = 0; ok && i < available; i++) {
      const actual = this.#vals[this.#height - available + i]!;
      const expected = params[n - available + i]!;
      ok = actual === expected || actual === UNKNOWN || isSubtype(actual, expected, this.#ctx.typeIds);
    }
    if (!ok) {
      const found = Array.from(this.#vals.subarray(this.#height - available, this.#height), typeName).join(" ");
      throw new CompileError(
        `type mismatch: instruction requires [${params.map(typeName).join(" ")}] but stack has [${found}]`,
        this.#at,
      );
    }
    this.#popVals(params);
  }

  /**
   * One catch clause of `try_table` (spec 3.0 §3.3.8.5): the values it hands to its label (the tag's parameters,
   * then an exnref for the `_ref` kinds) must match the label's types.
   */
  #catchClause(kind: number, tagIndex: number, labelIndex: number): void {
    const params = kind < 2 ? this.#tag(tagIndex).params : [];
    const labels = this.#labelTypes(this.#label(labelIndex));
    const withRef = kind === 1 || kind === 3;
    const n = params.length + (withRef ? 1 : 0);
    let ok = labels.length === n;
    for (let i = 0; ok && i < params.length; i++) {
      ok = params[i] === labels[i] || isSubtype(params[i]!, labels[i]!, this.#ctx.typeIds);
    }
    // The exnref a `_ref` clause passes is never null: `(ref exn)`.
    if (ok && withRef) ok = isSubtype(refType(HeapType.exn, false), labels[n - 1]!, this.#ctx.typeIds);
    this.#mismatchUnless(ok, "catch clause does not match its label's types");
  }

  #pushCtrlChecked(op: number, type: FuncType): void {
    this.#popVals(type.params);
    this.#pushCtrl(op, type);
  }

  /** Loads and stores (spec §3.3.7): memarg limits, then the access's typing. */
  #memoryAccess(r: InstructionReader, op: number): void {
    const address = this.#memarg(r, NATURAL_ALIGN[op - 0x28]!);
    const t = MEMORY_TYPE[op - 0x28]!;
    if (op <= 0x35) {
      this.#popExpect(address);
      this.#push(t);
    } else {
      this.#popExpect(t);
      this.#popExpect(address);
    }
  }

  /**
   * Checks a memarg (spec §3.3.7): the memory exists, the alignment is at most `natural` (log2), a 32-bit memory's
   * offset is below 2^32 (the encoding is a u64 for memory64's sake). Returns the memory's address type.
   */
  #memarg(r: InstructionReader, natural: number): ValType {
    const address = this.#memory(r.memory);
    if (r.align > natural) throw new CompileError("alignment must not be larger than natural", this.#at);
    if (address === I32 && r.offset > 0xffffffff) throw new CompileError("offset out of range", this.#at);
    return address;
  }

  /**
   * The `0xfd` instructions (fixed-width and relaxed SIMD, spec §3.3.3, §3.3.7): fixed signatures from the table;
   * lane indices below the shape's lane count ("invalid lane index", also each of `i8x16.shuffle`'s 16 below 32);
   * loads and stores with their natural alignment.
   */
  #simd(r: InstructionReader): void {
    const sub = r.sub;
    const info = r.info;
    if (info.imm === "shuffle") {
      for (let i = 0; i < 16; i++) if (r.bytes16[i]! >= 32) throw new CompileError("invalid lane index", this.#at);
    } else if (info.imm === "lane") this.#lane(r.lane, sub);
    const sig = FD_SIGS[sub];
    if (sig !== undefined) {
      this.#applySig(sig);
      return;
    }
    const natural = FD_NATURAL_ALIGN[sub]!;
    if (natural === 255) throw new CompileError(`no validation rule for ${info.name}`, r.at);
    const address = this.#memarg(r, natural);
    if (info.imm === "memarg_lane") { // load*_lane: [at v128] -> [v128]; store*_lane: [at v128] -> []
      this.#lane(r.lane, sub);
      this.#popExpect(V128);
      this.#popExpect(address);
      if (info.name.includes("load")) this.#push(V128);
    } else if (info.name === "v128.store") {
      this.#popExpect(V128);
      this.#popExpect(address);
    } else { // the loads: [at] -> [v128]
      this.#popExpect(address);
      this.#push(V128);
    }
  }

  /** Checks a lane immediate against the lane count of `0xfd` sub-opcode `sub`. */
  #lane(lane: number, sub: number): void {
    if (lane >= FD_LANES[sub]!) throw new CompileError("invalid lane index", this.#at);
  }

  /**
   * The operands of `memory.copy` and `table.copy` (memory64): destination and source addresses of their own address
   * types, and a length of the smaller one (i32 unless both are i64).
   */
  #copyOperands(dst: ValType, src: ValType): void {
    this.#popExpect(dst === I64 && src === I64 ? I64 : I32);
    this.#popExpect(src);
    this.#popExpect(dst);
  }

  // ---- GC (spec 3.0 §3.4.6) ----

  /** The fields of struct type `index`: "unknown type N", or "type mismatch" for another kind of type. */
  #structFields(index: number): readonly FieldType[] {
    const sub = this.#ctx.module.subtypes[index];
    if (sub === undefined) throw new CompileError(`unknown type ${index}`, this.#at);
    if (sub.comp.kind !== "struct") throw new CompileError("type mismatch: not a struct type", this.#at);
    return sub.comp.fields;
  }

  /** The element of array type `index`: "unknown type N", or "type mismatch" for another kind of type. */
  #arrayElement(index: number): FieldType {
    const sub = this.#ctx.module.subtypes[index];
    if (sub === undefined) throw new CompileError(`unknown type ${index}`, this.#at);
    if (sub.comp.kind !== "array") throw new CompileError("type mismatch: not an array type", this.#at);
    return sub.comp.element;
  }

  /** The field of a struct, checking its index and, for `get_s`/`get_u` (`packed` set), whether it is packed. */
  #field(r: InstructionReader, packed?: boolean): FieldType {
    const fields = this.#structFields(r.index);
    const field = fields[r.index2];
    if (field === undefined) throw new CompileError(`unknown field ${r.index2}`, this.#at);
    if (packed !== undefined) this.#mismatchUnless(isPacked(field.type) === packed, "field packedness");
    return field;
  }

  /** The top of a heap type's hierarchy: any, func, extern or exn. */
  #topHeap(heap: number): number {
    const index = heapTypeIndex(heap);
    if (index >= 0) return this.#ctx.module.subtypes[index]?.comp.kind === "func" ? HeapType.func : HeapType.any;
    switch (heap) {
      case HeapType.func:
      case HeapType.nofunc:
        return HeapType.func;
      case HeapType.extern:
      case HeapType.noextern:
        return HeapType.extern;
      case HeapType.exn:
      case HeapType.noexn:
        return HeapType.exn;
    }
    return HeapType.any;
  }

  #gc(r: InstructionReader): void {
    const ctx = this.#ctx;
    GC_CODE.add(ctx.module);
    const sub = r.sub;
    switch (sub) {
      case 0: { // struct.new: [fields] -> [(ref $t)]
        const fields = this.#structFields(r.index);
        for (let i = fields.length - 1; i >= 0; i--) this.#popExpect(unpacked(fields[i]!.type));
        this.#push(refType(concreteHeap(r.index), false));
        break;
      }
      case 1: // struct.new_default
        this.#mismatchUnless(this.#structFields(r.index).every((f) => defaultable(f.type)), "field not defaultable");
        this.#push(refType(concreteHeap(r.index), false));
        break;
      case 2: // struct.get
      case 3: // struct.get_s
      case 4: { // struct.get_u
        const field = this.#field(r, sub !== 2);
        this.#popExpect(refType(concreteHeap(r.index), true));
        this.#push(unpacked(field.type));
        break;
      }
      case 5: { // struct.set
        const field = this.#field(r);
        if (!field.mutable) throw new CompileError("immutable field", this.#at);
        this.#popExpect(unpacked(field.type));
        this.#popExpect(refType(concreteHeap(r.index), true));
        break;
      }
      case 6: // array.new: [t i32] -> [(ref $t)]
        this.#popExpect(I32);
        this.#popExpect(unpacked(this.#arrayElement(r.index).type));
        this.#push(refType(concreteHeap(r.index), false));
        break;
      case 7: // array.new_default
        this.#mismatchUnless(defaultable(this.#arrayElement(r.index).type), "array element not defaultable");
        this.#popExpect(I32);
        this.#push(refType(concreteHeap(r.index), false));
        break;
      case 8: { // array.new_fixed: [t^n] -> [(ref $t)]
        const t = unpacked(this.#arrayElement(r.index).type);
        for (let i = 0; i < r.index2; i++) this.#popExpect(t);
        this.#push(refType(concreteHeap(r.index), false));
        break;
      }
      case 9: // array.new_data: [i32 i32] -> [(ref $t)]
      case 18: { // array.init_data: [(ref null $t) i32 i32 i32] -> []
        const element = this.#arrayElement(r.index);
        if (isRefType(element.type) && !isPacked(element.type)) {
          throw new CompileError("array type is not numeric or vector", this.#at);
        }
        this.#dataSegment(r.index2);
        this.#gcSegmentOperands(sub === 18, element, r.index);
        break;
      }
      case 10: // array.new_elem
      case 19: { // array.init_elem
        const element = this.#arrayElement(r.index);
        this.#mismatchUnless(
          isSubtype(this.#elemSegment(r.index2), element.type, ctx.typeIds),
          "element segment does not match the array",
        );
        this.#gcSegmentOperands(sub === 19, element, r.index);
        break;
      }
      case 11: // array.get
      case 12: // array.get_s
      case 13: { // array.get_u
        const element = this.#arrayElement(r.index);
        this.#mismatchUnless(isPacked(element.type) === (sub !== 11), "array element packedness");
        this.#popExpect(I32);
        this.#popExpect(refType(concreteHeap(r.index), true));
        this.#push(unpacked(element.type));
        break;
      }
      case 14: { // array.set
        const element = this.#arrayElement(r.index);
        if (!element.mutable) throw new CompileError("immutable array", this.#at);
        this.#popExpect(unpacked(element.type));
        this.#popExpect(I32);
        this.#popExpect(refType(concreteHeap(r.index), true));
        break;
      }
      case 15: // array.len
        this.#popExpect(refType(HeapType.array, true));
        this.#push(I32);
        break;
      case 16: { // array.fill: [(ref null $t) i32 t i32] -> []
        const element = this.#arrayElement(r.index);
        if (!element.mutable) throw new CompileError("immutable array", this.#at);
        this.#popExpect(I32);
        this.#popExpect(unpacked(element.type));
        this.#popExpect(I32);
        this.#popExpect(refType(concreteHeap(r.index), true));
        break;
      }
      case 17: { // array.copy: [(ref null $t1) i32 (ref null $t2) i32 i32] -> []
        const dst = this.#arrayElement(r.index), src = this.#arrayElement(r.index2);
        if (!dst.mutable) throw new CompileError("immutable array", this.#at);
        if (!isSubtype(src.type, dst.type, ctx.typeIds)) throw new CompileError("array types do not match", this.#at);
        this.#popExpect(I32);
        this.#popExpect(I32);
        this.#popExpect(refType(concreteHeap(r.index2), true));
        this.#popExpect(I32);
        this.#popExpect(refType(concreteHeap(r.index), true));
        break;
      }
      case 20: // ref.test (ref ht)
      case 21: // ref.test (ref null ht)
      case 22: // ref.cast (ref ht)
      case 23: { // ref.cast (ref null ht)
        const t = refType(r.valType, sub === 21 || sub === 23);
        checkValType(ctx, t, this.#at);
        this.#popExpect(refType(this.#topHeap(r.valType), true));
        this.#push(sub < 22 ? I32 : t);
        break;
      }
      case 24: // br_on_cast: [t* rt1] -> [t* (rt1 \ rt2)], branching with t* rt2 on success
      case 25: { // br_on_cast_fail: [t* rt1] -> [t* rt2], branching with t* (rt1 \ rt2) on failure
        const rt1 = r.valType, rt2 = r.valType2;
        checkValType(ctx, rt1, this.#at);
        checkValType(ctx, rt2, this.#at);
        const d = this.#label(r.index);
        this.#mismatchUnless(isSubtype(rt2, rt1, ctx.typeIds), "cast type is not a subtype of the operand type");
        const diff = refType(heapTypeOf(rt1), isNullable(rt1) && !isNullable(rt2));
        const types = this.#labelTypes(d);
        const last = types[types.length - 1];
        this.#mismatchUnless(
          last !== undefined && isSubtype(sub === 24 ? rt2 : diff, last, ctx.typeIds),
          "br_on_cast's label needs a matching reference last",
        );
        this.#popExpect(rt1);
        const rest = types.slice(0, -1);
        this.#popVals(rest);
        this.#pushVals(rest);
        this.#push(sub === 24 ? diff : rt2);
        break;
      }
      case 26: { // any.convert_extern
        const t = this.#popRef();
        this.#mismatchUnless(isSubtype(t, refType(HeapType.extern, true), ctx.typeIds), "expected an externref");
        this.#push(refType(HeapType.any, isNullable(t)));
        break;
      }
      case 27: { // extern.convert_any
        const t = this.#popRef();
        this.#mismatchUnless(isSubtype(t, refType(HeapType.any, true), ctx.typeIds), "expected an anyref");
        this.#push(refType(HeapType.extern, isNullable(t)));
        break;
      }
      case 28: // ref.i31
        this.#popExpect(I32);
        this.#push(refType(HeapType.i31, false));
        break;
      case 29: // i31.get_s
      case 30: // i31.get_u
        this.#popExpect(refType(HeapType.i31, true));
        this.#push(I32);
        break;
    }
  }

  /** The operands of `array.new_data`/`new_elem` ([i32 i32]) or `array.init_data`/`init_elem` (ref, 3 × i32). */
  #gcSegmentOperands(init: boolean, element: FieldType, typeIndex: number): void {
    this.#popExpect(I32);
    this.#popExpect(I32);
    if (init) {
      if (!element.mutable) throw new CompileError("immutable array", this.#at);
      this.#popExpect(I32);
      this.#popExpect(refType(concreteHeap(typeIndex), true));
    } else this.#push(refType(concreteHeap(typeIndex), false));
  }

  #prefixed(r: InstructionReader): void {
    const sub = r.sub;
    const sig = FC_SIGS[sub];
    if (sig !== undefined) {
      this.#applySig(sig);
      return;
    }
    switch (sub) {
      case 8: { // memory.init: [at i32 i32]
        const at = this.#memory(r.index2);
        this.#dataSegment(r.index);
        this.#popExpect(I32);
        this.#popExpect(I32);
        this.#popExpect(at);
        return;
      }
      case 9: // data.drop
        this.#dataSegment(r.index);
        return;
      case 10: // memory.copy: [at_dst at_src min(at_dst, at_src)] (memory64)
        this.#copyOperands(this.#memory(r.index), this.#memory(r.index2));
        return;
      case 11: { // memory.fill: [at i32 at]
        const at = this.#memory(r.index);
        this.#popExpect(at);
        this.#popExpect(I32);
        this.#popExpect(at);
        return;
      }
      case 12: { // table.init: [at i32 i32]
        const table = this.#table(r.index2);
        const elem = this.#elemSegment(r.index);
        this.#mismatchUnless(isSubtype(elem, table, this.#ctx.typeIds), "table.init segment and table types differ");
        this.#popExpect(I32);
        this.#popExpect(I32);
        this.#popExpect(this.#tableAddress(r.index2));
        return;
      }
      case 13: // elem.drop
        this.#elemSegment(r.index);
        return;
      case 14: { // table.copy
        const dst = this.#table(r.index);
        const src = this.#table(r.index2);
        this.#mismatchUnless(isSubtype(src, dst, this.#ctx.typeIds), "table.copy between tables of different types");
        this.#copyOperands(this.#tableAddress(r.index), this.#tableAddress(r.index2));
        return;
      }
      case 15: { // table.grow
        const t = this.#table(r.index);
        const at = this.#tableAddress(r.index);
        this.#popExpect(at);
        this.#popExpect(t);
        this.#push(at);
        return;
      }
      case 16: // table.size
        this.#table(r.index);
        this.#push(this.#tableAddress(r.index));
        return;
      case 17: { // table.fill
        const t = this.#table(r.index);
        const at = this.#tableAddress(r.index);
        this.#popExpect(at);
        this.#popExpect(t);
        this.#popExpect(at);
        return;
      }
      default:
        throw new CompileError(`no validation rule for ${r.info.name}`, r.at);
    }
  }
}
