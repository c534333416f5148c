import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Engine } from "../engine.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { TestHarness } from "../test-support/harness.js";
import { OK, bulk, err, int } from "../test-support/resp-bytes.js";
import type { MemoryGauge } from "./memory-gauge.js";
import { evictionTimeLimitMs } from "./max-memory.js";

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/**
 * An exact, deterministic measure: the bytes of every string value in the keyspace (each
 * collection counts 100). Eviction then stops exactly when the data fits.
 */
class DatasetGauge implements MemoryGauge {
  constructor(private readonly engine: Engine) {}
  used(): number {
    return this.measure();
  }
  settle(): number {
    return this.measure();
  }
  lastResort(): number {
    return this.measure();
  }
  measure(): number {
    let total = 0;
    for (const db of this.engine.keyspace.databases) for (const [, value] of db.entries()) total += typeof value === "string" ? value.length : 100;
    return total;
  }
  released(): void {}
  setLimit(): void {}
}

const VALUE = "x".repeat(100);

function harness(policy: string, extra: [string, string][] = []): TestHarness {
  const h = new TestHarness();
  h.engine.maxMemory.useGauge(new DatasetGauge(h.engine));
  // Samples covering every key make the pool's choice exact, so each test knows its victims.
  h.raw("CONFIG", "SET", "maxmemory-policy", policy, "maxmemory-samples", "64");
  for (const [name, value] of extra) h.raw("CONFIG", "SET", name, value);
  return h;
}

function fill(h: TestHarness, prefix: string, count: number, ...options: string[]): void {
  for (let i = 0; i < count; i++) expect(h.raw("SET", `${prefix}${i}`, VALUE, ...options)).toBe(OK);
}

