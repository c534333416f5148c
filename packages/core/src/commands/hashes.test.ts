import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { recordKeyEvents } from "../test-support/observed-harness.js";
import { array, bulk, bulks, err, int, NIL, NULL3, OK } from "../test-support/resp-bytes.js";
import { HashValue } from "../types/hash-value.js";
import { hashesCommands } from "./hashes.js";
import { allCommands } from "./index.js";

/*
 * Expected bytes below are redis-server 7.0.15's replies to the same commands (see
 * hashes.differential.test.ts for the live comparison). Random replies (HRANDFIELD) and
 * hashtable-order replies are checked by their properties.
 */

const map3 = (...items: string[]): string => `%${items.length / 2}\r\n${items.map(bulk).join("")}`;
const EMPTY_SCAN = array(bulk("0"), array());

const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");
const SYNTAX = err("ERR syntax error");
const NOT_INTEGER = err("ERR value is not an integer or out of range");
const NOT_FLOAT = err("ERR value is not a valid float");

const NOW = 1_700_000_000_000;
const hashNames = new Set(hashesCommands.map((command) => command.name));

let h: TestHarness;

/** The engine with every command, hashes included whether or not commands/index.ts lists them yet. */
function newHarness(): TestHarness {
  return new TestHarness({ commands: [...allCommands.filter((command) => !hashNames.has(command.name)), ...hashesCommands] });
}

function hashAt(key: string, harness = h): HashValue {
  const value = harness.engine.keyspace.db(0).peek(key);
  if (!(value instanceof HashValue)) throw new Error(`${key} holds no hash`);
  return value;
}

function encoding(key: string): string {
  return h.raw("OBJECT", "ENCODING", key).split("\r\n")[1]!;
}

function fields(count: number, prefix = "f"): string[] {
  return Array.from({ length: count }, (_, i) => [`${prefix}${i}`, String(i)]).flat();
}

