/**
 * `kiln run`: loads a module (binary, text, or stdin), links WASI and `--preload` modules, runs the entry point
 * the way `wasmtime run` does, and maps the outcome to Wasmtime's exit codes and error reports.
 *
 * Entry point: `_initialize` first if exported; then the `--invoke` function, else the `""` export, else `_start`;
 * a module with none of them (a reactor) exits 0. Exit codes: 0 on return; `proc_exit(n)` gives n for n < 126 and
 * an error (status 1) for n ≥ 126; any trap, including fuel exhaustion and `-W timeout`, gives 134; compile, link
 * and other errors give 1.
 *
 * @module
 */

import { openSync, writeFileSync, writeSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { process } from "./_process.ts";
import type { ExportedFunction } from "../runtime/func.ts";
import type { Imports, Instance } from "../runtime/instance.ts";
import { instantiate } from "../runtime/api.ts";
import { Module } from "../runtime/module.ts";
import { Store, type StoreOptions } from "../runtime/store.ts";
import { CompileError, LinkError, RuntimeError, WasiExit } from "../errors.ts";
import { Exception } from "../runtime/tag.ts";
import { TrapCode } from "../trap_codes.ts";
import { isNullable, isRefType, ValType, valTypeName } from "../binary/module.ts";
import type { WasiListener } from "../wasi/streams.ts";
import { parseWat } from "../text/parse_wat.ts";
import { WatParseError } from "../text/sexpr.ts";
import { Wasi } from "../wasi/wasi.ts";
// Why loaded with the CLI: most runs link WASI with the host's filesystem and stdio, which `Wasi` otherwise imports
// on first use (`wasi/_host.ts`), one module load later.
import "../wasi/fs/node_fs.ts";
import type { RunOptions } from "./args.ts";
import { describeOsError, formatBacktrace, formatChain, ReportedError, trapLine } from "./report.ts";
import { printable } from "../_printable.ts";
import { formatInvokeResult, parseInvokeArg } from "./values.ts";
import { encodeCoredump } from "./coredump.ts";
import { autoEngine, HAS_JSPI, HAS_WEBASSEMBLY, hostTraps } from "../engine/host.ts";
import { GuestProfiler } from "../profile/guest_profiler.ts";
import type { CompileCache } from "../runtime/compile_cache.ts";
import { BUILT, CODE_ID } from "../version.ts";
import { cacheDirectory, DirectoryCache } from "./cache_dir.ts";

/** Where the run's own output goes (the guest's stdio is the process's). */
export interface RunIo {
  /** Writes CLI output (`--invoke` results) to stdout. */
  stdout(text: string): void;
  /** Writes warnings and error reports to stderr. */
  stderr(text: string): void;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function isFunction(v: unknown): v is ExportedFunction {
  return typeof v === "function" && typeof (v as ExportedFunction).callRaw === "function";
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== "");
  return parts.length > 0 ? parts[parts.length - 1] : path;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    bytes.set(c, pos);
    pos += c.length;
  }
  return bytes;
}

/**
 * Reads a module file (or stdin for `-`) and converts text to binary: the first half of Wasmtime's `load_module`,
 * whose errors are not wrapped in "failed to run main module".
 */
async function readModuleBytes(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = path === "-" ? await readStdin() : new Uint8Array(await readFile(path));
  } catch (e) {
    throw new ReportedError(`failed to read file: ${path}`, [describeOsError(e)]);
  }
  if (bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b)) return bytes;
  // Input without the magic number that is not UTF-8 is neither format: one line, as Wasmtime's `wat` step says it,
  // never the bytes echoed back (a terminal would interpret their escapes).
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ReportedError("input bytes aren't valid utf-8");
  }
  // A `.wasm` file is binary whatever it holds (an empty or garbled one is a compile error, as in Wasmtime, never
  // an empty text module), and an empty input is never text either.
  if (bytes.length === 0 || /\.wasm$/i.test(path)) return bytes;
  try {
    return parseWat(text);
  } catch (e) {
    if (e instanceof WatParseError && e.line > 0) throw new ReportedError(watSnippet(e, path, text));
    if (e instanceof CompileError) throw compileReport(e);
    throw e;
  }
}

