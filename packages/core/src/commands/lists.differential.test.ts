import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeMismatch, DifferentialSession, seeded } from "../test-support/differential-session.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";

/*
 * The lists family against a live redis-server 7.0 (skipped when none is installed). The
 * same commands go to a fresh kv engine and to a flushed redis-server, in RESP2 and RESP3,
 * and every reply must be the same bytes: list replies are fully deterministic. After each
 * run the contents of every key are compared too.
 */


const LONG_MAX = "9223372036854775807";
const LONG_MIN = "-9223372036854775808";
const KEYS = ["l1", "l2", "l3", "str", "big"];

const scenarios: Record<string, string[][]> = {
  "push and pop": [
    ["LPUSH", "l", "a", "b"],
    ["RPUSH", "l", "c", "1", "-2", "007", "\x00\xff", ""],
    ["LPUSHX", "l", "x"],
    ["RPUSHX", "nokey", "x"],
    ["LPOP", "l"],
    ["RPOP", "l", "2"],
    ["LPOP", "l", "0"],
    ["LPOP", "nokey", "2"],
    ["LPOP", "nokey", "0"],
    ["LPOP", "nokey"],
    ["LPOP", "l", "-1"],
    ["LPOP", "l", "abc"],
    ["LPOP", "l", "1", "2"],
    ["RPOP", "l", LONG_MAX],
    ["EXISTS", "l"],
    ["SET", "str", "v"],
    ["LPUSH", "str", "a"],
    ["LPUSHX", "str", "a"],
    ["LPOP", "str", "0"],
    ["RPOP", "str"],
    ["TYPE", "str"],
  ],
  LMPOP: [
    ["RPUSH", "a", "1", "2", "3"],
    ["RPUSH", "b", "x", "y"],
    ["SET", "str", "v"],
    ["LMPOP", "0", "a", "LEFT"],
    ["LMPOP", "abc", "a", "LEFT"],
    ["LMPOP", "-1", "a", "LEFT"],
    ["LMPOP", "3", "a", "LEFT"],
    ["LMPOP", "2", "a", "LEFT"],
    ["LMPOP", LONG_MAX, "a", "LEFT"],
    ["LMPOP", "9223372036854775808", "a", "LEFT"],
    ["LMPOP", "2147483648", "a", "LEFT"],
    ["LMPOP", "1", "a", "MIDDLE"],
    ["LMPOP", "1", "a", "LEFT", "COUNT", "0"],
    ["LMPOP", "1", "a", "LEFT", "COUNT", "-5"],
    ["LMPOP", "1", "a", "LEFT", "COUNT", "x"],
    ["LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"],
    ["LMPOP", "1", "a", "LEFT", "COUNT"],
    ["LMPOP", "1", "a", "LEFT", "BAD"],
    ["LMPOP", "2", "none", "str", "LEFT"],
    ["LMPOP", "2", "str", "a", "LEFT"],
    ["LMPOP", "3", "none", "a", "b", "left"],
    ["LMPOP", "2", "a", "b", "Right", "count", "5"],
    ["LMPOP", "2", "a", "b", "LEFT", "COUNT", LONG_MAX],
    ["LMPOP", "2", "a", "b", "LEFT"],
    ["EXISTS", "a", "b"],
  ],
  "LINDEX, LSET, LRANGE, LTRIM": [
    ["RPUSH", "l", "1", "2", "3", "4", "5"],
    ["SET", "str", "v"],
    ["LINDEX", "l", "0"],
    ["LINDEX", "l", "-1"],
    ["LINDEX", "l", "-5"],
    ["LINDEX", "l", "-6"],
    ["LINDEX", "l", "5"],
    ["LINDEX", "l", LONG_MIN],
    ["LINDEX", "l", LONG_MAX],
    ["LINDEX", "l", "abc"],
    ["LINDEX", "nokey", "abc"],
    ["LINDEX", "str", "abc"],
    ["LSET", "l", "-1", "last"],
    ["LSET", "l", "5", "x"],
    ["LSET", "l", "-6", "x"],
    ["LSET", "l", "abc", "x"],
    ["LSET", "nokey", "0", "x"],
    ["LSET", "str", "abc", "x"],
    ["LRANGE", "l", "0", "-1"],
    ["LRANGE", "l", "-100", "100"],
    ["LRANGE", "l", "3", "2"],
    ["LRANGE", "l", LONG_MIN, LONG_MAX],
    ["LRANGE", "l", LONG_MAX, LONG_MIN],
    ["LRANGE", "l", "abc", "1"],
    ["LRANGE", "nokey", "0", "-1"],
    ["LRANGE", "str", "0", "-1"],
    ["LRANGE", "str", "0", "x"],
    ["LTRIM", "l", "0", "-1"],
    ["LTRIM", "l", "1", "-2"],
    ["LRANGE", "l", "0", "-1"],
    ["LTRIM", "l", LONG_MIN, LONG_MAX],
    ["LTRIM", "l", "abc", "0"],
    ["LTRIM", "str", "0", "0"],
    ["LTRIM", "nokey", "0", "0"],
    ["LTRIM", "l", "2", "1"],
    ["EXISTS", "l"],
  ],
  "LINSERT, LPOS, LREM": [
    ["RPUSH", "l", "a", "b", "a", "c", "a", "b"],
    ["SET", "str", "v"],
    ["LINSERT", "l", "BEFORE", "a", "x"],
    ["LINSERT", "l", "after", "b", "y"],
    ["LINSERT", "l", "After", "nope", "z"],
    ["LINSERT", "l", "before\x00junk", "c", "w"],
    ["LINSERT", "l", "MIDDLE", "a", "z"],
    ["LINSERT", "str", "MIDDLE", "a", "z"],
    ["LINSERT", "str", "BEFORE", "a", "z"],
    ["LINSERT", "nokey", "BEFORE", "a", "z"],
    ["LRANGE", "l", "0", "-1"],
    ["LPOS", "l", "a"],
    ["LPOS", "l", "a", "RANK", "2"],
    ["LPOS", "l", "a", "RANK", "-1"],
    ["LPOS", "l", "a", "RANK", "-2", "COUNT", "0"],
    ["LPOS", "l", "a", "COUNT", "2", "MAXLEN", "3"],
    ["LPOS", "l", "a", "RANK", "1", "RANK", "3"],
    ["LPOS", "l", "a", "RANK", LONG_MIN],
    ["LPOS", "l", "a", "RANK", LONG_MIN, "COUNT", "1"],
    ["LPOS", "l", "a", "RANK", LONG_MIN, "COUNT", "2", "MAXLEN", "6"],
    ["LPOS", "l", "a", "RANK", "-9223372036854775807"],
    ["LPOS", "l", "a", "RANK", LONG_MAX, "COUNT", "0"],
    ["LPOS", "l", "a", "RANK", "0"],
    ["LPOS", "l", "a", "RANK", "x"],
    ["LPOS", "l", "a", "COUNT", "-1"],
    ["LPOS", "l", "a", "COUNT", "x"],
    ["LPOS", "l", "a", "MAXLEN", "-1"],
    ["LPOS", "l", "a", "MAXLEN", ""],
    ["LPOS", "l", "a", "COUNT"],
    ["LPOS", "l", "a", "BAD", "1"],
    ["LPOS", "l", "zz"],
    ["LPOS", "l", "zz", "COUNT", "0"],
    ["LPOS", "nokey", "a"],
    ["LPOS", "nokey", "a", "COUNT", "1"],
    ["LPOS", "str", "a"],
    ["LREM", "l", "1", "a"],
    ["LREM", "l", "-1", "b"],
    ["LREM", "l", "0", "a"],
    ["LREM", "l", LONG_MIN, "y"],
    ["LREM", "l", "x", "y"],
    ["LREM", "str", "1", "y"],
    ["LREM", "nokey", "1", "y"],
    ["LRANGE", "l", "0", "-1"],
    ["LREM", "l", "0", "x"],
    ["LREM", "l", "0", "b"],
    ["LREM", "l", "0", "c"],
    ["LREM", "l", "0", "w"],
    ["EXISTS", "l"],
  ],
  "LMOVE and RPOPLPUSH": [
    ["RPUSH", "l", "a", "b", "c"],
    ["SET", "str", "v"],
    ["LMOVE", "l", "l", "LEFT", "RIGHT"],
    ["LMOVE", "l", "m", "right", "left"],
    ["LMOVE", "l", "m", "Left", "Right"],
    ["LMOVE", "l", "m", "LEFT", "UP"],
    ["LMOVE", "l", "m", "UP", "LEFT"],
    ["LMOVE", "l", "str", "LEFT", "LEFT"],
    ["LMOVE", "str", "l", "LEFT", "LEFT"],
    ["LMOVE", "nokey", "l", "LEFT", "LEFT"],
    ["LMOVE", "nokey", "str", "LEFT", "LEFT"],
    ["RPOPLPUSH", "l", "m"],
    ["RPOPLPUSH", "m", "m"],
    ["RPOPLPUSH", "nokey", "m"],
    ["RPOPLPUSH", "m", "str"],
    ["LRANGE", "m", "0", "-1"],
    ["EXISTS", "l"],
    ["RPUSH", "one", "x"],
    ["LMOVE", "one", "one", "RIGHT", "LEFT"],
    ["LLEN", "one"],
    ["TYPE", "one"],
    ["OBJECT", "ENCODING", "one"],
  ],
};

