// The GC ops of the interpreter (lib/exec/gc_ops.ts) where the spec suite does not look: fuel per array element,
// traps' codes, and ref.eq over the handle table; the same on the native engine (its instrumenter charges the same
// fuel per element) where the host runs GC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, instantiate, parseWat, type RuntimeError, Store, TrapCode } from "../../mod.ts";
import { NATIVE_GC } from "../gc/_native_gc.ts";

const WAT = `(module
  (type $a (array (mut i32)))
  (data $d "\\01\\00\\00\\00\\02\\00\\00\\00")
  (func (export "newDefault") (param i32) (drop (array.new_default $a (local.get 0))))
  (func (export "fill") (param i32)
    (array.fill $a (array.new_default $a (i32.const 1000)) (i32.const 0) (i32.const 7) (local.get 0)))
  (func (export "copy") (param i32)
    (local $x (ref $a))
    (local.set $x (array.new_default $a (i32.const 1000)))
    (array.copy $a $a (local.get $x) (i32.const 1) (local.get $x) (i32.const 0) (local.get 0)))
  (func (export "huge") (drop (array.new_default $a (i32.const -1))))
  (func (export "cast") (param anyref) (result i32) (array.len (ref.cast (ref $a) (local.get 0))))
  (func (export "oob") (result i32) (array.get $a (array.new_data $a $d (i32.const 0) (i32.const 2)) (i32.const 2)))
  (func (export "same") (param $x eqref) (result i32)
    (local $y eqref)
    (local.set $y (local.get $x))
    (i32.add (ref.eq (local.get $x) (local.get $y)) (ref.eq (ref.i31 (i32.const 5)) (ref.i31 (i32.const 5))))))`;

async function fuelOf(engine: EngineName, name: string, arg: number): Promise<number> {
  const store = new Store({ engine, fuel: 1e9 });
  const { instance } = await instantiate(parseWat(WAT), {}, { store });
  const before = store.fuelConsumed;
  await (instance.exports[name] as (n: number) => Promise<void>)(arg);
  return store.fuelConsumed - before;
}

const engines: readonly EngineName[] = NATIVE_GC ? ["interpreter", "native"] : ["interpreter"];

for (const engine of engines) {
  test(`${engine}: array ops charge 1 fuel per element they allocate, fill or copy, as memory.fill charges per byte`, async () => {
    assert.equal(await fuelOf(engine, "newDefault", 100) - await fuelOf(engine, "newDefault", 0), 100);
    assert.equal(await fuelOf(engine, "fill", 50) - await fuelOf(engine, "fill", 0), 50);
    assert.equal(await fuelOf(engine, "copy", 30) - await fuelOf(engine, "copy", 0), 30);
  });

  test(`${engine}: GC traps carry their codes and Wasmtime's messages`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    const e = instance.exports as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const code = (c: string, m: string) => (err: unknown) =>
      (err as RuntimeError).code === c && (err as Error).message.includes(m);
    await assert.rejects(() => e.huge!(), code(TrapCode.AllocationTooLarge, "allocation size too large"));
    await assert.rejects(() => e.cast!(7), code(TrapCode.CastFailure, "cast failure"));
    await assert.rejects(() => e.oob!(), code(TrapCode.ArrayOutOfBounds, "out of bounds array access"));
  });

  test(`${engine}: ref.eq compares the objects, not their handles (a value read twice has two), and i31s by value`, async () => {
    const { instance } = await instantiate(parseWat(WAT), {}, { store: new Store({ engine }) });
    assert.equal(await (instance.exports.same as (x: unknown) => Promise<number>)(9), 2);
  });
}
