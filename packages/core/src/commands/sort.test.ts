import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { array, bulk, bulks, err, int, NULL3 } from "../test-support/resp-bytes.js";
import { ListValue } from "../types/list-value.js";
import type { ZsetValue } from "../types/zset-value.js";
import { parseSortWeight } from "./sort.js";

/*
 * SORT and SORT_RO through the engine: replies as exact RESP bytes (the ones redis-server
 * 7.0.15 gives; sort.differential.test.ts checks them against a live server), errors,
 * STORE's effects (list encoding, TTL, deletion of the destination), propagation, keyspace
 * notifications and modified-key signals, and the number reading.
 */

const T0 = 1_700_000_000_000;

let h: TestHarness;
/** Keyspace events as "db event key", in order. */
let events: string[];
/** Modified-key signals as "db:key", in order. */
let modified: string[];
let given: (...argvs: string[][]) => void;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  ({ h, events, modified, given } = observeHarness(new TestHarness()));
});

afterEach(() => {
  vi.useRealTimers();
});

const arr = bulks;
/** RESP3 spells a missing GET key as its one null. */
const arr3 = (...items: (string | null)[]) => array(...items.map((item) => (item === null ? NULL3 : bulk(item))));
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_DOUBLE = "ERR One or more scores can't be converted into double";

function listAt(key: string): string[] {
  const value = h.engine.keyspace.db(0).peek(key);
  if (!(value instanceof ListValue)) throw new Error(`${key} is not a list`);
  return value.toArray();
}

describe("sorting", () => {
  it("sorts a list numerically, ascending or descending, in RESP2 and RESP3", () => {
    given(["RPUSH", "l", "3", "-1", "2.5", "10", ""]);
    expect(h.raw("SORT", "l")).toBe(arr("-1", "", "2.5", "3", "10"));
    expect(h.raw("SORT", "l", "DESC")).toBe(arr("10", "3", "2.5", "", "-1"));
    expect(h.raw("SORT_RO", "l", "desc", "asc")).toBe(arr("-1", "", "2.5", "3", "10"));
    h.client.reply.protocol = 3;
    expect(h.raw("SORT", "l", "LIMIT", "1", "2")).toBe(arr("", "2.5"));
  });

  it("breaks numeric ties by the elements' bytes", () => {
    given(["RPUSH", "l", "1.0", "1", "01", "1e0", "0"]);
    expect(h.raw("SORT", "l")).toBe(arr("0", "01", "1", "1.0", "1e0"));
    expect(h.raw("SORT", "l", "DESC")).toBe(arr("1e0", "1.0", "1", "01", "0"));
  });

  it("clamps LIMIT like Redis", () => {
    given(["RPUSH", "l", "5", "4", "3", "2", "1"]);
    expect(h.raw("SORT", "l", "LIMIT", "-3", "2")).toBe(arr("1", "2"));
    expect(h.raw("SORT", "l", "LIMIT", "3", "-1")).toBe(arr("4", "5"));
    expect(h.raw("SORT", "l", "LIMIT", "4", "100")).toBe(arr("5"));
    expect(h.raw("SORT", "l", "LIMIT", "5", "1")).toBe(arr());
    expect(h.raw("SORT", "l", "LIMIT", "0", "0")).toBe(arr());
    expect(h.raw("SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807")).toBe(arr());
    expect(h.raw("SORT", "l", "LIMIT", "1", "1", "LIMIT", "0", "2")).toBe(arr("1", "2"));
  });

  it("sorts ALPHA by C strings, and by whole binary strings when storing", () => {
    given(["RPUSH", "l", "b", "a\x00z", "a", "a\x00b", "B", ""]);
    // Without STORE a NUL ends the element: "a\0z", "a" and "a\0b" tie and keep list order.
    expect(h.raw("SORT", "l", "ALPHA")).toBe(arr("", "B", "a\x00z", "a", "a\x00b", "b"));
    expect(h.raw("SORT", "l", "ALPHA", "STORE", "d")).toBe(int(6));
    expect(listAt("d")).toEqual(["", "B", "a", "a\x00b", "a\x00z", "b"]);
  });

  it("reports elements that are not numbers only after sorting, and stores nothing", () => {
    given(["RPUSH", "l", "1", "x"]);
    expect(h.raw("SORT", "l")).toBe(err(NOT_DOUBLE));
    expect(h.raw("SORT", "l", "STORE", "d")).toBe(err(NOT_DOUBLE));
    expect(h.raw("EXISTS", "d")).toBe(int(0));
    expect(h.propagated).toEqual([]);
    expect(h.raw("SORT", "l", "ALPHA")).toBe(arr("1", "x"));
    expect(h.raw("SORT", "l", "BY", "nosort")).toBe(arr("1", "x"));
  });

  it("answers an empty array for a missing key", () => {
    expect(h.raw("SORT", "nokey")).toBe(arr());
    expect(h.raw("SORT_RO", "nokey", "BY", "nosort", "GET", "#")).toBe(arr());
  });

  it("sorts sets: members in numeric or ALPHA order", () => {
    given(["SADD", "s", "10", "2", "-7"], ["SADD", "t", "pear", "fig", "apple"]);
    expect(h.raw("SORT", "s")).toBe(arr("-7", "2", "10"));
    expect(h.raw("SORT", "s", "ALPHA")).toBe(arr("-7", "10", "2"));
    expect(h.raw("SORT", "t", "ALPHA", "DESC")).toBe(arr("pear", "fig", "apple"));
    expect(h.raw("SORT", "t")).toBe(err(NOT_DOUBLE));
  });

  it("sorts sorted sets by their members, and converts them to a skiplist", () => {
    given(["ZADD", "z", "1", "30", "2", "10", "3", "20"]);
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("listpack"));
    expect(h.raw("SORT_RO", "z")).toBe(arr("10", "20", "30"));
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("skiplist"));
    given(["ZADD", "w", "1", "x"]);
    expect(h.raw("SORT", "w")).toBe(err(NOT_DOUBLE));
    expect((h.engine.keyspace.db(0).peek("w") as ZsetValue).listpack).toBe(false);
  });
});

