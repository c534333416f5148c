import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import type { ShutdownRequest } from "../engine.js";
import { Errors, withErrorCode } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { commandIntrospectionCommands } from "./command-introspection.js";
import { configCommands } from "./config-commands.js";
import { debugCommands } from "./debug.js";
import { infoCommands } from "./info.js";

/*
 * Server commands (Redis's server.c / db.c / rdb.c / aof.c). Persistence and the process
 * belong to the host (EngineHost): these handlers only ask it. kv persists through the AOF
 * alone, so SAVE and BGSAVE are served by an AOF rewrite, the snapshot kv has.
 */

function dbsize(ctx: CommandContext): void {
  ctx.reply.integer(ctx.db.size);
}

/** FLUSHDB/FLUSHALL take an optional SYNC or ASYNC; kv frees memory the same way for both. */
function flushOptionValid(ctx: CommandContext, argv: readonly string[]): boolean {
  if (argv.length === 1) return true;
  const option = argv[1]!.toLowerCase();
  if (argv.length === 2 && (option === "sync" || option === "async")) return true;
  ctx.error(Errors.syntax);
  return false;
}

/**
 * Empties a database, first touching the WATCHed keys it holds, as Redis's signalFlushedDb
 * does; XREADGROUP readers blocked in it then learn that their stream is gone.
 */
function emptyDatabase(ctx: CommandContext, db: Database): number {
  if (ctx.engine.watches.size !== 0) ctx.engine.watches.touchAllInDb(db);
  const removed = db.clear();
  ctx.engine.scanDatabaseForReadyKeys(db);
  return removed;
}

function flushdb(ctx: CommandContext, argv: readonly string[]): void {
  if (!flushOptionValid(ctx, argv)) return;
  const removed = emptyDatabase(ctx, ctx.db);
  // Redis forces FLUSHDB into the AOF even when the database was already empty; kv logs what
  // moved the dirty counter, so an empty flush counts as one change.
  ctx.dirty(removed > 0 ? removed : 1);
  ctx.reply.simple("OK");
}

function flushall(ctx: CommandContext, argv: readonly string[]): void {
  if (!flushOptionValid(ctx, argv)) return;
  let removed = 0;
  for (const db of ctx.engine.keyspace.databases) removed += emptyDatabase(ctx, db);
  // Redis adds one to the keys removed (flushAllDataAndResetRDB), so even an empty FLUSHALL propagates.
  ctx.dirty(removed + 1);
  ctx.reply.simple("OK");
}

function time(ctx: CommandContext): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.reply.array(2);
  ctx.reply.bulk(String(Math.floor(micros / 1e6)));
  ctx.reply.bulk(String(micros % 1e6));
}

function lastsave(ctx: CommandContext): void {
  ctx.reply.integer(ctx.engine.host.lastSave());
}

function bgrewriteaof(ctx: CommandContext): void {
  const result = ctx.engine.host.rewriteAof();
  if ("error" in result) ctx.error(withErrorCode(result.error));
  else ctx.reply.simple(result.status);
}

function save(ctx: CommandContext): void {
  const result = ctx.engine.host.rewriteAof();
  if ("error" in result) ctx.error(withErrorCode(result.error));
  else ctx.reply.simple("OK");
}

function bgsave(ctx: CommandContext, argv: readonly string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1]!.toLowerCase() === "schedule") schedule = true;
    else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  const result = ctx.engine.host.rewriteAof();
  if (!("error" in result)) {
    ctx.reply.simple("Background saving started");
    return;
  }
  // A rewrite already running is Redis's "another child process is active" case.
  if (!result.error.includes("already in progress")) ctx.error(withErrorCode(result.error));
  else if (schedule) ctx.reply.simple("Background saving scheduled");
  else
    ctx.error(
      "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
    );
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success nothing is replied: the host is
 * stopping the process (Redis's client gets its connection closed, not a reply).
 */
function shutdown(ctx: CommandContext, argv: readonly string[]): void {
  const request: ShutdownRequest = { save: undefined, now: false, force: false, abort: false };
  let saveGiven = false;
  let noSaveGiven = false;
  for (let i = 1; i < argv.length; i++) {
    const option = argv[i]!.toLowerCase();
    if (option === "nosave") noSaveGiven = true;
    else if (option === "save") saveGiven = true;
    else if (option === "now") request.now = true;
    else if (option === "force") request.force = true;
    else if (option === "abort") request.abort = true;
    else {
      ctx.error(Errors.syntax);
      return;
    }
  }
  const otherFlags = saveGiven || noSaveGiven || request.now || request.force;
  if ((request.abort && otherFlags) || (saveGiven && noSaveGiven)) {
    ctx.error(Errors.syntax);
    return;
  }
  if (saveGiven) request.save = true;
  else if (noSaveGiven) request.save = false;
  const error = ctx.engine.host.shutdown(request);
  if (request.abort) {
    if (error === undefined) ctx.reply.simple("OK");
    else ctx.error(withErrorCode(error));
    return;
  }
  if (error !== undefined) ctx.error(withErrorCode(error));
}

export const serverCommands: CommandDefinition[] = [
  { name: "dbsize", handler: dbsize },
  { name: "flushdb", handler: flushdb },
  { name: "flushall", handler: flushall },
  { name: "time", handler: time },
  { name: "lastsave", handler: lastsave },
  { name: "bgrewriteaof", handler: bgrewriteaof },
  { name: "save", handler: save },
  { name: "bgsave", handler: bgsave },
  { name: "shutdown", handler: shutdown },
  ...infoCommands,
  ...configCommands,
  ...commandIntrospectionCommands,
  ...debugCommands,
];
