import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWat, WatParseError } from "../../lib/text/mod.ts";
import { UnsupportedFeatureError } from "../../lib/errors.ts";
import { parseF32, parseF64, parseInt, parseLane, RangeLiteralError, V128_SHAPES } from "../../lib/text/numbers.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";

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
    parseWat(`(module (@unknown "x" "y") (func (@unknown "f")) ;; line\n (; block (; nested ;) ;))`),
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
  assert.deepEqual(feature("(module (func (param anyref)))"), null); // GC's types and instructions are parsed
  assert.deepEqual(feature("(module (func (drop (ref.i31 (i32.const 0)))))"), null);
  assert.deepEqual(feature("(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))")?.[0], "threads");
  assert.deepEqual(feature("(module (func (param v128)))"), null); // SIMD is implemented
  assert.deepEqual(feature("(module (type (struct)))"), null);
  assert.deepEqual(feature("(module (rec (type (func))))"), null);
  assert.deepEqual(feature("(module (memory i64 1))"), null); // memory64 is implemented
  assert.deepEqual(feature("(module (func ref.eq))"), null);
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

/** The instruction bytes of the first function's body (without its final `end`). */
function bodyOf(text: string): number[] {
  const m = decodeModule(parseWat(text));
  return [...m.bytes.subarray(m.codes[0]!.start, m.codes[0]!.end - 1)];
}

test("parseLane() reads integer lanes signed or unsigned within their width, and float lanes", () => {
  assert.equal(parseLane(V128_SHAPES.i8x16!, "-1"), 0xffn);
  assert.equal(parseLane(V128_SHAPES.i8x16!, "255"), 0xffn);
  assert.equal(parseLane(V128_SHAPES.i16x8!, "-0x8000"), 0x8000n);
  assert.equal(parseLane(V128_SHAPES.i64x2!, "-1"), 0xffff_ffff_ffff_ffffn);
  assert.equal(parseLane(V128_SHAPES.f32x4!, "nan:0x1"), 0x7f800001n);
  assert.equal(parseLane(V128_SHAPES.f64x2!, "-inf"), 0xfff0_0000_0000_0000n);
  assert.throws(() => parseLane(V128_SHAPES.i8x16!, "256"), RangeLiteralError);
  assert.throws(() => parseLane(V128_SHAPES.i8x16!, "-129"), RangeLiteralError);
  assert.equal(parseLane(V128_SHAPES.i32x4!, "1.5"), null);
});

test("parseWat() encodes v128.const in every shape, lane 0 first and little-endian", () => {
  const halves = (constant: string): [bigint, bigint] => {
    const e = run(`(module (global $v v128 ${constant})
      (func (export "lo") (result i64) (i64x2.extract_lane 0 (global.get $v)))
      (func (export "hi") (result i64) (i64x2.extract_lane 1 (global.get $v))))`);
    return [BigInt.asUintN(64, e.lo!() as bigint), BigInt.asUintN(64, e.hi!() as bigint)];
  };
  assert.deepEqual(halves("(v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1)"), [
    0x0706050403020100n,
    0xff0e0d0c0b0a0908n,
  ]);
  assert.deepEqual(halves("(v128.const i16x8 1 2 3 0xffff -32768 0 0 0x7fff)"), [
    0xffff000300020001n,
    0x7fff000000008000n,
  ]);
  assert.deepEqual(halves("(v128.const i32x4 -1 0x8000_0000 4294967295 1)"), [
    0x80000000ffffffffn,
    0x00000001ffffffffn,
  ]);
  assert.deepEqual(halves("(v128.const i64x2 -1 0x1234_5678_9abc_def0)"), [
    0xffffffffffffffffn,
    0x123456789abcdef0n,
  ]);
  assert.deepEqual(halves("(v128.const f32x4 1 -0x1p-149 nan:0x200000 -inf)"), [
    0x800000013f800000n,
    0xff8000007fa00000n,
  ]);
  assert.deepEqual(halves("(v128.const f64x2 0x1.8p1 -nan)"), [0x4008000000000000n, 0xfff8000000000000n]);
});

test("parseWat() reports malformed v128.const as the spec testsuite expects", () => {
  const error = (constant: string) => parseError(`(module (func (drop ${constant})))`).reason;
  assert.equal(error("(v128.const)"), "unexpected token");
  assert.equal(error("(v128.const 0 0 0 0)"), "unexpected token");
  assert.equal(error("(v128.const i32x4 1 2 3)"), "wrong number of lane literals");
  assert.equal(error("(v128.const i32x4 0x1_0000_0000 0 0 0 0)"), "wrong number of lane literals");
  assert.equal(error("(v128.const i16x8 0 0 0 0 0 0 0 65536)"), "constant out of range");
  assert.equal(error("(v128.const f32x4 0 0 0 1e39)"), "constant out of range");
  assert.equal(error("(v128.const i32x4 0 0 0 1.5)"), "unknown operator");
  assert.equal(error("(v128.const f64x2 0 nan:canonical)"), "unexpected token");
  assert.equal(error("(v128.const i8x16 _1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)"), "unknown operator");
});

