import { performance } from "node:perf_hooks";
import type { Database } from "../keyspace/database.js";
import type { KeyTable, StoredStringBytes, TableCursor } from "../keyspace/key-table.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import type { SnapshotGuard, TableSlot } from "../keyspace/snapshot-guard.js";
import type { StoredValue } from "../keyspace/stored-value.js";
import { writeKeyImage } from "./dataset-snapshot.js";

/**
 * Receives the snapshot's commands, tagged with the database the key was in when the snapshot
 * began. Strings (most keys) come as their parts rather than as a SET argv: an array per key,
 * millions of times per rewrite, is garbage that V8 promotes and only a full GC returns, which
 * would grow the heap while the rewrite runs.
 */
export interface SnapshotSink {
  /** `SET key value`, with `PXAT expireAt` when the key has a TTL. */
  string(db: number, key: string, value: string, expireAt: number | undefined): void;
  /**
   * The same for a key the walk reached whose value is as the table keeps it: its bytes are
   * copied from there, valid only during the call. Most keys of a large dataset come this way,
   * so the walk makes no strings for them.
   */
  storedString(db: number, entry: StoredStringBytes, expireAt: number | undefined): void;
  command(db: number, argv: readonly string[]): void;
}

/** A string key's image taken just before it changed (strings are immutable: keeping the reference is enough). */
interface StringImage {
  value: string;
  expireAt: number | undefined;
}
/** The key's image is already in the output (a collection written before it was changed). */
const WRITTEN = 0;
type PreImage = StringImage | typeof WRITTEN;

interface StepBudget {
  /** performance.now() time to stop at. */
  readonly until: number;
  entries: number;
}

/** Each snapshot stamps the collections it has written with its own number. */
let lastEpoch = 0;

/**
 * A point-in-time image of the whole keyspace, written out a slice at a time between
 * event-loop turns while clients keep changing the data — Node cannot fork, and copying the
 * dataset would double its memory, so this follows Dragonfly's and Valkey's forkless
 * snapshots instead: walk the tables in place, and when a key the walk has not written yet
 * is about to change, write its old image first.
 *
 * Invariant: every key present at the start is written exactly once, with the value and TTL
 * it had at the start; nothing created later is written. How each case gets there:
 * - The walk only visits the entries each table held at the start (while it walks, the table
 *   gives new keys slots past them), and deletions leave tombstones so those places stay put.
 * - A string about to change is remembered (its old string, no copy); the walk writes the
 *   remembered image when it reaches the key. If the walk had already passed it, the memory
 *   is simply never used.
 * - A collection (changed in place) is written before it is handed out or replaced, unless
 *   it carries this snapshot's stamp; the walk stamps what it writes and skips stamped values;
 *   values stored after the start are stamped at once, so they are never written.
 * - FLUSHDB/FLUSHALL hand the old tables to the walk alone; SWAPDB moves a walk with its table.
 */
export class LiveSnapshot {
  readonly startedAt: number;
  private readonly walks: TableWalk[] = [];
  private current = 0;
  private readonly keyspace: Keyspace;
  private ended = false;
  readonly epoch = ++lastEpoch;
  /** Keys written so far (walked or written ahead of a change). */
  keysWritten = 0;

  constructor(keyspace: Keyspace, sink: SnapshotSink, now = Date.now()) {
    this.keyspace = keyspace;
    this.startedAt = now;
    for (const db of keyspace.databases) {
      if (db.size === 0) continue;
      this.walks.push(new TableWalk(this, db, sink));
    }
  }

  get done(): boolean {
    return this.current >= this.walks.length;
  }

  /**
   * Walks on for about `budgetMs` of wall time, or `maxEntries` table entries if that comes
   * first; returns true once every table is written. Time is checked every 8 keys: a
   * single huge collection still goes in one piece.
   */
  step(budgetMs: number, maxEntries = Number.POSITIVE_INFINITY): boolean {
    if (this.ended) throw new Error("the snapshot has ended");
    const budget = { until: performance.now() + budgetMs, entries: maxEntries };
    while (this.current < this.walks.length) {
      if (!this.walks[this.current]!.walk(budget)) return false;
      this.current++;
    }
    return true;
  }

  /** Walks to the end without yielding (small datasets, the CLI, tests). */
  runToEnd(): void {
    this.step(Number.POSITIVE_INFINITY);
  }

