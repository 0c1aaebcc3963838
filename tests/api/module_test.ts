import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, CompileError, Module, validate } from "../../mod.ts";
import { wat } from "./_wat.ts";

test("validate() tells valid from malformed and invalid modules", () => {
  assert.equal(validate(wat(`(module (func (result i32) (i32.const 1)))`)), true);
  assert.equal(validate(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0])), false);
  // (func (result i32)) with an empty body: type mismatch.
  assert.equal(
    validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 10, 4, 1, 2, 0, 11])),
    false,
  );
});

test("compile() rejects with CompileError and new Module throws it", async () => {
  await assert.rejects(compile(new Uint8Array([1, 2, 3])), CompileError);
  assert.throws(() => new Module(new Uint8Array([0, 97, 115, 109])), CompileError);
  const m = await compile(wat(`(module)`).buffer as ArrayBuffer);
  assert.ok(m instanceof Module);
});

test("exported functions look like the JS API's: name is the index, length the parameter count", async () => {
  const { instantiate } = await import("../../mod.ts");
  const { instance } = await instantiate(wat(`(module (func) (func (export "f") (param i32 i64)))`));
  const f = instance.exports.f as unknown as { name: string; length: number; funcIndex: number; type: unknown };
  assert.equal(f.name, "1");
  assert.equal(f.length, 2);
  assert.equal(f.funcIndex, 1);
  assert.deepEqual(f.type, { params: ["i32", "i64"], results: [] });
});

test("Module.imports() and Module.exports() list tags", () => {
  const m = new Module(`(module (tag (import "a" "b") (param i32)) (tag (export "t")))`);
  assert.deepEqual(Module.imports(m), [{ module: "a", name: "b", kind: "tag" }]);
  assert.deepEqual(Module.exports(m), [{ name: "t", kind: "tag" }]);
});
