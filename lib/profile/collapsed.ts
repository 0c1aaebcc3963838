/**
 * Writes a guest profile as collapsed stacks, the text that flamegraph tools read (Brendan Gregg's
 * `flamegraph.pl`, inferno, speedscope): one line per distinct stack, outermost function first, names joined by
 * `;`, then a space and the stack's sample weight. Lines are sorted, so a fuel profile gives the same bytes on
 * every run.
 *
 * @module
 */

import { frameFunctionName } from "./frame_names.ts";
import type { GuestProfiler } from "./guest_profiler.ts";

/**
 * The profile a {@link GuestProfiler} recorded, as collapsed stacks.
 *
 * @param profiler A profiler that has sampled a store's code.
 * @returns The text, one `outer;…;inner weight` line per stack (empty without samples).
 * @example
 * ```ts
 * import { GuestProfiler, instantiate, parseWat, toCollapsedStacks } from "../../mod.ts";
 * const profiler = new GuestProfiler({ fuelInterval: 500 });
 * const { instance } = await instantiate(parseWat(`(module (func $count (export "count") (local i32)
 *   (loop (br_if 0 (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 1000))))))`), {}, {
 *   profiler,
 * });
 * await (instance.exports.count as () => Promise<void>)();
 * console.log(toCollapsedStacks(profiler)); // "count 13\n"
 * ```
 */
export function toCollapsedStacks(profiler: GuestProfiler): string {
  const data = profiler.data();
  // Why `;` and line breaks are replaced: they separate frames and lines; a space is fine (the last one separates
  // the weight).
  const names = data.frames.map((f) => frameFunctionName(f).replace(/[;\r\n]/g, "_"));
  // Paths of the sampled stack nodes (walked up iteratively: a deep recursion has stacks of 100,000 frames).
  const paths = new Map<number, string>();
  const pathOf = (node: number): string => {
    let path = paths.get(node);
    if (path === undefined) {
      const parts: string[] = [];
      for (let n: number | null = node; n !== null; n = data.stackPrefix[n]!) parts.push(names[data.stackFrame[n]!]!);
      paths.set(node, path = parts.reverse().join(";"));
    }
    return path;
  };
  const weights = new Map<string, number>();
  for (let i = 0; i < data.sampleStack.length; i++) {
    const path = pathOf(data.sampleStack[i]!);
    weights.set(path, (weights.get(path) ?? 0) + data.sampleWeight[i]!);
  }
  return [...weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, w]) => `${p} ${w}\n`).join("");
}
