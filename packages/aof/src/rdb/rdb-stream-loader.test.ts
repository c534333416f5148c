import { afterEach, describe, expect, it } from "vitest";
import { RdbBuilder } from "../test-support/rdb-builder.js";
import { hasRedisServer } from "../test-support/redis-server.js";
import {
  RedisFleet,
  expectSameDataset,
  kvAfterReplay,
  kvHasStreams,
  redisAnswerer,
  replayRdb,
  runChecked,
} from "./test-support/redis-differential.js";
import { writeStream, type StreamSpec } from "./test-support/rdb-stream-builder.js";

const DELIVERED_AT = 1_700_000_000_123n;
const binary = "\u0000\u00ff\r\n";

/**
 * Two listpack nodes; entries with the master's fields (stored as values only) and with
 * their own; a deleted entry still inside a node; pending entries whose messages were
 * deleted (101-0) and trimmed away (50-0); a consumer with nothing pending; a group whose
 * entries-read is unknown.
 */
function streamSpec(): StreamSpec {
  return {
    nodes: [
      {
        master: [100n, 0n],
        masterFields: ["name", "n"],
        entries: [
          { id: [100n, 0n], fields: [["name", "a"], ["n", "1"]] },
          { id: [100n, 1n], fields: [["other", "x"]] },
          { id: [101n, 0n], fields: [["name", "gone"], ["n", "0"]], deleted: true },
          { id: [102n, 5n], fields: [["name", "b"], ["n", "-2"]] },
        ],
      },
      {
        master: [200n, 0n],
        masterFields: ["f"],
        entries: [
          { id: [200n, 0n], fields: [["f", binary]] },
          { id: [300n, 7n], fields: [["g", "1"], ["h", "9223372036854775807"]] },
        ],
      },
    ],
    length: 5n,
    lastId: [300n, 9n],
    firstId: [100n, 0n],
    maxDeletedId: [300n, 8n],
    entriesAdded: 9n,
    groups: [
      {
        name: "g1",
        lastId: [200n, 0n],
        entriesRead: 6n,
        pending: [
          { id: [50n, 0n], deliveryTime: DELIVERED_AT, deliveryCount: 3n },
          { id: [100n, 1n], deliveryTime: DELIVERED_AT + 1n, deliveryCount: 1n },
          { id: [101n, 0n], deliveryTime: DELIVERED_AT + 2n, deliveryCount: 2n },
        ],
        consumers: [
          { name: "alice", seenTime: DELIVERED_AT, activeTime: DELIVERED_AT, pending: [[50n, 0n], [100n, 1n]] },
          { name: "bob", seenTime: DELIVERED_AT, pending: [[101n, 0n]] },
          { name: "carol", seenTime: DELIVERED_AT, pending: [] },
        ],
      },
      { name: "g2", lastId: [0n, 0n], entriesRead: -1n, pending: [], consumers: [] },
    ],
  };
}

const claim = (group: string, consumer: string, id: string, time: bigint, count: number) => [
  "XCLAIM", "s", group, consumer, "0", id, "TIME", String(time), "RETRYCOUNT", String(count), "JUSTID", "FORCE",
];

const EXPECTED_ENTRIES = [
  ["XADD", "s", "50-0", "deleted", "pending"],
  ["XADD", "s", "100-0", "name", "a", "n", "1"],
  ["XADD", "s", "100-1", "other", "x"],
  ["XADD", "s", "101-0", "deleted", "pending"],
  ["XADD", "s", "102-5", "name", "b", "n", "-2"],
  ["XADD", "s", "200-0", "f", binary],
  ["XADD", "s", "300-7", "g", "1", "h", "9223372036854775807"],
];

