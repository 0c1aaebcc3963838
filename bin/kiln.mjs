#!/usr/bin/env node
// The `kiln` command installed by npm (package.json "bin"). It runs the bundled CLI, dist/cli.js (built by
// tools/build.ts; `npm pack` builds it), on whatever runtime runs this file: Node 20+, Deno or Bun. Kiln's interpreter
// runs on all three, so nothing is re-executed elsewhere, and `npx kiln-wasm app.wasm` needs only Node.
// In a checkout of the repository without a build, Deno and Bun run cli.ts itself; Node cannot, and says so.
// Why not `import { existsSync } from "node:fs"`: on Node 20 that builds node:fs's module facade, whose getters load
// Node's streams (a few ms of every start); `process.getBuiltinModule` (Node 20.16+, Deno, Bun) gives the module.
const { existsSync } = globalThis.process?.getBuiltinModule?.("node:fs") ?? await import("node:fs");

// Node 22.1+ keeps V8's compiled code of the bundle between runs (in its cache directory; NODE_DISABLE_COMPILE_CACHE
// turns it off), which shortens every start after the first. Feature-detected: Node 20, Deno and Bun run without.
try {
  globalThis.process?.getBuiltinModule?.("node:module")?.enableCompileCache?.();
} catch {
  // A cache that cannot be set up only costs speed.
}

const built = new URL("../dist/cli.js", import.meta.url);
if (existsSync(built)) {
  const { runCli } = await import(built.href);
  await runCli();
} else if (globalThis.Bun !== undefined || globalThis.Deno !== undefined) {
  const { runCli } = await import(new URL("../cli.ts", import.meta.url).href);
  await runCli();
} else {
  process.stderr.write(
    "Error: failed to start kiln: dist/cli.js is missing (in a checkout, build it with `npm run build`, or run " +
      "bin/kiln.mjs with Deno or Bun)\n",
  );
  process.exit(1);
}
