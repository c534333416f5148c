import { describe, expect, it } from "vitest";
import { detachedHost } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";

/** DEBUG OBJECT's line without the parts that are the server's own (address, LRU clock). */
function describeKey(h: TestHarness, key: string): string {
  return h.raw("DEBUG", "OBJECT", key).replace(/at:0x[0-9a-f]+/, "at:<addr>").replace(/ lru:\d+ /, " lru:<lru> ");
}

describe("DEBUG OBJECT", () => {
  it("reports Redis's encoding, refcount and RDB length for strings (values checked against redis-server 7.0.15)", () => {
    const h = new TestHarness();
    const cases: [string, string, string][] = [
      ["123", "int", "refcount:2147483647 encoding:int serializedlength:2"],
      ["-5", "int", "refcount:1 encoding:int serializedlength:2"],
      ["30000", "int", "refcount:1 encoding:int serializedlength:3"],
      ["12345678901", "int", "refcount:1 encoding:int serializedlength:12"],
      ["12345678901234567890", "embstr", "refcount:1 encoding:embstr serializedlength:21"],
      ["hello world", "embstr", "refcount:1 encoding:embstr serializedlength:12"],
      ["a".repeat(50), "raw", "refcount:1 encoding:raw serializedlength:12"],
      ["k".repeat(1000), "raw", "refcount:1 encoding:raw serializedlength:22"],
    ];
    for (const [value, , expected] of cases) {
      h.raw("SET", "k", value);
      expect(describeKey(h, "k"), value.slice(0, 20)).toBe(`+Value at:<addr> ${expected} lru:<lru> lru_seconds_idle:0\r\n`);
    }
  });

  it("does not share integers under an LRU/LFU maxmemory policy", () => {
    const h = new TestHarness();
    h.raw("CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru");
    h.raw("SET", "k", "7");
    expect(describeKey(h, "k")).toContain("refcount:1 encoding:int");
  });

  it("errors for missing keys and wrong arity", () => {
    const h = new TestHarness();
    expect(h.raw("DEBUG", "OBJECT", "nokey")).toBe("-ERR no such key\r\n");
    expect(h.raw("DEBUG", "OBJECT")).toBe("-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n");
  });
});

describe("DEBUG subcommands", () => {
  it("SLEEP blocks the process for the given seconds", () => {
    const h = new TestHarness();
    const started = performance.now();
    expect(h.raw("DEBUG", "SLEEP", "0.05")).toBe("+OK\r\n");
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(h.raw("DEBUG", "SLEEP", "0")).toBe("+OK\r\n");
    expect(h.raw("DEBUG", "SLEEP", "nonsense")).toBe("+OK\r\n");
  });

  it("SET-ACTIVE-EXPIRE switches the active expiry cycle", () => {
    const h = new TestHarness();
    expect(h.raw("DEBUG", "SET-ACTIVE-EXPIRE", "0")).toBe("+OK\r\n");
    expect(h.engine.activeExpireEnabled).toBe(false);
    expect(h.raw("debug", "set-active-expire", "1")).toBe("+OK\r\n");
    expect(h.engine.activeExpireEnabled).toBe(true);
    expect(h.raw("DEBUG", "SET-ACTIVE-EXPIRE", "x")).toBe("+OK\r\n");
    expect(h.engine.activeExpireEnabled).toBe(false);
  });

  it("RELOAD and LOADAOF reload through the host", () => {
    let reloads = 0;
    const h = new TestHarness();
    h.engine.host = { ...detachedHost, reloadAof: () => void reloads++ };
    expect(h.raw("DEBUG", "RELOAD")).toBe("+OK\r\n");
    expect(h.raw("DEBUG", "RELOAD", "NOSAVE", "merge")).toBe("+OK\r\n");
    expect(h.raw("DEBUG", "LOADAOF")).toBe("+OK\r\n");
    expect(reloads).toBe(3);
    expect(h.raw("DEBUG", "RELOAD", "FOO")).toBe("-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n");
    expect(new TestHarness().raw("DEBUG", "RELOAD")).toBe("-ERR Error trying to load the AOF files\r\n");
  });

  it("POPULATE creates keys without propagating them", () => {
    const h = new TestHarness();
    h.raw("SET", "key:1", "mine");
    expect(h.raw("DEBUG", "POPULATE", "3")).toBe("+OK\r\n");
    expect(h.raw("MGET", "key:0", "key:1", "key:2")).toBe("*3\r\n$7\r\nvalue:0\r\n$4\r\nmine\r\n$7\r\nvalue:2\r\n");
    expect(h.raw("DEBUG", "POPULATE", "1", "p", "10")).toBe("+OK\r\n");
    expect(h.raw("GET", "p:0")).toBe("$10\r\nvalue:0\x00\x00\x00\r\n");
    expect(h.propagated).toEqual([[0, ["SET", "key:1", "mine"]]]);
    expect(h.raw("DEBUG", "POPULATE", "-1")).toBe("-ERR value is out of range, must be positive\r\n");
  });

  it("PROTOCOL sends each RESP type", () => {
    const h = new TestHarness();
    expect(h.raw("DEBUG", "PROTOCOL", "map")).toBe("*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
    expect(h.raw("DEBUG", "PROTOCOL", "push")).toBe("-ERR RESP2 is not supported by this command\r\n");
    h.raw("HELLO", "3");
    expect(h.raw("DEBUG", "PROTOCOL", "attrib")).toBe(
      "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n",
    );
    expect(h.raw("DEBUG", "PROTOCOL", "double")).toBe(",3.141\r\n");
    expect(h.raw("DEBUG", "PROTOCOL", "null")).toBe("_\r\n");
  });

  it("ERROR replies the given text as an error", () => {
    const h = new TestHarness();
    expect(h.raw("DEBUG", "ERROR", "BUSY something")).toBe("-BUSY something\r\n");
  });

  it("rejects unknown subcommands with Redis's message", () => {
    const h = new TestHarness();
    expect(h.raw("DEBUG", "JMAP")).toBe("-ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP.\r\n");
    expect(h.raw("debug", "sleep")).toBe("-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n");
    expect(h.raw("DEBUG")).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
  });

  it("HELP lists the subcommands kv serves in Redis's words", () => {
    const help = new TestHarness().raw("DEBUG", "HELP");
    expect(help.startsWith("*47\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANGE-REPL-ID\r\n")).toBe(true);
    expect(help).toContain("+SLEEP <seconds>\r\n+    Stop the server for <seconds>. Decimals allowed.\r\n");
  });
});
