import { cp, mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { commandBoundaries, currentIncrFile, readManifest } from "./support/aof-files.js";
import { baseFile, waitForRewrite } from "./support/background-jobs.js";
import { datasetSize, diffDatasets, dumpDataset, type Dataset } from "./support/dataset.js";
import { callOk, callValue } from "./support/reply-value.js";
import type { RespConnection } from "./support/resp-connection.js";
import { kvTargetKind, startKv, startRedis, type ServerHandle } from "./support/server.js";
import { delay, pollUntil } from "./support/wait.js";

const cleanups = new Cleanups();

afterEach(async () => {
  await cleanups.run();
});

async function aofKv(config: Parameters<typeof startKv>[0] = {}): Promise<ServerHandle> {
  const server = await startKv({ appendonly: true, appendfsync: "always", ...config });
  cleanups.add(() => server.dispose());
  return server;
}

async function run(connection: RespConnection, commands: string[][]): Promise<void> {
  for (const argv of commands) await callOk(connection, argv);
}

async function dump(server: ServerHandle): Promise<Dataset> {
  const connection = await server.connect();
  try {
    return await dumpDataset(connection);
  } finally {
    connection.close();
  }
}

function expectSameData(actual: Dataset, expected: Dataset, context: string): void {
  const problems = diffDatasets(expected, actual);
  expect(problems, `${context}:\n${problems.join("\n")}`).toEqual([]);
}

async function waitUntilGone(connection: RespConnection, key: string): Promise<void> {
  await pollUntil(async () => ((await callValue(connection, ["EXISTS", key])) === 0 ? true : undefined), {
    timeoutMs: 5_000,
    intervalMs: 10,
    description: `${key} to expire`,
  });
}

/** A varied dataset: encodings, binary, TTLs of every kind, several dbs, and keys that must be gone. */
async function writeVariedData(connection: RespConnection): Promise<void> {
  const future = Date.now() + 3_600_000;
  await run(connection, [
    ["SET", "plain", "value"],
    ["SET", "int", "12345"],
    ["SET", "binary\x00\xff", "\r\n\x00\xfe"],
    ["SET", "big", "b".repeat(100_000)],
    ["SET", "ex", "1", "EX", "1000"],
    ["SET", "px", "2", "PX", "5000000"],
    ["SET", "exat", "3", "EXAT", String(Math.floor(future / 1000))],
    ["SET", "pxat", "4", "PXAT", String(future + 123)],
    ["SET", "persisted", "5", "EX", "1000"],
    ["PERSIST", "persisted"],
    ["SET", "getex", "6"],
    ["GETEX", "getex", "PX", "7000000"],
    ["SETEX", "setex", "2000", "7"],
    ["PSETEX", "psetex", "3000000", "8"],
    ["SET", "kept", "old", "EX", "1500"],
    ["SET", "kept", "new", "KEEPTTL"],
    ["INCR", "counter"],
    ["INCRBY", "counter", "41"],
    ["INCRBYFLOAT", "float", "1.5"],
    ["APPEND", "appended", "abc"],
    ["APPEND", "appended", "def"],
    ["SETRANGE", "ranged", "3", "xyz"],
    ["MSET", "m1", "1", "m2", "2"],
    ["SET", "doomed", "x"],
    ["DEL", "doomed"],
    ["SET", "negative", "x"],
    ["EXPIRE", "negative", "-1"],
    ["SET", "renamed-from", "r", "EX", "1200"],
    ["RENAME", "renamed-from", "renamed-to"],
    ["SET", "moved", "m"],
    ["MOVE", "moved", "3"],
    ["SET", "copied", "c", "EX", "1300"],
    ["COPY", "copied", "copied", "DB", "5"],
    ["GETDEL", "m2"],
    ["SELECT", "1"],
    ["SET", "in-db1", "one"],
    ["SELECT", "2"],
    ["SET", "in-db2", "two", "PX", "4000000"],
    ["SWAPDB", "1", "2"],
    ["SELECT", "7"],
    ["SET", "flushed", "x"],
    ["FLUSHDB"],
    ["SELECT", "15"],
    ["SET", "last-db", "z"],
    ["SELECT", "0"],
    ["SET", "short", "gone soon", "PX", "100"],
  ]);
  await waitUntilGone(connection, "short");
}

describe("restart and reload", () => {
  it("recovers values, absolute TTLs and every database after a restart", async () => {
    const server = await aofKv();
    const connection = await server.connect();
    await writeVariedData(connection);
    const before = await dump(server);
    expect(datasetSize(before)).toBeGreaterThan(20);
    expect(before.get(0)?.get("short")).toBeUndefined();

    await server.restart();
    expectSameData(await dump(server), before, `after a clean restart of ${server.name}`);

    await server.kill();
    await server.restart();
    expectSameData(await dump(server), before, `after SIGKILL and restart of ${server.name}`);
  });

  it("does not bring back keys whose TTL passed while the server was down", async () => {
    const server = await aofKv();
    const connection = await server.connect();
    await run(connection, [["SET", "brief", "x", "PX", "300"], ["SET", "stays", "y"]]);
    const expireAt = Number(await callValue(connection, ["PEXPIRETIME", "brief"]));
    await server.stop();
    // Waiting for a deadline on the clock, not for the server: the TTL must pass while it is down.
    await delay(Math.max(0, expireAt - Date.now() + 50));
    await server.restart();
    const check = await server.connect();
    expect(await callValue(check, ["EXISTS", "brief"])).toBe(0);
    expect(await callValue(check, ["GET", "stays"])).toBe("y");
  });

  it("keeps everything across DEBUG RELOAD", async () => {
    const server = await aofKv();
    const connection = await server.connect();
    await writeVariedData(connection);
    const before = await dump(server);
    expect(await callValue(connection, ["DEBUG", "RELOAD"])).toBe("OK");
    expectSameData(await dump(server), before, "after DEBUG RELOAD");
    await server.restart();
    expectSameData(await dump(server), before, "after DEBUG RELOAD and a restart");
  });

  it("recovers after BGREWRITEAOF plus later writes", async () => {
    const server = await aofKv({ appendfsync: "everysec" });
    const connection = await server.connect();
    await writeVariedData(connection);
    const baseBefore = await baseFile(server);
    const reply = await callValue(connection, ["BGREWRITEAOF"]);
    expect(String(reply)).toMatch(/^Background append only file rewriting (started|scheduled)$/);
    await waitForRewrite(server, connection, baseBefore);
    const { entries } = await readManifest(server.aofDir);
    expect(entries.some((entry) => entry.type === "b")).toBe(true);
    await run(connection, [["SET", "after-rewrite", "1", "EX", "900"], ["INCR", "counter"], ["DEL", "plain"], ["SELECT", "4"], ["SET", "db4", "x"]]);
    const before = await dump(server);
    await server.restart();
    expectSameData(await dump(server), before, "after BGREWRITEAOF, more writes and a restart");
  });
});

describe("damaged AOF files", () => {
  async function writeNumberedKeys(count: number): Promise<ServerHandle> {
    const server = await aofKv();
    const connection = await server.connect();
    for (let i = 0; i < count; i++) await callOk(connection, ["SET", `t:${i}`, String(i)]);
    await server.kill();
    return server;
  }

  it("cuts a truncated tail, starts, and keeps appending cleanly", async () => {
    const server = await writeNumberedKeys(50);
    const file = await currentIncrFile(server.aofDir);
    const bytes = await readFile(file);
    const { ends, trailing } = commandBoundaries(bytes);
    expect(trailing).toBe(0);
    const lastComplete = ends.at(-2)!;
    // Cut inside the final SET, as a crash mid-write would leave it.
    await truncate(file, ends.at(-1)! - 3);

    await server.restart();
    const connection = await server.connect();
    expect(await callValue(connection, ["GET", "t:48"])).toBe("48");
    expect(await callValue(connection, ["GET", "t:49"])).toBeNull();
    expect((await stat(file)).size, "the partial command is cut off the file").toBe(lastComplete);

    await callOk(connection, ["SET", "after", "cut"]);
    await server.restart();
    const again = await server.connect();
    expect(await callValue(again, ["MGET", "t:0", "t:48", "t:49", "after"])).toEqual(["0", "48", null, "cut"]);
  });

  it("refuses to start on garbage in the middle, naming the file and offset", async () => {
    const server = await writeNumberedKeys(20);
    const file = await currentIncrFile(server.aofDir);
    const bytes = await readFile(file);
    const { ends } = commandBoundaries(bytes);
    const offset = ends[9]!;
    const garbage = Buffer.from("this is not RESP\r\n");
    await writeFile(file, Buffer.concat([bytes.subarray(0, offset), garbage, bytes.subarray(offset)]));

    const child = server.spawnUnchecked();
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      child.exited,
      new Promise<"running">((resolve) => {
        timer = setTimeout(() => resolve("running"), 15_000);
      }),
    ]);
    clearTimeout(timer);
    if (exit === "running") {
      await child.kill();
      throw new Error(`${server.kind} started on a corrupt AOF instead of refusing\n${child.outputTail()}`);
    }
    expect(exit.code === 0 && exit.signal === null, `exit ${JSON.stringify(exit)}`).toBe(false);
    const output = child.output();
    const fileName = path.basename(file);
    expect(output, "the error names the damaged file").toContain(fileName);
    if (kvTargetKind === "kv") {
      // Redis itself does not print the offset; kv promises it, anywhere within the garbage.
      const numbers = output
        .split("\n")
        .filter((line) => line.includes(fileName))
        .flatMap((line) => [...line.matchAll(/\d+/g)].map((match) => Number(match[0])));
      expect(
        numbers.some((n) => n >= offset && n <= offset + garbage.length),
        `an offset in [${offset}, ${offset + garbage.length}] in:\n${output}`,
      ).toBe(true);
    }
  });
});

