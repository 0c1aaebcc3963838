/**
 * `--invoke` argument parsing and result printing, as Wasmtime does them with Rust's `str::parse` and `Display`:
 * integers in decimal (or `0x` hex), floats in Rust's float syntax, results printed without exponent notation.
 * Values are Kiln's raw values: i32 number, i64 BigInt, f32 as its int32 bit pattern, f64 as its 64-bit pattern.
 *
 * @module
 */

const scratch = new DataView(new ArrayBuffer(8));

const INT_RANGES = {
  i32: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  i64: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
} as const;

function parseInteger(text: string, type: "i32" | "i64"): bigint {
  let value: bigint;
  if (text.startsWith("0x") || text.startsWith("0X")) {
    const digits = text.slice(2);
    if (digits === "") throw new Error("cannot parse integer from empty string");
    if (!/^[+-]?[0-9a-fA-F]+$/.test(digits)) throw new Error("invalid digit found in string");
    value = digits.startsWith("-") ? -BigInt("0x" + digits.slice(1)) : BigInt("0x" + digits.replace(/^\+/, ""));
  } else {
    if (text === "") throw new Error("cannot parse integer from empty string");
    if (!/^[+-]?[0-9]+$/.test(text)) throw new Error("invalid digit found in string");
    value = BigInt(text);
  }
  const range = INT_RANGES[type];
  if (value > range.max) throw new Error("number too large to fit in target type");
  if (value < range.min) throw new Error("number too small to fit in target type");
  return value;
}

const FLOAT_SYNTAX = /^[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$/i;

function parseFloatText(text: string): number {
  if (!FLOAT_SYNTAX.test(text)) throw new Error("invalid float literal");
  const sign = text.startsWith("-") ? -1 : 1;
  const body = text.replace(/^[+-]/, "").toLowerCase();
  if (body === "inf" || body === "infinity") return sign * Infinity;
  if (body === "nan") return NaN;
  return sign * Number(body);
}

/**
 * Parses one `--invoke` argument for a parameter of the given type, with Rust's `str::parse` rules and messages
 * ("invalid digit found in string", "number too large to fit in target type", "invalid float literal").
 *
 * @param text The argument as given on the command line.
 * @param type The parameter's value type.
 * @returns The raw value: i32 number, i64 BigInt, f32 int32 bit pattern (number), f64 bit pattern (BigInt).
 * @throws Error with Rust's parse error text, or "unsupported argument type" for reference types.
 * @example
 * ```ts
 * import { parseInvokeArg } from "./values.ts";
 * console.log(parseInvokeArg("0x10", "i32"), parseInvokeArg("-5", "i64")); // 16 -5n
 * ```
 */
export function parseInvokeArg(text: string, type: string): number | bigint {
  switch (type) {
    case "i32":
      return Number(BigInt.asIntN(32, parseInteger(text, "i32")));
    case "i64":
      return parseInteger(text, "i64");
    case "f32":
      scratch.setFloat32(0, parseFloatText(text), true);
      return scratch.getInt32(0, true);
    case "f64":
      scratch.setFloat64(0, parseFloatText(text), true);
      return scratch.getBigInt64(0, true);
    default:
      throw new Error(`unsupported argument type ${type}`);
  }
}

/** Shortest decimal digits and exponent that read back as `x` (in f32 precision when `single`). */
function shortestDigits(x: number, single: boolean): { digits: string; exponent: number } {
  let text = x.toExponential();
  if (single) {
    for (let precision = 1; precision <= 9; precision++) {
      const candidate = x.toExponential(precision - 1);
      if (Math.fround(Number(candidate)) === x) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exp] = text.split("e");
  return { digits: mantissa.replace(".", "").replace(/0+$/, "") || "0", exponent: Number(exp) };
}

/**
 * Formats a float as Rust's `Display` does: the shortest digits that round-trip (in the value's own precision),
 * written out in full without exponent notation; `NaN`, `inf`, `-inf`, `-0`; integral values without `.0`.
 *
 * @param x The value.
 * @param single Whether `x` is an f32 (shortest digits are then chosen for f32).
 * @returns The text.
 * @example
 * ```ts
 * import { formatFloat } from "./values.ts";
 * console.log(formatFloat(Math.fround(0.1), true), formatFloat(1e21, false)); // "0.1" "1000000000000000000000"
 * ```
 */
export function formatFloat(x: number, single: boolean): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  const { digits, exponent } = shortestDigits(Math.abs(x), single);
  const point = exponent + 1; // digits before the decimal point
  let text: string;
  if (point <= 0) text = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) text = digits + "0".repeat(point - digits.length);
  else text = digits.slice(0, point) + "." + digits.slice(point);
  return sign + text;
}

/**
 * Formats one raw result value as Wasmtime's `--invoke` prints it.
 *
 * @param value The raw value (see the module doc).
 * @param type Its value type.
 * @returns The printed text, e.g. `"42"`, `"0.5"`, `"<null funcref>"`.
 * @example
 * ```ts
 * import { formatInvokeResult } from "./values.ts";
 * console.log(formatInvokeResult(-1, "i32")); // "-1"
 * ```
 */
export function formatInvokeResult(value: unknown, type: string): string {
  switch (type) {
    case "i32":
      return String((value as number) | 0);
    case "i64":
      return BigInt.asIntN(64, BigInt(value as bigint)).toString();
    case "f32":
      scratch.setInt32(0, value as number, true);
      return formatFloat(scratch.getFloat32(0, true), true);
    case "f64":
      scratch.setBigInt64(0, BigInt.asIntN(64, BigInt(value as bigint)), true);
      return formatFloat(scratch.getFloat64(0, true), false);
    case "funcref":
      return value === null ? "<null funcref>" : "<funcref>";
    case "externref":
      return value === null ? "<null externref>" : "<externref>";
    case "exnref":
      return value === null ? "<null exnref>" : "<exnref>";
    default:
      return String(value);
  }
}
