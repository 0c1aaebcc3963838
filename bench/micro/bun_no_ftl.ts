/**
 * Bun preload that keeps JavaScriptCore's FTL tier away from `Machine.prototype.run` (the interpreter loop), so it
 * stays in the DFG tier. An experiment for issue #7 (Bun's gap on xblabla20, xchacha20, gimli); runtime code does not
 * do this, because `bun:jsc` is a host module and lib/ may import none.
 *
 * Run: `bun --preload ./bench/micro/bun_no_ftl.ts bench/run.ts --quick --no-startup --no-write --reps 3`.
 *
 * Why it helps: `run()` is one ~33 KB-bytecode function entered once per program and never left, so JSC can reach FTL
 * only by OSR entry into its loop. With `BUN_JSC_reportCompileTimes=1` on xblabla20: the FTL-for-OSR-entry compile
 * takes 0.56–1.1 s (DFG phase ~0.33–0.69 s, B3 ~0.23–0.4 s) and its code is then never entered, the regular FTL compile
 * ends "Canceled", and the DFG code keeps calling `triggerOSREntryNow` (about 1,500 times in 8 runs). That DFG code
 * with tier-up checks runs xblabla20 in ~80 ms against ~45 ms for DFG code without them (`BUN_JSC_useFTLJIT=0`) and
 * ~33 ms for real FTL code (`BUN_JSC_useConcurrentJIT=0`, after a synchronous compile of ~0.5 s).
 *
 * Measured (Bun 1.4, loaded 2-core machine, quick set, `--reps 3`, Kiln ms, two interleaved runs each, default →
 * with this preload): blake3-scalar 216 → 153, bz2 200 → 154, quicksort 87 → 109, richards 138 → 194, ackermann 29 →
 * 13, gimli 83 → 41, keccak 278 → 171, memmove 35 → 35, xblabla20 82 → 75 (84 → 40–48 in 8-rep runs), xchacha20 61 →
 * 27: geomean of the ratios 0.75 (25% less time), with richards and quicksort slower.
 *
 * @module
 */

import { Machine } from "../../lib/exec/machine.ts";

// Why the computed specifier: `deno check bench/` must not try to resolve a Bun-only module.
const specifier = "bun" + ":jsc";
const jsc = (await import(specifier)) as { noFTL(f: unknown): unknown };
jsc.noFTL(Machine.prototype.runSlice);
