import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKv, type ServerHandle } from "./support/server.js";

/*
 * The optimistic-locking pattern through a real client: many clients increment one counter
 * with WATCH / GET / MULTI / SET / EXEC, retrying when EXEC returns null. If WATCH missed a
 * concurrent write, two clients would commit from the same old value and an update would be
 * lost; the final value proves none was.
 */

let kv: ServerHandle;
const clients: Redis[] = [];

beforeAll(async () => {
  kv = await startKv({ appendonly: true, appendfsync: "always" });
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await kv?.dispose();
});

function client(): Redis {
  const redis = new Redis({ host: "127.0.0.1", port: kv.port, maxRetriesPerRequest: 2 });
  redis.on("error", () => undefined);
  clients.push(redis);
  return redis;
}

async function incrementWithWatch(redis: Redis, key: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    await redis.watch(key);
    const current = Number((await redis.get(key)) ?? "0");
    const result = await redis.multi().set(key, String(current + 1)).exec();
    if (result !== null) return attempt;
    if (attempt > 10_000) throw new Error("too many retries");
  }
}

describe("WATCH/MULTI/EXEC through ioredis", () => {
  it("loses no update under concurrent optimistic increments, and survives a restart", async () => {
    const workers = Array.from({ length: 8 }, () => client());
    const perWorker = 50;
    let retries = 0;
    await Promise.all(
      workers.map(async (redis) => {
        for (let i = 0; i < perWorker; i++) retries += (await incrementWithWatch(redis, "counter")) - 1;
      }),
    );
    const reader = client();
    expect(await reader.get("counter")).toBe(String(workers.length * perWorker));
    // Contention must actually have happened, or the test proves nothing about WATCH.
    expect(retries).toBeGreaterThan(0);

    await kv.restart();
    const after = new Redis({ host: "127.0.0.1", port: kv.port });
    clients.push(after);
    expect(await after.get("counter")).toBe(String(workers.length * perWorker));
  });

  it("reports a queued error as EXECABORT and applies nothing", async () => {
    const redis = client();
    const result = await redis
      .multi()
      .set("tx:a", "1")
      .call("NOSUCHCOMMAND")
      .exec()
      .catch((error: Error) => error);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain("EXECABORT");
    expect(await redis.exists("tx:a")).toBe(0);
  });
});
