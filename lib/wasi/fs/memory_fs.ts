/**
 * An in-memory filesystem backend: directories, regular files, symlinks and hard links in a tree of inodes.
 * Synchronous (so usable in "sync" and "async" mode alike), with no host access at all: for browsers, tests and
 * sandboxes. Errors mirror Linux's for the same operations.
 *
 * @module
 */
import { Errno, WasiError } from "../errno.ts";
import { Filetype } from "../constants.ts";
import type { DirEntry, FileHandle, FileStat, FsBackend, OpenOptions } from "./fs_backend.ts";

interface Inode {
  ino: bigint;
  filetype: number;
  nlink: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  /** Regular files: contents (capacity may exceed `size`). */
  data?: Uint8Array;
  size: number;
  /** Directories: entries by name. */
  entries?: Map<string, Inode>;
  /** Symlinks: the target. */
  target?: string;
  /** Open handles: the data of a file whose last link is gone lives (and counts) until the last one closes. */
  opens: number;
}

/** Limits of a {@link MemoryFs}: what a guest can make the host hold. */
export interface MemoryFsLimits {
  /**
   * Bytes of file data the filesystem may hold (allocated, holes of sparse files included). Past it, writes write
   * what fits and then fail, and growing a file fails, with ENOSPC, as on a full disk. Default 256 MiB.
   */
  maxBytes?: number;
  /** Files, directories and symlinks the filesystem may hold (the root included); past it, ENOSPC. Default 65,536. */
  maxEntries?: number;
}

/** Default {@link MemoryFsLimits.maxBytes}: 256 MiB. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Default {@link MemoryFsLimits.maxEntries}. */
export const DEFAULT_MAX_ENTRIES = 65_536;

function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

const fail = (errno: number, msg: string): never => {
  throw new WasiError(errno, msg);
};

/**
 * The in-memory backend. A guest cannot make it hold more than its limits ({@link MemoryFsLimits}): by default
 * 256 MiB of file data and 65,536 entries, past which calls fail with ENOSPC as a full disk would.
 *
 * @example
 * ```ts
 * import { MemoryFs } from "./memory_fs.ts";
 * const mem = new MemoryFs();
 * mem.writeFile("/data/hello.txt", new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(mem.readFile("/data/hello.txt"))); // "hi"
 * ```
 */
export class MemoryFs implements FsBackend {
  /** Always true: every call completes immediately. */
  readonly sync = true;
  private nextIno = 1n;
  private readonly root: Inode;
  /** The limits in force. */
  readonly maxBytes: number;
  /** The limits in force. */
  readonly maxEntries: number;
  /** Bytes of file data held now (allocated buffers). */
  usedBytes = 0;
  /** Entries (inodes) held now. */
  usedEntries = 0;

  /**
   * Creates an empty filesystem: only the root directory "/".
   *
   * @param limits what the filesystem may hold (defaults: 256 MiB of data, 65,536 entries)
   */
  constructor(limits: MemoryFsLimits = {}) {
    this.maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.root = this.inode(Filetype.DIRECTORY);
    this.root.nlink = 2n;
  }

  /** A new inode of `filetype`, timestamped now, not yet linked anywhere; ENOSPC past `maxEntries`. */
  private inode(filetype: number): Inode {
    if (this.usedEntries >= this.maxEntries) fail(Errno.NOSPC, "no space left on device: too many entries");
    this.usedEntries++;
    const t = nowNs();
    return {
      opens: 0,
      ino: this.nextIno++,
      filetype,
      nlink: 1n,
      atim: t,
      mtim: t,
      ctim: t,
      size: 0,
      data: filetype === Filetype.REGULAR_FILE ? new Uint8Array(0) : undefined,
      entries: filetype === Filetype.DIRECTORY ? new Map() : undefined,
    };
  }

  /** The components of `path`, without empty ones and ".". */
  private static split(path: string): string[] {
    return path.split("/").filter((c) => c !== "" && c !== ".");
  }

