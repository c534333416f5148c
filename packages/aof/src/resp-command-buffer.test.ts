import { RequestParser } from "@kv/protocol";
import { describe, expect, it } from "vitest";
import { RespCommandBuffer } from "./resp-command-buffer.js";

function parseWithServerParser(bytes: Buffer, chunkSize: number): string[][] {
  const parser = new RequestParser();
  parser.authenticated = true;
  const commands: string[][] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    parser.feed(bytes.subarray(at, at + chunkSize));
    for (let command = parser.next(); command !== undefined; command = parser.next()) commands.push(command);
  }
  return commands;
}

describe("RespCommandBuffer", () => {
  it("encodes RESP multibulk exactly", () => {
    const buffer = new RespCommandBuffer();
    buffer.appendCommand(["SET", "key", ""]);
    buffer.appendCommand(["PING"]);
    expect(buffer.view().toString("latin1")).toBe("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n");
  });

  it("is binary safe for every byte value and long arguments, and grows as needed", () => {
    const buffer = new RespCommandBuffer(8);
    const every = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    const long = "x".repeat(123_456);
    buffer.appendCommand([every, long]);
    const expected = `*2\r\n$256\r\n${every}\r\n$123456\r\n${long}\r\n`;
    expect(buffer.length).toBe(expected.length);
    expect(buffer.view().toString("latin1")).toBe(expected);
  });

  it("consumes a written prefix and keeps the rest", () => {
    const buffer = new RespCommandBuffer();
    buffer.appendCommand(["A"]);
    buffer.appendCommand(["B"]);
    buffer.consume(11);
    expect(buffer.view().toString("latin1")).toBe("*1\r\n$1\r\nB\r\n");
    buffer.clear();
    expect(buffer.length).toBe(0);
  });

  it("encodes argument counts and lengths with many digits", () => {
    const buffer = new RespCommandBuffer();
    const args = Array.from({ length: 12_345 }, (_, i) => String(i));
    buffer.appendCommand(args);
    const text = buffer.view().toString("latin1");
    expect(text.startsWith("*12345\r\n$1\r\n0\r\n")).toBe(true);
    expect(text.endsWith("$5\r\n12344\r\n")).toBe(true);
  });

  it("produces what the server's RequestParser reads back, whole and byte by byte", () => {
    const commands = [
      ["SET", "k", "v"],
      ["SET", Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(""), "\r\n*2\r\n"],
      ["APPEND", "", "x".repeat(70_000)],
      ["SELECT", "15"],
    ];
    const buffer = new RespCommandBuffer(16);
    for (const command of commands) buffer.appendCommand(command);
    const bytes = Buffer.from(buffer.view());
    expect(parseWithServerParser(bytes, bytes.length)).toEqual(commands);
    expect(parseWithServerParser(bytes, 1)).toEqual(commands);
  });

  it("encodes SET [PXAT] from its parts, and from bytes copied in by their owner, exactly as appendCommand encodes the argv", () => {
    const cases: [string, string, number | undefined][] = [
      ["k", "v", undefined],
      ["", "", undefined],
      ["key:1234567890123456789", "x".repeat(70_000), 1_700_000_000_123],
      ["\r\n", "\u00ff\u0000", 9223372036854774784],
    ];
    const parts = new RespCommandBuffer(16);
    const copied = new RespCommandBuffer(16);
    const argvs = new RespCommandBuffer(16);
    for (const [key, value, expireAt] of cases) {
      parts.appendSet(key, value, expireAt);
      const keyBytes = Buffer.from(key, "latin1");
      const valueBytes = Buffer.from(value, "latin1");
      copied.appendSetFrom(
        {
          keyLength: keyBytes.length,
          valueLength: valueBytes.length,
          copyKey: (target, at) => keyBytes.copy(target, at),
          copyValue: (target, at) => valueBytes.copy(target, at),
        },
        expireAt,
      );
      argvs.appendCommand(expireAt === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", String(expireAt)]);
    }
    expect(Buffer.from(parts.view()).equals(Buffer.from(argvs.view()))).toBe(true);
    expect(Buffer.from(copied.view()).equals(Buffer.from(argvs.view()))).toBe(true);
  });
});
