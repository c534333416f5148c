import type { ClientSession } from "../client-session.js";
import type { Database } from "../keyspace/database.js";

/** One WATCHed key of one client. */
export interface WatchedKey {
  readonly db: Database;
  readonly key: string;
  /**
   * The key existed but had already expired when WATCH ran. Redis treats its later
   * (lazy or active) deletion as no change, since the key was logically gone already.
   */
  expiredAtWatch: boolean;
}

/**
 * Who watches which key (Redis's per-db watched_keys dict): an index from key to watching
 * clients, so a write touches only the clients that care, and FLUSHDB/SWAPDB walk the
 * watched keys rather than the whole database.
 */
export class WatchRegistry {
  private readonly byDb = new Map<Database, Map<string, Map<ClientSession, WatchedKey>>>();
  private readonly byClient = new Map<ClientSession, WatchedKey[]>();
  /** Number of (client, key) pairs, so the write path can skip everything when nobody watches. */
  size = 0;

  watch(client: ClientSession, db: Database, key: string): void {
    let keys = this.byDb.get(db);
    if (keys === undefined) this.byDb.set(db, (keys = new Map<string, Map<ClientSession, WatchedKey>>()));
    let watchers = keys.get(key);
    if (watchers === undefined) keys.set(key, (watchers = new Map<ClientSession, WatchedKey>()));
    if (watchers.has(client)) return;
    const entry: WatchedKey = { db, key, expiredAtWatch: db.peek(key) !== undefined && db.isExpired(key) };
    watchers.set(client, entry);
    let list = this.byClient.get(client);
    if (list === undefined) this.byClient.set(client, (list = []));
    list.push(entry);
    this.size++;
  }

  unwatchAll(client: ClientSession): void {
    const list = this.byClient.get(client);
    if (list === undefined) return;
    this.byClient.delete(client);
    for (const { db, key } of list) {
      const keys = this.byDb.get(db);
      const watchers = keys?.get(key);
      if (keys === undefined || watchers === undefined) continue;
      watchers.delete(client);
      this.size--;
      if (watchers.size === 0) keys.delete(key);
      if (keys.size === 0) this.byDb.delete(db);
    }
  }

  /** A key changed (signalModifiedKey): every client watching it will have its EXEC fail. */
  touch(db: Database, key: string): void {
    const watchers = this.byDb.get(db)?.get(key);
    if (watchers === undefined) return;
    for (const [client, entry] of watchers) {
      if (entry.expiredAtWatch && db.peek(key) === undefined) {
        entry.expiredAtWatch = false;
        continue;
      }
      client.watchInvalidated = true;
    }
  }

  /**
   * Before a database is emptied (FLUSHDB/FLUSHALL) or swapped with `replacedWith` (SWAPDB):
   * watched keys that exist on either side change, as in Redis's touchAllWatchedKeysInDb.
   */
  touchAllInDb(emptied: Database, replacedWith?: Database): void {
    const keys = this.byDb.get(emptied);
    if (keys === undefined) return;
    for (const [key, watchers] of keys) {
      const existed = emptied.peek(key) !== undefined;
      if (!existed && replacedWith?.peek(key) === undefined) continue;
      for (const [client, entry] of watchers) {
        if (entry.expiredAtWatch && existed) {
          entry.expiredAtWatch = false;
          continue;
        }
        client.watchInvalidated = true;
      }
    }
  }

  /** EXEC refuses a transaction when a watched key has expired since WATCH, even if nothing deleted it yet. */
  hasExpiredKey(client: ClientSession): boolean {
    for (const entry of this.byClient.get(client) ?? []) {
      if (!entry.expiredAtWatch && entry.db.peek(entry.key) !== undefined && entry.db.isExpired(entry.key)) return true;
    }
    return false;
  }
}
