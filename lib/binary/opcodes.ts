/**
 * The one opcode table (STYLE.md): every WebAssembly instruction Kiln knows, with its encoding, immediates,
 * stack signature, feature and fuel cost. The instruction reader (`instruction_reader.ts`: how each immediate kind
 * is read, and which opcodes are illegal or unsupported), the validator (fixed signatures), the fuel plan (costs),
 * the WAT parser and the machine's instruction set (`compile/isa.ts`: names, numeric ops) read it.
 *
 * Facts about particular opcodes still kept beside their one user, not here: the validator's natural alignment and
 * value type of each load and store, the translator's fusion tables (`compile/translate/fusion.ts`), and the
 * machine's own `switch` (checked against `isa.ts` by a test).
 *
 * Instructions Kiln does not implement yet are listed too (with their feature), so that every stage can report
 * "unsupported: <feature>" instead of "unknown operator". Whole prefixed spaces of such features (GC `0xfb`, threads
 * `0xfe`) are named by {@link prefixFeature} instead of row by row; SIMD's `0xfd` space is listed row by row.
 *
 * @module
 */

/** The kinds of immediate operand that follow an opcode in the binary format (spec §5.4). */
export type Imm =
  | "none"
  | "blocktype" // block, loop, if
  | "label" // br, br_if
  | "br_table" // vec(labelidx) labelidx
  | "func" // call, ref.func, return_call
  | "call_indirect" // typeidx tableidx
  | "local"
  | "global"
  | "table" // table.get/set/grow/size/fill
  | "memarg" // align offset
  | "memory" // memory.size/grow, memory.fill: one memidx (a reserved 0 byte in 2.0)
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "select_t" // vec(valtype)
  | "reftype" // ref.null
  | "memory.init" // dataidx memidx
  | "data" // data.drop
  | "memory.copy" // memidx memidx
  | "table.init" // elemidx tableidx
  | "elem" // elem.drop
  | "table.copy" // tableidx tableidx
  | "type" // call_ref, return_call_ref
  | "try_table" // blocktype vec(catch)
  | "tag" // throw
  | "v128" // v128.const: 16 bytes
  | "shuffle" // i8x16.shuffle: 16 lane indices, one byte each
  | "lane" // extract_lane, replace_lane: one lane index byte
  | "memarg_lane" // v128.load*_lane, v128.store*_lane: memarg, then a lane index byte
  | "type_field" // struct.get/set: typeidx fieldidx
  | "type_u32" // array.new_fixed: typeidx u32
  | "type_data" // array.new_data, array.init_data: typeidx dataidx
  | "type_elem" // array.new_elem, array.init_elem: typeidx elemidx
  | "type_type" // array.copy: typeidx typeidx
  | "heaptype" // ref.test, ref.cast: a heap type (the opcode says the nullability)
  | "br_on_cast"; // castflags u8, labelidx, heaptype, heaptype

/**
 * The feature an instruction belongs to. `core` is everything in WebAssembly 2.0 except its fixed-width SIMD;
 * `simd` is 2.0's fixed-width SIMD, `relaxed-simd` 3.0's relaxed SIMD; `exceptions` is 3.0's exception handling (`throw`,
 * `throw_ref`, `try_table`), `legacy-exceptions` the older form (`try`, `catch`, `catch_all`, `delegate`,
 * `rethrow`) that 3.0 does not include. Which features Kiln implements is {@link IMPLEMENTED_FEATURES};
 * the others are reported as unsupported until implemented.
 */
export type Feature =
  | "core"
  | "simd"
  | "relaxed-simd"
  | "tail-call"
  | "exceptions"
  | "legacy-exceptions"
  | "function-references"
  | "gc"
  | "threads"
  | "extended-const"
  | "wide-arithmetic"
  | "multi-memory"
  | "memory64"
  | "custom-page-sizes";

/**
 * The features Kiln implements: their instructions are read, validated, translated and run; every other feature's
 * are reported as unsupported. (`extended-const` adds no instruction, only their use in constant expressions.)
 */
export const IMPLEMENTED_FEATURES: ReadonlySet<Feature> = new Set<Feature>([
  "core",
  "simd",
  "relaxed-simd",
  "tail-call",
  "function-references",
  "exceptions",
  "legacy-exceptions",
  "extended-const",
  "wide-arithmetic",
  "memory64",
]);

/**
 * The features the front end reads and validates (decoder, instruction reader, validator, text format): the
 * implemented ones, and GC, whose modules are then refused at instantiation until the machine runs them
 * (`runtime/gc.ts`).
 */
export const FRONT_END_FEATURES: ReadonlySet<Feature> = new Set<Feature>([...IMPLEMENTED_FEATURES, "gc"]);

/** One row of the table. */
export interface OpInfo {
  /** Text-format mnemonic, e.g. `i32.add`. */
  readonly name: string;
  /** `0` for single-byte opcodes, else the prefix byte (`0xfc`). */
  readonly prefix: number;
  /** The opcode byte, or the LEB128 u32 sub-opcode after a prefix. */
  readonly code: number;
  readonly imm: Imm;
  /**
   * Fixed stack signature as `params:results` with one letter per value (`i` i32, `I` i64, `f` f32, `F` f64,
   * `V` v128),
   * e.g. `ii:i` for `i32.add`. `null` for instructions whose typing the validator handles by hand (control,
   * variables, memory access, references, parametric).
   */
  readonly sig: string | null;
  readonly feature: Feature;
  /** Fuel cost in Wasmtime's model: 0 for nop, drop, block, loop, unreachable, return, else, end; 1 otherwise. */
  readonly fuel: number;
}

type Row = readonly [name: string, code: number, imm: Imm, sig: string | null, feature?: Feature];

