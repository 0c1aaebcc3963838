/**
 * Micro-benchmark: i64 add/mul/shr_u/xor on a value stack, as BigInt through a BigInt64Array view versus two int32
 * halves through an Int32Array view (DESIGN.md asks for the measurement on Deno and Bun).
 *
 * Run: `deno run bench/micro/i64_bench.ts` and `bun bench/micro/i64_bench.ts`.
 *
 * @module
 */

const N = 5_000_000;
const buffer = new ArrayBuffer(64);
const i32 = new Int32Array(buffer);
const i64 = new BigInt64Array(buffer);

function bigint(): bigint {
  i64[0] = 0x123456789n;
  i64[1] = 0x9e3779b97f4a7c15n;
  for (let n = 0; n < N; n++) {
    i64[0] = i64[0]! * i64[1]! + 1n; // wraps on store
    i64[0] = i64[0]! ^ (BigInt.asUintN(64, i64[0]!) >> 7n);
  }
  return i64[0]!;
}

function halves(): bigint {
  i64[0] = 0x123456789n;
  i64[1] = 0x9e3779b97f4a7c15n;
  for (let n = 0; n < N; n++) {
    // mul
    const alo = i32[0]!, ahi = i32[1]!, blo = i32[2]!, bhi = i32[3]!;
    const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
    const t = a0 * b0;
    const m = a1 * b0 + a0 * b1 + (t >>> 16);
    let hi = (a1 * b1 + Math.floor(m / 65536) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
    let lo = ((m & 0xffff) << 16) | (t & 0xffff);
    // add 1
    const sum = (lo >>> 0) + 1;
    hi = (hi + (sum > 0xffffffff ? 1 : 0)) | 0;
    lo = sum | 0;
    // x ^ (x >>> 7)
    const slo = (lo >>> 7) | (hi << 25), shi = hi >>> 7;
    i32[0] = lo ^ slo;
    i32[1] = hi ^ shi;
  }
  return i64[0]!;
}

for (let round = 0; round < 3; round++) {
  let t = performance.now();
  const a = bigint();
  const tb = performance.now() - t;
  t = performance.now();
  const b = halves();
  const th = performance.now() - t;
  if (a !== b) throw new Error(`mismatch ${a} ${b}`);
  console.log(`round ${round}: BigInt ${tb.toFixed(0)} ms, halves ${th.toFixed(0)} ms`);
}
