// Unit tests of the WASI syscalls through their imports, the way a guest calls them. The filesystem cases run
// against both backends (host node:fs in a temp dir, and MemoryFs) in sync and async mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Guest } from "./_guest.ts";
import { Errno } from "../../lib/wasi/errno.ts";
import { Fdflags, Filetype, Fstflags, Oflags, Rights } from "../../lib/wasi/constants.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";
import { RuntimeError, WasiExit } from "../../lib/errors.ts";
import { Wasi, type WasiOptions } from "../../lib/wasi/wasi.ts";

const PRE = 3;
const dec = new TextDecoder();

test("args_sizes_get and args_get write counts, pointers and NUL-terminated strings", async () => {
  const g = new Guest({ args: ["prog", "a b", "ü"], fs: new MemoryFs() });
  const count = g.alloc(4), size = g.alloc(4);
  assert.equal(await g.call("args_sizes_get", count, size), Errno.SUCCESS);
  assert.equal(g.u32(count), 3);
  assert.equal(g.u32(size), 5 + 4 + 3);
  const ptrs = g.alloc(12), buf = g.alloc(g.u32(size));
  assert.equal(await g.call("args_get", ptrs, buf), Errno.SUCCESS);
  assert.equal(g.u32(ptrs), buf);
  assert.equal(g.text(g.u32(ptrs + 4), 4), "a b\0");
  assert.equal(g.text(g.u32(ptrs + 8), 3), "ü\0");
});

test("environ_sizes_get and environ_get serve only the given variables", async () => {
  const g = new Guest({ env: { A: "1", B: "x=y" }, fs: new MemoryFs() });
  const count = g.alloc(4), size = g.alloc(4);
  assert.equal(await g.call("environ_sizes_get", count, size), Errno.SUCCESS);
  assert.equal(g.u32(count), 2);
  assert.equal(g.u32(size), 4 + 6);
  const ptrs = g.alloc(8), buf = g.alloc(10);
  assert.equal(await g.call("environ_get", ptrs, buf), Errno.SUCCESS);
  assert.equal(g.text(buf, 10), "A=1\0B=x=y\0");
});

test("clocks: every clock id answers, monotonic never goes back, unknown ids are EINVAL", async () => {
  const g = new Guest({ fs: new MemoryFs() });
  const out = g.alloc(8);
  for (const id of [0, 1, 2, 3]) {
    assert.equal(await g.call("clock_res_get", id, out), Errno.SUCCESS);
    assert.ok(g.u64(out) > 0n);
    assert.equal(await g.call("clock_time_get", id, 1n, out), Errno.SUCCESS);
  }
  assert.equal(await g.call("clock_time_get", 0, 1n, out), Errno.SUCCESS);
  const wall = g.u64(out) / 1_000_000n;
  assert.ok(wall - BigInt(Date.now()) < 1000n && BigInt(Date.now()) - wall < 1000n);
  await g.call("clock_time_get", 1, 1n, out);
  const a = g.u64(out);
  await g.call("clock_time_get", 1, 1n, out);
  assert.ok(g.u64(out) >= a);
  assert.equal(await g.call("clock_time_get", 4, 1n, out), Errno.INVAL);
  assert.equal(await g.call("clock_res_get", 99, out), Errno.INVAL);
});

test("random_get fills buffers larger than 65536 bytes", async () => {
  const g = new Guest({ fs: new MemoryFs() });
  const n = 70000, buf = g.alloc(n);
  assert.equal(await g.call("random_get", buf, n), Errno.SUCCESS);
  const bytes = new Uint8Array(g.memory.buffer, buf, n);
  assert.ok(bytes.subarray(65536).some((b) => b !== 0), "the tail past the first chunk is filled");
  assert.equal(await g.call("random_get", buf, 0), Errno.SUCCESS);
  await assert.rejects(async () => await g.call("random_get", 0x7fffff00, 1000), RuntimeError);
});

