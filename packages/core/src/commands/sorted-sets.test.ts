import type { Reply } from "@kv/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseNotifyFlags } from "../core-config.js";
import { TestHarness } from "../test-support/harness.js";
import { recordKeyEvents } from "../test-support/observed-harness.js";
import { array, bulk, bulks, EMPTY, err, int, NIL, NULL3 } from "../test-support/resp-bytes.js";
import { ZsetValue } from "../types/zset-value.js";
import { allCommands } from "./index.js";
import { setsCommands } from "./sets.js";
import { sortedSetsCommands } from "./sorted-sets.js";

/*
 * Expected bytes below are redis-server 7.0.15's replies to the same commands (see
 * sorted-sets.differential.test.ts for the live comparison). Propagated forms and
 * notifications follow t_zset.c. Random replies (ZRANDMEMBER) and skiplist ZSCAN order are
 * checked by their properties.
 */

const dbl = (s: string): string => `,${s}\r\n`;

const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");
const SYNTAX = err("ERR syntax error");
const NOT_INTEGER = err("ERR value is not an integer or out of range");
const NOT_FLOAT = err("ERR value is not a valid float");
const RANGE_NOT_FLOAT = err("ERR min or max is not a float");
const RANGE_NOT_LEX = err("ERR min or max not valid string range item");

const ownNames = new Set([...sortedSetsCommands, ...setsCommands].map((command) => command.name));

/** The engine with every command, sorted sets (and sets, their inputs) included whether or not commands/index.ts lists them yet. */
function newHarness(): TestHarness {
  return new TestHarness({ commands: [...allCommands.filter((command) => !ownNames.has(command.name)), ...setsCommands, ...sortedSetsCommands] });
}

let h: TestHarness;

/** The strings of an array reply (members, or flat member/score pairs). */
function texts(reply: Reply): string[] {
  if (reply.type !== "array") throw new Error(`expected an array, got ${reply.type}`);
  return reply.value.map((item) => (item.type === "bulk" ? item.value.toString("latin1") : JSON.stringify(item)));
}

function zsetAt(key: string, harness = h): ZsetValue {
  const value = harness.engine.keyspace.db(0).peek(key);
  if (!(value instanceof ZsetValue)) throw new Error(`${key} is not a sorted set`);
  return value;
}

beforeEach(() => {
  h = newHarness();
});

