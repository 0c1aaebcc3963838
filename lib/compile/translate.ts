/**
 * Translation of one validated function body into the machine's slot-addressed code (see `isa.ts`): a flat
 * `Int32Array` of records with branch targets resolved, fuel charged per straight-line run, and a parallel map from
 * code position to the byte offset of the wasm instruction (for backtraces).
 *
 * The translator trusts the validator: it tracks stack heights and block arities (every value is one 8-byte slot),
 * never operand types. It keeps a virtual operand stack whose entries are
 * - a temp: the value sits in its canonical slot (`localCount + height`);
 * - a local: a deferred `local.get` (no copy emitted; consumers read the local's slot directly);
 * - an i32 or i64 constant: deferred (consumers with a constant-operand form take it as an immediate).
 * A deferred entry is materialized into its canonical slot when needed: before `local.set`/`local.tee` of the same
 * local overwrites it, and at every control-flow join (block, loop, if, else, end, branches, calls), so branch
 * targets always see a fixed layout. When `local.set x` follows an op whose result is the top temp, the op's
 * destination is retargeted to `x` (no copy). Code after an unconditional transfer (`br`, `br_table`, `return`,
 * `unreachable`) up to the end of its block is skipped.
 *
 * Fuel (Wasmtime's model, exactly the same totals as charging every instruction): each straight-line run is charged
 * once, at its start. A function's entry and loop headers get a `fuel_check` (the machine's checkpoint: fuel,
 * interrupts, yields); another run is charged by a `fuel` op at its first instruction that costs fuel, or, when it
 * is the fall-through of a conditional branch, by that branch's charge immediate (no dispatch). Runs that cost
 * nothing get no op. Without metering only the `fuel_check`s remain.
 *
 * @module
 */

import { ByteReader } from "../binary/leb128.ts";
import { readMemarg } from "../binary/decoder.ts";
import { readBlockType } from "../validate/block_type.ts";
import { FC_OPS, SINGLE_BYTE_OPS } from "../binary/opcodes.ts";
import { funcTypeOf, isRefType, type Module, type ValType } from "../binary/module.ts";
import {
  BR_CMP_BASE,
  BR_CMP_I_BASE,
  FC_BASE,
  I32_IMM_BASE,
  I64_ANDN,
  I64_ANDN_XOR,
  I64_IMM_BASE,
  I64_XOR3,
  isIdentityOp,
} from "./isa.ts";
import {
  BR_INDEX,
  COMMUTATIVE,
  CONST32,
  CONST64,
  I32_IMM_INDEX,
  I64_IMM_INDEX,
  I64_XOR_NOT,
  LOCAL,
  MIRROR,
  TEMP,
  XOR_ROTATE,
} from "./fusion_tables.ts";

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
  /** Highest frame-relative slot count reached (locals plus operand stack), for stack-limit checks. */
  readonly maxHeight: number;
}

interface Control {
  kind: "block" | "loop" | "if" | "func";
  /** Virtual stack height below the block's params. */
  height: number;
  params: number;
  results: number;
  /** Code position of a loop's start. */
  start: number;
  /** Code positions of immediates to patch with the end position. */
  fixups: number[];
  /** For `if`: code position of the branch-to-else target immediate, until an `else` patches it. */
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

/** A branch condition: a compare still to be emitted (fused into the branch), or a slot tested for nonzero. */
interface Cond {
  /** Wasm i32 compare opcode (0x46..0x4f), or 0x45 for eqz, or -1 for a plain slot test. */
  cmp: number;
  a: number;
  b: number;
  /** Whether `b` is a constant rather than a slot. */
  imm: boolean;
}

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
  const L = type.params.length + body.localCount;
  const globalTypes: ValType[] = [];
  for (const imp of module.imports) if (imp.desc.kind === "global") globalTypes.push(imp.desc.type.type);
  for (const g of module.globals) globalTypes.push(g.type.type);

