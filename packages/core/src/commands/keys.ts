import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { typeName, type StoredValue } from "../keyspace/stored-value.js";
import { cString, optionIs } from "../util/c-string.js";
import { globMatch, isLiteralPattern } from "../util/glob-match.js";
import { parseInteger } from "../util/redis-integer.js";
import { copyExpire, expireCommands, swapExactDeadlines } from "./expire.js";
import { objectCommands, objectEncoding } from "./object.js";
import { randomKey, resetRandomKey } from "./random-key.js";
import { ScanCursorRegistry, advanceWalk, parseScanCursor, type ScanWalk } from "./scan-cursor.js";

/*
 * The generic keyspace commands (Redis's db.c): DEL, UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN,
 * RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, SWAPDB. Expiry commands live in expire.ts and
 * OBJECT in object.ts; this module exports the whole family.
 */

// ---------------------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH
// ---------------------------------------------------------------------------------------

/** DEL and UNLINK (delGenericCommand); freeing is synchronous either way in JS. */
function delCommand(ctx: CommandContext, argv: readonly string[]): void {
  const db = ctx.db;
  let deleted = 0;
  for (let j = 1; j < argv.length; j++) {
    const key = argv[j]!;
    // An expired key is reclaimed (and its own DEL propagated) first, and does not count.
    if (db.expiresSize !== 0 && db.expireIfNeeded(key)) continue;
    if (!db.delete(key)) continue;
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty();
    deleted++;
  }
  ctx.reply.integer(deleted);
}

/** EXISTS counts every argument, so a key named twice counts twice. */
function existsCommand(ctx: CommandContext, argv: readonly string[]): void {
  let count = 0;
  for (let j = 1; j < argv.length; j++) if (ctx.lookupRead(argv[j]!) !== undefined) count++;
  ctx.reply.integer(count);
}

/** TOUCH: EXISTS that also counts as an access (kv keeps no access clock; see object.ts). */
const touchCommand = existsCommand;

function typeCommand(ctx: CommandContext, argv: readonly string[]): void {
  const value = ctx.lookupRead(argv[1]!);
  ctx.reply.simple(value === undefined ? "none" : typeName(value));
}

// ---------------------------------------------------------------------------------------
// KEYS, SCAN, RANDOMKEY
// ---------------------------------------------------------------------------------------

/**
 * KEYS lists matching keys that are not logically expired, without deleting the expired
 * ones (Redis's keysCommand uses keyIsExpired, not expireIfNeeded). A pattern without
 * special characters can only name one key, so it is answered by lookup instead of a walk.
 */
function keysCommand(ctx: CommandContext, argv: readonly string[]): void {
  const pattern = argv[1]!;
  const db = ctx.db;
  const all = pattern === "*";
  if (all && db.expiresSize === 0) {
    // Nothing can be expired: the count is known up front, so stream without collecting.
    ctx.reply.array(db.size);
    for (const key of db.keys()) ctx.reply.bulk(key);
    return;
  }
  const found: string[] = [];
  if (isLiteralPattern(pattern)) {
    if (db.peek(pattern) !== undefined && !db.isExpired(pattern)) found.push(pattern);
  } else {
    for (const key of db.keys()) {
      if ((all || globMatch(pattern, key)) && !db.isExpired(key)) found.push(key);
    }
  }
  ctx.reply.array(found.length);
  for (const key of found) ctx.reply.bulk(key);
}

const scanRegistries = new WeakMap<Database, ScanCursorRegistry<string>>();

function scanRegistry(db: Database): ScanCursorRegistry<string> {
  let registry = scanRegistries.get(db);
  if (registry === undefined) {
    registry = new ScanCursorRegistry<string>();
    scanRegistries.set(db, registry);
  }
  return registry;
}

/** Options shared by the SCAN family (scanGenericCommand's step 1). */
export interface ScanOptions {
  count: number;
  /** undefined when absent or "*" (which Redis treats as no pattern). */
  pattern: string | undefined;
  type: string | undefined;
}

/**
 * Parses COUNT, MATCH and (when `allowType`, i.e. for SCAN itself) TYPE from `start` on,
 * replying Redis's error and returning undefined when they are wrong. Later options win.
 */
export function parseScanOptions(ctx: CommandContext, argv: readonly string[], start: number, allowType: boolean): ScanOptions | undefined {
  const options: ScanOptions = { count: 10, pattern: undefined, type: undefined };
  for (let i = start; i < argv.length; i += 2) {
    const option = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (optionIs(option, "count") && hasValue) {
      const count = parseInteger(argv[i + 1]!);
      if (count === undefined) {
        ctx.error(Errors.notInteger);
        return undefined;
      }
      if (count < 1) {
        ctx.error(Errors.syntax);
        return undefined;
      }
      // Beyond 2^53 the walk ends long before the count matters.
      options.count = typeof count === "number" ? count : Number.MAX_SAFE_INTEGER;
    } else if (optionIs(option, "match") && hasValue) {
      const pattern = argv[i + 1]!;
      options.pattern = pattern === "*" ? undefined : pattern;
    } else if (optionIs(option, "type") && allowType && hasValue) {
      // Compared with strcasecmp against the type's name: case-insensitive, up to a NUL.
      options.type = cString(argv[i + 1]!).toLowerCase();
    } else {
      ctx.error(Errors.syntax);
      return undefined;
    }
  }
  return options;
}

