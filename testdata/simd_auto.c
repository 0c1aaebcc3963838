// Loops that clang-19 autovectorizes at -O3 -msimd128: built twice from this source, as simd_auto.wasm (SIMD) and
// simd_auto_scalar.wasm (no SIMD), see build.sh. Both print the same checksums, so the pair compares an engine's
// SIMD against its scalar code on the same work, and both against native WebAssembly.
//
// Usage: simd_auto [N] -- N (default 1) scales the work: the arrays are fixed, the number of passes is N.
// Float results are summed in a fixed order in scalar code at the end (and only exact operations -- add/mul of
// small integers, min/max, sqrt -- feed them), so the SIMD and the scalar build print the same digits.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN 4096
#define MAT 16

static float xs[LEN], ys[LEN];
static int32_t ia[LEN], ib[LEN];
static uint8_t bytes[LEN], out_bytes[LEN];
static int16_t sa[LEN], sb[LEN];
static float ma[MAT * MAT], mb[MAT * MAT], mc[MAT * MAT];
static double da[LEN], db[LEN];

static uint32_t rng_state = 12345;
static uint32_t next_u32(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static uint32_t fnv(uint32_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
  return h;
}

__attribute__((noinline)) static void saxpy(float a, const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static int32_t sum_i32(const int32_t *a, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; i++) s += a[i];
  return s;
}

__attribute__((noinline)) static int64_t sum_sq_i16(const int16_t *a, const int16_t *b, int n) {
  int64_t s = 0;
  for (int i = 0; i < n; i++) s += (int32_t)a[i] * b[i];
  return s;
}

__attribute__((noinline)) static void byte_transform(const uint8_t *in, uint8_t *out, int n) {
  for (int i = 0; i < n; i++) {
    uint8_t c = in[i];
    // ASCII upper-casing with a saturating brighten: compares, selects, adds.
    uint8_t up = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
    unsigned bright = (unsigned)up + 40;
    out[i] = bright > 255 ? 255 : (uint8_t)bright;
  }
}

__attribute__((noinline)) static void minmax_i32(const int32_t *a, int n, int32_t *lo, int32_t *hi) {
  int32_t mn = INT32_MAX, mx = INT32_MIN;
  for (int i = 0; i < n; i++) {
    mn = a[i] < mn ? a[i] : mn;
    mx = a[i] > mx ? a[i] : mx;
  }
  *lo = mn;
  *hi = mx;
}

__attribute__((noinline)) static void minmax_u8(const uint8_t *a, int n, uint8_t *lo, uint8_t *hi) {
  uint8_t mn = 255, mx = 0;
  for (int i = 0; i < n; i++) {
    mn = a[i] < mn ? a[i] : mn;
    mx = a[i] > mx ? a[i] : mx;
  }
  *lo = mn;
  *hi = mx;
}

__attribute__((noinline)) static void clamp_f32(float *x, int n, float lo, float hi) {
  for (int i = 0; i < n; i++) x[i] = __builtin_fminf(__builtin_fmaxf(x[i], lo), hi);
}

__attribute__((noinline)) static void sqrt_abs_f64(const double *a, double *b, int n) {
  for (int i = 0; i < n; i++) b[i] = __builtin_sqrt(__builtin_fabs(a[i]));
}

__attribute__((noinline)) static int32_t dot_i32(const int32_t *a, const int32_t *b, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

__attribute__((noinline)) static void matmul(const float *a, const float *b, float *c) {
  for (int i = 0; i < MAT; i++) {
    for (int j = 0; j < MAT; j++) c[i * MAT + j] = 0;
    for (int k = 0; k < MAT; k++) {
      float aik = a[i * MAT + k];
      for (int j = 0; j < MAT; j++) c[i * MAT + j] += aik * b[k * MAT + j];
    }
  }
}

__attribute__((noinline)) static void shift_mix(uint32_t *a, int n) {
  for (int i = 0; i < n; i++) {
    uint32_t v = a[i];
    v ^= v >> 7;
    v *= 0x9e3779b1u;
    a[i] = v ^ (v << 3);
  }
}

__attribute__((noinline)) static void widen_u8_to_i32(const uint8_t *in, int32_t *out, int n) {
  for (int i = 0; i < n; i++) out[i] = (int32_t)in[i] - 128;
}

__attribute__((noinline)) static void convert_i32_f32(const int32_t *in, float *out, int n) {
  for (int i = 0; i < n; i++) out[i] = (float)(in[i] & 0xffff);
}

__attribute__((noinline)) static uint32_t count_eq(const uint8_t *a, uint8_t needle, int n) {
  uint32_t c = 0;
  for (int i = 0; i < n; i++) c += a[i] == needle;
  return c;
}

__attribute__((noinline)) static void abs_neg_i16(int16_t *a, int n) {
  for (int i = 0; i < n; i++) a[i] = (int16_t)(a[i] < 0 ? -a[i] : a[i]);
}

int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 1;
  if (passes < 1) passes = 1;
  for (int i = 0; i < LEN; i++) {
    uint32_t r = next_u32();
    xs[i] = (float)(int)(r % 201) - 100.0f;
    ys[i] = (float)(int)((r >> 8) % 101) - 50.0f;
    ia[i] = (int32_t)r;
    ib[i] = (int32_t)(next_u32() % 20001) - 10000;
    bytes[i] = (uint8_t)(r >> 24);
    sa[i] = (int16_t)(r >> 3);
    sb[i] = (int16_t)(next_u32() >> 11);
    da[i] = (double)(int32_t)next_u32() / 65536.0;
  }
  for (int i = 0; i < MAT * MAT; i++) {
    ma[i] = (float)(int)(next_u32() % 9) - 4.0f;
    mb[i] = (float)(int)(next_u32() % 7) - 3.0f;
  }

  uint32_t h = 2166136261u;
  int64_t total = 0;
  for (int p = 0; p < passes; p++) {
    // saxpy with exact small integers (|y| stays below 2^24 for thousands of passes, then wraps by resetting).
    saxpy((float)((p % 3) - 1), xs, ys, LEN);
    if ((p & 255) == 255) for (int i = 0; i < LEN; i++) ys[i] = (float)(int)(i % 101) - 50.0f;
    total += sum_i32(ia, LEN);
    total += sum_sq_i16(sa, sb, LEN);
    byte_transform(bytes, out_bytes, LEN);
    h = fnv(h, out_bytes, LEN);
    int32_t lo, hi;
    minmax_i32(ia, LEN, &lo, &hi);
    total += (int64_t)lo - hi;
    uint8_t blo, bhi;
    minmax_u8(out_bytes, LEN, &blo, &bhi);
    total += blo * 256 + bhi;
    clamp_f32(ys, LEN, -1000.0f, 1000.0f);
    sqrt_abs_f64(da, db, LEN);
    total += dot_i32(ia, ib, LEN);
    matmul(ma, mb, mc);
    h = fnv(h, mc, sizeof mc);
    shift_mix((uint32_t *)ia, LEN);
    widen_u8_to_i32(out_bytes, ib, LEN);
    convert_i32_f32(ia, xs, LEN);
    for (int i = 0; i < LEN; i++) xs[i] = xs[i] / 65536.0f * 200.0f - 100.0f;
    for (int i = 0; i < LEN; i++) xs[i] = (float)(int)xs[i];
    total += count_eq(bytes, (uint8_t)p, LEN);
    abs_neg_i16(sa, LEN);
    bytes[p % LEN] ^= (uint8_t)total;
  }
  h = fnv(h, ys, sizeof ys);
  h = fnv(h, db, sizeof db);
  h = fnv(h, xs, sizeof xs);
  h = fnv(h, sa, sizeof sa);
  double fsum = 0;
  for (int i = 0; i < LEN; i++) fsum += ys[i] + db[i];
  printf("simd_auto passes=%d\n", passes);
  printf("total=%lld\n", (long long)total);
  printf("hash=%08x\n", h);
  printf("fsum=%.6f\n", fsum);
  printf("mc[0]=%.1f mc[255]=%.1f\n", (double)mc[0], (double)mc[MAT * MAT - 1]);
  return 0;
}
