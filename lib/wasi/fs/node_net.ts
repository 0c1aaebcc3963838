/**
 * Pre-opened TCP listening sockets for WASI (Wasmtime's `--tcplisten`), on `node:net`. The guest gets the
 * listener as a descriptor and uses `sock_accept`, then `sock_recv`/`sock_send`/`sock_shutdown` (or fd_read and
 * fd_write) on the accepted connections. Blocking operations return Promises, so they need "async" mode.
 *
 * @module
 */
import * as net from "node:net";
import { Errno, toWasiError, WasiError } from "../errno.ts";
import type { WasiListener, WasiSocket } from "../streams.ts";

/** A connection accepted from a {@link TcpListener}. */
class TcpSocket implements WasiSocket {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private readClosed = false;
  private error: unknown = null;
  private wakers: (() => void)[] = [];

  constructor(private readonly socket: net.Socket) {
    socket.on("data", (d: Uint8Array) => {
      this.chunks.push(new Uint8Array(d));
      this.notify();
    });
    socket.on("end", () => {
      this.ended = true;
      this.notify();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.notify();
    });
  }

  private notify(): void {
    for (const w of this.wakers.splice(0)) w();
  }

  private waitForData(): Promise<void> {
    return new Promise<void>((resolve) => this.wakers.push(resolve));
  }

  private take(max: number): Uint8Array {
    const out: number[] = [];
    while (this.chunks.length > 0 && out.length < max) {
      const c = this.chunks[0];
      const n = Math.min(c.length, max - out.length);
      for (let i = 0; i < n; i++) out.push(c[i]);
      if (n === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(n);
    }
    return Uint8Array.from(out);
  }

  read(max: number, nonblocking = false): Uint8Array | Promise<Uint8Array> {
    if (this.readClosed) return new Uint8Array(0);
    if (this.chunks.length > 0) return this.take(max);
    if (this.error) throw toWasiError(this.error);
    if (this.ended) return new Uint8Array(0);
    if (nonblocking) throw new WasiError(Errno.AGAIN, "no data available");
    return this.waitForData().then(() => this.read(max, nonblocking));
  }

  ready(): Promise<void> | void {
    if (this.chunks.length > 0 || this.ended || this.error || this.readClosed) return;
    return this.waitForData();
  }

  write(data: Uint8Array): Promise<void> {
    if (this.socket.writableEnded) return Promise.reject(new WasiError(Errno.PIPE, "socket shut down for writing"));
    return new Promise<void>((resolve, reject) =>
      this.socket.write(data, (err) => err ? reject(toWasiError(err)) : resolve())
    );
  }

  shutdown(read: boolean, write: boolean): void {
    if (read) this.readClosed = true;
    if (write) this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A listening TCP socket to pre-open for a guest (`new Wasi({ listeners: [await tcpListen("127.0.0.1:0")] })`).
 *
 * @example
 * ```ts
 * import { tcpListen } from "./node_net.ts";
 * const listener = await tcpListen("127.0.0.1:0");
 * console.log(listener.port > 0); // true
 * listener.close();
 * ```
 */
export class TcpListener implements WasiListener {
  private readonly pending: net.Socket[] = [];
  private wakers: (() => void)[] = [];

  /** @param server a listening node:net server */
  constructor(private readonly server: net.Server) {
    server.on("connection", (s: net.Socket) => {
      this.pending.push(s);
      for (const w of this.wakers.splice(0)) w();
    });
  }

  /** The port the listener is bound to. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The address the listener is bound to. */
  get host(): string {
    return (this.server.address() as net.AddressInfo).address;
  }

  accept(block = true): WasiSocket | null | Promise<WasiSocket | null> {
    const s = this.pending.shift();
    if (s) return new TcpSocket(s);
    if (!block) return null;
    return new Promise<void>((resolve) => this.wakers.push(resolve)).then(() => this.accept(block));
  }

  ready(): Promise<void> | void {
    if (this.pending.length > 0) return;
    return new Promise<void>((resolve) => this.wakers.push(resolve));
  }

  close(): void {
    for (const s of this.pending.splice(0)) s.destroy();
    this.server.close();
  }
}

/**
 * Listens on `host:port` (port 0 picks a free one) and resolves once bound.
 *
 * @param address "host:port", e.g. "127.0.0.1:8080"
 * @returns the listener, to pass in `WasiOptions.listeners`
 */
export function tcpListen(address: string): Promise<TcpListener> {
  const i = address.lastIndexOf(":");
  if (i < 0) return Promise.reject(new TypeError(`invalid listen address: ${address}`));
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, "$1");
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new TypeError(`invalid listen port: ${address}`));
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: false });
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(new TcpListener(server));
    });
  });
}
