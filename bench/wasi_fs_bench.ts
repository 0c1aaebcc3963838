/**
 * Micro-benchmark: per-call cost of synchronous vs asynchronous host filesystem calls, through the WASI host
 * backend (`lib/wasi/fs/node_fs.ts`, `NodeFs({ sync })`) and through raw `node:fs` for reference, plus the
 * per-call overhead of a Kiln guest suspending on a host import that returns a Promise. The numbers decide which
 * calls the async-mode backend makes synchronously (see the table at the top of `node_fs.ts`).
 *
 * Run: `./node_modules/.bin/deno run -A bench/wasi_fs_bench.ts` and `./node_modules/.bin/bun bench/wasi_fs_bench.ts`.
 * Each row is the best of 7 rounds of sequential calls (each async call awaited before the next, as a guest
 * would), in µs per call.
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodeFs } from "../lib/wasi/fs/node_fs.ts";
import type { FileHandle, MaybePromise, OpenOptions } from "../lib/wasi/fs/fs_backend.ts";
import { resolvePath } from "../lib/wasi/path.ts";
import { drive, type Syscall } from "../lib/wasi/_drive.ts";
import { Filetype } from "../lib/wasi/constants.ts";
import { type Imports, instantiate, parseWat } from "../mod.ts";
import { Wasi } from "../lib/wasi/wasi.ts";

const ROUNDS = 7;

/** Best-of-ROUNDS µs per call of `n` sequential calls of `op` (awaited when it returns a Promise). */
async function time(n: number, op: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const v = op();
      if (v instanceof Promise) await v;
    }
    samples.push((performance.now() - t) * 1000 / n);
  }
  // Why: the minimum, not the median: on a shared machine the noise only ever adds time.
  return Math.min(...samples);
}

const rows: { name: string; sync: number; async: number; hybrid?: number; raw?: [number, number] }[] = [];

