import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendOnlyFile } from "../append-only-file.js";
import { AofLoadError } from "../aof-load-error.js";
import { ModelEngine } from "../test-support/model-engine.js";
import { RdbBuilder } from "../test-support/rdb-builder.js";
import { RecordingLogger } from "../test-support/recording-logger.js";
import { resp } from "../test-support/resp.js";
import { makeTempDir } from "../test-support/temp-dir.js";
import { Crc64 } from "./crc64.js";
import { lzfDecompress } from "./lzf.js";

/** Writes a Redis 7 set whose base is the given RDB image, optionally followed by an incr file. */
function loadRdbBase(rdb: Buffer, incr?: Buffer) {
  const dir = makeTempDir();
  const aofDir = join(dir, "appendonlydir");
  mkdirSync(aofDir);
  writeFileSync(join(aofDir, "appendonly.aof.1.base.rdb"), rdb);
  let manifest = "file appendonly.aof.1.base.rdb seq 1 type b\n";
  if (incr) {
    writeFileSync(join(aofDir, "appendonly.aof.1.incr.aof"), incr);
    manifest += "file appendonly.aof.1.incr.aof seq 1 type i\n";
  }
  writeFileSync(join(aofDir, "appendonly.aof.manifest"), manifest);
  const engine = new ModelEngine();
  const logger = new RecordingLogger();
  const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger });
  try {
    aof.load(engine);
  } finally {
    aof.close();
  }
  return { engine, logger, dir };
}

function loadError(rdb: Buffer): AofLoadError {
  try {
    loadRdbBase(rdb);
  } catch (error) {
    if (error instanceof AofLoadError) return error;
    throw error;
  }
  throw new Error("expected the load to fail");
}

describe("crc64 (Jones, as Redis)", () => {
  it("matches the standard check value", () => {
    const crc = new Crc64();
    crc.update(Buffer.from("123456789"));
    expect(crc.toBigInt()).toBe(0xe9c6d914c4b8d9can);
  });

  it("is the same fed in pieces", () => {
    const whole = new Crc64();
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
    whole.update(data);
    const pieces = new Crc64();
    for (let i = 0; i < data.length; i += 13) pieces.update(data.subarray(i, i + 13));
    expect(pieces.toBigInt()).toBe(whole.toBigInt());
  });
});

