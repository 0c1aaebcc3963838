/**
 * Second opinion on the decoder fuzzer's "compile-error (native accepts)" findings: run it under Deno (V8) on a
 * findings directory of a Bun (JavaScriptCore) run. A finding is explained when V8 rejects the module as Kiln
 * does: JavaScriptCore does not type-check operands in unreachable code (after `unreachable`, `br`, `return`),
 * so it accepts modules the spec, V8, wabt and Kiln reject (see ROBUSTNESS.md, "JavaScriptCore").
 *
 * Usage: `deno run -A tools/_fuzz_recheck.ts DIR` -- prints one line per kind and exits 1 if any finding is
 * not explained.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadDecoder } from "./_fuzz_targets.ts";

/** Rechecks the findings in `dir`; returns the number left unexplained. */
export async function recheck(dir: string, log: (s: string) => void): Promise<number> {
  const decoder = await loadDecoder();
  if (!decoder) throw new Error("Kiln's decoder is not available");
  const counts: Record<string, number> = {};
  let unexplained = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".wasm")).sort()) {
    let note = "";
    try {
      note = readFileSync(join(dir, `${name}.txt`), "utf8");
    } catch { /* no note: not a decoder finding */ }
    if (!note.includes("(native accepts)")) continue;
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    let kiln = "accepts";
    try {
      decoder[0](bytes);
    } catch (e) {
      kiln = `rejects (${(e as Error).message.replace(/\d+/g, "N")})`;
    }
    const host = WebAssembly.validate(bytes as BufferSource) ? "accepts" : "rejects";
    const explained = host === "rejects" && kiln.startsWith("rejects");
    if (!explained) unexplained++;
    const key = `${explained ? "explained" : "UNEXPLAINED"}: this host ${host}, Kiln ${kiln}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (!explained) log(`UNEXPLAINED ${name}`);
  }
  for (const [k, n] of Object.entries(counts).sort()) log(`${n} × ${k}`);
  return unexplained;
}

if (import.meta.main) {
  const dir = ((globalThis as unknown as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2))[0];
  if (!dir) throw new Error("usage: deno run -A tools/_fuzz_recheck.ts DIR");
  process.exit((await recheck(dir, (s) => console.log(s))) > 0 ? 1 : 0);
}
