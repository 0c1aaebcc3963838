/**
 * The host filesystem backend, on `node:fs` (which Deno, Bun and Node all provide). In sync mode every call is a
 * blocking `fs.*Sync` call (for native WebAssembly, whose imports cannot await). In async mode, calls that can
 * block for long return Promises and the guest suspends while the event loop runs; short calls on a local disk
 * still run synchronously, decided by measurement (`bench/wasi_fs_bench.ts`, µs per call, best of 7, 2-core Linux
 * box shared with other jobs, tmpfs; "async" = every call a Promise, `syncSmallCalls: false`; Deno's async numbers
 * moved 2–3× between runs, Bun's within 20%):
 *
 * | call                          | Deno 2.9 sync | Deno async | Bun 1.4 sync | Bun async | async mode does |
 * | ----------------------------- | ------------: | ---------: | -----------: | --------: | --------------- |
 * | lstat / fstat                 |     5.4 – 6.4 |    15 – 16 |    0.9 – 1.9 |        14 | sync            |
 * | open + close (regular file)   |           2.7 |    12 – 40 |          2.5 |        25 | sync            |
 * | readdir, 16 entries (+lstat)  |           106 |        454 |           38 |       229 | sync (≤ 64)     |
 * | resolve a/b/c/d/e/leaf        |       37 – 77 |        194 |           16 |        90 | sync            |
 * | read 64 B / 4 KiB             |           0.7 |     9 – 13 |          0.5 |        13 | sync            |
 * | read 64 KiB                   |           1.5 |         15 |          1.2 |        13 | sync            |
 * | read 1 MiB                    |            22 |         35 |           18 |        33 | async           |
 * | write 64 B / 4 KiB            |           0.8 |    3.5 – 7 |          0.7 |        13 | sync            |
 * | write 64 KiB                  |           4.7 |        8.8 |          2.7 |        13 | sync            |
 * | write 1 MiB                   |            22 |         25 |           21 |        36 | async           |
 * | fsync after a 4 KiB write     |   100 – 1,300 |  100–1,300 |    90 – 2,000 |  90–2,000 | async           |
 * | guest import: value / Promise |          0.07 |       0.12 |         0.15 | 0.6 – 1.4 | (suspension)    |
 *
 * End to end, a Kiln guest calling WASI `path_filestat_get("a/b/c/d/e/leaf")` in a loop: Deno 35 µs per call as
 * shipped (56 in sync mode, 99 with every call a Promise); Bun 16 µs (23 sync, 178 all-Promise).
 *
 * An awaited node:fs call costs a fixed 10–40 µs (thread pool round trip and Promise machinery; Kiln's own
 * suspend/resume of the guest is under 1 µs of it), while the blocking metadata calls take 1–6 µs and never wait
 * on anything but the local disk: those run synchronously. Reads and writes of a regular file up to
 * {@link SYNC_IO_MAX_BYTES} (64 KiB: 1–5 µs from the page cache) run synchronously; above it the copy
 * dominates (async costs only 1.2–1.8× at 1 MiB) and a cold or network disk can block for milliseconds, so they stay
 * async, as do fsync/fdatasync (0.1–2 ms here, far more on real disks), directories of more than
 * {@link READDIR_SYNC_MAX_ENTRIES} entries (one lstat each), and everything that can block indefinitely: a path
 * opens synchronously only with O_NONBLOCK and only keeps the fd when path_open's lstat (`OpenOptions.filetype`) or
 * an fstat says it is a regular file or directory (FIFOs, sockets and devices are opened and read asynchronously), and host stdin is always read asynchronously
 * (`hostStdio.readAsync`). With all backend calls of a path syscall synchronous and the path lock free
 * (`wasi.ts` `withPathLock`), the syscall returns a plain errno and the guest does not suspend.
 *
 * Node's time-setting calls take seconds as a double, which cannot carry every nanosecond; so that a guest reads
 * back exactly the times it set, the backend remembers, per inode, the nanosecond value it was asked for together
 * with the value the host stored, and reports the requested one while the host still holds what it stored.
 *
 * Directories and the sandbox: node:fs has no `openat`, so a path string could be redirected between the sandbox's
 * check and the host call by anyone who swaps a directory for a symlink. {@link NodeFs.hold} keeps a directory
 * descriptor's directory open and {@link NodeFs.enter} each directory a lookup passes through (`O_NOFOLLOW`); on
 * Linux both come with an alias, `/proc/self/fd/N`, through which the kernel reaches the open directory itself, so
 * every call acts beneath the directory the sandbox checked: openat semantics (`tools/sandbox_race.ts`, 40,000 opens
 * and 10,000 creates against a process swapping a directory and a symlink to outside: 0 escaped, Deno and Bun).
 * Residual risk where there is no alias (macOS, Windows, /proc hidden): the lstat walk, re-checked after
 * `path_open`, still loses to a swapper fast enough to swap twice inside one call (3–5 of 40,000 opens and
 * 4–202 of 10,000 creates escaped in that measurement on Linux with aliases turned off); the README's security
 * section says so. Holding costs an open and a close per directory of a path instead of an lstat (guest
 * `path_filestat_get("a/b/c/d/e/leaf")`: Deno unchanged at ~57 µs, Bun 32–49 → 47–68 µs).
 *
 * This file and its siblings are the only places in `lib/wasi/` that import `node:` modules.
 *
 * @module
 */