describe("ZADD and ZINCRBY", () => {
  it("adds, updates, and counts per the options", () => {
    expect(h.raw("ZADD", "z", "1", "a", "2", "b", "3", "c")).toBe(int(3));
    expect(h.raw("ZADD", "z", "NX", "5", "a", "6", "d")).toBe(int(1));
    expect(h.raw("ZADD", "z", "XX", "7", "a", "8", "e")).toBe(int(0));
    expect(h.raw("ZADD", "z", "XX", "CH", "9", "a", "9", "b")).toBe(int(2));
    expect(h.raw("ZADD", "z", "GT", "CH", "1", "a", "100", "b")).toBe(int(1));
    expect(h.raw("ZADD", "z", "LT", "CH", "0", "a", "200", "b", "1", "new")).toBe(int(2));
    expect(h.raw("ZRANGE", "z", "0", "-1", "WITHSCORES")).toBe(bulks("a", "0", "new", "1", "c", "3", "d", "6", "b", "100"));
  });

  it("INCR replies the new score, or null when nothing was done", () => {
    expect(h.raw("ZADD", "z", "INCR", "1.5", "a")).toBe(bulk("1.5"));
    expect(h.raw("ZADD", "z", "INCR", "0.1", "a")).toBe(bulk("1.6000000000000001"));
    expect(h.raw("ZADD", "z", "INCR", "NX", "1", "a")).toBe(NIL);
    expect(h.raw("ZADD", "z", "INCR", "GT", "-1", "a")).toBe(NIL);
    expect(h.raw("ZADD", "nokey", "INCR", "XX", "1", "a")).toBe(NIL);
    expect(h.raw("ZINCRBY", "z", "-1.6000000000000001", "a")).toBe(bulk("0"));
    expect(h.raw("ZINCRBY", "z", "inf", "b")).toBe(bulk("inf"));
    h.raw("HELLO", "3");
    expect(h.raw("ZINCRBY", "z", "2", "a")).toBe(dbl("2"));
    expect(h.raw("ZADD", "z", "INCR", "XX", "1", "nosuch")).toBe(NULL3);
  });

  it("reports Redis's option errors, checked in Redis's order", () => {
    expect(h.raw("ZADD", "z", "NX", "XX", "1", "a")).toBe(err("ERR XX and NX options at the same time are not compatible"));
    expect(h.raw("ZADD", "z", "GT", "LT", "1", "a")).toBe(err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    expect(h.raw("ZADD", "z", "NX", "GT", "1", "a")).toBe(err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    expect(h.raw("ZADD", "z", "INCR", "1", "a", "2", "b")).toBe(err("ERR INCR option supports a single increment-element pair"));
    expect(h.raw("ZADD", "z", "NX", "XX", "1")).toBe(SYNTAX);
    expect(h.raw("ZADD", "z", "1", "a", "2")).toBe(SYNTAX);
    expect(h.raw("ZADD", "z", "NX", "XX")).toBe(SYNTAX);
    expect(h.raw("ZADD", "z", "1", "a", "x", "b")).toBe(NOT_FLOAT);
    expect(h.raw("ZINCRBY", "z", "nx", "a")).toBe(SYNTAX);
    expect(h.raw("ZADD", "z")).toBe(err("ERR wrong number of arguments for 'zadd' command"));
    h.raw("SET", "s", "x");
    expect(h.raw("ZADD", "s", "1", "a")).toBe(WRONGTYPE);
    // Scores are parsed before the key is looked at.
    expect(h.raw("ZADD", "s", "x", "a")).toBe(NOT_FLOAT);
    h.raw("ZADD", "z", "inf", "top");
    expect(h.raw("ZADD", "z", "INCR", "-inf", "top")).toBe(err("ERR resulting score is not a number (NaN)"));
    expect(h.raw("ZINCRBY", "z", "-inf", "top")).toBe(err("ERR resulting score is not a number (NaN)"));
    expect(h.raw("ZSCORE", "z", "top")).toBe(bulk("inf"));
  });

  it("parses scores as Redis's string2d: strtod, whole argument, no NaN, no overflow", () => {
    for (const bad of ["nan", "-nan", "1e400", "-1e400", "1e-400", " 1", "1 ", "", "1\x00", "0x", "1e", ".e5", "infinit", "1,5"]) {
      expect(h.raw("ZADD", "z", bad, "m"), JSON.stringify(bad)).toBe(NOT_FLOAT);
    }
    const good: [string, string][] = [
      ["inf", "inf"], ["+inf", "inf"], ["-Infinity", "-inf"], ["0x10", "16"], ["0x1p-2", "0.25"], ["0X.8", "0.5"], [".5", "0.5"],
      ["5.", "5"], ["+1.5", "1.5"], ["1E3", "1000"], ["4.9e-324", "4.9406564584124654e-324"], ["1e-320", "9.9998886718268301e-321"],
      ["0.1", "0.10000000000000001"], ["1e17", "1e+17"], ["123456789.123456789", "123456789.12345679"], ["007", "7"],
    ];
    for (const [text, printed] of good) {
      expect(h.raw("ZADD", "z", text, "m"), text).toMatch(/^:[01]\r\n$/);
      expect(h.raw("ZSCORE", "z", "m"), text).toBe(bulk(printed));
    }
  });

  it("matches options as C strings, case-insensitively", () => {
    h.raw("ZADD", "z", "1", "a");
    expect(h.raw("ZADD", "z", "nx\x00junk", "5", "a")).toBe(int(0));
    expect(h.raw("ZADD", "z", "cH", "5", "a")).toBe(int(1));
  });

  it("creates no key when XX finds nothing", () => {
    expect(h.raw("ZADD", "nokey", "XX", "1", "a")).toBe(int(0));
    expect(h.raw("EXISTS", "nokey")).toBe(int(0));
  });
});

describe("negative zero", () => {
  it("becomes 0 in a listpack but stays -0 in a skiplist, as Redis stores them", () => {
    expect(h.raw("ZADD", "lp", "-0", "m")).toBe(int(1));
    expect(h.raw("ZSCORE", "lp", "m")).toBe(bulk("0"));
    // The reply is the computed score, before the listpack stores it.
    expect(h.raw("ZADD", "lp", "INCR", "-0", "n")).toBe(bulk("-0"));
    expect(h.raw("ZSCORE", "lp", "n")).toBe(bulk("0"));
    h.raw("ZADD", "sl", "1", "L".repeat(65), "-0", "m");
    expect(h.raw("OBJECT", "ENCODING", "sl")).toBe(bulk("skiplist"));
    expect(h.raw("ZSCORE", "sl", "m")).toBe(bulk("-0"));
    expect(h.raw("ZSCAN", "sl", "0", "MATCH", "m")).toBe(array(bulk("0"), bulks("m", "-0")));
    // A store result small enough for a listpack normalizes it again.
    h.raw("ZRANGESTORE", "d", "sl", "0", "0");
    expect(h.raw("ZSCORE", "d", "m")).toBe(bulk("0"));
  });
});

describe("replies in RESP2 and RESP3", () => {
  beforeEach(() => {
    h.raw("ZADD", "z", "1", "a", "2.5", "b");
  });

  it("scores are bulk strings in RESP2 and doubles in RESP3", () => {
    expect(h.raw("ZSCORE", "z", "b")).toBe(bulk("2.5"));
    expect(h.raw("ZMSCORE", "z", "a", "nosuch")).toBe(array(bulk("1"), NIL));
    expect(h.raw("ZMSCORE", "nokey", "a")).toBe(array(NIL));
    expect(h.raw("ZSCORE", "nokey", "a")).toBe(NIL);
    h.raw("HELLO", "3");
    expect(h.raw("ZSCORE", "z", "b")).toBe(dbl("2.5"));
    expect(h.raw("ZMSCORE", "z", "a", "nosuch")).toBe(array(dbl("1"), NULL3));
    expect(h.raw("ZSCORE", "nokey", "a")).toBe(NULL3);
    expect(h.raw("ZRANK", "nokey", "a")).toBe(NULL3);
  });

  it("WITHSCORES is flat in RESP2 and [member, score] pairs in RESP3", () => {
    expect(h.raw("ZRANGE", "z", "0", "-1", "WITHSCORES")).toBe(bulks("a", "1", "b", "2.5"));
    expect(h.raw("ZUNION", "1", "z", "WITHSCORES")).toBe(bulks("a", "1", "b", "2.5"));
    h.raw("HELLO", "3");
    const pairs = array(array(bulk("a"), dbl("1")), array(bulk("b"), dbl("2.5")));
    expect(h.raw("ZRANGE", "z", "0", "-1", "WITHSCORES")).toBe(pairs);
    expect(h.raw("ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES")).toBe(pairs);
    expect(h.raw("ZUNION", "1", "z", "WITHSCORES")).toBe(pairs);
    expect(h.raw("ZRANDMEMBER", "z", "5", "WITHSCORES")).toBe(array(array(bulk("b"), dbl("2.5")), array(bulk("a"), dbl("1"))));
  });

  it("ZPOPMIN nests pairs in RESP3 only when a count is given", () => {
    h.raw("ZADD", "z", "3", "c");
    expect(h.raw("ZPOPMIN", "z")).toBe(bulks("a", "1"));
    expect(h.raw("ZPOPMAX", "z", "1")).toBe(bulks("c", "3"));
    h.raw("HELLO", "3");
    h.raw("ZADD", "z", "1", "a", "3", "c");
    expect(h.raw("ZPOPMIN", "z")).toBe(array(bulk("a"), dbl("1")));
    expect(h.raw("ZPOPMIN", "z", "1")).toBe(array(array(bulk("b"), dbl("2.5"))));
    expect(h.raw("ZPOPMIN", "nokey")).toBe(EMPTY);
  });

  it("ZMPOP names the key and nests its pairs; nothing to pop is a null array", () => {
    expect(h.raw("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "5")).toBe(array(bulk("z"), array(bulks("b", "2.5"), bulks("a", "1"))));
    expect(h.raw("ZMPOP", "1", "z", "MIN")).toBe("*-1\r\n");
    h.raw("HELLO", "3");
    h.raw("ZADD", "z", "1", "a");
    expect(h.raw("ZMPOP", "1", "z", "MIN")).toBe(array(bulk("z"), array(array(bulk("a"), dbl("1")))));
    expect(h.raw("ZMPOP", "1", "z", "MIN")).toBe(NULL3);
  });

  it("empty answers", () => {
    expect(h.raw("ZRANGE", "nokey", "0", "-1")).toBe(EMPTY);
    expect(h.raw("ZRANGE", "z", "5", "10")).toBe(EMPTY);
    expect(h.raw("ZRANDMEMBER", "nokey")).toBe(NIL);
    expect(h.raw("ZRANDMEMBER", "nokey", "3")).toBe(EMPTY);
    expect(h.raw("ZRANDMEMBER", "z", "0")).toBe(EMPTY);
    expect(h.raw("ZSCAN", "nokey", "0")).toBe(array(bulk("0"), EMPTY));
    expect(h.raw("ZPOPMIN", "z", "0")).toBe(EMPTY);
    expect(h.raw("ZCARD", "nokey")).toBe(int(0));
    expect(h.raw("ZCOUNT", "nokey", "0", "1")).toBe(int(0));
    expect(h.raw("ZREM", "nokey", "a")).toBe(int(0));
  });
});

describe("ranges", () => {
  beforeEach(() => {
    h.raw("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f");
  });

  it("by rank, score and lex, forward and reverse, with LIMIT", () => {
    expect(h.raw("ZRANGE", "z", "-2", "-1")).toBe(bulks("e", "f"));
    expect(h.raw("ZRANGE", "z", "0", "1", "REV")).toBe(bulks("f", "e"));
    expect(h.raw("ZREVRANGE", "z", "1", "2", "WITHSCORES")).toBe(bulks("e", "5", "d", "4"));
    expect(h.raw("ZRANGE", "z", "(2", "4", "BYSCORE")).toBe(bulks("c", "d"));
    expect(h.raw("ZRANGE", "z", "4", "(2", "BYSCORE", "REV")).toBe(bulks("d", "c"));
    expect(h.raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2")).toBe(bulks("b", "c"));
    expect(h.raw("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "0", "2")).toBe(bulks("f", "e"));
    // A negative offset walks off the end; a negative count means no limit.
    expect(h.raw("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2")).toBe(EMPTY);
    expect(h.raw("ZRANGEBYSCORE", "z", "4", "+inf", "LIMIT", "1", "-1")).toBe(bulks("e", "f"));
    // Score bounds as strtod reads them: "" is 0, "(" is exclusive 0, a NUL ends the text.
    expect(h.raw("ZCOUNT", "z", "", "2")).toBe(int(2));
    expect(h.raw("ZCOUNT", "z", "(", "(2")).toBe(int(1));
    expect(h.raw("ZCOUNT", "z", " 3", "3\x00x")).toBe(int(1));
    expect(h.raw("ZCOUNT", "z", "1e400", "inf")).toBe(int(0));
    h.raw("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
    expect(h.raw("ZRANGEBYLEX", "l", "(a", "[c")).toBe(bulks("b", "c"));
    expect(h.raw("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2")).toBe(bulks("c", "b"));
    expect(h.raw("ZLEXCOUNT", "l", "-", "+")).toBe(int(4));
    expect(h.raw("ZLEXCOUNT", "l", "-", "-")).toBe(int(0));
    expect(h.raw("ZLEXCOUNT", "l", "+\x00", "+")).toBe(int(0));
  });

  it("reports each range error", () => {
    expect(h.raw("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1")).toBe(err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
    // Redis tests the count, not the option: LIMIT x -1 passes on a rank range.
    expect(h.raw("ZRANGE", "z", "0", "0", "LIMIT", "5", "-1")).toBe(bulks("a"));
    expect(h.raw("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES")).toBe(err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    expect(h.raw("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES")).toBe(err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    expect(h.raw("ZRANGE", "z", "x", "1", "BYSCORE")).toBe(RANGE_NOT_FLOAT);
    expect(h.raw("ZRANGE", "z", "1", "nan", "BYSCORE")).toBe(RANGE_NOT_FLOAT);
    expect(h.raw("ZRANGE", "z", "a", "+", "BYLEX")).toBe(RANGE_NOT_LEX);
    expect(h.raw("ZRANGE", "z", "a", "1")).toBe(NOT_INTEGER);
    expect(h.raw("ZRANGE", "z", "0", "1", "LIMIT", "x", "1")).toBe(NOT_INTEGER);
    expect(h.raw("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX")).toBe(SYNTAX);
    expect(h.raw("ZRANGE", "z", "0", "1", "LIMIT", "0")).toBe(SYNTAX);
    expect(h.raw("ZRANGEBYSCORE", "z", "0", "1", "REV")).toBe(SYNTAX);
    expect(h.raw("ZREVRANGE", "z", "0", "1", "BYSCORE")).toBe(SYNTAX);
    expect(h.raw("ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES")).toBe(SYNTAX);
    expect(h.raw("ZCOUNT", "z", "(x", "1")).toBe(RANGE_NOT_FLOAT);
    expect(h.raw("ZLEXCOUNT", "z", "", "+")).toBe(RANGE_NOT_LEX);
    expect(h.raw("ZREMRANGEBYRANK", "z", "0", "x")).toBe(NOT_INTEGER);
    expect(h.raw("ZREMRANGEBYSCORE", "z", "0", "x")).toBe(RANGE_NOT_FLOAT);
    expect(h.raw("ZREMRANGEBYLEX", "z", "0", "+")).toBe(RANGE_NOT_LEX);
    // Arguments are validated before the key's type.
    h.raw("SET", "s", "x");
    expect(h.raw("ZRANGE", "s", "x", "1")).toBe(NOT_INTEGER);
    expect(h.raw("ZRANGE", "s", "0", "1")).toBe(WRONGTYPE);
  });

  it("walks lex ranges over mixed scores as Redis's listpack code does", () => {
    h.raw("ZADD", "mixed", "3", "a", "1", "b", "2", "c", "0", "d");
    // In score order the members are d b c a: the range tests look at the first and last.
    expect(h.raw("ZRANGEBYLEX", "mixed", "[b", "+")).toBe(EMPTY);
    expect(h.raw("ZLEXCOUNT", "mixed", "[a", "[c")).toBe(int(0));
    expect(h.raw("ZRANGEBYLEX", "mixed", "-", "[c")).toBe(EMPTY);
    expect(h.raw("ZRANGEBYLEX", "mixed", "-", "[d")).toBe(bulks("d", "b", "c", "a"));
  });
});

describe("ZPOPMIN, ZPOPMAX, ZMPOP errors", () => {
  it("reports Redis's texts", () => {
    h.raw("ZADD", "z", "1", "a");
    expect(h.raw("ZPOPMIN", "z", "-1")).toBe(err("ERR value is out of range, must be positive"));
    expect(h.raw("ZPOPMIN", "z", "x")).toBe(err("ERR value is out of range, must be positive"));
    expect(h.raw("ZPOPMIN", "z", "1", "2")).toBe(SYNTAX);
    expect(h.raw("ZMPOP", "0", "z", "MIN")).toBe(err("ERR numkeys should be greater than 0"));
    expect(h.raw("ZMPOP", "x", "z", "MIN")).toBe(err("ERR numkeys should be greater than 0"));
    expect(h.raw("ZMPOP", "2", "z", "MIN")).toBe(SYNTAX);
    expect(h.raw("ZMPOP", "1", "z", "MID")).toBe(SYNTAX);
    expect(h.raw("ZMPOP", "1", "z", "MIN", "COUNT", "0")).toBe(err("ERR count should be greater than 0"));
    expect(h.raw("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1")).toBe(SYNTAX);
    h.raw("SET", "s", "x");
    expect(h.raw("ZMPOP", "2", "nokey", "s", "MIN")).toBe(WRONGTYPE);
    // The first non-empty key wins; later keys are not even type-checked.
    expect(h.raw("ZMPOP", "2", "z", "s", "MIN")).toBe(array(bulk("z"), array(bulks("a", "1"))));
  });
});

describe("ZUNION, ZINTER, ZDIFF, ZINTERCARD", () => {
  beforeEach(() => {
    h.raw("ZADD", "a", "1", "x", "2", "y", "3", "z");
    h.raw("ZADD", "b", "10", "y", "20", "z", "30", "w");
    h.raw("SADD", "set", "x", "w");
  });

  it("combines with weights and aggregates; sets count as score 1", () => {
    expect(h.raw("ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES")).toBe(bulks("x", "2", "y", "9", "w", "15", "z", "16"));
    expect(h.raw("ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES")).toBe(bulks("y", "10", "z", "20"));
    expect(h.raw("ZINTER", "2", "a", "set", "WITHSCORES")).toBe(bulks("x", "2"));
    expect(h.raw("ZDIFF", "2", "b", "a", "WITHSCORES")).toBe(bulks("w", "30"));
    expect(h.raw("ZDIFF", "2", "a", "a")).toBe(EMPTY);
    expect(h.raw("ZINTERCARD", "2", "a", "b")).toBe(int(2));
    expect(h.raw("ZINTERCARD", "2", "a", "b", "LIMIT", "1")).toBe(int(1));
    // inf + -inf is NaN, which a SUM turns into 0; so is 0 * inf.
    h.raw("ZADD", "p", "inf", "m");
    h.raw("ZADD", "q", "-inf", "m");
    expect(h.raw("ZUNION", "2", "p", "q", "WITHSCORES")).toBe(bulks("m", "0"));
    expect(h.raw("ZUNION", "1", "p", "WEIGHTS", "0", "WITHSCORES")).toBe(bulks("m", "0"));
  });

  it("reports each error, type errors before option errors", () => {
    expect(h.raw("ZUNION", "0", "a")).toBe(err("ERR at least 1 input key is needed for 'zunion' command"));
    expect(h.raw("ZINTERSTORE", "d", "0", "a")).toBe(err("ERR at least 1 input key is needed for 'zinterstore' command"));
    expect(h.raw("ZUNION", "x", "a")).toBe(NOT_INTEGER);
    expect(h.raw("ZUNION", "3", "a", "b")).toBe(SYNTAX);
    expect(h.raw("ZUNION", "2", "a", "b", "WEIGHTS", "1", "x")).toBe(err("ERR weight value is not a float"));
    expect(h.raw("ZUNION", "2", "a", "b", "WEIGHTS", "1")).toBe(SYNTAX);
    expect(h.raw("ZUNION", "2", "a", "b", "AGGREGATE", "AVG")).toBe(SYNTAX);
    expect(h.raw("ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1")).toBe(SYNTAX);
    expect(h.raw("ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES")).toBe(SYNTAX);
    expect(h.raw("ZINTERCARD", "2", "a", "b", "LIMIT", "-1")).toBe(err("ERR LIMIT can't be negative"));
    expect(h.raw("ZINTERCARD", "2", "a", "b", "WITHSCORES")).toBe(SYNTAX);
    h.raw("SET", "s", "x");
    expect(h.raw("ZUNION", "2", "a", "s", "BADOPTION")).toBe(WRONGTYPE);
  });

  it("STORE replaces the destination (and its TTL), or deletes it for an empty result", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(1_700_000_000_000);
      h.raw("SET", "d", "old", "EX", "100");
      expect(h.raw("ZUNIONSTORE", "d", "2", "a", "b")).toBe(int(4));
      expect(h.raw("TTL", "d")).toBe(int(-1));
      expect(h.raw("ZINTERSTORE", "d", "2", "a", "nokey")).toBe(int(0));
      expect(h.raw("EXISTS", "d")).toBe(int(0));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("ZRANDMEMBER", () => {
  it("returns the whole set from the top when the count covers it", () => {
    h.raw("ZADD", "z", "1", "a", "2", "b", "3", "c");
    expect(h.raw("ZRANDMEMBER", "z", "3")).toBe(bulks("c", "b", "a"));
    expect(h.raw("ZRANDMEMBER", "z", "100", "WITHSCORES")).toBe(bulks("c", "3", "b", "2", "a", "1"));
  });

  it("picks distinct members for a positive count and allows repeats for a negative one", () => {
    const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
    h.raw("ZADD", "small", ...members.slice(0, 100).flatMap((m, i) => [String(i), m]));
    h.raw("ZADD", "big", ...members.flatMap((m, i) => [String(i), m]));
    for (const key of ["small", "big"]) {
      for (const count of [5, 40, 90]) {
        const picked = texts(h.run("ZRANDMEMBER", key, String(count)));
        expect(picked).toHaveLength(count);
        expect(new Set(picked).size).toBe(count);
        for (const member of picked) expect(members).toContain(member);
      }
    }
    // A small sample of a listpack comes in list order, as lpRandomPairsUnique returns it.
    const sample = texts(h.run("ZRANDMEMBER", "small", "10")).map((member) => Number(member.slice(1)));
    expect(sample).toEqual([...sample].sort((x, y) => x - y));
    expect(texts(h.run("ZRANDMEMBER", "small", "-300"))).toHaveLength(300);
    expect(h.raw("ZRANDMEMBER", "small", "-4294967297")).toBe(err("ERR value is out of range"));
  });

  it("reports Redis's errors", () => {
    h.raw("ZADD", "z", "1", "a");
    expect(h.raw("ZRANDMEMBER", "z", "x")).toBe(NOT_INTEGER);
    expect(h.raw("ZRANDMEMBER", "z", "1", "x")).toBe(SYNTAX);
    expect(h.raw("ZRANDMEMBER", "z", "1", "WITHSCORES", "x")).toBe(SYNTAX);
    expect(h.raw("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES")).toBe(err("ERR value is out of range"));
    expect(h.raw("ZRANDMEMBER", "z", "-9223372036854775808")).toBe(
      err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
    );
  });
});

describe("ZSCAN", () => {
  it("returns a listpack whole, in order, whatever the cursor, with listpack-style scores", () => {
    h.raw("ZADD", "z", "2", "b", "1e17", "big", "0.5", "a");
    const all = array(bulk("0"), bulks("a", "0.5", "b", "2", "big", "100000000000000000"));
    expect(h.raw("ZSCAN", "z", "0")).toBe(all);
    expect(h.raw("ZSCAN", "z", "12345", "COUNT", "1")).toBe(all);
    expect(h.raw("ZSCAN", "z", "0", "MATCH", "b*")).toBe(array(bulk("0"), bulks("b", "2", "big", "100000000000000000")));
    expect(h.raw("ZSCAN", "z", "x")).toBe(err("ERR invalid cursor"));
    expect(h.raw("ZSCAN", "z", "0", "COUNT", "0")).toBe(SYNTAX);
    expect(h.raw("ZSCAN", "z", "0", "TYPE", "zset")).toBe(SYNTAX);
    // Options are parsed after the lookup: a missing key answers before a bad COUNT.
    expect(h.raw("ZSCAN", "nokey", "0", "COUNT", "x")).toBe(array(bulk("0"), EMPTY));
  });

  it("walks a skiplist in steps that together cover every member once, scores printed with %.17g", () => {
    const members = Array.from({ length: 300 }, (_, i) => `m${i}`);
    h.raw("ZADD", "z", ...members.flatMap((m, i) => [i === 7 ? "1e17" : String(i), m]));
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("skiplist"));
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const page = h.run("ZSCAN", "z", cursor, "COUNT", "50");
      if (page.type !== "array" || page.value[0]?.type !== "bulk") throw new Error("ZSCAN page is not [cursor, items]");
      cursor = page.value[0].value.toString("latin1");
      const flat = texts(page.value[1]!);
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      calls++;
    } while (cursor !== "0");
    expect(calls).toBeGreaterThan(1);
    expect(seen.size).toBe(300);
    expect(seen.get("m7")).toBe("1e+17");
    expect(seen.get("m8")).toBe("8");
  });
});

describe("encodings", () => {
  it("converts to skiplist past 128 entries or 64-byte members, and never back", () => {
    h.raw("ZADD", "z", ...Array.from({ length: 128 }, (_, i) => [String(i), `m${i}`]).flat());
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("listpack"));
    h.raw("ZADD", "z", "1000", "one-more");
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("skiplist"));
    h.raw("ZREMRANGEBYRANK", "z", "0", "-3");
    expect(h.raw("ZCARD", "z")).toBe(int(2));
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("skiplist"));
    // COPY keeps the encoding (zsetDup); a STORE result starts afresh.
    h.raw("COPY", "z", "copy");
    expect(h.raw("OBJECT", "ENCODING", "copy")).toBe(bulk("skiplist"));
    h.raw("ZUNIONSTORE", "stored", "1", "z");
    expect(h.raw("OBJECT", "ENCODING", "stored")).toBe(bulk("listpack"));
    h.raw("ZADD", "long", "1", "x".repeat(64));
    expect(h.raw("OBJECT", "ENCODING", "long")).toBe(bulk("listpack"));
    h.raw("ZADD", "long", "1", "x".repeat(65));
    expect(h.raw("OBJECT", "ENCODING", "long")).toBe(bulk("skiplist"));
  });

  it("follows the configured thresholds", () => {
    h.raw("CONFIG", "SET", "zset-max-listpack-entries", "0");
    h.raw("ZADD", "z", "1", "a");
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("skiplist"));
    h.raw("CONFIG", "SET", "zset-max-listpack-entries", "2");
    h.raw("CONFIG", "SET", "zset-max-listpack-value", "1");
    h.raw("ZADD", "y", "1", "a", "2", "b");
    expect(h.raw("OBJECT", "ENCODING", "y")).toBe(bulk("listpack"));
    h.raw("ZADD", "y", "3", "c");
    expect(h.raw("OBJECT", "ENCODING", "y")).toBe(bulk("skiplist"));
    h.raw("ZADD", "w", "1", "ab");
    expect(h.raw("OBJECT", "ENCODING", "w")).toBe(bulk("skiplist"));
    h.raw("ZRANGESTORE", "v", "y", "0", "1");
    expect(h.raw("OBJECT", "ENCODING", "v")).toBe(bulk("listpack"));
  });

  it("works with the generic key commands", () => {
    h.raw("ZADD", "z", "1", "a");
    expect(h.raw("TYPE", "z")).toBe("+zset\r\n");
    expect(h.raw("RENAME", "z", "y")).toBe("+OK\r\n");
    expect(h.raw("ZSCORE", "y", "a")).toBe(bulk("1"));
    expect(h.raw("COPY", "y", "c")).toBe(int(1));
    h.raw("ZADD", "c", "2", "b");
    expect(h.raw("ZCARD", "y")).toBe(int(1));
    expect(h.raw("SCAN", "0", "TYPE", "zset")).toMatch(/^\*2\r\n\$1\r\n0\r\n\*2\r\n/);
    expect(h.raw("DEL", "y", "c")).toBe(int(2));
  });
});

describe("propagation", () => {
  beforeEach(() => {
    h.raw("ZADD", "z", "1", "a", "2", "b", "3", "c");
    h.propagated.length = 0;
  });

  it("logs writes as sent when they changed something, and nothing otherwise", () => {
    h.raw("ZADD", "z", "NX", "5", "a");
    h.raw("ZADD", "nokey", "XX", "1", "a");
    h.raw("ZREM", "z", "nosuch");
    h.raw("ZREMRANGEBYSCORE", "z", "10", "20");
    h.raw("ZPOPMIN", "nokey");
    h.raw("ZPOPMIN", "z", "0");
    h.raw("ZMPOP", "1", "nokey", "MIN");
    h.raw("ZUNIONSTORE", "nokey2", "1", "nokey");
    expect(h.propagated).toEqual([]);
    h.raw("ZADD", "z", "INCR", "1", "a");
    h.raw("ZINCRBY", "z", "1", "b");
    h.raw("ZREM", "z", "nosuch", "c");
    h.raw("ZPOPMAX", "z", "10");
    expect(h.propagated).toEqual([
      [0, ["ZADD", "z", "INCR", "1", "a"]],
      [0, ["ZINCRBY", "z", "1", "b"]],
      [0, ["ZREM", "z", "nosuch", "c"]],
      [0, ["ZPOPMAX", "z", "10"]],
    ]);
  });

  it("logs ZMPOP as the ZPOPMIN/ZPOPMAX it amounted to", () => {
    h.raw("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "10");
    h.raw("ZADD", "y", "1", "a", "2", "b");
    h.raw("ZMPOP", "1", "y", "MIN");
    expect(h.propagated).toEqual([
      [0, ["ZPOPMAX", "z", "3"]],
      [0, ["ZADD", "y", "1", "a", "2", "b"]],
      [0, ["ZPOPMIN", "y", "1"]],
    ]);
  });

  it("logs a STORE that deleted its destination, as sent", () => {
    h.raw("ZRANGESTORE", "z", "nokey", "0", "-1");
    h.raw("ZRANGESTORE", "d", "nokey", "0", "-1");
    expect(h.propagated).toEqual([[0, ["ZRANGESTORE", "z", "nokey", "0", "-1"]]]);
  });
});

describe("notifications and modified keys", () => {
  let events: string[];
  let modified: string[];

  beforeEach(() => {
    events = recordKeyEvents(h.engine, { withDb: false });
    modified = [];
    h.engine.keyModifiedListener = (_db, key) => modified.push(key);
    // "A" does not include "n": the "new" events need it spelled out. (Set directly: CONFIG
    // SET normalizes "KEAn" to "AKE" before applying it, which loses the "n".)
    h.engine.notifyMask = parseNotifyFlags("KEAn")!;
  });

  afterEach(() => {
    h.engine.keyspaceEventSink = undefined;
  });

  it("fires Redis's events in Redis's order", () => {
    h.raw("ZADD", "z", "1", "a");
    h.raw("ZADD", "z", "2", "b");
    h.raw("ZADD", "z", "2", "b");
    h.raw("ZINCRBY", "z", "1", "c");
    h.raw("ZPOPMIN", "z", "2");
    h.raw("ZPOPMAX", "z", "5");
    h.raw("ZADD", "z", "1", "a");
    h.raw("ZUNIONSTORE", "d", "1", "z");
    h.raw("ZUNIONSTORE", "d", "1", "z");
    h.raw("ZUNIONSTORE", "d", "1", "nokey");
    h.raw("ZADD", "z", "1", "a", "2", "b");
    h.raw("ZRANGESTORE", "e", "z", "0", "0");
    h.raw("ZREM", "z", "a");
    h.raw("ZREMRANGEBYSCORE", "z", "-inf", "+inf");
    expect(events).toEqual([
      "new z", "zadd z", "zadd z", "zincr z", "zpopmin z", "zpopmax z", "del z",
      "new z", "zadd z", "new d", "zunionstore d", "zunionstore d", "del d", "zadd z",
      "new e", "zrangestore e", "zrem z", "zremrangebyscore z", "del z",
    ]);
  });

  it("signals modified keys only when something changed", () => {
    h.raw("ZADD", "z", "1", "a");
    h.raw("ZADD", "z", "1", "a");
    h.raw("ZADD", "z", "NX", "2", "a");
    h.raw("ZREM", "z", "nosuch");
    h.raw("ZRANGE", "z", "0", "-1");
    h.raw("ZADD", "z", "XX", "3", "a");
    h.raw("ZUNIONSTORE", "d", "1", "nokey");
    h.raw("ZUNIONSTORE", "d", "1", "z");
    expect(modified).toEqual(["z", "z", "d"]);
  });
});

describe("the AOF rewrite form", () => {
  it("recreates the set with exact scores, 64 pairs per ZADD", () => {
    // No -0 in the big one: replayed, the first 128 pairs go into a listpack, which turns -0
    // into 0 — in Redis too, whose rewrite is the same ZADD batches.
    const scores = ["0.1", "0", "inf", "-inf", "1e17", "4.9e-324", "123456789.123456789", "-2.5"];
    const pairs = Array.from({ length: 150 }, (_, i) => [scores[i % scores.length]!, `m${i}`]).flat();
    h.raw("ZADD", "big", ...pairs);
    h.raw("ZADD", "small", "0.1", "a", "-0", "b", "inf", "c");
    for (const key of ["big", "small"]) {
      const commands = [...zsetAt(key).rewriteCommands(key)];
      expect(commands.every((argv) => argv[0] === "ZADD" && argv[1] === key && argv.length <= 2 + 128)).toBe(true);
      const fresh = newHarness();
      for (const argv of commands) fresh.raw(...argv);
      expect(fresh.raw("ZRANGE", key, "0", "-1", "WITHSCORES")).toBe(h.raw("ZRANGE", key, "0", "-1", "WITHSCORES"));
      expect(fresh.raw("OBJECT", "ENCODING", key)).toBe(h.raw("OBJECT", "ENCODING", key));
    }
    expect([...zsetAt("big").rewriteCommands("big")].map((argv) => argv.length)).toEqual([130, 130, 46]);
  });

  it("keeps -0 in a set that is still a skiplist after the replay, as Redis's RDB reload does", () => {
    h.raw("ZADD", "long", "1", "L".repeat(65), "-0", "a");
    expect(h.raw("ZSCORE", "long", "a")).toBe(bulk("-0"));
    h.raw("ZADD", "many", "-0", "a", ...Array.from({ length: 200 }, (_, i) => [String(i + 1), `m${i}`]).flat());
    h.raw("ZADD", "many", "-0", "b");
    for (const key of ["long", "many"]) {
      const fresh = newHarness();
      for (const argv of zsetAt(key).rewriteCommands(key)) fresh.raw(...argv);
      expect(fresh.raw("ZRANGE", key, "0", "-1", "WITHSCORES"), key).toBe(h.raw("ZRANGE", key, "0", "-1", "WITHSCORES"));
    }
    expect(h.raw("ZSCORE", "many", "a")).toBe(bulk("0"));
    expect(h.raw("ZSCORE", "many", "b")).toBe(bulk("-0"));
  });

  it("duplicates deeply", () => {
    h.raw("ZADD", "z", "1", "a", "2", "b");
    const copy = zsetAt("z").duplicate();
    h.raw("ZADD", "z", "3", "c");
    expect(copy.size).toBe(2);
    expect(copy.listpack).toBe(true);
  });
});

describe("keyspace statistics", () => {
  it("counts hits and misses for reads only", () => {
    const stats = h.engine.stats;
    h.raw("ZADD", "z", "1", "a");
    const misses = stats.keyspaceMisses;
    const hits = stats.keyspaceHits;
    h.raw("ZADD", "nokey", "XX", "1", "a");
    h.raw("ZPOPMIN", "nokey");
    expect(stats.keyspaceMisses).toBe(misses);
    h.raw("ZSCORE", "nokey", "a");
    h.raw("ZSCORE", "z", "a");
    expect(stats.keyspaceMisses).toBe(misses + 1);
    expect(stats.keyspaceHits).toBe(hits + 1);
  });
});

describe("AOF rewrite form of a skiplist holding -0", () => {
  it("replays -0 as -0, although the replayed set starts as a listpack (which stores 0)", () => {
    const h = new TestHarness();
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(String(i / 7), `member-${i}`);
    h.raw("ZADD", "z", ...args, "-0", "negative-zero");
    const value = h.engine.keyspace.db(0).peek("z") as ZsetValue;
    const fresh = new TestHarness();
    for (const command of value.rewriteCommands("z")) fresh.raw(...command);
    expect(fresh.raw("ZSCORE", "z", "negative-zero")).toBe("$2\r\n-0\r\n");
    expect(fresh.raw("ZCARD", "z")).toBe(":301\r\n");
    expect(fresh.raw("OBJECT", "ENCODING", "z")).toBe("$8\r\nskiplist\r\n");
  });
});
