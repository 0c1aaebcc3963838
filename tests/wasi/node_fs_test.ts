// The host backend's sync/async split in async mode (lib/wasi/fs/node_fs.ts module doc, bench/wasi_fs_bench.ts):
// metadata calls and small regular-file I/O complete synchronously; large I/O, fsync and anything that can block
// indefinitely (a FIFO) stays off the event loop, so a timer fires while the guest waits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodeFs, READDIR_SYNC_MAX_ENTRIES, SYNC_IO_MAX_BYTES } from "../../lib/wasi/fs/node_fs.ts";
import type { FileHandle, OpenOptions } from "../../lib/wasi/fs/fs_backend.ts";
import { Errno, WasiError } from "../../lib/wasi/errno.ts";
import { Filetype } from "../../lib/wasi/constants.ts";
import { Guest } from "./_guest.ts";

const RW: OpenOptions = {
  read: true,
  write: true,
  create: false,
  exclusive: false,
  truncate: false,
  append: false,
  directory: false,
};

function tempDir(): string {
  return nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-nodefs-"));
}

/** Makes a FIFO at `p`; false where the host has no `mkfifo`. */
function mkfifo(p: string): boolean {
  if (process.platform === "win32") return false;
  try {
    execFileSync("mkfifo", [p]);
    return true;
  } catch {
    return false;
  }
}

const isPromise = (v: unknown) => v instanceof Promise;

