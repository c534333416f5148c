import type { Keyspace } from "../keyspace/keyspace.js";

/**
 * Emits commands that recreate the whole dataset (the AOF rewrite's base file). Keys whose
 * TTL has already passed are left out, as Redis's rewrite does. The caller guarantees
 * point-in-time consistency by running this without yielding to the event loop.
 */
export function writeDatasetSnapshot(keyspace: Keyspace, emit: (argv: string[]) => void, now = Date.now()): void {
  for (const db of keyspace.databases) {
    if (db.size === 0) continue;
    emit(["SELECT", String(db.index)]);
    for (const [key, value] of db.entries()) {
      const expireAt = db.getExpire(key);
      if (expireAt !== undefined && expireAt <= now) continue;
      if (typeof value === "string") {
        emit(expireAt === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", String(expireAt)]);
        continue;
      }
      for (const argv of value.rewriteCommands(key)) emit(argv);
      if (expireAt !== undefined) emit(["PEXPIREAT", key, String(expireAt)]);
    }
  }
}
