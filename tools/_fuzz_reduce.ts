/**
 * A delta-debugging reducer for divergent modules, on binaryen's JS API (binaryen's own `wasm-reduce` cannot
 * spawn its test command under the emscripten build, so it is unusable here). Reduction steps, repeated to a
 * fixed point or until the time budget runs out, each kept only if `stillFails` holds for the result:
 * drop exports one at a time; run shrinking passes (dce, vacuum, remove-unused-module-elements, -Oz, -O1);
 * replace function bodies by `unreachable`; replace the body's direct children by `unreachable`/`nop`.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Binaryen = any;
let binaryen: Binaryen | undefined;

async function load(): Promise<Binaryen> {
  binaryen ??= (await import(new URL("../node_modules/binaryen/index.js", import.meta.url).href)).default;
  return binaryen;
}

/** Options of {@link reduceModule}. */
export interface ReduceOptions {
  /** Stop after this many milliseconds (the best module so far is returned). */
  budgetMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** The module may use fixed-width SIMD (the fuzzer's `--simd`): binaryen reads and keeps it. */
  simd?: boolean;
  /** The module may use GC (the fuzzer's `--gc`). */
  gc?: boolean;
}

/** Shrinks `bytes` while `stillFails(candidate)` holds; returns the smallest failing module found. */
export async function reduceModule(
  bytes: Uint8Array,
  stillFails: (candidate: Uint8Array) => Promise<boolean>,
  options: ReduceOptions = {},
): Promise<Uint8Array> {
  const b = await load();
  const deadline = Date.now() + (options.budgetMs ?? 120_000);
  const features = b.Features.MutableGlobals | b.Features.NontrappingFPToInt | b.Features.BulkMemory |
    b.Features.SignExt | b.Features.ReferenceTypes | b.Features.Multivalue | b.Features.BulkMemoryOpt |
    b.Features.Memory64 | b.Features.TailCall | b.Features.ExtendedConst | b.Features.MultiMemory |
    (options.simd ? b.Features.SIMD128 : 0) | (options.gc ? b.Features.GC : 0);
  let best = bytes;
  // The features must be known while reading (binaryen.js 132: readBinary's second argument): binaryen rejects a
  // GC type section read without GC enabled.
  const open = (bin: Uint8Array) => b.readBinary(bin, features);
  const tryCandidate = async (edit: (m: Binaryen) => boolean | void): Promise<boolean> => {
    if (Date.now() > deadline) return false;
    let candidate: Uint8Array;
    const m = open(best);
    try {
      if (edit(m) === false) return false;
      if (!m.validate()) return false;
      candidate = m.emitBinary();
    } catch {
      return false;
    } finally {
      m.dispose();
    }
    if (candidate.length > best.length) return false;
    if (candidate.length === best.length && candidate.every((x, i) => x === best[i])) return false;
    if (!(await stillFails(candidate))) return false;
    best = candidate;
    options.log?.(`  reduced to ${best.length} bytes`);
    return true;
  };

  let progress = true;
  while (progress && Date.now() < deadline) {
    progress = false;
    // 1. Drop exports, last first (earlier exports set up state later ones may need).
    const exportNames = (() => {
      const m = open(best);
      const names: string[] = [];
      for (let i = 0; i < m.getNumExports(); i++) names.push(b.getExportInfo(m.getExportByIndex(i)).name);
      m.dispose();
      return names;
    })();
    for (const name of exportNames.reverse()) {
      if (await tryCandidate((m) => void m.removeExport(name))) progress = true;
    }
    // 2. Shrinking passes.
    for (const passes of [["remove-unused-module-elements"], ["dce", "vacuum"], ["simplify-locals", "vacuum"]]) {
      if (await tryCandidate((m) => void m.runPasses(passes))) progress = true;
    }
    for (const [opt, shrink] of [[2, 2], [1, 0]]) {
      if (
        await tryCandidate((m) => {
          b.setOptimizeLevel(opt);
          b.setShrinkLevel(shrink);
          m.optimize();
        })
      ) progress = true;
    }
    // 3. Function bodies to `unreachable`, then their direct children to `unreachable`/`nop`.
    const funcCount = (() => {
      const m = open(best);
      const n = m.getNumFunctions();
      m.dispose();
      return n;
    })();
    for (let i = 0; i < funcCount; i++) {
      const ok = await tryCandidate((m) => {
        const f = m.getFunctionByIndex(i);
        const info = b.getFunctionInfo(f);
        if (info.module) return false;
        if (b.getExpressionId(info.body) === b.UnreachableId) return false;
        b.Function.setBody(f, m.unreachable());
      });
      if (ok) {
        progress = true;
        continue;
      }
      for (let c = 0; c < 64 && Date.now() < deadline; c++) {
        const replaced = await tryCandidate((m) => {
          const f = m.getFunctionByIndex(i);
          const info = b.getFunctionInfo(f);
          if (info.module || b.getExpressionId(info.body) !== b.BlockId) return false;
          const block = b.getExpressionInfo(info.body);
          if (c >= block.children.length) return false;
          const child = block.children[c];
          const id = b.getExpressionId(child);
          if (id === b.NopId || id === b.UnreachableId) return false;
          const type = b.getExpressionType(child);
          b._BinaryenBlockSetChildAt(info.body, c, type === b.none ? m.nop() : m.unreachable());
        });
        if (replaced) progress = true;
      }
    }
  }
  return best;
}
