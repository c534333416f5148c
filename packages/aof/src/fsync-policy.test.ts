import * as nodeFs from "node:fs";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AppendOnlyFile, type AppendFsyncPolicy } from "./append-only-file.js";
import type { AofFileSystem } from "./aof-file-system.js";
import { ModelEngine } from "./test-support/model-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/** Real files, but every async fdatasync is counted and takes at least `delayMs`, like a slow disk. */
function instrumentedFs(delayMs: number, failWith?: NodeJS.ErrnoException) {
  const counters = { fdatasyncs: 0, inFlight: 0, maxInFlight: 0, syncFdatasyncs: 0 };
  const fileSystem: AofFileSystem = {
    ...nodeFs,
    fdatasync(fd, callback) {
      counters.fdatasyncs++;
      counters.inFlight++;
      counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
      setTimeout(() => {
        nodeFs.fdatasync(fd, (error) => {
          counters.inFlight--;
          callback(failWith ?? error);
        });
      }, delayMs);
    },
    fdatasyncSync(fd) {
      counters.syncFdatasyncs++;
      nodeFs.fdatasyncSync(fd);
    },
  };
  return { fileSystem, counters };
}

function openWith(appendFsync: AppendFsyncPolicy, fileSystem: AofFileSystem) {
  const dir = makeTempDir();
  const logger = new RecordingLogger();
  const aof = new AppendOnlyFile({ dir, appendFsync, fileSystem, logger });
  aof.load(new ModelEngine());
  return { aof, dir, logger };
}

describe("appendfsync always: group commit", () => {
  it("releases many waiters with far fewer fdatasyncs, one at a time, without blocking the loop", async () => {
    const { fileSystem, counters } = instrumentedFs(15);
    const { aof } = openWith("always", fileSystem);
    let loopTicks = 0;
    const ticker = setInterval(() => loopTicks++, 1);

    const waiters: Array<Promise<number>> = [];
    const clients = 200;
    for (let client = 0; client < clients; client++) {
      aof.append(0, ["SET", `key:${client}`, "value"]);
      const seq = aof.flush(); // one event-loop turn = one flush, as in the server
      waiters.push(aof.whenSynced(seq).then(() => seq));
      if (client % 10 === 9) await sleep(2);
      else await nextTurn();
    }
    const released = await Promise.all(waiters);
    clearInterval(ticker);

    expect(released).toHaveLength(clients);
    expect(aof.syncedSeq).toBe(aof.writtenSeq);
    expect(counters.fdatasyncs).toBeGreaterThan(0);
    expect(counters.fdatasyncs).toBeLessThan(clients / 4);
    expect(counters.maxInFlight).toBe(1);
    expect(loopTicks).toBeGreaterThan(5);
    aof.close();
  });

  it("starts an fdatasync on flush and resolves waiters only once their bytes are synced", async () => {
    const { fileSystem, counters } = instrumentedFs(30);
    const { aof } = openWith("always", fileSystem);
    aof.append(0, ["SET", "a", "1"]);
    const first = aof.flush();
    expect(counters.fdatasyncs).toBe(1);
    let firstDone = false;
    const firstWait = aof.whenSynced(first).then(() => (firstDone = true));

    aof.append(0, ["SET", "b", "2"]);
    const second = aof.flush(); // written while the first round is in flight
    let secondDone = false;
    const secondWait = aof.whenSynced(second).then(() => (secondDone = true));
    expect(counters.fdatasyncs).toBe(1);

    await firstWait;
    expect(secondDone).toBe(false);
    expect(counters.fdatasyncs).toBe(2); // the next round started as soon as the first ended
    await secondWait;
    expect(firstDone && secondDone).toBe(true);
    expect(aof.syncedSeq).toBe(second);

    // Already durable: resolves without another fdatasync.
    await aof.whenSynced(first);
    expect(counters.fdatasyncs).toBe(2);
    aof.close();
  });

  it("supports a callback form that runs at once when already synced", async () => {
    const { fileSystem } = instrumentedFs(5);
    const { aof } = openWith("always", fileSystem);
    aof.append(0, ["SET", "a", "1"]);
    const seq = aof.flush();
    const error = await new Promise<Error | undefined>((resolve) => aof.onSynced(seq, resolve));
    expect(error).toBeUndefined();
    let calledSynchronously = false;
    aof.onSynced(seq, () => (calledSynchronously = true));
    expect(calledSynchronously).toBe(true);
    aof.close();
  });

  it("holds waiters (never releases them) while fdatasync fails, and close() reports the error", async () => {
    const eio = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    const { fileSystem } = instrumentedFs(1, eio);
    const { aof } = openWith("always", fileSystem);
    aof.append(0, ["SET", "a", "1"]);
    const seq = aof.flush();
    let outcome: unknown = "pending";
    aof.whenSynced(seq).then(
      () => (outcome = "released"),
      (error: unknown) => (outcome = error),
    );
    while (aof.diskError === undefined) await sleep(2);
    await sleep(20);
    expect(outcome).toBe("pending");
    expect(aof.diskError).toBe("Input/output error");
    expect(aof.info().aof_last_write_status).toBe("err");
    // Still failing at shutdown: close() must not claim success, and the held waiter learns why.
    fileSystem.fdatasyncSync = () => {
      throw eio;
    };
    expect(() => aof.close()).toThrow("EIO");
    await sleep(0);
    expect(outcome).toBeInstanceOf(Error);
  });

  it("close() fdatasyncs synchronously and releases pending waiters", async () => {
    const { fileSystem, counters } = instrumentedFs(1000);
    const { aof } = openWith("always", fileSystem);
    aof.append(0, ["SET", "a", "1"]);
    const wait = aof.whenSynced(aof.flush());
    aof.append(0, ["SET", "b", "2"]); // not flushed yet: close() must flush it
    aof.close();
    expect(counters.syncFdatasyncs).toBeGreaterThanOrEqual(1);
    await wait;
    expect(aof.syncedSeq).toBe(aof.writtenSeq);
  });
});

