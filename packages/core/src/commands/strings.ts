import { constants as bufferConstants } from "node:buffer";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors, invalidExpireTime, wrongArity } from "../errors.js";
import { addLongDouble, formatLongDouble, LONG_DOUBLE_ZERO, parseLongDouble, type LongDouble } from "../util/long-double.js";
import { lcsLength, lcsTableBytes, lcsWithMatches } from "../util/lcs.js";
import { addIntegers, LLONG_MAX, negateInteger, normalizeInteger, parseInteger } from "../util/redis-integer.js";

/*
 * The strings family (Redis's t_string.c). SET and its variants share setGeneric, as
 * setGenericCommand does in Redis; every reply, error text, notification and propagated
 * form follows redis-server 7.0.15.
 */

// ---------------------------------------------------------------------------------------
// SET / GETEX options
// ---------------------------------------------------------------------------------------

const OPT_NX = 1 << 0;
const OPT_XX = 1 << 1;
const OPT_EX = 1 << 2;
const OPT_PX = 1 << 3;
const OPT_KEEPTTL = 1 << 4;
const OPT_GET = 1 << 5;
const OPT_EXAT = 1 << 6;
const OPT_PXAT = 1 << 7;
const OPT_PERSIST = 1 << 8;
const ANY_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;

/**
 * Whether an argument names an option, compared as C does: case-insensitively, and up to a
 * NUL byte — Redis matches "nx\0junk" as NX because it tests the bytes as a C string.
 * `lowerName` must be lowercase letters only, which makes `| 0x20` an exact case fold.
 */
function optionIs(arg: string, lowerName: string): boolean {
  const length = lowerName.length;
  if (arg.length < length || (arg.length > length && arg.charCodeAt(length) !== 0)) return false;
  for (let i = 0; i < length; i++) if ((arg.charCodeAt(i) | 0x20) !== lowerName.charCodeAt(i)) return false;
  return true;
}

/** Index of the expire argument found by the last parseStringOptions call (0 if none). */
let parsedExpireIndex = 0;

/**
 * Redis's parseExtendedStringArgumentsOrReply: the options of SET (from argv[3]) or GETEX
 * (from argv[2]). A repeated option is accepted, a conflicting one is a syntax error, an
 * expire keyword as the last argument is a syntax error. Returns the option bits, or -1 for
 * a syntax error. The expire argument's index goes to `parsedExpireIndex` so the hot path
 * allocates nothing.
 */
function parseStringOptions(argv: readonly string[], forSet: boolean): number {
  let flags = 0;
  parsedExpireIndex = 0;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j]!;
    const hasNext = j < argv.length - 1;
    if (forSet && optionIs(opt, "nx") && (flags & OPT_XX) === 0) {
      flags |= OPT_NX;
    } else if (forSet && optionIs(opt, "xx") && (flags & OPT_NX) === 0) {
      flags |= OPT_XX;
    } else if (forSet && optionIs(opt, "get")) {
      flags |= OPT_GET;
    } else if (forSet && optionIs(opt, "keepttl") && (flags & (OPT_PERSIST | ANY_EXPIRE)) === 0) {
      flags |= OPT_KEEPTTL;
    } else if (!forSet && optionIs(opt, "persist") && (flags & (ANY_EXPIRE | OPT_KEEPTTL)) === 0) {
      flags |= OPT_PERSIST;
    } else if (hasNext && optionIs(opt, "ex") && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EXAT | OPT_PX | OPT_PXAT)) === 0) {
      flags |= OPT_EX;
      parsedExpireIndex = ++j;
    } else if (hasNext && optionIs(opt, "px") && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_EXAT | OPT_PXAT)) === 0) {
      flags |= OPT_PX;
      parsedExpireIndex = ++j;
    } else if (hasNext && optionIs(opt, "exat") && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_PX | OPT_PXAT)) === 0) {
      flags |= OPT_EXAT;
      parsedExpireIndex = ++j;
    } else if (hasNext && optionIs(opt, "pxat") && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_EXAT | OPT_PX)) === 0) {
      flags |= OPT_PXAT;
      parsedExpireIndex = ++j;
    } else {
      return -1;
    }
  }
  return flags;
}

