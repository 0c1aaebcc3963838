// wasi_tour [--spin] IN OUT [WORDS...]: touches every input and output a WASI command has, for the browser
// playground's end-to-end test (tests/platform/browser_test.ts). In order, each on its own line of stdout:
//   argv[I]=<argument>            every argument, argv[0] first
//   env <NAME=VALUE>              every environment variable
//   stdin=<text>                  what stdin held (up to 4 KiB)
//   wrote N bytes to OUT          after writing IN's contents upper-cased to OUT (both inside a preopen)
// and "read N bytes of stdin" on stderr. With --spin it then prints "tick N" every 2^16 iterations of a busy loop
// and never returns (for Stop and time limits). stdout is line-buffered, so each line reaches the host when printed.
// Exit 2 on a usage error, 1 (with a message on stderr) if IN or OUT cannot be opened.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

extern char **environ;
volatile unsigned counter;

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = environ; *e; e++) printf("env %s\n", *e);
  int first = 1, spin = 0;
  if (argc > 1 && strcmp(argv[1], "--spin") == 0) first = 2, spin = 1;
  if (argc < first + 2) {
    fprintf(stderr, "usage: wasi_tour [--spin] IN OUT [WORDS...]\n");
    return 2;
  }
  const char *in_path = argv[first], *out_path = argv[first + 1];

  static char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, stdin);
  printf("stdin=%.*s\n", (int)n, buf);
  fprintf(stderr, "read %zu bytes of stdin\n", n);

  FILE *in = fopen(in_path, "rb");
  if (!in) {
    fprintf(stderr, "cannot open %s: %s\n", in_path, strerror(errno));
    return 1;
  }
  n = fread(buf, 1, sizeof buf, in);
  fclose(in);
  for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
  FILE *out = fopen(out_path, "wb");
  if (!out) {
    fprintf(stderr, "cannot create %s: %s\n", out_path, strerror(errno));
    return 1;
  }
  fwrite(buf, 1, n, out);
  fclose(out);
  printf("wrote %zu bytes to %s\n", n, out_path);

  if (!spin) return 0;
  for (unsigned long i = 0;; i++) {
    if ((i & 0xffff) == 0) printf("tick %lu\n", i >> 16);
    counter++;
  }
}
