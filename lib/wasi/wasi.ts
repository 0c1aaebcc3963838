/**
 * WASI preview1 (`wasi_snapshot_preview1`, and the legacy `wasi_unstable`) for Kiln and for the host's native
 * `WebAssembly`. One implementation of each syscall, written as a generator over a filesystem backend: in "sync"
 * mode every backend call blocks and imports return plain numbers (usable with native WebAssembly); in "async"
 * mode imports may return Promises and a Kiln guest suspends while the event loop runs.
 *
 * The instance is used only through `exports.memory.buffer` (re-read after every suspension, since memory may
 * grow) and the exports `_start` / `_initialize`.
 *
 * @module
 */
import { WasiExit } from "../errors.ts";
import { Errno, WasiError } from "./errno.ts";
import {
  Advice,
  Clockid,
  Eventtype,
  Fdflags,
  Filetype,
  Fstflags,
  Lookupflags,
  Oflags,
  Riflags,
  Rights,
  RIGHTS_DIRECTORY_BASE,
  RIGHTS_DIRECTORY_INHERITING,
  RIGHTS_FILE_BASE,
  RIGHTS_SOCKET_BASE,
  Sdflags,
  Size,
  Subclockflags,
  Whence,
} from "./constants.ts";
import type { DirEntry, FileHandle, FileStat, FsBackend, HeldDir } from "./fs/fs_backend.ts";
import { hostIfLoaded, type HostModule, loadHost } from "./_host.ts";
import { drive, errnoOf, outOfBounds, type Syscall, wait } from "./_drive.ts";
import { acquirePathLock } from "./path_lock.ts";
import { traceImports } from "./_trace.ts";
import { synchronous } from "../runtime/func.ts";
import { recheckWalk, type Resolved, resolvePath } from "./path.ts";
import {
  anchorBelow,
  type DirAnchor,
  dirStat,
  locate,
  type Located,
  moveAnchors,
  pinRoot,
  type PreopenRoot,
  releaseAnchor,
  rootAnchor,
} from "./dir_anchor.ts";
import {
  bytesReader,
  type StdinOption,
  type StdoutOption,
  type WasiListener,
  type WasiReader,
  type WasiSocket,
  type WasiWriter,
} from "./streams.ts";

/** Options of {@link Wasi}. */
export interface WasiOptions {
  /** Command-line arguments, `argv[0]` first. */
  args?: string[];
  /** Environment variables the guest sees (nothing of the host's unless passed here). */
  env?: Record<string, string>;
  /** Guest directory name → backend directory path, e.g. `{ "/data": "./data" }`; preopened as fds 3, 4, … */
  preopens?: Record<string, string>;
  /**
   * The filesystem: "host" (node:fs, the default; loaded on first use, see {@link Wasi.ready}) or a backend such as
   * `new MemoryFs()`.
   */
  fs?: FsBackend | "host";
  /** "async" (default): imports may return Promises (Kiln). "sync": imports never suspend (native WebAssembly). */
  mode?: "async" | "sync";
  /** Standard input (default "inherit"). */
  stdin?: StdinOption;
  /** Standard output (default "inherit"). */
  stdout?: StdoutOption;
  /** Standard error (default "inherit"). */
  stderr?: StdoutOption;
  /** Pre-opened listening sockets, given to the guest as fds after the preopened directories. */
  listeners?: WasiListener[];
  /**
   * Traces every WASI call, as strace does: one line per call when it returns (an async call when it settles) with
   * its name, decoded arguments (paths read from guest memory, iovecs with their total length, pointers in hex),
   * the errno's name, the values written to its out-pointers and the time taken, e.g.
   * `[wasi] fd_write(fd=1, iovs=0x1ffd8[1] 13 bytes, nwritten=0x1ffd4) = ESUCCESS nwritten=13 (0.031 ms)`.
   * `true` writes the lines to the host's stderr (`console.error`); a function receives each line instead (no
   * final newline). Off by default, and then the imports are not wrapped at all: tracing costs nothing when off.
   *
   * @example Collecting the calls a guest makes
   * ```ts
   * import { instantiate } from "../../mod.ts";
   * import { Wasi } from "../../wasi.ts";
   * const lines: string[] = [];
   * const wasi = new Wasi({ stdout: "null", trace: (line) => lines.push(line) });
   * const { instance } = await instantiate(
   *   `(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
   *     (memory (export "memory") 1) (data (i32.const 8) "\\10\\00\\00\\00\\02\\00\\00\\00hi")
   *     (func (export "_start") (drop (call $w (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))))`,
   *   wasi.getImportObject(),
   * );
   * await wasi.start(instance);
   * if (!lines[0].startsWith("[wasi] fd_write(fd=1, iovs=0x8[1] 2 bytes, nwritten=0x0) = ESUCCESS nwritten=2 (")) {
   *   throw new Error(lines[0]);
   * }
   * ```
   */
  trace?: boolean | ((line: string) => void);
}

/** What {@link Wasi.start} needs of an instance (a Kiln or a native one). */
export interface WasiInstance {
  /** The instance's exports: `memory` (an object with a `buffer`), and `_start` or `_initialize` to run. */
  exports: Record<string, unknown>;
}

type Kind = "file" | "dir" | "stream" | "socket" | "listener";

/** What one path call holds until it ends: the path lock (asynchronous backends) and its lookups' directories. */
interface PathCall {
  /** Gives the path lock back; null when not held. */
  unlock: (() => void) | null;
  /** Directories the lookups entered (path.ts), released when the call ends. */
  holds: HeldDir[];
}

/** One entry of the descriptor table. */
interface FdEntry {
  kind: Kind;
  filetype: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
  fdflags: number;
  /** Where a directory is (directories only; dir_anchor.ts): never a bare path, which the guest could redirect. */
  anchor?: DirAnchor;
  handle?: FileHandle;
  /** Current offset (files). */
  position: bigint;
  /** Guest name of a preopened directory. */
  preopen?: string;
  reader?: WasiReader;
  writer?: WasiWriter;
  socket?: WasiSocket;
  listener?: WasiListener;
  /** Directory listing ("." and ".." first) taken at the last fd_readdir with cookie 0. */
  listing?: DirEntry[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const I64_MAX = (1n << 63n) - 1n;

/** Realtime clock in ns. */
function realtimeNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

/** Monotonic clock in ns. */
function monotonicNs(): bigint {
  return BigInt(Math.round(performance.now() * 1e6));
}

/** CPU time of the process in ns where the host tells it, else time since start. */
function cputimeNs(): bigint {
  const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (proc?.cpuUsage) {
    const u = proc.cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  }
  return monotonicNs();
}

/** Sleeps without busy-waiting: a timer in async mode, `Atomics.wait` on a private buffer in sync mode. */
function sleepNs(ns: bigint, allowAsync: boolean): void | Promise<void> {
  if (ns <= 0n) return;
  const ms = Number(ns) / 1e6;
  if (allowAsync) return new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Yields one macrotask (timers and I/O callbacks run): setImmediate where the host has it, else a 0 ms timer. */
function macrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  return new Promise((resolve) => g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0));
}

/** Whether a stdio option is the host's stream (which needs the host module). */
function isInherit(opt: StdinOption | StdoutOption | undefined): boolean {
  return opt === undefined || opt === "inherit";
}

function makeWriter(opt: StdoutOption | undefined, hostFd: 1 | 2, host: HostModule | null): WasiWriter {
  if (opt === undefined || opt === "inherit") {
    const hostStdio = host!.hostStdio;
    return { write: (d) => hostStdio.write(hostFd, d), isatty: hostStdio.isatty(hostFd) };
  }
  if (opt === "null") return { write: () => {} };
  if (typeof opt === "function") return { write: opt };
  return opt;
}

/**
 * Host stdin for async mode: reads go through the thread pool, and readiness (for poll_oneoff) is known by
 * reading ahead into a buffer that the next read drains first. A read-ahead cannot be cancelled: while it waits
 * for input it keeps the event loop alive, so a host that is done should exit explicitly (the CLI does).
 */
function asyncHostStdin(hostStdio: HostModule["hostStdio"]): WasiReader {
  let buffered: Uint8Array | null = null;
  let pending: Promise<void> | null = null;
  const fill = () =>
    pending ??= hostStdio.readAsync(65536).then((b) => {
      buffered = b;
      pending = null;
    });
  const take = (max: number): Uint8Array => {
    const b = buffered!;
    const out = b.subarray(0, max);
    buffered = out.length < b.length ? b.subarray(out.length) : null;
    return out;
  };
  return {
    read(max: number) {
      if (buffered) return take(max);
      return fill().then(() => take(max));
    },
    ready() {
      if (buffered) return;
      return fill();
    },
    isatty: hostStdio.isatty(0),
  };
}

function makeReader(opt: StdinOption | undefined, allowAsync: boolean, host: HostModule | null): WasiReader {
  if (opt === undefined || opt === "inherit") {
    const hostStdio = host!.hostStdio;
    return allowAsync
      ? asyncHostStdin(hostStdio)
      : { read: (max: number) => hostStdio.read(max), isatty: hostStdio.isatty(0) };
  }
  if (opt === "null") return bytesReader(new Uint8Array(0));
  if (typeof opt === "string") return bytesReader(encoder.encode(opt));
  if (opt instanceof Uint8Array) return bytesReader(opt);
  return opt;
}

/**
 * A WASI preview1 environment: arguments, environment, preopened directories and sockets, stdio, and the
 * import object that serves them. The host backend (`node:fs`, for `fs: "host"` and "inherit" stdio) loads on first
 * use: `start`/`initialize` wait for it; a host that calls `bind` in sync mode awaits {@link Wasi.ready} first.
 *
 * @example Running a WASI command with native WebAssembly
 * ```ts
 * import { Wasi } from "../../wasi.ts";
 * const wasi = new Wasi({ args: ["app"], mode: "sync", stdout: (d) => console.log(new TextDecoder().decode(d)) });
 * // const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject());
 * // const code = await wasi.start(instance);
 * console.log(typeof wasi.getImportObject().wasi_snapshot_preview1.fd_write); // "function"
 * ```
 */
export class Wasi {
  private readonly args: Uint8Array[];
  private readonly env: Uint8Array[];
  private backend!: FsBackend;
  /**
   * Set-up that needs the host module (`fs: "host"` or an "inherit" stdio stream), waiting for it to load; null
   * once done (or when nothing needs the host).
   */
  private hostSetup: ((host: HostModule) => void) | null = null;
  private readying: Promise<void> | null = null;
  private readonly allowAsync: boolean;
  private readonly fds = new Map<number, FdEntry>();
  /** The preopened directories, pinned before the guest's first syscall (dir_anchor.ts). */
  private readonly roots: PreopenRoot[] = [];
  /** Whether every preopen is pinned. */
  private rootsPinned = false;
  /** The path call running now (under the path lock, or synchronously), whose lookups' holds are collected. */
  private pathCall: PathCall | null = null;
  /** Closed descriptor numbers, reused highest first. */
  private readonly freeFds = new Set<number>();
  private memory: { buffer: ArrayBuffer } | null = null;
  private view: DataView | null = null;
  private imports: Record<string, Record<string, (...a: never[]) => unknown>> | null = null;
  /** Where trace lines go (`trace` option), or null when calls are not traced. */
  private readonly traceLine: ((line: string) => void) | null;

