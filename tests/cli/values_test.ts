import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFloat, formatInvokeResult, parseInvokeArg } from "../../lib/cli/values.ts";

const f32Bits = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0];
const f64Bits = (x: number) => new BigInt64Array(new Float64Array([x]).buffer)[0];

test("parseInvokeArg() parses integers in decimal and 0x hex with Rust's range errors", () => {
  assert.equal(parseInvokeArg("42", "i32"), 42);
  assert.equal(parseInvokeArg("-2147483648", "i32"), -2147483648);
  assert.equal(parseInvokeArg("0xff", "i32"), 255);
  assert.equal(parseInvokeArg("+7", "i32"), 7);
  assert.equal(parseInvokeArg("-9223372036854775808", "i64"), -(2n ** 63n));
  assert.equal(parseInvokeArg("0x7fffffffffffffff", "i64"), 2n ** 63n - 1n);
  assert.throws(() => parseInvokeArg("2147483648", "i32"), /number too large to fit in target type/);
  assert.throws(() => parseInvokeArg("-2147483649", "i32"), /number too small to fit in target type/);
  assert.throws(() => parseInvokeArg("12abc", "i64"), /invalid digit found in string/);
  assert.throws(() => parseInvokeArg("", "i32"), /cannot parse integer from empty string/);
  assert.throws(() => parseInvokeArg("1.5", "i32"), /invalid digit found in string/);
});

test("parseInvokeArg() parses floats in Rust's syntax into raw bit patterns", () => {
  assert.equal(parseInvokeArg("1.5", "f32"), f32Bits(1.5));
  assert.equal(parseInvokeArg("-0", "f32"), f32Bits(-0));
  assert.equal(parseInvokeArg("inf", "f32"), f32Bits(Infinity));
  assert.equal(parseInvokeArg("-Infinity", "f64"), f64Bits(-Infinity));
  assert.equal(parseInvokeArg("1e3", "f64"), f64Bits(1000));
  assert.equal(parseInvokeArg(".5", "f64"), f64Bits(0.5));
  assert.equal(parseInvokeArg("0.1", "f32"), f32Bits(Math.fround(0.1)));
  assert.ok(Number.isNaN(new Float64Array(new BigInt64Array([parseInvokeArg("NaN", "f64") as bigint]).buffer)[0]));
  assert.throws(() => parseInvokeArg("0x10", "f64"), /invalid float literal/);
  assert.throws(() => parseInvokeArg("one", "f32"), /invalid float literal/);
  assert.throws(() => parseInvokeArg("1", "externref"), /unsupported argument type/);
});

test("formatFloat() prints like Rust's Display: shortest round-trip digits, no exponent", () => {
  assert.equal(formatFloat(3, false), "3");
  assert.equal(formatFloat(0.5, false), "0.5");
  assert.equal(formatFloat(-0, false), "-0");
  assert.equal(formatFloat(1e21, false), "1000000000000000000000");
  assert.equal(formatFloat(1.5e-7, false), "0.00000015");
  assert.equal(formatFloat(0.1 + 0.2, false), "0.30000000000000004");
  assert.equal(formatFloat(Math.fround(0.1), true), "0.1");
  assert.equal(formatFloat(Math.fround(16777217), true), "16777216");
  assert.equal(formatFloat(Math.fround(3.4028234663852886e38), true), "340282350000000000000000000000000000000");
  assert.equal(formatFloat(NaN, true), "NaN");
  assert.equal(formatFloat(-Infinity, false), "-inf");
  assert.equal(formatFloat(Infinity, true), "inf");
});

test("formatInvokeResult() prints each value type as Wasmtime does", () => {
  assert.equal(formatInvokeResult(-1, "i32"), "-1");
  assert.equal(formatInvokeResult(-5n, "i64"), "-5");
  assert.equal(formatInvokeResult(0xffffffffffffffffn, "i64"), "-1");
  assert.equal(formatInvokeResult(f32Bits(2.5), "f32"), "2.5");
  assert.equal(formatInvokeResult(f64Bits(Math.SQRT2), "f64"), "1.4142135623730951");
  assert.equal(formatInvokeResult(null, "funcref"), "<null funcref>");
  assert.equal(formatInvokeResult({}, "externref"), "<externref>");
});
