// The stale directory descriptor attack (issue 13) and its variants: a guest opens a directory inside its preopen,
// then turns that directory's path into a way out (a symlink to "..", to an absolute path, to "../../..", a chain of
// two symlinks, the directory renamed away and replaced, a preopen root replaced), and uses the old descriptor with
// every call that takes one. Nothing outside the preopen may be read, created, linked, renamed, removed, touched or
// listed. One suite, run against both backends (host node:fs and MemoryFs) in sync and async mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Guest } from "./_guest.ts";
import { snapshot, writeFile } from "./_backend_files.ts";
import { Errno } from "../../lib/wasi/errno.ts";
import { Lookupflags, Oflags, Rights } from "../../lib/wasi/constants.ts";
import type { FsBackend } from "../../lib/wasi/fs/fs_backend.ts";
import { NodeFs } from "../../lib/wasi/fs/node_fs.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";
import { Wasi } from "../../lib/wasi/wasi.ts";
import { runWasi } from "../../lib/wasi/run_wasi.ts";
import { ROOT, runCli, RUNTIMES } from "../cli/_spawn.ts";

const PRE = 3; // the preopen "/box"
const INNER = 4; // the second preopen "/inner", a directory inside the first
const SECRET = "SECRET";
const DIR = { oflags: Oflags.DIRECTORY, rights: ((1n << 30n) - 1n) & ~Rights.FD_WRITE }; // how a guest opens a directory

/** The tree: `<top>/x/y/box` is preopened as /box and `<top>/x/y/box/inner` as /inner; every directory outside
 * the box holds `sentinel.txt` (SECRET), `outside_dir/` and `outside_link` (-> OUTSIDE_TARGET). */
interface World {
  backend: FsBackend; // a synchronous view of the same filesystem, for setup, attacks from the host, and checks
  top: string;
  box: string;
  guest: Guest;
  cleanup(): void;
}

function populate(b: FsBackend, top: string): string {
  const x = `${top}/x`, y = `${x}/y`, box = `${y}/box`;
  b.mkdir(x);
  b.mkdir(y);
  for (const d of [top, x, y]) {
    writeFile(b, `${d}/sentinel.txt`, SECRET);
    b.mkdir(`${d}/outside_dir`);
    b.symlink("OUTSIDE_TARGET", `${d}/outside_link`);
  }
  b.mkdir(box);
  b.mkdir(`${box}/inner`);
  writeFile(b, `${box}/file.txt`, "inside");
  return box;
}

type Config = { name: string; make(): World };

// Host fs runs twice: as shipped (on Linux, held directories reached through /proc/self/fd aliases), and without
// aliases, as hosts without /proc get it (the re-walk from the pinned preopen, dir_anchor.ts).
const configs: Config[] = [
  ...(["sync", "async"] as const).flatMap((mode) =>
    [true, false].map((aliases) => ({
      name: `host fs${aliases ? "" : " without directory aliases"}, ${mode}`,
      make(): World {
        const top = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-stale-"));
        const backend = new NodeFs({ sync: true });
        const box = populate(backend, top);
        const guest = new Guest({
          preopens: { "/box": box, "/inner": `${box}/inner` },
          fs: new NodeFs({ sync: mode === "sync", directoryAliases: aliases }),
          mode,
          stdout: "null",
          stderr: "null",
        });
        return { backend, top, box, guest, cleanup: () => nodeFs.rmSync(top, { recursive: true, force: true }) };
      },
    }))
  ),
  ...(["sync", "async"] as const).map((mode) => ({
    name: `memory fs, ${mode}`,
    make(): World {
      const backend = new MemoryFs();
      backend.mkdirp("/top");
      const box = populate(backend, "/top");
      const guest = new Guest({
        preopens: { "/box": box, "/inner": `${box}/inner` },
        fs: backend,
        mode,
        stdout: "null",
        stderr: "null",
      });
      return { backend, top: "/top", box, guest, cleanup: () => {} };
    },
  })),
];

async function ok(p: Promise<number>): Promise<void> {
  assert.equal(await p, Errno.SUCCESS);
}

