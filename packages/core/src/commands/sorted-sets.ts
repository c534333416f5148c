import { formatDouble } from "@kv/protocol";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors } from "../errors.js";
import { parseBlockTimeout } from "../blocking/block-timeout.js";
import { longAtLeastOrReply, longOrReply } from "../command/integer-arguments.js";
import { optionIs } from "../util/c-string.js";
import { globMatch } from "../util/glob-match.js";
import { parseInteger } from "../util/redis-integer.js";
import { SetValue } from "../types/set-value.js";
import { parseScore, scoreToListpackText } from "../types/zset-double.js";
import {
  LexBound,
  lexRangeIsEmpty,
  memberAboveMin,
  memberBelowMax,
  parseLexRange,
  parseScoreRange,
  type LexRange,
  type ScoreRange,
} from "../types/zset-range.js";
import { Bound, foundIndex, foundLeaf, type ZsetLeaf } from "../types/zset-tree.js";
import { ZaddIn, ZaddOut, ZsetValue, lastAddedScore, type ZsetLimits } from "../types/zset-value.js";
import { parseScanOptions } from "./keys.js";
import { ScanCursorRegistry, advanceWalk, parseScanCursor, type ScanWalk } from "./scan-cursor.js";

/*
 * The sorted-set family (Redis's t_zset.c), non-blocking part. Replies, error texts, the
 * order in which arguments are validated, notifications and propagated forms follow
 * redis-server 7.0.15. The value and its encodings live in types/zset-value.ts.
 */

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

const NAN_SCORE = "ERR resulting score is not a number (NaN)";
const NOT_FLOAT_RANGE = "ERR min or max is not a float";
const NOT_LEX_RANGE = "ERR min or max not valid string range item";

/** Where ZPOPMIN/ZPOPMAX and ZMPOP take from (Redis's ZSET_MIN / ZSET_MAX). */
export const ZSET_MIN = 0;
export const ZSET_MAX = 1;

const scratchLimits = { maxListpackEntries: 128, maxListpackValue: 64 };

/** The listpack thresholds as configured now (one object reused: commands do not nest). */
function zsetLimits(ctx: CommandContext): ZsetLimits {
  const config = ctx.engine.config;
  scratchLimits.maxListpackEntries = Number(config.get("zset-max-listpack-entries"));
  scratchLimits.maxListpackValue = Number(config.get("zset-max-listpack-value"));
  return scratchLimits;
}

/**
 * The sorted set at `key`: undefined when there is none, null after replying WRONGTYPE.
 * `write` looks up as Redis's lookupKeyWrite (no hit/miss counting).
 */
function lookupZset(ctx: CommandContext, key: string, write: boolean): ZsetValue | null | undefined {
  return ctx.ofType(write ? ctx.lookupWrite(key) : ctx.lookupRead(key), ZsetValue);
}

/** Deletes a sorted set that just became empty, with Redis's "del" event. */
function deleteEmptied(ctx: CommandContext, key: string): void {
  ctx.db.delete(key);
  ctx.notify(NotifyClass.Generic, "del", key);
}

/**
 * Stores the result of a *STORE command as Redis's setKey does (replacing any value and its
 * TTL, "new" when the key did not exist), or deletes the destination for an empty result.
 * Replies with the stored cardinality.
 */
function storeResult(ctx: CommandContext, key: string, result: ZsetValue | undefined, event: string): void {
  if (result !== undefined && result.size > 0) {
    const existed = ctx.lookupWrite(key) !== undefined;
    ctx.db.set(key, result);
    if (!existed) ctx.notify(NotifyClass.New, "new", key);
    ctx.keyModified(key);
    ctx.reply.integer(result.size);
    ctx.notify(NotifyClass.ZSet, event, key);
    ctx.dirty();
    return;
  }
  ctx.reply.integer(0);
  if (ctx.db.delete(key)) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty();
  }
}

/** Member and score at a rank, left in `pairMember` / `pairScore`. */
let pairMember = "";
let pairScore = 0;

function pairAt(zset: ZsetValue, rank: number): void {
  zset.tree.seek(rank);
  pairMember = foundLeaf.members[foundIndex]!;
  pairScore = foundLeaf.scores[foundIndex]!;
}

function memberAt(zset: ZsetValue, rank: number): string {
  zset.tree.seek(rank);
  return foundLeaf.members[foundIndex]!;
}

/**
 * Walks `count` pairs from rank `start` up (or down), calling `visit` with each. A range
 * is always such a run in Redis too: it finds the first pair, then steps along the list.
 */
function walkRun(zset: ZsetValue, start: number, count: number, reverse: boolean, visit: (member: string, score: number) => void): void {
  if (count <= 0) return;
  zset.tree.seek(start);
  let leaf: ZsetLeaf = foundLeaf;
  let index = foundIndex;
  for (let n = 0; ; ) {
    visit(leaf.members[index]!, leaf.scores[index]!);
    if (++n === count) return;
    if (reverse) {
      if (--index < 0) {
        leaf = leaf.prev!;
        index = leaf.members.length - 1;
      }
    } else if (++index === leaf.members.length) {
      leaf = leaf.next!;
      index = 0;
    }
  }
}

/**
 * Replies with a run of pairs: members only, or with scores — flat in RESP2, [member, score]
 * pairs in RESP3, as Redis's zrange result handler does.
 */
function replyRun(ctx: CommandContext, zset: ZsetValue, start: number, count: number, reverse: boolean, withScores: boolean): void {
  const reply = ctx.reply;
  const nested = withScores && reply.protocol === 3;
  reply.array(withScores && !nested ? count * 2 : count);
  if (count <= 0) return;
  zset.tree.seek(start);
  let leaf: ZsetLeaf = foundLeaf;
  let index = foundIndex;
  for (let n = 0; ; ) {
    if (nested) reply.array(2);
    reply.bulk(leaf.members[index]!);
    if (withScores) reply.double(leaf.scores[index]!);
    if (++n === count) return;
    if (reverse) {
      if (--index < 0) {
        leaf = leaf.prev!;
        index = leaf.members.length - 1;
      }
    } else if (++index === leaf.members.length) {
      leaf = leaf.next!;
      index = 0;
    }
  }
}

