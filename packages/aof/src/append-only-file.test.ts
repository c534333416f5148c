import * as nodeFs from "node:fs";
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendOnlyFile, type AppendOnlyFileOptions } from "./append-only-file.js";
import type { AofFileSystem } from "./aof-file-system.js";
import { AofLoadError } from "./aof-load-error.js";
import { ModelEngine } from "./test-support/model-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { resp } from "./test-support/resp.js";
import { makeTempDir } from "./test-support/temp-dir.js";

function open(dir: string, options: Partial<AppendOnlyFileOptions> = {}) {
  const logger = new RecordingLogger();
  const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger, ...options });
  const engine = new ModelEngine();
  const stats = aof.load(engine);
  return { aof, engine, stats, logger };
}

/** Loads `dir` in a fresh instance (as a restart would) and closes it again. */
function reload(dir: string, options: Partial<AppendOnlyFileOptions> = {}) {
  const opened = open(dir, options);
  opened.aof.close();
  return opened;
}

const aofPath = (dir: string, name = "") => join(dir, "appendonlydir", name);
const readManifest = (dir: string) => readFileSync(aofPath(dir, "appendonly.aof.manifest"), "latin1");

/** Writes an AOF set by hand: a manifest listing the given files in order (first one as base). */
function writeSet(dir: string, files: Array<[name: string, content: Buffer | string]>, baseIsFirst = true) {
  nodeFs.mkdirSync(aofPath(dir), { recursive: true });
  let manifest = "";
  files.forEach(([name, content], index) => {
    writeFileSync(aofPath(dir, name), content);
    const isBase = baseIsFirst && index === 0;
    manifest += `file ${name} seq ${isBase ? 1 : index} type ${isBase ? "b" : "i"}\n`;
  });
  writeFileSync(aofPath(dir, "appendonly.aof.manifest"), manifest);
}

describe("AppendOnlyFile layout", () => {
  it("creates a fresh set (empty base, incr 1, manifest) in Redis's format", () => {
    const dir = makeTempDir();
    const { aof, stats } = open(dir);
    aof.close();
    expect(stats).toMatchObject({ commands: 0, bytes: 0, files: 0, truncated: false });
    expect(readdirSync(aofPath(dir)).sort()).toEqual([
      "appendonly.aof.1.base.aof",
      "appendonly.aof.1.incr.aof",
      "appendonly.aof.manifest",
    ]);
    expect(readManifest(dir)).toBe("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    expect(statSync(aofPath(dir, "appendonly.aof.1.base.aof")).size).toBe(0);
  });

  it("honours appendFilename and appendDirname", () => {
    const dir = makeTempDir();
    const { aof } = open(dir, { appendFilename: "kv.aof", appendDirname: "aofdir" });
    aof.close();
    expect(readFileSync(join(dir, "aofdir", "kv.aof.manifest"), "latin1")).toBe(
      "file kv.aof.1.base.aof seq 1 type b\nfile kv.aof.1.incr.aof seq 1 type i\n",
    );
  });

  it("reopens an existing set without rewriting its manifest", () => {
    const dir = makeTempDir();
    reload(dir);
    const before = statSync(aofPath(dir, "appendonly.aof.manifest")).ino;
    const { logger } = reload(dir);
    expect(statSync(aofPath(dir, "appendonly.aof.manifest")).ino).toBe(before); // replaced manifests get a new inode
    expect(logger.notices).toContain("Opening AOF incr file appendonly.aof.1.incr.aof on server start");
  });

  it("migrates a legacy single appendonly.aof into the directory, as Redis 7 does", () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, "appendonly.aof"), resp(["SELECT", "0"], ["SET", "old", "1"]));
    const { aof, engine, logger } = open(dir);
    aof.close();
    expect(engine.log).toEqual([
      ["SELECT", "0"],
      ["SET", "old", "1"],
    ]);
    expect(existsSync(join(dir, "appendonly.aof"))).toBe(false);
    expect(readManifest(dir)).toBe("file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    expect(logger.notices.join("\n")).toContain("Successfully migrated an old-style AOF file");
    expect(reload(dir).engine.state()).toEqual({ 0: { old: { value: "1" } } });
  });
});

