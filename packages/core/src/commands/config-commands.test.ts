import { describe, expect, it } from "vitest";
import { detachedHost } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";

function pairs(...items: string[]): string {
  let text = `*${items.length}\r\n`;
  for (const item of items) text += `$${item.length}\r\n${item}\r\n`;
  return text;
}

describe("CONFIG GET", () => {
  it("returns name/value pairs, flat in RESP2 and a map in RESP3", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "GET", "maxmemory")).toBe(pairs("maxmemory", "0"));
    expect(h.raw("CONFIG", "GET", "nosuch")).toBe("*0\r\n");
    h.raw("HELLO", "3");
    expect(h.raw("CONFIG", "GET", "maxmemory", "timeout")).toBe("%2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
    expect(h.raw("CONFIG", "GET", "nosuch")).toBe("%0\r\n");
  });

  it("echoes an exact name as written and lists it once", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "GET", "MAXMEMORY")).toBe(pairs("MAXMEMORY", "0"));
    expect(h.raw("CONFIG", "GET", "MaxMemory", "maxmemory", "maxmem*")).toBe(
      pairs("MaxMemory", "0", "maxmemory-policy", "noeviction", "maxmemory-samples", "5", "maxmemory-eviction-tenacity", "10"),
    );
  });

  it("matches globs against names and aliases", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "GET", "hash-max-*-entries")).toBe(pairs("hash-max-listpack-entries", "512", "hash-max-ziplist-entries", "512"));
    expect(h.raw("CONFIG", "GET", "slave-read-only")).toBe(pairs("slave-read-only", "yes"));
    expect(h.raw("CONFIG", "GET", "[ab]ppendonly")).toBe(pairs("appendonly", "yes"));
  });
});

describe("CONFIG SET", () => {
  it("round-trips values in Redis's canonical form", () => {
    const h = new TestHarness();
    const roundTrips: [string, string, string][] = [
      ["maxmemory", "100mb", "104857600"],
      ["maxmemory", "1g", "1000000000"],
      ["maxmemory", "2KB", "2048"],
      ["maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru"],
      ["appendfsync", "Always", "always"],
      ["timeout", "300", "300"],
      ["hz", "0", "1"],
      ["hz", "1000", "500"],
      ["notify-keyspace-events", "KEA", "AKE"],
      ["notify-keyspace-events", "Kgx$d", "g$xdK"],
      ["notify-keyspace-events", "AKEn", "AKE"],
      ["notify-keyspace-events", "", ""],
      ["save", "3600 1 300 100", "3600 1 300 100"],
      ["save", "60 +5", "60 5"],
      ["save", "", ""],
      ["protected-mode", "NO", "no"],
      ["zset-max-ziplist-entries", "64", "64"],
    ];
    for (const [name, value, stored] of roundTrips) {
      expect(h.raw("CONFIG", "SET", name, value), `${name} ${value}`).toBe("+OK\r\n");
      expect(h.raw("CONFIG", "GET", name)).toBe(pairs(name, stored));
    }
    expect(h.raw("CONFIG", "GET", "zset-max-listpack-entries")).toBe(pairs("zset-max-listpack-entries", "64"));
  });

  it("gives Redis's validation errors", () => {
    const h = new TestHarness();
    const failed = (arg: string, reason: string): string => `-ERR CONFIG SET failed (possibly related to argument '${arg}') - ${reason}\r\n`;
    expect(h.raw("CONFIG", "SET", "maxmemory", "abc")).toBe(failed("maxmemory", "argument must be a memory value"));
    expect(h.raw("CONFIG", "SET", "MAXMEMORY", "-1")).toBe(failed("maxmemory", "argument must be a memory value"));
    expect(h.raw("CONFIG", "SET", "timeout", "-1")).toBe(failed("timeout", "argument must be between 0 and 2147483647 inclusive"));
    expect(h.raw("CONFIG", "SET", "timeout", "007")).toBe(failed("timeout", "argument couldn't be parsed into an integer"));
    expect(h.raw("CONFIG", "SET", "maxclients", "0")).toBe(failed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
    expect(h.raw("CONFIG", "SET", "appendonly", "maybe")).toBe(failed("appendonly", "argument must be 'yes' or 'no'"));
    expect(h.raw("CONFIG", "SET", "appendfsync", "foo")).toBe(failed("appendfsync", "argument(s) must be one of the following: everysec, always, no"));
    expect(h.raw("CONFIG", "SET", "notify-keyspace-events", "Z")).toBe(failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
    expect(h.raw("CONFIG", "SET", "save", "3600")).toBe(failed("save", "Invalid save parameters"));
    expect(h.raw("CONFIG", "SET", "save", "0 1")).toBe(failed("save", "Invalid save parameters"));
    expect(h.raw("CONFIG", "SET", "save", "10  1")).toBe(failed("save", "Invalid save parameters"));
    expect(h.raw("CONFIG", "SET", "databases", "4")).toBe(failed("databases", "can't set immutable config"));
    expect(h.raw("CONFIG", "SET", "dir", "/tmp")).toBe(failed("dir", "can't set protected config"));
    expect(h.raw("CONFIG", "SET", "nosuch", "1")).toBe("-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
    expect(h.raw("CONFIG", "SET", "maxmemory", "1", "timeout")).toBe("-ERR syntax error\r\n");
  });

  it("sets several parameters atomically", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "SET", "timeout", "5", "maxmemory", "7mb")).toBe("+OK\r\n");
    expect(h.raw("CONFIG", "GET", "timeout", "maxmemory")).toBe(pairs("timeout", "5", "maxmemory", "7340032"));
    expect(h.raw("CONFIG", "SET", "timeout", "9", "maxmemory", "x")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
    );
    expect(h.raw("CONFIG", "GET", "timeout")).toBe(pairs("timeout", "5"));
    expect(h.raw("CONFIG", "SET", "timeout", "1", "TIMEOUT", "2")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter\r\n",
    );
    expect(h.raw("CONFIG", "SET", "lua-time-limit", "1", "busy-reply-threshold", "2")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'busy-reply-threshold') - duplicate parameter\r\n",
    );
    expect(h.raw("CONFIG", "GET", "timeout")).toBe(pairs("timeout", "5"));
  });

  it("applies notify-keyspace-events to the engine", () => {
    const h = new TestHarness();
    h.raw("CONFIG", "SET", "notify-keyspace-events", "KEg");
    expect(h.engine.notifyMask).toBe((1 << 0) | (1 << 1) | (1 << 2));
  });
});

