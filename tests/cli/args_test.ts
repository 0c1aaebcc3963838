import { test } from "node:test";
import assert from "node:assert/strict";
import { groupHelp, parseArgs, parseDuration, UsageError } from "../../lib/cli/args.ts";

function run(argv: string[]) {
  const cmd = parseArgs(argv);
  assert.equal(cmd.kind, "run");
  return (cmd as Extract<typeof cmd, { kind: "run" }>).options;
}

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${e}`);
    return e.message;
  }
  assert.fail(`parseArgs(${JSON.stringify(argv)}) did not throw`);
}

test("parseArgs() gives the module and everything after it to the guest", () => {
  const o = run(["app.wasm", "--dir", "x", "-W", "fuel=1"]);
  assert.equal(o.module, "app.wasm");
  assert.deepEqual(o.args, ["--dir", "x", "-W", "fuel=1"]);
  assert.deepEqual(o.dirs, []);
  assert.equal(o.fuel, undefined);
});

test("parseArgs() accepts an optional `run` subcommand and `--` before the module", () => {
  assert.equal(run(["run", "a.wasm"]).module, "a.wasm");
  const o = run(["run", "--", "--weird.wasm", "x"]);
  assert.equal(o.module, "--weird.wasm");
  assert.deepEqual(o.args, ["x"]);
  assert.equal(run(["-"]).module, "-");
});

test("parseArgs() parses --dir with and without a :: guest name, in order", () => {
  const o = run(["--dir", "data", "--dir=/tmp/x::/sandbox", "m.wasm"]);
  assert.deepEqual(o.dirs, [{ host: "data", guest: "data" }, { host: "/tmp/x", guest: "/sandbox" }]);
});

test("parseArgs() parses --env NAME=VAL and --env NAME, and -S inherit-env", () => {
  const o = run(["--env", "A=1=2", "--env", "HOME", "-S", "inherit-env", "m.wasm"]);
  assert.deepEqual(o.env, [{ name: "A", value: "1=2" }, { name: "HOME" }]);
  assert.equal(o.inheritEnv, true);
  assert.equal(run(["-Sinherit-env=n", "m.wasm"]).inheritEnv, false);
});

test("parseArgs() parses comma lists in -W and attached short values", () => {
  const o = run([
    "-W",
    "fuel=1000,timeout=500ms",
    "-Wmax-memory-size=0x10000",
    "--wasm=max-wasm-stack=65536",
    "m.wasm",
  ]);
  assert.equal(o.fuel, 1000);
  assert.equal(o.timeoutMs, 500);
  assert.equal(o.maxMemorySize, 65536);
  assert.equal(o.maxWasmStack, 65536);
  assert.equal(run(["-W", "trap-on-grow-failure", "m.wasm"]).trapOnGrowFailure, true);
  assert.equal(run(["-W", "trap-on-grow-failure=no", "m.wasm"]).trapOnGrowFailure, false);
});

test("parseArgs() parses --invoke, --preload and --argv0", () => {
  const o = run(["--invoke", "add", "--preload", "lib=lib.wasm", "--argv0", "tool", "m.wasm", "1", "2"]);
  assert.equal(o.invoke, "add");
  assert.deepEqual(o.preloads, [{ name: "lib", path: "lib.wasm" }]);
  assert.equal(o.argv0, "tool");
  assert.deepEqual(o.args, ["1", "2"]);
});

test("parseArgs() handles --help, --version and wast", () => {
  assert.equal(parseArgs(["--help"]).kind, "help");
  assert.equal(parseArgs(["run", "-h"]).kind, "help");
  const v = parseArgs(["-V"]);
  assert.ok(v.kind === "version" && /^kiln \d+\.\d+\.\d+$/.test(v.text));
  const w = parseArgs(["wast", "a.wast", "b.wast"]);
  assert.ok(w.kind === "wast");
  assert.deepEqual(w.files, ["a.wast", "b.wast"]);
});

test("parseArgs() reports an unknown option in clap's shape", () => {
  assert.equal(
    usageError(["--frobnicate", "m.wasm"]),
    "error: unexpected argument '--frobnicate' found\n\n  tip: to pass '--frobnicate' as a value, use " +
      "'-- --frobnicate'\n\nUsage: kiln run [OPTIONS] <WASM>...\n\nFor more information, try '--help'.",
  );
  assert.match(usageError(["-x", "m.wasm"]), /^error: unexpected argument '-x' found/);
});

test("parseArgs() reports a missing module, a missing value and bad -W/-S values", () => {
  assert.match(usageError([]), /^error: the following required arguments were not provided:\n {2}<WASM>\.\.\.\n/);
  assert.equal(
    usageError(["--dir"]),
    "error: a value is required for '--dir <HOST_DIR[::GUEST_DIR]>' but none was supplied\n\n" +
      "For more information, try '--help'.",
  );
  assert.match(usageError(["-W", "fuel=abc", "m.wasm"]), /^error: failed to parse -W option `fuel=abc`: invalid digit/);
  assert.match(usageError(["-W", "fuel", "m.wasm"]), /value must be specified with `key=val` syntax/);
  assert.match(usageError(["-W", "nope=1", "m.wasm"]), /^error: unknown -W \/ --wasm option: nope\n/);
  assert.match(usageError(["-S", "nope", "m.wasm"]), /^error: unknown -S \/ --wasi option: nope\n/);
  assert.match(usageError(["-W", "timeout=5parsecs", "m.wasm"]), /failed to parse -W option `timeout=5parsecs`/);
  assert.match(usageError(["-S", "inherit-env=maybe", "m.wasm"]), /unknown boolean flag `maybe`/);
  assert.match(usageError(["--preload", "nolib", "m.wasm"]), /must contain exactly one equals character/);
});

test("parseDuration() reads seconds, units and compound durations as humantime does", () => {
  assert.equal(parseDuration("2"), 2000);
  assert.equal(parseDuration("1s"), 1000);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("1m 30s"), 90_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("250us"), 0.25);
  assert.throws(() => parseDuration("1.5s"));
  assert.throws(() => parseDuration("ms"));
  assert.throws(() => parseDuration(""));
});

test("parseArgs() answers `-W help`, `-S help`, `-C help`, `-D help` and `help-long` with the group's table", () => {
  for (
    const [short, long, key] of [["W", "wasm", "max-memory-size=N"], ["S", "wasi", "inherit-env[=y|n]"], [
      "C",
      "codegen",
      "compiler=interpreter",
    ], ["D", "debug", "coredump=val"]]
  ) {
    const cmd = parseArgs([`-${short}`, "help"]);
    assert.equal(cmd.kind, "help");
    const text = (cmd as Extract<typeof cmd, { kind: "help" }>).text;
    assert.equal(text, groupHelp(short as "W"));
    assert.match(text, new RegExp(`^Available ${long} options:\\n\\n`));
    assert.ok(text.includes(` ${key} -- `), text);
    assert.match(text, new RegExp(`\\npass \`-${short} help-long\` to see longer-form explanations\\n$`));
    const longCmd = parseArgs([`--${long}=help-long`, "x.wasm"]);
    assert.equal(longCmd.kind, "help");
    assert.ok((longCmd as { text: string }).text.includes(`  -${short} ${key} --\n\n        `));
  }
  // Every -W line ends in its default; the `--` columns line up as Wasmtime's do.
  const lines = groupHelp("W").split("\n").filter((l) => l.startsWith("  -W "));
  assert.ok(lines.length >= 11);
  for (const l of lines) assert.match(l, /\(default: [^)]+\)$/);
  assert.equal(new Set(lines.map((l) => l.indexOf(" -- "))).size, 1);
  assert.ok(groupHelp("W").includes("max-memory-size=N -- ") && groupHelp("W").includes("(default: 4 GiB)"));
});

