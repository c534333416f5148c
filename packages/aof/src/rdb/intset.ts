import { CompactEncodingError } from "./compact-encoding-error.js";

/**
 * The members of an intset (RDB type 11), ascending, as decimal text: a uint32 LE width
 * of 2, 4 or 8 bytes per member, a uint32 LE count, then the members little endian.
 */
export function readIntset(blob: Buffer): string[] {
  if (blob.length < 8) throw new CompactEncodingError("intset", "shorter than its header");
  const width = blob.readUInt32LE(0);
  const count = blob.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) throw new CompactEncodingError("intset", `invalid member width ${width}`);
  if (blob.length !== 8 + width * count) {
    throw new CompactEncodingError("intset", `${count} members of ${width} bytes do not fill ${blob.length - 8} bytes`);
  }
  const members = new Array<string>(count);
  for (let i = 0, at = 8; i < count; i++, at += width) {
    members[i] = width === 2 ? String(blob.readInt16LE(at)) : width === 4 ? String(blob.readInt32LE(at)) : String(blob.readBigInt64LE(at));
  }
  return members;
}
