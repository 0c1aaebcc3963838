/**
 * The validation context C (spec §3.1.1) with the index spaces flattened: what function and constant-expression
 * validation look things up in. Built once per module by {@link buildContext}.
 *
 * @module
 */
import { CompileError } from "../errors.ts";
import {
  type FuncType,
  funcTypeAt,
  type GlobalType,
  heapTypeIndex,
  heapTypeOf,
  isRefType,
  type MemoryType,
  type Module,
  type TableType,
  type ValType,
} from "../binary/module.ts";
import { firstBadSubtype, firstForwardReference, typeIdsOf, typeRefs } from "./subtyping.ts";

/** The flattened index spaces of a module (imports first), and the set of declared function references. */
export interface ValidationContext {
  readonly module: Module;
  /** The type id of each type index (equal for equivalent types, see `subtyping.ts`). */
  readonly typeIds: readonly number[];
  /** Type of every function in the function index space. */
  readonly funcs: readonly FuncType[];
  /** Type index of every function in the function index space. */
  readonly funcTypeIndices: readonly number[];
  readonly tables: readonly TableType[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly GlobalType[];
  /** Type of every tag in the tag index space (imports first); validated to have no results. */
  readonly tags: readonly FuncType[];
  /**
   * `C.refs`: 1 for each function index that occurs outside function bodies (globals, element segments,
   * exports), which `ref.func` inside a body may name.
   */
  readonly refs: Uint8Array;
}

/**
 * Builds the context, checking the type section's references and the type indices of imported and defined
 * functions ("unknown type N").
 *
 * @param module A decoded module.
 * @returns Its validation context; `refs` is filled in by the module validator.
 *
 * @example The context of an empty module
 * ```ts
 * import { buildContext } from "./context.ts";
 * import { decodeModule } from "../binary/decoder.ts";
 * const ctx = buildContext(decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
 * console.log(ctx.funcs.length); // 0
 * ```
 */
export function buildContext(module: Module): ValidationContext {
  const forward = firstForwardReference(module);
  if (forward >= 0) {
    const sub = module.subtypes[forward]!;
    const bad = [...typeRefs(sub), ...sub.supertypes].find((x) => x >= sub.recStart + sub.recSize || x >= forward);
    throw new CompileError(`unknown type ${bad}`);
  }
  if (firstBadSubtype(module) >= 0) throw new CompileError("sub type");
  const funcs: FuncType[] = [];
  const funcTypeIndices: number[] = [];
  const tables: TableType[] = [];
  const memories: MemoryType[] = [];
  const globals: GlobalType[] = [];
  const tags: FuncType[] = [];
  const typeAt = (index: number): FuncType => {
    if (index >= module.types.length) throw new CompileError(`unknown type ${index}`);
    const type = funcTypeAt(module, index);
    if (type === undefined) throw new CompileError("type mismatch: not a function type");
    return type;
  };
  for (const imp of module.imports) {
    const d = imp.desc;
    if (d.kind === "func") {
      funcs.push(typeAt(d.typeIndex));
      funcTypeIndices.push(d.typeIndex);
    } else if (d.kind === "table") tables.push(d.type);
    else if (d.kind === "memory") memories.push(d.type);
    else if (d.kind === "tag") tags.push(tagType(typeAt(d.typeIndex)));
    else globals.push(d.type);
  }
  for (const index of module.funcs) {
    funcs.push(typeAt(index));
    funcTypeIndices.push(index);
  }
  tables.push(...module.tables);
  memories.push(...module.memories);
  for (const g of module.globals) globals.push(g.type);
  for (const index of module.tags) tags.push(tagType(typeAt(index)));
  const typeIds = typeIdsOf(module);
  return {
    module,
    typeIds,
    funcs,
    funcTypeIndices,
    tables,
    memories,
    globals,
    tags,
    refs: new Uint8Array(funcs.length),
  };
}

/** A tag's type: a function type without results (spec §3.2.7, "non-empty tag result type" otherwise). */
function tagType(type: FuncType): FuncType {
  if (type.results.length !== 0) throw new CompileError("non-empty tag result type");
  return type;
}

/**
 * Checks that a value type's concrete heap type, if it has one, names a type of the module.
 *
 * @throws CompileError "unknown type N"
 */
export function checkValType(ctx: ValidationContext, t: ValType, offset = -1): void {
  const index = isRefType(t) ? heapTypeIndex(heapTypeOf(t)) : -1;
  if (index >= ctx.module.types.length) throw new CompileError(`unknown type ${index}`, offset);
}

/**
 * The function type at type index `index`, for instructions that name one (`call_indirect`, `call_ref`, …).
 *
 * @throws CompileError "unknown type N", or "type mismatch" when the type is a struct or array type
 */
export function funcTypeOfIndex(ctx: ValidationContext, index: number, offset = -1): FuncType {
  if (index >= ctx.module.types.length) throw new CompileError(`unknown type ${index}`, offset);
  const type = funcTypeAt(ctx.module, index);
  if (type === undefined) throw new CompileError("type mismatch: not a function type", offset);
  return type;
}
