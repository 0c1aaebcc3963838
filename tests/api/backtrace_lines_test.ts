import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../mod.ts";
import { runWasi } from "../../wasi.ts";

const TESTDATA = join(import.meta.dirname!, "..", "..", "testdata");

/** The module binary without its custom sections called `drop` (each section: id, LEB128 size, contents). */
function withoutCustomSection(bytes: Uint8Array, drop: string): Uint8Array {
  const kept: number[] = [...bytes.subarray(0, 8)];
  for (let pos = 8; pos < bytes.length;) {
    const start = pos++;
    let size = 0;
    for (let shift = 0;; shift += 7) {
      const byte = bytes[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    const end = pos + size;
    const name = new TextDecoder().decode(bytes.subarray(pos + 1, pos + 1 + bytes[pos]!));
    if (bytes[start] !== 0 || name !== drop) kept.push(...bytes.subarray(start, end));
    pos = end;
  }
  return new Uint8Array(kept);
}

type EngineName = "interpreter" | "native";
/** JavaScriptCore's wasm call sites name functions but give no offsets: no source positions there (traps.ts). */
const NATIVE_HAS_OFFSETS = !("Bun" in globalThis);

async function trapOf(
  name: string,
  debugInfo?: boolean,
  edit = (b: Uint8Array) => b,
  engine: EngineName = "interpreter",
  fuel?: number,
): Promise<RuntimeError> {
  const bytes = edit(readFileSync(join(TESTDATA, name)));
  const options = { engine, fuel, ...(debugInfo === undefined ? {} : { debugInfo }) };
  const run = runWasi(bytes, { args: [name], stdin: "null", engine: options });
  const e = await run.then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof RuntimeError, String(e));
  return e;
}

// Both builds name the file alike: DWARF 4 takes the compilation directory from .debug_info. The native engine maps
// the offsets of its rewritten code (with fuel: charges and checkpoints added) back to the original's.
for (const name of ["trap_lines.wasm", "trap_lines_dwarf4.wasm"]) {
  const file = "testdata/trap_lines.c";
  for (const [engine, fuel] of [["interpreter"], ["native"], ["native", 1e9]] as [EngineName, number?][]) {
    const config = `${engine}${fuel ? " with fuel" : ""}`;
    const skip = engine === "native" && !NATIVE_HAS_OFFSETS && "JavaScriptCore gives no wasm offsets";
    test(`StoreOptions.debugInfo (${config}): a trap in ${name} has file, line and column on each frame`, {
      skip,
    }, async () => {
      const trap = await trapOf(name, true, undefined, engine, fuel);
      assert.equal(trap.message, "integer divide by zero");
      const frames = trap.backtrace.slice(0, 4).map((f) => ({
        funcName: f.funcName,
        offset: f.offset,
        at: `${f.file}:${f.line}:${f.column}`,
      }));
      assert.deepEqual(frames, [
        { funcName: "divide", offset: 308, at: `${file}:4:16` }, // return total / count;
        { funcName: "average", offset: 531, at: `${file}:10:10` }, // return divide(total, count);
        { funcName: "report", offset: 671, at: `${file}:15:10` }, // return average(values, count);
        { funcName: "main", offset: 778, at: `${file}:20:10` }, // return report(argc - 1);
      ]);
      // wasi-libc's start code has line info too (crt1-command.c); its wrapper `_start.command_export` has none.
      const outer = trap.backtrace[trap.backtrace.length - 1]!;
      assert.equal(outer.funcName, "_start.command_export");
      assert.equal(outer.file, undefined);
      // RuntimeError.stack names the source position after each frame that has one.
      assert.match(trap.stack!, new RegExp(`at divide \\(.*\\) ${file}:4:16\n`));
    });
  }
}

test("native engine on JavaScriptCore: every frame named, without offsets or source positions", {
  skip: NATIVE_HAS_OFFSETS && "V8 gives offsets (the test above)",
}, async () => {
  for (const fuel of [undefined, 1e9]) {
    const trap = await trapOf("trap_lines.wasm", true, undefined, "native", fuel);
    assert.deepEqual(trap.backtrace.map((f) => [f.funcName, f.offset, f.file]), [
      ["divide", -1, undefined],
      ["average", -1, undefined],
      ["report", -1, undefined],
      ["main", -1, undefined],
      ["__main_void", -1, undefined],
      ["__original_main", -1, undefined],
      ["_start", -1, undefined],
      ["_start.command_export", -1, undefined],
    ]);
  }
});

test("StoreOptions.debugInfo: without a name section, frames are named from .debug_info (linkage names first)", async () => {
  const strip = (bytes: Uint8Array) => withoutCustomSection(bytes, "name");
  const plain = await trapOf("trap_lines.wasm", false, strip);
  assert.equal(plain.backtrace[0]!.funcName, undefined, "the name section is gone");
  const trap = await trapOf("trap_lines.wasm", true, strip);
  assert.deepEqual(trap.backtrace.slice(0, 4).map((f) => [f.funcName, f.line]), [
    ["divide", 4],
    ["average", 10],
    ["report", 15],
    ["__main_argc_argv", 20], // clang's DW_AT_linkage_name of `main(int, char **)`
  ]);
  // `_start.command_export` is made by the linker: no DWARF, no name.
  assert.equal(trap.backtrace[trap.backtrace.length - 1]!.funcName, undefined);
});

test("StoreOptions.debugInfo: off by default and when false, frames carry no source position", async () => {
  for (const debugInfo of [undefined, false]) {
    const trap = await trapOf("trap_lines.wasm", debugInfo);
    assert.equal(trap.backtrace[0]!.funcName, "divide");
    for (const frame of trap.backtrace) {
      assert.deepEqual([frame.file, frame.line, frame.column], [undefined, undefined, undefined]);
      assert.ok(!("file" in frame));
    }
  }
});
