import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeReply, encodeCommand, escapeBytes, findReplyEnd } from "./resp-reply.js";

const samples = [
  "+OK\r\n",
  "-ERR unknown command 'x', with args beginning with: \r\n",
  ":-9223372036854775808\r\n",
  "$-1\r\n",
  "*-1\r\n",
  "$0\r\n\r\n",
  "$4\r\na\r\nb\r\n",
  "*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
  "_\r\n",
  "#t\r\n",
  ",-inf\r\n",
  "(12345678901234567890\r\n",
  "!5\r\nERR x\r\n",
  "=8\r\ntxt:ab\r\n\r\n",
  "%2\r\n+a\r\n:1\r\n+b\r\n_\r\n",
  "~1\r\n+x\r\n",
  ">2\r\n+message\r\n$0\r\n\r\n",
  "|1\r\n+ttl\r\n:5\r\n$1\r\nv\r\n",
];

describe("reply boundaries", () => {
  it.each(samples)("finds the end of %j whole and fed one byte at a time", (sample) => {
    const bytes = Buffer.from(sample, "latin1");
    expect(findReplyEnd(bytes)).toBe(bytes.length);
    for (let cut = 0; cut < bytes.length; cut++) expect(findReplyEnd(bytes.subarray(0, cut))).toBe(-1);
    expect(decodeReply(bytes).raw.equals(bytes)).toBe(true);
  });

  it("separates back-to-back replies at every split point", () => {
    const all = Buffer.from(samples.join(""), "latin1");
    const ends: number[] = [];
    let offset = 0;
    while (offset < all.length) {
      offset = findReplyEnd(all, offset);
      ends.push(offset);
    }
    expect(ends).toHaveLength(samples.length);
    expect(ends.at(-1)).toBe(all.length);
  });

  it("rejects garbage instead of waiting forever", () => {
    expect(() => findReplyEnd(Buffer.from("?what\r\n"))).toThrow(/unknown reply type/);
    expect(() => findReplyEnd(Buffer.from("$3\r\nabcd\r\n"))).toThrow(/not followed by CRLF/);
  });

  it("round-trips any argv through encodeCommand as a RESP array", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (args) => {
        const encoded = encodeCommand(args.map((arg) => Buffer.from(arg)));
        expect(findReplyEnd(encoded)).toBe(encoded.length);
        const node = decodeReply(encoded);
        expect(node.type).toBe("*");
        const items = node.type === "*" ? (node.items ?? []) : [];
        expect(items.map((item) => (item.type === "$" ? [...(item.value ?? [])] : null))).toEqual(args.map((arg) => [...arg]));
      }),
    );
  });

  it("escapes control and high bytes visibly", () => {
    expect(escapeBytes(Buffer.from([0x61, 0x0d, 0x0a, 0x00, 0xff, 0x22, 0x5c]))).toBe('"a\\r\\n\\x00\\xff\\"\\\\"');
  });
});
