/**
 * The interpreter's instruction set: the one place that numbers the machine's internal operations. The machine
 * (`lib/exec/machine.ts`) switches over these numbers as literal case labels (a test checks that its labels and
 * this table agree).
 *
 * Code is a flat `Int32Array` per function. Each record is an op number followed by a fixed number of immediates
 * (`imms` below). Where a wasm instruction maps one-to-one, its internal number is the wasm opcode byte
 * (`0xfc`-prefixed ops are `0xe0 + subopcode`), so numeric semantics read the same in both worlds.
 *
 * Slot-addressed form (in the manner of wasmi's register machine): an op names its operand and result slots as
 * immediates instead of pushing and popping. A slot immediate is a frame-relative **word** offset (2 × the slot
 * index; a slot is 8 bytes, two int32 words), so the machine addresses `i32[fp + imm]` (low word) and
 * `i32[fp + imm + 1]` (high word) with `fp` in words. A frame's slots are its locals (params first), then its
 * operand stack: the value at operand-stack height `h` has the canonical slot `localCount + h`. Results go to a
 * `d` (destination) immediate, which the translator may point at a local directly. Every op reads all of its
 * operands before it writes its result, so a destination may equal an operand.
 *
 * Immediate order per op: destination first (when there is one), then operands, then constants or targets.
 *
 * @module
 */

import { FB_OPS, FC_OPS, FD_OPS, IMPLEMENTED_FEATURES, SINGLE_BYTE_OPS } from "../binary/opcodes.ts";

/** One internal operation: its name, number and the count of int32 immediates that follow it in code. */
export interface IsaOp {
  readonly name: string;
  readonly code: number;
  /** Number of immediates, or -1 for `br_table` (variable: idx from count, then (count+1) × 3 words). */
  readonly imms: number;
}

const ROWS: readonly (readonly [string, number, number])[] = [
  ["unreachable", 0x00, 0],
  ["fuel", 0x02, 1], // cost: charge a straight-line run
  ["fuel_check", 0x03, 1], // cost: charge, then check fuel/interrupt (function entry, loop headers)
  ["br_unless", 0x04, 3], // s target charge: jump when slot s is zero, else charge the fall-through run's fuel
  ["jump", 0x05, 1], // target
  ["copy", 0x06, 2], // d s: copy one slot (both words)
  // Why 0x0b (wasm's `end`, never an op here) and not call_ref's 0x14: the machine's shared call case tells direct
  // calls by an even number and tail calls by one >= 18, so call_ref needs an odd number below 18.
  ["call_ref", 0x0b, 2], // base ref: as call_indirect, the callee being the function reference in slot ref
  ["global_get_ref", 0x07, 2], // d globalidx (reference-typed global)
  ["global_set_ref", 0x08, 2], // globalidx s (reference-typed global)
  ["br_if", 0x0d, 3], // s target charge: jump when slot s is nonzero, else charge (as br_unless)
  ["br_table", 0x0e, -1], // idx from count, then count+1 entries of (target to arity): move arity slots from→to
  ["return", 0x0f, 2], // s n: move n result slots from s to the frame's slot 0, return
  ["call", 0x10, 2], // funcidx base: arguments at base.., the callee's frame starts there
  ["call_indirect", 0x11, 4], // typeidx tableidx base idx
  ["return_call", 0x12, 2], // funcidx base: as call, the callee's frame replacing this one (a `return` follows)
  ["return_call_indirect", 0x13, 4], // typeidx tableidx base idx (as return_call)
  ["return_call_ref", 0x15, 2], // base ref (as return_call)
  ["select", 0x1b, 4], // d a b c: d = c ? a : b
  ["global.get", 0x23, 2], // d globalidx
  ["global.set", 0x24, 2], // globalidx s
  ["table.get", 0x25, 3], // d i tableidx
  ["table.set", 0x26, 3], // tableidx i v
];

/** Loads (`d a offset`) then stores (`a v offset`), numbered from 0x28. */
const MEMORY_OPS = [
  "i32.load",
  "i64.load",
  "f32.load",
  "f64.load",
  "i32.load8_s",
  "i32.load8_u",
  "i32.load16_s",
  "i32.load16_u",
  "i64.load8_s",
  "i64.load8_u",
  "i64.load16_s",
  "i64.load16_u",
  "i64.load32_s",
  "i64.load32_u",
  "i32.store",
  "i64.store",
  "f32.store",
  "f64.store",
  "i32.store8",
  "i32.store16",
  "i64.store8",
  "i64.store16",
  "i64.store32",
];

