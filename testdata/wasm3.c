// A reactor built with WebAssembly 3.0 features on (see build.sh): -mtail-call turns the `musttail` returns below
// into return_call and return_call_indirect; -mextended-const and -mmultimemory are on for the whole program
// (C has no way to name a second memory, so the module has one). tests/cli/wasm3_test.ts compares every export
// with the host's native WebAssembly.
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(#name)))

// Mutual recursion in constant stack: a million levels deep must not overflow.
static int is_odd(uint32_t n);
__attribute__((noinline)) static int is_even(uint32_t n) {
  if (n == 0) return 1;
  __attribute__((musttail)) return is_odd(n - 1);
}
__attribute__((noinline)) static int is_odd(uint32_t n) {
  if (n == 0) return 0;
  __attribute__((musttail)) return is_even(n - 1);
}
EXPORT(even) int even(uint32_t n) { return is_even(n); }

// A threaded interpreter: each handler tail-calls the next through a table of function pointers
// (return_call_indirect).
enum { OP_PUSH, OP_ADD, OP_MUL, OP_DUP, OP_SWAP, OP_DEC_JNZ, OP_HALT };
// OP_DUP and OP_SWAP are not in the program below; they keep the table (and its indirect calls) realistic.
typedef struct { int64_t stack[16]; int sp; } vm;
typedef int64_t (*handler)(vm *m, const uint8_t *pc);
static const handler handlers[7];

#define NEXT(m, pc) __attribute__((musttail)) return handlers[*(pc)]((m), (pc))

static int64_t op_push(vm *m, const uint8_t *pc) { m->stack[m->sp++] = pc[1]; NEXT(m, pc + 2); }
static int64_t op_add(vm *m, const uint8_t *pc) { m->sp--; m->stack[m->sp - 1] += m->stack[m->sp]; NEXT(m, pc + 1); }
static int64_t op_mul(vm *m, const uint8_t *pc) {
  m->sp--;
  m->stack[m->sp - 1] = m->stack[m->sp - 1] * m->stack[m->sp] % 1000000007;
  NEXT(m, pc + 1);
}
static int64_t op_dup(vm *m, const uint8_t *pc) { m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; NEXT(m, pc + 1); }
static int64_t op_swap(vm *m, const uint8_t *pc) {
  int64_t t = m->stack[m->sp - 1];
  m->stack[m->sp - 1] = m->stack[m->sp - 2];
  m->stack[m->sp - 2] = t;
  NEXT(m, pc + 1);
}
// Decrements the counter under the top and jumps back by pc[1] bytes while it is not zero.
static int64_t op_dec_jnz(vm *m, const uint8_t *pc) {
  if (--m->stack[m->sp - 2] != 0) { NEXT(m, pc - pc[1]); }
  NEXT(m, pc + 2);
}
static int64_t op_halt(vm *m, const uint8_t *pc) { (void)pc; return m->stack[m->sp - 1]; }
static const handler handlers[7] = { op_push, op_add, op_mul, op_dup, op_swap, op_dec_jnz, op_halt };

// counter = n, acc = 1; repeat: acc = acc * 3 + 1 (mod p) n times.
EXPORT(power_walk) int64_t power_walk(uint32_t n) {
  static const uint8_t program[] = {
    OP_PUSH, 1,                                           // acc
    OP_PUSH, 3, OP_MUL, OP_PUSH, 1, OP_ADD, OP_DEC_JNZ, 6, // offset 2: the loop
    OP_HALT,
  };
  vm m = { .sp = 0 };
  m.stack[m.sp++] = n ? n : 1; // the counter
  return handlers[program[0]](&m, program);
}
