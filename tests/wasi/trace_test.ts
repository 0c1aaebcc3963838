// The WASI call trace (`Wasi`'s `trace` option, lib/wasi/_trace.ts): one strace-like line per call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { instantiate } from "../../mod.ts";
import { MemoryFs, Wasi } from "../../wasi.ts";
import { isTraced } from "../../lib/wasi/_trace.ts";
import { Guest } from "./_guest.ts";
import { TESTDATA } from "../cli/_spawn.ts";

const quiet = { stdin: "null", stdout: "null", stderr: "null", fs: new MemoryFs() } as const;

test("`Wasi` without `trace` hands out the untraced import functions; with it, tracing wrappers", () => {
  for (const trace of [undefined, false]) {
    const imports = new Wasi({ ...quiet, trace }).getImportObject();
    for (const module of [imports.wasi_snapshot_preview1, imports.wasi_unstable]) {
      for (const [name, fn] of Object.entries(module)) assert.equal(isTraced(fn), false, name);
    }
  }
  for (const trace of [true, () => {}]) {
    const imports = new Wasi({ ...quiet, trace }).getImportObject();
    for (const module of [imports.wasi_snapshot_preview1, imports.wasi_unstable]) {
      assert.ok(Object.keys(module).length >= 45);
      for (const [name, fn] of Object.entries(module)) assert.equal(isTraced(fn), true, name);
    }
  }
});

const LINE = /^\[wasi\] (\w+)\((.*)\) = (.*) \((\d+\.\d{3}) ms\)$/;

test("`trace` shows paths from guest memory, errno names and out-pointer values", async () => {
  const lines: string[] = [];
  const mem = new MemoryFs();
  const guest = new Guest({ ...quiet, fs: mem, preopens: { "/d": "/" }, trace: (line) => lines.push(line) });
  const [errno, fd] = await guest.open(3, "new.txt", { oflags: 1 });
  assert.equal(errno, 0);
  await guest.open(3, "missing\n.txt");
  const bad = await guest.call("fd_close", 99);
  assert.equal(bad, 8);
  const [p, l] = guest.str("hello");
  const iov = guest.alloc(8);
  guest.view.setUint32(iov, p, true);
  guest.view.setUint32(iov + 4, l, true);
  const out = guest.alloc(4);
  await guest.call("fd_write", fd, iov, 1, out);
  const offset = guest.alloc(8);
  await guest.call("fd_seek", fd, -2n, 2, offset);
  assert.equal(lines.length, 5, lines.join("\n"));
  for (const line of lines) assert.match(line, LINE);
  assert.match(
    lines[0],
    /^\[wasi\] path_open\(fd=3, dirflags=0, path="new\.txt", oflags=CREAT, .* = ESUCCESS opened_fd=4 /,
  );
  assert.match(lines[1], /path="missing\\n\.txt".* = ENOENT \(/);
  assert.match(lines[2], /^\[wasi\] fd_close\(fd=99\) = EBADF \(/);
  assert.match(
    lines[3],
    /^\[wasi\] fd_write\(fd=4, iovs=0x[0-9a-f]+\[1\] 5 bytes, nwritten=0x[0-9a-f]+\) = ESUCCESS nwritten=5 /,
  );
  assert.match(
    lines[4],
    /^\[wasi\] fd_seek\(fd=4, offset=-2, whence=END, newoffset=0x[0-9a-f]+\) = ESUCCESS newoffset=3 /,
  );
});

test("`trace` reports an async call when its Promise settles", async () => {
  const lines: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stdin = { read: async () => (await gate, new TextEncoder().encode("abc")) };
  const guest = new Guest({ ...quiet, stdin, trace: (line) => lines.push(line) });
  const buf = guest.alloc(16);
  const iov = guest.alloc(8);
  guest.view.setUint32(iov, buf, true);
  guest.view.setUint32(iov + 4, 16, true);
  const out = guest.alloc(4);
  const pending = guest.fns.fd_read(0, iov, 1, out);
  assert.ok(pending instanceof Promise);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(lines, []);
  release();
  assert.equal(await pending, 0);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^\[wasi\] fd_read\(fd=0, iovs=0x[0-9a-f]+\[1\] 16 bytes, nread=0x[0-9a-f]+\) = ESUCCESS nread=3 \((\d+\.\d{3}) ms\)$/,
  );
  assert.ok(Number(LINE.exec(lines[0])![4]) >= 10, lines[0]);
});

test("`trace` on hello.wasm shows exactly the calls it makes; exit_code.wasm ends with proc_exit", async () => {
  const lines: string[] = [];
  const wasi = new Wasi({ args: ["hello"], stdout: () => {}, trace: (line) => lines.push(line) });
  const { instance } = await instantiate(readFileSync(join(TESTDATA, "hello.wasm")), wasi.getImportObject());
  assert.equal(await wasi.start(instance), 0);
  assert.deepEqual(lines.map((line) => LINE.exec(line)?.[1]), ["fd_fdstat_get", "fd_write"]);
  assert.match(
    lines[1],
    /^\[wasi\] fd_write\(fd=1, iovs=0x[0-9a-f]+\[2\] 14 bytes, nwritten=0x[0-9a-f]+\) = ESUCCESS nwritten=14 /,
  );

  const exits: string[] = [];
  const exiting = new Wasi({ args: ["exit_code", "3"], stdout: () => {}, trace: (line) => exits.push(line) });
  const exitCode = await instantiate(readFileSync(join(TESTDATA, "exit_code.wasm")), exiting.getImportObject());
  assert.equal(await exiting.start(exitCode.instance), 3);
  assert.match(exits.at(-1)!, /^\[wasi\] proc_exit\(rval=3\) = exit with code 3 \(/);
});

test("`trace` names flags, and `wasi_unstable`'s whence values by its own numbering", async () => {
  const lines: string[] = [];
  const mem = new MemoryFs();
  const options = { ...quiet, fs: mem, preopens: { "/d": "/" }, trace: (line: string) => lines.push(line) };
  const guest = new Guest(options, "wasi_unstable");
  const [errno, fd] = await guest.open(3, "f", { oflags: 1 | 8, fdflags: 1 | 64, follow: true });
  assert.equal(errno, 0);
  await guest.call("fd_seek", fd, 0n, 1, guest.alloc(8));
  assert.match(lines[0], /dirflags=SYMLINK_FOLLOW, path="f", oflags=CREAT\|TRUNC, .*fdflags=APPEND\|0x40,/);
  assert.match(lines[1], /^\[wasi\] fd_seek\(fd=4, offset=0, whence=END, /);
});

test("`trace` in sync mode traces native WebAssembly's calls, returning plain numbers", async () => {
  const lines: string[] = [];
  const wasi = new Wasi({ ...quiet, mode: "sync", stdout: () => {}, trace: (line) => lines.push(line) });
  const bytes = readFileSync(join(TESTDATA, "hello.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject());
  assert.equal(await wasi.start(instance), 0);
  assert.deepEqual(lines.map((line) => LINE.exec(line)?.[1]), ["fd_fdstat_get", "fd_write"]);
  assert.match(lines[1], / = ESUCCESS nwritten=14 \(/);
});
