import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CustomAnnotationError, moduleToBinary, parseWast, parseWat } from "../../lib/text/mod.ts";
import { parseNameSection } from "../../lib/binary/decoder.ts";
import { compile, Module } from "../../mod.ts";

/** A module's sections in order: its id, and for a custom section its name and contents. */
function readSections(bytes: Uint8Array): { id: number; name?: string; contents?: Uint8Array }[] {
  let p = 8;
  const u32 = () => {
    let r = 0, shift = 0, b: number;
    do {
      b = bytes[p++];
      r |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return r >>> 0;
  };
  const out: { id: number; name?: string; contents?: Uint8Array }[] = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const end = u32() + p;
    if (id === 0) {
      const n = u32();
      out.push({ id, name: new TextDecoder().decode(bytes.subarray(p, p + n)), contents: bytes.slice(p + n, end) });
    } else out.push({ id });
    p = end;
  }
  return out;
}

/** A module's sections in order: a standard section as its id, a custom section as `name=contents`. */
function sections(bytes: Uint8Array): string[] {
  return readSections(bytes).map((s) =>
    s.id === 0 ? `${s.name}=${new TextDecoder().decode(s.contents)}` : String(s.id)
  );
}

/** The contents of the custom sections named `name`, in order. */
function customs(bytes: Uint8Array, name: string): Uint8Array[] {
  return readSections(bytes).filter((s) => s.id === 0 && s.name === name).map((s) => s.contents!);
}

