/**
 * Command-line parsing for `kiln`, following `wasmtime run` (clap) as of today: options come before the module,
 * everything after the module goes to the guest, `-W`/`-S` take comma-separated `key[=value]` lists, and a usage
 * error prints clap's message shape and exits with status 2.
 *
 * @module
 */

/** Kiln's version, printed by `--version`. */
export const VERSION = "0.1.0";

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
  /** `-S cli=n` turns WASI off (Wasmtime's `-S cli`); on by default. */
  wasi: boolean;
  /** `-S tcplisten=ADDR` (repeatable): listening sockets pre-opened for the guest, after the `--dir` preopens. */
  tcpListen: string[];
  /**
   * `-D trace-wasi[=y|n|PATH]`: print each WASI call, as strace does (`Wasi`'s `trace` option), to stderr (`true`)
   * or to the file at PATH (a string).
   */
  traceWasi?: boolean | string;
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
  -W, --wasm <KEY[=VAL[,..]]>        WebAssembly related options:
                                       fuel=N, timeout=N|Ns|Nms|.., max-memory-size=N (bytes per memory,
                                       default 4 GiB), max-table-elements=N, max-instances=N, max-tables=N,
                                       max-memories=N, max-wasm-stack=N, trap-on-grow-failure[=y|n]
  -S, --wasi <KEY[=VAL[,..]]>        WASI related options: inherit-env[=y|n], cli[=y|n], tcplisten=ADDR
  -D, --debug <KEY[=VAL[,..]]>       Debug options: trace-wasi[=y|n|PATH] (print each WASI call to
                                       stderr or to the file PATH)
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
  const part = /\s*([0-9]+)\s*([a-zµ]*)\s*/y;
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

const WASM_OPTIONS: Record<string, Setter> = {
  "fuel": (o, _k, v) => (o.fuel = parseUnsigned(v)),
  "timeout": (o, _k, v) => {
    if (v === undefined) throw new Error("value must be specified with `key=val` syntax");
    o.timeoutMs = parseDuration(v);
  },
  "max-memory-size": (o, _k, v) => (o.maxMemorySize = parseUnsigned(v)),
  "max-table-elements": (o, _k, v) => (o.maxTableElements = parseUnsigned(v)),
  "max-instances": (o, _k, v) => (o.maxInstances = parseUnsigned(v)),
  "max-tables": (o, _k, v) => (o.maxTables = parseUnsigned(v)),
  "max-memories": (o, _k, v) => (o.maxMemories = parseUnsigned(v)),
  "max-wasm-stack": (o, _k, v) => (o.maxWasmStack = parseUnsigned(v)),
  "trap-on-grow-failure": (o, _k, v) => (o.trapOnGrowFailure = parseBool(v)),
};

const WASI_OPTIONS: Record<string, Setter> = {
  "inherit-env": (o, _k, v) => (o.inheritEnv = parseBool(v)),
  "cli": (o, _k, v) => (o.wasi = parseBool(v)),
  "common": (o, _k, v) => (o.wasi = parseBool(v)),
  "tcplisten": (o, _k, v) => {
    if (v === undefined) throw new Error("value must be specified with `key=val` syntax");
    o.tcpListen.push(v);
  },
};

function invalidValue(value: string, arg: string, reason: string): UsageError {
  return new UsageError(`error: invalid value '${value}' for '${arg}': ${reason}\n\n${MORE}`);
}

/** Applies one `-W`/`-S` value (a comma-separated `key[=value]` list) the way wasmtime-cli-flags does. */
function applyGroup(opts: RunOptions, short: "W" | "S", value: string): void {
  const long = short === "W" ? "wasm" : "wasi";
  const table = short === "W" ? WASM_OPTIONS : WASI_OPTIONS;
  for (const item of value.split(",")) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? undefined : item.slice(eq + 1);
    const setter = Object.hasOwn(table, key) ? table[key] : undefined;
    if (setter === undefined) {
      throw new UsageError(`error: unknown -${short} / --${long} option: ${key}\n\n${MORE}`);
    }
    try {
      setter(opts, key, val);
    } catch (e) {
      throw new UsageError(
        `error: failed to parse -${short} option \`${item}\`: ${(e as Error).message}\n\n${MORE}`,
      );
    }
  }
}

// ---- -D / --debug (issue 20) ---------------------------------------------------------------------------------

const DEBUG_OPTIONS: Record<string, Setter> = {
  "trace-wasi": (o, _k, v) => {
    const flag = v === undefined || /^(y|yes|true|n|no|false)$/.test(v);
    o.traceWasi = flag ? parseBool(v) : v;
  },
};

/** Applies one `-D` value (a comma-separated `key[=value]` list), as {@link applyGroup} does for `-W` and `-S`. */
function applyDebugGroup(opts: RunOptions, value: string): void {
  for (const item of value.split(",")) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    const setter = Object.hasOwn(DEBUG_OPTIONS, key) ? DEBUG_OPTIONS[key] : undefined;
    if (setter === undefined) throw new UsageError(`error: unknown -D / --debug option: ${key}\n\n${MORE}`);
    try {
      setter(opts, key, eq < 0 ? undefined : item.slice(eq + 1));
    } catch (e) {
      throw new UsageError(`error: failed to parse -D option \`${item}\`: ${(e as Error).message}\n\n${MORE}`);
    }
  }
}

// ---- end of -D ---------------------------------------------------------------------------------------------------

function emptyRunOptions(): RunOptions {
  return { module: "", args: [], dirs: [], env: [], inheritEnv: false, preloads: [], wasi: true, tcpListen: [] };
}

interface OptionSpec {
  /** Value name in clap's messages, e.g. `--dir <HOST_DIR[::GUEST_DIR]>`. */
  readonly display: string;
  readonly apply: (opts: RunOptions, value: string) => void;
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
  wasm: { display: "-W, --wasm <KEY[=VAL[,..]]>", apply: (o, v) => applyGroup(o, "W", v) },
  wasi: { display: "-S, --wasi <KEY[=VAL[,..]]>", apply: (o, v) => applyGroup(o, "S", v) },
  debug: { display: "-D, --debug <KEY[=VAL[,..]]>", apply: applyDebugGroup },
};

const SHORT_OPTIONS: Record<string, string> = { W: "wasm", S: "wasi", D: "debug" };

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