  const out = new CodeBuffer();
  const reader = new ByteReader(module.bytes, body.start, body.end);
  // The virtual operand stack (see the module doc): kind, and the local index or the constant's low/high words.
  const kind: number[] = [], val: number[] = [], high: number[] = [];
  let n = 0;
  let maxHeight = L;
  /** Canonical slot (word offset) of virtual stack entry i. */
  const canon = (i: number) => (L + i) << 1;
  const push = (k: number, v: number, h: number) => {
    kind[n] = k;
    val[n] = v;
    high[n] = h;
    n++;
    if (L + n > maxHeight) maxHeight = L + n;
  };
  /** Pushes a temp; returns its slot. */
  const pushTemp = (): number => {
    push(TEMP, 0, 0);
    return canon(n - 1);
  };
  /** Puts entry i into its canonical slot. */
  const materialize = (i: number) => {
    const k = kind[i];
    if (k === TEMP) return;
    if (k === LOCAL) {
      out.push(0x06);
      out.push(canon(i));
      out.push(val[i]! << 1);
    } else if (k === CONST32) {
      out.push(0x41);
      out.push(canon(i));
      out.push(val[i]!);
    } else {
      out.push(0x42);
      out.push(canon(i));
      out.push(val[i]!);
      out.push(high[i]!);
    }
    kind[i] = TEMP;
  };
  const materializeFrom = (from: number) => {
    for (let i = from; i < n; i++) materialize(i);
  };
  /** The slot holding entry i (a local's own slot for a deferred local.get). */
  const slotOf = (i: number): number => {
    if (kind[i] === LOCAL) return val[i]! << 1;
    materialize(i);
    return canon(i);
  };
  /** Materializes the deferred reads of local x among entries 0..below-1 (before x is overwritten). */
  const saveReadsOf = (x: number, below: number): boolean => {
    let any = false;
    for (let i = 0; i < below; i++) {
      if (kind[i] === LOCAL && val[i] === x) {
        materialize(i);
        any = true;
      }
    }
    return any;
  };
  const hasReadsOf = (x: number, below: number): boolean => {
    for (let i = 0; i < below; i++) if (kind[i] === LOCAL && val[i] === x) return true;
    return false;
  };
  /** Writes the value of entry i into slot d (a local, or a branch target's slot). */
  const storeTo = (d: number, i: number) => {
    const k = kind[i];
    if (k === CONST32) {
      out.push(0x41);
      out.push(d);
      out.push(val[i]!);
    } else if (k === CONST64) {
      out.push(0x42);
      out.push(d);
      out.push(val[i]!);
      out.push(high[i]!);
    } else {
      const s = k === LOCAL ? val[i]! << 1 : canon(i);
      if (s !== d) {
        out.push(0x06);
        out.push(d);
        out.push(s);
      }
    }
  };

  // Fuel: code position of the current run's `fuel` immediate, and the run's cost so far. A run's `fuel` op is
  // emitted at its first instruction that costs fuel (the ones before cost nothing and do not branch), so a run
  // that costs nothing has none.
  let fuelAt = -1;
  let fuelCost = 0;
  let runPending = false;
  const closeRun = () => {
    if (fuelAt >= 0) out.code[fuelAt] = fuelCost;
    fuelAt = -1;
    fuelCost = 0;
    runPending = false;
  };
  const openRun = (op: number) => {
    closeRun();
    if (op === 0x02) {
      runPending = meter;
      return;
    }
    out.push(op);
    fuelAt = out.push(0);
  };
  // The charge immediate of the last conditional branch: when nothing has been emitted after it, the run that
  // falls through is charged there (no `fuel` op, no dispatch).
  let chargeAt = -1;
  /** Adds an instruction's cost to the current run (emitting the run's pending `fuel` op first). */
  const charge = (cost: number) => {
    if (cost === 0) return;
    if (runPending) {
      runPending = false;
      if (chargeAt >= 0 && chargeAt === out.length - 1) fuelAt = chargeAt;
      else {
        out.push(0x02);
        fuelAt = out.push(0);
      }
    }
    fuelCost += cost;
  };
  // The op emitted by the previous wasm instruction (not counting local.get and constants) whose first immediate is
  // its destination (code position, and the code length right after it), for retargeting and fusions.
  let prevOp = -1, prevEnd = -1, curOp = -1;
  /** Emits op with destination = a new temp; marks it as the instruction's result op. */
  const emitResult = (op: number): void => {
    curOp = out.push(op);
    out.push(pushTemp());
  };

