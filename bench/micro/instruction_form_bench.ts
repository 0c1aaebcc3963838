/**
 * The instruction-form decision (DESIGN.md): the same two kernels run by three toy interpreters that differ only in
 * their instruction form, each a single `switch` over numeric literals on a flat `Int32Array`, like Kiln's machine.
 *
 * - plain stack: one dispatch per wasm operator, operands on a value stack;
 * - fused stack (Kiln today): stack form plus superinstructions for the commonest operator pairs (an op on two
 *   locals, an op with a constant into a local, compare + `br_if` on locals);
 * - slot-addressed ("register", wasmi-style): every operand names a frame slot or an immediate, so `local.get`
 *   disappears in general, not only where a fused pattern matches.
 *
 * Kernel A (`loop`): `s += i * i; i++` while `i < n` — every operator has a fused form.
 * Kernel B (`mix`): `s = (s ^ (i * 31)) + ((i >>> 2) & s)` — nested operands that no two-operator fusion covers.
 *
 * Run: `deno run -A bench/micro/instruction_form_bench.ts` and `bun bench/micro/instruction_form_bench.ts`.
 *
 * @module
 */

// Plain stack ops.
const S_GET = 1, S_SET = 2, S_CONST = 3, S_ADD = 4, S_MUL = 5, S_XOR = 6, S_AND = 7, S_SHRU = 8, S_LTS = 9;
const S_BRIF = 10, S_END = 11;
// Fused stack ops (in addition to the plain ones).
const F_MUL_LL = 20, F_ADD_L_INTO = 21, F_ADD_LC_INTO = 22, F_BR_LTS_LL = 23, F_MUL_LC = 24, F_SHRU_LC = 25;
// Slot-addressed ops: dst, a, b (slots) or dst, a, imm.
const R_ADD = 40, R_MUL = 41, R_XOR = 42, R_AND = 43, R_ADDI = 44, R_MULI = 45, R_SHRUI = 46, R_BR_LTS = 47, R_END = 48;

/** Locals: 0 = n, 1 = s, 2 = i; slot 3.. temporaries (register form) — the stack starts above them. */
function runStack(code: Int32Array, n: number): number {
  const v = new Int32Array(64);
  v[0] = n;
  let sp = 8, pc = 0;
  for (;;) {
    switch (code[pc++]) {
      case 1: // local.get
        v[sp++] = v[code[pc++]!]!;
        break;
      case 2: // local.set
        v[code[pc++]!] = v[--sp]!;
        break;
      case 3: // i32.const
        v[sp++] = code[pc++]!;
        break;
      case 4: // i32.add
        sp--;
        v[sp - 1] = (v[sp - 1]! + v[sp]!) | 0;
        break;
      case 5: // i32.mul
        sp--;
        v[sp - 1] = Math.imul(v[sp - 1]!, v[sp]!);
        break;
      case 6: // i32.xor
        sp--;
        v[sp - 1] = v[sp - 1]! ^ v[sp]!;
        break;
      case 7: // i32.and
        sp--;
        v[sp - 1] = v[sp - 1]! & v[sp]!;
        break;
      case 8: // i32.shr_u
        sp--;
        v[sp - 1] = v[sp - 1]! >>> v[sp]!;
        break;
      case 9: // i32.lt_s
        sp--;
        v[sp - 1] = v[sp - 1]! < v[sp]! ? 1 : 0;
        break;
      case 10: // br_if
        if (v[--sp] !== 0) pc = code[pc]!;
        else pc++;
        break;
      case 20: // mul of two locals, pushed
        v[sp++] = Math.imul(v[code[pc]!]!, v[code[pc + 1]!]!);
        pc += 2;
        break;
      case 21: // local[x] = local[y] + pop
        v[code[pc]!] = (v[code[pc + 1]!]! + v[--sp]!) | 0;
        pc += 2;
        break;
      case 22: // local[x] = local[y] + const
        v[code[pc]!] = (v[code[pc + 1]!]! + code[pc + 2]!) | 0;
        pc += 3;
        break;
      case 23: // br_if local[a] < local[b]
        pc = v[code[pc]!]! < v[code[pc + 1]!]! ? code[pc + 2]! : pc + 3;
        break;
      case 24: // push local * const
        v[sp++] = Math.imul(v[code[pc]!]!, code[pc + 1]!);
        pc += 2;
        break;
      case 25: // push local >>> const
        v[sp++] = v[code[pc]!]! >>> code[pc + 1]!;
        pc += 2;
        break;
      case 11: // end
        return v[1]!;
      default:
        throw new Error("bad op");
    }
  }
}

