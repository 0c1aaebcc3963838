// GC on the native engine (lib/native/gc_guards.ts, traps.ts, trampolines.ts): every trap of a struct or array
// instruction has the interpreter's code and message (Wasmtime's), also where the host checks in another order
// (V8: an element segment's range before the array's) or words it otherwise (JavaScriptCore: a segment's range like
// the array's, null references without saying of what), with and without fuel and with the same fuel consumed;
// segments dropped by data.drop / elem.drop, and active ones, read as empty; and exnref values cross the JS
// boundary as on the interpreter (null as null, an exception as Kiln's exception value); and the host's GC objects
// are told from the interpreter's views of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, Exception, instantiate, parseWat, RuntimeError, Store, type Tag } from "../../mod.ts";
import { NATIVE_GC } from "../gc/_native_gc.ts";
import { isHostGcObject } from "../../lib/native/imports.ts";

const ENGINES: readonly EngineName[] = ["interpreter", "native"];

const ARRAYS = parseWat(`(module
  (type $a (array (mut i32)))
  (type $b (array (mut i16)))
  (type $f (array (mut funcref)))
  (type $s (struct (field (mut i64)) (field (mut i8))))
  (memory 1)
  (data $d "\\01\\02\\03\\04\\05\\06\\07\\08")
  (data $active (i32.const 0) "\\09\\0a")
  (elem $e func $x $x $x $x)
  (elem $ae (table 0) (i32.const 0) func $x)
  (table 1 funcref)
  (func $x)
  (global $a (mut (ref null $a)) (ref.null $a))
  (global $f (mut (ref null $f)) (ref.null $f))
  (func (export "alloc") (param i32)
    (global.set $a (array.new_default $a (local.get 0)))
    (global.set $f (array.new_default $f (local.get 0))))
  (func (export "init_data") (param i32 i32 i32) (array.init_data $a $d (global.get $a) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_data_null") (array.init_data $a $d (ref.null $a) (i32.const 0) (i32.const 99) (i32.const 99)))
  (func (export "init_active") (param i32) (array.init_data $a $active (global.get $a) (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "init_elem") (param i32 i32 i32) (array.init_elem $f $e (global.get $f) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_elem_active") (param i32) (array.init_elem $f $ae (global.get $f) (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "new_data") (param i32 i32) (result i32) (array.len (array.new_data $b $d (local.get 0) (local.get 1))))
  (func (export "new_elem") (param i32 i32) (result i32) (array.len (array.new_elem $f $e (local.get 0) (local.get 1))))
  (func (export "fill") (param i32 i32 i32) (array.fill $a (global.get $a) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill_null") (array.fill $a (ref.null $a) (i32.const 0) (i32.const 1) (i32.const 1)))
  (func (export "copy") (param i32 i32 i32) (array.copy $a $a (global.get $a) (local.get 0) (global.get $a) (local.get 1) (local.get 2)))
  (func (export "copy_null_src") (array.copy $a $a (global.get $a) (i32.const 99) (ref.null $a) (i32.const 0) (i32.const 1)))
  (func (export "get") (param i32) (result i32) (array.get $a (global.get $a) (local.get 0)))
  (func (export "get_null") (result i32) (array.get $a (ref.null $a) (i32.const 0)))
  (func (export "set_null") (array.set $a (ref.null $a) (i32.const 0) (i32.const 1)))
  (func (export "len_null") (result i32) (array.len (ref.null $a)))
  (func (export "struct_get_null") (result i64) (struct.get $s 0 (ref.null $s)))
  (func (export "struct_get_u_null") (result i32) (struct.get_u $s 1 (ref.null $s)))
  (func (export "struct_set_null") (struct.set $s 1 (ref.null $s) (i32.const 7)))
  (func (export "i31_null") (result i32) (i31.get_s (ref.null i31)))
  (func (export "sum") (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (array.get $a (global.get $a) (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (array.len (global.get $a)))))
    (local.get $s))
  (func (export "drop_segments") (data.drop $d) (elem.drop $e)))`);

/** [export, arguments]: each a trap or a result; run in order on one instance (the array has 4 elements). */
const CALLS: [string, number[]][] = [
  ["alloc", [4]],
  ["init_data", [0, 0, 1]], // fine: 4 bytes into a[0]
  ["init_data", [5, 0, 0]], // array range
  ["init_data", [0, 5, 1]], // data range: 5 + 4 > 8
  ["init_data", [3, 0, 2]], // array range before data range
  ["init_data", [0, 9, 0]], // data range with no element
  ["init_data_null", []], // null before both ranges
  ["init_active", [0]],
  ["init_active", [1]], // an active segment is dropped at instantiation
  ["init_elem", [0, 0, 4]],
  ["init_elem", [0, 3, 2]], // element range
  ["init_elem", [3, 3, 2]], // array range before element range (V8 checks the segment first)
  ["init_elem", [0, 13, 13]], // both out of range: the array's first
  ["init_elem_active", [1]],
  ["new_data", [0, 4]],
  ["new_data", [2, 4]], // 2 + 4 × 2 > 8
  ["new_data", [9, 0]],
  ["new_elem", [1, 3]],
  ["new_elem", [1, 4]],
  ["new_elem", [5, 0]],
  ["fill", [1, 7, 3]],
  ["fill", [2, 7, 3]],
  ["fill", [5, 7, 0]],
  ["fill_null", []],
  ["copy", [0, 1, 3]],
  ["copy", [2, 0, 3]],
  ["copy", [0, 2, 3]],
  ["copy_null_src", []],
  ["get", [4]],
  ["get_null", []],
  ["set_null", []],
  ["len_null", []],
  ["struct_get_null", []],
  ["struct_get_u_null", []],
  ["struct_set_null", []],
  ["i31_null", []],
  ["sum", []],
  ["drop_segments", []],
  ["init_data", [0, 0, 0]],
  ["init_data", [0, 0, 1]], // dropped
  ["init_elem", [0, 0, 1]], // dropped
  ["new_data", [0, 1]],
  ["new_elem", [0, 0]],
  ["sum", []],
];

