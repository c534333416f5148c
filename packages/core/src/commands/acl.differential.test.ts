import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ClientSession } from "../client-session.js";
import { decodeRawReply, describeMismatch } from "../test-support/differential-session.js";
import { TestHarness } from "../test-support/harness.js";
import { RealRedis, redisServerAvailable, type RedisConnection } from "../test-support/real-redis.js";

/*
 * ACL commands and permission checks against a live redis-server 7.0, byte for byte, over
 * several connections per side. Two things vary from one Redis process to another and are
 * normalised: the order of single-command rules (Redis lists them in hash-table order) and
 * the ACL LOG's age-seconds and client-info.
 */

/** Sorts every run of single-command rules ("+get -del +config|get") within each line; lengths are unchanged. */
function normaliseRules(raw: string): string {
  return raw
    .split("\r\n")
    .map((line) => {
      const tokens = line.split(" ");
      const out: string[] = [];
      let run: string[] = [];
      const flush = (): void => {
        out.push(...run.sort());
        run = [];
      };
      for (const token of tokens) {
        if (/^[+-][^@]/.test(token) && !token.startsWith("+OK") && !token.startsWith("-ERR")) run.push(token.replace(/\)$/, ""));
        else {
          flush();
          out.push(token);
        }
        // A selector's closing parenthesis ends its run.
        if (token.endsWith(")") && /^[+-][^@]/.test(token)) {
          run[run.length - 1] += ")";
          flush();
        }
      }
      flush();
      return out.join(" ");
    })
    .join("\r\n");
}

function maskLog(raw: string): string {
  return raw
    .replace(/(age-seconds\r\n)(?:\$\d+\r\n[^\r]*|,[^\r]*)\r\n/g, "$1<age>\r\n")
    .replace(/(client-info\r\n)\$\d+\r\n[^\r]*\r\n/g, "$1<client-info>\r\n");
}

/** The bulk strings of an array reply, as text. */
function strings(raw: string): string[] {
  const reply = decodeRawReply(raw);
  if (reply.type !== "array") throw new Error(`not an array: ${JSON.stringify(raw)}`);
  return reply.value.map((item) => (item.type === "bulk" ? item.value.toString("latin1") : ""));
}

function sortedArray(raw: string): string[] {
  return strings(raw).sort();
}

