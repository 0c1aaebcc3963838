// Regressions of issue 14: the translator read immediates its own way and disagreed with the validator. Each module
// is hand-assembled bytes (no text format in between) and Kiln's answer is compared with the host's WebAssembly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CompileError, instantiate } from "../../mod.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { translateFunction } from "../../lib/compile/translate.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const section = (id: number, bytes: number[]) => [id, bytes.length, ...bytes];

/** A module with one page of memory and one function `f: [] -> [i32]` whose body is `code` then `end`. */
function moduleWith(code: number[]): Uint8Array {
  const body = [0x00, ...code, 0x0b]; // no locals
  return new Uint8Array([
    ...HEADER,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type 0: [] -> [i32]
    ...section(3, [1, 0]), // func 0: type 0
    ...section(5, [1, 0x00, 1]), // memory 0: min 1 page
    ...section(7, [1, 1, 0x66, 0x00, 0]), // export "f" func 0
    ...section(10, [1, body.length, ...body]),
  ]);
}

/** What the host's engine says: the result of `f()`, or "CompileError". */
async function native(bytes: Uint8Array): Promise<number | string> {
  try {
    const instance = await WebAssembly.instantiate(new WebAssembly.Module(bytes as BufferSource), {});
    return (instance.exports.f as () => number)();
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

/** What Kiln says, in the same terms. */
async function kiln(bytes: Uint8Array): Promise<number | string> {
  try {
    const { instance } = await instantiate(bytes);
    return await (instance.exports.f as () => Promise<number>)();
  } catch (e) {
    return e instanceof CompileError ? "CompileError" : `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

test("memory.size, memory.grow and memory.fill read their memory index as a LEB128 u32 (0x80 0x00 is memory 0)", async () => {
  const cases: [string, number[]][] = [
    ["memory.size", [0x3f, 0x80, 0x00]],
    ["memory.grow", [0x41, 1, 0x40, 0x80, 0x00]],
    // memory.fill 0 (dst 0, value 7, length 4), then i32.load8_u of byte 3
    ["memory.fill", [0x41, 0, 0x41, 7, 0x41, 4, 0xfc, 0x0b, 0x80, 0x00, 0x41, 3, 0x2d, 0x00, 0x00]],
    // memory.copy 0 0 over a filled byte, then memory.size with a five-byte index
    ["memory.copy", [
      0x41,
      1,
      0x41,
      0,
      0x41,
      1,
      0xfc,
      0x0a,
      0x80,
      0x00,
      0x80,
      0x00,
      0x3f,
      0x80,
      0x80,
      0x80,
      0x80,
      0x00,
    ]],
  ];
  for (const [name, code] of cases) {
    const bytes = moduleWith(code);
    const expected = await native(bytes);
    assert.equal(typeof expected, "number", `${name}: the host accepts the module`);
    assert.equal(await kiln(bytes), expected, name);
  }
});

test("a memarg offset is a u64 in the encoding: padded offsets work, offsets of 2^32 and more do not validate", async () => {
  const cases: [string, number[]][] = [
    // i32.store offset=4 (padded to six bytes) of 0x2a at address 0, then i32.load offset=4 (padded to ten bytes)
    ["six and ten bytes", [
      0x41,
      0,
      0x41,
      0x2a,
      0x36,
      0x02,
      0x84,
      0x80,
      0x80,
      0x80,
      0x80,
      0x00,
      0x41,
      0,
      0x28,
      0x02,
      0x84,
      0x80,
      0x80,
      0x80,
      0x80,
      0x80,
      0x80,
      0x80,
      0x80,
      0x00,
    ]],
    ["2^32", [0x41, 0, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10]],
    ["2^32 in six bytes", [0x41, 0, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x90, 0x00]],
  ];
  for (const [name, code] of cases) {
    const bytes = moduleWith(code);
    assert.equal(await kiln(bytes), await native(bytes), name);
  }
});

test("an unknown 0xfc sub-opcode is rejected, never translated as another instruction", async () => {
  const fill = [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0b, 0x00, 0x41, 0]; // memory.fill 0; i32.const 0
  const unknown = moduleWith([0x41, 0, 0xfc, 0x12, 0x00]); // 0xfc 18: no such instruction
  assert.equal(await native(unknown), "CompileError");
  assert.equal(await kiln(unknown), "CompileError");
  // The translator reads through the same reader: even on bytes that changed after validation it throws instead
  // of emitting another op.
  const bytes = moduleWith(fill);
  const module = decodeModule(bytes);
  bytes[bytes.indexOf(0xfc) + 1] = 0x12;
  assert.throws(
    () => translateFunction(module, 0),
    (e) => e instanceof CompileError && /illegal opcode fc 12/.test(e.message),
  );
});