test("fd_write to stdout and stderr reaches the callbacks; stdin serves the given bytes then EOF", async () => {
  const out: string[] = [], err: string[] = [];
  const g = new Guest({
    fs: new MemoryFs(),
    stdin: "input!",
    stdout: (d) => void out.push(dec.decode(d)),
    stderr: (d) => void err.push(dec.decode(d)),
  });
  assert.deepEqual(await g.write(1, "hello"), [Errno.SUCCESS, 5]);
  assert.deepEqual(await g.write(2, "oops"), [Errno.SUCCESS, 4]);
  assert.deepEqual(out, ["hello"]);
  assert.deepEqual(err, ["oops"]);
  assert.deepEqual(await g.read(0, 3), [Errno.SUCCESS, "inp"]);
  assert.deepEqual(await g.read(0, 100), [Errno.SUCCESS, "ut!"]);
  assert.deepEqual(await g.read(0, 100), [Errno.SUCCESS, ""]);
  assert.equal((await g.read(1, 10))[0], Errno.BADF);
  assert.equal((await g.write(0, "x"))[0], Errno.BADF);
  assert.equal((await g.write(42, "x"))[0], Errno.BADF);
  const seek = g.alloc(8);
  assert.equal(await g.call("fd_seek", 1, 0n, 0, seek), Errno.SPIPE);
  assert.equal(await g.call("fd_tell", 0, seek), Errno.SPIPE);
});

test("fd_fdstat_get reports stdio as non-seekable streams", async () => {
  const g = new Guest({ fs: new MemoryFs(), stdout: "null" });
  const st = g.alloc(24);
  assert.equal(await g.call("fd_fdstat_get", 1, st), Errno.SUCCESS);
  assert.equal(g.view.getBigUint64(st + 8, true) & (Rights.FD_SEEK | Rights.FD_TELL), 0n);
  assert.ok((g.view.getBigUint64(st + 8, true) & Rights.FD_WRITE) !== 0n);
});

test("proc_exit throws WasiExit through the caller, never ending the host process", () => {
  const g = new Guest({ fs: new MemoryFs() });
  assert.throws(() => g.fns.proc_exit(3), (e) => e instanceof WasiExit && e.code === 3);
  assert.equal(g.fns.proc_raise(9), Errno.NOTSUP);
});

test("sched_yield yields a macrotask in async mode and is immediate in sync mode", async () => {
  const ga = new Guest({ fs: new MemoryFs(), mode: "async" });
  let ran = false;
  // A macrotask queued before the yield runs during it (a microtask-only yield would not let it run).
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (g.setImmediate) g.setImmediate(() => ran = true);
  else setTimeout(() => ran = true, 0);
  const r = ga.fns.sched_yield();
  assert.ok(r instanceof Promise);
  assert.equal(await r, Errno.SUCCESS);
  assert.ok(ran, "a queued macrotask ran during the yield");
  const gs = new Guest({ fs: new MemoryFs(), mode: "sync" });
  assert.equal(gs.fns.sched_yield(), Errno.SUCCESS);
});

