import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientSession } from "../client-session.js";
import { TestHarness } from "../test-support/harness.js";
import { RealRedis, redisServerAvailable, type RedisConnection } from "../test-support/real-redis.js";

/*
 * Differential tests: each case sends the same commands to a throwaway redis-server 7.0 and
 * to kv, and compares reply bytes. Values that legitimately differ (client ids, addresses,
 * clocks) are normalized by the case that involves them.
 */

type Normalizer = (reply: string, argv: readonly string[]) => string;
const asIs: Normalizer = (reply) => reply;

/**
 * CONFIG GET lists its matches in the order of a Redis dict, which a random hash seed decides
 * per process: compare the name/value pairs sorted by name.
 */
const configGetOrder: Normalizer = (reply, argv) => {
  if (argv[0]?.toUpperCase() !== "CONFIG" || argv[1]?.toUpperCase() !== "GET") return reply;
  const header = reply.slice(0, reply.indexOf("\r\n") + 2);
  const items: string[] = [];
  for (let at = header.length; at < reply.length; ) {
    const lineEnd = reply.indexOf("\r\n", at);
    const length = Number(reply.slice(at + 1, lineEnd));
    const end = lineEnd + 2 + length + 2;
    items.push(reply.slice(at, end));
    at = end;
  }
  const pairs: string[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push(items[i]! + items[i + 1]!);
  return header + pairs.sort().join("");
};

/** HELLO's reply carries the connection id, which differs between the two servers. */
const helloId: Normalizer = (reply) => reply.replace(/(\$2\r\nid\r\n:)\d+/, "$1<id>");

/** DEBUG OBJECT's address and LRU clock are the server's own. */
const debugObject: Normalizer = (reply) => reply.replace(/at:0x[0-9a-f]+/, "at:<addr>").replace(/ lru:\d+ lru_seconds_idle:\d+/, " lru:<lru>");

describe.skipIf(!redisServerAvailable)("connection and server commands against redis-server 7.0", () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await RealRedis.start();
  });
  afterAll(() => redis?.stop());

  /** A fresh kv engine and a fresh real connection per case, with the server's state reset. */
  async function session(): Promise<{ h: TestHarness; real: RedisConnection; client: ClientSession }> {
    const real = await redis.connect();
    await real.send(["FLUSHALL"], ["CONFIG", "SET", "requirepass", ""], ["CONFIG", "RESETSTAT"]);
    const h = new TestHarness();
    return { h, real, client: h.client };
  }

  async function compare(commands: string[][], normalize: Normalizer = asIs, resp3 = false): Promise<void> {
    const { h, real } = await session();
    try {
      if (resp3) {
        await real.send(["HELLO", "3"]);
        h.raw("HELLO", "3");
      }
      const expected = await real.send(...commands);
      const actual = commands.map((argv) => h.raw(...argv));
      const pair = (replies: string[]): [string, string][] => commands.map((argv, i) => [argv.join(" "), normalize(replies[i]!, argv)]);
      expect(pair(actual)).toEqual(pair(expected));
    } finally {
      real.close();
    }
  }

  const bothProtocols = (name: string, commands: string[][], normalize: Normalizer = asIs): void => {
    it(`${name} (RESP2)`, () => compare(commands, normalize, false));
    it(`${name} (RESP3)`, () => compare(commands, normalize, true));
  };

  bothProtocols("PING, ECHO and their arity errors", [["PING"], ["PING", "hello"], ["PING", "a", "b"], ["ECHO", "x y"], ["ECHO"], ["ECHO", "a", "b"]]);

  bothProtocols("SELECT", [["SELECT", "1"], ["SELECT", "15"], ["SELECT", "16"], ["SELECT", "-1"], ["SELECT", "x"], ["SELECT", "01"], ["SELECT", "99999999999"], ["SELECT", "0"]]);

  bothProtocols("AUTH without a password configured", [
    ["AUTH", "x"],
    ["AUTH", "default", "anything"],
    ["AUTH", "someone", "x"],
    ["AUTH", "a", "b", "c"],
  ]);

  bothProtocols(
    "HELLO forms and errors",
    [
      ["HELLO"],
      ["HELLO", "2"],
      ["HELLO", "4"],
      ["HELLO", "1"],
      ["HELLO", "x"],
      ["HELLO", "3", "FOO"],
      ["HELLO", "2", "SETNAME", "a b"],
      ["HELLO", "2", "SETNAME"],
      ["HELLO", "2", "AUTH", "default"],
      ["HELLO", "2", "AUTH", "nobody", "pw"],
      ["HELLO", "2", "auth", "default", "pw", "setname", "conn1"],
      ["CLIENT", "GETNAME"],
    ],
    helloId,
  );

  it("HELLO 3 switches the protocol and answers in it", () => compare([["HELLO", "3"], ["HELLO"], ["PING"], ["HELLO", "2"]], helloId));

  it("requirepass: NOAUTH until AUTH, WRONGPASS, HELLO AUTH, RESET deauthenticates", async () => {
    const { h, real } = await session();
    try {
      await real.send(["CONFIG", "SET", "requirepass", "secret"]);
      h.raw("CONFIG", "SET", "requirepass", "secret");
      const fresh = await redis.connect();
      const client = h.engine.createClient();
      const commands = [
        ["PING"],
        ["GET", "k"],
        ["HELLO", "3"],
        ["HELLO", "2", "AUTH", "default", "wrong"],
        ["AUTH", "wrong"],
        ["AUTH", "default", "wrong"],
        ["AUTH", "other", "secret"],
        ["AUTH", "secret"],
        ["PING"],
        ["RESET"],
        ["PING"],
        ["HELLO", "3", "AUTH", "default", "secret"],
        ["PING"],
        ["AUTH", "default", "secret"],
      ];
      const expected = await fresh.send(...commands);
      const actual = commands.map((argv) => h.rawAs(client, ...argv));
      expect(actual.map((reply) => helloId(reply, []))).toEqual(expected.map((reply) => helloId(reply, [])));
      fresh.close();
    } finally {
      await real.send(["CONFIG", "SET", "requirepass", ""]);
      real.close();
    }
  });

  bothProtocols("CLIENT name, errors and help", [
    ["CLIENT", "GETNAME"],
    ["CLIENT", "SETNAME", "conn-1"],
    ["CLIENT", "GETNAME"],
    ["CLIENT", "SETNAME", "a b"],
    ["CLIENT", "SETNAME", "a\nb"],
    ["CLIENT", "SETNAME", ""],
    ["CLIENT", "GETNAME"],
    ["CLIENT", "SETNAME"],
    ["CLIENT", "LIST", "TYPE", "foo"],
    ["CLIENT", "LIST", "ID", "1", "x"],
    ["CLIENT", "LIST", "ID"],
    ["CLIENT", "LIST", "FOO"],
    ["CLIENT", "LIST", "ID", "987654"],
    ["CLIENT", "LIST", "TYPE", "master"],
    ["CLIENT", "LIST", "TYPE", "pubsub"],
    ["CLIENT", "KILL", "1.2.3.4:5"],
    ["CLIENT", "KILL", "ID", "987654"],
    ["CLIENT", "KILL", "ID", "x"],
    ["CLIENT", "KILL", "ID", "0"],
    ["CLIENT", "KILL", "FOO", "bar"],
    ["CLIENT", "KILL", "TYPE", "foo"],
    ["CLIENT", "KILL", "TYPE", "master"],
    ["CLIENT", "KILL", "SKIPME", "x"],
    ["CLIENT", "KILL", "USER", "nobody"],
    ["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME"],
    ["CLIENT", "KILL", "1.2.3.4:5", "extra"],
    ["CLIENT", "NO-EVICT", "on"],
    ["CLIENT", "NO-EVICT", "OFF"],
    ["CLIENT", "NO-EVICT", "maybe"],
    ["CLIENT", "HELP"],
    ["CLIENT", "FOO"],
    ["CLIENT"],
  ]);

  bothProtocols("COMMAND INFO / DOCS / COUNT-independent forms", [
    ["COMMAND", "INFO", "get", "set"],
    ["COMMAND", "INFO", "nosuch", "GET"],
    ["COMMAND", "INFO", "config|get", "config|nosuch", "get|x"],
    ["COMMAND", "DOCS", "get"],
    ["COMMAND", "DOCS", "nosuch"],
    ["COMMAND", "DOCS", "set", "nosuch", "config|set"],
    ["COMMAND", "HELP"],
    ["COMMAND", "LIST", "x"],
    ["COMMAND", "LIST", "FILTERBY"],
    ["COMMAND", "LIST", "FILTERBY", "FOO", "x"],
    ["COMMAND", "LIST", "FILTERBY", "pattern", "x", "y"],
    ["COMMAND", "LIST", "FILTERBY", "MODULE", "x"],
    ["COMMAND", "LIST", "FILTERBY", "PATTERN", "nothing-like-this*"],
    ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"],
    ["COMMAND", "NOPE"],
  ]);

  bothProtocols("COMMAND GETKEYS / GETKEYSANDFLAGS", [
    ["COMMAND", "GETKEYS", "get", "a"],
    ["COMMAND", "GETKEYS", "set", "k", "v", "EX", "10"],
    ["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"],
    ["COMMAND", "GETKEYS", "ping"],
    ["COMMAND", "GETKEYS", "nosuch", "a"],
    ["COMMAND", "GETKEYS", "get"],
    ["COMMAND", "GETKEYS", "client", "list"],
    ["COMMAND", "GETKEYS", "rename", "a", "b"],
    ["COMMAND", "GETKEYS", "del", "a", "b", "c"],
    ["COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"],
    ["COMMAND", "GETKEYSANDFLAGS", "getdel", "k"],
    ["COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"],
  ]);

  bothProtocols("CONFIG GET / SET round trips and errors", [
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "MAXMEMORY"],
    ["CONFIG", "GET", "MaxMemory", "maxmemory"],
    ["CONFIG", "GET", "nosuch"],
    ["CONFIG", "GET", "maxmemory-policy", "timeout"],
    ["CONFIG", "SET", "maxmemory", "100mb"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "1g"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "1GB"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "abc"],
    ["CONFIG", "SET", "maxmemory", "1.5g"],
    ["CONFIG", "SET", "maxmemory", "-1"],
    ["CONFIG", "SET", "maxmemory", "0"],
    ["CONFIG", "SET", "nosuch", "1"],
    ["CONFIG", "SET", "databases", "4"],
    ["CONFIG", "SET", "dir", "/tmp"],
    ["CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"],
    ["CONFIG", "SET", "timeout", "7", "TIMEOUT", "8"],
    ["CONFIG", "SET", "maxmemory", "1", "timeout"],
    ["CONFIG", "SET", "timeout", "5", "maxmemory", "x"],
    ["CONFIG", "GET", "timeout"],
    ["CONFIG", "SET", "timeout", "5", "maxmemory", "7"],
    ["CONFIG", "GET", "timeout"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "timeout", "0", "maxmemory", "0"],
    ["CONFIG", "SET", "timeout", "-1"],
    ["CONFIG", "SET", "timeout", "007"],
    ["CONFIG", "SET", "timeout", "1e3"],
    ["CONFIG", "SET", "maxclients", "abc"],
    ["CONFIG", "SET", "appendonly", "maybe"],
    ["CONFIG", "SET", "hz", "0"],
    ["CONFIG", "GET", "hz"],
    ["CONFIG", "SET", "hz", "600"],
    ["CONFIG", "GET", "hz"],
    ["CONFIG", "SET", "hz", "-1"],
    ["CONFIG", "SET", "hz", "10"],
    ["CONFIG", "SET", "maxmemory-policy", "foo"],
    ["CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"],
    ["CONFIG", "GET", "maxmemory-policy"],
    ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    ["CONFIG", "SET", "appendfsync", "foo"],
    ["CONFIG", "SET", "loglevel", "foo"],
    ["CONFIG", "SET", "notify-keyspace-events", "KEA"],
    ["CONFIG", "GET", "notify-keyspace-events"],
    ["CONFIG", "SET", "notify-keyspace-events", "Kgx$"],
    ["CONFIG", "GET", "notify-keyspace-events"],
    ["CONFIG", "SET", "notify-keyspace-events", "Z"],
    ["CONFIG", "SET", "notify-keyspace-events", ""],
    ["CONFIG", "GET", "notify-keyspace-events"],
    ["CONFIG", "SET", "save", "3600 1 300 100"],
    ["CONFIG", "GET", "save"],
    ["CONFIG", "SET", "save", "3600"],
    ["CONFIG", "SET", "save", "0 1"],
    ["CONFIG", "SET", "save", "10 -1"],
    ["CONFIG", "SET", "save", "10  1"],
    ["CONFIG", "SET", "save", "x 1"],
    ["CONFIG", "SET", "save", ""],
    ["CONFIG", "GET", "save"],
    ["CONFIG", "GET", "*max-*-entries*"],
    ["CONFIG", "GET", "hash-max-ziplist-entries"],
    ["CONFIG", "SET", "hash-max-ziplist-entries", "100"],
    ["CONFIG", "GET", "hash-max-listpack-entries"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
    ["CONFIG", "GET", "lua-time-limit"],
    ["CONFIG", "GET", "slave-read-only"],
    ["CONFIG", "SET", "proto-max-bulk-len", "1000"],
    ["CONFIG", "REWRITE"],
    ["CONFIG", "RESETSTAT"],
    ["CONFIG", "HELP"],
    ["CONFIG", "FOO"],
  ], configGetOrder);

  bothProtocols("DBSIZE, FLUSHDB, FLUSHALL", [
    ["DBSIZE"],
    ["SET", "a", "1"],
    ["SET", "b", "2"],
    ["DBSIZE"],
    ["FLUSHDB", "x"],
    ["FLUSHDB", "sync", "x"],
    ["FLUSHDB", "ASYNC"],
    ["DBSIZE"],
    ["SET", "a", "1"],
    ["SELECT", "3"],
    ["SET", "c", "1"],
    ["FLUSHALL", "a", "b"],
    ["FLUSHALL", "SYNC"],
    ["DBSIZE"],
    ["SELECT", "0"],
    ["DBSIZE"],
    ["DBSIZE", "x"],
    ["FLUSHALL"],
  ]);

  bothProtocols("SAVE-family and SHUTDOWN argument errors", [
    ["BGSAVE", "x"],
    ["BGSAVE", "SCHEDULE", "x"],
    ["SHUTDOWN", "x"],
    ["SHUTDOWN", "NOSAVE", "SAVE"],
    ["SHUTDOWN", "ABORT", "NOW"],
    ["SHUTDOWN", "SAVE", "NOW", "FORCE", "ABORT"],
    ["LASTSAVE", "x"],
    ["TIME", "x"],
  ]);

  bothProtocols("INFO sections that do not depend on the process", [
    ["SET", "a", "1"],
    ["SET", "b", "2"],
    ["SELECT", "5"],
    ["SET", "c", "3"],
    ["INFO", "keyspace"],
    ["INFO", "KEYSPACE", "cluster"],
    ["INFO", "nosuch"],
    ["INFO", "modules"],
    ["INFO", "cluster", "nosuch"],
    ["FLUSHALL"],
    ["INFO", "keyspace"],
  ]);

  bothProtocols(
    "DEBUG OBJECT encodings and serialized lengths",
    [
      ["SET", "small", "123"],
      ["SET", "negative", "-5"],
      ["SET", "big", "12345678901"],
      ["SET", "huge", "9223372036854775807"],
      ["SET", "over", "12345678901234567890"],
      ["SET", "text", "hello world"],
      ["SET", "padded", "0123"],
      ["SET", "limit", "x".repeat(44)],
      ["SET", "long", "a".repeat(50)],
      ["SET", "mixed", "abcabcabcabcabcabcabcabcabcabcabcabcXYZ0123456789abcabcabc"],
      ["SET", "random", "The quick brown fox jumps over the lazy dog; the quick brown fox!"],
      ["SET", "kilo", "k".repeat(1000)],
      ["SET", "binary", "\x00\x01\x02\xff".repeat(30)],
      ["APPEND", "appended", "abc"],
      ["APPEND", "appended", "def"],
      ...["small", "negative", "big", "huge", "over", "text", "padded", "limit", "long", "mixed", "random", "kilo", "binary", "appended"].map((key) => [
        "DEBUG",
        "OBJECT",
        key,
      ]),
      ["DEBUG", "OBJECT", "nokey"],
      ["DEBUG", "OBJECT"],
      ["DEBUG", "OBJECT", "a", "b"],
    ],
    debugObject,
  );

  bothProtocols("DEBUG subcommands", [
    ["DEBUG", "SLEEP", "0"],
    ["DEBUG", "SLEEP", "x"],
    ["DEBUG", "sleep"],
    ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    ["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
    ["DEBUG", "SET-ACTIVE-EXPIRE"],
    ["DEBUG", "JMAP"],
    ["DEBUG", "FOO"],
    ["DEBUG"],
    ["DEBUG", "RELOAD", "FOO"],
    ["DEBUG", "ERROR", "something bad"],
    ["DEBUG", "LOG", "hello"],
    ["DEBUG", "POPULATE", "-1"],
    ["DEBUG", "POPULATE", "x"],
    ["DEBUG", "POPULATE", "3"],
    ["GET", "key:2"],
    ["DEBUG", "POPULATE", "2", "p", "3"],
    ["GET", "p:1"],
    ["DEBUG", "POPULATE", "2", "q", "12"],
    ["GET", "q:1"],
    ["DBSIZE"],
    ...["string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true", "false", "x"].map((type) => [
      "DEBUG",
      "PROTOCOL",
      type,
    ]),
  ]);

  it("COMMAND INFO and COMMAND DOCS of every served command match (containers list only served subcommands)", async () => {
    const { h, real } = await session();
    try {
      const names: string[] = [];
      for (const spec of h.engine.commands.all()) {
        if (spec.subcommands === undefined) names.push(spec.name);
        else for (const sub of spec.subcommands.values()) if (sub.fullName !== "client|setinfo") names.push(sub.fullName);
      }
      for (const subcommand of ["INFO", "DOCS"]) {
        const [expected] = await real.send(["COMMAND", subcommand, ...names]);
        expect(h.raw("COMMAND", subcommand, ...names)).toBe(expected);
      }
    } finally {
      real.close();
    }
  });

  it("INFO has Redis's sections, field names and field order", async () => {
    const { h, real } = await session();
    try {
      const fieldNames = (text: string): string[] =>
        text
          .split("\r\n")
          .slice(1)
          .filter((line) => line !== "" && !line.startsWith("cmdstat_") && !line.startsWith("errorstat_") && !line.startsWith("latency_percentiles"))
          .map((line) => (line.startsWith("#") ? line : line.slice(0, line.indexOf(":"))));
      const [expected] = await real.send(["INFO", "everything"]);
      expect(fieldNames(h.raw("INFO", "everything"))).toEqual(fieldNames(expected!));
      const [defaults] = await real.send(["INFO"]);
      expect(fieldNames(h.raw("INFO"))).toEqual(fieldNames(defaults!));
    } finally {
      real.close();
    }
  });

  it("CLIENT LIST and CLIENT INFO have Redis's fields in Redis's order", async () => {
    const { h, real } = await session();
    try {
      const fieldNames = (reply: string): string[][] =>
        reply
          .slice(reply.indexOf("\r\n") + 2, -2)
          .replace(/^txt:/, "")
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => line.split(" ").map((field) => field.slice(0, field.indexOf("="))));
      const [list, info] = await real.send(["CLIENT", "LIST"], ["CLIENT", "INFO"]);
      expect(fieldNames(h.raw("CLIENT", "LIST"))).toEqual(fieldNames(list!));
      expect(fieldNames(h.raw("CLIENT", "INFO"))).toEqual(fieldNames(info!));
    } finally {
      real.close();
    }
  });

  it("DEBUG OBJECT serializedlength matches for many compressible strings (LZF)", async () => {
    const { h, real } = await session();
    try {
      // A fixed xorshift sequence: strings from small alphabets with repeats, so LZF finds matches.
      let seed = 0x9e3779b9;
      const next = (): number => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) / 0x100000000;
      };
      const commands: string[][] = [];
      for (let i = 0; i < 300; i++) {
        const length = 21 + Math.floor(next() * (i % 10 === 0 ? 20000 : 400));
        const alphabet = 1 + Math.floor(next() * (i % 3 === 0 ? 223 : 6));
        let value = "";
        while (value.length < length) {
          const run = next() < 0.3 ? value.slice(Math.floor(next() * value.length), Math.floor(next() * value.length)) : "";
          value += run !== "" ? run : String.fromCharCode(32 + Math.floor(next() * alphabet));
        }
        commands.push(["SET", `s${i}`, value.slice(0, length)], ["DEBUG", "OBJECT", `s${i}`]);
      }
      const expected = await real.send(...commands);
      const actual = commands.map((argv) => h.raw(...argv));
      const lengths = (replies: string[]): string[] => replies.filter((reply) => reply.startsWith("+Value")).map((reply) => /serializedlength:\d+/.exec(reply)![0]);
      expect(lengths(actual)).toEqual(lengths(expected));
    } finally {
      real.close();
    }
  });
});
