import { test } from "node:test";
import assert from "node:assert/strict";
import { forgetModuleName, moduleNameFor } from "../../lib/native/offsets.ts";

test("moduleNameFor() gives equal modules rewritten alike one name, and any other module or rewrite another", () => {
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 0x80, 0xff, 0x9d]);
  const name = moduleNameFor(bytes, "{}");
  assert.match(name, /^kiln[0-9a-f]+x[0-9a-f]+$/);
  assert.equal(moduleNameFor(bytes.slice(), "{}"), name);
  assert.notEqual(moduleNameFor(bytes, `{"fuel":true}`), name);
  const other = bytes.slice();
  other[10] = 0x9c; // a byte windows-1252 leaves undefined and one it maps: still told apart
  assert.notEqual(moduleNameFor(other, "{}"), name);
  forgetModuleName(name);
  assert.notEqual(moduleNameFor(bytes, "{}"), name);
});
