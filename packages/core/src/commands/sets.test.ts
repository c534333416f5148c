import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { bulk, bulks, err, int } from "../test-support/resp-bytes.js";
import { SetValue } from "../types/set-value.js";

/*
 * The sets family through the engine: replies as exact RESP bytes (as redis-server 7.0.15
 * gives them; sets.differential.test.ts checks the same against a live server), encodings
 * and their conversions, propagation, keyspace notifications and modified-key signals.
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
  ({ h, events, modified, given } = observeHarness(newHarness()));
});

afterEach(() => {
  vi.useRealTimers();
});

function newHarness(): TestHarness {
  return new TestHarness();
}

function resp3(): void {
  h.client.reply.protocol = 3;
}

const arr = bulks;
const set3 = (...items: string[]) => `~${items.length}\r\n${items.map(bulk).join("")}`;
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

function setAt(key: string, dbIndex = 0): SetValue {
  const value = h.engine.keyspace.db(dbIndex).peek(key);
  if (!(value instanceof SetValue)) throw new Error(`${key} is not a set`);
  return value;
}

/** The members of a reply (array, set or bulk), in reply order. */
function membersOf(raw: string): string[] {
  const out: string[] = [];
  let i = 0;
  const line = (): string => {
    const end = raw.indexOf("\r\n", i);
    const text = raw.slice(i, end);
    i = end + 2;
    return text;
  };
  const header = line();
  const readBulk = (head: string): void => {
    const length = Number(head.slice(1));
    out.push(raw.slice(i, i + length));
    i += length + 2;
  };
  if (header.startsWith("$")) {
    readBulk(header);
    return out;
  }
  const count = Number(header.slice(1));
  for (let n = 0; n < count; n++) readBulk(line());
  return out;
}

const sorted = (items: string[]) => [...items].sort();

// ---------------------------------------------------------------------------------------

describe("SADD", () => {
  it("adds members, counts the new ones, and is propagated as sent", () => {
    expect(h.raw("SADD", "s", "b", "a", "b")).toBe(int(2));
    expect(h.raw("SADD", "s", "a", "c")).toBe(int(1));
    expect(h.raw("SCARD", "s")).toBe(int(3));
    expect(h.propagated).toEqual([
      [0, ["SADD", "s", "b", "a", "b"]],
      [0, ["SADD", "s", "a", "c"]],
    ]);
    expect(events).toEqual(["0 new s", "0 sadd s", "0 sadd s"]);
    expect(modified).toEqual(["0:s", "0:s"]);
  });

  it("adding nothing new changes nothing: no event, no signal, not propagated", () => {
    given(["SADD", "s", "a"]);
    const dirty = h.engine.dirty;
    expect(h.raw("SADD", "s", "a", "a")).toBe(int(0));
    expect(h.engine.dirty).toBe(dirty);
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
    expect(modified).toEqual([]);
  });

  it("counts each new member as a change", () => {
    const dirty = h.engine.dirty;
    h.raw("SADD", "s", "1", "2", "3", "2");
    expect(h.engine.dirty - dirty).toBe(3);
  });

  it("replies WRONGTYPE for a key of another type", () => {
    given(["SET", "str", "x"]);
    expect(h.raw("SADD", "str", "a")).toBe(err(WRONGTYPE));
    expect(h.propagated).toEqual([]);
  });

  it("keeps binary members intact", () => {
    const member = "a\x00\xff\r\nb";
    expect(h.raw("SADD", "s", member, "")).toBe(int(2));
    expect(h.raw("SISMEMBER", "s", member)).toBe(int(1));
    expect(h.raw("SISMEMBER", "s", "")).toBe(int(1));
    expect(sorted(membersOf(h.raw("SMEMBERS", "s")))).toEqual(sorted([member, ""]));
  });
});

