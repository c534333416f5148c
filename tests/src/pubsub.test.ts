import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { startKv, type ServerHandle } from "./support/server.js";
import { pollUntil } from "./support/wait.js";

/*
 * Pub/Sub over real sockets with real client libraries: messages published on one connection
 * must reach every other subscribed connection, complete and in order, in RESP2 (ioredis)
 * and in RESP3 push frames (node-redis), including keyspace notifications raised by the
 * server's own active expiry cycle, outside any client's command.
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
  await connection.call(["CONFIG", "SET", "notify-keyspace-events", ""]);
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

async function nodeRedis() {
  const client = createClient({ socket: { host: "127.0.0.1", port: kv.port, reconnectStrategy: false }, RESP: 3 });
  client.on("error", () => undefined);
  await client.connect();
  cleanups.add(() => {
    if (client.isOpen) client.destroy();
  });
  return client;
}

/** What one subscriber received, as "channel message" (or "pattern channel message") strings. */
type Inbox = string[];

async function ioredisSubscriber(kind: "channel" | "pattern", name: string): Promise<Inbox> {
  const inbox: Inbox = [];
  const client = ioredis();
  if (kind === "channel") {
    client.on("message", (channel: string, message: string) => inbox.push(`${channel} ${message}`));
    await client.subscribe(name);
  } else {
    client.on("pmessage", (pattern: string, channel: string, message: string) => inbox.push(`${pattern} ${channel} ${message}`));
    await client.psubscribe(name);
  }
  return inbox;
}

async function nodeRedisSubscriber(kind: "channel" | "pattern", name: string): Promise<Inbox> {
  const inbox: Inbox = [];
  const client = await nodeRedis();
  if (kind === "channel") await client.subscribe(name, (message, channel) => inbox.push(`${channel} ${message}`));
  else await client.pSubscribe(name, (message, channel) => inbox.push(`${name} ${channel} ${message}`));
  return inbox;
}

async function waitForAll(inboxes: Inbox[], count: number, description: string): Promise<void> {
  await pollUntil(() => Promise.resolve(inboxes.every((inbox) => inbox.length >= count) ? true : undefined), {
    timeoutMs: 15_000,
    description: `${description} (received: ${inboxes.map((inbox) => inbox.length).join(",")})`,
  });
}

describe("Pub/Sub fan-out", () => {
  it("delivers every message, in order, to 50 channel and pattern subscribers over RESP2 and RESP3", async () => {
    const SUBSCRIBERS = 50;
    const MESSAGES = 500;
    const inboxes: { kind: "channel" | "pattern"; inbox: Inbox }[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const kind = i % 2 === 0 ? "channel" : "pattern";
      const name = kind === "channel" ? "fan:news" : "fan:*";
      const inbox = i < SUBSCRIBERS / 2 ? await ioredisSubscriber(kind, name) : await nodeRedisSubscriber(kind, name);
      inboxes.push({ kind, inbox });
    }
    const publisher = ioredis();
    expect(await publisher.pubsub("NUMSUB", "fan:news")).toEqual(["fan:news", SUBSCRIBERS / 2]);
    expect(await publisher.pubsub("NUMPAT")).toBe(1);

    const pipeline = publisher.pipeline();
    for (let i = 0; i < MESSAGES; i++) pipeline.publish("fan:news", `m${i}:${"x".repeat(i % 97)}`);
    const results = await pipeline.exec();
    expect(results?.map(([error, receivers]) => (error === null ? receivers : error.message))).toEqual(Array(MESSAGES).fill(SUBSCRIBERS));
    // A channel nobody matches reaches nobody.
    expect(await publisher.publish("other", "x")).toBe(0);

    await waitForAll(
      inboxes.map(({ inbox }) => inbox),
      MESSAGES,
      "every subscriber to receive every message",
    );
    const sent = Array.from({ length: MESSAGES }, (_, i) => `fan:news m${i}:${"x".repeat(i % 97)}`);
    for (const { kind, inbox } of inboxes) expect(inbox).toEqual(kind === "channel" ? sent : sent.map((entry) => `fan:* ${entry}`));
  });

  it("drops the subscriptions of clients that unsubscribe or disconnect", async () => {
    const publisher = ioredis();
    const leaving = ioredis();
    await leaving.subscribe("gone", "stay");
    await leaving.psubscribe("g*");
    const staying = await ioredisSubscriber("channel", "stay");
    expect(await publisher.publish("gone", "1")).toBe(2);
    await leaving.unsubscribe("gone");
    expect(await publisher.publish("gone", "2")).toBe(1);
    leaving.disconnect();
    await pollUntil(async () => ((await publisher.publish("stay", "3")) === 1 ? true : undefined), {
      timeoutMs: 5_000,
      description: "the disconnected subscriber to be forgotten",
    });
    expect(await publisher.pubsub("NUMPAT")).toBe(0);
    await waitForAll([staying], 1, "the remaining subscriber's messages");
    expect(staying.at(-1)).toBe("stay 3");
  });
});

describe("keyspace notifications", () => {
  it("reports keys removed by the active expiry cycle to RESP2 and RESP3 subscribers", async () => {
    const KEYS = 20;
    const control = ioredis();
    expect(await control.config("SET", "notify-keyspace-events", "Ex")).toBe("OK");
    const resp2 = await ioredisSubscriber("channel", "__keyevent@0__:expired");
    const resp3 = await nodeRedisSubscriber("pattern", "__keyevent@*__:expired");
    const pipeline = control.pipeline();
    for (let i = 0; i < KEYS; i++) pipeline.set(`ttl:${i}`, "v", "PX", 50 + i);
    await pipeline.exec();
    // Nobody reads the keys: only the server's own cycle can expire them.
    await waitForAll([resp2, resp3], KEYS, "expired events from the active cycle");
    const expected = Array.from({ length: KEYS }, (_, i) => `ttl:${i}`).sort();
    expect(resp2.map((entry) => entry.split(" ")[1]).sort()).toEqual(expected);
    expect(resp3.map((entry) => entry.split(" ")[2]).sort()).toEqual(expected);
    expect(resp3.every((entry) => entry.startsWith("__keyevent@*__:expired __keyevent@0__:expired "))).toBe(true);
    expect(await control.dbsize()).toBe(0);
  });

  it("reports writes of other clients on __keyspace@ and __keyevent@ channels", async () => {
    const control = ioredis();
    await control.config("SET", "notify-keyspace-events", "KEA");
    const keyspace = await nodeRedisSubscriber("channel", "__keyspace@0__:counter");
    const keyevent = await ioredisSubscriber("pattern", "__keyevent@0__:*");
    await control.set("counter", "1");
    await control.incr("counter");
    await control.expire("counter", 100);
    await control.del("counter");
    await waitForAll([keyspace, keyevent], 4, "notifications of four writes");
    expect(keyspace).toEqual(["__keyspace@0__:counter set", "__keyspace@0__:counter incrby", "__keyspace@0__:counter expire", "__keyspace@0__:counter del"]);
    expect(keyevent).toEqual([
      "__keyevent@0__:* __keyevent@0__:set counter",
      "__keyevent@0__:* __keyevent@0__:incrby counter",
      "__keyevent@0__:* __keyevent@0__:expire counter",
      "__keyevent@0__:* __keyevent@0__:del counter",
    ]);
  });
});