test("parseArgs() parses -W unknown-imports-trap/-default, -C compiler and -D coredump", () => {
  const o = run(["-W", "unknown-imports-trap,unknown-imports-default=n", "-D", "coredump=core.wasm", "m.wasm"]);
  assert.equal(o.unknownImportsTrap, true);
  assert.equal(o.unknownImportsDefault, false);
  assert.equal(o.coredump, "core.wasm");
  assert.equal(run(["--wasm", "unknown-imports-default", "m.wasm"]).unknownImportsDefault, true);
  assert.equal(run(["-C", "compiler=interpreter", "m.wasm"]).module, "m.wasm");
  assert.match(
    usageError(["-C", "compiler=cranelift", "m.wasm"]),
    /^error: failed to parse -C option `compiler=cranelift`: unknown compiler/,
  );
  assert.match(usageError(["-D", "coredump", "m.wasm"]), /`key=val` syntax/);
  assert.match(usageError(["-D", "nope", "m.wasm"]), /^error: unknown -D \/ --debug option: nope\n/);
  assert.match(usageError(["-C", "nope", "m.wasm"]), /^error: unknown -C \/ --codegen option: nope\n/);
});

test("parseArgs() parses -C engine=native|interpreter|auto and refuses another", () => {
  assert.equal(run(["-C", "engine=native", "m.wasm"]).engine, "native");
  assert.equal(run(["-C", "engine=interpreter", "m.wasm"]).engine, "interpreter");
  assert.equal(run(["-C", "engine=auto", "m.wasm"]).engine, "auto");
  assert.equal(run(["m.wasm"]).engine, undefined);
  assert.match(usageError(["-C", "engine=jit", "m.wasm"]), /unknown engine `jit`/);
});