describe("encodings", () => {
  it("holds integers in an intset and lists them sorted numerically", () => {
    h.raw("SADD", "s", "10", "-5", "9223372036854775807", "-9223372036854775808", "0", "3");
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("intset"));
    expect(h.raw("SMEMBERS", "s")).toBe(arr("-9223372036854775808", "-5", "0", "3", "10", "9223372036854775807"));
    resp3();
    expect(h.raw("SMEMBERS", "s")).toBe(set3("-9223372036854775808", "-5", "0", "3", "10", "9223372036854775807"));
  });

  it("orders integers beyond 2^53 exactly", () => {
    h.raw("SADD", "s", "9007199254740993", "9007199254740992", "9007199254740991", "-9007199254740993", "9007199254740994");
    expect(h.raw("SMEMBERS", "s")).toBe(arr("-9007199254740993", "9007199254740991", "9007199254740992", "9007199254740993", "9007199254740994"));
    expect(h.raw("SISMEMBER", "s", "9007199254740993")).toBe(int(1));
    expect(h.raw("SISMEMBER", "s", "9007199254740995")).toBe(int(0));
    expect(h.raw("SREM", "s", "9007199254740992")).toBe(int(1));
    expect(h.raw("SMEMBERS", "s")).toBe(arr("-9007199254740993", "9007199254740991", "9007199254740993", "9007199254740994"));
  });

  it.each(["-0", "01", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1.0", "0x1", ""])(
    "a member that is not a canonical 64-bit integer (%j) makes a hashtable",
    (member) => {
      h.raw("SADD", "s", member);
      expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("hashtable"));
    },
  );

  it("picks the encoding of a new set from its first member, then converts on the first non-integer", () => {
    h.raw("SADD", "a", "x", "1");
    expect(h.raw("OBJECT", "ENCODING", "a")).toBe(bulk("hashtable"));
    h.raw("SADD", "b", "1", "2");
    expect(h.raw("OBJECT", "ENCODING", "b")).toBe(bulk("intset"));
    h.raw("SADD", "b", "x");
    expect(h.raw("OBJECT", "ENCODING", "b")).toBe(bulk("hashtable"));
    // Never back, even when only integers remain.
    h.raw("SREM", "b", "x");
    expect(h.raw("OBJECT", "ENCODING", "b")).toBe(bulk("hashtable"));
    expect(sorted(membersOf(h.raw("SMEMBERS", "b")))).toEqual(["1", "2"]);
  });

  it("converts past set-max-intset-entries (512) and never back", () => {
    h.raw("SADD", "s", ...range(1, 512));
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("intset"));
    h.raw("SADD", "s", "513");
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("hashtable"));
    h.raw("SREM", "s", ...range(3, 513));
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("hashtable"));
    expect(h.raw("SCARD", "s")).toBe(int(2));
  });

  it("follows set-max-intset-entries, 0 included", () => {
    h.raw("CONFIG", "SET", "set-max-intset-entries", "2");
    h.raw("SADD", "s", "1", "2");
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("intset"));
    h.raw("SADD", "s", "3");
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("hashtable"));
    h.raw("CONFIG", "SET", "set-max-intset-entries", "0");
    h.raw("SADD", "z", "1");
    expect(h.raw("OBJECT", "ENCODING", "z")).toBe(bulk("hashtable"));
  });

  it("a member that only looks like an intset member is not found in one", () => {
    h.raw("SADD", "s", "1", "2");
    expect(h.raw("SMISMEMBER", "s", "1", "01", "+1", "-0", "1.0", "x")).toBe(`*6\r\n${int(1)}${int(0)}${int(0)}${int(0)}${int(0)}${int(0)}`);
    expect(h.raw("SREM", "s", "01", "x")).toBe(int(0));
  });
});

