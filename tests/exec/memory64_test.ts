// memory64 and table64: i64 addresses, indices and lengths in and out of bounds (a high word that is not zero, an
// offset that overflows 32 or 64 bits), memory.grow and table.grow with i64 results, bulk operations, the JS API's
// BigInt sizes and address-type import matching, and fuel charged exactly as for the 32-bit equivalent.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ExportedFunction,
  instantiate,
  LinkError,
  Memory,
  parseWat,
  RuntimeError,
  Store,
  Table,
} from "../../mod.ts";

type Exports = Record<string, ExportedFunction>;

/** The trap code of a call, or its result. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (e instanceof RuntimeError) return `trap:${e.code}`;
    throw e;
  }
}

const OOB = "trap:MemoryOutOfBounds";

/** Memory 0 and memory 1 are both 64-bit; memory 2 is 32-bit (for mixed copies). */
const MEMORY = `(module
  (memory $m (export "m") i64 1 4)
  (memory $n i64 1)
  (memory $s 1)
  (data $d "abcdefgh")
  (data (memory $n) (i64.const 65534) "\\01\\02")
  (func (export "load") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i64) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "loadHuge") (param i64) (result i32) (i32.load8_u offset=0xffff_ffff_ffff_fff0 (local.get 0)))
  (func (export "load4G") (param i64) (result i32) (i32.load8_u offset=0x1_0000_0000 (local.get 0)))
  (func (export "loadN") (param i64) (result i32) (i32.load16_u $n (local.get 0)))
  (func (export "store") (param i64 i64) (i64.store offset=8 (local.get 0) (local.get 1)))
  (func (export "load64") (param i64) (result i64) (i64.load offset=8 (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "growN") (param i64) (result i64) (memory.grow $n (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copyToSmall") (param i32 i64 i32) (memory.copy $s $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "smallLoad") (param i32) (result i32) (i32.load8_u $s (local.get 0)))
  (func (export "init") (param i64 i32 i32) (memory.init $m $d (local.get 0) (local.get 1) (local.get 2))))`;

test("memory64: i64 addresses in and out of bounds, high words not zero and offsets beyond 32 and 64 bits", async () => {
  const { instance } = await instantiate(parseWat(MEMORY));
  const e = instance.exports as Exports;
  const memory = instance.exports.m as Memory;
  memory.bytes[0] = 7;
  memory.bytes[65535] = 9;
  assert.equal(e.load!.callSync(0n), 7);
  assert.equal(e.load!.callSync(65535n), 9);
  assert.equal(outcome(() => e.load!.callSync(65536n)), OOB);
  // The low word is in bounds, the high word is not zero: never in bounds.
  assert.equal(outcome(() => e.load!.callSync(0x1_0000_0000n)), OOB);
  assert.equal(outcome(() => e.load!.callSync(0x8000_0000_0000_0000n)), OOB);
  assert.equal(outcome(() => e.load!.callSync(-1n)), OOB);
  // address + offset: 65532 + 4 ends at the memory's end; one more is out.
  assert.equal(e.load32!.callSync(65528n), 0x0900_0000); // bytes 65532..65535, the last one 9
  assert.equal(outcome(() => e.load32!.callSync(65529n)), OOB);
  // An offset near 2^64: address + offset overflows 64 bits and must not wrap around into bounds.
  assert.equal(outcome(() => e.loadHuge!.callSync(0x10n)), OOB);
  assert.equal(outcome(() => e.loadHuge!.callSync(0n)), OOB);
  // An offset of 2^32 (valid only on a 64-bit memory) is beyond any memory Kiln allocates.
  assert.equal(outcome(() => e.load4G!.callSync(0n)), OOB);
  // Memory 1 (not on the hot path) and its i64 data segment offset.
  assert.equal(e.loadN!.callSync(65534n), 0x0201);
  assert.equal(outcome(() => e.loadN!.callSync(65535n)), OOB);
  assert.equal(outcome(() => e.loadN!.callSync(0x1_0000_fffen)), OOB);
  // i64 store and load with an offset.
  e.store!.callSync(100n, -0x0123_4567_89ab_cdefn);
  assert.equal(e.load64!.callSync(100n), -0x0123_4567_89ab_cdefn);
  assert.equal(outcome(() => e.store!.callSync(65528n, 1n)), OOB);
  assert.equal(outcome(() => e.store!.callSync(0x1_0000_0000n, 1n)), OOB);
});

