// The SIMD lane semantics (lib/exec/simd/) against the host's own WebAssembly: one tiny function per instruction
// (operands loaded from memory, the result stored back, since v128 cannot cross the JS boundary), fed random and
// edge-case operands, compared byte for byte with simdOp/simdShuffle/simdLoad/simdStore. Where the spec allows any
// NaN, a NaN lane of ours must be the positive canonical NaN and the host's must be an arithmetic NaN. Relaxed
// instructions are compared with the deterministic-profile expectation (computed natively from non-relaxed
// instructions, or by a scalar reference), and the host's own relaxed result is checked to be one it may give.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OPCODES, type OpInfo } from "../../lib/binary/opcodes.ts";
import { simdLoad, simdOp, simdShuffle, simdStore, V128Views } from "../../lib/exec/simd/exec.ts";
import { RuntimeError } from "../../lib/errors.ts";
import { TrapCode } from "../../lib/trap_codes.ts";
import { ByteWriter } from "../../lib/binary/leb128.ts";

// ---------------------------------------------------------------------------------------------------------------
// A minimal module builder: functions with no locals, a 1-page memory exported as "mem", function i exported "f<i>".

/** unsigned and signed LEB128, through the encoder Kiln's text format uses */
const leb = (n: number): number[] => [...new ByteWriter().u32(n).finish()];
const sleb = (n: number): number[] => [...new ByteWriter().s32(n).finish()];

function section(id: number, payload: number[]): number[] {
  return [id, ...leb(payload.length), ...payload];
}

/**
 * A module of functions `(param i32 × params[i])` with `bodies[i]` (without the final `end`), with its own memory or
 * importing env.mem.
 */
function moduleBytes(bodies: number[][], params: number[], importMemory = false): Uint8Array<ArrayBuffer> {
  const types = [2, 0x60, 0, 0, 0x60, 1, 0x7f, 0];
  const funcs = [...leb(bodies.length), ...params.map((p) => p)];
  const exports: number[] = [...leb(bodies.length + 1), 3, 0x6d, 0x65, 0x6d, 2, 0];
  bodies.forEach((_, i) => {
    const name = [...`f${i}`].map((ch) => ch.charCodeAt(0));
    exports.push(name.length, ...name, 0, ...leb(i));
  });
  const code: number[] = [...leb(bodies.length)];
  for (const body of bodies) {
    const fn = [0, ...body, 0x0b];
    code.push(...leb(fn.length), ...fn);
  }
  const bytes = [
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, types),
    ...(importMemory ? section(2, [1, 3, 0x65, 0x6e, 0x76, 3, 0x6d, 0x65, 0x6d, 2, 0, 1]) : []),
    ...section(3, funcs),
    ...(importMemory ? [] : section(5, [1, 0, 1])),
    ...section(7, exports),
    ...section(10, code),
  ];
  return new Uint8Array(bytes);
}

const I32_CONST = 0x41;
const simd = (sub: number): number[] => [0xfd, ...leb(sub)];
const memarg = (align = 0, offset = 0): number[] => [align, ...leb(offset)];
/** Loads of each operand letter from memory, and stores of each result letter. */
const LOAD: Record<string, number[]> = {
  V: [...simd(0x00), ...memarg()],
  i: [0x28, ...memarg()],
  I: [0x29, ...memarg()],
  f: [0x2a, ...memarg()],
  F: [0x2b, ...memarg()],
};
const STORE: Record<string, number[]> = {
  V: [...simd(0x0b), ...memarg()],
  i: [0x36, ...memarg()],
  I: [0x37, ...memarg()],
  f: [0x38, ...memarg()],
  F: [0x39, ...memarg()],
};
const RESULT_SIZE: Record<string, number> = { V: 16, i: 4, I: 8, f: 4, F: 8 };
/** Operand k lives at byte 16k of the native memory and at word 4k of our buffer: the same layout. */
const RESULT_AT = 64;

/** `i32.const 64; <load operand k from 16k>…; <op>; <store>`: the op's result at byte 64. */
function opBody(op: number[], ins: string, out: string): number[] {
  const body = [I32_CONST, ...sleb(RESULT_AT)];
  [...ins].forEach((t, k) => body.push(I32_CONST, ...sleb(16 * k), ...LOAD[t]!));
  return [...body, ...op, ...STORE[out]!];
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs: a seeded PRNG, and pools of edge values per lane kind.

let seed = 0x2545f491;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length]!;

