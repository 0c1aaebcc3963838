// Helpers for tests that run the real CLI as a child process under Deno and under Bun.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** testdata/ */
export const TESTDATA = join(ROOT, "testdata");

/** The runtimes the CLI must work under, with the command line that runs `cli.ts`. */
export const RUNTIMES = [
  { name: "deno", command: join(ROOT, "node_modules", ".bin", "deno"), prefix: ["run", "-A", "cli.ts"] },
  { name: "bun", command: join(ROOT, "node_modules", ".bin", "bun"), prefix: ["cli.ts"] },
] as const;

/** One runtime of {@link RUNTIMES}. */
export type Runtime = (typeof RUNTIMES)[number];

/** Input and limits of a child run. */
export interface RunOptions {
  /** Written to the child's stdin, which is then closed (unless `holdStdin`). */
  stdin?: string | Uint8Array;
  /** Leave stdin open (the child sees no end of input). */
  holdStdin?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kill the child and fail after this long (default 30 s). */
  timeoutMs?: number;
}

/** What a CLI run produced. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cli.ts ARGS` under `runtime` from the repository root, feeding `stdin` (closed when absent), with a hard
 * time limit so a hanging CLI fails the test instead of hanging it.
 */
export function runCli(
  runtime: Runtime,
  args: string[],
  options: RunOptions = {},
): Promise<CliResult> {
  return runCommand(runtime.command, [...runtime.prefix, ...args], options);
}

/** Runs any command from the repository root (see {@link runCli}). */
export function runCommand(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not finish in time: ${args.join(" ")}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ status, stdout, stderr });
    });
    child.stdin.on("error", () => {}); // the CLI may exit before reading its stdin
    if (options.stdin !== undefined) child.stdin.write(options.stdin);
    if (!options.holdStdin) child.stdin.end();
  });
}

/** Why engine-dependent tests skip, or undefined when `mod.ts` has landed. */
export const ENGINE_MISSING = existsSync(join(ROOT, "mod.ts")) ? undefined : "mod.ts (the engine) has not landed yet";

/** Why WASI-dependent tests skip, or undefined when both the engine and `lib/wasi/wasi.ts` have landed. */
export const WASI_MISSING = ENGINE_MISSING ??
  (existsSync(join(ROOT, "lib", "wasi", "wasi.ts")) ? undefined : "lib/wasi/wasi.ts (WASI) has not landed yet");

/** Why `kiln wast` tests skip, or undefined when the wast runner and its Kiln engine adapter have landed. */
export const WAST_MISSING = ENGINE_MISSING ??
  (existsSync(join(ROOT, "lib", "wast", "kiln_engine.ts")) ? undefined : "lib/wast/kiln_engine.ts has not landed yet");

/** Why `-S tcplisten` tests skip, or undefined when WASI's socket support (`lib/wasi/fs/node_net.ts`) has landed. */
export const NET_MISSING = WASI_MISSING ??
  (existsSync(join(ROOT, "lib", "wasi", "fs", "node_net.ts"))
    ? undefined
    : "lib/wasi/fs/node_net.ts has not landed yet");
