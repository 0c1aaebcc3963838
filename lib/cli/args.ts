/**
 * Command-line parsing for `kiln`, following `wasmtime run` (clap) as of today: options come before the module,
 * everything after the module goes to the guest, `-W`/`-S`/`-C`/`-D` take comma-separated `key[=value]` lists (and
 * `help` to list them), and a usage
 * error prints clap's message shape and exits with status 2.
 *
 * @module
 */

import { VERSION } from "../version.ts";

/** A directory preopened for the guest: `--dir HOST[::GUEST]`. */
export interface DirMapping {
  /** Directory on the host. */
  readonly host: string;
  /** Name the guest sees (the host path when no `::GUEST` is given). */
  readonly guest: string;
}

/** Everything `kiln run` was asked to do. */
export interface RunOptions {
  /** Path of the module (`.wasm` or `.wat`), or `-` for stdin, exactly as given. */
  module: string;
  /** Arguments after the module: guest argv[1..], or the `--invoke` function's arguments. */
  args: string[];
  /** `--argv0`: replaces argv[0] (by default the module's basename). */
  argv0?: string;
  /** `--dir` preopens, in order. */
  dirs: DirMapping[];
  /** `--env NAME=VAL` (value given) and `--env NAME` (value inherited from the host; unset if the host lacks it). */
  env: { name: string; value?: string }[];
  /** `-S inherit-env`: the guest inherits the whole host environment (before `--env` entries apply). */
  inheritEnv: boolean;
  /** `--invoke NAME`: the export to call instead of the default entry point. */
  invoke?: string;
  /** `--preload NAME=PATH`: modules instantiated first, their exports importable under NAME. */
  preloads: { name: string; path: string }[];
  /** `-W fuel=N`. */
  fuel?: number;
  /** `-C engine=native|interpreter|auto`: the engine of the store (auto: native where the host has JSPI). */
  engine?: "native" | "interpreter" | "auto";
  /** `-C cache[=y|n]`: keep compiled modules in Kiln's cache directory (default: yes in a build of Kiln). */
  cache?: boolean;
  /** `-W timeout=DUR`, in milliseconds. */
  timeoutMs?: number;
  /** `-W max-memory-size=BYTES`. */
  maxMemorySize?: number;
  /** `-W max-table-elements=N`. */
  maxTableElements?: number;
  /** `-W max-instances=N`. */
  maxInstances?: number;
  /** `-W max-tables=N`. */
  maxTables?: number;
  /** `-W max-memories=N`. */
  maxMemories?: number;
  /** `-W max-wasm-stack=BYTES`. */
  maxWasmStack?: number;
  /** `-W trap-on-grow-failure[=y|n]`. */
  trapOnGrowFailure?: boolean;
  /** `-W unknown-imports-trap[=y|n]`: the main module's unresolved function imports fail when called. */
  unknownImportsTrap?: boolean;
  /** `-W unknown-imports-default[=y|n]`: the main module's unresolved function imports return zeros and nulls. */
  unknownImportsDefault?: boolean;
  /** `-D print-engine[=y|n]`: the engine in use is printed to stderr before the run. */
  printEngine?: boolean;
  /** `-D coredump=PATH`: where a trap's wasm coredump is written. */
  coredump?: string;
  /** `-S cli=n` turns WASI off (Wasmtime's `-S cli`); on by default. */
  wasi: boolean;
  /** `-S tcplisten=ADDR` (repeatable): listening sockets pre-opened for the guest, after the `--dir` preopens. */
  tcpListen: string[];
  /** `-D debug-info[=y|n]`: trap backtraces show source lines from the module's DWARF. */
  debugInfo?: boolean;
  /**
   * `-D trace-wasi[=y|n|PATH]`: print each WASI call, as strace does (`Wasi`'s `trace` option), to stderr (`true`)
   * or to the file at PATH (a string).
   */
  traceWasi?: boolean | string;
  /** `--profile=guest[,PATH[,INTERVAL]]`: sample the guest and write a profile (see {@link parseProfile}). */
  profile?: ProfileOptions;
}

