// exit_code N: prints "exiting with N" and calls WASI proc_exit(N) directly (not via exit(), so that
// N = 0 also reaches proc_exit).
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  printf("exiting with %d\n", code);
  fflush(stdout);
  __wasi_proc_exit((__wasi_exitcode_t)code);
}
