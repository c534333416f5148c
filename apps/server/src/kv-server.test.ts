import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RawConnection} from "./test-support/server-process.js";
import { resp, ServerFixture, ServerProcess } from "./test-support/server-process.js";

const fixture = new ServerFixture();

function startServer(args: string[] = [], dir?: string): Promise<ServerProcess> {
  return fixture.start(args, dir);
}

function connect(server: ServerProcess): Promise<RawConnection> {
  return fixture.connect(server);
}

afterEach(async () => {
  await fixture.closeAll();
});

describe("kv server process", () => {
  it("serves the original nc session with inline commands", async () => {
    const server = await startServer();
    const nc = await connect(server);
    nc.write("SET username Prajwal\r\nGET username\n");
    expect(await nc.waitForLength("+OK\r\n$7\r\nPrajwal\r\n".length)).toBe("+OK\r\n$7\r\nPrajwal\r\n");
  });

  it("schedules BGREWRITEAOF inside EXEC, so the EXEC's writes land once (base or incr, not both)", async () => {
    const server = await startServer(["--appendonly", "yes"]);
    const client = await connect(server);
    client.write(resp("RPUSH", "l", "a") + resp("MULTI") + resp("RPUSH", "l", "b") + resp("BGREWRITEAOF") + resp("RPUSH", "l", "c") + resp("EXEC"));
    const replies = await client.waitFor((text) => text.includes("scheduled\r\n:3\r\n"));
    expect(replies).toContain("*3\r\n:2\r\n+Background append only file rewriting scheduled\r\n:3\r\n");
    client.received = Buffer.alloc(0);
    // The cron (100 ms) starts it; wait until it has run to the end.
    const done = (info: string) => info.includes("aof_rewrites:1") && info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0");
    let info = "";
    for (let attempt = 0; attempt < 100 && !done(info); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.received = Buffer.alloc(0);
      client.write(resp("INFO", "persistence"));
      info = await client.waitFor((text) => text.includes("aof_rewrites:"));
    }
    expect(done(info)).toBe(true);
    await server.stop("SIGKILL");
    const restarted = await startServer(["--appendonly", "yes"], server.dir);
    const check = await connect(restarted);
    check.write(resp("LRANGE", "l", "0", "-1"));
    expect(await check.waitForLength("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n".length)).toBe("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  });

  it("parses a command split at every byte and a pipeline in one write", async () => {
    const server = await startServer();
    const client = await connect(server);
    const command = resp("SET", "split", "a\r\nb");
    for (const byte of Buffer.from(command, "latin1")) {
      client.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await client.waitForLength(5)).toBe("+OK\r\n");
    client.received = Buffer.alloc(0);
    let pipeline = "";
    for (let i = 0; i < 1000; i++) pipeline += resp("INCR", "counter");
    client.write(pipeline);
    const replies = await client.waitFor((text) => text.includes(":1000\r\n"));
    expect(replies.split("\r\n").filter(Boolean)).toHaveLength(1000);
    expect(replies.startsWith(":1\r\n:2\r\n")).toBe(true);
  });

  it("answers a protocol error like Redis, closes that connection and keeps serving others", async () => {
    const server = await startServer();
    const bad = await connect(server);
    const good = await connect(server);
    bad.write("*1\r\n$x\r\n");
    expect(await bad.waitFor((text) => text.endsWith("\r\n"))).toBe("-ERR Protocol error: invalid bulk length\r\n");
    await bad.waitForClose();
    good.write(resp("PING"));
    expect(await good.waitForLength(7)).toBe("+PONG\r\n");
  });

  it("closes after QUIT's reply", async () => {
    const server = await startServer();
    const client = await connect(server);
    client.write(resp("QUIT"));
    expect(await client.waitForLength(5)).toBe("+OK\r\n");
    await client.waitForClose();
  });

  it("keeps acknowledged writes across SIGTERM and a restart, in Redis's multi-part AOF layout", async () => {
    const server = await startServer(["--appendfsync", "always"]);
    const client = await connect(server);
    client.write(resp("SET", "k", "v1") + resp("SELECT", "3") + resp("SET", "k3", "in db 3") + resp("SET", "ttl", "x", "EX", "1000"));
    await client.waitFor((text) => text === "+OK\r\n+OK\r\n+OK\r\n+OK\r\n");
    expect(await server.stop("SIGTERM")).toBe(0);
    const files = readdirSync(path.join(server.dir, "appendonlydir")).sort();
    expect(files).toContain("appendonly.aof.manifest");
    expect(files.some((name) => /^appendonly\.aof\.\d+\.incr\.aof$/.test(name))).toBe(true);
    expect(existsSync(path.join(server.dir, "kv.lock"))).toBe(false);

    const restarted = await startServer([], server.dir);
    const again = await connect(restarted);
    again.write(resp("GET", "k") + resp("SELECT", "3") + resp("GET", "k3") + resp("TTL", "ttl"));
    const text = await again.waitFor((received) => received.split("\r\n").length >= 7);
    expect(text).toMatch(/^\$2\r\nv1\r\n\+OK\r\n\$7\r\nin db 3\r\n:(999|1000)\r\n$/);
  });

  it("rewrites the AOF by itself once it has doubled, losing nothing", async () => {
    const server = await startServer(["--auto-aof-rewrite-min-size", "4096", "--auto-aof-rewrite-percentage", "100"]);
    const client = await connect(server);
    let batch = "";
    for (let i = 0; i < 200; i++) batch += resp("SET", `key:${i}`, "x".repeat(40));
    client.write(batch);
    await client.waitFor((text) => text.length === 200 * 5);
    const manifest = path.join(server.dir, "appendonlydir", "appendonly.aof.manifest");
    const deadline = Date.now() + 10_000;
    while (!readFileSync(manifest, "latin1").includes("appendonly.aof.2.base.aof") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(readFileSync(manifest, "latin1")).toMatch(/^file appendonly\.aof\.2\.base\.aof seq 2 type b$/m);
    expect(server.output).toContain("Starting automatic rewriting of AOF");
    expect(await server.stop("SIGTERM")).toBe(0);

    const restarted = await startServer([], server.dir);
    const again = await connect(restarted);
    again.write(resp("DBSIZE") + resp("GET", "key:199"));
    expect(await again.waitFor((text) => text.endsWith("x".repeat(40) + "\r\n"))).toBe(`:200\r\n$40\r\n${"x".repeat(40)}\r\n`);
  });

  it("flushes and exits on SHUTDOWN", async () => {
    const server = await startServer();
    const client = await connect(server);
    client.write(resp("SET", "before", "shutdown") + resp("SHUTDOWN"));
    await client.waitForClose();
    expect(await server.exit).toBe(0);
    const incr = readdirSync(path.join(server.dir, "appendonlydir")).find((name) => name.endsWith(".incr.aof"));
    expect(readFileSync(path.join(server.dir, "appendonlydir", incr!), "latin1")).toContain("before");
  });

  it("refuses to start on a directory another live server owns", async () => {
    const first = await startServer();
    await expect(ServerProcess.start([], first.dir)).rejects.toThrow(/locked|lock/i);
  });

  it("requires AUTH when requirepass is set", async () => {
    const server = await startServer(["--requirepass", "s3cret"]);
    const client = await connect(server);
    client.write(resp("GET", "k") + resp("AUTH", "wrong") + resp("AUTH", "s3cret") + resp("GET", "k"));
    const text = await client.waitFor((received) => received.endsWith("$-1\r\n"));
    expect(text).toBe(
      "-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n$-1\r\n",
    );
  });
});
