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
import { PubSubRegistry, subscriberModeError } from "./pubsub/pubsub-registry.js";
import { BlockingRegistry, type BlockedOnType } from "./blocking/blocking-registry.js";
import type { TypedValue } from "./keyspace/stored-value.js";
import { WatchRegistry } from "./transactions/watch-registry.js";
import { AccessControl } from "./acl/access-control.js";
import { MaxMemory, OOM_ERROR } from "./eviction/max-memory.js";

/** Commands that act at once even inside MULTI (Redis's processCommand exemption list). */
const RUN_INSIDE_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/**
 * Commands Redis 7.0 flags CMD_TOUCHES_ARBITRARY_KEYS: the DELs of expired keys they meet are
 * logged one by one, like the active expiry cycle's, not wrapped in MULTI/EXEC.
 */
const TOUCHES_ARBITRARY_KEYS = new Set(["keys", "scan", "randomkey"]);

/** Past this many entries in one unit (SPOP of many, say), the pending arrays are released. */
const PENDING_KEEP_MAX = 1024;
const NO_ARGV: readonly string[] = [];

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
  /**
   * While the host cannot persist writes (a failed AOF write or fsync), the error to refuse
   * write commands and PING with, e.g. "MISCONF Errors writing to the AOF file: No space left
   * on device"; undefined otherwise. Called once per write command, so it must be cheap.
   */
  diskWriteError?(): string | undefined;
  /**
   * Another client than the one being served got output (a blocked pop served, a timeout, a
   * pub/sub message) or may resume reading its pipeline. `afterWrite`: the output is the
   * result of a write, so under `appendfsync always` it waits for the fsync like any write's.
   */
  clientReady?(client: ClientSession, afterWrite: boolean): void;
  /** DEBUG AOF-REWRITE-PAUSE: stop rewrites after a step ("none" to run through); returns an error text. */
  pauseAofRewrite?(step: string): string | undefined;
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
  /** Users and permissions; created first, as configuration (requirepass) applies to it. */
  readonly acl: AccessControl = new AccessControl(this);
  readonly config = new ConfigStore();
  readonly keyspace: Keyspace;
  readonly commands: CommandTable;
  readonly stats = new ServerStats();
  host: EngineHost;
  /** Changes since start (Redis's server.dirty): a command that moved it is propagated. */
  dirty = 0;
  /** Receives every change to log (the AOF); unset while loading, as replayed commands are already logged. */
  propagationSink: ((dbIndex: number, argv: readonly string[]) => void) | undefined;
  /** Subscriptions and message delivery; a message to another client is sent through host.clientReady. */
  readonly pubsub = new PubSubRegistry((client, afterWrite) => this.host.clientReady?.(client, afterWrite));
  /** Receives keyspace notifications that pass `notify-keyspace-events` (pub/sub delivers them). */
  keyspaceEventSink: ((channel: string, message: string) => void) | undefined = (channel, message) => {
    // Replayed commands notify nobody: kv's DEBUG RELOAD replays the AOF where Redis loads
    // an RDB, which fires no events.
    if (!this.loading) this.pubsub.publish(channel, message, true);
  };
  /** Called with every modified key, after WATCH is told (a hook for client-side caching). */
  keyModifiedListener: ((db: Database, key: string) => void) | undefined;
  readonly watches = new WatchRegistry();
  readonly blocking = new BlockingRegistry();
  /** maxmemory, eviction and the LRU/LFU access data (created before config, whose hooks reach it). */
  readonly maxMemory = new MaxMemory(this);
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
  /** EXEC nesting: a blocking command inside a transaction cannot block (Redis's CLIENT_DENY_BLOCKING). */
  private execDepth = 0;
  /** The blocked client whose command is being re-run because a key it waits on became ready. */
  private retryingClient: ClientSession | undefined;
  /** Set when the re-run command found nothing again and asked to keep waiting. */
  private retryStillBlocked = false;
  private retryingKey: string | undefined;
  /** Inside a top-level call: what it propagates is held in pendingDbs/pendingArgvs until it ends. */
  private inCall = false;
  private outermostCommand = "";
  private readonly pendingDbs: number[] = [];
  private readonly pendingArgvs: (readonly string[])[] = [];
  /**
   * Entries used in pendingDbs/pendingArgvs. The arrays are not truncated between commands:
   * `length = 0` drops their backing stores, and every write then allocated two new ones.
   */
  private pendingCount = 0;

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
      typedValueStored: (db, key, value) => this.onTypedValueStored(db, key, value),
    });
    // Like Redis's ACLLoadUsersAtStartup: after every other parameter (requirepass,
    // acl-pubsub-default), and a bad file stops the start.
    if (this.acl.filename !== "") {
      const error = this.acl.load(undefined);
      if (error !== undefined) throw new Error(`Aborting startup because of ACL errors: ${error}`);
    }
  }

  /** Whether clients must AUTH first: the default user has a password (requirepass) or is off. */
  get authRequired(): boolean {
    return this.acl.authRequired;
  }

  createClient(kind: ClientKind = "normal"): ClientSession {
    const client = new ClientSession(this.nextClientId++, kind, this.keyspace.db(0), kind !== "normal" || !this.authRequired);
    client.aclUser = this.acl.defaultUser;
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
    // Redis's authRequired(c): a client that never authenticated may run commands while the
    // default user is "on" and "nopass".
    if (!client.authenticated && !spec.flags.has("no_auth") && this.acl.authRequired) {
      spec.rejectedCalls++;
      this.reject(client, Errors.noAuth, spec);
      return;
    }
    // One branch for a user allowed everything (the default user, normally).
    if (!client.aclUser.unrestricted) {
      const denied = this.acl.deniedCommand(client, spec, argv);
      if (denied !== undefined) {
        spec.rejectedCalls++;
        this.reject(client, denied, spec);
        return;
      }
    }
    // Redis's processCommand: evict before anything else refuses the command; out of memory,
    // denyoom commands (and anything queued in MULTI) are refused. Skipped while loading.
    if (this.maxMemory.limit !== 0 && !this.loading && !this.maxMemory.admits(client, spec)) {
      spec.rejectedCalls++;
      this.reject(client, OOM_ERROR, spec);
      return;
    }
    // Redis's writeCommandsDeniedByDiskError: ahead of the subscriber-mode check, and PING too,
    // so a client learns of the failing disk at once; EXEC only when it would write.
    if ((spec.isWrite || spec.fullName === "ping" || spec.fullName === "exec") && client.kind !== "aof-loader") {
      const diskError = this.host.diskWriteError?.();
      if (diskError !== undefined && (spec.fullName !== "exec" || transactionWrites(client))) {
        spec.rejectedCalls++;
        this.reject(client, diskError, spec);
        return;
      }
    }
    if (this.pubsub.subscriberCount !== 0 && this.pubsub.refuses(client, spec.fullName)) {
      spec.rejectedCalls++;
      this.reject(client, subscriberModeError(spec.fullName), spec);
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
    if (this.blocking.hasReadyKeys) this.serveBlockedClients();
  }

  /**
   * EXEC's body: runs the queued commands, each replying in turn, and logs their writes as
   * one MULTI ... EXEC block (Redis 7 wraps even a single write, so replay is all or nothing).
   */
  execTransaction(client: ClientSession, queue: QueuedTransaction["queue"]): void {
    const outer = this.execPropagation;
    if (outer === "idle") this.execPropagation = "pending";
    this.execDepth++;
    try {
      for (const { spec, argv } of queue) {
        // Permissions may have changed since the command was queued (Redis re-checks at EXEC).
        const denied = client.aclUser.unrestricted ? undefined : this.acl.deniedAtExec(client, spec, argv);
        if (denied === undefined) this.call(client, spec, argv);
        else this.replyError(client, denied);
      }
    } finally {
      this.execDepth--;
      if (outer === "idle") {
        if (this.execPropagation === "open") this.propagate(client.db.index, ["EXEC"]);
        this.execPropagation = "idle";
      }
    }
  }

  /** A client went away (or RESET): forget its WATCHes, transaction and subscriptions. */
  releaseClient(client: ClientSession): void {
    this.blocking.remove(client);
    this.watches.unwatchAll(client);
    client.transaction = undefined;
    this.pubsub.removeClient(client);
  }

  /** Inside EXEC, where commands may not block (Redis's CLIENT_DENY_BLOCKING during a transaction). */
  get executingTransaction(): boolean {
    return this.execDepth > 0;
  }

  // ---- Blocking commands (Redis's blocked.c) -----------------------------------------

  /**
   * A blocking command found nothing to serve: park the client on `keys` until one is ready
   * or `deadline` (unix ms, 0 = never) passes. Where blocking is not allowed (inside EXEC,
   * the AOF loader) the command answers at once as if it had timed out, as Redis does.
   */
  blockClient(
    client: ClientSession,
    keys: readonly string[],
    type: BlockedOnType,
    deadline: number,
    argv: readonly string[],
    deniedReply: "nullArray" | "nullBulk",
  ): void {
    if (this.retryingClient === client) {
      this.retryStillBlocked = true;
      return;
    }
    // The AOF loader and the CLI's embedded client have no one who could ever serve them.
    if (this.execDepth > 0 || client.kind !== "normal") {
      if (deniedReply === "nullBulk") client.reply.nullBulk();
      else client.reply.nullArray();
      return;
    }
    const spec = this.contexts.get(client)!.spec;
    this.blocking.add(client, { db: client.db, keys, type, deadline, spec, argv });
  }

  get retrying(): boolean {
    return this.retryingClient !== undefined;
  }

  /** The ready key a re-run blocked command must serve from (Redis 7.0 serves the key that became ready). */
  get retryKey(): string | undefined {
    return this.retryingKey;
  }

  /**
   * Redis's handleClientsBlockedOnKeys: for each key made ready by the last command, re-run
   * the commands of the clients waiting on it, oldest first, while the key still holds a
   * value of the awaited type. Serving one may make other keys ready (BLMOVE pushes), which
   * are served in the same loop.
   */
  serveBlockedClients(): void {
    while (this.blocking.hasReadyKeys) {
      for (const [db, key] of this.blocking.takeReadyKeys()) {
        for (const waiter of this.blocking.waitersOf(db, key)) {
          const state = waiter.blocked;
          if (state === undefined) continue;
          const value = db.get(key);
          const matches = value !== undefined && typeof value !== "string" && value.type === state.type;
          // A stream reader is re-run even when its key went away: XREADGROUP then answers
          // that the stream or group no longer exists, XREAD keeps waiting (Redis 7.0).
          if (matches || state.type === "stream") this.retryBlocked(waiter, key);
        }
      }
    }
  }

  private retryBlocked(client: ClientSession, key: string): void {
    const state = client.blocked!;
    this.retryingClient = client;
    this.retryingKey = key;
    this.retryStillBlocked = false;
    this.keyspace.commandTime = Date.now();
    try {
      this.call(client, state.spec, state.argv, false);
    } finally {
      this.retryingClient = undefined;
      this.retryingKey = undefined;
    }
    if (this.retryStillBlocked) return;
    this.blocking.remove(client);
    this.host.clientReady?.(client, true);
  }

  /** Answers clients whose timeout passed with the null array (replyToBlockedClientTimedOut). */
  expireBlockedClients(now: number): void {
    for (const client of this.blocking.expired(now)) this.unblock(client, undefined);
  }

  /** CLIENT UNBLOCK, a timeout, or (with an error) the key vanishing from under XREADGROUP. */
  unblock(client: ClientSession, error: string | undefined): boolean {
    if (client.blocked === undefined) return false;
    this.blocking.remove(client);
    if (error === undefined) client.reply.nullArray();
    else this.replyError(client, error);
    this.host.clientReady?.(client, false);
    return true;
  }

  /**
   * SWAPDB/FLUSH changed keys under waiting clients (Redis's scanDatabaseForReadyKeys and
   * scanDatabaseForDeletedStreams): signal the keys that now exist, and every key a stream
   * reader waits on, since a vanished stream ends an XREADGROUP.
   */
  scanDatabaseForReadyKeys(db: Database): void {
    if (this.blocking.size === 0) return;
    for (const client of this.blocking.clients()) {
      const state = client.blocked!;
      if (state.db !== db) continue;
      for (const key of state.keys) if (state.type === "stream" || db.peek(key) !== undefined) this.blocking.signal(db, key);
    }
  }

  private onTypedValueStored(db: Database, key: string, value: TypedValue): void {
    if (this.blocking.size !== 0 && value.type !== "hash" && value.type !== "set") this.blocking.signal(db, key);
  }

  /** Runs a validated command and propagates its effects. */
  call(client: ClientSession, spec: CommandSpec, argv: readonly string[], counted = true): void {
    const handler = spec.handler;
    if (handler === undefined) return;
    const ctx = this.contexts.get(client)!;
    ctx.spec = spec;
    ctx.currentArgv = argv;
    ctx.propagateArgv = undefined;
    const dirtyBefore = this.dirty;
    const errorsBefore = this.stats.errorReplies;
    const outermost = !this.inCall;
    if (outermost) this.outermostCommand = spec.fullName;
    this.inCall = true;
    try {
      handler(ctx, argv);
      if (this.maxMemory.tracking) this.maxMemory.touchKeys(client.db, spec, argv);
      // A blocked command re-run on a ready key was counted when it first ran, as in Redis.
      if (counted) {
        spec.calls++;
        if (this.stats.errorReplies > errorsBefore) spec.failedCalls++; // ">": CONFIG RESETSTAT may zero the counter mid-call
        this.stats.commandsProcessed++;
        client.lastCommand = spec.fullName;
      }
      if (this.dirty !== dirtyBefore && spec.isWrite) this.propagate(client.db.index, ctx.propagateArgv ?? argv);
    } finally {
      if (outermost) {
        this.inCall = false;
        if (this.pendingCount !== 0) this.flushPendingPropagation();
      }
    }
  }

  propagate(dbIndex: number, argv: readonly string[]): void {
    if (this.loading) return;
    if (this.inCall && this.execPropagation === "idle") {
      this.pendingDbs[this.pendingCount] = dbIndex;
      this.pendingArgvs[this.pendingCount++] = argv;
      return;
    }
    if (this.execPropagation === "pending") {
      this.execPropagation = "open";
      this.propagationSink?.(dbIndex, ["MULTI"]);
    }
    this.propagationSink?.(dbIndex, argv);
  }

  /**
   * Redis 7.0's propagatePendingCommands: what one command logged — a lazily expired key's
   * DEL, SPOP's SREMs, XREADGROUP's XCLAIMs, then the command itself — is one unit, so more
   * than one entry is wrapped in MULTI/EXEC and replays all or nothing.
   */
  private flushPendingPropagation(): void {
    const dbs = this.pendingDbs;
    const argvs = this.pendingArgvs;
    const sink = this.propagationSink;
    const count = this.pendingCount;
    if (sink !== undefined) {
      if (count === 1 || TOUCHES_ARBITRARY_KEYS.has(this.outermostCommand)) {
        for (let i = 0; i < count; i++) sink(dbs[i]!, argvs[i]!);
      } else {
        sink(dbs[0]!, ["MULTI"]);
        for (let i = 0; i < count; i++) sink(dbs[i]!, argvs[i]!);
        sink(dbs[count - 1]!, ["EXEC"]);
      }
    }
    this.pendingCount = 0;
    if (count > PENDING_KEEP_MAX) {
      dbs.length = 0;
      argvs.length = 0;
    } else {
      // Let go of the argument vectors (a big value must not stay reachable from here).
      argvs.fill(NO_ARGV, 0, count);
    }
  }

  /**
   * A command refused before running; inside MULTI this dooms the transaction (flagTransaction).
   * A refused EXEC itself discards the transaction and says why (Redis's execCommandAbort).
   */
  private reject(client: ClientSession, error: string, spec?: CommandSpec): void {
    this.stats.rejectedCalls++;
    if (spec?.fullName === "exec") {
      // Only the transaction goes (discardTransaction): subscriptions stay.
      this.watches.unwatchAll(client);
      client.transaction = undefined;
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
    // Deleting or replacing a stream wakes its XREADGROUP waiters (signalDeletedKeyAsReady).
    if (this.blocking.size !== 0) this.blocking.signal(db, key);
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
/** Redis's `mstate.cmd_flags & CMD_WRITE`: whether the queued commands include a write. */
function transactionWrites(client: ClientSession): boolean {
  const transaction = client.transaction;
  return transaction !== undefined && transaction.queue.some((queued) => queued.spec.isWrite);
}

function unknownCommandError(argv: readonly string[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${cString(argv[i]!).slice(0, 128 - args.length)}' `;
  return sanitizeErrorText(`ERR unknown command '${cString(argv[0]!).slice(0, 128)}', with args beginning with: ${args}`);
}
