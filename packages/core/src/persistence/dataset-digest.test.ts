import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TypedValue } from "../keyspace/stored-value.js";
import { DifferentialSession } from "../test-support/differential-session.js";
import { TestHarness } from "../test-support/harness.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";

/*
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: the properties the digest promises (order of
 * unordered things does not matter, everything else does), and — against a live
 * redis-server 7.0 when one is installed — the very same hex strings for the same data.
 */

const ZERO = "0".repeat(40);
const simple = (text: string) => `+${text}\r\n`;

function digest(h: TestHarness): string {
  const raw = h.raw("DEBUG", "DIGEST");
  expect(raw).toMatch(/^\+[0-9a-f]{40}\r\n$/);
  return raw.slice(1, -2);
}

function harness(...argvs: string[][]): TestHarness {
  const h = new TestHarness();
  for (const argv of argvs) h.raw(...argv);
  return h;
}

describe("DEBUG DIGEST", () => {
  it("is 40 zeros for an empty dataset, and after everything is deleted", () => {
    const h = new TestHarness();
    expect(h.raw("DEBUG", "DIGEST")).toBe(simple(ZERO));
    h.raw("SET", "k", "v");
    expect(digest(h)).not.toBe(ZERO);
    h.raw("DEL", "k");
    expect(digest(h)).toBe(ZERO);
  });

  it("does not depend on the order keys, set members, hash fields or sorted-set pairs were added in", () => {
    const a = harness(["SET", "x", "1"], ["SET", "y", "2"], ["SADD", "s", "a", "b", "c"], ["HSET", "h", "f", "1", "g", "2"], ["ZADD", "z", "1", "a", "2", "b"]);
    const b = harness(["ZADD", "z", "2", "b", "1", "a"], ["HSET", "h", "g", "2", "f", "1"], ["SADD", "s", "c", "b", "a"], ["SET", "y", "2"], ["SET", "x", "1"]);
    expect(digest(a)).toBe(digest(b));
  });

  it("changes with any element, a list's order, a score, a type, a TTL or the database", () => {
    const base: string[][] = [["RPUSH", "l", "a", "b"], ["SADD", "s", "1", "2"], ["ZADD", "z", "1", "m"], ["HSET", "h", "f", "v"], ["SET", "k", "v"]];
    const reference = digest(harness(...base));
    const variants: string[][][] = [
      [...base, ["LSET", "l", "0", "c"]],
      [...base, ["DEL", "l"], ["RPUSH", "l", "b", "a"]],
      [...base, ["SADD", "s", "3"]],
      [...base, ["ZADD", "z", "1.5", "m"]],
      [...base, ["HSET", "h", "f", "w"]],
      [...base, ["HSET", "h", "g", "v"]],
      [...base, ["DEL", "k"], ["RPUSH", "k", "v"]],
      [...base, ["EXPIRE", "k", "1000"]],
      [...base, ["MOVE", "k", "1"]],
      [...base, ["SWAPDB", "0", "2"]],
    ];
    const seen = new Set([reference]);
    for (const variant of variants) seen.add(digest(harness(...variant)));
    expect(seen.size).toBe(variants.length + 1);
  });

  it("only notes that a key has a TTL, not when it expires", () => {
    expect(digest(harness(["SET", "k", "v", "EX", "100"]))).toBe(digest(harness(["SET", "k", "v", "PX", "99999999"])));
  });

  it("digests other value types deterministically through the commands that recreate them", () => {
    const fake = (entries: string[]): TypedValue => ({
      type: "vector" as TypedValue["type"],
      snapshotEpoch: 0,
      *rewriteCommands(key: string) {
        for (const entry of entries) yield ["VADD", key, entry, "f", "v"];
      },
    });
    const withValue = (value: TypedValue): string => {
      const h = new TestHarness();
      h.engine.keyspace.db(0).set("st", value);
      return digest(h);
    };
    expect(withValue(fake(["1-1", "2-1"]))).toBe(withValue(fake(["1-1", "2-1"])));
    expect(withValue(fake(["1-1", "2-1"]))).not.toBe(withValue(fake(["1-1", "2-2"])));
    expect(withValue(fake(["1-1"]))).not.toBe(ZERO);
  });
});

