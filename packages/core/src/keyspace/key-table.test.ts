import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyTable, type TableCursor } from "./key-table.js";

/** The cursor's next key, or undefined once the walk is over. */
function nextKey<V>(cursor: TableCursor<V>): string | undefined {
  return cursor.advance() ? cursor.key() : undefined;
}

describe("KeyTable", () => {
  it("grows its index and slots and behaves as one table", () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 10; i++) table.set(`k${i}`, i);
    expect(table.size).toBe(10);
    for (let i = 0; i < 10; i++) expect(table.get(`k${i}`)).toBe(i);
    table.set("k7", 70);
    expect(table.get("k7")).toBe(70);
    expect(table.size).toBe(10);
    expect(table.delete("k1")).toBe(true);
    expect(table.delete("k1")).toBe(false);
    table.set("new", 1);
    expect(table.size).toBe(10);
    expect([...table.keys()].sort()).toEqual(["k0", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "new"].sort());
  });

  it("matches a single Map under any sequence of operations", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 30 }), value: fc.integer() }),
      fc.record({ kind: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant("clear" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const table = new KeyTable<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === "set") {
            table.set(`k${o.key}`, o.value);
            model.set(`k${o.key}`, o.value);
          } else if (o.kind === "delete") {
            expect(table.delete(`k${o.key}`)).toBe(model.delete(`k${o.key}`));
          } else {
            table.clear();
            model.clear();
          }
          expect(table.size).toBe(model.size);
        }
        expect(new Map(table.entries())).toEqual(model);
        for (const [key, value] of model) expect(table.get(key)).toBe(value);
      }),
    );
  });

  it("keeps a live iteration valid across inserts and deletes", () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 12; i++) table.set(`k${i}`, i);
    const seen: string[] = [];
    const walk = table.keys();
    for (let step = 0; step < 6; step++) seen.push(walk.next().value as string);
    table.delete("k0");
    table.delete("k11");
    for (let next = walk.next(); next.done !== true; next = walk.next()) seen.push(next.value);
    for (let i = 1; i < 11; i++) expect(seen).toContain(`k${i}`);
    expect(seen).not.toContain("k11");
  });

  it("pairs each key of a present-keys cursor with its current value while the table grows and changes", () => {
    // Overwrites between steps and inserts that make V8 rehash the Map mid-walk: the cursor's
    // value must still be the key's value at the moment it is visited, and only the keys
    // present at the start are visited.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 80 }), value: fc.integer() }), { maxLength: 120 }),
        (initial, writes) => {
          const table = new KeyTable<number>();
          for (let i = 0; i < initial; i++) table.set(`k${i}`, -i);
          const cursor = table.cursorOverPresentKeys();
          const visited: string[] = [];
          let pending = writes;
          for (let key = nextKey(cursor); key !== undefined; key = nextKey(cursor)) {
            expect(cursor.currentValue()).toBe(table.get(key));
            visited.push(key);
            const [write, ...rest] = pending;
            pending = rest;
            if (write !== undefined) table.set(`k${write.key}`, write.value);
          }
          expect(cursor.currentValue()).toBeUndefined();
          expect(visited.sort()).toEqual(Array.from({ length: initial }, (_, i) => `k${i}`).sort());
        },
      ),
    );
  });

  it("visits each key present for a whole walk exactly once while keys around it are deleted and added", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ remove: fc.boolean(), key: fc.integer({ min: 0, max: 80 }) }), { maxLength: 150 }),
        (initial, ops) => {
          const table = new KeyTable<number>();
          for (let i = 0; i < initial; i++) table.set(`k${i}`, i);
          const everPresent = new Set(table.keys());
          const alwaysPresent = new Set(everPresent);
          const walk = table.keys();
          const seen: string[] = [];
          let pending = ops;
          for (let next = walk.next(); next.done !== true; next = walk.next()) {
            seen.push(next.value);
            const [op, ...rest] = pending;
            pending = rest;
            if (op === undefined) continue;
            const key = `k${op.key}`;
            if (op.remove) {
              table.delete(key);
              alwaysPresent.delete(key);
            } else {
              table.set(key, op.key);
              everPresent.add(key);
            }
          }
          for (const key of alwaysPresent) expect(seen.filter((k) => k === key)).toHaveLength(1);
          for (const key of seen) expect(everPresent.has(key)).toBe(true);
        },
      ),
    );
  });

  it("keeps keys added during a present-keys walk out of it, even where deleted keys left free slots", () => {
    const table = new KeyTable<string>();
    for (let i = 0; i < 20; i++) table.set(`k${i}`, `v${i}`);
    for (let i = 0; i < 20; i += 2) table.delete(`k${i}`);
    const cursor = table.cursorOverPresentKeys();
    const visited: string[] = [];
    for (let key = nextKey(cursor); key !== undefined; key = nextKey(cursor)) {
      visited.push(key);
      table.set(`new${visited.length}`, "x");
    }
    expect(visited.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${2 * i + 1}`).sort());
  });

  it("ends its iterators and cursors at clear()", () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 5; i++) table.set(`k${i}`, i);
    const walk = table.keys();
    const cursor = table.cursorOverPresentKeys();
    walk.next();
    nextKey(cursor);
    table.clear();
    table.set("after", 1);
    expect(walk.next().done).toBe(true);
    expect(nextKey(cursor)).toBeUndefined();
    expect([...table.entries()]).toEqual([["after", 1]]);
  });

  it("holds any binary string as key or value, numbers, objects and symbols", () => {
    const table = new KeyTable<unknown>();
    const allBytes = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c)).join("");
    const longKey = "k".repeat(70_000);
    const longValue = "v".repeat(20_000);
    const object = { type: "list" };
    const mark = Symbol("mark");
    const cases: [string, unknown][] = [["", "empty key"], ["empty value", ""], [allBytes, allBytes], [longKey, longValue], ["n", 1.5e300], ["o", object], ["s", mark]];
    for (const [key, value] of cases) table.set(key, value);
    for (const [key, value] of cases) expect(table.get(key)).toBe(value);
    expect(new Map(table.entries())).toEqual(new Map(cases));
    for (const [key, value] of cases) table.set(key, typeof value === "string" ? `${value}!` : 7);
    for (const [key] of cases) expect(table.delete(key)).toBe(true);
    expect(table.size).toBe(0);
    expect([...table.keys()]).toEqual([]);
  });

  it("reports a key marked for the current walk once, and not marks an earlier walk left", () => {
    const table = new KeyTable<string>();
    for (let i = 0; i < 4; i++) table.set(`k${i}`, "v");
    const first = table.cursorOverPresentKeys();
    table.markForWalk("k2");
    table.markForWalk("k3");
    const marked: string[] = [];
    for (let n = 0; n < 3 && first.advance(); n++) if (first.takeMark()) marked.push(first.key());
    expect(marked).toEqual(["k2"]);
    first.release(); // k3's mark is left behind
    const second = table.cursorOverPresentKeys();
    table.markForWalk("k0");
    marked.length = 0;
    while (second.advance()) if (second.takeMark()) marked.push(second.key());
    expect(marked).toEqual(["k0"]);
  });

  it("reuses free slots again once a present-keys cursor ends, also when clear() ended it", () => {
    const table = new KeyTable<string>();
    for (let i = 0; i < 8; i++) table.set(`k${i}`, "v");
    table.delete("k0");
    const walk = table.cursorOverPresentKeys();
    table.set("during", "v"); // past the cursor's limit: last in slot order
    expect([...table.keys()].at(-1)).toBe("during");
    table.clear();
    walk.release();
    for (let i = 0; i < 4; i++) table.set(`a${i}`, "v");
    table.delete("a0");
    table.set("reused", "v"); // not held: takes the slot a0 freed, first in slot order
    expect([...table.keys()][0]).toBe("reused");
  });
});