/**
 * Redis's getExpireMillisecondsOrReply: the absolute unix-ms deadline an EX/PX/EXAT/PXAT
 * argument stands for, or undefined after replying with the error. Times that are not
 * positive, or whose conversion to absolute milliseconds overflows 64 bits, are "invalid
 * expire time". Deadlines beyond 2^53 are kept as bigints so the propagated PXAT is exact.
 */
function expireDeadlineOrReply(ctx: CommandContext, text: string, flags: number): number | bigint | undefined {
  const parsed = parseInteger(text);
  if (parsed === undefined) {
    ctx.error(Errors.notInteger);
    return undefined;
  }
  const inSeconds = (flags & (OPT_EX | OPT_EXAT)) !== 0;
  const relative = (flags & (OPT_EX | OPT_PX)) !== 0;
  if (typeof parsed === "number") {
    if (parsed <= 0) {
      ctx.error(invalidExpireTime(ctx.spec.fullName));
      return undefined;
    }
    // Exact whenever the result is a safe integer; anything larger is redone with BigInt.
    const deadline = (inSeconds ? parsed * 1000 : parsed) + (relative ? ctx.now : 0);
    if (deadline <= Number.MAX_SAFE_INTEGER) return deadline;
  }
  let deadline = BigInt(parsed);
  if (deadline <= 0n || (inSeconds && deadline > LLONG_MAX / 1000n)) {
    ctx.error(invalidExpireTime(ctx.spec.fullName));
    return undefined;
  }
  if (inSeconds) deadline *= 1000n;
  if (relative) deadline += BigInt(ctx.now);
  if (deadline > LLONG_MAX) {
    // In C the addition wraps negative, which Redis reports as an invalid time.
    ctx.error(invalidExpireTime(ctx.spec.fullName));
    return undefined;
  }
  return normalizeInteger(deadline);
}

// ---------------------------------------------------------------------------------------
// GET, SET and variants
// ---------------------------------------------------------------------------------------

/** Redis's getGenericCommand: replies with the value (or null); false after a WRONGTYPE error. */
function getGeneric(ctx: CommandContext, key: string): boolean {
  const value = ctx.lookupRead(key);
  if (value === undefined) {
    ctx.reply.nullBulk();
    return true;
  }
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return false;
  }
  ctx.reply.bulk(value);
  return true;
}

function getCommand(ctx: CommandContext, argv: readonly string[]): void {
  getGeneric(ctx, argv[1]!);
}

/**
 * SET and its variants (Redis's setGenericCommand). `expireText` is the EX/PX/EXAT/PXAT
 * argument; `integerReplies` selects SETNX's :1/:0 instead of +OK/null.
 */
function setGeneric(
  ctx: CommandContext,
  argv: readonly string[],
  flags: number,
  key: string,
  value: string,
  expireText: string | undefined,
  integerReplies: boolean,
): void {
  let deadline: number | bigint = 0;
  if (expireText !== undefined) {
    const parsed = expireDeadlineOrReply(ctx, expireText, flags);
    if (parsed === undefined) return;
    deadline = parsed;
  }
  if ((flags & OPT_GET) !== 0 && !getGeneric(ctx, key)) return;

  const found = ctx.lookupWrite(key) !== undefined;
  if (((flags & OPT_NX) !== 0 && found) || ((flags & OPT_XX) !== 0 && !found)) {
    if ((flags & OPT_GET) === 0) {
      if (integerReplies) ctx.reply.integer(0);
      else ctx.reply.nullBulk();
    }
    return;
  }

  const db = ctx.db;
  if ((flags & OPT_KEEPTTL) !== 0 || expireText !== undefined) db.overwrite(key, value);
  else db.set(key, value);
  if (!found) ctx.notify(NotifyClass.New, "new", key);
  ctx.keyModified(key);
  ctx.dirty();
  ctx.notify(NotifyClass.String, "set", key);

  if (expireText !== undefined) {
    // Redis 7.0 sets even an already-past deadline and lets the key expire lazily (logging
    // its DEL then); the command itself is logged with the absolute deadline, dropping
    // NX/XX/GET, which no longer matter once the write happened.
    db.setExpire(key, Number(deadline));
    ctx.propagateAs(["SET", key, value, "PXAT", String(deadline)]);
    ctx.notify(NotifyClass.Generic, "expire", key);
  }

  if ((flags & OPT_GET) === 0) {
    if (integerReplies) ctx.reply.integer(1);
    else ctx.reply.simple("OK");
  } else if (expireText === undefined) {
    ctx.propagateAs(withoutGetArguments(argv));
  }
}

