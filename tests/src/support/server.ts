import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "./free-port.js";
import { ManagedProcess, type ProcessExit } from "./managed-process.js";
import { RespConnection, type RespConnectionOptions } from "./resp-connection.js";
import { delay } from "./wait.js";

export type ServerKind = "kv" | "redis";
export type AppendFsyncPolicy = "always" | "everysec" | "no";

export interface ServerConfig {
  appendonly?: boolean;
  appendfsync?: AppendFsyncPolicy;
  requirepass?: string;
  databases?: number;
  /** Flags given only to redis-server (kv rejects options it does not know). */
  redisOnlyArgs?: string[];
  /** How long start-up (including loading the AOF) may take. */
  readyTimeoutMs?: number;
}

export interface StartOptions extends ServerConfig {
  kind: ServerKind;
  /** An existing data directory to use (and not delete); a fresh temp dir otherwise. */
  dir?: string;
  port?: number;
}

export const kvServerBinary =
  process.env.KV_SERVER_BIN ?? fileURLToPath(new URL("../../../apps/server/dist/main.js", import.meta.url));

/**
 * What the suite calls "kv". KV_TARGET=redis runs every test against redis-server instead:
 * the harness's own self-test, since every assertion must hold for real Redis too.
 */
export const kvTargetKind: ServerKind = process.env.KV_TARGET === "redis" ? "redis" : "kv";

export function kvServerAvailable(): boolean {
  return kvTargetKind === "redis" || existsSync(kvServerBinary);
}

function commandLine(options: StartOptions, port: number, dir: string): { command: string; args: string[] } {
  const shared = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
  shared.push("--appendonly", options.appendonly === true ? "yes" : "no");
  if (options.appendfsync !== undefined) shared.push("--appendfsync", options.appendfsync);
  if (options.requirepass !== undefined && options.requirepass !== "") shared.push("--requirepass", options.requirepass);
  if (options.databases !== undefined) shared.push("--databases", String(options.databases));
  if (options.kind === "kv") {
    if (!existsSync(kvServerBinary)) {
      throw new Error(
        `kv server binary not found at ${kvServerBinary}; build it first (pnpm build), ` +
          "or run with KV_TARGET=redis to self-test the harness against redis-server",
      );
    }
    return { command: process.execPath, args: [kvServerBinary, ...shared, "--loglevel", "notice"] };
  }
  return {
    command: "redis-server",
    args: [
      ...shared,
      "--save",
      "",
      "--daemonize",
      "no",
      // DEBUG is off by default in Redis 7; the differential test needs DEBUG RELOAD/SLEEP.
      "--enable-debug-command",
      "local",
      ...(options.redisOnlyArgs ?? []),
    ],
  };
}

function addressInUse(output: string): boolean {
  return /EADDRINUSE|Address already in use/i.test(output);
}

/** A kv or redis-server process on a loopback port with its own data directory. */
export class ServerHandle {
  readonly kind: ServerKind;
  readonly dir: string;
  port = 0;
  /** The current process; replaced on every restart. */
  process!: ManagedProcess;
  config: StartOptions;
  /** Milliseconds from spawn until the server answered PING (AOF load included). */
  startupMs = 0;
  private readonly ownsDir: boolean;
  private readonly connections = new Set<RespConnection>();

  private constructor(options: StartOptions, dir: string, ownsDir: boolean) {
    this.kind = options.kind;
    this.config = options;
    this.dir = dir;
    this.ownsDir = ownsDir;
  }

