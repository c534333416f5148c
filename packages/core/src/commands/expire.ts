import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import type { Database } from "../keyspace/database.js";
import { Errors, invalidExpireTime, sanitizeErrorText } from "../errors.js";
import { cString, optionIs } from "../util/c-string.js";
import { LLONG_MAX, LLONG_MIN, parseInteger } from "../util/redis-integer.js";

/*
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST
 * (Redis's expire.c).
 *
 * Expiry times are kept as unix milliseconds in JS numbers, exact up to 2^53 ms (the year
 * 287396). Redis accepts any 64-bit time. Beyond 2^53 the table holds the nearest double
 * (never above LLONG_MAX, so anything that prints it stays a valid 64-bit integer), and the
 * exact value is remembered beside it so that TTL replies and the propagated PEXPIREAT give
 * Redis's digits.
 */

/** The largest double not above LLONG_MAX (2^63 - 1024). */
const MAX_STORED_DEADLINE = 9223372036854774784;

/** Exact deadlines of keys whose deadline is beyond 2^53 ms, per database. */
const exactFarDeadlines = new WeakMap<Database, Map<string, bigint>>();

function storedDeadline(exact: bigint): number {
  const stored = Number(exact);
  return stored > MAX_STORED_DEADLINE ? MAX_STORED_DEADLINE : stored;
}

/** Sets a deadline given exactly (beyond 2^53 ms). */
function setExactExpire(db: Database, key: string, exact: bigint): void {
  const stored = storedDeadline(exact);
  db.setExpire(key, stored);
  if (stored <= Number.MAX_SAFE_INTEGER) return;
  let exacts = exactFarDeadlines.get(db);
  if (exacts === undefined) exactFarDeadlines.set(db, (exacts = new Map<string, bigint>()));
  exacts.set(key, exact);
}

/**
 * The exact deadline behind a stored one beyond 2^53, if it was set through here. An entry
 * is trusted only while the stored deadline still matches it (anything else that changes the
 * TTL leaves it stale, and it is dropped here).
 */
function exactDeadline(db: Database, key: string, stored: number): bigint {
  const exacts = exactFarDeadlines.get(db);
  const exact = exacts?.get(key);
  if (exact !== undefined && storedDeadline(exact) === stored) return exact;
  if (exact !== undefined) exacts!.delete(key);
  return BigInt(stored);
}

/** SWAPDB exchanges contents, so the exact deadlines follow them. */
export function swapExactDeadlines(a: Database, b: Database): void {
  const first = exactFarDeadlines.get(a);
  const second = exactFarDeadlines.get(b);
  exactFarDeadlines.delete(a);
  exactFarDeadlines.delete(b);
  if (first !== undefined) exactFarDeadlines.set(b, first);
  if (second !== undefined) exactFarDeadlines.set(a, second);
}

/**
 * Gives `target`/`targetKey` the deadline of `source`/`sourceKey` (RENAME, MOVE, COPY),
 * exactly. Returns whether there was one.
 */
