// Counts the SIMD instructions (0xfd prefix) of WebAssembly binaries by mnemonic, through wabt.js's disassembler
// (independent of Kiln's decoder): `node simd_ops.mjs FILE.wasm…` prints, per file, the total and the distinct
// mnemonics, then each mnemonic with its count. build.sh runs it on the SIMD fixtures.
import { readFileSync } from "node:fs";

const wabt = await (await import("../node_modules/wabt/index.js")).default();
const SIMD_WORD = /\b(?:v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.[a-z0-9_]+/g;

/** Mnemonic → count for the SIMD instructions in the code of `bytes` (v128 in types and constants excluded). */
export function countSimdOps(bytes) {
  const module = wabt.readWasm(bytes, { readDebugNames: false, simd: true, relaxed_simd: true });
  const text = module.toText({ foldExprs: false, inlineExport: false });
  module.destroy();
  const counts = new Map();
  for (const line of text.split("\n")) {
    // Instructions only: skip type, import and global declarations, whose `v128` is a type.
    if (/^\s*\((type|import|func|param|result|global)\b/.test(line)) continue;
    for (const word of line.match(SIMD_WORD) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

if (process.argv[1]?.endsWith("simd_ops.mjs")) {
  for (const file of process.argv.slice(2)) {
    const counts = countSimdOps(readFileSync(file));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`${file}: ${total} SIMD instructions, ${counts.size} distinct`);
    for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
      console.log(`  ${String(n).padStart(5)} ${name}`);
    }
  }
}
