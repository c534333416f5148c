import { constants as fsConstants } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { StoredStringBytes } from "@kv/core";
import { nodeFileSystem, type AofFileSystem } from "./aof-file-system.js";
import { AofLoadError } from "./aof-load-error.js";
import { stderrLogger, type AofLogger } from "./aof-logger.js";
import {
  EMPTY_MANIFEST,
  baseFileName,
  formatManifest,
  incrFileName,
  loadOrder,
  manifestFileName,
  parseManifest,
  tempManifestFileName,
  type AofBaseFormat,
  type AofManifest,
  type AofManifestEntry,
} from "./aof-manifest.js";
import { AofReplay, type AofCommandSink } from "./aof-replay.js";
import {
  errorCode,
  errorMessage,
  fsyncDirectory,
  removeQuietly,
  replaceFileDurably,
  replaceFileDurablyInBackground,
  writeFully,
} from "./durable-fs.js";
import { FsyncScheduler, type SyncedCallback } from "./fsync-scheduler.js";
import { systemErrorText } from "./system-error-text.js";
import { RespCommandBuffer } from "./resp-command-buffer.js";

/** Redis's appendfsync. */
export type AppendFsyncPolicy = "always" | "everysec" | "no";

export interface AppendOnlyFileOptions {
  /** The server's data directory (Redis's `dir`); the AOF set lives in `dir/appendDirname`. */
  dir: string;
  appendFilename?: string;
  appendDirname?: string;
  appendFsync?: AppendFsyncPolicy;
  /** auto-aof-rewrite-percentage; 0 disables automatic rewrites. */
  autoRewritePercentage?: number;
  /** auto-aof-rewrite-min-size in bytes. */
  autoRewriteMinSize?: number;
  /** aof-load-truncated: cut an incomplete tail of the last file instead of refusing to start. */
  loadTruncated?: boolean;
  logger?: AofLogger;
  /** File operations; tests inject one to count or delay fdatasync and to fail writes. */
  fileSystem?: AofFileSystem;
  /**
   * Called after each durable step of a rewrite. The directory is consistent at
   * every step; tests copy it here to check that a crash at that point loses nothing.
   */
  onRewriteStep?: (step: AofRewriteStep) => void;
  /** How long one slice of a live rewrite may run before yielding to clients. */
  rewriteSliceMs?: number;
}

/**
 * The steps of a rewrite, in order:
 * - incr-opened: new incr file created and listed in the manifest next to the old files
 * - base-partial: the first slice of the snapshot is in the temp file (reported once)
 * - base-written: snapshot written to a temp file (not referenced by any manifest)
 * - base-synced: temp file fdatasync'ed
 * - base-installed: temp renamed to the new base, manifest lists new base + new incr, old files as history
 * - history-deleted: old files removed and dropped from the manifest
 */
export type AofRewriteStep = "incr-opened" | "base-partial" | "base-written" | "base-synced" | "base-installed" | "history-deleted";

/** Emits the commands that recreate the whole dataset, SELECTs included, in one go. */
export type AofSnapshot = (emit: (args: readonly string[]) => void) => void;

/**
 * A point-in-time image written a slice at a time while the server goes on serving (the
 * core's LiveSnapshot). `begin` is called in the same turn as the switch to the new incr file,
 * so the image is of the dataset at the switch; `emit` may be called at any time until `end`
 * (from the walk, or ahead of a write that is about to change a key) and must not throw.
 */
export interface AofSnapshotSource {
  begin(emit: AofSnapshotEmitter): AofSnapshotWalk;
}

/** Where a live snapshot's commands go; strings come as parts so no argv array is built per key. */
export interface AofSnapshotEmitter {
  /** `SET key value`, plus `PXAT expireAt` when the key has a TTL. */
  string(db: number, key: string, value: string, expireAt: number | undefined): void;
  /** The same, with the key and value copied from where the keyspace keeps them (valid during the call). */
  storedString(db: number, entry: StoredStringBytes, expireAt: number | undefined): void;
  command(db: number, argv: readonly string[]): void;
}

export interface AofSnapshotWalk {
  /** Walks on for about `budgetMs` (or `maxEntries` keys); true when the whole image has been emitted. */
  step(budgetMs: number, maxEntries?: number): boolean;
  /** Stops emitting (done, or the rewrite is abandoned); must be idempotent. */
  end(): void;
}

/**
 * Wall time one slice of the rewrite may hold the event loop (see rewriteSliceMs). A request
 * that arrives mid-slice waits out the rest of it, and each slice ends with a write to the
 * thread pool during which the loop idles. Measured at 10M keys (DAMON paused, 2,000 req/s):
 * 1 ms slices gave a p99 of 8-12 ms during the rewrite, 0.25 ms gave 2.9-3.7 ms for a rewrite
 * about 1.5x longer. Batching the writes to 256 KB made it worse (7-8 ms): without the idle
 * gaps the event loop hogs its CPU and the kernel preempts it whenever anything else runs.
 */
const DEFAULT_REWRITE_SLICE_MS = 0.25;

const NO_BYTES = Buffer.alloc(0);

/** Initial size of the rewrite's two encode buffers (see openSnapshotFile). */
const SNAPSHOT_BUFFER_BYTES = 256 * 1024;

export interface AofLoadStats {
  /** Commands handed to the sink, including synthetic ones (RDB keys, SELECT). */
  commands: number;
  /** Bytes replayed (after any truncation). */
  bytes: number;
  files: number;
  timeMs: number;
  /** Whether an incomplete tail was cut from the last file. */
  truncated: boolean;
}

/** The AOF fields of INFO persistence, named and ordered as Redis 7.0 prints them. */
export interface AofPersistenceInfo {
  aof_enabled: number;
  aof_rewrite_in_progress: number;
  aof_rewrite_scheduled: number;
  aof_last_rewrite_time_sec: number;
  aof_current_rewrite_time_sec: number;
  aof_last_bgrewrite_status: "ok" | "err";
  aof_rewrites: number;
  aof_rewrites_consecutive_failures: number;
  aof_last_write_status: "ok" | "err";
  aof_current_size: number;
  aof_base_size: number;
  aof_pending_rewrite: number;
  aof_buffer_length: number;
  aof_pending_bio_fsync: number;
  aof_delayed_fsync: number;
}

const MIB = 1024 * 1024;
/**
 * Past this many unsynced bytes kept for a rewrite after an fsync error, `everysec` starts its
 * fdatasync early: the copies then cost at most about this much memory (measured: one second of
 * a flat-out write loop is 30-50 MB of AOF) instead of a whole second's worth.
 */
