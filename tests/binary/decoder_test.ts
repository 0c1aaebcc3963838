import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule, parseNameSection } from "../../lib/binary/decoder.ts";
import { CompileError, UnsupportedFeatureError } from "../../lib/errors.ts";
import { parseWat, validate } from "../../mod.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A module from the header plus `sections` (raw bytes). */
const mod = (...sections: number[][]) => new Uint8Array([...HEADER, ...sections.flat()]);

/** A section with its id and size prefix (size < 128). */
const section = (id: number, ...content: number[]) => [id, content.length, ...content];

async function wat(text: string, features: Record<string, boolean> = {}): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const parsed = wabt.parseWat("test.wat", text, features);
  try {
    return new Uint8Array(parsed.toBinary({ write_debug_names: true }).buffer);
  } finally {
    parsed.destroy();
  }
}

function assertMalformed(bytes: Uint8Array, message: string): void {
  assert.throws(() => decodeModule(bytes), (e: unknown) => {
    assert.ok(e instanceof CompileError, `expected CompileError, got ${e}`);
    assert.ok(e.message.includes(message), `expected "${message}", got "${e.message}"`);
    return true;
  });
}

function assertUnsupported(bytes: Uint8Array, feature: string): void {
  assert.throws(() => decodeModule(bytes), (e: unknown) => {
    assert.ok(e instanceof UnsupportedFeatureError, `expected UnsupportedFeatureError, got ${e}`);
    assert.equal(e.feature, feature);
    return true;
  });
}

test("decodeModule() decodes every section of a module built by wabt", async () => {
  const bytes = await wat(`(module $m
    (type $t (func (param i32 i64) (result f32)))
    (import "env" "f" (func $imp (type $t)))
    (import "env" "t" (table 1 2 funcref))
    (import "env" "m" (memory 1))
    (import "env" "g" (global $gi i32))
    (table $tab 3 externref)
    (global $g (mut f64) (f64.const 1.5))
    (global $h i64 (i64.const -7))
    (func $f (type $t) (local i32 i32 f64) (f32.const 0))
    (func $start)
    (export "f" (func $f))
    (export "mem" (memory 0))
    (start $start)
    (elem (i32.const 0) $f $imp)
    (elem funcref (ref.func $f) (ref.null func))
    (elem declare func $start)
    (data (i32.const 8) "hi")
    (data "passive")
    (func $uses (data.drop 1))
  )`);
  const m = decodeModule(bytes);
  assert.equal(m.types.length, 2); // wabt shares the type of $start and $uses
  assert.deepEqual(m.types[0], { params: [0x7f, 0x7e], results: [0x7d] });
  assert.equal(m.imports.length, 4);
  assert.deepEqual(m.imports[0], { module: "env", name: "f", desc: { kind: "func", typeIndex: 0 } });
  assert.deepEqual(m.imports[1]!.desc, {
    kind: "table",
    type: { address: "i32", elem: 0x70, limits: { min: 1, max: 2 } },
  });
  assert.deepEqual(m.imports[2]!.desc, {
    kind: "memory",
    type: { address: "i32", limits: { min: 1 }, shared: false },
  });
  assert.deepEqual(m.imports[3]!.desc, { kind: "global", type: { type: 0x7f, mutable: false } });
  assert.deepEqual([m.importedFuncs, m.importedTables, m.importedMemories, m.importedGlobals], [1, 1, 1, 1]);
  assert.equal(m.funcs.length, 3);
  assert.deepEqual(m.tables, [{ address: "i32", elem: 0x6f, limits: { min: 3 } }]);
  assert.equal(m.globals.length, 2);
  assert.deepEqual(m.globals[0]!.type, { type: 0x7c, mutable: true });
  assert.deepEqual(m.globals[0]!.init.instrs, [{ op: "f64.const", bits: 0x3ff8000000000000n }]);
  assert.deepEqual(m.globals[1]!.init.instrs, [{ op: "i64.const", value: -7n }]);
  assert.deepEqual(m.exports, [{ name: "f", kind: "func", index: 1 }, { name: "mem", kind: "memory", index: 0 }]);
  assert.equal(m.start, 2);
  assert.equal(m.elems.length, 3);
  assert.equal(m.elems[0]!.mode, "active");
  assert.deepEqual(m.elems[0]!.offset!.instrs, [{ op: "i32.const", value: 0 }]);
  assert.deepEqual(m.elems[0]!.init.map((e) => e.instrs), [[{ op: "ref.func", funcIndex: 1 }], [{
    op: "ref.func",
    funcIndex: 0,
  }]]);
  assert.equal(m.elems[1]!.mode, "passive");
  assert.deepEqual(m.elems[1]!.init[1]!.instrs, [{ op: "ref.null", type: 0x70 }]);
  assert.equal(m.elems[2]!.mode, "declarative");
  assert.equal(m.datas.length, 2);
  assert.equal(new TextDecoder().decode(m.datas[0]!.bytes), "hi");
  assert.equal(m.datas[1]!.mode, "passive");
  assert.equal(m.dataCount, 2);
  assert.equal(m.codes.length, 3);
  assert.deepEqual(m.codes[0]!.locals, [{ count: 2, type: 0x7f }, { count: 1, type: 0x7c }]);
  assert.equal(m.codes[0]!.localCount, 3);
  const body = m.codes[0]!;
  assert.equal(bytes[body.start], 0x43); // f32.const
  assert.equal(bytes[body.end - 1], 0x0b); // end
  assert.equal(m.names.module, "m");
  assert.equal(m.names.functions.get(1), "f");
  assert.ok(m.customs.some((c) => c.name === "name"));
});

