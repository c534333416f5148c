import { describe, expect, it } from "vitest";
import { MAX_ID, MIN_ID, StreamId, U64_MAX, type StreamIdLike } from "./stream-id.js";
import { entryFields, radixTreeNodeCount, StreamEntry, StreamLog, TrimStrategy, type NodeLimits } from "./stream-log.js";

const limits = { maxBytes: 4096, maxEntries: 100 };

function append(log: StreamLog, ms: number, fields: string[], nodeLimits: NodeLimits): void {
  log.append(StreamEntry.of(ms, 0, fields), fields, 0, nodeLimits);
}

function logOf(count: number, fields: (i: number) => string[] = () => ["f", "v"], nodeLimits = limits): StreamLog {
  const log = new StreamLog();
  for (let i = 1; i <= count; i++) append(log, i, fields(i), nodeLimits);
  return log;
}

function ids(log: StreamLog, start: StreamIdLike = MIN_ID, end: StreamIdLike = MAX_ID, reverse = false): string[] {
  const out: string[] = [];
  const cursor = log.range(start, end, reverse);
  for (let entry = cursor.next(); entry !== undefined; entry = cursor.next()) out.push(`${entry.ms}-${entry.seq}`);
  return out;
}

describe("StreamLog", () => {
  it("splits nodes by entry count, tombstones included", () => {
    const log = logOf(250);
    expect(log.nodeCount).toBe(3);
    const three = { maxBytes: 4096, maxEntries: 3 };
    const small = logOf(5, undefined, three);
    expect(small.nodeCount).toBe(2);
    expect(small.delete(5, 0)).toBe(true);
    append(small, 6, ["f", "v"], three);
    expect(small.nodeCount).toBe(2);
    // The tombstone still takes its place in the node: the next entry starts a new one.
    append(small, 7, ["f", "v"], three);
    expect(small.nodeCount).toBe(3);
  });

  it("splits nodes by listpack bytes, with listpack's integer and string encodings", () => {
    // Each 1000-byte value costs 1003 bytes in the listpack; the 4096-byte limit fits four.
    expect(logOf(12, () => ["f", "x".repeat(1000)]).nodeCount).toBe(3);
    expect(logOf(12, () => ["f", "x".repeat(1000)], { maxBytes: 0, maxEntries: 0 }).nodeCount).toBe(1);
  });

  it("seeks ranges in both directions, skipping tombstones", () => {
    const log = logOf(300);
    for (const id of [100, 101, 150, 299]) log.delete(id, 0);
    expect(ids(log, new StreamId(98, 0), new StreamId(103, 0))).toEqual(["98-0", "99-0", "102-0", "103-0"]);
    expect(ids(log, new StreamId(98, 0), new StreamId(103, 0), true)).toEqual(["103-0", "102-0", "99-0", "98-0"]);
    expect(ids(log, new StreamId(298, 5), MAX_ID)).toEqual(["300-0"]);
    expect(ids(log, MIN_ID, new StreamId(0, U64_MAX), true)).toEqual([]);
    expect(ids(log, new StreamId(400, 0), MAX_ID)).toEqual([]);
    expect(log.get(150, 0)).toBeUndefined();
    expect(entryFields(log.get(151, 0)!)).toEqual(["f", "v"]);
    expect(log.length).toBe(296);
  });

  it("drops a node once its last live entry goes", () => {
    const log = logOf(3, undefined, { maxBytes: 4096, maxEntries: 2 });
    expect(log.nodeCount).toBe(2);
    log.delete(3, 0);
    expect(log.nodeCount).toBe(1);
    log.delete(1, 0);
    expect(log.nodeCount).toBe(1);
    expect(log.edge(true, false)?.ms).toBe(1);
    expect(log.edge(true, true)?.ms).toBe(2);
  });

  it("trims whole nodes approximately and single entries exactly", () => {
    const log = logOf(250);
    const trim = (strategy: number, maxLen: number, minId: StreamIdLike, approx: boolean, limit = 0): number =>
      log.trim({ strategy, maxLen, minId, approx, limit });
    expect(trim(TrimStrategy.MaxLen, 180, MIN_ID, true)).toBe(0);
    expect(trim(TrimStrategy.MaxLen, 140, MIN_ID, true, 50)).toBe(0);
    expect(trim(TrimStrategy.MaxLen, 140, MIN_ID, true)).toBe(100);
    expect(trim(TrimStrategy.MaxLen, 145, MIN_ID, false)).toBe(5);
    expect(log.nodeCount).toBe(2);
    expect(trim(TrimStrategy.MinId, 0, new StreamId(205, 0), false)).toBe(99);
    expect(ids(log).slice(0, 2)).toEqual(["205-0", "206-0"]);
  });
});

describe("entry encoding", () => {
  it("keeps an entry as its reply and decodes the fields back", () => {
    const entry = StreamEntry.of(5, 1, ["XADD", "k", "5-1", "f", "", "bin\x00\r\n", "v"], 3);
    expect(entry.encoded).toBe("*2\r\n$3\r\n5-1\r\n*4\r\n$1\r\nf\r\n$0\r\n\r\n$6\r\nbin\x00\r\n\r\n$1\r\nv\r\n");
    expect(entryFields(entry)).toEqual(["f", "", "bin\x00\r\n", "v"]);
  });
});

describe("radixTreeNodeCount", () => {
  it("counts a compressed trie's nodes as rax keeps them", () => {
    expect(radixTreeNodeCount([])).toBe(1);
    expect(radixTreeNodeCount([new StreamId(1, 1)])).toBe(2);
    expect(radixTreeNodeCount([new StreamId(1, 1), new StreamId(1, 101)])).toBe(4);
    expect(radixTreeNodeCount([new StreamId(1, 0), new StreamId(101, 0), new StreamId(201, 0)])).toBe(8);
    expect(radixTreeNodeCount([new StreamId(1, 0), new StreamId(U64_MAX, 0)])).toBe(5);
  });
});
