// Shared helpers for the validator tests: build binaries with wabt (tests only) and check outcomes.
import assert from "node:assert/strict";
import { decodeModule } from "../../lib/binary/decoder.ts";
import { validateModule } from "../../lib/validate/module_validator.ts";
import { CompileError, UnsupportedFeatureError } from "../../lib/errors.ts";

import wabtInit from "wabt";

let wabt: ReturnType<typeof wabtInit> | undefined;

/** All wabt features on, so that wabt encodes whatever the test writes; Kiln decides what is supported. */
const FEATURES = {
  exceptions: true,
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  relaxed_simd: true,
  threads: true,
  multi_value: true,
  tail_call: true,
  bulk_memory: true,
  reference_types: true,
  extended_const: true,
  multi_memory: true,
  memory64: true,
};

/** The binary of a WAT module, as wabt encodes it (no validation). */
export async function wat(text: string): Promise<Uint8Array> {
  wabt ??= wabtInit();
  const parsed = (await wabt).parseWat("test.wat", text, FEATURES);
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/** Decodes and validates. */
export function compileBytes(bytes: Uint8Array): void {
  validateModule(decodeModule(bytes));
}

/** Asserts the WAT module decodes and validates. */
export async function assertValid(text: string): Promise<void> {
  compileBytes(await wat(text));
}

/** Asserts the WAT module is rejected with a CompileError whose message contains `message`. */
export async function assertInvalid(text: string, message: string): Promise<void> {
  const bytes = await wat(text);
  assert.throws(() => compileBytes(bytes), (e: unknown) => {
    assert.ok(e instanceof CompileError, `expected a CompileError, got ${e}`);
    assert.ok(!(e instanceof UnsupportedFeatureError), `expected "${message}", got "${e.message}"`);
    assert.ok(e.message.includes(message), `expected "${message}", got "${e.message}" for ${text}`);
    return true;
  });
}

/** Asserts the WAT module is rejected as using `feature`. */
export async function assertUnsupported(text: string, feature: string): Promise<void> {
  const bytes = await wat(text);
  assert.throws(() => compileBytes(bytes), (e: unknown) => {
    assert.ok(e instanceof UnsupportedFeatureError, `expected unsupported ${feature}, got ${e}`);
    assert.equal(e.feature, feature);
    return true;
  });
}
