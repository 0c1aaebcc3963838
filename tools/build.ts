/**
 * Builds `dist/`, what the npm package runs: bundled ESM with esbuild and type declarations with `tsc` (npm dev
 * dependencies).
 *
 * - `dist/mod.js`, `dist/wasi.js` (+ shared chunks `_chunk-*.js`), `dist/cli.js` (+ its own chunks `_cli-*.js`,
 *   loaded only by the runs that need them): for Node, Deno and Bun (any ESM runtime). `node:` modules stay
 *   imports, so `NodeFs` and the CLI work everywhere. `bin/kiln.mjs` runs `dist/cli.js`.
 * - `dist/cli.cjs`: the CLI again as one classic script, which `bin/kiln.mjs` runs on Node before 22.1 with V8's
 *   code cache (Node has none of its own for ES modules there).
 * - `dist/browser/mod.js`, `dist/browser/wasi.js`: for browsers. `node:fs` is replaced by a stub whose functions
 *   throw, so everything but the host filesystem (`NodeFs`, `stdout: "inherit"`) works; use `MemoryFs` and
 *   callback stdio there.
 * - `dist/types/`: `.d.ts` files for every entry (`mod.d.ts`, `wasi.d.ts`, `cli.d.ts`) and what they import.
 *
 * Source maps (for working in the repository) are linked and carry no source text: they point at the `.ts` sources
 * (`../lib/…`). The npm package has none: `npm pack` runs this as `prepack` with `--no-sourcemap` (minified code
 * with its names kept, `keepNames`, reads well enough in a stack trace; the maps would be as large as the code). The
 * CLI's bundle keeps no names: it never prints a JS stack, and keeping them costs start-up time.
 *
 * Run with `deno task build` (or `bun tools/build.ts`). `--outdir DIR` writes elsewhere than `dist/`;
 * `--no-sourcemap` writes no maps; `--no-types` skips the declarations (tests that only run the code).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The public entry points, bundled into `<outdir>/<name>.js`; browsers get the library's (all but the CLI). */
const ENTRIES = ["mod.ts", "wasi.ts", "cli.ts"];
const LIBRARY_ENTRIES = ["mod.ts", "wasi.ts"];
/**
 * What the CLI imports with `import()` but loads in every ordinary run, bundled as if imported statically: the
 * native engine, the default on Node and Deno (`engine/host.ts` autoEngine). Why: lazily loaded, it shared the one
 * lazy chunk with the interpreter, the spec-test runner and the profiler, and `kiln app.wasm` on Node loaded and
 * parsed that whole chunk (186 KB) for the engine's part of it.
 */
const CLI_EAGER = ["lib/native/engine.ts"].map((f) => join(root, f));
/** The CLI as one classic script (CommonJS), for `vm.Script`: see {@link build}. */
const SCRIPT_CLI = "cli.cjs";

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
 * The CLI build's dynamic imports, made to load at most one chunk. Why: esbuild makes every `import()` target an
 * entry point and splits the modules the CLI loads at start-up by which of those targets also reach them, so a
 * plain run of `kiln app.wasm` loaded some twenty files. Here an `import()` of a module the CLI loads statically
 * anyway (the native engine, the host filesystem) becomes a static import (`Promise.resolve` of its namespace), and
 * every other resolves to a small module that re-exports its target and imports `lazy`, which imports all of them:
 * every target then reaches the same modules, which esbuild puts in one shared chunk beside cli.js, and what only
 * some runs need (the interpreter, the spec-test runner, the profiler) in one chunk loaded by the first `import()`.
 *
 * @param graph the CLI's dynamic imports and the modules it imports statically ({@link cliImports})
 */
function oneLazyChunkPlugin(graph: { dynamic: Set<string>; loaded: Set<string> }): esbuild.Plugin {
  const lazy = [...graph.dynamic].filter((t) => !graph.loaded.has(t)).sort();
  return {
    name: "kiln-one-lazy-chunk",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import(")) return undefined;
        const hoisted: string[] = [];
        const contents = source.replace(/\bimport\(("[^"]+")\)/g, (call, spec: string) => {
          if (!graph.loaded.has(resolve(dirname(args.path), JSON.parse(spec)))) return call;
          hoisted.push(`import * as kilnStatic${hoisted.length} from ${spec};`);
          return `Promise.resolve(kilnStatic${hoisted.length - 1})`;
        });
        return { contents: `${hoisted.join("\n")}\n${contents}`, loader: "ts" };
      });
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== "dynamic-import" || args.namespace !== "file") return undefined;
        return { path: resolve(dirname(args.importer), args.path), namespace: "kiln-lazy" };
      });
      build.onResolve({ filter: /^lazy$/ }, () => ({ path: "lazy", namespace: "kiln-lazy" }));
      build.onLoad({ filter: /.*/, namespace: "kiln-lazy" }, (args) => ({
        contents: args.path === "lazy"
          ? lazy.map((t) => `import ${JSON.stringify(t)};`).join("\n")
          : `export * from ${JSON.stringify(args.path)};\nimport "lazy";`,
        loader: "js",
        resolveDir: root,
      }));
    },
  };
}

