import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { pollUntil } from "./support/wait.js";
import { startKv, type ServerHandle } from "./support/server.js";

/*
 * The patterns applications build on Redis, run unchanged through real client libraries
 * against a real kv process: a reliable job queue on BLMOVE, a leaderboard on sorted sets,
 * and blocking pops surviving a restart (state replayed from the AOF wakes new waiters).
 */

let kv: ServerHandle;
const cleanups = new Cleanups();

beforeAll(async () => {
  kv = await startKv({ appendonly: true });
});

afterEach(async () => {
  await cleanups.run();
  const connection = await kv.connect();
  await connection.call(["FLUSHALL"]);
  connection.close();
});

afterAll(async () => {
  await kv?.dispose();
});

function ioredis(): Redis {
  const client = new Redis({ host: "127.0.0.1", port: kv.port, maxRetriesPerRequest: 2 });
  client.on("error", () => undefined);
  cleanups.add(() => client.disconnect());
  return client;
}

describe("a reliable job queue on BLMOVE", () => {
  it("workers blocked on an empty queue take every job exactly once, FIFO, and acknowledge it", async () => {
    const producer = ioredis();
    const workers = [ioredis(), ioredis(), ioredis()];
    const jobs = Array.from({ length: 60 }, (_, i) => `job-${i}`);
    const done: string[][] = workers.map(() => []);

    // Each worker: move a job to its own processing list (so a crash would leave it
    // recoverable), handle it, then remove it from the processing list.
    const running = workers.map(async (worker, index) => {
      const processing = `processing:${index}`;
      for (;;) {
        const job = await worker.blmove("jobs", processing, "LEFT", "RIGHT", 1);
        if (job === null) return;
        if (job === "stop") {
          await worker.lrem(processing, 1, job);
          return;
        }
        done[index]!.push(job);
        await worker.lrem(processing, 1, job);
      }
    });
    // The workers block on the empty queue first.
    await pollUntil(async () => (/blocked_clients:3\r/.test(await producer.info("clients")) ? true : undefined), {
      timeoutMs: 5000,
      description: "three workers blocked in BLMOVE",
    });
    for (const job of jobs) await producer.rpush("jobs", job);
    await producer.rpush("jobs", "stop", "stop", "stop");
    await Promise.all(running);

    const all = done.flat();
    expect(all.sort()).toEqual([...jobs].sort());
    // Each worker saw its jobs in queue order.
    for (const seen of done) expect(seen).toEqual([...seen].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))));
    expect(await producer.exists("jobs", "processing:0", "processing:1", "processing:2")).toBe(0);
  });

  it("jobs left in a dead worker's processing list are recovered with LMOVE", async () => {
    const client = ioredis();
    await client.rpush("jobs", "a", "b");
    expect(await client.blmove("jobs", "processing:dead", "LEFT", "RIGHT", 0)).toBe("a");
    // The worker dies here; a reaper puts its job back at the head of the queue.
    expect(await client.lmove("processing:dead", "jobs", "RIGHT", "LEFT")).toBe("a");
    expect(await client.lrange("jobs", 0, -1)).toEqual(["a", "b"]);
  });

  it("a blocked pop times out with null, and BRPOPLPUSH serves the oldest waiter first", async () => {
    const client = ioredis();
    const started = Date.now();
    expect(await client.blpop("nothing", 0.2)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);

    const first = ioredis();
    const second = ioredis();
    const firstResult = first.brpoplpush("src", "dst", 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const secondResult = second.brpoplpush("src", "dst", 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.rpush("src", "one");
    expect(await firstResult).toBe("one");
    await client.rpush("src", "two");
    expect(await secondResult).toBe("two");
  });

  it("node-redis isolated clients block and are woken by a MULTI/EXEC", async () => {
    const waiter = createClient({ socket: { host: "127.0.0.1", port: kv.port } });
    const writer = createClient({ socket: { host: "127.0.0.1", port: kv.port } });
    waiter.on("error", () => undefined);
    writer.on("error", () => undefined);
    await Promise.all([waiter.connect(), writer.connect()]);
    cleanups.add(() => {
      waiter.destroy();
      writer.destroy();
    });
    const popped = waiter.bzPopMin("scores", 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writer.multi().zAdd("scores", [{ score: 3, value: "c" }, { score: 1, value: "a" }]).zAdd("scores", { score: 2, value: "b" }).exec();
    expect(await popped).toEqual({ key: "scores", value: "a", score: 1 });
  });
});

describe("a leaderboard on sorted sets", () => {
  it("ranks players, pages the top, and keeps ties in member order", async () => {
    const client = ioredis();
    const players = Array.from({ length: 200 }, (_, i) => `player:${String(i).padStart(3, "0")}`);
    const pipeline = client.pipeline();
    players.forEach((player, i) => pipeline.zadd("board", (i * 37) % 101, player));
    await pipeline.exec();
    for (let round = 0; round < 5; round++) await client.zincrby("board", 10, players[round * 7]!);

    const expected = players
      .map((player, i) => ({ player, score: ((i * 37) % 101) + (i % 7 === 0 && i / 7 < 5 ? 10 : 0) }))
      .sort((a, b) => b.score - a.score || (a.player < b.player ? 1 : -1));
    const top = await client.zrange("board", 0, 9, "REV", "WITHSCORES");
    const expectedTop = expected.slice(0, 10).flatMap(({ player, score }) => [player, String(score)]);
    expect(top).toEqual(expectedTop);
    // Page 3 of 20 by score, and a player's rank.
    expect(await client.zrevrange("board", 40, 59)).toEqual(expected.slice(40, 60).map(({ player }) => player));
    const someone = expected[123]!;
    expect(await client.zrevrank("board", someone.player)).toBe(123);
    expect(await client.zscore("board", someone.player)).toBe(String(someone.score));
    expect(await client.zcount("board", 50, "+inf")).toBe(expected.filter(({ score }) => score >= 50).length);
    // Players around a score, as a "near you" view.
    const near = await client.zrange("board", "(60", "70", "BYSCORE", "LIMIT", 0, 5);
    expect(near).toEqual(
      expected
        .filter(({ score }) => score > 60 && score <= 70)
        .reverse()
        .slice(0, 5)
        .map(({ player }) => player),
    );
  });
});

describe("blocking pops and persistence", () => {
  it("a list written before a restart serves a blocked pop after it", async () => {
    const server = await startKv({ appendonly: true });
    try {
      const before = new Redis({ host: "127.0.0.1", port: server.port });
      await before.rpush("queue", "survivor");
      before.disconnect();
      await server.restart();
      const after = new Redis({ host: "127.0.0.1", port: server.port });
      expect(await after.blpop("queue", 1)).toEqual(["queue", "survivor"]);
      const waiting = after.duplicate();
      const popped = waiting.blpop("queue", 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await after.rpush("queue", "later");
      expect(await popped).toEqual(["queue", "later"]);
      after.disconnect();
      waiting.disconnect();
    } finally {
      await server.dispose();
    }
  });
});
