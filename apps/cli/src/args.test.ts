import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitArgs } from "./args.js";
import { runProgram, sendCommands, startRedisServer, type ServerProcess } from "./test-support/processes.js";

describe("splitArgs", () => {
  it.each([
    ["set k v", ["set", "k", "v"]],
    ["  lead   trail  ", ["lead", "trail"]],
    ["", []],
    ["   ", []],
    ['SET k "my value"', ["SET", "k", "my value"]],
    ["SET k 'my value'", ["SET", "k", "my value"]],
    ['"\\x41\\x4a\\x4" x', ["AJx4", "x"]],
    ['"\\n\\r\\t\\b\\a\\z\\\\\\""', ['\n\r\t\b\x07z\\"']],
    ["'it\\'s' 'a\\nb'", ["it's", "a\\nb"]],
    ['a"b c"', ["ab c"]],
    ['a""', ["a"]],
    ['""', [""]],
    ["a\tb\rc\nd", ["a", "b", "c", "d"]],
    ["a\vb \f c", ["a\vb", "c"]],
    ['"x"\v y', ["x", "y"]],
    ["a\0b c", ["a"]],
    ["\xc3\xa9 \xff", ["\xc3\xa9", "\xff"]],
  ])("splits %j", (line, expected) => {
    expect(splitArgs(line)).toEqual(expected);
  });

  it.each([['"ab"c'], ["'ab'c"], ['"unterminated'], ["'unterminated"], ['"a\\'], ['""""'], ['"a\0"']])("rejects %j", (line) => {
    expect(splitArgs(line)).toBeUndefined();
  });
});

/*
 * The same lines typed into redis-cli (piped to its REPL): what it sends to the server must
 * be what splitArgs returns. The arguments are read back from the list RPUSH built.
 */
describe("splitArgs against redis-cli", () => {
  let redis: ServerProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  const lines = [
    "a b c",
    '"a b" c',
    "'a b' c",
    '"\\x41\\x4a\\x4" x',
    '"\\n\\r\\t\\b\\a\\z\\\\\\""',
    "'it\\'s' \"q\\\"q\"",
    'a"b c" d',
    'x"" ""',
    "a\tb\vc \f d",
    '"x"\v y',
    "\xc3\xa9 \xff \x01",
    "a\0b c",
    '"ab"c',
    "'ab'c",
    '"unterminated',
    '"a\\',
  ];

  it.each(lines.map((line) => [line]))("%j", async (line) => {
    const script = `DEL t\nRPUSH t ${line}\n`;
    await runProgram("redis-cli", ["-p", String(redis.port)], { input: Buffer.from(script, "latin1") });
    const { reply } = await sendCommands(redis.port, [["LRANGE", "t", "0", "-1"]]);
    const sent = reply.type === "array" ? reply.value.map((r) => (r.type === "bulk" ? r.value.toString("latin1") : "?")) : [];
    const ours = splitArgs(`RPUSH t ${line}`);
    // redis-cli sends nothing for a line it cannot split, so the list is left empty.
    expect(ours === undefined ? [] : ours.slice(2)).toEqual(sent);
    if (ours !== undefined) expect(sent.length).toBeGreaterThan(0);
  });
});
