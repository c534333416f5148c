import { describe, expect, it } from "vitest";
import { splitArgs } from "./split-args.js";

function split(line: string): string[] | undefined {
  const buf = Buffer.from(line, "latin1");
  return splitArgs(buf, 0, buf.length);
}

describe("splitArgs (sdssplitargs)", () => {
  it.each<[string, string[]]>([
    ["", []],
    ["   \t ", []],
    ["a", ["a"]],
    ["  a  b\tc\r\nd ", ["a", "b", "c", "d"]],
    ['"a b"', ["a b"]],
    ['""', [""]],
    ["''", [""]],
    ['"\\x41\\x4a\\x4A\\x4g"', ["AJJx4g"]],
    ['"\\n\\r\\t\\b\\a\\z\\\\\\""', ["\n\r\t\b\x07z\\\""]],
    ["'a\\'b \\n \\x41'", ["a'b \\n \\x41"]],
    ['a"b c"', ["ab c"]],
    ["a'b c'", ["ab c"]],
    ['"a"\x0bb', ["a", "b"]],
    ["a\x0bb\x0cc", ["a\x0bb\x0cc"]],
    ['"\xff\x80"', ["\xff\x80"]],
  ])("%j", (line, expected) => {
    expect(split(line)).toEqual(expected);
  });

  it.each([['"a'], ["'a"], ['"a"b'], ["'a'b"], ['"a\\"'], ['"a\\'], ['x "y']])("unbalanced: %j", (line) => {
    expect(split(line)).toBeUndefined();
  });

  it("splits only the given range", () => {
    const buf = Buffer.from("xxSET k vyy", "latin1");
    expect(splitArgs(buf, 2, 9)).toEqual(["SET", "k", "v"]);
  });
});
