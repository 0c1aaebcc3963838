/**
 * Which engine runs a store's instances: the one `StoreOptions.engine` names, unless an embedder inside Kiln (a
 * test, an engine in development) gave the store another with {@link setStoreEngine}. The named engines load on
 * first use ({@link loadEngine}, which instantiation awaits): a run on the native engine never loads the
 * interpreter's code, nor one on the interpreter the native engine's.
 *
 * @module
 */

import type { Store } from "../runtime/store.ts";
import type { Engine, EngineName } from "./engine.ts";

/** Dynamic imports of the named engines. */
const loaders: Record<EngineName, () => Promise<Engine>> = {
  interpreter: () => import("./interpreter.ts").then((m) => m.interpreter as Engine),
  native: () => import("../native/engine.ts").then((m) => m.native as Engine),
};

/** The named engines loaded so far, and those loading. */
const loaded: Partial<Record<EngineName, Engine>> = {};
const loading: Partial<Record<EngineName, Promise<Engine>>> = {};

/** Engines given to stores directly. */
const given = new WeakMap<Store, Engine>();

/**
 * The engine of a store, once loaded ({@link loadEngine}).
 *
 * @param store a store
 * @returns the engine that runs the instances created in it
 * @throws Error if the store's engine has not been loaded
 */
export function engineOf(store: Store): Engine {
  const engine = given.get(store) ?? loaded[store.engine];
  if (engine === undefined) throw new Error(`internal: the ${store.engine} engine is used before it is loaded`);
  return engine;
}

/**
 * Loads the engine of a store (a dynamic import the first time an engine is named).
 *
 * @param store a store
 * @returns the engine, or a Promise of it while it loads
 * @example
 * ```ts
 * import { loadEngine } from "./engines.ts";
 * import { Store } from "../runtime/store.ts";
 * console.log((await loadEngine(new Store({ engine: "interpreter" }))).name); // "interpreter"
 * ```
 */
export function loadEngine(store: Store): Engine | Promise<Engine> {
  const name = store.engine;
  const engine = given.get(store) ?? loaded[name];
  if (engine !== undefined) return engine;
  return loading[name] ??= loaders[name]().then((e) => loaded[name] = e);
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