const NUMERIC_FIRST = 0x45;
const NUMERIC_LAST = 0xc4;

/**
 * i32 binary operators with a constant second operand (`d a c`): `I32_IMM_BASE + k`, k in this order. They replace
 * the stack form's `i32.const; op` pairs.
 */
export const I32_IMM_OPS: readonly string[] = [
  "add",
  "sub",
  "mul",
  "and",
  "or",
  "xor",
  "shl",
  "shr_s",
  "shr_u",
  "rotl",
  "rotr",
  "eq",
  "ne",
  "lt_s",
  "lt_u",
  "gt_s",
  "gt_u",
  "le_s",
  "le_u",
  "ge_s",
  "ge_u",
];
/** First number of the i32 constant-operand operators. */
export const I32_IMM_BASE = 256;
/** i64 binary operators with a constant second operand (`d a lo hi`): `I64_IMM_BASE + j`, j in this order. */
export const I64_IMM_OPS: readonly string[] = [
  "add",
  "sub",
  "and",
  "or",
  "xor",
  "shl",
  "shr_s",
  "shr_u",
  "rotl",
  "rotr",
];
/** First number of the i64 constant-operand operators. */
export const I64_IMM_BASE = 280;
/**
 * i32 compares fused with a conditional branch: `br_i32.<cmp> a b target charge` (`BR_CMP_BASE + j`) and
 * `br_i32.<cmp>_i a c target charge` (`BR_CMP_I_BASE + j`), j in this order; jump when the compare holds, else
 * charge the fuel of the run that falls through (so that run needs no `fuel` op). A branch on the
 * negated compare is the complementary compare (`j ^ 1`: eq/ne, lt_s/ge_s, lt_u/ge_u, gt_s/le_s, gt_u/le_u).
 */
export const BR_CMPS: readonly string[] = ["eq", "ne", "lt_s", "ge_s", "lt_u", "ge_u", "gt_s", "le_s", "gt_u", "le_u"];
/** First number of the compare-and-branch ops on two slots. */
export const BR_CMP_BASE = 300;
/** First number of the compare-and-branch ops on a slot and a constant. */
export const BR_CMP_I_BASE = 310;

/**
 * `i32.xor_rotl_i d a b k`: d = rotl(a ^ b, k) (a rotr is folded to rotl), the core step of ARX ciphers and hashes
 * (BLAKE, ChaCha): one dispatch instead of two.
 */
export const I32_XOR_ROTL_I = 320;
/** `i64.xor_rotl_i d a b k`: the i64 form of {@link I32_XOR_ROTL_I} (BlaBla, Keccak-like 64-bit ARX code). */
export const I64_XOR_ROTL_I = 321;
/** `i64.andn d a b`: d = ~a & b, an `i64.xor` with -1 feeding an `i64.and` (Keccak's chi step). */
export const I64_ANDN = 322;
/** `i64.xor3 d a b c`: d = a ^ b ^ c, an `i64.xor` of the previous `i64.xor`'s result (Keccak's theta step). */
export const I64_XOR3 = 323;
/** `i64.andn_xor d a b c`: d = (~a & b) ^ c, an `i64.xor` of an {@link I64_ANDN}'s result (Keccak's chi step). */
export const I64_ANDN_XOR = 324;

/**
 * Memory ops on a memory other than memory 0 (multi-memory). Why separate ops: the machine keeps memory 0's view in
 * locals for the hot loads and stores; these go through the cold path with the memory index as an immediate.
 * `load_mem d a offset memidx kind` and `store_mem a v offset memidx kind` (kind: the wasm load or store opcode);
 * `memory.size_mem d memidx`, `memory.grow_mem d a memidx`, `memory.fill_mem base memidx`,
 * `memory.copy_mem base dst src`, `memory.init_mem dataidx base memidx`. memory.copy between memory 0 and itself
 * stays `memory.copy`.
 */
