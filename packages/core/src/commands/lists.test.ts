import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { array as arr, bulk, bulks, EMPTY, err, int, NIL, NIL_ARRAY, NULL3 as RESP3_NULL, OK } from "../test-support/resp-bytes.js";
import { ListValue } from "../types/list-value.js";

/*
 * The lists family through the engine: replies as exact RESP bytes (RESP2 and RESP3, as
 * redis-server 7.0.15 sends them; lists.differential.test.ts checks the same against a live
 * server), state, propagation, keyspace notifications and modified-key signals.
 */

const T0 = 1_700_000_000_000;
const LONG_MAX = "9223372036854775807";
const LONG_MIN = "-9223372036854775808";

let h: TestHarness;
/** Keyspace events as "event key", in order. */
let events: string[];
/** Modified-key signals as "db:key", in order. */
let modified: string[];
let given: (...argvs: string[][]) => void;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  ({ h, events, modified, given } = observeHarness(new TestHarness(), { withDb: false }));
});

afterEach(() => {
  vi.useRealTimers();
});

const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");
const SYNTAX = err("ERR syntax error");
const NOT_INTEGER = err("ERR value is not an integer or out of range");

function resp3(): void {
  h.client.reply.protocol = 3;
}

function elements(key: string): string[] {
  const value = h.engine.keyspace.db(0).peek(key);
  if (value === undefined) return [];
  if (!(value instanceof ListValue)) throw new Error(`${key} is not a list`);
  return value.toArray();
}

// ---------------------------------------------------------------------------------------

