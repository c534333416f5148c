import * as nodeFs from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AofFileSystem } from "@kv/aof";
import { KvServer } from "./kv-server.js";
import { freePort, RawConnection, resp } from "./test-support/server-process.js";

/*
 * The real server class in this process, on a real socket, with the AOF's file layer made to
 * fail: fsync errors cannot be produced on demand by a real disk, and under `always` Redis
 * would exit where kv holds the reply and retries.
 */

const faults = { write: undefined as string | undefined, fsync: undefined as string | undefined };
const counts = { positionedWrites: 0 };

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });
}

const faultyFileSystem: AofFileSystem = {
  ...nodeFs,
  writeSync(fd, buffer, offset, length, position) {
    if (position !== undefined && position !== null) counts.positionedWrites++;
    else if (faults.write !== undefined) throw errno(faults.write, "write");
    return nodeFs.writeSync(fd, buffer, offset, length, position);
  },
  fdatasync(fd, callback) {
    if (faults.fsync !== undefined) {
      const error = errno(faults.fsync, "fdatasync");
      setImmediate(() => callback(error));
      return;
    }
    nodeFs.fdatasync(fd, callback);
  },
};

const opened: { servers: KvServer[]; connections: RawConnection[]; dirs: string[] } = { servers: [], connections: [], dirs: [] };

afterEach(async () => {
  faults.write = undefined;
  faults.fsync = undefined;
  for (const connection of opened.connections.splice(0)) connection.close();
  for (const server of opened.servers.splice(0)) await server.stop("test over");
  for (const dir of opened.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startServer(dir: string, logLines: string[]): Promise<KvServer> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const server = new KvServer({
    parameters: [
      ["port", String(await freePort())],
      ["dir", dir],
      ["appendonly", "yes"],
      ["appendfsync", "always"],
    ],
    configFile: undefined,
    cwd: dir,
    logger: pino({ level: "info" }, sink),
    onShutdown: () => undefined,
    aofOptions: { fileSystem: faultyFileSystem },
  });
  await server.start();
  opened.servers.push(server);
  return server;
}

async function connect(server: KvServer): Promise<RawConnection> {
  const connection = await RawConnection.connect(server.port);
  opened.connections.push(connection);
  return connection;
}

/** Sends one command and returns its (single-line or bulk) reply. */
async function call(connection: RawConnection, ...argv: string[]): Promise<string> {
  connection.received = Buffer.alloc(0);
  connection.write(resp(...argv));
  const text = await connection.waitFor((received) => /^(\$\d+\r\n[^]*\r\n|[^$][^\r]*\r\n)$/.test(received));
  connection.received = Buffer.alloc(0);
  return text;
}

/** Sends a command whose reply must be held; checks nothing arrives, returns a wait for the reply. */
async function callHeld(connection: RawConnection, ...argv: string[]): Promise<() => Promise<string>> {
  connection.received = Buffer.alloc(0);
  connection.write(resp(...argv));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(connection.received.toString("latin1")).toBe("");
  return () => connection.waitFor((received) => received.endsWith("\r\n"));
}

describe("AOF write and fsync errors in the running server", () => {
  it.each([
    ["fsync", "EIO", "Input/output error", "Fail to fsync the AOF file: Input/output error"],
    ["write", "EIO", "Input/output error", "Error writing to the AOF file: Input/output error"],
    ["write", "ENOSPC", "No space left on device", "Error writing to the AOF file: No space left on device"],
  ] as const)("%s %s under always: reply held, MISCONF for others, reads served, recovery by itself", async (kind, code, strerror, logged) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kv-disk-error-"));
    opened.dirs.push(dir);
    const logLines: string[] = [];
    const server = await startServer(dir, logLines);
    const writer = await connect(server);
    const reader = await connect(server);
    expect(await call(writer, "SET", "before", "1")).toBe("+OK\r\n");

    faults[kind] = code;
    const rewritesBefore = counts.positionedWrites;
    const heldReply = await callHeld(writer, "INCR", "counter");
    const misconf = `-MISCONF Errors writing to the AOF file: ${strerror}\r\n`;
    expect(await call(reader, "SET", "refused", "x")).toBe(misconf);
    expect(await call(reader, "PING")).toBe(misconf);
    expect(await call(reader, "GET", "before")).toBe("$1\r\n1\r\n");
    expect(await call(reader, "INFO", "persistence")).toContain("aof_last_write_status:err");
    expect(logLines.join("")).toContain(logged);

    faults[kind] = undefined;
    expect(await heldReply()).toBe(":1\r\n");
    if (kind === "fsync") expect(counts.positionedWrites).toBeGreaterThan(rewritesBefore);
    expect(await call(reader, "SET", "after", "2")).toBe("+OK\r\n");
    expect(await call(reader, "INFO", "persistence")).toContain("aof_last_write_status:ok");
    expect(logLines.join("")).toContain("AOF write error looks solved");

    await server.stop("restart");
    opened.servers.splice(opened.servers.indexOf(server), 1);
    const restarted = await startServer(dir, []);
    const check = await connect(restarted);
    expect(await call(check, "GET", "before")).toBe("$1\r\n1\r\n");
    expect(await call(check, "GET", "counter")).toBe("$1\r\n1\r\n");
    expect(await call(check, "GET", "after")).toBe("$1\r\n2\r\n");
    expect(await call(check, "EXISTS", "refused")).toBe(":0\r\n");
  });
});