describe("SREM", () => {
  it("removes members, counts them, and deletes the emptied key", () => {
    given(["SADD", "s", "a", "b", "c"]);
    expect(h.raw("SREM", "s", "a", "x", "a")).toBe(int(1));
    expect(h.raw("SREM", "s", "b", "c", "d")).toBe(int(2));
    expect(h.raw("EXISTS", "s")).toBe(int(0));
    expect(h.propagated).toEqual([
      [0, ["SREM", "s", "a", "x", "a"]],
      [0, ["SREM", "s", "b", "c", "d"]],
    ]);
    expect(events).toEqual(["0 srem s", "0 srem s", "0 del s"]);
    expect(modified).toEqual(["0:s", "0:s"]);
  });

  it("removing nothing is not a change", () => {
    given(["SADD", "s", "a"]);
    expect(h.raw("SREM", "s", "x")).toBe(int(0));
    expect(h.raw("SREM", "nokey", "x")).toBe(int(0));
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("replies WRONGTYPE for a key of another type", () => {
    given(["SET", "str", "x"]);
    expect(h.raw("SREM", "str", "x")).toBe(err(WRONGTYPE));
  });
});

describe("SISMEMBER, SMISMEMBER, SCARD", () => {
  it("answer for sets, missing keys and other types", () => {
    given(["SADD", "s", "a", "1"], ["SET", "str", "x"]);
    expect(h.raw("SISMEMBER", "s", "a")).toBe(int(1));
    expect(h.raw("SISMEMBER", "s", "b")).toBe(int(0));
    expect(h.raw("SISMEMBER", "nokey", "a")).toBe(int(0));
    expect(h.raw("SISMEMBER", "str", "a")).toBe(err(WRONGTYPE));
    expect(h.raw("SMISMEMBER", "s", "a", "b", "1")).toBe(`*3\r\n${int(1)}${int(0)}${int(1)}`);
    expect(h.raw("SMISMEMBER", "nokey", "a", "b")).toBe(`*2\r\n${int(0)}${int(0)}`);
    expect(h.raw("SMISMEMBER", "str", "a")).toBe(err(WRONGTYPE));
    expect(h.raw("SCARD", "s")).toBe(int(2));
    expect(h.raw("SCARD", "nokey")).toBe(int(0));
    expect(h.raw("SCARD", "str")).toBe(err(WRONGTYPE));
  });

  it("count keyspace hits and misses", () => {
    given(["SADD", "s", "a"]);
    const { keyspaceHits, keyspaceMisses } = h.engine.stats;
    h.raw("SISMEMBER", "s", "a");
    h.raw("SCARD", "nokey");
    h.raw("SMISMEMBER", "nokey", "a");
    expect(h.engine.stats.keyspaceHits - keyspaceHits).toBe(1);
    expect(h.engine.stats.keyspaceMisses - keyspaceMisses).toBe(2);
  });

  it("report wrong arity with Redis's text", () => {
    expect(h.raw("SISMEMBER", "s")).toBe(err("ERR wrong number of arguments for 'sismember' command"));
    expect(h.raw("SMISMEMBER", "s")).toBe(err("ERR wrong number of arguments for 'smismember' command"));
    expect(h.raw("SADD", "s")).toBe(err("ERR wrong number of arguments for 'sadd' command"));
  });
});

describe("SMOVE", () => {
  it("moves a member, creating the destination, with Redis's events", () => {
    given(["SADD", "a", "1", "x"]);
    const dirty = h.engine.dirty;
    expect(h.raw("SMOVE", "a", "b", "1")).toBe(int(1));
    expect(h.engine.dirty - dirty).toBe(2);
    expect(events).toEqual(["0 srem a", "0 new b", "0 sadd b"]);
    expect(modified).toEqual(["0:a", "0:b"]);
    expect(h.propagated).toEqual([[0, ["SMOVE", "a", "b", "1"]]]);
    // The destination's encoding comes from the member moved.
    expect(h.raw("OBJECT", "ENCODING", "b")).toBe(bulk("intset"));
  });

  it("deletes an emptied source, and counts one change when the destination already had the member", () => {
    given(["SADD", "a", "m"], ["SADD", "b", "m"]);
    const dirty = h.engine.dirty;
    expect(h.raw("SMOVE", "a", "b", "m")).toBe(int(1));
    expect(h.engine.dirty - dirty).toBe(1);
    expect(events).toEqual(["0 srem a", "0 del a"]);
    expect(h.raw("EXISTS", "a")).toBe(int(0));
  });

  it("answers without changing anything for a missing member, a missing source or the same set", () => {
    given(["SADD", "a", "m"], ["SET", "str", "x"]);
    expect(h.raw("SMOVE", "a", "b", "nope")).toBe(int(0));
    expect(h.raw("SMOVE", "nokey", "str", "m")).toBe(int(0));
    expect(h.raw("SMOVE", "a", "a", "m")).toBe(int(1));
    expect(h.raw("SMOVE", "a", "a", "nope")).toBe(int(0));
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("checks both types", () => {
    given(["SADD", "a", "m"], ["SET", "str", "x"]);
    expect(h.raw("SMOVE", "a", "str", "m")).toBe(err(WRONGTYPE));
    expect(h.raw("SMOVE", "str", "a", "m")).toBe(err(WRONGTYPE));
    expect(h.raw("SISMEMBER", "a", "m")).toBe(int(1));
  });
});

describe("SPOP", () => {
  it("pops one member, logged as SREM of what was drawn", () => {
    given(["SADD", "s", "a", "b"]);
    const popped = membersOf(h.raw("SPOP", "s"))[0]!;
    expect(["a", "b"]).toContain(popped);
    expect(h.raw("SISMEMBER", "s", popped)).toBe(int(0));
    expect(h.propagated).toEqual([[0, ["SREM", "s", popped]]]);
    expect(events).toEqual(["0 spop s"]);
    const last = membersOf(h.raw("SPOP", "s"))[0]!;
    expect(sorted([popped, last])).toEqual(["a", "b"]);
    expect(events).toEqual(["0 spop s", "0 spop s", "0 del s"]);
    expect(h.raw("EXISTS", "s")).toBe(int(0));
  });

  it("replies null for a missing key, in both protocols", () => {
    expect(h.raw("SPOP", "nokey")).toBe("$-1\r\n");
    resp3();
    expect(h.raw("SPOP", "nokey")).toBe("_\r\n");
  });

  it("with a count replies a set (RESP3), empty for a missing key or a zero count", () => {
    given(["SADD", "s", "a"]);
    expect(h.raw("SPOP", "nokey", "3")).toBe("*0\r\n");
    expect(h.raw("SPOP", "s", "0")).toBe("*0\r\n");
    resp3();
    expect(h.raw("SPOP", "nokey", "3")).toBe("~0\r\n");
    expect(h.raw("SPOP", "s", "0")).toBe("~0\r\n");
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("validates the count before looking at the key", () => {
    given(["SET", "str", "x"]);
    for (const count of ["-1", "abc", "1.5", "", "+1", "9223372036854775808"]) {
      expect(h.raw("SPOP", "str", count)).toBe(err("ERR value is out of range, must be positive"));
    }
    expect(h.raw("SPOP", "str", "1")).toBe(err(WRONGTYPE));
    expect(h.raw("SPOP", "str", "1", "2")).toBe(err("ERR syntax error"));
  });

  it("popping the whole set replies it as a new set would list it, deletes the key and logs DEL", () => {
    given(["SADD", "s", "3", "1", "2"]);
    const hits = h.engine.stats.keyspaceHits;
    resp3();
    expect(h.raw("SPOP", "s", "3")).toBe(set3("1", "2", "3"));
    expect(h.engine.stats.keyspaceHits - hits).toBe(1);
    expect(h.raw("EXISTS", "s")).toBe(int(0));
    expect(h.propagated).toEqual([[0, ["DEL", "s"]]]);
    expect(events).toEqual(["0 spop s", "0 del s"]);
  });

  it("a hashtable holding only integers pops whole in sorted order (through a new intset)", () => {
    given(["SADD", "s", "5", "x", "3", "1"], ["SREM", "s", "x"]);
    expect(h.raw("SPOP", "s", "100")).toBe(arr("1", "3", "5"));
  });

  it("popping a few logs one SREM per member, wrapped in MULTI/EXEC as Redis 7.0 does", () => {
    given(["SADD", "s", ...range(1, 20)]);
    const popped = membersOf(h.raw("SPOP", "s", "3"));
    expect(popped).toHaveLength(3);
    expect(new Set(popped).size).toBe(3);
    expect(h.propagated).toEqual([[0, ["MULTI"]], ...popped.map((member) => [0, ["SREM", "s", member]]), [0, ["EXEC"]]]);
    expect(events).toEqual(["0 spop s"]);
    expect(h.raw("SCARD", "s")).toBe(int(17));
  });

  it("popping most of a set rebuilds it from what stays, which may be an intset again, keeping the TTL", () => {
    given(["SADD", "s", ...range(1, 600)], ["EXPIRE", "s", "1000"]);
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("hashtable"));
    const popped = membersOf(h.raw("SPOP", "s", "598"));
    expect(popped).toHaveLength(598);
    expect(h.raw("SCARD", "s")).toBe(int(2));
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("intset"));
    expect(h.raw("TTL", "s")).toBe(int(1000));
    const left = membersOf(h.raw("SMEMBERS", "s"));
    expect(sorted([...popped, ...left])).toEqual(sorted(range(1, 600)));
    expect(h.propagated).toHaveLength(598 + 2);
  });

  it("partitions the set into popped and kept members (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(fc.integer({ min: -50, max: 50 }).map(String), fc.string()), { minLength: 1, maxLength: 40 }), fc.nat(45), (members, count) => {
        const kv = newHarness();
        kv.raw("SADD", "s", ...members);
        const popped = membersOf(kv.raw("SPOP", "s", String(count)));
        const left = kv.raw("EXISTS", "s") === int(1) ? membersOf(kv.raw("SMEMBERS", "s")) : [];
        expect(popped).toHaveLength(Math.min(count, members.length));
        expect(sorted([...popped, ...left])).toEqual(sorted(members));
      }),
      { numRuns: 200 },
    );
  });
});