async function symlink(g: Guest, target: string, at: string): Promise<void> {
  const [a, al] = g.str(target), [b, bl] = g.str(at);
  await ok(g.call("path_symlink", a, al, PRE, b, bl));
}

async function rename(g: Guest, from: string, to: string): Promise<void> {
  const [a, al] = g.str(from), [b, bl] = g.str(to);
  await ok(g.call("path_rename", PRE, a, al, PRE, b, bl));
}

/** Opens `box/esc` as a directory and returns its fd. */
async function openEsc(g: Guest): Promise<number> {
  await ok(g.pathOp("path_create_directory", PRE, "esc"));
  const [e, fd] = await g.open(PRE, "esc", DIR);
  assert.equal(e, Errno.SUCCESS);
  return fd;
}

/** A way of turning a directory descriptor into a way out: returns the descriptor to attack through. */
type Plant = (g: Guest, w: World) => Promise<number>;

const plants: Record<string, Plant> = {
  "a symlink to ..": async (g) => {
    const d = await openEsc(g);
    await ok(g.pathOp("path_remove_directory", PRE, "esc"));
    await symlink(g, "..", "esc");
    return d;
  },
  "a symlink to an absolute path (planted by the host)": async (g, w) => {
    const d = await openEsc(g);
    await ok(g.pathOp("path_remove_directory", PRE, "esc"));
    w.backend.symlink(w.top, `${w.box}/esc`);
    return d;
  },
  "a symlink to ../../..": async (g) => {
    const d = await openEsc(g);
    await ok(g.pathOp("path_remove_directory", PRE, "esc"));
    await symlink(g, "../../..", "esc");
    return d;
  },
  "a chain of two symlinks": async (g) => {
    const d = await openEsc(g);
    await ok(g.pathOp("path_remove_directory", PRE, "esc"));
    await symlink(g, "hop", "esc");
    await symlink(g, "..", "hop");
    return d;
  },
  "a nested directory's parent replaced": async (g) => {
    await ok(g.pathOp("path_create_directory", PRE, "esc"));
    await ok(g.pathOp("path_create_directory", PRE, "esc/deep"));
    const [e, d] = await g.open(PRE, "esc/deep", DIR);
    assert.equal(e, Errno.SUCCESS);
    await rename(g, "esc", "gone");
    await ok(g.pathOp("path_create_directory", PRE, "esc"));
    await symlink(g, "../..", "esc/deep");
    return d;
  },
  "the directory renamed away and replaced": async (g) => {
    const d = await openEsc(g);
    await rename(g, "esc", "moved");
    await symlink(g, "..", "esc");
    return d;
  },
  "the directory renamed away by the host and replaced": async (g, w) => {
    const d = await openEsc(g);
    w.backend.rename(`${w.box}/esc`, `${w.box}/moved`);
    w.backend.symlink("..", `${w.box}/esc`);
    return d;
  },
  "a preopen root removed and replaced by the guest": async (g) => {
    await ok(g.pathOp("path_remove_directory", PRE, "inner"));
    await symlink(g, "..", "inner");
    return INNER;
  },
  "a preopen root renamed away and replaced by the guest": async (g) => {
    await rename(g, "inner", "inner_old");
    await symlink(g, "../..", "inner");
    return INNER;
  },
  "a preopen root replaced by the host": (_g, w) => {
    w.backend.rename(`${w.box}/inner`, `${w.box}/inner_old`);
    w.backend.symlink(w.top, `${w.box}/inner`);
    return Promise.resolve(INNER);
  },
};

