import { constants as fsConstants } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
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
import { errorCode, errorMessage, fsyncDirectory, removeQuietly, replaceFileDurably, writeFully } from "./durable-fs.js";
import { FsyncScheduler, type SyncedCallback } from "./fsync-scheduler.js";
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
}

/**
 * The steps of a rewrite, in order:
 * - incr-opened: new incr file created and listed in the manifest next to the old files
 * - base-written: snapshot written to a temp file (not referenced by any manifest)
 * - base-synced: temp file fdatasync'ed
 * - base-installed: temp renamed to the new base, manifest lists new base + new incr, old files as history
 * - history-deleted: old files removed and dropped from the manifest
 */
export type AofRewriteStep = "incr-opened" | "base-written" | "base-synced" | "base-installed" | "history-deleted";

/** Emits the commands that recreate the whole dataset, SELECTs included. */
export type AofSnapshot = (emit: (args: readonly string[]) => void) => void;

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
const SNAPSHOT_WRITE_CHUNK = MIB;
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
  private incrSize = 0;
  private currentSize = 0;
  private baseSize = 0;
  private writeError: Error | undefined;
  private fsyncs: FsyncScheduler | undefined;
  private everysecTimer: NodeJS.Timeout | undefined;

  private rewriteStartedAt: number | undefined;
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
    return this.rewriteStartedAt !== undefined;
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
    if (db !== this.lastDb) {
      this.pending.appendCommand(["SELECT", String(db)]);
      this.lastDb = db;
    }
    this.pending.appendCommand(args);
  }

  /**
   * Writes everything appended so far with a synchronous write(2) and returns the
   * resulting sequence number. Called once per event-loop turn before replies go
   * out, like Redis's flushAppendOnlyFile in beforeSleep: once this returns, a
   * process crash (even SIGKILL) cannot lose the data, only an OS crash or power loss
   * can, which is what fsync (see whenSynced) covers. Throws on write errors; the
   * unwritten bytes stay buffered and are retried by the next flush.
   */
  flush(): number {
    const fsyncs = this.fsyncs;
    if (fsyncs === undefined || this.incrFd < 0) throw new Error("The append only file is not open");
    const length = this.pending.length;
    if (length === 0) return fsyncs.writtenSeq;

    const bytes = this.pending.view();
    let written = 0;
    try {
      while (written < length) written += this.fs.writeSync(this.incrFd, bytes, written, length - written);
    } catch (error) {
      this.recoverFromWriteError(written);
      this.writeError = new Error(`Error writing to the AOF file: ${errorMessage(error)}`, { cause: error });
      this.logger.warning(this.writeError.message);
      throw this.writeError;
    }
    this.pending.clear();
    this.recordWritten(length);
    if (this.writeError !== undefined) {
      this.logger.warning("AOF write error looks solved, kv can write again.");
      this.writeError = undefined;
    }
    return fsyncs.writtenSeq;
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
   * BGREWRITEAOF. Synchronously, in the caller's turn: flushes, switches logging to a
   * new incr file (persisted in the manifest next to the old files, so a crash now
   * loses nothing) and calls `snapshot`, which must emit the dataset as it is at this
   * instant; commands logged from here on go to the new incr file, so the base plus
   * that file is exactly the dataset, with no rewrite buffer as in Redis < 7.
   * The snapshot is written to a temp file as it is emitted (bounded memory; the
   * event loop is blocked for the snapshot anyway). Then, asynchronously, the temp
   * file is fdatasync'ed off the event loop, installed as the new base, the manifest
   * switched to new base + new incr, and the old files deleted.
   */
  rewrite(snapshot: AofSnapshot): Promise<void> {
    if (this.state !== "open") return Promise.reject(new Error("The append only file is not open"));
    if (this.rewriteStartedAt !== undefined) {
      return Promise.reject(new Error("Background append only file rewriting already in progress"));
    }
    this.rewriteStartedAt = Date.now();
    this.rewriteCount++;
    let temp: SnapshotFile | undefined;
    try {
      this.openNewIncrFile();
      this.reportRewriteStep("incr-opened");
      temp = this.writeSnapshot(snapshot);
      this.reportRewriteStep("base-written");
    } catch (error) {
      if (temp !== undefined) this.discardSnapshot(temp);
      this.finishRewrite(error, 0);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.completeRewrite(temp);
  }

  info(): AofPersistenceInfo {
    const rewriteStartedAt = this.rewriteStartedAt;
    return {
      aof_enabled: this.state === "open" ? 1 : 0,
      aof_rewrite_in_progress: rewriteStartedAt === undefined ? 0 : 1,
      aof_rewrite_scheduled: 0,
      aof_last_rewrite_time_sec: this.lastRewriteTimeSec,
      aof_current_rewrite_time_sec: rewriteStartedAt === undefined ? -1 : Math.floor((Date.now() - rewriteStartedAt) / 1000),
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
    // Set first: a rewrite waiting on its fdatasync sees it and abandons.
    this.state = "closed";
    this.stopEverysecTimer();
    let failure: unknown;
    try {
      this.flush();
    } catch (error) {
      failure = error;
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
    this.incrSize = this.fs.fstatSync(fd).size;
    this.fsyncs = new FsyncScheduler(this.fs, fd, this.appendFsyncPolicy === "always");
    this.state = "open";
    this.deleteHistoryFiles();
    this.removeTempFiles();
    this.applyFsyncPolicy();
  }

  private applyFsyncPolicy(): void {
    if (this.fsyncs) this.fsyncs.eager = this.appendFsyncPolicy === "always";
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

  private recordWritten(bytes: number): void {
    this.incrSize += bytes;
    this.currentSize += bytes;
    this.fsyncs?.recordWrite(bytes);
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
    this.pending.consume(written);
    this.recordWritten(written);
  }

  // ---------------------------------------------------------------------------
  // Rewrite
  // ---------------------------------------------------------------------------

  /** Step 1 (Redis's openNewIncrAofForAppend). */
  private openNewIncrFile(): void {
    this.flush(); // what was appended before the switch belongs to the old incr file
    const entry = this.newIncrEntry(this.manifest);
    const path = join(this.aofDirPath, entry.fileName);
    const fd = this.fs.openSync(path, NEW_INCR_FLAGS, 0o644);
    const next: AofManifest = { ...this.manifest, incrs: [...this.manifest.incrs, entry] };
    try {
      this.persistManifest(next);
    } catch (error) {
      this.fs.closeSync(fd);
      removeQuietly(this.fs, path);
      throw error;
    }
    this.manifest = next;
    this.fsyncs?.switchFile(fd);
    this.incrFd = fd;
    this.incrSize = 0;
    this.lastDb = -1;
    this.logger.notice(`Creating AOF incr file ${entry.fileName} on background rewrite`);
  }

  /** Step 2: stream the snapshot into a temp file in the AOF directory (same filesystem, so rename is atomic). */
  private writeSnapshot(snapshot: AofSnapshot): SnapshotFile {
    const path = join(this.aofDirPath, `${TEMP_PREFIX}rewriteaof-bg-${process.pid}.aof`);
    const fd = this.fs.openSync(path, "w", 0o644);
    const file: SnapshotFile = { path, fd, size: 0, fdOpen: true };
    const encoder = new RespCommandBuffer(64 * 1024);
    let open = true;
    const writeOut = (): void => {
      writeFully(this.fs, fd, encoder.view(), 0, encoder.length);
      file.size += encoder.length;
      encoder.clear();
    };
    try {
      snapshot((args) => {
        if (!open) throw new Error("The rewrite snapshot emitter was used after the snapshot returned");
        encoder.appendCommand(args);
        if (encoder.length >= SNAPSHOT_WRITE_CHUNK) writeOut();
      });
      open = false;
      writeOut();
    } catch (error) {
      open = false;
      this.discardSnapshot(file);
      throw error;
    }
    return file;
  }

  private async completeRewrite(temp: SnapshotFile): Promise<void> {
    let installed = false;
    try {
      await this.fdatasync(temp.fd);
      temp.fdOpen = false;
      this.fs.closeSync(temp.fd);
      this.throwIfClosedDuringRewrite();
      this.reportRewriteStep("base-synced");

      const baseSize = this.installBase(temp);
      installed = true;
      this.reportRewriteStep("base-installed");

      this.deleteHistoryFiles();
      this.reportRewriteStep("history-deleted");
      this.finishRewrite(undefined, baseSize);
    } catch (error) {
      if (!installed) this.discardSnapshot(temp);
      this.finishRewrite(error, 0);
      throw error;
    }
  }

  /** Step 4 (Redis's backgroundRewriteDoneHandler): the new base replaces the old base and every incr but the current one. */
  private installBase(temp: SnapshotFile): number {
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
      this.persistManifest(next);
    } catch (error) {
      removeQuietly(this.fs, basePath);
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

  private finishRewrite(error: unknown, baseSize: number): void {
    const startedAt = this.rewriteStartedAt ?? Date.now();
    this.rewriteStartedAt = undefined;
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

  private reportRewriteStep(step: AofRewriteStep): void {
    this.onRewriteStep?.(step);
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

interface SnapshotFile {
  path: string;
  fd: number;
  size: number;
  fdOpen: boolean;
}

function isReferenced(manifest: AofManifest, fileName: string): boolean {
  return (
    manifest.base?.fileName === fileName ||
    manifest.history.some((entry) => entry.fileName === fileName) ||
    manifest.incrs.some((entry) => entry.fileName === fileName)
  );
}
