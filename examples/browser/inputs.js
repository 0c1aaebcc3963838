// What the playground's text fields mean: the argument line and the environment lines, turned into what `runWasi`
// takes. Plain functions with no DOM, so a reader can check the rules here.

/**
 * Splits an argument line into words, much as a POSIX shell does, without any expansion:
 * - spaces, tabs and newlines separate words;
 * - `'single quotes'` keep everything inside as is;
 * - `"double quotes"` keep everything inside except `\"` and `\\`, which stand for `"` and `\`;
 * - outside quotes, `\` makes the next character ordinary (`\ ` is a space inside a word).
 * No `$VARIABLES`, globs, `~` or pipes: `$HOME` and `*.txt` reach the program as typed.
 *
 * @param {string} line what the user typed
 * @returns {string[]} the words, in order (`""` and `''` give empty words)
 * @throws {Error} when a quote is not closed or the line ends with a lone `\`
 */
export function splitArgs(line) {
  const words = [];
  let word = "";
  let inWord = false; // a word has started (it may still be empty: `""`)
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error("Cannot split the arguments: a ' quote is not closed");
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; line[i] !== '"'; i++) {
        if (i >= line.length) throw new Error('Cannot split the arguments: a " quote is not closed');
        if (line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) i++;
        word += line[i];
      }
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("Cannot split the arguments: the line ends with a lone \\");
      word += line[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Reads environment variables, one `NAME=VALUE` per line. The value is everything after the first `=`, spaces
 * included; blank lines and lines starting with `#` are skipped; a later line replaces an earlier one of the same
 * name.
 *
 * @param {string} text the lines
 * @returns {Record<string, string>} the variables, in the order of their first appearance
 * @throws {Error} for a line without `=` or with an empty name
 */
export function parseEnv(text) {
  const env = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`Cannot read the environment: line ${i + 1} is not NAME=VALUE: ${line}`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}
