import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { bulk, err, int } from "../test-support/resp-bytes.js";
import { HLL_DENSE_SIZE, HllBuffer } from "../types/hyperloglog.js";

/*
 * The HyperLogLog commands through the engine: the exact bytes of the HLL strings (as
 * redis-server 7.0.15 leaves them; hyperloglog.differential.test.ts compares them against a
 * live server), replies, errors, propagation — including PFCOUNT, which Redis logs when it
 * refreshes the cached cardinality — notifications, and the sparse and dense encodings
 * agreeing on every register.
 */

const T0 = 1_700_000_000_000;

let h: TestHarness;
let events: string[];
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

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_AN_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT = "INVALIDOBJ Corrupted HLL object detected";

const HEADER_SPARSE = "HYLL\x01\x00\x00\x00";
const STALE = "\x00\x00\x00\x00\x00\x00\x00\x80";
const elements = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

function valueOf(key: string, harness = h): string {
  const value = harness.engine.keyspace.db(0).peek(key);
  if (typeof value !== "string") throw new Error(`${key} is not a string`);
  return value;
}

function registersOf(key: string): Uint8Array {
  return HllBuffer.fromString(valueOf(key)).registers();
}

// ---------------------------------------------------------------------------------------

describe("the HLL string", () => {
  it("starts sparse: a header with a stale cardinality and one XZERO covering 16384 registers", () => {
    expect(h.raw("PFADD", "h")).toBe(int(1));
    expect(valueOf("h")).toBe(`${HEADER_SPARSE}${STALE}\x7f\xff`);
    expect(h.raw("PFADD", "h")).toBe(int(0));
    expect(h.raw("PFCOUNT", "h")).toBe(int(0));
    expect(valueOf("h")).toBe(`${HEADER_SPARSE}${"\x00".repeat(8)}\x7f\xff`);
  });

  it("holds Redis's exact opcodes after adds, and the cardinality cached by PFCOUNT", () => {
    h.raw("PFADD", "h", "a", "b", "c");
    const registers = "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a";
    expect(valueOf("h")).toBe(`${HEADER_SPARSE}${STALE}${registers}`);
    expect(h.raw("PFDEBUG", "DECODE", "h")).toBe(bulk("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"));
    expect(h.raw("PFCOUNT", "h")).toBe(int(3));
    expect(valueOf("h")).toBe(`${HEADER_SPARSE}\x03${"\x00".repeat(7)}${registers}`);
    // A later change only sets the stale bit: the old count stays in the other bytes.
    h.raw("PFADD", "h", "d");
    expect(valueOf("h").slice(8, 16)).toBe("\x03\x00\x00\x00\x00\x00\x00\x80");
  });

  it("is a raw string for OBJECT ENCODING once PFADD or PFCOUNT touched it", () => {
    given(["SET", "copy", `${HEADER_SPARSE}${"\x00".repeat(8)}\x7f\xff`]);
    expect(h.raw("OBJECT", "ENCODING", "copy")).toBe(bulk("embstr"));
    expect(h.raw("PFCOUNT", "copy")).toBe(int(0));
    expect(h.raw("OBJECT", "ENCODING", "copy")).toBe(bulk("raw"));
    h.raw("PFADD", "new", "x");
    expect(h.raw("OBJECT", "ENCODING", "new")).toBe(bulk("raw"));
  });
});

