import * as nodeFs from "node:fs";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AofFileSystem } from "./aof-file-system.js";
import type { AofRewriteStep } from "./append-only-file.js";
import { PersistentEngine } from "./persistent-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { runCommand as run } from "./test-support/run-command.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/*
 * The two ends of a live rewrite. At the start the new incr file is listed in the manifest with
 * the fsyncs in the thread pool, and only then does logging switch to it; at the end the new
 * base is installed and the old files dropped the same way. The file layer here holds (or
 * fails) those fsyncs and counts any fsync made on the event loop.
 */

const open: PersistentEngine[] = [];
afterEach(() => {
  for (const engine of open.splice(0)) engine.close();
});

/** Holds fsync calls made while `holding` until release(), and counts fsyncs made on the event loop once armed. */
function gatedFsync(holding = true) {
  const waiting: (() => void)[] = [];
  const state = { held: 0, blockingFsyncs: 0, fail: false, failDirectory: false, armed: false, holding };
  const eio = () => Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
  const fileSystem: AofFileSystem = {
    ...nodeFs,
    fsyncSync(fd) {
      if (state.armed) state.blockingFsyncs++;
      nodeFs.fsyncSync(fd);
    },
    fsync(fd, callback) {
      const go = () => {
        if (state.fail || (state.failDirectory && nodeFs.fstatSync(fd).isDirectory())) callback(eio());
        else nodeFs.fsync(fd, callback);
      };
      if (!state.holding) return go();
      state.held++;
      waiting.push(go);
    },
  };
  const release = () => {
    state.holding = false;
    for (const go of waiting.splice(0)) go();
  };
  return { fileSystem, state, release };
}

function start(dir: string, fileSystem: AofFileSystem = nodeFs, onRewriteStep?: (step: AofRewriteStep) => void): PersistentEngine {
  const engine = new PersistentEngine({
    dir,
    parameters: [["appendonly", "yes"], ["appendfsync", "always"], ["auto-aof-rewrite-percentage", "0"]],
    logger: new RecordingLogger(),
    aofOptions: { fileSystem, ...(onRewriteStep === undefined ? {} : { onRewriteStep }) },
  });
  open.push(engine);
  return engine;
}

/** Closes a store this file started (afterEach would close it again). */
function closeStore(store: PersistentEngine): void {
  store.close();
  open.splice(open.indexOf(store), 1);
}

/** DEBUG DIGEST of a fresh start on `dir`, after closing `store`. */
function digestAfterRestart(store: PersistentEngine, dir: string): string {
  closeStore(store);
  return run(start(dir), "DEBUG", "DIGEST");
}

/** A store whose fsyncs are held from the end of step 3 (the install's manifest) until release(). */
function startHeldAtInstall(dir: string) {
  const fs = gatedFsync(false);
  const store = start(dir, fs.fileSystem, (step) => {
    if (step === "base-synced") fs.state.holding = true;
  });
  return { fs, store };
}

function digestOfCopy(dir: string): string {
  const copy = makeTempDir("kv-rewrite-start-copy-");
  cpSync(join(dir, "appendonlydir"), join(copy, "appendonlydir"), { recursive: true });
  const engine = start(copy);
  const digest = run(engine, "DEBUG", "DIGEST");
  closeStore(engine);
  return digest;
}

const aofFiles = (dir: string, kind: string) =>
  readdirSync(join(dir, "appendonlydir"))
    .filter((name) => name.includes(kind))
    .sort();
const incrFiles = (dir: string) => aofFiles(dir, ".incr.");

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

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
    expect(digestAfterRestart(store, dir)).toBe(digest);
  });

  it("abandons a rewrite whose AOF is closed before its incr file is listed", async () => {
    const dir = makeTempDir();
    const fs = gatedFsync();
    const store = start(dir, fs.fileSystem);
    run(store, "SET", "k", "v");
    const digest = run(store, "DEBUG", "DIGEST");
    const rewrite = store.rewrite();
    await new Promise((resolve) => setImmediate(resolve));
    closeStore(store);
    fs.release();
    await expect(rewrite).rejects.toThrow("closed during the rewrite");
    expect(run(start(dir), "DEBUG", "DIGEST")).toBe(digest);
  });
});