/** A text-format syntax error as the `wat` crate displays it: the reason, the position, the line and a caret. */
function watSnippet(e: { reason: string; line: number; column: number }, path: string, text: string): string {
  const source = text.split("\n")[e.line - 1] ?? "";
  const gutter = " ".repeat(String(e.line).length);
  // Why escaped here already: the caret must stand under the escaped line's column (formatChain escapes the rest).
  const caret = printable(source.slice(0, Math.max(0, e.column - 1))).length;
  return [
    e.reason,
    `     --> ${path}:${e.line}:${e.column}`,
    `    ${gutter} |`,
    `    ${e.line} | ${printable(source)}`,
    `    ${gutter} | ${" ".repeat(caret)}^`,
  ].join("\n");
}

/** Compiles module bytes: the second half of `load_module`. */
function compileModule(bytes: Uint8Array, cache: CompileCache | undefined): Module {
  try {
    return new Module(bytes as Uint8Array<ArrayBuffer>, { cache });
  } catch (e) {
    if (e instanceof CompileError) throw compileReport(e);
    throw e;
  }
}

/**
 * The run's compile cache (`-C cache`): on by default in a build of Kiln, whose entries are keyed by its build; off
 * run from the sources, whose key is only the version (an edit to Kiln would not miss an entry it made stale).
 */
function compileCache(opts: RunOptions): CompileCache | undefined {
  const dir = (opts.cache ?? BUILT) ? cacheDirectory() : undefined;
  return dir === undefined ? undefined : new DirectoryCache(`${dir}/modules/${CODE_ID}`, { replacesSiblings: true });
}

function compileReport(e: CompileError): ReportedError {
  const at = e.offset >= 0 ? ` (at offset 0x${e.offset.toString(16)})` : "";
  return new ReportedError("failed to parse WebAssembly module", [`${e.message}${at}`]);
}

/** The causes that describe an error thrown by running wasm code: its backtrace and Wasmtime's trap line. */
function executionCauses(e: unknown, hintDetails = false): { causes: string[]; exitCode: number } {
  if (e instanceof RuntimeError) {
    const causes = e.backtrace.length > 0 ? [formatBacktrace(e.backtrace, undefined, { hintDetails })] : [];
    // Wasmtime's resource limiter fails with a plain error, not a trap: no "wasm trap:" prefix, status 1. That is
    // `-W trap-on-grow-failure`'s failed grow, and a module whose declared minimum is over `-W max-memory-size`
    // (an instantiation error).
    if (
      e.code === TrapCode.MemoryGrowFailed || e.code === TrapCode.TableGrowFailed ||
      e.code === TrapCode.ResourceLimitExceeded
    ) {
      return { causes: [...causes, e.message], exitCode: 1 };
    }
    causes.push(trapLine(e.message));
    return { causes, exitCode: 134 };
  }
  if (e instanceof WasiExit) {
    // Only reached for statuses ≥ 126: Wasmtime's WASI rejects them instead of exiting.
    return { causes: ["exit with invalid exit status outside of [0..126)"], exitCode: 1 };
  }
  if (e instanceof ReportedError) return { causes: [e.message, ...e.causes], exitCode: e.exitCode };
  // A wasm exception no handler caught: not a trap, an error (status 1).
  if (e instanceof Exception) return { causes: ["uncaught wasm exception"], exitCode: 1 };
  return { causes: [e instanceof Error ? e.message : String(e)], exitCode: 1 };
}

/** Whether `e` is a `proc_exit` Wasmtime turns into the process's exit status. */
function exitStatus(e: unknown): number | undefined {
  return e instanceof WasiExit && e.code >= 0 && e.code < 126 ? e.code : undefined;
}

