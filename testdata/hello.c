// The README's first command: a WASI command that prints one line.
#include <stdio.h>

int main(void) {
  printf("Hello, world!\n");
  return 0;
}
