/**
 * Child-process scenarios for hostile guests that may hang or crash the runtime, run by
 * tests/robustness/_kiln.ts `runScenario(name, limitMs)`. Prints one JSON line `{ outcome, ms, detail? }` where
 * outcome is "ok:<value>" or "<ErrorClass>:<message>".
 *
 * @module
 */
import * as kiln from "../../mod.ts";
import { wat } from "../api/_wat.ts";

type Fn = ((...a: unknown[]) => Promise<unknown>) & { callSync(...a: unknown[]): unknown };

const LOOP = `(module (func (export "loop") (loop $l (br $l))))`;
const HOST_RECURSION = `(module (import "env" "re" (func $re (param i32) (result i32)))
  (func (export "f") (param i32) (result i32) (call $re (i32.add (local.get 0) (i32.const 1)))))`;

const scenarios: Record<string, () => Promise<unknown>> = {
  /** An infinite loop with only an AbortSignal (no fuel, no yield interval). */
  async "signal-only-loop"() {
    const { instance } = await kiln.instantiate(wat(LOOP), {}, { signal: AbortSignal.timeout(200) });
    return await (instance.exports.loop as Fn)();
  },
  /** An infinite loop stopped by store.interrupt() from a timer, no yield interval. */
  async "interrupt-only-loop"() {
    // A timer only runs while the guest yields to the event loop: the store must time-slice (as Wasmtime's
    // interruption needs epochs or fuel configured). A store with no checkpoints at all cannot be interrupted.
    const store = new kiln.Store({ yieldEveryMs: 10 });
    const { instance } = await kiln.instantiate(wat(LOOP), {}, { store });
    setTimeout(() => store.interrupt(), 200);
    return await (instance.exports.loop as Fn)();
  },
  /** wasm -> host -> wasm -> … without end, through the async entry. */
  async "host-recursion-async"() {
    const self: { f?: Fn } = {};
    const { instance } = await kiln.instantiate(wat(HOST_RECURSION), { env: { re: (n: number) => self.f!(n) } });
    self.f = instance.exports.f as Fn;
    return await self.f(0);
  },
  /** wasm -> host -> wasm -> … without end, through callSync. */
  async "host-recursion-sync"() {
    const self: { f?: Fn } = {};
    const imports = { env: { re: (n: number) => self.f!.callSync(n) } };
    const { instance } = await kiln.instantiate(wat(HOST_RECURSION), imports);
    self.f = instance.exports.f as Fn;
    return self.f.callSync(0);
  },
  /** A table declared with 4e9 initial elements (valid: table sizes are u32). */
  async "table-4g-initial"() {
    await kiln.instantiate(wat(`(module (table 4000000000 funcref))`));
    return "instantiated";
  },
  /** memory.grow by 1 GiB: returns the growth of the process's resident memory, in MiB, and the result. */
  async "memory-grow-1g-rss"() {
    const { instance } = await kiln.instantiate(
      wat(`(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`),
    );
    const before = process.memoryUsage().rss;
    const r = await (instance.exports.grow as Fn)(16384);
    return `${r} rss+${Math.round((process.memoryUsage().rss - before) / 2 ** 20)}MiB`;
  },
  /**
   * 512 single-page memory.grow calls (to 32 MiB) on the interpreter, whose memories are Kiln's own (the native
   * engine's are the host's: a new `buffer` per growth, by the JS API, but no copy): the result and the buffers seen.
   */
  async "memory-grow-512-single-pages"() {
    const { instance } = await kiln.instantiate(
      wat(`(module (memory (export "memory") 1)
        (func (export "grow1") (result i32) (memory.grow (i32.const 1)))
        (func (export "size") (result i32) (memory.size)))`),
      {},
      { engine: "interpreter" },
    );
    // Each distinct `buffer` is one reallocation (a copy of the whole memory); amortised growth needs O(log n).
    const memory = instance.exports.memory as { buffer: ArrayBuffer };
    const buffers = new Set<ArrayBuffer>([memory.buffer]);
    for (let i = 0; i < 512; i++) {
      await (instance.exports.grow1 as Fn)();
      buffers.add(memory.buffer);
    }
    return `${await (instance.exports.size as Fn)()} pages, ${buffers.size} buffers`;
  },
  /** A memory grown to 1 GiB in 16 steps without being written: the resident memory it cost, in MiB. */
  async "memory-grow-1g-untouched"() {
    const { instance } = await kiln.instantiate(
      wat(`(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`),
    );
    const rss = () => process.memoryUsage().rss / 2 ** 20;
    const before = rss();
    for (let i = 0; i < 16; i++) await (instance.exports.grow as Fn)(1023);
    return Math.round(rss() - before);
  },
  /** memory.grow by 2 GiB in one step. */
  async "memory-grow-2g"() {
    const { instance } = await kiln.instantiate(
      wat(`(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`),
    );
    return await (instance.exports.grow as Fn)(32768);
  },
};

const name = ((globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2))[0]!;
const t0 = Date.now();
let unhandled = "";
globalThis.addEventListener?.("unhandledrejection", (e: Event) => {
  const r = (e as PromiseRejectionEvent).reason;
  unhandled = `${r?.name}: ${r?.message}`;
  e.preventDefault();
});
process.on?.("unhandledRejection", (r: unknown) => {
  unhandled = `${(r as Error)?.name}: ${(r as Error)?.message}`;
});
let outcome: string;
try {
  outcome = `ok:${String(await scenarios[name]!())}`;
} catch (e) {
  outcome = `${(e as Error)?.constructor?.name}:${(e as Error)?.message}`;
}
// Let a stray rejection surface before reporting.
await new Promise((r) => setTimeout(r, 50));
console.log(
  JSON.stringify({
    outcome,
    ms: Date.now() - t0,
    ...(unhandled ? { detail: `unhandled rejection ${unhandled}` } : {}),
  }),
);
process.exit(0);