export const LOAD_MEM = 330;
export const STORE_MEM = 331;
export const MEMORY_SIZE_MEM = 332;
export const MEMORY_GROW_MEM = 333;
export const MEMORY_FILL_MEM = 334;
export const MEMORY_COPY_MEM = 335;
export const MEMORY_INIT_MEM = 336;

/**
 * `addr64 s trap`: the check that makes an i64 address, index or length (memory64, table64) usable by the ops above:
 * traps with {@link ADDR64_TRAPS}`[trap]` when slot s's high word is not zero, else does nothing, and the op after it
 * reads the slot's low word as the u32 it handles today. Why that is exact: Kiln allocates at most 2^32 bytes for a
 * memory and fewer than 2^32 elements for a table (`runtime/memory.ts`, `table.ts`), so a value of 2^32 or more is
 * out of bounds whatever the operation; and for the same reason a 64-bit memory's offset of 2^32 or more is emitted
 * as 2^32 - 1, which traps exactly when it should. Why a separate op and not 64-bit forms of the loads and stores:
 * memory 0's hot loads and stores stay as they are (no test, no branch added), and a memory64 access costs one more
 * cold dispatch. `memory.size`, `memory.grow`, `table.size` and `table.grow` write their results' high words
 * themselves (the value's sign: 0, or -1 for a failed growth), so they need no conversion.
 */
export const ADDR64 = 337;
/** The traps of {@link ADDR64}, by its `trap` immediate. */
export const ADDR64_TRAPS = ["MemoryOutOfBounds", "TableOutOfBounds", "UndefinedElement"] as const;

/**
 * Exception handling's ops (cold: they leave the interpreter loop through a JS throw that its `catch` turns into a
 * jump to the handler, see `machine.ts`): `throw tagidx base` (the payload at slots base..), `throw_ref s`. A
 * `try_table` emits no op: its catch clauses are entries of the function's handler table (`translate.ts`).
 */
export const THROW = 338;
export const THROW_REF = 339;

/**
 * `global_get_v128 d globalidx` and `global_set_v128 globalidx s`: a v128 global's four words (its `cell`) to or
 * from two slots.
 */
export const GLOBAL_GET_V128 = 340;
export const GLOBAL_SET_V128 = 341;

/**
 * GC (`0xfb`): the instruction with sub-opcode `sub` is the op `GC_BASE + sub`, executed outside `run()`'s switch by
 * `exec/gc_ops.ts` through the cold path (so scalar code keeps its speed). References in slots are handles (see
 * `machine.ts`); a struct's fields or an array's elements are read from and written to slots by their types. Records
 * (slot immediates as everywhere; `base`: the operands in consecutive slots from there, the result written at base):
 * `struct.new base typeidx`, `struct.new_default d typeidx`, `struct.get* d a typeidx fieldidx`,
 * `struct.set a v typeidx fieldidx`, `array.new d v n typeidx`, `array.new_default d n typeidx`,
 * `array.new_fixed base typeidx count`, `array.new_data`/`_elem d s n typeidx segidx`, `array.get* d a i typeidx`,
 * `array.set a i v typeidx`, `array.len d a`, `array.fill base typeidx`, `array.copy base dsttype srctype`,
 * `array.init_data`/`_elem base typeidx segidx`, `ref.test d a heaptype` (sub 20 non-null, 21 nullable),
 * `ref.cast a heaptype` (22, 23: a check, the value stays), `any.convert_extern`/`extern.convert_any`/`ref.i31`/
 * `i31.get_s`/`i31.get_u d a`. `br_on_cast` and `br_on_cast_fail` are a `ref.test` into a temp and a conditional
 * branch on it. `ref.eq d a b` is {@link REF_EQ} (an object may have several handles: the values are compared).
 */
export const GC_BASE = 512;

/** `ref.eq d a b` (wasm's `0xd3`), executed with the GC ops: the number after the last `0xfb` sub-opcode's. */
export const REF_EQ = GC_BASE + 31;

/** Immediates of the GC ops by sub-opcode (see {@link GC_BASE}); -1 where no op exists (br_on_cast*). */
const GC_IMMS = [2, 2, 4, 4, 4, 4, 4, 3, 3, 5, 5, 4, 4, 4, 4, 2, 2, 3, 3, 3, 3, 3, 2, 2, -1, -1, 2, 2, 2, 2, 2];