test("poll_oneoff: zero subscriptions are EINVAL, a closed fd is EBADF, stdout and a file are ready", () => {
  const g = new Guest({ fs: new MemoryFs(), stdout: "null", mode: "sync" });
  const subs = g.alloc(48 * 2), evs = g.alloc(32 * 2), n = g.alloc(4);
  assert.equal(g.fns.poll_oneoff(subs, evs, 0, n), Errno.INVAL);
  g.view.setBigUint64(subs, 7n, true);
  g.view.setUint8(subs + 8, 2); // FD_WRITE
  g.view.setUint32(subs + 16, 1, true);
  g.view.setBigUint64(subs + 48, 8n, true);
  g.view.setUint8(subs + 48 + 8, 1); // FD_READ
  g.view.setUint32(subs + 48 + 16, 77, true);
  assert.equal(g.fns.poll_oneoff(subs, evs, 2, n), Errno.BADF);
  g.view.setUint8(subs + 48 + 8, 0); // now a clock subscription: 1 ms on the process CPU clock
  g.view.setUint32(subs + 48 + 16, 2, true);
  g.view.setBigUint64(subs + 48 + 24, 1_000_000n, true);
  assert.equal(g.fns.poll_oneoff(subs, evs, 2, n), Errno.INVAL);
  g.view.setUint32(subs + 48 + 16, 1, true); // monotonic
  assert.equal(g.fns.poll_oneoff(subs, evs, 2, n), Errno.SUCCESS);
  assert.equal(g.u32(n), 1, "stdout is ready, so the poll does not wait for the clock");
  assert.equal(g.u64(evs), 7n);
  assert.equal(g.view.getUint16(evs + 8, true), 0);
  assert.equal(g.view.getUint8(evs + 10), 2);
});

test("Wasi rejects sync mode over an asynchronous backend and start() needs _start and memory", async () => {
  const asyncBackend = { ...new MemoryFs(), sync: false } as unknown as MemoryFs;
  assert.throws(() => new Wasi({ mode: "sync", fs: asyncBackend }), TypeError);
  const wasi = new Wasi({ fs: new MemoryFs() });
  await assert.rejects(wasi.start({ exports: {} }), TypeError);
  await assert.rejects(wasi.start({ exports: { memory: new WebAssembly.Memory({ initial: 1 }) } }), TypeError);
});

// ---- filesystem, on both backends --------------------------------------------------------------------------

type Make = () => { guest: Guest; cleanup(): void };
const backends: [string, (mode: "sync" | "async", unstable?: boolean) => ReturnType<Make>][] = [
  ["host fs", (mode, unstable) => {
    const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-wasi-"));
    const opts: WasiOptions = { preopens: { "/work": dir }, fs: "host", mode, stdout: "null" };
    return {
      guest: new Guest(opts, unstable ? "wasi_unstable" : "wasi_snapshot_preview1"),
      cleanup: () => nodeFs.rmSync(dir, { recursive: true, force: true }),
    };
  }],
  ["memory fs", (mode, unstable) => {
    const mem = new MemoryFs();
    mem.mkdirp("/work");
    const opts: WasiOptions = { preopens: { "/work": "/work" }, fs: mem, mode, stdout: "null" };
    return { guest: new Guest(opts, unstable ? "wasi_unstable" : "wasi_snapshot_preview1"), cleanup: () => {} };
  }],
];