describe("the end of a live rewrite", () => {
  it("installs the new base and drops the old files without an fsync on the event loop", async () => {
    const dir = makeTempDir();
    const { fs, store } = startHeldAtInstall(dir);
    for (let i = 0; i < 2000; i++) run(store, "SET", `key:${i}`, `value:${i}`);
    const [oldBase] = aofFiles(dir, ".base.");
    fs.state.armed = true;
    const rewrite = store.rewrite();
    await until(() => fs.state.held > 0);
    // The new base is in place but the manifest naming it is not yet durable: clients are
    // served, their writes go to the incr file both manifests list, and the old set loads.
    expect(store.info()).toContainEqual(["aof_rewrite_in_progress", 1]);
    expect(run(store, "SET", "during-install", "1")).toBe("+OK\r\n");
    expect(aofFiles(dir, ".base.")).toContain(oldBase);
    expect(digestOfCopy(dir)).toBe(run(store, "DEBUG", "DIGEST"));
    expect(fs.state.blockingFsyncs).toBe(0);

    fs.release();
    await rewrite;
    expect(fs.state.blockingFsyncs).toBe(0);
    expect(aofFiles(dir, ".base.")).not.toContain(oldBase);
    expect(aofFiles(dir, ".base.")).toHaveLength(1);
    expect(incrFiles(dir)).toHaveLength(1);
    expect(nodeFs.readFileSync(join(dir, "appendonlydir", incrFiles(dir)[0]!), "latin1")).toContain("during-install");
    expect(digestOfCopy(dir)).toBe(run(store, "DEBUG", "DIGEST"));
  });

  it("keeps the new base when the manifest naming it was renamed but the directory fsync failed", async () => {
    const dir = makeTempDir();
    const fs = gatedFsync(false);
    let failed = false;
    const store = start(dir, fs.fileSystem, (step) => {
      if (step === "base-synced" && !failed) fs.state.failDirectory = failed = true;
    });
    for (let i = 0; i < 500; i++) run(store, "SET", `key:${i}`, `value:${i}`);
    await expect(store.rewrite()).rejects.toThrow("EIO");
    fs.state.failDirectory = false;
    expect(store.info()).toContainEqual(["aof_last_bgrewrite_status", "err"]);
    expect(run(store, "SET", "after-failure", "1")).toBe("+OK\r\n");
    expect(digestOfCopy(dir)).toBe(run(store, "DEBUG", "DIGEST"));
    // The next rewrite goes on from the manifest on disk and drops the files it superseded.
    await store.rewrite();
    expect(aofFiles(dir, ".base.")).toHaveLength(1);
    expect(incrFiles(dir)).toHaveLength(1);
    const digest = run(store, "DEBUG", "DIGEST");
    expect(digestOfCopy(dir)).toBe(digest);
    expect(digestAfterRestart(store, dir)).toBe(digest);
  });

  it("loads everything when the AOF is closed while the new base's manifest is being synced", async () => {
    const dir = makeTempDir();
    const { fs, store } = startHeldAtInstall(dir);
    for (let i = 0; i < 1000; i++) run(store, "SET", `key:${i}`, `value:${i}`);
    const rewrite = store.rewrite();
    await until(() => fs.state.held > 0);
    run(store, "SET", "before-close", "1");
    const digest = run(store, "DEBUG", "DIGEST");
    closeStore(store);
    fs.release();
    await expect(rewrite).rejects.toThrow("closed during the rewrite");
    expect(run(start(dir), "DEBUG", "DIGEST")).toBe(digest);
  });
});
