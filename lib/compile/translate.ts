/**
 * Translation of one validated function body into the machine's code (see `isa.ts`): a flat `Int32Array` of
 * records with branch targets resolved, fuel charged per straight-line run, and a parallel map from code position
 * to the byte offset of the wasm instruction (for backtraces).
 *
 * The translator trusts the validator: it tracks only stack heights and block arities (every value is one 8-byte
 * slot), never operand types. Code after an unconditional transfer (`br`, `br_table`, `return`, `unreachable`) up
 * to the end of its block is skipped.
 *
 * @module
 */

import { ByteReader } from "../binary/leb128.ts";
import { FC_OPS, SINGLE_BYTE_OPS } from "../binary/opcodes.ts";
import { type FuncType, funcTypeOf, isRefType, type Module, type ValType } from "../binary/module.ts";
import {
  BR_COMPARE_LOCAL_BASE,
  BR_IF_COMPARE_BASE,
  BR_UNLESS_COMPARE_BASE,
  FC_BASE,
  FUSED_BASE,
  GET2,
  I32_LOAD_C,
  I32_LOAD_L_SET,
  I32_ROTL_C,
  I32_SL_BASE,
  I64_C_BASE,
  I64_L_BASE,
  LOAD_LOCAL_BASE,
  LOCAL_COPY,
  SHL_C_ADD,
  SHL_C_XOR,
  STORE_LOCALS_BASE,
  TEE_GET,
  XOR_ROTL_C,
} from "./isa.ts";

/** Internal number of `i32.shl_c` (FUSED_BINOPS index 6, variant c). */
const I32_SHL_C = FUSED_BASE + 6 * 5 + 2;

/** Wasm opcode → index j of the fused i64 binary operators in isa.ts (`FUSED_I64`), or -1. */
const FUSE_I64_INDEX: Int8Array = (() => {
  const index = new Int8Array(256).fill(-1);
  [0x7c, 0x7d, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a].forEach((op, j) => (index[op] = j));
  return index;
})();

/** Wasm opcode → index k of the fused i32 binary operators in isa.ts (`FUSED_BASE + 5k + variant`), or -1. */
const FUSE_INDEX: Int8Array = (() => {
  const index = new Int8Array(256).fill(-1);
  [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f]
    .forEach((op, k) => (index[op] = k));
  return index;
})();

/** A function translated for the machine. */
export interface CompiledFunc {
  /** Records of the instruction set in `isa.ts`. */
  readonly code: Int32Array;
  /** Byte offset in the module binary of the wasm instruction each code word belongs to. */
  readonly offsets: Int32Array;
  readonly paramCount: number;
  readonly resultCount: number;
  /** Params plus declared locals: the frame's first slots. */
  readonly localCount: number;
  /** Highest frame-relative stack height reached (slots), for stack-limit checks. */
  readonly maxHeight: number;
}

interface Control {
  kind: "block" | "loop" | "if" | "func";
  /** Frame-relative height below the block's params. */
  height: number;
  params: number;
  results: number;
  /** Code position of a loop's start. */
  start: number;
  /** Code positions of immediates to patch with the end position. */
  fixups: number[];
  /** For `if`: code position of the `br_unless` target immediate, until an `else` patches it. */
  elseFixup: number;
  /** Whether the rest of this block is unreachable. */
  dead: boolean;
}