export function copyExpire(source: Database, sourceKey: string, target: Database, targetKey: string): boolean {
  const stored = source.getExpire(sourceKey);
  if (stored === undefined) return false;
  if (stored <= Number.MAX_SAFE_INTEGER) target.setExpire(targetKey, stored);
  else setExactExpire(target, targetKey, exactDeadline(source, sourceKey, stored));
  return true;
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** Beyond this many seconds (or ms), `when` computed in doubles might not be exact. */
const EXACT_ARGUMENT_LIMIT = 1e12;

/**
 * The shared body of the four EXPIRE commands (expireGenericCommand). `basetime` is added
 * to the argument (0 for the *AT forms); `unitSeconds` scales it by 1000 first.
 */
function expireGeneric(ctx: CommandContext, argv: readonly string[], basetime: number, unitSeconds: boolean): void {
  const key = argv[1]!;
  // Options are checked before the time, so "EXPIRE k abc FOO" complains about FOO, as Redis does.
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!;
    if (optionIs(option, "nx")) flags |= EXPIRE_NX;
    else if (optionIs(option, "xx")) flags |= EXPIRE_XX;
    else if (optionIs(option, "gt")) flags |= EXPIRE_GT;
    else if (optionIs(option, "lt")) flags |= EXPIRE_LT;
    else {
      ctx.error(sanitizeErrorText(`ERR Unsupported option ${cString(option)}`));
      return;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    ctx.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if ((flags & (EXPIRE_GT | EXPIRE_LT)) === (EXPIRE_GT | EXPIRE_LT)) {
    ctx.error("ERR GT and LT options at the same time are not compatible");
    return;
  }

  const parsed = parseInteger(argv[2]!);
  if (parsed === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  let when: number;
  /** Exact decimal text of `when` when it is beyond double precision. */
  let whenText: string | undefined;
  if (typeof parsed === "number" && parsed <= EXACT_ARGUMENT_LIMIT && parsed >= -EXACT_ARGUMENT_LIMIT) {
    when = (unitSeconds ? parsed * 1000 : parsed) + basetime;
  } else {
    // Redis rejects a time whose conversion to ms, or whose sum with the base, overflows 64 bits.
    let exact = BigInt(parsed);
    if (unitSeconds) {
      if (exact > LLONG_MAX / 1000n || exact < LLONG_MIN / 1000n) {
        ctx.error(invalidExpireTime(ctx.spec.fullName));
        return;
      }
      exact *= 1000n;
    }
    if (exact > LLONG_MAX - BigInt(basetime)) {
      ctx.error(invalidExpireTime(ctx.spec.fullName));
      return;
    }
    exact += BigInt(basetime);
    when = storedDeadline(exact);
    whenText = exact.toString();
  }

  const db = ctx.db;
  if (ctx.lookupWrite(key) === undefined) {
    ctx.reply.integer(0);
    return;
  }

  if (flags !== 0) {
    const current = db.getExpire(key);
    if ((flags & EXPIRE_NX) !== 0 && current !== undefined) {
      ctx.reply.integer(0);
      return;
    }
    if ((flags & EXPIRE_XX) !== 0 && current === undefined) {
      ctx.reply.integer(0);
      return;
    }
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if ((flags & EXPIRE_GT) !== 0 && (current === undefined || when <= current)) {
      ctx.reply.integer(0);
      return;
    }
    if ((flags & EXPIRE_LT) !== 0 && current !== undefined && when >= current) {
      ctx.reply.integer(0);
      return;
    }
  }

  // A time already past deletes the key, except while loading: the AOF replays the
  // PEXPIREAT and the key then expires (and is propagated) like any other.
  if (when <= ctx.now && !ctx.engine.loading) {
    db.delete(key);
    ctx.dirty();
    ctx.propagateAs([lazyfreeLazyExpire(ctx) ? "UNLINK" : "DEL", key]);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "del", key);
    ctx.reply.integer(1);
    return;
  }

  if (whenText === undefined) db.setExpire(key, when);
  else setExactExpire(db, key, BigInt(whenText));
  ctx.reply.integer(1);
  // Relative times are logged as the absolute PEXPIREAT so a replay is right whenever it
  // happens. Redis rewrites only the name and the time, so NX/XX/GT/LT stay in the log.
  if (basetime !== 0 || unitSeconds) {
    const logged = ["PEXPIREAT", key, whenText ?? String(when)];
    for (let j = 3; j < argv.length; j++) logged.push(argv[j]!);
    ctx.propagateAs(logged);
  }
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Generic, "expire", key);
  ctx.dirty();
}

/** Redis's lazyfree-lazy-expire: whether expiry-driven deletions are logged as UNLINK. */
function lazyfreeLazyExpire(ctx: CommandContext): boolean {
  return ctx.engine.config.lookup("lazyfree-lazy-expire")?.value === "yes";
}

/** TTL's four readings (ttlGenericCommand): remaining or absolute, in seconds or ms. */
function ttlGeneric(ctx: CommandContext, key: string, outputMs: boolean, outputAbsolute: boolean): void {
  if (ctx.lookupRead(key) === undefined) {
    ctx.reply.integer(-2);
    return;
  }
  const expire = ctx.db.getExpire(key);
  if (expire === undefined) {
    ctx.reply.integer(-1);
    return;
  }
  // Seconds are rounded to the nearest, as Redis's (ttl+500)/1000.
  if (expire <= Number.MAX_SAFE_INTEGER) {
    let ttl = outputAbsolute ? expire : expire - ctx.now;
    if (ttl < 0) ttl = 0;
    ctx.reply.integer(outputMs ? ttl : Math.floor((ttl + 500) / 1000));
    return;
  }
  const exact = exactDeadline(ctx.db, key, expire);
  const ttl = outputAbsolute ? exact : exact - BigInt(ctx.now);
  ctx.reply.integer(outputMs ? ttl : (ttl + 500n) / 1000n);
}

function persistCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  if (ctx.lookupWrite(key) === undefined || !ctx.db.removeExpire(key)) {
    ctx.reply.integer(0);
    return;
  }
  ctx.keyModified(key);
  ctx.notify(NotifyClass.Generic, "persist", key);
  ctx.dirty();
  ctx.reply.integer(1);
}

export const expireCommands: CommandDefinition[] = [
  { name: "expire", handler: (ctx, argv) => expireGeneric(ctx, argv, ctx.now, true) },
  { name: "pexpire", handler: (ctx, argv) => expireGeneric(ctx, argv, ctx.now, false) },
  { name: "expireat", handler: (ctx, argv) => expireGeneric(ctx, argv, 0, true) },
  { name: "pexpireat", handler: (ctx, argv) => expireGeneric(ctx, argv, 0, false) },
  { name: "ttl", handler: (ctx, argv) => ttlGeneric(ctx, argv[1]!, false, false) },
  { name: "pttl", handler: (ctx, argv) => ttlGeneric(ctx, argv[1]!, true, false) },
  { name: "expiretime", handler: (ctx, argv) => ttlGeneric(ctx, argv[1]!, false, true) },
  { name: "pexpiretime", handler: (ctx, argv) => ttlGeneric(ctx, argv[1]!, true, true) },
  { name: "persist", handler: persistCommand },
];
