import { Crc64 } from "../rdb/crc64.js";

/** Writes RDB bytes by hand for tests: each method appends one encoded element. */
export class RdbBuilder {
  private readonly parts: Buffer[] = [];

  constructor(version = 10) {
    this.raw(Buffer.from(`REDIS${String(version).padStart(4, "0")}`, "latin1"));
  }

  raw(bytes: Buffer | number[]): this {
    this.parts.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
    return this;
  }

  byte(value: number): this {
    return this.raw([value]);
  }

  length(value: number): this {
    if (value < 0x40) return this.byte(value);
    if (value < 0x4000) return this.raw([0x40 | (value >> 8), value & 0xff]);
    const bytes = Buffer.alloc(5);
    bytes[0] = 0x80;
    bytes.writeUInt32BE(value, 1);
    return this.raw(bytes);
  }

  /** A plain (length-prefixed) string, forced to the 32-bit length form when asked. */
  string(value: string, form: "auto" | "32bit" = "auto"): this {
    if (form === "32bit") {
      const header = Buffer.alloc(5);
      header[0] = 0x80;
      header.writeUInt32BE(value.length, 1);
      this.raw(header);
    } else {
      this.length(value.length);
    }
    return this.raw(Buffer.from(value, "latin1"));
  }

  int8(value: number): this {
    const bytes = Buffer.alloc(2);
    bytes[0] = 0xc0;
    bytes.writeInt8(value, 1);
    return this.raw(bytes);
  }

  int16(value: number): this {
    const bytes = Buffer.alloc(3);
    bytes[0] = 0xc1;
    bytes.writeInt16LE(value, 1);
    return this.raw(bytes);
  }

  int32(value: number): this {
    const bytes = Buffer.alloc(5);
    bytes[0] = 0xc2;
    bytes.writeInt32LE(value, 1);
    return this.raw(bytes);
  }

  lzf(compressed: number[], expandedLength: number): this {
    return this.byte(0xc3).length(compressed.length).length(expandedLength).raw(compressed);
  }

  expireMs(at: number): this {
    const bytes = Buffer.alloc(9);
    bytes[0] = 252;
    bytes.writeBigInt64LE(BigInt(at), 1);
    return this.raw(bytes);
  }

  expireSeconds(at: number): this {
    const bytes = Buffer.alloc(5);
    bytes[0] = 253;
    bytes.writeInt32LE(at, 1);
    return this.raw(bytes);
  }

  aux(field: string, value: string): this {
    return this.byte(250).string(field).string(value);
  }

  selectDb(db: number): this {
    return this.byte(254).length(db);
  }

  resizeDb(size: number, expires: number): this {
    return this.byte(251).length(size).length(expires);
  }

  stringKey(key: string, value: string): this {
    return this.byte(0).string(key).string(value);
  }

  /** EOF opcode plus the CRC64 of everything before the checksum (or zeros, as with rdbchecksum no). */
  end(checksum: "valid" | "zero" | "corrupt" = "valid"): Buffer {
    this.byte(255);
    const body = Buffer.concat(this.parts);
    const crc = new Crc64();
    crc.update(body);
    const trailer = Buffer.alloc(8);
    if (checksum !== "zero") trailer.writeBigUInt64LE(crc.toBigInt() ^ (checksum === "corrupt" ? 1n : 0n));
    return Buffer.concat([body, trailer]);
  }
}
