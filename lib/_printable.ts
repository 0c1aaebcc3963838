/**
 * Escaping of untrusted text (module text, import and export names, identifiers, file names, command-line values)
 * before an error message quotes it, so that a message printed to a terminal cannot carry a terminal's control
 * sequences (ESC `[2J`, OSC titles, BEL, a C1 CSI), forge lines (CR, LF, U+2028) or reorder what is shown
 * (Unicode bidirectional controls, the "Trojan Source" characters).
 *
 * @module
 */

// Matching control characters is the point of this pattern.
// deno-lint-ignore no-control-regex
const UNPRINTABLE_LINE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const UNPRINTABLE = new RegExp(`[\\n${UNPRINTABLE_LINE.source.slice(1)}`, "gu");

function escapeChar(c: string): string {
  return `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

/**
 * Returns `text` with every character a terminal could act on written as `\u{…}` (its code point in lowercase
 * hex, the form Rust's `escape_debug` and so Wasmtime's messages use): C0 controls but TAB, DEL, C1 controls,
 * the Unicode line and paragraph separators, bidirectional formatting characters and lone surrogates. TAB stays
 * (it only moves the cursor to a tab stop, and WAT sources indent with it); a backslash stays as it is, so a name
 * that spells `\u{1b}` itself reads the same as an escaped ESC, which is harmless.
 *
 * @param text The untrusted text.
 * @param options `lineBreaks: true` keeps LF (for multi-line reports whose lines were escaped as a whole);
 *   by default LF is escaped too, so a quoted name cannot start a line of its own.
 * @returns The text, safe to print.
 * @example
 * ```ts
 * import { printable } from "./_printable.ts";
 * console.log(printable("\x1b[2Jname")); // "\u{1b}[2Jname"
 * ```
 */
export function printable(text: string, options: { lineBreaks?: boolean } = {}): string {
  const pattern = options.lineBreaks ? UNPRINTABLE_LINE : UNPRINTABLE;
  // Why: most messages are plain; `search` does not allocate and skips the replace.
  return text.search(pattern) < 0 ? text : text.replace(pattern, escapeChar);
}