/** Replies with pairs from parallel arrays, shaped as replyRun does. */
function replyPairs(ctx: CommandContext, members: readonly string[], scores: readonly number[], withScores: boolean): void {
  const reply = ctx.reply;
  const nested = withScores && reply.protocol === 3;
  reply.array(withScores && !nested ? members.length * 2 : members.length);
  for (let i = 0; i < members.length; i++) {
    if (nested) reply.array(2);
    reply.bulk(members[i]!);
    if (withScores) reply.double(scores[i]!);
  }
}

// ---------------------------------------------------------------------------------------
// Ranges as runs of ranks
// ---------------------------------------------------------------------------------------

/** The run a range resolves to: `runCount` pairs from rank `runStart`, walking up or down. */
let runStart = 0;
let runCount = 0;

/**
 * Applies LIMIT to the ranks [first, end) of a range. Redis skips `offset` pairs, then emits
 * up to `limit` (negative: no limit); a negative offset makes it walk off the end (nothing).
 */
function limitRun(first: number, end: number, offset: number, limit: number, reverse: boolean): void {
  runCount = 0;
  if (end <= first || offset < 0) return;
  if (reverse) {
    runStart = end - 1 - offset;
    runCount = runStart - first + 1;
  } else {
    runStart = first + offset;
    runCount = end - runStart;
  }
  if (runCount < 0) runCount = 0;
  if (limit >= 0 && runCount > limit) runCount = limit;
}

/** First rank with a score within the range's minimum (`size` when none). */
function scoreRangeFirst(zset: ZsetValue, range: ScoreRange): number {
  return zset.tree.lowerBound(Bound.Score, range.minExclusive, range.min, "");
}

/** One past the last rank with a score within the range's maximum. */
function scoreRangeEnd(zset: ZsetValue, range: ScoreRange): number {
  return zset.tree.lowerBound(Bound.Score, !range.maxExclusive, range.max, "");
}

/**
 * Lex ranges assume every score is equal, so that members are in order; Redis does not check
 * and its results on mixed scores come from walking the list with tests that are no longer
 * monotone. With equal scores (the first and last are equal), ranks are found by binary
 * search; otherwise the pairs are walked as Redis's listpack code walks them, which is also
 * what its skiplist does unless a skip-list level happens to jump a pair.
 */
function membersInOrder(zset: ZsetValue): boolean {
  return zset.size <= 1 || zset.tree.minScore === zset.tree.maxScore;
}

function lexRangeFirst(zset: ZsetValue, range: LexRange): number {
  if (range.minKind !== LexBound.Value) return range.minKind === LexBound.Min ? 0 : zset.size;
  return zset.tree.lowerBound(Bound.Member, range.minExclusive, 0, range.min);
}

function lexRangeEnd(zset: ZsetValue, range: LexRange): number {
  if (range.maxKind !== LexBound.Value) return range.maxKind === LexBound.Max ? zset.size : 0;
  return zset.tree.lowerBound(Bound.Member, !range.maxExclusive, 0, range.max);
}

/** zzlIsInLexRange / zslIsInLexRange: the cheap tests before a walk. */
function lexRangeMayMatch(zset: ZsetValue, range: LexRange): boolean {
  const size = zset.size;
  return size > 0 && !lexRangeIsEmpty(range) && memberAboveMin(memberAt(zset, size - 1), range) && memberBelowMax(memberAt(zset, 0), range);
}

/**
 * zzlFirstInLexRange, as a walk from the lowest pair: the first member above the minimum,
 * if it is also below the maximum; -1 otherwise. `check` false is zslDeleteRangeByLex's
 * variant, which skips the preliminary tests and the maximum.
 */
function lexWalkFirst(zset: ZsetValue, range: LexRange, check: boolean): number {
  if (check && !lexRangeMayMatch(zset, range)) return -1;
  const size = zset.size;
  for (let rank = 0; rank < size; rank++) {
    const member = memberAt(zset, rank);
    if (memberAboveMin(member, range)) return !check || memberBelowMax(member, range) ? rank : -1;
  }
  return -1;
}

/** zzlLastInLexRange, as a walk from the highest pair. */
function lexWalkLast(zset: ZsetValue, range: LexRange): number {
  if (!lexRangeMayMatch(zset, range)) return -1;
  for (let rank = zset.size - 1; rank >= 0; rank--) {
    const member = memberAt(zset, rank);
    if (memberBelowMax(member, range)) return memberAboveMin(member, range) ? rank : -1;
  }
  return -1;
}

/** How many pairs from `start` stay within the range's far bound, up to `limit` (negative: all). */
function lexWalkCount(zset: ZsetValue, range: LexRange, start: number, limit: number, reverse: boolean): number {
  let count = 0;
  if (reverse) {
    for (let rank = start; rank >= 0 && count !== limit; rank--, count++) if (!memberAboveMin(memberAt(zset, rank), range)) break;
  } else {
    const size = zset.size;
    for (let rank = start; rank < size && count !== limit; rank++, count++) if (!memberBelowMax(memberAt(zset, rank), range)) break;
  }
  return count;
}

/** Resolves ZRANGE ... BYLEX (with LIMIT) into runStart/runCount. */
function lexRun(zset: ZsetValue, range: LexRange, offset: number, limit: number, reverse: boolean): void {
  if (membersInOrder(zset)) {
    limitRun(lexRangeFirst(zset, range), lexRangeEnd(zset, range), offset, limit, reverse);
    return;
  }
  runCount = 0;
  const from = reverse ? lexWalkLast(zset, range) : lexWalkFirst(zset, range, true);
  if (from < 0 || offset < 0) return;
  runStart = reverse ? from - offset : from + offset;
  if (runStart < 0 || runStart >= zset.size) return;
  runCount = lexWalkCount(zset, range, runStart, limit, reverse);
}

// ---------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM
// ---------------------------------------------------------------------------------------

/** Scores parsed by ZADD, reused between calls. */
const parsedScores: number[] = [];

