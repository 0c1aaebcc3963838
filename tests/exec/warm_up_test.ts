import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { instantiate, parseWat } from "../../mod.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = join(root, "node_modules/.bin/deno");

// Three kernels run one after the other: V8 optimizes Machine.run() during the first, and the later ones reach ops
// the first never executed.
const KERNELS = `(module
  (memory 1)
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "hash") (param i32) (result i64) (local i64 i32)
    (local.set 1 (i64.const 0xcbf29ce484222325))
    (loop $l
      (i64.store (i32.and (i32.shl (local.get 2) (i32.const 3)) (i32.const 0xfff)) (local.get 1))
      (local.set 1 (i64.rotl (i64.mul (i64.xor (local.get 1) (i64.extend_i32_u (local.get 2))) (i64.const 0x100000001b3))
        (i64.const 5)))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get 2) (local.get 0))))
    (local.get 1))
  (func (export "floats") (param i32) (result f64) (local f64 i32)
    (loop $l
      (local.set 1 (f64.add (f64.mul (local.get 1) (f64.const 0.5)) (f64.convert_i32_s (local.get 2))))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.ne (local.get 2) (local.get 0))))
    (f64.sqrt (local.get 1))))`;

test("warm-up: the first machine leaves results and the store untouched", async () => {
  const { instance } = await instantiate(parseWat(KERNELS), undefined, { fuel: 1_000_000 });
  const fib = instance.exports.fib as unknown as { callSync(n: number): number };
  assert.equal(fib.callSync(20), 6765);
  const used = 1_000_000 - instance.store.getFuel();
  const { instance: again } = await instantiate(parseWat(KERNELS), undefined, { fuel: 1_000_000 });
  (again.exports.fib as unknown as { callSync(n: number): number }).callSync(20);
  assert.equal(1_000_000 - again.store.getFuel(), used);
});

// Why: without the warm-up, each op first reached in optimized code deoptimized run() ("Insufficient type
// feedback") and V8 re-optimized the whole function (~0.7 s on a 2-core machine), several times per program.
test("warm-up: run() is not deoptimized for missing type feedback", {
  skip: existsSync(deno) ? false : "node_modules/.bin/deno is not installed",
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-warm-"));
  try {
    const script = join(dir, "run.ts");
    writeFileSync(
      script,
      `import { instantiate, parseWat } from ${JSON.stringify(join(root, "mod.ts"))};
const { instance } = await instantiate(parseWat(${JSON.stringify(KERNELS)}));
const e = instance.exports as Record<string, { callSync(n: number): unknown }>;
e.fib.callSync(27);
e.hash.callSync(2_000_000);
e.floats.callSync(2_000_000);`,
    );
    const out = spawnSync(deno, ["run", "-A", "--v8-flags=--trace-deopt", script], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(out.status, 0, out.stderr.slice(0, 500));
    const bailouts = out.stdout.split("\n").filter((l) =>
      /bailout .*Insufficient type feedback/.test(l) && /<JSFunction run /.test(l)
    );
    assert.deepEqual(bailouts, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
