import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplyParser, encodeCommand, type Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHarness } from "../test-support/harness.js";

/*
 * The keys family against a live redis-server 7.0 (skipped when none is installed): each
 * scenario runs on a fresh kv engine and on a fresh connection to a flushed redis-server,
 * and every reply must be the same bytes. Replies whose order is Redis's hash order (KEYS,
 * a SCAN page) are compared sorted. Scenarios avoid what is nondeterministic by design:
 * RANDOMKEY among several keys, PTTL, IDLETIME, SCAN cursors other than 0.
 */

const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;

/** A pseudo-command: wait this many ms on both sides. */
const SLEEP = "__sleep";
/** Commands whose reply is compared with its arrays' elements sorted. */
const UNORDERED = new Set(["keys", "scan"]);
/** Setup whose reply legitimately differs (server identity). */
const NOT_COMPARED = new Set(["hello", "debug"]);

const scenarios: Record<string, string[][]> = {
  "DEL, UNLINK, EXISTS, TYPE, TOUCH": [
    ["SET", "a", "1"],
    ["SET", "b", "2"],
    ["EXISTS", "a", "a", "b", "nokey"],
    ["DEL", "a", "nokey", "a"],
    ["EXISTS", "a"],
    ["TYPE", "b"],
    ["TYPE", "a"],
    ["TOUCH", "a", "b", "b"],
    ["UNLINK", "b"],
    ["DEL", "nokey"],
    ["EXISTS", "b"],
  ],
  "KEYS and SCAN": [
    ["SET", "hello", "1"],
    ["SET", "hallo", "1"],
    ["SET", "hxllo", "1"],
    ["SET", "", "empty"],
    ["SET", "bin\x00\xff", "1"],
    ["KEYS", "*"],
    ["KEYS", "**"],
    ["KEYS", "h?llo"],
    ["KEYS", "h[^e]llo"],
    ["KEYS", "h[a-e]llo"],
    ["KEYS", "hello"],
    ["KEYS", "nomatch"],
    ["KEYS", ""],
    ["KEYS", "bin\x00[\x80-\xff]"],
    ["SCAN", "0"],
    ["SCAN", "0", "MATCH", "h*"],
    ["SCAN", "0", "MATCH", "*"],
    ["SCAN", "0", "MATCH", "**"],
    ["SCAN", "0", "TYPE", "string"],
    ["SCAN", "0", "TYPE", "STRING"],
    ["SCAN", "0", "TYPE", "list"],
    ["SCAN", "0", "TYPE", "string\x00junk"],
    ["SCAN", "0", "COUNT", "100", "MATCH", "h[ae]llo"],
    ["SCAN", ""],
    ["SCAN", "+0"],
    ["SCAN", "abc"],
    ["SCAN", "0x1"],
    ["SCAN", " 1"],
    ["SCAN", "18446744073709551616"],
    ["SCAN", "0", "COUNT", "0"],
    ["SCAN", "0", "COUNT", "-1"],
    ["SCAN", "0", "COUNT", "abc"],
    ["SCAN", "0", "COUNT"],
    ["SCAN", "0", "MATCH"],
    ["SCAN", "0", "FOO", "bar"],
    ["SCAN", "x", "COUNT", "0"],
  ],
  "expired keys met by KEYS, SCAN, RANDOMKEY, DEL": [
    ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    ["SET", "a", "1", "PX", "1"],
    ["SET", "b", "1", "PX", "1"],
    ["SET", "c", "1", "PX", "1"],
    ["SET", "d", "1", "PX", "1"],
    ["SET", "live", "1"],
    [SLEEP, "20"],
    ["KEYS", "*"], // skips them without deleting
    ["SCAN", "0", "MATCH", "a"], // deletes a
    ["SCAN", "0", "TYPE", "none"], // lists b, c and d: the TYPE lookup reclaimed them first
    ["SET", "e", "1", "PX", "1"],
    [SLEEP, "20"],
    ["DEL", "e", "live"],
    ["RANDOMKEY"],
    ["EXISTS", "a", "b", "c", "d", "e", "live"],
  ],
  "RENAME and RENAMENX": [
    ["SET", "a", "1"],
    ["EXPIRE", "a", "100"],
    ["RENAME", "a", "b"],
    ["TTL", "b"],
    ["EXISTS", "a"],
    ["RENAME", "nokey", "x"],
    ["RENAME", "nokey", "nokey"],
    ["RENAMENX", "nokey", "nokey"],
    ["RENAME", "b", "b"],
    ["RENAMENX", "b", "b"],
    ["SET", "c", "3"],
    ["RENAMENX", "b", "c"],
    ["RENAMENX", "b", "d"],
    ["GET", "d"],
    ["RENAME", "d", "c"],
    ["TTL", "c"],
    ["OBJECT", "ENCODING", "c"],
    ["SET", "s", "ab"],
    ["APPEND", "s", "c"],
    ["RENAME", "s", "t"],
    ["OBJECT", "ENCODING", "t"],
  ],
  COPY: [
    ["SET", "a", "1"],
    ["COPY", "a", "b"],
    ["COPY", "a", "b"],
    ["COPY", "a", "b", "REPLACE"],
    ["COPY", "a", "b", "replace", "REPLACE"],
    ["COPY", "a", "a"],
    ["COPY", "a", "a", "DB", "0"],
    ["COPY", "a", "a", "DB", "1"],
    ["COPY", "a", "x", "DB", "99"],
    ["COPY", "a", "x", "DB", "-1"],
    ["COPY", "a", "x", "DB", "abc"],
    ["COPY", "a", "x", "DB", "99999999999"],
    ["COPY", "a", "x", "DB"],
    ["COPY", "a", "x", "FOO"],
    ["COPY", "nokey", "x"],
    ["COPY", "nokey", "nokey"],
    ["EXPIRE", "a", "100"],
    ["COPY", "a", "c", "DB", "2"],
    ["COPY", "a", "k2", "replace\x00"],
    ["SELECT", "2"],
    ["TTL", "c"],
    ["GET", "c"],
    ["SELECT", "1"],
    ["GET", "a"],
  ],
  MOVE: [
    ["SET", "k", "v"],
    ["MOVE", "k", "99"],
    ["MOVE", "k", "-1"],
    ["MOVE", "k", "0"],
    ["MOVE", "k", "abc"],
    ["MOVE", "k", "99999999999"],
    ["MOVE", "nokey", "0"],
    ["MOVE", "nokey", "1"],
    ["EXPIRE", "k", "100"],
    ["MOVE", "k", "1"],
    ["EXISTS", "k"],
    ["SELECT", "1"],
    ["TTL", "k"],
    ["SET", "k2", "there"],
    ["SELECT", "0"],
    ["SET", "k2", "here"],
    ["MOVE", "k2", "1"],
    ["GET", "k2"],
  ],
  SWAPDB: [
    ["SET", "a", "1"],
    ["SELECT", "1"],
    ["SET", "b", "2"],
    ["SELECT", "0"],
    ["SWAPDB", "0", "1"],
    ["GET", "a"],
    ["GET", "b"],
    ["SWAPDB", "0", "0"],
    ["SWAPDB", "a", "1"],
    ["SWAPDB", "1", "b"],
    ["SWAPDB", "0", "16"],
    ["SWAPDB", "-1", "0"],
    ["SWAPDB", "99999999999", "1"],
    ["SWAPDB", "1", "99999999999"],
  ],
  "EXPIRE family, TTL, PERSIST": [
    ["SET", "k", "v"],
    ["TTL", "k"],
    ["PTTL", "k"],
    ["EXPIRETIME", "k"],
    ["PEXPIRETIME", "nokey"],
    ["EXPIREAT", "k", "4102444800"],
    ["EXPIRETIME", "k"],
    ["PEXPIRETIME", "k"],
    ["EXPIRE", "k", "100", "GT"],
    ["EXPIRE", "k", "100", "LT"],
    ["TTL", "k"],
    ["EXPIRE", "k", "200", "GT"],
    ["TTL", "k"],
    ["PERSIST", "k"],
    ["PERSIST", "k"],
    ["PERSIST", "nokey"],
    ["EXPIRE", "k", "100", "GT"],
    ["EXPIRE", "k", "100", "XX"],
    ["EXPIRE", "k", "100", "LT"],
    ["EXPIRE", "k", "100", "XX"],
    ["EXPIRE", "k", "50", "NX"],
    ["EXPIRE", "k", "60", "nx\x00junk"],
    ["TTL", "k"],
    ["PEXPIREAT", "k", "4102444800499"],
    ["EXPIRETIME", "k"],
    ["EXPIRE", "nokey", "10"],
    ["EXPIRE", "k", "10", "NX", "XX"],
    ["EXPIRE", "k", "10", "GT", "LT"],
    ["EXPIRE", "k", "10", "NX", "GT"],
    ["EXPIRE", "k", "10", "FOO"],
    ["EXPIRE", "k", "10", "foo\x00bar"],
    ["EXPIRE", "k", "abc", "FOO"],
    ["EXPIRE", "k", "abc"],
    ["EXPIRE", "k", "+10"],
    ["EXPIRE", "k", "010"],
    ["EXPIRE", "k", ""],
    ["EXPIRE", "k", "9223372036854775"],
    ["EXPIRE", "k", "9223372036854776"],
    ["EXPIRE", "k", "-9223372036854776"],
    ["PEXPIRE", "k", "9223372036854775807"],
    ["EXPIREAT", "k", "9223372036854776"],
    ["PEXPIREAT", "k", "9223372036854775807"],
    ["PEXPIRETIME", "k"],
    ["RENAME", "k", "k2"],
    ["COPY", "k2", "k", "DB", "3"],
    ["MOVE", "k2", "3"],
    ["SELECT", "3"],
    ["PEXPIRETIME", "k"],
    ["EXPIRETIME", "k2"],
    ["MOVE", "k2", "0"],
    ["SELECT", "0"],
    ["RENAME", "k2", "k"],
    ["PEXPIRETIME", "k"],
    ["EXPIREAT", "k", "9223372036854775"],
    ["PEXPIRETIME", "k"],
    ["EXPIRE", "k", "-9223372036854775"],
    ["EXISTS", "k"],
    ["SET", "p", "v"],
    ["PEXPIRE", "p", "0"],
    ["EXISTS", "p"],
    ["SET", "q", "v"],
    ["EXPIREAT", "q", "1"],
    ["TTL", "q"],
  ],
  OBJECT: [
    ["SET", "n", "123"],
    ["SET", "big", "10000"],
    ["SET", "neg", "-1"],
    ["SET", "max", "9223372036854775807"],
    ["SET", "over", "9223372036854775808"],
    ["SET", "lead", "0123"],
    ["SET", "e44", "x".repeat(44)],
    ["SET", "r45", "x".repeat(45)],
    ["SET", "app", "ab"],
    ["APPEND", "app", "c"],
    ["OBJECT", "ENCODING", "n"],
    ["OBJECT", "ENCODING", "big"],
    ["OBJECT", "ENCODING", "neg"],
    ["OBJECT", "ENCODING", "max"],
    ["OBJECT", "ENCODING", "over"],
    ["OBJECT", "ENCODING", "lead"],
    ["OBJECT", "ENCODING", "e44"],
    ["OBJECT", "ENCODING", "r45"],
    ["OBJECT", "ENCODING", "app"],
    ["OBJECT", "ENCODING", "nokey"],
    ["OBJECT", "REFCOUNT", "n"],
    ["OBJECT", "REFCOUNT", "big"],
    ["OBJECT", "REFCOUNT", "neg"],
    ["OBJECT", "REFCOUNT", "e44"],
    ["OBJECT", "REFCOUNT", "nokey"],
    ["OBJECT", "FREQ", "n"],
    ["OBJECT", "IDLETIME", "nokey"],
    ["OBJECT", "HELP"],
    ["OBJECT", "foo", "n"],
    ["OBJECT", "ENCODING"],
    ["OBJECT", "HELP", "x"],
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
    ["SET", "f", "v"],
    ["OBJECT", "FREQ", "f"],
    ["OBJECT", "IDLETIME", "f"],
  ],
  "RESP3 replies": [
    ["HELLO", "3"],
    ["RANDOMKEY"],
    ["OBJECT", "ENCODING", "nokey"],
    ["OBJECT", "REFCOUNT", "nokey"],
    ["SCAN", "0"],
    ["KEYS", "*"],
    ["TYPE", "nokey"],
    ["SET", "k", "v"],
    ["RANDOMKEY"],
    ["TYPE", "k"],
    ["SCAN", "0"],
    ["TTL", "k"],
    ["EXPIRE", "k", "100"],
    ["TTL", "k"],
    ["OBJECT", "HELP"],
    ["COPY", "k", "k"],
  ],
};

