/**
 * Numeric literals of the text format (spec §6.3.1, §6.3.2): integers with `_` separators and hex, and floats
 * (decimal, hex, `inf`, `nan`, `nan:0x…`) rounded correctly and directly to f32 or f64 bits (no double rounding
 * through f64 for f32).
 *
 * Every parser returns `null` when the token is not a literal of that shape and throws {@link RangeLiteralError}
 * when it is one but its value does not fit; callers turn these into "unknown operator"/"constant out of range".
 *
 * @module
 */

/** A well-formed literal whose value does not fit its type ("constant out of range"). */
export class RangeLiteralError extends Error {
  constructor() {
    super("constant out of range");
    this.name = "RangeLiteralError";
  }
}

const DEC = /^[0-9](?:_?[0-9])*$/;
const HEX = /^[0-9a-fA-F](?:_?[0-9a-fA-F])*$/;

/** Parses an unsigned integer literal (`123`, `0x7f`, `1_000`) to a BigInt, or `null` if malformed. */
export function parseNat(text: string): bigint | null {
  if (text.startsWith("0x")) {
    const digits = text.slice(2);
    return HEX.test(digits) ? BigInt("0x" + digits.replaceAll("_", "")) : null;
  }
  return DEC.test(text) ? BigInt(text.replaceAll("_", "")) : null;
}

/** Parses a u32 literal (indices, offsets, limits); `null` when malformed, throws when out of range. */
export function parseU32(text: string): number | null {
  const n = parseNat(text);
  if (n === null) return null;
  if (n > 0xffffffffn) throw new RangeLiteralError();
  return Number(n);
}

/**
 * Parses an integer literal of `bits` width (8, 16, 32 or 64; the first two for `v128` lanes), signed or unsigned,
 * to its two's-complement value as a BigInt in `[-2^(bits-1), 2^(bits-1))`.
 */
export function parseInt(text: string, bits: 8 | 16 | 32 | 64): bigint | null {
  let sign = 1n;
  let body = text;
  if (text[0] === "+" || text[0] === "-") {
    sign = text[0] === "-" ? -1n : 1n;
    body = text.slice(1);
  }
  const n = parseNat(body);
  if (n === null) return null;
  const limit = 1n << BigInt(bits);
  if (sign < 0n ? n > limit / 2n : n >= limit) throw new RangeLiteralError();
  return BigInt.asIntN(bits, sign * n);
}

interface FloatFormat {
  readonly mant: number; // explicit mantissa bits
  readonly bias: number;
  readonly expBits: number;
}
const F32: FloatFormat = { mant: 23, bias: 127, expBits: 8 };
const F64: FloatFormat = { mant: 52, bias: 1023, expBits: 11 };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds the positive rational num/den to nearest-even in `fmt`; returns the bits without sign, or null on overflow. */
function roundRational(num: bigint, den: bigint, fmt: FloatFormat): bigint | null {
  if (num === 0n) return 0n;
  let e = bitLength(num) - bitLength(den);
  // Ensure 2^e <= num/den < 2^(e+1).
  const cmp = (k: number) => (k >= 0 ? num >= den << BigInt(k) : num << BigInt(-k) >= den);
  if (!cmp(e)) e--;
  const emin = 1 - fmt.bias;
  const exp = Math.max(e, emin);
  const sh = exp - fmt.mant;
  let n2 = num, d2 = den;
  if (sh >= 0) d2 = den << BigInt(sh);
  else n2 = num << BigInt(-sh);
  let q = n2 / d2;
  const r = n2 - q * d2;
  if (2n * r > d2 || (2n * r === d2 && (q & 1n) === 1n)) q++;
  let biased = exp + fmt.bias;
  const hidden = 1n << BigInt(fmt.mant);
  if (q === hidden << 1n) {
    q = hidden;
    biased++;
  }
  if (biased >= (1 << fmt.expBits) - 1) return null;
  if (q < hidden) return q; // subnormal (biased exponent field 0)
  return (BigInt(biased) << BigInt(fmt.mant)) | (q - hidden);
}

const FLOAT_DEC = /^([0-9](?:_?[0-9])*)(?:\.((?:[0-9](?:_?[0-9])*)?))?(?:[eE]([+-]?[0-9](?:_?[0-9])*))?$/;
const FLOAT_HEX =
  /^0x([0-9a-fA-F](?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?))?(?:[pP]([+-]?[0-9](?:_?[0-9])*))?$/;