async function row(
  name: string,
  n: number,
  backendSync: () => unknown,
  backendAsync: () => unknown,
  backendHybrid: () => unknown,
  raw?: [() => unknown, () => unknown],
): Promise<void> {
  // Warm-up so the first variant does not pay for JIT and page-cache misses.
  await time(Math.max(1, n >> 3), backendSync);
  await time(Math.max(1, n >> 3), backendAsync);
  await time(Math.max(1, n >> 3), backendHybrid);
  const r: (typeof rows)[number] = {
    name,
    sync: await time(n, backendSync),
    async: await time(n, backendAsync),
    hybrid: await time(n, backendHybrid),
  };
  if (raw) r.raw = [await time(n, raw[0]), await time(n, raw[1])];
  rows.push(r);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kiln-wasi-bench-"));
const sync = new NodeFs({ sync: true });
const async = new NodeFs({ sync: false, syncSmallCalls: false });
const hybrid = new NodeFs({ sync: false });
const file = path.join(dir, "file");
const big = path.join(dir, "big");
const small = path.join(dir, "small");
fs.writeFileSync(file, new Uint8Array(4096));
fs.writeFileSync(big, new Uint8Array(1 << 20).fill(7));
fs.mkdirSync(small);
for (let i = 0; i < 16; i++) fs.writeFileSync(path.join(small, `entry${i}`), "x");
const nested = path.join(dir, "a/b/c/d/e");
fs.mkdirSync(nested, { recursive: true });
fs.writeFileSync(path.join(nested, "leaf"), "leaf");

const RO: OpenOptions = {
  read: true,
  write: false,
  create: false,
  exclusive: false,
  truncate: false,
  append: false,
  directory: false,
  filetype: Filetype.REGULAR_FILE, // as path_open passes it (the resolver's lstat)
};
const RW: OpenOptions = { ...RO, write: true };
const hs = sync.open(file, RW) as FileHandle;
const ha = await async.open(file, RW);
const hh = await hybrid.open(file, RW);
const hbs = sync.open(big, RW) as FileHandle;
const hba = await async.open(big, RW);
const hbh = await hybrid.open(big, RW);
const rawFd = fs.openSync(file, "r+");
const rawBigFd = fs.openSync(big, "r+");
const b64 = new Uint8Array(64), b4k = new Uint8Array(4096), b64k = new Uint8Array(65536), b1m = new Uint8Array(1 << 20);

const promisified = <T>(f: (cb: (e: Error | null, v: T) => void) => void) =>
  new Promise<T>((res, rej) => f((e, v) => e ? rej(e) : res(v)));

await row("lstat (path)", 5000, () => sync.lstat(file), () => async.lstat(file), () => hybrid.lstat(file), [
  () => fs.lstatSync(file, { bigint: true }),
  () => fs.promises.lstat(file, { bigint: true }),
]);
await row("fstat (open fd)", 5000, () => hs.stat(), () => ha.stat(), () => hh.stat(), [
  () => fs.fstatSync(rawFd, { bigint: true }),
  () => promisified<fs.BigIntStats>((cb) => fs.fstat(rawFd, { bigint: true }, cb as never)),
]);
await row(
  "open + close",
  3000,
  () => (sync.open(file, RO) as FileHandle).close(),
  async () => await (await async.open(file, RO)).close(),
  async () => await (await hybrid.open(file, RO)).close(),
  [() => fs.closeSync(fs.openSync(file, "r")), async () => await (await fs.promises.open(file, "r")).close()],
);
await row(
  "readdir (16 entries)",
  1000,
  () => sync.readdir(small),
  () => async.readdir(small),
  () => hybrid.readdir(small),
  [
    () => fs.readdirSync(small),
    () => fs.promises.readdir(small),
  ],
);
const resolve = (b: NodeFs): MaybePromise<number> =>
  drive(
    (function* (): Syscall {
      yield* resolvePath(b, dir, "a/b/c/d/e/leaf", false);
      return 0;
    })(),
    true,
  );
await row("resolve a/b/c/d/e/leaf", 2000, () => resolve(sync), () => resolve(async), () => resolve(hybrid));
await row("read 64 B", 5000, () => hs.read(b64, 0), () => ha.read(b64, 0), () => hh.read(b64, 0), [
  () => fs.readSync(rawFd, b64, 0, 64, 0),
  () => promisified<number>((cb) => fs.read(rawFd, b64, 0, 64, 0, cb)),
]);
await row("read 4 KiB", 5000, () => hs.read(b4k, 0), () => ha.read(b4k, 0), () => hh.read(b4k, 0), [
  () => fs.readSync(rawFd, b4k, 0, 4096, 0),
  () => promisified<number>((cb) => fs.read(rawFd, b4k, 0, 4096, 0, cb)),
]);
await row("read 64 KiB", 2000, () => hbs.read(b64k, 0), () => hba.read(b64k, 0), () => hbh.read(b64k, 0), [
  () => fs.readSync(rawBigFd, b64k, 0, b64k.length, 0),
  () => promisified<number>((cb) => fs.read(rawBigFd, b64k, 0, b64k.length, 0, cb)),
]);
await row("read 1 MiB", 200, () => hbs.read(b1m, 0), () => hba.read(b1m, 0), () => hbh.read(b1m, 0), [
  () => fs.readSync(rawBigFd, b1m, 0, b1m.length, 0),
  () => promisified<number>((cb) => fs.read(rawBigFd, b1m, 0, b1m.length, 0, cb)),
]);
await row("write 64 B", 5000, () => hs.write(b64, 0), () => ha.write(b64, 0), () => hh.write(b64, 0), [
  () => fs.writeSync(rawFd, b64, 0, 64, 0),
  () => promisified<number>((cb) => fs.write(rawFd, b64, 0, 64, 0, cb)),
]);
await row("write 4 KiB", 5000, () => hs.write(b4k, 0), () => ha.write(b4k, 0), () => hh.write(b4k, 0), [
  () => fs.writeSync(rawFd, b4k, 0, 4096, 0),
  () => promisified<number>((cb) => fs.write(rawFd, b4k, 0, 4096, 0, cb)),
]);
await row("write 64 KiB", 2000, () => hbs.write(b64k, 0), () => hba.write(b64k, 0), () => hbh.write(b64k, 0), [
  () => fs.writeSync(rawBigFd, b64k, 0, b64k.length, 0),
  () => promisified<number>((cb) => fs.write(rawBigFd, b64k, 0, b64k.length, 0, cb)),
]);
await row("write 1 MiB", 200, () => hbs.write(b1m, 0), () => hba.write(b1m, 0), () => hbh.write(b1m, 0), [
  () => fs.writeSync(rawBigFd, b1m, 0, b1m.length, 0),
  () => promisified<number>((cb) => fs.write(rawBigFd, b1m, 0, b1m.length, 0, cb)),
]);
await row("fsync after a 4 KiB write", 50, () => (hs.write(b4k, 0), hs.sync()), async () => {
  await ha.write(b4k, 0);
  await ha.sync();
}, async () => {
  await hh.write(b4k, 0);
  await hh.sync();
});

// A Kiln guest calling a host import in a loop: the import returns a plain value, an already-resolved Promise
// (the guest suspends and resumes), or does a real fstat each way.
const wat = `(module
  (import "env" "f" (func $f (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $f)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc)))`;
const bytes = parseWat(wat);
async function guest(f: () => unknown): Promise<(n: number) => Promise<unknown>> {
  const { instance } = await instantiate(bytes, { env: { f } });
  return instance.exports.run as (n: number) => Promise<unknown>;
}
const GUEST_CALLS = 20000;
const plain = await guest(() => 1);
const suspending = await guest(() => Promise.resolve(1));
const fstatSync = await guest(() => (hs.stat(), 1));
const fstatAsync = await guest(async () => (await ha.stat(), 1));
const perCall = async (run: (n: number) => Promise<unknown>, n: number) => {
  await run(n >> 3);
  return await time(1, () => run(n)) / n;
};
rows.push({
  name: "guest import: plain vs Promise",
  sync: await perCall(plain, GUEST_CALLS),
  async: await perCall(suspending, GUEST_CALLS),
});
rows.push({
  name: "guest import doing fstat",
  sync: await perCall(fstatSync, 5000),
  async: await perCall(fstatAsync, 5000),
});

// End to end: a Kiln guest calling WASI path_filestat_get("a/b/c/d/e/leaf") in a loop, with the host backend in
// async mode as shipped (path resolution synchronous, path lock free: no suspension) vs every call a Promise.
const statWat = `(module
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "a/b/c/d/e/leaf")
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.or (local.get $acc) (call $stat (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 14)
        (i32.const 64))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc)))`;
async function wasiGuest(backend: NodeFs): Promise<(n: number) => Promise<unknown>> {
  const wasi = new Wasi({ preopens: { "/d": dir }, fs: backend, stdin: "null", stdout: "null", stderr: "null" });
  const { instance } = await instantiate(parseWat(statWat), wasi.getImportObject() as Imports);
  wasi.bind(instance);
  const run = instance.exports.run as (n: number) => Promise<unknown>;
  return async (n) => {
    if (await run(n) !== 0) throw new Error("path_filestat_get failed in the benchmark guest");
  };
}
rows.push({
  name: "guest WASI path_filestat_get",
  sync: await perCall(await wasiGuest(new NodeFs({ sync: true })), 2000),
  async: await perCall(await wasiGuest(new NodeFs({ sync: false, syncSmallCalls: false })), 2000),
  hybrid: await perCall(await wasiGuest(new NodeFs({ sync: false })), 2000),
});

for (const h of [hs, hbs]) h.close();
for (const h of [ha, hba, hh, hbh]) await h.close();
fs.closeSync(rawFd);
fs.closeSync(rawBigFd);
fs.rmSync(dir, { recursive: true, force: true });

const runtime = "Bun" in globalThis
  ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : "Deno" in globalThis
  ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
  : `Node ${process.version}`;
const f = (x: number | undefined) => (x === undefined ? "—" : x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(9);
console.log(`WASI host fs calls, µs per call (best of ${ROUNDS}), ${runtime}`);
console.log(
  "sync: NodeFs({ sync: true }); async: every call a Promise; default: async mode as shipped (small calls sync)",
);
const head = ["sync", "async", "ratio", "default", "raw sync", "raw async"].map((h) => h.padStart(9)).join(" ");
console.log(`${"call".padEnd(32)} ${head}`);
for (const r of rows) {
  const ratio = (r.async / r.sync).toFixed(1).padStart(9);
  const cells = [f(r.sync), f(r.async), ratio, f(r.hybrid), f(r.raw?.[0]), f(r.raw?.[1])].join(" ");
  console.log(`${r.name.padEnd(32)} ${cells}`);
}
