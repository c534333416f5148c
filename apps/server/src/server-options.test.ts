import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseServerArgs, splitConfigLine } from "./server-options.js";

describe("parseServerArgs", () => {
  it("reads Redis-style flags in order", () => {
    const options = parseServerArgs(["--port", "7379", "--dir", "/tmp/x", "--appendonly", "no"], "/");
    expect(options.configFile).toBeUndefined();
    expect(options.parameters).toEqual([
      ["port", "7379"],
      ["dir", "/tmp/x"],
      ["appendonly", "no"],
    ]);
  });

  it("joins multi-word values until the next flag, as redis-server does", () => {
    expect(parseServerArgs(["--save", "900", "1", "--loglevel", "warning"], "/").parameters).toEqual([
      ["save", "900 1"],
      ["loglevel", "warning"],
    ]);
  });

  it("reads a redis.conf-style file first, flags override it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kv-conf-"));
    writeFileSync(path.join(dir, "kv.conf"), '# comment\nport 7000\nrequirepass "se cret"\n\nappendfsync always\n');
    const options = parseServerArgs(["kv.conf", "--port", "7001"], dir);
    expect(options.configFile).toBe(path.join(dir, "kv.conf"));
    expect(options.parameters).toEqual([
      ["port", "7000"],
      ["requirepass", "se cret"],
      ["appendfsync", "always"],
      ["port", "7001"],
    ]);
  });

  it("rejects a flag without a value and stray arguments", () => {
    expect(() => parseServerArgs(["--port"], "/")).toThrow("option --port needs a value");
    expect(() => parseServerArgs(["a.conf", "b"], "/nonexistent")).toThrow();
  });
});

describe("splitConfigLine", () => {
  it("handles quotes and escapes like sdssplitargs", () => {
    expect(splitConfigLine(`set "a b" 'c d' "x\\x41\\n"`)).toEqual(["set", "a b", "c d", "xA\n"]);
    expect(() => splitConfigLine(`bad "open`)).toThrow("unbalanced quotes");
  });
});
