import type { Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRawReply, describeMismatch, DifferentialSession, seeded } from "../test-support/differential-session.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";
import { HashValue } from "../types/hash-value.js";

/*
 * The hashes family against a live redis-server 7.0 (skipped when none is installed). The
 * same commands go to a fresh kv engine and to a flushed redis-server, in RESP2 and RESP3,
 * and every reply must be the same bytes, except where Redis itself is not deterministic:
 * - HGETALL/HKEYS/HVALS of a hashtable-encoded hash come in dict order: compared as multisets
 *   (listpack-encoded hashes are ordered, and compared byte for byte);
 * - HSCAN of a hashtable-encoded hash: both sides are walked to the end and the pairs compared;
 * - HRANDFIELD: errors exactly, otherwise both replies are checked for what must hold
 *   (length, membership, distinctness for a positive count, values matching their fields).
 */


const decode = decodeRawReply;

function text(reply: Reply | undefined): string {
  if (reply?.type !== "bulk") throw new Error(`expected a bulk string, got ${JSON.stringify(reply)}`);
  return reply.value.toString("latin1");
}

/** Every element of an array reply (or every key and value of a map, flattened) as text. */
function flatTexts(reply: Reply): string[] {
  if (reply.type === "map") return reply.value.flatMap(([field, value]) => [text(field), text(value)]);
  if (reply.type !== "array") throw new Error(`expected an array, got ${reply.type}`);
  return reply.value.map(text);
}

/** Pairs of a flat field/value list, sorted, as one comparable string each. */
function sortedPairs(flat: string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push(JSON.stringify([flat[i], flat[i + 1]]));
  return pairs.sort();
}

const isError = (raw: string): boolean => raw.startsWith("-");

class Session extends DifferentialSession {
  static override async open(redis: RealRedis, resp3: boolean): Promise<Session> {
    const [h, real] = await DifferentialSession.connect(redis, resp3, [["hash-max-listpack-entries", "512"], ["hash-max-listpack-value", "64"]]);
    return new Session(h, real, resp3);
  }

  /** kv's hash at `key` (after the command ran), or undefined. */
  hash(key: string): HashValue | undefined {
    const value = this.h.engine.keyspace.db(0).peek(key);
    return value instanceof HashValue ? value : undefined;
  }

  /** Runs one command on both sides and returns a mismatch description, or undefined. */
  async check(argv: string[]): Promise<string | undefined> {
    const [actual, expected] = await this.both(argv);
    if (actual === expected) return undefined;
    const mismatch = describeMismatch(argv, actual, expected);
    if (isError(actual) || isError(expected)) return mismatch;
    const name = argv[0]!.toLowerCase();
    const key = argv[1]!;
    const hash = this.hash(key);
    const explained = (problem: string | undefined): string | undefined => (problem === undefined ? undefined : `${mismatch} (${problem})`);
    if (name === "hrandfield") return explained(this.checkRandomField(argv, actual, expected, hash));
    if (hash === undefined || hash.listpack) return mismatch;
    if (name === "hgetall") return sortedPairs(flatTexts(decode(actual))).join() === sortedPairs(flatTexts(decode(expected))).join() ? undefined : mismatch;
    if (name === "hkeys" || name === "hvals") return flatTexts(decode(actual)).sort().join() === flatTexts(decode(expected)).sort().join() ? undefined : mismatch;
    if (name === "hscan") return explained(await this.checkFullScan(key));
    return mismatch;
  }

