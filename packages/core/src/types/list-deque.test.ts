import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ListValue } from "./list-value.js";

/*
 * The list deque against a plain array model: random sequences of operations, with bulk
 * pushes and trims large enough to cross every layout change (small ring growing and
 * shrinking, small to chunked and back, chunk directory doubling and halving).
 */

type Operation =
  | { op: "pushFront" | "pushBack"; value: string; times: number }
  | { op: "popFront" | "popBack" }
  | { op: "insertAt"; at: number; value: string }
  | { op: "set"; at: number; value: string }
  | { op: "removeFront" | "removeBack"; count: number }
  | { op: "removeMatching"; value: string; limit: number; fromTail: boolean }
  | { op: "duplicate" };

const value = fc.constantFrom("a", "b", "c", "", "\x00\xff");
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom("pushFront" as const, "pushBack" as const), value, times: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 700 })) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom("popFront" as const, "popBack" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("insertAt" as const), at: fc.nat(), value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("set" as const), at: fc.nat(), value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("removeFront" as const, "removeBack" as const), count: fc.integer({ min: 0, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("removeMatching" as const), value, limit: fc.integer({ min: 0, max: 5 }), fromTail: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("duplicate" as const) }) },
);

function apply(list: ListValue, model: string[], step: Operation): ListValue {
  switch (step.op) {
    case "pushFront":
      for (let i = 0; i < step.times; i++) {
        list.pushFront(step.value + i);
        model.unshift(step.value + i);
      }
      return list;
    case "pushBack":
      for (let i = 0; i < step.times; i++) {
        list.pushBack(step.value + i);
        model.push(step.value + i);
      }
      return list;
    case "popFront":
      expect(list.popFront()).toBe(model.shift());
      return list;
    case "popBack":
      expect(list.popBack()).toBe(model.pop());
      return list;
    case "insertAt": {
      const at = step.at % (model.length + 1);
      list.insertAt(at, step.value);
      model.splice(at, 0, step.value);
      return list;
    }
    case "set":
      if (model.length > 0) {
        const at = step.at % model.length;
        list.set(at, step.value);
        model[at] = step.value;
      }
      return list;
    case "removeFront": {
      const count = Math.min(step.count, model.length);
      list.removeFront(count);
      model.splice(0, count);
      return list;
    }
    case "removeBack": {
      const count = Math.min(step.count, model.length);
      list.removeBack(count);
      model.splice(model.length - count, count);
      return list;
    }
    case "removeMatching": {
      const indices: number[] = [];
      for (let i = 0; i < model.length; i++) {
        const index = step.fromTail ? model.length - 1 - i : i;
        if (model[index] === step.value) indices.push(index);
        if (step.limit !== 0 && indices.length === step.limit) break;
      }
      const drop = new Set(indices);
      const kept = model.filter((_, i) => !drop.has(i));
      model.length = 0;
      model.push(...kept);
      expect(list.removeMatching(step.value, step.limit, step.fromTail)).toBe(indices.length);
      return list;
    }
    case "duplicate": {
      const copy = list.duplicate();
      // The copy is independent: changing the original must not show through.
      list.pushBack("changed");
      list.popBack();
      if (list.length > 0) list.set(0, list.at(0));
      return copy;
    }
  }
}

/** Layout invariants, read through the private fields: only live slots hold strings, and a chunked ring never wraps into its first chunk. */
function checkLayout(list: ListValue): void {
  const inner = list as unknown as { chunks: (unknown[] | undefined)[]; head: number; mask: number; slotMask: number; chunked: boolean; length: number };
  let defined = 0;
  for (const chunk of inner.chunks) if (chunk !== undefined) for (const slot of chunk) if (slot !== undefined) defined++;
  expect(defined).toBe(inner.length);
  if (inner.chunked) expect((inner.head & inner.slotMask) + inner.length).toBeLessThanOrEqual(inner.mask + 1);
  else expect(inner.length).toBeLessThanOrEqual(inner.mask + 1);
}

describe("list deque", () => {
  it("matches an array model under random operations", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (steps) => {
        let list = new ListValue();
        const model: string[] = [];
        for (const step of steps) {
          list = apply(list, model, step);
          expect(list.length).toBe(model.length);
          checkLayout(list);
        }
        expect(list.toArray()).toEqual(model);
        for (let i = 0; i < model.length; i += 37) expect(list.at(i)).toBe(model[i]);
      }),
      { numRuns: 300 },
    );
  });

  it("works as a queue across many chunk boundaries", () => {
    const list = new ListValue();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 1000; i++) list.pushBack(String(next++));
      for (let i = 0; i < 900; i++) expect(list.popFront()).toBe(String(expected++));
    }
    expect(list.length).toBe(next - expected);
    expect(list.at(0)).toBe(String(expected));
    expect(list.at(list.length - 1)).toBe(String(next - 1));
    while (list.length > 0) expect(list.popFront()).toBe(String(expected++));
    expect(list.popFront()).toBeUndefined();
    expect(list.popBack()).toBeUndefined();
  });

  it("indexes a long list built from both ends", () => {
    const list = new ListValue();
    for (let i = 0; i < 100_000; i++) {
      list.pushBack(`b${i}`);
      list.pushFront(`f${i}`);
    }
    expect(list.length).toBe(200_000);
    expect(list.at(0)).toBe("f99999");
    expect(list.at(99_999)).toBe("f0");
    expect(list.at(100_000)).toBe("b0");
    expect(list.at(199_999)).toBe("b99999");
    list.removeFront(150_000);
    expect(list.at(0)).toBe("b50000");
    list.removeBack(49_990);
    expect(list.toArray()).toEqual(Array.from({ length: 10 }, (_, i) => `b${50_000 + i}`));
  });
});
