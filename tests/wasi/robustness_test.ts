// Garbage arguments to every WASI import must end in an errno or a trap (RuntimeError for a pointer outside
// guest memory), never a JS TypeError/RangeError escaping, a hang or a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Guest } from "./_guest.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";
import { RuntimeError } from "../../lib/errors.ts";

/** xorshift32: deterministic garbage. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

// Arity and i64 positions of each import (witx signatures).
const SIGS: Record<string, string> = {
  args_get: "ii",
  args_sizes_get: "ii",
  environ_get: "ii",
  environ_sizes_get: "ii",
  clock_res_get: "ii",
  clock_time_get: "iIi",
  fd_advise: "iIIi",
  fd_allocate: "iII",
  fd_close: "i",
  fd_datasync: "i",
  fd_fdstat_get: "ii",
  fd_fdstat_set_flags: "ii",
  fd_fdstat_set_rights: "iII",
  fd_filestat_get: "ii",
  fd_filestat_set_size: "iI",
  fd_filestat_set_times: "iIIi",
  fd_pread: "iiiIi",
  fd_prestat_get: "ii",
  fd_prestat_dir_name: "iii",
  fd_pwrite: "iiiIi",
  fd_read: "iiii",
  fd_readdir: "iiiIi",
  fd_renumber: "ii",
  fd_seek: "iIii",
  fd_sync: "i",
  fd_tell: "ii",
  fd_write: "iiii",
  path_create_directory: "iii",
  path_filestat_get: "iiiii",
  path_filestat_set_times: "iiiiIIi",
  path_link: "iiiiiii",
  path_open: "iiiiiIIii",
  path_readlink: "iiiiii",
  path_remove_directory: "iii",
  path_rename: "iiiiii",
  path_symlink: "iiiii",
  path_unlink_file: "iii",
  proc_raise: "i",
  random_get: "ii",
  sock_accept: "iii",
  sock_recv: "iiiiii",
  sock_send: "iiiii",
  sock_shutdown: "ii",
};

for (const module of ["wasi_snapshot_preview1", "wasi_unstable"] as const) {
  for (const mode of ["sync", "async"] as const) {
    test(`every ${module} import survives garbage arguments (${mode})`, async () => {
      const mem = new MemoryFs();
      mem.mkdirp("/d/sub");
      mem.writeFile("/d/f", new Uint8Array([1, 2, 3]));
      const g = new Guest(
        { preopens: { "/d": "/d" }, fs: mem, mode, stdin: "abc", stdout: "null", stderr: "null" },
        module,
      );
      const size = g.memory.buffer.byteLength;
      const next = rng(module.length * 31 + mode.length);
      const i32 = () => {
        switch (next() % 6) {
          case 0:
            return next() % 8; // small: fds, flags
          case 1:
            return 1024 + (next() % 4096); // a pointer into low memory
          case 2:
            return size - (next() % 64); // a pointer at the very end
          case 3:
            return next() | 0; // anything, negative included
          case 4:
            return next() % 64;
          default:
            return 3;
        }
      };
      const i64 = () => [0n, 1n, -1n, 1n << 62n, BigInt(next()), BigInt.asIntN(64, BigInt(next()) << 32n)][next() % 6];
      let calls = 0, traps = 0;
      for (const [name, sig] of Object.entries(SIGS)) {
        for (let round = 0; round < 150; round++) {
          const args = [...sig].map((k) => k === "I" ? i64() : i32());
          // Keep writes of random bytes small so later calls stay quick.
          if (name === "random_get") args[1] = (args[1] as number) & 0xff;
          try {
            const r = await g.fns[name](...args);
            assert.equal(typeof r, "number", `${name} returned ${r}`);
            assert.ok(Number.isInteger(r) && r >= 0 && r <= 76, `${name} returned errno ${r}`);
          } catch (e) {
            assert.ok(e instanceof RuntimeError, `${name}(${args.join(", ")}) threw ${e}`);
            assert.equal(e.message, "out of bounds memory access");
            traps++;
          }
          calls++;
        }
      }
      assert.ok(calls > 6000 && traps > 0);
    });
  }
}