  /** Walks a hashtable-encoded hash with HSCAN to the end on both sides; the pairs must match. */
  private async checkFullScan(key: string): Promise<string | undefined> {
    const walk = async (send: (argv: string[]) => Promise<string>): Promise<string[]> => {
      const flat: string[] = [];
      let cursor = "0";
      do {
        const page = decode(await send(["HSCAN", key, cursor, "COUNT", "7"]));
        if (page.type !== "array") throw new Error("HSCAN page is not an array");
        cursor = text(page.value[0]);
        flat.push(...flatTexts(page.value[1]!));
      } while (cursor !== "0");
      return sortedPairs(flat);
    };
    const mine = await walk((argv) => Promise.resolve(this.h.raw(...argv)));
    const theirs = await walk(async (argv) => (await this.real.send(argv))[0]!);
    return mine.join() === theirs.join() ? undefined : "full HSCAN walks differ";
  }

  /** What any correct HRANDFIELD reply satisfies; returns a failure or undefined. */
  private checkRandomField(argv: string[], kv: string, redis: string, hash: HashValue | undefined): string | undefined {
    for (const raw of [kv, redis]) {
      const failure = randomFieldProblem(argv, decode(raw), hash, this.resp3);
      if (failure !== undefined) return `${failure} in ${JSON.stringify(raw)}`;
    }
    return undefined;
  }
}

function randomFieldProblem(argv: string[], reply: Reply, hash: HashValue | undefined, resp3: boolean): string | undefined {
  const entries = hash?.entries ?? new Map<string, string>();
  if (argv.length === 2) {
    if (hash === undefined) return reply.type === "null" ? undefined : "expected null";
    return entries.has(text(reply)) ? undefined : "not a field";
  }
  const count = Number(argv[2]);
  const withValues = argv.length === 4;
  if (reply.type !== "array") return "expected an array";
  const expectedLength = hash === undefined || count === 0 ? 0 : count > 0 ? Math.min(count, entries.size) : -count;
  const picks: [string, string | undefined][] = [];
  if (withValues && resp3) {
    for (const item of reply.value) {
      if (item.type !== "array" || item.value.length !== 2) return "expected [field, value] pairs";
      picks.push([text(item.value[0]), text(item.value[1])]);
    }
  } else {
    const flat = reply.value.map(text);
    for (let i = 0; i < flat.length; i += withValues ? 2 : 1) picks.push([flat[i]!, withValues ? flat[i + 1] : undefined]);
  }
  if (picks.length !== expectedLength) return `expected ${expectedLength} picks, got ${picks.length}`;
  for (const [field, value] of picks) {
    if (!entries.has(field)) return `${JSON.stringify(field)} is not a field`;
    if (withValues && entries.get(field) !== value) return `wrong value for ${JSON.stringify(field)}`;
  }
  if (count > 0 && new Set(picks.map(([field]) => field)).size !== picks.length) return "repeated field for a positive count";
  return undefined;
}

const KEYS = ["h1", "h2", "h3", "s"];
const FIELDS = ["f0", "f1", "f2", "f3", "f4", "f5", "", "1", "-1", "n", "bin\x00\xff", "x".repeat(64), "y".repeat(65)];
const VALUES = [
  "v", "", "0", "1", "-5", "42", "9223372036854775807", "-9223372036854775808", "007", " 1", "1.5", "0.1", "-0",
  "1e3", "inf", "abc", "a\r\nb", "z".repeat(64), "z".repeat(65), "3.0000000000000000001",
];
const INTEGERS = ["1", "-1", "0", "10", "-100", "9223372036854775807", "-9223372036854775808", "abc", "1.5", "", "+1", "007", "9223372036854775808"];
const FLOATS = ["1", "-1", "0.1", "0.2", "2.5e3", "-0", "1e308", "1.7976931348623157e308", "inf", "-inf", "nan", "abc", "", " 1", "0x10", "1e400"];
/** No large negative counts: both servers would try to build a reply that many picks long. */
const COUNTS = ["0", "1", "2", "3", "5", "100", "-1", "-3", "-7", "abc", "1.5", "-9223372036854775808", "9223372036854775807", "4611686018427387904"];
const PATTERNS = ["*", "f*", "f[0-2]", "?", "*\x00*", "nomatch", "", "[", "\\*"];

