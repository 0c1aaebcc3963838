/**
 * Which engine runs a store's instances: the one `StoreOptions.engine` names, unless an embedder inside Kiln (a
 * test, an engine in development) gave the store another with {@link setStoreEngine}; in a store whose engine
 * `"auto"` chose, the interpreter for a module the host's WebAssembly cannot run ({@link compileFor}).
 *
 * @module
 */

import type { Module as DecodedModule } from "../binary/module.ts";
import { UnsupportedFeatureError } from "../errors.ts";
import type { Store } from "../runtime/store.ts";
import type { Engine, EngineName } from "./engine.ts";
import { interpreter } from "./interpreter.ts";
import { native } from "../native/engine.ts";

const byName: Record<EngineName, Engine> = { interpreter, native: native as Engine };

/** Engines given to stores directly. */
const given = new WeakMap<Store, Engine>();

/**
 * The engine of a store.
 *
 * @param store a store
 * @returns the engine that runs the instances created in it
 */
export function engineOf(store: Store): Engine {
  return given.get(store) ?? byName[store.engine];
}

/**
 * Gives a store an engine that has no name (for tests of the seam and engines in development). Only before its
 * first instance: all of a store's instances run on one engine.
 *
 * @param store a store with no instance yet
 * @param engine the engine
 */
export function setStoreEngine(store: Store, engine: Engine): void {
  if (store.instanceCount > 0) throw new Error("setStoreEngine: the store already has instances");
  given.set(store, engine);
}

/**
 * The engine an instance of module `d` runs on in `store`, and the module as that engine compiled it: the store's
 * engine ({@link engineOf}), except that in a store whose engine `"auto"` chose (the default), a module the host's
 * WebAssembly cannot run (a feature it lacks: wide arithmetic on V8, memory64 on JavaScriptCore) runs on the
 * interpreter, as it would in a store of its own. Instances of both engines in one store call each other, share
 * memories, tables and globals, and charge one fuel budget, as the engine seam requires (`engine.ts`).
 *
 * @param d the validated module
 * @param store the store it is instantiated in
 * @returns the engine and its compiled form of the module
 * @throws what the store's engine throws, but an unsupported feature of the host in an `"auto"` store
 */
export function compileFor(d: DecodedModule, store: Store): { engine: Engine; compiled: unknown } {
  const engine = engineOf(store);
  const options = { meter: store.metered };
  try {
    return { engine, compiled: engine.compileModule(d, options) };
  } catch (e) {
    const auto = (store.options.engine ?? "auto") === "auto" && engine === byName.native;
    if (!auto || !(e instanceof UnsupportedFeatureError)) throw e;
    return { engine: interpreter, compiled: interpreter.compileModule(d, options) };
  }
}
