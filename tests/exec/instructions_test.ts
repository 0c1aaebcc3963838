import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";
import { wat } from "../api/_wat.ts";

type Case = [name: string, args: unknown[], expected: unknown];

/** Instantiates `body` (module fields) and checks each exported function against its cases (raw values). */
async function check(body: string, cases: Case[]) {
  const { instance } = await instantiate(wat(`(module ${body})`));
  for (const [name, args, expected] of cases) {
    const f = instance.exports[name] as unknown as { callRawSync(a: unknown[]): unknown[] };
    const out = f.callRawSync(args);
    assert.deepEqual(out.length === 1 ? out[0] : out, expected, `${name}(${args.join(", ")})`);
  }
}

test("i32 arithmetic, bit operations and comparisons", async () => {
  await check(
    `(func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
     (func (export "mul") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
     (func (export "div_u") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
     (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
     (func (export "rotr") (param i32 i32) (result i32) (i32.rotr (local.get 0) (local.get 1)))
     (func (export "shr_u") (param i32 i32) (result i32) (i32.shr_u (local.get 0) (local.get 1)))
     (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
     (func (export "ctz") (param i32) (result i32) (i32.ctz (local.get 0)))
     (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
     (func (export "lt_u") (param i32 i32) (result i32) (i32.lt_u (local.get 0) (local.get 1)))
     (func (export "ext8") (param i32) (result i32) (i32.extend8_s (local.get 0)))`,
    [
      ["add", [0x7fffffff, 1], -2147483648],
      ["mul", [0x10000, 0x10000], 0],
      ["mul", [-3, 7], -21],
      ["div_u", [-1, 2], 0x7fffffff],
      ["rem_s", [-2147483648, -1], 0],
      ["rem_s", [-7, 3], -1],
      ["rotr", [1, 1], -2147483648],
      ["shr_u", [-1, 36], 0x0fffffff],
      ["clz", [0], 32],
      ["ctz", [0x80000000 | 0], 31],
      ["popcnt", [0x0f0f], 8],
      ["lt_u", [1, -1], 1],
      ["ext8", [0x80], -128],
    ],
  );
});

test("i64 on two halves: carries, shifts, multiply, compare, conversions", async () => {
  await check(
    `(func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
     (func (export "sub") (param i64 i64) (result i64) (i64.sub (local.get 0) (local.get 1)))
     (func (export "mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
     (func (export "shl") (param i64 i64) (result i64) (i64.shl (local.get 0) (local.get 1)))
     (func (export "shr_s") (param i64 i64) (result i64) (i64.shr_s (local.get 0) (local.get 1)))
     (func (export "shr_u") (param i64 i64) (result i64) (i64.shr_u (local.get 0) (local.get 1)))
     (func (export "lt_s") (param i64 i64) (result i32) (i64.lt_s (local.get 0) (local.get 1)))
     (func (export "ge_u") (param i64 i64) (result i32) (i64.ge_u (local.get 0) (local.get 1)))
     (func (export "div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
     (func (export "ext_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
     (func (export "ext_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
     (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
     (func (export "clz") (param i64) (result i64) (i64.clz (local.get 0)))
     (func (export "ext32") (param i64) (result i64) (i64.extend32_s (local.get 0)))`,
    [
      ["add", [0xffffffffn, 1n], 0x100000000n],
      ["add", [-1n, -1n], -2n],
      ["sub", [0x100000000n, 1n], 0xffffffffn],
      ["sub", [0n, 1n], -1n],
      ["mul", [0x123456789n, 0x987654321n], BigInt.asIntN(64, 0x123456789n * 0x987654321n)],
      ["mul", [-1n, 5n], -5n],
      ["shl", [1n, 63n], -9223372036854775808n],
      ["shl", [3n, 100n], 3n << 36n],
      ["shr_s", [-9223372036854775808n, 63n], -1n],
      ["shr_u", [-1n, 1n], 9223372036854775807n],
      ["shr_u", [-1n, 32n], 0xffffffffn],
      ["lt_s", [-1n, 0n], 1],
      ["ge_u", [-1n, 0n], 1],
      ["div_s", [-9n, 2n], -4n],
      ["ext_u", [-1], 0xffffffffn],
      ["ext_s", [-1], -1n],
      ["wrap", [0x1ffffffffn], -1],
      ["clz", [1n], 63n],
      ["ext32", [0x80000000n], -2147483648n],
    ],
  );
});

test("floats: arithmetic, NaN payloads through moves and bit ops, rounding, conversions", async () => {
  await check(
    `(func (export "f32add") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
     (func (export "f32neg") (param f32) (result f32) (f32.neg (local.get 0)))
     (func (export "f32id") (param f32) (result f32) (local.get 0))
     (func (export "f64abs") (param f64) (result f64) (f64.abs (local.get 0)))
     (func (export "f64min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
     (func (export "f64nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
     (func (export "demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
     (func (export "promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
     (func (export "cvt_u") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
     (func (export "reinterpret") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
     (func (export "sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
     (func (export "copysign") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))`,
    [
      ["f32add", [0x3f800000, 0x40000000], 0x40400000], // 1 + 2 = 3
      ["f32neg", [0x7fa00000], 0xffa00000 | 0], // sNaN payload kept by neg
      ["f32id", [0x7fa00001], 0x7fa00001], // f32 sNaN survives a local move
      ["f64abs", [0xfff4000000000001n], 0x7ff4000000000001n],
      ["f64min", [0x8000000000000000n, 0n], -9223372036854775808n], // min(-0, +0) = -0
      ["f64nearest", [0x4004000000000000n], 0x4000000000000000n], // nearest(2.5) = 2
      ["demote", [0x3ff0000000000000n], 0x3f800000],
      ["promote", [0x3f800000], 0x3ff0000000000000n],
      ["cvt_u", [-1n], 0x43f0000000000000n], // 2^64
      ["reinterpret", [0x7fa00000], 0x7fa00000],
      ["sat", [0x7ff8000000000000n], 0],
      ["copysign", [0x3f800000, 0x80000000 | 0], 0xbf800000 | 0],
    ],
  );
});

