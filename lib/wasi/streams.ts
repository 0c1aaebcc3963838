/**
 * Standard streams and sockets as the WASI layer sees them: small reader/writer interfaces that a host can
 * implement with callbacks, buffers or host file descriptors.
 *
 * @module
 */
import type { MaybePromise } from "./fs/fs_backend.ts";

/**
 * A readable stream (stdin, a socket). `read` returns at most `max` bytes; an empty array means end of input.
 * With `nonblocking` set, a stream that has nothing yet throws `WasiError(Errno.AGAIN)` instead of waiting.
 */
export interface WasiReader {
  /**
   * Reads at most `max` bytes.
   *
   * @param max the most bytes to return
   * @param nonblocking throw `WasiError(Errno.AGAIN)` rather than wait when nothing is available
   * @returns the bytes read; empty at end of input
   */
  read(max: number, nonblocking?: boolean): MaybePromise<Uint8Array>;
  /** Resolves when a read would not block (for poll_oneoff); omitted means always ready. */
  ready?(): MaybePromise<void>;
  /** Whether this stream is a terminal (reported as a character device). */
  isatty?: boolean;
}

/** A writable stream (stdout, stderr, a socket). `write` consumes all of `data`. */
export interface WasiWriter {
  /**
   * Writes all of `data` (a view into guest memory: copy it to keep it past the call).
   *
   * @param data the bytes to write
   */
  write(data: Uint8Array): MaybePromise<void>;
  /** Whether this stream is a terminal (reported as a character device). */
  isatty?: boolean;
}

/** A connected stream socket. */
export interface WasiSocket extends WasiReader, WasiWriter {
  /** Shuts down the read side, the write side or both. */
  shutdown(read: boolean, write: boolean): MaybePromise<void>;
  /** Closes the connection (fd_close on the socket's descriptor). */
  close(): MaybePromise<void>;
}

/** A listening socket handed to the guest as a preopened descriptor (Wasmtime's `--tcplisten`). */
export interface WasiListener {
  /**
   * Returns the next pending connection. When none is pending: with `block`, waits for one (a Promise); without,
   * returns null (the guest gets EAGAIN).
   */
  accept(block: boolean): MaybePromise<WasiSocket | null>;
  /** Resolves when a connection is pending (for poll_oneoff). */
  ready?(): MaybePromise<void>;
  /** Stops listening (fd_close on the listener's descriptor). */
  close(): MaybePromise<void>;
}

/** What a `stdin` option may be: a reader, bytes or a string to serve, or "inherit" (host stdin). */
export type StdinOption = WasiReader | Uint8Array | string | "inherit" | "null";
/** What a `stdout`/`stderr` option may be: a writer, a callback, "inherit" (host fd) or "null" (discard). */
export type StdoutOption = WasiWriter | ((data: Uint8Array) => MaybePromise<void>) | "inherit" | "null";

/** A reader over fixed bytes. */
export function bytesReader(data: Uint8Array): WasiReader {
  let off = 0;
  return {
    read(max: number): Uint8Array {
      const out = data.slice(off, off + max);
      off += out.length;
      return out;
    },
  };
}
