import type { Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteBytes, renderRawReply, renderReply, rendersVerbatim } from "./render-reply.js";
import { runProgram, sendCommands, startRedisServer, type ServerProcess } from "./test-support/processes.js";

/*
 * The renderer is checked against the real redis-cli 7.0: each command runs once through
 * `redis-cli --no-raw` (its terminal format, forced on a pipe) and once over a raw socket,
 * and our rendering of the raw reply must equal redis-cli's output byte for byte.
 */

const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const seed: (string | Buffer)[][] = [
  ["SET", "str", "my value"],
  ["SET", "bin", Buffer.concat([everyByte, Buffer.from("é€", "utf8")])],
  ["SET", "esc", 'a"b\\c\nd\re\tf\x07g\x08h'],
  ["RPUSH", "list12", ..."abcdefghijkl"],
  ["HSET", "h", "f1", "v1", "f2", "v2"],
  ["SADD", "s", "3", "1", "2"],
  ["ZADD", "z", "1.5", "a", "2", "b", "3.25", "c"],
  ["XADD", "st", "1-1", "f", "v", "a", "b"],
  ["XADD", "st", "2-1", "x", "y"],
];

const nestedScript = "return {1,{2,{3,'x'}},'a','b','c','d','e','f','g','h','i',{'j',{}}}";

const resp2Cases: string[][] = [
  ["GET", "str"],
  ["GET", "missing"],
  ["GET", "bin"],
  ["GET", "esc"],
  ["ECHO", ""],
  ["STRLEN", "str"],
  ["TYPE", "str"],
  ["PING"],
  ["LRANGE", "list12", "0", "-1"],
  ["LRANGE", "missing", "0", "-1"],
  ["HGETALL", "h"],
  ["SMEMBERS", "s"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["XRANGE", "st", "-", "+"],
  ["NOSUCHCOMMAND", "a", "b"],
  ["LPUSH", "str", "x"],
  ["EVAL", nestedScript, "0"],
  ["EVAL", "return {1, redis.error_reply('My Error'), redis.status_reply('FINE'), false, {}}", "0"],
  ["CONFIG", "GET", "maxmemory"],
];

const resp3Cases: string[][] = [
  ["HGETALL", "h"],
  ["HGETALL", "missing"],
  ["SMEMBERS", "s"],
  ["SMEMBERS", "missing"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["ZSCORE", "z", "a"],
  ["GET", "missing"],
  ["GET", "bin"],
  ["XRANGE", "st", "-", "+"],
  ["CONFIG", "GET", "maxmemory"],
  ["EVAL", nestedScript, "0"],
  ["EVAL", "redis.setresp(3); return {map={k={1,{map={inner='v'}}}}}", "0"],
  ["EVAL", "redis.setresp(3); return {1, {double=3.14}, {map={a=true}}, {set={x=true}}}", "0"],
  ...["true", "false", "double", "verbatim", "map", "set", "null", "string", "integer"].map((type) => ["DEBUG", "PROTOCOL", type]),
];

describe("renderReply against redis-cli --no-raw", () => {
  let redis: ServerProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
    for (const argv of seed) await sendCommands(redis.port, [argv]);
  });
  afterAll(() => redis?.stop());

  async function compare(argv: string[], resp3: boolean, mode: "--no-raw" | "--raw"): Promise<void> {
    const cli = await runProgram("redis-cli", [mode, "-p", String(redis.port), ...(resp3 ? ["-3"] : []), ...argv]);
    const { reply } = await sendCommands(redis.port, resp3 ? [["HELLO", "3"], argv] : [argv]);
    const rendered = mode === "--raw" ? renderRawReply(reply) : renderReply(reply);
    expect(rendered).toBe(cli.stdout);
  }

  it.each(resp2Cases.map((argv) => [argv.join(" "), argv]))("RESP2 %s", (_, argv) => compare(argv, false, "--no-raw"));
  it.each(resp3Cases.map((argv) => [argv.join(" "), argv]))("RESP3 %s", (_, argv) => compare(argv, true, "--no-raw"));
  it.each(resp2Cases.map((argv) => [argv.join(" "), argv]))("--raw RESP2 %s", (_, argv) => compare(argv, false, "--raw"));
  it.each(resp3Cases.map((argv) => [argv.join(" "), argv]))("--raw RESP3 %s", (_, argv) => compare(argv, true, "--raw"));
});

describe("renderReply on replies redis-cli 7.0 cannot show", () => {
  const bulk = (text: string): Reply => ({ type: "bulk", value: Buffer.from(text, "latin1") });

  it("shows big numbers like the other scalars (redis-cli 7.0 aborts on them)", () => {
    expect(renderReply({ type: "bignumber", value: "3492890328409238509324850943850943825024385" })).toBe("(big number) 3492890328409238509324850943850943825024385\n");
  });

  it("shows a nested attribute as the map it is", () => {
    const reply: Reply = { type: "array", value: [{ type: "attribute", value: [[bulk("ttl"), { type: "integer", value: 3n }]] }] };
    expect(renderReply(reply)).toBe('1) 1# "ttl" => (integer) 3\n');
  });

  it("numbers push messages like arrays", () => {
    expect(renderReply({ type: "push", value: [bulk("message"), bulk("ch")] })).toBe('1) "message"\n2) "ch"\n');
    expect(renderReply({ type: "push", value: [] })).toBe("(empty push)\n");
  });

  it("cuts error and status text at a NUL, as C strings are", () => {
    expect(renderReply({ type: "error", value: "ERR a\0b" })).toBe("(error) ERR a\n");
    expect(renderReply({ type: "simple", value: "O\0K" })).toBe("O\n");
  });

  it("starts a map value on its own line only when it spans several lines", () => {
    const single: Reply = { type: "map", value: [[bulk("k"), { type: "array", value: [bulk("x")] }]] };
    expect(renderReply(single)).toBe('1# "k" => 1) "x"\n');
    const nested: Reply = { type: "map", value: [[bulk("k"), { type: "set", value: [{ type: "array", value: [bulk("x"), bulk("y")] }] }]] };
    expect(renderReply(nested)).toBe('1# "k" => \n   1~ 1) "x"\n      2) "y"\n');
  });

  it("indents a nested aggregate used as a map key and continues with =>", () => {
    const reply: Reply = { type: "map", value: [[{ type: "array", value: [bulk("a"), bulk("b")] }, bulk("v")]] };
    expect(renderReply(reply)).toBe('1# 1) "a"\n   2) "b" => "v"\n');
  });
});

describe("quoteBytes", () => {
  it("escapes like sdscatrepr", () => {
    expect(quoteBytes(Buffer.from('a"\\\n\r\t\x07\x08\x00\x7f\xff ~', "latin1"))).toBe('"a\\"\\\\\\n\\r\\t\\a\\b\\x00\\x7f\\xff ~"');
    expect(quoteBytes(Buffer.from("é", "utf8"))).toBe('"\\xc3\\xa9"');
  });
});

describe("rendersVerbatim", () => {
  it("knows redis-cli's list of report-like commands", () => {
    expect(rendersVerbatim(["INFO"])).toBe(true);
    expect(rendersVerbatim(["info", "server"])).toBe(true);
    expect(rendersVerbatim(["CLIENT", "LIST"])).toBe(true);
    expect(rendersVerbatim(["LATENCY", "DOCTOR"])).toBe(true);
    expect(rendersVerbatim(["CLUSTER", "NODES", "x"])).toBe(false);
    expect(rendersVerbatim(["GET", "info"])).toBe(false);
  });
});
