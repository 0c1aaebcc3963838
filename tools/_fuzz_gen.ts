/**
 * Module sources for the differential fuzzer: binaryen's translate-to-fuzz (`wasm-opt -ttf`), restricted to the
 * features Kiln implements ({@link KILN_FEATURES}), and binaryen passes used by the reducer.
 *
 * binaryen.js 132 exposes no translate-to-fuzz in its JS API, but the npm package's `bin/wasm-opt` is an
 * emscripten build (NODERAWFS: files go to the real file system) whose `main` can be called again and again. It
 * is loaded once per process (about 0.1–0.2 s) with `noInitialRun`, and each module is one `callMain` (5–10 ms)
 * instead of one spawned process (0.35–0.7 s, most of it loading the 10 MB build). When loading in process fails,
 * or a call fails, the CLI is spawned as before (and the in-process instance is reloaded on the next call); the
 * instance is also replaced every 500 calls, since its heap grows with every call.
 *
 * GC mode (`gc: true`, the fuzzer's `--gc`): binaryen generates with `--enable-gc` ({@link GC_FEATURES}); `--denan`
 * and the reducer read GC then. References cross the JS boundary as they are (see `tools/_fuzz_exec.ts`).
 *
 * SIMD mode (`simd: true`, the fuzzer's `--simd`): binaryen generates with `--enable-simd` as well, and each module
 * is rewritten by {@link wrapV128Boundary} so that no `v128` crosses the JS boundary. Relaxed SIMD
 * (`--enable-relaxed-simd`) is not generated: its instructions may legitimately give different results on V8,
 * JavaScriptCore and Kiln (fused or unfused multiply-add, NaN/-0 choices of min/max, out-of-range swizzle and
 * truncation), so a difference would prove nothing; testdata/simd_relaxed.c tests it on inputs where every allowed
 * result agrees.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { wrapV128Boundary } from "./_fuzz_v128.ts";

/**
 * Whether the host's WebAssembly has memory64 (V8 in Deno does; JavaScriptCore in Bun 1.x does not): the module
 * `(memory i64 0)`.
 */
const HOST_MEMORY64 = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 4, 0]));

/**
 * Feature flags: what Kiln implements. WebAssembly 2.0 (sign-ext, sat-trunc, bulk memory, reference types,
 * multi-value) without SIMD, and of 3.0 tail calls, extended constant expressions, multi-memory and memory64.
 * (binaryen's generator makes no module with two memories, but its `--denan` and reducer must read the own
 * generator's.) memory64 only where the host runs it too: every module is compared with the host's WebAssembly.
 */
export const KILN_FEATURES: readonly string[] = [
  "--mvp-features",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-nontrapping-float-to-int",
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-reference-types",
  "--enable-multivalue",
  "--enable-tail-call",
  "--enable-extended-const",
  "--enable-multimemory",
  ...(HOST_MEMORY64 ? ["--enable-memory64"] : []),
];

/** What SIMD mode adds to {@link KILN_FEATURES}: fixed-width SIMD, without relaxed SIMD (see the module doc). */
export const SIMD_FEATURES: readonly string[] = ["--enable-simd"];

/**
 * What GC mode adds to {@link KILN_FEATURES}: the GC proposal (structs, arrays, i31, casts, `br_on_cast*`,
 * recursive and sub types; with reference types, already there, binaryen also emits typed function references:
 * `call_ref`, `ref.as_non_null`, `br_on_null`, non-nullable types).
 */
export const GC_FEATURES: readonly string[] = ["--enable-gc"];

/** Options of the module sources. */
export interface GenOptions {
  /** Generate (and read) fixed-width SIMD: {@link SIMD_FEATURES}. */
  simd?: boolean;
  /** Generate (and read) GC: {@link GC_FEATURES}. */
  gc?: boolean;
}

const WASM_OPT = fileURLToPath(new URL("../node_modules/binaryen/bin/wasm-opt", import.meta.url));

/** The entry points of an in-process wasm-opt instance. */
interface InProcess {
  callMain(args: string[]): number;
  stackSave(): number;
  stackRestore(sp: number): void;
  calls: number;
}

let inProcess: Promise<InProcess | undefined> | undefined;
let scratch: string | undefined;
/** How module generation went in this process (for the fuzzer's summary line). */
export const genStats = { inProcess: 0, spawned: 0, reloads: 0 };

/**
 * wasm-opt's C++ heap keeps about 0.2 MiB per `-ttf` call (binaryen interns names in global pools that are never
 * freed): 3,000 calls grew the process by 440 MiB. A fresh instance every 500 calls (0.1–0.2 s each) keeps it flat.
 */
const CALLS_PER_INSTANCE = 500;

