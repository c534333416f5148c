import { join } from "node:path";
import { AOF_END, AOF_TRUNCATED, readAofCommand } from "./aof-command-reader.js";
import type { AofFileSystem } from "./aof-file-system.js";
import { AofFormatProblem, AofLoadError } from "./aof-load-error.js";
import type { AofLogger } from "./aof-logger.js";
import { errorMessage } from "./durable-fs.js";
import { FileCursor } from "./file-cursor.js";
import { RDB_SIGNATURE, readRdb } from "./rdb/rdb-reader.js";

/**
 * Receives the replayed command stream. The server's engine executes each command
 * through its normal command table with a socket-less client (Redis's fake AOF
 * client); MULTI/EXEC arrive as commands too, and only once the EXEC was read.
 */
export interface AofCommandSink {
  command(args: string[]): void;
}

export interface AofReplayOptions {
  fs: AofFileSystem;
  logger: AofLogger;
  loadTruncated: boolean;
}

interface QueuedCommand {
  args: string[];
  offset: number;
}

/**
 * Replays the files of one AOF set, in order, into a sink, with Redis's recovery
 * rules: only the last file may end in the middle of a command, and then only with
 * loadTruncated (aof-load-truncated), in which case the file is cut back to the last
 * complete command, or to before an unterminated MULTI. Anything else is an error
 * naming the file and offset.
 */
export class AofReplay {
  commands = 0;
  truncated = false;
  /** Database the stream has selected so far, to give every file a fresh client's view. */
  private selectedDb = 0;
  private segmentStart = true;

  constructor(
    private readonly sink: AofCommandSink,
    private readonly options: AofReplayOptions,
  ) {}

  /** Replays one file; returns its size in bytes afterwards (smaller if its tail was cut). */
  replayFile(dirPath: string, fileName: string, isLastFile: boolean): number {
    const { fs } = this.options;
    const path = join(dirPath, fileName);
    let fd: number;
    try {
      fd = fs.openSync(path, "r");
    } catch (error) {
      throw new AofLoadError(`Can't open the append only file ${fileName} for reading: ${errorMessage(error)}`, fileName, undefined, {
        cause: error,
      });
    }
    try {
      return this.replayOpenFile(fd, path, fileName, isLastFile);
    } finally {
      fs.closeSync(fd);
    }
  }

  private replayOpenFile(fd: number, path: string, fileName: string, isLastFile: boolean): number {
    const size = this.options.fs.fstatSync(fd).size;
    if (size === 0) return 0;
    const cursor = new FileCursor(this.options.fs, fd);
    // Redis loads every file with a new fake client, so each file starts in db 0.
    this.segmentStart = true;
    try {
      if (startsWithRdbSignature(cursor)) {
        readRdb(cursor, {
          emit: (args) => this.deliver(args, fileName, cursor.offset),
          warning: (message) => this.options.logger.warning(`${message} (${fileName})`),
          notice: (message) => this.options.logger.notice(message),
        });
        // The AOF tail of an old-style preamble file runs on the fake client, in db 0 again.
        this.segmentStart = true;
      }
      return this.replayCommands(cursor, path, fileName, isLastFile, size);
    } catch (error) {
      if (error instanceof AofFormatProblem) throw describeProblem(error, fileName);
      throw error;
    }
  }

  private replayCommands(cursor: FileCursor, path: string, fileName: string, isLastFile: boolean, size: number): number {
    let validUpTo = cursor.offset;
    let transaction: QueuedCommand[] | undefined;
    let validBeforeTransaction = validUpTo;
    for (;;) {
      const offset = cursor.offset;
      const result = readAofCommand(cursor);
      if (result === AOF_END) {
        if (transaction === undefined) return size;
        this.options.logger.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${fileName}`);
        return this.handleShortRead(path, fileName, isLastFile, validBeforeTransaction, size, "the file ends inside a MULTI block");
      }
      if (result === AOF_TRUNCATED) {
        const cutAt = transaction === undefined ? validUpTo : validBeforeTransaction;
        if (transaction !== undefined) {
          this.options.logger.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${fileName}`);
        }
        return this.handleShortRead(path, fileName, isLastFile, cutAt, size, "the file ends inside a command");
      }

