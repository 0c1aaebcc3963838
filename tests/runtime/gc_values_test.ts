// GC values across the JS boundary (JS API §3 "Conversions" with GC): structs and arrays cross as opaque objects
// and come back as themselves, an i31ref is a number, another JS value in the any hierarchy is a host reference
// that comes back as itself, and externref keeps identity through any.convert_extern / extern.convert_any. On both
// engines (the native one where the host runs GC: there structs and arrays are the host's own opaque objects).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Global, instantiate, Module, parseWat, Store, Table } from "../../mod.ts";
import { NATIVE_GC } from "../gc/_native_gc.ts";

const WAT = `(module
  (type $p (struct (field (mut i32))))
  (global (export "g") (mut anyref) (ref.null any))
  (table (export "t") 2 anyref)
  (func (export "make") (param i32) (result anyref) (struct.new $p (local.get 0)))
  (func (export "x") (param anyref) (result i32) (struct.get $p 0 (ref.cast (ref $p) (local.get 0))))
  (func (export "same") (param anyref) (result anyref) (local.get 0))
  (func (export "isI31") (param anyref) (result i32) (ref.test (ref i31) (local.get 0)))
  (func (export "isEq") (param eqref) (result i32) (ref.test (ref struct) (local.get 0)))
  (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
  (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0)))
  (func (export "store") (param anyref) (global.set 0 (local.get 0)) (table.set (i32.const 1) (local.get 0))))`;

type Fn = (...a: unknown[]) => Promise<unknown>;

/** What each reflective operation on `o` gives: its result, or the class of what it throws. */
function reflect(o: object): Record<string, unknown> {
  const ops: Record<string, () => unknown> = {
    typeof: () => typeof o,
    prototype: () => Object.getPrototypeOf(o),
    extensible: () => Object.isExtensible(o),
    frozen: () => Object.isFrozen(o),
    keys: () => Reflect.ownKeys(o),
    get: () => (o as Record<string, unknown>).x,
    has: () => "x" in o,
    descriptor: () => Object.getOwnPropertyDescriptor(o, "x"),
    set: () => Reflect.set(o, "x", 1),
    assign: () => ((o as Record<string, unknown>).x = 1),
    define: () => Object.defineProperty(o, "x", { value: 1 }),
    delete: () => Reflect.deleteProperty(o, "x"),
    preventExtensions: () => Object.preventExtensions(o),
    freeze: () => Object.freeze(o),
    setPrototypeOf: () => Object.setPrototypeOf(o, {}),
    reflectSetPrototypeOf: () => Reflect.setPrototypeOf(o, null),
    toPrimitive: () => `${o as unknown as string}`,
    instanceofObject: () => o instanceof Object,
  };
  const out: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(ops)) {
    try {
      out[name] = op();
    } catch (e) {
      out[name] = (e as Error).constructor.name;
    }
  }
  return out;
}

const engines = NATIVE_GC ? ["interpreter", "native"] as const : ["interpreter"] as const;