function guestEnv(opts: RunOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.inheritEnv) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  for (const { name, value } of opts.env) {
    const v = value ?? process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return env;
}

async function createWasi(opts: RunOptions, mode: "sync" | "async"): Promise<Wasi | undefined> {
  if (!opts.wasi) return undefined;
  const preopens: Record<string, string> = {};
  for (const { host, guest } of opts.dirs) {
    try {
      const info = await stat(host);
      if (!info.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    } catch (e) {
      throw new ReportedError(`failed to open directory '${host}'`, [describeOsError(e)]);
    }
    preopens[guest] = host;
  }
  const listeners: WasiListener[] = [];
  if (opts.tcpListen.length > 0) {
    for (const address of opts.tcpListen) {
      try {
        const { tcpListen } = await import("../wasi/fs/node_net.ts");
        listeners.push(await tcpListen(address));
      } catch (e) {
        throw new ReportedError(`failed to bind to address '${address}'`, [describeOsError(e)]);
      }
    }
  }
  const argv = [opts.argv0 ?? basename(opts.module), ...opts.args];
  // `-D trace-wasi[=PATH]`: each call's line written at once (to fd 2 it lands in order with the guest's stderr).
  let trace: ((line: string) => void) | undefined;
  if (opts.traceWasi !== undefined && opts.traceWasi !== false) {
    let fd = 2;
    if (typeof opts.traceWasi === "string") {
      try {
        fd = openSync(opts.traceWasi, "w");
      } catch (e) {
        throw new ReportedError(`failed to open WASI trace file '${opts.traceWasi}'`, [describeOsError(e)]);
      }
    }
    trace = (line) => writeSync(fd, `${line}\n`);
  }
  const wasi = new Wasi({ args: argv, env: guestEnv(opts), preopens, listeners, mode, trace });
  if (mode === "sync") await wasi.ready();
  return wasi;
}

/** Gives the WASI implementation the memory of the instance whose exports the CLI calls, without running anything. */
function bindWasi(wasi: Wasi | undefined, instance: Instance): void {
  if (wasi !== undefined && typeof instance.exports.memory === "object") wasi.bind(instance);
}

/**
 * `-W max-memory-size` when not given: 4 GiB per memory, what Wasmtime's CLI allows a 32-bit memory by default (its
 * architectural maximum). The embedding API has no default (`StoreOptions.maxMemoryBytes`).
 */
export const DEFAULT_MAX_MEMORY_BYTES = 4 * 1024 ** 3;

/** The engine of a CLI run and the mode of its WASI ({@link cliEngine}). */
export interface CliEngine {
  readonly engine: "native" | "interpreter";
  readonly wasiMode: "sync" | "async";
}

/**
 * The engine a run uses (`-C engine=…`, `auto` by default) and its WASI's mode. `auto` picks the native engine where
 * the host has WebAssembly and JSPI; on a host with WebAssembly but no JSPI (Node 20) it picks the native engine
 * too, with synchronous WASI, when nothing in the run needs to suspend the guest (`-W timeout` needs time slices,
 * `--tcplisten` asynchronous sockets). It picks the interpreter where the host has no WebAssembly, and for what only
 * the interpreter gives ({@link interpreterOnly}). `native` on a host without JSPI runs with synchronous WASI.
 *
 * @param opts The parsed command line.
 * @returns The engine and WASI mode.
 * @throws ReportedError for `-C engine=native` with an option that needs JSPI on a host without it.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { cliEngine } from "./run.ts";
 * const cmd = parseArgs(["-C", "engine=interpreter", "testdata/hello.wasm"]);
 * if (cmd.kind === "run") console.log(cliEngine(cmd.options)); // { engine: "interpreter", wasiMode: "async" }
 * ```
 */
export function cliEngine(opts: RunOptions): CliEngine {
  const choice = opts.engine ?? "auto";
  if (choice === "interpreter") return { engine: "interpreter", wasiMode: "async" };
  if (choice === "auto" && interpreterOnly(opts) !== undefined) return { engine: "interpreter", wasiMode: "async" };
  if (HAS_JSPI) return { engine: "native", wasiMode: "async" };
  const suspends = opts.timeoutMs !== undefined ? "-W timeout" : opts.tcpListen.length > 0 ? "--tcplisten" : "";
  if (choice === "auto") {
    return suspends === "" ? { engine: "native", wasiMode: "sync" } : { engine: "interpreter", wasiMode: "async" };
  }
  if (suspends !== "") {
    throw new ReportedError(`\`-C engine=native\` cannot run with \`${suspends}\` on this host`, [
      "the host's WebAssembly has no JSPI (WebAssembly.Suspending), which suspending the guest needs; use " +
      "`-C engine=interpreter` or `-C engine=auto`",
    ]);
  }
  return { engine: "native", wasiMode: "sync" };
}

/**
 * What a run asks for that only the interpreter gives, so that `-C engine=auto` picks it (or undefined):
 * - no WebAssembly on the host (V8 `--jitless`);
 * - `-D coredump`: a coredump holds every frame's locals and operand stack, which native frames do not show;
 * - a host whose stack traces have no wasm offsets (JavaScriptCore: Bun): a trap report as Wasmtime prints it gives
 *   every frame's offset (and with `-D debug-info` its source line), which the native engine cannot give there
 *   (its frames have names only); `-C engine=native` trades that for speed;
 * - `-W max-wasm-stack` above Wasmtime's default (512 KiB): the native engine's stack is the host's, which is
 *   about as deep as that default allows (README, "Engines"); the interpreter's grows as far as it is told.
 *
 * @param opts The parsed command line.
 * @returns The reason, or undefined.
 */
export function interpreterOnly(opts: RunOptions): string | undefined {
  if (!HAS_WEBASSEMBLY) return "the host has no WebAssembly";
  if (opts.coredump !== undefined) return "-D coredump";
  if (!hostTraps().givesOffsets) return "trap reports with offsets on a host whose stack traces have none";
  if (opts.maxWasmStack !== undefined && opts.maxWasmStack > DEFAULT_MAX_WASM_STACK) return "-W max-wasm-stack";
  return undefined;
}

/** Wasmtime's default `max-wasm-stack`, Kiln's too (`StoreOptions.maxWasmStack`). */
const DEFAULT_MAX_WASM_STACK = 512 * 1024;

/** Whether trap backtraces are to show source lines (`-D debug-info`, or Wasmtime's environment variable). */
function wantsSourceLines(opts: RunOptions): boolean {
  return opts.debugInfo ?? process.env.WASMTIME_BACKTRACE_DETAILS === "1";
}

function storeOptions(opts: RunOptions, profiler: GuestProfiler | undefined, engine: CliEngine): StoreOptions {
  const o: StoreOptions = {};
  if (profiler !== undefined) o.profiler = profiler;
  // Why "auto" where it stands for the same engine: an auto store runs a module the host cannot compile (a feature
  // it lacks) on the interpreter instead of refusing it (`engine/engines.ts` fallbackEngine).
  const auto = (opts.engine ?? "auto") === "auto" && engine.engine === autoEngine();
  o.engine = auto ? "auto" : engine.engine;
  if (opts.fuel !== undefined) o.fuel = opts.fuel;
  if (opts.timeoutMs !== undefined) {
    o.signal = AbortSignal.timeout(Math.max(1, Math.ceil(opts.timeoutMs)));
    // Why: a busy loop must return to the event loop for the timeout's timer to fire. Time slices of 10 ms (a
    // clock read every 10,000 units) cost under 1%; a macrotask yield every 100,000 units cost about 4% on Deno.
    o.yieldEveryMs = 10;
  }
  o.maxMemoryBytes = opts.maxMemorySize ?? DEFAULT_MAX_MEMORY_BYTES;
  if (opts.maxTableElements !== undefined) o.maxTableElements = opts.maxTableElements;
  if (opts.maxInstances !== undefined) o.maxInstances = opts.maxInstances;
  if (opts.maxTables !== undefined) o.maxTables = opts.maxTables;
  if (opts.maxMemories !== undefined) o.maxMemories = opts.maxMemories;
  if (opts.maxWasmStack !== undefined) o.maxWasmStack = opts.maxWasmStack;
  if (opts.trapOnGrowFailure !== undefined) o.trapOnGrowFailure = opts.trapOnGrowFailure;
  // Source lines in trap backtraces: `-D debug-info`, or Wasmtime's environment variable (only "1" turns it on).
  if (wantsSourceLines(opts)) o.debugInfo = true;
  return o;
}

/**
 * Runs a module as `wasmtime run` does and returns the process exit status. Error reports and `--invoke` warnings
 * and results are written through `io`; the guest's own stdio is the process's.
 *
 * @param opts The parsed command line (see args.ts).
 * @param io Sinks for the CLI's stdout and stderr text.
 * @returns The exit status: 0, the guest's `proc_exit` status (< 126), 1 for errors, or 134 for traps.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { runModule } from "./run.ts";
 * const cmd = parseArgs(["testdata/hello.wasm"]);
 * if (cmd.kind === "run") {
 *   const status = await runModule(cmd.options, { stdout: (t) => console.log(t), stderr: (t) => console.error(t) });
 *   console.log(status); // 0
 * }
 * ```
 */
export async function runModule(opts: RunOptions, io: RunIo): Promise<number> {
  const profile = opts.profile;
  // Why loaded here: the profile writers (Firefox's format, folded stacks) serve `--profile` runs only.
  const writer = profile === undefined ? undefined : await import("./profile.ts");
  const profiler = profile === undefined ? undefined : new GuestProfiler({
    ...(profile.fuelInterval !== undefined
      ? { fuelInterval: profile.fuelInterval }
      : { intervalMs: profile.intervalMs }),
    name: opts.module.replace(/^.*[\\/]/, ""),
  });
  let outcome: number | ReportedError;
  try {
    outcome = await reportedRun(opts, io, profiler);
  } catch (e) {
    if (!(e instanceof ReportedError)) throw e;
    outcome = e;
  } finally {
    // Written whatever the outcome (an exit, a trap): a profile of a run that failed is often the one wanted.
    if (profiler !== undefined) writer!.writeProfile(profiler, profile!.path, io);
  }
  if (typeof outcome === "number") return outcome;
  io.stderr(formatChain(outcome.message, outcome.causes));
  return outcome.exitCode;
}

/** Runs, racing `-W timeout`; resolves to the exit status, or to the error to report. */
async function reportedRun(
  opts: RunOptions,
  io: RunIo,
  profiler: GuestProfiler | undefined,
): Promise<number | ReportedError> {
  const run = runOrThrow(opts, io, profiler);
  if (opts.timeoutMs === undefined) return await run;
  // Why: the engine stops a call awaiting a host Promise at its deadline (trap "interrupt" with a backtrace); this
  // race is the fallback for a guest blocked where the engine cannot see it (a synchronous host call), reported as
  // Wasmtime's `tokio::time::timeout` does, a little after the in-wasm interrupt would have fired.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<ReportedError>((resolve) => {
    timer = setTimeout(
      () => resolve(new ReportedError("timed out after deadline has elapsed", [trapLine("interrupt")], 134)),
      opts.timeoutMs! + 250,
    );
  });
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function runOrThrow(opts: RunOptions, io: RunIo, profiler: GuestProfiler | undefined): Promise<number> {
  const cache = compileCache(opts);
  const main = compileModule(await readModuleBytes(opts.module), cache);
  const preloads: { name: string; path: string; module: Module }[] = [];
  for (const { name, path } of opts.preloads) {
    preloads.push({ name, path, module: compileModule(await readModuleBytes(path), cache) });
  }
  // Why: linking WASI costs start-up time; a module set that imports none of it runs without (output is the same).
  const needsWasi = [main, ...preloads.map((p) => p.module)].some((m) =>
    Module.imports(m).some((i) => i.module === "wasi_snapshot_preview1" || i.module === "wasi_unstable")
  );
  const engine = cliEngine(opts);
  const wasi = needsWasi || opts.dirs.length > 0 || opts.tcpListen.length > 0
    ? await createWasi(opts, engine.wasiMode)
    : undefined;
  const store = new Store(storeOptions(opts, profiler, engine));
  if (opts.printEngine) io.stderr(`engine: ${store.engine} (WASI ${wasi === undefined ? "off" : engine.wasiMode})\n`);
  // Wasmtime's note under a backtrace when a module has DWARF that source lines (off) would have read.
  const hint = store.options.debugInfo !== true &&
    [main, ...preloads.map((p) => p.module)].some((m) => m.decoded.customs.some((c) => c.name.startsWith(".debug_")));
  const imports: Imports = wasi ? { ...wasi.getImportObject() } : {};

  for (const { name, path, module } of preloads) {
    try {
      const { instance } = await instantiate(module, imports, { store });
      bindWasi(wasi, instance);
      imports[name] = { ...instance.exports };
    } catch (e) {
      const exit = exitStatus(e);
      if (exit !== undefined) return exit;
      const { causes, exitCode } = executionCauses(e, hint);
      throw new ReportedError(`failed to process preload \`${name}\` at \`${path}\``, causes, exitCode);
    }
  }

  const context = `failed to run main module \`${opts.module}\``;
  const mainImports = opts.unknownImportsTrap || opts.unknownImportsDefault
    ? withUnknownImports(main, imports, opts.unknownImportsTrap ? "trap" : "default")
    : imports;
  let instance: Instance;
  try {
    instance = (await instantiate(main, mainImports, { store })).instance;
  } catch (e) {
    const exit = exitStatus(e);
    if (exit !== undefined) return exit;
    const { causes, exitCode } = e instanceof LinkError
      ? { causes: [e.message], exitCode: 1 }
      : executionCauses(e, hint);
    throw new ReportedError(context, [`failed to instantiate ${JSON.stringify(opts.module)}`, ...causes], exitCode);
  }
  bindWasi(wasi, instance);
  if (opts.printEngine && instance.engine !== store.engine) {
    io.stderr(`engine: ${instance.engine} for the main module (the host's WebAssembly cannot run it)\n`);
  }

  const initialize = instance.exports["_initialize"];
  if (isFunction(initialize)) {
    try {
      await initialize.callRaw([]);
    } catch (e) {
      const exit = exitStatus(e);
      if (exit !== undefined) return exit;
      const { causes, exitCode } = executionCauses(e, hint);
      throw new ReportedError(context, [...coreDump(e, exitCode, instance, opts, io), ...causes], exitCode);
    }
  }

  let func: ExportedFunction | undefined;
  if (opts.invoke !== undefined) {
    const f = instance.exports[opts.invoke];
    if (!isFunction(f)) throw new ReportedError(context, [`no func export named \`${opts.invoke}\` found`]);
    func = f;
  } else {
    const f = isFunction(instance.exports[""]) ? instance.exports[""] : instance.exports["_start"];
    func = isFunction(f) ? f : undefined;
  }
  if (func === undefined) return 0;
  return await invoke(func, opts, io, context, instance, hint);
}

