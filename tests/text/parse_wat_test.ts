import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWat, WatParseError } from "../../lib/text/mod.ts";
import { UnsupportedFeatureError } from "../../lib/errors.ts";
import { parseF32, parseF64, parseInt, RangeLiteralError } from "../../lib/text/numbers.ts";

type Exports = Record<string, (...args: unknown[]) => unknown>;

/** Instantiates text with the host's native engine and returns its exports. */
function run(text: string, imports: WebAssembly.Imports = {}): Exports {
  const module = new WebAssembly.Module(parseWat(text) as BufferSource);
  return new WebAssembly.Instance(module, imports).exports as unknown as Exports;
}

function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

test("parseF32() rounds decimal literals directly to f32 (no double rounding)", () => {
  // 1.00000005960464477539062500000001 is just above the midpoint between 1 and 1+2^-23: rounds up in f32, but
  // through f64 first it would land exactly on the midpoint and round to even (down).
  assert.equal(parseF32("1.00000005960464477539062500000001"), 0x3f800001);
  assert.equal(parseF32("0x1.fffffep127"), 0x7f7fffff);
  assert.equal(parseF32("1e-45"), 1);
  assert.equal(parseF32("-0"), 0x80000000);
  assert.equal(parseF32("inf"), 0x7f800000);
  assert.equal(parseF32("-nan"), 0xffc00000);
  assert.equal(parseF32("nan:0x200000"), 0x7fa00000);
  assert.equal(parseF32("1_000.5"), f32Bits(1000.5));
  assert.equal(parseF32("0x1p-149"), 1);
  assert.throws(() => parseF32("0x1p128"), RangeLiteralError);
  assert.throws(() => parseF32("nan:0x800000"), RangeLiteralError);
  assert.equal(parseF32("1__0"), null);
  assert.equal(parseF32("0x"), null);
});

test("parseF64() handles hex, subnormals and payloads", () => {
  assert.equal(parseF64("0x1.fffffffffffffp1023"), 0x7fefffffffffffffn);
  assert.equal(parseF64("4.9e-324"), 1n);
  assert.equal(parseF64("2.4703282292062327e-324"), 0n); // below half the smallest subnormal: rounds to 0
  assert.equal(parseF64("2.4703282292062328e-324"), 1n);
  assert.equal(parseF64("nan:0x4"), 0x7ff0000000000004n);
  assert.equal(parseF64("0.1"), 0x3fb999999999999an);
  assert.throws(() => parseF64("1e309"), RangeLiteralError);
});

test("parseInt() accepts signed and unsigned ranges and rejects overflow", () => {
  assert.equal(parseInt("0xffffffff", 32), -1n);
  assert.equal(parseInt("-0x80000000", 32), -2147483648n);
  assert.equal(parseInt("1_234", 32), 1234n);
  assert.throws(() => parseInt("0x100000000", 32), RangeLiteralError);
  assert.throws(() => parseInt("-0x80000001", 32), RangeLiteralError);
  assert.equal(parseInt("18446744073709551615", 64), -1n);
  assert.equal(parseInt("_1", 32), null);
});

test("parseWat() encodes flat and folded instructions with symbolic names and labels", () => {
  const e = run(`(module
    (func $add (export "add") (param $a i32) (param $b i32) (result i32)
      local.get $a local.get $b i32.add)
    (func (export "fold") (param i32) (result i32)
      (i32.mul (call $add (local.get 0) (i32.const 1)) (i32.const 3)))
    (func (export "loop") (param $n i32) (result i32) (local $acc i32)
      block $done
        loop $again
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $acc (i32.add (local.get $acc) (local.get $n)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          br $again
        end $again
      end $done
      local.get $acc)
    (func (export "sel") (param i32) (result i64)
      (if (result i64) (local.get 0) (then (i64.const 0x7fff_ffff_ffff)) (else (i64.const -1)))))`);
  assert.equal(e.add(2, 3), 5);
  assert.equal(e.fold(4), 15);
  assert.equal(e.loop(10), 55);
  assert.equal(e.sel(1), 0x7fffffffffffn);
  assert.equal(e.sel(0), -1n);
});

test("parseWat() expands abbreviations: inline imports/exports, table elem, memory data, implicit types", () => {
  const got: number[] = [];
  const e = run(
    `(module
      (func $log (import "env" "log") (param i32))
      (memory (export "mem") (data "hello" "\\00\\u{1F600}"))
      (table $t funcref (elem $one $two))
      (global $g (export "g") (mut i32) (i32.const 40))
      (func $one (result i32) (i32.const 1))
      (func $two (result i32) (i32.const 2))
      (func (export "call") (param i32) (result i32)
        (call $log (local.get 0))
        (call_indirect $t (result i32) (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.load8_u offset=1 align=1 (local.get 0)))
      (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 2))))
      (elem declare func $one)
      (start $startfn)
      (func $startfn (call $log (i32.const 99))))`,
    { env: { log: (x: number) => got.push(x) } },
  );
  assert.equal(e.call(0), 1);
  assert.equal(e.call(1), 2);
  assert.deepEqual(got, [99, 0, 1]);
  assert.equal(e.load(0), "e".charCodeAt(0));
  assert.equal(e.load(5), 0xf0); // first byte of U+1F600 in UTF-8
  const mem = e.mem as unknown as WebAssembly.Memory;
  assert.equal(mem.buffer.byteLength, 65536);
  e.bump();
  assert.equal((e.g as unknown as WebAssembly.Global).value, 42);
});

