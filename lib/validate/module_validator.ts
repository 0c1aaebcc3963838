/**
 * Module validation (spec §3.4): every component of a decoded module, then every function body through
 * {@link FuncValidator}. Validation is eager: a module that passes can be instantiated and run without further
 * checks, and the translator may trust every body.
 *
 * @module
 */
import { printable } from "../_printable.ts";
import { CompileError, UnsupportedFeatureError } from "../errors.ts";
import { type ConstExpr, type ExternKind, isNullable, type Limits, type Module } from "../binary/module.ts";
import { buildContext, checkValType, type ValidationContext } from "./context.ts";
import { validateConstExpr } from "./const_expr.ts";
import { FuncValidator } from "./func_validator.ts";
import { isSubtype } from "./subtyping.ts";

/** Memories are at most 2^16 pages of 64 KiB (4 GiB) with 32-bit addresses. */
const MAX_PAGES = 65536;
/** Tables are at most 2^32 - 1 elements. */
const MAX_TABLE = 0xffffffff;
/** With 64-bit addresses (memory64): at most 2^48 pages (the address space: 2^64 bytes). */
const MAX_PAGES64 = 2 ** 48;
/** With 64-bit indices: at most 2^64 - 1 elements (every u64; as a number 2^64, what the decoder rounds it to). */
const MAX_TABLE64 = 2 ** 64;

/**
 * Validates a decoded module.
 *
 * @param module The result of `decodeModule`.
 * @returns The validation context (index spaces flattened, declared function references), for later stages.
 * @throws CompileError with the spec testsuite's `assert_invalid` wording ("type mismatch", "unknown global 3",
 *   "duplicate export name", …) and the offset where known; `UnsupportedFeatureError` for valid uses of proposals
 *   Kiln does not implement (threads).
 *
 * @example Validating a module
 * ```ts
 * import { decodeModule } from "../binary/decoder.ts";
 * import { validateModule } from "./module_validator.ts";
 * // (module (func (result i32) i32.const 1))
 * const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 10, 6, 1, 4, 0, 65, 1, 11]);
 * validateModule(decodeModule(bytes));
 * ```
 */
export function validateModule(module: Module): ValidationContext {
  const ctx = buildContext(module);
  const refs = ctx.refs;
  const declare = (expr: ConstExpr) => {
    for (const instr of expr.instrs) if (instr.op === "ref.func") refs[instr.funcIndex] = 1;
  };

  for (const imp of module.imports) {
    if (imp.desc.kind === "global") checkValType(ctx, imp.desc.type.type);
    else if (imp.desc.kind === "table") checkValType(ctx, imp.desc.type.elem);
  }
  for (const table of module.tables) {
    checkValType(ctx, table.elem);
    if (table.init) {
      // Tables precede globals: an initializer sees only the imported ones.
      validateConstExpr(ctx, table.init, table.elem, module.importedGlobals);
      declare(table.init);
    } else if (!isNullable(table.elem)) {
      throw new CompileError("type mismatch: a table of non-nullable references needs an initializer");
    }
  }
  for (const table of ctx.tables) {
    if (table.address === "i64") checkLimits(table.limits, MAX_TABLE64, "table size must be at most 2^64-1");
    else checkLimits(table.limits, MAX_TABLE, "table size must be at most 2^32-1");
  }
  for (const memory of ctx.memories) {
    if (memory.address === "i64") checkLimits(memory.limits, MAX_PAGES64, "memory size must be at most 2^48 pages");
    else checkLimits(memory.limits, MAX_PAGES, "memory size must be at most 65536 pages (4GiB)");
    if (memory.shared) throw new UnsupportedFeatureError("threads");
  }

  module.globals.forEach((global, i) => {
    checkValType(ctx, global.type.type, global.init.offset);
    validateConstExpr(ctx, global.init, global.type.type, module.importedGlobals + i);
    declare(global.init);
  });

  for (const elem of module.elems) {
    checkValType(ctx, elem.type);
    for (const expr of elem.init) {
      validateConstExpr(ctx, expr, elem.type, ctx.globals.length);
      declare(expr);
    }
    if (elem.mode === "active") {
      const table = ctx.tables[elem.table];
      if (table === undefined) throw new CompileError(`unknown table ${elem.table}`, elem.offset!.offset);
      if (!isSubtype(elem.type, table.elem, ctx.typeIds)) {
        throw new CompileError("type mismatch: element segment does not match its table's type", elem.offset!.offset);
      }
      validateConstExpr(ctx, elem.offset!, table.address === "i64" ? 0x7e : 0x7f, ctx.globals.length);
    }
  }

  for (const data of module.datas) {
    if (data.mode !== "active") continue;
    if (data.memory >= ctx.memories.length) {
      throw new CompileError(`unknown memory ${data.memory}`, data.offset!.offset);
    }
    const address = ctx.memories[data.memory]!.address;
    validateConstExpr(ctx, data.offset!, address === "i64" ? 0x7e : 0x7f, ctx.globals.length);
  }

  if (module.start !== undefined) {
    const type = ctx.funcs[module.start];
    if (type === undefined) throw new CompileError(`unknown function ${module.start}`);
    if (type.params.length !== 0 || type.results.length !== 0) {
      throw new CompileError("start function must have type [] -> []");
    }
  }

  const names = new Set<string>();
  for (const exp of module.exports) {
    if (names.has(exp.name)) throw new CompileError(`duplicate export name \`${printable(exp.name)}\``);
    names.add(exp.name);
    if (exp.index >= spaceSize(ctx, exp.kind)) {
      throw new CompileError(`unknown ${exp.kind === "func" ? "function" : exp.kind} ${exp.index}`);
    }
    if (exp.kind === "func") refs[exp.index] = 1;
  }

  const validator = new FuncValidator(ctx);
  for (let i = 0; i < module.codes.length; i++) validator.validate(i);
  return ctx;
}

function checkLimits(limits: Limits, bound: number, tooLarge: string): void {
  if (limits.min > bound || (limits.max !== undefined && limits.max > bound)) throw new CompileError(tooLarge);
  if (limits.max !== undefined && limits.min > limits.max) {
    throw new CompileError("size minimum must not be greater than maximum");
  }
}

function spaceSize(ctx: ValidationContext, kind: ExternKind): number {
  switch (kind) {
    case "func":
      return ctx.funcs.length;
    case "table":
      return ctx.tables.length;
    case "memory":
      return ctx.memories.length;
    case "global":
      return ctx.globals.length;
    case "tag":
      return ctx.tags.length;
  }
}
