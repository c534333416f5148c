import * as nodeFs from "node:fs";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AofFileSystem } from "./aof-file-system.js";
import { PersistentEngine } from "./persistent-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { runCommand as run } from "./test-support/run-command.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/*
 * aof-rewrite-incremental-fsync: the live rewrite fdatasyncs its temp file every 4 MB as it
 * goes (Redis's child does the same), so the final fdatasync does not have the whole base to
 * write back at once. Real files; the file layer only records (or fails) the fdatasync calls.
 */

const open: PersistentEngine[] = [];
afterEach(() => {
  for (const engine of open.splice(0)) engine.close();
});

/** Records, in order, each fdatasync of the rewrite's temp file and each rewrite step. */
function recordingFs(failTempSync: () => boolean) {
  const events: string[] = [];
  const names = new Map<number, string>();
  const fileSystem: AofFileSystem = {
    ...nodeFs,
    openSync(path, flags, mode) {
      const fd = nodeFs.openSync(path, flags, mode);
      names.set(fd, basename(String(path)));
      return fd;
    },
    fdatasync(fd, callback) {
      const temp = names.get(fd)?.startsWith("temp-rewriteaof") === true;
      if (temp) events.push("sync-temp");
      if (temp && failTempSync()) {
        setImmediate(() => callback(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" })));
        return;
      }
      nodeFs.fdatasync(fd, callback);
    },
  };
  return { events, fileSystem };
}

function start(dir: string, fileSystem: AofFileSystem, events: string[], incremental: "yes" | "no"): PersistentEngine {
  const engine = new PersistentEngine({
    dir,
    parameters: [
      ["appendonly", "yes"],
      ["appendfsync", "no"],
      ["auto-aof-rewrite-percentage", "0"],
      ["aof-rewrite-incremental-fsync", incremental],
    ],
    logger: new RecordingLogger(),
    aofOptions: { fileSystem, onRewriteStep: (step) => events.push(step) },
  });
  open.push(engine);
  return engine;
}

/** About 13 MB of base: 60k keys with 200-byte values. */
function populate(store: PersistentEngine): void {
  expect(run(store, "DEBUG", "POPULATE", "60000", "key", "200")).toBe("+OK\r\n");
}

describe("aof-rewrite-incremental-fsync", () => {
  it("fdatasyncs the temp base every 4 MB while the walk goes on", async () => {
    const { events, fileSystem } = recordingFs(() => false);
    const store = start(makeTempDir(), fileSystem, events, "yes");
    populate(store);
    await store.rewrite();
    const written = events.indexOf("base-written");
    const early = events.slice(0, written).filter((event) => event === "sync-temp").length;
    // 13 MB: a sync after each of the first three 4 MB, then the final one after the walk.
    expect(early).toBeGreaterThanOrEqual(2);
    expect(events.slice(written)).toContain("sync-temp");
  });

  it("syncs the temp base only once, at the end, when set to no at runtime", async () => {
    const { events, fileSystem } = recordingFs(() => false);
    const store = start(makeTempDir(), fileSystem, events, "yes");
    populate(store);
    expect(run(store, "CONFIG", "SET", "aof-rewrite-incremental-fsync", "no")).toBe("+OK\r\n");
    expect(run(store, "CONFIG", "GET", "aof-rewrite-incremental-fsync")).toBe(
      "*2\r\n$29\r\naof-rewrite-incremental-fsync\r\n$2\r\nno\r\n",
    );
    await store.rewrite();
    expect(events.filter((event) => event === "sync-temp")).toHaveLength(1);
    expect(events.indexOf("sync-temp")).toBeGreaterThan(events.indexOf("base-written"));
  });

  it("fails the rewrite when an incremental fdatasync fails, and loses nothing", async () => {
    const dir = makeTempDir();
    let fail = true;
    const { events, fileSystem } = recordingFs(() => fail);
    const store = start(dir, fileSystem, events, "yes");
    populate(store);
    const digest = run(store, "DEBUG", "DIGEST");
    await expect(store.rewrite()).rejects.toThrow("EIO");
    expect(events).not.toContain("base-written");
    expect(readdirSync(join(dir, "appendonlydir")).some((name) => name.startsWith("temp-"))).toBe(false);
    expect(store.info()).toContainEqual(["aof_last_bgrewrite_status", "err"]);
    // The AOF still works: a later rewrite succeeds, and a restart loads the same dataset.
    fail = false;
    expect(run(store, "SET", "after", "1")).toBe("+OK\r\n");
    await store.rewrite();
    const expected = run(store, "DEBUG", "DIGEST");
    expect(expected).not.toBe(digest);
    store.close();
    open.splice(open.indexOf(store), 1);
    const restarted = start(dir, nodeFs, [], "yes");
    expect(run(restarted, "DEBUG", "DIGEST")).toBe(expected);
  });
});
