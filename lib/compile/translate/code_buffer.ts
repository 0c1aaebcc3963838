/**
 * The growable code of one function being translated: machine words, and for each word the byte offset of the wasm
 * instruction it belongs to (for backtraces).
 *
 * @module
 */

/** Machine code under construction. `offset` is the byte offset stamped on the words pushed next. */
export class CodeBuffer {
  code: Int32Array = new Int32Array(64);
  offsets: Int32Array = new Int32Array(64);
  length = 0;
  offset = 0;

  /** Appends one word; returns its position. */
  push(word: number): number {
    if (this.length === this.code.length) {
      const code = new Int32Array(this.length * 2);
      code.set(this.code);
      this.code = code;
      const offsets = new Int32Array(this.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.code[this.length] = word;
    this.offsets[this.length] = this.offset;
    return this.length++;
  }
}
