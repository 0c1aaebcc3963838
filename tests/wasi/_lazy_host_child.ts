// Child process for lazy_host_test.ts: a Wasi on a MemoryFs with its own stdio must not load the host module
// (fs/node_fs.ts, which imports node:fs); one with fs "host" loads it in ready()/start(). Prints one JSON line.
import { hostIfLoaded } from "../../lib/wasi/_host.ts";
import { Wasi } from "../../lib/wasi/wasi.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";

const memory = new WebAssembly.Memory({ initial: 1 });
const steps: Record<string, unknown> = {};
const out: string[] = [];
const mem = new Wasi({
  fs: new MemoryFs(),
  mode: "sync",
  stdin: "null",
  stdout: (d) => void out.push(new TextDecoder().decode(d)),
  stderr: "null",
});
mem.bind({ exports: { memory } });
const v = new DataView(memory.buffer);
new Uint8Array(memory.buffer).set(new TextEncoder().encode("hi"), 100);
v.setUint32(0, 100, true);
v.setUint32(4, 2, true);
const fdWrite = mem.getImportObject().wasi_snapshot_preview1.fd_write as (...a: number[]) => number;
steps.memoryWrite = fdWrite(1, 0, 1, 8);
steps.memoryOut = out.join("");
steps.afterMemoryFs = hostIfLoaded() !== null;

const sync = new Wasi({ mode: "sync", stdin: "null", stdout: "null", stderr: "null" });
try {
  sync.bind({ exports: { memory } });
  steps.syncBindBeforeReady = "bound";
} catch (e) {
  steps.syncBindBeforeReady = (e as Error).message;
}
steps.afterHostConstruct = hostIfLoaded() !== null;
await sync.ready();
steps.afterReady = hostIfLoaded() !== null;
sync.bind({ exports: { memory } });
const fdstat = sync.getImportObject().wasi_snapshot_preview1.fd_fdstat_get as (...a: number[]) => number;
steps.fdstatAfterReady = fdstat(1, 200);
console.log(JSON.stringify(steps));
