import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { Errors, wrongArity } from "../errors.js";
import { parseInteger } from "../util/redis-integer.js";
import { clientCommands, clientNameError, isValidClientName } from "./client.js";

/*
 * Connection commands (Redis's server.c / networking.c / acl.c): PING, ECHO, QUIT, RESET,
 * HELLO, AUTH, SELECT, and the CLIENT container (client.ts).
 *
 * Users, passwords and permissions are the ACL subsystem's (acl/access-control.ts); these
 * commands only say who the connection is.
 */

/**
 * HELLO advertises Redis's version rather than kv's: clients gate features on it (RESP3,
 * CLIENT SETINFO, command options), and kv implements Redis 7.0's behaviour.
 */
const ADVERTISED_VERSION = "7.0.15";

const HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";

function ping(ctx: CommandContext, argv: readonly string[]): void {
  // PING's arity is -1 (one optional message), so the dispatcher cannot reject extra arguments.
  if (argv.length > 2) {
    ctx.error(wrongArity("ping"));
    return;
  }
  if (ctx.client.protocol === 2 && ctx.engine.pubsub.isSubscriber(ctx.client)) {
    // RESP2 subscriber mode: replies must look like messages, so PING answers ["pong", message].
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(argv[1] ?? "");
    return;
  }
  if (argv.length === 1) ctx.reply.simple("PONG");
  else ctx.reply.bulk(argv[1]!);
}

function echo(ctx: CommandContext, argv: readonly string[]): void {
  ctx.reply.bulk(argv[1]!);
}

function quit(ctx: CommandContext): void {
  ctx.reply.simple("OK");
  ctx.client.closeAfterReply = true;
}

/** Redis's clearClientConnectionState: back to a freshly connected client, keeping the connection. */
function reset(ctx: CommandContext): void {
  const client = ctx.client;
  for (const hook of ctx.engine.clientResetHooks) hook(client);
  ctx.engine.releaseClient(client);
  client.watchInvalidated = false;
  client.db = ctx.engine.keyspace.db(0);
  client.reply.protocol = 2;
  client.aclUser = ctx.engine.acl.defaultUser;
  client.authenticated = !ctx.engine.authRequired;
  client.name = "";
  ctx.reply.simple("RESET");
}

/** Authenticates the client or replies WRONGPASS (the failure goes to the ACL LOG); returns whether it succeeded. */
function authenticate(ctx: CommandContext, username: string, password: string): boolean {
  if (!ctx.engine.acl.authenticate(ctx.client, username, password, ctx.currentArgv[0]!)) {
    ctx.error(Errors.wrongPass);
    return false;
  }
  return true;
}

function auth(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length > 3) {
    ctx.error(Errors.syntax);
    return;
  }
  if (argv.length === 2) {
    // The one-argument form is the pre-ACL AUTH: Redis rejects it when there is no password to check.
    if (ctx.engine.acl.defaultUser.nopass) {
      ctx.error(Errors.noPasswordSet);
      return;
    }
    if (authenticate(ctx, "default", argv[1]!)) ctx.reply.simple("OK");
    return;
  }
  if (authenticate(ctx, argv[1]!, argv[2]!)) ctx.reply.simple("OK");
}

function hello(ctx: CommandContext, argv: readonly string[]): void {
  let protocol: 2 | 3 | undefined;
  let next = 1;
  if (argv.length >= 2) {
    const version = parseInteger(argv[next++]!);
    if (version === undefined) {
      ctx.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (version !== 2 && version !== 3) {
      ctx.error("NOPROTO unsupported protocol version");
      return;
    }
    protocol = version;
  }

  // Redis 7.0 acts on each option as it reads it: an AUTH before a bad option has already
  // authenticated, a SETNAME before a failing AUTH has already renamed.
  for (let i = next; i < argv.length; i++) {
    const option = argv[i]!;
    const remaining = argv.length - 1 - i;
    const lower = option.toLowerCase();
    if (lower === "auth" && remaining >= 2) {
      if (!authenticate(ctx, argv[i + 1]!, argv[i + 2]!)) return;
      i += 2;
    } else if (lower === "setname" && remaining >= 1) {
      const clientName = argv[i + 1]!;
      if (!isValidClientName(clientName)) {
        ctx.error(clientNameError);
        return;
      }
      ctx.client.name = clientName;
      i += 1;
    } else {
      ctx.error(`ERR Syntax error in HELLO option '${option}'`);
      return;
    }
  }

  if (!ctx.client.authenticated) {
    ctx.error(HELLO_NOAUTH);
    return;
  }
  // The reply already uses the protocol being switched to.
  if (protocol !== undefined) ctx.client.reply.protocol = protocol;

  const reply = ctx.reply;
  reply.map(7);
  reply.bulk("server");
  reply.bulk("redis");
  reply.bulk("version");
  reply.bulk(ADVERTISED_VERSION);
  reply.bulk("proto");
  reply.integer(ctx.client.protocol);
  reply.bulk("id");
  reply.integer(ctx.client.id);
  reply.bulk("mode");
  reply.bulk("standalone");
  reply.bulk("role");
  reply.bulk("master");
  reply.bulk("modules");
  reply.array(0);
}

function select(ctx: CommandContext, argv: readonly string[]): void {
  const index = parseInteger(argv[1]!);
  if (index === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  // getIntFromObjectOrReply: a valid 64-bit integer outside a C int gets its own message (sic).
  if (typeof index !== "number" || index < -2147483648 || index > 2147483647) {
    ctx.error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return;
  }
  const keyspace = ctx.engine.keyspace;
  if (index < 0 || index >= keyspace.count) {
    ctx.error(Errors.dbIndexOutOfRange);
    return;
  }
  ctx.client.db = keyspace.db(index);
  ctx.reply.simple("OK");
}

export const connectionCommands: CommandDefinition[] = [
  { name: "ping", handler: ping },
  { name: "echo", handler: echo },
  { name: "quit", handler: quit },
  { name: "reset", handler: reset },
  { name: "hello", handler: hello },
  { name: "auth", handler: auth },
  { name: "select", handler: select },
  ...clientCommands,
];
