import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors } from "../errors.js";
import { SetValue, randomIndex } from "../types/set-value.js";
import { optionIs } from "../util/c-string.js";
import { globMatch } from "../util/glob-match.js";
import { LLONG_MIN, parseInteger } from "../util/redis-integer.js";
import { parseScanOptions } from "./keys.js";
import { ScanCursorRegistry, advanceWalk, parseScanCursor, type ScanWalk } from "./scan-cursor.js";

/*
 * The sets family (Redis's t_set.c). Replies, errors, keyspace notifications and propagated
 * forms follow redis-server 7.0.15, including what its encodings make observable: members
 * of an intset come out sorted, and a result set (SUNION, SDIFF, the STORE variants, SPOP of
 * a whole set) is built as Redis builds it — starting as an intset and converting when a
 * non-integer or the 513th member arrives — so its order and OBJECT ENCODING match too.
 */

const POSITIVE_COUNT = "ERR value is out of range, must be positive";
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/** set-max-intset-entries (SetValue caps it at 2^30 as Redis does). */
function intsetLimit(ctx: CommandContext): number {
  return Number(ctx.engine.config.get("set-max-intset-entries"));
}

/** Replies the members of `set` as a RESP3 set (RESP2 array), in its iteration order. */
function replyMembers(ctx: CommandContext, set: SetValue): void {
  const reply = ctx.reply;
  reply.set(set.size);
  const ints = set.integers();
  if (ints !== undefined) {
    for (const value of ints) reply.bulk(String(value));
  } else {
    for (const member of set.strings()!) reply.bulk(member);
  }
}

/** An empty SSCAN page (Redis's shared.emptyscan). */
function replyEmptyScan(ctx: CommandContext): void {
  ctx.reply.array(2);
  ctx.reply.bulk("0");
  ctx.reply.array(0);
}

/**
 * Stores a computed set under `key` (Redis's setKey): replaces any value, drops its TTL, and
 * raises "new" when the key did not exist (an expired one is reclaimed first).
 */
function storeSet(ctx: CommandContext, key: string, set: SetValue): void {
  const existed = ctx.lookupWrite(key) !== undefined;
  ctx.db.set(key, set);
  if (!existed) ctx.notify(NotifyClass.New, "new", key);
  ctx.keyModified(key);
}

/**
 * A STORE variant whose result is empty: the destination is deleted. Like Redis's dbDelete
 * this removes even a logically expired key, and counts it as a change.
 */
function deleteDestination(ctx: CommandContext, key: string): void {
  ctx.reply.integer(0);
  if (ctx.db.delete(key)) {
    ctx.dirty();
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "del", key);
  }
}

// ---------------------------------------------------------------------------------------
// SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER, SCARD
// ---------------------------------------------------------------------------------------

function saddCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const found = ctx.lookupWrite(key);
  let set: SetValue;
  if (found === undefined) {
    // Redis picks the encoding from the first member alone (setTypeCreate).
    set = SetValue.forMember(argv[2]!);
    ctx.db.set(key, set);
    ctx.notify(NotifyClass.New, "new", key);
  } else if (found instanceof SetValue) {
    set = found;
  } else {
    ctx.error(Errors.wrongType);
    return;
  }
  const limit = intsetLimit(ctx);
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (set.add(argv[j]!, limit)) added++;
  if (added > 0) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Set, "sadd", key);
    ctx.dirty(added);
  }
  ctx.reply.integer(added);
}

function sremCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const set = ctx.ofType(ctx.lookupWrite(key), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (!set.remove(argv[j]!)) continue;
    deleted++;
    if (set.size === 0) {
      // The rest of the arguments are not even looked at, as in Redis.
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Set, "srem", key);
    if (keyRemoved) ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty(deleted);
  }
  ctx.reply.integer(deleted);
}

