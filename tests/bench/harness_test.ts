import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { geomean, median } from "../../bench/stats.ts";
import { describeDifference, verifyOutput } from "../../bench/verify.ts";
import { geomeanOfRows, makeRow, MIN_BASE_MS } from "../../bench/compare.ts";
import { DEFAULT_FUEL, parseBenchArgs } from "../../bench/options.ts";
import { markdownTable, replaceSection, textTable } from "../../bench/report.ts";
import { filterBenchmarks, listBenchmarks, SIGHTGLASS_DIR } from "../../bench/suite.ts";
import { type BenchWasi, nativeInstantiator, runProgram, type WasiProvider } from "../../bench/runner.ts";
import { runBench } from "../../bench/run.ts";
import { largestWasmFiles, megabytesPerSecond } from "../../bench/startup.ts";
import { formatSelfTimes, lineTicks, selfTimes, sourceMapLines } from "../../bench/profile_summary.ts";
import { runProgramInWorker } from "../../bench/isolated.ts";

const result = (ms: number, problems: string[] = []) => ({ benchMs: ms, loadMs: 1, samples: [ms], problems });

test("median() handles odd, even and empty lists", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("geomean() is the n-th root of the product and skips unusable values", () => {
  assert.equal(geomean([2, 8]), 4);
  assert.ok(Math.abs(geomean([1, 10, 100]) - 10) < 1e-12);
  assert.equal(geomean([4, NaN, 0, -1, Infinity]), 4);
  assert.ok(Number.isNaN(geomean([])));
  // Large ratios do not overflow: computed through logarithms.
  assert.ok(Math.abs(geomean(new Array(400).fill(1e300)) / 1e300 - 1) < 1e-9);
});

test("makeRow() and geomeanOfRows() leave out failures and tiny baselines", () => {
  const rows = [
    makeRow("a", { base: result(10), candidate: result(20) }),
    makeRow("b", { base: result(1), candidate: result(8) }),
    makeRow("noop", { base: result(MIN_BASE_MS / 10), candidate: result(5) }),
    makeRow("broken", { base: result(5), candidate: result(NaN, ["exit code 1"]) }),
    makeRow("native-only", { base: result(5) }),
  ];
  assert.deepEqual(rows.map((r) => r.inGeomean), [true, true, false, false, false]);
  assert.equal(rows[0].ratio, 2);
  assert.ok(Number.isNaN(rows[4].ratio));
  assert.equal(geomeanOfRows(rows), 4);
});

test("verifyOutput() catches a stdout or stderr mismatch and accepts equal output", () => {
  const expected = { expectedStdout: "result: 42\n", expectedStderr: "" };
  assert.deepEqual(verifyOutput(expected, { stdout: "result: 42\n", stderr: "" }), []);
  const bad = verifyOutput(expected, { stdout: "result: 43\n", stderr: "warning\n" });
  assert.equal(bad.length, 2);
  assert.match(bad[0], /^stdout differs at byte 9: expected "2\\n", got "3\\n"$/);
  assert.match(bad[1], /^stderr differs at byte 0/);
  // A truncated output differs at its end.
  assert.match(verifyOutput(expected, { stdout: "result: ", stderr: "" })[0], /at byte 8: .*lengths 11 and 8/);
  // Streams without an expected file are not checked.
  assert.deepEqual(verifyOutput({}, { stdout: "anything", stderr: "at all" }), []);
});

test("describeDifference() returns undefined only for equal strings", () => {
  assert.equal(describeDifference("abc", "abc"), undefined);
  assert.equal(describeDifference("abc", "abd"), 'at byte 2: expected "c", got "d"');
  assert.equal(describeDifference("", "x"), 'at byte 0: expected "", got "x" (lengths 0 and 1)');
});

test("parseBenchArgs() reads filters and options and rejects bad ones", () => {
  const o = parseBenchArgs(["shootout", "--reps", "3", "--fuel", "--json", "bz2", "--timeout=60"]);
  assert.deepEqual(o.filters, ["shootout", "bz2"]);
  assert.equal(o.reps, 3);
  assert.equal(o.fuel, DEFAULT_FUEL);
  assert.equal(o.json, true);
  assert.equal(o.timeoutMs, 60_000);
  assert.equal(parseBenchArgs(["--fuel=500"]).fuel, 500);
  assert.equal(parseBenchArgs([]).fuel, undefined);
  // --yield implies fuel, since Kiln yields by fuel.
  const y = parseBenchArgs(["--yield", "1000"]);
  assert.equal(y.yieldInterval, 1000);
  assert.equal(y.fuel, DEFAULT_FUEL);
  assert.deepEqual(parseBenchArgs(["--engine", "native"]).engines, ["native"]);
  assert.throws(() => parseBenchArgs(["--reps", "0"]), /Invalid value for --reps/);
  assert.throws(() => parseBenchArgs(["--reps", "1.5"]), /expected an integer/);
  assert.throws(() => parseBenchArgs(["--yield"]), /Invalid value for --yield/);
  assert.throws(() => parseBenchArgs(["--engine", "v8"]), /Invalid value for --engine/);
  assert.throws(() => parseBenchArgs(["--frobnicate"]), /Unknown option: --frobnicate/);
});

test("replaceSection() appends, replaces in place and keeps the rest of the document", () => {
  let doc = replaceSection("", { key: "deno", body: "## Deno\nOLD-NUMBERS" });
  assert.match(doc, /^# Kiln benchmarks/);
  doc = replaceSection(doc, { key: "bun", body: "## Bun\nbun numbers" });
  doc += "\nHand-written profile notes.\n";
  doc = replaceSection(doc, { key: "deno", body: "## Deno\nnew" });
  assert.ok(doc.includes("<!-- bench:deno -->\n\n## Deno\nnew\n\n<!-- /bench:deno -->"));
  assert.ok(!doc.includes("OLD-NUMBERS"));
  assert.ok(doc.includes("bun numbers"));
  assert.ok(doc.includes("Hand-written profile notes."));
  assert.ok(doc.indexOf("bench:deno") < doc.indexOf("bench:bun"), "replaced section keeps its place");
  assert.equal(doc.split("<!-- bench:deno -->").length, 2);
});

test("textTable() pads columns and markdownTable() escapes pipes", () => {
  const t = textTable(["name", "ms", "status"], [["noop", "0.1", "ok"], ["bz2", "120.5", "FAIL: x"]]);
  assert.equal(t.split("\n")[2], "noop    0.1  ok");
  const md = markdownTable(["a", "b"], [["x|y", "1"]]);
  assert.equal(md, "| a    | b   |\n| :--- | :-- |\n| x\\|y | 1   |");
});

test("megabytesPerSecond() converts bytes and milliseconds", () => {
  assert.equal(megabytesPerSecond(2_000_000, 1000), 2);
  assert.ok(Number.isNaN(megabytesPerSecond(1, 0)));
});

// A tiny "benchmark": bench.start, a loop, bench.end, then it prints through a fake WASI import. Built with wabt.
const TINY_WAT = `(module
  (import "bench" "start" (func $start))
  (import "bench" "end" (func $end))
  (import "fake_wasi" "print" (func $print (param i32)))
  (func (export "_start") (local $i i32)
    call $start
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    call $end
    (call $print (local.get $i))))`;

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const m = wabt.parseWat("tiny.wat", text, {});
  try {
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

/** A stand-in WASI layer: `print(n)` writes "n\n" to stdout; `exit(code)` sets the exit code. */
const fakeWasi: WasiProvider = (): BenchWasi => {
  let stdout = "";
  return {
    imports: { fake_wasi: { print: (n: number) => void (stdout += `${n}\n`) } },
    start: async (instance) => {
      await (instance.exports._start as () => unknown)();
      return 0;
    },
    output: () => ({ stdout, stderr: "" }),
  };
};

/** A temporary Sightglass-like folder with one empty benchmark folder, `tiny`. */
function tinySuite(): string {
  const root = mkdtempSync(join(tmpdir(), "kiln-bench-"));
  mkdirSync(join(root, "tiny"));
  return root;
}

test("runProgram() times bench.start..bench.end and verifies output", async () => {
  const root = tinySuite();
  try {
    const bytes = await wat(TINY_WAT);
    writeFileSync(join(root, "tiny", "benchmark.wasm"), bytes);
    writeFileSync(join(root, "tiny", "benchmark.stdout.expected"), "1000\n");
    writeFileSync(join(root, "tiny", "benchmark.stderr.expected"), "");
    const [program] = listBenchmarks(root);
    assert.equal(program.name, "tiny");
    const ok = await runProgram(program, { engine: "native", instantiate: nativeInstantiator, wasi: fakeWasi });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.exitCode, 0);
    assert.ok(ok.benchMs >= 0 && Number.isFinite(ok.benchMs));
    assert.ok(ok.loadMs >= 0);

    writeFileSync(join(root, "tiny", "benchmark.stdout.expected"), "999\n");
    const [changed] = listBenchmarks(root);
    const bad = await runProgram(changed, { engine: "native", instantiate: nativeInstantiator, wasi: fakeWasi });
    assert.equal(bad.problems.length, 1);
    assert.match(bad.problems[0], /^stdout differs at byte 0/);
    assert.ok(Number.isNaN(bad.benchMs), "a mismatching run has no time");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("runProgram() reports missing markers, traps and nonzero exits instead of throwing", async () => {
  const root = tinySuite();
  try {
    writeFileSync(
      join(root, "tiny", "twice.wasm"),
      await wat(`(module (import "bench" "start" (func $s)) (import "bench" "end" (func $e))
        (func (export "_start") call $s call $s call $e))`),
    );
    writeFileSync(
      join(root, "tiny", "trap.wasm"),
      await wat(`(module (import "bench" "start" (func $s)) (func (export "_start") call $s unreachable))`),
    );
    const programs = listBenchmarks(root);
    assert.deepEqual(programs.map((p) => p.name), ["trap", "twice"]);
    const [trap, twice] = await Promise.all(
      programs.map((p) => runProgram(p, { engine: "native", instantiate: nativeInstantiator, wasi: fakeWasi })),
    );
    assert.ok(trap.problems.some((p) => /RuntimeError/.test(p)), trap.problems.join("; "));
    assert.ok(trap.problems.some((p) => /bench.start called 1 times and bench.end 0 times/.test(p)));
    assert.ok(twice.problems.some((p) => /bench.start called 2 times/.test(p)));
    const exiting: WasiProvider = (s) => {
      const w = fakeWasi(s) as BenchWasi;
      return { ...w, start: async (i) => (await w.start(i), 3) };
    };
    writeFileSync(join(root, "tiny", "benchmark.wasm"), await wat(TINY_WAT));
    const tiny = listBenchmarks(root).find((p) => p.name === "tiny")!;
    const exit = await runProgram(tiny, { engine: "native", instantiate: nativeInstantiator, wasi: exiting });
    assert.deepEqual(exit.problems, ["exit code 3"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("runBench() compares two engines, reports JSON and writes only its own sections", async () => {
  const root = tinySuite();
  const out = mkdtempSync(join(tmpdir(), "kiln-bench-out-"));
  try {
    writeFileSync(join(root, "tiny", "benchmark.wasm"), await wat(TINY_WAT));
    writeFileSync(join(root, "tiny", "benchmark.stdout.expected"), "1000\n");
    const file = join(out, "BENCHMARKS.md");
    writeFileSync(file, "# Kiln benchmarks\n\nKept text.\n");
    let printed = "";
    const report = await runBench(["--reps", "3", "--no-startup", "--json", "--write"], {
      wasi: fakeWasi,
      // Stands in for Kiln: the harness's plumbing does not care which engine runs.
      kiln: () => Promise.resolve(nativeInstantiator),
      sightglassDir: root,
      benchmarksFile: file,
      log: () => {},
      print: (t) => void (printed += t),
    });
    assert.equal(report.failed, false);
    const json = JSON.parse(printed);
    assert.equal(json.comparisons.length, 1);
    const row = json.comparisons[0].rows[0];
    assert.equal(row.name, "tiny");
    assert.equal(row.base.samples.length, 3);
    assert.equal(row.candidate.samples.length, 3);
    const doc = readFileSync(file, "utf8");
    assert.ok(doc.startsWith("# Kiln benchmarks\n\nKept text.\n"));
    assert.match(doc, /<!-- bench:(deno|bun|node) -->[\s\S]*\| tiny +\|[\s\S]*<!-- \/bench:(deno|bun|node) -->/);

    // An unavailable Kiln is a note, not a crash; a failing program makes the run fail.
    writeFileSync(join(root, "tiny", "benchmark.stdout.expected"), "wrong\n");
    const r2 = await runBench(["--no-startup", "--no-write"], {
      wasi: fakeWasi,
      kiln: () => Promise.reject(new Error("no mod.ts")),
      sightglassDir: root,
      log: () => {},
      print: () => {},
    });
    assert.equal(r2.failed, true);
    assert.match(r2.notes[0], /Kiln is unavailable \(no mod.ts\)/);
    assert.equal(r2.comparisons[0].candidateLabel, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

const shared = existsSync(SIGHTGLASS_DIR);

test("listBenchmarks() finds the Sightglass programs with their expected output", {
  skip: shared ? false : `shared data not found at ${SIGHTGLASS_DIR}`,
}, () => {
  const all = listBenchmarks();
  const names = all.map((b) => b.name);
  for (const n of ["noop", "bz2", "shootout-fib2", "blake3-scalar"]) assert.ok(names.includes(n), n);
  const noop = all.find((b) => b.name === "noop")!;
  assert.match(noop.expectedStdout!, /\[noop\] complete/);
  assert.equal(filterBenchmarks(all, ["SHOOTOUT-FIB"]).map((b) => b.name).join(), "shootout-fib2");
  assert.ok(largestWasmFiles(join(SIGHTGLASS_DIR, ".."), 1)[0].endsWith(".wasm"));
});

test("selfTimes() charges each sample its interval and merges call sites of one function", () => {
  const frame = (functionName: string, lineNumber: number) => ({
    functionName,
    url: "file:///work/main/lib/exec/machine.ts",
    lineNumber,
    columnNumber: 0,
  });
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 } },
      { id: 2, callFrame: frame("run", 9) },
      { id: 3, callFrame: frame("run", 9) }, // the same function reached through another caller
      { id: 4, callFrame: frame("memoryGrow", 99) },
    ],
    samples: [2, 3, 4, 2],
    timeDeltas: [0, 3000, 1000, 1000],
    startTime: 0,
    endTime: 8000,
  };
  const entries = selfTimes(profile);
  assert.equal(entries[0].fn, "run (lib/exec/machine.ts:10)");
  // run: samples 0 (3 ms to the next), 1 (1 ms) and 3 (the last: the mean, 8 ms / 4 samples = 2 ms).
  assert.equal(entries[0].selfMs, 6);
  assert.equal(entries[1].fn, "memoryGrow (lib/exec/machine.ts:100)");
  assert.equal(entries[1].selfMs, 1);
  assert.ok(Math.abs(entries[0].percent - (600 / 7)) < 1e-9);
  assert.equal(formatSelfTimes(entries, { top: 1 }), "  85.7%        6.0 ms  run (lib/exec/machine.ts:10)");
});

const haveWasi = existsSync(new URL("../../lib/wasi/wasi.ts", import.meta.url));

test("runProgramInWorker() terminates a guest that runs past its time limit", {
  skip: haveWasi ? false : "lib/wasi/wasi.ts not present yet",
}, async () => {
  const root = tinySuite();
  try {
    writeFileSync(
      join(root, "tiny", "spin.wasm"),
      await wat(`(module (import "bench" "start" (func $s)) (import "bench" "end" (func $e))
        (memory (export "memory") 1)
        (func (export "_start") call $s (loop $l (br $l)) call $e))`),
    );
    writeFileSync(
      join(root, "tiny", "quick.wasm"),
      await wat(`(module (import "bench" "start" (func $s)) (import "bench" "end" (func $e))
        (memory (export "memory") 1)
        (func (export "_start") call $s call $e))`),
    );
    const [quick, spin] = listBenchmarks(root);
    const spun = await runProgramInWorker({ program: spin, engine: "native", wasiMode: "sync" }, { timeoutMs: 1000 });
    assert.deepEqual(spun.problems, ["timed out after 1 s"]);
    assert.ok(Number.isNaN(spun.benchMs));
    const ok = await runProgramInWorker({ program: quick, engine: "native", wasiMode: "sync" }, { timeoutMs: 30_000 });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.exitCode, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("sourceMapLines() decodes VLQ mappings to original lines and lineTicks() sums per line", () => {
  // "AAAA;AACA;;AAEA": generated line 0 -> original 0, 1 -> 1, 2 unmapped, 3 -> 3 (delta +2 from line 1).
  assert.deepEqual(sourceMapLines("AAAA;AACA;;AAEA"), [0, 1, -1, 3]);
  // Multi-digit VLQ: "gB" is 16, so "AAgBA" moves the original line by 16.
  assert.deepEqual(sourceMapLines("AAgBA,AACA"), [16]);
  const frame = { functionName: "run", url: "file:///m.ts", lineNumber: 0, columnNumber: 0 };
  const ticks = lineTicks({
    nodes: [
      { id: 1, callFrame: frame, positionTicks: [{ line: 7, ticks: 3 }, { line: 9, ticks: 1 }] },
      { id: 2, callFrame: frame, positionTicks: [{ line: 9, ticks: 4 }] },
    ],
    startTime: 0,
    endTime: 1,
  });
  assert.deepEqual(ticks.map((t) => [t.line, t.ticks, t.percent]), [[9, 5, 62.5], [7, 3, 37.5]]);
});
