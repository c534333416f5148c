import { describe, expect, it } from "vitest";
import { compareReplies, comparisonFor } from "./compare-replies.js";

const b = (text: string): Buffer => Buffer.from(text, "latin1");

describe("reply comparison", () => {
  it("classifies commands case-insensitively, subcommands included", () => {
    expect(comparisonFor(["get", "k"])).toBe("exact");
    expect(comparisonFor(["pTtL", "k"])).toBe("ttl-millis");
    expect(comparisonFor(["client", "id"])).toBe("shape");
    expect(comparisonFor(["CLIENT", "GETNAME"])).toBe("exact");
    expect(comparisonFor(["config", "get", "x"])).toBe("unordered-pairs");
  });

  it("allows TTLs to differ by the tolerance, but never -1 against -2", () => {
    expect(compareReplies("ttl-seconds", b(":99\r\n"), b(":100\r\n"))).toBeUndefined();
    expect(compareReplies("ttl-seconds", b(":97\r\n"), b(":100\r\n"))).toMatch(/differ by 3/);
    expect(compareReplies("ttl-millis", b(":-1\r\n"), b(":-2\r\n"))).toBeDefined();
    expect(compareReplies("ttl-millis", b("$-1\r\n"), b(":5\r\n"))).toBeDefined();
  });

  it("compares errors exactly whatever the kind", () => {
    expect(compareReplies("shape", b("-ERR a\r\n"), b("-ERR b\r\n"))).toBeDefined();
    expect(compareReplies("ttl-seconds", b("-ERR a\r\n"), b(":1\r\n"))).toBeDefined();
    expect(compareReplies("status", b("-ERR busy\r\n"), b("+Background saving started\r\n"))).toBeUndefined();
  });

  it("ignores order only where Redis's order is arbitrary", () => {
    expect(compareReplies("unordered", b("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), b("*2\r\n$1\r\nb\r\n$1\r\na\r\n"))).toBeUndefined();
    expect(compareReplies("unordered", b("*1\r\n$1\r\na\r\n"), b("*2\r\n$1\r\nb\r\n$1\r\na\r\n"))).toBeDefined();
    expect(compareReplies("exact", b("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), b("*2\r\n$1\r\nb\r\n$1\r\na\r\n"))).toBeDefined();
    expect(compareReplies("unordered-pairs", b("%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"), b("%2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"))).toBeUndefined();
    expect(compareReplies("unordered-pairs", b("%1\r\n$1\r\na\r\n$1\r\n1\r\n"), b("%1\r\n$1\r\na\r\n$1\r\n2\r\n"))).toBeDefined();
  });

  it("masks only the client id in HELLO", () => {
    const hello = (id: number, version: string): Buffer =>
      b(`%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n${version}\r\n$2\r\nid\r\n:${id}\r\n`);
    expect(compareReplies("hello", hello(3, "7.0.15"), hello(12, "7.0.15"))).toBeUndefined();
    expect(compareReplies("hello", hello(3, "7.0.14"), hello(3, "7.0.15"))).toBeDefined();
  });

  it("compares only the reply type for implementation-specific replies", () => {
    expect(compareReplies("shape", b("$3\r\nabc\r\n"), b("$2\r\nxy\r\n"))).toBeUndefined();
    expect(compareReplies("shape", b("=7\r\ntxt:abc\r\n"), b("$3\r\nabc\r\n"))).toBeDefined();
  });
});
