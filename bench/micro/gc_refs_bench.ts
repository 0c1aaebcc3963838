/**
 * Micro-benchmark for GC references in the interpreter's slots (`lib/runtime/gc.ts` plans the representation): a
 * guest loop that builds a linked list of `LENGTH` structs `{ value: i32, next: ref null $node }` and walks it
 * summing the values, `ROUNDS` times, with the list dropped after each round (so the host collector must free it).
 *
 * - **refs**: a parallel `refs: unknown[]` beside the Int32Array slots; a reference slot's object sits in `refs`, its
 *   int word holds 0 (null) or 1. Precise: the object lives while a slot, global, table or object holds it.
 * - **handles**: what exnref does today: a slot holds an int handle into a per-activation table, and handles no
 *   slot holds are freed by a conservative sweep of the slots when the table fills (every `struct.get` of a
 *   reference field makes a new handle, there being no reverse map).
 *
 * It also prints the heap after the run to show both stay bounded. Run: `deno run -A bench/micro/gc_refs_bench.ts`
 * and `bun bench/micro/gc_refs_bench.ts`.
 *
 * @module
 */

const LENGTH = 10_000, ROUNDS = 300;
/** Slots of one frame: 0 head, 1 cursor, 2 sum, 3 i, 4 scratch. */
const SLOTS = 4096;

interface Node {
  value: number;
  next: Node | null;
}

function viaRefs(): number {
  const i32 = new Int32Array(SLOTS * 2);
  const refs: unknown[] = new Array(SLOTS).fill(null);
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // head = null
    refs[0] = null, i32[0] = 0;
    for (i32[6] = 0; i32[6]! < LENGTH; i32[6]!++) {
      // head = struct.new $node (i, head): the new object into slot 4, then a reference move into slot 0
      const node: Node = { value: i32[6]!, next: refs[0] as Node | null };
      refs[4] = node, i32[8] = 1;
      refs[0] = refs[4], i32[0] = i32[8]!;
    }
    // cursor = head; sum = 0; while cursor != null: sum += cursor.value; cursor = cursor.next
    refs[1] = refs[0], i32[2] = i32[0]!;
    i32[4] = 0;
    while (i32[2] !== 0) {
      const c = refs[1] as Node;
      i32[4] = (i32[4]! + c.value) | 0;
      const next = c.next;
      refs[1] = next, i32[2] = next === null ? 0 : 1;
    }
    total = (total + i32[4]!) | 0;
    refs[0] = null, i32[0] = 0; // drop the list
    refs[4] = null;
  }
  return total;
}

function viaHandles(): number {
  const i32 = new Int32Array(SLOTS * 2);
  let table: (Node | null)[] = [];
  let free: number[] = [];
  let sweepAt = 1024;
  const sweep = () => {
    const n = table.length, held = new Uint8Array(n + 1);
    for (let w = 0; w < i32.length; w++) {
      const v = i32[w]!;
      if (v > 0 && v <= n) held[v] = 1;
    }
    for (let h = 1; h <= n; h++) {
      if (table[h - 1] !== null && !held[h]) {
        table[h - 1] = null;
        free.push(h);
      }
    }
    sweepAt = free.length < n / 2 ? 2 * n : n;
  };
  const handle = (node: Node | null): number => {
    if (node === null) return 0;
    if (free.length === 0 && table.length >= sweepAt) sweep();
    let h = free.pop();
    if (h === undefined) {
      table.push(node);
      h = table.length;
    } else table[h - 1] = node;
    return h;
  };
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    i32[0] = 0;
    for (i32[6] = 0; i32[6]! < LENGTH; i32[6]!++) {
      const head = i32[0]!;
      i32[8] = handle({ value: i32[6]!, next: head === 0 ? null : table[head - 1]! });
      i32[0] = i32[8]!;
    }
    i32[2] = i32[0]!;
    i32[4] = 0;
    while (i32[2] !== 0) {
      const c = table[i32[2]! - 1]!;
      i32[4] = (i32[4]! + c.value) | 0;
      i32[2] = handle(c.next);
    }
    total = (total + i32[4]!) | 0;
    i32[0] = 0, i32[8] = 0;
  }
  table = [], free = [];
  return total;
}

function time(name: string, f: () => number): void {
  let best = Infinity, result = 0;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    result = f();
    best = Math.min(best, performance.now() - t0);
  }
  const heap = (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process?.memoryUsage().heapUsed;
  const mb = heap === undefined ? "?" : (heap / 2 ** 20).toFixed(0);
  console.log(`${name.padEnd(8)} ${best.toFixed(1).padStart(7)} ms (best of 5)  result ${result}  heap ${mb} MB`);
}

time("refs", viaRefs);
time("handles", viaHandles);
time("refs", viaRefs);
time("handles", viaHandles);
