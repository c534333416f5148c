import net from "node:net";
import { encodeCommand, escapeBytes, findReplyEnd } from "./resp-reply.js";

export type Argv = readonly (string | Buffer)[];

interface Waiter {
  resolve: (reply: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RespConnectionOptions {
  host?: string;
  /** How long one reply may take before the call fails (a hung server must not hang the suite). */
  replyTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * A raw socket that sends commands and hands back each reply's exact bytes, for byte-for-byte
 * comparison. Replies are matched to requests purely by order, as RESP defines.
 */
export class RespConnection {
  readonly port: number;
  private readonly socket: net.Socket;
  private readonly replyTimeoutMs: number;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiters: Waiter[] = [];
  private closedFlag = false;
  private closeWaiters: (() => void)[] = [];

  private constructor(socket: net.Socket, port: number, replyTimeoutMs: number) {
    this.socket = socket;
    this.port = port;
    this.replyTimeoutMs = replyTimeoutMs;
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.deliver();
    });
    socket.on("error", () => {
      // Reported through "close" to whoever is waiting; a reset after QUIT is not a failure.
    });
    socket.on("close", () => {
      this.closedFlag = true;
      for (const waiter of this.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        const pending = this.buffer.length > 0 ? `; unparsed bytes: ${escapeBytes(this.buffer, 300)}` : "";
        waiter.reject(new Error(`connection to port ${this.port} closed before a reply arrived${pending}`));
      }
      for (const notify of this.closeWaiters.splice(0)) notify();
    });
  }

  static async open(port: number, options: RespConnectionOptions = {}): Promise<RespConnection> {
    const host = options.host ?? "127.0.0.1";
    const socket = net.connect({ port, host });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, options.connectTimeoutMs ?? 5_000);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return new RespConnection(socket, port, options.replyTimeoutMs ?? 10_000);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received that are not (yet) a complete reply. */
  get pendingBytes(): Buffer {
    return this.buffer;
  }

  /** Sends one command and returns its reply's exact bytes. */
  async call(argv: Argv): Promise<Buffer> {
    const reply = this.readReply();
    this.writeRaw(encodeCommand(argv));
    return reply;
  }

  /** Sends all commands in a single write and returns their replies in order. */
  async pipeline(commands: readonly Argv[]): Promise<Buffer[]> {
    const replies = commands.map(() => this.readReply());
    this.writeRaw(Buffer.concat(commands.map((argv) => encodeCommand(argv))));
    return Promise.all(replies);
  }

  /** Sends a command split into several writes, to exercise a server's partial-read path. */
  async callFragmented(argv: Argv, cuts: readonly number[]): Promise<Buffer> {
    const bytes = encodeCommand(argv);
    const reply = this.readReply();
    let previous = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      if (cut <= previous || cut >= bytes.length) continue;
      await this.writeAndFlush(bytes.subarray(previous, cut));
      previous = cut;
    }
    this.writeRaw(bytes.subarray(previous));
    return reply;
  }

  writeRaw(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  /** The next reply, whichever command it answers. */
  readReply(timeoutMs = this.replyTimeoutMs): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.findIndex((waiter) => waiter.timer === timer);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(
          new Error(`no reply from port ${this.port} within ${timeoutMs} ms; buffered: ${escapeBytes(this.buffer, 300)}`),
        );
      }, timeoutMs);
      const waiter = { resolve, reject, timer };
      this.waiters.push(waiter);
      this.deliver();
      if (this.closedFlag && this.waiters.includes(waiter)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        clearTimeout(timer);
        reject(new Error(`connection to port ${this.port} is closed`));
      }
    });
  }

  /** Resolves with whatever arrived that is not a reply once the server closes the socket. */
  async waitForClose(timeoutMs = 5_000): Promise<Buffer> {
    if (!this.closedFlag) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`port ${this.port} did not close the connection within ${timeoutMs} ms`)), timeoutMs);
        this.closeWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  close(): void {
    this.socket.destroy();
  }

  private async writeAndFlush(bytes: Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
    // Yield a macrotask so the next write is a separate segment, not coalesced by the kernel.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private deliver(): void {
    while (this.waiters.length > 0) {
      let end: number;
      try {
        end = findReplyEnd(this.buffer);
      } catch (error) {
        const waiter = this.waiters.shift()!;
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`malformed reply from port ${this.port}: ${(error as Error).message}; bytes: ${escapeBytes(this.buffer, 300)}`));
        this.buffer = Buffer.alloc(0);
        continue;
      }
      if (end === -1) return;
      const reply = Buffer.from(this.buffer.subarray(0, end));
      this.buffer = this.buffer.subarray(end);
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      waiter.resolve(reply);
    }
  }
}