const UNSYNCED_COPY_LIMIT = 16 * MIB;
/** Redis's AOF_WRITE_LOG_ERROR_RATE: a failing write is retried every flush and cron tick, but logged at most this often. */
const WRITE_ERROR_LOG_INTERVAL_MS = 30_000;
const SNAPSHOT_WRITE_CHUNK = MIB;
/**
 * aof-rewrite-incremental-fsync: the rewrite's temp file is fdatasync'ed each time this much
 * more has been written (Redis's REDIS_AUTOSYNC_BYTES). Otherwise the whole base (400 MB at 10M
 * keys) is still dirty when the final fdatasync runs, and its writeback takes a CPU for about
 * 0.4 s — on two cores the event loop then got a fraction of one, and a third of the slow
 * replies of a 10M-key rewrite came in that last half second.
 */
const REWRITE_INCREMENTAL_FSYNC_BYTES = 4 * MIB;
/** Redis's name for the rewrite child's output; "temp-" files are never in a manifest and are removed at open. */
const TEMP_PREFIX = "temp-";
const NEW_INCR_FLAGS = fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_TRUNC;

/**
 * A Redis 7 multi-part append-only file: a base file (RESP, or RDB when written by
 * Redis), incr files holding the commands logged since, and a manifest naming them.
 *
 * Lifecycle: `load(sink)` replays what is on disk and opens the last incr file for
 * appending (creating a fresh set when there is none); then, per event-loop turn,
 * the server `append`s each write command, calls `flush()` before sending replies,
 * and under `always` holds those replies until `whenSynced(seq)`; `rewrite(snapshot)`
 * compacts; `close()` on shutdown.
 */
export class AppendOnlyFile {
  readonly dir: string;
  readonly appendFilename: string;
  readonly appendDirname: string;
  /** `dir/appendDirname`, where the base, incr and manifest files are. */
  readonly aofDirPath: string;
  autoRewritePercentage: number;
  autoRewriteMinSize: number;

  private appendFsyncPolicy: AppendFsyncPolicy;
  private readonly loadTruncated: boolean;
  private readonly logger: AofLogger;
  private readonly fs: AofFileSystem;
  private readonly onRewriteStep: ((step: AofRewriteStep) => void) | undefined;

  private state: "unopened" | "open" | "closed" = "unopened";
  private manifest: AofManifest = EMPTY_MANIFEST;
  private incrFd = -1;
  private readonly pending = new RespCommandBuffer();
  /** Database of the last logged command; -1 forces a SELECT (new file, fresh client on replay). */
  private lastDb = -1;
  /** `SELECT <db>` as RESP at [db + 1], made on first use; [0] is empty (see append). */
  private readonly selectCommands: Buffer[] = [NO_BYTES];
  private incrSize = 0;
  private currentSize = 0;
  private baseSize = 0;
  private writeError: Error | undefined;
  /** strerror of the write or fsync error that makes the AOF refuse writes (MISCONF), or undefined. */
  private diskErrorText: string | undefined;
  private writeErrorLoggedAt = 0;
  /**
   * Copies of the bytes written since the last successful fdatasync, with where they went.
   * After an fsync error they are written again before the retry, because the kernel may have
   * dropped the failed pages (see FsyncScheduler). Not kept under `appendfsync no`.
   */
  private unsynced: UnsyncedChunk[] = [];
  private unsyncedBytes = 0;
  private unsyncedPrunedAt = 0;
  private fsyncs: FsyncScheduler | undefined;
  private everysecTimer: NodeJS.Timeout | undefined;

  /**
   * Date.now() when the running rewrite started, NaN when none runs. A number either way:
   * storing undefined over a double changed the AOF object's hidden class at the end of each
   * process's first rewrite, and V8 deoptimised every function that uses it (the write path).
   */
  private rewriteStartedAt = Number.NaN;
  /** The live snapshot of the running rewrite, ended at once if the AOF is closed under it. */
  private rewriteWalk: AofSnapshotWalk | undefined;
  private readonly rewriteSliceMs: number;
  /**
   * Microseconds to wait per key written by the rewrite (Redis's rdb-key-save-delay, which
   * slows its rewrite child the same way): tests use it to kill the server mid-rewrite.
   */
  rewriteKeyDelayMicros = 0;
  /** aof-rewrite-incremental-fsync (see REWRITE_INCREMENTAL_FSYNC_BYTES); read at each write-out. */
  rewriteIncrementalFsync = true;
  /** DEBUG AOF-REWRITE-PAUSE: the rewrite stops after this durable step until cleared. */
  private pauseAt: AofRewriteStep | undefined;
  private pauseRelease: (() => void) | undefined;
  private lastRewriteTimeSec = -1;
  private lastRewriteOk = true;
  private rewriteCount = 0;
  private rewriteConsecutiveFailures = 0;

  constructor(options: AppendOnlyFileOptions) {
    this.dir = options.dir;
    this.appendFilename = options.appendFilename ?? "appendonly.aof";
    this.appendDirname = options.appendDirname ?? "appendonlydir";
    if (this.appendFilename.includes("/") || this.appendDirname.includes("/")) {
      throw new Error("appendFilename and appendDirname must be plain names, not paths");
    }
    this.aofDirPath = join(this.dir, this.appendDirname);
    this.appendFsyncPolicy = options.appendFsync ?? "everysec";
    this.autoRewritePercentage = options.autoRewritePercentage ?? 100;
    this.autoRewriteMinSize = options.autoRewriteMinSize ?? 64 * MIB;
    this.loadTruncated = options.loadTruncated ?? true;
    this.logger = options.logger ?? stderrLogger;
    this.fs = options.fileSystem ?? nodeFileSystem;
    this.onRewriteStep = options.onRewriteStep;
    this.rewriteSliceMs = options.rewriteSliceMs ?? DEFAULT_REWRITE_SLICE_MS;
  }

  get appendFsync(): AppendFsyncPolicy {
    return this.appendFsyncPolicy;
  }

  /** CONFIG SET appendfsync. */
  set appendFsync(policy: AppendFsyncPolicy) {
    this.appendFsyncPolicy = policy;
    if (this.state === "open") this.applyFsyncPolicy();
  }

  /** Bytes handed to write(2) since open: the sequence number `flush()` returns. */
  get writtenSeq(): number {
    return this.fsyncs?.writtenSeq ?? 0;
  }

  /** Bytes known to be on disk (fdatasync'ed) since open. */
  get syncedSeq(): number {
    return this.fsyncs?.syncedSeq ?? 0;
  }

  /** The files of the set as the manifest lists them now. */
  get currentManifest(): AofManifest {
    return this.manifest;
  }

  get rewriteInProgress(): boolean {
    return !Number.isNaN(this.rewriteStartedAt);
  }