  /**
   * Detaches from the databases and removes the tombstones — after the last step, or to give
   * up part way (the rewrite failed or the AOF was closed). Idempotent.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.current = this.walks.length;
    for (const walk of this.walks) walk.finish(this.keyspace.databases);
  }
}

/** One table's walk: the cursor, the images remembered for it, and its tombstones. */
class TableWalk implements SnapshotGuard {
  readonly tombstoned = new Set<string>();
  private readonly preImages = new Map<string, PreImage>();
  private readonly snapshot: LiveSnapshot;
  private readonly dbIndex: number;
  private readonly values: KeyTable<TableSlot>;
  private readonly expires: KeyTable<number>;
  private readonly cursor: TableCursor<TableSlot>;
  private readonly sink: SnapshotSink;
  private walked = false;
  private attached = true;

  constructor(snapshot: LiveSnapshot, db: Database, sink: SnapshotSink) {
    this.snapshot = snapshot;
    this.dbIndex = db.index;
    this.sink = sink;
    const tables = db.attachSnapshot(this);
    this.values = tables.values;
    this.expires = tables.expires;
    this.cursor = tables.values.cursorOverPresentKeys();
  }

  beforeChange(key: string): void {
    if (this.walked || this.preImages.has(key)) return;
    const value = this.values.get(key);
    // Absent: created after the start. A tombstone always has its image remembered already.
    if (value === undefined || typeof value === "symbol") return;
    if (typeof value === "string") {
      this.preImages.set(key, { value, expireAt: this.expires.get(key) });
      this.values.markForWalk(key);
      return;
    }
    if (value.snapshotEpoch === this.snapshot.epoch) return;
    value.snapshotEpoch = this.snapshot.epoch;
    this.preImages.set(key, WRITTEN);
    this.values.markForWalk(key);
    this.write(key, value, this.expires.get(key));
  }

  stored(key: string, value: StoredValue): void {
    if (this.tombstoned.size !== 0) this.tombstoned.delete(key);
    if (typeof value !== "string") value.snapshotEpoch = this.snapshot.epoch;
  }

  detached(): void {
    this.attached = false;
  }

  /** Writes entries until done (true) or the budget is spent (false). */
  walk(budget: StepBudget): boolean {
    const cursor = this.cursor;
    const preImages = this.preImages;
    const epoch = this.snapshot.epoch;
    for (let n = 1; ; n++) {
      if (budget.entries-- <= 0) return false;
      if (!cursor.advance()) {
        this.walked = true;
        preImages.clear();
        return true;
      }
      // The key is made a string only when something needs it as one: every key with an image
      // remembered was marked in the table when it was remembered.
      let key: string | undefined;
      if (preImages.size !== 0 && cursor.takeMark()) {
        key = cursor.key();
        const image = preImages.get(key);
        if (image !== undefined) {
          preImages.delete(key);
          if (image !== WRITTEN) this.write(key, image.value, image.expireAt);
          continue;
        }
      }
      if (cursor.holdsStoredString()) {
        const expireAt = this.expires.size === 0 ? undefined : this.expires.get((key ??= cursor.key()));
        if (this.counts(expireAt)) this.sink.storedString(this.dbIndex, cursor, expireAt);
      } else {
        const slot = cursor.currentValue()!;
        if (typeof slot === "symbol") continue;
        if (typeof slot !== "string") {
          if (slot.snapshotEpoch === epoch) continue;
          slot.snapshotEpoch = epoch;
        }
        key ??= cursor.key();
        this.write(key, slot, this.expires.get(key));
      }
      // Every 8 keys: until TurboFan has compiled the walk (the first ~80 ms of a rewrite), 64
      // interpreted keys took about 1 ms, so each 0.25 ms slice ran four times over.
      if ((n & 7) === 0 && performance.now() >= budget.until) return false;
    }
  }

  finish(databases: readonly Database[]): void {
    this.walked = true;
    this.cursor.release();
    this.preImages.clear();
    if (this.attached) {
      for (const db of databases) if (db.detachSnapshot(this)) break;
    }
    this.tombstoned.clear();
  }

  private write(key: string, value: StoredValue, expireAt: number | undefined): void {
    if (!this.counts(expireAt)) return;
    const db = this.dbIndex;
    if (typeof value === "string") this.sink.string(db, key, value, expireAt);
    else writeKeyImage(key, value, expireAt, (argv) => this.sink.command(db, argv));
  }

  /** Whether a key with this TTL goes in the image (counted if so): keys already past their TTL at the start are left out, as in Redis's rewrite. */
  private counts(expireAt: number | undefined): boolean {
    if (expireAt !== undefined && expireAt <= this.snapshot.startedAt) return false;
    this.snapshot.keysWritten++;
    return true;
  }
}
