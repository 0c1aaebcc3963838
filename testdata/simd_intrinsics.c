// Explicit WebAssembly SIMD through clang's wasm_simd128.h, built with -O2 -msimd128 (see build.sh): one section per
// instruction family, each printing a checksum of the vectors it produced. Inputs come from a seeded xorshift
// generator (argv[1] changes the seed, argv[2] the number of rounds), so clang cannot fold the work away.
// Deterministic on every conforming engine: no float operation sees a NaN input or produces a NaN (NaN payloads
// and signs are nondeterministic), except where the result is only compared (eq/ne/lt) or converted with
// saturation (trunc_sat of NaN is 0 everywhere).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

static uint32_t rng_state;
static uint32_t next_u32(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static v128_t random_v128(void) {
  return wasm_u32x4_make(next_u32(), next_u32(), next_u32(), next_u32());
}

// Floats that are small integers or halves (exact under + - * and rounding), never NaN.
static v128_t random_f32x4(void) {
  float f[4];
  for (int i = 0; i < 4; i++) f[i] = (float)((int)(next_u32() % 2001) - 1000) / 4.0f;
  return wasm_v128_load(f);
}
static v128_t random_f64x2(void) {
  double d[2];
  for (int i = 0; i < 2; i++) d[i] = (double)((int32_t)next_u32()) / 8.0;
  return wasm_v128_load(d);
}

// The checksum of a section: FNV-1a over the 16 bytes of each vector folded in.
static uint32_t section_hash;
// Not inlined: every folded vector crosses a call as a v128 parameter, so clang cannot scalarize its producer.
__attribute__((noinline)) static void fold(v128_t v) {
  uint8_t b[16];
  wasm_v128_store(b, v);
  for (int i = 0; i < 16; i++) section_hash = (section_hash ^ b[i]) * 16777619u;
}
static void fold_u32(uint32_t x) { fold(wasm_u32x4_splat(x)); }
static uint32_t total_hash = 2166136261u;
static void report(const char *name) {
  printf("%-12s %08x\n", name, section_hash);
  total_hash = (total_hash ^ section_hash) * 16777619u;
  section_hash = 2166136261u;
}

// --- A multiply-xor hash over four 32-bit lanes (murmur-like mixing, lanes combined at the end).
__attribute__((noinline)) static uint32_t simd_hash(const uint8_t *data, size_t n) {
  v128_t h = wasm_u32x4_make(0x9e3779b1u, 0x85ebca77u, 0xc2b2ae3du, 0x27d4eb2fu);
  const v128_t m1 = wasm_u32x4_splat(0xcc9e2d51u), m2 = wasm_u32x4_splat(0x1b873593u);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t k = wasm_v128_load(data + i);
    k = wasm_i32x4_mul(k, m1);
    k = wasm_v128_or(wasm_i32x4_shl(k, 15), wasm_u32x4_shr(k, 17));
    k = wasm_i32x4_mul(k, m2);
    h = wasm_v128_xor(h, k);
    h = wasm_v128_or(wasm_i32x4_shl(h, 13), wasm_u32x4_shr(h, 19));
    h = wasm_i32x4_add(wasm_i32x4_mul(h, wasm_i32x4_splat(5)), wasm_i32x4_splat(0xe6546b64));
  }
  uint32_t tail = 0;
  for (; i < n; i++) tail = tail * 31 + data[i];
  h = wasm_v128_xor(h, wasm_u32x4_splat(tail ^ (uint32_t)n));
  h = wasm_v128_xor(h, wasm_u32x4_shr(h, 16));
  h = wasm_i32x4_mul(h, wasm_i32x4_splat(0x85ebca6b));
  // Horizontal combine through shuffles.
  h = wasm_v128_xor(h, wasm_i32x4_shuffle(h, h, 2, 3, 0, 1));
  h = wasm_i32x4_add(h, wasm_i32x4_shuffle(h, h, 1, 0, 3, 2));
  return wasm_u32x4_extract_lane(h, 0);
}

