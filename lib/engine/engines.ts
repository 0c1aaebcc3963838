/**
 * Which engine runs a store's instances: the one `StoreOptions.engine` names, unless an embedder inside Kiln (a
 * test, an engine in development) gave the store another with {@link setStoreEngine}.
 *
 * @module
 */

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
