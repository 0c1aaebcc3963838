import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, Module, parseWat, RuntimeError } from "../../mod.ts";
import { encodeCoredump } from "../../lib/cli/coredump.ts";

const WAT = `(module
  (memory $a 1 4)
  (memory $b i64 2)
  (global $i (mut i32) (i32.const 1))
  (global $l (mut i64) (i64.const 2))
  (global $f (mut f32) (f32.const 3))
  (global $d (mut f64) (f64.const 4))
  (global $v (mut v128) (v128.const i32x4 0 0 0 0))
  (global $r (mut funcref) (ref.null func))
  (global $e externref (ref.null extern))
  (func $crash (export "crash")
    (global.set $i (i32.const -7))
    (global.set $l (i64.const 0x123456789abcdef0))
    (global.set $f (f32.const -1.5))
    (global.set $d (f64.const 6.25))
    (global.set $v (v128.const i32x4 1 2 3 4))
    (global.set $r (ref.func $crash))
    (i32.store $a (i32.const 8) (i32.const 0x01020304))
    (i64.store $b (i64.const 70000) (i64.const -1))
    (drop (memory.grow $a (i32.const 1)))
    unreachable))`;

async function crashed() {
  // A coredump is the interpreter's: native frames show no locals or operand stacks (the CLI's auto picks it).
  const { instance } = await instantiate(parseWat(WAT), {}, { engine: "interpreter" });
  const crash = instance.exports.crash as () => Promise<unknown>;
  const e = await crash().then(() => assert.fail("no trap"), (e: unknown) => e);
  assert.ok(e instanceof RuntimeError);
  return { instance, frames: e.backtrace };
}

test("encodeCoredump() writes a module whose memories and globals are the instance's at the trap", async () => {
  const { instance, frames } = await crashed();
  const dump = encodeCoredump(instance, frames, { name: "crash.wasm" });
  const module = new Module(dump); // valid: Kiln decodes and validates it
  const { instance: copy } = await instantiate(module, {}, { engine: "interpreter" });
  const [a, b] = copy.state.memories;
  assert.deepEqual([a.pages, a.maximum, a.address, b.pages, b.maximum, b.address], [2, 4, "i32", 2, undefined, "i64"]);
  assert.deepEqual([...a.bytes.subarray(8, 12)], [4, 3, 2, 1]);
  assert.deepEqual([...b.bytes.subarray(70000, 70008)], new Array(8).fill(0xff));
  assert.deepEqual(copy.state.memories.map((m) => m.bytes.length), instance.state.memories.map((m) => m.pages * 65536));
  const values = copy.state.globals.map((g) => g.getRaw());
  const original = instance.state.globals.map((g) => g.getRaw());
  assert.deepEqual(values.slice(0, 4), original.slice(0, 4));
  assert.deepEqual([...copy.state.globals[4].cell], [1, 2, 3, 4]);
  // References have no type section to refer to: saved as nulls of their top type.
  assert.deepEqual(values.slice(5), [null, null]);
  assert.ok(copy.state.globals.every((g) => !g.mutable));
});

test("encodeCoredump() records `core` and `corestack` as tool-conventions defines them", async () => {
  const { instance, frames } = await crashed();
  const dump = encodeCoredump(instance, frames, { name: "crash.wasm" });
  const sections = (name: string) => Module.customSections(new Module(dump), name).map((b) => [...new Uint8Array(b)]);
  assert.deepEqual(sections("core"), [[0, 10, ...new TextEncoder().encode("crash.wasm")]]);
  const [stack] = sections("corestack");
  // thread-info "main", one frame: funcidx 0, codeoffset of the `unreachable` from the body's first instruction.
  assert.deepEqual(stack.slice(0, 7), [0, 4, ...new TextEncoder().encode("main"), 1]);
  const body = instance.module.decoded.codes[0];
  const offset = frames[0].offset - body.start;
  assert.equal(instance.module.decoded.bytes[frames[0].offset], 0x00); // the `unreachable`
  assert.deepEqual(stack.slice(7, 9), [0, 0]);
  assert.equal(stack.length, 7 + 2 + (offset < 128 ? 1 : 2) + 2);
  assert.deepEqual(stack.slice(-2), [0, 0]); // no locals, no operand values recorded
});

test("encodeCoredump() of an instance without memories or globals is a valid module", async () => {
  const { instance } = await instantiate(parseWat('(module (func (export "f")))'));
  const dump = encodeCoredump(instance, [{ funcIndex: 0, offset: -1 }], { name: "x" });
  assert.ok(WebAssembly.validate(dump));
  assert.equal(Module.customSections(new Module(dump), "corestack").length, 1);
});
