import { afterEach, describe, expect, it, vi } from "vitest";
import { detachedHost, type EngineHost, type ShutdownRequest } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";

afterEach(() => {
  vi.useRealTimers();
});

function withHost(overrides: Partial<EngineHost>): TestHarness {
  const h = new TestHarness();
  h.engine.host = { ...detachedHost, ...overrides };
  return h;
}

describe("DBSIZE", () => {
  it("counts the keys of the selected database", () => {
    const h = new TestHarness();
    expect(h.raw("DBSIZE")).toBe(":0\r\n");
    h.raw("SET", "a", "1");
    h.raw("SET", "b", "1");
    expect(h.raw("DBSIZE")).toBe(":2\r\n");
    h.raw("SELECT", "1");
    expect(h.raw("DBSIZE")).toBe(":0\r\n");
    expect(h.raw("DBSIZE", "x")).toBe("-ERR wrong number of arguments for 'dbsize' command\r\n");
  });
});

describe("FLUSHDB / FLUSHALL", () => {
  it("FLUSHDB empties the selected database only", () => {
    const h = new TestHarness();
    h.raw("SET", "a", "1");
    h.raw("SELECT", "1");
    h.raw("SET", "b", "1");
    expect(h.raw("FLUSHDB")).toBe("+OK\r\n");
    expect(h.raw("DBSIZE")).toBe(":0\r\n");
    h.raw("SELECT", "0");
    expect(h.raw("DBSIZE")).toBe(":1\r\n");
    expect(h.raw("FLUSHDB", "ASYNC")).toBe("+OK\r\n");
    expect(h.raw("FLUSHDB", "sync")).toBe("+OK\r\n");
  });

  it("FLUSHALL empties every database", () => {
    const h = new TestHarness();
    h.raw("SET", "a", "1");
    h.raw("SELECT", "5");
    h.raw("SET", "b", "1", "EX", "100");
    expect(h.raw("FLUSHALL", "SYNC")).toBe("+OK\r\n");
    expect(h.engine.keyspace.totalKeys()).toBe(0);
    expect(h.engine.keyspace.db(5).expiresSize).toBe(0);
  });

  it("rejects anything but one SYNC or ASYNC", () => {
    const h = new TestHarness();
    expect(h.raw("FLUSHDB", "x")).toBe("-ERR syntax error\r\n");
    expect(h.raw("FLUSHDB", "sync", "async")).toBe("-ERR syntax error\r\n");
    expect(h.raw("FLUSHALL", "now")).toBe("-ERR syntax error\r\n");
  });

  it("is propagated even when there was nothing to remove", () => {
    const h = new TestHarness();
    h.raw("FLUSHALL");
    h.raw("SELECT", "2");
    h.raw("FLUSHDB", "ASYNC");
    h.raw("SET", "k", "v");
    h.raw("FLUSHDB");
    expect(h.propagated).toEqual([
      [0, ["FLUSHALL"]],
      [2, ["FLUSHDB", "ASYNC"]],
      [2, ["SET", "k", "v"]],
      [2, ["FLUSHDB"]],
    ]);
    h.raw("FLUSHDB", "x");
    expect(h.propagated).toHaveLength(4);
  });

  it("invalidates WATCHes of the keys it removes, and only those", () => {
    const h = new TestHarness();
    h.raw("SET", "a", "1");
    h.raw("SELECT", "3");
    h.raw("SET", "c", "1");
    const watchingA = h.engine.createClient();
    const watchingC = h.engine.createClient();
    const watchingMissing = h.engine.createClient();
    h.rawAs(watchingA, "WATCH", "a");
    h.rawAs(watchingC, "SELECT", "3");
    h.rawAs(watchingC, "WATCH", "c");
    h.rawAs(watchingMissing, "WATCH", "nothing");
    h.raw("FLUSHDB");
    expect([watchingA.watchInvalidated, watchingC.watchInvalidated]).toEqual([false, true]);
    h.raw("FLUSHALL");
    expect([watchingA.watchInvalidated, watchingMissing.watchInvalidated]).toEqual([true, false]);
  });
});