function parseFloatBits(text: string, fmt: FloatFormat): bigint | null {
  let neg = false;
  let body = text;
  if (text[0] === "+" || text[0] === "-") {
    neg = text[0] === "-";
    body = text.slice(1);
  }
  const width = 1 + fmt.expBits + fmt.mant;
  const signBit = neg ? 1n << BigInt(width - 1) : 0n;
  const expAll = BigInt((1 << fmt.expBits) - 1) << BigInt(fmt.mant);
  if (body === "inf") return signBit | expAll;
  if (body === "nan") return signBit | expAll | (1n << BigInt(fmt.mant - 1));
  if (body.startsWith("nan:0x")) {
    const digits = body.slice(6);
    if (!HEX.test(digits)) return null;
    const payload = BigInt("0x" + digits.replaceAll("_", ""));
    if (payload === 0n || payload >= 1n << BigInt(fmt.mant)) throw new RangeLiteralError();
    return signBit | expAll | payload;
  }
  let num: bigint, den: bigint;
  let m = FLOAT_HEX.exec(body);
  if (m) {
    const intPart = m[1].replaceAll("_", "");
    const frac = (m[2] ?? "").replaceAll("_", "");
    const mant = BigInt("0x" + intPart + frac);
    let exp = (m[3] ? Number(m[3].replaceAll("_", "")) : 0) - 4 * frac.length;
    if (mant === 0n) return signBit;
    // Why: clamp absurd exponents so the BigInt shifts stay small; the result is 0 or out of range anyway.
    const top = bitLength(mant) + exp;
    if (top > 2000) throw new RangeLiteralError();
    if (top < -2000) return signBit;
    if (!Number.isFinite(exp)) exp = 0;
    if (exp >= 0) [num, den] = [mant << BigInt(exp), 1n];
    else [num, den] = [mant, 1n << BigInt(-exp)];
  } else {
    m = FLOAT_DEC.exec(body);
    if (!m || body.startsWith("0x")) return null;
    const intPart = m[1].replaceAll("_", "");
    const frac = (m[2] ?? "").replaceAll("_", "");
    const mant = BigInt(intPart + frac);
    const exp = (m[3] ? Number(m[3].replaceAll("_", "")) : 0) - frac.length;
    if (mant === 0n) return signBit;
    const digits = mant.toString().length;
    if (digits + exp > 400) throw new RangeLiteralError();
    if (digits + exp < -400) return signBit;
    if (exp >= 0) [num, den] = [mant * 10n ** BigInt(exp), 1n];
    else [num, den] = [mant, 10n ** BigInt(-exp)];
  }
  const bits = roundRational(num, den, fmt);
  if (bits === null) throw new RangeLiteralError();
  return signBit | bits;
}

/** Parses an f32 literal to its 32-bit pattern (as an unsigned number), or `null` if malformed. */
export function parseF32(text: string): number | null {
  const bits = parseFloatBits(text, F32);
  return bits === null ? null : Number(bits);
}

/** Parses an f64 literal to its 64-bit pattern (as an unsigned BigInt), or `null` if malformed. */
export function parseF64(text: string): bigint | null {
  return parseFloatBits(text, F64);
}

/** A `v128` shape (spec §6.5.6): its lane count, lane width in bits, and whether the lanes are floats. */
export interface V128Shape {
  readonly lanes: number;
  readonly bits: 8 | 16 | 32 | 64;
  readonly float: boolean;
}

/** The shapes of `v128.const` by keyword. */
export const V128_SHAPES: Readonly<Record<string, V128Shape>> = {
  i8x16: { lanes: 16, bits: 8, float: false },
  i16x8: { lanes: 8, bits: 16, float: false },
  i32x4: { lanes: 4, bits: 32, float: false },
  i64x2: { lanes: 2, bits: 64, float: false },
  f32x4: { lanes: 4, bits: 32, float: true },
  f64x2: { lanes: 2, bits: 64, float: true },
};

/**
 * Parses one lane literal of a `v128` shape to the lane's bits (unsigned): an integer literal in
 * `[-2^(bits-1), 2^bits)` for integer lanes, a float literal for float lanes. `null` when malformed; throws
 * {@link RangeLiteralError} when out of range.
 */
export function parseLane(shape: V128Shape, text: string): bigint | null {
  if (shape.float) return shape.bits === 32 ? bigintOrNull(parseF32(text)) : parseF64(text);
  const v = parseInt(text, shape.bits);
  return v === null ? null : BigInt.asUintN(shape.bits, v);
}

function bigintOrNull(n: number | null): bigint | null {
  return n === null ? null : BigInt(n);
}

/** Writes lane `index` of a shape with `bits`-wide lanes into the 16 bytes of a `v128` (little-endian, lane 0 first). */
export function setLane(bytes: Uint8Array, bits: number, index: number, value: bigint): void {
  const width = bits / 8;
  for (let b = 0; b < width; b++, value >>= 8n) bytes[index * width + b] = Number(value & 0xffn);
}