/** SET's argv minus its GET options (which may repeat), for the log. */
function withoutGetArguments(argv: readonly string[]): string[] {
  const kept = [argv[0]!, argv[1]!, argv[2]!];
  for (let j = 3; j < argv.length; j++) if (!optionIs(argv[j]!, "get")) kept.push(argv[j]!);
  return kept;
}

function setCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const value = argv[2]!;
  if (argv.length === 3) {
    // Plain SET, the common case: no option parsing. Redis still looks the key up, which
    // expires it first if due (logging DEL, firing "expired"); only keys with a TTL can be.
    const db = ctx.db;
    if (db.expiresSize !== 0) ctx.lookupWrite(key);
    // Redis's dbAdd fires "new" for a created key; the existence check is paid only when n is on.
    if ((ctx.engine.notifyMask & NotifyClass.New) !== 0 && db.peek(key) === undefined) ctx.notify(NotifyClass.New, "new", key);
    db.set(key, value);
    ctx.keyModified(key);
    ctx.dirty();
    ctx.notify(NotifyClass.String, "set", key);
    ctx.reply.simple("OK");
    return;
  }
  const flags = parseStringOptions(argv, true);
  if (flags < 0) {
    ctx.error(Errors.syntax);
    return;
  }
  setGeneric(ctx, argv, flags, key, value, parsedExpireIndex > 0 ? argv[parsedExpireIndex] : undefined, false);
}

function setnxCommand(ctx: CommandContext, argv: readonly string[]): void {
  setGeneric(ctx, argv, OPT_NX, argv[1]!, argv[2]!, undefined, true);
}

function setexCommand(ctx: CommandContext, argv: readonly string[]): void {
  setGeneric(ctx, argv, OPT_EX, argv[1]!, argv[3]!, argv[2], false);
}

function psetexCommand(ctx: CommandContext, argv: readonly string[]): void {
  setGeneric(ctx, argv, OPT_PX, argv[1]!, argv[3]!, argv[2], false);
}

function getsetCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  if (!getGeneric(ctx, key)) return;
  if (ctx.db.peek(key) === undefined) ctx.notify(NotifyClass.New, "new", key);
  ctx.db.set(key, argv[2]!);
  ctx.keyModified(key);
  ctx.notify(NotifyClass.String, "set", key);
  ctx.dirty();
  ctx.propagateAs(["SET", key, argv[2]!]);
}

function getdelCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  if (!getGeneric(ctx, key)) return;
  if (!ctx.db.delete(key)) return;
  ctx.propagateAs(["DEL", key]);
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Generic, "del", key);
  ctx.dirty();
}

/**
 * GETEX: GET that also sets or removes the TTL. Never logged as itself: as PEXPIREAT with
 * the absolute deadline, PERSIST, or DEL when an EXAT/PXAT deadline has already passed.
 */
function getexCommand(ctx: CommandContext, argv: readonly string[]): void {
  const flags = argv.length === 2 ? 0 : parseStringOptions(argv, false);
  if (flags < 0) {
    ctx.error(Errors.syntax);
    return;
  }
  const key = argv[1]!;
  const value = ctx.lookupRead(key);
  if (value === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return;
  }
  let deadline: number | bigint = 0;
  const hasExpire = (flags & ANY_EXPIRE) !== 0;
  if (hasExpire) {
    const parsed = expireDeadlineOrReply(ctx, argv[parsedExpireIndex]!, flags);
    if (parsed === undefined) return;
    deadline = parsed;
  }
  // Reply before the key may be deleted below.
  ctx.reply.bulk(value);

  const db = ctx.db;
  if ((flags & (OPT_EXAT | OPT_PXAT)) !== 0 && deadline <= ctx.now && !ctx.engine.loading) {
    db.delete(key);
    ctx.propagateAs(["DEL", key]);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty();
  } else if (hasExpire) {
    db.setExpire(key, Number(deadline));
    ctx.propagateAs(["PEXPIREAT", key, String(deadline)]);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "expire", key);
    ctx.dirty();
  } else if ((flags & OPT_PERSIST) !== 0 && db.removeExpire(key)) {
    ctx.keyModified(key);
    ctx.propagateAs(["PERSIST", key]);
    ctx.notify(NotifyClass.Generic, "persist", key);
    ctx.dirty();
  }
}

// ---------------------------------------------------------------------------------------
// Multi-key
// ---------------------------------------------------------------------------------------

