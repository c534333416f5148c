import { Database, type DatabaseClock, type DatabaseEvents } from "./database.js";

/** The numbered databases plus the clock they share. */
export class Keyspace implements DatabaseClock {
  readonly databases: Database[];
  /** Cached unix ms for the command being executed; see DatabaseClock.now. */
  commandTime = Date.now();
  /** Off while the AOF is replayed: a key that expired while the server was down is still loaded, then expires normally. */
  lazyExpiry = true;

  constructor(count: number, events: DatabaseEvents) {
    this.databases = [];
    for (let i = 0; i < count; i++) this.databases.push(new Database(i, this, events));
  }

  now(): number {
    return this.commandTime;
  }

  expiryEnabled(): boolean {
    return this.lazyExpiry;
  }

  db(index: number): Database {
    const db = this.databases[index];
    if (db === undefined) throw new RangeError(`no database ${index}`);
    return db;
  }

  get count(): number {
    return this.databases.length;
  }

  totalKeys(): number {
    let total = 0;
    for (const db of this.databases) total += db.size;
    return total;
  }

  flushAll(): number {
    let removed = 0;
    for (const db of this.databases) removed += db.clear();
    return removed;
  }

  /**
   * SWAPDB: exchanges the contents, not the Database objects, so that clients holding a
   * reference to "database 3" now see what used to be database 5, as in Redis.
   */
  swap(a: number, b: number): void {
    if (a === b) return;
    const first = this.db(a);
    const second = this.db(b);
    first.swapContents(second);
  }
}
