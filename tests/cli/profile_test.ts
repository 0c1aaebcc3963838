// `kiln --profile=guest[,PATH[,INTERVAL]]`, spawned under Deno and under Bun: the Firefox Profiler JSON (schema,
// hottest function), collapsed stacks, a profile written after a trap, usage errors, and a fuel profile that is
// byte-identical across runs and across the two runtimes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PROFILE_PATH, parseArgs, UsageError } from "../../lib/cli/args.ts";
import { runCli, RUNTIMES, WASI_MISSING } from "./_spawn.ts";
import { firefoxProfileProblems, selfWeights } from "../profile/_firefox_schema.ts";

test("parseArgs() reads --profile=guest[,PATH[,INTERVAL]] as Wasmtime does, plus fuel:N", () => {
  const profile = (v: string) => {
    const c = parseArgs([`--profile=${v}`, "m.wasm"]);
    assert.ok(c.kind === "run");
    return c.options.profile;
  };
  assert.deepEqual(profile("guest"), { path: DEFAULT_PROFILE_PATH, intervalMs: 10 });
  assert.deepEqual(profile("guest,p.json"), { path: "p.json", intervalMs: 10 });
  assert.deepEqual(profile("guest,p.json,1ms"), { path: "p.json", intervalMs: 1 });
  assert.deepEqual(profile("guest,p.json,500us"), { path: "p.json", intervalMs: 0.5 });
  assert.deepEqual(profile("guest,,fuel:10000"), { path: DEFAULT_PROFILE_PATH, fuelInterval: 10000 });
  const separate = parseArgs(["--profile", "guest,x.folded", "m.wasm"]);
  assert.ok(separate.kind === "run" && separate.options.profile?.path === "x.folded");
  for (
    const [bad, why] of [
      ["perfmap", /profiles native code/],
      ["nope", /unknown profiling strategy: nope/],
      ["guest,p,fuel:0", /at least 1/],
      ["guest,p,fuel:x", /invalid digit/],
      ["guest,p,10parsecs", /unknown time unit/],
      ["guest,p,1ms,extra", /unknown profiling strategy/],
    ] as const
  ) {
    assert.throws(
      () => parseArgs([`--profile=${bad}`, "m.wasm"]),
      (e: unknown) =>
        e instanceof UsageError && e.message.startsWith(`error: invalid value '${bad}' for '--profile <STRATEGY>': `) &&
        why.test(e.message),
      bad,
    );
  }
});

for (const rt of RUNTIMES) {
  test(
    `${rt.name}: --profile=guest writes a Firefox profile of profile_hot.wasm with hot on top, or collapsed stacks`,
    {
      skip: WASI_MISSING,
      timeout: 120_000,
    },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "kiln-profile-"));
      try {
        const json = join(dir, "out.json");
        const r = await runCli(rt, [`--profile=guest,${json},fuel:10000`, "testdata/profile_hot.wasm"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^checksum \d+\n$/);
        assert.equal(r.stderr, `Profile written to: ${json}\nView this profile at https://profiler.firefox.com/.\n`);
        const profile = JSON.parse(readFileSync(json, "utf8"));
        assert.deepEqual(firefoxProfileProblems(profile), []);
        assert.equal(selfWeights(profile)[0]![0], "hot");
        assert.equal(profile.threads[0].name, "profile_hot.wasm");

        const folded = join(dir, "out.folded");
        const c = await runCli(rt, [`--profile=guest,${folded},fuel:10000`, "testdata/profile_hot.wasm"]);
        assert.equal(c.status, 0, c.stderr);
        const lines = readFileSync(folded, "utf8").trimEnd().split("\n");
        const hot = lines.find((l) => l.includes(";hot "));
        assert.ok(hot !== undefined && lines.every((l) => Number(l.split(" ").pop()) <= Number(hot.split(" ").pop())));

        // The default wall-clock interval: a valid profile too (its samples depend on the machine's speed).
        const timed = join(dir, "timed.json");
        const t = await runCli(rt, [`--profile=guest,${timed}`, "testdata/profile_hot.wasm"]);
        assert.equal(t.status, 0, t.stderr);
        assert.deepEqual(firefoxProfileProblems(JSON.parse(readFileSync(timed, "utf8"))), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test(`${rt.name}: --profile is written after a trap too, and a bad strategy is a usage error`, {
    skip: WASI_MISSING,
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-profile-"));
    try {
      const out = join(dir, "trap.folded");
      const r = await runCli(rt, [`--profile=guest,${out},fuel:1`, "testdata/trap.wasm"]);
      assert.equal(r.status, 134, r.stderr);
      assert.match(r.stderr, /^Profile written to: .*trap\.folded \(collapsed stacks, for flamegraph tools\)\n/m);
      assert.match(r.stderr, /wasm trap:/);
      assert.match(readFileSync(out, "utf8"), /^\S+ \d+\n/);
      const bad = await runCli(rt, ["--profile=jitdump", "testdata/hello.wasm"]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^error: invalid value 'jitdump' for '--profile <STRATEGY>': profiling strategy/);
      const unwritable = await runCli(rt, [
        `--profile=guest,${join(dir, "no", "such", "dir.json")}`,
        "testdata/hello.wasm",
      ]);
      assert.equal(unwritable.status, 0);
      assert.match(unwritable.stderr, /^warning: failed to write the profile to .*: No such file or directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("a fuel profile is byte-identical across runs, across Deno and Bun, and on the native engine (V8)", {
  skip: WASI_MISSING,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-profile-"));
  try {
    const outputs: string[] = [];
    // The native engine on V8 too (on JavaScriptCore its frames have no offsets: tests/profile covers it).
    const runs = [...RUNTIMES, ...RUNTIMES].map((rt) => [rt, "interpreter"] as const);
    for (const [rt, engine] of [...runs, [RUNTIMES[0], "native"] as const]) {
      const path = join(dir, `${outputs.length}.json`);
      const r = await runCli(rt, [
        "-C",
        `engine=${engine}`,
        `--profile=guest,${path},fuel:5000`,
        "testdata/profile_hot.wasm",
      ]);
      assert.equal(r.status, 0, r.stderr);
      outputs.push(readFileSync(path, "utf8"));
    }
    assert.ok(outputs.every((o) => o === outputs[0]), "the five profiles differ");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
