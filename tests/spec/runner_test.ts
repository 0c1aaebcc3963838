import { test } from "node:test";
import assert from "node:assert/strict";
import { runWast } from "../../lib/wast/runner.ts";
import { nativeEngine } from "../../lib/wast/native_engine.ts";
import { kilnEngine } from "../../lib/wast/kiln_engine.ts";
import { parseWast } from "../../lib/text/wast_parser.ts";

const SCRIPT = `
(module $M
  (func (export "id_f32") (param f32) (result f32) (local.get 0))
  (func (export "neg_f64") (param f64) (result f64) (f64.neg (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const -1))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func $rec (export "rec") (call $rec))
  (global (export "g") f32 (f32.const nan:0x123))
  (memory (export "mem") 1))
(register "M" $M)
(module (import "M" "mem" (memory 1)) (func (export "size") (result i32) (memory.size)))
(assert_return (invoke $M "id_f32" (f32.const nan:0x200001)) (f32.const nan:0x200001))
(assert_return (invoke $M "neg_f64" (f64.const nan)) (f64.const nan:canonical))
(assert_return (invoke $M "two") (i32.const 1) (i64.const 0xffffffffffffffff))
(assert_return (invoke $M "ext" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke $M "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke $M "div" (i32.const 7) (i32.const 2)) (either (i32.const 4) (i32.const 3)))
(assert_return (get $M "g") (f32.const nan:0x123))
(assert_return (invoke "size") (i32.const 1))
(assert_trap (invoke $M "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke $M "rec") "call stack exhausted")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func i32.bogus)") "unknown operator")
(assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
(assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
(module (rec (type (sub (descriptor 1) (struct))) (type (sub (describes 0) (struct)))))
(assert_return (invoke "anything") (i32.const 0))
`;

test("runWast() passes a script exercising every command kind on the native engine", async () => {
  const r = await runWast(SCRIPT, nativeEngine());
  assert.deepEqual(r.results.filter((x) => x.status === "fail"), []);
  assert.equal(r.passed, 17);
  // The custom-descriptors module and the invoke on it are unsupported, with the feature named.
  assert.deepEqual(r.features, { "custom-descriptors": 2 });
});

test("runWast() passes the same script on Kiln in every configuration", async () => {
  for (const config of ["plain", "fuel", "async"] as const) {
    const r = await runWast(SCRIPT, kilnEngine(config), { asyncImports: config === "async" });
    assert.deepEqual(r.results.filter((x) => x.status === "fail"), [], config);
    assert.equal(r.passed, 17, config);
  }
});

test("runWast() fails wrong results, wrong NaN kinds, missing traps and wrong messages", async () => {
  const r = await runWast(
    `(module (func (export "f") (param i32) (result i32) (local.get 0))
             (func (export "nan") (result f32) (f32.const nan:0x1)))
     (assert_return (invoke "f" (i32.const 1)) (i32.const 2))
     (assert_return (invoke "nan") (f32.const nan:arithmetic))
     (assert_trap (invoke "f" (i32.const 0)) "unreachable")
     (assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
     (assert_malformed (module quote "(func i32.bogus)") "unexpected token")`,
    kilnEngine("plain"),
  );
  assert.deepEqual(r.results.map((x) => x.status), ["pass", "fail", "fail", "fail", "fail", "fail"]);
});

test("parseWast() reads module forms, actions and result patterns", () => {
  const cmds = parseWast(`(module definition $d (func))
    (module instance $i $d)
    (assert_return (invoke $i "f" (f64.const -0x1p-1074)) (f64.const nan:arithmetic) (ref.func) (ref.extern))
    (thread $T (invoke "x"))`);
  assert.deepEqual(cmds.map((c) => c.type), ["module", "module_instance", "assert_return", "unsupported"]);
  const ret = cmds[2] as Extract<(typeof cmds)[number], { type: "assert_return" }>;
  assert.deepEqual(ret.action.args, [{ type: "f64", value: 0x8000000000000001n }]);
  assert.deepEqual(ret.expected.map((v) => v.type), ["f64", "ref.func", "ref.extern"]);
});