test("`NodeFs` async mode answers metadata calls and small regular-file I/O synchronously", async () => {
  const dir = tempDir();
  try {
    nodeFs.writeFileSync(path.join(dir, "f"), "hello");
    nodeFs.mkdirSync(path.join(dir, "few"));
    nodeFs.mkdirSync(path.join(dir, "many"));
    for (let i = 0; i <= READDIR_SYNC_MAX_ENTRIES; i++) nodeFs.writeFileSync(path.join(dir, "many", `e${i}`), "");
    const b = new NodeFs({ sync: false });
    assert.equal(b.sync, false);
    const st = b.lstat(path.join(dir, "f"));
    assert.ok(!isPromise(st));
    assert.throws(() => b.lstat(path.join(dir, "missing")), (e) => e instanceof WasiError && e.errno === Errno.NOENT);
    assert.ok(!isPromise(b.readdir(path.join(dir, "few"))));
    const many = b.readdir(path.join(dir, "many"));
    assert.ok(isPromise(many), "a directory past READDIR_SYNC_MAX_ENTRIES is listed asynchronously");
    assert.equal((await many).length, READDIR_SYNC_MAX_ENTRIES + 1);
    assert.ok(!isPromise(b.mkdir(path.join(dir, "made"))));
    const unhinted = b.open(path.join(dir, "f"), RW) as FileHandle;
    assert.ok(!isPromise(unhinted), "a regular file opens synchronously (the fd's fstat says so)");
    assert.ok(!isPromise(unhinted.close()));
    const h = b.open(path.join(dir, "f"), { ...RW, filetype: Filetype.REGULAR_FILE }) as FileHandle;
    assert.ok(!isPromise(h), "a regular file opens synchronously");
    const small = new Uint8Array(5);
    assert.equal(h.read(small, 0), 5);
    assert.equal(new TextDecoder().decode(small), "hello");
    assert.equal(h.write(new Uint8Array(SYNC_IO_MAX_BYTES), 0), SYNC_IO_MAX_BYTES);
    const bigWrite = h.write(new Uint8Array(SYNC_IO_MAX_BYTES + 1).fill(1), 0);
    assert.ok(isPromise(bigWrite), "a write above SYNC_IO_MAX_BYTES goes through the thread pool");
    assert.equal(await bigWrite, SYNC_IO_MAX_BYTES + 1);
    const bigRead = h.read(new Uint8Array(SYNC_IO_MAX_BYTES + 1), 0);
    assert.ok(isPromise(bigRead));
    assert.equal(await bigRead, SYNC_IO_MAX_BYTES + 1);
    const flushed = h.sync();
    assert.ok(isPromise(flushed), "fsync stays asynchronous");
    await flushed;
    assert.equal((h.stat() as { size: bigint }).size, BigInt(SYNC_IO_MAX_BYTES + 1));
    assert.ok(!isPromise(h.close()));
    assert.throws(() => h.close(), (e) => e instanceof WasiError && e.errno === Errno.BADF);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("`NodeFs` with `syncSmallCalls: false` returns a Promise from every call", async () => {
  const dir = tempDir();
  try {
    nodeFs.writeFileSync(path.join(dir, "f"), "x");
    const b = new NodeFs({ sync: false, syncSmallCalls: false });
    const st = b.lstat(path.join(dir, "f"));
    assert.ok(isPromise(st));
    await st;
    const missing = b.lstat(path.join(dir, "missing"));
    assert.ok(isPromise(missing));
    await assert.rejects(missing as Promise<unknown>, (e) => e instanceof WasiError && e.errno === Errno.NOENT);
    const opened = b.open(path.join(dir, "f"), RW);
    assert.ok(isPromise(opened));
    const h = await opened;
    const r = h.read(new Uint8Array(1), 0);
    assert.ok(isPromise(r));
    assert.equal(await r, 1);
    const c = h.close();
    assert.ok(isPromise(c));
    await c;
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a guest's path and small file calls on the host fs in async mode return without suspending", async () => {
  const dir = tempDir();
  try {
    nodeFs.mkdirSync(path.join(dir, "a/b"), { recursive: true });
    nodeFs.writeFileSync(path.join(dir, "a/b/f"), "data");
    const g = new Guest({ preopens: { "/d": dir }, fs: "host", mode: "async", stdout: "null", stderr: "null" });
    await g.wasi.ready();
    const [p, l] = g.str("a/b/f");
    const st = g.alloc(64);
    const r = g.fns.path_filestat_get(3, 1, p, l, st);
    assert.equal(r, Errno.SUCCESS, "path_filestat_get returned a plain errno");
    assert.equal(g.u64(st + 32), 4n);
    const out = g.alloc(4);
    const rights = (1n << 30n) - 1n;
    assert.equal(g.fns.path_open(3, 1, p, l, 0, rights, rights, 0, out), Errno.SUCCESS);
    const fd = g.u32(out);
    const buf = g.alloc(16), iov = g.alloc(8), n = g.alloc(4);
    g.view.setUint32(iov, buf, true);
    g.view.setUint32(iov + 4, 16, true);
    assert.equal(g.fns.fd_read(fd, iov, 1, n), Errno.SUCCESS);
    assert.equal(g.text(buf, g.u32(n)), "data");
    assert.equal(g.fns.fd_close(fd), Errno.SUCCESS);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a guest opening and reading a FIFO in async mode suspends: a timer fires, then the writer's data arrives", async (t) => {
  const dir = tempDir();
  try {
    const fifo = path.join(dir, "fifo");
    if (!mkfifo(fifo)) {
      t.skip("no mkfifo on this host");
      return;
    }
    // Without a filetype hint the backend checks the opened fd: a FIFO (even O_RDWR, which Linux opens at once)
    // is opened again off the event loop.
    const unhinted = new NodeFs({ sync: false }).open(fifo, { ...RW, filetype: undefined });
    assert.ok(isPromise(unhinted), "a FIFO opened without a hint is reopened asynchronously");
    await (await unhinted).close();
    const g = new Guest({ preopens: { "/d": dir }, fs: "host", mode: "async", stdout: "null", stderr: "null" });
    await g.wasi.ready();
    let fired = false;
    const timer = setTimeout(() => {
      fired = true;
      // The writer arrives only after the timer: had the open or the read blocked the event loop, it never would.
      nodeFs.open(fifo, "w", (err, wfd) => {
        assert.equal(err, null);
        nodeFs.write(wfd, "ping", () => nodeFs.close(wfd, () => {}));
      });
    }, 20);
    const [p, l] = g.str("fifo");
    const out = g.alloc(4);
    // Read-only (FD_READ): Linux opens a FIFO for O_RDWR at once, but O_RDONLY waits for a writer.
    const opened = g.fns.path_open(3, 1, p, l, 0, 2n, 0n, 0, out);
    assert.ok(isPromise(opened), "opening a FIFO suspends the guest");
    assert.equal(await opened, Errno.SUCCESS);
    assert.ok(fired, "the timer ran while the open waited for a writer");
    const fd = g.u32(out);
    const buf = g.alloc(4), iov = g.alloc(8), n = g.alloc(4);
    g.view.setUint32(iov, buf, true);
    g.view.setUint32(iov + 4, 4, true);
    assert.equal(await g.fns.fd_pread(fd, iov, 1, 0n, n), Errno.SPIPE, "a FIFO has no positions");
    const [errno, text] = await g.read(fd, 16);
    clearTimeout(timer);
    assert.equal(errno, Errno.SUCCESS);
    assert.equal(text, "ping");
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a guest waiting to open a FIFO does not stall another guest's path calls (issue 13, item 2)", async (t) => {
  const dir = tempDir();
  try {
    const fifo = path.join(dir, "a", "fifo");
    nodeFs.mkdirSync(path.join(dir, "a"));
    nodeFs.mkdirSync(path.join(dir, "b"));
    nodeFs.writeFileSync(path.join(dir, "b", "f"), "x");
    if (!mkfifo(fifo)) {
      t.skip("no mkfifo on this host");
      return;
    }
    const a = new Guest({ preopens: { "/a": path.join(dir, "a") }, fs: "host", mode: "async", stdout: "null" });
    const b = new Guest({ preopens: { "/b": path.join(dir, "b") }, fs: "host", mode: "async", stdout: "null" });
    await a.wasi.ready();
    await b.wasi.ready();
    // A opens the FIFO read-only: that waits for a writer, which comes only after B's calls are done.
    const [p, l] = a.str("fifo");
    const opened = a.fns.path_open(3, 1, p, l, 0, 2n, 0n, 0, a.alloc(4));
    assert.ok(isPromise(opened));
    const bDone = (async () => {
      for (let i = 0; i < 3; i++) {
        const [e, fd] = await b.open(3, "f");
        assert.equal(e, Errno.SUCCESS);
        assert.equal(await b.call("fd_close", fd), Errno.SUCCESS);
        assert.equal(await b.pathOp("path_create_directory", 3, `made${i}`), Errno.SUCCESS);
      }
      return "b finished";
    })();
    const winner = await Promise.race([bDone, new Promise((r) => setTimeout(() => r("timed out"), 2000))]);
    assert.equal(winner, "b finished", "B's path calls waited for A's FIFO open");
    const wfd = await new Promise<number>((resolve, reject) =>
      nodeFs.open(fifo, "w", (err, fd) => err ? reject(err) : resolve(fd))
    );
    assert.equal(await opened, Errno.SUCCESS);
    nodeFs.closeSync(wfd);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});
