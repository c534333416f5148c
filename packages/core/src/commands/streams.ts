import type { ReplyWriter } from "@kv/protocol";
import { parseBlockTimeout } from "../blocking/block-timeout.js";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors, sanitizeErrorText, wrongArity } from "../errors.js";
import { Consumer, ConsumerGroup, INVALID_ENTRIES_READ, PendingEntry } from "../types/stream-groups.js";
import {
  compareIds,
  compareU64,
  counterAsLongLong,
  formatId,
  incrementCounter,
  incrementU64,
  INVALID_STREAM_ID,
  MAX_ID,
  MIN_ID,
  nextId,
  parseStreamId,
  previousId,
  StreamId,
  U64_MAX,
  type Counter,
  type ParsedId,
  type StreamIdLike,
  type U64,
} from "../types/stream-id.js";
import { StreamEntry, TrimStrategy, type NodeLimits, type TrimArgs } from "../types/stream-log.js";
import { StreamValue } from "../types/stream-value.js";
import { cString, optionIs } from "../util/c-string.js";
import { writeHelp } from "../util/help-reply.js";
import { parseInteger } from "../util/redis-integer.js";

/*
 * The streams family (Redis's t_stream.c): XADD and friends over a StreamValue, consumer
 * groups included. Replies, error texts, notifications and propagated forms follow
 * redis-server 7.0.15 — which differs from later releases in places that show: consumers
 * have no active-time, XINFO CONSUMERS has no "inactive", XREADGROUP creates a consumer
 * only when it serves it, and only NOACK reads propagate the group's new last ID.
 *
 * Propagation. Consumer-group commands are never logged as sent (Redis calls
 * preventCommandPropagation): XREADGROUP, XCLAIM and XAUTOCLAIM log the effect instead, as
 * XCLAIM ... FORCE JUSTID LASTID (one per pending entry created, moved or dropped), XGROUP
 * SETID ... ENTRIESREAD and XGROUP CREATECONSUMER. XADD logs the ID it generated, and
 * approximate trims (`~`) are logged as the exact trim they turned out to be.
 */

const EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items";
const XADD_ID_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const TOO_LARGE = "ERR Elements are too large to be stored";
const INVALID_START = "ERR invalid start ID for the interval";
const INVALID_END = "ERR invalid end ID for the interval";
const XGROUP_NEEDS_KEY =
  "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
/** Entries a blocked XREAD/XREADGROUP gets when served without COUNT (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/** STREAM_LISTPACK_MAX_SIZE: an entry larger than a listpack may grow is refused. */
const LISTPACK_MAX_SIZE = 1 << 30;

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

function readStream(ctx: CommandContext, key: string): StreamValue | undefined | null {
  const value = ctx.lookupRead(key);
  // A woken reader whose key now holds another type sees it as gone, not as WRONGTYPE (Redis 7.0).
  if (ctx.retrying && value !== undefined && !(value instanceof StreamValue)) return undefined;
  return ctx.ofType(value, StreamValue);
}

function writeStream(ctx: CommandContext, key: string): StreamValue | undefined | null {
  return ctx.ofType(ctx.lookupWrite(key), StreamValue);
}

/** Redis's dbAdd of a new, empty stream. */
function createStream(ctx: CommandContext, key: string): StreamValue {
  const stream = new StreamValue();
  ctx.db.set(key, stream);
  ctx.notify(NotifyClass.New, "new", key);
  return stream;
}

// Commands run one at a time, so one scratch object serves every call without allocating.
const limitsScratch: NodeLimits = { maxBytes: 0, maxEntries: 0 };

function nodeLimits(ctx: CommandContext): NodeLimits {
  const config = ctx.engine.config;
  limitsScratch.maxBytes = Number(config.get("stream-node-max-bytes"));
  limitsScratch.maxEntries = Number(config.get("stream-node-max-entries"));
  return limitsScratch;
}

/** A long long argument, or undefined after replying `error`. */
function parseLongLong(ctx: CommandContext, text: string, error: string = Errors.notInteger): number | bigint | undefined {
  const value = parseInteger(text);
  if (value === undefined) ctx.error(error);
  return value;
}

/** A stream ID argument, or undefined after replying the error. */
function parseIdOrReply(ctx: CommandContext, text: string, missingSeq: U64, strict: boolean): ParsedId | undefined {
  const id = parseStreamId(text, missingSeq, strict);
  if (id === undefined) ctx.error(INVALID_STREAM_ID);
  return id;
}

/** Every argument from `first` on as a strict stream ID (XDEL, XACK), or undefined after the first bad one's error. */
function parseIdsOrReply(ctx: CommandContext, argv: readonly string[], first: number): ParsedId[] | undefined {
  const ids: ParsedId[] = [];
  for (let j = first; j < argv.length; j++) {
    const id = parseIdOrReply(ctx, argv[j]!, 0, true);
    if (id === undefined) return undefined;
    ids.push(id);
  }
  return ids;
}

/**
 * A range bound (streamParseIntervalIDOrReply): `(` makes it exclusive, which moves it one ID
 * inwards — impossible past the ends of the ID space, hence the interval errors.
 */
function parseRangeBound(ctx: CommandContext, text: string, isStart: boolean): StreamIdLike | undefined {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 0x28; // '('
  const id = exclusive
    ? parseIdOrReply(ctx, text.slice(1), isStart ? 0 : U64_MAX, true)
    : parseIdOrReply(ctx, text, isStart ? 0 : U64_MAX, false);
  if (id === undefined || !exclusive) return id;
  const moved = isStart ? nextId(id) : previousId(id);
  if (moved === undefined) ctx.error(isStart ? INVALID_START : INVALID_END);
  return moved;
}

/** Redis formats names into errors with %s (up to a NUL), and its error replies turn CR/LF into spaces. */
function noGroupError(key: string, group: string): string {
  return sanitizeErrorText(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}'`);
}

function subcommandSyntaxError(ctx: CommandContext, argv: readonly string[]): void {
  ctx.error(
    sanitizeErrorText(
      `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1]!).slice(0, 128)}'. Try ${cString(argv[0]!).toUpperCase()} HELP.`,
    ),
  );
}

/** One entry as Redis replies it: [id, [field, value, ...]], which the entry keeps encoded. */
function replyEntry(reply: ReplyWriter, entry: StreamEntry): void {
  reply.raw(entry.encoded);
}

/** The recorded first ID after the head changed (XDEL of the first entry, a trim): the first live entry, or 0-0. */
function refreshFirstId(stream: StreamValue): void {
  const first = stream.length === 0 ? undefined : stream.log.edge(true, true);
  stream.firstId = first === undefined ? MIN_ID : new StreamId(first.ms, first.seq);
}

/**
 * Commands a group operation logs instead of itself. Redis wraps several in MULTI/EXEC
 * (propagatePendingCommands); kv logs them in order and leaves the wrapping to the engine.
 */
function propagateAll(ctx: CommandContext, commands: readonly string[][]): void {
  const last = commands.length - 1;
  if (last < 0) return;
  for (let i = 0; i < last; i++) ctx.alsoPropagate(ctx.db.index, commands[i]!);
  ctx.propagateAs(commands[last]!);
  ctx.dirty(commands.length);
}

/** XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <id> (streamPropagateXCLAIM). */
function xclaimPropagation(key: string, groupName: string, group: ConsumerGroup, id: string, pending: PendingEntry): string[] {
  return [
    "XCLAIM",
    key,
    groupName,
    pending.consumer!.name,
    "0",
    id,
    "TIME",
    String(pending.deliveryTime),
    "RETRYCOUNT",
    String(counterAsLongLong(pending.deliveryCount)),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(group.lastId),
  ];
}

/** The consumer, created when missing (with Redis's event); either way it was just seen. */
function lookupOrCreateConsumer(ctx: CommandContext, key: string, group: ConsumerGroup, name: string): [Consumer, boolean] {
  let consumer = group.consumers.get(name);
  const created = consumer === undefined;
  if (consumer === undefined) {
    consumer = new Consumer(name, ctx.now);
    group.consumers.set(name, consumer);
    ctx.notify(NotifyClass.Stream, "xgroup-createconsumer", key);
  } else {
    consumer.seenTime = ctx.now;
  }
  return [consumer, created];
}

// ---------------------------------------------------------------------------------------
// XADD / XTRIM argument parsing (streamParseAddOrTrimArgsOrReply)
// ---------------------------------------------------------------------------------------

interface AddTrimArgs extends TrimArgs {
  /** The explicit ID (`<ms>-<seq>` or `<ms>-*`); undefined for `*`. */
  id: ParsedId | undefined;
  noMkStream: boolean;
  /** Index of MAXLEN's count / MINID's ID, for rewriting an approximate trim. */
  trimArgIndex: number;
  /** XADD: index of the ID argument. */
  idIndex: number;
}

/** Whether `arg` is the one-character option `c` as a C string ("~", "=", "*"). */
function isCChar(arg: string, code: number): boolean {
  return arg.charCodeAt(0) === code && (arg.length === 1 || arg.charCodeAt(1) === 0);
}

function parseAddOrTrimArgs(ctx: CommandContext, argv: readonly string[], xadd: boolean): AddTrimArgs | undefined {
  const args: AddTrimArgs = {
    strategy: TrimStrategy.None,
    maxLen: 0,
    minId: MIN_ID,
    approx: false,
    limit: 0,
    id: undefined,
    noMkStream: false,
    trimArgIndex: 0,
    idIndex: 0,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const option = argv[i]!;
    if (xadd && isCChar(option, 0x2a)) break; // '*': the common case, an auto-generated ID
    const maxLen = optionIs(option, "maxlen");
    if ((maxLen || optionIs(option, "minid")) && moreArgs > 0) {
      if (args.strategy !== TrimStrategy.None) {
        ctx.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return undefined;
      }
      args.approx = false;
      const next = argv[i + 1]!;
      if (moreArgs >= 2 && isCChar(next, 0x7e)) {
        args.approx = true;
        i++;
      } else if (moreArgs >= 2 && isCChar(next, 0x3d)) {
        i++;
      }
      if (maxLen) {
        const count = parseLongLong(ctx, argv[i + 1]!);
        if (count === undefined) return undefined;
        if (count < 0) {
          ctx.error("ERR The MAXLEN argument must be >= 0.");
          return undefined;
        }
        args.maxLen = Number(count);
        args.strategy = TrimStrategy.MaxLen;
      } else {
        const id = parseIdOrReply(ctx, argv[i + 1]!, 0, true);
        if (id === undefined) return undefined;
        args.minId = id;
        args.strategy = TrimStrategy.MinId;
      }
      i++;
      args.trimArgIndex = i;
    } else if (optionIs(option, "limit") && moreArgs > 0) {
      const limit = parseLongLong(ctx, argv[i + 1]!);
      if (limit === undefined) return undefined;
      if (limit < 0) {
        ctx.error("ERR The LIMIT argument must be >= 0.");
        return undefined;
      }
      args.limit = Number(limit);
      limitGiven = true;
      i++;
    } else if (xadd && optionIs(option, "nomkstream")) {
      args.noMkStream = true;
    } else if (xadd) {
      // Anything else is the ID (or a syntax error reported as an invalid ID).
      const id = parseStreamId(option, 0, true, true);
      if (id === undefined) {
        ctx.error(INVALID_STREAM_ID);
        return undefined;
      }
      args.id = id;
      break;
    } else {
      ctx.error(Errors.syntax);
      return undefined;
    }
  }
  args.idIndex = i;
  if (args.limit !== 0 && args.strategy === TrimStrategy.None) {
    ctx.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return undefined;
  }
  if (!xadd && args.strategy === TrimStrategy.None) {
    ctx.error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return undefined;
  }
  if (ctx.client.kind === "aof-loader") {
    // The log holds the exact trim it turned out to be: never cut it short (mustObeyClient).
    args.limit = 0;
  } else if (limitGiven) {
    if (!args.approx) {
      ctx.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return undefined;
    }
  } else if (args.approx) {
    args.limit = defaultTrimLimit(ctx);
  } else {
    args.limit = 0;
  }
  return args;
}

/**
 * 100 * stream-node-max-entries (at most 100 nodes of work), computed as C's signed 64-bit
 * product: a huge setting overflows negative and falls back to 10000.
 */
function defaultTrimLimit(ctx: CommandContext): number {
  const product = BigInt.asIntN(64, 100n * BigInt(ctx.engine.config.get("stream-node-max-entries")));
  if (product <= 0n) return 10000;
  return product > 1000000n ? 1000000 : Number(product);
}

/** Trims and keeps the recorded first ID right; returns the entries removed. */
function trimStream(stream: StreamValue, args: TrimArgs): number {
  const deleted = stream.log.trim(args);
  if (deleted > 0) refreshFirstId(stream);
  return deleted;
}

/**
 * An approximate trim is logged as the exact one it turned out to be: `~` becomes `=` and
 * the threshold the resulting length (MAXLEN) or first ID, tombstones included (MINID).
 */
function rewriteApproxTrim(argv: string[], stream: StreamValue, args: AddTrimArgs): void {
  argv[args.trimArgIndex - 1] = "=";
  if (args.strategy === TrimStrategy.MaxLen) {
    argv[args.trimArgIndex] = String(stream.length);
  } else {
    const first = stream.log.edge(true, false);
    argv[args.trimArgIndex] = first === undefined ? formatId(MAX_ID) : formatId(first);
  }
}

// ---------------------------------------------------------------------------------------
// XADD, XTRIM, XDEL, XLEN, XSETID
// ---------------------------------------------------------------------------------------

