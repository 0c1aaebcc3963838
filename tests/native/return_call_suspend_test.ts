// A `return_call` to an import that suspends (an async host function) on the native engine. V8 runs it. On
// JavaScriptCore (Bun 1.4.5) JSPI's stack scan fails ("JSPI stack scan failed: unrecognized type of Wasm frame:
// RestoreFrameMode") whenever the tail call's callee is a wasm function of another instance that then suspends,
// which the native engine's import dispatcher is (lib/native/imports.ts); the host alone shows it too (the second
// test). Found by the fuzzer's engines target (seed 2002, module 14). The native engine now writes a tail call to an
// import as `call` + `return` on JavaScriptCore (`instrument.ts` tailCallImportsAsCalls), so it resumes there too;
// the second test pins the host's own behaviour: when JavaScriptCore fixes it, it fails and the rewrite can go.
import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate, parseWat, Store } from "../../mod.ts";

const HAS_JSPI = typeof (WebAssembly as { Suspending?: unknown }).Suspending === "function";
const IS_JSC = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const JSC_JSPI_TAIL_CALL = /JSPI stack scan failed: unrecognized type of Wasm frame: RestoreFrameMode/;

const WAT = `(module
  (import "m" "f" (func $f (param i32) (result i32)))
  (func (export "direct") (result i32) (call $f (i32.const 1)))
  (func (export "tail") (result i32) (return_call $f (i32.const 2))))`;

test("native engine: a return_call to an async import resumes with its result", {
  skip: HAS_JSPI ? undefined : "the host has no JSPI",
}, async () => {
  for (const fuel of [undefined, 1000]) {
    const store = new Store({ engine: "native", ...(fuel !== undefined ? { fuel } : {}) });
    const { instance } = await instantiate(parseWat(WAT), { m: { f: (x: number) => Promise.resolve(x * 100) } }, {
      store,
    });
    assert.equal(await (instance.exports.direct as () => Promise<number>)(), 100);
    assert.equal(await (instance.exports.tail as () => Promise<number>)(), 200);
  }
});

test("the host alone: a return_call to another instance's wasm function that suspends", {
  skip: HAS_JSPI ? undefined : "the host has no JSPI",
}, async () => {
  const W = WebAssembly as unknown as {
    Suspending: new (f: (x: number) => Promise<number>) => unknown;
    promising: (f: unknown) => () => Promise<number>;
  };
  const inner = new WebAssembly.Instance(
    new WebAssembly.Module(parseWat(`(module (import "m" "s" (func $s (param i32) (result i32)))
      (func (export "d") (param i32) (result i32) (call $s (local.get 0))))`) as BufferSource),
    { m: { s: new W.Suspending((x: number) => Promise.resolve(x * 100)) } } as WebAssembly.Imports,
  );
  const outer = new WebAssembly.Instance(
    new WebAssembly.Module(parseWat(WAT) as BufferSource),
    { m: { f: inner.exports.d } } as WebAssembly.Imports,
  );
  assert.equal(await W.promising(outer.exports.direct)(), 100);
  const tail = W.promising(outer.exports.tail)();
  if (IS_JSC) await assert.rejects(tail, JSC_JSPI_TAIL_CALL);
  else assert.equal(await tail, 200);
});
