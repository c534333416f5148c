import type { Database } from "../keyspace/database.js";

/*
 * Keys picked "at random" for eviction, from a JS Map, which has no random access.
 *
 * Redis's dictGetSomeKeys starts at a random bucket and collects keys from consecutive
 * buckets. Here each database keeps a rotating iterator per table (all keys, keys with a TTL)
 * and every call skips a random number of entries, then takes consecutive ones, wrapping at
 * the end. Over successive calls every key is visited; samples of one call are neighbours in
 * insertion order, as Redis's are neighbours in its table. The iterator must keep rotating
 * across calls (restarting from the front each time would sample the oldest keys forever),
 * so it is only dropped after IDLE_LIMIT_MS without use: an idle Map iterator pins the
 * table V8 replaced when the Map last grew or shrank.
 */

const IDLE_LIMIT_MS = 10_000;

interface Cursors {
  keys: Iterator<string> | undefined;
  expires: Iterator<[string, number]> | undefined;
}

export class KeySampler {
  private readonly cursors = new Map<Database, Cursors>();
  private lastUsed = 0;
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Appends up to `count` distinct live keys of `db` to `into`: any key, or with `volatile`
   * only keys that have a TTL. Returns how many were added.
   */
  sample(db: Database, volatile: boolean, count: number, into: string[]): number {
    const size = volatile ? db.expiresSize : db.size;
    if (size === 0) return 0;
    this.lastUsed = Date.now();
    this.armSweep();
    const cursors = this.cursorsOf(db);
    const wanted = Math.min(count, size);
    let skip = Math.floor(Math.random() * Math.min(size, 2 * wanted + 1));
    let added = 0;
    // Bounded: a full table's worth of misses means the iterator walks a table the database
    // no longer has (SWAPDB, FLUSHDB during a rewrite), so it is restarted.
    let budget = size + skip + wanted + 1;
    let restarts = 0;
    while (added < wanted && budget-- > 0) {
      const key = volatile ? this.nextExpiring(db, cursors) : this.nextKey(db, cursors);
      if (key === undefined) {
        if (++restarts > 2) break;
        continue;
      }
      const live = volatile ? db.getExpire(key) !== undefined : db.peek(key) !== undefined;
      if (!live) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      if (!into.includes(key)) {
        into.push(key);
        added++;
      }
    }
    return added;
  }

  /** Forgets every iterator (maxmemory cleared, or the policy changed). */
  reset(): void {
    this.cursors.clear();
  }

  private cursorsOf(db: Database): Cursors {
    let cursors = this.cursors.get(db);
    if (cursors === undefined) {
      cursors = { keys: undefined, expires: undefined };
      this.cursors.set(db, cursors);
    }
    return cursors;
  }

  /** The next key in rotation; undefined when the walk wrapped (the caller tries again). */
  private nextKey(db: Database, cursors: Cursors): string | undefined {
    const iterator = (cursors.keys ??= db.keys());
    const next = iterator.next();
    if (next.done === true) {
      cursors.keys = undefined;
      return undefined;
    }
    return next.value;
  }

  private nextExpiring(db: Database, cursors: Cursors): string | undefined {
    const iterator = (cursors.expires ??= db.expireEntries());
    const next = iterator.next();
    if (next.done === true) {
      cursors.expires = undefined;
      return undefined;
    }
    return next.value[0];
  }

  private armSweep(): void {
    if (this.sweepTimer !== undefined) return;
    const timer = setTimeout(() => {
      this.sweepTimer = undefined;
      if (Date.now() - this.lastUsed >= IDLE_LIMIT_MS) this.cursors.clear();
      else this.armSweep();
    }, IDLE_LIMIT_MS);
    if (typeof timer === "object" && typeof timer.unref === "function") timer.unref();
    this.sweepTimer = timer;
  }
}
