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
 * Fuel follows the function's {@link FuelPlan} (`fuel_plan.ts`): each straight-line run is charged once, at its
 * start (`translate/fuel_runs.ts` says by which op). Without metering only the checkpoints' `fuel_check`s remain.
 *
 * The parts: `translate/slots.ts` (the operand stack and slot layout), `translate/control.ts` (blocks, branches,
 * returns), `translate/fusion.ts` (numeric ops, constant operands and fused ops), `translate/fuel_runs.ts`. This
 * file reads the body through the instruction reader and dispatches each instruction to them.
 *
 * @module
 */

import { CompileError } from "../errors.ts";
import { InstructionReader, PREFIX_FB, PREFIX_FC, PREFIX_FD } from "../binary/instruction_reader.ts";
import { ByteReader } from "../binary/leb128.ts";
import {
  type FuncBody,
  funcTypeOf,
  isRefType,
  type Module,
  tagTypeIndexOf,
  ValType,
  type WideAddresses,
  wideAddresses,
} from "../binary/module.ts";
import { blockTypeOf, EMPTY_FUNC_TYPE } from "../validate/block_type.ts";
import { type FuelPlan, planFuel, skipUnreachable } from "./fuel_plan.ts";
import {
  ADDR64,
  FC_BASE,
  GLOBAL_GET_V128,
  GLOBAL_SET_V128,
  LOAD_MEM,
  MEMORY_COPY_MEM,
  MEMORY_FILL_MEM,
  MEMORY_GROW_MEM,
  MEMORY_INIT_MEM,
  MEMORY_SIZE_MEM,
  REF_EQ,
  SIMD_BASE,
  STORE_MEM,
  THROW,
  THROW_REF,
} from "./isa.ts";
import {
  branchArity,
  condBranch,
  condJump,
  type Control,
  emitBranch,
  emitReturn,
  jumpTo,
} from "./translate/control.ts";
import { Emitter } from "./translate/emitter.ts";
import { translateGc } from "./translate/gc.ts";
import { emitNumeric, popCond, setLocal, setLocalV128 } from "./translate/fusion.ts";
import { CONST32, CONST64, LOCAL, slotCount } from "./translate/slots.ts";

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
  /**
   * The handler table: one record of {@link HANDLER_WORDS} words per catch clause, innermost first (a `try_table`'s
   * at its end, clauses in order; a legacy `try`'s at each handler): the code range [start, end) it covers, its kind,
   * the tag index, the code position to continue at, and the slot (a word offset) where the values go. Kinds:
   * 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref (the payload, then the exnref for the `_ref` kinds); 5 a
   * legacy `catch`, 6 `catch_all` (the exnref, then the payload); 4 a legacy `delegate`: any exception thrown in the
   * range goes on as if thrown at the position in the slot word, searching from the record index (in words) in the
   * continue word. The machine reads it only when an exception is thrown.
   */
  readonly handlers: Int32Array;
}

/** Words per record of `CompiledFunc.handlers`. */
export const HANDLER_WORDS = 6;

/**
 * Translates function `funcIndex` (in the module's function index space; must be a defined function).
 *
 * @param module A decoded and validated module.
 * @param funcIndex Index of a defined function.
 * @param meter Emit the per-run `fuel` charges (needed for fuel metering and fuel-based yielding). Without them the
 *   code still has `fuel_check` at function entry and loop headers, for interrupts.
 * @param plan The body's fuel plan, when the caller has it already.
 * @returns The function's machine code.
 */