  /**
   * Start-up: replays the set into `sink` (synchronously, in manifest order), then
   * opens the last incr file for appending. A legacy single `dir/appendonly.aof` is
   * migrated into the directory first, as Redis 7 does; when nothing exists, a fresh
   * set (empty base, incr 1, manifest) is created.
   */
  load(sink: AofCommandSink): AofLoadStats {
    if (this.state !== "unopened") throw new Error("AppendOnlyFile.load() may only be called once");
    const started = performance.now();
    this.manifest = this.readManifest();
    this.upgradeLegacyFileIfNeeded();

    const files = loadOrder(this.manifest);
    for (const entry of files) {
      if (!this.fs.existsSync(join(this.aofDirPath, entry.fileName))) {
        throw new AofLoadError(
          `The append only file ${entry.fileName} listed in the manifest ${manifestFileName(this.appendFilename)} doesn't exist`,
          entry.fileName,
          undefined,
        );
      }
    }

    const replay = new AofReplay(sink, { fs: this.fs, logger: this.logger, loadTruncated: this.loadTruncated });
    let bytes = 0;
    files.forEach((entry, index) => {
      const fileStarted = performance.now();
      const size = replay.replayFile(this.aofDirPath, entry.fileName, index === files.length - 1);
      bytes += size;
      if (entry === this.manifest.base) this.baseSize = size;
      const seconds = ((performance.now() - fileStarted) / 1000).toFixed(3);
      this.logger.notice(`DB loaded from ${entry.type === "b" ? "base" : "incr"} file ${entry.fileName}: ${seconds} seconds`);
    });
    this.currentSize = bytes;

    this.openForAppend();
    return {
      commands: replay.commands,
      bytes,
      files: files.length,
      timeMs: performance.now() - started,
      truncated: replay.truncated,
    };
  }

  /**
   * Logs one write command executed against `db`. Only encodes into memory; nothing
   * reaches the file until `flush()`. A SELECT is logged first whenever the database
   * differs from the previous command's.
   */
  append(db: number, args: readonly string[]): void {
    if (this.incrFd < 0) throw new Error("The append only file is not open");
    // The SELECT is picked by index, with no branch: a branch taken only after a rewrite's
    // switch (lastDb reset) had no type feedback when the engine's `call`, into which this is
    // inlined, was optimised, so the first write after every rewrite's start deoptimised it.
    const selected = db + 1;
    const select = this.selectCommands[db === this.lastDb ? 0 : selected] ?? this.selectCommand(db);
    this.pending.appendBytes(select);
    this.lastDb = db;
    this.pending.appendCommand(args);
  }

  /** Encodes `SELECT <db>` once; the AOF and the rewrite's base both log the cached bytes. */
  private selectCommand(db: number): Buffer {
    const encoded = new RespCommandBuffer(32);
    encoded.appendCommand(["SELECT", String(db)]);
    const bytes = Buffer.from(encoded.view());
    this.selectCommands[db + 1] = bytes;
    return bytes;
  }

  /**
   * Writes everything appended so far with a synchronous write(2) and returns the
   * resulting sequence number. Called once per event-loop turn before replies go
   * out, like Redis's flushAppendOnlyFile in beforeSleep: once this returns, a
   * process crash (even SIGKILL) cannot lose the data, only an OS crash or power loss
   * can, which is what fsync (see whenSynced) covers. Throws on write errors; the
   * unwritten bytes stay buffered (never dropped) and are retried by the next flush.
   */
  flush(): number {
    const fsyncs = this.fsyncs;
    if (fsyncs === undefined || this.incrFd < 0) throw new Error("The append only file is not open");
    const length = this.pending.length;
    if (length === 0) {
      if (this.writeError !== undefined) this.writeErrorSolved();
      return fsyncs.writtenSeq;
    }

    const bytes = this.pending.backing();
    let written = 0;
    try {
      while (written < length) written += this.fs.writeSync(this.incrFd, bytes, written, length - written);
    } catch (error) {
      this.recoverFromWriteError(written);
      this.writeError = new Error(`Error writing to the AOF file: ${errorMessage(error)}`, { cause: error });
      this.diskErrorText = systemErrorText(error);
      this.logWriteError(written, length);
      throw this.writeError;
    }
    this.recordWritten(bytes, length);
    this.pending.clear();
    if (this.writeError !== undefined) this.writeErrorSolved();
    return fsyncs.writtenSeq;
  }

  /**
   * The server's flush: like flush(), but a write error does not throw (it is logged, and
   * refused writes are reported through diskError). Returns the sequence number this turn's
   * commands reach once written: above writtenSeq while the bytes are still pending, and
   * their replies must then be held.
   */
  tryFlush(): number {
    try {
      return this.flush();
    } catch (error) {
      if (this.writeError === undefined) throw error;
      return this.appendedSeq;
    }
  }

  /** writtenSeq plus what is appended but not written yet. */
  get appendedSeq(): number {
    return this.writtenSeq + this.pending.length;
  }

  /**
   * The text after "MISCONF Errors writing to the AOF file: " while a write or an fsync has
   * failed and not been retried successfully (Redis's writeCommandsDeniedByDiskError); writes
   * are refused meanwhile.
   */
  get diskError(): string | undefined {
    return this.diskErrorText;
  }

  /**
   * Called from the server cron while diskError is set: writes the pending bytes again, or
   * after an fsync error rewrites the unsynced bytes in place and starts an fdatasync round.
   * Success clears the error (and logs Redis's "looks solved" line); failure keeps it, quietly.
   */
  retryAfterError(): void {
    const fsyncs = this.fsyncs;
    if (this.state !== "open" || fsyncs === undefined) return;
    if (this.writeError !== undefined) {
      this.tryFlush();
      if (this.writeError !== undefined) return;
    }
    if (fsyncs.error === undefined || fsyncs.syncInProgress) return;
    let fds: number[];
    try {
      fds = this.rewriteUnsynced(false);
    } catch (error) {
      this.logRateLimited(`Fail to rewrite the unsynced AOF bytes: ${systemErrorText(error)}`);
      return;
    }
    if (!fsyncs.retry(fds)) for (const fd of fds) closeQuietly(this.fs, fd);
  }

