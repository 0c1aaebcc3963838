import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteReader, ByteWriter } from "../../lib/binary/leb128.ts";
import { InstructionReader } from "../../lib/binary/instruction_reader.ts";
import { CompileError, UnsupportedFeatureError } from "../../lib/errors.ts";

/** A reader over `bytes` followed by an `end`. */
const reader = (bytes: number[]) => new InstructionReader(new ByteReader(new Uint8Array([...bytes, 0x0b])));

test("InstructionReader.next() reads u32 indices of every length, padded ones included, like ByteReader.u32()", () => {
  for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]) {
    const index = [...new ByteWriter().u32(v).finish()];
    const r = reader([0x20, ...index]); // local.get
    r.next();
    assert.equal(r.index, v);
    assert.equal(r.bytes.pos, 1 + index.length);
  }
  const padded = reader([0x20, 0x80, 0x80, 0x80, 0x80, 0x00]);
  padded.next();
  assert.equal(padded.index, 0);
  assert.equal(padded.bytes.pos, 6);
  assert.throws(() => reader([0x20, 0xff, 0xff, 0xff, 0xff, 0x1f]).next(), { message: "integer too large" });
  assert.throws(() => new InstructionReader(new ByteReader(new Uint8Array([0x20, 0x80]))).next(), CompileError);
});

test("InstructionReader.next() reads constants: s32, s64 as two words, float bits", () => {
  const i32 = (v: number) => {
    const r = reader([0x41, ...new ByteWriter().s32(v).finish()]);
    r.next();
    return r.value;
  };
  for (const v of [0, 1, -1, 63, 64, -64, -65, 2 ** 27 - 1, -(2 ** 27), 2 ** 31 - 1, -(2 ** 31)]) {
    assert.equal(i32(v), v);
  }
  for (const v of [0n, -1n, 5n, -(2n ** 27n), 2n ** 40n + 3n, -(2n ** 63n), 2n ** 63n - 1n]) {
    const r = reader([0x42, ...new ByteWriter().s64(v).finish()]);
    r.next();
    assert.equal(r.value, Number(BigInt.asIntN(32, v)), `low word of ${v}`);
    assert.equal(r.high, Number(BigInt.asIntN(32, v >> 32n)), `high word of ${v}`);
  }
  const f64 = reader([0x44, 1, 2, 3, 4, 5, 6, 7, 0x88]);
  f64.next();
  assert.equal(f64.value, 0x04030201);
  assert.equal(f64.high, 0x88070605 | 0);
  assert.throws(() => reader([0x41, 0xff, 0xff, 0xff, 0xff, 0x0f]).next(), { message: "integer too large" });
  assert.throws(() => reader([0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).next(), {
    message: "integer representation too long",
  });
  assert.throws(() => new InstructionReader(new ByteReader(new Uint8Array([0x43, 1, 2]))).next(), {
    message: "unexpected end",
  });
});

test("InstructionReader.next() reads memory indices as LEB128 u32 and memarg offsets as u64", () => {
  const grow = reader([0x40, 0x80, 0x00]);
  grow.next();
  assert.deepEqual([grow.info.name, grow.index, grow.bytes.pos], ["memory.grow", 0, 3]);
  const copy = reader([0xfc, 0x0a, 0x81, 0x00, 0x02]);
  copy.next();
  assert.deepEqual([copy.info.name, copy.index, copy.index2], ["memory.copy", 1, 2]);
  const load = reader([0x28, 0x02, 0x84, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
  load.next();
  assert.deepEqual([load.align, load.memory, load.offset], [2, 0, 4]);
  const big = reader([0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10]);
  big.next();
  assert.equal(big.offset, 2 ** 32);
  const withMemory = reader([0x29, 0x43, 0x01, 0x08]); // align 3, bit 6: memory 1 follows, offset 8
  withMemory.next();
  assert.deepEqual([withMemory.align, withMemory.memory, withMemory.offset], [3, 1, 8]);
  assert.throws(() => reader([0x28, 0x80, 0x01, 0x00]).next(), { message: "malformed memop flags" });
});

test("InstructionReader.next() reads br_table labels, block types and typed select", () => {
  const table = reader([0x0e, 3, 0, 1, 0x80, 0x00, 2]);
  table.next();
  assert.equal(table.index, 3);
  assert.deepEqual(table.targets.slice(0, 3), [0, 1, 0]);
  assert.equal(table.index2, 2);
  const block = reader([0x02, 0x05]);
  block.next();
  assert.equal(block.blockType, -6); // type index 5
  const select = reader([0x1c, 1, 0x7e]);
  select.next();
  assert.deepEqual([select.index, select.valType], [1, 0x7e]);
});

test("InstructionReader.next() rejects unknown opcodes and those of unimplemented proposals", () => {
  assert.throws(() => reader([0x27]).next(), (e) => e instanceof CompileError && e.message === "illegal opcode 27");
  assert.throws(
    () => reader([0xfc, 0x12]).next(),
    (e) => e instanceof CompileError && e.message === "illegal opcode fc 12",
  );
  assert.throws(() => reader([0xfe, 0x00]).next(), (e) => e instanceof UnsupportedFeatureError); // threads
  // GC's instructions are read (and validated); the runtime refuses to instantiate them (runtime/gc.ts).
  assert.equal(reader([0xfb, 0x00, 0x05]).next(), 0xfb); // struct.new 5
  assert.throws(() => reader([0xfb, 0x7f]).next(), /illegal opcode fb 7f/);
  assert.throws(
    () => reader([0xfd, 0x9a, 0x01]).next(),
    (e) => e instanceof CompileError && e.message === "illegal opcode fd 9a",
  );
  assert.equal(reader([0xd3]).next(), 0xd3); // ref.eq (GC)
});

test("InstructionReader.next() reads the SIMD immediates: v128 bytes, shuffle lanes, lane indices, memarg and lane", () => {
  const bytes = Array.from({ length: 16 }, (_, i) => 0xf0 + i);
  const r = reader([
    ...[0xfd, 0x0c, ...bytes], // v128.const
    ...[0xfd, 0x0d, ...bytes.map((b) => b & 0x1f)], // i8x16.shuffle
    ...[0xfd, 0x15, 0x0f], // i8x16.extract_lane_s 15
    ...[0xfd, 0x54, 0x40, 0x02, 0x05, 0x07], // v128.load8_lane memory 2, align 0, offset 5, lane 7
    ...[0xfd, 0x80, 0x01], // i16x8.abs: a sub-opcode above 127 is a two-byte LEB128
  ]);
  r.next();
  assert.equal(r.info.name, "v128.const");
  assert.deepEqual([...r.bytes16], bytes);
  r.next();
  assert.equal(r.info.name, "i8x16.shuffle");
  assert.deepEqual([...r.bytes16], bytes.map((b) => b & 0x1f));
  r.next();
  assert.deepEqual([r.info.name, r.lane], ["i8x16.extract_lane_s", 15]);
  r.next();
  assert.deepEqual([r.info.name, r.memory, r.align, r.offset, r.lane], ["v128.load8_lane", 2, 0, 5, 7]);
  r.next();
  assert.deepEqual([r.info.name, r.sub], ["i16x8.abs", 0x80]);
});
