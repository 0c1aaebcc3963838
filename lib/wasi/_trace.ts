/**
 * The WASI call trace (`Wasi`'s `trace` option, the CLI's `-D trace-wasi`): wraps each import so that every call
 * prints one line, as strace does, when it returns or its Promise settles:
 *
 * ```text
 * [wasi] fd_write(fd=1, iovs=0x1ffd8[1] 13 bytes, nwritten=0x1ffd4) = ESUCCESS nwritten=13 (0.031 ms)
 * ```
 *
 * the call's name, its arguments decoded (paths read from guest memory, iovec arrays with their total length,
 * pointers in hex, flags by name or in hex), the errno's name, what the call wrote to its out-pointers, and the time
 * it took. Only a traced `Wasi` has these wrappers; an untraced one hands out its imports as they are.
 *
 * @module
 */
import { Errno } from "./errno.ts";
import { Fdflags, Fstflags, Lookupflags, Oflags } from "./constants.ts";

/**
 * How an argument is shown. `path`, `iovs`, `buf` and `outstr` take two wasm arguments (pointer and length or
 * count); `out32`, `out64` and `out16` are pointers the call writes a result to, shown again after a success.
 */
type ArgKind =
  | "fd"
  | "u32"
  | "u64"
  | "s64"
  | "ptr"
  | "flags"
  | "oflags"
  | "fdflags"
  | "lookupflags"
  | "fstflags"
  | "clock"
  | "whence"
  | "path"
  | "iovs"
  | "buf"
  | "outstr"
  | "out16"
  | "out32"
  | "out64";

/** Each call's parameters in witx order, as `name:kind` (a bare `fd` is `fd:fd`). */
const SIGNATURES: Readonly<Record<string, readonly string[]>> = {
  args_get: ["argv:ptr", "argv_buf:ptr"],
  args_sizes_get: ["argc:out32", "argv_buf_size:out32"],
  environ_get: ["environ:ptr", "environ_buf:ptr"],
  environ_sizes_get: ["count:out32", "buf_size:out32"],
  clock_res_get: ["id:clock", "resolution:out64"],
  clock_time_get: ["id:clock", "precision:u64", "time:out64"],
  fd_advise: ["fd", "offset:u64", "len:u64", "advice:u32"],
  fd_allocate: ["fd", "offset:u64", "len:u64"],
  fd_close: ["fd"],
  fd_datasync: ["fd"],
  fd_fdstat_get: ["fd", "stat:ptr"],
  fd_fdstat_set_flags: ["fd", "flags:fdflags"],
  fd_fdstat_set_rights: ["fd", "rights_base:flags", "rights_inheriting:flags"],
  fd_filestat_get: ["fd", "stat:ptr"],
  fd_filestat_set_size: ["fd", "size:u64"],
  fd_filestat_set_times: ["fd", "atim:u64", "mtim:u64", "fst_flags:fstflags"],
  fd_pread: ["fd", "iovs:iovs", "offset:u64", "nread:out32"],
  fd_prestat_get: ["fd", "prestat:ptr"],
  fd_prestat_dir_name: ["fd", "path:outstr"],
  fd_pwrite: ["fd", "iovs:iovs", "offset:u64", "nwritten:out32"],
  fd_read: ["fd", "iovs:iovs", "nread:out32"],
  fd_readdir: ["fd", "buf:buf", "cookie:u64", "bufused:out32"],
  fd_renumber: ["fd", "to:fd"],
  fd_seek: ["fd", "offset:s64", "whence:whence", "newoffset:out64"],
  fd_sync: ["fd"],
  fd_tell: ["fd", "offset:out64"],
  fd_write: ["fd", "iovs:iovs", "nwritten:out32"],
  path_create_directory: ["fd", "path:path"],
  path_filestat_get: ["fd", "flags:lookupflags", "path:path", "stat:ptr"],
  path_filestat_set_times: ["fd", "flags:lookupflags", "path:path", "atim:u64", "mtim:u64", "fst_flags:fstflags"],
  path_link: ["old_fd:fd", "old_flags:lookupflags", "old_path:path", "new_fd:fd", "new_path:path"],
  path_open: [
    "fd",
    "dirflags:lookupflags",
    "path:path",
    "oflags:oflags",
    "rights_base:flags",
    "rights_inheriting:flags",
    "fdflags:fdflags",
    "opened_fd:out32",
  ],
  path_readlink: ["fd", "path:path", "buf:buf", "bufused:out32"],
  path_remove_directory: ["fd", "path:path"],
  path_rename: ["fd", "old_path:path", "new_fd:fd", "new_path:path"],
  path_symlink: ["old_path:path", "fd", "new_path:path"],
  path_unlink_file: ["fd", "path:path"],
  poll_oneoff: ["in:ptr", "out:ptr", "nsubscriptions:u32", "nevents:out32"],
  proc_exit: ["rval:u32"],
  proc_raise: ["sig:u32"],
  sched_yield: [],
  random_get: ["buf:buf"],
  sock_accept: ["fd", "flags:flags", "fd_out:out32"],
  sock_recv: ["fd", "ri_data:iovs", "ri_flags:flags", "ro_datalen:out32", "ro_flags:out16"],
  sock_send: ["fd", "si_data:iovs", "si_flags:flags", "so_datalen:out32"],
  sock_shutdown: ["fd", "how:flags"],
};

