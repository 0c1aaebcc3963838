// No value-import cycle among lib/ files (issue 14, item 4): layers import downward only, so the tool from
// ../shared/tools/import_cycles.mjs must find none. Skips with a message where ../shared is absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TOOL = join(ROOT, "..", "shared", "tools", "import_cycles.mjs");
const skip = existsSync(TOOL) ? undefined : `${TOOL} is absent (../shared is not beside the repository)`;

test("lib/ has no value-import cycle (../shared/tools/import_cycles.mjs)", { skip }, () => {
  const r = spawnSync("node", [TOOL, ROOT], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /value-import cycles under lib\/: 0 \(0 files\)/, r.stdout);
});