for (const [name, make] of backends) {
  for (const mode of ["sync", "async"] as const) {
    const t = (title: string, fn: (g: Guest) => Promise<void>, unstable = false) =>
      test(`${title} (${name}, ${mode})`, async () => {
        const w = make(mode, unstable);
        try {
          await fn(w.guest);
        } finally {
          w.cleanup();
        }
      });

    t("fd_prestat_get and fd_prestat_dir_name describe the preopen", async (g) => {
      const st = g.alloc(8);
      assert.equal(await g.call("fd_prestat_get", PRE, st), Errno.SUCCESS);
      assert.equal(g.view.getUint8(st), 0);
      assert.equal(g.u32(st + 4), 5);
      const buf = g.alloc(8);
      assert.equal(await g.call("fd_prestat_dir_name", PRE, buf, 4), Errno.NAMETOOLONG);
      assert.equal(await g.call("fd_prestat_dir_name", PRE, buf, 8), Errno.SUCCESS);
      assert.equal(g.text(buf, 5), "/work");
      assert.equal(await g.call("fd_prestat_get", 4, st), Errno.BADF);
      assert.equal(await g.call("fd_prestat_get", 1, st), Errno.BADF);
    });

    t("write, seek, tell, read and pread/pwrite move the offset as POSIX does", async (g) => {
      const [e, fd] = await g.open(PRE, "f.txt", { oflags: Oflags.CREAT });
      assert.equal(e, Errno.SUCCESS);
      assert.deepEqual(await g.write(fd, "hello world"), [Errno.SUCCESS, 11]);
      const pos = g.alloc(8);
      assert.equal(await g.call("fd_tell", fd, pos), Errno.SUCCESS);
      assert.equal(g.u64(pos), 11n);
      assert.equal(await g.call("fd_seek", fd, -5n, 2, pos), Errno.SUCCESS); // END
      assert.equal(g.u64(pos), 6n);
      assert.deepEqual(await g.read(fd, 100), [Errno.SUCCESS, "world"]);
      assert.equal(await g.call("fd_seek", fd, -100n, 1, pos), Errno.INVAL);
      assert.equal(await g.call("fd_seek", fd, 0n, 3, pos), Errno.INVAL);
      // pwrite/pread leave the offset alone.
      const [p, l] = g.str("HELLO");
      const iov = g.alloc(8), n = g.alloc(4);
      g.view.setUint32(iov, p, true);
      g.view.setUint32(iov + 4, l, true);
      assert.equal(await g.call("fd_pwrite", fd, iov, 1, 0n, n), Errno.SUCCESS);
      assert.equal(await g.call("fd_tell", fd, pos), Errno.SUCCESS);
      assert.equal(g.u64(pos), 11n);
      const buf = g.alloc(16);
      g.view.setUint32(iov, buf, true);
      g.view.setUint32(iov + 4, 16, true);
      assert.equal(await g.call("fd_pread", fd, iov, 1, 0n, n), Errno.SUCCESS);
      assert.equal(g.text(buf, g.u32(n)), "HELLO world");
      assert.equal(await g.call("fd_pread", 0, iov, 1, 0n, n), Errno.SPIPE);
    });

    t("APPEND writes at the end whatever the offset", async (g) => {
      const [, fd] = await g.open(PRE, "log", { oflags: Oflags.CREAT, fdflags: Fdflags.APPEND });
      await g.write(fd, "one;");
      const pos = g.alloc(8);
      assert.equal(await g.call("fd_seek", fd, 0n, 0, pos), Errno.SUCCESS);
      await g.write(fd, "two;");
      const [, rd] = await g.open(PRE, "log");
      assert.deepEqual(await g.read(rd, 100), [Errno.SUCCESS, "one;two;"]);
      const st = g.alloc(24);
      assert.equal(await g.call("fd_fdstat_get", fd, st), Errno.SUCCESS);
      assert.equal(g.view.getUint16(st + 2, true), Fdflags.APPEND);
    });

    t("fd_readdir resumes from cookies and truncates the last entry to the buffer", async (g) => {
      for (const n of ["a", "bb", "ccc"]) await g.open(PRE, n, { oflags: Oflags.CREAT });
      const big = g.alloc(1024), used = g.alloc(4);
      assert.equal(await g.call("fd_readdir", PRE, big, 1024, 0n, used), Errno.SUCCESS);
      const entries: { next: bigint; name: string; type: number }[] = [];
      for (let off = 0; off < g.u32(used);) {
        const len = g.u32(big + off + 16);
        entries.push({
          next: g.u64(big + off),
          name: g.text(big + off + 24, len),
          type: g.view.getUint8(big + off + 20),
        });
        off += 24 + len;
      }
      assert.deepEqual(entries.map((e) => e.name), [".", "..", "a", "bb", "ccc"]);
      assert.deepEqual(entries.map((e) => e.next), [1n, 2n, 3n, 4n, 5n]);
      assert.equal(entries[2].type, Filetype.REGULAR_FILE);
      assert.equal(entries[0].type, Filetype.DIRECTORY);
      // From cookie 3: "bb" then "ccc".
      assert.equal(await g.call("fd_readdir", PRE, big, 1024, 3n, used), Errno.SUCCESS);
      assert.equal(g.u32(used), 24 + 2 + 24 + 3);
      assert.equal(g.text(big + 24, 2), "bb");
      // A buffer that ends inside an entry is filled completely (bufused == buf_len means "more").
      const small = g.alloc(30);
      assert.equal(await g.call("fd_readdir", PRE, small, 30, 0n, used), Errno.SUCCESS);
      assert.equal(g.u32(used), 30);
      // Past the end: nothing.
      assert.equal(await g.call("fd_readdir", PRE, big, 1024, 99n, used), Errno.SUCCESS);
      assert.equal(g.u32(used), 0);
    });

    t("fstflags validation, exact nanosecond times, and sizes", async (g) => {
      const [, fd] = await g.open(PRE, "t", { oflags: Oflags.CREAT });
      assert.equal(await g.call("fd_filestat_set_times", fd, 1n, 1n, Fstflags.ATIM | Fstflags.ATIM_NOW), Errno.INVAL);
      assert.equal(await g.call("fd_filestat_set_times", fd, 1n, 1n, Fstflags.MTIM | Fstflags.MTIM_NOW), Errno.INVAL);
      assert.equal(await g.call("fd_filestat_set_times", fd, 1n, 1n, 16), Errno.INVAL);
      const st = g.alloc(64);
      assert.equal(await g.call("fd_filestat_get", fd, st), Errno.SUCCESS);
      const atim = g.u64(st + 40);
      const mtim = 1_600_000_000_123_456_789n;
      assert.equal(await g.call("fd_filestat_set_times", fd, 0n, mtim, Fstflags.MTIM), Errno.SUCCESS);
      assert.equal(await g.call("fd_filestat_get", fd, st), Errno.SUCCESS);
      assert.equal(g.u64(st + 48), mtim);
      assert.equal(g.u64(st + 40), atim);
      assert.equal(await g.call("fd_filestat_set_size", fd, 10n), Errno.SUCCESS);
      assert.equal(await g.call("fd_filestat_get", fd, st), Errno.SUCCESS);
      assert.equal(g.u64(st + 32), 10n);
      assert.equal(g.view.getUint8(st + 16), Filetype.REGULAR_FILE);
      assert.equal(await g.call("fd_allocate", fd, 0n, 20n), Errno.SUCCESS);
      assert.equal(await g.call("fd_filestat_get", fd, st), Errno.SUCCESS);
      assert.equal(g.u64(st + 32), 20n);
      const [p, l] = g.str("t");
      assert.equal(await g.call("path_filestat_set_times", PRE, 0, p, l, 5n, 6n, Fstflags.ATIM | Fstflags.MTIM), 0);
      assert.equal(await g.call("path_filestat_get", PRE, 0, p, l, st), Errno.SUCCESS);
      assert.equal(g.u64(st + 40), 5n);
      assert.equal(g.u64(st + 48), 6n);
    });

    t("rights can only be dropped, and dropped rights are enforced", async (g) => {
      const [, fd] = await g.open(PRE, "r", { oflags: Oflags.CREAT, rights: Rights.FD_READ | Rights.FD_WRITE });
      assert.equal(await g.call("fd_fdstat_set_rights", fd, Rights.FD_READ, 0n), Errno.SUCCESS);
      assert.equal((await g.write(fd, "x"))[0], Errno.NOTCAPABLE);
      assert.equal(await g.call("fd_fdstat_set_rights", fd, Rights.FD_READ | Rights.FD_WRITE, 0n), Errno.NOTCAPABLE);
      // A directory without PATH_CREATE_FILE cannot create.
      const st = g.alloc(24);
      await g.call("fd_fdstat_get", PRE, st);
      const base = g.u64(st + 8), inh = g.u64(st + 16);
      assert.equal(await g.call("fd_fdstat_set_rights", PRE, base & ~Rights.PATH_CREATE_FILE, inh), Errno.SUCCESS);
      assert.equal((await g.open(PRE, "new", { oflags: Oflags.CREAT }))[0], Errno.NOTCAPABLE);
    });

    t("path_open flag errors: EXCL, DIRECTORY on a file, missing, trailing slash", async (g) => {
      await g.open(PRE, "file", { oflags: Oflags.CREAT });
      assert.equal((await g.open(PRE, "file", { oflags: Oflags.CREAT | Oflags.EXCL }))[0], Errno.EXIST);
      assert.equal((await g.open(PRE, "file", { oflags: Oflags.DIRECTORY }))[0], Errno.NOTDIR);
      assert.equal((await g.open(PRE, "file/"))[0], Errno.NOTDIR);
      assert.equal((await g.open(PRE, "missing"))[0], Errno.NOENT);
      assert.equal((await g.open(PRE, "no/such/dir"))[0], Errno.NOENT);
      assert.equal((await g.open(PRE, "file/x"))[0], Errno.NOTDIR);
      assert.equal((await g.open(PRE, "", {}))[0], Errno.NOENT);
      assert.equal((await g.open(PRE, "d", { oflags: Oflags.CREAT | Oflags.DIRECTORY }))[0], Errno.INVAL);
      assert.equal((await g.open(1, "file"))[0], Errno.BADF);
      const [, fileFd] = await g.open(PRE, "file");
      assert.equal((await g.open(fileFd, "x"))[0], Errno.NOTDIR);
      assert.equal(await g.pathOp("path_create_directory", fileFd, "x"), Errno.BADF);
      assert.equal((await g.open(9, "file"))[0], Errno.BADF);
    });

    t("directories: create, rename, link, symlink, readlink, unlink and remove", async (g) => {
      assert.equal(await g.pathOp("path_create_directory", PRE, "d"), Errno.SUCCESS);
      assert.equal(await g.pathOp("path_create_directory", PRE, "d"), Errno.EXIST);
      const [, fd] = await g.open(PRE, "d/f", { oflags: Oflags.CREAT });
      await g.write(fd, "data");
      const [a, al] = g.str("d/f"), [b, bl] = g.str("g");
      assert.equal(await g.call("path_rename", PRE, a, al, PRE, b, bl), Errno.SUCCESS);
      const [c, cl] = g.str("g"), [h, hl] = g.str("hard");
      assert.equal(await g.call("path_link", PRE, 0, c, cl, PRE, h, hl), Errno.SUCCESS);
      const st = g.alloc(64);
      assert.equal(await g.call("path_filestat_get", PRE, 0, h, hl, st), Errno.SUCCESS);
      assert.equal(g.u64(st + 24), 2n);
      const [t1, t1l] = g.str("g"), [s, sl] = g.str("sym");
      assert.equal(await g.call("path_symlink", t1, t1l, PRE, s, sl), Errno.SUCCESS);
      const buf = g.alloc(16), used = g.alloc(4);
      assert.equal(await g.call("path_readlink", PRE, s, sl, buf, 16, used), Errno.SUCCESS);
      assert.equal(g.text(buf, g.u32(used)), "g");
      assert.equal(await g.call("path_readlink", PRE, c, cl, buf, 16, used), Errno.INVAL);
      const [rd] = await g.open(PRE, "sym", { follow: true });
      assert.equal(rd, Errno.SUCCESS);
      assert.equal(await g.pathOp("path_remove_directory", PRE, "g"), Errno.NOTDIR);
      assert.equal(await g.pathOp("path_unlink_file", PRE, "d"), Errno.ISDIR);
      assert.equal(await g.pathOp("path_create_directory", PRE, "d/sub"), Errno.SUCCESS);
      assert.equal(await g.pathOp("path_remove_directory", PRE, "d"), Errno.NOTEMPTY);
      assert.equal(await g.pathOp("path_remove_directory", PRE, "d/sub"), Errno.SUCCESS);
      assert.equal(await g.pathOp("path_remove_directory", PRE, "d"), Errno.SUCCESS);
      for (const n of ["g", "hard", "sym"]) assert.equal(await g.pathOp("path_unlink_file", PRE, n), Errno.SUCCESS);
      assert.equal(await g.pathOp("path_unlink_file", PRE, "g"), Errno.NOENT);
    });

    t("fd_renumber moves a descriptor; fd_close closes preopens too", async (g) => {
      const [, a] = await g.open(PRE, "a", { oflags: Oflags.CREAT });
      const [, b] = await g.open(PRE, "b", { oflags: Oflags.CREAT });
      await g.write(a, "from a");
      assert.equal(await g.call("fd_renumber", a, b), Errno.SUCCESS);
      const pos = g.alloc(8);
      assert.equal(await g.call("fd_tell", b, pos), Errno.SUCCESS);
      assert.equal(g.u64(pos), 6n);
      assert.equal(await g.call("fd_tell", a, pos), Errno.BADF);
      assert.equal(await g.call("fd_renumber", b, 99), Errno.BADF);
      assert.equal(await g.call("fd_close", PRE), Errno.SUCCESS);
      assert.equal(await g.call("fd_close", PRE), Errno.BADF);
      assert.equal((await g.open(PRE, "a"))[0], Errno.BADF);
    });

    t("wasi_unstable: whence numbering and the 56-byte filestat", async (g) => {
      const [, fd] = await g.open(PRE, "u", { oflags: Oflags.CREAT });
      await g.write(fd, "123456");
      const pos = g.alloc(8);
      assert.equal(await g.call("fd_seek", fd, -2n, 1, pos), Errno.SUCCESS); // END in wasi_unstable
      assert.equal(g.u64(pos), 4n);
      assert.equal(await g.call("fd_seek", fd, 1n, 2, pos), Errno.SUCCESS); // SET
      assert.equal(g.u64(pos), 1n);
      assert.equal(await g.call("fd_seek", fd, 1n, 0, pos), Errno.SUCCESS); // CUR
      assert.equal(g.u64(pos), 2n);
      const st = g.alloc(64);
      new Uint8Array(g.memory.buffer, st, 64).fill(0xee);
      assert.equal(await g.call("fd_filestat_get", fd, st), Errno.SUCCESS);
      assert.equal(g.view.getUint8(st + 16), Filetype.REGULAR_FILE);
      assert.equal(g.u32(st + 20), 1); // nlink u32
      assert.equal(g.u64(st + 24), 6n); // size
      assert.equal(g.view.getUint8(st + 56), 0xee, "nothing written past 56 bytes");
    }, true);
  }
}

