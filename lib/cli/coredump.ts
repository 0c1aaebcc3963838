/**
 * `-D coredump=PATH`: a trap's state as a wasm coredump in the tool-conventions format
 * (https://github.com/WebAssembly/tool-conventions/blob/main/Coredump.md), what `wasmtime run -D coredump=…`
 * writes. The file is a wasm module (never instantiated) holding:
 *
 * - the custom section `core`: `0x00 executable-name:name`;
 * - one custom section `corestack`: `0x00 thread-name:name vec(frame)`, each frame
 *   `0x00 funcidx:u32 codeoffset:u32 locals:vec(value) stack:vec(value)`, innermost first. `codeoffset` counts from
 *   the function body's first instruction; Kiln records no locals or operand values, so both vectors are empty;
 * - a memory section and a data section with each memory's size and contents (one active segment per memory, up to
 *   its last non-zero byte), and a global section with each global's value as an immutable constant.
 *
 * @module
 */

import { ByteWriter } from "../binary/leb128.ts";
import { HeapType, heapTypeOf, isRefType, storageType, ValType } from "../binary/module.ts";
import type { WasmFrame } from "../errors.ts";
import type { Instance } from "../runtime/instance.ts";

const SECTION_CUSTOM = 0;
const SECTION_MEMORY = 5;
const SECTION_GLOBAL = 6;
const SECTION_DATA = 11;

function section(out: ByteWriter, id: number, body: ByteWriter): void {
  const bytes = body.finish();
  out.u8(id).u32(bytes.length).bytes(bytes);
}

function custom(out: ByteWriter, name: string, body: ByteWriter): void {
  const content = new ByteWriter().name(name);
  const bytes = body.finish();
  content.bytes(bytes);
  section(out, SECTION_CUSTOM, content);
}

/** Writes a global's value as a constant expression and returns the value type it declares. */
function constExpr(out: ByteWriter, type: number, cell: Int32Array): number {
  if (isRefType(type)) {
    // The coredump has no type section: a reference global is saved as a null of its abstract top type.
    const heap: number = heapTypeOf(storageType(type));
    const funcLike = heap === HeapType.func || heap === HeapType.nofunc;
    out.u8(0xd0).u8(funcLike ? HeapType.func : HeapType.extern).u8(0x0b);
    return funcLike ? ValType.funcref : ValType.externref;
  }
  const le = new Uint8Array(cell.buffer, cell.byteOffset, 16);
  switch (type) {
    case ValType.i32:
      out.u8(0x41).s32(cell[0]);
      break;
    case ValType.i64:
      out.u8(0x42).s64((BigInt(cell[1]) << 32n) | BigInt(cell[0] >>> 0));
      break;
    case ValType.f32:
      out.u8(0x43).bytes(le.subarray(0, 4));
      break;
    case ValType.f64:
      out.u8(0x44).bytes(le.subarray(0, 8));
      break;
    default: // v128
      out.u8(0xfd).u32(12).bytes(le);
  }
  out.u8(0x0b);
  return type;
}

/**
 * Encodes a coredump of `instance` stopped at a trap whose backtrace is `frames`.
 *
 * @param instance The instance whose memories and globals are saved.
 * @param frames The trap's wasm frames, innermost first (functions of `instance`'s module).
 * @param options `name`: the executable name recorded in the `core` section (the module's path).
 * @returns The coredump: a valid wasm module binary.
 * @example
 * ```ts
 * import { instantiate, parseWat } from "../../mod.ts";
 * import { encodeCoredump } from "./coredump.ts";
 * const { instance } = await instantiate(parseWat("(module (memory 1) (global i32 (i32.const 7)))"));
 * const dump = encodeCoredump(instance, [{ funcIndex: 0, offset: -1 }], { name: "app.wasm" });
 * console.log(WebAssembly.validate(dump)); // true
 * ```
 */
export function encodeCoredump(
  instance: Instance,
  frames: readonly WasmFrame[],
  options: { name: string },
): Uint8Array<ArrayBuffer> {
  const { memories, globals } = instance.state;
  const d = instance.module.decoded;
  const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

  custom(out, "core", new ByteWriter().u8(0).name(options.name));
  const importedFuncs = d.imports.filter((i) => i.desc.kind === "func").length;
  const stack = new ByteWriter().u8(0).name("main").u32(frames.length);
  for (const f of frames) {
    const body = d.codes[f.funcIndex - importedFuncs];
    const codeOffset = body !== undefined && f.offset >= body.start ? f.offset - body.start : 0;
    stack.u8(0).u32(f.funcIndex).u32(codeOffset).u32(0).u32(0);
  }
  custom(out, "corestack", stack);

  if (memories.length > 0) {
    const mem = new ByteWriter().u32(memories.length);
    for (const m of memories) {
      const flags = (m.maximum !== undefined ? 1 : 0) | (m.address === "i64" ? 4 : 0);
      mem.u8(flags).u32(m.pages);
      if (m.maximum !== undefined) mem.u32(m.maximum);
    }
    section(out, SECTION_MEMORY, mem);
  }
  if (globals.length > 0) {
    const glob = new ByteWriter().u32(globals.length);
    for (const g of globals) {
      const expr = new ByteWriter();
      const declared = constExpr(expr, g.type, g.cell);
      glob.u8(declared).u8(0).bytes(expr.finish());
    }
    section(out, SECTION_GLOBAL, glob);
  }
  if (memories.length > 0) {
    const data = new ByteWriter().u32(memories.length);
    memories.forEach((m, index) => {
      const bytes = m.bytes.subarray(0, m.pages * 65536);
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0) end--;
      // Active segment at offset 0: flags 0 for memory 0, else 2 with the memory index.
      if (index === 0) data.u8(0);
      else data.u8(2).u32(index);
      data.u8(m.address === "i64" ? 0x42 : 0x41).u8(0).u8(0x0b);
      data.u32(end).bytes(bytes.subarray(0, end));
    });
    section(out, SECTION_DATA, data);
  }
  return out.finish() as Uint8Array<ArrayBuffer>;
}