/** What `--profile=guest,…` asks for. */
export interface ProfileOptions {
  /** Where the profile goes: collapsed stacks when the name ends in `.folded` or `.collapsed`, else Firefox JSON. */
  readonly path: string;
  /** A sample every this many units of fuel (`fuel:N`): a deterministic profile. */
  readonly fuelInterval?: number;
  /** A sample every this many milliseconds of wall-clock time (the default: 10). */
  readonly intervalMs?: number;
}

/** Default path of `--profile=guest` (Wasmtime's is `wasmtime-guest-profile.json`). */
export const DEFAULT_PROFILE_PATH = "kiln-guest-profile.json";

/**
 * Parses `--profile`'s value as Wasmtime does for its `guest` strategy: `guest[,PATH[,INTERVAL]]`, where INTERVAL is
 * a duration (`10ms`, `1ms`, `500us`; a bare number is seconds) or, Kiln's own, `fuel:N` for a sample every N units
 * of fuel. Wasmtime's other strategies (`perfmap`, `jitdump`, `vtune`, `pulley`) profile native code Kiln does not
 * generate.
 *
 * @param value The option's value.
 * @returns The profile's path and interval.
 * @throws Error for another strategy or a malformed interval.
 * @example
 * ```ts
 * import { parseProfile } from "./args.ts";
 * console.log(parseProfile("guest,out.json,fuel:10000")); // { path: "out.json", fuelInterval: 10000 }
 * ```
 */
export function parseProfile(value: string): ProfileOptions {
  const [strategy, path, interval, ...extra] = value.split(",");
  if (strategy !== "guest" || extra.length > 0) {
    const native = ["perfmap", "jitdump", "vtune", "pulley"].includes(strategy);
    throw new Error(
      native
        ? `profiling strategy \`${strategy}\` profiles native code, which Kiln does not generate; use \`guest\``
        : `unknown profiling strategy: ${value}`,
    );
  }
  const at = path === undefined || path === "" ? DEFAULT_PROFILE_PATH : path;
  if (interval === undefined) return { path: at, intervalMs: 10 };
  const fuel = /^fuel:(.*)$/.exec(interval);
  if (fuel !== null) {
    const n = parseUnsigned(fuel[1]);
    if (n === 0) throw new Error("the fuel interval must be at least 1");
    return { path: at, fuelInterval: n };
  }
  const ms = parseDuration(interval);
  if (!(ms > 0)) throw new Error("the profiling interval must be longer than zero");
  return { path: at, intervalMs: ms };
}

/** A parsed command line. */
export type Command =
  | { kind: "run"; options: RunOptions }
  | { kind: "wast"; files: string[]; options: RunOptions }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

/**
 * A malformed command line. `message` is the complete text for stderr, in clap's shape (`error: …`, optionally a
 * usage line, then `For more information, try '--help'.`); the CLI exits with status 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const RUN_USAGE = "Usage: kiln run [OPTIONS] <WASM>...";
const WAST_USAGE = "Usage: kiln wast [OPTIONS] <SCRIPTS>...";
const MORE = "For more information, try '--help'.";

/** `kiln --help` / `kiln run --help`. */
export const RUN_HELP = `Runs a WebAssembly module

${RUN_USAGE}

Arguments:
  <WASM>...  The WebAssembly module (.wasm or .wat, or - for stdin) to run and arguments to pass to it.
             Arguments after the module are passed to the guest as WASI arguments, or, with --invoke, to the
             invoked function

Options:
      --dir <HOST_DIR[::GUEST_DIR]>  Grant access of a host directory to a guest, as GUEST_DIR if given
      --env <NAME[=VAL]>             Pass an environment variable to the program (NAME alone inherits it)
      --invoke <FUNCTION>            The name of the function to run
      --preload <NAME=MODULE_PATH>   Load the given WebAssembly module before the main module
      --argv0 <ARGV0>                Override the value of argv[0]
      --profile <STRATEGY>           Profile the guest: guest[,PATH[,INTERVAL]] writes a Firefox Profiler profile
                                     to PATH (kiln-guest-profile.json; collapsed stacks if PATH ends in .folded),
                                     sampling every INTERVAL (10ms), or every N units of fuel with fuel:N
  -W, --wasm <KEY[=VAL[,..]]>        WebAssembly related options (-W help lists them)
  -S, --wasi <KEY[=VAL[,..]]>        WASI related options (-S help lists them)
  -C, --codegen <KEY[=VAL[,..]]>     Codegen-related configuration options (-C help lists them)
  -D, --debug <KEY[=VAL[,..]]>       Debug-related configuration options (-D help lists them)
  -h, --help                         Print help
  -V, --version                      Print version

Commands:
  run   Runs a WebAssembly module (the default)
  wast  Runs WebAssembly test script files
`;

