/**
 * Builds `dist/`: bundled ESM of the library for Node and for browsers, with esbuild (npm dev dependency).
 *
 * - `dist/mod.js`, `dist/wasi.js` (+ a shared chunk): for Node (and any ESM runtime). `node:` modules stay
 *   imports, so `NodeFs` works under Node.
 * - `dist/browser/mod.js`, `dist/browser/wasi.js`: for browsers. `node:fs` is replaced by a stub whose functions
 *   throw, so everything but the host filesystem (`NodeFs`, `stdout: "inherit"`) works; use `MemoryFs` and
 *   callback stdio there.
 *
 * Run with `deno task build` (or `bun tools/build.ts`). `--outdir DIR` writes elsewhere than `dist/`.
 *
 * @module
 */
import { readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The public entry points, bundled into `<outdir>/<name>.js`. */
const ENTRIES = ["mod.ts", "wasi.ts"];

/**
 * An esbuild plugin that replaces `node:fs` with a module of the same shape whose functions throw, for browsers.
 * The exported names are read from the files that import `node:fs`, so the stub follows them.
 */
function nodeStubPlugin(): esbuild.Plugin {
  return {
    name: "kiln-node-stub",
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "kiln-node-stub" }));
      build.onLoad({ filter: /.*/, namespace: "kiln-node-stub" }, async (args) => {
        const names = new Set<string>();
        if (args.path === "node:fs") {
          const source = await readFile(join(root, "lib/wasi/fs/node_fs.ts"), "utf8");
          for (const m of source.matchAll(/\bfs\.([a-zA-Z]+)\b/g)) names.add(m[1]);
        }
        const lines = [
          `const unavailable = () => { throw new Error("${args.path} is not available in this build: use MemoryFs"); };`,
        ];
        for (const name of names) {
          lines.push(`export const ${name} = ${name === "constants" ? "{}" : "unavailable"};`);
        }
        lines.push("export default {};");
        return { contents: lines.join("\n"), loader: "js" };
      });
    },
  };
}

/**
 * Builds both flavours into `outdir`.
 *
 * @param outdir the output directory (default `dist/` in the repository)
 * @returns the files written, relative to `outdir`
 */
export async function build(outdir: string = join(root, "dist")): Promise<string[]> {
  await rm(outdir, { recursive: true, force: true });
  const common: esbuild.BuildOptions = {
    entryPoints: ENTRIES.map((e) => join(root, e)),
    bundle: true,
    format: "esm",
    target: "es2022",
    splitting: true,
    minify: true,
    keepNames: true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
    chunkNames: "_chunk-[hash]",
  };
  const node = await esbuild.build({
    ...common,
    outdir,
    platform: "neutral",
    external: ["node:*"],
  });
  const browser = await esbuild.build({
    ...common,
    outdir: join(outdir, "browser"),
    platform: "browser",
    plugins: [nodeStubPlugin()],
  });
  await esbuild.stop();
  const files = [...Object.keys(node.metafile!.outputs), ...Object.keys(browser.metafile!.outputs)];
  return files.map((f) => resolve(process.cwd(), f).slice(resolve(outdir).length + 1)).sort();
}

if (import.meta.main) {
  const i = process.argv.indexOf("--outdir");
  const outdir = i >= 0 ? resolve(process.argv[i + 1]) : join(root, "dist");
  const files = await build(outdir);
  for (const f of files) console.log(`${outdir}/${f}`);
}
