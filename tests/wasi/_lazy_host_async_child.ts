// Child process for lazy_host_test.ts: in async mode a syscall made before the host module loaded (bind() without
// ready(), as the CLI's --invoke does) waits for it. Prints one JSON line.
import { hostIfLoaded } from "../../lib/wasi/_host.ts";
import { Wasi } from "../../lib/wasi/wasi.ts";

const memory = new WebAssembly.Memory({ initial: 1 });
const wasi = new Wasi({ mode: "async", stdin: "null", stdout: "null", stderr: "null" });
wasi.bind({ exports: { memory } });
const before = hostIfLoaded() !== null;
const fdstat = wasi.getImportObject().wasi_snapshot_preview1.fd_fdstat_get as (...a: number[]) => unknown;
const r = fdstat(1, 200);
const isPromise = r instanceof Promise;
const errno = await r;
console.log(JSON.stringify({ before, isPromise, errno, after: hostIfLoaded() !== null }));
