// The SIMD test programs of testdata/ (built by testdata/build.sh with clang-19): simd_auto.wasm (autovectorized at
// -O3 -msimd128) and simd_auto_scalar.wasm (the same source without SIMD), simd_intrinsics.wasm (every fixed-width
// SIMD instruction through wasm_simd128.h) and simd_relaxed.wasm (every relaxed SIMD instruction, on inputs where
// all results the proposal allows agree). Each prints checksums; Kiln must print what the host's native
// WebAssembly prints. The native run uses Kiln's Wasi in sync mode, so a difference is the engine's; the expected
// stdout that build.sh recorded with node:wasi checks that WASI layer too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TESTDATA, WASI_MISSING } from "./_spawn.ts";

/** Each program with the argument lists it runs with: the defaults (compared with the recorded stdout), and more. */
const PROGRAMS: { name: string; argLists: string[][] }[] = [
  { name: "simd_auto", argLists: [[], ["3"]] },
  { name: "simd_auto_scalar", argLists: [[], ["3"]] },
  { name: "simd_intrinsics", argLists: [[], ["7", "16"]] },
  { name: "simd_relaxed", argLists: [[], ["99", "64"]] },
];

interface WasiModule {
  MemoryFs: new () => object;
  Wasi: new (options: Record<string, unknown>) => {
    ready(): Promise<void>;
    getImportObject(): WebAssembly.Imports;
    start(instance: WebAssembly.Instance): number | Promise<number>;
  };
  runWasi(bytes: Uint8Array, options: Record<string, unknown>): Promise<number>;
}

const wasiModule = (): Promise<WasiModule> => import(join(TESTDATA, "..", "wasi.ts"));

/** Exit code and stdout of `bytes` run as a WASI command on the host's native WebAssembly. */
async function runNative(bytes: Uint8Array<ArrayBuffer>, args: string[]): Promise<[number, string]> {
  const { MemoryFs, Wasi } = await wasiModule();
  let out = "";
  const decoder = new TextDecoder();
  const wasi = new Wasi({
    mode: "sync",
    args,
    fs: new MemoryFs(),
    stdin: "null",
    stdout: (data: Uint8Array) => void (out += decoder.decode(data, { stream: true })),
    stderr: "null",
  });
  await wasi.ready();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), wasi.getImportObject());
  const code = await wasi.start(instance);
  return [code, out];
}

/** Exit code and stdout of `bytes` run as a WASI command on Kiln. */
async function runKiln(bytes: Uint8Array<ArrayBuffer>, args: string[]): Promise<[number, string]> {
  const { MemoryFs, runWasi } = await wasiModule();
  let out = "";
  const decoder = new TextDecoder();
  const code = await runWasi(bytes, {
    args,
    fs: new MemoryFs(),
    stdin: "null",
    stdout: (data: Uint8Array) => void (out += decoder.decode(data, { stream: true })),
    stderr: "null",
  });
  return [code, out];
}

for (const { name, argLists } of PROGRAMS) {
  test(`${name}.wasm prints the same under Kiln as under native WebAssembly`, {
    skip: WASI_MISSING,
    timeout: 300_000,
  }, async () => {
    const bytes = new Uint8Array(readFileSync(join(TESTDATA, `${name}.wasm`)));
    const recorded = readFileSync(join(TESTDATA, `${name}.stdout`), "utf8");
    for (const args of argLists) {
      const argv = [`${name}.wasm`, ...args];
      const native = await runNative(bytes, argv);
      if (args.length === 0) assert.deepEqual(native, [0, recorded], `native ${name} prints build.sh's record`);
      assert.deepEqual(await runKiln(bytes, argv), native, `${argv.join(" ")}: Kiln prints what native prints`);
    }
  });
}

test("simd_auto.wasm and simd_auto_scalar.wasm, one source built with and without SIMD, print the same", () => {
  const read = (name: string) => readFileSync(join(TESTDATA, `${name}.stdout`), "utf8");
  assert.equal(read("simd_auto"), read("simd_auto_scalar"));
});

test("the SIMD programs contain the SIMD instructions they are built for (counted by wabt.js)", async () => {
  const { countSimdOps } = await import(join(TESTDATA, "simd_ops.mjs")) as {
    countSimdOps(bytes: Uint8Array): Map<string, number>;
  };
  const { OPCODES } = await import(join(TESTDATA, "..", "lib", "binary", "opcodes.ts"));
  const names = (feature: string) =>
    (OPCODES as { name: string; prefix: number; feature: string }[])
      .filter((op) => op.prefix === 0xfd && op.feature === feature).map((op) => op.name).sort();
  const ops = (name: string) => countSimdOps(new Uint8Array(readFileSync(join(TESTDATA, `${name}.wasm`))));

  const simd = names("simd");
  const relaxed = names("relaxed-simd");
  assert.equal(simd.length, 236);
  assert.equal(relaxed.length, 20);
  const intrinsics = ops("simd_intrinsics");
  assert.deepEqual(simd.filter((n) => !intrinsics.has(n)), [], "simd_intrinsics.wasm has every SIMD instruction");
  const relaxedOps = ops("simd_relaxed");
  assert.deepEqual(relaxed.filter((n) => !relaxedOps.has(n)), [], "simd_relaxed.wasm has every relaxed one");
  const auto = ops("simd_auto");
  const total = [...auto.values()].reduce((a, b) => a + b, 0);
  assert.ok(total > 200, `simd_auto.wasm is vectorized (${total} SIMD instructions)`);
  for (const op of ["v128.load", "i32x4.add", "f32x4.mul", "i8x16.shuffle"]) assert.ok(auto.has(op), op);
  assert.equal(ops("simd_auto_scalar").size, 0, "simd_auto_scalar.wasm has no SIMD instruction");
});
