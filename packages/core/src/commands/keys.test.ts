import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TypedValue } from "../keyspace/stored-value.js";
import { TestHarness } from "../test-support/harness.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { bulk, err, int, OK } from "../test-support/resp-bytes.js";

/*
 * The keys family through the engine: replies as exact RESP bytes (as redis-server 7.0.15
 * gives them; the differential suite in keys.differential.test.ts checks the same against a
 * live server), state, propagation, notifications and modified-key signals.
 */

const T0 = 1_700_000_000_000;

let h: TestHarness;
/** Keyspace events as "db event key", in order. */
let events: string[];
/** Modified-key signals as "db:key", in order. */
let modified: string[];
let forget: () => void;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  ({ h, events, modified, forget } = observeHarness(new TestHarness()));
});

afterEach(() => {
  vi.useRealTimers();
});

/** Sets keys (and optionally a TTL in ms from now) directly, then forgets setup side effects. */
function given(...entries: [key: string, value: string, ttlMs?: number, db?: number][]): void {
  for (const [key, value, ttlMs, dbIndex] of entries) {
    const db = h.engine.keyspace.db(dbIndex ?? 0);
    db.set(key, value);
    if (ttlMs !== undefined) db.setExpire(key, Date.now() + ttlMs);
  }
  forget();
}

function resp3(): void {
  h.client.reply.protocol = 3;
}

const db0 = () => h.engine.keyspace.db(0);
const db = (index: number) => h.engine.keyspace.db(index);

/** The keys of a SCAN or KEYS reply, sorted. */
function keysOf(reply: ReturnType<TestHarness["run"]>): string[] {
  if (reply.type !== "array") throw new Error(`not an array: ${JSON.stringify(reply)}`);
  return reply.value.map((r) => (r.type === "bulk" ? r.value.toString("latin1") : "?")).sort();
}

function scanStep(...args: string[]): { cursor: string; keys: string[] } {
  const reply = h.run("SCAN", ...args);
  if (reply.type !== "array" || reply.value.length !== 2) throw new Error(`bad SCAN reply ${JSON.stringify(reply)}`);
  const [cursor, keys] = reply.value;
  if (cursor?.type !== "bulk") throw new Error("cursor is not a bulk string");
  return { cursor: cursor.value.toString("latin1"), keys: keysOf(keys!) };
}

/** A full SCAN iteration; `between` runs after every call (to change the keyspace meanwhile). */
function scanAll(options: string[] = [], between?: () => void): string[] {
  const seen: string[] = [];
  let cursor = "0";
  let calls = 0;
  do {
    const step = scanStep(cursor, ...options);
    seen.push(...step.keys);
    cursor = step.cursor;
    between?.();
    if (++calls > 100_000) throw new Error("SCAN does not terminate");
  } while (cursor !== "0");
  return seen;
}

// ---------------------------------------------------------------------------------------

