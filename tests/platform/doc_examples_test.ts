// The JSDoc examples of the public entry points type-check and run (`deno test --doc mod.ts wasi.ts`).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";

test("deno test --doc mod.ts wasi.ts passes", {
  skip: existsSync(DENO) ? false : "node_modules/.bin/deno is missing (run npm ci)",
  timeout: 120_000,
}, () => {
  const r = spawnSync(DENO, ["test", "--doc", "mod.ts", "wasi.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok \| \d+ passed \| 0 failed/m);
  assert.match(r.stdout, /wasi\.ts#/, "wasi.ts examples ran");
});