function xaddCommand(ctx: CommandContext, argv: readonly string[]): void {
  const args = parseAddOrTrimArgs(ctx, argv, true);
  if (args === undefined) return;
  const fieldPos = args.idIndex + 1;
  const fieldArgs = argv.length - fieldPos;
  if (fieldArgs < 2 || fieldArgs % 2 === 1) {
    ctx.error(wrongArity("xadd"));
    return;
  }
  const given = args.id;
  // Refused before the lookup so that no empty key is left behind.
  if (given !== undefined && given.seqGiven && given.ms === 0 && given.seq === 0) {
    ctx.error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  const key = argv[1]!;
  let stream = writeStream(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    if (args.noMkStream) {
      ctx.reply.nullBulk();
      return;
    }
    stream = createStream(ctx, key);
  }
  const last = stream.lastId;
  if (last.ms === U64_MAX && last.seq === U64_MAX) {
    ctx.error(EXHAUSTED);
    return;
  }
  let id: StreamIdLike | undefined;
  if (given === undefined) {
    // streamNextID: the clock, but never backwards; the sequence carries into the ms.
    const now = ctx.now;
    id = compareU64(now, last.ms) > 0 ? new StreamId(now, 0) : nextId(last);
  } else if (given.seqGiven) {
    id = given;
  } else if (compareU64(given.ms, last.ms) === 0) {
    const seq = incrementU64(last.seq);
    if (seq === undefined) {
      // Redis 7.0 fails here without setting errno, so the reply falls to the other text.
      ctx.error(TOO_LARGE);
      return;
    }
    id = new StreamId(given.ms, seq);
  } else {
    id = new StreamId(given.ms, 0);
  }
  if (id === undefined || compareIds(id, last) <= 0) {
    ctx.error(XADD_ID_TOO_SMALL);
    return;
  }
  let elementBytes = 0;
  for (let i = fieldPos; i < argv.length; i++) elementBytes += argv[i]!.length;
  if (elementBytes > LISTPACK_MAX_SIZE) {
    ctx.error(TOO_LARGE);
    return;
  }
  stream.log.append(StreamEntry.of(id.ms, id.seq, argv, fieldPos), argv, fieldPos, nodeLimits(ctx));
  stream.entriesAdded = incrementCounter(stream.entriesAdded);
  stream.lastId = id instanceof StreamId ? id : new StreamId(id.ms, id.seq);
  if (stream.length === 1) stream.firstId = stream.lastId;
  const idText = formatId(id);
  ctx.reply.bulk(idText);
  ctx.notify(NotifyClass.Stream, "xadd", key);
  ctx.dirty();

  let logged: string[] | undefined;
  if (args.strategy !== TrimStrategy.None) {
    if (trimStream(stream, args) > 0) ctx.notify(NotifyClass.Stream, "xtrim", key);
    if (args.approx) rewriteApproxTrim((logged = argv.slice()), stream, args);
  }
  ctx.keyModified(key);
  if (given === undefined || !given.seqGiven) (logged ??= argv.slice())[args.idIndex] = idText;
  if (logged !== undefined) ctx.propagateAs(logged);
  ctx.signalKeyAsReady(key);
}

function xtrimCommand(ctx: CommandContext, argv: readonly string[]): void {
  const args = parseAddOrTrimArgs(ctx, argv, false);
  if (args === undefined) return;
  const key = argv[1]!;
  const stream = writeStream(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const deleted = trimStream(stream, args);
  if (deleted > 0) {
    ctx.notify(NotifyClass.Stream, "xtrim", key);
    if (args.approx) {
      const logged = argv.slice();
      rewriteApproxTrim(logged, stream, args);
      ctx.propagateAs(logged);
    }
    ctx.keyModified(key);
    ctx.dirty(deleted);
  }
  ctx.reply.integer(deleted);
}

function xdelCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const stream = writeStream(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    ctx.reply.integer(0);
    return;
  }
  // All IDs are checked first, so that a bad one leaves the stream untouched.
  const ids = parseIdsOrReply(ctx, argv, 2);
  if (ids === undefined) return;
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!stream.log.delete(id.ms, id.seq)) continue;
    if (compareIds(id, stream.firstId) === 0) firstDeleted = true;
    if (compareIds(id, stream.maxDeletedId) > 0) stream.maxDeletedId = new StreamId(id.ms, id.seq);
    deleted++;
  }
  if (deleted > 0) {
    if (stream.length === 0) stream.firstId = MIN_ID;
    else if (firstDeleted) refreshFirstId(stream);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Stream, "xdel", key);
    ctx.dirty(deleted);
  }
  ctx.reply.integer(deleted);
}

function xlenCommand(ctx: CommandContext, argv: readonly string[]): void {
  const stream = readStream(ctx, argv[1]!);
  if (stream !== null) ctx.reply.integer(stream?.length ?? 0);
}

