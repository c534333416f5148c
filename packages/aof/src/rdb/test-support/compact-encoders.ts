/**
 * Encoders for the compact encodings, written from the format descriptions in Redis's
 * listpack.c, ziplist.c, intset.c and zipmap.c, so tests can build RDB files of every
 * version by hand (Redis 7.0 still loads the old ones, which the differential tests use).
 * An entry given as a bigint is stored in the smallest integer encoding, a string as a string.
 */
export type CompactEntry = string | bigint;

// ---------------------------------------------------------------------------------------
// Listpack
// ---------------------------------------------------------------------------------------

function listpackElement(entry: CompactEntry): Buffer {
  if (typeof entry === "bigint") {
    if (entry >= 0n && entry <= 127n) return Buffer.from([Number(entry)]);
    if (entry >= -4096n && entry <= 4095n) {
      const unsigned = Number(entry < 0n ? entry + 8192n : entry);
      return Buffer.from([0xc0 | (unsigned >> 8), unsigned & 0xff]);
    }
    const widths: [number, number, bigint][] = [[0xf1, 2, 1n << 15n], [0xf2, 3, 1n << 23n], [0xf3, 4, 1n << 31n], [0xf4, 8, 1n << 63n]];
    for (const [code, width, limit] of widths) {
      if (entry >= -limit && entry < limit) {
        const out = Buffer.alloc(1 + width);
        out[0] = code;
        if (width === 8) out.writeBigInt64LE(entry, 1);
        else out.writeIntLE(Number(entry), 1, width);
        return out;
      }
    }
    throw new Error(`integer ${entry} out of range`);
  }
  const data = Buffer.from(entry, "latin1");
  if (data.length < 64) return Buffer.concat([Buffer.from([0x80 | data.length]), data]);
  if (data.length < 4096) return Buffer.concat([Buffer.from([0xe0 | (data.length >> 8), data.length & 0xff]), data]);
  const header = Buffer.alloc(5);
  header[0] = 0xf0;
  header.writeUInt32LE(data.length, 1);
  return Buffer.concat([header, data]);
}

/** lpEncodeBacklen: the element size, 7 bits per byte, read backwards from the last byte. */
function backlen(size: number): Buffer {
  const bytes: number[] = [];
  const width = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
  for (let i = 0; i < width; i++) bytes.push((size >> (7 * i)) & 0x7f);
  // Stored most significant group first; every byte but the last read (the first stored) has the high bit.
  bytes.reverse();
  for (let i = 1; i < bytes.length; i++) bytes[i]! |= 0x80;
  return Buffer.from(bytes);
}

export function encodeListpack(entries: readonly CompactEntry[]): Buffer {
  const body = entries.map((entry) => {
    const element = listpackElement(entry);
    return Buffer.concat([element, backlen(element.length)]);
  });
  const header = Buffer.alloc(6);
  const total = 6 + body.reduce((sum, part) => sum + part.length, 0) + 1;
  header.writeUInt32LE(total, 0);
  header.writeUInt16LE(Math.min(entries.length, 0xffff), 4);
  return Buffer.concat([header, ...body, Buffer.from([0xff])]);
}

// ---------------------------------------------------------------------------------------
// Ziplist
// ---------------------------------------------------------------------------------------

function ziplistEncoding(entry: CompactEntry): Buffer {
  if (typeof entry === "bigint") {
    if (entry >= 0n && entry <= 12n) return Buffer.from([0xf1 + Number(entry)]);
    const widths: [number, number, bigint][] = [[0xfe, 1, 1n << 7n], [0xc0, 2, 1n << 15n], [0xf0, 3, 1n << 23n], [0xd0, 4, 1n << 31n], [0xe0, 8, 1n << 63n]];
    for (const [code, width, limit] of widths) {
      if (entry >= -limit && entry < limit) {
        const out = Buffer.alloc(1 + width);
        out[0] = code;
        if (width === 8) out.writeBigInt64LE(entry, 1);
        else out.writeIntLE(Number(entry), 1, width);
        return out;
      }
    }
    throw new Error(`integer ${entry} out of range`);
  }
  const data = Buffer.from(entry, "latin1");
  if (data.length < 64) return Buffer.concat([Buffer.from([data.length]), data]);
  if (data.length < 16384) return Buffer.concat([Buffer.from([0x40 | (data.length >> 8), data.length & 0xff]), data]);
  const header = Buffer.alloc(5);
  header[0] = 0x80;
  header.writeUInt32BE(data.length, 1);
  return Buffer.concat([header, data]);
}

export function encodeZiplist(entries: readonly CompactEntry[]): Buffer {
  const parts: Buffer[] = [];
  let previousLength = 0;
  let offset = 10;
  let tail = 10;
  for (const entry of entries) {
    let prevlen: Buffer;
    if (previousLength < 254) {
      prevlen = Buffer.from([previousLength]);
    } else {
      prevlen = Buffer.alloc(5);
      prevlen[0] = 254;
      prevlen.writeUInt32LE(previousLength, 1);
    }
    const encoded = Buffer.concat([prevlen, ziplistEncoding(entry)]);
    tail = offset;
    parts.push(encoded);
    offset += encoded.length;
    previousLength = encoded.length;
  }
  const header = Buffer.alloc(10);
  header.writeUInt32LE(offset + 1, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  return Buffer.concat([header, ...parts, Buffer.from([0xff])]);
}

// ---------------------------------------------------------------------------------------
// Intset and zipmap
// ---------------------------------------------------------------------------------------

export function encodeIntset(members: readonly bigint[], width: 2 | 4 | 8): Buffer {
  const sorted = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = Buffer.alloc(8 + width * sorted.length);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(sorted.length, 4);
  sorted.forEach((member, i) => {
    if (width === 8) out.writeBigInt64LE(member, 8 + i * 8);
    else out.writeIntLE(Number(member), 8 + i * width, width);
  });
  return out;
}

function zipmapLength(length: number): Buffer {
  if (length < 254) return Buffer.from([length]);
  const out = Buffer.alloc(5);
  out[0] = 254;
  out.writeUInt32LE(length, 1);
  return out;
}

/** `free` unused bytes follow each value, as after an in-place update that shrank it. */
export function encodeZipmap(pairs: readonly [string, string][], free = 0): Buffer {
  const parts: Buffer[] = [Buffer.from([Math.min(pairs.length, 254)])];
  for (const [field, value] of pairs) {
    parts.push(zipmapLength(field.length), Buffer.from(field, "latin1"));
    parts.push(zipmapLength(value.length), Buffer.from([free]), Buffer.from(value, "latin1"), Buffer.alloc(free, 0x2e));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}
