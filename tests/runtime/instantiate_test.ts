import { test } from "node:test";
import assert from "node:assert/strict";
import { Global, instantiate, LinkError, Memory, Module, RuntimeError, Store, Table } from "../../mod.ts";
import { wat } from "../api/_wat.ts";

test("a missing import is a LinkError in Wasmtime's wording", async () => {
  const bytes = wat(`(module (import "env" "f" (func)))`);
  await assert.rejects(
    instantiate(bytes, {}),
    (e) => e instanceof LinkError && e.message === "unknown import: `env::f` has not been defined",
  );
  await assert.rejects(instantiate(bytes, { env: {} }), LinkError);
});

test("mismatched imports are LinkErrors 'incompatible import type' with a detail line", async () => {
  const producer = await instantiate(wat(`(module (func (export "f") (param i32)))`));
  const cases: [string, Record<string, unknown>][] = [
    [`(import "env" "f" (func (param i64)))`, { f: producer.instance.exports.f }],
    [`(import "env" "f" (func))`, { f: new Memory({ initial: 1 }) }],
    [`(import "env" "f" (memory 2))`, { f: new Memory({ initial: 1 }) }],
    [`(import "env" "f" (memory 1 2))`, { f: new Memory({ initial: 1 }) }],
    [`(import "env" "f" (table 1 externref))`, { f: new Table({ element: "funcref", initial: 1 }) }],
    [`(import "env" "f" (global (mut i32)))`, { f: new Global({ value: "i32", mutable: false }, 1) }],
    [`(import "env" "f" (global i64))`, { f: new Global({ value: "i32" }, 1) }],
    [`(import "env" "f" (global (mut i32)))`, { f: 5 }],
  ];
  for (const [imp, env] of cases) {
    await assert.rejects(
      instantiate(wat(`(module ${imp})`), { env }),
      (e) => e instanceof LinkError && e.message.startsWith("incompatible import type for `env::f`\n"),
      imp,
    );
  }
});

test("matching imports link: functions across instances, memories, tables, globals, plain numbers", async () => {
  const a = await instantiate(wat(`(module
    (memory (export "mem") 1 4)
    (table (export "tab") 2 funcref)
    (global (export "g") (mut i32) (i32.const 40))
    (func $f (export "f") (param i32) (result i32) (i32.add (local.get 0) (global.get 0)))
    (elem (i32.const 0) $f))`));
  const ex = a.instance.exports;
  const b = await instantiate(
    wat(`(module
    (import "a" "f" (func $f (param i32) (result i32)))
    (import "a" "mem" (memory 1))
    (import "a" "tab" (table 1 funcref))
    (import "a" "g" (global $g (mut i32)))
    (import "a" "k" (global $k i64))
    (type $t (func (param i32) (result i32)))
    (func (export "run") (result i32)
      (global.set $g (i32.const 2))
      (i32.store (i32.const 0) (i32.wrap_i64 (global.get $k)))
      (i32.add (call $f (i32.const 1)) (call_indirect (type $t) (i32.load (i32.const 0)) (i32.const 0)))))`),
    { a: { ...ex, k: 7n } },
  );
  // f(1) = 1 + 2; table[0] is a's f: f(7) = 7 + 2.
  assert.equal(await (b.instance.exports.run as () => Promise<number>)(), 12);
  assert.equal((ex.g as Global).value, 2);
  assert.equal(new DataView((ex.mem as Memory).buffer).getInt32(0, true), 7);
});

test("instantiation order: globals, elem then data segments, then start; a failing segment keeps earlier writes", async () => {
  const memory = new Memory({ initial: 1 });
  const table = new Table({ element: "funcref", initial: 2 });
  const bytes = wat(`(module
    (import "env" "mem" (memory 1))
    (import "env" "tab" (table 2 funcref))
    (import "env" "log" (func $log (param i32)))
    (func $f)
    (elem (i32.const 0) $f)
    (elem (i32.const 2) $f)
    (data (i32.const 0) "ok")
    (func $start (call $log (i32.const 1)))
    (start $start))`);
  const log: number[] = [];
  await assert.rejects(
    instantiate(bytes, { env: { mem: memory, tab: table, log: (x: number) => log.push(x) } }),
    (e) => e instanceof RuntimeError && e.message === "out of bounds table access",
  );
  assert.notEqual(table.get(0), null); // the first segment's write stays
  assert.equal(new Uint8Array(memory.buffer)[0], 0); // data segments did not run
  assert.deepEqual(log, []); // nor did the start function

  const ok = wat(`(module
    (import "env" "mem" (memory 1))
    (import "env" "log" (func $log (param i32)))
    (global $g i32 (i32.const 0x6b6f))
    (data (i32.const 0) "ok")
    (data (i32.const 65535) "xy")
    (func $start (call $log (i32.load16_u (i32.const 0))))
    (start $start))`);
  const mem2 = new Memory({ initial: 1 });
  const log2: number[] = [];
  await assert.rejects(
    instantiate(ok, { env: { mem: mem2, log: (x: number) => log2.push(x) } }),
    (e) => e instanceof RuntimeError && e.message === "out of bounds memory access",
  );
  assert.equal(new TextDecoder().decode(new Uint8Array(mem2.buffer, 0, 2)), "ok");
});