/** Redis's zaddGenericCommand, shared by ZADD and ZINCRBY (which is ZADD INCR). */
function zaddGeneric(ctx: CommandContext, argv: readonly string[], initialFlags: number): void {
  let flags = initialFlags;
  let ch = false;
  let scoreIndex = 2;
  for (; scoreIndex < argv.length; scoreIndex++) {
    const option = argv[scoreIndex]!;
    if (optionIs(option, "nx")) flags |= ZaddIn.NX;
    else if (optionIs(option, "xx")) flags |= ZaddIn.XX;
    else if (optionIs(option, "ch")) ch = true;
    else if (optionIs(option, "incr")) flags |= ZaddIn.INCR;
    else if (optionIs(option, "gt")) flags |= ZaddIn.GT;
    else if (optionIs(option, "lt")) flags |= ZaddIn.LT;
    else break;
  }
  const incr = (flags & ZaddIn.INCR) !== 0;
  const nx = (flags & ZaddIn.NX) !== 0;
  const xx = (flags & ZaddIn.XX) !== 0;
  const gt = (flags & ZaddIn.GT) !== 0;
  const lt = (flags & ZaddIn.LT) !== 0;
  const argumentCount = argv.length - scoreIndex;
  if (argumentCount === 0 || argumentCount % 2 !== 0) {
    ctx.error(Errors.syntax);
    return;
  }
  const elements = argumentCount / 2;
  if (nx && xx) {
    ctx.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && elements > 1) {
    ctx.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  parsedScores.length = elements;
  for (let j = 0; j < elements; j++) {
    const score = parseScore(argv[scoreIndex + 2 * j]!);
    if (score === undefined) {
      ctx.error(Errors.notFloat);
      return;
    }
    parsedScores[j] = score;
  }

  const key = argv[1]!;
  let zset = lookupZset(ctx, key, true);
  if (zset === null) return;
  const limits = zsetLimits(ctx);
  if (zset === undefined) {
    if (xx) {
      if (incr) ctx.reply.nullBulk();
      else ctx.reply.integer(0);
      return;
    }
    zset = new ZsetValue(ZsetValue.startsAsListpack(argv[scoreIndex + 1]!, limits));
    ctx.db.set(key, zset);
    ctx.notify(NotifyClass.New, "new", key);
  }

  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  for (let j = 0; j < elements; j++) {
    const outcome = zset.add(parsedScores[j]!, argv[scoreIndex + 2 * j + 1]!, flags, limits);
    if ((outcome & ZaddOut.NAN) !== 0) {
      // Only INCR can get here (one pair, nothing changed yet), so nothing needs undoing.
      ctx.error(NAN_SCORE);
      return;
    }
    if ((outcome & ZaddOut.ADDED) !== 0) added++;
    if ((outcome & ZaddOut.UPDATED) !== 0) updated++;
    if ((outcome & ZaddOut.NOP) === 0) {
      processed++;
      score = lastAddedScore;
    }
  }
  ctx.dirty(added + updated);
  if (incr) {
    if (processed > 0) ctx.reply.double(score);
    else ctx.reply.nullBulk();
  } else {
    ctx.reply.integer(ch ? added + updated : added);
  }
  if (added > 0 || updated > 0) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.ZSet, incr ? "zincr" : "zadd", key);
  }
}

function zaddCommand(ctx: CommandContext, argv: readonly string[]): void {
  zaddGeneric(ctx, argv, 0);
}

/** ZINCRBY key increment member: ZADD INCR's code path, option words included ("ZINCRBY k nx m" is a syntax error). */
function zincrbyCommand(ctx: CommandContext, argv: readonly string[]): void {
  zaddGeneric(ctx, argv, ZaddIn.INCR);
}

function zremCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const zset = lookupZset(ctx, key, true);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (zset.delete(argv[j]!)) deleted++;
    if (zset.size === 0) {
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.notify(NotifyClass.ZSet, "zrem", key);
    if (keyRemoved) ctx.notify(NotifyClass.Generic, "del", key);
    ctx.keyModified(key);
    ctx.dirty(deleted);
  }
  ctx.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------
// ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT
// ---------------------------------------------------------------------------------------

function zcardCommand(ctx: CommandContext, argv: readonly string[]): void {
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset !== null) ctx.reply.integer(zset === undefined ? 0 : zset.size);
}

function zscoreCommand(ctx: CommandContext, argv: readonly string[]): void {
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  const score = zset?.score(argv[2]!);
  if (score === undefined) ctx.reply.nullBulk();
  else ctx.reply.double(score);
}

function zmscoreCommand(ctx: CommandContext, argv: readonly string[]): void {
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  ctx.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.score(argv[j]!);
    if (score === undefined) ctx.reply.nullBulk();
    else ctx.reply.double(score);
  }
}

function zrankGeneric(ctx: CommandContext, argv: readonly string[], reverse: boolean): void {
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  const rank = zset === undefined ? -1 : zset.rank(argv[2]!);
  if (rank < 0) ctx.reply.nullBulk();
  else ctx.reply.integer(reverse ? zset!.size - 1 - rank : rank);
}

const scoreRange: ScoreRange = { min: 0, max: 0, minExclusive: false, maxExclusive: false };
const lexRange: LexRange = { minKind: LexBound.Min, min: "", minExclusive: false, maxKind: LexBound.Max, max: "", maxExclusive: false };

function zcountCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (!parseScoreRange(argv[2]!, argv[3]!, scoreRange)) {
    ctx.error(NOT_FLOAT_RANGE);
    return;
  }
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const count = scoreRangeEnd(zset, scoreRange) - scoreRangeFirst(zset, scoreRange);
  ctx.reply.integer(count > 0 ? count : 0);
}

function zlexcountCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (!parseLexRange(argv[2]!, argv[3]!, lexRange)) {
    ctx.error(NOT_LEX_RANGE);
    return;
  }
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let count: number;
  if (membersInOrder(zset)) {
    count = Math.max(0, lexRangeEnd(zset, lexRange) - lexRangeFirst(zset, lexRange));
  } else {
    const first = lexWalkFirst(zset, lexRange, true);
    if (first < 0) count = 0;
    else if (zset.listpack) count = lexWalkCount(zset, lexRange, first, -1, false);
    else {
      // zslGetRank of the first and last pairs found; on mixed scores the last may come
      // before the first, and Redis prints the unsigned difference as a signed number.
      const last = lexWalkLast(zset, lexRange);
      count = last < 0 ? zset.size - first : last - first + 1;
    }
  }
  ctx.reply.integer(count);
}