function smoveCommand(ctx: CommandContext, argv: readonly string[]): void {
  const sourceKey = argv[1]!;
  const destinationKey = argv[2]!;
  const member = argv[3]!;
  const source = ctx.lookupWrite(sourceKey);
  const destination = ctx.lookupWrite(destinationKey);
  // A missing source answers 0 before the destination's type is checked.
  if (source === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (!(source instanceof SetValue) || (destination !== undefined && !(destination instanceof SetValue))) {
    ctx.error(Errors.wrongType);
    return;
  }
  if (source === destination) {
    ctx.reply.integer(source.has(member) ? 1 : 0);
    return;
  }
  if (!source.remove(member)) {
    ctx.reply.integer(0);
    return;
  }
  ctx.notify(NotifyClass.Set, "srem", sourceKey);
  if (source.size === 0) {
    ctx.db.delete(sourceKey);
    ctx.notify(NotifyClass.Generic, "del", sourceKey);
  }
  let target = destination;
  if (target === undefined) {
    target = SetValue.forMember(member);
    ctx.db.set(destinationKey, target);
    ctx.notify(NotifyClass.New, "new", destinationKey);
  }
  ctx.keyModified(sourceKey);
  ctx.dirty();
  if (target.add(member, intsetLimit(ctx))) {
    ctx.dirty();
    ctx.keyModified(destinationKey);
    ctx.notify(NotifyClass.Set, "sadd", destinationKey);
  }
  ctx.reply.integer(1);
}

function sismemberCommand(ctx: CommandContext, argv: readonly string[]): void {
  const set = ctx.ofType(ctx.lookupRead(argv[1]!), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.integer(0);
    return;
  }
  ctx.reply.integer(set.has(argv[2]!) ? 1 : 0);
}

/** A missing key is an empty set: every answer is 0. */
function smismemberCommand(ctx: CommandContext, argv: readonly string[]): void {
  const set = ctx.lookupRead(argv[1]!);
  if (set !== undefined && !(set instanceof SetValue)) {
    ctx.error(Errors.wrongType);
    return;
  }
  ctx.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) ctx.reply.integer(set !== undefined && set.has(argv[j]!) ? 1 : 0);
}

function scardCommand(ctx: CommandContext, argv: readonly string[]): void {
  const set = ctx.ofType(ctx.lookupRead(argv[1]!), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.integer(0);
    return;
  }
  ctx.reply.integer(set.size);
}

// ---------------------------------------------------------------------------------------
// SPOP, SRANDMEMBER
// ---------------------------------------------------------------------------------------

/** SPOP_MOVE_STRATEGY_MUL: popping more than size*5/6 rebuilds the set from what stays. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SRANDMEMBER_SUB_STRATEGY_MUL: asking for more than a third of the set copies it all first. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function spopCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length === 3) {
    spopWithCount(ctx, argv);
    return;
  }
  if (argv.length > 3) {
    ctx.error(Errors.syntax);
    return;
  }
  const key = argv[1]!;
  const set = ctx.ofType(ctx.lookupWrite(key), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const member = set.popRandom();
  ctx.notify(NotifyClass.Set, "spop", key);
  // Replayed as the removal of what was drawn: the log must not draw again.
  ctx.propagateAs(["SREM", key, member]);
  ctx.reply.bulk(member);
  if (set.size === 0) {
    ctx.db.delete(key);
    ctx.notify(NotifyClass.Generic, "del", key);
  }
  ctx.keyModified(key);
  ctx.dirty();
}

/**
 * SPOP key count (spopWithCountCommand). Popping the whole set replies it as SUNION would
 * and is logged as DEL; otherwise every popped member is logged as its own SREM, as Redis
 * does. Redis 7.0 also wraps those SREMs in MULTI/EXEC, as it does for any command that
 * propagates several: that wrapping belongs to the engine's propagation, which lacks it.
 */
