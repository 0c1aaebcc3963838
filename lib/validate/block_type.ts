/**
 * Block types (spec §3.2.2, §5.4.1): what `block`, `loop` and `if` take and produce. The instruction reader reads
 * a block type's encoding; {@link blockTypeOf} resolves it against the module's types, for the validator (which
 * reports an unknown type index) and the translator (which trusts it).
 *
 * @module
 */
import { CompileError } from "../errors.ts";
import { readBlockTypeEncoding } from "../binary/instruction_reader.ts";
import type { ByteReader } from "../binary/leb128.ts";
import { EMPTY_BLOCK_TYPE, type FuncType, funcTypeAt, type Module, type ValType } from "../binary/module.ts";

// Why: not frozen, so these arrays keep the same hidden class as decoded ones (monomorphic stack checks).
const NONE: readonly ValType[] = [];

/** The block type `[] -> []`. */
export const EMPTY_FUNC_TYPE: FuncType = { params: NONE, results: NONE };

// Why: one shared `[] -> [t]` object per value type, so blocks cost no allocation.
const SINGLE_RESULT = new Map<ValType, FuncType>();

/**
 * The function type a block type encoding stands for.
 *
 * @param module The module whose type section type indices refer to.
 * @param encoding As `InstructionReader.blockType` reads it: 0x40 (empty), a value-type byte, or
 *   `-1 - typeIndex`.
 * @param offset Byte offset for the error.
 * @returns The block's `[params] -> [results]`; shared objects, never to be mutated.
 * @throws CompileError "unknown type N" for a type index out of range.
 *
 * @example The type of a value-type block
 * ```ts
 * import { blockTypeOf } from "./block_type.ts";
 * import { decodeModule } from "../binary/decoder.ts";
 * const m = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * console.log(blockTypeOf(m, 0x7f).results); // [127] (i32)
 * ```
 */
export function blockTypeOf(module: Module, encoding: number, offset = -1): FuncType {
  if (encoding === EMPTY_BLOCK_TYPE) return EMPTY_FUNC_TYPE;
  if (encoding >= 0) {
    let type = SINGLE_RESULT.get(encoding);
    if (type === undefined) SINGLE_RESULT.set(encoding, type = { params: NONE, results: [encoding] });
    return type;
  }
  const index = -1 - encoding;
  if (index >= module.types.length) throw new CompileError(`unknown type ${index}`, offset);
  const type = funcTypeAt(module, index);
  if (type === undefined) throw new CompileError("type mismatch: block type is not a function type", offset);
  return type;
}

/**
 * Reads a `blocktype` immediate at the reader's position and returns its function type.
 *
 * @param r Reader positioned at the block type; advanced past it.
 * @param module The module whose types a type index refers to.
 * @returns The block's `[params] -> [results]` (shared, read-only).
 * @throws CompileError for a malformed encoding or an unknown type index.
 *
 * @example Reading a block type immediate
 * ```ts
 * import { readBlockType } from "./block_type.ts";
 * import { decodeModule } from "../binary/decoder.ts";
 * import { ByteReader } from "../binary/leb128.ts";
 * const m = decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
 * console.log(readBlockType(new ByteReader(new Uint8Array([0x40])), m).results.length); // 0
 * ```
 */
export function readBlockType(r: ByteReader, module: Module): FuncType {
  const at = r.pos;
  return blockTypeOf(module, readBlockTypeEncoding(r), at);
}