describe("PFADD", () => {
  it("replies 1 when a register changed, and is then propagated with a pfadd event", () => {
    expect(h.raw("PFADD", "h", "a", "b")).toBe(int(1));
    expect(h.raw("PFADD", "h", "a", "b")).toBe(int(0));
    expect(h.raw("PFADD", "h", "c")).toBe(int(1));
    expect(h.propagated).toEqual([
      [0, ["PFADD", "h", "a", "b"]],
      [0, ["PFADD", "h", "c"]],
    ]);
    expect(events).toEqual(["0 new h", "0 pfadd h", "0 pfadd h"]);
    expect(modified).toEqual(["0:h", "0:h"]);
  });

  it("counts the creation and each changed register as changes", () => {
    const dirty = h.engine.dirty;
    h.raw("PFADD", "h", "a", "b", "a");
    expect(h.engine.dirty - dirty).toBe(3);
  });

  it("keeps the TTL", () => {
    given(["PFADD", "h", "a"], ["EXPIRE", "h", "100"]);
    h.raw("PFADD", "h", ...elements("e", 3000));
    h.raw("PFCOUNT", "h");
    expect(h.raw("TTL", "h")).toBe(int(100));
  });

  it("rejects other types, non-HLL strings and corrupt sparse bodies", () => {
    given(
      ["RPUSH", "list", "x"],
      ["SET", "str", "hello"],
      ["SET", "dense", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
      ["SET", "enc", "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"],
      ["SET", "short", `${HEADER_SPARSE}${STALE}\x7f\xfe`],
      // One XZERO covering registers 0-99 only: "a" hashes to register 8436.
      ["SET", "shorter", `${HEADER_SPARSE}${STALE}\x40\x63`],
    );
    expect(h.raw("PFADD", "list", "a")).toBe(err(WRONGTYPE));
    expect(h.raw("PFADD", "str", "a")).toBe(err(NOT_AN_HLL));
    expect(h.raw("PFADD", "dense", "a")).toBe(err(NOT_AN_HLL));
    expect(h.raw("PFADD", "enc", "a")).toBe(err(NOT_AN_HLL));
    expect(h.raw("PFCOUNT", "short")).toBe(err(CORRUPT));
    expect(h.raw("PFADD", "shorter", "a")).toBe(err(CORRUPT));
    expect(h.propagated).toEqual([]);
  });
});

describe("sparse and dense", () => {
  it("promotes to dense past hll-sparse-max-bytes, copying the header", () => {
    h.raw("CONFIG", "SET", "hll-sparse-max-bytes", "40");
    h.raw("PFADD", "h", ...elements("x", 5));
    expect(h.raw("PFDEBUG", "ENCODING", "h")).toBe("+sparse\r\n");
    h.raw("PFADD", "h", ...elements("y", 20));
    expect(h.raw("PFDEBUG", "ENCODING", "h")).toBe("+dense\r\n");
    expect(valueOf("h").length).toBe(HLL_DENSE_SIZE);
    expect(valueOf("h").slice(0, 5)).toBe("HYLL\x00");
  });

  it("agree on every register and on the estimate, whichever way the elements came", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 400 }), (items) => {
        h.raw("FLUSHALL");
        h.raw("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
        h.raw("PFADD", "sparse", ...items);
        h.raw("PFADD", "piecewise");
        h.raw("CONFIG", "SET", "hll-sparse-max-bytes", "0");
        h.raw("PFADD", "dense", ...items);
        for (let i = 0; i < items.length; i += 7) h.raw("PFADD", "piecewise", ...items.slice(i, i + 7));
        const expected = registersOf("dense");
        expect(registersOf("sparse")).toEqual(expected);
        expect(registersOf("piecewise")).toEqual(expected);
        expect(h.raw("PFCOUNT", "sparse")).toBe(h.raw("PFCOUNT", "dense"));
      }),
      { numRuns: 60 },
    );
  });

  it("estimates within a few standard errors (0.81%)", () => {
    for (let i = 0; i < 100_000; i += 1000) h.raw("PFADD", "h", ...elements(`${i}:`, 1000));
    const count = Number(/^:(\d+)/.exec(h.raw("PFCOUNT", "h"))![1]);
    expect(Math.abs(count - 100_000) / 100_000).toBeLessThan(0.025);
  });
});

describe("PFCOUNT", () => {
  it("refreshes the cached cardinality as a change: propagated as the PFCOUNT itself", () => {
    given(["PFADD", "h", "a", "b"]);
    expect(h.raw("PFCOUNT", "h")).toBe(int(2));
    expect(h.propagated).toEqual([[0, ["PFCOUNT", "h"]]]);
    expect(modified).toEqual(["0:h"]);
    expect(events).toEqual([]);
    expect(h.raw("PFCOUNT", "h")).toBe(int(2));
    expect(h.propagated.length).toBe(1);
  });

  it("inside MULTI, the refresh opens the logged transaction", () => {
    given(["PFADD", "h", "a"]);
    h.raw("MULTI");
    h.raw("PFCOUNT", "h");
    h.raw("PFCOUNT", "h");
    expect(h.raw("EXEC")).toBe("*2\r\n:1\r\n:1\r\n");
    expect(h.propagated).toEqual([
      [0, ["MULTI"]],
      [0, ["PFCOUNT", "h"]],
      [0, ["EXEC"]],
    ]);
  });

  it("of several keys estimates the union without storing anything", () => {
    given(["PFADD", "a", "1", "2", "3"], ["PFADD", "b", "3", "4"], ["PFADD", "d", ...elements("d", 3000)]);
    expect(h.raw("PFCOUNT", "a", "b", "nokey")).toBe(int(4));
    expect(h.raw("PFCOUNT", "a", "d")).toBe(h.raw("PFCOUNT", "d", "a"));
    expect(h.propagated).toEqual([]);
    expect(valueOf("a").charCodeAt(15)).toBe(0x80);
    expect(h.raw("PFCOUNT", "nokey", "nokey2")).toBe(int(0));
  });

  it("replies the cached value as stored, and Redis's overflowed estimate for absurd registers", () => {
    given(
      ["SET", "cached", `${HEADER_SPARSE}\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff`],
      ["SET", "saturated", `HYLL\x00\x00\x00\x00${STALE}${"\xff".repeat(12288)}`],
    );
    expect(h.raw("PFCOUNT", "cached")).toBe(int("9223372036854775807"));
    expect(h.raw("PFCOUNT", "saturated")).toBe(int("-9223372036854775808"));
    // 2^63 is cached with the stale bit set, so it is recomputed every time.
    expect(h.raw("PFCOUNT", "saturated")).toBe(int("-9223372036854775808"));
    expect(h.propagated.length).toBe(2);
  });

  it("rejects other types and corrupt values", () => {
    given(["RPUSH", "list", "x"], ["SET", "str", "x"], ["PFADD", "h", "a"]);
    expect(h.raw("PFCOUNT", "list")).toBe(err(WRONGTYPE));
    expect(h.raw("PFCOUNT", "str")).toBe(err(NOT_AN_HLL));
    expect(h.raw("PFCOUNT", "h", "list")).toBe(err(WRONGTYPE));
    expect(h.raw("PFCOUNT", "h", "str")).toBe(err(NOT_AN_HLL));
  });
});

