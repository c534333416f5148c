import type { Keyspace } from "../keyspace/keyspace.js";
import type { StoredValue } from "../keyspace/stored-value.js";

/**
 * Emits commands that recreate the whole dataset (the AOF rewrite's base file). Keys whose
 * TTL has already passed are left out, as Redis's rewrite does. The caller guarantees
 * point-in-time consistency by running this without yielding to the event loop; the server's
 * rewrite uses LiveSnapshot instead, which may yield.
 */
export function writeDatasetSnapshot(keyspace: Keyspace, emit: (argv: string[]) => void, now = Date.now()): void {
  for (const db of keyspace.databases) {
    if (db.size === 0) continue;
    emit(["SELECT", String(db.index)]);
    for (const [key, value] of db.entries()) {
      const expireAt = db.getExpire(key);
      if (expireAt !== undefined && expireAt <= now) continue;
      writeKeyImage(key, value, expireAt, emit);
    }
  }
}

/** The commands that recreate one key with its TTL (an absolute PXAT/PEXPIREAT, valid whenever replayed). */
export function writeKeyImage(key: string, value: StoredValue, expireAt: number | undefined, emit: (argv: string[]) => void): void {
  if (typeof value === "string") {
    emit(expireAt === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", String(expireAt)]);
    return;
  }
  for (const argv of value.rewriteCommands(key)) emit(argv);
  if (expireAt !== undefined) emit(["PEXPIREAT", key, String(expireAt)]);
}