/**
 * SCAN (see scan-cursor.ts for how a cursor names a live Map iterator). Each call visits up
 * to COUNT keys, then filters as Redis 7.0 does, in its order: MATCH, then TYPE through a
 * read lookup (which counts hits/misses and reclaims an expired key, making it "none"),
 * then expiry (reclaiming expired keys). So `TYPE none` lists expired keys, as in Redis.
 */
function scanCommand(ctx: CommandContext, argv: readonly string[]): void {
  const cursor = parseScanCursor(argv[1]!);
  if (cursor === undefined) {
    ctx.error("ERR invalid cursor");
    return;
  }
  const options = parseScanOptions(ctx, argv, 2, true);
  if (options === undefined) return;

  const db = ctx.db;
  const registry = scanRegistry(db);
  const walk: ScanWalk<string> = (cursor !== 0 ? registry.take(cursor) : undefined) ?? {
    iterator: db.keys(),
    pending: undefined,
    lastUsed: ctx.now,
  };
  const batch: string[] = [];
  const ended = advanceWalk(walk, options.count, batch, (key) => db.peek(key) !== undefined);
  const nextCursor = ended ? 0 : registry.park(walk, ctx.now);

  const { pattern, type } = options;
  let kept = 0;
  for (const key of batch) {
    if (pattern !== undefined && !globMatch(pattern, key)) continue;
    if (type !== undefined) {
      const value = ctx.lookupRead(key);
      if ((value === undefined ? "none" : typeName(value)) !== type) continue;
    }
    if (db.expiresSize !== 0 && db.expireIfNeeded(key)) continue;
    batch[kept++] = key;
  }
  ctx.reply.array(2);
  ctx.reply.bulk(String(nextCursor));
  ctx.reply.array(kept);
  for (let i = 0; i < kept; i++) ctx.reply.bulk(batch[i]!);
}