const EXPECTED_GROUPS = (g1EntriesRead: string, g2EntriesRead: string) => [
  ["XGROUP", "CREATE", "s", "g1", "200-0", "ENTRIESREAD", g1EntriesRead],
  claim("g1", "alice", "50-0", DELIVERED_AT, 3),
  claim("g1", "alice", "100-1", DELIVERED_AT + 1n, 1),
  claim("g1", "bob", "101-0", DELIVERED_AT + 2n, 2),
  ["XGROUP", "CREATECONSUMER", "s", "g1", "carol"],
  ["XGROUP", "CREATE", "s", "g2", "0-0", "ENTRIESREAD", g2EntriesRead],
];

describe("RDB stream loader", () => {
  it("replays a Redis 7.0 stream as XADDs, groups, claims and XSETID, keeping pending entries of deleted messages", () => {
    const rdb = writeStream(new RdbBuilder().selectDb(0), "s", 2, streamSpec()).expireMs(4102444800123).stringKey("after", "x").end();
    const withExpiry = writeStream(new RdbBuilder().selectDb(0).expireMs(4102444800123), "s", 2, streamSpec()).end();
    expect(replayRdb(rdb).commands).toEqual([
      ["SELECT", "0"],
      ...EXPECTED_ENTRIES,
      ...EXPECTED_GROUPS("6", "-1"),
      ["XTRIM", "s", "MINID", "100-0"],
      ["XDEL", "s", "101-0"],
      ["XSETID", "s", "300-9", "ENTRIESADDED", "9", "MAXDELETEDID", "300-8"],
      ["SET", "after", "x", "PXAT", "4102444800123"],
    ]);
    expect(replayRdb(withExpiry).commands.at(-1)).toEqual(["PEXPIREAT", "s", "4102444800123"]);
  });

  it("reads Redis 7.2's streams (consumers with an active time) the same way", () => {
    const rdb = writeStream(new RdbBuilder(11).selectDb(0), "s", 3, streamSpec()).end();
    expect(replayRdb(rdb).commands.slice(1, -3)).toEqual([...EXPECTED_ENTRIES, ...EXPECTED_GROUPS("6", "-1")]);
  });

  it("estimates entries-read for the groups of a Redis 5/6 stream, as Redis 7 does on load", () => {
    const spec = streamSpec();
    const groups = (["0-0", "100-0", "102-5", "300-9", "400-0"] as const).map((id) => {
      const [ms, seq] = id.split("-").map(BigInt) as [bigint, bigint];
      return { name: `at-${id}`, lastId: [ms, seq] as const, pending: [], consumers: [] };
    });
    const rdb = writeStream(new RdbBuilder(9).selectDb(0), "s", 1, { ...spec, groups }).end();
    const commands = replayRdb(rdb).commands;
    expect(commands.filter((argv) => argv[0] === "XGROUP" || argv[0] === "XSETID")).toEqual([
      // Every entry ever added is assumed still there; nothing was deleted.
      ["XSETID", "s", "300-9", "ENTRIESADDED", "5", "MAXDELETEDID", "0-0"],
      ["XGROUP", "CREATE", "s", "at-0-0", "0-0", "ENTRIESREAD", "0"],
      ["XGROUP", "CREATE", "s", "at-100-0", "100-0", "ENTRIESREAD", "1"],
      ["XGROUP", "CREATE", "s", "at-102-5", "102-5", "ENTRIESREAD", "-1"],
      ["XGROUP", "CREATE", "s", "at-300-9", "300-9", "ENTRIESREAD", "5"],
      ["XGROUP", "CREATE", "s", "at-400-0", "400-0", "ENTRIESREAD", "-1"],
    ]);
  });

  it("recreates an empty stream with the XADD MAXLEN 0 trick", () => {
    const spec: StreamSpec = {
      nodes: [],
      length: 0n,
      lastId: [5n, 2n],
      firstId: [0n, 0n],
      maxDeletedId: [5n, 2n],
      entriesAdded: 2n,
      groups: [{ name: "g", lastId: [5n, 2n], entriesRead: 2n, pending: [], consumers: [] }],
    };
    expect(replayRdb(writeStream(new RdbBuilder().selectDb(0), "e", 2, spec).end()).commands).toEqual([
      ["SELECT", "0"],
      ["XADD", "e", "MAXLEN", "0", "0-1", "x", "y"],
      ["XSETID", "e", "5-2", "ENTRIESADDED", "2", "MAXDELETEDID", "5-2"],
      ["XGROUP", "CREATE", "e", "g", "5-2", "ENTRIESREAD", "2"],
    ]);
  });

  it("refuses inconsistent streams with the offset of the problem", () => {
    const wrongLength = writeStream(new RdbBuilder().selectDb(0), "s", 2, { ...streamSpec(), length: 6n }).end();
    expect(() => replayRdb(wrongLength)).toThrow(/at offset \d+: stream length 6 but 5 entries in its nodes$/);
    const spec = streamSpec();
    const strayPending = { ...spec, groups: [{ ...spec.groups[0]!, pending: spec.groups[0]!.pending.slice(1) }] };
    expect(() => replayRdb(writeStream(new RdbBuilder().selectDb(0), "s", 2, strayPending).end())).toThrow(
      /at offset \d+: pending entry 50-0 of consumer "alice" is not in the group's PEL$/,
    );
    const badKey = new RdbBuilder().selectDb(0).byte(19).string("s").length(1).string("short").end();
    expect(() => replayRdb(badKey)).toThrow(/at offset \d+: stream node key of 5 bytes, expected a 128-bit ID$/);
  });
});