test("decodeModule() rejects bad headers with the spec's wording", () => {
  assertMalformed(new Uint8Array([]), "unexpected end");
  assertMalformed(new Uint8Array([0, 0x61, 0x73]), "unexpected end");
  assertMalformed(new Uint8Array([0, 0x41, 0x53, 0x4d, 1, 0, 0, 0]), "magic header not detected");
  assertMalformed(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0]), "unexpected end");
  assertMalformed(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), "unknown binary version");
});

test("decodeModule() checks section ids, order, and sizes", () => {
  assertMalformed(mod([0x0e, 0x01, 0x00]), "malformed section id");
  assertMalformed(mod(section(1, 0x00), section(1, 0x00)), "unexpected content after last section");
  assertMalformed(mod(section(6, 0x00), section(2, 0x00)), "unexpected content after last section");
  assertMalformed(mod([0x01, 0x07, 0x01, 0x60, 0x00, 0x00]), "length out of bounds");
  assertMalformed(mod([0x01, 0x07, 0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00]), "section size mismatch");
  assertMalformed(mod([0x04, 0x01, 0x01]), "unexpected end of section or function");
  // A custom section is kept and may appear anywhere.
  const m = decodeModule(mod(section(0, 0x03, 0x61, 0x62, 0x63, 0x09), section(1, 0x00), section(0, 0x01, 0x78)));
  assert.deepEqual(m.customs.map((c) => [c.name, [...c.bytes]]), [["abc", [9]], ["x", []]]);
  assertMalformed(mod(section(0)), "unexpected end");
});

test("decodeModule() rejects malformed names, kinds, limits and mutability", () => {
  assertMalformed(mod(section(0, 0x02, 0xc0, 0x80)), "malformed UTF-8 encoding");
  assertMalformed(mod(section(2, 0x01, 0x00, 0x00, 0x05)), "malformed import kind");
  assertMalformed(mod(section(7, 0x01, 0x00, 0x05, 0x00)), "malformed export kind");
  assertMalformed(mod(section(5, 0x01, 0x10, 0x00)), "malformed limits flags");
  assertMalformed(mod(section(5, 0x01, 0x08)), "malformed limits flags");
  assertMalformed(mod(section(4, 0x01, 0x70, 0x81, 0x00)), "malformed limits flags");
  assertMalformed(mod(section(6, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b)), "malformed mutability");
  assertMalformed(
    mod(section(5, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x70)),
    "integer too large",
  );
  assertMalformed(mod(section(9, 0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b)), "malformed reference type");
  assertMalformed(mod(section(9, 0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b)), "illegal opcode");
});

