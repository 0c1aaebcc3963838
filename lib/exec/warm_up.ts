/**
 * Warm-up of the machine's type feedback: runs every internal op of `isa.ts` once, in a throwaway store, before the
 * first real activation.
 *
 * Why: V8 optimizes `Machine.run()` (one ~50 KB function) while a program runs; every `case` first reached in
 * optimized code deoptimizes it ("Insufficient type feedback"), and each re-optimization costs ~0.1 s in Maglev and
 * ~0.6 s in TurboFan on a 2-core machine. A program reaches new ops for a long time, so a cold run used to go through
 * five or more such cycles. Executing each case once in the interpreter tier first gives every site feedback.
 *
 * @module
 */

import { decodeModule } from "../binary/decoder.ts";
import { ISA } from "../compile/isa.ts";
import type { Engine } from "../engine/engine.ts";
import { newInstanceState, wasmFunc } from "../runtime/func.ts";
import { Memory } from "../runtime/memory.ts";
import { Store } from "../runtime/store.ts";
import { Machine } from "./machine.ts";
import { ModuleCode } from "./module_code.ts";

/** Whether the warm-up ran in this process. */
let warmedUp = false;

/**
 * Runs the warm-up once per process, before the first machine runs any code (the driver calls it).
 *
 * @param engine the interpreter engine, which the warm-up's instance names as its own
 */
export function warmUpOnce(engine: Engine): void {
  if (warmedUp) return;
  warmedUp = true;
  warmUp((s) => new Machine(s), engine);
}

/** `(module (memory 1) (func))`: a defined function whose code is replaced by each op in turn, and a memory. */
const WARM_MODULE = Uint8Array.from(
  // header, type section, function section, memory section, code section
  "0061736d01000000 010401600000 03020100 0503010001 0a040102000b".replace(/ /g, "").match(/../g)!,
  (hex) => parseInt(hex, 16),
);

/**
 * Ops left out: those that need instance entities the warm-up module lacks (calls, tail calls, globals, tables,
 * segments, memories other than 0,
 * `ref.func`, tags), `fuel_check` (its slow path reads the store's interrupt state) and `unreachable`.
 */
const SKIP = new Set([
  0x00,
  0x03,
  0x07,
  0x08,
  0x0b, // call_ref
  0x10,
  0x11,
  0x12,
  0x13,
  0x15, // return_call_ref
  0x23,
  0x24,
  0x25,
  0x26,
  0xd2,
  0xe8,
  0xe9,
  0xec,
  0xed,
  0xee,
  0xef,
  0xf0,
  0xf1,
  ...[330, 331, 332, 333, 334, 335, 336], // the ops on memories other than 0 (isa.ts LOAD_MEM..)
  ...[338, 339], // throw, throw_ref (tags; they leave through the loop's catch)
  ...[340, 341], // global_get_v128, global_set_v128
]);

/** Per pass: slot s holds low word `lo + step * s` and high word `hi` (increasing, equal, decreasing values). */
const PASSES: readonly (readonly [number, number, number])[] = [[3, 1, 0], [0, 0, 0], [-5, -1, -1]];

/**
 * Runs each op three times on a machine of a fresh store (`make` builds it). The code is the op followed by
 * `return` records (`return 0 0`: no results); each immediate is the position of one of them, so branch targets
 * land on a return, and slot operands (word offsets), addresses and constants stay small. Traps and errors of single
 * ops are ignored.
 */
export function warmUp(make: (store: Store) => Machine, engine: Engine): void {
  const store = new Store();
  const module = decodeModule(WARM_MODULE);
  const instance = newInstanceState(module, store, engine);
  instance.memories.push(new Memory({ initial: 1 }));
  instance.engineState = new ModuleCode(module, false);
  const f = wasmFunc(instance, 0, 0);
  instance.funcs.push(f);
  const m = make(store);
  for (const op of ISA) {
    if (SKIP.has(op.code)) continue;
    const n = op.imms >= 0 ? op.imms : 6; // br_table: idx from count 0, then one (target to arity) entry
    const first = (n + 2) & ~1;
    const code = new Int32Array(first + 4 * n + 4);
    for (let p = first; p < code.length; p += 4) code[p] = 0x0f;
    code[0] = op.code;
    for (let j = 0; j < n; j++) code[1 + j] = first + 4 * j;
    if (op.imms < 0) code.set([first, first + 4, 0, first, first + 8, 1], 1);
    f.compiled = {
      code,
      offsets: new Int32Array(code.length),
      paramCount: 0,
      resultCount: 0,
      localCount: 16,
      maxHeight: 64,
      handlers: new Int32Array(0),
    };
    // Why three passes: both outcomes of conditional ops, and i64 values with a nonzero high word.
    for (const [lo, step, hi] of PASSES) {
      try {
        m.begin(f);
        for (let s = 0; s < 64; s++) {
          m.i32[2 * s] = lo + step * s;
          m.i32[2 * s + 1] = hi;
        }
        m.run();
      } catch {
        m.reset();
      }
    }
  }
}