function mgetCommand(ctx: CommandContext, argv: readonly string[]): void {
  const reply = ctx.reply;
  reply.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const value = ctx.lookupRead(argv[j]!);
    // MGET never fails: a key of another type reads as missing.
    if (typeof value === "string") reply.bulk(value);
    else reply.nullBulk();
  }
}

function msetGeneric(ctx: CommandContext, argv: readonly string[], onlyIfNoneExist: boolean): void {
  if (argv.length % 2 === 0) {
    ctx.error(wrongArity(ctx.spec.fullName));
    return;
  }
  if (onlyIfNoneExist) {
    for (let j = 1; j < argv.length; j += 2) {
      if (ctx.lookupWrite(argv[j]!) !== undefined) {
        ctx.reply.integer(0);
        return;
      }
    }
  }
  const db = ctx.db;
  for (let j = 1; j < argv.length; j += 2) {
    const key = argv[j]!;
    // As Redis's setKey: a key past its TTL is expired (and its DEL logged) before the write.
    if (db.expiresSize !== 0) ctx.lookupWrite(key);
    if ((ctx.engine.notifyMask & NotifyClass.New) !== 0 && db.peek(key) === undefined) ctx.notify(NotifyClass.New, "new", key);
    db.set(key, argv[j + 1]!);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.String, "set", key);
  }
  ctx.dirty((argv.length - 1) / 2);
  if (onlyIfNoneExist) ctx.reply.integer(1);
  else ctx.reply.simple("OK");
}

function msetCommand(ctx: CommandContext, argv: readonly string[]): void {
  msetGeneric(ctx, argv, false);
}

function msetnxCommand(ctx: CommandContext, argv: readonly string[]): void {
  msetGeneric(ctx, argv, true);
}

// ---------------------------------------------------------------------------------------
// In-place edits: APPEND, SETRANGE, and the read side GETRANGE, STRLEN
// ---------------------------------------------------------------------------------------

const DEFAULT_PROTO_MAX_BULK_LEN = 536870912;

/** proto-max-bulk-len, the largest string a client may build (and LCS's scratch limit). */
export function protoMaxBulkLen(ctx: CommandContext): number {
  const configured = ctx.engine.config.lookup("proto-max-bulk-len")?.value;
  return configured === undefined ? DEFAULT_PROTO_MAX_BULK_LEN : Number(configured);
}

/**
 * Redis's checkStringLength for APPEND and SETRANGE. The AOF loader is exempt, as Redis
 * exempts clients it must obey. Strings are also bounded by V8's maximum string length
 * (2^29 - 24 bytes), a few bytes under the 512 MB default; past it we must refuse too.
 */
function checkStringLength(ctx: CommandContext, total: number): boolean {
  if ((total > protoMaxBulkLen(ctx) && ctx.client.kind !== "aof-loader") || total > bufferConstants.MAX_STRING_LENGTH) {
    ctx.error(Errors.stringTooLong);
    return false;
  }
  return true;
}

function appendCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const addition = argv[2]!;
  const db = ctx.db;
  const current = ctx.lookupWrite(key);
  let total: number;
  if (current === undefined) {
    // A new key holds the argument as SET would store it: not "raw" for OBJECT ENCODING.
    db.set(key, addition);
    ctx.notify(NotifyClass.New, "new", key);
    total = addition.length;
  } else {
    if (typeof current !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    total = current.length + addition.length;
    if (!checkStringLength(ctx, total)) return;
    db.overwrite(key, current + addition);
    db.encodingPins.set(key, "raw");
  }
  ctx.keyModified(key);
  ctx.notify(NotifyClass.String, "append", key);
  ctx.dirty();
  ctx.reply.integer(total);
}

function setrangeCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const parsedOffset = parseInteger(argv[2]!);
  if (parsedOffset === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  if (parsedOffset < 0) {
    ctx.error("ERR offset is out of range");
    return;
  }
  // An offset beyond 2^53 is far past any allowed length; its exact value no longer matters.
  const offset = Number(parsedOffset);
  const patch = argv[3]!;
  const db = ctx.db;
  const current = ctx.lookupWrite(key);
  let updated: string;
  if (current === undefined) {
    if (patch.length === 0) {
      ctx.reply.integer(0);
      return;
    }
    if (!checkStringLength(ctx, offset + patch.length)) return;
    updated = "\0".repeat(offset) + patch;
    db.set(key, updated);
    ctx.notify(NotifyClass.New, "new", key);
  } else {
    if (typeof current !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    if (patch.length === 0) {
      ctx.reply.integer(current.length);
      return;
    }
    if (!checkStringLength(ctx, offset + patch.length)) return;
    const head = current.length >= offset ? current.slice(0, offset) : current + "\0".repeat(offset - current.length);
    updated = head + patch + current.slice(offset + patch.length);
    db.overwrite(key, updated);
  }
  db.encodingPins.set(key, "raw");
  ctx.keyModified(key);
  ctx.notify(NotifyClass.String, "setrange", key);
  ctx.dirty();
  ctx.reply.integer(updated.length);
}

/** GETRANGE and its old name SUBSTR: inclusive, negative indexes count from the end. */
function getrangeCommand(ctx: CommandContext, argv: readonly string[]): void {
  const parsedStart = parseInteger(argv[2]!);
  if (parsedStart === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  const parsedEnd = parseInteger(argv[3]!);
  if (parsedEnd === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  const value = ctx.lookupRead(argv[1]!);
  if (value === undefined) {
    ctx.reply.bulk("");
    return;
  }
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return;
  }
  // Indexes beyond 2^53 behave like any other out-of-range index, so a Number suffices.
  let start = Number(parsedStart);
  let end = Number(parsedEnd);
  const length = value.length;
  // Redis 7.0.15 answers empty when both are negative and reversed, before clamping.
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.bulk("");
    return;
  }
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) ctx.reply.bulk("");
  else ctx.reply.bulk(value.slice(start, end + 1));
}

function strlenCommand(ctx: CommandContext, argv: readonly string[]): void {
  const value = ctx.lookupRead(argv[1]!);
  if (value === undefined) ctx.reply.integer(0);
  else if (typeof value !== "string") ctx.error(Errors.wrongType);
  else ctx.reply.integer(value.length);
}

// ---------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------