function xsetidCommand(ctx: CommandContext, argv: readonly string[]): void {
  const id = parseIdOrReply(ctx, argv[2]!, 0, true);
  if (id === undefined) return;
  let entriesAdded: Counter = -1;
  let maxDeleted: StreamIdLike = MIN_ID;
  for (let i = 3; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const option = argv[i]!;
    if (optionIs(option, "entriesadded") && moreArgs > 0) {
      const value = parseLongLong(ctx, argv[i + 1]!);
      if (value === undefined) return;
      if (value < 0) {
        ctx.error("ERR entries_added must be positive");
        return;
      }
      entriesAdded = value;
      i++;
    } else if (optionIs(option, "maxdeletedid") && moreArgs > 0) {
      const parsed = parseIdOrReply(ctx, argv[i + 1]!, 0, true);
      if (parsed === undefined) return;
      if (compareIds(id, parsed) < 0) {
        ctx.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        return;
      }
      maxDeleted = parsed;
      i++;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const stream = writeStream(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    ctx.error(Errors.noSuchKey);
    return;
  }
  if (stream.length > 0) {
    const top = stream.lastValidId()!;
    if (compareIds(id, top) < 0) {
      ctx.error("ERR The ID specified in XSETID is smaller than the target stream top item");
      return;
    }
    if (entriesAdded !== -1 && stream.length > entriesAdded) {
      ctx.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
      return;
    }
  }
  stream.lastId = new StreamId(id.ms, id.seq);
  if (entriesAdded !== -1) stream.entriesAdded = entriesAdded;
  if (maxDeleted.ms !== 0 || maxDeleted.seq !== 0) stream.maxDeletedId = new StreamId(maxDeleted.ms, maxDeleted.seq);
  ctx.reply.simple("OK");
  ctx.dirty();
  ctx.notify(NotifyClass.Stream, "xsetid", key);
}

// ---------------------------------------------------------------------------------------
// XRANGE, XREVRANGE
// ---------------------------------------------------------------------------------------

function xrangeGeneric(ctx: CommandContext, argv: readonly string[], reverse: boolean): void {
  const start = parseRangeBound(ctx, reverse ? argv[3]! : argv[2]!, true);
  if (start === undefined) return;
  const end = parseRangeBound(ctx, reverse ? argv[2]! : argv[3]!, false);
  if (end === undefined) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (optionIs(argv[j]!, "count") && j + 1 < argv.length) {
      const parsed = parseLongLong(ctx, argv[j + 1]!);
      if (parsed === undefined) return;
      count = parsed < 0 ? 0 : Number(parsed);
      j++;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  const stream = readStream(ctx, argv[1]!);
  if (stream === null) return;
  const reply = ctx.reply;
  if (stream === undefined) {
    reply.array(0);
    return;
  }
  if (count === 0) {
    reply.nullArray();
    return;
  }
  replyRange(reply, stream, start, end, count === -1 ? 0 : count, reverse);
}

/** The live entries in [start, end], at most `count` (0: all), as an array. */
function replyRange(reply: ReplyWriter, stream: StreamValue, start: StreamIdLike, end: StreamIdLike, count: number, reverse: boolean): void {
  // The array length comes first, so the entries are collected before anything is written.
  const entries = collectScratch;
  if (compareIds(start, end) <= 0) {
    const cursor = stream.log.range(start, end, reverse);
    for (let entry = cursor.next(); entry !== undefined; entry = cursor.next()) {
      entries.push(entry);
      if (entries.length === count) break;
    }
  }
  reply.array(entries.length);
  for (const entry of entries) replyEntry(reply, entry);
  entries.length = 0;
}

// Commands run one at a time, so one array serves every range without allocating.
const collectScratch: StreamEntry[] = [];

function xrangeCommand(ctx: CommandContext, argv: readonly string[]): void {
  xrangeGeneric(ctx, argv, false);
}

function xrevrangeCommand(ctx: CommandContext, argv: readonly string[]): void {
  xrangeGeneric(ctx, argv, true);
}

// ---------------------------------------------------------------------------------------
// XREAD, XREADGROUP
// ---------------------------------------------------------------------------------------

/** What one stream contributes to an XREAD reply: entries, or an ID whose entry is gone (history). */
interface ServedStream {
  key: string;
  items: (StreamEntry | StreamIdLike)[];
}

function xreadCommand(ctx: CommandContext, argv: readonly string[]): void {
  xreadGeneric(ctx, argv, false);
}

function xreadgroupCommand(ctx: CommandContext, argv: readonly string[]): void {
  xreadGeneric(ctx, argv, true);
}

/**
 * XREAD [COUNT n] [BLOCK ms] STREAMS key... id... and XREADGROUP GROUP g c [COUNT n]
 * [BLOCK ms] [NOACK] STREAMS key... id... (one xreadCommand in Redis).
 */
function xreadGeneric(ctx: CommandContext, argv: readonly string[], groupRead: boolean): void {
  let deadline: number | undefined;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noAck = false;
  let groupName: string | undefined;
  let consumerName = "";
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const option = argv[i]!;
    if (optionIs(option, "block") && moreArgs > 0) {
      i++;
      deadline = parseBlockTimeout(ctx, argv[i]!, "milliseconds");
      if (deadline === undefined) return;
    } else if (optionIs(option, "count") && moreArgs > 0) {
      i++;
      const parsed = parseLongLong(ctx, argv[i]!);
      if (parsed === undefined) return;
      count = parsed < 0 ? 0 : Number(parsed);
    } else if (optionIs(option, "streams") && moreArgs > 0) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) {
        ctx.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return;
      }
      streamsCount /= 2;
      break;
    } else if (optionIs(option, "group") && moreArgs >= 2) {
      if (!groupRead) {
        ctx.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return;
      }
      groupName = argv[i + 1]!;
      consumerName = argv[i + 2]!;
      i += 2;
    } else if (optionIs(option, "noack")) {
      if (!groupRead) {
        ctx.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return;
      }
      noAck = true;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  if (streamsArg === 0) {
    ctx.error(Errors.syntax);
    return;
  }
  if (groupRead && groupName === undefined) {
    ctx.error("ERR Missing GROUP option for XREADGROUP");
    return;
  }

  // Resolve every ID (and group) before serving anything.
  const ids: StreamIdLike[] = [];
  let dollar = false;
  // A woken client is served from the key that became ready only, as Redis 7.0 does.
  const readyKey = ctx.retryKey;
  for (let k = 0; k < streamsCount; k++) {
    const key = argv[streamsArg + k]!;
    const idArg = argv[streamsArg + streamsCount + k]!;
    if (readyKey !== undefined && key !== readyKey) {
      ids.push(MAX_ID);
      continue;
    }
    const stream = readStream(ctx, key);
    if (stream === null) return;
    if (groupName !== undefined && stream?.groups?.get(groupName) === undefined) {
      if (ctx.retrying) {
        // Served after blocking: Redis 7.0's serveClientsBlockedOnStreamKey words it differently.
        ctx.error(stream === undefined ? "UNBLOCKED the stream key no longer exists" : "NOGROUP the consumer group this client was blocked on no longer exists");
      } else {
        ctx.error(sanitizeErrorText(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(groupName)}' in XREADGROUP with GROUP option`));
      }
      return;
    }
    const special = cString(idArg);
    if (special === "$") {
      if (groupRead) {
        ctx.error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
        );
        return;
      }
      ids.push(stream === undefined ? MIN_ID : stream.lastId);
      dollar = true;
    } else if (special === ">") {
      if (!groupRead) {
        ctx.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
        return;
      }
      ids.push(MAX_ID);
    } else {
      const id = parseIdOrReply(ctx, idArg, 0, true);
      if (id === undefined) return;
      ids.push(id);
    }
  }
  if (ctx.retrying && count === 0) count = BLOCKED_DEFAULT_COUNT;

  const served: ServedStream[] = [];
  const propagation: string[][] = [];
  for (let k = 0; k < streamsCount; k++) {
    const key = argv[streamsArg + k]!;
    if (readyKey !== undefined && key !== readyKey) continue;
    const stream = readStream(ctx, key);
    if (stream === null || stream === undefined) continue;
    let after = ids[k]!;
    const group = groupName === undefined ? undefined : stream.groups!.get(groupName)!;
    let history = false;
    let serve = false;
    if (group !== undefined) {
      if (compareIds(after, MAX_ID) !== 0) {
        serve = history = true;
      } else if (stream.length > 0 && compareIds(stream.lastValidId()!, group.lastId) > 0) {
        serve = true;
        after = group.lastId;
      }
    } else if (stream.length > 0 && compareIds(stream.lastValidId()!, after) > 0) {
      serve = true;
    }
    if (!serve) continue;
    const start = nextId(after) ?? MIN_ID;
    const items: (StreamEntry | StreamIdLike)[] = [];
    served.push({ key, items });
    if (group === undefined) {
      const cursor = stream.log.range(start, MAX_ID, false);
      for (let entry = cursor.next(); entry !== undefined; entry = cursor.next()) {
        items.push(entry);
        if (items.length === count) break;
      }
      continue;
    }
    const [consumer, created] = lookupOrCreateConsumer(ctx, key, group, consumerName);
    if (created && noAck) propagation.push(["XGROUP", "CREATECONSUMER", key, groupName!, consumerName]);
    if (history) serveHistory(ctx, stream, consumer, start, count, items);
    else serveNew(ctx, stream, key, groupName!, group, consumer, start, count, noAck, items, propagation);
  }

  if (served.length > 0) {
    const reply = ctx.reply;
    const resp2 = reply.protocol === 2;
    if (resp2) reply.array(served.length);
    else reply.map(served.length);
    for (const { key, items } of served) {
      if (resp2) reply.array(2);
      reply.bulk(key);
      reply.array(items.length);
      for (const item of items) {
        if (item instanceof StreamEntry) {
          replyEntry(reply, item);
        } else {
          reply.array(2);
          reply.bulk(formatId(item));
          reply.nullArray();
        }
      }
    }
  } else if (deadline !== undefined) {
    // `$` is resolved now: the retry must wait for entries after what is there at this point.
    let retryArgv: string[] | undefined;
    if (dollar) {
      retryArgv = argv.slice();
      for (let k = 0; k < streamsCount; k++) {
        const index = streamsArg + streamsCount + k;
        if (cString(argv[index]!) === "$") retryArgv[index] = formatId(ids[k]!);
      }
    }
    ctx.block(argv.slice(streamsArg, streamsArg + streamsCount), "stream", deadline, retryArgv);
  } else {
    ctx.reply.nullArray();
  }
  propagateAll(ctx, propagation);
}

/**
 * New entries for a group (streamReplyWithRange with a group): advances the group's last ID
 * and read counter, and (unless NOACK) records each delivery in both PELs — an entry already
 * pending elsewhere (after XGROUP SETID moved back) changes owner and starts over.
 */
function serveNew(
  ctx: CommandContext,
  stream: StreamValue,
  key: string,
  groupName: string,
  group: ConsumerGroup,
  consumer: Consumer,
  start: StreamIdLike,
  count: number,
  noAck: boolean,
  items: (StreamEntry | StreamIdLike)[],
  propagation: string[][],
): void {
  const now = ctx.now;
  let lastIdMoved = false;
  const cursor = stream.log.range(start, MAX_ID, false);
  for (let entry = cursor.next(); entry !== undefined; entry = cursor.next()) {
    if (compareIds(entry, group.lastId) > 0) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !stream.rangeHasTombstones(entry)) {
        group.entriesRead = incrementCounter(group.entriesRead);
      } else if (stream.entriesAdded !== 0) {
        group.entriesRead = stream.estimateDistanceFromFirstEverEntry(entry);
      }
      group.lastId = new StreamId(entry.ms, entry.seq);
      // Without NOACK the XCLAIMs below carry the new last ID (LASTID).
      if (noAck) lastIdMoved = true;
    }
    items.push(entry);
    if (!noAck) {
      let pending = group.pel.get(entry.ms, entry.seq);
      if (pending === undefined) {
        pending = new PendingEntry(entry.ms, entry.seq, now, 1, consumer);
        group.pel.insert(pending);
        consumer.pel.insert(pending);
      } else {
        pending.consumer!.pel.delete(entry.ms, entry.seq);
        pending.consumer = consumer;
        pending.deliveryTime = now;
        pending.deliveryCount = 1;
        consumer.pel.insert(pending);
      }
      propagation.push(xclaimPropagation(key, groupName, group, formatId(entry), pending));
    }
    if (items.length === count) break;
  }
  if (lastIdMoved) {
    propagation.push(["XGROUP", "SETID", key, groupName, formatId(group.lastId), "ENTRIESREAD", String(counterAsLongLong(group.entriesRead))]);
  }
}

