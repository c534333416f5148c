import type { Database } from "../keyspace/database.js";

/**
 * RANDOMKEY over a JS Map, which has no random access.
 *
 * Redis picks a bucket at random (dictGetFairRandomKey). Here each database keeps one
 * rotating iterator over its keys, and every call moves it forward by a random 1..MAX_STEP
 * entries, wrapping around at the end. Costs and guarantees:
 *
 * - O(MAX_STEP) per call, whatever the database size (Redis: O(1) amortized).
 * - Every key is returned with about the same long-run frequency, but consecutive calls
 *   return keys that are close in insertion order: successive answers are correlated.
 *   Redis's answers are independent. Nothing in Redis's contract promises independence,
 *   and uniform coverage is what RANDOMKEY's users (sampling, eviction-like tools) need.
 * - Like SCAN's walks, an idle iterator is dropped after IDLE_LIMIT_MS, so it cannot pin
 *   the obsolete tables V8 keeps for live iterators across rehashes (see scan-cursor.ts).
 */
const MAX_STEP = 64;
const IDLE_LIMIT_MS = 60_000;

interface Rotation {
  iterator: Iterator<string> | undefined;
  lastUsed: number;
  sweepTimer: ReturnType<typeof setTimeout> | undefined;
}

const rotations = new WeakMap<Database, Rotation>();

/**
 * A random live key of `db`, or undefined when it has none. Expired keys met on the way
 * are deleted (through the database's lazy expiry, so they are propagated and notified)
 * and the search goes on, as in Redis's dbRandomKey.
 */
export function randomKey(db: Database, now: number): string | undefined {
  let rotation = rotations.get(db);
  if (rotation === undefined) {
    rotation = { iterator: undefined, lastUsed: now, sweepTimer: undefined };
    rotations.set(db, rotation);
  }
  rotation.lastUsed = now;
  armSweep(rotation);
  for (;;) {
    const size = db.size;
    if (size === 0) return undefined;
    const key = advance(rotation, db, 1 + Math.floor(Math.random() * Math.min(size, MAX_STEP)));
    if (key === undefined) return undefined;
    // The iterator may still walk a table SWAPDB gave to another database: check membership.
    if (db.peek(key) === undefined) {
      rotation.iterator = undefined;
      continue;
    }
    if (db.expireIfNeeded(key)) continue;
    return key;
  }
}

/** Forgets the rotation of `db` (after SWAPDB, which gives it other contents). */
export function resetRandomKey(db: Database): void {
  const rotation = rotations.get(db);
  if (rotation !== undefined) rotation.iterator = undefined;
}

/** Moves `steps` entries forward, wrapping; undefined only when the table is empty. */
function advance(rotation: Rotation, db: Database, steps: number): string | undefined {
  let key: string | undefined;
  let freshEmpty = 0;
  while (steps > 0) {
    const iterator = (rotation.iterator ??= db.keys());
    const next = iterator.next();
    if (next.done === true) {
      rotation.iterator = undefined;
      // Two fresh iterators in a row with nothing in them: the table is empty.
      if (++freshEmpty === 2) return key;
      continue;
    }
    freshEmpty = 0;
    key = next.value;
    steps--;
  }
  return key;
}

function armSweep(rotation: Rotation): void {
  if (rotation.sweepTimer !== undefined) return;
  const timer = setTimeout(() => {
    rotation.sweepTimer = undefined;
    if (Date.now() - rotation.lastUsed >= IDLE_LIMIT_MS) rotation.iterator = undefined;
    else armSweep(rotation);
  }, IDLE_LIMIT_MS);
  if (typeof timer === "object" && typeof timer.unref === "function") timer.unref();
  rotation.sweepTimer = timer;
}
