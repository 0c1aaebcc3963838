/**
 * Directory descriptors that cannot be redirected. A WASI directory descriptor is, for Wasmtime, a real directory
 * handle: whatever happens to the tree afterwards, `openat(fd, …)` acts inside that very directory. node:fs has no
 * `openat`, so Kiln names a directory by a path, and a path can be redirected: open `esc/`, replace `esc` with a
 * symlink to `..`, and the path now leads out of the preopen. An anchor is what Kiln keeps instead of a bare path:
 *
 * - the preopen it descends from, whose host directory's identity (device, inode) is pinned before the guest's first
 *   syscall ({@link pinRoot});
 * - the components from that preopen down to the directory, each a real directory (never a symlink) when the
 *   descriptor was opened — symlinks the guest's path went through are already resolved;
 * - the directory's own identity;
 * - where the backend can ({@link FsBackend.hold}), the directory itself, kept open: its inode number cannot be reused
 *   while held, and on Linux the host gives an alias (`/proc/self/fd/N`) that leads to this very directory.
 *
 * {@link locate} runs on every use of the descriptor, before the path sandbox in `path.ts` resolves the guest's path
 * beneath the directory it returns. With an alias, that is the directory by construction: the kernel reaches it
 * through the open descriptor, as `openat` would, so renames, removals and planted symlinks cannot redirect it (a
 * removed directory answers ENOENT, as Wasmtime's handle does). Without one (MemoryFs, or a host without /proc), why
 * the path walk is enough: the preopen's host path must still lead to the pinned directory (the embedder's path may
 * contain host symlinks, so this one step follows them, then compares identities); every component below it is
 * `lstat`ed and must be a directory, not a symlink, so the kernel walking this path follows no link that the guest
 * (or anyone) could have planted; and the last one must be the directory the descriptor was opened on. A directory
 * has exactly one parent, so a path of real directories that ends at the right inode is the descriptor's directory,
 * wherever it lives now; an inode number cannot name another directory while it is held (MemoryFs never reuses one).
 * When it cannot be found there (removed, renamed by someone else, swapped for a link) the descriptor answers
 * ENOENT. Renames the guest itself makes move the anchors beneath them ({@link moveAnchors}), so they keep working
 * as real handles do.
 *
 * What remains is the window between resolving a guest path beneath the directory and the host call that uses it;
 * no guest of this process can act inside it (see `wasi.ts` `withPathLock`), but another host process can:
 * `node_fs.ts` narrows it and the README's security section states the residual risk.
 *
 * @module
 */
import { Errno, WasiError } from "./errno.ts";
import { Filetype } from "./constants.ts";
import type { DirHold, FileStat, FsBackend } from "./fs/fs_backend.ts";
import { joinPath } from "./fs/fs_backend.ts";
import { wait } from "./_drive.ts";

/** Which directory an inode is: the pair a filesystem guarantees to be unique while the directory exists. */
export interface Identity {
  dev: bigint;
  ino: bigint;
}

/** A preopened host directory, pinned to the directory its path named when the guest started. */
export interface PreopenRoot {
  /** The backend path the embedder gave (it may pass through host symlinks). */
  readonly path: string;
  /** The directory it named at pinning time; null until pinned, or when it did not exist then (uses get ENOENT). */
  id: Identity | null;
  /** Whether {@link pinRoot} ran. */
  pinned: boolean;
  /** The preopened directory, kept open where the backend can. */
  hold: DirHold | null;
}

/** Where a directory descriptor's directory is (see the module doc). */
export interface DirAnchor {
  /** The preopen the directory lies beneath. */
  root: PreopenRoot;
  /** Components from the preopen's directory down to this one, each a plain name (no ".", "..", or "/"). */
  comps: string[];
  /** The directory itself; null for a preopen's own descriptor, which is its root's pinned directory. */
  id: Identity | null;
  /** The directory kept open (null: none, or a preopen's own descriptor, which uses its root's). */
  hold: DirHold | null;
}