describe("loading an AOF written by redis-server 7", () => {
  it.each([
    ["a pure RESP AOF (aof-use-rdb-preamble no)", ["--aof-use-rdb-preamble", "no"]],
    ["Redis's default AOF with an RDB preamble base", []],
  ])("loads %s with the same data", async (_label, redisArgs) => {
    const redis = await startRedis({ appendonly: true, appendfsync: "always", redisOnlyArgs: redisArgs });
    cleanups.add(() => redis.dispose());
    const connection = await redis.connect();
    const future = Date.now() + 7_200_000;
    await run(connection, [
      ["SET", "a", "1"],
      ["SET", "ttl", "x", "EX", "1000"],
      ["SET", "binary\x00", "\xff\x00\r\n"],
      ["INCRBY", "counter", "10"],
      ["SET", "short", "x", "PX", "50"],
      ["SELECT", "2"],
      ["SET", "db2-key", "two", "PXAT", String(future)],
      ["SET", "db2-plain", "v"],
      ["EXPIRE", "db2-plain", "5000"],
      ["SELECT", "0"],
    ]);
    await waitUntilGone(connection, "short");
    const baseBefore = await baseFile(redis);
    await callOk(connection, ["BGREWRITEAOF"]);
    await waitForRewrite(redis, connection, baseBefore);
    await run(connection, [
      ["SET", "after", "rewrite", "PX", "6000000"],
      ["INCR", "counter"],
      ["DEL", "a"],
      ["APPEND", "binary\x00", "+"],
      ["SELECT", "2"],
      ["SET", "db2-after", "x"],
      ["PERSIST", "db2-plain"],
      ["SELECT", "0"],
    ]);
    const expected = await dump(redis);
    connection.close();
    const shutdown = await redis.connect();
    shutdown.writeRaw("*1\r\n$8\r\nSHUTDOWN\r\n");
    await shutdown.waitForClose(10_000).catch(() => undefined);
    await redis.process.exited;

    const copy = await mkdtemp(path.join(os.tmpdir(), "redis-aof-copy-"));
    cleanups.add(() => rm(copy, { recursive: true, force: true }));
    await cp(redis.dir, copy, { recursive: true });
    const kv = await aofKv({ dir: copy });
    expectSameData(await dump(kv), expected, `${kv.kind} loading ${copy}/appendonlydir`);
  });
});
