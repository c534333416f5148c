import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientSession } from "../client-session.js";
import { decodeRawReply } from "../test-support/differential-session.js";
import { TestHarness } from "../test-support/harness.js";
import { RealRedis, redisServerAvailable, type RedisConnection } from "../test-support/real-redis.js";

/*
 * Pub/Sub and keyspace notifications against a live redis-server 7.0 with several clients
 * per scenario. Every client's whole output stream is compared byte for byte after each step
 * — its own replies and the messages other clients' commands delivered to it. Redis writes
 * messages in the same event-loop turn as the publisher's reply, so once every connection has
 * received as many bytes as kv produced for it, the step is complete (extra or missing bytes
 * still show: as a mismatch now, or at the next step, or in the final settle).
 *
 * Scenarios avoid what Redis orders by its randomly seeded dict hash: UNSUBSCRIBE-all of
 * several channels, and one client matching a message through several patterns. PUBSUB
 * CHANNELS replies are compared sorted.
 */

/** Steps: ["@2", ...argv] runs on client 2 (default 1); SLEEP waits; ACTIVE_EXPIRE also runs kv's cycle. */
type Step = readonly string[];
const SLEEP = "~sleep";
const ACTIVE_EXPIRE = "~active-expire";
function enablesActiveExpiry(step: Step): boolean {
  const argv = step[0]!.startsWith("@") ? step.slice(1) : step;
  return argv[0]?.toUpperCase() === "DEBUG" && argv[1]?.toUpperCase() === "SET-ACTIVE-EXPIRE" && argv[2] === "1";
}
/** Replies not compared (server identity): only their bytes are dropped. */
const NOT_COMPARED = new Set(["hello"]);
/** Array replies compared with their elements sorted. */
const UNORDERED = new Set(["pubsub|channels", "pubsub|shardchannels"]);

interface Scenario {
  /** Clients that switch to RESP3 first. */
  resp3?: readonly number[];
  steps: readonly Step[];
}

/** A raw connection to redis-server that keeps every byte it receives. */
class CapturingConnection {
  private received = Buffer.alloc(0);

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
  }

  static async open(port: number): Promise<CapturingConnection> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new CapturingConnection(socket);
  }

  send(argv: readonly string[]): void {
    let text = `*${argv.length}\r\n`;
    for (const arg of argv) text += `$${arg.length}\r\n${arg}\r\n`;
    this.socket.write(Buffer.from(text, "latin1"));
  }

  /** Waits until at least `bytes` bytes are buffered (or a timeout), then takes everything. */
  async take(bytes: number, timeoutMs = 1000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < bytes && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    const text = this.received.toString("latin1");
    this.received = Buffer.alloc(0);
    return text;
  }

  close(): void {
    this.socket.destroy();
  }
}

function commandName(argv: readonly string[]): string {
  const name = argv[0]!.toLowerCase();
  return name === "pubsub" && argv.length > 1 ? `pubsub|${argv[1]!.toLowerCase()}` : name;
}

function sortedArray(raw: string): string {
  const reply = decodeRawReply(raw);
  if (reply.type !== "array") return raw;
  return JSON.stringify(reply.value.map((item) => (item.type === "bulk" ? item.value.toString("latin1") : JSON.stringify(item))).sort());
}

