import type { Database } from "../keyspace/database.js";

/*
 * Per-key access data for the LRU and LFU policies and OBJECT IDLETIME/FREQ (Redis's evict.c
 * clock and counter, which Redis keeps in the 24 bits of `robj.lru`).
 *
 * Redis hangs this on every object header. kv stores strings as bare JS strings, so there is
 * nothing to hang it on: it lives in a side table per database, only while an LRU or LFU
 * policy is selected. Values are Redis's LFU word (a Smi) or the access time in ms (see
 * idleMsSince). The table is a Map from key to slot plus two arrays (keys, values), so
 * eviction can draw uniformly random keys in O(1): Redis samples random hash buckets, but a Map's only
 * order is insertion order, which correlates with age, and consecutive samples from it kept
 * evicting the hot keys (measured: 25 of 2000 hot keys survived; see max-memory.ts). Measured
 * with Node 20: ~53 bytes per key (a 10-byte key holding a 100-byte string costs ~189).
 *
 * Keys without an entry (they existed before tracking began, or SWAPDB moved them) read as
 * last touched when tracking began, with LFU_INIT_VAL. Entries of deleted keys are dropped
 * when eviction evicts or samples them, or in one sweep once the
 * table has grown to twice the database's keys (amortized O(1) per insertion), since the
 * keyspace has no deletion hook.
 */

/** LFU_INIT_VAL: new keys start here so they are not evicted before they can be used. */
export const LFU_INIT_VAL = 5;
/** Entries beyond this over twice the live keys trigger a sweep of deleted keys' entries. */
const SWEEP_SLACK = 1024;

export type AccessMode = "none" | "lru" | "lfu";

export interface LfuSettings {
  logFactor: number;
  decayTime: number;
}

/**
 * The LRU "clock" is the access time in unix ms, where Redis keeps 24 bits of seconds. With
 * one-second ticks (and also with 100 ms ticks, tried) a cache that kv turns over within a
 * tick holds only ties, and the hot keys went as often as cold ones (measured: 0 of 200 hot
 * keys left, as redis-server itself gives in the same test). The values sit in a plain number
 * array, which V8 stores as unboxed doubles, so exact times cost nothing extra.
 */
export function idleMsSince(accessedAt: number, unixMs: number): number {
  return Math.max(0, unixMs - accessedAt);
}

/** LFUGetTimeInMinutes: 16 bits of minutes. */
function lfuMinutes(unixMs: number): number {
  return Math.floor(unixMs / 60_000) & 0xffff;
}

/** LFUDecrAndReturn: the counter lowered by one per `decayTime` minutes since the last access. */
export function lfuDecayedCounter(stored: number, unixMs: number, decayTime: number): number {
  const lastMinutes = stored >>> 8;
  const counter = stored & 255;
  if (decayTime === 0) return counter;
  const now = lfuMinutes(unixMs);
  const elapsed = now >= lastMinutes ? now - lastMinutes : 65535 - lastMinutes + now;
  const periods = Math.floor(elapsed / decayTime);
  return periods > counter ? 0 : counter - periods;
}

/** LFULogIncr: the higher the counter, the less likely an access raises it. */
export function lfuLogIncrement(counter: number, logFactor: number, random: () => number): number {
  if (counter === 255) return 255;
  const baseval = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1 / (baseval * logFactor + 1);
  return random() < p ? counter + 1 : counter;
}

function lfuPacked(unixMs: number, counter: number): number {
  return (lfuMinutes(unixMs) << 8) | counter;
}

/** Key → slot, with the slots' keys and values in arrays for O(1) random picks and swap-removal. */
class AccessTable {
  readonly slots = new Map<string, number>();
  readonly keys: string[] = [];
  readonly values: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  get(key: string): number | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.values[slot];
  }

  set(key: string, value: number): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.values[slot] = value;
      return;
    }
    this.slots.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    const last = this.keys.length - 1;
    if (slot !== last) {
      const moved = this.keys[last]!;
      this.keys[slot] = moved;
      this.values[slot] = this.values[last]!;
      this.slots.set(moved, slot);
    }
    this.keys.pop();
    this.values.pop();
    this.slots.delete(key);
  }
}

