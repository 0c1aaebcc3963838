// Test helper: whole-file writes and reads through any synchronous FsBackend (host or in-memory), for setting up
// trees and checking them after a guest ran.
import type { FsBackend, OpenOptions } from "../../lib/wasi/fs/fs_backend.ts";
import { Filetype } from "../../lib/wasi/constants.ts";

const CLOSED: OpenOptions = {
  read: false,
  write: false,
  create: false,
  exclusive: false,
  truncate: false,
  append: false,
  directory: false,
};

/** Writes `text` to `p`, creating or truncating it. */
export function writeFile(b: FsBackend, p: string, text: string): void {
  const h = b.open(p, { ...CLOSED, write: true, create: true, truncate: true }) as {
    write(d: Uint8Array, pos: number): number;
    close(): void;
  };
  h.write(new TextEncoder().encode(text), 0);
  h.close();
}

/** The first 4 KiB of `p`, as text. */
export function readFile(b: FsBackend, p: string): string {
  const h = b.open(p, { ...CLOSED, read: true }) as { read(d: Uint8Array, pos: number): number; close(): void };
  const buf = new Uint8Array(4096);
  const n = h.read(buf, 0);
  h.close();
  return new TextDecoder().decode(buf.subarray(0, n));
}

/**
 * Everything below `top` but `skip` (the preopen): path → type, size, link count, mtime, and a file's contents or a
 * symlink's target. Two equal snapshots mean nothing there was read-modified, created, linked, renamed or removed.
 */
export function snapshot(b: FsBackend, top: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of b.readdir(dir) as { name: string }[]) {
      const p = `${dir}/${e.name}`;
      if (p === skip) continue;
      const st = b.lstat(p) as { filetype: number; size: bigint; nlink: bigint; mtim: bigint };
      let desc = `${st.filetype}:${st.size}:${st.nlink}:${st.mtim}`;
      if (st.filetype === Filetype.REGULAR_FILE) desc += `:${readFile(b, p)}`;
      if (st.filetype === Filetype.SYMBOLIC_LINK) desc += `:${b.readlink(p)}`;
      out.set(p, desc);
      if (st.filetype === Filetype.DIRECTORY) walk(p);
    }
  };
  walk(top);
  return out;
}
