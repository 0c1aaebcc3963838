/**
 * Rust symbol demangling (the legacy `_ZN…E` scheme), for function names in backtraces and profiles.
 *
 * @module
 */

const RUST_ESCAPES: Record<string, string> = {
  SP: "@",
  BP: "*",
  RF: "&",
  LT: "<",
  GT: ">",
  LP: "(",
  RP: ")",
  C: ",",
};

/**
 * Demangles a Rust symbol in the legacy scheme (`_ZN…E`, what rustc 1.63 emits) as Wasmtime's backtraces show it
 * (rustc-demangle's plain `Display`, hash suffix included): `_ZN5hello4main17h0123456789abcdefE` →
 * `hello::main::h0123456789abcdef`. Other names are returned unchanged.
 *
 * @param name A function name from the `name` section.
 * @returns The demangled name, or `name`.
 * @example
 * ```ts
 * import { demangle } from "./demangle.ts";
 * console.log(demangle("_ZN4core9panicking9panic_fmt17h768731f43edd91bfE")); // core::panicking::panic_fmt::h768731f43edd91bf
 * ```
 */
export function demangle(name: string): string {
  const m = /^(?:_ZN|ZN|__ZN)(.*)E$/.exec(name);
  if (m === null) return name;
  const body = m[1];
  const parts: string[] = [];
  let pos = 0;
  while (pos < body.length) {
    const len = /^[0-9]+/.exec(body.slice(pos));
    if (len === null) return name;
    pos += len[0].length;
    const n = Number(len[0]);
    if (n === 0 || pos + n > body.length) return name;
    let ident = body.slice(pos, pos + n);
    pos += n;
    if (ident.startsWith("_$")) ident = ident.slice(1);
    let out = "";
    for (let i = 0; i < ident.length;) {
      if (ident[i] === "$") {
        const end = ident.indexOf("$", i + 1);
        if (end < 0) return name;
        const code = ident.slice(i + 1, end);
        if (Object.hasOwn(RUST_ESCAPES, code)) out += RUST_ESCAPES[code];
        else if (/^u[0-9a-f]+$/.test(code)) out += String.fromCodePoint(parseInt(code.slice(1), 16));
        else return name;
        i = end + 1;
      } else if (ident.startsWith("..", i)) {
        out += "::";
        i += 2;
      } else {
        out += ident[i++];
      }
    }
    parts.push(out);
  }
  return parts.length > 0 ? parts.join("::") : name;
}
