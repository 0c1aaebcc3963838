/**
 * Micro-benchmark for linear memory: growing page by page (copy into a new ArrayBuffer, `transfer`, or a resizable
 * ArrayBuffer's `resize`) and DataView load/store speed on a fixed versus a resizable buffer.
 *
 * Run: `deno run bench/micro/memory_bench.ts` and `bun bench/micro/memory_bench.ts`.
 *
 * @module
 */

const PAGE = 65536;
const PAGES = 512;
type Growable = { transfer?: (n: number) => ArrayBuffer; resize?: (n: number) => void };

function growCopy(): number {
  let buf = new ArrayBuffer(PAGE);
  for (let p = 2; p <= PAGES; p++) {
    const next = new ArrayBuffer(p * PAGE);
    new Uint8Array(next).set(new Uint8Array(buf));
    buf = next;
  }
  return buf.byteLength;
}

function growTransfer(): number {
  let buf = new ArrayBuffer(PAGE);
  for (let p = 2; p <= PAGES; p++) buf = (buf as unknown as Growable).transfer!(p * PAGE);
  return buf.byteLength;
}

function growResize(): number {
  const buf = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(PAGE, {
    maxByteLength: PAGES * PAGE,
  });
  for (let p = 2; p <= PAGES; p++) (buf as unknown as Growable).resize!(p * PAGE);
  return buf.byteLength;
}

function access(buf: ArrayBuffer): number {
  const dv = new DataView(buf);
  let sum = 0;
  for (let round = 0; round < 40; round++) {
    for (let a = 0; a < 1 << 20; a += 4) {
      dv.setInt32(a, dv.getInt32(a, true) + a, true);
      sum = (sum + dv.getInt32(a, true)) | 0;
    }
  }
  return sum;
}

function time(name: string, fn: () => number): void {
  const t = performance.now();
  const r = fn();
  console.log(`${name}: ${(performance.now() - t).toFixed(1)} ms (${r})`);
}

for (let round = 0; round < 2; round++) {
  time("grow by copy, 512 pages", growCopy);
  if ((ArrayBuffer.prototype as unknown as Growable).transfer) time("grow by transfer, 512 pages", growTransfer);
  time("grow by resize, 512 pages", growResize);
  time("DataView on fixed buffer", () => access(new ArrayBuffer(1 << 20)));
  const resizable = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(1 << 20, {
    maxByteLength: 1 << 24,
  });
  time("DataView on resizable buffer", () => access(resizable));
}
