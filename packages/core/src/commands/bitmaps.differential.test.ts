import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DifferentialSession, seeded } from "../test-support/differential-session.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";

/*
 * The bitmap commands against a live redis-server 7.0 (skipped when none is installed):
 * hand-picked scenarios and a seeded random run, each on a fresh kv engine and a flushed
 * server, in RESP2 and RESP3. Every reply must be the same bytes, and so must the values
 * left behind (GET) and their encodings.
 */

/** KV_BITMAPS_SEED=<n> replays another random sequence. */
const RANDOM_SEED = Number(process.env.KV_BITMAPS_SEED ?? 0xb17);


const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

const scenarios: Record<string, string[][]> = {
  "SETBIT and GETBIT": [
    ["SETBIT", "b", "7", "1"],
    ["GET", "b"],
    ["SETBIT", "b", "7", "1"],
    ["SETBIT", "b", "7", "0"],
    ["SETBIT", "b", "100", "1"],
    ["GET", "b"],
    ["STRLEN", "b"],
    ["GETBIT", "b", "100"],
    ["GETBIT", "b", "101"],
    ["GETBIT", "b", "100000"],
    ["GETBIT", "nokey", "0"],
    ["SETBIT", "b", "0", "2"],
    ["SETBIT", "b", "0", "-1"],
    ["SETBIT", "b", "0", "x"],
    ["SETBIT", "b", "0", ""],
    ["SETBIT", "b", "0", "01"],
    ["SETBIT", "b", "-1", "1"],
    ["SETBIT", "b", "x", "1"],
    ["SETBIT", "b", "#1", "1"],
    ["SETBIT", "b", "4294967296", "1"],
    ["SETBIT", "b", "4294967295", "x"],
    ["SETBIT", "b", LLONG_MAX, "1"],
    ["GETBIT", "b", "4294967296"],
    ["GETBIT", "b", "4294967295"],
    ["GETBIT", "b", "-1"],
    ["GETBIT", "b", "1.5"],
    ["SET", "i", "123"],
    ["OBJECT", "ENCODING", "i"],
    ["GETBIT", "i", "2"],
    ["GETBIT", "i", "3"],
    ["OBJECT", "ENCODING", "i"],
    ["SETBIT", "i", "0", "0"],
    ["OBJECT", "ENCODING", "i"],
    ["GET", "i"],
    ["SET", "e", "abc"],
    ["SETBIT", "e", "1", "1"],
    ["OBJECT", "ENCODING", "e"],
    ["SETBIT", "new", "3", "0"],
    ["GET", "new"],
    ["OBJECT", "ENCODING", "new"],
    ["LPUSH", "list", "x"],
    ["SETBIT", "list", "0", "1"],
    ["SETBIT", "list", "x", "1"],
    ["SETBIT", "list", "0", "5"],
    ["GETBIT", "list", "0"],
    ["GETBIT", "list", "x"],
    ["SET", "t", "a", "EX", "1000"],
    ["SETBIT", "t", "100", "1"],
    ["TTL", "t"],
    ["SETBIT", "b"],
    ["GETBIT", "b"],
  ],
  BITCOUNT: [
    ["SET", "s", "foobar"],
    ["BITCOUNT", "s"],
    ["BITCOUNT", "s", "0", "0"],
    ["BITCOUNT", "s", "1", "1"],
    ["BITCOUNT", "s", "1", "1", "BYTE"],
    ["BITCOUNT", "s", "5", "30", "BIT"],
    ["BITCOUNT", "s", "5", "30", "bit"],
    ["BITCOUNT", "s", "0", "-1", "BIT"],
    ["BITCOUNT", "s", "-3", "-1", "BIT"],
    ["BITCOUNT", "s", "-100", "-1", "BIT"],
    ["BITCOUNT", "s", "3", "3", "BIT"],
    ["BITCOUNT", "s", "1", "6", "BIT"],
    ["BITCOUNT", "s", "9", "9", "BIT"],
    ["BITCOUNT", "s", "47", "47", "BIT"],
    ["BITCOUNT", "s", "47", "1000", "BIT"],
    ["BITCOUNT", "s", "48", "1000", "BIT"],
    ["BITCOUNT", "s", "-1", "-2"],
    ["BITCOUNT", "s", "-1", "-2", "FOO"],
    ["BITCOUNT", "s", "-2", "-1", "FOO"],
    ["BITCOUNT", "s", "2", "1"],
    ["BITCOUNT", "s", "-100", "100"],
    ["BITCOUNT", "s", "100", "200"],
    ["BITCOUNT", "s", LLONG_MIN, LLONG_MAX],
    ["BITCOUNT", "s", LLONG_MIN, LLONG_MAX, "BIT"],
    ["BITCOUNT", "s", "-9223372036854775807", LLONG_MIN],
    ["BITCOUNT", "s", "0"],
    ["BITCOUNT", "s", "0", "1", "BIT", "x"],
    ["BITCOUNT", "s", "x", "1"],
    ["BITCOUNT", "s", "0", "x"],
    ["BITCOUNT", "s", "0", "1", "bytes"],
    ["BITCOUNT", "s", "0", "1", "bit\u0000x"],
    ["BITCOUNT", "nokey"],
    ["BITCOUNT", "nokey", "x", "y"],
    ["BITCOUNT", "nokey", "0"],
    ["SET", "empty", ""],
    ["BITCOUNT", "empty"],
    ["BITCOUNT", "empty", "0", "-1", "BIT"],
    ["SET", "n", "-12345"],
    ["BITCOUNT", "n"],
    ["LPUSH", "list", "x"],
    ["BITCOUNT", "list"],
    ["BITCOUNT", "list", "x", "y"],
    ["SET", "big", "\xff".repeat(300) + "\x0f".repeat(301) + "\x80"],
    ["BITCOUNT", "big"],
    ["BITCOUNT", "big", "1", "-2"],
    ["BITCOUNT", "big", "13", "4811", "BIT"],
    ["BITCOUNT", "big", "3", "599"],
  ],
  BITPOS: [
    ["SET", "s", "\xff\xf0\x00"],
    ["BITPOS", "s", "0"],
    ["BITPOS", "s", "1"],
    ["BITPOS", "s", "0", "1"],
    ["BITPOS", "s", "1", "2"],
    ["BITPOS", "s", "0", "2", "-1"],
    ["BITPOS", "s", "1", "2", "-1"],
    ["BITPOS", "s", "0", "0", "0"],
    ["BITPOS", "s", "0", "0"],
    ["BITPOS", "s", "0", "7", "15", "BIT"],
    ["BITPOS", "s", "1", "7", "15", "BIT"],
    ["BITPOS", "s", "1", "12", "15", "BIT"],
    ["BITPOS", "s", "1", "13", "13", "BIT"],
    ["BITPOS", "s", "0", "3", "5", "BIT"],
    ["BITPOS", "s", "0", "5", "-1", "BIT"],
    ["BITPOS", "s", "0", "-5", "-1", "BIT"],
    ["BITPOS", "s", "1", "-5", "-1", "bit"],
    ["BITPOS", "s", "1", "0", "-1", "BYTE"],
    ["BITPOS", "s", "1", "10", "2", "BIT"],
    ["BITPOS", "s", "1", "100"],
    ["BITPOS", "s", "0", "100"],
    ["BITPOS", "s", "0", "-100"],
    ["BITPOS", "s", "1", "-100", "-50"],
    ["BITPOS", "s", "0", LLONG_MIN, LLONG_MAX, "BIT"],
    ["SET", "ones", "\xff\xff\xff"],
    ["BITPOS", "ones", "0"],
    ["BITPOS", "ones", "0", "1"],
    ["BITPOS", "ones", "0", "0", "-1"],
    ["BITPOS", "ones", "0", "0", "-1", "BIT"],
    ["BITPOS", "ones", "0", "3", "20", "BIT"],
    ["BITPOS", "ones", "1", "3", "20", "BIT"],
    ["SET", "zeros", "\x00\x00\x00"],
    ["BITPOS", "zeros", "1"],
    ["BITPOS", "zeros", "0"],
    ["BITPOS", "zeros", "1", "0", "-1", "BIT"],
    ["BITPOS", "zeros", "0", "9", "-1", "BIT"],
    ["SET", "empty", ""],
    ["BITPOS", "empty", "0"],
    ["BITPOS", "empty", "1"],
    ["BITPOS", "empty", "0", "0"],
    ["BITPOS", "nokey", "0"],
    ["BITPOS", "nokey", "1"],
    ["BITPOS", "nokey", "1", "x"],
    ["BITPOS", "nokey", "2"],
    ["BITPOS", "nokey", "x"],
    ["BITPOS", "s", "2"],
    ["BITPOS", "s", "-1"],
    ["BITPOS", "s", "1", "x"],
    ["BITPOS", "s", "1", "0", "x"],
    ["BITPOS", "s", "1", "0", "x", "FOO"],
    ["BITPOS", "s", "1", "x", "1", "FOO"],
    ["BITPOS", "s", "1", "0", "1", "FOO"],
    ["BITPOS", "s", "1", "0", "1", "BIT", "x"],
    ["LPUSH", "list", "x"],
    ["BITPOS", "list", "1"],
    ["BITPOS", "list", "3"],
    ["SET", "long", "\x00".repeat(700) + "\x01" + "\xff".repeat(500) + "\x7f"],
    ["BITPOS", "long", "1"],
    ["BITPOS", "long", "1", "3", "-1"],
    ["BITPOS", "long", "0", "701"],
    ["BITPOS", "long", "0", "701", "-1"],
    ["BITPOS", "long", "0", "701", "-2"],
    ["BITPOS", "long", "1", "701", "1100", "BYTE"],
    ["BITPOS", "long", "1", "17", "9000", "BIT"],
    ["BITPOS", "long", "0", "5609", "9000", "BIT"],
  ],
  BITOP: [
    ["SET", "a", "\xff\x0f\xaa"],
    ["SET", "b", "\x0f\xff"],
    ["BITOP", "AND", "d", "a", "b"],
    ["GET", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["BITOP", "or", "d", "a", "b"],
    ["GET", "d"],
    ["BITOP", "Xor", "d", "a", "b", "a"],
    ["GET", "d"],
    ["BITOP", "NOT", "d", "a"],
    ["GET", "d"],
    ["BITOP", "NOT", "d", "a", "b"],
    ["BITOP", "NOT", "d"],
    ["BITOP", "NAND", "d", "a"],
    ["BITOP", "and\u0000", "d", "a"],
    ["BITOP", "AND", "d", "nokey", "a"],
    ["GET", "d"],
    ["BITOP", "OR", "d", "nokey"],
    ["EXISTS", "d"],
    ["BITOP", "OR", "d", "nokey"],
    ["SET", "ttl", "x", "EX", "1000"],
    ["BITOP", "NOT", "ttl", "a"],
    ["TTL", "ttl"],
    ["LPUSH", "list", "x"],
    ["BITOP", "AND", "d", "a", "list"],
    ["BITOP", "AND", "list", "a"],
    ["TYPE", "list"],
    ["SET", "int", "12"],
    ["BITOP", "OR", "d", "int", "b"],
    ["GET", "d"],
    ["BITOP", "AND", "a", "a", "b"],
    ["GET", "a"],
    ["SET", "x", "y".repeat(100) + "\x01\x02"],
    ["SET", "z", "\x80".repeat(64)],
    ["BITOP", "AND", "w", "x", "z", "x"],
    ["GET", "w"],
    ["BITOP", "XOR", "w", "x", "z"],
    ["GET", "w"],
    ["BITOP", "NOT", "w", "x"],
    ["GET", "w"],
    ["SET", "e", ""],
    ["BITOP", "NOT", "w", "e"],
    ["EXISTS", "w"],
  ],
  BITFIELD: [
    ["BITFIELD", "f", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0"],
    ["GET", "f"],
    ["BITFIELD", "f", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "incrby", "u2", "102", "1"],
    ["BITFIELD", "f", "incrby", "i5", "100", "1", "GET", "u4", "0"],
    ["BITFIELD", "f", "SET", "u8", "#1", "255", "GET", "u8", "#1", "GET", "u16", "#0"],
    ["BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "u8", "8", "10", "INCRBY", "i8", "8", "-20"],
    ["BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "u8", "8", "1000", "INCRBY", "u8", "8", "-1000", "INCRBY", "i8", "8", "1000", "INCRBY", "i8", "8", "-1000"],
    ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "1000", "INCRBY", "u8", "8", "-1000", "INCRBY", "u8", "8", "5", "GET", "u8", "8"],
    ["BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u8", "8", "256", "SET", "u8", "8", "-1", "SET", "i8", "8", "128", "SET", "i8", "8", "-129", "SET", "i8", "8", "-128"],
    ["BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u8", "8", "256", "SET", "u8", "8", "-1", "SET", "i8", "8", "128", "SET", "i8", "8", "-129"],
    ["BITFIELD", "f", "OVERFLOW", "WRAP", "SET", "u8", "8", "256", "SET", "u8", "8", "-1", "SET", "i8", "8", "128", "SET", "i8", "8", "-129", "SET", "u3", "8", "-9"],
    ["BITFIELD", "f", "SET", "i64", "0", LLONG_MIN, "GET", "i64", "0", "INCRBY", "i64", "0", "-1", "GET", "u63", "1"],
    ["BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", LLONG_MAX, "INCRBY", "i64", "0", LLONG_MAX, "INCRBY", "i64", "0", "1"],
    ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "1", "INCRBY", "i64", "0", LLONG_MIN, "INCRBY", "i64", "0", "-2"],
    ["BITFIELD", "f", "SET", "u63", "3", LLONG_MAX, "GET", "u63", "3", "GET", "i63", "3", "INCRBY", "u63", "3", "1", "OVERFLOW", "SAT", "INCRBY", "u63", "3", LLONG_MAX],
    ["BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u63", "3", "-1", "SET", "u33", "5", "-1", "SET", "u33", "5", "8589934592", "INCRBY", "u33", "5", LLONG_MIN],
    ["BITFIELD", "f", "OVERFLOW", "WRAP", "SET", "u63", "3", "-5", "SET", "u40", "5", LLONG_MIN, "INCRBY", "u40", "5", LLONG_MAX, "INCRBY", "i40", "5", LLONG_MIN],
    ["BITFIELD", "g", "OVERFLOW", "SAT", "SET", "i8", "0", LLONG_MIN, "GET", "i8", "0", "SET", "i8", "0", "-9223372036854775681", "SET", "i8", "0", "-9223372036854775680"],
    ["BITFIELD", "g", "OVERFLOW", "SAT", "SET", "i63", "0", "-4611686018427387905", "GET", "i63", "0", "SET", "i63", "0", "-4611686018427387904", "SET", "i32", "0", LLONG_MIN],
    ["BITFIELD", "g", "OVERFLOW", "WRAP", "SET", "i8", "0", LLONG_MIN, "SET", "i63", "0", LLONG_MIN, "SET", "i64", "0", LLONG_MIN, "INCRBY", "i63", "0", LLONG_MIN],
    ["BITFIELD", "g", "OVERFLOW", "SAT", "SET", "i32", "3", "2147483648", "INCRBY", "i32", "3", "-9007199254740993", "INCRBY", "i17", "40", "9007199254740993", "INCRBY", "u31", "1", "9007199254740993"],
    ["BITFIELD", "g", "OVERFLOW", "WRAP", "INCRBY", "i32", "3", "9007199254740993", "INCRBY", "u31", "1", "-9007199254740993", "INCRBY", "i1", "0", "1", "INCRBY", "u1", "0", "-3"],
    ["GET", "g"],
    ["BITFIELD", "h", "SET", "i1", "0", "0", "GET", "i1", "0", "SET", "i1", "0", "-1", "GET", "i1", "0", "GET", "u1", "0"],
    ["BITFIELD", "nokey", "GET", "u8", "0", "GET", "i64", "#3"],
    ["EXISTS", "nokey"],
    ["BITFIELD", "fail", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
    ["EXISTS", "fail"],
    ["GET", "fail"],
    ["OBJECT", "ENCODING", "fail"],
    ["BITFIELD", "f"],
    ["BITFIELD", "nokey2"],
    ["BITFIELD_RO", "f"],
    ["BITFIELD_RO", "f", "GET", "u8", "0", "GET", "i5", "#2"],
    ["BITFIELD_RO", "f", "SET", "u8", "0", "1"],
    ["BITFIELD_RO", "f", "GET", "u8", "0", "INCRBY", "u8", "0", "1"],
    ["BITFIELD_RO", "f", "GET", "u8", "0", "INCRBY", "u88", "0", "1"],
    ["BITFIELD_RO", "f", "OVERFLOW", "SAT"],
    ["BITFIELD_RO", "f", "GET", "u8"],
    ["BITFIELD", "f", "GET", "u8"],
    ["BITFIELD", "f", "GET", "u64", "0"],
    ["BITFIELD", "f", "GET", "i65", "0"],
    ["BITFIELD", "f", "GET", "i0", "0"],
    ["BITFIELD", "f", "GET", "I8", "0"],
    ["BITFIELD", "f", "GET", "U8", "0"],
    ["BITFIELD", "f", "GET", "u08", "0"],
    ["BITFIELD", "f", "GET", "u8\u0000zz", "0"],
    ["BITFIELD", "f", "GET", "", "0"],
    ["BITFIELD", "f", "GET", "i", "0"],
    ["BITFIELD", "f", "GET", "u-1", "0"],
    ["BITFIELD", "f", "GET", "u8", "-1"],
    ["BITFIELD", "f", "GET", "u8", "#-1"],
    ["BITFIELD", "f", "GET", "u8", "#"],
    ["BITFIELD", "f", "GET", "u8", "##1"],
    ["BITFIELD", "f", "GET", "u8", "x"],
    ["BITFIELD", "f", "GET", "u8", "4294967295"],
    ["BITFIELD", "f", "GET", "u8", "4294967296"],
    ["BITFIELD", "f", "GET", "u8", "#536870911"],
    ["BITFIELD", "f", "GET", "u8", "#536870912"],
    ["BITFIELD", "f", "GET", "u64", "#288230376151711744"],
    ["BITFIELD", "f", "GET", "i64", "#288230376151711744"],
    ["BITFIELD", "f", "GET", "i64", "#288230376151711745"],
    ["BITFIELD", "f", "GET", "i2", "#9223372036854775807"],
    ["BITFIELD", "f", "GET", "i4", "#4611686018427387904"],
    ["BITFIELD", "f", "GET", "i8", "#2305843009213693952"],
    ["BITFIELD", "f", "SET", "u8", "0", "x"],
    ["BITFIELD", "f", "SET", "u8", "0", "1.5"],
    ["BITFIELD", "f", "SET", "u8", "0", "9223372036854775808"],
    ["BITFIELD", "f", "SET", "u8", "0"],
    ["BITFIELD", "f", "INCRBY", "u8", "0"],
    ["BITFIELD", "f", "OVERFLOW"],
    ["BITFIELD", "f", "OVERFLOW", "BAD", "GET", "u8", "0"],
    ["BITFIELD", "f", "OVERFLOW", "sat\u0000", "GET", "u8", "0"],
    ["BITFIELD", "f", "FOO", "u8", "0"],
    ["BITFIELD", "f", "GET", "u8", "0", "FOO"],
    ["BITFIELD", "f", "GET", "u8", "0", "SET", "i8", "0", "1", "GET"],
    ["BITFIELD", "f", "SET", "u8", "0", "1", "GET", "x8", "0"],
    ["LPUSH", "list", "x"],
    ["BITFIELD", "list", "GET", "u8", "0"],
    ["BITFIELD", "list", "SET", "u8", "0", "1"],
    ["BITFIELD", "list", "GET", "u8", "x"],
    ["BITFIELD_RO", "list", "GET", "u8", "0"],
    ["BITFIELD_RO", "list", "SET", "u8", "0", "1"],
    ["SET", "n", "12345"],
    ["BITFIELD", "n", "GET", "u8", "0", "GET", "u16", "#2"],
    ["OBJECT", "ENCODING", "n"],
    ["BITFIELD", "n", "SET", "u8", "0", "49"],
    ["OBJECT", "ENCODING", "n"],
    ["GET", "n"],
    ["SET", "t", "abc", "EX", "1000"],
    ["BITFIELD", "t", "SET", "u8", "40", "1"],
    ["TTL", "t"],
    ["GET", "t"],
    ["BITFIELD", "big", "SET", "u8", "#1000", "7", "INCRBY", "i16", "8000", "-3"],
    ["STRLEN", "big"],
    ["BITCOUNT", "big"],
    ["BITFIELD", "f", "GET", "u8", "0", "GET", "u8"],
  ],
};

let server: RealRedis | undefined;

describe.runIf(redisServerAvailable)("bitmap commands against redis-server", () => {
  beforeAll(async () => {
    server = await RealRedis.start();
  });

  afterAll(() => {
    server?.stop();
    server = undefined;
  });

  for (const protocol of [2, 3] as const) {
    it.each(Object.entries(scenarios))(`RESP${protocol}: %s`, async (_name, steps) => {
      const session = await freshSession(protocol);
      try {
        for (const argv of steps) {
          const [actual, expected] = await session.both(argv);
          expect(actual, JSON.stringify(argv)).toBe(expected);
        }
      } finally {
        session.close();
      }
    });
  }

  it.each([2, 3] as const)("RESP%s: randomized commands agree, and so do the values left behind", async (protocol) => {
    const session = await freshSession(protocol);
    const random = seeded(RANDOM_SEED + protocol);
    try {
      for (let i = 0; i < 2500; i++) {
        const argv = randomCommand(random);
        const [actual, expected] = await session.both(argv);
        expect(actual, `#${i} ${JSON.stringify(argv)}`).toBe(expected);
      }
      for (const key of KEYS) {
        for (const argv of [["GET", key], ["TYPE", key], ["OBJECT", "ENCODING", key], ["TTL", key]]) {
          const [actual, expected] = await session.both(argv);
          expect(actual, argv.join(" ")).toBe(expected);
        }
      }
    } finally {
      session.close();
    }
  });
});

/*
 * Bitmaps of 96 KB and more are edited as ropes of 32 KB chunks (util/bitmap-rope.ts):
 * offsets around chunk boundaries, fields straddling them, and other string commands
 * replacing the value in between must all read and write the same bytes as Redis.
 */
describe.runIf(redisServerAvailable)("big bitmaps against redis-server", () => {
  beforeAll(async () => {
    server = await RealRedis.start();
  });

  afterAll(() => {
    server?.stop();
    server = undefined;
  });

  it("random edits and reads of ~250 KB bitmaps agree, and so do the values", async () => {
    const session = await freshSession(2);
    const random = seeded(RANDOM_SEED + 7);
    const chunkBits = 32 * 1024 * 8;
    const bitOffset = (): number => {
      const roll = random();
      if (roll < 0.5) return int(random, 0, 250 * 1024 * 8);
      return int(random, 1, 7) * chunkBits + int(random, -70, 70);
    };
    const bigKeys = ["big0", "big1"];
    try {
      const pattern = randomBytes(random, 150 * 1024);
      for (const argv of [["SET", "big0", pattern], ["SETBIT", "big1", String(250 * 1024 * 8), "1"]]) {
        const [actual, expected] = await session.both(argv);
        expect(actual).toBe(expected);
      }
      for (let i = 0; i < 1500; i++) {
        const key = pick(random, bigKeys);
        const roll = random();
        let argv: string[];
        if (roll < 0.35) argv = ["SETBIT", key, String(bitOffset()), pick(random, ["0", "1"])];
        else if (roll < 0.5) argv = ["GETBIT", key, String(bitOffset())];
        else if (roll < 0.6) {
          const a = Math.floor(bitOffset() / 8);
          argv = ["BITCOUNT", key, String(a), String(a + int(random, 0, 70_000)), ...(random() < 0.5 ? [] : ["BIT"])];
        } else if (roll < 0.7) {
          argv = ["BITPOS", key, pick(random, ["0", "1"]), String(Math.floor(bitOffset() / 8)), ...(random() < 0.5 ? [] : ["-1"])];
        } else if (roll < 0.85) {
          const type = `${pick(random, ["i", "u"])}${int(random, 1, 63)}`;
          const offset = String(bitOffset());
          argv = ["BITFIELD", key, "GET", type, offset, pick(random, ["SET", "INCRBY"]), type, offset, String(int(random, -1000, 1000)), "GET", "u8", String(bitOffset())];
        } else if (roll < 0.88) argv = ["SETRANGE", key, String(int(random, 0, 200_000)), randomBytes(random, int(random, 1, 40))];
        else if (roll < 0.9) argv = ["APPEND", key, randomBytes(random, int(random, 1, 3))];
        else if (roll < 0.93) argv = ["BITOP", pick(random, ["AND", "OR", "XOR"]), pick(random, bigKeys), "big0", "big1"];
        else if (roll < 0.95) argv = ["BITOP", "NOT", pick(random, bigKeys), key];
        else if (roll < 0.97) argv = ["BITCOUNT", key];
        else argv = ["GETRANGE", key, String(int(random, 0, 260_000)), String(int(random, 0, 260_000))];
        const [actual, expected] = await session.both(argv);
        expect(actual, `#${i} ${JSON.stringify(argv).slice(0, 200)}`).toBe(expected);
        if (i % 100 === 99) {
          for (const k of bigKeys) {
            const [value, expectedValue] = await session.both(["GET", k]);
            expect(value === expectedValue, `GET ${k} after #${i}`).toBe(true);
          }
        }
      }
    } finally {
      session.close();
    }
  }, 120_000);
});

function freshSession(protocol: 2 | 3): Promise<DifferentialSession> {
  return DifferentialSession.open(server!, protocol === 3, []);
}

// ---------------------------------------------------------------------------------------
// Random commands
// ---------------------------------------------------------------------------------------

type Random = () => number;

const KEYS = ["b0", "b1", "b2", "b3", "list"];

function int(r: Random, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function randomBytes(r: Random, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(pick(r, [0, 0xff, int(r, 0, 255), 0x0f, 0xf0, 0x80, 0x01]));
  return text;
}

function index(r: Random): string {
  const roll = r();
  if (roll < 0.8) return String(int(r, -40, 40));
  if (roll < 0.9) return String(int(r, -400, 400));
  return pick(r, [LLONG_MAX, LLONG_MIN, "x", "", "1.5"]);
}

function unit(r: Random): string[] {
  const roll = r();
  if (roll < 0.4) return [];
  if (roll < 0.7) return ["BIT"];
  if (roll < 0.95) return ["BYTE"];
  return [pick(r, ["bits", "x"])];
}

function bitfieldType(r: Random): string {
  const roll = r();
  if (roll < 0.9) return `${pick(r, ["i", "u"])}${int(r, 1, 64)}`;
  return pick(r, ["u64", "i0", "x8", "I8", ""]);
}

function bitfieldValue(r: Random): string {
  const roll = r();
  if (roll < 0.6) return String(int(r, -300, 300));
  if (roll < 0.75) return String(int(r, -(2 ** 40), 2 ** 40));
  if (roll < 0.95) return pick(r, [LLONG_MAX, LLONG_MIN, "9007199254740993", "-9007199254740993", "4294967296", "-2147483649", "4611686018427387904"]);
  return pick(r, ["x", "", "9223372036854775808"]);
}

function bitfieldOffset(r: Random): string {
  const roll = r();
  if (roll < 0.75) return String(int(r, 0, 200));
  if (roll < 0.9) return `#${int(r, 0, 20)}`;
  return pick(r, ["-1", "x", "#", "4294967296", "#-1"]);
}

function randomCommand(r: Random): string[] {
  const key = (): string => pick(r, KEYS);
  const roll = r();
  if (roll < 0.2) return ["SETBIT", key(), String(pick(r, [int(r, 0, 300), int(r, 0, 20)])), pick(r, ["0", "1", "1", "0", "2"])];
  if (roll < 0.3) return ["GETBIT", key(), String(int(r, 0, 320))];
  if (roll < 0.42) {
    const args = r() < 0.8 ? [index(r), index(r), ...unit(r)] : r() < 0.5 ? [] : [index(r)];
    return ["BITCOUNT", key(), ...args];
  }
  if (roll < 0.55) {
    const bit = pick(r, ["0", "1", "0", "1", "2"]);
    const extra = r();
    const args = extra < 0.25 ? [] : extra < 0.5 ? [index(r)] : [index(r), index(r), ...unit(r)];
    return ["BITPOS", key(), bit, ...args];
  }
  if (roll < 0.65) {
    const op = pick(r, ["AND", "OR", "XOR", "NOT", "and", "BAD"]);
    const sources = op === "NOT" && r() < 0.9 ? [key()] : Array.from({ length: int(r, 1, 3) }, key);
    return ["BITOP", op, key(), ...sources];
  }
  if (roll < 0.85) {
    const args: string[] = [];
    const count = int(r, 1, 4);
    for (let i = 0; i < count; i++) {
      const kind = r();
      if (kind < 0.3) args.push("GET", bitfieldType(r), bitfieldOffset(r));
      else if (kind < 0.55) args.push("SET", bitfieldType(r), bitfieldOffset(r), bitfieldValue(r));
      else if (kind < 0.85) args.push("INCRBY", bitfieldType(r), bitfieldOffset(r), bitfieldValue(r));
      else args.push("OVERFLOW", pick(r, ["WRAP", "SAT", "FAIL", "sat", "bad"]));
    }
    return [r() < 0.9 ? "BITFIELD" : "BITFIELD_RO", key(), ...args];
  }
  if (roll < 0.93) return ["SET", key(), randomBytes(r, int(r, 0, r() < 0.9 ? 12 : 600))];
  if (roll < 0.95) return ["SET", key(), String(int(r, -100000, 100000))];
  if (roll < 0.97) return ["APPEND", key(), randomBytes(r, int(r, 0, 4))];
  if (roll < 0.98) return ["LPUSH", "list", "x"];
  if (roll < 0.99) return ["DEL", key()];
  return ["OBJECT", "ENCODING", key()];
}
