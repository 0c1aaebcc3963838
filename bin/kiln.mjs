#!/usr/bin/env node
// The `kiln` command installed by npm (package.json "bin"). It runs the bundled CLI (built by tools/build.ts; `npm
// pack` builds it) on whatever runtime runs this file: Node 20+, Deno or Bun. Kiln's interpreter runs on all three,
// so nothing is re-executed elsewhere, and `npx kiln-wasm app.wasm` needs only Node.
// In a checkout of the repository without a build, Deno and Bun run cli.ts itself; Node cannot, and says so.
// Why `process.getBuiltinModule` (Node 20.16+, Deno, Bun) and not `import … from "node:fs"`: on Node 20 an import
// builds node:fs's module facade, whose getters load Node's streams (a few ms of every start).
const builtin = (name) => globalThis.process?.getBuiltinModule?.(name);
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = builtin("node:fs") ??
  await import("node:fs");
const isNode = globalThis.Deno === undefined && globalThis.Bun === undefined;
// Why the version first: on older Node, loading node:module only to find no enableCompileCache costs a few modules.
const [major, minor] = (globalThis.process?.versions?.node ?? "0.0").split(".").map(Number);
const compileCache = isNode && (major > 22 || (major === 22 && minor >= 1))
  ? builtin("node:module")?.enableCompileCache
  : undefined;

const script = new URL("../dist/cli.cjs", import.meta.url);
const built = new URL("../dist/cli.js", import.meta.url);
const scriptCache = isNode && compileCache === undefined ? codeCacheFile(script) : undefined;
if (scriptCache !== undefined) {
  await runScript(scriptCache);
} else if (existsSync(built)) {
  // Node 22.1+ keeps V8's compiled code of the bundle between runs (in its cache directory; NODE_DISABLE_COMPILE_CACHE
  // turns it off), which shortens every start after the first.
  try {
    compileCache?.();
  } catch {
    // A cache that cannot be set up only costs speed.
  }
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

// Node before 22.1 has no compile cache for ES modules: each start parsed the bundle and compiled every function it
// ran anew (about half of Kiln's part of `kiln hello.wasm`). So there the CLI runs as one classic script through
// `vm.Script`, with V8's code cache kept in Kiln's cache directory, as Node 22 keeps it for modules; a cache V8
// refuses (another Node, a damaged file) is replaced. NODE_DISABLE_COMPILE_CACHE turns it off, as on Node 22, and
// then, or without a cache directory, the ES module bundle runs (smaller: what few runs need is loaded by those).

/** The script and where its code cache lives, or undefined when there is no cache to keep. */
function codeCacheFile(url) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE || !existsSync(url) || builtin("node:vm") === undefined) return undefined;
  const source = readFileSync(url, "utf8");
  const id = /^\/\/ kiln-cli (\w+)\n/.exec(source)?.[1];
  const dir = id === undefined ? undefined : cacheDirectory();
  if (dir === undefined) return undefined;
  return { url, source, dir: `${dir}/js`, file: `${dir}/js/cli-${id}-${process.version}-${process.arch}.v8` };
}

async function runScript({ url, source, dir, file }) {
  let cachedData;
  try {
    cachedData = readFileSync(file);
  } catch {
    // None yet.
  }
  const compiled = new (builtin("node:vm").Script)(`(function (module, exports, require) {${source}\n})`, {
    filename: url.pathname,
    cachedData,
  });
  const module = { exports: {} };
  compiled.runInThisContext()(module, module.exports, builtin);
  if (cachedData === undefined || compiled.cachedDataRejected) {
    // At exit, so the cache holds the code of every function this run compiled, not only the top level's.
    process.once("exit", () => {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const temp = `${file}.${process.pid}`;
        writeFileSync(temp, compiled.createCachedData(), { mode: 0o600 });
        renameSync(temp, file);
        // This build's cache replaces other builds' (for the same Node), so upgrades do not pile them up.
        const name = file.slice(dir.length + 1);
        const suffix = name.slice(name.indexOf("-v"));
        for (const other of readdirSync(dir)) {
          if (other !== name && other.startsWith("cli-") && other.endsWith(suffix)) rmSync(`${dir}/${other}`);
        }
      } catch {
        // A cache that cannot be written only costs speed.
      }
    });
  }
  await module.exports.runCli();
}
// Kiln's cache directory, as Wasmtime places its own: KILN_CACHE_DIR, else the platform's per-user cache directory.
function cacheDirectory() {
  const env = process.env;
  if (env.KILN_CACHE_DIR) return env.KILN_CACHE_DIR;
  if (process.platform === "win32") return env.LOCALAPPDATA && `${env.LOCALAPPDATA}/kiln`;
  if (!env.HOME) return undefined;
  if (process.platform === "darwin") return `${env.HOME}/Library/Caches/kiln`;
  return `${env.XDG_CACHE_HOME || `${env.HOME}/.cache`}/kiln`;
}