/**
 * SIMD: the `0xfd` instruction with sub-opcode `sub` is the op `SIMD_BASE + sub`, executed outside `run()`'s switch
 * (`exec/simd_dispatch.ts`), so scalar code keeps its speed. A v128 takes two adjacent slots; a v128 immediate
 * names the first. Records by immediate kind ({@link simdImms}):
 * - loads (`memarg`): `d a offset memidx`; `v128.store`: `a v offset memidx`;
 * - `load*_lane`: `d a v offset memidx lane`; `store*_lane`: `a v offset memidx lane`;
 * - `v128.const`: `d w0 w1 w2 w3` (the 16 bytes as four little-endian words);
 * - `i8x16.shuffle`: `d a b l0 l1 l2 l3` (the 16 lane indices, four to a word, lane 0 in the low byte);
 * - every other: `d a b c lane`, the operands in wasm order (unused ones 0), `lane` the lane immediate or 0.
 * An address operand is an i32 slot, or for a 64-bit memory an i64 slot checked by an `addr64` op before; the
 * offset is at most 2^32 - 1 as for the scalar loads.
 */
export const SIMD_BASE = 1024;

/** The number of immediates of SIMD op `sub` (see {@link SIMD_BASE}). */
export function simdImms(sub: number): number {
  if (sub === 0x0c) return 5; // v128.const
  if (sub === 0x0d) return 7; // i8x16.shuffle
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) return 4; // loads, v128.store
  if (sub >= 0x54 && sub <= 0x57) return 6; // load*_lane
  if (sub >= 0x58 && sub <= 0x5b) return 5; // store*_lane
  return 5;
}

/** Internal number of a `0xfc`-prefixed op. */
export const FC_BASE = 0xe0;

/** Immediates of the `0xfc` ops by sub-opcode (trunc_sat: `d a`; bulk ops read their operands from `base`). */
const FC_IMMS = [
  2, // i32.trunc_sat_f32_s d a
  2,
  2,
  2,
  2,
  2,
  2,
  2,
  2, // memory.init dataidx base
  1, // data.drop dataidx
  1, // memory.copy base
  1, // memory.fill base
  3, // table.init elemidx tableidx base
  1, // elem.drop elemidx
  3, // table.copy dst src base
  2, // table.grow tableidx base (init at base, delta at base+1, result at base)
  2, // table.size d tableidx
  2, // table.fill tableidx base
  0, // (no sub-opcode 18)
  1, // i64.add128 base: operands at base..base+3, results at base, base+1
  1, // i64.sub128 base
  1, // i64.mul_wide_s base: operands at base, base+1, results there
  1, // i64.mul_wide_u base
];

