// The differential fuzzer's GC mode (`deno task fuzz --gc`): the harness reads GC type sections, tells GC-using
// modules apart, passes references as their hierarchy allows, shows structs and arrays by identity, maps the GC
// trap kinds, and a short run of the fuzzer reaches GC-using modules with no divergence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Rng } from "../../tools/_fuzz_rng.ts";
import { chooseArgs, type Engine, runModule, showValue, type Step, trapKind } from "../../tools/_fuzz_exec.ts";
import { compareRuns, sameOutcome } from "../../tools/_fuzz_compare.ts";
import { type KilnApi, kilnEngine, nativeEngine } from "../../tools/_fuzz_engines.ts";
import { readWasmInfo } from "../../tools/_fuzz_wasm_info.ts";
import { reduceModule } from "../../tools/_fuzz_reduce.ts";
import { ownModule } from "../../tools/_fuzz_own_gen.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { ByteReader } from "../../lib/binary/leb128.ts";
import { InstructionReader } from "../../lib/binary/instruction_reader.ts";
import { knownHostGap, parseArgs } from "../../tools/fuzz.ts";
import { kiln, skipWithoutKiln } from "./_kiln.ts";
import { NATIVE_GC } from "../gc/_native_gc.ts";

const skip = skipWithoutKiln ?? (NATIVE_GC ? undefined : "the host's WebAssembly has no GC");

/** A GC module: a rec group, a sub type, packed fields, GC-typed globals, table, params and results. */
const GC_MODULE = `(module
  (import "fuzzing-support" "log-anyref" (func $log (param anyref)))
  (import "__fuzz_import" "extern$" (global $ext (ref extern)))
  (rec
    (type $node (sub (struct (field $v (mut i32)) (field $next (ref null $node)))))
    (type $fn (func (param (ref null $node)) (result i32))))
  (type $leaf (sub final $node (struct (field $v (mut i32)) (field $next (ref null $node)) (field i8))))
  (type $bytes (array (mut i8)))
  (global $keep (export "keep") (mut (ref null $node)) (ref.null $node))
  (global $made (export "made") (ref $bytes) (array.new_default $bytes (i32.const 3)))
  (table $t (export "t") 2 anyref)
  (func $new (export "new") (param i32) (result (ref $node))
    (struct.new $node (local.get 0) (global.get $keep)))
  (func (export "keep_new") (param i32) (result (ref null $node))
    (global.set $keep (call $new (local.get 0)))
    (table.set $t (i32.const 0) (global.get $keep))
    (call $log (global.get $keep))
    (global.get $keep))
  (func (export "kept") (result anyref) (global.get $keep))
  (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "cast") (param anyref) (result i32)
    (struct.get $node $v (ref.cast (ref null $leaf) (local.get 0))))
  (func (export "oob") (result i32) (array.get_u $bytes (global.get $made) (i32.const 3)))
  (func (export "ext") (result externref) (global.get $ext))
  (func (export "sum") (type $fn) (local $n i32)
    (block $done
      (loop $l
        (local.set $n (i32.add (local.get $n) (struct.get $node $v (br_on_null $done (local.get 0)))))
        (local.set 0 (struct.get $node $next (ref.as_non_null (local.get 0))))
        (br $l)))
    (local.get $n)))`;

async function run(engine: Engine, wasm: Uint8Array, seed: number, asyncImports = false) {
  const steps: Step[] = [];
  await runModule(engine, wasm, { seed, asyncImports, onStep: (s) => steps.push(s) });
  return { steps, done: true, timedOut: false };
}

test("parseArgs() accepts --gc", () => {
  assert.equal(parseArgs([]).gc, false);
  assert.deepEqual([parseArgs(["--gc"]).gc, parseArgs(["--gc"]).ownRatio], [true, 0.5]);
});

