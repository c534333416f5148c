import { constants as bufferConstants } from "node:buffer";
import { AofFormatProblem } from "../aof-load-error.js";
import type { FileCursor } from "../file-cursor.js";
import { Crc64 } from "./crc64.js";
import { lzfDecompress } from "./lzf.js";
import { RdbStringEncoding } from "./rdb-constants.js";

/**
 * Primitive RDB reads (bytes, lengths, strings) over a FileCursor, folding every
 * consumed byte into the CRC64 that the file's trailer is checked against. Value
 * loaders only use these primitives, so each new type is one function.
 */
export class RdbInput {
  private readonly crc = new Crc64();

  constructor(private readonly cursor: FileCursor) {}

  get offset(): number {
    return this.cursor.offset;
  }

  /** A view of the next `count` bytes, valid until the next read. */
  bytes(count: number): Buffer {
    if (!this.cursor.ensure(count)) {
      throw new AofFormatProblem(this.cursor.offset, `unexpected end of file inside RDB data (needed ${count} more bytes)`);
    }
    const view = this.cursor.take(count);
    this.crc.update(view);
    return view;
  }

  byte(): number {
    return this.bytes(1)[0]!;
  }

  uint32BE(): number {
    return this.bytes(4).readUInt32BE(0);
  }

  int32LE(): number {
    return this.bytes(4).readInt32LE(0);
  }

  int64LE(): number {
    return Number(this.bytes(8).readBigInt64LE(0));
  }

  /** A length; special (integer/LZF) encodings are a format error where a plain length is required. */
  length(): number {
    const at = this.offset;
    const value = this.lengthOrEncoding();
    if (value < 0) throw new AofFormatProblem(at, "expected a length, found a special string encoding");
    return value;
  }

  /**
   * Redis's length encoding: top two bits 00 = 6-bit length, 01 = 14-bit, 10 = 32 or
   * 64-bit big endian follows, 11 = special string encoding, returned here as
   * -1 - encoding so the hot path allocates nothing.
   */
  lengthOrEncoding(): number {
    const at = this.offset;
    return this.lengthAfter(this.byte(), at);
  }

  private lengthAfter(first: number, at: number): number {
    switch (first >>> 6) {
      case 0:
        return first & 0x3f;
      case 1:
        return ((first & 0x3f) << 8) | this.byte();
      case 2: {
        if (first === 0x80) return this.uint32BE();
        if (first === 0x81) {
          const value = this.bytes(8).readBigUInt64BE(0);
          if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new AofFormatProblem(at, `length ${value} is too large`);
          return Number(value);
        }
        throw new AofFormatProblem(at, `invalid length encoding byte 0x${first.toString(16)}`);
      }
      default:
        return -1 - (first & 0x3f);
    }
  }

  /**
   * A length that may use all 64 bits: stream IDs, counters, and -1 stored as 2^64 - 1
   * (a consumer group's unknown entries-read).
   */
  bigLength(): bigint {
    const at = this.offset;
    const first = this.byte();
    if (first === 0x81) return this.bytes(8).readBigUInt64BE(0);
    const value = this.lengthAfter(first, at);
    if (value < 0) throw new AofFormatProblem(at, "expected a length, found a special string encoding");
    return BigInt(value);
  }

  /** A string object: raw bytes, an integer stored in binary, or LZF-compressed bytes. */
  string(): string {
    const at = this.offset;
    const lengthOrEncoding = this.lengthOrEncoding();
    if (lengthOrEncoding >= 0) return this.latin1(lengthOrEncoding, at);
    const encoding = -1 - lengthOrEncoding;
    if (encoding === RdbStringEncoding.Lzf) return this.lzf(at).toString("latin1");
    return this.integerString(encoding, at);
  }

  /**
   * A string object as a Buffer of its own (not a view into the read window), for the
   * compact encodings (listpack, ziplist, intset...) stored as strings.
   */
  blob(): Buffer {
    const at = this.offset;
    const lengthOrEncoding = this.lengthOrEncoding();
    if (lengthOrEncoding >= 0) return Buffer.from(this.bytes(lengthOrEncoding));
    const encoding = -1 - lengthOrEncoding;
    if (encoding === RdbStringEncoding.Lzf) return this.lzf(at);
    return Buffer.from(this.integerString(encoding, at), "latin1");
  }

  /** A double as 8 little-endian bytes (ZSET_2 scores). */
  binaryDouble(): number {
    return this.bytes(8).readDoubleLE(0);
  }

  /**
   * A double in the text form of RDB type 3 (rdbSaveDoubleValue): a length byte, with 253,
   * 254 and 255 standing for nan, inf and -inf, then that many bytes of %.17g text.
   */
  textDouble(): number {
    const at = this.offset;
    const length = this.byte();
    if (length === 253) return NaN;
    if (length === 254) return Infinity;
    if (length === 255) return -Infinity;
    const text = this.bytes(length).toString("latin1");
    const value = Number(text);
    if (text.trim() === "" || Number.isNaN(value)) throw new AofFormatProblem(at, `invalid double ${JSON.stringify(text)}`);
    return value;
  }

  private integerString(encoding: number, at: number): string {
    switch (encoding) {
      case RdbStringEncoding.Int8:
        return String(this.bytes(1).readInt8(0));
      case RdbStringEncoding.Int16:
        return String(this.bytes(2).readInt16LE(0));
      case RdbStringEncoding.Int32:
        return String(this.int32LE());
      default:
        throw new AofFormatProblem(at, `unknown string encoding ${encoding}`);
    }
  }

  private lzf(at: number): Buffer {
    const compressedLength = this.length();
    const length = this.length();
    checkStringLength(length, at);
    const expanded = lzfDecompress(this.bytes(compressedLength), length);
    if (expanded === undefined) throw new AofFormatProblem(at, "invalid LZF compressed string");
    return expanded;
  }

  /** Reads the 8-byte trailer after EOF (not part of the checksum) and compares. */
  verifyChecksum(): void {
    const at = this.offset;
    if (!this.cursor.ensure(8)) throw new AofFormatProblem(at, "unexpected end of file in the RDB checksum");
    const stored = this.cursor.take(8);
    // A zero checksum means the writer ran with rdbchecksum no.
    if (stored.every((byte) => byte === 0)) return;
    if (!this.crc.matches(stored)) {
      throw new AofFormatProblem(
        at,
        `RDB checksum mismatch (stored 0x${stored.readBigUInt64LE(0).toString(16)}, computed 0x${this.crc.toBigInt().toString(16)})`,
      );
    }
  }

  private latin1(length: number, at: number): string {
    checkStringLength(length, at);
    return this.bytes(length).toString("latin1");
  }
}

function checkStringLength(length: number, at: number): void {
  if (length > bufferConstants.MAX_STRING_LENGTH) {
    throw new AofFormatProblem(at, `string of ${length} bytes exceeds the largest supported value`);
  }
}