/** Scenarios on long lists, built here so that chunk boundaries get crossed. */
function longListScenario(): string[][] {
  const commands: string[][] = [["RPUSH", "big", ...Array.from({ length: 2000 }, (_, i) => String(i % 13))]];
  for (let i = 0; i < 600; i++) commands.push(["LPUSH", "big", `f${i}`]);
  commands.push(
    ["OBJECT", "ENCODING", "big"],
    ["LINDEX", "big", "1300"],
    ["LINDEX", "big", "-1300"],
    ["LSET", "big", "1000", "set"],
    ["LINSERT", "big", "BEFORE", "12", "ins"],
    ["LINSERT", "big", "AFTER", "set", "ins2"],
    ["LREM", "big", "5", "7"],
    ["LREM", "big", "-5", "8"],
    ["LREM", "big", "0", "3"],
    ["LPOS", "big", "9", "RANK", "-3", "COUNT", "4"],
    ["LPOS", "big", "9", "COUNT", "0", "MAXLEN", "700"],
    ["LRANGE", "big", "590", "650"],
    ["LTRIM", "big", "300", "-300"],
    ["LLEN", "big"],
    ["LPOP", "big", "900"],
    ["RPOP", "big", "300"],
    ["LRANGE", "big", "0", "-1"],
    ["LMPOP", "1", "big", "RIGHT", "COUNT", "10000"],
    ["EXISTS", "big"],
  );
  return commands;
}