test("decodeModule() checks function bodies and the counts that must agree", () => {
  const type = section(1, 0x01, 0x60, 0x00, 0x00);
  const func = section(3, 0x01, 0x00);
  assertMalformed(mod(type, func), "function and code section have inconsistent lengths");
  assertMalformed(
    mod(type, section(10, 0x01, 0x02, 0x00, 0x0b)),
    "function and code section have inconsistent lengths",
  );
  // Missing `end` at the end of the file, and followed by another section.
  assertMalformed(mod(type, func, section(10, 0x01, 0x04, 0x00, 0x41, 0x01, 0x1a)), "unexpected end");
  assertMalformed(
    mod(type, func, section(10, 0x01, 0x04, 0x00, 0x41, 0x01, 0x1a), section(11, 0x01, 0x01, 0x00)),
    "section size mismatch",
  );
  assertMalformed(mod(type, func, section(10, 0x01, 0x04, 0x00, 0x05, 0x00, 0x0b)), "END opcode expected");
  assertMalformed(mod(type, func, section(10, 0x01, 0x05, 0x00, 0x00, 0xff, 0x00, 0x0b)), "illegal opcode ff");
  assertMalformed(
    mod(type, func, section(10, 0x01, 0x0a, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7e, 0x0b)),
    "too many locals",
  );
  assertMalformed(
    mod(type, func, section(10, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x00, 0x0b), section(11, 0x01, 0x01, 0x00)),
    "data count section required",
  );
  assertMalformed(mod(section(12, 0x01)), "data count and data section have inconsistent lengths");
  assertMalformed(
    mod(section(12, 0x02), section(11, 0x01, 0x01, 0x00)),
    "data count and data section have inconsistent lengths",
  );
  const ok = decodeModule(mod(type, func, section(10, 0x01, 0x04, 0x00, 0x41, 0x0b, 0x0b)));
  assert.equal(ok.codes[0]!.end - ok.codes[0]!.start, 3);
});

test("decodeModule() reads the 64-bit address type of memories and tables (limits flag bit 2, u64 limits)", () => {
  // memory i64 1 0x1_0000_0000 (above any 32-bit limit), table i64 2 funcref
  const m = decodeModule(mod(
    section(4, 0x01, 0x70, 0x04, 0x02),
    section(5, 0x01, 0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10),
  ));
  assert.deepEqual(m.memories, [{ address: "i64", limits: { min: 1, max: 2 ** 32 }, shared: false }]);
  assert.deepEqual(m.tables, [{ address: "i64", elem: 0x70, limits: { min: 2 } }]);
});

test("decodeModule() keeps 64-bit table limits above 2^53 in their exact order for validation (rounded numbers)", () => {
  const valid = (min: string, max: string) => validate(parseWat(`(module (table i64 ${min} ${max} funcref))`));
  assert.equal(valid("0xffff_ffff_ffff_ffff", "0xffff_ffff_ffff_fffe"), false);
  assert.equal(valid("0x20_0000_0000_0001", "0x20_0000_0000_0000"), false);
  assert.equal(valid("0xffff_ffff_ffff_fffe", "0xffff_ffff_ffff_ffff"), true);
  assert.equal(valid("0xffff_ffff_ffff_ffff", "0xffff_ffff_ffff_ffff"), true);
});

test("decodeModule() reports proposals Kiln does not implement as unsupported", () => {
  // GC's types are decoded (its instructions are not yet): an empty rec group, `(func (param anyref))`, a struct.
  assert.equal(decodeModule(mod(section(1, 0x01, 0x4e, 0x00))).types.length, 0);
  assert.deepEqual(decodeModule(mod(section(1, 0x01, 0x60, 0x01, 0x6e, 0x00))).types[0]!.params, [0x6e]);
  assert.deepEqual(decodeModule(mod(section(1, 0x01, 0x5f, 0x01, 0x78, 0x01))).subtypes[0]!.comp, {
    kind: "struct",
    fields: [{ type: 0x78, mutable: true }],
  });
  // Typed function references are decoded: `(ref func)` and `(ref null 0)` as packed value types.
  const typed = decodeModule(mod(section(1, 0x01, 0x60, 0x02, 0x64, 0x70, 0x63, 0x00, 0x00)));
  assert.deepEqual(typed.types[0]!.params, [0x170, 0x200]);
  assertUnsupported(mod(section(5, 0x01, 0x08, 0x00, 0x10)), "custom-page-sizes");
  const type = section(1, 0x01, 0x60, 0x00, 0x00);
  const func = section(3, 0x01, 0x00);
  // GC instructions in bodies are decoded (instantiation refuses them); in constant expressions not yet.
  decodeModule(mod(type, func, section(10, 0x01, 0x03, 0x00, 0xd3, 0x0b))); // ref.eq
  assertUnsupported(mod(type, func, section(10, 0x01, 0x04, 0x00, 0xfe, 0x03, 0x0b)), "threads");
  // A constant GC instruction: (global i31ref (ref.i31 (i32.const 0))); a non-constant one is refused.
  const i31 = decodeModule(mod(section(6, 0x01, 0x6c, 0x00, 0x41, 0x00, 0xfb, 0x1c, 0x0b))).globals[0]!.init;
  assert.deepEqual(i31.instrs[1], { op: "gc", sub: 28, name: "ref.i31", typeIndex: 0, count: 0 });
  assertMalformed(mod(section(6, 0x01, 0x7f, 0x00, 0xfb, 0x0f, 0x0b)), "constant expression required"); // array.len
  // `(ref null func)` is funcref spelled long: supported.
  assert.deepEqual(decodeModule(mod(section(1, 0x01, 0x60, 0x01, 0x63, 0x70, 0x00))).types[0]!.params, [0x70]);
  // A shared memory keeps its shape; the validator reports it.
  assert.equal(decodeModule(mod(section(5, 0x01, 0x03, 0x01, 0x02))).memories[0]!.shared, true);
});

