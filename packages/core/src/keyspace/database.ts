import { KeyTable } from "./key-table.js";
import type { StoredValue, TypedValue } from "./stored-value.js";
import { TOMBSTONE, type SnapshotGuard, type TableSlot } from "./snapshot-guard.js";

/** Hooks the keyspace calls out through; the engine wires them to propagation and notifications. */
export interface DatabaseEvents {
  /** A key was found expired and removed (lazily or by the active cycle). */
  expired(db: Database, key: string): void;
  /** A list, set, zset, hash or stream was stored under `key` (blocked clients may be waiting for it). */
  typedValueStored?(db: Database, key: string, value: TypedValue): void;
}

/**
 * One of the numbered databases. Like Redis, values and expiry times live in two tables:
 * most keys have no TTL, so they pay nothing for the feature.
 */
export class Database {
  readonly index: number;
  private values = new KeyTable<TableSlot>();
  private expires = new KeyTable<number>();
  /**
   * Set while an AOF rewrite is walking this database's table (see LiveSnapshot): every
   * change, and every hand-out of a collection that may then change in place, is announced
   * to it first so it can write the key's point-in-time image before it is lost. Deletions
   * leave tombstones meanwhile, so the walk's place in the table stays valid.
   */
  private guard: SnapshotGuard | undefined;
  /**
   * String encodings that the value alone does not determine, because Redis picked them by
   * how the value was made: "raw" after APPEND/SETRANGE (changed in place), "embstr" for
   * INCRBYFLOAT's result even when it looks like an integer, "int" (unshared) for a COPY of
   * an integer. Absent keys get the encoding their content implies (see OBJECT ENCODING).
   */
  encodingPins = new Map<string, PinnedEncoding>();
  private readonly clock: DatabaseClock;
  private readonly events: DatabaseEvents;
  /** Persistent cursor of the active expire cycle over `expires`, so each cycle resumes where the last stopped. */
  private expireCursor: Iterator<[string, number]> | undefined;

  constructor(index: number, clock: DatabaseClock, events: DatabaseEvents) {
    this.index = index;
    this.clock = clock;
    this.events = events;
  }

  get size(): number {
    const guard = this.guard;
    return guard === undefined ? this.values.size : this.values.size - guard.tombstoned.size;
  }

  get expiresSize(): number {
    return this.expires.size;
  }

  /** Looks a key up, deleting it first if its TTL has passed (lazy expiry). */
  get(key: string): StoredValue | undefined {
    const value = this.values.get(key);
    if (value === undefined || typeof value === "symbol") return undefined;
    // A collection handed out may be changed in place by the caller: its image goes first.
    if (this.guard !== undefined && typeof value !== "string") this.guard.beforeChange(key);
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return value;
  }

  /** Looks a key up without expiring it or touching anything (for DEBUG, the rewrite, tests). */
  peek(key: string): StoredValue | undefined {
    const value = this.values.get(key);
    return typeof value === "symbol" ? undefined : value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets a value and clears any TTL (SET semantics without KEEPTTL). */
  set(key: string, value: StoredValue): void {
    const guard = this.guard;
    if (guard !== undefined) {
      guard.beforeChange(key);
      guard.stored(key, value);
    }
    this.values.set(key, value);
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.encodingPins.size !== 0) this.encodingPins.delete(key);
    if (typeof value !== "string") this.events.typedValueStored?.(this, key, value);
  }

  /** Replaces the value of a live key, keeping its TTL (KEEPTTL, APPEND, INCR...). */
  overwrite(key: string, value: StoredValue): void {
    const guard = this.guard;
    if (guard !== undefined) {
      guard.beforeChange(key);
      guard.stored(key, value);
    }
    this.values.set(key, value);
    if (this.encodingPins.size !== 0) this.encodingPins.delete(key);
  }