  /**
   * Creates an environment. Nothing runs and no host module loads here: with `fs: "host"` (the default) or an
   * "inherit" stdio stream, the host backend loads in {@link Wasi.ready} (which `start` awaits).
   *
   * @param options arguments, environment, preopens, filesystem, mode and stdio
   * @throws TypeError in sync mode with an asynchronous backend
   */
  constructor(options: WasiOptions = {}) {
    this.args = (options.args ?? []).map((a) => encoder.encode(`${a}\0`));
    this.env = Object.entries(options.env ?? {}).map(([k, v]) => encoder.encode(`${k}=${v}\0`));
    const mode = options.mode ?? "async";
    this.traceLine = typeof options.trace === "function"
      ? options.trace
      : options.trace
      ? (line) => console.error(line)
      : null;
    this.allowAsync = mode === "async";
    const hostFs = options.fs === undefined || options.fs === "host";
    if (!hostFs) {
      this.backend = options.fs as FsBackend;
      if (!this.allowAsync && !this.backend.sync) {
        throw new TypeError("Wasi in sync mode needs a synchronous backend");
      }
    }
    const stream = (fd: number, reader?: WasiReader, writer?: WasiWriter) => {
      const tty = (reader ?? writer)!.isatty ?? false;
      this.fds.set(fd, {
        kind: "stream",
        filetype: tty ? Filetype.CHARACTER_DEVICE : Filetype.UNKNOWN,
        rightsBase: (reader ? Rights.FD_READ : Rights.FD_WRITE) | Rights.FD_FDSTAT_SET_FLAGS |
          Rights.FD_FILESTAT_GET | Rights.POLL_FD_READWRITE,
        rightsInheriting: 0n,
        fdflags: 0,
        position: 0n,
        reader,
        writer,
      });
    };
    const setup = (host: HostModule | null) => {
      if (hostFs) this.backend = new host!.NodeFs({ sync: mode === "sync" });
      stream(0, makeReader(options.stdin, this.allowAsync, host));
      stream(1, undefined, makeWriter(options.stdout, 1, host));
      stream(2, undefined, makeWriter(options.stderr, 2, host));
    };
    // Why: the host module (node:fs) is loaded only when something uses it; see ready().
    const host = hostIfLoaded();
    if (host || !(hostFs || isInherit(options.stdin) || isInherit(options.stdout) || isInherit(options.stderr))) {
      setup(host);
    } else {
      this.hostSetup = setup;
    }
    let fd = 3;
    for (const [guest, hostDir] of Object.entries(options.preopens ?? {})) {
      const root: PreopenRoot = { path: hostDir, id: null, pinned: false, hold: null };
      this.roots.push(root);
      this.fds.set(fd++, {
        kind: "dir",
        filetype: Filetype.DIRECTORY,
        rightsBase: RIGHTS_DIRECTORY_BASE,
        rightsInheriting: RIGHTS_DIRECTORY_INHERITING,
        fdflags: 0,
        anchor: rootAnchor(root),
        position: 0n,
        preopen: guest,
      });
    }
    for (const listener of options.listeners ?? []) {
      this.fds.set(fd++, {
        kind: "listener",
        filetype: Filetype.SOCKET_STREAM,
        rightsBase: RIGHTS_SOCKET_BASE,
        rightsInheriting: RIGHTS_SOCKET_BASE,
        fdflags: 0,
        position: 0n,
        listener,
      });
    }
  }

  /**
   * The imports to instantiate a WASI module with: `wasi_snapshot_preview1` and `wasi_unstable` (wrapped to trace
   * each call when the `trace` option is set).
   *
   * @returns the import object (the same object on every call)
   */
  getImportObject(): {
    wasi_snapshot_preview1: Record<string, (...a: never[]) => unknown>;
    wasi_unstable: Record<string, (...a: never[]) => unknown>;
  } {
    if (!this.imports) {
      this.imports = { wasi_snapshot_preview1: this.makeImports(false), wasi_unstable: this.makeImports(true) };
      const write = this.traceLine;
      if (write !== null) {
        // Why only here: untraced imports stay the plain functions, with no per-call check.
        const target = { memory: () => this.memory?.buffer ?? null, write };
        this.imports = {
          wasi_snapshot_preview1: traceImports(this.imports.wasi_snapshot_preview1, target, { unstable: false }),
          wasi_unstable: traceImports(this.imports.wasi_unstable, target, { unstable: true }),
        };
      }
      // Why: in sync mode no WASI function returns a Promise; declared so, the native engine calls them directly.
      if (!this.allowAsync) {
        for (const ns of Object.values(this.imports)) for (const fn of Object.values(ns)) synchronous(fn);
      }
    }
    return this.imports as ReturnType<Wasi["getImportObject"]>;
  }

  /**
   * Binds the instance's memory without running anything (for a host that calls exports itself).
   *
   * @param instance the instance (its `exports.memory` must exist)
   */
  bind(instance: WasiInstance): void {
    if (this.hostSetup !== null && !this.allowAsync) {
      throw new Error("Wasi in sync mode uses the host filesystem or stdio: await wasi.ready() before bind()");
    }
    const memory = instance.exports.memory as { buffer: ArrayBuffer } | undefined;
    if (!memory || typeof memory !== "object" || !("buffer" in memory)) {
      throw new TypeError("WASI module must export a memory named `memory`");
    }
    this.memory = memory;
    this.view = null;
  }

  /**
   * Runs a command: calls `_start` and returns its exit code (the `proc_exit` code, or 0 when `_start` returns).
   * A trap or a host exception propagates.
   *
   * @param instance the instance
   * @returns the exit code
   */
  async start(instance: WasiInstance): Promise<number> {
    await this.ready();
    this.bind(instance);
    const start = instance.exports._start as ((...a: unknown[]) => unknown) | undefined;
    if (typeof start !== "function") throw new TypeError("WASI command must export a function named `_start`");
    try {
      await start();
      return 0;
    } catch (e) {
      if (e instanceof WasiExit) return e.code;
      throw e;
    }
  }

  /**
   * Initializes a reactor: calls `_initialize` when exported.
   *
   * @param instance the instance
   */
  async initialize(instance: WasiInstance): Promise<void> {
    await this.ready();
    this.bind(instance);
    const init = instance.exports._initialize as ((...a: unknown[]) => unknown) | undefined;
    if (typeof init === "function") await init();
  }

  /**
   * Loads what this environment needs of the host, if anything: with `fs: "host"` (the default) or an "inherit"
   * stdio stream, the `node:fs` backend (`fs/node_fs.ts`) is imported dynamically the first time it is needed, so
   * a `Wasi` on a `MemoryFs` with its own stdio never loads `node:fs`. `start` and `initialize` call this; in
   * async mode a syscall made before it finished waits for it; in sync mode (native WebAssembly, where a syscall
   * cannot wait) call it yourself before `bind`. Resolves at once when nothing is needed or the module is loaded.
   *
   * @returns a Promise that resolves when the environment is ready
   *
   * @example Readying a sync-mode environment before binding it
   * ```ts
   * import { Wasi } from "../../wasi.ts";
   * const wasi = new Wasi({ mode: "sync", stdout: "null", stderr: "null", stdin: "null" });
   * await wasi.ready();
   * wasi.bind({ exports: { memory: new WebAssembly.Memory({ initial: 1 }) } });
   * ```
   */
  ready(): Promise<void> {
    const setup = this.hostSetup;
    if (setup === null) return Promise.resolve();
    return this.readying ??= loadHost().then((host) => {
      setup(host);
      this.hostSetup = null;
    });
  }

  // ---- guest memory -------------------------------------------------------------------------------------------

  /** A DataView of guest memory, re-created when memory grew (its buffer changed). */
  private dv(): DataView {
    if (!this.memory) throw new Error("WASI used before start() or bind()");
    const buf = this.memory.buffer;
    if (this.view === null || this.view.buffer !== buf) this.view = new DataView(buf);
    return this.view;
  }

  /** A view of `len` guest bytes at `ptr`; traps ("out of bounds memory access") when out of bounds, as Wasmtime. */
  private bytes(ptr: number, len: number): Uint8Array {
    const dv = this.dv();
    if (ptr < 0 || len < 0 || ptr + len > dv.byteLength) throw outOfBounds();
    return new Uint8Array(dv.buffer, ptr, len);
  }

