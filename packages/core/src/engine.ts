import { ClientSession, type ClientKind, type QueuedTransaction } from "./client-session.js";
import { CommandContext } from "./command/command-context.js";
import type { CommandDefinition, CommandSpec } from "./command/command-spec.js";
import { CommandTable } from "./command/command-table.js";
import { NotifyClass, type NotifyClassBit } from "./command/notify.js";
import { ConfigStore } from "./config.js";
import { Errors, sanitizeErrorText, wrongArity } from "./errors.js";
import { cString } from "./util/c-string.js";
import type { Database } from "./keyspace/database.js";
import { Keyspace } from "./keyspace/keyspace.js";
import { ServerStats } from "./server-stats.js";
import { WatchRegistry } from "./transactions/watch-registry.js";

/** Commands that act at once even inside MULTI (Redis's processCommand exemption list). */
const RUN_INSIDE_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/** A shutdown request as SHUTDOWN's arguments describe it. */
export interface ShutdownRequest {
  save: boolean | undefined;
  now: boolean;
  force: boolean;
  abort: boolean;
}

/**
 * What only the process hosting the engine can do or know: the network server, or the CLI
 * working on a data directory directly. Commands reach sockets, persistence and the process
 * through this interface, never directly.
 */
export interface EngineHost {
  clients(): Iterable<ClientSession>;
  /** Closes another client's connection (CLIENT KILL); the caller's own is closed after its reply. */
  killClient(client: ClientSession): void;
  /** Returns an error text, or undefined once the shutdown is under way. */
  shutdown(request: ShutdownRequest): string | undefined;
  /** Starts an AOF rewrite; returns an error text or the status line to reply with. */
  rewriteAof(): { error: string } | { status: string };
  /** DEBUG RELOAD: rewrite the AOF, empty the keyspace and load it back. */
  reloadAof(): string | undefined;
  /** Fields of INFO persistence (Redis's names). */
  persistenceInfo(): [string, string | number][];
  /** Host-specific fields of INFO server (tcp_port, executable, config_file...). */
  serverInfo(): [string, string | number][];
  /** Unix seconds of the last successful save (AOF rewrite). */
  lastSave(): number;
  /** CONFIG REWRITE: returns an error text (with its code), or undefined once written. Absent: no config file. */
  rewriteConfig?(): string | undefined;
}

/** A host with no network and no persistence: unit tests, and a base for others. */
export const detachedHost: EngineHost = {
  clients: () => [],
  killClient: () => undefined,
  shutdown: () => "Errors trying to SHUTDOWN. Check logs.",
  rewriteAof: () => ({ error: "ERR Background append only file rewriting is not available" }),
  reloadAof: () => "Error trying to load the AOF files",
  persistenceInfo: () => [],
  serverInfo: () => [],
  lastSave: () => Math.floor(Date.now() / 1000),
};

export interface EngineOptions {
  /** Every command family to serve (see commands/index.ts for the full set). */
  commands: readonly CommandDefinition[];
  host?: EngineHost;
  /** Called when configuration parameters are defined, before start-up values are applied. */
  defineConfig?: (config: ConfigStore, engine: Engine) => void;
  /** Start-up configuration (command line, config file); may set immutable parameters. */
  startupConfig?: Iterable<[string, string]>;
}

/** The keyspace, the command table and what executes one against the other. */
export class Engine {
  readonly config = new ConfigStore();
  readonly keyspace: Keyspace;
  readonly commands: CommandTable;
  readonly stats = new ServerStats();
  host: EngineHost;
  /** Changes since start (Redis's server.dirty): a command that moved it is propagated. */
  dirty = 0;
  /** Receives every change to log (the AOF); unset while loading, as replayed commands are already logged. */
  propagationSink: ((dbIndex: number, argv: readonly string[]) => void) | undefined;
  /** Receives keyspace notifications that pass `notify-keyspace-events` (pub/sub delivers them). */
  keyspaceEventSink: ((channel: string, message: string) => void) | undefined;
  /** Called with every modified key, after WATCH is told (a hook for client-side caching). */
  keyModifiedListener: ((db: Database, key: string) => void) | undefined;
  readonly watches = new WatchRegistry();
  /**
   * Per-client state other families keep (MULTI queue, WATCHed keys, subscriptions) is dropped
   * through these on RESET, as Redis's clearClientConnectionState does.
   */
  readonly clientResetHooks: ((client: ClientSession) => void)[] = [];
  notifyMask = 0;
  activeExpireEnabled = true;
  loading = false;
  private nextClientId = 1;
  /** Inside EXEC: the first write propagated opens a MULTI in the log, so replay is all or nothing. */
  private execPropagation: "idle" | "pending" | "open" = "idle";
  private readonly contexts = new WeakMap<ClientSession, CommandContext>();
  private loaderClient: ClientSession | undefined;

