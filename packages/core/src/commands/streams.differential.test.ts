import type { Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRawReply, describeMismatch, DifferentialSession, seeded } from "../test-support/differential-session.js";
import { RealRedis, redisServerAvailable } from "../test-support/real-redis.js";

/*
 * The streams family against a live redis-server 7.0 (skipped when none is installed). The
 * same commands go to a fresh kv engine and to a flushed redis-server, in RESP2 and RESP3,
 * and the replies must be the same bytes — with one exception: clocks. Delivery times,
 * consumers' seen-time and the idle times derived from them are read at slightly different
 * moments on the two servers, so for XPENDING's extended form, XINFO CONSUMERS and XINFO
 * STREAM FULL both replies are decoded and those numbers masked before comparing (their
 * RESP types still have to match).
 *
 * Everything else is deterministic by construction: XADD gets explicit IDs (or `<ms>-*`),
 * and idle-time thresholds are either 0, far below what TIME 1000 makes an entry's idle
 * time, or far above anything — never close to a delivery that just happened. Node layout
 * is compared too (XINFO's radix-tree-keys/-nodes, approximate trims), with the default node
 * limits and with tiny ones.
 */

const decode = decodeRawReply;

function text(reply: Reply): string | undefined {
  return reply.type === "bulk" ? reply.value.toString("latin1") : undefined;
}

const MASKED: Reply = { type: "integer", value: -1n };

/** Key/value pairs of a map reply, or of its RESP2 form (a flat array), with a way to replace a value. */
function pairs(reply: Reply): { key: string | undefined; value: Reply; set: (value: Reply) => void }[] {
  if (reply.type === "map") {
    return reply.value.map((pair) => ({ key: text(pair[0]), value: pair[1], set: (value: Reply) => (pair[1] = value) }));
  }
  if (reply.type !== "array") return [];
  const result = [];
  for (let i = 0; i + 1 < reply.value.length; i += 2) {
    const index = i + 1;
    result.push({ key: text(reply.value[i]!), value: reply.value[index]!, set: (value: Reply) => (reply.value[index] = value) });
  }
  return result;
}

function rows(reply: Reply): Reply[] {
  return reply.type === "array" ? reply.value : [];
}

function maskAt(row: Reply, index: number): void {
  if (row.type === "array" && row.value.length > index) row.value[index] = MASKED;
}

/** The reply with its clock-dependent numbers masked, or undefined when it has none. */
function maskClocks(argv: readonly string[], raw: string): Reply | undefined {
  const name = argv[0]!.toLowerCase();
  const sub = argv[1]?.toLowerCase();
  if (raw === "" || raw.startsWith("-")) return undefined;
  const reply = decode(raw);
  if (name === "xpending" && argv.length >= 6) {
    for (const row of rows(reply)) maskAt(row, 2);
    return reply;
  }
  if (name === "xinfo" && sub === "consumers") {
    for (const consumer of rows(reply)) for (const pair of pairs(consumer)) if (pair.key === "idle") pair.set(MASKED);
    return reply;
  }
  if (name === "xinfo" && sub === "stream" && argv.length > 3) {
    for (const pair of pairs(reply)) {
      if (pair.key !== "groups") continue;
      for (const group of rows(pair.value)) {
        for (const field of pairs(group)) {
          if (field.key === "pending") for (const row of rows(field.value)) maskAt(row, 2);
          if (field.key !== "consumers") continue;
          for (const consumer of rows(field.value)) {
            for (const item of pairs(consumer)) {
              if (item.key === "seen-time") item.set(MASKED);
              if (item.key === "pending") for (const row of rows(item.value)) maskAt(row, 1);
            }
          }
        }
      }
    }
    return reply;
  }
  return undefined;
}

function printable(reply: Reply): unknown {
  switch (reply.type) {
    case "bulk":
      return reply.value.toString("latin1");
    case "integer":
      return `:${reply.value}`;
    case "array":
    case "set":
    case "push":
      return { [reply.type]: reply.value.map(printable) };
    case "map":
    case "attribute":
      return { [reply.type]: reply.value.map(([k, v]) => [printable(k), printable(v)]) };
    default:
      return reply;
  }
}

class Session extends DifferentialSession {
  static async openWith(redis: RealRedis, resp3: boolean, config: [string, string][]): Promise<Session> {
    const [h, real] = await DifferentialSession.connect(redis, resp3, config);
    for (const [name, value] of config) h.raw("CONFIG", "SET", name, value);
    return new Session(h, real, resp3);
  }

  async check(argv: string[]): Promise<string | undefined> {
    const [actual, expected] = await this.both(argv);
    if (actual === expected) return undefined;
    const mismatch = describeMismatch(argv, actual, expected);
    const mine = maskClocks(argv, actual);
    const theirs = maskClocks(argv, expected);
    if (mine === undefined || theirs === undefined) return mismatch;
    return JSON.stringify(printable(mine)) === JSON.stringify(printable(theirs)) ? undefined : mismatch;
  }
}

// ---------------------------------------------------------------------------------------
// Random commands
// ---------------------------------------------------------------------------------------

const KEYS = ["s1", "s2", "s3"];
const GROUPS = ["g1", "g2", "g3"];
const CONSUMERS = ["alice", "bob", "carol", ""];
const FIELDS = ["f", "g", "name", "", "1", "-7", "bin\x00\xff", "x".repeat(70)];
const VALUES = ["v", "", "0", "1", "127", "128", "-4096", "4095", "40000", "-9223372036854775808", "9223372036854775807", "007", "1.5", "abc", "a\r\nb", "z".repeat(63), "z".repeat(64), "y".repeat(200)];
const BAD_IDS = ["abc", "", "1-", "-1", "1-2-3", "18446744073709551616", " 5", "+5", "007", "-0", "1-*", "(", "1\x00junk", "18446744073709551615-18446744073709551615"];