let server: ChildProcess | undefined;
let directory = "";
let socketPath = "";

describe.runIf(haveRedis)("keys family against redis-server", () => {
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "kv-keys-diff-"));
    socketPath = join(directory, "redis.sock");
    server = spawn(
      "redis-server",
      [
        ...["--port", "0", "--unixsocket", socketPath, "--save", "", "--appendonly", "no", "--dir", directory],
        ...["--databases", "16", "--enable-debug-command", "yes"],
      ],
      { stdio: "ignore" },
    );
    for (let attempt = 0; ; attempt++) {
      try {
        (await RedisConnection.open(socketPath)).close();
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });

  afterAll(() => {
    server?.kill();
    if (directory !== "") rmSync(directory, { recursive: true, force: true });
  });

  it.each(Object.entries(scenarios))("%s", async (_name, commands) => {
    const reset = await RedisConnection.open(socketPath);
    const resets = [["FLUSHALL"], ["CONFIG", "SET", "maxmemory-policy", "noeviction"], ["CONFIG", "SET", "maxmemory", "0"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]];
    for (const argv of resets) await reset.send(argv);
    reset.close();

    const redis = await RedisConnection.open(socketPath);
    const kv = new TestHarness();
    try {
      for (const argv of commands) {
        if (argv[0] === SLEEP) {
          await new Promise((resolve) => setTimeout(resolve, Number(argv[1])));
          continue;
        }
        const expected = await redis.send(argv);
        const actual = runOnKv(kv, argv);
        const name = argv[0]!.toLowerCase();
        if (NOT_COMPARED.has(name)) continue;
        const label = JSON.stringify(argv);
        if (UNORDERED.has(name)) expect(sortedReply(actual), label).toEqual(sortedReply(expected));
        else expect(actual, label).toBe(expected);
      }
    } finally {
      redis.close();
    }
  });
});

