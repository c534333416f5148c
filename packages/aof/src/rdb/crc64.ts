/**
 * CRC-64/Jones as Redis computes it for RDB checksums (crc64.c): polynomial
 * 0xad93d23594c935a9, reflected, initial value 0, no final xor; check value
 * crc64("123456789") = 0xe9c6d914c4b8d9ca. Kept as two 32-bit halves because
 * BigInt arithmetic per byte would make loading a large base file crawl.
 */
const REFLECTED_POLY_HIGH = 0x95ac9329;
const REFLECTED_POLY_LOW = 0xac4bc9b5;

const TABLE_HIGH = new Uint32Array(256);
const TABLE_LOW = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let high = 0;
  let low = i;
  for (let bit = 0; bit < 8; bit++) {
    const carry = low & 1;
    low = ((low >>> 1) | (high << 31)) >>> 0;
    high >>>= 1;
    if (carry) {
      low = (low ^ REFLECTED_POLY_LOW) >>> 0;
      high = (high ^ REFLECTED_POLY_HIGH) >>> 0;
    }
  }
  TABLE_HIGH[i] = high;
  TABLE_LOW[i] = low;
}

export class Crc64 {
  private high = 0;
  private low = 0;

  update(bytes: Uint8Array): void {
    let high = this.high;
    let low = this.low;
    for (let i = 0; i < bytes.length; i++) {
      const index = (low ^ bytes[i]!) & 0xff;
      low = (((low >>> 8) | (high << 24)) ^ TABLE_LOW[index]!) >>> 0;
      high = ((high >>> 8) ^ TABLE_HIGH[index]!) >>> 0;
    }
    this.high = high;
    this.low = low;
  }

  /** The checksum as Redis stores it after the EOF opcode: 8 bytes, little endian. */
  matches(stored: Uint8Array): boolean {
    const view = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    return view.readUInt32LE(0) === this.low && view.readUInt32LE(4) === this.high;
  }

  toBigInt(): bigint {
    return (BigInt(this.high) << 32n) | BigInt(this.low);
  }
}