describe("DEL / UNLINK", () => {
  it.each(["DEL", "UNLINK"])("%s deletes existing keys, counts them, and is propagated as sent", (command) => {
    given(["a", "1"], ["b", "2"]);
    expect(h.raw(command, "a", "nokey", "b", "a")).toBe(int(2));
    expect(db0().size).toBe(0);
    expect(h.propagated).toEqual([[0, [command, "a", "nokey", "b", "a"]]]);
    expect(events).toEqual(["0 del a", "0 del b"]);
    expect(modified).toEqual(["0:a", "0:b"]);
  });

  it("deleting nothing replies 0 and is not propagated", () => {
    expect(h.raw("DEL", "nokey")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });

  it("an expired key does not count; its own DEL is propagated by the expiry", () => {
    given(["gone", "v", 100]);
    vi.setSystemTime(T0 + 200);
    expect(h.raw("DEL", "gone")).toBe(int(0));
    expect(h.propagated).toEqual([[0, ["DEL", "gone"]]]);
    expect(events).toEqual(["0 expired gone"]);
  });
});

describe("EXISTS / TOUCH / TYPE", () => {
  it("EXISTS counts a key each time it is named", () => {
    given(["k", "v"]);
    expect(h.raw("EXISTS", "k", "k", "nokey", "k")).toBe(int(3));
    expect(h.raw("EXISTS", "nokey")).toBe(int(0));
  });

  it("EXISTS counts keyspace hits and misses", () => {
    given(["k", "v"]);
    const { keyspaceHits, keyspaceMisses } = h.engine.stats;
    h.raw("EXISTS", "k", "nokey", "k");
    expect(h.engine.stats.keyspaceHits - keyspaceHits).toBe(2);
    expect(h.engine.stats.keyspaceMisses - keyspaceMisses).toBe(1);
  });

  it("EXISTS does not see an expired key", () => {
    given(["k", "v", 1000]);
    expect(h.raw("EXISTS", "k")).toBe(int(1));
    vi.setSystemTime(T0 + 1000);
    expect(h.raw("EXISTS", "k")).toBe(int(0));
  });

  it("TOUCH counts existing keys and is never propagated", () => {
    given(["k", "v"], ["j", "v"]);
    expect(h.raw("TOUCH", "k", "nokey", "j", "k")).toBe(int(3));
    expect(h.propagated).toEqual([]);
  });

  it("TYPE replies the type name as a status, or none", () => {
    given(["s", "v"]);
    db0().set("l", { type: "list", rewriteCommands: () => [], snapshotEpoch: 0 });
    expect(h.raw("TYPE", "s")).toBe("+string\r\n");
    expect(h.raw("TYPE", "l")).toBe("+list\r\n");
    expect(h.raw("TYPE", "nokey")).toBe("+none\r\n");
    resp3();
    expect(h.raw("TYPE", "nokey")).toBe("+none\r\n");
  });
});

describe("KEYS", () => {
  it("lists the keys matching a glob pattern", () => {
    given(["hello", "1"], ["hallo", "1"], ["hxllo", "1"], ["world", "1"]);
    expect(keysOf(h.run("KEYS", "h?llo"))).toEqual(["hallo", "hello", "hxllo"]);
    expect(keysOf(h.run("KEYS", "h[ae]llo"))).toEqual(["hallo", "hello"]);
    expect(keysOf(h.run("KEYS", "*"))).toEqual(["hallo", "hello", "hxllo", "world"]);
    expect(h.raw("KEYS", "nomatch*")).toBe("*0\r\n");
  });

  it("answers a literal pattern by lookup", () => {
    given(["user:1", "1"], ["user:2", "2"]);
    expect(h.raw("KEYS", "user:1")).toBe(`*1\r\n${bulk("user:1")}`);
    expect(h.raw("KEYS", "user:3")).toBe("*0\r\n");
  });

  it("skips expired keys without deleting them (keyIsExpired, not expireIfNeeded)", () => {
    given(["live", "1"], ["dead", "1", 10]);
    vi.setSystemTime(T0 + 10);
    expect(h.raw("KEYS", "*")).toBe(`*1\r\n${bulk("live")}`);
    expect(h.raw("KEYS", "dead")).toBe("*0\r\n");
    expect(db0().size).toBe(2);
    expect(h.propagated).toEqual([]);
  });

  it("* lists the empty key, but ** does not (Redis skips matching for a lone *)", () => {
    given(["", "1"], ["a", "1"]);
    expect(keysOf(h.run("KEYS", "*"))).toEqual(["", "a"]);
    expect(keysOf(h.run("KEYS", "**"))).toEqual(["a"]);
    expect(h.raw("KEYS", "")).toBe(`*1\r\n${bulk("")}`);
  });

  it("matches binary keys byte for byte", () => {
    given(["k\x00\xff", "1"], ["k\x00a", "1"]);
    expect(h.raw("KEYS", "k\x00[\x80-\xff]")).toBe(`*1\r\n${bulk("k\x00\xff")}`);
  });
});

describe("SCAN", () => {
  it("returns every key and cursor 0 at once on a small database", () => {
    given(["a", "1"], ["b", "1"], ["c", "1"]);
    const reply = h.raw("SCAN", "0");
    expect(reply.startsWith(`*2\r\n${bulk("0")}*3\r\n`)).toBe(true);
    expect(scanStep("0").keys).toEqual(["a", "b", "c"]);
  });

  it("replies an empty page on an empty database, in RESP2 and RESP3 alike", () => {
    expect(h.raw("SCAN", "0")).toBe(`*2\r\n${bulk("0")}*0\r\n`);
    resp3();
    expect(h.raw("SCAN", "0")).toBe(`*2\r\n${bulk("0")}*0\r\n`);
  });

  it("pages by COUNT with a bulk-string cursor and ends with 0", () => {
    const keys = Array.from({ length: 25 }, (_, i) => `key:${i}`);
    given(...keys.map((k): [string, string] => [k, "v"]));
    const first = scanStep("0", "COUNT", "10");
    expect(first.keys).toHaveLength(10);
    expect(first.cursor).toMatch(/^[1-9][0-9]*$/);
    expect(scanAll(["COUNT", "10"]).sort()).toEqual([...keys].sort());
    expect(scanAll(["COUNT", "1"]).sort()).toEqual([...keys].sort());
    expect(scanAll(["COUNT", "25"]).sort()).toEqual([...keys].sort());
  });

  it("COUNT is work, not results: MATCH filters after the visit", () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    given(...keys.map((k): [string, string] => [k, "v"]));
    const step = scanStep("0", "COUNT", "10", "MATCH", "k1*");
    expect(step.cursor).not.toBe("0");
    expect(step.keys.length).toBeLessThanOrEqual(10);
    expect(scanAll(["MATCH", "k1*", "COUNT", "3"]).sort()).toEqual(keys.filter((k) => k.startsWith("k1")).sort());
  });

  it("MATCH * is no filter at all, so it lists the empty key", () => {
    given(["", "1"], ["a", "1"]);
    expect(scanAll(["MATCH", "*"]).sort()).toEqual(["", "a"]);
    expect(scanAll(["MATCH", "**"]).sort()).toEqual(["a"]);
  });

  it("TYPE filters by type name, case-insensitively", () => {
    given(["s", "v"]);
    db0().set("l", { type: "list", rewriteCommands: () => [], snapshotEpoch: 0 });
    expect(scanAll(["TYPE", "string"])).toEqual(["s"]);
    expect(scanAll(["TYPE", "LIST"])).toEqual(["l"]);
    expect(scanAll(["TYPE", "nosuchtype"])).toEqual([]);
    expect(scanAll(["TYPE", "string\x00junk"])).toEqual(["s"]); // strcasecmp stops at NUL
  });

  it("reclaims expired keys it meets, and TYPE none lists them (Redis 7.0's filter order)", () => {
    given(["live", "1"], ["dead1", "1", 5], ["dead2", "1", 5]);
    vi.setSystemTime(T0 + 5);
    expect(scanAll()).toEqual(["live"]);
    expect(db0().size).toBe(1);
    expect(h.propagated).toEqual([
      [0, ["DEL", "dead1"]],
      [0, ["DEL", "dead2"]],
    ]);

    given(["dead3", "1", 5]);
    vi.setSystemTime(T0 + 20);
    expect(scanAll(["TYPE", "none"])).toEqual(["dead3"]);
    expect(db0().peek("dead3")).toBeUndefined();
  });

  it("an expired key that does not match MATCH is left alone", () => {
    given(["a", "1", 5], ["b", "1", 5]);
    vi.setSystemTime(T0 + 5);
    expect(scanAll(["MATCH", "a"])).toEqual([]);
    expect(db0().peek("a")).toBeUndefined();
    expect(db0().peek("b")).toBeDefined();
  });

  it.each([["abc"], ["0x1"], [" 1"], ["1 "], ["+"], ["18446744073709551616"], ["1.5"]])("cursor %j is invalid", (cursor) => {
    expect(h.raw("SCAN", cursor)).toBe(err("ERR invalid cursor"));
  });

  it("accepts the cursors strtoul accepts: empty, signed, up to 2^64-1", () => {
    given(["k", "v"]);
    for (const cursor of ["", "+0", "-0", "-1", "18446744073709551615", "12345"]) {
      expect(h.raw("SCAN", cursor)).toBe(`*2\r\n${bulk("0")}*1\r\n${bulk("k")}`);
    }
  });

  it.each([
    [["COUNT", "0"], "ERR syntax error"],
    [["COUNT", "-1"], "ERR syntax error"],
    [["COUNT", "abc"], "ERR value is not an integer or out of range"],
    [["COUNT", "99999999999999999999"], "ERR value is not an integer or out of range"],
    [["COUNT"], "ERR syntax error"],
    [["MATCH"], "ERR syntax error"],
    [["TYPE"], "ERR syntax error"],
    [["FOO", "bar"], "ERR syntax error"],
    [["COUNT", "10", "MATCH"], "ERR syntax error"],
  ])("options %j → %s", (options, error) => {
    expect(h.raw("SCAN", "0", ...options)).toBe(err(error));
  });

  it("an invalid cursor is reported before bad options", () => {
    expect(h.raw("SCAN", "x", "COUNT", "0")).toBe(err("ERR invalid cursor"));
  });

  it("takes option names up to a NUL byte and case-insensitively", () => {
    given(["k", "v"]);
    expect(h.raw("SCAN", "0", "count\x00x", "5", "match", "k")).toBe(`*2\r\n${bulk("0")}*1\r\n${bulk("k")}`);
  });

  it("restarts from the beginning for an unknown or replayed cursor (duplicates are allowed)", () => {
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    given(...keys.map((k): [string, string] => [k, "v"]));
    const first = scanStep("0", "COUNT", "5");
    const second = scanStep(first.cursor, "COUNT", "5");
    expect(second.keys).not.toEqual(first.keys);
    // The same cursor again: it was consumed, so the walk starts over.
    expect(scanStep(first.cursor, "COUNT", "5").keys).toEqual(first.keys);
    expect(scanStep("987654321", "COUNT", "5").keys).toEqual(first.keys);
  });

  it("a walk survives FLUSHDB: it simply ends", () => {
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    given(...keys.map((k): [string, string] => [k, "v"]));
    const first = scanStep("0", "COUNT", "5");
    db0().clear();
    expect(h.raw("SCAN", first.cursor, "COUNT", "5")).toBe(`*2\r\n${bulk("0")}*0\r\n`);
  });

  it("after SWAPDB a walk restarts on the database's new contents", () => {
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    given(...keys.map((k): [string, string] => [k, "v"]), ["other", "v", undefined, 1]);
    const first = scanStep("0", "COUNT", "5");
    expect(h.raw("SWAPDB", "0", "1")).toBe(OK);
    const next = scanStep(first.cursor, "COUNT", "5");
    expect(next).toEqual({ cursor: "0", keys: ["other"] });
  });

  it("walks of different databases are independent", () => {
    given(...Array.from({ length: 12 }, (_, i): [string, string, undefined, number] => [`a${i}`, "v", undefined, 0]));
    given(...Array.from({ length: 12 }, (_, i): [string, string, undefined, number] => [`b${i}`, "v", undefined, 1]));
    const inZero = scanStep("0", "COUNT", "5");
    h.raw("SELECT", "1");
    expect(scanAll(["COUNT", "5"]).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `b${i}`).sort());
    h.raw("SELECT", "0");
    const rest: string[] = [];
    let cursor = inZero.cursor;
    while (cursor !== "0") {
      const step = scanStep(cursor, "COUNT", "5");
      rest.push(...step.keys);
      cursor = step.cursor;
    }
    expect([...inZero.keys, ...rest].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `a${i}`).sort());
  });

  it("guarantees every key present for the whole iteration is returned, whatever changes meanwhile", () => {
    type Op = { kind: "add" | "del" | "readd"; n: number };
    const op = fc.record({ kind: fc.constantFrom<Op["kind"]>("add", "del", "readd"), n: fc.nat(300) });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 15 }),
        fc.array(fc.array(op, { maxLength: 12 }), { maxLength: 60 }),
        (initial, count, batches) => {
          h = new TestHarness();
          const database = h.engine.keyspace.db(0);
          for (let i = 0; i < initial; i++) database.set(`init:${i}`, "v");
          const everDeleted = new Set<string>();
          let batch = 0;
          const seen = new Set(
            scanAll(["COUNT", String(count)], () => {
              for (const { kind, n } of batches[batch++] ?? []) {
                if (kind === "add") database.set(`new:${n}`, "v");
                else {
                  const key = `init:${n % Math.max(1, initial)}`;
                  if (database.delete(key)) everDeleted.add(key);
                  if (kind === "readd") database.set(key, "v2");
                }
              }
            }),
          );
          for (let i = 0; i < initial; i++) {
            const key = `init:${i}`;
            if (!everDeleted.has(key)) expect(seen.has(key)).toBe(true);
          }
          // Nothing is invented: every returned key existed at some point.
          for (const key of seen) expect(key.startsWith("init:") || key.startsWith("new:")).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("RANDOMKEY", () => {
  it("replies a null on an empty database, in RESP2 and RESP3", () => {
    expect(h.raw("RANDOMKEY")).toBe("$-1\r\n");
    resp3();
    expect(h.raw("RANDOMKEY")).toBe("_\r\n");
  });

  it("returns the only key", () => {
    given(["only", "v"]);
    expect(h.raw("RANDOMKEY")).toBe(bulk("only"));
  });

  it("eventually returns every key, and does not favour any heavily", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    given(...keys.map((k): [string, string] => [k, "v"]));
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const reply = h.run("RANDOMKEY");
      if (reply.type !== "bulk") throw new Error("expected a key");
      const key = reply.value.toString("latin1");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(200);
    for (const n of counts.values()) expect(n).toBeLessThan(300); // expectation is 100
  });

  it("reclaims expired keys it lands on and keeps looking", () => {
    given(["live", "v"], ...Array.from({ length: 50 }, (_, i): [string, string, number] => [`dead${i}`, "v", 10]));
    vi.setSystemTime(T0 + 10);
    for (let i = 0; i < 20; i++) expect(h.raw("RANDOMKEY")).toBe(bulk("live"));
    expect(h.propagated.every(([, argv]) => argv[0] === "DEL")).toBe(true);
  });

  it("replies null when every key turned out to be expired, leaving the database empty", () => {
    given(["a", "v", 10], ["b", "v", 10]);
    vi.setSystemTime(T0 + 10);
    expect(h.raw("RANDOMKEY")).toBe("$-1\r\n");
    expect(db0().size).toBe(0);
    expect(h.propagated).toHaveLength(2);
  });

  it("follows SWAPDB", () => {
    given(["zero", "v"], ["one", "v", undefined, 1]);
    expect(h.raw("RANDOMKEY")).toBe(bulk("zero"));
    h.raw("SWAPDB", "0", "1");
    expect(h.raw("RANDOMKEY")).toBe(bulk("one"));
  });
});