/**
 * A consumer's own pending entries from `start` (streamReplyWithRangeFromConsumerPEL): each
 * counts as delivered again; one whose entry is gone comes back as [id, nil].
 */
function serveHistory(
  ctx: CommandContext,
  stream: StreamValue,
  consumer: Consumer,
  start: StreamIdLike,
  count: number,
  items: (StreamEntry | StreamIdLike)[],
): void {
  const pel = consumer.pel;
  for (let pending = pel.ceiling(start.ms, start.seq); pending !== undefined && (count === 0 || items.length < count); pending = pel.higher(pending)) {
    const entry = stream.log.get(pending.ms, pending.seq);
    if (entry === undefined) {
      items.push(pending);
    } else {
      items.push(entry);
      pending.deliveryTime = ctx.now;
      pending.deliveryCount = incrementCounter(pending.deliveryCount);
    }
  }
}

// ---------------------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------------------

/**
 * The XGROUP subcommands share Redis's xgroupCommand: options first, then the key (which must
 * exist unless MKSTREAM) and, for all but CREATE and DESTROY, the group.
 */
function xgroupPrelude(
  ctx: CommandContext,
  argv: readonly string[],
): { stream: StreamValue | undefined; group: ConsumerGroup | undefined; mkStream: boolean; entriesRead: Counter } | undefined {
  const subcommand = argv[1]!;
  const create = optionIs(subcommand, "create");
  const setId = optionIs(subcommand, "setid");
  let mkStream = false;
  let entriesRead: Counter = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length; ) {
    if (create && optionIs(argv[i]!, "mkstream")) {
      mkStream = true;
      i++;
    } else if ((create || setId) && optionIs(argv[i]!, "entriesread") && i + 1 < argv.length) {
      const value = parseLongLong(ctx, argv[i + 1]!);
      if (value === undefined) return undefined;
      if (value < 0 && value !== INVALID_ENTRIES_READ) {
        ctx.error("ERR value for ENTRIESREAD must be positive or -1");
        return undefined;
      }
      entriesRead = value;
      i += 2;
    } else {
      subcommandSyntaxError(ctx, argv);
      return undefined;
    }
  }
  const key = argv[2]!;
  const stream = writeStream(ctx, key);
  if (stream === null) return undefined;
  const groupName = argv[3]!;
  const group = stream?.groups?.get(groupName);
  if (!mkStream) {
    if (stream === undefined) {
      ctx.error(XGROUP_NEEDS_KEY);
      return undefined;
    }
    if (group === undefined && !create && !optionIs(subcommand, "destroy")) {
      ctx.error(sanitizeErrorText(`NOGROUP No such consumer group '${cString(groupName)}' for key name '${cString(key)}'`));
      return undefined;
    }
  }
  return { stream, group, mkStream, entriesRead };
}

function xgroupCreateCommand(ctx: CommandContext, argv: readonly string[]): void {
  const prelude = xgroupPrelude(ctx, argv);
  if (prelude === undefined) return;
  if (argv.length > 8) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  const key = argv[2]!;
  let stream = prelude.stream;
  let id: StreamIdLike;
  if (cString(argv[4]!) === "$") {
    id = stream === undefined ? MIN_ID : stream.lastId;
  } else {
    const parsed = parseIdOrReply(ctx, argv[4]!, 0, true);
    if (parsed === undefined) return;
    id = parsed;
  }
  if (stream === undefined) {
    stream = createStream(ctx, key);
    ctx.keyModified(key);
  }
  const groups = (stream.groups ??= new Map());
  const name = argv[3]!;
  if (groups.has(name)) {
    ctx.error("BUSYGROUP Consumer Group name already exists");
    return;
  }
  groups.set(name, new ConsumerGroup(new StreamId(id.ms, id.seq), prelude.entriesRead));
  ctx.reply.simple("OK");
  ctx.dirty();
  ctx.notify(NotifyClass.Stream, "xgroup-create", key);
}

function xgroupSetidCommand(ctx: CommandContext, argv: readonly string[]): void {
  const prelude = xgroupPrelude(ctx, argv);
  if (prelude === undefined) return;
  if (argv.length !== 5 && argv.length !== 7) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  const stream = prelude.stream!;
  const group = prelude.group!;
  let id: StreamIdLike;
  if (cString(argv[4]!) === "$") {
    id = stream.lastId;
  } else {
    const parsed = parseIdOrReply(ctx, argv[4]!, 0, false);
    if (parsed === undefined) return;
    id = parsed;
  }
  group.lastId = new StreamId(id.ms, id.seq);
  group.entriesRead = prelude.entriesRead;
  ctx.reply.simple("OK");
  ctx.dirty();
  ctx.notify(NotifyClass.Stream, "xgroup-setid", argv[2]!);
}