// Why: rows are compact tuples; `OPCODES` below expands them once at module load.
const SINGLE_BYTE: readonly Row[] = [
  ["unreachable", 0x00, "none", null],
  ["nop", 0x01, "none", null],
  ["block", 0x02, "blocktype", null],
  ["loop", 0x03, "blocktype", null],
  ["if", 0x04, "blocktype", null],
  ["else", 0x05, "none", null],
  ["try", 0x06, "blocktype", null, "legacy-exceptions"],
  ["catch", 0x07, "tag", null, "legacy-exceptions"],
  ["throw", 0x08, "tag", null, "exceptions"],
  ["rethrow", 0x09, "label", null, "legacy-exceptions"],
  ["throw_ref", 0x0a, "none", null, "exceptions"],
  ["end", 0x0b, "none", null],
  ["br", 0x0c, "label", null],
  ["br_if", 0x0d, "label", null],
  ["br_table", 0x0e, "br_table", null],
  ["return", 0x0f, "none", null],
  ["call", 0x10, "func", null],
  ["call_indirect", 0x11, "call_indirect", null],
  ["return_call", 0x12, "func", null, "tail-call"],
  ["return_call_indirect", 0x13, "call_indirect", null, "tail-call"],
  ["call_ref", 0x14, "type", null, "function-references"],
  ["return_call_ref", 0x15, "type", null, "function-references"],
  ["delegate", 0x18, "label", null, "legacy-exceptions"],
  ["catch_all", 0x19, "none", null, "legacy-exceptions"],
  ["drop", 0x1a, "none", null],
  ["select", 0x1b, "none", null],
  ["select", 0x1c, "select_t", null], // typed select; the text format spells both `select`
  ["try_table", 0x1f, "try_table", null, "exceptions"],
  ["local.get", 0x20, "local", null],
  ["local.set", 0x21, "local", null],
  ["local.tee", 0x22, "local", null],
  ["global.get", 0x23, "global", null],
  ["global.set", 0x24, "global", null],
  ["table.get", 0x25, "table", null],
  ["table.set", 0x26, "table", null],
  ["i32.load", 0x28, "memarg", null],
  ["i64.load", 0x29, "memarg", null],
  ["f32.load", 0x2a, "memarg", null],
  ["f64.load", 0x2b, "memarg", null],
  ["i32.load8_s", 0x2c, "memarg", null],
  ["i32.load8_u", 0x2d, "memarg", null],
  ["i32.load16_s", 0x2e, "memarg", null],
  ["i32.load16_u", 0x2f, "memarg", null],
  ["i64.load8_s", 0x30, "memarg", null],
  ["i64.load8_u", 0x31, "memarg", null],
  ["i64.load16_s", 0x32, "memarg", null],
  ["i64.load16_u", 0x33, "memarg", null],
  ["i64.load32_s", 0x34, "memarg", null],
  ["i64.load32_u", 0x35, "memarg", null],
  ["i32.store", 0x36, "memarg", null],
  ["i64.store", 0x37, "memarg", null],
  ["f32.store", 0x38, "memarg", null],
  ["f64.store", 0x39, "memarg", null],
  ["i32.store8", 0x3a, "memarg", null],
  ["i32.store16", 0x3b, "memarg", null],
  ["i64.store8", 0x3c, "memarg", null],
  ["i64.store16", 0x3d, "memarg", null],
  ["i64.store32", 0x3e, "memarg", null],
  ["memory.size", 0x3f, "memory", null],
  ["memory.grow", 0x40, "memory", null],
  ["i32.const", 0x41, "i32", ":i"],
  ["i64.const", 0x42, "i64", ":I"],
  ["f32.const", 0x43, "f32", ":f"],
  ["f64.const", 0x44, "f64", ":F"],
  ["i32.eqz", 0x45, "none", "i:i"],
  ["i32.eq", 0x46, "none", "ii:i"],
  ["i32.ne", 0x47, "none", "ii:i"],
  ["i32.lt_s", 0x48, "none", "ii:i"],
  ["i32.lt_u", 0x49, "none", "ii:i"],
  ["i32.gt_s", 0x4a, "none", "ii:i"],
  ["i32.gt_u", 0x4b, "none", "ii:i"],
  ["i32.le_s", 0x4c, "none", "ii:i"],
  ["i32.le_u", 0x4d, "none", "ii:i"],
  ["i32.ge_s", 0x4e, "none", "ii:i"],
  ["i32.ge_u", 0x4f, "none", "ii:i"],
  ["i64.eqz", 0x50, "none", "I:i"],
  ["i64.eq", 0x51, "none", "II:i"],
  ["i64.ne", 0x52, "none", "II:i"],
  ["i64.lt_s", 0x53, "none", "II:i"],
  ["i64.lt_u", 0x54, "none", "II:i"],
  ["i64.gt_s", 0x55, "none", "II:i"],
  ["i64.gt_u", 0x56, "none", "II:i"],
  ["i64.le_s", 0x57, "none", "II:i"],
  ["i64.le_u", 0x58, "none", "II:i"],
  ["i64.ge_s", 0x59, "none", "II:i"],
  ["i64.ge_u", 0x5a, "none", "II:i"],
  ["f32.eq", 0x5b, "none", "ff:i"],
  ["f32.ne", 0x5c, "none", "ff:i"],
  ["f32.lt", 0x5d, "none", "ff:i"],
  ["f32.gt", 0x5e, "none", "ff:i"],
  ["f32.le", 0x5f, "none", "ff:i"],
  ["f32.ge", 0x60, "none", "ff:i"],
  ["f64.eq", 0x61, "none", "FF:i"],
  ["f64.ne", 0x62, "none", "FF:i"],
  ["f64.lt", 0x63, "none", "FF:i"],
  ["f64.gt", 0x64, "none", "FF:i"],
  ["f64.le", 0x65, "none", "FF:i"],
  ["f64.ge", 0x66, "none", "FF:i"],
  ["i32.clz", 0x67, "none", "i:i"],
  ["i32.ctz", 0x68, "none", "i:i"],
  ["i32.popcnt", 0x69, "none", "i:i"],
  ["i32.add", 0x6a, "none", "ii:i"],
  ["i32.sub", 0x6b, "none", "ii:i"],
  ["i32.mul", 0x6c, "none", "ii:i"],
  ["i32.div_s", 0x6d, "none", "ii:i"],
  ["i32.div_u", 0x6e, "none", "ii:i"],
  ["i32.rem_s", 0x6f, "none", "ii:i"],
  ["i32.rem_u", 0x70, "none", "ii:i"],
  ["i32.and", 0x71, "none", "ii:i"],
  ["i32.or", 0x72, "none", "ii:i"],
  ["i32.xor", 0x73, "none", "ii:i"],
  ["i32.shl", 0x74, "none", "ii:i"],
  ["i32.shr_s", 0x75, "none", "ii:i"],
  ["i32.shr_u", 0x76, "none", "ii:i"],
  ["i32.rotl", 0x77, "none", "ii:i"],
  ["i32.rotr", 0x78, "none", "ii:i"],
  ["i64.clz", 0x79, "none", "I:I"],
  ["i64.ctz", 0x7a, "none", "I:I"],
  ["i64.popcnt", 0x7b, "none", "I:I"],
  ["i64.add", 0x7c, "none", "II:I"],
  ["i64.sub", 0x7d, "none", "II:I"],
  ["i64.mul", 0x7e, "none", "II:I"],
  ["i64.div_s", 0x7f, "none", "II:I"],
  ["i64.div_u", 0x80, "none", "II:I"],
  ["i64.rem_s", 0x81, "none", "II:I"],
  ["i64.rem_u", 0x82, "none", "II:I"],
  ["i64.and", 0x83, "none", "II:I"],
  ["i64.or", 0x84, "none", "II:I"],
  ["i64.xor", 0x85, "none", "II:I"],
  ["i64.shl", 0x86, "none", "II:I"],
  ["i64.shr_s", 0x87, "none", "II:I"],
  ["i64.shr_u", 0x88, "none", "II:I"],
  ["i64.rotl", 0x89, "none", "II:I"],
  ["i64.rotr", 0x8a, "none", "II:I"],
  ["f32.abs", 0x8b, "none", "f:f"],
  ["f32.neg", 0x8c, "none", "f:f"],
  ["f32.ceil", 0x8d, "none", "f:f"],
  ["f32.floor", 0x8e, "none", "f:f"],
  ["f32.trunc", 0x8f, "none", "f:f"],
  ["f32.nearest", 0x90, "none", "f:f"],
  ["f32.sqrt", 0x91, "none", "f:f"],
  ["f32.add", 0x92, "none", "ff:f"],
  ["f32.sub", 0x93, "none", "ff:f"],
  ["f32.mul", 0x94, "none", "ff:f"],
  ["f32.div", 0x95, "none", "ff:f"],
  ["f32.min", 0x96, "none", "ff:f"],
  ["f32.max", 0x97, "none", "ff:f"],
  ["f32.copysign", 0x98, "none", "ff:f"],
  ["f64.abs", 0x99, "none", "F:F"],
  ["f64.neg", 0x9a, "none", "F:F"],
  ["f64.ceil", 0x9b, "none", "F:F"],
  ["f64.floor", 0x9c, "none", "F:F"],
  ["f64.trunc", 0x9d, "none", "F:F"],
  ["f64.nearest", 0x9e, "none", "F:F"],
  ["f64.sqrt", 0x9f, "none", "F:F"],
  ["f64.add", 0xa0, "none", "FF:F"],
  ["f64.sub", 0xa1, "none", "FF:F"],
  ["f64.mul", 0xa2, "none", "FF:F"],
  ["f64.div", 0xa3, "none", "FF:F"],
  ["f64.min", 0xa4, "none", "FF:F"],
  ["f64.max", 0xa5, "none", "FF:F"],
  ["f64.copysign", 0xa6, "none", "FF:F"],
  ["i32.wrap_i64", 0xa7, "none", "I:i"],
  ["i32.trunc_f32_s", 0xa8, "none", "f:i"],
  ["i32.trunc_f32_u", 0xa9, "none", "f:i"],
  ["i32.trunc_f64_s", 0xaa, "none", "F:i"],
  ["i32.trunc_f64_u", 0xab, "none", "F:i"],
  ["i64.extend_i32_s", 0xac, "none", "i:I"],
  ["i64.extend_i32_u", 0xad, "none", "i:I"],
  ["i64.trunc_f32_s", 0xae, "none", "f:I"],
  ["i64.trunc_f32_u", 0xaf, "none", "f:I"],
  ["i64.trunc_f64_s", 0xb0, "none", "F:I"],
  ["i64.trunc_f64_u", 0xb1, "none", "F:I"],
  ["f32.convert_i32_s", 0xb2, "none", "i:f"],
  ["f32.convert_i32_u", 0xb3, "none", "i:f"],
  ["f32.convert_i64_s", 0xb4, "none", "I:f"],
  ["f32.convert_i64_u", 0xb5, "none", "I:f"],
  ["f32.demote_f64", 0xb6, "none", "F:f"],
  ["f64.convert_i32_s", 0xb7, "none", "i:F"],
  ["f64.convert_i32_u", 0xb8, "none", "i:F"],
  ["f64.convert_i64_s", 0xb9, "none", "I:F"],
  ["f64.convert_i64_u", 0xba, "none", "I:F"],
  ["f64.promote_f32", 0xbb, "none", "f:F"],
  ["i32.reinterpret_f32", 0xbc, "none", "f:i"],
  ["i64.reinterpret_f64", 0xbd, "none", "F:I"],
  ["f32.reinterpret_i32", 0xbe, "none", "i:f"],
  ["f64.reinterpret_i64", 0xbf, "none", "I:F"],
  ["i32.extend8_s", 0xc0, "none", "i:i"],
  ["i32.extend16_s", 0xc1, "none", "i:i"],
  ["i64.extend8_s", 0xc2, "none", "I:I"],
  ["i64.extend16_s", 0xc3, "none", "I:I"],
  ["i64.extend32_s", 0xc4, "none", "I:I"],
  ["ref.null", 0xd0, "reftype", null],
  ["ref.is_null", 0xd1, "none", null],
  ["ref.func", 0xd2, "func", null],
  ["ref.eq", 0xd3, "none", null, "gc"],
  ["ref.as_non_null", 0xd4, "none", null, "function-references"],
  ["br_on_null", 0xd5, "label", null, "function-references"],
  ["br_on_non_null", 0xd6, "label", null, "function-references"],
];

