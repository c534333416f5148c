import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { allCommands } from "../commands/index.js";
import { defineCoreConfig } from "../core-config.js";
import { Engine } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kv-acl-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("users and permissions", () => {
  test("passwords are kept only as SHA-256 digests", () => {
    const h = new TestHarness();
    h.raw("ACL", "SETUSER", "bob", "on", ">hunter2", "+@all", "~*");
    const user = h.engine.acl.users.get("bob")!;
    expect(user.passwords).toEqual(["f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7"]);
    expect(h.raw("ACL", "LIST")).not.toContain("hunter2");
    const other = h.engine.createClient();
    expect(h.rawAs(other, "AUTH", "bob", "hunter2")).toBe("+OK\r\n");
    expect(other.user).toBe("bob");
  });

  test("only a user allowed every command, key and channel skips the check", () => {
    const h = new TestHarness();
    expect(h.engine.acl.defaultUser.unrestricted).toBe(true);
    h.raw("ACL", "SETUSER", "default", "-debug");
    expect(h.engine.acl.defaultUser.unrestricted).toBe(false);
    expect(h.raw("DEBUG", "SLEEP", "0")).toBe("-NOPERM this user has no permissions to run the 'debug' command\r\n");
    h.raw("ACL", "SETUSER", "default", "+@all", "resetchannels", "&news.*");
    expect(h.engine.acl.defaultUser.unrestricted).toBe(false);
    expect(h.raw("PUBLISH", "news.1", "m")).toBe(":0\r\n");
    expect(h.raw("PUBLISH", "sport", "m")).toBe("-NOPERM this user has no permissions to access one of the channels used as arguments\r\n");
  });

  test("a failing SETUSER changes nothing", () => {
    const h = new TestHarness();
    h.raw("ACL", "SETUSER", "bob", "on", "~a*", "+get");
    const before = h.raw("ACL", "LIST");
    expect(h.raw("ACL", "SETUSER", "bob", "~b*", "+nosuch")).toContain("Unknown command or category name in ACL");
    expect(h.raw("ACL", "LIST")).toBe(before);
  });

  test("deleting the caller's own user closes its connection after the reply", () => {
    const h = new TestHarness();
    h.raw("ACL", "SETUSER", "admin", "on", "nopass", "+@all", "~*", "&*");
    h.raw("AUTH", "admin", "x");
    expect(h.raw("ACL", "DELUSER", "admin")).toBe(":1\r\n");
    expect(h.client.closeAfterReply).toBe(true);
    expect(h.client.user).toBe("default");
  });

  test("ACL LOG groups repeats and records the refused command and user in client-info", () => {
    const h = new TestHarness();
    h.raw("ACL", "SETUSER", "u", "on", "nopass", "+get", "~k*");
    h.raw("AUTH", "u", "x");
    h.raw("GET", "x");
    h.raw("GET", "x");
    const [entry] = h.engine.acl.log.entries;
    expect(entry).toMatchObject({ count: 2, reason: "key", context: "toplevel", object: "x", username: "u" });
    expect(entry!.clientInfo).toMatch(/ cmd=get user=u /);
  });

  test("a %R~ pattern allows reads but not writes; EXISTS needs neither", () => {
    const h = new TestHarness();
    h.raw("ACL", "SETUSER", "r", "on", "nopass", "+@all", "%R~ro:*");
    h.raw("AUTH", "r", "x");
    expect(h.raw("GET", "ro:1")).toBe("$-1\r\n");
    expect(h.raw("SET", "ro:1", "v")).toContain("NOPERM");
    expect(h.raw("EXISTS", "ro:1")).toBe(":0\r\n");
  });
});

describe("the ACL file", () => {
  function engineWith(parameters: [string, string][]): Engine {
    return new Engine({ commands: allCommands, defineConfig: defineCoreConfig, startupConfig: parameters });
  }

  test("ACL SAVE writes Redis's format through a renamed temp file, and a new engine loads it back", () => {
    const dir = tempDir();
    const file = path.join(dir, "users.acl");
    writeFileSync(file, "");
    const first = new TestHarness({ startupConfig: [["aclfile", file]] });
    first.raw("ACL", "SETUSER", "bob", "on", ">pw", "~k*", "&c", "+get", "(+set ~s*)");
    expect(first.raw("ACL", "SAVE")).toBe("+OK\r\n");
    expect(readdirSync(dir)).toEqual(["users.acl"]);
    const text = readFileSync(file, "latin1");
    expect(text).toBe(
      "user bob on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k* resetchannels &c -@all +get (~s* resetchannels -@all +set)\n" +
        "user default on nopass ~* &* +@all\n",
    );
    const second = engineWith([["aclfile", file]]);
    expect(second.acl.listLines().join("\n") + "\n").toBe(text);
  });

  test("a bad file stops the start naming the line; ACL LOAD is all or nothing", () => {
    const dir = tempDir();
    const file = path.join(dir, "users.acl");
    writeFileSync(file, "user a on nopass ~* +@all\nuser b on badrule\n");
    expect(() => engineWith([["aclfile", file]])).toThrow(`${file}:2: Syntax error.`);
    writeFileSync(file, "user a on nopass ~* +@all\n");
    const h = new TestHarness({ startupConfig: [["aclfile", file]] });
    writeFileSync(file, "user a off\nuser c +nosuch\n");
    expect(h.raw("ACL", "LOAD")).toBe(
      `-ERR ${file}:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n`,
    );
    expect(h.raw("ACL", "USERS")).toBe("*2\r\n$1\r\na\r\n$7\r\ndefault\r\n");
  });

  test("requirepass stays the default user's password when the file does not define it", () => {
    const dir = tempDir();
    const file = path.join(dir, "users.acl");
    writeFileSync(file, "user a on nopass ~* +@all\n");
    const engine = engineWith([["requirepass", "secret"], ["aclfile", file]]);
    expect(engine.authRequired).toBe(true);
    writeFileSync(file, "user default on nopass ~* &* +@all\n");
    expect(engineWith([["requirepass", "secret"], ["aclfile", file]]).authRequired).toBe(false);
  });

  test("aclfile cannot be changed at run time", () => {
    const h = new TestHarness();
    expect(h.raw("CONFIG", "SET", "aclfile", "/tmp/x")).toBe("-ERR CONFIG SET failed (possibly related to argument 'aclfile') - can't set immutable config\r\n");
  });
});
