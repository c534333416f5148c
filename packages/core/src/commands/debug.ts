import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { Errors, sanitizeErrorText, withErrorCode } from "../errors.js";
import type { StoredValue } from "../keyspace/stored-value.js";
import { writeHelp } from "../util/help-reply.js";
import { parseInteger } from "../util/redis-integer.js";
import { rdbIntegerLength, rdbStringLength } from "../util/rdb-string-length.js";
import { datasetDigest, keyValueDigest } from "../persistence/dataset-digest.js";
import { changeReplicationId } from "./info.js";
import { objectEncoding } from "./object.js";

/*
 * DEBUG (Redis's debug.c). Redis gives DEBUG no subcommand metadata — one command of arity
 * -2 — so the subcommands are told apart here, with Redis's error for anything unknown or
 * called with the wrong number of arguments. kv serves the subcommands that make sense for
 * it (tests and tools use SLEEP, RELOAD, OBJECT, SET-ACTIVE-EXPIRE, POPULATE, PROTOCOL).
 */

/** Redis's addReplySubcommandSyntaxError. */
function subcommandSyntaxError(ctx: CommandContext, argv: readonly string[]): void {
  ctx.error(
    sanitizeErrorText(
      `ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ${argv[0]!.toUpperCase()} HELP.`,
    ),
  );
}

/** C's strtod on the argument (a leading number, else 0), as DEBUG SLEEP reads its seconds. */
function strtod(text: string): number {
  const value = Number.parseFloat(text);
  return Number.isNaN(value) ? 0 : value;
}

let sleepCell: Int32Array | undefined;

/** Blocks the whole process, as Redis's DEBUG SLEEP stops its event loop. */
function blockFor(milliseconds: number): void {
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleepCell, 0, 0, milliseconds);
}

function debugSleep(ctx: CommandContext, argv: readonly string[]): void {
  const micros = Math.trunc(strtod(argv[2]!) * 1e6);
  if (Number.isFinite(micros) && micros > 0) blockFor(micros / 1000);
  ctx.reply.simple("OK");
}

function debugReload(ctx: CommandContext, argv: readonly string[]): void {
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i]!.toLowerCase();
    if (option !== "merge" && option !== "noflush" && option !== "nosave") {
      ctx.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  // kv persists through the AOF only, so every form of RELOAD rewrites and reloads it.
  reloadFromDisk(ctx);
}

function reloadFromDisk(ctx: CommandContext): void {
  const error = ctx.engine.host.reloadAof();
  if (error === undefined) ctx.reply.simple("OK");
  else ctx.error(withErrorCode(error));
}

/**
 * kv's own: makes AOF rewrites stop after a durable step (incr-opened, base-partial,
 * base-written, base-synced, base-installed, history-deleted) until called with "none", so
 * tests can kill the server at each step of a rewrite.
 */
function debugAofRewritePause(ctx: CommandContext, argv: readonly string[]): void {
  const host = ctx.engine.host;
  const error = host.pauseAofRewrite === undefined ? "ERR AOF rewrites are not available here" : host.pauseAofRewrite(argv[2]!.toLowerCase());
  if (error === undefined) ctx.reply.simple("OK");
  else ctx.error(error);
}

function debugSetActiveExpire(ctx: CommandContext, argv: readonly string[]): void {
  // atoi: the leading integer, anything else is 0 (off).
  const flag = Number.parseInt(argv[2]!, 10);
  ctx.engine.activeExpireEnabled = !Number.isNaN(flag) && flag !== 0;
  ctx.reply.simple("OK");
}

/** Integers below this share one object in Redis (OBJ_SHARED_INTEGERS): DEBUG OBJECT shows refcount INT_MAX. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

/** A plausible, stable object address for "Value at:" (kv values have none of their own). */
function objectAddress(key: string, dbIndex: number): string {
  let hash = 0x811c9dc5 ^ dbIndex;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return `0x7f${((hash >>> 0) * 16).toString(16).padStart(10, "0").slice(-10)}`;
}

interface ObjectDescription {
  encoding: string;
  refcount: number;
  serializedLength: number;
}

/**
 * How Redis would hold a value: OBJECT ENCODING's answer (object.ts), the shared-integer
 * refcount, and the RDB size Redis computes for strings. kv cannot size other types' RDB
 * encodings, so they report 0.
 */
