import { afterEach, describe, expect, it } from "vitest";
import type { RawConnection, ServerProcess } from "./test-support/server-process.js";
import { resp, ServerFixture } from "./test-support/server-process.js";

const fixture = new ServerFixture();

function startServer(args: string[] = []): Promise<ServerProcess> {
  return fixture.start(args);
}

function connect(server: ServerProcess): Promise<RawConnection> {
  return fixture.connect(server);
}

/** Sends one command and returns its reply text (the connection's buffer is cleared first). */
async function call(connection: RawConnection, expected: (text: string) => boolean, ...argv: string[]): Promise<string> {
  connection.received = Buffer.alloc(0);
  connection.write(resp(...argv));
  return connection.waitFor(expected);
}

const line = (text: string): boolean => text.endsWith("\r\n");

afterEach(async () => {
  await fixture.closeAll();
});

describe("client limits", () => {
  it("refuses the client beyond maxclients with Redis's error, counts it, and follows CONFIG SET", async () => {
    const server = await startServer(["--maxclients", "2"]);
    const first = await connect(server);
    await connect(server);
    const third = await connect(server);
    expect(await third.waitFor(line)).toBe("-ERR max number of clients reached\r\n");
    await third.waitForClose();
    expect(await call(first, (text) => text.includes("rejected_connections:"), "INFO", "stats")).toMatch(/rejected_connections:1\r\n/);

    expect(await call(first, line, "CONFIG", "SET", "maxclients", "3")).toBe("+OK\r\n");
    const fourth = await connect(server);
    expect(await call(fourth, line, "PING")).toBe("+PONG\r\n");
  });

  it("closes an idle client after `timeout` seconds but not a blocked one or a subscriber", async () => {
    const server = await startServer(["--timeout", "1"]);
    const idle = await connect(server);
    const blocked = await connect(server);
    const subscriber = await connect(server);
    blocked.write(resp("BLPOP", "never", "0"));
    expect(await call(subscriber, (text) => text.endsWith(":1\r\n"), "SUBSCRIBE", "news")).toContain("news");
    expect(await call(idle, line, "PING")).toBe("+PONG\r\n");
    const started = Date.now();
    await idle.waitForClose(4000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(blocked.closed).toBe(false);
    expect(subscriber.closed).toBe(false);
    const other = await connect(server);
    expect(await call(other, line, "RPUSH", "never", "x")).toBe(":1\r\n");
    expect(await blocked.waitFor((text) => text.endsWith("x\r\n"))).toBe("*2\r\n$5\r\nnever\r\n$1\r\nx\r\n");
  });

  it("closes a client whose unterminated bulk passes client-query-buffer-limit, while others keep working", async () => {
    const server = await startServer(["--client-query-buffer-limit", "1mb"]);
    const greedy = await connect(server);
    const other = await connect(server);
    greedy.write("*2\r\n$4\r\nECHO\r\n$100000000\r\n");
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let sent = 0; sent < 4 * 1024 * 1024 && !greedy.closed; sent += chunk.length) {
      greedy.write(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await greedy.waitForClose();
    expect(greedy.received.length).toBe(0);
    expect(await call(other, line, "PING")).toBe("+PONG\r\n");
  });

  // The next two match what redis-server 7.0.15 does with the same bytes: it checks the
  // query buffer right after each read, before parsing (readQueryFromClient).
  it("measures the query buffer before parsing: a request completed by a read that crosses the limit is refused, not run", async () => {
    const server = await startServer(["--client-query-buffer-limit", "1mb"]);
    const admin = await connect(server);
    const greedy = await connect(server);
    const size = 1024 * 1024 + 20_000;
    greedy.write(`*3\r\n$3\r\nSET\r\n$4\r\nover\r\n$${size}\r\n`);
    greedy.write(Buffer.alloc(1_048_000, "x"));
    // Once the server holds 1,048,000 bytes of the value, the rest comes in one read.
    for (let i = 0; i < 100 && !(await call(admin, (text) => text.endsWith("\n"), "CLIENT", "LIST")).includes("qbuf=1048000 "); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    greedy.write(Buffer.concat([Buffer.alloc(size - 1_048_000, "x"), Buffer.from("\r\n")]));
    await greedy.waitForClose();
    expect(greedy.received.length).toBe(0);
    expect(await call(admin, line, "EXISTS", "over")).toBe(":0\r\n");
    expect(server.output).toContain("Closing client that reached max query buffer length");
  });

  it("serves a pipeline sent in one write behind a value just under the limit (Redis reads the rest of a big argument, then 16 KB at a time)", async () => {
    const server = await startServer(["--client-query-buffer-limit", "1mb"]);
    const client = await connect(server);
    const size = 1024 * 1024 - 2 - 100;
    const pings = 10_000;
    client.write(Buffer.concat([Buffer.from(resp("SET", "under", "y".repeat(size)), "latin1"), Buffer.from(resp("PING").repeat(pings), "latin1")]));
    const expected = "+OK\r\n" + "+PONG\r\n".repeat(pings);
    expect(await client.waitForLength(expected.length)).toBe(expected);
    expect(client.closed).toBe(false);
    expect(await call(client, line, "STRLEN", "under")).toBe(`:${size}\r\n`);
  });

  it("refuses an argument longer than proto-max-bulk-len with Redis's error, also on connections opened before CONFIG SET", async () => {
    const server = await startServer();
    const admin = await connect(server);
    const before = await connect(server);
    expect(await call(admin, line, "CONFIG", "SET", "proto-max-bulk-len", "1mb")).toBe("+OK\r\n");
    const after = await connect(server);
    for (const client of [before, after]) {
      client.write("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
      await client.waitForClose();
      expect(client.received.toString("latin1")).toBe("-ERR Protocol error: invalid bulk length\r\n");
    }
    // Exactly the limit is still fine.
    const echoed = `$1048576\r\n${"z".repeat(1048576)}\r\n`;
    expect((await call(admin, (text) => text.length >= echoed.length, "ECHO", "z".repeat(1048576))) === echoed).toBe(true);
  });

  it("disconnects a subscriber that does not read once its output passes the pubsub hard limit", async () => {
    const server = await startServer(["--client-output-buffer-limit", "pubsub 256kb 0 0"]);
    const admin = await connect(server);
    expect(await call(admin, (text) => text.split("\r\n").length > 2, "CONFIG", "GET", "client-output-buffer-limit")).toBe(
      "*2\r\n$26\r\nclient-output-buffer-limit\r\n$58\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub 262144 0 0\r\n",
    );
    const subscriber = await connect(server);
    expect(await call(subscriber, (text) => text.endsWith(":1\r\n"), "SUBSCRIBE", "firehose")).toContain("firehose");
    // Never read again: the kernel's socket buffers fill first, then kv's pending output grows.
    subscriber.socket.pause();
    const publisher = await connect(server);
    const message = "m".repeat(64 * 1024);
    let published = 0;
    for (; published < 2000; published++) {
      const reply = await call(publisher, line, "PUBLISH", "firehose", message);
      if (reply === ":0\r\n") break;
      expect(reply).toBe(":1\r\n");
    }
    // The subscriber was dropped (PUBLISH reaches nobody) long before 2000 × 64 KiB were queued.
    expect(published).toBeLessThan(2000);
    expect(await call(publisher, line, "PUBLISH", "firehose", "after")).toBe(":0\r\n");
    expect(await call(publisher, line, "PING")).toBe("+PONG\r\n");
    expect(server.output).toContain("output buffer limits");
  });
});
