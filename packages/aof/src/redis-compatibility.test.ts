import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppendOnlyFile } from "./append-only-file.js";
import { ModelEngine, type ModelEntry } from "./test-support/model-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { RedisServerProcess, hasRedisServer } from "./test-support/redis-server.js";
import { makeTempDir } from "./test-support/temp-dir.js";

const servers: RedisServerProcess[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.kill();
});

describe.skipIf(!hasRedisServer())("an appendonlydir written by redis-server 7", () => {
  it("loads (RDB base with data + incr files) into exactly the keys, values, dbs and expiries Redis had", async () => {
    const dir = makeTempDir("kv-aof-redis-");
    const redis = await RedisServerProcess.start(dir, ["--appendonly", "yes", "--appendfsync", "always"]);
    servers.push(redis);

    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const incompressible = Array.from({ length: 300 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 89))).join("");
    const expected: Record<number, Record<string, ModelEntry>> = { 0: {}, 5: {} };
    const set = (db: number, key: string, value: string, ...options: string[]) => {
      redis.cli(["SET", key, value, ...options], { db });
      expected[db]![key] = { value };
    };
    const expireAt = (db: number, key: string) => {
      expected[db]![key]!.expireAt = Number(redis.cli(["PEXPIRETIME", key], { db }));
    };

    // Before the rewrite: these end up in the RDB base.
    set(0, "plain", "hello world");
    set(0, "int", "12345");
    set(0, "negative", "-7");
    set(0, "small", "100");
    set(0, "int32", "-70000");
    set(0, "bigint", "12345678901234");
    set(0, "compressible", "a".repeat(1000));
    set(0, "incompressible", incompressible);
    set(0, "relative", "ttl", "EX", "1000");
    expireAt(0, "relative");
    set(0, "absolute", "ttl", "PXAT", "4102444800123");
    expected[0]!.absolute!.expireAt = 4102444800123;
    redis.cli(["SET", "binary"], { input: binary, lastArgFromStdin: true });
    expected[0]!.binary = { value: binary.toString("latin1") };
    set(5, "k5", "v5");
    set(5, "expiring5", "v", "PX", "5000000");
    expireAt(5, "expiring5");
    set(5, "temporary", "deleted before the rewrite");
    redis.cli(["DEL", "temporary"], { db: 5 });
    delete expected[5]!.temporary;
    redis.cli(["FUNCTION", "LOAD", "#!lua name=kvtest\nredis.register_function('noop', function() return 1 end)"]);

    redis.cli(["BGREWRITEAOF"]);
    await redis.waitFor(() => {
      const info = redis.cli(["INFO", "persistence"]);
      return info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0") && info.includes("aof_rewrites:1");
    }, "BGREWRITEAOF");
    const aofDir = join(dir, "appendonlydir");
    expect(existsSync(join(aofDir, "appendonly.aof.2.base.rdb"))).toBe(true);

    // After the rewrite: these go to the new incr file.
    set(0, "plain", "changed");
    redis.cli(["DEL", "negative"]);
    delete expected[0]!.negative;
    redis.cli(["INCR", "int"]);
    expected[0]!.int = { value: "12346" };
    redis.cli(["EXPIRE", "compressible", "3000"]);
    expireAt(0, "compressible");
    set(0, "after", "rewrite", "EX", "2000");
    expireAt(0, "after");
    set(5, "k5-new", "v");
    redis.cli(["PERSIST", "expiring5"], { db: 5 });
    delete expected[5]!.expiring5!.expireAt;
    // One connection: a transaction, logged as MULTI ... EXEC.
    redis.cli([], { input: "SELECT 5\nMULTI\nSET in-multi 1\nINCR in-multi\nEXEC\n" });
    expected[5]!["in-multi"] = { value: "2" };

    expect(Number(redis.cli(["DBSIZE"]))).toBe(Object.keys(expected[0]!).length);
    expect(Number(redis.cli(["DBSIZE"], { db: 5 }))).toBe(Object.keys(expected[5]!).length);
    await redis.shutdown();

    const manifest = readFileSync(join(aofDir, "appendonly.aof.manifest"), "latin1");
    expect(manifest).toBe("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");

    const engine = new ModelEngine();
    const logger = new RecordingLogger();
    const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger });
    const stats = aof.load(engine);
    aof.close();

    const sorted = (entries: Record<string, ModelEntry>) => Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(engine.state()).toEqual({ 0: sorted(expected[0]!), 5: sorted(expected[5]!) });
    expect(stats.truncated).toBe(false);
    // The base really was RDB: its keys came as synthetic SETs, before the incr file's MULTI.
    expect(engine.log).toContainEqual(["SET", "compressible", "a".repeat(1000)]);
    expect(engine.log.findIndex((args) => args[0] === "SET" && args[1] === "compressible")).toBeLessThan(
      engine.log.findIndex((args) => args[0]?.toUpperCase() === "MULTI"),
    );
    expect(logger.warnings.join("\n")).toContain("Skipping a function library");
  }, 60_000);
});