const F32_POOL = [
  0,
  0x80000000,
  0x7f800000,
  0xff800000,
  0x7fc00000,
  0xffc00000,
  0x7fc01234,
  0x7f800001,
  0xff812345,
  0x7fffffff,
  1,
  0x807fffff,
  0x00800000,
  0x3f800000,
  0xbf800000,
  0x3f000000,
  0xbf000000,
  0x3fc00000,
  0x40200000,
  0xc0200000,
  0xbfc00000,
  0x4f000000,
  0xcf000000,
  0x4f800000,
  0x4effffff,
  0x4f7fffff,
  0x7f7fffff,
  0xff7fffff,
  0xcf000001,
  0x4b000001,
  0x3effffff,
  0x4b7fffff,
  0xcb000001,
  0x3f7fffff,
  0xbf7fffff,
  0x447a0000,
  0x40490fdb,
];
const F64_POOL: bigint[] = [
  0n,
  0x8000000000000000n,
  0x7ff0000000000000n,
  0xfff0000000000000n,
  0x7ff8000000000000n,
  0xfff8000000000000n,
  0x7ff8000000000001n,
  0x7ff0000000000001n,
  0xfff4000000dead00n,
  1n,
  0x800fffffffffffffn,
  0x0010000000000000n,
  0x3ff0000000000000n,
  0xbff0000000000000n,
  0x3fe0000000000000n,
  0xbfe0000000000000n,
  0x3ff8000000000000n,
  0x4004000000000000n,
  0xc004000000000000n,
  0x41dfffffffe00000n,
  0x41dfffffffc00000n,
  0xc1e0000000000000n,
  0xc1e0000000100000n,
  0x41efffffffe00000n,
  0x41effffffff00000n,
  0x41f0000000000000n,
  0x7fefffffffffffffn,
  0xffefffffffffffffn,
  0x3ff0000010000000n,
  0x3ff0000010000001n,
  0x3ff0000030000000n,
  0x47efffffe0000000n,
  0x47efffffefffffffn,
  0x47effffff0000000n,
  0x36a0000000000000n,
  0x3690000000000000n,
  0x3fdfffffffffffffn,
  0x4330000000000001n,
  0x4330000000000000n,
  0xc330000000000001n,
  0x3810000000000000n,
  0x380fffffffffffffn,
];
const I8_POOL = [0, 1, 2, 15, 16, 31, 32, 0x7f, 0x80, 0x81, 0xfe, 0xff];
const I16_POOL = [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff, 0xfffe, 0x00ff, 0x0100, 0xff80, 0x4000, 0xc000];
const I32_POOL = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x10000, 0x8000, -0x8000, 0x7fff, 2, -2];

/** Fills the 16 bytes at `u8[at…]` with a random mix of one lane kind's edge values and random bits. */
function fillV128(view: DataView, at: number): void {
  const mode = rand() % 9;
  for (let i = 0; i < 16; i += 4) view.setUint32(at + i, rand(), true);
  const edge = () => rand() % 4 !== 0;
  switch (mode) {
    case 0:
      return;
    case 1:
      for (let i = 0; i < 16; i += 4) if (edge()) view.setUint32(at + i, pick(F32_POOL), true);
      return;
    case 2:
      for (let i = 0; i < 16; i += 8) if (edge()) view.setBigUint64(at + i, pick(F64_POOL), true);
      return;
    case 3:
      for (let i = 0; i < 16; i++) if (edge()) view.setUint8(at + i, pick(I8_POOL));
      return;
    case 4:
      for (let i = 0; i < 16; i += 2) if (edge()) view.setUint16(at + i, pick(I16_POOL), true);
      return;
    case 5:
      for (let i = 0; i < 16; i += 4) if (edge()) view.setInt32(at + i, pick(I32_POOL), true);
      return;
    case 6: { // whole vectors of one repeated edge value, so that pairs of operands meet equal lanes
      const x = pick(I32_POOL);
      for (let i = 0; i < 16; i += 4) view.setInt32(at + i, x, true);
      return;
    }
    case 7: {
      const x = pick(I8_POOL);
      for (let i = 0; i < 16; i++) view.setUint8(at + i, x);
      return;
    }
    default: {
      const x = pick(I16_POOL);
      for (let i = 0; i < 16; i += 2) view.setUint16(at + i, x, true);
    }
  }
}