test("MemoryFs helpers: writeFile, readFile and mkdirp", () => {
  const mem = new MemoryFs();
  mem.writeFile("/a/b/c.txt", new TextEncoder().encode("x"));
  assert.equal(dec.decode(mem.readFile("/a/b/c.txt")), "x");
  assert.equal(mem.lstat("/a/b").filetype, Filetype.DIRECTORY);
  assert.throws(() => mem.readFile("/nope"), (e: unknown) => (e as { errno: number }).errno === Errno.NOENT);
});

test("runWasi runs a command on Kiln and returns its exit code", async () => {
  const { runWasi } = await import("../../lib/wasi/run_wasi.ts");
  const wabt = await (await import("wabt")).default();
  const bytes = wabt.parseWat(
    "exit.wat",
    `(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "hi\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (call $exit (i32.const 5))))`,
    {},
  ).toBinary({}).buffer;
  const out: string[] = [];
  const code = await runWasi(bytes, { fs: new MemoryFs(), stdout: (d) => void out.push(dec.decode(d)) });
  assert.equal(code, 5);
  assert.deepEqual(out, ["hi\n"]);
});

test("wasi_unstable poll_oneoff reads 56-byte clock subscriptions", () => {
  const g = new Guest({ fs: new MemoryFs(), mode: "sync" }, "wasi_unstable");
  const sub = g.alloc(56), ev = g.alloc(32), n = g.alloc(4);
  g.view.setBigUint64(sub, 42n, true);
  g.view.setUint8(sub + 8, 0); // CLOCK
  g.view.setBigUint64(sub + 16, 0xdeadn, true); // identifier (wasi_unstable only)
  g.view.setUint32(sub + 24, 1, true); // MONOTONIC
  g.view.setBigUint64(sub + 32, 5_000_000n, true); // 5 ms
  const t0 = performance.now();
  assert.equal(g.fns.poll_oneoff(sub, ev, 1, n), Errno.SUCCESS);
  assert.ok(performance.now() - t0 >= 4);
  assert.equal(g.u32(n), 1);
  assert.equal(g.u64(ev), 42n);
});

