import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors, wrongArity } from "../errors.js";
import { ListValue } from "../types/list-value.js";
import { parseBlockTimeout } from "../blocking/block-timeout.js";
import { longAtLeastOrReply, longOrReply } from "../command/integer-arguments.js";
import { optionIs } from "../util/c-string.js";
import { LLONG_MIN, parseInteger } from "../util/redis-integer.js";

/*
 * The lists family (Redis's t_list.c), blocking pops included. Replies, error texts,
 * notifications and propagated forms follow redis-server 7.0.15, including its integer
 * quirks at LONG_MIN (LPOS RANK, LREM count), which negate to themselves in C.
 *
 * Integer arguments are parsed with string2ll's rules and then used as JS numbers: beyond
 * 2^53 a number is no longer exact, but every such index or count is far outside any list,
 * so comparisons against lengths give the same answers.
 */

const MUST_BE_POSITIVE = "ERR value is out of range, must be positive";
const NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
const COUNT_NOT_POSITIVE = "ERR count should be greater than 0";
const LPOS_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative";
const LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";

// ---------------------------------------------------------------------------------------
// Shared steps
// ---------------------------------------------------------------------------------------

/** Creates an empty list under `key` (Redis's dbAdd, with its "new" event); the caller pushes at once. */
function createList(ctx: CommandContext, key: string): ListValue {
  const list = new ListValue();
  ctx.db.set(key, list);
  ctx.notify(NotifyClass.New, "new", key);
  return list;
}

/**
 * After elements left an end of `list` (Redis's listElementsRemoved): the pop event, the key
 * deleted with a "del" event once empty, and the change signalled and counted.
 */
function elementsRemoved(ctx: CommandContext, key: string, list: ListValue, fromHead: boolean, count: number): void {
  ctx.notify(NotifyClass.List, fromHead ? "lpop" : "rpop", key);
  if (list.length === 0) {
    ctx.db.delete(key);
    ctx.notify(NotifyClass.Generic, "del", key);
  }
  ctx.keyModified(key);
  ctx.dirty(count);
}

/** LEFT or RIGHT (compared as C strings): true for LEFT, false for RIGHT, undefined after a syntax error. */
function headOrReply(ctx: CommandContext, text: string): boolean | undefined {
  if (optionIs(text, "left")) return true;
  if (optionIs(text, "right")) return false;
  ctx.error(Errors.syntax);
  return undefined;
}

/** Replies `count` elements from one end (tail first for the tail), then removes them. */
function popRangeReply(ctx: CommandContext, list: ListValue, fromHead: boolean, count: number): void {
  const reply = ctx.reply;
  reply.array(count);
  if (fromHead) {
    for (let i = 0; i < count; i++) reply.bulk(list.at(i));
    list.removeFront(count);
  } else {
    const last = list.length - 1;
    for (let i = 0; i < count; i++) reply.bulk(list.at(last - i));
    list.removeBack(count);
  }
}

// ---------------------------------------------------------------------------------------
// LPUSH, RPUSH, LPUSHX, RPUSHX, LINSERT
// ---------------------------------------------------------------------------------------

/** Redis's pushGenericCommand; `existingOnly` for the X variants. */
function pushGeneric(ctx: CommandContext, argv: readonly string[], toHead: boolean, existingOnly: boolean): void {
  const key = argv[1]!;
  let list = ctx.ofType(ctx.lookupWrite(key), ListValue);
  if (list === null) return;
  if (list === undefined) {
    if (existingOnly) {
      ctx.reply.integer(0);
      return;
    }
    list = createList(ctx, key);
  }
  if (toHead) for (let j = 2; j < argv.length; j++) list.pushFront(argv[j]!);
  else for (let j = 2; j < argv.length; j++) list.pushBack(argv[j]!);
  ctx.dirty(argv.length - 2);
  ctx.reply.integer(list.length);
  ctx.keyModified(key);
  ctx.notify(NotifyClass.List, toHead ? "lpush" : "rpush", key);
}

function lpushCommand(ctx: CommandContext, argv: readonly string[]): void {
  pushGeneric(ctx, argv, true, false);
}

function rpushCommand(ctx: CommandContext, argv: readonly string[]): void {
  pushGeneric(ctx, argv, false, false);
}

function lpushxCommand(ctx: CommandContext, argv: readonly string[]): void {
  pushGeneric(ctx, argv, true, true);
}

function rpushxCommand(ctx: CommandContext, argv: readonly string[]): void {
  pushGeneric(ctx, argv, false, true);
}

