// A guest profiler fixture (issue 20): a known distribution of work. `hot` does about 80% of it, `warm` about 15%,
// `cold` the rest, each in its own loop; `main` prints a checksum so the work cannot be optimized away. Built with
// -O1 -g (DWARF line tables) and noinline, so each function keeps its own frame and the profile shows source lines.
#include <stdint.h>
#include <stdio.h>

__attribute__((noinline)) static uint32_t hot(uint32_t x) {
  for (uint32_t i = 0; i < 160000; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
  }
  return x;
}

__attribute__((noinline)) static uint32_t warm(uint32_t x) {
  for (uint32_t i = 0; i < 40000; i++) x = x * 1664525u + 1013904223u + (x >> 16);
  return x;
}

__attribute__((noinline)) static uint32_t cold(uint32_t x) {
  for (uint32_t i = 0; i < 8000; i++) x = x * x + i;
  return x;
}

int main(void) {
  uint32_t x = 2463534242u;
  for (int round = 0; round < 4; round++) {
    x = hot(x);
    x = warm(x);
    x = cold(x);
  }
  printf("checksum %u\n", (unsigned)x);
  return 0;
}
