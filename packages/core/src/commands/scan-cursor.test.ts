import { afterEach, describe, expect, it, vi } from "vitest";
import { FOREIGN_CURSOR, ScanCursorRegistry, advanceWalk, parseScanCursor, type ScanWalk } from "./scan-cursor.js";

describe("parseScanCursor (strtoul as Redis's parseScanCursorOrReply uses it)", () => {
  it.each([
    ["0", 0],
    ["", 0], // strtoul converts nothing and stops at the end: valid, 0
    ["+0", 0],
    ["-0", 0],
    ["+17", 17],
    ["123456", 123456],
    ["9007199254740991", 9007199254740991],
    ["18446744073709551615", FOREIGN_CURSOR],
    ["-1", FOREIGN_CURSOR], // wraps to 2^64-1
    ["-18446744073709551615", 1], // wraps to 1
  ])("%j → %s", (text, expected) => {
    expect(parseScanCursor(text)).toBe(expected);
  });

  it.each(["abc", "0x1", " 1", "\t1", "1 ", "+", "-", "18446744073709551616", "-18446744073709551616", "1.5", "1e3"])("%j is invalid", (text) => {
    expect(parseScanCursor(text)).toBeUndefined();
  });
});

function walkOf(items: number[]): ScanWalk<number> {
  return { iterator: items[Symbol.iterator](), pending: undefined, lastUsed: 0 };
}

describe("ScanCursorRegistry", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands out a fresh non-zero cursor per park, and take() consumes it", () => {
    const registry = new ScanCursorRegistry<number>();
    const walk = walkOf([1, 2, 3]);
    const first = registry.park(walk, 0);
    expect(first).toBeGreaterThan(0);
    expect(registry.take(first)).toBe(walk);
    expect(registry.take(first)).toBeUndefined(); // replaying a cursor restarts the walk
    const second = registry.park(walk, 0);
    expect(second).not.toBe(first);
    expect(registry.take(0)).toBeUndefined();
  });

  it("evicts the least recently parked walk beyond its capacity", () => {
    const registry = new ScanCursorRegistry<number>(2);
    const a = registry.park(walkOf([1]), 0);
    const b = registry.park(walkOf([2]), 0);
    const c = registry.park(walkOf([3]), 0);
    expect(registry.size).toBe(2);
    expect(registry.take(a)).toBeUndefined();
    expect(registry.take(b)).toBeDefined();
    expect(registry.take(c)).toBeDefined();
  });

  it("drops walks left idle by itself, so abandoned iterators do not pin old tables", () => {
    vi.useFakeTimers();
    const registry = new ScanCursorRegistry<number>(10, 1000);
    const old = registry.park(walkOf([1]), Date.now());
    vi.advanceTimersByTime(600);
    const recent = registry.park(walkOf([2]), Date.now());
    vi.advanceTimersByTime(500);
    expect(registry.take(old)).toBeUndefined();
    const recentWalk = registry.take(recent);
    expect(recentWalk).toBeDefined();
    registry.park(recentWalk!, Date.now());
    vi.advanceTimersByTime(5000);
    expect(registry.size).toBe(0);
  });
});

describe("advanceWalk", () => {
  it("reads one ahead so the call reaching the end reports it", () => {
    const walk = walkOf([1, 2, 3, 4]);
    const out: number[] = [];
    expect(advanceWalk(walk, 2, out, () => true)).toBe(false);
    expect(out).toEqual([1, 2]);
    expect(walk.pending).toBe(3);
    expect(advanceWalk(walk, 2, out, () => true)).toBe(true);
    expect(out).toEqual([1, 2, 3, 4]);
  });

  it("ends at once when exactly COUNT entries were left", () => {
    const out: number[] = [];
    expect(advanceWalk(walkOf([1, 2]), 2, out, () => true)).toBe(true);
    expect(out).toEqual([1, 2]);
  });

  it("drops a read-ahead entry deleted since the previous call", () => {
    const walk = walkOf([1, 2, 3]);
    const out: number[] = [];
    advanceWalk(walk, 1, out, () => true);
    advanceWalk(walk, 5, out, (n) => n !== 2);
    expect(out).toEqual([1, 3]);
  });
});
