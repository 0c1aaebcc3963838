#!/usr/bin/env node
// Runs the whole test suite under Deno and under Bun, streams their output, and ends with one line
// `N passed, N failed` (skipped tests are counted apart). This is what `npm test` runs and what CI reads.
// Plain JavaScript so a fresh machine with only Node (after `npm ci`) can run it.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const filter = process.argv.slice(2);

/** Runs one runtime's test command, echoing its output, and returns the counts parsed from its summary. */
function run(label, command, args, parse) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${command} ${args.join(" ")}`);
    const child = spawn(command, args, { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    const echo = (stream) => (chunk) => {
      out += chunk;
      stream.write(chunk);
    };
    child.stdout.on("data", echo(process.stdout));
    child.stderr.on("data", echo(process.stderr));
    child.on("close", (code) => {
      const counts = parse(out);
      // A runner that died before printing its summary counts as one failure, never as a pass.
      if (counts === null) resolve({ label, passed: 0, failed: 1, skipped: 0, code });
      else resolve({ label, ...counts, code });
    });
  });
}

function parseDeno(out) {
  const m =
    /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \(\d+ steps?\))?(?: \| (\d+) ignored)?/
      .exec(out);
  return m ? { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) } : null;
}

function parseBun(out) {
  const pass = /^\s*(\d+) pass$/m.exec(out);
  const fail = /^\s*(\d+) fail$/m.exec(out);
  const skip = /^\s*(\d+) skip$/m.exec(out);
  const todo = /^\s*(\d+) todo$/m.exec(out);
  if (!pass && !fail) return null;
  const skipped = +(skip?.[1] ?? 0) + +(todo?.[1] ?? 0);
  return { passed: +(pass?.[1] ?? 0), failed: +(fail?.[1] ?? 0), skipped };
}

const paths = filter.length > 0 ? filter : ["tests/"];
const results = [];
results.push(await run("deno", bin("deno"), ["test", "-A", "--no-check", ...paths], parseDeno));
results.push(await run("bun", bin("bun"), ["test", "--timeout", "600000", ...paths], parseBun));

console.log("");
let passed = 0, failed = 0, skipped = 0;
for (const r of results) {
  console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (exit ${r.code})`);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  if (r.code !== 0 && r.failed === 0) failed += 1; // a non-zero exit with no counted failure is still a failure
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
