// Prints the function names in a module's `name` section, one "index name" per line (used by build.sh to check
// that linking kept the section). Usage: node dump_names.mjs FILE.wasm
import { readFileSync } from "node:fs";

const bytes = readFileSync(process.argv[2]);
const module = new WebAssembly.Module(bytes);
const sections = WebAssembly.Module.customSections(module, "name");
if (sections.length === 0) {
  console.error(`${process.argv[2]}: no name section`);
  process.exit(1);
}
const data = new Uint8Array(sections[0]);
let pos = 0;
const u32 = () => {
  let result = 0, shift = 0, byte;
  do {
    byte = data[pos++];
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return result >>> 0;
};
const decoder = new TextDecoder();
let count = 0;
while (pos < data.length) {
  const id = data[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 1) {
    for (let n = u32(); n > 0; n--) {
      const index = u32();
      const length = u32();
      console.log(`${index} ${decoder.decode(data.subarray(pos, pos + length))}`);
      pos += length;
      count++;
    }
  }
  pos = end;
}
if (count === 0) {
  console.error(`${process.argv[2]}: name section has no function names`);
  process.exit(1);
}
