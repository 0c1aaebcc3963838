// Never returns: for `-W fuel` exhaustion and `-W timeout` interruption.
volatile unsigned counter;

__attribute__((noinline)) void spin_forever(void) {
  for (;;) counter++;
}

int main(void) {
  spin_forever();
  return 0;
}
