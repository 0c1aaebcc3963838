// `kiln -D trace-wasi`: each WASI call on stderr, spawned under Deno and under Bun.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../../lib/cli/args.ts";
import { runCli, RUNTIMES, WASI_MISSING } from "./_spawn.ts";

const CALL = String.raw`\((\d+\.\d{3}) ms\)\n`;

test("parseArgs() reads -D trace-wasi[=y|n|PATH] and rejects unknown -D keys", () => {
  const on = parseArgs(["-D", "trace-wasi", "m.wasm"]);
  assert.ok(on.kind === "run" && on.options.traceWasi === true);
  const off = parseArgs(["--debug=trace-wasi=n", "m.wasm"]);
  assert.ok(off.kind === "run" && off.options.traceWasi === false);
  const file = parseArgs(["-D", "trace-wasi=calls.txt", "m.wasm"]);
  assert.ok(file.kind === "run" && file.options.traceWasi === "calls.txt");
  assert.throws(() => parseArgs(["-Dnope", "m.wasm"]), /^UsageError: error: unknown -D \/ --debug option: nope\n/);
});

for (const rt of RUNTIMES) {
  test(`${rt.name}: -D trace-wasi on hello.wasm prints exactly its calls to stderr, or to a file`, {
    skip: WASI_MISSING,
    timeout: 60_000,
  }, async () => {
    const r = await runCli(rt, ["-D", "trace-wasi", "testdata/hello.wasm"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "Hello, world!\n");
    assert.match(
      r.stderr,
      new RegExp(
        String.raw`^\[wasi\] fd_fdstat_get\(fd=1, stat=0x[0-9a-f]+\) = ESUCCESS ${CALL}` +
          String
            .raw`\[wasi\] fd_write\(fd=1, iovs=0x[0-9a-f]+\[2\] 14 bytes, nwritten=0x[0-9a-f]+\) = ESUCCESS nwritten=14 ${CALL}$`,
      ),
    );
    const exit = await runCli(rt, ["-D", "trace-wasi", "testdata/exit_code.wasm", "3"]);
    assert.equal(exit.status, 3);
    assert.match(exit.stderr, new RegExp(String.raw`\n\[wasi\] proc_exit\(rval=3\) = exit with code 3 ${CALL}$`));
    const quiet = await runCli(rt, ["testdata/hello.wasm"]);
    assert.deepEqual([quiet.status, quiet.stderr], [0, ""]);
    const dir = mkdtempSync(join(tmpdir(), "kiln-trace-"));
    try {
      const path = join(dir, "calls.txt");
      const toFile = await runCli(rt, ["-D", `trace-wasi=${path}`, "testdata/hello.wasm"]);
      assert.deepEqual([toFile.status, toFile.stdout, toFile.stderr], [0, "Hello, world!\n", ""]);
      assert.deepEqual(
        readFileSync(path, "utf8").split("\n").map((line) => line.split("(")[0]),
        ["[wasi] fd_fdstat_get", "[wasi] fd_write", ""],
      );
      const noDir = await runCli(rt, ["-D", `trace-wasi=${join(dir, "no", "x")}`, "testdata/hello.wasm"]);
      assert.equal(noDir.status, 1);
      assert.match(noDir.stderr, /^Error: failed to open WASI trace file '.*'\n\nCaused by:\n {4}No such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
