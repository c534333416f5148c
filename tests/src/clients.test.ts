import { Redis, type RedisOptions } from "ioredis";
import { createClient, RESP_TYPES } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { runRedisCli } from "./support/redis-cli.js";
import { RespConnection } from "./support/resp-connection.js";
import { escapeBytes } from "./support/resp-reply.js";
import { kvTargetKind, startKv, startRedis, type ServerHandle } from "./support/server.js";
import { pollUntil } from "./support/wait.js";

let kv: ServerHandle;
let redis: ServerHandle;
const cleanups = new Cleanups();

beforeAll(async () => {
  [kv, redis] = await Promise.all([startKv(), startRedis()]);
});

afterEach(async () => {
  await cleanups.run();
  for (const server of [kv, redis]) {
    const connection = await server.connect();
    await connection.call(["FLUSHALL"]);
    connection.close();
  }
});

afterAll(async () => {
  await Promise.all([kv?.dispose(), redis?.dispose()]);
});

function ioredis(port: number, options: RedisOptions = {}): Redis {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 2, ...options });
  // Errors surface through the commands' promises; without a listener ioredis would log them.
  client.on("error", () => undefined);
  cleanups.add(() => client.disconnect());
  return client;
}

async function nodeRedis(port: number, protocol: 2 | 3) {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false }, RESP: protocol });
  client.on("error", () => undefined);
  await client.connect();
  cleanups.add(() => {
    if (client.isOpen) client.destroy();
  });
  return client;
}

describe("ioredis against kv", () => {
  it("runs the original session", async () => {
    const client = ioredis(kv.port);
    expect(await client.set("username", "Prajwal")).toBe("OK");
    expect(await client.get("username")).toBe("Prajwal");
  });

  it("returns the same pipeline results as redis-server", async () => {
    const build = (client: Redis) => {
      const pipeline = client.pipeline();
      for (let i = 0; i < 200; i++) {
        if (i % 5 === 0) pipeline.set(`p:${i % 17}`, String(i));
        else if (i % 5 === 1) pipeline.incr(`p:${i % 13}`);
        else if (i % 5 === 2) pipeline.get(`p:${i % 11}`);
        else if (i % 5 === 3) pipeline.expire(`p:${i % 7}`, 1000);
        else pipeline.del(`p:${i % 19}`);
      }
      pipeline.mget("p:1", "p:2", "p:3");
      pipeline.call("GET", "a", "b");
      return pipeline.exec();
    };
    const render = (results: [Error | null, unknown][] | null) => (results ?? []).map(([error, value]) => (error ? `error: ${error.message}` : value));
    const kvResults = render(await build(ioredis(kv.port)));
    const redisResults = render(await build(ioredis(redis.port)));
    expect(kvResults).toHaveLength(202);
    expect(kvResults).toEqual(redisResults);
  });

  it("stores and returns binary keys and values as Buffers", async () => {
    const client = ioredis(kv.port);
    const value = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
    const key = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]);
    expect(await client.set(key, value)).toBe("OK");
    expect((await client.getBuffer(key))?.equals(value)).toBe(true);
    expect(await client.strlen(key)).toBe(1024);
    const [fromMget] = await client.mgetBuffer(key);
    expect(fromMget?.equals(value)).toBe(true);
    expect(await client.append(key, Buffer.from([0xfe]))).toBe(1025);
    expect((await client.getrangeBuffer(key, -2, -1)).equals(Buffer.from([0xff, 0xfe]))).toBe(true);
  });

  it("expires keys", async () => {
    const client = ioredis(kv.port);
    await client.set("ttl", "v", "EX", 100);
    expect(await client.ttl("ttl")).toBeGreaterThanOrEqual(99);
    expect(await client.pexpire("ttl", 50_000)).toBe(1);
    expect(await client.pttl("ttl")).toBeLessThanOrEqual(50_000);
    expect(await client.persist("ttl")).toBe(1);
    expect(await client.ttl("ttl")).toBe(-1);
    await client.set("short", "v", "PX", 40);
    await pollUntil(async () => ((await client.get("short")) === null ? true : undefined), { timeoutMs: 3_000, description: "short to expire" });
    expect(await client.exists("short")).toBe(0);
    await client.set("past", "v");
    expect(await client.expireat("past", 1)).toBe(1);
    expect(await client.get("past")).toBeNull();
    expect(await client.ttl("missing")).toBe(-2);
  });

  it("iterates every key exactly once with scanStream", async () => {
    const client = ioredis(kv.port);
    const pipeline = client.pipeline();
    for (let i = 0; i < 1000; i++) pipeline.set(`scan:${i}`, String(i));
    for (let i = 0; i < 100; i++) pipeline.set(`other:${i}`, String(i));
    await pipeline.exec();
    const seen = new Set<string>();
    const stream = client.scanStream({ match: "scan:*", count: 50 });
    for await (const batch of stream as AsyncIterable<string[]>) for (const key of batch) seen.add(key);
    expect(seen.size).toBe(1000);
    expect([...seen].every((key) => key.startsWith("scan:"))).toBe(true);
  });

  it("reconnects after CLIENT KILL and keeps working", async () => {
    const victim = ioredis(kv.port, { retryStrategy: (times: number) => Math.min(times * 20, 200) });
    const killer = ioredis(kv.port);
    await victim.set("survivor", "1");
    const id = Number(await victim.client("ID"));
    const closed = new Promise<void>((resolve) => victim.once("close", () => resolve()));
    expect(await killer.client("KILL", "ID", String(id))).toBe(1);
    await closed;
    expect(await victim.get("survivor")).toBe("1");
    const newId = Number(await victim.client("ID"));
    expect(newId).not.toBe(id);
    expect(await killer.client("KILL", "ID", String(id))).toBe(0);
  });
});