const WAST_HELP = `Runs WebAssembly test script files

${WAST_USAGE}

Arguments:
  <SCRIPTS>...  The path of the WebAssembly test script to run

Options:
  -W, --wasm <KEY[=VAL[,..]]>  WebAssembly related options (see kiln run --help)
  -h, --help                   Print help
`;

type Setter = (opts: RunOptions, key: string, value: string | undefined) => void;

function parseUnsigned(value: string | undefined): number {
  if (value === undefined) throw new Error("value must be specified with `key=val` syntax");
  const hex = value.startsWith("0x");
  const digits = hex ? value.slice(2) : value;
  if (digits === "") throw new Error("cannot parse integer from empty string");
  if (!(hex ? /^[0-9a-fA-F]+$/ : /^\+?[0-9]+$/).test(digits)) throw new Error("invalid digit found in string");
  const n = hex ? Number.parseInt(digits, 16) : Number(digits);
  if (!Number.isSafeInteger(n)) throw new Error("number too large to fit in target type");
  return n;
}

function parseBool(value: string | undefined): boolean {
  switch (value) {
    case undefined:
    case "y":
    case "yes":
    case "true":
      return true;
    case "n":
    case "no":
    case "false":
      return false;
    default:
      throw new Error(`unknown boolean flag \`${value}\`, only yes,no,<nothing> accepted`);
  }
}

const DURATION_UNITS: Record<string, number> = {
  nsec: 1e-6,
  ns: 1e-6,
  usec: 1e-3,
  us: 1e-3,
  "µs": 1e-3,
  msec: 1,
  ms: 1,
  seconds: 1000,
  second: 1000,
  sec: 1000,
  secs: 1000,
  s: 1000,
  minutes: 60_000,
  minute: 60_000,
  min: 60_000,
  mins: 60_000,
  m: 60_000,
  hours: 3_600_000,
  hour: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  h: 3_600_000,
  days: 86_400_000,
  day: 86_400_000,
  d: 86_400_000,
  weeks: 604_800_000,
  week: 604_800_000,
  w: 604_800_000,
};

/**
 * Parses a duration as Wasmtime's `-W timeout=` does: a bare integer is seconds, otherwise a sequence of
 * `<integer><unit>` parts (humantime's units: `ns`, `us`, `ms`, `s`, `m`, `h`, `d`, `w` and their long forms),
 * optionally separated by spaces.
 *
 * @param text The duration text, e.g. `"1s"`, `"500ms"`, `"1m 30s"`, `"2"`.
 * @returns The duration in milliseconds.
 * @throws Error with humantime's wording when the text is not a duration.
 * @example
 * ```ts
 * import { parseDuration } from "./args.ts";
 * console.log(parseDuration("1m30s")); // 90000
 * ```
 */
export function parseDuration(text: string): number {
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const trimmed = text.trim();
  if (trimmed === "") throw new Error("value was empty");
  let total = 0;
  let pos = 0;
  // Why `\u00b5` for "µ": a bundle with one non-ASCII character is read as a two-byte string, parsed slower at start-up.
  const part = /\s*([0-9]+)\s*([a-z\u00b5]*)\s*/y;
  while (pos < trimmed.length) {
    part.lastIndex = pos;
    const m = part.exec(trimmed);
    if (m === null) throw new Error(`expected number at ${pos}`);
    if (m[2] === "") throw new Error("time unit needed, for example 1sec or 1ms");
    const scale = DURATION_UNITS[m[2]];
    if (scale === undefined) {
      throw new Error(`unknown time unit "${m[2]}", supported units: ns, us, ms, sec, min, hours, days, weeks`);
    }
    total += Number(m[1]) * scale;
    pos = part.lastIndex;
  }
  return total;
}