describe("LPUSH / RPUSH / LPUSHX / RPUSHX", () => {
  it("push in argument order, reply with the new length, and are propagated as sent", () => {
    expect(h.raw("RPUSH", "l", "a", "b")).toBe(int(2));
    expect(h.raw("LPUSH", "l", "c", "d")).toBe(int(4));
    expect(h.raw("lpushx", "l", "e")).toBe(int(5));
    expect(h.raw("RPUSHX", "l", "f", "g")).toBe(int(7));
    expect(elements("l")).toEqual(["e", "d", "c", "a", "b", "f", "g"]);
    expect(h.propagated).toEqual([
      [0, ["RPUSH", "l", "a", "b"]],
      [0, ["LPUSH", "l", "c", "d"]],
      [0, ["lpushx", "l", "e"]],
      [0, ["RPUSHX", "l", "f", "g"]],
    ]);
    expect(events).toEqual(["new l", "rpush l", "lpush l", "lpush l", "rpush l"]);
    expect(modified).toEqual(["0:l", "0:l", "0:l", "0:l"]);
  });

  it("the X variants do nothing to a missing key", () => {
    expect(h.raw("LPUSHX", "l", "a")).toBe(int(0));
    expect(h.raw("RPUSHX", "l", "a", "b")).toBe(int(0));
    expect(h.raw("EXISTS", "l")).toBe(int(0));
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("keep binary elements intact", () => {
    h.raw("RPUSH", "l", "\x00\xff\r\n", "", "007");
    expect(h.raw("LRANGE", "l", "0", "-1")).toBe(bulks("\x00\xff\r\n", "", "007"));
  });

  it("refuse another type", () => {
    given(["SET", "s", "v"]);
    for (const command of ["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]) expect(h.raw(command, "s", "a")).toBe(WRONGTYPE);
    expect(h.propagated).toEqual([]);
  });

  it("a list whose TTL passed is gone: pushing creates a new one without TTL", () => {
    given(["RPUSH", "l", "old"], ["PEXPIRE", "l", "100"]);
    vi.setSystemTime(T0 + 200);
    expect(h.raw("RPUSH", "l", "new")).toBe(int(1));
    expect(h.raw("PTTL", "l")).toBe(int(-1));
    expect(h.propagated).toEqual([
      [0, ["MULTI"]],
      [0, ["DEL", "l"]],
      [0, ["RPUSH", "l", "new"]],
      [0, ["EXEC"]],
    ]);
  });
});

describe("LPOP / RPOP", () => {
  beforeEach(() => given(["RPUSH", "l", "a", "b", "c", "1", "2"]));

  it("pop one element as a bulk string", () => {
    expect(h.raw("LPOP", "l")).toBe(bulk("a"));
    expect(h.raw("RPOP", "l")).toBe(bulk("2"));
    expect(elements("l")).toEqual(["b", "c", "1"]);
    expect(h.propagated).toEqual([
      [0, ["LPOP", "l"]],
      [0, ["RPOP", "l"]],
    ]);
    expect(events).toEqual(["lpop l", "rpop l"]);
  });

  it("pop a count as an array, the tail end in popping order", () => {
    expect(h.raw("LPOP", "l", "2")).toBe(bulks("a", "b"));
    expect(h.raw("RPOP", "l", "2")).toBe(bulks("2", "1"));
    expect(h.raw("LPOP", "l", "10")).toBe(bulks("c"));
    expect(h.raw("EXISTS", "l")).toBe(int(0));
    expect(events).toEqual(["lpop l", "rpop l", "lpop l", "del l"]);
    expect(h.propagated).toEqual([
      [0, ["LPOP", "l", "2"]],
      [0, ["RPOP", "l", "2"]],
      [0, ["LPOP", "l", "10"]],
    ]);
  });

  it("a count of 0 replies an empty array and changes nothing", () => {
    expect(h.raw("LPOP", "l", "0")).toBe(EMPTY);
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("a missing key is a null bulk without count and a null array with one (RESP2 and RESP3)", () => {
    expect(h.raw("LPOP", "missing")).toBe(NIL);
    expect(h.raw("RPOP", "missing", "2")).toBe(NIL_ARRAY);
    expect(h.raw("LPOP", "missing", "0")).toBe(NIL_ARRAY);
    resp3();
    expect(h.raw("LPOP", "missing")).toBe(RESP3_NULL);
    expect(h.raw("LPOP", "missing", "2")).toBe(RESP3_NULL);
  });

  it("validate the count before the key and reject extra arguments", () => {
    given(["SET", "s", "v"]);
    const positive = err("ERR value is out of range, must be positive");
    expect(h.raw("LPOP", "missing", "-1")).toBe(positive);
    expect(h.raw("LPOP", "s", "abc")).toBe(positive);
    expect(h.raw("RPOP", "l", "1.5")).toBe(positive);
    expect(h.raw("LPOP", "s", "0")).toBe(WRONGTYPE);
    expect(h.raw("LPOP", "s")).toBe(WRONGTYPE);
    expect(h.raw("LPOP", "l", "1", "2")).toBe(err("ERR wrong number of arguments for 'lpop' command"));
    expect(h.raw("rpop", "l", "1", "2")).toBe(err("ERR wrong number of arguments for 'rpop' command"));
  });

  it("accept the largest count", () => {
    expect(h.raw("LPOP", "l", LONG_MAX)).toBe(bulks("a", "b", "c", "1", "2"));
  });
});

describe("LMPOP", () => {
  beforeEach(() => given(["RPUSH", "a", "1", "2", "3"], ["RPUSH", "b", "x"], ["SET", "s", "v"]));

  it("pops from the first non-empty list and is propagated as LPOP/RPOP with the count popped", () => {
    expect(h.raw("LMPOP", "3", "none", "a", "b", "LEFT")).toBe(arr(bulk("a"), bulks("1")));
    expect(h.raw("LMPOP", "2", "a", "b", "right", "COUNT", "10")).toBe(arr(bulk("a"), bulks("3", "2")));
    expect(h.raw("LMPOP", "2", "a", "b", "LEFT", "count", "5")).toBe(arr(bulk("b"), bulks("x")));
    expect(h.propagated).toEqual([
      [0, ["LPOP", "a", "1"]],
      [0, ["RPOP", "a", "2"]],
      [0, ["LPOP", "b", "1"]],
    ]);
    expect(events).toEqual(["lpop a", "rpop a", "del a", "lpop b", "del b"]);
  });

  it("replies a null array when every list is missing (RESP2 and RESP3)", () => {
    expect(h.raw("LMPOP", "2", "x", "y", "LEFT")).toBe(NIL_ARRAY);
    resp3();
    expect(h.raw("LMPOP", "1", "x", "RIGHT", "COUNT", "2")).toBe(RESP3_NULL);
    expect(h.raw("LMPOP", "1", "a", "LEFT")).toBe(arr(bulk("a"), bulks("1")));
    expect(h.propagated).toEqual([[0, ["LPOP", "a", "1"]]]);
  });

  it("stops at a key of another type, even after missing ones", () => {
    expect(h.raw("LMPOP", "2", "none", "s", "LEFT")).toBe(WRONGTYPE);
    expect(h.raw("LMPOP", "2", "s", "a", "LEFT")).toBe(WRONGTYPE);
    expect(h.raw("LMPOP", "2", "a", "s", "LEFT")).toBe(arr(bulk("a"), bulks("1")));
  });

  it("checks numkeys, the direction and the options", () => {
    const numkeys = err("ERR numkeys should be greater than 0");
    expect(h.raw("LMPOP", "0", "a", "LEFT")).toBe(numkeys);
    expect(h.raw("LMPOP", "-1", "a", "LEFT")).toBe(numkeys);
    expect(h.raw("LMPOP", "abc", "a", "LEFT")).toBe(numkeys);
    expect(h.raw("LMPOP", "9223372036854775808", "a", "LEFT")).toBe(numkeys);
    expect(h.raw("LMPOP", "2", "a", "LEFT")).toBe(SYNTAX);
    expect(h.raw("LMPOP", "5", "a", "LEFT")).toBe(SYNTAX);
    expect(h.raw("LMPOP", LONG_MAX, "a", "LEFT")).toBe(SYNTAX);
    expect(h.raw("LMPOP", "1", "a", "MIDDLE")).toBe(SYNTAX);
    const count = err("ERR count should be greater than 0");
    expect(h.raw("LMPOP", "1", "a", "LEFT", "COUNT", "0")).toBe(count);
    expect(h.raw("LMPOP", "1", "a", "LEFT", "COUNT", "abc")).toBe(count);
    expect(h.raw("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1")).toBe(SYNTAX);
    expect(h.raw("LMPOP", "1", "a", "LEFT", "COUNT")).toBe(SYNTAX);
    expect(h.raw("LMPOP", "1", "a", "LEFT", "FOO")).toBe(SYNTAX);
    expect(h.raw("LMPOP", "1", "s", "LEFT", "FOO")).toBe(SYNTAX);
    expect(h.propagated).toEqual([]);
  });
});

describe("LLEN / LINDEX / LSET", () => {
  beforeEach(() => given(["RPUSH", "l", "1", "2", "3", "4", "5"], ["SET", "s", "v"]));

  it("LLEN counts, 0 for a missing key", () => {
    expect(h.raw("LLEN", "l")).toBe(int(5));
    expect(h.raw("LLEN", "missing")).toBe(int(0));
    expect(h.raw("LLEN", "s")).toBe(WRONGTYPE);
  });

  it("LINDEX takes negative indexes and answers null out of range", () => {
    expect(h.raw("LINDEX", "l", "0")).toBe(bulk("1"));
    expect(h.raw("LINDEX", "l", "4")).toBe(bulk("5"));
    expect(h.raw("LINDEX", "l", "-5")).toBe(bulk("1"));
    expect(h.raw("LINDEX", "l", "5")).toBe(NIL);
    expect(h.raw("LINDEX", "l", "-6")).toBe(NIL);
    expect(h.raw("LINDEX", "l", LONG_MIN)).toBe(NIL);
    expect(h.raw("LINDEX", "l", LONG_MAX)).toBe(NIL);
    resp3();
    expect(h.raw("LINDEX", "l", "5")).toBe(RESP3_NULL);
  });

  it("LINDEX looks the key up before parsing the index", () => {
    expect(h.raw("LINDEX", "missing", "abc")).toBe(NIL);
    expect(h.raw("LINDEX", "s", "abc")).toBe(WRONGTYPE);
    expect(h.raw("LINDEX", "l", "abc")).toBe(NOT_INTEGER);
  });

  it("LSET replaces by index, negative from the end", () => {
    expect(h.raw("LSET", "l", "-5", "first")).toBe(OK);
    expect(h.raw("LSET", "l", "4", "last")).toBe(OK);
    expect(elements("l")).toEqual(["first", "2", "3", "4", "last"]);
    expect(h.propagated).toEqual([
      [0, ["LSET", "l", "-5", "first"]],
      [0, ["LSET", "l", "4", "last"]],
    ]);
    expect(events).toEqual(["lset l", "lset l"]);
  });

  it("LSET errors: no such key, wrong type, bad index, out of range", () => {
    expect(h.raw("LSET", "missing", "abc", "x")).toBe(err("ERR no such key"));
    expect(h.raw("LSET", "s", "abc", "x")).toBe(WRONGTYPE);
    expect(h.raw("LSET", "l", "abc", "x")).toBe(NOT_INTEGER);
    expect(h.raw("LSET", "l", "5", "x")).toBe(err("ERR index out of range"));
    expect(h.raw("LSET", "l", "-6", "x")).toBe(err("ERR index out of range"));
    expect(h.propagated).toEqual([]);
  });
});

describe("LRANGE / LTRIM", () => {
  beforeEach(() => given(["RPUSH", "l", "1", "2", "3", "4", "5"], ["SET", "s", "v"]));

  it("LRANGE clamps and converts negative indexes", () => {
    expect(h.raw("LRANGE", "l", "0", "-1")).toBe(bulks("1", "2", "3", "4", "5"));
    expect(h.raw("LRANGE", "l", "-100", "100")).toBe(bulks("1", "2", "3", "4", "5"));
    expect(h.raw("LRANGE", "l", "1", "2")).toBe(bulks("2", "3"));
    expect(h.raw("LRANGE", "l", "-2", "-1")).toBe(bulks("4", "5"));
    expect(h.raw("LRANGE", "l", "3", "2")).toBe(EMPTY);
    expect(h.raw("LRANGE", "l", "-1", "-2")).toBe(EMPTY);
    expect(h.raw("LRANGE", "l", "5", "10")).toBe(EMPTY);
    expect(h.raw("LRANGE", "l", LONG_MIN, LONG_MAX)).toBe(bulks("1", "2", "3", "4", "5"));
    expect(h.raw("LRANGE", "l", LONG_MAX, LONG_MIN)).toBe(EMPTY);
    expect(h.raw("LRANGE", "missing", "0", "-1")).toBe(EMPTY);
  });

  it("LRANGE parses both indexes before looking the key up", () => {
    expect(h.raw("LRANGE", "missing", "abc", "1")).toBe(NOT_INTEGER);
    expect(h.raw("LRANGE", "s", "0", "1.5")).toBe(NOT_INTEGER);
    expect(h.raw("LRANGE", "s", "0", "1")).toBe(WRONGTYPE);
  });

  it("LTRIM keeps the range and is propagated only when it removed something", () => {
    expect(h.raw("LTRIM", "l", "0", "-1")).toBe(OK);
    expect(h.raw("LTRIM", "l", "1", "-2")).toBe(OK);
    expect(elements("l")).toEqual(["2", "3", "4"]);
    expect(h.propagated).toEqual([[0, ["LTRIM", "l", "1", "-2"]]]);
    // Redis notifies and signals even a trim that removed nothing.
    expect(events).toEqual(["ltrim l", "ltrim l"]);
    expect(modified).toEqual(["0:l", "0:l"]);
  });

  it("LTRIM to an empty range deletes the list", () => {
    expect(h.raw("LTRIM", "l", "2", "1")).toBe(OK);
    expect(h.raw("EXISTS", "l")).toBe(int(0));
    expect(events).toEqual(["ltrim l", "del l"]);
    expect(h.raw("LTRIM", "missing", "0", "1")).toBe(OK);
    expect(h.raw("LTRIM", "missing", "abc", "1")).toBe(NOT_INTEGER);
    expect(h.raw("LTRIM", "s", "0", "1")).toBe(WRONGTYPE);
    expect(h.propagated).toEqual([[0, ["LTRIM", "l", "2", "1"]]]);
  });
});

describe("LINSERT", () => {
  beforeEach(() => given(["RPUSH", "l", "a", "b", "a"], ["SET", "s", "v"]));

  it("inserts around the first pivot from the head", () => {
    expect(h.raw("LINSERT", "l", "BEFORE", "a", "x")).toBe(int(4));
    expect(h.raw("linsert", "l", "after", "a", "y")).toBe(int(5));
    expect(h.raw("LINSERT", "l", "After", "b", "z")).toBe(int(6));
    expect(elements("l")).toEqual(["x", "a", "y", "b", "z", "a"]);
    expect(events).toEqual(["linsert l", "linsert l", "linsert l"]);
    expect(h.propagated.length).toBe(3);
  });

  it("replies -1 without a pivot and 0 without a key, changing nothing", () => {
    expect(h.raw("LINSERT", "l", "BEFORE", "nope", "x")).toBe(int(-1));
    expect(h.raw("LINSERT", "missing", "BEFORE", "a", "x")).toBe(int(0));
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("checks the position word first, as a C string", () => {
    expect(h.raw("LINSERT", "s", "MIDDLE", "a", "x")).toBe(SYNTAX);
    expect(h.raw("LINSERT", "missing", "BEFOREX", "a", "x")).toBe(SYNTAX);
    expect(h.raw("LINSERT", "s", "BEFORE", "a", "x")).toBe(WRONGTYPE);
    expect(h.raw("LINSERT", "l", "before\x00junk", "b", "x")).toBe(int(4));
  });
});

describe("LPOS", () => {
  beforeEach(() => given(["RPUSH", "l", "a", "b", "a", "c", "a", "b"], ["SET", "s", "v"]));

  it("finds the first match, by rank from either end, within MAXLEN", () => {
    expect(h.raw("LPOS", "l", "a")).toBe(int(0));
    expect(h.raw("LPOS", "l", "b")).toBe(int(1));
    expect(h.raw("LPOS", "l", "a", "RANK", "2")).toBe(int(2));
    expect(h.raw("LPOS", "l", "a", "RANK", "-1")).toBe(int(4));
    expect(h.raw("LPOS", "l", "a", "RANK", "-3")).toBe(int(0));
    expect(h.raw("LPOS", "l", "a", "RANK", "4")).toBe(NIL);
    expect(h.raw("LPOS", "l", "a", "RANK", "-1", "MAXLEN", "2")).toBe(int(4));
    expect(h.raw("LPOS", "l", "a", "RANK", "-1", "MAXLEN", "1")).toBe(NIL);
    expect(h.raw("LPOS", "l", "a", "RANK", "1", "RANK", "2")).toBe(int(2));
    expect(h.raw("LPOS", "l", "z")).toBe(NIL);
    resp3();
    expect(h.raw("LPOS", "l", "z")).toBe(RESP3_NULL);
    expect(h.raw("LPOS", "missing", "z")).toBe(RESP3_NULL);
  });

  it("replies an array with COUNT (0 for all)", () => {
    expect(h.raw("LPOS", "l", "a", "COUNT", "0")).toBe(arr(int(0), int(2), int(4)));
    expect(h.raw("LPOS", "l", "a", "COUNT", "2")).toBe(arr(int(0), int(2)));
    expect(h.raw("LPOS", "l", "a", "RANK", "2", "COUNT", "2")).toBe(arr(int(2), int(4)));
    expect(h.raw("LPOS", "l", "a", "RANK", "-1", "COUNT", "0")).toBe(arr(int(4), int(2), int(0)));
    expect(h.raw("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "3")).toBe(arr(int(0), int(2)));
    expect(h.raw("LPOS", "l", "z", "COUNT", "1")).toBe(EMPTY);
    expect(h.raw("LPOS", "missing", "z", "COUNT", "1")).toBe(EMPTY);
    expect(h.raw("LPOS", "missing", "z")).toBe(NIL);
  });

  it("RANK LONG_MIN searches from the tail and ignores COUNT, as C's overflow does", () => {
    expect(h.raw("LPOS", "l", "a", "RANK", LONG_MIN)).toBe(int(4));
    expect(h.raw("LPOS", "l", "a", "RANK", LONG_MIN, "COUNT", "1")).toBe(arr(int(4), int(2), int(0)));
    expect(h.raw("LPOS", "l", "a", "RANK", LONG_MIN, "COUNT", "2", "MAXLEN", "4")).toBe(arr(int(4), int(2)));
    expect(h.raw("LPOS", "l", "a", "RANK", LONG_MIN, "MAXLEN", "1")).toBe(NIL);
    expect(h.raw("LPOS", "l", "a", "RANK", "-9223372036854775807")).toBe(NIL);
    expect(h.raw("LPOS", "l", "a", "RANK", LONG_MAX)).toBe(NIL);
  });

  it("checks every option before the key", () => {
    expect(h.raw("LPOS", "s", "a", "RANK", "0")).toBe(
      err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
    );
    expect(h.raw("LPOS", "s", "a", "RANK", "abc")).toBe(NOT_INTEGER);
    expect(h.raw("LPOS", "s", "a", "COUNT", "-1")).toBe(err("ERR COUNT can't be negative"));
    expect(h.raw("LPOS", "s", "a", "COUNT", "abc")).toBe(err("ERR COUNT can't be negative"));
    expect(h.raw("LPOS", "s", "a", "MAXLEN", "-1")).toBe(err("ERR MAXLEN can't be negative"));
    expect(h.raw("LPOS", "s", "a", "MAXLEN", "x")).toBe(err("ERR MAXLEN can't be negative"));
    expect(h.raw("LPOS", "s", "a", "COUNT")).toBe(SYNTAX);
    expect(h.raw("LPOS", "s", "a", "FOO", "1")).toBe(SYNTAX);
    expect(h.raw("LPOS", "s", "a")).toBe(WRONGTYPE);
  });
});

describe("LREM", () => {
  beforeEach(() => given(["RPUSH", "l", "a", "b", "a", "c", "a", "b"], ["SET", "s", "v"]));

  it("removes from the head, the tail, or everywhere", () => {
    expect(h.raw("LREM", "l", "1", "a")).toBe(int(1));
    expect(elements("l")).toEqual(["b", "a", "c", "a", "b"]);
    expect(h.raw("LREM", "l", "-1", "b")).toBe(int(1));
    expect(elements("l")).toEqual(["b", "a", "c", "a"]);
    expect(h.raw("LREM", "l", "0", "a")).toBe(int(2));
    expect(elements("l")).toEqual(["b", "c"]);
    expect(h.raw("LREM", "l", "0", "nope")).toBe(int(0));
    expect(h.propagated).toEqual([
      [0, ["LREM", "l", "1", "a"]],
      [0, ["LREM", "l", "-1", "b"]],
      [0, ["LREM", "l", "0", "a"]],
    ]);
    expect(events).toEqual(["lrem l", "lrem l", "lrem l"]);
  });

  it("deletes the emptied list; LONG_MIN removes every match", () => {
    expect(h.raw("LREM", "l", LONG_MIN, "a")).toBe(int(3));
    expect(h.raw("LREM", "l", LONG_MAX, "b")).toBe(int(2));
    expect(h.raw("LREM", "l", "-2", "c")).toBe(int(1));
    expect(h.raw("EXISTS", "l")).toBe(int(0));
    expect(events).toEqual(["lrem l", "lrem l", "lrem l", "del l"]);
  });

  it("parses the count first, then checks the key", () => {
    expect(h.raw("LREM", "missing", "abc", "x")).toBe(NOT_INTEGER);
    expect(h.raw("LREM", "missing", "1", "x")).toBe(int(0));
    expect(h.raw("LREM", "s", "1", "x")).toBe(WRONGTYPE);
  });
});

describe("LMOVE / RPOPLPUSH", () => {
  beforeEach(() => given(["RPUSH", "l", "a", "b", "c"], ["SET", "s", "v"]));

  it("moves between ends, creates the destination and deletes an emptied source", () => {
    expect(h.raw("LMOVE", "l", "m", "right", "left")).toBe(bulk("c"));
    expect(h.raw("LMOVE", "l", "m", "Left", "Right")).toBe(bulk("a"));
    expect(h.raw("RPOPLPUSH", "l", "m")).toBe(bulk("b"));
    expect(elements("m")).toEqual(["b", "c", "a"]);
    expect(h.raw("EXISTS", "l")).toBe(int(0));
    expect(h.propagated).toEqual([
      [0, ["LMOVE", "l", "m", "right", "left"]],
      [0, ["LMOVE", "l", "m", "Left", "Right"]],
      [0, ["RPOPLPUSH", "l", "m"]],
    ]);
    expect(events).toEqual(["new m", "lpush m", "rpop l", "rpush m", "lpop l", "lpush m", "rpop l", "del l"]);
    expect(modified).toEqual(["0:m", "0:l", "0:m", "0:l", "0:m", "0:l"]);
  });

  it("rotates a list onto itself, even a single element", () => {
    expect(h.raw("LMOVE", "l", "l", "LEFT", "RIGHT")).toBe(bulk("a"));
    expect(h.raw("RPOPLPUSH", "l", "l")).toBe(bulk("a"));
    expect(elements("l")).toEqual(["a", "b", "c"]);
    given(["RPUSH", "one", "x"]);
    expect(h.raw("LMOVE", "one", "one", "LEFT", "LEFT")).toBe(bulk("x"));
    expect(elements("one")).toEqual(["x"]);
    expect(events).toEqual(["lpush one", "lpop one"]);
  });

  it("checks both directions, then both types, before moving anything", () => {
    expect(h.raw("LMOVE", "s", "m", "LEFT", "UP")).toBe(SYNTAX);
    expect(h.raw("LMOVE", "s", "m", "UP", "LEFT")).toBe(SYNTAX);
    expect(h.raw("LMOVE", "s", "m", "LEFT", "LEFT")).toBe(WRONGTYPE);
    expect(h.raw("LMOVE", "l", "s", "LEFT", "LEFT")).toBe(WRONGTYPE);
    expect(h.raw("RPOPLPUSH", "l", "s")).toBe(WRONGTYPE);
    expect(h.raw("RPOPLPUSH", "missing", "s")).toBe(NIL);
    expect(elements("l")).toEqual(["a", "b", "c"]);
    resp3();
    expect(h.raw("LMOVE", "missing", "m", "LEFT", "LEFT")).toBe(RESP3_NULL);
    expect(h.propagated).toEqual([]);
  });
});

describe("lists as keys", () => {
  it("TYPE, OBJECT ENCODING (always quicklist in Redis 7.0), COPY and RENAME", () => {
    const long = Array.from({ length: 1000 }, (_, i) => `e${i}`);
    given(["RPUSH", "small", "a"], ["RPUSH", "big", ...long]);
    expect(h.raw("TYPE", "small")).toBe("+list\r\n");
    expect(h.raw("OBJECT", "ENCODING", "small")).toBe(bulk("quicklist"));
    expect(h.raw("OBJECT", "ENCODING", "big")).toBe(bulk("quicklist"));
    expect(h.raw("COPY", "big", "copy")).toBe(int(1));
    h.raw("LPOP", "big", "10");
    expect(h.raw("LLEN", "copy")).toBe(int(1000));
    expect(h.raw("LINDEX", "copy", "0")).toBe(bulk("e0"));
    expect(h.raw("RENAME", "small", "renamed")).toBe(OK);
    expect(h.raw("LRANGE", "renamed", "0", "-1")).toBe(bulks("a"));
  });

  it("the AOF rewrite form is RPUSH batches of 64 that recreate the list", () => {
    const items = Array.from({ length: 130 }, (_, i) => `v${i}`);
    given(["RPUSH", "l", ...items]);
    const value = h.engine.keyspace.db(0).peek("l") as ListValue;
    const commands = [...value.rewriteCommands("l")];
    expect(commands.map((argv) => argv.length - 2)).toEqual([64, 64, 2]);
    expect(commands[0]!.slice(0, 3)).toEqual(["RPUSH", "l", "v0"]);
    const replay = new TestHarness();
    for (const argv of commands) replay.raw(...argv);
    expect(replay.raw("LRANGE", "l", "0", "-1")).toBe(h.raw("LRANGE", "l", "0", "-1"));
  });

  it("a list that reached the chunked layout behaves the same through every command", () => {
    const items = Array.from({ length: 3000 }, (_, i) => String(i % 7));
    given(["RPUSH", "l", ...items]);
    expect(h.raw("LINDEX", "l", "1500")).toBe(bulk(String(1500 % 7)));
    expect(h.raw("LINSERT", "l", "BEFORE", "3", "x")).toBe(int(3001));
    expect(h.raw("LREM", "l", "0", "6")).toBe(int(428));
    expect(h.raw("LLEN", "l")).toBe(int(2573));
    expect(h.raw("LTRIM", "l", "100", "-100")).toBe(OK);
    expect(h.raw("LLEN", "l")).toBe(int(2374));
    expect(h.raw("LPOS", "l", "x")).toBe(NIL);
    expect(h.raw("LPOP", "l", "2370")).toMatch(/^\*2370\r\n/);
    expect(h.raw("LLEN", "l")).toBe(int(4));
  });
});