test("readWasmInfo() reads GC types and tells GC-using modules apart", { skip }, () => {
  const info = readWasmInfo(kiln!.parseWat(GC_MODULE), { code: true });
  assert.deepEqual(info.typeKinds.slice(0, 4), ["struct", "func", "struct", "array"]);
  assert.ok(info.usesGc);
  const sig = (name: string) => info.funcs[info.exports.find((e) => e.name === name)!.index]!;
  assert.deepEqual(sig("new"), { params: ["i32"], results: ["(ref 0)"] });
  assert.deepEqual(sig("sum"), { params: ["(ref null 0)"], results: ["i32"] });
  assert.deepEqual(sig("i31"), { params: ["i32"], results: ["(ref null i31)"] });
  assert.deepEqual(info.imports[1], { module: "__fuzz_import", name: "extern$", kind: 3, global: "(ref extern)" });
  // No GC type, but a GC instruction in a body: found only when the code is scanned.
  const onlyCode = kiln!.parseWat(`(module (func (export "f") (result i32) (i31.get_s (ref.i31 (i32.const 5)))))`);
  assert.equal(readWasmInfo(onlyCode).usesGc, false);
  assert.equal(readWasmInfo(onlyCode, { code: true }).usesGc, true);
  const plain = kiln!.parseWat(`(module (table 1 funcref) (func (export "f") (param externref) (result funcref)
    (ref.null func)))`);
  assert.equal(readWasmInfo(plain, { code: true }).usesGc, false);
});

