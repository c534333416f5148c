import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireBuiltCli, runKv, tempDir } from "./test-support/processes.js";

/* `kv check-aof` end-to-end: the built binary on a data directory that kv itself wrote. */

beforeAll(() => requireBuiltCli());

const temps: { remove(): void }[] = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});

/** A data directory with a few writes, made by kv's embedded mode; returns it and its last incr file. */
async function writtenDataDir(): Promise<{ dir: string; lastIncr: string }> {
  const temp = tempDir("kv-cli-check-aof-");
  temps.push(temp);
  for (const args of [["SET", "a", "1"], ["SET", "b", "2"], ["INCR", "a"]]) {
    expect((await runKv(["--dir", temp.dir, ...args])).status).toBe(0);
  }
  const aofDir = path.join(temp.dir, "appendonlydir");
  const incrs = readdirSync(aofDir).filter((name) => name.endsWith(".incr.aof")).sort();
  return { dir: temp.dir, lastIncr: path.join(aofDir, incrs[incrs.length - 1]!) };
}

describe("kv check-aof", () => {
  it("exits 0 and prints one ok line per file for a valid AOF", async () => {
    const { dir } = await writtenDataDir();
    const result = await runKv(["check-aof", dir]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Checking multi-part AOF in ${path.join(dir, "appendonlydir")}`);
    expect(lines.slice(1, -1).every((line) => /: ok \(\d+ bytes\)$/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe("AOF is valid");
  });

  it("exits 1 for a truncated tail, and --fix cuts it, keeps a backup and exits 0", async () => {
    const { dir, lastIncr } = await writtenDataDir();
    const intact = readFileSync(lastIncr);
    const cutOff = "*3\r\n$3\r\nSET\r\n$1\r\nc";
    appendFileSync(lastIncr, cutOff);

    const check = await runKv(["check-aof", dir]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${path.basename(lastIncr)}: truncated at offset ${intact.length} of ${intact.length + cutOff.length}`);
    expect(check.stdout).toContain("kv check-aof --fix");

    const fix = await runKv(["check-aof", "--fix", dir]);
    expect(fix.status).toBe(0);
    expect(fix.stdout).toContain(`backup in ${path.basename(lastIncr)}.bak`);
    expect(fix.stdout.trimEnd().split("\n").at(-1)).toBe("AOF is valid");
    expect(readFileSync(lastIncr)).toEqual(intact);
    expect(existsSync(`${lastIncr}.bak`)).toBe(true);

    expect((await runKv(["check-aof", dir])).status).toBe(0);
    expect(await runKv(["--dir", dir, "--get", "a"])).toEqual({ status: 0, stdout: '"2"\n', stderr: "" });
  });

  it("exits 1 for corruption in the middle, with or without --fix, and leaves the file alone", async () => {
    const { dir, lastIncr } = await writtenDataDir();
    const bytes = readFileSync(lastIncr);
    const at = bytes.indexOf("$1\r\nb");
    bytes[at] = 0x25; // '%' where a bulk string's '$' was
    writeFileSync(lastIncr, bytes);

    for (const args of [["check-aof", dir], ["check-aof", "--fix", dir]]) {
      const result = await runKv(args);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(`${path.basename(lastIncr)}: corrupt at offset ${at}: expected '$' starting a bulk string, found '%'`);
    }
    expect(readFileSync(lastIncr)).toEqual(bytes);
    expect(existsSync(`${lastIncr}.bak`)).toBe(false);
  });

  it("exits 1 naming a file the manifest lists but that is missing", async () => {
    const { dir, lastIncr } = await writtenDataDir();
    writeFileSync(lastIncr, "");
    const manifest = path.join(dir, "appendonlydir", "appendonly.aof.manifest");
    writeFileSync(manifest, `${readFileSync(manifest, "latin1")}file appendonly.aof.99.incr.aof seq 99 type i\n`);
    const result = await runKv(["check-aof", dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("incr appendonly.aof.99.incr.aof: corrupt: can't open the file");
  });

  it("exits 2 without a path", async () => {
    const result = await runKv(["check-aof"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("missing required argument 'path'");
  });
});