// ---------------------------------------------------------------------------------------
// ZRANGE and its variants, ZRANGESTORE
// ---------------------------------------------------------------------------------------

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;
const DIRECTION_AUTO = 0;
const DIRECTION_FORWARD = 1;
const DIRECTION_REVERSE = 2;

/**
 * Redis's zrangeGenericCommand: every ZRANGE form, and ZRANGESTORE when `destination` is
 * set. `argStart` is the index of the source key; `rangeType`/`direction` are fixed by the
 * legacy commands (ZRANGEBYSCORE...) and AUTO for ZRANGE, whose options choose them.
 */
function zrangeGeneric(ctx: CommandContext, argv: readonly string[], argStart: number, destination: string | undefined, rangeType: number, direction: number): void {
  const store = destination !== undefined;
  let minIndex = argStart + 1;
  let maxIndex = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const option = argv[j]!;
    const left = argv.length - j - 1;
    if (!store && optionIs(option, "withscores")) {
      withScores = true;
    } else if (optionIs(option, "limit") && left >= 2) {
      const parsedOffset = longOrReply(ctx, argv[j + 1]!);
      if (parsedOffset === undefined) return;
      const parsedLimit = longOrReply(ctx, argv[j + 2]!);
      if (parsedLimit === undefined) return;
      offset = parsedOffset;
      limit = parsedLimit;
      j += 2;
    } else if (direction === DIRECTION_AUTO && optionIs(option, "rev")) {
      direction = DIRECTION_REVERSE;
    } else if (rangeType === RANGE_AUTO && optionIs(option, "bylex")) {
      rangeType = RANGE_LEX;
    } else if (rangeType === RANGE_AUTO && optionIs(option, "byscore")) {
      rangeType = RANGE_SCORE;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  if (direction === DIRECTION_AUTO) direction = DIRECTION_FORWARD;
  if (rangeType === RANGE_AUTO) rangeType = RANGE_RANK;
  // Redis tests the value, not the presence: "LIMIT 5 -1" passes with a rank range.
  if (limit !== -1 && rangeType === RANGE_RANK) {
    ctx.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (withScores && rangeType === RANGE_LEX) {
    ctx.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  const reverse = direction === DIRECTION_REVERSE;
  if (reverse && rangeType !== RANGE_RANK) {
    // ZRANGE ... REV BYSCORE and ZREVRANGEBYSCORE take max before min.
    minIndex = argStart + 2;
    maxIndex = argStart + 1;
  }
  let start = 0;
  let end = 0;
  if (rangeType === RANGE_RANK) {
    const parsedStart = longOrReply(ctx, argv[minIndex]!);
    if (parsedStart === undefined) return;
    const parsedEnd = longOrReply(ctx, argv[maxIndex]!);
    if (parsedEnd === undefined) return;
    start = parsedStart;
    end = parsedEnd;
  } else if (rangeType === RANGE_SCORE) {
    if (!parseScoreRange(argv[minIndex]!, argv[maxIndex]!, scoreRange)) {
      ctx.error(NOT_FLOAT_RANGE);
      return;
    }
  } else if (!parseLexRange(argv[minIndex]!, argv[maxIndex]!, lexRange)) {
    ctx.error(NOT_LEX_RANGE);
    return;
  }

  const zset = lookupZset(ctx, argv[argStart]!, false);
  if (zset === null) return;
  if (zset === undefined) {
    if (store) storeResult(ctx, destination, undefined, "zrangestore");
    else ctx.reply.array(0);
    return;
  }
  if (rangeType === RANGE_RANK) {
    const size = zset.size;
    if (start < 0) start += size;
    if (end < 0) end += size;
    if (start < 0) start = 0;
    runCount = 0;
    if (start <= end && start < size) {
      if (end >= size) end = size - 1;
      runCount = end - start + 1;
      runStart = reverse ? size - 1 - start : start;
    }
  } else if (rangeType === RANGE_SCORE) {
    limitRun(scoreRangeFirst(zset, scoreRange), scoreRangeEnd(zset, scoreRange), offset, limit, reverse);
  } else {
    lexRun(zset, lexRange, offset, limit, reverse);
  }
  if (!store) {
    replyRun(ctx, zset, runStart, runCount, reverse, withScores);
    return;
  }
  const members: string[] = [];
  const scores: number[] = [];
  walkRun(zset, runStart, runCount, reverse, (member, score) => {
    members.push(member);
    scores.push(score);
  });
  if (reverse) {
    members.reverse();
    scores.reverse();
  }
  storeResult(ctx, destination, members.length === 0 ? undefined : ZsetValue.fromSorted(members, scores, zsetLimits(ctx)), "zrangestore");
}

// ---------------------------------------------------------------------------------------
// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX
// ---------------------------------------------------------------------------------------

/** Removes `count` pairs from rank `start` up. */
function removeRun(zset: ZsetValue, start: number, count: number): void {
  for (let n = 0; n < count; n++) {
    pairAt(zset, start);
    zset.deleteRank(start, pairMember);
  }
}

function zremrangeGeneric(ctx: CommandContext, argv: readonly string[], rangeType: number): void {
  const key = argv[1]!;
  let start = 0;
  let end = 0;
  let event: string;
  if (rangeType === RANGE_RANK) {
    event = "zremrangebyrank";
    const parsedStart = longOrReply(ctx, argv[2]!);
    if (parsedStart === undefined) return;
    const parsedEnd = longOrReply(ctx, argv[3]!);
    if (parsedEnd === undefined) return;
    start = parsedStart;
    end = parsedEnd;
  } else if (rangeType === RANGE_SCORE) {
    event = "zremrangebyscore";
    if (!parseScoreRange(argv[2]!, argv[3]!, scoreRange)) {
      ctx.error(NOT_FLOAT_RANGE);
      return;
    }
  } else {
    event = "zremrangebylex";
    if (!parseLexRange(argv[2]!, argv[3]!, lexRange)) {
      ctx.error(NOT_LEX_RANGE);
      return;
    }
  }
  const zset = lookupZset(ctx, key, true);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const size = zset.size;
  let deleted = 0;
  if (rangeType === RANGE_RANK) {
    if (start < 0) start += size;
    if (end < 0) end += size;
    if (start < 0) start = 0;
    if (start > end || start >= size) {
      ctx.reply.integer(0);
      return;
    }
    if (end >= size) end = size - 1;
    deleted = end - start + 1;
    removeRun(zset, start, deleted);
  } else if (rangeType === RANGE_SCORE) {
    const first = scoreRangeFirst(zset, scoreRange);
    deleted = Math.max(0, scoreRangeEnd(zset, scoreRange) - first);
    removeRun(zset, first, deleted);
  } else if (membersInOrder(zset)) {
    const first = lexRangeFirst(zset, lexRange);
    deleted = Math.max(0, lexRangeEnd(zset, lexRange) - first);
    removeRun(zset, first, deleted);
  } else {
    // Mixed scores: the listpack code tests the range first, the skiplist code does not.
    const first = lexWalkFirst(zset, lexRange, zset.listpack);
    if (first >= 0) {
      deleted = lexWalkCount(zset, lexRange, first, -1, false);
      removeRun(zset, first, deleted);
    }
  }
  if (deleted > 0) {
    const keyRemoved = zset.size === 0;
    if (keyRemoved) ctx.db.delete(key);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.ZSet, event, key);
    if (keyRemoved) ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty(deleted);
  }
  ctx.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------
// ZPOPMIN, ZPOPMAX, ZMPOP
// ---------------------------------------------------------------------------------------

/**
 * Redis's genericZpopCommand: pops from the first non-empty sorted set among
 * argv[firstKey .. firstKey+keyCount). `count` -1 means "no COUNT given" (one pair). Reply
 * shapes: flat [member, score, ...] or nested [[member, score], ...], optionally preceded by
 * the key ([key, [...]]); nothing to pop replies an empty array, or a null one when
 * `nullWhenEmpty`. `propagateAsPop` logs the command as ZPOPMIN/ZPOPMAX key count (ZMPOP).
 * Exported for the blocking variants.
 */
export function zpopGeneric(
  ctx: CommandContext,
  argv: readonly string[],
  firstKey: number,
  keyCount: number,
  where: number,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nullWhenEmpty: boolean,
  propagateAsPop: boolean,
): void {
  let key = "";
  let zset: ZsetValue | undefined;
  for (let i = 0; i < keyCount; i++) {
    key = argv[firstKey + i]!;
    const found = lookupZset(ctx, key, true);
    if (found === null) return;
    if (found !== undefined) {
      zset = found;
      break;
    }
  }
  const reply = ctx.reply;
  if (zset === undefined) {
    if (nullWhenEmpty) reply.nullArray();
    else reply.array(0);
    return;
  }
  if (count === 0) {
    reply.array(0);
    return;
  }
  if (count === -1) count = 1;
  const popCount = Math.min(count, zset.size);
  if (emitKey) {
    reply.array(nested ? 2 : popCount * 2 + 1);
    reply.bulk(key);
    if (nested) reply.array(popCount);
  } else {
    reply.array(nested ? popCount : popCount * 2);
  }
  for (let popped = 0; popped < popCount; popped++) {
    const rank = where === ZSET_MAX ? zset.size - 1 : 0;
    pairAt(zset, rank);
    const member = pairMember;
    const score = pairScore;
    zset.deleteRank(rank, member);
    ctx.dirty();
    if (popped === 0) {
      ctx.notify(NotifyClass.ZSet, where === ZSET_MAX ? "zpopmax" : "zpopmin", key);
      ctx.keyModified(key);
    }
    if (nested) reply.array(2);
    reply.bulk(member);
    reply.double(score);
  }
  if (zset.size === 0) deleteEmptied(ctx, key);
  if (propagateAsPop) ctx.propagateAs([where === ZSET_MAX ? "ZPOPMAX" : "ZPOPMIN", key, String(popCount)]);
}

function zpopMinMax(ctx: CommandContext, argv: readonly string[], where: number): void {
  if (argv.length > 3) {
    ctx.error(Errors.syntax);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const parsed = longAtLeastOrReply(ctx, argv[2]!, 0, "ERR value is out of range, must be positive");
    if (parsed === undefined) return;
    count = parsed;
  }
  // RESP3 nests the pairs when a count was given, even COUNT 1.
  const nested = ctx.reply.protocol === 3 && count !== -1;
  zpopGeneric(ctx, argv, 1, 1, where, false, count, nested, false, false);
}

/**
 * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] and BZMPOP timeout numkeys ...
 * (zmpopGenericCommand); BZMPOP parses its timeout after everything else, as Redis does.
 */
function zmpopGeneric(ctx: CommandContext, argv: readonly string[], numkeysIndex: number, blocking: boolean): void {
  const numkeys = longAtLeastOrReply(ctx, argv[numkeysIndex]!, 1, "ERR numkeys should be greater than 0");
  if (numkeys === undefined) return;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) {
    ctx.error(Errors.syntax);
    return;
  }
  let where: number;
  if (optionIs(argv[whereIndex]!, "min")) where = ZSET_MIN;
  else if (optionIs(argv[whereIndex]!, "max")) where = ZSET_MAX;
  else {
    ctx.error(Errors.syntax);
    return;
  }
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && optionIs(argv[j]!, "count") && j < argv.length - 1) {
      const parsed = longAtLeastOrReply(ctx, argv[++j]!, 1, "ERR count should be greater than 0");
      if (parsed === undefined) return;
      count = parsed;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  if (count === -1) count = 1;
  if (!blocking) {
    zpopGeneric(ctx, argv, numkeysIndex + 1, numkeys, where, true, count, true, true, true);
    return;
  }
  const deadline = parseBlockTimeout(ctx, argv[1]!, "seconds");
  if (deadline === undefined) return;
  blockingZpopGeneric(ctx, argv, numkeysIndex + 1, numkeys, where, count, deadline);
}

/**
 * The blocking pops (blockingGenericZpopCommand): pop from the first key holding a sorted
 * set, or wait. BZPOPMIN/BZPOPMAX (count -1) reply [key, member, score] and are logged as a
 * plain ZPOPMIN/ZPOPMAX; BZMPOP replies as ZMPOP and is logged with the count popped.
 */
function blockingZpopGeneric(
  ctx: CommandContext,
  argv: readonly string[],
  firstKey: number,
  keyCount: number,
  where: number,
  count: number,
  deadline: number,
): void {
  const readyKey = ctx.retryKey;
  for (let j = firstKey; j < firstKey + keyCount; j++) {
    const key = argv[j]!;
    if (readyKey !== undefined && key !== readyKey) continue;
    const zset = lookupZset(ctx, key, true);
    if (zset === null) return;
    if (zset === undefined) continue;
    if (count !== -1) {
      zpopGeneric(ctx, argv, j, 1, where, true, count, true, true, true);
    } else {
      zpopGeneric(ctx, argv, j, 1, where, true, -1, false, false, false);
      ctx.propagateAs([where === ZSET_MAX ? "ZPOPMAX" : "ZPOPMIN", key]);
    }
    return;
  }
  ctx.block(argv.slice(firstKey, firstKey + keyCount), "zset", deadline);
}

function bzpopMinMax(ctx: CommandContext, argv: readonly string[], where: number): void {
  const deadline = parseBlockTimeout(ctx, argv[argv.length - 1]!, "seconds");
  if (deadline === undefined) return;
  blockingZpopGeneric(ctx, argv, 1, argv.length - 2, where, -1, deadline);
}

// ---------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD
// ---------------------------------------------------------------------------------------

const SET_OP_UNION = 0;
const SET_OP_INTER = 1;
const SET_OP_DIFF = 2;
const AGGREGATE_SUM = 0;
const AGGREGATE_MIN = 1;
const AGGREGATE_MAX = 2;

interface OperationSource {
  /** The input's value (undefined: missing key, an empty input). */
  value: ZsetValue | SetValue | undefined;
  size: number;
  weight: number;
}

function sourceScore(source: OperationSource, member: string): number | undefined {
  const value = source.value;
  if (value === undefined) return undefined;
  if (value instanceof ZsetValue) return value.score(member);
  return value.has(member) ? 1 : undefined;
}

/** Calls `visit` with each member and score of an input (sets give score 1) until it returns false. */
function forEachInSource(source: OperationSource, visit: (member: string, score: number) => boolean): void {
  const value = source.value;
  if (value === undefined) return;
  if (value instanceof ZsetValue) {
    for (let leaf: ZsetLeaf | null = value.tree.firstLeaf; leaf !== null; leaf = leaf.next) {
      const members = leaf.members;
      const scores = leaf.scores;
      for (let i = 0; i < members.length; i++) if (!visit(members[i]!, scores[i]!)) return;
    }
    return;
  }
  for (const member of value) if (!visit(member, 1)) return;
}

/** zunionInterAggregate; a SUM that comes out NaN (inf + -inf) counts as 0. */
function aggregate(target: number, value: number, mode: number): number {
  if (mode === AGGREGATE_SUM) {
    const sum = target + value;
    return sum !== sum ? 0 : sum;
  }
  if (mode === AGGREGATE_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

/** Sorts result pairs by score, then member bytes (never by a NaN difference). */
function sortPairs(result: Map<string, number>): [string[], number[]] {
  const pairs = [...result];
  pairs.sort(([memberA, scoreA], [memberB, scoreB]) => {
    if (scoreA !== scoreB) return scoreA < scoreB ? -1 : 1;
    return memberA < memberB ? -1 : memberA > memberB ? 1 : 0;
  });
  const members = new Array<string>(pairs.length);
  const scores = new Array<number>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    members[i] = pairs[i]![0];
    scores[i] = pairs[i]![1];
  }
  return [members, scores];
}

/**
 * Redis's zunionInterDiffGenericCommand. `destination` set: the STORE form; `numkeysIndex`:
 * where numkeys is; `cardinalityOnly`: ZINTERCARD.
 */
function zsetOperation(ctx: CommandContext, argv: readonly string[], destination: string | undefined, numkeysIndex: number, op: number, cardinalityOnly: boolean): void {
  const setCount = longOrReply(ctx, argv[numkeysIndex]!);
  if (setCount === undefined) return;
  if (setCount < 1) {
    ctx.error(`ERR at least 1 input key is needed for '${ctx.spec.fullName}' command`);
    return;
  }
  if (setCount > argv.length - (numkeysIndex + 1)) {
    ctx.error(Errors.syntax);
    return;
  }
  const sources: OperationSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setCount; i++, j++) {
    const value = ctx.lookupRead(argv[j]!);
    // Sets are accepted as inputs, every member with score 1.
    if (value !== undefined && !(value instanceof ZsetValue) && !(value instanceof SetValue)) {
      ctx.error(Errors.wrongType);
      return;
    }
    sources.push({ value, size: value === undefined ? 0 : value.size, weight: 1 });
  }

  let aggregateMode = AGGREGATE_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const option = argv[j]!;
    if (op !== SET_OP_DIFF && !cardinalityOnly && remaining >= setCount + 1 && optionIs(option, "weights")) {
      j++;
      for (let i = 0; i < setCount; i++, j++) {
        const weight = parseScore(argv[j]!);
        if (weight === undefined) {
          ctx.error("ERR weight value is not a float");
          return;
        }
        sources[i]!.weight = weight;
      }
    } else if (op !== SET_OP_DIFF && !cardinalityOnly && remaining >= 2 && optionIs(option, "aggregate")) {
      const mode = argv[j + 1]!;
      if (optionIs(mode, "sum")) aggregateMode = AGGREGATE_SUM;
      else if (optionIs(mode, "min")) aggregateMode = AGGREGATE_MIN;
      else if (optionIs(mode, "max")) aggregateMode = AGGREGATE_MAX;
      else {
        ctx.error(Errors.syntax);
        return;
      }
      j += 2;
    } else if (destination === undefined && !cardinalityOnly && optionIs(option, "withscores")) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && optionIs(option, "limit")) {
      const parsed = longAtLeastOrReply(ctx, argv[j + 1]!, 0, "ERR LIMIT can't be negative");
      if (parsed === undefined) return;
      limit = parsed;
      j += 2;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }

  // Smallest input first (a stable sort, as glibc's qsort is in practice): INTER walks the
  // smallest, and the order is the order in which SUM adds, which floating point can tell.
  if (op !== SET_OP_DIFF) sources.sort((a, b) => a.size - b.size);

  const result = new Map<string, number>();
  let cardinality = 0;
  const first = sources[0]!;
  if (op === SET_OP_INTER) {
    if (first.size > 0) {
      const firstValue = first.value;
      forEachInSource(first, (member, memberScore) => {
        let score = first.weight * memberScore;
        if (score !== score) score = 0;
        for (let i = 1; i < sources.length; i++) {
          const other = sources[i]!;
          // The same key given twice is not looked up again: its own score is reused.
          const otherScore = other.value === firstValue ? memberScore : sourceScore(other, member);
          if (otherScore === undefined) return true;
          score = aggregate(score, otherScore * other.weight, aggregateMode);
        }
        if (!cardinalityOnly) result.set(member, score);
        else if (++cardinality === limit) return false;
        return true;
      });
    }
  } else if (op === SET_OP_UNION) {
    for (const source of sources) {
      if (source.size === 0) continue;
      forEachInSource(source, (member, memberScore) => {
        let score = source.weight * memberScore;
        if (score !== score) score = 0;
        const existing = result.get(member);
        result.set(member, existing === undefined ? score : aggregate(existing, score, aggregateMode));
        return true;
      });
    }
  } else if (first.size > 0) {
    // ZDIFF: the first input's pairs, scores unweighted, that no other input has. An input
    // that is the first key again empties the result.
    const firstValue = first.value;
    if (!sources.some((source, i) => i > 0 && source.value === firstValue)) {
      forEachInSource(first, (member, score) => {
        for (let i = 1; i < sources.length; i++) if (sourceScore(sources[i]!, member) !== undefined) return true;
        result.set(member, score);
        return true;
      });
    }
  }

  if (cardinalityOnly) {
    ctx.reply.integer(cardinality);
    return;
  }
  const [members, scores] = sortPairs(result);
  if (destination !== undefined) {
    const event = op === SET_OP_UNION ? "zunionstore" : op === SET_OP_INTER ? "zinterstore" : "zdiffstore";
    storeResult(ctx, destination, members.length === 0 ? undefined : ZsetValue.fromSorted(members, scores, zsetLimits(ctx)), event);
    return;
  }
  replyPairs(ctx, members, scores, withScores);
}

// ---------------------------------------------------------------------------------------
// ZRANDMEMBER
// ---------------------------------------------------------------------------------------

/** Picks with repetition beyond this many are refused (2^32: no reply that long could be sent). */
const RANDOM_REPEAT_LIMIT = 2 ** 32;

/** ZRANDMEMBER_SUB_STRATEGY_MUL: below size/3 requested, sample; above, remove at random. */
const SUB_STRATEGY_MUL = 3;

function randomRank(size: number): number {
  return Math.floor(Math.random() * size);
}

function replyMemberAt(ctx: CommandContext, zset: ZsetValue, rank: number, withScores: boolean): void {
  pairAt(zset, rank);
  if (withScores && ctx.reply.protocol === 3) ctx.reply.array(2);
  ctx.reply.bulk(pairMember);
  if (withScores) ctx.reply.double(pairScore);
}

/**
 * zrandmemberWithCountCommand. Which members come out is random; the order is the one
 * Redis's strategies produce: a count covering the whole set lists it from the highest
 * pair down, a small sample of a listpack comes in list order, the other cases in an order
 * that is random (hash order in Redis).
 */
function zrandmemberWithCount(ctx: CommandContext, key: string, requested: number, withScores: boolean): void {
  const zset = lookupZset(ctx, key, false);
  if (zset === null) return;
  const reply = ctx.reply;
  if (zset === undefined) {
    reply.array(0);
    return;
  }
  const size = zset.size;
  const unique = requested >= 0;
  const count = unique ? requested : -requested;
  if (count === 0) {
    reply.array(0);
    return;
  }
  const flat = withScores && reply.protocol === 2;
  if (!unique && count > RANDOM_REPEAT_LIMIT) {
    // Redis would start streaming billions of picks and stall (or exhaust memory) doing so.
    ctx.error("ERR value is out of range");
    return;
  }
  if (!unique || count === 1) {
    reply.array(flat ? count * 2 : count);
    for (let n = 0; n < count; n++) replyMemberAt(ctx, zset, randomRank(size), withScores);
    return;
  }
  const replySize = Math.min(count, size);
  reply.array(flat ? replySize * 2 : replySize);
  if (count >= size) {
    for (let rank = size - 1; rank >= 0; rank--) replyMemberAt(ctx, zset, rank, withScores);
    return;
  }
  if (count * SUB_STRATEGY_MUL > size) {
    // A random subset by partial shuffle of all ranks, in shuffled order.
    const ranks = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + randomRank(size - i);
      const swap = ranks[i]!;
      ranks[i] = ranks[j]!;
      ranks[j] = swap;
    }
    for (let i = 0; i < count; i++) replyMemberAt(ctx, zset, ranks[i]!, withScores);
    return;
  }
  const picked = new Set<number>();
  const order: number[] = [];
  while (order.length < count) {
    const rank = randomRank(size);
    if (picked.has(rank)) continue;
    picked.add(rank);
    order.push(rank);
  }
  if (zset.listpack) order.sort((a, b) => a - b);
  for (const rank of order) replyMemberAt(ctx, zset, rank, withScores);
}

function zrandmemberCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length >= 3) {
    const parsed = parseInteger(argv[2]!);
    if (parsed === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    // Redis reads the count within [-LONG_MAX, LONG_MAX], so that negating it cannot overflow.
    if (parsed === -9223372036854775808n) {
      ctx.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
      return;
    }
    if (argv.length > 4 || (argv.length === 4 && !optionIs(argv[3]!, "withscores"))) {
      ctx.error(Errors.syntax);
      return;
    }
    const withScores = argv.length === 4;
    // With scores the reply has twice as many elements, so Redis halves the range.
    if (withScores && typeof parsed === "bigint" && (parsed < -4611686018427387904n || parsed > 4611686018427387903n)) {
      ctx.error("ERR value is out of range");
      return;
    }
    zrandmemberWithCount(ctx, argv[1]!, Number(parsed), withScores);
    return;
  }
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  pairAt(zset, randomRank(zset.size));
  ctx.reply.bulk(pairMember);
}

// ---------------------------------------------------------------------------------------
// ZSCAN
// ---------------------------------------------------------------------------------------

const scanRegistries = new WeakMap<ZsetValue, ScanCursorRegistry<string>>();

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]. A listpack-encoded set comes whole, in
 * order, with cursor 0, whatever the cursor and COUNT (Redis scans small encodings in one
 * go); a skiplist-encoded one is walked through its member map (see scan-cursor.ts). Scores
 * come as text: a listpack's as it stores them (integers as integers: 1e17 is
 * "100000000000000000"), a skiplist's with %.17g ("1e+17").
 */