const PREFIX_FC: readonly Row[] = [
  ["i32.trunc_sat_f32_s", 0, "none", "f:i"],
  ["i32.trunc_sat_f32_u", 1, "none", "f:i"],
  ["i32.trunc_sat_f64_s", 2, "none", "F:i"],
  ["i32.trunc_sat_f64_u", 3, "none", "F:i"],
  ["i64.trunc_sat_f32_s", 4, "none", "f:I"],
  ["i64.trunc_sat_f32_u", 5, "none", "f:I"],
  ["i64.trunc_sat_f64_s", 6, "none", "F:I"],
  ["i64.trunc_sat_f64_u", 7, "none", "F:I"],
  ["memory.init", 8, "memory.init", null],
  ["data.drop", 9, "data", null],
  ["memory.copy", 10, "memory.copy", null],
  ["memory.fill", 11, "memory", null],
  ["table.init", 12, "table.init", null],
  ["elem.drop", 13, "elem", null],
  ["table.copy", 14, "table.copy", null],
  ["table.grow", 15, "table", null],
  ["table.size", 16, "table", null],
  ["table.fill", 17, "table", null],
  ["i64.add128", 19, "none", "IIII:II", "wide-arithmetic"],
  ["i64.sub128", 20, "none", "IIII:II", "wide-arithmetic"],
  ["i64.mul_wide_s", 21, "none", "II:II", "wide-arithmetic"],
  ["i64.mul_wide_u", 22, "none", "II:II", "wide-arithmetic"],
];

