import type { ReplyWriter } from "@kv/protocol";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors, wrongArity } from "../errors.js";
import { HashValue, NO_LISTPACK_LIMITS, randomIndex, type ListpackLimits } from "../types/hash-value.js";
import { optionIs } from "../util/c-string.js";
import { globMatch } from "../util/glob-match.js";
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from "../util/long-double.js";
import { addIntegers, parseInteger } from "../util/redis-integer.js";
import { parseScanOptions } from "./keys.js";
import { ScanCursorRegistry, advanceWalk, parseScanCursor, type ScanWalk } from "./scan-cursor.js";

/*
 * The hashes family (Redis's t_hash.c): HSET and friends over a HashValue. Replies, error
 * texts, notifications, propagated forms and the listpack → hashtable conversion points
 * follow redis-server 7.0.15.
 */

const HASH_NOT_INTEGER = "ERR hash value is not an integer";
const HASH_NOT_FLOAT = "ERR hash value is not a float";
const INCREMENT_NOT_FINITE = "ERR value is NaN or Infinity";
/** getRangeLongFromObjectOrReply's text for HRANDFIELD's -LONG_MAX..LONG_MAX, typo included. */
const COUNT_OUT_OF_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const VALUE_OUT_OF_RANGE = "ERR value is out of range";

// ---------------------------------------------------------------------------------------
// Lookup and encoding limits
// ---------------------------------------------------------------------------------------

/**
 * The hash at `key` for reading: undefined when the key is missing (the caller replies),
 * null after replying WRONGTYPE.
 */
function readHash(ctx: CommandContext, key: string): HashValue | undefined | null {
  return ctx.ofType(ctx.lookupRead(key), HashValue);
}

/**
 * Redis's hashTypeLookupWriteOrCreate: the hash at `key`, created (as an empty listpack,
 * with Redis's "new" event) when missing, or undefined after replying WRONGTYPE. Every
 * caller stores a field right after, so the empty hash is never observable.
 */
function writeHash(ctx: CommandContext, key: string): HashValue | undefined {
  const value = ctx.lookupWrite(key);
  if (value instanceof HashValue) return value;
  if (value !== undefined) {
    ctx.error(Errors.wrongType);
    return undefined;
  }
  const created = new HashValue();
  ctx.db.set(key, created);
  ctx.notify(NotifyClass.New, "new", key);
  return created;
}

// Commands run one at a time, so one scratch object serves every call without allocating.
const limitsScratch: ListpackLimits = { maxEntries: 0, maxValueLength: 0 };

/** hash-max-listpack-entries / -value as they are now; a converted hash needs none. */
function listpackLimits(ctx: CommandContext, hash: HashValue): ListpackLimits {
  if (!hash.listpack) return NO_LISTPACK_LIMITS;
  const config = ctx.engine.config;
  limitsScratch.maxEntries = Number(config.get("hash-max-listpack-entries"));
  limitsScratch.maxValueLength = Number(config.get("hash-max-listpack-value"));
  return limitsScratch;
}

// ---------------------------------------------------------------------------------------
// HSET, HMSET, HSETNX, HDEL
// ---------------------------------------------------------------------------------------

/** HSET and HMSET (one hsetCommand in Redis); they differ only in their reply. */
function hsetGeneric(ctx: CommandContext, argv: readonly string[], replyOk: boolean): void {
  // Arity -4 lets a dangling field through; Redis checks the pairing itself, before the lookup.
  if (argv.length % 2 === 1) {
    ctx.error(wrongArity(ctx.spec.fullName));
    return;
  }
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  if (hash === undefined) return;
  const limits = listpackLimits(ctx, hash);
  let created = 0;
  for (let j = 2; j < argv.length; j += 2) if (hash.set(argv[j]!, argv[j + 1]!, limits)) created++;
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Hash, "hset", key);
  ctx.dirty((argv.length - 2) / 2);
  if (replyOk) ctx.reply.simple("OK");
  else ctx.reply.integer(created);
}

function hsetCommand(ctx: CommandContext, argv: readonly string[]): void {
  hsetGeneric(ctx, argv, false);
}

function hmsetCommand(ctx: CommandContext, argv: readonly string[]): void {
  hsetGeneric(ctx, argv, true);
}

function hsetnxCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  if (hash === undefined) return;
  const field = argv[2]!;
  if (hash.entries.has(field)) {
    ctx.reply.integer(0);
    return;
  }
  hash.set(field, argv[3]!, listpackLimits(ctx, hash));
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Hash, "hset", key);
  ctx.dirty();
  ctx.reply.integer(1);
}

