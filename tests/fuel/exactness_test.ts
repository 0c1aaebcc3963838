/**
 * Fuel exactness: the contract the engine must keep. Each program's fuel is computed by hand from the cost model
 * (DESIGN.md, Wasmtime's): every operator costs 1 except nop, drop, block, loop, unreachable, return, else and end
 * (0); memory.copy/fill/init add 1 per byte and table.copy/fill/init 1 per element.
 *
 * Most programs are the ones of Wasmtime's own `tests/all/fuel.wast` (bytecodealliance/wasmtime). Wasmtime's numbers
 * there are ours plus a constant: an empty start function costs 3 there, and `call $other` of an empty function 5, so
 * Wasmtime also charges 1 per function entry and 2 per call from the host. Kiln charges operators only (the issue's
 * model), so each expectation below is "Wasmtime's number - 3 - (number of wasm-to-wasm calls)", and that difference
 * is written beside it as a cross-check of the per-operator costs.
 *
 * Every program is measured four ways: no yielding, and fuel yield intervals of 1, 3 and 50 units, which must all
 * consume the same fuel; on each engine (the interpreter, and the native engine where the host has WebAssembly).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type EngineName, instantiate, parseWat, RuntimeError, Store } from "../../mod.ts";

const BIG = 1_000_000_000;
const ENGINES: readonly EngineName[] = typeof WebAssembly === "object" ? ["interpreter", "native"] : ["interpreter"];

/** Fuel consumed by instantiating `text` (its start function runs), in a store with the given yield interval. */
async function startFuel(text: string, engine: EngineName, fuelYieldInterval?: number): Promise<number> {
  const store = new Store(
    fuelYieldInterval === undefined ? { fuel: BIG, engine } : { fuel: BIG, fuelYieldInterval, engine },
  );
  try {
    await instantiate(parseWat(text), {}, { store });
  } catch (e) {
    // Wasmtime's harness ignores the instantiation result too (some starts trap on purpose).
    if (!(e instanceof RuntimeError)) throw e;
  }
  return BIG - store.getFuel();
}

async function assertFuel(expected: number, text: string): Promise<void> {
  for (const engine of ENGINES) {
    for (const interval of [undefined, 1, 3, 50]) {
      assert.equal(await startFuel(text, engine, interval), expected, `${engine}, fuelYieldInterval ${interval}`);
    }
  }
}

const ELEMS_20 = " $f".repeat(20);
const ELEMS_200 = " $f".repeat(200);
const DATA_59 = "a".repeat(59);
const DATA_200 = "a".repeat(200);

