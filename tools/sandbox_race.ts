/**
 * Measures the sandbox's residual race with another host process (issue 13, item 1): a second process keeps
 * swapping `box/d` between a real directory (holding `f` = "inside") and a symlink to a directory outside the box
 * (holding `f` = "SECRET"), while a guest opens `d/f` through its preopen and reads it, N times; then it creates
 * `d/c<i>` N/4 times. It prints how many opens read the secret and how many files were created outside.
 *
 * Usage: `deno run -A tools/sandbox_race.ts [--opens N] [--mode sync|async]` (also `bun tools/sandbox_race.ts`).
 * Needs `node` on PATH for the swapping process. Exit code 0; the numbers are the result (ROBUSTNESS.md records them).
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { Wasi } from "../lib/wasi/wasi.ts";
import { NodeFs } from "../lib/wasi/fs/node_fs.ts";
import { Oflags, Rights } from "../lib/wasi/constants.ts";

/** The usage text. */
export const USAGE = `usage: sandbox_race.ts [--opens N] [--mode sync|async] [--no-aliases]
  --opens N       opens of d/f to attempt (default 40000); creates are N/4
  --mode M        the Wasi mode: sync (default) or async
  --no-aliases    without /proc/self/fd directory aliases (what hosts other than Linux get)
  -h, --help      print this text`;

function parseArgs(argv: string[]): { opens: number; mode: "sync" | "async"; aliases: boolean } {
  let opens = 40_000, mode: "sync" | "async" = "sync", aliases = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else if (a === "--no-aliases") aliases = false;
    else if (a === "--opens" && /^\d+$/.test(argv[i + 1] ?? "")) opens = Number(argv[++i]);
    else if (a === "--mode" && (argv[i + 1] === "sync" || argv[i + 1] === "async")) {
      mode = argv[++i] as "sync" | "async";
    } else {
      console.error(USAGE);
      process.exit(2);
    }
  }
  return { opens, mode, aliases };
}

/** The swapping process: d alternates between a directory and a symlink to ../outside, by renames. */
const SWAPPER = `
const fs = require("node:fs");
const [box] = process.argv.slice(1);
const d = box + "/d", real = box + "/d_real", link = box + "/d_link";
for (;;) {
  try { fs.renameSync(d, real); fs.renameSync(link, d); fs.renameSync(d, link); fs.renameSync(real, d); } catch {}
}`;

async function main(): Promise<void> {
  const { opens, mode, aliases } = parseArgs(process.argv.slice(2));
  const top = fs.mkdtempSync(path.join(os.tmpdir(), "kiln-race-"));
  const box = path.join(top, "box"), outside = path.join(top, "outside");
  fs.mkdirSync(path.join(box, "d"), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(box, "d", "f"), "inside");
  fs.writeFileSync(path.join(outside, "f"), "SECRET");
  fs.symlinkSync("../outside", path.join(box, "d_link"));

  const memory = new WebAssembly.Memory({ initial: 1 });
  const backend = new NodeFs({ sync: mode === "sync", directoryAliases: aliases });
  const wasi = new Wasi({
    preopens: { "/box": box },
    fs: backend,
    mode,
    stdout: "null",
    stderr: "null",
    stdin: "null",
  });
  await wasi.ready();
  wasi.bind({ exports: { memory } });
  const w = wasi.getImportObject().wasi_snapshot_preview1 as unknown as Record<
    string,
    (...a: unknown[]) => number | Promise<number>
  >;
  const bytes = new Uint8Array(memory.buffer);
  const dv = new DataView(memory.buffer);
  const put = (at: number, s: string) => bytes.set(new TextEncoder().encode(s), at);
  const rights = Rights.FD_READ | Rights.FD_WRITE;

  const swapper = spawn("node", ["-e", SWAPPER, box], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 200));
  const counts = { read_inside: 0, read_secret: 0, refused: 0, created_inside: 0, created_outside_refused: 0 };
  const errnos = new Map<number, number>();
  const t0 = performance.now();
  try {
    put(100, "d/f");
    for (let i = 0; i < opens; i++) {
      const e = await w.path_open(3, 0, 100, 3, 0, rights, rights, 0, 0);
      if (e !== 0) {
        counts.refused++;
        errnos.set(e, (errnos.get(e) ?? 0) + 1);
        continue;
      }
      const fd = dv.getUint32(0, true);
      dv.setUint32(8, 200, true);
      dv.setUint32(12, 16, true);
      await w.fd_read(fd, 8, 1, 16);
      const text = new TextDecoder().decode(bytes.subarray(200, 200 + dv.getUint32(16, true)));
      if (text === "SECRET") counts.read_secret++;
      else counts.read_inside++;
      await w.fd_close(fd);
    }
    for (let i = 0; i < opens / 4; i++) {
      const name = `d/c${i}`;
      put(100, name);
      const e = await w.path_open(3, 0, 100, name.length, Oflags.CREAT, rights, rights, 0, 0);
      if (e !== 0) {
        counts.created_outside_refused++;
        continue;
      }
      counts.created_inside++;
      await w.fd_close(dv.getUint32(0, true));
    }
  } finally {
    swapper.kill("SIGKILL");
  }
  const createdOutside = fs.readdirSync(outside).filter((n) => n.startsWith("c")).length;
  const ms = performance.now() - t0;
  fs.rmSync(top, { recursive: true, force: true });
  const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
  console.log(
    `runtime ${runtime}, mode ${mode}, aliases ${aliases}, ${opens} opens of d/f under a swapping process, ${
      ms.toFixed(0)
    } ms`,
  );
  console.log(`  read "inside": ${counts.read_inside}`);
  console.log(`  refused: ${counts.refused} (${[...errnos].map(([e, n]) => `errno ${e}: ${n}`).join(", ")})`);
  console.log(`  read the outside secret (leaks): ${counts.read_secret}`);
  console.log(`${opens / 4} creates of d/c<i>: ${createdOutside} created outside the box (leaks)`);
}

await main();
