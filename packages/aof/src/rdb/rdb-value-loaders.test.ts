import { afterEach, describe, expect, it } from "vitest";
import { RdbBuilder } from "../test-support/rdb-builder.js";
import { hasRedisServer } from "../test-support/redis-server.js";
import { encodeIntset, encodeListpack, encodeZiplist, encodeZipmap } from "./test-support/compact-encoders.js";
import { RedisFleet, expectSameDataset, kvAfterReplay, redisAnswerer, replayRdb, runChecked } from "./test-support/redis-differential.js";
import { length64 } from "./test-support/rdb-stream-builder.js";

/** Key, type byte and one compact blob stored as a string. */
const blobKey = (builder: RdbBuilder, type: number, key: string, blob: Buffer) => builder.byte(type).string(key).string(blob.toString("latin1"));

const binaryDouble = (value: number) => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return bytes;
};

/** RDB type 3's score: a length byte (253 nan, 254 inf, 255 -inf) and %.17g text. */
const textDouble = (value: number | string) => {
  if (value === Infinity) return Buffer.from([254]);
  if (value === -Infinity) return Buffer.from([255]);
  const text = String(value);
  return Buffer.concat([Buffer.from([text.length]), Buffer.from(text, "latin1")]);
};

/** A module type id: 9 name characters of 6 bits, then a 10-bit encoding version. */
function moduleTypeId(name: string, version: number): bigint {
  const charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let id = 0n;
  for (const char of name) id = (id << 6n) | BigInt(charset.indexOf(char));
  return (id << 10n) | BigInt(version);
}

const FAR_FUTURE_MS = 4102444800123;

/**
 * One RDB (version 9, which redis-server 7.0 still loads) holding every type of the formats
 * before Redis 7 as well as Redis 7's: linked lists, ziplists, zipmaps, quicklists of both
 * kinds, intsets, text and binary scores.
 */
function everyLegacyEncoding(): RdbBuilder {
  const builder = new RdbBuilder(9).aux("redis-ver", "6.2.0").selectDb(0);
  // Lists
  builder.byte(1).string("list:linked").length(3).string("a").int8(-5).string("");
  blobKey(builder, 10, "list:ziplist", encodeZiplist(["x", 7n, -300n, 70000n, 9223372036854775807n, "y".repeat(300)]));
  builder.byte(14).string("list:quicklist").length(2);
  builder.string(encodeZiplist(["n1", 1n, 2n]).toString("latin1")).string(encodeZiplist(["n2", -1n]).toString("latin1"));
  builder.byte(18).string("list:quicklist2").length(3);
  builder.length(2).string(encodeListpack(["p1", 100n]).toString("latin1"));
  builder.length(1).string("a plain node holding one big element");
  builder.length(2).string(encodeListpack([-4000n, "p2"]).toString("latin1"));
  builder.byte(1).string("list:batched").length(130);
  for (let i = 0; i < 130; i++) builder.string(`e${i}`);
  // Sets
  builder.byte(2).string("set:hashtable").length(3).string("a").string("b").int16(300);
  blobKey(builder, 11, "set:intset16", encodeIntset([3n, -5n, 32767n], 2));
  blobKey(builder, 11, "set:intset32", encodeIntset([70000n, -70000n], 4));
  blobKey(builder, 11, "set:intset64", encodeIntset([9223372036854775807n, -9223372036854775808n], 8));
  // Hashes
  builder.byte(4).string("hash:hashtable").length(2).string("f1").string("v1").string("f2").int32(-70000);
  blobKey(builder, 9, "hash:zipmap", encodeZipmap([["name", "kv"], ["n", "12"]], 3));
  blobKey(builder, 13, "hash:ziplist", encodeZiplist(["a", 1n, "b", "two", "c", -3n]));
  blobKey(builder, 16, "hash:listpack", encodeListpack(["x", 10n, "y", "why"]));
  // Sorted sets
  builder.byte(3).string("zset:text").length(4);
  builder.string("a").raw(textDouble(1.5)).string("b").raw(textDouble(Infinity)).string("c").raw(textDouble(-Infinity));
  builder.string("d").raw(textDouble("0.10000000000000001"));
  builder.byte(5).string("zset:binary").length(4);
  builder.string("big").raw(binaryDouble(1e308)).string("tiny").raw(binaryDouble(-5e-324));
  builder.string("zero").raw(binaryDouble(-0)).string("z".repeat(100)).raw(binaryDouble(2));
  // Compact sorted sets are stored in score order, which the loaders rely on no more than Redis does.
  blobKey(builder, 12, "zset:ziplist", encodeZiplist(["m4", -7n, "m1", 1n, "m2", "2.5", "m3", "inf"]));
  blobKey(builder, 17, "zset:listpack", encodeListpack(["n1", "-inf", "n2", 0n, "n3", "3.0000000000000004"]));
  // Expiries in both units, and another database
  builder.expireMs(FAR_FUTURE_MS);
  blobKey(builder, 11, "set:expiring", encodeIntset([1n], 2));
  builder.expireSeconds(2_000_000_000).byte(2).string("set:expiring-seconds").length(1).string("m");
  builder.selectDb(4).byte(4).string("hash:db4").length(1).string("f").string("v");
  return builder;
}