/** [Kiln's fuel, how it is computed (Wasmtime's fuel.wast value in brackets), program]. */
const CASES: [number, string, string][] = [
  [0, "nothing runs [W 0]", `(module)`],
  [0, "empty function [W 3]", `(module (func $f) (start $f))`],
  [1, "i32.const 1, drop 0 [W 4]", `(module (func $f i32.const 0 drop) (start $f))`],
  [0, "block, end free [W 3]", `(module (func $f block end) (start $f))`],
  [0, "unreachable free (traps) [W 3]", `(module (func $f unreachable) (start $f))`],
  [
    6,
    "6 consts, then unreachable [W 9]",
    `(module (func $f i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 unreachable)
      (start $f))`,
  ],
  [
    0,
    "return first; dead code never charged [W 3]",
    `(module (func $f return i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 unreachable)
      (start $f))`,
  ],
  [2, "const, if; the then-arm does not run [W 5]", `(module (func $f i32.const 0 if call $f end) (start $f))`],
  [3, "const, if, const [W 6]", `(module (func $f i32.const 1 if i32.const 0 drop end) (start $f))`],
  [
    3,
    "const, if, const; else not taken [W 6]",
    `(module (func $f i32.const 1 if i32.const 0 drop else call $f end) (start $f))`,
  ],
  [
    3,
    "const, if, (else free) const [W 6]",
    `(module (func $f i32.const 0 if call $f else i32.const 0 drop end) (start $f))`,
  ],
  [2, "const, br_if (taken) [W 5]", `(module (func $f block i32.const 1 br_if 0 i32.const 0 drop end) (start $f))`],
  [
    3,
    "const, br_if (not taken), const [W 6]",
    `(module (func $f block i32.const 0 br_if 0 i32.const 0 drop end) (start $f))`,
  ],
  [1, "code before unreachable counts [W 4]", `(module (func $f i32.const 0 unreachable) (start $f))`],
  [1, "code before return counts [W 4]", `(module (func $f i32.const 0 return) (start $f))`],
  [1, "call [W 5 = 3 + 1 + 1 entry]", `(module (func $f call $other) (func $other) (start $f))`],
  [
    3,
    "const, call, const [W 7 - 1 entry]",
    `(module (func $f i32.const 0 call $other i32.const 0 drop) (func $other (param i32)) (start $f))`,
  ],
  [
    2,
    "call, callee's const [W 6 - 1 entry]",
    `(module (func $f call $other drop) (func $other (result i32) i32.const 0) (start $f))`,
  ],
  [
    2,
    "const, call_indirect [W 6 - 1 entry]",
    `(module (func $f i32.const 0 call_indirect) (func $other) (table funcref (elem $other)) (start $f))`,
  ],
  [0, "loop, end free [W 3]", `(module (func $f loop end) (start $f))`],
  [
    52,
    "2 header ops + 10 iterations x 5 [W 55]",
    `(module (func $f (local i32) i32.const 10 local.set 0
      loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end) (start $f))`,
  ],
  [
    104,
    "3 consts + memory.copy + 100 bytes [W 107]",
    `(module (memory 1) (func $f i32.const 0 i32.const 0 i32.const 100 memory.copy) (start $f))`,
  ],
  [
    104,
    "3 consts + memory.fill + 100 bytes [W 107]",
    `(module (memory 1) (func $f i32.const 0 i32.const 0 i32.const 100 memory.fill) (start $f))`,
  ],
  [
    24,
    "3 consts + memory.init + 20 bytes [W 27]",
    `(module (memory 1) (func $f i32.const 0 i32.const 0 i32.const 20 memory.init $d) (start $f)
      (data $d "${DATA_59}"))`,
  ],
  [
    104,
    "3 consts + table.copy + 100 elements [W 107]",
    `(module (table 100 funcref) (func $f i32.const 0 i32.const 0 i32.const 100 table.copy) (start $f))`,
  ],
  [
    104,
    "const, ref.null, const + table.fill + 100 elements [W 107]",
    `(module (table 100 funcref) (func $f i32.const 0 ref.null func i32.const 100 table.fill) (start $f))`,
  ],
  [
    24,
    "3 consts + table.init + 20 elements [W 27]",
    `(module (table 20 funcref) (func $f i32.const 0 i32.const 0 i32.const 20 table.init $e) (start $f)
      (elem $e func${ELEMS_20}))`,
  ],
  [
    204,
    "3 consts + memory.copy + 200 bytes [W 207]",
    `(module (memory 1) (func $f i32.const 0 i32.const 0 i32.const 200 memory.copy) (start $f))`,
  ],
  [
    204,
    "3 consts + memory.fill + 200 bytes [W 207]",
    `(module (memory 1) (func $f i32.const 0 i32.const 0 i32.const 200 memory.fill) (start $f))`,
  ],
  [
    204,
    "3 consts + memory.init + 200 bytes [W 207]",
    `(module (memory 1) (func $f i32.const 0 i32.const 0 i32.const 200 memory.init $d) (start $f)
      (data $d "${DATA_200}"))`,
  ],
  [
    204,
    "3 consts + table.copy + 200 elements [W 207]",
    `(module (table 200 funcref) (func $f i32.const 0 i32.const 0 i32.const 200 table.copy) (start $f))`,
  ],
  [
    204,
    "3 ops + table.fill + 200 elements [W 207]",
    `(module (table 200 funcref) (func $f i32.const 0 ref.null func i32.const 200 table.fill) (start $f))`,
  ],
  [
    204,
    "3 consts + table.init + 200 elements [W 207]",
    `(module (table 200 funcref) (func $f i32.const 0 i32.const 0 i32.const 200 table.init $e) (start $f)
      (elem $e func${ELEMS_200}))`,
  ],
];

for (const [expected, how, text] of CASES) {
  test(`fuel: ${how} costs ${expected}`, async () => {
    await assertFuel(expected, text);
  });
}

// Wasmtime also charges table.grow 1 per element (fuel.wast: `ref.null func, i32.const 100, table.grow, drop`
// costs 106 = 3 + 3 + 100, Wasmtime adding its entry charges). Kiln: ref.null 1 + i32.const 1 + table.grow 1 + 100
// elements + drop 0 = 103.
test("fuel: table.grow costs 1 per element like Wasmtime", async () => {
  await assertFuel(103, `(module (table 0 funcref) (func $f ref.null func i32.const 100 table.grow drop) (start $f))`);
});

