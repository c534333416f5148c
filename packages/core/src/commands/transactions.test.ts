import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { RealRedis, redisServerAvailable, type RedisConnection } from "../test-support/real-redis.js";

/*
 * MULTI/EXEC/WATCH. Scenarios use two clients (A and B) so a write by one can invalidate the
 * other's WATCH; each runs on kv and, when redis-server is installed, on Redis too, and the
 * reply bytes must be identical.
 */

type Step = ["A" | "B", ...string[]];

const scenarios: Record<string, Step[]> = {
  "queued errors abort the transaction": [
    ["A", "MULTI"], ["A", "MULTI"], ["A", "WATCH", "a"], ["A", "GET"], ["A", "FOO", "x\x00y"], ["A", "SET", "a", "1"], ["A", "EXEC"],
    ["A", "GET", "a"],
  ],
  "runtime errors do not stop the others": [
    ["A", "MULTI"], ["A", "SET", "a", "1"], ["A", "INCR", "a"], ["A", "INCR", "a", "b"], ["A", "SET", "s", "x"], ["A", "INCR", "s"],
    ["A", "GET", "a"], ["A", "EXEC"], ["A", "EXEC"], ["A", "DISCARD"],
  ],
  "empty transaction and discard": [["A", "MULTI"], ["A", "EXEC"], ["A", "MULTI"], ["A", "SET", "k", "v"], ["A", "DISCARD"], ["A", "GET", "k"]],
  "a write by another client fails EXEC": [
    ["A", "SET", "bal", "10"], ["A", "WATCH", "bal"], ["B", "INCRBY", "bal", "5"], ["A", "MULTI"], ["A", "SET", "bal", "0"], ["A", "EXEC"],
    ["A", "GET", "bal"],
  ],
  "a write to an unwatched key does not": [
    ["A", "WATCH", "x"], ["B", "SET", "y", "1"], ["A", "MULTI"], ["A", "SET", "x", "1"], ["A", "EXEC"],
  ],
  "writing the same value still counts": [
    ["A", "SET", "x", "1"], ["A", "WATCH", "x"], ["B", "SET", "x", "1"], ["A", "MULTI"], ["A", "GET", "x"], ["A", "EXEC"],
  ],
  "UNWATCH and RESET forget the watch": [
    ["A", "WATCH", "x"], ["B", "SET", "x", "1"], ["A", "UNWATCH"], ["A", "MULTI"], ["A", "GET", "x"], ["A", "EXEC"],
    ["A", "WATCH", "x"], ["B", "SET", "x", "2"], ["A", "RESET"], ["A", "MULTI"], ["A", "GET", "x"], ["A", "EXEC"],
  ],
  "the client's own write inside the watch window counts too": [
    ["A", "WATCH", "x"], ["A", "SET", "x", "1"], ["A", "MULTI"], ["A", "GET", "x"], ["A", "EXEC"],
  ],
  "FLUSHALL invalidates watches of existing keys only": [
    ["A", "SET", "x", "1"], ["A", "WATCH", "x"], ["B", "FLUSHALL"], ["A", "MULTI"], ["A", "PING"], ["A", "EXEC"],
    ["A", "WATCH", "missing"], ["B", "FLUSHALL"], ["A", "MULTI"], ["A", "PING"], ["A", "EXEC"],
  ],
  "FLUSHDB of another database does not touch": [
    ["A", "SET", "x", "1"], ["A", "WATCH", "x"], ["B", "SELECT", "2"], ["B", "FLUSHDB"], ["A", "MULTI"], ["A", "GET", "x"], ["A", "EXEC"],
  ],
  "SWAPDB touches keys on either side": [
    ["B", "SELECT", "1"], ["B", "SET", "y", "in1"], ["A", "WATCH", "y"], ["B", "SWAPDB", "0", "1"], ["A", "MULTI"], ["A", "GET", "y"],
    ["A", "EXEC"],
  ],
  "commands after MULTI in another database": [
    ["A", "MULTI"], ["A", "SELECT", "3"], ["A", "SET", "k", "v"], ["A", "EXEC"], ["A", "GET", "k"], ["A", "SELECT", "0"], ["A", "GET", "k"],
  ],
  "RESP3 null for an aborted EXEC": [
    ["A", "HELLO", "3"], ["A", "WATCH", "z"], ["B", "SET", "z", "1"], ["A", "MULTI"], ["A", "GET", "z"], ["A", "EXEC"],
  ],
  "WATCH arity and UNWATCH arity": [["A", "WATCH"], ["A", "UNWATCH", "x"], ["A", "MULTI", "x"], ["A", "EXEC", "x"]],
};

