/**
 * The path sandbox: resolves a guest path relative to a directory descriptor, component by component, without ever
 * leaving that directory. `..` above it, absolute paths and symlinks whose targets are absolute or climb above it
 * fail with `EPERM`, as in Wasmtime (cap-std's "a path led outside of the filesystem" is PermissionDenied, which
 * Wasmtime's preview1 maps to `EPERM`); more than {@link MAX_SYMLINKS} symlinks in one lookup fail with `ELOOP`.
 * Backends never see an unresolved guest path.
 *
 * The directory a lookup starts at is a directory descriptor's, located afresh for every call by `dir_anchor.ts`
 * (on Linux through the held directory itself, `/proc/self/fd/N`), so what the guest did to the tree since it
 * opened that descriptor cannot move the start of the lookup. node:fs has no `openat`, so the backend then acts on
 * the resolved path string: guests in this process cannot exploit that gap (a guest's syscalls run one at a time,
 * and path calls on an asynchronous backend hold a process-wide lock from check to use, wasi.ts `withPathLock`),
 * but another host process that swaps a checked directory for a symlink in between could redirect that one
 * operation; `node_fs.ts` narrows and measures that window. Final components are opened with O_NOFOLLOW.
 *
 * @module
 */
import { Errno, WasiError } from "./errno.ts";
import { Filetype } from "./constants.ts";
import type { FileStat, FsBackend } from "./fs/fs_backend.ts";
import { joinPath } from "./fs/fs_backend.ts";
import { wait } from "./_drive.ts";

/** The errno of every attempt to leave the directory. */
export const ESCAPE = Errno.PERM;

/** Symlinks followed in one lookup before it fails with ELOOP (Linux's limit). */
export const MAX_SYMLINKS = 40;

/** Where a guest path leads. */
export interface Resolved {
  /** Backend path of the directory holding the final entry (or of the directory named, when `name` is null). */
  parent: string;
  /** The final component, or null when the path names a directory through "." or "..". */
  name: string | null;
  /** Backend path of the final entry (which may not exist). */
  path: string;
  /**
   * The real components from the lookup's directory to the final entry (symlinks resolved, "." and ".." applied),
   * ending with `name` when it is not null.
   */
  comps: string[];
  /** The guest path ended with "/" (the entry must be a directory). */
  trailingSlash: boolean;
  /** Stat of the final entry when the resolver looked at it (not followed if it is a symlink), else undefined. */
  stat?: FileStat;
}

/**
 * Resolves `guestPath` inside the directory `root` of `backend`.
 *
 * @param backend the filesystem
 * @param root backend path of the directory the lookup starts at; the lookup never leaves it
 * @param guestPath the path the guest passed
 * @param follow follow a symlink in the final component (a trailing slash always does)
 * @returns where the path leads; the final entry may not exist (then `stat` is undefined)
 */
export function* resolvePath(
  backend: FsBackend,
  root: string,
  guestPath: string,
  follow: boolean,
): Generator<unknown, Resolved, unknown> {
  if (guestPath.includes("\0")) throw new WasiError(Errno.ILSEQ, "path contains a NUL byte");
  if (guestPath === "") throw new WasiError(Errno.NOENT, "empty path");
  if (guestPath.startsWith("/")) throw new WasiError(ESCAPE, "absolute path");
  let trailingSlash = guestPath.endsWith("/");
  let comps = guestPath.split("/").filter((c) => c !== "");
  const stack: string[] = [];
  let links = 0;
  const dir = () => stack.reduce(joinPath, root);
  while (comps.length > 0) {
    const c = comps.shift()!;
    const last = comps.length === 0;
    if (c === "." || c === "..") {
      if (c === "..") {
        if (stack.length === 0) throw new WasiError(ESCAPE, "path escapes its directory");
        stack.pop();
      }
      if (last) {
        const d = dir();
        return { parent: d, name: null, path: d, comps: [...stack], trailingSlash: true };
      }
      continue;
    }
    const cur = dir();
    const p = joinPath(cur, c);
    let st: FileStat;
    try {
      st = yield* wait(backend.lstat(p));
    } catch (e) {
      if (last && e instanceof WasiError && e.errno === Errno.NOENT) {
        return { parent: cur, name: c, path: p, comps: [...stack, c], trailingSlash };
      }
      throw e;
    }
    if (st.filetype === Filetype.SYMBOLIC_LINK && (!last || follow || trailingSlash)) {
      if (++links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP, "too many symlinks");
      const target = yield* wait(backend.readlink(p));
      if (target.startsWith("/")) throw new WasiError(ESCAPE, "symlink to an absolute path");
      if (target === "") throw new WasiError(Errno.NOENT, "empty symlink");
      if (last && target.endsWith("/")) trailingSlash = true;
      comps = [...target.split("/").filter((t) => t !== ""), ...comps];
      if (comps.length === 0) {
        const d = dir();
        return { parent: d, name: null, path: d, comps: [...stack], trailingSlash: true };
      }
      continue;
    }
    if (!last) {
      if (st.filetype !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR, "not a directory");
      stack.push(c);
      continue;
    }
    return { parent: cur, name: c, path: p, comps: [...stack, c], trailingSlash, stat: st };
  }
  // Only "/"-separators and nothing else cannot happen (the path is non-empty and relative), but stay total.
  const d = dir();
  return { parent: d, name: null, path: d, comps: [...stack], trailingSlash: true };
}