describe("AppendOnlyFile appending", () => {
  it("round-trips appended commands through flush and load", () => {
    const dir = makeTempDir();
    const { aof } = open(dir);
    aof.append(0, ["SET", "a", "1"]);
    aof.append(0, ["SET", "b", "2"]);
    aof.append(3, ["SET", "c", "3"]);
    aof.append(0, ["DEL", "a"]);
    aof.flush();
    aof.close();

    const { engine, stats } = reload(dir);
    expect(engine.log).toEqual([
      ["SELECT", "0"],
      ["SET", "a", "1"],
      ["SET", "b", "2"],
      ["SELECT", "3"],
      ["SET", "c", "3"],
      ["SELECT", "0"],
      ["DEL", "a"],
    ]);
    expect(stats.commands).toBe(7);
    expect(stats.bytes).toBe(statSync(aofPath(dir, "appendonly.aof.1.incr.aof")).size);
    expect(engine.state()).toEqual({ 0: { b: { value: "2" } }, 3: { c: { value: "3" } } });
  });

  it("logs SELECT only when the database changes, as exact RESP", () => {
    const dir = makeTempDir();
    const { aof } = open(dir);
    aof.append(1, ["SET", "k", "v"]);
    aof.append(1, ["INCR", "n"]);
    aof.append(0, ["DEL", "k"]);
    aof.close();
    expect(readFileSync(aofPath(dir, "appendonly.aof.1.incr.aof"), "latin1")).toBe(
      "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n" +
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" +
        "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" +
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" +
        "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n",
    );
  });

  it("writes nothing before flush, and flush returns the byte sequence number", () => {
    const dir = makeTempDir();
    const { aof } = open(dir);
    const incr = aofPath(dir, "appendonly.aof.1.incr.aof");
    aof.append(0, ["SET", "k", "v"]);
    expect(statSync(incr).size).toBe(0);
    expect(aof.info().aof_buffer_length).toBeGreaterThan(0);
    const first = aof.flush();
    expect(first).toBe(statSync(incr).size);
    expect(aof.flush()).toBe(first);
    aof.append(0, ["SET", "k", "w"]);
    expect(aof.flush()).toBe(statSync(incr).size);
    expect(aof.info().aof_buffer_length).toBe(0);
    aof.close();
  });

  it("is binary safe", () => {
    const dir = makeTempDir();
    const { aof } = open(dir);
    const every = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    const big = "x\r\n".repeat(100_000);
    aof.append(0, ["SET", every, "\r\n*1\r\n$1\r\n"]);
    aof.append(0, ["SET", "big", big]);
    aof.append(0, ["SET", "", ""]);
    aof.close();
    expect(reload(dir).engine.state()).toEqual({
      0: { [every]: { value: "\r\n*1\r\n$1\r\n" }, big: { value: big }, "": { value: "" } },
    });
  });

  it("appends after the data already on disk when reopened", () => {
    const dir = makeTempDir();
    const first = open(dir);
    first.aof.append(0, ["SET", "a", "1"]);
    first.aof.close();
    const second = open(dir);
    second.aof.append(0, ["SET", "b", "2"]);
    second.aof.close();
    expect(reload(dir).engine.state()).toEqual({ 0: { a: { value: "1" }, b: { value: "2" } } });
  });

  it("surfaces write errors with the errno text and retries the buffered bytes", () => {
    const dir = makeTempDir();
    // A short write, then ENOSPC (what a filling disk does): the partial bytes must be taken back out.
    let script: Array<"short" | "fail"> = [];
    const fileSystem: AofFileSystem = {
      ...nodeFs,
      writeSync(fd, buffer, offset, length) {
        const step = script.shift();
        if (step === "short") return nodeFs.writeSync(fd, buffer, offset, Math.min(5, length));
        if (step === "fail") throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        return nodeFs.writeSync(fd, buffer, offset, length);
      },
    };
    const { aof, logger } = open(dir, { fileSystem });
    aof.append(0, ["SET", "a", "1"]);
    aof.flush();
    aof.append(0, ["SET", "b", "2"]);
    script = ["short", "fail"];
    expect(() => aof.flush()).toThrow("Error writing to the AOF file: ENOSPC: no space left on device, write");
    expect(aof.info().aof_last_write_status).toBe("err");
    expect(aof.lastWriteError?.message).toContain("ENOSPC");
    expect(logger.warnings).toContainEqual(expect.stringMatching(/^Short write while writing to the AOF file: \(nwritten=5, expected=\d+\)$/));

    aof.flush();
    expect(aof.info().aof_last_write_status).toBe("ok");
    aof.close();
    expect(reload(dir).engine.log).toEqual([
      ["SELECT", "0"],
      ["SET", "a", "1"],
      ["SET", "b", "2"],
    ]);
  });

  it("refuses to append before load or after close", () => {
    const dir = makeTempDir();
    const aof = new AppendOnlyFile({ dir, appendFsync: "no" });
    expect(() => aof.append(0, ["SET", "k", "v"])).toThrow("not open");
    aof.load(new ModelEngine());
    aof.close();
    expect(() => aof.append(0, ["SET", "k", "v"])).toThrow("not open");
    expect(() => aof.load(new ModelEngine())).toThrow("only be called once");
  });

  it("reports INFO persistence fields under Redis's names", () => {
    const dir = makeTempDir();
    const { aof } = open(dir);
    aof.append(0, ["SET", "k", "v"]);
    const seq = aof.flush();
    expect(aof.info()).toEqual({
      aof_enabled: 1,
      aof_rewrite_in_progress: 0,
      aof_rewrite_scheduled: 0,
      aof_last_rewrite_time_sec: -1,
      aof_current_rewrite_time_sec: -1,
      aof_last_bgrewrite_status: "ok",
      aof_rewrites: 0,
      aof_rewrites_consecutive_failures: 0,
      aof_last_write_status: "ok",
      aof_current_size: seq,
      aof_base_size: 0,
      aof_pending_rewrite: 0,
      aof_buffer_length: 0,
      aof_pending_bio_fsync: 0,
      aof_delayed_fsync: 0,
    });
    aof.close();
  });
});

