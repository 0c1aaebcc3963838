/**
 * WebAssembly GC in the runtime (spec 3.0 §2.3.6, §4.2): which engines run modules that need GC objects.
 *
 * The interpreter runs them: objects are `gc_objects.ts`'s (a struct `{ typeId, fields }`, an array
 * `{ typeId, elements, length }` with a typed array for numeric elements, an `i31ref` the JS number itself), held
 * as themselves in globals, tables, fields, elements and exception payloads, and as handles of the running
 * activation in the machine's slots (`exec/machine.ts` says why handles and not the parallel `refs` array first
 * planned here: the translator moves slots without their types). Nothing process-wide holds them, so the host's
 * collector frees an object once no slot, global, table or object refers to it.
 *
 * The native engine runs them on the host's own GC (its objects are the host's, opaque to JS); its instrumenter guards
 * the array instructions whose checks hosts order or word otherwise (`native/gc_guards.ts`). {@link gcRuntimeUse}
 * tells which modules need GC objects at run time (the spec runner's reference engine on the bare host refuses them).
 *
 * @module
 */
import { HeapType, heapTypeOf, isRefType, type Module, type ValType } from "../binary/module.ts";
import { usesGcInstructions } from "../validate/func_validator.ts";

/** Whether a value type is a reference into the `any` hierarchy (`anyref`, `eqref`, `i31ref`, …, `nullref`). */
function isAnyHierarchy(t: ValType): boolean {
  if (!isRefType(t)) return false;
  const heap = heapTypeOf(t);
  return heap === HeapType.any || heap === HeapType.eq || heap === HeapType.i31 || heap === HeapType.struct ||
    heap === HeapType.array || heap === HeapType.none;
}

/**
 * Why a valid module cannot run yet, or `undefined` when it can: it defines a struct or array type, or uses an
 * `any`-hierarchy value type in a function type, a global, a table, an element segment or a local, or its code
 * uses a GC instruction (the validator notes it). Function types with declared supertypes run: their subtyping is
 * checked by type id.
 */
export function gcRuntimeUse(module: Module): string | undefined {
  if (usesGcInstructions(module)) return "GC instructions";
  const exprs = [
    ...module.globals.map((g) => g.init),
    ...module.tables.flatMap((t) => (t.init ? [t.init] : [])),
    ...module.elems.flatMap((e) => e.init),
  ];
  if (exprs.some((e) => e.instrs.some((i) => i.op === "gc"))) return "GC constant expressions";
  for (const sub of module.subtypes) {
    if (sub.comp.kind !== "func") return `${sub.comp.kind} types`;
    const { params, results } = sub.comp.type;
    if (params.some(isAnyHierarchy) || results.some(isAnyHierarchy)) return "any references in function types";
  }
  for (const imp of module.imports) {
    const d = imp.desc;
    if ((d.kind === "global" && isAnyHierarchy(d.type.type)) || (d.kind === "table" && isAnyHierarchy(d.type.elem))) {
      return "any references in imports";
    }
  }
  if (module.globals.some((g) => isAnyHierarchy(g.type.type))) return "any references in globals";
  if (module.tables.some((t) => isAnyHierarchy(t.elem))) return "any references in tables";
  if (module.elems.some((e) => isAnyHierarchy(e.type))) return "any references in element segments";
  if (module.codes.some((c) => c.locals.some((run) => isAnyHierarchy(run.type)))) return "any references in locals";
  return undefined;
}
