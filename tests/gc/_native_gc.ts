/** Whether the host's own WebAssembly compiles GC types (a module with one empty struct type). */
export const NATIVE_GC: boolean = (() => {
  try {
    new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 3, 1, 0x5f, 0]));
    return true;
  } catch {
    return false;
  }
})();
