import type { AofFileSystem } from "./aof-file-system.js";
import { errorMessage } from "./durable-fs.js";

/** Called once the bytes up to a sequence number are on disk, or with the fsync error. */
export type SyncedCallback = (error: Error | undefined) => void;

/** What the AOF hears about fsync failures (for logging and the MISCONF state). */
export interface FsyncEvents {
  /** The first failed round after success; `error.cause` is the fdatasync error. */
  failed?(error: Error): void;
  /** A round succeeded after a failure. */
  recovered?(): void;
}

interface Waiter {
  seq: number;
  callback: SyncedCallback;
}

/**
 * Group commit for the AOF. Sequence numbers count bytes written since open, across
 * incr files. At most one fdatasync round runs at a time, on the libuv threadpool so
 * the event loop keeps serving clients; when it completes, every waiter at or below
 * the synced point is released, and if more bytes were written meanwhile the next
 * round starts at once. Under `always` many clients therefore share each fdatasync,
 * the same trade Redis makes by fsyncing once per event-loop iteration.
 *
 * An incr file replaced by a rewrite is fdatasync'ed in the next round and then
 * closed, like Redis's background fsync-and-close job.
 *
 * A failed fdatasync stops the rounds but fails no one: waiters stay queued (their
 * replies held) and no round runs until `retry()`. After EIO the kernel may already have
 * marked the dirty pages clean without writing them, so a later fsync of the same pages
 * proves nothing; the AOF therefore writes the unsynced bytes again before retrying (see
 * AppendOnlyFile.retryAfterError), and only a round that succeeds after that clears the
 * failure. Redis exits under `always` and under `everysec` trusts the next fsync.
 */
export class FsyncScheduler {
  private written = 0;
  private synced = 0;
  private waiters: Waiter[] = [];
  private inFlight = false;
  private retired: number[] = [];
  private retiredInFlight: number[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly fs: AofFileSystem,
    private currentFd: number,
    /** Start a round as soon as bytes are written (`always`), instead of on a timer or on demand. */
    public eager: boolean,
    private readonly events: FsyncEvents = {},
  ) {}

  get writtenSeq(): number {
    return this.written;
  }

  get syncedSeq(): number {
    return this.synced;
  }

  get syncInProgress(): boolean {
    return this.inFlight;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  recordWrite(bytes: number): void {
    this.written += bytes;
    if (this.eager) this.kick();
  }

  /** The AOF moved to a new incr file: the old one still needs its fdatasync before it is closed. */
  switchFile(fd: number): void {
    this.retired.push(this.currentFd);
    this.currentFd = fd;
    this.kick();
  }

  whenSynced(seq: number, callback: SyncedCallback): void {
    if (seq <= this.synced) {
      callback(undefined);
      return;
    }
    if (this.closed) {
      callback(new Error("The append only file is closed"));
      return;
    }
    this.waiters.push({ seq, callback });
    this.kick();
  }

  /** The `everysec` tick: one background round if anything is unsynced and none is running. */
  backgroundSync(): void {
    this.kick();
  }

  /**
   * After a failed round: fdatasync the current file again, plus `extraFds` (descriptors on
   * which the caller has just rewritten the unsynced bytes; they are closed after the round).
   * False when a round is already running or the scheduler is closed.
   */
  retry(extraFds: readonly number[]): boolean {
    if (this.inFlight || this.closed) return false;
    this.retired.push(...extraFds);
    this.startRound();
    return true;
  }

  /** The caller made the unsynced bytes durable itself (synchronously, at shutdown). */
  markRecovered(): void {
    if (this.failure === undefined) return;
    this.failure = undefined;
    this.events.recovered?.();
  }

  /** Synchronous final sync (shutdown): every file is fdatasync'ed and closed before returning. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let failure: unknown;
    // A round still running on the threadpool will find `closed` set and touch nothing.
    for (const fd of [...this.retiredInFlight, ...this.retired, this.currentFd]) {
      try {
        this.fs.fdatasyncSync(fd);
      } catch (error) {
        failure ??= error;
      }
      try {
        this.fs.closeSync(fd);
      } catch (error) {
        failure ??= error;
      }
    }
    this.retired = [];
    this.retiredInFlight = [];
    if (failure === undefined && this.failure === undefined) {
      this.synced = this.written;
      this.release();
      // Whatever is left asked for bytes that were never written (flush was not called).
      this.failAll(new Error("The append only file was closed before these bytes were written"));
      return;
    }
    this.failure ??= new Error(`Can't persist AOF on close: ${errorMessage(failure)}`, { cause: failure });
    this.failAll(this.failure);
    throw this.failure;
  }

  private kick(): void {
    if (this.inFlight || this.closed || this.failure) return;
    if (this.written > this.synced || this.retired.length > 0) this.startRound();
  }

  private startRound(): void {
    this.inFlight = true;
    const target = this.written;
    this.retiredInFlight = this.retired;
    this.retired = [];
    this.syncNext([...this.retiredInFlight, this.currentFd], 0, target);
  }

  private syncNext(fds: number[], index: number, target: number): void {
    this.fs.fdatasync(fds[index]!, (error) => {
      if (this.closed) return;
      if (error) this.finishRound(target, error);
      else if (index + 1 < fds.length) this.syncNext(fds, index + 1, target);
      else this.finishRound(target, undefined);
    });
  }

  private finishRound(target: number, error: NodeJS.ErrnoException | undefined): void {
    this.inFlight = false;
    for (const fd of this.retiredInFlight) {
      try {
        this.fs.closeSync(fd);
      } catch {
        // the data is synced (or the error below is reported); a failing close changes nothing for the reader
      }
    }
    this.retiredInFlight = [];
    if (error) {
      const first = this.failure === undefined;
      this.failure = new Error(`Can't persist AOF for fsync error: ${error.message}`, { cause: error });
      if (first) this.events.failed?.(this.failure);
      return;
    }
    if (target > this.synced) this.synced = target;
    if (this.failure !== undefined) {
      this.failure = undefined;
      this.events.recovered?.();
    }
    this.release();
    if (this.retired.length > 0 || (this.written > this.synced && (this.eager || this.waiters.length > 0))) {
      this.startRound();
    }
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const ready: Waiter[] = [];
    const pending: Waiter[] = [];
    for (const waiter of this.waiters) (waiter.seq <= this.synced ? ready : pending).push(waiter);
    this.waiters = pending;
    for (const waiter of ready) waiter.callback(undefined);
  }

  private failAll(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.callback(error);
  }
}
