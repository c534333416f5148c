import { CompactEncodingError } from "./compact-encoding-error.js";

/** Header: total bytes (uint32 LE) and element count (uint16 LE, 65535 when it must be counted). */
const LISTPACK_HEADER_SIZE = 6;
const LISTPACK_EOF = 0xff;

/**
 * The elements of a listpack (Redis 7's compact encoding of small lists, hashes, sets,
 * sorted sets and stream nodes), integers as their decimal text, as Redis replies with them.
 *
 * Each element is an encoding byte, the data, then a "backlen" (the size of encoding +
 * data, 7 bits per byte) that only backward iteration needs; reading forwards we compute
 * its width instead of decoding it.
 */
export function readListpack(blob: Buffer): string[] {
  if (blob.length < LISTPACK_HEADER_SIZE + 1) throw new CompactEncodingError("listpack", "shorter than its header");
  const totalBytes = blob.readUInt32LE(0);
  if (totalBytes !== blob.length) {
    throw new CompactEncodingError("listpack", `header says ${totalBytes} bytes, the string holds ${blob.length}`);
  }
  const declaredCount = blob.readUInt16LE(4);
  const elements: string[] = [];
  let at = LISTPACK_HEADER_SIZE;
  for (;;) {
    if (at >= blob.length) throw new CompactEncodingError("listpack", "missing its end marker");
    const first = blob[at]!;
    if (first === LISTPACK_EOF) {
      if (at !== blob.length - 1) throw new CompactEncodingError("listpack", "data after its end marker");
      break;
    }
    let headerSize: number;
    let dataSize: number;
    let element: string;
    if (first < 0x80) {
      // 0xxxxxxx: 7-bit unsigned integer
      headerSize = 1;
      dataSize = 0;
      element = String(first);
    } else if (first < 0xc0) {
      // 10xxxxxx: string of up to 63 bytes
      headerSize = 1;
      dataSize = first & 0x3f;
      element = stringAt(blob, at + headerSize, dataSize);
    } else if (first < 0xe0) {
      // 110xxxxx yyyyyyyy: 13-bit signed integer
      headerSize = 2;
      dataSize = 0;
      need(blob, at, 2);
      const unsigned = ((first & 0x1f) << 8) | blob[at + 1]!;
      element = String(unsigned >= 1 << 12 ? unsigned - (1 << 13) : unsigned);
    } else if (first < 0xf0) {
      // 1110xxxx yyyyyyyy: string of up to 4095 bytes
      headerSize = 2;
      need(blob, at, 2);
      dataSize = ((first & 0x0f) << 8) | blob[at + 1]!;
      element = stringAt(blob, at + headerSize, dataSize);
    } else {
      headerSize = 1;
      switch (first) {
        case 0xf0: // 32-bit string length
          headerSize = 5;
          need(blob, at, 5);
          dataSize = blob.readUInt32LE(at + 1);
          element = stringAt(blob, at + headerSize, dataSize);
          break;
        case 0xf1:
          dataSize = 2;
          need(blob, at, 3);
          element = String(blob.readInt16LE(at + 1));
          break;
        case 0xf2:
          dataSize = 3;
          need(blob, at, 4);
          element = String(blob.readIntLE(at + 1, 3));
          break;
        case 0xf3:
          dataSize = 4;
          need(blob, at, 5);
          element = String(blob.readInt32LE(at + 1));
          break;
        case 0xf4:
          dataSize = 8;
          need(blob, at, 9);
          element = String(blob.readBigInt64LE(at + 1));
          break;
        default:
          throw new CompactEncodingError("listpack", `unknown element encoding 0x${first.toString(16)}`);
      }
    }
    at += headerSize + dataSize + backlenWidth(headerSize + dataSize);
    elements.push(element);
  }
  if (declaredCount !== 0xffff && declaredCount !== elements.length) {
    throw new CompactEncodingError("listpack", `header says ${declaredCount} elements, found ${elements.length}`);
  }
  return elements;
}

/** Bytes lpEncodeBacklen uses for an element of `size` bytes (encoding + data). */
function backlenWidth(size: number): number {
  if (size <= 127) return 1;
  if (size < 16383) return 2;
  if (size < 2097151) return 3;
  if (size < 268435455) return 4;
  return 5;
}

function need(blob: Buffer, at: number, count: number): void {
  if (at + count > blob.length) throw new CompactEncodingError("listpack", "an element runs past the end");
}

function stringAt(blob: Buffer, start: number, length: number): string {
  need(blob, start, length);
  return blob.toString("latin1", start, start + length);
}