class CodeBuffer {
  code = new Int32Array(64);
  offsets = new Int32Array(64);
  length = 0;
  offset = 0;
  push(word: number): number {
    if (this.length === this.code.length) {
      const code = new Int32Array(this.length * 2);
      code.set(this.code);
      this.code = code;
      const offsets = new Int32Array(this.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.code[this.length] = word;
    this.offsets[this.length] = this.offset;
    return this.length++;
  }
}

function blockType(module: Module, reader: ByteReader): FuncType {
  const first = reader.bytes[reader.pos]!;
  if (first === 0x40) {
    reader.pos++;
    return EMPTY;
  }
  if (first === 0x7f || first === 0x7e || first === 0x7d || first === 0x7c || first === 0x70 || first === 0x6f) {
    reader.pos++;
    return { params: [], results: [first as ValType] };
  }
  return module.types[reader.s33()]!;
}

const EMPTY: FuncType = { params: [], results: [] };

/**
 * Translates function `funcIndex` (in the module's function index space; must be a defined function).
 *
 * @param module A decoded and validated module.
 * @param funcIndex Index of a defined function.
 * @param meter Emit the per-run `fuel` charges (needed for fuel metering and fuel-based yielding). Without them the
 *   code still has `fuel_check` at function entry and loop headers, for interrupts.
 * @returns The function's machine code.
 */
export function translateFunction(module: Module, funcIndex: number, meter = true): CompiledFunc {
  const type = funcTypeOf(module, funcIndex);
  const body = module.codes[funcIndex - module.importedFuncs]!;
  const localCount = type.params.length + body.localCount;
  const globalTypes: ValType[] = [];
  for (const imp of module.imports) if (imp.desc.kind === "global") globalTypes.push(imp.desc.type.type);
  for (const g of module.globals) globalTypes.push(g.type.type);

  const out = new CodeBuffer();
  const reader = new ByteReader(module.bytes, body.start, body.end);
  let height = localCount;
  let maxHeight = height;
  // Fuel: code position of the current run's `fuel` immediate, and the run's cost so far.
  let fuelAt = -1;
  let fuelCost = 0;
  const closeRun = () => {
    if (fuelAt >= 0) out.code[fuelAt] = fuelCost;
    fuelAt = -1;
    fuelCost = 0;
  };
  // Peephole window: code positions of the last instructions emitted in the current straight-line run (no branch
  // target lies between them, so they may be fused).
  const recent: number[] = [];
  let epoch = 0;
  let emittedAt = -1;
  const openRun = (op: number) => {
    epoch++;
    recent.length = 0;
    closeRun();
    if (op === 0x02 && !meter) return;
    out.push(op);
    fuelAt = out.push(0);
  };
  const control: Control[] = [{
    kind: "func",
    height: localCount,
    params: 0,
    results: type.results.length,
    start: 0,
    fixups: [],
    elseFixup: -1,
    dead: false,
  }];
  out.offset = body.start;
  openRun(0x03); // fuel_check at function entry

  const setHeight = (h: number) => {
    height = h;
    if (h > maxHeight) maxHeight = h;
  };
  /**
   * If the last instruction is a fused compare on locals (`i32.<cmp>_ll` or `_lc`, eq..ge_u), rewrites it into the
   * compare-and-branch form (`negate`: jump when false) and returns the position of its target immediate, else -1.
   */
  const fuseCompareBranch = (negate: boolean): number => {
    const last = recent.length > 0 ? recent[recent.length - 1]! : -1;
    if (last < 0 || out.length !== last + 3) return -1;
    const rel = out.code[last]! - FUSED_BASE;
    const k = Math.floor(rel / 5), variant = rel % 5;
    if (rel < 0 || k < 9 || k > 18 || variant > 1) return -1;
    out.code[last] = BR_COMPARE_LOCAL_BASE + ((k - 9) * 2 + variant) * 2 + (negate ? 1 : 0);
    recent.pop();
    return out.push(0);
  };
  /** Emits a branch to `label` (depth from the innermost block); `conditional` pops the condition first. */
  const branch = (depth: number, conditional: boolean) => {
    const target = control[control.length - 1 - depth]!;
    const arity = target.kind === "loop" ? target.params : target.results;
    const moves = height - arity !== target.height;
    if (conditional && !moves) {
      const fused = fuseCompareBranch(false);
      if (fused >= 0) {
        if (target.kind === "loop") out.code[fused] = target.start;
        else target.fixups.push(fused);
        return;
      }
    }
    if (conditional) {
      const last = recent.length > 0 ? recent[recent.length - 1]! : -1;
      const cmp = last >= 0 && last === out.length - 1 ? out.code[last]! : -1;
      if (moves) {
        out.push(0x06);
      } else if (cmp >= 0x45 && cmp <= 0x4f) {
        // Why: compare + br_if in one dispatch.
        out.length = last;
        recent.pop();
        out.push(BR_IF_COMPARE_BASE + cmp - 0x45);
      } else {
        out.push(0x0d);
      }
    } else {
      out.push(moves ? 0x0c : 0x05);
    }
    const at = out.push(0);
    if (target.kind === "loop") out.code[at] = target.start;
    else if (target.kind === "func") out.code[at] = -1; // patched to the return sequence below
    if (target.kind !== "loop") target.fixups.push(at);
    if (moves) {
      out.push(target.height);
      out.push(arity);
    }
  };
  /** Skips an unreachable region up to the `else` or `end` of the current block; returns that opcode. */
  const skipDead = (): number => {
    let depth = 0;
    for (;;) {
      const op = reader.u8();
      if (op === 0x02 || op === 0x03 || op === 0x04) {
        blockType(module, reader);
        depth++;
      } else if (op === 0x0b) {
        if (depth === 0) return op;
        depth--;
      } else if (op === 0x05) {
        if (depth === 0) return op;
      } else {
        skipImmediates(reader, op);
      }
    }
  };

  let op = 0;
  let pendingOp = -1;
  for (;;) {
    const at = reader.pos;
    if (pendingOp >= 0) {
      op = pendingOp;
      pendingOp = -1;
    } else {
      if (reader.pos >= reader.end) break;
      op = reader.u8();
    }
    out.offset = at;
    const before = out.length, runEpoch = epoch;
    emittedAt = -1;
    const info = op === 0xfc ? undefined : SINGLE_BYTE_OPS[op];
    if (info) fuelCost += info.fuel;
    switch (op) {
      case 0x00: // unreachable
        out.push(0x00);
        control[control.length - 1]!.dead = true;
        break;
      case 0x01: // nop
        break;
      case 0x02: { // block
        const bt = blockType(module, reader);
        control.push({
          kind: "block",
          height: height - bt.params.length,
          params: bt.params.length,
          results: bt.results.length,
          start: 0,
          fixups: [],
          elseFixup: -1,
          dead: false,
        });
        break;
      }
      case 0x03: { // loop
        const bt = blockType(module, reader);
        const start = out.length;
        openRun(0x03);
        control.push({
          kind: "loop",
          height: height - bt.params.length,
          params: bt.params.length,
          results: bt.results.length,
          start,
          fixups: [],
          elseFixup: -1,
          dead: false,
        });
        break;
      }
      case 0x04: { // if
        const bt = blockType(module, reader);
        setHeight(height - 1);
        let fix = fuseCompareBranch(true);
        if (fix < 0) {
          const last = recent.length > 0 ? recent[recent.length - 1]! : -1;
          const cmp = last >= 0 && last === out.length - 1 ? out.code[last]! : -1;
          if (cmp >= 0x45 && cmp <= 0x4f) {
            out.length = last;
            recent.pop();
            out.push(BR_UNLESS_COMPARE_BASE + cmp - 0x45);
          } else {
            out.push(0x04);
          }
          fix = out.push(0);
        }
        control.push({
          kind: "if",
          height: height - bt.params.length,
          params: bt.params.length,
          results: bt.results.length,
          start: 0,
          fixups: [],
          elseFixup: fix,
          dead: false,
        });
        openRun(0x02);
        break;
      }
      case 0x05: { // else
        const c = control[control.length - 1]!;
        if (!c.dead) {
          out.push(0x05);
          c.fixups.push(out.push(0));
        }
        out.code[c.elseFixup] = out.length;
        c.elseFixup = -1;
        c.dead = false;
        height = c.height + c.params;
        openRun(0x02);
        break;
      }
      case 0x0b: { // end
        const c = control.pop()!;
        if (c.kind === "func") {
          closeRun();
          const ret = out.length;
          for (const f of c.fixups) out.code[f] = ret;
          out.push(0x0f);
          control.length = 0;
          break;
        }
        const end = out.length;
        if (c.elseFixup >= 0) out.code[c.elseFixup] = end;
        for (const f of c.fixups) out.code[f] = end;
        setHeight(c.height + c.results);
        // A new straight-line run starts where branches land (not needed after a loop: nothing branches to its end).
        if (c.kind !== "loop" || c.dead) openRun(0x02);
        break;
      }
      case 0x0c: // br
        branch(reader.u32(), false);
        control[control.length - 1]!.dead = true;
        break;
      case 0x0d: // br_if
        setHeight(height - 1);
        branch(reader.u32(), true);
        openRun(0x02);
        break;
      case 0x0e: { // br_table
        const n = reader.u32();
        setHeight(height - 1);
        out.push(0x0e);
        out.push(n);
        for (let i = 0; i <= n; i++) {
          const depth = reader.u32();
          const target = control[control.length - 1 - depth]!;
          const arity = target.kind === "loop" ? target.params : target.results;
          const at = out.push(0);
          if (target.kind === "loop") out.code[at] = target.start;
          else target.fixups.push(at);
          out.push(target.height);
          out.push(arity);
        }
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x0f: // return
        out.push(0x0f);
        control[control.length - 1]!.dead = true;
        break;
      case 0x10: { // call
        const f = reader.u32();
        const t = funcTypeOf(module, f);
        out.push(0x10);
        out.push(f);
        setHeight(height - t.params.length + t.results.length);
        break;
      }
      case 0x11: { // call_indirect
        const typeIndex = reader.u32();
        const table = reader.u32();
        const t = module.types[typeIndex]!;
        setHeight(height - 1);
        out.push(0x11);
        out.push(typeIndex);
        out.push(table);
        setHeight(height - t.params.length + t.results.length);
        break;
      }
      case 0x1a: // drop
        out.push(0x1a);
        setHeight(height - 1);
        break;
      case 0x1c: // select t
        for (let n = reader.u32(); n > 0; n--) reader.u8();
        out.push(0x1b);
        setHeight(height - 2);
        break;
      case 0x1b: // select
        out.push(0x1b);
        setHeight(height - 2);
        break;
      case 0x20: { // local.get
        const y = reader.u32();
        const last = recent.length > 0 ? recent[recent.length - 1]! : -1;
        const prev = last >= 0 && last + 2 === out.length ? out.code[last]! : -1;
        if (prev === 0x22 || prev === 0x20) {
          // local.tee x; local.get y  →  tee_get x y;  local.get a; local.get b  →  get2 a b
          out.code[last] = prev === 0x22 ? TEE_GET : GET2;
          out.push(y);
          recent.pop();
          emittedAt = last;
        } else {
          out.push(0x20);
          out.push(y);
        }
        setHeight(height + 1);
        break;
      }
      case 0x21: { // local.set
        const x = reader.u32();
        const last = recent.length > 0 ? recent[recent.length - 1]! : -1;
        const prev = last >= 0 ? out.code[last]! : -1;
        const variant = (prev - FUSED_BASE) % 5;
        if (prev >= FUSED_BASE && prev < FUSED_BASE + 95 && (variant === 0 || variant === 1)) {
          out.code[last] = prev + 3; // result into the local instead of the stack
          out.push(x);
          recent.pop();
          emittedAt = last;
        } else if (prev === LOAD_LOCAL_BASE && last + 3 === out.length) {
          // i32.load_l a offset; local.set x  →  i32.load_l_set a offset x
          out.code[last] = I32_LOAD_L_SET;
          out.push(x);
          out.offsets[out.length - 1] = out.offsets[last]!; // Why: a trap reports the load's offset
          recent.pop();
          emittedAt = last;
        } else if (prev === 0x20) {
          out.code[last] = LOCAL_COPY;
          out.push(x);
          recent.pop();
          emittedAt = last;
        } else {
          out.push(0x21);
          out.push(x);
        }
        setHeight(height - 1);
        break;
      }
      case 0x22: // local.tee
        out.push(0x22);
        out.push(reader.u32());
        break;
      case 0x23: { // global.get
        const g = reader.u32();
        out.push(isRefType(globalTypes[g]!) ? 0x07 : 0x23);
        out.push(g);
        setHeight(height + 1);
        break;
      }
      case 0x24: { // global.set
        const g = reader.u32();
        out.push(isRefType(globalTypes[g]!) ? 0x08 : 0x24);
        out.push(g);
        setHeight(height - 1);
        break;
      }
      case 0x25: // table.get
        out.push(0x25);
        out.push(reader.u32());
        break;
      case 0x26: // table.set
        out.push(0x26);
        out.push(reader.u32());
        setHeight(height - 2);
        break;
      case 0x3f: // memory.size
        reader.u8();
        out.push(0x3f);
        setHeight(height + 1);
        break;
      case 0x40: // memory.grow
        reader.u8();
        out.push(0x40);
        break;
      case 0x41: // i32.const
        out.push(0x41);
        out.push(reader.s32());
        setHeight(height + 1);
        break;
      case 0x42: { // i64.const
        const v = reader.s64();
        out.push(0x42);
        out.push(Number(BigInt.asIntN(32, v)));
        out.push(Number(BigInt.asIntN(32, v >> 32n)));
        setHeight(height + 1);
        break;
      }
      case 0x43: // f32.const
        out.push(0x43);
        out.push(reader.i32le());
        setHeight(height + 1);
        break;
      case 0x44: // f64.const
        out.push(0x44);
        out.push(reader.i32le());
        out.push(reader.i32le());
        setHeight(height + 1);
        break;
      case 0xd0: // ref.null
        reader.u8();
        out.push(0xd0);
        setHeight(height + 1);
        break;
      case 0xd1: // ref.is_null
        out.push(0xd1);
        break;
      case 0xd2: // ref.func
        out.push(0xd2);
        out.push(reader.u32());
        setHeight(height + 1);
        break;
      case 0xfc: {
        const sub = reader.u32();
        fuelCost += FC_OPS[sub]!.fuel;
        out.push(FC_BASE + sub);
        switch (sub) {
          case 8: // memory.init dataidx memidx
            out.push(reader.u32());
            reader.u8();
            setHeight(height - 3);
            break;
          case 9: // data.drop
          case 13: // elem.drop
            out.push(reader.u32());
            break;
          case 10: // memory.copy
            reader.u8();
            reader.u8();
            setHeight(height - 3);
            break;
          case 11: // memory.fill
            reader.u8();
            setHeight(height - 3);
            break;
          case 12: { // table.init elemidx tableidx
            out.push(reader.u32());
            out.push(reader.u32());
            setHeight(height - 3);
            break;
          }
          case 14: // table.copy dst src
            out.push(reader.u32());
            out.push(reader.u32());
            setHeight(height - 3);
            break;
          case 15: // table.grow
            out.push(reader.u32());
            setHeight(height - 1);
            break;
          case 16: // table.size
            out.push(reader.u32());
            setHeight(height + 1);
            break;
          case 17: // table.fill
            out.push(reader.u32());
            setHeight(height - 3);
            break;
          default: // trunc_sat: one in, one out
            break;
        }
        break;
      }
      default: {
        if (op >= 0x28 && op <= 0x3e) { // loads and stores
          reader.u32(); // align
          const offset = reader.u32() | 0;
          const n = recent.length;
          const p1 = n >= 1 ? recent[n - 1]! : -1, p2 = n >= 2 ? recent[n - 2]! : -1;
          const o1 = p1 >= 0 ? out.code[p1]! : -1, o2 = p2 >= 0 ? out.code[p2]! : -1;
          if (op < 0x36 && o1 === 0x20) {
            // local.get a; load  →  load_l a offset
            const a = out.code[p1 + 1]!;
            out.length = p1;
            recent.length = n - 1;
            out.push(LOAD_LOCAL_BASE + op - 0x28);
            out.push(a);
            out.push(offset);
            emittedAt = p1;
          } else if (op >= 0x36 && o1 === GET2) {
            // get2 a v; store  →  store_ll a v offset
            const a = out.code[p1 + 1]!, v = out.code[p1 + 2]!;
            out.length = p1;
            recent.length = n - 1;
            out.push(STORE_LOCALS_BASE + op - 0x36);
            out.push(a);
            out.push(v);
            out.push(offset);
            emittedAt = p1;
          } else if (op === 0x28 && o1 === 0x41 && (out.code[p1 + 1]! >>> 0) + (offset >>> 0) <= 0x7fffffff) {
            // i32.const c; i32.load offset  →  i32.load_c (c + offset)
            const address = (out.code[p1 + 1]! >>> 0) + (offset >>> 0);
            out.length = p1;
            recent.length = n - 1;
            out.push(I32_LOAD_C);
            out.push(address);
            emittedAt = p1;
          } else if (op >= 0x36 && o1 === 0x20 && o2 === 0x20) {
            // local.get a; local.get v; store  →  store_ll a v offset
            const a = out.code[p2 + 1]!, v = out.code[p1 + 1]!;
            out.length = p2;
            recent.length = n - 2;
            out.push(STORE_LOCALS_BASE + op - 0x36);
            out.push(a);
            out.push(v);
            out.push(offset);
            emittedAt = p2;
          } else {
            out.push(op);
            out.push(offset);
          }
          if (op >= 0x36) setHeight(height - 2);
          break;
        }
        // Numeric: the table's signature gives the stack effect.
        const sig = info!.sig!;
        const colon = sig.indexOf(":");
        const k = FUSE_INDEX[op]!;
        const n = recent.length;
        const p1 = n >= 1 ? recent[n - 1]! : -1, p2 = n >= 2 ? recent[n - 2]! : -1;
        const o1 = p1 >= 0 ? out.code[p1]! : -1, o2 = p2 >= 0 ? out.code[p2]! : -1;
        if (k >= 0 && o2 === 0x20 && (o1 === 0x20 || o1 === 0x41)) {
          // local.get a; (local.get b | i32.const c); op  →  op_ll a b | op_lc a c
          const a = out.code[p2 + 1]!, b = out.code[p1 + 1]!;
          out.length = p2;
          recent.length = n - 2;
          out.push(FUSED_BASE + k * 5 + (o1 === 0x20 ? 0 : 1));
          out.push(a);
          out.push(b);
          emittedAt = p2;
        } else if (k >= 0 && o1 === GET2) {
          // get2 a b; op  →  op_ll a b
          out.code[p1] = FUSED_BASE + k * 5;
        } else if (k >= 0 && o1 === 0x20) {
          // local.get b; op (first operand on the stack)  →  op_sl b
          out.code[p1] = I32_SL_BASE + k;
        } else if ((op === 0x77 || op === 0x78) && o1 === 0x41 && o2 === 0x73 && p2 + 1 === p1) {
          // i32.xor; i32.const c; i32.rotl | i32.rotr  →  i32.xor_rotl_c k
          out.code[p2 + 1] = op === 0x77 ? out.code[p1 + 1]! & 31 : (32 - (out.code[p1 + 1]! & 31)) & 31;
          out.code[p2] = XOR_ROTL_C;
          out.length = p2 + 2;
          recent.length = n - 1;
        } else if ((op === 0x77 || op === 0x78) && o1 === 0x41) {
          // i32.const c; i32.rotl | i32.rotr  →  i32.rotl_c | i32.rotr_c c
          out.code[p1] = I32_ROTL_C + op - 0x77;
        } else if ((op === 0x73 || op === 0x6a) && o1 === I32_SHL_C) {
          // i32.shl_c k; i32.xor | i32.add  →  i32.shl_c_xor | i32.shl_c_add k
          out.code[p1] = op === 0x73 ? SHL_C_XOR : SHL_C_ADD;
        } else if (FUSE_I64_INDEX[op]! >= 0 && (o1 === 0x42 || o1 === 0x20)) {
          // i64.const c; op  →  op_c lo hi;  local.get b; op  →  op_sl b
          out.code[p1] = (o1 === 0x42 ? I64_C_BASE : I64_L_BASE) + FUSE_I64_INDEX[op]!;
        } else if (k >= 0 && o1 === 0x41) {
          // i32.const c; op  →  op_c c
          const c = out.code[p1 + 1]!;
          out.length = p1;
          recent.length = n - 1;
          out.push(FUSED_BASE + k * 5 + 2);
          out.push(c);
          emittedAt = p1;
        } else {
          out.push(op);
        }
        setHeight(height - colon + (sig.length - colon - 1));
        break;
      }
    }
    if (epoch !== runEpoch) {
      recent.length = 0;
    } else if (emittedAt >= 0 || out.length > before) {
      recent.push(emittedAt >= 0 ? emittedAt : before);
      if (recent.length > 3) recent.shift();
    }
    if (control.length === 0) break;
    if (control[control.length - 1]!.dead) {
      // Skip to the matching else/end, then process it as reachable-from-a-branch.
      closeRun();
      pendingOp = skipDead();
      const c = control[control.length - 1]!;
      height = c.height + (pendingOp === 0x05 ? c.params : c.results);
    }
  }
  closeRun();
  return {
    code: out.code.slice(0, out.length),
    offsets: out.offsets.slice(0, out.length),
    paramCount: type.params.length,
    resultCount: type.results.length,
    localCount,
    maxHeight,
  };
}

/** Skips the immediates of single-byte opcode `op` (in unreachable code). */
function skipImmediates(reader: ByteReader, op: number): void {
  if (op === 0xfc) {
    const sub = reader.u32();
    switch (FC_OPS[sub]!.imm) {
      case "memory.init":
      case "table.init":
      case "memory.copy":
      case "table.copy":
        reader.u32();
        reader.u32();
        return;
      case "data":
      case "elem":
      case "table":
      case "memory":
        reader.u32();
        return;
      default:
        return;
    }
  }
  switch (SINGLE_BYTE_OPS[op]!.imm) {
    case "none":
      return;
    case "label":
    case "func":
    case "local":
    case "global":
    case "table":
    case "memory":
    case "reftype":
    case "i32":
      if (op === 0x41) reader.s32();
      else reader.u32();
      return;
    case "br_table":
      for (let n = reader.u32(); n >= 0; n--) reader.u32();
      return;
    case "call_indirect":
    case "memarg":
      reader.u32();
      reader.u32();
      return;
    case "i64":
      reader.s64();
      return;
    case "f32":
      reader.pos += 4;
      return;
    case "f64":
      reader.pos += 8;
      return;
    case "select_t":
      for (let n = reader.u32(); n > 0; n--) reader.u8();
      return;
    default:
      return;
  }
}
