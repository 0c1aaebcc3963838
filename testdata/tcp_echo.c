// Serves one connection on the listening socket Kiln pre-opens with `-S tcplisten=ADDR` (fd 3 when no --dir is
// given): accepts, reads one line, answers "echo: <line>", and exits.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  __wasi_fd_t conn;
  __wasi_errno_t err = __wasi_sock_accept(3, 0, &conn);
  if (err != 0) {
    fprintf(stderr, "sock_accept failed: errno %d\n", err);
    return 1;
  }
  char line[256];
  size_t len = 0;
  while (len < sizeof line - 1) {
    ssize_t n = read((int)conn, line + len, 1);
    if (n <= 0) break;
    if (line[len++] == '\n') break;
  }
  const char prefix[] = "echo: ";
  write((int)conn, prefix, sizeof prefix - 1);
  write((int)conn, line, len);
  close((int)conn);
  printf("served %zu bytes\n", len);
  return 0;
}