describe("appendfsync everysec and no", () => {
  it("everysec fdatasyncs in the background about once a second, without being asked", async () => {
    const { fileSystem, counters } = instrumentedFs(0);
    const { aof } = openWith("everysec", fileSystem);
    aof.append(0, ["SET", "a", "1"]);
    const seq = aof.flush();
    expect(counters.fdatasyncs).toBe(0);
    const deadline = Date.now() + 2500;
    while (aof.syncedSeq < seq && Date.now() < deadline) await sleep(50);
    expect(aof.syncedSeq).toBe(seq);
    expect(counters.fdatasyncs).toBe(1);
    // Nothing new written: the next tick does not fsync again.
    await sleep(1100);
    expect(counters.fdatasyncs).toBe(1);
    aof.close();
  });

  it("no never fdatasyncs on its own, but whenSynced still asks for one", async () => {
    const { fileSystem, counters } = instrumentedFs(0);
    const { aof } = openWith("no", fileSystem);
    aof.append(0, ["SET", "a", "1"]);
    const seq = aof.flush();
    await sleep(50);
    expect(counters.fdatasyncs).toBe(0);
    await aof.whenSynced(seq);
    expect(counters.fdatasyncs).toBe(1);
    aof.close();
  });

  it("switching the policy at runtime (CONFIG SET appendfsync) takes effect", async () => {
    const { fileSystem, counters } = instrumentedFs(0);
    const { aof } = openWith("no", fileSystem);
    aof.appendFsync = "always";
    aof.append(0, ["SET", "a", "1"]);
    const seq = aof.flush();
    expect(counters.fdatasyncs).toBe(1);
    await aof.whenSynced(seq);
    aof.close();
  });
});