import * as fs from "node:fs";
import { Errno, toWasiError, WasiError } from "../errno.ts";
import { Filetype } from "../constants.ts";
import type {
  DirEntry,
  DirHold,
  FileHandle,
  FileStat,
  FsBackend,
  HeldDir,
  MaybePromise,
  OpenOptions,
} from "./fs_backend.ts";
import { joinPath } from "./fs_backend.ts";
import { registerHost } from "../_host.ts";

const C = fs.constants;

/** Async mode: reads and writes of a regular file up to this many bytes run synchronously (module doc). */
export const SYNC_IO_MAX_BYTES = 64 * 1024;

/** Async mode: a directory with at most this many entries is listed (and each entry lstat'ed) synchronously. */
export const READDIR_SYNC_MAX_ENTRIES = 64;

function filetypeOf(s: fs.BigIntStats | fs.Stats | fs.Dirent): number {
  if (s.isFile()) return Filetype.REGULAR_FILE;
  if (s.isDirectory()) return Filetype.DIRECTORY;
  if (s.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (s.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (s.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (s.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

/** A time the guest set and the value the host actually stored for it. */
interface PreciseTime {
  wanted: bigint;
  stored: bigint;
}

/**
 * Host filesystem backend on `node:fs`.
 *
 * @example Listing a host directory
 * ```ts
 * import { NodeFs } from "../../../wasi.ts";
 * const backend = new NodeFs({ sync: true });
 * const entries = await backend.readdir("/tmp");
 * console.log(entries.length >= 0); // true
 * ```
 */
export class NodeFs implements FsBackend {
  /** True when calls block and return plain values. */
  readonly sync: boolean;
  /** Per inode ("dev:ino"): times set by the guest with full nanosecond precision. */
  private readonly times = new Map<string, { atim?: PreciseTime; mtim?: PreciseTime }>();

  /** In async mode: metadata calls and small regular-file I/O run synchronously (see the module doc). */
  private readonly syncSmallCalls: boolean;

  /**
   * Creates a host backend. Host errors map to WASI errnos (`errno.ts` `toWasiError`); results and errors of the
   * async form arrive as Promises.
   *
   * @param options `sync`: block in `fs.*Sync` calls (default true) instead of returning Promises;
   *   `syncSmallCalls` (async mode only, default true): still make the calls the module doc's table shows to be
   *   harmless synchronously (metadata, open/close, reads and writes of regular files up to
   *   {@link SYNC_IO_MAX_BYTES}); false makes every call return a Promise (for measurement);
   *   `directoryAliases` (default true): reach held directories through `/proc/self/fd/N` where the host has it
   *   ({@link hold}); false gives what hosts without it get, for tests and measurement
   */
  constructor(options: { sync?: boolean; syncSmallCalls?: boolean; directoryAliases?: boolean } = {}) {
    this.sync = options.sync ?? true;
    this.syncSmallCalls = !this.sync && (options.syncSmallCalls ?? true);
    if (options.directoryAliases === false) this.noAliases();
    // Why: a host without O_DIRECTORY/O_NOFOLLOW (Windows) cannot open a directory as a handle; without these two
    // the WASI layer falls back to lstat walks checked by identity (dir_anchor.ts).
    if (C.O_DIRECTORY === undefined || C.O_NOFOLLOW === undefined) this.hold = this.enter = undefined;
  }

  /**
   * Runs one short host call that cannot block for long on a local disk: synchronously in sync mode and, unless
   * `syncSmallCalls` is off, in async mode too. Why: see the module doc (an awaited node:fs Promise costs 10–40 µs
   * more than the blocking call, plus a guest suspension).
   */
  private quick<T>(syncFn: () => T, asyncFn: () => Promise<T>): MaybePromise<T> {
    if (!this.syncSmallCalls) return this.call(syncFn, asyncFn);
    try {
      return syncFn();
    } catch (e) {
      throw toWasiError(e);
    }
  }

  /** Runs the sync or the async form of one host call, mapping host errors to WasiErrors. */
  private call<T>(syncFn: () => T, asyncFn: () => Promise<T>): MaybePromise<T> {
    if (this.sync) {
      try {
        return syncFn();
      } catch (e) {
        throw toWasiError(e);
      }
    }
    return asyncFn().catch((e) => {
      throw toWasiError(e);
    });
  }

  /** Converts host stats, substituting guest-set nanosecond times the host rounded. */
  private toStat(s: fs.BigIntStats): FileStat {
    const st: FileStat = {
      filetype: filetypeOf(s),
      dev: s.dev,
      ino: s.ino,
      nlink: s.nlink,
      size: s.size,
      atim: s.atimeNs,
      mtim: s.mtimeNs,
      ctim: s.ctimeNs,
    };
    const precise = this.times.get(`${s.dev}:${s.ino}`);
    if (precise?.atim && precise.atim.stored === st.atim) st.atim = precise.atim.wanted;
    if (precise?.mtim && precise.mtim.stored === st.mtim) st.mtim = precise.mtim.wanted;
    return st;
  }

  /** Records the exact times asked for, next to what the host stored after the call. */
  private remember(s: fs.BigIntStats, atim: bigint, mtim: bigint): void {
    this.times.set(`${s.dev}:${s.ino}`, {
      atim: { wanted: atim, stored: s.atimeNs },
      mtim: { wanted: mtim, stored: s.mtimeNs },
    });
  }

  /**
   * Stat of the entry at `path`, not following a final symlink. Throws ENOENT when missing, ENOTDIR when a parent is not a directory.
   *
   * @param path an absolute backend path
   * @returns its stat
   */
  lstat(path: string): MaybePromise<FileStat> {
    return this.quick(
      () => this.toStat(fs.lstatSync(path, { bigint: true })),
      async () => this.toStat(await fs.promises.lstat(path, { bigint: true })),
    );
  }

  /**
   * Stat of the entry at `path`, following symlinks (used for a preopen's host path only). Throws ENOENT, ENOTDIR, ELOOP.
   *
   * @param path an absolute host path
   * @returns its stat
   */
  stat(path: string): MaybePromise<FileStat> {
    return this.quick(
      () => this.toStat(fs.statSync(path, { bigint: true })),
      async () => this.toStat(await fs.promises.stat(path, { bigint: true })),
    );
  }

  /**
   * The target of the symlink at `path`. Throws EINVAL when it is not a symlink, ENOENT when missing.
   *
   * @param path an absolute backend path
   * @returns the link's contents
   */
  readlink(path: string): MaybePromise<string> {
    return this.quick(() => fs.readlinkSync(path, "utf8"), () => fs.promises.readlink(path, "utf8"));
  }

  /**
   * Opens a file or directory, never following a final symlink (ELOOP). Throws ENOENT (missing, no `create`), EEXIST (`create` + `exclusive`), ENOTDIR (`directory` on a non-directory), EISDIR (a directory for writing).
   *
   * @param path an absolute backend path
   * @param o access and creation flags
   * @returns the open handle
   */
  open(path: string, o: OpenOptions): MaybePromise<FileHandle> {
    let flags = o.read && o.write ? C.O_RDWR : o.write ? C.O_WRONLY : C.O_RDONLY;
    if (o.create) flags |= C.O_CREAT;
    if (o.exclusive) flags |= C.O_EXCL;
    if (o.truncate) flags |= C.O_TRUNC;
    if (o.append) flags |= C.O_APPEND;
    if (o.directory) flags |= C.O_DIRECTORY;
    if (C.O_NOFOLLOW !== undefined) flags |= C.O_NOFOLLOW;
    if (this.syncSmallCalls && (o.filetype === undefined || o.filetype === Filetype.REGULAR_FILE)) {
      const fd = this.openLocalFile(path, flags, o.filetype === Filetype.REGULAR_FILE);
      if (fd !== null) return new NodeFileHandle(this, fd, true);
    }
    return this.call(
      () => new NodeFileHandle(this, fs.openSync(path, flags, 0o666), false),
      () =>
        new Promise<FileHandle>((resolve, reject) =>
          fs.open(path, flags, 0o666, (err, fd) => err ? reject(err) : resolve(new NodeFileHandle(this, fd, false)))
        ),
    );
  }

  /**
   * Async mode's synchronous open: opens with O_NONBLOCK (so a FIFO cannot block the open) and keeps the fd when
   * it is a regular file or a directory. Returns null, with nothing left open, for anything else (FIFO, socket,
   * device: opened again the blocking way, off the event loop) and where the host has no O_NONBLOCK. With
   * `regular` (the caller just saw a regular file there) the fstat is skipped. Why: it costs 7–10 µs on Deno; and
   * should another process swap in a FIFO in between, O_NONBLOCK still keeps every call on the fd from blocking.
   */
  private openLocalFile(path: string, flags: number, regular: boolean): number | null {
    if (C.O_NONBLOCK === undefined) return null;
    let fd: number;
    try {
      fd = fs.openSync(path, flags | C.O_NONBLOCK, 0o666);
    } catch (e) {
      // Why: a FIFO opened for writing with no reader fails with ENXIO under O_NONBLOCK; the blocking open waits.
      if ((e as { code?: string }).code === "ENXIO") return null;
      throw toWasiError(e);
    }
    if (regular) return fd;
    let local: boolean;
    try {
      const st = fs.fstatSync(fd);
      local = st.isFile() || st.isDirectory();
    } catch (e) {
      fs.closeSync(fd);
      throw toWasiError(e);
    }
    if (local) return fd;
    fs.closeSync(fd);
    return null;
  }

  /**
   * Lists a directory without "." and "..", sorted by name. Throws ENOENT, ENOTDIR.
   *
   * @param path an absolute backend path
   * @returns its entries
   */
  readdir(path: string): MaybePromise<DirEntry[]> {
    const entry = (name: string, s: fs.BigIntStats): DirEntry => ({ name, filetype: filetypeOf(s), ino: s.ino });
    const statSync = (names: string[]) => names.map((n) => entry(n, fs.lstatSync(joinPath(path, n), { bigint: true })));
    const statAsync = async (names: string[]) => {
      const out: DirEntry[] = [];
      for (const n of names) out.push(entry(n, await fs.promises.lstat(joinPath(path, n), { bigint: true })));
      return out;
    };
    if (this.syncSmallCalls) {
      // Why: one lstat per entry (2–6 µs); a bigger directory would block the event loop for longer.
      let names: string[];
      try {
        names = fs.readdirSync(path).sort();
      } catch (e) {
        throw toWasiError(e);
      }
      if (names.length <= READDIR_SYNC_MAX_ENTRIES) return this.quick(() => statSync(names), () => statAsync(names));
      return this.call(() => statSync(names), () => statAsync(names));
    }
    return this.call(
      () => statSync(fs.readdirSync(path).sort()),
      async () => statAsync((await fs.promises.readdir(path)).sort()),
    );
  }

  /**
   * Creates a directory. Throws EEXIST when the path exists, ENOENT/ENOTDIR for a bad parent.
   *
   * @param path an absolute backend path
   */
  mkdir(path: string): MaybePromise<void> {
    return this.quick(() => fs.mkdirSync(path, 0o777), () => fs.promises.mkdir(path, 0o777).then(() => {}));
  }

  /**
   * Removes an empty directory. Throws ENOTEMPTY, ENOTDIR (not a directory), ENOENT.
   *
   * @param path an absolute backend path
   */
  rmdir(path: string): MaybePromise<void> {
    return this.quick(() => fs.rmdirSync(path), () => fs.promises.rmdir(path));
  }

  /**
   * Removes a non-directory entry (a symlink itself, not its target). Throws EISDIR (EPERM on some hosts) for a directory, ENOENT.
   *
   * @param path an absolute backend path
   */
  unlink(path: string): MaybePromise<void> {
    return this.quick(() => fs.unlinkSync(path), () => fs.promises.unlink(path));
  }

  /**
   * Renames an entry, replacing a compatible target. Throws ENOENT, ENOTEMPTY, EISDIR, ENOTDIR, EINVAL (a directory into itself).
   *
   * @param from the current path
   * @param to the new path
   */
  rename(from: string, to: string): MaybePromise<void> {
    return this.quick(() => fs.renameSync(from, to), () => fs.promises.rename(from, to));
  }

  /**
   * Creates hard link `to` for the entry at `from`, never following symlinks. Throws EPERM for a directory, EEXIST, ENOENT.
   *
   * @param from the existing entry
   * @param to the new name
   */
  link(from: string, to: string): MaybePromise<void> {
    return this.quick(() => fs.linkSync(from, to), () => fs.promises.link(from, to));
  }

  /**
   * Creates a symlink at `path` holding `target` (not resolved or checked). Throws EEXIST, ENOENT/ENOTDIR for a bad parent.
   *
   * @param target the link's contents
   * @param path where to create it
   */
  symlink(target: string, path: string): MaybePromise<void> {
    return this.quick(() => fs.symlinkSync(target, path), () => fs.promises.symlink(target, path));
  }

  /**
   * Sets access and modification times of the entry itself (a symlink is not followed). Throws ENOENT.
   *
   * @param path an absolute backend path
   * @param atim access time in ns, or null to keep it
   * @param mtim modification time in ns, or null to keep it
   */
  setTimes(path: string, atim: bigint | null, mtim: bigint | null): MaybePromise<void> {
    return this.quick(
      () => {
        const s = fs.lstatSync(path, { bigint: true });
        const cur = this.toStat(s);
        const a = atim ?? cur.atim, m = mtim ?? cur.mtim;
        fs.lutimesSync(path, nsToSeconds(a), nsToSeconds(m));
        this.remember(fs.lstatSync(path, { bigint: true }), a, m);
      },
      async () => {
        const cur = this.toStat(await fs.promises.lstat(path, { bigint: true }));
        const a = atim ?? cur.atim, m = mtim ?? cur.mtim;
        await fs.promises.lutimes(path, nsToSeconds(a), nsToSeconds(m));
        this.remember(await fs.promises.lstat(path, { bigint: true }), a, m);
      },
    );
  }

  /**
   * Keeps a directory open for a directory descriptor (`dir_anchor.ts`): its inode number cannot be reused while
   * held, and on Linux `/proc/self/fd/N` is an alias through which every later call reaches this very directory
   * (the kernel follows the open descriptor, not a path), which is what `openat` would give. Aliases are used only
   * once one was checked to lead to the directory just opened (a sandboxed host may hide /proc). Synchronous in
   * every mode, like {@link enter}.
   *
   * @param path an absolute backend path of a directory (symlinks in it are followed)
   * @returns the held directory
   */
  hold? = (path: string): DirHold => {
    let fd: number;
    try {
      // Why "/.": the final component of an embedder's preopen path may be a symlink (/tmp on macOS); "." is not.
      fd = fs.openSync(joinPath(path, "."), C.O_RDONLY | (C.O_DIRECTORY ?? 0));
    } catch (e) {
      throw toWasiError(e);
    }
    try {
      const st = fs.fstatSync(fd, { bigint: true });
      if (!st.isDirectory()) throw new WasiError(Errno.NOTDIR, "not a directory");
      return { dev: st.dev, ino: st.ino, ...this.held(fd, st) };
    } catch (e) {
      fs.closeSync(fd);
      throw toWasiError(e);
    }
  };

  /**
   * Opens a directory for one step of a lookup (`path.ts`), never following a final symlink (O_NOFOLLOW): null
   * when it is a symlink or a file. Synchronous in every mode: opening a directory is a metadata call like lstat
   * (module doc), and a lookup must not suspend the guest for it.
   *
   * @param path an absolute backend path
   * @returns the held directory, or null
   */
  enter? = (path: string): HeldDir | null => {
    let fd: number;
    try {
      fd = fs.openSync(path, C.O_RDONLY | (C.O_DIRECTORY ?? 0) | (C.O_NOFOLLOW ?? 0));
    } catch (e) {
      // Why ELOOP too: Linux answers O_NOFOLLOW|O_DIRECTORY on a symlink with ENOTDIR, other hosts with ELOOP.
      const code = (e as { code?: string }).code;
      if (code === "ENOTDIR" || code === "ELOOP") return null;
      throw toWasiError(e);
    }
    return this.held(fd, null);
  };

  /** The held-directory record of open directory `fd` (`st`: its stat, when the caller has it). */
  private held(fd: number, st: fs.BigIntStats | null): HeldDir {
    const alias = this.aliasOf(fd, st);
    let open = true;
    return {
      alias,
      release: () => {
        if (open) fs.closeSync(fd);
        open = false;
      },
    };
  }

  /**
   * No directory aliases on this host: lookups then walk by lstat (and `path_open` re-checks the walk), since
   * holding a directory without an alias would not keep the lookup in it.
   */
  private noAliases(): void {
    this.procAliases = false;
    this.enter = undefined;
  }

  /** Whether `/proc/self/fd/N` leads to the open directory (checked once per backend); see {@link hold}. */
  private procAliases: boolean | undefined;

  /** The alias of open directory `fd` (stat `st`, when known), or null where the host has none. */
  private aliasOf(fd: number, st: fs.BigIntStats | null): string | null {
    const alias = `/proc/self/fd/${fd}`;
    if (this.procAliases === undefined) {
      try {
        st ??= fs.fstatSync(fd, { bigint: true });
        const viaAlias = fs.statSync(alias, { bigint: true });
        this.procAliases = viaAlias.dev === st.dev && viaAlias.ino === st.ino;
      } catch {
        this.procAliases = false;
      }
      if (!this.procAliases) this.noAliases();
    }
    return this.procAliases ? alias : null;
  }

  /** @internal used by NodeFileHandle */
  _toStat(s: fs.BigIntStats): FileStat {
    return this.toStat(s);
  }

  /** @internal used by NodeFileHandle */
  _remember(s: fs.BigIntStats, atim: bigint, mtim: bigint): void {
    this.remember(s, atim, mtim);
  }

  /** @internal used by NodeFileHandle */
  _quick<T>(syncFn: () => T, asyncFn: () => Promise<T>): MaybePromise<T> {
    return this.quick(syncFn, asyncFn);
  }

  /** @internal used by NodeFileHandle */
  _call<T>(syncFn: () => T, asyncFn: () => Promise<T>): MaybePromise<T> {
    return this.call(syncFn, asyncFn);
  }
}

function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

function promisify<T>(f: (cb: (err: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => f((err, v) => err ? reject(err) : resolve(v)));
}

/** An open host file descriptor. */
class NodeFileHandle implements FileHandle {
  private closed = false;
  /** Set on the first ESPIPE: reads and writes then use the host's current position. */
  private isStream = false;
  /**
   * @param owner the backend
   * @param fd the host descriptor
   * @param local a regular file or directory opened by async mode's synchronous open: reads and writes up to
   *   SYNC_IO_MAX_BYTES run synchronously
   */
  constructor(private readonly owner: NodeFs, readonly fd: number, private readonly local: boolean) {}

  /** Runs one read or write of `size` bytes: synchronously when small on a local file (module doc), else as `_call`. */
  private io<T>(size: number, syncFn: () => T, asyncFn: () => Promise<T>): MaybePromise<T> {
    if (this.local && size <= SYNC_IO_MAX_BYTES) return this.owner._quick(syncFn, asyncFn);
    return this.owner._call(syncFn, asyncFn);
  }

  read(buf: Uint8Array, position: number): MaybePromise<number> {
    return this.io(
      buf.length,
      () => this.unseekable(() => fs.readSync(this.fd, buf, 0, buf.length, this.at(position))),
      () =>
        this.unseekableAsync(() =>
          promisify<number>((cb) => fs.read(this.fd, buf, 0, buf.length, this.at(position), cb))
        ),
    );
  }

  write(buf: Uint8Array, position: number | null): MaybePromise<number> {
    return this.io(
      buf.length,
      () => this.unseekable(() => fs.writeSync(this.fd, buf, 0, buf.length, this.at(position))),
      () =>
        this.unseekableAsync(() =>
          promisify<number>((cb) => fs.write(this.fd, buf, 0, buf.length, this.at(position), cb))
        ),
    );
  }

  /** The position to pass to the host: none once the file proved unseekable (a FIFO or character device). */
  private at(position: number | null): number | null {
    return this.isStream ? null : position;
  }

  /** Runs a positioned call; on ESPIPE (a FIFO, pipe or device) marks the handle a stream and runs it unpositioned. */
  private unseekable<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (this.isStream || (e as { code?: string }).code !== "ESPIPE") throw e;
      this.isStream = true;
      return f();
    }
  }

  /** {@link unseekable} for the asynchronous form. */
  private async unseekableAsync<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (this.isStream || (e as { code?: string }).code !== "ESPIPE") throw e;
      this.isStream = true;
      return await f();
    }
  }

  stat(): MaybePromise<FileStat> {
    return this.owner._quick(
      () => this.owner._toStat(fs.fstatSync(this.fd, { bigint: true })),
      async () =>
        this.owner._toStat(
          await promisify<fs.BigIntStats>((cb) =>
            fs.fstat(this.fd, { bigint: true }, cb as (e: NodeJS.ErrnoException | null, s: fs.BigIntStats) => void)
          ),
        ),
    );
  }

  truncate(size: number): MaybePromise<void> {
    return this.owner._quick(
      () => fs.ftruncateSync(this.fd, size),
      () => promisify<void>((cb) => fs.ftruncate(this.fd, size, (e) => cb(e, undefined))),
    );
  }

  setTimes(atim: bigint | null, mtim: bigint | null): MaybePromise<void> {
    const fstat = () => fs.fstatSync(this.fd, { bigint: true });
    return this.owner._quick(
      () => {
        const cur = this.owner._toStat(fstat());
        const a = atim ?? cur.atim, m = mtim ?? cur.mtim;
        fs.futimesSync(this.fd, nsToSeconds(a), nsToSeconds(m));
        this.owner._remember(fstat(), a, m);
      },
      async () => {
        const cur = this.owner._toStat(fstat());
        const a = atim ?? cur.atim, m = mtim ?? cur.mtim;
        await promisify<void>((cb) => fs.futimes(this.fd, nsToSeconds(a), nsToSeconds(m), (e) => cb(e, undefined)));
        this.owner._remember(fstat(), a, m);
      },
    );
  }

  sync(): MaybePromise<void> {
    return this.owner._call(
      () => fs.fsyncSync(this.fd),
      () => promisify<void>((cb) => fs.fsync(this.fd, (e) => cb(e, undefined))),
    );
  }

  datasync(): MaybePromise<void> {
    return this.owner._call(
      () => fs.fdatasyncSync(this.fd),
      () => promisify<void>((cb) => fs.fdatasync(this.fd, (e) => cb(e, undefined))),
    );
  }

  close(): MaybePromise<void> {
    if (this.closed) throw new WasiError(Errno.BADF);
    this.closed = true;
    return this.owner._quick(
      () => fs.closeSync(this.fd),
      () => promisify<void>((cb) => fs.close(this.fd, (e) => cb(e, undefined))),
    );
  }
}

/** Host stdio as WASI streams: blocking reads/writes on file descriptors 0, 1, 2. */
export const hostStdio = {
  /** Reads up to `max` bytes from host stdin (fd 0); an empty array at end of input. */
  read(max: number): Uint8Array {
    const buf = new Uint8Array(max);
    try {
      const n = fs.readSync(0, buf, 0, max, null);
      return buf.subarray(0, n);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EOF") return new Uint8Array(0);
      if (code === "EAGAIN") throw new WasiError(Errno.AGAIN);
      throw toWasiError(e);
    }
  },
  /** Reads up to `max` bytes from host stdin without blocking the event loop (libuv thread pool). */
  readAsync(max: number): Promise<Uint8Array> {
    const buf = new Uint8Array(max);
    return new Promise((resolve, reject) =>
      fs.read(0, buf, 0, max, null, (err, n) => {
        if (!err) resolve(buf.subarray(0, n));
        else if (err.code === "EOF") resolve(new Uint8Array(0));
        else reject(toWasiError(err));
      })
    );
  },
  /** Writes all of `data` to host fd 1 or 2. */
  write(fd: 1 | 2, data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      try {
        off += fs.writeSync(fd, data, off, data.length - off);
      } catch (e) {
        if ((e as { code?: string }).code === "EAGAIN") continue;
        throw toWasiError(e);
      }
    }
  },
  /** Whether host fd `fd` is a terminal. */
  isatty(fd: number): boolean {
    try {
      return fs.fstatSync(fd).isCharacterDevice();
    } catch {
      return false;
    }
  },
};

// Why: lib/wasi/wasi.ts finds this module through the registry instead of a static import (see _host.ts).
registerHost({ NodeFs, hostStdio });
