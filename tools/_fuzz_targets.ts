/**
 * Single-input targets of the decoder and parser fuzzers. Each returns an outcome string; the only acceptable
 * outcomes are "ok" and "compile-error" (a `CompileError`, which the WAT parser's `WatParseError` extends).
 * Anything else -- a JS TypeError/RangeError, a plain Error, a non-Error throw -- starts with "bad:". Hangs are
 * caught by the worker's time limit.
 *
 * @module
 */
import { CompileError } from "../lib/errors.ts";

/**
 * The fuzz targets. `native-decoder` exercises the harness itself (host WebAssembly); `self-test` checks the
 * harness's hang and bad-outcome detection: an input starting with byte 1 never finishes (a Promise that never
 * settles: a stall, not a busy loop, because Deno 2.9 does not stop a terminated worker that spins in a tight
 * loop), 2 gives a TypeError; anything else is "ok".
 */
export type TargetName = "decoder" | "parser" | "native-decoder" | "self-test";

type Decode = (bytes: Uint8Array) => unknown;
type Parse = (text: string) => Uint8Array;

let decoder: Decode | undefined;
let decoderName = "";
let parser: Parse | undefined;

async function tryImport(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await import(new URL(path, import.meta.url).href);
  } catch {
    return undefined;
  }
}

/** Kiln's strictest available entry for bytes: `new Module` (decode + validate) or, before mod.ts, the decoder. */
export async function loadDecoder(): Promise<[Decode, string] | undefined> {
  if (decoder) return [decoder, decoderName];
  const mod = await tryImport("../mod.ts");
  if (mod && typeof mod.Module === "function") {
    const M = mod.Module as new (b: Uint8Array) => unknown;
    decoder = (b) => new M(b);
    decoderName = "mod.ts Module (decode + validate)";
  } else {
    const dec = await tryImport("../lib/binary/decoder.ts");
    if (dec && typeof dec.decodeModule === "function") {
      decoder = dec.decodeModule as Decode;
      decoderName = "lib/binary/decoder.ts decodeModule (decode only)";
    }
  }
  return decoder ? [decoder, decoderName] : undefined;
}

/** Kiln's `parseWat`, from mod.ts or lib/text. */
export async function loadParser(): Promise<Parse | undefined> {
  if (parser) return parser;
  for (const path of ["../mod.ts", "../lib/text/mod.ts", "../lib/text/parser.ts", "../lib/text/wat.ts"]) {
    const m = await tryImport(path);
    if (m && typeof m.parseWat === "function") return parser = m.parseWat as Parse;
  }
  return undefined;
}

function classify(e: unknown): string {
  if (e instanceof CompileError) return "compile-error";
  if (e instanceof WebAssembly.CompileError) return "compile-error";
  if (e instanceof Error) return `bad:${e.name}: ${e.message}\n${(e.stack ?? "").split("\n").slice(1, 6).join("\n")}`;
  return `bad:non-Error thrown: ${String(e)}`;
}

/** Runs one input through `target`; see the module doc for the outcomes. */
export async function runTargetOnce(target: TargetName, input: Uint8Array): Promise<string> {
  if (target === "self-test") {
    if (input[0] === 1) await new Promise(() => {});
    if (input[0] === 2) return classify(new TypeError("self-test"));
    return "ok";
  }
  if (target === "native-decoder") {
    try {
      new WebAssembly.Module(input as BufferSource);
      return "ok";
    } catch (e) {
      return classify(e);
    }
  }
  if (target === "decoder") {
    const d = await loadDecoder();
    if (!d) throw new Error("no Kiln decoder available");
    const nativeValid = WebAssembly.validate(input as BufferSource);
    try {
      d[0](input);
      return nativeValid ? "ok" : "ok (native rejects)";
    } catch (e) {
      const c = classify(e);
      if (c !== "compile-error" || !nativeValid) return c;
      // The host implements features Kiln does not (SIMD, GC, exceptions, …): not a disagreement.
      return (e as Error).name === "UnsupportedFeatureError"
        ? "compile-error (unsupported feature)"
        : "compile-error (native accepts)";
    }
  }
  const parse = await loadParser();
  if (!parse) throw new Error("no Kiln parseWat available");
  const text = new TextDecoder().decode(input);
  let bytes: Uint8Array;
  try {
    bytes = parse(text);
  } catch (e) {
    return classify(e);
  }
  if (!(bytes instanceof Uint8Array)) return `bad:parseWat returned ${typeof bytes}`;
  // The encoder's output must itself decode, or be rejected as a CompileError.
  const d = await loadDecoder();
  if (d) {
    try {
      d[0](bytes);
    } catch (e) {
      const c = classify(e);
      if (c !== "compile-error") return `bad:decoding parseWat output: ${c.slice(4)}`;
      return "ok (output invalid)";
    }
  }
  return "ok";
}
