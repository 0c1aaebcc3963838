/**
 * An in-memory filesystem backend: directories, regular files, symlinks and hard links in a tree of inodes.
 * Synchronous (so usable in "sync" and "async" mode alike), with no host access at all: for browsers, tests and
 * sandboxes. Errors mirror Linux's for the same operations.
 *
 * Space is bounded as on a tmpfs mounted with `size=` and `nr_inodes=`: `maxBytes` caps file contents and symlink
 * targets, `maxEntries` the names in the tree, and a call that would pass either fails with ENOSPC and changes
 * nothing. Names longer than 255 bytes and symlink targets of 4096 bytes or more are ENAMETOOLONG, as on Linux, so
 * the names' own memory stays bounded too.
 *
 * @module
 */
import { Errno, WasiError } from "../errno.ts";
import { Filetype } from "../constants.ts";
import type { DirEntry, FileHandle, FileStat, FsBackend, OpenOptions } from "./fs_backend.ts";
import {
  MEMORY_FS_DEFAULT_MAX_BYTES,
  MEMORY_FS_DEFAULT_MAX_ENTRIES,
  MemoryQuota,
  quotaLimit,
} from "./_memory_quota.ts";

/** Linux's NAME_MAX: the most UTF-8 bytes in one path component. */
const NAME_MAX = 255;
/** Linux's PATH_MAX: a symlink target must be shorter. */
const PATH_MAX = 4096;
/** The largest regular file (the contents live in one Uint8Array). */
const FILE_MAX = 2 ** 32;
const encoder = new TextEncoder();

interface Inode {
  ino: bigint;
  filetype: number;
  nlink: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  /**
   * Regular files: the contents' materialized prefix. Bytes from `data.length` to `size` are a hole that reads as
   * zeros and costs no host memory (a file grown by truncate); bytes from `size` to `data.length` are spare
   * capacity, stale until a write or a truncate zeroes them.
   */
  data?: Uint8Array;
  size: number;
  /** Open handles: the contents of an unlinked file live until the last one closes, as on POSIX. */
  opens: number;
  /** Directories: entries by name. */
  entries?: Map<string, Inode>;
  /** Symlinks: the target. */
  target?: string;
}

function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

const fail = (errno: number, msg: string): never => {
  throw new WasiError(errno, msg);
};

/** The bytes inode `n` holds in the quota: a file's size (holes included), a symlink's target. */
function bytesOf(n: Inode): number {
  if (n.filetype === Filetype.SYMBOLIC_LINK) return encoder.encode(n.target!).length;
  return n.filetype === Filetype.REGULAR_FILE ? n.size : 0;
}

/** Replaces the contents buffer of `n`, keeping `quota.allocatedBytes` in step. */
function replaceData(n: Inode, data: Uint8Array, quota: MemoryQuota): void {
  quota.allocatedBytes += data.length - n.data!.length;
  n.data = data;
}

/** Frees inode `n` once nothing reaches it (no name, no open handle), giving its bytes back to `quota`. */
function dropIfUnreachable(n: Inode, quota: MemoryQuota): void {
  if (n.nlink > 0n || n.opens > 0 || n.filetype === Filetype.DIRECTORY) return;
  quota.chargeBytes(-bytesOf(n));
  n.size = 0;
  if (n.data) replaceData(n, new Uint8Array(0), quota);
  if (n.target !== undefined) n.target = "";
}

/** Limits of a {@link MemoryFs}, as a disk's size and inode count bound a real filesystem. */
export interface MemoryFsOptions {
  /**
   * The most bytes all regular files (their sizes, holes included) and symlink targets may hold together; a write,
   * truncate or `fd_allocate` past it fails with ENOSPC. Default 256 MiB; `Infinity` disables the limit.
   */
  maxBytes?: number;
  /**
   * The most names in the tree (files, directories, symlinks, and each extra hard link, as tmpfs counts them); a
   * create, mkdir, symlink or link past it fails with ENOSPC. Default 65,536; `Infinity` disables the limit.
   */
  maxEntries?: number;
}

/**
 * The in-memory backend.
 *
 * @example
 * ```ts
 * import { MemoryFs } from "../../../wasi.ts";
 * const mem = new MemoryFs({ maxBytes: 1024 * 1024 });
 * mem.writeFile("/data/hello.txt", new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(mem.readFile("/data/hello.txt"))); // "hi"
 * console.log(mem.usedBytes, mem.usedEntries); // 2 2
 * ```
 */