/** Bulk strings of a flat RESP reply, in order (for checking properties of random replies). */
function bulkTexts(raw: string): string[] {
  const out: string[] = [];
  const lines = raw.split("\r\n");
  for (let i = 0; i < lines.length; i++) if (lines[i]!.startsWith("$") && lines[i] !== "$-1") out.push(lines[++i]!);
  return out;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  h = newHarness();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("HSET / HMSET / HSETNX / HGET / HMGET", () => {
  it("HSET counts created fields, binary safe", () => {
    expect(h.raw("HSET", "h", "a", "1", "b", "2")).toBe(int(2));
    expect(h.raw("HSET", "h", "a", "3", "c", "4", "c", "5")).toBe(int(1));
    expect(h.raw("HGET", "h", "a")).toBe(bulk("3"));
    expect(h.raw("HGET", "h", "c")).toBe(bulk("5"));
    expect(h.raw("HGET", "h", "nope")).toBe(NIL);
    expect(h.raw("HGET", "nokey", "a")).toBe(NIL);
    expect(h.raw("HSET", "bin", "\0\xff\r\n", "\r\n\0", "", "")).toBe(int(2));
    expect(h.raw("HGET", "bin", "\0\xff\r\n")).toBe(bulk("\r\n\0"));
    expect(h.raw("HGET", "bin", "")).toBe(bulk(""));
  });

  it("a dangling field is HSET's own arity error, before the key is looked at", () => {
    h.raw("SET", "s", "v");
    expect(h.raw("HSET", "h", "a")).toBe(err("ERR wrong number of arguments for 'hset' command"));
    expect(h.raw("HSET", "s", "a", "1", "b")).toBe(err("ERR wrong number of arguments for 'hset' command"));
    expect(h.raw("HMSET", "h", "a", "1", "b")).toBe(err("ERR wrong number of arguments for 'hmset' command"));
    expect(h.raw("EXISTS", "h")).toBe(int(0));
  });

  it("HMSET replies OK", () => {
    expect(h.raw("HMSET", "h", "a", "1", "a", "2")).toBe(OK);
    expect(h.raw("HGET", "h", "a")).toBe(bulk("2"));
  });

  it("HSETNX sets only new fields, creating the key", () => {
    expect(h.raw("HSETNX", "h", "a", "1")).toBe(int(1));
    expect(h.raw("HSETNX", "h", "a", "2")).toBe(int(0));
    expect(h.raw("HGET", "h", "a")).toBe(bulk("1"));
  });

  it("HMGET: one reply per field, nulls for missing fields and keys", () => {
    h.raw("HSET", "h", "a", "1", "b", "2");
    expect(h.raw("HMGET", "h", "a", "nope", "b", "a")).toBe(array(bulk("1"), NIL, bulk("2"), bulk("1")));
    expect(h.raw("HMGET", "nokey", "a", "b")).toBe(array(NIL, NIL));
    h.client.reply.protocol = 3;
    expect(h.raw("HMGET", "h", "nope", "b")).toBe(array(NULL3, bulk("2")));
    expect(h.raw("HGET", "h", "nope")).toBe(NULL3);
  });
});

describe("wrong types", () => {
  it("every hash command refuses a string; string commands refuse a hash", () => {
    h.raw("SET", "s", "v");
    const commands = [
      ["HSET", "s", "a", "1"], ["HMSET", "s", "a", "1"], ["HSETNX", "s", "a", "1"], ["HGET", "s", "a"], ["HMGET", "s", "a"],
      ["HDEL", "s", "a"], ["HLEN", "s"], ["HSTRLEN", "s", "a"], ["HEXISTS", "s", "a"], ["HKEYS", "s"], ["HVALS", "s"],
      ["HGETALL", "s"], ["HINCRBY", "s", "a", "1"], ["HINCRBYFLOAT", "s", "a", "1"], ["HRANDFIELD", "s"],
      ["HRANDFIELD", "s", "2"], ["HSCAN", "s", "0"], ["HSCAN", "s", "0", "COUNT", "0"],
    ];
    for (const argv of commands) expect(h.raw(...argv), argv.join(" ")).toBe(WRONGTYPE);
    h.raw("HSET", "h", "a", "1");
    expect(h.raw("GET", "h")).toBe(WRONGTYPE);
    expect(h.raw("TYPE", "h")).toBe("+hash\r\n");
  });

  it("argument errors come before the type check where Redis parses first", () => {
    h.raw("SET", "s", "v");
    expect(h.raw("HINCRBY", "s", "a", "x")).toBe(NOT_INTEGER);
    expect(h.raw("HINCRBYFLOAT", "s", "a", "x")).toBe(NOT_FLOAT);
    expect(h.raw("HINCRBYFLOAT", "s", "a", "inf")).toBe(err("ERR value is NaN or Infinity"));
    expect(h.raw("HRANDFIELD", "s", "abc")).toBe(NOT_INTEGER);
    expect(h.raw("HRANDFIELD", "s", "1", "x")).toBe(SYNTAX);
    expect(h.raw("HSCAN", "s", "abc")).toBe(err("ERR invalid cursor"));
  });
});

describe("HDEL / HLEN / HSTRLEN / HEXISTS", () => {
  it("counts and measures", () => {
    h.raw("HSET", "h", "a", "1", "b", "hello", "c", "3");
    expect(h.raw("HLEN", "h")).toBe(int(3));
    expect(h.raw("HLEN", "nokey")).toBe(int(0));
    expect(h.raw("HSTRLEN", "h", "b")).toBe(int(5));
    expect(h.raw("HSTRLEN", "h", "nope")).toBe(int(0));
    expect(h.raw("HSTRLEN", "nokey", "b")).toBe(int(0));
    expect(h.raw("HEXISTS", "h", "a")).toBe(int(1));
    expect(h.raw("HEXISTS", "h", "nope")).toBe(int(0));
    expect(h.raw("HEXISTS", "nokey", "a")).toBe(int(0));
  });

  it("HDEL counts each deleted field once and deletes the emptied key", () => {
    h.raw("HSET", "h", "a", "1", "b", "2", "c", "3");
    expect(h.raw("HDEL", "h", "nope")).toBe(int(0));
    expect(h.raw("HDEL", "h", "a", "a", "nope")).toBe(int(1));
    expect(h.raw("HDEL", "nokey", "a")).toBe(int(0));
    expect(h.raw("HDEL", "h", "b", "c", "b")).toBe(int(2));
    expect(h.raw("EXISTS", "h")).toBe(int(0));
  });

  it("HDEL stops at the field that empties the hash", () => {
    h.raw("HSET", "h", "a", "1");
    expect(h.raw("HDEL", "h", "a", "a")).toBe(int(1));
  });
});

describe("HKEYS / HVALS / HGETALL", () => {
  it("listpack order: insertion, overwrite in place, re-added last", () => {
    h.raw("HSET", "h", "a", "1", "b", "2", "c", "3");
    h.raw("HSET", "h", "a", "9");
    h.raw("HDEL", "h", "b");
    h.raw("HSET", "h", "b", "7", "d", "4");
    expect(h.raw("HKEYS", "h")).toBe(bulks("a", "c", "b", "d"));
    expect(h.raw("HVALS", "h")).toBe(bulks("9", "3", "7", "4"));
    expect(h.raw("HGETALL", "h")).toBe(bulks("a", "9", "c", "3", "b", "7", "d", "4"));
  });

  it("HGETALL is a map in RESP3, even for a missing key", () => {
    expect(h.raw("HGETALL", "nokey")).toBe(array());
    expect(h.raw("HKEYS", "nokey")).toBe(array());
    expect(h.raw("HVALS", "nokey")).toBe(array());
    h.raw("HSET", "h", "a", "1", "b", "2");
    h.client.reply.protocol = 3;
    expect(h.raw("HGETALL", "h")).toBe(map3("a", "1", "b", "2"));
    expect(h.raw("HGETALL", "nokey")).toBe("%0\r\n");
    expect(h.raw("HKEYS", "nokey")).toBe(array());
    expect(h.raw("HKEYS", "h")).toBe(bulks("a", "b"));
  });
});

describe("HINCRBY", () => {
  it("adds to a field, 0 when missing, creating the key", () => {
    expect(h.raw("HINCRBY", "h", "n", "5")).toBe(int(5));
    expect(h.raw("HINCRBY", "h", "n", "-15")).toBe(int(-10));
    expect(h.raw("HGET", "h", "n")).toBe(bulk("-10"));
  });

  it("refuses bad increments, non-integer values and overflow", () => {
    expect(h.raw("HINCRBY", "nokey", "n", "abc")).toBe(NOT_INTEGER);
    expect(h.raw("EXISTS", "nokey")).toBe(int(0));
    h.raw("HSET", "h", "s", "abc", "sp", " 1", "z", "007", "max", "9223372036854775807", "min", "-9223372036854775808");
    const notInteger = err("ERR hash value is not an integer");
    expect(h.raw("HINCRBY", "h", "s", "1")).toBe(notInteger);
    expect(h.raw("HINCRBY", "h", "sp", "1")).toBe(notInteger);
    expect(h.raw("HINCRBY", "h", "z", "1")).toBe(notInteger);
    const overflow = err("ERR increment or decrement would overflow");
    expect(h.raw("HINCRBY", "h", "max", "1")).toBe(overflow);
    expect(h.raw("HINCRBY", "h", "min", "-1")).toBe(overflow);
    expect(h.raw("HINCRBY", "h", "min", "9223372036854775807")).toBe(int(-1));
    expect(h.raw("HINCRBY", "h", "n", "9223372036854775808")).toBe(NOT_INTEGER);
    expect(h.raw("HINCRBY", "h", "n", "+1")).toBe(NOT_INTEGER);
    expect(h.raw("HINCRBY", "h", "max", "0")).toBe(int("9223372036854775807"));
  });
});

describe("HINCRBYFLOAT", () => {
  it("adds in long double precision and formats like INCRBYFLOAT", () => {
    expect(h.raw("HINCRBYFLOAT", "f", "a", "0.1")).toBe(bulk("0.1"));
    expect(h.raw("HINCRBYFLOAT", "f", "a", "0.2")).toBe(bulk("0.3"));
    expect(h.raw("HINCRBYFLOAT", "f", "b", "10.5")).toBe(bulk("10.5"));
    expect(h.raw("HINCRBYFLOAT", "f", "b", "0.1")).toBe(bulk("10.6"));
    expect(h.raw("HINCRBYFLOAT", "f", "d", "5.0e3")).toBe(bulk("5000"));
    expect(h.raw("HINCRBYFLOAT", "f", "e", "0x10")).toBe(bulk("16"));
    expect(h.raw("HINCRBYFLOAT", "f", "g", "-0")).toBe(bulk("0"));
    // Twice DBL_MAX is still finite in x87 extended precision.
    h.raw("HINCRBYFLOAT", "f", "c", "1.7976931348623157e308");
    expect(h.raw("HINCRBYFLOAT", "f", "c", "1.7976931348623157e308")).toBe(
      bulk(
        "359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768",
      ),
    );
  });

  it("errors", () => {
    expect(h.raw("HINCRBYFLOAT", "nokey", "g", "inf")).toBe(err("ERR value is NaN or Infinity"));
    expect(h.raw("HINCRBYFLOAT", "nokey", "g", "-inf")).toBe(err("ERR value is NaN or Infinity"));
    expect(h.raw("HINCRBYFLOAT", "nokey", "g", "nan")).toBe(NOT_FLOAT);
    expect(h.raw("HINCRBYFLOAT", "nokey", "g", "")).toBe(NOT_FLOAT);
    expect(h.raw("HINCRBYFLOAT", "nokey", "g", "1e5000")).toBe(NOT_FLOAT); // beyond even a long double
    expect(h.raw("EXISTS", "nokey")).toBe(int(0));
    h.raw("HSET", "f", "i", "inf", "s", "abc", "sp", " 1", "n", "10");
    expect(h.raw("HINCRBYFLOAT", "f", "i", "1")).toBe(err("ERR increment would produce NaN or Infinity"));
    expect(h.raw("HINCRBYFLOAT", "f", "s", "1")).toBe(err("ERR hash value is not a float"));
    expect(h.raw("HINCRBYFLOAT", "f", "sp", "1")).toBe(err("ERR hash value is not a float"));
    expect(h.raw("HINCRBYFLOAT", "f", "n", "1.5")).toBe(bulk("11.5"));
  });

  it("is propagated as HSET with the resulting text", () => {
    h.raw("HINCRBYFLOAT", "f", "a", "0.1");
    h.raw("HINCRBYFLOAT", "f", "a", "0.2");
    h.raw("HINCRBYFLOAT", "f", "a", "x");
    expect(h.propagated).toEqual([
      [0, ["HSET", "f", "a", "0.1"]],
      [0, ["HSET", "f", "a", "0.3"]],
    ]);
  });
});

describe("HRANDFIELD", () => {
  it("argument errors, in Redis's order", () => {
    h.raw("HSET", "h", "a", "1");
    expect(h.raw("HRANDFIELD", "h", "abc", "x")).toBe(NOT_INTEGER);
    const countRange = err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    expect(h.raw("HRANDFIELD", "h", "-9223372036854775808")).toBe(countRange);
    expect(h.raw("HRANDFIELD", "h", "-9223372036854775808", "x")).toBe(countRange);
    expect(h.raw("HRANDFIELD", "h", "1", "x")).toBe(SYNTAX);
    expect(h.raw("HRANDFIELD", "h", "1", "WITHVALUES", "x")).toBe(SYNTAX);
    expect(h.raw("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES")).toBe(err("ERR value is out of range"));
    expect(h.raw("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES")).toBe(err("ERR value is out of range"));
    expect(h.raw("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES")).toBe(array(bulk("a"), bulk("1")));
    expect(h.raw("HRANDFIELD", "h", "1", "withvalues\0junk")).toBe(array(bulk("a"), bulk("1")));
  });

  it("missing keys and zero counts", () => {
    expect(h.raw("HRANDFIELD", "nokey")).toBe(NIL);
    expect(h.raw("HRANDFIELD", "nokey", "3")).toBe(array());
    h.raw("HSET", "h", "a", "1");
    expect(h.raw("HRANDFIELD", "h", "0", "WITHVALUES")).toBe(array());
    h.client.reply.protocol = 3;
    expect(h.raw("HRANDFIELD", "nokey")).toBe(NULL3);
    expect(h.raw("HRANDFIELD", "nokey", "-3", "WITHVALUES")).toBe(array());
  });

  it("a count covering the hash returns it whole, in order; RESP3 nests the pairs", () => {
    h.raw("HSET", "h", "a", "1", "b", "2", "c", "3");
    expect(h.raw("HRANDFIELD", "h", "3")).toBe(bulks("a", "b", "c"));
    expect(h.raw("HRANDFIELD", "h", "9223372036854775807")).toBe(bulks("a", "b", "c"));
    expect(h.raw("HRANDFIELD", "h", "3", "WITHVALUES")).toBe(bulks("a", "1", "b", "2", "c", "3"));
    h.client.reply.protocol = 3;
    expect(h.raw("HRANDFIELD", "h", "10", "WITHVALUES")).toBe(array(bulks("a", "1"), bulks("b", "2"), bulks("c", "3")));
    expect(h.raw("HRANDFIELD", "h", "-1", "WITHVALUES")).toMatch(/^\*1\r\n\*2\r\n/);
  });

  it.each([
    ["listpack", 20],
    ["hashtable", 600],
  ])("properties on a %s hash", (expectedEncoding, size) => {
    h.raw("HSET", "h", ...fields(size));
    expect(encoding("h")).toBe(expectedEncoding);
    const entries = hashAt("h").entries;
    const order = [...entries.keys()];
    for (let round = 0; round < 30; round++) {
      const single = bulkTexts(h.raw("HRANDFIELD", "h"));
      expect(entries.has(single[0]!)).toBe(true);

      for (const count of [1, 3, Math.floor(size / 2), size - 1]) {
        const picked = bulkTexts(h.raw("HRANDFIELD", "h", String(count)));
        expect(picked).toHaveLength(count);
        expect(new Set(picked).size).toBe(count);
        for (const field of picked) expect(entries.has(field)).toBe(true);
        // A listpack is sampled in its own order (lpRandomPairsUnique walks it).
        if (expectedEncoding === "listpack") expect(picked).toEqual(order.filter((field) => picked.includes(field)));
      }

      const repeated = bulkTexts(h.raw("HRANDFIELD", "h", "-50", "WITHVALUES"));
      expect(repeated).toHaveLength(100);
      for (let i = 0; i < repeated.length; i += 2) expect(entries.get(repeated[i]!)).toBe(repeated[i + 1]);
    }
  });

  it("picks every field eventually (uniformity, roughly)", () => {
    h.raw("HSET", "h", ...fields(200));
    const seen = new Map<string, number>();
    for (const field of bulkTexts(h.raw("HRANDFIELD", "h", "-20000"))) seen.set(field, (seen.get(field) ?? 0) + 1);
    expect(seen.size).toBe(200);
    for (const hits of seen.values()) expect(hits).toBeGreaterThan(40); // mean 100
  });

  it("stays uniform while the indexed hash changes", () => {
    h.raw("HSET", "h", ...fields(300));
    h.raw("HRANDFIELD", "h"); // builds the index
    h.raw("HDEL", "h", ...Array.from({ length: 150 }, (_, i) => `f${i * 2}`));
    h.raw("HSET", "h", "new", "x");
    const remaining = new Set(hashAt("h").entries.keys());
    const picked = bulkTexts(h.raw("HRANDFIELD", "h", "-5000"));
    for (const field of picked) expect(remaining.has(field)).toBe(true);
    expect(new Set(picked).size).toBe(151);
    const distinct = bulkTexts(h.raw("HRANDFIELD", "h", "100"));
    expect(new Set(distinct).size).toBe(100);
  });
});

describe("HSCAN", () => {
  it("a listpack hash comes whole with cursor 0, whatever the cursor and COUNT", () => {
    h.raw("HSET", "h", "a", "1", "b", "2", "c", "3");
    const all = array(bulk("0"), bulks("a", "1", "b", "2", "c", "3"));
    expect(h.raw("HSCAN", "h", "0")).toBe(all);
    expect(h.raw("HSCAN", "h", "12345", "COUNT", "1")).toBe(all);
    expect(h.raw("HSCAN", "h", "0", "MATCH", "[ab]")).toBe(array(bulk("0"), bulks("a", "1", "b", "2")));
    expect(h.raw("HSCAN", "h", "0", "MATCH", "*", "COUNT", "5")).toBe(all);
    h.client.reply.protocol = 3;
    expect(h.raw("HSCAN", "h", "0")).toBe(all);
  });

  it("errors: the cursor first, then the key, then the options", () => {
    expect(h.raw("HSCAN", "nokey", "abc")).toBe(err("ERR invalid cursor"));
    expect(h.raw("HSCAN", "nokey", "0", "COUNT", "0")).toBe(EMPTY_SCAN);
    expect(h.raw("HSCAN", "nokey", "0", "BAD")).toBe(EMPTY_SCAN);
    h.raw("HSET", "h", "a", "1");
    expect(h.raw("HSCAN", "h", "0", "COUNT", "0")).toBe(SYNTAX);
    expect(h.raw("HSCAN", "h", "0", "COUNT", "abc")).toBe(NOT_INTEGER);
    expect(h.raw("HSCAN", "h", "0", "COUNT")).toBe(SYNTAX);
    expect(h.raw("HSCAN", "h", "0", "TYPE", "string")).toBe(SYNTAX);
    expect(h.raw("HSCAN", "h", "0", "NOVALUES")).toBe(SYNTAX);
  });

  it("walks a hashtable hash in COUNT-sized steps, every field once", () => {
    h.raw("HSET", "h", ...fields(1000));
    expect(encoding("h")).toBe("hashtable");
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const texts = bulkTexts(h.raw("HSCAN", "h", cursor, "COUNT", "100"));
      cursor = texts[0]!;
      expect(texts.length - 1).toBeLessThanOrEqual(200);
      for (let i = 1; i < texts.length; i += 2) {
        expect(seen.has(texts[i]!)).toBe(false);
        seen.set(texts[i]!, texts[i + 1]!);
      }
      calls++;
    } while (cursor !== "0");
    expect(calls).toBe(10);
    expect(seen.size).toBe(1000);
    expect(seen.get("f7")).toBe("7");
  });

  it("a walk survives changes: kept fields are returned, deleted ones not", () => {
    h.raw("HSET", "h", ...fields(600));
    const first = bulkTexts(h.raw("HSCAN", "h", "0", "COUNT", "100"));
    const seen = new Set<string>();
    for (let i = 1; i < first.length; i += 2) seen.add(first[i]!);
    h.raw("HDEL", "h", "f599", "f300");
    let cursor = first[0]!;
    while (cursor !== "0") {
      const texts = bulkTexts(h.raw("HSCAN", "h", cursor, "COUNT", "100", "MATCH", "f*"));
      cursor = texts[0]!;
      for (let i = 1; i < texts.length; i += 2) seen.add(texts[i]!);
    }
    expect(seen.has("f599")).toBe(false);
    expect(seen.has("f300")).toBe(false);
    expect(seen.size).toBe(598);
  });
});

