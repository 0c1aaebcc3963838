// Soak: a guest that allocates more than 2 GB of GC objects (4 KB arrays and small structs) over one call while
// keeping only a few live (a ring of 16 arrays) must not make the host's memory grow: nothing but slots, globals, tables and objects hold guest objects,
// and the machine's handle table frees the handles no slot holds, so the host's collector frees the rest. From inside
// the call (an import, every 128 MB allocated) the host's collector is run and the memory the JS engine holds
// (heap plus external buffers) is read: it must stay within 50 MB of what it was before the call. Why not the
// resident set: the engines free garbage lazily (V8 lets external buffers grow by 64 MB before it collects) and the
// C allocator keeps freed pages, so the resident set says more about them than about what the guest retains (it is
// printed). On both engines (the native one where the host runs GC: there the objects are the host's own).
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";
import { instantiate, parseWat, Store } from "../../mod.ts";
import { NATIVE_GC } from "./_native_gc.ts";

/** A full collection by the host: `Bun.gc`, or V8's `gc` (exposed for this test). */
const collect: () => void = (() => {
  const bun = (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun;
  if (bun !== undefined) return () => bun.gc(true);
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
})();

/** The memory the JS engine holds: its heap and the buffers outside it. */
function held(): number {
  const u = process.memoryUsage();
  return u.heapUsed + u.external;
}

const WAT = `(module
  (type $bytes (array (mut i8)))
  (type $ring (array (mut (ref null $bytes))))
  (type $pair (struct (field $a (ref $bytes)) (field $i i32)))
  (import "env" "sample" (func $sample))
  (global $ring (mut (ref null $ring)) (ref.null $ring))
  (func (export "run") (param $n i32) (param $size i32) (result i32)
    (local $i i32) (local $a (ref null $bytes)) (local $p (ref null $pair)) (local $sum i32)
    (global.set $ring (array.new_default $ring (i32.const 16)))
    (loop $l
      (local.set $a (array.new $bytes (local.get $i) (local.get $size)))
      (local.set $p (struct.new $pair (ref.as_non_null (local.get $a)) (local.get $i)))
      (array.set $ring (global.get $ring) (i32.and (local.get $i) (i32.const 15)) (struct.get $pair $a (local.get $p)))
      (local.set $sum (i32.add (local.get $sum) (array.get_u $bytes (local.get $a) (i32.const 0))))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 1023))) (then (call $sample)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum)))`;

const MB = 1024 * 1024;

const engines = NATIVE_GC ? ["interpreter", "native"] as const : ["interpreter"] as const;

for (const engine of engines) {
  test(`${engine}: allocating over 2 GB with a small live set keeps the host's memory within 50 MB`, async () => {
    let peak = 0, peakRss = 0, samples = 0;
    const sample = () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (++samples % 32 !== 0) return;
      collect();
      peak = Math.max(peak, held());
    };
    const { instance } = await instantiate(parseWat(WAT), { env: { sample } }, { store: new Store({ engine }) });
    const run = (instance.exports.run as { callSync(n: number, size: number): number }).callSync;
    run(20_000, 4096); // warm up (the code is translated and compiled by the JIT, the heap has its working size)
    collect();
    const before = held(), rssBefore = process.memoryUsage().rss;
    peak = before;
    peakRss = rssBefore;
    const n = 525_000, size = 4096;
    const start = performance.now();
    const sum = run(n, size);
    const seconds = (performance.now() - start) / 1000;
    let expected = 0;
    for (let i = 0; i < n; i++) expected = (expected + (i & 0xff)) | 0;
    assert.equal(sum, expected);
    assert.ok(n * size >= 2 * 1024 * MB);
    console.log(
      `soak (${engine}): ${(n * size / 1024 / MB).toFixed(2)} GB in ${seconds.toFixed(1)} s; held ${
        (before / MB).toFixed(0)
      } MB ` +
        `before, at most +${((peak - before) / MB).toFixed(1)} MB after collections (resident set ` +
        `${(rssBefore / MB).toFixed(0)} MB, at most +${((peakRss - rssBefore) / MB).toFixed(0)} MB)`,
    );
    assert.ok(samples >= 32 * 15, "collections ran during the call");
    assert.ok(peak - before < 50 * MB, `held memory ${((peak - before) / MB).toFixed(1)} MB above the start`);
  });
}
