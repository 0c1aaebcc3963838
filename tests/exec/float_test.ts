import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ceil,
  f32ConvertI64S,
  f32ConvertI64U,
  f64ConvertI64U,
  floor,
  fmax,
  fmin,
  nearest,
  trunc,
  truncI32S,
  truncI32U,
  truncI64S,
  truncI64U,
  truncSatI32S,
  truncSatI32U,
  truncSatI64S,
  truncSatI64U,
} from "../../lib/exec/float.ts";
import { RuntimeError } from "../../lib/errors.ts";

test("nearest() rounds ties to even and keeps the sign of zero", () => {
  assert.equal(nearest(0.5), 0);
  assert.equal(nearest(1.5), 2);
  assert.equal(nearest(2.5), 2);
  assert.equal(nearest(-2.5), -2);
  assert.ok(Object.is(nearest(-0.5), -0));
  assert.ok(Object.is(nearest(-0.4), -0));
  assert.equal(nearest(4503599627370495.5), 4503599627370496);
  assert.ok(Number.isNaN(nearest(NaN)));
  assert.equal(nearest(-Infinity), -Infinity);
});

test("fmin()/fmax() order -0 below +0 and propagate NaN", () => {
  assert.ok(Object.is(fmin(0, -0), -0));
  assert.ok(Object.is(fmax(-0, 0), 0));
  assert.ok(Number.isNaN(fmin(NaN, 1)));
  assert.ok(Number.isNaN(fmax(1, NaN)));
});

/** The bits of `x` as an f64. */
function bits(x: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
}

test("fmin()/fmax() and the f64 roundings give the canonical NaN, whatever NaN came in", () => {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, 0xfff8_0000_dead_beefn); // a NaN with a payload and the sign bit
  const payload = v.getFloat64(0);
  const canonical = bits(NaN);
  for (const r of [fmin(payload, 1), fmax(1, payload), ceil(payload), floor(payload), trunc(payload)]) {
    assert.equal(bits(r), canonical);
  }
  assert.equal(ceil(1.5), 2);
  assert.equal(floor(-1.5), -2);
  assert.ok(Object.is(trunc(-0.5), -0));
});

const trapsWith = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof RuntimeError && e.message === message);

test("trunc*() trap at the exact bounds", () => {
  assert.equal(truncI32S(-2147483648.9), -2147483648);
  trapsWith(() => truncI32S(-2147483649), "integer overflow");
  trapsWith(() => truncI32S(2147483648), "integer overflow");
  trapsWith(() => truncI32S(NaN), "invalid conversion to integer");
  assert.equal(truncI32U(-0.9), 0);
  assert.equal(truncI32U(4294967295.5), -1);
  trapsWith(() => truncI32U(-1), "integer overflow");
  trapsWith(() => truncI32U(4294967296), "integer overflow");
  assert.equal(truncI64S(-9223372036854775808), -9223372036854775808n);
  trapsWith(() => truncI64S(9223372036854775808), "integer overflow");
  assert.equal(truncI64U(18446744073709549568), -2048n);
  trapsWith(() => truncI64U(18446744073709551616), "integer overflow");
  trapsWith(() => truncI64U(NaN), "invalid conversion to integer");
});

test("truncSat*() saturate and map NaN to 0", () => {
  assert.equal(truncSatI32S(1e10), 2147483647);
  assert.equal(truncSatI32S(-1e10), -2147483648);
  assert.equal(truncSatI32S(NaN), 0);
  assert.equal(truncSatI32U(-5), 0);
  assert.equal(truncSatI32U(1e10), -1);
  assert.equal(truncSatI64S(1e300), 9223372036854775807n);
  assert.equal(truncSatI64U(1e300), -1n);
  assert.equal(truncSatI64U(NaN), 0n);
});

test("f32ConvertI64*() round once (no double rounding)", () => {
  // 2^53 + 2^29 + 1 is just above the midpoint between two f32 values; rounding via f64 first would tie to even.
  const v = (1n << 53n) + (1n << 29n) + 1n;
  assert.equal(f32ConvertI64S(v), 9007200328482816);
  assert.equal(f32ConvertI64S(-v), -9007200328482816);
  assert.equal(f32ConvertI64U(-1n), 18446744073709551616);
  assert.equal(f64ConvertI64U(-1n), 18446744073709551616);
  assert.equal(f32ConvertI64U(0x7fffff4000000001n), 9223371487098961920);
});