describe("node-redis against kv", () => {
  it.each([2, 3] as const)("runs basic commands over RESP%i", async (protocol) => {
    const client = await nodeRedis(kv.port, protocol);
    expect(await client.set("username", "Prajwal")).toBe("OK");
    expect(await client.get("username")).toBe("Prajwal");
    expect(await client.get("missing")).toBeNull();
    expect(await client.mGet(["username", "missing"])).toEqual(["Prajwal", null]);
    expect(await client.incrBy("counter", 5)).toBe(5);
    expect(await client.incrByFloat("float", 1.5)).toBe("1.5");
    expect(await client.expire("username", 100)).toBe(1);
    expect(await client.ttl("username")).toBeGreaterThanOrEqual(99);
    expect(await client.exists(["username", "counter", "missing"])).toBe(2);
    expect(await client.type("counter")).toBe("string");
    expect(await client.dbSize()).toBe(3);
    expect(await client.configGet("maxmemory")).toEqual({ maxmemory: "0" });
  });

  it("gets HELLO as a map over RESP3", async () => {
    const client = await nodeRedis(kv.port, 3);
    const hello = (await client.sendCommand(["HELLO"])) as unknown;
    // node-redis decodes RESP3 maps into plain objects by default.
    expect(hello).toMatchObject({ server: "redis", proto: 3, mode: "standalone", role: "master" });
  });

  it("maps bulk strings to Buffers when asked", async () => {
    const client = await nodeRedis(kv.port, 3);
    const value = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0d, 0x0a]);
    await client.set("bin", value);
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const got = await binary.get("bin");
    expect(Buffer.isBuffer(got) && got.equals(value)).toBe(true);
  });

  it("iterates with scanIterator", async () => {
    const client = await nodeRedis(kv.port, 2);
    await client.mSet(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`it:${i}`, String(i)])));
    const seen = new Set<string>();
    for await (const keys of client.scanIterator({ MATCH: "it:*", COUNT: 25 })) for (const key of keys) seen.add(key);
    expect(seen.size).toBe(300);
  });

  it("accepts CLIENT SETINFO, which node-redis sends on connect", async () => {
    // Redis 7.0.15 predates CLIENT SETINFO (7.2), so there is no redis-server reply to compare.
    if (kvTargetKind !== "kv") return;
    const connection = await kv.connect();
    expect((await connection.call(["CLIENT", "SETINFO", "LIB-NAME", "kv-tests"])).toString()).toBe("+OK\r\n");
    expect((await connection.call(["CLIENT", "SETINFO", "LIB-VER", "1.0.0"])).toString()).toBe("+OK\r\n");
  });
});

describe("AUTH with requirepass", () => {
  it("answers like redis-server before, during and after authentication", async () => {
    const [securedKv, securedRedis] = await Promise.all([startKv({ requirepass: "s3cret" }), startRedis({ requirepass: "s3cret" })]);
    cleanups.add(() => securedKv.dispose());
    cleanups.add(() => securedRedis.dispose());
    const script: string[][] = [
      ["PING"], ["GET", "k"], ["AUTH", "wrong"], ["AUTH", "default", "wrong"], ["HELLO", "3", "AUTH", "default", "wrong"], ["HELLO", "2"],
      ["CLIENT", "ID"], ["AUTH", "s3cret"], ["SET", "k", "v"], ["GET", "k"], ["AUTH", "default", "s3cret"], ["RESET"], ["GET", "k"],
      ["HELLO", "3", "AUTH", "default", "s3cret"], ["GET", "k"], ["AUTH", "a", "b", "c"],
    ];
    const kvConnection = await securedKv.connect();
    const redisConnection = await securedRedis.connect();
    for (const argv of script) {
      const [kvReply, redisReply] = await Promise.all([kvConnection.call(argv), redisConnection.call(argv)]);
      // HELLO's reply carries the client id, which differs between any two servers.
      const normalize = (reply: Buffer) => reply.toString("latin1").replace(/(\$2\r\nid\r\n:)\d+/, "$1<id>");
      if (argv[0] === "CLIENT") continue;
      expect(`${argv.join(" ")} -> ${escapeBytes(normalize(kvReply))}`).toBe(`${argv.join(" ")} -> ${escapeBytes(normalize(redisReply))}`);
    }
  });

  it("lets clients with the password in and keeps others out", async () => {
    const secured = await startKv({ requirepass: "s3cret" });
    cleanups.add(() => secured.dispose());
    const anonymous = ioredis(secured.port, { maxRetriesPerRequest: 0, enableReadyCheck: false });
    await expect(anonymous.get("k")).rejects.toThrow(/NOAUTH Authentication required/);
    const authorized = ioredis(secured.port, { password: "s3cret" });
    expect(await authorized.set("k", "v")).toBe("OK");
    const viaNodeRedis = createClient({ socket: { host: "127.0.0.1", port: secured.port, reconnectStrategy: false }, password: "s3cret", RESP: 3 });
    viaNodeRedis.on("error", () => undefined);
    await viaNodeRedis.connect();
    cleanups.add(() => {
      if (viaNodeRedis.isOpen) viaNodeRedis.destroy();
    });
    expect(await viaNodeRedis.get("k")).toBe("v");
    const wrong = createClient({ socket: { host: "127.0.0.1", port: secured.port, reconnectStrategy: false }, password: "nope" });
    wrong.on("error", () => undefined);
    cleanups.add(() => {
      if (wrong.isOpen) wrong.destroy();
    });
    await expect(wrong.connect()).rejects.toThrow(/WRONGPASS/);
  });
});

