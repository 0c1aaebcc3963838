// Traps with an integer division by zero three calls deep: divide <- average <- report <- main. Built with -g
// (DWARF 5, and DWARF 4 as trap_lines_dwarf4.wasm) so a trap report can name the source line of every frame.
__attribute__((noinline)) int divide(int total, int count) {
  return total / count;
}

__attribute__((noinline)) int average(const int *values, int count) {
  int total = 0;
  for (int i = 0; i < count; i++) total += values[i];
  return divide(total, count);
}

__attribute__((noinline)) int report(int count) {
  int values[] = {3, 5, 7};
  return average(values, count);
}

int main(int argc, char **argv) {
  (void)argv;
  return report(argc - 1);
}
