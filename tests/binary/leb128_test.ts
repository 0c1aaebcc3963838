import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteReader, ByteWriter } from "../../lib/binary/leb128.ts";
import { CompileError } from "../../lib/errors.ts";

const read = (bytes: number[]) => new ByteReader(new Uint8Array(bytes));

test("ByteReader.u32() reads multi-byte values and rejects overlong ones", () => {
  assert.equal(read([0xe5, 0x8e, 0x26]).u32(), 624485);
  assert.equal(read([0xff, 0xff, 0xff, 0xff, 0x0f]).u32(), 0xffffffff);
  assert.throws(() => read([0xff, 0xff, 0xff, 0xff, 0x1f]).u32(), { message: "integer too large" });
  assert.throws(() => read([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32(), {
    message: "integer representation too long",
  });
  assert.throws(() => read([0x80]).u32(), (e) => e instanceof CompileError && e.message === "unexpected end");
});

test("ByteReader.s32() sign-extends and checks the final byte", () => {
  assert.equal(read([0x7f]).s32(), -1);
  assert.equal(read([0x80, 0x7f]).s32(), -128);
  assert.equal(read([0xff, 0xff, 0xff, 0xff, 0x07]).s32(), 0x7fffffff);
  assert.equal(read([0x80, 0x80, 0x80, 0x80, 0x78]).s32(), -0x80000000);
  assert.throws(() => read([0xff, 0xff, 0xff, 0xff, 0x0f]).s32(), { message: "integer too large" });
});

test("ByteReader.s64() reads the full signed range", () => {
  assert.equal(read([0x7f]).s64(), -1n);
  const w = new ByteWriter().s64(-(2n ** 63n)).finish();
  assert.equal(new ByteReader(w).s64(), -(2n ** 63n));
  const m = new ByteWriter().s64(2n ** 63n - 1n).finish();
  assert.equal(new ByteReader(m).s64(), 2n ** 63n - 1n);
});

test("ByteWriter round-trips through ByteReader", () => {
  for (const v of [0, 1, 63, 64, 127, 128, 8191, 8192, -1, -64, -65, -129, 2 ** 31 - 1, -(2 ** 31)]) {
    assert.equal(new ByteReader(new ByteWriter().s32(v).finish()).s32(), v);
  }
  for (const v of [0, 1, 127, 128, 2 ** 32 - 1]) {
    assert.equal(new ByteReader(new ByteWriter().u32(v).finish()).u32(), v);
  }
  for (const v of [0, -1, 2 ** 32 - 1, -(2 ** 32)]) {
    assert.equal(new ByteReader(new ByteWriter().s32(v).finish()).s33(), v);
  }
});

test("ByteReader.u64() reads 64-bit limits and offsets and checks the final byte", () => {
  assert.equal(read([0x80, 0x80, 0x80, 0x80, 0x10]).u64(), 2 ** 32);
  // 2^64 - 1 rounds to 2^64 as a number: exact below 2^53 only, as documented.
  assert.equal(read([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).u64(), 2 ** 64);
  assert.throws(() => read([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x70]).u64(), {
    message: "integer too large",
  });
  assert.throws(() => read([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u64(), {
    message: "integer representation too long",
  });
  assert.throws(() => read([0x80, 0x80]).u64(), { message: "unexpected end" });
});
