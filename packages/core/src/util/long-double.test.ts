import { describe, expect, it } from "vitest";
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from "./long-double.js";

function parse(text: string): LongDouble {
  const value = parseLongDouble(text);
  if (value === undefined) throw new Error(`not a float: ${text}`);
  return value;
}

const sum = (a: string, b: string): string => formatLongDouble(addLongDouble(parse(a), parse(b)));

describe("parseLongDouble (string2ld / strtold)", () => {
  it("rounds decimal text to the nearest 64-bit significand", () => {
    expect(parse("1")).toEqual({ kind: "finite", negative: false, significand: 1n << 63n, exponent: -63 });
    // 0.1 = 0xCCCCCCCCCCCCCCCD · 2^-67 in x87 extended precision (rounded up).
    expect(parse("0.1")).toEqual({ kind: "finite", negative: false, significand: 0xcccccccccccccccdn, exponent: -67 });
    expect(parse("-2.5")).toEqual({ kind: "finite", negative: true, significand: 0xa000000000000000n, exponent: -62 });
  });

  it("parses hexadecimal floats and infinities, refuses NaN", () => {
    expect(formatLongDouble(parse("0x1.8p1"))).toBe("3");
    expect(parse("INF")).toEqual({ kind: "infinity", negative: false });
    expect(parse("-infinity")).toEqual({ kind: "infinity", negative: true });
    expect(parseLongDouble("nan")).toBeUndefined();
    expect(parseLongDouble("infinit")).toBeUndefined();
  });

  it("keeps subnormals, refuses what rounds to zero or overflows", () => {
    expect(parse("0x1p-16445")).toEqual({ kind: "finite", negative: false, significand: 1n, exponent: -16445 });
    expect(parse("0x1.8p-16445")).toEqual({ kind: "finite", negative: false, significand: 2n, exponent: -16445 });
    expect(parseLongDouble("0x1p-16446")).toBeUndefined();
    expect(parseLongDouble("1e-4951")).toBeUndefined();
    expect(parseLongDouble("1.18973149535723176502e4932")).toBeDefined();
    expect(parseLongDouble("1.18973149535723176509e4932")).toBeUndefined();
    expect(parse("0e-99999")).toEqual({ kind: "finite", negative: false, significand: 0n, exponent: 0 });
  });

  it("refuses whitespace, garbage and over-long texts", () => {
    for (const text of ["", " 1", "\t1", "1 ", "1e", "1e+", "0x", "0x1p", ".", "-", "+-1", "1,5", "1\0", "1".repeat(5120)]) {
      expect(parseLongDouble(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe("addLongDouble and formatLongDouble (ld2string LD_STR_HUMAN)", () => {
  it("adds in extended precision", () => {
    expect(sum("0.1", "0.2")).toBe("0.3");
    expect(sum("1e17", "1")).toBe("100000000000000001");
    expect(sum("18446744073709551615", "1")).toBe("18446744073709551616");
    expect(sum("1.5", "-1.5")).toBe("0");
    expect(formatLongDouble(addLongDouble(parse("-0"), parse("-0")))).toBe("0");
    expect(addLongDouble(parse("inf"), parse("-inf"))).toEqual({ kind: "nan" });
    expect(addLongDouble(parse("1e4932"), parse("1e4932"))).toEqual({ kind: "infinity", negative: false });
  });

  it("prints 17 decimals rounded half to even, then trims", () => {
    expect(formatLongDouble(parse("0.000003814697265625"))).toBe("0.00000381469726562");
    expect(formatLongDouble(parse("0.000011444091796875"))).toBe("0.00001144409179688");
    expect(formatLongDouble(parse("123456789.123456789"))).toBe("123456789.12345678899873747");
    expect(formatLongDouble(parse("-1e-20"))).toBe("0");
    expect(formatLongDouble(parse("-5.05"))).toBe("-5.05");
    expect(formatLongDouble({ kind: "infinity", negative: true })).toBe("-inf");
  });
});