/** HDEL stops at the field that empties the hash: the key is gone, later fields count for nothing. */
function hdelCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const value = ctx.lookupWrite(key);
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (!(value instanceof HashValue)) {
    ctx.error(Errors.wrongType);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (!value.delete(argv[j]!)) continue;
    deleted++;
    if (value.size === 0) {
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Hash, "hdel", key);
    if (keyRemoved) ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty(deleted);
  }
  ctx.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------
// Single-field reads: HGET, HMGET, HEXISTS, HSTRLEN, HLEN
// ---------------------------------------------------------------------------------------

function hgetCommand(ctx: CommandContext, argv: readonly string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const value = hash?.entries.get(argv[2]!);
  if (value === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(value);
}

function hmgetCommand(ctx: CommandContext, argv: readonly string[]): void {
  // A missing key reads as an empty hash: one null per field.
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const value = hash?.entries.get(argv[j]!);
    if (value === undefined) reply.nullBulk();
    else reply.bulk(value);
  }
}

function hexistsCommand(ctx: CommandContext, argv: readonly string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash !== null) ctx.reply.integer(hash?.entries.has(argv[2]!) === true ? 1 : 0);
}

function hstrlenCommand(ctx: CommandContext, argv: readonly string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash !== null) ctx.reply.integer(hash?.entries.get(argv[2]!)?.length ?? 0);
}

function hlenCommand(ctx: CommandContext, argv: readonly string[]): void {
  const hash = readHash(ctx, argv[1]!);
  if (hash !== null) ctx.reply.integer(hash?.size ?? 0);
}

// ---------------------------------------------------------------------------------------
// Whole-hash reads: HKEYS, HVALS, HGETALL
// ---------------------------------------------------------------------------------------

const WANT_FIELDS = 1;
const WANT_VALUES = 2;

/**
 * Redis's genericHgetallCommand. Fields and values together form a map (RESP3 %, a flat
 * array in RESP2), even when the key is missing; either alone is an array.
 */
function getAllGeneric(ctx: CommandContext, key: string, want: number): void {
  const hash = readHash(ctx, key);
  if (hash === null) return;
  const reply = ctx.reply;
  const size = hash?.size ?? 0;
  if (want === (WANT_FIELDS | WANT_VALUES)) reply.map(size);
  else reply.array(size);
  if (hash === undefined) return;
  if (want === WANT_FIELDS) {
    for (const field of hash.entries.keys()) reply.bulk(field);
  } else if (want === WANT_VALUES) {
    for (const value of hash.entries.values()) reply.bulk(value);
  } else {
    for (const [field, value] of hash.entries) {
      reply.bulk(field);
      reply.bulk(value);
    }
  }
}

function hkeysCommand(ctx: CommandContext, argv: readonly string[]): void {
  getAllGeneric(ctx, argv[1]!, WANT_FIELDS);
}

function hvalsCommand(ctx: CommandContext, argv: readonly string[]): void {
  getAllGeneric(ctx, argv[1]!, WANT_VALUES);
}

function hgetallCommand(ctx: CommandContext, argv: readonly string[]): void {
  getAllGeneric(ctx, argv[1]!, WANT_FIELDS | WANT_VALUES);
}

// ---------------------------------------------------------------------------------------
// Counters: HINCRBY, HINCRBYFLOAT
// ---------------------------------------------------------------------------------------

/** HINCRBY: 64-bit arithmetic with overflow refused; a missing field counts as 0. */
function hincrbyCommand(ctx: CommandContext, argv: readonly string[]): void {
  const increment = parseInteger(argv[3]!);
  if (increment === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  if (hash === undefined) return;
  const field = argv[2]!;
  const current = hash.entries.get(field);
  let value: number | bigint = 0;
  if (current !== undefined) {
    const parsed = parseInteger(current);
    if (parsed === undefined) {
      ctx.error(HASH_NOT_INTEGER);
      return;
    }
    value = parsed;
  }
  const result = addIntegers(value, increment);
  if (result === undefined) {
    ctx.error(Errors.overflow);
    return;
  }
  // hashTypeSet checks the field's length here too: HINCRBY can convert with a long field.
  hash.set(field, String(result), listpackLimits(ctx, hash));
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Hash, "hincrby", key);
  ctx.dirty();
  ctx.reply.integer(result);
}

/**
 * HINCRBYFLOAT in the x87 extended precision Redis computes in, formatted as INCRBYFLOAT
 * formats. Logged as HSET with the resulting text, as Redis does, so a replay cannot
 * diverge in rounding or formatting.
 */
