/**
 * The interpreter behind the engine seam (`engine.ts`): Kiln's reference engine, and the one that runs wherever the
 * host has no WebAssembly. Compiling a module makes its translation cache (`exec/module_code.ts`: each function is
 * translated to the machine's code on its first call and shared by every instance of the module with the same
 * metering); instantiating attaches that cache to the instance; calls run on the machine through the async driver
 * (`exec/driver.ts`), which owns the machines and their warm-up.
 *
 * @module
 */

import type { Module as DecodedModule } from "../binary/module.ts";
import { callWasm } from "../exec/driver.ts";
import { ModuleCode } from "../exec/module_code.ts";
import type { InstanceState } from "../runtime/func.ts";
import type { CompileOptions, Engine } from "./engine.ts";

/** Translation caches per module: unmetered and metered, each made on first use. */
const caches = new WeakMap<DecodedModule, { unmetered?: ModuleCode; metered?: ModuleCode }>();

/**
 * The interpreter engine: the default of every store (`StoreOptions.engine` `"interpreter"`).
 *
 * @example Choosing the engine of a store by name
 * ```ts
 * import { instantiate, parseWat } from "../../mod.ts";
 * const { instance } = await instantiate(parseWat(`(module (func (export "f") (result i32) i32.const 7))`), {}, {
 *   engine: "interpreter",
 * });
 * console.log(await (instance.exports.f as () => Promise<number>)()); // 7
 * ```
 */
export const interpreter: Engine<ModuleCode> = {
  name: "interpreter",

  compileModule(module: DecodedModule, options: CompileOptions): ModuleCode {
    let pair = caches.get(module);
    if (pair === undefined) caches.set(module, pair = {});
    return options.meter
      ? pair.metered ??= new ModuleCode(module, true)
      : pair.unmetered ??= new ModuleCode(module, false);
  },

  instantiate(compiled: ModuleCode, instance: InstanceState): void {
    instance.engineState = compiled;
  },

  call: callWasm,
};
