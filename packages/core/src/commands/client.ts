import type { ClientSession } from "../client-session.js";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { Errors } from "../errors.js";
import { writeHelp } from "../util/help-reply.js";
import { parseInteger } from "../util/redis-integer.js";

/*
 * CLIENT subcommands (Redis's networking.c clientCommand). Sockets belong to the host: clients
 * are listed through `host.clients()` and closed through `host.killClient()`.
 */

/** Redis accepts names of printable ASCII without spaces ('!' to '~'); the empty name clears it. */
export function isValidClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export const clientNameError = "ERR Client names cannot contain spaces, newlines or special characters.";

/** Client types as CLIENT LIST/KILL TYPE name them (getClientTypeByName). */
type ClientType = "normal" | "replica" | "pubsub" | "master";

function clientTypeByName(name: string): ClientType | undefined {
  switch (name.toLowerCase()) {
    case "normal":
      return "normal";
    case "slave":
    case "replica":
      return "replica";
    case "pubsub":
      return "pubsub";
    case "master":
      return "master";
    default:
      return undefined;
  }
}

/** kv has no replication: a client is "pubsub" while it has any subscription (either protocol), else "normal". */
function clientType(ctx: CommandContext, client: ClientSession): ClientType {
  return ctx.engine.pubsub.isSubscriber(client) ? "pubsub" : "normal";
}

/** Every connected client, the caller included (a host without sockets lists none). */
function connectedClients(ctx: CommandContext): ClientSession[] {
  const clients = [...ctx.engine.host.clients()];
  if (!clients.includes(ctx.client)) clients.unshift(ctx.client);
  return clients;
}

/** Redis's client flag letters, in its order; "N" when none applies. */
function clientFlags(ctx: CommandContext, client: ClientSession): string {
  let flags = "";
  if (ctx.engine.pubsub.isSubscriber(client)) flags += "P";
  if (client.transaction !== undefined) flags += "x";
  if (client.blocked !== undefined) flags += "b";
  if (client.watchInvalidated) flags += "d";
  if (client.closeAfterReply) flags += "c";
  if (client.noEvict) flags += "e";
  return flags === "" ? "N" : flags;
}

/** Query buffer capacity Redis reports for an active client (its 16 KiB + growth allocation). */
const QUERY_BUFFER_CAPACITY = 20474;
/** sizeof(client) and friends: the fixed part of Redis's tot-mem. */
const CLIENT_STRUCT_BYTES = 776;

/**
 * One CLIENT LIST line with Redis 7.0's fields in its order. Buffer figures are ours where kv
 * has them (query buffer, pending output) and Redis-like sizes where it has no equivalent.
 */
export function describeClient(ctx: CommandContext, client: ClientSession, argv: readonly string[] | undefined): string {
  const now = Date.now();
  const isCaller = client === ctx.client;
  const { queryBuffer, outputBuffer } = client.bufferStats();
  const queryFree = isCaller || queryBuffer > 0 ? Math.max(0, QUERY_BUFFER_CAPACITY - queryBuffer) : 0;
  let argvMemory = 0;
  if (isCaller && argv !== undefined) for (const arg of argv) argvMemory += arg.length;
  const replyBufferSize = isCaller ? 16384 : 1024;
  const replyBufferPeak = isCaller ? 16384 : 0;
  const totalMemory = CLIENT_STRUCT_BYTES + replyBufferSize + queryBuffer + queryFree + argvMemory + outputBuffer;
  const command = isCaller ? ctx.spec.fullName : client.lastCommand;
  const subscriptions = ctx.engine.pubsub.subscriptionsOf(client);
  return (
    `id=${client.id} addr=${client.remoteAddress} laddr=${client.localAddress} fd=${client.fd} name=${client.name}` +
    ` age=${Math.max(0, Math.floor((now - client.createdAt) / 1000))}` +
    ` idle=${isCaller ? 0 : Math.max(0, Math.floor((now - client.lastInteraction) / 1000))}` +
    ` flags=${clientFlags(ctx, client)} db=${client.db.index} sub=${subscriptions?.channels.size ?? 0}` +
    ` psub=${subscriptions?.patterns.size ?? 0} ssub=${subscriptions?.shardChannels.size ?? 0} multi=-1` +
    ` qbuf=${queryBuffer} qbuf-free=${queryFree} argv-mem=${argvMemory} multi-mem=0` +
    ` rbs=${replyBufferSize} rbp=${replyBufferPeak} obl=0 oll=0 omem=${outputBuffer} tot-mem=${totalMemory}` +
    ` events=${outputBuffer > 0 ? "rw" : "r"} cmd=${command} user=${client.user} redir=-1 resp=${client.protocol}\n`
  );
}