/** What the guest tries through the descriptor; each must leave the outside unchanged and reveal nothing of it. */
const attacks: Record<string, (g: Guest, d: number) => Promise<void>> = {
  "path_open reads sentinel.txt": async (g, d) => {
    const [e, fd] = await g.open(d, "sentinel.txt");
    if (e === Errno.SUCCESS) assert.notEqual((await g.read(fd, 64))[1], SECRET);
  },
  "path_open creates a file": async (g, d) => {
    const [e, fd] = await g.open(d, "created.txt", { oflags: Oflags.CREAT });
    if (e === Errno.SUCCESS) await g.write(fd, "planted");
  },
  "path_open truncates sentinel.txt": async (g, d) => {
    await g.open(d, "sentinel.txt", { oflags: Oflags.TRUNC });
  },
  "path_open opens outside_dir and lists it": async (g, d) => {
    const [e, fd] = await g.open(d, "outside_dir", DIR);
    if (e === Errno.SUCCESS) await attacks["fd_readdir lists the directory"](g, fd);
  },
  "path_create_directory": async (g, d) => {
    await g.pathOp("path_create_directory", d, "made_dir");
  },
  "path_link from outside in": async (g, d) => {
    const [a, al] = g.str("sentinel.txt"), [b, bl] = g.str("stolen");
    if (await g.call("path_link", d, 0, a, al, PRE, b, bl) === Errno.SUCCESS) {
      const [e, fd] = await g.open(PRE, "stolen");
      if (e === Errno.SUCCESS) assert.notEqual((await g.read(fd, 64))[1], SECRET);
    }
  },
  "path_link from inside out": async (g, d) => {
    const [a, al] = g.str("file.txt"), [b, bl] = g.str("planted_link");
    await g.call("path_link", PRE, 0, a, al, d, b, bl);
  },
  "path_rename from outside in": async (g, d) => {
    const [a, al] = g.str("sentinel.txt"), [b, bl] = g.str("stolen");
    await g.call("path_rename", d, a, al, PRE, b, bl);
  },
  "path_rename from inside out": async (g, d) => {
    const [a, al] = g.str("file.txt"), [b, bl] = g.str("planted");
    await g.call("path_rename", PRE, a, al, d, b, bl);
  },
  "path_rename a directory outside": async (g, d) => {
    const [a, al] = g.str("outside_dir"), [b, bl] = g.str("renamed_dir");
    await g.call("path_rename", d, a, al, d, b, bl);
  },
  "path_symlink": async (g, d) => {
    const [a, al] = g.str("anything"), [b, bl] = g.str("planted_symlink");
    await g.call("path_symlink", a, al, d, b, bl);
  },
  "path_unlink_file": async (g, d) => {
    await g.pathOp("path_unlink_file", d, "sentinel.txt");
    await g.pathOp("path_unlink_file", d, "outside_link");
  },
  "path_remove_directory": async (g, d) => {
    await g.pathOp("path_remove_directory", d, "outside_dir");
  },
  "path_filestat_get": async (g, d) => {
    const [p, l] = g.str("sentinel.txt");
    const out = g.alloc(64);
    if (await g.call("path_filestat_get", d, Lookupflags.SYMLINK_FOLLOW, p, l, out) === Errno.SUCCESS) {
      assert.notEqual(g.u64(out + 32), BigInt(SECRET.length), "the sentinel's size leaked");
    }
  },
  "path_filestat_set_times": async (g, d) => {
    const [p, l] = g.str("sentinel.txt");
    await g.call("path_filestat_set_times", d, 0, p, l, 1_000_000_000n, 1_000_000_000n, 5);
  },
  "path_readlink": async (g, d) => {
    const [p, l] = g.str("outside_link");
    const buf = g.alloc(64), out = g.alloc(4);
    if (await g.call("path_readlink", d, p, l, buf, 64, out) === Errno.SUCCESS) {
      assert.notEqual(g.text(buf, g.u32(out)), "OUTSIDE_TARGET");
    }
  },
  "fd_readdir lists the directory": async (g, d) => {
    const buf = g.alloc(4096), out = g.alloc(4);
    if (await g.call("fd_readdir", d, buf, 4096, 0n, out) === Errno.SUCCESS) {
      const listing = g.text(buf, g.u32(out));
      for (const name of ["sentinel.txt", "outside_dir", "outside_link"]) assert.ok(!listing.includes(name), name);
    }
  },
  "fd_filestat_set_times": async (g, d) => {
    await g.call("fd_filestat_set_times", d, 1_000_000_000n, 1_000_000_000n, 5);
  },
};