describe("PFMERGE", () => {
  it("merges the sources and the destination itself, announcing a pfadd", () => {
    given(["PFADD", "a", "1", "2"], ["PFADD", "b", "2", "3"]);
    expect(h.raw("PFMERGE", "m", "a", "b")).toBe("+OK\r\n");
    expect(h.raw("PFCOUNT", "m")).toBe(int(3));
    expect(h.raw("PFMERGE", "m", "nokey")).toBe("+OK\r\n");
    expect(h.raw("PFCOUNT", "m")).toBe(int(3));
    expect(events).toEqual(["0 new m", "0 pfadd m", "0 pfadd m"]);
    // Always a change, even when nothing grew.
    expect(h.propagated.filter(([, argv]) => argv[0] === "PFMERGE").length).toBe(2);
  });

  it("writes dense when any source is dense, and keeps the destination's TTL", () => {
    given(["PFADD", "big", ...elements("b", 3000)], ["PFADD", "m", "x"], ["EXPIRE", "m", "100"]);
    h.raw("PFMERGE", "m", "big");
    expect(h.raw("PFDEBUG", "ENCODING", "m")).toBe("+dense\r\n");
    expect(h.raw("TTL", "m")).toBe(int(100));
  });

  it("checks every source before creating the destination", () => {
    given(["SET", "str", "x"], ["PFADD", "a", "1"]);
    expect(h.raw("PFMERGE", "m", "a", "str")).toBe(err(NOT_AN_HLL));
    expect(h.raw("EXISTS", "m")).toBe(int(0));
    expect(h.raw("PFMERGE", "str", "a")).toBe(err(NOT_AN_HLL));
  });
});

describe("PFDEBUG", () => {
  beforeEach(() => given(["PFADD", "h", "a", "b", "c"]));

  it("GETREG converts a sparse HLL to dense, which is propagated", () => {
    const reply = h.run("PFDEBUG", "GETREG", "h");
    expect(reply.type).toBe("array");
    const values = (reply as { value: { value: bigint }[] }).value.map((item) => Number(item.value));
    expect(values.length).toBe(16384);
    expect(values.filter((v) => v !== 0)).toEqual([1, 2, 1]);
    expect(values[8436]).toBe(1);
    expect(h.raw("PFDEBUG", "ENCODING", "h")).toBe("+dense\r\n");
    expect(h.propagated).toEqual([[0, ["PFDEBUG", "GETREG", "h"]]]);
    expect(h.raw("PFDEBUG", "DECODE", "h")).toBe(err("ERR HLL encoding is not sparse"));
    expect(h.raw("PFDEBUG", "TODENSE", "h")).toBe(int(0));
  });

  it("TODENSE answers 1 when it converted", () => {
    expect(h.raw("PFDEBUG", "TODENSE", "h")).toBe(int(1));
    expect(valueOf("h").length).toBe(HLL_DENSE_SIZE);
  });

  it("checks the key, then its value, then the subcommand", () => {
    given(["SET", "str", "x"]);
    expect(h.raw("PFDEBUG", "NOPE", "nokey")).toBe(err("ERR The specified key does not exist"));
    expect(h.raw("PFDEBUG", "NOPE", "str")).toBe(err(NOT_AN_HLL));
    expect(h.raw("PFDEBUG", "NOPE\r\nX", "h")).toBe(err("ERR Unknown PFDEBUG subcommand 'NOPE  X'"));
    expect(h.raw("PFDEBUG", "encoding\x00x", "h")).toBe("+sparse\r\n");
  });
});

describe("replay", () => {
  it("replaying what was propagated rebuilds the same HLL bytes", () => {
    h.raw("CONFIG", "SET", "hll-sparse-max-bytes", "200");
    h.raw("PFADD", "a", ...elements("a", 50));
    h.raw("PFCOUNT", "a");
    h.raw("PFADD", "b", ...elements("b", 500));
    h.raw("PFMERGE", "m", "a", "b");
    h.raw("PFCOUNT", "m");
    h.raw("PFDEBUG", "GETREG", "a");
    const replica = new TestHarness();
    replica.raw("CONFIG", "SET", "hll-sparse-max-bytes", "200");
    replica.engine.withLoading(() => {
      for (const [, argv] of h.propagated) replica.engine.replay(argv);
    });
    for (const key of ["a", "b", "m"]) expect(valueOf(key, replica), key).toBe(valueOf(key));
  });
});

describe("PFSELFTEST", () => {
  it("passes", () => {
    expect(h.raw("PFSELFTEST")).toBe("+OK\r\n");
  }, 60_000);
});