function clientId(ctx: CommandContext): void {
  ctx.reply.integer(ctx.client.id);
}

function clientSetName(ctx: CommandContext, argv: readonly string[]): void {
  const name = argv[2]!;
  if (!isValidClientName(name)) {
    ctx.error(clientNameError);
    return;
  }
  ctx.client.name = name;
  ctx.reply.simple("OK");
}

function clientGetName(ctx: CommandContext): void {
  if (ctx.client.name === "") ctx.reply.nullBulk();
  else ctx.reply.bulk(ctx.client.name);
}

function clientInfo(ctx: CommandContext, argv: readonly string[]): void {
  ctx.reply.verbatim(describeClient(ctx, ctx.client, argv), "txt");
}

function clientList(ctx: CommandContext, argv: readonly string[]): void {
  let text = "";
  if (argv.length === 4 && argv[2]!.toLowerCase() === "type") {
    const type = clientTypeByName(argv[3]!);
    if (type === undefined) {
      ctx.error(`ERR Unknown client type '${argv[3]!}'`);
      return;
    }
    for (const client of connectedClients(ctx)) if (clientType(ctx, client) === type) text += describeClient(ctx, client, argv);
  } else if (argv.length > 3 && argv[2]!.toLowerCase() === "id") {
    // Listed in the order asked, repeats included, as Redis does.
    const clients = connectedClients(ctx);
    for (let i = 3; i < argv.length; i++) {
      const id = parseInteger(argv[i]!);
      if (id === undefined) {
        ctx.error("ERR Invalid client ID");
        return;
      }
      const client = clients.find((candidate) => candidate.id === id);
      if (client !== undefined) text += describeClient(ctx, client, argv);
    }
  } else if (argv.length !== 2) {
    ctx.error(Errors.syntax);
    return;
  } else {
    for (const client of connectedClients(ctx)) text += describeClient(ctx, client, argv);
  }
  ctx.reply.verbatim(text, "txt");
}

interface KillFilter {
  addr?: string;
  laddr?: string;
  id?: number | bigint;
  type?: ClientType;
  user?: string;
  skipMe: boolean;
}

/** Parses CLIENT KILL's filter form; replies with the error and returns undefined on a bad filter. */
function parseKillFilter(ctx: CommandContext, argv: readonly string[]): KillFilter | undefined {
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i]!.toLowerCase();
    const value = argv[i + 1];
    if (value === undefined) {
      ctx.error(Errors.syntax);
      return undefined;
    }
    if (option === "id") {
      const id = parseInteger(value);
      if (id === undefined || id < 1) {
        ctx.error("ERR client-id should be greater than 0");
        return undefined;
      }
      filter.id = id;
    } else if (option === "type") {
      const type = clientTypeByName(value);
      if (type === undefined) {
        ctx.error(`ERR Unknown client type '${value}'`);
        return undefined;
      }
      filter.type = type;
    } else if (option === "addr") {
      filter.addr = value;
    } else if (option === "laddr") {
      filter.laddr = value;
    } else if (option === "user") {
      // Only the default user exists.
      if (value !== "default") {
        ctx.error(`ERR No such user '${value}'`);
        return undefined;
      }
      filter.user = value;
    } else if (option === "skipme") {
      const choice = value.toLowerCase();
      if (choice !== "yes" && choice !== "no") {
        ctx.error(Errors.syntax);
        return undefined;
      }
      filter.skipMe = choice === "yes";
    } else {
      ctx.error(Errors.syntax);
      return undefined;
    }
  }
  return filter;
}