describe("redis-cli against kv prints what it prints for redis-server", () => {
  const session: string[][] = [
    ["SET", "username", "Prajwal"], ["GET", "username"], ["GET", "missing"], ["EXISTS", "username"], ["INCR", "counter"], ["INCRBYFLOAT", "counter", "1.5"],
    ["MGET", "username", "missing", "counter"], ["SET", "t", "v", "EX", "1000"], ["TTL", "t"], ["PING"], ["ECHO", "hello world"], ["GET", "a", "b"],
    ["SELECT", "16"], ["CONFIG", "GET", "maxmemory"], ["SET", "k1", "ohmytext"], ["SET", "k2", "mynewtext"], ["LCS", "k1", "k2", "IDX", "WITHMATCHLEN"],
    ["DEL", "username", "counter"], ["DBSIZE"], ["NOSUCHCOMMAND"], ["SET", "quote", 'say "hi"\n'], ["GET", "quote"], ["OBJECT", "ENCODING", "t"],
  ];

  it.each([
    ["--no-raw", ["--no-raw"]],
    ["default output (raw, as stdout is not a terminal)", []],
    ["RESP3 with --no-raw", ["-3", "--no-raw"]],
  ] as const)("%s", async (_label, flags) => {
    for (const argv of session) {
      const [fromKv, fromRedis] = await Promise.all([runRedisCli(kv.port, [...flags, ...argv]), runRedisCli(redis.port, [...flags, ...argv])]);
      expect({ command: argv.join(" "), stdout: fromKv.stdout, code: fromKv.code }).toEqual({ command: argv.join(" "), stdout: fromRedis.stdout, code: fromRedis.code });
    }
  });

  it("shows the original session the way a person sees it", async () => {
    const show = async (...argv: string[]) => (await runRedisCli(kv.port, ["--no-raw", ...argv])).stdout;
    expect(await show("SET", "username", "Prajwal")).toBe("OK\n");
    expect(await show("GET", "username")).toBe('"Prajwal"\n');
    expect(await show("EXISTS", "username")).toBe("(integer) 1\n");
    expect(await show("GET", "nobody")).toBe("(nil)\n");
  });
});

describe("inline commands over a raw socket, as with nc", () => {
  async function exchange(server: ServerHandle, lines: string[], replies: number): Promise<string> {
    const connection = await RespConnection.open(server.port);
    cleanups.add(() => connection.close());
    const pending = Array.from({ length: replies }, () => connection.readReply());
    for (const line of lines) connection.writeRaw(line);
    return Buffer.concat(await Promise.all(pending)).toString("latin1");
  }

  it("answers SET/GET typed by hand", async () => {
    const lines = ["SET k v\r\n", "GET k\r\n", "EXISTS k\r\n", "PING\r\n", "GET nokey\r\n", "INCR n\r\n", "FOO bar\r\n"];
    const fromKv = await exchange(kv, lines, lines.length);
    expect(fromKv.startsWith("+OK\r\n$1\r\nv\r\n:1\r\n+PONG\r\n$-1\r\n:1\r\n-ERR unknown command 'FOO'")).toBe(true);
    expect(escapeBytes(fromKv)).toBe(escapeBytes(await exchange(redis, lines, lines.length)));
  });

  it("handles several commands in one packet and one command across packets", async () => {
    const lines = ["SET a 1\r\nSET b 2\r\nMGET a b\r\n", "GE", "T a\r", "\n", "ECHO \"quoted value\"\n"];
    const fromKv = await exchange(kv, lines, 5);
    expect(escapeBytes(fromKv)).toBe(escapeBytes(await exchange(redis, lines, 5)));
  });
});