// --- memchr with i8x16.eq + bitmask; unaligned start handled by a scalar head.
__attribute__((noinline)) static int simd_memchr(const uint8_t *s, uint8_t c, int n) {
  int i = 0;
  for (; i < n && ((uintptr_t)(s + i) & 15); i++)
    if (s[i] == c) return i;
  const v128_t needle = wasm_i8x16_splat((int8_t)c);
  for (; i + 16 <= n; i += 16) {
    v128_t eq = wasm_i8x16_eq(wasm_v128_load(s + i), needle);
    if (wasm_v128_any_true(eq)) return i + __builtin_ctz(wasm_i8x16_bitmask(eq));
  }
  for (; i < n; i++)
    if (s[i] == c) return i;
  return -1;
}

// --- Count bytes in [lo, hi] with unsigned compares, popcnt of the bitmask and i8x16.popcnt.
__attribute__((noinline)) static uint32_t count_range(const uint8_t *s, int n, uint8_t lo, uint8_t hi) {
  uint32_t count = 0;
  v128_t bits = wasm_i8x16_splat(0);
  for (int i = 0; i + 16 <= n; i += 16) {
    v128_t v = wasm_v128_load(s + i);
    v128_t in = wasm_v128_and(wasm_u8x16_ge(v, wasm_u8x16_splat(lo)), wasm_u8x16_le(v, wasm_u8x16_splat(hi)));
    count += __builtin_popcount(wasm_i8x16_bitmask(in));
    bits = wasm_i8x16_add(bits, wasm_i8x16_popcnt(v));
  }
  fold(bits);
  return count;
}

// --- 4x4 float matrix product (row-major), broadcasting A's elements with shuffles.
__attribute__((noinline)) static void mat4_mul(const float *a, const float *b, float *c) {
  v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4), b2 = wasm_v128_load(b + 8), b3 = wasm_v128_load(b + 12);
  for (int i = 0; i < 4; i++) {
    v128_t row = wasm_v128_load(a + 4 * i);
    v128_t r = wasm_f32x4_mul(wasm_i32x4_shuffle(row, row, 0, 0, 0, 0), b0);
    r = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_i32x4_shuffle(row, row, 1, 1, 1, 1), b1));
    r = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_i32x4_shuffle(row, row, 2, 2, 2, 2), b2));
    r = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_i32x4_shuffle(row, row, 3, 3, 3, 3), b3));
    wasm_v128_store(c + 4 * i, r);
  }
}

// --- 8x8 float matrix product with splat loads (v128.load32_splat) and f64x2 accumulation of a trace.
__attribute__((noinline)) static double mat8_mul(const float *a, const float *b, float *c) {
  for (int i = 0; i < 8; i++) {
    v128_t lo = wasm_f32x4_splat(0), hi = wasm_f32x4_splat(0);
    for (int k = 0; k < 8; k++) {
      v128_t s = wasm_v128_load32_splat(a + 8 * i + k);
      lo = wasm_f32x4_add(lo, wasm_f32x4_mul(s, wasm_v128_load(b + 8 * k)));
      hi = wasm_f32x4_add(hi, wasm_f32x4_mul(s, wasm_v128_load(b + 8 * k + 4)));
    }
    wasm_v128_store(c + 8 * i, lo);
    wasm_v128_store(c + 8 * i + 4, hi);
  }
  v128_t trace = wasm_f64x2_splat(0);
  for (int i = 0; i < 8; i += 2) {
    v128_t d = wasm_f32x4_make(c[9 * i], c[9 * (i + 1)], 0, 0);
    trace = wasm_f64x2_add(trace, wasm_f64x2_promote_low_f32x4(d));
  }
  return wasm_f64x2_extract_lane(trace, 0) + wasm_f64x2_extract_lane(trace, 1);
}

