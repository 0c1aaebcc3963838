/**
 * Test helper: WebAssembly text to a binary through wabt (a dev dependency, tests only).
 *
 * @module
 */

import wabtInit from "wabt";

const wabt = await wabtInit();

/**
 * @param text A module in the text format.
 * @returns Its binary.
 */
export function wat(text: string): Uint8Array {
  const m = wabt.parseWat("test.wat", text, {
    multi_value: true,
    bulk_memory: true,
    reference_types: true,
    sign_extension: true,
    sat_float_to_int: true,
    mutable_globals: true,
  });
  try {
    return m.toBinary({ write_debug_names: true }).buffer;
  } finally {
    m.destroy();
  }
}
