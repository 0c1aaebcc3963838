#!/usr/bin/env node
// The `kiln` command installed by npm (package.json "bin"). Bun and Deno run cli.ts directly; Node cannot run
// TypeScript, so under Node this re-executes cli.ts with Bun (or Deno) from the package's node_modules/.bin or
// from PATH, passing stdio through and exiting with the child's status.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "cli.ts");

if (globalThis.Bun !== undefined || globalThis.Deno !== undefined) {
  const { runCli } = await import(cli);
  await runCli();
} else {
  const local = (name) => join(root, "node_modules", ".bin", name);
  const candidates = [
    [local("bun"), [cli]],
    [local("deno"), ["run", "-A", cli]],
    ["bun", [cli]],
    ["deno", ["run", "-A", cli]],
  ].filter(([command]) => !command.includes("/") || existsSync(command));
  const launch = (i) => {
    if (i >= candidates.length) {
      process.stderr.write("Error: kiln needs Bun or Deno to run (neither was found)\n");
      process.exit(1);
    }
    const [command, args] = candidates[i];
    const child = spawn(command, [...args, ...process.argv.slice(2)], { stdio: "inherit" });
    child.on("error", () => launch(i + 1));
    child.on("exit", (code, signal) => {
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
  };
  launch(0);
}