function randomCommand(random: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const key = () => pick(KEYS);
  const element = () => pick(["a", "b", "c", "1", "-1", "007", "", "\x00", "x".repeat(70)]);
  const elements = () => Array.from({ length: 1 + Math.floor(random() * 4) }, element);
  const index = () =>
    random() < 0.8 ? String(Math.floor(random() * 21) - 10) : pick([LONG_MAX, LONG_MIN, "abc", "", "1.5", "+1", "-0"]);
  const count = () => (random() < 0.8 ? String(Math.floor(random() * 6)) : pick(["-1", LONG_MAX, "abc", "0"]));
  const side = () => pick(["LEFT", "RIGHT", "left", "Right", "UP"]);
  switch (Math.floor(random() * 17)) {
    case 0:
      return ["LPUSH", key(), ...elements()];
    case 1:
      return ["RPUSH", key(), ...elements()];
    case 2:
      return [pick(["LPUSHX", "RPUSHX"]), key(), ...elements()];
    case 3:
      return [pick(["LPOP", "RPOP"]), key(), ...(random() < 0.5 ? [] : [count()])];
    case 4: {
      const keys = Array.from({ length: 1 + Math.floor(random() * 3) }, key);
      const numkeys = random() < 0.9 ? String(keys.length) : pick(["0", "5", "-1", "x"]);
      return ["LMPOP", numkeys, ...keys, side(), ...(random() < 0.5 ? [] : ["COUNT", count()])];
    }
    case 5:
      return ["LLEN", key()];
    case 6:
      return ["LINDEX", key(), index()];
    case 7:
      return ["LSET", key(), index(), element()];
    case 8:
      return ["LRANGE", key(), index(), index()];
    case 9:
      return ["LTRIM", key(), index(), index()];
    case 10:
      return ["LINSERT", key(), pick(["BEFORE", "AFTER", "after", "MIDDLE"]), element(), element()];
    case 11: {
      const options: string[] = [];
      if (random() < 0.4) options.push("RANK", random() < 0.8 ? pick(["1", "2", "-1", "-2", "3"]) : pick(["0", LONG_MIN, "x"]));
      if (random() < 0.4) options.push("COUNT", count());
      if (random() < 0.3) options.push("MAXLEN", count());
      if (random() < 0.05) options.push("BAD");
      return ["LPOS", key(), element(), ...options];
    }
    case 12:
      return ["LREM", key(), index(), element()];
    case 13:
      return ["LMOVE", key(), key(), side(), side()];
    case 14:
      return ["RPOPLPUSH", key(), key()];
    case 15:
      return [pick(["TYPE", "EXISTS", "OBJECT"]), ...(random() < 0.3 ? ["ENCODING"] : []), key()].slice(0, 3);
    default:
      return random() < 0.5 ? ["SET", "str", "v"] : ["DEL", key()];
  }
}