function same(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function stale(): WasiError {
  return new WasiError(Errno.NOENT, "the directory of this descriptor was removed or replaced");
}

/** The backend path an anchor names (unchecked: {@link locate} checks it). */
export function anchorPath(anchor: DirAnchor): string {
  return anchor.comps.reduce(joinPath, anchor.root.path);
}

/**
 * Records which directory a preopen's path names now. Call it for every preopen before the guest's first syscall:
 * what the guest does afterwards (through this or another preopen) can no longer change where the preopen leads.
 *
 * @param backend the filesystem
 * @param root the preopen
 */
export function* pinRoot(backend: FsBackend, root: PreopenRoot): Generator<unknown, void, unknown> {
  if (root.pinned) return;
  root.pinned = true;
  if (backend.hold) {
    try {
      root.hold = yield* wait(backend.hold(root.path));
      root.id = { dev: root.hold.dev, ino: root.hold.ino };
      return;
    } catch (e) {
      if (!(e instanceof WasiError)) throw e;
      if (e.errno === Errno.NOENT || e.errno === Errno.NOTDIR) return;
      // Not readable as a directory (EACCES on an execute-only one): pinned by identity alone, as below.
    }
  }
  try {
    const st = yield* wait(backend.stat ? backend.stat(root.path) : backend.lstat(root.path));
    root.id = st.filetype === Filetype.DIRECTORY ? { dev: st.dev, ino: st.ino } : null;
  } catch (e) {
    if (!(e instanceof WasiError)) throw e;
  }
}

/** The anchor of a preopen's own descriptor. */
export function rootAnchor(root: PreopenRoot): DirAnchor {
  return { root, comps: [], id: null, hold: null };
}

/**
 * The anchor of a directory found beneath `parent`: `comps` are the real directories the path sandbox walked from
 * the parent's directory (symlinks resolved, `..` applied) to `path`, `st` the directory's stat. Where the backend
 * holds directories, the new one is held, and must be the one `st` describes (else ENOENT: it was just replaced).
 */
export function* anchorBelow(
  backend: FsBackend,
  parent: DirAnchor,
  below: { path: string; comps: readonly string[] },
  st: FileStat,
): Generator<unknown, DirAnchor, unknown> {
  const id = { dev: st.dev, ino: st.ino };
  let hold: DirHold | null = null;
  if (backend.hold) {
    hold = yield* wait(backend.hold(below.path));
    if (!same(hold, id)) {
      yield* wait(hold.release());
      throw stale();
    }
  }
  return { root: parent.root, comps: [...parent.comps, ...below.comps], id, hold };
}

/**
 * Lets go of what an anchor holds, when its descriptor closes (a preopen's root stays held: other descriptors'
 * walks start there).
 */
export function* releaseAnchor(anchor: DirAnchor): Generator<unknown, void, unknown> {
  const hold = anchor.hold;
  anchor.hold = null;
  if (hold) yield* wait(hold.release());
}

/** A directory found where its anchor says. */
export interface Located {
  /** The checked backend path of the directory. */
  path: string;
  /** Its stat, when the check took one (not through an alias, which needs no check: see {@link dirStat}). */
  stat: FileStat | null;
}

/**
 * Checks that the anchor still leads to its directory (module doc) and returns the backend path to use for it.
 * Throws ENOENT when it does not.
 *
 * @param backend the filesystem
 * @param anchor the descriptor's anchor
 * @returns the checked backend path of the directory, and its stat
 */
export function* locate(backend: FsBackend, anchor: DirAnchor): Generator<unknown, Located, unknown> {
  const { root } = anchor;
  if (!root.pinned) yield* pinRoot(backend, root);
  if (root.id === null) throw stale();
  const held = anchor.hold ?? (anchor.comps.length === 0 && anchor.id === null ? root.hold : null);
  if (held?.alias) return { path: held.alias, stat: null };
  let path = root.path;
  let st = yield* statOrStale(backend.stat ? backend.stat(path) : backend.lstat(path));
  if (!same(st, root.id)) throw stale();
  for (const c of anchor.comps) {
    path = joinPath(path, c);
    st = yield* statOrStale(backend.lstat(path));
    if (st.filetype !== Filetype.DIRECTORY) throw stale();
  }
  if (!same(st, anchor.id ?? root.id)) throw stale();
  return { path, stat: st };
}

/**
 * The stat of a located directory (taken now when {@link locate} did not need one).
 *
 * @param backend the filesystem
 * @param located what {@link locate} returned
 * @returns the directory's stat
 */
export function* dirStat(backend: FsBackend, located: Located): Generator<unknown, FileStat, unknown> {
  return located.stat ?? (yield* statOrStale(backend.stat ? backend.stat(located.path) : backend.lstat(located.path)));
}

function* statOrStale(v: ReturnType<FsBackend["lstat"]>): Generator<unknown, FileStat, unknown> {
  try {
    return yield* wait(v);
  } catch (e) {
    if (e instanceof WasiError && (e.errno === Errno.NOENT || e.errno === Errno.NOTDIR)) throw stale();
    throw e;
  }
}

/**
 * After the guest renamed the directory at backend path `from` to `to` (the new place's anchor components given as
 * `toAnchor`), moves every anchor at or beneath `from` along, as real directory handles would follow the rename.
 *
 * @param anchors the anchors of the open directory descriptors
 * @param from backend path of the renamed directory before the rename
 * @param to the renamed directory's new place: its parent's anchor and its components below that parent
 */
export function moveAnchors(
  anchors: Iterable<DirAnchor>,
  from: string,
  to: { parent: DirAnchor; comps: readonly string[] },
): void {
  for (const a of anchors) {
    const p = anchorPath(a);
    if (p !== from && !p.startsWith(from.endsWith("/") ? from : `${from}/`)) continue;
    const rest = p === from ? [] : p.slice(from.length).split("/").filter((c) => c !== "");
    if (a.id === null) {
      // A preopen's own descriptor moving beneath another keeps its directory by identity (its root stays held).
      a.id = a.root.id ?? { dev: -1n, ino: -1n };
    }
    a.root = to.parent.root;
    a.comps = [...to.parent.comps, ...to.comps, ...rest];
  }
}