describe("TIME / LASTSAVE", () => {
  it("TIME replies unix seconds and microseconds as bulk strings", () => {
    const h = new TestHarness();
    const before = Date.now();
    const reply = h.raw("TIME");
    const match = /^\*2\r\n\$(\d+)\r\n(\d+)\r\n\$(\d+)\r\n(\d+)\r\n$/.exec(reply);
    expect(match).not.toBeNull();
    const [, secondsLength, seconds, microsLength, micros] = match!;
    expect(seconds!.length).toBe(Number(secondsLength));
    expect(micros!.length).toBe(Number(microsLength));
    expect(Number(micros)).toBeLessThan(1_000_000);
    expect(Math.abs(Number(seconds) * 1000 - before)).toBeLessThan(2000);
    expect(h.raw("TIME", "x")).toBe("-ERR wrong number of arguments for 'time' command\r\n");
  });

  it("LASTSAVE asks the host", () => {
    const h = withHost({ lastSave: () => 1700000000 });
    expect(h.raw("LASTSAVE")).toBe(":1700000000\r\n");
  });
});

describe("BGREWRITEAOF / SAVE / BGSAVE", () => {
  it("BGREWRITEAOF replies the host's status or error", () => {
    expect(withHost({ rewriteAof: () => ({ status: "Background append only file rewriting started" }) }).raw("BGREWRITEAOF")).toBe(
      "+Background append only file rewriting started\r\n",
    );
    expect(new TestHarness().raw("BGREWRITEAOF")).toBe("-ERR Background append only file rewriting is not available\r\n");
  });

  it("SAVE and BGSAVE are served by an AOF rewrite", () => {
    let rewrites = 0;
    const h = withHost({ rewriteAof: () => (rewrites++, { status: "Background append only file rewriting started" }) });
    expect(h.raw("SAVE")).toBe("+OK\r\n");
    expect(h.raw("BGSAVE")).toBe("+Background saving started\r\n");
    expect(h.raw("BGSAVE", "SCHEDULE")).toBe("+Background saving started\r\n");
    expect(rewrites).toBe(3);
    expect(h.raw("BGSAVE", "x")).toBe("-ERR syntax error\r\n");
    expect(h.raw("BGSAVE", "SCHEDULE", "x")).toBe("-ERR syntax error\r\n");
  });

  it("BGSAVE while a rewrite runs: Redis's error, or scheduled", () => {
    const h = withHost({ rewriteAof: () => ({ error: "ERR Background append only file rewriting already in progress" }) });
    expect(h.raw("BGSAVE")).toBe(
      "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
    );
    expect(h.raw("BGSAVE", "SCHEDULE")).toBe("+Background saving scheduled\r\n");
    expect(h.raw("SAVE")).toBe("-ERR Background append only file rewriting already in progress\r\n");
  });
});

describe("SHUTDOWN", () => {
  function recording(result: string | undefined): { h: TestHarness; requests: ShutdownRequest[] } {
    const requests: ShutdownRequest[] = [];
    const h = withHost({ shutdown: (request) => (requests.push(request), result) });
    return { h, requests };
  }

  it("passes the options to the host and replies nothing once the shutdown is under way", () => {
    const { h, requests } = recording(undefined);
    expect(h.raw("SHUTDOWN")).toBe("");
    expect(h.raw("shutdown", "NOSAVE", "now", "FORCE")).toBe("");
    expect(h.raw("SHUTDOWN", "SAVE")).toBe("");
    expect(requests).toEqual([
      { save: undefined, now: false, force: false, abort: false },
      { save: false, now: true, force: true, abort: false },
      { save: true, now: false, force: false, abort: false },
    ]);
  });

  it("replies the host's error when it cannot shut down, with an error code", () => {
    expect(recording("Errors trying to SHUTDOWN. Check logs.").h.raw("SHUTDOWN")).toBe("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  });

  it("ABORT replies OK, or the host's error", () => {
    expect(recording(undefined).h.raw("SHUTDOWN", "ABORT")).toBe("+OK\r\n");
    expect(recording("ERR No shutdown in progress.").h.raw("SHUTDOWN", "ABORT")).toBe("-ERR No shutdown in progress.\r\n");
  });

  it("rejects unknown and contradictory options", () => {
    const { h, requests } = recording(undefined);
    expect(h.raw("SHUTDOWN", "x")).toBe("-ERR syntax error\r\n");
    expect(h.raw("SHUTDOWN", "NOSAVE", "SAVE")).toBe("-ERR syntax error\r\n");
    expect(h.raw("SHUTDOWN", "ABORT", "NOW")).toBe("-ERR syntax error\r\n");
    expect(requests).toEqual([]);
  });
});
