/**
 * The exported-function API: the JS function that stands for a wasm function instance (what `instance.exports.f`,
 * `table.get(i)` and a funcref result give), with `callSync`, `callWith`, `callRaw` and `callRawSync`. It calls
 * through the async driver (`call.ts`); loading this module installs it as the funcref conversion of `values.ts`,
 * which the machine, tables and globals use without importing the driver (that would be an import cycle:
 * driver → machine → driver).
 *
 * @module
 */
import type { CallOptions, ExportedFunction, FuncInst } from "./func.ts";
import { invoke } from "./call.ts";
import { type FuncTypeDesc, registerExportedFunction, setFuncWrapper, valTypeToName } from "./values.ts";

/**
 * Makes the exported JS function of a wasm or host function instance (once; later calls return the same one).
 *
 * @param f the function instance
 * @returns its exported function
 */
export function exportedFunction(f: FuncInst): ExportedFunction {
  if (f.js) return f.js;
  const fn = ((...args: unknown[]) => invoke(f, args, false, false)) as unknown as ExportedFunction;
  const desc: FuncTypeDesc = { params: f.type.params.map(valTypeToName), results: f.type.results.map(valTypeToName) };
  Object.defineProperties(fn, {
    callSync: { value: (...args: unknown[]) => invoke(f, args, false, true) },
    callWith: { value: (options: CallOptions, ...args: unknown[]) => invoke(f, args, false, false, options) },
    callRaw: { value: (args: unknown[]) => invoke(f, args, true, false) },
    callRawSync: { value: (args: unknown[]) => invoke(f, args, true, true) },
    type: { value: desc, enumerable: true },
    funcIndex: { value: f.index, enumerable: true },
    // As the standard JS API: the name is the function index, the length the parameter count.
    name: { value: String(f.index) },
    length: { value: f.type.params.length },
  });
  registerExportedFunction(fn, f);
  f.js = fn;
  return fn;
}

setFuncWrapper(exportedFunction);