describe.skipIf(!redisServerAvailable)("ACL against redis-server", () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await RealRedis.start();
  });
  afterAll(() => redis.stop());

  /** One kv engine and the real server; connection i is a kv client and a real connection. */
  async function open(count: number): Promise<{ run: (i: number, ...argv: string[]) => Promise<[string, string]>; h: TestHarness; close: () => void }> {
    const h = new TestHarness();
    const kvClients: ClientSession[] = [h.client];
    const real: RedisConnection[] = [await redis.connect()];
    for (let i = 1; i < count; i++) {
      kvClients.push(h.engine.createClient());
      real.push(await redis.connect());
    }
    await real[0]!.send(["FLUSHALL"]);
    // Start each scenario from Redis's initial users.
    const [users] = await real[0]!.send(["ACL", "USERS"]);
    for (const name of strings(users!).filter((n) => n !== "default")) await real[0]!.send(["ACL", "DELUSER", name]);
    // "reset" leaves the sanitize-payload flag, which no rule removes: both sides get it.
    const resetDefault = ["ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"];
    await real[0]!.send(resetDefault, ["ACL", "LOG", "RESET"], ["CONFIG", "SET", "requirepass", ""]);
    h.raw(...resetDefault);
    return {
      h,
      run: async (i, ...argv) => {
        const [expected] = await real[i]!.send(argv);
        return [h.rawAs(kvClients[i]!, ...argv), expected!];
      },
      close: () => {
        for (const connection of real) connection.close();
      },
    };
  }

  async function same(run: (i: number, ...argv: string[]) => Promise<[string, string]>, i: number, ...argv: string[]): Promise<void> {
    const [actual, expected] = await run(i, ...argv);
    const a = maskLog(normaliseRules(actual));
    const e = maskLog(normaliseRules(expected));
    expect(a, describeMismatch(argv, a, e)).toBe(e);
  }

  test("ACL CAT lists Redis's categories and each category's commands", async () => {
    const { run, close } = await open(1);
    await same(run, 0, "ACL", "CAT");
    for (const category of ["read", "dangerous", "pubsub", "connection", "scripting", "slow"]) {
      const [actual, expected] = await run(0, "ACL", "CAT", category);
      expect(sortedArray(actual)).toEqual(sortedArray(expected));
    }
    await same(run, 0, "ACL", "CAT", "nosuch");
    await same(run, 0, "ACL", "CAT", "read", "extra");
    close();
  });

  test("SETUSER rules and their errors, GETUSER, LIST, USERS in both protocols", async () => {
    for (const resp3 of [false, true]) {
      const { run, close } = await open(1);
      if (resp3) await run(0, "HELLO", "3");
      const script: string[][] = [
        ["ACL", "SETUSER", "alice"],
        ["ACL", "SETUSER", "bob", "on", ">p1", "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "~foo*", "%R~r*", "%W~w*", "%RW~rw*", "&ch*", "+get", "+set", "-@dangerous", "+config|get"],
        ["ACL", "SETUSER", "bob", ">p2", ">p2"],
        ["ACL", "SETUSER", "bob", "<nope"],
        ["ACL", "SETUSER", "bob", "#abc"],
        ["ACL", "SETUSER", "bob", "!5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"],
        ["ACL", "SETUSER", "bob", "+nosuch"],
        ["ACL", "SETUSER", "bob", "+@nosuch"],
        ["ACL", "SETUSER", "bob", "foo"],
        ["ACL", "SETUSER", "bob", "+config|nosub"],
        ["ACL", "SETUSER", "bob", "+config|get|x"],
        ["ACL", "SETUSER", "bob", "+select|0", "+select|1"],
        ["ACL", "SETUSER", "carl", "allkeys", "~x"],
        ["ACL", "SETUSER", "carl", "allchannels", "&x"],
        ["ACL", "SETUSER", "a b"],
        ["ACL", "SETUSER", "dan", "on", "nopass", "~k*", "&c*", "+@all", "-@dangerous", "+flushall", "-get"],
        ["ACL", "SETUSER", "ed", "on", "nopass", "~*", "+@read", "+@write", "-@keyspace", "+ping", "+client", "-client|kill"],
        ["ACL", "SETUSER", "fr", "reset"],
        ["ACL", "SETUSER", "gus", "on", "nopass", "allcommands", "-@all", "+@hash", "+@list", "-lpush", "nocommands", "+@pubsub"],
        ["ACL", "SETUSER", "s1", "on", "nopass", "~a*", "(+get ~b* &x)", "(", "+set", "~c*", ")", "+del"],
        ["ACL", "SETUSER", "s1", "(+get"],
        ["ACL", "SETUSER", "s1", "(foo)"],
        ["ACL", "SETUSER", "s2", "(+get ~b*)", "clearselectors", "skip-sanitize-payload"],
        ["ACL", "SETUSER", "default", "resetpass", ">secret", "nopass"],
        ["ACL", "GETUSER", "alice"],
        ["ACL", "GETUSER", "bob"],
        ["ACL", "GETUSER", "dan"],
        ["ACL", "GETUSER", "ed"],
        ["ACL", "GETUSER", "s1"],
        ["ACL", "GETUSER", "default"],
        ["ACL", "GETUSER", "nosuch"],
        ["ACL", "LIST"],
        ["ACL", "USERS"],
        ["ACL", "WHOAMI"],
        ["ACL", "DELUSER", "default"],
        ["ACL", "DELUSER", "alice", "nosuch", "fr"],
        ["ACL", "USERS"],
        ["ACL", "GENPASS", "0"],
        ["ACL", "GENPASS", "abc"],
        ["ACL", "LOAD"],
        ["ACL", "SAVE"],
        ["ACL", "NOSUB"],
        ["ACL", "HELP"],
      ];
      for (const argv of script) await same(run, 0, ...argv);
      close();
    }
  });

  test("a restricted user is refused outside its commands, keys and channels, and the ACL LOG says why", async () => {
    const { run, close } = await open(3);
    await same(run, 0, "ACL", "SETUSER", "u1", "on", ">pw", "~k*", "%R~r*", "%W~w*", "&ch*", "+get", "+set", "+publish", "+psubscribe", "+multi", "+exec", "+acl|whoami", "+exists", "+incr");
    await same(run, 0, "ACL", "SETUSER", "off1", "off", ">pw", "+@all");
    const script: [number, string[]][] = [
      [1, ["AUTH", "u1", "bad"]],
      [1, ["AUTH", "nouser", "pw"]],
      [1, ["auth", "off1", "pw"]],
      [1, ["auth", "u1"]],
      [1, ["HELLO", "2", "AUTH", "u1", "bad"]],
      [1, ["AUTH", "u1", "pw"]],
      [1, ["ACL", "WHOAMI"]],
      [1, ["SET", "k1", "v"]],
      [1, ["GET", "k1"]],
      [1, ["GET", "x"]],
      [1, ["GET", "r1"]],
      [1, ["SET", "r1", "v"]],
      [1, ["SET", "w1", "v"]],
      [1, ["GET", "w1"]],
      [1, ["INCR", "w1"]],
      [1, ["EXISTS", "w1", "x"]],
      [1, ["SET", "k1", "v", "GET"]],
      [1, ["DEL", "k1"]],
      [1, ["CONFIG", "GET", "port"]],
      [1, ["PUBLISH", "ch1", "m"]],
      [1, ["PUBLISH", "other", "m"]],
      [1, ["PSUBSCRIBE", "ch*x"]],
      [1, ["MULTI"]],
      [1, ["GET", "x"]],
      [1, ["GET", "k1"]],
      [1, ["EXEC"]],
      [1, ["MULTI"]],
      [1, ["GET", "k1"]],
      [1, ["DEL", "k1"]],
      [1, ["EXEC"]],
      [2, ["AUTH", "u1", "pw"]],
      [2, ["GET", "x"]],
      [2, ["GET", "x"]],
      [0, ["ACL", "LOG"]],
      [0, ["ACL", "LOG", "2"]],
      [0, ["ACL", "LOG", "0"]],
      [0, ["ACL", "LOG", "-1"]],
      [0, ["ACL", "LOG", "x"]],
      [0, ["ACL", "LOG", "1", "2"]],
      [0, ["ACL", "DRYRUN", "u1", "get", "k1"]],
      [0, ["ACL", "DRYRUN", "u1", "get", "x"]],
      [0, ["ACL", "DRYRUN", "u1", "del", "x"]],
      [0, ["ACL", "DRYRUN", "u1", "publish", "zz", "m"]],
      [0, ["ACL", "DRYRUN", "nouser", "get", "x"]],
      [0, ["ACL", "DRYRUN", "u1", "nocmd", "x"]],
      [0, ["ACL", "DRYRUN", "u1", "get"]],
      [0, ["ACL", "DRYRUN", "u1", "config", "get", "x"]],
      [0, ["ACL", "DRYRUN", "u1", "set", "r1", "v"]],
      [0, ["ACL", "LOG", "RESET"]],
      [0, ["ACL", "LOG"]],
    ];
    for (const [i, argv] of script) await same(run, i, ...argv);
    close();
  });

  test("EXEC re-checks queued commands against rules changed meanwhile", async () => {
    const { run, close } = await open(2);
    await same(run, 0, "ACL", "SETUSER", "u4", "on", "nopass", "~*", "&*", "+@all");
    for (const argv of [["AUTH", "u4", "x"], ["MULTI"], ["GET", "k1"], ["PUBLISH", "c", "m"], ["SET", "k2", "v"]]) await same(run, 1, ...argv);
    await same(run, 0, "ACL", "SETUSER", "u4", "resetkeys", "~k2", "resetchannels", "-get");
    await same(run, 1, "EXEC");
    await same(run, 0, "ACL", "LOG");
    close();
  });

  test("requirepass is the default user's password; AUTH and NOAUTH follow it", async () => {
    const { run, close } = await open(2);
    await same(run, 0, "CONFIG", "SET", "requirepass", "secret");
    await same(run, 0, "ACL", "LIST");
    await same(run, 1, "GET", "k");
    await same(run, 1, "AUTH", "wrong");
    await same(run, 1, "AUTH", "secret");
    await same(run, 1, "GET", "k");
    await same(run, 0, "ACL", "SETUSER", "default", "nopass");
    await same(run, 0, "CONFIG", "GET", "requirepass");
    await same(run, 0, "CONFIG", "SET", "requirepass", "");
    await same(run, 0, "ACL", "GETUSER", "default");
    await same(run, 0, "AUTH", "x");
    close();
  });
});