test("showValue() shows a GC object by identity (its first appearance), never by its contents", () => {
  const a = Object.freeze(Object.create(null)), b = Object.freeze(Object.create(null));
  const first = showValue(a);
  assert.match(first, /^gc#\d+$/);
  assert.equal(showValue(a), first);
  assert.notEqual(showValue(b), first);
  assert.equal(showValue(5, "(ref null i31)"), "(ref null i31):5");
  assert.equal(showValue("arg-extern"), "extern:arg-extern");
});

test("chooseArgs() passes references as their hierarchy allows, the same on every run", () => {
  const objects = [{}, {}];
  const funcs = [() => 1];
  const pool = { kinds: ["struct", "func"] as const, funcs, objects };
  const sig = { params: ["(ref null 0)", "(ref 1)", "externref", "(ref null any)", "exnref"] as const, results: [] };
  const seen = new Set<string>();
  for (let seed = 0; seed < 200; seed++) {
    const args = chooseArgs(new Rng(seed), { params: [...sig.params], results: [] }, {
      ...pool,
      kinds: [...pool.kinds],
    });
    assert.deepEqual(
      args,
      chooseArgs(new Rng(seed), { params: [...sig.params], results: [] }, {
        ...pool,
        kinds: [...pool.kinds],
      }),
    );
    const [struct, func, ext, any, exn] = args;
    assert.equal(exn, null);
    assert.ok(func === null || func === funcs[0] || typeof func === "number", "a function reference or a mistake");
    for (const [name, v] of [["struct", struct], ["func", func], ["extern", ext], ["any", any]] as const) {
      seen.add(`${name}:${v === null ? "null" : typeof v === "object" ? "object" : typeof v}`);
    }
  }
  for (
    const kind of [
      "struct:null",
      "struct:object",
      "struct:number",
      "func:function",
      "func:null",
      "extern:string",
      "extern:number",
      "extern:object",
      "any:number",
      "any:string",
      "any:object",
      "any:null",
    ]
  ) assert.ok(seen.has(kind), `${kind} is chosen`);
  // Without a pool (binaryen's call-export and call-ref), references are null or an extern string.
  assert.deepEqual(chooseArgs(new Rng(1), { params: ["(ref null 0)"], results: [] }), [null]);
});

test("trapKind() maps the GC traps of V8, JavaScriptCore and Kiln to one kind each", () => {
  const host = (message: string) => new WebAssembly.RuntimeError(message);
  const kilnTrap = (code: string) => Object.assign(new Error("x"), { name: "RuntimeError", code });
  for (
    const [kind, v8, jsc, code] of [
      ["cast", "illegal cast", "ref.cast failed to cast reference to target heap type", "CastFailure"],
      ["array", "array element access out of bounds", "Out of bounds array access", "ArrayOutOfBounds"],
      ["alloc", "requested new array is too large", "Failed to allocate new array", "AllocationTooLarge"],
      ["null", "dereferencing a null pointer", "access to a null reference", "NullReference"],
    ]
  ) {
    assert.equal(trapKind(host(v8!)), kind, v8);
    assert.equal(trapKind(host(jsc!)), kind, jsc);
    assert.equal(trapKind(kilnTrap(code!)), kind, code);
  }
  const jsc = "Out of bounds or failed to allocate in array.new_data";
  assert.equal(trapKind(host(jsc)), "segment-or-alloc");
  for (const kiln of ["trap:memory", "trap:table", "trap:alloc"]) assert.ok(sameOutcome("trap:segment-or-alloc", kiln));
  assert.ok(!sameOutcome("trap:segment-or-alloc", "trap:array"));
  assert.equal(trapKind(host("Out of bounds array.init_data")), "array-or-segment");
  assert.equal(trapKind(host("Out of bounds array.copy")), "array");
  for (const kiln of ["trap:array", "trap:memory", "trap:table"]) assert.ok(sameOutcome(kiln, "trap:array-or-segment"));
  assert.ok(!sameOutcome("trap:array-or-segment", "trap:null"));
});

test("knownHostGap() accepts JavaScriptCore's null-cast trap, array size limits and GC trap order only", () => {
  const d = { step: 1, label: "call f(null)", field: "outcome", a: "trap:null", b: "trap:cast" };
  assert.equal(knownHostGap(d, "Bun 1.4.5 (JavaScriptCore)"), "jsc-null-cast-trap");
  assert.equal(knownHostGap(d, "Deno 2.9.5 (V8)"), undefined);
  assert.equal(knownHostGap({ ...d, a: "trap:cast", b: "trap:null" }, "Bun 1.4.5 (JavaScriptCore)"), undefined);
  // Array size limits differ between engines, and the hosts check theirs before a segment's bounds.
  const deno = "Deno 2.9.5 (V8)";
  assert.equal(knownHostGap({ ...d, a: "trap:alloc", b: "trap:memory" }, deno), "array-size-limit");
  assert.equal(knownHostGap({ ...d, a: "ok:gc#3", b: "trap:alloc" }, deno), "array-size-limit");
  assert.equal(knownHostGap({ ...d, a: "trap:alloc", b: "trap:alloc" }, deno), undefined);
  // Two trap conditions at once in a GC array instruction: engines check them in different orders.
  assert.equal(knownHostGap({ ...d, a: "trap:array", b: "trap:null" }, deno), "gc-trap-order");
  assert.equal(knownHostGap({ ...d, a: "trap:table", b: "trap:array" }, deno), "gc-trap-order");
  assert.equal(knownHostGap({ ...d, a: "trap:memory", b: "trap:array" }, deno), "gc-trap-order");
  assert.equal(knownHostGap({ ...d, a: "trap:memory", b: "trap:table" }, deno), undefined);
  assert.equal(knownHostGap({ ...d, a: "ok", b: "trap:array" }, deno), undefined);
  assert.equal(knownHostGap({ ...d, a: "trap:array", b: "trap:cast" }, deno), undefined);
});

test(
  "a GC module runs alike natively and on Kiln in every configuration, objects compared by identity",
  { skip },
  async () => {
    const wasm = kiln!.parseWat(GC_MODULE);
    const casts = new Set<string>();
    for (const mode of ["plain", "yield", "async"] as const) {
      const engine = kilnEngine(kiln as unknown as KilnApi, {
        fuel: 1_000_000,
        fuelYieldInterval: mode === "yield" ? 7 : undefined,
      });
      for (let seed = 0; seed < 8; seed++) {
        const a = await run(nativeEngine(), wasm, seed);
        const b = await run(engine, wasm, seed, mode === "async");
        assert.deepEqual(compareRuns(a, b), { compared: a.steps.length }, `${mode} seed ${seed}`);
        const outcomes = b.steps.map((s) => `${s.label.replace(/\(.*/, "")} ${s.outcome}`);
        assert.ok(outcomes.includes("call oob trap:array"), outcomes.join("; "));
        casts.add(b.steps.find((s) => s.label.startsWith("call cast"))!.outcome);
        assert.ok(outcomes.includes("call ext ok:extern:fuzz-extern"), outcomes.join("; "));
        // The struct kept_new returns is the one kept returns, logged and stored in the table: the same gc#N.
        const kept = b.steps.find((s) => s.label.startsWith("call keep_new"))!;
        const id = /^ok:(gc#\d+)$/.exec(kept.outcome)?.[1];
        assert.ok(id, kept.outcome);
        assert.deepEqual(kept.logs, [`log-anyref(${id})`]);
        assert.ok(kept.state.some((e) => e.startsWith(`t=table 2 [${id} null]`)), kept.state.join(" "));
        assert.equal(b.steps.find((s) => s.label.startsWith("call kept"))!.outcome, `ok:${id}`);
      }
    }
    // cast's argument was a struct of the wrong type (a cast failure) or null (it passes the nullable cast, and
    // struct.get traps on it) in some round.
    assert.ok(casts.has("trap:cast") && casts.has("trap:null"), [...casts].join(" "));
  },
);

/** The GC instructions of `wasm`'s function bodies, by mnemonic (Kiln's decoder and instruction reader). */
function gcOps(wasm: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (const body of decodeModule(wasm).codes) {
    const r = new ByteReader(wasm.subarray(0, body.end));
    r.pos = body.start;
    const reader = new InstructionReader(r);
    while (r.pos < body.end) {
      reader.next();
      if (reader.info.feature === "gc") counts.set(reader.info.name, (counts.get(reader.info.name) ?? 0) + 1);
    }
  }
  return counts;
}

test("ownModule({ gc }) yields valid GC modules with what binaryen's lack", { skip }, () => {
  const ops = new Map<string, number>();
  for (let seed = 0; seed < 60; seed++) {
    const wasm = ownModule(new Rng(seed), { gc: true });
    assert.ok(WebAssembly.validate(wasm as BufferSource), `seed ${seed}: the host rejects the module`);
    new kiln!.Module(wasm);
    assert.ok(readWasmInfo(wasm, { code: true }).usesGc);
    for (const [name, n] of gcOps(wasm)) ops.set(name, (ops.get(name) ?? 0) + n);
  }
  for (
    const op of [
      "array.new_data",
      "array.new_elem",
      "array.init_data",
      "array.init_elem",
      "array.fill",
      "array.copy",
      "any.convert_extern",
      "extern.convert_any",
      "br_on_cast",
      "br_on_cast_fail",
      "struct.get_s",
      "array.get_u",
    ]
  ) assert.ok(ops.has(op), `${op} is generated`);
  // Without gc, no GC at all.
  assert.equal(readWasmInfo(ownModule(new Rng(1)), { code: true }).usesGc, false);
});

test("reduceModule({ gc }) reads and shrinks a GC module", { skip, timeout: 120_000 }, async () => {
  const wasm = kiln!.parseWat(GC_MODULE);
  // Keep what still validates on the host and exports `cast`: everything else may go.
  const keeps = (b: Uint8Array) =>
    WebAssembly.validate(b as BufferSource) && readWasmInfo(b).exports.some((e) => e.name === "cast");
  const reduced = await reduceModule(wasm, (c) => Promise.resolve(keeps(c)), { gc: true, budgetMs: 60_000 });
  assert.ok(keeps(reduced));
  assert.ok(reduced.length < wasm.length * 0.8, `${wasm.length} -> ${reduced.length} bytes`);
  assert.deepEqual(readWasmInfo(reduced).exports.map((e) => e.name), ["cast"]);
});

test("a short `fuzz --gc` run reaches GC-using modules with no divergence", { skip, timeout: 600_000 }, async () => {
  const script = fileURLToPath(new URL("../../tools/fuzz.ts", import.meta.url));
  const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  const fuzzArgs = ["--gc", "--iterations", "12", "--seconds", "300", "--seed", "20261206", "--quiet", "--no-reduce"];
  const args = isBun ? [script, ...fuzzArgs] : ["run", "-A", "--no-check", script, ...fuzzArgs];
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.on("close", (code) => resolve({ code, stdout }));
  });
  const total = stdout.split("\n").find((l) => l.startsWith("TOTAL diff:"));
  assert.ok(total, stdout.slice(-2000));
  const m =
    /TOTAL diff: (\d+) executions \((\d+) on binaryen modules, (\d+) on own; (\d+) on GC-using modules\).*; 12 modules \(\d+ binaryen, \d+ own; (\d+) GC-using\).*; 0 divergences/
      .exec(total);
  assert.ok(m, total);
  const [executions, binaryen, own, onGc, gcModules] = m.slice(1).map(Number) as number[];
  // Every module uses GC: binaryen's with --enable-gc, the own generator's by construction.
  assert.equal(gcModules, 12, total);
  assert.ok(binaryen! > 0 && own! > 0, total);
  assert.equal(onGc, executions, total);
  assert.equal(code, 0, stdout.slice(-2000));
});
