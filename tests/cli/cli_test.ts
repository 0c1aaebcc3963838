// The CLI as a user meets it: `cli.ts` spawned under Deno and under Bun, checking stdout, stderr and exit status.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ENGINE_MISSING,
  NET_MISSING,
  ROOT,
  runCli,
  runCommand,
  RUNTIMES,
  TESTDATA,
  WASI_MISSING,
  WAST_MISSING,
} from "./_spawn.ts";
import { buildDist, buildSkipReason } from "../platform/_build.ts";

const INVOKE_WARNING =
  "warning: using `--invoke` with a function that takes arguments is experimental and may break in the future\n";

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Connects to 127.0.0.1:port (retrying while the CLI starts), sends `message` and returns the whole reply. */
async function connectWithRetry(port: number, message: string): Promise<string> {
  for (let attempt = 0;; attempt++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.write(message));
        let reply = "";
        socket.setEncoding("utf8").on("data", (d: string) => (reply += d));
        socket.on("end", () => resolve(reply));
        socket.on("error", reject);
      });
    } catch (e) {
      if (attempt >= 100) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "kiln-cli-"));
}

for (const rt of RUNTIMES) {
  const t = (name: string, skip: string | undefined, fn: () => Promise<void>) =>
    test(`${rt.name}: ${name}`, skip ? { skip } : { timeout: 120_000 }, fn);

  // --- No engine needed ---------------------------------------------------------------------------------------

  t("--version and --help exit 0", undefined, async () => {
    const v = await runCli(rt, ["--version"]);
    assert.equal(v.status, 0);
    assert.match(v.stdout, /^kiln \d+\.\d+\.\d+\n$/);
    const h = await runCli(rt, ["--help"]);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /Usage: kiln run \[OPTIONS\] <WASM>\.\.\./);
    assert.equal(h.stderr, "");
  });

  t("an unknown flag is a usage error with status 2", undefined, async () => {
    const r = await runCli(rt, ["--frobnicate", "testdata/hello.wasm"]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error: unexpected argument '--frobnicate' found\n/);
    assert.match(r.stderr, /\nUsage: kiln run \[OPTIONS\] <WASM>\.\.\.\n/);
  });

  t("a malformed -W value and a missing module are usage errors", undefined, async () => {
    const w = await runCli(rt, ["-W", "fuel=lots", "testdata/hello.wasm"]);
    assert.equal(w.status, 2);
    assert.match(w.stderr, /^error: failed to parse -W option `fuel=lots`: invalid digit found in string\n/);
    const m = await runCli(rt, []);
    assert.equal(m.status, 2);
    assert.match(m.stderr, /^error: the following required arguments were not provided:/);
  });

  t("a missing file reports the OS error with status 1", undefined, async () => {
    const r = await runCli(rt, ["testdata/no_such_module.wasm"]);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      "Error: failed to read file: testdata/no_such_module.wasm\n\nCaused by:\n    No such file or directory (os error 2)\n",
    );
  });

  // --- Engine needed ------------------------------------------------------------------------------------------

  t("a malformed module is a compile error with status 1", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "bad.wasm");
      writeFileSync(path, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 0]));
      const r = await runCli(rt, [path]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /^Error: failed to parse WebAssembly module\n\nCaused by:\n {4}.+ \(at offset 0x[0-9a-f]+\)\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t("--invoke parses i32/i64/f32/f64 arguments and prints results", ENGINE_MISSING, async () => {
    const cases: [string[], string][] = [
      [["add_i32", "2", "-5"], "-3\n"],
      [["add_i32", "0x7fffffff", "1"], "-2147483648\n"],
      [["mul_i64", "4294967296", "-3"], "-12884901888\n"],
      [["half_f32", "3"], "1.5\n"],
      [["half_f32", "0.2"], "0.1\n"],
      [["sqrt_f64", "2"], "1.4142135623730951\n"],
      [["sqrt_f64", "-1"], "NaN\n"],
      [["pair", "5", "7"], "7\n5\n"],
    ];
    for (const [[name, ...args], expected] of cases) {
      const r = await runCli(rt, ["--invoke", name, "testdata/invoke.wasm", ...args]);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, expected, name);
      assert.equal(r.stderr, INVOKE_WARNING, name);
    }
    const answer = await runCli(rt, ["--invoke", "answer", "testdata/invoke.wasm"]);
    assert.deepEqual([answer.status, answer.stdout, answer.stderr], [0, "42\n", ""]);
    const nothing = await runCli(rt, ["--invoke", "nothing", "testdata/invoke.wasm"]);
    assert.deepEqual([nothing.status, nothing.stdout, nothing.stderr], [0, "", ""]);
  });

  t("--invoke reports bad arguments, missing arguments and missing exports", ENGINE_MISSING, async () => {
    const bad = await runCli(rt, ["--invoke", "add_i32", "testdata/invoke.wasm", "1", "x"]);
    assert.equal(bad.status, 1);
    assert.equal(
      bad.stderr,
      INVOKE_WARNING + "Error: failed to run main module `testdata/invoke.wasm`\n\nCaused by:\n" +
        "    invalid digit found in string\n",
    );
    const few = await runCli(rt, ["--invoke", "add_i32", "testdata/invoke.wasm", "1"]);
    assert.equal(few.status, 1);
    assert.match(few.stderr, /\n {4}not enough arguments for `add_i32`\n$/);
    const none = await runCli(rt, ["--invoke", "nope", "testdata/invoke.wasm"]);
    assert.equal(none.status, 1);
    assert.equal(
      none.stderr,
      "Error: failed to run main module `testdata/invoke.wasm`\n\nCaused by:\n    no func export named `nope` found\n",
    );
  });

  t("a trap under --invoke exits 134 with Wasmtime's report", ENGINE_MISSING, async () => {
    const r = await runCli(rt, ["--invoke", "div_i32", "testdata/invoke.wasm", "1", "0"]);
    assert.equal(r.status, 134);
    assert.equal(r.stdout, "");
    const lines = r.stderr.split("\n");
    assert.equal(lines[0], INVOKE_WARNING.trimEnd());
    assert.equal(lines[1], "Error: failed to run main module `testdata/invoke.wasm`");
    assert.equal(lines[3], "Caused by:");
    assert.equal(lines[4], "    0: failed to invoke `div_i32`");
    assert.equal(lines[5], "    1: error while executing at wasm backtrace:");
    assert.match(lines[6], /^ {11}0: +0x[0-9a-f]+ - <unknown>!<wasm function 7>$/);
    assert.equal(lines[7], "    2: wasm trap: integer divide by zero");
  });

  t(
    "-D print-engine names the engine: auto, the default, is native on Deno (V8: JSPI, wasm offsets in stack traces) " +
      "but for what only the interpreter gives; the interpreter on Bun (no offsets in JSC's stack traces)",
    ENGINE_MISSING,
    async () => {
      const auto = rt.name === "deno" ? "native" : "interpreter";
      const cases = [
        [[], auto],
        [["-C", "engine=auto"], auto],
        [["-C", "engine=native"], "native"],
        [["-C", "engine=interpreter"], "interpreter"],
        [["-D", "coredump=/dev/null"], "interpreter"],
        [["-W", "max-wasm-stack=1048576"], "interpreter"],
        [["-W", "max-wasm-stack=65536"], auto],
      ] as const;
      for (const [flags, engine] of cases) {
        const r = await runCli(rt, ["-D", "print-engine", ...flags, "testdata/hello.wasm"]);
        const expected = [0, "Hello, world!\n", `engine: ${engine} (WASI async)\n`];
        assert.deepEqual([r.status, r.stdout, r.stderr], expected, flags.join(" "));
      }
      // A module the host's WebAssembly cannot run (V8 lacks wide arithmetic; JavaScriptCore a 64-bit memory): auto
      // runs it on the interpreter, and says so.
      const dir = tempDir();
      try {
        const path = join(dir, "lacking.wat");
        writeFileSync(
          path,
          `(module (memory i64 1) (func (export "f") (result i64)
            (i64.mul_wide_u (i64.const -1) (i64.const 4)) (drop)))`,
        );
        const r = await runCli(rt, ["-D", "print-engine", "--invoke", "f", path]);
        const note = auto === "native"
          ? "engine: interpreter for the main module (the host's WebAssembly cannot run it)\n"
          : "";
        assert.deepEqual([r.status, r.stdout, r.stderr], [0, "-4\n", `engine: ${auto} (WASI off)\n${note}`]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  t("a .wat module runs through the text-format parser", ENGINE_MISSING, async () => {
    const r = await runCli(rt, ["--invoke", "mul_i64", "testdata/invoke.wat", "-3", "3"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "-9\n");
  });

  t("a .wat syntax error shows the position and the line, status 1", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "typo.wat");
      writeFileSync(path, '(module\n  (func (export "f") (result i32) i32.konst 1))\n');
      const r = await runCli(rt, [path]);
      assert.equal(r.status, 1);
      const lines = r.stderr.split("\n");
      assert.match(lines[0], /^Error: .+/);
      assert.equal(lines[1], `     --> ${path}:2:35`);
      assert.equal(lines[3], '    2 |   (func (export "f") (result i32) i32.konst 1))');
      assert.equal(lines[4], "      |                                   ^");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t(
    "an empty or garbled .wasm file is a compile error, never an empty text module (issue 13)",
    ENGINE_MISSING,
    async () => {
      const dir = tempDir();
      try {
        const empty = join(dir, "empty.wasm"), junk = join(dir, "junk.wasm"), emptyText = join(dir, "empty.txt");
        writeFileSync(empty, "");
        writeFileSync(junk, "(module)"); // text, but named .wasm: binary, so not a module
        writeFileSync(emptyText, "");
        for (
          const [path, cause] of [[empty, "unexpected end"], [junk, "magic header not detected"], [
            emptyText,
            "unexpected end",
          ]]
        ) {
          const r = await runCli(rt, [path]);
          assert.equal(r.status, 1, `${path}: ${r.stderr}`);
          assert.match(r.stderr, /^Error: failed to parse WebAssembly module/);
          assert.ok(r.stderr.includes(cause), r.stderr);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  t("-W help, -S help, -C help and -D help list the group's options and exit 0 (issue 20)", undefined, async () => {
    for (const [short, long] of [["W", "wasm"], ["S", "wasi"], ["C", "codegen"], ["D", "debug"]]) {
      const r = await runCli(rt, [`-${short}`, "help"]);
      assert.deepEqual([r.status, r.stderr], [0, ""], r.stderr);
      assert.match(r.stdout, new RegExp(`^Available ${long} options:\n\n  -${short} `));
      assert.match(r.stdout, /\(default: [^)]+\)\n/);
    }
    const w = await runCli(rt, ["-W", "help-long"]);
    assert.equal(w.status, 0);
    assert.ok(w.stdout.includes("  -W unknown-imports-trap[=y|n] --\n\n        "), w.stdout);
  });

  t(
    "-W unknown-imports-trap and -W unknown-imports-default link what nothing provides (issue 20)",
    ENGINE_MISSING,
    async () => {
      const dir = tempDir();
      try {
        const path = join(dir, "lib.wat");
        writeFileSync(
          path,
          `(module
          (import "env" "log" (func $log (param i32)))
          (import "env" "pair" (func $pair (result i32 i64 f64 externref)))
          (func (export "quiet") (result i32) (i32.const 7))
          (func (export "pair") (result i32 i64 f64) (call $pair) (drop))
          (func (export "_start") (call $log (i32.const 1))))`,
        );
        const plain = await runCli(rt, [path]);
        assert.equal(plain.status, 1);
        assert.match(plain.stderr, /unknown import: `env::log` has not been defined\n$/);
        // Linked, so an export that never calls the import runs; calling it fails with the link error's message.
        const quiet = await runCli(rt, ["-W", "unknown-imports-trap", "--invoke", "quiet", path]);
        assert.deepEqual([quiet.status, quiet.stdout], [0, "7\n"], quiet.stderr);
        const called = await runCli(rt, ["-W", "unknown-imports-trap", path]);
        assert.equal(called.status, 1);
        assert.match(called.stderr, /\n {4}1: unknown import: `env::log` has not been defined\n$/);
        const zeros = await runCli(rt, ["-W", "unknown-imports-default", "--invoke", "pair", path]);
        assert.deepEqual([zeros.status, zeros.stdout], [0, "0\n0\n0\n"], zeros.stderr);
        const started = await runCli(rt, ["-W", "unknown-imports-default", path]);
        assert.deepEqual([started.status, started.stderr], [0, ""]);
        // Both given: the trapping definition wins, as in Wasmtime (it is defined first).
        const both = await runCli(rt, ["-W", "unknown-imports-trap,unknown-imports-default", path]);
        assert.equal(both.status, 1);
        // Only functions: an unresolved global stays a link error.
        const global = join(dir, "global.wat");
        writeFileSync(global, `(module (import "env" "g" (global i32)))`);
        const g = await runCli(rt, ["-W", "unknown-imports-default", global]);
        assert.equal(g.status, 1);
        assert.match(g.stderr, /unknown import: `env::g` has not been defined\n$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  t("-D coredump=PATH writes a tool-conventions coredump of the trap's state (issue 20)", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "crash.wat"), core = join(dir, "core.wasm");
      writeFileSync(
        path,
        `(module
          (memory 1 3)
          (global $g (mut i32) (i32.const 5))
          (global i64 (i64.const -3))
          (global funcref (ref.null func))
          (data (i32.const 16) "hello core")
          (func $inner
            (global.set $g (i32.const 42))
            (i32.store (i32.const 100) (i32.const 0xdeadbeef))
            unreachable)
          (func (export "_start") (call $inner)))`,
      );
      const r = await runCli(rt, ["-D", `coredump=${core}`, path]);
      assert.equal(r.status, 134);
      assert.match(
        r.stderr,
        new RegExp(
          `^Error: failed to run main module \`[^\n]*\n\nCaused by:\n {4}0: core dumped at ${
            core.replace(/[.\\]/g, "\\$&")
          }\n {4}1: failed to invoke command default\n`,
        ),
      );
      const dump = new Uint8Array(readFileSync(core));
      assert.ok(WebAssembly.validate(dump));
      const m = new WebAssembly.Module(dump);
      const name = new TextEncoder().encode(path);
      assert.deepEqual([...new Uint8Array(WebAssembly.Module.customSections(m, "core")[0])], [0, name.length, ...name]);
      // Thread "main", two frames: $inner (funcidx 0) at the `unreachable`, then _start (funcidx 1) at its call.
      const stack = [...new Uint8Array(WebAssembly.Module.customSections(m, "corestack")[0])];
      assert.deepEqual(stack.slice(0, 7), [0, 4, 0x6d, 0x61, 0x69, 0x6e, 2]);
      assert.deepEqual([stack[7], stack[8]], [0, 0]);
      assert.ok(stack[9] > 0);
      assert.deepEqual(stack.slice(10), [0, 0, 0, 1, 0, 0, 0]);
      // Memory as at the trap: the data segment and the store that ran just before it.
      const text = new TextDecoder("latin1").decode(dump);
      const at = text.indexOf("hello core") - 16;
      assert.ok(at > 0);
      assert.deepEqual([...dump.subarray(at + 100, at + 104)], [0xef, 0xbe, 0xad, 0xde]);
      // Globals as at the trap: $g was set to 42 (an immutable i32 global `i32.const 42`).
      assert.ok(text.includes("\x7f\x00\x41\x2a\x0b"));
      // No trap, no coredump.
      const ok = await runCli(rt, ["-D", `coredump=${join(dir, "none.wasm")}`, "testdata/hello.wasm"]);
      assert.equal(ok.status, 0);
      assert.throws(() => readFileSync(join(dir, "none.wasm")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t(
    "instantiation-time limits are instantiation errors with status 1, not traps (issue 20)",
    ENGINE_MISSING,
    async () => {
      const dir = tempDir();
      try {
        const cases: [string, string, string][] = [
          ["(module (memory 10))", "max-memory-size=65536", "memory minimum size of 10 pages exceeds memory limits"],
          [
            "(module (table 10 funcref))",
            "max-table-elements=5",
            "table minimum size of 10 elements exceeds table limits",
          ],
        ];
        for (const [i, [wat, limit, message]] of cases.entries()) {
          const path = join(dir, `limit${i}.wat`);
          writeFileSync(path, wat);
          const r = await runCli(rt, ["-W", limit, path]);
          assert.equal(r.status, 1, r.stderr);
          assert.ok(
            r.stderr.endsWith(`    0: failed to instantiate ${JSON.stringify(path)}\n    1: ${message}\n`),
            r.stderr,
          );
          assert.ok(!r.stderr.includes("wasm trap"), r.stderr);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  t("input that is neither wasm nor UTF-8 text gets one line and status 1 (issue 20)", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const bytes = new Uint8Array(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 151 + 7) & 0xff; // includes ESC (0x1b) and 0x80+
      for (const name of ["x.wasm", "x.bin"]) {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        const r = await runCli(rt, [path]);
        assert.deepEqual([r.status, r.stdout, r.stderr], [1, "", "Error: input bytes aren't valid utf-8\n"]);
      }
      const stdin = await runCli(rt, ["-"], { stdin: bytes });
      assert.deepEqual([stdin.status, stdin.stderr], [1, "Error: input bytes aren't valid utf-8\n"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t("errors escape the control characters they quote: no raw terminal escapes (issue 13)", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const wat = join(dir, "esc.wat");
      writeFileSync(wat, "(module\n (func $x \x1b[2J\x07))\n");
      const parse = await runCli(rt, [wat]);
      assert.equal(parse.status, 1);
      // deno-lint-ignore no-control-regex
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(parse.stderr), JSON.stringify(parse.stderr));
      const lines = parse.stderr.split("\n");
      assert.equal(lines[3], "    2 |  (func $x \\u{1b}[2J\\u{7}))");
      assert.equal(lines[4], "      |           ^");
      // A module whose import name holds an escape sequence: the link error quotes it escaped.
      const link = join(dir, "link.wat");
      writeFileSync(link, '(module (import "env" "\\1b[31mred" (func)))');
      const linked = await runCli(rt, [link]);
      assert.equal(linked.status, 1);
      assert.ok(linked.stderr.includes("\\u{1b}[31mred"), linked.stderr);
      assert.ok(!linked.stderr.includes("\x1b"), JSON.stringify(linked.stderr));
      const usage = await runCli(rt, ["--bogus\x1b[2J"]);
      assert.equal(usage.status, 2);
      assert.ok(!usage.stderr.includes("\x1b"), JSON.stringify(usage.stderr));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t("an unresolved import is a link error with status 1", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "needs_env.wat");
      writeFileSync(path, '(module (import "env" "f" (func)) (func (export "_start") call 0))');
      const r = await runCli(rt, [path]);
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        `Error: failed to run main module \`${path}\`\n\nCaused by:\n    0: failed to instantiate ${
          JSON.stringify(path)
        }\n    1: unknown import: \`env::f\` has not been defined\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t("a reactor without _start runs _initialize and exits 0", ENGINE_MISSING, async () => {
    const r = await runCli(rt, ["testdata/compute.wasm"]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, "", ""]);
    const seed = await runCli(rt, ["--invoke", "seed", "testdata/compute.wasm"]);
    assert.deepEqual([seed.status, seed.stdout], [0, "17\n"], seed.stderr); // set by a constructor in _initialize
  });

  t("-W max-wasm-stack, max-memory-size and trap-on-grow-failure limit the guest", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "limits.wat");
      writeFileSync(
        path,
        `(module
          (memory 1)
          (func $rec (export "rec") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`,
      );
      const deep = await runCli(rt, ["-W", "max-wasm-stack=16384", "--invoke", "rec", path, "100000"]);
      assert.equal(deep.status, 134);
      assert.match(deep.stderr, /\n {4}2: wasm trap: call stack exhausted\n$/);
      // A declared minimum over the limit fails instantiation as Wasmtime's does: a plain error, status 1.
      const big = join(dir, "big.wat");
      writeFileSync(big, `(module (memory 10))`);
      const tooBig = await runCli(rt, ["-W", "max-memory-size=65536", big]);
      assert.equal(tooBig.status, 1);
      assert.match(tooBig.stderr, /\n {4}1: memory minimum size of 10 pages exceeds memory limits\n$/);
      // A trap 100,000+ frames deep: the repeating frames are one line, the report a screenful.
      const deeper = await runCli(rt, ["-W", "max-wasm-stack=8388608", "--invoke", "rec", path, "1000000000"]);
      assert.equal(deeper.status, 134);
      assert.match(deeper.stderr, /… [\d,]{7,} more frames repeating the frame above …/);
      assert.ok(deeper.stderr.split("\n").length < 50, deeper.stderr);
      const shallow = await runCli(rt, ["-W", "max-wasm-stack=16384", "--invoke", "rec", path, "10"]);
      assert.deepEqual([shallow.status, shallow.stdout], [0, "10\n"]);
      const grown = await runCli(rt, ["-W", "max-memory-size=196608", "--invoke", "grow", path, "2"]);
      assert.deepEqual([grown.status, grown.stdout], [0, "1\n"], grown.stderr);
      const refused = await runCli(rt, ["-W", "max-memory-size=196608", "--invoke", "grow", path, "3"]);
      assert.deepEqual([refused.status, refused.stdout], [0, "-1\n"], refused.stderr);
      const trapped = await runCli(rt, [
        "-W",
        "max-memory-size=196608,trap-on-grow-failure",
        "--invoke",
        "grow",
        path,
        "3",
      ]);
      // Wasmtime's limiter fails the grow with an error that is not a trap: status 1, no "wasm trap:".
      assert.equal(trapped.status, 1);
      assert.match(trapped.stderr, /\n {4}2: forcing trap when growing memory.*\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t("--preload makes a module's exports importable by name", ENGINE_MISSING, async () => {
    const dir = tempDir();
    try {
      writeFileSync(
        join(dir, "lib.wat"),
        '(module (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))',
      );
      writeFileSync(
        join(dir, "main.wat"),
        '(module (import "mylib" "twice" (func $twice (param i32) (result i32)))' +
          ' (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0)))))',
      );
      const r = await runCli(rt, [
        "--preload",
        `mylib=${join(dir, "lib.wat")}`,
        "--invoke",
        "quad",
        join(dir, "main.wat"),
        "5",
      ]);
      assert.deepEqual([r.status, r.stdout], [0, "20\n"], r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // --- Engine and WASI needed ---------------------------------------------------------------------------------

  t("hello.wasm (C) prints Hello, world!", WASI_MISSING, async () => {
    const r = await runCli(rt, ["testdata/hello.wasm"]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, "Hello, world!\n", ""]);
  });

  t("hello_rs.wasm (Rust) prints Hello, world!", WASI_MISSING, async () => {
    const r = await runCli(rt, ["run", "testdata/hello_rs.wasm"]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, "Hello, world!\n", ""]);
  });

  t("a WASI .wat module and a module read from stdin run", WASI_MISSING, async () => {
    const wat = await runCli(rt, ["testdata/wat_hello.wat"]);
    assert.deepEqual([wat.status, wat.stdout, wat.stderr], [0, "hello from wat\n", ""]);
    const stdin = await runCli(rt, ["-"], { stdin: readFileSync(join(TESTDATA, "hello.wasm")) });
    assert.deepEqual([stdin.status, stdin.stdout, stdin.stderr], [0, "Hello, world!\n", ""]);
  });

  t("arguments and environment reach the guest", WASI_MISSING, async () => {
    const r = await runCli(
      rt,
      ["--env", "A=1", "--env", "KILN_INHERITED", "--env", "KILN_UNSET", "testdata/args_env.wasm", "x", "y z", "--dir"],
      { env: { KILN_INHERITED: "from host" } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      "argv[0]=args_env.wasm\nargv[1]=x\nargv[2]=y z\nargv[3]=--dir\nenv=A=1\nenv=KILN_INHERITED=from host\n",
    );
    const renamed = await runCli(rt, ["--argv0", "tool", "testdata/args_env.wasm"]);
    assert.equal(renamed.stdout, "argv[0]=tool\n");
    const inherit = await runCli(rt, ["-S", "inherit-env", "testdata/args_env.wasm"], { env: { KILN_MARK: "m" } });
    assert.match(inherit.stdout, /\nenv=KILN_MARK=m\n/);
  });

  t("a file is read and written under --dir HOST::GUEST", WASI_MISSING, async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, "in.txt"), "some text\n");
      const r = await runCli(rt, [
        "--dir",
        `${dir}::/sandbox`,
        "testdata/file_io.wasm",
        "/sandbox/in.txt",
        "/sandbox/out.txt",
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "some text\nwrote 10 bytes\n");
      assert.equal(readFileSync(join(dir, "out.txt"), "utf8"), "SOME TEXT\n");
      const outside = await runCli(rt, [
        "--dir",
        `${dir}::/sandbox`,
        "testdata/file_io.wasm",
        "/etc/passwd",
        "/sandbox/x",
      ]);
      assert.equal(outside.status, 1);
      assert.match(outside.stderr, /^cannot open \/etc\/passwd: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  t("a --dir that does not exist is an error with status 1", WASI_MISSING, async () => {
    const r = await runCli(rt, ["--dir", "/no/such/dir", "testdata/hello.wasm"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error: failed to open directory '\/no\/such\/dir'\n/);
  });

  t("proc_exit statuses below 126 become the exit status", WASI_MISSING, async () => {
    for (const code of [0, 3, 125]) {
      const r = await runCli(rt, ["testdata/exit_code.wasm", String(code)]);
      assert.equal(r.status, code);
      assert.equal(r.stdout, `exiting with ${code}\n`);
      assert.equal(r.stderr, "");
    }
  });

  t("proc_exit statuses of 126 and above are an error with status 1", WASI_MISSING, async () => {
    for (const code of [126, 255]) {
      const r = await runCli(rt, ["testdata/exit_code.wasm", String(code)]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, `exiting with ${code}\n`);
      assert.match(r.stderr, /^Error: failed to run main module `testdata\/exit_code\.wasm`\n\nCaused by:\n/);
      assert.match(r.stderr, /: exit with invalid exit status outside of \[0\.\.126\)\n$/);
    }
  });

  t("a trap prints a named backtrace and exits 134", WASI_MISSING, async () => {
    const r = await runCli(rt, ["testdata/trap.wasm"]);
    assert.equal(r.status, 134);
    assert.equal(r.stdout, "before trap\n");
    const lines = r.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.slice(0, 5), [
      "Error: failed to run main module `testdata/trap.wasm`",
      "",
      "Caused by:",
      "    0: failed to invoke command default",
      "    1: error while executing at wasm backtrace:",
    ]);
    assert.equal(lines[lines.length - 1], "    2: wasm trap: wasm `unreachable` instruction executed");
    // wasi-libc's objects carry DWARF, so Wasmtime's note about WASMTIME_BACKTRACE_DETAILS ends the backtrace.
    assert.equal(
      lines[lines.length - 2],
      "       note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information",
    );
    const frames = lines.slice(5, -2).map((line) => {
      const m = /^ {9}( {0,2}\d+): +0x([0-9a-f]+) - trap\.wasm!(.+)$/.exec(line);
      assert.ok(m, `frame line: ${JSON.stringify(line)}`);
      return { offset: parseInt(m[2], 16), name: m[3] };
    });
    assert.deepEqual(frames.slice(0, 3).map((f) => f.name), ["trap_inner", "trap_middle", "trap_outer"]);
    // wasm-ld wraps `_start` in `_start.command_export`, which Wasmtime shows as the outermost frame too.
    assert.ok(frames.some((f) => f.name === "main"), "main is on the stack");
    assert.equal(frames[frames.length - 1].name, "_start.command_export");
    // Offsets are module-relative: the innermost at the `unreachable` opcode, the callers at their `call`.
    const bytes = readFileSync(join(TESTDATA, "trap.wasm"));
    assert.equal(bytes[frames[0].offset], 0x00);
    for (const f of frames.slice(1)) assert.equal(bytes[f.offset], 0x10, `${f.name} at 0x${f.offset.toString(16)}`);
  });

  t("a Rust panic prints its message and a demangled backtrace, exit 134", WASI_MISSING, async () => {
    const r = await runCli(rt, ["testdata/panic_rs.wasm"]);
    assert.equal(r.status, 134);
    assert.equal(r.stdout, "picking\n");
    assert.match(
      r.stderr,
      /^thread 'main' panicked at 'index out of bounds: the len is 3 but the index is 6', panic\.rs:4:5\n/,
    );
    assert.match(r.stderr, /\n {11}0: 0x[0-9a-f]+ - <unknown>!__rust_start_panic\n/);
    assert.match(
      r.stderr,
      / - <unknown>!panic::pick::h[0-9a-f]{16}\n.* - <unknown>!panic::main::h[0-9a-f]{16}\n/,
    );
    assert.match(r.stderr, /!std::rt::lang_start::\{\{closure\}\}::h[0-9a-f]{16}\n/);
    assert.match(r.stderr, /\n {4}2: wasm trap: wasm `unreachable` instruction executed\n$/);
  });

  t("-W fuel exhaustion traps with status 134", WASI_MISSING, async () => {
    const r = await runCli(rt, ["-W", "fuel=100000", "testdata/loop.wasm"]);
    assert.equal(r.status, 134);
    assert.match(r.stderr, /^Error: failed to run main module `testdata\/loop\.wasm`\n/);
    assert.match(r.stderr, /!spin_forever\n/);
    assert.match(r.stderr, /\n {4}2: wasm trap: all fuel consumed by WebAssembly\n$/);
  });

  t("-W timeout interrupts an infinite loop with status 134", WASI_MISSING, async () => {
    const started = Date.now();
    const r = await runCli(rt, ["-W", "timeout=300ms", "testdata/loop.wasm"]);
    assert.equal(r.status, 134);
    assert.match(r.stderr, /wasm trap: interrupt\n$/);
    assert.ok(Date.now() - started >= 300, "stopped before the timeout");
  });

  t("-W timeout also stops a guest blocked reading stdin", WASI_MISSING, async () => {
    const r = await runCli(rt, ["-W", "timeout=300ms", "testdata/stdin_echo.wasm"], {
      holdStdin: true,
      timeoutMs: 10_000,
    });
    // The engine stops a call awaiting a host Promise at its deadline, so the report is the same as for a busy
    // guest: the trap, with the backtrace of where the guest was blocked.
    assert.equal(r.status, 134);
    assert.match(r.stderr, /^Error: failed to run main module `testdata\/stdin_echo\.wasm`\n/);
    assert.match(r.stderr, /stdin_echo\.wasm!fread\n/);
    assert.match(r.stderr, /wasm trap: interrupt\n$/);
  });

  t("-S tcplisten pre-opens a listening socket the guest accepts on", NET_MISSING, async () => {
    const port = await freePort();
    const child = runCli(rt, ["-S", `tcplisten=127.0.0.1:${port}`, "testdata/tcp_echo.wasm"], { timeoutMs: 15_000 });
    const reply = await connectWithRetry(port, "ping\n");
    assert.equal(reply, "echo: ping\n");
    const r = await child;
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, "served 5 bytes\n", ""]);
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    try {
      const taken = (busy.address() as net.AddressInfo).port;
      const clash = await runCli(rt, ["-S", `tcplisten=127.0.0.1:${taken}`, "testdata/tcp_echo.wasm"]);
      assert.equal(clash.status, 1);
      assert.equal(
        clash.stderr,
        `Error: failed to bind to address '127.0.0.1:${taken}'\n\nCaused by:\n    Address already in use (os error 98)\n`,
      );
    } finally {
      busy.close();
    }
  });

  t("stdin is piped to the guest", WASI_MISSING, async () => {
    const r = await runCli(rt, ["testdata/stdin_echo.wasm"], { stdin: "hello stdin\nsecond line\n" });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, "hello stdin\nsecond line\n", "read 24 bytes\n"]);
  });

  t("wast runs a script and fails on a failing command", WAST_MISSING, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "t.wast");
      writeFileSync(
        path,
        '(module (func (export "f") (result i32) i32.const 7))\n(assert_return (invoke "f") (i32.const 7))\n',
      );
      const ok = await runCli(rt, ["wast", path]);
      assert.deepEqual([ok.status, ok.stdout, ok.stderr], [0, `${path}: 2 passed, 0 failed, 0 unsupported\n`, ""]);
      writeFileSync(
        path,
        '(module (func (export "f") (result i32) i32.const 7))\n(assert_return (invoke "f") (i32.const 8))\n',
      );
      const bad = await runCli(rt, ["wast", path]);
      assert.equal(bad.status, 1);
      assert.match(
        bad.stderr,
        new RegExp(
          `^Error: failed to run script file '${path}'\n\nCaused by:\n {4}failed directive on ${path}:2: assert_return`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const rt of RUNTIMES) {
  test(`${rt.name}: -C cache keeps compiled modules in KILN_CACHE_DIR; a damaged entry is a miss`, {
    skip: WASI_MISSING ?? undefined,
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    try {
      const env = { KILN_CACHE_DIR: dir };
      const hello = (args: string[]) => runCli(rt, [...args, "testdata/hello.wasm"], { env });
      const entries = () => {
        try {
          return readdirSync(join(dir, "modules"), { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
        } catch {
          return [];
        }
      };
      // Run from the sources (as here), the cache is off unless asked for: its entries could outlive an edit.
      assert.deepEqual([(await hello([])).stdout, entries()], ["Hello, world!\n", []]);
      for (const engine of ["native", "interpreter"]) {
        const r = await hello(["-C", `cache=y,engine=${engine}`]);
        assert.deepEqual([r.status, r.stdout, r.stderr], [0, "Hello, world!\n", ""]);
      }
      const [entry] = entries();
      assert.equal(entries().length, 1, "one entry for the module, its native form inside");
      const written = readFileSync(entry!);
      const found = await hello(["-C", "cache=y,engine=native"]);
      assert.deepEqual([found.status, found.stdout], [0, "Hello, world!\n"]);
      assert.deepEqual(readFileSync(entry!), written, "found, so not written again");
      writeFileSync(entry!, written.subarray(0, 100));
      const damaged = await hello(["-C", "cache=y,engine=native"]);
      assert.deepEqual([damaged.status, damaged.stdout], [0, "Hello, world!\n"]);
      assert.deepEqual(readFileSync(entry!), written, "the damaged entry is rewritten");
      // An invalid module is reported as ever, and leaves no entry.
      const wat = join(dir, "invalid.wat");
      writeFileSync(wat, "(module (func (result i32) (i64.const 1)))");
      const invalid = await runCli(rt, ["-C", "cache=y", wat], { env });
      assert.equal(invalid.status, 1);
      assert.equal(entries().length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test(
  "bin/kiln.mjs (the npm `kiln` command) runs the built dist/cli.js under Node, Bun and Deno",
  { skip: WASI_MISSING ?? buildSkipReason() ?? undefined, timeout: 120_000 },
  async () => {
    // The package's layout, bin/ beside a fresh build of dist/, so the bin never finds a developer's stale build.
    const dir = tempDir();
    try {
      mkdirSync(join(dir, "bin"));
      copyFileSync(join(ROOT, "bin/kiln.mjs"), join(dir, "bin/kiln.mjs"));
      symlinkSync(buildDist(), join(dir, "dist"), "dir");
      const bin = join(dir, "bin/kiln.mjs");
      const launchers: [string, string[]][] = [
        // Why not process.execPath: under Deno and Bun it is theirs (its path may hold "node_modules").
        ["node", []],
        [RUNTIMES[1].command, []],
        [RUNTIMES[0].command, ["run", "-A"]],
      ];
      for (const [command, prefix] of launchers) {
        const r = await runCommand(command, [...prefix, bin, "testdata/exit_code.wasm", "7"]);
        assert.deepEqual([r.status, r.stdout], [7, "exiting with 7\n"], `${command}: ${r.stderr}`);
      }
      // -C engine=auto: the native engine everywhere here; on Node 20 (WebAssembly, no JSPI) with synchronous WASI,
      // and the interpreter when the run needs to suspend (-W timeout). Node 25+ has JSPI.
      const node = launchers[0]!;
      const auto = await runCommand(node[0], [bin, "-D", "print-engine", "-C", "engine=auto", "testdata/hello.wasm"]);
      assert.equal(auto.status, 0, auto.stderr);
      const major = Number(/^v(\d+)/.exec(String((await runCommand(node[0], ["--version"])).stdout))![1]);
      if (major >= 25) {
        assert.equal(auto.stderr, "engine: native (WASI async)\n");
      } else {
        assert.equal(auto.stderr, "engine: native (WASI sync)\n");
        const timed = await runCommand(node[0], [
          bin,
          "-D",
          "print-engine",
          "-C",
          "engine=auto",
          "-W",
          "timeout=10s",
          "testdata/hello.wasm",
        ]);
        assert.equal(timed.stderr, "engine: interpreter (WASI async)\n");
        const refused = await runCommand(node[0], [
          bin,
          "-C",
          "engine=native",
          "-W",
          "timeout=10s",
          "testdata/hello.wasm",
        ]);
        assert.equal(refused.status, 1);
        assert.match(refused.stderr, /^Error: `-C engine=native` cannot run with `-W timeout` on this host\n/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "bin/kiln.mjs in a checkout runs the CLI under Bun and Deno (cli.ts when dist/ is not built)",
  { skip: WASI_MISSING, timeout: 120_000 },
  async () => {
    for (const [command, prefix] of [[RUNTIMES[1].command, []], [RUNTIMES[0].command, ["run", "-A"]]] as const) {
      const r = await runCommand(command, [...prefix, "bin/kiln.mjs", "testdata/exit_code.wasm", "7"]);
      assert.deepEqual([r.status, r.stdout], [7, "exiting with 7\n"], `${command}: ${r.stderr}`);
    }
  },
);

test("the fixtures the CLI tests use are present", () => {
  for (const f of ["hello.wasm", "hello_rs.wasm", "trap.wasm", "loop.wasm", "invoke.wasm", "compute.wasm"]) {
    assert.ok(readFileSync(join(TESTDATA, f)).length > 8, f);
  }
  assert.ok(ROOT.length > 0);
});