function clientKill(ctx: CommandContext, argv: readonly string[]): void {
  // CLIENT KILL <addr> is the old form: it may kill the caller and replies OK or an error.
  const oldForm = argv.length === 3;
  const filter: KillFilter | undefined = oldForm ? { addr: argv[2]!, skipMe: false } : parseKillFilter(ctx, argv);
  if (filter === undefined) return;

  let killed = 0;
  let killSelf = false;
  for (const client of connectedClients(ctx)) {
    if (filter.addr !== undefined && client.remoteAddress !== filter.addr) continue;
    if (filter.laddr !== undefined && client.localAddress !== filter.laddr) continue;
    if (filter.type !== undefined && clientType(ctx, client) !== filter.type) continue;
    if (filter.id !== undefined && client.id !== filter.id) continue;
    if (filter.user !== undefined && client.user !== filter.user) continue;
    if (client === ctx.client) {
      if (filter.skipMe) continue;
      killSelf = true;
    } else {
      ctx.engine.host.killClient(client);
    }
    killed++;
  }
  // The caller is closed only after its reply is written.
  if (killSelf) ctx.client.closeAfterReply = true;

  if (!oldForm) ctx.reply.integer(killed);
  else if (killed === 0) ctx.error("ERR No such client");
  else ctx.reply.simple("OK");
}

/** CLIENT UNBLOCK: ends another client's blocking command as a timeout would, or with an error. */
function clientUnblock(ctx: CommandContext, argv: readonly string[]): void {
  const id = parseInteger(argv[2]!);
  if (id === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  const reason = argv[3];
  let error: string | undefined;
  if (reason !== undefined) {
    const lower = reason.toLowerCase();
    if (lower === "error") error = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
    else if (lower !== "timeout") {
      ctx.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  let unblocked = false;
  for (const client of ctx.engine.blocking.clients()) {
    if (client.id === Number(id)) {
      unblocked = ctx.engine.unblock(client, error);
      break;
    }
  }
  ctx.reply.integer(unblocked ? 1 : 0);
}

function clientNoEvict(ctx: CommandContext, argv: readonly string[]): void {
  const choice = argv[2]!.toLowerCase();
  if (choice !== "on" && choice !== "off") {
    ctx.error(Errors.syntax);
    return;
  }
  ctx.client.noEvict = choice === "on";
  ctx.reply.simple("OK");
}

/** CLIENT SETINFO (Redis 7.2): library name and version, shown by later Redis in CLIENT LIST. */
function clientSetInfo(ctx: CommandContext, argv: readonly string[]): void {
  const attribute = argv[2]!;
  const value = argv[3]!;
  const lower = attribute.toLowerCase();
  if (lower !== "lib-name" && lower !== "lib-ver") {
    ctx.error(`ERR Unrecognized option '${attribute}'`);
    return;
  }
  if (!isValidClientName(value)) {
    ctx.error(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (lower === "lib-name") ctx.client.libName = value;
  else ctx.client.libVersion = value;
  ctx.reply.simple("OK");
}

/** Redis 7.0.15's CLIENT HELP text, verbatim (it also lists subcommands kv does not serve). */
const clientHelpLines = [
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
];

function clientHelp(ctx: CommandContext): void {
  writeHelp(ctx.reply, "CLIENT", clientHelpLines);
}

export const clientCommands: CommandDefinition[] = [
  { name: "client|id", handler: clientId },
  { name: "client|setname", handler: clientSetName },
  { name: "client|getname", handler: clientGetName },
  { name: "client|info", handler: clientInfo },
  { name: "client|list", handler: clientList },
  { name: "client|kill", handler: clientKill },
  { name: "client|no-evict", handler: clientNoEvict },
  { name: "client|unblock", handler: clientUnblock },
  { name: "client|setinfo", handler: clientSetInfo },
  { name: "client|help", handler: clientHelp },
];