describe.skipIf(!redisServerAvailable)("lists against redis-server 7.0", () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await RealRedis.start();
  });
  afterAll(() => redis?.stop());

  /** Runs the commands on both sides; returns every difference, then the final contents of `keys`. */
  async function runAll(commands: string[][], resp3: boolean, keys: string[]): Promise<string[]> {
    const session = await DifferentialSession.open(redis, resp3);
    const mismatches: string[] = [];
    try {
      const compare = async (argv: string[]): Promise<void> => {
        const [actual, expected] = await session.both(argv);
        if (actual !== expected) mismatches.push(describeMismatch(argv, actual, expected));
      };
      for (const argv of commands) await compare(argv);
      for (const key of keys) {
        await compare(["TYPE", key]);
        await compare(["LRANGE", key, "0", "-1"]);
      }
    } finally {
      session.close();
    }
    return mismatches;
  }

  const keysIn = (commands: string[][]): string[] => [...new Set(commands.map((argv) => argv[1]!))].filter((key) => key !== undefined);

  for (const [name, commands] of [...Object.entries(scenarios), ["long lists", longListScenario()] as const]) {
    for (const resp3 of [false, true]) {
      it(`${name} (RESP${resp3 ? 3 : 2})`, async () => {
        expect(await runAll(commands, resp3, keysIn(commands))).toEqual([]);
      });
    }
  }

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const resp3 = seed % 2 === 0;
    // From seed 7 on, two keys start long (in kv's chunked layout) so random edits hit it too.
    const long = seed >= 7;
    it(`400 random list commands, seed ${seed}${long ? ", long lists" : ""} (RESP${resp3 ? 3 : 2})`, async () => {
      const random = seeded(seed);
      const setup = long ? ["l1", "l2"].map((key) => ["RPUSH", key, ...Array.from({ length: 1500 }, (_, i) => ["a", "b", "c", "1", "-1"][i % 5]!)]) : [];
      const commands = [...setup, ...Array.from({ length: 400 }, () => randomCommand(random))];
      expect(await runAll(commands, resp3, KEYS)).toEqual([]);
    });
  }
});
