// The differential fuzzer's SIMD mode (`deno task fuzz --simd`): its modules validate on the host and hold SIMD
// code, no v128 crosses the JS boundary (wrappers pass lanes as i64 pairs, log-v128 logs them), --denan clears
// NaN lanes, and a module Kiln rejects as unsupported is counted as no execution, never as a pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../tools/_fuzz_rng.ts";
import { ownModule } from "../../tools/_fuzz_own_gen.ts";
import { type Engine, runModule, showV128, type Step } from "../../tools/_fuzz_exec.ts";
import { compareRuns } from "../../tools/_fuzz_compare.ts";
import { nativeEngine } from "../../tools/_fuzz_engines.ts";
import { binaryenFuzzModule, denan, removeScratch } from "../../tools/_fuzz_gen.ts";
import { simdFeatures, wrapV128Boundary } from "../../tools/_fuzz_v128.ts";
import { readWasmInfo } from "../../tools/_fuzz_wasm_info.ts";

// deno-lint-ignore no-explicit-any
const binaryen: any = (await import("../../node_modules/binaryen/index.js")).default;

/** The module text `wat` as a binary, through binaryen (Kiln's text parser may not read SIMD yet). */
function assemble(wat: string): Uint8Array {
  const m = binaryen.parseText(wat);
  try {
    m.setFeatures(simdFeatures(binaryen));
    assert.ok(m.validate(), "test module is valid");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** The SIMD instructions of `bytes` by mnemonic, from binaryen's text output. */
function simdOps(bytes: Uint8Array): Map<string, number> {
  const m = binaryen.readBinary(bytes);
  m.setFeatures(binaryen.Features.All);
  const text: string = m.emitText();
  m.dispose();
  const counts = new Map<string, number>();
  for (const w of text.match(/\b(?:v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.[a-z0-9_]+/g) ?? []) {
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

function hasV128AtBoundary(bytes: Uint8Array): boolean {
  const info = readWasmInfo(bytes);
  const sigs = [
    ...info.exports.filter((e) => e.kind === 0).map((e) => info.funcs[e.index]!),
    ...info.imports.filter((i) => i.kind === 0).map((i) => i.sig!),
  ];
  return sigs.some((s) => [...s.params, ...s.results].includes("v128"));
}

async function run(engine: Engine, wasm: Uint8Array, seed: number) {
  const steps: Step[] = [];
  await runModule(engine, wasm, { seed, onStep: (s) => steps.push(s), maxSteps: 30 });
  return { steps, done: true, timedOut: false };
}

test("binaryenFuzzModule({ simd }) yields valid SIMD modules with no v128 at the JS boundary", async () => {
  const ops = new Map<string, number>();
  let logged = 0;
  try {
    for (let k = 0; k < 8; k++) {
      const wasm = await binaryenFuzzModule(new Rng(k).bytes(3000 + 1000 * k), { simd: true });
      assert.ok(WebAssembly.validate(wasm as BufferSource), `module ${k} validates on the host`);
      assert.ok(!hasV128AtBoundary(wasm), `module ${k} has no v128 in an exported or imported signature`);
      for (const [name, n] of simdOps(wasm)) ops.set(name, (ops.get(name) ?? 0) + n);
      // Run only those that end quickly without fuel: binaryen's hang limits leave some exports running for long
      // (the fuzzer runs native only on steps Kiln finished within its fuel).
      if (k >= 6) continue;
      const a = await run(nativeEngine(), wasm, k);
      const b = await run(nativeEngine(), wasm, k);
      assert.equal(compareRuns(a, b).divergence, undefined, `module ${k}: native agrees with native`);
      logged += a.steps.flatMap((s) => s.logs).filter((l) => l.startsWith("v128:")).length;
    }
  } finally {
    removeScratch();
  }
  assert.ok(ops.size > 10, `binaryen's modules use many SIMD instructions (${ops.size})`);
  assert.ok(logged > 0, "log-v128 reaches the harness as lanes");
});

test("wrapV128Boundary() passes v128 as i64 lanes through exports and log-v128, keeping export order", async () => {
  const wasm = assemble(`(module
    (import "fuzzing-support" "log-v128" (func $log (param v128)))
    (global $g v128 (v128.const i32x4 1 2 3 4))
    (export "g" (global $g))
    (func $first (export "first") (result i32) (i32.const 7))
    (func $id (export "id") (param v128 i32) (result v128 i32)
      (call $log (local.get 0))
      (local.get 0)
      (i32.add (local.get 1) (i32.const 1)))
    (func $make (export "make") (param i64) (result v128) (i64x2.splat (local.get 0)))
    (func $last (export "last") (call $log (v128.const i64x2 -1 2))))`);
  const wrapped = await wrapV128Boundary(wasm);
  assert.ok(!hasV128AtBoundary(wrapped));
  const info = readWasmInfo(wrapped);
  assert.deepEqual(info.exports.map((e) => e.name), ["first", "id", "make", "last"], "v128 global dropped");
  const logs: string[] = [];
  const { instance } = await WebAssembly.instantiate(wrapped as BufferSource, {
    "fuzzing-support": { "log-v128": (lo: bigint, hi: bigint) => void logs.push(showV128(lo, hi)) },
  });
  const e = instance.exports as Record<string, (...a: unknown[]) => unknown>;
  assert.equal(e.first!(), 7);
  assert.deepEqual(e.id!(5n, -1n, 41), [5n, -1n, 42]);
  assert.deepEqual(e.make!(-3n), [-3n, -3n]);
  e.last!();
  assert.deepEqual(logs, ["v128:ffffffffffffffff0000000000000005", "v128:0000000000000002ffffffffffffffff"]);
  // A module without v128 at the boundary comes back as it was.
  const plain = assemble(`(module (func (export "f") (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4))))`);
  assert.equal(await wrapV128Boundary(plain), plain);
});

test("denan({ simd }) reads SIMD modules and clears NaN lanes", async () => {
  const wasm = assemble(`(module
    (func (export "nan") (result i64)
      (i64x2.extract_lane 0 (f32x4.div (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0)))))`);
  const lane = async (bytes: Uint8Array) =>
    ((await WebAssembly.instantiate(bytes as BufferSource)).instance.exports.nan as () => bigint)();
  const before = await lane(wasm);
  assert.ok(Number.isNaN(new Float32Array(new BigInt64Array([before]).buffer)[0]), "0/0 lanes are NaN");
  try {
    assert.equal(await lane(await denan(wasm, { simd: true })), 0n);
  } finally {
    removeScratch();
  }
});

test("ownModule({ simd }) yields valid modules computing with v128 behind scalar signatures", async () => {
  const ops = new Map<string, number>();
  for (let seed = 0; seed < 60; seed++) {
    const wasm = ownModule(new Rng(seed), { simd: true });
    assert.ok(WebAssembly.validate(wasm as BufferSource), `seed ${seed} produced an invalid module`);
    assert.ok(!hasV128AtBoundary(wasm));
    for (const [name, n] of simdOps(wasm)) ops.set(name, (ops.get(name) ?? 0) + n);
  }
  for (const op of ["i8x16.shuffle", "v128.load8_lane", "v128.store64_lane", "i16x8.q15mulr_sat_s"]) {
    assert.ok(ops.has(op), `${op} is generated`);
  }
  assert.ok(ops.size > 200, `most SIMD instructions are generated (${ops.size})`);
  try {
    for (let seed = 0; seed < 6; seed++) {
      const wasm = ownModule(new Rng(seed), { simd: true });
      const cmp = compareRuns(await run(nativeEngine(), wasm, seed), await run(nativeEngine(), wasm, seed));
      assert.equal(cmp.divergence, undefined, JSON.stringify(cmp.divergence));
      // NaN lanes differ legitimately between engines: the fuzzer tells them from bugs with --denan, which must
      // be able to read every SIMD module of the own generator (no tag, no call_ref).
      assert.ok(WebAssembly.validate(await denan(wasm, { simd: true }) as BufferSource), `seed ${seed}: --denan`);
    }
  } finally {
    removeScratch();
  }
});

test("compareRuns() counts a module Kiln rejects as unsupported SIMD as stopped, with no execution", () => {
  const native = { steps: [{ label: "instantiate", outcome: "ok", logs: [], state: [] }], done: true, timedOut: false };
  const kiln = {
    steps: [{ label: "instantiate", outcome: "unsupported:simd", logs: [], state: [] }],
    done: true,
    timedOut: false,
  };
  assert.deepEqual(compareRuns(native, kiln), { compared: 0, stopped: "unsupported:simd" });
});
