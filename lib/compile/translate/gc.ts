/**
 * Translation of the GC instructions (`0xfb`) into `isa.ts`'s {@link GC_BASE} records: operands that an op reads by
 * count (`struct.new`, `array.new_fixed`, the bulk array ops) are materialized in consecutive slots; the others are
 * named by slot. `br_on_cast` and `br_on_cast_fail` become a `ref.test` into a temp and a conditional branch.
 *
 * @module
 */
import type { InstructionReader } from "../../binary/instruction_reader.ts";
import { heapTypeOf, isNullable, type Module, ValType } from "../../binary/module.ts";
import { GC_BASE } from "../isa.ts";
import { branchArity, condBranch, type Control } from "./control.ts";
import type { Emitter } from "./emitter.ts";
import { slotCount } from "./slots.ts";

/** The result type the translator gives a reference (only a v128's size matters to it). */
const REF = [ValType.externref];

/** The slots a field or element type takes. */
function fieldSlots(t: number): number {
  return t === ValType.v128 ? 2 : 1;
}

/** Pops `k` operands of one slot each; returns their slots, the first operand first. */
function popSlots(e: Emitter, k: number): number[] {
  const slots: number[] = [];
  for (let j = k - 1; j >= 0; j--) {
    slots[j] = e.stack.slotOf(e.stack.n - 1);
    e.stack.n--;
  }
  return slots;
}

/** Emits the given words. */
function words(e: Emitter, ...ws: number[]): void {
  for (const w of ws) e.out.push(w);
}

/** Emits `op` with a new temp destination, then the given immediates. */
function withResult(e: Emitter, op: number, imms: readonly number[]): void {
  e.emitResult(op);
  for (const x of imms) e.out.push(x);
}

/** Materializes the top `p` slots and emits `op base imms…`; the result (if any) replaces them at base. */
function fromBase(e: Emitter, op: number, p: number, imms: readonly number[], result: boolean): void {
  const stack = e.stack;
  stack.materializeFrom(stack.n - p);
  const base = stack.canon(stack.n - p);
  e.out.push(op);
  e.out.push(base);
  for (const x of imms) e.out.push(x);
  stack.n -= p;
  if (result) stack.setTemps(stack.n, REF);
}

/**
 * Translates the `0xfb` instruction the reader is at.
 *
 * @param e The function's translation state.
 * @param reader The instruction reader, at a GC instruction.
 * @param module The module (for struct and array types).
 * @param control The control stack (for `br_on_cast`'s label).
 */
export function translateGc(e: Emitter, reader: InstructionReader, module: Module, control: Control[]): void {
  const sub = reader.sub, op = GC_BASE + sub;
  const x = reader.index;
  const comp = () => module.subtypes[x]!.comp;
  switch (sub) {
    case 0: { // struct.new
      const c = comp();
      const p = c.kind === "struct" ? slotCount(c.fields.map((f) => f.type)) : 0;
      fromBase(e, op, p, [x], true);
      return;
    }
    case 1: // struct.new_default
      withResult(e, op, [x]);
      return;
    case 2:
    case 3:
    case 4: { // struct.get*
      const [a] = popSlots(e, 1);
      const c = comp();
      const t = c.kind === "struct" ? c.fields[reader.index2]!.type : ValType.i32;
      e.curOp = e.out.push(op);
      e.out.push(t === ValType.v128 ? e.stack.pushV128Temp() : e.stack.pushTemp());
      words(e, a!, x, reader.index2);
      return;
    }
    case 5: { // struct.set
      const c = comp();
      const t = c.kind === "struct" ? c.fields[reader.index2]!.type : ValType.i32;
      const v = t === ValType.v128 ? e.stack.slotOfV128(e.stack.n - 2) : e.stack.slotOf(e.stack.n - 1);
      e.stack.n -= fieldSlots(t);
      const [a] = popSlots(e, 1);
      words(e, op, a!, v, x, reader.index2);
      return;
    }
    case 6: { // array.new: v n
      const c = comp();
      const t = c.kind === "array" ? c.element.type : ValType.i32;
      const [n] = popSlots(e, 1);
      const v = t === ValType.v128 ? e.stack.slotOfV128(e.stack.n - 2) : e.stack.slotOf(e.stack.n - 1);
      e.stack.n -= fieldSlots(t);
      withResult(e, op, [v, n!, x]);
      return;
    }
    case 7: { // array.new_default: n
      const [n] = popSlots(e, 1);
      withResult(e, op, [n!, x]);
      return;
    }
    case 8: { // array.new_fixed
      const c = comp();
      const t = c.kind === "array" ? c.element.type : ValType.i32;
      fromBase(e, op, reader.index2 * fieldSlots(t), [x, reader.index2], true);
      return;
    }
    case 9:
    case 10: { // array.new_data, array.new_elem: s n
      const [s, n] = popSlots(e, 2);
      withResult(e, op, [s!, n!, x, reader.index2]);
      return;
    }
    case 11:
    case 12:
    case 13: { // array.get*: a i
      const c = comp();
      const t = c.kind === "array" ? c.element.type : ValType.i32;
      const [a, i] = popSlots(e, 2);
      e.curOp = e.out.push(op);
      e.out.push(t === ValType.v128 ? e.stack.pushV128Temp() : e.stack.pushTemp());
      words(e, a!, i!, x);
      return;
    }
    case 14: { // array.set: a i v
      const c = comp();
      const t = c.kind === "array" ? c.element.type : ValType.i32;
      const v = t === ValType.v128 ? e.stack.slotOfV128(e.stack.n - 2) : e.stack.slotOf(e.stack.n - 1);
      e.stack.n -= fieldSlots(t);
      const [a, i] = popSlots(e, 2);
      words(e, op, a!, i!, v, x);
      return;
    }
    case 15: { // array.len
      const [a] = popSlots(e, 1);
      withResult(e, op, [a!]);
      return;
    }
    case 16: { // array.fill: a i v n
      const c = comp();
      const t = c.kind === "array" ? c.element.type : ValType.i32;
      fromBase(e, op, 3 + fieldSlots(t), [x], false);
      return;
    }
    case 17: // array.copy: a1 i1 a2 i2 n
      fromBase(e, op, 5, [x, reader.index2], false);
      return;
    case 18:
    case 19: // array.init_data, array.init_elem: a d s n
      fromBase(e, op, 4, [x, reader.index2], false);
      return;
    case 20:
    case 21: { // ref.test
      const [a] = popSlots(e, 1);
      withResult(e, op, [a!, reader.valType]);
      return;
    }
    case 22:
    case 23: // ref.cast: a check; the reference stays where it is
      words(e, op, e.stack.slotOf(e.stack.n - 1), reader.valType);
      return;
    case 24:
    case 25: { // br_on_cast, br_on_cast_fail: a ref.test into a temp above the reference, then a br_if on it
      const target = control[control.length - 1 - reader.index]!;
      const arity = branchArity(target);
      const rt = reader.valType2;
      const a = e.stack.slotOf(e.stack.n - 1);
      e.out.push(GC_BASE + (isNullable(rt) ? 21 : 20));
      const test = e.stack.pushTemp();
      words(e, test, a, heapTypeOf(rt));
      e.stack.n--;
      condBranch(e, target, arity, { cmp: sub === 24 ? -1 : 0x45, a: test, b: 0, imm: false });
      return;
    }
    default: { // any.convert_extern, extern.convert_any, ref.i31, i31.get_s, i31.get_u: d a
      const [a] = popSlots(e, 1);
      withResult(e, op, [a!]);
    }
  }
}
