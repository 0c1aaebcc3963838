/**
 * The `kiln` command: parses the command line and dispatches to `run` or `wast`, turning every outcome into an
 * exit status (0 success, the guest's `proc_exit` status, 1 error, 2 usage error, 134 trap).
 *
 * @module
 */

import { process } from "./_process.ts";
import { parseArgs, UsageError } from "./args.ts";
import { formatChain } from "./report.ts";
import { printable } from "../_printable.ts";
import { type RunIo, runModule } from "./run.ts";

/**
 * Runs the CLI with the given arguments and returns the exit status; never throws.
 *
 * @param argv The arguments after the script name (e.g. `["run", "--dir", ".", "app.wasm"]`).
 * @param io Where the CLI's own output goes (the guest's stdio is the process's).
 * @returns The process exit status.
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * const status = await main(["--version"], { stdout: (t) => console.log(t), stderr: (t) => console.error(t) });
 * console.log(status); // 0
 * ```
 */
export async function main(argv: readonly string[], io: RunIo): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.kind) {
      case "help":
        io.stdout(cmd.text);
        return 0;
      case "version":
        io.stdout(cmd.text + "\n");
        return 0;
      case "wast": {
        // Why loaded here: the spec-test runner (and the text parser it needs) is no part of running a module.
        const { runWastFiles } = await import("./wast.ts");
        return await runWastFiles(cmd.files, cmd.options, io);
      }
      case "run":
        return await runModule(cmd.options, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(printable(e.message, { lineBreaks: true }) + "\n");
      return 2;
    }
    // An error no layer turned into a report: still one `Error:` report and status 1, never a JS stack dump.
    io.stderr(formatChain(e instanceof Error ? e.message : String(e), []));
    return 1;
  }
}

/**
 * Runs the CLI on `process.argv` and exits the process with its status once the CLI's own output is flushed.
 *
 * @returns Never returns: the process exits.
 * @example
 * ```ts
 * import { runCli } from "../../cli.ts";
 * // As cli.ts does: `bun cli.ts --version` prints "kiln 0.1.0" and exits 0.
 * if (import.meta.main) await runCli();
 * ```
 */
export async function runCli(): Promise<never> {
  // Why only the streams written to: Node creates `process.stdout` on first use (a few ms), and a run's guest
  // writes to the file descriptors directly (`lib/wasi/fs/node_fs.ts` hostStdio), never through these streams.
  const written = new Set<NodeJS.WriteStream>();
  const write = (stream: NodeJS.WriteStream, text: string) => {
    written.add(stream);
    stream.write(text);
  };
  const status = await main(process.argv.slice(2), {
    stdout: (text) => write(process.stdout, text),
    stderr: (text) => write(process.stderr, text),
  });
  for (const stream of written) await new Promise<void>((resolve) => stream.write("", () => resolve()));
  process.exit(status);
}
