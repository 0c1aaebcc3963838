/**
 * The JS API cannot pass a `v128` between JavaScript and WebAssembly (calling an export or an import whose type
 * has one throws a TypeError, reading a `v128` global's `value` too), in the host's WebAssembly and in Kiln's. So
 * the differential fuzzer's SIMD mode rewrites every module, once and before either engine sees it, so that
 * `v128` values cross the boundary as two `i64` lanes (lane 0, then lane 1 of `i64x2`), the same on both sides:
 *
 * - an imported function with `v128` parameters (binaryen's `log-v128`) becomes a module function of the same
 *   type that calls a new import of the same module and name, each `v128` parameter passed as its two `i64` lanes
 *   (the harness logs `log-v128`'s pair as one `v128:` value);
 * - an exported function with `v128` parameters or results is exported through a wrapper whose `v128` parameters
 *   are two `i64` each (joined with `i64x2.splat` + `i64x2.replace_lane`) and whose `v128` results are two `i64`
 *   each (so the harness chooses i64 arguments for them and compares the lanes as BigInts); exports keep their
 *   names and order (`call-export` indexes them);
 * - an exported `v128` global is no longer exported (its lanes are still seen by the code that uses it).
 *
 * A funcref to a function with `v128` in its type can still reach the harness (`call-ref`, tables): calling it
 * throws a TypeError on both engines, as the JS API says; the harness compares such errors by name only.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Binaryen = any;
let binaryen: Binaryen | undefined;

async function load(): Promise<Binaryen> {
  binaryen ??= (await import(new URL("../node_modules/binaryen/index.js", import.meta.url).href)).default;
  return binaryen;
}

/** binaryen.js's feature set for the modules the SIMD mode generates (Kiln's features plus SIMD). */
export function simdFeatures(b: Binaryen): number {
  return b.Features.MutableGlobals | b.Features.NontrappingFPToInt | b.Features.BulkMemory | b.Features.SignExt |
    b.Features.ReferenceTypes | b.Features.Multivalue | b.Features.BulkMemoryOpt | b.Features.Memory64 |
    b.Features.TailCall | b.Features.ExtendedConst | b.Features.MultiMemory | b.Features.SIMD128;
}

/** Each type of `types`, a `v128` replaced by two `i64`. */
function splitV128(b: Binaryen, types: readonly number[]): number[] {
  return types.flatMap((t) => (t === b.v128 ? [b.i64, b.i64] : [t]));
}

/**
 * `bytes` rewritten so that no `v128` crosses the JS boundary (see the module doc). A module without `v128` in
 * an import, export or exported global comes back unchanged (the same bytes).
 *
 * @throws Error when an imported function returns a `v128` or an imported global is one (binaryen's fuzzer makes
 *   neither): the harness could not supply it
 */
