// A reactor (library) module: no main, `_initialize` runs constructors, and each exported function takes and
// returns i32/i64/f32/f64. It exercises loops, i64 arithmetic, float math, linear memory and indirect calls
// through function pointers. tests/cli/compute_test.ts compares every export under Kiln with native WebAssembly.
#include <math.h>
#include <stdint.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

static int32_t table_seed = 0;

__attribute__((constructor)) static void init_seed(void) { table_seed = 17; }

EXPORT("seed") int32_t seed(void) { return table_seed; }

// Loops and i32 arithmetic.
EXPORT("fib") int32_t fib(int32_t n) {
  int32_t a = 0, b = 1;
  for (int32_t i = 0; i < n; i++) {
    int32_t t = a + b;  // wraps for large n, as wasm's i32.add does
    a = b;
    b = t;
  }
  return a;
}

EXPORT("gcd") int32_t gcd(int32_t a, int32_t b) {
  while (b != 0) {
    int32_t t = a % b;
    a = b;
    b = t;
  }
  return a < 0 ? -a : a;
}

// i64 math: multiply, divide, remainder, shifts and rotates, signed and unsigned.
EXPORT("factorial") int64_t factorial(int32_t n) {
  int64_t r = 1;
  for (int32_t i = 2; i <= n; i++) r *= i;
  return r;
}

EXPORT("mix64") int64_t mix64(int64_t a, int64_t b) {
  uint64_t x = (uint64_t)a ^ ((uint64_t)b << 13);
  x ^= x >> 7;
  x *= 0x9E3779B97F4A7C15ull;
  x = (x << 17) | (x >> 47);
  int64_t q = b != 0 && !(a == INT64_MIN && b == -1) ? a / b : 0;
  int64_t r = b != 0 && !(a == INT64_MIN && b == -1) ? a % b : 0;
  return (int64_t)(x + (uint64_t)q * 31u + (uint64_t)r);
}

EXPORT("udivmod64") uint64_t udivmod64(uint64_t a, uint64_t b) {
  if (b == 0) return 0;
  return (a / b) * 1000003u + (a % b);
}

EXPORT("collatz") int64_t collatz(int64_t n) {
  int64_t steps = 0;
  while (n > 1) {
    n = (n & 1) ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

EXPORT("popcount64") int32_t popcount64(uint64_t x) { return __builtin_popcountll(x) + __builtin_clzll(x | 1) * 100; }

// Floats.
EXPORT("poly_f32") float poly_f32(float x) { return ((3.5f * x - 2.25f) * x + 0.125f) * x - 7.0f; }

EXPORT("hypot_f32") float hypot_f32(float a, float b) { return sqrtf(a * a + b * b); }

EXPORT("sqrt_sum") double sqrt_sum(int32_t n) {
  double s = 0;
  for (int32_t i = 1; i <= n; i++) s += sqrt((double)i);
  return s;
}

EXPORT("mandel") int32_t mandel(double cx, double cy, int32_t max_iter) {
  double x = 0, y = 0;
  int32_t i = 0;
  while (i < max_iter && x * x + y * y <= 4.0) {
    double t = x * x - y * y + cx;
    y = 2 * x * y + cy;
    x = t;
    i++;
  }
  return i;
}

EXPORT("convert") double convert(int64_t a, float b) {
  return (double)a / 3.0 + (double)b + (double)(int32_t)floor((double)b) + (double)(uint32_t)(a & 0xffff);
}

EXPORT("round_f64") double round_f64(double x) { return floor(x) * 1000 + ceil(x) * 100 + trunc(x) * 10 + nearbyint(x); }

EXPORT("min_max") float min_max(float a, float b) { return fminf(a, b) * 2 + fmaxf(a, b) + copysignf(1.5f, a - b); }

// Linear memory.
static uint8_t sieve_buf[65536];

EXPORT("sieve") int32_t sieve(int32_t n) {
  if (n < 2) return 0;
  if (n > (int32_t)sizeof sieve_buf) n = sizeof sieve_buf;
  memset(sieve_buf, 1, (size_t)n);
  int32_t count = 0;
  for (int32_t i = 2; i < n; i++) {
    if (!sieve_buf[i]) continue;
    count++;
    for (int32_t j = i * 2; j < n; j += i) sieve_buf[j] = 0;
  }
  return count;
}

static uint32_t words[4096];

EXPORT("checksum") uint32_t checksum(int32_t len, uint32_t salt) {
  if (len < 0 || len > 4096) return 0;
  for (int32_t i = 0; i < len; i++) words[i] = (uint32_t)i * 2654435761u ^ salt;
  uint32_t h = 2166136261u;
  const uint8_t *bytes = (const uint8_t *)words;
  for (int32_t i = 0; i < len * 4; i++) h = (h ^ bytes[i]) * 16777619u;
  return h;
}

static double samples[1024];

EXPORT("dot_f64") double dot_f64(int32_t n, double scale) {
  if (n < 0 || n > 1024) return -1;
  for (int32_t i = 0; i < n; i++) samples[i] = sin(i * scale);
  double s = 0;
  for (int32_t i = 0; i < n; i++) s += samples[i] * samples[n - 1 - i];
  return s;
}

// Indirect calls through function pointers (call_indirect via the table).
typedef int32_t (*binop_i32)(int32_t, int32_t);
typedef double (*unop_f64)(double);

static int32_t op_add(int32_t a, int32_t b) { return a + b; }
static int32_t op_sub(int32_t a, int32_t b) { return a - b; }
static int32_t op_mul(int32_t a, int32_t b) { return a * b; }
static int32_t op_xor_rot(int32_t a, int32_t b) {
  uint32_t x = (uint32_t)a ^ (uint32_t)b;
  return (int32_t)((x << 5) | (x >> 27));
}
static volatile binop_i32 binops[] = {op_add, op_sub, op_mul, op_xor_rot};

static double f_square(double x) { return x * x; }
static double f_half(double x) { return x / 2; }
static double f_neg_exp(double x) { return exp(-x); }
static volatile unop_f64 unops[] = {f_square, f_half, f_neg_exp};

EXPORT("apply_i32") int32_t apply_i32(int32_t op, int32_t a, int32_t b) {
  return binops[(uint32_t)op % 4](a, b);
}

EXPORT("fold_f64") double fold_f64(int32_t steps, double x) {
  for (int32_t i = 0; i < steps; i++) x = unops[(uint32_t)i % 3](x) + 0.25;
  return x;
}