// --- Shuffles, swizzles, lane access and splats.
__attribute__((noinline)) static void shuffles(v128_t a, v128_t b, uint32_t x, uint64_t y) {
  fold(wasm_i8x16_shuffle(a, b, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31));
  fold(wasm_i8x16_shuffle(a, b, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  fold(wasm_i16x8_shuffle(a, b, 8, 0, 9, 1, 10, 2, 11, 3));
  fold(wasm_i32x4_shuffle(a, b, 3, 6, 1, 4));
  fold(wasm_i64x2_shuffle(a, b, 1, 2));
  // Swizzle indices: in range, out of range (>= 16 gives 0) and "negative" (high bit set).
  v128_t idx = wasm_i8x16_make(3, 1, 4, 1, 5, 9, 2, 6, 16, 31, -1, -128, 15, 0, 7, 8);
  fold(wasm_i8x16_swizzle(a, idx));
  fold(wasm_i8x16_swizzle(b, wasm_v128_and(a, wasm_i8x16_splat(0x1f))));
  fold(wasm_i8x16_replace_lane(a, 5, wasm_i8x16_extract_lane(b, 9)));
  fold(wasm_i16x8_replace_lane(a, 7, (int16_t)wasm_u16x8_extract_lane(b, 2)));
  fold(wasm_i32x4_replace_lane(a, 1, wasm_i32x4_extract_lane(b, 3)));
  fold(wasm_i64x2_replace_lane(a, 0, wasm_i64x2_extract_lane(b, 1)));
  fold_u32((uint32_t)wasm_i8x16_extract_lane(a, 3) ^ wasm_u8x16_extract_lane(a, 4) ^
           (uint32_t)wasm_i16x8_extract_lane(b, 5));
  fold(wasm_i8x16_splat(wasm_i8x16_extract_lane(a, 0)));
  fold(wasm_i16x8_splat(wasm_i16x8_extract_lane(a, 1)));
  fold(wasm_i64x2_splat(wasm_i64x2_extract_lane(b, 0)));
  float f = wasm_f32x4_extract_lane(a, 2);
  fold(wasm_f32x4_splat(f == f ? f : 1.0f));
  fold(wasm_f32x4_replace_lane(b, 3, (float)wasm_i16x8_extract_lane(a, 6)));
  fold(wasm_f64x2_replace_lane(b, 1, (double)wasm_i8x16_extract_lane(a, 11)));
  fold_u32((uint32_t)(wasm_i64x2_extract_lane(a, 1) >> 7) + (uint32_t)wasm_i16x8_extract_lane(b, 4));
  // Lanes from scalars that never were vectors.
  fold(wasm_i8x16_splat((int8_t)x));
  fold(wasm_i16x8_splat((int16_t)(x >> 8)));
  fold(wasm_i64x2_splat(y));
  fold(wasm_i8x16_replace_lane(b, 7, (int8_t)(x >> 3)));
  fold(wasm_i16x8_replace_lane(b, 2, (int16_t)(x >> 5)));
  fold(wasm_i64x2_replace_lane(b, 1, y ^ x));
  fold_u32(wasm_u16x8_extract_lane(a, 7) * 3u + wasm_u16x8_extract_lane(b, 1));
}

// --- Integer arithmetic: add/sub/mul/neg/abs, saturating, min/max, avgr, shifts by variable counts.
__attribute__((noinline)) static void integer_ops(v128_t a, v128_t b, int shift) {
  fold(wasm_i8x16_add(a, b));
  fold(wasm_i8x16_sub(a, b));
  fold(wasm_i8x16_neg(a));
  fold(wasm_i8x16_abs(a));
  fold(wasm_i8x16_add_sat(a, b));
  fold(wasm_u8x16_add_sat(a, b));
  fold(wasm_i8x16_sub_sat(a, b));
  fold(wasm_u8x16_sub_sat(a, b));
  fold(wasm_i8x16_min(a, b));
  fold(wasm_u8x16_min(a, b));
  fold(wasm_i8x16_max(a, b));
  fold(wasm_u8x16_max(a, b));
  fold(wasm_u8x16_avgr(a, b));
  fold(wasm_i8x16_shl(a, shift));
  fold(wasm_i8x16_shr(a, shift));
  fold(wasm_u8x16_shr(a, shift));
  fold(wasm_i16x8_add(a, b));
  fold(wasm_i16x8_sub(a, b));
  fold(wasm_i16x8_mul(a, b));
  fold(wasm_i16x8_neg(a));
  fold(wasm_i16x8_abs(b));
  fold(wasm_i16x8_add_sat(a, b));
  fold(wasm_u16x8_add_sat(a, b));
  fold(wasm_i16x8_sub_sat(a, b));
  fold(wasm_u16x8_sub_sat(a, b));
  fold(wasm_i16x8_min(a, b));
  fold(wasm_u16x8_min(a, b));
  fold(wasm_i16x8_max(a, b));
  fold(wasm_u16x8_max(a, b));
  fold(wasm_u16x8_avgr(a, b));
  fold(wasm_i16x8_shl(a, shift + 7));
  fold(wasm_i16x8_shr(a, shift + 7));
  fold(wasm_u16x8_shr(a, shift + 7));
  fold(wasm_i16x8_q15mulr_sat(a, b));
  fold(wasm_i16x8_q15mulr_sat(wasm_i16x8_splat(-32768), wasm_i16x8_splat(-32768)));
  fold(wasm_i32x4_add(a, b));
  fold(wasm_i32x4_sub(a, b));
  fold(wasm_i32x4_mul(a, b));
  fold(wasm_i32x4_neg(a));
  fold(wasm_i32x4_abs(a));
  fold(wasm_i32x4_min(a, b));
  fold(wasm_u32x4_min(a, b));
  fold(wasm_i32x4_max(a, b));
  fold(wasm_u32x4_max(a, b));
  fold(wasm_i32x4_shl(a, shift + 29));
  fold(wasm_i32x4_shr(a, shift + 29));
  fold(wasm_u32x4_shr(a, shift + 29));
  fold(wasm_i32x4_dot_i16x8(a, b));
  fold(wasm_i64x2_add(a, b));
  fold(wasm_i64x2_sub(a, b));
  fold(wasm_i64x2_mul(a, b));
  fold(wasm_i64x2_neg(a));
  fold(wasm_i64x2_abs(a));
  fold(wasm_i64x2_shl(a, shift + 61));
  fold(wasm_i64x2_shr(a, shift + 61));
  fold(wasm_u64x2_shr(a, shift + 61));
}

// --- Comparisons, bitwise ops, any/all_true and bitmasks.
__attribute__((noinline)) static void compare_ops(v128_t a, v128_t b) {
  v128_t c = wasm_v128_bitselect(a, b, wasm_i8x16_splat(0x0f));
  fold(c);
  fold(wasm_v128_and(a, b));
  fold(wasm_v128_or(a, b));
  fold(wasm_v128_xor(a, b));
  fold(wasm_v128_not(a));
  fold(wasm_v128_andnot(a, b));
  fold(wasm_i8x16_eq(a, c));
  fold(wasm_i8x16_ne(a, c));
  fold(wasm_i8x16_lt(a, b));
  fold(wasm_u8x16_lt(a, b));
  fold(wasm_i8x16_gt(a, b));
  fold(wasm_u8x16_gt(a, b));
  fold(wasm_i8x16_le(a, b));
  fold(wasm_u8x16_le(a, b));
  fold(wasm_i8x16_ge(a, b));
  fold(wasm_u8x16_ge(a, b));
  fold(wasm_i16x8_eq(a, c));
  fold(wasm_i16x8_ne(a, c));
  fold(wasm_i16x8_lt(a, b));
  fold(wasm_u16x8_lt(a, b));
  fold(wasm_i16x8_gt(a, b));
  fold(wasm_u16x8_gt(a, b));
  fold(wasm_i16x8_le(a, b));
  fold(wasm_u16x8_le(a, b));
  fold(wasm_i16x8_ge(a, b));
  fold(wasm_u16x8_ge(a, b));
  fold(wasm_i32x4_eq(a, c));
  fold(wasm_i32x4_ne(a, c));
  fold(wasm_i32x4_lt(a, b));
  fold(wasm_u32x4_lt(a, b));
  fold(wasm_i32x4_gt(a, b));
  fold(wasm_u32x4_gt(a, b));
  fold(wasm_i32x4_le(a, b));
  fold(wasm_u32x4_le(a, b));
  fold(wasm_i32x4_ge(a, b));
  fold(wasm_u32x4_ge(a, b));
  fold(wasm_i64x2_eq(a, c));
  fold(wasm_i64x2_ne(a, c));
  fold(wasm_i64x2_lt(a, b));
  fold(wasm_i64x2_gt(a, b));
  fold(wasm_i64x2_le(a, b));
  fold(wasm_i64x2_ge(a, b));
  uint32_t flags = 0;
  flags = flags * 2 + wasm_v128_any_true(wasm_v128_and(a, b));
  flags = flags * 2 + wasm_v128_any_true(wasm_v128_andnot(a, a));
  flags = flags * 2 + wasm_i8x16_all_true(a);
  flags = flags * 2 + wasm_i8x16_all_true(wasm_v128_or(a, wasm_i8x16_splat(1)));
  flags = flags * 2 + wasm_i16x8_all_true(a);
  flags = flags * 2 + wasm_i16x8_all_true(wasm_v128_or(b, wasm_i16x8_splat(0x100)));
  flags = flags * 2 + wasm_i32x4_all_true(b);
  flags = flags * 2 + wasm_i64x2_all_true(a);
  flags = flags * 65536 + wasm_i8x16_bitmask(a);
  fold_u32(flags);
  fold_u32(wasm_i16x8_bitmask(b) | wasm_i32x4_bitmask(a) << 8 | wasm_i64x2_bitmask(b) << 12);
}

// --- Narrowing, extending, extmul and pairwise adds.
__attribute__((noinline)) static void width_ops(v128_t a, v128_t b) {
  fold(wasm_i8x16_narrow_i16x8(a, b));
  fold(wasm_u8x16_narrow_i16x8(a, b));
  fold(wasm_i16x8_narrow_i32x4(a, b));
  fold(wasm_u16x8_narrow_i32x4(a, b));
  fold(wasm_i16x8_extend_low_i8x16(a));
  fold(wasm_i16x8_extend_high_i8x16(a));
  fold(wasm_u16x8_extend_low_u8x16(a));
  fold(wasm_u16x8_extend_high_u8x16(a));
  fold(wasm_i32x4_extend_low_i16x8(b));
  fold(wasm_i32x4_extend_high_i16x8(b));
  fold(wasm_u32x4_extend_low_u16x8(b));
  fold(wasm_u32x4_extend_high_u16x8(b));
  fold(wasm_i64x2_extend_low_i32x4(a));
  fold(wasm_i64x2_extend_high_i32x4(a));
  fold(wasm_u64x2_extend_low_u32x4(a));
  fold(wasm_u64x2_extend_high_u32x4(a));
  fold(wasm_i16x8_extmul_low_i8x16(a, b));
  fold(wasm_i16x8_extmul_high_i8x16(a, b));
  fold(wasm_u16x8_extmul_low_u8x16(a, b));
  fold(wasm_u16x8_extmul_high_u8x16(a, b));
  fold(wasm_i32x4_extmul_low_i16x8(a, b));
  fold(wasm_i32x4_extmul_high_i16x8(a, b));
  fold(wasm_u32x4_extmul_low_u16x8(a, b));
  fold(wasm_u32x4_extmul_high_u16x8(a, b));
  fold(wasm_i64x2_extmul_low_i32x4(a, b));
  fold(wasm_i64x2_extmul_high_i32x4(a, b));
  fold(wasm_u64x2_extmul_low_u32x4(a, b));
  fold(wasm_u64x2_extmul_high_u32x4(a, b));
  fold(wasm_i16x8_extadd_pairwise_i8x16(a));
  fold(wasm_u16x8_extadd_pairwise_u8x16(a));
  fold(wasm_i32x4_extadd_pairwise_i16x8(b));
  fold(wasm_u32x4_extadd_pairwise_u16x8(b));
}

// --- Float arithmetic, rounding and conversions (no NaN inputs, except where only a comparison or a saturating
// conversion sees them).
__attribute__((noinline)) static void float_ops(v128_t f, v128_t g, v128_t d, v128_t e, v128_t bits) {
  fold(wasm_f32x4_add(f, g));
  fold(wasm_f32x4_sub(f, g));
  fold(wasm_f32x4_mul(f, g));
  fold(wasm_f32x4_div(f, wasm_f32x4_add(wasm_f32x4_abs(g), wasm_f32x4_splat(0.75f))));
  fold(wasm_f32x4_sqrt(wasm_f32x4_abs(f)));
  fold(wasm_f32x4_neg(f));
  fold(wasm_f32x4_min(f, g));
  fold(wasm_f32x4_max(f, g));
  fold(wasm_f32x4_pmin(f, g));
  fold(wasm_f32x4_pmax(f, g));
  v128_t q = wasm_f32x4_div(f, wasm_f32x4_splat(3.0f));
  fold(wasm_f32x4_ceil(q));
  fold(wasm_f32x4_floor(q));
  fold(wasm_f32x4_trunc(q));
  fold(wasm_f32x4_nearest(q));
  fold(wasm_f32x4_nearest(wasm_f32x4_make(0.5f, 1.5f, -2.5f, -0.5f)));
  fold(wasm_f32x4_eq(f, g));
  fold(wasm_f32x4_ne(f, g));
  fold(wasm_f32x4_lt(f, g));
  fold(wasm_f32x4_le(f, g));
  fold(wasm_f32x4_gt(f, g));
  fold(wasm_f32x4_ge(f, g));
  // Arbitrary bit patterns (NaNs among them) only compared and saturating-converted.
  fold(wasm_f32x4_eq(bits, bits));
  fold(wasm_f32x4_lt(bits, f));
  fold(wasm_i32x4_trunc_sat_f32x4(bits));
  fold(wasm_u32x4_trunc_sat_f32x4(bits));
  fold(wasm_i32x4_trunc_sat_f64x2_zero(bits));
  fold(wasm_u32x4_trunc_sat_f64x2_zero(bits));
  fold(wasm_f64x2_add(d, e));
  fold(wasm_f64x2_sub(d, e));
  fold(wasm_f64x2_mul(d, e));
  fold(wasm_f64x2_div(d, wasm_f64x2_add(wasm_f64x2_abs(e), wasm_f64x2_splat(1.0))));
  fold(wasm_f64x2_sqrt(wasm_f64x2_abs(d)));
  fold(wasm_f64x2_neg(d));
  fold(wasm_f64x2_min(d, e));
  fold(wasm_f64x2_max(d, e));
  fold(wasm_f64x2_pmin(d, e));
  fold(wasm_f64x2_pmax(d, e));
  v128_t r = wasm_f64x2_div(d, wasm_f64x2_splat(7.0));
  fold(wasm_f64x2_ceil(r));
  fold(wasm_f64x2_floor(r));
  fold(wasm_f64x2_trunc(r));
  fold(wasm_f64x2_nearest(r));
  fold(wasm_f64x2_eq(d, e));
  fold(wasm_f64x2_ne(d, d));
  fold(wasm_f64x2_lt(d, e));
  fold(wasm_f64x2_le(d, e));
  fold(wasm_f64x2_gt(d, e));
  fold(wasm_f64x2_ge(d, e));
  // Min/max of zeros of both signs: -0 is below +0 for min/max; pmin/pmax return the first operand on ties.
  v128_t z = wasm_f32x4_make(0.0f, -0.0f, 0.0f, -0.0f), w = wasm_f32x4_make(-0.0f, 0.0f, 0.0f, -0.0f);
  fold(wasm_f32x4_min(z, w));
  fold(wasm_f32x4_max(z, w));
  fold(wasm_f32x4_pmin(z, w));
  fold(wasm_f32x4_pmax(z, w));
  // Conversions.
  fold(wasm_f32x4_convert_i32x4(bits));
  fold(wasm_f32x4_convert_u32x4(bits));
  fold(wasm_f64x2_convert_low_i32x4(bits));
  fold(wasm_f64x2_convert_low_u32x4(bits));
  fold(wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(f, wasm_f32x4_splat(1e7f))));
  fold(wasm_u32x4_trunc_sat_f32x4(wasm_f32x4_mul(f, wasm_f32x4_splat(1e7f))));
  fold(wasm_f32x4_demote_f64x2_zero(d));
  fold(wasm_f64x2_promote_low_f32x4(f));
  fold(wasm_f32x4_abs(f));
  fold(wasm_f64x2_abs(d));
}

// --- Loads and stores: lanes, splats, zero-extending and sign/zero-extending loads, at odd offsets.
static uint8_t buffer[256];
__attribute__((noinline)) static void memory_ops(v128_t a, int at) {
  uint8_t *p = buffer + (at & 127);
  fold(wasm_v128_load(p + 1));
  fold(wasm_v128_load8_splat(p + 3));
  fold(wasm_i8x16_add(wasm_v128_load8_splat(p + at % 64), wasm_v128_load16_splat(p + 1)));
  fold(wasm_v128_load16_splat(p + 5));
  fold(wasm_v128_load32_splat(p + 7));
  fold(wasm_v128_load64_splat(p + 9));
  fold(wasm_v128_load32_zero(p + 11));
  fold(wasm_v128_load64_zero(p + 13));
  fold(wasm_i16x8_load8x8(p + 15));
  fold(wasm_u16x8_load8x8(p + 17));
  fold(wasm_i32x4_load16x4(p + 19));
  fold(wasm_u32x4_load16x4(p + 21));
  fold(wasm_i64x2_load32x2(p + 23));
  fold(wasm_u64x2_load32x2(p + 25));
  fold(wasm_v128_load8_lane(p + 27, a, 13));
  fold(wasm_v128_load16_lane(p + 29, a, 6));
  fold(wasm_v128_load32_lane(p + 31, a, 2));
  fold(wasm_v128_load64_lane(p + 33, a, 1));
  wasm_v128_store8_lane(p + 40, a, 15);
  wasm_v128_store16_lane(p + 43, a, 3);
  wasm_v128_store32_lane(p + 47, a, 1);
  wasm_v128_store64_lane(p + 53, a, 0);
  wasm_v128_store(p + 61, wasm_v128_not(a));
  fold(wasm_v128_load(p + 40));
  fold(wasm_v128_load(p + 56));
}

int main(int argc, char **argv) {
  rng_state = argc > 1 ? (uint32_t)strtoul(argv[1], 0, 0) : 2463534242u;
  if (rng_state == 0) rng_state = 1;
  int rounds = argc > 2 ? atoi(argv[2]) : 64;
  section_hash = 2166136261u;

  static uint8_t text[4099];
  for (size_t i = 0; i < sizeof text; i++) text[i] = (uint8_t)('a' + next_u32() % 26);
  for (int r = 0; r < rounds; r++) fold_u32(simd_hash(text + r % 7, sizeof text - 7 - r % 13));
  report("hash");

  for (int r = 0; r < rounds; r++) {
    int at = (int)(next_u32() % sizeof text);
    uint8_t c = text[at];
    text[at] = '!';
    int found = simd_memchr(text + r % 5, '!', (int)sizeof text - 5);
    text[at] = c;
    fold_u32((uint32_t)found);
    fold_u32((uint32_t)simd_memchr(text + r % 3, '#', 300 + r));
  }
  report("memchr");

  for (int r = 0; r < rounds; r++) fold_u32(count_range(text + r % 16, 4000, 'f', 'm' + r % 8));
  report("count");

  float a4[16], b4[16], c4[16];
  float a8[64], b8[64], c8[64];
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < 16; i++) a4[i] = (float)((int)(next_u32() % 17) - 8), b4[i] = (float)(next_u32() % 9);
    mat4_mul(a4, b4, c4);
    for (int i = 0; i < 4; i++) fold(wasm_v128_load(c4 + 4 * i));
    for (int i = 0; i < 64; i++) a8[i] = (float)((int)(next_u32() % 33) - 16) / 2, b8[i] = (float)(next_u32() % 5);
    double trace = mat8_mul(a8, b8, c8);
    for (int i = 0; i < 16; i++) fold(wasm_v128_load(c8 + 4 * i));
    fold(wasm_f64x2_splat(trace));
  }
  report("matrix");

  for (int r = 0; r < rounds; r++) shuffles(random_v128(), random_v128(), next_u32(), (uint64_t)next_u32() << 29);
  report("shuffle");
  for (int r = 0; r < rounds; r++) integer_ops(random_v128(), random_v128(), r % 9);
  report("integer");
  for (int r = 0; r < rounds; r++) {
    v128_t a = random_v128();
    // Some equal lanes, so eq/ne and all_true see both answers.
    compare_ops(a, r & 1 ? a : random_v128());
  }
  report("compare");
  for (int r = 0; r < rounds; r++) width_ops(random_v128(), random_v128());
  report("width");
  for (int r = 0; r < rounds; r++) {
    v128_t d = random_f64x2();
    float_ops(random_f32x4(), random_f32x4(), d, r & 3 ? random_f64x2() : d, random_v128());
  }
  report("float");
  for (size_t i = 0; i < sizeof buffer; i++) buffer[i] = (uint8_t)next_u32();
  for (int r = 0; r < rounds; r++) memory_ops(random_v128(), (int)next_u32());
  report("memory");

  printf("total        %08x\n", total_hash);
  return 0;
}