function hideHelloId(reply: string): string {
  return reply.replace(/(\$2\r\nid\r\n:)\d+/, "$1<id>");
}

function runOnKv(steps: Step[]): string[] {
  const h = new TestHarness();
  const clients = { A: h.client, B: h.engine.createClient() };
  return steps.map(([who, ...argv]) => hideHelloId(h.rawAs(clients[who], ...argv)));
}

describe("transactions", () => {
  it("EXEC replies with every queued command's reply in order", () => {
    const h = new TestHarness();
    expect(h.raw("MULTI")).toBe("+OK\r\n");
    expect(h.raw("SET", "a", "1")).toBe("+QUEUED\r\n");
    expect(h.raw("INCR", "a")).toBe("+QUEUED\r\n");
    expect(h.raw("GET", "a")).toBe("+QUEUED\r\n");
    expect(h.raw("EXEC")).toBe("*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  });

  it("logs a transaction's writes as one MULTI ... EXEC block, and nothing for a read-only one", () => {
    const h = new TestHarness();
    h.raw("MULTI");
    h.raw("GET", "a");
    h.raw("EXEC");
    expect(h.propagated).toEqual([]);
    h.raw("MULTI");
    h.raw("SET", "a", "1");
    h.raw("GET", "a");
    h.raw("INCR", "a");
    h.raw("EXEC");
    expect(h.propagated).toEqual([
      [0, ["MULTI"]],
      [0, ["SET", "a", "1"]],
      [0, ["INCR", "a"]],
      [0, ["EXEC"]],
    ]);
  });

  it("fails EXEC when a watched key expired, even before anything deleted it", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(1_000_000);
      const h = new TestHarness();
      h.raw("SET", "k", "v", "PX", "100");
      h.raw("WATCH", "k");
      vi.setSystemTime(1_000_200);
      h.raw("MULTI");
      h.raw("PING");
      expect(h.raw("EXEC")).toBe("*-1\r\n");
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps a watch on a key that had already expired when watched, until it changes", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(1_000_000);
      const h = new TestHarness();
      h.raw("SET", "k", "v", "PX", "100");
      vi.setSystemTime(1_000_200);
      h.raw("WATCH", "k");
      h.raw("GET", "k"); // the lazy delete of an already-expired key is no change
      h.raw("MULTI");
      h.raw("PING");
      expect(h.raw("EXEC")).toBe("*1\r\n+PONG\r\n");
    } finally {
      vi.useRealTimers();
    }
  });

  it("forgets a disconnected client's watches", () => {
    const h = new TestHarness();
    const other = h.engine.createClient();
    h.rawAs(other, "WATCH", "a", "b");
    expect(h.engine.watches.size).toBe(2);
    h.engine.releaseClient(other);
    expect(h.engine.watches.size).toBe(0);
  });

  describe.skipIf(!redisServerAvailable)("against redis-server", () => {
    let redis: RealRedis;
    beforeAll(async () => {
      redis = await RealRedis.start();
    });
    afterAll(() => redis?.stop());

    for (const [name, steps] of Object.entries(scenarios)) {
      it(name, async () => {
        const a = await redis.connect();
        const b = await redis.connect();
        const conns: Record<"A" | "B", RedisConnection> = { A: a, B: b };
        await a.send(["FLUSHALL"]);
        const expected: string[] = [];
        for (const [who, ...argv] of steps) expected.push(hideHelloId((await conns[who].send(argv))[0]!));
        a.close();
        b.close();
        expect(runOnKv(steps)).toEqual(expected);
      });
    }
  });
});
