// The compile cache (lib/runtime/compile_cache.ts): what a module's entry holds, when it is trusted, and that the
// native engine's rewritten forms come from it and run as freshly rewritten ones do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type CompileCache, CompileError, instantiate, Module, parseWat, Store } from "../../mod.ts";
import { HAS_WEBASSEMBLY } from "../../lib/engine/host.ts";

/** A cache in a Map that counts reads and writes. */
function mapCache(): CompileCache & { entries: Map<string, Uint8Array>; gets: number; sets: number } {
  const entries = new Map<string, Uint8Array>();
  const cache = {
    entries,
    gets: 0,
    sets: 0,
    get(key: string) {
      cache.gets++;
      return entries.get(key);
    },
    set(key: string, value: Uint8Array) {
      cache.sets++;
      entries.set(key, value);
    },
  };
  return cache;
}

const ADD = parseWat(`(module
  (func $f (export "f") (param i32) (result i32)
    (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (i32.add (local.get $i) (i32.const 1))))`);
// The same module with one instruction of the same length changed so that it no longer validates: `i64.const 1`
// where the `i32.add` needs an i32.
const INVALID = (() => {
  const bytes = ADD.slice();
  const at = bytes.lastIndexOf(0x41); // the last i32.const
  assert.equal(bytes[at + 1], 1);
  bytes[at] = 0x42;
  return bytes;
})();

test("a module's entry: written once by the compile that validated it, found by the next", () => {
  const cache = mapCache();
  new Module(ADD, { cache });
  assert.equal(cache.entries.size, 1);
  assert.equal(cache.sets, 1);
  const [key] = cache.entries.keys();
  assert.match(key!, /^[\w.-]+$/, "keys are file-name safe");
  new Module(ADD, { cache });
  assert.equal(cache.sets, 1, "a found entry is not written again");
  assert.throws(() => new Module(INVALID, { cache }), CompileError);
  assert.equal(cache.entries.size, 1, "an invalid module leaves no entry");
});

/** A cache holding ADD's entry, that entry, and the key INVALID is looked up under (learnt from its failing compile). */
function addEntryAndInvalidKey() {
  const cache = mapCache();
  new Module(ADD, { cache });
  const [[addKey, stored]] = [...cache.entries];
  const keys: string[] = [];
  assert.throws(() => new Module(INVALID, { cache: { get: (k) => void keys.push(k), set: () => {} } }), CompileError);
  assert.equal(keys.length, 1);
  return { cache, addKey: addKey!, stored: stored!, invalidKey: keys[0]! };
}

test("an entry is trusted only for the very bytes it holds: a damaged or foreign entry is a miss", () => {
  // The valid module's entry under the invalid module's key (a collision).
  const { cache, addKey, stored, invalidKey } = addEntryAndInvalidKey();
  cache.entries.set(invalidKey, stored);
  assert.throws(() => new Module(INVALID, { cache }), CompileError, "another module's entry is not trusted");
  // Damaged entries: truncated, grown, garbage. Each is a miss: the module validates and the entry is rewritten.
  for (const damaged of [stored.subarray(0, stored.length - 3), new Uint8Array([...stored, 0]), new Uint8Array(9)]) {
    cache.entries.set(addKey, damaged);
    const sets = cache.sets;
    new Module(ADD, { cache });
    assert.equal(cache.sets, sets + 1);
    assert.deepEqual(cache.entries.get(addKey), stored);
  }
});

test("a found entry skips validation: an entry Kiln did not write is taken as it is (the cache is trusted)", () => {
  // The valid module's entry with the invalid bytes in it (same length, same place): as if Kiln had validated them.
  const { cache, stored, invalidKey } = addEntryAndInvalidKey();
  const forged = stored.slice();
  forged.set(INVALID, 12);
  cache.entries.set(invalidKey, forged);
  assert.doesNotThrow(() => new Module(INVALID, { cache }));
});

test("a cache that fails to read or write only costs speed", () => {
  const failing: CompileCache = {
    get: () => {
      throw new Error("disk gone");
    },
    set: () => {
      throw new Error("disk full");
    },
  };
  assert.equal(Module.exports(new Module(ADD, { cache: failing }))[0]!.name, "f");
  assert.throws(() => new Module(INVALID, { cache: failing }), CompileError);
});

test("native engine: each rewritten form is kept in the module's entry and found by later compiles", {
  skip: HAS_WEBASSEMBLY ? false : "the host has no WebAssembly",
}, async () => {
  const cache = mapCache();
  const run = async (module: Module, fuel: number | undefined) => {
    const store = new Store({ engine: "native", fuel });
    const { instance } = await instantiate(module, {}, { store });
    const result = await (instance.exports.f as (n: number) => Promise<number>)(5);
    return { result, fuel: fuel === undefined ? undefined : store.fuelConsumed };
  };
  const fresh = [await run(new Module(ADD), 1000), await run(new Module(ADD), undefined)];
  const first = [await run(new Module(ADD, { cache }), 1000), await run(new Module(ADD, { cache }), undefined)];
  assert.deepEqual(first, fresh);
  assert.equal(cache.entries.size, 1, "one entry for the module and its forms");
  const sets = cache.sets;
  const size = [...cache.entries.values()][0]!.length;
  assert.ok(size > 3 * ADD.length, "the entry holds the module and two rewritten forms");
  // New modules of the same bytes (as a new process would make): both forms found, nothing written.
  const again = [await run(new Module(ADD, { cache }), 1000), await run(new Module(ADD, { cache }), undefined)];
  assert.deepEqual(again, fresh);
  assert.equal(cache.sets, sets);
  // A fuel trap from a cached form is the same trap.
  const store = new Store({ engine: "native", fuel: 20 });
  const { instance } = await instantiate(new Module(ADD, { cache }), {}, { store });
  await assert.rejects((instance.exports.f as (n: number) => Promise<number>)(100), /all fuel consumed/);
  assert.equal(cache.sets, sets);
});
