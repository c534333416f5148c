import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DifferentialSession, seeded } from "../test-support/differential-session.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";

/*
 * The HyperLogLog commands against a live redis-server 7.0 (skipped when none is
 * installed). HLLs are strings, so beyond the replies the test compares the HLL bytes
 * themselves (GET) after every step that may change them: sparse opcode edits, merges of
 * adjacent VALs, promotion to dense, cached cardinalities — and corrupt values, which both
 * servers must reject or misread identically.
 */

/** KV_HLL_SEED=<n> replays another random sequence. */
const RANDOM_SEED = Number(process.env.KV_HLL_SEED ?? 0x411);


const elements = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/** A dense HLL with every register at 63: the estimator's llroundl overflows. */
const SATURATED_DENSE = "HYLL\x00\x00\x00\x00" + "\x00".repeat(8) + "\xff".repeat(12288);

const scenarios: Record<string, string[][]> = {
  "PFADD, PFCOUNT and the bytes they leave": [
    ["PFADD", "h"],
    ["GET", "h"],
    ["PFADD", "h"],
    ["PFADD", "h", "a", "b", "c"],
    ["GET", "h"],
    ["PFADD", "h", "a"],
    ["GET", "h"],
    ["OBJECT", "ENCODING", "h"],
    ["PFCOUNT", "h"],
    ["GET", "h"],
    ["PFCOUNT", "h"],
    ["PFADD", "h", "d"],
    ["GET", "h"],
    ["PFCOUNT", "h"],
    ["PFADD", "h", "", "\x00", "\xff\xfe", "a much longer element than the others, over sixteen bytes"],
    ["GET", "h"],
    ["PFCOUNT", "h"],
    ["PFCOUNT", "nokey"],
    ["PFADD", "h2", ...elements("e", 1, 100)],
    ["GET", "h2"],
    ["PFCOUNT", "h2"],
    ["PFADD", "h2", ...elements("e", 101, 600)],
    ["GET", "h2"],
    ["PFCOUNT", "h2"],
    ["PFADD", "h2", ...elements("e", 601, 3000)],
    ["PFDEBUG", "ENCODING", "h2"],
    ["GET", "h2"],
    ["PFCOUNT", "h2"],
    ["PFADD", "h2", ...elements("e", 1, 50)],
    ["PFADD", "h2", ...elements("f", 1, 20000)],
    ["PFCOUNT", "h2"],
    ["GET", "h2"],
    ["OBJECT", "ENCODING", "h2"],
  ],
  "hll-sparse-max-bytes and promotion": [
    ["CONFIG", "SET", "hll-sparse-max-bytes", "30"],
    ["PFADD", "s", "a"],
    ["PFADD", "s", "b", "c", "d", "e", "f", "g"],
    ["PFDEBUG", "ENCODING", "s"],
    ["GET", "s"],
    ["CONFIG", "SET", "hll-sparse-max-bytes", "0"],
    ["PFADD", "t", "a"],
    ["PFDEBUG", "ENCODING", "t"],
    ["PFADD", "t", "b"],
    ["PFDEBUG", "ENCODING", "t"],
    ["GET", "t"],
    ["CONFIG", "SET", "hll-sparse-max-bytes", "100000"],
    ["PFADD", "u", ...elements("x", 1, 5000)],
    ["PFDEBUG", "ENCODING", "u"],
    ["GET", "u"],
    ["PFCOUNT", "u"],
    ["PFADD", "u", ...elements("x", 5000, 9000)],
    ["GET", "u"],
    ["PFCOUNT", "u"],
    ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"],
  ],
  PFMERGE: [
    ["PFADD", "a", "1", "2", "3"],
    ["PFADD", "b", "3", "4", "5"],
    ["PFMERGE", "m", "a", "b"],
    ["GET", "m"],
    ["PFCOUNT", "m"],
    ["PFCOUNT", "a", "b"],
    ["PFCOUNT", "a", "b", "nokey"],
    ["PFCOUNT", "nokey", "nokey2"],
    ["PFMERGE", "m"],
    ["GET", "m"],
    ["PFMERGE", "new"],
    ["GET", "new"],
    ["PFMERGE", "a", "b"],
    ["GET", "a"],
    ["PFADD", "d", ...elements("d", 1, 3000)],
    ["PFMERGE", "m2", "a", "d"],
    ["PFDEBUG", "ENCODING", "m2"],
    ["GET", "m2"],
    ["PFCOUNT", "m2"],
    ["PFCOUNT", "a", "d", "b"],
    ["PFADD", "big", ...elements("b", 1, 1500)],
    ["PFDEBUG", "ENCODING", "big"],
    ["PFMERGE", "m3", "big", "a"],
    ["PFDEBUG", "ENCODING", "m3"],
    ["GET", "m3"],
    ["SET", "ttl", "x", "EX", "1000"],
    ["DEL", "ttl"],
    ["PFADD", "ttl", "q"],
    ["EXPIRE", "ttl", "1000"],
    ["PFMERGE", "ttl", "big"],
    ["TTL", "ttl"],
    ["PFADD", "ttl", "zzz"],
    ["TTL", "ttl"],
    ["LPUSH", "list", "x"],
    ["SET", "str", "not an hll"],
    ["PFMERGE", "m", "list"],
    ["PFMERGE", "list", "a"],
    ["PFMERGE", "m", "str"],
    ["PFMERGE", "str", "a"],
    ["PFCOUNT", "a", "list"],
    ["PFCOUNT", "a", "str"],
    ["PFCOUNT", "list", "str"],
  ],
  "errors and corrupt values": [
    ["LPUSH", "list", "x"],
    ["PFADD", "list", "a"],
    ["PFCOUNT", "list"],
    ["SET", "str", "hello"],
    ["PFADD", "str", "a"],
    ["PFCOUNT", "str"],
    ["SET", "int", "123"],
    ["PFADD", "int", "a"],
    ["SET", "short", "HYLL\x01\x00\x00"],
    ["PFADD", "short", "a"],
    ["SET", "magic", "HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFCOUNT", "magic"],
    ["SET", "enc", "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFCOUNT", "enc"],
    ["SET", "dense", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFCOUNT", "dense"],
    ["PFADD", "tail", "a", "b"],
    ["APPEND", "tail", "hello"],
    ["PFCOUNT", "tail"],
    ["PFADD", "tail", "c"],
    ["GET", "tail"],
    ["PFADD", "tail", ...elements("t", 1, 200)],
    ["GET", "tail"],
    ["PFCOUNT", "tail"],
    ["SET", "empty", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"],
    ["PFCOUNT", "empty"],
    ["PFADD", "empty", "a"],
    ["PFCOUNT", "empty", "empty"],
    ["PFMERGE", "m", "empty"],
    ["EXISTS", "m"],
    ["SET", "trunc", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"],
    ["PFCOUNT", "trunc"],
    // Redis's split writes the new XZERO's second byte over the sds terminator, past the
    // string's end, where later walks read it: a hidden byte a string value cannot carry.
    // GET agrees; walks of the truncated opcode afterwards (DECODE, PFCOUNT) may not.
    ["PFADD", "trunc", "a"],
    ["GET", "trunc"],
    ["SET", "short", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"],
    ["PFCOUNT", "short"],
    ["PFADD", "short", "a", "b", "c"],
    ["PFDEBUG", "DECODE", "short"],
    ["PFDEBUG", "TODENSE", "short"],
    ["SET", "long", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x00"],
    ["PFCOUNT", "long"],
    ["PFADD", "long", "a", "b", "c"],
    ["GET", "long"],
    ["PFCOUNT", "long", "nokey"],
    ["PFDEBUG", "TODENSE", "long"],
    ["SET", "valover", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\xff"],
    ["PFCOUNT", "valover"],
    ["PFMERGE", "m", "valover"],
    // Registers add up to 16384 exactly, then a VAL crosses the end: corrupt for the
    // reference server (CVE-2025-32023 fix) in merges and conversions too.
    ["SET", "exact", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80"],
    ["PFCOUNT", "exact"],
    ["PFCOUNT", "exact", "nokey"],
    ["PFMERGE", "m", "exact"],
    ["PFDEBUG", "TODENSE", "exact"],
    ["PFDEBUG", "GETREG", "exact"],
    ["PFADD", "exact", "a", "b"],
    ["SET", "cached", "HYLL\x01\x00\x00\x00\x39\x30\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFCOUNT", "cached"],
    ["PFCOUNT", "cached", "nokey"],
    ["SET", "hugecache", "HYLL\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff"],
    ["PFCOUNT", "hugecache"],
    ["SET", "sat", SATURATED_DENSE],
    ["PFCOUNT", "sat"],
    ["GET", "sat"],
    ["PFCOUNT", "sat"],
    ["PFCOUNT", "sat", "nokey"],
    ["PFADD", "sat", "x"],
    ["SET", "hi", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" + "\xff".repeat(4096)],
    ["PFCOUNT", "hi"],
    ["PFADD", "hi", "x"],
    ["PFADD"],
    ["PFCOUNT"],
    ["PFMERGE"],
  ],
  PFDEBUG: [
    ["PFADD", "h", "a", "b", "c"],
    ["PFDEBUG", "ENCODING", "h"],
    ["PFDEBUG", "encoding", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "NOPE", "h"],
    ["PFDEBUG", "NOPE\r\nX", "h"],
    ["PFDEBUG", "getreg\u0000x", "h"],
    ["PFDEBUG", "GETREG", "nokey"],
    ["PFDEBUG", "NOPE", "nokey"],
    ["SET", "str", "x"],
    ["PFDEBUG", "GETREG", "str"],
    ["LPUSH", "list", "x"],
    ["PFDEBUG", "ENCODING", "list"],
    ["PFDEBUG", "GETREG", "h"],
    ["PFDEBUG", "ENCODING", "h"],
    ["GET", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "TODENSE", "h"],
    ["PFADD", "h2", "x"],
    ["PFDEBUG", "TODENSE", "h2"],
    ["GET", "h2"],
    ["PFDEBUG", "GETREG"],
    ["PFDEBUG", "GETREG", "h", "extra"],
  ],
  "OBJECT ENCODING of HLLs": [
    ["PFADD", "h", "a"],
    ["OBJECT", "ENCODING", "h"],
    ["SET", "copy", "HYLL\x01\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00\x7f\xff"],
    ["OBJECT", "ENCODING", "copy"],
    ["PFCOUNT", "copy"],
    ["OBJECT", "ENCODING", "copy"],
    ["SET", "copy2", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFCOUNT", "copy2"],
    ["OBJECT", "ENCODING", "copy2"],
    ["SET", "copy3", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFADD", "copy3"],
    ["OBJECT", "ENCODING", "copy3"],
    ["SET", "copy4", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
    ["PFCOUNT", "copy4", "copy4"],
    ["OBJECT", "ENCODING", "copy4"],
  ],
};

let server: RealRedis | undefined;

describe.runIf(redisServerAvailable)("HyperLogLog commands against redis-server", () => {
  beforeAll(async () => {
    server = await RealRedis.start();
  });

  afterAll(() => {
    server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    it.each(Object.entries(scenarios))(`RESP${protocol}: %s`, async (_name, steps) => {
      const session = await freshSession(protocol);
      try {
        for (const argv of steps) {
          const [actual, expected] = await session.both(argv);
          expect(actual, JSON.stringify(argv).slice(0, 200)).toBe(expected);
        }
      } finally {
        session.close();
      }
    });
  }

  it.each([2, 3] as const)("RESP%s: randomized commands agree, byte for byte in the HLLs too", async (protocol) => {
    const session = await freshSession(protocol);
    const random = seeded(RANDOM_SEED + protocol);
    try {
      for (let i = 0; i < 1500; i++) {
        const argv = randomCommand(random);
        const [actual, expected] = await session.both(argv);
        expect(actual, `#${i} ${JSON.stringify(argv).slice(0, 200)}`).toBe(expected);
        if (argv[0] === "PFADD" || argv[0] === "PFMERGE" || argv[0] === "SETRANGE") {
          const get = ["GET", argv[1]!];
          const [value, expectedValue] = await session.both(get);
          expect(value, `after #${i} ${JSON.stringify(argv).slice(0, 200)}`).toBe(expectedValue);
        }
      }
      for (const key of KEYS) {
        for (const argv of [["GET", key], ["OBJECT", "ENCODING", key], ["PFCOUNT", key], ["GET", key]]) {
          const [actual, expected] = await session.both(argv);
          expect(actual, argv.join(" ")).toBe(expected);
        }
      }
    } finally {
      session.close();
    }
  });

});

function freshSession(protocol: 2 | 3): Promise<DifferentialSession> {
  return DifferentialSession.open(server!, protocol === 3, [["hll-sparse-max-bytes", "3000"]]);
}

// ---------------------------------------------------------------------------------------
// Random commands
// ---------------------------------------------------------------------------------------

type Random = () => number;

const KEYS = ["h0", "h1", "h2", "h3", "str", "list"];

function int(r: Random, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function element(r: Random): string {
  const roll = r();
  if (roll < 0.7) return `el:${int(r, 0, 5000)}`;
  if (roll < 0.9) {
    let text = "";
    for (let i = int(r, 0, 20); i > 0; i--) text += String.fromCharCode(int(r, 0, 255));
    return text;
  }
  return String(int(r, -1000, 1000));
}

function randomCommand(r: Random): string[] {
  const hll = (): string => pick(r, ["h0", "h1", "h2", "h3", "h0", "h1", "h2", "h3", "str", "list", "nokey"]);
  const roll = r();
  if (roll < 0.45) {
    const count = r() < 0.85 ? int(r, 0, 8) : int(r, 50, 700);
    return ["PFADD", hll(), ...Array.from({ length: count }, () => element(r))];
  }
  if (roll < 0.6) return ["PFCOUNT", hll()];
  if (roll < 0.68) return ["PFCOUNT", ...Array.from({ length: int(r, 2, 4) }, hll)];
  if (roll < 0.78) return ["PFMERGE", hll(), ...Array.from({ length: int(r, 0, 3) }, hll)];
  if (roll < 0.82) return ["CONFIG", "SET", "hll-sparse-max-bytes", String(pick(r, [0, 20, 100, 300, 3000, 3000, 3000, 6000]))];
  if (roll < 0.85) {
    // Corruption: a byte anywhere in the header or the first registers.
    return ["SETRANGE", pick(r, ["h0", "h1", "h2", "h3"]), String(int(r, 4, 40)), String.fromCharCode(int(r, 0, 255))];
  }
  if (roll < 0.87) return ["PFDEBUG", pick(r, ["ENCODING", "DECODE", "TODENSE"]), hll()];
  if (roll < 0.9) return ["DEL", hll()];
  if (roll < 0.93) return ["SET", "str", pick(r, ["x", "HYLL", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"])];
  if (roll < 0.95) return ["LPUSH", "list", "x"];
  if (roll < 0.97) return ["OBJECT", "ENCODING", hll()];
  return ["GET", hll()];
}
