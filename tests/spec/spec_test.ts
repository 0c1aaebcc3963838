/**
 * The spec testsuite in the normal test run: one test per `.wast` file and configuration. Every file runs in all
 * three configurations: plain, fuel with a small yield interval, and Promise-returning imports (the whole suite
 * takes about 11 s per configuration under Deno). A file's test fails if any command fails (unsupported commands
 * and the entries of `known_failures.ts` do not count). `deno task spec --all` prints the same as a scoreboard.
 * Where the host has WebAssembly and JSPI, the native engine's two configurations (`native`, `native-fuel`) run as
 * well (about 12 s each under Deno); `KILN_SPEC_NATIVE=0` leaves them out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ConfigName, listWastFiles, runSpecFile, specRoot } from "../../tools/_spec_suite.ts";
import { HAS_JSPI } from "../../lib/engine/host.ts";

const root = specRoot();

if (!root) {
  test("spec testsuite", { skip: "../shared/spec-testsuite is absent beside the repository" }, () => {});
} else {
  const files = listWastFiles(root);
  const nativeToo = HAS_JSPI &&
    (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.KILN_SPEC_NATIVE !== "0";
  const configs: readonly ConfigName[] = nativeToo
    ? ["plain", "fuel", "async", "native", "native-fuel"]
    : ["plain", "fuel", "async"];
  const jobs = files.flatMap((f) => configs.map((c): [string, ConfigName] => [f, c]));
  for (const [file, config] of jobs) {
    test(`spec ${file} (${config}) has no failing command`, async () => {
      const r = await runSpecFile(root, file, "kiln", config);
      const detail = r.failures.slice(0, 10).map((f) => `  ${file}:${f.line} ${f.command}: ${f.detail}`).join("\n");
      assert.equal(r.failed, 0, `${r.failed} failing commands:\n${detail}`);
    });
  }
}