/** Redis's incrDecrCommand: 64-bit arithmetic with overflow refused, TTL kept. */
function incrDecr(ctx: CommandContext, key: string, increment: number | bigint): void {
  const current = ctx.lookupWrite(key);
  let value: number | bigint = 0;
  if (current !== undefined) {
    if (typeof current !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    const parsed = parseInteger(current);
    if (parsed === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    value = parsed;
  }
  const result = addIntegers(value, increment);
  if (result === undefined) {
    ctx.error(Errors.overflow);
    return;
  }
  const text = String(result);
  if (current === undefined) ctx.db.set(key, text);
  else ctx.db.overwrite(key, text);
  if (current === undefined) ctx.notify(NotifyClass.New, "new", key);
  ctx.keyModified(key);
  ctx.notify(NotifyClass.String, "incrby", key);
  ctx.dirty();
  ctx.reply.integer(result);
}

function incrCommand(ctx: CommandContext, argv: readonly string[]): void {
  incrDecr(ctx, argv[1]!, 1);
}

function decrCommand(ctx: CommandContext, argv: readonly string[]): void {
  incrDecr(ctx, argv[1]!, -1);
}

function incrbyCommand(ctx: CommandContext, argv: readonly string[]): void {
  const increment = parseInteger(argv[2]!);
  if (increment === undefined) ctx.error(Errors.notInteger);
  else incrDecr(ctx, argv[1]!, increment);
}

function decrbyCommand(ctx: CommandContext, argv: readonly string[]): void {
  const decrement = parseInteger(argv[2]!);
  if (decrement === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  const increment = negateInteger(decrement);
  // -LLONG_MIN does not fit: Redis has a dedicated message for it.
  if (increment === undefined) ctx.error("ERR decrement would overflow");
  else incrDecr(ctx, argv[1]!, increment);
}

/**
 * INCRBYFLOAT in the x87 extended precision Redis computes in (see util/long-double.ts).
 * Logged as SET with the resulting text and KEEPTTL, so a replay cannot diverge in
 * rounding or formatting.
 */
function incrbyfloatCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const current = ctx.lookupWrite(key);
  let value: LongDouble | undefined = LONG_DOUBLE_ZERO;
  if (current !== undefined) {
    if (typeof current !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    value = parseLongDouble(current);
  }
  const increment = value === undefined ? undefined : parseLongDouble(argv[2]!);
  if (value === undefined || increment === undefined) {
    ctx.error(Errors.notFloat);
    return;
  }
  const sum = addLongDouble(value, increment);
  if (sum.kind !== "finite") {
    ctx.error(Errors.nanOrInfinity);
    return;
  }
  const text = formatLongDouble(sum);
  if (current === undefined) ctx.db.set(key, text);
  else ctx.db.overwrite(key, text);
  if (current === undefined) ctx.notify(NotifyClass.New, "new", key);
  // createStringObjectFromLongDouble never int-encodes, even for "3".
  ctx.db.encodingPins.set(key, text.length <= 44 ? "embstr" : "raw");
  ctx.keyModified(key);
  ctx.notify(NotifyClass.String, "incrbyfloat", key);
  ctx.dirty();
  ctx.reply.bulk(text);
  ctx.propagateAs(["SET", key, text, "KEEPTTL"]);
}

// ---------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]; missing keys are empty strings. */
function lcsCommand(ctx: CommandContext, argv: readonly string[]): void {
  const first = ctx.lookupRead(argv[1]!);
  const second = ctx.lookupRead(argv[2]!);
  if ((first !== undefined && typeof first !== "string") || (second !== undefined && typeof second !== "string")) {
    ctx.error("ERR The specified keys must contain string values");
    return;
  }
  let wantLength = false;
  let wantIndexes = false;
  let withMatchLength = false;
  let minMatchLength = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (optionIs(opt, "idx")) {
      wantIndexes = true;
    } else if (optionIs(opt, "len")) {
      wantLength = true;
    } else if (optionIs(opt, "withmatchlen")) {
      withMatchLength = true;
    } else if (optionIs(opt, "minmatchlen") && j < argv.length - 1) {
      const parsed = parseInteger(argv[++j]!);
      if (parsed === undefined) {
        ctx.error(Errors.notInteger);
        return;
      }
      minMatchLength = parsed < 0 ? 0 : Number(parsed);
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  if (wantLength && wantIndexes) {
    ctx.error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  const a = first ?? "";
  const b = second ?? "";
  // Redis refuses before allocating its (a+1)·(b+1) uint32 table, even when only LEN is asked.
  if (lcsTableBytes(a.length, b.length) > protoMaxBulkLen(ctx)) {
    ctx.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  const reply = ctx.reply;
  if (wantLength) {
    reply.integer(lcsLength(a, b));
    return;
  }
  let result;
  try {
    result = lcsWithMatches(a, b, minMatchLength);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    ctx.error("ERR Insufficient memory, failed allocating transient memory for LCS");
    return;
  }
  if (!wantIndexes) {
    reply.bulk(result.text);
    return;
  }
  const matches = result.matches;
  reply.map(2);
  reply.bulk("matches");
  reply.array(matches.length / 5);
  for (let m = 0; m < matches.length; m += 5) {
    reply.array(withMatchLength ? 3 : 2);
    reply.array(2);
    reply.integer(matches[m]!);
    reply.integer(matches[m + 1]!);
    reply.array(2);
    reply.integer(matches[m + 2]!);
    reply.integer(matches[m + 3]!);
    if (withMatchLength) reply.integer(matches[m + 4]!);
  }
  reply.bulk("len");
  reply.integer(result.length);
}

export const stringsCommands: CommandDefinition[] = [
  { name: "get", handler: getCommand },
  { name: "set", handler: setCommand },
  { name: "setnx", handler: setnxCommand },
  { name: "setex", handler: setexCommand },
  { name: "psetex", handler: psetexCommand },
  { name: "getset", handler: getsetCommand },
  { name: "getdel", handler: getdelCommand },
  { name: "getex", handler: getexCommand },
  { name: "mget", handler: mgetCommand },
  { name: "mset", handler: msetCommand },
  { name: "msetnx", handler: msetnxCommand },
  { name: "append", handler: appendCommand },
  { name: "setrange", handler: setrangeCommand },
  { name: "getrange", handler: getrangeCommand },
  { name: "substr", handler: getrangeCommand },
  { name: "strlen", handler: strlenCommand },
  { name: "incr", handler: incrCommand },
  { name: "decr", handler: decrCommand },
  { name: "incrby", handler: incrbyCommand },
  { name: "decrby", handler: decrbyCommand },
  { name: "incrbyfloat", handler: incrbyfloatCommand },
  { name: "lcs", handler: lcsCommand },
];