  /** Resolves once everything up to `seq` (a value returned by flush) is fdatasync'ed. */
  whenSynced(seq: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onSynced(seq, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * Callback form of whenSynced, for the reply path where a promise per write is
   * overhead. The callback may run synchronously (already synced) and must not throw.
   * Requests an fdatasync under every policy; under `always` one is already running.
   */
  onSynced(seq: number, callback: SyncedCallback): void {
    if (this.fsyncs === undefined) {
      callback(new Error("The append only file is not open"));
      return;
    }
    this.fsyncs.whenSynced(seq, callback);
  }

  /** Redis's auto-rewrite condition (serverCron): big enough and grown enough since the last rewrite. */
  shouldAutoRewrite(): boolean {
    if (this.state !== "open" || this.rewriteInProgress || this.autoRewritePercentage <= 0) return false;
    if (this.currentSize <= this.autoRewriteMinSize) return false;
    const base = this.baseSize > 0 ? this.baseSize : 1;
    const growth = Math.floor((this.currentSize * 100) / base) - 100;
    return growth >= this.autoRewritePercentage;
  }

  /**
   * BGREWRITEAOF. First a new incr file is created and listed in the manifest next to the old
   * files (for a live source, with the fsyncs off the event loop). Then, in one turn: flushes,
   * switches logging to that file and begins the snapshot of the dataset as it is at that
   * instant; commands logged from there on go to the new incr file, so the base plus that file
   * is exactly the dataset, with no rewrite buffer as in Redis < 7.
   *
   * A live source (AofSnapshotSource) is then written a slice at a time between event-loop
   * turns, so clients keep being served; a plain AofSnapshot function is written at once.
   * Either way the image streams into a temp file (memory stays bounded). Then the temp file
   * is fdatasync'ed off the event loop, installed as the new base, the manifest switched to
   * new base + new incr, and the old files deleted.
   */
  rewrite(snapshot: AofSnapshot | AofSnapshotSource): Promise<void> {
    if (this.state !== "open") return Promise.reject(new Error("The append only file is not open"));
    if (this.rewriteInProgress) {
      return Promise.reject(new Error("Background append only file rewriting already in progress"));
    }
    this.rewriteStartedAt = Date.now();
    this.rewriteCount++;
    if (typeof snapshot !== "function") {
      return this.prepareNewIncrFile().then(
        (prepared) => this.beginLiveRewrite(prepared, snapshot),
        (error: unknown) => {
          this.finishRewrite(error, 0);
          throw asError(error);
        },
      );
    }
    let temp: SnapshotFile | undefined;
    try {
      this.switchToIncrFile(this.prepareNewIncrFileNow());
      temp = this.openSnapshotFile();
      // Written in this turn: the steps are reported but cannot be paused at.
      void this.reportRewriteStep("incr-opened");
      this.writeWholeSnapshot(temp, snapshot);
      void this.reportRewriteStep("base-written");
      return this.completeRewrite(temp);
    } catch (error) {
      if (temp !== undefined) this.discardSnapshot(temp);
      this.finishRewrite(error, 0);
      return Promise.reject(asError(error));
    }
  }

  /** The live rewrite proper, once its incr file is listed: switch to it and begin the image in the same turn. */
  private beginLiveRewrite(prepared: PreparedIncr, source: AofSnapshotSource): Promise<void> {
    let temp: SnapshotFile | undefined;
    let walk: AofSnapshotWalk;
    try {
      if (this.state !== "open") {
        closeQuietly(this.fs, prepared.fd);
        throw new Error("The append only file was closed during the rewrite");
      }
      this.switchToIncrFile(prepared);
      temp = this.openSnapshotFile();
      walk = this.beginLiveSnapshot(temp, source);
      this.rewriteWalk = walk;
    } catch (error) {
      if (temp !== undefined) this.discardSnapshot(temp);
      this.finishRewrite(error, 0);
      return Promise.reject(asError(error));
    }
    const file = temp;
    return this.runLiveSnapshot(file, walk).then(() => this.completeRewrite(file));
  }

  info(): AofPersistenceInfo {
    const rewriteStartedAt = this.rewriteStartedAt;
    const rewriting = this.rewriteInProgress;
    return {
      aof_enabled: this.state === "open" ? 1 : 0,
      aof_rewrite_in_progress: rewriting ? 1 : 0,
      aof_rewrite_scheduled: 0,
      aof_last_rewrite_time_sec: this.lastRewriteTimeSec,
      aof_current_rewrite_time_sec: rewriting ? Math.floor((Date.now() - rewriteStartedAt) / 1000) : -1,
      aof_last_bgrewrite_status: this.lastRewriteOk ? "ok" : "err",
      aof_rewrites: this.rewriteCount,
      aof_rewrites_consecutive_failures: this.rewriteConsecutiveFailures,
      aof_last_write_status: this.writeError === undefined && this.fsyncs?.error === undefined ? "ok" : "err",
      aof_current_size: this.currentSize,
      aof_base_size: this.baseSize,
      aof_pending_rewrite: 0,
      aof_buffer_length: this.pending.length,
      aof_pending_bio_fsync: this.fsyncs?.syncInProgress ? 1 : 0,
      aof_delayed_fsync: 0,
    };
  }

  /** The last write or fsync error, if it has not been cleared by a successful write (MISCONF-style refusals). */
  get lastWriteError(): Error | undefined {
    return this.writeError ?? this.fsyncs?.error;
  }

  /**
   * Shutdown: flush, fdatasync and close, synchronously. A rewrite still running is
   * abandoned (the manifest already names a loadable set; its temp file is removed).
   */
  close(): void {
    if (this.state !== "open") {
      this.state = "closed";
      return;
    }
    // Set first: a rewrite waiting on its fdatasync or next slice sees it and abandons.
    this.state = "closed";
    // The walk must let go of the keyspace now: the caller may flush or reload it next.
    this.rewriteWalk?.end();
    this.rewriteWalk = undefined;
    this.pauseRewriteAt(undefined);
    this.stopEverysecTimer();
    let failure: unknown;
    try {
      this.flush();
    } catch (error) {
      failure = error;
    }
    if (this.fsyncs?.error !== undefined) {
      try {
        this.rewriteUnsynced(true);
        this.fsyncs.markRecovered();
      } catch (error) {
        failure ??= error;
      }
    }
    try {
      this.fsyncs?.close();
    } catch (error) {
      failure ??= error;
    }
    this.incrFd = -1;
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
  }

  // ---------------------------------------------------------------------------
  // Opening
  // ---------------------------------------------------------------------------

  private readManifest(): AofManifest {
    const name = manifestFileName(this.appendFilename);
    const path = join(this.aofDirPath, name);
    if (!this.fs.existsSync(path)) return EMPTY_MANIFEST;
    return parseManifest(this.fs.readFileSync(path, "latin1"), name);
  }

  /**
   * Redis 7's upgrade from a single `dir/appendonly.aof`: list it as the base in a new
   * manifest, then move it into the directory. Crash-safe in that order: if the move
   * did not happen, the same conditions hold at the next start and it is retried.
   */
  private upgradeLegacyFileIfNeeded(): void {
    const legacyPath = join(this.dir, this.appendFilename);
    if (!this.fs.existsSync(legacyPath)) return;
    const { base, incrs } = this.manifest;
    const upgrade =
      !this.fs.existsSync(this.aofDirPath) ||
      (base === undefined && incrs.length === 0) ||
      (base !== undefined &&
        incrs.length === 0 &&
        base.fileName === this.appendFilename &&
        !this.fs.existsSync(join(this.aofDirPath, this.appendFilename)));
    if (!upgrade) return;

    this.fs.mkdirSync(this.aofDirPath, { recursive: true });
    this.manifest = { base: { fileName: this.appendFilename, seq: 1, type: "b" }, history: [], incrs: [] };
    this.persistManifest(this.manifest);
    this.fs.renameSync(legacyPath, join(this.aofDirPath, this.appendFilename));
    fsyncDirectory(this.fs, this.dir);
    fsyncDirectory(this.fs, this.aofDirPath);
    this.logger.notice(
      `Successfully migrated an old-style AOF file (${this.appendFilename}) into the AOF directory (${this.appendDirname}).`,
    );
  }

  /** Redis's aofOpenIfNeededOnServerStart, then the start-up garbage collection. */
  private openForAppend(): void {
    if (!this.fs.existsSync(this.aofDirPath)) {
      this.fs.mkdirSync(this.aofDirPath, { recursive: true });
      // The new directory's own entry must survive a power loss along with the files in it.
      fsyncDirectory(this.fs, this.dir);
    }
    const persisted = formatManifest(this.manifest);
    let manifest = this.manifest;
    if (manifest.base === undefined && manifest.incrs.length === 0) {
      const base = this.newBaseEntry(manifest, "aof");
      const fd = this.fs.openSync(join(this.aofDirPath, base.fileName), "w", 0o644);
      try {
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
      manifest = { ...manifest, base };
      this.logger.notice(`Creating AOF base file ${base.fileName} on server start`);
    }
    let lastIncr = manifest.incrs.at(-1);
    if (lastIncr === undefined) {
      lastIncr = this.newIncrEntry(manifest);
      manifest = { ...manifest, incrs: [lastIncr] };
      this.logger.notice(`Creating AOF incr file ${lastIncr.fileName} on server start`);
    } else {
      this.logger.notice(`Opening AOF incr file ${lastIncr.fileName} on server start`);
    }
    const fd = this.fs.openSync(join(this.aofDirPath, lastIncr.fileName), "a", 0o644);
    try {
      if (formatManifest(manifest) !== persisted) this.persistManifest(manifest);
    } catch (error) {
      this.fs.closeSync(fd);
      throw error;
    }
    this.manifest = manifest;
    this.incrFd = fd;
    this.incrSize = smallIntegerIfSmall(this.fs.fstatSync(fd).size);
    this.fsyncs = new FsyncScheduler(this.fs, fd, this.appendFsyncPolicy === "always", {
      failed: (error) => {
        // Redis's bio thread logs this once per transition to the error state.
        this.logger.warning(`Fail to fsync the AOF file: ${systemErrorText(error.cause)}`);
        this.diskErrorText ??= systemErrorText(error.cause);
      },
      recovered: () => {
        this.pruneUnsynced();
        if (this.writeError !== undefined) return;
        this.diskErrorText = undefined;
        this.writeErrorLoggedAt = 0;
        this.logger.warning("AOF write error looks solved, kv can write again.");
      },
    });
    this.state = "open";
    this.deleteHistoryFiles();
    this.removeTempFiles();
    this.applyFsyncPolicy();
  }

  private applyFsyncPolicy(): void {
    if (this.fsyncs) this.fsyncs.eager = this.appendFsyncPolicy === "always";
    if (this.appendFsyncPolicy === "no" && this.fsyncs?.error === undefined) {
      this.unsynced = [];
      this.unsyncedBytes = 0;
    }
    if (this.appendFsyncPolicy === "everysec") {
      if (this.everysecTimer === undefined) {
        // Like Redis's background fsync: skipped while one is still running, never blocks the loop.
        this.everysecTimer = setInterval(() => this.fsyncs?.backgroundSync(), 1000);
        this.everysecTimer.unref();
      }
    } else {
      this.stopEverysecTimer();
    }
  }

  private stopEverysecTimer(): void {
    if (this.everysecTimer !== undefined) clearInterval(this.everysecTimer);
    this.everysecTimer = undefined;
  }

  /** Leftovers of a rewrite or manifest update interrupted by a crash; no manifest refers to them. */
  private removeTempFiles(): void {
    for (const name of this.fs.readdirSync(this.aofDirPath)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      this.logger.notice(`Removing the leftover temp file ${name}`);
      removeQuietly(this.fs, join(this.aofDirPath, name));
    }
  }

  // ---------------------------------------------------------------------------
  // Writing
  // ---------------------------------------------------------------------------

  /** `length` bytes of `bytes` (from its start) reached the current incr file. */
  private recordWritten(bytes: Buffer, length: number): void {
    if (this.appendFsyncPolicy !== "no") {
      const fileName = this.manifest.incrs.at(-1)?.fileName;
      if (fileName !== undefined) {
        // A copy: the pending buffer is reused by the next append.
        const copy = Buffer.allocUnsafe(length);
        bytes.copy(copy, 0, 0, length);
        this.unsynced.push({ fileName, position: this.incrSize, bytes: copy, endSeq: this.writtenSeq + length });
        this.unsyncedBytes += length;
      }
    }
    this.incrSize += length;
    this.currentSize += length;
    this.fsyncs?.recordWrite(length);
    this.pruneUnsynced();
    if (this.unsyncedBytes > UNSYNCED_COPY_LIMIT) this.fsyncs?.backgroundSync();
  }

  /** Drops the copies a successful fdatasync covered; a scan only when the synced point moved. */
  private pruneUnsynced(): void {
    const synced = this.syncedSeq;
    if (synced === this.unsyncedPrunedAt) return;
    this.unsyncedPrunedAt = synced;
    let covered = 0;
    while (covered < this.unsynced.length && this.unsynced[covered]!.endSeq <= synced) {
      this.unsyncedBytes -= this.unsynced[covered]!.bytes.length;
      covered++;
    }
    if (covered > 0) this.unsynced.splice(0, covered);
  }

  /**
   * Writes every unsynced byte again at its place, through fresh descriptors (the incr file's
   * own is O_APPEND, which ignores positions), so the retried fdatasync has them all dirty
   * again. Returns the descriptors for the caller's fdatasync round, or with `syncNow`
   * fdatasyncs and closes them itself. A file deleted meanwhile (history after a rewrite) is
   * skipped: the base that superseded it was fdatasync'ed before the deletion.
   */
  private rewriteUnsynced(syncNow: boolean): number[] {
    const fds: number[] = [];
    const fdByFile = new Map<string, number>();
    try {
      for (const chunk of this.unsynced) {
        let fd = fdByFile.get(chunk.fileName);
        if (fd === undefined) {
          try {
            fd = this.fs.openSync(join(this.aofDirPath, chunk.fileName), "r+");
          } catch (error) {
            if (errorCode(error) === "ENOENT") continue;
            throw error;
          }
          fdByFile.set(chunk.fileName, fd);
          fds.push(fd);
        }
        let done = 0;
        while (done < chunk.bytes.length) {
          done += this.fs.writeSync(fd, chunk.bytes, done, chunk.bytes.length - done, chunk.position + done);
        }
      }
      if (syncNow) for (const fd of fds) this.fs.fdatasyncSync(fd);
    } catch (error) {
      for (const fd of fds) closeQuietly(this.fs, fd);
      throw error;
    }
    if (!syncNow) return fds;
    for (const fd of fds) closeQuietly(this.fs, fd);
    return [];
  }

  private writeErrorSolved(): void {
    this.writeError = undefined;
    const fsyncError = this.fsyncs?.error;
    if (fsyncError !== undefined) {
      this.diskErrorText = systemErrorText(fsyncError.cause);
      return;
    }
    this.diskErrorText = undefined;
    this.writeErrorLoggedAt = 0;
    this.logger.warning("AOF write error looks solved, kv can write again.");
  }

  /** Redis's flushAppendOnlyFile messages, at most one per WRITE_ERROR_LOG_INTERVAL_MS while the error lasts. */
  private logWriteError(written: number, expected: number): void {
    if (written > 0) {
      this.logRateLimited(`Short write while writing to the AOF file: (nwritten=${written}, expected=${expected})`);
    } else {
      this.logRateLimited(`Error writing to the AOF file: ${this.diskErrorText ?? "unknown error"}`);
    }
  }

  private logRateLimited(message: string): void {
    const now = Date.now();
    if (now - this.writeErrorLoggedAt < WRITE_ERROR_LOG_INTERVAL_MS) return;
    this.writeErrorLoggedAt = now;
    this.logger.warning(message);
  }

  /**
   * As Redis: take a partial write back out with ftruncate so the file never ends in
   * half a command the next flush would complete out of order; if even that fails,
   * count the partial bytes as written and keep only the rest pending.
   */
  private recoverFromWriteError(written: number): void {
    if (written === 0) return;
    try {
      this.fs.ftruncateSync(this.incrFd, this.incrSize);
      return;
    } catch (error) {
      this.logger.warning(`Could not remove short write from the append-only file: ${errorMessage(error)}`);
    }
    this.recordWritten(this.pending.backing(), written);
    this.pending.consume(written);
  }

  // ---------------------------------------------------------------------------
  // Rewrite
  // ---------------------------------------------------------------------------

  /**
   * Step 1, first half (Redis's openNewIncrAofForAppend, without the switch): creates the next
   * incr file and lists it, still empty, in the manifest. The manifest's two fsyncs run in the
   * thread pool: done on the event loop they held every client for 3-4 ms at the start of each
   * rewrite. Appends keep going to the current incr file meanwhile; a crash now loads it plus
   * the new, empty one, which is the same data.
   */
  private async prepareNewIncrFile(): Promise<PreparedIncr> {
    const { prepared, next } = this.createNextIncrFile();
    try {
      await this.persistManifestInBackground(next);
    } catch (error) {
      closeQuietly(this.fs, prepared.fd);
      throw error;
    }
    this.manifest = next;
    return prepared;
  }

  /** prepareNewIncrFile on the event loop, for a snapshot written in one turn anyway. */
  private prepareNewIncrFileNow(): PreparedIncr {
    const { prepared, next } = this.createNextIncrFile();
    try {
      this.persistManifest(next);
    } catch (error) {
      closeQuietly(this.fs, prepared.fd);
      throw error;
    }
    this.manifest = next;
    return prepared;
  }

  /**
   * The next incr file, created empty, and the manifest that lists it. If persisting that
   * manifest fails, the file stays: the rename may have gone through before a failed directory
   * fsync, so the manifest on disk may list it, and an empty incr file loads as nothing.
   */
  private createNextIncrFile(): { prepared: PreparedIncr; next: AofManifest } {
    const entry = this.newIncrEntry(this.manifest);
    const fd = this.fs.openSync(join(this.aofDirPath, entry.fileName), NEW_INCR_FLAGS, 0o644);
    const next: AofManifest = { ...this.manifest, incrs: [...this.manifest.incrs, entry] };
    return { prepared: { fd, fileName: entry.fileName }, next };
  }

  /** Step 1, second half: appends go to the prepared incr file from this instant on. */
  private switchToIncrFile(prepared: PreparedIncr): void {
    try {
      this.flush(); // what was appended before the switch belongs to the old incr file
    } catch (error) {
      // Not switched: appends stay with the old file, and the listed new one stays empty.
      closeQuietly(this.fs, prepared.fd);
      throw error;
    }
    this.fsyncs?.switchFile(prepared.fd);
    this.incrFd = prepared.fd;
    this.incrSize = 0;
    this.lastDb = -1;
    this.logger.notice(`Creating AOF incr file ${prepared.fileName} on background rewrite`);
  }

  /** Step 2 starts: the temp file in the AOF directory (same filesystem, so rename is atomic). */
  private openSnapshotFile(): SnapshotFile {
    const path = join(this.aofDirPath, `${TEMP_PREFIX}rewriteaof-bg-${process.pid}.aof`);
    const fd = this.fs.openSync(path, "w", 0o644);
    return {
      path,
      fd,
      size: 0,
      fdOpen: true,
      // Room for what a slice emits (about 40 KB at 10M keys), so neither grows in the walk: a
      // first growth mid-rewrite deoptimised the walk's compiled code while clients waited.
      encoder: new RespCommandBuffer(SNAPSHOT_BUFFER_BYTES),
      spare: new RespCommandBuffer(SNAPSHOT_BUFFER_BYTES),
      lastDb: -1,
      failure: undefined,
      syncedSize: 0,
      syncing: undefined,
    };
  }

  /** Writes what the snapshot emitted so far to the temp file. */
  private writeOutSnapshot(file: SnapshotFile): void {
    const encoder = file.encoder;
    if (encoder.length === 0) return;
    writeFully(this.fs, file.fd, encoder.view(), 0, encoder.length);
    file.size += encoder.length;
    encoder.clear();
  }

  /**
   * Writes what the snapshot emitted so far without blocking the event loop: a rewrite writes
   * hundreds of MB, and once the kernel throttles writers of that much dirty data a write(2)
   * can stall for a long time — a forked Redis child stalls alone, an event loop would stall
   * every client. Emits meanwhile go to the other buffer.
   */
  private async writeOutSnapshotInBackground(file: SnapshotFile): Promise<void> {
    const full = file.encoder;
    if (full.length === 0) return;
    file.encoder = file.spare;
    file.spare = full;
    const bytes = full.view();
    let written = 0;
    while (written < bytes.length) {
      written += await new Promise<number>((resolve, reject) => {
        this.fs.write(file.fd, bytes, written, bytes.length - written, null, (error, count) => (error ? reject(error) : resolve(count)));
      });
    }
    file.size += bytes.length;
    full.clear();
    if (this.rewriteIncrementalFsync && file.syncing === undefined && file.size - file.syncedSize >= REWRITE_INCREMENTAL_FSYNC_BYTES) {
      // Not awaited: the walk goes on while the thread pool syncs; at most one is in flight.
      file.syncedSize = file.size;
      file.syncing = this.fdatasync(file.fd).then(
        () => {
          file.syncing = undefined;
        },
        (error: unknown) => {
          file.syncing = undefined;
          file.failure ??= error;
        },
      );
    }
  }

  private writeWholeSnapshot(file: SnapshotFile, snapshot: AofSnapshot): void {
    let open = true;
    try {
      snapshot((args) => {
        if (!open) throw new Error("The rewrite snapshot emitter was used after the snapshot returned");
        file.encoder.appendCommand(args);
        if (file.encoder.length >= SNAPSHOT_WRITE_CHUNK) this.writeOutSnapshot(file);
      });
      open = false;
      this.writeOutSnapshot(file);
    } finally {
      open = false;
    }
  }

  private beginLiveSnapshot(file: SnapshotFile, source: AofSnapshotSource): AofSnapshotWalk {
    // Called from inside client commands (a key about to change): only buffers, never throws;
    // the walk writes the buffer out between slices.
    const select = (db: number): void => {
      if (db === file.lastDb) return;
      file.encoder.appendBytes(this.selectCommands[db + 1] ?? this.selectCommand(db));
      file.lastDb = db;
    };
    return source.begin({
      string: (db, key, value, expireAt) => {
        if (file.failure !== undefined) return;
        try {
          select(db);
          file.encoder.appendSet(key, value, expireAt);
        } catch (error) {
          file.failure = error;
        }
      },
      storedString: (db, entry, expireAt) => {
        if (file.failure !== undefined) return;
        try {
          select(db);
          file.encoder.appendSetFrom(entry, expireAt);
        } catch (error) {
          file.failure = error;
        }
      },
      command: (db, argv) => {
        if (file.failure !== undefined) return;
        try {
          select(db);
          file.encoder.appendCommand(argv);
        } catch (error) {
          file.failure = error;
        }
      },
    });
  }

  /** Step 2 runs: a slice per event-loop turn until the image is complete and written. */
  private async runLiveSnapshot(file: SnapshotFile, walk: AofSnapshotWalk): Promise<void> {
    try {
      // The walk has begun (the image is fixed): a pause here holds it with writes going on.
      await this.reportRewriteStep("incr-opened");
      this.throwIfClosedDuringRewrite();
      let reportedPartial = false;
      for (;;) {
        const delay = this.rewriteKeyDelayMicros;
        const done = delay > 0 ? walk.step(Number.POSITIVE_INFINITY, 1) : walk.step(this.rewriteSliceMs);
        if (file.failure !== undefined) throw asError(file.failure);
        if (file.encoder.length !== 0) await this.writeOutSnapshotInBackground(file);
        else if (!done && delay === 0) await new Promise((resolve) => setImmediate(resolve));
        this.throwIfClosedDuringRewrite();
        if (done) break;
        if (!reportedPartial) {
          reportedPartial = true;
          await this.reportRewriteStep("base-partial");
        }
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay / 1000));
        this.throwIfClosedDuringRewrite();
      }
      walk.end();
      this.rewriteWalk = undefined;
      if (file.failure !== undefined) throw asError(file.failure);
      await this.writeOutSnapshotInBackground(file);
      await file.syncing;
      if (file.failure !== undefined) throw asError(file.failure);
      this.throwIfClosedDuringRewrite();
      await this.reportRewriteStep("base-written");
    } catch (error) {
      walk.end();
      this.rewriteWalk = undefined;
      // Never rejects; the fd must outlive the thread pool's fdatasync on it.
      await file.syncing;
      this.discardSnapshot(file);
      this.finishRewrite(error, 0);
      throw error;
    }
  }

  private async completeRewrite(temp: SnapshotFile): Promise<void> {
    let installed = false;
    try {
      await this.fdatasync(temp.fd);
      temp.fdOpen = false;
      this.fs.closeSync(temp.fd);
      this.throwIfClosedDuringRewrite();
      await this.reportRewriteStep("base-synced");
      this.throwIfClosedDuringRewrite();

      const baseSize = await this.installBase(temp);
      installed = true;
      await this.reportRewriteStep("base-installed");
      this.throwIfClosedDuringRewrite();

      await this.deleteHistoryFilesInBackground();
      await this.reportRewriteStep("history-deleted");
      this.finishRewrite(undefined, baseSize);
    } catch (error) {
      if (!installed) this.discardSnapshot(temp);
      this.finishRewrite(error, 0);
      throw error;
    }
  }

  /**
   * Step 4 (Redis's backgroundRewriteDoneHandler): the new base replaces the old base and every
   * incr but the current one. The manifest's fsyncs run in the thread pool, as at step 1: on
   * the event loop, this step and step 5 held every client for 4-8 ms at the end of each
   * rewrite. Appends keep going to the current incr file, which both manifests list.
   */
  private async installBase(temp: SnapshotFile): Promise<number> {
    const manifest = this.manifest;
    const current = manifest.incrs.at(-1);
    if (current === undefined) throw new Error("No incr file to keep after the rewrite");
    const base = this.newBaseEntry(manifest, "aof");
    const basePath = join(this.aofDirPath, base.fileName);
    this.fs.renameSync(temp.path, basePath);
    const superseded = [...(manifest.base ? [manifest.base] : []), ...manifest.incrs.slice(0, -1)];
    const next: AofManifest = {
      base,
      history: [...manifest.history, ...superseded.map((entry) => ({ ...entry, type: "h" as const }))],
      incrs: [current],
    };
    try {
      // Its directory fsync also makes the rename above durable.
      await this.persistManifestInBackground(next);
    } catch (error) {
      // A failed directory fsync comes after the manifest's rename: the manifest on disk may
      // then name the new base, which must stay, and is the one to go on from.
      if (this.manifestOnDiskIs(next)) this.manifest = next;
      else removeQuietly(this.fs, basePath);
      throw error;
    }
    this.manifest = next;
    return temp.size;
  }

  /** Step 5, also run at open (Redis's aofDelHistoryFiles). */
  private deleteHistoryFiles(): void {
    const { history } = this.manifest;
    if (history.length === 0) return;
    for (const entry of history) {
      this.logger.notice(`Removing the history file ${entry.fileName}`);
      try {
        this.fs.unlinkSync(join(this.aofDirPath, entry.fileName));
      } catch (error) {
        if (errorCode(error) !== "ENOENT") {
          this.logger.warning(`Could not remove the history file ${entry.fileName}: ${errorMessage(error)}`);
        }
      }
    }
    const next = { ...this.manifest, history: [] };
    this.persistManifest(next);
    this.manifest = next;
  }

  /** Step 5 after a rewrite: like deleteHistoryFiles, with the unlinks and the manifest's fsyncs off the event loop. */
  private async deleteHistoryFilesInBackground(): Promise<void> {
    const { history } = this.manifest;
    if (history.length === 0) return;
    await Promise.all(
      history.map(
        (entry) =>
          new Promise<void>((resolve) => {
            this.logger.notice(`Removing the history file ${entry.fileName}`);
            this.fs.unlink(join(this.aofDirPath, entry.fileName), (error) => {
              if (error !== null && error.code !== "ENOENT") {
                this.logger.warning(`Could not remove the history file ${entry.fileName}: ${errorMessage(error)}`);
              }
              resolve();
            });
          }),
      ),
    );
    this.throwIfClosedDuringRewrite();
    // Only the entries unlinked here: none can have been added meanwhile (one rewrite at a time).
    // Should the persist fail, the manifest still lists them as history, which loads the same.
    const next = { ...this.manifest, history: [] };
    await this.persistManifestInBackground(next);
    this.manifest = next;
  }

  private finishRewrite(error: unknown, baseSize: number): void {
    const startedAt = this.rewriteInProgress ? this.rewriteStartedAt : Date.now();
    this.rewriteStartedAt = Number.NaN;
    this.lastRewriteTimeSec = Math.floor((Date.now() - startedAt) / 1000);
    if (error !== undefined) {
      this.lastRewriteOk = false;
      this.rewriteConsecutiveFailures++;
      this.logger.warning(`Background AOF rewrite failed: ${errorMessage(error)}`);
      return;
    }
    this.lastRewriteOk = true;
    this.rewriteConsecutiveFailures = 0;
    // As Redis: the growth baseline includes what the new incr file received during the rewrite.
    this.currentSize = baseSize + this.incrSize;
    this.baseSize = this.currentSize;
    this.logger.notice("Background AOF rewrite finished successfully");
  }

  private discardSnapshot(file: SnapshotFile): void {
    if (file.fdOpen) {
      file.fdOpen = false;
      try {
        this.fs.closeSync(file.fd);
      } catch {
        // the file is being thrown away
      }
    }
    removeQuietly(this.fs, file.path);
  }

  private throwIfClosedDuringRewrite(): void {
    if (this.state !== "open") throw new Error("The append only file was closed during the rewrite");
  }

  /** Reports a durable step; under DEBUG AOF-REWRITE-PAUSE, waits there until released. */
  private async reportRewriteStep(step: AofRewriteStep): Promise<void> {
    this.onRewriteStep?.(step);
    if (this.pauseAt !== step) return;
    this.logger.notice(`AOF rewrite paused after step ${step} (DEBUG AOF-REWRITE-PAUSE)`);
    await new Promise<void>((resolve) => (this.pauseRelease = resolve));
  }

  /**
   * DEBUG AOF-REWRITE-PAUSE: makes rewrites stop after `step` (undefined: run through and
   * release a rewrite that is waiting). Tests kill the server there to check that every
   * intermediate state of the directory loads.
   */
  pauseRewriteAt(step: AofRewriteStep | undefined): void {
    this.pauseAt = step;
    const release = this.pauseRelease;
    this.pauseRelease = undefined;
    release?.();
  }

  private fdatasync(fd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.fs.fdatasync(fd, (error) => (error ? reject(error) : resolve()));
    });
  }

  // ---------------------------------------------------------------------------
  // Manifest bookkeeping
  // ---------------------------------------------------------------------------

  private persistManifest(manifest: AofManifest): void {
    replaceFileDurably(
      this.fs,
      this.aofDirPath,
      manifestFileName(this.appendFilename),
      tempManifestFileName(this.appendFilename),
      formatManifest(manifest),
    );
  }

  /** Whether the manifest file says what `manifest` says (false when it cannot be read or parsed). */
  private manifestOnDiskIs(manifest: AofManifest): boolean {
    try {
      return formatManifest(this.readManifest()) === formatManifest(manifest);
    } catch {
      return false;
    }
  }

  private persistManifestInBackground(manifest: AofManifest): Promise<void> {
    return replaceFileDurablyInBackground(
      this.fs,
      this.aofDirPath,
      manifestFileName(this.appendFilename),
      tempManifestFileName(this.appendFilename),
      formatManifest(manifest),
    );
  }

  private newBaseEntry(manifest: AofManifest, format: AofBaseFormat): AofManifestEntry {
    let seq = (manifest.base?.seq ?? 0) + 1;
    while (isReferenced(manifest, baseFileName(this.appendFilename, seq, format))) seq++;
    return { fileName: baseFileName(this.appendFilename, seq, format), seq, type: "b" };
  }

  private newIncrEntry(manifest: AofManifest): AofManifestEntry {
    let seq = (manifest.incrs.at(-1)?.seq ?? 0) + 1;
    // A hand-edited manifest could still list the name as history, whose deletion would then remove our file.
    while (isReferenced(manifest, incrFileName(this.appendFilename, seq))) seq++;
    return { fileName: incrFileName(this.appendFilename, seq), seq, type: "i" };
  }
}

