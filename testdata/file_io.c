// file_io IN OUT: prints the contents of IN, then writes them upper-cased to OUT (both paths inside a preopen).
// Exit 1 with a message on stderr if either file cannot be opened.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: file_io IN OUT\n");
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (!in) {
    fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, in);
  fclose(in);
  fwrite(buf, 1, n, stdout);
  for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
  FILE *out = fopen(argv[2], "wb");
  if (!out) {
    fprintf(stderr, "cannot create %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  fwrite(buf, 1, n, out);
  fclose(out);
  printf("wrote %zu bytes\n", n);
  return 0;
}
