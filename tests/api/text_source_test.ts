import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, CompileError, instantiate, Module, validate } from "../../mod.ts";

test("instantiate() accepts module text: a string is always the text format", async () => {
  const { instance } = await instantiate(`(module (func (export "f") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 6))))`);
  assert.equal(await (instance.exports.f as (x: number) => Promise<number>)(7), 42);
});

test("compile(), new Module() and validate() accept text; bad text is a CompileError with its position", async () => {
  assert.ok((await compile("(module)")) instanceof Module);
  assert.equal(Module.exports(new Module(`(module (memory (export "m") 1))`))[0]!.kind, "memory");
  assert.equal(validate("(module (func (result i32)))"), false); // parses, but is invalid
  assert.equal(validate("(module (func"), false);
  await assert.rejects(
    compile("(module (func i32.bogus))"),
    (e) => e instanceof CompileError && /1:\d+/.test(e.message),
  );
});