function describeValue(ctx: CommandContext, key: string, value: StoredValue): ObjectDescription {
  const encoding = objectEncoding(ctx.db, key, value);
  if (typeof value !== "string") return { encoding, refcount: 1, serializedLength: 0 };
  const config = ctx.engine.config;
  const compression = config.lookup("rdbcompression")?.value !== "no";
  if (encoding !== "int") return { encoding, refcount: 1, serializedLength: rdbStringLength(value, compression) };
  const integer = parseInteger(value)!;
  const policy = config.lookup("maxmemory-policy")?.value ?? "noeviction";
  const sharingAllowed = config.lookup("maxmemory")?.value === "0" || !(policy.includes("lru") || policy.includes("lfu"));
  const shared = sharingAllowed && integer >= 0 && integer < SHARED_INTEGERS;
  return { encoding, refcount: shared ? SHARED_REFCOUNT : 1, serializedLength: rdbIntegerLength(integer) };
}

function debugObject(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[2]!;
  // Like Redis's dictFind here: no expiry check, an expired key not yet reclaimed is still described.
  const value = ctx.db.peek(key);
  if (value === undefined) {
    ctx.error(Errors.noSuchKey);
    return;
  }
  const { encoding, refcount, serializedLength } = describeValue(ctx, key, value);
  const lruClock = Math.floor(ctx.now / 1000) & 0xffffff;
  // kv does not track per-key access times, so every key reads as just used.
  ctx.reply.simple(
    `Value at:${objectAddress(key, ctx.db.index)} refcount:${refcount} encoding:${encoding} serializedlength:${serializedLength} lru:${lruClock} lru_seconds_idle:0`,
  );
}

/** getPositiveLongFromObjectOrReply with Redis's default message, used for every failure. */
function positiveLong(ctx: CommandContext, text: string): number | undefined {
  const value = parseInteger(text);
  if (typeof value !== "number" || value < 0) {
    ctx.error("ERR value is out of range, must be positive");
    return undefined;
  }
  return value;
}

/**
 * DEBUG POPULATE count [prefix] [size]: keys `prefix:N` holding "value:N" (cut or zero-padded
 * to `size`); existing keys are kept. Like Redis, the keys are not propagated.
 */
let padBuffer = Buffer.alloc(0);

/** `text` cut or zero-padded to `size` bytes, as a flat string. */
function padded(text: string, size: number): string {
  if (padBuffer.length < size) padBuffer = Buffer.alloc(size);
  const written = padBuffer.write(text, 0, Math.min(text.length, size), "latin1");
  padBuffer.fill(0, written, size);
  return padBuffer.toString("latin1", 0, size);
}

function debugPopulate(ctx: CommandContext, argv: readonly string[]): void {
  const count = positiveLong(ctx, argv[2]!);
  if (count === undefined) return;
  let size = 0;
  if (argv.length === 5) {
    const parsed = positiveLong(ctx, argv[4]!);
    if (parsed === undefined) return;
    size = parsed;
  }
  const prefix = argv.length >= 4 ? argv[3]! : "key";
  const db = ctx.db;
  for (let j = 0; j < count; j++) {
    // Redis formats the key into a 128-byte buffer.
    const key = `${prefix}:${j}`.slice(0, 127);
    if (ctx.lookupWrite(key) !== undefined) continue;
    let value = `value:${j}`;
    // Decoded from bytes, as a value read off the network is: padding with `+` or padEnd leaves
    // a rope that V8 flattens into a second copy on first read (the AOF rewrite, a GET).
    if (size > 0) value = padded(value, size);
    db.set(key, value);
    ctx.keyModified(key);
  }
  ctx.reply.simple("OK");
}

/** DEBUG DIGEST: a hex fingerprint of the whole dataset, the same as redis-server's for the same data. */
function debugDigest(ctx: CommandContext): void {
  ctx.reply.simple(datasetDigest(ctx.engine.keyspace).toString("hex"));
}

/** DEBUG DIGEST-VALUE key...: each value's fingerprint (zeros for a missing key), without the key name. */
function debugDigestValue(ctx: CommandContext, argv: readonly string[]): void {
  const db = ctx.db;
  ctx.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    // Like Redis's dictFind here: a logically expired key not yet reclaimed is still digested.
    const key = argv[j]!;
    ctx.reply.simple(keyValueDigest(db, key, db.peek(key)).toString("hex"));
  }
}

