import { parseInteger } from "./redis-integer.js";

/*
 * How many bytes Redis's RDB format takes for a string value (rdb.c rdbSaveRawString /
 * rdbSaveLongLongAsStringObject), for DEBUG OBJECT's serializedlength. Short strings that are
 * canonical integers get the integer encodings, longer ones are LZF-compressed when that saves
 * bytes (rdbcompression yes), the rest are stored as length + bytes.
 */

/** rdbSaveLen: 1, 2, 5 or 9 bytes depending on the length. */
function lengthBytes(length: number): number {
  if (length < 1 << 6) return 1;
  if (length < 1 << 14) return 2;
  if (length <= 0xffffffff) return 5;
  return 9;
}

/** rdbEncodeInteger: 2, 3 or 5 bytes for values fitting 8, 16 or 32 bits, else 0 (not encodable). */
function integerEncodingBytes(value: number | bigint): number {
  if (value >= -128 && value <= 127) return 2;
  if (value >= -32768 && value <= 32767) return 3;
  if (value >= -2147483648 && value <= 2147483647) return 5;
  return 0;
}

/** A string object with Redis's "int" encoding: an integer encoding, or its decimal text. */
export function rdbIntegerLength(value: number | bigint): number {
  const encoded = integerEncodingBytes(value);
  if (encoded > 0) return encoded;
  const text = String(value);
  return lengthBytes(text.length) + text.length;
}

/** A raw or embstr string object (latin1 string, one char per byte). */
export function rdbStringLength(value: string, compression = true): number {
  const length = value.length;
  if (length <= 11) {
    // Only text that round-trips exactly (no "+1", "01", "-0") is stored as an integer.
    const parsed = parseInteger(value);
    if (parsed !== undefined) {
      const encoded = integerEncodingBytes(parsed);
      if (encoded > 0) return encoded;
    }
  }
  // Under 21 bytes LZF cannot win, so Redis does not try; it also wants at least 4 bytes saved.
  if (compression && length > 20) {
    const compressed = lzfCompressedLength(value, length - 4);
    if (compressed > 0) return 1 + lengthBytes(compressed) + lengthBytes(length) + compressed;
  }
  return lengthBytes(length) + length;
}

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

let hashTable: Int32Array | undefined;

/**
 * The output size of lzf_compress as Redis 7.0 builds it (its liblzf copy: HLOG 16, VERY_FAST,
 * the shift-and-subtract hash), or 0 when the output would not fit in `outLimit` bytes. Only
 * the size is computed, but the encoder's decisions depend on its hash table, so the same
 * table logic is followed step by step. (Checked against redis-server 7.0.15 on hundreds of
 * strings; Redis leaves its table uninitialized, which makes no difference in practice.)
 */
export function lzfCompressedLength(input: string, outLimit: number): number {
  const inLength = input.length;
  if (inLength === 0 || outLimit <= 0) return 0;
  const table = (hashTable ??= new Int32Array(HSIZE));
  table.fill(-1);
  const at = (i: number): number => input.charCodeAt(i);
  const index = (h: number): number => ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);

  let ip = 0;
  let op = 1; // the first literal run's control byte
  let lit = 0;
  let hval = ((at(0) << 8) | at(1)) >>> 0;
  while (ip < inLength - 2) {
    hval = ((hval << 8) | at(ip + 2)) >>> 0;
    const slot = index(hval);
    const ref = table[slot]!;
    table[slot] = ip;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && at(ref + 2) === at(ip + 2) && at(ref) === at(ip) && at(ref + 1) === at(ip + 1)) {
      let len = 2;
      let maxLen = inLength - ip - len;
      if (maxLen > MAX_REF) maxLen = MAX_REF;
      if (op + 3 + 1 >= outLimit && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLimit) return 0;
      if (lit === 0) op--; // an empty literal run is undone
      // liblzf first compares 16 bytes unrolled without checking maxLen, so long matches may
      // run a little past it; follow it exactly, as the match length decides what comes next.
      let mismatch = false;
      if (maxLen > 16) {
        for (let k = 0; k < 16 && !mismatch; k++) {
          len++;
          mismatch = at(ref + len) !== at(ip + len);
        }
      }
      if (!mismatch) {
        do len++;
        while (len < maxLen && at(ref + len) === at(ip + len));
      }
      len -= 2;
      ip++;
      op += len < 7 ? 2 : 3;
      lit = 0;
      op++; // the next literal run's control byte
      ip += len + 1;
      if (ip >= inLength - 2) break;
      ip -= 2;
      hval = ((at(ip) << 8) | at(ip + 1)) >>> 0;
      hval = ((hval << 8) | at(ip + 2)) >>> 0;
      table[index(hval)] = ip;
      ip++;
      hval = ((hval << 8) | at(ip + 2)) >>> 0;
      table[index(hval)] = ip;
      ip++;
    } else {
      if (op >= outLimit) return 0;
      lit++;
      op++;
      ip++;
      if (lit === MAX_LIT) {
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outLimit) return 0;
  while (ip < inLength) {
    lit++;
    op++;
    ip++;
    if (lit === MAX_LIT) {
      lit = 0;
      op++;
    }
  }
  if (lit === 0) op--;
  return op;
}
