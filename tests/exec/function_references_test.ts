// Typed function references: (ref null? $t) through validation, the machine and the JS boundary; call_ref and
// return_call_ref, br_on_null / br_on_non_null, ref.as_non_null, non-nullable locals, tables with initializers,
// and import matching by type equivalence across modules. Results agree with the host's WebAssembly.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CompileError,
  type ExportedFunction,
  instantiate,
  LinkError,
  parseWat,
  RuntimeError,
  Store,
} from "../../mod.ts";

const REFS = `(module
  (type $unop (func (param i32) (result i32)))
  (type $pred (func (param i64) (result i32)))
  (func $inc (type $unop) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $unop) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $inc $dbl $even $odd)
  (table $ops 2 (ref $unop) (ref.func $inc))
  (global $g (mut (ref null $unop)) (ref.null $unop))
  (func (export "apply") (param i32 i32) (result i32)
    (call_ref $unop (local.get 1) (table.get $ops (local.get 0))))
  (func (export "setOp") (param i32)
    (table.set $ops (i32.const 1) (ref.func $dbl))
    (global.set $g (table.get $ops (local.get 0))))
  (func (export "viaGlobal") (param i32) (result i32)
    (call_ref $unop (local.get 0) (global.get $g)))
  (func (export "nonNull") (result i32)
    (call_ref $unop (i32.const 1) (ref.as_non_null (global.get $g))))
  (func (export "orDefault") (param i32) (result i32)
    (block $null
      (return (call_ref $unop (local.get 0) (br_on_null $null (global.get $g)))))
    (i32.const -1))
  (func (export "whenSet") (param i32) (result i32)
    (block $set (result (ref $unop))
      (br_on_non_null $set (global.get $g))
      (return (i32.const -2)))
    (local.set 0 (i32.const 10))
    (drop)
    (local.get 0))
  (func (export "local") (param i32) (result i32)
    (local $f (ref $unop))
    (local.set $f (ref.func $dbl))
    (call_ref $unop (local.get 0) (local.get $f)))
  (func $even (export "even") (type $pred)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
      (else (return_call_ref $pred (i64.sub (local.get 0) (i64.const 1)) (ref.func $odd)))))
  (func $odd (export "odd") (type $pred)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
      (else (return_call_ref $pred (i64.sub (local.get 0) (i64.const 1)) (ref.func $even)))))
  (func (export "takeRef") (param (ref $unop)) (result i32) (call_ref $unop (i32.const 5) (local.get 0)))
  (func (export "getInc") (result (ref $unop)) (ref.func $inc)))`;

async function refs(store?: Store) {
  const { instance } = await instantiate(parseWat(REFS), {}, store ? { store } : {});
  return instance.exports as Record<string, ExportedFunction>;
}

test("function references: call_ref through a typed table, a global and a local; the host agrees", async () => {
  const e = await refs();
  const native = new WebAssembly.Instance(new WebAssembly.Module(parseWat(REFS) as BufferSource)).exports as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  // The table's initializer filled both elements with $inc.
  assert.equal(e.apply!.callSync(1, 41), 42);
  assert.equal(native.apply!(1, 41), 42);
  assert.equal(e.local!.callSync(21), 42);
  e.setOp!.callSync(1);
  native.setOp!(1);
  assert.equal(e.apply!.callSync(1, 21), 42);
  assert.equal(e.viaGlobal!.callSync(4), native.viaGlobal!(4));
  assert.equal(e.orDefault!.callSync(4), 8);
  assert.equal(e.whenSet!.callSync(0), 10);
  assert.equal(e.nonNull!.callSync(), native.nonNull!());
});

test("function references: null is a trap where a function is needed, and a branch where it is tested", async () => {
  const e = await refs();
  // $g starts null.
  assert.throws(
    () => e.viaGlobal!.callSync(1),
    (err) => err instanceof RuntimeError && /null function reference/.test(err.message),
  );
  assert.throws(
    () => e.nonNull!.callSync(),
    (err) => err instanceof RuntimeError && err.message.startsWith("null reference"),
  );
  assert.equal(e.orDefault!.callSync(4), -1);
  assert.equal(e.whenSet!.callSync(0), -2);
});

test("function references: 1,000,000-deep mutual return_call_ref runs in a 16 KiB wasm stack", async () => {
  const { instance } = await instantiate(parseWat(REFS), {}, { maxWasmStack: 16 * 1024 });
  const e = instance.exports as Record<string, ExportedFunction>;
  assert.equal(e.even!.callSync(1_000_000n), 1);
  assert.equal(await e.odd!(999_999n), 1);
});

