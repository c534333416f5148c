import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReplyWriter } from "./reply-writer.js";
import { SlabPool } from "./slab-pool.js";

function written(protocol: 2 | 3, write: (writer: ReplyWriter) => void): string {
  const writer = new ReplyWriter({ protocol });
  write(writer);
  return writer.take()?.toString("latin1") ?? "";
}

// [what, how, RESP2 bytes, RESP3 bytes] — what Redis 7.0 sends, byte for byte.
const encodings: [string, (writer: ReplyWriter) => void, string, string][] = [
  ["simple", (w) => w.simple("OK"), "+OK\r\n", "+OK\r\n"],
  ["simple with line breaks", (w) => w.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"],
  ["long simple with line breaks", (w) => w.simple("x".repeat(30) + "\n"), `+${"x".repeat(30)} \r\n`, `+${"x".repeat(30)} \r\n`],
  ["error", (w) => w.error("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
  ["error with a line break", (w) => w.error("ERR bad\nthing"), "-ERR bad thing\r\n", "-ERR bad thing\r\n"],
  ["integer 0", (w) => w.integer(0), ":0\r\n", ":0\r\n"],
  ["integer -1", (w) => w.integer(-1), ":-1\r\n", ":-1\r\n"],
  ["integer 1234567890123", (w) => w.integer(1234567890123), ":1234567890123\r\n", ":1234567890123\r\n"],
  ["integer 2^53-1", (w) => w.integer(Number.MAX_SAFE_INTEGER), ":9007199254740991\r\n", ":9007199254740991\r\n"],
  ["integer -(2^53-1)", (w) => w.integer(-Number.MAX_SAFE_INTEGER), ":-9007199254740991\r\n", ":-9007199254740991\r\n"],
  ["integer 2^63-1n", (w) => w.integer(2n ** 63n - 1n), ":9223372036854775807\r\n", ":9223372036854775807\r\n"],
  ["integer -2^63n", (w) => w.integer(-(2n ** 63n)), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"],
  ["integer 2^60 as a number", (w) => w.integer(2 ** 60), ":1152921504606846976\r\n", ":1152921504606846976\r\n"],
  ["empty bulk", (w) => w.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n"],
  ["latin1 bulk", (w) => w.bulk("h\xe9\x00\r\n"), "$5\r\nh\xe9\x00\r\n\r\n", "$5\r\nh\xe9\x00\r\n\r\n"],
  ["Buffer bulk", (w) => w.bulk(Buffer.from([0xff, 0x00])), "$2\r\n\xff\x00\r\n", "$2\r\n\xff\x00\r\n"],
  ["long bulk", (w) => w.bulk("y".repeat(1000)), `$1000\r\n${"y".repeat(1000)}\r\n`, `$1000\r\n${"y".repeat(1000)}\r\n`],
  ["null bulk", (w) => w.nullBulk(), "$-1\r\n", "_\r\n"],
  ["null array", (w) => w.nullArray(), "*-1\r\n", "_\r\n"],
  ["array", (w) => w.array(3), "*3\r\n", "*3\r\n"],
  ["empty array", (w) => w.array(0), "*0\r\n", "*0\r\n"],
  ["map", (w) => w.map(2), "*4\r\n", "%2\r\n"],
  ["set", (w) => w.set(12), "*12\r\n", "~12\r\n"],
  ["push", (w) => w.push(3), "*3\r\n", ">3\r\n"],
  ["double 1.5", (w) => w.double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"],
  ["double 0.1", (w) => w.double(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"],
  ["double inf", (w) => w.double(Infinity), "$3\r\ninf\r\n", ",inf\r\n"],
  ["double -inf", (w) => w.double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
  ["double nan", (w) => w.double(NaN), "$3\r\nnan\r\n", ",nan\r\n"],
  ["boolean true", (w) => w.boolean(true), ":1\r\n", "#t\r\n"],
  ["boolean false", (w) => w.boolean(false), ":0\r\n", "#f\r\n"],
  ["verbatim", (w) => w.verbatim("hello"), "$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n"],
  ["verbatim markdown", (w) => w.verbatim("# x", "mkd"), "$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n"],
  ["big number", (w) => w.bigNumber("-123456789012345678901"), "$22\r\n-123456789012345678901\r\n", "(-123456789012345678901\r\n"],
  ["raw", (w) => w.raw("+PONG\r\n"), "+PONG\r\n", "+PONG\r\n"],
];

describe("ReplyWriter encodings", () => {
  it.each(encodings)("%s", (_what, write, resp2, resp3) => {
    expect(written(2, write)).toBe(resp2);
    expect(written(3, write)).toBe(resp3);
  });

  it("writes a nested reply in sequence", () => {
    const bytes = written(3, (w) => {
      w.map(1);
      w.bulk("k");
      w.array(2);
      w.integer(1);
      w.nullBulk();
    });
    expect(bytes).toBe("%1\r\n$1\r\nk\r\n*2\r\n:1\r\n_\r\n");
  });

  it("refuses fractional integers and verbatim formats that are not 3 chars", () => {
    expect(() => new ReplyWriter().integer(1.5)).toThrow(RangeError);
    expect(() => new ReplyWriter({ protocol: 3 }).verbatim("x", "long")).toThrow(RangeError);
  });
});

describe("ReplyWriter buffering", () => {
  it("take() returns undefined when nothing is pending, and length tracks pending bytes", () => {
    const writer = new ReplyWriter();
    expect(writer.take()).toBeUndefined();
    writer.simple("OK");
    writer.integer(12);
    expect(writer.length).toBe(10);
    expect(writer.take()?.toString()).toBe("+OK\r\n:12\r\n");
    expect(writer.length).toBe(0);
    expect(writer.take()).toBeUndefined();
  });

  it("rewind() drops a partial reply", () => {
    const writer = new ReplyWriter();
    writer.simple("first");
    const mark = writer.mark();
    writer.array(2);
    writer.bulk("half");
    writer.rewind(mark);
    writer.error("ERR oops");
    expect(writer.take()?.toString()).toBe("+first\r\n-ERR oops\r\n");
    expect(() => writer.rewind(1)).toThrow(RangeError);
  });

  it("rewind() still works after another writer wrote behind us", () => {
    const pool = new SlabPool(1024);
    const a = new ReplyWriter({ pool });
    const b = new ReplyWriter({ pool });
    a.simple("a1");
    const mark = a.mark();
    a.simple("a2");
    b.simple("b1");
    a.rewind(mark);
    a.simple("a3");
    expect(a.take()?.toString()).toBe("+a1\r\n+a3\r\n");
    expect(b.take()?.toString()).toBe("+b1\r\n");
  });

  it("writes replies larger than a slab", () => {
    const pool = new SlabPool(64);
    const writer = new ReplyWriter({ pool });
    const big = "b".repeat(10_000);
    writer.simple("OK");
    writer.bulk(big);
    writer.bulk(big);
    expect(writer.take()?.toString()).toBe(`+OK\r\n$10000\r\n${big}\r\n$10000\r\n${big}\r\n`);
  });

  it("writers sharing a slab keep their bytes apart", () => {
    const pool = new SlabPool(4096);
    const a = new ReplyWriter({ pool });
    const b = new ReplyWriter({ pool });
    a.simple("a1");
    b.simple("b1");
    a.simple("a2");
    b.simple("b2");
    const takenA = a.take();
    const takenB = b.take();
    expect(takenA?.toString()).toBe("+a1\r\n+a2\r\n");
    expect(takenB?.toString()).toBe("+b1\r\n+b2\r\n");
    // Without interleaving, consecutive replies share one slab.
    a.simple("a3");
    const next = a.take();
    expect(next?.buffer).toBe(takenB?.buffer);
  });

  it("slab reuse never corrupts a previously taken Buffer", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("bulk" as const), writer: fc.nat(2), bytes: fc.uint8Array({ maxLength: 90 }) }),
      fc.record({ kind: fc.constant("integer" as const), writer: fc.nat(2), value: fc.integer() }),
      fc.record({ kind: fc.constant("take" as const), writer: fc.nat(2) }),
      fc.record({ kind: fc.constant("rewind" as const), writer: fc.nat(2), keep: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 200 }), fc.array(op, { maxLength: 120, size: "medium" }), (slabSize, ops) => {
        const pool = new SlabPool(slabSize);
        const writers = [0, 1, 2].map(() => new ReplyWriter({ pool }));
        const pending = ["", "", ""];
        const taken: [Buffer, string][] = [];
        for (const step of ops) {
          const writer = writers[step.writer]!;
          switch (step.kind) {
            case "bulk": {
              const value = Buffer.from(step.bytes).toString("latin1");
              writer.bulk(step.writer === 1 ? Buffer.from(step.bytes) : value);
              pending[step.writer] += `$${value.length}\r\n${value}\r\n`;
              break;
            }
            case "integer":
              writer.integer(step.value);
              pending[step.writer] += `:${step.value}\r\n`;
              break;
            case "take": {
              const bytes = writer.take();
              expect(bytes?.toString("latin1") ?? "").toBe(pending[step.writer]);
              if (bytes !== undefined) taken.push([bytes, Buffer.from(bytes).toString("latin1")]);
              pending[step.writer] = "";
              break;
            }
            case "rewind": {
              const keep = step.keep % (writer.length + 1);
              writer.rewind(keep);
              pending[step.writer] = pending[step.writer]!.slice(0, keep);
              break;
            }
          }
          expect(writer.length).toBe(pending[step.writer]!.length);
        }
        writers.forEach((writer, i) => {
          expect(writer.take()?.toString("latin1") ?? "").toBe(pending[i]);
        });
        for (const [bytes, copy] of taken) expect(bytes.toString("latin1")).toBe(copy);
      }),
      { numRuns: 500 },
    );
  });
});
