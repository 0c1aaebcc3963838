// Every JSDoc example type-checks and runs: those of the entry points and of the definitions under lib/, which are
// the ones `deno doc` and editors show (`deno test --doc -A mod.ts wasi.ts cli.ts lib/`). It spawns Deno, so it
// runs once, under Deno only (Bun would repeat the same run).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DENO, ROOT } from "./_build.ts";

const underDeno = "Deno" in globalThis;
const skip: string | false = !underDeno
  ? "runs once, under Deno"
  : existsSync(DENO)
  ? false
  : "node_modules/.bin/deno is missing (run npm ci)";

test("deno test --doc -A mod.ts wasi.ts cli.ts lib/ passes", { skip, timeout: 300_000 }, () => {
  // -A: a few examples on lib/ definitions touch the host (NodeFs lists /tmp, tcpListen listens on 127.0.0.1).
  const r = spawnSync(DENO, ["test", "--doc", "-A", "mod.ts", "wasi.ts", "cli.ts", "lib/"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok \| \d+ passed \| 0 failed/m);
  assert.match(r.stdout, /wasi\.ts#/, "wasi.ts examples ran");
  assert.match(r.stdout, /lib\/runtime\/store\.ts#/, "examples on lib/ definitions ran");
});