describe("DEBUG DIGEST-VALUE", () => {
  it("digests each value without its key name; zeros for a missing key", () => {
    const h = harness(["SET", "a", "v"], ["SET", "b", "v"], ["SET", "c", "w"]);
    const reply = h.raw("DEBUG", "DIGEST-VALUE", "a", "b", "c", "nokey");
    const lines = reply.split("\r\n");
    expect(lines[0]).toBe("*4");
    expect(lines[1]).toBe(lines[2]);
    expect(lines[3]).not.toBe(lines[1]);
    expect(lines[4]).toBe(`+${ZERO}`);
    expect(h.raw("DEBUG", "DIGEST-VALUE")).toBe("*0\r\n");
  });

  it("still digests a key whose TTL has passed but that is not reclaimed yet", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(1_700_000_000_000);
      const h = harness(["SET", "k", "v", "PX", "100"]);
      const before = h.raw("DEBUG", "DIGEST-VALUE", "k");
      vi.setSystemTime(1_700_000_001_000);
      expect(h.raw("DEBUG", "DIGEST-VALUE", "k")).toBe(before);
      expect(digest(h)).not.toBe(ZERO);
      expect(h.raw("EXISTS", "k")).toBe(":0\r\n");
      expect(digest(h)).toBe(ZERO);
    } finally {
      vi.useRealTimers();
    }
  });
});

/** Stream data, when the server has streams (ids explicit, so both servers hold the same). */
const streamData: string[][] = [
  ["XADD", "stream", "1-1", "f", "v"],
  ["XADD", "stream", "1-2", "f", "w", "g", ""],
  ["XADD", "stream", "2-0", "other", "fields", "f", "x"],
  ["XADD", "stream", "3-5", "f", "v"],
  ["XDEL", "stream", "1-2"],
  ["XGROUP", "CREATE", "stream", "group", "0"],
  ["XREADGROUP", "GROUP", "group", "consumer", "COUNT", "2", "STREAMS", "stream", ">"],
  ["XADD", "stream-long", "MAXLEN", "200", "5-1", "n", "0"],
  ...Array.from({ length: 300 }, (_, i) => ["XADD", "stream-long", "MAXLEN", "200", `6-${i}`, "n", String(i), "m", "x".repeat(i % 7)]),
  ["XADD", "stream-empty", "9-9", "f", "v"],
  ["XDEL", "stream-empty", "9-9"],
  ["XADD", "stream-ttl", "1-1", "a", "b"],
  ["EXPIRE", "stream-ttl", "1000"],
];

/** Data of every type and encoding kv has, in several databases, with and without TTLs. */
const dataset: string[][] = [
  ["SET", "str", "hello"],
  ["SET", "int", "12345"],
  ["SET", "neg", "-9223372036854775808"],
  ["SET", "big", "x".repeat(5000)],
  ["SET", "bin\x00\xff", "\x00\r\n\xfe"],
  ["SET", "empty", ""],
  ["SET", "ttl", "v", "EX", "10000"],
  ["INCRBYFLOAT", "float", "1.25"],
  ["RPUSH", "list", "a", "1", "", "b", "-7", "a"],
  ["RPUSH", "biglist", ...Array.from({ length: 300 }, (_, i) => `e${i % 37}`)],
  ["SADD", "intset", "5", "1", "-100", "9223372036854775807"],
  ["SADD", "hashset", "a", "b", "1", "\x00"],
  ["SADD", "bigset", ...Array.from({ length: 700 }, (_, i) => String(i * 3))],
  ["ZADD", "zsmall", "1", "a", "0.1", "b", "-0", "c", "1e20", "d", "inf", "e", "-inf", "f", "3", "100"],
  ["ZADD", "zbig", ...Array.from({ length: 200 }, (_, i) => [String(i / 7), `m${i}`]).flat(), "-0", "negzero"],
  ["ZADD", "zlongmember", "2.5", "y".repeat(100), "-0", "z"],
  ["HSET", "hsmall", "f", "v", "n", "42", "e", ""],
  ["HSET", "hbig", ...Array.from({ length: 200 }, (_, i) => [`f${i}`, String(i)]).flat()],
  ["HSET", "hlong", "f", "v".repeat(100)],
  ["EXPIRE", "list", "5000"],
  ["PEXPIRE", "zsmall", "99999999"],
  ["SELECT", "3"],
  ["SET", "str", "hello"],
  ["RPUSH", "list", "x"],
  ["SELECT", "15"],
  ["HSET", "h", "a", "b"],
  ["SELECT", "0"],
];

