import type { ReplyWriter } from "@kv/protocol";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import type { SubscriptionKind } from "../pubsub/pubsub-registry.js";
import { cString } from "../util/c-string.js";
import { writeHelp } from "../util/help-reply.js";

/*
 * Pub/Sub commands (Redis's pubsub.c) over the engine's PubSubRegistry. Without a cluster,
 * shard channels (SSUBSCRIBE/SPUBLISH) behave as Redis 7.0 standalone: a separate namespace
 * with its own count, and no pattern ever matches them.
 */

/** Confirmation names, in Redis's pubSubType / pubSubShardType. */
const SUBSCRIBED: Record<SubscriptionKind, string> = { channel: "subscribe", pattern: "psubscribe", shard: "ssubscribe" };
const UNSUBSCRIBED: Record<SubscriptionKind, string> = { channel: "unsubscribe", pattern: "punsubscribe", shard: "sunsubscribe" };

/**
 * One (un)subscribe confirmation: a push in RESP3, a plain array in RESP2. `name` undefined is
 * the null channel Redis confirms an unsubscribe-all with when nothing was subscribed.
 */
function confirm(reply: ReplyWriter, verb: string, name: string | undefined, count: number): void {
  reply.push(3);
  reply.bulk(verb);
  if (name === undefined) reply.nullBulk();
  else reply.bulk(name);
  reply.integer(count);
}

function subscribeGeneric(ctx: CommandContext, argv: readonly string[], kind: SubscriptionKind): void {
  const registry = ctx.engine.pubsub;
  const client = ctx.client;
  for (let j = 1; j < argv.length; j++) {
    const name = argv[j]!;
    registry.subscribe(client, kind, name);
    confirm(ctx.reply, SUBSCRIBED[kind], name, registry.subscriptionsOf(client)!.countFor(kind));
  }
}

function unsubscribeGeneric(ctx: CommandContext, argv: readonly string[], kind: SubscriptionKind): void {
  const registry = ctx.engine.pubsub;
  const client = ctx.client;
  const count = (): number => registry.subscriptionsOf(client)?.countFor(kind) ?? 0;
  if (argv.length > 1) {
    for (let j = 1; j < argv.length; j++) {
      const name = argv[j]!;
      registry.unsubscribe(client, kind, name);
      confirm(ctx.reply, UNSUBSCRIBED[kind], name, count());
    }
    return;
  }
  const names = registry.subscriptionsOf(client)?.of(kind);
  if (names === undefined || names.size === 0) {
    confirm(ctx.reply, UNSUBSCRIBED[kind], undefined, count());
    return;
  }
  for (const name of [...names]) {
    registry.unsubscribe(client, kind, name);
    confirm(ctx.reply, UNSUBSCRIBED[kind], name, count());
  }
}

function ssubscribeCommand(ctx: CommandContext, argv: readonly string[]): void {
  // Inside EXEC the client may not block, and Redis 7.0 counts SSUBSCRIBE (unlike SUBSCRIBE,
  // exempted for backward compatibility) among what a non-blocking client cannot do.
  if (ctx.engine.executingTransaction) {
    ctx.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  subscribeGeneric(ctx, argv, "shard");
}

function publishCommand(ctx: CommandContext, argv: readonly string[]): void {
  ctx.reply.integer(ctx.engine.pubsub.publish(argv[1]!, argv[2]!));
}

function spublishCommand(ctx: CommandContext, argv: readonly string[]): void {
  ctx.reply.integer(ctx.engine.pubsub.publishShard(argv[1]!, argv[2]!));
}

// ---------------------------------------------------------------------------------------
// PUBSUB introspection
// ---------------------------------------------------------------------------------------

/** Redis's addReplySubcommandSyntaxError, for subcommands whose arity the metadata leaves open. */
function subcommandSyntaxError(ctx: CommandContext, argv: readonly string[]): void {
  ctx.error(`ERR unknown subcommand or wrong number of arguments for '${cString(argv[1]!).slice(0, 128)}'. Try PUBSUB HELP.`);
}

function channelsGeneric(ctx: CommandContext, argv: readonly string[], kind: "channel" | "shard"): void {
  if (argv.length > 3) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  const names = ctx.engine.pubsub.channelNames(kind, argv[2]);
  ctx.reply.array(names.length);
  for (const name of names) ctx.reply.bulk(name);
}

function numsubGeneric(ctx: CommandContext, argv: readonly string[], kind: "channel" | "shard"): void {
  const registry = ctx.engine.pubsub;
  ctx.reply.array((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    ctx.reply.bulk(argv[j]!);
    ctx.reply.integer(registry.listenerCount(kind, argv[j]!));
  }
}

function pubsubHelp(ctx: CommandContext): void {
  writeHelp(ctx.reply, "PUBSUB", [
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
  ]);
}

export const pubsubCommands: CommandDefinition[] = [
  { name: "subscribe", handler: (ctx, argv) => subscribeGeneric(ctx, argv, "channel") },
  { name: "psubscribe", handler: (ctx, argv) => subscribeGeneric(ctx, argv, "pattern") },
  { name: "ssubscribe", handler: ssubscribeCommand },
  { name: "unsubscribe", handler: (ctx, argv) => unsubscribeGeneric(ctx, argv, "channel") },
  { name: "punsubscribe", handler: (ctx, argv) => unsubscribeGeneric(ctx, argv, "pattern") },
  { name: "sunsubscribe", handler: (ctx, argv) => unsubscribeGeneric(ctx, argv, "shard") },
  { name: "publish", handler: publishCommand },
  { name: "spublish", handler: spublishCommand },
  { name: "pubsub|channels", handler: (ctx, argv) => channelsGeneric(ctx, argv, "channel") },
  { name: "pubsub|shardchannels", handler: (ctx, argv) => channelsGeneric(ctx, argv, "shard") },
  { name: "pubsub|numsub", handler: (ctx, argv) => numsubGeneric(ctx, argv, "channel") },
  { name: "pubsub|shardnumsub", handler: (ctx, argv) => numsubGeneric(ctx, argv, "shard") },
  { name: "pubsub|numpat", handler: (ctx) => ctx.reply.integer(ctx.engine.pubsub.patternCount) },
  { name: "pubsub|help", handler: pubsubHelp },
];
