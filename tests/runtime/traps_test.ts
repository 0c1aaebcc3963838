import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, RuntimeError, Store, TRAP_MESSAGES, TrapCode } from "../../mod.ts";
import { wat } from "../api/_wat.ts";

const TRAPS = wat(`(module
  (type $v (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $unreach)
  (func $unreach (export "unreachable") unreachable)
  (func (export "div0") (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
  (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "i64div0") (result i64) (i64.rem_s (i64.const 1) (i64.const 0)))
  (func (export "trunc_nan") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "trunc_big") (result i64) (i64.trunc_f64_u (f64.const 1e20)))
  (func (export "oob") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "oob_offset") (result i32) (i32.load offset=0xffffffff (i32.const 1)))
  (func (export "undefined_elem") (call_indirect (type $v) (i32.const 5)))
  (func (export "uninit_elem") (call_indirect (type $v) (i32.const 1)))
  (func (export "type_mismatch") (drop (call_indirect (result i32) (i32.const 0))))
  (func (export "table_oob") (drop (table.get 0 (i32.const 2))))
  (func (export "fill_oob") (memory.fill (i32.const 65530) (i32.const 0) (i32.const 7)))
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $outer (export "nested") (result i32) (i32.add (i32.const 1) (call $inner (i32.const 0)))))`);

const cases: [string, unknown[], string, TrapCode][] = [
  ["unreachable", [], "unreachable", TrapCode.UnreachableCodeReached],
  ["div0", [], "integer divide by zero", TrapCode.IntegerDivisionByZero],
  ["overflow", [], "integer overflow", TrapCode.IntegerOverflow],
  ["i64div0", [], "integer divide by zero", TrapCode.IntegerDivisionByZero],
  ["trunc_nan", [], "invalid conversion to integer", TrapCode.BadConversionToInteger],
  ["trunc_big", [], "integer overflow", TrapCode.IntegerOverflow],
  ["oob", [65532], "out of bounds memory access", TrapCode.MemoryOutOfBounds],
  ["oob", [-1], "out of bounds memory access", TrapCode.MemoryOutOfBounds],
  ["oob_offset", [], "out of bounds memory access", TrapCode.MemoryOutOfBounds],
  ["undefined_elem", [], "undefined element", TrapCode.UndefinedElement],
  ["uninit_elem", [], "uninitialized element", TrapCode.IndirectCallToNull],
  ["type_mismatch", [], "indirect call type mismatch", TrapCode.BadSignature],
  ["table_oob", [], "out of bounds table access", TrapCode.TableOutOfBounds],
  ["fill_oob", [], "out of bounds memory access", TrapCode.MemoryOutOfBounds],
];

test("traps carry Wasmtime's messages and their TrapCode", async () => {
  const { instance } = await instantiate(TRAPS);
  for (const [name, args, message, code] of cases) {
    assert.ok(TRAP_MESSAGES[code].startsWith(message), `${code}'s table message`);
    const is = (e: unknown) => e instanceof RuntimeError && e.message.startsWith(message) && e.code === code;
    const f = instance.exports[name] as (...a: unknown[]) => Promise<unknown>;
    await assert.rejects(f(...args), is, name);
    // The synchronous path traps the same way.
    const sync = instance.exports[name] as unknown as { callSync(...a: unknown[]): unknown };
    assert.throws(() => sync.callSync(...args), is, name);
  }
  // In-bounds access at the very end works.
  assert.equal(await (instance.exports.oob as (x: number) => Promise<number>)(65528), 0);
});

test("a trap's backtrace lists wasm frames innermost first with names and byte offsets", async () => {
  const bytes = wat(`(module $mod
    (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
    (func $outer (export "nested") (result i32) (i32.add (i32.const 1) (call $inner (i32.const 0)))))`);
  const { instance } = await instantiate(bytes);
  try {
    await (instance.exports.nested as () => Promise<number>)();
    assert.fail("expected a trap");
  } catch (e) {
    assert.ok(e instanceof RuntimeError);
    assert.deepEqual(e.backtrace.map((f) => [f.funcIndex, f.funcName]), [[0, "inner"], [1, "outer"]]);
    // The trapping instruction is i32.div_s (0x6d); the caller's frame points at its call (0x10).
    assert.equal(bytes[e.backtrace[0]!.offset], 0x6d);
    assert.equal(bytes[e.backtrace[1]!.offset], 0x10);
  }
});

test("huge memory.grow returns -1 instead of throwing", async () => {
  const { instance } = await instantiate(wat(`(module (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`));
  const grow = instance.exports.grow as (n: number) => Promise<number>;
  assert.equal(await grow(-1), -1);
  assert.equal(await grow(65536), -1);
});

test("trapOnGrowFailure and maxMemoryBytes limit growth", async () => {
  const bytes = wat(`(module (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
  const { instance } = await instantiate(bytes, {}, { maxMemoryBytes: 2 * 65536 });
  const grow = instance.exports.grow as (n: number) => Promise<number>;
  assert.equal(await grow(1), 1);
  assert.equal(await grow(1), -1);
  const { instance: strict } = await instantiate(bytes, {}, { maxMemoryBytes: 65536, trapOnGrowFailure: true });
  await assert.rejects((strict.exports.grow as (n: number) => Promise<number>)(1), RuntimeError);
});

test("fuel, interrupt and stack exhaustion traps carry their TrapCode too", async () => {
  const spin = `(module (func (export "spin") (loop (br 0))) (func $r (export "recurse") (call $r)))`;
  const store = new Store({ fuel: 10_000 });
  const { instance } = await instantiate(spin, {}, { store });
  await assert.rejects(
    (instance.exports.spin as () => Promise<void>)(),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.OutOfFuel && e.message === TRAP_MESSAGES.OutOfFuel,
  );
  const { instance: free } = await instantiate(spin, {}, { yieldEveryMs: 5 });
  await assert.rejects(
    (free.exports.spin as { callWith(o: { timeoutMs: number }): Promise<void> }).callWith({ timeoutMs: 30 }),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.Interrupt,
  );
  await assert.rejects(
    (free.exports.recurse as () => Promise<void>)(),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.StackOverflow,
  );
  // A RuntimeError made by host code has no code.
  assert.equal(new RuntimeError("mine").code, undefined);
});
