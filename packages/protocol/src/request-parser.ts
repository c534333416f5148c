import { constants as bufferConstants } from "node:buffer";
import { InputBuffer } from "./input-buffer.js";
import { latin1Slice } from "./latin1.js";
import { parseLongLong } from "./parse-long-long.js";
import { ProtocolError } from "./protocol-error.js";
import { RespType } from "./resp-type.js";
import { splitArgs } from "./split-args.js";

export interface RequestParserLimits {
  /** proto-max-bulk-len: the longest argument accepted. Default 512 MiB. */
  maxBulkLength: number;
  /** PROTO_INLINE_MAX_SIZE: the longest inline line, and the longest `*`/`$` count line. Default 64 KiB. */
  maxInlineLength: number;
}

const DEFAULT_LIMITS: RequestParserLimits = {
  maxBulkLength: 512 * 1024 * 1024,
  maxInlineLength: 64 * 1024,
};

const NUL = 0x00;
const LF = 0x0a;
const CR = 0x0d;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const STAR = RespType.Array;
const DOLLAR = RespType.BulkString;

const INT_MAX = 2147483647;
/** Redis's limits for a client that still has to AUTH (networking.c, authRequired()). */
const UNAUTHENTICATED_MAX_ARGUMENTS = 10;
const UNAUTHENTICATED_MAX_BULK_LENGTH = 16384;
/**
 * PROTO_MBULK_BIG_ARG: from this size on, an argument that has not fully arrived gets a buffer
 * of its own that later chunks are copied into, instead of growing the input buffer.
 */
const BIG_ARGUMENT = 32 * 1024;
/** The big argument's first buffer: what has arrived, with room to double, at least this much. */
const BIG_ARGUMENT_FIRST_CAPACITY = 64 * 1024;
/**
 * Once this fraction of a big argument has arrived, its buffer gets its final size at once:
 * every doubling touches fresh pages again (measured: a 100 MB value costs 2x the time with
 * doubling all the way), while a client must have sent 1/8 of what it announced first.
 */
const BIG_ARGUMENT_COMMIT_DIVISOR = 8;
/** Count lines up to this many digits are parsed with plain doubles, which are exact below 2^53. */
const FAST_DIGITS = 15;
/** readLength's "the line has not fully arrived"; also bulkLength's "header not read yet". */
const NEED_MORE = -1;

const INVALID_MULTIBULK_LENGTH = "Protocol error: invalid multibulk length";
const INVALID_BULK_LENGTH = "Protocol error: invalid bulk length";
const TOO_BIG_MULTIBULK_COUNT = "Protocol error: too big mbulk count string";
const TOO_BIG_BULK_COUNT = "Protocol error: too big bulk count string";
const TOO_BIG_INLINE = "Protocol error: too big inline request";
const UNBALANCED_QUOTES = "Protocol error: unbalanced quotes in request";
const UNAUTHENTICATED_MULTIBULK_LENGTH = "Protocol error: unauthenticated multibulk length";
const UNAUTHENTICATED_BULK_LENGTH = "Protocol error: unauthenticated bulk length";

/**
 * Between commands. Never written to: each `*<count>` header replaces it with a fresh array
 * before any argument is stored.
 */
const NO_ARGS: string[] = [];
/** Headers up to this count get an array of exactly their size (Redis preallocates up to 1024 argv slots). */
const PRESIZE_MAX = 1024;

/**
 * Incremental parser of client requests, byte for byte what Redis 7.0's processInputBuffer
 * accepts: RESP multibulk (`*<n>\r\n$<len>\r\n<bytes>\r\n...`) when the first byte is '*', the
 * inline protocol (`SET k v\r\n`, what nc and telnet send) otherwise. Arguments come out as
 * latin1 strings, one allocation each.
 *
 * Deliberate differences from Redis, all about inputs Redis itself handles inconsistently:
 * - A line longer than maxInlineLength is refused even when its terminator arrived in the same
 *   read. Redis only checks when the terminator is missing, so there the outcome depends on how
 *   the bytes were split into reads; here it does not.
 * - An argument longer than V8's maximum string length is an invalid bulk length (it could not
 *   be represented); with the default proto-max-bulk-len that only cuts off the last 24 bytes.
 */
export class RequestParser {
  /** When false, Redis's unauthenticated limits apply (multibulk <= 10 args, bulk <= 16384). */
  authenticated = true;