function randomkeyCommand(ctx: CommandContext): void {
  const key = randomKey(ctx.db, ctx.now);
  if (key === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(key);
}

// ---------------------------------------------------------------------------------------
// RENAME, RENAMENX, COPY, MOVE, SWAPDB
// ---------------------------------------------------------------------------------------

/**
 * Stores `value` under `key` in `target` as a new key (Redis's dbAdd, with its "new" event),
 * carrying the TTL and the raw-encoding mark of `sourceKey` in `source`, which must still
 * exist. A previous value is replaced silently, as Redis's dbDelete before dbAdd does.
 */
function addKey(
  ctx: CommandContext,
  target: Database,
  key: string,
  value: StoredValue,
  source: Database,
  sourceKey: string,
  duplicate = false,
): void {
  // Read before target.set: with source === target and key === sourceKey nothing is left to read after.
  const encoding = typeof value === "string" ? objectEncoding(source, sourceKey, value) : undefined;
  const pinned = source.encodingPins.size === 0 ? undefined : source.encodingPins.get(sourceKey);
  target.set(key, value);
  ctx.notify(NotifyClass.New, "new", key, target);
  copyExpire(source, sourceKey, target, key);
  // COPY duplicates the object (dupStringObject): an integer copy is a fresh, unshared int.
  if (duplicate && encoding === "int") target.encodingPins.set(key, "int");
  else if (pinned !== undefined) target.encodingPins.set(key, pinned);
}

function renameGeneric(ctx: CommandContext, argv: readonly string[], nx: boolean): void {
  const source = argv[1]!;
  const destination = argv[2]!;
  const db = ctx.db;
  const value = ctx.lookupWrite(source);
  if (value === undefined) {
    ctx.error(Errors.noSuchKey);
    return;
  }
  // Renaming a key to itself changes nothing but still requires the key to exist.
  if (source === destination) {
    if (nx) ctx.reply.integer(0);
    else ctx.reply.simple("OK");
    return;
  }
  if (nx && ctx.lookupWrite(destination) !== undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (!nx) ctx.lookupWrite(destination); // an expired destination is reclaimed (and propagated) first
  addKey(ctx, db, destination, value, db, source);
  db.delete(source);
  ctx.keyModified(source);
  ctx.keyModified(destination);
  ctx.notify(NotifyClass.Generic, "rename_from", source);
  ctx.notify(NotifyClass.Generic, "rename_to", destination);
  ctx.dirty();
  if (nx) ctx.reply.integer(1);
  else ctx.reply.simple("OK");
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * getIntFromObjectOrReply: a 32-bit integer argument. With `message`, every failure replies
 * it (SWAPDB); without, Redis's generic texts — including 7.0's "value must between" typo.
 */
function parseIntArgument(ctx: CommandContext, text: string, message?: string): number | undefined {
  const value = parseInteger(text);
  if (value === undefined) {
    ctx.error(message ?? Errors.notInteger);
    return undefined;
  }
  if (typeof value !== "number" || value < INT_MIN || value > INT_MAX) {
    ctx.error(message ?? `ERR value is out of range, value must between ${INT_MIN} and ${INT_MAX}`);
    return undefined;
  }
  return value;
}

/** The database with this index, or undefined when out of range (Redis's selectDb failing). */
function databaseAt(ctx: CommandContext, index: number): Database | undefined {
  const keyspace = ctx.engine.keyspace;
  return index >= 0 && index < keyspace.count ? keyspace.db(index) : undefined;
}

/** A value for another key: strings are immutable and shared, other types deep-copied. */
function duplicateValue(value: StoredValue): StoredValue | undefined {
  return typeof value === "string" ? value : value.duplicate?.();
}

function copyCommand(ctx: CommandContext, argv: readonly string[]): void {
  const source = ctx.db;
  let target = source;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!;
    if (optionIs(option, "replace")) {
      replace = true;
    } else if (optionIs(option, "db") && j + 1 < argv.length) {
      const index = parseIntArgument(ctx, argv[++j]!);
      if (index === undefined) return;
      const db = databaseAt(ctx, index);
      if (db === undefined) {
        ctx.error(Errors.dbIndexOutOfRange);
        return;
      }
      target = db;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const newKey = argv[2]!;
  if (source === target && key === newKey) {
    ctx.error(Errors.sameObject);
    return;
  }
  const value = ctx.lookupRead(key);
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (ctx.lookupWrite(newKey, target) !== undefined && !replace) {
    ctx.reply.integer(0);
    return;
  }
  const copy = duplicateValue(value);
  if (copy === undefined) {
    ctx.error(`ERR COPY is not supported for ${typeName(value)} values`);
    return;
  }
  addKey(ctx, target, newKey, copy, source, key, true);
  ctx.keyModified(newKey, target);
  ctx.notify(NotifyClass.Generic, "copy_to", newKey, target);
  ctx.dirty();
  ctx.reply.integer(1);
}

function moveCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const index = parseIntArgument(ctx, argv[2]!);
  if (index === undefined) return;
  const target = databaseAt(ctx, index);
  if (target === undefined) {
    ctx.error(Errors.dbIndexOutOfRange);
    return;
  }
  const source = ctx.db;
  if (target === source) {
    ctx.error(Errors.sameObject);
    return;
  }
  const value = ctx.lookupWrite(key);
  if (value === undefined || ctx.lookupWrite(key, target) !== undefined) {
    ctx.reply.integer(0);
    return;
  }
  addKey(ctx, target, key, value, source, key);
  source.delete(key);
  ctx.keyModified(key, source);
  ctx.keyModified(key, target);
  ctx.notify(NotifyClass.Generic, "move_from", key, source);
  ctx.notify(NotifyClass.Generic, "move_to", key, target);
  ctx.dirty();
  ctx.reply.integer(1);
}

function swapdbCommand(ctx: CommandContext, argv: readonly string[]): void {
  const first = parseIntArgument(ctx, argv[1]!, "ERR invalid first DB index");
  if (first === undefined) return;
  const second = parseIntArgument(ctx, argv[2]!, "ERR invalid second DB index");
  if (second === undefined) return;
  const a = databaseAt(ctx, first);
  const b = databaseAt(ctx, second);
  if (a === undefined || b === undefined) {
    ctx.error(Errors.dbIndexOutOfRange);
    return;
  }
  if (a !== b) {
    ctx.engine.keyspace.swap(first, second);
    // Walks and rotations followed the tables that just changed databases.
    scanRegistry(a).clear();
    scanRegistry(b).clear();
    resetRandomKey(a);
    resetRandomKey(b);
    swapExactDeadlines(a, b);
    signalSwappedKeys(ctx, a, b);
    // Clients blocked in either database may now find their key (Redis's scanDatabaseForReadyKeys).
    ctx.engine.scanDatabaseForReadyKeys(a);
    ctx.engine.scanDatabaseForReadyKeys(b);
  }
  ctx.dirty();
  ctx.reply.simple("OK");
}

/** Redis's touchAllWatchedKeysInDb for both databases: a key watched in either is touched if it exists in either. */
function signalSwappedKeys(ctx: CommandContext, a: Database, b: Database): void {
  const watches = ctx.engine.watches;
  if (watches.size === 0) return;
  watches.touchAllInDb(a, b);
  watches.touchAllInDb(b, a);
}

export const keysCommands: CommandDefinition[] = [
  { name: "del", handler: delCommand },
  { name: "unlink", handler: delCommand },
  { name: "exists", handler: existsCommand },
  { name: "touch", handler: touchCommand },
  { name: "type", handler: typeCommand },
  { name: "keys", handler: keysCommand },
  { name: "scan", handler: scanCommand },
  { name: "randomkey", handler: randomkeyCommand },
  { name: "rename", handler: (ctx, argv) => renameGeneric(ctx, argv, false) },
  { name: "renamenx", handler: (ctx, argv) => renameGeneric(ctx, argv, true) },
  { name: "copy", handler: copyCommand },
  { name: "move", handler: moveCommand },
  { name: "swapdb", handler: swapdbCommand },
  ...expireCommands,
  ...objectCommands,
];
