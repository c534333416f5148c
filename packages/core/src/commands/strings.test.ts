import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { recordKeyEvents } from "../test-support/observed-harness.js";
import { bulk, err, int, NIL, NULL3, OK } from "../test-support/resp-bytes.js";

/*
 * Expected bytes below were taken from redis-server 7.0.15's replies to the same commands.
 * The last suite replays scenarios against a real redis-server (when one is installed) and
 * compares the bytes directly.
 */

const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");
const SYNTAX = err("ERR syntax error");
const NOT_INTEGER = err("ERR value is not an integer or out of range");
const NOT_FLOAT = err("ERR value is not a valid float");
const OVERFLOW = err("ERR increment or decrement would overflow");
const NAN_OR_INF = err("ERR increment would produce NaN or Infinity");
const TOO_LONG = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
const OFFSET_RANGE = err("ERR offset is out of range");
const invalidExpire = (name: string): string => err(`ERR invalid expire time in '${name}' command`);

const NOW = 1_700_000_000_000;

let h: TestHarness;

/** A key of another type: RPUSH may not exist yet in this tree, so a typed value is stored directly. */
function makeList(key: string): void {
  h.engine.keyspace.db(0).set(key, { type: "list", rewriteCommands: () => [], snapshotEpoch: 0 });
}

function expireOf(key: string): number | undefined {
  return h.engine.keyspace.db(0).getExpire(key);
}