export class MemoryFs implements FsBackend {
  /** Always true: every call completes immediately. */
  readonly sync = true;
  private nextIno = 1n;
  private readonly root: Inode;
  private readonly quota: MemoryQuota;

  /**
   * Creates an empty filesystem: only the root directory "/".
   *
   * @param options the space limits; a limit that is not a number >= 0 throws a RangeError
   */
  constructor(options: MemoryFsOptions = {}) {
    this.quota = new MemoryQuota(
      quotaLimit(options.maxBytes, "maxBytes", MEMORY_FS_DEFAULT_MAX_BYTES),
      quotaLimit(options.maxEntries, "maxEntries", MEMORY_FS_DEFAULT_MAX_ENTRIES),
    );
    this.root = this.inode(Filetype.DIRECTORY);
    this.root.nlink = 2n;
  }

  /** The most bytes files and symlink targets may hold together (the `maxBytes` option). */
  get maxBytes(): number {
    return this.quota.maxBytes;
  }

  /** The most names the tree may hold (the `maxEntries` option). */
  get maxEntries(): number {
    return this.quota.maxEntries;
  }

  /** Bytes in use: the sizes of all files still linked or open (holes included) plus symlink targets. */
  get usedBytes(): number {
    return this.quota.usedBytes;
  }

  /** Names in use: every directory entry in the tree (the root has none). */
  get usedEntries(): number {
    return this.quota.usedEntries;
  }

  /**
   * Host memory holding file contents, spare capacity included. Below `usedBytes` when files have holes (a truncate
   * that grows a file allocates nothing), at most about twice it otherwise.
   */
  get allocatedBytes(): number {
    return this.quota.allocatedBytes;
  }

  /** A new inode of `filetype`, timestamped now, not yet linked anywhere. */
  private inode(filetype: number): Inode {
    const t = nowNs();
    return {
      ino: this.nextIno++,
      filetype,
      nlink: 1n,
      atim: t,
      mtim: t,
      ctim: t,
      size: 0,
      opens: 0,
      data: filetype === Filetype.REGULAR_FILE ? new Uint8Array(0) : undefined,
      entries: filetype === Filetype.DIRECTORY ? new Map() : undefined,
    };
  }

  /** The components of `path`, without empty ones and ".". Throws ENAMETOOLONG for one over NAME_MAX bytes. */
  private static split(path: string): string[] {
    const comps = path.split("/").filter((c) => c !== "" && c !== ".");
    // A UTF-16 unit is at most 3 UTF-8 bytes, so only long strings need encoding.
    for (const c of comps) {
      if (c.length > NAME_MAX / 3 && encoder.encode(c).length > NAME_MAX) fail(Errno.NAMETOOLONG, "file name too long");
    }
    return comps;
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
      size: BigInt(n.filetype === Filetype.SYMBOLIC_LINK ? encoder.encode(n.target!).length : n.size),
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
      this.quota.chargeEntry();
      n = this.inode(Filetype.REGULAR_FILE);
      parent.entries!.set(name, n);
      parent.mtim = parent.ctim = nowNs();
    }
    if (n.filetype === Filetype.SYMBOLIC_LINK) fail(Errno.LOOP, "symlink not followed");
    if (o.directory && n.filetype !== Filetype.DIRECTORY) fail(Errno.NOTDIR, "not a directory");
    if (n.filetype === Filetype.DIRECTORY && o.write) fail(Errno.ISDIR, "is a directory");
    if (o.truncate && n.filetype === Filetype.REGULAR_FILE) {
      this.quota.chargeBytes(-n.size);
      n.size = 0;
      replaceData(n, new Uint8Array(0), this.quota);
      n.mtim = n.ctim = nowNs();
    }
    return new MemoryFileHandle(n, this.quota);
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
    this.quota.chargeEntry();
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
    this.quota.releaseEntry();
    parent.nlink--;
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
    this.quota.releaseEntry();
    n.nlink--;
    dropIfUnreachable(n, this.quota);
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
      } else if (existing.filetype === Filetype.DIRECTORY) fail(Errno.ISDIR, "is a directory");
      existing.nlink--;
      // The moved name takes the replaced one's place: one name fewer in all.
      this.quota.releaseEntry();
      dropIfUnreachable(existing, this.quota);
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
    this.quota.chargeEntry();
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
    const bytes = encoder.encode(target).length;
    if (bytes >= PATH_MAX) fail(Errno.NAMETOOLONG, "symlink target too long");
    this.quota.checkEntry();
    this.quota.chargeBytes(bytes);
    this.quota.chargeEntry();
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

  /** Creates or replaces a regular file (parents are created); counts against the limits as a guest's write. */
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
      h.write(data, 0);
    } finally {
      h.close();
    }
  }

  /** The contents of a regular file. */
  readFile(path: string): Uint8Array {
    const n = this.lookup(path);
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.ISDIR, "not a regular file");
    const out = new Uint8Array(n.size);
    out.set(n.data!.subarray(0, Math.min(n.size, n.data!.length)));
    return out;
  }
}

