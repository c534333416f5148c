import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PersistentEngine } from "../persistent-engine.js";
import { hasRedisServer } from "../test-support/redis-server.js";
import {
  RedisFleet,
  expectSameDataset,
  keysOf,
  kvAfterReplay,
  kvHasStreams,
  engineAnswerer,
  redisAnswerer,
  replayAofDir,
  runChecked,
  type RespClient,
} from "./test-support/redis-differential.js";

/**
 * A redis-server 7.0 writes data of every type in every encoding it has (small and big
 * lists, hashes, sets, sorted sets, intsets of each width, plain quicklist nodes, compressed
 * nodes, streams with deleted and trimmed entries, consumer groups, pending entries,
 * expiries, several databases), rewrites its AOF with the RDB preamble, and the base file is
 * loaded. The commands it replays as are then run by a second redis-server and by kv, and
 * every key is compared with what the first server answers.
 */

const DATABASES = [0, 3, 9];
const KEY_COUNT = 31;
const STREAM_KEY_COUNT = 4;

// ---------------------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------------------

const FAR_FUTURE_MS = "4102444800123";
const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("latin1");
const incompressible = (length: number, seed: number) =>
  Array.from({ length }, (_, i) => String.fromCharCode(33 + ((i * 7919 + seed * 104729) % 89))).join("");
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

const integersOfEveryWidth = [
  "0", "1", "12", "13", "-1", "127", "128", "-128", "-4096", "4095", "4096", "32767", "-32768", "32768",
  "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
  "9223372036854775807", "-9223372036854775808",
];

/** Scores whose text must come back bit for bit. */
const scores: [string, string][] = [
  ["1.5", "one-and-a-half"], ["-0", "negative-zero"], ["inf", "infinity"], ["-inf", "minus-infinity"],
  ["1e308", "huge"], ["0.1", "a-tenth"], ["123", "integral"], ["-5e-324", "smallest"], ["9007199254740993", "past-2^53"],
  ["3.0000000000000004", "three-ish"], ["-2.5e-10", "tiny-negative"], ["7", ""], ["1.7976931348623157e308", "max"],
];

