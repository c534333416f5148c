import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import { errorCode } from "./durable-fs.js";

export const LOCK_FILE_NAME = "kv.lock";

/** Who holds a data directory: enough for the CLI to reach that server instead of the files. */
export interface DirectoryLockOwner {
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22); null where /proc is unavailable. */
  startTime: number | null;
  host: string | null;
  port: number | null;
}

export interface DirectoryLock {
  readonly dir: string;
  readonly path: string;
  readonly owner: DirectoryLockOwner;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): void;
}

export class DirectoryLockedError extends Error {
  override readonly name = "DirectoryLockedError";
  readonly code = "EDIRLOCKED";

  constructor(
    readonly dir: string,
    readonly owner: DirectoryLockOwner,
  ) {
    const endpoint = owner.port === null ? "" : ` serving ${owner.host ?? "*"}:${owner.port}`;
    super(`The data directory ${dir} is in use by kv process ${owner.pid}${endpoint} (${join(dir, LOCK_FILE_NAME)})`);
  }
}

/** How long a lock file may stay unparsable before it counts as abandoned (creator died between create and write). */
const UNREADABLE_GRACE_MS = 200;
const MAX_ATTEMPTS = 10;

/**
 * Takes ownership of `dir` so two processes never append to the same AOF. The lock
 * is `dir/kv.lock`, created with O_EXCL and holding `{pid, startTime, host, port}`.
 * An existing lock whose pid is gone (ESRCH) or whose pid now belongs to a process
 * with another start time (pid reuse) is stale and taken over; a live one raises
 * DirectoryLockedError carrying the owner.
 *
 * Take-over moves the stale file aside with rename(2) instead of renaming a new one
 * over it: only one contender can move a given file, and whoever does re-checks what
 * it moved, so two processes that both saw the same stale lock cannot both end up
 * owning the directory. Ownership itself is only ever created by the O_EXCL open.
 */
export function acquireDirectoryLock(dir: string, info: { host?: string; port?: number } = {}): DirectoryLock {
  fs.mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE_NAME);
  const owner: DirectoryLockOwner = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host: info.host ?? null,
    port: info.port ?? null,
  };
  const content = `${JSON.stringify(owner)}\n`;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (createExclusive(path, content)) return makeLock(dir, path, owner);

    const existing = readLockFileSettled(path);
    if (existing === "missing") continue;
    if (existing !== "unreadable" && isAlive(existing)) throw new DirectoryLockedError(dir, existing);

    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      fs.renameSync(path, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") continue; // another process moved it first
      throw error;
    }
    const moved = readLockFile(aside);
    if (moved !== "missing" && moved !== "unreadable" && isAlive(moved)) {
      // Between our read and our rename a live process took the directory: put its lock back.
      try {
        fs.linkSync(aside, path);
      } catch {
        // someone created a new lock meanwhile; the next attempt will see it
      }
      fs.rmSync(aside, { force: true });
      continue;
    }
    fs.rmSync(aside, { force: true });
  }
  throw new Error(`Could not acquire the lock of the data directory ${dir}: it keeps changing hands`);
}

/** The live owner of `dir`, or undefined when it is free (no lock, or a stale one). */
export function readDirectoryLock(dir: string): DirectoryLockOwner | undefined {
  const owner = readLockFile(join(dir, LOCK_FILE_NAME));
  if (owner === "missing" || owner === "unreadable") return undefined;
  return isAlive(owner) ? owner : undefined;
}

function makeLock(dir: string, path: string, owner: DirectoryLockOwner): DirectoryLock {
  let released = false;
  return {
    dir,
    path,
    owner,
    release() {
      if (released) return;
      released = true;
      const current = readLockFile(path);
      if (current === "missing" || current === "unreadable") return;
      // Only ours: if it was taken over (e.g. we were presumed dead), it is not ours to delete.
      if (current.pid === owner.pid && current.startTime === owner.startTime) fs.rmSync(path, { force: true });
    },
  };
}

function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  }
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  return true;
}

/**
 * The creator writes right after its O_EXCL open, so a lock that does not parse is
 * given a moment to complete before it is judged abandoned.
 */
function readLockFileSettled(path: string): DirectoryLockOwner | "missing" | "unreadable" {
  const deadline = Date.now() + UNREADABLE_GRACE_MS;
  for (;;) {
    const owner = readLockFile(path);
    if (owner !== "unreadable" || Date.now() >= deadline) return owner;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

function readLockFile(path: string): DirectoryLockOwner | "missing" | "unreadable" {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "missing";
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return "unreadable";
    const { pid, startTime, host, port } = parsed as Record<string, unknown>;
    if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return "unreadable";
    return {
      pid,
      startTime: typeof startTime === "number" ? startTime : null,
      host: typeof host === "string" ? host : null,
      port: typeof port === "number" ? port : null,
    };
  } catch {
    return "unreadable";
  }
}

/**
 * kill(pid, 0) tells at once whether the pid exists, so an owner killed with SIGKILL
 * frees the directory immediately (no lease to wait out as with mtime-based locks);
 * the start time guards against the pid having been reused by an unrelated process.
 */
function isAlive(owner: DirectoryLockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user; still alive.
    if (errorCode(error) === "ESRCH") return false;
  }
  if (owner.startTime === null) return true;
  const startTime = processStartTime(owner.pid);
  return startTime === null || startTime === owner.startTime;
}

/** Field 22 of /proc/<pid>/stat; parsed after the last ')' because the command name may contain spaces or parentheses. */
export function processStartTime(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const value = Number(fields[19]);
  return Number.isSafeInteger(value) ? value : null;
}
