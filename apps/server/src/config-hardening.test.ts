import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ReplyParser } from "@kv/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { resp, ServerFixture, type RawConnection } from "./test-support/server-process.js";

const fixture = new ServerFixture();

function isCompleteReply(text: string): boolean {
  const parser = new ReplyParser();
  parser.feed(Buffer.from(text, "latin1"));
  return parser.next() !== undefined;
}
const temporary: string[] = [];

afterEach(async () => {
  await fixture.closeAll();
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

async function call(connection: RawConnection, ...argv: string[]): Promise<string> {
  connection.received = Buffer.alloc(0);
  connection.write(resp(...argv));
  return connection.waitFor(isCompleteReply);
}

/** Every file or directory below `dir`, as relative paths. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

/** Names a server writing where it should not would leave: data, AOF, ACL, config and lock files. */
const SERVER_FILE = /(\.rdb|\.aof|\.acl|\.conf|\.lock|\.manifest)$|^temp-|^appendonlydir$|^evil/;

function serverLikeEntries(dir: string): Set<string> {
  return new Set(readdirSync(dir).filter((name) => SERVER_FILE.test(name)));
}

const failed = (name: string, reason: string): string => `-ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}\r\n`;

// Redis 7.0's answers for the paths it guards (checked against redis-server 7.0.15), and kv's
// TLS paths, which Redis would reload but kv fixes at start-up.
const GUARDED: [string, string][] = [
  ["dir", "can't set protected config"],
  ["dbfilename", "can't set protected config"],
  ["appendfilename", "can't set immutable config"],
  ["appenddirname", "can't set immutable config"],
  ["logfile", "can't set immutable config"],
  ["pidfile", "can't set immutable config"],
  ["unixsocket", "can't set immutable config"],
  ["tls-cert-file", "can't set immutable config"],
  ["tls-key-file", "can't set immutable config"],
  ["tls-key-file-pass", "can't set immutable config"],
  ["tls-client-cert-file", "can't set immutable config"],
  ["tls-client-key-file", "can't set immutable config"],
  ["tls-dh-params-file", "can't set immutable config"],
  ["tls-ca-cert-file", "can't set immutable config"],
  ["tls-ca-cert-dir", "can't set immutable config"],
];

describe("configuration cannot be turned against the host", () => {
  it("refuses CONFIG SET of every path parameter, and the file-writing commands stay in the data directory", async () => {
    const cwd = tempDir("kv-cwd-");
    const dataDir = tempDir("kv-data-");
    const configFile = path.join(dataDir, "kv.conf");
    writeFileSync(configFile, "appendonly yes\nappendfsync everysec\n");
    const tmpBefore = serverLikeEntries(os.tmpdir());
    const testCwdBefore = serverLikeEntries(process.cwd());
    const server = await fixture.start([], dataDir, { cwd, configFile });
    const admin = await fixture.connect(server);

    const guarded = [...GUARDED];
    // aclfile joins the list once kv knows it (Redis: immutable).
    if ((await call(admin, "CONFIG", "GET", "aclfile")) !== "*0\r\n") guarded.push(["aclfile", "can't set immutable config"]);
    for (const [name, reason] of guarded) {
      expect(await call(admin, "CONFIG", "SET", name, path.join(cwd, "evil"))).toBe(failed(name, reason));
      // Also as one of several parameters (CONFIG SET checks them all before setting any).
      expect(await call(admin, "CONFIG", "SET", "maxclients", "100", name, "/tmp/evil")).toBe(failed(name, reason));
    }
    expect(await call(admin, "CONFIG", "GET", "maxclients")).toBe("*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
    // The classic attack: point dir/dbfilename elsewhere, then make the server write.
    expect(await call(admin, "CONFIG", "SET", "dir", os.tmpdir(), "dbfilename", "evil.rdb")).toBe(failed("dir", "can't set protected config"));

    expect(await call(admin, "SET", "k", "v")).toBe("+OK\r\n");
    const battery: string[][] = [["BGREWRITEAOF"], ["SAVE"], ["BGSAVE"], ["CONFIG", "REWRITE"], ["DEBUG", "RELOAD"], ["ACL", "SAVE"], ["FLUSHALL"], ["SHUTDOWN", "NOSAVE", "ABORT"]];
    for (const command of battery) {
      const reply = await call(admin, ...command);
      expect(reply, command.join(" ")).toMatch(/^[+-]/);
      // Let background work finish before the next command (and before the listings below).
      for (let i = 0; i < 200; i++) {
        const info = await call(admin, "INFO", "persistence");
        if (info.includes("aof_rewrite_in_progress:0") && info.includes("rdb_bgsave_in_progress:0")) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    expect(await call(admin, "GET", "k")).toBe("$-1\r\n");

    expect(listTree(cwd)).toEqual([]);
    const newInTmp = [...serverLikeEntries(os.tmpdir())].filter((name) => !tmpBefore.has(name));
    expect(newInTmp).toEqual([]);
    expect([...serverLikeEntries(process.cwd())].filter((name) => !testCwdBefore.has(name))).toEqual([]);
    // What was written went into the data directory (CONFIG REWRITE, where kv has it, rewrites kv.conf there).
    expect(listTree(dataDir)).toEqual(expect.arrayContaining(["kv.conf", "appendonlydir"]));
  });
});
