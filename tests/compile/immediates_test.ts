// Immediates the translator once read differently from the validator (issue 14, item 7): each module is assembled
// byte by byte (the text format cannot spell these encodings) and run on Kiln and on the host's native WebAssembly,
// which must agree on the result or on the error class.
import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";

/** unsigned LEB128 of a small number */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, payload: number[]): number[] {
  return [id, ...leb(payload.length), ...payload];
}

/**
 * A module with one memory of 1 page holding bytes 1..8 at address 0, and one export `f: [] -> [i32]` whose body
 * is `code` (without the final `end`).
 */
function moduleWith(code: number[]): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...code, 0x0b];
  const data = [0x00, 0x41, 0x00, 0x0b, 8, 1, 2, 3, 4, 5, 6, 7, 8]; // active, memory 0, offset i32.const 0
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type 0: [] -> [i32]
    ...section(3, [1, 0]), // func 0: type 0
    ...section(5, [1, 0x00, 1]), // memory: min 1
    ...section(7, [1, 1, 0x66, 0x00, 0]), // export "f" = func 0
    ...section(10, [1, ...leb(body.length), ...body]),
    ...section(11, [1, ...data]),
  ]);
}

/** What running `f` gives: its value, or the class of the error (compile, link, trap). */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    return `value ${await run()}`;
  } catch (e) {
    return `error ${(e as Error).constructor.name}`;
  }
}

async function both(bytes: Uint8Array<ArrayBuffer>): Promise<{ kiln: string; native: string }> {
  const native = await outcome(async () => {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return (instance.exports.f as () => number)();
  });
  const kiln = await outcome(async () => {
    const { instance } = await instantiate(bytes, {});
    return await (instance.exports.f as () => Promise<number>)();
  });
  return { kiln, native };
}

const I32 = (n: number) => [0x41, ...leb(n)]; // i32.const of a small non-negative number (< 64)

const cases: { name: string; code: number[]; expect: string }[] = [
  { name: "memory.size with its memidx written 0x80 0x00", code: [0x3f, 0x80, 0x00], expect: "value 1" },
  { name: "memory.grow with its memidx written 0x80 0x00", code: [...I32(1), 0x40, 0x80, 0x00], expect: "value 1" },
  {
    name: "memory.fill with its memidx written 0x80 0x00",
    code: [...I32(0), ...I32(9), ...I32(4), 0xfc, 11, 0x80, 0x00, ...I32(0), 0x28, 2, 0],
    expect: `value ${0x09090909}`,
  },
  {
    name: "memory.copy with both memidx written 0x80 0x00",
    code: [...I32(0), ...I32(4), ...I32(4), 0xfc, 10, 0x80, 0x00, 0x80, 0x00, ...I32(0), 0x28, 2, 0],
    expect: `value ${0x08070605}`,
  },
  {
    name: "an i32.load offset written in 6 bytes (u64 LEB128)",
    code: [...I32(0), 0x28, 2, 0x84, 0x80, 0x80, 0x80, 0x80, 0x00],
    expect: `value ${0x08070605}`,
  },
  {
    name: "an i32.load whose flags name memory 0 explicitly (bit 6)",
    code: [...I32(0), 0x28, 0x42, 0x00, 4],
    expect: `value ${0x08070605}`,
  },
];

for (const c of cases) {
  test(`immediates: ${c.name} runs as on native WebAssembly`, async () => {
    const { kiln, native } = await both(moduleWith(c.code));
    assert.equal(kiln, native);
    assert.equal(kiln, c.expect);
  });
}