// Hand-written programs beyond Wasmtime's list. Costs per operator are written beside each line.
const PROGRAMS = `(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $sq $h)
  (type $ii (func (param i32) (result i32)))
  (func $sq (param i32) (result i32)
    (i32.mul (local.get 0) (local.get 0)))                        ;; local.get, local.get, i32.mul = 3
  ;; Nested loops: sum of i*j for i<n, j<n.
  (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    (block $done_i
      (loop $li                                                   ;; loop 0
        (br_if $done_i (i32.ge_s (local.get $i) (local.get $n)))  ;; get, get, ge_s, br_if = 4 per outer visit
        (local.set $j (i32.const 0))                              ;; const, set = 2
        (block $done_j
          (loop $lj
            (br_if $done_j (i32.ge_s (local.get $j) (local.get $n)))  ;; 4 per inner visit
            (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $j))))  ;; 6
            (local.set $j (i32.add (local.get $j) (i32.const 1)))     ;; 4
            (br $lj)))                                                ;; 1
        (local.set $i (i32.add (local.get $i) (i32.const 1)))     ;; 4
        (br $li)))                                                ;; 1
    (local.get $s))                                               ;; 1
  ;; br_table over three arms: const, br_table, then the arm's const.
  (func (export "switch") (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))                          ;; get, br_table = 2
      (return (i32.const 10)))                                    ;; const = 1 (return free)
      (return (i32.const 20)))                                    ;; const = 1
    (i32.const 30))                                               ;; const = 1
  ;; call_indirect to a wasm function and to a host function.
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $ii) (i32.const 7) (local.get 0)))       ;; const, get, call_indirect = 3 (+ callee)
  ;; select, memory access, memory.grow, memory.size, global-free arithmetic.
  (func (export "mem") (result i32)
    (i32.store (i32.const 8) (i32.const 5))                       ;; const, const, store = 3
    (drop (memory.grow (i32.const 1)))                            ;; const, grow = 2 (drop free)
    (select (i32.load (i32.const 8)) (memory.size) (i32.const 1))) ;; const, load, size, const, select = 5
  (func (export "nops") (nop) (nop) (block (loop (nop))) (drop (i32.const 1)))  ;; const = 1
)`;

/** Fuel of one call to `name` (instantiation excluded), with a fresh store and the given yield interval. */
async function callFuel(name: string, args: number[], fuelYieldInterval?: number): Promise<[number, unknown]> {
  const store = new Store(fuelYieldInterval === undefined ? { fuel: BIG } : { fuel: BIG, fuelYieldInterval });
  const { instance } = await instantiate(parseWat(PROGRAMS), { env: { h: (x: number) => x + 1 } }, { store });
  const before = store.getFuel();
  const result = await (instance.exports[name] as (...a: number[]) => Promise<unknown>)(...args);
  return [before - store.getFuel(), result];
}

async function assertCall(name: string, args: number[], expectedFuel: number, expectedResult: unknown) {
  for (const interval of [undefined, 1, 3, 50]) {
    const [fuel, result] = await callFuel(name, args, interval);
    assert.equal(result, expectedResult, `result, fuelYieldInterval ${interval}`);
    assert.equal(fuel, expectedFuel, `fuel, fuelYieldInterval ${interval}`);
  }
}

test("fuel: nested loops cost (n+1)*4 + n*(2 + (n+1)*4 + n*11 + 5) + 1", async () => {
  // Outer header visited n+1 times (4 each); per outer iteration: set j (2), inner header n+1 times (4 each),
  // n inner bodies (6 + 4 + 1 = 11), i++ (4) and br (1); the final local.get (1).
  const cost = (n: number) => (n + 1) * 4 + n * (2 + (n + 1) * 4 + n * 11 + 5) + 1;
  assert.equal(cost(3), 16 + 3 * (2 + 16 + 33 + 5) + 1); // 185
  await assertCall("nested", [3], 185, 9); // (0+1+2)*(0+1+2) = 9
  await assertCall("nested", [20], cost(20), 36100);
});

test("fuel: br_table arms cost 3 each", async () => {
  await assertCall("switch", [0], 3, 10);
  await assertCall("switch", [1], 3, 20);
  await assertCall("switch", [2], 3, 30);
  await assertCall("switch", [99], 3, 30);
});

test("fuel: call_indirect costs 3 plus the callee; a host callee costs nothing more", async () => {
  await assertCall("indirect", [0], 3 + 3, 49); // $sq(7)
  await assertCall("indirect", [1], 3, 8); // host h(7)
});

test("fuel: memory access, memory.grow, memory.size and select cost 1 each", async () => {
  await assertCall("mem", [], 3 + 2 + 5, 5);
});

test("fuel: nop, drop, block and loop are free", async () => {
  await assertCall("nops", [], 1, undefined);
});

test("fuel: a trap part-way through a run is charged at least what ran and at most the whole run", async () => {
  // The run: const, const, store (traps out of bounds), const, drop-free = at most 4.
  const text =
    `(module (memory 1) (func (export "f") (i32.store (i32.const 65536) (i32.const 1)) (drop (i32.const 2))))`;
  const store = new Store({ fuel: BIG });
  const { instance } = await instantiate(parseWat(text), {}, { store });
  await assert.rejects((instance.exports.f as () => Promise<void>)(), /out of bounds memory access/);
  const used = BIG - store.getFuel();
  assert.ok(used >= 2 && used <= 4, `charged ${used}`);
});