/** An open in-memory file. */
class MemoryFileHandle implements FileHandle {
  private closed = false;

  /**
   * @param node the open inode
   * @param quota the filesystem's space account, charged before any change of size
   */
  constructor(private readonly node: Inode, private readonly quota: MemoryQuota) {
    node.opens++;
  }

  private check(): Inode {
    if (this.closed) fail(Errno.BADF, "file is closed");
    return this.node;
  }

  read(buf: Uint8Array, position: number): number {
    const n = this.check();
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.ISDIR, "is a directory");
    if (position >= n.size) return 0;
    const count = Math.min(buf.length, n.size - position);
    const stored = n.data!.subarray(position, Math.min(position + count, n.data!.length));
    buf.set(stored);
    buf.fill(0, stored.length, count); // the hole past the materialized prefix
    n.atim = nowNs();
    return count;
  }

  /**
   * All or nothing: a write that does not fit in the quota writes no byte and throws ENOSPC. (Linux writes what
   * fits and returns a short count; the WASI layer would then write the rest, get ENOSPC and report it with the
   * first part written but the fd offset not advanced, a state the guest cannot see.)
   */
  write(buf: Uint8Array, position: number | null): number {
    const n = this.check();
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.ISDIR, "is a directory");
    if (buf.length === 0) return 0;
    const at = position ?? n.size;
    const end = at + buf.length;
    if (end > FILE_MAX) fail(Errno.FBIG, "file too large for memory");
    const grown = Math.max(0, end - n.size);
    this.quota.checkBytes(grown);
    this.materialize(n, end);
    if (at > n.size) n.data!.fill(0, n.size, at); // spare capacity past the old end may hold stale bytes
    n.data!.set(buf, at);
    this.quota.chargeBytes(grown);
    n.size = Math.max(n.size, end);
    n.mtim = n.ctim = nowNs();
    return buf.length;
  }

  /**
   * Makes the first `end` bytes of `n` addressable. Capacity doubles (amortized appends) but never past the byte
   * limit, which `end` is already within, and stays at most twice the size (`truncate` shrinks it), so the host
   * holds at most about twice the accounted bytes. Throws ENOSPC when the host cannot allocate, as a full disk.
   */
  private materialize(n: Inode, end: number): void {
    const old = n.data!;
    if (old.length >= end) return;
    const capacity = Math.max(end, Math.min(Math.max(64, old.length * 2), this.quota.maxBytes, FILE_MAX));
    let grown: Uint8Array;
    try {
      grown = new Uint8Array(capacity);
    } catch {
      try {
        grown = new Uint8Array(end);
      } catch {
        return fail(Errno.NOSPC, "no space left on device: the host could not allocate the file's memory");
      }
    }
    grown.set(old.subarray(0, Math.min(n.size, old.length)));
    replaceData(n, grown, this.quota);
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

  /** Growing only charges the quota: the new bytes are a hole that costs no host memory until written. */
  truncate(size: number): void {
    const n = this.check();
    if (n.filetype !== Filetype.REGULAR_FILE) fail(Errno.INVAL, "not a regular file");
    if (size > FILE_MAX) fail(Errno.FBIG, "file too large for memory");
    this.quota.chargeBytes(size - n.size);
    const data = n.data!;
    if (size > n.size) data.fill(0, n.size, Math.min(size, data.length));
    else if (data.length > Math.max(64, 2 * size)) replaceData(n, data.slice(0, size), this.quota);
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
    n.opens--;
    dropIfUnreachable(n, this.quota);
  }
}
