import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseNotifyFlags } from "../core-config.js";
import { TestHarness } from "../test-support/harness.js";
import { recordKeyEvents } from "../test-support/observed-harness.js";
import { array as arr, bulk, err, int, NIL_ARRAY, NULL3, OK } from "../test-support/resp-bytes.js";
import { StreamValue } from "../types/stream-value.js";

/*
 * Streams through the engine: exact RESP bytes (as observed from redis-server 7.0.15),
 * error texts, propagated forms, notifications, blocking, and the AOF rewrite form.
 * streams.differential.test.ts runs the same commands against a live redis-server.
 */

const NOW = 1_700_000_000_000;

let h: TestHarness;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  h = new TestHarness();
});

afterEach(() => {
  vi.useRealTimers();
});

const map = (...pairs: string[]): string => `%${pairs.length / 2}\r\n${pairs.join("")}`;
const entry = (id: string, ...fields: string[]): string => arr(bulk(id), arr(...fields.map(bulk)));

function streamAt(harness: TestHarness, key: string): StreamValue {
  const value = harness.engine.keyspace.db(0).peek(key);
  if (!(value instanceof StreamValue)) throw new Error(`${key} is not a stream`);
  return value;
}

function run(...commands: string[][]): void {
  for (const argv of commands) h.raw(...argv);
}

function add(key: string, count: number, first = 1): void {
  for (let i = first; i < first + count; i++) h.raw("XADD", key, `${i}-0`, "f", String(i));
}