/** LINSERT key BEFORE|AFTER pivot element: the pivot is the first match from the head. */
function linsertCommand(ctx: CommandContext, argv: readonly string[]): void {
  const position = argv[2]!;
  let after: boolean;
  if (optionIs(position, "after")) after = true;
  else if (optionIs(position, "before")) after = false;
  else {
    ctx.error(Errors.syntax);
    return;
  }
  const key = argv[1]!;
  const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const pivot = list.indexOf(argv[3]!);
  if (pivot < 0) {
    ctx.reply.integer(-1);
    return;
  }
  list.insertAt(after ? pivot + 1 : pivot, argv[4]!);
  ctx.keyModified(key);
  ctx.notify(NotifyClass.List, "linsert", key);
  ctx.dirty();
  ctx.reply.integer(list.length);
}

// ---------------------------------------------------------------------------------------
// LPOP, RPOP, LMPOP
// ---------------------------------------------------------------------------------------

/**
 * Redis's popGenericCommand. Without a count: one element as a bulk (null when absent).
 * With one: an array — empty for 0 on an existing list, a null array for a missing key.
 */
function popGeneric(ctx: CommandContext, argv: readonly string[], fromHead: boolean): void {
  // The arity (-2) admits any number of arguments; Redis rejects more than a count itself.
  if (argv.length > 3) {
    ctx.error(wrongArity(ctx.spec.fullName));
    return;
  }
  const withCount = argv.length === 3;
  let count = 0;
  if (withCount) {
    const parsed = longAtLeastOrReply(ctx, argv[2]!, 0, MUST_BE_POSITIVE);
    if (parsed === undefined) return;
    count = parsed;
  }
  const key = argv[1]!;
  const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
  if (list === null) return;
  if (list === undefined) {
    if (withCount) ctx.reply.nullArray();
    else ctx.reply.nullBulk();
    return;
  }
  if (!withCount) {
    ctx.reply.bulk((fromHead ? list.popFront() : list.popBack())!);
    elementsRemoved(ctx, key, list, fromHead, 1);
    return;
  }
  if (count === 0) {
    ctx.reply.array(0);
    return;
  }
  const popped = Math.min(count, list.length);
  popRangeReply(ctx, list, fromHead, popped);
  elementsRemoved(ctx, key, list, fromHead, popped);
}

function lpopCommand(ctx: CommandContext, argv: readonly string[]): void {
  popGeneric(ctx, argv, true);
}

function rpopCommand(ctx: CommandContext, argv: readonly string[]): void {
  popGeneric(ctx, argv, false);
}

/**
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] and BLMPOP timeout numkeys ...: pops
 * from the first non-empty list, replying [key, [elements]], and is propagated as the
 * LPOP/RPOP with a count it amounted to. BLMPOP parses its timeout last, as Redis does.
 */
function lmpopGeneric(ctx: CommandContext, argv: readonly string[], numkeysIndex: number, blocking: boolean): void {
  const numkeys = longAtLeastOrReply(ctx, argv[numkeysIndex]!, 1, NUMKEYS_NOT_POSITIVE);
  if (numkeys === undefined) return;
  const firstKey = numkeysIndex + 1;
  const whereIndex = firstKey + numkeys;
  if (whereIndex >= argv.length) {
    ctx.error(Errors.syntax);
    return;
  }
  const fromHead = headOrReply(ctx, argv[whereIndex]!);
  if (fromHead === undefined) return;
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && optionIs(argv[j]!, "count") && j < argv.length - 1) {
      const parsed = longAtLeastOrReply(ctx, argv[++j]!, 1, COUNT_NOT_POSITIVE);
      if (parsed === undefined) return;
      count = parsed;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  if (count === -1) count = 1;
  let deadline = 0;
  if (blocking) {
    const parsed = parseBlockTimeout(ctx, argv[1]!, "seconds");
    if (parsed === undefined) return;
    deadline = parsed;
  }

  const readyKey = ctx.retryKey;
  for (let j = firstKey; j < whereIndex; j++) {
    const key = argv[j]!;
    if (readyKey !== undefined && key !== readyKey) continue;
    const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
    if (list === null) return;
    if (list === undefined || list.length === 0) continue;
    const popped = Math.min(count, list.length);
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    popRangeReply(ctx, list, fromHead, popped);
    elementsRemoved(ctx, key, list, fromHead, popped);
    ctx.propagateAs([fromHead ? "LPOP" : "RPOP", key, String(popped)]);
    return;
  }
  if (blocking) ctx.block(argv.slice(firstKey, whereIndex), "list", deadline);
  else ctx.reply.nullArray();
}

