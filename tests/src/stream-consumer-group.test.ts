import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { startKv, type ServerHandle } from "./support/server.js";

/*
 * A stream consumer group as an application uses one, through ioredis against the kv server:
 * two workers share a group, one waits in XREADGROUP BLOCK on its own connection until a
 * producer's XADD wakes it, work is acknowledged with XACK, and when a worker dies with
 * entries pending, another takes them over with XAUTOCLAIM. (KV_TARGET=redis runs it against
 * redis-server, which must pass it too.)
 */

let kv: ServerHandle;
const cleanups = new Cleanups();

beforeAll(async () => {
  kv = await startKv();
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

function client(): Redis {
  const redis = new Redis({ host: "127.0.0.1", port: kv.port, maxRetriesPerRequest: 2 });
  redis.on("error", () => undefined);
  cleanups.add(() => redis.disconnect());
  return redis;
}

type Entries = [id: string, fields: string[]][];
type ReadReply = [key: string, entries: Entries][] | null;

describe("a stream consumer group through ioredis", () => {
  it("shares work between two consumers, wakes a blocked one, and hands a dead one's entries over", async () => {
    const producer = client();
    const workerA = client();
    const workerB = client();

    expect(await producer.xgroup("CREATE", "jobs", "workers", "$", "MKSTREAM")).toBe("OK");
    for (let i = 1; i <= 4; i++) await producer.xadd("jobs", `${i}-0`, "job", `task-${i}`);

    // Two consumers split what is there: each gets what the other has not been given.
    const firstA = (await workerA.xreadgroup("GROUP", "workers", "a", "COUNT", 3, "STREAMS", "jobs", ">")) as ReadReply;
    const firstB = (await workerB.xreadgroup("GROUP", "workers", "b", "COUNT", 3, "STREAMS", "jobs", ">")) as ReadReply;
    expect(firstA).toEqual([["jobs", [["1-0", ["job", "task-1"]], ["2-0", ["job", "task-2"]], ["3-0", ["job", "task-3"]]]]]);
    expect(firstB).toEqual([["jobs", [["4-0", ["job", "task-4"]]]]]);
    expect(await workerB.xreadgroup("GROUP", "workers", "b", "STREAMS", "jobs", ">")).toBeNull();

    // B waits for more on its own connection; the producer's XADD wakes it.
    const waiting = workerB.xreadgroup("GROUP", "workers", "b", "BLOCK", 5000, "STREAMS", "jobs", ">") as Promise<ReadReply>;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await producer.xadd("jobs", "5-0", "job", "task-5")).toBe("5-0");
    expect(await waiting).toEqual([["jobs", [["5-0", ["job", "task-5"]]]]]);

    // B finishes its work; A acknowledges one entry, then dies with two still pending.
    expect(await workerB.xack("jobs", "workers", "4-0", "5-0")).toBe(2);
    expect(await workerA.xack("jobs", "workers", "1-0")).toBe(1);
    workerA.disconnect();
    expect(await producer.xpending("jobs", "workers")).toEqual([2, "2-0", "3-0", [["a", "2"]]]);

    // B takes over whatever has been idle for a while: the dead consumer's entries.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const [cursor, claimed, deleted] = (await workerB.xautoclaim("jobs", "workers", "b", 100, "0", "COUNT", 10)) as [string, Entries, string[]];
    expect(cursor).toBe("0-0");
    expect(claimed).toEqual([["2-0", ["job", "task-2"]], ["3-0", ["job", "task-3"]]]);
    expect(deleted).toEqual([]);
    const pending = (await producer.xpending("jobs", "workers", "-", "+", 10)) as [string, string, number, number][];
    expect(pending.map(([id, owner, , deliveries]) => [id, owner, deliveries])).toEqual([
      ["2-0", "b", 2],
      ["3-0", "b", 2],
    ]);
    expect(await workerB.xack("jobs", "workers", "2-0", "3-0")).toBe(2);
    expect(await producer.xpending("jobs", "workers")).toEqual([0, null, null, null]);

    const groups = (await producer.xinfo("GROUPS", "jobs")) as unknown[][];
    expect(groups).toEqual([["name", "workers", "consumers", 2, "pending", 0, "last-delivered-id", "5-0", "entries-read", 5, "lag", 0]]);
  });

  it("reports entries deleted while pending when XAUTOCLAIM meets them", async () => {
    const producer = client();
    const worker = client();
    await producer.xgroup("CREATE", "jobs", "workers", "0", "MKSTREAM");
    for (let i = 1; i <= 3; i++) await producer.xadd("jobs", `${i}-0`, "job", String(i));
    await worker.xreadgroup("GROUP", "workers", "gone", "STREAMS", "jobs", ">");
    expect(await producer.xdel("jobs", "2-0")).toBe(1);
    const [cursor, claimed, deleted] = (await worker.xautoclaim("jobs", "workers", "next", 0, "-", "JUSTID")) as [string, string[], string[]];
    expect([cursor, claimed, deleted]).toEqual(["0-0", ["1-0", "3-0"], ["2-0"]]);
    expect(await producer.xpending("jobs", "workers")).toEqual([2, "1-0", "3-0", [["next", "2"]]]);
  });
});