/** The full instruction set, sorted by number. */
export const ISA: readonly IsaOp[] = (() => {
  const ops: IsaOp[] = ROWS.map(([name, code, imms]) => ({ name, code, imms }));
  MEMORY_OPS.forEach((name, i) => ops.push({ name, code: 0x28 + i, imms: 3 }));
  ops.push({ name: "memory.size", code: 0x3f, imms: 1 }); // d
  ops.push({ name: "memory.grow", code: 0x40, imms: 2 }); // d a
  ops.push({ name: "i32.const", code: 0x41, imms: 2 }); // d value
  ops.push({ name: "i64.const", code: 0x42, imms: 3 }); // d low high
  ops.push({ name: "f32.const", code: 0x43, imms: 2 }); // d bits
  ops.push({ name: "f64.const", code: 0x44, imms: 3 }); // d low high (of the bits)
  for (let code = NUMERIC_FIRST; code <= NUMERIC_LAST; code++) {
    const info = SINGLE_BYTE_OPS[code]!;
    // Why: wrap and the reinterprets change no bits; the translator leaves their operand in place (no op).
    if (isIdentityOp(code)) continue;
    ops.push({ name: info.name, code, imms: info.sig!.indexOf(":") + 1 }); // d a (b)
  }
  ops.push({ name: "ref.null", code: 0xd0, imms: 1 }); // d
  ops.push({ name: "ref.is_null", code: 0xd1, imms: 2 }); // d a
  ops.push({ name: "ref.func", code: 0xd2, imms: 2 }); // d funcidx
  ops.push({ name: "ref.as_non_null", code: 0xd4, imms: 1 }); // a: traps when slot a is null, leaves it there
  FC_OPS.forEach((info, sub) => {
    if (info !== undefined && IMPLEMENTED_FEATURES.has(info.feature)) {
      ops.push({ name: info.name, code: FC_BASE + sub, imms: FC_IMMS[sub]! });
    }
  });
  I32_IMM_OPS.forEach((name, k) => ops.push({ name: `i32.${name}_i`, code: I32_IMM_BASE + k, imms: 3 }));
  I64_IMM_OPS.forEach((name, j) => ops.push({ name: `i64.${name}_i`, code: I64_IMM_BASE + j, imms: 4 }));
  BR_CMPS.forEach((name, j) => {
    ops.push({ name: `br_i32.${name}`, code: BR_CMP_BASE + j, imms: 4 });
    ops.push({ name: `br_i32.${name}_i`, code: BR_CMP_I_BASE + j, imms: 4 });
  });
  ops.push({ name: "i32.xor_rotl_i", code: I32_XOR_ROTL_I, imms: 4 });
  ops.push({ name: "i64.xor_rotl_i", code: I64_XOR_ROTL_I, imms: 4 });
  ops.push({ name: "i64.andn", code: I64_ANDN, imms: 3 });
  ops.push({ name: "i64.xor3", code: I64_XOR3, imms: 4 });
  ops.push({ name: "i64.andn_xor", code: I64_ANDN_XOR, imms: 4 });
  ops.push({ name: "load_mem", code: LOAD_MEM, imms: 5 });
  ops.push({ name: "store_mem", code: STORE_MEM, imms: 5 });
  ops.push({ name: "memory.size_mem", code: MEMORY_SIZE_MEM, imms: 2 });
  ops.push({ name: "memory.grow_mem", code: MEMORY_GROW_MEM, imms: 3 });
  ops.push({ name: "memory.fill_mem", code: MEMORY_FILL_MEM, imms: 2 });
  ops.push({ name: "memory.copy_mem", code: MEMORY_COPY_MEM, imms: 3 });
  ops.push({ name: "memory.init_mem", code: MEMORY_INIT_MEM, imms: 3 });
  ops.push({ name: "addr64", code: ADDR64, imms: 2 });
  ops.push({ name: "throw", code: THROW, imms: 2 });
  ops.push({ name: "throw_ref", code: THROW_REF, imms: 1 });
  ops.push({ name: "global_get_v128", code: GLOBAL_GET_V128, imms: 2 });
  ops.push({ name: "global_set_v128", code: GLOBAL_SET_V128, imms: 2 });
  FB_OPS.forEach((info, sub) => {
    if (info !== undefined && GC_IMMS[sub]! >= 0) {
      ops.push({
        name: info.name + (sub === 21 || sub === 23 ? "_null" : ""),
        code: GC_BASE + sub,
        imms: GC_IMMS[sub]!,
      });
    }
  });
  ops.push({ name: "ref.eq", code: REF_EQ, imms: 3 });
  FD_OPS.forEach((info, sub) => {
    if (info !== undefined && IMPLEMENTED_FEATURES.has(info.feature)) {
      ops.push({ name: info.name, code: SIMD_BASE + sub, imms: simdImms(sub) });
    }
  });
  return ops.sort((a, b) => a.code - b.code);
})();

/** Whether numeric opcode `code` leaves its operand's bits unchanged (i32.wrap_i64 and the reinterprets). */
export function isIdentityOp(code: number): boolean {
  return code === 0xa7 || (code >= 0xbc && code <= 0xbf);
}

/** Op name by internal number, for disassembly and tests. */
export const ISA_NAMES: ReadonlyMap<number, string> = new Map(ISA.map((op) => [op.code, op.name]));

/** Immediate count by internal number (-1 for `br_table`). */
export const ISA_IMMS: ReadonlyMap<number, number> = new Map(ISA.map((op) => [op.code, op.imms]));

/** The length in words of the record at `pc` (op plus immediates). */
export function recordLength(code: Int32Array, pc: number): number {
  const n = ISA_IMMS.get(code[pc]!)!;
  return 1 + (n >= 0 ? n : 3 + (code[pc + 3]! + 1) * 3);
}
