import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { functionNameAt, parseFunctionNames } from "../../lib/debug/dwarf_info.ts";
import { codeSectionStart, DwarfError } from "../../lib/debug/dwarf_line.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";

const TESTDATA = join(import.meta.dirname!, "..", "..", "testdata");
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const cstr = (s: string) => [...new TextEncoder().encode(s), 0];

const ABBREV = new Uint8Array([
  ...[1, 0x11, 1, 0, 0], // 1: compile unit, with children, no attributes
  ...[2, 0x2e, 0, 0x03, 0x08, 0x11, 0x01, 0x12, 0x06, 0, 0], // 2: subprogram: name string, low_pc addr, high_pc data4
  ...[3, 0x2e, 0, 0x47, 0x13, 0x11, 0x01, 0x12, 0x01, 0, 0], // 3: specification ref4, low_pc addr, high_pc addr
  ...[4, 0x2e, 0, 0x03, 0x0e, 0, 0], // 4: a declaration: name strp
  0,
]);

test("parseFunctionNames() reads DWARF 4 subprograms: high_pc as size or address, names through specification", () => {
  const dies = [
    1, // compile unit at 11
    ...[2, ...cstr("f"), ...u32(2), ...u32(7)], // f at [2, 9), at 12
    ...[3, ...u32(36), ...u32(0x20), ...u32(0x30)], // at 23: named by the declaration at 36, after it
    ...[4, ...u32(0)], // at 36: "g_mangled" in .debug_str
    ...[2, ...cstr("dead"), ...u32(0), ...u32(5)], // removed by the linker: address 0
    0,
  ];
  const body = [4, 0, ...u32(0), 4, ...dies];
  const info = new Uint8Array([...u32(body.length), ...body]);
  const functions = parseFunctionNames({ info, abbrev: ABBREV, str: new Uint8Array(cstr("g_mangled")) });
  assert.deepEqual(functions, [{ low: 2, high: 9, name: "f" }, { low: 0x20, high: 0x30, name: "g_mangled" }]);
  assert.deepEqual([1, 2, 8, 9, 0x2f, 0x30].map((a) => functionNameAt(functions, a)), [
    undefined,
    "f",
    "f",
    undefined,
    "g_mangled",
    undefined,
  ]);
  assert.throws(() => parseFunctionNames({ info: info.subarray(0, 20), abbrev: ABBREV }), DwarfError);
});

function functionsOf(name: string) {
  const module = decodeModule(new Uint8Array(readFileSync(join(TESTDATA, name))));
  const section = (n: string) => module.customs.find((c) => c.name === n)?.bytes;
  return parseFunctionNames({
    info: section(".debug_info"),
    abbrev: section(".debug_abbrev"),
    str: section(".debug_str"),
    lineStr: section(".debug_line_str"),
    strOffsets: section(".debug_str_offsets"),
    addr: section(".debug_addr"),
  });
}

test("parseFunctionNames() reads clang-19's DWARF 5 (strx, addrx) and DWARF 4 alike, as llvm-dwarfdump does", () => {
  for (const name of ["trap_lines.wasm", "trap_lines_dwarf4.wasm"]) {
    const mine = functionsOf(name).filter((f) => ["divide", "average", "report", "__main_argc_argv"].includes(f.name));
    assert.deepEqual(mine, [
      { low: 0x1e, high: 0x5b, name: "divide" },
      { low: 0x5d, high: 0x152, name: "average" },
      { low: 0x154, high: 0x1de, name: "report" },
      { low: 0x1df, high: 0x249, name: "__main_argc_argv" },
    ], name);
  }
});

test("parseFunctionNames() reads rustc's DWARF: every function's name is its name-section name", () => {
  const bytes = new Uint8Array(readFileSync(join(TESTDATA, "hello_rs.wasm")));
  const module = decodeModule(bytes);
  const codeStart = codeSectionStart(bytes);
  // Each body's first instruction (a code address) and its name-section name, in address order.
  const bodies = module.codes.map((body, i) => ({
    start: body.start - codeStart,
    name: module.names.functions.get(module.importedFuncs + i),
  }));
  const functions = functionsOf("hello_rs.wasm");
  assert.ok(functions.length > 250, `${functions.length} functions`); // the others were removed by the linker
  let compared = 0, next = 0;
  for (const f of functions) {
    // DWARF's range starts at the body (its size, then its locals): the first body starting inside is the function.
    while (next < bodies.length && bodies[next]!.start <= f.low) next++;
    const body = bodies[next];
    if (body === undefined || body.start >= f.high || body.name === undefined) continue;
    // The name section keeps the `.llvm.N` suffix LLVM gives a local symbol it promotes; DWARF does not.
    assert.equal(f.name, body.name.replace(/\.llvm\.[0-9]+$/, ""), `at 0x${f.low.toString(16)}`);
    compared++;
  }
  assert.equal(compared, functions.length);
});