function runSlots(code: Int32Array, n: number): number {
  const v = new Int32Array(64);
  v[0] = n;
  let pc = 0;
  for (;;) {
    switch (code[pc]) {
      case 40:
        v[code[pc + 1]!] = (v[code[pc + 2]!]! + v[code[pc + 3]!]!) | 0;
        pc += 4;
        break;
      case 41:
        v[code[pc + 1]!] = Math.imul(v[code[pc + 2]!]!, v[code[pc + 3]!]!);
        pc += 4;
        break;
      case 42:
        v[code[pc + 1]!] = v[code[pc + 2]!]! ^ v[code[pc + 3]!]!;
        pc += 4;
        break;
      case 43:
        v[code[pc + 1]!] = v[code[pc + 2]!]! & v[code[pc + 3]!]!;
        pc += 4;
        break;
      case 44:
        v[code[pc + 1]!] = (v[code[pc + 2]!]! + code[pc + 3]!) | 0;
        pc += 4;
        break;
      case 45:
        v[code[pc + 1]!] = Math.imul(v[code[pc + 2]!]!, code[pc + 3]!);
        pc += 4;
        break;
      case 46:
        v[code[pc + 1]!] = v[code[pc + 2]!]! >>> code[pc + 3]!;
        pc += 4;
        break;
      case 47:
        pc = v[code[pc + 1]!]! < v[code[pc + 2]!]! ? code[pc + 3]! : pc + 4;
        break;
      case 48:
        return v[1]!;
      default:
        throw new Error("bad op");
    }
  }
}

const code = (...words: number[]) => Int32Array.from(words);
// Kernel A: s += i * i; i++; br_if (i < n).
const A = {
  stack: code(
    S_GET,
    1,
    S_GET,
    2,
    S_GET,
    2,
    S_MUL,
    S_ADD,
    S_SET,
    1,
    S_GET,
    2,
    S_CONST,
    1,
    S_ADD,
    S_SET,
    2,
    S_GET,
    2,
    S_GET,
    0,
    S_LTS,
    S_BRIF,
    0,
    S_END,
  ),
  fused: code(F_MUL_LL, 2, 2, F_ADD_L_INTO, 1, 1, F_ADD_LC_INTO, 2, 2, 1, F_BR_LTS_LL, 2, 0, 0, S_END),
  slots: code(R_MUL, 3, 2, 2, R_ADD, 1, 1, 3, R_ADDI, 2, 2, 1, R_BR_LTS, 2, 0, 0, R_END),
};
// Kernel B: s = (s ^ (i * 31)) + ((i >>> 2) & s); i++; br_if (i < n).
const B = {
  stack: code(
    S_GET,
    1,
    S_GET,
    2,
    S_CONST,
    31,
    S_MUL,
    S_XOR,
    S_GET,
    2,
    S_CONST,
    2,
    S_SHRU,
    S_GET,
    1,
    S_AND,
    S_ADD,
    S_SET,
    1,
    S_GET,
    2,
    S_CONST,
    1,
    S_ADD,
    S_SET,
    2,
    S_GET,
    2,
    S_GET,
    0,
    S_LTS,
    S_BRIF,
    0,
    S_END,
  ),
  // Fusions cover `i * 31` and `i >>> 2` (local op const); the rest stays plain stack traffic.
  fused: code(
    S_GET,
    1,
    F_MUL_LC,
    2,
    31,
    S_XOR,
    F_SHRU_LC,
    2,
    2,
    S_GET,
    1,
    S_AND,
    S_ADD,
    S_SET,
    1,
    F_ADD_LC_INTO,
    2,
    2,
    1,
    F_BR_LTS_LL,
    2,
    0,
    0,
    S_END,
  ),
  slots: code(
    R_MULI,
    3,
    2,
    31,
    R_XOR,
    3,
    1,
    3,
    R_SHRUI,
    4,
    2,
    2,
    R_AND,
    4,
    4,
    1,
    R_ADD,
    1,
    3,
    4,
    R_ADDI,
    2,
    2,
    1,
    R_BR_LTS,
    2,
    0,
    0,
    R_END,
  ),
};

const N = 20_000_000;
const runtime = typeof Deno !== "undefined"
  ? `Deno ${Deno.version.deno}`
  : `Bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`;
console.log(`instruction forms, ${N.toLocaleString("en")} iterations, best of 5 — ${runtime}`);
for (const [name, kernel] of [["A loop", A], ["B mix", B]] as const) {
  const results: string[] = [];
  let expected: number | undefined;
  for (const form of ["stack", "fused", "slots"] as const) {
    const run = form === "slots" ? runSlots : runStack;
    let best = Infinity;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      const r = run(kernel[form], N);
      best = Math.min(best, performance.now() - t0);
      expected ??= r;
      if (r !== expected) throw new Error(`${name} ${form}: ${r} !== ${expected}`);
    }
    results.push(`${form} ${best.toFixed(0)} ms`);
  }
  console.log(`  ${name}: ${results.join(" · ")}`);
}