describe("AppendOnlyFile loading", () => {
  it("cuts a truncated tail off the last file, warns, and keeps going", () => {
    const dir = makeTempDir();
    const { aof } = open(dir);
    aof.append(0, ["SET", "a", "1"]);
    aof.append(0, ["SET", "b", "2"]);
    aof.close();
    const incr = aofPath(dir, "appendonly.aof.1.incr.aof");
    const validSize = statSync(incr).size;
    appendFileSync(incr, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal");

    const second = open(dir);
    expect(second.stats.truncated).toBe(true);
    expect(second.engine.state()).toEqual({ 0: { a: { value: "1" }, b: { value: "2" } } });
    expect(statSync(incr).size).toBe(validSize);
    expect(second.logger.warnings).toContain("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!");
    expect(second.logger.warnings.join("\n")).toContain(`Truncating the AOF appendonly.aof.1.incr.aof at offset ${validSize}`);
    expect(second.logger.warnings).toContain("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled");

    // Appending continues right after the last complete command.
    second.aof.append(0, ["SET", "c", "3"]);
    second.aof.close();
    expect(reload(dir).engine.state()).toEqual({ 0: { a: { value: "1" }, b: { value: "2" }, c: { value: "3" } } });
  });

  it("cuts a tail truncated inside a number line", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", Buffer.concat([resp(["SET", "a", "1"]), Buffer.from("*3\r\n$3")])],
    ]);
    const { aof, engine } = open(dir);
    aof.close();
    expect(engine.log).toEqual([["SET", "a", "1"]]);
    expect(statSync(aofPath(dir, "appendonly.aof.1.incr.aof")).size).toBe(resp(["SET", "a", "1"]).length);
  });

  it("reverts an unterminated MULTI block at the tail, like Redis", () => {
    const dir = makeTempDir();
    const complete = resp(["SELECT", "0"], ["SET", "a", "1"]);
    for (const tail of [
      resp(["MULTI"], ["SET", "b", "2"]),
      Buffer.concat([resp(["MULTI"], ["SET", "b", "2"]), Buffer.from("*1\r\n$4\r\nEX")]),
    ]) {
      writeSet(dir, [
        ["appendonly.aof.1.base.aof", ""],
        ["appendonly.aof.1.incr.aof", Buffer.concat([complete, tail])],
      ]);
      const { aof, engine, logger, stats } = open(dir);
      aof.close();
      expect(engine.log).toEqual([
        ["SELECT", "0"],
        ["SET", "a", "1"],
      ]);
      expect(stats.truncated).toBe(true);
      expect(logger.warnings).toContain("Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof");
      expect(statSync(aofPath(dir, "appendonly.aof.1.incr.aof")).size).toBe(complete.length);
    }
  });

  it("passes complete MULTI/EXEC blocks through to the sink", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", resp(["MULTI"], ["SET", "a", "1"], ["INCR", "n"], ["EXEC"], ["SET", "b", "2"])],
    ]);
    const { aof, engine } = open(dir);
    aof.close();
    expect(engine.log).toEqual([["MULTI"], ["SET", "a", "1"], ["INCR", "n"], ["EXEC"], ["SET", "b", "2"]]);
    expect(engine.state()).toEqual({ 0: { a: { value: "1" }, b: { value: "2" }, n: { value: "1" } } });
  });

  it("refuses garbage before the tail, naming the file and the offset", () => {
    const dir = makeTempDir();
    const before = resp(["SET", "a", "1"]);
    const content = Buffer.concat([before, Buffer.from("garbage\r\n"), resp(["SET", "b", "2"])]);
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", content],
    ]);
    const error = captureLoadError(dir);
    expect(error.message).toBe(
      `Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${before.length}: ` +
        "expected '*' starting a command, found 'g'",
    );
    expect(error.fileName).toBe("appendonly.aof.1.incr.aof");
    expect(error.offset).toBe(before.length);
    // Nothing was cut.
    expect(statSync(aofPath(dir, "appendonly.aof.1.incr.aof")).size).toBe(content.length);
  });

  it("refuses a bulk string whose length does not match its data", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", Buffer.from("*2\r\n$3\r\nDEL\r\n$5\r\nab\r\n*1\r\n$4\r\nPING\r\n")],
    ]);
    expect(captureLoadError(dir).message).toBe(
      "Bad file format reading the append only file appendonly.aof.1.incr.aof at offset 22: expected CRLF after a bulk string of 5 bytes",
    );
  });

  it("refuses a truncated file that is not the last one", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", Buffer.concat([resp(["SET", "a", "1"]), Buffer.from("*2\r\n$6\r\nSELECT\r\n$1")])],
      ["appendonly.aof.1.incr.aof", resp(["SET", "b", "2"])],
    ]);
    const error = captureLoadError(dir);
    expect(error.message).toMatch(
      /^Unexpected end of file reading the append only file appendonly\.aof\.1\.base\.aof at offset 27: .*only the last file/,
    );
    expect(error.offset).toBe(27);
  });

  it("refuses a truncated tail when loadTruncated is off", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", Buffer.concat([resp(["SET", "a", "1"]), Buffer.from("*1\r\n")])],
    ]);
    expect(() => open(dir, { loadTruncated: false })).toThrow(
      /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof at offset 27: .*aof-load-truncated/,
    );
  });

  it("fails when a file named in the manifest is missing", () => {
    const dir = makeTempDir();
    writeSet(dir, [["appendonly.aof.1.base.aof", ""]]);
    appendFileSync(aofPath(dir, "appendonly.aof.manifest"), "file appendonly.aof.7.incr.aof seq 7 type i\n");
    expect(() => open(dir)).toThrow(
      "The append only file appendonly.aof.7.incr.aof listed in the manifest appendonly.aof.manifest doesn't exist",
    );
  });

  it("fails on a malformed manifest, naming it and the line", () => {
    const dir = makeTempDir();
    writeSet(dir, [["appendonly.aof.1.base.aof", ""]]);
    appendFileSync(aofPath(dir, "appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq x type i\n");
    expect(() => open(dir)).toThrow(
      "Invalid AOF manifest file format in the AOF manifest appendonly.aof.manifest at line 2: 'file appendonly.aof.1.incr.aof seq x type i'",
    );
  });

  it("skips Redis's #TS annotations", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", Buffer.concat([Buffer.from("#TS:1700000000\r\n"), resp(["SET", "a", "1"])])],
    ]);
    expect(reload(dir).engine.log).toEqual([["SET", "a", "1"]]);
  });

  it("starts every file from database 0, like Redis's fresh fake client per file", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", resp(["SELECT", "2"], ["SET", "x", "1"])],
      ["appendonly.aof.1.incr.aof", resp(["SET", "y", "1"])],
    ]);
    const { engine } = reload(dir);
    expect(engine.log).toEqual([["SELECT", "2"], ["SET", "x", "1"], ["SELECT", "0"], ["SET", "y", "1"]]);
    expect(engine.state()).toEqual({ 0: { y: { value: "1" } }, 2: { x: { value: "1" } } });
  });

  it("names the file and offset when the sink rejects a command", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.1.base.aof", ""],
      ["appendonly.aof.1.incr.aof", resp(["SET", "a", "1"], ["NOSUCHCOMMAND"])],
    ]);
    expect(() => open(dir)).toThrow(
      "Error replaying the command 'NOSUCHCOMMAND' at offset 27 of the append only file appendonly.aof.1.incr.aof: " +
        "model engine: unsupported command NOSUCHCOMMAND",
    );
  });

  it("removes history and temp files left behind by a crash", () => {
    const dir = makeTempDir();
    writeSet(dir, [
      ["appendonly.aof.2.base.aof", resp(["SET", "a", "1"])],
      ["appendonly.aof.2.incr.aof", ""],
    ]);
    writeFileSync(aofPath(dir, "appendonly.aof.1.base.aof"), "old");
    writeFileSync(aofPath(dir, "temp-rewriteaof-bg-123.aof"), "partial");
    writeFileSync(
      aofPath(dir, "appendonly.aof.manifest"),
      "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
    );
    const { engine } = reload(dir);
    expect(engine.state()).toEqual({ 0: { a: { value: "1" } } });
    expect(readdirSync(aofPath(dir)).sort()).toEqual([
      "appendonly.aof.2.base.aof",
      "appendonly.aof.2.incr.aof",
      "appendonly.aof.manifest",
    ]);
    expect(readManifest(dir)).toBe("file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  });
});

function captureLoadError(dir: string): AofLoadError {
  try {
    open(dir);
  } catch (error) {
    if (error instanceof AofLoadError) return error;
    throw error;
  }
  throw new Error("expected the load to fail");
}