function lmpopCommand(ctx: CommandContext, argv: readonly string[]): void {
  lmpopGeneric(ctx, argv, 1, false);
}

function blmpopCommand(ctx: CommandContext, argv: readonly string[]): void {
  lmpopGeneric(ctx, argv, 2, true);
}

/**
 * BLPOP/BRPOP key [key ...] timeout (Redis's blockingPopGenericCommand): the timeout is
 * parsed first; the first key holding a list is popped and the command propagated as the
 * plain LPOP/RPOP it amounted to; with none, the client waits.
 */
function blockingPopGeneric(ctx: CommandContext, argv: readonly string[], fromHead: boolean): void {
  const last = argv.length - 1;
  const deadline = parseBlockTimeout(ctx, argv[last]!, "seconds");
  if (deadline === undefined) return;
  const readyKey = ctx.retryKey;
  for (let j = 1; j < last; j++) {
    const key = argv[j]!;
    if (readyKey !== undefined && key !== readyKey) continue;
    const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
    if (list === null) return;
    if (list === undefined) continue;
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    ctx.reply.bulk((fromHead ? list.popFront() : list.popBack())!);
    elementsRemoved(ctx, key, list, fromHead, 1);
    ctx.propagateAs([fromHead ? "LPOP" : "RPOP", key]);
    return;
  }
  ctx.block(argv.slice(1, last), "list", deadline);
}

// ---------------------------------------------------------------------------------------
// LLEN, LINDEX, LSET, LRANGE, LTRIM
// ---------------------------------------------------------------------------------------

function llenCommand(ctx: CommandContext, argv: readonly string[]): void {
  const list = ctx.ofType(ctx.lookupRead(argv[1]!), ListValue);
  if (list === null) return;
  ctx.reply.integer(list === undefined ? 0 : list.length);
}

/** LINDEX: a missing key answers null before the index is even parsed. */
function lindexCommand(ctx: CommandContext, argv: readonly string[]): void {
  const list = ctx.ofType(ctx.lookupRead(argv[1]!), ListValue);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  let index = longOrReply(ctx, argv[2]!);
  if (index === undefined) return;
  if (index < 0) index += list.length;
  if (index >= 0 && index < list.length) ctx.reply.bulk(list.at(index));
  else ctx.reply.nullBulk();
}

function lsetCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
  if (list === null) return;
  if (list === undefined) {
    ctx.error(Errors.noSuchKey);
    return;
  }
  let index = longOrReply(ctx, argv[2]!);
  if (index === undefined) return;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) {
    ctx.error(Errors.outOfRange);
    return;
  }
  list.set(index, argv[3]!);
  ctx.reply.simple("OK");
  ctx.keyModified(key);
  ctx.notify(NotifyClass.List, "lset", key);
  ctx.dirty();
}

/** The last index found by the latest resolveRange call (a second result, without allocating). */
let rangeEnd = 0;

/**
 * Resolves a start/stop pair the way LRANGE and LTRIM do (negative from the end, clamped).
 * Returns the first index and writes the last to `rangeEnd`, or -1 when the range is empty.
 */
function resolveRange(start: number, end: number, length: number): number {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return -1;
  rangeEnd = end >= length ? length - 1 : end;
  return start;
}

function lrangeCommand(ctx: CommandContext, argv: readonly string[]): void {
  const start = longOrReply(ctx, argv[2]!);
  if (start === undefined) return;
  const end = longOrReply(ctx, argv[3]!);
  if (end === undefined) return;
  const list = ctx.ofType(ctx.lookupRead(argv[1]!), ListValue);
  if (list === null) return;
  const reply = ctx.reply;
  const first = list === undefined ? -1 : resolveRange(start, end, list.length);
  if (first < 0) {
    reply.array(0);
    return;
  }
  const last = rangeEnd;
  reply.array(last - first + 1);
  for (let i = first; i <= last; i++) reply.bulk(list!.at(i));
}