function valueOf(key: string): unknown {
  return h.engine.keyspace.db(0).peek(key);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  h = new TestHarness();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("GET / SET", () => {
  it("sets and gets, binary safe", () => {
    expect(h.raw("GET", "k")).toBe(NIL);
    expect(h.raw("SET", "k", "v\0\r\n\xff")).toBe(OK);
    expect(h.raw("GET", "k")).toBe(bulk("v\0\r\n\xff"));
    expect(h.raw("SET", "k", "")).toBe(OK);
    expect(h.raw("GET", "k")).toBe("$0\r\n\r\n");
  });

  it("GET of another type is WRONGTYPE; SET overwrites any type", () => {
    makeList("l");
    expect(h.raw("GET", "l")).toBe(WRONGTYPE);
    expect(h.raw("SET", "l", "v")).toBe(OK);
    expect(h.raw("GET", "l")).toBe(bulk("v"));
  });

  it("replies RESP3 nulls", () => {
    h.client.reply.protocol = 3;
    expect(h.raw("GET", "k")).toBe(NULL3);
    expect(h.raw("SET", "k", "v", "XX")).toBe(NULL3);
    expect(h.raw("SET", "k", "v", "GET")).toBe(NULL3);
    expect(h.raw("SET", "k", "w", "NX")).toBe(NULL3);
  });

  it("NX and XX", () => {
    expect(h.raw("SET", "k", "1", "XX")).toBe(NIL);
    expect(h.raw("SET", "k", "1", "NX")).toBe(OK);
    expect(h.raw("SET", "k", "2", "NX")).toBe(NIL);
    expect(h.raw("SET", "k", "3", "xx")).toBe(OK);
    expect(h.raw("GET", "k")).toBe(bulk("3"));
    expect(h.raw("SET", "k", "4", "nx", "nx")).toBe(NIL);
  });

  it("GET returns the old value, and nothing when NX/XX aborts", () => {
    expect(h.raw("SET", "k", "v", "GET")).toBe(NIL);
    expect(h.raw("SET", "k", "v2", "GET")).toBe(bulk("v"));
    expect(h.raw("SET", "k", "v3", "NX", "GET")).toBe(bulk("v2"));
    expect(h.raw("GET", "k")).toBe(bulk("v2"));
    expect(h.raw("SET", "k", "v4", "XX", "GET", "get")).toBe(bulk("v2"));
    expect(h.raw("SET", "nope", "v", "XX", "GET")).toBe(NIL);
    expect(h.raw("GET", "nope")).toBe(NIL);
    makeList("l");
    expect(h.raw("SET", "l", "v", "GET")).toBe(WRONGTYPE);
    expect(valueOf("l")).toMatchObject({ type: "list" });
  });

  it("rejects conflicting or incomplete options with a syntax error", () => {
    const cases = [
      ["NX", "XX"],
      ["XX", "NX"],
      ["EX", "10", "PX", "100"],
      ["EX", "10", "EXAT", "100"],
      ["PXAT", "10", "PX", "100"],
      ["EX"],
      ["PX"],
      ["EX", "10", "KEEPTTL"],
      ["KEEPTTL", "EX", "10"],
      ["KEEPTTL", "PXAT", "10"],
      ["PERSIST"],
      ["foo"],
      ["GETX"],
      ["NXX"],
    ];
    for (const options of cases) expect(h.raw("SET", "k", "v", ...options), options.join(" ")).toBe(SYNTAX);
    expect(h.raw("GET", "k")).toBe(NIL);
  });

  it("accepts repeated compatible options", () => {
    expect(h.raw("SET", "k", "v", "EX", "10", "EX", "20")).toBe(OK);
    expect(expireOf("k")).toBe(NOW + 20_000);
    expect(h.raw("SET", "k", "v", "KEEPTTL", "KEEPTTL", "XX", "XX")).toBe(OK);
    expect(expireOf("k")).toBe(NOW + 20_000);
  });

  it("matches options as C strings: bytes after a NUL are ignored", () => {
    expect(h.raw("SET", "k", "v")).toBe(OK);
    expect(h.raw("SET", "k", "w", "nx\0zz")).toBe(NIL);
    expect(h.raw("SET", "k2", "v", "ex\0", "100")).toBe(OK);
    expect(expireOf("k2")).toBe(NOW + 100_000);
    expect(h.raw("SET", "k", "v", "keepttl\0x")).toBe(OK);
  });

  it("EX / PX / EXAT / PXAT set absolute deadlines", () => {
    expect(h.raw("SET", "a", "v", "EX", "100")).toBe(OK);
    expect(expireOf("a")).toBe(NOW + 100_000);
    expect(h.raw("SET", "b", "v", "px", "1500")).toBe(OK);
    expect(expireOf("b")).toBe(NOW + 1500);
    expect(h.raw("SET", "c", "v", "EXAT", "1800000000")).toBe(OK);
    expect(expireOf("c")).toBe(1_800_000_000_000);
    expect(h.raw("SET", "d", "v", "PXAT", "1800000000123")).toBe(OK);
    expect(expireOf("d")).toBe(1_800_000_000_123);
  });

  it("clears the TTL unless KEEPTTL", () => {
    h.raw("SET", "k", "v", "EX", "100");
    expect(h.raw("SET", "k", "w", "KEEPTTL")).toBe(OK);
    expect(expireOf("k")).toBe(NOW + 100_000);
    expect(h.raw("SET", "k", "x")).toBe(OK);
    expect(expireOf("k")).toBeUndefined();
    expect(h.raw("SET", "new", "x", "KEEPTTL")).toBe(OK);
    expect(expireOf("new")).toBeUndefined();
  });

  it("rejects invalid expire times", () => {
    const invalid = [
      ["EX", "0"],
      ["EX", "-1"],
      ["PX", "0"],
      ["PXAT", "-5"],
      ["EX", "9223372036854776"], // seconds * 1000 overflows
      ["EX", "9223372036854775"], // + now overflows
      ["PX", "9223372036854775807"],
    ];
    for (const options of invalid) expect(h.raw("SET", "k", "v", ...options), options.join(" ")).toBe(invalidExpire("set"));
    expect(h.raw("SET", "k", "v", "EX", "abc")).toBe(NOT_INTEGER);
    expect(h.raw("SET", "k", "v", "EX", "10.5")).toBe(NOT_INTEGER);
    expect(h.raw("SET", "k", "v", "EX", "+10")).toBe(NOT_INTEGER);
    // The expire time is checked before GET replies.
    expect(h.raw("SET", "k", "v", "EX", "0", "GET")).toBe(invalidExpire("set"));
    expect(h.raw("GET", "k")).toBe(NIL);
    expect(h.propagated).toEqual([]);
  });

  it("accepts deadlines up to the 64-bit limit and logs them exactly", () => {
    expect(h.raw("SET", "a", "v", "EXAT", "9223372036854775")).toBe(OK);
    expect(h.raw("SET", "b", "v", "PXAT", "9223372036854775807")).toBe(OK);
    expect(h.propagated).toEqual([
      [0, ["SET", "a", "v", "PXAT", "9223372036854775000"]],
      [0, ["SET", "b", "v", "PXAT", "9223372036854775807"]],
    ]);
  });

  it("a deadline in the past still sets the key, which then expires lazily (as Redis 7.0)", () => {
    expect(h.raw("SET", "k", "v", "PXAT", "1")).toBe(OK);
    expect(h.propagated).toEqual([[0, ["SET", "k", "v", "PXAT", "1"]]]);
    expect(h.raw("GET", "k")).toBe(NIL);
    expect(h.propagated[1]).toEqual([0, ["DEL", "k"]]);
  });

  it("keys expire when their time comes", () => {
    h.raw("SET", "k", "v", "PX", "100");
    vi.setSystemTime(NOW + 99);
    expect(h.raw("GET", "k")).toBe(bulk("v"));
    vi.setSystemTime(NOW + 100);
    expect(h.raw("GET", "k")).toBe(NIL);
  });

  it("a write over a key past its TTL first expires it, as Redis's lookup does", () => {
    const events: string[] = [];
    h.engine.config.set("notify-keyspace-events", "Ex");
    h.engine.keyspaceEventSink = (channel, key) => events.push(`${channel} ${key}`);
    h.raw("SET", "k", "v", "PX", "100");
    h.raw("MSET", "m", "v");
    h.raw("SET", "m", "v", "PXAT", String(NOW + 100));
    vi.setSystemTime(NOW + 100);
    expect(h.raw("SET", "k", "w")).toBe(OK);
    expect(h.raw("MSET", "m", "w")).toBe(OK);
    // Each DEL and the write that met the expired key are one unit (Redis 7.0's MULTI/EXEC).
    expect(h.propagated.slice(3)).toEqual([
      [0, ["MULTI"]],
      [0, ["DEL", "k"]],
      [0, ["SET", "k", "w"]],
      [0, ["EXEC"]],
      [0, ["MULTI"]],
      [0, ["DEL", "m"]],
      [0, ["MSET", "m", "w"]],
      [0, ["EXEC"]],
    ]);
    expect(events).toEqual(["__keyevent@0__:expired k", "__keyevent@0__:expired m"]);
    expect(h.engine.stats.expiredKeys).toBe(2);
  });

  it("propagates relative expirations as PXAT, and drops GET", () => {
    h.raw("SET", "a", "v", "EX", "100");
    h.raw("SET", "b", "v", "PX", "100", "NX", "GET");
    h.raw("SET", "c", "v", "exat", "1800000000", "XX"); // XX aborts: not logged
    h.raw("SET", "c", "v", "KEEPTTL");
    h.raw("SET", "d", "v", "get", "XX", "GET"); // aborted
    h.raw("SET", "c", "w", "get", "XX", "GET");
    h.raw("SET", "e", "v", "NX");
    h.raw("SET", "e", "v", "NX"); // not set: not logged
    expect(h.propagated).toEqual([
      [0, ["SET", "a", "v", "PXAT", String(NOW + 100_000)]],
      [0, ["SET", "b", "v", "PXAT", String(NOW + 100)]],
      [0, ["SET", "c", "v", "KEEPTTL"]],
      [0, ["SET", "c", "w", "XX"]],
      [0, ["SET", "e", "v", "NX"]],
    ]);
  });
});

describe("SETNX / SETEX / PSETEX / GETSET / GETDEL", () => {
  it("SETNX replies 1 or 0", () => {
    expect(h.raw("SETNX", "k", "1")).toBe(int(1));
    expect(h.raw("SETNX", "k", "2")).toBe(int(0));
    expect(h.raw("GET", "k")).toBe(bulk("1"));
    makeList("l");
    expect(h.raw("SETNX", "l", "2")).toBe(int(0));
    expect(h.propagated).toEqual([[0, ["SETNX", "k", "1"]]]);
  });

  it("SETEX and PSETEX set a TTL and log SET ... PXAT", () => {
    expect(h.raw("SETEX", "s", "100", "v")).toBe(OK);
    expect(h.raw("PSETEX", "p", "2500", "w")).toBe(OK);
    expect(expireOf("s")).toBe(NOW + 100_000);
    expect(expireOf("p")).toBe(NOW + 2500);
    expect(h.raw("GET", "p")).toBe(bulk("w"));
    expect(h.propagated).toEqual([
      [0, ["SET", "s", "v", "PXAT", String(NOW + 100_000)]],
      [0, ["SET", "p", "w", "PXAT", String(NOW + 2500)]],
    ]);
  });

  it("SETEX and PSETEX errors name the command", () => {
    expect(h.raw("SETEX", "s", "0", "v")).toBe(invalidExpire("setex"));
    expect(h.raw("PSETEX", "s", "-1", "v")).toBe(invalidExpire("psetex"));
    expect(h.raw("SETEX", "s", "x", "v")).toBe(NOT_INTEGER);
    expect(h.raw("SETEX", "s", "10")).toBe(err("ERR wrong number of arguments for 'setex' command"));
  });

  it("GETSET returns the old value, clears the TTL, logs SET", () => {
    h.raw("SET", "g", "1", "EX", "100");
    expect(h.raw("GETSET", "g", "2")).toBe(bulk("1"));
    expect(expireOf("g")).toBeUndefined();
    expect(h.raw("GETSET", "new", "x")).toBe(NIL);
    expect(h.raw("GET", "new")).toBe(bulk("x"));
    makeList("l");
    expect(h.raw("GETSET", "l", "x")).toBe(WRONGTYPE);
    expect(h.propagated.slice(1)).toEqual([
      [0, ["SET", "g", "2"]],
      [0, ["SET", "new", "x"]],
    ]);
  });

  it("GETDEL returns and deletes, logged as DEL", () => {
    h.raw("SET", "g", "1");
    expect(h.raw("GETDEL", "g")).toBe(bulk("1"));
    expect(h.raw("GETDEL", "g")).toBe(NIL);
    makeList("l");
    expect(h.raw("GETDEL", "l")).toBe(WRONGTYPE);
    expect(valueOf("l")).toBeDefined();
    expect(h.propagated.slice(1)).toEqual([[0, ["DEL", "g"]]]);
  });
});

describe("GETEX", () => {
  beforeEach(() => {
    h.raw("SET", "k", "v");
    h.propagated.length = 0;
  });

  it("without options is GET and is not logged", () => {
    expect(h.raw("GETEX", "k")).toBe(bulk("v"));
    expect(h.raw("GETEX", "missing")).toBe(NIL);
    expect(h.propagated).toEqual([]);
  });

  it("sets TTLs and logs PEXPIREAT with the absolute time", () => {
    expect(h.raw("GETEX", "k", "EX", "100")).toBe(bulk("v"));
    expect(expireOf("k")).toBe(NOW + 100_000);
    expect(h.raw("GETEX", "k", "PX", "500")).toBe(bulk("v"));
    expect(h.raw("GETEX", "k", "EXAT", "99999999999")).toBe(bulk("v"));
    expect(h.raw("GETEX", "k", "PXAT", "99999999999999")).toBe(bulk("v"));
    expect(expireOf("k")).toBe(99_999_999_999_999);
    expect(h.propagated).toEqual([
      [0, ["PEXPIREAT", "k", String(NOW + 100_000)]],
      [0, ["PEXPIREAT", "k", String(NOW + 500)]],
      [0, ["PEXPIREAT", "k", "99999999999000"]],
      [0, ["PEXPIREAT", "k", "99999999999999"]],
    ]);
  });

  it("PERSIST removes the TTL, logged only when there was one", () => {
    h.raw("GETEX", "k", "EX", "100");
    expect(h.raw("GETEX", "k", "PERSIST")).toBe(bulk("v"));
    expect(expireOf("k")).toBeUndefined();
    expect(h.raw("GETEX", "k", "persist")).toBe(bulk("v"));
    expect(h.propagated.slice(1)).toEqual([[0, ["PERSIST", "k"]]]);
  });

  it("an EXAT/PXAT deadline already past deletes the key, logged as DEL", () => {
    expect(h.raw("GETEX", "k", "EXAT", "1")).toBe(bulk("v"));
    expect(valueOf("k")).toBeUndefined();
    h.raw("SET", "k", "v");
    expect(h.raw("GETEX", "k", "PXAT", String(NOW))).toBe(bulk("v"));
    expect(valueOf("k")).toBeUndefined();
    expect(h.propagated).toEqual([
      [0, ["DEL", "k"]],
      [0, ["SET", "k", "v"]],
      [0, ["DEL", "k"]],
    ]);
  });

  it("errors: syntax first, then the key, then the expire time", () => {
    expect(h.raw("GETEX", "k", "EX", "10", "PX", "10")).toBe(SYNTAX);
    expect(h.raw("GETEX", "k", "NX")).toBe(SYNTAX);
    expect(h.raw("GETEX", "k", "KEEPTTL")).toBe(SYNTAX);
    expect(h.raw("GETEX", "k", "GET")).toBe(SYNTAX);
    expect(h.raw("GETEX", "k", "PERSIST", "EX", "10")).toBe(SYNTAX);
    expect(h.raw("GETEX", "k", "EX")).toBe(SYNTAX);
    expect(h.raw("GETEX", "missing", "EX", "0")).toBe(NIL);
    expect(h.raw("GETEX", "k", "EX", "0")).toBe(invalidExpire("getex"));
    expect(h.raw("GETEX", "k", "PX", "x")).toBe(NOT_INTEGER);
    makeList("l");
    expect(h.raw("GETEX", "l", "EX", "0")).toBe(WRONGTYPE);
    expect(h.propagated).toEqual([]);
  });

  it("RESP3 null for a missing key", () => {
    h.client.reply.protocol = 3;
    expect(h.raw("GETEX", "missing", "PERSIST")).toBe(NULL3);
  });
});

describe("MGET / MSET / MSETNX", () => {
  it("MGET reads other types as missing", () => {
    h.raw("SET", "a", "1");
    makeList("l");
    expect(h.raw("MGET", "a", "l", "nope", "a")).toBe(`*4\r\n${bulk("1")}${NIL}${NIL}${bulk("1")}`);
    h.client.reply.protocol = 3;
    expect(h.raw("MGET", "a", "nope")).toBe(`*2\r\n${bulk("1")}${NULL3}`);
  });

  it("MSET sets all pairs and clears TTLs", () => {
    h.raw("SET", "a", "0", "EX", "100");
    expect(h.raw("MSET", "a", "1", "b", "2", "a", "3")).toBe(OK);
    expect(h.raw("MGET", "a", "b")).toBe(`*2\r\n${bulk("3")}${bulk("2")}`);
    expect(expireOf("a")).toBeUndefined();
    expect(h.propagated[1]).toEqual([0, ["MSET", "a", "1", "b", "2", "a", "3"]]);
  });

  it("MSETNX sets nothing if any key exists", () => {
    h.raw("SET", "a", "1");
    expect(h.raw("MSETNX", "a", "x", "c", "y")).toBe(int(0));
    expect(h.raw("GET", "c")).toBe(NIL);
    expect(h.raw("MSETNX", "c", "1", "d", "2")).toBe(int(1));
    expect(h.raw("MGET", "c", "d")).toBe(`*2\r\n${bulk("1")}${bulk("2")}`);
    makeList("l");
    expect(h.raw("MSETNX", "l", "x")).toBe(int(0));
    expect(h.propagated).toEqual([
      [0, ["SET", "a", "1"]],
      [0, ["MSETNX", "c", "1", "d", "2"]],
    ]);
  });

  it("an odd number of arguments is an arity error", () => {
    expect(h.raw("MSET", "a")).toBe(err("ERR wrong number of arguments for 'mset' command"));
    expect(h.raw("MSET", "a", "1", "b")).toBe(err("ERR wrong number of arguments for 'mset' command"));
    expect(h.raw("MSETNX", "a", "1", "b")).toBe(err("ERR wrong number of arguments for 'msetnx' command"));
  });
});

describe("APPEND / STRLEN", () => {
  it("appends, creating the key, keeping the TTL", () => {
    expect(h.raw("APPEND", "k", "abc")).toBe(int(3));
    expect(h.raw("APPEND", "k", "de")).toBe(int(5));
    expect(h.raw("GET", "k")).toBe(bulk("abcde"));
    h.raw("SET", "t", "x", "EX", "100");
    expect(h.raw("APPEND", "t", "")).toBe(int(1));
    expect(expireOf("t")).toBe(NOW + 100_000);
    makeList("l");
    expect(h.raw("APPEND", "l", "x")).toBe(WRONGTYPE);
  });

  it("marks modified strings raw for OBJECT ENCODING, not newly created ones", () => {
    const db = h.engine.keyspace.db(0);
    h.raw("APPEND", "k", "abc");
    expect(db.encodingPins.get("k")).toBeUndefined();
    h.raw("APPEND", "k", "d");
    expect(db.encodingPins.get("k")).toBe("raw");
    h.raw("SET", "k", "v");
    expect(db.encodingPins.get("k")).toBeUndefined();
  });

  it("refuses to grow past proto-max-bulk-len", () => {
    expect(h.engine.config.set("proto-max-bulk-len", "1048576")).toBeUndefined();
    h.raw("SET", "k", "x".repeat(1048570));
    expect(h.raw("APPEND", "k", "123456")).toBe(int(1048576));
    expect(h.raw("APPEND", "k", "7")).toBe(TOO_LONG);
    expect(h.raw("STRLEN", "k")).toBe(int(1048576));
  });

  it("STRLEN", () => {
    expect(h.raw("STRLEN", "nope")).toBe(int(0));
    h.raw("SET", "k", "h\xe9llo");
    expect(h.raw("STRLEN", "k")).toBe(int(5));
    makeList("l");
    expect(h.raw("STRLEN", "l")).toBe(WRONGTYPE);
  });
});

describe("SETRANGE / GETRANGE / SUBSTR", () => {
  it("SETRANGE pads with zero bytes and overwrites in place", () => {
    expect(h.raw("SETRANGE", "k", "5", "hi")).toBe(int(7));
    expect(h.raw("GET", "k")).toBe(bulk("\0\0\0\0\0hi"));
    expect(h.raw("SETRANGE", "k", "0", "ab")).toBe(int(7));
    expect(h.raw("SETRANGE", "k", "6", "XYZ")).toBe(int(9));
    expect(h.raw("GET", "k")).toBe(bulk("ab\0\0\0hXYZ"));
    expect(h.raw("SETRANGE", "k", "12", "!")).toBe(int(13));
    expect(h.raw("GET", "k")).toBe(bulk("ab\0\0\0hXYZ\0\0\0!"));
    expect(h.engine.keyspace.db(0).encodingPins.get("k")).toBe("raw");
  });

  it("SETRANGE with an empty value changes nothing", () => {
    h.raw("SET", "k", "abc", "EX", "100");
    expect(h.raw("SETRANGE", "k", "1", "")).toBe(int(3));
    expect(h.raw("SETRANGE", "nokey", "1", "")).toBe(int(0));
    expect(h.raw("SETRANGE", "nokey", "536870912", "")).toBe(int(0));
    expect(valueOf("nokey")).toBeUndefined();
    expect(h.raw("SETRANGE", "k", "1", "X")).toBe(int(3));
    expect(expireOf("k")).toBe(NOW + 100_000);
    expect(h.propagated.slice(1)).toEqual([[0, ["SETRANGE", "k", "1", "X"]]]);
  });

  it("SETRANGE errors", () => {
    h.raw("SET", "k", "abc");
    makeList("l");
    expect(h.raw("SETRANGE", "k", "-1", "x")).toBe(OFFSET_RANGE);
    expect(h.raw("SETRANGE", "nokey", "-1", "")).toBe(OFFSET_RANGE);
    expect(h.raw("SETRANGE", "k", "abc", "x")).toBe(NOT_INTEGER);
    expect(h.raw("SETRANGE", "k", "9223372036854775808", "x")).toBe(NOT_INTEGER);
    expect(h.raw("SETRANGE", "k", "536870912", "x")).toBe(TOO_LONG);
    expect(h.raw("SETRANGE", "k", "536870911", "xy")).toBe(TOO_LONG);
    expect(h.raw("SETRANGE", "k", "9223372036854775807", "x")).toBe(TOO_LONG);
    expect(h.raw("SETRANGE", "nokey", "536870912", "x")).toBe(TOO_LONG);
    expect(h.raw("SETRANGE", "l", "0", "x")).toBe(WRONGTYPE);
    expect(h.raw("SETRANGE", "l", "0", "")).toBe(WRONGTYPE);
    expect(h.raw("SETRANGE", "l", "-1", "")).toBe(OFFSET_RANGE);
  });

  it("GETRANGE clamps like Redis 7.0", () => {
    h.raw("SET", "k", "123456789");
    const cases: [string, string, string][] = [
      ["0", "-1", "123456789"],
      ["-3", "-1", "789"],
      ["5", "2", ""],
      ["-1", "-5", ""],
      ["100", "200", ""],
      ["-100", "-50", "1"],
      ["-10", "-20", ""], // both negative and reversed: empty before clamping
      ["-20", "-10", "1"],
      ["0", "100", "123456789"],
      ["0", "-100", "1"],
      ["-100", "0", "1"],
      ["1", "2", "23"],
      ["-1", "-1", "9"],
      ["9223372036854775807", "9223372036854775807", ""],
      ["-9223372036854775808", "-9223372036854775808", "1"],
    ];
    for (const [start, end, expected] of cases) expect(h.raw("GETRANGE", "k", start, end), `${start} ${end}`).toBe(bulk(expected));
    expect(h.raw("SUBSTR", "k", "0", "2")).toBe(bulk("123"));
  });

  it("GETRANGE on missing, empty and other types", () => {
    expect(h.raw("GETRANGE", "nokey", "0", "-1")).toBe(bulk(""));
    h.raw("SET", "e", "");
    expect(h.raw("GETRANGE", "e", "0", "-1")).toBe(bulk(""));
    expect(h.raw("GETRANGE", "e", "-1", "0")).toBe(bulk(""));
    makeList("l");
    expect(h.raw("GETRANGE", "l", "0", "-1")).toBe(WRONGTYPE);
    expect(h.raw("GETRANGE", "l", "a", "0")).toBe(NOT_INTEGER);
    expect(h.raw("GETRANGE", "e", "0", "9223372036854775808")).toBe(NOT_INTEGER);
  });
});

describe("INCR / DECR / INCRBY / DECRBY", () => {
  it("counts from zero and keeps the TTL", () => {
    expect(h.raw("INCR", "n")).toBe(int(1));
    expect(h.raw("INCRBY", "n", "10")).toBe(int(11));
    expect(h.raw("DECR", "n")).toBe(int(10));
    expect(h.raw("DECRBY", "n", "-5")).toBe(int(15));
    expect(h.raw("DECRBY", "m", "5")).toBe(int(-5));
    expect(h.raw("INCRBY", "z", "0")).toBe(int(0));
    h.raw("SET", "t", "5", "EX", "100");
    expect(h.raw("INCR", "t")).toBe(int(6));
    expect(expireOf("t")).toBe(NOW + 100_000);
    expect(h.raw("GET", "n")).toBe(bulk("15"));
  });

  it("covers the full signed 64-bit range", () => {
    expect(h.raw("INCRBY", "a", "9223372036854775806")).toBe(int("9223372036854775806"));
    expect(h.raw("INCR", "a")).toBe(int("9223372036854775807"));
    expect(h.raw("INCR", "a")).toBe(OVERFLOW);
    expect(h.raw("GET", "a")).toBe(bulk("9223372036854775807"));
    expect(h.raw("DECRBY", "b", "9223372036854775807")).toBe(int("-9223372036854775807"));
    expect(h.raw("DECR", "b")).toBe(int("-9223372036854775808"));
    expect(h.raw("DECR", "b")).toBe(OVERFLOW);
    expect(h.raw("INCRBY", "b", "9223372036854775807")).toBe(int(-1));
    h.raw("SET", "c", "9007199254740991");
    expect(h.raw("INCR", "c")).toBe(int("9007199254740992"));
    expect(h.raw("INCR", "c")).toBe(int("9007199254740993"));
    expect(h.raw("INCRBY", "c", "-9007199254740993")).toBe(int(0));
  });

  it("DECRBY of LLONG_MIN has its own error", () => {
    expect(h.raw("DECRBY", "k", "-9223372036854775808")).toBe(err("ERR decrement would overflow"));
    makeList("l");
    expect(h.raw("DECRBY", "l", "-9223372036854775808")).toBe(err("ERR decrement would overflow"));
  });

  it("rejects what string2ll rejects", () => {
    for (const value of ["007", "+1", "-0", " 1", "1 ", "1.0", "", "123456789012345678901", "9223372036854775808", "0x10", "1e3"]) {
      h.raw("SET", "k", value);
      expect(h.raw("INCR", "k"), JSON.stringify(value)).toBe(NOT_INTEGER);
    }
    expect(h.raw("INCRBY", "n", "x")).toBe(NOT_INTEGER);
    expect(h.raw("INCRBY", "n", "9223372036854775808")).toBe(NOT_INTEGER);
    h.raw("SET", "k", "-9223372036854775808");
    expect(h.raw("INCR", "k")).toBe(int("-9223372036854775807"));
  });

  it("WRONGTYPE after the increment is parsed", () => {
    makeList("l");
    expect(h.raw("INCR", "l")).toBe(WRONGTYPE);
    expect(h.raw("INCRBY", "l", "x")).toBe(NOT_INTEGER);
    expect(h.raw("INCRBY", "l", "1")).toBe(WRONGTYPE);
  });

  it("propagates as sent", () => {
    h.raw("INCR", "a");
    h.raw("INCRBY", "a", "9223372036854775807"); // overflow: not logged
    h.raw("DECRBY", "a", "2");
    expect(h.propagated).toEqual([
      [0, ["INCR", "a"]],
      [0, ["DECRBY", "a", "2"]],
    ]);
  });
});

describe("INCRBYFLOAT", () => {
  /** [initial value or undefined for a missing key, increment, reply] — from redis-server 7.0.15. */
  const table: [string | undefined, string, string][] = [
    [undefined, "0.1", "0.1"],
    ["0.1", "0.2", "0.3"],
    ["10.5", "0.1", "10.6"],
    ["1e17", "1", "100000000000000001"],
    [undefined, "5.0e3", "5000"],
    [undefined, "-0", "0"],
    ["-0", "-0", "0"],
    [undefined, "3.0000000000000000001", "3"],
    [undefined, "0.000003814697265625", "0.00000381469726562"],
    [undefined, "0.000011444091796875", "0.00001144409179688"],
    [undefined, "1e-20", "0"],
    [undefined, "-1e-20", "0"],
    [undefined, "1.5e-17", "0.00000000000000002"],
    [undefined, "2.5e-17", "0.00000000000000002"],
    [undefined, "5e-18", "0"],
    ["3", "1.5", "4.5"],
    ["1.5", "-3", "-1.5"],
    ["-5.05", "0", "-5.05"],
    ["123456789.123456789", "0", "123456789.12345678899873747"],
    ["18446744073709551615", "1", "18446744073709551616"],
    ["18446744073709551617", "0", "18446744073709551616"],
    [undefined, "1e-4940", "0"],
    [undefined, "0x1p3", "8"],
    [undefined, "0x1.8", "1.5"],
    [undefined, "0X1P-2", "0.25"],
    [undefined, "-0x10", "-16"],
    [undefined, "0x.8p1", "1"],
    [undefined, "+1.5", "1.5"],
    [undefined, ".5", "0.5"],
    [undefined, "5.", "5"],
    [undefined, "1e+2", "100"],
    [undefined, "1E-2", "0.01"],
    [undefined, "00012.5000", "12.5"],
    [undefined, "1.5e0003", "1500"],
    [undefined, "0e99999999999999999999999", "0"],
    ["0.1", "-0.1", "0"],
    ["100", "-100.5", "-0.5"],
    ["99999999999999999999", "1", "100000000000000000000"],
    ["-1.1", "-2.2", "-3.3"],
    ["7", "0.30000000000000004", "7.30000000000000004"],
    ["1.1", "2.2", "3.3"],
    ["4.35", "2.6", "6.95"],
    ["0.3", "0.6", "0.9"],
    ["1234567.89", "0.01", "1234567.89999999999997726"],
    ["10", "1e-17", "10.00000000000000001"],
    ["-10", "1e-18", "-10"],
    ["1", "1." + "0".repeat(5117), "2"],
    [
      undefined,
      "1.7976931348623157e308",
      "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384",
    ],
    [
      "1e300",
      "1e300",
      "2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698304167500994380700745017228549671807185112369345967826192521041497292574654271283687306588168510215212033579453305864740061102765895241989080589545563779241212358535223254194821301134374772211380178849830208012288",
    ],
    [undefined, " 1", NOT_FLOAT],
    [undefined, "1 ", NOT_FLOAT],
    [undefined, "1e", NOT_FLOAT],
    [undefined, "0x", NOT_FLOAT],
    [undefined, ".", NOT_FLOAT],
    [undefined, "-.e1", NOT_FLOAT],
    [undefined, "nan", NOT_FLOAT],
    [undefined, "NaN(123)", NOT_FLOAT],
    [undefined, "abc", NOT_FLOAT],
    [undefined, "", NOT_FLOAT],
    [undefined, "1e-5000", NOT_FLOAT],
    [undefined, "1e5000", NOT_FLOAT],
    [undefined, "1.19e4932", NOT_FLOAT],
    [undefined, "0x1p", NOT_FLOAT],
    [undefined, "0x1p-16446", NOT_FLOAT],
    [undefined, "1e99999999999999999999999", NOT_FLOAT],
    [undefined, "1\0", NOT_FLOAT],
    [undefined, "inf", NAN_OR_INF],
    [undefined, "-Infinity", NAN_OR_INF],
    ["1e4932", "1e4932", NAN_OR_INF],
    ["abc", "1", NOT_FLOAT],
    ["1", "1".repeat(5119), NOT_FLOAT],
    ["1", "1".repeat(5120), NOT_FLOAT],
    ["1", "1." + "0".repeat(5118), NOT_FLOAT],
  ];

  it.each(table.map(([start, increment, reply], i) => ({ i, start, increment, reply })))(
    "case $i: $start + $increment",
    ({ start, increment, reply }) => {
      if (start !== undefined) h.raw("SET", "k", start);
      const expected = reply.startsWith("-ERR") ? reply : bulk(reply);
      expect(h.raw("INCRBYFLOAT", "k", increment)).toBe(expected);
      expect(valueOf("k")).toBe(reply.startsWith("-ERR") ? start : reply);
    },
  );

  it("1e4000 prints every integer digit of the nearest long double", () => {
    const reply = h.run("INCRBYFLOAT", "k", "1e4000");
    expect(reply.type).toBe("bulk");
    const text = reply.type === "bulk" ? reply.value.toString("latin1") : "";
    expect(text.length).toBe(4000);
    expect(text.startsWith("99999999999999999999654638730996237849324925835069576313015083330432619433")).toBe(true);
    expect(text.endsWith("29951206648276349901340672")).toBe(true);
  });

  it("keeps the TTL and logs SET key value KEEPTTL", () => {
    h.raw("SET", "k", "1", "EX", "100");
    expect(h.raw("INCRBYFLOAT", "k", "0.5")).toBe(bulk("1.5"));
    expect(expireOf("k")).toBe(NOW + 100_000);
    h.raw("INCRBYFLOAT", "k", "x");
    h.raw("INCRBYFLOAT", "new", "2e2");
    expect(h.propagated.slice(1)).toEqual([
      [0, ["SET", "k", "1.5", "KEEPTTL"]],
      [0, ["SET", "new", "200", "KEEPTTL"]],
    ]);
  });

  it("WRONGTYPE before parsing the increment", () => {
    makeList("l");
    expect(h.raw("INCRBYFLOAT", "l", "1")).toBe(WRONGTYPE);
    expect(h.raw("INCRBYFLOAT", "l", "abc")).toBe(WRONGTYPE);
  });
});

describe("LCS", () => {
  beforeEach(() => {
    h.raw("SET", "a", "ohmytext");
    h.raw("SET", "b", "mynewtext");
  });

  it("returns the subsequence or its length", () => {
    expect(h.raw("LCS", "a", "b")).toBe(bulk("mytext"));
    expect(h.raw("LCS", "a", "b", "LEN")).toBe(int(6));
    expect(h.raw("LCS", "a", "nokey")).toBe(bulk(""));
    expect(h.raw("LCS", "nokey1", "nokey2", "len")).toBe(int(0));
    h.raw("SET", "x", "1");
    expect(h.raw("LCS", "x", "a")).toBe(bulk(""));
  });

  it("IDX in RESP2", () => {
    expect(h.raw("LCS", "a", "b", "IDX")).toBe(
      "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
    );
    expect(h.raw("LCS", "a", "b", "IDX", "WITHMATCHLEN")).toBe(
      "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n",
    );
    expect(h.raw("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")).toBe(
      "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
    );
    expect(h.raw("LCS", "a", "b", "MINMATCHLEN", "-5", "IDX")).toBe(h.raw("LCS", "a", "b", "IDX"));
    expect(h.raw("LCS", "a", "nokey", "IDX")).toBe("*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
  });

  it("IDX in RESP3 is a map", () => {
    h.client.reply.protocol = 3;
    expect(h.raw("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")).toBe(
      "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
    );
  });

  it("options that do not apply are ignored, like Redis", () => {
    expect(h.raw("LCS", "a", "b", "WITHMATCHLEN")).toBe(bulk("mytext"));
    expect(h.raw("LCS", "a", "b", "MINMATCHLEN", "3", "LEN")).toBe(int(6));
  });

  it("errors", () => {
    makeList("l");
    expect(h.raw("LCS", "a", "l")).toBe(err("ERR The specified keys must contain string values"));
    expect(h.raw("LCS", "l", "a", "foo")).toBe(err("ERR The specified keys must contain string values"));
    expect(h.raw("LCS", "a", "b", "LEN", "IDX")).toBe(err("ERR If you want both the length and indexes, please just use IDX."));
    expect(h.raw("LCS", "a", "b", "foo")).toBe(SYNTAX);
    expect(h.raw("LCS", "a", "b", "MINMATCHLEN")).toBe(SYNTAX);
    expect(h.raw("LCS", "a", "b", "MINMATCHLEN", "x")).toBe(NOT_INTEGER);
    expect(h.raw("LCS", "a", "b", "MINMATCHLEN", "x", "foo")).toBe(NOT_INTEGER);
    expect(h.raw("LCS", "a", "b", "foo", "MINMATCHLEN", "x")).toBe(SYNTAX);
  });

  it("refuses when Redis's table would exceed proto-max-bulk-len", () => {
    h.engine.config.set("proto-max-bulk-len", "1048576");
    h.raw("SET", "x", "x".repeat(600));
    h.raw("SET", "y", "y".repeat(600));
    const error = err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    expect(h.raw("LCS", "x", "y")).toBe(error);
    expect(h.raw("LCS", "x", "y", "LEN")).toBe(error);
    h.raw("SET", "y", "y".repeat(400));
    expect(h.raw("LCS", "x", "y", "LEN")).toBe(int(0));
  });

  it("long strings use wider table cells", () => {
    const a = "ab".repeat(200) + "xyz";
    const b = "ba".repeat(150) + "xyz";
    h.raw("SET", "p", a);
    h.raw("SET", "q", b);
    expect(h.raw("LCS", "p", "q", "LEN")).toBe(int(303));
    expect(h.raw("LCS", "p", "q")).toBe(bulk("b" + "ab".repeat(149) + "axyz"));
  });
});

describe("keyspace notifications and statistics", () => {
  let events: string[];

  beforeEach(() => {
    expect(h.engine.config.set("notify-keyspace-events", "EA")).toBeUndefined();
    events = recordKeyEvents(h.engine, { withDb: false });
  });

  it("fires Redis's events", () => {
    h.raw("SET", "k", "1", "EX", "10");
    h.raw("SET", "k", "1", "NX"); // not set: no event
    h.raw("INCR", "k");
    h.raw("INCRBYFLOAT", "k", "1.5");
    h.raw("APPEND", "k", "0");
    h.raw("SETRANGE", "k", "0", "9");
    h.raw("SETRANGE", "k", "0", ""); // nothing written: no event
    h.raw("GETEX", "k", "PERSIST");
    h.raw("GETEX", "k", "PX", "100");
    h.raw("GETDEL", "k");
    h.raw("MSET", "a", "1", "b", "2");
    h.raw("GETSET", "a", "3");
    h.raw("GETEX", "a", "PXAT", "1");
    expect(events).toEqual([
      "set k",
      "expire k",
      "incrby k",
      "incrbyfloat k",
      "append k",
      "setrange k",
      "persist k",
      "expire k",
      "del k",
      "set a",
      "set b",
      "set a",
      "del a",
    ]);
  });

  it("counts hits and misses on reads, not on writes", () => {
    const stats = h.engine.stats;
    h.raw("SET", "k", "v");
    h.raw("GET", "k");
    h.raw("GET", "nope");
    h.raw("MGET", "k", "nope", "nope2");
    h.raw("INCR", "counter");
    h.raw("SET", "k", "w", "GET");
    expect([stats.keyspaceHits, stats.keyspaceMisses]).toEqual([3, 3]);
  });

  it("does not count a command that changed nothing as dirty", () => {
    const before = h.engine.dirty;
    h.raw("GET", "k");
    h.raw("SET", "k", "v", "XX");
    h.raw("GETEX", "k", "PERSIST");
    h.raw("SETRANGE", "k", "3", "");
    expect(h.engine.dirty).toBe(before);
    h.raw("MSET", "a", "1", "b", "2");
    expect(h.engine.dirty).toBe(before + 2);
  });
});

// ---------------------------------------------------------------------------------------
// Differential: the same commands against a real redis-server, byte for byte.
// ---------------------------------------------------------------------------------------

function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** PINGed after each batch: its echo marks the end of the batch's replies. */
const SENTINEL = "__diff_sentinel";

/** One connection to the reference server; each exchange returns the raw reply bytes. */
class ReferenceConnection {
  private buffer = "";
  private waiter: (() => void) | undefined;

  constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("latin1");
      this.waiter?.();
    });
  }

  static async open(port: number): Promise<ReferenceConnection> {
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(port, "127.0.0.1", () => resolve(s));
          s.once("error", reject);
        });
        return new ReferenceConnection(socket);
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async exchange(commands: string[][]): Promise<string> {
    let payload = "";
    for (const argv of [...commands, ["PING", SENTINEL]]) {
      payload += `*${argv.length}\r\n`;
      for (const arg of argv) payload += `$${arg.length}\r\n${arg}\r\n`;
    }
    this.socket.write(Buffer.from(payload, "latin1"));
    const sentinelReply = `$${SENTINEL.length}\r\n${SENTINEL}\r\n`;
    while (!this.buffer.endsWith(sentinelReply)) await new Promise<void>((resolve) => (this.waiter = resolve));
    const replies = this.buffer.slice(0, this.buffer.length - sentinelReply.length);
    this.buffer = "";
    return replies;
  }

  close(): void {
    this.socket.destroy();
  }
}

