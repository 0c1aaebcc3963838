/**
 * WASI preview1 constants from the witx (`typenames.witx` of `wasi_snapshot_preview1`, and where it differs the
 * legacy `wasi_unstable`): file types, flags, rights, clock ids, event types and the byte sizes of the structures
 * the syscalls write.
 *
 * @module
 */

/** `filetype` (u8). */
export const Filetype = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

/** `fdflags` (u16). */
export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** `oflags` (u16) for `path_open`. */
export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** `lookupflags` (u32). */
export const Lookupflags = { SYMLINK_FOLLOW: 1 } as const;
/** `fstflags` (u16) for the `*_filestat_set_times` calls. */
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** `whence` (u8) of `wasi_snapshot_preview1`. `wasi_unstable` numbers them CUR=0, END=1, SET=2. */
export const Whence = { SET: 0, CUR: 1, END: 2 } as const;
/** `clockid` (u32). */
export const Clockid = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 } as const;
/** `eventtype` (u8) of a subscription or event. */
export const Eventtype = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
/** `subclockflags` (u16). */
export const Subclockflags = { SUBSCRIPTION_CLOCK_ABSTIME: 1 } as const;
/** `eventrwflags` (u16). */
export const Eventrwflags = { FD_READWRITE_HANGUP: 1 } as const;
/** `riflags` (u16) of `sock_recv`. */
export const Riflags = { RECV_PEEK: 1, RECV_WAITALL: 2 } as const;
/** `roflags` (u16) written by `sock_recv`. */
export const Roflags = { RECV_DATA_TRUNCATED: 1 } as const;
/** `sdflags` (u8) of `sock_shutdown`. */
export const Sdflags = { RD: 1, WR: 2 } as const;
/** `advice` (u8) of `fd_advise`; values 0..5 are valid. */
export const Advice = { NORMAL: 0, SEQUENTIAL: 1, RANDOM: 2, WILLNEED: 3, DONTNEED: 4, NOREUSE: 5 } as const;
/** `preopentype` (u8). */
export const Preopentype = { DIR: 0 } as const;

/** `rights` (u64) bits. */
export const Rights = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_DIRECTORY: 1n << 9n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n,
  PATH_LINK_TARGET: 1n << 12n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_READLINK: 1n << 15n,
  PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n,
  PATH_FILESTAT_GET: 1n << 18n,
  PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n,
  PATH_SYMLINK: 1n << 24n,
  PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n,
  POLL_FD_READWRITE: 1n << 27n,
  SOCK_SHUTDOWN: 1n << 28n,
  SOCK_ACCEPT: 1n << 29n,
} as const;

/** Every right bit defined by preview1. */
export const RIGHTS_ALL = (1n << 30n) - 1n;

/** Rights a regular file descriptor can hold (Wasmtime's file base rights). */
export const RIGHTS_FILE_BASE = Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.POLL_FD_READWRITE;

/** Rights a directory descriptor can hold (Wasmtime's directory base rights). */
export const RIGHTS_DIRECTORY_BASE = Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_ADVISE |
  Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE | Rights.PATH_LINK_TARGET |
  Rights.PATH_OPEN | Rights.FD_READDIR | Rights.PATH_READLINK | Rights.PATH_RENAME_SOURCE |
  Rights.PATH_RENAME_TARGET | Rights.PATH_FILESTAT_GET | Rights.PATH_FILESTAT_SET_SIZE |
  Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK |
  Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_UNLINK_FILE | Rights.POLL_FD_READWRITE;

/** Rights a directory passes on to what is opened through it. */
export const RIGHTS_DIRECTORY_INHERITING = RIGHTS_DIRECTORY_BASE | RIGHTS_FILE_BASE;

/** Rights of a TCP socket descriptor. */
export const RIGHTS_SOCKET_BASE = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_FILESTAT_GET | Rights.POLL_FD_READWRITE | Rights.SOCK_SHUTDOWN | Rights.SOCK_ACCEPT;

/** Byte sizes of the structures syscalls read and write. */
export const Size = {
  /** `fdstat`: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16. */
  FDSTAT: 24,
  /** `filestat` (preview1): dev @0, ino @8, filetype u8 @16, nlink u64 @24, size @32, atim @40, mtim @48, ctim @56. */
  FILESTAT: 64,
  /** `filestat` (wasi_unstable): dev @0, ino @8, filetype u8 @16, nlink u32 @20, size @24, atim @32, mtim @40, ctim @48. */
  FILESTAT_UNSTABLE: 56,
  /** `dirent`: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20; the name follows. */
  DIRENT: 24,
  /** `prestat`: tag u8 @0, pr_name_len u32 @4. */
  PRESTAT: 8,
  /** `iovec`/`ciovec`: buf u32 @0, buf_len u32 @4. */
  IOVEC: 8,
  /** `subscription` (preview1): userdata u64 @0, tag u8 @8, union @16 (clock: id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40). */
  SUBSCRIPTION: 48,
  /** `subscription` (wasi_unstable): clock union has identifier u64 @16, id u32 @24, timeout @32, precision @40, flags @48. */
  SUBSCRIPTION_UNSTABLE: 56,
  /** `event`: userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24. */
  EVENT: 32,
} as const;
