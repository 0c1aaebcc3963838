/**
 * Module sources for the differential fuzzer: binaryen's translate-to-fuzz (`wasm-opt -ttf`), restricted to the
 * features Kiln implements (WebAssembly 2.0 without SIMD), and binaryen passes used by the reducer.
 *
 * binaryen.js 132 exposes no translate-to-fuzz in its JS API, so the generator spawns the `wasm-opt` CLI (about
 * 0.35–0.7 s a module, most of it loading the 10 MB emscripten build).
 *
 * @module
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Feature flags: WebAssembly 2.0 (sign-ext, sat-trunc, bulk memory, reference types, multi-value), no SIMD. */
export const WASM2_FEATURES = [
  "--mvp-features",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-nontrapping-float-to-int",
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-reference-types",
  "--enable-multivalue",
];

const WASM_OPT = fileURLToPath(new URL("../node_modules/.bin/wasm-opt", import.meta.url));

/** Runs `wasm-opt` with `args` (features added), reading `input` and returning the output binary. */
export function wasmOpt(input: Uint8Array, args: readonly string[]): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-wasm-opt-"));
  const inPath = join(dir, "in.bin");
  const outPath = join(dir, "out.wasm");
  writeFileSync(inPath, input);
  return new Promise((resolve, reject) => {
    execFile(
      "node",
      [WASM_OPT, ...WASM2_FEATURES, inPath, ...args, "-o", outPath],
      { timeout: 60_000, maxBuffer: 1 << 24 },
      (err, _stdout, stderr) => {
        try {
          if (err) reject(new Error(`wasm-opt failed: ${String(stderr).slice(0, 500) || err.message}`));
          else resolve(new Uint8Array(readFileSync(outPath)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

/** A random valid module from binaryen's translate-to-fuzz, seeded by `entropy` (its size drives module size). */
export function binaryenFuzzModule(entropy: Uint8Array): Promise<Uint8Array> {
  return wasmOpt(entropy, ["-ttf"]);
}

/** `bytes` rewritten by binaryen's `--denan` pass, which makes every float result a non-NaN. */
export function denan(bytes: Uint8Array): Promise<Uint8Array> {
  return wasmOpt(bytes, ["--denan"]);
}