/**
 * The CLI build's `node:fs`, taken from `process.getBuiltinModule` where the host has it (Node 20.16+, Deno, Bun),
 * else imported. Why: Node 20 builds a builtin's ES module facade by reading every export once, and `node:fs`'s
 * stream getters then load Node's streams (a few ms of `kiln app.wasm`'s start-up) for nothing the CLI uses. The
 * module exports the names Kiln's sources use (`fs.name` and `import { name } from "node:fs"`); esbuild fails the
 * build if one is missing.
 */
function nodeFsPlugin(): esbuild.Plugin {
  return {
    name: "kiln-node-fs",
    setup(build) {
      build.onResolve(
        { filter: /^node:fs$/ },
        (args) => args.kind === "dynamic-import" ? undefined : { path: "node:fs", namespace: "kiln-node-fs" },
      );
      build.onLoad({ filter: /.*/, namespace: "kiln-node-fs" }, async () => {
        const names = new Set<string>();
        for (const file of await sourceFiles(join(root, "lib"))) {
          const source = await readFile(file, "utf8");
          if (!source.includes(`"node:fs"`)) continue;
          for (const m of source.matchAll(/\bfs\.([a-zA-Z]+)\b/g)) names.add(m[1]);
          for (const m of source.matchAll(/import \{([^}]*)\} from "node:fs"/g)) {
            for (const name of m[1].split(",")) if (name.trim() !== "") names.add(name.trim().split(/\s/)[0]);
          }
        }
        const lines = [
          `const fs = globalThis.process?.getBuiltinModule?.("node:fs") ?? await import("node:fs");`,
          ...[...names].sort().map((name) => `export const ${name} = fs.${name};`),
          "export default fs;",
        ];
        return { contents: lines.join("\n"), loader: "js" };
      });
    },
  };
}

/** The `.ts` files under `dir`, recursively. */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => join(e.parentPath, e.name));
}

/**
 * The modules `entry` imports with `import()` and those it loads at every start: those it imports statically
 * (transitively, not through an `import()`), and those of `eager` (`import()` targets loaded by every ordinary run,
 * and what they import statically), as absolute paths, read from an esbuild metafile.
 */
async function cliImports(
  entry: string,
  eager: readonly string[],
): Promise<{ dynamic: Set<string>; loaded: Set<string> }> {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    splitting: true,
    outdir: "unused",
    platform: "neutral",
    external: ["node:*"],
    logLevel: "silent",
  });
  const inputs = r.metafile!.inputs;
  const dynamic = new Set<string>();
  for (const input of Object.values(inputs)) {
    for (const i of input.imports) if (i.kind === "dynamic-import" && !i.external) dynamic.add(resolve(root, i.path));
  }
  const starts = [entry, ...eager].map((f) => relative(process.cwd(), f));
  const loaded = new Set<string>(starts.map((f) => resolve(root, f)));
  const queue = [...starts];
  for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
    for (const i of inputs[f]?.imports ?? []) {
      if (i.kind === "dynamic-import" || i.external || loaded.has(resolve(i.path))) continue;
      loaded.add(resolve(i.path));
      queue.push(i.path);
    }
  }
  return { dynamic, loaded };
}

/** A hash of Kiln's sources (the entry points and `lib/`): a build's identity. */
async function sourcesId(): Promise<string> {
  const files = [...ENTRIES.map((e) => join(root, e)), ...await sourceFiles(join(root, "lib"))].sort();
  const hash = createHash("sha256");
  for (const f of files) hash.update(`${relative(root, f)}\n`).update(await readFile(f));
  return hash.digest("hex").slice(0, 24);
}

/**
 * Writes `.d.ts` files for the entry points (and the modules their types reach) into `outdir` with the
 * repository's `tsc`. Relative imports keep their `.ts` extension, which TypeScript resolves to the `.d.ts` beside.
 *
 * @param outdir the directory for the declarations
 */
