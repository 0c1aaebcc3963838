/**
 * The spec testsuite in the normal test run: one test per `.wast` file and configuration. Every file runs in the
 * plain configuration; the representative subset (`REPRESENTATIVE`) also runs with fuel (small yield interval)
 * and with Promise-returning imports. A file's test fails if any command fails (unsupported commands and the
 * entries of `known_failures.ts` do not count). `deno task spec --all` runs all three configurations everywhere.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ConfigName, listWastFiles, REPRESENTATIVE, runSpecFile, specRoot } from "../../tools/_spec_suite.ts";

const root = specRoot();

if (!root) {
  test("spec testsuite", { skip: "../shared/spec-testsuite is absent beside the repository" }, () => {});
} else {
  const files = listWastFiles(root);
  const jobs: [string, ConfigName][] = [
    ...files.map((f): [string, ConfigName] => [f, "plain"]),
    ...REPRESENTATIVE.filter((f) => files.includes(f)).flatMap((f): [string, ConfigName][] => [
      [f, "fuel"],
      [f, "async"],
    ]),
  ];
  for (const [file, config] of jobs) {
    test(`spec ${file} (${config}) has no failing command`, async () => {
      const r = await runSpecFile(root, file, "kiln", config);
      const detail = r.failures.slice(0, 10).map((f) => `  ${file}:${f.line} ${f.command}: ${f.detail}`).join("\n");
      assert.equal(r.failed, 0, `${r.failed} failing commands:\n${detail}`);
    });
  }
}
