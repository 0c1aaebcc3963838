import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { GC_BASE, ISA, ISA_NAMES, SIMD_BASE } from "../../lib/compile/isa.ts";

const machine = readFileSync(new URL("../../lib/exec/machine.ts", import.meta.url), "utf8");

test("ISA: the machine's case labels and the instruction table agree, names included", () => {
  const labels = new Map<number, string>();
  for (const m of machine.matchAll(/case (\d+):(?: \{)? \/\/ ([\w.]+)/g)) labels.set(Number(m[1]), m[2]!);
  // The SIMD ops are executed by the SIMD unit (exec/simd_dispatch.ts), the GC ops by exec/gc_ops.ts, not by case
  // labels of the machine.
  const table = new Map(ISA.filter((op) => op.code < GC_BASE).map((op) => [op.code, op.name]));
  assert.deepEqual([...labels.keys()].sort((a, b) => a - b), [...table.keys()].sort((a, b) => a - b));
  for (const [code, name] of labels) assert.equal(name, table.get(code), `case ${code}`);
});

test("ISA: the SIMD unit's case labels name the ops of the instruction table", () => {
  const unit = readFileSync(new URL("../../lib/exec/simd_dispatch.ts", import.meta.url), "utf8");
  let count = 0;
  for (const m of unit.matchAll(/case (\d+):(?: \{)? \/\/ ([\w.]+)/g)) {
    assert.equal(ISA_NAMES.get(Number(m[1])), m[2], `case ${m[1]}`);
    count++;
  }
  assert.ok(count > 20);
});

test("ISA: the GC ops' case labels (sub-opcodes) name the ops of the instruction table, every one", () => {
  const unit = readFileSync(new URL("../../lib/exec/gc_ops.ts", import.meta.url), "utf8");
  const seen = new Set<number>();
  for (const m of unit.matchAll(/case (\d+):(?: \{)? \/\/ ([\w.]+)/g)) {
    assert.equal(ISA_NAMES.get(GC_BASE + Number(m[1])), m[2], `case ${m[1]}`);
    seen.add(GC_BASE + Number(m[1]));
  }
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    ISA.filter((op) => op.code >= GC_BASE && op.code < SIMD_BASE).map((op) => op.code),
  );
});

test("ISA: numbers are unique and the wasm-mapped ones equal their opcode", () => {
  assert.equal(ISA_NAMES.size, ISA.length);
  assert.equal(ISA_NAMES.get(0x6a), "i32.add");
  assert.equal(ISA_NAMES.get(0x28), "i32.load");
  assert.equal(ISA_NAMES.get(0xe0 + 17), "table.fill");
});