  /** A UTF-8 string from guest memory; EILSEQ when not valid UTF-8. */
  private string(ptr: number, len: number): string {
    const bytes = this.bytes(ptr, len);
    try {
      return decoder.decode(bytes);
    } catch {
      throw new WasiError(Errno.ILSEQ, "path is not valid UTF-8");
    }
  }

  /**
   * Reads and bounds-checks an iovec array. Only addresses are kept: a view would go stale (detached) if memory
   * grows while the syscall is suspended, so callers re-derive views with `bytes()` after every suspension.
   */
  private iovecs(ptr: number, count: number): { ptr: number; length: number }[] {
    const dv = this.dv();
    const out: { ptr: number; length: number }[] = [];
    for (let i = 0; i < count; i++) {
      const base = dv.getUint32(ptr + i * Size.IOVEC, true);
      const len = dv.getUint32(ptr + i * Size.IOVEC + 4, true);
      this.bytes(base, len);
      out.push({ ptr: base, length: len });
    }
    return out;
  }

  /** Writes a filestat: 64 bytes (preview1) or 56 bytes with a u32 nlink (wasi_unstable); see `Size`. */
  private writeFilestat(ptr: number, st: FileStat, unstable: boolean): void {
    const dv = this.dv();
    this.bytes(ptr, unstable ? Size.FILESTAT_UNSTABLE : Size.FILESTAT).fill(0);
    dv.setBigUint64(ptr, st.dev, true);
    dv.setBigUint64(ptr + 8, st.ino, true);
    dv.setUint8(ptr + 16, st.filetype);
    if (unstable) {
      dv.setUint32(ptr + 20, Number(st.nlink & 0xffffffffn), true);
      dv.setBigUint64(ptr + 24, st.size, true);
      dv.setBigUint64(ptr + 32, st.atim, true);
      dv.setBigUint64(ptr + 40, st.mtim, true);
      dv.setBigUint64(ptr + 48, st.ctim, true);
    } else {
      dv.setBigUint64(ptr + 24, st.nlink, true);
      dv.setBigUint64(ptr + 32, st.size, true);
      dv.setBigUint64(ptr + 40, st.atim, true);
      dv.setBigUint64(ptr + 48, st.mtim, true);
      dv.setBigUint64(ptr + 56, st.ctim, true);
    }
  }

  // ---- descriptor table ---------------------------------------------------------------------------------------

  /**
   * The entry for `fd`. Checks run in Wasmtime's order: EBADF when closed or (with `kinds`) of a kind the call
   * does not take, then ENOTCAPABLE when it lacks any of `rights`.
   */
  private entry(fd: number, rights = 0n, kinds?: readonly Kind[]): FdEntry {
    const e = this.fds.get(fd);
    if (!e) throw new WasiError(Errno.BADF, "bad file descriptor");
    if (kinds && !kinds.includes(e.kind)) throw new WasiError(Errno.BADF, "wrong kind of descriptor");
    return this.need(e, rights);
  }

