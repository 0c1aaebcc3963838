// Hostile guests against the path sandbox: every way out of a preopen (`..`, absolute paths, symlinks to "/",
// symlink chains, dangling symlinks, rename/link/unlink across the boundary, …) must fail, and nothing outside the
// preopen may change. One suite, run against both backends (host node:fs and MemoryFs) in sync and async mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Guest } from "./_guest.ts";
import { readFile, snapshot, writeFile } from "./_backend_files.ts";
import { Errno } from "../../lib/wasi/errno.ts";
import { RuntimeError } from "../../lib/errors.ts";
import { Lookupflags, Oflags, Rights } from "../../lib/wasi/constants.ts";
import type { FsBackend } from "../../lib/wasi/fs/fs_backend.ts";
import { NodeFs } from "../../lib/wasi/fs/node_fs.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";

const PRE = 3; // the preopen's fd
const enc = new TextEncoder();

/** A fresh tree: `<top>/sentinel.txt`, `<top>/outside_dir/`, and the preopened `<top>/sandbox/`. */
interface World {
  backend: FsBackend; // a synchronous view of the same filesystem, for setup and checks
  top: string;
  sandbox: string;
  guest: Guest;
  cleanup(): void;
}

function populate(b: FsBackend, top: string): string {
  const sandbox = `${top}/sandbox`;
  writeFile(b, `${top}/sentinel.txt`, "SECRET");
  b.mkdir(`${top}/outside_dir`);
  b.mkdir(sandbox);
  writeFile(b, `${sandbox}/file.txt`, "inside");
  b.mkdir(`${sandbox}/sub`);
  b.symlink("/", `${sandbox}/link_to_root`);
  b.symlink("..", `${sandbox}/link_up`);
  b.symlink("sub/../..", `${sandbox}/link_up2`);
  b.symlink("../sentinel.txt", `${sandbox}/link_sentinel`);
  b.symlink("chain2", `${sandbox}/chain1`);
  b.symlink("sub/chain3", `${sandbox}/chain2`);
  b.symlink("../../sentinel.txt", `${sandbox}/sub/chain3`);
  b.symlink("../created_outside", `${sandbox}/dangling_out`);
  b.symlink("nothing_here", `${sandbox}/dangling_in`);
  b.symlink("loop2", `${sandbox}/loop1`);
  b.symlink("loop1", `${sandbox}/loop2`);
  b.symlink("..", `${sandbox}/sub/link_parent`);
  b.symlink("/etc/passwd", `${sandbox}/sub/abs_link`);
  b.symlink(`${top}/sentinel.txt`, `${sandbox}/abs_sentinel`);
  return sandbox;
}

type Config = { name: string; make(): World };

const configs: Config[] = [
  ...(["sync", "async"] as const).map((mode) => ({
    name: `host fs, ${mode}`,
    make(): World {
      const top = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-sandbox-"));
      const backend = new NodeFs({ sync: true });
      const sandbox = populate(backend, top);
      const guest = new Guest({ preopens: { "/sandbox": sandbox }, fs: "host", mode, stdout: "null", stderr: "null" });
      return { backend, top, sandbox, guest, cleanup: () => nodeFs.rmSync(top, { recursive: true, force: true }) };
    },
  })),
  ...(["sync", "async"] as const).map((mode) => ({
    name: `memory fs, ${mode}`,
    make(): World {
      const backend = new MemoryFs();
      backend.mkdirp("/top");
      const sandbox = populate(backend, "/top");
      const guest = new Guest({ preopens: { "/sandbox": sandbox }, fs: backend, mode, stdout: "null", stderr: "null" });
      return { backend, top: "/top", sandbox, guest, cleanup: () => {} };
    },
  })),
];

const N = Errno.PERM; // Wasmtime's errno for a path that leads outside the preopen
const FOLLOW = { follow: true };

