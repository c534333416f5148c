import { describe, expect, it } from "vitest";
import { AofManifestError, formatManifest, parseManifest, type AofManifest } from "./aof-manifest.js";

describe("AOF manifest", () => {
  it("formats base, history and incr lines in Redis's order and syntax", () => {
    const manifest: AofManifest = {
      base: { fileName: "appendonly.aof.2.base.rdb", seq: 2, type: "b" },
      history: [{ fileName: "appendonly.aof.1.incr.aof", seq: 1, type: "h" }],
      incrs: [
        { fileName: "appendonly.aof.2.incr.aof", seq: 2, type: "i" },
        { fileName: "appendonly.aof.3.incr.aof", seq: 3, type: "i" },
      ],
    };
    const text = formatManifest(manifest);
    expect(text).toBe(
      "file appendonly.aof.2.base.rdb seq 2 type b\n" +
        "file appendonly.aof.1.incr.aof seq 1 type h\n" +
        "file appendonly.aof.2.incr.aof seq 2 type i\n" +
        "file appendonly.aof.3.incr.aof seq 3 type i\n",
    );
    expect(parseManifest(text, "m")).toEqual(manifest);
  });

  it("quotes names that need it and reads them back", () => {
    const manifest: AofManifest = {
      base: { fileName: 'my "aof" file\n.1.base.aof', seq: 1, type: "b" },
      history: [],
      incrs: [{ fileName: "caf\xe9.1.incr.aof", seq: 1, type: "i" }],
    };
    const text = formatManifest(manifest);
    expect(text).toBe(
      'file "my \\"aof\\" file\\n.1.base.aof" seq 1 type b\nfile "caf\\xe9.1.incr.aof" seq 1 type i\n',
    );
    expect(parseManifest(text, "m")).toEqual(manifest);
  });

  it("accepts comments, extra keys (forward compatibility) and keys in any order or case", () => {
    const parsed = parseManifest(
      "# written by hand\nFILE a.1.base.aof TYPE b SEQ 1 future x\n  file a.1.incr.aof seq 1 type i  \n",
      "m",
    );
    expect(parsed).toEqual({
      base: { fileName: "a.1.base.aof", seq: 1, type: "b" },
      history: [],
      incrs: [{ fileName: "a.1.incr.aof", seq: 1, type: "i" }],
    });
  });

  it.each([
    ["", /Found an empty AOF manifest m/],
    ["file a seq 1 type b", /Invalid line \(too long or not terminated\) in the AOF manifest m at line 1/],
    ["\n", /Invalid AOF manifest file format .* at line 1/],
    ["file a seq 1\n", /Invalid AOF manifest file format/],
    ["file a seq 0 type b\n", /Invalid AOF manifest file format/],
    ["file dir/a seq 1 type b\n", /File can't be a path, just a filename/],
    ["file a seq 1 type b\nfile b seq 2 type b\n", /Found duplicate base file information .* at line 2/],
    ["file a seq 2 type i\nfile b seq 2 type i\n", /Found a non-monotonic sequence number/],
    ["file a seq 1 type x\n", /Unknown AOF file type/],
    ['file "a seq 1 type b\n', /Invalid AOF manifest file format/],
    [`file ${"x".repeat(1100)} seq 1 type b\n`, /too long/],
  ])("rejects %j", (text, message) => {
    expect(() => parseManifest(text, "m")).toThrow(AofManifestError);
    expect(() => parseManifest(text, "m")).toThrow(message);
  });
});