function zscanCommand(ctx: CommandContext, argv: readonly string[]): void {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === undefined) {
    ctx.error("ERR invalid cursor");
    return;
  }
  const zset = lookupZset(ctx, argv[1]!, false);
  if (zset === null) return;
  const reply = ctx.reply;
  if (zset === undefined) {
    reply.array(2);
    reply.bulk("0");
    reply.array(0);
    return;
  }
  const options = parseScanOptions(ctx, argv, 3, false);
  if (options === undefined) return;
  const pattern = options.pattern;
  const members: string[] = [];
  let nextCursor = 0;
  if (zset.listpack) {
    for (const [member] of zset.tree.entries()) if (pattern === undefined || globMatch(pattern, member)) members.push(member);
  } else {
    let registry = scanRegistries.get(zset);
    if (registry === undefined) {
      registry = new ScanCursorRegistry<string>();
      scanRegistries.set(zset, registry);
    }
    const walk: ScanWalk<string> = (cursor !== 0 ? registry.take(cursor) : undefined) ?? { iterator: zset.scores.keys(), pending: undefined, lastUsed: ctx.now };
    const batch: string[] = [];
    const ended = advanceWalk(walk, options.count, batch, (member) => zset.scores.has(member));
    nextCursor = ended ? 0 : registry.park(walk, ctx.now);
    for (const member of batch) if (pattern === undefined || globMatch(pattern, member)) members.push(member);
  }
  reply.array(2);
  reply.bulk(String(nextCursor));
  reply.array(members.length * 2);
  const listpack = zset.listpack;
  for (const member of members) {
    reply.bulk(member);
    const score = zset.scores.get(member)!;
    reply.bulk(listpack ? scoreToListpackText(score) : formatDouble(score));
  }
}