test("memory64: memory.size and memory.grow return i64, -1 on failure, and a delta of 2^32 pages or more fails", async () => {
  const { instance } = await instantiate(parseWat(MEMORY));
  const e = instance.exports as Exports;
  assert.equal(e.size!.callSync(), 1n);
  assert.equal(e.grow!.callSync(1n), 1n);
  assert.equal(e.size!.callSync(), 2n);
  assert.equal(e.grow!.callSync(3n), -1n, "beyond the maximum of 4");
  // The low word alone (1) would be a growth that fits: the high word must make it fail.
  assert.equal(e.grow!.callSync(0x1_0000_0001n), -1n);
  assert.equal(e.grow!.callSync(-1n), -1n);
  assert.equal(e.size!.callSync(), 2n);
  assert.equal(e.growN!.callSync(0x1_0000_0000n), -1n);
  assert.equal(e.growN!.callSync(2n), 1n);
  // After growth through memory 0, the hot path sees the new size.
  assert.equal(e.load!.callSync(131071n), 0);
  assert.equal(outcome(() => e.load!.callSync(131072n)), OOB);
});

test("memory64: fill, copy (also to a 32-bit memory) and init with i64 operands, lengths with a high word trap", async () => {
  const { instance } = await instantiate(parseWat(MEMORY));
  const e = instance.exports as Exports;
  const bytes = (instance.exports.m as Memory).bytes;
  e.fill!.callSync(10n, 0xab, 5n);
  assert.deepEqual([...bytes.subarray(9, 16)], [0, 0xab, 0xab, 0xab, 0xab, 0xab, 0]);
  assert.equal(outcome(() => e.fill!.callSync(65530n, 1, 7n)), OOB);
  // A length of 2^32: its low word is 0 (a no-op for the 32-bit op), but it is out of bounds.
  assert.equal(outcome(() => e.fill!.callSync(0n, 1, 0x1_0000_0000n)), OOB);
  assert.equal(outcome(() => e.fill!.callSync(0x1_0000_0000n, 1, 0n)), OOB);
  e.fill!.callSync(65536n, 1, 0n); // at the end, length 0: in bounds
  e.copy!.callSync(20n, 10n, 5n);
  assert.deepEqual([...bytes.subarray(20, 26)], [0xab, 0xab, 0xab, 0xab, 0xab, 0]);
  assert.equal(outcome(() => e.copy!.callSync(0n, 0x1_0000_0000n, 1n)), OOB);
  assert.equal(outcome(() => e.copy!.callSync(0n, 0n, 0x1_0000_0000n)), OOB);
  // Between a 64-bit source and a 32-bit destination the length is an i32.
  e.copyToSmall!.callSync(3, 10n, 2);
  assert.equal(e.smallLoad!.callSync(4), 0xab);
  assert.equal(outcome(() => e.copyToSmall!.callSync(3, 0x1_0000_000an, 2)), OOB);
  e.init!.callSync(1000n, 2, 3);
  assert.deepEqual([...bytes.subarray(1000, 1004)], [0x63, 0x64, 0x65, 0]);
  assert.equal(outcome(() => e.init!.callSync(0x1_0000_0000n, 0, 1)), OOB);
  assert.equal(outcome(() => e.init!.callSync(65535n, 0, 2)), OOB);
});