test("control: blocks with params and results, br_table, if/else, multi-value, select", async () => {
  await check(
    `(func (export "table") (param i32) (result i32)
       (block $d (block $c (block $b (block $a (br_table $a $b $c $d (local.get 0)))
         (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12)))
       (i32.const 13))
     (func (export "params") (param i32) (result i32)
       (i32.const 5) (local.get 0) (block (param i32 i32) (result i32) (i32.sub)))
     (func (export "brvalue") (param i32) (result i32)
       (block (result i32) (i32.const 1) (i32.const 2) (br_if 0 (local.get 0)) (drop) (drop) (i32.const 3)))
     (func (export "loopparam") (param i32) (result i32)
       (local.get 0) (loop (param i32) (result i32)
         (i32.sub (i32.const 1)) (local.tee 0) (br_if 0 (i32.gt_s (local.get 0) (i32.const 0)))))
     (func (export "multi") (result i32 i64 f64) (i32.const 1) (i64.const 2) (f64.const 3))
     (func (export "sel") (param i32) (result i64) (select (i64.const 7) (i64.const 8) (local.get 0)))
     (func (export "ifelse") (param i32) (result i32)
       (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
     (func (export "deadcode") (result i32) (block (result i32) (br 0 (i32.const 4)) (i32.const 5) (drop)))`,
    [
      ["table", [0], 10],
      ["table", [2], 12],
      ["table", [99], 13],
      ["params", [3], 2],
      ["brvalue", [1], 2],
      ["brvalue", [0], 3],
      ["loopparam", [5], 0],
      ["multi", [], [1, 2n, 0x4008000000000000n]],
      ["sel", [1], 7n],
      ["sel", [0], 8n],
      ["ifelse", [0], 2],
      ["deadcode", [], 4],
    ],
  );
});

test("memory: loads and stores of every width, grow, size, bulk operations, data segments", async () => {
  await check(
    `(memory 1 3)
     (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\08")
     (data $p "hello")
     (func (export "load8_s") (param i32) (result i32) (i32.load8_s (local.get 0)))
     (func (export "load16_u") (param i32) (result i32) (i32.load16_u (local.get 0)))
     (func (export "load64") (param i32) (result i64) (i64.load offset=16 (local.get 0)))
     (func (export "load32_s") (param i32) (result i64) (i64.load32_s (local.get 0)))
     (func (export "store") (param i32 i64) (result i64) (i64.store16 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
     (func (export "size") (result i32) (memory.size))
     (func (export "copy") (result i64) (memory.copy (i32.const 17) (i32.const 16) (i32.const 4)) (i64.load (i32.const 16)))
     (func (export "fill") (result i32) (memory.fill (i32.const 100) (i32.const 0x1ff) (i32.const 3)) (i32.load (i32.const 100)))
     (func (export "init") (result i32) (memory.init $p (i32.const 200) (i32.const 1) (i32.const 4)) (data.drop $p)
       (i32.load (i32.const 200)))`,
    [
      ["load8_s", [16], 1],
      ["load16_u", [16], 0x0201],
      ["load64", [0], 0x0807060504030201n],
      ["load32_s", [0], 0n],
      ["store", [32, 0x12345n], 0x2345n],
      ["size", [], 1],
      ["grow", [1], 1],
      ["size", [], 2],
      ["grow", [5], -1],
      ["grow", [0x10000], -1],
      ["copy", [], 0x0807060403020101n],
      ["fill", [], 0x00ffffff],
      ["init", [], 0x6f6c6c65],
    ],
  );
});

test("globals, tables and references: table.get/set/grow/size/fill/copy/init, ref.func, call_indirect", async () => {
  await check(
    `(type $t (func (result i32)))
     (global $g (mut i64) (i64.const -5))
     (global $r (mut externref) (ref.null extern))
     (table $tab 2 10 funcref)
     (elem $e func $one $two)
     (func $one (result i32) (i32.const 1))
     (func $two (result i32) (i32.const 2))
     (func (export "gget") (result i64) (global.get $g))
     (func (export "gset") (param i64) (global.set $g (local.get 0)))
     (func (export "rset") (param externref) (global.set $r (local.get 0)))
     (func (export "rget") (result externref) (global.get $r))
     (func (export "init") (table.init $tab $e (i32.const 0) (i32.const 0) (i32.const 2)))
     (func (export "calli") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
     (func (export "grow") (result i32) (table.grow $tab (ref.func $two) (i32.const 3)))
     (func (export "size") (result i32) (table.size $tab))
     (func (export "fill") (table.fill $tab (i32.const 0) (ref.func $two) (i32.const 1)))
     (func (export "copy") (table.copy $tab $tab (i32.const 1) (i32.const 0) (i32.const 2)))
     (func (export "isnull") (param i32) (result i32) (ref.is_null (table.get $tab (local.get 0))))`,
    [
      ["gget", [], -5n],
      ["gset", [9n], []],
      ["gget", [], 9n],
      ["rset", ["hello"], []],
      ["rget", [], "hello"],
      ["isnull", [0], 1],
      ["init", [], []],
      ["calli", [0], 1],
      ["calli", [1], 2],
      ["grow", [], 2],
      ["size", [], 5],
      ["calli", [4], 2],
      ["copy", [], []],
      ["isnull", [2], 0],
      ["calli", [1], 1],
      ["calli", [2], 2],
      ["fill", [], []],
      ["calli", [0], 2],
    ],
  );
});
