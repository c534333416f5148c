import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { kvTargetKind, startKv } from "./support/server.js";
import { delay, pollUntil } from "./support/wait.js";

/*
 * A real full disk: the server's data directory is a 2 MiB tmpfs mounted by the test, filled
 * with a filler file until write(2) returns ENOSPC. Needs root (mount); kv only, because the
 * point is what kv does better than Redis 7.0, which acknowledges the write it could not log.
 */

const MISCONF = "-MISCONF Errors writing to the AOF file: No space left on device\r\n";
/** Larger than what is left of the incr file's last page, so its write needs a new page. */
const BIG = "v".repeat(8 * 1024);

function tryMountTmpfs(): { dir?: string; reason?: string } {
  if (process.getuid?.() !== 0) return { reason: "not root, cannot mount a tmpfs" };
  const dir = mkdtempSync(path.join(os.tmpdir(), "kv-disk-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir], { stdio: "pipe" });
    return { dir };
  } catch (error) {
    rmdirSync(dir);
    return { reason: `mount -t tmpfs failed: ${(error as Error).message.split("\n")[0]}` };
  }
}

function unmount(dir: string): void {
  execFileSync("umount", [dir], { stdio: "pipe" });
  rmdirSync(dir);
}

/** Writes a file until the filesystem has no page left; returns its path. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, "filler");
  const fd = openSync(filler, "a");
  try {
    for (const chunk of [64 * 1024, 4096]) {
      const bytes = Buffer.alloc(chunk, 1);
      try {
        for (;;) writeSync(fd, bytes);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

const probe = kvTargetKind === "kv" ? tryMountTmpfs() : { reason: "KV_TARGET=redis: Redis acknowledges writes it could not log" };
if (probe.dir !== undefined) unmount(probe.dir);
if (probe.reason !== undefined) console.warn(`disk-full.test.ts skipped: ${probe.reason}`);

const cleanups = new Cleanups();
afterEach(async () => {
  await cleanups.run();
});

async function text(reply: Promise<Buffer>): Promise<string> {
  return (await reply).toString("latin1");
}

describe.skipIf(probe.reason !== undefined)("disk full (real tmpfs)", () => {
  it("refuses writes with MISCONF, holds the unlogged write's reply, recovers by itself, and a SIGKILL loses nothing acknowledged", async () => {
    const mounted = tryMountTmpfs();
    const dir = mounted.dir!;
    cleanups.add(() => unmount(dir));
    const server = await startKv({ dir, appendonly: true, appendfsync: "everysec" });
    cleanups.add(() => server.dispose());
    const client = await server.connect({ replyTimeoutMs: 10_000 });
    const other = await server.connect({ replyTimeoutMs: 10_000 });

    const acknowledged: string[] = [];
    for (let n = 0; n < 50; n++) {
      expect(await text(client.call(["SET", `acked:${n}`, `${n}`]))).toBe("+OK\r\n");
      acknowledged.push(`acked:${n}`);
    }

    // The disk fills up: the next write that needs a page fails, and its reply must not leave.
    let filler = fillDisk(dir);
    let heldReply: string | undefined;
    const held = text(client.call(["SET", "held:1", BIG])).then((reply) => (heldReply = reply));
    await delay(400);
    expect(heldReply, server.describe()).toBeUndefined();

    // From now on writes (and PING) are refused as Redis refuses them; reads still answer.
    expect(await text(other.call(["SET", "refused:1", "x"]))).toBe(MISCONF);
    expect(await text(other.call(["PING"]))).toBe(MISCONF);
    expect(await text(other.call(["INCR", "acked:1"]))).toBe(MISCONF);
    expect(await text(other.call(["GET", "acked:7"]))).toBe("$1\r\n7\r\n");
    expect(await text(other.call(["GET", "refused:1"]))).toBe("$-1\r\n");
    expect(await text(other.call(["MULTI"]))).toBe("+OK\r\n");
    expect(await text(other.call(["SET", "refused:2", "x"]))).toBe(MISCONF);
    expect(await text(other.call(["EXEC"]))).toBe("-EXECABORT Transaction discarded because of previous errors.\r\n");
    expect(await text(other.call(["INFO", "persistence"]))).toContain("aof_last_write_status:err");

    // Space comes back: the cron's retry writes the pending bytes, the held reply goes out
    // and writes are accepted again, with no command from an operator.
    unlinkSync(filler);
    await held;
    expect(heldReply).toBe("+OK\r\n");
    acknowledged.push("held:1");
    await pollUntil(async () => ((await text(other.call(["PING"]))) === "+PONG\r\n" ? true : undefined), {
      timeoutMs: 5_000,
      description: "PING to be accepted again",
    });
    expect(await text(other.call(["SET", "after:1", "y"]))).toBe("+OK\r\n");
    acknowledged.push("after:1");
    expect(await text(other.call(["INFO", "persistence"]))).toContain("aof_last_write_status:ok");
    expect(server.logs()).toContain("AOF write error looks solved");

    // Full again, and killed while full: the write whose reply was held never reached the file.
    filler = fillDisk(dir);
    let unacknowledged: string | undefined;
    void text(client.call(["SET", "held:2", BIG])).then(
      (reply) => (unacknowledged = reply),
      () => undefined,
    );
    await delay(300);
    expect(await text(other.call(["SET", "refused:3", "x"]))).toBe(MISCONF);
    expect(unacknowledged).toBeUndefined();
    await server.kill();
    unlinkSync(filler);
    await server.restart();

    const after = await server.connect();
    for (const key of acknowledged) {
      expect((await text(after.call(["EXISTS", key]))) + key, server.describe()).toBe(`:1\r\n${key}`);
    }
    for (const key of ["refused:1", "refused:2", "refused:3", "held:2"]) {
      expect((await text(after.call(["EXISTS", key]))) + key).toBe(`:0\r\n${key}`);
    }
    expect(await text(after.call(["GET", "acked:1"]))).toBe("$1\r\n1\r\n");
    after.close();
  });
});
