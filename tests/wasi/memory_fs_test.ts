// MemoryFs's space limits (lib/wasi/fs/memory_fs.ts, _memory_quota.ts): a guest cannot make the host hold more than
// `maxBytes` of file contents or `maxEntries` names; a call past a limit fails with ENOSPC, as on a full tmpfs, and
// changes nothing; freed space comes back. The accounting is read from the backend itself (usedBytes,
// allocatedBytes), never from the process's RSS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Guest } from "./_guest.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";
import { MEMORY_FS_DEFAULT_MAX_BYTES, MEMORY_FS_DEFAULT_MAX_ENTRIES } from "../../lib/wasi/fs/_memory_quota.ts";
import { Errno, WasiError } from "../../lib/wasi/errno.ts";
import { Oflags } from "../../lib/wasi/constants.ts";
import type { FileHandle, OpenOptions } from "../../lib/wasi/fs/fs_backend.ts";

const PRE = 3;
const GiB = 2 ** 30;
const dec = new TextDecoder();
const enc = new TextEncoder();

const RW: OpenOptions = {
  read: true,
  write: true,
  create: true,
  exclusive: false,
  truncate: false,
  append: false,
  directory: false,
};

/** A guest whose preopen fd 3 is "/d" of `mem`. */
function guestOn(mem: MemoryFs, mode: "sync" | "async"): Guest {
  mem.mkdirp("/d");
  return new Guest({ preopens: { "/d": "/d" }, fs: mem, mode, stdin: "null", stdout: "null", stderr: "null" });
}

/** The size fd_filestat_get reports for `fd`. */
async function sizeOf(g: Guest, fd: number): Promise<bigint> {
  const st = g.alloc(64);
  assert.equal(await g.call("fd_filestat_get", fd, st), Errno.SUCCESS);
  return g.u64(st + 32);
}

/** fd_pwrite of `data` at `offset`; returns the errno. */
async function pwrite(g: Guest, fd: number, data: string, offset: bigint): Promise<number> {
  const [p, l] = g.str(data);
  const iov = g.alloc(8), n = g.alloc(4);
  g.view.setUint32(iov, p, true);
  g.view.setUint32(iov + 4, l, true);
  return await g.call("fd_pwrite", fd, iov, 1, offset, n);
}

/** Asserts that `fn` throws a WasiError with `errno`. */
function throwsErrno(fn: () => unknown, errno: number): void {
  assert.throws(fn, (e: unknown) => e instanceof WasiError && e.errno === errno);
}

/** An open read-write handle on `path` (created when missing). */
function openRw(mem: MemoryFs, path: string): FileHandle {
  return mem.open(path, RW) as FileHandle;
}