describe("SRANDMEMBER", () => {
  it("without a count replies one member, or null", () => {
    given(["SADD", "s", "a"]);
    expect(h.raw("SRANDMEMBER", "s")).toBe(bulk("a"));
    expect(h.raw("SRANDMEMBER", "nokey")).toBe("$-1\r\n");
    resp3();
    expect(h.raw("SRANDMEMBER", "nokey")).toBe("_\r\n");
  });

  it("with a count replies an array in both protocols, empty for a missing key or zero", () => {
    given(["SADD", "s", "1", "2"]);
    resp3();
    expect(h.raw("SRANDMEMBER", "nokey", "5")).toBe("*0\r\n");
    expect(h.raw("SRANDMEMBER", "s", "0")).toBe("*0\r\n");
    expect(h.raw("SRANDMEMBER", "s", "2")).toBe(arr("1", "2"));
    expect(h.raw("SRANDMEMBER", "s", "9223372036854775807")).toBe(arr("1", "2"));
  });

  it("rejects a count that is not an integer, and LLONG_MIN", () => {
    given(["SADD", "s", "a"]);
    expect(h.raw("SRANDMEMBER", "s", "abc")).toBe(err("ERR value is not an integer or out of range"));
    expect(h.raw("SRANDMEMBER", "nokey", "1.5")).toBe(err("ERR value is not an integer or out of range"));
    expect(h.raw("SRANDMEMBER", "s", "-9223372036854775808")).toBe(
      err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
    );
    expect(h.raw("SRANDMEMBER", "s", "1", "2")).toBe(err("ERR syntax error"));
  });

  it("draws distinct members for a positive count and repeats for a negative one (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(fc.integer({ min: -50, max: 50 }).map(String), fc.string()), { minLength: 1, maxLength: 40 }), fc.integer({ min: -60, max: 60 }), (members, count) => {
        const kv = newHarness();
        kv.raw("SADD", "s", ...members);
        const drawn = membersOf(kv.raw("SRANDMEMBER", "s", String(count)));
        for (const member of drawn) expect(members).toContain(member);
        if (count >= 0) {
          expect(drawn).toHaveLength(Math.min(count, members.length));
          expect(new Set(drawn).size).toBe(drawn.length);
        } else {
          expect(drawn).toHaveLength(-count);
        }
        expect(kv.raw("SCARD", "s")).toBe(int(members.length));
      }),
      { numRuns: 200 },
    );
  });

  it("draws every member of a large hashtable eventually", () => {
    given(["SADD", "s", ...range(1, 200).map((n) => `m${n}`)]);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) for (const member of membersOf(h.raw("SRANDMEMBER", "s", "-100"))) seen.add(member);
    expect(seen.size).toBe(200);
    // A positive count well below the size samples without replacement.
    const sample = membersOf(h.raw("SRANDMEMBER", "s", "30"));
    expect(new Set(sample).size).toBe(30);
  });
});