for (const engine of engines) {
  test(`${engine}: a struct crosses as an opaque object and comes back as itself`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    const e = instance.exports as Record<string, Fn>;
    const s = await e.make!(42);
    assert.equal(typeof s, "object");
    assert.equal(await e.x!(s), 42);
    assert.equal(await e.same!(s), s);
    assert.equal(await e.isEq!(s), 1);
    await e.store!(s);
    assert.equal((instance.exports.g as Global).value, s);
    assert.equal((instance.exports.t as Table).get(1), s);
  });

  test(`${engine}: a struct's JS view is opaque: no properties, no prototype, every change a TypeError, as the hosts' own`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    const s = await (instance.exports.make as Fn)(1) as object;
    const expected = {
      typeof: "object",
      prototype: null,
      extensible: false,
      frozen: true,
      keys: [],
      get: undefined,
      has: false,
      descriptor: undefined,
      set: "TypeError",
      assign: "TypeError",
      define: "TypeError",
      delete: "TypeError",
      preventExtensions: "TypeError",
      freeze: "TypeError",
      setPrototypeOf: "TypeError",
      reflectSetPrototypeOf: false,
      toPrimitive: "TypeError",
      instanceofObject: false,
    };
    assert.deepEqual(reflect(s), expected);
    // The host's own struct behaves the same (where the host has GC).
    if (NATIVE_GC) {
      const native = new WebAssembly.Instance(new WebAssembly.Module(parseWat(WAT) as BufferSource));
      assert.deepEqual(reflect((native.exports.make as (n: number) => object)(1)), expected);
    }
    assert.equal(await (instance.exports.same as Fn)(s), s, "the same view each time the struct crosses");
    assert.equal(await (instance.exports.x as Fn)(s), 1, "and the view is the struct again inside");
  });

  test(`${engine}: an i31ref is a number both ways; another number or JS value is a host reference`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    const e = instance.exports as Record<string, Fn>;
    assert.equal(await e.i31!(-5), -5);
    assert.equal(await e.isI31!(7), 1);
    assert.equal(await e.isI31!(1.5), 0);
    assert.equal(await e.isI31!(2 ** 30), 0);
    assert.equal(await e.same!(1.5), 1.5);
    assert.equal(await e.same!(2 ** 30), 2 ** 30);
    const o = { host: true };
    assert.equal(await e.same!(o), o);
    assert.equal(await e.same!("text"), "text");
    await assert.rejects(() => e.isEq!("text"), TypeError);
    await assert.rejects(() => e.x!(o), (err) => err instanceof Error && /cast failure/.test(err.message));
  });

  test(`${engine}: externref keeps identity through any.convert_extern and extern.convert_any`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    const e = instance.exports as Record<string, Fn>;
    const o = {};
    const inside = await e.internalize!(o);
    assert.equal(inside, o);
    assert.equal(await e.externalize!(inside), o);
    assert.equal(await e.externalize!(await e.internalize!(2.5)), 2.5);
    const s = await e.make!(1);
    assert.equal(await e.externalize!(s), s);
  });

  test(`${engine}: anyref globals and tables made in JS hold GC values`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    const e = instance.exports as Record<string, Fn>;
    const s = await e.make!(3);
    const g = new Global({ value: "anyref", mutable: true }, s);
    assert.equal(g.value, s);
    g.value = 9;
    assert.equal(g.value, 9);
    const t = new Table({ element: "anyref", initial: 2 });
    t.set(0, s);
    t.set(1, 1.5);
    assert.equal(t.get(0), s);
    assert.equal(t.get(1), 1.5);
  });

  test(`${engine}: externref -0 and NaN cross as themselves`, async () => {
    const { instance } = await instantiate(
      parseWat(`(module
      (func (export "pair") (param externref externref) (result externref externref) (local.get 0) (local.get 1)))`),
      {},
      {
        store: new Store({ engine }),
      },
    );
    const pair = instance.exports.pair as (a: unknown, b: unknown) => Promise<unknown[]>;
    const [a, b] = await pair(-0, 0);
    assert.ok(Object.is(a, -0) && Object.is(b, 0));
    assert.ok(Number.isNaN((await pair(NaN, 1))[0]));
  });

  test(`${engine}: GC reference types are named anyref in function type descriptions, function references funcref`, async () => {
    const src = `(module (type $s (struct)) (type $f (func))
      (func (export "f") (param (ref $s) (ref $f) i31ref) (result (ref null $s)) (ref.null $s)))`;
    const { module, instance } = await instantiate(src, {}, { store: new Store({ engine }) });
    const want = { params: ["anyref", "funcref", "anyref"], results: ["anyref"] };
    assert.deepEqual((instance.exports.f as unknown as { type: unknown }).type, want);
    assert.deepEqual(Module.exports(module)[0]!.type, want);
  });
}
