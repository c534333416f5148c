import * as nodeFs from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AppendOnlyFile, type AppendFsyncPolicy } from "./append-only-file.js";
import type { AofFileSystem } from "./aof-file-system.js";
import { ModelEngine } from "./test-support/model-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { makeTempDir } from "./test-support/temp-dir.js";

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const text = code === "ENOSPC" ? "no space left on device" : "i/o error";
  return Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, syscall });
}

/**
 * Real files behind a switchable fault: appends (write without a position) fail with
 * `faults.write`, a given number of them short first; fdatasync fails with `faults.fsync`,
 * and with `faults.losePages` it also does what a kernel may do on EIO: the bytes since the
 * last good fdatasync never reach the disk (here: overwritten with zeros), though the file
 * keeps its size.
 */
function faultyFs(dir: string) {
  const faults = { write: undefined as string | undefined, shortWrites: 0, fsync: undefined as string | undefined, losePages: false, truncate: true };
  const counts = { positionedWrites: 0, fdatasyncs: 0, failedWrites: 0 };
  /** Per inode: what the last good fdatasync covered (any descriptor of the file). */
  const syncedSize = new Map<number, number>();
  const incrPath = () => {
    const incrs = nodeFs.readdirSync(join(dir, "appendonlydir")).filter((name) => name.includes(".incr."));
    return join(dir, "appendonlydir", incrs.sort().at(-1)!);
  };
  const fileSystem: AofFileSystem = {
    ...nodeFs,
    writeSync(fd, buffer, offset, length, position) {
      if (position !== undefined && position !== null) {
        counts.positionedWrites++;
        return nodeFs.writeSync(fd, buffer, offset, length, position);
      }
      if (faults.write !== undefined) {
        if (faults.shortWrites > 0) {
          faults.shortWrites--;
          return nodeFs.writeSync(fd, buffer, offset, Math.min(7, length));
        }
        counts.failedWrites++;
        throw errno(faults.write, "write");
      }
      return nodeFs.writeSync(fd, buffer, offset, length);
    },
    ftruncateSync(fd, length) {
      if (!faults.truncate) throw errno("EIO", "ftruncate");
      nodeFs.ftruncateSync(fd, length);
    },
    fdatasync(fd, callback) {
      counts.fdatasyncs++;
      const { size, ino } = nodeFs.fstatSync(fd);
      if (faults.fsync !== undefined) {
        const error = errno(faults.fsync, "fdatasync");
        if (faults.losePages) {
          const from = syncedSize.get(ino) ?? 0;
          const zeros = Buffer.alloc(size - from);
          const other = nodeFs.openSync(incrPath(), "r+");
          nodeFs.writeSync(other, zeros, 0, zeros.length, from);
          nodeFs.closeSync(other);
        }
        setImmediate(() => callback(error));
        return;
      }
      nodeFs.fdatasync(fd, (error) => {
        if (!error) syncedSize.set(ino, size);
        callback(error);
      });
    },
  };
  return { fileSystem, faults, counts };
}

function openAof(dir: string, appendFsync: AppendFsyncPolicy, fileSystem: AofFileSystem) {
  const logger = new RecordingLogger();
  const aof = new AppendOnlyFile({ dir, appendFsync, fileSystem, logger });
  aof.load(new ModelEngine());
  return { aof, logger };
}

/** What a restart replays, SELECTs left out. */
function replayed(dir: string): string[][] {
  const engine = new ModelEngine();
  const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger: new RecordingLogger() });
  aof.load(engine);
  aof.close();
  return engine.log.filter((argv) => argv[0] !== "SELECT");
}

const set = (n: number) => ["SET", `key:${n}`, `value:${n}`];

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in 5 s");
    await sleep(2);
  }
}