/** Hostile cases: each returns the errno the guest got. */
const cases: { name: string; expect: number; run(g: Guest, w: World): Promise<number> }[] = [
  { name: "open ../sentinel.txt", expect: N, run: async (g) => (await g.open(PRE, "../sentinel.txt"))[0] },
  { name: "open an absolute path", expect: N, run: async (g) => (await g.open(PRE, "/etc/passwd"))[0] },
  {
    name: "open sub/../../sentinel.txt",
    expect: N,
    run: async (g) => (await g.open(PRE, "sub/../../sentinel.txt"))[0],
  },
  { name: "open ./../sentinel.txt", expect: N, run: async (g) => (await g.open(PRE, "./../sentinel.txt"))[0] },
  { name: "open ..", expect: N, run: async (g) => (await g.open(PRE, "..", { oflags: Oflags.DIRECTORY }))[0] },
  {
    name: "open through a symlink to /",
    expect: N,
    run: async (g) => (await g.open(PRE, "link_to_root/etc/passwd"))[0],
  },
  { name: "open a symlink to / (follow)", expect: N, run: async (g) => (await g.open(PRE, "link_to_root", FOLLOW))[0] },
  {
    name: "open a symlink to ../sentinel (follow)",
    expect: N,
    run: async (g) => (await g.open(PRE, "link_sentinel", FOLLOW))[0],
  },
  {
    name: "open a symlink to an absolute host path",
    expect: N,
    run: async (g) => (await g.open(PRE, "abs_sentinel", FOLLOW))[0],
  },
  { name: "open a symlink chain leading out", expect: N, run: async (g) => (await g.open(PRE, "chain1", FOLLOW))[0] },
  { name: "open through a symlink to ..", expect: N, run: async (g) => (await g.open(PRE, "link_up/sentinel.txt"))[0] },
  {
    name: "open through sub/../.. symlink",
    expect: N,
    run: async (g) => (await g.open(PRE, "link_up2/sentinel.txt"))[0],
  },
  {
    name: "open a symlink to an absolute path in a subdir",
    expect: N,
    run: async (g) => (await g.open(PRE, "sub/abs_link", FOLLOW))[0],
  },
  {
    name: "create through a dangling symlink pointing out",
    expect: N,
    run: async (g) => (await g.open(PRE, "dangling_out", { follow: true, oflags: Oflags.CREAT }))[0],
  },
  {
    name: "trailing slash follows a symlink out",
    expect: N,
    run: async (g) => (await g.open(PRE, "link_up/", { oflags: Oflags.DIRECTORY }))[0],
  },
  {
    name: "open the final symlink without follow",
    expect: Errno.LOOP,
    run: async (g) => (await g.open(PRE, "link_sentinel"))[0],
  },
  { name: "symlink loop", expect: Errno.LOOP, run: async (g) => (await g.open(PRE, "loop1", FOLLOW))[0] },
  {
    name: "filestat through a symlink out",
    expect: N,
    run: async (g) => {
      const [p, l] = g.str("link_sentinel");
      return await g.call("path_filestat_get", PRE, Lookupflags.SYMLINK_FOLLOW, p, l, g.alloc(64));
    },
  },
  {
    name: "set times on a file outside",
    expect: N,
    run: async (g) => {
      const [p, l] = g.str("../sentinel.txt");
      return await g.call("path_filestat_set_times", PRE, 0, p, l, 0n, 0n, 5);
    },
  },
  { name: "mkdir ../evil", expect: N, run: (g) => g.pathOp("path_create_directory", PRE, "../evil") },
  {
    name: "mkdir through a symlink out",
    expect: N,
    run: (g) => g.pathOp("path_create_directory", PRE, "link_up/evil"),
  },
  { name: "unlink ../sentinel.txt", expect: N, run: (g) => g.pathOp("path_unlink_file", PRE, "../sentinel.txt") },
  {
    name: "unlink through a symlink out",
    expect: N,
    run: (g) => g.pathOp("path_unlink_file", PRE, "link_up/sentinel.txt"),
  },
  { name: "rmdir ../outside_dir", expect: N, run: (g) => g.pathOp("path_remove_directory", PRE, "../outside_dir") },
  {
    name: "rename a file out of the preopen",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("file.txt"), [b, bl] = g.str("../moved.txt");
      return await g.call("path_rename", PRE, a, al, PRE, b, bl);
    },
  },
  {
    name: "rename a file from outside in",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("../sentinel.txt"), [b, bl] = g.str("stolen.txt");
      return await g.call("path_rename", PRE, a, al, PRE, b, bl);
    },
  },
  {
    name: "rename through a symlink out",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("file.txt"), [b, bl] = g.str("link_up/moved.txt");
      return await g.call("path_rename", PRE, a, al, PRE, b, bl);
    },
  },
  {
    name: "hard link a file from outside",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("../sentinel.txt"), [b, bl] = g.str("hard");
      return await g.call("path_link", PRE, 0, a, al, PRE, b, bl);
    },
  },
  {
    name: "hard link out of the preopen",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("file.txt"), [b, bl] = g.str("../hard");
      return await g.call("path_link", PRE, 0, a, al, PRE, b, bl);
    },
  },
  {
    name: "hard link an escaping symlink, then follow it",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("link_sentinel"), [b, bl] = g.str("hard");
      const e = await g.call("path_link", PRE, 0, a, al, PRE, b, bl);
      assert.equal(e, Errno.SUCCESS);
      return (await g.open(PRE, "hard", FOLLOW))[0];
    },
  },
  {
    name: "create a relative symlink out, then follow it",
    expect: N,
    run: async (g) => {
      const [a, al] = g.str("../sentinel.txt"), [b, bl] = g.str("made");
      assert.equal(await g.call("path_symlink", a, al, PRE, b, bl), Errno.SUCCESS);
      return (await g.open(PRE, "made", FOLLOW))[0];
    },
  },
  {
    name: "create an absolute symlink",
    expect: Errno.PERM,
    run: async (g) => {
      const [a, al] = g.str("/etc/passwd"), [b, bl] = g.str("abs");
      return await g.call("path_symlink", a, al, PRE, b, bl);
    },
  },
  {
    name: "readlink outside",
    expect: N,
    run: async (g) => {
      const [p, l] = g.str("../x");
      return await g.call("path_readlink", PRE, p, l, g.alloc(64), 64, g.alloc(4));
    },
  },
  {
    name: "a subdirectory fd cannot climb to its parent",
    expect: N,
    run: async (g) => {
      const [e, sub] = await g.open(PRE, "sub", {
        oflags: Oflags.DIRECTORY,
        rights: Rights.PATH_OPEN | Rights.FD_READDIR,
      });
      assert.equal(e, Errno.SUCCESS);
      return (await g.open(sub, "../file.txt"))[0];
    },
  },
  {
    name: "a path with a NUL byte",
    expect: Errno.ILSEQ,
    run: async (g) => (await g.open(PRE, "file.txt\0../../sentinel.txt"))[0],
  },
  {
    name: "a path pointer outside guest memory traps",
    expect: -1,
    run: async (g) => {
      await assert.rejects(
        async () => await g.call("path_open", PRE, 0, 0x7fff0000, 10, 0, 0n, 0n, 0, g.alloc(4)),
        (e) => e instanceof RuntimeError && e.message === "out of bounds memory access",
      );
      return -1;
    },
  },
  {
    name: "more than 40 symlinks",
    expect: Errno.LOOP,
    run: async (g, w) => {
      for (let i = 0; i < 45; i++) w.backend.symlink(`deep${i + 1}`, `${w.sandbox}/deep${i}`);
      writeFile(w.backend, `${w.sandbox}/deep45`, "end");
      return (await g.open(PRE, "deep0", FOLLOW))[0];
    },
  },
];