/**
 * One `key[=value]` of an option group (`-W`, `-S`, `-C`, `-D`): the single table that both parses the group and
 * prints `-W help`, as wasmtime-cli-flags' option tables do.
 */
interface GroupOption {
  /** The key, e.g. `max-memory-size`. */
  readonly name: string;
  /** How the value is written, after the key: `=N`, `[=y|n]`, `=val`, … (Wasmtime's `VAL_HELP`). */
  readonly value: string;
  /** One line: what the option does. */
  readonly doc: string;
  /** What applies when the option is not given. */
  readonly default: string;
  readonly apply: Setter;
}

function needValue(v: string | undefined): string {
  if (v === undefined) throw new Error("value must be specified with `key=val` syntax");
  return v;
}

const WASM_OPTIONS: readonly GroupOption[] = [
  {
    name: "fuel",
    value: "=N",
    doc: "Give the guest N units of fuel; running out of it traps",
    default: "unlimited",
    apply: (o, _k, v) => (o.fuel = parseUnsigned(v)),
  },
  {
    name: "timeout",
    value: "=N|Ns|Nms|..",
    doc: "Interrupt the guest (a trap) after this much wall-clock time; a bare number is seconds",
    default: "none",
    apply: (o, _k, v) => (o.timeoutMs = parseDuration(needValue(v))),
  },
  {
    name: "max-memory-size",
    value: "=N",
    doc: "Largest size in bytes any one linear memory may have or grow to",
    default: "4 GiB",
    apply: (o, _k, v) => (o.maxMemorySize = parseUnsigned(v)),
  },
  {
    name: "max-table-elements",
    value: "=N",
    doc: "Largest number of elements any one table may have or grow to",
    default: "unlimited",
    apply: (o, _k, v) => (o.maxTableElements = parseUnsigned(v)),
  },
  {
    name: "max-instances",
    value: "=N",
    doc: "Largest number of instances in the store",
    default: "unlimited",
    apply: (o, _k, v) => (o.maxInstances = parseUnsigned(v)),
  },
  {
    name: "max-tables",
    value: "=N",
    doc: "Largest number of tables in the store",
    default: "unlimited",
    apply: (o, _k, v) => (o.maxTables = parseUnsigned(v)),
  },
  {
    name: "max-memories",
    value: "=N",
    doc: "Largest number of linear memories in the store",
    default: "unlimited",
    apply: (o, _k, v) => (o.maxMemories = parseUnsigned(v)),
  },
  {
    name: "max-wasm-stack",
    value: "=N",
    doc: 'Bytes of stack wasm code may use before the trap "call stack exhausted"',
    default: "524288",
    apply: (o, _k, v) => (o.maxWasmStack = parseUnsigned(v)),
  },
  {
    name: "trap-on-grow-failure",
    value: "[=y|n]",
    doc: "Fail with an error when memory.grow or table.grow is refused, instead of returning -1",
    default: "n",
    apply: (o, _k, v) => (o.trapOnGrowFailure = parseBool(v)),
  },
  {
    name: "unknown-imports-trap",
    value: "[=y|n]",
    doc: "Define the main module's unresolved function imports as functions that fail when called",
    default: "n",
    apply: (o, _k, v) => (o.unknownImportsTrap = parseBool(v)),
  },
  {
    name: "unknown-imports-default",
    value: "[=y|n]",
    doc: "Define the main module's unresolved function imports as functions that return zeros and nulls",
    default: "n",
    apply: (o, _k, v) => (o.unknownImportsDefault = parseBool(v)),
  },
];