  private bulkLengthLimit: number;
  private readonly maxInlineLength: number;
  private readonly input = new InputBuffer(true);

  // The multibulk in progress, kept across calls like c->argv, c->multibulklen, c->bulklen.
  private args: string[] = NO_ARGS;
  /** Arguments stored in args so far. */
  private argsFilled = 0;
  private argumentsLeft = 0;
  private bulkLength = -1;
  private bigArgument: Buffer | undefined = undefined;
  private bigArgumentFilled = 0;
  /** The big argument's declared length plus its CRLF: what bigArgument grows to. */
  private bigArgumentTotal = 0;

  private failure: ProtocolError | undefined = undefined;
  /** Where the line whose length readLength just parsed ends (after its CRLF). */
  private lineEnd = 0;

  // A line terminator search that came up empty, so a line trickling in byte by byte is not
  // rescanned from its start on every chunk: valid while the line starts at scanPos of the
  // same input epoch.
  private scanEpoch = -1;
  private scanPos = -1;
  private scanned = 0;
  private scanBlocked = false;

  constructor(limits: Partial<RequestParserLimits> = {}) {
    const { maxBulkLength, maxInlineLength } = { ...DEFAULT_LIMITS, ...limits };
    this.bulkLengthLimit = Math.min(maxBulkLength, bufferConstants.MAX_STRING_LENGTH);
    this.maxInlineLength = maxInlineLength;
  }

  /** proto-max-bulk-len; Redis applies a CONFIG SET of it to connected clients too, from their next argument on. */
  get maxBulkLength(): number {
    return this.bulkLengthLimit;
  }

  set maxBulkLength(length: number) {
    this.bulkLengthLimit = Math.min(length, bufferConstants.MAX_STRING_LENGTH);
  }

  /** Bytes received but not yet consumed (query buffer size). */
  get bufferedBytes(): number {
    return this.input.length + (this.bigArgument === undefined ? 0 : this.bigArgumentFilled);
  }

  /**
   * Bytes still missing from a big argument that has started to arrive (0 when none is):
   * Redis sizes its next read to exactly this (readQueryFromClient's big_arg).
   */
  get bigArgumentMissing(): number {
    return this.bigArgument === undefined ? 0 : this.bigArgumentTotal - this.bigArgumentFilled;
  }

  /**
   * Adds received bytes. The chunk is used in place, not copied, until its bytes are parsed,
   * so it must not be modified afterwards (socket chunks never are).
   */
  feed(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    if (this.bigArgument !== undefined) {
      const missing = this.bigArgumentTotal - this.bigArgumentFilled;
      if (missing > 0) {
        const take = Math.min(missing, chunk.length);
        const big = this.reserveBigArgument(this.bigArgumentFilled + take);
        this.bigArgumentFilled += chunk.copy(big, this.bigArgumentFilled, 0, take);
        if (take === chunk.length) return;
        chunk = chunk.subarray(take);
      }
    }
    this.input.append(chunk);
  }

  /**
   * Next complete command as latin1 strings, or undefined when more bytes are needed.
   * Empty inline lines are skipped. Throws ProtocolError; after that the parser is unusable
   * (the server replies "-ERR <message>" and closes, like Redis).
   */
  next(): string[] | undefined {
    if (this.failure !== undefined) throw this.failure;
    const input = this.input;
    for (;;) {
      if (this.argumentsLeft === 0) {
        const pos = input.pos;
        if (pos >= input.end) {
          input.clear();
          return undefined;
        }
        if (input.buf[pos] !== STAR) {
          const inline = this.readInline(pos);
          if (inline === undefined) return undefined;
          if (inline.length === 0) continue;
          if (input.pos === input.end) input.clear();
          return inline;
        }
        const count = this.readLength(pos, true);
        if (count === NEED_MORE) return undefined;
        input.pos = this.lineEnd;
        // `*0` and `*-1` are empty commands, skipped like Redis's resetClient on argc == 0.
        if (count === 0) continue;
        this.argumentsLeft = count;
        // Sized up front, as Redis sizes c->argv: an array grown by push starts at 16 slots,
        // 100 bytes more per command than SET needs. Capped like Redis's (1024), so a
        // header alone cannot make a big allocation.
        this.args = count <= PRESIZE_MAX ? new Array<string>(count) : [];
        this.argsFilled = 0;
      }
      if (this.bigArgument !== undefined && !this.takeBigArgument()) return undefined;
      if (this.argumentsLeft > 0 && !this.readArguments()) return undefined;
      // An idle connection must not pin the last chunk it received.
      if (input.pos === input.end) input.clear();
      const args = this.args;
      this.args = NO_ARGS;
      return args;
    }
  }