/** DEBUG PROTOCOL <type>: one sample reply of each RESP type, for client tests. */
function debugProtocol(ctx: CommandContext, argv: readonly string[]): void {
  const reply = ctx.reply;
  switch (argv[2]!.toLowerCase()) {
    case "string":
      reply.bulk("Hello World");
      break;
    case "integer":
      reply.integer(12345);
      break;
    case "double":
      reply.double(3.141);
      break;
    case "bignum":
      reply.bigNumber("1234567999999999999999999999999999999");
      break;
    case "null":
      reply.nullBulk();
      break;
    case "array":
      reply.array(3);
      for (let j = 0; j < 3; j++) reply.integer(j);
      break;
    case "set":
      reply.set(3);
      for (let j = 0; j < 3; j++) reply.integer(j);
      break;
    case "map":
      reply.map(3);
      for (let j = 0; j < 3; j++) {
        reply.integer(j);
        reply.boolean(j === 1);
      }
      break;
    case "attrib":
      // Attributes exist only in RESP3; the real reply follows them.
      if (ctx.client.protocol === 3) {
        reply.raw("|1\r\n");
        reply.bulk("key-popularity");
        reply.array(2);
        reply.bulk("key:123");
        reply.integer(90);
      }
      reply.bulk("Some real reply following the attribute");
      break;
    case "push":
      if (ctx.client.protocol !== 3) {
        ctx.error("ERR RESP2 is not supported by this command");
        return;
      }
      reply.push(2);
      reply.bulk("server-cpu-usage");
      reply.integer(42);
      reply.bulk("Some real reply following the push reply");
      break;
    case "true":
      reply.boolean(true);
      break;
    case "false":
      reply.boolean(false);
      break;
    case "verbatim":
      reply.verbatim("This is a verbatim\nstring", "txt");
      break;
    default:
      ctx.error(
        "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
      );
  }
}

/** Redis's DEBUG HELP entries for the subcommands kv serves, in Redis's words and order. */
const debugHelpLines = [
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "ERROR <string>",
  "    Return a Redis protocol error with <string> as message. Useful for clients",
  "    unit tests to simulate Redis errors.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "LOADAOF",
  "    Flush the AOF buffers on disk and reload the AOF in memory.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "RELOAD [option ...]",
  "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from RDB.",
  "    * NOFLUSH: the existing database will not be removed before load, but",
  "      conflicting keys will generate an exception and kill the server.",
  "    * NOSAVE: the database will be loaded from an existing RDB file.",
  "    Examples:",
  "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
  "      the database.",
  "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
  "      existing RDB file.",
  "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
  "      file to the database.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
];

function debug(ctx: CommandContext, argv: readonly string[]): void {
  const sub = argv[1]!.toLowerCase();
  const argc = argv.length;
  if (sub === "help" && argc === 2) writeHelp(ctx.reply, "DEBUG", debugHelpLines);
  else if (sub === "sleep" && argc === 3) debugSleep(ctx, argv);
  else if (sub === "reload") debugReload(ctx, argv);
  else if (sub === "loadaof" && argc === 2) reloadFromDisk(ctx);
  else if (sub === "set-active-expire" && argc === 3) debugSetActiveExpire(ctx, argv);
  else if (sub === "object" && argc === 3) debugObject(ctx, argv);
  else if (sub === "populate" && argc >= 3 && argc <= 5) debugPopulate(ctx, argv);
  else if (sub === "protocol" && argc === 3) debugProtocol(ctx, argv);
  else if (sub === "digest" && argc === 2) debugDigest(ctx);
  else if (sub === "digest-value") debugDigestValue(ctx, argv);
  else if (sub === "error" && argc === 3) ctx.error(sanitizeErrorText(argv[2]!));
  else if (sub === "log" && argc === 3) ctx.reply.simple("OK");
  else if (sub === "aof-rewrite-pause" && argc === 3) debugAofRewritePause(ctx, argv);
  else if (sub === "change-repl-id" && argc === 2) {
    changeReplicationId(ctx.engine);
    ctx.reply.simple("OK");
  } else subcommandSyntaxError(ctx, argv);
}

export const debugCommands: CommandDefinition[] = [{ name: "debug", handler: debug }];