const CLOCKS = ["realtime", "monotonic", "process_cputime", "thread_cputime"];
/** `whence` names by value: preview1, and `wasi_unstable`'s other numbering. */
const WHENCE = ["SET", "CUR", "END"];
const WHENCE_UNSTABLE = ["CUR", "END", "SET"];
/** Flag sets shown by name. */
const FLAG_NAMES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  oflags: Oflags,
  fdflags: Fdflags,
  lookupflags: Lookupflags,
  fstflags: Fstflags,
};
const ERRNO_NAMES: readonly string[] = Object.entries(Errno).reduce((names, [name, n]) => {
  names[n] = `E${name}`;
  return names;
}, [] as string[]);
/** Longest path or string shown whole; longer ones are cut with `…`. */
const MAX_STRING = 256;
const decoder = new TextDecoder();

/** Where a traced import finds guest memory and sends its lines. */
export interface TraceTarget {
  /** The guest's memory buffer now (it changes when memory grows), or null before the instance is bound. */
  memory(): ArrayBuffer | null;
  /** Receives each line, without a final newline. */
  write(line: string): void;
}

/** The wrappers this module made: how a test tells traced imports from untraced ones. */
const traced = new WeakSet<object>();

/**
 * Whether `fn` is an import wrapped by {@link traceImports}.
 *
 * @param fn a function of an import object
 * @returns true for a tracing wrapper
 */
export function isTraced(fn: unknown): boolean {
  return typeof fn === "function" && traced.has(fn);
}

/**
 * Wraps each function of one WASI import module so that every call is traced to `target`.
 *
 * @param imports the import module's functions by name (`wasi_snapshot_preview1` or `wasi_unstable`)
 * @param target guest memory and the line sink
 * @param options `unstable`: the functions are `wasi_unstable`'s (its `whence` values differ)
 * @returns the same names mapped to tracing wrappers
 */
export function traceImports(
  imports: Record<string, (...a: never[]) => unknown>,
  target: TraceTarget,
  options: { unstable: boolean },
): Record<string, (...a: never[]) => unknown> {
  const whence = options.unstable ? WHENCE_UNSTABLE : WHENCE;
  const out: Record<string, (...a: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(imports)) {
    const params = (SIGNATURES[name] ?? []).map((p) => {
      const [pname, kind = pname] = p.split(":");
      return { name: pname, kind: kind as ArgKind };
    });
    const wrapper = (...args: unknown[]): unknown => {
      const shown = describeArgs(params, args, target.memory(), whence);
      const begin = performance.now();
      const finish = (outcome: string) =>
        target.write(`[wasi] ${name}(${shown}) = ${outcome} (${(performance.now() - begin).toFixed(3)} ms)`);
      let result: unknown;
      try {
        result = Reflect.apply(fn, undefined, args);
      } catch (e) {
        finish(thrown(e));
        throw e;
      }
      if (typeof (result as PromiseLike<unknown> | null)?.then === "function") {
        return (result as PromiseLike<unknown>).then(
          (errno: unknown) => {
            finish(describeResult(params, args, errno, target.memory()));
            return errno;
          },
          (e: unknown) => {
            finish(thrown(e));
            throw e;
          },
        );
      }
      finish(describeResult(params, args, result, target.memory()));
      return result;
    };
    traced.add(wrapper);
    out[name] = wrapper;
  }
  return out;
}

/** How a call that threw is shown: `proc_exit` as the exit, a trap or host error by its message. */
function thrown(e: unknown): string {
  const { name, message } = e instanceof Error ? e : { name: "Error", message: String(e) };
  if (name === "WasiExit") return message;
  return `threw ${name}: ${message}`;
}

