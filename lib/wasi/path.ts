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
import type { FileStat, FsBackend, HeldDir } from "./fs/fs_backend.ts";
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
  /**
   * The directories the lookup walked into by path and lstat (not held: no aliases on this host), with what they
   * were, so a caller can check after acting that none was swapped meanwhile ({@link recheckWalk}).
   */
  walked: { path: string; dev: bigint; ino: bigint }[];
}

/**
 * Resolves `guestPath` inside the directory `root` of `backend`.
 *
 * @param backend the filesystem
 * @param root backend path of the directory the lookup starts at; the lookup never leaves it
 * @param guestPath the path the guest passed
 * @param follow follow a symlink in the final component (a trailing slash always does)
 * @param holds where the backend gives directory aliases ({@link FsBackend.enter}), the lookup enters each directory
 *   on the way by opening it without following a symlink and continues through its alias, as `openat` would: then
 *   no swap of a directory for a symlink, by anyone, can redirect the lookup or the call that uses its result. The
 *   holds are pushed here; the caller releases them once it has acted on the result. Omitted: plain lstat walk.
 * @returns where the path leads; the final entry may not exist (then `stat` is undefined)
 */
export function* resolvePath(
  backend: FsBackend,
  root: string,
  guestPath: string,
  follow: boolean,
  holds?: HeldDir[],
): Generator<unknown, Resolved, unknown> {
  if (guestPath.includes("\0")) throw new WasiError(Errno.ILSEQ, "path contains a NUL byte");
  if (guestPath === "") throw new WasiError(Errno.NOENT, "empty path");
  if (guestPath.startsWith("/")) throw new WasiError(ESCAPE, "absolute path");
  let trailingSlash = guestPath.endsWith("/");
  let comps = guestPath.split("/").filter((c) => c !== "");
  const stack: string[] = [];
  /** The backend path of each directory on `stack` (an alias where it is held), `root` first. */
  const bases: string[] = [root];
  let links = 0;
  let holding = holds !== undefined && backend.enter !== undefined;
  const dir = () => bases[bases.length - 1];
  const walked: Resolved["walked"] = [];
  while (comps.length > 0) {
    const c = comps.shift()!;
    const last = comps.length === 0;
    if (c === "." || c === "..") {
      if (c === "..") {
        if (stack.length === 0) throw new WasiError(ESCAPE, "path escapes its directory");
        stack.pop();
        bases.pop();
      }
      if (last) {
        const d = dir();
        return { parent: d, name: null, path: d, comps: [...stack], trailingSlash: true, walked };
      }
      continue;
    }
    const cur = dir();
    const p = joinPath(cur, c);
    if (!last && holding) {
      const h = yield* wait(backend.enter!(p));
      if (h !== null && h.alias !== null) {
        holds!.push(h);
        stack.push(c);
        bases.push(h.alias);
        continue;
      }
      if (h !== null) {
        // No aliases on this host after all: holding gains nothing, so the plain walk (recorded in `walked` for the
        // caller's re-check) from here on.
        yield* wait(h.release());
        holding = false;
      }
      // Not a directory (now), or no alias: lstat below tells a directory, a symlink to follow, or a file.
    }
    let st: FileStat;
    try {
      st = yield* wait(backend.lstat(p));
    } catch (e) {
      if (last && e instanceof WasiError && e.errno === Errno.NOENT) {
        return { parent: cur, name: c, path: p, comps: [...stack, c], trailingSlash, walked };
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
        return { parent: d, name: null, path: d, comps: [...stack], trailingSlash: true, walked };
      }
      continue;
    }
    if (!last) {
      if (st.filetype !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR, "not a directory");
      if (holding) {
        // Swapped back to a directory since `enter` saw something else: enter it again (bounded like symlinks).
        if (++links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP, "too many symlinks");
        comps.unshift(c);
        continue;
      }
      stack.push(c);
      bases.push(p);
      walked.push({ path: p, dev: st.dev, ino: st.ino });
      continue;
    }
    return { parent: cur, name: c, path: p, comps: [...stack, c], trailingSlash, stat: st, walked };
  }
  // Only "/"-separators and nothing else cannot happen (the path is non-empty and relative), but stay total.
  const d = dir();
  return { parent: d, name: null, path: d, comps: [...stack], trailingSlash: true, walked };
}

/**
 * Whether every directory a lookup walked into by path is still the directory it was (an lstat each). After a host
 * call made with the lookup's result, false means another process may have swapped one for a symlink in between,
 * and the call may have acted outside; callers refuse the result. Trivially true where the lookup held them.
 *
 * @param backend the filesystem
 * @param r the lookup's result
 * @returns true when none changed
 */
export function* recheckWalk(backend: FsBackend, r: Resolved): Generator<unknown, boolean, unknown> {
  for (const w of r.walked) {
    let st: FileStat;
    try {
      st = yield* wait(backend.lstat(w.path));
    } catch {
      return false;
    }
    if (st.filetype !== Filetype.DIRECTORY || st.dev !== w.dev || st.ino !== w.ino) return false;
  }
  return true;
}
