import * as nodeFs from "node:fs";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AofFileSystem } from "./aof-file-system.js";
import { PersistentEngine } from "./persistent-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { runCommand as run } from "./test-support/run-command.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/*
 * The start of a live rewrite: the new incr file is listed in the manifest with the fsyncs in
 * the thread pool, and only then does logging switch to it. The file layer here holds (or
 * fails) those fsyncs and counts any fsync made on the event loop.
 */

const open: PersistentEngine[] = [];
afterEach(() => {
  for (const engine of open.splice(0)) engine.close();
});

function gatedFsync() {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const state = { held: 0, blockingFsyncs: 0, fail: false, armed: false };
  const fileSystem: AofFileSystem = {
    ...nodeFs,
    fsyncSync(fd) {
      if (state.armed) state.blockingFsyncs++;
      nodeFs.fsyncSync(fd);
    },
    fsync(fd, callback) {
      state.held++;
      void gate.then(() => {
        if (state.fail) callback(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));
        else nodeFs.fsync(fd, callback);
      });
    },
  };
  return { fileSystem, state, release: () => release() };
}

function start(dir: string, fileSystem: AofFileSystem = nodeFs): PersistentEngine {
  const engine = new PersistentEngine({
    dir,
    parameters: [["appendonly", "yes"], ["appendfsync", "always"], ["auto-aof-rewrite-percentage", "0"]],
    logger: new RecordingLogger(),
    aofOptions: { fileSystem },
  });
  open.push(engine);
  return engine;
}

function digestOfCopy(dir: string): string {
  const copy = makeTempDir("kv-rewrite-start-copy-");
  cpSync(join(dir, "appendonlydir"), join(copy, "appendonlydir"), { recursive: true });
  const engine = start(copy);
  const digest = run(engine, "DEBUG", "DIGEST");
  engine.close();
  open.splice(open.indexOf(engine), 1);
  return digest;
}

const incrFiles = (dir: string) =>
  readdirSync(join(dir, "appendonlydir"))
    .filter((name) => name.includes(".incr."))
    .sort();

describe("the start of a live rewrite", () => {
  it("lists the new incr file without an fsync on the event loop, and switches only once it is durable", async () => {
    const dir = makeTempDir();
    const fs = gatedFsync();
    const store = start(dir, fs.fileSystem);
    for (let i = 0; i < 2000; i++) run(store, "SET", `key:${i}`, `value:${i}`);
    fs.state.armed = true;
    const rewrite = store.rewrite();
    // The manifest's fsyncs are held: clients keep being served, and their writes still go
    // to the old incr file, which the manifest on disk lists — a crash now loses nothing.
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.state.held).toBeGreaterThan(0);
    expect(store.info()).toContainEqual(["aof_rewrite_in_progress", 1]);
    expect(run(store, "SET", "during-prepare", "1")).toBe("+OK\r\n");
    expect(run(store, "INCR", "counter")).toBe(":1\r\n");
    const [oldIncr, newIncr] = incrFiles(dir);
    expect(newIncr).toBeDefined();
    expect(nodeFs.statSync(join(dir, "appendonlydir", newIncr!)).size).toBe(0);
    expect(nodeFs.readFileSync(join(dir, "appendonlydir", oldIncr!), "latin1")).toContain("during-prepare");
    expect(digestOfCopy(dir)).toBe(run(store, "DEBUG", "DIGEST"));
    expect(fs.state.blockingFsyncs).toBe(0);

    fs.release();
    await rewrite;
    expect(run(store, "INCR", "counter")).toBe(":2\r\n");
    expect(incrFiles(dir)).toEqual([newIncr]);
    expect(nodeFs.readFileSync(join(dir, "appendonlydir", newIncr!), "latin1")).toContain("INCR");
    expect(digestOfCopy(dir)).toBe(run(store, "DEBUG", "DIGEST"));
  });

  it("fails the rewrite when the manifest cannot be synced, and keeps logging and loading everything", async () => {
    const dir = makeTempDir();
    const fs = gatedFsync();
    const store = start(dir, fs.fileSystem);
    for (let i = 0; i < 500; i++) run(store, "SET", `key:${i}`, `value:${i}`);
    fs.state.fail = true;
    fs.release();
    await expect(store.rewrite()).rejects.toThrow("EIO");
    expect(store.info()).toContainEqual(["aof_last_bgrewrite_status", "err"]);
    expect(store.info()).toContainEqual(["aof_rewrite_in_progress", 0]);
    expect(run(store, "SET", "after-failure", "1")).toBe("+OK\r\n");
    const digest = run(store, "DEBUG", "DIGEST");
    expect(digestOfCopy(dir)).toBe(digest);
    store.close();
    open.splice(open.indexOf(store), 1);
    expect(run(start(dir), "DEBUG", "DIGEST")).toBe(digest);
  });

  it("abandons a rewrite whose AOF is closed before its incr file is listed", async () => {
    const dir = makeTempDir();
    const fs = gatedFsync();
    const store = start(dir, fs.fileSystem);
    run(store, "SET", "k", "v");
    const digest = run(store, "DEBUG", "DIGEST");
    const rewrite = store.rewrite();
    await new Promise((resolve) => setImmediate(resolve));
    store.close();
    open.splice(open.indexOf(store), 1);
    fs.release();
    await expect(rewrite).rejects.toThrow("closed during the rewrite");
    expect(run(start(dir), "DEBUG", "DIGEST")).toBe(digest);
  });
});
