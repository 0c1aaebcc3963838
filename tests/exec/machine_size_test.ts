import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = join(root, "node_modules/.bin/deno");

// Why: TurboFan refuses functions over 60 KB of bytecode (max_optimized_bytecode_size); the machine's run() would
// then stay in baseline code and run 5-10x slower. This guards the margin when ops are added.
test("Machine.runSlice() stays under V8's 60 KB bytecode limit for optimization", {
  skip: existsSync(deno) ? false : "node_modules/.bin/deno is not installed",
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-size-"));
  try {
    const script = join(dir, "run.ts");
    writeFileSync(
      script,
      `import { instantiate } from ${JSON.stringify(join(root, "mod.ts"))};
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 4, 1, 2, 0, 11]);
const { instance } = await instantiate(bytes, {}, { engine: "interpreter" });
await (instance.exports.f as () => Promise<void>)();`,
    );
    const out = spawnSync(deno, ["run", "-A", "--v8-flags=--print-bytecode,--print-bytecode-filter=runSlice", script], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const lengths = [...out.stdout.matchAll(/Bytecode length: (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(lengths.length > 0, `no bytecode printed: ${out.stderr.slice(0, 500)}`);
    const size = Math.max(...lengths);
    assert.ok(size < 60 * 1024, `run() has ${size} bytes of bytecode`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