  /** Reads bulk arguments until the command is complete (true) or input runs out (false). */
  private readArguments(): boolean {
    const input = this.input;
    const buf = input.buf;
    const end = input.end;
    const args = this.args;
    let pos = input.pos;
    let left = this.argumentsLeft;
    let length = this.bulkLength;
    while (left > 0) {
      if (length < 0) {
        length = this.readLength(pos, false);
        if (length === NEED_MORE) break;
        pos = this.lineEnd;
      }
      if (end - pos < length + 2) {
        if (length >= BIG_ARGUMENT) {
          input.pos = pos;
          this.argumentsLeft = left;
          this.bulkLength = length;
          this.startBigArgument(length);
          return false;
        }
        break;
      }
      args[this.argsFilled++] = latin1Slice(buf, pos, pos + length);
      // Like Redis, the two bytes after the payload are skipped without looking at them.
      pos += length + 2;
      length = -1;
      left--;
    }
    input.pos = pos;
    this.argumentsLeft = left;
    this.bulkLength = length;
    return left === 0;
  }

  /**
   * Parses the `*<count>` or `$<length>` line at `pos` (which starts with '*' or, hopefully,
   * '$'): the length, or NEED_MORE. Sets lineEnd. Throws Redis's errors for bad lines.
   */
  private readLength(pos: number, multibulk: boolean): number {
    const input = this.input;
    const buf = input.buf;
    const end = input.end;
    // Fast path: the marker, 1 to 15 digits without a leading zero, CR, one more byte.
    if (multibulk || buf[pos] === DOLLAR) {
      let p = pos + 1;
      if (p < end) {
        const first = buf[p]!;
        let value = first - DIGIT_0;
        if (first >= DIGIT_1 && first <= DIGIT_9) {
          const limit = Math.min(end, p + FAST_DIGITS);
          p++;
          while (p < limit) {
            const c = buf[p]!;
            if (c < DIGIT_0 || c > DIGIT_9) break;
            value = value * 10 + (c - DIGIT_0);
            p++;
          }
        } else if (first === DIGIT_0) {
          p++;
        } else {
          value = -1; // a sign or garbage: the slow path sorts it out
        }
        if (value >= 0 && p + 1 < end && buf[p] === CR && p - pos <= this.maxInlineLength) {
          this.lineEnd = p + 2;
          return multibulk ? this.checkMultibulkLength(value) : this.checkBulkLength(value);
        }
      }
    }
    return this.readLengthSlowly(pos, multibulk);
  }

  /** Everything the fast path does not handle, step by step as processMultibulkBuffer does. */
  private readLengthSlowly(pos: number, multibulk: boolean): number {
    const input = this.input;
    const cr = this.findTerminator(CR, pos);
    const tooBig = multibulk ? TOO_BIG_MULTIBULK_COUNT : TOO_BIG_BULK_COUNT;
    if (cr === -1) {
      if (input.end - pos > this.maxInlineLength) throw this.fail(tooBig);
      return NEED_MORE;
    }
    if (cr - pos > this.maxInlineLength) throw this.fail(tooBig);
    // Redis wants one byte after the CR but never checks that it is a LF.
    if (cr === input.end - 1) return NEED_MORE;
    const buf = input.buf;
    const marker = buf[pos]!;
    if (!multibulk && marker !== DOLLAR) {
      throw this.fail(`Protocol error: expected '$', got '${String.fromCharCode(marker)}'`);
    }
    const value = parseLongLong(buf, pos + 1, cr);
    if (value === undefined) throw this.fail(multibulk ? INVALID_MULTIBULK_LENGTH : INVALID_BULK_LENGTH);
    this.lineEnd = cr + 2;
    if (multibulk) {
      if (value > INT_MAX) throw this.fail(INVALID_MULTIBULK_LENGTH);
      return this.checkMultibulkLength(Number(value));
    }
    if (value < 0 || value > this.bulkLengthLimit) throw this.fail(INVALID_BULK_LENGTH);
    return this.checkBulkLength(Number(value));
  }

  private checkMultibulkLength(count: number): number {
    if (count > INT_MAX) throw this.fail(INVALID_MULTIBULK_LENGTH);
    if (count > UNAUTHENTICATED_MAX_ARGUMENTS && !this.authenticated) {
      throw this.fail(UNAUTHENTICATED_MULTIBULK_LENGTH);
    }
    return count < 0 ? 0 : count;
  }

