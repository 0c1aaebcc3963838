/**
 * The WebAssembly text format: `parseWat` (module text to binary) and the WAST script parser.
 *
 * @module
 */

export { moduleToBinary, parseWat } from "./parse_wat.ts";
export { CustomAnnotationError, type Pos, type SExpr, WatParseError } from "./sexpr.ts";
export { parseSExprs } from "./lexer.ts";
export { parseWast } from "./wast_parser.ts";
export type { WastAction, WastCommand, WastModule, WastValue } from "./wast_parser.ts";
