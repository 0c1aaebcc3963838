import { test } from "node:test";
import assert from "node:assert/strict";
import { clz, ctz, divS, divU, mul64, mulHigh, popcnt32, remS, remU, rotl, rotr } from "../../lib/exec/i64.ts";
import type { RuntimeError } from "../../lib/errors.ts";

test("divS()/remS() trap on zero and overflow as the spec says", () => {
  assert.equal(divS(-7n, 2n), -3n);
  assert.equal(remS(-7n, 2n), -1n);
  assert.equal(remS(-9223372036854775808n, -1n), 0n);
  assert.throws(
    () => divS(-9223372036854775808n, -1n),
    (e: unknown) => (e as RuntimeError).message === "integer overflow",
  );
  assert.throws(() => divS(1n, 0n), (e: unknown) => (e as RuntimeError).message === "integer divide by zero");
  assert.throws(() => remU(1n, 0n), (e: unknown) => (e as RuntimeError).message === "integer divide by zero");
});

test("divU()/remU() treat operands as unsigned", () => {
  assert.equal(divU(-1n, 2n), 9223372036854775807n);
  assert.equal(remU(-1n, 10n), 5n);
});

test("rotl()/rotr() rotate modulo 64", () => {
  assert.equal(rotl(1n, 65n), 2n);
  assert.equal(rotr(1n, 1n), -9223372036854775808n);
  assert.equal(rotl(-2n, 0n), -2n);
});

test("clz()/ctz()/popcnt32() on halves", () => {
  assert.equal(clz(0, 0), 64);
  assert.equal(clz(1, 0), 63);
  assert.equal(clz(0, 1), 31);
  assert.equal(ctz(0, 0), 64);
  assert.equal(ctz(0, 2), 33);
  assert.equal(popcnt32(-1), 32);
});

test("mul64() matches BigInt multiplication", () => {
  const cases = [[-1n, -1n], [0x123456789abcdefn, 0xfedcba987654321n], [-9223372036854775808n, 3n], [
    4294967295n,
    4294967297n,
  ]];
  for (const [a, b] of cases) {
    const lo = mul64(
      Number(BigInt.asIntN(32, a!)),
      Number(BigInt.asIntN(32, a! >> 32n)),
      Number(BigInt.asIntN(32, b!)),
      Number(BigInt.asIntN(32, b! >> 32n)),
    );
    const got = (BigInt(mulHigh) << 32n) | BigInt(lo >>> 0);
    assert.equal(BigInt.asIntN(64, got), BigInt.asIntN(64, a! * b!));
  }
});