  private checkBulkLength(length: number): number {
    if (length > this.bulkLengthLimit) throw this.fail(INVALID_BULK_LENGTH);
    if (length > UNAUTHENTICATED_MAX_BULK_LENGTH && !this.authenticated) {
      throw this.fail(UNAUTHENTICATED_BULK_LENGTH);
    }
    return length;
  }

  /**
   * The argument gets a buffer of its own that later chunks are copied straight into, so a
   * 100 MB value is not re-concatenated per chunk. Unlike Redis (sdsMakeRoomForNonGreedy to
   * the declared length), the buffer grows with what has arrived: a client that declares
   * `$500000000` and then drips bytes holds memory for what it sent (at most 8 times that, and
   * 64 KB at least), not for what it announced.
   */
  private startBigArgument(length: number): void {
    const input = this.input;
    const arrived = input.end - input.pos;
    this.bigArgumentTotal = length + 2;
    this.bigArgument = Buffer.allocUnsafeSlow(this.bigArgumentCapacity(arrived, BIG_ARGUMENT_FIRST_CAPACITY / 2));
    this.bigArgumentFilled = input.buf.copy(this.bigArgument, 0, input.pos, input.end);
    input.clear();
  }

  /** Doubling, or the whole argument once 1/8 of it is in. */
  private bigArgumentCapacity(needed: number, current: number): number {
    const total = this.bigArgumentTotal;
    if (needed * BIG_ARGUMENT_COMMIT_DIVISOR >= total) return total;
    return Math.min(total, Math.max(needed, current * 2));
  }

  /** The big argument's buffer with room for `needed` bytes. */
  private reserveBigArgument(needed: number): Buffer {
    const big = this.bigArgument!;
    if (needed <= big.length) return big;
    const grown = Buffer.allocUnsafeSlow(this.bigArgumentCapacity(needed, big.length));
    big.copy(grown, 0, 0, this.bigArgumentFilled);
    this.bigArgument = grown;
    return grown;
  }

  /** Completes the big argument if all of it has arrived. */
  private takeBigArgument(): boolean {
    const big = this.bigArgument!;
    if (this.bigArgumentFilled < this.bigArgumentTotal) return false;
    this.args[this.argsFilled++] = latin1Slice(big, 0, this.bigArgumentTotal - 2);
    this.bigArgument = undefined;
    this.bigArgumentFilled = 0;
    this.bulkLength = -1;
    this.argumentsLeft--;
    return true;
  }

  /** processInlineBuffer: one line, split like sdssplitargs. Undefined when the line is incomplete. */
  private readInline(pos: number): string[] | undefined {
    const input = this.input;
    const lf = this.findTerminator(LF, pos);
    if (lf === -1) {
      if (input.end - pos > this.maxInlineLength) throw this.fail(TOO_BIG_INLINE);
      return undefined;
    }
    if (lf - pos > this.maxInlineLength) throw this.fail(TOO_BIG_INLINE);
    const buf = input.buf;
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const args = splitArgs(buf, pos, lineEnd);
    if (args === undefined) throw this.fail(UNBALANCED_QUOTES);
    input.pos = lf + 1;
    return args;
  }

  /**
   * Index of the first `terminator` after `pos`, as Redis's strchr on the query buffer finds it:
   * a NUL byte before it ends the C string, so such a line never completes (until it is too big).
   */
  private findTerminator(terminator: number, pos: number): number {
    const input = this.input;
    let from = pos;
    if (this.scanEpoch === input.epoch && this.scanPos === pos) {
      if (this.scanBlocked) return -1;
      from = pos + this.scanned;
    } else {
      this.scanEpoch = input.epoch;
      this.scanPos = pos;
      this.scanBlocked = false;
    }
    const at = input.indexOf(terminator, from);
    const searched = at === -1 ? input.end : at;
    if (input.indexOf(NUL, from, searched) !== -1) {
      this.scanBlocked = true;
      return -1;
    }
    this.scanned = searched - pos;
    return at;
  }

  private fail(message: string): ProtocolError {
    this.failure = new ProtocolError(message);
    // The connection is going away; do not keep its buffers alive until then.
    this.input.clear();
    this.args = NO_ARGS;
    this.bigArgument = undefined;
    return this.failure;
  }
}
