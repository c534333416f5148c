import { describe, expect, it } from "vitest";
import {
  compareIds,
  counterAsLongLong,
  deltaU64,
  formatId,
  incrementCounter,
  nextId,
  parseStreamId,
  parseU64,
  previousId,
  StreamId,
  U64_MAX,
} from "./stream-id.js";

describe("parseU64 (Redis's string2ull)", () => {
  it("accepts string2ll's strict form and strtoull's lenient one", () => {
    expect(parseU64("0")).toBe(0);
    expect(parseU64("42")).toBe(42);
    expect(parseU64("9007199254740991")).toBe(9007199254740991);
    expect(parseU64("9007199254740992")).toBe(9007199254740992n);
    expect(parseU64("18446744073709551615")).toBe(U64_MAX);
    expect(parseU64(" \t\n5")).toBe(5);
    expect(parseU64("+5")).toBe(5);
    expect(parseU64("007")).toBe(7);
    expect(parseU64("-0")).toBe(0);
    // strtoull negates a magnitude string2ll refused: "-01" wraps to 2^64 - 1.
    expect(parseU64("-01")).toBe(U64_MAX);
    expect(parseU64("-18446744073709551615")).toBe(1);
  });

  it("refuses what both refuse", () => {
    for (const text of ["", " ", "-1", "-5", "5 ", "0x10", "1e3", "+", "-", "18446744073709551616", "-18446744073709551616", "1.0"]) {
      expect(parseU64(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe("parseStreamId", () => {
  it("reads <ms>, <ms>-<seq>, - and +, and <ms>-* for XADD", () => {
    expect(parseStreamId("5", 0, false)).toEqual({ ms: 5, seq: 0, seqGiven: true });
    expect(parseStreamId("5", U64_MAX, false)).toEqual({ ms: 5, seq: U64_MAX, seqGiven: true });
    expect(parseStreamId("5-3", 0, false)).toEqual({ ms: 5, seq: 3, seqGiven: true });
    expect(parseStreamId("-", 0, false)).toEqual({ ms: 0, seq: 0, seqGiven: true });
    expect(parseStreamId("+", 0, false)).toEqual({ ms: U64_MAX, seq: U64_MAX, seqGiven: true });
    expect(parseStreamId("-", 0, true)).toBeUndefined();
    expect(parseStreamId("5-*", 0, true, true)).toEqual({ ms: 5, seq: 0, seqGiven: false });
    expect(parseStreamId("5-*", 0, true)).toBeUndefined();
    // A C string: everything after a NUL is ignored, but the whole argument counts toward 127 bytes.
    expect(parseStreamId("7-1\x00junk", 0, true)).toEqual({ ms: 7, seq: 1, seqGiven: true });
    expect(parseStreamId("-\x00x", 0, false)).toEqual({ ms: 0, seq: 0, seqGiven: true });
    expect(parseStreamId(`1${" ".repeat(127)}`, 0, false)).toBeUndefined();
    for (const text of ["", "-1", "1-", "1-2-3", "a-1", "1-a"]) expect(parseStreamId(text, 0, false), text).toBeUndefined();
  });
});

describe("ID arithmetic", () => {
  it("steps across the halves and stops at the ends", () => {
    expect(formatId(nextId(new StreamId(1, 2))!)).toBe("1-3");
    expect(formatId(nextId(new StreamId(1, U64_MAX))!)).toBe("2-0");
    expect(formatId(nextId(new StreamId(9007199254740991, 9007199254740991))!)).toBe("9007199254740991-9007199254740992");
    expect(nextId(new StreamId(U64_MAX, U64_MAX))).toBeUndefined();
    expect(formatId(previousId(new StreamId(2, 0))!)).toBe("1-18446744073709551615");
    expect(formatId(previousId(new StreamId(9007199254740992n, 0))!)).toBe("9007199254740991-18446744073709551615");
    expect(previousId(new StreamId(0, 0))).toBeUndefined();
  });

  it("orders numbers below bigints", () => {
    expect(compareIds(new StreamId(1, 5), new StreamId(1, 6))).toBe(-1);
    expect(compareIds(new StreamId(9007199254740991, 0), new StreamId(9007199254740992n, 0))).toBe(-1);
    expect(compareIds(new StreamId(U64_MAX, 0), new StreamId(3, U64_MAX))).toBe(1);
    expect(compareIds(new StreamId(4, 4), new StreamId(4, 4))).toBe(0);
  });

  it("computes listpack deltas as wrapped signed 64-bit values", () => {
    expect(deltaU64(10, 3)).toBe(7);
    expect(deltaU64(0, 10)).toBe(-10);
    expect(deltaU64(U64_MAX, 0)).toBe(-1);
    expect(deltaU64(9223372036854775808n, 0)).toBe(-9223372036854775808n);
  });

  it("counts like C's 64-bit counters", () => {
    expect(incrementCounter(5)).toBe(6);
    expect(incrementCounter(9007199254740991)).toBe(9007199254740992n);
    expect(incrementCounter(18446744073709551615n)).toBe(0);
    expect(counterAsLongLong(9223372036854775808n)).toBe(-9223372036854775808n);
    expect(counterAsLongLong(18446744073709551615n)).toBe(-1);
  });
});
