import type { StoredValue } from "./stored-value.js";

/** Marks a key deleted while a snapshot walks its table (removed for real when the walk ends). */
export const TOMBSTONE: unique symbol = Symbol("deleted during an AOF rewrite");
export type Tombstone = typeof TOMBSTONE;
export type TableSlot = StoredValue | Tombstone;

/** What a database tells the AOF rewrite walking its table (implemented by LiveSnapshot's table walk). */
export interface SnapshotGuard {
  /** Keys turned into tombstones during the walk: not counted as keys, removed when it ends. */
  readonly tombstoned: Set<string>;
  /** `key`'s value or TTL is about to change, or a collection is being handed out to be changed in place. */
  beforeChange(key: string): void;
  /** `value` was stored under `key` during the walk: it is not part of the image being written. */
  stored(key: string, value: StoredValue): void;
  /** The database dropped these tables (FLUSHDB/FLUSHALL); the walk goes on over them alone. */
  detached(): void;
}
