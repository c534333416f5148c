import type { TypedValue } from "../keyspace/stored-value.js";
import { INVALID_ENTRIES_READ, type ConsumerGroup } from "./stream-groups.js";
import {
  compareIds,
  counterAsLongLong,
  formatId,
  isZeroId,
  MAX_ID,
  MIN_ID,
  subtractCounters,
  type Counter,
  type StreamId,
  type StreamIdLike,
} from "./stream-id.js";
import { entryFields, radixTreeNodeCount, StreamLog } from "./stream-log.js";

/**
 * A Redis stream: its entries (a StreamLog, laid out in nodes as Redis's listpacks), the
 * IDs and counters Redis 7.0 keeps beside them, and the consumer groups.
 *
 * Unlike the other collections, an empty stream is a value like any other: XDEL or XTRIM
 * may empty it, XGROUP CREATE MKSTREAM creates one, and the key stays.
 */
export class StreamValue implements TypedValue {
  readonly type = "stream" as const;
  snapshotEpoch = 0;
  log: StreamLog;
  /** The highest ID ever added or set by XSETID (last-generated-id). */
  lastId: StreamId = MIN_ID;
  /** The first live entry's ID when the stream was last changed at its head, 0-0 when empty (recorded-first-entry-id). */
  firstId: StreamId = MIN_ID;
  /** The highest ID XDEL removed (max-deleted-entry-id); trimming does not count. */
  maxDeletedId: StreamId = MIN_ID;
  /** Entries ever added (entries-added), an unsigned 64-bit counter. */
  entriesAdded: Counter = 0;
  /** Created on the first XGROUP CREATE, as Redis creates its cgroups rax on demand. */
  groups: Map<string, ConsumerGroup> | undefined = undefined;

  constructor(log = new StreamLog()) {
    this.log = log;
  }

  get length(): number {
    return this.log.length;
  }

  objectEncoding(): string {
    return "stream";
  }

  /** Redis's streamDup: the same listpacks, counters, groups, PELs and consumers. */
  duplicate(): StreamValue {
    const copy = new StreamValue(this.log.duplicate());
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    if (this.groups !== undefined) {
      copy.groups = new Map();
      for (const [name, group] of this.groups) copy.groups.set(name, group.duplicate());
    }
    return copy;
  }

  /**
   * As Redis 7.0's rewriteStreamObject: one XADD per entry (or the XADD MAXLEN 0 trick for an
   * empty stream), XSETID for the last ID and counters, then per group (in name order) an
   * XGROUP CREATE with its read counter, and per consumer either its pending entries as
   * XCLAIM ... TIME RETRYCOUNT JUSTID FORCE or, when it has none, XGROUP CREATECONSUMER.
   *
   * With one addition. XCLAIM skips IDs whose entry is gone, so Redis's command form drops
   * pending entries of deleted or trimmed entries — which its RDB keeps, and so DEBUG RELOAD
   * and restarts keep. Such IDs are added as placeholder entries among the real ones, claimed,
   * then removed: those before the first live entry by XTRIM MINID (which, unlike XDEL, leaves
   * max-deleted-entry-id alone, as the trim that removed them did), the others by XDEL; XSETID
   * comes last then, to put back the counters the placeholders moved.
   */
  *rewriteCommands(key: string): Iterable<string[]> {
    const placeholders = this.pendingWithoutEntries();
    const first = this.log.edge(true, true);
    if (this.length === 0 && placeholders.length === 0) {
      yield ["XADD", key, "MAXLEN", "0", "0-1", "x", "y"];
    } else {
      const cursor = this.log.range(MIN_ID, MAX_ID, false);
      let entry = cursor.next();
      let p = 0;
      while (entry !== undefined || p < placeholders.length) {
        const placeholder = placeholders[p];
        if (placeholder !== undefined && (entry === undefined || compareIds(placeholder, entry) < 0)) {
          yield ["XADD", key, formatId(placeholder), "x", "y"];
          p++;
        } else {
          yield ["XADD", key, formatId(entry!), ...entryFields(entry!)];
          entry = cursor.next();
        }
      }
    }
    const setId = [
      "XSETID",
      key,
      formatId(this.lastId),
      "ENTRIESADDED",
      String(counterAsLongLong(this.entriesAdded)),
      "MAXDELETEDID",
      formatId(this.maxDeletedId),
    ];
    if (placeholders.length === 0) yield setId;
    for (const [name, group] of this.sortedGroups()) {
      yield ["XGROUP", "CREATE", key, name, formatId(group.lastId), "ENTRIESREAD", String(group.entriesRead)];
      for (const consumer of group.sortedConsumers()) {
        if (consumer.pel.size === 0) {
          yield ["XGROUP", "CREATECONSUMER", key, name, consumer.name];
          continue;
        }
        for (const pending of consumer.pel) {
          yield [
            "XCLAIM",
            key,
            name,
            consumer.name,
            "0",
            formatId(pending),
            "TIME",
            String(pending.deliveryTime),
            "RETRYCOUNT",
            String(counterAsLongLong(pending.deliveryCount)),
            "JUSTID",
            "FORCE",
          ];
        }
      }
    }
    if (placeholders.length === 0) return;
    const inside = placeholders.filter((id) => first !== undefined && compareIds(id, first) > 0).map(formatId);
    if (inside.length < placeholders.length) {
      yield first === undefined ? ["XTRIM", key, "MAXLEN", "0"] : ["XTRIM", key, "MINID", formatId(first)];
    }
    if (inside.length > 0) yield ["XDEL", key, ...inside];
    yield setId;
  }

