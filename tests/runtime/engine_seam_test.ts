// The engine seam (lib/engine/engine.ts): a second engine plugs in behind Store, Instance and the exported-function
// API without any change to them, instances of different engines call each other, and the interpreter keeps one
// translation cache per module and metering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ExportedFunction, instantiate, Module, parseWat, Store } from "../../mod.ts";
import type { Module as DecodedModule } from "../../lib/binary/module.ts";
import type { CallMode, CompileOptions, Engine } from "../../lib/engine/engine.ts";
import { engineOf, loadEngine, setStoreEngine } from "../../lib/engine/engines.ts";
import { interpreter } from "../../lib/engine/interpreter.ts";
import { HAS_JSPI } from "../../lib/engine/host.ts";
import { native } from "../../lib/native/engine.ts";
import { ModuleCode } from "../../lib/exec/module_code.ts";
import type { FuncInst, InstanceState } from "../../lib/runtime/func.ts";
import { funcToJs } from "../../lib/runtime/values.ts";

/**
 * A second engine, as small as a test can make it: the host's own WebAssembly, for modules whose imports are all
 * functions and that have no memory, table, start function or fuel. What it knows of Kiln is the seam alone.
 */
class HostEngine implements Engine<WebAssembly.Module> {
  readonly name = "host";
  readonly calls: string[] = [];

  compileModule(module: DecodedModule, options: CompileOptions): WebAssembly.Module {
    if (options.meter) throw new Error("the host engine does not meter fuel");
    return new WebAssembly.Module(module.bytes as BufferSource);
  }

  instantiate(compiled: WebAssembly.Module, instance: InstanceState): void {
    const imports: Record<string, Record<string, unknown>> = {};
    instance.module.imports.forEach((imp, i) => {
      const f = instance.funcs[i]!;
      // A host function as it is; a wasm function of another engine through its exported form, synchronously (this
      // engine cannot suspend).
      const js = f.host ?? (funcToJs(f) as ExportedFunction).callSync;
      (imports[imp.module] ??= {})[imp.name] = js;
    });
    instance.engineState = new WebAssembly.Instance(compiled, imports as WebAssembly.Imports);
  }

  call(f: FuncInst, args: readonly unknown[], mode: CallMode): unknown {
    const native = f.instance!.engineState as WebAssembly.Instance;
    const name = f.instance!.module.exports.find((e) => e.kind === "func" && e.index === f.index)!.name;
    this.calls.push(name);
    try {
      const out = (native.exports[name] as (...a: unknown[]) => unknown)(...args);
      return mode.sync ? out : Promise.resolve(out);
    } catch (e) {
      if (mode.sync) throw e;
      return Promise.reject(e);
    }
  }
}

function hostStore(engine: Engine): Store {
  const store = new Store();
  setStoreEngine(store, engine);
  return store;
}

const DOUBLER = parseWat(`(module
  (import "env" "offset" (func $offset (result i32)))
  (func (export "double") (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const 2)) (call $offset))))`);

test("engine seam: a second engine runs instances behind the unchanged Store, Instance and exported functions", async () => {
  const host = new HostEngine();
  const store = hostStore(host);
  const { instance } = await instantiate(DOUBLER, { env: { offset: () => 1 } }, { store });
  assert.equal(engineOf(store), host);
  assert.ok(instance.state.engineState instanceof WebAssembly.Instance);
  const double = instance.exports.double as ExportedFunction;
  assert.equal(await double(20), 41);
  assert.equal(double.callSync(5), 11);
  assert.deepEqual(double.type, { params: ["i32"], results: ["i32"] });
  assert.deepEqual(host.calls, ["double", "double"]);
});