function keys(h: TestHarness): string[] {
  return [...h.client.db.keys()].sort();
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2024-01-01T00:00:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("noeviction", () => {
  it("refuses denyoom commands with Redis's text while reads and deletes keep working", () => {
    const h = harness("noeviction");
    fill(h, "k", 10);
    expect(h.raw("CONFIG", "SET", "maxmemory", "500")).toBe(OK);
    expect(h.raw("SET", "new", "v")).toBe(err(OOM));
    expect(h.raw("APPEND", "k1", "more")).toBe(err(OOM));
    expect(h.raw("GET", "k1")).toBe(bulk(VALUE));
    expect(h.raw("DBSIZE")).toBe(int(10));
    // DEL has no denyoom flag: deleting is how a client gets out.
    expect(h.raw("DEL", "k0", "k1", "k2", "k3", "k4", "k5")).toBe(int(6));
    expect(h.raw("SET", "new", "v")).toBe(OK);
    expect(h.engine.stats.evictedKeys).toBe(0);
    expect(h.raw("INFO", "errorstats")).toContain("errorstat_OOM:count=2");
  });

  it("refuses everything queued in MULTI, and EXEC then aborts", () => {
    const h = harness("noeviction");
    fill(h, "k", 10);
    h.raw("CONFIG", "SET", "maxmemory", "500");
    expect(h.raw("MULTI")).toBe(OK);
    expect(h.raw("GET", "k1")).toBe(err(OOM));
    expect(h.raw("EXEC")).toBe(err("EXECABORT Transaction discarded because of previous errors."));
    expect(h.raw("MULTI")).toBe(OK);
    expect(h.raw("DISCARD")).toBe(OK);
  });

  it("aborts EXEC of a queued write when memory ran out after queuing; a read-only EXEC still runs", () => {
    const h = harness("noeviction");
    fill(h, "k", 10);
    const other = h.engine.createClient();
    expect(h.raw("MULTI")).toBe(OK);
    expect(h.raw("SET", "a", "b")).toBe("+QUEUED\r\n");
    expect(h.rawAs(other, "CONFIG", "SET", "maxmemory", "500")).toBe(OK);
    expect(h.raw("EXEC")).toBe(err(`EXECABORT Transaction discarded because of: ${OOM}`));
    h.rawAs(other, "CONFIG", "SET", "maxmemory", "0");
    expect(h.raw("MULTI")).toBe(OK);
    expect(h.raw("GET", "k1")).toBe("+QUEUED\r\n");
    h.rawAs(other, "CONFIG", "SET", "maxmemory", "500");
    expect(h.raw("EXEC")).toBe(`*1\r\n${bulk(VALUE)}`);
  });
});

describe("allkeys-lru", () => {
  it("evicts the least recently used keys, propagates DEL and fires evicted", () => {
    const h = harness("allkeys-lru");
    const { events, forget } = observeHarness(h);
    fill(h, "k", 10);
    vi.advanceTimersByTime(10_000);
    // k0..k4 are read later, so k5..k9 are the least recently used.
    for (let i = 0; i < 5; i++) h.raw("GET", `k${i}`);
    vi.advanceTimersByTime(10_000);
    forget();
    expect(h.raw("CONFIG", "SET", "maxmemory", "700")).toBe(OK);
    // The CONFIG SET evicts at once (updateMaxmemory), down to 7 keys: the 3 least recently used go.
    expect(h.engine.stats.evictedKeys).toBe(3);
    expect(keys(h)).toHaveLength(7);
    for (let i = 0; i < 5; i++) expect(h.raw("EXISTS", `k${i}`)).toBe(int(1));
    // Eviction runs before a command, so memory may exceed the limit by what the last one added.
    fill(h, "n", 2);
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(keys(h)).toEqual(["k0", "k1", "k2", "k3", "k4", "n0", "n1"]);
    expect(h.raw("INFO", "stats")).toContain("evicted_keys:5");
    const evicted = events.filter((event) => event.includes(" evicted ")).map((event) => event.split(" ")[2]);
    expect(evicted.sort()).toEqual(["k5", "k6", "k7", "k8", "k9"]);
    const dels = h.propagated.filter(([, argv]) => argv[0] === "DEL").map(([, argv]) => argv[1]);
    expect(dels.sort()).toEqual(["k5", "k6", "k7", "k8", "k9"]);
  });

  it("logs UNLINK with lazyfree-lazy-eviction", () => {
    const h = harness("allkeys-lru", [["lazyfree-lazy-eviction", "yes"]]);
    fill(h, "k", 3);
    h.propagated.length = 0;
    h.raw("CONFIG", "SET", "maxmemory", "200");
    expect(h.propagated.map(([, argv]) => argv[0])).toEqual(["UNLINK"]);
  });

  it("answers OBJECT IDLETIME from the access data; TYPE, EXISTS, TTL and OBJECT do not count as accesses", () => {
    const h = harness("allkeys-lru");
    h.raw("SET", "k", "v");
    vi.advanceTimersByTime(7_000);
    for (const argv of [["TYPE", "k"], ["EXISTS", "k"], ["TTL", "k"], ["OBJECT", "ENCODING", "k"]]) h.raw(...argv);
    expect(h.raw("OBJECT", "IDLETIME", "k")).toBe(int(7));
    h.raw("GET", "k");
    expect(h.raw("OBJECT", "IDLETIME", "k")).toBe(int(0));
    vi.advanceTimersByTime(3_000);
    h.raw("APPEND", "k", "w");
    expect(h.raw("OBJECT", "IDLETIME", "k")).toBe(int(0));
  });

  it("bounds one run by maxmemory-eviction-tenacity and continues at the next command", () => {
    const h = harness("allkeys-lru");
    fill(h, "k", 100);
    // Tenacity 0 is a zero time budget: a run stops after its first 16 keys.
    h.raw("CONFIG", "SET", "maxmemory-eviction-tenacity", "0");
    h.raw("CONFIG", "SET", "maxmemory", "100");
    expect(h.engine.stats.evictedKeys).toBe(16);
    expect(h.raw("SET", "a", "b")).toBe(OK); // "running" admits the command
    expect(h.engine.stats.evictedKeys).toBe(32);
    for (let i = 0; i < 10; i++) h.raw("PING");
    expect(h.raw("DBSIZE")).toBe(int(1));
  });

  it("forgets access data of deleted keys and tracks nothing under other policies", () => {
    const h = harness("allkeys-lru");
    fill(h, "k", 1500);
    expect(h.engine.maxMemory.tracker.entryCount).toBe(1500);
    // Deleted keys' entries stay until a sweep: one runs once the table outgrows twice the keys (+1024).
    h.raw("FLUSHALL");
    h.raw("SET", "fresh", "v");
    expect(h.engine.maxMemory.tracker.entryCount).toBe(1);
    h.raw("SET", "k2", "v");
    h.raw("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    expect(h.engine.maxMemory.tracking).toBe(false);
    expect(h.engine.maxMemory.tracker.entryCount).toBe(0);
    h.raw("GET", "k2");
    expect(h.engine.maxMemory.tracker.entryCount).toBe(0);
  });
});

describe("allkeys-lfu", () => {
  it("counts accesses like Redis (LFU_INIT_VAL 5, log increment, decay per minute)", () => {
    const h = harness("allkeys-lfu", [["lfu-log-factor", "0"]]);
    h.raw("SET", "k", "v");
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(int(5));
    for (let i = 0; i < 10; i++) h.raw("GET", "k");
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(int(15));
    // An overwrite keeps the counter (dbSetValue keeps lru under LFU) and counts as an access.
    h.raw("SET", "k", "w");
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(int(16));
    vi.advanceTimersByTime(3 * 60_000);
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(int(13));
    h.raw("CONFIG", "SET", "lfu-decay-time", "0");
    vi.advanceTimersByTime(60 * 60_000);
    expect(h.raw("OBJECT", "FREQ", "k")).toBe(int(16));
  });

  it("increments ever more rarely with the default log factor", () => {
    const h = harness("allkeys-lfu");
    h.raw("SET", "k", "v");
    for (let i = 0; i < 1000; i++) h.raw("GET", "k");
    // Redis's table: with lfu-log-factor 10, 1000 hits give a counter of about 18 (+5 initial).
    const freq = Number(/^:(\d+)/.exec(h.raw("OBJECT", "FREQ", "k"))?.[1]);
    expect(freq).toBeGreaterThan(12);
    expect(freq).toBeLessThan(40);
  });

  it("keeps frequently used keys and evicts rarely used ones", () => {
    const h = harness("allkeys-lfu", [["lfu-log-factor", "0"]]);
    fill(h, "hot", 5);
    fill(h, "cold", 5);
    for (let round = 0; round < 5; round++) for (let i = 0; i < 5; i++) h.raw("GET", `hot${i}`);
    h.raw("CONFIG", "SET", "maxmemory", "500");
    expect(keys(h)).toEqual(["hot0", "hot1", "hot2", "hot3", "hot4"]);
  });
});

describe("volatile policies", () => {
  it("volatile-ttl evicts the keys closest to expiring first and never keys without a TTL", () => {
    const h = harness("volatile-ttl");
    fill(h, "persistent", 4);
    for (let i = 0; i < 6; i++) h.raw("SET", `ttl${i}`, VALUE, "EX", String(1000 * (i + 1)));
    h.raw("CONFIG", "SET", "maxmemory", "800");
    expect(keys(h)).toEqual(["persistent0", "persistent1", "persistent2", "persistent3", "ttl2", "ttl3", "ttl4", "ttl5"]);
    h.raw("CONFIG", "SET", "maxmemory", "350");
    // Every key with a TTL went; the rest cannot be evicted, so writes are refused.
    expect(keys(h)).toEqual(["persistent0", "persistent1", "persistent2", "persistent3"]);
    expect(h.raw("SET", "x", "y")).toBe(err(OOM));
    expect(h.raw("GET", "persistent0")).toBe(bulk(VALUE));
  });

  it("volatile-lru with no key holding a TTL refuses writes", () => {
    const h = harness("volatile-lru");
    fill(h, "k", 5);
    h.raw("CONFIG", "SET", "maxmemory", "100");
    expect(h.raw("SET", "k9", "v")).toBe(err(OOM));
    expect(h.raw("DBSIZE")).toBe(int(5));
  });

  it("volatile-lfu and volatile-random evict only keys with a TTL", () => {
    for (const policy of ["volatile-lfu", "volatile-random"]) {
      const h = harness(policy);
      fill(h, "p", 3);
      fill(h, "t", 3, "EX", "100");
      h.raw("CONFIG", "SET", "maxmemory", "400");
      expect(keys(h).filter((key) => key.startsWith("p"))).toEqual(["p0", "p1", "p2"]);
      expect(h.raw("DBSIZE")).toBe(int(4));
    }
  });

  it("allkeys-random evicts across databases until the data fits", () => {
    const h = harness("allkeys-random");
    fill(h, "a", 5);
    h.raw("SELECT", "3");
    fill(h, "b", 5);
    h.raw("CONFIG", "SET", "maxmemory", "500");
    let total = 0;
    for (const db of h.engine.keyspace.databases) total += db.size;
    expect(total).toBe(5);
    expect(h.engine.stats.evictedKeys).toBe(5);
  });
});

describe("configuration", () => {
  it("accepts units and Redis's ranges", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "SET", "maxmemory", "100mb")).toBe(OK);
    expect(h.engine.maxMemory.limit).toBe(104857600);
    expect(h.raw("CONFIG", "SET", "maxmemory-samples", "100")).toBe(OK);
    expect(h.raw("CONFIG", "SET", "maxmemory", "0")).toBe(OK);
    expect(h.engine.maxMemory.limit).toBe(0);
  });

  it("maps tenacity to Redis's time limits", () => {
    expect(evictionTimeLimitMs(10)).toBe(0.5);
    expect(evictionTimeLimitMs(0)).toBe(0);
    expect(evictionTimeLimitMs(11)).toBeCloseTo(0.575);
    expect(evictionTimeLimitMs(100)).toBe(Number.POSITIVE_INFINITY);
  });
});