class Generator {
  /** A rough clock for explicit IDs: mostly increasing, so most XADDs succeed. */
  private ms = 1;

  constructor(private readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  key(): string {
    return this.chance(0.93) ? this.pick(KEYS) : "str";
  }

  /** An ID near the recent ones, sometimes malformed. */
  id(): string {
    const roll = this.random();
    if (roll < 0.05) return this.pick(BAD_IDS);
    if (roll < 0.25) return String(this.int(0, this.ms));
    return `${this.int(0, this.ms)}-${this.int(0, 4)}`;
  }

  rangeBound(start: boolean): string {
    const roll = this.random();
    if (roll < 0.3) return start ? "-" : "+";
    if (roll < 0.45) return `(${this.id()}`;
    if (roll < 0.5) return this.pick(["(-", "(+", "(18446744073709551615-18446744073709551615", "(0-0", "(0"]);
    return this.id();
  }

  fields(): string[] {
    const shared = this.chance(0.6);
    const count = shared ? 2 : this.int(1, 3);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(shared ? ["f", "g"][i]! : this.pick(FIELDS), this.pick(VALUES));
    return out;
  }

  trim(): string[] {
    const strategy = this.chance(0.6) ? "MAXLEN" : "MINID";
    const out = [this.pick([strategy, strategy.toLowerCase()])];
    const roll = this.random();
    if (roll < 0.45) out.push("~");
    else if (roll < 0.6) out.push("=");
    out.push(strategy === "MAXLEN" ? this.pick(["0", "1", "3", "5", "10", "50", "-1", "abc"]) : this.id());
    if (this.chance(0.2)) out.push("LIMIT", this.pick(["0", "1", "2", "5", "100", "-1"]));
    return out;
  }

  xadd(): string[] {
    const argv = [this.pick(["XADD", "xadd"]), this.key()];
    if (this.chance(0.05)) argv.push("NOMKSTREAM");
    if (this.chance(0.25)) argv.push(...this.trim());
    const roll = this.random();
    if (roll < 0.75) {
      this.ms += this.int(0, 2);
      argv.push(`${this.ms}-${this.int(0, 3)}`);
    } else if (roll < 0.9) {
      this.ms += this.int(0, 1);
      argv.push(`${this.ms}-*`);
    } else {
      argv.push(this.id());
    }
    argv.push(...this.fields());
    if (this.chance(0.02)) argv.push("dangling");
    return argv;
  }

  command(): string[] {
    const key = this.key();
    const group = this.pick(GROUPS);
    const consumer = this.pick(CONSUMERS);
    switch (this.int(0, 29)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        return this.xadd();
      case 5:
        return ["XDEL", key, ...Array.from({ length: this.int(1, 3) }, () => this.id())];
      case 6:
        return ["XTRIM", key, ...this.trim()];
      case 7:
      case 8: {
        const reverse = this.chance(0.3);
        const argv = [reverse ? "XREVRANGE" : "XRANGE", key, this.rangeBound(!reverse), this.rangeBound(reverse)];
        if (this.chance(0.4)) argv.push("COUNT", this.pick(["0", "1", "2", "5", "-1", "abc"]));
        return argv;
      }
      case 9:
        return this.pick([["XLEN", key], ["TYPE", key], ["OBJECT", "ENCODING", key], ["EXISTS", key]]);
      case 10:
        return ["XSETID", key, this.id(), ...(this.chance(0.3) ? ["ENTRIESADDED", this.pick(["0", "5", "100", "-1"])] : []), ...(this.chance(0.3) ? ["MAXDELETEDID", this.id()] : [])];
      case 11:
      case 12: {
        const argv = ["XGROUP", "CREATE", key, group, this.chance(0.2) ? "$" : this.id()];
        if (this.chance(0.3)) argv.push("MKSTREAM");
        if (this.chance(0.2)) argv.push("ENTRIESREAD", this.pick(["0", "2", "10", "-1", "-2"]));
        return argv;
      }
      case 13:
        return ["XGROUP", "SETID", key, group, this.chance(0.2) ? "$" : this.id(), ...(this.chance(0.3) ? ["ENTRIESREAD", this.pick(["0", "3", "-1"])] : [])];
      case 14:
        return this.pick([
          ["XGROUP", "DESTROY", key, group],
          ["XGROUP", "CREATECONSUMER", key, group, consumer],
          ["XGROUP", "DELCONSUMER", key, group, consumer],
        ]);
      case 15:
      case 16:
      case 17: {
        const argv = ["XREADGROUP", "GROUP", group, consumer];
        if (this.chance(0.4)) argv.push("COUNT", this.pick(["1", "2", "3", "0", "-1"]));
        if (this.chance(0.2)) argv.push("NOACK");
        const keys = this.chance(0.8) ? [key] : [key, this.key()];
        argv.push("STREAMS", ...keys, ...keys.map(() => (this.chance(0.75) ? ">" : this.pick(["0", "0-0", this.id()]))));
        return argv;
      }
      case 18: {
        const argv = ["XREAD"];
        if (this.chance(0.4)) argv.push("COUNT", this.pick(["1", "2", "0"]));
        const keys = this.chance(0.8) ? [key] : [key, this.key()];
        argv.push("STREAMS", ...keys, ...keys.map(() => (this.chance(0.2) ? "$" : this.id())));
        return argv;
      }
      case 19:
      case 20:
        return ["XACK", key, group, ...Array.from({ length: this.int(1, 3) }, () => this.id())];
      case 21:
        if (this.chance(0.4)) return ["XPENDING", key, group];
        return [
          "XPENDING",
          key,
          group,
          ...(this.chance(0.3) ? ["IDLE", this.pick(["0", "1000000", "999999999999999"])] : []),
          this.rangeBound(true),
          this.rangeBound(false),
          this.pick(["1", "3", "10", "0", "-1"]),
          ...(this.chance(0.4) ? [consumer] : []),
        ];
      case 22:
      case 23: {
        const argv = ["XCLAIM", key, group, consumer, this.pick(["0", "0", "1000000", "999999999999999", "-5"]), ...Array.from({ length: this.int(1, 3) }, () => this.id())];
        if (this.chance(0.4)) argv.push("TIME", this.pick(["1000", "5000", "-1", "99999999999999999"]));
        if (this.chance(0.15)) argv.push("IDLE", this.pick(["999999999999", "-3"]));
        if (this.chance(0.2)) argv.push("RETRYCOUNT", this.pick(["0", "5", "-1"]));
        if (this.chance(0.3)) argv.push("FORCE");
        if (this.chance(0.3)) argv.push("JUSTID");
        if (this.chance(0.15)) argv.push("LASTID", this.id());
        return argv;
      }
      case 24: {
        const argv = ["XAUTOCLAIM", key, group, consumer, this.pick(["0", "1000000", "999999999999999"]), this.rangeBound(true)];
        if (this.chance(0.5)) argv.push("COUNT", this.pick(["1", "2", "3", "100", "0"]));
        if (this.chance(0.3)) argv.push("JUSTID");
        return argv;
      }
      case 25:
        return this.pick([["XINFO", "STREAM", key], ["XINFO", "GROUPS", key], ["XINFO", "CONSUMERS", key, group]]);
      case 26:
        return ["XINFO", "STREAM", key, "FULL", ...(this.chance(0.5) ? ["COUNT", this.pick(["0", "1", "2", "-1"])] : [])];
      case 27:
        return this.pick([["DEL", key], ["SET", "str", "v"], ["COPY", key, this.pick(KEYS), "REPLACE"], ["RENAME", key, this.pick(KEYS)]]);
      default:
        return this.xadd();
    }
  }
}

// ---------------------------------------------------------------------------------------
// Hand-picked scenarios
// ---------------------------------------------------------------------------------------

const many = (key: string, count: number, fields: (i: number) => string[] = () => ["f", "v"]): string[][] =>
  Array.from({ length: count }, (_, i) => ["XADD", key, `${i + 1}-0`, ...fields(i)]);

const scenarios: Record<string, string[][]> = {
  "XADD IDs and errors": [
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "1", "a", "1"],
    ["XADD", "s", "1-*", "a", "1"],
    ["XADD", "s", "0-*", "a", "1"],
    ["XADD", "s", "5-*", "a", "1"],
    ["XADD", "s", "5-*", "a", "1"],
    ["XADD", "new", "0-0", "a", "1"],
    ["XADD", "new", "0", "a", "1"],
    ["EXISTS", "new"],
    ["XADD", "new", "0-*", "a", "1"],
    ["XADD", "s", "a", "1"],
    ["XADD", "s", "9-0", "a"],
    ["XADD", "s", "9-0", "a", "1", "b"],
    ["XADD", "s", "abc", "a", "1"],
    ["XADD", "s", " 10", "a", "1"],
    ["XADD", "s", "+11", "a", "1"],
    ["XADD", "s", "012", "a", "1"],
    ["XADD", "s", "13-\t7", "a", "1"],
    ["XADD", "s", "14-", "a", "1"],
    ["XADD", "s", "-", "a", "1"],
    ["XADD", "s", "+", "a", "1"],
    ["XADD", "s", "15\x00junk", "a", "1"],
    ["XADD", "s", "18446744073709551616", "a", "1"],
    ["XADD", "s", "16--01", "a", "1"],
    ["XADD", "s", "18446744073709551615-18446744073709551614", "a", "1"],
    ["XADD", "s", "18446744073709551615-*", "a", "1"],
    ["XADD", "s", "18446744073709551615-*", "a", "1"],
    ["XADD", "s", "*", "a", "1"],
    ["XLEN", "s"],
    ["XRANGE", "s", "-", "+"],
    ["XINFO", "STREAM", "s"],
    ["XADD", "s", "NOMKSTREAM", "20", "a", "1"],
    ["XADD", "nokey", "NOMKSTREAM", "20", "a", "1"],
    ["EXISTS", "nokey"],
    ["XADD", "k2", "9007199254740993-9007199254740993", "a", "1"],
    ["XADD", "k2", "9007199254740993-*", "a", "1"],
    ["XRANGE", "k2", "9007199254740993", "9007199254740993"],
    ["XADD", "k3", "5-18446744073709551615", "a", "1"],
    ["XADD", "k3", "5-*", "a", "1"],
    ["XADD", "k3", "6-*", "a", "1"],
  ],
  "XADD options": [
    ["XADD", "s", "MAXLEN", "-1", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "abc", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "5", "MINID", "5", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "5", "MAXLEN", "5", "1", "a", "1"],
    ["XADD", "s", "LIMIT", "5", "1", "a", "1"],
    ["XADD", "s", "LIMIT", "0", "1", "a", "1"],
    ["XADD", "s", "LIMIT", "-1", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "5", "LIMIT", "5", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "=", "5", "LIMIT", "5", "1", "a", "1"],
    ["XADD", "s", "MINID", "-", "1", "a", "1"],
    ["XADD", "s", "MINID", "~", "abc", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "*", "a", "1"],
    ["XADD", "s", "FOO", "1", "a", "1"],
    ["XADD", "s", "maxlen", "~", "2", "limit", "10", "nomkstream", "1", "a", "1"],
    ["XADD", "s", "MAXLEN", "1", "2", "a", "1"],
    ["XADD", "s", "MAXLEN", "~", "1", "3", "a", "1"],
    ["XADD", "s", "MAXLEN", "=", "1", "4", "a", "1"],
    ["XRANGE", "s", "-", "+"],
    ["XADD", "s", "MINID", "6", "5", "a", "1"],
    ["XADD", "s", "MINID", "=", "6", "6", "a", "1"],
    ["XRANGE", "s", "-", "+"],
    ["XADD", "s", "MAXLEN", "~", "0", "7", "a", "1"],
    ["XADD", "s", "MAXLEN", "0", "8", "a", "1"],
    ["XLEN", "s"],
    ["XINFO", "STREAM", "s"],
  ],
  "XRANGE, XREVRANGE bounds and COUNT": [
    ...many("s", 12, (i) => ["f", String(i), "g", "x".repeat(i)]),
    ["XADD", "s", "12-5", "other", "1"],
    ["XRANGE", "s", "-", "+"],
    ["XRANGE", "s", "3", "5"],
    ["XRANGE", "s", "(3", "(5"],
    ["XRANGE", "s", "(3-0", "5-0"],
    ["XRANGE", "s", "5", "3"],
    ["XRANGE", "s", "-", "+", "COUNT", "3"],
    ["XRANGE", "s", "-", "+", "COUNT", "0"],
    ["XRANGE", "s", "-", "+", "COUNT", "-3"],
    ["XRANGE", "s", "-", "+", "COUNT", "abc"],
    ["XRANGE", "s", "-", "+", "COUNT"],
    ["XRANGE", "s", "-", "+", "COUNT", "2", "COUNT", "4"],
    ["XRANGE", "s", "-", "+", "LIMIT", "2"],
    ["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"],
    ["XRANGE", "s", "-", "(0-0"],
    ["XRANGE", "s", "-", "(0"],
    ["XRANGE", "s", "(-", "+"],
    ["XRANGE", "s", "-", "(+"],
    ["XRANGE", "s", "(", "+"],
    ["XRANGE", "s", "12", "12"],
    ["XRANGE", "s", "12-1", "+"],
    ["XREVRANGE", "s", "+", "-"],
    ["XREVRANGE", "s", "+", "-", "COUNT", "2"],
    ["XREVRANGE", "s", "5", "3"],
    ["XREVRANGE", "s", "(5", "(3"],
    ["XREVRANGE", "s", "3", "5"],
    ["XREVRANGE", "s", "0", "-"],
    ["XRANGE", "nokey", "-", "+"],
    ["XRANGE", "nokey", "-", "+", "COUNT", "0"],
    ["XREVRANGE", "nokey", "+", "-"],
    ["XRANGE", "nokey", "x", "+"],
  ],
  "XDEL, tombstones and first/max-deleted IDs": [
    ...many("s", 6),
    ["XDEL", "s", "1-0"],
    ["XINFO", "STREAM", "s"],
    ["XDEL", "s", "3-0", "3-0", "9-0", "4"],
    ["XINFO", "STREAM", "s"],
    ["XDEL", "s", "2-0", "foo"],
    ["XDEL", "nokey", "foo"],
    ["XRANGE", "s", "-", "+"],
    ["XREVRANGE", "s", "+", "-"],
    ["XDEL", "s", "2-0", "5-0", "6-0"],
    ["XINFO", "STREAM", "s"],
    ["XLEN", "s"],
    ["EXISTS", "s"],
    ["XADD", "s", "7-0", "f", "v"],
    ["XINFO", "STREAM", "s"],
  ],
  "XTRIM": [
    ...many("s", 250),
    ["XINFO", "STREAM", "s"],
    ["XTRIM", "s"],
    ["XTRIM", "s", "FOO"],
    ["XTRIM", "s", "LIMIT", "5"],
    ["XTRIM", "s", "MAXLEN", "abc"],
    ["XTRIM", "s", "NOMKSTREAM", "MAXLEN", "5"],
    ["XTRIM", "s", "MAXLEN", "~", "220"],
    ["XLEN", "s"],
    ["XTRIM", "s", "MAXLEN", "~", "180"],
    ["XLEN", "s"],
    ["XINFO", "STREAM", "s"],
    ["XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "30"],
    ["XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "100"],
    ["XLEN", "s"],
    ["XTRIM", "s", "MAXLEN", "145"],
    ["XINFO", "STREAM", "s"],
    ["XTRIM", "s", "MINID", "~", "210"],
    ["XINFO", "STREAM", "s"],
    ["XTRIM", "s", "MINID", "210"],
    ["XINFO", "STREAM", "s"],
    ["XTRIM", "s", "MINID", "=", "240", "LIMIT", "3"],
    ["XTRIM", "s", "MAXLEN", "0"],
    ["XINFO", "STREAM", "s"],
    ["XTRIM", "nokey", "MAXLEN", "0"],
    ["XTRIM", "nokey", "MAXLEN", "x"],
  ],
  "node layout: sizes, tombstones, radix tree": [
    ...many("a", 101),
    ["XINFO", "STREAM", "a"],
    ...many("b", 40, (i) => ["field", "x".repeat(20 + (i % 7) * 13), "n", String(i * 997)]),
    ["XINFO", "STREAM", "b"],
    ...many("c", 30, (i) => (i % 3 === 0 ? ["a", "1", "b", "2"] : ["c", "y".repeat(90)])),
    ["XINFO", "STREAM", "c"],
    ["XADD", "d", "1-0", "f", "v".repeat(5000)],
    ["XADD", "d", "2-0", "f", "v"],
    ["XADD", "d", "3-0", "f", "v".repeat(70000)],
    ["XADD", "d", "4-0", "f", "v"],
    ["XINFO", "STREAM", "d"],
    ["XDEL", "d", "3-0"],
    ["XINFO", "STREAM", "d"],
    ["XADD", "e", "1-0", "f", "v"],
    ["XADD", "e", "4294967296-0", "f", "v"],
    ["XADD", "e", "4294967296-65536", "f", "v"],
    ["XADD", "e", "18446744073709551615-0", "f", "v"],
    ["XINFO", "STREAM", "e"],
    ["CONFIG", "SET", "stream-node-max-entries", "2"],
    ...many("f", 9),
    ["XINFO", "STREAM", "f"],
    ["XDEL", "f", "3-0", "4-0"],
    ["XINFO", "STREAM", "f"],
    ["XDEL", "f", "5-0"],
    ["XINFO", "STREAM", "f"],
    ["XTRIM", "f", "MAXLEN", "~", "3"],
    ["XINFO", "STREAM", "f"],
    ["CONFIG", "SET", "stream-node-max-entries", "0"],
    ["CONFIG", "SET", "stream-node-max-bytes", "100"],
    ...many("g", 12, (i) => ["f", String(i)]),
    ["XINFO", "STREAM", "g"],
    ["CONFIG", "SET", "stream-node-max-bytes", "0"],
    ...many("h", 30),
    ["XINFO", "STREAM", "h"],
    // Nodes of more than 127 entries: the count and deleted headers take two bytes.
    ["CONFIG", "SET", "stream-node-max-entries", "1000"],
    ["CONFIG", "SET", "stream-node-max-bytes", "7000"],
    ...many("w", 400, (i) => ["f", String(i * 37), "g", "q".repeat(i % 11)]),
    ["XINFO", "STREAM", "w"],
    ["XDEL", "w", ...Array.from({ length: 40 }, (_, i) => `${3 * i + 1}-0`)],
    ...many("w", 200, (i) => ["f", String(i)]).map((argv, i) => ["XADD", "w", `${401 + i}-0`, ...argv.slice(3)]),
    ["XINFO", "STREAM", "w"],
    ["XTRIM", "w", "MAXLEN", "~", "300"],
    ["XINFO", "STREAM", "w"],
  ],
  "XSETID": [
    ["XSETID", "nokey", "1-0"],
    ["XADD", "s", "5-0", "f", "v"],
    ["XSETID", "s", "4-0"],
    ["XSETID", "s", "5"],
    ["XSETID", "s", "10-0", "ENTRIESADDED", "0"],
    ["XSETID", "s", "10-0", "ENTRIESADDED", "-1"],
    ["XSETID", "s", "10-0", "ENTRIESADDED", "abc"],
    ["XSETID", "s", "10-0", "MAXDELETEDID", "11-0"],
    ["XSETID", "s", "10-0", "MAXDELETEDID", "abc"],
    ["XSETID", "s", "10-0", "ENTRIESADDED"],
    ["XSETID", "s", "10-0", "FOO", "1"],
    ["XSETID", "s", "-"],
    ["XSETID", "s", "10-0", "ENTRIESADDED", "7", "MAXDELETEDID", "3-0"],
    ["XINFO", "STREAM", "s"],
    ["XSETID", "s", "2-0"],
    ["XSETID", "s", "3-0"],
    ["XINFO", "STREAM", "s"],
    ["XADD", "s", "11-0", "f", "v"],
    ["XDEL", "s", "5-0"],
    ["XSETID", "s", "1-0"],
    ["XSETID", "s", "18446744073709551615-18446744073709551615"],
    ["XADD", "s", "*", "f", "v"],
    ["XINFO", "STREAM", "s"],
  ],
  "consumer groups: create, read, ack, pending": [
    ["XGROUP", "CREATE", "s", "g", "$"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2"],
    ["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD"],
    ["XGROUP", "CREATE", "s", "g2", "0", "FOO"],
    ["XGROUP", "CREATE", "s", "g2", "foo"],
    ["XGROUP", "CREATE", "s", "g2", "-"],
    ["XGROUP", "CREATE", "s", "g2", "0", "MKSTREAM", "ENTRIESREAD", "0", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g2", "0", "MKSTREAM", "ENTRIESREAD", "0", "MKSTREAM", "MKSTREAM"],
    ["XGROUP", "CrEaTe", "s", "g3", "0", "x"],
    ...many("s", 5),
    ["XINFO", "GROUPS", "s"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g2", "alice", "COUNT", "2", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g2", "bob", "COUNT", "2", "STREAMS", "s", ">"],
    ["XINFO", "CONSUMERS", "s", "g2"],
    ["XINFO", "CONSUMERS", "s", "nogroup"],
    ["XINFO", "GROUPS", "s"],
    ["XPENDING", "s", "g2"],
    ["XPENDING", "s", "g2", "-", "+", "10"],
    ["XPENDING", "s", "g2", "-", "+", "10", "bob"],
    ["XPENDING", "s", "g2", "-", "+", "10", "nobody"],
    ["XPENDING", "s", "g2", "(1", "+", "1"],
    ["XPENDING", "s", "g2", "IDLE", "999999999", "-", "+", "10"],
    ["XPENDING", "s", "g2", "IDLE", "x", "-", "+", "10"],
    ["XPENDING", "s", "g2", "IDLE", "0", "-", "+"],
    ["XPENDING", "s", "g2", "-", "+"],
    ["XPENDING", "s", "g2", "-", "+", "x"],
    ["XPENDING", "s", "g2", "x", "+", "1"],
    ["XPENDING", "s", "nogroup"],
    ["XPENDING", "nokey", "g"],
    ["XACK", "s", "g2", "1-0", "1-0", "3-0", "9-0"],
    ["XACK", "s", "g2", "foo"],
    ["XACK", "s", "nogroup", "foo"],
    ["XACK", "nokey", "g", "foo"],
    ["XPENDING", "s", "g2"],
    ["XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "s", "0"],
    ["XPENDING", "s", "g2", "-", "+", "10"],
    ["XDEL", "s", "4-0"],
    ["XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g2", "bob", "COUNT", "1", "STREAMS", "s", "3"],
    ["XREADGROUP", "GROUP", "g2", "carol", "NOACK", "STREAMS", "s", ">"],
    ["XINFO", "GROUPS", "s"],
    ["XINFO", "STREAM", "s", "FULL"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT", "1"],
    ["XGROUP", "SETID", "s", "g2", "0"],
    ["XREADGROUP", "GROUP", "g2", "dave", "COUNT", "2", "STREAMS", "s", ">"],
    ["XPENDING", "s", "g2", "-", "+", "10"],
    ["XGROUP", "SETID", "s", "g2", "$", "ENTRIESREAD", "3"],
    ["XGROUP", "SETID", "s", "nogroup", "0"],
    ["XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD"],
    ["XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD", "1", "ENTRIESREAD", "2"],
    ["XGROUP", "SETID", "s", "g2", "0", "MKSTREAM"],
    ["XGROUP", "SETID", "s", "g2", "+"],
    ["XINFO", "GROUPS", "s"],
    ["XGROUP", "CREATECONSUMER", "s", "g2", "erin"],
    ["XGROUP", "CREATECONSUMER", "s", "g2", "erin"],
    ["XGROUP", "CREATECONSUMER", "s", "nogroup", "erin"],
    ["XGROUP", "DELCONSUMER", "s", "g2", "bob"],
    ["XGROUP", "DELCONSUMER", "s", "g2", "bob"],
    ["XINFO", "CONSUMERS", "s", "g2"],
    ["XGROUP", "DESTROY", "s", "g2"],
    ["XGROUP", "DESTROY", "s", "g2"],
    ["XGROUP", "DESTROY", "nokey", "g2"],
    ["XGROUP", "CREATECONSUMER", "nokey", "g", "c"],
    ["XGROUP", "FOO", "s"],
    ["XGROUP", "HELP"],
    ["XGROUP", "HELP", "x"],
    ["XINFO", "HELP"],
    ["XINFO", "GROUPS", "s"],
  ],
  "XREAD and XREADGROUP arguments": [
    ...many("s", 3),
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREAD", "STREAMS", "s", "0"],
    ["XREAD", "COUNT", "1", "STREAMS", "s", "0"],
    ["XREAD", "COUNT", "-1", "STREAMS", "s", "1"],
    ["XREAD", "COUNT", "x", "STREAMS", "s", "1"],
    ["XREAD", "STREAMS", "s", "$"],
    ["XREAD", "STREAMS", "s", "3-0"],
    ["XREAD", "STREAMS", "s", "nokey", "0", "0"],
    ["XREAD", "STREAMS", "nokey", "s", "0", "0"],
    ["XREAD", "STREAMS", "s", "s", "1", "2"],
    ["XREAD", "STREAMS", "s", "+"],
    ["XREAD", "STREAMS", "s", ">"],
    ["XREAD", "STREAMS", "s", "0", "1"],
    ["XREAD", "STREAMS", "s"],
    ["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"],
    ["XREAD", "NOACK", "STREAMS", "s", "0"],
    ["XREAD", "FOO", "STREAMS", "s", "0"],
    ["XREAD", "COUNT", "1", "s", "0"],
    ["XREAD", "BLOCK", "x", "STREAMS", "s", "0"],
    ["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"],
    ["XREAD", "BLOCK", "0", "STREAMS", "s", "0"],
    ["XREAD", "BLOCK", "100", "STREAMS", "s", "1"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "+"],
    ["XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">", "0"],
    ["XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"],
    ["XADD", "s", "4-0", "f", "v"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "BLOCK", "10", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
    ["XINFO", "CONSUMERS", "s", "g"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">", "0"],
    ["SET", "str", "x"],
    ["XREAD", "STREAMS", "str", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"],
    ["XREAD", "STREAMS", "s", "str", "0", "0"],
    ["XREAD", "STREAMS", "s", "str", "0", "$"],
  ],
  "XCLAIM and XAUTOCLAIM": [
    ...many("s", 8),
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
    ["XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "TIME", "1000"],
    ["XCLAIM", "s", "g", "bob", "999999999999999", "3-0"],
    ["XCLAIM", "s", "g", "bob", "1000000", "1-0", "3-0"],
    ["XCLAIM", "s", "g", "carol", "0", "3-0", "JUSTID", "RETRYCOUNT", "7"],
    ["XCLAIM", "s", "g", "carol", "0", "4-0", "IDLE", "999999999999", "JUSTID"],
    ["XCLAIM", "s", "g", "carol", "0", "5-0", "IDLE", "-5", "JUSTID"],
    ["XCLAIM", "s", "g", "carol", "0", "6-0", "TIME", "99999999999999999", "JUSTID"],
    ["XPENDING", "s", "g", "-", "+", "20"],
    ["XCLAIM", "s", "g", "dave", "0", "99-0"],
    ["XCLAIM", "s", "g", "dave", "0", "99-0", "FORCE"],
    ["XDEL", "s", "7-0"],
    ["XCLAIM", "s", "g", "dave", "0", "7-0", "FORCE"],
    ["XACK", "s", "g", "8-0"],
    ["XCLAIM", "s", "g", "dave", "0", "8-0", "FORCE", "JUSTID"],
    ["XCLAIM", "s", "g", "dave", "0", "8-0", "FORCE"],
    ["XCLAIM", "s", "g", "dave", "0", "LASTID", "20-0"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "LASTID", "30-0"],
    ["XCLAIM", "s", "g", "dave", "x", "1-0"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "IDLE", "x"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "TIME", "x"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "RETRYCOUNT", "x"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "LASTID", "x"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "IDLE"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "+"],
    ["XCLAIM", "s", "g", "dave", "0", "1-0", "bad\x00opt"],
    ["XCLAIM", "s", "nog", "dave", "0", "1-0"],
    ["XCLAIM", "nokey", "g", "dave", "0", "1-0"],
    ["XINFO", "GROUPS", "s"],
    ["XINFO", "CONSUMERS", "s", "g"],
    ["XPENDING", "s", "g"],
    ["XDEL", "s", "2-0", "5-0"],
    ["XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "2"],
    ["XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "2"],
    ["XAUTOCLAIM", "s", "g", "erin", "1000000", "0", "JUSTID"],
    ["XAUTOCLAIM", "s", "g", "erin", "999999999999999", "0"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "(3-0", "COUNT", "1"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "-"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "0", "COUNT", "0"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "0", "COUNT", "x"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "0", "COUNT", "576460752303423488"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "0", "COUNT"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "0", "FOO"],
    ["XAUTOCLAIM", "s", "g", "frank", "x", "0"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "x"],
    ["XAUTOCLAIM", "s", "g", "frank", "0", "(18446744073709551615-18446744073709551615"],
    ["XAUTOCLAIM", "s", "nog", "frank", "0", "0"],
    ["XAUTOCLAIM", "nokey", "g", "frank", "0", "0"],
    ["XPENDING", "s", "g", "-", "+", "20"],
    ["XINFO", "STREAM", "s", "FULL"],
    ["XINFO", "CONSUMERS", "s", "g"],
  ],
  "read counters and lag": [
    ["XADD", "a", "1-0", "f", "v"],
    ["XADD", "a", "2-0", "f", "v"],
    ["XADD", "a", "3-0", "f", "v"],
    ["XDEL", "a", "2-0"],
    ["XGROUP", "CREATE", "a", "g", "1-0", "ENTRIESREAD", "1"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "a", ">"],
    ["XINFO", "GROUPS", "a"],
    ["XADD", "b", "1-0", "f", "v"],
    ["XADD", "b", "2-0", "f", "v"],
    ["XADD", "b", "3-0", "f", "v"],
    ["XGROUP", "CREATE", "b", "g", "0-0", "ENTRIESREAD", "0"],
    ["XDEL", "b", "1-0"],
    ["XINFO", "GROUPS", "b"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "b", ">"],
    ["XINFO", "GROUPS", "b"],
    ["XADD", "c", "1-0", "f", "v"],
    ["XADD", "c", "2-0", "f", "v"],
    ["XGROUP", "CREATE", "c", "g", "0-0"],
    ["XDEL", "c", "1-0", "2-0"],
    ["XINFO", "GROUPS", "c"],
    ...many("d", 3),
    ["XTRIM", "d", "MAXLEN", "2"],
    ["XGROUP", "CREATE", "d", "g", "0-0"],
    ["XINFO", "GROUPS", "d"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "d", ">"],
    ["XINFO", "GROUPS", "d"],
    ...many("e", 4),
    ["XDEL", "e", "3-0"],
    ["XGROUP", "CREATE", "e", "g", "1-0"],
    ["XGROUP", "CREATE", "e", "g2", "0-0"],
    ["XINFO", "GROUPS", "e"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "e", ">"],
    ["XINFO", "GROUPS", "e"],
    ...many("f", 2),
    ["XTRIM", "f", "MAXLEN", "0"],
    ["XGROUP", "CREATE", "f", "g", "0-0"],
    ["XGROUP", "CREATE", "f", "g2", "5-0"],
    ["XINFO", "GROUPS", "f"],
    ...many("h", 4),
    ["XDEL", "h", "1-0", "2-0"],
    ["XGROUP", "CREATE", "h", "g", "1-0"],
    ["XINFO", "GROUPS", "h"],
    ["XGROUP", "CREATE", "i", "g", "$", "MKSTREAM"],
    ["XINFO", "GROUPS", "i"],
    ["XINFO", "STREAM", "i"],
    ["XINFO", "STREAM", "i", "FULL"],
    ["XSETID", "i", "5-0", "ENTRIESADDED", "9223372036854775807"],
    ["XADD", "i", "6-0", "f", "v"],
    ["XINFO", "GROUPS", "i"],
    ["XINFO", "STREAM", "i"],
  ],
  "XINFO": [
    ["XINFO", "STREAM", "nokey"],
    ["XINFO", "GROUPS", "nokey"],
    ["XINFO", "CONSUMERS", "nokey", "g"],
    ...many("s", 15),
    ["XINFO", "STREAM", "s", "FULL"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT", "3"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT", "0"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT", "-1"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT"],
    ["XINFO", "STREAM", "s", "FULL", "FOO", "1"],
    ["XINFO", "STREAM", "s", "FOO"],
    ["XINFO", "stream", "s", "full", "count", "2"],
    ["XINFO", "STREAM", "s", "FULL", "COUNT", "1", "x"],
    ["XINFO", "GROUPS", "s", "x"],
    ["XINFO", "FOO", "s"],
    ["SET", "str", "v"],
    ["XINFO", "STREAM", "str"],
    ["XINFO", "GROUPS", "str"],
  ],
  "wrong types and generic commands": [
    ["SET", "str", "v"],
    ["XADD", "str", "1", "f", "v"],
    ["XLEN", "str"],
    ["XRANGE", "str", "-", "+"],
    ["XREVRANGE", "str", "+", "-"],
    ["XDEL", "str", "1"],
    ["XTRIM", "str", "MAXLEN", "0"],
    ["XSETID", "str", "1"],
    ["XGROUP", "CREATE", "str", "g", "0"],
    ["XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"],
    ["XACK", "str", "g", "1"],
    ["XPENDING", "str", "g"],
    ["XCLAIM", "str", "g", "c", "0", "1"],
    ["XAUTOCLAIM", "str", "g", "c", "0", "0"],
    ["XADD", "s", "1-0", "f", "v"],
    ["GET", "s"],
    ["LPUSH", "s", "x"],
    ["TYPE", "s"],
    ["OBJECT", "ENCODING", "s"],
    ["SCAN", "0", "TYPE", "stream"],
    ["COPY", "s", "s2"],
    ["XADD", "s2", "2-0", "g", "w"],
    ["XRANGE", "s", "-", "+"],
    ["XRANGE", "s2", "-", "+"],
    ["RENAME", "s2", "s3"],
    ["XINFO", "STREAM", "s3"],
    ["EXPIRE", "s3", "1000"],
    ["TTL", "s3"],
    ["XADD", "s3", "3-0", "f", "v"],
    ["TTL", "s3"],
    ["DEL", "s3"],
    ["EXISTS", "s3"],
  ],
};

describe.skipIf(!redisServerAvailable)("streams against redis-server 7.0", () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await RealRedis.start();
  });
  afterAll(() => redis?.stop());

  const defaults: [string, string][] = [
    ["stream-node-max-entries", "100"],
    ["stream-node-max-bytes", "4096"],
  ];

  async function runAll(commands: string[][], resp3: boolean, config: [string, string][] = defaults): Promise<string[]> {
    const session = await Session.openWith(redis, resp3, config);
    const mismatches: string[] = [];
    try {
      for (const argv of commands) {
        const mismatch = await session.check(argv);
        if (mismatch !== undefined) mismatches.push(mismatch);
        if (process.env.STREAMS_DEBUG !== undefined && mismatches.length === 0) {
          for (const key of KEYS) {
            const state = await session.check(["XINFO", "STREAM", key, "FULL", "COUNT", "0"]);
            if (state !== undefined) {
              mismatches.push(`after ${JSON.stringify(argv)}: ${state}`);
              break;
            }
          }
        }
      }
    } finally {
      session.close();
    }
    return mismatches;
  }

  for (const [name, commands] of Object.entries(scenarios)) {
    for (const resp3 of [false, true]) {
      it(`${name} (RESP${resp3 ? 3 : 2})`, async () => {
        expect(await runAll(commands, resp3)).toEqual([]);
      });
    }
  }

  const layouts: [string, [string, string][]][] = [
    ["default nodes", defaults],
    ["3-entry nodes", [["stream-node-max-entries", "3"], ["stream-node-max-bytes", "4096"]]],
    ["150-byte nodes", [["stream-node-max-entries", "0"], ["stream-node-max-bytes", "150"]]],
    ["wide nodes (multi-byte counts)", [["stream-node-max-entries", "500"], ["stream-node-max-bytes", "9000"]]],
  ];
  const seeds = process.env.STREAMS_SEEDS === undefined ? [1, 2, 3, 4, 5, 6, 7, 8] : Array.from({ length: Number(process.env.STREAMS_SEEDS) }, (_, i) => i + 1);
  for (const seed of seeds) {
    const resp3 = seed % 2 === 0;
    const [layoutName, config] = layouts[seed % layouts.length]!;
    it(`400 random stream commands, seed ${seed}, ${layoutName} (RESP${resp3 ? 3 : 2})`, async () => {
      const generator = new Generator(seeded(seed));
      const commands = Array.from({ length: 400 }, () => generator.command());
      commands.push(...KEYS.map((key) => ["XINFO", "STREAM", key, "FULL", "COUNT", "0"]));
      expect(await runAll(commands, resp3, config)).toEqual([]);
    });
  }
});
