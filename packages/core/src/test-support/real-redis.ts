import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A throwaway redis-server for differential tests: the same commands go to it and to kv, and
 * the reply bytes are compared. Tests skip themselves when redis-server is not installed.
 */

export const redisServerAvailable: boolean = (() => {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return probe.status === 0 && /v=7\.0\./.test(probe.stdout);
})();

function encode(argv: readonly string[]): Buffer {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg, "latin1")}\r\n${arg}\r\n`;
  return Buffer.from(text, "latin1");
}

/** End offset of the complete reply starting at `start`, or -1 when more bytes are needed. */
function replyEnd(buffer: Buffer, start: number): number {
  const lineEnd = buffer.indexOf("\r\n", start, "latin1");
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buffer[start]!);
  const header = Number(buffer.toString("latin1", start + 1, lineEnd));
  let next = lineEnd + 2;
  if (type === "$" || type === "=" || type === "!") {
    if (header < 0) return next;
    return buffer.length >= next + header + 2 ? next + header + 2 : -1;
  }
  if ("*~>%|".includes(type)) {
    if (header < 0) return next;
    const count = type === "%" || type === "|" ? header * 2 : header;
    for (let i = 0; i < count; i++) {
      next = replyEnd(buffer, next);
      if (next < 0) return -1;
    }
    // An attribute is followed by the reply it annotates; a push here is grouped with the
    // reply that follows it (DEBUG PROTOCOL push sends both for one command).
    return type === "|" || type === ">" ? replyEnd(buffer, next) : next;
  }
  return next;
}

/** One connection to the real server; `send` returns each reply's raw bytes as latin1 text. */
export class RedisConnection {
  private buffered = Buffer.alloc(0);
  private readonly waiting: { count: number; resolve: (replies: string[]) => void; replies: string[] }[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.drain();
    });
  }

  static async open(port: number): Promise<RedisConnection> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RedisConnection(socket);
  }

  private drain(): void {
    for (;;) {
      const head = this.waiting[0];
      if (head === undefined || this.buffered.length === 0) return;
      const end = replyEnd(this.buffered, 0);
      if (end < 0) return;
      head.replies.push(this.buffered.toString("latin1", 0, end));
      this.buffered = this.buffered.subarray(end);
      if (head.replies.length === head.count) {
        this.waiting.shift();
        head.resolve(head.replies);
      }
    }
  }

  /** Sends commands pipelined; a command that gets no reply (SHUTDOWN, QUIT...) must not be sent here. */
  send(...commands: (readonly string[])[]): Promise<string[]> {
    const done = new Promise<string[]>((resolve) => this.waiting.push({ count: commands.length, resolve, replies: [] }));
    for (const argv of commands) this.socket.write(encode(argv));
    this.drain();
    return done;
  }

  close(): void {
    this.socket.destroy();
  }
}

export class RealRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(): Promise<RealRedis> {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address() as net.AddressInfo;
        probe.close(() => resolve(address.port));
      });
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), "kv-real-redis-"));
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes"],
      { stdio: "ignore" },
    );
    for (let attempt = 0; ; attempt++) {
      try {
        (await RedisConnection.open(port)).close();
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return new RealRedis(port, child, dir);
  }

  connect(): Promise<RedisConnection> {
    return RedisConnection.open(this.port);
  }

  stop(): void {
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
