/**
 * Generates the API reference in `docs/api/`: `deno doc --html --name=Kiln mod.ts wasi.ts`, the JSDoc of the two
 * public entry points as a static site (open `docs/api/index.html`).
 *
 * One change to what `deno doc` writes: each symbol's "source" link is an absolute `file:///…/lib/x.ts` URL of the
 * checkout it was generated in. Those are rewritten to links relative to the page (`../../lib/x.ts`), so the output
 * is the same in every checkout (tests/platform/api_docs_test.ts compares it with the committed copy) and the links
 * still open the source in a local clone. Nothing else in the output varies between runs.
 *
 * Run with `deno task docs` (or `bun tools/api_docs.ts`); `--outdir DIR` writes elsewhere than `docs/api/`.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The entry points documented, as `deno doc` takes them. */
export const API_ENTRIES: readonly string[] = ["mod.ts", "wasi.ts"];

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

/**
 * Writes the API reference into `outdir` (emptied first) and makes its source links relative.
 *
 * @param outdir the output directory (default `docs/api/` in the repository)
 * @returns the files written, relative to `outdir`
 */
export function generateApiDocs(outdir: string = join(root, "docs/api")): string[] {
  const localDeno = join(root, "node_modules/.bin/deno");
  const deno = existsSync(localDeno) ? localDeno : "deno";
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true }); // deno doc creates the last directory only
  const r = spawnSync(deno, ["doc", "--html", "--name=Kiln", `--output=${outdir}`, ...API_ENTRIES], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`deno doc failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  // deno doc writes the URL HTML-escaped: file:&#x2F;&#x2F;&#x2F;work&#x2F;kiln&#x2F;lib&#x2F;errors.ts
  const escape = (s: string) => s.replaceAll("/", "&#x2F;");
  const rootUrl = escape(pathToFileURL(root).href + "/");
  const files = listFiles(outdir);
  for (const file of files.filter((f) => f.endsWith(".html"))) {
    const path = join(outdir, file);
    const toRoot = "../".repeat(file.split("/").length - 1) + "../../"; // from the page up to the repository root
    const html = readFileSync(path, "utf8");
    const fixed = html.replaceAll(`href="${rootUrl}`, `href="${escape(toRoot)}`);
    if (fixed !== html) writeFileSync(path, fixed);
  }
  return files;
}

if (import.meta.main) {
  const i = process.argv.indexOf("--outdir");
  const outdir = i >= 0 ? resolve(process.argv[i + 1]) : join(root, "docs/api");
  const files = generateApiDocs(outdir);
  console.log(`Wrote ${files.length} files to ${outdir}`);
}