describe.runIf(redisServerAvailable)("digests against redis-server", () => {
  let server: RealRedis | undefined;

  beforeAll(async () => {
    server = await RealRedis.start();
  });

  afterAll(() => {
    server?.stop();
  });

  it("gives redis-server's DEBUG DIGEST and DIGEST-VALUE for every type and encoding", async () => {
    const session = await DifferentialSession.open(server!, false);
    try {
      expect(await session.both(["DEBUG", "DIGEST"])).toEqual([simple(ZERO), simple(ZERO)]);
      for (const argv of dataset) {
        const [mine, theirs] = await session.both(argv);
        expect(mine, JSON.stringify(argv).slice(0, 100)).toBe(theirs);
      }
      for (const argv of [["OBJECT", "ENCODING", "zsmall"], ["OBJECT", "ENCODING", "zbig"], ["OBJECT", "ENCODING", "hbig"], ["OBJECT", "ENCODING", "bigset"]]) {
        const [mine, theirs] = await session.both(argv);
        expect(mine, argv.join(" ")).toBe(theirs);
      }
      const keys = dataset.filter((argv) => argv[0] !== "SELECT" && !argv[0]!.includes("EXPIRE")).map((argv) => argv[1]!);
      const [mine, theirs] = await session.both(["DEBUG", "DIGEST-VALUE", ...keys, "nokey"]);
      expect(mine).toBe(theirs);
      const [mineAll, theirsAll] = await session.both(["DEBUG", "DIGEST"]);
      expect(mineAll).toBe(theirsAll);
      expect(mineAll).not.toBe(simple(ZERO));
    } finally {
      session.close();
    }
  });

  it("digests streams as redis-server does: entries only, consumer groups aside", async () => {
    const session = await DifferentialSession.open(server!, false);
    try {
      const [probe] = await session.both(["XLEN", "stream"]);
      if (probe.startsWith("-ERR unknown command")) return;
      for (const argv of streamData) {
        const [mine, theirs] = await session.both(argv);
        expect(mine, JSON.stringify(argv).slice(0, 100)).toBe(theirs);
      }
      const [mine, theirs] = await session.both(["DEBUG", "DIGEST-VALUE", "stream", "stream-long", "stream-empty", "stream-ttl"]);
      expect(mine).toBe(theirs);
      expect(mine).not.toContain(ZERO);
      const [mineAll, theirsAll] = await session.both(["DEBUG", "DIGEST"]);
      expect(mineAll).toBe(theirsAll);
    } finally {
      session.close();
    }
  });

  it("agrees after random writes of every type", async () => {
    const session = await DifferentialSession.open(server!, true);
    let state = 12345;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const keys = ["a", "b", "c", "d", "e"];
    const member = (): string => ["1", "2", "x", "y", "-0", "3.5", "", "1e300", String(random(1000))][random(9)]!;
    const writes = [
      () => ["SET", keys[random(5)]!, member()],
      () => ["RPUSH", keys[random(5)]!, member(), member()],
      () => ["LPOP", keys[random(5)]!],
      () => ["SADD", keys[random(5)]!, member(), member()],
      () => ["SREM", keys[random(5)]!, member()],
      () => ["ZADD", keys[random(5)]!, member() === "x" ? "1" : String(random(5) - 2), member()],
      () => ["ZINCRBY", keys[random(5)]!, "0.1", member()],
      () => ["HSET", keys[random(5)]!, member(), member()],
      () => ["HDEL", keys[random(5)]!, member()],
      () => ["EXPIRE", keys[random(5)]!, String(1000 + random(1000))],
      () => ["PERSIST", keys[random(5)]!],
      () => ["SELECT", String(random(3))],
      () => ["DEL", keys[random(5)]!],
    ];
    try {
      for (let i = 0; i < 600; i++) {
        const argv = writes[random(writes.length)]!();
        const [mine, theirs] = await session.both(argv);
        expect(mine, JSON.stringify(argv)).toBe(theirs);
        if (i % 20 === 0 || i === 599) {
          const [a, b] = await session.both(["DEBUG", "DIGEST"]);
          expect(a, `after ${i + 1} writes`).toBe(b);
          const [va, vb] = await session.both(["DEBUG", "DIGEST-VALUE", ...keys]);
          expect(va).toBe(vb);
        }
      }
    } finally {
      session.close();
    }
  });
});
