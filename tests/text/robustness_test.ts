/**
 * Robustness: mutated module texts (seeded PRNG, so failures reproduce) must either encode or fail with the
 * parser's error classes (WatParseError, or UnsupportedFeatureError for other proposals), quickly: never a
 * TypeError/RangeError, a hang or a crash.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWat, WatParseError } from "../../lib/text/mod.ts";
import { UnsupportedFeatureError } from "../../lib/errors.ts";
import { parseWast } from "../../lib/text/wast_parser.ts";

const SEEDS = [
  `(module
    (type $t (func (param i32 i64) (result f32)))
    (import "env" "f" (func $imp (type $t)))
    (import "env" "m" (memory 1 2))
    (table $tab 2 10 funcref)
    (global $g (mut i64) (i64.const -0x8000_0000_0000_0000))
    (func $main (export "main") (param $x i32) (result i32) (local $y f64)
      (block $b (result i32)
        (loop $l
          (br_if $b (i32.eqz (local.get $x)) (local.get $x))
          (local.set $x (i32.sub (local.get $x) (i32.const 1)))
          (br $l))
        (i32.const 0))
      (drop (f32.const 0x1.8p3))
      (f64.const nan:0x8_0000_0000_0001) (local.set $y)
      (select (result i32) (i32.const 1) (i32.const 2) (local.get 0))
      (i32.store offset=4 align=2 (i32.const 0))
      (i32.load16_u offset=0x10 (i32.const 8)))
    (elem (table $tab) (i32.const 0) func $main $main)
    (data (memory 0) (i32.const 16) "abc\\00\\ff\\u{10FFFF}")
    (start 0))`,
  `(module (func (export "f") (param i32) (result i32)
     local.get 0
     if (result i32) i32.const 1 else i32.const 2 end
     block $x (param i32) (result i32) br_table $x $x 0 end)
   (memory (data "x")) (table funcref (elem 0))
   (elem declare func 0) (elem $p funcref (ref.func 0) (ref.null func))
   (func (table.init 0 $p (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $p)
     (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)) (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))))`,
];

const TOKENS = [
  "(",
  ")",
  "(func",
  "(module",
  "$x",
  "$",
  "0x",
  "-0",
  "1e400",
  "nan:0x0",
  "inf",
  '"',
  '"\\ff"',
  "\\u{",
  ";;",
  "(;",
  ";)",
  "(@a",
  "end",
  "else",
  "block",
  "i32.const",
  "offset=",
  "align=3",
  "v128",
  "(result i32)",
  "(param $x i32)",
  "(type 99)",
  "br 99",
  "local.get $nope",
  "\u00e9",
  "\u0000",
  "99999999999999999999",
  "(ref null func)",
  "(then)",
  "(else)",
  "memory.grow",
  "call_indirect",
  "select",
];

/** Mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, rand: () => number): string {
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rand() * (text.length + 1));
    const len = Math.floor(rand() * 12);
    switch (Math.floor(rand() * 6)) {
      case 0: // delete a range
        text = text.slice(0, at) + text.slice(at + len);
        break;
      case 1: // insert a token
        text = text.slice(0, at) + " " + TOKENS[Math.floor(rand() * TOKENS.length)] + " " + text.slice(at);
        break;
      case 2: // duplicate a range
        text = text.slice(0, at + len) + text.slice(at, at + len) + text.slice(at + len);
        break;
      case 3: // replace one character
        text = text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(at + 1);
        break;
      case 4: // truncate
        text = text.slice(0, at);
        break;
      default: // deep nesting
        text = text.slice(0, at) + "(block ".repeat(len * 50) + text.slice(at);
    }
  }
  return text;
}

test("parseWat() throws only its own error classes on 2,000 mutated texts", () => {
  const rand = prng(0x5eed);
  const start = performance.now();
  let parsed = 0, rejected = 0;
  for (let i = 0; i < 2000; i++) {
    const text = mutate(SEEDS[i % SEEDS.length], rand);
    try {
      parseWat(text);
      parsed++;
    } catch (e) {
      if (!(e instanceof WatParseError || e instanceof UnsupportedFeatureError)) {
        assert.fail(`mutant ${i} threw ${(e as Error)?.name}: ${(e as Error)?.message}\n${text}`);
      }
      rejected++;
    }
  }
  assert.ok(rejected > 500, `most mutants should be rejected (rejected ${rejected}, parsed ${parsed})`);
  assert.ok(parsed > 10, `some mutants should still parse (parsed ${parsed})`);
  assert.ok(performance.now() - start < 20_000, "mutants must parse quickly");
});

test("parseWat() turns pathological nesting into a WatParseError", () => {
  const deep = "(module (func " + "(block ".repeat(200_000) + ")".repeat(200_000) + "))";
  assert.throws(() => parseWat(deep), WatParseError);
});

test("parseWast() throws only WatParseError on 1,000 mutated scripts", () => {
  const script = `(module $M (func (export "f") (param i32) (result i32) (local.get 0)))
    (register "M" $M)
    (assert_return (invoke $M "f" (i32.const 7)) (i32.const 7))
    (assert_return (invoke "g" (f32.const nan:canonical) (f64.const -0x1p-1074)) (either (ref.null func) (ref.extern 1)))
    (assert_trap (invoke "f" (i64.const 0)) "unreachable")
    (assert_malformed (module quote "(func") "unexpected end")
    (module definition $D binary "\\00asm" "\\01\\00\\00\\00")
    (module instance $I $D)`;
  const rand = prng(0xabc);
  for (let i = 0; i < 1000; i++) {
    const text = mutate(script, rand);
    try {
      parseWast(text);
    } catch (e) {
      if (!(e instanceof WatParseError)) {
        assert.fail(`mutant ${i} threw ${(e as Error)?.name}: ${(e as Error)?.message}\n${text}`);
      }
    }
  }
});
