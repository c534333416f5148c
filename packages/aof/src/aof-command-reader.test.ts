import { openSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AOF_END, AOF_TRUNCATED, readAofCommand, type AofReadResult } from "./aof-command-reader.js";
import { nodeFileSystem } from "./aof-file-system.js";
import { AofFormatProblem } from "./aof-load-error.js";
import { FileCursor } from "./file-cursor.js";
import { resp } from "./test-support/resp.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/** Reads every command with a cursor window of `chunkSize` bytes, so refills land at every possible boundary. */
function readAll(content: Buffer, chunkSize: number): { results: AofReadResult[]; offsets: number[] } {
  const path = join(makeTempDir(), "file.aof");
  writeFileSync(path, content);
  const fd = openSync(path, "r");
  try {
    const cursor = new FileCursor(nodeFileSystem, fd, 0, chunkSize);
    const results: AofReadResult[] = [];
    const offsets: number[] = [];
    for (;;) {
      const result = readAofCommand(cursor);
      results.push(result);
      offsets.push(cursor.offset);
      if (result === AOF_END || result === AOF_TRUNCATED) return { results, offsets };
    }
  } finally {
    closeSync(fd);
  }
}

describe("readAofCommand", () => {
  const commands = [["SET", "key", "x".repeat(40)], ["DEL", "a", "b", ""], ["SELECT", "12"]];
  const content = Buffer.concat([Buffer.from("#TS:1700000000\r\n"), resp(...commands)]);

  it.each([1, 2, 3, 7, 64, 1 << 20])("reads commands across any refill boundary (window %i)", (chunkSize) => {
    const { results } = readAll(content, chunkSize);
    expect(results).toEqual([...commands, AOF_END]);
  });

  it("reports a truncation at every possible cut point", () => {
    const boundaries = new Set([16, 16 + resp(commands[0]!).length, 16 + resp(commands[0]!, commands[1]!).length]);
    for (let cut = 1; cut < content.length; cut++) {
      const { results } = readAll(content.subarray(0, cut), 5);
      expect({ cut, last: results.at(-1) }).toEqual({ cut, last: boundaries.has(cut) ? AOF_END : AOF_TRUNCATED });
    }
  });

  it.each([
    ["inline command", "PING\r\n", 0, "expected '*' starting a command, found 'P'"],
    ["zero arguments", "*0\r\n", 0, "invalid argument count 0"],
    ["huge bulk length", "*1\r\n$9999999999\r\n", 4, "bulk string of 9999999999 bytes exceeds the largest supported argument"],
    ["non-numeric count", "*x\r\n", 0, 'invalid number in "*x"'],
    ["missing $", "*1\r\n:1\r\n", 4, "expected '$' starting a bulk string, found ':'"],
    ["bare LF", "*1\n$1\r\na\r\n", 0, "line ended by LF without CR ('*' starting a command)"],
    ["overlong number line", `*${"9".repeat(30)}\r\n`, 0, "line too long ('*' starting a command)"],
    ["bad CRLF after bulk", "*1\r\n$1\r\nab\r\n", 9, "expected CRLF after a bulk string of 1 bytes"],
  ])("rejects %s at the right offset", (_name, text, offset, detail) => {
    let problem: unknown;
    try {
      readAll(Buffer.from(text, "latin1"), 4);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(AofFormatProblem);
    expect(problem).toMatchObject({ offset, detail });
  });
});
