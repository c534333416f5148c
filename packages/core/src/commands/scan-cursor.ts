/**
 * Cursors for SCAN (and for any other incremental walk over a JS Map: HSCAN, SSCAN, ZSCAN).
 *
 * Redis's cursor is a position in its hash table, reverse-binary incremented so that a
 * rehash never skips a bucket. A JS Map has no positions, but its iterators give the same
 * guarantee for free: an iterator visits once every entry present from its creation to its
 * end, whatever is inserted, deleted or rehashed meanwhile. So a cursor here names a live
 * iterator, kept between calls in a small per-table registry:
 *
 * - Cursor numbers are handed out monotonically (never 0, which means "start" and "done"),
 *   and every call issues a fresh number. Replaying an old cursor (a client retrying after a
 *   lost reply) therefore restarts the walk instead of silently skipping the lost batch.
 * - An unknown number — never issued, evicted, or from before a restart — also restarts the
 *   walk from the beginning. Redis accepts any number too; the only cost is duplicates,
 *   which SCAN's contract allows.
 * - At most `capacity` walks stay live per table; past that the least recently used is
 *   dropped (its client restarts if it ever comes back).
 * - Walks idle longer than `idleLimitMs` are dropped by an unref'd timer. This matters for
 *   memory, not semantics: V8 keeps every table a Map has outgrown alive for as long as an
 *   iterator created before the rehash exists, so an abandoned `SCAN 0` on a churning
 *   keyspace would otherwise pin one obsolete table per rehash, forever.
 */

/** One suspended walk: the iterator and the entry read ahead to learn whether it had ended. */
export interface ScanWalk<T> {
  readonly iterator: Iterator<T>;
  /** Read ahead, not yet returned; undefined when none. */
  pending: T | undefined;
  lastUsed: number;
}

export class ScanCursorRegistry<T> {
  private readonly walks = new Map<number, ScanWalk<T>>(); // insertion order is recency
  /**
   * Starts at a random point so that a cursor from another process (kept across a restart)
   * or from another database is unlikely to name a live walk and resume someone else's.
   */
  private nextCursor = 1 + Math.floor(Math.random() * 0x7fffffff);
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly capacity = 1024,
    readonly idleLimitMs = 5 * 60 * 1000,
  ) {}

  get size(): number {
    return this.walks.size;
  }

  /** Removes and returns the walk a cursor names; undefined for 0 or an unknown cursor. */
  take(cursor: number): ScanWalk<T> | undefined {
    const walk = this.walks.get(cursor);
    if (walk !== undefined) this.walks.delete(cursor);
    return walk;
  }

  /** Keeps a walk for a later call and returns the cursor that names it. */
  park(walk: ScanWalk<T>, now: number): number {
    const cursor = this.nextCursor;
    this.nextCursor = cursor >= Number.MAX_SAFE_INTEGER ? 1 : cursor + 1;
    walk.lastUsed = now;
    this.walks.set(cursor, walk);
    if (this.walks.size > this.capacity) {
      const oldest = this.walks.keys().next();
      if (oldest.done !== true) this.walks.delete(oldest.value);
    }
    this.armSweep();
    return cursor;
  }

  /** Forgets every walk (SWAPDB: the walks followed tables that now belong to another database). */
  clear(): void {
    this.walks.clear();
  }

  /** Drops walks unused since before `now - idleLimitMs`; returns how many remain. */
  sweep(now: number): number {
    for (const [cursor, walk] of this.walks) {
      if (now - walk.lastUsed < this.idleLimitMs) break; // recency order: the rest are younger
      this.walks.delete(cursor);
    }
    return this.walks.size;
  }

  private armSweep(): void {
    if (this.sweepTimer !== undefined) return;
    const timer = setTimeout(() => {
      this.sweepTimer = undefined;
      if (this.sweep(Date.now()) > 0) this.armSweep();
    }, this.idleLimitMs);
    // Never keeps the process alive; a pending sweep is worth nothing at exit.
    if (typeof timer === "object" && typeof timer.unref === "function") timer.unref();
    this.sweepTimer = timer;
  }
}

/** Marks a syntactically valid cursor too large to have been issued here (it restarts the walk). */
export const FOREIGN_CURSOR = Number.POSITIVE_INFINITY;

const ULONG_MAX = 18446744073709551615n;

/**
 * Parses a cursor as Redis's parseScanCursorOrReply does with strtoul: an optional sign and
 * decimal digits, nothing after them, no leading whitespace, at most ULONG_MAX in magnitude.
 * strtoul's quirks are kept: "" is 0, "-n" wraps to 2^64-n, "+5" is 5. Returns undefined
 * for "ERR invalid cursor"; cursors beyond what this server issues map to FOREIGN_CURSOR.
 */
export function parseScanCursor(text: string): number | undefined {
  const length = text.length;
  if (length === 0) return 0;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 0x2b || first === 0x2d) {
    negative = first === 0x2d;
    i = 1;
  }
  if (i === length) return undefined; // a sign alone: strtoul converts nothing
  let value = 0;
  for (let j = i; j < length; j++) {
    const c = text.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10 + (c - 0x30);
  }
  if (value <= Number.MAX_SAFE_INTEGER) {
    if (!negative || value === 0) return value;
    return FOREIGN_CURSOR; // 2^64 - value
  }
  const magnitude = BigInt(i === 0 ? text : text.slice(i));
  if (magnitude > ULONG_MAX) return undefined;
  const wrapped = negative ? (ULONG_MAX + 1n - magnitude) % (ULONG_MAX + 1n) : magnitude;
  return wrapped <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wrapped) : FOREIGN_CURSOR;
}

/**
 * Advances a walk by up to `count` entries (COUNT bounds the work, as in Redis, not the
 * number of results), reading one entry ahead so the call that reaches the end already
 * reports cursor 0. `stillPresent` screens the read-ahead entry, which may have been
 * deleted since the previous call. Returns whether the walk ended.
 */
export function advanceWalk<T>(walk: ScanWalk<T>, count: number, out: T[], stillPresent: (entry: T) => boolean): boolean {
  const pending = walk.pending;
  let taken = 0;
  if (pending !== undefined) {
    walk.pending = undefined;
    taken = 1;
    if (stillPresent(pending)) out.push(pending);
  }
  const iterator = walk.iterator;
  for (; taken < count; taken++) {
    const next = iterator.next();
    if (next.done === true) return true;
    out.push(next.value);
  }
  const next = iterator.next();
  if (next.done === true) return true;
  walk.pending = next.value;
  return false;
}