for (const config of configs) {
  for (const c of cases) {
    test(`sandbox (${config.name}): ${c.name} fails and leaves the outside untouched`, async () => {
      const w = config.make();
      try {
        const before = snapshot(w.backend, w.top, w.sandbox);
        const errno = await c.run(w.guest, w);
        assert.equal(errno, c.expect);
        assert.deepEqual(snapshot(w.backend, w.top, w.sandbox), before);
        assert.equal(readFile(w.backend, `${w.top}/sentinel.txt`), "SECRET");
      } finally {
        w.cleanup();
      }
    });
  }

  test(`sandbox (${config.name}): paths that stay inside work`, async () => {
    const w = config.make();
    try {
      const g = w.guest;
      // A symlink to ".." from a subdirectory lands back in the preopen.
      const [e1, fd1] = await g.open(PRE, "sub/link_parent/file.txt", FOLLOW);
      assert.equal(e1, Errno.SUCCESS);
      assert.deepEqual(await g.read(fd1, 100), [Errno.SUCCESS, "inside"]);
      // Climbing and coming back down is fine while it never leaves.
      const [e2] = await g.open(PRE, "sub/../file.txt");
      assert.equal(e2, Errno.SUCCESS);
      // Creating through a dangling symlink that points inside creates the target inside.
      const [e3, fd3] = await g.open(PRE, "dangling_in", { follow: true, oflags: Oflags.CREAT });
      assert.equal(e3, Errno.SUCCESS);
      assert.deepEqual(await g.write(fd3, "made"), [Errno.SUCCESS, 4]);
      assert.equal(readFile(w.backend, `${w.sandbox}/nothing_here`), "made");
    } finally {
      w.cleanup();
    }
  });

  test(`sandbox (${config.name}): fd_readdir of the preopen lists only what is inside`, async () => {
    const w = config.make();
    try {
      const g = w.guest;
      const buf = g.alloc(4096), used = g.alloc(4);
      assert.equal(await g.call("fd_readdir", PRE, buf, 4096, 0n, used), Errno.SUCCESS);
      const names: string[] = [];
      for (let off = 0; off < g.u32(used);) {
        const len = g.u32(buf + off + 16);
        names.push(g.text(buf + off + 24, len));
        off += 24 + len;
      }
      const expected = [".", "..", ...(w.backend.readdir(w.sandbox) as { name: string }[]).map((e) => e.name)];
      assert.deepEqual(names, expected);
      assert.ok(!names.includes("sentinel.txt"));
    } finally {
      w.cleanup();
    }
  });
}

