import { describe, expect, it } from "vitest";
import { Consumer, ConsumerGroup, PendingEntry, PendingList } from "./stream-groups.js";
import { compareIds, StreamId } from "./stream-id.js";

describe("PendingList", () => {
  it("stays sorted and searchable through random inserts and deletes", () => {
    const list = new PendingList();
    const reference = new Map<string, PendingEntry>();
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let step = 0; step < 20000; step++) {
      const ms = random(3000);
      const seq = random(3);
      const key = `${ms}-${seq}`;
      if (random(3) < 2) {
        if (reference.has(key)) continue;
        const entry = new PendingEntry(ms, seq, 0, 1, undefined);
        list.insert(entry);
        reference.set(key, entry);
      } else {
        expect(list.delete(ms, seq)).toBe(reference.get(key));
        reference.delete(key);
      }
    }
    const sorted = [...reference.values()].sort(compareIds);
    expect([...list]).toEqual(sorted);
    expect(list.size).toBe(sorted.length);
    expect(list.first()).toBe(sorted[0]);
    expect(list.last()).toBe(sorted[sorted.length - 1]);
    const probe = sorted[100]!;
    expect(list.get(probe.ms, probe.seq)).toBe(probe);
    expect(list.ceiling(probe.ms, probe.seq)).toBe(probe);
    expect(list.higher(probe)).toBe(sorted[101]);
    expect(list.ceiling(5000, 0)).toBeUndefined();
  });
});

describe("ConsumerGroup", () => {
  it("shares pending entries between the group's PEL and the owner's, and copies them so", () => {
    const group = new ConsumerGroup(new StreamId(0, 0), -1);
    const alice = new Consumer("alice", 0);
    group.consumers.set("alice", alice);
    for (let i = 1; i <= 3; i++) {
      const pending = new PendingEntry(i, 0, 0, 1, alice);
      group.pel.insert(pending);
      alice.pel.insert(pending);
    }
    expect(group.acknowledge(2, 0)).toBe(true);
    expect(group.acknowledge(2, 0)).toBe(false);
    expect(alice.pel.size).toBe(2);
    const copy = group.duplicate();
    const copiedAlice = copy.consumers.get("alice")!;
    expect(copy.pel.get(1, 0)).toBe(copiedAlice.pel.get(1, 0));
    expect(copy.pel.get(1, 0)).not.toBe(group.pel.get(1, 0));
    group.deleteConsumer(alice);
    expect(group.pel.size).toBe(0);
    expect(copy.pel.size).toBe(2);
  });
});
