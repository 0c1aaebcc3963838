// Source lines in trap reports (issue 20, item 1): `-D debug-info` and WASMTIME_BACKTRACE_DETAILS=1, parsed and
// then seen by a user, the CLI spawned under Deno and under Bun on testdata/trap_lines.wasm (built with -g).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "../../lib/cli/args.ts";
import { formatBacktrace } from "../../lib/cli/report.ts";
import { runCli, RUNTIMES, WASI_MISSING } from "./_spawn.ts";

function debugInfoOf(argv: string[]): boolean | undefined {
  const cmd = parseArgs(argv);
  assert.equal(cmd.kind, "run");
  return cmd.kind === "run" ? cmd.options.debugInfo : undefined;
}

test("parseArgs() parses -D debug-info[=y|n] as a key[=value] list, like -W", () => {
  assert.equal(debugInfoOf(["m.wasm"]), undefined);
  assert.equal(debugInfoOf(["-D", "debug-info", "m.wasm"]), true);
  assert.equal(debugInfoOf(["-Ddebug-info=n", "m.wasm"]), false);
  assert.equal(debugInfoOf(["--debug", "debug-info=y", "m.wasm"]), true);
  assert.equal(debugInfoOf(["--debug=debug-info,debug-info=no", "m.wasm"]), false);
  assert.throws(() => parseArgs(["-D", "bogus", "m.wasm"]), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /^error: unknown -D \/ --debug option: bogus\n/);
    return true;
  });
});

test("formatBacktrace() adds an `at file:line[:column]` line to a frame with a source position", () => {
  const text = formatBacktrace([
    { funcIndex: 1, funcName: "f", moduleName: "m.wasm", offset: 0x40, file: "a.c", line: 3 },
    { funcIndex: 2, funcName: "g", moduleName: "m.wasm", offset: 0x50, file: "/src/b.c", line: 9, column: 5 },
    { funcIndex: 3, moduleName: "m.wasm", offset: 0x60 },
  ]);
  assert.equal(
    text,
    [
      "error while executing at wasm backtrace:",
      "    0:   0x40 - f",
      "                    at a.c:3",
      "    1:   0x50 - g",
      "                    at /src/b.c:9:5",
      "    2:   0x60 - m.wasm!<wasm function 3>",
    ].join("\n"),
  );
});

/** The frames of `divide` <- `average` <- `report` <- `main`, as Wasmtime prints them with details on. */
function expectedFrames(file: string): string[] {
  return [
    "           0:  0x134 - divide",
    `                           at ${file}:4:16`,
    "           1:  0x213 - average",
    `                           at ${file}:10:10`,
    "           2:  0x29f - report",
    `                           at ${file}:15:10`,
    "           3:  0x30a - main",
    `                           at ${file}:20:10`,
  ];
}

for (const rt of RUNTIMES) {
  const t = (name: string, fn: () => Promise<void>) =>
    test(`${rt.name}: ${name}`, WASI_MISSING ? { skip: WASI_MISSING } : { timeout: 120_000 }, fn);

  t("-D debug-info prints file:line:column under each frame of a trap", async () => {
    const r = await runCli(rt, ["-D", "debug-info", "testdata/trap_lines.wasm"]);
    assert.equal(r.status, 134);
    const lines = r.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.slice(0, 5), [
      "Error: failed to run main module `testdata/trap_lines.wasm`",
      "",
      "Caused by:",
      "    0: failed to invoke command default",
      "    1: error while executing at wasm backtrace:",
    ]);
    assert.deepEqual(lines.slice(5, 13), expectedFrames("testdata/trap_lines.c"));
    // A frame without DWARF keeps the plain `module!function` form.
    assert.match(lines[lines.length - 2], /^ +\d+: 0x[0-9a-f]+ - trap_lines\.wasm!_start\.command_export$/);
    assert.equal(lines[lines.length - 1], "    2: wasm trap: integer divide by zero");
  });

  t("-C engine=native -D debug-info: the same lines on V8 (fuel on); named frames without offsets on JSC", async () => {
    const r = await runCli(rt, [
      "-C",
      "engine=native",
      "-W",
      "fuel=1000000000",
      "-D",
      "debug-info",
      "testdata/trap_lines.wasm",
    ]);
    assert.equal(r.status, 134);
    const lines = r.stderr.trimEnd().split("\n");
    if (rt.name === "deno") {
      assert.deepEqual(lines.slice(5, 13), expectedFrames("testdata/trap_lines.c"));
    } else {
      // JavaScriptCore's call sites name each wasm function but give no offset (lib/native/traps.ts).
      assert.deepEqual(lines.slice(5, 9), [
        "           0: trap_lines.wasm!divide",
        "           1: trap_lines.wasm!average",
        "           2: trap_lines.wasm!report",
        "           3: trap_lines.wasm!main",
      ]);
    }
    assert.equal(lines[lines.length - 1], "    2: wasm trap: integer divide by zero");
  });

  t("WASMTIME_BACKTRACE_DETAILS=1 does the same (DWARF 4 build); without it, no source lines", async () => {
    const env = { WASMTIME_BACKTRACE_DETAILS: "1" };
    const r = await runCli(rt, ["testdata/trap_lines_dwarf4.wasm"], { env });
    assert.equal(r.status, 134);
    assert.deepEqual(r.stderr.split("\n").slice(5, 13), expectedFrames("testdata/trap_lines.c"));
    for (const [args, details] of [[[], "0"], [["-D", "debug-info=n"], "1"]] as const) {
      const plain = await runCli(rt, [...args, "testdata/trap_lines.wasm"], {
        env: { WASMTIME_BACKTRACE_DETAILS: details },
      });
      assert.equal(plain.status, 134);
      assert.equal(plain.stderr.split("\n")[5], "           0:  0x134 - trap_lines.wasm!divide");
      assert.doesNotMatch(plain.stderr, /\n +at /);
      // Wasmtime's note: the module has DWARF that was not read.
      assert.match(plain.stderr, /\n {7}note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show/);
    }
    assert.doesNotMatch(r.stderr, /note: using/, "no note when the lines are shown");
  });

  t("a module without DWARF gets no note about WASMTIME_BACKTRACE_DETAILS", async () => {
    const r = await runCli(rt, ["--invoke", "f", "-"], {
      stdin: '(module (func (export "f") unreachable))',
    });
    assert.equal(r.status, 134);
    assert.match(r.stderr, /error while executing at wasm backtrace:\n.*<wasm function 0>\n {4}2: wasm trap:/);
    assert.doesNotMatch(r.stderr, /note:/);
  });
}