function emitDeclarations(outdir: string): void {
  const tsc = join(root, "node_modules", ".bin", "tsc");
  // deno-fmt-ignore
  const args = [
    "--declaration", "--emitDeclarationOnly", "--allowImportingTsExtensions",
    "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--lib", "es2022,dom", "--types", "node", "--skipLibCheck", "--pretty", "false", "--outDir", outdir,
    ...ENTRIES.map((e) => join(root, e)),
  ];
  const r = spawnSync(tsc, args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tsc failed to write declarations (${r.status}):\n${r.stdout}${r.stderr}`);
}

/**
 * Builds both flavours (and the declarations) into `outdir`.
 *
 * @param outdir the output directory (default `dist/` in the repository)
 * @param options `sourcemap: false` writes no source maps; `types: false` skips the declarations
 * @returns the files written, relative to `outdir`
 */
export async function build(
  outdir: string = join(root, "dist"),
  options: { sourcemap?: boolean; types?: boolean } = {},
): Promise<string[]> {
  await rm(outdir, { recursive: true, force: true });
  const common: esbuild.BuildOptions = {
    // What a compile cache's entries are keyed by (lib/version.ts): the sources this build holds.
    define: { KILN_BUILD_ID: JSON.stringify(await sourcesId()) },
    bundle: true,
    format: "esm",
    target: "es2022",
    splitting: true,
    minify: true,
    keepNames: true,
    sourcemap: options.sourcemap === false ? false : "linked",
    sourcesContent: false,
    metafile: true,
    logLevel: "warning",
    chunkNames: "_chunk-[hash]",
  };
  const node = await esbuild.build({
    ...common,
    entryPoints: LIBRARY_ENTRIES.map((e) => join(root, e)),
    outdir,
    platform: "neutral",
    external: ["node:*"],
  });
  // Why a build of its own: `kiln app.wasm` should load one file. Sharing chunks with mod.js and wasi.js split the
  // CLI's code over half a dozen files, and Node resolves and reads each (a few ms apiece on a start of ~100 ms);
  // alone, everything a run statically needs is in cli.js, and only what some runs need (the interpreter, the
  // text-format parser, the spec-test runner, the profiler) sits in chunks of its own, loaded by `import()`.
  const cli = await esbuild.build({
    ...common,
    entryPoints: [join(root, "cli.ts")],
    outdir,
    platform: "neutral",
    external: ["node:*"],
    chunkNames: "_cli-[hash]",
    // Why no kept names: the CLI reports errors by message, never a JS stack, and keeping them defined `name` on
    // every function as the bundle loaded (about 400 `Object.defineProperty` calls at each start).
    keepNames: false,
    plugins: [nodeFsPlugin(), oneLazyChunkPlugin(await cliImports(join(root, "cli.ts"), CLI_EAGER))],
  });
  // The CLI once more, as one classic script: what `bin/kiln.mjs` runs on Node before 22.1, which has no compile
  // cache of its own, through `vm.Script` with V8's code cache (compiled code kept between runs). Its first line
  // names its content, so a cache can never outlive the code it was made from (npm gives every file one mtime).
  const script = await esbuild.build({
    ...common,
    entryPoints: [join(root, "lib/cli/main.ts")],
    format: "cjs",
    splitting: false,
    keepNames: false,
    sourcemap: false,
    write: false,
    outfile: join(outdir, SCRIPT_CLI),
    platform: "neutral",
    // `require` is `process.getBuiltinModule` there: node:fs without the module facade nodeFsPlugin avoids.
    external: ["node:*"],
  });
  for (const f of script.outputFiles!) {
    const id = createHash("sha256").update(f.contents).digest("hex").slice(0, 32);
    await writeFile(f.path, `// kiln-cli ${id}\n${f.text}`);
  }
  const browser = await esbuild.build({
    ...common,
    entryPoints: LIBRARY_ENTRIES.map((e) => join(root, e)),
    outdir: join(outdir, "browser"),
    platform: "browser",
    plugins: [nodeStubPlugin()],
  });
  await esbuild.stop();
  const outputs = [node, cli, script, browser].flatMap((b) => Object.keys(b.metafile!.outputs));
  const files = outputs
    .map((f) => resolve(process.cwd(), f).slice(resolve(outdir).length + 1));
  if (options.types !== false) {
    emitDeclarations(join(outdir, "types"));
    files.push("types/");
  }
  return files.sort();
}

if (import.meta.main) {
  const i = process.argv.indexOf("--outdir");
  const outdir = i >= 0 ? resolve(process.argv[i + 1]) : join(root, "dist");
  const files = await build(outdir, {
    sourcemap: !process.argv.includes("--no-sourcemap"),
    types: !process.argv.includes("--no-types"),
  });
  for (const f of files) console.log(`${outdir}/${f}`);
}
