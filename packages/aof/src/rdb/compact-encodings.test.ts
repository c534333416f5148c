import { describe, expect, it } from "vitest";
import { CompactEncodingError } from "./compact-encoding-error.js";
import { readIntset } from "./intset.js";
import { readListpack } from "./listpack.js";
import { encodeIntset, encodeListpack, encodeZiplist, encodeZipmap, type CompactEntry } from "./test-support/compact-encoders.js";
import { readZiplist, readZipmap } from "./ziplist.js";

const text = (entries: CompactEntry[]) => entries.map(String);

/** Integers at both ends of every integer encoding of both formats. */
const integers = [
  0n, 1n, 12n, 13n, 127n, 128n, -1n, -128n, -129n, -4096n, 4095n, 4096n, -4097n, 32767n, -32768n, 32768n,
  8388607n, -8388608n, 8388608n, 2147483647n, -2147483648n, 2147483648n, 9223372036854775807n, -9223372036854775808n,
];

const strings = ["", "a", "x".repeat(63), "y".repeat(64), "z".repeat(4095), "w".repeat(4096), "v".repeat(16383), "u".repeat(16384), "\u0000\u00ff binary"];

function problem(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    if (error instanceof CompactEncodingError) return error.message;
    throw error;
  }
  throw new Error("expected a CompactEncodingError");
}

describe("readListpack", () => {
  it("reads every integer and string encoding, with backlens of 1 to 3 bytes", () => {
    const entries: CompactEntry[] = [...integers, ...strings, "t".repeat(70_000)];
    expect(readListpack(encodeListpack(entries))).toEqual(text(entries));
  });

  it("reads an empty listpack, and one whose count is 65535 (too many to count in the header)", () => {
    expect(readListpack(encodeListpack([]))).toEqual([]);
    const many = Array.from({ length: 70_000 }, (_, i) => BigInt(i % 100));
    const blob = encodeListpack(many);
    expect(blob.readUInt16LE(4)).toBe(0xffff);
    expect(readListpack(blob)).toHaveLength(70_000);
  });

  it("refuses a wrong size, a missing end marker, unknown encodings and a wrong count", () => {
    const good = encodeListpack(["a", 5n]);
    expect(problem(() => readListpack(Buffer.concat([good, Buffer.from([0])])))).toMatch(/^invalid listpack: header says \d+ bytes/);
    const noEnd = Buffer.from(good.subarray(0, good.length - 1));
    noEnd.writeUInt32LE(noEnd.length, 0);
    expect(problem(() => readListpack(noEnd))).toBe("invalid listpack: missing its end marker");
    const unknown = Buffer.from(good);
    unknown[6] = 0xf5;
    expect(problem(() => readListpack(unknown))).toBe("invalid listpack: unknown element encoding 0xf5");
    const wrongCount = Buffer.from(good);
    wrongCount.writeUInt16LE(3, 4);
    expect(problem(() => readListpack(wrongCount))).toBe("invalid listpack: header says 3 elements, found 2");
    const cut = Buffer.from(encodeListpack(["x".repeat(100)]));
    cut[6] = 0xbf; // a 63-byte string claimed where 100 bytes are: the backlen lands elsewhere
    expect(() => readListpack(cut)).toThrow(CompactEncodingError);
  });
});

describe("readZiplist", () => {
  it("reads every integer and string encoding, with 1 and 5-byte previous-entry lengths", () => {
    const entries: CompactEntry[] = [...integers, ...strings, "after a long entry", "t".repeat(70_000), 7n];
    expect(readZiplist(encodeZiplist(entries))).toEqual(text(entries));
  });

  it("reads an empty ziplist and refuses corrupt ones", () => {
    expect(readZiplist(encodeZiplist([]))).toEqual([]);
    const good = encodeZiplist(["a", 5n]);
    const unknown = Buffer.from(good);
    unknown[11] = 0xc1;
    expect(problem(() => readZiplist(unknown))).toBe("invalid ziplist: unknown entry encoding 0xc1");
    const wrongCount = Buffer.from(good);
    wrongCount.writeUInt16LE(1, 8);
    expect(problem(() => readZiplist(wrongCount))).toBe("invalid ziplist: header says 1 entries, found 2");
    const cut = Buffer.from(good.subarray(0, 12));
    cut.writeUInt32LE(12, 0);
    expect(problem(() => readZiplist(cut))).toBe("invalid ziplist: an entry runs past the end");
  });
});

describe("readIntset", () => {
  it("reads members of 16, 32 and 64 bits, ascending", () => {
    expect(readIntset(encodeIntset([3n, -5n, 32767n], 2))).toEqual(["-5", "3", "32767"]);
    expect(readIntset(encodeIntset([70000n, -70000n], 4))).toEqual(["-70000", "70000"]);
    expect(readIntset(encodeIntset([9223372036854775807n, -9223372036854775808n, 0n], 8))).toEqual([
      "-9223372036854775808",
      "0",
      "9223372036854775807",
    ]);
  });

  it("refuses a width other than 2, 4 or 8 and a size that does not match the count", () => {
    const bad = Buffer.from(encodeIntset([1n], 2));
    bad.writeUInt32LE(3, 0);
    expect(problem(() => readIntset(bad))).toBe("invalid intset: invalid member width 3");
    expect(problem(() => readIntset(encodeIntset([1n, 2n], 4).subarray(0, 12)))).toBe("invalid intset: 2 members of 4 bytes do not fill 4 bytes");
  });
});

describe("readZipmap", () => {
  it("reads pairs, skipping the free bytes after values, with 1 and 5-byte lengths", () => {
    const pairs: [string, string][] = [["name", "kv"], ["", "empty field"], ["long", "l".repeat(300)], ["f".repeat(260), ""]];
    expect(readZipmap(encodeZipmap(pairs))).toEqual(pairs.flat());
    expect(readZipmap(encodeZipmap(pairs, 4))).toEqual(pairs.flat());
    expect(readZipmap(encodeZipmap([]))).toEqual([]);
  });

  it("refuses data after the end and pairs running past it", () => {
    expect(problem(() => readZipmap(Buffer.concat([encodeZipmap([["a", "b"]]), Buffer.from([1])])))).toBe("invalid zipmap: data after its end marker");
    expect(problem(() => readZipmap(encodeZipmap([["a", "bcdef"]]).subarray(0, 6)))).toBe("invalid zipmap: an entry runs past the end");
  });
});