describe("encodings", () => {
  it("listpack until an entry exceeds hash-max-listpack-value; never back", () => {
    h.raw("HSET", "a", "f", "x".repeat(64));
    expect(encoding("a")).toBe("listpack");
    h.raw("HSET", "a", "g", "x".repeat(65));
    expect(encoding("a")).toBe("hashtable");
    h.raw("HDEL", "a", "g");
    expect(encoding("a")).toBe("hashtable");
    h.raw("HSET", "b", "k".repeat(65), "1");
    expect(encoding("b")).toBe("hashtable");
    h.raw("HINCRBY", "c", "k".repeat(65), "1");
    expect(encoding("c")).toBe("hashtable");
    h.raw("HINCRBYFLOAT", "d", "f", "1e70"); // a 71-digit result
    expect(encoding("d")).toBe("hashtable");
    h.raw("HSET", "e", "f", "v");
    h.raw("HSETNX", "e", "f", "v".repeat(100)); // not set, so nothing converts
    expect(encoding("e")).toBe("listpack");
  });

  it("listpack up to hash-max-listpack-entries (512 without a config file), then hashtable", () => {
    h.raw("HSET", "big", ...fields(512));
    expect(encoding("big")).toBe("listpack");
    h.raw("HSET", "big", "f0", "updated");
    expect(encoding("big")).toBe("listpack");
    h.raw("HSET", "big", "one-more", "x");
    expect(encoding("big")).toBe("hashtable");
    h.raw("HDEL", "big", ...Array.from({ length: 510 }, (_, i) => `f${i}`));
    expect(encoding("big")).toBe("hashtable");
  });

  it("follows CONFIG SET for hashes converted later, and a recreated key starts over", () => {
    h.raw("CONFIG", "SET", "hash-max-listpack-entries", "2");
    h.raw("HSET", "e", "a", "1", "b", "2");
    expect(encoding("e")).toBe("listpack");
    h.raw("HSET", "e", "c", "3");
    expect(encoding("e")).toBe("hashtable");
    h.raw("CONFIG", "SET", "hash-max-listpack-entries", "0");
    h.raw("HSET", "z", "f", "v");
    expect(encoding("z")).toBe("hashtable");
    h.raw("CONFIG", "SET", "hash-max-listpack-entries", "512");
    h.raw("DEL", "e");
    h.raw("HSET", "e", "a", "1");
    expect(encoding("e")).toBe("listpack");
  });

  it("COPY duplicates deeply, keeping the encoding; RENAME and MOVE carry the value", () => {
    h.raw("HSET", "a", "f", "x".repeat(65));
    expect(h.raw("COPY", "a", "b")).toBe(int(1));
    expect(encoding("b")).toBe("hashtable");
    h.raw("HSET", "b", "g", "1");
    expect(h.raw("HLEN", "a")).toBe(int(1));
    expect(h.raw("HLEN", "b")).toBe(int(2));
    h.raw("RENAME", "b", "c");
    expect(h.raw("HGET", "c", "g")).toBe(bulk("1"));
    expect(h.raw("MOVE", "c", "1")).toBe(int(1));
    h.raw("SELECT", "1");
    expect(h.raw("HGET", "c", "g")).toBe(bulk("1"));
    expect(h.raw("SCAN", "0", "TYPE", "hash")).toBe(array(bulk("0"), bulks("c")));
  });
});