function spopWithCount(ctx: CommandContext, argv: readonly string[]): void {
  const parsed = parseInteger(argv[2]!);
  if (parsed === undefined || parsed < 0) {
    ctx.error(POSITIVE_COUNT);
    return;
  }
  const key = argv[1]!;
  const set = ctx.ofType(ctx.lookupWrite(key), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.set(0);
    return;
  }
  if (parsed === 0) {
    ctx.reply.set(0);
    return;
  }
  const size = set.size;
  ctx.notify(NotifyClass.Set, "spop", key);

  if (parsed >= size) {
    ctx.dirty(size);
    // Redis replies through sunionDiffGenericCommand, which looks the key up again (a
    // keyspace hit) and copies the members into a new set: sorted if that set is an intset.
    ctx.lookupRead(key);
    replyMembers(ctx, unionOf([set], intsetLimit(ctx)));
    ctx.db.delete(key);
    ctx.notify(NotifyClass.Generic, "del", key);
    ctx.propagateAs(["DEL", key]);
    ctx.keyModified(key);
    return;
  }

  const count = Number(parsed);
  ctx.dirty(count);
  ctx.reply.set(count);
  const popped: string[] = [];
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const member = set.popRandom();
      ctx.reply.bulk(member);
      popped.push(member);
    }
  } else {
    // Draw the members that stay into a new set (which may be an intset again, as in
    // Redis) and pop everything left in the old one.
    const limit = intsetLimit(ctx);
    let kept: SetValue | undefined;
    for (let i = 0; i < remaining; i++) {
      const member = set.popRandom();
      kept ??= SetValue.forMember(member);
      kept.add(member, limit);
    }
    for (const member of set) {
      ctx.reply.bulk(member);
      popped.push(member);
    }
    ctx.db.overwrite(key, kept!);
  }
  const last = popped.length - 1;
  for (let i = 0; i < last; i++) ctx.alsoPropagate(ctx.db.index, ["SREM", key, popped[i]!]);
  ctx.propagateAs(["SREM", key, popped[last]!]);
  ctx.keyModified(key);
}

function srandmemberCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length === 3) {
    srandmemberWithCount(ctx, argv);
    return;
  }
  if (argv.length > 3) {
    ctx.error(Errors.syntax);
    return;
  }
  const set = ctx.ofType(ctx.lookupRead(argv[1]!), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  ctx.reply.bulk(set.randomMember());
}

/**
 * SRANDMEMBER key count (srandmemberWithCountCommand): a negative count draws with
 * repetition; a positive one returns distinct members, the whole set (in its order) when
 * the count reaches its size. Replies are arrays, even in RESP3.
 */
function srandmemberWithCount(ctx: CommandContext, argv: readonly string[]): void {
  const parsed = parseInteger(argv[2]!);
  if (parsed === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  // Redis accepts -LONG_MAX..LONG_MAX, so that the count's magnitude is representable.
  if (parsed === LLONG_MIN) {
    ctx.error(COUNT_RANGE);
    return;
  }
  const set = ctx.ofType(ctx.lookupRead(argv[1]!), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.array(0);
    return;
  }
  const unique = parsed >= 0;
  const magnitude = parsed < 0 ? -parsed : parsed;
  const reply = ctx.reply;
  if (magnitude === 0) {
    reply.array(0);
    return;
  }
  const size = set.size;
  if (!unique || magnitude === 1) {
    const count = Number(magnitude);
    reply.array(count);
    for (let i = 0; i < count; i++) reply.bulk(set.randomMember());
    return;
  }
  if (magnitude >= size) {
    reply.array(size);
    for (const member of set) reply.bulk(member);
    return;
  }
  const count = Number(magnitude);
  reply.array(count);
  const members = set.membersByPosition();
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // A partial Fisher-Yates shuffle of a copy: its first `count` slots are a uniform sample.
    const pool = members.slice();
    for (let i = 0; i < count; i++) {
      const j = i + randomIndex(size - i);
      const chosen = pool[j]!;
      pool[j] = pool[i]!;
      reply.bulk(chosen);
    }
    return;
  }
  // Few members out of many: draw until enough distinct ones came up.
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(members[randomIndex(size)]!);
  for (const member of chosen) reply.bulk(member);
}

// ---------------------------------------------------------------------------------------
// SINTER, SINTERCARD, SINTERSTORE, SMEMBERS
// ---------------------------------------------------------------------------------------

