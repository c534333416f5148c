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
   * The entries present now, for a walk that spans many event-loop turns while writes go on:
   * each part yields only as many entries as it holds now. A Map keeps insertion order and
   * an overwrite keeps an entry's place, so entries added later sit after that many and are
   * never reached. Valid only while nothing is deleted from the table before the walk ends
   * (the live snapshot turns deletions into tombstones for that reason).
   */
  entriesPresentNow(): Generator<[string, V], void, undefined> {
    // Counted here, not in the generator body, which would only run at the first next().
    return walkBounded(this.parts.map((part) => ({ part, count: part.size })));
  }
}

function* walkBounded<V>(bounded: readonly { part: Map<string, V>; count: number }[]): Generator<[string, V], void, undefined> {
  for (const { part, count } of bounded) {
    let remaining = count;
    if (remaining === 0) continue;
    for (const entry of part.entries()) {
      yield entry;
      if (--remaining === 0) break;
    }
  }
}
