import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { ProtocolError } from "@kv/protocol";
import { parseOutputBufferLimits, type ClientSession, type Engine, type EngineHost, type OutputBufferLimits, type ShutdownRequest } from "@kv/core";
import { PersistentEngine, type AofLogger, type PersistentEngineOptions } from "@kv/aof";
import { Connection } from "./connection.js";
import { protectedModeRefusal } from "./protected-mode.js";
import { clientCertificateRefusal, tlsServerOptions } from "./tls-settings.js";
import type { Logger } from "./logger.js";

export interface KvServerOptions {
  parameters: [string, string][];
  configFile: string | undefined;
  /** Where relative paths (dir) are resolved: the directory the user ran the command from. */
  cwd: string;
  logger: Logger;
  /** Called once the server has shut down (the CLI entry point exits the process here). */
  onShutdown?: (code: number) => void;
  /** Passed to the AOF: in-process tests inject a file layer whose writes or fsyncs fail. */
  aofOptions?: PersistentEngineOptions["aofOptions"];
}

const CRON_INTERVAL_MS = 100;
const MAX_CLIENTS_REACHED = "-ERR max number of clients reached\r\n";
interface InputLimits {
  readonly queryBufferText: string;
  readonly maxBulkText: string;
  readonly queryBuffer: number;
  readonly maxBulkLength: number;
}

/** PROTO_IOBUF_LEN: the most Redis reads from a client at once (outside a big argument). */
const REDIS_READ_LENGTH = 16 * 1024;

/**
 * The network server: accepts clients, feeds their requests to the engine, writes the AOF
 * once per event-loop turn before any reply leaves (so an acknowledged write survives a
 * process crash), and with `appendfsync always` holds replies to writes until the fsync that
 * covers them completes — one fsync shared by every client of that turn (group commit).
 */
export class KvServer implements EngineHost {
  readonly logger: Logger;
  readonly dir: string;
  private readonly options: KvServerOptions;
  private readonly onShutdown: (code: number) => void;
  private readonly connections = new Map<ClientSession, Connection>();
  /**
   * Connections with output to send at the end of this turn (Connection.flushPending marks
   * the live entries; a dropped one stays listed but unmarked). An array reused from turn to
   * turn: a Set allocated a new table at each clear() and an iterator at each flush.
   */
  private readonly pendingFlush: (Connection | undefined)[] = [];
  private pendingFlushCount = 0;
  private flushScheduled = false;
  private netServer: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  private store: PersistentEngine | undefined;
  private cronTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly flushCallback = (): void => this.flushOutput();
  /** Log position replies are held for after a failed AOF write (0: none held for that). */
  private heldUntilWritten = 0;
  /** Connections unblocked with requests still buffered: their pipelines resume on the next turn. */
  private readonly resumable = new Set<Connection>();
  private blockTimer: NodeJS.Timeout | undefined;
  private blockTimerAt = 0;
  /** The blocking registry's change count when the timer was last armed (deadlines are rescanned only after a change). */
  private blockTimerChanges = -1;
  /** client-output-buffer-limit parsed once per change of its text, not on every flush. */
  private outputLimitsText = "";
  private outputLimits: OutputBufferLimits = parseOutputBufferLimits("");
  private cachedInputLimits: InputLimits = { queryBufferText: "", maxBulkText: "", queryBuffer: 0, maxBulkLength: 0 };

  constructor(options: KvServerOptions) {
    this.options = options;
    this.logger = options.logger;
    this.onShutdown = options.onShutdown ?? ((code) => process.exit(code));
    const dirParameter = [...options.parameters].reverse().find(([name]) => name === "dir")?.[1] ?? "./data";
    this.dir = path.resolve(options.cwd, dirParameter);
  }

  get engine(): Engine {
    if (this.store === undefined) throw new Error("server not started");
    return this.store.engine;
  }

