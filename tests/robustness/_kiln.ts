/**
 * Test helper: Kiln's public API, loaded lazily so that the robustness tests skip (with a reason) instead of
 * failing to load when mod.ts is absent; and a runner for scenarios that must run in a child process because
 * they may hang or crash the runtime (tests/robustness/_hostile_guest.ts).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadKiln } from "../../tools/_fuzz_engines.ts";

/** Kiln's mod.ts. */
export type Kiln = typeof import("../../mod.ts");

/** Kiln, or undefined when mod.ts cannot be loaded. */
export const kiln = (await loadKiln()) as unknown as Kiln | undefined;

/** A skip reason when Kiln is unavailable. */
export const skipWithoutKiln = kiln ? undefined : "Kiln (mod.ts) is not available";

/** What a child-process scenario printed, or how it ended. */
export interface ScenarioResult {
  /** The JSON line the scenario printed last, if any. */
  result?: { outcome: string; ms: number; detail?: string };
  /** The child was killed at the time limit. */
  timedOut: boolean;
  /** Exit code (null when killed). */
  code: number | null;
  /** Everything the child wrote to stderr (first 2000 characters). */
  stderr: string;
}

/** Runs `tests/robustness/_hostile_guest.ts <name>` under the current runtime, killing it after `limitMs`. */
export function runScenario(name: string, limitMs: number): Promise<ScenarioResult> {
  const script = fileURLToPath(new URL("./_hostile_guest.ts", import.meta.url));
  const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  const args = isBun ? [script, name] : ["run", "-A", "--no-check", script, name];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limitMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      resolve({ result: last ? JSON.parse(last) : undefined, timedOut, code, stderr: stderr.slice(0, 2000) });
    });
  });
}