/** The `0xfd` (SIMD) sub-opcodes: 2.0's fixed-width SIMD (feature `simd`) and 3.0's relaxed SIMD (`relaxed-simd`). */
const PREFIX_FD: readonly Row[] = [
  ["v128.load", 0x00, "memarg", null, "simd"],
  ["v128.load8x8_s", 0x01, "memarg", null, "simd"],
  ["v128.load8x8_u", 0x02, "memarg", null, "simd"],
  ["v128.load16x4_s", 0x03, "memarg", null, "simd"],
  ["v128.load16x4_u", 0x04, "memarg", null, "simd"],
  ["v128.load32x2_s", 0x05, "memarg", null, "simd"],
  ["v128.load32x2_u", 0x06, "memarg", null, "simd"],
  ["v128.load8_splat", 0x07, "memarg", null, "simd"],
  ["v128.load16_splat", 0x08, "memarg", null, "simd"],
  ["v128.load32_splat", 0x09, "memarg", null, "simd"],
  ["v128.load64_splat", 0x0a, "memarg", null, "simd"],
  ["v128.store", 0x0b, "memarg", null, "simd"],
  ["v128.const", 0x0c, "v128", ":V", "simd"],
  ["i8x16.shuffle", 0x0d, "shuffle", "VV:V", "simd"],
  ["i8x16.swizzle", 0x0e, "none", "VV:V", "simd"],
  ["i8x16.splat", 0x0f, "none", "i:V", "simd"],
  ["i16x8.splat", 0x10, "none", "i:V", "simd"],
  ["i32x4.splat", 0x11, "none", "i:V", "simd"],
  ["i64x2.splat", 0x12, "none", "I:V", "simd"],
  ["f32x4.splat", 0x13, "none", "f:V", "simd"],
  ["f64x2.splat", 0x14, "none", "F:V", "simd"],
  ["i8x16.extract_lane_s", 0x15, "lane", "V:i", "simd"],
  ["i8x16.extract_lane_u", 0x16, "lane", "V:i", "simd"],
  ["i8x16.replace_lane", 0x17, "lane", "Vi:V", "simd"],
  ["i16x8.extract_lane_s", 0x18, "lane", "V:i", "simd"],
  ["i16x8.extract_lane_u", 0x19, "lane", "V:i", "simd"],
  ["i16x8.replace_lane", 0x1a, "lane", "Vi:V", "simd"],
  ["i32x4.extract_lane", 0x1b, "lane", "V:i", "simd"],
  ["i32x4.replace_lane", 0x1c, "lane", "Vi:V", "simd"],
  ["i64x2.extract_lane", 0x1d, "lane", "V:I", "simd"],
  ["i64x2.replace_lane", 0x1e, "lane", "VI:V", "simd"],
  ["f32x4.extract_lane", 0x1f, "lane", "V:f", "simd"],
  ["f32x4.replace_lane", 0x20, "lane", "Vf:V", "simd"],
  ["f64x2.extract_lane", 0x21, "lane", "V:F", "simd"],
  ["f64x2.replace_lane", 0x22, "lane", "VF:V", "simd"],
  ["i8x16.eq", 0x23, "none", "VV:V", "simd"],
  ["i8x16.ne", 0x24, "none", "VV:V", "simd"],
  ["i8x16.lt_s", 0x25, "none", "VV:V", "simd"],
  ["i8x16.lt_u", 0x26, "none", "VV:V", "simd"],
  ["i8x16.gt_s", 0x27, "none", "VV:V", "simd"],
  ["i8x16.gt_u", 0x28, "none", "VV:V", "simd"],
  ["i8x16.le_s", 0x29, "none", "VV:V", "simd"],
  ["i8x16.le_u", 0x2a, "none", "VV:V", "simd"],
  ["i8x16.ge_s", 0x2b, "none", "VV:V", "simd"],
  ["i8x16.ge_u", 0x2c, "none", "VV:V", "simd"],
  ["i16x8.eq", 0x2d, "none", "VV:V", "simd"],
  ["i16x8.ne", 0x2e, "none", "VV:V", "simd"],
  ["i16x8.lt_s", 0x2f, "none", "VV:V", "simd"],
  ["i16x8.lt_u", 0x30, "none", "VV:V", "simd"],
  ["i16x8.gt_s", 0x31, "none", "VV:V", "simd"],
  ["i16x8.gt_u", 0x32, "none", "VV:V", "simd"],
  ["i16x8.le_s", 0x33, "none", "VV:V", "simd"],
  ["i16x8.le_u", 0x34, "none", "VV:V", "simd"],
  ["i16x8.ge_s", 0x35, "none", "VV:V", "simd"],
  ["i16x8.ge_u", 0x36, "none", "VV:V", "simd"],
  ["i32x4.eq", 0x37, "none", "VV:V", "simd"],
  ["i32x4.ne", 0x38, "none", "VV:V", "simd"],
  ["i32x4.lt_s", 0x39, "none", "VV:V", "simd"],
  ["i32x4.lt_u", 0x3a, "none", "VV:V", "simd"],
  ["i32x4.gt_s", 0x3b, "none", "VV:V", "simd"],
  ["i32x4.gt_u", 0x3c, "none", "VV:V", "simd"],
  ["i32x4.le_s", 0x3d, "none", "VV:V", "simd"],
  ["i32x4.le_u", 0x3e, "none", "VV:V", "simd"],
  ["i32x4.ge_s", 0x3f, "none", "VV:V", "simd"],
  ["i32x4.ge_u", 0x40, "none", "VV:V", "simd"],
  ["f32x4.eq", 0x41, "none", "VV:V", "simd"],
  ["f32x4.ne", 0x42, "none", "VV:V", "simd"],
  ["f32x4.lt", 0x43, "none", "VV:V", "simd"],
  ["f32x4.gt", 0x44, "none", "VV:V", "simd"],
  ["f32x4.le", 0x45, "none", "VV:V", "simd"],
  ["f32x4.ge", 0x46, "none", "VV:V", "simd"],
  ["f64x2.eq", 0x47, "none", "VV:V", "simd"],
  ["f64x2.ne", 0x48, "none", "VV:V", "simd"],
  ["f64x2.lt", 0x49, "none", "VV:V", "simd"],
  ["f64x2.gt", 0x4a, "none", "VV:V", "simd"],
  ["f64x2.le", 0x4b, "none", "VV:V", "simd"],
  ["f64x2.ge", 0x4c, "none", "VV:V", "simd"],
  ["v128.not", 0x4d, "none", "V:V", "simd"],
  ["v128.and", 0x4e, "none", "VV:V", "simd"],
  ["v128.andnot", 0x4f, "none", "VV:V", "simd"],
  ["v128.or", 0x50, "none", "VV:V", "simd"],
  ["v128.xor", 0x51, "none", "VV:V", "simd"],
  ["v128.bitselect", 0x52, "none", "VVV:V", "simd"],
  ["v128.any_true", 0x53, "none", "V:i", "simd"],
  ["v128.load8_lane", 0x54, "memarg_lane", null, "simd"],
  ["v128.load16_lane", 0x55, "memarg_lane", null, "simd"],
  ["v128.load32_lane", 0x56, "memarg_lane", null, "simd"],
  ["v128.load64_lane", 0x57, "memarg_lane", null, "simd"],
  ["v128.store8_lane", 0x58, "memarg_lane", null, "simd"],
  ["v128.store16_lane", 0x59, "memarg_lane", null, "simd"],
  ["v128.store32_lane", 0x5a, "memarg_lane", null, "simd"],
  ["v128.store64_lane", 0x5b, "memarg_lane", null, "simd"],
  ["v128.load32_zero", 0x5c, "memarg", null, "simd"],
  ["v128.load64_zero", 0x5d, "memarg", null, "simd"],
  ["f32x4.demote_f64x2_zero", 0x5e, "none", "V:V", "simd"],
  ["f64x2.promote_low_f32x4", 0x5f, "none", "V:V", "simd"],
  ["i8x16.abs", 0x60, "none", "V:V", "simd"],
  ["i8x16.neg", 0x61, "none", "V:V", "simd"],
  ["i8x16.popcnt", 0x62, "none", "V:V", "simd"],
  ["i8x16.all_true", 0x63, "none", "V:i", "simd"],
  ["i8x16.bitmask", 0x64, "none", "V:i", "simd"],
  ["i8x16.narrow_i16x8_s", 0x65, "none", "VV:V", "simd"],
  ["i8x16.narrow_i16x8_u", 0x66, "none", "VV:V", "simd"],
  ["f32x4.ceil", 0x67, "none", "V:V", "simd"],
  ["f32x4.floor", 0x68, "none", "V:V", "simd"],
  ["f32x4.trunc", 0x69, "none", "V:V", "simd"],
  ["f32x4.nearest", 0x6a, "none", "V:V", "simd"],
  ["i8x16.shl", 0x6b, "none", "Vi:V", "simd"],
  ["i8x16.shr_s", 0x6c, "none", "Vi:V", "simd"],
  ["i8x16.shr_u", 0x6d, "none", "Vi:V", "simd"],
  ["i8x16.add", 0x6e, "none", "VV:V", "simd"],
  ["i8x16.add_sat_s", 0x6f, "none", "VV:V", "simd"],
  ["i8x16.add_sat_u", 0x70, "none", "VV:V", "simd"],
  ["i8x16.sub", 0x71, "none", "VV:V", "simd"],
  ["i8x16.sub_sat_s", 0x72, "none", "VV:V", "simd"],
  ["i8x16.sub_sat_u", 0x73, "none", "VV:V", "simd"],
  ["f64x2.ceil", 0x74, "none", "V:V", "simd"],
  ["f64x2.floor", 0x75, "none", "V:V", "simd"],
  ["i8x16.min_s", 0x76, "none", "VV:V", "simd"],
  ["i8x16.min_u", 0x77, "none", "VV:V", "simd"],
  ["i8x16.max_s", 0x78, "none", "VV:V", "simd"],
  ["i8x16.max_u", 0x79, "none", "VV:V", "simd"],
  ["f64x2.trunc", 0x7a, "none", "V:V", "simd"],
  ["i8x16.avgr_u", 0x7b, "none", "VV:V", "simd"],
  ["i16x8.extadd_pairwise_i8x16_s", 0x7c, "none", "V:V", "simd"],
  ["i16x8.extadd_pairwise_i8x16_u", 0x7d, "none", "V:V", "simd"],
  ["i32x4.extadd_pairwise_i16x8_s", 0x7e, "none", "V:V", "simd"],
  ["i32x4.extadd_pairwise_i16x8_u", 0x7f, "none", "V:V", "simd"],
  ["i16x8.abs", 0x80, "none", "V:V", "simd"],
  ["i16x8.neg", 0x81, "none", "V:V", "simd"],
  ["i16x8.q15mulr_sat_s", 0x82, "none", "VV:V", "simd"],
  ["i16x8.all_true", 0x83, "none", "V:i", "simd"],
  ["i16x8.bitmask", 0x84, "none", "V:i", "simd"],
  ["i16x8.narrow_i32x4_s", 0x85, "none", "VV:V", "simd"],
  ["i16x8.narrow_i32x4_u", 0x86, "none", "VV:V", "simd"],
  ["i16x8.extend_low_i8x16_s", 0x87, "none", "V:V", "simd"],
  ["i16x8.extend_high_i8x16_s", 0x88, "none", "V:V", "simd"],
  ["i16x8.extend_low_i8x16_u", 0x89, "none", "V:V", "simd"],
  ["i16x8.extend_high_i8x16_u", 0x8a, "none", "V:V", "simd"],
  ["i16x8.shl", 0x8b, "none", "Vi:V", "simd"],
  ["i16x8.shr_s", 0x8c, "none", "Vi:V", "simd"],
  ["i16x8.shr_u", 0x8d, "none", "Vi:V", "simd"],
  ["i16x8.add", 0x8e, "none", "VV:V", "simd"],
  ["i16x8.add_sat_s", 0x8f, "none", "VV:V", "simd"],
  ["i16x8.add_sat_u", 0x90, "none", "VV:V", "simd"],
  ["i16x8.sub", 0x91, "none", "VV:V", "simd"],
  ["i16x8.sub_sat_s", 0x92, "none", "VV:V", "simd"],
  ["i16x8.sub_sat_u", 0x93, "none", "VV:V", "simd"],
  ["f64x2.nearest", 0x94, "none", "V:V", "simd"],
  ["i16x8.mul", 0x95, "none", "VV:V", "simd"],
  ["i16x8.min_s", 0x96, "none", "VV:V", "simd"],
  ["i16x8.min_u", 0x97, "none", "VV:V", "simd"],
  ["i16x8.max_s", 0x98, "none", "VV:V", "simd"],
  ["i16x8.max_u", 0x99, "none", "VV:V", "simd"],
  ["i16x8.avgr_u", 0x9b, "none", "VV:V", "simd"],
  ["i16x8.extmul_low_i8x16_s", 0x9c, "none", "VV:V", "simd"],
  ["i16x8.extmul_high_i8x16_s", 0x9d, "none", "VV:V", "simd"],
  ["i16x8.extmul_low_i8x16_u", 0x9e, "none", "VV:V", "simd"],
  ["i16x8.extmul_high_i8x16_u", 0x9f, "none", "VV:V", "simd"],
  ["i32x4.abs", 0xa0, "none", "V:V", "simd"],
  ["i32x4.neg", 0xa1, "none", "V:V", "simd"],
  ["i32x4.all_true", 0xa3, "none", "V:i", "simd"],
  ["i32x4.bitmask", 0xa4, "none", "V:i", "simd"],
  ["i32x4.extend_low_i16x8_s", 0xa7, "none", "V:V", "simd"],
  ["i32x4.extend_high_i16x8_s", 0xa8, "none", "V:V", "simd"],
  ["i32x4.extend_low_i16x8_u", 0xa9, "none", "V:V", "simd"],
  ["i32x4.extend_high_i16x8_u", 0xaa, "none", "V:V", "simd"],
  ["i32x4.shl", 0xab, "none", "Vi:V", "simd"],
  ["i32x4.shr_s", 0xac, "none", "Vi:V", "simd"],
  ["i32x4.shr_u", 0xad, "none", "Vi:V", "simd"],
  ["i32x4.add", 0xae, "none", "VV:V", "simd"],
  ["i32x4.sub", 0xb1, "none", "VV:V", "simd"],
  ["i32x4.mul", 0xb5, "none", "VV:V", "simd"],
  ["i32x4.min_s", 0xb6, "none", "VV:V", "simd"],
  ["i32x4.min_u", 0xb7, "none", "VV:V", "simd"],
  ["i32x4.max_s", 0xb8, "none", "VV:V", "simd"],
  ["i32x4.max_u", 0xb9, "none", "VV:V", "simd"],
  ["i32x4.dot_i16x8_s", 0xba, "none", "VV:V", "simd"],
  ["i32x4.extmul_low_i16x8_s", 0xbc, "none", "VV:V", "simd"],
  ["i32x4.extmul_high_i16x8_s", 0xbd, "none", "VV:V", "simd"],
  ["i32x4.extmul_low_i16x8_u", 0xbe, "none", "VV:V", "simd"],
  ["i32x4.extmul_high_i16x8_u", 0xbf, "none", "VV:V", "simd"],
  ["i64x2.abs", 0xc0, "none", "V:V", "simd"],
  ["i64x2.neg", 0xc1, "none", "V:V", "simd"],
  ["i64x2.all_true", 0xc3, "none", "V:i", "simd"],
  ["i64x2.bitmask", 0xc4, "none", "V:i", "simd"],
  ["i64x2.extend_low_i32x4_s", 0xc7, "none", "V:V", "simd"],
  ["i64x2.extend_high_i32x4_s", 0xc8, "none", "V:V", "simd"],
  ["i64x2.extend_low_i32x4_u", 0xc9, "none", "V:V", "simd"],
  ["i64x2.extend_high_i32x4_u", 0xca, "none", "V:V", "simd"],
  ["i64x2.shl", 0xcb, "none", "Vi:V", "simd"],
  ["i64x2.shr_s", 0xcc, "none", "Vi:V", "simd"],
  ["i64x2.shr_u", 0xcd, "none", "Vi:V", "simd"],
  ["i64x2.add", 0xce, "none", "VV:V", "simd"],
  ["i64x2.sub", 0xd1, "none", "VV:V", "simd"],
  ["i64x2.mul", 0xd5, "none", "VV:V", "simd"],
  ["i64x2.eq", 0xd6, "none", "VV:V", "simd"],
  ["i64x2.ne", 0xd7, "none", "VV:V", "simd"],
  ["i64x2.lt_s", 0xd8, "none", "VV:V", "simd"],
  ["i64x2.gt_s", 0xd9, "none", "VV:V", "simd"],
  ["i64x2.le_s", 0xda, "none", "VV:V", "simd"],
  ["i64x2.ge_s", 0xdb, "none", "VV:V", "simd"],
  ["i64x2.extmul_low_i32x4_s", 0xdc, "none", "VV:V", "simd"],
  ["i64x2.extmul_high_i32x4_s", 0xdd, "none", "VV:V", "simd"],
  ["i64x2.extmul_low_i32x4_u", 0xde, "none", "VV:V", "simd"],
  ["i64x2.extmul_high_i32x4_u", 0xdf, "none", "VV:V", "simd"],
  ["f32x4.abs", 0xe0, "none", "V:V", "simd"],
  ["f32x4.neg", 0xe1, "none", "V:V", "simd"],
  ["f32x4.sqrt", 0xe3, "none", "V:V", "simd"],
  ["f32x4.add", 0xe4, "none", "VV:V", "simd"],
  ["f32x4.sub", 0xe5, "none", "VV:V", "simd"],
  ["f32x4.mul", 0xe6, "none", "VV:V", "simd"],
  ["f32x4.div", 0xe7, "none", "VV:V", "simd"],
  ["f32x4.min", 0xe8, "none", "VV:V", "simd"],
  ["f32x4.max", 0xe9, "none", "VV:V", "simd"],
  ["f32x4.pmin", 0xea, "none", "VV:V", "simd"],
  ["f32x4.pmax", 0xeb, "none", "VV:V", "simd"],
  ["f64x2.abs", 0xec, "none", "V:V", "simd"],
  ["f64x2.neg", 0xed, "none", "V:V", "simd"],
  ["f64x2.sqrt", 0xef, "none", "V:V", "simd"],
  ["f64x2.add", 0xf0, "none", "VV:V", "simd"],
  ["f64x2.sub", 0xf1, "none", "VV:V", "simd"],
  ["f64x2.mul", 0xf2, "none", "VV:V", "simd"],
  ["f64x2.div", 0xf3, "none", "VV:V", "simd"],
  ["f64x2.min", 0xf4, "none", "VV:V", "simd"],
  ["f64x2.max", 0xf5, "none", "VV:V", "simd"],
  ["f64x2.pmin", 0xf6, "none", "VV:V", "simd"],
  ["f64x2.pmax", 0xf7, "none", "VV:V", "simd"],
  ["i32x4.trunc_sat_f32x4_s", 0xf8, "none", "V:V", "simd"],
  ["i32x4.trunc_sat_f32x4_u", 0xf9, "none", "V:V", "simd"],
  ["f32x4.convert_i32x4_s", 0xfa, "none", "V:V", "simd"],
  ["f32x4.convert_i32x4_u", 0xfb, "none", "V:V", "simd"],
  ["i32x4.trunc_sat_f64x2_s_zero", 0xfc, "none", "V:V", "simd"],
  ["i32x4.trunc_sat_f64x2_u_zero", 0xfd, "none", "V:V", "simd"],
  ["f64x2.convert_low_i32x4_s", 0xfe, "none", "V:V", "simd"],
  ["f64x2.convert_low_i32x4_u", 0xff, "none", "V:V", "simd"],
  ["i8x16.relaxed_swizzle", 0x100, "none", "VV:V", "relaxed-simd"],
  ["i32x4.relaxed_trunc_f32x4_s", 0x101, "none", "V:V", "relaxed-simd"],
  ["i32x4.relaxed_trunc_f32x4_u", 0x102, "none", "V:V", "relaxed-simd"],
  ["i32x4.relaxed_trunc_f64x2_s_zero", 0x103, "none", "V:V", "relaxed-simd"],
  ["i32x4.relaxed_trunc_f64x2_u_zero", 0x104, "none", "V:V", "relaxed-simd"],
  ["f32x4.relaxed_madd", 0x105, "none", "VVV:V", "relaxed-simd"],
  ["f32x4.relaxed_nmadd", 0x106, "none", "VVV:V", "relaxed-simd"],
  ["f64x2.relaxed_madd", 0x107, "none", "VVV:V", "relaxed-simd"],
  ["f64x2.relaxed_nmadd", 0x108, "none", "VVV:V", "relaxed-simd"],
  ["i8x16.relaxed_laneselect", 0x109, "none", "VVV:V", "relaxed-simd"],
  ["i16x8.relaxed_laneselect", 0x10a, "none", "VVV:V", "relaxed-simd"],
  ["i32x4.relaxed_laneselect", 0x10b, "none", "VVV:V", "relaxed-simd"],
  ["i64x2.relaxed_laneselect", 0x10c, "none", "VVV:V", "relaxed-simd"],
  ["f32x4.relaxed_min", 0x10d, "none", "VV:V", "relaxed-simd"],
  ["f32x4.relaxed_max", 0x10e, "none", "VV:V", "relaxed-simd"],
  ["f64x2.relaxed_min", 0x10f, "none", "VV:V", "relaxed-simd"],
  ["f64x2.relaxed_max", 0x110, "none", "VV:V", "relaxed-simd"],
  ["i16x8.relaxed_q15mulr_s", 0x111, "none", "VV:V", "relaxed-simd"],
  ["i16x8.relaxed_dot_i8x16_i7x16_s", 0x112, "none", "VV:V", "relaxed-simd"],
  ["i32x4.relaxed_dot_i8x16_i7x16_add_s", 0x113, "none", "VVV:V", "relaxed-simd"],
];

