import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allCommands, type Engine } from "@kv/core";
import { TestHarness } from "@kv/core/test";
import { encodeCommand, ReplyParser, type Reply } from "@kv/protocol";
import { expect } from "vitest";
import { AppendOnlyFile } from "../../append-only-file.js";
import { RecordingLogger } from "../../test-support/recording-logger.js";
import { RedisServerProcess } from "../../test-support/redis-server.js";

/**
 * Differential checks of the RDB loader: what redis-server holds after loading an RDB file
 * itself, against what a second redis-server and kv hold after running the commands the
 * loader turned that file into.
 */

/** One RESP connection; replies decoded. */
export class RespClient {
  private readonly parser = new ReplyParser();
  private readonly waiting: ((reply: Reply) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.parser.feed(chunk);
      for (let reply = this.parser.next(); reply !== undefined; reply = this.parser.next()) this.waiting.shift()!(reply);
    });
  }

  static async open(port: number): Promise<RespClient> {
    const socket = createConnection(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RespClient(socket);
  }

  /** Sends the commands pipelined, resolving to their replies in order. */
  send(commands: readonly (readonly string[])[]): Promise<Reply[]> {
    const replies = commands.map((command) => {
      const reply = new Promise<Reply>((resolve) => this.waiting.push(resolve));
      this.socket.write(encodeCommand(command));
      return reply;
    });
    return Promise.all(replies);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Something that answers commands: a redis-server connection, or kv's engine. */
export type Answerer = (command: string[]) => Promise<Reply>;

export type Plain = string | null | Plain[];

/** Replies as plain values for readable diffs: bulk strings latin1, integers as text, errors marked. */
export function plain(reply: Reply): Plain {
  switch (reply.type) {
    case "bulk":
      return reply.value.toString("latin1");
    case "simple":
    case "double":
    case "bignumber":
      return reply.value;
    case "error":
      return `ERROR ${reply.value}`;
    case "integer":
      return String(reply.value);
    case "array":
    case "set":
    case "push":
      return reply.value.map(plain);
    case "map":
    case "attribute":
      return reply.value.flatMap(([k, v]) => [plain(k), plain(v)]);
    case "boolean":
      return String(reply.value);
    case "verbatim":
      return reply.value.toString("latin1");
    default:
      return null;
  }
}

/** Replaces the value after each of `names` in a flat key/value reply, recursively. */
function mask(value: Plain, names: readonly string[]): Plain {
  if (!Array.isArray(value)) return value;
  return value.map((item, i) => {
    const label = value[i - 1];
    if (typeof label === "string" && names.includes(label) && i % 2 === 1) return "(masked)";
    return mask(item, names);
  });
}

const sortedStrings = (value: Plain): Plain => (Array.isArray(value) ? [...(value as string[])].sort() : value);

/** Fields of XINFO STREAM FULL that no command can reproduce: node layout and consumer activity. */
const UNREPRODUCIBLE_STREAM_FIELDS = ["radix-tree-keys", "radix-tree-nodes", "seen-time"];

/** Everything observable about one key, as the server answers it. */
export async function describeKey(ask: Answerer, key: string, options: { digest: boolean }): Promise<Record<string, Plain>> {
  const type = plain(await ask(["TYPE", key])) as string;
  const description: Record<string, Plain> = {
    type,
    pexpiretime: plain(await ask(["PEXPIRETIME", key])),
    encoding: plain(await ask(["OBJECT", "ENCODING", key])),
  };
  switch (type) {
    case "string":
      description.value = plain(await ask(["GET", key]));
      break;
    case "list":
      description.value = plain(await ask(["LRANGE", key, "0", "-1"]));
      break;
    case "set":
      // An intset iterates in order on both sides; a hashtable's order is Redis's hash order.
      description.value = plain(await ask(["SMEMBERS", key]));
      if (description.encoding !== "intset") description.value = sortedStrings(description.value);
      break;
    case "hash": {
      const pairs = plain(await ask(["HGETALL", key])) as string[];
      if (description.encoding === "listpack") {
        description.value = pairs; // insertion order, which the load must keep
      } else {
        const fields: string[][] = [];
        for (let i = 0; i < pairs.length; i += 2) fields.push([pairs[i]!, pairs[i + 1]!]);
        description.value = fields.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
      }
      break;
    }
    case "zset":
      description.value = plain(await ask(["ZRANGE", key, "0", "-1", "WITHSCORES"]));
      break;
    case "stream": {
      description.value = plain(await ask(["XRANGE", key, "-", "+"]));
      description.info = mask(plain(await ask(["XINFO", "STREAM", key, "FULL"])), UNREPRODUCIBLE_STREAM_FIELDS);
      const groups = plain(await ask(["XINFO", "GROUPS", key])) as string[][];
      description.groups = groups;
      for (const group of groups) {
        const name = group[1]!;
        description[`pending ${name}`] = plain(await ask(["XPENDING", key, name]));
        description[`consumers ${name}`] = mask(plain(await ask(["XINFO", "CONSUMERS", key, name])), ["seen-time", "idle", "inactive"]);
      }
      break;
    }
  }
  if (options.digest) description.digest = plain(await ask(["DEBUG", "DIGEST-VALUE", key]));
  return description;
}

export async function keysOf(ask: Answerer): Promise<string[]> {
  return (plain(await ask(["KEYS", "*"])) as string[]).sort();
}

/** Whether kv can run stream commands yet (they are being written concurrently). */
export const kvHasStreams = allCommands.some((command) => command.name === "xadd");

/** The commands an RDB file replays as, through the real AOF loading path (as a base file). */
export function replayRdb(rdb: Buffer): { commands: string[][]; logger: RecordingLogger } {
  const dir = mkdtempSync(join(tmpdir(), "kv-rdb-replay-"));
  try {
    const aofDir = join(dir, "appendonlydir");
    mkdirSync(aofDir);
    writeFileSync(join(aofDir, "appendonly.aof.1.base.rdb"), rdb);
    writeFileSync(join(aofDir, "appendonly.aof.manifest"), "file appendonly.aof.1.base.rdb seq 1 type b\n");
    return replayAofDir(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function replayAofDir(dir: string): { commands: string[][]; logger: RecordingLogger } {
  const commands: string[][] = [];
  const logger = new RecordingLogger();
  const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger });
  try {
    aof.load({ command: (argv) => commands.push(argv) });
  } finally {
    aof.close();
  }
  return { commands, logger };
}

/** Servers, connections and directories of one test, released by `close()`. */
export class RedisFleet {
  private readonly servers: RedisServerProcess[] = [];
  private readonly clients: RespClient[] = [];
  private readonly dirs: string[] = [];

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "kv-rdb-diff-"));
    this.dirs.push(dir);
    return dir;
  }

  async start(config: string[], dir = this.tempDir()): Promise<{ server: RedisServerProcess; client: RespClient; dir: string }> {
    const server = await RedisServerProcess.start(dir, ["--enable-debug-command", "yes", ...config]);
    this.servers.push(server);
    const client = await RespClient.open(server.port);
    this.clients.push(client);
    return { server, client, dir };
  }

  /** A redis-server that loaded `rdb` as its dump.rdb at start-up. */
  async startFromRdb(rdb: Buffer): Promise<RespClient> {
    const dir = this.tempDir();
    writeFileSync(join(dir, "dump.rdb"), rdb);
    return (await this.start(["--appendonly", "no", "--dbfilename", "dump.rdb"], dir)).client;
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.close();
    for (const server of this.servers.splice(0)) server.kill();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs commands, failing on the first error reply. */
export async function runChecked(client: RespClient, commands: readonly (readonly string[])[]): Promise<void> {
  const replies = await client.send(commands);
  replies.forEach((reply, i) => {
    if (reply.type === "error") throw new Error(`${commands[i]!.slice(0, 4).join(" ")}: ${reply.value}`);
  });
}

/** Answers as redis-server does, in the given database. */
export function redisAnswerer(client: RespClient): (db: number) => Answerer {
  return (db) => async (command) => {
    const [, reply] = await client.send([["SELECT", String(db)], command]);
    return reply!;
  };
}

/**
 * kv's engine after replaying `commands` as the AOF loader does; stream commands (and the
 * expiries of stream keys) are left out while kv has no streams.
 */
export function kvAfterReplay(commands: readonly string[][], streamKeys: (key: string) => boolean): {
  ask: (db: number) => Answerer;
  hasDigest: boolean;
} {
  const harness = new TestHarness();
  const engine = harness.engine;
  engine.withLoading(() => {
    for (const argv of commands) {
      if (!kvHasStreams && (argv[0]!.startsWith("X") || (argv[0] === "PEXPIREAT" && streamKeys(argv[1]!)))) continue;
      engine.replay(argv);
    }
  });
  const digest = plain(harness.run("DEBUG", "DIGEST-VALUE", "no-such-key"));
  return { ask: engineAnswerer(engine), hasDigest: Array.isArray(digest) };
}

/** Answers as kv's engine does, through a client of its own, in the given database. */
export function engineAnswerer(engine: Engine): (db: number) => Answerer {
  const client = engine.createClient();
  const run = (command: readonly string[]): Reply => {
    engine.execute(client, command);
    const parser = new ReplyParser();
    parser.feed(client.reply.take() ?? Buffer.alloc(0));
    const reply = parser.next();
    if (reply === undefined) throw new Error(`kv gave no reply to ${command.join(" ")}`);
    return reply;
  };
  return (db) => (command) => {
    run(["SELECT", String(db)]);
    return Promise.resolve(run(command));
  };
}

/**
 * Asserts that two servers hold the same keys with the same descriptions in `dbs`; `skip`
 * leaves keys out (streams on kv before it has them), `digestOf` says whose digests count.
 */
export async function expectSameDataset(
  expected: (db: number) => Answerer,
  actual: (db: number) => Answerer,
  dbs: readonly number[],
  options: { skip?: (key: string) => boolean; digest?: (key: string) => boolean } = {},
): Promise<number> {
  let compared = 0;
  for (const db of dbs) {
    const keys = (await keysOf(expected(db))).filter((key) => !(options.skip?.(key) ?? false));
    expect(await keysOf(actual(db)), `keys of db ${db}`).toEqual(keys);
    for (const key of keys) {
      const describeOptions = { digest: options.digest?.(key) ?? true };
      const want = await describeKey(expected(db), key, describeOptions);
      expect(await describeKey(actual(db), key, describeOptions), `db ${db} key ${JSON.stringify(key)}`).toEqual(want);
      compared++;
    }
  }
  return compared;
}