function hincrbyfloatCommand(ctx: CommandContext, argv: readonly string[]): void {
  const increment = parseLongDouble(argv[3]!);
  if (increment === undefined) {
    ctx.error(Errors.notFloat);
    return;
  }
  // string2ld accepts "inf"; HINCRBYFLOAT refuses it before touching the key.
  if (increment.kind !== "finite") {
    ctx.error(INCREMENT_NOT_FINITE);
    return;
  }
  const key = argv[1]!;
  const hash = writeHash(ctx, key);
  if (hash === undefined) return;
  const field = argv[2]!;
  const current = hash.entries.get(field);
  let sum: LongDouble = increment;
  if (current !== undefined) {
    const value = parseLongDouble(current);
    if (value === undefined) {
      ctx.error(HASH_NOT_FLOAT);
      return;
    }
    sum = addLongDouble(value, increment);
    if (sum.kind !== "finite") {
      ctx.error(Errors.nanOrInfinity);
      return;
    }
  }
  const text = formatLongDouble(sum);
  hash.set(field, text, listpackLimits(ctx, hash));
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Hash, "hincrbyfloat", key);
  ctx.dirty();
  ctx.reply.bulk(text);
  ctx.propagateAs(["HSET", key, field, text]);
}

// ---------------------------------------------------------------------------------------
// HRANDFIELD
// ---------------------------------------------------------------------------------------

/** Half of LONG_MAX, rounded down: WITHVALUES doubles the reply length, which must stay a long. */
const HALF_LONG_MAX = 4611686018427387903n;
const LONG_MAX = 9223372036854775807n;

/**
 * HRANDFIELD key [count [WITHVALUES]]. The count and options are checked before the key is
 * looked up, in Redis's order: integer, range, syntax, then WITHVALUES's tighter range.
 */
function hrandfieldCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length >= 3) {
    const count = parseInteger(argv[2]!);
    if (count === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    if (typeof count === "bigint" && -count > LONG_MAX) {
      ctx.error(COUNT_OUT_OF_RANGE);
      return;
    }
    if (argv.length > 4 || (argv.length === 4 && !optionIs(argv[3]!, "withvalues"))) {
      ctx.error(Errors.syntax);
      return;
    }
    const withValues = argv.length === 4;
    if (withValues && typeof count === "bigint" && (count > HALF_LONG_MAX || -count > HALF_LONG_MAX)) {
      ctx.error(VALUE_OUT_OF_RANGE);
      return;
    }
    hrandfieldWithCount(ctx, argv[1]!, Number(count), withValues);
    return;
  }
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  if (hash === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(hash.randomField());
}

/**
 * Redis's hrandfieldWithCountCommand. A negative count picks with repetition, in random
 * order; a positive one picks distinct fields: the whole hash (in its order) when the count
 * covers it, otherwise a uniform sample — in the hash's order for a listpack (Redis's
 * lpRandomPairsUnique walks it), in no particular order for a hashtable. RESP3 nests each
 * field/value pair in its own array; RESP2 flattens them. As in Redis, nothing bounds a
 * negative count: the reply is built that long.
 */
function hrandfieldWithCount(ctx: CommandContext, key: string, requested: number, withValues: boolean): void {
  const hash = readHash(ctx, key);
  if (hash === null) return;
  const reply = ctx.reply;
  if (hash === undefined || requested === 0) {
    reply.array(0);
    return;
  }
  const nested = withValues && reply.protocol === 3;
  const unique = requested > 0;
  const count = unique ? requested : -requested;
  const size = hash.size;

  if (!unique || count === 1) {
    reply.array(withValues && !nested ? count * 2 : count);
    if (count === 1) {
      writePick(reply, hash, hash.randomField(), withValues, nested);
      return;
    }
    const fields = pickableFields(hash);
    for (let i = 0; i < count; i++) writePick(reply, hash, fields[randomIndex(size)]!, withValues, nested);
    return;
  }

  const replySize = count < size ? count : size;
  reply.array(withValues && !nested ? replySize * 2 : replySize);
  if (count >= size) {
    for (const field of hash.entries.keys()) writePick(reply, hash, field, withValues, nested);
    return;
  }
  if (hash.listpack) {
    // Selection sampling (Knuth's algorithm S): each field is taken with probability
    // needed / remaining, which yields a uniform sample in the hash's own order.
    let needed = count;
    let remaining = size;
    for (const field of hash.entries.keys()) {
      if (Math.random() * remaining < needed) {
        writePick(reply, hash, field, withValues, nested);
        if (--needed === 0) break;
      }
      remaining--;
    }
    return;
  }
  const fields = hash.indexedFields();
  if (count * 3 > size) {
    // Most of the hash: a partial Fisher-Yates shuffle of a copy draws `count` without repeats.
    const pool = fields.slice();
    for (let i = 0; i < count; i++) {
      const j = i + randomIndex(size - i);
      const chosen = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = chosen;
      writePick(reply, hash, chosen, withValues, nested);
    }
    return;
  }
  // A small share of a large hash: draw positions until enough distinct ones came up.
  const taken = new Set<number>();
  while (taken.size < count) {
    const index = randomIndex(size);
    if (taken.has(index)) continue;
    taken.add(index);
    writePick(reply, hash, fields[index]!, withValues, nested);
  }
}

/** Fields by position for repeated picks; a small hash is copied rather than indexed for good. */
function pickableFields(hash: HashValue): readonly string[] {
  return hash.listpack ? [...hash.entries.keys()] : hash.indexedFields();
}

function writePick(reply: ReplyWriter, hash: HashValue, field: string, withValues: boolean, nested: boolean): void {
  if (nested) reply.array(2);
  reply.bulk(field);
  if (withValues) reply.bulk(hash.entries.get(field)!);
}

// ---------------------------------------------------------------------------------------
// HSCAN
// ---------------------------------------------------------------------------------------

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is checked before the lookup
 * and the options after it, as in Redis (a missing key answers an empty page whatever the
 * options). A listpack-encoded hash is returned whole with cursor 0, whatever the cursor and
 * COUNT, as Redis does for its small encodings; a hashtable is walked through a cursor that
 * names a live Map iterator (see scan-cursor.ts). MATCH filters on fields.
 */
function hscanCommand(ctx: CommandContext, argv: readonly string[]): void {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === undefined) {
    ctx.error("ERR invalid cursor");
    return;
  }
  const hash = readHash(ctx, argv[1]!);
  if (hash === null) return;
  const reply = ctx.reply;
  if (hash === undefined) {
    reply.array(2);
    reply.bulk("0");
    reply.array(0);
    return;
  }
  const options = parseScanOptions(ctx, argv, 3, false);
  if (options === undefined) return;
  const pattern = options.pattern;
  const entries = hash.entries;

  if (hash.listpack) {
    reply.array(2);
    reply.bulk("0");
    if (pattern === undefined) {
      reply.array(entries.size * 2);
      for (const [field, value] of entries) {
        reply.bulk(field);
        reply.bulk(value);
      }
      return;
    }
    const matched: string[] = [];
    for (const field of entries.keys()) if (globMatch(pattern, field)) matched.push(field);
    writeFieldsWithValues(reply, entries, matched, matched.length);
    return;
  }

  const registry = (hash.scanCursors ??= new ScanCursorRegistry<string>());
  const walk: ScanWalk<string> = (cursor !== 0 ? registry.take(cursor) : undefined) ?? {
    iterator: entries.keys(),
    pending: undefined,
    lastUsed: ctx.now,
  };
  const batch: string[] = [];
  const ended = advanceWalk(walk, options.count, batch, (field) => entries.has(field));
  const nextCursor = ended ? 0 : registry.park(walk, ctx.now);
  let kept = batch.length;
  if (pattern !== undefined) {
    kept = 0;
    for (const field of batch) if (globMatch(pattern, field)) batch[kept++] = field;
  }
  reply.array(2);
  reply.bulk(String(nextCursor));
  writeFieldsWithValues(reply, entries, batch, kept);
}

function writeFieldsWithValues(reply: ReplyWriter, entries: Map<string, string>, fields: readonly string[], count: number): void {
  reply.array(count * 2);
  for (let i = 0; i < count; i++) {
    const field = fields[i]!;
    reply.bulk(field);
    reply.bulk(entries.get(field)!);
  }
}

export const hashesCommands: CommandDefinition[] = [
  { name: "hset", handler: hsetCommand },
  { name: "hmset", handler: hmsetCommand },
  { name: "hsetnx", handler: hsetnxCommand },
  { name: "hdel", handler: hdelCommand },
  { name: "hget", handler: hgetCommand },
  { name: "hmget", handler: hmgetCommand },
  { name: "hexists", handler: hexistsCommand },
  { name: "hstrlen", handler: hstrlenCommand },
  { name: "hlen", handler: hlenCommand },
  { name: "hkeys", handler: hkeysCommand },
  { name: "hvals", handler: hvalsCommand },
  { name: "hgetall", handler: hgetallCommand },
  { name: "hincrby", handler: hincrbyCommand },
  { name: "hincrbyfloat", handler: hincrbyfloatCommand },
  { name: "hrandfield", handler: hrandfieldCommand },
  { name: "hscan", handler: hscanCommand },
];