// ---- real guests: durability across proc_exit, timers during a poll_oneoff sleep ------------------------------

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const HAVE_KILN = nodeFs.existsSync(path.join(REPO, "mod.ts"));

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const mod = wabt.parseWat("guest.wat", text, {});
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

const WRITE_THEN_EXIT = `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "out.txt")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7) (i32.const 1)
          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0))
      (then (call $exit (i32.const 99))))
    (memory.fill (i32.const 1024) (i32.const 0x78) (i32.const 65536))
    (i32.store (i32.const 32) (i32.const 1024))
    (i32.store (i32.const 36) (i32.const 65536))
    (drop (call $write (i32.load (i32.const 0)) (i32.const 32) (i32.const 1) (i32.const 40)))
    (call $exit (i32.const 7))
    (unreachable)))`;

test("a guest that writes a file then calls proc_exit leaves complete data on disk (native, sync)", async () => {
  const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-exit-"));
  try {
    const { Wasi } = await import("../../lib/wasi/wasi.ts");
    const wasi = new Wasi({ preopens: { "/out": dir }, mode: "sync", stdout: "null", stderr: "null" });
    const { instance } = await WebAssembly.instantiate(
      await wat(WRITE_THEN_EXIT) as BufferSource,
      wasi.getImportObject() as WebAssembly.Imports,
    );
    assert.equal(await wasi.start(instance), 7);
    const data = nodeFs.readFileSync(path.join(dir, "out.txt"));
    assert.equal(data.length, 65536);
    assert.ok(data.every((b) => b === 0x78));
  } finally {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Writes one relative monotonic clock subscription of `ns` at `p`. */
function clockSub(g: Guest, ns: bigint): number {
  const p = g.alloc(48);
  g.view.setBigUint64(p, 0x1234n, true);
  g.view.setUint8(p + 8, 0); // EVENTTYPE_CLOCK
  g.view.setUint32(p + 16, 1, true); // CLOCKID_MONOTONIC
  g.view.setBigUint64(p + 24, ns, true);
  return p;
}

test("poll_oneoff sleeps without blocking the event loop in async mode: a timer fires meanwhile", async () => {
  const g = new Guest({ mode: "async", fs: new MemoryFs(), stdout: "null", stderr: "null" });
  const sub = clockSub(g, 60_000_000n), ev = g.alloc(32), n = g.alloc(4);
  let fired = 0;
  const timer = setTimeout(() => fired = performance.now(), 10);
  const t0 = performance.now();
  const result = g.fns.poll_oneoff(sub, ev, 1, n);
  assert.ok(result instanceof Promise, "async mode returns a Promise while sleeping");
  assert.equal(await result, Errno.SUCCESS);
  const t1 = performance.now();
  clearTimeout(timer);
  assert.ok(fired > 0 && fired < t1, "the timer ran while the guest slept");
  assert.ok(t1 - t0 >= 55, `slept ${t1 - t0} ms`);
  assert.equal(g.u32(n), 1);
  assert.equal(g.u64(ev), 0x1234n);
  assert.equal(g.view.getUint8(ev + 10), 0);
});

test("poll_oneoff sleeps the requested time in sync mode", () => {
  const g = new Guest({ mode: "sync", fs: new MemoryFs(), stdout: "null", stderr: "null" });
  const sub = clockSub(g, 30_000_000n), ev = g.alloc(32), n = g.alloc(4);
  const t0 = performance.now();
  assert.equal(g.fns.poll_oneoff(sub, ev, 1, n), Errno.SUCCESS);
  assert.ok(performance.now() - t0 >= 28);
  assert.equal(g.u32(n), 1);
});

const SLEEPER = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i64.store (i32.const 0) (i64.const 1))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 60000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))`;

test("a Kiln guest sleeping in poll_oneoff lets a timer fire", {
  skip: HAVE_KILN ? undefined : "Kiln engine (mod.ts) not available yet",
}, async () => {
  const kiln = await import(path.join(REPO, "mod.ts"));
  const { Wasi } = await import("../../lib/wasi/wasi.ts");
  const wasi = new Wasi({ mode: "async", fs: new MemoryFs(), stdout: "null", stderr: "null" });
  const { instance } = await kiln.instantiate(await wat(SLEEPER), wasi.getImportObject());
  let fired = false;
  const timer = setTimeout(() => fired = true, 10);
  const t0 = performance.now();
  assert.equal(await wasi.start(instance), 0);
  clearTimeout(timer);
  assert.ok(fired);
  assert.ok(performance.now() - t0 >= 55);
});

test("path calls of guests sharing an asynchronous backend never interleave between check and use", async () => {
  const mem = new MemoryFs();
  mem.writeFile("/shared/a/b/c/file", enc.encode("x"));
  const log: string[] = [];
  /** An asynchronous view of `mem` that logs each call under `tag` and completes it on a later timer. */
  const slow = (tag: string): FsBackend =>
    new Proxy(mem, {
      get(target, prop) {
        if (prop === "sync") return false;
        const v = Reflect.get(target, prop);
        if (typeof v !== "function" || prop === "stat") return v;
        return (...args: unknown[]) =>
          new Promise((resolve, reject) => {
            log.push(`${tag}:${String(prop)}`);
            setTimeout(() => {
              try {
                resolve(v.apply(target, args));
              } catch (e) {
                reject(e);
              }
            }, 1);
          });
      },
    }) as unknown as FsBackend;
  const a = new Guest({ preopens: { "/s": "/shared" }, fs: slow("A"), mode: "async", stdout: "null" });
  const b = new Guest({ preopens: { "/s": "/shared" }, fs: slow("B"), mode: "async", stdout: "null" });
  // The first syscall of each pins its preopen (dir_anchor.ts): do that before the race, which is about path calls.
  await Promise.all([a.call("fd_prestat_get", PRE, 0), b.call("fd_prestat_get", PRE, 0)]);
  log.length = 0;
  const [[ea], eb] = await Promise.all([a.open(PRE, "a/b/c/file"), b.pathOp("path_create_directory", PRE, "a/x")]);
  assert.equal(ea, Errno.SUCCESS);
  assert.equal(eb, Errno.SUCCESS);
  const firstB = log.findIndex((l) => l.startsWith("B:"));
  assert.ok(firstB > 0, log.join(" "));
  assert.ok(log.slice(firstB).every((l) => l.startsWith("B:")), `interleaved: ${log.join(" ")}`);
  assert.ok(log.filter((l) => l.startsWith("A:")).length >= 4, "A resolved component by component");
});
