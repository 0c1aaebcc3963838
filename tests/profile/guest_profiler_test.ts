// The guest profiler through the API: the Firefox Profiler format (schema), the hottest function of a known
// program on top with its source lines, deterministic fuel profiles, wall-clock sampling, collapsed stacks, and
// that profiling changes nothing the guest can observe.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type EngineName,
  GuestProfiler,
  instantiate,
  parseWat,
  RuntimeError,
  Store,
  toCollapsedStacks,
  toFirefoxProfile,
} from "../../mod.ts";
import { runWasi } from "../../wasi.ts";
import { firefoxProfileProblems, selfWeights } from "./_firefox_schema.ts";

const HOT = readFileSync(join(import.meta.dirname!, "..", "..", "testdata", "profile_hot.wasm"));

/** Runs testdata/profile_hot.wasm (C, -g) under a profiler; returns its stdout. */
async function runHot(profiler: GuestProfiler, fuel?: number, engine: EngineName = "interpreter"): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  const code = await runWasi(HOT, {
    args: ["profile_hot.wasm"],
    stdin: "null",
    stdout: (d) => void (out += decoder.decode(d)),
    engine: fuel === undefined ? { profiler, engine } : { profiler, fuel, engine },
  });
  assert.equal(code, 0);
  return out;
}

test("a fuel profile of profile_hot.wasm is a valid Firefox profile with hot on top and DWARF source lines", async () => {
  const profiler = new GuestProfiler({ fuelInterval: 10_000, name: "profile_hot.wasm" });
  assert.match(await runHot(profiler), /^checksum \d+\n$/);
  const profile = toFirefoxProfile(profiler);
  assert.deepEqual(firefoxProfileProblems(profile), []);
  const weights = selfWeights(profile);
  assert.deepEqual(weights.map(([name]) => name), ["hot", "warm", "cold"]);
  const total = weights.reduce((s, [, w]) => s + w, 0);
  // hot: 160,000 iterations per round, warm 40,000, cold 8,000 (loops of different lengths).
  assert.ok(weights[0]![1] / total > 0.7, JSON.stringify(weights));
  // deno-lint-ignore no-explicit-any -- the JSON profile, checked by firefoxProfileProblems above
  const thread = (profile as { threads: Record<string, any>[] }).threads[0]!;
  const strings: string[] = thread.stringArray;
  const hot = thread.funcTable.name.findIndex((s: number) => strings[s] === "hot");
  assert.equal(strings[thread.funcTable.fileName[hot]], "testdata/profile_hot.c");
  const hotLines = thread.frameTable.line.filter((_: unknown, i: number) => thread.frameTable.func[i] === hot);
  assert.ok(hotLines.length > 0 && hotLines.every((l: number | null) => l !== null && l >= 7 && l <= 13), hotLines);
  assert.equal(thread.name, "profile_hot.wasm");
});

test("a fuel profile is the same on every run: same bytes, fuel on the timeline, no wall-clock start", async () => {
  const texts: string[] = [];
  for (let i = 0; i < 2; i++) {
    const profiler = new GuestProfiler({ fuelInterval: 25_000 });
    await runHot(profiler);
    texts.push(JSON.stringify(toFirefoxProfile(profiler)) + toCollapsedStacks(profiler));
  }
  assert.equal(texts[0], texts[1]);
  const profile = JSON.parse(texts[0]!.slice(0, texts[0]!.lastIndexOf("}") + 1));
  assert.equal(profile.meta.startTime, 0);
  assert.equal(profile.meta.interval, 25);
  // Sample times are consumed fuel / 1000: multiples of 0.001 ms, the first at or after one interval.
  assert.ok(profile.threads[0].samples.time[0] >= 25);
});

test("profiling changes no fuel count and no result; the fuel trap is the same", async () => {
  const plain = new Store({ fuel: 30_000_000 });
  const before = await runWasi(HOT, { args: ["p"], stdin: "null", stdout: "null", engine: { store: plain } });
  const profiled = new Store({ fuel: 30_000_000, profiler: new GuestProfiler({ fuelInterval: 7_777 }) });
  const after = await runWasi(HOT, { args: ["p"], stdin: "null", stdout: "null", engine: { store: profiled } });
  assert.equal(before, after);
  assert.equal(plain.fuelConsumed, profiled.fuelConsumed);
  const trap = (fuel: number, profiler?: GuestProfiler) =>
    runWasi(HOT, { args: ["p"], stdin: "null", stdout: "null", engine: profiler ? { fuel, profiler } : { fuel } })
      .then(() => assert.fail("no trap"), (e: unknown) => e as RuntimeError);
  const a = await trap(1_000_000), b = await trap(1_000_000, new GuestProfiler({ fuelInterval: 1000 }));
  assert.ok(a instanceof RuntimeError && b instanceof RuntimeError);
  assert.equal(b.message, "all fuel consumed by WebAssembly");
  assert.deepEqual(b.backtrace, a.backtrace);
});

test("collapsed stacks: one sorted line per stack, outermost first, weights summing to the samples'", async () => {
  const profiler = new GuestProfiler({ fuelInterval: 10_000 });
  await runHot(profiler);
  const text = toCollapsedStacks(profiler);
  const lines = text.trimEnd().split("\n");
  assert.deepEqual([...lines].sort(), lines);
  for (const line of lines) assert.match(line, /^[^;\s]+(;[^;\s]+)* \d+$/);
  assert.ok(lines.some((l) => /;__original_main;hot \d+$/.test(l)), text);
  const sum = lines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  const data = profiler.data();
  assert.equal(sum, data.sampleWeight.reduce((s, w) => s + w, 0));
});

