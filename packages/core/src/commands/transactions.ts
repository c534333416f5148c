import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";

/*
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH (Redis's multi.c). Queueing itself happens in the
 * dispatcher (Engine.execute), which also dooms a transaction when a command is rejected
 * while queueing; these handlers manage the state around it.
 */

const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

function discardState(ctx: CommandContext): void {
  const client = ctx.client;
  client.transaction = undefined;
  client.watchInvalidated = false;
  ctx.engine.watches.unwatchAll(client);
}

function multi(ctx: CommandContext): void {
  if (ctx.client.transaction !== undefined) {
    ctx.error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.transaction = { queue: [], failed: false };
  ctx.reply.simple("OK");
}

function exec(ctx: CommandContext): void {
  const client = ctx.client;
  const transaction = client.transaction;
  if (transaction === undefined) {
    ctx.error("ERR EXEC without MULTI");
    return;
  }
  const engine = ctx.engine;
  if (engine.watches.size !== 0 && engine.watches.hasExpiredKey(client)) client.watchInvalidated = true;
  if (transaction.failed || client.watchInvalidated) {
    if (transaction.failed) ctx.error(EXECABORT);
    else ctx.reply.nullArray();
    discardState(ctx);
    return;
  }
  discardState(ctx);
  ctx.reply.array(transaction.queue.length);
  engine.execTransaction(client, transaction.queue);
}

function discard(ctx: CommandContext): void {
  if (ctx.client.transaction === undefined) {
    ctx.error("ERR DISCARD without MULTI");
    return;
  }
  discardState(ctx);
  ctx.reply.simple("OK");
}

function watch(ctx: CommandContext, argv: readonly string[]): void {
  if (ctx.client.transaction !== undefined) {
    ctx.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  for (let i = 1; i < argv.length; i++) ctx.engine.watches.watch(ctx.client, ctx.db, argv[i]!);
  ctx.reply.simple("OK");
}

function unwatch(ctx: CommandContext): void {
  ctx.engine.watches.unwatchAll(ctx.client);
  ctx.client.watchInvalidated = false;
  ctx.reply.simple("OK");
}

export const transactionCommands: CommandDefinition[] = [
  { name: "multi", handler: multi },
  { name: "exec", handler: exec },
  { name: "discard", handler: discard },
  { name: "watch", handler: watch },
  { name: "unwatch", handler: unwatch },
];