describe("RENAME / RENAMENX", () => {
  it("moves the value and its TTL, replacing the destination", () => {
    given(["src", "v", 5000], ["dst", "old"]);
    expect(h.raw("RENAME", "src", "dst")).toBe(OK);
    expect(db0().peek("src")).toBeUndefined();
    expect(db0().peek("dst")).toBe("v");
    expect(db0().getExpire("dst")).toBe(T0 + 5000);
    expect(h.propagated).toEqual([[0, ["RENAME", "src", "dst"]]]);
    expect(events).toEqual(["0 new dst", "0 rename_from src", "0 rename_to dst"]);
    expect(modified).toEqual(["0:src", "0:dst"]);
  });

  it("drops the destination's TTL when the source has none", () => {
    given(["src", "v"], ["dst", "old", 5000]);
    h.raw("RENAME", "src", "dst");
    expect(db0().getExpire("dst")).toBeUndefined();
  });

  it("keeps the raw encoding of a string changed in place", () => {
    given(["src", "ab"]);
    db0().encodingPins.set("src", "raw");
    h.raw("RENAME", "src", "dst");
    expect(h.raw("OBJECT", "ENCODING", "dst")).toBe(bulk("raw"));
  });

  it("fails on a missing (or expired) source", () => {
    expect(h.raw("RENAME", "nokey", "x")).toBe(err("ERR no such key"));
    expect(h.raw("RENAMENX", "nokey", "x")).toBe(err("ERR no such key"));
    expect(h.raw("RENAME", "nokey", "nokey")).toBe(err("ERR no such key"));
    given(["gone", "v", 1]);
    vi.setSystemTime(T0 + 1);
    expect(h.raw("RENAME", "gone", "x")).toBe(err("ERR no such key"));
  });

  it("renaming a key to itself is a no-op that still needs the key", () => {
    given(["k", "v", 5000]);
    expect(h.raw("RENAME", "k", "k")).toBe(OK);
    expect(h.raw("RENAMENX", "k", "k")).toBe(int(0));
    expect(db0().getExpire("k")).toBe(T0 + 5000);
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
  });

  it("RENAMENX only renames onto a missing key", () => {
    given(["a", "1"], ["b", "2"]);
    expect(h.raw("RENAMENX", "a", "b")).toBe(int(0));
    expect(db0().peek("a")).toBe("1");
    expect(h.propagated).toEqual([]);
    expect(h.raw("RENAMENX", "a", "c")).toBe(int(1));
    expect(db0().peek("c")).toBe("1");
    expect(h.propagated).toEqual([[0, ["RENAMENX", "a", "c"]]]);
  });

  it("RENAMENX treats an expired destination as missing (the DEL and the rename logged as one unit)", () => {
    given(["a", "1"], ["b", "2", 10]);
    vi.setSystemTime(T0 + 10);
    expect(h.raw("RENAMENX", "a", "b")).toBe(int(1));
    expect(h.propagated).toEqual([
      [0, ["MULTI"]],
      [0, ["DEL", "b"]],
      [0, ["RENAMENX", "a", "b"]],
      [0, ["EXEC"]],
    ]);
  });
});

