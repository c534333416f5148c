import { describe, expect, it } from "vitest";
import { lzfCompressedLength, rdbIntegerLength, rdbStringLength } from "./rdb-string-length.js";

// Expected sizes are redis-server 7.0.15's DEBUG OBJECT serializedlength for the same values.
describe("rdbIntegerLength", () => {
  it("uses the 8, 16 and 32-bit encodings, then the decimal text", () => {
    expect(rdbIntegerLength(123)).toBe(2);
    expect(rdbIntegerLength(-129)).toBe(3);
    expect(rdbIntegerLength(128)).toBe(3);
    expect(rdbIntegerLength(30000)).toBe(3);
    expect(rdbIntegerLength(2147483647)).toBe(5);
    expect(rdbIntegerLength(2147483648)).toBe(11);
    expect(rdbIntegerLength(9223372036854775807n)).toBe(20);
  });
});

describe("rdbStringLength", () => {
  it("stores short canonical integers as integers, other short strings verbatim", () => {
    expect(rdbStringLength("12")).toBe(2);
    expect(rdbStringLength("007")).toBe(4);
    expect(rdbStringLength("hello world")).toBe(12);
    expect(rdbStringLength("12345678901234567890")).toBe(21);
  });

  it("compresses long strings when LZF saves at least four bytes", () => {
    expect(rdbStringLength("a".repeat(50))).toBe(12);
    expect(rdbStringLength("k".repeat(1000))).toBe(22);
    expect(rdbStringLength("a".repeat(50), false)).toBe(51);
  });

  it("counts 2-byte lengths from 64 bytes on", () => {
    const incompressible = Array.from({ length: 64 }, (_, i) => String.fromCharCode((i * 97 + 13) % 256)).join("");
    expect(lzfCompressedLength(incompressible, 60)).toBe(0);
    expect(rdbStringLength(incompressible)).toBe(66);
  });
});