function randomCommand(random: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const several = <T>(items: readonly T[], min: number, max: number): T[] => Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick(items));
  const key = random() < 0.92 ? pick(KEYS.slice(0, 3)) : "s";
  const field = (): string => pick(FIELDS);
  switch (Math.floor(random() * 20)) {
    case 0:
    case 1:
    case 2:
      return ["HSET", key, ...several(FIELDS, 1, 4).flatMap((f) => [f, pick(VALUES)]), ...(random() < 0.05 ? ["dangling"] : [])];
    case 3:
      return ["HMSET", key, ...several(FIELDS, 1, 3).flatMap((f) => [f, pick(VALUES)])];
    case 4:
      return ["HSETNX", key, field(), pick(VALUES)];
    case 5:
      return ["HGET", key, field()];
    case 6:
      return ["HMGET", key, ...several(FIELDS, 1, 4)];
    case 7:
      return ["HDEL", key, ...several(FIELDS, 1, 3)];
    case 8:
      return pick([["HLEN", key], ["TYPE", key], ["EXISTS", key]]);
    case 9:
      return [pick(["HSTRLEN", "HEXISTS"]), key, field()];
    case 10:
    case 11:
      return [pick(["HKEYS", "HVALS", "HGETALL"]), key];
    case 12:
    case 13:
      return ["HINCRBY", key, field(), pick(INTEGERS)];
    case 14:
      return ["HINCRBYFLOAT", key, field(), pick(FLOATS)];
    case 15:
    case 16: {
      const argv = ["HRANDFIELD", key];
      if (random() < 0.8) argv.push(pick(COUNTS));
      if (argv.length === 3 && random() < 0.5) argv.push(pick(["WITHVALUES", "withvalues", "WITHVALUE", "x"]));
      if (random() < 0.03) argv.push("extra");
      return argv;
    }
    case 17: {
      const argv = ["HSCAN", key, random() < 0.85 ? "0" : pick(["abc", "-1", "", "18446744073709551616", "123"])];
      if (random() < 0.5) argv.push("MATCH", pick(PATTERNS));
      if (random() < 0.4) argv.push("COUNT", pick(["1", "2", "10", "0", "-1", "abc"]));
      if (random() < 0.05) argv.push(pick(["TYPE", "NOVALUES", "MATCH"]));
      return argv;
    }
    case 18:
      return random() < 0.5 ? ["DEL", key] : ["SET", "s", "string"];
    default:
      return ["OBJECT", "ENCODING", key];
  }
}