for (const mode of ["sync", "async"] as const) {
  test(`a guest's three truncates to 1 GiB fail with ENOSPC and the host holds nothing (${mode})`, async () => {
    const mem = new MemoryFs();
    const g = guestOn(mem, mode);
    for (const name of ["a", "b", "c"]) {
      const [e, fd] = await g.open(PRE, name, { oflags: Oflags.CREAT });
      assert.equal(e, Errno.SUCCESS);
      assert.equal(await g.call("fd_filestat_set_size", fd, BigInt(GiB)), Errno.NOSPC);
      assert.equal(await g.call("fd_allocate", fd, 0n, BigInt(GiB)), Errno.NOSPC);
      assert.equal(await pwrite(g, fd, "x", BigInt(GiB)), Errno.NOSPC);
      assert.equal(await sizeOf(g, fd), 0n);
    }
    assert.equal(mem.usedBytes, 0);
    assert.equal(mem.allocatedBytes, 0);
  });

  test(`a truncate that grows a file is a hole: it counts against maxBytes but allocates nothing (${mode})`, async () => {
    const mem = new MemoryFs({ maxBytes: 2 * GiB });
    const g = guestOn(mem, mode);
    const fds: number[] = [];
    for (const name of ["a", "b", "c"]) fds.push((await g.open(PRE, name, { oflags: Oflags.CREAT }))[1]);
    assert.equal(await g.call("fd_filestat_set_size", fds[0], BigInt(GiB)), Errno.SUCCESS);
    assert.equal(await g.call("fd_allocate", fds[1], 0n, BigInt(GiB)), Errno.SUCCESS);
    assert.equal(await g.call("fd_filestat_set_size", fds[2], BigInt(GiB)), Errno.NOSPC);
    assert.equal(mem.usedBytes, 2 * GiB);
    assert.equal(mem.allocatedBytes, 0);
    // The hole reads as zeros; a write inside it materializes only up to its end.
    const pos = g.alloc(8);
    assert.equal(await g.call("fd_seek", fds[0], BigInt(GiB - 3), 0, pos), Errno.SUCCESS);
    assert.deepEqual(await g.read(fds[0], 10), [Errno.SUCCESS, "\0\0\0"]);
    assert.equal(await pwrite(g, fds[0], "hi", 100n), Errno.SUCCESS);
    assert.ok(mem.allocatedBytes <= 204, `allocated ${mem.allocatedBytes}`);
    assert.equal(mem.usedBytes, 2 * GiB);
    // Giving a file back frees its quota: the third truncate now fits.
    assert.equal(await g.call("fd_filestat_set_size", fds[1], 0n), Errno.SUCCESS);
    assert.equal(await g.call("fd_filestat_set_size", fds[2], BigInt(GiB)), Errno.SUCCESS);
    assert.equal(mem.usedBytes, 2 * GiB);
  });

  test(`a write that does not fit writes nothing and leaves the offset (${mode})`, async () => {
    const mem = new MemoryFs({ maxBytes: 10 });
    const g = guestOn(mem, mode);
    const [, fd] = await g.open(PRE, "f", { oflags: Oflags.CREAT });
    assert.deepEqual(await g.write(fd, "123456"), [Errno.SUCCESS, 6]);
    assert.equal((await g.write(fd, "abcdefgh"))[0], Errno.NOSPC);
    assert.equal(dec.decode(mem.readFile("/d/f")), "123456");
    assert.equal(mem.usedBytes, 6);
    assert.deepEqual(await g.write(fd, "abcd"), [Errno.SUCCESS, 4]); // at offset 6: exactly full
    assert.equal(await pwrite(g, fd, "ZZ", 0n), Errno.SUCCESS); // overwriting takes no new space
    assert.equal((await g.write(fd, "!"))[0], Errno.NOSPC);
    assert.equal(dec.decode(mem.readFile("/d/f")), "ZZ3456abcd");
  });

  test(`creating past maxEntries fails with ENOSPC for every kind of name (${mode})`, async () => {
    const mem = new MemoryFs({ maxEntries: 4 }); // "/d" is the first
    const g = guestOn(mem, mode);
    assert.equal((await g.open(PRE, "f", { oflags: Oflags.CREAT }))[0], Errno.SUCCESS);
    assert.equal(await g.pathOp("path_create_directory", PRE, "sub"), Errno.SUCCESS);
    const [t, tl] = g.str("f"), [s, sl] = g.str("s");
    assert.equal(await g.call("path_symlink", t, tl, PRE, s, sl), Errno.SUCCESS);
    assert.equal(mem.usedEntries, 4);
    assert.equal((await g.open(PRE, "g", { oflags: Oflags.CREAT }))[0], Errno.NOSPC);
    assert.equal(await g.pathOp("path_create_directory", PRE, "sub2"), Errno.NOSPC);
    const [l, ll] = g.str("link"), [u, ul] = g.str("u");
    assert.equal(await g.call("path_link", PRE, 0, t, tl, PRE, l, ll), Errno.NOSPC);
    assert.equal(await g.call("path_symlink", t, tl, PRE, u, ul), Errno.NOSPC);
    assert.deepEqual(mem.readdir("/d").map((e) => e.name), ["f", "s", "sub"]);
    // A rename needs no new name; an unlink gives one back.
    const [r, rl] = g.str("renamed");
    assert.equal(await g.call("path_rename", PRE, t, tl, PRE, r, rl), Errno.SUCCESS);
    assert.equal(await g.pathOp("path_unlink_file", PRE, "s"), Errno.SUCCESS);
    assert.equal((await g.open(PRE, "g", { oflags: Oflags.CREAT }))[0], Errno.SUCCESS);
    assert.equal(mem.usedEntries, 4);
  });
}