const TABLE = `(module
  (type $r (func (result i32)))
  (table $t (export "t") i64 3 10 funcref)
  (table $u 2 funcref)
  (elem (table $t) (i64.const 1) func $one $two)
  (elem $e func $two $one)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func (export "call") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0)))
  (func (export "isNull") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set") (param i64) (table.set $t (local.get 0) (ref.func $one)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "fill") (param i64 i64) (table.fill $t (local.get 0) (ref.func $two) (local.get 1)))
  (func (export "copy") (param i64 i64 i64) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copyToSmall") (param i32 i64 i32) (table.copy $u $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "callSmall") (param i32) (result i32) (call_indirect $u (type $r) (local.get 0)))
  (func (export "init") (param i64 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2))))`;

test("table64: get, set, size, grow, fill, copy, init and call_indirect with i64 indices", async () => {
  const { instance } = await instantiate(parseWat(TABLE), {}, { store: new Store({ fuel: 1e9 }) });
  const e = instance.exports as Exports;
  const TOOB = "trap:TableOutOfBounds";
  assert.equal(e.call!.callSync(1n), 1);
  assert.equal(e.call!.callSync(2n), 2);
  assert.equal(outcome(() => e.call!.callSync(0n)), "trap:IndirectCallToNull");
  assert.equal(outcome(() => e.call!.callSync(3n)), "trap:UndefinedElement");
  assert.equal(outcome(() => e.call!.callSync(0x1_0000_0001n)), "trap:UndefinedElement");
  assert.equal(e.isNull!.callSync(0n), 1);
  assert.equal(outcome(() => e.isNull!.callSync(0x1_0000_0000n)), TOOB);
  e.set!.callSync(0n);
  assert.equal(e.call!.callSync(0n), 1);
  assert.equal(outcome(() => e.set!.callSync(-1n)), TOOB);
  assert.equal(e.size!.callSync(), 3n);
  assert.equal(e.grow!.callSync(2n), 3n);
  assert.equal(e.grow!.callSync(0x1_0000_0001n), -1n, "the high word makes the growth fail");
  assert.equal(e.grow!.callSync(6n), -1n, "beyond the maximum of 10");
  assert.equal(e.size!.callSync(), 5n);
  e.fill!.callSync(3n, 2n);
  assert.equal(e.call!.callSync(4n), 2);
  assert.equal(outcome(() => e.fill!.callSync(0n, 0x1_0000_0000n)), TOOB);
  e.copy!.callSync(3n, 0n, 2n);
  assert.equal(e.call!.callSync(3n), 1);
  assert.equal(outcome(() => e.copy!.callSync(0n, 0n, 0x1_0000_0000n)), TOOB);
  e.copyToSmall!.callSync(0, 1n, 2);
  assert.equal(e.callSmall!.callSync(1), 2);
  assert.equal(outcome(() => e.copyToSmall!.callSync(0, 0x1_0000_0001n, 1)), TOOB);
  e.init!.callSync(0n, 0, 2);
  assert.equal(e.call!.callSync(0n), 2);
  assert.equal(outcome(() => e.init!.callSync(0x1_0000_0000n, 0, 0)), TOOB);
  assert.equal((instance.exports.t as Table).length, 5n);
});

