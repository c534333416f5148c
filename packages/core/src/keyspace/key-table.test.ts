import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyTable } from "./key-table.js";

describe("KeyTable", () => {
  it("spills into further Maps past a part's capacity and behaves as one table", () => {
    const table = new KeyTable<number>(4);
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
        const table = new KeyTable<number>(3);
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
    const table = new KeyTable<number>(4);
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
          const table = new KeyTable<number>(7);
          for (let i = 0; i < initial; i++) table.set(`k${i}`, -i);
          const cursor = table.cursorOverPresentKeys();
          const visited: string[] = [];
          let pending = writes;
          for (let key = cursor.nextKey(); key !== undefined; key = cursor.nextKey()) {
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
});
