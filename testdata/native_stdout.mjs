// Runs a WASI command on the host's native WebAssembly with the runtime's own `node:wasi` (Node, Deno and Bun all
// have one), with no environment and no preopened directories, and exits with its status: build.sh records the
// expected stdout of the SIMD fixtures with it. `deno run -A native_stdout.mjs FILE.wasm [ARGS…]`
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {}, returnOnExit: true });
const { instance } = await WebAssembly.instantiate(readFileSync(file), { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
