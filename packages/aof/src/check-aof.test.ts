import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendOnlyFile } from "./append-only-file.js";
import { AofLoadError } from "./aof-load-error.js";
import { checkAof, fixAof, type AofFileCheck } from "./check-aof.js";
import { acquireDirectoryLock } from "./directory-lock.js";
import { ModelEngine } from "./test-support/model-engine.js";
import { RdbBuilder } from "./test-support/rdb-builder.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { resp } from "./test-support/resp.js";
import { makeTempDir } from "./test-support/temp-dir.js";

const BASE = "appendonly.aof.1.base.aof";
const INCR1 = "appendonly.aof.1.incr.aof";
const INCR2 = "appendonly.aof.2.incr.aof";
const MANIFEST = "appendonly.aof.manifest";

const baseCommands = resp(["SET", "a", "1"], ["SET", "b", "2"]);
const incr1Commands = resp(["SELECT", "0"], ["INCR", "a"]);
const incr2Commands = resp(["SELECT", "0"], ["SET", "c", "3"], ["MULTI"], ["SET", "d", "4"], ["EXEC"]);

/** A data directory holding a valid three-file set; returns it and its AOF directory. */
function writeSet(base: Buffer = baseCommands, baseName = BASE): { dataDir: string; aofDir: string } {
  const dataDir = makeTempDir("kv-check-aof-");
  const aofDir = join(dataDir, "appendonlydir");
  mkdirSync(aofDir);
  writeFileSync(join(aofDir, baseName), base);
  writeFileSync(join(aofDir, INCR1), incr1Commands);
  writeFileSync(join(aofDir, INCR2), incr2Commands);
  writeFileSync(
    join(aofDir, MANIFEST),
    `file ${baseName} seq 1 type b\nfile ${INCR1} seq 1 type i\nfile ${INCR2} seq 2 type i\n`,
  );
  return { dataDir, aofDir };
}

/** Loads the directory strictly (no cutting of a truncated tail), as the server's replay does. */
function loadStrictly(dataDir: string): ModelEngine {
  const aof = new AppendOnlyFile({ dir: dataDir, appendFsync: "no", logger: new RecordingLogger(), loadTruncated: false });
  const engine = new ModelEngine();
  try {
    aof.load(engine);
  } finally {
    aof.close();
  }
  return engine;
}

const statuses = (files: readonly AofFileCheck[]) => files.map((file) => [file.fileName, file.status]);

describe("checkAof on a multi-part set", () => {
  it("reports every file of a valid set as ok, from the data directory, the AOF directory or the manifest", () => {
    const { dataDir, aofDir } = writeSet();
    for (const target of [dataDir, aofDir, join(aofDir, MANIFEST)]) {
      const report = checkAof(target);
      expect(report).toMatchObject({ dir: aofDir, layout: "multi-part", valid: true, fixable: false });
      expect(statuses(report.files)).toEqual([
        [MANIFEST, "ok"],
        [BASE, "ok"],
        [INCR1, "ok"],
        [INCR2, "ok"],
      ]);
    }
  });

  it("reports a cut-off last command of the last incr file as a fixable truncation at the last complete command", () => {
    const { aofDir } = writeSet();
    const cutOff = "*3\r\n$3\r\nSET\r\n$1\r\ne\r\n$2\r\n5";
    appendFileSync(join(aofDir, INCR2), cutOff);
    const report = checkAof(aofDir);
    expect(report).toMatchObject({ valid: false, fixable: true });
    expect(report.files[3]).toEqual({
      fileName: INCR2,
      role: "incr",
      status: "truncated",
      size: incr2Commands.length + cutOff.length,
      offset: incr2Commands.length,
      reason: "the file ends inside a command",
      fixable: true,
    });
  });

  it("cuts an unfinished MULTI block back to before its MULTI", () => {
    const { aofDir } = writeSet();
    const before = incr2Commands.length;
    appendFileSync(join(aofDir, INCR2), resp(["MULTI"], ["SET", "x", "1"]));
    const report = checkAof(aofDir);
    expect(report.files[3]).toMatchObject({ status: "truncated", offset: before, fixable: true });
    expect((report.files[3] as { reason: string }).reason).toBe(`the file ends inside the MULTI block started at offset ${before}`);
  });

  it("does not offer to fix a truncation in a file other than the last incr", () => {
    const { aofDir } = writeSet();
    appendFileSync(join(aofDir, INCR1), "*2\r\n$3\r\nDEL");
    const report = checkAof(aofDir);
    expect(report).toMatchObject({ valid: false, fixable: false });
    expect(report.files[2]).toMatchObject({ fileName: INCR1, status: "truncated", offset: incr1Commands.length, fixable: false });
    expect(() => fixAof(report)).toThrow("no truncated tail that can be fixed");
  });

  it("reports a bit flip in the middle as corruption at its offset, and never fixes it", () => {
    const { aofDir } = writeSet();
    const bytes = readFileSync(join(aofDir, INCR2));
    const at = bytes.indexOf("$1\r\nc"); // the length line of SET's key
    bytes[at] = bytes[at]! ^ 0x01; // '$' becomes '%'
    writeFileSync(join(aofDir, INCR2), bytes);
    const report = checkAof(aofDir);
    expect(report).toMatchObject({ valid: false, fixable: false });
    expect(report.files[3]).toEqual({
      fileName: INCR2,
      role: "incr",
      status: "corrupt",
      size: bytes.length,
      offset: at,
      reason: "expected '$' starting a bulk string, found '%'",
    });
    expect(() => fixAof(report)).toThrow();
    expect(readFileSync(join(aofDir, INCR2))).toEqual(bytes);
  });

  it("reports garbage appended after the last command as corruption, not as a truncated tail", () => {
    const { aofDir } = writeSet();
    appendFileSync(join(aofDir, INCR2), "garbage\r\n");
    expect(checkAof(aofDir).files[3]).toMatchObject({
      status: "corrupt",
      offset: incr2Commands.length,
      reason: "expected '*' starting a command, found 'g'",
    });
  });

  it("reports a truncated manifest as corrupt, naming it", () => {
    const { aofDir } = writeSet();
    const manifest = readFileSync(join(aofDir, MANIFEST), "latin1");
    writeFileSync(join(aofDir, MANIFEST), manifest.slice(0, manifest.length - 5));
    const report = checkAof(aofDir);
    expect(report).toMatchObject({ valid: false, fixable: false });
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ fileName: MANIFEST, role: "manifest", status: "corrupt" });
    expect((report.files[0] as { reason: string }).reason).toContain("Invalid line (too long or not terminated)");
  });

  it("reports a base file listed in the manifest but missing as corrupt, naming it", () => {
    const { aofDir } = writeSet();
    rmSync(join(aofDir, BASE));
    const report = checkAof(aofDir);
    expect(report).toMatchObject({ valid: false, fixable: false });
    expect(report.files[1]).toMatchObject({ fileName: BASE, role: "base", status: "corrupt", offset: undefined });
    expect((report.files[1] as { reason: string }).reason).toContain("ENOENT");
    expect(statuses(report.files).slice(2)).toEqual([
      [INCR1, "ok"],
      [INCR2, "ok"],
    ]);
  });

  it("checks an RDB base with the RDB reader: valid, and with a bad checksum", () => {
    const rdbName = "appendonly.aof.1.base.rdb";
    const build = () => new RdbBuilder().selectDb(0).stringKey("a", "1");
    const valid = writeSet(build().end(), rdbName);
    expect(checkAof(valid.dataDir)).toMatchObject({ valid: true });

    const corrupt = writeSet(build().end("corrupt"), rdbName);
    const report = checkAof(corrupt.dataDir);
    expect(report).toMatchObject({ valid: false, fixable: false });
    expect(report.files[1]).toMatchObject({ fileName: rdbName, role: "base", status: "corrupt" });
    expect((report.files[1] as { offset: number }).offset).toBeGreaterThan(0);
  });
});