describe("SINTER, SINTERCARD, SINTERSTORE, SMEMBERS", () => {
  beforeEach(() => given(["SADD", "a", "1", "2", "3", "4", "5"], ["SADD", "b", "5", "4", "3", "9"], ["SADD", "c", "3", "4", "x"], ["SET", "str", "v"]));

  it("intersects in the order of the smallest set", () => {
    expect(h.raw("SINTER", "a", "b")).toBe(arr("3", "4", "5"));
    expect(h.raw("SINTER", "a")).toBe(arr("1", "2", "3", "4", "5"));
    expect(h.raw("SINTER", "a", "a")).toBe(arr("1", "2", "3", "4", "5"));
    expect(sorted(membersOf(h.raw("SINTER", "a", "c")))).toEqual(["3", "4"]);
    resp3();
    expect(h.raw("SINTER", "b", "a")).toBe(set3("3", "4", "5"));
    expect(h.raw("SINTER", "a", "nokey")).toBe("~0\r\n");
    expect(h.raw("SMEMBERS", "nokey")).toBe("~0\r\n");
  });

  it("checks every key's type before answering for a missing one", () => {
    expect(h.raw("SINTER", "nokey", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SINTERCARD", "2", "nokey", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SINTERSTORE", "d", "nokey", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SMEMBERS", "str")).toBe(err(WRONGTYPE));
  });

  it("SINTERCARD counts, up to LIMIT", () => {
    expect(h.raw("SINTERCARD", "2", "a", "b")).toBe(int(3));
    expect(h.raw("SINTERCARD", "2", "a", "b", "LIMIT", "2")).toBe(int(2));
    expect(h.raw("SINTERCARD", "2", "a", "b", "limit", "0")).toBe(int(3));
    expect(h.raw("SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "10")).toBe(int(3));
    expect(h.raw("SINTERCARD", "1", "a", "LIMIT", "9223372036854775807")).toBe(int(5));
    expect(h.raw("SINTERCARD", "2", "a", "nokey")).toBe(int(0));
  });

  it("SINTERCARD's argument errors", () => {
    for (const numkeys of ["0", "-1", "abc", "9223372036854775808"]) {
      expect(h.raw("SINTERCARD", numkeys, "a")).toBe(err("ERR numkeys should be greater than 0"));
    }
    expect(h.raw("SINTERCARD", "2", "a")).toBe(err("ERR Number of keys can't be greater than number of args"));
    expect(h.raw("SINTERCARD", "9223372036854775807", "a")).toBe(err("ERR Number of keys can't be greater than number of args"));
    expect(h.raw("SINTERCARD", "1", "a", "LIMIT", "-1")).toBe(err("ERR LIMIT can't be negative"));
    expect(h.raw("SINTERCARD", "1", "a", "LIMIT", "x")).toBe(err("ERR LIMIT can't be negative"));
    expect(h.raw("SINTERCARD", "1", "a", "LIMIT")).toBe(err("ERR syntax error"));
    expect(h.raw("SINTERCARD", "1", "a", "b")).toBe(err("ERR syntax error"));
    expect(h.raw("SINTERCARD", "1", "a", "limit\x00junk", "1")).toBe(int(1));
  });

  it("SINTERSTORE stores the result (dropping a TTL), with Redis's events", () => {
    given(["SET", "d", "old", "EX", "100"]);
    expect(h.raw("SINTERSTORE", "d", "a", "b")).toBe(int(3));
    expect(h.raw("TTL", "d")).toBe(int(-1));
    expect(h.raw("SMEMBERS", "d")).toBe(arr("3", "4", "5"));
    expect(h.raw("OBJECT", "ENCODING", "d")).toBe(bulk("intset"));
    expect(h.raw("SINTERSTORE", "e", "a", "b")).toBe(int(3));
    expect(events).toEqual(["0 sinterstore d", "0 new e", "0 sinterstore e"]);
    expect(h.propagated).toEqual([
      [0, ["SINTERSTORE", "d", "a", "b"]],
      [0, ["SINTERSTORE", "e", "a", "b"]],
    ]);
  });

  it("an empty intersection deletes the destination", () => {
    given(["SADD", "d", "z"]);
    expect(h.raw("SINTERSTORE", "d", "a", "nokey")).toBe(int(0));
    expect(h.raw("EXISTS", "d")).toBe(int(0));
    expect(events).toEqual(["0 del d"]);
    expect(h.propagated).toEqual([[0, ["SINTERSTORE", "d", "a", "nokey"]]]);
    // Nothing to delete: not a change, not propagated.
    expect(h.raw("SINTERSTORE", "d", "a", "nokey")).toBe(int(0));
    expect(h.raw("SINTERSTORE", "d", "b", "c", "a", "x")).toBe(int(0));
    expect(h.propagated).toHaveLength(1);
  });

  it("a destination among the sources is read before it is replaced", () => {
    expect(h.raw("SINTERSTORE", "a", "a", "b")).toBe(int(3));
    expect(h.raw("SMEMBERS", "a")).toBe(arr("3", "4", "5"));
  });

  it("the result of intersecting hashtables holding integers is an intset", () => {
    given(["SADD", "h1", "x", "1", "2"], ["SADD", "h2", "y", "2", "1"]);
    expect(h.raw("SINTERSTORE", "d", "h1", "h2")).toBe(int(2));
    expect(h.raw("OBJECT", "ENCODING", "d")).toBe(bulk("intset"));
    expect(h.raw("SMEMBERS", "d")).toBe(arr("1", "2"));
  });
});

describe("SUNION, SDIFF and their STORE forms", () => {
  beforeEach(() => given(["SADD", "a", "5", "1", "3"], ["SADD", "b", "4", "2", "3"], ["SADD", "h", "x", "2", "9"]));

  it("build their result as a new intset (sorted) while it can be one", () => {
    expect(h.raw("SUNION", "a", "b")).toBe(arr("1", "2", "3", "4", "5"));
    expect(h.raw("SUNION", "b", "nokey", "a")).toBe(arr("1", "2", "3", "4", "5"));
    expect(h.raw("SDIFF", "a", "b")).toBe(arr("1", "5"));
    expect(h.raw("SDIFF", "a", "a")).toBe("*0\r\n");
    expect(h.raw("SDIFF", "nokey", "a")).toBe("*0\r\n");
    expect(h.raw("SDIFF", "h", "a", "b")).not.toContain("$1\r\n2\r\n");
    expect(sorted(membersOf(h.raw("SUNION", "a", "h")))).toEqual(sorted(["1", "2", "3", "5", "9", "x"]));
    resp3();
    expect(h.raw("SUNION", "nokey")).toBe("~0\r\n");
    expect(h.raw("SDIFF", "a", "nokey", "b")).toBe(set3("1", "5"));
  });

  it("a difference that leaves only integers is sorted when it never held anything else", () => {
    expect(sorted(membersOf(h.raw("SDIFF", "h", "x")))).toEqual(["2", "9", "x"]);
    given(["SADD", "y", "x"]);
    expect(h.raw("SDIFF", "h", "y")).toBe(arr("2", "9"));
  });

  it("store their result with their own events, and delete the destination when it is empty", () => {
    expect(h.raw("SUNIONSTORE", "u", "a", "b")).toBe(int(5));
    expect(h.raw("SDIFFSTORE", "d", "a", "b")).toBe(int(2));
    expect(h.raw("SDIFFSTORE", "d", "a", "a")).toBe(int(0));
    expect(h.raw("EXISTS", "d")).toBe(int(0));
    expect(events).toEqual(["0 new u", "0 sunionstore u", "0 new d", "0 sdiffstore d", "0 del d"]);
    expect(h.propagated.map(([, argv]) => argv[0])).toEqual(["SUNIONSTORE", "SDIFFSTORE", "SDIFFSTORE"]);
    expect(h.raw("SUNIONSTORE", "u", "nokey")).toBe(int(0));
    expect(h.raw("EXISTS", "u")).toBe(int(0));
  });

  it("SDIFF picks Redis's algorithm, whose way of building shows in the encoding", () => {
    given(["SADD", "f", "x", "1", "2"], ...["g1", "g2", "g3", "g4", "g5"].map((key) => ["SADD", key, "x"]));
    // Few sets to subtract: only the surviving members are added, an intset.
    expect(h.raw("SDIFFSTORE", "r1", "f", "g1", "g2", "g3", "g4")).toBe(int(2));
    expect(h.raw("OBJECT", "ENCODING", "r1")).toBe(bulk("intset"));
    // Many: the whole first set goes in first, and "x" converts it before leaving again.
    expect(h.raw("SDIFFSTORE", "r2", "f", "g1", "g2", "g3", "g4", "g5")).toBe(int(2));
    expect(h.raw("OBJECT", "ENCODING", "r2")).toBe(bulk("hashtable"));
  });

  it("results past 512 integers are hashtables", () => {
    given(["SADD", "many", ...range(1, 300)], ["SADD", "more", ...range(301, 600)]);
    expect(h.raw("SUNIONSTORE", "all", "many", "more")).toBe(int(600));
    expect(h.raw("OBJECT", "ENCODING", "all")).toBe(bulk("hashtable"));
    expect(h.raw("SDIFFSTORE", "rest", "all", "many")).toBe(int(300));
    expect(h.raw("OBJECT", "ENCODING", "rest")).toBe(bulk("intset"));
  });

  it("check every key's type", () => {
    given(["SET", "str", "v"]);
    expect(h.raw("SUNION", "nokey", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SDIFF", "nokey", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SUNIONSTORE", "d", "a", "str")).toBe(err(WRONGTYPE));
    expect(h.raw("SDIFFSTORE", "d", "str")).toBe(err(WRONGTYPE));
  });
});

describe("SSCAN", () => {
  function scanAll(key: string, options: string[] = [], between?: () => void): string[] {
    const seen: string[] = [];
    let cursor = "0";
    let calls = 0;
    do {
      const reply = h.run("SSCAN", key, cursor, ...options);
      if (reply.type !== "array" || reply.value[0]?.type !== "bulk" || reply.value[1]?.type !== "array") throw new Error("bad SSCAN reply");
      cursor = reply.value[0].value.toString("latin1");
      for (const item of reply.value[1].value) if (item.type === "bulk") seen.push(item.value.toString("latin1"));
      between?.();
      if (++calls > 10_000) throw new Error("SSCAN does not terminate");
    } while (cursor !== "0");
    return seen;
  }

  it("returns an intset whole in one sorted page with cursor 0, whatever the cursor and COUNT", () => {
    given(["SADD", "s", "3", "1", "2", "10"]);
    const page = `*2\r\n${bulk("0")}${arr("1", "2", "3", "10")}`;
    expect(h.raw("SSCAN", "s", "0")).toBe(page);
    expect(h.raw("SSCAN", "s", "12345", "COUNT", "1")).toBe(page);
    expect(h.raw("SSCAN", "s", "0", "MATCH", "1*")).toBe(`*2\r\n${bulk("0")}${arr("1", "10")}`);
  });

  it("walks a hashtable with a cursor, seeing every member once", () => {
    const members = range(1, 300).map((n) => `m${n}`);
    given(["SADD", "s", ...members]);
    const reply = h.run("SSCAN", "s", "0", "COUNT", "10");
    if (reply.type !== "array" || reply.value[0]?.type !== "bulk") throw new Error("bad reply");
    expect(reply.value[0].value.toString()).not.toBe("0");
    const seen = scanAll("s", ["COUNT", "7"]);
    expect(sorted(seen)).toEqual(sorted(members));
    expect(sorted(scanAll("s", ["MATCH", "m1?", "COUNT", "50"]))).toEqual(sorted(range(10, 19).map((n) => `m${n}`)));
  });

  it("returns every member present for the whole walk, even while the set changes", () => {
    const stable = range(1, 200).map((n) => `s${n}`);
    given(["SADD", "s", ...stable, ...range(1, 100).map((n) => `t${n}`)]);
    let step = 0;
    const seen = scanAll("s", ["COUNT", "5"], () => {
      step++;
      h.raw("SADD", "s", `new${step}`);
      h.raw("SREM", "s", `t${step}`);
    });
    for (const member of stable) expect(seen).toContain(member);
  });

  it("errors in Redis's order: cursor, key, then options", () => {
    given(["SADD", "s", "1"], ["SET", "str", "x"]);
    expect(h.raw("SSCAN", "str", "abc")).toBe(err("ERR invalid cursor"));
    expect(h.raw("SSCAN", "str", "0", "COUNT", "0")).toBe(err(WRONGTYPE));
    expect(h.raw("SSCAN", "nokey", "0", "COUNT", "0")).toBe(`*2\r\n${bulk("0")}*0\r\n`);
    expect(h.raw("SSCAN", "s", "0", "COUNT", "0")).toBe(err("ERR syntax error"));
    expect(h.raw("SSCAN", "s", "0", "COUNT", "x")).toBe(err("ERR value is not an integer or out of range"));
    expect(h.raw("SSCAN", "s", "0", "TYPE", "set")).toBe(err("ERR syntax error"));
    expect(h.raw("SSCAN", "s", "0", "MATCH")).toBe(err("ERR syntax error"));
  });
});

describe("sets as keys", () => {
  it("work with TYPE, EXISTS, DEL, RENAME, MOVE, SCAN TYPE and expiry", () => {
    given(["SADD", "s", "a"]);
    expect(h.raw("TYPE", "s")).toBe("+set\r\n");
    expect(h.raw("SCAN", "0", "TYPE", "set")).toBe(`*2\r\n${bulk("0")}${arr("s")}`);
    expect(h.raw("RENAME", "s", "t")).toBe("+OK\r\n");
    expect(h.raw("SMEMBERS", "t")).toBe(arr("a"));
    expect(h.raw("MOVE", "t", "1")).toBe(int(1));
    expect(h.raw("EXISTS", "t")).toBe(int(0));
    expect(setAt("t", 1).has("a")).toBe(true);
    given(["SADD", "e", "1"], ["PEXPIRE", "e", "100"]);
    vi.setSystemTime(T0 + 100);
    expect(h.raw("SCARD", "e")).toBe(int(0));
    expect(h.raw("SADD", "e", "x")).toBe(int(1));
    expect(h.raw("OBJECT", "ENCODING", "e")).toBe(bulk("hashtable"));
    expect(h.raw("DEL", "e")).toBe(int(1));
  });

  it("COPY makes an independent set in the same encoding", () => {
    given(["SADD", "i", "1", "2"], ["SADD", "h", "1", "x"], ["SREM", "h", "x"]);
    expect(h.raw("COPY", "i", "i2")).toBe(int(1));
    expect(h.raw("COPY", "h", "h2")).toBe(int(1));
    expect(h.raw("OBJECT", "ENCODING", "i2")).toBe(bulk("intset"));
    expect(h.raw("OBJECT", "ENCODING", "h2")).toBe(bulk("hashtable"));
    h.raw("SADD", "i2", "3");
    h.raw("SADD", "h2", "3");
    expect(h.raw("SCARD", "i")).toBe(int(2));
    expect(h.raw("SCARD", "h")).toBe(int(1));
  });

  it("the AOF rewrite recreates each set with SADD, at most 64 members per command", () => {
    given(["SADD", "i", ...range(1, 130)], ["SADD", "h", "a", "b", "1"], ["SADD", "c", "5", "x"], ["SREM", "c", "x"]);
    const rewrite = [...setAt("i").rewriteCommands("i")];
    expect(rewrite.map((argv) => argv.length - 2)).toEqual([64, 64, 2]);
    expect(rewrite[0]!.slice(0, 4)).toEqual(["SADD", "i", "1", "2"]);
    const replayed = newHarness();
    for (const key of ["i", "h", "c"]) for (const argv of setAt(key).rewriteCommands(key)) replayed.engine.replay(argv);
    expect(replayed.raw("SMEMBERS", "i")).toBe(h.raw("SMEMBERS", "i"));
    expect(replayed.raw("OBJECT", "ENCODING", "i")).toBe(bulk("intset"));
    expect(sorted(membersOf(replayed.raw("SMEMBERS", "h")))).toEqual(["1", "a", "b"]);
    expect(replayed.raw("OBJECT", "ENCODING", "h")).toBe(bulk("hashtable"));
    // A hashtable holding only integers comes back as an intset, as after Redis's own reload.
    expect(replayed.raw("OBJECT", "ENCODING", "c")).toBe(bulk("intset"));
  });

  it("SPOP's propagated form replays to the same set", () => {
    given(["SADD", "s", ...range(1, 40), "x"]);
    const replica = newHarness();
    replica.raw("SADD", "s", ...range(1, 40), "x");
    h.raw("SPOP", "s", "5");
    h.raw("SPOP", "s", "30");
    h.raw("SPOP", "s");
    for (const [, argv] of h.propagated) replica.engine.replay(argv);
    expect(sorted(membersOf(replica.raw("SMEMBERS", "s")))).toEqual(sorted(membersOf(h.raw("SMEMBERS", "s"))));
    h.raw("SPOP", "s", "100");
    replica.engine.replay(h.propagated[h.propagated.length - 1]![1]);
    expect(replica.raw("EXISTS", "s")).toBe(int(0));
  });
});