/**
 * Looks up argv[start..end) for reading (counting hits and misses, as Redis's lookupKeyRead),
 * a missing key giving undefined. Returns null after replying WRONGTYPE at the first key of
 * another type; the keys after it are not looked up.
 */
function lookupSets(ctx: CommandContext, argv: readonly string[], start: number, end: number): (SetValue | undefined)[] | null {
  const sets: (SetValue | undefined)[] = [];
  for (let j = start; j < end; j++) {
    const value = ctx.lookupRead(argv[j]!);
    if (value !== undefined && !(value instanceof SetValue)) {
      ctx.error(Errors.wrongType);
      return null;
    }
    sets.push(value);
  }
  return sets;
}

const enum IntersectionMode {
  Reply,
  Cardinality,
  Store,
}

/**
 * SINTER, SINTERCARD, SINTERSTORE and SMEMBERS (sinterGenericCommand): the members of the
 * smallest set that every other set holds, in that set's order (so sorted when it is an
 * intset). `limit` (SINTERCARD; 0 for none) stops the count early.
 */
function sinterGeneric(
  ctx: CommandContext,
  argv: readonly string[],
  start: number,
  end: number,
  mode: IntersectionMode,
  destination: string | undefined,
  limit: number,
): void {
  const found = lookupSets(ctx, argv, start, end);
  if (found === null) return;
  if (found.includes(undefined)) {
    // A missing key is an empty set, and so is the intersection.
    if (mode === IntersectionMode.Store) deleteDestination(ctx, destination!);
    else if (mode === IntersectionMode.Cardinality) ctx.reply.integer(0);
    else ctx.reply.set(0);
    return;
  }
  // Smallest first, as Redis sorts them; the sort is stable, like glibc's qsort (a merge sort).
  const sets = (found as SetValue[]).sort((a, b) => a.size - b.size);
  const first = sets[0]!;
  const others = sets.length;

  let cardinality = 0;
  const members: string[] = [];
  const result = mode === IntersectionMode.Store ? SetValue.empty(true) : undefined;
  const intsetMax = mode === IntersectionMode.Store ? intsetLimit(ctx) : 0;

  const firstInts = first.integers();
  if (firstInts !== undefined) {
    next: for (const value of firstInts) {
      for (let j = 1; j < others; j++) {
        const other = sets[j]!;
        if (other !== first && !other.hasInteger(value)) continue next;
      }
      if (mode === IntersectionMode.Cardinality) {
        if (++cardinality === limit) break;
      } else if (result !== undefined) {
        result.addInteger(value, intsetMax);
      } else {
        members.push(String(value));
      }
    }
  } else {
    next: for (const member of first.strings()!) {
      for (let j = 1; j < others; j++) {
        const other = sets[j]!;
        if (other !== first && !other.has(member)) continue next;
      }
      if (mode === IntersectionMode.Cardinality) {
        if (++cardinality === limit) break;
      } else if (result !== undefined) {
        result.add(member, intsetMax);
      } else {
        members.push(member);
      }
    }
  }

  if (mode === IntersectionMode.Cardinality) {
    ctx.reply.integer(cardinality);
  } else if (result !== undefined) {
    storeResult(ctx, destination!, result, "sinterstore");
  } else {
    ctx.reply.set(members.length);
    for (const member of members) ctx.reply.bulk(member);
  }
}

/** The STORE variants' ending: the result replaces the destination, or an empty one deletes it. */
function storeResult(ctx: CommandContext, destination: string, result: SetValue, event: string): void {
  if (result.size === 0) {
    deleteDestination(ctx, destination);
    return;
  }
  storeSet(ctx, destination, result);
  ctx.reply.integer(result.size);
  ctx.notify(NotifyClass.Set, event, destination);
  ctx.dirty();
}

function sinterCommand(ctx: CommandContext, argv: readonly string[]): void {
  sinterGeneric(ctx, argv, 1, argv.length, IntersectionMode.Reply, undefined, 0);
}

