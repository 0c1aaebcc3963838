// Runs a WASI preview1 program with Node's own node:wasi, for bench/hello_process.ts: `node _node_wasi_run.mjs x.wasm`.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const file = process.argv[2];
const wasi = new WASI({ version: "preview1", args: [file], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