  delete(key: string): boolean {
    const guard = this.guard;
    if (guard !== undefined) {
      const value = this.values.get(key);
      if (value === undefined || typeof value === "symbol") return false;
      guard.beforeChange(key);
      this.values.set(key, TOMBSTONE);
      guard.tombstoned.add(key);
    } else if (!this.values.delete(key)) {
      return false;
    }
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.encodingPins.size !== 0) this.encodingPins.delete(key);
    return true;
  }

  /** Absolute expiry in unix ms, or undefined when the key has no TTL. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, unixMs: number): void {
    this.guard?.beforeChange(key);
    // Deadlines near LLONG_MAX round up to 2^63 as doubles, which is no valid int64: keep the
    // stored value printable (the AOF rewrite writes it as PXAT) at the largest double below.
    this.expires.set(key, unixMs > MAX_STORED_DEADLINE ? MAX_STORED_DEADLINE : unixMs);
  }

  removeExpire(key: string): boolean {
    if (this.expires.size === 0) return false;
    this.guard?.beforeChange(key);
    return this.expires.delete(key);
  }

  swapContents(other: Database): void {
    [this.values, other.values] = [other.values, this.values];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.encodingPins, other.encodingPins] = [other.encodingPins, this.encodingPins];
    // A walk follows its table: it still writes those keys under the database they had when it began.
    [this.guard, other.guard] = [other.guard, this.guard];
    this.expireCursor = undefined;
    other.expireCursor = undefined;
  }

  /** Every key with a TTL and its unix-ms deadline. */
  expireEntries(): IterableIterator<[string, number]> {
    return this.expires.entries();
  }

  clear(): number {
    const removed = this.size;
    if (this.guard !== undefined) {
      // The walk keeps the old tables to itself (nothing changes them any more); the database
      // starts over with empty ones, as a FLUSHDB during Redis's forked rewrite leaves the child's copy.
      this.guard.detached();
      this.guard = undefined;
      this.values = new KeyTable<TableSlot>();
      this.expires = new KeyTable<number>();
    } else {
      this.values.clear();
      this.expires.clear();
    }
    this.encodingPins.clear();
    this.expireCursor = undefined;
    return removed;
  }

  /** All keys, including logically expired ones not yet reclaimed; callers filter with isExpired. */
  keys(): IterableIterator<string> {
    return this.guard === undefined ? this.values.keys() : liveKeys(this.values.entries());
  }

  entries(): IterableIterator<[string, StoredValue]> {
    const entries = this.values.entries();
    return this.guard === undefined ? (entries as IterableIterator<[string, StoredValue]>) : liveEntries(entries);
  }

  /**
   * Hands the tables to a snapshot walk: from now on changes are announced to `guard`. Returns
   * the tables as they are at this instant, which is what the walk must write out.
   */
  attachSnapshot(guard: SnapshotGuard): { values: KeyTable<TableSlot>; expires: KeyTable<number> } {
    if (this.guard !== undefined) throw new Error("a snapshot is already walking this database");
    this.guard = guard;
    return { values: this.values, expires: this.expires };
  }

  /** Ends the walk attached to this database (if `guard` still is), removing its tombstones. */
  detachSnapshot(guard: SnapshotGuard): boolean {
    if (this.guard !== guard) return false;
    for (const key of guard.tombstoned) if (typeof this.values.get(key) === "symbol") this.values.delete(key);
    this.guard = undefined;
    return true;
  }

  isExpired(key: string): boolean {
    if (this.expires.size === 0) return false;
    const when = this.expires.get(key);
    return when !== undefined && when <= this.clock.now();
  }

  /** Deletes the key if expired. Returns true when it was (and so is now gone). */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined || !this.clock.expiryEnabled() || when > this.clock.now()) return false;
    this.delete(key);
    this.events.expired(this, key);
    return true;
  }

  /**
   * One step of the active expiry cycle: examines up to `budget` keys with a TTL, resuming
   * where the previous step stopped, and deletes the expired ones. Returns [examined, expired]
   * so the caller can, like Redis, keep going while a large share of samples were expired.
   */
  activeExpireStep(budget: number): [number, number] {
    if (this.expires.size === 0 || !this.clock.expiryEnabled()) return [0, 0];
    const now = this.clock.now();
    let examined = 0;
    let expired = 0;
    let cursor: Iterator<[string, number]> | undefined = this.expireCursor ?? this.expires.entries();
    while (examined < budget) {
      const next = cursor.next();
      if (next.done === true) {
        cursor = undefined; // a full pass is done; the next step starts over
        break;
      }
      examined++;
      const [key, when] = next.value;
      if (when <= now) {
        expired++;
        this.delete(key);
        this.events.expired(this, key);
      }
    }
    this.expireCursor = cursor;
    return [examined, expired];
  }
}

/** The largest double below 2^63: every stored deadline prints as a valid 64-bit integer. */
const MAX_STORED_DEADLINE = 9223372036854774784;

export type PinnedEncoding = "raw" | "embstr" | "int";

export interface DatabaseClock {
  /** Cached command time in unix ms (Redis evaluates a whole command against one clock reading). */
  now(): number;
  /** False while loading the AOF, and when DEBUG SET-ACTIVE-EXPIRE 0 only affects the active cycle. */
  expiryEnabled(): boolean;
}

function* liveKeys(entries: IterableIterator<[string, TableSlot]>): IterableIterator<string> {
  for (const [key, value] of entries) if (typeof value !== "symbol") yield key;
}

function* liveEntries(entries: IterableIterator<[string, TableSlot]>): IterableIterator<[string, StoredValue]> {
  for (const entry of entries) if (typeof entry[1] !== "symbol") yield entry as [string, StoredValue];
}