describe("RDB value loaders", () => {
  it("replays every list, set, hash and sorted set encoding as RPUSH/SADD/HMSET/ZADD batches", () => {
    const { commands, logger } = replayRdb(everyLegacyEncoding().end());
    expect(logger.warnings).toEqual([]);
    const batched = Array.from({ length: 130 }, (_, i) => `e${i}`);
    expect(commands).toEqual([
      ["SELECT", "0"],
      ["RPUSH", "list:linked", "a", "-5", ""],
      ["RPUSH", "list:ziplist", "x", "7", "-300", "70000", "9223372036854775807", "y".repeat(300)],
      ["RPUSH", "list:quicklist", "n1", "1", "2", "n2", "-1"],
      ["RPUSH", "list:quicklist2", "p1", "100", "a plain node holding one big element", "-4000", "p2"],
      ["RPUSH", "list:batched", ...batched.slice(0, 64)],
      ["RPUSH", "list:batched", ...batched.slice(64, 128)],
      ["RPUSH", "list:batched", ...batched.slice(128)],
      ["SADD", "set:hashtable", "a", "b", "300"],
      ["SADD", "set:intset16", "-5", "3", "32767"],
      ["SADD", "set:intset32", "-70000", "70000"],
      ["SADD", "set:intset64", "-9223372036854775808", "9223372036854775807"],
      ["HMSET", "hash:hashtable", "f1", "v1", "f2", "-70000"],
      ["HMSET", "hash:zipmap", "name", "kv", "n", "12"],
      ["HMSET", "hash:ziplist", "a", "1", "b", "two", "c", "-3"],
      ["HMSET", "hash:listpack", "x", "10", "y", "why"],
      ["ZADD", "zset:text", "1.5", "a", "inf", "b", "-inf", "c", "0.10000000000000001", "d"],
      ["ZADD", "zset:binary", "1e+308", "big", "-4.9406564584124654e-324", "tiny", "-0", "zero", "2", "z".repeat(100)],
      // -0 set again through another score: a ZADD of -0 over 0 would change nothing
      ["ZADD", "zset:binary", "1", "zero"],
      ["ZADD", "zset:binary", "-0", "zero"],
      ["ZADD", "zset:ziplist", "-7", "m4", "1", "m1", "2.5", "m2", "inf", "m3"],
      ["ZADD", "zset:listpack", "-inf", "n1", "0", "n2", "3.0000000000000004", "n3"],
      ["SADD", "set:expiring", "1"],
      ["PEXPIREAT", "set:expiring", String(FAR_FUTURE_MS)],
      ["SADD", "set:expiring-seconds", "m"],
      ["PEXPIREAT", "set:expiring-seconds", "2000000000000"],
      ["SELECT", "4"],
      ["HMSET", "hash:db4", "f", "v"],
    ]);
  });

  it("reads Redis 7.2's listpack sets", () => {
    const rdb = blobKey(new RdbBuilder(11).selectDb(0), 20, "set:listpack", encodeListpack(["a", 1n, "b"])).end();
    expect(replayRdb(rdb).commands).toEqual([
      ["SELECT", "0"],
      ["SADD", "set:listpack", "a", "1", "b"],
    ]);
  });

  it("skips empty values, and their expiry, as Redis does", () => {
    const rdb = new RdbBuilder()
      .selectDb(0)
      .expireMs(FAR_FUTURE_MS)
      .byte(2).string("empty-set").length(0)
      .byte(14).string("empty-quicklist").length(1).string(encodeZiplist([]).toString("latin1"))
      .byte(2).string("set").length(1).string("m")
      .end();
    const { commands, logger } = replayRdb(rdb);
    expect(commands).toEqual([
      ["SELECT", "0"],
      ["SADD", "set", "m"],
    ]);
    expect(logger.notices).toContain("RDB: 2 empty keys skipped");
  });

  it("refuses NaN scores, odd hash listpacks and corrupt blobs with the offset of the value", () => {
    const nan = new RdbBuilder().selectDb(0).byte(5).string("z").length(1).string("m").raw(binaryDouble(NaN)).end();
    expect(() => replayRdb(nan)).toThrow(/^Bad file format reading the append only file appendonly\.aof\.1\.base\.rdb at offset \d+: sorted set with a NaN score$/);
    const odd = blobKey(new RdbBuilder().selectDb(0), 16, "h", encodeListpack(["f", "v", "x"])).end();
    expect(() => replayRdb(odd)).toThrow("hash with an odd number of elements (3)");
    const corrupt = encodeListpack(["a"]);
    corrupt[6] = 0xf6;
    const at = new RdbBuilder().selectDb(0).byte(16).string("h").end().length - 9; // where the blob starts
    const error = (() => {
      try {
        replayRdb(blobKey(new RdbBuilder().selectDb(0), 16, "h", corrupt).end());
      } catch (caught) {
        return caught as Error;
      }
      throw new Error("expected a failure");
    })();
    expect(error.message).toBe(
      `Bad file format reading the append only file appendonly.aof.1.base.rdb at offset ${at}: invalid listpack: unknown element encoding 0xf6`,
    );
  });

  it("refuses module values and module auxiliary data, naming the module", () => {
    const value = new RdbBuilder().selectDb(0).byte(7).string("doc").raw(length64(moduleTypeId("ReJSON-RL", 3))).end();
    expect(() => replayRdb(value)).toThrow(/^Unsupported RDB type 7 \(value of Redis module type ReJSON-RL v3, key "doc"\) in appendonly\.aof\.1\.base\.rdb at offset \d+$/);
    const aux = new RdbBuilder().raw([247]).raw(length64(moduleTypeId("ft-index0", 1))).end();
    expect(() => replayRdb(aux)).toThrow(/^Unsupported RDB opcode 247 \(auxiliary data of Redis module type ft-index0 v1\) in appendonly\.aof\.1\.base\.rdb at offset 9$/);
  });

  it("names the types of Redis 7.4 it cannot load", () => {
    const rdb = new RdbBuilder(12).selectDb(0).byte(25).string("h").end();
    expect(() => replayRdb(rdb)).toThrow(/^Unsupported RDB type 25 \(hash with field expiration, listpack \(Redis 7\.4\)\) in appendonly\.aof\.1\.base\.rdb at offset \d+$/);
  });
});

describe.skipIf(!hasRedisServer())("RDB value loaders against redis-server 7.0 loading the same file", () => {
  const fleet = new RedisFleet();
  afterEach(() => fleet.close());

  it("recreates, in a second redis-server and in kv, exactly what redis-server loads from every legacy encoding", async () => {
    const rdb = everyLegacyEncoding().end();
    const loaded = await fleet.startFromRdb(rdb);
    const { commands } = replayRdb(rdb);
    const replayed = (await fleet.start(["--appendonly", "no"])).client;
    await runChecked(replayed, commands);
    const dbs = [0, 4];
    const keyCount = 20;
    expect(await expectSameDataset(redisAnswerer(loaded), redisAnswerer(replayed), dbs)).toBe(keyCount);
    const kv = kvAfterReplay(commands, () => false);
    expect(await expectSameDataset(redisAnswerer(loaded), kv.ask, dbs, { digest: () => kv.hasDigest })).toBe(keyCount);
  });
});