test("parseWat() accepts bare module fields, module binary/quote and annotations", () => {
  assert.deepEqual(parseWat(`(func) (memory 1)`), parseWat(`(module (func) (memory 1))`));
  assert.deepEqual(
    parseWat(`(module binary "\\00asm" "\\01\\00\\00\\00")`),
    Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0),
  );
  assert.deepEqual(parseWat(`(module quote "(func)")`), parseWat(`(module (func))`));
  assert.deepEqual(
    parseWat(`(module (@custom "x" "y") (func (@name "f")) ;; line\n (; block (; nested ;) ;))`),
    parseWat(`(module (func))`),
  );
});

function parseError(text: string): WatParseError {
  try {
    parseWat(text);
  } catch (e) {
    if (e instanceof WatParseError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

test("parseWat() reports the spec's malformed wording with line and column", () => {
  const e = parseError("(module\n  (func\n    i32.bogus))");
  assert.match(e.message, /^unknown operator i32\.bogus at 3:5$/);
  assert.equal(e.line, 3);
  assert.equal(e.column, 5);
  assert.match(parseError("(module (func (i32.const 0x1_0000_0000)))").message, /constant out of range/);
  assert.match(parseError("(module (func block $a end $b))").message, /mismatching label/);
  assert.match(parseError("(module (func (br $nope)))").message, /unknown label/);
  assert.match(parseError("(module (func $f) (func $f))").message, /duplicate func/);
  assert.match(parseError("(module (func (param $x i32) (local $x i32)))").message, /duplicate local/);
  assert.match(parseError("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))").message, /alignment/);
  assert.match(parseError("(module (func (nop)").message, /unexpected end/);
  assert.match(parseError(`(module (export "\\ff" (func 0)) (func))`).message, /malformed UTF-8 encoding/);
  assert.match(
    parseError("(module (type $t (func)) (func (type $t) (param i32)))").message,
    /inline function type/,
  );
  assert.match(parseError('(module (func) (import "a" "b" (func)))').message, /import after function/);
  assert.match(parseError("(module (start 0) (start 0) (func))").message, /multiple start sections/);
  assert.match(parseError('(module (func $""))').message, /empty identifier/);
  assert.match(parseError("(module (func (f32.const nan:canonical)))").message, /unexpected token/);
  // Parameter names are allowed in function and import type uses, not in call_indirect's.
  assert.ok(parseWat(`(module (import "a" "b" (func (param $x i32))) (func (import "a" "c") (param $y i32)))`));
  assert.match(
    parseError("(module (table 1 funcref) (func (call_indirect (param $x i32) (i32.const 0) (i32.const 0))))").message,
    /unexpected token/,
  );
});

test("parseWat() names the unsupported proposal instead of failing to parse", () => {
  const feature = (text: string) => {
    try {
      parseWat(text);
    } catch (e) {
      if (e instanceof UnsupportedFeatureError) return [e.feature, e.message];
      throw e;
    }
    return null;
  };
  assert.deepEqual(feature("(module (func (param anyref)))"), ["gc", "unsupported: gc"]);
  assert.deepEqual(feature("(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))")?.[0], "threads");
  assert.deepEqual(feature("(module (func (param v128)))"), null); // SIMD is implemented
  assert.deepEqual(feature("(module (type (struct)))")?.[0], "gc");
  assert.deepEqual(feature("(module (rec (type (func))))")?.[0], "gc");
  assert.deepEqual(feature("(module (memory i64 1))"), null); // memory64 is implemented
  assert.deepEqual(feature("(module (func ref.eq))")?.[0], "gc");
  assert.deepEqual(feature("(module (memory 1 2 shared))")?.[0], "threads");
});

test("parseWat() writes a name section with module, function and local names", () => {
  const bytes = parseWat(
    `(module $m (import "e" "f" (func $imp)) (func $f (param $a i32) (local i32) (local $b f64)))`,
  );
  const module = new WebAssembly.Module(bytes as BufferSource);
  const [names] = WebAssembly.Module.customSections(module, "name");
  const text = new TextDecoder().decode(names);
  for (const word of ["m", "imp", "f", "a", "b"]) assert.ok(text.includes(word), `name section lacks ${word}`);
  // module subsection: id 0, size 2, name "m"; then the function names imp (index 0) and f (index 1)
  assert.deepEqual([...new Uint8Array(names).subarray(0, 4)], [0, 2, 1, "m".charCodeAt(0)]);
});