function fillScalar(view: DataView, at: number, t: string): void {
  switch (t) {
    case "V":
      return fillV128(view, at);
    case "i":
      return view.setInt32(at, rand() % 3 === 0 ? rand() | 0 : rand() % 3 === 0 ? pick(I32_POOL) : rand() % 140, true);
    case "I":
      view.setInt32(at, pick(I32_POOL), true);
      return view.setInt32(at + 4, rand() % 2 === 0 ? rand() | 0 : pick(I32_POOL), true);
    case "f":
      return view.setUint32(at, rand() % 3 === 0 ? rand() : pick(F32_POOL), true);
    case "F":
      return view.setBigUint64(at, rand() % 3 === 0 ? BigInt(rand()) << 32n | BigInt(rand()) : pick(F64_POOL), true);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison of results.

/** How the result's lanes may differ: exact bytes, or lanes of a float op whose NaNs are nondeterministic. */
type Kind = "exact" | "f32" | "f64";

const NAN_OPS = new Set([
  "add",
  "sub",
  "mul",
  "div",
  "sqrt",
  "min",
  "max",
  "ceil",
  "floor",
  "trunc",
  "nearest",
  "relaxed_madd",
  "relaxed_nmadd",
  "relaxed_min",
  "relaxed_max",
  "demote_f64x2_zero",
  "promote_low_f32x4",
]);

function kindOf(name: string): Kind {
  const [shape, op] = name.split(".") as [string, string];
  if (!NAN_OPS.has(op)) return "exact";
  return shape === "f32x4" ? "f32" : shape === "f64x2" ? "f64" : "exact";
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** A message describing a mismatch, or "" if `ours` is allowed given the host's `native`. */
function mismatch(kind: Kind, ours: Uint8Array, native: Uint8Array): string {
  if (kind === "exact") {
    for (let i = 0; i < ours.length; i++) if (ours[i] !== native[i]) return `bytes differ`;
    return "";
  }
  const dv = new DataView(ours.buffer, ours.byteOffset), nv = new DataView(native.buffer, native.byteOffset);
  const w = kind === "f32" ? 4 : 8;
  for (let i = 0; i < ours.length; i += w) {
    if (kind === "f32") {
      const o = dv.getUint32(i, true), n = nv.getUint32(i, true);
      const oNaN = (o & 0x7fffffff) > 0x7f800000, nNaN = (n & 0x7fffffff) > 0x7f800000;
      if (oNaN || nNaN) {
        if (o !== 0x7fc00000) return `lane ${i / 4}: our NaN is not +canonical`;
        if (!nNaN) return `lane ${i / 4}: ours NaN, native not`;
        if ((n & 0x00400000) === 0) return `lane ${i / 4}: native NaN not arithmetic`;
      } else if (o !== n) return `lane ${i / 4} differs`;
    } else {
      const o = dv.getBigUint64(i, true), n = nv.getBigUint64(i, true);
      const oNaN = (o & 0x7fffffffffffffffn) > 0x7ff0000000000000n;
      const nNaN = (n & 0x7fffffffffffffffn) > 0x7ff0000000000000n;
      if (oNaN || nNaN) {
        if (o !== 0x7ff8000000000000n) return `lane ${i / 8}: our NaN is not +canonical`;
        if (!nNaN) return `lane ${i / 8}: ours NaN, native not`;
        if ((n & 0x0008000000000000n) === 0n) return `lane ${i / 8}: native NaN not arithmetic`;
      } else if (o !== n) return `lane ${i / 8} differs`;
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// The native module: one function per (operator, lane immediate), plus helpers for the relaxed expectations.

const FD_OPS: readonly OpInfo[] = OPCODES.filter((o) => o.prefix === 0xfd);
/** The instructions simdOp runs: everything with a signature except v128.const and i8x16.shuffle. */
const PURE_OPS = FD_OPS.filter((o) => o.sig !== null && o.imm !== "v128" && o.imm !== "shuffle");

function laneCount(name: string): number {
  const shape = name.slice(0, name.indexOf("."));
  return 16 / (Number(shape.slice(1, shape.indexOf("x"))) / 8);
}

interface Case {
  op: OpInfo;
  lane: number;
  ins: string;
  out: string;
  fn: number;
}

const bodies: number[][] = [];
const params: number[] = [];
/** Relaxed instructions go to a second module (sharing the memory), so a host without them still runs the rest. */
const relaxedBodies: number[][] = [];
const RELAXED = 1 << 20;
function addFunction(body: number[], param = 0, relaxed = false): number {
  if (relaxed) return RELAXED + relaxedBodies.push(body) - 1;
  bodies.push(body);
  params.push(param);
  return bodies.length - 1;
}

const cases: Case[] = [];
for (const op of PURE_OPS) {
  const [ins, out] = op.sig!.split(":") as [string, string];
  const lanes = op.imm === "lane" ? laneCount(op.name) : 1;
  for (let lane = 0; lane < lanes; lane++) {
    const code = [...simd(op.code), ...(op.imm === "lane" ? [lane] : [])];
    cases.push({ op, lane, ins, out, fn: addFunction(opBody(code, ins, out), 0, op.feature === "relaxed-simd") });
  }
}

/** Native functions computing the deterministic profile's result of relaxed instructions from non-relaxed ones. */
const DETERMINISTIC: Record<string, number> = {};
for (const [relaxed, plain] of [[0x100, 0x0e], [0x101, 0xf8], [0x102, 0xf9], [0x103, 0xfc], [0x104, 0xfd]]) {
  const ins = plain === 0x0e ? "VV" : "V";
  DETERMINISTIC[relaxed!] = addFunction(opBody(simd(plain!), ins, "V"));
}
for (const sub of [0x109, 0x10a, 0x10b, 0x10c]) DETERMINISTIC[sub] = addFunction(opBody(simd(0x52), "VVV", "V"));
for (const [relaxed, plain] of [[0x10d, 0xe8], [0x10e, 0xe9], [0x10f, 0xf4], [0x110, 0xf5], [0x111, 0x82]]) {
  DETERMINISTIC[relaxed!] = addFunction(opBody(simd(plain!), "VV", "V"));
}
/** madd: mul then add; nmadd: neg, mul, add (f32x4: neg 0xe1 mul 0xe6 add 0xe4; f64x2: 0xed 0xf2 0xf0). */
function maddBody(neg: number | null, mul: number, add: number): number[] {
  return [
    I32_CONST,
    ...sleb(RESULT_AT),
    I32_CONST,
    0,
    ...LOAD.V!,
    ...(neg === null ? [] : simd(neg)),
    I32_CONST,
    16,
    ...LOAD.V!,
    ...simd(mul),
    I32_CONST,
    32,
    ...LOAD.V!,
    ...simd(add),
    ...STORE.V!,
  ];
}
DETERMINISTIC[0x105] = addFunction(maddBody(null, 0xe6, 0xe4));
DETERMINISTIC[0x106] = addFunction(maddBody(0xe1, 0xe6, 0xe4));
DETERMINISTIC[0x107] = addFunction(maddBody(null, 0xf2, 0xf0));
DETERMINISTIC[0x108] = addFunction(maddBody(0xed, 0xf2, 0xf0));

/** i8x16.shuffle with fixed lane patterns. */
const SHUFFLES: Uint8Array[] = [
  Uint8Array.from({ length: 16 }, (_, i) => i),
  Uint8Array.from({ length: 16 }, (_, i) => 31 - i),
  Uint8Array.from({ length: 16 }, (_, i) => (i * 7 + 3) % 32),
  Uint8Array.from({ length: 16 }, () => 16),
  Uint8Array.from({ length: 16 }, (_, i) => (i & 1) === 0 ? i >> 1 : 16 + (i >> 1)),
];
for (let k = 0; k < 5; k++) SHUFFLES.push(Uint8Array.from({ length: 16 }, () => rand() % 32));
const SHUFFLE_FNS = SHUFFLES.map((lanes) => addFunction(opBody([...simd(0x0d), ...lanes], "VV", "V")));

/** Loads: `(param $ea i32)`: the result of `<load> offset=0 (local.get $ea)` (with the v128 at 0 for *_lane). */
interface MemCase {
  op: OpInfo;
  lane: number;
  fn: number;
  width: number;
}
const LOAD_WIDTH: Record<number, number> = {
  0x00: 16,
  0x01: 8,
  0x02: 8,
  0x03: 8,
  0x04: 8,
  0x05: 8,
  0x06: 8,
  0x07: 1,
  0x08: 2,
  0x09: 4,
  0x0a: 8,
  0x0b: 16,
  0x54: 1,
  0x55: 2,
  0x56: 4,
  0x57: 8,
  0x58: 1,
  0x59: 2,
  0x5a: 4,
  0x5b: 8,
  0x5c: 4,
  0x5d: 8,
};
const memCases: MemCase[] = [];
for (const op of FD_OPS.filter((o) => o.imm === "memarg" || o.imm === "memarg_lane")) {
  const width = LOAD_WIDTH[op.code]!;
  const lanes = op.imm === "memarg_lane" ? 16 / width : 1;
  const isStore = op.code === 0x0b || (op.code >= 0x58 && op.code <= 0x5b);
  for (let lane = 0; lane < lanes; lane++) {
    const instr = [...simd(op.code), ...memarg(), ...(op.imm === "memarg_lane" ? [lane] : [])];
    const vector = [I32_CONST, 0, ...LOAD.V!];
    const body = isStore
      ? [0x20, 0, ...vector, ...instr]
      : [I32_CONST, ...sleb(RESULT_AT), 0x20, 0, ...(op.imm === "memarg_lane" ? vector : []), ...instr, ...STORE.V!];
    memCases.push({ op, lane, width, fn: addFunction(body, 1) });
  }
}

const mainBytes = moduleBytes(bodies, params);
const relaxedBytes = moduleBytes(relaxedBodies, relaxedBodies.map(() => 0), true);
/** Whether the host has fixed-width SIMD, and relaxed SIMD. */
const SIMD_SUPPORTED = WebAssembly.validate(mainBytes);
const RELAXED_SUPPORTED = WebAssembly.validate(relaxedBytes);
const NO_SIMD = SIMD_SUPPORTED ? false : "the host's WebAssembly lacks fixed-width SIMD: nothing to compare with";
const instance = SIMD_SUPPORTED ? new WebAssembly.Instance(new WebAssembly.Module(mainBytes)) : null;
const memory = instance ? instance.exports.mem as WebAssembly.Memory : new WebAssembly.Memory({ initial: 1 });
const relaxedInstance = RELAXED_SUPPORTED
  ? new WebAssembly.Instance(new WebAssembly.Module(relaxedBytes), { env: { mem: memory } })
  : null;
const native = (i: number): (...args: number[]) => void =>
  (i >= RELAXED ? relaxedInstance! : instance!).exports[`f${i >= RELAXED ? i - RELAXED : i}`] as (
    ...args: number[]
  ) => void;
const mem8 = () => new Uint8Array(memory.buffer);

// ---------------------------------------------------------------------------------------------------------------
// Running one case on both sides.

const ROUNDS = 250;
const v = new V128Views(new ArrayBuffer(96));
const nativeBytes = new Uint8Array(16);

/** Fills operands for `ins` into the native memory, runs the native function, copies its result to nativeBytes. */
function runNative(fn: number, out: string): void {
  native(fn)();
  nativeBytes.set(mem8().subarray(RESULT_AT, RESULT_AT + RESULT_SIZE[out]!));
}

function fillOperands(ins: string): void {
  const view = new DataView(memory.buffer);
  [...ins].forEach((t, k) => fillScalar(view, 16 * k, t));
  mem8().fill(0, RESULT_AT, RESULT_AT + 16);
}

/** Runs simdOp on a copy of the native operands, the result at word 16 or at an operand's slot; returns its bytes. */
function runOurs(sub: number, ins: string, out: string, lane: number): Uint8Array {
  v.u8.fill(0xa5);
  v.u8.set(mem8().subarray(0, 48));
  const choices = [16, ...[...ins].map((_, k) => 4 * k)];
  const d = choices[rand() % choices.length]!;
  simdOp(sub, v, d, 0, 4, 8, lane);
  return v.u8.slice(d * 4, d * 4 + RESULT_SIZE[out]!);
}

for (const op of PURE_OPS.filter((o) => o.feature === "simd")) {
  test(`simdOp() ${op.name} matches the host's WebAssembly`, { skip: NO_SIMD }, () => {
    for (const c of cases.filter((c) => c.op === op)) {
      const kind = kindOf(op.name);
      for (let r = 0; r < ROUNDS; r++) {
        fillOperands(c.ins);
        const inputs = hex(mem8().slice(0, 16 * c.ins.length));
        runNative(c.fn, c.out);
        const ours = runOurs(op.code, c.ins, c.out, c.lane);
        const why = mismatch(kind, ours, nativeBytes.subarray(0, ours.length));
        if (why) {
          assert.fail(
            `${op.name} lane ${c.lane}: ${why}\n inputs ${inputs}\n ours   ${hex(ours)}\n native ${
              hex(nativeBytes.subarray(0, ours.length))
            }`,
          );
        }
      }
    }
  });
}

test("simdOp() shifts match the host for every count from -3 to 130", { skip: NO_SIMD }, () => {
  for (const c of cases.filter((c) => c.ins === "Vi")) {
    if (!/sh[lr]/.test(c.op.name)) continue;
    for (let k = -3; k <= 130; k++) {
      fillOperands("V");
      new DataView(memory.buffer).setInt32(16, k, true);
      runNative(c.fn, "V");
      const ours = runOurs(c.op.code, "Vi", "V", 0);
      assert.deepEqual(ours, nativeBytes.slice(0, 16), `${c.op.name} by ${k}`);
    }
  }
});

test("simdShuffle() matches the host's i8x16.shuffle, also into an operand's slot", { skip: NO_SIMD }, () => {
  SHUFFLES.forEach((lanes, k) => {
    for (let r = 0; r < ROUNDS; r++) {
      fillOperands("VV");
      runNative(SHUFFLE_FNS[k]!, "V");
      v.u8.set(mem8().subarray(0, 48));
      const d = pick([0, 4, 16]);
      simdShuffle(v, d, 0, 4, lanes);
      assert.deepEqual(v.u8.slice(4 * d, 4 * d + 16), nativeBytes.slice(0, 16), `shuffle ${lanes}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Memory instructions.

function isTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError;
}

for (const op of FD_OPS.filter((o) => o.imm === "memarg" || o.imm === "memarg_lane")) {
  test(`${/store/.test(op.name) ? "simdStore" : "simdLoad"}() ${op.name} matches the host and traps alike`, {
    skip: NO_SIMD,
  }, () => {
    const isStore = /store/.test(op.name);
    for (const c of memCases.filter((c) => c.op === op)) {
      for (let r = 0; r < 60; r++) {
        const m = mem8();
        for (let i = 0; i < 256; i++) m[i] = rand();
        // The last page bytes too, for accesses that end exactly at the end.
        for (let i = m.length - 32; i < m.length; i++) m[i] = rand();
        const ea = r % 3 === 0 ? m.length - c.width + (rand() % (c.width + 2)) - 1 : 80 + rand() % 160;
        const before = m.slice();
        let nativeTrapped = false;
        try {
          native(c.fn)(ea);
        } catch (e) {
          if (!isTrap(e)) throw e;
          nativeTrapped = true;
        }
        const nativeMem = mem8().slice();
        const ours = before.slice();
        v.u8.fill(0x5a);
        v.u8.set(before.subarray(0, 16), 0);
        const d = pick([0, 16]);
        let ourTrap: unknown = null;
        try {
          if (isStore) simdStore(op.code, v, ours, ea, 0, c.lane);
          else simdLoad(op.code, v, ours, ea, d, 0, c.lane);
        } catch (e) {
          ourTrap = e;
        }
        assert.equal(ourTrap !== null, nativeTrapped, `${op.name} lane ${c.lane} at ${ea}: trap`);
        if (ourTrap !== null) {
          assert.ok(ourTrap instanceof RuntimeError && ourTrap.code === TrapCode.MemoryOutOfBounds);
          assert.deepEqual(ours, before, "a trapping access writes nothing");
          continue;
        }
        if (isStore) assert.deepEqual(ours, nativeMem, `${op.name} lane ${c.lane} at ${ea}`);
        else {
          assert.deepEqual(
            v.u8.slice(4 * d, 4 * d + 16),
            nativeMem.slice(RESULT_AT, RESULT_AT + 16),
            `${op.name} lane ${c.lane} at ${ea}`,
          );
        }
      }
    }
  });
}

test("simdLoad()/simdStore() trap past 2^32 and at huge effective addresses", () => {
  const m = new Uint8Array(65536);
  for (const ea of [2 ** 32, 2 ** 32 + 1, 2 ** 53, 65536, 65535 - 14]) {
    assert.throws(() => simdLoad(0x00, v, m, ea, 0, 0, 0), (e) => e instanceof RuntimeError);
    assert.throws(() => simdStore(0x0b, v, m, ea, 0, 0), (e) => e instanceof RuntimeError);
  }
  simdLoad(0x00, v, m, 65536 - 16, 0, 0, 0);
  simdStore(0x5b, v, m, 65536 - 8, 0, 1);
});

// ---------------------------------------------------------------------------------------------------------------
// Relaxed SIMD: the deterministic profile's result, and the host's result among the allowed ones.

/** Scalar reference of i16x8.relaxed_dot_i8x16_i7x16_s in the deterministic profile. */
function dotReference(a: Int8Array, b: Int8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Math.min(32767, a[2 * i]! * b[2 * i]! + a[2 * i + 1]! * b[2 * i + 1]!));
  return out;
}

/** The exact fused a·b + c of three finite doubles, rounded once, or undefined where this test cannot tell. */
function fmaExact(a: number, b: number, c: number): number | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return undefined;
  const parts = (x: number): [bigint, number] => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x);
    const bits = dv.getBigUint64(0), exp = Number(bits >> 52n & 0x7ffn);
    let m = bits & 0xfffffffffffffn;
    if (exp !== 0) m |= 1n << 52n;
    return [bits >> 63n ? -m : m, (exp === 0 ? 1 : exp) - 1075];
  };
  const [ma, ea] = parts(a), [mb, eb] = parts(b), [mc, ec] = parts(c);
  const p = ma * mb, ep = ea + eb;
  let e = Math.min(ep, ec);
  let sum = (p << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return a * b + c;
  const negative = sum < 0n;
  if (negative) sum = -sum;
  const bits = sum.toString(2).length;
  if (bits > 64) {
    const shift = bits - 64;
    const sticky = (sum & ((1n << BigInt(shift)) - 1n)) !== 0n ? 1n : 0n;
    sum = (sum >> BigInt(shift)) | sticky;
    e += shift;
  }
  let r = Number(sum);
  while (e > 0) {
    const k = Math.min(e, 1000);
    r *= 2 ** k;
    e -= k;
  }
  while (e < 0) {
    const k = Math.min(-e, 1000);
    if (r < 2 ** (-1022 + k)) return undefined; // would become subnormal: two roundings, cannot tell
    r *= 2 ** -k;
    e += k;
  }
  if (!Number.isFinite(r)) return undefined;
  return negative ? -r : r;
}

/** Whether the host's relaxed result lane `i` (of `w` bytes) is one the full profile allows. */
function hostAllowed(sub: number, ops: Uint8Array, host: Uint8Array, ours: Uint8Array): string {
  const o = new DataView(ours.buffer, ours.byteOffset), h = new DataView(host.buffer, host.byteOffset);
  const a = new DataView(ops.buffer, ops.byteOffset);
  const f32 = (dv: DataView, at: number) => dv.getFloat32(at, true);
  const f64 = (dv: DataView, at: number) => dv.getFloat64(at, true);
  switch (sub) {
    case 0x100: // swizzle: an index 16..127 may pick a[j mod 16]
      for (let i = 0; i < 16; i++) {
        const j = ops[16 + i]!;
        const ok = host[i] === ours[i] || (j >= 16 && j < 128 && host[i] === ops[j % 16]);
        if (!ok) return `swizzle lane ${i}`;
      }
      return "";
    case 0x101:
    case 0x102:
    case 0x103:
    case 0x104: { // trunc: NaN and out-of-range lanes are implementation-defined
      const lanes = sub <= 0x102 ? 4 : 2;
      for (let i = 0; i < lanes; i++) {
        const x = sub <= 0x102 ? f32(a, 4 * i) : f64(a, 8 * i);
        const t = Math.trunc(x);
        // Unsigned lanes from 2^31 up are only checked on our side: JavaScriptCore (Bun 1.4.5) gives 0x80000000 there,
        // x86's cvttps2dq result (seen on 0x4f7fffff, 4294967040), so the host check would fail at random.
        const inRange = sub === 0x101 || sub === 0x103 ? t >= -(2 ** 31) && t < 2 ** 31 : t > -1 && t < 2 ** 31;
        if (inRange && h.getInt32(4 * i, true) !== o.getInt32(4 * i, true)) return `trunc lane ${i}`;
      }
      for (let i = lanes; i < 4; i++) if (h.getInt32(4 * i, true) !== 0) return `trunc zero lane ${i}`;
      return "";
    }
    case 0x105:
    case 0x106:
    case 0x107:
    case 0x108: { // madd: unfused (ours) or fused
      const w = sub <= 0x106 ? 4 : 8, sign = sub === 0x106 || sub === 0x108 ? -1 : 1;
      for (let i = 0; i < 16; i += w) {
        const x = w === 4 ? f32(a, i) : f64(a, i), y = w === 4 ? f32(a, 16 + i) : f64(a, 16 + i);
        const z = w === 4 ? f32(a, 32 + i) : f64(a, 32 + i);
        const hv = w === 4 ? f32(h, i) : f64(h, i), ov = w === 4 ? f32(o, i) : f64(o, i);
        if (Object.is(hv, ov) || (hv !== hv && ov !== ov)) continue;
        const fused = fmaExact(sign * x, y, z);
        if (fused === undefined) continue;
        if (w === 8 ? Object.is(hv, fused) : Math.abs(hv - Math.fround(fused)) <= ulp32(fused)) continue;
        return `madd lane ${i / w}: host ${hv}, unfused ${ov}, fused ${fused}`;
      }
      return "";
    }
    case 0x10d:
    case 0x10e:
    case 0x10f:
    case 0x110: { // min/max: NaN lanes and ±0 pairs are implementation-defined
      const w = sub <= 0x10e ? 4 : 8;
      for (let i = 0; i < 16; i += w) {
        const x = w === 4 ? f32(a, i) : f64(a, i), y = w === 4 ? f32(a, 16 + i) : f64(a, 16 + i);
        if (x !== x || y !== y || (x === 0 && y === 0)) continue;
        for (let k = i; k < i + w; k++) if (host[k] !== ours[k]) return `min/max lane ${i / w}`;
      }
      return "";
    }
    case 0x111: // q15mulr: -32768 · -32768 may wrap
      for (let i = 0; i < 16; i += 2) {
        if (a.getInt16(i, true) === -32768 && a.getInt16(16 + i, true) === -32768) continue;
        if (h.getInt16(i, true) !== o.getInt16(i, true)) return `q15mulr lane ${i / 2}`;
      }
      return "";
    case 0x112:
    case 0x113: { // dot: lanes whose b bytes have the top bit set are implementation-defined
      const per = sub === 0x112 ? 2 : 4;
      for (let i = 0; i < 16 / per; i++) {
        let free = false;
        for (let k = 0; k < per; k++) if (ops[16 + per * i + k]! >= 0x80) free = true;
        if (free) continue;
        const same = per === 2
          ? h.getInt16(2 * i, true) === o.getInt16(2 * i, true)
          : h.getInt32(4 * i, true) === o.getInt32(4 * i, true);
        if (!same) return `dot lane ${i}`;
      }
      return "";
    }
    default: { // laneselect: lanes whose mask is all ones or all zeros are bitselect
      const w = [1, 2, 4, 8][sub - 0x109]!;
      for (let i = 0; i < 16; i += w) {
        const m = ops.subarray(32 + i, 32 + i + w);
        if (m.every((x) => x === 0) || m.every((x) => x === 0xff)) {
          for (let k = i; k < i + w; k++) if (host[k] !== ours[k]) return `laneselect lane ${i / w}`;
        }
      }
      return "";
    }
  }
}

function ulp32(x: number): number {
  const f = Math.abs(Math.fround(x));
  if (f === 0) return 2 ** -149;
  return Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(f)) - 23));
}

for (const op of PURE_OPS.filter((o) => o.feature === "relaxed-simd")) {
  test(`simdOp() ${op.name} gives the deterministic profile's result`, { skip: NO_SIMD }, (t) => {
    const c = cases.find((c) => c.op === op)!;
    const kind = kindOf(op.name);
    for (let r = 0; r < ROUNDS; r++) {
      fillOperands(c.ins);
      const ops = mem8().slice(0, 48);
      const ours = runOurs(op.code, c.ins, c.out, 0);
      // The expectation: native non-relaxed instructions, or the scalar reference for the dot products.
      let expected: Uint8Array;
      if (op.code === 0x112 || op.code === 0x113) {
        const dots = dotReference(new Int8Array(ops.buffer, 0, 16), new Int8Array(ops.buffer, 16, 16));
        const e = new DataView(new ArrayBuffer(16));
        if (op.code === 0x112) dots.forEach((x, i) => e.setInt16(2 * i, x, true));
        else {
          const cv = new DataView(ops.buffer, 32);
          for (let i = 0; i < 4; i++) {
            e.setInt32(4 * i, dots[2 * i]! + dots[2 * i + 1]! + cv.getInt32(4 * i, true), true);
          }
        }
        expected = new Uint8Array(e.buffer);
      } else {
        runNative(DETERMINISTIC[op.code]!, "V");
        expected = nativeBytes.slice(0, 16);
      }
      const why = mismatch(kind, ours, expected);
      if (why) {
        assert.fail(`${op.name}: ${why}\n inputs ${hex(ops)}\n ours     ${hex(ours)}\n expected ${hex(expected)}`);
      }
      if (!RELAXED_SUPPORTED) continue;
      mem8().set(ops, 0);
      runNative(c.fn, "V");
      const host = nativeBytes.slice(0, 16);
      const bad = hostAllowed(op.code, ops, host, ours);
      if (bad) {
        assert.fail(`host ${op.name} gave a result the spec does not allow: ${bad}\n ${hex(ops)}\n ${hex(host)}`);
      }
    }
    if (!RELAXED_SUPPORTED) t.diagnostic("the host lacks relaxed SIMD: its own relaxed results were not checked");
  });
}

test("relaxed instructions' deterministic results on the spec's edge cases", () => {
  const run = (sub: number, a: number[], b: number[], c: number[], view: "i8" | "i16" | "i32" | "f32") => {
    const w = new V128Views(new ArrayBuffer(64));
    const put = (at: number, xs: number[]) =>
      view === "i8"
        ? w.i8.set(xs, at * 4)
        : view === "i16"
        ? w.i16.set(xs, at * 2)
        : view === "i32"
        ? w.i32.set(xs, at)
        : w.f32.set(xs, at);
    put(0, a);
    put(4, b);
    put(8, c);
    simdOp(sub, w, 12, 0, 4, 8, 0);
    return w;
  };
  // relaxed_dot: -128 · -128 · 2 = 32768 saturates to 32767 (signed · signed, iadd_sat_s).
  const dot = run(0x112, Array(16).fill(-128), Array(16).fill(-128), [], "i8");
  assert.deepEqual(Array.from(dot.i16.subarray(24, 32)), Array(8).fill(32767));
  // relaxed_dot_add from the spec test: [-128 ×4, 127 ×4] · [127 ×8] + [1, 2, 3, 4].
  const dotAdd = run(
    0x113,
    [-128, -128, -128, -128, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0],
    [127, 127, 127, 127, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0],
    [],
    "i8",
  );
  dotAdd.i32.set([1, 2, 3, 4], 8);
  simdOp(0x113, dotAdd, 12, 0, 4, 8, 0);
  assert.deepEqual(Array.from(dotAdd.i32.subarray(12, 16)), [-65023, 64518, 3, 4]);
  // relaxed_q15mulr_s saturates; relaxed_swizzle of 16..127 gives 0; laneselect uses every mask bit.
  assert.equal(run(0x111, [-32768], [-32768], [], "i16").i16[24], 32767);
  assert.deepEqual(Array.from(run(0x100, [9, 8, 7], [0, 16, 100, -128 + 256 - 256], [], "i8").i8.subarray(48, 52)), [
    9,
    0,
    0,
    0,
  ]);
  assert.equal(run(0x10b, [0x0f0f0f0f], [0x70707070], [0x00ff00ff], "i32").i32[12], 0x700f700f);
  // relaxed_madd is unfused: (1 + 2^-23)(1 - 2^-23) - 1 is -2^-46 fused, 0 unfused in f32.
  const e = 2 ** -23;
  assert.ok(Object.is(run(0x105, [1 + e], [1 - e], [-1], "f32").f32[12], 0));
  assert.ok(Object.is(run(0x106, [1 + e], [1 - e], [1], "f32").f32[12], 0));
  // relaxed_trunc saturates and maps NaN to 0; relaxed_min/max propagate NaN and order -0 below +0.
  assert.deepEqual(Array.from(run(0x101, [NaN, 3e9, -3e9, -1.5], [], [], "f32").i32.subarray(12, 16)), [
    0,
    2147483647,
    -2147483648,
    -1,
  ]);
  assert.deepEqual(Array.from(run(0x102, [NaN, 5e9, -3, 4294967040], [], [], "f32").u32.subarray(12, 16)), [
    0,
    4294967295,
    0,
    4294967040,
  ]);
  const min = run(0x10d, [0, NaN, 1, -0], [-0, 1, 2, 0], [], "f32");
  assert.ok(
    Object.is(min.f32[12], -0) && min.u32[13] === 0x7fc00000 && min.f32[14] === 1 && Object.is(min.f32[15], -0),
  );
  const max = run(0x10e, [0, NaN, 1, -0], [-0, 1, 2, 0], [], "f32");
  assert.ok(Object.is(max.f32[12], 0) && max.u32[13] === 0x7fc00000 && max.f32[14] === 2 && Object.is(max.f32[15], 0));
});

test("NaN-producing float lanes are the positive canonical NaN; moves keep payloads bit-exact", () => {
  const w = new V128Views(new ArrayBuffer(64));
  w.u32.set([0xff812345, 0x7fa00001, 0xffc00000, 0x7f800001], 0);
  w.u32.set([0x3f800000, 0x3f800000, 0x7f800000, 0xff800000], 4);
  simdOp(0xe4, w, 8, 0, 4, 0, 0); // f32x4.add
  assert.deepEqual(Array.from(w.u32.subarray(8, 12)), [0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fc00000]);
  simdOp(0xe1, w, 8, 0, 0, 0, 0); // f32x4.neg
  assert.deepEqual(Array.from(w.u32.subarray(8, 12)), [0x7f812345, 0xffa00001, 0x7fc00000, 0xff800001]);
  simdOp(0x13, w, 8, 1, 0, 0, 0); // f32x4.splat of an sNaN
  assert.deepEqual(Array.from(w.u32.subarray(8, 12)), Array(4).fill(0x7fa00001));
  w.u32.set([0x7f800001, 0, 0, 0], 4);
  simdOp(0x20, w, 8, 8, 4, 0, 2); // f32x4.replace_lane 2, into its own operand's slot
  assert.equal(w.u32[10], 0x7f800001);
  simdOp(0x1f, w, 12, 8, 0, 0, 2); // f32x4.extract_lane 2
  assert.equal(w.u32[12], 0x7f800001);
  w.u32.set([0x7f800001, 0x7f800002, 0, 0], 0);
  w.u32.set([0x7f800003, 0x7f800004, 0, 0], 4);
  simdOp(0xea, w, 8, 0, 4, 0, 0); // f32x4.pmin: NaN compares false, so a is kept
  assert.deepEqual(Array.from(w.u32.subarray(8, 10)), [0x7f800001, 0x7f800002]);
  simdOp(0x5f, w, 8, 0, 0, 0, 0); // f64x2.promote_low_f32x4 of sNaNs: +canonical
  assert.deepEqual(Array.from(w.u32.subarray(8, 12)), [0, 0x7ff80000, 0, 0x7ff80000]);
});

test("the module examples hold", () => {
  const v1 = new V128Views(new ArrayBuffer(64));
  v1.i32.set([1, 2, 3, 4, 10, 20, 30, 40]);
  simdOp(0xae, v1, 8, 0, 4, 0, 0);
  assert.deepEqual(Array.from(v1.i32.subarray(8, 12)), [11, 22, 33, 44]);
  const v2 = new V128Views(new ArrayBuffer(32));
  v2.u32[0] = 0xffc01234;
  simdOp(0xe0, v2, 4, 0, 0, 0, 0);
  assert.equal(v2.u32[4]!.toString(16), "7fc01234");
  const v3 = new V128Views(new ArrayBuffer(48));
  v3.u8.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  simdShuffle(v3, 8, 0, 4, new Uint8Array([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]));
  assert.deepEqual([v3.u8[32], v3.u8[47]], [15, 0]);
  const v5 = new V128Views(new ArrayBuffer(16));
  simdLoad(0x08, v5, new Uint8Array([0x34, 0x12]), 0, 0, 0, 0);
  assert.equal(v5.u16[7]!.toString(16), "1234");
  v5.u8.set([10, 11, 12, 13]);
  const mem = new Uint8Array(4);
  simdStore(0x58, v5, mem, 1, 0, 3);
  assert.deepEqual(Array.from(mem), [0, 13, 0, 0]);
  const v4 = new V128Views(new ArrayBuffer(64));
  v4.i32[0] = 7;
  simdOp(0x11, v4, 4, 0, 0, 0, 0);
  assert.deepEqual(Array.from(v4.i32.subarray(4, 8)), [7, 7, 7, 7]);
});

test("every 0xfd instruction is covered by these tests", () => {
  const covered = new Set([...cases.map((c) => c.op.code), ...memCases.map((c) => c.op.code), 0x0c, 0x0d]);
  assert.deepEqual(FD_OPS.filter((o) => !covered.has(o.code)).map((o) => o.name), []);
  assert.equal(FD_OPS.length, 256);
});
