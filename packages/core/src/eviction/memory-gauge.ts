import v8 from "node:v8";
import vm from "node:vm";
import { arenaSlackBytes } from "../keyspace/byte-arena.js";

/**
 * What eviction compares with `maxmemory`. Redis asks its allocator; kv runs on V8, which
 * counts differently, so the measure is pluggable (unit tests inject an exact one).
 */
export interface MemoryGauge {
  /** Bytes in use, as cheaply as possible: may be a recent reading (called before every command while maxmemory is set). */
  used(): number;
  /** Bytes in use now (after each eviction, and for INFO). */
  measure(): number;
  /** Bytes in use now, before evicting to get under `limit`: the gauge may first free garbage. */
  settle(limit: number): number;
  /** Eviction dropped keys estimated at `bytes`: count them as gone although V8 has not reclaimed them yet. */
  released(bytes: number): void;
  /**
   * Bytes in use after freeing what garbage can be freed: asked before answering -OOM, when
   * nothing (more) can be evicted, so garbage is never what refuses a write.
   */
  lastResort(): number;
  /** maxmemory changed (0: no limit); the gauge starts or stops its background work. */
  setLimit(limit: number): void;
}

/** Growth since the last full GC that makes one worth trying before refusing a write with -OOM. */
const LAST_RESORT_GROWTH = 1024 * 1024;

/** Re-read V8's numbers after this many checks while under the limit (~1.7 µs a reading, measured). */
const CHECKS_PER_READING = 16;
/** Evicted-but-uncollected bytes that trigger a full GC: a quarter of maxmemory, at least this. */
const MIN_COLLECT_THRESHOLD = 4 * 1024 * 1024;

/**
 * used = retained heap + external memory − what eviction dropped and V8 has not reclaimed yet.
 *
 * - Retained heap is V8's old generation, large objects and code (v8.getHeapSpaceStatistics),
 *   not the young generation: that one is mostly the garbage of commands being processed
 *   (argument strings, replies) and swings by up to twice the semi-space size (16 MB by
 *   default) between scavenges; counting it would evict keys for memory that is about to be
 *   freed anyway. Live data reaches the old generation after two scavenges, so new writes show
 *   up with that lag, bounded by the young generation's size: kv may overshoot maxmemory by
 *   that much, where Redis overshoots by one command's allocation.
 * - An evicted key stays in the heap until V8's next mark-compact, so a plain "evict until the
 *   heap is below maxmemory" would evict everything. Like Redis, which counts what each
 *   eviction freed, the evictor reports an estimate per evicted key (keySizeEstimate), which
 *   is subtracted from the reading until the gauge's own full GC (below) has run.
 * - V8 lets garbage pile up to several times the live heap before it collects (measured: the
 *   old generation swung between 40 and 118 MB with 19 MB live), so the process would not stay
 *   near maxmemory. Once evicted-but-uncollected bytes pass a quarter of maxmemory (4 MB at
 *   least), the gauge runs a full GC itself (V8's gc extension, enabled at run time): measured
 *   ~10-20 ms for a 40 MB heap, a pause Redis does not have, traded for bounded memory. V8's
 *   own collections are not used to reset the count: one that finishes an incremental marking
 *   keeps what was evicted while it marked, and zeroing the count then evicted every key in
 *   a test. Between full GCs the error either way is bounded by that threshold.
 * - process.memoryUsage() costs ~12 µs (it reads /proc for RSS); the V8 statistics used here
 *   cost ~1.7 µs together, and are read once per CHECKS_PER_READING commands, or at every
 *   check while over the limit, so the per-command cost is a counter and a comparison.
 *
 * Not counted: garbage left by user deletes and overwrites counts as used until V8 collects
 * it (as fragmentation would in Redis), so overwrite-heavy workloads may evict somewhat early.
 */
export class V8MemoryGauge implements MemoryGauge {
  private reading = 0;
  private unreclaimed = 0;
  private checks = 0;
  private collectThreshold = MIN_COLLECT_THRESHOLD;
  private readingAfterCollect = 0;

  used(): number {
    if (++this.checks >= CHECKS_PER_READING) return this.measure();
    return Math.max(0, this.reading - this.unreclaimed);
  }

  measure(): number {
    this.checks = 0;
    this.reading = retainedHeapBytes();
    return Math.max(0, this.reading - this.unreclaimed);
  }

  /**
   * A large excess right after a collection's reading is mostly garbage (promoted argument
   * strings, replaced values), not data: live data can only have grown by the writes admitted
   * since, so collect before evicting for it. Without this, each V8 promotion wave evicted
   * most of a small cache at once (measured: 2.7k of ~7k keys kept, hot keys among the victims).
   */
  settle(limit: number): number {
    const used = this.measure();
    if (used - limit > this.collectThreshold && this.reading - this.readingAfterCollect > this.collectThreshold) this.collect();
    return this.measure();
  }

  lastResort(): number {
    // Only when the heap grew since the last collection: a server that is really full answers
    // -OOM without a full GC per refused command.
    if (this.measure() - this.readingAfterCollect > LAST_RESORT_GROWTH) this.collect();
    return this.measure();
  }

  released(bytes: number): void {
    this.unreclaimed += bytes;
    if (this.unreclaimed >= this.collectThreshold) this.collect();
  }

  private collect(): void {
    const gc = fullGc();
    if (gc === undefined) return;
    gc();
    this.unreclaimed = 0;
    this.readingAfterCollect = this.measure();
  }

  setLimit(limit: number): void {
    this.collectThreshold = Math.max(MIN_COLLECT_THRESHOLD, limit / 4);
    this.unreclaimed = 0;
    this.readingAfterCollect = this.measure();
  }
}

let gcFunction: (() => void) | null | undefined;

/** V8's gc(), obtained once: --expose-gc set at run time shows it in new contexts only. */
function fullGc(): (() => void) | undefined {
  if (gcFunction === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const candidate: unknown = vm.runInNewContext("gc");
      gcFunction = typeof candidate === "function" ? (candidate as () => void) : null;
    } catch {
      gcFunction = null;
    }
  }
  return gcFunction ?? undefined;
}

/** Old generation, large objects and code, plus external (Buffer) memory less the keyspace arenas' free space. */
export function retainedHeapBytes(): number {
  let total = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    const name = space.space_name;
    if (name !== "new_space" && name !== "new_large_object_space") total += space.space_used_size;
  }
  return total + v8.getHeapStatistics().external_memory - arenaSlackBytes();
}