export async function wrapV128Boundary(bytes: Uint8Array): Promise<Uint8Array> {
  const b = await load();
  const m = b.readBinary(bytes);
  try {
    m.setFeatures(simdFeatures(b));
    const lane = (vec: number, i: number) => m.i64x2.extract_lane(vec, i);

    // Imports: functions with v128 parameters call a lane-split import of the same module and name.
    const imports: { name: string; module: string; base: string; params: number[]; results: number[] }[] = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = b.getFunctionInfo(m.getFunctionByIndex(i));
      if (!info.module) continue;
      const params: number[] = b.expandType(info.params);
      const results: number[] = b.expandType(info.results);
      if (results.includes(b.v128)) throw new Error(`imported function ${info.base} returns a v128`);
      if (params.includes(b.v128)) {
        imports.push({ name: info.name, module: info.module, base: info.base, params, results });
      }
    }
    for (let i = 0; i < m.getNumGlobals(); i++) {
      const info = b.getGlobalInfo(m.getGlobalByIndex(i));
      if (info.module && info.type === b.v128) throw new Error(`imported global ${info.base} is a v128`);
    }
    imports.forEach((imp, k) => {
      const split = `__kiln_v128_import_${k}`;
      const resultType = b.createType(imp.results);
      m.addFunctionImport(split, imp.module, imp.base, b.createType(splitV128(b, imp.params)), resultType);
      const args = imp.params.flatMap((t, i) => {
        const get = () => m.local.get(i, t);
        return t === b.v128 ? [lane(get(), 0), lane(get(), 1)] : [get()];
      });
      m.removeFunction(imp.name);
      m.addFunction(imp.name, b.createType(imp.params), resultType, [], m.call(split, args, resultType));
    });

    // Exports: rebuilt in their order, v128 functions through wrappers, v128 globals dropped.
    const exports: { kind: number; name: string; value: string }[] = [];
    for (let i = 0; i < m.getNumExports(); i++) exports.push(b.getExportInfo(m.getExportByIndex(i)));
    const needsWrap = (e: { kind: number; value: string }) => {
      if (e.kind === b.ExternalGlobal) return b.getGlobalInfo(m.getGlobal(e.value)).type === b.v128;
      if (e.kind !== b.ExternalFunction) return false;
      const info = b.getFunctionInfo(m.getFunction(e.value));
      return [...b.expandType(info.params), ...b.expandType(info.results)].includes(b.v128);
    };
    if (imports.length === 0 && !exports.some(needsWrap)) return bytes;
    for (const e of exports) m.removeExport(e.name);
    exports.forEach((e, k) => {
      if (e.kind === b.ExternalGlobal) {
        if (!needsWrap(e)) m.addGlobalExport(e.value, e.name);
      } else if (e.kind === b.ExternalTable) m.addTableExport(e.value, e.name);
      else if (e.kind === b.ExternalMemory) m.addMemoryExport(e.value, e.name);
      else if (e.kind === b.ExternalTag) m.addTagExport(e.value, e.name);
      else if (e.kind === b.ExternalFunction && !needsWrap(e)) m.addFunctionExport(e.value, e.name);
      else {
        const info = b.getFunctionInfo(m.getFunction(e.value));
        const params: number[] = b.expandType(info.params);
        const results: number[] = b.expandType(info.results);
        const wrapper = `__kiln_v128_export_${k}`;
        // Wrapper locals: the split parameters, then one local holding the callee's results.
        const splitParams = splitV128(b, params);
        const args: number[] = [];
        let at = 0;
        for (const t of params) {
          if (t === b.v128) {
            args.push(m.i64x2.replace_lane(m.i64x2.splat(m.local.get(at, b.i64)), 1, m.local.get(at + 1, b.i64)));
            at += 2;
          } else args.push(m.local.get(at++, t));
        }
        const resultType = b.createType(results);
        const splitResultType = b.createType(splitV128(b, results));
        const call = m.call(e.value, args, resultType);
        let body: number;
        const vars: number[] = [];
        if (!results.includes(b.v128)) body = call;
        else {
          const tmp = splitParams.length;
          vars.push(resultType);
          const part = (i: number) =>
            results.length === 1 ? m.local.get(tmp, resultType) : m.tuple.extract(m.local.get(tmp, resultType), i);
          const outs = results.flatMap((t, i) => (t === b.v128 ? [lane(part(i), 0), lane(part(i), 1)] : [part(i)]));
          body = m.block(null, [m.local.set(tmp, call), m.tuple.make(outs)], splitResultType);
        }
        m.addFunction(wrapper, b.createType(splitParams), splitResultType, vars, body);
        m.addFunctionExport(wrapper, e.name);
      }
    });
    // Validated as re-read from the binary: a `ref.func` of an import that became a module function keeps its
    // old (inexact) type in binaryen's IR until then, which its validator flags though the binary is the same.
    const out: Uint8Array = m.emitBinary();
    const check = b.readBinary(out);
    try {
      check.setFeatures(simdFeatures(b));
      if (!check.validate()) throw new Error("the v128 boundary rewrite made an invalid module");
    } finally {
      check.dispose();
    }
    return out;
  } finally {
    m.dispose();
  }
}