export class AccessTracker {
  mode: AccessMode = "none";
  readonly lfu: LfuSettings = { logFactor: 10, decayTime: 1 };
  /** LFULogIncr's coin and the sampler's picks; tests make them deterministic. */
  random: () => number = Math.random;
  private readonly tables = new Map<Database, AccessTable>();
  /** What a key without an entry reads as (the clock, or the packed LFU word, when tracking began). */
  private untrackedValue = 0;
  /** The table of the database last touched: most commands stay in one. */
  private lastDb: Database | undefined;
  private lastTable: AccessTable | undefined;

  /** Switches policy family; entries of the other family would be misread, so they go. */
  setMode(mode: AccessMode, unixMs: number): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.tables.clear();
    this.lastTable = undefined;
    this.untrackedValue = mode === "lfu" ? lfuPacked(unixMs, LFU_INIT_VAL) : unixMs;
  }

  /**
   * A command used `key` (Redis's lookupKey updating the object's LRU/LFU field; a key the
   * command created starts fresh, as createObject sets it).
   */
  touch(db: Database, key: string, unixMs: number): void {
    const table = this.tableOf(db);
    const slot = table.slots.get(key);
    if (slot !== undefined) {
      // A key the command deleted keeps its entry until a sample or a sweep meets it: checking
      // the keyspace here would cost a second hash lookup on every access.
      const values = table.values;
      values[slot] = this.mode === "lru" ? unixMs : this.lfuAccessed(values[slot]!, unixMs);
      return;
    }
    if (db.peek(key) === undefined) return;
    table.set(key, this.mode === "lru" ? unixMs : lfuPacked(unixMs, LFU_INIT_VAL));
    if (table.size > 2 * db.size + SWEEP_SLACK) this.sweep(db, table);
  }

  /** updateLFU: decay, then the logarithmic increment. */
  private lfuAccessed(stored: number, unixMs: number): number {
    const counter = lfuLogIncrement(lfuDecayedCounter(stored, unixMs, this.lfu.decayTime), this.lfu.logFactor, this.random);
    return lfuPacked(unixMs, counter);
  }

  /** A key met outside commands (an eviction sample): tracked from now on as untouched since tracking began. */
  adopt(db: Database, key: string): void {
    const table = this.tableOf(db);
    if (table.get(key) === undefined) table.set(key, this.untrackedValue);
  }

  forget(db: Database, key: string): void {
    this.tables.get(db)?.delete(key);
  }

  /** Appends up to `count` uniformly random tracked live keys of `db` (duplicates possible, as in Redis). */
  sample(db: Database, count: number, into: string[]): void {
    const table = this.tables.get(db);
    if (table === undefined) return;
    // Misses (entries of deleted keys) are removed as they are met, within a bounded number of tries.
    for (let tries = 0; tries < 4 * count && into.length < count && table.size !== 0; tries++) {
      const key = table.keys[Math.floor(this.random() * table.size)]!;
      if (db.peek(key) === undefined) table.delete(key);
      else into.push(key);
    }
  }

  /** OBJECT IDLETIME's answer in ms (LRU mode). */
  idleMs(db: Database, key: string, unixMs: number): number {
    return idleMsSince(this.stored(db, key), unixMs);
  }

  /** OBJECT FREQ's answer (LFU mode). */
  frequency(db: Database, key: string, unixMs: number): number {
    return lfuDecayedCounter(this.stored(db, key), unixMs, this.lfu.decayTime);
  }

  /** Entries held, for tests. */
  get entryCount(): number {
    let total = 0;
    for (const table of this.tables.values()) total += table.size;
    return total;
  }

  private stored(db: Database, key: string): number {
    return this.tables.get(db)?.get(key) ?? this.untrackedValue;
  }

  private tableOf(db: Database): AccessTable {
    if (db === this.lastDb && this.lastTable !== undefined) return this.lastTable;
    let table = this.tables.get(db);
    if (table === undefined) {
      table = new AccessTable();
      this.tables.set(db, table);
    }
    this.lastDb = db;
    this.lastTable = table;
    return table;
  }

  private sweep(db: Database, table: AccessTable): void {
    for (const key of [...table.keys]) if (db.peek(key) === undefined) table.delete(key);
  }
}