// GC (spec 3.0 §5.4.6): read and validated; the machine does not run them yet (see `runtime/gc.ts`).
const PREFIX_FB: readonly Row[] = [
  ["struct.new", 0, "type", null, "gc"],
  ["struct.new_default", 1, "type", null, "gc"],
  ["struct.get", 2, "type_field", null, "gc"],
  ["struct.get_s", 3, "type_field", null, "gc"],
  ["struct.get_u", 4, "type_field", null, "gc"],
  ["struct.set", 5, "type_field", null, "gc"],
  ["array.new", 6, "type", null, "gc"],
  ["array.new_default", 7, "type", null, "gc"],
  ["array.new_fixed", 8, "type_u32", null, "gc"],
  ["array.new_data", 9, "type_data", null, "gc"],
  ["array.new_elem", 10, "type_elem", null, "gc"],
  ["array.get", 11, "type", null, "gc"],
  ["array.get_s", 12, "type", null, "gc"],
  ["array.get_u", 13, "type", null, "gc"],
  ["array.set", 14, "type", null, "gc"],
  ["array.len", 15, "none", null, "gc"],
  ["array.fill", 16, "type", null, "gc"],
  ["array.copy", 17, "type_type", null, "gc"],
  ["array.init_data", 18, "type_data", null, "gc"],
  ["array.init_elem", 19, "type_elem", null, "gc"],
  ["ref.test", 20, "heaptype", null, "gc"], // (ref ht); 21 is (ref null ht): the text format spells both `ref.test`
  ["ref.test", 21, "heaptype", null, "gc"],
  ["ref.cast", 22, "heaptype", null, "gc"],
  ["ref.cast", 23, "heaptype", null, "gc"],
  ["br_on_cast", 24, "br_on_cast", null, "gc"],
  ["br_on_cast_fail", 25, "br_on_cast", null, "gc"],
  ["any.convert_extern", 26, "none", null, "gc"],
  ["extern.convert_any", 27, "none", null, "gc"],
  ["ref.i31", 28, "none", null, "gc"],
  ["i31.get_s", 29, "none", null, "gc"],
  ["i31.get_u", 30, "none", null, "gc"],
];