// ---------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------

export const sortedSetsCommands: CommandDefinition[] = [
  { name: "zadd", handler: zaddCommand },
  { name: "zincrby", handler: zincrbyCommand },
  { name: "zrem", handler: zremCommand },
  { name: "zcard", handler: zcardCommand },
  { name: "zscore", handler: zscoreCommand },
  { name: "zmscore", handler: zmscoreCommand },
  { name: "zrank", handler: (ctx, argv) => zrankGeneric(ctx, argv, false) },
  { name: "zrevrank", handler: (ctx, argv) => zrankGeneric(ctx, argv, true) },
  { name: "zcount", handler: zcountCommand },
  { name: "zlexcount", handler: zlexcountCommand },
  { name: "zrange", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, undefined, RANGE_AUTO, DIRECTION_AUTO) },
  { name: "zrangestore", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 2, argv[1], RANGE_AUTO, DIRECTION_AUTO) },
  { name: "zrevrange", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, undefined, RANGE_RANK, DIRECTION_REVERSE) },
  { name: "zrangebyscore", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, undefined, RANGE_SCORE, DIRECTION_FORWARD) },
  { name: "zrevrangebyscore", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, undefined, RANGE_SCORE, DIRECTION_REVERSE) },
  { name: "zrangebylex", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, undefined, RANGE_LEX, DIRECTION_FORWARD) },
  { name: "zrevrangebylex", handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, undefined, RANGE_LEX, DIRECTION_REVERSE) },
  { name: "zremrangebyrank", handler: (ctx, argv) => zremrangeGeneric(ctx, argv, RANGE_RANK) },
  { name: "zremrangebyscore", handler: (ctx, argv) => zremrangeGeneric(ctx, argv, RANGE_SCORE) },
  { name: "zremrangebylex", handler: (ctx, argv) => zremrangeGeneric(ctx, argv, RANGE_LEX) },
  { name: "zpopmin", handler: (ctx, argv) => zpopMinMax(ctx, argv, ZSET_MIN) },
  { name: "bzpopmin", handler: (ctx, argv) => bzpopMinMax(ctx, argv, ZSET_MIN) },
  { name: "bzpopmax", handler: (ctx, argv) => bzpopMinMax(ctx, argv, ZSET_MAX) },
  { name: "bzmpop", handler: (ctx, argv) => zmpopGeneric(ctx, argv, 2, true) },
  { name: "zpopmax", handler: (ctx, argv) => zpopMinMax(ctx, argv, ZSET_MAX) },
  { name: "zmpop", handler: (ctx, argv) => zmpopGeneric(ctx, argv, 1, false) },
  { name: "zunion", handler: (ctx, argv) => zsetOperation(ctx, argv, undefined, 1, SET_OP_UNION, false) },
  { name: "zinter", handler: (ctx, argv) => zsetOperation(ctx, argv, undefined, 1, SET_OP_INTER, false) },
  { name: "zdiff", handler: (ctx, argv) => zsetOperation(ctx, argv, undefined, 1, SET_OP_DIFF, false) },
  { name: "zunionstore", handler: (ctx, argv) => zsetOperation(ctx, argv, argv[1], 2, SET_OP_UNION, false) },
  { name: "zinterstore", handler: (ctx, argv) => zsetOperation(ctx, argv, argv[1], 2, SET_OP_INTER, false) },
  { name: "zdiffstore", handler: (ctx, argv) => zsetOperation(ctx, argv, argv[1], 2, SET_OP_DIFF, false) },
  { name: "zintercard", handler: (ctx, argv) => zsetOperation(ctx, argv, undefined, 1, SET_OP_INTER, true) },
  { name: "zrandmember", handler: zrandmemberCommand },
  { name: "zscan", handler: zscanCommand },
];
