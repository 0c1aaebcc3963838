/**
 * Markdown tables laid out exactly as `deno fmt` lays them out (cells padded to the column width, alignment row of
 * dashes), so generated reports stay `deno fmt --check`-clean under any runtime that writes them.
 *
 * @module
 */

/** Column alignment: left, right or none. */
export type Align = "l" | "r" | "n";

/** Display width of a cell (code points; the reports hold no wide characters). */
const width = (text: string): number => [...text].length;

/**
 * A Markdown table.
 *
 * @param headers Column titles.
 * @param rows Cell texts, one array per row (`|` is escaped).
 * @param align Alignment per column (default: none).
 * @returns The table's lines joined by `\n`, without a final newline.
 *
 * @example
 * ```ts
 * import { markdownTable } from "./_markdown_table.ts";
 * console.log(markdownTable(["a", "bb"], [["1", "2222"]], ["l", "r"]));
 * // | a   |   bb |
 * // | :-- | ---: |
 * // | 1   | 2222 |
 * ```
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = headers.map(() => "n"),
): string {
  const esc = (c: string) => c.replaceAll("|", "\\|");
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => esc(r[i] ?? "")));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => width(r[i]!))));
  const pad = (text: string, i: number) => {
    const fill = " ".repeat(widths[i]! - width(text));
    return align[i] === "r" ? fill + text : text + fill;
  };
  const rule = (i: number) => {
    const w = widths[i]!;
    if (align[i] === "l") return ":" + "-".repeat(w - 1);
    if (align[i] === "r") return "-".repeat(w - 1) + ":";
    return "-".repeat(w);
  };
  const line = (r: readonly string[]) => `| ${r.map(pad).join(" | ")} |`;
  return [line(cells[0]!), `| ${headers.map((_, i) => rule(i)).join(" | ")} |`, ...cells.slice(1).map(line)].join(
    "\n",
  );
}
