/**
 * Micro-benchmark of the interpreter on three small kernels (recursive calls, a counting loop with locals, an i64
 * hash loop with memory), against the host's native WebAssembly for scale.
 *
 * Run: `deno run -A bench/micro/interp_bench.ts` and `bun bench/micro/interp_bench.ts`.
 *
 * @module
 */

import { instantiate, parseWat } from "../../mod.ts";

const SOURCE = `(module
  (memory 1)
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "loop") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 2) (local.get 2))))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get 2) (local.get 0))))
    (local.get 1))
  (func (export "hash") (param i32) (result i64) (local i64 i32)
    (local.set 1 (i64.const 0xcbf29ce484222325))
    (loop $l
      (i64.store (i32.and (i32.shl (local.get 2) (i32.const 3)) (i32.const 0xfff)) (local.get 1))
      (local.set 1 (i64.mul (i64.xor (local.get 1) (i64.extend_i32_u (local.get 2))) (i64.const 0x100000001b3)))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get 2) (local.get 0))))
    (local.get 1)))`;

const bytes = parseWat(SOURCE);
const { instance } = await instantiate(bytes);
const nativeModule = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
const native = new WebAssembly.Instance(nativeModule).exports as Record<string, (...a: unknown[]) => unknown>;
const kernels: [string, unknown[]][] = [["fib", [25]], ["loop", [3_000_000]], ["hash", [1_000_000]]];
for (const [name, args] of kernels) {
  const f = instance.exports[name] as unknown as { callSync(...a: unknown[]): unknown };
  let best = Infinity;
  let result: unknown;
  for (let round = 0; round < 6; round++) {
    const t = performance.now();
    result = f.callSync(...args);
    best = Math.min(best, performance.now() - t);
  }
  const t = performance.now();
  const expected = native[name]!(...args);
  const nativeMs = performance.now() - t;
  if (result !== expected) throw new Error(`${name}: ${result} !== ${expected}`);
  console.log(`${name}: kiln ${best.toFixed(1)} ms, native ${nativeMs.toFixed(1)} ms`);
}