function datasetCommands(): { db: number; commands: string[][] }[] {
  const db0: string[][] = [
    ["SET", "string", "plain"],
    ["SET", "string:ttl", "soon", "PXAT", FAR_FUTURE_MS],

    // Lists: one listpack node; many nodes, compressed (list-compress-depth 1); plain nodes.
    ["RPUSH", "list:small", "a", "b", "", binary, ...integersOfEveryWidth],
    ["RPUSH", "list:big", ...range(700).map((i) => (i % 3 === 0 ? String(i * 1000003) : i % 3 === 1 ? `value-${i}` : incompressible(40, i)))],
    ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000"],
    ["RPUSH", "list:plain", "before", "x".repeat(1500), "middle", incompressible(3000, 1), "after"],
    ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824"],
    ["RPUSH", "list:ttl", "a", "b"],
    ["PEXPIREAT", "list:ttl", FAR_FUTURE_MS],

    // Hashes: listpack (insertion order matters), hashtable by count, hashtable by value length.
    ["HSET", "hash:small", "name", "kv", "n", "42", "neg", "-7", "big", "9223372036854775807", "bin", binary.slice(0, 40), "", "empty-field"],
    ["HSET", "hash:big", ...range(600).flatMap((i) => [`field-${i}`, i % 2 === 0 ? String(i) : `v${i}`])],
    ["HSET", "hash:long-value", "short", "1", "long", "y".repeat(100)],
    ["HSET", "hash:ttl", "f", "v"],
    ["EXPIRE", "hash:ttl", "100000"],

    // Sets: intsets of 16, 32 and 64-bit members, hashtable of integers, of strings, mixed.
    ["SADD", "set:int16", "1", "2", "3", "-5", "32767"],
    ["SADD", "set:int32", "70000", "-70000", "5"],
    ["SADD", "set:int64", "1", "9223372036854775807", "-9223372036854775808"],
    ["SADD", "set:many-ints", ...range(600).map((i) => String(i * 7 - 2000))],
    ["SADD", "set:strings", "a", "b", "c", binary],
    ["SADD", "set:big", ...range(700).map((i) => `member-${i}`)],
    ["SADD", "set:mixed", "1", "2", "three"],
    ["SADD", "set:ttl", "1"],
    ["PEXPIREAT", "set:ttl", FAR_FUTURE_MS],

    // Sorted sets: listpack; skiplist by count (keeps -0); skiplist by member length.
    ["ZADD", "zset:small", ...scores.flat()],
    ["ZADD", "zset:big", ...scores.flat(), ...range(200).flatMap((i) => [String(i * 0.37), `m${i}`])],
    ["ZADD", "zset:big", "-0", "negative-zero-2", "-0", "negative-zero-3"],
    ["ZADD", "zset:long-member", "1", "z".repeat(100), "-0", "zero", "2.5", "b"],
    ["ZADD", "zset:ttl", "1", "a"],
    ["PEXPIREAT", "zset:ttl", FAR_FUTURE_MS],
  ];

  const key3 = `\u0000\u00ffbinary key`;
  const db3: string[][] = [
    ["SET", key3, binary],
    ["RPUSH", "list", "only"],
    ["HSET", "hash", "a", "1"],
    ["SADD", "set", "x"],
    ["ZADD", "zset", "2", "y"],
  ];

  // Streams (stream-node-max-entries 5, so several listpack nodes).
  const db9: string[][] = [];
  for (const i of range(30)) {
    const ms = String(1_700_000_000_000 + Math.floor(i / 3));
    const fields = i % 4 === 3 ? ["other", `o${i}`, "n", String(i), "bin", binary.slice(i, i + 5)] : ["name", `entry-${i}`, "n", String(i * 1000)];
    db9.push(["XADD", "stream:main", `${ms}-${i % 3}`, ...fields]);
  }
  const id = (i: number) => `${1_700_000_000_000 + Math.floor(i / 3)}-${i % 3}`;
  db9.push(
    ["XGROUP", "CREATE", "stream:main", "g1", "0"],
    ["XGROUP", "CREATE", "stream:main", "g2", id(9)],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "6", "STREAMS", "stream:main", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "4", "STREAMS", "stream:main", ">"],
    ["XACK", "stream:main", "g1", id(1)],
    ["XCLAIM", "stream:main", "g1", "bob", "0", id(2)],
    ["XCLAIM", "stream:main", "g1", "bob", "0", id(2), "RETRYCOUNT", "5"],
    ["XGROUP", "CREATECONSUMER", "stream:main", "g1", "carol"],
    ["XREADGROUP", "GROUP", "g2", "dave", "COUNT", "3", "STREAMS", "stream:main", ">"],
    // A pending entry deleted, others trimmed away: XCLAIM alone would drop them.
    ["XDEL", "stream:main", id(7), id(15), id(16)],
    ["XTRIM", "stream:main", "MAXLEN", "22"],
    ["XGROUP", "CREATE", "stream:main", "g3-unknown-read", id(20)],
    ["XGROUP", "SETID", "stream:main", "g3-unknown-read", id(21)],

    ["XADD", "stream:emptied", "5-1", "f", "v"],
    ["XADD", "stream:emptied", "5-2", "f", "v"],
    ["XDEL", "stream:emptied", "5-1", "5-2"],
    ["XGROUP", "CREATE", "stream:emptied", "g", "$"],
    ["XGROUP", "CREATE", "stream:mkstream", "g", "$", "MKSTREAM"],
    ["XADD", "stream:ttl", "1-1", "a", "b"],
    ["PEXPIREAT", "stream:ttl", FAR_FUTURE_MS],
  );
  return [
    { db: 0, commands: db0 },
    { db: 3, commands: db3 },
    { db: 9, commands: db9 },
  ];
}

// ---------------------------------------------------------------------------------------
// The fixture: redis-server A writes the data and its RDB-preamble AOF; the base is loaded
// ---------------------------------------------------------------------------------------

const fleet = new RedisFleet();
let source: RespClient;
let sourceAofDir: string;
let replayed: string[][] = [];
let loadWarnings: string[] = [];
const isStreamKey = (key: string) => key.startsWith("stream:");