describe("XADD, XLEN, XRANGE, XREVRANGE", () => {
  it("replies the new ID and the entries, in RESP2 and RESP3", () => {
    expect(h.raw("XADD", "s", "1-1", "name", "alice", "age", "30")).toBe(bulk("1-1"));
    expect(h.raw("XADD", "s", "2", "name", "bob")).toBe(bulk("2-0"));
    expect(h.raw("XLEN", "s")).toBe(int(2));
    expect(h.raw("XLEN", "nokey")).toBe(int(0));
    const all = arr(entry("1-1", "name", "alice", "age", "30"), entry("2-0", "name", "bob"));
    expect(h.raw("XRANGE", "s", "-", "+")).toBe(all);
    expect(h.raw("XREVRANGE", "s", "+", "-", "COUNT", "1")).toBe(arr(entry("2-0", "name", "bob")));
    expect(h.raw("XRANGE", "s", "(1-1", "+")).toBe(arr(entry("2-0", "name", "bob")));
    expect(h.raw("XRANGE", "s", "-", "+", "COUNT", "0")).toBe(NIL_ARRAY);
    expect(h.raw("XRANGE", "nokey", "-", "+")).toBe("*0\r\n");
    h.raw("HELLO", "3");
    expect(h.raw("XRANGE", "s", "-", "+")).toBe(all);
    expect(h.raw("XRANGE", "s", "-", "+", "COUNT", "0")).toBe(NULL3);
    expect(h.raw("XADD", "nokey", "NOMKSTREAM", "*", "f", "v")).toBe(NULL3);
  });

  it("generates IDs from the command clock, never going backwards, and logs them", () => {
    expect(h.raw("XADD", "s", "*", "f", "v")).toBe(bulk(`${NOW}-0`));
    expect(h.raw("XADD", "s", "*", "f", "v")).toBe(bulk(`${NOW}-1`));
    vi.setSystemTime(NOW - 5000);
    expect(h.raw("XADD", "s", "*", "f", "v")).toBe(bulk(`${NOW}-2`));
    vi.setSystemTime(NOW + 1);
    expect(h.raw("XADD", "s", "MAXLEN", "~", "100", "*", "f", "v")).toBe(bulk(`${NOW + 1}-0`));
    expect(h.raw("XADD", "s", `${NOW + 1}-*`, "f", "v")).toBe(bulk(`${NOW + 1}-1`));
    expect(h.raw("XADD", "s", `${NOW + 7}-*`, "f", "v")).toBe(bulk(`${NOW + 7}-0`));
    expect(h.propagated).toEqual([
      [0, ["XADD", "s", `${NOW}-0`, "f", "v"]],
      [0, ["XADD", "s", `${NOW}-1`, "f", "v"]],
      [0, ["XADD", "s", `${NOW}-2`, "f", "v"]],
      [0, ["XADD", "s", "MAXLEN", "=", "4", `${NOW + 1}-0`, "f", "v"]],
      [0, ["XADD", "s", `${NOW + 1}-1`, "f", "v"]],
      [0, ["XADD", "s", `${NOW + 7}-0`, "f", "v"]],
    ]);
  });

  it("carries the sequence into the milliseconds and stops at the last possible ID", () => {
    expect(h.raw("XADD", "s", "5-18446744073709551615", "f", "v")).toBe(bulk("5-18446744073709551615"));
    expect(h.raw("XADD", "s", "*", "f", "v")).toBe(bulk(`${NOW}-0`));
    expect(h.raw("XADD", "t", "9999999999999-18446744073709551615", "f", "v")).toBe(bulk("9999999999999-18446744073709551615"));
    expect(h.raw("XADD", "t", "*", "f", "v")).toBe(bulk("10000000000000-0"));
    expect(h.raw("XADD", "t", "10000000000000-*", "f", "v")).toBe(bulk("10000000000000-1"));
    expect(h.raw("XADD", "u", "7-18446744073709551615", "f", "v")).toBe(bulk("7-18446744073709551615"));
    // Redis 7.0 reports the sequence overflow with the size error (errno is left unset there).
    expect(h.raw("XADD", "u", "7-*", "f", "v")).toBe(err("ERR Elements are too large to be stored"));
    const max = "18446744073709551615-18446744073709551615";
    expect(h.raw("XADD", "u", max, "f", "v")).toBe(bulk(max));
    expect(h.raw("XADD", "u", "*", "f", "v")).toBe(err("ERR The stream has exhausted the last possible ID, unable to add more items"));
    expect(h.raw("XADD", "big", "9007199254740993-9007199254740993", "f", "v")).toBe(bulk("9007199254740993-9007199254740993"));
    expect(h.raw("XADD", "big", "9007199254740993-*", "f", "v")).toBe(bulk("9007199254740993-9007199254740994"));
    expect(h.raw("XRANGE", "big", "(9007199254740993-9007199254740993", "+")).toBe(arr(entry("9007199254740993-9007199254740994", "f", "v")));
  });

  it("parses IDs the way string2ull does", () => {
    const accepted: [string, string][] = [
      [" 5", "5-0"],
      ["+6", "6-0"],
      ["007", "7-0"],
      ["8-\t3", "8-3"],
      ["9\x00junk", "9-0"],
      ["10--01", "10-18446744073709551615"],
    ];
    for (const [id, expected] of accepted) expect(h.raw("XADD", "s", id, "f", "v")).toBe(bulk(expected));
    for (const id of ["-0", "abc", "", "11-", "-", "+", "1-2-3", "18446744073709551616", "0x10", "12 ", "x".repeat(128)]) {
      expect(h.raw("XADD", "s", id, "f", "v")).toBe(err("ERR Invalid stream ID specified as stream command argument"));
    }
  });

  it("refuses bad arguments with Redis's texts", () => {
    h.raw("XADD", "s", "5-0", "f", "v");
    const cases: [string[], string][] = [
      [["XADD", "s", "0-0", "f", "v"], "ERR The ID specified in XADD must be greater than 0-0"],
      [["XADD", "s", "4-0", "f", "v"], "ERR The ID specified in XADD is equal or smaller than the target stream top item"],
      [["XADD", "s", "5-0", "f", "v"], "ERR The ID specified in XADD is equal or smaller than the target stream top item"],
      [["XADD", "s", "4-*", "f", "v"], "ERR The ID specified in XADD is equal or smaller than the target stream top item"],
      [["XADD", "s", "6-0", "f"], "ERR wrong number of arguments for 'xadd' command"],
      [["XADD", "s", "*", "*", "f", "v"], "ERR wrong number of arguments for 'xadd' command"],
      [["XADD", "s", "MAXLEN", "-1", "*", "f", "v"], "ERR The MAXLEN argument must be >= 0."],
      [["XADD", "s", "MAXLEN", "x", "*", "f", "v"], "ERR value is not an integer or out of range"],
      [["XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"], "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"],
      [["XADD", "s", "LIMIT", "5", "*", "f", "v"], "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"],
      [["XADD", "s", "MAXLEN", "5", "LIMIT", "5", "*", "f", "v"], "ERR syntax error, LIMIT cannot be used without the special ~ option"],
      [["XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "f", "v"], "ERR The LIMIT argument must be >= 0."],
      [["XADD", "s", "MINID", "-", "*", "f", "v"], "ERR Invalid stream ID specified as stream command argument"],
      [["XTRIM", "s", "LIMIT", "5"], "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"],
      [["XTRIM", "s", "NOMKSTREAM", "MAXLEN", "1"], "ERR syntax error"],
      [["XTRIM", "s", "MAXLEN"], "ERR wrong number of arguments for 'xtrim' command"],
      [["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"], "ERR invalid start ID for the interval"],
      [["XRANGE", "s", "-", "(0-0"], "ERR invalid end ID for the interval"],
      [["XRANGE", "s", "(-", "+"], "ERR Invalid stream ID specified as stream command argument"],
      [["XRANGE", "s", "-", "+", "COUNT"], "ERR syntax error"],
      [["XDEL", "s", "5-0", "x"], "ERR Invalid stream ID specified as stream command argument"],
      [["XSETID", "s", "4-0"], "ERR The ID specified in XSETID is smaller than the target stream top item"],
      [["XSETID", "s", "9-0", "ENTRIESADDED", "0"], "ERR The entries_added specified in XSETID is smaller than the target stream length"],
      [["XSETID", "s", "9-0", "ENTRIESADDED", "-1"], "ERR entries_added must be positive"],
      [["XSETID", "s", "9-0", "MAXDELETEDID", "10-0"], "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"],
      [["XSETID", "nokey", "9-0"], "ERR no such key"],
    ];
    for (const [argv, error] of cases) expect(h.raw(...argv), argv.join(" ")).toBe(err(error));
    expect(h.raw("XLEN", "s")).toBe(int(1));
    h.raw("SET", "str", "v");
    for (const argv of [["XADD", "str", "*", "f", "v"], ["XLEN", "str"], ["XRANGE", "str", "-", "+"], ["XDEL", "str", "1"], ["XINFO", "STREAM", "str"]]) {
      expect(h.raw(...argv)).toBe(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }
  });

  it("is a stream to TYPE, OBJECT ENCODING and SCAN, and stays when emptied", () => {
    h.raw("XADD", "s", "1", "f", "v");
    expect(h.raw("TYPE", "s")).toBe("+stream\r\n");
    expect(h.raw("OBJECT", "ENCODING", "s")).toBe(bulk("stream"));
    expect(h.raw("SCAN", "0", "TYPE", "stream")).toBe(arr(bulk("0"), arr(bulk("s"))));
    expect(h.raw("XDEL", "s", "1-0")).toBe(int(1));
    expect(h.raw("EXISTS", "s")).toBe(int(1));
    expect(h.raw("XLEN", "s")).toBe(int(0));
  });
});

describe("XDEL, XTRIM and the node layout", () => {
  it("reports radix-tree keys and nodes as Redis lays its listpacks out", () => {
    add("s", 250);
    const head = (key: string): string => h.raw("XINFO", "STREAM", key).split("\r\n").slice(1, 10).join(" ");
    expect(head("s")).toBe("$6 length :250 $15 radix-tree-keys :3 $16 radix-tree-nodes :8");
    // Approximate trimming removes whole nodes only, then logs what it did as an exact trim.
    expect(h.raw("XTRIM", "s", "MAXLEN", "~", "180")).toBe(int(0));
    expect(h.raw("XTRIM", "s", "MAXLEN", "~", "140")).toBe(int(100));
    expect(h.raw("XTRIM", "s", "MAXLEN", "145")).toBe(int(5));
    expect(head("s")).toBe("$6 length :145 $15 radix-tree-keys :2 $16 radix-tree-nodes :6");
    expect(h.raw("XTRIM", "s", "MINID", "~", "210")).toBe(int(95));
    expect(h.raw("XTRIM", "s", "MINID", "210")).toBe(int(9));
    expect(h.propagated.slice(-4)).toEqual([
      [0, ["XTRIM", "s", "MAXLEN", "=", "150"]],
      [0, ["XTRIM", "s", "MAXLEN", "145"]],
      [0, ["XTRIM", "s", "MINID", "=", "201-0"]],
      [0, ["XTRIM", "s", "MINID", "210"]],
    ]);
    // Nodes split by bytes too (stream-node-max-bytes, 4096 by default).
    for (let i = 1; i <= 12; i++) h.raw("XADD", "big", `${i}-0`, "f", "x".repeat(1000));
    expect(head("big")).toBe("$6 length :12 $15 radix-tree-keys :3 $16 radix-tree-nodes :8");
  });

  it("keeps tombstones, the first ID and the highest deleted ID as Redis does", () => {
    add("s", 4);
    expect(h.raw("XDEL", "s", "1-0", "3-0", "3-0", "9-0")).toBe(int(2));
    const info = h.raw("XINFO", "STREAM", "s").split("\r\n");
    const field = (name: string): string => info[info.indexOf(name) + 2]!;
    expect(field("max-deleted-entry-id")).toBe("3-0");
    expect(field("recorded-first-entry-id")).toBe("2-0");
    expect(h.raw("XDEL", "nokey", "junk")).toBe(int(0));
    expect(h.raw("XRANGE", "s", "-", "+")).toBe(arr(entry("2-0", "f", "2"), entry("4-0", "f", "4")));
  });
});

describe("consumer groups", () => {
  it("XREADGROUP delivers, records pending entries and serves history", () => {
    add("s", 3);
    expect(h.raw("XGROUP", "CREATE", "s", "g", "0")).toBe(OK);
    expect(h.raw("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")).toBe(
      arr(arr(bulk("s"), arr(entry("1-0", "f", "1"), entry("2-0", "f", "2")))),
    );
    expect(h.raw("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")).toBe(arr(arr(bulk("s"), arr(entry("3-0", "f", "3")))));
    expect(h.raw("XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">")).toBe(NIL_ARRAY);
    expect(h.raw("XPENDING", "s", "g")).toBe(arr(int(3), bulk("1-0"), bulk("3-0"), arr(arr(bulk("alice"), bulk("2")), arr(bulk("bob"), bulk("1")))));
    vi.setSystemTime(NOW + 250);
    expect(h.raw("XPENDING", "s", "g", "-", "+", "10", "alice")).toBe(
      arr(arr(bulk("1-0"), bulk("alice"), int(250), int(1)), arr(bulk("2-0"), bulk("alice"), int(250), int(1))),
    );
    expect(h.raw("XPENDING", "s", "g", "IDLE", "300", "-", "+", "10")).toBe("*0\r\n");
    h.raw("XDEL", "s", "2-0");
    // History: the consumer's own pending entries, counted as delivered again; a deleted one comes back nil.
    expect(h.raw("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")).toBe(arr(arr(bulk("s"), arr(entry("1-0", "f", "1"), arr(bulk("2-0"), NIL_ARRAY)))));
    expect(h.raw("XPENDING", "s", "g", "-", "+", "1")).toBe(arr(arr(bulk("1-0"), bulk("alice"), int(0), int(2))));
    expect(h.raw("XACK", "s", "g", "1-0", "2-0", "7-0")).toBe(int(2));
    expect(h.raw("XPENDING", "s", "g")).toBe(arr(int(1), bulk("3-0"), bulk("3-0"), arr(arr(bulk("bob"), bulk("1")))));
    // carol was never served, so Redis 7.0 never created her.
    expect(h.raw("XINFO", "CONSUMERS", "s", "g")).toBe(
      arr(arr(bulk("name"), bulk("alice"), bulk("pending"), int(0), bulk("idle"), int(0)), arr(bulk("name"), bulk("bob"), bulk("pending"), int(1), bulk("idle"), int(250))),
    );
    h.raw("HELLO", "3");
    expect(h.raw("XPENDING", "s", "nogroup")).toBe(err("NOGROUP No such key 's' or consumer group 'nogroup'"));
    h.raw("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM");
    expect(h.raw("XPENDING", "e", "g")).toBe(arr(int(0), NULL3, NULL3, NULL3));
    expect(h.raw("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0")).toBe(map(bulk("s"), arr(entry("3-0", "f", "3"))));
  });

  it("reports groups, consumers and read counters (RESP3 maps)", () => {
    add("s", 3);
    h.raw("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "0");
    h.raw("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
    h.raw("HELLO", "3");
    expect(h.raw("XINFO", "GROUPS", "s")).toBe(
      arr(map(bulk("name"), bulk("g"), bulk("consumers"), int(1), bulk("pending"), int(1), bulk("last-delivered-id"), bulk("1-0"), bulk("entries-read"), int(1), bulk("lag"), int(2))),
    );
    h.raw("XGROUP", "SETID", "s", "g", "2-0");
    expect(h.raw("XINFO", "GROUPS", "s")).toContain(`${bulk("entries-read")}${NULL3}${bulk("lag")}${NULL3}`);
    expect(h.raw("XINFO", "STREAM", "s")).toBe(
      map(
        bulk("length"), int(3), bulk("radix-tree-keys"), int(1), bulk("radix-tree-nodes"), int(2),
        bulk("last-generated-id"), bulk("3-0"), bulk("max-deleted-entry-id"), bulk("0-0"), bulk("entries-added"), int(3),
        bulk("recorded-first-entry-id"), bulk("1-0"), bulk("groups"), int(1),
        bulk("first-entry"), entry("1-0", "f", "1"), bulk("last-entry"), entry("3-0", "f", "3"),
      ),
    );
    expect(h.raw("XINFO", "STREAM", "s", "FULL", "COUNT", "1")).toBe(
      map(
        bulk("length"), int(3), bulk("radix-tree-keys"), int(1), bulk("radix-tree-nodes"), int(2),
        bulk("last-generated-id"), bulk("3-0"), bulk("max-deleted-entry-id"), bulk("0-0"), bulk("entries-added"), int(3),
        bulk("recorded-first-entry-id"), bulk("1-0"),
        bulk("entries"), arr(entry("1-0", "f", "1")),
        bulk("groups"),
        arr(
          map(
            bulk("name"), bulk("g"), bulk("last-delivered-id"), bulk("2-0"), bulk("entries-read"), NULL3, bulk("lag"), NULL3,
            bulk("pel-count"), int(1), bulk("pending"), arr(arr(bulk("1-0"), bulk("c"), int(NOW), int(1))),
            bulk("consumers"), arr(map(bulk("name"), bulk("c"), bulk("seen-time"), int(NOW), bulk("pel-count"), int(1), bulk("pending"), arr(arr(bulk("1-0"), int(NOW), int(1))))),
          ),
        ),
      ),
    );
    expect(h.raw("XINFO", "STREAM", "nokey")).toBe(err("ERR no such key"));
    expect(h.raw("XINFO", "STREAM", "s", "FULL", "COUNT")).toBe(err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."));
    expect(h.raw("XINFO", "CONSUMERS", "s", "x")).toBe(err("NOGROUP No such consumer group 'x' for key name 's'"));
  });

  it("XGROUP subcommands and their errors", () => {
    const cases: [string[], string][] = [
      [["XGROUP", "CREATE", "s", "g", "0"], err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")],
      [["XGROUP", "CREATE", "s", "g", "bad", "MKSTREAM"], err("ERR Invalid stream ID specified as stream command argument")],
      [["EXISTS", "s"], int(0)],
      [["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"], OK],
      [["XGROUP", "CREATE", "s", "g", "$"], err("BUSYGROUP Consumer Group name already exists")],
      [["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2"], err("ERR value for ENTRIESREAD must be positive or -1")],
      [["XGROUP", "CREATE", "s", "g2", "0", "FOO"], err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")],
      [["XGROUP", "SETID", "s", "nog", "0"], err("NOGROUP No such consumer group 'nog' for key name 's'")],
      [["XGROUP", "SETID", "s", "g", "0", "MKSTREAM"], err("ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.")],
      [["XGROUP", "SETID", "s", "g", "+"], OK],
      [["XGROUP", "CREATECONSUMER", "s", "g", "c"], int(1)],
      [["XGROUP", "CREATECONSUMER", "s", "g", "c"], int(0)],
      [["XGROUP", "DELCONSUMER", "s", "g", "c"], int(0)],
      [["XGROUP", "DELCONSUMER", "s", "g", "c"], int(0)],
      [["XGROUP", "DESTROY", "s", "g"], int(1)],
      [["XGROUP", "DESTROY", "s", "g"], int(0)],
      [["XGROUP", "FOO"], err("ERR unknown subcommand 'FOO'. Try XGROUP HELP.")],
      [["XGROUP", "CREATE", "s"], err("ERR wrong number of arguments for 'xgroup|create' command")],
    ];
    for (const [argv, reply] of cases) expect(h.raw(...argv), argv.join(" ")).toBe(reply);
    expect(h.raw("XGROUP", "HELP").split("\r\n")[1]).toBe("+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(h.raw("XINFO", "HELP")).toBe(
      "*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n" +
        "+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n",
    );
  });

  it("XCLAIM and XAUTOCLAIM move pending entries, dropping deleted ones", () => {
    add("s", 4);
    h.raw("XGROUP", "CREATE", "s", "g", "0");
    h.raw("XREADGROUP", "GROUP", "g", "dead", "STREAMS", "s", ">");
    vi.setSystemTime(NOW + 60_000);
    expect(h.raw("XCLAIM", "s", "g", "alive", "100000", "1-0")).toBe("*0\r\n");
    expect(h.raw("XCLAIM", "s", "g", "alive", "60000", "1-0", "JUSTID")).toBe(arr(bulk("1-0")));
    expect(h.raw("XCLAIM", "s", "g", "alive", "0", "99-0", "FORCE")).toBe("*0\r\n");
    expect(h.raw("XCLAIM", "s", "g", "alive", "0", "2-0", "TIME", "1000", "RETRYCOUNT", "9")).toBe(arr(entry("2-0", "f", "2")));
    expect(h.raw("XPENDING", "s", "g", "2-0", "2-0", "1")).toBe(arr(arr(bulk("2-0"), bulk("alive"), int(NOW + 60_000 - 1000), int(9))));
    h.raw("XDEL", "s", "3-0");
    expect(h.raw("XAUTOCLAIM", "s", "g", "alive", "60000", "0", "COUNT", "2")).toBe(arr(bulk("4-0"), arr(entry("2-0", "f", "2")), arr(bulk("3-0"))));
    expect(h.raw("XAUTOCLAIM", "s", "g", "alive", "60000", "4-0")).toBe(arr(bulk("0-0"), arr(entry("4-0", "f", "4")), "*0\r\n"));
    expect(h.raw("XPENDING", "s", "g")).toBe(arr(int(3), bulk("1-0"), bulk("4-0"), arr(arr(bulk("alive"), bulk("3")))));
    const errors: [string[], string][] = [
      [["XCLAIM", "s", "nog", "c", "0", "1"], "NOGROUP No such key 's' or consumer group 'nog'"],
      [["XCLAIM", "s", "g", "c", "x", "1"], "ERR Invalid min-idle-time argument for XCLAIM"],
      [["XCLAIM", "s", "g", "c", "0", "1", "IDLE", "x"], "ERR Invalid IDLE option argument for XCLAIM"],
      [["XCLAIM", "s", "g", "c", "0", "1", "TIME", "x"], "ERR Invalid TIME option argument for XCLAIM"],
      [["XCLAIM", "s", "g", "c", "0", "1", "RETRYCOUNT", "x"], "ERR Invalid RETRYCOUNT option argument for XCLAIM"],
      [["XCLAIM", "s", "g", "c", "0", "1", "IDLE"], "ERR Unrecognized XCLAIM option 'IDLE'"],
      [["XCLAIM", "s", "g", "c", "0", "1", "a\r\nb"], "ERR Unrecognized XCLAIM option 'a  b'"],
      [["XAUTOCLAIM", "s", "g", "c", "x", "0"], "ERR Invalid min-idle-time argument for XAUTOCLAIM"],
      [["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"], "ERR COUNT must be > 0"],
      [["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"], "ERR COUNT must be > 0"],
      [["XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"], "ERR syntax error"],
      [["XAUTOCLAIM", "nokey", "g", "c", "0", "0"], "NOGROUP No such key 'nokey' or consumer group 'g'"],
    ];
    for (const [argv, text] of errors) expect(h.raw(...argv), argv.join(" ")).toBe(err(text));
  });

  it("logs group work as XCLAIM / XGROUP commands, never as sent (as redis-server 7.0 does)", () => {
    const script = [
      "XADD s 1-0 f v", "XADD s 2-0 f v", "XADD s 3-0 f v", "XADD s 4-0 f v", "XADD s 5-0 f v", "XDEL s 1-0",
      "XADD s MINID ~ 3 6-0 f v", "XTRIM s MAXLEN ~ 100", "XTRIM s MINID 3", "XTRIM s MINID 3", "XADD s MAXLEN = 10 LIMIT 5 7-* f v",
      "XGROUP CREATE s2 g $ MKSTREAM", "XGROUP CREATE s g 0 ENTRIESREAD 0", "XGROUP SETID s g 0", "XGROUP CREATECONSUMER s g c0",
      "XGROUP CREATECONSUMER s g c0", "XREADGROUP GROUP g c1 NOACK COUNT 1 STREAMS s >", "XREADGROUP GROUP g c2 NOACK STREAMS s 0",
      "XREADGROUP GROUP g c3 COUNT 2 STREAMS s >", "XREADGROUP GROUP g c3 STREAMS s 0", "XDEL s 4-0", "XCLAIM s g c4 0 3 4-0 JUSTID",
      "XAUTOCLAIM s g c5 0 0", "XACK s g 3-0 99-0", "XGROUP DELCONSUMER s g c5", "XGROUP DESTROY s g",
      "XSETID s 100-0 ENTRIESADDED 50 MAXDELETEDID 4-0", "XADD nokey NOMKSTREAM 1 f v",
    ];
    for (const line of script) h.raw(...line.split(" "));
    const time = String(NOW);
    // What redis-server 7.0.15 wrote to its AOF for the same script. Commands that log several
    // entries are wrapped in MULTI/EXEC by the engine (tested there); left out here.
    const logged = h.propagated.map(([, argv]) => argv.join(" "));
    expect(logged.filter((line) => line === "MULTI").length).toBe(logged.filter((line) => line === "EXEC").length);
    expect(logged.filter((line) => line !== "MULTI" && line !== "EXEC")).toEqual([
      "XADD s 1-0 f v", "XADD s 2-0 f v", "XADD s 3-0 f v", "XADD s 4-0 f v", "XADD s 5-0 f v", "XDEL s 1-0",
      "XADD s MINID = 1-0 6-0 f v", "XTRIM s MINID 3",
      "XGROUP CREATE s2 g $ MKSTREAM", "XGROUP CREATE s g 0 ENTRIESREAD 0", "XGROUP SETID s g 0", "XGROUP CREATECONSUMER s g c0",
      "XGROUP CREATECONSUMER s g c1", "XGROUP SETID s g 3-0 ENTRIESREAD 3",
      "XGROUP CREATECONSUMER s g c2",
      `XCLAIM s g c3 0 4-0 TIME ${time} RETRYCOUNT 1 FORCE JUSTID LASTID 4-0`,
      `XCLAIM s g c3 0 5-0 TIME ${time} RETRYCOUNT 1 FORCE JUSTID LASTID 5-0`,
      "XDEL s 4-0",
      `XCLAIM s g c3 0 4-0 TIME ${time} RETRYCOUNT 2 FORCE JUSTID LASTID 5-0`,
      `XCLAIM s g c5 0 5-0 TIME ${time} RETRYCOUNT 3 FORCE JUSTID LASTID 5-0`,
      "XGROUP DELCONSUMER s g c5", "XGROUP DESTROY s g", "XSETID s 100-0 ENTRIESADDED 50 MAXDELETEDID 4-0",
    ]);
    h.propagated.length = 0;
    h.raw("XGROUP", "CREATE", "s", "g", "0");
    h.raw("XCLAIM", "s", "g", "c", "0", "LASTID", "50-0");
    h.raw("XCLAIM", "s", "g", "c", "0", "99-0", "LASTID", "40-0");
    expect(h.propagated).toEqual([
      [0, ["XGROUP", "CREATE", "s", "g", "0"]],
      [0, ["XGROUP", "SETID", "s", "g", "50-0", "ENTRIESREAD", "-1"]],
    ]);
  });

  it("touches WATCHed keys only where Redis does (entries, not group state)", () => {
    add("s", 2);
    h.raw("XGROUP", "CREATE", "s", "g", "0");
    const other = h.engine.createClient();
    const watchedExec = (...argv: string[]): string => {
      h.raw("WATCH", "s");
      h.raw("MULTI");
      h.raw("PING");
      h.rawAs(other, ...argv);
      return h.raw("EXEC");
    };
    for (const argv of [
      ["XGROUP", "SETID", "s", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"],
      ["XACK", "s", "g", "1-0"],
      ["XCLAIM", "s", "g", "c2", "0", "2-0", "FORCE"],
      ["XSETID", "s", "9-0"],
      ["XDEL", "s", "7-0"],
    ]) {
      expect(watchedExec(...argv), argv.join(" ")).toBe(arr("+PONG\r\n"));
    }
    expect(watchedExec("XDEL", "s", "1-0")).toBe(NIL_ARRAY);
    expect(watchedExec("XADD", "s", "10-0", "f", "v")).toBe(NIL_ARRAY);
  });

  it("notifies the events Redis does", () => {
    const events = recordKeyEvents(h.engine, { withDb: false });
    h.engine.notifyMask = parseNotifyFlags("KEAn")!;
    run(
      ["XADD", "s", "1-0", "f", "v"],
      ["XADD", "s", "MAXLEN", "0", "2-0", "f", "v"],
      ["XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM"],
      ["XADD", "s", "3-0", "f", "v"],
      ["XGROUP", "CREATE", "s", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
      ["XCLAIM", "s", "g", "c2", "0", "3-0"],
      ["XGROUP", "SETID", "s", "g", "0"],
      ["XGROUP", "DELCONSUMER", "s", "g", "c"],
      ["XSETID", "s", "10-0"],
      ["XDEL", "s", "3-0"],
      ["XTRIM", "s", "MAXLEN", "0"],
      ["XGROUP", "DESTROY", "s", "g"],
    );
    expect(events).toEqual([
      "new s", "xadd s", "xadd s", "xtrim s", "new s2", "xgroup-create s2", "xadd s", "xgroup-create s",
      "xgroup-createconsumer s", "xgroup-createconsumer s", "xgroup-setid s", "xgroup-delconsumer s", "xsetid s", "xdel s", "xgroup-destroy s",
    ]);
  });
});

describe("XREAD and XREADGROUP", () => {
  it("replies per stream: an array of [key, entries] in RESP2, a map in RESP3", () => {
    add("a", 2);
    add("b", 1);
    expect(h.raw("XREAD", "COUNT", "1", "STREAMS", "a", "b", "nokey", "0", "0", "0")).toBe(
      arr(arr(bulk("a"), arr(entry("1-0", "f", "1"))), arr(bulk("b"), arr(entry("1-0", "f", "1")))),
    );
    expect(h.raw("XREAD", "STREAMS", "a", "$")).toBe(NIL_ARRAY);
    h.raw("HELLO", "3");
    expect(h.raw("XREAD", "STREAMS", "a", "b", "1", "0")).toBe(map(bulk("a"), arr(entry("2-0", "f", "2")), bulk("b"), arr(entry("1-0", "f", "1"))));
    expect(h.raw("XREAD", "STREAMS", "a", "2")).toBe(NULL3);
    const errors: [string[], string][] = [
      [["XREAD", "STREAMS", "a", "b", "0"], "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."],
      [["XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"], "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."],
      [["XREAD", "NOACK", "STREAMS", "a", "0"], "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."],
      [["XREAD", "STREAMS", "a", ">"], "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."],
      [["XREAD", "STREAMS", "a", "+"], "ERR Invalid stream ID specified as stream command argument"],
      [["XREAD", "BLOCK", "-1", "STREAMS", "a", "0"], "ERR timeout is negative"],
      [["XREAD", "COUNT", "1", "a", "0"], "ERR syntax error"],
      [["XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "a", ">"], "ERR Missing GROUP option for XREADGROUP"],
      [["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"], "NOGROUP No such key 'a' or consumer group 'g' in XREADGROUP with GROUP option"],
    ];
    for (const [argv, text] of errors) expect(h.raw(...argv), argv.join(" ")).toBe(err(text));
    h.raw("XGROUP", "CREATE", "a", "g", "0");
    expect(h.raw("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "$")).toBe(
      err(
        "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
      ),
    );
  });

  it("XREAD BLOCK waits for entries after the ones there when it blocked ($)", () => {
    add("s", 2);
    const reader = h.engine.createClient();
    expect(h.rawAs(reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$")).toBe("");
    h.raw("XADD", "unrelated", "1-0", "f", "v");
    expect(reader.reply.take()).toBeUndefined();
    h.raw("XADD", "s", "3-0", "f", "new");
    expect(reader.reply.take()?.toString("latin1")).toBe(arr(arr(bulk("s"), arr(entry("3-0", "f", "new")))));
    // Not blocked any more: a later XADD does not answer it again.
    h.raw("XADD", "s", "4-0", "f", "v");
    expect(reader.reply.take()).toBeUndefined();
  });

  it("times out with the null array, and cannot block inside MULTI", () => {
    const reader = h.engine.createClient();
    expect(h.rawAs(reader, "XREAD", "BLOCK", "100", "STREAMS", "s", "$")).toBe("");
    h.engine.expireBlockedClients(NOW + 50);
    expect(reader.reply.take()).toBeUndefined();
    h.engine.expireBlockedClients(NOW + 100);
    expect(reader.reply.take()?.toString("latin1")).toBe(NIL_ARRAY);
    h.raw("MULTI");
    h.raw("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
    expect(h.raw("EXEC")).toBe(arr(NIL_ARRAY));
  });

  it("XREADGROUP BLOCK is served by the next XADD, logged as XCLAIM", () => {
    h.raw("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    const reader = h.engine.createClient();
    expect(h.rawAs(reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")).toBe("");
    h.propagated.length = 0;
    h.raw("XADD", "s", "1-0", "f", "v");
    expect(reader.reply.take()?.toString("latin1")).toBe(arr(arr(bulk("s"), arr(entry("1-0", "f", "v")))));
    expect(h.propagated).toEqual([
      [0, ["XADD", "s", "1-0", "f", "v"]],
      [0, ["XCLAIM", "s", "g", "c", "0", "1-0", "TIME", String(NOW), "RETRYCOUNT", "1", "FORCE", "JUSTID", "LASTID", "1-0"]],
    ]);
    expect(h.raw("XPENDING", "s", "g")).toBe(arr(int(1), bulk("1-0"), bulk("1-0"), arr(arr(bulk("c"), bulk("1")))));
  });

  it("a blocked XREADGROUP learns that its group was destroyed", () => {
    h.raw("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    const reader = h.engine.createClient();
    h.rawAs(reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    h.raw("XGROUP", "DESTROY", "s", "g");
    expect(reader.reply.take()?.toString("latin1")).toBe(err("NOGROUP the consumer group this client was blocked on no longer exists"));
  });

  it("serves a woken reader at most 1000 entries when it gave no COUNT", () => {
    const reader = h.engine.createClient();
    h.rawAs(reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "0");
    h.raw("MULTI");
    for (let i = 1; i <= 1100; i++) h.raw("XADD", "s", `${i}-0`, "f", "v");
    h.raw("EXEC");
    const reply = reader.reply.take()?.toString("latin1") ?? "";
    expect(reply.startsWith(`*1\r\n*2\r\n${bulk("s")}*1000\r\n`)).toBe(true);
  });
});

describe("AOF rewrite and COPY", () => {
  function buildComplexStream(): void {
    add("s", 12);
    h.raw("XDEL", "s", "3-0", "12-0");
    h.raw("XGROUP", "CREATE", "s", "g1", "0");
    h.raw("XGROUP", "CREATE", "s", "g2", "5-0", "ENTRIESREAD", "4");
    h.raw("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "s", ">");
    h.raw("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "s", ">");
    h.raw("XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "s", "0");
    h.raw("XCLAIM", "s", "g1", "bob", "0", "1-0", "TIME", String(NOW - 5000), "RETRYCOUNT", "7");
    h.raw("XGROUP", "CREATECONSUMER", "s", "g2", "idle");
    h.raw("XSETID", "s", "20-0", "ENTRIESADDED", "30", "MAXDELETEDID", "15-0");
  }

  function snapshot(harness: TestHarness): string[] {
    return [
      harness.raw("XRANGE", "s", "-", "+"),
      harness.raw("XINFO", "GROUPS", "s"),
      harness.raw("XINFO", "STREAM", "s", "FULL", "COUNT", "0").replace(/seen-time\r\n:\d+/g, "seen-time"),
      harness.raw("XPENDING", "s", "g1", "-", "+", "100"),
    ];
  }

  it("writes Redis 7.0's rewriteStreamObject commands, which recreate the stream and its groups", () => {
    buildComplexStream();
    const commands = [...streamAt(h, "s").rewriteCommands("s")];
    expect(commands[0]).toEqual(["XADD", "s", "1-0", "f", "1"]);
    expect(commands.slice(10)).toEqual([
      ["XSETID", "s", "20-0", "ENTRIESADDED", "30", "MAXDELETEDID", "15-0"],
      ["XGROUP", "CREATE", "s", "g1", "6-0", "ENTRIESREAD", "-1"],
      ["XCLAIM", "s", "g1", "alice", "0", "2-0", "TIME", String(NOW), "RETRYCOUNT", "2", "JUSTID", "FORCE"],
      ["XCLAIM", "s", "g1", "alice", "0", "4-0", "TIME", String(NOW), "RETRYCOUNT", "2", "JUSTID", "FORCE"],
      ["XCLAIM", "s", "g1", "bob", "0", "1-0", "TIME", String(NOW - 5000), "RETRYCOUNT", "7", "JUSTID", "FORCE"],
      ["XCLAIM", "s", "g1", "bob", "0", "5-0", "TIME", String(NOW), "RETRYCOUNT", "1", "JUSTID", "FORCE"],
      ["XCLAIM", "s", "g1", "bob", "0", "6-0", "TIME", String(NOW), "RETRYCOUNT", "1", "JUSTID", "FORCE"],
      ["XGROUP", "CREATE", "s", "g2", "5-0", "ENTRIESREAD", "4"],
      ["XGROUP", "CREATECONSUMER", "s", "g2", "idle"],
    ]);
    const replayed = new TestHarness();
    replayed.engine.withLoading(() => {
      for (const argv of commands) replayed.engine.replay(argv);
    });
    expect(snapshot(replayed)).toEqual(snapshot(h));
  });

  it("keeps pending entries whose stream entries are gone, through placeholders", () => {
    add("s", 6);
    h.raw("XGROUP", "CREATE", "s", "g", "0");
    h.raw("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    h.raw("XTRIM", "s", "MAXLEN", "4");
    h.raw("XDEL", "s", "4-0");
    const commands = [...streamAt(h, "s").rewriteCommands("s")];
    expect(commands.map((argv) => argv.slice(0, 4).join(" "))).toEqual([
      "XADD s 1-0 x", "XADD s 2-0 x", "XADD s 3-0 f", "XADD s 4-0 x", "XADD s 5-0 f", "XADD s 6-0 f",
      "XGROUP CREATE s g", "XCLAIM s g c", "XCLAIM s g c", "XCLAIM s g c", "XCLAIM s g c", "XCLAIM s g c", "XCLAIM s g c",
      "XTRIM s MINID 3-0", "XDEL s 4-0", "XSETID s 6-0 ENTRIESADDED",
    ]);
    const replayed = new TestHarness();
    for (const argv of commands) replayed.engine.replay(argv);
    for (const argv of [["XPENDING", "s", "g"], ["XRANGE", "s", "-", "+"], ["XINFO", "GROUPS", "s"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]]) {
      expect(replayed.raw(...argv), argv.join(" ")).toBe(h.raw(...argv));
    }
    // Everything but the radix tree's shape, which a rebuild need not share.
    const fields = (harness: TestHarness): string[] => harness.raw("XINFO", "STREAM", "s").split("\r\n").slice(10);
    expect(fields(replayed)).toEqual(fields(h));
    // Trimmed away, never deleted: max-deleted-entry-id stays 0-0 through the rewrite.
    const trimmedOnly = new TestHarness();
    add("t", 3);
    h.raw("XGROUP", "CREATE", "t", "g", "0");
    h.raw("XREADGROUP", "GROUP", "g", "c", "STREAMS", "t", ">");
    h.raw("XTRIM", "t", "MAXLEN", "0");
    for (const argv of streamAt(h, "t").rewriteCommands("t")) trimmedOnly.engine.replay(argv);
    expect(trimmedOnly.raw("XINFO", "STREAM", "t")).toBe(h.raw("XINFO", "STREAM", "t"));
    expect(trimmedOnly.raw("XPENDING", "t", "g")).toBe(h.raw("XPENDING", "t", "g"));
  });

  it("an empty stream is rewritten with the XADD MAXLEN 0 trick", () => {
    h.raw("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    const commands = [...streamAt(h, "s").rewriteCommands("s")];
    expect(commands).toEqual([
      ["XADD", "s", "MAXLEN", "0", "0-1", "x", "y"],
      ["XSETID", "s", "0-0", "ENTRIESADDED", "0", "MAXDELETEDID", "0-0"],
      ["XGROUP", "CREATE", "s", "g", "0-0", "ENTRIESREAD", "-1"],
    ]);
    const replayed = new TestHarness();
    for (const argv of commands) replayed.engine.replay(argv);
    expect(replayed.raw("XINFO", "STREAM", "s")).toBe(h.raw("XINFO", "STREAM", "s"));
    expect(replayed.raw("XINFO", "GROUPS", "s")).toBe(h.raw("XINFO", "GROUPS", "s"));
  });

  it("COPY duplicates entries, layout, groups and pending entries independently", () => {
    buildComplexStream();
    expect(h.raw("COPY", "s", "t")).toBe(int(1));
    const info = (key: string): string => h.raw("XINFO", "STREAM", key, "FULL", "COUNT", "0");
    expect(info("t")).toBe(info("s"));
    h.raw("XACK", "t", "g1", "1-0");
    h.raw("XADD", "t", "21-0", "f", "v");
    expect(h.raw("XPENDING", "s", "g1")).not.toBe(h.raw("XPENDING", "t", "g1"));
    expect(h.raw("XLEN", "s")).toBe(int(10));
  });
});
