/**
 * The CLI's compile cache: entries kept as files in Kiln's cache directory, where `bin/kiln.mjs` also keeps V8's
 * code cache of the CLI itself (the two must place it alike).
 *
 * @module
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { process } from "./_process.ts";
import type { CompileCache } from "../runtime/compile_cache.ts";

/**
 * Kiln's cache directory, placed as Wasmtime places its own: `KILN_CACHE_DIR`, else the platform's per-user cache
 * directory (`$XDG_CACHE_HOME/kiln` or `~/.cache/kiln`; `~/Library/Caches/kiln` on macOS; `%LOCALAPPDATA%\kiln` on
 * Windows), or undefined without a home.
 *
 * @param env the environment
 * @param platform `process.platform`
 * @returns the directory
 * @example
 * ```ts
 * import { cacheDirectory } from "./cache_dir.ts";
 * console.log(cacheDirectory({ HOME: "/home/a" }, "linux")); // "/home/a/.cache/kiln"
 * ```
 */
export function cacheDirectory(
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
): string | undefined {
  if (env.KILN_CACHE_DIR) return env.KILN_CACHE_DIR;
  if (platform === "win32") return env.LOCALAPPDATA ? `${env.LOCALAPPDATA}/kiln` : undefined;
  if (!env.HOME) return undefined;
  if (platform === "darwin") return `${env.HOME}/Library/Caches/kiln`;
  return `${env.XDG_CACHE_HOME || `${env.HOME}/.cache`}/kiln`;
}

/**
 * A compile cache in a directory: one file per entry, written whole and renamed into place, so a reader never sees
 * half an entry and concurrent runs at worst both write one. Failures to read or write are misses, never errors.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { DirectoryCache } from "./cache_dir.ts";
 * const cache = new DirectoryCache(mkdtempSync(`${tmpdir()}/kiln-`));
 * cache.set("k", new Uint8Array([1, 2]));
 * console.log(cache.get("k")); // Uint8Array(2) [ 1, 2 ]
 * ```
 */
export class DirectoryCache implements CompileCache {
  readonly #dir: string;
  readonly #replaces: boolean;
  #made = false;

  /**
   * @param dir the directory (made on the first write)
   * @param options `replacesSiblings`: the directory holds what the others in its parent held before (one per
   *   build of Kiln): making it removes them, so the cache does not grow with every upgrade
   */
  constructor(dir: string, options: { replacesSiblings?: boolean } = {}) {
    this.#dir = dir;
    this.#replaces = options.replacesSiblings === true;
  }

  /** @inheritdoc */
  get(key: string): Uint8Array | undefined {
    if (!SAFE_KEY.test(key)) return undefined;
    try {
      return readFileSync(`${this.#dir}/${key}`);
    } catch {
      return undefined;
    }
  }

  /** @inheritdoc */
  set(key: string, value: Uint8Array): void {
    if (!SAFE_KEY.test(key)) return;
    const file = `${this.#dir}/${key}`;
    try {
      this.#make();
      writeFileSync(`${file}.${process.pid}`, value, { mode: 0o600 });
      renameSync(`${file}.${process.pid}`, file);
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }

  #make(): void {
    if (this.#made) return;
    const fresh = !existsSync(this.#dir);
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    this.#made = true;
    if (!fresh || !this.#replaces) return;
    const parent = this.#dir.slice(0, this.#dir.lastIndexOf("/"));
    const own = this.#dir.slice(parent.length + 1);
    for (const name of readdirSync(parent)) {
      if (name !== own) rmSync(`${parent}/${name}`, { recursive: true, force: true });
    }
  }
}

/** Keys name files in the directory: nothing else (no separators, no `..`). */
const SAFE_KEY = /^[\w][\w.-]*$/;