describe("propagation, notifications, TTL", () => {
  it("logs writes as sent, and nothing for writes that changed nothing", () => {
    h.raw("HSET", "h", "a", "1");
    h.raw("HMSET", "h", "b", "2");
    h.raw("HSETNX", "h", "a", "2");
    h.raw("HSETNX", "h", "c", "3");
    h.raw("HDEL", "h", "nope");
    h.raw("HDEL", "h", "c");
    h.raw("HINCRBY", "h", "n", "2");
    h.raw("HINCRBY", "h", "a", "x");
    h.raw("HGET", "h", "a");
    expect(h.propagated).toEqual([
      [0, ["HSET", "h", "a", "1"]],
      [0, ["HMSET", "h", "b", "2"]],
      [0, ["HSETNX", "h", "c", "3"]],
      [0, ["HDEL", "h", "c"]],
      [0, ["HINCRBY", "h", "n", "2"]],
    ]);
  });

  it("notifies hset, hdel, hincrby, hincrbyfloat and del", () => {
    const events = recordKeyEvents(h.engine, { withDb: false });
    h.raw("CONFIG", "SET", "notify-keyspace-events", "KEA");
    h.raw("HSET", "h", "a", "1", "b", "2");
    h.raw("HSETNX", "h", "a", "1");
    h.raw("HSETNX", "h", "c", "1");
    h.raw("HINCRBY", "h", "n", "1");
    h.raw("HINCRBYFLOAT", "h", "n", "1.5");
    h.raw("HDEL", "h", "nope");
    h.raw("HDEL", "h", "a", "b");
    h.raw("HDEL", "h", "c", "n");
    expect(events).toEqual(["hset h", "hset h", "hincrby h", "hincrbyfloat h", "hdel h", "hdel h", "del h"]);
  });

  it("writes keep the TTL; an expired hash is gone", () => {
    h.raw("HSET", "h", "a", "1");
    h.raw("EXPIRE", "h", "100");
    h.raw("HSET", "h", "b", "2");
    h.raw("HINCRBY", "h", "n", "1");
    h.raw("HDEL", "h", "a");
    expect(h.raw("TTL", "h")).toBe(int(100));
    vi.setSystemTime(NOW + 101_000);
    expect(h.raw("HGET", "h", "b")).toBe(NIL);
    expect(h.raw("HSETNX", "h", "b", "3")).toBe(int(1));
    expect(h.raw("TTL", "h")).toBe(int(-1));
  });
});