describe("AOF write errors", () => {
  it.each([
    ["ENOSPC", "No space left on device"],
    ["EIO", "Input/output error"],
  ])("%s: keeps every pending byte, refuses until a retry writes them, then resumes in order", (code, strerror) => {
    const dir = makeTempDir();
    const { fileSystem, faults, counts } = faultyFs(dir);
    const { aof, logger } = openAof(dir, "everysec", fileSystem);
    aof.append(0, set(1));
    expect(aof.tryFlush()).toBe(aof.writtenSeq);

    faults.write = code;
    aof.append(0, set(2));
    const held = aof.tryFlush();
    expect(held).toBeGreaterThan(aof.writtenSeq);
    expect(aof.diskError).toBe(strerror);
    expect(aof.info().aof_last_write_status).toBe("err");
    expect(logger.warnings).toContain(`Error writing to the AOF file: ${strerror}`);
    // Commands that still get logged meanwhile (expired keys' DELs) queue behind.
    aof.append(0, ["DEL", "expired"]);
    for (let retry = 0; retry < 5; retry++) aof.retryAfterError();
    expect(aof.tryFlush()).toBeGreaterThan(held);
    expect(counts.failedWrites).toBeGreaterThanOrEqual(7);
    // Retried every cron tick, but logged once (Redis's AOF_WRITE_LOG_ERROR_RATE).
    expect(logger.warnings.filter((line) => line.startsWith("Error writing"))).toHaveLength(1);

    faults.write = undefined;
    aof.retryAfterError();
    expect(aof.diskError).toBeUndefined();
    expect(aof.writtenSeq).toBe(aof.appendedSeq);
    expect(aof.info().aof_last_write_status).toBe("ok");
    expect(logger.warnings).toContain("AOF write error looks solved, kv can write again.");
    aof.append(0, set(3));
    aof.tryFlush();
    aof.close();
    expect(replayed(dir)).toEqual([set(1), set(2), ["DEL", "expired"], set(3)]);
  });

  it("a short write is taken back out (ftruncate), or kept and completed when even that fails", () => {
    for (const truncate of [true, false]) {
      const dir = makeTempDir();
      const { fileSystem, faults } = faultyFs(dir);
      const { aof, logger } = openAof(dir, "everysec", fileSystem);
      aof.append(0, set(1));
      aof.tryFlush();
      faults.write = "ENOSPC";
      faults.shortWrites = 1;
      faults.truncate = truncate;
      aof.append(0, set(2));
      aof.tryFlush();
      expect(aof.diskError).toBe("No space left on device");
      expect(logger.warnings).toContainEqual(expect.stringMatching(/^Short write while writing to the AOF file: \(nwritten=7, expected=\d+\)$/));
      if (!truncate) expect(logger.warnings).toContain("Could not remove short write from the append-only file: EIO: i/o error, ftruncate");
      faults.write = undefined;
      aof.retryAfterError();
      expect(aof.diskError).toBeUndefined();
      aof.close();
      expect(replayed(dir)).toEqual([set(1), set(2)]);
    }
  });
});

describe("AOF fsync errors", () => {
  it("always: holds the waiter, refuses, rewrites the unsynced bytes on retry and only then releases", async () => {
    const dir = makeTempDir();
    const { fileSystem, faults, counts } = faultyFs(dir);
    const { aof, logger } = openAof(dir, "always", fileSystem);
    aof.append(0, set(1));
    await aof.whenSynced(aof.tryFlush());

    faults.fsync = "EIO";
    faults.losePages = true;
    aof.append(0, set(2));
    let released = false;
    const waiter = aof.whenSynced(aof.tryFlush()).then(() => (released = true));
    await until(() => aof.diskError !== undefined);
    expect(aof.diskError).toBe("Input/output error");
    expect(logger.warnings).toContain("Fail to fsync the AOF file: Input/output error");
    expect(aof.info().aof_last_write_status).toBe("err");

    // Retries while the disk still fails change nothing.
    const before = counts.fdatasyncs;
    for (let retry = 0; retry < 3; retry++) {
      aof.retryAfterError();
      await until(() => !aof.info().aof_pending_bio_fsync);
    }
    expect(counts.fdatasyncs).toBeGreaterThan(before);
    expect(released).toBe(false);
    expect(aof.diskError).toBe("Input/output error");

    faults.fsync = undefined;
    const rewritesBefore = counts.positionedWrites;
    aof.retryAfterError();
    await waiter;
    expect(counts.positionedWrites).toBeGreaterThan(rewritesBefore);
    expect(aof.diskError).toBeUndefined();
    expect(aof.info().aof_last_write_status).toBe("ok");
    expect(logger.warnings).toContain("AOF write error looks solved, kv can write again.");
    aof.append(0, set(3));
    await aof.whenSynced(aof.tryFlush());
    aof.close();
    // The failed fdatasync zeroed SET key:2 on "disk"; without the rewrite the file would not even load.
    expect(replayed(dir)).toEqual([set(1), set(2), set(3)]);
  });

  it("everysec: the background round's failure refuses writes; a later retry recovers with nothing lost", async () => {
    const dir = makeTempDir();
    const { fileSystem, faults } = faultyFs(dir);
    const { aof, logger } = openAof(dir, "everysec", fileSystem);
    faults.fsync = "EIO";
    faults.losePages = true;
    for (let n = 1; n <= 20; n++) {
      aof.append(n % 3, set(n));
      aof.tryFlush();
    }
    void aof.whenSynced(aof.writtenSeq); // what the everysec tick would start
    await until(() => aof.diskError !== undefined);
    expect(logger.warnings.filter((line) => line.startsWith("Fail to fsync"))).toHaveLength(1);

    faults.fsync = undefined;
    aof.retryAfterError();
    await until(() => aof.diskError === undefined);
    expect(aof.syncedSeq).toBe(aof.writtenSeq);
    aof.close();
    expect(replayed(dir)).toEqual(Array.from({ length: 20 }, (_, index) => set(index + 1)));
  });

  it("close() after a failed fdatasync rewrites and syncs the unsynced bytes itself", async () => {
    const dir = makeTempDir();
    const { fileSystem, faults } = faultyFs(dir);
    const { aof } = openAof(dir, "always", fileSystem);
    faults.fsync = "EIO";
    faults.losePages = true;
    aof.append(0, set(1));
    const waiter = aof.whenSynced(aof.tryFlush());
    await until(() => aof.diskError !== undefined);
    faults.fsync = undefined;
    aof.close();
    await waiter;
    expect(replayed(dir)).toEqual([set(1)]);
  });
});