test("parseWat() reads lane indices and i8x16.shuffle's 16 lanes, with the spec's errors", () => {
  const zero = "(v128.const i64x2 0 0)";
  assert.deepEqual(bodyOf(`(func (drop (i8x16.extract_lane_u 0x0f ${zero})))`).slice(18), [0xfd, 0x16, 15, 0x1a]);
  const shuffle = bodyOf(`(func (drop (i8x16.shuffle 31 1 2 3 4 5 6 7 8 9 10 11 12 13 14 0 ${zero} ${zero})))`);
  assert.deepEqual(shuffle.slice(36), [0xfd, 0x0d, 31, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 0x1a]);
  const error = (text: string) => parseError(`(module (func (drop ${text})))`).reason;
  assert.equal(error(`(i8x16.extract_lane_s -1 ${zero})`), "unexpected token");
  assert.equal(error(`(i8x16.extract_lane_s +1 ${zero})`), "unexpected token");
  assert.equal(error(`(i8x16.extract_lane_s 1.0 ${zero})`), "unexpected token");
  assert.equal(error(`(i8x16.extract_lane_s ${zero})`), "unexpected token");
  assert.equal(error(`(i8x16.extract_lane_s 256 ${zero})`), "i8 constant out of range");
  assert.equal(error(`(i8x16.shuffle 0 1 2 ${zero} ${zero})`), "invalid lane length");
  assert.equal(
    error(`(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 ${zero} ${zero})`),
    "invalid lane length",
  );
  assert.equal(
    error(`(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1 ${zero} ${zero})`),
    "i8 constant out of range",
  );
  assert.equal(
    error(`(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1.5 ${zero} ${zero})`),
    "i8 constant out of range",
  );
});

test("parseWat() encodes SIMD memargs: natural alignment, memory index, and the lane after load*_lane", () => {
  const zero = "(v128.const i64x2 0 0)";
  const access = (instr: string) => bodyOf(`(memory 1) (memory $m 1) (func ${instr})`);
  // v128.load: align 2^4; offset 0.
  assert.deepEqual(access("(drop (v128.load (i32.const 0)))").slice(2), [0xfd, 0x00, 4, 0, 0x1a]);
  assert.deepEqual(access("(drop (v128.load8x8_s (i32.const 0)))").slice(2), [0xfd, 0x01, 3, 0, 0x1a]);
  assert.deepEqual(access("(drop (v128.load16_splat (i32.const 0)))").slice(2), [0xfd, 0x08, 1, 0, 0x1a]);
  assert.deepEqual(access("(drop (v128.load32_zero (i32.const 0)))").slice(2), [0xfd, 0x5c, 2, 0, 0x1a]);
  assert.deepEqual(access("(drop (v128.load $m offset=3 align=1 (i32.const 0)))").slice(2), [
    0xfd,
    0x00,
    0x40,
    1,
    3,
    0x1a,
  ]);
  // `v128.load8_lane 1`: lane 1 of memory 0; `1 2`: memory 1, lane 2; `1 offset=0 1`: memory 1, lane 1.
  const lane = (imm: string) => access(`(drop (v128.load8_lane ${imm} (i32.const 0) ${zero}))`).slice(20, -1);
  assert.deepEqual(lane("1"), [0xfd, 0x54, 0, 0, 1]);
  assert.deepEqual(lane("1 2"), [0xfd, 0x54, 0x40, 1, 0, 2]);
  assert.deepEqual(lane("$m 3"), [0xfd, 0x54, 0x40, 1, 0, 3]);
  assert.deepEqual(lane("1 offset=0 1"), [0xfd, 0x54, 0x40, 1, 0, 1]);
  assert.deepEqual(lane("offset=7 align=1 0"), [0xfd, 0x54, 0, 7, 0]);
  const store = access(`(v128.store64_lane align=8 1 (i32.const 0) ${zero})`).slice(20);
  assert.deepEqual(store, [0xfd, 0x5b, 3, 0, 1]);
  assert.equal(
    parseError(`(module (memory 1) (func (drop (v128.load align=3 (i32.const 0)))))`).reason,
    "alignment must be a power of two",
  );
});

test("parseWat() accepts v128 wherever a value type may appear", () => {
  const e = run(`(module (global (export "g") v128 (v128.const i32x4 1 2 3 4)) (tag (param v128))
    (func (export "f") (param v128) (result i32) (local v128)
      (block (result v128) (local.get 0)) (local.set 1)
      (i32x4.extract_lane 3 (select (result v128) (local.get 1) (global.get 0) (i32.const 0)))))`);
  assert.equal(typeof e.f, "function");
});
