// Every test of the official WASI testsuite (wasm32-wasip1) as one node:test test, per configuration: native
// WebAssembly with sync WASI on the host filesystem and on MemoryFs, and Kiln with async WASI on both.
// Skips cleanly when ../shared (the suite) is absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { listTests, REPO_ROOT, runTestCase, SUITE_DIR } from "../../tools/wasi.ts";

const HAVE_SUITE = fs.existsSync(SUITE_DIR);
const HAVE_KILN = fs.existsSync(path.join(REPO_ROOT, "mod.ts"));

if (!HAVE_SUITE) {
  test("WASI testsuite", { skip: `WASI testsuite not found at ${SUITE_DIR}` }, () => {});
} else {
  const tests = listTests();
  test("the WASI testsuite has its 72 wasip1 tests", () => {
    assert.equal(tests.length, 72);
  });
  const configs = [
    { engine: "native", fs: "host" },
    { engine: "native", fs: "memory" },
    { engine: "kiln", fs: "host" },
    { engine: "kiln", fs: "memory" },
  ] as const;
  for (const config of configs) {
    const skip = config.engine === "kiln" && !HAVE_KILN ? "Kiln engine (mod.ts) not available yet" : undefined;
    for (const t of tests) {
      test(`wasi-testsuite ${t.language}/${t.name} (${config.engine}, ${config.fs} fs)`, { skip }, async () => {
        const r = await runTestCase(t, config);
        assert.ok(r.passed, `${r.failures.join("; ")}\nstderr: ${r.stderr}`);
      });
    }
  }
}
