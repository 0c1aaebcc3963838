// MemoryFs limits (issue 13, item 3): a guest cannot make the host hold more than `maxBytes` of file data or
// `maxEntries` entries; past them calls fail with ENOSPC as on a full disk, and freed space comes back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Guest } from "./_guest.ts";
import { Errno } from "../../lib/wasi/errno.ts";
import { Oflags } from "../../lib/wasi/constants.ts";
import { DEFAULT_MAX_BYTES, MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";

const PRE = 3;
const GiB = 2n ** 30n;

function guestOn(mem: MemoryFs): Guest {
  mem.mkdirp("/d");
  return new Guest({ preopens: { "/d": "/d" }, fs: mem, mode: "sync", stdin: "null", stdout: "null", stderr: "null" });
}

test("MemoryFs: three truncates to 1 GiB fail with ENOSPC and the host holds nothing for them", async () => {
  const mem = new MemoryFs();
  const g = guestOn(mem);
  for (let i = 0; i < 3; i++) {
    const [e, fd] = await g.open(PRE, `big${i}`, { oflags: Oflags.CREAT });
    assert.equal(e, Errno.SUCCESS);
    assert.equal(await g.call("fd_filestat_set_size", fd, GiB), Errno.NOSPC);
    assert.equal(await g.call("fd_allocate", fd, 0n, GiB), Errno.NOSPC);
  }
  assert.ok(mem.usedBytes < 1024, `held ${mem.usedBytes} bytes`);
  assert.equal(mem.maxBytes, DEFAULT_MAX_BYTES);
  // Up to the quota is fine, and it is what the host holds.
  const [, fd] = await g.open(PRE, "fits", { oflags: Oflags.CREAT });
  assert.equal(await g.call("fd_filestat_set_size", fd, BigInt(DEFAULT_MAX_BYTES / 2)), Errno.SUCCESS);
  assert.ok(mem.usedBytes <= DEFAULT_MAX_BYTES);
});

test("MemoryFs: a write past maxBytes writes what fits, then ENOSPC; unlink and truncate give the space back", async () => {
  const mem = new MemoryFs({ maxBytes: 1000 });
  const g = guestOn(mem);
  const [, a] = await g.open(PRE, "a", { oflags: Oflags.CREAT });
  assert.deepEqual(await g.write(a, "x".repeat(600)), [Errno.SUCCESS, 600]);
  const [, b] = await g.open(PRE, "b", { oflags: Oflags.CREAT });
  assert.deepEqual(await g.write(b, "y".repeat(600)), [Errno.SUCCESS, 400], "a short write: what fits");
  assert.equal((await g.write(b, "y"))[0], Errno.NOSPC);
  assert.equal(mem.usedBytes, 1000);
  // Truncating a down gives its space back.
  assert.equal(await g.call("fd_filestat_set_size", a, 100n), Errno.SUCCESS);
  assert.ok(mem.usedBytes <= 500, `${mem.usedBytes}`);
  // An unlinked file keeps its space while open, and gives it back at close.
  assert.equal(await g.pathOp("path_unlink_file", PRE, "b"), Errno.SUCCESS);
  assert.ok(mem.usedBytes >= 400);
  assert.equal(await g.call("fd_close", b), Errno.SUCCESS);
  assert.ok(mem.usedBytes <= 100, `${mem.usedBytes}`);
  // a's position is still 600: the whole quota is free again, so it fills up to 1,000 bytes.
  assert.deepEqual(await g.write(a, "z".repeat(800)), [Errno.SUCCESS, 400]);
  assert.equal(mem.usedBytes, 1000);
});

test("MemoryFs: files, directories and symlinks past maxEntries fail with ENOSPC; removing one makes room", async () => {
  const mem = new MemoryFs({ maxEntries: 5 }); // "/", "/d", and three more
  const g = guestOn(mem);
  assert.equal((await g.open(PRE, "f1", { oflags: Oflags.CREAT }))[0], Errno.SUCCESS);
  assert.equal(await g.pathOp("path_create_directory", PRE, "sub"), Errno.SUCCESS);
  const [t, tl] = g.str("f1"), [n, nl] = g.str("link");
  assert.equal(await g.call("path_symlink", t, tl, PRE, n, nl), Errno.SUCCESS);
  assert.equal((await g.open(PRE, "f2", { oflags: Oflags.CREAT }))[0], Errno.NOSPC);
  assert.equal(await g.pathOp("path_create_directory", PRE, "sub2"), Errno.NOSPC);
  const [n2, nl2] = g.str("link2");
  assert.equal(await g.call("path_symlink", t, tl, PRE, n2, nl2), Errno.NOSPC);
  // A hard link is no new entry.
  const [h, hl] = g.str("hard");
  assert.equal(await g.call("path_link", PRE, 0, t, tl, PRE, h, hl), Errno.SUCCESS);
  assert.equal(await g.pathOp("path_remove_directory", PRE, "sub"), Errno.SUCCESS);
  assert.equal((await g.open(PRE, "f2", { oflags: Oflags.CREAT }))[0], Errno.SUCCESS);
  assert.equal(mem.usedEntries, 5);
});