function xgroupDestroyCommand(ctx: CommandContext, argv: readonly string[]): void {
  const prelude = xgroupPrelude(ctx, argv);
  if (prelude === undefined) return;
  if (prelude.group === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const key = argv[2]!;
  prelude.stream!.groups!.delete(argv[3]!);
  ctx.reply.integer(1);
  ctx.dirty();
  ctx.notify(NotifyClass.Stream, "xgroup-destroy", key);
  // Clients blocked in XREADGROUP on this group learn that it is gone.
  ctx.signalKeyAsReady(key);
}

function xgroupCreateconsumerCommand(ctx: CommandContext, argv: readonly string[]): void {
  const prelude = xgroupPrelude(ctx, argv);
  if (prelude === undefined) return;
  const group = prelude.group!;
  const name = argv[4]!;
  if (group.consumers.has(name)) {
    ctx.reply.integer(0);
    return;
  }
  group.consumers.set(name, new Consumer(name, ctx.now));
  ctx.dirty();
  ctx.notify(NotifyClass.Stream, "xgroup-createconsumer", argv[2]!);
  ctx.reply.integer(1);
}

function xgroupDelconsumerCommand(ctx: CommandContext, argv: readonly string[]): void {
  const prelude = xgroupPrelude(ctx, argv);
  if (prelude === undefined) return;
  const group = prelude.group!;
  const consumer = group.consumers.get(argv[4]!);
  let pending = 0;
  if (consumer !== undefined) {
    pending = consumer.pel.size;
    group.deleteConsumer(consumer);
    ctx.dirty();
    ctx.notify(NotifyClass.Stream, "xgroup-delconsumer", argv[2]!);
  }
  ctx.reply.integer(pending);
}

function xgroupHelpCommand(ctx: CommandContext): void {
  writeHelp(ctx.reply, "XGROUP", [
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
  ]);
}

// ---------------------------------------------------------------------------------------
// XACK, XPENDING
// ---------------------------------------------------------------------------------------

function xackCommand(ctx: CommandContext, argv: readonly string[]): void {
  const stream = readStream(ctx, argv[1]!);
  if (stream === null) return;
  const group = stream?.groups?.get(argv[2]!);
  if (group === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const ids = parseIdsOrReply(ctx, argv, 3);
  if (ids === undefined) return;
  let acknowledged = 0;
  for (const id of ids) if (group.acknowledge(id.ms, id.seq)) acknowledged++;
  if (acknowledged > 0) ctx.dirty(acknowledged);
  ctx.reply.integer(acknowledged);
}

/** XPENDING key group [[IDLE min-idle] start end count [consumer]]. */
function xpendingCommand(ctx: CommandContext, argv: readonly string[]): void {
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    ctx.error(Errors.syntax);
    return;
  }
  let minIdle: number | bigint = 0;
  let start: StreamIdLike = MIN_ID;
  let end: StreamIdLike = MAX_ID;
  let count = 0;
  let consumerName: string | undefined;
  if (argc >= 6) {
    let startIndex = 3;
    if (optionIs(argv[3]!, "idle")) {
      const idle = parseLongLong(ctx, argv[4]!);
      if (idle === undefined) return;
      minIdle = idle;
      if (argc < 8) {
        ctx.error(Errors.syntax);
        return;
      }
      startIndex += 2;
    }
    const parsedCount = parseLongLong(ctx, argv[startIndex + 2]!);
    if (parsedCount === undefined) return;
    count = parsedCount < 0 ? 0 : Number(parsedCount);
    const parsedStart = parseRangeBound(ctx, argv[startIndex]!, true);
    if (parsedStart === undefined) return;
    const parsedEnd = parseRangeBound(ctx, argv[startIndex + 1]!, false);
    if (parsedEnd === undefined) return;
    start = parsedStart;
    end = parsedEnd;
    if (startIndex + 3 < argc) consumerName = argv[startIndex + 3];
  }
  const key = argv[1]!;
  const stream = readStream(ctx, key);
  if (stream === null) return;
  const group = stream?.groups?.get(argv[2]!);
  if (group === undefined) {
    ctx.error(noGroupError(key, argv[2]!));
    return;
  }
  const reply = ctx.reply;
  if (argc === 3) {
    reply.array(4);
    reply.integer(group.pel.size);
    const first = group.pel.first();
    if (first === undefined) {
      reply.nullBulk();
      reply.nullBulk();
      reply.nullArray();
      return;
    }
    reply.bulk(formatId(first));
    reply.bulk(formatId(group.pel.last()!));
    const owners = group.sortedConsumers().filter((consumer) => consumer.pel.size > 0);
    reply.array(owners.length);
    for (const consumer of owners) {
      reply.array(2);
      reply.bulk(consumer.name);
      reply.bulk(String(consumer.pel.size));
    }
    return;
  }
  let pel = group.pel;
  if (consumerName !== undefined) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) {
      reply.array(0);
      return;
    }
    pel = consumer.pel;
  }
  const now = ctx.now;
  const rows: PendingEntry[] = [];
  for (let pending = pel.ceiling(start.ms, start.seq); count > 0 && pending !== undefined && compareIds(pending, end) <= 0; pending = pel.higher(pending)) {
    if (minIdle !== 0 && now - pending.deliveryTime < minIdle) continue;
    rows.push(pending);
    count--;
  }
  reply.array(rows.length);
  for (const pending of rows) {
    reply.array(4);
    reply.bulk(formatId(pending));
    reply.bulk(pending.consumer!.name);
    reply.integer(Math.max(0, now - pending.deliveryTime));
    reply.integer(counterAsLongLong(pending.deliveryCount));
  }
}

// ---------------------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM
// ---------------------------------------------------------------------------------------

/**
 * XCLAIM key group consumer min-idle-time id... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
 * [JUSTID] [LASTID id]. The IDs run until the first argument that is not one; options follow.
 */
function xclaimCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const groupName = argv[2]!;
  const stream = readStream(ctx, key);
  if (stream === null) return;
  const group = stream?.groups?.get(groupName);
  if (stream === undefined || group === undefined) {
    ctx.error(noGroupError(key, groupName));
    return;
  }
  const parsedIdle = parseLongLong(ctx, argv[4]!, "ERR Invalid min-idle-time argument for XCLAIM");
  if (parsedIdle === undefined) return;
  const minIdle = parsedIdle < 0 ? 0 : parsedIdle;
  const ids: ParsedId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = parseStreamId(argv[j]!, 0, true);
    if (id === undefined) break;
    ids.push(id);
  }
  const now = ctx.now;
  let retryCount: number | bigint = -1;
  let deliveryTime: number | bigint | undefined;
  let force = false;
  let justId = false;
  let lastId: StreamIdLike = MIN_ID;
  for (; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const option = argv[j]!;
    if (optionIs(option, "force")) {
      force = true;
    } else if (optionIs(option, "justid")) {
      justId = true;
    } else if (optionIs(option, "idle") && moreArgs > 0) {
      const idle = parseLongLong(ctx, argv[++j]!, "ERR Invalid IDLE option argument for XCLAIM");
      if (idle === undefined) return;
      deliveryTime = typeof idle === "number" ? now - idle : BigInt(now) - idle;
    } else if (optionIs(option, "time") && moreArgs > 0) {
      const time = parseLongLong(ctx, argv[++j]!, "ERR Invalid TIME option argument for XCLAIM");
      if (time === undefined) return;
      deliveryTime = time;
    } else if (optionIs(option, "retrycount") && moreArgs > 0) {
      const retries = parseLongLong(ctx, argv[++j]!, "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      if (retries === undefined) return;
      retryCount = retries;
    } else if (optionIs(option, "lastid") && moreArgs > 0) {
      const id = parseIdOrReply(ctx, argv[++j]!, 0, true);
      if (id === undefined) return;
      lastId = id;
    } else {
      ctx.error(sanitizeErrorText(`ERR Unrecognized XCLAIM option '${cString(option)}'`));
      return;
    }
  }
  const propagation: string[][] = [];
  let lastIdMoved = false;
  if (compareIds(lastId, group.lastId) > 0) {
    group.lastId = new StreamId(lastId.ms, lastId.seq);
    lastIdMoved = true;
  }
  // A bogus IDLE/TIME (negative, in the future) means now: clients compute it from their own clocks.
  const time = deliveryTime === undefined || deliveryTime < 0 || deliveryTime > now ? now : Number(deliveryTime);
  // Redis 7.0 looks the consumer up (creating it) only once it has something to claim.
  let consumer: Consumer | undefined;

  const claimed: (StreamEntry | StreamIdLike)[] = [];
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index]!;
    const idArg = argv[5 + index]!;
    let pending = group.pel.get(id.ms, id.seq);
    const entry = stream.log.get(id.ms, id.seq);
    if (entry === undefined) {
      // The entry is gone: drop it from the PEL, and tell the log so.
      if (pending !== undefined) {
        propagation.push(xclaimPropagation(key, groupName, group, idArg, pending));
        lastIdMoved = false;
        group.acknowledge(id.ms, id.seq);
      }
      continue;
    }
    if (force && pending === undefined) {
      pending = new PendingEntry(id.ms, id.seq, now, 1, undefined);
      group.pel.insert(pending);
    }
    if (pending === undefined) continue;
    // An entry FORCE just created has no owner yet, and no idle time to respect.
    if (pending.consumer !== undefined && minIdle !== 0 && now - pending.deliveryTime < minIdle) continue;
    consumer ??= lookupOrCreateConsumer(ctx, key, group, argv[3]!)[0];
    if (pending.consumer !== consumer) pending.consumer?.pel.delete(id.ms, id.seq);
    pending.deliveryTime = time;
    if (retryCount >= 0) pending.deliveryCount = retryCount;
    else if (!justId) pending.deliveryCount = incrementCounter(pending.deliveryCount);
    if (pending.consumer !== consumer) {
      consumer.pel.insert(pending);
      pending.consumer = consumer;
    }
    claimed.push(justId ? id : entry);
    propagation.push(xclaimPropagation(key, groupName, group, idArg, pending));
    lastIdMoved = false;
  }
  if (lastIdMoved) {
    propagation.push(["XGROUP", "SETID", key, groupName, formatId(group.lastId), "ENTRIESREAD", String(counterAsLongLong(group.entriesRead))]);
  }
  const reply = ctx.reply;
  reply.array(claimed.length);
  for (const item of claimed) {
    if (item instanceof StreamEntry) replyEntry(reply, item);
    else reply.bulk(formatId(item));
  }
  propagateAll(ctx, propagation);
}

/** COUNT's upper bound: LONG_MAX / max(sizeof(streamID), attempts factor). */
const XAUTOCLAIM_MAX_COUNT = 576460752303423487n;
/**
 * Redis allocates COUNT stream IDs up front and answers this when the allocation fails;
 * where that happens depends on the machine. kv refuses what no machine could allocate.
 */
