// A reference the guest takes to one of its imported host functions reaches JavaScript, on the native engine as on
// the interpreter, as that import: with its type and calling it. Found by the fuzzer's engines target (seed 3001,
// module 361: binaryen's `call-ref` import received `ref.func` of itself; the native engine handed JS a function of
// type [] -> [], whose call was a TypeError).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, instantiate, parseWat, Store, synchronous, type Table } from "../../mod.ts";

const ENGINES: readonly EngineName[] = ["interpreter", "native"];

const WAT = `(module
  (import "env" "f" (func $f (param funcref i32) (result i32)))
  (table (export "t") 1 funcref)
  (elem declare func $f)
  (func (export "go") (result i32) (call $f (ref.func $f) (i32.const 5)))
  (func (export "put") (table.set (i32.const 0) (ref.func $f))))`;

for (const engine of ENGINES) {
  for (const sync of [false, true]) {
    test(`${engine} engine: a reference to a${sync ? " synchronous" : "n"} imported host function is that import`, async () => {
      const seen: unknown[] = [];
      const pending: unknown[] = [];
      const host = (ref: unknown, n: number): number => {
        seen.push(n, typeof ref === "function" ? (ref as { length: number }).length : ref);
        // Called through its reference, the import gets the arguments given, converted by its own type.
        if (typeof ref === "function") pending.push((ref as (r: unknown, n: number) => unknown)(null, n - 1));
        return n;
      };
      const f = sync ? synchronous(host) : host;
      const store = new Store({ engine, fuel: 100_000 });
      const { instance } = await instantiate(parseWat(WAT), { env: { f } }, { store });
      const go = instance.exports.go as () => Promise<number>;
      assert.equal(await go(), 5);
      // The nested call through the reference is an exported function (a Promise of the import's result).
      assert.deepEqual(await Promise.all(pending), [4]);
      assert.deepEqual(seen, [5, 2, 4, null]);
      await (instance.exports.put as () => Promise<void>)();
      const fromTable = (instance.exports.t as Table).get(0) as { length: number };
      assert.equal(typeof fromTable, "function");
      assert.equal(fromTable.length, 2);
    });
  }
}