test("parseNameSection() is lenient: a malformed name section is ignored", () => {
  assert.equal(parseNameSection(new Uint8Array([0x01, 0x05, 0x01, 0x00, 0x09])), undefined);
  const names = parseNameSection(new Uint8Array([0x00, 0x02, 0x01, 0x6d, 0x01, 0x04, 0x01, 0x00, 0x01, 0x66]));
  assert.equal(names?.module, "m");
  assert.equal(names?.functions.get(0), "f");
  const m = decodeModule(mod(section(0, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x09)));
  assert.equal(m.names.functions.size, 0);
});

test("decodeModule() reads the tag section, tag imports and tag exports", () => {
  const type = section(1, 0x01, 0x60, 0x01, 0x7f, 0x00); // (func (param i32))
  const imports = section(2, 0x01, 0x01, 0x6d, 0x01, 0x74, 0x04, 0x00, 0x00); // (import "m" "t" (tag (type 0)))
  const tags = section(13, 0x02, 0x00, 0x00, 0x00, 0x00); // two tags of type 0
  const exports = section(7, 0x01, 0x01, 0x65, 0x04, 0x02); // (export "e" (tag 2))
  const m = decodeModule(mod(type, imports, tags, exports));
  assert.deepEqual(m.tags, [0, 0]);
  assert.equal(m.importedTags, 1);
  assert.deepEqual(m.imports[0]!.desc, { kind: "tag", typeIndex: 0 });
  assert.deepEqual(m.exports[0], { name: "e", kind: "tag", index: 2 });
  assertMalformed(mod(type, section(13, 0x01, 0x01, 0x00)), "malformed tag attribute");
  // The tag section sits between the memory and global sections.
  assertMalformed(mod(type, section(6, 0x00), section(13, 0x00)), "unexpected content after last section");
  // exnref (0x69) is a value type, and so is (ref exn), packed as 0x169.
  assert.deepEqual(decodeModule(mod(section(1, 0x01, 0x60, 0x01, 0x69, 0x00))).types[0]!.params, [0x69]);
  assert.deepEqual(decodeModule(mod(section(1, 0x01, 0x60, 0x01, 0x64, 0x69, 0x00))).types[0]!.params, [0x169]);
});

test("decodeModule() reads v128 as a value type and v128.const in constant expressions (its 16 bytes)", () => {
  const m = decodeModule(mod(
    section(1, 0x01, 0x60, 0x01, 0x7b, 0x01, 0x7b),
    section(6, 0x01, 0x7b, 0x00, 0xfd, 0x0c, ...Array.from({ length: 16 }, (_, i) => i), 0x0b),
  ));
  assert.deepEqual(m.types[0], { params: [0x7b], results: [0x7b] });
  const init = m.globals[0]!.init.instrs[0]!;
  assert.equal(init.op, "v128.const");
  assert.deepEqual(init.op === "v128.const" && [...init.bytes], Array.from({ length: 16 }, (_, i) => i));
  // Any other SIMD instruction is no constant: i32x4.splat.
  assertMalformed(mod(section(6, 0x01, 0x7b, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b)), "constant expression required");
});
