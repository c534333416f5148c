import type { ClientSession } from "../client-session.js";
import { globMatch } from "../util/glob-match.js";

/*
 * Pub/Sub state (Redis's pubsub.c): who listens to which channel, pattern and shard channel,
 * and delivery of messages into the listeners' reply buffers.
 *
 * Redis keeps subscribers of a channel (and of a pattern) in a list, appending on subscribe,
 * so messages reach them in subscription order; a Set keeps the same order here and removes
 * in O(1). Its dicts (the channels of a client, the patterns of the server) iterate in hash
 * order, which is random per process; insertion order stands in for it.
 */

/** The three kinds of subscription, each with its own confirmation names and message frame. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

/** What one client is subscribed to (Redis's c->pubsub_channels, pubsub_patterns, pubsubshard_channels). */
export class ClientSubscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  /** Channels and patterns together: the count SUBSCRIBE/PSUBSCRIBE confirmations report. */
  get channelAndPatternCount(): number {
    return this.channels.size + this.patterns.size;
  }

  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  of(kind: SubscriptionKind): Set<string> {
    return kind === "channel" ? this.channels : kind === "pattern" ? this.patterns : this.shardChannels;
  }

  /** The count a (un)subscribe confirmation of this kind reports: shard channels count apart. */
  countFor(kind: SubscriptionKind): number {
    return kind === "shard" ? this.shardChannels.size : this.channelAndPatternCount;
  }
}

/** Commands a RESP2 client may still send while subscribed (Redis's processCommand list). */
const SUBSCRIBER_MODE_COMMANDS = new Set(["subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit", "reset"]);

/** Redis's refusal of any other command in RESP2 subscriber mode. */
export function subscriberModeError(fullName: string): string {
  return `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

/**
 * Called for every client that got a message other than through its own command's reply,
 * so the host sends it. `afterWrite`: the message reports a write (a keyspace notification),
 * so under `appendfsync always` it leaves only once that write is on disk, as in Redis,
 * where messages go out in beforeSleep after the fsync.
 */
export type DeliveryListener = (client: ClientSession, afterWrite: boolean) => void;

export class PubSubRegistry {
  private readonly channels = new Map<string, Set<ClientSession>>();
  private readonly patterns = new Map<string, Set<ClientSession>>();
  private readonly shardChannels = new Map<string, Set<ClientSession>>();
  /** Clients with at least one subscription of any kind (Redis's CLIENT_PUBSUB flag). */
  private readonly subscribers = new Map<ClientSession, ClientSubscriptions>();

  constructor(private readonly delivered: DeliveryListener) {}

  /** Number of clients with any subscription: zero lets the dispatcher skip every pub/sub check. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Distinct patterns subscribed to (INFO pubsub_patterns, PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.patterns.size;
  }

  get shardChannelCount(): number {
    return this.shardChannels.size;
  }

  subscriptionsOf(client: ClientSession): ClientSubscriptions | undefined {
    return this.subscribers.get(client);
  }

  /** Redis's CLIENT_PUBSUB: set by any subscription, cleared once the last one goes. */
  isSubscriber(client: ClientSession): boolean {
    return this.subscribers.has(client);
  }

  /** Whether RESP2 subscriber mode refuses `fullName` for this client. */
  refuses(client: ClientSession, fullName: string): boolean {
    return client.protocol === 2 && this.subscribers.has(client) && !SUBSCRIBER_MODE_COMMANDS.has(fullName);
  }

  /** Adds a subscription; false when the client already had it (Redis still confirms). */
  subscribe(client: ClientSession, kind: SubscriptionKind, name: string): boolean {
    let own = this.subscribers.get(client);
    if (own === undefined) {
      own = new ClientSubscriptions();
      this.subscribers.set(client, own);
    }
    const mine = own.of(kind);
    if (mine.has(name)) return false;
    mine.add(name);
    const table = this.table(kind);
    let listeners = table.get(name);
    if (listeners === undefined) {
      listeners = new Set();
      table.set(name, listeners);
    }
    listeners.add(client);
    return true;
  }

  /** Removes a subscription; false when the client did not have it (Redis still confirms). */
  unsubscribe(client: ClientSession, kind: SubscriptionKind, name: string): boolean {
    const own = this.subscribers.get(client);
    if (own === undefined || !own.of(kind).delete(name)) return false;
    const table = this.table(kind);
    const listeners = table.get(name);
    if (listeners !== undefined) {
      listeners.delete(client);
      if (listeners.size === 0) table.delete(name);
    }
    if (own.total === 0) this.subscribers.delete(client);
    return true;
  }

  /** Drops every subscription of a client: disconnection and RESET, which confirm nothing. */
  removeClient(client: ClientSession): void {
    const own = this.subscribers.get(client);
    if (own === undefined) return;
    for (const kind of ["channel", "pattern", "shard"] as const) for (const name of [...own.of(kind)]) this.unsubscribe(client, kind, name);
  }

  /** Subscribers of a channel (PUBSUB NUMSUB), or of a shard channel (SHARDNUMSUB). */
  listenerCount(kind: "channel" | "shard", name: string): number {
    return this.table(kind).get(name)?.size ?? 0;
  }

  /** Active channel (or shard channel) names, optionally filtered by a glob pattern (PUBSUB CHANNELS). */
  channelNames(kind: "channel" | "shard", pattern: string | undefined): string[] {
    const names: string[] = [];
    for (const name of this.table(kind).keys()) if (pattern === undefined || globMatch(pattern, name)) names.push(name);
    return names;
  }

  /**
   * Redis's pubsubPublishMessage: the message goes to the channel's subscribers, then to
   * every client of every matching pattern (a client matching by several patterns gets one
   * pmessage for each). Returns the number of messages delivered. Frames are encoded once
   * per protocol and copied into each listener's reply buffer.
   */
  publish(channel: string, message: string, afterWrite = false): number {
    let receivers = 0;
    const listeners = this.channels.get(channel);
    if (listeners !== undefined) {
      const frames = new FramePair(["message", channel, message]);
      for (const client of listeners) {
        client.reply.raw(frames.for(client));
        this.delivered(client, afterWrite);
        receivers++;
      }
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const frames = new FramePair(["pmessage", pattern, channel, message]);
        for (const client of clients) {
          client.reply.raw(frames.for(client));
          this.delivered(client, afterWrite);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard channel subscribers only; patterns never see shard messages. */
  publishShard(channel: string, message: string): number {
    const listeners = this.shardChannels.get(channel);
    if (listeners === undefined) return 0;
    const frames = new FramePair(["smessage", channel, message]);
    for (const client of listeners) {
      client.reply.raw(frames.for(client));
      this.delivered(client, false);
    }
    return listeners.size;
  }

  private table(kind: SubscriptionKind): Map<string, Set<ClientSession>> {
    return kind === "channel" ? this.channels : kind === "pattern" ? this.patterns : this.shardChannels;
  }
}

/**
 * One message frame in both encodings, built on first use: an array of bulk strings in
 * RESP2, a push in RESP3. Strings are latin1, so their length is their byte count.
 */
class FramePair {
  private resp2: string | undefined;
  private resp3: string | undefined;

  constructor(private readonly parts: readonly string[]) {}

  for(client: ClientSession): string {
    if (client.protocol === 3) return (this.resp3 ??= this.encode(">"));
    return (this.resp2 ??= this.encode("*"));
  }

  private encode(header: string): string {
    let text = `${header}${this.parts.length}\r\n`;
    for (const part of this.parts) text += `$${part.length}\r\n${part}\r\n`;
    return text;
  }
}
