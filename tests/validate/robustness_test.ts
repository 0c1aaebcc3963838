// Robustness: mutated binaries must either compile or throw CompileError, never a JS error, a hang or a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wat } from "./_helpers.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { ByteReader } from "../../lib/binary/leb128.ts";
import { validateModule } from "../../lib/validate/module_validator.ts";
import { CompileError } from "../../lib/errors.ts";

/** mulberry32: a small deterministic PRNG, so every run feeds the same binaries. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  `(module
    (type $t (func (param i32 i64) (result i32)))
    (import "env" "f" (func $imp (type $t)))
    (import "env" "g" (global $gi i32))
    (import "env" "tab" (table 1 funcref))
    (memory 1 2)
    (global $g (mut i64) (i64.const -5))
    (global $h f32 (f32.const 1.5))
    (func $fac (export "fac") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0))
        (then (i64.const 1))
        (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
    (func $loops (param i32) (result i32) (local i32 f64)
      (block $out (loop $top
        (br_if $out (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_table $top $out $top (local.get 1))))
      (i32.store offset=4 (i32.const 0) (local.get 1))
      (i32.load8_u (i32.const 3)))
    (func $refs (result i32)
      (drop (select (f64.const 1) (f64.const 2) (i32.const 1)))
      (memory.fill (i32.const 0) (i32.const 0) (i32.const 4))
      (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))
      (table.set 0 (i32.const 0) (ref.func $fac))
      (ref.is_null (table.get 0 (i32.const 0))))
    (elem (i32.const 0) $fac $loops)
    (elem declare func $refs)
    (data "passive bytes")
    (data (i32.const 16) "\\00\\01\\02")
    (start $start)
    (func $start (drop (call $imp (global.get $gi) (global.get $g)))))`,
  `(module
    (type $multi (func (param i32) (result i32 i64)))
    (table $t 4 8 externref)
    (func (export "m") (param i32) (result i32 i64)
      (local.get 0)
      (block (type $multi) (param i32) (result i32 i64) (i64.const 9))
      (return))
    (func (param f32 f64) (result i32)
      (i32.trunc_sat_f32_s (local.get 0))
      (i32.wrap_i64 (i64.trunc_sat_f64_u (local.get 1)))
      (i32.extend8_s)
      (i32.add)
      (drop (table.grow $t (ref.null extern) (i32.const 1)))
      (table.fill $t (i32.const 0) (ref.null extern) (i32.const 1))
      (unreachable)))`,
];

/** A mutated copy of `seed`. */
function mutate(seed: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  let bytes = seed.slice();
  const rounds = 1 + pick(3);
  for (let i = 0; i < rounds; i++) {
    const at = 8 + pick(Math.max(1, bytes.length - 8));
    switch (pick(7)) {
      case 0: // bit flip
        bytes[at] = bytes[at]! ^ (1 << pick(8));
        break;
      case 1: // random byte
        bytes[at] = pick(256);
        break;
      case 2: // truncation
        bytes = bytes.slice(0, at);
        break;
      case 3: { // insertion of random bytes
        const extra = Array.from({ length: 1 + pick(4) }, () => pick(256));
        bytes = new Uint8Array([...bytes.subarray(0, at), ...extra, ...bytes.subarray(at)]);
        break;
      }
      case 4: { // a huge count or index
        const huge = [[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x08], [0xff, 0xff, 0x03]][pick(3)]!;
        bytes = new Uint8Array([...bytes.subarray(0, at), ...huge, ...bytes.subarray(at + 1)]);
        break;
      }
      case 5: // deletion
        bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + pick(3))]);
        break;
      default: // interesting values
        bytes[at] = [0x00, 0x0b, 0x40, 0x7f, 0x80, 0xfc, 0xfd, 0xff][pick(8)]!;
    }
  }
  return bytes;
}

test("decodeModule() + validateModule() accept or throw CompileError for 12,000 mutated binaries", async () => {
  const seeds = await Promise.all(SEEDS.map(wat));
  for (const seed of seeds) validateModule(decodeModule(seed)); // the seeds themselves are valid
  const random = prng(0x4b494c4e);
  let accepted = 0, rejected = 0;
  const started = performance.now();
  for (let i = 0; i < 12_000; i++) {
    const bytes = mutate(seeds[i % seeds.length]!, random);
    try {
      validateModule(decodeModule(bytes));
      accepted++;
    } catch (e) {
      if (!(e instanceof CompileError)) {
        const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
        assert.fail(`mutant ${i} threw ${e instanceof Error ? e.stack : e}\n${hex}`);
      }
      assert.ok(e.message.length > 0 && !e.message.endsWith("."), `bad message: ${e.message}`);
      rejected++;
    }
  }
  const elapsed = performance.now() - started;
  assert.equal(accepted + rejected, 12_000);
  // Both outcomes must occur, or the mutator is not exercising anything.
  assert.ok(accepted > 100 && rejected > 5_000, `accepted ${accepted}, rejected ${rejected}`);
  assert.ok(elapsed < 20_000, `too slow: ${elapsed} ms`);
});

test("decodeModule() rejects every truncation of a valid module inside a section", async () => {
  const seed = await wat(SEEDS[0]!);
  // Cutting exactly between sections can leave a valid module (e.g. imports only); anywhere else must fail.
  const boundaries = new Set([8]);
  const r = new ByteReader(seed, 8);
  while (r.pos < seed.length) {
    r.u8();
    const size = r.u32();
    r.pos += size;
    boundaries.add(r.pos);
  }
  let rejected = 0;
  for (let n = 0; n < seed.length; n++) {
    try {
      validateModule(decodeModule(seed.subarray(0, n)));
      assert.ok(boundaries.has(n), `truncation at ${n} was accepted`);
    } catch (e) {
      assert.ok(e instanceof CompileError, `truncation at ${n} threw ${e}`);
      rejected++;
    }
  }
  assert.ok(rejected >= seed.length - boundaries.size);
});
