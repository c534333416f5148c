import { describe, expect, it } from "vitest";
import type { ClientSession } from "../client-session.js";
import { TestHarness } from "../test-support/harness.js";

/*
 * Blocking pops through the engine: several clients of one engine, the blocked client's
 * output read from its reply writer, timeouts driven by expireBlockedClients. Replies are
 * the bytes redis-server 7.0.15 sends in the same situations.
 */

function setup(): { h: TestHarness; a: ClientSession; b: ClientSession; c: ClientSession; woken: ClientSession[] } {
  const h = new TestHarness();
  const woken: ClientSession[] = [];
  h.engine.host = { ...h.engine.host, clientReady: (client) => woken.push(client) };
  return { h, a: h.client, b: h.engine.createClient(), c: h.engine.createClient(), woken };
}

function output(client: ClientSession): string {
  return client.reply.take()?.toString("latin1") ?? "";
}

describe("BLPOP / BRPOP", () => {
  it("pops at once from the first non-empty list and logs a plain LPOP", () => {
    const { h } = setup();
    h.raw("RPUSH", "l2", "a", "b");
    expect(h.raw("BLPOP", "l1", "l2", "0")).toBe("*2\r\n$2\r\nl2\r\n$1\r\na\r\n");
    expect(h.raw("BRPOP", "l1", "l2", "0")).toBe("*2\r\n$2\r\nl2\r\n$1\r\nb\r\n");
    expect(h.propagated.slice(-2)).toEqual([
      [0, ["LPOP", "l2"]],
      [0, ["RPOP", "l2"]],
    ]);
    expect(h.raw("EXISTS", "l2")).toBe(":0\r\n");
  });

  it("blocks, then is served by a push from another client, first blocked first served", () => {
    const { h, a, b, c, woken } = setup();
    expect(h.rawAs(b, "BLPOP", "q", "0")).toBe("");
    expect(h.rawAs(c, "BLPOP", "q", "0")).toBe("");
    expect(h.raw("INFO", "clients")).toContain("blocked_clients:2");
    expect(h.rawAs(a, "RPUSH", "q", "x")).toBe(":1\r\n");
    expect(output(b)).toBe("*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    expect(output(c)).toBe("");
    expect(woken).toEqual([b]);
    expect(b.blocked).toBeUndefined();
    expect(c.blocked).toBeDefined();
    h.rawAs(a, "RPUSH", "q", "y", "z");
    expect(output(c)).toBe("*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
    expect(h.raw("LRANGE", "q", "0", "-1")).toBe("*1\r\n$1\r\nz\r\n");
    // The push is logged, then each served pop as the LPOP it was.
    expect(h.propagated.map(([, argv]) => argv.join(" "))).toEqual(["RPUSH q x", "LPOP q", "RPUSH q y z", "LPOP q"]);
  });

  it("wakes only after a whole MULTI/EXEC, seeing its final state", () => {
    const { h, a, b } = setup();
    h.rawAs(b, "BLPOP", "q", "0");
    h.rawAs(a, "MULTI");
    h.rawAs(a, "RPUSH", "q", "1", "2");
    h.rawAs(a, "LPOP", "q");
    expect(output(b)).toBe("");
    h.rawAs(a, "EXEC");
    expect(output(b)).toBe("*2\r\n$1\r\nq\r\n$1\r\n2\r\n");
  });

  it("a transaction that creates and deletes the key wakes nobody", () => {
    const { h, a, b } = setup();
    h.rawAs(b, "BLPOP", "q", "0");
    h.rawAs(a, "MULTI");
    h.rawAs(a, "RPUSH", "q", "1");
    h.rawAs(a, "DEL", "q");
    h.rawAs(a, "EXEC");
    expect(output(b)).toBe("");
    expect(b.blocked).toBeDefined();
  });

  it("inside MULTI does not block: null array (null bulk for BLMOVE/BRPOPLPUSH)", () => {
    const { h } = setup();
    h.raw("MULTI");
    h.raw("BLPOP", "none", "0");
    h.raw("BLMOVE", "none", "d", "LEFT", "RIGHT", "0");
    h.raw("BRPOPLPUSH", "none", "d", "0");
    h.raw("BZPOPMIN", "none", "0");
    h.raw("BLMPOP", "0", "1", "none", "LEFT");
    h.raw("BZMPOP", "0", "1", "none", "MIN");
    expect(h.raw("EXEC")).toBe("*6\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n");
  });

  it("times out with the null array, in RESP3 too", () => {
    const { h, b, c } = setup();
    h.rawAs(c, "HELLO", "3");
    h.rawAs(b, "BLPOP", "q", "0.05");
    h.rawAs(c, "BRPOP", "q", "0.05");
    h.engine.expireBlockedClients(Date.now() - 1000);
    expect(output(b)).toBe("");
    h.engine.expireBlockedClients(Date.now() + 1000);
    expect(output(b)).toBe("*-1\r\n");
    expect(output(c)).toBe("_\r\n");
    expect(h.engine.blocking.size).toBe(0);
  });

  it("parses timeouts as Redis does", () => {
    const { h } = setup();
    expect(h.raw("BLPOP", "q", "abc")).toBe("-ERR timeout is not a float or out of range\r\n");
    expect(h.raw("BLPOP", "q", "-1")).toBe("-ERR timeout is negative\r\n");
    expect(h.raw("BLPOP", "q", "inf")).toBe("-ERR timeout is negative\r\n");
    expect(h.raw("BLPOP", "q", "1e30")).toBe("-ERR timeout is negative\r\n");
    expect(h.raw("BLPOP", "q", "nan")).toBe("-ERR timeout is not a float or out of range\r\n");
    expect(h.raw("BLPOP", "q", " 1")).toBe("-ERR timeout is not a float or out of range\r\n");
    // Rounded up to a whole millisecond: a tiny timeout is not "forever".
    h.raw("BLPOP", "q", "0.0001");
    expect(h.client.blocked?.deadline).toBeGreaterThan(0);
  });

  it("WRONGTYPE at once for a key of another type; a key becoming another type does not wake", () => {
    const { h, a, b } = setup();
    h.raw("SET", "s", "v");
    expect(h.raw("BLPOP", "s", "0")).toBe("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    h.rawAs(b, "BLPOP", "z", "0");
    h.rawAs(a, "ZADD", "z", "1", "m");
    expect(output(b)).toBe("");
    h.rawAs(a, "DEL", "z");
    h.rawAs(a, "LPUSH", "z", "v");
    expect(output(b)).toBe("*2\r\n$1\r\nz\r\n$1\r\nv\r\n");
  });

  it("serves the key that became ready even when an earlier key of the command has data too", () => {
    const { h, a, b } = setup();
    h.rawAs(b, "BLPOP", "k1", "k2", "0");
    h.rawAs(a, "MULTI");
    h.rawAs(a, "RPUSH", "k2", "from-k2");
    h.rawAs(a, "RPUSH", "k1", "from-k1");
    h.rawAs(a, "EXEC");
    expect(output(b)).toBe("*2\r\n$2\r\nk2\r\n$7\r\nfrom-k2\r\n");
  });

  it("wakes on RENAME, MOVE, COPY, SWAPDB and LMOVE into the key", () => {
    const { h, a, b } = setup();
    h.raw("RPUSH", "src", "1", "2", "3", "4");
    h.rawAs(b, "BLPOP", "r", "0");
    h.rawAs(a, "RENAME", "src", "r");
    expect(output(b)).toBe("*2\r\n$1\r\nr\r\n$1\r\n1\r\n");

    h.rawAs(b, "BLPOP", "c", "0");
    h.rawAs(a, "COPY", "r", "c");
    expect(output(b)).toBe("*2\r\n$1\r\nc\r\n$1\r\n2\r\n");

    h.rawAs(b, "SELECT", "1");
    h.rawAs(b, "BLPOP", "r", "0");
    h.rawAs(a, "MOVE", "r", "1");
    expect(output(b)).toBe("*2\r\n$1\r\nr\r\n$1\r\n2\r\n");

    h.rawAs(a, "RPUSH", "w", "from-db0");
    h.rawAs(b, "BLPOP", "w", "0");
    h.rawAs(a, "SWAPDB", "0", "1");
    expect(output(b)).toBe("*2\r\n$1\r\nw\r\n$8\r\nfrom-db0\r\n");

    h.rawAs(b, "BLPOP", "dst", "0");
    h.rawAs(a, "SELECT", "1");
    h.rawAs(a, "RPUSH", "s2", "moved");
    h.rawAs(a, "LMOVE", "s2", "dst", "LEFT", "RIGHT");
    expect(output(b)).toBe("*2\r\n$3\r\ndst\r\n$5\r\nmoved\r\n");
  });

  it("a client that disconnects while blocked is forgotten", () => {
    const { h, a, b, c } = setup();
    h.rawAs(b, "BLPOP", "q", "0");
    h.rawAs(c, "BLPOP", "q", "0");
    h.engine.releaseClient(b);
    h.rawAs(a, "RPUSH", "q", "x");
    expect(output(c)).toBe("*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
  });

  it("CLIENT UNBLOCK answers as a timeout, or with the UNBLOCKED error", () => {
    const { h, a, b, c } = setup();
    h.rawAs(b, "BLPOP", "q", "0");
    h.rawAs(c, "BLPOP", "q", "0");
    expect(h.rawAs(a, "CLIENT", "UNBLOCK", String(b.id))).toBe(":1\r\n");
    expect(output(b)).toBe("*-1\r\n");
    expect(h.rawAs(a, "CLIENT", "UNBLOCK", String(c.id), "ERROR")).toBe(":1\r\n");
    expect(output(c)).toBe("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    expect(h.rawAs(a, "CLIENT", "UNBLOCK", String(c.id))).toBe(":0\r\n");
    expect(h.rawAs(a, "CLIENT", "UNBLOCK", "1", "foo")).toBe("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
  });
});

describe("BLMOVE / BRPOPLPUSH / BLMPOP", () => {
  it("BLMOVE moves at once and logs LMOVE; waits and is served later, logging LMOVE again", () => {
    const { h, a, b } = setup();
    h.raw("RPUSH", "s", "1");
    expect(h.raw("BLMOVE", "s", "d", "left", "right", "0")).toBe("$1\r\n1\r\n");
    expect(h.propagated.at(-1)).toEqual([0, ["LMOVE", "s", "d", "left", "right"]]);
    expect(h.rawAs(b, "BRPOPLPUSH", "s", "d", "0")).toBe("");
    h.rawAs(a, "RPUSH", "s", "2");
    expect(output(b)).toBe("$1\r\n2\r\n");
    expect(h.propagated.at(-1)).toEqual([0, ["RPOPLPUSH", "s", "d"]]);
    expect(h.raw("LRANGE", "d", "0", "-1")).toBe("*2\r\n$1\r\n2\r\n$1\r\n1\r\n");
  });

  it("chains: a BLMOVE served into a key another client waits on serves that client too", () => {
    const { h, a, b, c } = setup();
    h.rawAs(b, "BLMOVE", "first", "second", "LEFT", "LEFT", "0");
    h.rawAs(c, "BLPOP", "second", "0");
    h.rawAs(a, "LPUSH", "first", "job");
    expect(output(b)).toBe("$3\r\njob\r\n");
    expect(output(c)).toBe("*2\r\n$6\r\nsecond\r\n$3\r\njob\r\n");
  });

  it("BLMPOP pops up to COUNT and logs the count popped", () => {
    const { h, a, b } = setup();
    expect(h.rawAs(b, "BLMPOP", "0", "2", "x", "y", "RIGHT", "COUNT", "5")).toBe("");
    h.rawAs(a, "RPUSH", "y", "1", "2", "3");
    expect(output(b)).toBe("*2\r\n$1\r\ny\r\n*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
    expect(h.propagated.at(-1)).toEqual([0, ["RPOP", "y", "3"]]);
    expect(h.raw("BLMPOP", "-1", "1", "x", "LEFT")).toBe("-ERR timeout is negative\r\n");
    expect(h.raw("BLMPOP", "0", "0", "x", "LEFT")).toBe("-ERR numkeys should be greater than 0\r\n");
  });
});

describe("BZPOPMIN / BZPOPMAX / BZMPOP", () => {
  it("pops at once: [key, member, score], logged as ZPOPMIN without a count", () => {
    const { h } = setup();
    h.raw("ZADD", "z", "1", "a", "2", "b");
    expect(h.raw("BZPOPMIN", "none", "z", "0")).toBe("*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
    expect(h.propagated.at(-1)).toEqual([0, ["ZPOPMIN", "z"]]);
    h.raw("HELLO", "3");
    expect(h.raw("BZPOPMAX", "z", "0")).toBe("*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2\r\n");
    expect(h.propagated.at(-1)).toEqual([0, ["ZPOPMAX", "z"]]);
  });

  it("blocks until ZADD; BZMPOP logs the count it popped", () => {
    const { h, a, b, c } = setup();
    h.rawAs(b, "BZPOPMAX", "z", "0");
    h.rawAs(c, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "10");
    h.rawAs(a, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    expect(output(b)).toBe("*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n");
    expect(output(c)).toBe("*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    expect(h.propagated.map(([, argv]) => argv.join(" "))).toEqual(["ZADD z 1 a 2 b 3 c", "ZPOPMAX z", "ZPOPMIN z 2"]);
  });

  it("ZUNIONSTORE into the awaited key wakes the client", () => {
    const { h, a, b } = setup();
    h.raw("ZADD", "src", "5", "m");
    h.rawAs(b, "BZPOPMIN", "dst", "0");
    h.rawAs(a, "ZUNIONSTORE", "dst", "1", "src");
    expect(output(b)).toBe("*3\r\n$3\r\ndst\r\n$1\r\nm\r\n$1\r\n5\r\n");
  });
});

describe("stream readers when their stream goes away", () => {
  it("FLUSHALL, SWAPDB and MOVE end a blocked XREADGROUP with UNBLOCKED; XREAD keeps waiting", () => {
    const { h, a, b, c } = setup();
    for (const move of [["FLUSHALL"], ["SWAPDB", "0", "1"], ["MOVE", "s", "1"]]) {
      h.rawAs(a, "FLUSHALL");
      h.rawAs(a, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
      expect(h.rawAs(b, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")).toBe("");
      expect(h.rawAs(c, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")).toBe("");
      h.rawAs(a, ...move);
      expect(output(b)).toBe("-UNBLOCKED the stream key no longer exists\r\n");
      expect(output(c)).toBe("");
      expect(c.blocked).toBeDefined();
      h.engine.unblock(c, undefined);
      output(c);
    }
  });
});