describe.skipIf(!hasRedisServer())("RDB preamble of every type and encoding, written by redis-server 7.0", () => {
  beforeAll(async () => {
    const a = await fleet.start(["--appendonly", "yes", "--stream-node-max-entries", "5", "--list-max-listpack-size", "16", "--list-compress-depth", "1"]);
    source = a.client;
    sourceAofDir = join(a.dir, "appendonlydir");
    for (const { db, commands } of datasetCommands()) await runChecked(source, [["SELECT", String(db)], ...commands]);
    await runChecked(source, [["BGREWRITEAOF"]]);
    await a.server.waitFor(() => {
      const info = a.server.cli(["INFO", "persistence"]);
      return info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrites:1");
    }, "BGREWRITEAOF");

    // Load a copy: the server keeps the original open.
    const copy = fleet.tempDir();
    cpSync(join(a.dir, "appendonlydir"), join(copy, "appendonlydir"), { recursive: true });
    expect(readdirSync(join(copy, "appendonlydir")).some((name) => name.endsWith(".base.rdb"))).toBe(true);
    const load = replayAofDir(copy);
    replayed = load.commands;
    loadWarnings = load.logger.warnings;
  }, 60_000);

  afterAll(() => {
    fleet.close();
    replayed = [];
  });

  it("wrote every encoding into the base file", async () => {
    const encodings: Record<string, string> = {
      "list:small": "quicklist", "hash:small": "listpack", "hash:big": "hashtable", "hash:long-value": "hashtable",
      "set:int16": "intset", "set:int64": "intset", "set:many-ints": "hashtable", "set:strings": "hashtable",
      "zset:small": "listpack", "zset:big": "skiplist", "zset:long-member": "skiplist", "stream:main": "stream",
    };
    for (const [key, encoding] of Object.entries(encodings)) {
      const db = isStreamKey(key) ? 9 : 0;
      const [, reply] = await source.send([["SELECT", String(db)], ["OBJECT", "ENCODING", key]]);
      expect(reply, key).toEqual({ type: "bulk", value: Buffer.from(encoding) });
    }
  });

  it("replays every key as commands, none refused or skipped", async () => {
    expect(loadWarnings).toEqual([]);
    const created = new Set(replayed.filter((argv) => argv[0] !== "SELECT").map((argv) => (argv[0] === "XGROUP" ? argv[2]! : argv[1]!)));
    for (const db of DATABASES) {
      for (const key of await keysOf(redisAnswerer(source)(db))) expect(created.has(key), key).toBe(true);
    }
    expect(replayed).toContainEqual(["PEXPIREAT", "list:ttl", FAR_FUTURE_MS]);
  });

  it("gives a second redis-server exactly the dataset of the first", async () => {
    const b = await fleet.start(["--appendonly", "no"]);
    await runChecked(b.client, replayed);
    expect(await expectSameDataset(redisAnswerer(source), redisAnswerer(b.client), DATABASES)).toBe(KEY_COUNT);
  });

  it("gives kv the same keys, values, expiries and encodings as redis-server", async () => {
    const kv = kvAfterReplay(replayed, isStreamKey);
    const compared = await expectSameDataset(redisAnswerer(source), kv.ask, DATABASES, {
      skip: (key) => !kvHasStreams && isStreamKey(key),
      // kv's DEBUG DIGEST-VALUE is Redis-identical for every type but streams.
      digest: (key) => kv.hasDigest && !isStreamKey(key),
    });
    expect(compared).toBe(kvHasStreams ? KEY_COUNT : KEY_COUNT - STREAM_KEY_COUNT);
    if (!kvHasStreams) console.warn("kv has no stream commands yet (no xadd in @kv/core's allCommands): stream keys not compared on kv");
  });

  // The server's own start-up path; it needs every command of the file, streams included.
  it.skipIf(!kvHasStreams)("opens redis-server's appendonlydir with PersistentEngine into the same dataset", async () => {
    const dir = fleet.tempDir();
    cpSync(sourceAofDir, join(dir, "appendonlydir"), { recursive: true });
    const persistent = new PersistentEngine({ dir, parameters: [["appendonly", "yes"]], logger: { notice: () => {}, warning: () => {} } });
    try {
      const compared = await expectSameDataset(redisAnswerer(source), engineAnswerer(persistent.engine), DATABASES, {
        digest: (key) => !isStreamKey(key),
      });
      expect(compared).toBe(KEY_COUNT);
    } finally {
      persistent.close();
    }
  });
});