/** LTRIM: replies OK for a missing key; an empty range deletes the list. */
function ltrimCommand(ctx: CommandContext, argv: readonly string[]): void {
  const start = longOrReply(ctx, argv[2]!);
  if (start === undefined) return;
  const end = longOrReply(ctx, argv[3]!);
  if (end === undefined) return;
  const key = argv[1]!;
  const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.simple("OK");
    return;
  }
  const length = list.length;
  const first = resolveRange(start, end, length);
  const leftTrim = first < 0 ? length : first;
  const rightTrim = first < 0 ? 0 : length - rangeEnd - 1;
  list.removeFront(leftTrim);
  list.removeBack(rightTrim);
  // Notified and signalled even when nothing was removed; only counted changes are propagated.
  ctx.notify(NotifyClass.List, "ltrim", key);
  if (list.length === 0) {
    ctx.db.delete(key);
    ctx.notify(NotifyClass.Generic, "del", key);
  }
  ctx.keyModified(key);
  ctx.dirty(leftTrim + rightTrim);
  ctx.reply.simple("OK");
}

// ---------------------------------------------------------------------------------------
// LPOS, LREM
// ---------------------------------------------------------------------------------------

/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Options may repeat (the last
 * wins) and are all checked before the key is looked up.
 */
function lposCommand(ctx: CommandContext, argv: readonly string[]): void {
  let rank = 1;
  let count = -1; // -1: no COUNT, reply with one index instead of an array
  let maxlen = 0;
  let fromTail = false;
  let countIgnored = false;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!;
    const hasValue = j < argv.length - 1;
    if (hasValue && optionIs(option, "rank")) {
      const parsed = parseInteger(argv[++j]!);
      if (parsed === undefined) {
        ctx.error(Errors.notInteger);
        return;
      }
      if (parsed === 0) {
        ctx.error(LPOS_RANK_ZERO);
        return;
      }
      rank = Number(parsed);
      // In C, -LONG_MIN is LONG_MIN: the search runs from the tail, every match is at or
      // past the rank, and the COUNT test overflows so that no count is ever reached.
      countIgnored = parsed === LLONG_MIN;
    } else if (hasValue && optionIs(option, "count")) {
      const parsed = longAtLeastOrReply(ctx, argv[++j]!, 0, LPOS_COUNT_NEGATIVE);
      if (parsed === undefined) return;
      count = parsed;
    } else if (hasValue && optionIs(option, "maxlen")) {
      const parsed = longAtLeastOrReply(ctx, argv[++j]!, 0, LPOS_MAXLEN_NEGATIVE);
      if (parsed === undefined) return;
      maxlen = parsed;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  if (rank < 0) {
    rank = countIgnored ? 1 : -rank;
    fromTail = true;
  }

  const list = ctx.ofType(ctx.lookupRead(argv[1]!), ListValue);
  if (list === null) return;
  if (list === undefined) {
    if (count !== -1) ctx.reply.array(0);
    else ctx.reply.nullBulk();
    return;
  }
  const element = argv[2]!;
  const length = list.length;
  const limit = maxlen === 0 || maxlen > length ? length : maxlen;
  const wanted = countIgnored ? 0 : count;
  const found: number[] = [];
  let matches = 0;
  for (let scanned = 0; scanned < limit; scanned++) {
    const index = fromTail ? length - 1 - scanned : scanned;
    if (list.at(index) !== element || ++matches < rank) continue;
    if (count === -1) {
      ctx.reply.integer(index);
      return;
    }
    found.push(index);
    if (wanted !== 0 && found.length >= wanted) break;
  }
  if (count === -1) {
    ctx.reply.nullBulk();
    return;
  }
  ctx.reply.array(found.length);
  for (const index of found) ctx.reply.integer(index);
}

/** LREM key count element: count > 0 from the head, < 0 from the tail, 0 for all. */
function lremCommand(ctx: CommandContext, argv: readonly string[]): void {
  const parsed = parseInteger(argv[2]!);
  if (parsed === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  const key = argv[1]!;
  const list = ctx.ofType(ctx.lookupWrite(key), ListValue);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.integer(0);
    return;
  }
  // LONG_MIN stays negative when negated in C: a scan from the tail that never reaches its count.
  const limit = parsed === LLONG_MIN ? 0 : Math.abs(Number(parsed));
  const removed = list.removeMatching(argv[3]!, limit, parsed < 0);
  if (removed > 0) {
    ctx.notify(NotifyClass.List, "lrem", key);
    if (list.length === 0) {
      ctx.db.delete(key);
      ctx.notify(NotifyClass.Generic, "del", key);
    }
    ctx.keyModified(key);
    ctx.dirty(removed);
  }
  ctx.reply.integer(removed);
}

// ---------------------------------------------------------------------------------------
// LMOVE, RPOPLPUSH
// ---------------------------------------------------------------------------------------

/**
 * Redis's lmoveGenericCommand: both keys are type-checked before anything moves; the push
 * (and its events) happens before the source's pop events. Source and destination may be
 * the same list, which then rotates.
 */
function lmoveGeneric(ctx: CommandContext, argv: readonly string[], fromHead: boolean, toHead: boolean): void {
  const sourceKey = argv[1]!;
  const destinationKey = argv[2]!;
  const source = ctx.ofType(ctx.lookupWrite(sourceKey), ListValue);
  if (source === null) return;
  if (source === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  let destination = ctx.ofType(ctx.lookupWrite(destinationKey), ListValue);
  if (destination === null) return;
  const value = (fromHead ? source.popFront() : source.popBack())!;
  destination ??= createList(ctx, destinationKey);
  if (toHead) destination.pushFront(value);
  else destination.pushBack(value);
  ctx.keyModified(destinationKey);
  ctx.notify(NotifyClass.List, toHead ? "lpush" : "rpush", destinationKey);
  ctx.reply.bulk(value);
  elementsRemoved(ctx, sourceKey, source, fromHead, 1);
}

function lmoveCommand(ctx: CommandContext, argv: readonly string[]): void {
  const fromHead = headOrReply(ctx, argv[3]!);
  if (fromHead === undefined) return;
  const toHead = headOrReply(ctx, argv[4]!);
  if (toHead === undefined) return;
  lmoveGeneric(ctx, argv, fromHead, toHead);
}

function rpoplpushCommand(ctx: CommandContext, argv: readonly string[]): void {
  lmoveGeneric(ctx, argv, false, true);
}

/**
 * BLMOVE/BRPOPLPUSH: LMOVE once the source exists, logged as the LMOVE/RPOPLPUSH it
 * amounted to. Inside MULTI an empty source answers a null bulk (not the null array a
 * timeout gives), as Redis's blmoveGenericCommand does.
 */
function blmoveGeneric(ctx: CommandContext, argv: readonly string[], fromHead: boolean, toHead: boolean, timeoutIndex: number): void {
  const deadline = parseBlockTimeout(ctx, argv[timeoutIndex]!, "seconds");
  if (deadline === undefined) return;
  const sourceKey = argv[1]!;
  const source = ctx.ofType(ctx.lookupWrite(sourceKey), ListValue);
  if (source === null) return;
  if (source === undefined) {
    ctx.block([sourceKey], "list", deadline, undefined, "nullBulk");
    return;
  }
  lmoveGeneric(ctx, argv, fromHead, toHead);
  ctx.propagateAs(timeoutIndex === 5 ? ["LMOVE", sourceKey, argv[2]!, argv[3]!, argv[4]!] : ["RPOPLPUSH", sourceKey, argv[2]!]);
}

function blmoveCommand(ctx: CommandContext, argv: readonly string[]): void {
  const fromHead = headOrReply(ctx, argv[3]!);
  if (fromHead === undefined) return;
  const toHead = headOrReply(ctx, argv[4]!);
  if (toHead === undefined) return;
  blmoveGeneric(ctx, argv, fromHead, toHead, 5);
}

export const listsCommands: CommandDefinition[] = [
  { name: "lpush", handler: lpushCommand },
  { name: "rpush", handler: rpushCommand },
  { name: "lpushx", handler: lpushxCommand },
  { name: "rpushx", handler: rpushxCommand },
  { name: "linsert", handler: linsertCommand },
  { name: "lpop", handler: lpopCommand },
  { name: "rpop", handler: rpopCommand },
  { name: "lmpop", handler: lmpopCommand },
  { name: "llen", handler: llenCommand },
  { name: "lindex", handler: lindexCommand },
  { name: "lset", handler: lsetCommand },
  { name: "lrange", handler: lrangeCommand },
  { name: "ltrim", handler: ltrimCommand },
  { name: "lpos", handler: lposCommand },
  { name: "lrem", handler: lremCommand },
  { name: "lmove", handler: lmoveCommand },
  { name: "rpoplpush", handler: rpoplpushCommand },
  { name: "blpop", handler: (ctx, argv) => blockingPopGeneric(ctx, argv, true) },
  { name: "brpop", handler: (ctx, argv) => blockingPopGeneric(ctx, argv, false) },
  { name: "blmpop", handler: blmpopCommand },
  { name: "blmove", handler: blmoveCommand },
  { name: "brpoplpush", handler: (ctx, argv) => blmoveGeneric(ctx, argv, false, true, 3) },
];
