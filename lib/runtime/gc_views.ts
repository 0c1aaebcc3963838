/**
 * What JS sees of a WebAssembly struct or array (the JS API's GC objects, as V8 and JavaScriptCore give them): an
 * opaque object with a null prototype, no properties, not extensible, whose every attempt at a change (setting,
 * defining or deleting a property, `Object.preventExtensions`/`freeze`, `Object.setPrototypeOf`) is a TypeError. It
 * is the same object every time the same struct or array crosses, so identity, `WeakMap` keys and `ref.eq` after a
 * round trip all hold; passing it back into wasm gives the struct or array itself.
 *
 * The guest's object (`gc_objects.ts`) keeps its fields where the interpreter reads them; the view is made the first
 * time the object crosses to JS and lives as long as either of the two is reachable (both maps are weak).
 *
 * @module
 */
import type { GcObject } from "./gc_objects.ts";

const viewOf = new WeakMap<GcObject, object>();
const objectOf = new WeakMap<object, GcObject>();

function opaque(): never {
  throw new TypeError("WebAssembly objects are opaque");
}

// Why a Proxy and not a frozen object: a frozen object lets Object.freeze and Reflect.preventExtensions succeed and
// a sloppy-mode assignment pass silently, where the hosts' GC objects throw.
const OPAQUE: ProxyHandler<object> = {
  set: opaque,
  defineProperty: opaque,
  deleteProperty: opaque,
  preventExtensions: opaque,
  setPrototypeOf: () => false,
};

/** The JS view of struct or array `o` (made once, then the same object each time). */
export function gcView(o: GcObject): object {
  const known = viewOf.get(o);
  if (known !== undefined) return known;
  const view = new Proxy(Object.preventExtensions(Object.create(null)), OPAQUE);
  viewOf.set(o, view);
  objectOf.set(view, o);
  return view;
}

/** The struct or array a JS value is the view of, or `undefined` when it is not one of Kiln's views. */
export function gcObjectOfView(v: unknown): GcObject | undefined {
  return typeof v === "object" && v !== null ? objectOf.get(v) : undefined;
}