async function runScenario(redis: RealRedis, control: RedisConnection, scenario: Scenario): Promise<string[]> {
  // Connections of the previous scenario may still be closing on the server.
  for (let attempt = 0; attempt < 200; attempt++) {
    const [channels, shards, patterns] = await control.send(["PUBSUB", "CHANNELS"], ["PUBSUB", "SHARDCHANNELS"], ["PUBSUB", "NUMPAT"]);
    if (channels === "*0\r\n" && shards === "*0\r\n" && patterns === ":0\r\n") break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await control.send(["FLUSHALL"], ["CONFIG", "SET", "notify-keyspace-events", ""]);
  const h = new TestHarness();
  const kvClients = new Map<number, ClientSession>([[1, h.client]]);
  const realClients = new Map<number, CapturingConnection>();
  const mismatches: string[] = [];
  const clientNumbers = new Set<number>([1, ...(scenario.resp3 ?? [])]);
  for (const step of scenario.steps) if (step[0]!.startsWith("@")) clientNumbers.add(Number(step[0]!.slice(1)));
  try {
    for (const n of [...clientNumbers].sort()) {
      if (!kvClients.has(n)) kvClients.set(n, h.engine.createClient());
      realClients.set(n, await CapturingConnection.open(redis.port));
    }
    const steps: Step[] = [...(scenario.resp3 ?? []).map((n) => [`@${n}`, "HELLO", "3"]), ...scenario.steps];
    for (const step of steps) {
      if (step[0] === SLEEP || step[0] === ACTIVE_EXPIRE) {
        await new Promise((resolve) => setTimeout(resolve, Number(step[1])));
        if (step[0] === ACTIVE_EXPIRE) h.engine.activeExpireCycle();
      } else {
        const n = step[0]!.startsWith("@") ? Number(step[0]!.slice(1)) : 1;
        const argv = step[0]!.startsWith("@") ? step.slice(1) : step;
        h.engine.execute(kvClients.get(n)!, argv);
        realClients.get(n)!.send(argv);
      }
      for (const [n, client] of kvClients) {
        const kvBytes = client.reply.take()?.toString("latin1") ?? "";
        const name = step[0]!.startsWith("~") ? "" : commandName(step[0]!.startsWith("@") ? step.slice(1) : step);
        const ownStep = !step[0]!.startsWith("~") && (step[0]!.startsWith("@") ? Number(step[0]!.slice(1)) : 1) === n;
        // Once active expiry is back on, Redis's cron may expire keys within milliseconds, and
        // kv's cycle runs only at the next ACTIVE_EXPIRE step: what Redis sends other clients
        // meanwhile stays buffered and is compared there.
        if (!ownStep && kvBytes === "" && enablesActiveExpiry(step)) continue;
        let realBytes = await realClients.get(n)!.take(kvBytes.length);
        let kvCompared = kvBytes;
        if (ownStep && NOT_COMPARED.has(name)) continue;
        if (ownStep && UNORDERED.has(name)) {
          kvCompared = sortedArray(kvBytes);
          realBytes = sortedArray(realBytes);
        }
        if (kvCompared !== realBytes) {
          mismatches.push(`${step.join(" ")}\n  client ${n}\n  kv ${JSON.stringify(kvCompared)}\n  rd ${JSON.stringify(realBytes)}`);
        }
      }
    }
    // Anything redis sent late that kv never sent.
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (const [n, connection] of realClients) {
      const late = await connection.take(0, 0);
      if (late !== "") mismatches.push(`after the last step\n  client ${n}\n  rd ${JSON.stringify(late)}`);
    }
  } finally {
    for (const connection of realClients.values()) connection.close();
  }
  return mismatches;
}

const scenarios: Record<string, Scenario> = {
  "subscribe and unsubscribe confirmations": {
    steps: [
      ["UNSUBSCRIBE"],
      ["PUNSUBSCRIBE"],
      ["SUNSUBSCRIBE"],
      ["SUBSCRIBE", "a", "b", "a"],
      ["PSUBSCRIBE", "p*", "p*"],
      ["SSUBSCRIBE", "s1", "s2"],
      ["UNSUBSCRIBE", "a", "nosuch"],
      ["UNSUBSCRIBE"],
      ["UNSUBSCRIBE"],
      ["PUNSUBSCRIBE", "q*"],
      ["PUNSUBSCRIBE"],
      ["SUNSUBSCRIBE", "s2"],
      ["SUNSUBSCRIBE"],
      ["SUNSUBSCRIBE"],
      ["GET", "a"],
    ],
  },
  "RESP2 subscriber mode": {
    steps: [
      ["SUBSCRIBE", "a"],
      ["PING"],
      ["PING", "hello"],
      ["PING", "a", "b"],
      ["GET", "a"],
      ["SET", "a", "b"],
      ["CLIENT", "ID"],
      ["CONFIG", "GET", "maxmemory"],
      ["PUBLISH", "a", "b"],
      ["SPUBLISH", "a", "b"],
      ["PUBSUB", "NUMSUB", "a"],
      ["HELLO", "3"],
      ["MULTI"],
      ["EXEC"],
      ["DISCARD"],
      ["WATCH", "a"],
      ["NOSUCH", "x"],
      ["GET"],
      ["CLIENT", "NOSUCH"],
      ["PSUBSCRIBE", "x"],
      ["SSUBSCRIBE", "y"],
      ["UNSUBSCRIBE", "a"],
      ["PUNSUBSCRIBE", "x"],
      ["PING"],
      ["SUNSUBSCRIBE", "y"],
      ["PING"],
      ["SUBSCRIBE", "c"],
      ["RESET"],
      ["PING"],
      ["GET", "c"],
    ],
  },
  "RESP3 clients keep full access and get pushes": {
    resp3: [1, 2],
    steps: [
      ["SUBSCRIBE", "a"],
      ["PSUBSCRIBE", "a*"],
      ["PING"],
      ["GET", "a"],
      ["PUBLISH", "a", "hi"],
      ["@2", "PUBLISH", "a", "there"],
      ["@2", "SSUBSCRIBE", "s"],
      ["SPUBLISH", "s", "x"],
      ["MULTI"],
      ["PUBLISH", "a", "m"],
      ["SET", "k", "v"],
      ["EXEC"],
      ["UNSUBSCRIBE"],
      ["PUNSUBSCRIBE"],
      ["UNSUBSCRIBE"],
      ["@2", "SUNSUBSCRIBE", "s", "t"],
      ["HELLO", "2"],
      ["SUBSCRIBE", "b"],
      ["GET", "b"],
      ["@2", "PUBLISH", "b", "resp2 now"],
    ],
  },
  "fan-out to channel, pattern and shard subscribers": {
    steps: [
      ["@2", "SUBSCRIBE", "news", "sport"],
      ["@3", "SUBSCRIBE", "news"],
      ["@3", "PSUBSCRIBE", "n*"],
      ["@4", "PSUBSCRIBE", "*"],
      ["@4", "SSUBSCRIBE", "news"],
      ["@5", "PSUBSCRIBE", "s[pt]ort", "h\\*llo"],
      ["PUBLISH", "news", "first"],
      ["PUBLISH", "sport", "second"],
      ["PUBLISH", "h*llo", "third"],
      ["PUBLISH", "hello", "fourth"],
      ["PUBLISH", "", "empty channel"],
      ["PUBLISH", "nobody\x00\xff", "\r\n$binary"],
      ["SPUBLISH", "news", "shard"],
      ["SPUBLISH", "sport", "shard"],
      ["PUBSUB", "NUMSUB", "news", "sport", "none"],
      ["PUBSUB", "NUMSUB"],
      ["PUBSUB", "NUMPAT"],
      ["PUBSUB", "CHANNELS"],
      ["PUBSUB", "CHANNELS", "n*"],
      ["PUBSUB", "CHANNELS", "zz*"],
      ["PUBSUB", "SHARDCHANNELS"],
      ["PUBSUB", "SHARDCHANNELS", "x"],
      ["PUBSUB", "SHARDNUMSUB", "news", "sport"],
      ["@3", "UNSUBSCRIBE", "news"],
      ["@2", "UNSUBSCRIBE", "news"],
      ["@2", "SUBSCRIBE", "news"],
      ["PUBLISH", "news", "after resubscribe"],
      ["@5", "PUNSUBSCRIBE", "s[pt]ort"],
      ["PUBLISH", "sport", "again"],
      ["PUBSUB", "NUMPAT"],
    ],
  },
  "PUBSUB errors and help": {
    steps: [
      ["PUBSUB"],
      ["PUBSUB", "HELP"],
      ["PUBSUB", "help", "x"],
      ["PUBSUB", "NOSUCH"],
      ["PUBSUB", "CHANNELS", "a", "b"],
      ["PUBSUB", "SHARDCHANNELS", "a", "b"],
      ["PUBSUB", "NUMPAT", "x"],
      ["PUBLISH", "a"],
      ["PUBLISH", "a", "b", "c"],
      ["SPUBLISH", "a"],
      ["SUBSCRIBE"],
      ["PSUBSCRIBE"],
      ["SSUBSCRIBE"],
    ],
  },
  "transactions": {
    steps: [
      ["MULTI"],
      ["SUBSCRIBE", "a", "b"],
      ["SSUBSCRIBE", "c"],
      ["PSUBSCRIBE", "d"],
      ["PUBLISH", "a", "x"],
      ["EXEC"],
      ["PING"],
      ["RESET"],
      ["MULTI"],
      ["UNSUBSCRIBE"],
      ["EXEC"],
      ["@2", "HELLO", "3"],
      ["@2", "SUBSCRIBE", "a"],
      ["@2", "MULTI"],
      ["@2", "NOSUCH"],
      ["@2", "EXEC"],
      ["PUBLISH", "a", "still subscribed"],
    ],
  },
};

/** Keyspace-notification scenarios: client 2 listens with one pattern, client 1 works. */
function notificationScenario(flags: string, commands: readonly Step[], resp3 = false): Scenario {
  return {
    resp3: resp3 ? [2] : [],
    steps: [["CONFIG", "SET", "notify-keyspace-events", flags], ["CONFIG", "GET", "notify-keyspace-events"], ["@2", "PSUBSCRIBE", "__key*__:*"], ...commands],
  };
}

const genericCommands: Step[] = [
  ["SET", "a", "1"],
  ["SET", "b", "2"],
  ["DEL", "a", "nosuch"],
  ["UNLINK", "b"],
  ["SET", "a", "1"],
  ["EXPIRE", "a", "100"],
  ["PEXPIRE", "a", "100000", "XX"],
  ["EXPIREAT", "a", "1"],
  ["SET", "a", "1"],
  ["EXPIRE", "a", "100", "GT"],
  ["PEXPIREAT", "a", "99999999999999"],
  ["PERSIST", "a"],
  ["PERSIST", "a"],
  ["RENAME", "a", "b"],
  ["SET", "c", "3"],
  ["RENAME", "b", "c"],
  ["RENAMENX", "c", "d"],
  ["RENAME", "d", "d"],
  ["COPY", "d", "e"],
  ["COPY", "d", "e", "REPLACE"],
  ["COPY", "d", "f", "DB", "1"],
  ["MOVE", "d", "2"],
  ["SELECT", "2"],
  ["MOVE", "d", "0"],
  ["SELECT", "0"],
  ["SET", "g", "1", "EX", "100"],
  ["GETEX", "g", "PERSIST"],
  ["GETEX", "g", "EX", "50"],
  ["GETEX", "g", "PXAT", "1"],
  ["GETDEL", "e"],
  ["RPUSH", "l", "3", "1", "2"],
  ["SORT", "l", "STORE", "sorted"],
  ["SORT", "nosuch", "STORE", "sorted"],
  ["FLUSHDB"],
  ["SWAPDB", "0", "1"],
];

const stringCommands: Step[] = [
  ["SET", "a", "1"],
  ["SET", "a", "2"],
  ["SET", "b", "1", "KEEPTTL"],
  ["SET", "c", "1", "EX", "100"],
  ["SET", "c", "1", "NX"],
  ["SET", "c", "2", "XX", "GET"],
  ["SET", "nx", "2", "XX"],
  ["SETNX", "d", "1"],
  ["SETNX", "d", "1"],
  ["SETEX", "e", "10", "1"],
  ["PSETEX", "f", "10000", "1"],
  ["MSET", "g", "1", "a", "3"],
  ["MSETNX", "h", "1", "i", "2"],
  ["MSETNX", "h", "1", "j", "2"],
  ["APPEND", "j", "x"],
  ["APPEND", "j", "y"],
  ["SETRANGE", "k", "2", "x"],
  ["SETRANGE", "k2", "0", ""],
  ["SETRANGE", "k", "0", "yy"],
  ["INCR", "l"],
  ["INCRBY", "l", "5"],
  ["DECR", "n"],
  ["DECRBY", "n", "2"],
  ["INCRBYFLOAT", "m", "1.5"],
  ["INCRBYFLOAT", "m", "1"],
  ["GETSET", "o", "1"],
  ["GETSET", "o", "2"],
  ["GETDEL", "o"],
  ["GETEX", "a", "EX", "100"],
  ["GETEX", "a", "PERSIST"],
  ["SET", "p", "1", "EXAT", "1"],
  ["INCR", "a", "x"],
  ["INCR", "c"],
  ["SET", "big", "x"],
  ["INCR", "big"],
  ["SETBIT", "bits", "7", "1"],
  ["SETBIT", "bits", "7", "1"],
  ["BITOP", "OR", "dest", "bits", "nosuch"],
  ["BITOP", "OR", "dest", "nosuch"],
  ["BITFIELD", "bf", "SET", "u8", "0", "255"],
  ["BITFIELD", "bf", "GET", "u8", "0"],
];

const listCommands: Step[] = [
  ["LPUSH", "l", "a", "b"],
  ["RPUSH", "l", "c"],
  ["LPUSHX", "nosuch", "a"],
  ["RPUSHX", "l", "d"],
  ["LINSERT", "l", "BEFORE", "a", "x"],
  ["LSET", "l", "0", "y"],
  ["LREM", "l", "0", "y"],
  ["LTRIM", "l", "0", "1"],
  ["LPOP", "l"],
  ["RPOP", "l"],
  ["RPUSH", "l", "1", "2", "3"],
  ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
  ["RPOPLPUSH", "l", "l2"],
  ["BLPOP", "l", "0"],
  ["BRPOP", "l2", "0"],
  ["LMPOP", "1", "l2", "LEFT", "COUNT", "5"],
];

const setCommands: Step[] = [
  ["SADD", "s", "a", "b", "c"],
  ["SADD", "s", "a"],
  ["SREM", "s", "a"],
  ["SMOVE", "s", "s2", "b"],
  ["SADD", "s3", "x"],
  ["SINTERSTORE", "dst", "s", "s2"],
  ["SUNIONSTORE", "dst", "s", "s2"],
  ["SDIFFSTORE", "dst", "s", "s2"],
  ["SINTERSTORE", "dst", "s", "nosuch"],
  ["SPOP", "s3"],
  ["SREM", "s", "c"],
];

const hashCommands: Step[] = [
  ["HSET", "h", "a", "1", "b", "2"],
  ["HSETNX", "h", "a", "2"],
  ["HSETNX", "h", "c", "3"],
  ["HMSET", "h2", "a", "1"],
  ["HINCRBY", "h", "a", "5"],
  ["HINCRBYFLOAT", "h", "a", "1.5"],
  ["HDEL", "h", "a", "nosuch"],
  ["HDEL", "h", "b", "c"],
];

const zsetCommands: Step[] = [
  ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
  ["ZADD", "z", "1", "a"],
  ["ZINCRBY", "z", "5", "a"],
  ["ZREM", "z", "a"],
  ["ZADD", "z2", "1", "x"],
  ["ZUNIONSTORE", "dst", "2", "z", "z2"],
  ["ZINTERSTORE", "dst", "2", "z", "z2"],
  ["ZRANGESTORE", "dst2", "z", "0", "-1"],
  ["ZREMRANGEBYRANK", "z", "0", "0"],
  ["ZREMRANGEBYSCORE", "dst2", "-inf", "+inf"],
  ["ZPOPMIN", "z"],
  ["ZADD", "z", "1", "a", "2", "b"],
  ["ZPOPMAX", "z"],
  ["BZPOPMIN", "z", "0"],
];

const streamCommands: Step[] = [
  ["XADD", "x", "1-1", "f", "v"],
  ["XADD", "x", "2-1", "f", "v"],
  ["XDEL", "x", "1-1"],
  ["XTRIM", "x", "MAXLEN", "0"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XGROUP", "CREATE", "y", "g", "0", "MKSTREAM"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "c"],
  ["XADD", "x", "3-1", "f", "v"],
  ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "x", ">"],
  ["XGROUP", "SETID", "x", "g", "0"],
  ["XGROUP", "DELCONSUMER", "x", "g", "c"],
  ["XGROUP", "DESTROY", "x", "g"],
];

const keyMissCommands: Step[] = [
  ["GET", "nosuch"],
  ["MGET", "a", "b"],
  ["EXISTS", "nosuch"],
  ["TYPE", "nosuch"],
  ["STRLEN", "nosuch"],
  ["LRANGE", "nosuch", "0", "-1"],
  ["SMEMBERS", "nosuch"],
  ["HGET", "nosuch", "f"],
  ["ZSCORE", "nosuch", "m"],
  ["TTL", "nosuch"],
  ["SET", "a", "1"],
  ["GET", "a"],
  ["OBJECT", "ENCODING", "nosuch"],
  ["OBJECT", "FREQ", "nosuch"],
];

// Redis's own cycle runs every 100 ms: it is off until the lazy part is over, so both
// servers expire the same keys the same way.
const expiryCommands: Step[] = [
  ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
  ["SET", "lazy", "1", "PX", "50"],
  ["SET", "active", "1", "PX", "50"],
  ["SET", "keep", "1", "EX", "100"],
  [SLEEP, "120"],
  ["GET", "lazy"],
  ["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
  [ACTIVE_EXPIRE, "300"],
  ["EXISTS", "active"],
  ["EXISTS", "keep"],
];

for (const [name, commands] of [
  ["generic", genericCommands],
  ["string", stringCommands],
  ["list", listCommands],
  ["set", setCommands],
  ["hash", hashCommands],
  ["sorted set", zsetCommands],
  ["stream", streamCommands],
] as const) {
  const letter = { generic: "g", string: "$", list: "l", set: "s", hash: "h", "sorted set": "z", stream: "t" }[name];
  scenarios[`keyspace events: ${name} (K${letter})`] = notificationScenario(`K${letter}`, commands);
  scenarios[`keyspace events: ${name} (E${letter}n), RESP3 listener`] = notificationScenario(`E${letter}n`, commands, true);
}
scenarios["keyspace events: every class (KEA) over string, generic and list commands"] = notificationScenario("KEA", [
  ...stringCommands.slice(0, 12),
  ...genericCommands.slice(0, 16),
  ...listCommands.slice(0, 6),
]);
scenarios["keyspace events: new keys only (En)"] = notificationScenario("En", [
  ...stringCommands,
  ...listCommands.slice(0, 3),
  ...setCommands.slice(0, 6),
  ["HSET", "h", "a", "1"],
  ["ZADD", "z", "1", "a"],
  ["XADD", "x", "1-1", "f", "v"],
  ["COPY", "a", "copied"],
  ["RENAME", "copied", "renamed"],
  ["RENAME", "renamed", "a"],
]);
scenarios["keyspace events: key misses (KEm)"] = notificationScenario("KEm", keyMissCommands);
scenarios["keyspace events: expired, lazy and active (KEx)"] = notificationScenario("KEx", expiryCommands);
scenarios["keyspace events: expired, with g (Egx)"] = notificationScenario("Egx", expiryCommands);
scenarios["keyspace events: module class only (Kd) fires nothing"] = notificationScenario("Kd", stringCommands.slice(0, 10));
scenarios["keyspace events: classes without K or E fire nothing"] = notificationScenario("A", stringCommands.slice(0, 10));
scenarios["keyspace events: channel subscriptions in other databases"] = {
  steps: [
    ["CONFIG", "SET", "notify-keyspace-events", "KEA"],
    ["@2", "SUBSCRIBE", "__keyspace@3__:k", "__keyevent@0__:set"],
    ["SELECT", "3"],
    ["SET", "k", "v"],
    ["SELECT", "0"],
    ["SET", "k", "v"],
    ["CONFIG", "SET", "notify-keyspace-events", "Q"],
    ["CONFIG", "GET", "notify-keyspace-events"],
  ],
};

describe.skipIf(!redisServerAvailable)("Pub/Sub against redis-server", () => {
  let redis: RealRedis;
  let control: RedisConnection;

  beforeAll(async () => {
    redis = await RealRedis.start();
    control = await redis.connect();
  }, 30_000);

  afterAll(() => {
    control?.close();
    redis?.stop();
  });

  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      expect(await runScenario(redis, control, scenario)).toEqual([]);
    }, 30_000);
  }
});
