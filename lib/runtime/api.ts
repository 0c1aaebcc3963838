/**
 * `instantiate`: the one-call entry of the public API.
 *
 * @module
 */

import { type Imports, type Instance, instantiateModule } from "./instance.ts";
import { Module, type ModuleSource } from "./module.ts";
import { Store, type StoreOptions } from "./store.ts";

/**
 * Compiles (if given bytes) and instantiates a module, running its start function (which may suspend).
 *
 * @param source Module bytes, module text (a string in the text format), or a compiled Module.
 * @param imports The import object.
 * @param options Store options for a new store, or `store` to instantiate into an existing one.
 * @returns The module and the instance.
 */
export async function instantiate(
  source: ModuleSource | Module,
  imports?: Imports,
  options?: StoreOptions & { store?: Store },
): Promise<{ module: Module; instance: Instance }> {
  const module = source instanceof Module ? source : new Module(source);
  const store = options?.store ?? new Store(options ?? {});
  const instance = await instantiateModule(module, imports, store);
  return { module, instance };
}