for (const config of configs) {
  for (const [plantName, plant] of Object.entries(plants)) {
    test(`stale directory fd (${config.name}), ${plantName}: no call through it reaches outside`, async () => {
      for (const [attackName, attack] of Object.entries(attacks)) {
        const w = config.make();
        try {
          // A first syscall pins the preopens, as any guest's first syscall does.
          await w.guest.call("fd_prestat_get", PRE, w.guest.alloc(8));
          const d = await plant(w.guest, w);
          const before = snapshot(w.backend, w.top, w.box);
          await attack(w.guest, d);
          assert.deepEqual(snapshot(w.backend, w.top, w.box), before, `${attackName} changed the outside`);
        } catch (e) {
          throw new Error(`${attackName}: ${(e as Error).message}`, { cause: e });
        } finally {
          w.cleanup();
        }
      }
    });
  }
}

for (const config of configs) {
  test(`a directory fd follows the guest's own rename, as a real handle does (${config.name})`, async () => {
    const w = config.make();
    try {
      const g = w.guest;
      const d = await openEsc(g);
      await rename(g, "esc", "moved");
      assert.equal((await g.open(d, "new.txt", { oflags: Oflags.CREAT }))[0], Errno.SUCCESS);
      assert.equal((w.backend.lstat(`${w.box}/moved/new.txt`) as { filetype: number }).filetype, 4);
      // The preopen that lies inside the box follows its directory too.
      await rename(g, "inner", "inner_moved");
      assert.equal((await g.open(INNER, "x.txt", { oflags: Oflags.CREAT }))[0], Errno.SUCCESS);
      assert.equal((w.backend.lstat(`${w.box}/inner_moved/x.txt`) as { filetype: number }).filetype, 4);
    } finally {
      w.cleanup();
    }
  });

  test(`a removed directory's fd answers ENOENT, as Wasmtime's handle does (${config.name})`, async () => {
    const w = config.make();
    try {
      const g = w.guest;
      const d = await openEsc(g);
      await ok(g.pathOp("path_remove_directory", PRE, "esc"));
      assert.equal((await g.open(d, "x.txt", { oflags: Oflags.CREAT }))[0], Errno.NOENT);
      assert.equal(await g.pathOp("path_create_directory", d, "sub"), Errno.NOENT);
      // A new directory of the same name is another directory: the old fd does not reach it.
      await ok(g.pathOp("path_create_directory", PRE, "esc"));
      assert.equal((await g.open(d, "x.txt", { oflags: Oflags.CREAT }))[0], Errno.NOENT);
    } finally {
      w.cleanup();
    }
  });
}

// End to end: testdata/stale_dir_escape.c, a real wasi-libc program that makes the attack, through the CLI on both
// runtimes, runWasi (Kiln, async fs) and Wasi in sync mode on the host's native WebAssembly.
const ESCAPE_WASM = path.join(ROOT, "testdata", "stale_dir_escape.wasm");

/** `<top>/x/y/box` with sentinel.txt in every directory above the box; returns [top, box]. */
function hostTree(): [string, string] {
  const top = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-escape-"));
  const box = path.join(top, "x", "y", "box");
  nodeFs.mkdirSync(box, { recursive: true });
  for (const d of [top, path.join(top, "x"), path.join(top, "x", "y")]) {
    nodeFs.writeFileSync(path.join(d, "sentinel.txt"), SECRET);
  }
  return [top, box];
}

/** Every file outside the box after the run: only the three sentinels, unchanged. */
function assertOutsideUntouched(top: string, box: string): void {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of nodeFs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (p === box) continue;
      if (e.isDirectory()) walk(p);
      else found.push(`${path.relative(top, p)}=${nodeFs.readFileSync(p, "utf8")}`);
    }
  };
  walk(top);
  assert.deepEqual(found.sort(), ["sentinel.txt=SECRET", "x/sentinel.txt=SECRET", "x/y/sentinel.txt=SECRET"]);
}

