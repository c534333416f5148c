/**
 * What a key holds. Strings are latin1 JS strings (binary safe, one char per byte): a V8
 * one-byte string costs about a third of a Buffer and needs no conversion to hash or compare.
 * Other data types are objects carrying their Redis type name; later issues add them here.
 */
export interface TypedValue {
  readonly type: "list" | "set" | "zset" | "hash" | "stream";
  /** OBJECT ENCODING's answer as Redis 7.0 would give it (listpack, quicklist, intset...). */
  objectEncoding?(): string;
  /** An independent deep copy, for COPY (Redis's per-type dup in copyCommand). */
  duplicate?(): TypedValue;
  /**
   * Commands that recreate this value under `key` from nothing (the AOF rewrite's base
   * file), e.g. RPUSH in batches. The TTL is written separately by the caller.
   */
  rewriteCommands(key: string): Iterable<string[]>;
  /**
   * The AOF rewrite that already has this value's image (see LiveSnapshot). Kept on the value
   * because a live rewrite must know, when a collection is about to change in place, whether its
   * point-in-time image was already written; a side set would cost a table entry per key.
   */
  snapshotEpoch: number;
}

export type StoredValue = string | TypedValue;

export function typeName(value: StoredValue): string {
  return typeof value === "string" ? "string" : value.type;
}