test("a wall-clock profiler samples a busy guest every interval, with times on the clock", async () => {
  const profiler = new GuestProfiler({ intervalMs: 2 });
  const { instance } = await instantiate(
    parseWat(`(module (func (export "spin") (param i32) (result i32)
      (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 0)))`),
    {},
    { profiler },
  );
  const spin = instance.exports.spin as (n: number) => Promise<number>;
  const t0 = performance.now();
  // At least 60 ms, and on a loaded machine up to 2 s for 5 samples (the native engine reads the clock every 2^22
  // units, about 0.25 ms of its code, so a slot can pass between two reads).
  const elapsed = () => performance.now() - t0;
  while (elapsed() < 60 || (profiler.sampleCount < 5 && elapsed() < 2000)) await spin(2_000_000);
  const profile = toFirefoxProfile(profiler) as {
    meta: { startTime: number };
    threads: { samples: { time: number[] } }[];
  };
  assert.deepEqual(firefoxProfileProblems(profile), []);
  assert.ok(profiler.sampleCount >= 5, `only ${profiler.sampleCount} samples in ${elapsed()} ms`);
  assert.ok(profile.meta.startTime > 1e12, "a wall-clock profile starts at a real time");
  const times: number[] = profile.threads[0]!.samples.time;
  // One sample per 2 ms slot of the clock at most (taken at the first checkpoint after the slot began).
  const slots = times.map((t) => Math.floor(t / 2));
  assert.ok(slots.every((s, i) => i === 0 || s > slots[i - 1]!), JSON.stringify(times));
});

// On the interpreter, whose stack grows as `maxWasmStack` says (the native engine's is the host's: README, "Engines").
test("deep recursion: 20,000 frames per sample are recorded and written without stack overflow", async () => {
  const profiler = new GuestProfiler({ fuelInterval: 50_000 });
  const { instance } = await instantiate(
    parseWat(`(module (func $down (export "down") (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
        (else (i32.const 0)))))`),
    {},
    { profiler, maxWasmStack: 64 * 1024 * 1024, engine: "interpreter" },
  );
  assert.equal(await (instance.exports.down as (n: number) => Promise<number>)(20_000), 20_000);
  assert.ok(profiler.sampleCount > 0);
  const text = toCollapsedStacks(profiler);
  assert.ok(text.split("\n")[0]!.split(";").length > 1000);
  assert.deepEqual(firefoxProfileProblems(toFirefoxProfile(profiler)), []);
});

test("GuestProfiler checks its options and serves one store; without one a store is not metered", () => {
  assert.throws(() => new GuestProfiler({ fuelInterval: 0 }), RangeError);
  assert.throws(() => new GuestProfiler({ fuelInterval: 1.5 }), RangeError);
  assert.throws(() => new GuestProfiler({ intervalMs: -1 }), RangeError);
  assert.throws(() => new GuestProfiler({ intervalMs: 1, fuelInterval: 1 }), RangeError);
  const profiler = new GuestProfiler();
  const store = new Store({ profiler });
  assert.equal(store.metered, true);
  assert.throws(() => new Store({ profiler }), /only one store/);
  assert.equal(new Store().metered, false);
  assert.deepEqual(firefoxProfileProblems(toFirefoxProfile(new GuestProfiler())), []);
  assert.equal(toCollapsedStacks(new GuestProfiler()), "");
});

// The native engine samples at the same checkpoints and fuel levels (lib/native/sampler.ts). JavaScriptCore's stacks
// give functions without offsets, so on Bun the frames are the same functions with no address or line.
const NATIVE = typeof WebAssembly === "object" ? false : "no WebAssembly on this host";
const V8_OFFSETS = !("Bun" in globalThis);

test("native engine: a fuel profile has the interpreter's samples (the same bytes on V8), fuel on or off", {
  skip: NATIVE,
}, async () => {
  const reference = new GuestProfiler({ fuelInterval: 10_000 });
  await runHot(reference);
  for (const fuel of [undefined, 1e12]) {
    const profiler = new GuestProfiler({ fuelInterval: 10_000 });
    assert.match(await runHot(profiler, fuel, "native"), /^checksum \d+\n$/);
    assert.equal(profiler.sampleCount, reference.sampleCount);
    assert.equal(toCollapsedStacks(profiler), toCollapsedStacks(reference));
    const profile = toFirefoxProfile(profiler);
    assert.deepEqual(firefoxProfileProblems(profile), []);
    if (V8_OFFSETS) assert.equal(JSON.stringify(profile), JSON.stringify(toFirefoxProfile(reference)));
  }
});

test("native engine: a wall-clock profile samples the running code", { skip: NATIVE }, async () => {
  const profiler = new GuestProfiler({ intervalMs: 0.05 });
  await runHot(profiler, undefined, "native");
  assert.ok(profiler.sampleCount > 0);
  assert.deepEqual(firefoxProfileProblems(toFirefoxProfile(profiler)), []);
  assert.match(toCollapsedStacks(profiler), /;hot \d+/);
});