const WASI_OPTIONS: readonly GroupOption[] = [
  {
    name: "cli",
    value: "[=y|n]",
    doc: "Link WASI preview 1 (wasi_snapshot_preview1) for the guest",
    default: "y",
    apply: (o, _k, v) => (o.wasi = parseBool(v)),
  },
  {
    name: "common",
    value: "[=y|n]",
    doc: "Same as cli (Wasmtime's older name)",
    default: "y",
    apply: (o, _k, v) => (o.wasi = parseBool(v)),
  },
  {
    name: "inherit-env",
    value: "[=y|n]",
    doc: "Pass the whole host environment to the guest (before --env entries)",
    default: "n",
    apply: (o, _k, v) => (o.inheritEnv = parseBool(v)),
  },
  {
    name: "tcplisten",
    value: "=val",
    doc: "Open a listening TCP socket on this address for the guest (repeatable)",
    default: "none",
    apply: (o, _k, v) => void o.tcpListen.push(needValue(v)),
  },
];

const CODEGEN_OPTIONS: readonly GroupOption[] = [
  {
    name: "compiler",
    value: "=interpreter",
    doc: "The engine that runs wasm code (Wasmtime's cranelift|winch)",
    default: "interpreter",
    apply: (_o, _k, v) => {
      if (needValue(v) !== "interpreter") throw new Error(`unknown compiler \`${v}\`, only \`interpreter\` accepted`);
    },
  },
  {
    name: "engine",
    value: "=native|interpreter|auto",
    doc: "Kiln's interpreter, or the host's WebAssembly instrumented for fuel (auto: native where the host can " +
      "run the whole run as the interpreter would, with offsets in trap reports)",
    default: "auto",
    apply: (o, _k, v) => {
      const engine = needValue(v);
      if (engine !== "native" && engine !== "interpreter" && engine !== "auto") {
        throw new Error(`unknown engine \`${v}\`, expected \`native\`, \`interpreter\` or \`auto\``);
      }
      o.engine = engine;
    },
  },
  {
    name: "cache",
    value: "[=y|n]",
    doc: "Keep compiled modules in Kiln's cache directory (KILN_CACHE_DIR, else the user's cache directory), so " +
      "later runs of the same module skip validation and the native engine's rewrite",
    default: "y in a build of Kiln (npm), n run from its sources",
    apply: (o, _k, v) => (o.cache = parseBool(v)),
  },
];

// `-D` (debugging) options. Other flags add their entries here, one object each.
const DEBUG_OPTIONS: readonly GroupOption[] = [
  {
    name: "trace-wasi",
    value: "[=y|n|PATH]",
    doc: "Print each WASI call, as strace does, to stderr or to the file PATH",
    default: "n",
    apply: (o, _k, v) => {
      const flag = v === undefined || /^(y|yes|true|n|no|false)$/.test(v);
      o.traceWasi = flag ? parseBool(v) : v;
    },
  },
  {
    name: "debug-info",
    value: "[=y|n]",
    doc: "Source lines (DWARF) in trap backtraces, as WASMTIME_BACKTRACE_DETAILS=1 does",
    default: "n",
    apply: (o, _k, v) => (o.debugInfo = parseBool(v)),
  },
  {
    name: "print-engine",
    value: "[=y|n]",
    doc: "Print the engine that runs the module (and its WASI mode) to stderr before running it",
    default: "n",
    apply: (o, _k, v) => (o.printEngine = parseBool(v)),
  },
  {
    name: "coredump",
    value: "=val",
    doc: "On a trap, write a wasm coredump (the tool-conventions format) to this path",
    default: "none",
    apply: (o, _k, v) => (o.coredump = needValue(v)),
  },
];

/** The option groups: the letter, clap's long name, and the table. */
const GROUPS = {
  W: { long: "wasm", options: WASM_OPTIONS },
  S: { long: "wasi", options: WASI_OPTIONS },
  C: { long: "codegen", options: CODEGEN_OPTIONS },
  D: { long: "debug", options: DEBUG_OPTIONS },
} as const;

type GroupLetter = keyof typeof GROUPS;

/**
 * The text of `-W help` (and `-S`, `-C`, `-D`), laid out as wasmtime-cli-flags prints it: one line per option, the
 * keys right-aligned so the `--` line up; `help-long` puts each description on its own indented line.
 *
 * @param short The group's letter.
 * @param options `long: true` for `help-long`.
 * @returns The text for stdout.
 * @example
 * ```ts
 * import { groupHelp } from "./args.ts";
 * console.log(groupHelp("W").split("\n")[0]); // "Available wasm options:"
 * ```
 */