  /** IDs pending in some group whose entry is no longer in the stream, ascending and distinct. */
  private pendingWithoutEntries(): StreamIdLike[] {
    if (this.groups === undefined) return [];
    const missing = new Map<string, StreamIdLike>();
    for (const group of this.groups.values()) {
      for (const pending of group.pel) {
        if (this.log.get(pending.ms, pending.seq) === undefined) missing.set(formatId(pending), pending);
      }
    }
    return [...missing.values()].sort(compareIds);
  }

  /** Groups in Redis's order (its rax sorts names bytewise). */
  sortedGroups(): [string, ConsumerGroup][] {
    if (this.groups === undefined) return [];
    return [...this.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The highest live ID (streamLastValidID), or undefined when empty. */
  lastValidId(): StreamIdLike | undefined {
    return this.log.edge(false, true);
  }

  /** XINFO's radix-tree-nodes. */
  radixTreeNodes(): number {
    return radixTreeNodeCount(this.log.nodeKeys());
  }

  // -------------------------------------------------------------------------------------
  // Redis 7.0's read-counter bookkeeping (entries-read, lag)
  // -------------------------------------------------------------------------------------

  /**
   * Whether a deleted entry may lie in [start, end] (streamRangeHasTombstones): only the
   * highest deleted ID is known, and a tombstone before the first entry does not count.
   */
  rangeHasTombstones(start: StreamIdLike, end: StreamIdLike = MAX_ID): boolean {
    const maxDeleted = this.maxDeletedId;
    if (this.length === 0 || isZeroId(maxDeleted)) return false;
    if (compareIds(this.firstId, maxDeleted) > 0) return false;
    return compareIds(start, maxDeleted) <= 0 && compareIds(maxDeleted, end) <= 0;
  }

  /**
   * The logical read counter of `id`, its distance from the first entry ever added, when it
   * can be known (Redis 7.0's streamEstimateDistanceFromFirstEverEntry); -1 otherwise.
   */
  estimateDistanceFromFirstEverEntry(id: StreamIdLike): Counter {
    const added = this.entriesAdded;
    if (added === 0) return 0;
    const length = this.length;
    if (length === 0 && compareIds(id, this.lastId) < 1) return added;
    const toLast = compareIds(id, this.lastId);
    if (toLast === 0) return added;
    if (toLast > 0) return INVALID_ENTRIES_READ;
    const toFirst = compareIds(id, this.firstId);
    if (isZeroId(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (toFirst < 0) return subtractCounters(added, length);
      if (toFirst === 0) return subtractCounters(added, length - 1);
    }
    return INVALID_ENTRIES_READ;
  }

  /** A group's lag (entries not yet delivered to it), or undefined when it cannot be known. */
  groupLag(group: ConsumerGroup): number | bigint | undefined {
    const added = this.entriesAdded;
    if (added === 0) return 0;
    if (group.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(group.lastId)) {
      return subtractCounters(added, group.entriesRead);
    }
    const read = this.estimateDistanceFromFirstEverEntry(group.lastId);
    return read === INVALID_ENTRIES_READ ? undefined : subtractCounters(added, read);
  }
}
