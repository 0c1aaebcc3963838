// The host backend (fs/node_fs.ts, hence node:fs) loads only when a Wasi uses the host filesystem or host stdio.
// Each case runs in a fresh process, since the module cache is per process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

function runChild(file: string): Record<string, unknown> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const args = isBun ? [path] : ["run", "-A", "--no-check", path];
  const out = execFileSync(process.execPath, args, { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

test("`Wasi` on a MemoryFs with its own stdio never loads the host module; sync mode needs ready() before bind()", () => {
  const r = runChild("./_lazy_host_child.ts");
  assert.equal(r.memoryWrite, 0);
  assert.equal(r.memoryOut, "hi");
  assert.equal(r.afterMemoryFs, false);
  assert.equal(r.afterHostConstruct, false);
  assert.match(String(r.syncBindBeforeReady), /await wasi\.ready\(\) before bind\(\)/);
  assert.equal(r.afterReady, true);
  assert.equal(r.fdstatAfterReady, 0);
});

test("`Wasi` in async mode: a syscall before the host module loaded waits for it", () => {
  const r = runChild("./_lazy_host_async_child.ts");
  assert.deepEqual(r, { before: false, isPromise: true, errno: 0, after: true });
});
