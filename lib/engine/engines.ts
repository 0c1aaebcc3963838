/**
 * Which engine runs a store's instances: the one `StoreOptions.engine` names, unless an embedder inside Kiln (a
 * test, an engine in development) gave the store another with {@link setStoreEngine}; in a store whose engine
 * `"auto"` chose, the interpreter for a module the host's WebAssembly cannot run ({@link fallbackEngine}). The named
 * engines load on first use ({@link loadEngine}, which instantiation awaits): a run on the native engine never
 * loads the interpreter's code, nor one on the interpreter the native engine's.
 *
 * @module
 */

import { UnsupportedFeatureError } from "../errors.ts";
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
  return given.get(store) ?? loadNamed(store.engine);
}

function loadNamed(name: EngineName): Engine | Promise<Engine> {
  return loaded[name] ?? (loading[name] ??= loaders[name]().then((e) => loaded[name] = e));
}

/**
 * The engine an instance runs on when its store's engine cannot compile its module (`e`, what compiling threw): in
 * a store whose engine `"auto"` chose (the default), a module the host's WebAssembly cannot run (a feature it
 * lacks: wide arithmetic on V8) runs on the interpreter, as it would in a store of its own; instances of both
 * engines in one store call each other, share memories, tables and globals, and charge one fuel budget, as the
 * engine seam requires (`engine.ts`). Otherwise undefined: the error stands.
 *
 * @param store the store
 * @param engine the store's engine, which threw `e`
 * @param e the error
 * @returns the interpreter (loading it if needed), or undefined
 */
export function fallbackEngine(store: Store, engine: Engine, e: unknown): Engine | Promise<Engine> | undefined {
  const auto = (store.options.engine ?? "auto") === "auto" && engine.name === "native" && !given.has(store);
  return auto && e instanceof UnsupportedFeatureError ? loadNamed("interpreter") : undefined;
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
