import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeCommand } from "./command-encoder.js";
import { ProtocolError } from "./protocol-error.js";
import { RequestParser, type RequestParserLimits } from "./request-parser.js";
import { decodeAll, decodeChunks, FEED_MODES, outcomeOf, splitAt, type FeedMode } from "./test-support/feed.js";

function parse(input: Buffer | string, mode: FeedMode, limits?: Partial<RequestParserLimits>): string[][] {
  return decodeAll(new RequestParser(limits), input, mode);
}

function parseError(input: Buffer | string, mode: FeedMode, setup: (parser: RequestParser) => void = () => {}): string {
  const parser = new RequestParser();
  setup(parser);
  try {
    decodeAll(parser, input, mode);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).message;
  }
  throw new Error("expected a ProtocolError");
}

const latin1 = (bytes: number[]): string => Buffer.from(bytes).toString("latin1");

describe.each(FEED_MODES)("RequestParser, fed %s", (mode) => {
  describe("multibulk", () => {
    it("parses a command", () => {
      expect(parse("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", mode)).toEqual([["SET", "key", "value"]]);
    });

    it("parses many commands from one input", () => {
      const input = "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
      expect(parse(input, mode)).toEqual([["PING"], ["GET", "k"], ["PING"]]);
    });

    it("is binary safe and returns one latin1 char per byte", () => {
      const value = Buffer.from([0x00, 0x0d, 0x0a, 0x2a, 0x24, 0x7f, 0x80, 0xfe, 0xff]);
      const parsed = parse(encodeCommand(["SET", "k", value]), mode);
      expect(parsed).toEqual([["SET", "k", latin1([...value])]]);
      expect(Buffer.from(parsed[0]![2]!, "latin1")).toEqual(value);
    });

    it("accepts empty arguments", () => {
      expect(parse("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", mode)).toEqual([["ECHO", ""]]);
    });

    it("skips *0 and negative counts like Redis", () => {
      expect(parse("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n", mode)).toEqual([["PING"]]);
    });

    it("does not check the bytes after a payload or after a CR, as Redis does not", () => {
      expect(parse("*1\r\n$3\r\nfooXY*1\rX$3\rYbar\r\n", mode)).toEqual([["foo"], ["bar"]]);
    });

    it("accepts a count of 0 with a leading digit 0 only alone", () => {
      expect(parse("*1\r\n$0\r\n\r\n", mode)).toEqual([[""]]);
      expect(parseError("*1\r\n$00\r\n\r\n", mode)).toBe("Protocol error: invalid bulk length");
    });

    it("waits for a command cut anywhere", () => {
      const parser = new RequestParser();
      parser.feed(Buffer.from("*2\r\n$3\r\nGET\r\n$3\r\nke"));
      expect(parser.next()).toBeUndefined();
      // Like Redis's qbuf: what is left once the parsed arguments are taken out.
      expect(parser.bufferedBytes).toBe(2);
      parser.feed(Buffer.from("y\r\n"));
      expect(parser.next()).toEqual(["GET", "key"]);
      expect(parser.bufferedBytes).toBe(0);
    });
  });

  describe("inline", () => {
    it("splits on blanks, with CRLF or LF line ends", () => {
      expect(parse("SET k v\r\nGET   k\n\tPING\t \r\n", mode)).toEqual([["SET", "k", "v"], ["GET", "k"], ["PING"]]);
    });

    it("skips empty and blank lines", () => {
      expect(parse("\r\n\n   \r\n \x0b\x0c\r\nPING\r\n", mode)).toEqual([["PING"]]);
    });

    it("understands quotes and escapes like sdssplitargs", () => {
      const input = `SET "a b\\x41\\n\\r\\t\\b\\a\\"\\\\\\q" 'it\\'s \\n' "" ''\r\n`;
      expect(parse(input, mode)).toEqual([["SET", 'a bA\n\r\t\b\x07"\\q', "it's \\n", "", ""]]);
    });

    it("lets a quote open inside an argument", () => {
      expect(parse(`SET a"b c" k'x y'\r\n`, mode)).toEqual([["SET", "ab c", "kx y"]]);
    });

    it("keeps \\v and \\f inside unquoted arguments", () => {
      expect(parse("SET a\x0bb c\x0cd\r\n", mode)).toEqual([["SET", "a\x0bb", "c\x0cd"]]);
    });

    it("keeps bytes >= 0x80 as latin1 chars", () => {
      expect(parse(Buffer.from([0x53, 0x20, 0xe9, 0xff, 0x0a]), mode)).toEqual([["S", "\xe9\xff"]]);
    });

    it("mixes with multibulk commands", () => {
      expect(parse("PING\r\n*1\r\n$4\r\nPING\r\nECHO x\n", mode)).toEqual([["PING"], ["PING"], ["ECHO", "x"]]);
    });
  });

  describe("protocol errors, with Redis's exact text", () => {
    it.each([
      ["*abc\r\n"],
      ["*\r\n"],
      ["*01\r\n"],
      ["*+1\r\n"],
      ["* 1\r\n"],
      ["*-0\r\n"],
      ["*2147483648\r\n"],
      ["*99999999999999999999\r\n"],
      ["*9223372036854775808\r\n"],
    ])("invalid multibulk length: %j", (input) => {
      expect(parseError(input, mode)).toBe("Protocol error: invalid multibulk length");
    });

    it("accepts the largest multibulk length, INT_MAX", () => {
      expect(parse("*2147483647\r\n$4\r\nPING\r\n", mode)).toEqual([]);
    });

    it.each([["*1\r\n$-1\r\n"], ["*1\r\n$abc\r\n"], ["*1\r\n$\r\n"], ["*1\r\n$01\r\n"], ["*1\r\n$9223372036854775808\r\n"]])(
      "invalid bulk length: %j",
      (input) => {
        expect(parseError(input, mode)).toBe("Protocol error: invalid bulk length");
      },
    );

    it("invalid bulk length beyond proto-max-bulk-len", () => {
      const parser = () => new RequestParser({ maxBulkLength: 100 });
      expect(decodeAll(parser(), "*1\r\n$100\r\n", mode)).toEqual([]);
      expect(() => decodeAll(parser(), "*1\r\n$101\r\n", mode)).toThrow("Protocol error: invalid bulk length");
    });

    it.each([
      ["*1\r\nX3\r\nfoo\r\n", "X"],
      ["*2\r\n$3\r\nfoo\r\n:1\r\n", ":"],
      ["*1\r\n*1\r\n", "*"],
    ])("expected '$': %j", (input, got) => {
      expect(parseError(input, mode)).toBe(`Protocol error: expected '$', got '${got}'`);
    });

    it("too big mbulk count string", () => {
      const parser = new RequestParser();
      expect(decodeAll(parser, "*" + "1".repeat(65535), mode)).toEqual([]);
      expect(parseError("*" + "1".repeat(65536), mode)).toBe("Protocol error: too big mbulk count string");
      // Also when the CR is there but too far: the outcome must not depend on chunking.
      expect(parseError("*" + "1".repeat(65536) + "\r\n", mode)).toBe("Protocol error: too big mbulk count string");
    });

    it("applies a small maxInlineLength to count lines too, whatever the chunking", () => {
      const parser = () => new RequestParser({ maxInlineLength: 8 });
      expect(() => decodeAll(parser(), "*123456789\r\n", mode)).toThrow("Protocol error: too big mbulk count string");
      expect(() => decodeAll(parser(), "*1\r\n$123456789\r\n", mode)).toThrow("Protocol error: too big bulk count string");
      expect(decodeAll(parser(), "*1234567\r\n", mode)).toEqual([]);
    });

    it("too big bulk count string", () => {
      expect(parseError("*1\r\n$" + "1".repeat(65536), mode)).toBe("Protocol error: too big bulk count string");
    });

    it("too big inline request", () => {
      expect(parse("A".repeat(65536), mode)).toEqual([]);
      expect(parseError("A".repeat(65537), mode)).toBe("Protocol error: too big inline request");
      expect(parseError("A".repeat(100 * 1024) + "\r\n", mode)).toBe("Protocol error: too big inline request");
    });

    it.each([[`SET "a\r\n`], [`SET "a"b\r\n`], [`SET 'a\r\n`], [`SET 'a'b\r\n`], [`SET "a\\"\r\n`]])(
      "unbalanced quotes: %j",
      (input) => {
        expect(parseError(input, mode)).toBe("Protocol error: unbalanced quotes in request");
      },
    );

    it("unauthenticated multibulk length", () => {
      const unauthenticated = (parser: RequestParser) => {
        parser.authenticated = false;
      };
      expect(parseError("*11\r\n", mode, unauthenticated)).toBe("Protocol error: unauthenticated multibulk length");
      const parser = new RequestParser();
      parser.authenticated = false;
      expect(decodeAll(parser, "*10\r\n", mode)).toEqual([]);
    });

    it("unauthenticated bulk length", () => {
      const unauthenticated = (parser: RequestParser) => {
        parser.authenticated = false;
      };
      expect(parseError("*1\r\n$16385\r\n", mode, unauthenticated)).toBe("Protocol error: unauthenticated bulk length");
      const parser = new RequestParser();
      parser.authenticated = false;
      expect(decodeAll(parser, "*1\r\n$16384\r\n", mode)).toEqual([]);
    });

    it("the parser stays failed after an error", () => {
      const parser = new RequestParser();
      parser.feed(Buffer.from("*1\r\n$4\r\nPING\r\n*x\r\n"));
      expect(parser.next()).toEqual(["PING"]);
      expect(() => parser.next()).toThrow("Protocol error: invalid multibulk length");
      parser.feed(Buffer.from("*1\r\n$4\r\nPING\r\n"));
      expect(() => parser.next()).toThrow("Protocol error: invalid multibulk length");
      expect(parser.bufferedBytes).toBe(0);
    });
  });

  describe("NUL bytes in lines (Redis searches them with strchr)", () => {
    it("a NUL before the CR of a count line makes it wait until it is too big", () => {
      expect(parse("*1\x00\r\n$4\r\nPING\r\n", mode)).toEqual([]);
      expect(parseError("*1\x00\r\n" + "x".repeat(65536), mode)).toBe("Protocol error: too big mbulk count string");
    });

    it("a NUL in an inline line makes it wait until it is too big", () => {
      expect(parse("PI\x00NG\r\nPING\r\n", mode)).toEqual([]);
    });

    it("a NUL inside a bulk payload is just data", () => {
      expect(parse("*1\r\n$3\r\na\x00b\r\n", mode)).toEqual([["a\x00b"]]);
    });
  });
});