for (const target of ["..", "../../.."]) {
  for (const rt of RUNTIMES) {
    test(`the stale directory escape (symlink to ${target}) is refused through the CLI on ${rt.name}`, async () => {
      const [top, box] = hostTree();
      try {
        const r = await runCli(rt, ["--dir", `${box}::/box`, ESCAPE_WASM, "/box", target]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.ok(!r.stdout.includes(SECRET), r.stdout);
        assert.match(r.stdout, /read sentinel.txt: refused/);
        assert.match(r.stdout, /create planted.txt: refused/);
        assert.match(r.stdout, /list: nothing/);
        assertOutsideUntouched(top, box);
      } finally {
        nodeFs.rmSync(top, { recursive: true, force: true });
      }
    });
  }

  test(`the stale directory escape (symlink to ${target}) is refused through runWasi`, async () => {
    const [top, box] = hostTree();
    const out: string[] = [];
    try {
      const code = await runWasi(nodeFs.readFileSync(ESCAPE_WASM), {
        args: ["stale_dir_escape", "/box", target],
        preopens: { "/box": box },
        stdout: (b) => void out.push(new TextDecoder().decode(b)),
        stderr: "null",
      });
      assert.equal(code, 0, out.join(""));
      assertOutsideUntouched(top, box);
    } finally {
      nodeFs.rmSync(top, { recursive: true, force: true });
    }
  });

  test(`the stale directory escape (symlink to ${target}) is refused by Wasi in sync mode on native WebAssembly`, async () => {
    const [top, box] = hostTree();
    const out: string[] = [];
    try {
      const wasi = new Wasi({
        args: ["stale_dir_escape", "/box", target],
        preopens: { "/box": box },
        mode: "sync",
        stdout: (b) => void out.push(new TextDecoder().decode(b)),
        stderr: "null",
      });
      await wasi.ready();
      const { instance } = await WebAssembly.instantiate(
        nodeFs.readFileSync(ESCAPE_WASM),
        wasi.getImportObject() as unknown as WebAssembly.Imports,
      );
      assert.equal(await wasi.start(instance as never), 0, out.join(""));
      assertOutsideUntouched(top, box);
    } finally {
      nodeFs.rmSync(top, { recursive: true, force: true });
    }
  });
}

// Issue 13, item 1: another process swaps a directory for a symlink to outside *during* a lookup (simulated
// deterministically: the swap happens right after the lookup looked at the directory). With directory aliases the
// lookup already holds the real directory, so the open stays inside; without them, path_open's re-check of the walk
// notices the swap and refuses. Either way nothing outside is read. (tools/sandbox_race.ts measures the real race.)
for (const aliases of [true, false]) {
  for (const mode of ["sync", "async"] as const) {
    test(`a directory swapped for a symlink mid-lookup leaks nothing (${aliases ? "aliases" : "no aliases"}, ${mode})`, async () => {
      const top = nodeFs.mkdtempSync(path.join(os.tmpdir(), "kiln-midswap-"));
      try {
        const box = path.join(top, "box"), outside = path.join(top, "outside");
        nodeFs.mkdirSync(path.join(box, "d"), { recursive: true });
        nodeFs.mkdirSync(outside);
        nodeFs.writeFileSync(path.join(box, "d", "f"), "inside");
        nodeFs.writeFileSync(path.join(outside, "f"), SECRET);
        let swapped = false;
        const swap = (p: string) => {
          if (swapped || !p.endsWith("/d")) return;
          swapped = true;
          nodeFs.renameSync(path.join(box, "d"), path.join(box, "d_real"));
          nodeFs.symlinkSync("../outside", path.join(box, "d"));
        };
        const backend = new NodeFs({ sync: mode === "sync", directoryAliases: aliases });
        const lstat = backend.lstat.bind(backend), enter = backend.enter;
        backend.lstat = (p: string) => {
          const r = lstat(p);
          swap(p);
          return r;
        };
        if (enter) {
          backend.enter = (p: string) => {
            const r = enter(p);
            swap(p);
            return r;
          };
        }
        const g = new Guest({ preopens: { "/box": box }, fs: backend, mode, stdout: "null", stderr: "null" });
        const [e, fd] = await g.open(PRE, "d/f");
        assert.ok(swapped, "the swap happened during the lookup");
        if (e === Errno.SUCCESS) assert.equal((await g.read(fd, 64))[1], "inside");
        else assert.equal(e, Errno.NOENT);
      } finally {
        nodeFs.rmSync(top, { recursive: true, force: true });
      }
    });
  }
}
