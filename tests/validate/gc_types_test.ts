import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { concreteHeap, HeapType, refType } from "../../lib/binary/module.ts";
import { validateModule } from "../../lib/validate/module_validator.ts";
import { isSubtype, typeIdsOf } from "../../lib/validate/subtyping.ts";
import { CompileError } from "../../lib/errors.ts";
import { compile, instantiate, parseWat } from "../../mod.ts";

const ids = (text: string) => {
  const m = decodeModule(parseWat(text));
  validateModule(m);
  return typeIdsOf(m);
};

test("typeIdsOf() gives equivalent recursion groups of different modules the same ids", () => {
  const a = ids("(module (rec (type $l (struct (field (ref null $r)))) (type $r (struct (field (ref null $l))))))");
  const b = ids(
    "(module (type (func)) (rec (type $x (struct (field (ref null $y)))) (type $y (struct (field (ref null $x))))))",
  );
  assert.deepEqual(a, b.slice(1));
  // A group's members differ from each other and from the same shape outside a group.
  assert.notEqual(a[0], a[1]);
  assert.equal(
    ids("(module (rec (type (struct (field (ref null 1)))) (type (struct (field i32)))))")[1] === a[1],
    false,
  );
  // Outside a group, a reference to a later type is unknown.
  assert.throws(() => ids("(module (type (struct (field (ref null 1)))) (type (struct)))"), /unknown type 1/);
});

test("typeIdsOf() tells finality and declared supertypes apart", () => {
  const [final, open] = ids("(module (type (func)) (type (sub (func))))");
  assert.notEqual(final, open);
  const [, sub1] = ids("(module (type $s (sub (struct))) (type (sub $s (struct (field i32)))))");
  const [, sub2] = ids("(module (type $s (sub (struct))) (type (sub (struct (field i32)))))");
  assert.notEqual(sub1, sub2);
});

test("isSubtype() follows declared supertypes and the abstract hierarchy", () => {
  const m = decodeModule(parseWat(
    "(module (type $a (sub (struct (field i32)))) (type $b (sub $a (struct (field i32 i64)))) (type $f (func)))",
  ));
  const t = validateModule(m).typeIds;
  const ref = (i: number, nullable = false) => refType(concreteHeap(i), nullable);
  assert.equal(isSubtype(ref(1), ref(0), t), true);
  assert.equal(isSubtype(ref(0), ref(1), t), false);
  for (const top of [HeapType.struct, HeapType.eq, HeapType.any]) assert.equal(isSubtype(ref(1), top, t), true);
  assert.equal(isSubtype(ref(1), HeapType.array, t), false);
  assert.equal(isSubtype(ref(2), HeapType.any, t), false);
  assert.equal(isSubtype(ref(2), HeapType.func, t), true);
  assert.equal(isSubtype(HeapType.none, ref(0, true), t), true);
  assert.equal(isSubtype(HeapType.nofunc, ref(0, true), t), false);
  assert.equal(isSubtype(refType(HeapType.i31, false), HeapType.eq, t), true);
});

test("validateModule() checks declared supertypes", () => {
  const invalid = (text: string) => assert.throws(() => validateModule(decodeModule(parseWat(text))), CompileError);
  invalid("(module (type $a (struct)) (type (sub $a (struct))))"); // $a is final
  invalid("(module (type $a (sub (struct (field i32)))) (type (sub $a (struct (field i64)))))");
  invalid("(module (type $a (sub (struct (field (mut i32))))) (type (sub $a (struct (field i32)))))");
  invalid("(module (type $a (sub (func (param i32)))) (type (sub $a (func (param i64)))))");
  validateModule(decodeModule(parseWat("(module (type $a (sub (array i8))) (type (sub final $a (array i8))))")));
});

test("call_indirect and import matching accept a function of a declared subtype", async () => {
  const { instance } = await instantiate(parseWat(`(module
    (type $t (sub (func (result i32))))
    (type $u (sub $t (func (result i32))))
    (table funcref (elem $f))
    (func $f (type $u) (i32.const 7))
    (func (export "call") (result i32) (call_indirect (type $t) (i32.const 0))))`));
  assert.equal(await (instance.exports.call as () => Promise<number>)(), 7);
});

test("instantiate() runs a module that needs GC objects on the interpreter", async () => {
  const module = await compile(parseWat(`(module (type $p (struct (field i32)))
    (func (export "f") (result i32) (struct.get $p 0 (struct.new $p (i32.const 1)))))`));
  const { instance } = await instantiate(module);
  assert.equal(await (instance.exports.f as () => Promise<number>)(), 1);
  const i31 = await instantiate(
    parseWat(`(module (func (export "f") (result i32) (i31.get_s (ref.i31 (i32.const -1)))))`),
  );
  assert.equal(await (i31.instance.exports.f as () => Promise<number>)(), -1);
});