describe.skipIf(!hasRedisServer())("RDB stream loader against redis-server 7.0 loading the same file", () => {
  const fleet = new RedisFleet();
  afterEach(() => fleet.close());

  /** Redis 7.0 loads `rdb` itself; a second server (and kv, once it has streams) runs the replayed commands. */
  async function expectSameAsRedisLoad(rdb: Buffer): Promise<void> {
    const loaded = await fleet.startFromRdb(rdb);
    const { commands } = replayRdb(rdb);
    const replayed = (await fleet.start(["--appendonly", "no"])).client;
    await runChecked(replayed, commands);
    expect(await expectSameDataset(redisAnswerer(loaded), redisAnswerer(replayed), [0])).toBe(1);
    if (kvHasStreams) {
      const kv = kvAfterReplay(commands, () => true);
      expect(await expectSameDataset(redisAnswerer(loaded), kv.ask, [0], { digest: () => false })).toBe(1);
    } else {
      console.warn("kv has no stream commands yet (no xadd in @kv/core's allCommands): the replayed stream was checked on redis-server only");
    }
  }

  it("Redis 7.0 streams (groups, pending entries of deleted and trimmed messages, counters)", async () => {
    await expectSameAsRedisLoad(writeStream(new RdbBuilder().selectDb(0), "s", 2, streamSpec()).end());
  });

  it("Redis 5/6 streams, whose groups' entries-read Redis estimates while loading", async () => {
    // Without an XDELed message still pending: Redis 7 takes 0-0 as the max-deleted-id of a
    // Redis 5/6 stream, which the XDEL of its placeholder cannot leave untouched.
    const original = streamSpec();
    const g1 = original.groups[0]!;
    const spec: StreamSpec = {
      ...original,
      groups: [
        {
          ...g1,
          pending: [...g1.pending.slice(0, 2), { id: [102n, 5n], deliveryTime: DELIVERED_AT, deliveryCount: 4n }],
          consumers: [g1.consumers[0]!, { ...g1.consumers[1]!, pending: [[102n, 5n]] }, g1.consumers[2]!],
        },
        original.groups[1]!,
      ],
    };
    const extraGroups = (["0-0", "100-0", "102-5", "300-9", "400-0"] as const).map((id) => {
      const [ms, seq] = id.split("-").map(BigInt) as [bigint, bigint];
      return { name: `at-${id}`, lastId: [ms, seq] as const, pending: [], consumers: [] };
    });
    await expectSameAsRedisLoad(writeStream(new RdbBuilder(9).selectDb(0), "s", 1, { ...spec, groups: [...spec.groups, ...extraGroups] }).end());
  });
});