const scenarios: Record<string, string[][]> = {
  "HSET, HMSET, HSETNX, HGET, HMGET": [
    ["HSET", "h", "a", "1", "b", "2"],
    ["HSET", "h", "a", "3", "c", "4", "c", "5"],
    ["HSET", "h", "a"],
    ["HSET", "h", "a", "1", "b"],
    ["HMSET", "h", "a", "1", "b"],
    ["HMSET", "h", "d", "6"],
    ["HSETNX", "h", "a", "x"],
    ["HSETNX", "h", "z", "x"],
    ["HSETNX", "new", "f", "v"],
    ["HGET", "h", "a"],
    ["HGET", "h", "nope"],
    ["HGET", "nokey", "a"],
    ["HMGET", "h", "a", "nope", "b", "a"],
    ["HMGET", "nokey", "a", "b"],
    ["HGETALL", "h"],
    ["HSET", "bin", "\x00\xff\r\n", "\r\n\x00", "", ""],
    ["HGETALL", "bin"],
    ["HGET", "bin", ""],
  ],
  "wrong types": [
    ["SET", "s", "v"],
    ...[
      ["HSET", "s", "a", "1"], ["HMSET", "s", "a", "1"], ["HSETNX", "s", "a", "1"], ["HGET", "s", "a"], ["HMGET", "s", "a"],
      ["HDEL", "s", "a"], ["HLEN", "s"], ["HSTRLEN", "s", "a"], ["HEXISTS", "s", "a"], ["HKEYS", "s"], ["HVALS", "s"],
      ["HGETALL", "s"], ["HINCRBY", "s", "a", "1"], ["HINCRBYFLOAT", "s", "a", "1"], ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "2"],
      ["HSCAN", "s", "0"], ["HSCAN", "s", "0", "COUNT", "0"],
    ],
    ["HSET", "h", "a", "1"],
    ["GET", "h"],
    ["INCR", "h"],
    ["TYPE", "h"],
  ],
  "HDEL, HLEN, HSTRLEN, HEXISTS": [
    ["HSET", "h", "a", "1", "b", "hello", "c", "3"],
    ["HLEN", "h"],
    ["HSTRLEN", "h", "b"],
    ["HSTRLEN", "h", "nope"],
    ["HSTRLEN", "nokey", "b"],
    ["HEXISTS", "h", "a"],
    ["HEXISTS", "h", "nope"],
    ["HEXISTS", "nokey", "a"],
    ["HDEL", "h", "nope"],
    ["HDEL", "h", "a", "a", "nope"],
    ["HDEL", "nokey", "a"],
    ["HDEL", "h", "b", "c", "b"],
    ["EXISTS", "h"],
    ["HLEN", "h"],
    ["HLEN", "nokey"],
  ],
  "order: overwrite keeps the position, re-added fields go last": [
    ["HSET", "h", "a", "1", "b", "2", "c", "3"],
    ["HSET", "h", "a", "9"],
    ["HDEL", "h", "b"],
    ["HSET", "h", "b", "7", "d", "4"],
    ["HGETALL", "h"],
    ["HKEYS", "h"],
    ["HVALS", "h"],
    ["HSCAN", "h", "0"],
    ["HSCAN", "h", "12345", "COUNT", "1"],
    ["HSCAN", "h", "0", "MATCH", "[ab]"],
    ["HKEYS", "nokey"],
    ["HVALS", "nokey"],
    ["HGETALL", "nokey"],
  ],
  HINCRBY: [
    ["HINCRBY", "h", "n", "5"],
    ["HINCRBY", "h", "n", "-15"],
    ["HINCRBY", "h", "n", "abc"],
    ["HINCRBY", "nokey", "n", "abc"],
    ["EXISTS", "nokey"],
    ["HSET", "h", "s", "abc", "sp", " 1", "z", "007", "max", "9223372036854775807", "min", "-9223372036854775808"],
    ["HINCRBY", "h", "s", "1"],
    ["HINCRBY", "h", "sp", "1"],
    ["HINCRBY", "h", "z", "1"],
    ["HINCRBY", "h", "max", "1"],
    ["HINCRBY", "h", "max", "0"],
    ["HINCRBY", "h", "min", "-1"],
    ["HINCRBY", "h", "min", "9223372036854775807"],
    ["HINCRBY", "h", "n", "9223372036854775808"],
    ["HINCRBY", "h", "n", "+1"],
    ["HGETALL", "h"],
  ],
  HINCRBYFLOAT: [
    ["HINCRBYFLOAT", "f", "a", "0.1"],
    ["HINCRBYFLOAT", "f", "a", "0.2"],
    ["HINCRBYFLOAT", "f", "b", "10.5"],
    ["HINCRBYFLOAT", "f", "b", "0.1"],
    ["HINCRBYFLOAT", "f", "c", "1.7976931348623157e308"],
    ["HINCRBYFLOAT", "f", "c", "1.7976931348623157e308"],
    ["HINCRBYFLOAT", "f", "d", "5.0e3"],
    ["HINCRBYFLOAT", "f", "e", "0x10"],
    ["HINCRBYFLOAT", "f", "g", "-0"],
    ["HINCRBYFLOAT", "f", "g", "inf"],
    ["HINCRBYFLOAT", "f", "g", "-inf"],
    ["HINCRBYFLOAT", "f", "g", "nan"],
    ["HINCRBYFLOAT", "f", "g", "abc"],
    ["HINCRBYFLOAT", "f", "g", ""],
    ["HINCRBYFLOAT", "f", "g", "1e400"],
    ["HINCRBYFLOAT", "nokey", "g", "inf"],
    ["EXISTS", "nokey"],
    ["HSET", "f", "i", "inf", "s", "abc", "sp", " 1", "n", "10"],
    ["HINCRBYFLOAT", "f", "i", "1"],
    ["HINCRBYFLOAT", "f", "s", "1"],
    ["HINCRBYFLOAT", "f", "sp", "1"],
    ["HINCRBYFLOAT", "f", "n", "1.5"],
    ["HINCRBYFLOAT", "f", "big", "1e100"],
    ["OBJECT", "ENCODING", "f"],
    ["HGETALL", "f"],
  ],
  "HRANDFIELD argument errors": [
    ["HSET", "h", "a", "1"],
    ["HRANDFIELD", "h", "abc"],
    ["HRANDFIELD", "h", "abc", "x"],
    ["HRANDFIELD", "h", "-9223372036854775808"],
    ["HRANDFIELD", "h", "-9223372036854775808", "x"],
    ["HRANDFIELD", "h", "1", "x"],
    ["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
    ["HRANDFIELD", "h", "1", "withvalues\x00junk"],
    ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"],
    ["HRANDFIELD", "h", "9223372036854775807"],
    ["HRANDFIELD", "h", "0"],
    ["HRANDFIELD", "h", "0", "WITHVALUES"],
    ["HRANDFIELD", "nokey"],
    ["HRANDFIELD", "nokey", "3"],
    ["HRANDFIELD", "nokey", "-3", "WITHVALUES"],
    ["HRANDFIELD", "h"],
    ["HRANDFIELD", "h", "-3"],
    ["HRANDFIELD", "h", "-2", "WITHVALUES"],
    ["HSET", "h", "b", "2", "c", "3"],
    ["HRANDFIELD", "h", "3", "WITHVALUES"],
    ["HRANDFIELD", "h", "10"],
  ],
  "HSCAN errors": [
    ["HSCAN", "nokey", "abc"],
    ["HSCAN", "nokey", "0", "COUNT", "0"],
    ["HSCAN", "nokey", "0", "BAD"],
    ["HSET", "h", "a", "1"],
    ["HSCAN", "h", "abc"],
    ["HSCAN", "h", "-1"],
    ["HSCAN", "h", ""],
    ["HSCAN", "h", "18446744073709551616"],
    ["HSCAN", "h", "0", "COUNT", "0"],
    ["HSCAN", "h", "0", "COUNT", "-1"],
    ["HSCAN", "h", "0", "COUNT", "abc"],
    ["HSCAN", "h", "0", "COUNT"],
    ["HSCAN", "h", "0", "MATCH"],
    ["HSCAN", "h", "0", "TYPE", "string"],
    ["HSCAN", "h", "0", "NOVALUES"],
    ["HSCAN", "h", "0", "match", "*", "count", "5"],
  ],
  "encoding conversions": [
    ["HSET", "a", "f", "x".repeat(64)],
    ["OBJECT", "ENCODING", "a"],
    ["HSET", "a", "g", "x".repeat(65)],
    ["OBJECT", "ENCODING", "a"],
    ["HDEL", "a", "g"],
    ["OBJECT", "ENCODING", "a"],
    ["HSET", "b", "k".repeat(65), "1"],
    ["OBJECT", "ENCODING", "b"],
    ["HINCRBY", "c", "k".repeat(65), "1"],
    ["OBJECT", "ENCODING", "c"],
    ["HINCRBYFLOAT", "d", "f", "1e70"],
    ["OBJECT", "ENCODING", "d"],
    ["HSET", "e", "f", "v"],
    ["HSETNX", "e", "f", "v".repeat(100)],
    ["OBJECT", "ENCODING", "e"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "2"],
    ["HSET", "e", "g", "1", "h", "2"],
    ["OBJECT", "ENCODING", "e"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "0"],
    ["HSET", "z", "f", "v"],
    ["OBJECT", "ENCODING", "z"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
    ["COPY", "a", "a2"],
    ["OBJECT", "ENCODING", "a2"],
    ["RENAME", "e", "e2"],
    ["OBJECT", "ENCODING", "e2"],
    ["DEL", "a"],
    ["HSET", "a", "f", "v"],
    ["OBJECT", "ENCODING", "a"],
    ["TYPE", "a"],
    ["SCAN", "0", "TYPE", "hash", "MATCH", "a"],
  ],
  "512 entries stay a listpack, 513 do not": [
    ["HSET", "big", ...Array.from({ length: 512 }, (_, i) => [`field:${i}`, String(i)]).flat()],
    ["OBJECT", "ENCODING", "big"],
    ["HGETALL", "big"],
    ["HSCAN", "big", "0", "COUNT", "3"],
    ["HSET", "big", "field:511", "x"],
    ["OBJECT", "ENCODING", "big"],
    ["HSET", "big", "field:512", "x"],
    ["OBJECT", "ENCODING", "big"],
    ["HLEN", "big"],
    ["HDEL", "big", ...Array.from({ length: 500 }, (_, i) => `field:${i}`)],
    ["OBJECT", "ENCODING", "big"],
    ["HGETALL", "big"],
    ["HKEYS", "big"],
    ["HVALS", "big"],
    ["HSCAN", "big", "0", "COUNT", "1000"],
    ["HSCAN", "big", "0", "MATCH", "field:50?"],
    ["HRANDFIELD", "big", "5", "WITHVALUES"],
    ["HRANDFIELD", "big", "12"],
    ["HRANDFIELD", "big", "-20", "WITHVALUES"],
    ["HRANDFIELD", "big", "20"],
  ],
  "expired hash": [
    ["HSET", "h", "a", "1"],
    ["PEXPIRE", "h", "1"],
    ["DEBUG", "SLEEP", "0.01"],
    ["HGET", "h", "a"],
    ["HSETNX", "h", "a", "2"],
    ["HGETALL", "h"],
    ["TTL", "h"],
    ["HSET", "h", "b", "1"],
    ["EXPIRE", "h", "100"],
    ["HINCRBY", "h", "b", "1"],
    ["TTL", "h"],
  ],
};

describe.skipIf(!redisServerAvailable)("hashes against redis-server 7.0", () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await RealRedis.start();
  });
  afterAll(() => redis?.stop());

  async function runAll(commands: string[][], resp3: boolean): Promise<string[]> {
    const session = await Session.open(redis, resp3);
    const mismatches: string[] = [];
    try {
      for (const argv of commands) {
        if (argv[0] === "DEBUG") {
          // kv has no DEBUG SLEEP need: wait on our side too, so both see the TTL pass.
          await session.real.send(argv);
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        const mismatch = await session.check(argv);
        if (mismatch !== undefined) mismatches.push(mismatch);
      }
    } finally {
      session.close();
    }
    return mismatches;
  }

  for (const [name, commands] of Object.entries(scenarios)) {
    for (const resp3 of [false, true]) {
      it(`${name} (RESP${resp3 ? 3 : 2})`, async () => {
        expect(await runAll(commands, resp3)).toEqual([]);
      });
    }
  }

  for (const seed of [1, 2, 3, 4]) {
    const resp3 = seed % 2 === 0;
    it(`300 random hash commands, seed ${seed} (RESP${resp3 ? 3 : 2})`, async () => {
      const random = seeded(seed);
      const commands = Array.from({ length: 300 }, () => randomCommand(random));
      expect(await runAll(commands, resp3)).toEqual([]);
    });
  }
});