function describeArgs(
  params: readonly { name: string; kind: ArgKind }[],
  args: unknown[],
  memory: ArrayBuffer | null,
  whence: readonly string[],
): string {
  const parts: string[] = [];
  let i = 0;
  for (const { name, kind } of params) {
    const a = args[i++];
    switch (kind) {
      case "fd":
      case "u32":
        parts.push(`${name}=${Number(a) >>> 0}`);
        break;
      case "u64":
        parts.push(`${name}=${BigInt.asUintN(64, BigInt(a as bigint))}`);
        break;
      case "s64":
        parts.push(`${name}=${BigInt.asIntN(64, BigInt(a as bigint))}`);
        break;
      case "flags":
        parts.push(`${name}=0x${(typeof a === "bigint" ? BigInt.asUintN(64, a) : Number(a) >>> 0).toString(16)}`);
        break;
      case "oflags":
      case "fdflags":
      case "lookupflags":
      case "fstflags":
        parts.push(`${name}=${flagNames(Number(a) >>> 0, FLAG_NAMES[kind])}`);
        break;
      case "clock":
        parts.push(`${name}=${CLOCKS[Number(a)] ?? Number(a) >>> 0}`);
        break;
      case "whence":
        parts.push(`${name}=${whence[Number(a)] ?? Number(a) >>> 0}`);
        break;
      case "path":
        parts.push(`${name}=${quoted(memory, Number(a) >>> 0, Number(args[i++]) >>> 0)}`);
        break;
      case "iovs":
        parts.push(`${name}=${iovecs(memory, Number(a) >>> 0, Number(args[i++]) >>> 0)}`);
        break;
      case "buf":
      case "outstr":
        parts.push(`${name}=${hex(a)}[${Number(args[i++]) >>> 0}]`);
        break;
      default: // ptr and out pointers
        parts.push(`${name}=${hex(a)}`);
    }
  }
  return parts.join(", ");
}

/** `ESUCCESS` and the values the call wrote to its out-pointers, or the errno's name. */
function describeResult(
  params: readonly { name: string; kind: ArgKind }[],
  args: unknown[],
  errno: unknown,
  memory: ArrayBuffer | null,
): string {
  if (typeof errno !== "number") return String(errno);
  const name = ERRNO_NAMES[errno] ?? `errno ${errno}`;
  if (errno !== Errno.SUCCESS || memory === null) return name;
  const outs: string[] = [];
  const view = new DataView(memory);
  let i = 0;
  for (const param of params) {
    const ptr = Number(args[i++]) >>> 0;
    const wide = param.kind === "path" || param.kind === "iovs" || param.kind === "buf" || param.kind === "outstr";
    const len = wide ? Number(args[i++]) >>> 0 : 0;
    try {
      if (param.kind === "out16") outs.push(`${param.name}=${view.getUint16(ptr, true)}`);
      else if (param.kind === "out32") outs.push(`${param.name}=${view.getUint32(ptr, true)}`);
      else if (param.kind === "out64") outs.push(`${param.name}=${view.getBigUint64(ptr, true)}`);
      else if (param.kind === "outstr") outs.push(`${param.name}=${quoted(memory, ptr, len)}`);
    } catch {
      outs.push(`${param.name}=<out of bounds>`);
    }
  }
  return [name, ...outs].join(" ");
}

/** A string in guest memory, JSON-quoted (so control characters are escaped), cut at {@link MAX_STRING}. */
function quoted(memory: ArrayBuffer | null, ptr: number, len: number): string {
  if (memory === null || ptr + len > memory.byteLength) return `${hex(ptr)}[${len}] <out of bounds>`;
  const text = decoder.decode(new Uint8Array(memory, ptr, Math.min(len, MAX_STRING)));
  return JSON.stringify(text) + (len > MAX_STRING ? "…" : "");
}

/** An iovec array: its address, count and total length, e.g. `0x1ffd8[1] 13 bytes`. */
function iovecs(memory: ArrayBuffer | null, ptr: number, count: number): string {
  if (memory === null || ptr + count * 8 > memory.byteLength) return `${hex(ptr)}[${count}] <out of bounds>`;
  const view = new DataView(memory);
  let total = 0;
  for (let k = 0; k < count; k++) total += view.getUint32(ptr + k * 8 + 4, true);
  return `${hex(ptr)}[${count}] ${total} bytes`;
}

/** Set flags by name joined with `|` (`CREAT|TRUNC`), unknown bits in hex, `0` for none. */
function flagNames(value: number, names: Readonly<Record<string, number>>): string {
  const parts: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(names)) {
    if ((value & bit) !== 0) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.length > 0 ? parts.join("|") : "0";
}

function hex(n: unknown): string {
  return `0x${(Number(n) >>> 0).toString(16)}`;
}
