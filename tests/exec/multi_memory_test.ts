// Multi-memory: every memory instruction with its memory index, memory.copy between memories, data segments per
// memory, and one memory imported under two indices; results and memory contents compared with the host's WebAssembly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ExportedFunction, instantiate, Memory, parseWat, Store } from "../../mod.ts";

const LOADS = [
  ["i32.load", "i32"],
  ["i64.load", "i64"],
  ["f32.load", "f32"],
  ["f64.load", "f64"],
  ["i32.load8_s", "i32"],
  ["i32.load8_u", "i32"],
  ["i32.load16_s", "i32"],
  ["i32.load16_u", "i32"],
  ["i64.load8_s", "i64"],
  ["i64.load8_u", "i64"],
  ["i64.load16_s", "i64"],
  ["i64.load16_u", "i64"],
  ["i64.load32_s", "i64"],
  ["i64.load32_u", "i64"],
] as const;
const STORES = [
  ["i32.store", "i32"],
  ["i64.store", "i64"],
  ["f32.store", "f32"],
  ["f64.store", "f64"],
  ["i32.store8", "i32"],
  ["i32.store16", "i32"],
  ["i64.store8", "i64"],
  ["i64.store16", "i64"],
  ["i64.store32", "i64"],
] as const;

const MODULE = `(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1 3)
  (memory $c (export "c") 2)
  (data (memory $c) (i32.const 100) "\\80\\ff\\fe\\7f\\01\\02\\03\\84")
  (data $d "passive bytes")
  ${
  LOADS.map(([op, t]) => `(func (export "${op}") (param i32) (result ${t}) (${op} $c offset=3 (local.get 0)))`).join(
    "\n",
  )
}
  ${
  STORES.map(([op, t]) => `(func (export "${op}") (param i32 ${t}) (${op} $b offset=5 (local.get 0) (local.get 1)))`)
    .join("\n")
}
  (func (export "size") (result i32 i32 i32) (memory.size $a) (memory.size $b) (memory.size $c))
  (func (export "grow") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy $b $c (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $c $d (local.get 0) (local.get 1) (local.get 2)))
  (func (export "a0") (param i32) (result i32) (i32.load8_u (local.get 0))))`;

type Exports = Record<string, unknown>;

/** Calls `name` on both; returns "trap" for a trap, else the result. */
function both(k: Exports, n: Exports, name: string, ...args: unknown[]): [unknown, unknown] {
  const run = (f: () => unknown) => {
    try {
      return f();
    } catch (e) {
      return e instanceof Error && /RuntimeError/.test(e.constructor.name) ? "trap" : e;
    }
  };
  return [
    run(() => (k[name] as ExportedFunction).callSync(...args)),
    run(() => (n[name] as (...a: unknown[]) => unknown)(...args)),
  ];
}

function bytesOf(m: { buffer: ArrayBufferLike }): Uint8Array {
  return new Uint8Array(m.buffer);
}

test("multi-memory: every load and store kind on memories 1 and 2 agrees with the host's WebAssembly", async () => {
  const bytes = parseWat(MODULE);
  const { instance } = await instantiate(bytes);
  const k = instance.exports as Exports;
  const n = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports as Exports;
  for (const [op] of LOADS) {
    for (const at of [97, 98, 100, 101, 131069, 131070, -1]) {
      const [x, y] = both(k, n, op, at);
      assert.deepEqual(x, y, `${op} at ${at}`);
    }
  }
  const values = { i32: [-2, 0x12345678], i64: [-2n, 0x0123456789abcdefn], f32: [-1.5, 3e38], f64: [-0.1, 1e300] };
  for (const [op, t] of STORES) {
    for (const v of values[t]) {
      for (const at of [0, 7, 65523, 65530, -1]) {
        const [x, y] = both(k, n, op, at, v);
        assert.deepEqual(x, y, `${op} ${v} at ${at}`);
      }
    }
  }
  assert.deepEqual(bytesOf(k.b as Memory), bytesOf(n.b as WebAssembly.Memory));
  assert.equal(bytesOf(k.a as Memory).some((x) => x !== 0), false, "memory 0 untouched");
});

test("multi-memory: size, grow, fill, copy between memories and init into memory 2, with fuel per byte", async () => {
  const bytes = parseWat(MODULE);
  const store = new Store({ fuel: 1e9 });
  const { instance } = await instantiate(bytes, {}, { store });
  const k = instance.exports as Exports;
  const n = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports as Exports;
  const steps: [string, ...unknown[]][] = [
    ["size"],
    ["grow", 1],
    ["grow", 5],
    ["size"],
    ["fill", 10, 0xab, 20],
    ["fill", 131060, 1, 20],
    ["copy", 0, 100, 8],
    ["copy", 131070, 0, 8],
    ["init", 200, 2, 5],
    ["init", 200, 10, 5],
  ];
  for (const [name, ...args] of steps) {
    const [x, y] = both(k, n, name, ...args);
    assert.deepEqual(x, y, `${name}(${args})`);
  }
  assert.deepEqual(bytesOf(k.b as Memory), bytesOf(n.b as WebAssembly.Memory));
  assert.deepEqual(bytesOf(k.c as Memory), bytesOf(n.c as WebAssembly.Memory));
  const before = store.fuelConsumed;
  (k.fill as ExportedFunction).callSync(0, 1, 1000);
  assert.equal(store.fuelConsumed - before, 4 + 1000, "local.get ×3, memory.fill, and 1 per byte");
});

test("multi-memory: one memory imported twice is one memory under both indices, growth included", async () => {
  const shared = new Memory({ initial: 1, maximum: 4 });
  const { instance } = await instantiate(
    parseWat(`(module
      (import "env" "m" (memory $x 1 4))
      (import "env" "m" (memory $y 1 4))
      (func (export "growY") (result i32) (memory.grow $y (i32.const 1)))
      (func (export "storeX") (param i32 i32) (i32.store8 $x (local.get 0) (local.get 1)))
      (func (export "loadY") (param i32) (result i32) (i32.load8_u $y (local.get 0)))
      (func (export "lastX") (result i32)
        (drop (memory.grow $y (i32.const 1)))
        (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 9))
        (i32.load8_u $y (i32.sub (i32.mul (memory.size $y) (i32.const 65536)) (i32.const 1)))))`),
    { env: { m: shared } },
  );
  const e = instance.exports as Record<string, ExportedFunction>;
  assert.equal(e.growY!.callSync(), 1);
  assert.equal(shared.pages, 2);
  e.storeX!.callSync(70000, 42);
  assert.equal(e.loadY!.callSync(70000), 42);
  // memory.grow through index 1 moves memory 0's buffer: the access through index 0 right after must see it.
  assert.equal(e.lastX!.callSync(), 9);
  assert.equal(shared.pages, 3);
});
