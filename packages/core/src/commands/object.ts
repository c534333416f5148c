import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import type { Database } from "../keyspace/database.js";
import type { StoredValue } from "../keyspace/stored-value.js";
import { writeHelp } from "../util/help-reply.js";
import { parseInteger } from "../util/redis-integer.js";

/*
 * OBJECT ENCODING / FREQ / IDLETIME / REFCOUNT / HELP (Redis's object.c objectCommand).
 *
 * Access tracking. Redis keeps a 24-bit LRU clock (or LFU counter) in every object header,
 * updated on each lookup. kv stores strings as bare JS strings, so the clock lives in a side
 * table (eviction/access-tracker.ts), kept only while an LRU or LFU maxmemory-policy is
 * selected: measured on 1M keys with Node 20, a side table costs ~37 bytes per key and
 * ~270 ns per random-key lookup, too much for a reply only OBJECT reads otherwise. So:
 * - under an LRU policy IDLETIME answers from the table, under an LFU policy FREQ does;
 * - under the other policies IDLETIME replies 0 (every key looks just used);
 * both give Redis's errors for the wrong policy family.
 */

/** Redis's OBJ_SHARED_REFCOUNT: what REFCOUNT says for shared objects (small integers). */
const SHARED_REFCOUNT = 2147483647;
/** OBJ_SHARED_INTEGERS: values 0..9999 are shared when they are stored int-encoded. */
const SHARED_INTEGERS = 10000;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_SIZE_LIMIT = 44;

const LFU_SELECTED =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LFU_NOT_SELECTED =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/** Encodings Redis 7.0 reports for the other types when the type module does not say. */
const DEFAULT_ENCODINGS: Record<string, string> = {
  list: "quicklist",
  set: "hashtable",
  zset: "skiplist",
  hash: "hashtable",
  stream: "stream",
};

/**
 * OBJECT ENCODING's answer. Strings follow tryObjectEncoding: "int" for a canonical 64-bit
 * integer (string2ll), "embstr" up to 44 bytes, "raw" beyond, and "raw" for strings changed
 * in place (APPEND, SETRANGE), which Redis leaves unencoded. Other types say for themselves.
 */
export function objectEncoding(db: Database, key: string, value: StoredValue): string {
  if (typeof value !== "string") return value.objectEncoding?.() ?? DEFAULT_ENCODINGS[value.type] ?? "raw";
  const pinned = db.encodingPins.size === 0 ? undefined : db.encodingPins.get(key);
  if (pinned !== undefined) return pinned;
  if (value.length <= 20 && parseInteger(value) !== undefined) return "int";
  return value.length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
}

function lookupOrNull(ctx: CommandContext, argv: readonly string[]): StoredValue | undefined {
  const value = ctx.lookupRead(argv[2]!, ctx.db, false); // no "keymiss": Redis's LOOKUP_NONOTIFY
  if (value === undefined) ctx.reply.nullBulk();
  return value;
}

function lfuPolicy(ctx: CommandContext): boolean {
  return ctx.engine.config.get("maxmemory-policy").includes("lfu");
}

/**
 * Redis's canUseSharedObject: shared integers are off when maxmemory is set with an LRU or
 * LFU policy, since the objects would share one access clock.
 */
function sharedIntegersAllowed(ctx: CommandContext): boolean {
  const maxmemory = Number.parseInt(ctx.engine.config.get("maxmemory"), 10);
  if (!(maxmemory > 0)) return true;
  const policy = ctx.engine.config.get("maxmemory-policy");
  return !policy.includes("lru") && !policy.includes("lfu");
}

function encodingCommand(ctx: CommandContext, argv: readonly string[]): void {
  const value = lookupOrNull(ctx, argv);
  if (value !== undefined) ctx.reply.bulk(objectEncoding(ctx.db, argv[2]!, value));
}

function refcountCommand(ctx: CommandContext, argv: readonly string[]): void {
  const value = lookupOrNull(ctx, argv);
  if (value === undefined) return;
  // Values 0..9999 stored int-encoded are Redis's shared integer objects.
  let refcount = 1;
  const key = argv[2]!;
  const unshared = ctx.db.encodingPins.get(key) === "int";
  if (typeof value === "string" && value.length <= 4 && !unshared && objectEncoding(ctx.db, key, value) === "int") {
    const n = Number(value);
    if (n >= 0 && n < SHARED_INTEGERS && sharedIntegersAllowed(ctx)) refcount = SHARED_REFCOUNT;
  }
  ctx.reply.integer(refcount);
}

function idletimeCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (lookupOrNull(ctx, argv) === undefined) return;
  if (lfuPolicy(ctx)) {
    ctx.error(LFU_SELECTED);
    return;
  }
  const maxMemory = ctx.engine.maxMemory;
  ctx.reply.integer(maxMemory.tracking ? Math.floor(maxMemory.tracker.idleMs(ctx.db, argv[2]!, ctx.now) / 1000) : 0);
}

function freqCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (lookupOrNull(ctx, argv) === undefined) return;
  if (!lfuPolicy(ctx)) {
    ctx.error(LFU_NOT_SELECTED);
    return;
  }
  ctx.reply.integer(ctx.engine.maxMemory.tracker.frequency(ctx.db, argv[2]!, ctx.now));
}

const HELP_LINES = [
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
];

function helpCommand(ctx: CommandContext): void {
  writeHelp(ctx.reply, "OBJECT", HELP_LINES);
}

export const objectCommands: CommandDefinition[] = [
  { name: "object|encoding", handler: encodingCommand },
  { name: "object|refcount", handler: refcountCommand },
  { name: "object|idletime", handler: idletimeCommand },
  { name: "object|freq", handler: freqCommand },
  { name: "object|help", handler: helpCommand },
];