  /** The inode at `path` (no symlink is followed; ".." is not interpreted). */
  private lookup(path: string): Inode {
    let node = this.root;
    for (const c of MemoryFs.split(path)) {
      if (node.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
      const next = node.entries!.get(c);
      if (!next) return fail(Errno.NOENT, "no such file or directory");
      node = next;
    }
    return node;
  }

  /** The parent directory inode and final name of `path`. */
  private parentOf(path: string): [Inode, string] {
    const comps = MemoryFs.split(path);
    if (comps.length === 0) fail(Errno.BUSY, "the root cannot be changed");
    const name = comps.pop()!;
    const parent = this.lookup("/" + comps.join("/"));
    if (parent.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
    return [parent, name];
  }

  /** The stat of inode `n` (a symlink's size is its target's length in bytes). */
  private statOf(n: Inode): FileStat {
    return {
      filetype: n.filetype,
      dev: 1n,
      ino: n.ino,
      nlink: n.nlink,
      size: BigInt(n.filetype === Filetype.SYMBOLIC_LINK ? new TextEncoder().encode(n.target!).length : n.size),
      atim: n.atim,
      mtim: n.mtim,
      ctim: n.ctim,
    };
  }

  /**
   * Stat of the entry at `path`, not following a final symlink. Throws ENOENT when missing, ENOTDIR when a parent is not a directory.
   *
   * @param path an absolute backend path
   * @returns its stat
   */
  lstat(path: string): FileStat {
    return this.statOf(this.lookup(path));
  }

  /**
   * The target of the symlink at `path`. Throws EINVAL when it is not a symlink, ENOENT when missing.
   *
   * @param path an absolute backend path
   * @returns the link's contents
   */
  readlink(path: string): string {
    const n = this.lookup(path);
    if (n.filetype !== Filetype.SYMBOLIC_LINK) fail(Errno.INVAL, "not a symlink");
    return n.target!;
  }

  /**
   * Opens a file or directory, never following a final symlink (ELOOP). Throws ENOENT (missing, no `create`), EEXIST (`create` + `exclusive`), ENOTDIR (`directory` on a non-directory), EISDIR (a directory for writing).
   *
   * @param path an absolute backend path
   * @param o access and creation flags
   * @returns the open handle
   */
  open(path: string, o: OpenOptions): FileHandle {
    const [parent, name] = this.parentOf(path);
    let n = parent.entries!.get(name);
    if (n && o.create && o.exclusive) fail(Errno.EXIST, "file exists");
    if (!n) {
      if (!o.create) fail(Errno.NOENT, "no such file or directory");
      if (o.directory) fail(Errno.NOENT, "no such file or directory");
      n = this.inode(Filetype.REGULAR_FILE);
      parent.entries!.set(name, n);
      parent.mtim = parent.ctim = nowNs();
    }
    if (n.filetype === Filetype.SYMBOLIC_LINK) fail(Errno.LOOP, "symlink not followed");
    if (o.directory && n.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
    if (n.filetype === Filetype.DIRECTORY && o.write) fail(Errno.ISDIR, "is a directory");
    if (o.truncate && n.filetype === Filetype.REGULAR_FILE) {
      n.size = 0;
      this._resize(n, 0);
      n.mtim = n.ctim = nowNs();
    }
    n.opens++;
    return new MemoryFileHandle(this, n);
  }

  /**
   * Lists a directory without "." and "..", sorted by name. Throws ENOENT, ENOTDIR.
   *
   * @param path an absolute backend path
   * @returns its entries
   */
  readdir(path: string): DirEntry[] {
    const n = this.lookup(path);
    if (n.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
    return [...n.entries!].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
      .map(([name, c]) => ({ name, filetype: c.filetype, ino: c.ino }));
  }

  /**
   * Creates a directory. Throws EEXIST when the path exists, ENOENT/ENOTDIR for a bad parent.
   *
   * @param path an absolute backend path
   */
  mkdir(path: string): void {
    const [parent, name] = this.parentOf(path);
    if (parent.entries!.has(name)) fail(Errno.EXIST, "file exists");
    const d = this.inode(Filetype.DIRECTORY);
    d.nlink = 2n;
    parent.entries!.set(name, d);
    parent.nlink++;
    parent.mtim = parent.ctim = nowNs();
  }

  /**
   * Removes an empty directory. Throws ENOTEMPTY, ENOTDIR (not a directory), ENOENT.
   *
   * @param path an absolute backend path
   */
  rmdir(path: string): void {
    const [parent, name] = this.parentOf(path);
    const n = parent.entries!.get(name) ?? fail(Errno.NOENT, "no such file or directory");
    if (n.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
    if (n.entries!.size > 0) fail(Errno.NOTEMPTY, "directory not empty");
    parent.entries!.delete(name);
    parent.nlink--;
    n.nlink = 0n;
    this.release(n);
    parent.mtim = parent.ctim = nowNs();
  }

  /**
   * Removes a non-directory entry (a symlink itself, not its target). Throws EISDIR (EPERM on some hosts) for a directory, ENOENT.
   *
   * @param path an absolute backend path
   */
  unlink(path: string): void {
    const [parent, name] = this.parentOf(path);
    const n = parent.entries!.get(name) ?? fail(Errno.NOENT, "no such file or directory");
    if (n.filetype === Filetype.DIRECTORY) fail(Errno.ISDIR, "is a directory");
    parent.entries!.delete(name);
    n.nlink--;
    this.release(n);
    n.ctim = parent.mtim = parent.ctim = nowNs();
  }

  /**
   * Renames an entry, replacing a compatible target. Throws ENOENT, ENOTEMPTY, EISDIR, ENOTDIR, EINVAL (a directory into itself).
   *
   * @param from the current path
   * @param to the new path
   */
  rename(from: string, to: string): void {
    const [sp, sname] = this.parentOf(from);
    const [dp, dname] = this.parentOf(to);
    const n = sp.entries!.get(sname) ?? fail(Errno.NOENT, "no such file or directory");
    const existing = dp.entries!.get(dname);
    if (existing === n) return;
    if (n.filetype === Filetype.DIRECTORY) {
      // A directory cannot move into itself or a descendant: no directory on the way to the target's parent may be it.
      const comps = MemoryFs.split(to);
      comps.pop();
      let walk = this.root;
      for (const c of comps) {
        if (walk === n) fail(Errno.INVAL, "cannot move a directory into itself");
        walk = walk.entries!.get(c)!;
      }
      if (walk === n) fail(Errno.INVAL, "cannot move a directory into itself");
    }
    if (existing) {
      if (n.filetype === Filetype.DIRECTORY) {
        if (existing.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
        if (existing.entries!.size > 0) fail(Errno.NOTEMPTY, "directory not empty");
        dp.nlink--;
        existing.nlink = 1n; // its own "." (the parent's link goes below)
      } else if (existing.filetype === Filetype.DIRECTORY) fail(Errno.ISDIR, "is a directory");
      existing.nlink--;
      this.release(existing);
    }
    sp.entries!.delete(sname);
    dp.entries!.set(dname, n);
    if (n.filetype === Filetype.DIRECTORY && sp !== dp) {
      sp.nlink--;
      dp.nlink++;
    }
    const t = nowNs();
    sp.mtim =
      sp.ctim =
      dp.mtim =
      dp.ctim =
      n.ctim =
        t;
  }

  /**
   * Creates hard link `to` for the entry at `from`, never following symlinks. Throws EPERM for a directory, EEXIST, ENOENT.
   *
   * @param from the existing entry
   * @param to the new name
   */
  link(from: string, to: string): void {
    const n = this.lookup(from);
    if (n.filetype === Filetype.DIRECTORY) fail(Errno.PERM, "hard link to a directory");
    const [parent, name] = this.parentOf(to);
    if (parent.entries!.has(name)) fail(Errno.EXIST, "file exists");
    parent.entries!.set(name, n);
    n.nlink++;
    n.ctim = parent.mtim = parent.ctim = nowNs();
  }

  /**
   * Creates a symlink at `path` holding `target` (not resolved or checked). Throws EEXIST, ENOENT/ENOTDIR for a bad parent.
   *
   * @param target the link's contents
   * @param path where to create it
   */
  symlink(target: string, path: string): void {
    const [parent, name] = this.parentOf(path);
    if (parent.entries!.has(name)) fail(Errno.EXIST, "file exists");
    const n = this.inode(Filetype.SYMBOLIC_LINK);
    n.target = target;
    parent.entries!.set(name, n);
    parent.mtim = parent.ctim = nowNs();
  }

  /**
   * Sets access and modification times of the entry itself (a symlink is not followed). Throws ENOENT.
   *
   * @param path an absolute backend path
   * @param atim access time in ns, or null to keep it
   * @param mtim modification time in ns, or null to keep it
   */
  setTimes(path: string, atim: bigint | null, mtim: bigint | null): void {
    const n = this.lookup(path);
    if (atim !== null) n.atim = atim;
    if (mtim !== null) n.mtim = mtim;
    n.ctim = nowNs();
  }

  // ---- quota -------------------------------------------------------------------------------------------------

  /**
   * Gives back what an inode holds once nothing reaches it (no link left, no open handle). Directories count one
   * entry; files their data too.
   */
  private release(n: Inode): void {
    const gone = n.filetype === Filetype.DIRECTORY ? n.nlink <= 1n : n.nlink <= 0n;
    if (!gone || n.opens > 0 || n.ino < 0n) return;
    if (n.data) this._resize(n, 0, true);
    this.usedEntries--;
    n.ino = -n.ino; // released: never counted twice
  }

  /**
   * @internal Resizes a file's buffer to `capacity` bytes (keeping its contents up to `size`), within `maxBytes`.
   * ENOSPC when even `capacity` does not fit. With `exact`, exactly `capacity`; else room to grow is added when
   * the quota allows.
   */
  _resize(n: Inode, capacity: number, exact = false): void {
    const old = n.data!.length;
    const others = this.usedBytes - old;
    if (others + capacity > this.maxBytes) fail(Errno.NOSPC, "no space left on device");
    let cap = capacity;
    // Why doubling: appends stay amortised O(1); the slack is capped by the quota (and shrinking is exact).
    if (!exact && capacity > old) cap = Math.min(Math.max(capacity, old * 2, 64), this.maxBytes - others);
    if (capacity === 0) cap = 0;
    if (cap === old) return;
    const next = new Uint8Array(cap);
    next.set(n.data!.subarray(0, Math.min(n.size, cap)));
    n.data = next;
    this.usedBytes = others + cap;
  }

  /** @internal How many bytes file `n` may grow to (its capacity plus what the quota leaves). */
  _room(n: Inode): number {
    return this.maxBytes - (this.usedBytes - n.data!.length);
  }

  /** @internal A handle on `n` closed: release it if it was the last thing keeping `n`. */
  _closed(n: Inode): void {
    n.opens--;
    this.release(n);
  }

  // ---- helpers for hosts preparing a filesystem --------------------------------------------------------------

  /** Creates a directory and its missing parents. */
  mkdirp(path: string): void {
    let cur = "";
    for (const c of MemoryFs.split(path)) {
      cur += "/" + c;
      try {
        this.mkdir(cur);
      } catch (e) {
        if (!(e instanceof WasiError && e.errno === Errno.EXIST)) throw e;
      }
    }
  }

  /** Creates or replaces a regular file (parents are created). */
  writeFile(path: string, data: Uint8Array): void {
    const comps = MemoryFs.split(path);
    comps.pop();
    this.mkdirp("/" + comps.join("/"));
    const h = this.open(path, {
      read: false,
      write: true,
      create: true,
      exclusive: false,
      truncate: true,
      append: false,
      directory: false,
    });
    try {
      if ((h.write(data, 0) as number) < data.length) fail(Errno.NOSPC, "no space left on device");
    } finally {
      h.close();
    }
  }

  /** The contents of a regular file. */
  readFile(path: string): Uint8Array {
    const n = this.lookup(path);
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.ISDIR, "not a regular file");
    return n.data!.slice(0, n.size);
  }
}

/** An open in-memory file. */
class MemoryFileHandle implements FileHandle {
  private closed = false;
  constructor(private readonly fs: MemoryFs, private readonly node: Inode) {}

  private check(): Inode {
    if (this.closed) fail(Errno.BADF, "file is closed");
    return this.node;
  }

  read(buf: Uint8Array, position: number): number {
    const n = this.check();
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.ISDIR, "is a directory");
    if (position >= n.size) return 0;
    const count = Math.min(buf.length, n.size - position);
    buf.set(n.data!.subarray(position, position + count));
    n.atim = nowNs();
    return count;
  }

  /** Writes at `position` (the end when null); on a full filesystem writes what fits, as Linux does, then ENOSPC. */
  write(buf: Uint8Array, position: number | null): number {
    const n = this.check();
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.ISDIR, "is a directory");
    const at = position ?? n.size;
    if (at + buf.length > 2 ** 32) fail(Errno.FBIG, "file too large for memory");
    const count = Math.min(buf.length, Math.max(0, this.fs._room(n) - at));
    if (count === 0 && buf.length > 0) fail(Errno.NOSPC, "no space left on device");
    if (at + count > n.data!.length) this.fs._resize(n, at + count);
    if (at > n.size) n.data!.fill(0, n.size, at);
    n.data!.set(buf.subarray(0, count), at);
    n.size = Math.max(n.size, at + count);
    n.mtim = n.ctim = nowNs();
    return count;
  }

  stat(): FileStat {
    const n = this.check();
    return {
      filetype: n.filetype,
      dev: 1n,
      ino: n.ino,
      nlink: n.nlink,
      size: BigInt(n.size),
      atim: n.atim,
      mtim: n.mtim,
      ctim: n.ctim,
    };
  }

  /** Sets the size; growing past the filesystem's `maxBytes` fails with ENOSPC and changes nothing. */
  truncate(size: number): void {
    const n = this.check();
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.INVAL, "not a regular file");
    if (size > 2 ** 32) fail(Errno.FBIG, "file too large for memory");
    if (size > n.size) {
      if (size > n.data!.length) this.fs._resize(n, size, true);
      n.data!.fill(0, n.size, size);
    } else if (size < n.data!.length / 2) {
      this.fs._resize(n, size, true); // give the space back
    }
    n.size = size;
    n.mtim = n.ctim = nowNs();
  }

  setTimes(atim: bigint | null, mtim: bigint | null): void {
    const n = this.check();
    if (atim !== null) n.atim = atim;
    if (mtim !== null) n.mtim = mtim;
    n.ctim = nowNs();
  }

  sync(): void {
    this.check();
  }

  datasync(): void {
    this.check();
  }

  close(): void {
    const n = this.check();
    this.closed = true;
    this.fs._closed(n);
  }
}
