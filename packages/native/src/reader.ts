/** Bounds-checked little/big-endian reads over a byte array; offsets past the end throw. */
export class BinaryReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(offset: number, size: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > this.bytes.length) {
      throw new Error(
        `truncated file: read of ${size} bytes at offset ${offset} past its end (${this.bytes.length} bytes)`,
      );
    }
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, this.little);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, this.little);
  }

  /** A 64-bit value as a number: offsets and sizes in real files stay far below 2^53. */
  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.view.getBigUint64(offset, this.little);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`64-bit value at offset ${offset} is too large`);
    return Number(value);
  }

  /** A 64-bit value that may exceed 2^53 (dynamic tags, addresses). */
  u64big(offset: number): bigint {
    this.check(offset, 8);
    return this.view.getBigUint64(offset, this.little);
  }

  /** A NUL-terminated string (latin1: symbol names are bytes). */
  cstring(offset: number): string {
    this.check(offset, 1);
    const end = this.bytes.indexOf(0, offset);
    if (end === -1) throw new Error(`unterminated string at offset ${offset}`);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + offset, end - offset).toString('latin1');
  }
}
