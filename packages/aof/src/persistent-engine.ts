import { mkdirSync } from "node:fs";
import { allCommands, defineCoreConfig, Engine, LiveSnapshot, writeDatasetSnapshot, type EngineHost } from "@kv/core";
import {
  AppendOnlyFile,
  type AofLoadStats,
  type AofRewriteStep,
  type AofSnapshotSource,
  type AppendFsyncPolicy,
  type AppendOnlyFileOptions,
} from "./append-only-file.js";
import { stderrLogger, type AofLogger } from "./aof-logger.js";
import { acquireDirectoryLock, type DirectoryLock } from "./directory-lock.js";

export interface PersistentEngineOptions {
  dir: string;
  /** Start-up configuration in Redis's names (appendonly, appendfsync, databases...). */
  parameters?: Iterable<[string, string]>;
  /** Shorthand for the appendfsync parameter. */
  appendFsync?: AppendFsyncPolicy;
  host?: EngineHost;
  logger?: AofLogger;
  /** Recorded in the directory lock so other processes (the CLI) can find this one. */
  endpoint?: { host?: string; port?: number };
  /** Passed to the AppendOnlyFile (tests observe each rewrite step; the slice length). */
  aofOptions?: Pick<AppendOnlyFileOptions, "onRewriteStep" | "rewriteSliceMs" | "fileSystem">;
}

const REWRITE_STEPS: readonly AofRewriteStep[] = ["incr-opened", "base-partial", "base-written", "base-synced", "base-installed", "history-deleted"];

/**
 * A data directory opened for use: the directory lock taken, the AOF replayed into a fresh
 * engine and every change the engine propagates appended to the AOF. Both the server and the
 * CLI's embedded mode go through this, so they share one engine and one on-disk format.
 */
export class PersistentEngine {
  readonly engine: Engine;
  readonly dir: string;
  readonly lock: DirectoryLock;
  private aofFile: AppendOnlyFile | undefined;
  private oneOffRewrite: Promise<void> | undefined;
  private readonly logger: AofLogger;
  private readonly aofOptions: PersistentEngineOptions["aofOptions"];
  private rewritePause: AofRewriteStep | undefined;
  lastLoad: AofLoadStats | undefined;
  /**
   * BGREWRITEAOF inside EXEC (Redis 7.0's aof_rewrite_scheduled): the EXEC's earlier writes are
   * applied but not yet logged, so an image taken then would put them in both base and incr.
   * The server's cron starts the rewrite.
   */
  rewriteScheduled = false;
  /** Unix seconds of the last completed rewrite (LASTSAVE). */
  lastRewriteTime = Math.floor(Date.now() / 1000);

