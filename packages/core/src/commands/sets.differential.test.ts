import type { Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRawReply, seeded } from "../test-support/differential-session.js";
import { TestHarness } from "../test-support/harness.js";
import { RealRedis, redisServerAvailable, type RedisConnection } from "../test-support/real-redis.js";

/*
 * The sets family against a live redis-server 7.0 (skipped when none is installed). Every
 * scenario runs on a fresh kv engine and a flushed redis-server, in RESP2 and in RESP3, and
 * replies must be the same bytes — except where Redis's own order is its hash table's:
 * members of a hashtable-encoded set (marked `unordered`: same reply type, same elements).
 * Intset-encoded results are compared exactly, because Redis lists them sorted. Random
 * draws (SPOP, SRANDMEMBER) are checked for their properties instead (see randomized run).
 */

/** KV_SETS_SEED=<n> replays another random sequence. */
const RANDOM_SEED = Number(process.env.KV_SETS_SEED ?? 0x5e75);


type Comparison = "exact" | "unordered" | "scan";
interface Step {
  argv: string[];
  compare: Comparison;
}

/** A step whose reply lists a hashtable's members: compared as a multiset. */
const unordered = (...argv: string[]): Step => ({ argv, compare: "unordered" });
/** An SSCAN that returns a whole hashtable in one page (COUNT larger than the set): members compared as a multiset. */
const scanAll = (...argv: string[]): Step => ({ argv, compare: "scan" });

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