test("the start function may suspend on an async import", async () => {
  const bytes = wat(`(module (import "env" "get" (func $get (result i32)))
    (global $g (export "g") (mut i32) (i32.const 0))
    (func $start (global.set $g (call $get))) (start $start))`);
  const { instance } = await instantiate(bytes, { env: { get: () => new Promise((r) => setTimeout(() => r(42), 5)) } });
  assert.equal((instance.exports.g as Global).value, 42);
});

test("Module: imports, exports and custom sections; a shared Store across instances", async () => {
  const m = new Module(wat(`(module (import "env" "f" (func (param i32))) (memory (export "m") 1)
    (func (export "g") (param i64 f32) (result f64) (f64.const 0)))`));
  assert.deepEqual(Module.imports(m), [{ module: "env", name: "f", kind: "function" }]);
  assert.deepEqual(Module.exports(m), [
    { name: "m", kind: "memory" },
    { name: "g", kind: "function", type: { params: ["i64", "f32"], results: ["f64"] } },
  ]);
  assert.deepEqual(Module.customSections(m, "nothing"), []);
  const store = new Store({ maxInstances: 1 });
  await instantiate(m, { env: { f: () => {} } }, { store });
  await assert.rejects(instantiate(m, { env: { f: () => {} } }, { store }), /instance count/);
});

test("Global, Table and Memory objects follow the standard JS API conversions", () => {
  const g = new Global({ value: "f32", mutable: true }, 1.5);
  assert.equal(g.value, 1.5);
  g.setRaw(0x7fa00000);
  assert.equal(g.getRaw(), 0x7fa00000);
  assert.throws(() => {
    new Global({ value: "i32" }, 1).value = 2;
  }, TypeError);
  const t = new Table({ element: "externref", initial: 1 }, "x");
  assert.equal(t.get(0), "x");
  assert.equal(t.grow(2, "y"), 1);
  assert.equal(t.length, 3);
  const mem = new Memory({ initial: 1, maximum: 1 });
  assert.throws(() => mem.grow(1), RangeError);
});

// Issue 13, item 6: after its 9th growth a memory's buffer is a resizable ArrayBuffer, and host code could call its
// resize() to change memory.size behind the guest's back. A memory's buffer now refuses resize and transfer as a
// native memory's does, and a call into a guest whose memory was resized or detached anyway traps.
test("host code cannot resize or detach a guest's memory through memory.buffer", async () => {
  const { instance } = await instantiate(
    `(module (memory (export "memory") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size)))`,
    {},
  );
  const grow = instance.exports.grow as (n: number) => Promise<number>;
  const size = instance.exports.size as (() => Promise<number>) & { callSync(): number };
  const memory = instance.exports.memory as { buffer: ArrayBuffer & { resize(n: number): void } };
  for (let i = 0; i < 10; i++) await grow(1);
  assert.equal(await size(), 11);
  const buffer = memory.buffer;
  assert.throws(() => buffer.resize(20 * 65536), TypeError);
  assert.throws(() => (buffer as unknown as { transfer(): ArrayBuffer }).transfer(), TypeError);
  assert.equal(buffer.byteLength, 11 * 65536);
  assert.equal(await size(), 11);
  // Forcing it through the prototype is caught before the guest runs again.
  const resize = (ArrayBuffer.prototype as unknown as { resize?: (this: ArrayBuffer, n: number) => void }).resize;
  if (resize && (buffer as { resizable?: boolean }).resizable) {
    resize.call(buffer, 20 * 65536);
    assert.throws(() => size.callSync(), (e) => e instanceof RuntimeError && /resized or detached/.test(e.message));
  }
});

test("instantiate: extended constant expressions evaluate as on the host's WebAssembly", async () => {
  const text = `(module
    (import "env" "base" (global $base i32))
    (global $k i64 (i64.const -3))
    (global (export "a") i32 (i32.add (global.get $base) (i32.mul (i32.const 0x10000) (i32.const 0x10001))))
    (global (export "b") i64 (i64.sub (i64.mul (global.get $k) (i64.const 0x7fffffffffffffff)) (i64.const 5)))
    (memory (export "m") 1)
    (data (i32.sub (i32.add (global.get $base) (i32.const 8)) (i32.const 3)) "xy"))`;
  const bytes = wat(text);
  const imports = { env: { base: 100 } };
  const { instance } = await instantiate(bytes, imports);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), imports).exports;
  const ours = instance.exports as Record<string, { value?: unknown; buffer?: ArrayBuffer }>;
  assert.equal(ours.a!.value, (native.a as WebAssembly.Global).value); // wraps to 100 + 0x10000 (mod 2^32)
  assert.equal(ours.b!.value, (native.b as WebAssembly.Global).value);
  assert.deepEqual(
    new Uint8Array(ours.m!.buffer!, 100, 10),
    new Uint8Array((native.m as WebAssembly.Memory).buffer, 100, 10),
  );
});
