// Traps with `unreachable` three named frames deep: trap_inner <- trap_middle <- trap_outer <- main.
// Prints "before trap" first, so tests can check that stdout was flushed before the trap report.
#include <stdio.h>

__attribute__((noinline)) void trap_inner(int depth) {
  if (depth >= 0) __builtin_trap();
}

__attribute__((noinline)) void trap_middle(int depth) {
  trap_inner(depth + 1);
  printf("unreachable after trap_inner\n");
}

__attribute__((noinline)) void trap_outer(int depth) {
  trap_middle(depth + 1);
  printf("unreachable after trap_middle\n");
}

int main(int argc, char **argv) {
  (void)argv;
  printf("before trap\n");
  fflush(stdout);
  trap_outer(argc);
  return 0;
}
