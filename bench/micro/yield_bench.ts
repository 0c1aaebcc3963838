/**
 * Micro-benchmark: cost of one macrotask yield (what the driver does at a fuel yield) via setImmediate,
 * setTimeout(0) and MessageChannel, 2,000 yields each.
 *
 * Run: `deno run bench/micro/yield_bench.ts` and `bun bench/micro/yield_bench.ts`.
 *
 * @module
 */

const N = 2000;
const g = globalThis as unknown as { setImmediate?: (fn: () => void) => void };
const channel = new MessageChannel();
let pending: (() => void) | null = null;
channel.port1.onmessage = () => pending?.();

const variants: [string, () => Promise<void>][] = [
  ["setTimeout(0)", () => new Promise((r) => setTimeout(r, 0))],
  ["MessageChannel", () =>
    new Promise((r) => {
      pending = r;
      channel.port2.postMessage(0);
    })],
];
if (typeof g.setImmediate === "function") {
  variants.unshift(["setImmediate", () => new Promise((r) => g.setImmediate!(r))]);
}
for (const [name, yieldOnce] of variants) {
  const t = performance.now();
  for (let i = 0; i < N; i++) await yieldOnce();
  console.log(`${name}: ${((performance.now() - t) * 1000 / N).toFixed(1)} µs per yield`);
}
channel.port1.close();
