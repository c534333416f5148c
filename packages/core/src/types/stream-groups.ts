import { compareIdTo, compareIds, type Counter, type StreamId, type StreamIdLike, type U64 } from "./stream-id.js";

/*
 * Consumer groups (Redis's streamCG): a last-delivered ID, a read counter, the group's
 * pending entries list (PEL) and its consumers, each with its own PEL. A pending entry
 * (Redis's streamNACK) is one object shared by the group's PEL and its owner's, as in Redis.
 */

/** entries_read when it is unknown (SCG_INVALID_ENTRIES_READ). */
export const INVALID_ENTRIES_READ = -1;

/** A delivered, not yet acknowledged entry. */
export class PendingEntry implements StreamIdLike {
  constructor(
    readonly ms: U64,
    readonly seq: U64,
    /** Unix ms of the last delivery. */
    public deliveryTime: number,
    public deliveryCount: Counter,
    /** Undefined only for a moment inside XCLAIM FORCE, before it gets its owner. */
    public consumer: Consumer | undefined,
  ) {}
}

export class Consumer {
  readonly pel = new PendingList();

  constructor(
    readonly name: string,
    /** Unix ms of the last command that named this consumer (Redis 7.0's seen_time). */
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new PendingList();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    public lastId: StreamId,
    public entriesRead: Counter,
  ) {}

  /** Consumers in Redis's order: its rax sorts names bytewise, as JS compares latin1 strings. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes a consumer and its pending entries from the group's PEL too (streamDelConsumer). */
  deleteConsumer(consumer: Consumer): void {
    for (const pending of consumer.pel) this.pel.delete(pending.ms, pending.seq);
    this.consumers.delete(consumer.name);
  }

  /** Acknowledges one ID: drops it from both PELs. Returns whether it was pending. */
  acknowledge(ms: U64, seq: U64): boolean {
    const pending = this.pel.delete(ms, seq);
    if (pending === undefined) return false;
    pending.consumer?.pel.delete(ms, seq);
    return true;
  }

  /** A deep copy (COPY): the pending entries are shared between the copies' PELs as in the original. */
  duplicate(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastId, this.entriesRead);
    const copies = new Map<PendingEntry, PendingEntry>();
    for (const pending of this.pel) {
      const clone = new PendingEntry(pending.ms, pending.seq, pending.deliveryTime, pending.deliveryCount, undefined);
      copies.set(pending, clone);
      copy.pel.insert(clone);
    }
    for (const consumer of this.consumers.values()) {
      const cloned = new Consumer(consumer.name, consumer.seenTime);
      for (const pending of consumer.pel) {
        const clone = copies.get(pending)!;
        clone.consumer = cloned;
        cloned.pel.insert(clone);
      }
      copy.consumers.set(cloned.name, cloned);
    }
    return copy;
  }
}

// ---------------------------------------------------------------------------------------
// PendingList: pending entries ordered by ID
// ---------------------------------------------------------------------------------------

/** Entries per chunk before it splits in two. */
const CHUNK_MAX = 256;

/**
 * Pending entries sorted by ID (Redis keeps them in a rax), as a list of sorted chunks: a
 * binary search finds the chunk, another the position in it. New deliveries append at the
 * end and acknowledgements remove anywhere, each in O(log n + chunk size) — no PEL size
 * makes an XACK or XCLAIM slow. Iterating with `ceiling`/`higher` re-seeks every step, so
 * the list may change between steps (XAUTOCLAIM drops entries as it walks).
 */
export class PendingList implements Iterable<PendingEntry> {
  private chunks: PendingEntry[][] = [];
  size = 0;

  /** The chunk that holds, or would hold, `id`: the last whose first entry is <= id (0 if none). */
  private chunkIndex(ms: U64, seq: U64): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIdTo(chunks[mid]![0]!, ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : lo - 1;
  }

  get(ms: U64, seq: U64): PendingEntry | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.chunks[this.chunkIndex(ms, seq)]!;
    const entry = chunk[lowerBound(chunk, ms, seq)];
    return entry !== undefined && compareIdTo(entry, ms, seq) === 0 ? entry : undefined;
  }

  /** Adds an entry whose ID is not in the list yet. */
  insert(entry: PendingEntry): void {
    const chunks = this.chunks;
    this.size++;
    if (chunks.length === 0) {
      chunks.push([entry]);
      return;
    }
    const index = this.chunkIndex(entry.ms, entry.seq);
    const chunk = chunks[index]!;
    // Appending past the end is the common case (new deliveries have the highest IDs).
    if (compareIds(chunk[chunk.length - 1]!, entry) < 0) chunk.push(entry);
    else chunk.splice(lowerBound(chunk, entry.ms, entry.seq), 0, entry);
    if (chunk.length > CHUNK_MAX) chunks.splice(index + 1, 0, chunk.splice(CHUNK_MAX / 2));
  }

  delete(ms: U64, seq: U64): PendingEntry | undefined {
    if (this.size === 0) return undefined;
    const index = this.chunkIndex(ms, seq);
    const chunk = this.chunks[index]!;
    const position = lowerBound(chunk, ms, seq);
    const entry = chunk[position];
    if (entry === undefined || compareIdTo(entry, ms, seq) !== 0) return undefined;
    if (chunk.length === 1) this.chunks.splice(index, 1);
    else chunk.splice(position, 1);
    this.size--;
    return entry;
  }

  first(): PendingEntry | undefined {
    return this.chunks[0]?.[0];
  }

  last(): PendingEntry | undefined {
    const chunk = this.chunks[this.chunks.length - 1];
    return chunk?.[chunk.length - 1];
  }

  /** The first entry with ID >= (ms, seq). */
  ceiling(ms: U64, seq: U64): PendingEntry | undefined {
    if (this.size === 0) return undefined;
    let index = this.chunkIndex(ms, seq);
    const chunk = this.chunks[index]!;
    const position = lowerBound(chunk, ms, seq);
    if (position < chunk.length) return chunk[position];
    index++;
    return this.chunks[index]?.[0];
  }

  /** The first entry with ID > id. */
  higher(id: StreamIdLike): PendingEntry | undefined {
    if (this.size === 0) return undefined;
    let index = this.chunkIndex(id.ms, id.seq);
    const chunk = this.chunks[index]!;
    let position = lowerBound(chunk, id.ms, id.seq);
    if (position < chunk.length && compareIds(chunk[position]!, id) === 0) position++;
    if (position < chunk.length) return chunk[position];
    index++;
    return this.chunks[index]?.[0];
  }

  *[Symbol.iterator](): Iterator<PendingEntry> {
    for (const chunk of this.chunks) yield* chunk;
  }
}

function lowerBound(chunk: readonly PendingEntry[], ms: U64, seq: U64): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareIdTo(chunk[mid]!, ms, seq) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