/** Opcodes that cost no fuel in Wasmtime's model. */
const FREE = new Set(["nop", "drop", "block", "loop", "unreachable", "return", "else", "end"]);

function expand(rows: readonly Row[], prefix: number): OpInfo[] {
  return rows.map(([name, code, imm, sig, feature]) => ({
    name,
    prefix,
    code,
    imm,
    sig,
    feature: feature ?? "core",
    fuel: FREE.has(name) ? 0 : 1,
  }));
}

/** Every instruction in the table, single-byte ones first. */
export const OPCODES: readonly OpInfo[] = [
  ...expand(SINGLE_BYTE, 0),
  ...expand(PREFIX_FC, 0xfc),
  ...expand(PREFIX_FD, 0xfd),
  ...expand(PREFIX_FB, 0xfb),
];

/** Single-byte opcodes indexed by their byte; `undefined` where no instruction exists. */
export const SINGLE_BYTE_OPS: readonly (OpInfo | undefined)[] = (() => {
  const table: (OpInfo | undefined)[] = new Array(256).fill(undefined);
  for (const op of OPCODES) if (op.prefix === 0) table[op.code] = op;
  return table;
})();

/** `0xfc`-prefixed opcodes indexed by their sub-opcode. */
export const FC_OPS: readonly (OpInfo | undefined)[] = (() => {
  const table: (OpInfo | undefined)[] = [];
  for (const op of OPCODES) if (op.prefix === 0xfc) table[op.code] = op;
  return table;
})();

