/**
 * Validation of constant expressions (spec §3.3.10): global initializers, element and data segment offsets,
 * element initializers, with the extended constants of WebAssembly 3.0 (`i32`/`i64` `add`, `sub`, `mul`). The decoder
 * has already rejected instructions that can never be constant.
 *
 * @module
 */
import { CompileError } from "../errors.ts";
import {
  concreteHeap,
  type ConstExpr,
  type ConstInstr,
  HeapType,
  isNullable,
  isRefType,
  PackedType,
  refType,
  type ValType,
  valTypeName,
} from "../binary/module.ts";
import { checkValType, type ValidationContext } from "./context.ts";
import { isSubtype } from "./subtyping.ts";

/**
 * Checks that `expr` is constant and produces exactly one value that matches type `expected`.
 *
 * @param ctx The module's validation context.
 * @param expr The expression.
 * @param expected The type it must produce.
 * @param visibleGlobals How many globals (from index 0) `global.get` may read: the imported ones plus the defined
 *   ones before the global being initialized, or all globals for segment expressions. They must be immutable.
 * @throws CompileError "type mismatch", "unknown global N", "unknown function N", "constant expression required".
 *
 * @example Validating a constant expression
 * ```ts
 * import { validateConstExpr } from "./const_expr.ts";
 * import { buildContext } from "./context.ts";
 * import { decodeModule } from "../binary/decoder.ts";
 * const ctx = buildContext(decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
 * validateConstExpr(ctx, { instrs: [{ op: "i32.const", value: 1 }], offset: 0 }, 0x7f, 0);
 * ```
 */
export function validateConstExpr(
  ctx: ValidationContext,
  expr: ConstExpr,
  expected: ValType,
  visibleGlobals: number,
): void {
  const stack: ValType[] = [];
  const at = expr.offset;
  for (const instr of expr.instrs) {
    switch (instr.op) {
      case "i32.const":
        stack.push(0x7f);
        break;
      case "i64.const":
        stack.push(0x7e);
        break;
      case "f32.const":
        stack.push(0x7d);
        break;
      case "f64.const":
        stack.push(0x7c);
        break;
      case "v128.const":
        stack.push(0x7b);
        break;
      case "ref.null":
        checkValType(ctx, instr.type, at);
        stack.push(instr.type);
        break;
      case "ref.func":
        if (instr.funcIndex >= ctx.funcs.length) throw new CompileError(`unknown function ${instr.funcIndex}`, at);
        stack.push(refType(concreteHeap(ctx.funcTypeIndices[instr.funcIndex]!), false));
        break;
      case "global.get": {
        const index = instr.globalIndex;
        if (index >= visibleGlobals || index >= ctx.globals.length) {
          throw new CompileError(`unknown global ${index}`, at);
        }
        const g = ctx.globals[index]!;
        if (g.mutable) throw new CompileError("constant expression required: global.get of a mutable global", at);
        stack.push(g.type);
        break;
      }
      case "binary": { // extended constants: i32/i64 add, sub, mul
        const t = instr.name.startsWith("i64") ? 0x7e : 0x7f;
        const b = stack.pop(), a = stack.pop();
        if (a !== t || b !== t) {
          const found = [a, b].filter((x) => x !== undefined).map((x) => valTypeName(x!)).join(" ");
          throw new CompileError(
            `type mismatch: expected [${valTypeName(t)} ${valTypeName(t)}] but found [${found}]`,
            at,
          );
        }
        stack.push(t);
        break;
      }
      case "gc":
        gcConstant(ctx, instr, stack, at);
        break;
    }
  }
  if (stack.length !== 1 || !isSubtype(stack[0]!, expected, ctx.typeIds)) {
    const found = stack.map(valTypeName).join(" ");
    throw new CompileError(`type mismatch: expected [${valTypeName(expected)}] but found [${found}]`, at);
  }
}

/** Types a constant GC instruction (spec 3.0 §3.4.6) on the constant expression's `stack`. */
function gcConstant(
  ctx: ValidationContext,
  instr: Extract<ConstInstr, { op: "gc" }>,
  stack: ValType[],
  at: number,
): void {
  const pop = (t: ValType) => {
    const actual = stack.pop();
    if (actual === undefined || !isSubtype(actual, t, ctx.typeIds)) {
      throw new CompileError(`type mismatch: ${instr.name} expected ${valTypeName(t)}`, at);
    }
    return actual;
  };
  const sub = instr.sub;
  if (sub === 26 || sub === 27) { // any.convert_extern, extern.convert_any
    const from = sub === 26 ? HeapType.extern : HeapType.any;
    const t = pop(refType(from, true));
    stack.push(refType(sub === 26 ? HeapType.any : HeapType.extern, isNullable(t)));
    return;
  }
  if (sub === 28) { // ref.i31
    pop(0x7f);
    stack.push(refType(HeapType.i31, false));
    return;
  }
  const def = ctx.module.subtypes[instr.typeIndex];
  if (def === undefined) throw new CompileError(`unknown type ${instr.typeIndex}`, at);
  const unpacked = (t: number) => (t === PackedType.i8 || t === PackedType.i16 ? 0x7f : t);
  const defaultable = (t: number) => unpacked(t) !== t || !isRefType(t) || isNullable(t);
  if (sub <= 1) { // struct.new, struct.new_default
    if (def.comp.kind !== "struct") throw new CompileError("type mismatch: not a struct type", at);
    const fields = def.comp.fields;
    if (sub === 0) { for (let i = fields.length - 1; i >= 0; i--) pop(unpacked(fields[i]!.type)); }
    else if (!fields.every((f) => defaultable(f.type))) throw new CompileError("type mismatch: not defaultable", at);
  } else { // array.new, array.new_default, array.new_fixed
    if (def.comp.kind !== "array") throw new CompileError("type mismatch: not an array type", at);
    const t = def.comp.element.type;
    if (sub === 6 || sub === 7) pop(0x7f);
    if (sub === 6) pop(unpacked(t));
    if (sub === 7 && !defaultable(t)) throw new CompileError("type mismatch: not defaultable", at);
    if (sub === 8) { for (let i = 0; i < instr.count; i++) pop(unpacked(t)); }
  }
  stack.push(refType(concreteHeap(instr.typeIndex), false));
}
