import { describe, expect, it } from "vitest";
import { appendCommand, encodeCommand } from "./command-encoder.js";
import { RequestParser } from "./request-parser.js";

describe("encodeCommand", () => {
  it("encodes strings as latin1 and Buffers as is", () => {
    expect(encodeCommand(["SET", "k\xe9", Buffer.from([0, 255])]).toString("latin1")).toBe(
      "*3\r\n$3\r\nSET\r\n$2\r\nk\xe9\r\n$2\r\n\x00\xff\r\n",
    );
  });

  it("encodes empty commands and arguments", () => {
    expect(encodeCommand([]).toString()).toBe("*0\r\n");
    expect(encodeCommand([""]).toString()).toBe("*1\r\n$0\r\n\r\n");
  });

  it("is what RequestParser reads back", () => {
    const args = ["MSET", "a".repeat(12345), "\r\n", ""];
    const parser = new RequestParser();
    parser.feed(encodeCommand(args));
    expect(parser.next()).toEqual(args);
  });
});

describe("appendCommand", () => {
  it("appends the same bytes as encodeCommand, as a latin1 string", () => {
    const out: string[] = ["x"];
    appendCommand(out, ["SET", "k", "v\xff"]);
    expect(out).toEqual(["x", encodeCommand(["SET", "k", "v\xff"]).toString("latin1")]);
  });
});
