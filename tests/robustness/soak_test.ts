// Soak: create, run and drop instances; the heap returns to its baseline after GC and no timer keeps the process
// alive. The default run is modest; `deno task fuzz --soak 10000` is the long version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runSoak } from "../../tools/_fuzz_soak.ts";
import { skipWithoutKiln as skip } from "./_kiln.ts";
import { HAS_JSPI } from "../../lib/engine/host.ts";

for (const engine of HAS_JSPI ? ["interpreter", "native"] as const : ["interpreter"] as const) {
  // The native engine once kept every instance that defined a tag alive (26 KB each here): caught by this test.
  test(`300 instances (sync, async imports, fuel yields, traps) leave the heap at its baseline (${engine})`, {
    skip,
    timeout: 120_000,
  }, () => soakOn(engine));
}

async function soakOn(engine: "interpreter" | "native"): Promise<void> {
  const r = await runSoak({ instances: 300, toleranceBytes: 4 * 2 ** 20, engine });
  assert.equal(r.engine, "kiln");
  assert.ok(r.gcAvailable, "no way to force a GC on this runtime");
  assert.ok(r.ok, `heap grew from ${r.baselineBytes} to ${r.finalBytes} bytes`);
  assert.ok((r.outcomes.ok ?? 0) > 0, JSON.stringify(r.outcomes));
  assert.ok(Object.keys(r.outcomes).some((k) => k.startsWith("trap:")), JSON.stringify(r.outcomes));
  assert.ok(!Object.keys(r.outcomes).some((k) => k.startsWith("js:")), JSON.stringify(r.outcomes));
}

test("a soak process exits on its own: no leaked timers or handles", { skip, timeout: 120_000 }, async () => {
  const script = fileURLToPath(new URL("../../tools/fuzz.ts", import.meta.url));
  const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  const args = isBun ? [script, "--soak", "100"] : ["run", "-A", "--no-check", script, "--soak", "100"];
  const { code, timedOut, out } = await new Promise<{ code: number | null; timedOut: boolean; out: string }>(
    (resolve) => {
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let timedOut = false;
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (out += c));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, 60_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut, out });
      });
    },
  );
  assert.equal(timedOut, false, `the soak process did not exit by itself:\n${out}`);
  assert.equal(code, 0, out);
  assert.match(out, /soak \(kiln, gc forced\): 100 instances/);
});