  const control: Control[] = [{
    kind: "func",
    height: 0,
    params: 0,
    results: type.results.length,
    start: 0,
    fixups: [],
    elseFixup: -1,
    dead: false,
  }];
  out.offset = body.start;
  openRun(0x03); // fuel_check at function entry (always the first record: the machine's call executes it)

  /** Pops the condition of a branch: a fused compare when the previous instruction computed it, else a slot. */
  const popCond = (): Cond => {
    if (prevOp >= 0 && out.length === prevEnd && kind[n - 1] === TEMP && out.code[prevOp + 1] === canon(n - 1)) {
      const op = out.code[prevOp]!;
      const cmp = op === 0x45 || (op >= 0x46 && op <= 0x4f)
        ? op
        : op >= I32_IMM_BASE + 11 && op <= I32_IMM_BASE + 20
        ? op - I32_IMM_BASE - 11 + 0x46
        : -1;
      if (cmp >= 0) {
        const cond = { cmp, a: out.code[prevOp + 2]!, b: cmp === 0x45 ? 0 : out.code[prevOp + 3]!, imm: op >= 256 };
        out.length = prevOp;
        n--;
        return cond;
      }
    }
    const a = slotOf(n - 1);
    n--;
    return { cmp: -1, a, b: 0, imm: false };
  };
  /**
   * Emits a jump taken when `cond` holds (or fails, with `negate`); returns the target immediate's position. The
   * record ends with a charge immediate: the fuel of the run that falls through (see `charge`).
   */
  const condJump = (cond: Cond, negate: boolean): number => {
    let at: number;
    if (cond.cmp < 0 || cond.cmp === 0x45) {
      // eqz: jump when the operand is zero, i.e. a plain test negated.
      out.push((cond.cmp === 0x45) !== negate ? 0x04 : 0x0d);
      out.push(cond.a);
      at = out.push(0);
    } else {
      const j = BR_INDEX[cond.cmp - 0x46]! ^ (negate ? 1 : 0);
      out.push((cond.imm ? BR_CMP_I_BASE : BR_CMP_BASE) + j);
      out.push(cond.a);
      out.push(cond.b);
      at = out.push(0);
    }
    chargeAt = out.push(0);
    return at;
  };
  /** Emits the return sequence for results on top of the virtual stack. */
  const emitReturn = () => {
    const r = type.results.length;
    if (r === 0) {
      out.push(0x0f);
      out.push(0);
      out.push(0);
    } else if (r === 1) {
      const s = slotOf(n - 1);
      out.push(0x0f);
      out.push(s);
      out.push(1);
    } else {
      materializeFrom(n - r);
      out.push(0x0f);
      out.push(canon(n - r));
      out.push(r);
    }
  };
  /** Whether a branch to `target` finds its values in place (temps at the target's slots). */
  const inPlace = (target: Control, arity: number): boolean => {
    if (n - arity !== target.height) return false;
    for (let i = n - arity; i < n; i++) if (kind[i] !== TEMP) return false;
    return true;
  };
  /** Emits the moves of a branch's values to `target`'s slots and the jump. */
  const emitBranch = (target: Control, arity: number) => {
    if (target.kind === "func") {
      emitReturn();
      return;
    }
    for (let j = 0; j < arity; j++) storeTo(canon(target.height + j), n - arity + j);
    out.push(0x05);
    const at = out.push(0);
    if (target.kind === "loop") out.code[at] = target.start;
    else target.fixups.push(at);
  };
  /** Skips an unreachable region up to the `else` or `end` of the current block; returns that opcode. */
  const skipDead = (): number => {
    let depth = 0;
    for (;;) {
      const op = reader.u8();
      if (op === 0x02 || op === 0x03 || op === 0x04) {
        readBlockType(reader, module);
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
  const setTemps = (from: number, to: number) => {
    for (let i = from; i < to; i++) kind[i] = TEMP;
    n = to;
    if (L + n > maxHeight) maxHeight = L + n;
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
    if (op !== 0x20 && op !== 0x41 && op !== 0x42) {
      // Why not for local.get and the integer constants: they emit nothing, so the op before them is still the last
      // one emitted (fusions check that its result is the entry they consume).
      prevOp = curOp;
      curOp = -1;
    }
    const info = op === 0xfc ? undefined : SINGLE_BYTE_OPS[op];
    charge(info ? info.fuel : 1); // every 0xfc op costs 1
    switch (op) {
      case 0x00: // unreachable
        out.push(0x00);
        control[control.length - 1]!.dead = true;
        break;
      case 0x01: // nop
        break;
      case 0x02: { // block
        const bt = readBlockType(reader, module);
        materializeFrom(0);
        control.push({
          kind: "block",
          height: n - bt.params.length,
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
        const bt = readBlockType(reader, module);
        materializeFrom(0);
        const start = out.length;
        openRun(0x03);
        control.push({
          kind: "loop",
          height: n - bt.params.length,
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
        const bt = readBlockType(reader, module);
        const cond = popCond();
        materializeFrom(0);
        const fix = condJump(cond, true);
        control.push({
          kind: "if",
          height: n - bt.params.length,
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
          materializeFrom(c.height);
          out.push(0x05);
          c.fixups.push(out.push(0));
        }
        out.code[c.elseFixup] = out.length;
        c.elseFixup = -1;
        c.dead = false;
        setTemps(c.height, c.height + c.params);
        chargeAt = -1; // a label: the run starting here is entered by a jump too
        openRun(0x02);
        break;
      }
      case 0x0b: { // end
        const c = control.pop()!;
        if (c.kind === "func") {
          if (!c.dead) emitReturn();
          closeRun();
          if (c.fixups.length > 0) {
            // Landing of br_table entries that leave the function: the results sit at the first temp slots.
            const ret = out.length;
            for (const f of c.fixups) out.code[f] = ret;
            out.push(0x0f);
            out.push(canon(0));
            out.push(c.results);
          }
          control.length = 0;
          break;
        }
        if (!c.dead) materializeFrom(c.height);
        const end = out.length;
        if (c.elseFixup >= 0) out.code[c.elseFixup] = end;
        for (const f of c.fixups) out.code[f] = end;
        setTemps(c.height, c.height + c.results);
        // A new straight-line run starts where branches land (not needed after a loop: nothing branches to its end).
        if (c.kind !== "loop" || c.dead) {
          chargeAt = -1; // a label: the run starting here is entered by a jump too
          openRun(0x02);
        }
        break;
      }
      case 0x0c: { // br
        const target = control[control.length - 1 - reader.u32()]!;
        emitBranch(target, target.kind === "loop" ? target.params : target.results);
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x0d: { // br_if
        const target = control[control.length - 1 - reader.u32()]!;
        const arity = target.kind === "loop" ? target.params : target.results;
        const cond = popCond();
        if (target.kind !== "func" && inPlace(target, arity)) {
          const at = condJump(cond, false);
          if (target.kind === "loop") out.code[at] = target.start;
          else target.fixups.push(at);
        } else {
          const over = condJump(cond, true);
          emitBranch(target, arity);
          out.code[over] = out.length;
        }
        openRun(0x02);
        break;
      }
      case 0x0e: { // br_table
        const count = reader.u32();
        const idx = slotOf(n - 1);
        n--;
        const depths: number[] = [];
        for (let i = 0; i <= count; i++) depths.push(reader.u32());
        const first = control[control.length - 1 - depths[0]!]!;
        const arity = first.kind === "loop" ? first.params : first.results;
        materializeFrom(n - arity);
        out.push(0x0e);
        out.push(idx);
        out.push(canon(n - arity));
        out.push(count);
        for (const depth of depths) {
          const target = control[control.length - 1 - depth]!;
          const at = out.push(0);
          if (target.kind === "loop") out.code[at] = target.start;
          else target.fixups.push(at);
          out.push(canon(target.height));
          out.push(arity);
        }
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x0f: // return
        emitReturn();
        control[control.length - 1]!.dead = true;
        break;
      case 0x10: { // call
        const f = reader.u32();
        const t = funcTypeOf(module, f);
        const p = t.params.length;
        materializeFrom(n - p);
        out.push(0x10);
        out.push(f);
        out.push(canon(n - p));
        setTemps(n - p, n - p + t.results.length);
        break;
      }
      case 0x11: { // call_indirect
        const typeIndex = reader.u32();
        const table = reader.u32();
        const t = module.types[typeIndex]!;
        const p = t.params.length;
        const idx = slotOf(n - 1);
        n--;
        materializeFrom(n - p);
        out.push(0x11);
        out.push(typeIndex);
        out.push(table);
        out.push(canon(n - p));
        out.push(idx);
        setTemps(n - p, n - p + t.results.length);
        break;
      }
      case 0x1a: // drop
        n--;
        break;
      case 0x1c: // select t
      case 0x1b: { // select
        if (op === 0x1c) { for (let k = reader.u32(); k > 0; k--) reader.u8(); }
        const c = slotOf(n - 1), b = slotOf(n - 2), a = slotOf(n - 3);
        n -= 3;
        emitResult(0x1b);
        out.push(a);
        out.push(b);
        out.push(c);
        break;
      }
      case 0x20: // local.get
        push(LOCAL, reader.u32(), 0);
        break;
      case 0x21: // local.set
      case 0x22: { // local.tee
        const x = reader.u32();
        const top = n - 1;
        if (kind[top] === LOCAL && val[top] === x) {
          if (op === 0x21) n--;
          break;
        }
        if (
          kind[top] === TEMP && prevOp >= 0 && out.length === prevEnd && out.code[prevOp + 1] === canon(top) &&
          !hasReadsOf(x, top)
        ) {
          // The previous op writes the local directly.
          out.code[prevOp + 1] = x << 1;
          if (op === 0x21) n--;
          else {
            kind[top] = LOCAL;
            val[top] = x;
          }
          break;
        }
        saveReadsOf(x, top);
        storeTo(x << 1, top);
        if (op === 0x21) n--;
        break;
      }
      case 0x23: { // global.get
        const g = reader.u32();
        emitResult(isRefType(globalTypes[g]!) ? 0x07 : 0x23);
        out.push(g);
        break;
      }
      case 0x24: { // global.set
        const g = reader.u32();
        const s = slotOf(n - 1);
        n--;
        out.push(isRefType(globalTypes[g]!) ? 0x08 : 0x24);
        out.push(g);
        out.push(s);
        break;
      }
      case 0x25: { // table.get
        const t = reader.u32();
        const i = slotOf(n - 1);
        n--;
        emitResult(0x25);
        out.push(i);
        out.push(t);
        break;
      }
      case 0x26: { // table.set
        const t = reader.u32();
        const v = slotOf(n - 1), i = slotOf(n - 2);
        n -= 2;
        out.push(0x26);
        out.push(t);
        out.push(i);
        out.push(v);
        break;
      }
      case 0x3f: // memory.size memidx (a LEB128 u32, so 0x80 0x00 is a valid 0)
        reader.u32();
        emitResult(0x3f);
        break;
      case 0x40: { // memory.grow memidx
        reader.u32();
        const a = slotOf(n - 1);
        n--;
        emitResult(0x40);
        out.push(a);
        break;
      }
      case 0x41: // i32.const
        push(CONST32, reader.s32(), 0);
        break;
      case 0x42: { // i64.const
        const v = reader.s64();
        push(CONST64, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
        break;
      }
      case 0x43: // f32.const
        emitResult(0x43);
        out.push(reader.i32le());
        break;
      case 0x44: // f64.const
        emitResult(0x44);
        out.push(reader.i32le());
        out.push(reader.i32le());
        break;
      case 0xd0: // ref.null
        reader.u8();
        emitResult(0xd0);
        break;
      case 0xd1: { // ref.is_null
        const a = slotOf(n - 1);
        n--;
        emitResult(0xd1);
        out.push(a);
        break;
      }
      case 0xd2: // ref.func
        emitResult(0xd2);
        out.push(reader.u32());
        break;
      case 0xfc: {
        const sub = reader.u32();
        if (sub <= 7) { // trunc_sat: one in, one out
          const a = slotOf(n - 1);
          n--;
          emitResult(FC_BASE + sub);
          out.push(a);
          break;
        }
        /** Materializes the top k operands and pops them; returns the first one's slot. */
        const operands = (k: number): number => {
          materializeFrom(n - k);
          n -= k;
          return canon(n);
        };
        switch (sub) {
          case 8: { // memory.init dataidx memidx
            const data = reader.u32();
            reader.u32();
            const base = operands(3);
            out.push(FC_BASE + sub);
            out.push(data);
            out.push(base);
            break;
          }
          case 9: // data.drop
          case 13: // elem.drop
            out.push(FC_BASE + sub);
            out.push(reader.u32());
            break;
          case 10: // memory.copy dst src
          case 11: { // memory.fill memidx
            reader.u32();
            if (sub === 10) reader.u32();
            const base = operands(3);
            out.push(FC_BASE + sub);
            out.push(base);
            break;
          }
          case 12: // table.init elemidx tableidx
          case 14: { // table.copy dst src
            const x = reader.u32(), y = reader.u32();
            const base = operands(3);
            out.push(FC_BASE + sub);
            out.push(x);
            out.push(y);
            out.push(base);
            break;
          }
          case 15: { // table.grow
            const t = reader.u32();
            const base = operands(2);
            out.push(FC_BASE + sub);
            out.push(t);
            out.push(base);
            pushTemp();
            break;
          }
          case 16: // table.size
            emitResult(FC_BASE + sub);
            out.push(reader.u32());
            break;
          case 17: { // table.fill
            const t = reader.u32();
            const base = operands(3);
            out.push(FC_BASE + sub);
            out.push(t);
            out.push(base);
            break;
          }
          default:
            // Validation refuses every other sub-opcode; reaching here is a bug, never a silent table.fill.
            throw new Error(`translate: 0xfc ${sub} passed validation but has no translation`);
        }
        break;
      }
      default: {
        if (op >= 0x28 && op <= 0x3e) { // loads and stores
          const offset = readMemarg(reader).offset | 0; // validated: below 2^32
          if (op < 0x36) {
            const a = slotOf(n - 1);
            n--;
            emitResult(op);
            out.push(a);
          } else {
            const v = slotOf(n - 1), a = slotOf(n - 2);
            n -= 2;
            out.push(op);
            out.push(a);
            out.push(v);
          }
          out.push(offset);
          break;
        }
        if (isIdentityOp(op)) {
          // i32.wrap_i64 (the low word is the result) and the reinterprets (raw bits): the operand stays in place.
          if (kind[n - 1] === CONST64 && op === 0xa7) kind[n - 1] = CONST32;
          break;
        }
        // Numeric: the table's signature gives the operand count; every numeric op has one result.
        const sig = info!.sig!;
        if (sig.indexOf(":") === 1) {
          const a = slotOf(n - 1);
          n--;
          emitResult(op);
          out.push(a);
          break;
        }
        const k = I32_IMM_INDEX[op]!;
        if (
          k >= 0 && kind[n - 2] === CONST32 && kind[n - 1] !== CONST32 && (COMMUTATIVE.has(op) || op in MIRROR)
        ) {
          // Constant first operand: swapped second (a compare mirrored).
          const c = val[n - 2]!;
          const a = slotOf(n - 1);
          n -= 2;
          emitResult(I32_IMM_BASE + I32_IMM_INDEX[MIRROR[op] ?? op]!);
          out.push(a);
          out.push(c);
          break;
        }
        const xr = XOR_ROTATE[op];
        if (
          xr !== undefined && kind[n - 1] === xr.constKind && kind[n - 2] === TEMP && prevOp >= 0 &&
          out.length === prevEnd && out.code[prevOp] === xr.xor && out.code[prevOp + 1] === canon(n - 2)
        ) {
          // xor; const k; rotl|rotr  →  xor_rotl_i (the xor's record grows by the left-rotate count).
          const mask = xr.bits - 1;
          const c = val[n - 1]! & mask;
          out.code[prevOp] = xr.fused;
          out.push(xr.left ? c : (xr.bits - c) & mask);
          curOp = prevOp;
          n--;
          break;
        }
        if (
          op === 0x83 && prevOp >= 0 && out.length === prevEnd && out.code[prevOp] === I64_XOR_NOT &&
          out.code[prevOp + 3] === -1 && out.code[prevOp + 4] === -1
        ) {
          // i64.xor_i x -1 (a NOT) feeding either operand of i64.and  →  i64.andn (the xor's record is rewritten).
          const left = kind[n - 2] === TEMP && out.code[prevOp + 1] === canon(n - 2);
          const right = !left && kind[n - 1] === TEMP && out.code[prevOp + 1] === canon(n - 1);
          const other = left ? n - 1 : n - 2;
          if ((left || right) && (kind[other] === LOCAL || kind[other] === TEMP)) {
            const b = slotOf(other);
            out.code[prevOp] = I64_ANDN;
            out.code[prevOp + 1] = canon(n - 2);
            out.code[prevOp + 3] = b;
            out.length = prevOp + 4;
            curOp = prevOp;
            n--;
            kind[n - 1] = TEMP; // the result's entry (it held the local read when the NOT was the right operand)
            break;
          }
        }
        if (
          op === 0x85 && prevOp >= 0 && out.length === prevEnd &&
          (out.code[prevOp] === 0x85 || out.code[prevOp] === I64_ANDN)
        ) {
          // i64.xor (or i64.andn) feeding either operand of i64.xor  →  i64.xor3 (i64.andn_xor): the first record
          // grows by the other operand.
          const left = kind[n - 2] === TEMP && out.code[prevOp + 1] === canon(n - 2);
          const right = !left && kind[n - 1] === TEMP && out.code[prevOp + 1] === canon(n - 1);
          const other = left ? n - 1 : n - 2;
          if ((left || right) && (kind[other] === LOCAL || kind[other] === TEMP)) {
            out.push(slotOf(other));
            out.code[prevOp] = out.code[prevOp] === 0x85 ? I64_XOR3 : I64_ANDN_XOR;
            out.code[prevOp + 1] = canon(n - 2);
            curOp = prevOp;
            n--;
            kind[n - 1] = TEMP;
            break;
          }
        }
        if (k >= 0 && kind[n - 1] === CONST32) {
          const c = val[n - 1]!;
          const a = slotOf(n - 2);
          n -= 2;
          emitResult(I32_IMM_BASE + k);
          out.push(a);
          out.push(c);
          break;
        }
        const j = I64_IMM_INDEX[op]!;
        if (j >= 0 && kind[n - 1] === CONST64) {
          const lo = val[n - 1]!, hi = high[n - 1]!;
          const a = slotOf(n - 2);
          n -= 2;
          emitResult(I64_IMM_BASE + j);
          out.push(a);
          out.push(lo);
          out.push(hi);
          break;
        }
        const b = slotOf(n - 1), a = slotOf(n - 2);
        n -= 2;
        emitResult(op);
        out.push(a);
        out.push(b);
        break;
      }
    }
    if (curOp >= 0) prevEnd = out.length;
    if (control.length === 0) break;
    if (control[control.length - 1]!.dead) {
      // Skip to the matching else/end, then process it as reachable-from-a-branch.
      closeRun();
      pendingOp = skipDead();
      curOp = -1;
    }
  }
  closeRun();
  return {
    code: out.code.slice(0, out.length),
    offsets: out.offsets.slice(0, out.length),
    paramCount: type.params.length,
    resultCount: type.results.length,
    localCount: L,
    maxHeight,
  };
}

/** Skips the immediates of single-byte opcode `op` (in unreachable code). */
function skipImmediates(reader: ByteReader, op: number): void {
  if (op === 0xfc) {
    const sub = reader.u32();
    switch (FC_OPS[sub]?.imm) {
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
      reader.u32();
      reader.u32();
      return;
    case "memarg":
      readMemarg(reader);
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
