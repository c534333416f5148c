import { mkdirSync } from "node:fs";
import { allCommands, defineCoreConfig, Engine, writeDatasetSnapshot, type EngineHost } from "@kv/core";
import { AppendOnlyFile, type AppendFsyncPolicy, type AofLoadStats } from "./append-only-file.js";
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
}

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
  lastLoad: AofLoadStats | undefined;
  /** Unix seconds of the last completed rewrite (LASTSAVE). */
  lastRewriteTime = Math.floor(Date.now() / 1000);

  constructor(options: PersistentEngineOptions) {
    this.dir = options.dir;
    this.logger = options.logger ?? stderrLogger;
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

  /** Resolves once the log is on disk up to `position` (group commit under appendfsync always). */
  whenSynced(position: number): Promise<void> {
    return this.aofFile === undefined ? Promise.resolve() : this.aofFile.whenSynced(position);
  }

  get mustSyncBeforeReply(): boolean {
    return this.aofFile !== undefined && this.aofFile.appendFsync === "always";
  }

  /** Starts a rewrite (BGREWRITEAOF). The dataset image is taken now, in this turn. */
  rewrite(): Promise<void> {
    // With appendonly no, Redis's BGREWRITEAOF still writes an AOF without turning logging
    // on; here a one-off AOF gets the snapshot and is closed again.
    const oneOff = this.aofFile === undefined;
    const aof = this.aofFile ?? this.createAof();
    if (oneOff) aof.load({ command: () => undefined });
    const done = aof.rewrite((emit) => writeDatasetSnapshot(this.engine.keyspace, emit)).then(() => {
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
    const info = this.aofFile?.info();
    if (info === undefined) return [["aof_enabled", 0], ["aof_rewrite_in_progress", 0], ["aof_rewrite_scheduled", 0]];
    return Object.entries(info) as [string, string | number][];
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
    return new AppendOnlyFile({
      dir: this.dir,
      appendFilename: config.get("appendfilename"),
      appendDirname: config.get("appenddirname"),
      appendFsync: config.get("appendfsync") as AppendFsyncPolicy,
      autoRewritePercentage: Number(config.get("auto-aof-rewrite-percentage")),
      autoRewriteMinSize: Number(config.get("auto-aof-rewrite-min-size")),
      loadTruncated: config.get("aof-load-truncated") === "yes",
      logger: this.logger,
    });
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