describe("checkAof on a single file", () => {
  it("checks a legacy appendonly.aof with an RDB preamble and a RESP tail", () => {
    const dir = makeTempDir("kv-check-aof-");
    const path = join(dir, "appendonly.aof");
    writeFileSync(path, Buffer.concat([new RdbBuilder().selectDb(0).stringKey("a", "1").end(), resp(["SET", "b", "2"])]));
    for (const target of [dir, path]) {
      expect(checkAof(target)).toMatchObject({ layout: "single-file", valid: true, files: [{ fileName: "appendonly.aof", role: "single", status: "ok" }] });
    }
    appendFileSync(path, "*1\r\n$4\r\nPI");
    expect(checkAof(path)).toMatchObject({ valid: false, fixable: true, files: [{ status: "truncated" }] });
  });

  it("reports a file that does not exist", () => {
    const dir = makeTempDir("kv-check-aof-");
    expect(checkAof(join(dir, "nope.aof"))).toMatchObject({ valid: false, fixable: false, files: [{ status: "corrupt", offset: undefined }] });
  });
});

describe("fixAof", () => {
  it("backs the last incr file up, cuts its truncated tail, and the set then loads strictly", () => {
    const { dataDir, aofDir } = writeSet();
    const incr2 = join(aofDir, INCR2);
    appendFileSync(incr2, resp(["SET", "lost", "x"]).subarray(0, 12));
    const damaged = readFileSync(incr2);
    expect(() => loadStrictly(dataDir)).toThrow(AofLoadError);

    const result = fixAof(checkAof(dataDir));
    expect(result).toEqual({ fileName: INCR2, backupName: `${INCR2}.bak`, truncatedTo: incr2Commands.length, bytesDropped: 12 });
    expect(readFileSync(`${incr2}.bak`)).toEqual(damaged);
    expect(statSync(incr2).size).toBe(incr2Commands.length);
    expect(checkAof(dataDir).valid).toBe(true);
    expect(loadStrictly(dataDir).state()).toEqual({
      0: { a: { value: "2" }, b: { value: "2" }, c: { value: "3" }, d: { value: "4" } },
    });
  });

  it("numbers the backup when one exists already", () => {
    const { aofDir } = writeSet();
    const incr2 = join(aofDir, INCR2);
    writeFileSync(`${incr2}.bak`, "older");
    writeFileSync(`${incr2}.bak.1`, "older still");
    appendFileSync(incr2, "*1\r\n");
    expect(fixAof(checkAof(aofDir)).backupName).toBe(`${INCR2}.bak.2`);
    expect(readFileSync(`${incr2}.bak`, "latin1")).toBe("older");
    expect(existsSync(`${incr2}.bak.2`)).toBe(true);
  });

  it("refuses while a live process holds the data directory", () => {
    const { dataDir, aofDir } = writeSet();
    appendFileSync(join(aofDir, INCR2), "*1\r\n");
    const lock = acquireDirectoryLock(dataDir, {});
    try {
      expect(() => fixAof(checkAof(dataDir))).toThrow(/holds/);
    } finally {
      lock.release();
    }
    expect(existsSync(join(aofDir, `${INCR2}.bak`))).toBe(false);
  });
});