test("MemoryFs refuses to move a directory into itself and keeps link counts", () => {
  const mem = new MemoryFs();
  mem.mkdirp("/a/b");
  assert.throws(() => mem.rename("/a", "/a/b/c"), (e: unknown) => (e as { errno: number }).errno === Errno.INVAL);
  mem.writeFile("/a/f", new Uint8Array([1]));
  mem.link("/a/f", "/a/g");
  assert.equal(mem.lstat("/a/f").nlink, 2n);
  mem.unlink("/a/f");
  assert.equal(mem.lstat("/a/g").nlink, 1n);
  assert.throws(() => mem.rmdir("/a"), (e: unknown) => (e as { errno: number }).errno === Errno.NOTEMPTY);
});

test("async host stdin: poll_oneoff wakes when input arrives, before its clock, and reads return it all", async () => {
  const { spawn } = await import("node:child_process");
  const deno = new URL("../../node_modules/.bin/deno", import.meta.url).pathname;
  const child = spawn(deno, ["run", "-A", "--no-check", new URL("./_stdin_poll_child.ts", import.meta.url).pathname], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Uint8Array) => out += dec.decode(d));
  const done = new Promise<number>((resolve) => child.on("close", (code: number) => resolve(code)));
  const t0 = performance.now();
  setTimeout(() => {
    child.stdin.write("hello, stdin");
    child.stdin.end();
  }, 300);
  assert.equal(await done, 0);
  const result = JSON.parse(out.trim());
  assert.deepEqual(result, { errno: 0, events: 1, first: 1, text: "hello, stdin" });
  assert.ok(performance.now() - t0 < 4500, "woke on input, not on the 5 s clock");
});

