/**
 * A small deterministic pseudo-random generator for the fuzzers (SplitMix32-style mixing over a 32-bit state).
 * Every random choice the fuzzers make flows from one of these, so a run is reproducible from its seed.
 *
 * @module
 */

/** Deterministic PRNG; the same seed always yields the same sequence on every runtime. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = (seed >>> 0) ^ 0x9e3779b9;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in `[0, n)`; `n` must be positive. */
  int(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      out[i] = v;
      if (i + 1 < n) out[i + 1] = v >>> 8;
      if (i + 2 < n) out[i + 2] = v >>> 16;
      if (i + 3 < n) out[i + 3] = v >>> 24;
    }
    return out;
  }

  /** A derived seed for a sub-task (module number `k` of a run), stable across runtimes. */
  static derive(seed: number, k: number): number {
    const r = new Rng((seed ^ Math.imul(k + 1, 0x27d4eb2d)) >>> 0);
    r.u32();
    return r.u32();
  }
}
