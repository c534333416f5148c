import { describe, expect, it } from "vitest";
import { ProtocolError } from "./protocol-error.js";
import type { Reply } from "./reply.js";
import { ReplyParser } from "./reply-parser.js";
import { decodeAll, FEED_MODES } from "./test-support/feed.js";

const bulk = (text: string): Reply => ({ type: "bulk", value: Buffer.from(text, "latin1") });

describe.each(FEED_MODES)("ReplyParser, fed %s", (mode) => {
  const parse = (input: string) => decodeAll(new ReplyParser(), input, mode);

  it.each<[string, Reply]>([
    ["+OK\r\n", { type: "simple", value: "OK" }],
    ["+\r\n", { type: "simple", value: "" }],
    ["-ERR bad thing\r\n", { type: "error", value: "ERR bad thing" }],
    [":0\r\n", { type: "integer", value: 0n }],
    [":-42\r\n", { type: "integer", value: -42n }],
    [":9223372036854775807\r\n", { type: "integer", value: 9223372036854775807n }],
    ["$5\r\nhello\r\n", bulk("hello")],
    ["$0\r\n\r\n", bulk("")],
    ["$4\r\n\r\n\x00\xff\r\n", bulk("\r\n\x00\xff")],
    ["$-1\r\n", { type: "null" }],
    ["*-1\r\n", { type: "nullarray" }],
    ["_\r\n", { type: "null" }],
    ["#t\r\n", { type: "boolean", value: true }],
    ["#f\r\n", { type: "boolean", value: false }],
    [",1.5\r\n", { type: "double", value: "1.5" }],
    [",-inf\r\n", { type: "double", value: "-inf" }],
    [",nan\r\n", { type: "double", value: "nan" }],
    [",1.0000000000000001e-05\r\n", { type: "double", value: "1.0000000000000001e-05" }],
    ["(3492890328409238509324850943850943825024385\r\n", { type: "bignumber", value: "3492890328409238509324850943850943825024385" }],
    ["!21\r\nSYNTAX invalid syntax\r\n", { type: "error", value: "SYNTAX invalid syntax" }],
    ["=15\r\ntxt:Some string\r\n", { type: "verbatim", format: "txt", value: Buffer.from("Some string") }],
    ["*0\r\n", { type: "array", value: [] }],
    ["%0\r\n", { type: "map", value: [] }],
    ["*2\r\n:1\r\n$1\r\na\r\n", { type: "array", value: [{ type: "integer", value: 1n }, bulk("a")] }],
    ["~2\r\n+a\r\n+b\r\n", { type: "set", value: [{ type: "simple", value: "a" }, { type: "simple", value: "b" }] }],
    [">2\r\n+message\r\n$1\r\nx\r\n", { type: "push", value: [{ type: "simple", value: "message" }, bulk("x")] }],
    [
      "%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n_\r\n",
      {
        type: "map",
        value: [
          [{ type: "simple", value: "a" }, { type: "integer", value: 1n }],
          [{ type: "simple", value: "b" }, { type: "array", value: [{ type: "null" }] }],
        ],
      },
    ],
    [
      "*3\r\n*1\r\n*1\r\n:1\r\n*0\r\n*2\r\n$-1\r\n*-1\r\n",
      {
        type: "array",
        value: [
          { type: "array", value: [{ type: "array", value: [{ type: "integer", value: 1n }] }] },
          { type: "array", value: [] },
          { type: "array", value: [{ type: "null" }, { type: "nullarray" }] },
        ],
      },
    ],
  ])("%j", (input, expected) => {
    expect(parse(input)).toEqual([expected]);
  });

  it("parses consecutive replies", () => {
    expect(parse("+OK\r\n:1\r\n$1\r\nx\r\n")).toEqual([{ type: "simple", value: "OK" }, { type: "integer", value: 1n }, bulk("x")]);
  });

  it("returns a top-level attribute before the reply it describes", () => {
    const input = "|1\r\n+key-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n+Some real reply\r\n";
    expect(parse(input)).toEqual([
      {
        type: "attribute",
        value: [
          [
            { type: "simple", value: "key-popularity" },
            { type: "array", value: [bulk("key:123"), { type: "integer", value: 90n }] },
          ],
        ],
      },
      { type: "simple", value: "Some real reply" },
    ]);
  });

  it("skips attributes inside aggregates without counting them", () => {
    expect(parse("*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n")).toEqual([
      { type: "array", value: [{ type: "integer", value: 1n }, { type: "integer", value: 2n }] },
    ]);
  });

  it.each([
    ["?\r\n"],
    [":abc\r\n"],
    [":\r\n"],
    [":-\r\n"],
    ["$3\r\nabcd\r\n"],
    ["$-2\r\n"],
    ["$x\r\n"],
    ["*-2\r\n"],
    ["%-1\r\n"],
    ["#x\r\n"],
    ["_x\r\n"],
    [",\r\n"],
    [",abc\r\n"],
    ["(12a\r\n"],
    ["=3\r\ntxt\r\n"],
    ["=5\r\ntxt-x\r\n"],
    ["+OK\rX"],
  ])("rejects %j", (input) => {
    expect(() => parse(input)).toThrow(ProtocolError);
  });
});

describe("ReplyParser streaming", () => {
  it("resumes an aggregate across chunks without losing progress", () => {
    const parser = new ReplyParser();
    parser.feed(Buffer.from("*3\r\n:1\r\n:2"));
    expect(parser.next()).toBeUndefined();
    parser.feed(Buffer.from("\r\n$3\r\nab"));
    expect(parser.next()).toBeUndefined();
    parser.feed(Buffer.from("c\r\n+next\r\n"));
    expect(parser.next()).toEqual({
      type: "array",
      value: [{ type: "integer", value: 1n }, { type: "integer", value: 2n }, bulk("abc")],
    });
    expect(parser.next()).toEqual({ type: "simple", value: "next" });
    expect(parser.next()).toBeUndefined();
  });

  it("reads a large array fed in small chunks in linear time", () => {
    const count = 200_000;
    const input = Buffer.from("*" + count + "\r\n" + ":12345\r\n".repeat(count));
    const parser = new ReplyParser();
    const started = performance.now();
    let reply: Reply | undefined;
    for (let offset = 0; offset < input.length; offset += 1000) {
      parser.feed(input.subarray(offset, offset + 1000));
      reply = parser.next() ?? reply;
    }
    expect(reply?.type).toBe("array");
    expect(reply?.type === "array" && reply.value.length).toBe(count);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("stays failed after garbage", () => {
    const parser = new ReplyParser();
    parser.feed(Buffer.from("?\r\n"));
    expect(() => parser.next()).toThrow(ProtocolError);
    parser.feed(Buffer.from("+OK\r\n"));
    expect(() => parser.next()).toThrow(ProtocolError);
  });
});