/**
 * `-D coredump=PATH`: after a trap (status 134) in `instance`'s code, writes its coredump and returns the cause
 * Wasmtime adds to the report ("core dumped at PATH"); nothing for other errors. A failed write is a warning, as in
 * Wasmtime, and the trap is reported as usual.
 */
function coreDump(e: unknown, exitCode: number, instance: Instance, opts: RunOptions, io: RunIo): string[] {
  if (opts.coredump === undefined || exitCode !== 134 || !(e instanceof RuntimeError)) return [];
  try {
    writeFileSync(opts.coredump, encodeCoredump(instance, e.backtrace, { name: opts.module }));
  } catch (err) {
    io.stderr(`warning: coredump failed to generate: ${err instanceof Error ? err.message : String(err)}\n`);
    return [];
  }
  return [`core dumped at ${opts.coredump}`];
}

/**
 * `-W unknown-imports-trap` / `-W unknown-imports-default`: a copy of `imports` where each function import of `module`
 * that nothing provides is a host function that fails with the link error's message ("unknown import: `m::f` has
 * not been defined"), or returns zeros and nulls. As in Wasmtime (`Linker::define_unknown_imports_as_traps` and
 * `…_as_default_values`), only functions: an unresolved global, table or memory stays a link error; a function
 * returning a non-nullable reference has no default value (an error before instantiating); `trap` wins when both
 * flags are given. Functions with v128 in their type stay unresolved (a JS host function cannot take or return one).
 */
