/**
 * Small statistics used by the benchmark harness: median of repetitions, geometric mean of ratios.
 *
 * @module
 */

/**
 * The median of a list of numbers (the mean of the two middle values for an even count).
 *
 * @param values samples, in any order; not modified
 * @returns the median, or NaN for an empty list
 * @example Median of three repetitions
 * ```ts
 * import { median } from "./stats.ts";
 * console.log(median([30, 10, 20])); // 20
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The geometric mean of positive numbers, computed through logarithms so long lists of large ratios do not
 * overflow. Non-finite and non-positive values are ignored (a failed benchmark has no ratio).
 *
 * @param values ratios
 * @returns the geometric mean, or NaN when no value is usable
 * @example Geometric mean of two ratios
 * ```ts
 * import { geomean } from "./stats.ts";
 * console.log(geomean([2, 8])); // 4
 * ```
 */
export function geomean(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v) || v <= 0) continue;
    sum += Math.log(v);
    n++;
  }
  return n === 0 ? NaN : Math.exp(sum / n);
}

/**
 * Formats milliseconds for a table: three significant decimals below 10 ms, one below 1000 ms, none above.
 *
 * @param ms a duration in milliseconds
 * @returns the formatted number, or "-" when not finite
 * @example
 * ```ts
 * import { formatMs } from "./stats.ts";
 * console.log(formatMs(1234.56)); // "1235"
 * ```
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 10) return ms.toFixed(3);
  if (ms < 1000) return ms.toFixed(1);
  return ms.toFixed(0);
}

/**
 * Formats a ratio (Kiln time over native time, or fuel-on over fuel-off) with two decimals and a trailing "x".
 *
 * @param r the ratio
 * @returns e.g. "12.34x", or "-" when not finite
 * @example
 * ```ts
 * import { formatRatio } from "./stats.ts";
 * console.log(formatRatio(12.5)); // "12.50x"
 * ```
 */
export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : "-";
}