export function groupHelp(short: GroupLetter, options: { long?: boolean } = {}): string {
  const group = GROUPS[short];
  const lines = [`Available ${group.long} options:`, ""];
  const width = Math.max(0, ...group.options.map((d) => d.name.length + d.value.length));
  for (const d of group.options) {
    const about = `${d.doc} (default: ${d.default})`;
    if (options.long) lines.push(`  -${short} ${d.name}${d.value} --`, "", `        ${about}`);
    else lines.push(`  -${short} ${(d.name + d.value).padStart(width)} -- ${about}`);
  }
  if (!options.long) lines.push("", `pass \`-${short} help-long\` to see longer-form explanations`);
  return lines.join("\n") + "\n";
}

function invalidValue(value: string, arg: string, reason: string): UsageError {
  return new UsageError(`error: invalid value '${value}' for '${arg}': ${reason}\n\n${MORE}`);
}

/** Applies one `-W`/`-S`/`-C`/`-D` value (a comma-separated `key[=value]` list) the way wasmtime-cli-flags does. */
function applyGroup(opts: RunOptions, short: GroupLetter, value: string): void {
  const { long, options } = GROUPS[short];
  for (const item of value.split(",")) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? undefined : item.slice(eq + 1);
    const option = options.find((d) => d.name === key);
    if (option === undefined) {
      throw new UsageError(`error: unknown -${short} / --${long} option: ${key}\n\n${MORE}`);
    }
    try {
      option.apply(opts, key, val);
    } catch (e) {
      throw new UsageError(
        `error: failed to parse -${short} option \`${item}\`: ${(e as Error).message}\n\n${MORE}`,
      );
    }
  }
}

function emptyRunOptions(): RunOptions {
  return { module: "", args: [], dirs: [], env: [], inheritEnv: false, preloads: [], wasi: true, tcpListen: [] };
}

interface OptionSpec {
  /** Value name in clap's messages, e.g. `--dir <HOST_DIR[::GUEST_DIR]>`. */
  readonly display: string;
  readonly apply: (opts: RunOptions, value: string) => void;
  /** The option group this option sets (`-W` and the like), whose `help` and `help-long` values list it. */
  readonly group?: GroupLetter;
}

const LONG_OPTIONS: Record<string, OptionSpec> = {
  dir: {
    display: "--dir <HOST_DIR[::GUEST_DIR]>",
    apply: (o, v) => {
      const parts = v.split("::");
      o.dirs.push({ host: parts[0], guest: parts.length > 1 ? parts[1] : parts[0] });
    },
  },
  env: {
    display: "--env <NAME[=VAL]>",
    apply: (o, v) => {
      const eq = v.indexOf("=");
      o.env.push(eq < 0 ? { name: v } : { name: v.slice(0, eq), value: v.slice(eq + 1) });
    },
  },
  invoke: { display: "--invoke <FUNCTION>", apply: (o, v) => (o.invoke = v) },
  preload: {
    display: "--preload <NAME=MODULE_PATH>",
    apply: (o, v) => {
      const eq = v.indexOf("=");
      if (eq < 0) {
        throw invalidValue(v, "--preload <NAME=MODULE_PATH>", "must contain exactly one equals character ('=')");
      }
      o.preloads.push({ name: v.slice(0, eq), path: v.slice(eq + 1) });
    },
  },
  argv0: { display: "--argv0 <ARGV0>", apply: (o, v) => (o.argv0 = v) },
  profile: {
    display: "--profile <STRATEGY>",
    apply: (o, v) => {
      try {
        o.profile = parseProfile(v);
      } catch (e) {
        throw invalidValue(v, "--profile <STRATEGY>", (e as Error).message);
      }
    },
  },
  wasm: { display: "-W, --wasm <KEY[=VAL[,..]]>", apply: (o, v) => applyGroup(o, "W", v), group: "W" },
  wasi: { display: "-S, --wasi <KEY[=VAL[,..]]>", apply: (o, v) => applyGroup(o, "S", v), group: "S" },
  codegen: { display: "-C, --codegen <KEY[=VAL[,..]]>", apply: (o, v) => applyGroup(o, "C", v), group: "C" },
  debug: { display: "-D, --debug <KEY[=VAL[,..]]>", apply: (o, v) => applyGroup(o, "D", v), group: "D" },
};

