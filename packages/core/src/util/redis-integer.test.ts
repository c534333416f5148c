import { describe, expect, it } from "vitest";
import { addIntegers, LLONG_MAX, LLONG_MIN, negateInteger, parseInteger } from "./redis-integer.js";

describe("parseInteger (string2ll)", () => {
  it("accepts canonical 64-bit integers, as numbers while exact", () => {
    expect(parseInteger("0")).toBe(0);
    expect(parseInteger("7")).toBe(7);
    expect(parseInteger("-7")).toBe(-7);
    expect(parseInteger("123456789012345")).toBe(123456789012345);
    expect(parseInteger("9007199254740991")).toBe(9007199254740991);
    expect(parseInteger("-9007199254740991")).toBe(-9007199254740991);
    expect(parseInteger("9007199254740992")).toBe(9007199254740992n);
    expect(parseInteger("9999999999999999")).toBe(9999999999999999n);
    expect(parseInteger("9223372036854775807")).toBe(LLONG_MAX);
    expect(parseInteger("-9223372036854775808")).toBe(LLONG_MIN);
  });

  it("rejects everything string2ll rejects", () => {
    for (const text of ["", "-", "+1", "-0", "00", "01", "-01", " 1", "1 ", "1.0", "1e3", "0x1", "9223372036854775808", "-9223372036854775809", "123456789012345678901", "1\0", "١"]) {
      expect(parseInteger(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe("64-bit arithmetic", () => {
  it("adds with overflow detection", () => {
    expect(addIntegers(1, 2)).toBe(3);
    expect(addIntegers(9007199254740991, 1)).toBe(9007199254740992n);
    expect(addIntegers(9007199254740992n, -1)).toBe(9007199254740991);
    expect(addIntegers(LLONG_MAX, 0)).toBe(LLONG_MAX);
    expect(addIntegers(LLONG_MAX, 1)).toBeUndefined();
    expect(addIntegers(LLONG_MIN, -1)).toBeUndefined();
    expect(addIntegers(LLONG_MIN, LLONG_MAX)).toBe(-1);
  });

  it("negates, except LLONG_MIN", () => {
    expect(negateInteger(5)).toBe(-5);
    expect(negateInteger(LLONG_MAX)).toBe(-LLONG_MAX);
    expect(negateInteger(LLONG_MIN)).toBeUndefined();
  });
});
