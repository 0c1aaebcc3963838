import { test } from "node:test";
import assert from "node:assert/strict";
import { describeOsError, formatBacktrace, formatChain, trapLine } from "../../lib/cli/report.ts";
import { demangle } from "../../lib/debug/demangle.ts";

test("formatChain() prints anyhow's shape: no causes, one unnumbered cause, numbered causes", () => {
  assert.equal(formatChain("boom", []), "Error: boom\n");
  assert.equal(
    formatChain("failed to read file: x.wasm", ["No such file or directory (os error 2)"]),
    "Error: failed to read file: x.wasm\n\nCaused by:\n    No such file or directory (os error 2)\n",
  );
  assert.equal(
    formatChain("failed to run main module `t.wasm`", ["failed to invoke command default", "a\nb", "wasm trap: x"]),
    "Error: failed to run main module `t.wasm`\n\nCaused by:\n" +
      "    0: failed to invoke command default\n" +
      "    1: a\n" +
      "       b\n" +
      "    2: wasm trap: x\n",
  );
});

// Issue 13, item 9: every report is escaped once more where it leaves the CLI.
test("formatChain() escapes control characters in each line and keeps the lines of multi-line causes", () => {
  assert.equal(
    formatChain("failed to read file: \x1b[2J.wasm", ["host said \x07\r", "line 1\nline \u202e2"]),
    "Error: failed to read file: \\u{1b}[2J.wasm\n\nCaused by:\n" +
      "    0: host said \\u{7}\\u{d}\n" +
      "    1: line 1\n" +
      "       line \\u{202e}2\n",
  );
});

test("formatBacktrace() aligns frames as Wasmtime does and names unnamed functions by index", () => {
  const text = formatBacktrace([
    { funcIndex: 8, funcName: "trap_inner", offset: 0x1a2 },
    { funcIndex: 9, offset: 0x1977 },
    { funcIndex: 10, funcName: "f", moduleName: "named", offset: 0x87b40 },
    { funcIndex: 11, funcName: "g", offset: -1 },
  ], "trap.wasm");
  assert.equal(
    text,
    "error while executing at wasm backtrace:\n" +
      "    0:  0x1a2 - trap.wasm!trap_inner\n" +
      "    1: 0x1977 - trap.wasm!<wasm function 9>\n" +
      "    2: 0x87b40 - named!f\n" +
      "    3: trap.wasm!g",
  );
  // Inside a numbered cause the frame lines get anyhow's 7-space indent: 11 spaces before the frame number.
  const report = formatChain("m", ["c", text, trapLine("unreachable")]);
  assert.match(report, /\n {11}0: {2}0x1a2 - trap\.wasm!trap_inner\n/);
  assert.match(report, /\n {4}2: wasm trap: wasm `unreachable` instruction executed\n$/);
});

test("formatBacktrace() shows a repeating run of frames once, with a count of the rest", () => {
  const f = (funcIndex: number, offset: number) => ({ funcIndex, funcName: `f${funcIndex}`, offset });
  // A trap under 100,000 frames of one recursive function, below main.
  const deep = [f(1, 0x20), ...Array.from({ length: 100_000 }, () => f(1, 0x30)), f(0, 0x10)];
  assert.equal(
    formatBacktrace(deep, "m"),
    "error while executing at wasm backtrace:\n" +
      "    0:   0x20 - m!f1\n" +
      "    1:   0x30 - m!f1\n" +
      "       … 99,999 more frames repeating the frame above …\n" +
      "  100001:   0x10 - m!f0",
  );
  // Mutual recursion: a cycle of two frames; a short repetition (3 times) is shown as it is.
  const cycle = Array.from({ length: 1000 }, (_, i) => f(2 + (i % 2), 0x40 + (i % 2)));
  const lines = formatBacktrace([...cycle, f(5, 1), f(5, 1), f(5, 1)], "m").split("\n");
  assert.deepEqual(lines.slice(1, 4), [
    "    0:   0x40 - m!f2",
    "    1:   0x41 - m!f3",
    "       … 998 more frames repeating the 2 frames above …",
  ]);
  assert.equal(lines.length, 1 + 3 + 3);
});

test("trapLine() uses Wasmtime's trap descriptions", () => {
  assert.equal(trapLine("all fuel consumed by WebAssembly"), "wasm trap: all fuel consumed by WebAssembly");
  assert.equal(trapLine("interrupt"), "wasm trap: interrupt");
  assert.equal(trapLine("out of bounds table access"), "wasm trap: undefined element: out of bounds table access");
});

test("describeOsError() reads like Rust's io::Error", () => {
  const enoent = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
  assert.equal(describeOsError(enoent), "No such file or directory (os error 2)");
  assert.equal(describeOsError(Object.assign(new Error("x"), { code: "EISDIR" })), "Is a directory (os error 21)");
  assert.equal(describeOsError(new Error("plain")), "plain");
});

test("demangle() decodes legacy Rust symbols as rustc-demangle's Display does and leaves others alone", () => {
  assert.equal(demangle("_ZN5panic4main17hfb1a28e3d878f8bcE"), "panic::main::hfb1a28e3d878f8bc");
  assert.equal(
    demangle("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17hd4eb2a6ec3c6bb9fE"),
    "std::rt::lang_start::{{closure}}::hd4eb2a6ec3c6bb9f",
  );
  assert.equal(
    demangle(
      "_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE",
    ),
    "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>::h0123456789abcdef",
  );
  assert.equal(demangle("_ZN3foo3bar"), "_ZN3foo3bar");
  assert.equal(demangle("_ZN99xE"), "_ZN99xE");
  assert.equal(demangle("trap_inner"), "trap_inner");
  assert.equal(demangle("_Z3fooi"), "_Z3fooi");
});