test("MemoryFs gives space back on unlink of the last link, truncate, O_TRUNC, rename over a file and rmdir", () => {
  const mem = new MemoryFs({ maxBytes: 100 });
  mem.writeFile("/a", new Uint8Array(60));
  mem.link("/a", "/b");
  mem.unlink("/a");
  assert.equal(mem.usedBytes, 60, "a second link keeps the contents");
  mem.unlink("/b");
  assert.equal(mem.usedBytes, 0);
  assert.equal(mem.allocatedBytes, 0);

  const h = openRw(mem, "/c");
  h.write(new Uint8Array(80), 0);
  h.truncate(30);
  assert.equal(mem.usedBytes, 30);
  mem.open("/c", { ...RW, truncate: true });
  assert.equal(mem.usedBytes, 0);

  mem.writeFile("/x", new Uint8Array(40));
  mem.writeFile("/y", new Uint8Array(50));
  mem.rename("/x", "/y");
  assert.equal(mem.usedBytes, 40);
  assert.equal(mem.usedEntries, 2); // "/c" and "/y"

  mem.symlink("some/target", "/s");
  assert.equal(mem.usedBytes, 40 + 11);
  mem.unlink("/s");
  assert.equal(mem.usedBytes, 40);

  mem.mkdirp("/p/q");
  assert.equal(mem.usedEntries, 4);
  mem.rmdir("/p/q");
  mem.rmdir("/p");
  assert.equal(mem.usedEntries, 2);
});

test("MemoryFs keeps an unlinked file's bytes charged until its last handle closes, as POSIX", () => {
  const mem = new MemoryFs({ maxBytes: 100 });
  const h = openRw(mem, "/f");
  h.write(new Uint8Array(70), 0);
  mem.unlink("/f");
  assert.equal(mem.usedBytes, 70);
  throwsErrno(() => mem.writeFile("/g", new Uint8Array(40)), Errno.NOSPC);
  h.write(new Uint8Array(10), 70); // still writable, still counted
  assert.equal(mem.usedBytes, 80);
  h.close();
  assert.equal(mem.usedBytes, 0);
  mem.writeFile("/g", new Uint8Array(40));
  assert.equal(mem.usedBytes, 40);
});

test("MemoryFs refuses names over 255 bytes and symlink targets of 4096 bytes, as Linux", () => {
  const mem = new MemoryFs();
  mem.writeFile("/" + "n".repeat(255), new Uint8Array(1));
  throwsErrno(() => mem.writeFile("/" + "n".repeat(256), new Uint8Array(1)), Errno.NAMETOOLONG);
  throwsErrno(() => mem.mkdir("/" + "é".repeat(128)), Errno.NAMETOOLONG); // 256 UTF-8 bytes
  throwsErrno(() => mem.symlink("t".repeat(4096), "/s"), Errno.NAMETOOLONG);
  mem.symlink("t".repeat(4095), "/s");
  assert.equal(mem.usedEntries, 2);
  assert.equal(mem.usedBytes, 1 + 4095);
});

test("MemoryFs zeroes the gap when a write lands past the end after a truncate down", () => {
  const mem = new MemoryFs();
  const h = openRw(mem, "/f");
  h.write(enc.encode("abcdefghij"), 0);
  h.truncate(2);
  h.write(enc.encode("X"), 5);
  assert.deepEqual([...mem.readFile("/f")], [97, 98, 0, 0, 0, 88]);
  h.truncate(8);
  assert.deepEqual([...mem.readFile("/f")], [97, 98, 0, 0, 0, 88, 0, 0]);
});

test("MemoryFs holds at most about twice the accounted bytes, and shrinks on truncate", () => {
  const mem = new MemoryFs();
  const h = openRw(mem, "/f");
  const chunk = new Uint8Array(1000).fill(7);
  for (let i = 0; i < 1000; i++) h.write(chunk, null);
  assert.equal(mem.usedBytes, 1_000_000);
  assert.ok(mem.allocatedBytes <= 2_000_000, `allocated ${mem.allocatedBytes}`);
  h.truncate(10);
  assert.ok(mem.allocatedBytes <= 64, `allocated ${mem.allocatedBytes}`);
  assert.deepEqual([...mem.readFile("/f")], new Array(10).fill(7));
});

test("MemoryFs limits default to 256 MiB and 65,536 names, and bad limits are a RangeError", () => {
  const mem = new MemoryFs();
  assert.equal(mem.maxBytes, MEMORY_FS_DEFAULT_MAX_BYTES);
  assert.equal(mem.maxBytes, 256 * 2 ** 20);
  assert.equal(mem.maxEntries, MEMORY_FS_DEFAULT_MAX_ENTRIES);
  assert.equal(mem.maxEntries, 65_536);
  assert.equal(new MemoryFs({ maxBytes: Infinity, maxEntries: 0 }).maxBytes, Infinity);
  throwsErrno(() => new MemoryFs({ maxEntries: 0 }).mkdir("/a"), Errno.NOSPC);
  for (const bad of [-1, NaN, "1", null]) {
    assert.throws(() => new MemoryFs({ maxBytes: bad as number }), RangeError);
    assert.throws(() => new MemoryFs({ maxEntries: bad as number }), RangeError);
  }
});