  constructor(options: PersistentEngineOptions) {
    this.dir = options.dir;
    this.logger = options.logger ?? stderrLogger;
    this.aofOptions = options.aofOptions;
    const parameters = [...(options.parameters ?? [])];
    if (options.appendFsync !== undefined) parameters.push(["appendfsync", options.appendFsync]);
    this.engine = new Engine({
      commands: allCommands,
      defineConfig: defineCoreConfig,
      startupConfig: parameters,
      ...(options.host === undefined ? {} : { host: options.host }),
    });
    mkdirSync(this.dir, { recursive: true });
    this.lock = acquireDirectoryLock(this.dir, options.endpoint ?? {});
    try {
      if (this.engine.config.get("appendonly") === "yes") this.openAof(true);
      this.attachConfigHooks();
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  get aof(): AppendOnlyFile | undefined {
    return this.aofFile;
  }

  /** Writes what was logged since the last flush (write(2), not fsync); returns the log position. */
  flush(): number {
    return this.aofFile?.flush() ?? 0;
  }

  /**
   * The server's per-turn flush: a write error does not throw but leaves the bytes pending
   * (see AppendOnlyFile.tryFlush). Returns the position this turn's writes reach once written.
   */
  tryFlush(): number {
    return this.aofFile?.tryFlush() ?? 0;
  }

  /** Log position handed to write(2) so far (0 without an AOF). */
  get writtenSeq(): number {
    return this.aofFile?.writtenSeq ?? 0;
  }

  /** strerror of the AOF write or fsync error that makes writes be refused (MISCONF), if any. */
  get diskError(): string | undefined {
    return this.aofFile?.diskError;
  }

  /** Cron: retry the failed write or fsync (see AppendOnlyFile.retryAfterError). */
  retryAfterError(): void {
    this.aofFile?.retryAfterError();
  }

  /** Resolves once the log is on disk up to `position` (group commit under appendfsync always). */
  whenSynced(position: number): Promise<void> {
    return this.aofFile === undefined ? Promise.resolve() : this.aofFile.whenSynced(position);
  }

  get mustSyncBeforeReply(): boolean {
    return this.aofFile !== undefined && this.aofFile.appendFsync === "always";
  }

  /**
   * Starts a rewrite (BGREWRITEAOF): the image is of the dataset as it is now, in this turn,
   * written a slice at a time while clients go on (LiveSnapshot).
   */
  rewrite(): Promise<void> {
    // With appendonly no, Redis's BGREWRITEAOF still writes an AOF without turning logging
    // on; here a one-off AOF gets the snapshot and is closed again.
    const oneOff = this.aofFile === undefined;
    const aof = this.aofFile ?? this.createAof();
    if (oneOff) aof.load({ command: () => undefined });
    const keyspace = this.engine.keyspace;
    const live: AofSnapshotSource = { begin: (emit) => new LiveSnapshot(keyspace, emit) };
    const done = aof.rewrite(live).then(() => {
      this.lastRewriteTime = Math.floor(Date.now() / 1000);
    });
    if (!oneOff) return done;
    this.oneOffRewrite = done.finally(() => {
      aof.close();
      this.oneOffRewrite = undefined;
    });
    return this.oneOffRewrite;
  }

  get rewriteInProgress(): boolean {
    return this.oneOffRewrite !== undefined || (this.aofFile?.rewriteInProgress ?? false);
  }

  shouldAutoRewrite(): boolean {
    const aof = this.aofFile;
    return aof !== undefined && !aof.rewriteInProgress && aof.shouldAutoRewrite();
  }

  /**
   * DEBUG RELOAD: empties the keyspace and loads it back — from the AOF files when logging is
   * on (proving that what is on disk recreates what is in memory), otherwise from an image of
   * the dataset taken first. The result is what Redis's save-and-load gives: keys already
   * expired are gone and every string's encoding is derived afresh from its content.
   */
  reload(): void {
    const engine = this.engine;
    if (this.aofFile !== undefined) {
      this.aofFile.close();
      this.aofFile = undefined;
      engine.keyspace.flushAll();
      this.openAof(false);
    } else {
      const image: string[][] = [];
      writeDatasetSnapshot(engine.keyspace, (argv) => image.push([...argv]));
      engine.keyspace.flushAll();
      engine.withLoading(() => {
        for (const argv of image) engine.replay(argv);
      });
    }
    engine.keyspace.commandTime = Date.now();
    for (const db of engine.keyspace.databases) {
      db.encodingPins.clear();
      for (const [key, deadline] of [...db.expireEntries()]) if (deadline <= engine.keyspace.commandTime) db.delete(key);
    }
  }

  info(): [string, string | number][] {
    const scheduled = this.rewriteScheduled ? 1 : 0;
    const info = this.aofFile?.info();
    if (info === undefined) return [["aof_enabled", 0], ["aof_rewrite_in_progress", 0], ["aof_rewrite_scheduled", scheduled]];
    return Object.entries({ ...info, aof_rewrite_scheduled: scheduled });
  }

  /** Flushes, fsyncs and closes the AOF, then releases the directory. */
  close(): void {
    try {
      this.aofFile?.close();
      this.aofFile = undefined;
    } finally {
      this.lock.release();
    }
  }

  private createAof(): AppendOnlyFile {
    const config = this.engine.config;
    const aof = new AppendOnlyFile({
      dir: this.dir,
      appendFilename: config.get("appendfilename"),
      appendDirname: config.get("appenddirname"),
      appendFsync: config.get("appendfsync") as AppendFsyncPolicy,
      autoRewritePercentage: Number(config.get("auto-aof-rewrite-percentage")),
      autoRewriteMinSize: Number(config.get("auto-aof-rewrite-min-size")),
      loadTruncated: config.get("aof-load-truncated") === "yes",
      logger: this.logger,
      ...this.aofOptions,
    });
    aof.rewriteKeyDelayMicros = Number(config.get("rdb-key-save-delay"));
    aof.rewriteIncrementalFsync = config.get("aof-rewrite-incremental-fsync") === "yes";
    aof.pauseRewriteAt(this.rewritePause);
    return aof;
  }

  /** DEBUG AOF-REWRITE-PAUSE <step|none>; returns an error text for an unknown step. */
  pauseRewriteAt(step: string): string | undefined {
    if (step !== "none" && !REWRITE_STEPS.includes(step as AofRewriteStep)) {
      return `ERR unknown rewrite step '${step}', expected one of: ${REWRITE_STEPS.join(", ")}, none`;
    }
    this.rewritePause = step === "none" ? undefined : (step as AofRewriteStep);
    this.aofFile?.pauseRewriteAt(this.rewritePause);
    return undefined;
  }

  /** Opens the AOF; `replayInto` false opens it for appending only, its old content superseded by a rewrite. */
  private openAof(logLoad: boolean, replayInto = true): void {
    const aof = this.createAof();
    const engine = this.engine;
    this.lastLoad = replayInto
      ? engine.withLoading(() => aof.load({ command: (argv) => engine.replay(argv) }))
      : aof.load({ command: () => undefined });
    if (logLoad) this.logger.notice(`DB loaded from append only file: ${this.lastLoad.commands} commands, ${this.lastLoad.timeMs} ms`);
    this.aofFile = aof;
    engine.propagationSink = (db, argv) => aof.append(db, argv);
  }

  private attachConfigHooks(): void {
    const config = this.engine.config;
    const keySaveDelay = config.lookup("rdb-key-save-delay") as { apply?: (value: string) => string | undefined } | undefined;
    if (keySaveDelay !== undefined) {
      keySaveDelay.apply = (value) => {
        if (this.aofFile !== undefined) this.aofFile.rewriteKeyDelayMicros = Number(value);
        return undefined;
      };
    }
    const incrementalFsync = config.lookup("aof-rewrite-incremental-fsync") as { apply?: (value: string) => string | undefined } | undefined;
    if (incrementalFsync !== undefined) {
      incrementalFsync.apply = (value) => {
        if (this.aofFile !== undefined) this.aofFile.rewriteIncrementalFsync = value === "yes";
        return undefined;
      };
    }
    const appendfsync = config.lookup("appendfsync") as { apply?: (value: string) => string | undefined } | undefined;
    if (appendfsync !== undefined) {
      appendfsync.apply = (value) => {
        if (this.aofFile !== undefined) this.aofFile.appendFsync = value as AppendFsyncPolicy;
        return undefined;
      };
    }
    const appendonly = config.lookup("appendonly") as { apply?: (value: string) => string | undefined } | undefined;
    if (appendonly !== undefined) {
      appendonly.apply = (value) => {
        if (value === "yes" && this.aofFile === undefined) {
          // Like Redis: turning the AOF on at runtime starts it from a rewrite of the dataset.
          this.openAof(false, false);
          this.rewrite().catch((error: unknown) => this.logger.warning(`AOF rewrite failed: ${String(error)}`));
        } else if (value === "no" && this.aofFile !== undefined) {
          this.aofFile.close();
          this.aofFile = undefined;
          this.engine.propagationSink = undefined;
        }
        return undefined;
      };
    }
  }
}

/** The CLI's embedded mode: open a directory, run commands, close. */
export function openPersistentEngine(options: PersistentEngineOptions): PersistentEngine {
  return new PersistentEngine(options);
}
