import { describe, expect, it } from "vitest";
import { seeded } from "../test-support/differential-session.js";
import { TestHarness } from "../test-support/harness.js";
import { LiveSnapshot, type SnapshotSink } from "./live-snapshot.js";

/*
 * The live snapshot's promise: written while writes go on, its image is exactly the dataset
 * as it was when it began, and the writes made meanwhile (what the new incr file receives)
 * take that image to the dataset as it is at the end. Random writes of every kind run between
 * walk steps; a twin engine that runs the same commands without a snapshot checks that the
 * snapshot's bookkeeping (tombstones, stamps) never shows through.
 */

const KEYS = 24;

let streamSeq = 0;

function randomWrite(next: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const key = (): string => `k${Math.floor(next() * KEYS)}`;
  const value = (): string => String(Math.floor(next() * 1000));
  const future = String(Date.now() + 3_600_000 + Math.floor(next() * 1000));
  const writes: (() => string[])[] = [
    () => ["SET", key(), value()],
    () => ["SET", key(), value(), "PXAT", future],
    () => ["APPEND", key(), value()],
    () => ["INCR", `n${Math.floor(next() * 4)}`],
    () => ["DEL", key(), key()],
    () => ["UNLINK", key()],
    () => ["RPUSH", key(), value(), value()],
    () => ["LPOP", key()],
    () => ["LMOVE", key(), key(), "LEFT", "RIGHT"],
    () => ["HSET", key(), `f${Math.floor(next() * 5)}`, value()],
    () => ["HDEL", key(), `f${Math.floor(next() * 5)}`],
    () => ["SADD", key(), value(), value()],
    () => ["SREM", key(), value()],
    () => ["SUNIONSTORE", key(), key(), key()],
    () => ["ZADD", key(), value(), `m${Math.floor(next() * 5)}`],
    () => ["ZINCRBY", key(), "1.5", `m${Math.floor(next() * 5)}`],
    // Explicit ids: "*" would differ between the engine and its twin.
    () => ["XADD", key(), `${++streamSeq}-1`, "f", value()],
    () => ["PEXPIREAT", key(), future],
    () => ["PERSIST", key()],
    () => ["RENAME", key(), key()],
    () => ["COPY", key(), key(), "REPLACE"],
    () => ["MOVE", key(), String(Math.floor(next() * 3))],
    () => ["SELECT", String(Math.floor(next() * 3))],
    () => ["SWAPDB", String(Math.floor(next() * 3)), String(Math.floor(next() * 3))],
    () => (next() < 0.2 ? ["FLUSHDB"] : ["GET", key()]),
    () => (next() < 0.05 ? ["FLUSHALL"] : ["LRANGE", key(), "0", "-1"]),
  ];
  return pick(writes)();
}