describe("BY", () => {
  beforeEach(() => {
    given(
      ["RPUSH", "l", "a", "b", "c", "d"],
      ["MSET", "w_a", "3", "w_b", "1", "w_c", "2"],
      ["HSET", "h_a", "f", "y"],
      ["HSET", "h_b", "f", "x"],
      ["HSET", "h_c", "f", "z"],
    );
  });

  it("sorts by the weights a pattern names; a missing weight counts as 0", () => {
    expect(h.raw("SORT", "l", "BY", "w_*")).toBe(arr("d", "b", "c", "a"));
    expect(h.raw("SORT", "l", "BY", "w_*", "DESC")).toBe(arr("a", "c", "b", "d"));
  });

  it("reads hash fields with ->, and a missing one sorts first with ALPHA", () => {
    expect(h.raw("SORT", "l", "BY", "h_*->f", "ALPHA")).toBe(arr("d", "b", "a", "c"));
    expect(h.raw("SORT", "l", "BY", "h_*->f", "ALPHA", "DESC")).toBe(arr("c", "a", "b", "d"));
    expect(h.raw("SORT", "l", "BY", "h_*->f")).toBe(err(NOT_DOUBLE));
  });

  it("a pattern without '*' means no sorting: list order, reversed by DESC", () => {
    expect(h.raw("SORT", "l", "BY", "nosort")).toBe(arr("a", "b", "c", "d"));
    expect(h.raw("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2")).toBe(arr("c", "b"));
    expect(h.raw("SORT", "l", "BY", "w_\x00*")).toBe(arr("a", "b", "c", "d"));
  });

  it("keeps a sorted set's score order when not sorting", () => {
    given(["ZADD", "z", "3", "a", "1", "b", "2", "c"]);
    expect(h.raw("SORT", "z", "BY", "nosort")).toBe(arr("b", "c", "a"));
    expect(h.raw("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "5")).toBe(arr("c", "b"));
  });

  it("gives an intset's ascending order, and stores a set's members sorted ALPHA", () => {
    given(["SADD", "s", "30", "4", "100"]);
    expect(h.raw("SORT", "s", "BY", "nosort", "DESC")).toBe(arr("4", "30", "100"));
    expect(h.raw("SORT", "s", "BY", "nosort", "STORE", "d")).toBe(int(3));
    expect(listAt("d")).toEqual(["100", "30", "4"]);
  });

  it("counts keyspace hits and misses of the lookups", () => {
    const before = [h.engine.stats.keyspaceHits, h.engine.stats.keyspaceMisses];
    h.raw("SORT", "l", "BY", "w_*", "GET", "o_*");
    expect([h.engine.stats.keyspaceHits - before[0]!, h.engine.stats.keyspaceMisses - before[1]!]).toEqual([4, 5]);
  });

  it("expires a weight key it finds past its TTL, and propagates the DEL", () => {
    given(["SET", "w_d", "-5", "PX", "100"]);
    vi.setSystemTime(T0 + 200);
    expect(h.raw("SORT", "l", "BY", "w_*")).toBe(arr("d", "b", "c", "a"));
    expect(h.propagated).toEqual([[0, ["DEL", "w_d"]]]);
    expect(events).toEqual(["0 expired w_d"]);
  });
});

describe("GET", () => {
  beforeEach(() => {
    given(["RPUSH", "l", "2", "1"], ["SET", "o_1", "one"], ["HSET", "h_2", "name", "two"], ["SADD", "o_2", "x"]);
  });

  it("replies each pattern's value per element, null when missing or not a string", () => {
    expect(h.raw("SORT", "l", "GET", "#", "GET", "o_*", "GET", "h_*->name")).toBe(arr("1", "one", null, "2", null, "two"));
    h.client.reply.protocol = 3;
    expect(h.raw("SORT", "l", "GET", "o_*", "GET", "nostar")).toBe(arr3("one", null, null, null));
  });

  it("stores empty strings for what it does not find", () => {
    expect(h.raw("SORT", "l", "GET", "o_*", "GET", "#", "STORE", "d")).toBe(int(4));
    expect(listAt("d")).toEqual(["one", "1", "", "2"]);
  });
});

describe("STORE", () => {
  it("stores a quicklist, drops the destination's TTL, signals and notifies", () => {
    given(["RPUSH", "l", "3", "1", "2"], ["SET", "d", "v", "EX", "100"]);
    expect(h.raw("SORT", "l", "STORE", "d")).toBe(int(3));
    expect(listAt("d")).toEqual(["1", "2", "3"]);
    expect(h.raw("OBJECT", "ENCODING", "d")).toBe(bulk("quicklist"));
    expect(h.raw("TTL", "d")).toBe(int(-1));
    expect(modified).toEqual(["0:d"]);
    expect(events).toEqual(["0 sortstore d"]);
    expect(h.propagated).toEqual([[0, ["SORT", "l", "STORE", "d"]]]);
  });

  it("raises new for a destination that did not exist", () => {
    given(["RPUSH", "l", "1"]);
    h.raw("SORT", "l", "STORE", "d");
    expect(events).toEqual(["0 new d", "0 sortstore d"]);
  });

  it("deletes the destination for an empty result, and counts that as a change", () => {
    given(["RPUSH", "l", "1"], ["SET", "d", "v"]);
    expect(h.raw("SORT", "l", "LIMIT", "5", "1", "STORE", "d")).toBe(int(0));
    expect(h.raw("EXISTS", "d")).toBe(int(0));
    expect(events).toEqual(["0 del d"]);
    expect(modified).toEqual(["0:d"]);
    expect(h.propagated).toEqual([[0, ["SORT", "l", "LIMIT", "5", "1", "STORE", "d"]]]);
  });

  it("changes nothing, and propagates nothing, for an empty result and no destination", () => {
    expect(h.raw("SORT", "nokey", "STORE", "d")).toBe(int(0));
    expect(events).toEqual([]);
    expect(h.propagated).toEqual([]);
  });

  it("may store into the key being sorted", () => {
    given(["RPUSH", "l", "b", "a"]);
    expect(h.raw("SORT", "l", "ALPHA", "STORE", "l")).toBe(int(2));
    expect(listAt("l")).toEqual(["a", "b"]);
  });

  it("is replayed to the same list from the propagated command", () => {
    given(["RPUSH", "l", "3", "1", "2"], ["MSET", "w_1", "9", "w_2", "8"]);
    h.raw("SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "STORE", "d");
    const replay = new TestHarness();
    for (const argv of ["RPUSH l 3 1 2", "MSET w_1 9 w_2 8"]) replay.raw(...argv.split(" "));
    for (const [, argv] of h.propagated) replay.raw(...argv);
    expect(replay.raw("LRANGE", "d", "0", "-1")).toBe(h.raw("LRANGE", "d", "0", "-1"));
  });
});

describe("errors", () => {
  beforeEach(() => {
    given(["SET", "str", "v"], ["RPUSH", "l", "1"]);
  });

  it("reports syntax errors before WRONGTYPE", () => {
    expect(h.raw("SORT", "str", "BADOPT")).toBe(err("ERR syntax error"));
    expect(h.raw("SORT", "str", "LIMIT", "x", "1")).toBe(err("ERR value is not an integer or out of range"));
    expect(h.raw("SORT", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SORT", "l", "LIMIT", "1")).toBe(err("ERR syntax error"));
    expect(h.raw("SORT", "l", "GET")).toBe(err("ERR syntax error"));
    expect(h.raw("SORT", "l", "LIMIT", "1", "9223372036854775808")).toBe(err("ERR value is not an integer or out of range"));
  });

  it("SORT_RO has no STORE", () => {
    expect(h.raw("SORT_RO", "l", "STORE", "d")).toBe(err("ERR syntax error"));
    expect(h.raw("EXISTS", "d")).toBe(int(0));
  });

  it("reads option names as C strings", () => {
    expect(h.raw("SORT", "l", "desc\x00junk", "GET\x00", "#")).toBe(arr("1"));
  });

  it("checks arity", () => {
    expect(h.raw("SORT")).toBe(err("ERR wrong number of arguments for 'sort' command"));
    expect(h.raw("SORT_RO")).toBe(err("ERR wrong number of arguments for 'sort_ro' command"));
  });
});

describe("parseSortWeight (strtod with SORT's checks)", () => {
  it.each([
    ["1", 1],
    ["", 0],
    [" \t7", 7],
    ["-2.5", -2.5],
    ["1e3", 1000],
    ["0x10", 16],
    ["inf", Infinity],
    ["-Infinity", -Infinity],
    ["5\x00junk", 5],
    ["0x1p-1074", 5e-324],
    ["0x1.1p-1030", 17 * 2 ** -1034],
    ["2.2250738585072014e-308", 2.2250738585072014e-308],
    ["0e-99999", 0],
    ["-0.000", -0],
  ])("reads %j as %s", (input, expected) => {
    expect(parseSortWeight(input)).toBe(expected);
  });

  it.each(["abc", "5 ", "-", ".", "0x", "nan", "1e400", "-1e400", "0x1p99999", "1e-400", "1e-310", "4.9e-324", "0x1.8p-1074", "2.2250738585072011e-308"])(
    "rejects %j",
    (input) => {
      expect(parseSortWeight(input)).toBeUndefined();
    },
  );

  it("agrees with JavaScript on ordinary decimals", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        fc.pre(!Object.is(value, -0) && (value === 0 || Math.abs(value) >= 2.2250738585072014e-308));
        expect(parseSortWeight(String(value))).toBe(value);
      }),
    );
  });
});

describe("partial sort with ties", () => {
  it("sorts the requested range of any input as a full sort would (up to ties)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 120 }), fc.nat(130), fc.nat(130), (weights, a, b) => {
        const fresh = new TestHarness();
        fresh.raw("RPUSH", "l", ...weights.map((_, i) => `e${i}`));
        weights.forEach((weight, i) => fresh.raw("SET", `w_e${i}`, String(weight)));
        const all = fresh.run("SORT", "l", "BY", "w_*", "ALPHA");
        const window = fresh.run("SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", String(a), String(b));
        if (all.type !== "array" || window.type !== "array") throw new Error("not arrays");
        const weightOf = (reply: (typeof all.value)[number]): string => (reply.type === "bulk" ? String(weights[Number(reply.value.toString().slice(1))]) : "?");
        const start = Math.min(a, weights.length);
        expect(window.value.map(weightOf)).toEqual(all.value.slice(start, start + b).map(weightOf));
      }),
      { numRuns: 200 },
    );
  });
});