test("a preopen whose host path is a symlink to a directory reports a directory", async () => {
  const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-wasi-link-"));
  try {
    nodeFs.mkdirSync(path.join(dir, "real"));
    nodeFs.writeFileSync(path.join(dir, "real", "x"), "x");
    nodeFs.symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
    const g = new Guest({ preopens: { "/p": path.join(dir, "link") }, fs: "host", mode: "sync" });
    const st = g.alloc(64);
    assert.equal(await g.call("fd_filestat_get", PRE, st), Errno.SUCCESS);
    assert.equal(g.view.getUint8(st + 16), Filetype.DIRECTORY);
    const [e, fd] = await g.open(PRE, "x");
    assert.equal(e, Errno.SUCCESS);
    assert.deepEqual(await g.read(fd, 10), [Errno.SUCCESS, "x"]);
    const [e2] = await g.open(PRE, ".", { oflags: Oflags.DIRECTORY, rights: Rights.PATH_OPEN | Rights.FD_READDIR });
    assert.equal(e2, Errno.SUCCESS);
    const [p, l] = g.str(".");
    assert.equal(await g.call("path_filestat_get", PRE, 0, p, l, st), Errno.SUCCESS);
    assert.equal(g.view.getUint8(st + 16), Filetype.DIRECTORY);
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});