const scenarios: Record<string, string[][]> = {
  "set options": [
    ["SET", "k", "v", "NX"],
    ["SET", "k", "w", "NX", "GET"],
    ["SET", "k", "w", "XX", "GET"],
    ["SET", "k", "v", "nx", "xx"],
    ["SET", "k", "v", "EX"],
    ["SET", "k", "v", "ex", "1", "px", "1"],
    ["SET", "k", "v", "keepttl", "get"],
    ["SET", "k", "v", "EX", "0"],
    ["SET", "k", "v", "PXAT", "-1"],
    ["SET", "k", "v", "EX", "nope"],
    ["SET", "k", "v", "EX", "9223372036854776"],
    ["SET", "k", "v", "bogus"],
    ["SET", "k", "v", "nx\0trailing"],
    ["GET", "k"],
    ["SETNX", "k", "x"],
    ["SETNX", "k2", "x"],
    ["SETEX", "k3", "0", "x"],
    ["PSETEX", "k3", "x", "x"],
    ["GETSET", "k", "new"],
    ["GETDEL", "k"],
    ["GETDEL", "k"],
    ["GETEX", "k2"],
    ["GETEX", "k2", "persist"],
    ["GETEX", "k2", "EX", "0"],
    ["GETEX", "k2", "EX", "10", "PERSIST"],
    ["GETEX", "k2", "EXAT", "1"],
    ["GETEX", "k2"],
    ["MSET", "a", "1", "b", "2"],
    ["MSET", "a", "1", "b"],
    ["MSETNX", "a", "1", "c", "3"],
    ["MSETNX", "c", "1", "d", "3"],
    ["MGET", "a", "b", "c", "d", "e"],
  ],
  "append and ranges": [
    ["APPEND", "s", "hello"],
    ["APPEND", "s", " world"],
    ["STRLEN", "s"],
    ["STRLEN", "nope"],
    ["SETRANGE", "s", "20", "!"],
    ["GET", "s"],
    ["SETRANGE", "s", "-1", "x"],
    ["SETRANGE", "s", "x", "x"],
    ["SETRANGE", "s", "536870912", "x"],
    ["SETRANGE", "t", "3", ""],
    ["GETRANGE", "s", "0", "4"],
    ["GETRANGE", "s", "-6", "-1"],
    ["GETRANGE", "s", "-1", "-6"],
    ["GETRANGE", "s", "-100", "-50"],
    ["GETRANGE", "s", "-50", "-100"],
    ["GETRANGE", "s", "15", "5"],
    ["GETRANGE", "nope", "0", "-1"],
    ["GETRANGE", "s", "x", "1"],
    ["SUBSTR", "s", "6", "10"],
  ],
  counters: [
    ["INCR", "n"],
    ["INCRBY", "n", "-10"],
    ["DECRBY", "n", "-9223372036854775808"],
    ["DECRBY", "n", "9223372036854775807"],
    ["DECR", "n"],
    ["DECR", "n"],
    ["INCRBY", "n", "x"],
    ["SET", "f", "1.5"],
    ["INCR", "f"],
    ["INCRBYFLOAT", "f", "0.1"],
    ["INCRBYFLOAT", "f", "-1.6"],
    ["INCRBYFLOAT", "f", "1e-17"],
    ["INCRBYFLOAT", "f", "1e400"],
    ["INCRBYFLOAT", "f", "-1e400"],
    ["INCRBYFLOAT", "f", "0x1.8p-2"],
    ["INCRBYFLOAT", "f", "inf"],
    ["INCRBYFLOAT", "f", "nan"],
    ["INCRBYFLOAT", "f", "1.0.0"],
    ["SET", "big", "-9223372036854775808"],
    ["INCRBYFLOAT", "big", "-1"],
    ["INCRBY", "big", "-1"],
    ["INCRBY", "big", "1"],
  ],
  lcs: [
    ["SET", "a", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA"],
    ["SET", "b", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"],
    ["LCS", "a", "b"],
    ["LCS", "a", "b", "LEN"],
    ["LCS", "a", "b", "IDX"],
    ["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
    ["LCS", "a", "b", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"],
    ["LCS", "b", "a", "IDX", "MINMATCHLEN", "3"],
    ["LCS", "a", "missing", "IDX", "WITHMATCHLEN"],
    ["LCS", "a", "b", "IDX", "LEN"],
    ["LCS", "a", "b", "MINMATCHLEN"],
    ["LCS", "a", "b", "len\0x"],
  ],
};

describe.skipIf(!redisServerInstalled())("differential against redis-server", () => {
  let server: ChildProcess;
  let reference: ReferenceConnection;

  beforeAll(async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", "/tmp"], {
      stdio: "ignore",
    });
    reference = await ReferenceConnection.open(port);
  });

  afterAll(() => {
    reference?.close();
    server?.kill();
  });

  // Real time here: the reference server has its own clock.
  beforeEach(() => {
    vi.useRealTimers();
  });

  for (const protocol of [2, 3] as const) {
    for (const [name, commands] of Object.entries(scenarios)) {
      it(`${name} (RESP${protocol})`, async () => {
        await reference.exchange([["FLUSHALL"], ["HELLO", String(protocol)]]);
        const expected = await reference.exchange(commands);
        const local = new TestHarness();
        local.client.reply.protocol = protocol;
        let actual = "";
        for (const argv of commands) actual += local.raw(...argv);
        expect(actual).toBe(expected);
      });
    }
  }
});