function withUnknownImports(module: Module, imports: Imports, mode: "trap" | "default"): Imports {
  const d = module.decoded;
  const result: Imports = { ...imports };
  for (const imp of d.imports) {
    if (imp.desc.kind !== "func") continue;
    const ns = result[imp.module] as Record<string, unknown> | undefined;
    if (ns !== undefined && ns !== null && ns[imp.name] !== undefined) continue;
    const type = d.types[imp.desc.typeIndex]!;
    if ([...type.params, ...type.results].includes(ValType.v128)) continue;
    let host: () => unknown;
    if (mode === "trap") {
      const message = `unknown import: \`${imp.module}::${imp.name}\` has not been defined`;
      host = () => {
        throw new Error(message);
      };
    } else {
      const zeros = type.results.map((t) => {
        if (isRefType(t) && !isNullable(t)) {
          throw new ReportedError(`no default value exists for type \`${valTypeName(t)}\``);
        }
        return t === ValType.i64 ? 0n : isRefType(t) ? null : 0;
      });
      host = zeros.length === 1 ? () => zeros[0] : zeros.length === 0 ? () => undefined : () => [...zeros];
    }
    result[imp.module] = { ...(ns ?? {}), [imp.name]: host };
  }
  return result;
}

async function invoke(
  func: ExportedFunction,
  opts: RunOptions,
  io: RunIo,
  context: string,
  instance: Instance,
  hint: boolean,
): Promise<number> {
  const { params, results } = func.type;
  if (params.length > 0) {
    io.stderr(
      "warning: using `--invoke` with a function that takes arguments is experimental and may break in the future\n",
    );
  }
  const what = opts.invoke !== undefined ? `\`${opts.invoke}\`` : "command default";
  const args: unknown[] = [];
  for (const [i, type] of params.entries()) {
    if (i >= opts.args.length) throw new ReportedError(context, [`not enough arguments for ${what}`]);
    try {
      args.push(parseInvokeArg(opts.args[i], type));
    } catch (e) {
      throw new ReportedError(context, [(e as Error).message]);
    }
  }
  let values: unknown[];
  try {
    values = await func.callRaw(args);
  } catch (e) {
    const exit = exitStatus(e);
    if (exit !== undefined) return exit;
    const { causes, exitCode } = executionCauses(e, hint);
    const dumped = coreDump(e, exitCode, instance, opts, io);
    throw new ReportedError(context, [...dumped, `failed to invoke ${what}`, ...causes], exitCode);
  }
  if (values.length > 0) io.stdout(values.map((v, i) => formatInvokeResult(v, results[i]) + "\n").join(""));
  return 0;
}