test("function references: fuel for call_ref is one unit, as for call", async () => {
  const store = new Store({ fuel: 1e6 });
  const e = await refs(store);
  const before = store.fuelConsumed;
  e.local!.callSync(3);
  // local: ref.func, local.set, local.get, local.get, call_ref = 5; $dbl: local.get, i32.const, i32.mul = 3.
  assert.equal(store.fuelConsumed - before, 5 + 3);
});

test("function references: the JS boundary checks non-null and the function's type", async () => {
  const e = await refs();
  const inc = e.getInc!.callSync() as ExportedFunction;
  assert.equal(e.takeRef!.callSync(inc), 6);
  assert.throws(() => e.takeRef!.callSync(null), TypeError);
  // A function of another type is not a (ref $unop).
  assert.throws(() => e.takeRef!.callSync(e.even), TypeError);
  assert.throws(() => e.takeRef!.callSync(() => 1), TypeError);
});

test("function references: imports match by type equivalence across modules, not by index", async () => {
  const exporter = await instantiate(parseWat(`(module
    (type $a (func (param i32) (result i32)))
    (type $b (func (param (ref $a)) (result i32)))
    (func $id (type $a) (local.get 0))
    (func (export "apply") (type $b) (call_ref $a (i32.const 7) (local.get 0)))
    (global (export "g") (ref $a) (ref.func $id)))`));
  // Different indices, same structure: links; the global's type is a subtype of the import's.
  const { instance } = await instantiate(
    parseWat(`(module
      (type $pad (func))
      (type $u (func (param i32) (result i32)))
      (import "m" "apply" (func $apply (param (ref $u)) (result i32)))
      (import "m" "g" (global $g (ref null $u)))
      (func (export "run") (result i32) (call $apply (ref.as_non_null (global.get $g)))))`),
    { m: exporter.instance.exports },
  );
  assert.equal((instance.exports.run as ExportedFunction).callSync(), 7);
  await assert.rejects(
    instantiate(
      parseWat(`(module (type $v (func (param i64) (result i32)))
        (import "m" "apply" (func (param (ref $v)) (result i32))))`),
      { m: exporter.instance.exports },
    ),
    LinkError,
  );
});

test("function references: validation of non-nullable locals, tables and subtyping", async () => {
  const rejects = (text: string, message: RegExp) =>
    assert.rejects(instantiate(parseWat(text)), (e) => e instanceof CompileError && message.test(e.message));
  await rejects(`(module (type $t (func)) (func (local (ref $t)) (drop (local.get 0))))`, /uninitialized local/);
  // A local set inside a block is unset again after it.
  await rejects(
    `(module (type $t (func)) (func $f) (elem declare func $f)
      (func (local (ref $t)) (block (local.set 0 (ref.func $f))) (drop (local.get 0))))`,
    /uninitialized local/,
  );
  await rejects(`(module (type $t (func)) (table 1 (ref $t)))`, /type mismatch/);
  await rejects(
    `(module (type $t (func)) (func (param funcref) (result (ref null $t)) (local.get 0)))`,
    /type mismatch/,
  );
  await rejects(`(module (func (result (ref func)) (ref.null func)))`, /type mismatch/);
  await rejects(`(module (func (result (ref 3)) unreachable))`, /unknown type/);
});

test("function references: a tag with a typed-reference parameter links across modules and carries the reference", async () => {
  const a = await instantiate(parseWat(`(module
    (type $f (func (result i32)))
    (tag (export "e") (param (ref $f)))
    (func $seven (type $f) (i32.const 7))
    (elem declare func $seven)
    (func (export "throwIt") (throw 0 (ref.func $seven))))`));
  // Another module, the type at another index: the tag's type is the same by equivalence.
  const { instance } = await instantiate(
    parseWat(`(module
      (type $pad (func (param i64)))
      (type $g (func (result i32)))
      (import "a" "e" (tag $e (param (ref $g))))
      (import "a" "throwIt" (func $throwIt))
      (func (export "catchIt") (result i32)
        (block $h (result (ref $g))
          (try_table (catch $e $h) (call $throwIt))
          (unreachable))
        (call_ref $g)))`),
    { a: a.instance.exports },
  );
  assert.equal((instance.exports.catchIt as ExportedFunction).callSync(), 7);
});
