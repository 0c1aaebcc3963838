// testdata/wasm3.wasm (clang-19 with -mtail-call -mextended-const -mmultimemory, see testdata/build.sh): its
// tail calls (`musttail` as return_call and return_call_indirect through a function table) compute the same results
// under Kiln as under the host's native WebAssembly, and a million-deep mutual tail recursion runs in a small stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENGINE_MISSING, ROOT, TESTDATA } from "./_spawn.ts";

test("wasm3.wasm: clang's tail calls give native WebAssembly's results, a million levels deep", {
  skip: ENGINE_MISSING,
  timeout: 120_000,
}, async () => {
  const bytes = readFileSync(join(TESTDATA, "wasm3.wasm"));
  // The compiler really emitted tail calls: return_call (0x12) and return_call_indirect (0x13).
  const { decodeModule } = await import(join(ROOT, "lib/binary/decoder.ts"));
  const { InstructionReader } = await import(join(ROOT, "lib/binary/instruction_reader.ts"));
  const { ByteReader } = await import(join(ROOT, "lib/binary/leb128.ts"));
  const decoded = decodeModule(new Uint8Array(bytes));
  const ops = new Set<number>();
  for (const body of decoded.codes) {
    const reader = new InstructionReader(new ByteReader(decoded.bytes, body.start, body.end));
    while (reader.bytes.pos < body.end) ops.add(reader.next());
  }
  assert.ok(ops.has(0x12) && ops.has(0x13), "wasm3.wasm has return_call and return_call_indirect");
  const mod = await import(join(ROOT, "mod.ts"));
  const native = (await WebAssembly.instantiate(bytes, {})).instance.exports as Record<string, CallableFunction>;
  // 16 KiB of wasm stack holds a few hundred frames: only constant-stack tail calls get through.
  const { instance } = await mod.instantiate(new Uint8Array(bytes), {}, { maxWasmStack: 16 * 1024 });
  const kiln = instance.exports as Record<string, { callSync(...a: unknown[]): unknown }>;
  native._initialize();
  kiln._initialize!.callSync();
  assert.deepEqual(Object.keys(native).filter((n) => n !== "memory" && n !== "_initialize").sort(), [
    "even",
    "power_walk",
  ]);
  for (const n of [0, 1, 7, 1_000_000, 1_000_001]) assert.equal(kiln.even!.callSync(n), native.even(n), `even(${n})`);
  for (const n of [0, 1, 10, 100_000]) {
    assert.equal(kiln.power_walk!.callSync(n), native.power_walk(n), `power_walk(${n})`);
  }
});
