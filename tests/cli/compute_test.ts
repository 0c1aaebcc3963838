// testdata/compute.wasm (a clang-built reactor: loops, i64 math, floats, memory, indirect calls) must compute the
// same results under Kiln's `instantiate` as under the host's native WebAssembly, export by export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENGINE_MISSING, ROOT, TESTDATA } from "./_spawn.ts";

/** Arguments to call each export with; every export of compute.wasm except memory/_initialize must be listed. */
const CALLS: Record<string, unknown[][]> = {
  seed: [[]],
  fib: [[0], [1], [40], [100]],
  gcd: [[48, 18], [-12, 8], [0, 5], [2147483647, 65536]],
  factorial: [[0], [20], [25]],
  mix64: [[123456789n, -987n], [-(2n ** 63n), -1n], [5n, 0n], [2n ** 62n, 3n]],
  udivmod64: [[-1n, 7n], [10n, 0n], [2n ** 63n, 1000000007n]],
  collatz: [[27n], [1n], [837799n]],
  popcount64: [[0n], [-1n], [0x123456789n]],
  poly_f32: [[1.5], [-2], [NaN], [1e10]],
  hypot_f32: [[3, 4], [1e20, 1e20], [-0, 0]],
  sqrt_sum: [[0], [1000]],
  mandel: [[-0.5, 0.5, 1000], [0.3, 0.5, 200], [2, 2, 10]],
  convert: [[1000n, 2.5], [-7n, -1.25], [2n ** 53n + 1n, 0.1]],
  round_f64: [[2.5], [-2.5], [3.7], [-0.2], [1e300]],
  min_max: [[1, 2], [-0, 0], [NaN, 1], [-Infinity, 3]],
  sieve: [[1000], [65536], [1]],
  checksum: [[100, 7], [4096, 0xdeadbeef | 0], [-1, 0]],
  dot_f64: [[100, 0.1], [1024, 0.01], [2000, 1]],
  apply_i32: [[0, 5, 7], [1, 5, 7], [2, 65536, 65536], [3, -1, 12345], [-1, 3, 4]],
  fold_f64: [[10, 1.5], [30, 0.5], [0, -0]],
};

const same = (a: unknown, b: unknown) => typeof a === typeof b && (Object.is(a, b) || a === b);

test("compute.wasm: every export gives the same results under Kiln as under native WebAssembly", {
  skip: ENGINE_MISSING,
  timeout: 120_000,
}, async () => {
  const bytes = readFileSync(join(TESTDATA, "compute.wasm"));
  const native = (await WebAssembly.instantiate(bytes, {})).instance.exports as Record<string, CallableFunction>;
  const mod = await import(join(ROOT, "mod.ts"));
  const { instance } = await mod.instantiate(new Uint8Array(bytes), {});
  const kiln = instance.exports as Record<string, (...args: unknown[]) => Promise<unknown>>;
  native._initialize();
  await kiln._initialize();

  const exported = Object.keys(native).filter((n) => n !== "memory" && n !== "_initialize").sort();
  assert.deepEqual(exported, Object.keys(CALLS).sort(), "CALLS must cover every export");
  for (const [name, argLists] of Object.entries(CALLS)) {
    for (const args of argLists) {
      const expected = native[name](...args);
      const actual = await kiln[name](...args);
      assert.ok(same(actual, expected), `${name}(${args.join(", ")}): Kiln ${actual}, native ${expected}`);
    }
  }
});
