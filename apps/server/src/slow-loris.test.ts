import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, RawConnection, resp, ServerFixture } from "./test-support/server-process.js";

const fixture = new ServerFixture();
let redis: ChildProcess | undefined;
const redisDir = mkdtempSync(path.join(os.tmpdir(), "kv-slowloris-redis-"));

afterAll(async () => {
  await fixture.closeAll();
  redis?.kill("SIGKILL");
  rmSync(redisDir, { recursive: true, force: true });
});

async function startRedis(): Promise<number> {
  const port = await freePort();
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDir], { stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    try {
      (await RawConnection.connect(port)).close();
      return port;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error("redis-server did not start");
}

function memoryOf(pid: number): { rssKb: number; virtualKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "latin1");
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssKb: field("VmRSS"), virtualKb: field("VmSize") };
}

/** qbuf of each client in CLIENT LIST, by its remote port. */
async function queryBuffers(connection: RawConnection): Promise<Map<number, number>> {
  connection.received = Buffer.alloc(0);
  connection.write(resp("CLIENT", "LIST"));
  const text = await connection.waitFor((received) => /^\$(\d+)\r\n/.test(received) && received.length >= Number(/^\$(\d+)/.exec(received)![1]) + 8);
  const buffers = new Map<number, number>();
  for (const match of text.matchAll(/addr=127\.0\.0\.1:(\d+) .*? qbuf=(\d+) /g)) buffers.set(Number(match[1]), Number(match[2]));
  return buffers;
}

function openDripper(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

const CLIENTS = 50;
const DRIP_INTERVAL_MS = 100;
// A request announcing a 100 MB value, then ten bytes of it.
const REQUEST = Buffer.from("*2\r\n$4\r\nECHO\r\n$100000000\r\n0123456789", "latin1");

describe("slow clients", () => {
  it("holds no more for clients dripping one byte at a time than they sent, and keeps serving others", async () => {
    const kv = await fixture.start();
    const redisPort = await startRedis();
    const kvAdmin = await fixture.connect(kv);
    const redisAdmin = await RawConnection.connect(redisPort);
    const kvPid = kv.child.pid!;
    const before = memoryOf(kvPid);

    // The same drip to kv and to redis-server, byte for byte at the same moments.
    const kvDrippers = await Promise.all(Array.from({ length: CLIENTS }, () => openDripper(kv.port)));
    const redisDrippers = await Promise.all(Array.from({ length: CLIENTS }, () => openDripper(redisPort)));
    const worker = await fixture.connect(kv);
    let served = 0;
    let slowestMs = 0;
    let dripping = true;
    const work = (async () => {
      while (dripping) {
        const started = Date.now();
        worker.received = Buffer.alloc(0);
        worker.write(resp("SET", `k${served}`, "v") + resp("GET", `k${served}`));
        expect(await worker.waitFor((text) => text === "+OK\r\n$1\r\nv\r\n", 2000)).toBe("+OK\r\n$1\r\nv\r\n");
        slowestMs = Math.max(slowestMs, Date.now() - started);
        served++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    for (let sent = 1; sent <= REQUEST.length; sent++) {
      const byte = REQUEST.subarray(sent - 1, sent);
      for (const socket of [...kvDrippers, ...redisDrippers]) socket.write(byte);
      await new Promise((resolve) => setTimeout(resolve, DRIP_INTERVAL_MS));
      if (sent % 9 === 0) {
        // Never more buffered than was sent (the header's lines are consumed as they complete).
        for (const socket of kvDrippers) expect((await queryBuffers(kvAdmin)).get(socket.localPort!) ?? 0).toBeLessThanOrEqual(sent);
      }
    }
    dripping = false;
    await work;

    const kvBuffers = await queryBuffers(kvAdmin);
    const redisBuffers = await queryBuffers(redisAdmin);
    // Both hold just the ten value bytes per client: the announced 100 MB is not counted.
    expect(kvDrippers.map((socket) => kvBuffers.get(socket.localPort!))).toEqual(Array<number>(CLIENTS).fill(10));
    expect(redisDrippers.map((socket) => redisBuffers.get(socket.localPort!))).toEqual(Array<number>(CLIENTS).fill(10));

    // Nor allocated: 50 × 100 MB would add about 4.7 GiB of address space even if untouched.
    const after = memoryOf(kvPid);
    expect(after.virtualKb - before.virtualKb).toBeLessThan(1024 * 1024);
    expect(after.rssKb - before.rssKb).toBeLessThan(64 * 1024);
    expect(served).toBeGreaterThan(20);
    console.log(
      `slow-loris: ${CLIENTS} drippers; kv RSS +${after.rssKb - before.rssKb} kB, VmSize +${after.virtualKb - before.virtualKb} kB; ` +
        `${served} SET+GET round trips served, slowest ${slowestMs} ms`,
    );
    for (const socket of [...kvDrippers, ...redisDrippers]) socket.destroy();
    redisAdmin.close();
  }, 30_000);
});