/** `0xfb`-prefixed (GC) opcodes indexed by their sub-opcode. */
export const FB_OPS: readonly (OpInfo | undefined)[] = (() => {
  const table: (OpInfo | undefined)[] = [];
  for (const op of OPCODES) if (op.prefix === 0xfb) table[op.code] = op;
  return table;
})();

/** `0xfd`-prefixed (SIMD) opcodes indexed by their sub-opcode. */
export const FD_OPS: readonly (OpInfo | undefined)[] = (() => {
  const table: (OpInfo | undefined)[] = [];
  for (const op of OPCODES) if (op.prefix === 0xfd) table[op.code] = op;
  return table;
})();

/**
 * Instructions by text mnemonic. `select` maps to the untyped form (0x1b); the parser picks 0x1c when a result
 * type follows.
 */
export const OPS_BY_NAME: ReadonlyMap<string, OpInfo> = (() => {
  const map = new Map<string, OpInfo>();
  for (const op of OPCODES) if (!map.has(op.name)) map.set(op.name, op);
  return map;
})();

/**
 * The feature of a whole prefixed opcode space, for the opcodes the table does not list (every GC and threads
 * opcode; for SIMD only the unassigned ones), or `undefined`.
 */
export function prefixFeature(prefix: number): Feature | undefined {
  switch (prefix) {
    case 0xfb:
      return "gc";
    case 0xfd:
      return "simd";
    case 0xfe:
      return "threads";
    default:
      return undefined;
  }
}

/**
 * The feature a text-format mnemonic belongs to when it is not in the table: SIMD (`v128.*`, `i8x16.*`, …),
 * threads (`memory.atomic.*`, `*.atomic.*`), GC (`struct.*`, `array.*`, `ref.cast`, …). `undefined` when the word
 * is no known instruction at all.
 */
export function mnemonicFeature(name: string): Feature | undefined {
  const known = OPS_BY_NAME.get(name);
  if (known) return known.feature;
  if (/^(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\./.test(name)) return "simd";
  if (/\.atomic\.|^atomic\.fence$|^memory\.atomic\./.test(name)) return "threads";
  if (/^(struct|array|ref\.(cast|test|i31)|i31|br_on_cast|any\.|extern\.)/.test(name)) return "gc";
  return undefined;
}
