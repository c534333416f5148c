import { readFileSync } from "node:fs";
import net from "node:net";
import { ReplyParser } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random, parseSeed } from "./differential/random.js";
import { encodeCommand } from "./support/resp-reply.js";
import { startKv, type ServerHandle } from "./support/server.js";

/*
 * Hostile input over real sockets: random and mutated requests (flipped and inserted bytes,
 * cut frames, huge or negative lengths, deep nesting, binary inline commands) on many
 * connections. The server must stay up, answer only well-formed RESP (protocol errors with
 * Redis's texts), keep serving a well-behaved client, keep what it acknowledged, and not
 * grow without bound. FUZZ_REQUESTS sets the count (the default suits CI; a soak runs 1M).
 */

const seed = parseSeed(process.env.FUZZ_SEED);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20_000);
const PER_CONNECTION = 50;
const PARALLEL = 8;

const BASE_COMMANDS: string[][] = [
  ["SET", "fuzz:a", "value"],
  ["GET", "fuzz:a"],
  ["INCR", "fuzz:n"],
  ["LPUSH", "fuzz:l", "x", "y"],
  ["HSET", "fuzz:h", "f", "v"],
  ["ZADD", "fuzz:z", "1.5", "m"],
  ["XADD", "fuzz:s", "*", "f", "v"],
  ["ECHO", "hello"],
  ["PING"],
  ["MGET", "fuzz:a", "fuzz:b"],
  ["SADD", "fuzz:set", "1", "2"],
  ["MULTI"],
  ["EXEC"],
];

/** One request: valid, mutated, or adversarial by construction. */
function request(random: Random): Buffer {
  const base = encodeCommand(random.pick(BASE_COMMANDS));
  switch (random.int(0, 9)) {
    case 0:
      return base;
    case 1: {
      const bytes = Buffer.from(base);
      for (let flips = random.int(1, 3); flips > 0; flips--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      return bytes;
    }
    case 2: {
      const at = random.int(0, base.length);
      return Buffer.concat([base.subarray(0, at), Buffer.from(random.bytes(random.int(1, 16)), "latin1"), base.subarray(at)]);
    }
    case 3:
      return base.subarray(0, random.int(1, base.length - 1));
    case 4:
      return Buffer.from(random.pick(["*99999999999\r\n", "*-5\r\n", "*2147483648\r\n", "*1\r\n$-2\r\n", "*1\r\n$9999999999999\r\n", "*1\r\n$536870913\r\n", "$5\r\nhello\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nab\r\n"]), "latin1");
    case 5:
      return Buffer.from("*1\r\n".repeat(random.int(2, 2000)), "latin1");
    case 6:
      return Buffer.from(`${random.bytes(random.int(1, 64))}\r\n`, "latin1");
    case 7:
      return Buffer.from(`"unterminated ${random.bytes(random.int(0, 8))}\r\n`, "latin1");
    case 8:
      return Buffer.from(`*3\r\n$3\r\nSET\r\n$6\r\nfuzz:b\r\n$${random.int(1, 1 << 20)}\r\n${random.bytes(random.int(0, 64))}`, "latin1");
    default:
      return Buffer.from(random.bytes(random.int(1, 256)), "latin1");
  }
}

interface ConnectionOutcome {
  bytes: Buffer;
}

/** Sends requests on one connection, then reads whatever comes back until quiet or closed. */
async function fuzzConnection(port: number, requests: Buffer[]): Promise<ConnectionOutcome> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => undefined);
  socket.on("close", () => (closed = true));
  await new Promise<void>((resolve) => socket.once("connect", resolve).once("error", () => resolve()));
  for (const bytes of requests) if (!closed) socket.write(bytes);
  let lastLength = -1;
  for (let waited = 0; !closed && waited < 1000; waited += 20) {
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (length === lastLength && waited >= 60) break;
    lastLength = length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  socket.destroy();
  return { bytes: Buffer.concat(chunks) };
}

/** The error replies a fuzzed connection received; everything it received must be well-formed RESP. */
function errorReplies(bytes: Buffer): string[] {
  const parser = new ReplyParser();
  parser.feed(bytes);
  const errors: string[] = [];
  // A malformed reply makes the parser throw, failing the test.
  for (let reply = parser.next(); reply !== undefined; reply = parser.next()) {
    if (reply.type === "error") errors.push(String(reply.value));
  }
  return errors;
}

/** A well-behaved client: one command, waiting (up to 5 s) for its whole reply. */
async function call(port: number, argv: string[]): Promise<string> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.on("error", () => undefined);
  const parser = new ReplyParser();
  let received = Buffer.alloc(0);
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      parser.feed(chunk);
      if (parser.next() !== undefined) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  socket.write(encodeCommand(argv));
  await done;
  socket.destroy();
  return received.toString("latin1");
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match === null ? 0 : Number(match[1]) * 1024;
}

let kv: ServerHandle;

beforeAll(async () => {
  kv = await startKv({ appendonly: true });
});

afterAll(async () => {
  await kv?.dispose();
});

describe("protocol fuzzing against a real kv process", () => {
  it(`survives ${REQUESTS} random and mutated requests (seed ${seed})`, async () => {
    const random = new Random(seed);
    expect(await call(kv.port, ["SET", "acknowledged", "before-fuzz"])).toBe("+OK\r\n");
    const rssBefore = rssBytes(kv.pid);
    const protocolErrors = new Map<string, number>();
    let sent = 0;
    while (sent < REQUESTS) {
      const batch: Promise<ConnectionOutcome>[] = [];
      for (let c = 0; c < PARALLEL && sent < REQUESTS; c++) {
        const requests: Buffer[] = [];
        for (let r = 0; r < PER_CONNECTION && sent < REQUESTS; r++, sent++) requests.push(request(random));
        batch.push(fuzzConnection(kv.port, requests));
      }
      for (const outcome of await Promise.all(batch)) {
        for (const message of errorReplies(outcome.bytes)) {
          if (!message.startsWith("ERR Protocol error")) continue;
          const kind = message.replace(/got '.*'$/s, "got '…'");
          protocolErrors.set(kind, (protocolErrors.get(kind) ?? 0) + 1);
        }
      }
      // A well-behaved client is served throughout.
      expect(await call(kv.port, ["ECHO", `after ${sent}`])).toBe(`$${`after ${sent}`.length}\r\nafter ${sent}\r\n`);
    }
    expect(await call(kv.port, ["GET", "acknowledged"])).toBe("$11\r\nbefore-fuzz\r\n");
    // Protocol errors were answered with Redis's texts, and several kinds were provoked.
    for (const message of protocolErrors.keys()) {
      expect(message).toMatch(/^ERR Protocol error: (invalid multibulk length|invalid bulk length|expected '\$', got '…'|too big inline request|too big mbulk count string|too big bulk count string|unbalanced quotes in request|unauthenticated .*)/);
    }
    expect(protocolErrors.size).toBeGreaterThanOrEqual(3);
    // Bounded memory: no request may make the server keep what it was sent.
    const growth = rssBytes(kv.pid) - rssBefore;
    console.log(`fuzz seed ${seed}: ${sent} requests, protocol errors ${JSON.stringify([...protocolErrors])}, RSS growth ${(growth / 1048576).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(256 * 1024 * 1024);
  });
});
