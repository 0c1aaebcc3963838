import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteReader, ByteWriter } from "../../lib/binary/leb128.ts";
import { readU32, skipBytes, skipS32, skipS64, skipU32, skipU64 } from "../../lib/binary/_skip.ts";
import { CompileError } from "../../lib/errors.ts";

const reader = (bytes: number[]) => new ByteReader(new Uint8Array(bytes));

test("readU32() agrees with ByteReader.u32() on every length, padded encodings included", () => {
  const padded = [0x80, 0x80, 0x80, 0x80, 0x00];
  for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]) {
    const bytes = [...new ByteWriter().u32(v).finish(), 0x0b];
    const r = reader(bytes);
    assert.equal(readU32(r), v);
    assert.equal(r.pos, bytes.length - 1);
  }
  const r = reader([...padded, 0x0b]);
  assert.equal(readU32(r), 0);
  assert.equal(r.pos, 5);
  assert.throws(() => readU32(reader([0xff, 0xff, 0xff, 0xff, 0x1f, 0x0b])), { message: "integer too large" });
  assert.throws(() => readU32(reader([0x80, 0x80])), (e: unknown) => e instanceof CompileError);
});

test("skip functions advance exactly like the exact readers and report their errors", () => {
  const cases: [(r: ByteReader) => void, (r: ByteReader) => unknown, number[]][] = [
    [skipU32, (r) => r.u32(), [0xe5, 0x8e, 0x26]],
    [skipU32, (r) => r.u32(), [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [skipS32, (r) => r.s32(), [0x80, 0x80, 0x80, 0x80, 0x78]],
    [skipS64, (r) => r.s64(), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
    [skipU64, (r) => r.u64(), [0x80, 0x80, 0x80, 0x80, 0x10]],
  ];
  for (const [skip, exact, bytes] of cases) {
    const a = reader([...bytes, 0x0b]), b = reader([...bytes, 0x0b]);
    skip(a);
    exact(b);
    assert.equal(a.pos, b.pos);
  }
  assert.throws(() => skipS32(reader([0xff, 0xff, 0xff, 0xff, 0x0f])), { message: "integer too large" });
  assert.throws(() => skipS64(reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), {
    message: "integer representation too long",
  });
  const r = reader([1, 2, 3]);
  skipBytes(r, 2);
  assert.equal(r.pos, 2);
  assert.throws(() => skipBytes(r, 4), { message: "unexpected end" });
});
