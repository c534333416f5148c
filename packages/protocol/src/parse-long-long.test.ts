import { describe, expect, it } from "vitest";
import { parseLongLong } from "./parse-long-long.js";

const parse = (text: string) => {
  const buf = Buffer.from(text, "latin1");
  return parseLongLong(buf, 0, buf.length);
};

describe("parseLongLong (string2ll)", () => {
  it.each<[string, bigint]>([
    ["0", 0n],
    ["7", 7n],
    ["-7", -7n],
    ["1234567890", 1234567890n],
    ["9223372036854775807", 9223372036854775807n],
    ["-9223372036854775808", -9223372036854775808n],
  ])("%s", (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it.each([
    [""],
    ["-"],
    ["-0"],
    ["00"],
    ["01"],
    ["+1"],
    [" 1"],
    ["1 "],
    ["1a"],
    ["0x10"],
    ["9223372036854775808"],
    ["-9223372036854775809"],
    ["99999999999999999999"],
    ["000000000000000000001"],
  ])("rejects %j", (text) => {
    expect(parse(text)).toBeUndefined();
  });
});