const scenarios: Record<string, (string[] | Step)[]> = {
  "SADD, SREM, SCARD, SISMEMBER, SMISMEMBER": [
    ["SADD", "s", "3", "1", "2", "1"],
    ["SADD", "s", "2", "4"],
    ["SCARD", "s"],
    ["SCARD", "nokey"],
    ["SISMEMBER", "s", "1"],
    ["SISMEMBER", "s", "01"],
    ["SISMEMBER", "s", "x"],
    ["SISMEMBER", "nokey", "1"],
    ["SMISMEMBER", "s", "1", "9", "4", "x"],
    ["SMISMEMBER", "nokey", "1", "2"],
    ["SMEMBERS", "s"],
    ["SREM", "s", "9", "1", "1", "x"],
    ["SREM", "nokey", "1"],
    ["SMEMBERS", "s"],
    ["SREM", "s", "2", "3", "4", "5"],
    ["EXISTS", "s"],
    ["SADD", "h", "a", "b", "c", "", "bin\x00\xff"],
    ["SISMEMBER", "h", ""],
    ["SISMEMBER", "h", "bin\x00\xff"],
    unordered("SMEMBERS", "h"),
    ["SREM", "h", "a", "b", "c", "", "bin\x00\xff", "more"],
    ["EXISTS", "h"],
    ["SMEMBERS", "nokey"],
  ],
  "WRONGTYPE and argument errors": [
    ["SET", "str", "x"],
    ["SADD", "s", "1"],
    ["SADD", "str", "a"],
    ["SREM", "str", "a"],
    ["SCARD", "str"],
    ["SISMEMBER", "str", "a"],
    ["SMISMEMBER", "str", "a"],
    ["SMEMBERS", "str"],
    ["SPOP", "str"],
    ["SPOP", "str", "2"],
    ["SPOP", "str", "0"],
    ["SPOP", "str", "-1"],
    ["SPOP", "nokey", "-1"],
    ["SPOP", "s", "abc"],
    ["SPOP", "s", "1", "2"],
    ["SPOP", "nokey"],
    ["SPOP", "nokey", "3"],
    ["SPOP", "s", "0"],
    ["SRANDMEMBER", "str"],
    ["SRANDMEMBER", "str", "2"],
    ["SRANDMEMBER", "nokey"],
    ["SRANDMEMBER", "nokey", "3"],
    ["SRANDMEMBER", "nokey", "-3"],
    ["SRANDMEMBER", "s", "0"],
    ["SRANDMEMBER", "s", "abc"],
    ["SRANDMEMBER", "nokey", "abc"],
    ["SRANDMEMBER", "s", "-9223372036854775808"],
    ["SRANDMEMBER", "s", "9223372036854775808"],
    ["SRANDMEMBER", "s", "1", "2"],
    ["SMOVE", "str", "s", "1"],
    ["SMOVE", "s", "str", "1"],
    ["SMOVE", "nokey", "str", "1"],
    ["SINTER", "s", "str"],
    ["SINTER", "nokey", "str"],
    ["SINTER", "str", "nokey"],
    ["SUNION", "nokey", "str"],
    ["SDIFF", "nokey", "str"],
    ["SINTERSTORE", "d", "str"],
    ["SUNIONSTORE", "d", "s", "str"],
    ["SDIFFSTORE", "d", "nokey", "str"],
    ["SINTERCARD", "2", "nokey", "str"],
    ["SINTERCARD", "0", "s"],
    ["SINTERCARD", "-1", "s"],
    ["SINTERCARD", "abc", "s"],
    ["SINTERCARD", "9223372036854775808", "s"],
    ["SINTERCARD", "9223372036854775807", "s"],
    ["SINTERCARD", "2", "s"],
    ["SINTERCARD", "1", "s", "LIMIT"],
    ["SINTERCARD", "1", "s", "LIMIT", "-1"],
    ["SINTERCARD", "1", "s", "LIMIT", "abc"],
    ["SINTERCARD", "1", "s", "limit\x00x", "1"],
    ["SINTERCARD", "1", "s", "FOO", "1"],
    ["SINTERCARD", "1", "s", "s"],
    ["SSCAN", "str", "0"],
    ["SSCAN", "str", "abc"],
    ["SSCAN", "nokey", "abc"],
    ["SSCAN", "nokey", "0", "COUNT", "0"],
    ["SSCAN", "s", "0", "COUNT", "0"],
    ["SSCAN", "s", "0", "COUNT", "abc"],
    ["SSCAN", "s", "0", "TYPE", "set"],
    ["SSCAN", "s", "0", "MATCH"],
    ["SSCAN", "s", "-1"],
    ["SSCAN", "s", "18446744073709551616"],
    ["SADD", "s"],
    ["SREM", "s"],
    ["SMOVE", "s", "d"],
    ["SINTERCARD", "1"],
    ["SSCAN", "s"],
  ],
  "intset encoding and its order": [
    ["SADD", "i", "10", "-5", "9223372036854775807", "-9223372036854775808", "0", "3"],
    ["OBJECT", "ENCODING", "i"],
    ["SMEMBERS", "i"],
    ["SSCAN", "i", "0"],
    ["SSCAN", "i", "12345", "COUNT", "1"],
    ["SSCAN", "i", "0", "MATCH", "*0*"],
    ["SRANDMEMBER", "i", "100"],
    ["SADD", "i", "9007199254740993", "9007199254740992", "-9007199254740993", "9007199254740991"],
    ["SMEMBERS", "i"],
    ["SISMEMBER", "i", "9007199254740993"],
    ["SREM", "i", "9007199254740992"],
    ["SMEMBERS", "i"],
    ["SADD", "j", "9223372036854775808"],
    ["OBJECT", "ENCODING", "j"],
    ["SADD", "k", "-0"],
    ["OBJECT", "ENCODING", "k"],
    ["SADD", "l", "01"],
    ["OBJECT", "ENCODING", "l"],
    ["SADD", "m", "+1"],
    ["OBJECT", "ENCODING", "m"],
    ["SADD", "n", "1", "x"],
    ["OBJECT", "ENCODING", "n"],
    ["SREM", "n", "x"],
    ["OBJECT", "ENCODING", "n"],
    ["SADD", "o", "x", "1"],
    ["OBJECT", "ENCODING", "o"],
    ["SADD", "big", ...range(1, 512)],
    ["OBJECT", "ENCODING", "big"],
    ["SADD", "big", "513"],
    ["OBJECT", "ENCODING", "big"],
    ["SREM", "big", ...range(10, 513)],
    ["OBJECT", "ENCODING", "big"],
    unordered("SMEMBERS", "big"),
    ["CONFIG", "SET", "set-max-intset-entries", "3"],
    ["SADD", "small", "1", "2", "3"],
    ["OBJECT", "ENCODING", "small"],
    ["SADD", "small", "4"],
    ["OBJECT", "ENCODING", "small"],
    ["CONFIG", "SET", "set-max-intset-entries", "0"],
    ["SADD", "zero", "1"],
    ["OBJECT", "ENCODING", "zero"],
    ["CONFIG", "SET", "set-max-intset-entries", "512"],
  ],
  "SINTER, SINTERCARD, SINTERSTORE": [
    ["SADD", "a", "1", "2", "3", "4", "5"],
    ["SADD", "b", "5", "4", "3", "9"],
    ["SADD", "c", "3", "4", "x", "y"],
    ["SINTER", "a", "b"],
    ["SINTER", "b", "a"],
    ["SINTER", "a", "a"],
    ["SINTER", "a"],
    unordered("SINTER", "a", "c"),
    ["SINTER", "a", "nokey"],
    ["SINTER", "nokey"],
    ["SINTERCARD", "2", "a", "b"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "2"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "0"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1", "limit", "100"],
    ["SINTERCARD", "3", "a", "b", "c"],
    ["SINTERCARD", "2", "a", "nokey"],
    ["SINTERCARD", "1", "a", "LIMIT", "9223372036854775807"],
    ["SINTERSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["SINTERSTORE", "d", "a", "c"],
    ["OBJECT", "ENCODING", "d"],
    ["SMEMBERS", "d"],
    ["SINTERSTORE", "d", "a", "nokey"],
    ["EXISTS", "d"],
    ["SINTERSTORE", "d", "nokey"],
    ["SET", "str", "v"],
    ["SINTERSTORE", "str", "a", "b"],
    ["TYPE", "str"],
    ["SET", "str", "v", "EX", "1000"],
    ["SINTERSTORE", "str", "a"],
    ["TTL", "str"],
    ["SINTERSTORE", "a", "a", "b"],
    ["SMEMBERS", "a"],
  ],
  "SUNION, SDIFF and their STORE forms": [
    ["SADD", "a", "5", "1", "3"],
    ["SADD", "b", "4", "2", "3"],
    ["SADD", "h", "x", "2", "9"],
    ["SUNION", "a", "b"],
    ["SUNION", "b", "nokey", "a"],
    ["SUNION", "nokey"],
    unordered("SUNION", "a", "h"),
    ["SDIFF", "a", "b"],
    ["SDIFF", "a", "a"],
    ["SDIFF", "a", "nokey", "b"],
    ["SDIFF", "nokey", "a"],
    unordered("SDIFF", "h", "a", "b"),
    ["SUNIONSTORE", "u", "a", "b"],
    ["OBJECT", "ENCODING", "u"],
    ["SMEMBERS", "u"],
    ["SUNIONSTORE", "u", "a", "h"],
    ["OBJECT", "ENCODING", "u"],
    ["SDIFFSTORE", "d", "h", "a"],
    ["OBJECT", "ENCODING", "d"],
    unordered("SMEMBERS", "d"),
    ["SDIFFSTORE", "d", "a", "a"],
    ["EXISTS", "d"],
    ["SUNIONSTORE", "u", "nokey"],
    ["EXISTS", "u"],
    // Algorithm choice: with many small sets to subtract, Redis adds the whole first set
    // and removes, so "x" converts the result to a hashtable even though it leaves again.
    ["SADD", "f", "x", "1", "2"],
    ["SADD", "g1", "x"],
    ["SADD", "g2", "x"],
    ["SADD", "g3", "x"],
    ["SADD", "g4", "x"],
    ["SADD", "g5", "x"],
    ["SDIFFSTORE", "r1", "f", "g1", "g2", "g3", "g4"],
    ["OBJECT", "ENCODING", "r1"],
    ["SDIFFSTORE", "r2", "f", "g1", "g2", "g3", "g4", "g5"],
    ["OBJECT", "ENCODING", "r2"],
    unordered("SDIFF", "f", "g1", "g2", "g3", "g4", "g5"),
    ["SADD", "many", ...range(1, 600)],
    ["SADD", "most", ...range(1, 590)],
    ["SDIFF", "many", "most"],
    ["SDIFFSTORE", "rest", "many", "most"],
    ["OBJECT", "ENCODING", "rest"],
    ["SUNIONSTORE", "all", "many", "most"],
    ["OBJECT", "ENCODING", "all"],
    ["SCARD", "all"],
  ],
  SMOVE: [
    ["SADD", "a", "1", "2", "x"],
    ["SADD", "b", "3"],
    ["SMOVE", "a", "b", "1"],
    ["SMOVE", "a", "b", "nope"],
    ["SMOVE", "nokey", "b", "1"],
    ["SMOVE", "a", "a", "2"],
    ["SMOVE", "a", "a", "nope"],
    ["SMEMBERS", "b"],
    ["SMOVE", "a", "b", "x"],
    ["OBJECT", "ENCODING", "b"],
    ["SMOVE", "a", "new", "2"],
    ["EXISTS", "a"],
    ["OBJECT", "ENCODING", "new"],
    ["SMOVE", "new", "b", "2"],
    ["SADD", "c", "3"],
    ["SMOVE", "c", "b", "3"],
    ["EXISTS", "c"],
    unordered("SMEMBERS", "b"),
    ["SMOVE", "b", "w", "x"],
    ["OBJECT", "ENCODING", "w"],
  ],
  "SPOP and SRANDMEMBER where the result is determined": [
    ["SADD", "i", "3", "1", "2"],
    ["SPOP", "i", "3"],
    ["EXISTS", "i"],
    ["SADD", "i", "3", "1", "2"],
    ["SPOP", "i", "100"],
    ["SADD", "one", "x"],
    ["SPOP", "one"],
    ["EXISTS", "one"],
    ["SADD", "one", "7"],
    ["SRANDMEMBER", "one"],
    ["SRANDMEMBER", "one", "1"],
    ["SRANDMEMBER", "one", "-3"],
    ["SRANDMEMBER", "one", "5"],
    ["SPOP", "one", "1"],
    ["SADD", "h", "a", "b", "c"],
    unordered("SRANDMEMBER", "h", "3"),
    unordered("SRANDMEMBER", "h", "9223372036854775807"),
    unordered("SPOP", "h", "3"),
    // A hashtable holding only integers (converted by a non-integer since removed) is
    // popped whole through a new set, which is an intset again: sorted.
    ["SADD", "ht", "5", "x", "3", "1"],
    ["SREM", "ht", "x"],
    ["OBJECT", "ENCODING", "ht"],
    ["SPOP", "ht", "10"],
  ],
  "SSCAN of hashtables": [
    ["SADD", "h", ...range(1, 50), "a", "b", "c"],
    scanAll("SSCAN", "h", "0", "COUNT", "1000"),
    scanAll("SSCAN", "h", "0", "COUNT", "1000", "MATCH", "*1*"),
    scanAll("SSCAN", "h", "0", "MATCH", "[ab]", "COUNT", "1000"),
    scanAll("SSCAN", "h", "0", "count", "1000", "match", "nothing"),
    ["SADD", "e", "", "x"],
    scanAll("SSCAN", "e", "0", "COUNT", "100", "MATCH", "*"),
    scanAll("SSCAN", "e", "0", "COUNT", "100", "MATCH", "**"),
  ],
};

let server: RealRedis | undefined;

describe.runIf(redisServerAvailable)("sets family against redis-server", () => {
  beforeAll(async () => {
    server = await RealRedis.start();
  });

  afterAll(() => {
    server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    it.each(Object.entries(scenarios))(`RESP${protocol}: %s`, async (_name, steps) => {
      const redis = await freshConnection(protocol);
      const kv = freshHarness(protocol);
      try {
        for (const entry of steps) {
          const step = Array.isArray(entry) ? { argv: entry, compare: "exact" as const } : entry;
          const [expected] = await redis.send(step.argv);
          const actual = kv.raw(...step.argv);
          expectSame(step, actual, expected!);
        }
      } finally {
        redis.close();
      }
    });
  }

  it.each([2, 3] as const)("RESP%s: randomized commands agree (draws checked by their properties)", async (protocol) => {
    const redis = await freshConnection(protocol);
    const kv = freshHarness(protocol);
    const random = seeded(RANDOM_SEED + protocol);
    try {
      for (let i = 0; i < 1500; i++) {
        const argv = randomCommand(random);
        const name = argv[0]!.toUpperCase();
        if (name === "SPOP" || name === "SRANDMEMBER") {
          await checkDraw(kv, redis, argv, protocol);
          continue;
        }
        const [expected] = await redis.send(argv);
        const actual = kv.raw(...argv);
        const compare: Comparison = name === "SSCAN" ? "scan" : kvRepliesInHashOrder(kv, argv) ? "unordered" : "exact";
        expectSame({ argv, compare }, actual, expected!);
      }
      // Both keyspaces end up holding the same sets in the same encodings.
      for (const key of SET_KEYS) {
        const probes = [["TYPE", key], ["OBJECT", "ENCODING", key], ["SCARD", key]];
        for (const argv of probes) expect(kv.raw(...argv), argv.join(" ")).toBe((await redis.send(argv))[0]);
        expectSame({ argv: ["SMEMBERS", key], compare: "unordered" }, kv.raw("SMEMBERS", key), (await redis.send(["SMEMBERS", key]))[0]!);
      }
    } finally {
      redis.close();
    }
  });
});

async function freshConnection(protocol: 2 | 3): Promise<RedisConnection> {
  const reset = await server!.connect();
  await reset.send(["FLUSHALL"], ["CONFIG", "SET", "set-max-intset-entries", "512"]);
  reset.close();
  const redis = await server!.connect();
  if (protocol === 3) await redis.send(["HELLO", "3"]);
  return redis;
}

function freshHarness(protocol: 2 | 3): TestHarness {
  const kv = new TestHarness();
  kv.client.reply.protocol = protocol;
  return kv;
}

function expectSame(step: Step, actual: string, expected: string): void {
  const label = JSON.stringify(step.argv).slice(0, 300);
  if (step.compare === "exact" || actual === expected) {
    expect(actual, label).toBe(expected);
    return;
  }
  const a = decode(actual);
  const b = decode(expected);
  if (step.compare === "scan") {
    // [cursor, members]: the cursor must be 0 on both (one page), members in any order.
    expect(a.type, label).toBe("array");
    expect(normalize(a), label).toEqual(normalize(b));
    return;
  }
  expect(normalize(a), label).toEqual(normalize(b));
}

const decode = decodeRawReply;

/** A reply with every array's or set's elements sorted (bulk strings as latin1 text). */
function normalize(reply: Reply): unknown {
  switch (reply.type) {
    case "array":
    case "set":
    case "push":
      return { type: reply.type, value: reply.value.map(normalize).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)) };
    case "bulk":
      return { type: "bulk", value: reply.value.toString("latin1") };
    case "integer":
      return { type: "integer", value: String(reply.value) };
    default:
      return reply;
  }
}

/**
 * Whether kv's reply to a set-listing command is in hash order, judged from kv's own
 * encodings. Otherwise it must equal Redis's byte for byte (sorted, from an intset), so a
 * wrong encoding decision on kv's side shows up as an order difference.
 */
function kvRepliesInHashOrder(kv: TestHarness, argv: string[]): boolean {
  const name = argv[0]!.toUpperCase();
  const isIntset = (key: string): boolean => kv.raw("OBJECT", "ENCODING", key) === "$6\r\nintset\r\n";
  if (name === "SMEMBERS") return !isIntset(argv[1]!);
  if (name === "SINTER") {
    // Redis lists the intersection in the order of the smallest set (first of equals).
    const keys = argv.slice(1);
    const sizes = keys.map((key) => Number(/^:(\d+)/.exec(kv.raw("SCARD", key))?.[1] ?? "0"));
    if (sizes.includes(0)) return false;
    let smallest = 0;
    for (let i = 1; i < keys.length; i++) if (sizes[i]! < sizes[smallest]!) smallest = i;
    return !isIntset(keys[smallest]!);
  }
  if (name === "SUNION" || name === "SDIFF") {
    // The reply lists a result set built as the STORE form would build it.
    const probe = "__order_probe";
    kv.raw(`${name}STORE`, probe, ...argv.slice(1));
    const hashOrder = kv.raw("EXISTS", probe) === ":1\r\n" && !isIntset(probe);
    kv.raw("DEL", probe);
    return hashOrder;
  }
  return false;
}

function elementsOf(raw: string): string[] {
  const reply = decode(raw);
  if (reply.type === "bulk") return [reply.value.toString("latin1")];
  if (reply.type !== "array" && reply.type !== "set") return [];
  return reply.value.map((item) => (item.type === "bulk" ? item.value.toString("latin1") : `<${item.type}>`));
}

/**
 * SPOP and SRANDMEMBER draw at random, so the two servers' replies cannot be compared byte
 * for byte. Instead: errors and reply headers must agree (SRANDMEMBER runs on both), every
 * member drawn must belong to the set, and distinct draws must be distinct. SPOP runs on kv
 * only; the members it popped are then removed from redis-server with SREM so that both
 * keyspaces stay the same.
 */
async function checkDraw(kv: TestHarness, redis: RedisConnection, argv: string[], protocol: 2 | 3): Promise<void> {
  const label = JSON.stringify(argv);
  const key = argv[1]!;
  const before = elementsOf(kv.raw("SMEMBERS", key));
  const isSet = kv.raw("TYPE", key) === "+set\r\n";
  const actual = kv.raw(...argv);
  const isPop = argv[0]!.toUpperCase() === "SPOP";
  const count = argv[2] === undefined ? undefined : Number(argv[2]);
  // Errors, missing keys and zero counts change nothing and answer the same on both sides.
  if (!isPop || actual.startsWith("-") || !isSet || count === 0) {
    const [expected] = await redis.send(argv);
    if (actual.startsWith("-") || expected!.startsWith("-") || !isSet || count === 0) {
      expect(actual, label).toBe(expected);
      return;
    }
    // The same reply type, and for arrays the same length (a bulk's length is the member's).
    const header = (raw: string): string => (raw.startsWith("$") ? "$" : raw.slice(0, raw.indexOf("\r\n")));
    expect(header(actual), label).toBe(header(expected!));
  }
  const drawn = elementsOf(actual);
  for (const member of drawn) expect(before, label).toContain(member);
  const distinct = isPop || (count !== undefined && count > 0);
  if (distinct) expect(new Set(drawn).size, label).toBe(drawn.length);
  if (count !== undefined) {
    const length = count < 0 ? -count : Math.min(count, before.length);
    expect(drawn.length, label).toBe(length);
    // SPOP with a count replies a set (RESP3 ~), SRANDMEMBER an array.
    expect(actual[0], label).toBe(isPop && protocol === 3 ? "~" : "*");
  } else {
    expect(actual[0], label).toBe("$");
  }
  if (isPop) {
    const [removed] = await redis.send(["SREM", key, ...drawn]);
    expect(removed, label).toBe(`:${drawn.length}\r\n`);
  }
}

// ---------------------------------------------------------------------------------------
// Random commands
// ---------------------------------------------------------------------------------------

const SET_KEYS = ["s1", "s2", "s3", "s4", "str"];
const MEMBERS = [
  "0", "1", "2", "3", "5", "8", "13", "-1", "-7", "42", "100",
  "9223372036854775807", "-9223372036854775808", "9223372036854775808", "9007199254740993",
  "01", "-0", "+1", " 1", "1.5", "a", "b", "c", "hello", "", "bin\x00\xff", "x".repeat(70),
];

type Random = () => number;

function randomCommand(random: Random): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const key = (): string => pick(SET_KEYS);
  // s1 and s2 mostly get integers, so that they often stay intsets.
  const member = (forKey = ""): string =>
    random() < (forKey === "s1" || forKey === "s2" ? 0.97 : 0.35) ? String(Math.floor(random() * 40) - 5) : pick(MEMBERS);
  const members = (min: number, max: number, forKey = ""): string[] =>
    Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => member(forKey));
  const keys = (min: number, max: number): string[] => Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, key);
  const count = (): string => pick(["0", "1", "2", "3", "5", "10", "100", "-1", "-3", "-10", "abc", "1.5"]);
  const roll = random() * 100;
  if (roll < 20) {
    const target = key();
    return ["SADD", target, ...members(1, 6, target)];
  }
  if (roll < 30) return ["SREM", key(), ...members(1, 4)];
  if (roll < 34) return ["SCARD", key()];
  if (roll < 38) return ["SISMEMBER", key(), member()];
  if (roll < 41) return ["SMISMEMBER", key(), ...members(1, 4)];
  if (roll < 45) return ["SMEMBERS", key()];
  if (roll < 50) return ["SMOVE", key(), key(), member()];
  if (roll < 54) return ["SINTER", ...keys(1, 3)];
  if (roll < 57) {
    const chosen = keys(1, 3);
    return ["SINTERCARD", String(chosen.length), ...chosen, ...(random() < 0.5 ? ["LIMIT", count()] : [])];
  }
  if (roll < 61) return ["SINTERSTORE", key(), ...keys(1, 3)];
  if (roll < 65) return ["SUNION", ...keys(1, 3)];
  if (roll < 69) return ["SUNIONSTORE", key(), ...keys(1, 3)];
  if (roll < 73) return ["SDIFF", ...keys(1, 4)];
  if (roll < 77) return ["SDIFFSTORE", key(), ...keys(1, 4)];
  if (roll < 82) return ["SPOP", key(), ...(random() < 0.7 ? [count()] : [])];
  if (roll < 88) return ["SRANDMEMBER", key(), ...(random() < 0.7 ? [count()] : [])];
  if (roll < 92) return ["SSCAN", key(), "0", "COUNT", "1000", ...(random() < 0.5 ? ["MATCH", pick(["*1*", "?", "[a-c]", "*"])] : [])];
  if (roll < 95) return ["OBJECT", "ENCODING", key()];
  if (roll < 97) return ["DEL", key()];
  if (roll < 98) return ["SET", "str", "x"];
  return ["COPY", key(), key(), "REPLACE"];
}