const SHORT_OPTIONS: Record<string, string> = { W: "wasm", S: "wasi", C: "codegen", D: "debug" };

function unexpected(arg: string, usage: string): UsageError {
  return new UsageError(
    `error: unexpected argument '${arg}' found\n\n  tip: to pass '${arg}' as a value, use '-- ${arg}'\n\n${usage}\n\n${MORE}`,
  );
}

function missingValue(spec: OptionSpec): UsageError {
  const name = spec.display.replace(/^-., /, "");
  return new UsageError(`error: a value is required for '${name}' but none was supplied\n\n${MORE}`);
}

/**
 * Parses Kiln's command line (the arguments after the script name).
 *
 * `kiln [run] [OPTIONS] <WASM> [ARGS…]`, `kiln wast [OPTIONS] <FILE…>`, `kiln --help`, `kiln --version`.
 * Options are recognized only before the module; the module and everything after it form the guest's command line.
 *
 * @param argv The arguments, without the runtime and script path.
 * @returns The command to execute.
 * @throws UsageError for an unknown option, a missing or malformed value, or a missing module.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const cmd = parseArgs(["--dir", ".::/work", "app.wasm", "-v"]);
 * if (cmd.kind === "run") console.log(cmd.options.dirs, cmd.options.args); // [{host: ".", guest: "/work"}] ["-v"]
 * ```
 */
export function parseArgs(argv: readonly string[]): Command {
  let rest = argv;
  let subcommand: "run" | "wast" = "run";
  if (rest[0] === "run" || rest[0] === "wast") {
    subcommand = rest[0];
    rest = rest.slice(1);
  } else if (rest[0] === "help") {
    return { kind: "help", text: RUN_HELP };
  }
  const usage = subcommand === "run" ? RUN_USAGE : WAST_USAGE;
  const opts = emptyRunOptions();
  const positional: string[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (arg === "-h" || arg === "--help") return { kind: "help", text: subcommand === "run" ? RUN_HELP : WAST_HELP };
    if (arg === "-V" || arg === "--version") return { kind: "version", text: `kiln ${VERSION}` };
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = Object.hasOwn(LONG_OPTIONS, name) ? LONG_OPTIONS[name] : undefined;
      if (spec === undefined || (subcommand === "wast" && name !== "wasm")) throw unexpected(arg, usage);
      let value: string;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < rest.length) value = rest[++i];
      else throw missingValue(spec);
      if (spec.group !== undefined && (value === "help" || value === "help-long")) {
        return { kind: "help", text: groupHelp(spec.group, { long: value === "help-long" }) };
      }
      spec.apply(opts, value);
      continue;
    }
    if (arg.length >= 2 && arg[0] === "-" && arg !== "-") {
      const long = SHORT_OPTIONS[arg[1]];
      if (long === undefined || (subcommand === "wast" && long !== "wasm")) {
        throw unexpected(arg.slice(0, 2), usage);
      }
      const spec = LONG_OPTIONS[long];
      let value: string;
      if (arg.length > 2) value = arg[2] === "=" ? arg.slice(3) : arg.slice(2);
      else if (i + 1 < rest.length) value = rest[++i];
      else throw missingValue(spec);
      if (spec.group !== undefined && (value === "help" || value === "help-long")) {
        return { kind: "help", text: groupHelp(spec.group, { long: value === "help-long" }) };
      }
      spec.apply(opts, value);
      continue;
    }
    if (subcommand === "run") break; // the module: it and everything after it belong to the guest
    positional.push(arg);
  }
  positional.push(...rest.slice(i));
  if (positional.length === 0) {
    const what = subcommand === "run" ? "<WASM>..." : "<SCRIPTS>...";
    throw new UsageError(
      `error: the following required arguments were not provided:\n  ${what}\n\n${usage}\n\n${MORE}`,
    );
  }
  if (subcommand === "wast") return { kind: "wast", files: positional, options: opts };
  opts.module = positional[0];
  opts.args = positional.slice(1);
  return { kind: "run", options: opts };
}