test("runWast() checks assert_exception: an uncaught wasm exception passes, a return or a trap fails", async () => {
  const script = `(module $m (tag $e (export "e") (param i32))
      (func (export "throw") (throw $e (i32.const 1)))
      (func (export "ok"))
      (func (export "trap") unreachable))
    (register "m")
    (module (tag $e (import "m" "e") (param i32)) (func $t (import "m" "throw"))
      (func (export "caught") (result i32) (block $h (result i32) (try_table (catch $e $h) (call $t)) (i32.const 0))))
    (assert_return (invoke "caught") (i32.const 1))
    (assert_exception (invoke $m "throw"))`;
  for (const engine of [kilnEngine("plain"), kilnEngine("async"), nativeEngine()]) {
    const r = await runWast(script, engine);
    assert.equal(r.failed, 0, `${engine.name}: ${JSON.stringify(r.results.filter((x) => x.status !== "pass"))}`);
    assert.equal(r.passed, 5);
  }
  const failing = await runWast(
    `(module (func (export "ok")) (func (export "trap") unreachable))
     (assert_exception (invoke "ok"))
     (assert_exception (invoke "trap"))`,
    kilnEngine(),
  );
  assert.deepEqual(failing.results.map((x) => x.status), ["pass", "fail", "fail"]);
});

test("parseWast() reads v128 values: 16 bytes lane 0 first, per-lane NaN patterns in float shapes", () => {
  const [cmd] = parseWast(`(assert_return (invoke "f" (v128.const i16x8 1 -1 0 0 0 0 0 0x7fff))
    (v128.const f32x4 nan:canonical 1 nan:arithmetic -0x1p-149)
    (either (v128.const i64x2 -1 0) (v128.const f64x2 nan:canonical 0)))`);
  const ret = cmd as Extract<typeof cmd, { type: "assert_return" }>;
  const arg = ret.action.args[0]!;
  assert.equal(arg.type, "v128");
  assert.deepEqual(arg.type === "v128" && [...arg.bytes!], [1, 0, 0xff, 0xff, ...Array(10).fill(0), 0xff, 0x7f]);
  const [f32x4, either] = ret.expected;
  assert.deepEqual(f32x4, {
    type: "v128",
    shape: "f32x4",
    lanes: ["nan:canonical", 0x3f800000n, "nan:arithmetic", 0x80000001n],
  });
  assert.equal(either!.type, "either");
  assert.throws(
    () => parseWast(`(assert_return (invoke "f" (v128.const i32x4 1 2)))`),
    /wrong number of lane literals/,
  );
  assert.throws(
    () => parseWast(`(assert_return (invoke "f" (v128.const i8x16 ${"256 ".repeat(16)})))`),
    /out of range/,
  );
});

test("runWast() passes v128 arguments and results through the native engine, compared per lane", async () => {
  const script = `(module
      (global (export "g") v128 (v128.const i32x4 1 2 3 4))
      (func (export "id") (param v128) (result v128) (local.get 0))
      (func (export "swap") (param v128 i32 v128) (result v128 i32 v128) (local.get 2) (local.get 1) (local.get 0))
      (func (export "nans") (result v128) (v128.const f32x4 nan -nan:0x600000 nan:0x400001 0)))
    (assert_return (invoke "id" (v128.const i64x2 -1 0x0102030405060708)) (v128.const i8x16 -1 -1 -1 -1 -1 -1 -1 -1 8 7 6 5 4 3 2 1))
    (assert_return (invoke "swap" (v128.const i32x4 1 2 3 4) (i32.const 5) (v128.const f64x2 1 -0.0))
      (v128.const f64x2 1 -0.0) (i32.const 5) (v128.const i16x8 1 0 2 0 3 0 4 0))
    (assert_return (invoke "nans") (v128.const f32x4 nan:canonical nan:arithmetic nan:arithmetic 0))
    (assert_return (invoke "nans") (either (v128.const i32x4 0 0 0 0) (v128.const f32x4 nan:arithmetic nan:arithmetic nan:arithmetic 0)))
    (assert_return (get "g") (v128.const i32x4 1 2 3 4))`;
  const r = await runWast(script, nativeEngine());
  assert.deepEqual(r.results.filter((x) => x.status !== "pass"), []);
  assert.equal(r.passed, 6);
  const wrong = await runWast(
    `(module (func (export "nans") (result v128) (v128.const f32x4 nan nan:0x1 0 0)))
    (assert_return (invoke "nans") (v128.const f32x4 nan:canonical nan:0x1 0 0))
    (assert_return (invoke "nans") (v128.const i32x4 0x7fc00000 0x7f800001 0 1))
    (assert_return (invoke "nans") (v128.const f32x4 nan:arithmetic nan:arithmetic 0 0))`,
    nativeEngine(),
  );
  assert.deepEqual(wrong.results.map((x) => x.status), ["pass", "pass", "fail", "fail"]);
  assert.match(wrong.results[2]!.detail!, /expected v128 i32x4 2143289344 2139095041 0 1, got v128 i32x4 /);
});