describe("lzfDecompress", () => {
  it("expands literals and overlapping back references", () => {
    // literal "a", then copy 9 bytes from distance 1 (a run), then literal "bc"
    const compressed = [0x00, 0x61, 0xe0, 0x00, 0x00, 0x01, 0x62, 0x63];
    expect(lzfDecompress(Buffer.from(compressed), 12)?.toString("latin1")).toBe("aaaaaaaaaabc");
  });

  it("rejects corrupt input instead of reading out of bounds", () => {
    expect(lzfDecompress(Buffer.from([0x20, 0x05]), 10)).toBeUndefined(); // reference before the start
    expect(lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toBeUndefined(); // literal run past the input
    expect(lzfDecompress(Buffer.from([0x00, 0x61]), 2)).toBeUndefined(); // shorter than announced
  });
});

describe("RDB base files", () => {
  it("replays strings with every length and integer encoding, expiries and databases as commands", () => {
    const long = "L".repeat(300); // 14-bit length
    const huge = "H".repeat(20_000); // 32-bit length (forced below)
    const rdb = new RdbBuilder(10)
      .aux("redis-ver", "7.0.15")
      .aux("redis-bits", "64")
      .byte(250).string("ctime").int32(1_700_000_000)
      .aux("aof-base", "1")
      .byte(245).string("#!lua name=lib\nredis.register_function('f', function() return 1 end)") // FUNCTION2: skipped
      .selectDb(0)
      .resizeDb(7, 2)
      .stringKey("plain", "hello world")
      .byte(0).string("int8").int8(-5)
      .byte(0).string("int16").int16(300)
      .byte(0).string("int32").int32(-70000)
      .byte(0).string("compressed").lzf([0x00, 0x61, 0xe0, 0x00, 0x00, 0x01, 0x62, 0x63], 12)
      .expireMs(4102444800123).stringKey("expiring", "soon")
      .expireSeconds(2000000000).stringKey("old-expiry", "sec")
      .byte(248).length(1234).stringKey("with-idle", "i") // LRU idle time before the key
      .byte(249).byte(5).stringKey("with-freq", "f") // LFU counter before the key
      .selectDb(3)
      .stringKey("long", long)
      .byte(0).string("huge").string(huge, "32bit")
      .end();

    const { engine, logger } = loadRdbBase(rdb, resp(["SET", "after", "incr"]));
    expect(engine.log).toEqual([
      ["SELECT", "0"],
      ["SET", "plain", "hello world"],
      ["SET", "int8", "-5"],
      ["SET", "int16", "300"],
      ["SET", "int32", "-70000"],
      ["SET", "compressed", "aaaaaaaaaabc"],
      ["SET", "expiring", "soon", "PXAT", "4102444800123"],
      ["SET", "old-expiry", "sec", "PXAT", "2000000000000"],
      ["SET", "with-idle", "i"],
      ["SET", "with-freq", "f"],
      ["SELECT", "3"],
      ["SET", "long", long],
      ["SET", "huge", huge],
      // the incr file starts on a fresh client: back to db 0
      ["SELECT", "0"],
      ["SET", "after", "incr"],
    ]);
    expect(logger.warnings.join("\n")).toContain("Skipping a function library");
    expect(logger.notices).toContain("Loading RDB produced by version 7.0.15");
  });

  it("accepts a zero checksum (rdbchecksum no) and rejects a wrong one with its offset", () => {
    const build = () => new RdbBuilder().selectDb(0).stringKey("k", "v");
    expect(loadRdbBase(build().end("zero")).engine.log).toEqual([
      ["SELECT", "0"],
      ["SET", "k", "v"],
    ]);
    const corrupt = build().end("corrupt");
    const error = loadError(corrupt);
    expect(error.message).toMatch(
      new RegExp(`^Bad file format reading the append only file appendonly\\.aof\\.1\\.base\\.rdb at offset ${corrupt.length - 8}: RDB checksum mismatch`),
    );
  });

  it("names the unsupported type, file and offset for types kv cannot load", () => {
    const prefix = new RdbBuilder().selectDb(0).stringKey("k", "v");
    const at = prefix.end().length - 9; // where the EOF opcode would have been
    const rdb = new RdbBuilder().selectDb(0).stringKey("k", "v").byte(6).string("m").length(0).end();
    const error = loadError(rdb);
    expect(error.message).toBe(`Unsupported RDB type 6 (module value (pre-GA)) in appendonly.aof.1.base.rdb at offset ${at}`);
    expect(error.offset).toBe(at);
  });

  it("never truncates RDB data: a cut base is an error even as the last file", () => {
    const rdb = new RdbBuilder().selectDb(0).stringKey("key", "value").end();
    const cut = rdb.subarray(0, rdb.length - 15);
    expect(() => loadRdbBase(cut)).toThrow(/^Bad file format reading the append only file appendonly\.aof\.1\.base\.rdb at offset \d+: unexpected end of file inside RDB data/);
  });

  it("rejects unknown RDB versions and opcodes", () => {
    expect(() => loadRdbBase(new RdbBuilder(99).end())).toThrow("can't handle RDB format version 99");
    expect(() => loadRdbBase(new RdbBuilder().byte(100).end())).toThrow("Unknown RDB type 100");
  });

  it("loads a legacy single appendonly.aof with an RDB preamble and an AOF tail", () => {
    const dir = makeTempDir();
    const rdb = new RdbBuilder(9).selectDb(2).stringKey("from-rdb", "1").end();
    writeFileSync(join(dir, "appendonly.aof"), Buffer.concat([rdb, resp(["SET", "from-tail", "2"])]));
    const engine = new ModelEngine();
    const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger: new RecordingLogger() });
    aof.load(engine);
    aof.close();
    expect(engine.log).toEqual([
      ["SELECT", "2"],
      ["SET", "from-rdb", "1"],
      ["SELECT", "0"],
      ["SET", "from-tail", "2"],
    ]);
    expect(readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "latin1")).toBe(
      "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
  });
});