/** A sink that hands every key's commands over as argv arrays. */
function collect(push: (db: number, argv: string[]) => void): SnapshotSink {
  const string = (db: number, key: string, value: string, expireAt: number | undefined): void =>
    push(db, expireAt === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", String(expireAt)]);
  return {
    string,
    storedString: (db, entry, expireAt) => {
      const key = Buffer.alloc(entry.keyLength);
      const value = Buffer.alloc(entry.valueLength);
      entry.copyKey(key, 0);
      entry.copyValue(value, 0);
      string(db, key.toString("latin1"), value.toString("latin1"), expireAt);
    },
    command: (db, argv) => push(db, [...argv]),
  };
}

/** Applies commands [db, argv] as the AOF loader would: through a socketless client, SELECTs included. */
function load(h: TestHarness, commands: readonly (readonly [number, readonly string[]])[]): void {
  let db = -1;
  h.engine.withLoading(() => {
    for (const [index, argv] of commands) {
      if (index !== db) {
        h.engine.replay(["SELECT", String(index)]);
        db = index;
      }
      h.engine.replay(argv);
    }
  });
}

function digest(h: TestHarness): string {
  return h.raw("DEBUG", "DIGEST");
}

function populate(harnesses: readonly TestHarness[], next: () => number): void {
  for (let i = 0; i < 400; i++) {
    const argv = randomWrite(next);
    if (argv[0] === "FLUSHALL" || argv[0] === "FLUSHDB") continue;
    for (const h of harnesses) h.raw(...argv);
  }
  for (const h of harnesses) h.raw("SELECT", "0");
}

describe("LiveSnapshot", () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`writes the dataset as it was at the start while random writes go on (seed ${seed})`, () => {
      const next = seeded(seed);
      const live = new TestHarness();
      const twin = new TestHarness();
      populate([live, twin], seeded(seed * 7919));
      const atStart = digest(live);
      const keysAtStart = live.engine.keyspace.totalKeys();

      const image: [number, string[]][] = [];
      const snapshot = new LiveSnapshot(live.engine.keyspace, collect((db, argv) => image.push([db, argv])));
      live.propagated.length = 0;
      live.raw("SELECT", "0");
      twin.raw("SELECT", "0");
      let steps = 0;
      while (!snapshot.step(Number.POSITIVE_INFINITY, 1 + Math.floor(next() * 6))) {
        steps++;
        const writes = 1 + Math.floor(next() * 12);
        for (let i = 0; i < writes; i++) {
          const argv = randomWrite(next);
          expect(live.raw(...argv), argv.join(" ")).toBe(twin.raw(...argv));
        }
        expect(live.raw("DBSIZE")).toBe(twin.raw("DBSIZE"));
      }
      snapshot.end();
      expect(snapshot.keysWritten).toBeLessThanOrEqual(keysAtStart);

      // The image alone is the dataset at the start...
      const restored = new TestHarness();
      load(restored, image);
      expect(digest(restored)).toBe(atStart);
      // ...and with what was logged meanwhile, the dataset at the end.
      load(restored, live.propagated);
      expect(digest(restored)).toBe(digest(live));
      expect(digest(live)).toBe(digest(twin));
      for (const db of ["0", "1", "2"]) {
        live.raw("SELECT", db);
        twin.raw("SELECT", db);
        expect(live.raw("DBSIZE")).toBe(twin.raw("DBSIZE"));
        const sorted = (h: TestHarness) => h.raw("KEYS", "*").split("\r\n").sort();
        expect(sorted(live)).toEqual(sorted(twin));
      }
      expect(steps).toBeGreaterThan(0);
    });
  }

  it("writes a collection before it changes in place, and only once", () => {
    const h = new TestHarness();
    for (let i = 0; i < 300; i++) h.raw("SET", `s${i}`, "v");
    h.raw("RPUSH", "list", "a", "b");
    const image: string[][] = [];
    const snapshot = new LiveSnapshot(h.engine.keyspace, collect((_db, argv) => image.push(argv)));
    h.raw("RPUSH", "list", "c");
    h.raw("RPUSH", "list", "d");
    snapshot.runToEnd();
    snapshot.end();
    expect(image.filter((argv) => argv[1] === "list")).toEqual([["RPUSH", "list", "a", "b"]]);
    expect(image).toHaveLength(301);
  });

  it("leaves no tombstones behind and detaches from every database", () => {
    const h = new TestHarness();
    for (let i = 0; i < 200; i++) h.raw("SET", `k${i}`, "v");
    const snapshot = new LiveSnapshot(h.engine.keyspace, collect(() => undefined));
    for (let i = 0; i < 100; i++) h.raw("DEL", `k${i}`);
    expect(h.raw("DBSIZE")).toBe(":100\r\n");
    snapshot.runToEnd();
    snapshot.end();
    expect(h.raw("DBSIZE")).toBe(":100\r\n");
    // A second snapshot can attach: the first one let go.
    const again = new LiveSnapshot(h.engine.keyspace, collect(() => undefined));
    again.runToEnd();
    again.end();
    expect(again.keysWritten).toBe(100);
  });

  it("keeps the old tables for the walk when the database is flushed", () => {
    const h = new TestHarness();
    for (let i = 0; i < 500; i++) h.raw("SET", `k${i}`, String(i));
    const image: string[][] = [];
    const snapshot = new LiveSnapshot(h.engine.keyspace, collect((_db, argv) => image.push(argv)));
    snapshot.step(0);
    h.raw("FLUSHALL");
    h.raw("SET", "after", "1");
    snapshot.runToEnd();
    snapshot.end();
    expect(image).toHaveLength(500);
    expect(image.some((argv) => argv[1] === "after")).toBe(false);
    expect(h.raw("DBSIZE")).toBe(":1\r\n");
  });
});
