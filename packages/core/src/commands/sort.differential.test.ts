import type { Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRawReply, describeMismatch, DifferentialSession, seeded } from "../test-support/differential-session.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";

/*
 * SORT and SORT_RO against a live redis-server 7.0 (skipped when none is installed), in RESP2
 * and RESP3, on a fresh kv engine and a flushed redis-server per scenario. Replies must be the
 * same bytes, except where Redis's order comes from its hash tables, which kv cannot share:
 * - a hashtable-encoded set sorted BY a constant (no sorting: the set's own order), and
 * - ties of an ALPHA sort BY a pattern over a set or sorted set (a stable sort keeps the
 *   load order, which is the hash order),
 * compared as multisets ("unordered"), or only by length when a LIMIT also picks which
 * elements come out ("length").
 *
 * Redis never resets errno before SORT's strtod, so an ERANGE left by an earlier command
 * makes later numeric sorts fail there (kv does not reproduce that). Each command is
 * therefore preceded on redis-server by a ZADD XX on a missing key, whose score parsing
 * clears errno and which changes nothing else.
 */

type Comparison = "exact" | "unordered" | "length";
interface Step {
  argv: string[];
  compare: Comparison;
}

const unordered = (...argv: string[]): Step => ({ argv, compare: "unordered" });
const sameLength = (...argv: string[]): Step => ({ argv, compare: "length" });

const ERRNO_RESET = ["ZADD", "sort:errno-reset", "XX", "0", "m"];

const text = (reply: Reply): string => (reply.type === "bulk" ? reply.value.toString("latin1") : JSON.stringify(reply));

class Session extends DifferentialSession {
  static override async open(redis: RealRedis, resp3: boolean): Promise<Session> {
    const [h, real] = await DifferentialSession.connect(redis, resp3, []);
    return new Session(h, real, resp3);
  }

  /** Runs one step on both sides; a mismatch description, or undefined when they agree. */
  async check(step: Step): Promise<string | undefined> {
    const [, expected] = await this.real.send(ERRNO_RESET, step.argv);
    const actual = this.h.raw(...step.argv);
    if (actual === expected) return undefined;
    const mismatch = describeMismatch(step.argv, actual, expected!, 400);
    if (step.compare === "exact") return mismatch;
    const a = decodeRawReply(actual);
    const b = decodeRawReply(expected!);
    if (a.type !== "array" || b.type !== "array") return mismatch;
    if (step.compare === "length") return a.value.length === b.value.length ? undefined : mismatch;
    return a.value.map(text).sort().join("\n") === b.value.map(text).sort().join("\n") ? undefined : mismatch;
  }
}

const numbers = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const range = (from: number, to: number): string[] => numbers(from, to).map(String);

