/**
 * Where `lib/wasi/wasi.ts` finds the host backend (`fs/node_fs.ts`) without importing it statically, so that a
 * `Wasi` on a `MemoryFs` with its own stdio never loads `node:fs`. The host module registers itself here when it
 * is evaluated (whoever imported it: `wasi.ts` at the root re-exports `NodeFs`, the CLI, tests), and
 * {@link loadHost} imports it dynamically when nobody has yet.
 *
 * @module
 */
import type { NodeFs } from "./fs/node_fs.ts";

/** What `Wasi` needs of the host module: the filesystem backend and blocking/async access to fds 0, 1, 2. */
export interface HostModule {
  /** The `node:fs` backend class. */
  NodeFs: typeof NodeFs;
  /** Host stdio. */
  hostStdio: {
    read(max: number): Uint8Array;
    readAsync(max: number): Promise<Uint8Array>;
    write(fd: 1 | 2, data: Uint8Array): void;
    isatty(fd: number): boolean;
  };
}

let loaded: HostModule | null = null;
let loading: Promise<HostModule> | null = null;

/**
 * Records the host module (called once by `fs/node_fs.ts` when it is evaluated).
 *
 * @param host the module's exports
 */
export function registerHost(host: HostModule): void {
  loaded = host;
}

/**
 * The host module if it is loaded, else null.
 *
 * @returns the host module or null
 */
export function hostIfLoaded(): HostModule | null {
  return loaded;
}

/**
 * Loads the host module (a dynamic import of `fs/node_fs.ts`, which imports `node:fs`).
 *
 * @returns the host module
 */
export function loadHost(): Promise<HostModule> {
  if (loaded) return Promise.resolve(loaded);
  return loading ??= import("./fs/node_fs.ts").then((m) => loaded = { NodeFs: m.NodeFs, hostStdio: m.hostStdio });
}