describe("RequestParser buffering", () => {
  it("adopts a chunk without copying when nothing is pending", () => {
    const parser = new RequestParser();
    parser.feed(Buffer.from("*1\r\n$4\r\nPI"));
    expect(parser.next()).toBeUndefined();
    parser.feed(Buffer.from("NG\r\n*1\r\n$4\r\nPING\r\n"));
    expect(parser.next()).toEqual(["PING"]);
    expect(parser.next()).toEqual(["PING"]);
    expect(parser.next()).toBeUndefined();
    expect(parser.bufferedBytes).toBe(0);
  });

  it("reads a 20 MB argument sent in 64 KiB chunks quickly", () => {
    const size = 20 * 1024 * 1024;
    const value = Buffer.alloc(size, "v");
    value.write("head", 0, "latin1");
    value.write("tail", size - 4, "latin1");
    const input = Buffer.concat([encodeCommand(["SET", "big", value]), encodeCommand(["GET", "big"])]);
    const header = `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`;
    const parser = new RequestParser();
    const commands: string[][] = [];
    const started = performance.now();
    for (let offset = 0; offset < input.length; offset += 65536) {
      parser.feed(input.subarray(offset, offset + 65536));
      for (let argv = parser.next(); argv !== undefined; argv = parser.next()) commands.push(argv);
      if (offset === 65536 * 10) expect(parser.bufferedBytes).toBe(offset + 65536 - header.length);
    }
    const elapsed = performance.now() - started;
    expect(commands).toHaveLength(2);
    const [set, get] = commands;
    expect(set![0]).toBe("SET");
    expect(set![2]!.length).toBe(size);
    expect(set![2]!.startsWith("head")).toBe(true);
    expect(set![2]!.endsWith("vvtail")).toBe(true);
    expect(get).toEqual(["GET", "big"]);
    expect(elapsed).toBeLessThan(3000);
  });

  it("holds memory for what a big argument sent, not for the length it declared", () => {
    const parsers: RequestParser[] = [];
    const before = process.memoryUsage().arrayBuffers;
    // Ten clients announcing 100 MB each: preallocating would take 1 GB here.
    for (let i = 0; i < 10; i++) {
      const parser = new RequestParser();
      parser.feed(Buffer.from("*2\r\n$4\r\nECHO\r\n$100000000\r\n"));
      parser.feed(Buffer.alloc(40_000, "x"));
      expect(parser.next()).toBeUndefined();
      expect(parser.bufferedBytes).toBe(40_000);
      expect(parser.bigArgumentMissing).toBe(100_000_002 - 40_000);
      parsers.push(parser);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 1024 * 1024);
    // Byte by byte past the first buffer's capacity, and the value still comes out whole.
    const parser = parsers[0]!;
    parser.feed(Buffer.alloc(100_000, "y"));
    for (let i = 0; i < 1000; i++) parser.feed(Buffer.from("z"));
    expect(parser.bufferedBytes).toBe(141_000);
    expect(parser.bigArgumentMissing).toBe(100_000_002 - 141_000);
  });

  it("applies a changed maxBulkLength from the next argument on (CONFIG SET proto-max-bulk-len)", () => {
    const parser = new RequestParser({ maxBulkLength: 1024 * 1024 });
    parser.feed(Buffer.from("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n"));
    expect(parser.next()).toEqual(["ECHO", "hello"]);
    parser.maxBulkLength = 4;
    parser.feed(Buffer.from("*2\r\n$4\r\nECHO\r\n$5\r\n"));
    expect(() => parser.next()).toThrow("Protocol error: invalid bulk length");
  });

  it("reads a big argument whose last chunk carries the next command", () => {
    const value = "x".repeat(100_000);
    const input = Buffer.concat([encodeCommand(["SET", "k", value]), encodeCommand(["PING"])]);
    const parser = new RequestParser();
    expect(decodeChunks(parser, splitAt(input, [30, 50_000, input.length - 5]))).toEqual([["SET", "k", value], ["PING"]]);
  });
});