describe("AOF rewrite form", () => {
  it("HMSET batches of 64 pairs that recreate the hash, order and encoding included", () => {
    h.raw("HSET", "h", ...fields(150));
    h.raw("HDEL", "h", "f3");
    h.raw("HSET", "h", "f3", "back");
    const commands = [...hashAt("h").rewriteCommands("h")];
    expect(commands.map((argv) => argv.length)).toEqual([2 + 128, 2 + 128, 2 + 2 * 22]);
    expect(commands[0]!.slice(0, 4)).toEqual(["HMSET", "h", "f0", "0"]);

    const replayed = newHarness();
    for (const argv of commands) replayed.engine.replay(argv);
    expect(replayed.raw("HGETALL", "h")).toBe(h.raw("HGETALL", "h"));
    expect(replayed.raw("OBJECT", "ENCODING", "h")).toBe(bulk("listpack"));
  });

  it("a hashtable hash replays as a hashtable", () => {
    h.raw("HSET", "h", "a", "x".repeat(100), "b", "2");
    const replayed = newHarness();
    for (const argv of hashAt("h").rewriteCommands("h")) replayed.engine.replay(argv);
    expect(replayed.raw("OBJECT", "ENCODING", "h")).toBe(bulk("hashtable"));
    expect(replayed.raw("HGETALL", "h")).toBe(h.raw("HGETALL", "h"));
  });
});