  /** ENOTCAPABLE unless `e` holds every right in `rights`. */
  private need(e: FdEntry, rights: bigint): FdEntry {
    if ((e.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE, "missing rights");
    return e;
  }

  /**
   * A directory entry for a path syscall: EBADF unless `fd` is an open directory (ENOTDIR for a file given to
   * path_open, as Wasmtime), then ENOTCAPABLE without `rights`.
   */
  private dirEntry(fd: number, rights: bigint, forOpen = false): FdEntry {
    const e = this.fds.get(fd);
    if (!e) throw new WasiError(Errno.BADF, "bad file descriptor");
    if (e.kind !== "dir") throw new WasiError(forOpen && e.kind === "file" ? Errno.NOTDIR : Errno.BADF);
    return this.need(e, rights);
  }

  /** Numbers a new descriptor as Wasmtime does: the highest freed number first, else one past the highest used. */
  private allocFd(entry: FdEntry): number {
    let fd: number;
    if (this.freeFds.size > 0) {
      fd = Math.max(...this.freeFds);
      this.freeFds.delete(fd);
    } else {
      fd = this.fds.size === 0 ? 0 : Math.max(...this.fds.keys()) + 1;
    }
    this.fds.set(fd, entry);
    return fd;
  }

  /** Removes `fd` from the table, remembering its number for reuse. */
  private releaseFd(fd: number): void {
    this.fds.delete(fd);
    this.freeFds.add(fd);
  }

  /** Where a directory descriptor's directory is now, checked (dir_anchor.ts); ENOENT when it is gone. */
  private *located(e: FdEntry): Generator<unknown, Located, unknown> {
    return yield* locate(this.backend, e.anchor!);
  }

  /**
   * Runs a path syscall: on an asynchronous backend under the process-wide path lock (path_lock.ts) from resolution
   * to the operation; the directories its lookups entered are released when it ends.
   */
  private *inPathCall(body: Syscall): Syscall {
    const call: PathCall = { unlock: null, holds: [] };
    if (!this.backend.sync) call.unlock = yield* acquirePathLock();
    this.pathCall = call;
    try {
      return yield* body;
    } finally {
      if (this.pathCall === call) this.pathCall = null;
      call.unlock?.();
      for (const h of call.holds.splice(0)) yield* wait(h.release());
    }
  }

  /**
   * Gives the path lock back before a host call that may block for long (path_lock.ts); the call's holds stay
   * until it ends.
   */
  private unlockPathCall(): void {
    const call = this.pathCall;
    if (!call) return;
    this.pathCall = null;
    call.unlock?.();
    call.unlock = null;
  }

  /** Pins every preopen to the directory it names (dir_anchor.ts `pinRoot`); runs before the first syscall. */
  private *pinPreopens(): Syscall {
    for (const root of this.roots) yield* pinRoot(this.backend, root);
    this.rootsPinned = true;
    return Errno.SUCCESS;
  }

  /**
   * Stat of where a path resolved to. A path naming a directory through "." or ".." (name null) may name the
   * preopen itself, whose host path can be a symlink, so that one is stat'ed through the link.
   */
  private *statResolved(r: Resolved): Generator<unknown, FileStat, unknown> {
    if (r.stat) return r.stat;
    if (r.name === null && this.backend.stat) return yield* wait(this.backend.stat(r.path));
    return yield* wait(this.backend.lstat(r.path));
  }

  /** Stat of any descriptor; streams and sockets report their filetype and zeros (as Wasmtime's stdio). */
  private *statOf(e: FdEntry): Generator<unknown, FileStat, unknown> {
    if (e.kind === "file") return yield* wait(e.handle!.stat());
    if (e.kind === "dir") return yield* dirStat(this.backend, yield* this.located(e));
    return { filetype: e.filetype, dev: 0n, ino: 0n, nlink: 0n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }

  /** Reads a guest path and resolves it inside the directory descriptor `dir` (path.ts). */
  private *resolve(
    dir: FdEntry,
    pathPtr: number,
    pathLen: number,
    follow: boolean,
  ): Generator<unknown, Resolved, unknown> {
    const guestPath = this.string(pathPtr, pathLen);
    const { path } = yield* this.located(dir);
    return yield* resolvePath(this.backend, path, guestPath, follow, this.pathCall?.holds);
  }

  // ---- import object ------------------------------------------------------------------------------------------

  /** One import module; `unstable` selects wasi_unstable's whence numbering and struct layouts. */
  private makeImports(unstable: boolean): Record<string, (...a: never[]) => unknown> {
    const wrap = <A extends unknown[]>(fn: (...a: A) => Syscall | number) => (...a: A): number | Promise<number> => {
      if (this.hostSetup !== null) {
        // Why: the host backend is still loading (bind() without ready()); in sync mode bind() refused this.
        if (!this.allowAsync) throw new Error("WASI call before `await wasi.ready()` in sync mode");
        return this.ready().then(() => call(fn, a));
      }
      return call(fn, a);
    };
    const call = <A extends unknown[]>(fn: (...a: A) => Syscall | number, a: A): number | Promise<number> => {
      if (!this.rootsPinned) {
        // Why: before the guest can touch the tree, fix which directories its preopens are (dir_anchor.ts).
        const pinned = drive(this.pinPreopens(), this.allowAsync);
        if (typeof pinned !== "number") return pinned.then(() => call(fn, a));
      }
      let r: Syscall | number;
      try {
        r = fn.apply(this, a);
      } catch (e) {
        return errnoOf(e);
      }
      return typeof r === "number" ? r : drive(r, this.allowAsync);
    };
    const pathWrap = <A extends unknown[]>(fn: (...a: A) => Syscall) =>
      wrap((...a: A) => this.inPathCall(fn.apply(this, a)));
    const u = (n: number) => n >>> 0;
    const u64 = (n: bigint) => BigInt.asUintN(64, BigInt(n));
    return {
      args_get: wrap((argv: number, buf: number) => this.argsGet(this.args, u(argv), u(buf))),
      args_sizes_get: wrap((count: number, size: number) => this.sizesGet(this.args, u(count), u(size))),
      environ_get: wrap((env: number, buf: number) => this.argsGet(this.env, u(env), u(buf))),
      environ_sizes_get: wrap((count: number, size: number) => this.sizesGet(this.env, u(count), u(size))),
      clock_res_get: wrap((id: number, out: number) => this.clockResGet(u(id), u(out))),
      clock_time_get: wrap((id: number, precision: bigint, out: number) =>
        this.clockTimeGet(u(id), u64(precision), u(out))
      ),
      fd_advise: wrap((fd: number, offset: bigint, len: bigint, advice: number) =>
        this.fdAdvise(u(fd), u64(offset), u64(len), advice & 0xff)
      ),
      fd_allocate: wrap((fd: number, offset: bigint, len: bigint) => this.fdAllocate(u(fd), u64(offset), u64(len))),
      fd_close: wrap((fd: number) => this.fdClose(u(fd))),
      fd_datasync: wrap((fd: number) => this.fdSync(u(fd), true)),
      fd_fdstat_get: wrap((fd: number, out: number) => this.fdFdstatGet(u(fd), u(out))),
      fd_fdstat_set_flags: wrap((fd: number, flags: number) => this.fdFdstatSetFlags(u(fd), flags & 0xffff)),
      fd_fdstat_set_rights: wrap((fd: number, base: bigint, inh: bigint) =>
        this.fdFdstatSetRights(u(fd), u64(base), u64(inh))
      ),
      fd_filestat_get: wrap((fd: number, out: number) => this.fdFilestatGet(u(fd), u(out), unstable)),
      fd_filestat_set_size: wrap((fd: number, size: bigint) => this.fdFilestatSetSize(u(fd), u64(size))),
      fd_filestat_set_times: wrap((fd: number, atim: bigint, mtim: bigint, flags: number) =>
        this.fdFilestatSetTimes(u(fd), u64(atim), u64(mtim), flags & 0xffff)
      ),
      fd_pread: wrap((fd: number, iovs: number, n: number, offset: bigint, out: number) =>
        this.fdRead(u(fd), u(iovs), u(n), u64(offset), u(out))
      ),
      fd_prestat_get: wrap((fd: number, out: number) => this.fdPrestatGet(u(fd), u(out))),
      fd_prestat_dir_name: wrap((fd: number, buf: number, len: number) => this.fdPrestatDirName(u(fd), u(buf), u(len))),
      fd_pwrite: wrap((fd: number, iovs: number, n: number, offset: bigint, out: number) =>
        this.fdWrite(u(fd), u(iovs), u(n), u64(offset), u(out))
      ),
      fd_read: wrap((fd: number, iovs: number, n: number, out: number) =>
        this.fdRead(u(fd), u(iovs), u(n), null, u(out))
      ),
      fd_readdir: pathWrap((fd: number, buf: number, len: number, cookie: bigint, out: number) =>
        this.fdReaddir(u(fd), u(buf), u(len), u64(cookie), u(out))
      ),
      fd_renumber: wrap((from: number, to: number) => this.fdRenumber(u(from), u(to))),
      fd_seek: wrap((fd: number, offset: bigint, whence: number, out: number) =>
        this.fdSeek(
          u(fd),
          BigInt.asIntN(64, BigInt(offset)),
          unstable ? [1, 2, 0][whence & 0xff] ?? 255 : whence & 0xff,
          u(out),
        )
      ),
      fd_sync: wrap((fd: number) => this.fdSync(u(fd), false)),
      fd_tell: wrap((fd: number, out: number) => this.fdSeek(u(fd), 0n, Whence.CUR, u(out))),
      fd_write: wrap((fd: number, iovs: number, n: number, out: number) =>
        this.fdWrite(u(fd), u(iovs), u(n), null, u(out))
      ),
      path_create_directory: pathWrap((fd: number, p: number, pl: number) =>
        this.pathCreateDirectory(u(fd), u(p), u(pl))
      ),
      path_filestat_get: pathWrap((fd: number, flags: number, p: number, pl: number, out: number) =>
        this.pathFilestatGet(u(fd), u(flags), u(p), u(pl), u(out), unstable)
      ),
      path_filestat_set_times: pathWrap((
        fd: number,
        flags: number,
        p: number,
        pl: number,
        a: bigint,
        m: bigint,
        f: number,
      ) => this.pathFilestatSetTimes(u(fd), u(flags), u(p), u(pl), u64(a), u64(m), f & 0xffff)),
      path_link: pathWrap((ofd: number, flags: number, op: number, opl: number, nfd: number, np: number, npl: number) =>
        this.pathLink(u(ofd), u(flags), u(op), u(opl), u(nfd), u(np), u(npl))
      ),
      path_open: pathWrap((
        fd: number,
        dirflags: number,
        p: number,
        pl: number,
        oflags: number,
        base: bigint,
        inh: bigint,
        fdflags: number,
        out: number,
      ) =>
        this.pathOpen(u(fd), u(dirflags), u(p), u(pl), oflags & 0xffff, u64(base), u64(inh), fdflags & 0xffff, u(out))
      ),
      path_readlink: pathWrap((fd: number, p: number, pl: number, buf: number, len: number, out: number) =>
        this.pathReadlink(u(fd), u(p), u(pl), u(buf), u(len), u(out))
      ),
      path_remove_directory: pathWrap((fd: number, p: number, pl: number) =>
        this.pathRemoveDirectory(u(fd), u(p), u(pl))
      ),
      path_rename: pathWrap((fd: number, op: number, opl: number, nfd: number, np: number, npl: number) =>
        this.pathRename(u(fd), u(op), u(opl), u(nfd), u(np), u(npl))
      ),
      path_symlink: pathWrap((op: number, opl: number, fd: number, np: number, npl: number) =>
        this.pathSymlink(u(op), u(opl), u(fd), u(np), u(npl))
      ),
      path_unlink_file: pathWrap((fd: number, p: number, pl: number) => this.pathUnlinkFile(u(fd), u(p), u(pl))),
      poll_oneoff: wrap((inp: number, out: number, n: number, nout: number) =>
        this.pollOneoff(u(inp), u(out), u(n), u(nout), unstable)
      ),
      // `proc_exit(rval)`: ends the program with `rval` by throwing WasiExit through the wasm stack (start()
      // catches it; the host process never exits). Codes are passed as given (u32): a CLI decides what to do with
      // ones outside 0..125, as Wasmtime rejects those.
      proc_exit: (code: number) => {
        throw new WasiExit(code >>> 0);
      },
      proc_raise: wrap((_sig: number) => this.procRaise()),
      sched_yield: wrap(() => this.schedYield()),
      random_get: wrap((buf: number, len: number) => this.randomGet(u(buf), u(len))),
      sock_accept: wrap((fd: number, flags: number, out: number) => this.sockAccept(u(fd), flags & 0xffff, u(out))),
      sock_recv: wrap((fd: number, iovs: number, n: number, flags: number, out: number, oflags: number) =>
        this.sockRecv(u(fd), u(iovs), u(n), flags & 0xffff, u(out), u(oflags))
      ),
      sock_send: wrap((fd: number, iovs: number, n: number, _flags: number, out: number) =>
        this.sockSend(u(fd), u(iovs), u(n), u(out))
      ),
      sock_shutdown: wrap((fd: number, how: number) => this.sockShutdown(u(fd), how & 0xff)),
    } as unknown as Record<string, (...a: never[]) => unknown>;
  }

  // ---- args, environ, clocks, random, process -----------------------------------------------------------------

  /**
   * `args_get(argv, argv_buf)` / `environ_get(environ, environ_buf)`: writes one u32 pointer per string at
   * `ptrs` and the NUL-terminated UTF-8 strings back to back at `buf`. Errno: none; a pointer outside memory
   * traps ("out of bounds memory access"), as in every call here.
   */
  private argsGet(list: Uint8Array[], ptrs: number, buf: number): number {
    const dv = this.dv();
    let off = buf;
    list.forEach((s, i) => {
      dv.setUint32(ptrs + i * 4, off, true);
      this.bytes(off, s.length).set(s);
      off += s.length;
    });
    return Errno.SUCCESS;
  }

  /**
   * `args_sizes_get(count, size)` / `environ_sizes_get(count, size)`: writes the u32 number of strings at `count`
   * and the u32 total of their bytes (NULs included) at `size`. Errno: none.
   */
  private sizesGet(list: Uint8Array[], countPtr: number, sizePtr: number): number {
    const dv = this.dv();
    dv.setUint32(countPtr, list.length, true);
    dv.setUint32(sizePtr, list.reduce((n, s) => n + s.length, 0), true);
    return Errno.SUCCESS;
  }

  /**
   * `clock_res_get(id, out)`: writes the u64 resolution in ns (1000 for every clock: the hosts' timers are
   * microsecond-grained at best). Errno: EINVAL for an unknown clock id (> 3).
   */
  private clockResGet(id: number, out: number): number {
    if (id > Clockid.THREAD_CPUTIME_ID) return Errno.INVAL;
    this.dv().setBigUint64(out, 1000n, true);
    return Errno.SUCCESS;
  }

  /**
   * `clock_time_get(id, precision, out)`: writes the u64 time of clock `id` in ns (realtime: since the Unix epoch;
   * monotonic: since the host started timing; cputime: the process's CPU time where the host tells it). `precision`
   * is a hint and ignored. Errno: EINVAL for an unknown clock id (> 3).
   */
  private clockTimeGet(id: number, _precision: bigint, out: number): number {
    const t = this.clockNow(id);
    if (t === null) return Errno.INVAL;
    this.dv().setBigUint64(out, t, true);
    return Errno.SUCCESS;
  }

  /** The time of clock `id` in ns, or null for an unknown clock. */
  private clockNow(id: number): bigint | null {
    switch (id) {
      case Clockid.REALTIME:
        return realtimeNs();
      case Clockid.MONOTONIC:
        return monotonicNs();
      case Clockid.PROCESS_CPUTIME_ID:
      case Clockid.THREAD_CPUTIME_ID:
        return cputimeNs();
      default:
        return null;
    }
  }

  /**
   * `random_get(buf, len)`: writes `len` random bytes at `buf` (crypto.getRandomValues, 65536 bytes at a time, its
   * limit per call). Errno: none.
   */
  private randomGet(buf: number, len: number): number {
    const dst = this.bytes(buf, len);
    for (let off = 0; off < len; off += 65536) {
      const chunk = new Uint8Array(Math.min(65536, len - off));
      crypto.getRandomValues(chunk);
      dst.set(chunk, off);
    }
    return Errno.SUCCESS;
  }

  /** `proc_raise(sig)`: signals are not supported; Errno: ENOTSUP. */
  private procRaise(): number {
    return Errno.NOTSUP;
  }

  /** `sched_yield()`: in async mode yields a macrotask (timers and I/O run); a no-op in sync mode. Errno: none. */
  private *schedYield(): Syscall {
    if (this.allowAsync) yield* wait(macrotask());
    return Errno.SUCCESS;
  }

  // ---- fd_* ---------------------------------------------------------------------------------------------------

  /**
   * `fd_advise(fd, offset, len, advice)`: advisory, validated then ignored. Errno: EINVAL for advice > 5 or
   * offset+len overflowing, EBADF unless a file, ENOTCAPABLE without FD_ADVISE.
   */
  private fdAdvise(fd: number, offset: bigint, len: bigint, advice: number): number {
    if (advice > Advice.NOREUSE) return Errno.INVAL;
    this.entry(fd, Rights.FD_ADVISE, ["file"]);
    if (offset + len > I64_MAX) return Errno.INVAL;
    return Errno.SUCCESS;
  }

  /**
   * `fd_allocate(fd, offset, len)`: extends the file to at least offset+len bytes (zero-filled), as
   * posix_fallocate (Wasmtime answers ENOTSUP; Kiln implements it). Errno: EBADF unless a file, ENOTCAPABLE
   * without FD_ALLOCATE, EINVAL for len 0, EFBIG past 2^63.
   */
  private *fdAllocate(fd: number, offset: bigint, len: bigint): Syscall {
    const e = this.entry(fd, Rights.FD_ALLOCATE, ["file"]);
    if (len === 0n) return Errno.INVAL;
    const end = offset + len;
    if (end > I64_MAX) return Errno.FBIG;
    const st = yield* wait(e.handle!.stat());
    if (end > st.size) yield* wait(e.handle!.truncate(Number(end)));
    return Errno.SUCCESS;
  }

  /** `fd_close(fd)`: closes any descriptor, preopens included. Errno: EBADF. */
  private *fdClose(fd: number): Syscall {
    const e = this.entry(fd);
    this.releaseFd(fd);
    if (e.handle) yield* wait(e.handle.close());
    if (e.anchor) yield* releaseAnchor(e.anchor);
    if (e.socket) yield* wait(e.socket.close());
    if (e.listener) yield* wait(e.listener.close());
    return Errno.SUCCESS;
  }

  /** `fd_sync(fd)` / `fd_datasync(fd)`: flushes a file. Errno: EBADF unless a file, ENOTCAPABLE without FD_SYNC/FD_DATASYNC. */
  private *fdSync(fd: number, dataOnly: boolean): Syscall {
    const e = this.entry(fd, dataOnly ? Rights.FD_DATASYNC : Rights.FD_SYNC, ["file"]);
    yield* wait(dataOnly ? e.handle!.datasync() : e.handle!.sync());
    return Errno.SUCCESS;
  }

  /** `fd_fdstat_get(fd, out)`: writes the 24-byte fdstat (filetype, fdflags, base and inheriting rights). Errno: EBADF. */
  private fdFdstatGet(fd: number, out: number): number {
    const e = this.entry(fd);
    const dv = this.dv();
    this.bytes(out, Size.FDSTAT).fill(0);
    dv.setUint8(out, e.filetype);
    dv.setUint16(out + 2, e.fdflags, true);
    dv.setBigUint64(out + 8, e.rightsBase, true);
    dv.setBigUint64(out + 16, e.rightsInheriting, true);
    return Errno.SUCCESS;
  }

  /**
   * `fd_fdstat_set_flags(fd, flags)`: sets APPEND and NONBLOCK. Errno: EBADF unless a file or socket,
   * ENOTCAPABLE without FD_FDSTAT_SET_FLAGS, EINVAL for unknown bits or DSYNC/RSYNC/SYNC (as Wasmtime).
   */
  private fdFdstatSetFlags(fd: number, flags: number): number {
    const e = this.entry(fd, Rights.FD_FDSTAT_SET_FLAGS, ["file", "socket", "listener"]);
    if (flags & ~0x1f) return Errno.INVAL;
    if (flags & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC)) return Errno.INVAL;
    e.fdflags = (e.fdflags & ~(Fdflags.APPEND | Fdflags.NONBLOCK)) | flags;
    return Errno.SUCCESS;
  }

  /** `fd_fdstat_set_rights(fd, base, inheriting)`: only drops rights. Errno: EBADF, ENOTCAPABLE when adding any. */
  private fdFdstatSetRights(fd: number, base: bigint, inheriting: bigint): number {
    const e = this.entry(fd);
    if ((base & ~e.rightsBase) !== 0n || (inheriting & ~e.rightsInheriting) !== 0n) return Errno.NOTCAPABLE;
    e.rightsBase = base;
    e.rightsInheriting = inheriting;
    return Errno.SUCCESS;
  }

  /** `fd_filestat_get(fd, out)`: writes the filestat (64 bytes; 56 in wasi_unstable). Errno: EBADF, ENOTCAPABLE without FD_FILESTAT_GET. */
  private *fdFilestatGet(fd: number, out: number, unstable: boolean): Syscall {
    const e = this.entry(fd, Rights.FD_FILESTAT_GET);
    const st = yield* this.statOf(e);
    this.writeFilestat(out, st, unstable);
    return Errno.SUCCESS;
  }

  /** `fd_filestat_set_size(fd, size)`: truncates or zero-extends. Errno: EBADF unless a file, ENOTCAPABLE, EINVAL past 2^63. */
  private *fdFilestatSetSize(fd: number, size: bigint): Syscall {
    const e = this.entry(fd, Rights.FD_FILESTAT_SET_SIZE, ["file"]);
    if (size > I64_MAX) return Errno.INVAL;
    yield* wait(e.handle!.truncate(Number(size)));
    return Errno.SUCCESS;
  }

  /** Validates fstflags and computes the (atim, mtim) to set; null keeps one. EINVAL for X and X_NOW together or unknown bits. */
  private times(atim: bigint, mtim: bigint, flags: number): [bigint | null, bigint | null] {
    if (flags & ~0xf) throw new WasiError(Errno.INVAL);
    if ((flags & Fstflags.ATIM) && (flags & Fstflags.ATIM_NOW)) throw new WasiError(Errno.INVAL);
    if ((flags & Fstflags.MTIM) && (flags & Fstflags.MTIM_NOW)) throw new WasiError(Errno.INVAL);
    const now = realtimeNs();
    const a = flags & Fstflags.ATIM ? atim : flags & Fstflags.ATIM_NOW ? now : null;
    const m = flags & Fstflags.MTIM ? mtim : flags & Fstflags.MTIM_NOW ? now : null;
    return [a, m];
  }

  /** `fd_filestat_set_times(fd, atim, mtim, fstflags)`. Errno: EBADF, ENOTCAPABLE without FD_FILESTAT_SET_TIMES, EINVAL (flags). */
  private *fdFilestatSetTimes(fd: number, atim: bigint, mtim: bigint, flags: number): Syscall {
    const [a, m] = this.times(atim, mtim, flags);
    const e = this.entry(fd, Rights.FD_FILESTAT_SET_TIMES, ["file", "dir"]);
    if (a === null && m === null) return Errno.SUCCESS;
    if (e.kind === "file") yield* wait(e.handle!.setTimes(a, m));
    else yield* wait(this.backend.setTimes((yield* this.located(e)).path, a, m));
    return Errno.SUCCESS;
  }

  /**
   * `fd_read(fd, iovs, iovs_len, nread)` and `fd_pread(fd, iovs, iovs_len, offset, nread)` (offset non-null):
   * scatters bytes into the iovecs, writes the u32 count. fd_read advances the offset. Errno: EBADF unless a
   * file or a readable stream (directories and stdout included, as Wasmtime), ESPIPE for fd_pread on a stream
   * or a host FIFO (filetype unknown), ENOTCAPABLE without FD_READ.
   */
  private *fdRead(fd: number, iovsPtr: number, iovsLen: number, offset: bigint | null, out: number): Syscall {
    const e = this.entry(fd);
    if (e.kind !== "file" && !e.reader && !e.socket) return Errno.BADF;
    if (offset !== null && (e.kind !== "file" || e.filetype === Filetype.UNKNOWN)) return Errno.SPIPE;
    this.need(e, Rights.FD_READ);
    const iovs = this.iovecs(iovsPtr, iovsLen);
    const total = iovs.reduce((n, v) => n + v.length, 0);
    let n = 0;
    if (e.kind === "file") {
      let pos = offset ?? e.position;
      for (const iov of iovs) {
        if (iov.length === 0) continue;
        // Offsets past 2^53 cannot be addressed by the host APIs; no file is that large, so this is end of file.
        if (pos > BigInt(Number.MAX_SAFE_INTEGER)) break;
        const tmp = new Uint8Array(iov.length);
        const got = yield* wait(e.handle!.read(tmp, Number(pos)));
        this.bytes(iov.ptr, got).set(tmp.subarray(0, got));
        n += got;
        pos += BigInt(got);
        if (got < iov.length) break;
      }
      if (offset === null) e.position = pos;
    } else {
      const reader = (e.reader ?? e.socket)!;
      if (total > 0) {
        const data = yield* wait(reader.read(total, !this.allowAsync || (e.fdflags & Fdflags.NONBLOCK) !== 0));
        let off = 0;
        for (const iov of iovs) {
          if (off >= data.length) break;
          const part = data.subarray(off, off + iov.length);
          this.bytes(iov.ptr, part.length).set(part);
          off += part.length;
        }
        n = data.length;
      }
    }
    this.dv().setUint32(out, n, true);
    return Errno.SUCCESS;
  }

  /**
   * `fd_write(fd, iovs, iovs_len, nwritten)` and `fd_pwrite(…, offset, nwritten)`: gathers the iovecs and writes
   * them (at the end for APPEND, Linux's pwrite included; else at the offset or at the fd offset, which
   * advances), writes the u32 count. Errno: EBADF unless a file or a writable stream, ESPIPE for fd_pwrite on a
   * stream or a host FIFO (filetype unknown), ENOTCAPABLE without FD_WRITE.
   */
  private fdWrite(fd: number, iovsPtr: number, iovsLen: number, offset: bigint | null, out: number): Syscall | number {
    const e = this.entry(fd);
    if (e.kind !== "file" && !e.writer && !e.socket) return Errno.BADF;
    if (offset !== null && (e.kind !== "file" || e.filetype === Filetype.UNKNOWN)) return Errno.SPIPE;
    this.need(e, Rights.FD_WRITE);
    const iovs = this.iovecs(iovsPtr, iovsLen);
    const total = iovs.reduce((n, v) => n + v.length, 0);
    const data = new Uint8Array(total);
    let off = 0;
    for (const iov of iovs) {
      data.set(this.bytes(iov.ptr, iov.length), off);
      off += iov.length;
    }
    if (e.kind === "file") return this.fdWriteFile(e, data, offset, out);
    // Why: stdout/stderr writes are the hottest WASI path; a writer that completes synchronously skips the
    // generator machinery entirely.
    const pending = total > 0 ? (e.writer ?? e.socket)!.write(data) : undefined;
    if (pending && typeof (pending as Promise<void>).then === "function") {
      return (function* (self: Wasi): Syscall {
        yield* wait(pending);
        self.dv().setUint32(out, total, true);
        return Errno.SUCCESS;
      })(this);
    }
    this.dv().setUint32(out, total, true);
    return Errno.SUCCESS;
  }

  /** The file half of fd_write/fd_pwrite. */
  private *fdWriteFile(e: FdEntry, data: Uint8Array, offset: bigint | null, out: number): Syscall {
    const total = data.length;
    const append = (e.fdflags & Fdflags.APPEND) !== 0;
    let pos: bigint;
    if (append) pos = (yield* wait(e.handle!.stat())).size;
    else pos = offset ?? e.position;
    let written = 0;
    if (pos + BigInt(total) > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.FBIG;
    while (written < total) {
      let n: number;
      try {
        n = yield* wait(e.handle!.write(data.subarray(written), Number(pos) + written));
      } catch (err) {
        // A short write (a full disk after some bytes): report what was written, as write(2) does.
        if (written > 0 && err instanceof WasiError) break;
        throw err;
      }
      if (n <= 0) return Errno.IO;
      written += n;
    }
    if (offset === null) e.position = pos + BigInt(written);
    this.dv().setUint32(out, written, true);
    return Errno.SUCCESS;
  }

  /** `fd_prestat_get(fd, out)`: writes the 8-byte prestat (tag 0 = dir, u32 name length). Errno: EBADF when not a preopen. */
  private fdPrestatGet(fd: number, out: number): number {
    const e = this.fds.get(fd);
    if (!e || e.preopen === undefined) return Errno.BADF;
    const dv = this.dv();
    this.bytes(out, Size.PRESTAT).fill(0);
    dv.setUint32(out + 4, encoder.encode(e.preopen).length, true);
    return Errno.SUCCESS;
  }

  /**
   * `fd_prestat_dir_name(fd, buf, len)`: writes the preopen's name (no NUL). Errno: EBADF when closed, ENOTDIR
   * when not a preopen (as Wasmtime), ENAMETOOLONG when len is too small.
   */
  private fdPrestatDirName(fd: number, buf: number, len: number): number {
    const e = this.entry(fd);
    if (e.preopen === undefined) return Errno.NOTDIR;
    const name = encoder.encode(e.preopen);
    if (len < name.length) return Errno.NAMETOOLONG;
    this.bytes(buf, name.length).set(name);
    return Errno.SUCCESS;
  }

  /**
   * `fd_readdir(fd, buf, buf_len, cookie, bufused)`: writes dirents (24-byte header: d_next u64, d_ino u64,
   * d_namlen u32, d_type u8; then the name) from position `cookie`, the last one truncated when the buffer ends;
   * `bufused < buf_len` means the end was reached. "." and ".." come first (both with the directory's own inode,
   * as Wasmtime: the parent may lie outside the sandbox); cookie i+1 follows entry i.
   * Errno: EBADF unless a directory, ENOTCAPABLE without FD_READDIR.
   */
  private *fdReaddir(fd: number, buf: number, bufLen: number, cookie: bigint, out: number): Syscall {
    const e = this.entry(fd, Rights.FD_READDIR, ["dir"]);
    if (cookie === 0n || !e.listing) {
      const located = yield* this.located(e);
      const { ino } = yield* dirStat(this.backend, located);
      const list = yield* wait(this.backend.readdir(located.path));
      e.listing = [
        { name: ".", filetype: Filetype.DIRECTORY, ino },
        { name: "..", filetype: Filetype.DIRECTORY, ino },
        ...list,
      ];
    }
    const listing = e.listing;
    const dst = this.bytes(buf, bufLen);
    const header = new DataView(new ArrayBuffer(Size.DIRENT));
    let used = 0;
    for (let i = Number(cookie > BigInt(listing.length) ? BigInt(listing.length) : cookie); i < listing.length; i++) {
      const ent = listing[i];
      const name = encoder.encode(ent.name);
      header.setBigUint64(0, BigInt(i + 1), true);
      header.setBigUint64(8, ent.ino, true);
      header.setUint32(16, name.length, true);
      header.setUint32(20, ent.filetype, true);
      const record = new Uint8Array(Size.DIRENT + name.length);
      record.set(new Uint8Array(header.buffer), 0);
      record.set(name, Size.DIRENT);
      const n = Math.min(record.length, bufLen - used);
      dst.set(record.subarray(0, n), used);
      used += n;
      if (used >= bufLen) break;
    }
    this.dv().setUint32(out, used, true);
    return Errno.SUCCESS;
  }

  /**
   * `fd_renumber(from, to)`: moves `from` onto `to`, closing what `to` held. Errno: EBADF when either is not
   * open (the WASI testsuite requires an open `to`).
   */
  private *fdRenumber(from: number, to: number): Syscall {
    const src = this.entry(from);
    this.entry(to);
    if (from === to) return Errno.SUCCESS;
    const dst = this.fds.get(to);
    this.releaseFd(from);
    this.freeFds.delete(to);
    this.fds.set(to, src);
    if (dst?.handle) yield* wait(dst.handle.close());
    if (dst?.anchor) yield* releaseAnchor(dst.anchor);
    if (dst?.socket) yield* wait(dst.socket.close());
    if (dst?.listener) yield* wait(dst.listener.close());
    return Errno.SUCCESS;
  }

  /**
   * `fd_seek(fd, offset, whence, newoffset)` and `fd_tell(fd, offset)` (as seek CUR 0): writes the u64 new
   * offset. Errno: ESPIPE on streams, EBADF for anything else that is not a file, ENOTCAPABLE without FD_SEEK
   * (FD_TELL for a tell), EINVAL for a bad whence or a negative result.
   */
  private *fdSeek(fd: number, offset: bigint, whence: number, out: number): Syscall {
    const tell = whence === Whence.CUR && offset === 0n;
    const e = this.entry(fd);
    if (e.kind === "stream") return Errno.SPIPE;
    if (e.kind !== "file") return Errno.BADF;
    this.need(e, tell ? Rights.FD_TELL : Rights.FD_SEEK);
    let base: bigint;
    if (whence === Whence.SET) base = 0n;
    else if (whence === Whence.CUR) base = e.position;
    else if (whence === Whence.END) base = (yield* wait(e.handle!.stat())).size;
    else return Errno.INVAL;
    const pos = base + offset;
    if (pos < 0n || pos > I64_MAX) return Errno.INVAL;
    e.position = pos;
    this.dv().setBigUint64(out, pos, true);
    return Errno.SUCCESS;
  }

  // ---- path_* -------------------------------------------------------------------------------------------------
  // Common to every path call: EBADF unless the fd is a directory (ENOTDIR for a file given to path_open),
  // ENOTCAPABLE without the right named, EPERM when the path leads outside the directory (`..` above it, an
  // absolute path, a symlink out; path.ts), ELOOP past 40 symlinks, EILSEQ for a path that is not UTF-8 or holds
  // a NUL; a path or buffer pointer outside guest memory traps.

  /** `path_create_directory(fd, path)`. Errno: EBADF, ENOTCAPABLE, EEXIST, ENOENT. */
  private *pathCreateDirectory(fd: number, p: number, pl: number): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_CREATE_DIRECTORY);
    const r = yield* this.resolve(dir, p, pl, false);
    if (r.name === null || r.stat) return Errno.EXIST;
    yield* wait(this.backend.mkdir(r.path));
    return Errno.SUCCESS;
  }