const XAUTOCLAIM_ALLOCATABLE_COUNT = 2 ** 36;

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]. */
function xautoclaimCommand(ctx: CommandContext, argv: readonly string[]): void {
  const parsedIdle = parseLongLong(ctx, argv[4]!, "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (parsedIdle === undefined) return;
  const minIdle = parsedIdle < 0 ? 0 : parsedIdle;
  const start = parseRangeBound(ctx, argv[5]!, true);
  if (start === undefined) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const option = argv[j]!;
    if (optionIs(option, "count") && moreArgs > 0) {
      // getRangeLongFromObjectOrReply with a message: one text for unparsable and out of range.
      const parsed = parseInteger(argv[j + 1]!);
      if (parsed === undefined || parsed < 1 || parsed > XAUTOCLAIM_MAX_COUNT) {
        ctx.error("ERR COUNT must be > 0");
        return;
      }
      count = Number(parsed);
      j++;
    } else if (optionIs(option, "justid")) {
      justId = true;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const groupName = argv[2]!;
  const stream = readStream(ctx, key);
  if (stream === null) return;
  const group = stream?.groups?.get(groupName);
  if (stream === undefined || group === undefined) {
    ctx.error(noGroupError(key, groupName));
    return;
  }
  if (count > XAUTOCLAIM_ALLOCATABLE_COUNT) {
    ctx.error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
    return;
  }
  // Redis 7.0 looks the consumer up (creating it) only once it has something to claim.
  let consumer: Consumer | undefined;
  const now = ctx.now;
  let attempts = count * 10;
  const claimed: (StreamEntry | StreamIdLike)[] = [];
  const deleted: PendingEntry[] = [];
  const propagation: string[][] = [];
  const pel = group.pel;
  let pending = pel.ceiling(start.ms, start.seq);
  while (attempts > 0 && count > 0 && pending !== undefined) {
    attempts--;
    const current = pending;
    pending = pel.higher(current);
    const entry = stream.log.get(current.ms, current.seq);
    if (entry === undefined) {
      // Gone from the stream: drop it from the PEL and report it (counts against COUNT).
      propagation.push(xclaimPropagation(key, groupName, group, formatId(current), current));
      group.acknowledge(current.ms, current.seq);
      deleted.push(current);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - current.deliveryTime < minIdle) continue;
    consumer ??= lookupOrCreateConsumer(ctx, key, group, argv[3]!)[0];
    if (current.consumer !== consumer) {
      current.consumer?.pel.delete(current.ms, current.seq);
      consumer.pel.insert(current);
      current.consumer = consumer;
    }
    current.deliveryTime = now;
    if (!justId) current.deliveryCount = incrementCounter(current.deliveryCount);
    claimed.push(justId ? current : entry);
    count--;
    propagation.push(xclaimPropagation(key, groupName, group, formatId(current), current));
  }
  const reply = ctx.reply;
  reply.array(3);
  reply.bulk(pending === undefined ? "0-0" : formatId(pending));
  reply.array(claimed.length);
  for (const item of claimed) {
    if (item instanceof StreamEntry) replyEntry(reply, item);
    else reply.bulk(formatId(item));
  }
  reply.array(deleted.length);
  for (const id of deleted) reply.bulk(formatId(id));
  propagateAll(ctx, propagation);
}

// ---------------------------------------------------------------------------------------
// XINFO
// ---------------------------------------------------------------------------------------

function xinfoHelpCommand(ctx: CommandContext): void {
  writeHelp(ctx.reply, "XINFO", [
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
  ]);
}

/** The stream XINFO is about, or undefined after replying "no such key" / WRONGTYPE. */
function xinfoStream(ctx: CommandContext, key: string): StreamValue | undefined {
  const stream = readStream(ctx, key);
  if (stream === null) return undefined;
  if (stream === undefined) ctx.error(Errors.noSuchKey);
  return stream;
}

function xinfoConsumersCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[2]!;
  const stream = xinfoStream(ctx, key);
  if (stream === undefined) return;
  const group = stream.groups?.get(argv[3]!);
  if (group === undefined) {
    ctx.error(sanitizeErrorText(`NOGROUP No such consumer group '${cString(argv[3]!)}' for key name '${cString(key)}'`));
    return;
  }
  const reply = ctx.reply;
  const consumers = group.sortedConsumers();
  const now = ctx.now;
  reply.array(consumers.length);
  for (const consumer of consumers) {
    reply.map(3);
    reply.bulk("name");
    reply.bulk(consumer.name);
    reply.bulk("pending");
    reply.integer(consumer.pel.size);
    reply.bulk("idle");
    reply.integer(Math.max(0, now - consumer.seenTime));
  }
}

function xinfoGroupsCommand(ctx: CommandContext, argv: readonly string[]): void {
  const stream = xinfoStream(ctx, argv[2]!);
  if (stream === undefined) return;
  const reply = ctx.reply;
  const groups = stream.sortedGroups();
  reply.array(groups.length);
  for (const [name, group] of groups) {
    reply.map(6);
    reply.bulk("name");
    reply.bulk(name);
    reply.bulk("consumers");
    reply.integer(group.consumers.size);
    reply.bulk("pending");
    reply.integer(group.pel.size);
    reply.bulk("last-delivered-id");
    reply.bulk(formatId(group.lastId));
    replyReadCounters(reply, stream, group);
  }
}

/** entries-read and lag, null when unknown. */
function replyReadCounters(reply: ReplyWriter, stream: StreamValue, group: ConsumerGroup): void {
  reply.bulk("entries-read");
  if (group.entriesRead === INVALID_ENTRIES_READ) reply.nullBulk();
  else reply.integer(counterAsLongLong(group.entriesRead));
  reply.bulk("lag");
  const lag = stream.groupLag(group);
  if (lag === undefined) reply.nullBulk();
  else reply.integer(lag);
}

function xinfoStreamCommand(ctx: CommandContext, argv: readonly string[]): void {
  const stream = xinfoStream(ctx, argv[2]!);
  if (stream === undefined) return;
  const options = argv.length - 3;
  let full = false;
  let count = 10;
  if (options > 0) {
    if ((options !== 1 && options !== 3) || !optionIs(argv[3]!, "full") || (options === 3 && !optionIs(argv[4]!, "count"))) {
      subcommandSyntaxError(ctx, argv);
      return;
    }
    if (options === 3) {
      const parsed = parseLongLong(ctx, argv[5]!);
      if (parsed === undefined) return;
      count = parsed < 0 ? 10 : Number(parsed);
    }
    full = true;
  }
  const reply = ctx.reply;
  reply.map(full ? 9 : 10);
  reply.bulk("length");
  reply.integer(stream.length);
  reply.bulk("radix-tree-keys");
  reply.integer(stream.log.nodeCount);
  reply.bulk("radix-tree-nodes");
  reply.integer(stream.radixTreeNodes());
  reply.bulk("last-generated-id");
  reply.bulk(formatId(stream.lastId));
  reply.bulk("max-deleted-entry-id");
  reply.bulk(formatId(stream.maxDeletedId));
  reply.bulk("entries-added");
  reply.integer(counterAsLongLong(stream.entriesAdded));
  reply.bulk("recorded-first-entry-id");
  reply.bulk(formatId(stream.firstId));
  if (!full) {
    reply.bulk("groups");
    reply.integer(stream.groups?.size ?? 0);
    const first = stream.log.edge(true, true);
    reply.bulk("first-entry");
    if (first === undefined) reply.nullBulk();
    else replyEntry(reply, first);
    const last = stream.log.edge(false, true);
    reply.bulk("last-entry");
    if (last === undefined) reply.nullBulk();
    else replyEntry(reply, last);
    return;
  }
  reply.bulk("entries");
  replyRange(reply, stream, MIN_ID, MAX_ID, count, false);
  reply.bulk("groups");
  const groups = stream.sortedGroups();
  reply.array(groups.length);
  for (const [name, group] of groups) {
    reply.map(7);
    reply.bulk("name");
    reply.bulk(name);
    reply.bulk("last-delivered-id");
    reply.bulk(formatId(group.lastId));
    replyReadCounters(reply, stream, group);
    reply.bulk("pel-count");
    reply.integer(group.pel.size);
    reply.bulk("pending");
    const shown = count === 0 ? group.pel.size : Math.min(count, group.pel.size);
    reply.array(shown);
    let n = 0;
    for (const pending of group.pel) {
      if (n++ === shown) break;
      reply.array(4);
      reply.bulk(formatId(pending));
      reply.bulk(pending.consumer!.name);
      reply.integer(pending.deliveryTime);
      reply.integer(counterAsLongLong(pending.deliveryCount));
    }
    reply.bulk("consumers");
    const consumers = group.sortedConsumers();
    reply.array(consumers.length);
    for (const consumer of consumers) {
      reply.map(4);
      reply.bulk("name");
      reply.bulk(consumer.name);
      reply.bulk("seen-time");
      reply.integer(consumer.seenTime);
      reply.bulk("pel-count");
      reply.integer(consumer.pel.size);
      reply.bulk("pending");
      const ownShown = count === 0 ? consumer.pel.size : Math.min(count, consumer.pel.size);
      reply.array(ownShown);
      let m = 0;
      for (const pending of consumer.pel) {
        if (m++ === ownShown) break;
        reply.array(3);
        reply.bulk(formatId(pending));
        reply.integer(pending.deliveryTime);
        reply.integer(counterAsLongLong(pending.deliveryCount));
      }
    }
  }
}

export const streamsCommands: CommandDefinition[] = [
  { name: "xadd", handler: xaddCommand },
  { name: "xtrim", handler: xtrimCommand },
  { name: "xdel", handler: xdelCommand },
  { name: "xlen", handler: xlenCommand },
  { name: "xsetid", handler: xsetidCommand },
  { name: "xrange", handler: xrangeCommand },
  { name: "xrevrange", handler: xrevrangeCommand },
  { name: "xread", handler: xreadCommand },
  { name: "xreadgroup", handler: xreadgroupCommand },
  { name: "xgroup|create", handler: xgroupCreateCommand },
  { name: "xgroup|setid", handler: xgroupSetidCommand },
  { name: "xgroup|destroy", handler: xgroupDestroyCommand },
  { name: "xgroup|createconsumer", handler: xgroupCreateconsumerCommand },
  { name: "xgroup|delconsumer", handler: xgroupDelconsumerCommand },
  { name: "xgroup|help", handler: xgroupHelpCommand },
  { name: "xack", handler: xackCommand },
  { name: "xpending", handler: xpendingCommand },
  { name: "xclaim", handler: xclaimCommand },
  { name: "xautoclaim", handler: xautoclaimCommand },
  { name: "xinfo|help", handler: xinfoHelpCommand },
  { name: "xinfo|consumers", handler: xinfoConsumersCommand },
  { name: "xinfo|groups", handler: xinfoGroupsCommand },
  { name: "xinfo|stream", handler: xinfoStreamCommand },
];