describe("CONFIG RESETSTAT / REWRITE / HELP", () => {
  it("RESETSTAT clears INFO stats, command stats and error stats", () => {
    const h = new TestHarness();
    h.raw("PING");
    h.raw("NOPE");
    h.raw("GET", "k");
    expect(h.raw("INFO", "commandstats")).toContain("cmdstat_ping:calls=1,");
    expect(h.raw("CONFIG", "RESETSTAT")).toBe("+OK\r\n");
    // Like Redis, RESETSTAT itself is counted once it returns.
    expect(h.raw("INFO", "commandstats")).toBe(
      "$108\r\n# Commandstats\r\ncmdstat_config|resetstat:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n\r\n",
    );
    expect(h.raw("INFO", "errorstats")).toBe("$14\r\n# Errorstats\r\n\r\n");
    expect(h.raw("INFO", "stats")).toContain("\r\nkeyspace_misses:0\r\n");
  });

  it("REWRITE needs a host with a config file", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "REWRITE")).toBe("-ERR The server is running without a config file\r\n");
    let rewrites = 0;
    h.engine.host = { ...detachedHost, rewriteConfig: () => void rewrites++ };
    expect(h.raw("CONFIG", "REWRITE")).toBe("+OK\r\n");
    h.engine.host = { ...detachedHost, rewriteConfig: () => "ERR Rewriting config file: Permission denied" };
    expect(h.raw("CONFIG", "REWRITE")).toBe("-ERR Rewriting config file: Permission denied\r\n");
    expect(rewrites).toBe(1);
  });

  it("HELP prints Redis 7.0.15's text", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "HELP")).toBe(
      "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n" +
        "+    Return parameters matching the glob-like <pattern> and their values.\r\n+SET <directive> <value>\r\n" +
        "+    Set the configuration <directive> to <value>.\r\n+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n" +
        "+REWRITE\r\n+    Rewrite the configuration file.\r\n+HELP\r\n+    Prints this help.\r\n",
    );
  });
});
