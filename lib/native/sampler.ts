/**
 * The guest profiler on the native engine (`profile/guest_profiler.ts`): a sample is the wasm stack of the
 * checkpoint hook's caller, read from a host stack trace taken in the hook. The hook is called at the same
 * checkpoints and fuel levels as the interpreter's samples (`fuel.ts` folds the profiler's mark into the counter's
 * limit), so a fuel-interval profile holds the same samples on both engines; on V8 their frames have the same
 * original offsets (`offsets.ts`), on JavaScriptCore no offsets (function names only, as its backtraces).
 *
 * Only frames of the sampled instance's module are kept: the innermost is always its own (it called the hook), and
 * frames of other modules (a direct call through an import or a table) cannot be told apart by offset alone, so a
 * frame from another script than the innermost one's is dropped.
 *
 * @module
 */

import type { FuncInst, InstanceState } from "../runtime/func.ts";
import type { SampledStack } from "../profile/guest_profiler.ts";
import type { CompiledCode } from "./offsets.ts";
import { hostFrames, stackText } from "./traps.ts";

/**
 * The wasm stack of the code that called the checkpoint hook of `state`'s instance.
 *
 * @param state the instance whose code called the hook
 * @param code its compiled module
 * @returns the stack, outermost first, for `GuestProfiler.sample`
 */
export function hookCallerStack(state: InstanceState, code: CompiledCode): SampledStack {
  const frames = hostFrames(stackText(new Error()), code);
  const script = frames[0]?.script;
  const kept = frames.filter((f) => f.script === script).reverse();
  return {
    forEachFrame(visit: (func: FuncInst, pc: number) => void): void {
      for (const f of kept) visit(state.funcs[f.funcIndex]!, f.offset);
    },
    offsetOf: (_func: FuncInst, pc: number) => pc,
  };
}