  static async start(options: StartOptions): Promise<ServerHandle> {
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), `${options.kind}-test-`)));
    const handle = new ServerHandle(options, dir, ownsDir);
    try {
      await handle.launch(options.port);
    } catch (error) {
      if (ownsDir && process.env.KV_TEST_KEEP_DIRS === undefined) await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return handle;
  }

  get aofDir(): string {
    return path.join(this.dir, "appendonlydir");
  }

  get pid(): number {
    return this.process.pid;
  }

  get name(): string {
    return `${this.kind} (port ${this.port}, pid ${this.process.pid}, dir ${this.dir})`;
  }

  logs(): string {
    return this.process.output();
  }

  /** Context for an assertion message: who the server is and what it last logged. */
  describe(lines = 30): string {
    return `${this.name}\n--- last output ---\n${this.process.outputTail(lines)}`;
  }

  async connect(options: RespConnectionOptions = {}): Promise<RespConnection> {
    const connection = await RespConnection.open(this.port, options);
    this.connections.add(connection);
    return connection;
  }

  /** SIGKILL, as a crash or power cut of the process would be (forked children included). */
  async kill(): Promise<ProcessExit> {
    this.dropConnections();
    return this.process.kill();
  }

  /** SIGTERM and wait; SIGKILL after `graceMs`. */
  async stop(graceMs?: number): Promise<ProcessExit> {
    this.dropConnections();
    return this.process.stop(graceMs);
  }

  /** Starts the server again on the same directory (stopping it first if it still runs). */
  async restart(overrides: Partial<ServerConfig> = {}): Promise<void> {
    if (this.process.isRunning) await this.stop();
    this.config = { ...this.config, ...overrides };
    await this.launch(this.port);
  }

  /** Spawns the server without waiting for it to become ready, for tests that expect it to refuse. */
  spawnUnchecked(overrides: Partial<ServerConfig> = {}): ManagedProcess {
    if (this.process.isRunning) throw new Error(`${this.name} is still running`);
    this.config = { ...this.config, ...overrides };
    const { command, args } = commandLine(this.config, this.port, this.dir);
    this.process = new ManagedProcess({ name: this.kind, command, args });
    return this.process;
  }

  async dispose(): Promise<void> {
    await this.stop(5_000);
    if (this.ownsDir && process.env.KV_TEST_KEEP_DIRS === undefined) await rm(this.dir, { recursive: true, force: true });
  }

  private dropConnections(): void {
    for (const connection of this.connections) connection.close();
    this.connections.clear();
  }

  private async launch(requestedPort: number | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const port = requestedPort ?? (await findFreePort());
      const { command, args } = commandLine(this.config, port, this.dir);
      this.port = port;
      this.process = new ManagedProcess({ name: this.kind, command, args });
      const started = Date.now();
      try {
        await this.waitUntilReady(this.config.readyTimeoutMs ?? 30_000);
        this.startupMs = Date.now() - started;
        return;
      } catch (error) {
        await this.process.kill();
        // Another process can take a probed port before the server binds it.
        if (attempt < 3 && requestedPort === undefined && addressInUse(this.process.output())) continue;
        throw error;
      }
    }
  }

  /**
   * Ready means PING gets an answer other than -LOADING: Redis accepts connections while it
   * is still replaying the AOF, so an open port alone would make tests race the load.
   */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = "no attempt yet";
    while (Date.now() < deadline) {
      if (!this.process.isRunning) {
        const exit = this.process.exit!;
        throw new Error(
          `${this.kind} exited during start-up (code ${exit.code}, signal ${exit.signal})\n` +
            `command: ${this.process.child.spawnargs.join(" ")}\n--- output ---\n${this.process.outputTail(60)}`,
        );
      }
      let connection: RespConnection | undefined;
      try {
        connection = await RespConnection.open(this.port, { connectTimeoutMs: 1_000, replyTimeoutMs: 2_000 });
        const reply = (await connection.call(["PING"])).toString("latin1");
        if (!reply.startsWith("-LOADING")) return;
        lastProblem = reply.trim();
      } catch (error) {
        lastProblem = (error as Error).message;
      } finally {
        connection?.close();
      }
      await delay(20);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (${lastProblem})\n--- output ---\n${this.process.outputTail(60)}`);
  }
}

export function startKv(config: ServerConfig & { dir?: string; port?: number } = {}): Promise<ServerHandle> {
  return ServerHandle.start({ ...config, kind: kvTargetKind });
}

export function startRedis(config: ServerConfig & { dir?: string; port?: number } = {}): Promise<ServerHandle> {
  return ServerHandle.start({ ...config, kind: "redis" });
}
