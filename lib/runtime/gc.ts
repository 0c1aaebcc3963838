/**
 * WebAssembly GC in the runtime (spec 3.0 §2.3.6, §4.2): what exists today and the representation it grows into.
 *
 * **Today** the front end knows GC's types (recursion groups, `sub`/`sub final`, struct and array types with packed
 * fields, the `any`/`eq`/`i31`/`struct`/`array`/`none` hierarchy, iso-recursive type ids shared across modules) and
 * the runtime uses them where no GC object exists: function subtyping in `call_indirect` and import matching. A
 * module that would need a GC object or an `any`-hierarchy value at run time is refused at instantiation as the
 * unsupported feature `gc` ({@link gcRuntimeUse}), so no spec command is reported as passed that the machine
 * cannot run.
 *
 * **The representation (planned).** A struct is a JS object `{ type, fields: unknown[] }` (packed fields stored
 * extended, i64 as BigInt or two numbers), an array `{ type, elements }` with a typed array where the element is
 * numeric; `i31ref` is the JS number itself. Those objects are reachable only from where the guest keeps them:
 * - in a **machine slot**: a parallel `refs: unknown[]` beside the Int32Array value stack, indexed by slot; the
 *   slot's int words hold 0 (null) or 1 (a reference), so `ref.is_null`, `br_on_null` and branches stay integer
 *   ops. The translator knows every slot's type, so it emits reference-aware copies (`ref.move`, `ref.select`,
 *   reference block-result moves) only where a reference type flows; scalar code stays byte-identical;
 * - in globals, tables, struct fields, array elements and exception payloads: the object itself;
 * - across a suspension (async import, fuel yield) the `refs` array is part of the machine's state like the slots.
 * Nothing else holds them, so the host collector frees an object once no slot, global, table or object refers to
 * it: no process-wide handle table. A popped frame's reference slots are cleared when the frame returns (or
 * bounded: at most the stack's high-water mark of stale entries). `externref` and `exnref` move to the same
 * `refs` array, which retires `Store.externs`/`externHandles` (today they keep every externref alive for the
 * store's life) and the exnref handle sweeps.
 *
 * Why not exnref's handle table for GC objects (slot = int handle, conservative sweeps): a `struct.get` of a
 * reference field needs a fresh handle and the sweeps scan the slots; `bench/micro/gc_refs_bench.ts` (a list of
 * 10,000 structs built and walked 300 times) runs 3.4× slower with handles on Deno (185 vs 55 ms) and on Bun (86 vs
 * 25 ms); both keep the heap flat (under 20 MB after 3 million allocations).
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
