// Prints each argument and then each environment variable, one per line:
//   argv[0]=<name>
//   argv[1]=<arg>
//   env=<NAME=VALUE>
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = environ; *e; e++) printf("env=%s\n", *e);
  return 0;
}
