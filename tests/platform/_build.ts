/**
 * Helpers for the platform tests: the repository root, the tool binaries, and a build of `dist/` made once per
 * test process into a temporary directory (so tests never race with a developer's `dist/`).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The npm-installed Deno binary. */
export const DENO: string = join(ROOT, "node_modules/.bin/deno");

/** Why the build cannot run here, or null when it can. */
export function buildSkipReason(): string | null {
  if (!existsSync(DENO)) return "node_modules/.bin/deno is missing (run npm ci)";
  if (!existsSync(join(ROOT, "node_modules/esbuild"))) return "esbuild is not installed (run npm ci)";
  return null;
}

let built: string | null = null;

/**
 * Runs `tools/build.ts` into a fresh temporary directory (once per process; code and source maps, no declarations)
 * and returns that directory.
 *
 * @returns the output directory, laid out as `dist/`
 */
export function buildDist(): string {
  if (built) return built;
  const outdir = join(mkdtempSync(join(tmpdir(), "kiln-dist-")), "dist");
  const r = spawnSync(DENO, ["run", "-A", join(ROOT, "tools/build.ts"), "--outdir", outdir, "--no-types"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`tools/build.ts failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  built = outdir;
  return outdir;
}