test("memory64 JS API: BigInt sizes, grow, import matching by address type (LinkError on a mismatch)", async () => {
  const memory = new Memory({ address: "i64", initial: 1n, maximum: 3n });
  assert.equal(memory.address, "i64");
  assert.equal(memory.grow(1n), 1n);
  assert.equal(memory.pages, 2);
  assert.throws(() => memory.grow(1 as unknown as bigint), TypeError);
  assert.throws(() => new Memory({ address: "i64", initial: 1 }), TypeError);
  assert.throws(() => new Memory({ address: "i64", initial: -1n }), TypeError);
  assert.throws(() => new Memory({ address: "i64", initial: 2n, maximum: 1n }), RangeError);
  assert.throws(() => new Memory({ initial: 1n }), TypeError, "a 32-bit memory takes numbers");
  const table = new Table({ element: "anyfunc", address: "i64", initial: 2n });
  assert.equal(table.length, 2n);
  assert.equal(table.grow(1n), 2n);
  assert.equal(table.get(2n), null);
  assert.throws(() => table.get(0 as unknown as bigint), TypeError);

  const importer = parseWat(`(module
    (import "env" "m" (memory i64 1))
    (import "env" "t" (table i64 1 funcref))
    (func (export "poke") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "size") (result i64) (table.size)))`);
  const { instance } = await instantiate(importer, { env: { m: memory, t: table } });
  const e = instance.exports as Exports;
  e.poke!.callSync(70000n, 5);
  assert.equal(memory.bytes[70000], 5);
  assert.equal(e.size!.callSync(), 3n);

  const small = new Memory({ initial: 1 });
  await assert.rejects(instantiate(importer, { env: { m: small, t: table } }), LinkError);
  const smallTable = new Table({ element: "anyfunc", initial: 1 });
  await assert.rejects(instantiate(importer, { env: { m: memory, t: smallTable } }), LinkError);
  await assert.rejects(
    instantiate(parseWat(`(module (import "env" "m" (memory 1)))`), { env: { m: memory } }),
    LinkError,
    "a 64-bit memory does not satisfy a 32-bit import",
  );
  // Exported 64-bit memories and tables are the JS API's objects with their address type.
  const { instance: exporter } = await instantiate(
    parseWat(`(module (memory (export "m") i64 2) (table (export "t") i64 1 externref))`),
  );
  assert.equal((exporter.exports.m as Memory).address, "i64");
  assert.equal((exporter.exports.m as Memory).grow(0n), 2n);
  assert.equal((exporter.exports.t as Table).address, "i64");
});

test("memory64: a declared minimum Kiln cannot allocate fails instantiation with a RuntimeError, not a crash", async () => {
  const bytes = parseWat(`(module (memory i64 0x1_0000_0000_0000))`); // 2^48 pages: valid
  await assert.rejects(instantiate(bytes), (e: unknown) => e instanceof RuntimeError);
  const tableBytes = parseWat(`(module (table i64 0xffff_ffff_ffff_ffff funcref))`);
  await assert.rejects(instantiate(tableBytes), (e: unknown) => e instanceof RuntimeError);
});

test("memory64: fuel is charged as for the same program on a 32-bit memory (one per operator, one per byte)", async () => {
  const program = (at: "i32" | "i64") =>
    `(module
    (memory ${at} 1)
    (data $d "0123456789")
    (func (export "run") (param $n ${at}) (result i32)
      (memory.fill (${at}.const 10) (i32.const 7) (local.get $n))
      (memory.copy (${at}.const 1000) (${at}.const 10) (local.get $n))
      (memory.init $d (${at}.const 3000) (i32.const 1) (i32.const 9))
      (${at}.store offset=4 (${at}.const 8) (${at}.load (${at}.const 16)))
      (drop (memory.grow (${at}.const 1)))
      (drop (memory.size))
      (i32.load8_u (${at}.const 1005))))`;
  const consumed = async (at: "i32" | "i64", n: number | bigint) => {
    const store = new Store({ fuel: 1e9 });
    const { instance } = await instantiate(parseWat(program(at)), {}, { store });
    const result = outcome(() => (instance.exports.run as ExportedFunction).callSync(n));
    return [result, store.fuelConsumed];
  };
  const narrow = await consumed("i32", 300);
  assert.deepEqual(await consumed("i64", 300n), narrow);
  assert.equal(narrow[0], 7);
  assert.ok((narrow[1] as number) > 600, `per-byte charges counted (${narrow[1]})`);
  // A trapping fill charges no bytes, on either.
  assert.deepEqual(await consumed("i64", 70000n), await consumed("i32", 70000));
});