function annotationError(text: string): CustomAnnotationError {
  try {
    parseWat(text);
  } catch (e) {
    if (e instanceof CustomAnnotationError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

test("parseWat() emits a (@custom …) section with its name and concatenated contents, after last by default", () => {
  const bytes = parseWat(`(module (@custom "hello" "ab" "" "c\\01") (func) (@custom "" ) (@custom "e"))`);
  assert.deepEqual(sections(bytes), ["1", "3", "10", "hello=abc\x01", "=", "e="]);
  // The sections' bytes exactly: id 0, size, name, contents.
  const hello = [0, 10, 5, ...new TextEncoder().encode("hello"), 0x61, 0x62, 0x63, 1];
  assert.deepEqual([...bytes.subarray(bytes.length - 19)], [...hello, 0, 1, 0, 0, 2, 1, 0x65]);
});

test("parseWat() places (@custom …) sections before or after a section's place, present or not", () => {
  const bytes = parseWat(`(module
    (@custom "a" (after last) "")
    (@custom "b" (before first) "")
    (@custom "c" (after func) "")
    (@custom "d" (before global) "")
    (@custom "e" (after memory) "")
    (@custom "f" (before code) "")
    (@custom "g" (after datacount) "")
    (@custom "h" (before type) "")
    (@custom "i" (after data) "")
    (@custom "j" (before tag) "")
    (type (func))
    (func (type 0))
    (global i32 (i32.const 0))
    (data "x"))`);
  // type 1, func 3, global 6, code 10, data 11; absent memory (5), tag (13), datacount (12) still order.
  assert.deepEqual(sections(bytes), [
    "b=",
    "h=",
    "1",
    "3",
    "c=",
    "e=",
    "j=",
    "d=",
    "6",
    "g=",
    "f=",
    "10",
    "11",
    "a=",
    "i=",
  ]);
});

test("parseWat() reads a (@custom …) annotation of bare module fields and of a quoted module", () => {
  assert.deepEqual(sections(parseWat(`(@custom "x" "1") (func)`)), ["1", "3", "10", "x=1"]);
  assert.deepEqual(sections(parseWat(`(module quote "(@custom \\"y\\" \\"2\\")")`)), ["y=2"]);
  const [cmd] = parseWast(`(module definition (@custom "z" "3") (func))`);
  assert.ok(cmd.type === "module");
  assert.deepEqual(sections(moduleToBinary(cmd.module.expr)), ["1", "3", "10", "z=3"]);
});

test("parseWat() ignores unknown annotations anywhere, and its output for ordinary modules is unchanged", () => {
  const plain = parseWat(`(module $m (func $f (param $p i32) (local i32) local.get 0 drop))`);
  const annotated = parseWat(`(@foo) (module $m (@a b (c "d") e) (func $f (@x) (param $p i32) (@"y z" 1)
    (local i32) (@what) local.get 0 (@ever) drop (@more)))`);
  assert.deepEqual(annotated, plain);
  // Kiln names functions and locals from identifiers; no other section appears.
  assert.deepEqual(sections(plain).filter((s) => !/^\d+$/.test(s)).length, 1);
});

test("parseWat() gives (@name …) names to the module, functions, parameters and locals", () => {
  const bytes = parseWat(`(module $id (@name "Modül")
    (import "m" "f" (func $imp (@name "imported") (param i32)))
    (func (@name "λ") (param (@name "p0") i32) (param $p1 i32) (local $l (@name "local") i64) (local f32))
    (func $lambda (@name "named"))
    (func $plain))`);
  const names = parseNameSection(customs(bytes, "name")[0])!;
  assert.equal(names.module, "Modül");
  assert.deepEqual([...names.functions], [[0, "imported"], [1, "λ"], [2, "named"], [3, "plain"]]);
  assert.deepEqual([...names.locals], [[1, new Map([[0, "p0"], [1, "p1"], [2, "local"]])]]);
});

test("parseWat() writes (@name …) names of tags, globals, memories, tables, types, elements and data", () => {
  const bytes = parseWat(`(module
    (type (@name "t") (func))
    (tag (@name "θ") (type 0))
    (global $g (@name "g") i32 (i32.const 0))
    (memory (@name "mem") 1)
    (table (@name "tab") 1 funcref)
    (elem (@name "e") func)
    (data (@name "d") ""))`);
  const name = (s: string) => [new TextEncoder().encode(s).length, ...new TextEncoder().encode(s)];
  const sub = (id: number, index: number, s: string) => {
    const body = [1, index, ...name(s)];
    return [id, body.length, ...body];
  };
  assert.deepEqual([...customs(bytes, "name")[0]], [
    ...sub(4, 0, "t"),
    ...sub(5, 0, "tab"),
    ...sub(6, 0, "mem"),
    ...sub(7, 0, "g"),
    ...sub(8, 0, "e"),
    ...sub(9, 0, "d"),
    ...sub(11, 0, "θ"),
  ]);
});

test("parseWat() encodes branch hints as the metadata.code.branch_hint section, before the code section", () => {
  const bytes = parseWat(`(module
    (func $no_hints)
    (func (param i32) (local i32 i64)
      local.get 0
      (@metadata.code.branch_hint "\\01") if end
      (block local.get 0 (@metadata.code.branch_hint "\\01") br_if 0
        (@metadata.code.branch_hint "\\00") (br_if 0 (local.get 0)))
      (@metadata.code.branch_hint "\\00")
      (if (local.get 0) (then))))`);
  const order = sections(bytes).map((s) => s.split("=")[0]);
  assert.deepEqual(order, ["1", "3", "metadata.code.branch_hint", "10", "name"]);
  // Offsets count from the body's start, its locals `02 01 7f 01 7e`: `local.get 0` at 5, so the flat `if` at 7;
  // `end` at 9, `block` at 10, `local.get 0` at 12: the flat `br_if` at 14; the folded one after its operand,
  // at 18; `end` at 20, then the folded `if`'s condition: the `if` at 23.
  assert.deepEqual([...customs(bytes, "metadata.code.branch_hint")[0]], [
    1, // one function
    1, // function index 1
    4, // four hints: offset, size 1, hint
    7,
    1,
    1,
    14,
    1,
    1,
    18,
    1,
    0,
    23,
    1,
    0,
  ]);
});

test("parseWat() rejects a malformed @custom annotation with the reference interpreter's wording", () => {
  const cases: [string, string][] = [
    [`(@custom)`, "@custom annotation: missing section name"],
    [`(@custom 4)`, "@custom annotation: missing section name"],
    [`(@custom "\\df")`, "@custom annotation: malformed UTF-8 encoding"],
    [`(@custom "a" here)`, "@custom annotation: unexpected token"],
    [`(@custom "a" (after))`, "@custom annotation: malformed section kind"],
    [`(@custom "a" (type))`, "@custom annotation: malformed placement"],
    [`(@custom "a" (before types))`, "@custom annotation: malformed section kind"],
    [`(@custom "a" (before type extra))`, "@custom annotation: unexpected token"],
    [`(@custom "a" "b" (after last))`, "@custom annotation: unexpected token"],
    [`(type (@custom "a") $t (func))`, "misplaced @custom annotation"],
    [`(func (block (@custom "a")))`, "misplaced @custom annotation"],
    [`(func (nop (@custom "a")))`, "misplaced @custom annotation"],
    [`(@custom "a") (module)`, "misplaced @custom annotation"],
  ];
  for (const [text, reason] of cases) {
    const e = annotationError(text);
    assert.equal(e.reason, reason, text);
    assert.equal(e.kind, "malformed", text);
  }
  assert.equal(annotationError(`(func\n  (@custom "a"))`).line, 2);
});

test("parseWat() rejects a malformed or misplaced @name annotation", () => {
  const cases: [string, string][] = [
    [`(module (@name "M1") (@name "M2"))`, "@name annotation: multiple module names"],
    [`(module (func) (@name "M"))`, "misplaced @name annotation"],
    [`(module (start $f (@name "M")) (func $f))`, "misplaced @name annotation"],
    [`(module (func (export "f") (@name "f")))`, "misplaced @name annotation"],
    [`(module (func (local (@name "l") i32 i32)))`, "misplaced @name annotation"],
    [`(module (func (@name "a") (@name "b")))`, "@name annotation: multiple names"],
    [`(module (func (@name)))`, "@name annotation: string expected"],
    [`(module (func (@name "a" "b")))`, "@name annotation: unexpected token"],
    [`(module (func (@name "\\ff")))`, "@name annotation: malformed UTF-8 encoding"],
  ];
  for (const [text, reason] of cases) {
    const e = annotationError(text);
    assert.equal(e.reason, reason, text);
    assert.equal(e.kind, "malformed", text);
  }
});

test("parseWat() rejects malformed branch hints, and one on an instruction other than if or br_if as invalid", () => {
  const hint = `@metadata.code.branch_hint`;
  const malformed: [string, string][] = [
    [`(func i32.const 0 (${hint} "\\01") (${hint} "\\01") if end)`, `${hint} annotation: duplicate annotation`],
    [`(${hint} "\\01") (func)`, `${hint} annotation: not in a function`],
    [`(global i32 (${hint} "\\01") (i32.const 0))`, `${hint} annotation: not in a function`],
    [`(func (${hint} "\\01"))`, `${hint} annotation: invalid placement`],
    [`(func (${hint} "\\01") (param i32))`, `${hint} annotation: invalid placement`],
    [`(func i32.const 0 (${hint} "\\02") if end)`, `${hint} annotation: invalid hint value`],
    [`(func i32.const 0 (${hint} "\\00\\01") if end)`, `${hint} annotation: invalid hint value`],
    [`(func i32.const 0 (${hint} 1) if end)`, `${hint} annotation: unexpected token`],
  ];
  for (const [text, reason] of malformed) {
    const e = annotationError(text);
    assert.equal(e.reason, reason, text);
    assert.equal(e.kind, "malformed", text);
  }
  for (const text of [`(func (${hint} "\\01") nop)`, `(func (${hint} "\\01") (block))`]) {
    const e = annotationError(text);
    assert.equal(e.reason, `${hint} annotation: invalid target`, text);
    assert.equal(e.kind, "invalid", text);
  }
});

const SPEC = fileURLToPath(new URL("../../../shared/spec-testsuite/custom/", import.meta.url));

if (existsSync(SPEC)) {
  test("the spec's assert_*_custom modules fail with a CustomAnnotationError of the asserted kind", () => {
    let checked = 0;
    for (const file of ["custom_annot.wast", "name_annot.wast", "branch_hint.wast"]) {
      for (const cmd of parseWast(readFileSync(SPEC + file, "utf8"))) {
        if (cmd.type !== "assert_malformed" && cmd.type !== "assert_invalid") continue;
        assert.equal(cmd.custom, true);
        assert.throws(() => moduleToBinary(cmd.module.expr), (e) => {
          assert.ok(e instanceof CustomAnnotationError, `${file}:${cmd.line}: ${e}`);
          assert.equal(e.kind, cmd.type === "assert_malformed" ? "malformed" : "invalid", `${file}:${cmd.line}`);
          assert.ok(e.reason.startsWith(cmd.text), `${file}:${cmd.line}: ${e.reason}`);
          return true;
        });
        checked++;
      }
    }
    assert.equal(checked, 20);
  });
} else {
  test("the spec's assert_*_custom modules", { skip: "../shared/spec-testsuite is absent" }, () => {});
}

test("Module.customSections() exposes a section written as (@custom …)", async () => {
  const m = await compile(parseWat(`(module (@custom "meta" (before first) "\\00\\ffdata") (func))`));
  const [section] = Module.customSections(m, "meta");
  assert.deepEqual([...new Uint8Array(section)], [0, 0xff, ...new TextEncoder().encode("data")]);
  assert.deepEqual(Module.customSections(m, "other"), []);
  // The host engine reads the same bytes.
  const host = new WebAssembly.Module(parseWat(`(module (@custom "meta" "abc"))`) as BufferSource);
  assert.deepEqual([...new Uint8Array(WebAssembly.Module.customSections(host, "meta")[0])], [0x61, 0x62, 0x63]);
});