  constructor(options: EngineOptions) {
    this.host = options.host ?? detachedHost;
    this.commands = new CommandTable(options.commands);
    options.defineConfig?.(this.config, this);
    const databases = Number(this.config.lookup("databases")?.value ?? "16");
    for (const [name, value] of options.startupConfig ?? []) {
      const error = this.config.set(name, value, true);
      if (error !== undefined) throw new Error(error);
    }
    const configured = Number(this.config.lookup("databases")?.value ?? databases);
    this.keyspace = new Keyspace(configured, {
      expired: (db, key) => this.onExpired(db, key),
    });
  }

  /** Whether clients must AUTH first (requirepass set). */
  get authRequired(): boolean {
    const pass = this.config.lookup("requirepass");
    return pass !== undefined && pass.value !== "";
  }

  createClient(kind: ClientKind = "normal"): ClientSession {
    const client = new ClientSession(this.nextClientId++, kind, this.keyspace.db(0), kind !== "normal" || !this.authRequired);
    this.contexts.set(client, new CommandContext(this, client));
    return client;
  }

  contextOf(client: ClientSession): CommandContext {
    const ctx = this.contexts.get(client);
    if (ctx === undefined) throw new Error("client was not created by this engine");
    return ctx;
  }

  /** Executes one command; the reply is written to client.reply. */
  execute(client: ClientSession, argv: readonly string[]): void {
    this.keyspace.commandTime = Date.now();
    const name = argv[0];
    if (name === undefined) return;
    let spec = this.commands.lookup(name);
    if (spec === undefined) {
      this.reject(client, unknownCommandError(argv));
      return;
    }
    if (spec.subcommands !== undefined && argv.length >= 2) {
      const subName = argv[1]!;
      const sub = spec.subcommands.get(subName) ?? spec.subcommands.get(subName.toLowerCase());
      if (sub === undefined) {
        this.reject(client, sanitizeErrorText(`ERR unknown subcommand '${cString(subName).slice(0, 128)}'. Try ${cString(name).toUpperCase()} HELP.`));
        return;
      }
      spec = sub;
    }
    const arity = spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      spec.rejectedCalls++;
      this.reject(client, wrongArity(spec.fullName), spec);
      return;
    }
    if (!client.authenticated && !spec.flags.has("no_auth")) {
      spec.rejectedCalls++;
      this.reject(client, Errors.noAuth, spec);
      return;
    }
    const transaction = client.transaction;
    if (transaction !== undefined && !RUN_INSIDE_MULTI.has(spec.fullName)) {
      if (spec.flags.has("no_multi")) {
        this.reject(client, "ERR Command not allowed inside a transaction");
        return;
      }
      transaction.queue.push({ spec, argv });
      client.reply.simple("QUEUED");
      return;
    }
    this.call(client, spec, argv);
  }

  /**
   * EXEC's body: runs the queued commands, each replying in turn, and logs their writes as
   * one MULTI ... EXEC block (Redis 7 wraps even a single write, so replay is all or nothing).
   */
  execTransaction(client: ClientSession, queue: QueuedTransaction["queue"]): void {
    const outer = this.execPropagation;
    if (outer === "idle") this.execPropagation = "pending";
    try {
      for (const { spec, argv } of queue) this.call(client, spec, argv);
    } finally {
      if (outer === "idle") {
        if (this.execPropagation === "open") this.propagate(client.db.index, ["EXEC"]);
        this.execPropagation = "idle";
      }
    }
  }

  /** A client went away: forget its WATCHes and transaction. */
  releaseClient(client: ClientSession): void {
    this.watches.unwatchAll(client);
    client.transaction = undefined;
  }

  /** Runs a validated command and propagates its effects. */
  call(client: ClientSession, spec: CommandSpec, argv: readonly string[]): void {
    const handler = spec.handler;
    if (handler === undefined) return;
    const ctx = this.contexts.get(client)!;
    ctx.spec = spec;
    ctx.propagateArgv = undefined;
    const dirtyBefore = this.dirty;
    const errorsBefore = this.stats.errorReplies;
    handler(ctx, argv);
    spec.calls++;
    if (this.stats.errorReplies > errorsBefore) spec.failedCalls++; // ">": CONFIG RESETSTAT may zero the counter mid-call
    this.stats.commandsProcessed++;
    client.lastCommand = spec.fullName;
    if (this.dirty !== dirtyBefore && spec.isWrite) this.propagate(client.db.index, ctx.propagateArgv ?? argv);
  }

  propagate(dbIndex: number, argv: readonly string[]): void {
    if (this.loading) return;
    if (this.execPropagation === "pending") {
      this.execPropagation = "open";
      this.propagationSink?.(dbIndex, ["MULTI"]);
    }
    this.propagationSink?.(dbIndex, argv);
  }

  /**
   * A command refused before running; inside MULTI this dooms the transaction (flagTransaction).
   * A refused EXEC itself discards the transaction and says why (Redis's execCommandAbort).
   */
  private reject(client: ClientSession, error: string, spec?: CommandSpec): void {
    this.stats.rejectedCalls++;
    if (spec?.fullName === "exec") {
      this.releaseClient(client);
      client.watchInvalidated = false;
      const reason = error.startsWith("ERR ") ? error.slice(4) : error;
      this.replyError(client, `EXECABORT Transaction discarded because of: ${reason}`);
      return;
    }
    if (client.transaction !== undefined) client.transaction.failed = true;
    this.replyError(client, error);
  }

  /** Error replies go through here so INFO errorstats and failed-call counts stay right. */
  replyError(client: ClientSession, error: string): void {
    this.stats.countError(error);
    client.reply.error(error);
  }

  keyModified(db: Database, key: string): void {
    if (this.watches.size !== 0) this.watches.touch(db, key);
    this.keyModifiedListener?.(db, key);
  }

  notifyKeyspaceEvent(type: NotifyClassBit, event: string, key: string, dbIndex: number): void {
    const mask = this.notifyMask;
    if ((mask & type) === 0 || this.keyspaceEventSink === undefined) return;
    if ((mask & NotifyClass.Keyspace) !== 0) this.keyspaceEventSink(`__keyspace@${dbIndex}__:${key}`, event);
    if ((mask & NotifyClass.Keyevent) !== 0) this.keyspaceEventSink(`__keyevent@${dbIndex}__:${event}`, key);
  }

  private onExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    this.propagate(db.index, ["DEL", key]);
    this.notifyKeyspaceEvent(NotifyClass.Expired, "expired", key, db.index);
    this.keyModified(db, key);
  }

  /**
   * One run of the active expiry cycle (Redis's activeExpireCycle, slow kind): sample keys
   * with a TTL in every database, repeating while more than a quarter of a sample was
   * expired, within a time budget so clients are never stalled for long.
   */
  activeExpireCycle(budgetMs = 25, sampleSize = 20): number {
    if (!this.activeExpireEnabled || this.loading) return 0;
    this.keyspace.commandTime = Date.now();
    const deadline = performance.now() + budgetMs;
    let expired = 0;
    for (const db of this.keyspace.databases) {
      if (db.expiresSize === 0) continue;
      for (;;) {
        const [examined, removed] = db.activeExpireStep(sampleSize);
        expired += removed;
        if (examined === 0 || removed * 4 <= examined || performance.now() > deadline) break;
      }
      if (performance.now() > deadline) break;
    }
    return expired;
  }

  /**
   * Replays one logged command (AOF load): no replies, no propagation, no lazy expiry, as
   * Redis's fake AOF client. Throws on commands that cannot be replayed.
   */
  replay(argv: readonly string[]): void {
    const loader = (this.loaderClient ??= this.createClient("aof-loader"));
    const name = argv[0]?.toLowerCase();
    // Transaction boundaries only group commands; the loader already dropped an unfinished trailing MULTI.
    if (name === "multi" || name === "exec") return;
    const spec = name === undefined ? undefined : this.commands.lookup(name);
    if (spec === undefined) throw new Error(`Unknown command '${argv[0] ?? ""}' reading the append only file`);
    const errorsBefore = this.stats.errorReplies;
    this.execute(loader, argv);
    const output = loader.reply.take();
    if (this.stats.errorReplies !== errorsBefore && output !== undefined) {
      const shown = argv.map((arg) => JSON.stringify(arg.length > 64 ? `${arg.slice(0, 64)}...` : arg)).join(" ");
      throw new Error(`Error replaying ${shown} from the append only file: ${output.toString("latin1").trim()}`);
    }
  }

  /** Runs `fn` with loading semantics (no lazy expiry, no propagation). */
  withLoading<T>(fn: () => T): T {
    this.loading = true;
    this.keyspace.lazyExpiry = false;
    try {
      return fn();
    } finally {
      this.loading = false;
      this.keyspace.lazyExpiry = true;
      if (this.loaderClient !== undefined) this.loaderClient.db = this.keyspace.db(0);
    }
  }
}

/**
 * Redis's text for an unknown command: name and the first ~128 bytes of arguments, quoted.
 * Redis formats them with printf's %s, so each stops at its first NUL byte.
 */
function unknownCommandError(argv: readonly string[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${cString(argv[i]!).slice(0, 128 - args.length)}' `;
  return sanitizeErrorText(`ERR unknown command '${cString(argv[0]!).slice(0, 128)}', with args beginning with: ${args}`);
}
