import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import {
  DirectoryLockedError,
  LOCK_FILE_NAME,
  acquireDirectoryLock,
  processStartTime,
  readDirectoryLock,
} from "./directory-lock.js";
import { makeTempDir } from "./test-support/temp-dir.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

async function spawnIdleNode(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000); console.log('ready')"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  await once(child.stdout, "data");
  return child;
}

function writeLock(dir: string, owner: object): void {
  writeFileSync(join(dir, LOCK_FILE_NAME), JSON.stringify(owner));
}

describe("directory lock", () => {
  it("creates kv.lock with the owner's pid, start time, host and port", () => {
    const dir = makeTempDir();
    const lock = acquireDirectoryLock(dir, { host: "127.0.0.1", port: 7379 });
    const content: unknown = JSON.parse(readFileSync(join(dir, LOCK_FILE_NAME), "utf8"));
    expect(content).toEqual({ pid: process.pid, startTime: processStartTime(process.pid), host: "127.0.0.1", port: 7379 });
    expect(typeof processStartTime(process.pid)).toBe("number");
    expect(readDirectoryLock(dir)).toEqual(lock.owner);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
    expect(readDirectoryLock(dir)).toBeUndefined();
    lock.release(); // idempotent
  });

  it("refuses a second owner while the first is alive, reporting who holds it", () => {
    const dir = makeTempDir();
    const lock = acquireDirectoryLock(dir, { port: 7000 });
    let error: unknown;
    try {
      acquireDirectoryLock(dir, { port: 7001 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DirectoryLockedError);
    expect((error as DirectoryLockedError).owner).toMatchObject({ pid: process.pid, port: 7000 });
    expect((error as Error).message).toContain(`in use by kv process ${process.pid} serving *:7000`);
    lock.release();
    acquireDirectoryLock(dir).release();
  });

  it("refuses a lock held by another live process", async () => {
    const dir = makeTempDir();
    const child = await spawnIdleNode();
    writeLock(dir, { pid: child.pid, startTime: processStartTime(child.pid!), host: "::1", port: 6390 });
    expect(readDirectoryLock(dir)).toMatchObject({ pid: child.pid, host: "::1", port: 6390 });
    expect(() => acquireDirectoryLock(dir)).toThrow(DirectoryLockedError);
  });

  it("takes over the lock of a SIGKILLed owner at once", async () => {
    const dir = makeTempDir();
    const child = await spawnIdleNode();
    const pid = child.pid!;
    writeLock(dir, { pid, startTime: processStartTime(pid), host: null, port: 6391 });
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(readDirectoryLock(dir)).toBeUndefined();
    const lock = acquireDirectoryLock(dir, { port: 6392 });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE_NAME), "utf8"))).toMatchObject({ pid: process.pid, port: 6392 });
    lock.release();
  });

  it("treats a reused pid (same pid, different start time) as stale", () => {
    const dir = makeTempDir();
    writeLock(dir, { pid: process.pid, startTime: (processStartTime(process.pid) ?? 0) - 1, host: null, port: null });
    expect(readDirectoryLock(dir)).toBeUndefined();
    acquireDirectoryLock(dir).release();
  });

  it("takes over an unparsable lock once its creator had time to finish writing", () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, LOCK_FILE_NAME), "");
    const started = Date.now();
    const lock = acquireDirectoryLock(dir);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    lock.release();
  });

  it("does not remove a lock that was taken over by someone else", () => {
    const dir = makeTempDir();
    const lock = acquireDirectoryLock(dir);
    writeLock(dir, { pid: 1, startTime: processStartTime(1), host: null, port: 1 });
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(true);
  });
});
