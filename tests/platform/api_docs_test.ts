// The committed API reference (docs/api/) is what `deno task docs` writes today: the test regenerates it into a
// temporary directory and compares the two, file set and contents. When it fails, run `deno task docs` and commit.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";
import { generateApiDocs, listFiles } from "../../tools/api_docs.ts";

const COMMITTED = join(ROOT, "docs/api");
const skip = existsSync(DENO) ? false : "node_modules/.bin/deno is missing (run npm ci)";

test("docs/api is up to date with the JSDoc of mod.ts and wasi.ts (else: deno task docs)", {
  skip,
  timeout: 120_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-api-docs-"));
  try {
    const fresh = generateApiDocs(join(dir, "api"));
    assert.ok(fresh.includes("index.html") && fresh.includes("wasi/index.html"), fresh.slice(0, 20).join("\n"));
    assert.deepEqual(listFiles(COMMITTED), fresh, "the file set differs: run deno task docs");
    const stale = fresh.filter((f) => !readFileSync(join(dir, "api", f)).equals(readFileSync(join(COMMITTED, f))));
    assert.deepEqual(stale, [], "these files differ: run deno task docs");
    // The output must not depend on where the checkout is (tools/api_docs.ts rewrites the source links).
    const leaks = fresh.filter((f) => readFileSync(join(dir, "api", f), "utf8").includes("file:&#x2F;&#x2F;"));
    assert.deepEqual(leaks, [], "absolute file: links left in the output");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
