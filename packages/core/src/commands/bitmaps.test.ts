import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestHarness } from "../test-support/harness.js";
import { observeHarness } from "../test-support/observed-harness.js";
import { array, bulk, err, int, NIL } from "../test-support/resp-bytes.js";
import { ropeChunks } from "../util/bitmap-rope.js";

/*
 * The bitmap commands through the engine: replies as exact RESP bytes (as redis-server
 * 7.0.15 gives them; bitmaps.differential.test.ts checks the same against a live server),
 * the values left behind, propagation, keyspace notifications and modified-key signals —
 * and property tests of BITCOUNT, BITPOS and BITFIELD against a naive bit-by-bit model.
 */

const T0 = 1_700_000_000_000;

let h: TestHarness;
let events: string[];
let modified: string[];
let given: (...argvs: string[][]) => void;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  ({ h, events, modified, given } = observeHarness(new TestHarness()));
});

afterEach(() => {
  vi.useRealTimers();
});

const ints = (...items: (number | bigint | string | null)[]) => array(...items.map((item) => (item === null ? NIL : int(item))));
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const OFFSET_ERROR = "ERR bit offset is not an integer or out of range";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

function valueOf(key: string): string | undefined {
  const value = h.engine.keyspace.db(0).peek(key);
  if (value !== undefined && typeof value !== "string") throw new Error(`${key} is not a string`);
  return value;
}

// ---------------------------------------------------------------------------------------

describe("SETBIT", () => {
  it("creates the key zero-padded to the bit, replies the old bit, and is propagated as sent", () => {
    expect(h.raw("SETBIT", "b", "7", "1")).toBe(int(0));
    expect(valueOf("b")).toBe("\x01");
    expect(h.raw("SETBIT", "b", "17", "1")).toBe(int(0));
    expect(valueOf("b")).toBe("\x01\x00\x40");
    expect(h.raw("SETBIT", "b", "7", "0")).toBe(int(1));
    expect(valueOf("b")).toBe("\x00\x00\x40");
    expect(h.propagated).toEqual([
      [0, ["SETBIT", "b", "7", "1"]],
      [0, ["SETBIT", "b", "17", "1"]],
      [0, ["SETBIT", "b", "7", "0"]],
    ]);
    expect(events).toEqual(["0 new b", "0 setbit b", "0 setbit b", "0 setbit b"]);
    expect(modified).toEqual(["0:b", "0:b", "0:b"]);
    expect(h.raw("OBJECT", "ENCODING", "b")).toBe(bulk("raw"));
  });

  it("changes nothing when the bit already has the value: no event, no signal, not propagated", () => {
    given(["SETBIT", "b", "3", "1"]);
    const dirty = h.engine.dirty;
    expect(h.raw("SETBIT", "b", "3", "1")).toBe(int(1));
    expect(h.raw("SETBIT", "b", "4", "0")).toBe(int(0));
    expect(h.engine.dirty).toBe(dirty);
    expect(h.propagated).toEqual([]);
    expect(events).toEqual([]);
    expect(modified).toEqual([]);
  });

  it("counts growing the string as a change even when the new bit is 0", () => {
    given(["SETBIT", "b", "0", "1"]);
    expect(h.raw("SETBIT", "b", "20", "0")).toBe(int(0));
    expect(valueOf("b")).toBe("\x80\x00\x00");
    expect(h.propagated).toEqual([[0, ["SETBIT", "b", "20", "0"]]]);
    expect(h.raw("SETBIT", "new", "0", "0")).toBe(int(0));
    expect(valueOf("new")).toBe("\x00");
  });

  it("edits strings of any encoding, which become raw even when no bit changes", () => {
    given(["SET", "i", "123"], ["SET", "e", "abc"]);
    expect(h.raw("OBJECT", "ENCODING", "i")).toBe(bulk("int"));
    expect(h.raw("SETBIT", "i", "0", "0")).toBe(int(0));
    expect(h.raw("OBJECT", "ENCODING", "i")).toBe(bulk("raw"));
    expect(h.raw("GET", "i")).toBe(bulk("123"));
    expect(h.raw("SETBIT", "e", "6", "1")).toBe(int(0));
    expect(h.raw("GET", "e")).toBe(bulk("cbc"));
    expect(h.raw("OBJECT", "ENCODING", "e")).toBe(bulk("raw"));
  });

  it("keeps the TTL", () => {
    given(["SET", "t", "a", "EX", "100"]);
    h.raw("SETBIT", "t", "100", "1");
    expect(h.raw("TTL", "t")).toBe(int(100));
  });

  it("checks the offset, then the bit, then the type", () => {
    given(["RPUSH", "list", "x"]);
    expect(h.raw("SETBIT", "list", "x", "5")).toBe(err(OFFSET_ERROR));
    expect(h.raw("SETBIT", "list", "0", "5")).toBe(err("ERR bit is not an integer or out of range"));
    expect(h.raw("SETBIT", "list", "0", "1")).toBe(err(WRONGTYPE));
    for (const bit of ["2", "-1", "x", "", "01", "1.0", "9223372036854775808"]) {
      expect(h.raw("SETBIT", "b", "0", bit), bit).toBe(err("ERR bit is not an integer or out of range"));
    }
    for (const offset of ["-1", "x", "", "#1", "1.5", "4294967296", LLONG_MAX, LLONG_MIN]) {
      expect(h.raw("SETBIT", "b", offset, "1"), offset).toBe(err(OFFSET_ERROR));
    }
    expect(h.propagated).toEqual([]);
    expect(h.raw("EXISTS", "b")).toBe(int(0));
  });

  it("bounds offsets by proto-max-bulk-len, except for the AOF loader", () => {
    h.raw("CONFIG", "SET", "proto-max-bulk-len", "1mb");
    expect(h.raw("SETBIT", "b", String(8 * 1024 * 1024), "1")).toBe(err(OFFSET_ERROR));
    expect(h.raw("SETBIT", "b", String(8 * 1024 * 1024 - 1), "1")).toBe(int(0));
    expect(valueOf("b")!.length).toBe(1024 * 1024);
    h.engine.withLoading(() => h.engine.replay(["SETBIT", "c", String(8 * 1024 * 1024), "1"]));
    expect(valueOf("c")!.length).toBe(1024 * 1024 + 1);
  });
});

