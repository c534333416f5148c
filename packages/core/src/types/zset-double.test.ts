import { describe, expect, it } from "vitest";
import { parseRangeNumber, parseScore, scoreToListpackText } from "./zset-double.js";

/* Expected values are what redis-server 7.0.15 accepted (ZADD, then ZSCORE) or rejected. */

describe("parseScore (string2d)", () => {
  it.each([
    ["1", 1], ["-2.5", -2.5], ["+1.5", 1.5], [".5", 0.5], ["5.", 5], ["1E3", 1000], ["007", 7], ["-0", -0],
    ["inf", Infinity], ["+inf", Infinity], ["-INF", -Infinity], ["infinity", Infinity], ["-Infinity", -Infinity],
    ["0x10", 16], ["-0x10", -16], ["0x1.8p1", 3], ["0X1P+3", 8], ["0x.1", 0.0625], ["0x1p-1074", 5e-324], ["0x1.8p-1074", 1e-323],
    ["0x123456789abcdef123", Number(0x123456789abcdef123n)], ["4.9e-324", 5e-324], ["1e-320", 1e-320], ["1.7976931348623157e308", 1.7976931348623157e308],
    ["123456789.123456789", 123456789.12345679], ["0.1", 0.1],
  ])("accepts %j", (text, value) => {
    expect(Object.is(parseScore(text), value)).toBe(true);
  });

  it.each([
    "", " 1", "1 ", "\t1", "1\x00", "abc", "nan", "-nan", "nan(123)", "infinit", "1e400", "-1e400", "1e-400", "0x1p1024",
    "0x1p-1075", "0x", "0x1p", "0x1p+", "1e", "1e+", ".", ".e5", "-", "+", "1,5", "1.5.5", "--1",
  ])("rejects %j", (text) => {
    expect(parseScore(text)).toBeUndefined();
  });
});

describe("parseRangeNumber (zslParseRange's strtod)", () => {
  it.each([
    ["", 0, 0], ["(", 1, 0], [" 1", 0, 1], ["1\x00junk", 0, 1], ["1e400", 0, Infinity], ["(2.5", 1, 2.5], ["0x1p1", 0, 2],
  ])("reads %j from %i as %d", (text, start, value) => {
    expect(parseRangeNumber(text, start)).toBe(value);
  });

  it.each(["nan", "abc", "1 ", "((1", "1x"])("rejects %j", (text) => {
    expect(parseRangeNumber(text, 0)).toBeUndefined();
  });
});

describe("scoreToListpackText", () => {
  it("prints integral scores within ±2^62 as exact integers, others with %.17g", () => {
    expect(scoreToListpackText(1e17)).toBe("100000000000000000");
    expect(scoreToListpackText(2 ** 60)).toBe("1152921504606846976");
    expect(scoreToListpackText(2 ** 62)).toBe("4611686018427387904");
    expect(scoreToListpackText(2 ** 63)).toBe("9.2233720368547758e+18");
    expect(scoreToListpackText(0.1)).toBe("0.10000000000000001");
    expect(scoreToListpackText(-3)).toBe("-3");
    expect(scoreToListpackText(Infinity)).toBe("inf");
  });
});