function sinterstoreCommand(ctx: CommandContext, argv: readonly string[]): void {
  sinterGeneric(ctx, argv, 2, argv.length, IntersectionMode.Store, argv[1], 0);
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
function sintercardCommand(ctx: CommandContext, argv: readonly string[]): void {
  const numkeys = parseInteger(argv[1]!);
  if (numkeys === undefined || numkeys < 1) {
    ctx.error("ERR numkeys should be greater than 0");
    return;
  }
  if (numkeys > argv.length - 2) {
    ctx.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const end = 2 + Number(numkeys);
  let limit = 0;
  for (let j = end; j < argv.length; j++) {
    if (optionIs(argv[j]!, "limit") && j + 1 < argv.length) {
      const parsed = parseInteger(argv[++j]!);
      if (parsed === undefined || parsed < 0) {
        ctx.error("ERR LIMIT can't be negative");
        return;
      }
      // Beyond 2^53 no intersection can reach the limit: the same as none.
      limit = typeof parsed === "number" ? parsed : 0;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  sinterGeneric(ctx, argv, 2, end, IntersectionMode.Cardinality, undefined, limit);
}

// ---------------------------------------------------------------------------------------
// SUNION, SDIFF and their STORE variants
// ---------------------------------------------------------------------------------------

/** Adds every member of `source` to `target`; returns how many were new. */
function addAll(target: SetValue, source: SetValue, intsetMax: number): number {
  let added = 0;
  const ints = source.integers();
  if (ints !== undefined) {
    for (const value of ints) if (target.addInteger(value, intsetMax)) added++;
  } else {
    for (const member of source.strings()!) if (target.add(member, intsetMax)) added++;
  }
  return added;
}

/** The union as Redis builds it: a new intset, converting when it must. */
function unionOf(sets: readonly (SetValue | undefined)[], intsetMax: number): SetValue {
  const result = SetValue.empty(true);
  for (const set of sets) if (set !== undefined) addAll(result, set, intsetMax);
  return result;
}

/**
 * The difference as Redis builds it, with the algorithm Redis would choose: which one runs
 * is observable, because the second adds all of the first set before removing, so a member
 * that is later removed may already have turned the result into a hashtable.
 */
function differenceOf(sets: readonly (SetValue | undefined)[], intsetMax: number): SetValue {
  const result = SetValue.empty(true);
  const first = sets[0];
  if (first === undefined) return result;
  let algorithmOneWork = 0;
  let algorithmTwoWork = 0;
  for (const set of sets) {
    if (set === undefined) continue;
    algorithmOneWork += first.size;
    algorithmTwoWork += set.size;
  }
  // Algorithm 1 has better constants and stops early on common members: Redis halves its cost.
  algorithmOneWork = Math.floor(algorithmOneWork / 2);

  if (algorithmOneWork <= algorithmTwoWork) {
    // Each member of the first set that no other set holds.
    const ints = first.integers();
    if (ints !== undefined) {
      next: for (const value of ints) {
        for (let j = 1; j < sets.length; j++) {
          const other = sets[j];
          if (other === undefined) continue;
          if (other === first || other.hasInteger(value)) continue next;
        }
        result.addInteger(value, intsetMax);
      }
    } else {
      next: for (const member of first.strings()!) {
        for (let j = 1; j < sets.length; j++) {
          const other = sets[j];
          if (other === undefined) continue;
          if (other === first || other.has(member)) continue next;
        }
        result.add(member, intsetMax);
      }
    }
    return result;
  }

  // All of the first set, then remove every member of the others.
  let cardinality = addAll(result, first, intsetMax);
  for (let j = 1; j < sets.length && cardinality > 0; j++) {
    const other = sets[j];
    if (other === undefined) continue;
    for (const member of other) if (result.remove(member)) cardinality--;
  }
  return result;
}

function sunionDiffGeneric(ctx: CommandContext, argv: readonly string[], start: number, destination: string | undefined, union: boolean): void {
  const sets = lookupSets(ctx, argv, start, argv.length);
  if (sets === null) return;
  const intsetMax = intsetLimit(ctx);
  const result = union ? unionOf(sets, intsetMax) : differenceOf(sets, intsetMax);
  if (destination === undefined) replyMembers(ctx, result);
  else storeResult(ctx, destination, result, union ? "sunionstore" : "sdiffstore");
}

function sunionCommand(ctx: CommandContext, argv: readonly string[]): void {
  sunionDiffGeneric(ctx, argv, 1, undefined, true);
}

function sunionstoreCommand(ctx: CommandContext, argv: readonly string[]): void {
  sunionDiffGeneric(ctx, argv, 2, argv[1], true);
}

function sdiffCommand(ctx: CommandContext, argv: readonly string[]): void {
  sunionDiffGeneric(ctx, argv, 1, undefined, false);
}

function sdiffstoreCommand(ctx: CommandContext, argv: readonly string[]): void {
  sunionDiffGeneric(ctx, argv, 2, argv[1], false);
}

// ---------------------------------------------------------------------------------------
// SSCAN
// ---------------------------------------------------------------------------------------

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count]. Errors come in Redis's order: the cursor,
 * then the key (a missing one answers an empty page before the options are even parsed),
 * then the options. An intset is returned whole in one call with cursor 0, as Redis does
 * for its small encodings; a hashtable is walked with a cursor (see scan-cursor.ts).
 */
function sscanCommand(ctx: CommandContext, argv: readonly string[]): void {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === undefined) {
    ctx.error("ERR invalid cursor");
    return;
  }
  const set = ctx.ofType(ctx.lookupRead(argv[1]!), SetValue);
  if (set === null) return;
  if (set === undefined) {
    replyEmptyScan(ctx);
    return;
  }
  const options = parseScanOptions(ctx, argv, 3, false);
  if (options === undefined) return;
  const pattern = options.pattern;

  const batch: string[] = [];
  let nextCursor = 0;
  const table = set.strings();
  if (table === undefined) {
    for (const member of set) batch.push(member);
  } else {
    const registry = (set.scanCursors ??= new ScanCursorRegistry<string>());
    const walk: ScanWalk<string> = (cursor !== 0 ? registry.take(cursor) : undefined) ?? {
      iterator: table.values(),
      pending: undefined,
      lastUsed: ctx.now,
    };
    const ended = advanceWalk(walk, options.count, batch, (member) => table.has(member));
    if (!ended) nextCursor = registry.park(walk, ctx.now);
  }

  let kept = batch.length;
  if (pattern !== undefined) {
    kept = 0;
    for (const member of batch) if (globMatch(pattern, member)) batch[kept++] = member;
  }
  ctx.reply.array(2);
  ctx.reply.bulk(String(nextCursor));
  ctx.reply.array(kept);
  for (let i = 0; i < kept; i++) ctx.reply.bulk(batch[i]!);
}

// ---------------------------------------------------------------------------------------
// SMEMBERS (Redis 7.0 serves it with sinterCommand)
// ---------------------------------------------------------------------------------------

function smembersCommand(ctx: CommandContext, argv: readonly string[]): void {
  const set = ctx.ofType(ctx.lookupRead(argv[1]!), SetValue);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.set(0);
    return;
  }
  replyMembers(ctx, set);
}

export const setsCommands: CommandDefinition[] = [
  { name: "sadd", handler: saddCommand },
  { name: "srem", handler: sremCommand },
  { name: "smove", handler: smoveCommand },
  { name: "sismember", handler: sismemberCommand },
  { name: "smismember", handler: smismemberCommand },
  { name: "scard", handler: scardCommand },
  { name: "spop", handler: spopCommand },
  { name: "srandmember", handler: srandmemberCommand },
  { name: "sinter", handler: sinterCommand },
  { name: "sintercard", handler: sintercardCommand },
  { name: "sinterstore", handler: sinterstoreCommand },
  { name: "smembers", handler: smembersCommand },
  { name: "sunion", handler: sunionCommand },
  { name: "sunionstore", handler: sunionstoreCommand },
  { name: "sdiff", handler: sdiffCommand },
  { name: "sdiffstore", handler: sdiffstoreCommand },
  { name: "sscan", handler: sscanCommand },
];