export function translateFunction(
  module: Module,
  funcIndex: number,
  meter = true,
  plan?: FuelPlan,
): CompiledFunc {
  const type = funcTypeOf(module, funcIndex);
  const body = module.codes[funcIndex - module.importedFuncs]!;
  const locals = localSlots(type.params, body);
  const localCount = locals.count;
  const globalTypes: ValType[] = [];
  for (const imp of module.imports) if (imp.desc.kind === "global") globalTypes.push(imp.desc.type.type);
  for (const g of module.globals) globalTypes.push(g.type.type);
  const wide = wideAddresses(module);

  const resultSlots = slotCount(type.results);
  const e = new Emitter(localCount, resultSlots, plan ?? planFuel(module, body), meter);
  const { out, stack, runs } = e;
  const reader = new InstructionReader(new ByteReader(module.bytes, body.start, body.end));
  const bytes = reader.bytes;
  const control: Control[] = [newControl("func", 0, EMPTY_FUNC_TYPE.params, type.results)];
  out.offset = body.start;
  runs.openAt(body.start, false); // fuel_check at function entry (always the first record: the machine's call executes it)

  for (;;) {
    const op = reader.next();
    const at = reader.at;
    out.offset = at;
    if (op !== 0x20 && op !== 0x41 && op !== 0x42) {
      // Why not for local.get and the integer constants: they emit nothing, so the op before them is still the last
      // one emitted (fusions check that its result is the entry they consume).
      e.prevOp = e.curOp;
      e.curOp = -1;
    }
    // Why not for the legacy handlers: their unit is charged in the run they open (fuel_plan.ts).
    if (op !== 0x07 && op !== 0x19 && op !== 0x18) runs.charge(reader.info.fuel);
    switch (op) {
      case 0x00: // unreachable
        out.push(0x00);
        control[control.length - 1]!.dead = true;
        break;
      case 0x01: // nop
        break;
      case 0x02: // block
      case 0x03: { // loop
        const bt = blockTypeOf(module, reader.blockType);
        stack.materializeFrom(0);
        const c = newControl(op === 0x02 ? "block" : "loop", stack.n - slotCount(bt.params), bt.params, bt.results);
        c.start = out.length; // a loop's header: its fuel_check opens the run after it
        control.push(c);
        break;
      }
      case 0x06: { // try (legacy exceptions): a block whose handlers become records at its first catch
        const bt = blockTypeOf(module, reader.blockType);
        stack.materializeFrom(0);
        const c = newControl("try", stack.n - slotCount(bt.params), bt.params, bt.results);
        c.start = out.length;
        control.push(c);
        break;
      }
      case 0x07: // catch (legacy)
      case 0x19: { // catch_all (legacy)
        const c = control[control.length - 1]!;
        if (c.kind === "try") {
          // The body ends: its fall-through jumps to the end; handlers cover [start, bodyEnd).
          if (!c.dead) {
            stack.materializeFrom(c.height);
            out.push(0x05);
            c.fixups.push(out.push(0));
          }
          c.bodyEnd = out.length;
          for (const f of c.delegatesAtBodyEnd) e.handlers[f] = e.handlers.length;
          c.delegatesAtBodyEnd.length = 0;
          c.kind = "catch";
        } else if (!c.dead) {
          emitBranch(e, c, c.results); // the previous handler's results, moved over the exnref slot
        }
        const tagParams = op === 0x07 ? module.types[tagTypeIndexOf(module, reader.index)]!.params : NO_TYPES;
        e.handlers.push(c.start, c.bodyEnd, op === 0x07 ? 5 : 6, op === 0x07 ? reader.index : 0, out.length);
        e.handlers.push(stack.canon(c.height));
        stack.setTemps(c.height, [ValType.exnref, ...tagParams]);
        c.dead = false;
        runs.openAt(bytes.pos, true);
        runs.charge(reader.info.fuel);
        break;
      }
      case 0x18: { // delegate (legacy): ends the try; exceptions of its body go to the handlers of label l outside
        const c = control.pop()!;
        if (!c.dead) stack.materializeFrom(c.height);
        const end = out.length;
        const target = control[control.length - 1 - reader.index]!;
        e.handlers.push(c.start, end, 4, 0, 0, target.start);
        const at = e.handlers.length - 2;
        if (target.kind === "try") target.delegatesAtBodyEnd.push(at);
        else target.delegatesAtEnd.push(at);
        // Delegated here from inside: on to this delegate's own target.
        for (const f of c.delegatesAtBodyEnd) e.handlers[f] = e.handlers.length - 6;
        for (const f of c.delegatesAtEnd) e.handlers[f] = e.handlers.length;
        for (const f of c.fixups) out.code[f] = end;
        for (const f of c.handlerFixups) e.handlers[f] = end;
        stack.setTemps(c.height, c.resultTypes);
        break;
      }
      case 0x09: { // rethrow (legacy): the exception of the handler at label l, in its try's first slot
        const target = control[control.length - 1 - reader.index]!;
        out.push(THROW_REF);
        out.push(stack.canon(target.height));
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x04: { // if
        const bt = blockTypeOf(module, reader.blockType);
        const cond = popCond(e);
        stack.materializeFrom(0);
        const c = newControl("if", stack.n - slotCount(bt.params), bt.params, bt.results);
        c.elseFixup = condJump(e, cond, true);
        c.start = out.length;
        control.push(c);
        break;
      }
      case 0x05: { // else
        const c = control[control.length - 1]!;
        if (!c.dead) {
          stack.materializeFrom(c.height);
          out.push(0x05);
          c.fixups.push(out.push(0));
        }
        out.code[c.elseFixup] = out.length;
        c.elseFixup = -1;
        c.dead = false;
        stack.setTemps(c.height, c.paramTypes);
        break;
      }
      case 0x0b: { // end
        const c = control.pop()!;
        if (c.kind === "func") {
          if (!c.dead) emitReturn(e);
          for (const f of c.delegatesAtEnd) e.handlers[f] = e.handlers.length;
          if (c.fixups.length > 0 || c.handlerFixups.length > 0) {
            // Landing of br_table entries and catch clauses that leave the function: the results sit at the first
            // temp slots.
            const ret = out.length;
            for (const f of c.fixups) out.code[f] = ret;
            for (const f of c.handlerFixups) e.handlers[f] = ret;
            out.push(0x0f);
            out.push(stack.canon(0));
            out.push(c.results);
          }
          break;
        }
        if (c.kind === "catch") {
          // A legacy handler's results, moved over the exnref slot to the try's slots.
          if (!c.dead) {
            for (let j = 0; j < c.results; j++) stack.storeTo(stack.canon(c.height + j), stack.n - c.results + j);
          }
        } else if (!c.dead) stack.materializeFrom(c.height);
        const end = out.length;
        if (c.catches !== null) addHandlers(e, c, end);
        for (const f of c.delegatesAtBodyEnd) e.handlers[f] = e.handlers.length;
        for (const f of c.delegatesAtEnd) e.handlers[f] = e.handlers.length;
        if (c.elseFixup >= 0) out.code[c.elseFixup] = end;
        for (const f of c.fixups) out.code[f] = end;
        for (const f of c.handlerFixups) e.handlers[f] = end;
        stack.setTemps(c.height, c.resultTypes);
        break;
      }
      case 0x0c: { // br
        const target = control[control.length - 1 - reader.index]!;
        emitBranch(e, target, branchArity(target));
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x0d: { // br_if
        const target = control[control.length - 1 - reader.index]!;
        const arity = branchArity(target);
        const cond = popCond(e);
        condBranch(e, target, arity, cond);
        break;
      }
      case 0x0e: { // br_table
        const count = reader.index;
        const idx = stack.slotOf(stack.n - 1);
        stack.n--;
        const first = control[control.length - 1 - (count > 0 ? reader.targets[0]! : reader.index2)]!;
        const arity = branchArity(first);
        stack.materializeFrom(stack.n - arity);
        out.push(0x0e);
        out.push(idx);
        out.push(stack.canon(stack.n - arity));
        out.push(count);
        for (let i = 0; i <= count; i++) {
          const target = control[control.length - 1 - (i < count ? reader.targets[i]! : reader.index2)]!;
          jumpTo(e, target, out.push(0));
          out.push(stack.canon(target.height));
          out.push(arity);
        }
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x0f: // return
        emitReturn(e);
        control[control.length - 1]!.dead = true;
        break;
      case 0x10: // call
      case 0x12: { // return_call
        const t = funcTypeOf(module, reader.index);
        const p = slotCount(t.params);
        stack.materializeFrom(stack.n - p);
        out.push(op);
        out.push(reader.index);
        out.push(stack.canon(stack.n - p));
        stack.setTemps(stack.n - p, t.results);
        if (op === 0x12) endTailCall(e, control);
        break;
      }
      case 0x11: // call_indirect
      case 0x13: // return_call_indirect
      case 0x14: // call_ref
      case 0x15: { // return_call_ref
        const t = module.types[reader.index]!;
        const p = slotCount(t.params);
        const callee = stack.slotOf(stack.n - 1); // the table index, or the function reference
        stack.n--;
        stack.materializeFrom(stack.n - p);
        if (op <= 0x13) {
          if (wide.tables[reader.index2]) checkHigh(e, callee, TRAP_UNDEFINED_ELEMENT);
          out.push(op);
          out.push(reader.index);
          out.push(reader.index2);
        } else out.push(op === 0x14 ? 0x0b : 0x15); // see isa.ts for call_ref's number
        out.push(stack.canon(stack.n - p));
        out.push(callee);
        stack.setTemps(stack.n - p, t.results);
        if (op === 0x13 || op === 0x15) endTailCall(e, control);
        break;
      }
      case 0x08: { // throw: the payload at consecutive slots
        const p = slotCount(module.types[tagTypeIndexOf(module, reader.index)]!.params);
        stack.materializeFrom(stack.n - p);
        stack.n -= p;
        out.push(THROW);
        out.push(reader.index);
        out.push(stack.canon(stack.n));
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x0a: { // throw_ref
        const s = stack.slotOf(stack.n - 1);
        stack.n--;
        out.push(THROW_REF);
        out.push(s);
        control[control.length - 1]!.dead = true;
        break;
      }
      case 0x1f: { // try_table: a block; its catch clauses become handler records at its end
        const bt = blockTypeOf(module, reader.blockType);
        stack.materializeFrom(0);
        const c = newControl("block", stack.n - slotCount(bt.params), bt.params, bt.results);
        c.start = out.length; // the start of the code its handlers cover
        const catches: (number | Control)[] = [];
        for (let i = 0; i < reader.index; i++) {
          const cs = reader.catches;
          catches.push(cs[3 * i]!, cs[3 * i + 1]!, control[control.length - 1 - cs[3 * i + 2]!]!);
        }
        c.catches = catches;
        control.push(c);
        break;
      }
      case 0x1a: // drop
        stack.n -= stack.topIsV128() ? 2 : 1;
        break;
      case 0x1b: // select
      case 0x1c: { // select t
        const n = stack.n;
        const c = stack.slotOf(n - 1);
        if (stack.hi[n - 2] === 1) {
          // Two v128s: a select per half (the result's slots are a's canonical ones, below c's and b's).
          const b = stack.slotOfV128(n - 3), a = stack.slotOfV128(n - 5);
          stack.n -= 5;
          const d = stack.pushV128Temp();
          for (let half = 0; half < 4; half += 2) {
            out.push(0x1b);
            out.push(d + half);
            out.push(a + half);
            out.push(b + half);
            out.push(c);
          }
          break;
        }
        const b = stack.slotOf(n - 2), a = stack.slotOf(n - 3);
        stack.n -= 3;
        e.emitResult(0x1b);
        out.push(a);
        out.push(b);
        out.push(c);
        break;
      }
      case 0x20: { // local.get
        const x = reader.index;
        if (locals.v128 !== null && locals.v128[x] === 1) stack.pushV128Local(locals.slot![x]!);
        else stack.push(LOCAL, locals.slot === null ? x : locals.slot[x]!, 0);
        break;
      }
      case 0x21: // local.set
      case 0x22: { // local.tee
        const x = reader.index;
        if (locals.v128 !== null && locals.v128[x] === 1) setLocalV128(e, locals.slot![x]!, op === 0x22);
        else setLocal(e, locals.slot === null ? x : locals.slot[x]!, op === 0x22);
        break;
      }
      case 0x23: { // global.get
        const g = reader.index, t = globalTypes[g]!;
        if (t === ValType.v128) {
          out.push(GLOBAL_GET_V128);
          out.push(stack.pushV128Temp());
        } else e.emitResult(isRefType(t) ? 0x07 : 0x23);
        out.push(g);
        break;
      }
      case 0x24: { // global.set
        const g = reader.index, t = globalTypes[g]!;
        const v128 = t === ValType.v128;
        const s = v128 ? stack.slotOfV128(stack.n - 2) : stack.slotOf(stack.n - 1);
        stack.n -= v128 ? 2 : 1;
        out.push(v128 ? GLOBAL_SET_V128 : isRefType(t) ? 0x08 : 0x24);
        out.push(g);
        out.push(s);
        break;
      }
      case 0x25: { // table.get
        const i = stack.slotOf(stack.n - 1);
        stack.n--;
        if (wide.tables[reader.index]) checkHigh(e, i, TRAP_TABLE);
        e.emitResult(0x25);
        out.push(i);
        out.push(reader.index);
        break;
      }
      case 0x26: { // table.set
        const n = stack.n;
        const v = stack.slotOf(n - 1), i = stack.slotOf(n - 2);
        stack.n -= 2;
        if (wide.tables[reader.index]) checkHigh(e, i, TRAP_TABLE);
        out.push(0x26);
        out.push(reader.index);
        out.push(i);
        out.push(v);
        break;
      }
      case 0x3f: { // memory.size (a 64-bit memory's, with its i64 result, through the cold op)
        const cold = reader.index !== 0 || wide.memories[0]!;
        e.emitResult(cold ? MEMORY_SIZE_MEM : 0x3f);
        if (cold) out.push(reader.index);
        break;
      }
      case 0x40: { // memory.grow (a 64-bit memory's, with its i64 delta and result, through the cold op)
        const cold = reader.index !== 0 || wide.memories[0]!;
        const a = stack.slotOf(stack.n - 1);
        stack.n--;
        e.emitResult(cold ? MEMORY_GROW_MEM : 0x40);
        out.push(a);
        if (cold) out.push(reader.index);
        break;
      }
      case 0x41: // i32.const
        stack.push(CONST32, reader.value, 0);
        break;
      case 0x42: // i64.const
        stack.push(CONST64, reader.value, reader.high);
        break;
      case 0x43: // f32.const
        e.emitResult(0x43);
        out.push(reader.value);
        break;
      case 0x44: // f64.const
        e.emitResult(0x44);
        out.push(reader.value);
        out.push(reader.high);
        break;
      case 0xd0: // ref.null
        e.emitResult(0xd0);
        break;
      case 0xd1: { // ref.is_null
        const a = stack.slotOf(stack.n - 1);
        stack.n--;
        e.emitResult(0xd1);
        out.push(a);
        break;
      }
      case 0xd2: // ref.func
        e.emitResult(0xd2);
        out.push(reader.index);
        break;
      case 0xd4: // ref.as_non_null: a check; the reference stays where it is
        out.push(0xd4);
        out.push(stack.slotOf(stack.n - 1));
        break;
      case 0xd5: // br_on_null: a br_if on "is null" with the values under the reference, which stays otherwise
      case 0xd6: { // br_on_non_null: a br_if on "is not null" with the reference, which is dropped otherwise
        const target = control[control.length - 1 - reader.index]!;
        const arity = branchArity(target);
        const cond = { cmp: op === 0xd5 ? 0x45 : -1, a: stack.slotOf(stack.n - 1), b: 0, imm: false };
        if (op === 0xd5) stack.n--;
        condBranch(e, target, arity, cond);
        // The reference's entry is still above the top: br_on_null puts it back, br_on_non_null drops it.
        if (op === 0xd5) stack.n++;
        else stack.n--;
        break;
      }
      case 0xd3: { // ref.eq (see isa.ts)
        const b = stack.slotOf(stack.n - 1), a = stack.slotOf(stack.n - 2);
        stack.n -= 2;
        e.emitResult(REF_EQ);
        out.push(a);
        out.push(b);
        break;
      }
      case PREFIX_FB:
        translateGc(e, reader, module, control);
        break;
      case PREFIX_FC:
        translatePrefixed(e, reader, wide);
        break;
      case PREFIX_FD:
        translateSimd(e, reader, wide);
        break;
      default:
        if (op >= 0x28 && op <= 0x3e) { // loads and stores: the validator has checked offset < 2^32 (32-bit memories)
          // On a memory other than 0, the cold path's load_mem/store_mem, with the memory index and the op after.
          // On a 64-bit memory, an addr64 check first (see isa.ts) and an offset of at most 2^32 - 1.
          const other = reader.memory !== 0;
          const address64 = wide.memories[reader.memory]!;
          if (op < 0x36) {
            const a = stack.slotOf(stack.n - 1);
            stack.n--;
            if (address64) checkHigh(e, a, TRAP_MEMORY);
            e.emitResult(other ? LOAD_MEM : op);
            out.push(a);
          } else {
            const n = stack.n;
            const v = stack.slotOf(n - 1), a = stack.slotOf(n - 2);
            stack.n -= 2;
            if (address64) checkHigh(e, a, TRAP_MEMORY);
            out.push(other ? STORE_MEM : op);
            out.push(a);
            out.push(v);
          }
          out.push(Math.min(reader.offset, 0xffffffff) | 0);
          if (other) {
            out.push(reader.memory);
            out.push(op);
          }
          break;
        }
        emitNumeric(e, op, reader.info);
    }
    if (e.curOp >= 0) e.prevEnd = out.length;
    if (control.length === 0) break;
    if (control[control.length - 1]!.dead) {
      // Unreachable up to the matching else/end, which is then translated as reached by a branch only.
      bytes.pos = skipUnreachable(reader);
      e.curOp = -1;
    }
    runs.openAt(bytes.pos, op === 0x05 || op === 0x0b || op === 0x18);
  }
  return {
    code: out.code.slice(0, out.length),
    offsets: out.offsets.slice(0, out.length),
    paramCount: slotCount(type.params),
    resultCount: resultSlots,
    localCount,
    maxHeight: stack.maxHeight,
    handlers: Int32Array.from(e.handlers),
  };
}

/**
 * The `0xfd` (SIMD) instructions, as the records of `isa.ts`'s {@link SIMD_BASE}: operands in slots (a v128 in two),
 * a v128 result in a new two-slot temp. Nothing is deferred or fused.
 */
function translateSimd(e: Emitter, reader: InstructionReader, wide: WideAddresses): void {
  const { out, stack } = e;
  const sub = reader.sub;
  const sig = reader.info.sig;
  const op = SIMD_BASE + sub;
  if (sig === null) { // memory access: the lane forms have a v128 operand on top of the address
    const lanes = sub >= 0x54 && sub <= 0x5b;
    const store = sub === 0x0b || (sub >= 0x58 && sub <= 0x5b);
    let v = 0;
    if (store || lanes) {
      v = stack.slotOfV128(stack.n - 2);
      stack.n -= 2;
    }
    const a = stack.slotOf(stack.n - 1);
    stack.n--;
    if (wide.memories[reader.memory]) checkHigh(e, a, TRAP_MEMORY);
    const at = out.push(op);
    if (!store) {
      out.push(stack.pushV128Temp());
      e.curOp = at; // a `local.set` after it may retarget it
    }
    out.push(a);
    if (store || lanes) out.push(v);
    out.push(Math.min(reader.offset, 0xffffffff) | 0);
    out.push(reader.memory);
    if (lanes) out.push(reader.lane);
    return;
  }
  if (sub === 0x0c) { // v128.const
    e.curOp = out.push(op);
    out.push(stack.pushV128Temp());
    const b = reader.bytes16;
    for (let i = 0; i < 16; i += 4) out.push(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    return;
  }
  // Operand slots, popped from the top (the last operand first).
  const colon = sig.indexOf(":");
  const slots = [0, 0, 0];
  for (let k = colon - 1; k >= 0; k--) {
    if (sig.charCodeAt(k) === 0x56) { // "V"
      slots[k] = stack.slotOfV128(stack.n - 2);
      stack.n -= 2;
    } else {
      slots[k] = stack.slotOf(stack.n - 1);
      stack.n--;
    }
  }
  e.curOp = out.push(op); // a `local.set` after it may retarget it
  out.push(sig.charCodeAt(colon + 1) === 0x56 ? stack.pushV128Temp() : stack.pushTemp());
  out.push(slots[0]!);
  out.push(slots[1]!);
  if (sub === 0x0d) { // i8x16.shuffle: the lane indices, four to a word
    const b = reader.bytes16;
    for (let i = 0; i < 16; i += 4) out.push(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    return;
  }
  out.push(slots[2]!);
  out.push(reader.lane);
}

/** {@link ADDR64}'s trap immediates (indices into `ADDR64_TRAPS`). */
const TRAP_MEMORY = 0, TRAP_TABLE = 1, TRAP_UNDEFINED_ELEMENT = 2;

/** Emits the check that the i64 in slot s fits 32 bits (else the trap), before the op that reads its low word. */
function checkHigh(e: Emitter, s: number, trapIndex: number): void {
  e.out.push(ADDR64);
  e.out.push(s);
  e.out.push(trapIndex);
}

const NO_TYPES: readonly ValType[] = [];

/**
 * Where a function's locals (params first) live: `slot[x]` is local x's first slot and `v128[x]` 1 for a v128
 * local, which takes two; both null when no local is a v128 (then local x is slot x); `count` is the slots in all.
 */
function localSlots(
  params: readonly ValType[],
  body: FuncBody,
): { slot: Int32Array | null; v128: Uint8Array | null; count: number } {
  const n = params.length + body.localCount;
  if (!params.includes(ValType.v128) && !body.locals.some((run) => run.type === ValType.v128)) {
    return { slot: null, v128: null, count: n };
  }
  const slot = new Int32Array(n), v128 = new Uint8Array(n);
  let x = 0, s = 0;
  const add = (t: ValType): void => {
    slot[x] = s;
    v128[x++] = t === ValType.v128 ? 1 : 0;
    s += t === ValType.v128 ? 2 : 1;
  };
  for (const t of params) add(t);
  for (const run of body.locals) for (let i = 0; i < run.count; i++) add(run.type);
  return { slot, v128, count: s };
}

function newControl(
  kind: Control["kind"],
  height: number,
  paramTypes: readonly ValType[],
  resultTypes: readonly ValType[],
): Control {
  return {
    kind,
    height,
    params: slotCount(paramTypes),
    results: slotCount(resultTypes),
    paramTypes,
    resultTypes,
    start: 0,
    fixups: [],
    elseFixup: -1,
    dead: false,
    catches: null,
    handlerFixups: [],
    bodyEnd: -1,
    delegatesAtBodyEnd: [],
    delegatesAtEnd: [],
  };
}

/**
 * Adds the handler records of try_table `c`, whose code ends at `end`. A clause's values go where a branch to its
 * label puts them (the label's canonical slots); it continues where that branch lands: a loop's start, or (patched
 * later) a block's end or the function's return landing.
 */
function addHandlers(e: Emitter, c: Control, end: number): void {
  const catches = c.catches!;
  const h = e.handlers;
  for (let i = 0; i < catches.length; i += 3) {
    const target = catches[i + 2] as Control;
    h.push(c.start, end, catches[i] as number, catches[i + 1] as number, 0, e.stack.canon(target.height));
    const at = h.length - 2;
    if (target.kind === "loop") h[at] = target.start;
    else target.handlerFixups.push(at);
  }
}

/**
 * Ends a tail call (`return_call`, `return_call_indirect`). The machine replaces the frame by a wasm callee's and
 * never comes back here; a host callee (or another engine's) cannot take a frame, so it is called as by `call`, its
 * results land at the arguments' slots, and the `return` emitted here returns them. Code after it is dead.
 */
function endTailCall(e: Emitter, control: Control[]): void {
  emitReturn(e);
  control[control.length - 1]!.dead = true;
}

/**
 * The `0xfc` instructions: saturating truncations (one operand, one result) and the bulk memory and table ops,
 * whose operands the machine reads from consecutive slots at `base`.
 */
function translatePrefixed(e: Emitter, reader: InstructionReader, wide: WideAddresses): void {
  const { out, stack } = e;
  const sub = reader.sub;
  if (sub <= 7) { // trunc_sat
    const a = stack.slotOf(stack.n - 1);
    stack.n--;
    e.emitResult(FC_BASE + sub);
    out.push(a);
    return;
  }
  /** Materializes the top k operands and pops them; returns the first one's slot. */
  const operands = (k: number): number => {
    stack.materializeFrom(stack.n - k);
    stack.n -= k;
    return stack.canon(stack.n);
  };
  /**
   * The checks of a bulk op's i64 operands at base (memory64): operand k (0: destination, 1: source or value, 2:
   * length) is 64-bit when bit k of `mask` is set. Any of them at 2^32 or more is out of bounds, as the op itself
   * would find.
   */
  const checkOperands = (base: number, mask: number, trapIndex: number): void => {
    for (let k = 0; k < 3; k++) if (mask & (1 << k)) checkHigh(e, base + 2 * k, trapIndex);
  };
  /** The 64-bit operands of a copy: destination, source, and the length when both are. */
  const copyMask = (dst: boolean, src: boolean): number => (dst ? 1 : 0) | (src ? 2 : 0) | (dst && src ? 4 : 0);
  switch (sub) {
    case 8: { // memory.init dataidx memidx
      const base = operands(3);
      if (wide.memories[reader.index2]) checkOperands(base, 1, TRAP_MEMORY);
      out.push(reader.index2 === 0 ? FC_BASE + sub : MEMORY_INIT_MEM);
      out.push(reader.index);
      out.push(base);
      if (reader.index2 !== 0) out.push(reader.index2);
      return;
    }
    case 9: // data.drop
    case 13: // elem.drop
      out.push(FC_BASE + sub);
      out.push(reader.index);
      return;
    case 10: { // memory.copy dst src
      const base = operands(3);
      checkOperands(base, copyMask(wide.memories[reader.index]!, wide.memories[reader.index2]!), TRAP_MEMORY);
      if (reader.index === 0 && reader.index2 === 0) {
        out.push(FC_BASE + sub);
        out.push(base);
      } else {
        out.push(MEMORY_COPY_MEM);
        out.push(base);
        out.push(reader.index);
        out.push(reader.index2);
      }
      return;
    }
    case 11: { // memory.fill memidx
      const base = operands(3);
      if (wide.memories[reader.index]) checkOperands(base, 5, TRAP_MEMORY);
      out.push(reader.index === 0 ? FC_BASE + sub : MEMORY_FILL_MEM);
      out.push(base);
      if (reader.index !== 0) out.push(reader.index);
      return;
    }
    case 12: // table.init elemidx tableidx
    case 14: { // table.copy dst src
      const base = operands(3);
      const mask = sub === 12
        ? (wide.tables[reader.index2] ? 1 : 0)
        : copyMask(wide.tables[reader.index]!, wide.tables[reader.index2]!);
      checkOperands(base, mask, TRAP_TABLE);
      out.push(FC_BASE + sub);
      out.push(reader.index);
      out.push(reader.index2);
      out.push(base);
      return;
    }
    case 15: { // table.grow
      const base = operands(2);
      out.push(FC_BASE + sub);
      out.push(reader.index);
      out.push(base);
      stack.pushTemp();
      return;
    }
    case 16: // table.size
      e.emitResult(FC_BASE + sub);
      out.push(reader.index);
      return;
    case 17: { // table.fill
      const base = operands(3);
      if (wide.tables[reader.index]) checkOperands(base, 5, TRAP_TABLE);
      out.push(FC_BASE + sub);
      out.push(reader.index);
      out.push(base);
      return;
    }
    case 19: // i64.add128
    case 20: // i64.sub128
    case 21: // i64.mul_wide_s
    case 22: { // i64.mul_wide_u
      const base = operands(sub <= 20 ? 4 : 2);
      out.push(FC_BASE + sub);
      out.push(base);
      stack.pushTemp(); // the low half, at base
      stack.pushTemp(); // the high half
      return;
    }
    default:
      // The reader rejects unknown sub-opcodes and the validator unimplemented ones; never fall into another op.
      throw new CompileError(`cannot translate ${reader.info.name}`, reader.at);
  }
}
