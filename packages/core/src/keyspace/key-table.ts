/**
 * A string-keyed table that can hold more entries than one V8 Map (2^24, about 16.7M).
 *
 * Why spill instead of hashing keys into N shards: with one Map (the overwhelmingly common
 * case) every operation is a single native Map call, with no JS-side hashing of the key.
 * Only past SPILL_THRESHOLD entries does a second Map appear, and only then do misses cost
 * one lookup per Map (4 Maps hold 50M+ keys).
 *
 * Iteration follows Map semantics across all parts: entries present for the whole walk are
 * visited exactly once, entries deleted before being reached are skipped, and entries added
 * during the walk may or may not be seen. SCAN's guarantee rests on this.
 */
const SPILL_THRESHOLD = 1 << 23;

export class KeyTable<V> {
  private readonly parts: Map<string, V>[] = [new Map<string, V>()];
  private readonly partCapacity: number;

  constructor(partCapacity = SPILL_THRESHOLD) {
    this.partCapacity = partCapacity;
  }

  get size(): number {
    const parts = this.parts;
    if (parts.length === 1) return parts[0]!.size;
    let total = 0;
    for (const part of parts) total += part.size;
    return total;
  }

  get(key: string): V | undefined {
    const parts = this.parts;
    const value = parts[0]!.get(key);
    if (value !== undefined || parts.length === 1) return value;
    for (let i = 1; i < parts.length; i++) {
      const v = parts[i]!.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    const parts = this.parts;
    const first = parts[0]!;
    if (parts.length === 1 && first.size < this.partCapacity) {
      first.set(key, value);
      return;
    }
    for (const part of parts) {
      if (part.has(key)) {
        part.set(key, value);
        return;
      }
    }
    for (const part of parts) {
      if (part.size < this.partCapacity) {
        part.set(key, value);
        return;
      }
    }
    parts.push(new Map<string, V>([[key, value]]));
  }

  delete(key: string): boolean {
    const parts = this.parts;
    if (parts[0]!.delete(key)) return true;
    for (let i = 1; i < parts.length; i++) {
      if (parts[i]!.delete(key)) {
        if (parts[i]!.size === 0 && i === parts.length - 1) parts.pop();
        return true;
      }
    }
    return false;
  }

  clear(): void {
    // Map.prototype.clear (rather than a fresh Map) ends live iterators, so a SCAN that
    // straddles FLUSHDB sees the empty table as Redis's does.
    for (const part of this.parts) part.clear();
    this.parts.length = 1;
  }

  *keys(): IterableIterator<string> {
    for (const part of this.parts) yield* part.keys();
  }

  *entries(): IterableIterator<[string, V]> {
    for (const part of this.parts) yield* part.entries();
  }

  /**
   * A cursor over the keys present now, for a walk that spans many event-loop turns while
   * writes go on: each part yields only as many keys as it holds now. A Map keeps insertion
   * order and an overwrite keeps an entry's place, so keys added later sit after that many
   * and are never reached. Valid only while nothing is deleted from the table before the walk
   * ends (the live snapshot turns deletions into tombstones for that reason).
   */
  cursorOverPresentKeys(): TableCursor<V> {
    return new TableCursor(this.parts.map((part) => ({ part, count: part.size })));
  }
}

/**
 * See KeyTable.cursorOverPresentKeys. A plain object with a next method rather than a
 * generator: called once per key of a whole-dataset walk, it allocates nothing per key once
 * optimized, where a generator's results and Map entry pairs are garbage V8 partly promotes.
 *
 * The value comes from a values() iterator advanced in step with keys() (both follow the same
 * entry order), not from get(key): at millions of keys a lookup is a cache miss into the hash
 * buckets per key, and it was most of the walk's time (56% of the event loop's CPU during a
 * 10M-key rewrite, by perf).
 */
export class TableCursor<V> {
  private readonly parts: readonly { part: Map<string, V>; count: number }[];
  private index = 0;
  private remaining = 0;
  private keys: Iterator<string> | undefined;
  private values: Iterator<V> | undefined;
  private value: V | undefined;

  constructor(parts: readonly { part: Map<string, V>; count: number }[]) {
    this.parts = parts;
  }

  /** The next key, or undefined once every key present at the start was visited. */
  nextKey(): string | undefined {
    for (;;) {
      if (this.keys === undefined || this.values === undefined) {
        const next = this.parts[this.index];
        if (next === undefined) {
          this.value = undefined;
          return undefined;
        }
        this.keys = next.part.keys();
        this.values = next.part.values();
        this.remaining = next.count;
      }
      if (this.remaining > 0) {
        const result = this.keys.next();
        const value = this.values.next();
        if (result.done !== true) {
          this.remaining--;
          this.value = value.value as V;
          return result.value;
        }
      }
      this.keys = undefined;
      this.values = undefined;
      this.index++;
    }
  }

  /** The value of the key nextKey() just returned, as it is now. */
  currentValue(): V | undefined {
    return this.value;
  }
}
