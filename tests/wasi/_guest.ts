// Test helper: drives WASI imports directly, the way a guest would, against a WebAssembly.Memory. Strings and
// buffers are placed at increasing offsets; results are read back from guest memory.
import { Wasi, type WasiOptions } from "../../lib/wasi/wasi.ts";

type ImportFn = (...a: unknown[]) => number | Promise<number>;

/** A fake guest: one page of memory, a bump allocator and the WASI import functions. */
export class Guest {
  readonly memory = new WebAssembly.Memory({ initial: 2 });
  readonly wasi: Wasi;
  readonly fns: Record<string, ImportFn>;
  private top = 1024;

  constructor(options: WasiOptions, module: "wasi_snapshot_preview1" | "wasi_unstable" = "wasi_snapshot_preview1") {
    this.wasi = new Wasi(options);
    this.wasi.bind({ exports: { memory: this.memory } });
    this.fns = this.wasi.getImportObject()[module] as unknown as Record<string, ImportFn>;
  }

  get view(): DataView {
    return new DataView(this.memory.buffer);
  }

  /** Reserves `n` zeroed bytes, 8-aligned. */
  alloc(n: number): number {
    const p = this.top;
    this.top = (this.top + n + 7) & ~7;
    new Uint8Array(this.memory.buffer, p, n).fill(0);
    return p;
  }

  /** Places UTF-8 bytes in memory; returns [ptr, len]. */
  str(s: string): [number, number] {
    const b = new TextEncoder().encode(s);
    const p = this.alloc(b.length);
    new Uint8Array(this.memory.buffer, p, b.length).set(b);
    return [p, b.length];
  }

  u32(p: number): number {
    return this.view.getUint32(p, true);
  }

  u64(p: number): bigint {
    return this.view.getBigUint64(p, true);
  }

  text(p: number, n: number): string {
    return new TextDecoder().decode(new Uint8Array(this.memory.buffer, p, n));
  }

  /** Calls an import and awaits it (sync results pass through). */
  async call(name: string, ...args: unknown[]): Promise<number> {
    return await this.fns[name](...args);
  }

  /** path_open; returns [errno, fd]. */
  async open(
    dirfd: number,
    path: string,
    opts: { follow?: boolean; oflags?: number; rights?: bigint; fdflags?: number } = {},
  ): Promise<[number, number]> {
    const [p, l] = this.str(path);
    const out = this.alloc(4);
    const rights = opts.rights ?? ((1n << 30n) - 1n);
    const errno = await this.call(
      "path_open",
      dirfd,
      opts.follow ? 1 : 0,
      p,
      l,
      opts.oflags ?? 0,
      rights,
      rights,
      opts.fdflags ?? 0,
      out,
    );
    return [errno, errno === 0 ? this.u32(out) : -1];
  }

  /** fd_write of one buffer; returns [errno, nwritten]. */
  async write(fd: number, data: string): Promise<[number, number]> {
    const [p, l] = this.str(data);
    const iov = this.alloc(8);
    this.view.setUint32(iov, p, true);
    this.view.setUint32(iov + 4, l, true);
    const out = this.alloc(4);
    const errno = await this.call("fd_write", fd, iov, 1, out);
    return [errno, this.u32(out)];
  }

  /** fd_read of up to n bytes; returns [errno, text]. */
  async read(fd: number, n: number): Promise<[number, string]> {
    const buf = this.alloc(n);
    const iov = this.alloc(8);
    this.view.setUint32(iov, buf, true);
    this.view.setUint32(iov + 4, n, true);
    const out = this.alloc(4);
    const errno = await this.call("fd_read", fd, iov, 1, out);
    return [errno, errno === 0 ? this.text(buf, this.u32(out)) : ""];
  }

  /** Calls a path_* import taking (fd, path_ptr, path_len). */
  async pathOp(name: string, fd: number, path: string): Promise<number> {
    const [p, l] = this.str(path);
    return await this.call(name, fd, p, l);
  }
}