      if (transaction !== undefined) {
        transaction.push({ args: result, offset });
        if (isCommand(result, "exec") || isCommand(result, "discard")) {
          for (const queued of transaction) this.deliver(queued.args, fileName, queued.offset);
          transaction = undefined;
          validUpTo = cursor.offset;
        }
      } else if (isCommand(result, "multi")) {
        // Held back until EXEC: a transaction cut by a crash must not be half applied.
        transaction = [{ args: result, offset }];
        validBeforeTransaction = validUpTo;
      } else {
        this.deliver(result, fileName, offset);
        validUpTo = cursor.offset;
      }
    }
  }

  private handleShortRead(
    path: string,
    fileName: string,
    isLastFile: boolean,
    validUpTo: number,
    size: number,
    what: string,
  ): number {
    const { logger, loadTruncated, fs } = this.options;
    if (!isLastFile) {
      throw new AofLoadError(
        `Unexpected end of file reading the append only file ${fileName} at offset ${validUpTo}: ${what} ` +
          `(file size ${size}); only the last file of the AOF set may be truncated`,
        fileName,
        validUpTo,
      );
    }
    if (!loadTruncated) {
      throw new AofLoadError(
        `Unexpected end of file reading the append only file ${fileName} at offset ${validUpTo}: ${what} ` +
          `(file size ${size}); enable aof-load-truncated to cut the incomplete tail`,
        fileName,
        validUpTo,
      );
    }
    logger.warning(`!!! Warning: short read while loading the AOF file ${fileName}!!!`);
    logger.warning(`!!! Truncating the AOF ${fileName} at offset ${validUpTo} (${size - validUpTo} bytes dropped) !!!`);
    try {
      fs.truncateSync(path, validUpTo);
    } catch (error) {
      throw new AofLoadError(`Error truncating the AOF file ${fileName}: ${errorMessage(error)}`, fileName, validUpTo, {
        cause: error,
      });
    }
    logger.warning(`AOF ${fileName} loaded anyway because aof-load-truncated is enabled`);
    this.truncated = true;
    return validUpTo;
  }

  private deliver(args: string[], fileName: string, offset: number): void {
    const isSelect = isCommand(args, "select");
    if (this.segmentStart) {
      this.segmentStart = false;
      if (!isSelect && this.selectedDb !== 0) this.execute(["SELECT", "0"], fileName, offset);
    }
    if (isSelect && args.length === 2) {
      const db = Number(args[1]);
      if (Number.isSafeInteger(db)) this.selectedDb = db;
    }
    this.execute(args, fileName, offset);
  }

  private execute(args: string[], fileName: string, offset: number): void {
    try {
      this.sink.command(args);
    } catch (error) {
      throw new AofLoadError(
        `Error replaying the command '${args[0] ?? ""}' at offset ${offset} of the append only file ${fileName}: ${errorMessage(error)}`,
        fileName,
        offset,
        { cause: error },
      );
    }
    this.commands++;
  }
}

function startsWithRdbSignature(cursor: FileCursor): boolean {
  if (!cursor.ensure(RDB_SIGNATURE.length)) return false;
  for (let i = 0; i < RDB_SIGNATURE.length; i++) {
    if (cursor.peek(i) !== RDB_SIGNATURE.charCodeAt(i)) return false;
  }
  return true;
}

/** Case-insensitive command-name test that rejects on length before lowering anything. */
function isCommand(args: readonly string[], lowerName: string): boolean {
  const name = args[0];
  return name !== undefined && name.length === lowerName.length && name.toLowerCase() === lowerName;
}

function describeProblem(problem: AofFormatProblem, fileName: string): AofLoadError {
  const message =
    problem.kind === "unsupported"
      ? `${problem.detail} in ${fileName} at offset ${problem.offset}`
      : `Bad file format reading the append only file ${fileName} at offset ${problem.offset}: ${problem.detail}`;
  return new AofLoadError(message, fileName, problem.offset, { cause: problem });
}