describe("GETBIT", () => {
  it("reads bits, zero past the end and for missing keys", () => {
    given(["SET", "s", "\x80\x01"]);
    expect(h.raw("GETBIT", "s", "0")).toBe(int(1));
    expect(h.raw("GETBIT", "s", "1")).toBe(int(0));
    expect(h.raw("GETBIT", "s", "15")).toBe(int(1));
    expect(h.raw("GETBIT", "s", "16")).toBe(int(0));
    expect(h.raw("GETBIT", "s", "4294967295")).toBe(int(0));
    expect(h.raw("GETBIT", "nokey", "3")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });

  it("reads the digits of an integer-encoded string", () => {
    given(["SET", "i", "1"]);
    expect(h.raw("GETBIT", "i", "2")).toBe(int(1));
    expect(h.raw("GETBIT", "i", "7")).toBe(int(1));
    expect(h.raw("GETBIT", "i", "6")).toBe(int(0));
    expect(h.raw("OBJECT", "ENCODING", "i")).toBe(bulk("int"));
  });

  it("checks the offset before the type", () => {
    given(["RPUSH", "list", "x"]);
    expect(h.raw("GETBIT", "list", "-1")).toBe(err(OFFSET_ERROR));
    expect(h.raw("GETBIT", "list", "0")).toBe(err(WRONGTYPE));
    expect(h.raw("GETBIT", "nokey", "4294967296")).toBe(err(OFFSET_ERROR));
  });
});

describe("BITCOUNT", () => {
  beforeEach(() => given(["SET", "s", "foobar"]));

  it("counts the whole string or a byte range with negative indexes", () => {
    expect(h.raw("BITCOUNT", "s")).toBe(int(26));
    expect(h.raw("BITCOUNT", "s", "0", "0")).toBe(int(4));
    expect(h.raw("BITCOUNT", "s", "1", "1")).toBe(int(6));
    expect(h.raw("BITCOUNT", "s", "-2", "-1", "BYTE")).toBe(int(7));
    expect(h.raw("BITCOUNT", "s", "-100", "100")).toBe(int(26));
    expect(h.raw("BITCOUNT", "s", "2", "1")).toBe(int(0));
    expect(h.raw("BITCOUNT", "s", LLONG_MIN, LLONG_MAX)).toBe(int(26));
  });

  it("counts a bit range, masking the edge bytes", () => {
    expect(h.raw("BITCOUNT", "s", "5", "30", "BIT")).toBe(int(17));
    expect(h.raw("BITCOUNT", "s", "1", "6", "bit")).toBe(int(4));
    expect(h.raw("BITCOUNT", "s", "0", "-1", "BIT")).toBe(int(26));
    expect(h.raw("BITCOUNT", "s", "47", "47", "BIT")).toBe(int(0));
  });

  it("answers 0 for a missing key before looking at the arguments", () => {
    expect(h.raw("BITCOUNT", "nokey", "x", "y")).toBe(int(0));
    expect(h.raw("BITCOUNT", "nokey", "0")).toBe(int(0));
  });

  it("answers 0 for reversed negative bounds before checking the unit", () => {
    expect(h.raw("BITCOUNT", "s", "-1", "-2", "FOO")).toBe(int(0));
    expect(h.raw("BITCOUNT", "s", "-2", "-1", "FOO")).toBe(err("ERR syntax error"));
  });

  it("rejects malformed arguments", () => {
    given(["RPUSH", "list", "x"]);
    expect(h.raw("BITCOUNT", "s", "0")).toBe(err("ERR syntax error"));
    expect(h.raw("BITCOUNT", "s", "0", "1", "BIT", "x")).toBe(err("ERR syntax error"));
    expect(h.raw("BITCOUNT", "s", "x", "1")).toBe(err(NOT_INTEGER));
    expect(h.raw("BITCOUNT", "s", "0", "x")).toBe(err(NOT_INTEGER));
    expect(h.raw("BITCOUNT", "list", "x", "y")).toBe(err(WRONGTYPE));
  });

  it("agrees with a bit-by-bit count on any string and range", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 700 }),
        fc.integer({ min: -6000, max: 6000 }),
        fc.integer({ min: -6000, max: 6000 }),
        fc.boolean(),
        (bytes, start, end, isBit) => {
          const text = Buffer.from(bytes).toString("latin1");
          h.raw("SET", "p", text);
          const total = isBit ? text.length * 8 : text.length;
          let expected = 0;
          if (!(start < 0 && end < 0 && start > end)) {
            const from = Math.max(0, start < 0 ? start + total : start);
            const to = Math.min(total - 1, Math.max(0, end < 0 ? end + total : end));
            for (let i = from; i <= to; i++) {
              if (isBit) expected += (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
              else for (let b = 0; b < 8; b++) expected += (bytes[i]! >> b) & 1;
            }
          }
          const args = ["BITCOUNT", "p", String(start), String(end), ...(isBit ? ["BIT"] : [])];
          expect(h.raw(...args)).toBe(int(expected));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("BITPOS", () => {
  it("finds the first set or clear bit, the right end being zero-padded unless given", () => {
    given(["SET", "s", "\xff\xf0\x00"]);
    expect(h.raw("BITPOS", "s", "0")).toBe(int(12));
    expect(h.raw("BITPOS", "s", "1", "2")).toBe(int(-1));
    expect(h.raw("BITPOS", "s", "0", "2")).toBe(int(16));
    given(["SET", "ones", "\xff\xff"]);
    expect(h.raw("BITPOS", "ones", "0")).toBe(int(16));
    expect(h.raw("BITPOS", "ones", "0", "1")).toBe(int(16));
    expect(h.raw("BITPOS", "ones", "0", "0", "-1")).toBe(int(-1));
    expect(h.raw("BITPOS", "ones", "0", "3", "9", "BIT")).toBe(int(-1));
  });

  it("searches bit ranges", () => {
    given(["SET", "s", "\x00\xff\x00"]);
    expect(h.raw("BITPOS", "s", "1", "7", "15", "BIT")).toBe(int(8));
    expect(h.raw("BITPOS", "s", "0", "8", "17", "BIT")).toBe(int(16));
    expect(h.raw("BITPOS", "s", "0", "8", "15", "BIT")).toBe(int(-1));
    expect(h.raw("BITPOS", "s", "1", "-3", "-1", "BIT")).toBe(int(-1));
    expect(h.raw("BITPOS", "s", "1", "10", "2", "BIT")).toBe(int(-1));
  });

  it("treats a missing key as endless zeros, and an empty range as holding neither bit", () => {
    expect(h.raw("BITPOS", "nokey", "0")).toBe(int(0));
    expect(h.raw("BITPOS", "nokey", "1", "x")).toBe(int(-1));
    given(["SET", "empty", ""]);
    expect(h.raw("BITPOS", "empty", "0")).toBe(int(-1));
  });

  it("checks the bit before the key, then start, unit and end in that order", () => {
    given(["SET", "s", "a"], ["RPUSH", "list", "x"]);
    expect(h.raw("BITPOS", "list", "x")).toBe(err(NOT_INTEGER));
    expect(h.raw("BITPOS", "list", "2")).toBe(err("ERR The bit argument must be 1 or 0."));
    expect(h.raw("BITPOS", "list", "1")).toBe(err(WRONGTYPE));
    expect(h.raw("BITPOS", "s", "1", "x", "y", "FOO")).toBe(err(NOT_INTEGER));
    expect(h.raw("BITPOS", "s", "1", "0", "y", "FOO")).toBe(err("ERR syntax error"));
    expect(h.raw("BITPOS", "s", "1", "0", "y", "BIT")).toBe(err(NOT_INTEGER));
    expect(h.raw("BITPOS", "s", "1", "0", "1", "BIT", "x")).toBe(err("ERR syntax error"));
  });

  it("agrees with a bit-by-bit search on any string and range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 0xff, 0x0f, 0x80, 0x01, 0x7e), { maxLength: 600 }),
        fc.constantFrom(0, 1),
        fc.option(fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.option(fc.integer({ min: -5000, max: 5000 }), { nil: undefined }), fc.boolean()), { nil: undefined }),
        (bytes, bit, range) => {
          const text = Buffer.from(bytes).toString("latin1");
          h.raw("SET", "p", text);
          const isBit = range !== undefined && range[1] !== undefined && range[2];
          const total = isBit ? text.length * 8 : text.length;
          const clamp = (i: number) => Math.max(0, i < 0 ? i + total : i);
          let from = range === undefined ? 0 : clamp(range[0]);
          let to = range === undefined || range[1] === undefined ? total - 1 : Math.min(total - 1, clamp(range[1]));
          if (!isBit) {
            from *= 8;
            to = to * 8 + 7;
          }
          let expected = -1;
          if (from <= to) {
            for (let i = from; i <= to; i++) {
              if (((bytes[i >> 3]! >> (7 - (i & 7))) & 1) === bit) {
                expected = i;
                break;
              }
            }
            // Looking for 0 without an explicit end: the string continues with zeros.
            if (expected === -1 && bit === 0 && (range === undefined || range[1] === undefined)) expected = to + 1;
          }
          const args = ["BITPOS", "p", String(bit)];
          if (range !== undefined) {
            args.push(String(range[0]));
            if (range[1] !== undefined) args.push(String(range[1]), ...(range[2] ? ["BIT"] : []));
          }
          expect(h.raw(...args)).toBe(int(expected));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("BITOP", () => {
  beforeEach(() => given(["SET", "a", "\xff\x0f\xaa"], ["SET", "b", "\x0f\xff"]));

  it("computes AND, OR, XOR and NOT over zero-padded sources and stores the result as raw", () => {
    expect(h.raw("BITOP", "AND", "d", "a", "b")).toBe(int(3));
    expect(valueOf("d")).toBe("\x0f\x0f\x00");
    expect(h.raw("BITOP", "or", "d", "a", "b")).toBe(int(3));
    expect(valueOf("d")).toBe("\xff\xff\xaa");
    expect(h.raw("BITOP", "XOR", "d", "a", "b", "nokey")).toBe(int(3));
    expect(valueOf("d")).toBe("\xf0\xf0\xaa");
    expect(h.raw("BITOP", "NOT", "d", "a")).toBe(int(3));
    expect(valueOf("d")).toBe("\x00\xf0\x55");
    expect(h.raw("OBJECT", "ENCODING", "d")).toBe(bulk("raw"));
    expect(events).toEqual(["0 new d", "0 set d", "0 set d", "0 set d", "0 set d"]);
    expect(modified).toEqual(["0:d", "0:d", "0:d", "0:d"]);
    expect(h.propagated.length).toBe(4);
  });

  it("handles long sources word by word with the same result", () => {
    const x = Buffer.from(Array.from({ length: 1001 }, (_, i) => (i * 37) & 0xff)).toString("latin1");
    const y = Buffer.from(Array.from({ length: 777 }, (_, i) => (i * 101 + 7) & 0xff)).toString("latin1");
    given(["SET", "x", x], ["SET", "y", y]);
    const byteAt = (s: string, i: number) => (i < s.length ? s.charCodeAt(i) : 0);
    const expectOp = (op: string, f: (p: number, q: number) => number) => {
      h.raw("BITOP", op, "r", "x", "y");
      let expected = "";
      for (let i = 0; i < 1001; i++) expected += String.fromCharCode(f(byteAt(x, i), byteAt(y, i)) & 0xff);
      expect(valueOf("r"), op).toBe(expected);
    };
    expectOp("AND", (p, q) => p & q);
    expectOp("OR", (p, q) => p | q);
    expectOp("XOR", (p, q) => p ^ q);
  });

  it("replaces a key of any type and clears its TTL", () => {
    given(["RPUSH", "list", "x"], ["SET", "t", "v", "EX", "100"]);
    expect(h.raw("BITOP", "AND", "list", "a")).toBe(int(3));
    expect(h.raw("TYPE", "list")).toBe("+string\r\n");
    h.raw("BITOP", "NOT", "t", "a");
    expect(h.raw("TTL", "t")).toBe(int(-1));
  });

  it("deletes the destination when every source is empty, and changes nothing when it was missing", () => {
    given(["SET", "d", "x"], ["SET", "empty", ""]);
    expect(h.raw("BITOP", "OR", "d", "nokey", "empty")).toBe(int(0));
    expect(h.raw("EXISTS", "d")).toBe(int(0));
    expect(events).toEqual(["0 del d"]);
    expect(h.propagated).toEqual([[0, ["BITOP", "OR", "d", "nokey", "empty"]]]);
    h.propagated.length = 0;
    expect(h.raw("BITOP", "OR", "d", "nokey")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });

  it("rejects unknown operations, NOT with several sources and non-string sources", () => {
    given(["RPUSH", "list", "x"]);
    expect(h.raw("BITOP", "NAND", "d", "a")).toBe(err("ERR syntax error"));
    expect(h.raw("BITOP", "NOT", "d", "a", "b")).toBe(err("ERR BITOP NOT must be called with a single source key."));
    expect(h.raw("BITOP", "AND", "d", "a", "list")).toBe(err(WRONGTYPE));
    expect(h.raw("BITOP", "and\x00junk", "d", "a")).toBe(int(3));
  });
});

describe("BITFIELD", () => {
  it("gets, sets and increments fields of any width at bit or #type offsets", () => {
    expect(h.raw("BITFIELD", "f", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0")).toBe(ints(0, -100, 156));
    expect(h.raw("BITFIELD", "f", "SET", "u8", "#1", "255", "GET", "u16", "#0", "INCRBY", "u4", "8", "3")).toBe(ints(0, 40191, 2));
    expect(valueOf("f")).toBe("\x9c\x2f");
    expect(h.propagated).toEqual([
      [0, ["BITFIELD", "f", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0"]],
      [0, ["BITFIELD", "f", "SET", "u8", "#1", "255", "GET", "u16", "#0", "INCRBY", "u4", "8", "3"]],
    ]);
    expect(events).toEqual(["0 new f", "0 setbit f", "0 setbit f"]);
    expect(h.raw("OBJECT", "ENCODING", "f")).toBe(bulk("raw"));
  });

  it("overflows by WRAP, SAT or FAIL; FAIL replies null (RESP3: _) and writes nothing", () => {
    given(["BITFIELD", "f", "SET", "u8", "0", "250"]);
    expect(h.raw("BITFIELD", "f", "INCRBY", "u8", "0", "10", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "-300", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1")).toBe(
      ints(4, 0, null),
    );
    h.client.reply.protocol = 3;
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "i8", "0", "128", "SET", "i8", "0", "-128")).toBe("*2\r\n_\r\n:0\r\n");
  });

  it("does 64-bit arithmetic exactly", () => {
    expect(h.raw("BITFIELD", "f", "SET", "i64", "0", LLONG_MAX, "INCRBY", "i64", "0", "1", "INCRBY", "i64", "0", "-1")).toBe(ints(0, LLONG_MIN, LLONG_MAX));
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "5", "INCRBY", "u63", "0", LLONG_MAX)).toBe(ints(LLONG_MAX, LLONG_MAX));
    expect(h.raw("BITFIELD", "f", "SET", "u63", "1", "9007199254740993", "GET", "u63", "1", "GET", "i63", "1")).toBe(
      ints("9223372036854775807", "9007199254740993", "9007199254740993"),
    );
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "u40", "3", LLONG_MIN, "GET", "u40", "3")).toBe(ints("4294967296", "4294967296"));
  });

  it("saturates SET values near LLONG_MIN to the maximum, as Redis's 64-bit wrap-around does", () => {
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i8", "0", LLONG_MIN, "GET", "i8", "0")).toBe(ints(0, 127));
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775680", "GET", "i8", "0")).toBe(ints(127, -128));
    expect(h.raw("BITFIELD", "g", "OVERFLOW", "SAT", "SET", "i63", "0", "-4611686018427387905", "GET", "i63", "0")).toBe(ints(0, "4611686018427387903"));
  });

  it("creates and pads the key before running, even if every write fails, without propagating", () => {
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300")).toBe(ints(null));
    expect(valueOf("f")).toBe("\x00\x00");
    expect(h.propagated).toEqual([]);
    expect(events).toEqual(["0 new f"]);
    expect(modified).toEqual([]);
  });

  it("is propagated only when a field changed or the string grew", () => {
    given(["BITFIELD", "f", "SET", "u8", "0", "7"]);
    expect(h.raw("BITFIELD", "f", "SET", "u8", "0", "7", "INCRBY", "u8", "0", "0")).toBe(ints(7, 7));
    expect(h.propagated).toEqual([]);
    const dirty = h.engine.dirty;
    expect(h.raw("BITFIELD", "f", "SET", "u8", "8", "0", "INCRBY", "u8", "0", "1")).toBe(ints(0, 8));
    expect(h.engine.dirty - dirty).toBe(2);
    expect(h.propagated.length).toBe(1);
  });

  it("reads without creating: only GETs, or no operation at all", () => {
    expect(h.raw("BITFIELD", "nokey", "GET", "u8", "0")).toBe(ints(0));
    expect(h.raw("BITFIELD", "nokey")).toBe("*0\r\n");
    expect(h.raw("EXISTS", "nokey")).toBe(int(0));
    expect(h.propagated).toEqual([]);
  });

  it("BITFIELD_RO accepts only GET, after checking every argument", () => {
    given(["SET", "s", "\x81"]);
    expect(h.raw("BITFIELD_RO", "s", "GET", "u1", "0", "GET", "i2", "#3", "GET", "i2", "#0")).toBe(ints(1, 1, -2));
    expect(h.raw("BITFIELD_RO", "s", "SET", "u8", "0", "1")).toBe(err("ERR BITFIELD_RO only supports the GET subcommand"));
    expect(h.raw("BITFIELD_RO", "s", "SET", "u8", "0", "1", "GET", "u99", "0")).toBe(
      err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
    );
    expect(h.raw("BITFIELD_RO", "s")).toBe("*0\r\n");
  });

  it("rejects malformed operations with Redis's messages", () => {
    const typeError = err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    for (const type of ["u64", "i65", "i0", "I8", "U8", "u08", "", "i", "u-1", "x8"]) {
      expect(h.raw("BITFIELD", "f", "GET", type, "0"), type).toBe(typeError);
    }
    expect(h.raw("BITFIELD", "f", "GET", "u8\x00junk", "0")).toBe(ints(0));
    for (const offset of ["-1", "#-1", "#", "##1", "x", "4294967296", "#536870912"]) {
      expect(h.raw("BITFIELD", "f", "GET", "u8", offset), offset).toBe(err(OFFSET_ERROR));
    }
    // "#n" is multiplied in 64 bits that wrap: 2^58 * 64 is offset 0.
    expect(h.raw("BITFIELD", "f", "GET", "i64", "#288230376151711744")).toBe(ints(0));
    expect(h.raw("BITFIELD", "f", "GET", "i64", "#288230376151711745")).toBe(ints(0));
    expect(h.raw("BITFIELD", "f", "SET", "u8", "0", "x")).toBe(err(NOT_INTEGER));
    expect(h.raw("BITFIELD", "f", "SET", "u8", "0")).toBe(err("ERR syntax error"));
    expect(h.raw("BITFIELD", "f", "OVERFLOW")).toBe(err("ERR syntax error"));
    expect(h.raw("BITFIELD", "f", "OVERFLOW", "BAD")).toBe(err("ERR Invalid OVERFLOW type specified"));
    expect(h.raw("BITFIELD", "f", "FOO")).toBe(err("ERR syntax error"));
    given(["RPUSH", "list", "x"]);
    expect(h.raw("BITFIELD", "list", "GET", "u8", "0")).toBe(err(WRONGTYPE));
    expect(h.raw("BITFIELD", "list", "SET", "u8", "0", "1")).toBe(err(WRONGTYPE));
    expect(h.raw("BITFIELD", "list", "SET", "u8", "x", "1")).toBe(err(OFFSET_ERROR));
  });

  it("keeps the TTL", () => {
    given(["SET", "t", "abc", "EX", "100"]);
    h.raw("BITFIELD", "t", "SET", "u8", "40", "1");
    expect(h.raw("TTL", "t")).toBe(int(100));
    expect(valueOf("t")).toBe("abc\x00\x00\x01");
  });

  it("SET then GET reads back the value modulo 2^bits, for any type and offset", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 200 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (signed, width, offset, value) => {
          const bits = signed ? width : Math.min(width, 63);
          const type = `${signed ? "i" : "u"}${bits}`;
          h.raw("DEL", "p");
          const reply = h.raw("BITFIELD", "p", "SET", type, String(offset), String(value), "GET", type, String(offset), "GET", "u1", String(offset + bits));
          const expected = signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
          expect(reply).toBe(ints(0, expected, 0));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("INCRBY WRAP agrees with modular arithmetic for any width", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (signed, width, start, increment) => {
          const bits = signed ? width : Math.min(width, 63);
          const type = `${signed ? "i" : "u"}${bits}`;
          h.raw("DEL", "p");
          h.raw("BITFIELD", "p", "SET", type, "3", String(start));
          const reply = h.raw("BITFIELD", "p", "INCRBY", type, "3", String(increment));
          const sum = start + increment;
          expect(reply).toBe(ints(signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum)));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("big bitmaps (edited as ropes)", () => {
  const SIZE = 200 * 1024;

  /** A byte model of the bitmap, edited alongside. */
  function model(): Uint8Array {
    return new Uint8Array(SIZE);
  }

  it("keeps the edited value as a rope of chunks, which reads and writes like the flat string", () => {
    given(["SETBIT", "big", String(SIZE * 8 - 1), "0"]);
    const bytes = model();
    const chunkBits = 32 * 1024 * 8;
    const offsets = [0, 7, chunkBits - 1, chunkBits, chunkBits + 1, 3 * chunkBits - 3, SIZE * 8 - 1, 12345, 999_999];
    for (const offset of offsets) {
      expect(h.raw("SETBIT", "big", String(offset), "1")).toBe(int(0));
      bytes[offset >> 3]! |= 0x80 >> (offset & 7);
    }
    const value = valueOf("big")!;
    expect(ropeChunks(h.engine.keyspace.db(0), "big", value)).toBeDefined();
    for (const offset of offsets) expect(h.raw("GETBIT", "big", String(offset))).toBe(int(1));
    expect(h.raw("BITCOUNT", "big")).toBe(int(offsets.length));
    expect(h.raw("BITCOUNT", "big", String(chunkBits - 1), String(chunkBits + 1), "BIT")).toBe(int(3));
    expect(h.raw("BITPOS", "big", "1", "1")).toBe(int(12345));
    expect(h.raw("BITPOS", "big", "1", String(chunkBits / 8))).toBe(int(chunkBits));
    // A field straddling a chunk boundary.
    expect(h.raw("BITFIELD", "big", "SET", "u16", String(chunkBits - 8), "43981", "GET", "u16", String(chunkBits - 8))).toBe(ints(0x01c0, 43981));
    bytes[chunkBits / 8 - 1] = 0xab;
    bytes[chunkBits / 8] = 0xcd;
    expect(Buffer.from(valueOf("big")!, "latin1").equals(Buffer.from(bytes))).toBe(true);
    expect(h.raw("GET", "big")).toBe(bulk(Buffer.from(bytes).toString("latin1")));
    h.raw("BITOP", "NOT", "inverted", "big");
    expect(valueOf("inverted")).toBe(Buffer.from(bytes.map((b) => ~b & 0xff)).toString("latin1"));
  });

  it("drops the rope when another command replaced the value", () => {
    given(["SETBIT", "big", String(SIZE * 8 - 1), "1"], ["SETBIT", "big", "0", "1"]);
    h.raw("SETRANGE", "big", "0", "\x00");
    expect(h.raw("GETBIT", "big", "0")).toBe(int(0));
    expect(h.raw("SETBIT", "big", "1", "1")).toBe(int(0));
    h.raw("SET", "big", "\xff".repeat(SIZE));
    expect(h.raw("SETBIT", "big", "9", "0")).toBe(int(1));
    expect(h.raw("BITCOUNT", "big")).toBe(int(SIZE * 8 - 1));
    h.raw("APPEND", "big", "\x01");
    expect(h.raw("BITCOUNT", "big")).toBe(int(SIZE * 8));
    h.raw("DEL", "big");
    expect(h.raw("SETBIT", "big", "9", "1")).toBe(int(0));
    expect(valueOf("big")).toBe("\x00\x40");
  });

  it("agrees with a byte model over random edits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: SIZE * 8 - 1 }), fc.constantFrom("0", "1"), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 40 }),
        (edits) => {
          h.raw("DEL", "big");
          h.raw("SETBIT", "big", String(SIZE * 8 - 1), "0");
          const bytes = model();
          for (const [offset, bit, width] of edits) {
            h.raw("SETBIT", "big", String(offset), bit);
            if (bit === "1") bytes[offset >> 3]! |= 0x80 >> (offset & 7);
            else bytes[offset >> 3]! &= ~(0x80 >> (offset & 7));
            const at = Math.min(offset, SIZE * 8 - width);
            h.raw("BITFIELD", "big", "INCRBY", `u${width}`, String(at), "1");
            let value = 0n;
            for (let i = 0; i < width; i++) value = (value << 1n) | BigInt((bytes[(at + i) >> 3]! >> (7 - ((at + i) & 7))) & 1);
            value = (value + 1n) & ((1n << BigInt(width)) - 1n);
            for (let i = 0; i < width; i++) {
              const bitValue = Number((value >> BigInt(width - 1 - i)) & 1n);
              const p = at + i;
              if (bitValue === 1) bytes[p >> 3]! |= 0x80 >> (p & 7);
              else bytes[p >> 3]! &= ~(0x80 >> (p & 7));
            }
          }
          expect(Buffer.from(valueOf("big")!, "latin1").equals(Buffer.from(bytes))).toBe(true);
          let ones = 0;
          for (const b of bytes) for (let i = 0; i < 8; i++) ones += (b >> i) & 1;
          expect(h.raw("BITCOUNT", "big")).toBe(int(ones));
        },
      ),
      { numRuns: 25 },
    );
  });
});
