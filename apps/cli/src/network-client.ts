import net from "node:net";
import { encodeCommand, ReplyParser, type Reply } from "@kv/protocol";
import { CliError, ConnectionClosedError, type CommandRunner, type SessionOptions } from "./command-runner.js";

export interface ServerAddress {
  host: string;
  port: number;
}

/** What a pending command waits for. */
interface PendingReply {
  command: string;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

/** How long close() waits for the server to close its side. */
const CLOSE_TIMEOUT_MS = 1000;

/*
 * In RESP3 a subscription's confirmations arrive as push replies; they answer these
 * commands. Any other push (a published message, a tracking invalidation) is unsolicited
 * even when it arrives while a reply is awaited.
 */
const subscriptionCommands = new Set(["subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe"]);

/**
 * A minimal RESP client for the CLI: one connection, commands answered in order. It sets
 * the session up as redis-cli does (AUTH, then SELECT, then HELLO) and, like redis-cli in
 * its REPL, reconnects and redoes that set-up when the server closed the connection.
 */
export class NetworkClient implements CommandRunner {
  onUnsolicitedReply: ((reply: Reply) => void) | undefined;
  private socket: net.Socket | undefined;
  private parser = new ReplyParser();
  private readonly pending: PendingReply[] = [];
  private readonly closeWaiters: (() => void)[] = [];
  /** The database to return to after a reconnection: -n, then whatever SELECT chose. */
  private database: number;

  private constructor(
    readonly address: ServerAddress,
    private readonly session: SessionOptions,
  ) {
    this.database = session.database ?? 0;
  }

  /** Connects and sets the session up; rejects with a CliError redis-cli would print the same way. */
  static async connect(address: ServerAddress, session: SessionOptions = {}): Promise<NetworkClient> {
    const client = new NetworkClient(address, session);
    await client.open();
    return client;
  }

  get label(): string {
    return formatAddress(this.address);
  }

  async run(argv: string[]): Promise<Reply> {
    if (this.socket === undefined) await this.open();
    const reply = await this.send(argv);
    if (argv.length === 2 && argv[0]!.toLowerCase() === "select" && reply.type !== "error") this.database = Number(argv[1]);
    return reply;
  }

  /** Resolves once the server has closed the connection (how SUBSCRIBE and MONITOR sessions end). */
  waitForClose(): Promise<void> {
    if (this.socket === undefined) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined) return;
    const closed = this.waitForClose();
    socket.end();
    // The server answers our FIN with its own; one that does not must not keep kv running.
    const timer = setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
    await closed;
    clearTimeout(timer);
  }

  private async open(): Promise<void> {
    const socket = await connectSocket(this.address);
    this.parser = new ReplyParser();
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => this.onClosed(socket, error));
    socket.on("close", () => this.onClosed(socket, undefined));
    try {
      await this.handshake();
    } catch (error) {
      socket.destroy();
      this.onClosed(socket, undefined);
      throw error;
    }
  }

  private async handshake(): Promise<void> {
    const { password, user, protocol } = this.session;
    if (password !== undefined) {
      const reply = await this.send(user === undefined ? ["AUTH", password] : ["AUTH", user, password]);
      if (reply.type === "error") throw new CliError(`AUTH failed: ${reply.value}`);
    }
    if (this.database !== 0) {
      const reply = await this.send(["SELECT", String(this.database)]);
      if (reply.type === "error") throw new CliError(`SELECT ${this.database} failed: ${reply.value}`);
    }
    if (protocol !== undefined) {
      const reply = await this.send(["HELLO", String(protocol)]);
      if (reply.type === "error") throw new CliError(`HELLO ${protocol} failed: ${reply.value}`);
    }
  }

  private send(argv: readonly string[]): Promise<Reply> {
    const socket = this.socket;
    if (socket === undefined) return Promise.reject(new ConnectionClosedError("Server closed the connection"));
    return new Promise((resolve, reject) => {
      this.pending.push({ command: argv[0]?.toLowerCase() ?? "", resolve, reject });
      // Arguments are byte strings; the encoder gets Buffers so no text encoding is guessed.
      socket.write(encodeCommand(argv.map((arg) => Buffer.from(arg, "latin1"))));
    });
  }

  private onData(chunk: Buffer): void {
    let reply: Reply | undefined;
    try {
      this.parser.feed(chunk);
      while ((reply = this.parser.next()) !== undefined) this.dispatch(reply);
    } catch (error) {
      const socket = this.socket;
      socket?.destroy();
      if (socket !== undefined) this.onClosed(socket, undefined, new CliError((error as Error).message));
    }
  }

  private dispatch(reply: Reply): void {
    // An attribute annotates the reply that follows it; redis-cli cannot show them either.
    if (reply.type === "attribute") return;
    const waiter = this.pending[0];
    const answersWaiter = waiter !== undefined && (reply.type !== "push" || subscriptionCommands.has(waiter.command));
    if (answersWaiter) {
      this.pending.shift();
      waiter.resolve(reply);
    } else {
      this.onUnsolicitedReply?.(reply);
    }
  }

  private onClosed(socket: net.Socket, error: NodeJS.ErrnoException | undefined, failure?: Error): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const reason = failure ?? new ConnectionClosedError(error === undefined ? "Server closed the connection" : describeSocketError(error));
    for (const waiter of this.pending.splice(0)) waiter.reject(reason);
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }
}

function connectSocket(address: ServerAddress): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(new CliError(`Could not connect to kv at ${formatAddress(address)}: ${describeSocketError(error)}`));
    });
  });
}

/** redis-cli's spelling of an address: IPv6 in brackets (anetFormatAddr). */
export function formatAddress({ host, port }: ServerAddress): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The strerror() texts redis-cli prints, so messages read the same as with Redis. */
const socketErrorTexts: Record<string, string> = {
  ECONNREFUSED: "Connection refused",
  ECONNRESET: "Connection reset by peer",
  EPIPE: "Broken pipe",
  ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host",
  ENETUNREACH: "Network is unreachable",
  EADDRNOTAVAIL: "Cannot assign requested address",
  ENOTFOUND: "Name or service not known",
  EAI_AGAIN: "Temporary failure in name resolution",
};

function describeSocketError(error: NodeJS.ErrnoException): string {
  return (error.code !== undefined ? socketErrorTexts[error.code] : undefined) ?? error.message;
}