class FakeList implements TypedValue {
  readonly type = "list" as const;
  snapshotEpoch = 0;
  constructor(readonly items: string[]) {}
  objectEncoding(): string {
    return "listpack";
  }
  duplicate(): FakeList {
    return new FakeList([...this.items]);
  }
  rewriteCommands(key: string): string[][] {
    return [["RPUSH", key, ...this.items]];
  }
}

describe("COPY", () => {
  it("copies value and TTL within the database", () => {
    given(["src", "v", 5000]);
    expect(h.raw("COPY", "src", "dst")).toBe(int(1));
    expect(db0().peek("dst")).toBe("v");
    expect(db0().peek("src")).toBe("v");
    expect(db0().getExpire("dst")).toBe(T0 + 5000);
    expect(h.propagated).toEqual([[0, ["COPY", "src", "dst"]]]);
    expect(events).toEqual(["0 new dst", "0 copy_to dst"]);
    expect(modified).toEqual(["0:dst"]);
  });

  it("copies into another database with DB, signalling the key there", () => {
    given(["src", "v"]);
    expect(h.raw("COPY", "src", "dst", "DB", "3")).toBe(int(1));
    expect(db(3).peek("dst")).toBe("v");
    expect(events).toEqual(["3 new dst", "3 copy_to dst"]);
    expect(modified).toEqual(["3:dst"]);
    expect(h.propagated).toEqual([[0, ["COPY", "src", "dst", "DB", "3"]]]);
  });

  it("copies to the same name in another database", () => {
    given(["k", "v"]);
    expect(h.raw("COPY", "k", "k", "db", "1")).toBe(int(1));
    expect(db(1).peek("k")).toBe("v");
  });

  it("does not overwrite without REPLACE; REPLACE drops the old TTL", () => {
    given(["src", "new"], ["dst", "old", 5000]);
    expect(h.raw("COPY", "src", "dst")).toBe(int(0));
    expect(db0().peek("dst")).toBe("old");
    expect(h.raw("COPY", "src", "dst", "REPLACE")).toBe(int(1));
    expect(db0().peek("dst")).toBe("new");
    expect(db0().getExpire("dst")).toBeUndefined();
    expect(h.raw("COPY", "src", "dst", "replace", "REPLACE")).toBe(int(1));
  });

  it("replies 0 for a missing source", () => {
    expect(h.raw("COPY", "nokey", "dst")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });

  it("deep-copies other types and keeps the raw mark of strings", () => {
    const list = new FakeList(["a"]);
    db0().set("l", list);
    db0().set("r", "ab");
    db0().encodingPins.set("r", "raw");
    h.raw("COPY", "l", "l2");
    h.raw("COPY", "r", "r2", "DB", "2");
    const copy = db0().peek("l2") as FakeList;
    expect(copy).not.toBe(list);
    expect(copy.items).toEqual(["a"]);
    expect(db(2).encodingPins.get("r2")).toBe("raw");
  });

  it.each([
    [["k", "k"], "ERR source and destination objects are the same"],
    [["k", "k", "DB", "0"], "ERR source and destination objects are the same"],
    [["k", "x", "DB", "16"], "ERR DB index is out of range"],
    [["k", "x", "DB", "-1"], "ERR DB index is out of range"],
    [["k", "x", "DB", "abc"], "ERR value is not an integer or out of range"],
    [["k", "x", "DB", "99999999999"], "ERR value is out of range, value must between -2147483648 and 2147483647"],
    [["k", "x", "DB"], "ERR syntax error"],
    [["k", "x", "FOO"], "ERR syntax error"],
    [["nokey", "nokey"], "ERR source and destination objects are the same"],
  ])("COPY %j → %s", (args, error) => {
    given(["k", "v"]);
    expect(h.raw("COPY", ...args)).toBe(err(error));
  });
});

describe("MOVE", () => {
  it("moves a key with its TTL to another database", () => {
    given(["k", "v", 5000]);
    expect(h.raw("MOVE", "k", "2")).toBe(int(1));
    expect(db0().peek("k")).toBeUndefined();
    expect(db(2).peek("k")).toBe("v");
    expect(db(2).getExpire("k")).toBe(T0 + 5000);
    expect(events).toEqual(["2 new k", "0 move_from k", "2 move_to k"]);
    expect(modified).toEqual(["0:k", "2:k"]);
    expect(h.propagated).toEqual([[0, ["MOVE", "k", "2"]]]);
  });

  it("replies 0 when the key is missing or already in the target", () => {
    expect(h.raw("MOVE", "nokey", "1")).toBe(int(0));
    given(["k", "here"], ["k", "there", undefined, 1]);
    expect(h.raw("MOVE", "k", "1")).toBe(int(0));
    expect(db0().peek("k")).toBe("here");
    expect(h.propagated).toEqual([]);
  });

  it.each([
    ["16", "ERR DB index is out of range"],
    ["-1", "ERR DB index is out of range"],
    ["0", "ERR source and destination objects are the same"],
    ["abc", "ERR value is not an integer or out of range"],
    ["99999999999", "ERR value is out of range, value must between -2147483648 and 2147483647"],
  ])("MOVE k %s → %s", (index, error) => {
    given(["k", "v"]);
    expect(h.raw("MOVE", "k", index)).toBe(err(error));
  });

  it("checks the database before the key", () => {
    expect(h.raw("MOVE", "nokey", "0")).toBe(err("ERR source and destination objects are the same"));
  });
});

describe("SWAPDB", () => {
  it("exchanges contents, so clients of a database see the other's keys", () => {
    given(["zero", "v"], ["one", "v", 5000, 1]);
    const other = h.engine.createClient();
    h.rawAs(other, "SELECT", "1");
    expect(h.raw("SWAPDB", "0", "1")).toBe(OK);
    expect(h.raw("EXISTS", "one")).toBe(int(1));
    expect(h.raw("PTTL", "one")).toBe(int(5000));
    expect(h.rawAs(other, "EXISTS", "zero")).toBe(int(1));
    expect(h.propagated).toEqual([[0, ["SWAPDB", "0", "1"]]]);
  });

  it("invalidates WATCHes of keys present in either database", () => {
    given(["a", "v"], ["b", "v", undefined, 1]);
    const watchingB = h.engine.createClient();
    const watchingMissing = h.engine.createClient();
    h.rawAs(watchingB, "WATCH", "b");
    h.rawAs(watchingMissing, "WATCH", "nothing");
    h.raw("SWAPDB", "0", "1");
    expect([watchingB.watchInvalidated, watchingMissing.watchInvalidated]).toEqual([true, false]);
  });

  it("swapping a database with itself is OK and still propagated", () => {
    expect(h.raw("SWAPDB", "3", "3")).toBe(OK);
    expect(h.propagated).toEqual([[0, ["SWAPDB", "3", "3"]]]);
  });

  it.each([
    [["a", "1"], "ERR invalid first DB index"],
    [["1", "b"], "ERR invalid second DB index"],
    [["99999999999", "1"], "ERR invalid first DB index"],
    [["1", "99999999999"], "ERR invalid second DB index"],
    [["0", "16"], "ERR DB index is out of range"],
    [["-1", "0"], "ERR DB index is out of range"],
  ])("SWAPDB %j → %s", (args, error) => {
    expect(h.raw("SWAPDB", ...args)).toBe(err(error));
  });
});

// ---------------------------------------------------------------------------------------

describe("EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT", () => {
  it.each([
    ["EXPIRE", "100", T0 + 100_000],
    ["PEXPIRE", "1500", T0 + 1500],
    ["EXPIREAT", String(T0 / 1000 + 60), T0 + 60_000],
    ["PEXPIREAT", String(T0 + 7), T0 + 7],
  ])("%s sets the deadline", (command, arg, deadline) => {
    given(["k", "v"]);
    expect(h.raw(command, "k", arg)).toBe(int(1));
    expect(db0().getExpire("k")).toBe(deadline);
    expect(events).toEqual(["0 expire k"]);
    expect(modified).toEqual(["0:k"]);
  });

  it("propagates relative and second forms as PEXPIREAT with the options kept", () => {
    given(["k", "v"]);
    h.raw("EXPIRE", "k", "100");
    h.raw("PEXPIRE", "k", "500000", "GT");
    h.raw("expireat", "k", String(T0 / 1000 + 900), "xx");
    h.raw("pexpireat", "k", String(T0 + 999_000));
    expect(h.propagated).toEqual([
      [0, ["PEXPIREAT", "k", String(T0 + 100_000)]],
      [0, ["PEXPIREAT", "k", String(T0 + 500_000), "GT"]],
      [0, ["PEXPIREAT", "k", String(T0 + 900_000), "xx"]],
      [0, ["pexpireat", "k", String(T0 + 999_000)]],
    ]);
  });

  it("replies 0 for a missing key and propagates nothing", () => {
    expect(h.raw("EXPIRE", "nokey", "10")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });

  it("a time in the past deletes the key and propagates DEL", () => {
    given(["a", "v"], ["b", "v"], ["c", "v"]);
    expect(h.raw("EXPIRE", "a", "-1")).toBe(int(1));
    expect(h.raw("PEXPIRE", "b", "0")).toBe(int(1));
    expect(h.raw("EXPIREAT", "c", "1")).toBe(int(1));
    expect(db0().size).toBe(0);
    expect(h.propagated).toEqual([
      [0, ["DEL", "a"]],
      [0, ["DEL", "b"]],
      [0, ["DEL", "c"]],
    ]);
    expect(events).toEqual(["0 del a", "0 del b", "0 del c"]);
    expect(h.engine.stats.expiredKeys).toBe(0);
  });

  it("propagates UNLINK for a past time when lazyfree-lazy-expire is yes", () => {
    h.engine.config.define({ name: "lazyfree-lazy-expire", value: "yes" });
    given(["a", "v"]);
    h.raw("EXPIRE", "a", "-1");
    expect(h.propagated).toEqual([[0, ["UNLINK", "a"]]]);
  });

  it("keeps a past deadline while loading the AOF; the key expires afterwards", () => {
    given(["k", "v"]);
    h.engine.withLoading(() => h.engine.replay(["PEXPIREAT", "k", "1000"]));
    expect(db0().peek("k")).toBe("v");
    expect(db0().getExpire("k")).toBe(1000);
    expect(h.raw("EXISTS", "k")).toBe(int(0));
  });

  describe("NX / XX / GT / LT", () => {
    it.each([
      // [current TTL in s or none, command args, reply, TTL after]
      [undefined, ["100", "NX"], 1, 100],
      [50, ["100", "NX"], 0, 50],
      [undefined, ["100", "XX"], 0, -1],
      [50, ["100", "XX"], 1, 100],
      [undefined, ["100", "GT"], 0, -1], // no TTL is infinite: nothing is greater
      [50, ["100", "GT"], 1, 100],
      [50, ["50", "GT"], 0, 50],
      [50, ["10", "GT"], 0, 50],
      [undefined, ["100", "LT"], 1, 100], // anything is less than infinite
      [50, ["10", "LT"], 1, 10],
      [50, ["50", "LT"], 0, 50],
      [50, ["100", "LT"], 0, 50],
      [50, ["100", "XX", "GT"], 1, 100],
      [undefined, ["100", "XX", "LT"], 0, -1],
      [50, ["100", "nx\x00junk"], 0, 50], // strcasecmp stops at NUL
    ] as [number | undefined, string[], number, number][])("TTL %s, EXPIRE k %j → %d", (current, args, reply, after) => {
      given(["k", "v", current === undefined ? undefined : current * 1000]);
      expect(h.raw("EXPIRE", "k", ...args)).toBe(int(reply));
      expect(h.raw("TTL", "k")).toBe(int(after));
    });

    it("a refused update is not propagated", () => {
      given(["k", "v", 5000]);
      h.raw("EXPIRE", "k", "1", "GT");
      expect(h.propagated).toEqual([]);
    });

    it("LT with a past time on a key without TTL deletes it", () => {
      given(["k", "v"]);
      expect(h.raw("EXPIRE", "k", "-5", "LT")).toBe(int(1));
      expect(db0().size).toBe(0);
    });
  });

  it.each([
    [["10", "NX", "XX"], "ERR NX and XX, GT or LT options at the same time are not compatible"],
    [["10", "NX", "GT"], "ERR NX and XX, GT or LT options at the same time are not compatible"],
    [["10", "nx", "lt"], "ERR NX and XX, GT or LT options at the same time are not compatible"],
    [["10", "GT", "LT"], "ERR GT and LT options at the same time are not compatible"],
    [["10", "FOO"], "ERR Unsupported option FOO"],
    [["10", "foo\x00bar"], "ERR Unsupported option foo"],
    [["abc", "FOO"], "ERR Unsupported option FOO"], // options are checked before the time
    [["abc", "NX", "XX"], "ERR NX and XX, GT or LT options at the same time are not compatible"],
    [["abc"], "ERR value is not an integer or out of range"],
    [["+10"], "ERR value is not an integer or out of range"],
    [["010"], "ERR value is not an integer or out of range"],
    [[""], "ERR value is not an integer or out of range"],
    [["1.5"], "ERR value is not an integer or out of range"],
    [["9223372036854775808"], "ERR value is not an integer or out of range"],
  ])("EXPIRE k %j → %s", (args, error) => {
    given(["k", "v"]);
    expect(h.raw("EXPIRE", "k", ...args)).toBe(err(error));
  });

  it.each([
    ["EXPIRE", "9223372036854775"], // * 1000 fits, + now does not
    ["EXPIRE", "9223372036854776"], // * 1000 overflows
    ["EXPIRE", "9223372036854775807"],
    ["EXPIRE", "-9223372036854776"],
    ["PEXPIRE", "9223372036854775807"],
    ["EXPIREAT", "9223372036854776"],
  ])("%s k %s → invalid expire time, even for a missing key", (command, arg) => {
    const text = err(`ERR invalid expire time in '${command.toLowerCase()}' command`);
    expect(h.raw(command, "nokey", arg)).toBe(text);
    given(["k", "v"]);
    expect(h.raw(command, "k", arg)).toBe(text);
  });

  it("accepts the extreme times that do not overflow and logs them exactly", () => {
    given(["a", "v"], ["b", "v"]);
    expect(h.raw("PEXPIREAT", "a", "9223372036854775807")).toBe(int(1));
    expect(h.raw("EXPIREAT", "b", "9223372036854775")).toBe(int(1));
    expect(h.propagated).toEqual([
      [0, ["PEXPIREAT", "a", "9223372036854775807"]],
      [0, ["PEXPIREAT", "b", "9223372036854775000"]],
    ]);
    expect(h.raw("PEXPIRETIME", "a")).toBe(int("9223372036854775807"));
    expect(h.raw("PTTL", "a")).toBe(int(String(9223372036854775807n - BigInt(T0))));
    expect(h.raw("TTL", "a")).toBe(int(String((9223372036854775807n - BigInt(T0) + 500n) / 1000n)));
    h.raw("RENAME", "a", "a2");
    h.raw("MOVE", "a2", "1");
    h.raw("SELECT", "1");
    expect(h.raw("PEXPIRETIME", "a2")).toBe(int("9223372036854775807"));
    // Whatever prints the stored deadline (the AOF rewrite) gets a valid 64-bit integer.
    expect(BigInt(h.engine.keyspace.db(1).getExpire("a2")!)).toBeLessThanOrEqual(9223372036854775807n);
    h.raw("MOVE", "a2", "0");
    h.raw("SELECT", "0");
    h.raw("RENAME", "a2", "a");
    h.raw("SWAPDB", "0", "2");
    h.raw("SELECT", "2");
    expect(h.raw("PEXPIRETIME", "a")).toBe(int("9223372036854775807"));
    h.raw("SWAPDB", "0", "2");
    h.raw("SELECT", "0");
    expect(h.raw("EXPIRE", "a", "-9223372036854775")).toBe(int(1)); // far past: deleted
    expect(db0().peek("a")).toBeUndefined();
  });
});

describe("TTL / PTTL / EXPIRETIME / PEXPIRETIME", () => {
  it("reply -2 for a missing key and -1 for a key without TTL", () => {
    given(["k", "v"]);
    for (const command of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) {
      expect(h.raw(command, "nokey")).toBe(int(-2));
      expect(h.raw(command, "k")).toBe(int(-1));
    }
  });

  it("round seconds to the nearest, as (ms+500)/1000", () => {
    given(["k", "v", 1499], ["j", "v", 1500], ["z", "v", 499]);
    expect(h.raw("TTL", "k")).toBe(int(1));
    expect(h.raw("TTL", "j")).toBe(int(2));
    expect(h.raw("TTL", "z")).toBe(int(0));
    expect(h.raw("PTTL", "k")).toBe(int(1499));
  });

  it("EXPIRETIME and PEXPIRETIME give the absolute deadline", () => {
    given(["k", "v"]);
    h.raw("PEXPIREAT", "k", "4102444800499");
    expect(h.raw("PEXPIRETIME", "k")).toBe(int("4102444800499"));
    expect(h.raw("EXPIRETIME", "k")).toBe(int("4102444800"));
    h.raw("PEXPIREAT", "k", "4102444800500");
    expect(h.raw("EXPIRETIME", "k")).toBe(int("4102444801"));
  });

  it("count down with the clock until the key is gone", () => {
    given(["k", "v"]);
    h.raw("EXPIRE", "k", "10");
    vi.setSystemTime(T0 + 4000);
    expect(h.raw("TTL", "k")).toBe(int(6));
    expect(h.raw("PTTL", "k")).toBe(int(6000));
    vi.setSystemTime(T0 + 9999);
    expect(h.raw("PTTL", "k")).toBe(int(1));
    vi.setSystemTime(T0 + 10_000);
    expect(h.raw("TTL", "k")).toBe(int(-2));
    expect(h.propagated.at(-1)).toEqual([0, ["DEL", "k"]]);
    expect(events.at(-1)).toBe("0 expired k");
  });

  it("a past deadline kept while loading reads as 0, not negative", () => {
    given(["k", "v"]);
    h.engine.withLoading(() => {
      h.engine.replay(["PEXPIREAT", "k", "1000"]);
      expect(h.raw("PTTL", "k")).toBe(int(0));
      expect(h.raw("TTL", "k")).toBe(int(0));
      expect(h.raw("PEXPIRETIME", "k")).toBe(int(1000));
    });
  });
});

describe("PERSIST", () => {
  it("removes the TTL", () => {
    given(["k", "v", 5000]);
    expect(h.raw("PERSIST", "k")).toBe(int(1));
    expect(h.raw("TTL", "k")).toBe(int(-1));
    expect(h.propagated).toEqual([[0, ["PERSIST", "k"]]]);
    expect(events).toEqual(["0 persist k"]);
    expect(modified).toEqual(["0:k"]);
  });

  it("replies 0 without a TTL or a key", () => {
    given(["k", "v"]);
    expect(h.raw("PERSIST", "k")).toBe(int(0));
    expect(h.raw("PERSIST", "nokey")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });
});

describe("active expiry", () => {
  it("the active expire cycle frees expired keys nobody touches", () => {
    given(
      ...Array.from({ length: 100 }, (_, i): [string, string, number] => [`t${i}`, "v", 1000]),
      ...Array.from({ length: 10 }, (_, i): [string, string] => [`keep${i}`, "v"]),
      ["later", "v", 60_000],
    );
    vi.setSystemTime(T0 + 1000);
    let freed = 0;
    for (let i = 0; i < 50 && db0().size > 11; i++) freed += h.engine.activeExpireCycle();
    expect(freed).toBe(100);
    expect(db0().size).toBe(11);
    expect(db0().expiresSize).toBe(1);
    expect(h.propagated).toHaveLength(100);
    expect(h.propagated.every(([, argv]) => argv[0] === "DEL")).toBe(true);
    expect(h.engine.stats.expiredKeys).toBe(100);
  });
});

// ---------------------------------------------------------------------------------------

describe("OBJECT", () => {
  it.each([
    ["123", "int"],
    ["-9223372036854775808", "int"],
    ["9223372036854775807", "int"],
    ["9223372036854775808", "embstr"], // beyond 64 bits
    ["0123", "embstr"], // not canonical
    ["-0", "embstr"],
    ["", "embstr"],
    ["x".repeat(44), "embstr"],
    ["x".repeat(45), "raw"],
    ["1".repeat(45), "raw"],
  ])("ENCODING of %j is %s", (value, encoding) => {
    given(["k", value]);
    expect(h.raw("OBJECT", "ENCODING", "k")).toBe(bulk(encoding));
  });

  it("ENCODING is raw for strings changed in place, and asks other types", () => {
    given(["k", "12"]);
    db0().encodingPins.set("k", "raw");
    expect(h.raw("OBJECT", "ENCODING", "k")).toBe(bulk("raw"));
    db0().set("l", new FakeList([]));
    db0().set("s", { type: "set", rewriteCommands: () => [], snapshotEpoch: 0 });
    expect(h.raw("OBJECT", "ENCODING", "l")).toBe(bulk("listpack"));
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("hashtable"));
  });

  it.each(["ENCODING", "REFCOUNT", "IDLETIME", "FREQ"])("%s of a missing key is a null", (sub) => {
    expect(h.raw("OBJECT", sub, "nokey")).toBe("$-1\r\n");
    resp3();
    expect(h.raw("OBJECT", sub, "nokey")).toBe("_\r\n");
  });

  it("REFCOUNT is Redis's shared-object count for small integers, else 1", () => {
    given(["small", "9999"], ["zero", "0"], ["big", "10000"], ["neg", "-1"], ["s", "abc"]);
    expect(h.raw("OBJECT", "REFCOUNT", "small")).toBe(int(2147483647));
    expect(h.raw("OBJECT", "REFCOUNT", "zero")).toBe(int(2147483647));
    expect(h.raw("OBJECT", "REFCOUNT", "big")).toBe(int(1));
    expect(h.raw("OBJECT", "REFCOUNT", "neg")).toBe(int(1));
    expect(h.raw("OBJECT", "REFCOUNT", "s")).toBe(int(1));
    db0().encodingPins.set("small", "raw");
    expect(h.raw("OBJECT", "REFCOUNT", "small")).toBe(int(1));
  });

  it("REFCOUNT: no shared integers with maxmemory and an LRU/LFU policy", () => {
    given(["n", "5"]);
    h.engine.config.set("maxmemory-policy", "allkeys-lru");
    expect(h.raw("OBJECT", "REFCOUNT", "n")).toBe(int(2147483647));
    // Far above what the test uses, so nothing is evicted: only the sharing rule changes.
    h.engine.config.set("maxmemory", "4gb");
    expect(h.raw("OBJECT", "REFCOUNT", "n")).toBe(int(1));
  });

  it("IDLETIME replies 0 (not tracked), or Redis's error under an LFU policy", () => {
    given(["k", "v"]);
    expect(h.raw("OBJECT", "IDLETIME", "k")).toBe(int(0));
    h.engine.config.set("maxmemory-policy", "allkeys-lfu");
    expect(h.raw("OBJECT", "IDLETIME", "k")).toBe(
      err(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
      ),
    );
  });

  it("FREQ needs an LFU policy, then replies the initial counter", () => {
    given(["k", "v"]);
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(
      err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
      ),
    );
    h.engine.config.set("maxmemory-policy", "volatile-lfu");
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(int(5));
  });

  it("HELP lists the subcommands as status lines", () => {
    expect(h.raw("OBJECT", "HELP")).toBe(
      [
        "*15",
        "+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "+ENCODING <key>",
        "+    Return the kind of internal representation used in order to store the value",
        "+    associated with a <key>.",
        "+FREQ <key>",
        "+    Return the access frequency index of the <key>. The returned integer is",
        "+    proportional to the logarithm of the recent access frequency of the key.",
        "+IDLETIME <key>",
        "+    Return the idle time of the <key>, that is the approximated number of",
        "+    seconds elapsed since the last access to the key.",
        "+REFCOUNT <key>",
        "+    Return the number of references of the value associated with the specified",
        "+    <key>.",
        "+HELP",
        "+    Prints this help.",
        "",
      ].join("\r\n"),
    );
  });

  it("rejects unknown subcommands and wrong arities with Redis's texts", () => {
    expect(h.raw("OBJECT", "foo", "k")).toBe(err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
    expect(h.raw("OBJECT", "ENCODING")).toBe(err("ERR wrong number of arguments for 'object|encoding' command"));
    expect(h.raw("OBJECT", "HELP", "x")).toBe(err("ERR wrong number of arguments for 'object|help' command"));
  });

  it("does not propagate (read-only)", () => {
    given(["k", "v"]);
    h.raw("OBJECT", "ENCODING", "k");
    expect(h.propagated).toEqual([]);
  });
});

describe("arity comes from Redis's metadata", () => {
  it.each([
    [["DEL"], "del"],
    [["EXISTS"], "exists"],
    [["EXPIRE", "k"], "expire"],
    [["SCAN"], "scan"],
    [["RANDOMKEY", "x"], "randomkey"],
    [["MOVE", "k"], "move"],
    [["SWAPDB", "0"], "swapdb"],
    [["COPY", "a"], "copy"],
  ])("%j", (argv, name) => {
    expect(h.raw(...argv)).toBe(err(`ERR wrong number of arguments for '${name}' command`));
  });
});
