import { cpSync, readdirSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AofRewriteStep } from "./append-only-file.js";
import { PersistentEngine } from "./persistent-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/*
 * The server's rewrite (a live snapshot written between event-loop turns) with writes of every
 * kind going on between its slices, as clients would: at every durable step the directory is
 * copied — what a SIGKILL at that instant leaves behind — and each copy must load to exactly
 * the dataset that had been acknowledged then. The finished base alone must be the dataset as
 * it was when the rewrite began.
 */

const open: PersistentEngine[] = [];
afterEach(() => {
  for (const engine of open.splice(0)) engine.close();
});

function start(dir: string, onRewriteStep?: (step: AofRewriteStep) => void): PersistentEngine {
  const engine = new PersistentEngine({
    dir,
    parameters: [["appendonly", "yes"], ["appendfsync", "no"], ["auto-aof-rewrite-percentage", "0"]],
    logger: new RecordingLogger(),
    // Slices of 64 keys: the walk takes hundreds of turns, with writes between them.
    aofOptions: { rewriteSliceMs: 0, ...(onRewriteStep === undefined ? {} : { onRewriteStep }) },
  });
  open.push(engine);
  return engine;
}

class Client {
  private readonly session;
  constructor(private readonly store: PersistentEngine) {
    this.session = store.engine.createClient();
  }

  /** Executes and logs a command as the server does before replying (write(2) of the AOF). */
  run(...argv: string[]): string {
    this.store.engine.execute(this.session, argv);
    this.store.flush();
    return this.session.reply.take()?.toString("latin1") ?? "";
  }
}

function digestOf(dir: string): string {
  const engine = start(dir);
  const digest = new Client(engine).run("DEBUG", "DIGEST");
  engine.close();
  open.splice(open.indexOf(engine), 1);
  return digest;
}

function randomWrite(n: number): string[] {
  const key = `k${(n * 7919) % 3000}`;
  const other = `k${(n * 104729) % 3000}`;
  switch (n % 12) {
    case 0:
      return ["SET", key, `v${n}`];
    case 1:
      return ["DEL", key];
    case 2:
      return ["RPUSH", `l${n % 50}`, `e${n}`];
    case 3:
      return ["LPOP", `l${(n * 3) % 50}`];
    case 4:
      return ["HSET", `h${n % 40}`, `f${n % 7}`, `v${n}`];
    case 5:
      return ["SADD", `s${n % 40}`, `m${n}`];
    case 6:
      return ["ZINCRBY", `z${n % 40}`, "1", `m${n % 9}`];
    case 7:
      return ["PEXPIREAT", key, String(Date.now() + 3_600_000 + n)];
    case 8:
      return ["RENAME", `h${n % 40}`, `h${(n + 1) % 40}`];
    case 9:
      return ["INCR", `counter${n % 5}`];
    case 10:
      return ["MOVE", other, String(1 + (n % 2))];
    default:
      return ["APPEND", other, "x"];
  }
}

describe("the live AOF rewrite", () => {
  it("loses nothing and doubles nothing when killed at any step, while writes go on between slices", async () => {
    const dir = makeTempDir();
    const copies: { step: AofRewriteStep; path: string; expected: string }[] = [];
    const holder: { client?: Client } = {};
    const store = start(dir, (step) => {
      // Everything written so far is in the page cache: a copy now is what a killed process leaves.
      const path = makeTempDir("kv-live-rewrite-crash-");
      cpSync(join(dir, "appendonlydir"), join(path, "appendonlydir"), { recursive: true });
      copies.push({ step, path, expected: holder.client!.run("DEBUG", "DIGEST") });
    });
    const client = new Client(store);
    holder.client = client;
    for (let i = 0; i < 5000; i++) client.run("SET", `k${i}`, `initial${i}`);
    for (let i = 0; i < 50; i++) client.run("RPUSH", `l${i}`, "a", "b", "c");
    for (let i = 0; i < 40; i++) client.run("HSET", `h${i}`, "f", "v", "g", "w");
    for (let i = 0; i < 40; i++) client.run("ZADD", `z${i}`, "1", "a", "2", "b");
    for (let i = 0; i < 40; i++) client.run("SADD", `s${i}`, "x", "y");
    client.run("SELECT", "1");
    for (let i = 0; i < 500; i++) client.run("SET", `one${i}`, "v", "PX", "3600000");
    client.run("SELECT", "0");

    const rewrite = store.rewrite();
    let finished = false;
    let writes = 0;
    const writer = (async () => {
      while (!finished) {
        for (let i = 0; i < 5; i++) client.run(...randomWrite(writes++));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await rewrite;
    finished = true;
    await writer;
    const atEnd = client.run("DEBUG", "DIGEST");
    expect(writes).toBeGreaterThan(100);

    expect(copies.map((copy) => copy.step)).toEqual(["incr-opened", "base-partial", "base-written", "base-synced", "base-installed", "history-deleted"]);
    for (const copy of copies) expect({ step: copy.step, digest: digestOf(copy.path) }).toEqual({ step: copy.step, digest: copy.expected });

    store.close();
    open.splice(open.indexOf(store), 1);
    expect(digestOf(dir)).toBe(atEnd);
    // The base alone is the dataset at the moment logging switched to the new incr file (the
    // incr-opened step, reported in that same turn); the writes after it are not in the base.
    const atSwitch = copies.find((copy) => copy.step === "incr-opened")!.expected;
    expect(atEnd).not.toBe(atSwitch);
    const baseOnly = makeTempDir("kv-live-rewrite-base-");
    cpSync(join(dir, "appendonlydir"), join(baseOnly, "appendonlydir"), { recursive: true });
    for (const name of readdirSync(join(baseOnly, "appendonlydir"))) if (name.includes(".incr.")) truncateSync(join(baseOnly, "appendonlydir", name), 0);
    expect(digestOf(baseOnly)).toBe(atSwitch);
  });

  it("gives up cleanly when the AOF is closed mid-walk (DEBUG RELOAD), leaving the keyspace intact", async () => {
    const dir = makeTempDir();
    const store = start(dir);
    const client = new Client(store);
    for (let i = 0; i < 3000; i++) client.run("SET", `k${i}`, "v");
    const rewrite = store.rewrite();
    client.run("DEL", "k1", "k2");
    await new Promise((resolve) => setImmediate(resolve));
    store.reload();
    await expect(rewrite).rejects.toThrow();
    expect(client.run("DBSIZE")).toBe(":2998\r\n");
    // The keyspace is free of the walk: a new rewrite runs to the end.
    await store.rewrite();
    expect(client.run("DBSIZE")).toBe(":2998\r\n");
  });
});
