// Copies stdin to stdout, then prints "read N bytes" to stderr.
#include <stdio.h>

int main(void) {
  char buf[1024];
  size_t total = 0, n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  fprintf(stderr, "read %zu bytes\n", total);
  return 0;
}