test("engine seam: the interpreter calls a function of another engine's instance, and the other way round", async () => {
  const host = new HostEngine();
  const { instance: native } = await instantiate(DOUBLER, { env: { offset: () => 1 } }, { store: hostStore(host) });
  // Interpreter -> host engine: the machine calls the import through its exported form (async: a Promise it awaits;
  // sync: `callSync`).
  const { instance: interp } = await instantiate(
    parseWat(`(module (import "n" "double" (func $d (param i32) (result i32)))
      (func (export "quad") (param i32) (result i32) (call $d (call $d (local.get 0)))))`),
    { n: { double: native.exports.double } },
    { engine: "interpreter" },
  );
  assert.equal(engineOf(interp.store), interpreter);
  const quad = interp.exports.quad as ExportedFunction;
  assert.equal(await quad(3), 15); // 2 * (2 * 3 + 1) + 1
  assert.equal(quad.callSync(3), 15);
  assert.deepEqual(host.calls, ["double", "double", "double", "double"]);
  // Host engine -> interpreter: a host-engine module imports an interpreter export.
  const { instance: back } = await instantiate(
    DOUBLER,
    { env: { offset: () => quad.callSync(0) } }, // quad(0) = 2 * (2 * 0 + 1) + 1 = 3
    { store: hostStore(new HostEngine()) },
  );
  assert.equal(await (back.exports.double as ExportedFunction)(10), 23);
});

test("engine seam: the store's call policy applies before any engine runs", async () => {
  const host = new HostEngine();
  const { instance } = await instantiate(DOUBLER, { env: { offset: () => 0 } }, { store: hostStore(host) });
  // A call limit the store has no checkpoints to enforce is refused up front, whatever the engine.
  await assert.rejects((instance.exports.double as ExportedFunction).callWith({ timeoutMs: 5 }, 1), /Cannot stop/);
  assert.deepEqual(host.calls, []);
});

test("engine seam: an engine that cannot compile a module fails instantiation before the store counts it", async () => {
  const fueled = new Store({ fuel: 100 });
  setStoreEngine(fueled, new HostEngine());
  await assert.rejects(instantiate(DOUBLER, { env: { offset: () => 0 } }, { store: fueled }), /does not meter/);
  assert.equal(fueled.instanceCount, 0);
  // All of a store's instances run on one engine.
  const store = hostStore(new HostEngine());
  await instantiate(DOUBLER, { env: { offset: () => 0 } }, { store });
  assert.throws(() => setStoreEngine(store, interpreter), /already has instances/);
});

test("engine seam: engines are named in StoreOptions; an unknown name is a TypeError", async () => {
  assert.equal(await loadEngine(new Store({ engine: "interpreter" })), interpreter);
  const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  assert.equal(await loadEngine(new Store()), HAS_JSPI && !isBun ? native : interpreter, "the default, auto");
  assert.equal(await loadEngine(new Store({ engine: "native" })), native);
  assert.equal(engineOf(new Store({ engine: "native" })), native);
  assert.throws(() => new Store({ engine: "cranelift" as "interpreter" }), TypeError);
});

test("engine seam: the interpreter keeps one translation cache per module and metering", async () => {
  const module = new Module(`(module (func (export "f") (result i32) i32.const 1))`);
  const a = await instantiate(module, {}, { engine: "interpreter" });
  const b = await instantiate(module, {}, { engine: "interpreter" });
  const metered = await instantiate(module, {}, { engine: "interpreter", fuel: 10 });
  const code = (i: { instance: { state: InstanceState } }) => i.instance.state.engineState as ModuleCode;
  assert.ok(code(a) instanceof ModuleCode);
  assert.equal(code(a), code(b));
  assert.notEqual(code(a), code(metered));
  assert.deepEqual([code(a).meter, code(metered).meter], [false, true]);
  await (a.instance.exports.f as ExportedFunction)();
  assert.ok(code(b).funcs[0] !== undefined, "a function translated for one instance is translated for all");
  assert.equal(code(metered).funcs[0], undefined);
});

test("engine seam: runtime, WASI, CLI and the entry points reach engines only through the seam", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const files = ["mod.ts", "wasi.ts", "cli.ts"];
  for (const dir of ["lib/runtime", "lib/wasi", "lib/cli"]) {
    for (const f of readdirSync(join(root, dir), { recursive: true }) as string[]) {
      if (f.endsWith(".ts")) files.push(join(dir, f));
    }
  }
  const offenders: string[] = [];
  for (const f of files) {
    for (const m of readFileSync(join(root, f), "utf8").matchAll(/^import (type )?[^;]*? from "([^"]+)"/gms)) {
      const target = m[2]!;
      // Types of the interpreter's code may be named (FuncInst's cache); nothing of its implementation.
      if (/\/(exec|compile)\//.test(target) && m[1] === undefined) offenders.push(`${f} imports ${target}`);
    }
  }
  assert.deepEqual(offenders, []);
});