/** Runs a command on kv; CONFIG SET goes to the engine's store when no CONFIG command is served. */
function runOnKv(kv: TestHarness, argv: string[]): string {
  // kv runs no active expiry cycle on its own in tests: nothing to switch off.
  if (argv[0] === "DEBUG") return "+OK\r\n";
  if (argv[0] === "CONFIG" && kv.engine.commands.lookup("config") === undefined) {
    const error = kv.engine.config.set(argv[2]!, argv[3]!);
    return error === undefined ? "+OK\r\n" : `-ERR ${error}\r\n`;
  }
  return kv.raw(...argv);
}

/** A reply decoded with every array's elements sorted (KEYS order, a SCAN page's keys). */
function sortedReply(raw: string): unknown {
  const parser = new ReplyParser();
  parser.feed(Buffer.from(raw, "latin1"));
  const sort = (reply: Reply): unknown => {
    if (reply.type === "array" || reply.type === "set") {
      return { type: reply.type, value: reply.value.map(sort).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) };
    }
    if (reply.type === "bulk") return { type: "bulk", value: reply.value.toString("latin1") };
    return reply.type === "integer" ? { type: "integer", value: String(reply.value) } : reply;
  };
  return sort(parser.next()!);
}

/** One connection to redis-server, one request in flight; replies come back as raw latin1 bytes. */
class RedisConnection {
  private buffered: Buffer[] = [];
  private waiting: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffered.push(chunk);
      this.waiting?.();
    });
  }

  static open(path: string): Promise<RedisConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once("connect", () => {
        socket.removeListener("error", reject);
        resolve(new RedisConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  async send(argv: string[]): Promise<string> {
    this.buffered = [];
    this.socket.write(encodeCommand(argv.map((arg) => Buffer.from(arg, "latin1"))));
    for (;;) {
      const bytes = Buffer.concat(this.buffered);
      const parser = new ReplyParser();
      parser.feed(bytes);
      if (parser.next() !== undefined) return bytes.toString("latin1");
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
