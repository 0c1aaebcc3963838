/**
 * The one interface every WASI filesystem backend implements: the host filesystem (`node_fs.ts`) and the in-memory
 * one (`memory_fs.ts`). Paths are absolute backend paths ("/a/b") that the WASI layer has already resolved inside
 * a preopen, component by component, so a backend never follows a symlink on its own except where noted: the
 * sandbox lives in `lib/wasi/path.ts`, not here.
 *
 * Every method either returns its result or throws a `WasiError` (`errno.ts`); a backend in async mode returns
 * Promises instead (`sync` is false). The syscalls are written once and run against either kind.
 *
 * @module
 */

/** A value, or a Promise of it when the backend is asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** What `lstat`/`FileHandle.stat` report. Times are nanoseconds since the Unix epoch. */
export interface FileStat {
  /** A WASI `filetype` value (constants.ts `Filetype`). */
  filetype: number;
  /** Device id of the filesystem holding the entry. */
  dev: bigint;
  /** Inode number (unique within `dev`). */
  ino: bigint;
  /** Number of hard links. */
  nlink: bigint;
  /** Size in bytes (for a symlink, the length of its target). */
  size: bigint;
  /** Last access time, ns. */
  atim: bigint;
  /** Last data modification time, ns. */
  mtim: bigint;
  /** Last status change time, ns. */
  ctim: bigint;
}

/** One directory entry, as `readdir` lists them (without "." and ".."). */
export interface DirEntry {
  /** The entry's name (one path component). */
  name: string;
  /** A WASI `filetype` value. */
  filetype: number;
  /** Inode number, as `lstat` would report it. */
  ino: bigint;
}

/** How to open a file or directory. */
export interface OpenOptions {
  /** Open for reading. */
  read: boolean;
  /** Open for writing. */
  write: boolean;
  /** Create a regular file when the path does not exist (EEXIST with `exclusive` when it does). */
  create: boolean;
  /** With `create`: fail with EEXIST when the path exists. */
  exclusive: boolean;
  /** Truncate a regular file to 0 bytes. */
  truncate: boolean;
  /** Writes go to the end of the file. */
  append: boolean;
  /** Fail with ENOTDIR unless the path is a directory. */
  directory: boolean;
  /**
   * A hint: the WASI filetype the caller saw at `path` just before (REGULAR_FILE for a file about to be created).
   * The async host backend opens a regular file synchronously without checking its type again. Optional.
   */
  filetype?: number;
}

/** An open file or directory of a backend. Positions are absolute: the WASI layer keeps each fd's offset. */
export interface FileHandle {
  /** Reads up to `buf.length` bytes at `position`; returns the count (0 at end of file). */
  read(buf: Uint8Array, position: number): MaybePromise<number>;
  /** Writes `buf` at `position` (or at the end when `position` is null: append); returns the count. */
  write(buf: Uint8Array, position: number | null): MaybePromise<number>;
  /** Stat of the open file (EBADF when closed). */
  stat(): MaybePromise<FileStat>;
  /** Sets the size, zero-filling when it grows. */
  truncate(size: number): MaybePromise<void>;
  /** Sets times in ns; null leaves one unchanged. */
  setTimes(atim: bigint | null, mtim: bigint | null): MaybePromise<void>;
  /** Flushes data and metadata to storage (fsync). */
  sync(): MaybePromise<void>;
  /** Flushes data to storage (fdatasync). */
  datasync(): MaybePromise<void>;
  /** Closes the handle; a second close throws EBADF. */
  close(): MaybePromise<void>;
}

/**
 * A directory kept open by {@link FsBackend.enter}: `alias` (where the host has one) is a path that leads to this
 * very directory whatever happens to the tree (on Linux `/proc/self/fd/N`, which the kernel resolves through the
 * open descriptor).
 */
export interface HeldDir {
  /** A path that always leads to the held directory, or null where the host has none. */
  readonly alias: string | null;
  /** Closes the held directory. */
  release(): MaybePromise<void>;
}

/** A directory kept open by {@link FsBackend.hold}: while held, its (dev, ino) names no other entry. */
export interface DirHold extends HeldDir {
  /** Device of the held directory. */
  readonly dev: bigint;
  /** Inode of the held directory. */
  readonly ino: bigint;
}

/** A filesystem the WASI layer can expose through preopens. */
export interface FsBackend {
  /** True when every method returns plain values (usable with native WebAssembly and "sync" mode). */
  readonly sync: boolean;
  /** Stat without following a final symlink. */
  lstat(path: string): MaybePromise<FileStat>;
  /** Stat following symlinks; used only for the host path of a preopened directory. Optional. */
  stat?(path: string): MaybePromise<FileStat>;
  /** The target of the symlink at `path` (EINVAL when it is not a symlink, ENOENT when missing). */
  readlink(path: string): MaybePromise<string>;
  /** Opens `path` (never following a final symlink: ELOOP if it is one). */
  open(path: string, options: OpenOptions): MaybePromise<FileHandle>;
  /** Lists a directory without "." and "..", in a stable order. */
  readdir(path: string): MaybePromise<DirEntry[]>;
  /** Creates a directory (EEXIST when the path exists, ENOENT/ENOTDIR for a bad parent). */
  mkdir(path: string): MaybePromise<void>;
  /** Removes an empty directory (ENOTEMPTY, ENOTDIR for a non-directory, ENOENT when missing). */
  rmdir(path: string): MaybePromise<void>;
  /** Removes a non-directory entry (a symlink itself, not its target; EISDIR/EPERM for a directory). */
  unlink(path: string): MaybePromise<void>;
  /** Renames `from` to `to`, replacing a compatible `to` (ENOTEMPTY, EISDIR, ENOTDIR, EINVAL into itself). */
  rename(from: string, to: string): MaybePromise<void>;
  /** Creates hard link `to` for the file at `from` (never following symlinks). */
  link(from: string, to: string): MaybePromise<void>;
  /** Creates a symlink at `path` whose contents are `target` (not checked; EEXIST when `path` exists). */
  symlink(target: string, path: string): MaybePromise<void>;
  /** Sets times in ns of the entry itself (a symlink is not followed); null leaves one unchanged. */
  setTimes(path: string, atim: bigint | null, mtim: bigint | null): MaybePromise<void>;
  /**
   * Keeps the directory at `path` open for a directory descriptor (`dir_anchor.ts`), following symlinks in `path`.
   * Optional: a backend that never reuses inode numbers and has no path aliases (MemoryFs) need not have it.
   */
  hold?(path: string): MaybePromise<DirHold>;
  /**
   * Opens the directory at `path` for the rest of one lookup (`path.ts`), not following a final symlink: null when
   * `path` is not a directory (a symlink or a file). Optional, like {@link hold}.
   */
  enter?(path: string): MaybePromise<HeldDir | null>;
}

/** Joins a backend directory path and a relative path made of plain components. */
export function joinPath(dir: string, name: string): string {
  if (name === "") return dir;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