/** Every call's outcome (`ok:<result>` or `<code>: <message>`), and the fuel each consumed (with `fuel`). */
async function outcomes(engine: EngineName, fuel: boolean): Promise<string[]> {
  const store = new Store(fuel ? { engine, fuel: 1e9, fuelYieldInterval: 50 } : { engine });
  const { instance } = await instantiate(ARRAYS, {}, { store });
  const out: string[] = [];
  for (const [name, args] of CALLS) {
    const before = fuel ? store.fuelConsumed : 0;
    let outcome: string;
    try {
      outcome = `ok:${await (instance.exports[name] as (...a: number[]) => Promise<unknown>)(...args)}`;
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      outcome = `${e.code}: ${e.message}`;
    }
    out.push(`${name}(${args}) ${outcome}${fuel ? ` fuel ${store.fuelConsumed - before}` : ""}`);
  }
  return out;
}

for (const fuel of [false, true]) {
  test(`native engine: GC traps are the interpreter's, in Wasmtime's order${fuel ? ", with the same fuel" : ""}`, {
    skip: !NATIVE_GC,
  }, async () => {
    const interpreter = await outcomes("interpreter", fuel);
    assert.deepEqual(await outcomes("native", fuel), interpreter);
    // The reference itself says what it checks: the interpreter's order and wording.
    const at = (name: string, args: number[]) =>
      interpreter[CALLS.findIndex(([n, a]) => n === name && `${a}` === `${args}`)];
    assert.match(at("init_elem", [3, 3, 2])!, /ArrayOutOfBounds: out of bounds array access/);
    assert.match(at("init_elem", [0, 3, 2])!, /TableOutOfBounds: out of bounds table access/);
    assert.match(at("init_data", [0, 9, 0])!, /MemoryOutOfBounds: out of bounds memory access/);
    assert.match(at("init_active", [1])!, /MemoryOutOfBounds/);
    assert.match(at("init_data_null", [])!, /NullReference: null array reference/);
    assert.match(at("struct_set_null", [])!, /NullReference: null structure reference/);
    assert.match(at("i31_null", [])!, /NullReference: null i31 reference/);
    assert.match(at("new_data", [0, 1])!, /MemoryOutOfBounds/);
  });
}

const EXN = parseWat(`(module
  (tag $t (export "t") (param i32))
  (func (export "none") (result exnref) (ref.null exn))
  (func (export "nothing") (result nullexnref) (ref.null noexn))
  (func (export "caught") (param i32) (result i32 exnref)
    (i32.const 5)
    (block $h (result exnref) (try_table (catch_all_ref $h) (throw $t (local.get 0))) (unreachable)))
  (func (export "isNull") (param exnref) (result i32) (ref.is_null (local.get 0)))
  (func (export "payload") (param (ref exn)) (result i32)
    (block $h (result i32) (try_table (catch $t $h) (throw_ref (local.get 0))) (unreachable))))`);

for (const engine of ENGINES) {
  test(`${engine}: exnref values cross the JS boundary: null as null, an exception as Kiln's Exception`, {
    skip: engine === "native" && !NATIVE_GC,
  }, async () => {
    const { instance } = await instantiate(EXN, {}, { store: new Store({ engine }) });
    const e = instance.exports as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const raw = instance.exports as Record<string, { callRaw(a: unknown[]): Promise<unknown[]> }>;
    assert.equal(await e.none!(), null);
    assert.equal(await e.nothing!(), null);
    assert.deepEqual(await raw.none!.callRaw([]), [null]);
    const [five, x] = await e.caught!(42) as [number, Exception];
    assert.equal(five, 5);
    assert.ok(x instanceof Exception);
    const tag = instance.exports.t as Tag;
    assert.ok(x.is(tag));
    assert.equal(x.getArg(tag, 0), 42);
    assert.equal(await e.isNull!(null), 1);
    assert.equal(await e.isNull!(x), 0);
    assert.equal(await e.payload!(x), 42);
    assert.equal(await e.payload!(new Exception(tag, [7])), 7);
  });
}

test(
  "isHostGcObject() tells the host's structs from the interpreter's views of its own",
  { skip: !NATIVE_GC },
  async () => {
    const wat = `(module (type $s (struct)) (func (export "make") (result anyref) (struct.new $s)))`;
    const made = [];
    for (const engine of ENGINES) {
      const { instance } = await instantiate(parseWat(wat), {}, { store: new Store({ engine }) });
      made.push(await (instance.exports.make as () => Promise<unknown>)());
    }
    const [view, host] = made;
    assert.ok(Object.getPrototypeOf(view) === null && !Object.isExtensible(view), "the view looks like the host's");
    assert.equal(isHostGcObject(view), false);
    assert.equal(isHostGcObject(host), true);
    assert.equal(isHostGcObject(Object.preventExtensions(Object.create(null))), true, "what JS cannot tell apart");
  },
);