interface UnsyncedChunk {
  fileName: string;
  position: number;
  bytes: Buffer;
  /** The sequence number at the chunk's end: it is synced once syncedSeq reaches this. */
  endSeq: number;
}

/**
 * fstat's sizes are heap numbers even when small (they come out of a Float64Array). Added into
 * fields that had only held small integers (currentSize, at the end of each process's first
 * rewrite), one changed the AOF object's hidden class, and V8 deoptimised every function that
 * uses it. Past 2^30 bytes the fields turn into doubles once, which is then for good.
 */
function smallIntegerIfSmall(size: number): number {
  return size < SMALL_INTEGER_LIMIT ? size | 0 : size;
}

const SMALL_INTEGER_LIMIT = 2 ** 30;

function closeQuietly(fs: AofFileSystem, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // the error being reported is the one that matters
  }
}

/** A new incr file, created and listed in the manifest, that appends have not switched to yet. */
interface PreparedIncr {
  fd: number;
  fileName: string;
}

interface SnapshotFile {
  path: string;
  fd: number;
  size: number;
  fdOpen: boolean;
  /** Commands emitted but not yet written out. */
  encoder: RespCommandBuffer;
  /** The other buffer: being written out, or empty. */
  spare: RespCommandBuffer;
  /** Database of the last command emitted: a SELECT goes first whenever it changes. */
  lastDb: number;
  /** An emit that failed (out of memory) or an incremental fdatasync that failed: the rewrite fails at the next slice. */
  failure: unknown;
  /** file.size when the last incremental fdatasync started. */
  syncedSize: number;
  /** The incremental fdatasync in flight; settled before the fd is synced for good or closed. */
  syncing: Promise<void> | undefined;
}

function isReferenced(manifest: AofManifest, fileName: string): boolean {
  return (
    manifest.base?.fileName === fileName ||
    manifest.history.some((entry) => entry.fileName === fileName) ||
    manifest.incrs.some((entry) => entry.fileName === fileName)
  );
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
