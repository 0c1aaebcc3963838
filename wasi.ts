/**
 * Kiln's WASI preview1: run WASI commands on Kiln with an in-memory or host filesystem.
 *
 * `runWasi` is the one-call runner; `Wasi` gives the import object and `start` for instances you create yourself;
 * `MemoryFs` is a filesystem that lives in memory (it works everywhere, including browsers); `NodeFs` is the host
 * filesystem on `node:fs` (Deno, Bun and Node).
 *
 * @example Running a WASI command with an in-memory filesystem
 * ```ts
 * import { parseWat } from "./mod.ts";
 * import { MemoryFs, runWasi } from "./wasi.ts";
 * const bytes = parseWat(`(module
 *   (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 16) "hi\\n")
 *   (func (export "_start")
 *     (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
 *     (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
 * let out = "";
 * const code = await runWasi(bytes, {
 *   fs: new MemoryFs(),
 *   stdin: "null",
 *   stdout: (data) => void (out += new TextDecoder().decode(data)),
 * });
 * console.log(code, JSON.stringify(out)); // 0 "hi\n"
 * ```
 *
 * @module
 */

export { runWasi } from "./lib/wasi/run_wasi.ts";
export type { EngineObject, RunWasiOptions } from "./lib/wasi/run_wasi.ts";
export type { StoreOptions } from "./lib/runtime/store.ts";
export { Wasi } from "./lib/wasi/wasi.ts";
export type { WasiInstance, WasiOptions } from "./lib/wasi/wasi.ts";
export { MemoryFs } from "./lib/wasi/fs/memory_fs.ts";
export type { MemoryFsOptions } from "./lib/wasi/fs/memory_fs.ts";
export { NodeFs } from "./lib/wasi/fs/node_fs.ts";
export type {
  DirEntry,
  DirHold,
  FileHandle,
  FileStat,
  FsBackend,
  HeldDir,
  MaybePromise,
  OpenOptions,
} from "./lib/wasi/fs/fs_backend.ts";
export type {
  StdinOption,
  StdoutOption,
  WasiListener,
  WasiReader,
  WasiSocket,
  WasiWriter,
} from "./lib/wasi/streams.ts";
export { Errno, WasiError } from "./lib/wasi/errno.ts";
export { WasiExit } from "./lib/errors.ts";