  get port(): number {
    const address = this.netServer?.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  async start(): Promise<void> {
    // aclfile, like dir, is relative to where the user ran the command.
    const parameters: [string, string][] = [
      ...this.options.parameters.map(([name, value]): [string, string] => (name === "aclfile" && value !== "" ? [name, path.resolve(this.options.cwd, value)] : [name, value])),
      ["dir", this.dir],
    ];
    const configured = new Map(parameters);
    const port = Number(configured.get("port") ?? "9999");
    const bind = (configured.get("bind") ?? "127.0.0.1").split(/\s+/)[0] ?? "127.0.0.1";
    const aofLogger: AofLogger = {
      notice: (message) => this.logger.info(message),
      warning: (message) => this.logger.warn(message),
    };
    const store = new PersistentEngine({
      dir: this.dir,
      parameters,
      host: this,
      logger: aofLogger,
      endpoint: { host: bind, port },
      ...(this.options.aofOptions === undefined ? {} : { aofOptions: this.options.aofOptions }),
    });
    this.store = store;
    // As in Redis, `port 0` turns the plain listener off (a TLS-only server with tls-port).
    const tlsPort = Number(store.engine.config.get("tls-port"));
    try {
      if (port === 0 && tlsPort === 0) throw new Error("Configured to not listen anywhere, exiting.");
      // TLS first: settings it refuses stop start-up before anything listens, and once the
      // plain port answers (what scripts wait for) the TLS port does too.
      if (tlsPort !== 0) this.tlsServer = await this.listen(this.createTlsServer(), bind, tlsPort);
      if (port !== 0) this.netServer = await this.listen(net.createServer({ noDelay: true }, (socket) => this.accept(socket)), bind, port);
    } catch (error) {
      this.tlsServer?.close();
      store.close();
      throw error;
    }
    this.cronTimer = setInterval(() => this.cron(), CRON_INTERVAL_MS);
    this.logger.info({ port: this.port, tlsPort, bind, dir: this.dir, keys: store.engine.keyspace.totalKeys() }, "Ready to accept connections tcp");
  }

  private listen<T extends net.Server>(server: T, bind: string, port: number): Promise<T> {
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, bind, () => {
        server.off("error", reject);
        server.on("error", (error) => this.logger.error({ err: error }, "server socket error"));
        resolve(server);
      });
    });
  }

  /**
   * The tls-port listener. Once the handshake is done and the client's certificate passes
   * tls-auth-clients, the TLS socket takes the plain accept path: same Connection, same
   * onData, so the plain port pays nothing for TLS.
   */
  private createTlsServer(): tls.Server {
    const config = this.engine.config;
    const options = tlsServerOptions((name) => config.get(name), this.options.cwd);
    const server = tls.createServer({ ...options, noDelay: true }, (socket) => {
      const refusal = clientCertificateRefusal(socket, config.get("tls-auth-clients"));
      if (refusal === undefined) {
        this.accept(socket);
        return;
      }
      this.logger.debug({ client: `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`, reason: refusal }, "Error accepting a client connection");
      socket.destroy();
    });
    server.on("tlsClientError", (error, socket) => {
      this.logger.debug({ client: `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`, reason: error.message }, "Error accepting a client connection");
      socket.destroy();
    });
    return server;
  }

  private accept(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    // Like Redis, admission is checked before a client exists: the refused socket gets the
    // error and is closed without ever reaching the engine.
    if (this.connections.size >= Number(this.engine.config.get("maxclients"))) {
      this.engine.stats.rejectedConnections++;
      socket.on("error", () => socket.destroy());
      socket.end(MAX_CLIENTS_REACHED);
      return;
    }
    const refusal = protectedModeRefusal(socket.remoteAddress, this.engine.config.get("protected-mode") === "yes", this.engine.authRequired);
    if (refusal !== undefined) {
      this.engine.stats.rejectedConnections++;
      socket.on("error", () => socket.destroy());
      socket.end(refusal);
      return;
    }
    const client = this.engine.createClient("normal");
    const connection = new Connection(socket, client, Number(this.engine.config.get("proto-max-bulk-len")));
    client.remoteAddress = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`;
    client.localAddress = `${socket.localAddress ?? "?"}:${socket.localPort ?? 0}`;
    client.bufferStats = () => ({ queryBuffer: connection.parser.bufferedBytes, outputBuffer: socket.writableLength + connection.heldBytes() });
    this.connections.set(client, connection);
    this.engine.stats.connectionsReceived++;
    socket.on("data", (chunk: Buffer) => this.onData(connection, chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.engine.releaseClient(client);
      this.connections.delete(client);
      connection.flushPending = false;
    });
  }

  private onData(connection: Connection, chunk: Buffer): void {
    if (connection.closing) return;
    this.engine.stats.netInputBytes += chunk.length;
    connection.client.lastInteraction = Date.now();
    const parser = connection.parser;
    const limits = this.inputLimits();
    parser.maxBulkLength = limits.maxBulkLength;
    if (parser.bufferedBytes + chunk.length > limits.queryBuffer) {
      this.feedAsRedisReads(connection, chunk, limits.queryBuffer);
      return;
    }
    parser.feed(chunk);
    // A blocked client's further requests wait in its buffer, as in Redis's query buffer.
    if (connection.client.blocked === undefined) this.processInput(connection);
  }

  /** client-query-buffer-limit and proto-max-bulk-len, parsed again only when CONFIG SET changed their text. */
  private inputLimits(): InputLimits {
    const config = this.engine.config;
    const queryBufferText = config.get("client-query-buffer-limit");
    const maxBulkText = config.get("proto-max-bulk-len");
    let limits = this.cachedInputLimits;
    if (limits.queryBufferText !== queryBufferText || limits.maxBulkText !== maxBulkText) {
      limits = { queryBufferText, maxBulkText, queryBuffer: Number(queryBufferText), maxBulkLength: Number(maxBulkText) };
      this.cachedInputLimits = limits;
    }
    return limits;
  }

  /**
   * client-query-buffer-limit, measured before parsing as Redis's readQueryFromClient does:
   * unparsed bytes plus the bytes just read may not pass the limit, and such a client is
   * freed without a reply. Redis reads at most 16 KB at a time (or the rest of a big argument
   * in progress) and serves complete requests between reads, whereas Node hands over up to
   * 64 KB; so when a chunk would cross the limit it is replayed as Redis's reads would have
   * come, and a pipeline of complete requests is only refused where Redis refuses it too.
   */
  private feedAsRedisReads(connection: Connection, chunk: Buffer, limit: number): void {
    const parser = connection.parser;
    const client = connection.client;
    for (let offset = 0; offset < chunk.length; ) {
      const readLength = parser.bigArgumentMissing > 0 ? parser.bigArgumentMissing : REDIS_READ_LENGTH;
      const read = chunk.subarray(offset, offset + readLength);
      offset += read.length;
      if (parser.bufferedBytes + read.length > limit) {
        this.logger.warn({ client: client.remoteAddress, qbuf: parser.bufferedBytes + read.length }, "Closing client that reached max query buffer length");
        this.dropConnection(connection);
        return;
      }
      parser.feed(read);
      if (client.blocked === undefined) this.processInput(connection);
      if (client.closeAfterReply || this.shuttingDown) return;
    }
  }

  /**
   * client-output-buffer-limit, checked whenever output was queued (Redis checks on every
   * reply it appends): pending output is what the socket has not written yet plus what is
   * held for an fsync. Past the hard limit, or past the soft limit for longer than its
   * seconds, the client is dropped with its output rather than letting the buffer grow.
   */
  private enforceOutputBufferLimit(connection: Connection): void {
    const config = this.engine.config.get("client-output-buffer-limit");
    if (config !== this.outputLimitsText) {
      this.outputLimitsText = config;
      this.outputLimits = parseOutputBufferLimits(config);
    }
    const limit = this.engine.pubsub.isSubscriber(connection.client) ? this.outputLimits.pubsub : this.outputLimits.normal;
    if (limit.hardBytes === 0 && limit.softBytes === 0) return;
    const pending = connection.socket.writableLength + connection.heldBytes();
    const now = Date.now();
    let exceeded = limit.hardBytes !== 0 && pending >= limit.hardBytes;
    if (limit.softBytes !== 0 && pending >= limit.softBytes) {
      // checkClientOutputBufferLimits: the first time over the soft limit only starts the clock.
      if (connection.softLimitReachedAt === 0) connection.softLimitReachedAt = now;
      else if (now - connection.softLimitReachedAt > limit.softSeconds * 1000) exceeded = true;
    } else {
      connection.softLimitReachedAt = 0;
    }
    if (!exceeded) return;
    this.logger.warn({ client: connection.client.remoteAddress, omem: pending }, "Client scheduled to be closed ASAP for overcoming of output buffer limits.");
    this.dropConnection(connection);
  }

  /** Closes at once, discarding queued output (Redis's freeClient); the socket's close event releases the client. */
  private dropConnection(connection: Connection): void {
    connection.closing = true;
    connection.flushPending = false;
    this.resumable.delete(connection);
    connection.socket.destroy();
  }

  /** Runs the complete requests buffered for a connection, stopping when its client blocks. */
  private processInput(connection: Connection): void {
    const engine = this.engine;
    const client = connection.client;
    const parser = connection.parser;
    const dirtyBefore = engine.dirty;
    try {
      for (;;) {
        parser.authenticated = client.authenticated || !engine.authRequired;
        const argv = parser.next();
        if (argv === undefined) break;
        engine.execute(client, argv);
        if (client.closeAfterReply || this.shuttingDown || client.blocked !== undefined) break;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // Like Redis: report the protocol error, then close once the reply is out.
      engine.replyError(client, `ERR ${error.message}`);
      client.closeAfterReply = true;
      this.logger.debug({ client: client.remoteAddress, reason: error.message }, "protocol error");
    }
    if (engine.dirty !== dirtyBefore) connection.wrote = true;
    this.scheduleFlush(connection);
  }

  private scheduleFlush(connection: Connection): void {
    if (!connection.flushPending) {
      connection.flushPending = true;
      this.pendingFlush[this.pendingFlushCount++] = connection;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushCallback);
    }
  }

  /**
   * Redis's beforeSleep: once per event-loop turn, after every readable socket was served,
   * write the AOF, then send replies (or hold those that wait for an fsync).
   */
  private flushOutput(): void {
    this.flushScheduled = false;
    if (this.resumable.size !== 0) this.resumePipelines();
    const store = this.store!;
    // A failed write(2) (disk full, EIO) leaves this turn's commands pending in the AOF buffer;
    // their replies are held until a retry writes them: nothing is acknowledged that is not in
    // the file, and the server goes on serving reads (Redis would reply, or exit under `always`).
    const logPosition = store.tryFlush();
    const unwritten = logPosition > store.writtenSeq;
    if (this.heldUntilWritten !== 0) this.releaseWritten();
    const mustSync = store.mustSyncBeforeReply;
    let holding = false;
    let sent = 0;
    const pending = this.pendingFlush;
    // Entries added while this loop runs are served by it too, as a Set's iteration would.
    for (let i = 0; i < this.pendingFlushCount; i++) {
      const connection = pending[i]!;
      pending[i] = undefined;
      if (!connection.flushPending) continue;
      connection.flushPending = false;
      const output = connection.client.reply.take();
      const hold = (mustSync || unwritten) && connection.wrote;
      connection.wrote = false;
      if (output !== undefined) {
        sent += connection.send(output, hold ? logPosition : 0);
        holding ||= connection.hasHeldOutput;
        this.enforceOutputBufferLimit(connection);
      }
      if (connection.client.closeAfterReply && !connection.socket.destroyed) connection.closeAfterOutput();
    }
    this.pendingFlushCount = 0;
    this.engine.stats.netOutputBytes += sent;
    this.armBlockTimer();
    if (!holding) return;
    if (mustSync) this.releaseWhenSynced(logPosition);
    else this.heldUntilWritten = Math.max(this.heldUntilWritten, logPosition);
  }

  private releaseWhenSynced(position: number): void {
    this.store!.whenSynced(position).then(
      () => this.releaseHeld(position),
      (error: unknown) => this.logger.error({ err: error }, "fsync of the append only file failed"),
    );
  }

  /** Replies held for a failed write go out once a retry has written their commands. */
  private releaseWritten(): void {
    const store = this.store!;
    const position = this.heldUntilWritten;
    if (store.writtenSeq < position) return;
    this.heldUntilWritten = 0;
    if (store.mustSyncBeforeReply) this.releaseWhenSynced(position);
    else this.releaseHeld(position);
  }

  /** Unblocked clients run what they pipelined behind the blocking command, before this turn's output. */
  private resumePipelines(): void {
    const connections = [...this.resumable];
    this.resumable.clear();
    for (const connection of connections) {
      if (connection.closing || connection.socket.destroyed || connection.client.blocked !== undefined) continue;
      this.processInput(connection);
    }
  }

  /** One timer for the earliest blocked-client deadline (Redis checks its timeout table every turn). */
  private armBlockTimer(): void {
    const blocking = this.engine.blocking;
    if (blocking.changes === this.blockTimerChanges) return;
    this.blockTimerChanges = blocking.changes;
    const deadline = blocking.nextDeadline();
    if (deadline === undefined) {
      if (this.blockTimer !== undefined) clearTimeout(this.blockTimer);
      this.blockTimer = undefined;
      return;
    }
    if (this.blockTimer !== undefined && this.blockTimerAt <= deadline) return;
    if (this.blockTimer !== undefined) clearTimeout(this.blockTimer);
    this.blockTimerAt = deadline;
    this.blockTimer = setTimeout(() => {
      this.blockTimer = undefined;
      this.engine.expireBlockedClients(Date.now());
      this.blockTimerChanges = -1;
      this.armBlockTimer();
    }, Math.max(0, deadline - Date.now()));
  }

  private releaseHeld(syncedUpTo: number): void {
    let sent = 0;
    for (const connection of this.connections.values()) if (connection.hasHeldOutput) sent += connection.release(syncedUpTo);
    this.engine.stats.netOutputBytes += sent;
  }

  /** Periodic work (Redis's serverCron at hz 10): idle clients, active expiry and the auto-rewrite check. */
  private cron(): void {
    const store = this.store!;
    this.closeIdleClients();
    // Redis retries a failed AOF write from serverCron; here also a failed fsync, at hz 10.
    if (store.diskError !== undefined) store.retryAfterError();
    if (this.heldUntilWritten !== 0) this.releaseWritten();
    const expired = this.engine.activeExpireCycle();
    // No automatic rewrite while the disk fails: its own writes would fail too, every tick.
    if (store.rewriteScheduled && !store.rewriteInProgress) {
      store.rewriteScheduled = false;
      this.startRewrite();
    } else if (store.diskError === undefined && store.shouldAutoRewrite()) {
      this.logger.info("Starting automatic rewriting of AOF");
      this.startRewrite();
    }
    // The DELs the cycle propagated are written like any command's, in a flush.
    if (expired > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushCallback);
    }
  }

  /**
   * `timeout`: a client idle (nothing read or written) for more than that many seconds is
   * closed. Like Redis, clients blocked in BLPOP & co. and pub/sub subscribers are exempt:
   * waiting is what they are there for.
   */
  private closeIdleClients(): void {
    const timeoutSeconds = Number(this.engine.config.get("timeout"));
    if (timeoutSeconds === 0) return;
    const idleBefore = Date.now() - timeoutSeconds * 1000;
    for (const connection of this.connections.values()) {
      const client = connection.client;
      if (client.lastInteraction >= idleBefore || client.blocked !== undefined || this.engine.pubsub.isSubscriber(client)) continue;
      this.logger.debug({ client: client.remoteAddress }, "Closing idle client");
      this.dropConnection(connection);
    }
  }

  private startRewrite(): void {
    const started = Date.now();
    // The AOF logs the outcome in Redis's words; a second line here only repeated it.
    this.store!.rewrite().then(
      () => this.logger.debug({ ms: Date.now() - started }, "AOF rewrite duration"),
      () => {},
    );
  }

  // ---- EngineHost -------------------------------------------------------------------

  clients(): Iterable<ClientSession> {
    return this.connections.keys();
  }

  clientReady(client: ClientSession, afterWrite: boolean): void {
    const connection = this.connections.get(client);
    if (connection === undefined) return;
    if (afterWrite) connection.wrote = true;
    if (client.blocked === undefined && connection.parser.bufferedBytes > 0) this.resumable.add(connection);
    this.scheduleFlush(connection);
  }

  killClient(client: ClientSession): void {
    const connection = this.connections.get(client);
    if (connection === undefined) return;
    connection.closeAfterOutput();
    connection.socket.destroySoon();
  }

  shutdown(request: ShutdownRequest): string | undefined {
    if (request.abort) return "ERR There is no shutdown in progress.";
    setImmediate(() => void this.stop("SHUTDOWN"));
    return undefined;
  }

  rewriteAof(): { error: string } | { status: string } {
    const store = this.store!;
    if (store.rewriteInProgress) return { error: "ERR Background append only file rewriting already in progress" };
    if (this.engine.executingTransaction) {
      store.rewriteScheduled = true; // started by the cron, as in Redis 7.0

      return { status: "Background append only file rewriting scheduled" };
    }
    this.startRewrite();
    return { status: "Background append only file rewriting started" };
  }

  pauseAofRewrite(step: string): string | undefined {
    return this.store!.pauseRewriteAt(step);
  }

  reloadAof(): string | undefined {
    try {
      this.store!.reload();
      return undefined;
    } catch (error) {
      return `ERR Error trying to load the AOF files: ${(error as Error).message}`;
    }
  }

  diskWriteError(): string | undefined {
    const text = this.store?.diskError;
    return text === undefined ? undefined : `MISCONF Errors writing to the AOF file: ${text}`;
  }

  /** The AOF's fields; INFO fills in the rest of the section with Redis's defaults. */
  persistenceInfo(): [string, string | number][] {
    return this.store!.info();
  }

  serverInfo(): [string, string | number][] {
    return [
      ["tcp_port", this.port],
      ["executable", process.argv[1] ?? ""],
      ["config_file", this.options.configFile ?? ""],
      ["os", `${os.type()} ${os.release()} ${os.arch()}`],
    ];
  }

  lastSave(): number {
    return this.store?.lastRewriteTime ?? Math.floor(Date.now() / 1000);
  }

  /** Graceful stop: no new clients, AOF flushed and fsync'ed, lock released. */
  async stop(reason: string): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.logger.info({ reason }, "User requested shutdown...");
    clearInterval(this.cronTimer);
    if (this.blockTimer !== undefined) clearTimeout(this.blockTimer);
    this.netServer?.close();
    this.tlsServer?.close();
    try {
      this.flushOutput();
      this.logger.info("Calling fsync() on the AOF file.");
      this.store?.close();
    } catch (error) {
      this.logger.error({ err: error }, "Error flushing the append only file on shutdown");
    }
    for (const connection of this.connections.values()) connection.socket.destroy();
    this.logger.info("kv is now ready to exit, bye bye...");
    await new Promise((resolve) => setImmediate(resolve));
    this.onShutdown(0);
  }
}