// --- property tests -------------------------------------------------------------------------

const binaryArg = fc.uint8Array({ maxLength: 64, size: "medium" }).map((bytes) => Buffer.from(bytes).toString("latin1"));
const bigArg = fc.integer({ min: 32 * 1024, max: 70 * 1024 }).map((n) => "z".repeat(n));
const command = fc.array(fc.oneof({ weight: 20, arbitrary: binaryArg }, { weight: 1, arbitrary: bigArg }), {
  minLength: 1,
  maxLength: 8,
});

describe("RequestParser properties", () => {
  it("random binary commands, split at random points, parse back identically", () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (commands, cuts) => {
        const input = Buffer.concat(commands.map((args) => encodeCommand(args)));
        const parser = new RequestParser();
        const offsets = cuts.map((cut) => cut % (input.length + 1));
        expect(decodeChunks(parser, splitAt(input, offsets))).toEqual(commands);
        expect(parser.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("many commands in one chunk parse back in order", () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 50, maxLength: 200 }), (commands) => {
        const input = Buffer.concat(commands.map((args) => encodeCommand(args)));
        expect(decodeChunks(new RequestParser(), [input])).toEqual(commands);
      }),
      { numRuns: 30 },
    );
  });

  // Bytes that steer the parser into its interesting states.
  const protocolByte = fc.constantFrom(..."*$\r\n0123456789-+ \t\"'\\x\0aZ".split("").map((c) => c.charCodeAt(0)));
  const garbage = fc
    .array(fc.oneof(protocolByte, fc.integer({ min: 0, max: 255 })), { maxLength: 200, size: "medium" })
    .map((bytes) => Buffer.from(bytes));

  it("garbage never throws anything but ProtocolError, never hangs, and does not depend on chunking", () => {
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (input, cuts, authenticated) => {
        const make = () => {
          const parser = new RequestParser({ maxInlineLength: 24, maxBulkLength: 40 });
          parser.authenticated = authenticated;
          return parser;
        };
        const whole = outcomeOf(make(), [input]);
        if (whole.error !== undefined) expect(whole.error).toMatch(/^ProtocolError: Protocol error: /);
        const chunked = outcomeOf(make(), splitAt(input, cuts.map((cut) => cut % (input.length + 1))));
        expect(chunked).toEqual(whole);
        const bytewise = outcomeOf(make(), splitAt(input, Array.from(input.keys())));
        expect(bytewise).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });

  it("garbage after valid commands still yields the valid commands first", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 5 }), garbage, (commands, tail) => {
        const input = Buffer.concat([...commands.map((args) => encodeCommand(args)), tail]);
        const outcome = outcomeOf(new RequestParser(), [input]);
        expect(outcome.values.slice(0, commands.length)).toEqual(commands);
      }),
      { numRuns: 300 },
    );
  });
});
