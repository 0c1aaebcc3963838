/**
 * `--profile=guest`: writes what the guest profiler sampled, as Wasmtime's CLI does at exit — the Firefox
 * Profiler's JSON, or collapsed stacks for flamegraph tools when the path ends in `.folded` or `.collapsed`.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { toCollapsedStacks } from "../profile/collapsed.ts";
import { toFirefoxProfile } from "../profile/firefox_profile.ts";
import type { GuestProfiler } from "../profile/guest_profiler.ts";
import { describeOsError } from "./report.ts";

/**
 * Writes a profile to `path` and says where on stderr; a failed write is a warning (the run's status stands).
 *
 * @param profiler The profiler of the run.
 * @param path Where to write; `.folded`/`.collapsed` select collapsed stacks, anything else the Firefox format.
 * @param io The CLI's stderr.
 * @example
 * ```ts
 * import { GuestProfiler } from "../profile/guest_profiler.ts";
 * import { writeProfile } from "./profile.ts";
 * writeProfile(new GuestProfiler(), "/tmp/kiln-example.folded", { stderr: (t) => console.error(t) });
 * ```
 */
export function writeProfile(profiler: GuestProfiler, path: string, io: { stderr(text: string): void }): void {
  const collapsed = /\.(folded|collapsed)$/.test(path);
  try {
    writeFileSync(path, collapsed ? toCollapsedStacks(profiler) : JSON.stringify(toFirefoxProfile(profiler)));
  } catch (e) {
    io.stderr(`warning: failed to write the profile to ${path}: ${describeOsError(e)}\n`);
    return;
  }
  io.stderr(
    collapsed
      ? `Profile written to: ${path} (collapsed stacks, for flamegraph tools)\n`
      : `Profile written to: ${path}\nView this profile at https://profiler.firefox.com/.\n`,
  );
}
