import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { ServerFixture, ServerProcess, resp } from "./test-support/server-process.js";

/*
 * Access control over real sockets against the built server: redis-cli authenticating as a
 * restricted user, a connection dropped when its user is deleted, and the ACL file written
 * by ACL SAVE read back by a restarted server.
 */

const fixture = new ServerFixture();
const dirs: string[] = [];
afterEach(async () => {
  await fixture.closeAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kv-acl-server-"));
  dirs.push(dir);
  return dir;
}

function cli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", ...args], { encoding: "latin1" }, (error, stdout) => {
      if (error !== null && typeof error.code !== "number") reject(new Error(error.message));
      else resolve(stdout.trim());
    });
  });
}

const USERS = "user default on nopass ~* &* +@all\nuser app on >apppw ~app:* resetchannels &app.* -@all +@string +publish +subscribe +client|list\n";

describe("ACL users on the real server", () => {
  test("redis-cli as a restricted user is refused outside its keys, commands and channels", async () => {
    const dir = tempDir();
    const aclfile = path.join(dir, "users.acl");
    writeFileSync(aclfile, USERS);
    const server = await fixture.start(["--aclfile", aclfile, "--appendonly", "no"], dir);
    const app = ["--user", "app", "--pass", "apppw"];
    expect(await cli(server.port, ...app, "SET", "app:1", "v")).toBe("OK");
    expect(await cli(server.port, ...app, "GET", "app:1")).toBe("v");
    expect(await cli(server.port, ...app, "GET", "other")).toBe("NOPERM this user has no permissions to access one of the keys used as arguments");
    expect(await cli(server.port, ...app, "DEL", "app:1")).toBe("NOPERM this user has no permissions to run the 'del' command");
    expect(await cli(server.port, ...app, "PUBLISH", "news", "m")).toBe("NOPERM this user has no permissions to access one of the channels used as arguments");
    expect(await cli(server.port, ...app, "PUBLISH", "app.events", "m")).toBe("0");
    expect(await cli(server.port, "AUTH", "app", "wrong")).toBe("WRONGPASS invalid username-password pair or user is disabled.");
    expect(await cli(server.port, ...app, "CLIENT", "LIST")).toMatch(/ user=app /);
    const log = await cli(server.port, "ACL", "LOG");
    expect(log).toContain("reason\nchannel\ncontext\ntoplevel\nobject\nnews\nusername\napp");
    expect(log).toContain("reason\ncommand\ncontext\ntoplevel\nobject\ndel\nusername\napp");
  });

  test("deleting a user disconnects its clients", async () => {
    const dir = tempDir();
    const aclfile = path.join(dir, "users.acl");
    writeFileSync(aclfile, USERS);
    const server = await fixture.start(["--aclfile", aclfile, "--appendonly", "no"], dir);
    const connection = await fixture.connect(server);
    connection.socket.write(resp("AUTH", "app", "apppw"));
    await connection.waitFor((received) => received === "+OK\r\n");
    expect(await cli(server.port, "ACL", "DELUSER", "app")).toBe("1");
    await connection.waitForClose();
    expect(connection.closed).toBe(true);
  });

  test("ACL SAVE writes the file a restarted server loads", async () => {
    const dir = tempDir();
    const aclfile = path.join(dir, "users.acl");
    writeFileSync(aclfile, "");
    let server = await fixture.start(["--aclfile", aclfile], dir);
    expect(await cli(server.port, "ACL", "SETUSER", "bob", "on", ">s3cret", "~bob:*", "&bob", "+get", "+set", "(+del ~tmp:*)")).toBe("OK");
    expect(await cli(server.port, "ACL", "SETUSER", "default", "resetpass", ">adminpw")).toBe("OK");
    const listed = await cli(server.port, "--user", "default", "--pass", "adminpw", "ACL", "LIST");
    expect(await cli(server.port, "--user", "default", "--pass", "adminpw", "ACL", "SAVE")).toBe("OK");
    const saved = readFileSync(aclfile, "latin1");
    expect(saved).not.toContain("s3cret");
    expect(saved).toBe(`${listed}\n`);
    await server.stop();

    server = await fixture.start(["--aclfile", aclfile], dir);
    expect(await cli(server.port, "GET", "x")).toBe("NOAUTH Authentication required.");
    expect(await cli(server.port, "--user", "default", "--pass", "adminpw", "ACL", "LIST")).toBe(listed);
    expect(await cli(server.port, "--user", "bob", "--pass", "s3cret", "SET", "bob:1", "v")).toBe("OK");
    expect(await cli(server.port, "--user", "bob", "--pass", "s3cret", "DEL", "tmp:1")).toBe("0");
    expect(await cli(server.port, "--user", "bob", "--pass", "s3cret", "DEL", "bob:1")).toBe("NOPERM this user has no permissions to access one of the keys used as arguments");
  });

  test("a bad ACL file stops the start and names the line", async () => {
    const dir = tempDir();
    const aclfile = path.join(dir, "users.acl");
    writeFileSync(aclfile, "user a on nopass ~* +@all\nuser b on nosuchrule\n");
    await expect(ServerProcess.start(["--aclfile", aclfile], dir)).rejects.toThrow(`${aclfile}:2: Syntax error.`);
  });
});