  /** `path_filestat_get(fd, lookupflags, path, out)`: writes the filestat. Errno: EBADF, ENOTCAPABLE, ENOENT, ENOTDIR, ELOOP. */
  private *pathFilestatGet(fd: number, flags: number, p: number, pl: number, out: number, unstable: boolean): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_FILESTAT_GET);
    const r = yield* this.resolve(dir, p, pl, (flags & Lookupflags.SYMLINK_FOLLOW) !== 0);
    const st = yield* this.statResolved(r);
    if (r.trailingSlash && st.filetype !== Filetype.DIRECTORY) return Errno.NOTDIR;
    this.writeFilestat(out, st, unstable);
    return Errno.SUCCESS;
  }

  /** `path_filestat_set_times(fd, lookupflags, path, atim, mtim, fstflags)`. Errno: as path_filestat_get, EINVAL (flags). */
  private *pathFilestatSetTimes(
    fd: number,
    flags: number,
    p: number,
    pl: number,
    atim: bigint,
    mtim: bigint,
    fst: number,
  ): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_FILESTAT_SET_TIMES);
    const [a, m] = this.times(atim, mtim, fst);
    const r = yield* this.resolve(dir, p, pl, (flags & Lookupflags.SYMLINK_FOLLOW) !== 0);
    const st = yield* this.statResolved(r);
    if (r.trailingSlash && st.filetype !== Filetype.DIRECTORY) return Errno.NOTDIR;
    if (a !== null || m !== null) yield* wait(this.backend.setTimes(r.path, a, m));
    return Errno.SUCCESS;
  }

  /**
   * `path_link(old_fd, lookupflags, old_path, new_fd, new_path)`: hard link. Errno: EBADF, ENOTCAPABLE
   * (PATH_LINK_SOURCE/TARGET), EINVAL with SYMLINK_FOLLOW, ENOENT (missing source, trailing slash on
   * the new path), EEXIST, EPERM for directories.
   */
  private *pathLink(
    ofd: number,
    flags: number,
    op: number,
    opl: number,
    nfd: number,
    np: number,
    npl: number,
  ): Syscall {
    const odir = this.dirEntry(ofd, Rights.PATH_LINK_SOURCE);
    const ndir = this.dirEntry(nfd, Rights.PATH_LINK_TARGET);
    if (flags & Lookupflags.SYMLINK_FOLLOW) return Errno.INVAL;
    const src = yield* this.resolve(odir, op, opl, false);
    const dst = yield* this.resolve(ndir, np, npl, false);
    if (!src.stat) return src.name === null ? Errno.PERM : Errno.NOENT;
    if (src.stat.filetype === Filetype.DIRECTORY) return Errno.PERM;
    if (src.trailingSlash) return Errno.NOTDIR;
    if (dst.name === null || dst.stat) return Errno.EXIST;
    if (dst.trailingSlash) return Errno.NOENT;
    yield* wait(this.backend.link(src.path, dst.path));
    return Errno.SUCCESS;
  }

  /**
   * `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting, fdflags, fd_out)`: opens or creates,
   * writes the new u32 fd. Rights are those requested, limited to what the directory passes on and what the file
   * type allows. Errno: EBADF, ENOTDIR (dirfd, O_DIRECTORY on a non-directory, trailing slash on a file),
   * ENOTCAPABLE (PATH_OPEN, PATH_CREATE_FILE), EPERM (O_TRUNC without PATH_FILESTAT_SET_SIZE), EEXIST
   * (CREAT|EXCL), ENOENT, EISDIR (writing or creating a directory), ELOOP (final symlink without follow, loops),
   * EINVAL (unknown oflags, CREAT|DIRECTORY).
   */
  private *pathOpen(
    fd: number,
    dirflags: number,
    p: number,
    pl: number,
    oflags: number,
    base: bigint,
    inheriting: bigint,
    fdflags: number,
    out: number,
  ): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_OPEN, true);
    if (oflags & ~0xf) return Errno.INVAL;
    const creat = (oflags & Oflags.CREAT) !== 0;
    const directory = (oflags & Oflags.DIRECTORY) !== 0;
    const excl = (oflags & Oflags.EXCL) !== 0;
    const trunc = (oflags & Oflags.TRUNC) !== 0;
    if (creat && !(dir.rightsBase & Rights.PATH_CREATE_FILE)) return Errno.NOTCAPABLE;
    if (trunc && !(dir.rightsBase & Rights.PATH_FILESTAT_SET_SIZE)) return Errno.PERM;
    if (directory && (creat || excl || trunc)) return Errno.INVAL;
    const follow = (dirflags & Lookupflags.SYMLINK_FOLLOW) !== 0;
    const r: Resolved = yield* this.resolve(dir, p, pl, follow);
    let st = r.stat;
    if (r.name === null) st = yield* this.statResolved(r);
    if (st) {
      if (creat && excl) return Errno.EXIST;
      if (st.filetype === Filetype.SYMBOLIC_LINK) return Errno.LOOP;
      if (st.filetype === Filetype.DIRECTORY) {
        if (creat) return Errno.ISDIR;
        if (trunc || (base & Rights.FD_WRITE) !== 0n) return Errno.ISDIR;
        if (fdflags & Fdflags.APPEND) return Errno.ISDIR;
        const newFd = this.allocFd({
          kind: "dir",
          filetype: Filetype.DIRECTORY,
          rightsBase: base & RIGHTS_DIRECTORY_BASE & (dir.rightsInheriting | 0n),
          rightsInheriting: inheriting & dir.rightsInheriting,
          fdflags: fdflags & (Fdflags.NONBLOCK | Fdflags.SYNC | Fdflags.DSYNC | Fdflags.RSYNC),
          anchor: yield* anchorBelow(this.backend, dir.anchor!, r, st),
          position: 0n,
        });
        this.dv().setUint32(out, newFd, true);
        return Errno.SUCCESS;
      }
      if (directory || r.trailingSlash) return Errno.NOTDIR;
    } else {
      if (!creat) return Errno.NOENT;
      if (directory || r.trailingSlash) return r.trailingSlash ? Errno.ISDIR : Errno.NOENT;
    }
    const fileRights = base & RIGHTS_FILE_BASE & dir.rightsInheriting;
    const write = (fileRights & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) !== 0n || trunc;
    const read = (fileRights & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !write;
    // Why: a FIFO's open waits for its other end, as long as it takes; no other guest's path call may wait on that.
    if (st && st.filetype !== Filetype.REGULAR_FILE) this.unlockPathCall();
    const handle = yield* wait(this.backend.open(r.path, {
      read,
      write,
      create: creat,
      exclusive: excl,
      truncate: trunc,
      append: false,
      directory: false,
      filetype: st?.filetype ?? Filetype.REGULAR_FILE,
    }));
    // The file opened must be the one resolved, reached through the directories resolved: where the lookup could
    // not hold its directories (no aliases) a host process may have swapped one for a symlink in between, and this
    // refuses what that redirected (path.ts; the README's security section gives the residual window).
    const opened = st ? yield* wait(handle.stat()) : null;
    if ((opened && (opened.dev !== st!.dev || opened.ino !== st!.ino)) || !(yield* recheckWalk(this.backend, r))) {
      yield* wait(handle.close());
      return Errno.NOENT;
    }
    const filetype = st?.filetype ?? Filetype.REGULAR_FILE;
    const newFd = this.allocFd({
      kind: "file",
      filetype,
      rightsBase: fileRights,
      rightsInheriting: inheriting & dir.rightsInheriting,
      fdflags: fdflags & 0x1f,
      handle,
      position: 0n,
    });
    this.dv().setUint32(out, newFd, true);
    return Errno.SUCCESS;
  }

  /**
   * `path_readlink(fd, path, buf, buf_len, bufused)`: copies the symlink's target (truncated to buf_len, no NUL)
   * and writes the u32 count. Errno: EBADF, ENOTCAPABLE, ENOENT, EINVAL when not a symlink.
   */
  private *pathReadlink(fd: number, p: number, pl: number, buf: number, len: number, out: number): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_READLINK);
    const r = yield* this.resolve(dir, p, pl, false);
    if (r.name === null) return Errno.INVAL;
    if (!r.stat) return Errno.NOENT;
    if (r.stat.filetype !== Filetype.SYMBOLIC_LINK) return r.trailingSlash ? Errno.NOTDIR : Errno.INVAL;
    const target = encoder.encode(yield* wait(this.backend.readlink(r.path)));
    const n = Math.min(target.length, len);
    this.bytes(buf, n).set(target.subarray(0, n));
    this.dv().setUint32(out, n, true);
    return Errno.SUCCESS;
  }

  /** `path_remove_directory(fd, path)`. Errno: EBADF, ENOTCAPABLE, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL for ".". */
  private *pathRemoveDirectory(fd: number, p: number, pl: number): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_REMOVE_DIRECTORY);
    const r = yield* this.resolve(dir, p, pl, false);
    if (r.name === null) return Errno.INVAL;
    if (!r.stat) return Errno.NOENT;
    if (r.stat.filetype !== Filetype.DIRECTORY) return Errno.NOTDIR;
    yield* wait(this.backend.rmdir(r.path));
    return Errno.SUCCESS;
  }

  /**
   * `path_rename(fd, old_path, new_fd, new_path)`. Errno: EBADF, ENOTCAPABLE (PATH_RENAME_SOURCE/TARGET),
   * ENOENT, ENOTDIR (trailing slash on a file, directory onto a file), EISDIR (file onto a directory), ENOTEMPTY,
   * EINVAL (a directory into itself), EBUSY (renaming "." or "..").
   */
  private *pathRename(fd: number, op: number, opl: number, nfd: number, np: number, npl: number): Syscall {
    const odir = this.dirEntry(fd, Rights.PATH_RENAME_SOURCE);
    const ndir = this.dirEntry(nfd, Rights.PATH_RENAME_TARGET);
    const src = yield* this.resolve(odir, op, opl, false);
    const dst = yield* this.resolve(ndir, np, npl, false);
    if (src.name === null || dst.name === null) return Errno.BUSY;
    if (!src.stat) return Errno.NOENT;
    const srcIsDir = src.stat.filetype === Filetype.DIRECTORY;
    if (!srcIsDir && (src.trailingSlash || dst.trailingSlash)) return Errno.NOTDIR;
    if (dst.stat) {
      const dstIsDir = dst.stat.filetype === Filetype.DIRECTORY;
      if (srcIsDir && !dstIsDir) return Errno.NOTDIR;
      if (!srcIsDir && dstIsDir) return Errno.ISDIR;
    }
    if (srcIsDir && (dst.path + "/").startsWith(src.path + "/") && dst.path !== src.path) return Errno.INVAL;
    yield* wait(this.backend.rename(src.path, dst.path));
    if (srcIsDir) {
      // Directory descriptors at or beneath the moved directory follow it, as real directory handles do.
      const anchors = [...this.fds.values()].flatMap((e) => e.anchor ? [e.anchor] : []);
      moveAnchors(anchors, src.path, { parent: ndir.anchor!, comps: dst.comps });
    }
    return Errno.SUCCESS;
  }

  /**
   * `path_symlink(old_path, fd, new_path)`: creates a symlink holding `old_path` verbatim. Errno: EBADF,
   * ENOTCAPABLE (PATH_SYMLINK), EEXIST, ENOENT (trailing slash on a new name), EPERM for an absolute
   * target (it could never resolve inside the sandbox).
   */
  private *pathSymlink(op: number, opl: number, fd: number, np: number, npl: number): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_SYMLINK);
    const target = this.string(op, opl);
    const r = yield* this.resolve(dir, np, npl, false);
    if (r.name === null || r.stat) return Errno.EXIST;
    if (r.trailingSlash) return Errno.NOENT;
    if (target.startsWith("/")) return Errno.PERM;
    yield* wait(this.backend.symlink(target, r.path));
    return Errno.SUCCESS;
  }

  /** `path_unlink_file(fd, path)`. Errno: EBADF, ENOTCAPABLE, ENOENT, EISDIR for directories, ENOTDIR (trailing slash). */
  private *pathUnlinkFile(fd: number, p: number, pl: number): Syscall {
    const dir = this.dirEntry(fd, Rights.PATH_UNLINK_FILE);
    const r = yield* this.resolve(dir, p, pl, false);
    if (r.name === null) return Errno.ISDIR;
    if (!r.stat) return Errno.NOENT;
    if (r.stat.filetype === Filetype.DIRECTORY) return Errno.ISDIR;
    if (r.trailingSlash) return Errno.NOTDIR;
    yield* wait(this.backend.unlink(r.path));
    return Errno.SUCCESS;
  }

  // ---- poll_oneoff --------------------------------------------------------------------------------------------

  /**
   * `poll_oneoff(in, out, nsubscriptions, nevents)`: reads subscriptions (48 bytes; 56 in wasi_unstable), waits
   * until at least one is ready (a timer or readiness Promise in async mode, `Atomics.wait` in sync mode, never a
   * busy loop), writes one 32-byte event per ready subscription and the u32 count. Files are always ready.
   * Errno: EINVAL for zero subscriptions, an unknown event type or a clock other than realtime/monotonic; EBADF
   * for a closed descriptor (the whole call fails, as in Wasmtime).
   */
  private *pollOneoff(inPtr: number, outPtr: number, n: number, neventsPtr: number, unstable: boolean): Syscall {
    if (n === 0) return Errno.INVAL;
    const size = unstable ? Size.SUBSCRIPTION_UNSTABLE : Size.SUBSCRIPTION;
    const dv = this.dv();
    this.bytes(inPtr, n * size);
    this.bytes(outPtr, n * Size.EVENT);
    interface Ev {
      userdata: bigint;
      error: number;
      type: number;
      nbytes: bigint;
      flags: number;
    }
    const ready: Ev[] = [];
    const clocks: { userdata: bigint; deadline: bigint; id: number }[] = [];
    const waiters: { ev: Ev; wait: () => unknown }[] = [];
    for (let i = 0; i < n; i++) {
      const s = inPtr + i * size;
      const userdata = dv.getBigUint64(s, true);
      const type = dv.getUint8(s + 8);
      if (type === Eventtype.CLOCK) {
        const c = s + (unstable ? 24 : 16);
        const id = dv.getUint32(c, true);
        const timeout = dv.getBigUint64(c + 8, true);
        const flags = dv.getUint16(c + 24, true);
        // Only the realtime and monotonic clocks can be waited on (as Wasmtime).
        if (id !== Clockid.REALTIME && id !== Clockid.MONOTONIC) return Errno.INVAL;
        const now = this.clockNow(id)!;
        const deadline = flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME ? timeout : now + timeout;
        // Deadlines on other clocks are converted to the monotonic clock.
        clocks.push({ userdata, deadline: monotonicNs() + (deadline - now), id });
      } else if (type === Eventtype.FD_READ || type === Eventtype.FD_WRITE) {
        const fd = dv.getUint32(s + 16, true);
        const ev: Ev = { userdata, error: 0, type, nbytes: 0n, flags: 0 };
        // A closed descriptor fails the whole call (as Wasmtime); other problems are reported in the event.
        const e = this.entry(fd);
        if (!(e.rightsBase & Rights.POLL_FD_READWRITE) && e.kind !== "stream") ev.error = Errno.NOTCAPABLE;
        else if (e.kind === "file") {
          if (type === Eventtype.FD_READ) {
            const st = yield* wait(e.handle!.stat());
            ev.nbytes = st.size > e.position ? st.size - e.position : 0n;
          }
        } else if (e.kind === "dir") return Errno.BADF;
        else if (type === Eventtype.FD_READ) {
          const src = e.reader ?? e.socket ?? e.listener;
          if (!src) ev.error = Errno.BADF;
          else if (src.ready && this.allowAsync) {
            waiters.push({ ev, wait: () => src.ready!() });
            continue;
          }
        } else if (!(e.writer ?? e.socket)) ev.error = Errno.BADF;
        ready.push(ev);
      } else {
        return Errno.INVAL;
      }
    }
    if (ready.length === 0) {
      const earliest = clocks.reduce<bigint | null>((m, c) => m === null || c.deadline < m ? c.deadline : m, null);
      const delay = earliest === null ? null : earliest - monotonicNs();
      if (waiters.length > 0) {
        const races: Promise<unknown>[] = waiters.map((w) =>
          Promise.resolve(w.wait()).then(() => {
            ready.push(w.ev);
          })
        );
        // The clock's timer is cleared once anything wins, so it cannot hold the event loop open afterwards.
        let timer: ReturnType<typeof setTimeout> | undefined;
        if (delay !== null) {
          races.push(
            new Promise((resolve) => timer = setTimeout(resolve, Math.max(0, Math.ceil(Number(delay) / 1e6)))),
          );
        }
        try {
          yield* wait(Promise.race(races));
        } finally {
          clearTimeout(timer);
        }
      } else if (delay !== null) {
        const slept = sleepNs(delay, this.allowAsync);
        if (slept) yield* wait(slept);
      }
      const now = monotonicNs();
      for (const c of clocks) {
        if (c.deadline <= now) {
          ready.push({ userdata: c.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
        }
      }
    }
    const view = this.dv();
    const count = Math.min(ready.length, n);
    for (let i = 0; i < count; i++) {
      const ev = ready[i];
      const o = outPtr + i * Size.EVENT;
      this.bytes(o, Size.EVENT).fill(0);
      view.setBigUint64(o, ev.userdata, true);
      view.setUint16(o + 8, ev.error, true);
      view.setUint8(o + 10, ev.type);
      view.setBigUint64(o + 16, ev.nbytes, true);
      view.setUint16(o + 24, ev.flags, true);
    }
    view.setUint32(neventsPtr, count, true);
    return Errno.SUCCESS;
  }

  // ---- sockets ------------------------------------------------------------------------------------------------

  /**
   * `sock_accept(fd, flags, fd_out)`: accepts a connection on a preopened listener, writes the new u32 fd.
   * Errno: EBADF, ENOTSOCK (not a listener), ENOTCAPABLE without SOCK_ACCEPT, EINVAL (flags other than
   * NONBLOCK), EAGAIN when nothing is pending.
   */
  private *sockAccept(fd: number, flags: number, out: number): Syscall {
    const e = this.entry(fd);
    if (e.kind !== "listener") return e.kind === "socket" ? Errno.INVAL : Errno.NOTSOCK;
    if (!(e.rightsBase & Rights.SOCK_ACCEPT)) return Errno.NOTCAPABLE;
    if (flags & ~Fdflags.NONBLOCK) return Errno.INVAL;
    const sock = yield* wait(e.listener!.accept(this.allowAsync && !(e.fdflags & Fdflags.NONBLOCK)));
    if (!sock) return Errno.AGAIN;
    const newFd = this.allocFd({
      kind: "socket",
      filetype: Filetype.SOCKET_STREAM,
      rightsBase: RIGHTS_SOCKET_BASE & ~Rights.SOCK_ACCEPT,
      rightsInheriting: 0n,
      fdflags: flags,
      position: 0n,
      socket: sock,
    });
    this.dv().setUint32(out, newFd, true);
    return Errno.SUCCESS;
  }

  /**
   * `sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags)`: reads into the iovecs, writes the
   * u32 count and u16 roflags (0). Errno: EBADF, ENOTSOCK, ENOTSUP for RECV_PEEK/RECV_WAITALL.
   */
  private *sockRecv(fd: number, iovs: number, n: number, flags: number, out: number, oflagsPtr: number): Syscall {
    const e = this.entry(fd, Rights.FD_READ);
    if (e.kind !== "socket") return Errno.NOTSOCK;
    if (flags & (Riflags.RECV_PEEK | Riflags.RECV_WAITALL)) return Errno.NOTSUP;
    const errno = yield* this.fdRead(fd, iovs, n, null, out);
    if (errno === Errno.SUCCESS) this.dv().setUint16(oflagsPtr, 0, true);
    return errno;
  }

  /** `sock_send(fd, si_data, si_data_len, si_flags, so_datalen)`: writes the iovecs, writes the u32 count. Errno: EBADF, ENOTSOCK. */
  private sockSend(fd: number, iovs: number, n: number, out: number): Syscall | number {
    const e = this.entry(fd, Rights.FD_WRITE);
    if (e.kind !== "socket") return Errno.NOTSOCK;
    return this.fdWrite(fd, iovs, n, null, out);
  }

  /** `sock_shutdown(fd, how)`: shuts down reads (RD=1), writes (WR=2) or both. Errno: EBADF, ENOTSOCK, EINVAL (how). */
  private *sockShutdown(fd: number, how: number): Syscall {
    const e = this.entry(fd);
    if (e.kind !== "socket") return Errno.NOTSOCK;
    if (how === 0 || how & ~(Sdflags.RD | Sdflags.WR)) return Errno.INVAL;
    yield* wait(e.socket!.shutdown((how & Sdflags.RD) !== 0, (how & Sdflags.WR) !== 0));
    return Errno.SUCCESS;
  }
}