function loadInProcess(): Promise<InProcess | undefined> {
  return new Promise((resolve) => {
    try {
      let src = readFileSync(WASM_OPT, "utf8");
      if (src.startsWith("#!")) src = src.slice(src.indexOf("\n") + 1);
      const real = (globalThis as unknown as { process: Record<string | symbol, unknown> }).process;
      // The build reads process.argv and sets process.exitCode on exit: give it a view that leaves ours alone.
      const fakeProcess = new Proxy(real, {
        get(t, k) {
          if (k === "argv") return ["node", "wasm-opt"];
          if (k === "exitCode") return 0;
          const v = t[k];
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
        set: () => true,
      });
      const glue: Record<string, unknown> = {
        noInitialRun: true,
        print: () => {},
        printErr: () => {},
        onAbort: () => resolve(undefined),
      };
      const exported = {} as InProcess;
      glue.onRuntimeInitialized = () => resolve(exported);
      const factory = new Function(
        "Module",
        "require",
        "process",
        "__filename",
        "__dirname",
        "module",
        "__out",
        `${src}\n;__out.callMain=callMain;__out.stackSave=stackSave;__out.stackRestore=stackRestore;`,
      );
      factory(glue, createRequire(WASM_OPT), fakeProcess, WASM_OPT, dirname(WASM_OPT), undefined, exported);
      exported.calls = 0;
    } catch {
      resolve(undefined);
    }
  });
}

function runInProcess(wasmOpt: InProcess, args: string[]): number {
  const sp = wasmOpt.stackSave();
  try {
    return wasmOpt.callMain(args);
  } finally {
    wasmOpt.stackRestore(sp);
  }
}

function spawnWasmOpt(
  inPath: string,
  outPath: string,
  args: readonly string[],
  features: readonly string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      "node",
      [WASM_OPT, ...features, "-q", inPath, ...args, "-o", outPath],
      { timeout: 60_000, maxBuffer: 1 << 24 },
      (err, _stdout, stderr) => {
        if (err) reject(new Error(`wasm-opt failed: ${String(stderr).slice(0, 500) || err.message}`));
        else resolve();
      },
    );
  });
}

/** Runs `wasm-opt` with `args` (features added), reading `input` and returning the output binary. */
export async function wasmOpt(
  input: Uint8Array,
  args: readonly string[],
  options: GenOptions = {},
): Promise<Uint8Array> {
  const features = [...KILN_FEATURES, ...(options.simd ? SIMD_FEATURES : []), ...(options.gc ? GC_FEATURES : [])];
  scratch ??= mkdtempSync(join(tmpdir(), "kiln-wasm-opt-"));
  // Unique names: a spawned fallback may still be writing when the next call starts.
  const id = `${genStats.inProcess + genStats.spawned}-${Math.random().toString(36).slice(2)}`;
  const inPath = join(scratch, `${id}.bin`);
  const outPath = join(scratch, `${id}.wasm`);
  writeFileSync(inPath, input);
  try {
    inProcess ??= loadInProcess();
    const wasmOpt = await inProcess;
    if (wasmOpt) {
      let rc: number;
      try {
        rc = runInProcess(wasmOpt, [...features, "-q", inPath, ...args, "-o", outPath]);
      } catch {
        rc = -1;
      }
      if (rc === 0) {
        genStats.inProcess++;
        if (++wasmOpt.calls >= CALLS_PER_INSTANCE) inProcess = undefined, genStats.reloads++;
        return new Uint8Array(readFileSync(outPath));
      }
      // A failed run may leave the instance in a bad state: reload it next time, and spawn this one.
      inProcess = undefined;
      genStats.reloads++;
    }
    genStats.spawned++;
    await spawnWasmOpt(inPath, outPath, args, features);
    return new Uint8Array(readFileSync(outPath));
  } finally {
    rmSync(inPath, { force: true });
    rmSync(outPath, { force: true });
  }
}

/** Removes this process's scratch directory (call when done generating). */
export function removeScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/**
 * A random valid module from binaryen's translate-to-fuzz, seeded by `entropy` (its size drives module size); in
 * SIMD mode with `v128` kept off the JS boundary ({@link wrapV128Boundary}).
 */
export async function binaryenFuzzModule(entropy: Uint8Array, options: GenOptions = {}): Promise<Uint8Array> {
  const wasm = await wasmOpt(entropy, ["-ttf"], options);
  return options.simd ? await wrapV128Boundary(wasm) : wasm;
}

/**
 * `bytes` rewritten by binaryen's `--denan` pass, which makes every float result a non-NaN, `f32x4` and `f64x2`
 * lanes too (binaryen's `v128` helper zeroes a vector with a NaN in any `f32` lane, which catches `f64` NaNs): SIMD modules need `simd: true` to be read.
 */
export function denan(bytes: Uint8Array, options: GenOptions = {}): Promise<Uint8Array> {
  // The own generator's modules may have a tag, `throw` and `try_table` (binaryen generates none: its legacy
  // `try` is not Kiln's), which binaryen reads only with exception handling enabled.
  return wasmOpt(bytes, ["--enable-exception-handling", "--denan"], options);
}
