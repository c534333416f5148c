import { CompactEncodingError } from "./compact-encoding-error.js";

/** Header: total bytes (uint32 LE), offset of the last entry (uint32 LE), entry count (uint16 LE). */
const ZIPLIST_HEADER_SIZE = 10;
const ZIPLIST_END = 0xff;
/** A prevlen byte of 254 means the previous entry's length follows as a uint32. */
const ZIPLIST_BIG_PREVLEN = 254;

/**
 * The entries of a ziplist, the compact encoding of Redis before 7.0 (RDB types 10, 12, 13
 * and the nodes of quicklist type 14), integers as their decimal text.
 *
 * Each entry is the previous entry's length (1 or 5 bytes, for backward iteration), an
 * encoding (string length or integer width), then the data.
 */
export function readZiplist(blob: Buffer): string[] {
  if (blob.length < ZIPLIST_HEADER_SIZE + 1) throw new CompactEncodingError("ziplist", "shorter than its header");
  const totalBytes = blob.readUInt32LE(0);
  if (totalBytes !== blob.length) {
    throw new CompactEncodingError("ziplist", `header says ${totalBytes} bytes, the string holds ${blob.length}`);
  }
  const declaredCount = blob.readUInt16LE(8);
  const entries: string[] = [];
  let at = ZIPLIST_HEADER_SIZE;
  for (;;) {
    need(blob, at, 1);
    if (blob[at] === ZIPLIST_END) {
      if (at !== blob.length - 1) throw new CompactEncodingError("ziplist", "data after its end marker");
      break;
    }
    at += blob[at] === ZIPLIST_BIG_PREVLEN ? 5 : 1;
    need(blob, at, 1);
    const encoding = blob[at]!;
    switch (encoding >>> 6) {
      case 0: // 00pppppp: string of up to 63 bytes
        at = pushString(blob, at + 1, encoding & 0x3f, entries);
        continue;
      case 1: // 01pppppp qqqqqqqq: 14-bit big-endian length
        need(blob, at, 2);
        at = pushString(blob, at + 2, ((encoding & 0x3f) << 8) | blob[at + 1]!, entries);
        continue;
      case 2: // 10000000 + 32-bit big-endian length
        if (encoding !== 0x80) throw new CompactEncodingError("ziplist", `unknown entry encoding 0x${encoding.toString(16)}`);
        need(blob, at, 5);
        at = pushString(blob, at + 5, blob.readUInt32BE(at + 1), entries);
        continue;
    }
    at++;
    switch (encoding) {
      case 0xc0:
        need(blob, at, 2);
        entries.push(String(blob.readInt16LE(at)));
        at += 2;
        break;
      case 0xd0:
        need(blob, at, 4);
        entries.push(String(blob.readInt32LE(at)));
        at += 4;
        break;
      case 0xe0:
        need(blob, at, 8);
        entries.push(String(blob.readBigInt64LE(at)));
        at += 8;
        break;
      case 0xf0:
        need(blob, at, 3);
        entries.push(String(blob.readIntLE(at, 3)));
        at += 3;
        break;
      case 0xfe:
        need(blob, at, 1);
        entries.push(String(blob.readInt8(at)));
        at += 1;
        break;
      default:
        // 1111xxxx with xxxx in 0001..1101: the value xxxx - 1 (0..12) is in the encoding byte.
        if (encoding > 0xf0 && encoding < 0xfe) {
          entries.push(String((encoding & 0x0f) - 1));
          break;
        }
        throw new CompactEncodingError("ziplist", `unknown entry encoding 0x${encoding.toString(16)}`);
    }
  }
  // 65535 means "too many to count in the header".
  if (declaredCount !== 0xffff && declaredCount !== entries.length) {
    throw new CompactEncodingError("ziplist", `header says ${declaredCount} entries, found ${entries.length}`);
  }
  return entries;
}

/** A zipmap's terminator, and the length byte announcing a 4-byte length. */
const ZIPMAP_END = 0xff;
const ZIPMAP_BIG_LENGTH = 254;

/**
 * The field/value pairs, flattened, of a zipmap: the small-hash encoding of Redis before
 * 2.6 (RDB type 9), still accepted by Redis 7. A count byte, then per pair the field's
 * length and bytes, the value's length, a "free" byte counting unused bytes after the value,
 * the value and that slack; 0xff ends it.
 */
export function readZipmap(blob: Buffer): string[] {
  const flat: string[] = [];
  let at = 1;
  for (;;) {
    needIn("zipmap", blob, at, 1);
    if (blob[at] === ZIPMAP_END) {
      if (at !== blob.length - 1) throw new CompactEncodingError("zipmap", "data after its end marker");
      break;
    }
    const field = zipmapLength(blob, at);
    at = field.next;
    needIn("zipmap", blob, at, field.length);
    flat.push(blob.toString("latin1", at, at + field.length));
    at += field.length;
    const value = zipmapLength(blob, at);
    at = value.next;
    needIn("zipmap", blob, at, 1);
    const free = blob[at]!;
    at++;
    needIn("zipmap", blob, at, value.length + free);
    flat.push(blob.toString("latin1", at, at + value.length));
    at += value.length + free;
  }
  return flat;
}

function zipmapLength(blob: Buffer, at: number): { length: number; next: number } {
  needIn("zipmap", blob, at, 1);
  const first = blob[at]!;
  if (first < ZIPMAP_BIG_LENGTH) return { length: first, next: at + 1 };
  if (first === ZIPMAP_BIG_LENGTH) {
    needIn("zipmap", blob, at, 5);
    return { length: blob.readUInt32LE(at + 1), next: at + 5 };
  }
  throw new CompactEncodingError("zipmap", "a value length where a field was expected, or the reverse");
}

function pushString(blob: Buffer, start: number, length: number, entries: string[]): number {
  need(blob, start, length);
  entries.push(blob.toString("latin1", start, start + length));
  return start + length;
}

function need(blob: Buffer, at: number, count: number): void {
  needIn("ziplist", blob, at, count);
}

function needIn(encoding: "ziplist" | "zipmap", blob: Buffer, at: number, count: number): void {
  if (at + count > blob.length) throw new CompactEncodingError(encoding, "an entry runs past the end");
}
