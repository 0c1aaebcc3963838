/**
 * The byte reader and error class the DWARF readers share (`dwarf_line.ts`, `dwarf_info.ts`): little-endian
 * fixed-size values, LEB128 and NUL-terminated strings, each read checked against the end of its unit.
 *
 * @module
 */

/** Malformed DWARF data: what was being read and where (byte offset in the section). */
export class DwarfError extends Error {
  /**
   * Creates the error.
   * @param message What could not be read.
   */
  constructor(message: string) {
    super(message);
    this.name = "DwarfError";
  }
}

/** A cursor over little-endian DWARF data. */
export class Reader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0, readonly end = bytes.length) {
    this.pos = pos;
  }
  need(n: number): void {
    if (this.pos + n > this.end) throw new DwarfError(`read DWARF: unexpected end at offset ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const b = this.bytes, p = this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }
  u32(): number {
    this.need(4);
    const b = this.bytes, p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }
  /** An unsigned value of `size` bytes (1, 2, 4 or 8); 8-byte values beyond 2^53 lose precision. */
  unsigned(size: number): number {
    if (size === 1) return this.u8();
    if (size === 2) return this.u16();
    if (size === 4) return this.u32();
    if (size === 8) return this.u32() + this.u32() * 0x100000000;
    throw new DwarfError(`read DWARF: unsupported address size ${size}`);
  }
  /** An unsigned value of 1 to 4 bytes. */
  unsigned3(size: number): number {
    let value = 0;
    for (let i = 0; i < size; i++) value += this.u8() * 2 ** (8 * i);
    return value;
  }
  uleb(): number {
    return this.#leb(false);
  }
  sleb(): number {
    return this.#leb(true);
  }
  /** LEB128 (as a double: exact up to 2^53), sign-extended from its last byte when `signed`. */
  #leb(signed: boolean): number {
    let result = 0, scale = 1, byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return signed && byte & 0x40 ? result - scale : result;
  }
  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const start = this.pos;
    while (this.pos < this.end && this.bytes[this.pos] !== 0) this.pos++;
    if (this.pos >= this.end) throw new DwarfError(`read DWARF: unterminated string at offset ${start}`);
    return UTF8.decode(this.bytes.subarray(start, this.pos++));
  }
}

const UTF8 = new TextDecoder();
