/**
 * What `--profile=guest` costs: Sightglass programs run through the CLI (`cli.ts`, each run its own process) plain,
 * with fuel metering alone (`-W fuel=…`, the part of the cost that metering is), and with the guest profiler by the
 * clock (10 ms, Wasmtime's default) and by fuel (every 100,000 and 10,000 units). Runs are interleaved (2 shared
 * cores here); medians and minimums of each process's CPU time (GNU time; wall-clock time where it is missing), and
 * their ratio to the plain run.
 *
 * Usage: `deno run -A bench/profile_overhead.ts [--runs N] [--runtime deno|bun] [--engine interpreter|native]
 * [programs…]` (`--engine`: the CLI's `-C engine=…` for every variant).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { REPO_ROOT } from "./suite.ts";
import { median } from "./stats.ts";

const SIGHTGLASS = join(REPO_ROOT, "..", "shared", "benchmarks", "sightglass");
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = argv[i + 1]!;
  argv.splice(i, 2);
  return value;
};
const runs = Number(flag("--runs", "5"));
const runtime = flag("--runtime", "deno");
const engine = flag("--engine", "interpreter");
const programs = argv.length > 0 ? argv : ["richards", "quicksort", "bz2"];
if (!existsSync(SIGHTGLASS)) {
  console.log(`skipped: ${SIGHTGLASS} is absent`);
  process.exit(0);
}

const out = mkdtempSync(join(tmpdir(), "kiln-profile-bench-"));
const variants: { label: string; flags: string[] }[] = [
  { label: "plain", flags: [] },
  { label: "-W fuel (metering only)", flags: ["-W", "fuel=1000000000000"] },
  { label: "--profile=guest (10 ms)", flags: [`--profile=guest,${join(out, "t.json")}`] },
  { label: "--profile=guest,…,fuel:100000", flags: [`--profile=guest,${join(out, "f.json")},fuel:100000`] },
  { label: "--profile=guest,…,fuel:10000", flags: [`--profile=guest,${join(out, "g.json")},fuel:10000`] },
];
const bin = join(REPO_ROOT, "node_modules", ".bin", runtime);
const prefix = runtime === "deno" ? ["run", "-A", join(REPO_ROOT, "cli.ts")] : [join(REPO_ROOT, "cli.ts")];

/** GNU time gives the child's CPU time (user + system), steadier than wall time on a shared machine. */
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** One run: CPU ms of the child with GNU time, else wall-clock ms. */
function once(program: string, flags: string[]): number {
  const dir = join(SIGHTGLASS, program);
  const args = [
    ...prefix,
    "-C",
    `engine=${engine}`,
    "-W",
    "unknown-imports-default",
    "--dir",
    ".",
    ...flags,
    "benchmark.wasm",
  ];
  const t0 = performance.now();
  const r = TIME === undefined
    ? spawnSync(bin, args, { cwd: dir, encoding: "utf8" })
    : spawnSync(TIME, ["-f", "kiln-cpu %U %S", bin, ...args], { cwd: dir, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${program} ${flags.join(" ")}: exit ${r.status}\n${r.stderr}`);
  const cpu = /kiln-cpu ([0-9.]+) ([0-9.]+)/.exec(r.stderr);
  return cpu === null ? ms : (Number(cpu[1]) + Number(cpu[2])) * 1000;
}

console.log(
  `runtime ${runtime}, engine ${engine}, ${runs} interleaved runs per variant (after one warm-up each), ${
    TIME === undefined ? "wall-clock" : "CPU (user+sys)"
  } ms of each process`,
);
for (const program of programs) {
  const times = variants.map(() => [] as number[]);
  variants.forEach((v) => once(program, v.flags));
  for (let r = 0; r < runs; r++) variants.forEach((v, i) => times[i]!.push(once(program, v.flags)));
  const base = median(times[0]!), baseMin = Math.min(...times[0]!);
  console.log(`\n${program}`);
  variants.forEach((v, i) => {
    const med = median(times[i]!), min = Math.min(...times[i]!);
    console.log(
      `  ${v.label.padEnd(32)} median ${med.toFixed(0).padStart(6)} ms (${(med / base).toFixed(3)}×)   min ${
        min.toFixed(0).padStart(6)
      } ms (${(min / baseMin).toFixed(3)}×)`,
    );
  });
}
rmSync(out, { recursive: true, force: true });