const scenarios: Record<string, (string[] | Step)[]> = {
  "numeric sort of lists, ASC/DESC, LIMIT": [
    ["RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "", " 7", "1e3", "0x10", "-0", "inf", "-inf", "2.50", "+4"],
    ["SORT", "l"],
    ["SORT", "l", "DESC"],
    ["SORT", "l", "asc"],
    ["SORT", "l", "desc", "ASC"],
    ["SORT_RO", "l"],
    ["SORT_RO", "l", "DESC"],
    ["SORT", "l", "LIMIT", "0", "3"],
    ["SORT", "l", "LIMIT", "2", "2"],
    ["SORT", "l", "LIMIT", "-1", "5"],
    ["SORT", "l", "LIMIT", "5", "100"],
    ["SORT", "l", "LIMIT", "100", "1"],
    ["SORT", "l", "LIMIT", "0", "0"],
    ["SORT", "l", "LIMIT", "0", "-1"],
    ["SORT", "l", "LIMIT", "3", "-5"],
    ["SORT", "l", "LIMIT", "14", "1"],
    ["SORT", "l", "LIMIT", "15", "1"],
    ["SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"],
    ["SORT", "l", "LIMIT", "-9223372036854775808", "-9223372036854775808"],
    ["SORT", "l", "LIMIT", "1", "2", "LIMIT", "3", "4"],
    ["SORT", "l", "DESC", "LIMIT", "1", "3"],
    // Ties between different spellings of one number are broken by comparing the bytes.
    ["RPUSH", "dup", "1", "01", "1.0", "1", "1e0", "0.1e1", "2", "002"],
    ["SORT", "dup"],
    ["SORT", "dup", "DESC"],
    ["SORT", "dup", "LIMIT", "1", "4"],
    ["RPUSH", "ints", ...range(1, 200).reverse(), ...range(50, 80)],
    ["SORT", "ints"],
    ["SORT", "ints", "DESC", "LIMIT", "10", "20"],
    ["RPUSH", "big", "9223372036854775807", "-9223372036854775808", "9007199254740993", "9007199254740992", "1e300"],
    ["SORT", "big"],
    ["SORT", "nokey"],
    ["SORT", "nokey", "DESC", "LIMIT", "0", "5"],
    ["SORT_RO", "nokey", "GET", "#"],
  ],
  "strtod's rules for weights": [
    ["RPUSH", "a", "1", "abc"],
    ["SORT", "a"],
    ["RPUSH", "b", "1", "5 "],
    ["SORT", "b"],
    ["RPUSH", "c", "1", "\t\n 5"],
    ["SORT", "c"],
    ["RPUSH", "d", "1", "nan"],
    ["SORT", "d"],
    ["RPUSH", "e", "1", "1e400"],
    ["SORT", "e"],
    ["RPUSH", "f", "1", "-1e400"],
    ["SORT", "f"],
    ["RPUSH", "g", "1", "1e-400"],
    ["SORT", "g"],
    ["RPUSH", "h", "1", "1e-310"],
    ["SORT", "h"],
    ["RPUSH", "i", "1", "4.9e-324"],
    ["SORT", "i"],
    ["RPUSH", "j", "1", "0x1p-1074", "0x1p-1030", "0x1.1p-1030", "0x1.8p-1074"],
    ["SORT", "j"],
    ["RPUSH", "k", "1", "0x1p-1074", "0x1p-1030", "0x1.1p-1030", "0x0.0000000000001p-1022", "0X1P-1074"],
    ["SORT", "k"],
    ["RPUSH", "m", "1", "2.2250738585072014e-308", "2.2250738585072011e-308"],
    ["SORT", "m"],
    ["RPUSH", "n", "1", "2.2250738585072014e-308", "0.0", "-0e-999999", "0e5", "00000.00000"],
    ["SORT", "n"],
    ["RPUSH", "o", "1", "5\x00junk", "-", "."],
    ["SORT", "o"],
    ["RPUSH", "p", "1", "5\x00junk", "3\x00"],
    ["SORT", "p"],
    ["RPUSH", "q", "INF", "-Infinity", "infinity", "+inf", "1e308", "1.7976931348623157e308", "1.7976931348623159e308"],
    ["SORT", "q"],
    ["RPUSH", "r", "Infinity", "-inFINITY", "1.7976931348623157e308"],
    ["SORT", "r"],
    ["RPUSH", "s", "0x", "1"],
    ["SORT", "s"],
    ["RPUSH", "t", "1", "0x1p99999"],
    ["SORT", "t"],
    ["RPUSH", "u", "1", "nan(123)", "2"],
    ["SORT", "u"],
    ["RPUSH", "v", "1", "1e-320", "2"],
    ["SORT", "v", "ALPHA"],
    ["SORT", "v", "BY", "nosort"],
    // A conversion error still stores nothing.
    ["SORT", "a", "STORE", "dst"],
    ["EXISTS", "dst"],
  ],
  "ALPHA: C-string order without STORE, binary order with it": [
    ["RPUSH", "w", "banana", "apple", "Cherry", "", "a\x00b", "a\x00a", "a", "\xff", "\x7f", "ab", "aa\x00", "10", "9"],
    ["SORT", "w", "ALPHA"],
    ["SORT", "w", "ALPHA", "DESC"],
    ["SORT", "w", "ALPHA", "LIMIT", "2", "5"],
    ["SORT_RO", "w", "alpha", "desc", "limit", "0", "3"],
    ["SORT", "w", "ALPHA", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "w", "ALPHA", "DESC", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "w"],
    ["SORT", "w", "alpha\x00junk"],
    ["SADD", "set", "pear", "apple", "fig", "kiwi", "banana", "Zebra", ""],
    ["SORT", "set", "ALPHA"],
    ["SORT", "set", "ALPHA", "DESC", "LIMIT", "1", "3"],
    ["ZADD", "z", "3", "c", "1", "b", "2", "a", "0", "ZZ"],
    ["SORT", "z", "ALPHA"],
    ["SORT", "z", "ALPHA", "DESC"],
  ],
  "BY patterns: keys, hash fields, missing weights, constants": [
    ["RPUSH", "l", "3", "1", "2", "4", "5", "x"],
    ["MSET", "w_1", "30", "w_2", "20", "w_3", "10", "w_4", "20", "w_x", "-1"],
    ["HSET", "h_1", "f", "3", "g", "one"],
    ["HSET", "h_2", "f", "1", "g", "two"],
    ["HSET", "h_3", "f", "2"],
    ["HSET", "h_x", "f", "2.5", "g", "ex"],
    ["SORT", "l", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "DESC"],
    ["SORT", "l", "BY", "w_*", "ALPHA"],
    ["SORT", "l", "BY", "w_*", "ALPHA", "DESC"],
    ["SORT", "l", "BY", "h_*->f"],
    ["SORT", "l", "BY", "h_*->f", "DESC"],
    ["SORT", "l", "BY", "h_*->g", "ALPHA"],
    ["SORT", "l", "BY", "h_*->g"],
    ["SORT", "l", "BY", "h_*->"],
    ["SORT", "l", "BY", "w_*->f"],
    ["SORT", "l", "BY", "h_*"],
    ["SORT", "l", "BY", "missing_*"],
    ["SORT", "l", "BY", "missing_*", "DESC"],
    ["SORT", "l", "BY", "nosort"],
    ["SORT", "l", "BY", "nosort", "DESC"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "1", "3"],
    ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "3"],
    ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "4", "10"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "6", "1"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "0", "0"],
    ["SORT", "l", "BY", "w_\x00*"],
    ["SORT", "l", "BY", "w_*", "BY", "nosort"],
    ["SORT", "l", "BY", "nosort", "BY", "w_*"],
    ["SORT", "l", "BY", "*"],
    ["SET", "3", "-3"],
    ["SORT", "l", "BY", "*"],
    ["SORT", "l", "BY", "#"],
    ["SORT", "l", "BY", "#*"],
    ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2"],
    ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "0", "3"],
    ["SORT", "l", "BY", "w_*", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SET", "w_5", "abc"],
    ["SORT", "l", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "ALPHA"],
    ["RPUSH", "list-weight", "1"],
    ["RENAME", "list-weight", "w_5"],
    ["SORT", "l", "BY", "w_*"],
  ],
  "GET patterns": [
    ["RPUSH", "l", "2", "1", "3", "x"],
    ["MSET", "o_1", "one", "o_2", "two", "o_3", "three", "w_1", "3", "w_2", "2", "w_3", "1"],
    ["HSET", "h_1", "name", "uno", "->", "arrow"],
    ["HSET", "h_2", "name", "dos"],
    ["SADD", "o_x", "not a string"],
    ["SORT", "l", "BY", "w_*", "GET", "#"],
    ["SORT", "l", "BY", "w_*", "GET", "o_*"],
    ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "o_*", "GET", "h_*->name"],
    ["SORT", "l", "BY", "nosort", "GET", "h_*->name", "GET", "nostar", "GET", "#"],
    ["SORT", "l", "BY", "nosort", "GET", "h_*->"],
    ["SORT", "l", "BY", "nosort", "GET", "h_*->->"],
    ["SORT", "l", "BY", "nosort", "GET", "h_*->>"],
    ["SORT", "l", "BY", "nosort", "GET", "->*"],
    ["SORT", "l", "BY", "nosort", "GET", "#\x00junk"],
    ["SORT", "l", "BY", "nosort", "GET", "##"],
    ["SORT", "l", "BY", "nosort", "GET", "o_\x00*"],
    ["SORT", "l", "BY", "nosort", "GET", "h_*->na\x00me"],
    ["SORT", "l", "BY", "nosort", "GET", "h_*-\x00>name"],
    ["SORT", "l", "BY", "nosort", "GET", "*"],
    ["SORT", "l", "BY", "nosort", "GET", "*_*"],
    ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "o_*", "GET", "#"],
    ["SORT", "l", "BY", "w_*", "DESC", "GET", "o_*", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "l", "BY", "nosort", "GET", "#", "GET", "h_*->name", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT_RO", "l", "GET", "#", "GET", "o_*", "BY", "w_*"],
    ["SORT", "l", "GET"],
    ["SORT", "l", "GET", "#", "GET"],
    ["SET", "str", "v"],
    ["SORT", "l", "GET", "str"],
  ],
  "sets: intset and hashtable": [
    ["SADD", "i", "5", "-3", "100", "0", "42", "7"],
    ["OBJECT", "ENCODING", "i"],
    ["SORT", "i"],
    ["SORT", "i", "DESC", "LIMIT", "1", "2"],
    ["SORT", "i", "ALPHA"],
    ["SORT", "i", "BY", "nosort"],
    ["SORT", "i", "BY", "nosort", "DESC"],
    ["SORT", "i", "BY", "nosort", "LIMIT", "2", "3"],
    ["SORT", "i", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "i", "BY", "nosort", "DESC", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "i", "BY", "nosort", "GET", "#", "GET", "w_*"],
    ["SADD", "s", "pear", "10", "apple", "3", "fig", "1.5", "kiwi"],
    ["OBJECT", "ENCODING", "s"],
    ["SORT", "s"],
    ["SORT", "s", "ALPHA"],
    ["SORT", "s", "ALPHA", "DESC", "LIMIT", "2", "3"],
    unordered("SORT", "s", "BY", "nosort"),
    unordered("SORT", "s", "BY", "nosort", "DESC"),
    sameLength("SORT", "s", "BY", "nosort", "LIMIT", "1", "3"),
    unordered("SORT_RO", "s", "BY", "nosort", "GET", "#"),
    ["SORT", "s", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "4", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["MSET", "w_pear", "3", "w_apple", "1", "w_fig", "2", "w_10", "5", "w_3", "4", "w_1.5", "0"],
    ["SORT", "s", "BY", "w_*"],
    ["SORT", "s", "BY", "w_*", "DESC", "LIMIT", "1", "3"],
    unordered("SORT", "s", "BY", "w_*", "ALPHA"),
    ["SADD", "nums", ...range(1, 600)],
    ["OBJECT", "ENCODING", "nums"],
    ["SORT", "nums", "DESC", "LIMIT", "0", "10"],
    ["SORT", "nums", "ALPHA", "LIMIT", "0", "10"],
  ],
  "sorted sets: score order without sorting, conversion to skiplist": [
    ["ZADD", "z", "3", "30", "1", "10", "2", "20", "2", "5", "-1", "100"],
    ["OBJECT", "ENCODING", "z"],
    ["SORT", "z"],
    ["OBJECT", "ENCODING", "z"],
    ["SORT", "z", "DESC"],
    ["SORT", "z", "BY", "nosort"],
    ["SORT", "z", "BY", "nosort", "DESC"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "1", "2"],
    ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
    ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "4", "9"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "5", "1"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "9", "1"],
    ["SORT", "z", "BY", "nosort", "GET", "#", "GET", "w_*"],
    ["SORT", "z", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["ZADD", "zw", "1", "b", "2", "a"],
    ["SORT_RO", "zw"],
    ["OBJECT", "ENCODING", "zw"],
    ["ZADD", "zw", "3", "c"],
    ["OBJECT", "ENCODING", "zw"],
    ["ZSCORE", "zw", "c"],
    ["ZADD", "zneg", "-0", "m"],
    ["SORT", "zneg", "BY", "nosort"],
    ["ZADD", "zbig", ...numbers(1, 300).flatMap((i) => [String(i % 7), `m${i}`])],
    ["SORT", "zbig", "BY", "nosort", "LIMIT", "100", "5"],
    ["SORT", "zbig", "BY", "nosort", "DESC", "LIMIT", "100", "5"],
    ["SORT", "zbig", "ALPHA", "LIMIT", "100", "5"],
    ["MSET", "w_m1", "5", "w_m2", "5", "w_m3", "1"],
    ["SORT", "zbig", "BY", "w_*", "LIMIT", "0", "5"],
    sameLength("SORT", "zbig", "BY", "w_*", "ALPHA", "LIMIT", "0", "5"),
  ],
  "STORE: a new list, TTLs, types, empty results": [
    ["RPUSH", "src", "3", "1", "2"],
    ["SORT", "src", "STORE", "dst"],
    ["TYPE", "dst"],
    ["OBJECT", "ENCODING", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SET", "str", "v", "EX", "1000"],
    ["SORT", "src", "DESC", "STORE", "str"],
    ["TTL", "str"],
    ["LRANGE", "str", "0", "-1"],
    ["SORT", "src", "STORE", "src"],
    ["LRANGE", "src", "0", "-1"],
    ["SORT", "src", "LIMIT", "5", "5", "STORE", "dst"],
    ["EXISTS", "dst"],
    ["SORT", "src", "LIMIT", "5", "5", "STORE", "dst"],
    ["SORT", "nokey", "STORE", "src"],
    ["EXISTS", "src"],
    ["SORT", "nokey", "STORE", "nothing"],
    ["HSET", "h", "f", "v"],
    ["RPUSH", "src", "b", "a"],
    ["SORT", "src", "ALPHA", "STORE", "h"],
    ["TYPE", "h"],
    ["SORT", "src", "ALPHA", "GET", "missing_*", "STORE", "g"],
    ["LRANGE", "g", "0", "-1"],
    ["SORT", "src", "ALPHA", "STORE", "a", "STORE", "b"],
    ["EXISTS", "a", "b"],
    ["SORT", "src", "ALPHA", "store\x00x", "c"],
    ["LRANGE", "c", "0", "-1"],
  ],
  "errors and their order": [
    ["SET", "str", "v"],
    ["HSET", "hash", "f", "v"],
    ["RPUSH", "l", "1", "2"],
    ["SORT", "str"],
    ["SORT", "hash"],
    ["SORT_RO", "str"],
    ["SORT", "str", "BADOPT"],
    ["SORT", "str", "LIMIT", "a", "1"],
    ["SORT", "str", "LIMIT", "1", "a"],
    ["SORT", "l", "LIMIT", "1"],
    ["SORT", "l", "LIMIT"],
    ["SORT", "l", "LIMIT", "1.5", "2"],
    ["SORT", "l", "LIMIT", "9223372036854775808", "1"],
    ["SORT", "l", "LIMIT", "1", "-9223372036854775809"],
    ["SORT", "l", "BY"],
    ["SORT", "l", "STORE"],
    ["SORT_RO", "l", "STORE", "dst"],
    ["SORT_RO", "l", "STORE"],
    ["SORT_RO", "str", "STORE", "dst"],
    ["SORT", "l", "ASC", "extra"],
    ["SORT", "l", ""],
    ["SORT", "l", "DESC", "ALPHA", "NOSORT"],
    ["SORT"],
    ["SORT_RO"],
    ["SORT", "str", "BY", "nosort", "STORE", "dst"],
    ["SORT", "l", "LIMIT", "a", "1", "BADOPT"],
    ["SORT", "l", "BADOPT", "LIMIT", "a", "1"],
  ],
  "partial sort (BY + LIMIT) keeps Redis's order of ties": [
    ["RPUSH", "t", ...numbers(1, 120).map((i) => `e${(i * 37) % 120}`)],
    ...numbers(0, 119).filter((i) => i % 3 !== 0).map((i) => ["SET", `w_e${i}`, String.fromCharCode(97 + (i % 4))]),
    ["SORT", "t", "BY", "w_*", "ALPHA"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "DESC"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "0", "10"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "35", "20"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "100", "30"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "DESC", "LIMIT", "3", "50"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "0", "0"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "119", "5"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "0", "119"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "1", "200"],
    ["SORT", "t", "BY", "w_*", "ALPHA", "LIMIT", "5", "1", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "t", "BY", "w_*", "LIMIT", "10", "10"],
    // Missing weights and small tie groups over 62 elements: a case where a partition that
    // swaps nothing must not switch to insertion sort (Redis 7.0's pqsort never does).
    ["RPUSH", "u", ..."apple lime 1 lime fig fig elder 33831 10 b B grape 9 -79480 b b cherry lime -2 kiwi kiwi Banana Banana lime B B apple lime lime 1 -39024 10 10 10 -4 5 -4 9 3 grape date cherry fig -5 -1 -1 lime B cherry B 9 -3 kiwi 9 10 2 -1 -40346 lime B 0 lime".split(" ")],
    ..."apple:fig lime:fig fig:a elder:cherry 10:fig b:fig B:lime grape:lime 9:10 cherry:elder -2:10 kiwi:fig Banana:fig -4:a 5:date 3:apple date:10 -5:B 0:B"
      .split(" ")
      .map((pair) => ["HSET", `h_${pair.split(":")[0]!}`, "g", pair.split(":")[1]!]),
    ["SORT", "u", "BY", "h_*->g", "ALPHA"],
    ["SORT", "u", "BY", "h_*->g", "ALPHA", "LIMIT", "0", "30"],
    ["SORT", "u", "BY", "h_*->g", "ALPHA", "DESC", "LIMIT", "10", "30"],
    ["RPUSH", "small", "c", "a", "b", "a", "d", "b", "a"],
    ["SORT", "small", "BY", "nothing_*", "ALPHA", "LIMIT", "1", "3"],
    ["SORT", "small", "BY", "nothing_*", "ALPHA", "LIMIT", "0", "7"],
    ["SORT", "small", "BY", "nothing_*", "ALPHA", "DESC", "LIMIT", "2", "2"],
  ],
};

/**
 * A random dataset (lists, an intset, a hashtable set, sorted sets, string and hash weights
 * with many ties) and random SORT commands over it, each with the comparison its target
 * allows. Every STORE is followed by an LRANGE of the destination, which is then deleted so
 * that an order kv may not share never feeds a later sort.
 */
function randomScenario(random: () => number): Step[] {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (p: number): boolean => random() < p;
  const elements = ["1", "2", "3", "10", "-4", "2.5", "07", "x", "y", "abc", "", "1e2", "zz", "B", "b"];
  const numerals = ["1", "2", "3", "10", "-4", "2.5", "07", "1e2", "0", "5"];
  const steps: Step[] = [];
  const exact = (...argv: string[]): void => void steps.push({ argv, compare: "exact" });

  const listSize = int(0, 60);
  if (listSize > 0) exact("RPUSH", "lnum", ...Array.from({ length: listSize }, () => pick(numerals)));
  exact("RPUSH", "lmix", ...Array.from({ length: int(1, 60) }, () => pick(elements)));
  exact("SADD", "sint", ...Array.from({ length: int(1, 40) }, () => String(int(-50, 50))));
  exact("SADD", "shash", ...Array.from({ length: int(1, 40) }, () => pick([...numerals, ...elements, `m${int(0, 30)}`])));
  exact("ZADD", "znum", ...Array.from({ length: int(1, 30) }, () => [String(int(-3, 3)), pick(numerals)]).flat());
  exact("ZADD", "zmix", ...Array.from({ length: int(1, 150) }, () => [String(int(-3, 3)), `m${int(0, 200)}`]).flat());
  const weightTargets = [...elements, ...Array.from({ length: 31 }, (_, i) => `m${i}`), ...range(-50, 50)];
  for (const element of weightTargets) {
    if (chance(0.6)) exact("SET", `w_${element}`, pick(["1", "2", "3", "a", "b", "-1", "0.5", "10"]));
    if (chance(0.3)) exact("HSET", `h_${element}`, "f", pick(["1", "2", "x", "3.5"]), "g", pick(["p", "q", "r"]));
  }
  if (chance(0.2)) exact("SET", "w_1", "not a number");

  const targets = ["lnum", "lmix", "sint", "shash", "znum", "zmix", "nokey", "w_1"];
  for (let n = 0; n < 120; n++) {
    const key = pick(targets);
    const readonly = chance(0.2);
    const options: string[][] = [];
    const by = chance(0.5) ? pick(["w_*", "h_*->f", "h_*->g", "nosort", "missing_*", "w_*->f"]) : undefined;
    if (by !== undefined) options.push(["BY", by]);
    const alpha = chance(0.4);
    if (alpha) options.push(["ALPHA"]);
    const desc = chance(0.4);
    if (desc) options.push([pick(["DESC", "desc"])]);
    else if (chance(0.2)) options.push(["ASC"]);
    const limited = chance(0.4);
    if (limited) options.push(["LIMIT", String(int(-2, 40)), String(int(-2, 40))]);
    for (let g = int(0, 2); g > 0; g--) options.push(["GET", pick(["#", "w_*", "h_*->g", "missing_*", "nostar"])]);
    const store = !readonly && chance(0.3);
    if (store) options.push(["STORE", "dst"]);
    const argv = [readonly ? "SORT_RO" : "SORT", key, ...shuffle(options, random).flat()];

    // Which order Redis's reply depends on, given kv's encodings of the same data.
    const isSet = key === "sint" || key === "shash";
    const hashOrdered = key === "shash" || key === "znum" || key === "zmix";
    const sorts = by !== "nosort" || (isSet && store);
    let compare: Comparison = "exact";
    if (sorts && alpha && by !== undefined && by !== "nosort" && hashOrdered) compare = limited ? "length" : "unordered";
    if (!sorts && key === "shash") compare = limited ? "length" : "unordered";
    steps.push({ argv, compare: store ? "exact" : compare });
    if (store) {
      steps.push({ argv: ["LRANGE", "dst", "0", "-1"], compare });
      exact("DEL", "dst");
    }
  }
  return steps;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Lists with few distinct weights (and missing ones) sorted BY them ALPHA, in windows: pqsort's ties. */
function tiesScenario(random: () => number): Step[] {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const steps: Step[] = [];
  const n = int(1, 300);
  const exact = (...argv: string[]): void => void steps.push({ argv, compare: "exact" });
  exact("RPUSH", "l", ...Array.from({ length: n }, () => `e${int(0, 59)}`));
  for (let i = 0; i < 60; i++) if (int(0, 2) > 0) exact("SET", `w_e${i}`, String.fromCharCode(97 + int(0, 3)));
  for (let q = 0; q < 12; q++) {
    exact("SORT", "l", "BY", "w_*", "ALPHA", ...(int(0, 1) === 1 ? ["DESC"] : []), "LIMIT", String(int(0, n + 1)), String(int(0, n + 1)));
  }
  return steps;
}

describe.runIf(redisServerAvailable)("SORT against redis-server", () => {
  let server: RealRedis | undefined;

  beforeAll(async () => {
    server = await RealRedis.start();
  });

  afterAll(() => {
    server?.stop();
  });

  async function runAll(steps: (string[] | Step)[], resp3: boolean): Promise<string[]> {
    const session = await Session.open(server!, resp3);
    const mismatches: string[] = [];
    try {
      for (const entry of steps) {
        const step = Array.isArray(entry) ? { argv: entry, compare: "exact" as const } : entry;
        const mismatch = await session.check(step);
        if (mismatch !== undefined) mismatches.push(mismatch);
      }
    } finally {
      session.close();
    }
    return mismatches;
  }

  for (const [name, steps] of Object.entries(scenarios)) {
    for (const resp3 of [false, true]) {
      it(`${name} (RESP${resp3 ? 3 : 2})`, async () => {
        expect(await runAll(steps, resp3)).toEqual([]);
      });
    }
  }

  it("partial sorts of lists with many ties, 40 random lists", async () => {
    const random = seeded(99);
    const mismatches: string[] = [];
    for (let round = 0; round < 40; round++) mismatches.push(...(await runAll(tiesScenario(random), round % 2 === 1)));
    expect(mismatches).toEqual([]);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const resp3 = seed % 2 === 0;
    it(`random datasets and SORTs, seed ${seed} (RESP${resp3 ? 3 : 2})`, async () => {
      expect(await runAll(randomScenario(seeded(seed)), resp3)).toEqual([]);
    });
  }
});
