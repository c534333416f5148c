import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const mainScript = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address() as net.AddressInfo;
      probe.close(() => resolve(address.port));
    });
  });
}

export interface ServerProcessOptions {
  /** The server's working directory (default: the test's). */
  cwd?: string;
  /** The port that tells the server is up, when not the plain one (a TLS-only server's tls-port). */
  readyPort?: number;
  /** A redis.conf-style file, given first as redis-server takes it (CONFIG REWRITE's target). */
  configFile?: string;
}

/** A real kv server process on a free loopback port with its own data directory. */
export class ServerProcess {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  output = "";
  exit: Promise<number | null>;

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.port = port;
    this.dir = dir;
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  static async start(
    extraArgs: string[] = [],
    dir = mkdtempSync(path.join(os.tmpdir(), "kv-server-")),
    options: ServerProcessOptions = {},
  ): Promise<ServerProcess> {
    const port = await freePort();
    const configFile = options.configFile === undefined ? [] : [options.configFile];
    const child = spawn(process.execPath, [mainScript, ...configFile, "--port", String(port), "--dir", dir, ...extraArgs], {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: options.cwd,
    });
    const server = new ServerProcess(port, dir, child);
    await server.waitUntilReady(options.readyPort ?? port);
    return server;
  }

  private async waitUntilReady(port: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`server exited with ${this.child.exitCode}:\n${this.output}`);
      if (await canConnect(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`server did not start:\n${this.output}`);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A raw socket that collects every byte the server sends, for exact-byte assertions. */
export class RawConnection {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  static connect(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Waits until `predicate(received)` holds or the connection closes; throws after the timeout. */
  async waitFor(predicate: (received: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.received.toString("latin1");
      if (predicate(text)) return text;
      if (this.closed) return text;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out; received so far: ${JSON.stringify(text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForLength(length: number): Promise<string> {
    return this.waitFor((text) => text.length >= length);
  }

  async waitForClose(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.closed, timeoutMs);
    if (!this.closed) throw new Error("connection still open");
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function resp(...argv: string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${Buffer.byteLength(arg, "latin1")}\r\n${arg}\r\n`;
  return out;
}

/**
 * Servers and connections a test file opens, so each test can start what it needs and
 * `closeAll` (in afterEach) kills and closes everything, whatever the test left behind.
 */
export class ServerFixture {
  private readonly servers: ServerProcess[] = [];
  private readonly connections: RawConnection[] = [];

  async start(args: string[] = [], dir?: string, options?: ServerProcessOptions): Promise<ServerProcess> {
    const server = await ServerProcess.start(args, dir, options);
    this.servers.push(server);
    return server;
  }

  async connect(server: ServerProcess): Promise<RawConnection> {
    const connection = await RawConnection.connect(server.port);
    this.connections.push(connection);
    return connection;
  }

  async closeAll(): Promise<void> {
    for (const connection of this.connections.splice(0)) connection.close();
    for (const server of this.servers.splice(0)) await server.stop("SIGKILL");
  }
}
